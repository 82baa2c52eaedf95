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

//! How the project writes its changelog, read from the newest release: the heading of that
//! release in `CHANGELOG.md` (`## [v0.10.1] - 2026-07-28` gives `## [v{version}] - {date}`), or
//! the notes it keeps itself (`src/changes/changes.xml`, `RELEASE-NOTES.txt`), which the tool
//! then only checks.

use super::{quoted, Setting};
use crate::config::Changelog;
use crate::version::Version;

/// The files a project keeps its changelog in, the tool's own first.
const CHANGELOGS: [&str; 4] = ["CHANGELOG.md", "CHANGES.md", "changelog.md", "Changelog.md"];
/// Notes a project writes its own way (Maven's changes plugin, Commons' release notes).
const OWN_NOTES: [&str; 3] = [
    "src/changes/changes.xml",
    "RELEASE-NOTES.txt",
    "RELEASE-NOTES.md",
];

/// The heading pattern of a line that heads `version`'s section: the version becomes
/// `{version}`, an ISO date `{date}`.
fn heading_pattern(line: &str, version: &Version) -> Option<String> {
    let marks = line.bytes().take_while(|b| *b == b'#').count();
    if marks == 0 || marks > 6 || !line[marks..].starts_with(' ') {
        return None;
    }
    let wanted = version.to_string();
    let at = line.find(&wanted)?;
    let after = line[at + wanted.len()..].chars().next();
    // `2.2.0-rc1` and `2.2.01` are other versions.
    if after.is_some_and(|c| c.is_ascii_digit() || c == '-') {
        return None;
    }
    let pattern = line.trim_end().replace(&wanted, "{version}");
    let date = regex::Regex::new(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").expect("valid");
    Some(date.replace_all(&pattern, "{date}").into_owned())
}

/// `changelog`, from the files of the newest release tag (`read` gives a file's text there).
pub(super) fn changelog(version: &Version, read: &dyn Fn(&str) -> Option<String>) -> Setting {
    // A license header in an HTML comment has `#` lines too; its lines stay counted.
    let comments = regex::Regex::new(r"(?s)<!--.*?-->").expect("valid");
    for file in CHANGELOGS {
        let Some(text) = read(file) else {
            continue;
        };
        let text = comments.replace_all(&text, |c: &regex::Captures| {
            "\n".repeat(c[0].matches('\n').count())
        });
        let Some((number, pattern)) = text
            .lines()
            .enumerate()
            .find_map(|(n, line)| Some((n, heading_pattern(line, version)?)))
        else {
            continue;
        };
        let mut table = Vec::new();
        if file != "CHANGELOG.md" {
            table.push(format!("file = {}", quoted(file)));
        }
        if pattern != crate::config::CHANGELOG_HEADING {
            table.push(format!("heading = {}", quoted(&pattern)));
        }
        if Changelog::check_heading(&pattern).is_err() {
            return Setting {
                comment: format!(
                    "changelog: {file} heads {version} as `{}` (line {}), a shape `changelog` \
                     cannot write: set changelog.heading to the project's heading",
                    pattern.replace("{version}", &version.to_string()),
                    number + 1
                ),
                key: "changelog",
                value: None,
            };
        }
        if table.is_empty() {
            return Setting {
                comment: format!(
                    "changelog: {file} heads {version} as `## {version}` (line {}), the default",
                    number + 1
                ),
                key: "changelog",
                value: None,
            };
        }
        return Setting {
            comment: format!(
                "{file} heads the newest release as `{}` (line {})",
                pattern
                    .replace("{version}", &version.to_string())
                    .replace("{date}", "<date>"),
                number + 1
            ),
            key: "changelog",
            value: Some(format!("{{ {} }}", table.join(", "))),
        };
    }
    for file in OWN_NOTES {
        let Some(text) = read(file) else {
            continue;
        };
        let own = Changelog {
            file: file.to_string(),
            heading: String::new(),
            write: false,
        };
        if own.covers(&text, version) {
            return Setting {
                comment: format!(
                    "the project keeps its own release notes in {file} (they name {version}): \
                     `changelog` writes no CHANGELOG.md, it checks that {file} names the version"
                ),
                key: "changelog",
                value: Some(format!("{{ file = {}, write = false }}", quoted(file))),
            };
        }
    }
    Setting {
        comment: format!(
            "changelog: no changelog names {version}; `changelog` writes CHANGELOG.md with \
             `## <version>` sections"
        ),
        key: "changelog",
        value: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(files: &[(&str, &str)], version: &str) -> Setting {
        let files: Vec<(String, String)> = files
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        changelog(&version.parse().unwrap(), &move |file| {
            files
                .iter()
                .find(|(f, _)| f == file)
                .map(|(_, t)| t.clone())
        })
    }

    #[test]
    fn the_heading_style_of_the_newest_release_is_found() {
        // Apache Iceberg Rust.
        let found = detect(
            &[(
                "CHANGELOG.md",
                "# Change Log\n\n## [v0.10.1] - 2026-07-28\n\n* fix\n",
            )],
            "0.10.1",
        );
        assert_eq!(
            found.value.as_deref(),
            Some("{ heading = \"## [v{version}] - {date}\" }")
        );
        // Apache APISIX Ingress Controller: `# 2.2.0`, after `#` lines of a license comment
        // and release candidates' sections.
        let found = detect(
            &[(
                "CHANGELOG.md",
                "<!--\n# Licensed to the ASF 2.2.0\n-->\n# Table of Contents\n\n- [2.2.0](#220)\n\n# 2.2.0-rc1\n\n# 2.2.0\n\nWelcome\n",
            )],
            "2.2.0",
        );
        assert_eq!(
            found.value.as_deref(),
            Some("{ heading = \"# {version}\" }")
        );
        // Apache APISIX: the default.
        let found = detect(
            &[("CHANGELOG.md", "## Table of Contents\n\n## 3.18.0\n")],
            "3.18.0",
        );
        assert_eq!(found.value, None);
        assert!(found.comment.contains("the default"), "{}", found.comment);
    }

    #[test]
    fn notes_kept_their_own_way_are_not_replaced() {
        // Apache Commons Lang.
        let found = detect(
            &[
                (
                    "RELEASE-NOTES.txt",
                    "Apache Commons Lang 3.20.0 Release Notes\n",
                ),
                (
                    "src/changes/changes.xml",
                    "<release version=\"3.20.0\" date=\"2025-11-12\">\n",
                ),
            ],
            "3.20.0",
        );
        assert_eq!(
            found.value.as_deref(),
            Some("{ file = \"src/changes/changes.xml\", write = false }")
        );
        let nothing = detect(&[("README.md", "# x\n")], "1.0.0");
        assert_eq!(nothing.value, None);
    }
}
