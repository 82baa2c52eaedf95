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

//! Where the project plans its releases: JIRA when Maven's `pom.xml` says so in
//! `<issueManagement>` (`<system>JIRA</system>` and the ASF's
//! `https://issues.apache.org/jira/browse/KEY`), or when many recent commit subjects start
//! with one JIRA project's issue keys (`LANG-1234: ...`); else the default, GitHub milestones.

use camino::Utf8Path;

use super::{quoted, read_text, Setting};

/// How many of the newest commit subjects are read for issue keys.
pub(super) const SUBJECTS_READ: usize = 100;
/// The fewest subjects starting with one project's keys that tell it plans in JIRA.
const SUBJECTS_NEEDED: usize = 10;

/// The settings of a project whose `pom.xml` or commit subjects name its JIRA project:
/// `issue-tracker` and `jira-project` (the ASF's JIRA is `jira-url`'s default); nothing
/// otherwise.
pub(super) fn issue_tracker(repo: &Utf8Path, subjects: &[String]) -> Vec<Setting> {
    let pom = read_text(repo, "pom.xml");
    let from_pom = pom.as_deref().and_then(jira_of_pom);
    let from_commons = pom.as_deref().and_then(jira_of_commons);
    let (key, evidence) = match (from_pom, from_commons, jira_of_subjects(subjects)) {
        (Some((key, line)), _, _) => {
            let evidence = format!(
                "pom.xml line {line}: <issueManagement> names JIRA \
                 https://issues.apache.org/jira/browse/{key}"
            );
            (key, evidence)
        }
        (None, Some((key, line)), _) => {
            let evidence = format!(
                "pom.xml line {line}: commons.jira.id = {key}, which the Commons parent's \
                 <issueManagement> names (JIRA \
                 https://issues.apache.org/jira/browse/${{commons.jira.id}})"
            );
            (key, evidence)
        }
        (None, None, Some((key, count))) => {
            let evidence = format!(
                "{count} of the newest {} commit subjects start with an issue of JIRA project \
                 {key} ({key}-<number>), on the ASF's JIRA",
                subjects.len()
            );
            (key, evidence)
        }
        (None, None, None) => return Vec::new(),
    };
    vec![
        Setting {
            comment: format!("{evidence}: the milestone step reads the release's JIRA version"),
            key: "issue-tracker",
            value: Some(quoted("jira")),
        },
        Setting {
            comment: "the JIRA project of the release's issues (their fixVersion)".to_string(),
            key: "jira-project",
            value: Some(quoted(&key)),
        },
    ]
}

/// The JIRA key most subjects start with (`LANG-1: ...`, `[LANG-1] ...`), when at least
/// [`SUBJECTS_NEEDED`] do, and how many. `GH-123` is a GitHub issue (Apache Arrow), not JIRA.
fn jira_of_subjects(subjects: &[String]) -> Option<(String, usize)> {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for subject in subjects {
        let start = subject.trim_start().trim_start_matches('[');
        let Some((key, rest)) = start.split_once('-') else {
            continue;
        };
        let numbered = rest.starts_with(|c: char| c.is_ascii_digit());
        if numbered && key != "GH" && is_project_key(key) {
            *counts.entry(key).or_default() += 1;
        }
    }
    let (key, count) = counts.into_iter().max_by_key(|(_, count)| *count)?;
    (count >= SUBJECTS_NEEDED).then(|| (key.to_string(), count))
}

/// JIRA's rule for a project key: upper-case letters, digits and `_`, a letter first.
fn is_project_key(key: &str) -> bool {
    key.len() <= 64
        && key.starts_with(|c: char| c.is_ascii_uppercase())
        && key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// The JIRA key a Commons component names in `commons.jira.id`, which the Commons parent's
/// `<issueManagement>` (inherited: the component's pom has none) puts in its URL, and its line.
fn jira_of_commons(text: &str) -> Option<(String, usize)> {
    if text.contains("<issueManagement>")
        || super::maven::parent_artifact(text).as_deref() != Some("commons-parent")
    {
        return None;
    }
    let (key, line) = super::maven::property(text, "commons.jira.id")?;
    is_project_key(&key).then_some((key, line))
}

/// The JIRA key of `<issueManagement>` on the ASF's JIRA, and the line it is on.
fn jira_of_pom(text: &str) -> Option<(String, usize)> {
    let start = text.find("<issueManagement>")?;
    let block = &text[start..start + text[start..].find("</issueManagement>")?];
    let system = super::maven::first(block, "system")?;
    if !system.eq_ignore_ascii_case("jira") {
        return None;
    }
    let url = super::maven::first(block, "url")?;
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let key = rest
        .strip_prefix("issues.apache.org/jira/browse/")?
        .trim_end_matches('/');
    is_project_key(key).then(|| (key.to_string(), text[..start].matches('\n').count() + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_asf_jira_of_a_pom_is_read_and_anything_else_left_alone() {
        let pom = "<project>\n  <issueManagement>\n    <system>jira</system>\n    \
                   <url>https://issues.apache.org/jira/browse/LANG</url>\n  \
                   </issueManagement>\n</project>\n";
        assert_eq!(jira_of_pom(pom), Some(("LANG".to_string(), 2)));
        assert_eq!(
            jira_of_pom(&pom.replace("jira</system>", "JIRA</system>")),
            Some(("LANG".to_string(), 2))
        );
        for other in [
            pom.replace("jira</system>", "GitHub</system>"),
            pom.replace("issues.apache.org", "issues.example.org"),
            pom.replace("LANG", "lang"),
            pom.replace("LANG", "LANG\"\nx = 1"),
            pom.replace("</issueManagement>", ""),
            "<project/>".to_string(),
        ] {
            assert_eq!(jira_of_pom(&other), None, "{other}");
        }
    }

    #[test]
    fn a_commons_component_names_its_jira_in_a_property() {
        let pom = "<project>\n  <parent>\n    <groupId>org.apache.commons</groupId>\n    \
                   <artifactId>commons-parent</artifactId>\n  </parent>\n  <properties>\n    \
                   <commons.jira.id>IO</commons.jira.id>\n  </properties>\n</project>\n";
        assert_eq!(jira_of_commons(pom), Some(("IO".to_string(), 7)));
        for other in [
            pom.replace("commons-parent", "apache"),
            pom.replace(">IO<", ">io<"),
            pom.replace("commons.jira.id", "other.id"),
            pom.replace(
                "<properties>",
                "<issueManagement><system>GitHub</system></issueManagement><properties>",
            ),
        ] {
            assert_eq!(jira_of_commons(&other), None, "{other}");
        }
    }

    #[test]
    fn many_subjects_starting_with_one_projects_keys_name_it() {
        let subjects = |lines: &[&str], times: usize| -> Vec<String> {
            lines
                .iter()
                .cycle()
                .take(lines.len() * times)
                .map(|line| line.to_string())
                .collect()
        };
        let lang = subjects(
            &["LANG-1700: fix", "[LANG-12] docs", "Bump x", "lang-1 no"],
            6,
        );
        assert_eq!(jira_of_subjects(&lang), Some(("LANG".to_string(), 12)));
        assert_eq!(jira_of_subjects(&lang[..8]), None, "too few");
        for other in [
            subjects(&["GH-1234: [C++] fix"], 20),
            subjects(&["MINOR: fix", "feat: x", "Release-1.0"], 10),
        ] {
            assert_eq!(jira_of_subjects(&other), None, "{other:?}");
        }
    }
}
