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

//! The project's changelog as it writes it: the file, the shape of a release's heading
//! (`## 3.18.0`, `## [v0.10.1] - 2026-07-28`, `# 2.2.0`), or no changelog of the tool's at all
//! when the project keeps its own notes (`src/changes/changes.xml`, `RELEASE-NOTES.txt`).

use anyhow::{bail, Result};
use serde::Deserialize;

use crate::version::Version;

/// `changelog = { file = "...", heading = "...", write = false }` as written.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RawChangelog {
    file: Option<String>,
    heading: Option<String>,
    write: Option<bool>,
}

pub const DEFAULT_FILE: &str = "CHANGELOG.md";
pub const DEFAULT_HEADING: &str = "## {version}";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changelog {
    /// The file, relative to the repository's root.
    pub file: String,
    /// A release's heading: `#`s, a space, then text with `{version}` and maybe `{date}`.
    pub heading: String,
    /// `false`: the project keeps its own notes in `file`; `changelog` only checks that they
    /// name the version.
    pub write: bool,
}

impl Changelog {
    pub fn resolve(raw: Option<RawChangelog>) -> Result<Changelog> {
        let raw = raw.unwrap_or_default();
        let changelog = Changelog {
            file: raw.file.unwrap_or_else(|| DEFAULT_FILE.into()),
            heading: raw.heading.unwrap_or_else(|| DEFAULT_HEADING.into()),
            write: raw.write.unwrap_or(true),
        };
        let file = &changelog.file;
        if file.is_empty()
            || file.starts_with('/')
            || file.split('/').any(|part| part.is_empty() || part == "..")
        {
            bail!("invalid setting changelog.file = {file:?}: a path inside the repository, like \"CHANGELOG.md\"");
        }
        Changelog::check_heading(&changelog.heading)?;
        Ok(changelog)
    }

    /// A Markdown heading with `{version}`, and `{date}` if any, and nothing else in braces.
    pub fn check_heading(heading: &str) -> Result<()> {
        let level = heading.bytes().take_while(|b| *b == b'#').count();
        let rest = &heading[level..];
        let unknown = rest
            .replace("{version}", "")
            .replace("{date}", "")
            .contains(['{', '}']);
        if level == 0
            || level > 6
            || !rest.starts_with(' ')
            || !rest.contains("{version}")
            || unknown
            || heading.contains('\n')
        {
            bail!(
                "invalid setting changelog.heading = {heading:?}: a Markdown heading with \
                 {{version}} (and {{date}} if the project dates its releases), like \
                 \"## {{version}}\", \"## [v{{version}}] - {{date}}\" or \"# {{version}}\""
            );
        }
        Ok(())
    }

    /// How many `#` open a release's heading.
    pub fn level(&self) -> usize {
        self.heading.bytes().take_while(|b| *b == b'#').count()
    }

    /// Whether this is the heading style the tool writes by default (with a table of
    /// contents, APISIX's format).
    pub fn is_default_heading(&self) -> bool {
        self.heading == DEFAULT_HEADING
    }

    /// The heading of `version`'s section, dated `date` (`2026-07-28`).
    pub fn heading_for(&self, version: &Version, date: &str) -> String {
        self.heading
            .replace("{version}", &version.to_string())
            .replace("{date}", date)
    }

    /// The version whose heading `line` is, in this style; `{date}` stands for any text.
    pub fn heading_version(&self, line: &str) -> Option<Version> {
        let line = line.trim_end();
        let mut expression = String::from("^");
        let mut rest = self.heading.as_str();
        while let Some(start) = rest.find('{') {
            expression.push_str(&regex::escape(&rest[..start]));
            let end = rest[start..].find('}')? + start;
            match &rest[start + 1..end] {
                "version" => expression
                    .push_str(&format!("(?P<version>{})", crate::version::version_regex())),
                _ => expression.push_str(".+?"),
            }
            rest = &rest[end + 1..];
        }
        expression.push_str(&regex::escape(rest));
        expression.push('$');
        let captures = regex::Regex::new(&expression).ok()?.captures(line)?;
        captures.name("version")?.as_str().parse().ok()
    }

