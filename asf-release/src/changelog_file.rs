// Licensed to the Apache Software Foundation (ASF) under one
// or more contributor license agreements.  See the NOTICE file
// distributed with this work for additional information
// regarding copyright ownership.  The ASF licenses this file
// to you under the Apache License, Version 2.0 (the
// "License"); you may not use this file except in compliance
// with the License.  You may obtain a copy of the License at
//
//   http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing,
// software distributed under the License is distributed on an
// "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
// KIND, either express or implied.  See the License for the
// specific language governing permissions and limitations
// under the License.

//! A changelog file edited in the project's style: the section of a version put in (or
//! replaced) newest first under the heading the project writes (`changelog.heading`), the
//! table-of-contents entry kept where the file has a table (APISIX's format); every other
//! line stays as it was.

use crate::config::Changelog;
use crate::version::Version;

const TOC_HEADING: &str = "## Table of Contents";

/// The version of a release heading of the project's style, else of one of the usual
/// shapes at the same level (`## 3.18.0`, `## [3.17.0] - 2024-01-02`, `## v3.16.0`): for the
/// order only.
fn section_version(style: &Changelog, line: &str) -> Option<Version> {
    if let Some(version) = style.heading_version(line) {
        return Some(version);
    }
    let marks = "#".repeat(style.level());
    let first = line
        .strip_prefix(&marks)?
        .strip_prefix(' ')?
        .split_whitespace()
        .next()?;
    let first = first.trim_start_matches('[').trim_end_matches(']');
    first.strip_prefix('v').unwrap_or(first).parse().ok()
}

/// `## Table of Contents`, or `# Table of Contents` (APISIX Ingress Controller).
fn is_toc_heading(line: &str) -> bool {
    let text = line.trim_start_matches('#');
    text.len() < line.len() && text.trim().eq_ignore_ascii_case("table of contents")
}

/// Whether `line` is a heading that ends a section of the style's level.
fn ends_section(style: &Changelog, line: &str) -> bool {
    let marks = line.bytes().take_while(|b| *b == b'#').count();
    marks > 0 && marks <= style.level() && line[marks..].starts_with(' ')
}

fn toc_version(line: &str) -> Option<Version> {
    let rest = line.trim().strip_prefix("- [")?;
    rest.split_once(']')?.0.parse().ok()
}