    /// Whether `text` has the section of `version`; for notes the project keeps itself,
    /// whether they name the version at all (`<release version="3.20.0"`, `Lang 3.20.0`).
    pub fn covers(&self, text: &str, version: &Version) -> bool {
        match self.write {
            true => text
                .lines()
                .any(|line| self.heading_version(line) == Some(*version)),
            false => {
                let wanted = version.to_string();
                let bytes = text.as_bytes();
                // `3.20.0` inside `13.20.0` or `3.20.0.1` is another version.
                text.match_indices(&wanted).any(|(at, _)| {
                    let end = at + wanted.len();
                    let before = at
                        .checked_sub(1)
                        .map(|i| bytes[i])
                        .is_some_and(|b| b.is_ascii_digit() || b == b'.');
                    let after = match (bytes.get(end), bytes.get(end + 1)) {
                        (Some(b), _) if b.is_ascii_digit() => true,
                        (Some(b'.'), Some(b)) => b.is_ascii_digit(),
                        _ => false,
                    };
                    !before && !after
                })
            }
        }
    }

    /// The heading's text for messages: `## 3.18.0`, or "a mention of 3.20.0".
    pub fn describe(&self, version: &Version) -> String {
        match self.write {
            true => format!("`{}`", self.heading_for(version, "<date>")),
            false => format!("a mention of {version}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(heading: &str) -> Changelog {
        Changelog::resolve(Some(RawChangelog {
            heading: Some(heading.into()),
            ..Default::default()
        }))
        .unwrap()
    }

    #[test]
    fn headings_are_read_in_the_project_s_style() {
        let v: Version = "0.10.1".parse().unwrap();
        // Apache Iceberg Rust and OpenDAL.
        let iceberg = style("## [v{version}] - {date}");
        assert_eq!(
            iceberg.heading_version("## [v0.10.1] - 2026-07-28"),
            Some(v)
        );
        assert_eq!(iceberg.heading_version("## [v0.10.1]"), None);
        assert_eq!(
            iceberg.heading_for(&v, "2026-07-28"),
            "## [v0.10.1] - 2026-07-28"
        );
        // Apache APISIX Ingress Controller: a top-level heading.
        let ingress = style("# {version}");
        assert_eq!(ingress.level(), 1);
        assert_eq!(ingress.heading_version("# 0.10.1"), Some(v));
        assert_eq!(ingress.heading_version("## 0.10.1"), None);
        assert_eq!(style("# v{version}").heading_version("# v0.10.1"), Some(v));
        assert!(style(DEFAULT_HEADING).covers("x\n## 0.10.1\n", &v));
        // Pre-releases and short versions have headings too (Tomcat, NetBeans).
        for text in ["4.0.0-M1", "24", "3.0-RC1"] {
            let version: Version = text.parse().unwrap();
            assert_eq!(
                iceberg.heading_version(&format!("## [v{text}] - 2026-07-28")),
                Some(version)
            );
            assert_eq!(ingress.heading_version(&format!("# {text}")), Some(version));
        }
        for bad in ["{version}", "## 1.0", "##{version}", "## {version} {rc}"] {
            let err = Changelog::resolve(Some(RawChangelog {
                heading: Some(bad.into()),
                ..Default::default()
            }))
            .unwrap_err()
            .to_string();
            assert!(err.contains("changelog.heading"), "{bad}: {err}");
        }
    }

    #[test]
    fn notes_the_project_keeps_itself_only_have_to_name_the_version() {
        let own = Changelog::resolve(Some(RawChangelog {
            file: Some("RELEASE-NOTES.txt".into()),
            write: Some(false),
            ..Default::default()
        }))
        .unwrap();
        let v: Version = "3.20.0".parse().unwrap();
        assert!(own.covers("Apache Commons Lang 3.20.0 Release Notes\n", &v));
        assert!(own.covers("<release version=\"3.20.0\" date=\"2025-11-12\">", &v));
        assert!(!own.covers("Apache Commons Lang 3.19.0 Release Notes\n", &v));
        assert!(!own.covers("Lang 13.20.0 and 3.20.0.1\n", &v));
        let err = Changelog::resolve(Some(RawChangelog {
            file: Some("../notes.txt".into()),
            ..Default::default()
        }))
        .unwrap_err()
        .to_string();
        assert!(err.contains("changelog.file"), "{err}");
    }
}