/// The changelog with the section of `version` put in (or replaced), headed in the project's
/// style (`date` for a `{date}` in it), and its table-of-contents entry added where the
/// changelog keeps one (APISIX's format, the default); every other line stays as it was.
pub fn update_changelog(
    style: &Changelog,
    current: Option<&str>,
    version: &Version,
    body: &str,
    date: &str,
) -> String {
    let heading = style.heading_for(version, date);
    let entry = format!("- [{version}](#{})", version.heading_anchor());
    let Some(current) = current else {
        return match style.is_default_heading() {
            true => format!("# Changelog\n\n{TOC_HEADING}\n\n{entry}\n\n{heading}\n\n{body}"),
            false => format!("# Changelog\n\n{heading}\n\n{body}"),
        };
    };
    let mut lines: Vec<String> = current.lines().map(str::to_string).collect();
    let section: Vec<String> = std::iter::once(heading.clone())
        .chain(std::iter::once(String::new()))
        .chain(body.trim_end().lines().map(str::to_string))
        .chain(std::iter::once(String::new()))
        .collect();

    // The section: replace our own, else insert it before the first older one.
    if let Some(start) = lines
        .iter()
        .position(|line| style.heading_version(line) == Some(*version))
    {
        let end = lines[start + 1..]
            .iter()
            .position(|line| ends_section(style, line))
            .map_or(lines.len(), |offset| start + 1 + offset);
        let trailing_end = end == lines.len();
        let mut replacement = section.clone();
        if trailing_end {
            replacement.pop();
        }
        lines.splice(start..end, replacement);
    } else {
        let older = lines
            .iter()
            .position(|line| section_version(style, line).is_some_and(|v| v < *version));
        match older {
            Some(at) => {
                lines.splice(at..at, section.clone());
            }
            None => {
                if lines.last().is_some_and(|line| !line.is_empty()) {
                    lines.push(String::new());
                }
                lines.extend(section[..section.len() - 1].iter().cloned());
            }
        }
    }

    // The table of contents entry, where the changelog keeps one or the tool's format is used.
    let has_toc = lines.iter().any(|line| is_toc_heading(line));
    if !has_toc && !style.is_default_heading() {
        let mut text = lines.join("\n");
        text.push('\n');
        return text;
    }
    let toc = lines.iter().position(|line| is_toc_heading(line));
    let toc = match toc {
        Some(at) => at,
        None => {
            let at = lines
                .iter()
                .position(|line| line.starts_with("# "))
                .map_or(0, |title| title + 1);
            lines.splice(at..at, [String::new(), TOC_HEADING.to_string()]);
            at + 1
        }
    };
    let toc_end = lines[toc + 1..]
        .iter()
        .position(|line| ends_section(style, line) || line.starts_with("## "))
        .map_or(lines.len(), |offset| toc + 1 + offset);
    let entries: Vec<usize> = (toc + 1..toc_end)
        .filter(|&i| lines[i].trim_start().starts_with("- ["))
        .collect();
    if !entries
        .iter()
        .any(|&i| toc_version(&lines[i]) == Some(*version))
    {
        let older = entries
            .iter()
            .copied()
            .find(|&i| toc_version(&lines[i]).is_some_and(|v| v < *version));
        match (older, entries.last()) {
            (Some(at), _) => lines.insert(at, entry),
            (None, Some(&last)) => lines.insert(last + 1, entry),
            (None, None) => {
                let mut block = vec![String::new(), entry];
                if lines.get(toc + 1).is_some_and(|next| !next.is_empty()) {
                    block.push(String::new());
                }
                lines.splice(toc + 1..toc + 1, block);
            }
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;

    fn default_style() -> Changelog {
        crate::config::tests_support::minimal().changelog
    }

    fn v(text: &str) -> Version {
        text.parse().unwrap()
    }

    const APISIX_LIKE: &str = "---\ntitle: Changelog\n---\n\n<!-- license -->\n\n## Table of Contents\n\n- [3.17.0](#3170)\n- [3.16.0](#3160)\n\n## 3.17.0\n\n### Change\n\n- old change\n\n## 3.16.0\n\n- older\n";

    #[test]
    fn inserts_newest_first_and_keeps_the_rest() {
        let out = update_changelog(
            &default_style(),
            Some(APISIX_LIKE),
            &v("3.18.0"),
            "- new\n",
            "2026-01-02",
        );
        assert!(out.starts_with("---\ntitle: Changelog\n---\n\n<!-- license -->\n\n## Table of Contents\n\n- [3.18.0](#3180)\n- [3.17.0](#3170)\n"), "{out}");
        assert!(
            out.contains("- [3.16.0](#3160)\n\n## 3.18.0\n\n- new\n\n## 3.17.0\n\n### Change\n"),
            "{out}"
        );
        let again = update_changelog(
            &default_style(),
            Some(&out),
            &v("3.18.0"),
            "- new\n",
            "2026-01-02",
        );
        assert_eq!(again, out, "a rerun changes nothing");
        let replaced = update_changelog(
            &default_style(),
            Some(&out),
            &v("3.18.0"),
            "- newer\n",
            "2026-01-02",
        );
        assert_eq!(replaced.matches("## 3.18.0").count(), 1);
        assert!(
            replaced.contains("## 3.18.0\n\n- newer\n\n## 3.17.0"),
            "{replaced}"
        );
    }

    #[test]
    fn a_patch_release_goes_between_its_neighbours_and_at_the_end() {
        let out = update_changelog(
            &default_style(),
            Some(APISIX_LIKE),
            &v("3.16.1"),
            "- fix\n",
            "2026-01-02",
        );
        assert!(
            out.contains("- [3.17.0](#3170)\n- [3.16.1](#3161)\n- [3.16.0](#3160)"),
            "{out}"
        );
        assert!(
            out.contains("- old change\n\n## 3.16.1\n\n- fix\n\n## 3.16.0"),
            "{out}"
        );
        let oldest = update_changelog(
            &default_style(),
            Some(APISIX_LIKE),
            &v("1.0.0"),
            "- first\n",
            "2026-01-02",
        );
        assert!(
            oldest.ends_with("- older\n\n## 1.0.0\n\n- first\n"),
            "{oldest}"
        );
        assert_eq!(
            update_changelog(
                &default_style(),
                Some(&oldest),
                &v("1.0.0"),
                "- first\n",
                "2026-01-02"
            ),
            oldest
        );
    }

    #[test]
    fn a_changelog_without_table_of_contents_gets_one() {
        let current = "# Changelog\n\n## [1.0.0] - 2024-01-02\n\n- first\n";
        let out = update_changelog(
            &default_style(),
            Some(current),
            &v("1.1.0"),
            "- second\n",
            "2026-01-02",
        );
        assert_eq!(
            out,
            "# Changelog\n\n## Table of Contents\n\n- [1.1.0](#110)\n\n## 1.1.0\n\n- second\n\n## [1.0.0] - 2024-01-02\n\n- first\n"
        );
        assert_eq!(
            update_changelog(
                &default_style(),
                Some(&out),
                &v("1.1.0"),
                "- second\n",
                "2026-01-02"
            ),
            out
        );
        assert_eq!(
            update_changelog(
                &default_style(),
                None,
                &v("1.0.0"),
                "- first\n",
                "2026-01-02"
            ),
            "# Changelog\n\n## Table of Contents\n\n- [1.0.0](#100)\n\n## 1.0.0\n\n- first\n"
        );
    }

    #[test]
    fn the_project_s_heading_style_is_kept() {
        let style = |heading: &str| {
            crate::config::parse(
                Utf8Path::new("/repo"),
                Utf8Path::new("/repo/Cargo.toml"),
                &format!("[workspace.metadata.asf-release]\nname = \"x\"\nchangelog = {{ heading = \"{heading}\" }}\n"),
            )
            .unwrap()
            .changelog
        };
        // Apache Iceberg Rust: dated headings in brackets, no table of contents.
        let iceberg = "<!-- license -->\n\n# Change Log\n\nAll notable changes.\n\n## [v0.10.1] - 2026-07-28\n\n* a fix\n\n## [v0.10.0] - 2026-07-07\n\n### Breaking Changes\n\n* older\n";
        let dated = style("## [v{version}] - {date}");
        let out = update_changelog(&dated, Some(iceberg), &v("0.10.2"), "* new\n", "2026-08-01");
        assert_eq!(
            out,
            iceberg.replace(
                "## [v0.10.1]",
                "## [v0.10.2] - 2026-08-01\n\n* new\n\n## [v0.10.1]"
            )
        );
        // A rerun on another day replaces the section, it does not add a second one.
        let again = update_changelog(&dated, Some(&out), &v("0.10.2"), "* new\n", "2026-08-02");
        assert_eq!(again.matches("[v0.10.2]").count(), 1, "{again}");
        assert!(
            again.contains("## [v0.10.2] - 2026-08-02\n\n* new\n\n## [v0.10.1]"),
            "{again}"
        );
        // Apache APISIX Ingress Controller: top-level headings, a `#` license header in a
        // comment, and a table of contents of its own.
        let ingress = "<!--\n#\n# Licensed to the ASF\n#\n-->\n\n# Table of Contents\n\n- [2.2.0](#220)\n- [2.1.0](#210)\n\n# 2.2.0\n\nWelcome.\n\n## Highlights\n\n* more\n\n# 2.1.0\n\n* older\n";
        let top = style("# {version}");
        let out = update_changelog(&top, Some(ingress), &v("2.2.1"), "* fix\n", "2026-08-01");
        assert_eq!(
            out,
            ingress
                .replace("- [2.2.0](#220)", "- [2.2.1](#221)\n- [2.2.0](#220)")
                .replace("# 2.2.0\n", "# 2.2.1\n\n* fix\n\n# 2.2.0\n")
        );
        let replaced = update_changelog(&top, Some(&out), &v("2.2.0"), "* rewritten\n", "");
        assert!(
            replaced.contains("# 2.2.0\n\n* rewritten\n\n# 2.1.0"),
            "{replaced}"
        );
        assert!(!replaced.contains("Highlights"), "{replaced}");
    }
}
