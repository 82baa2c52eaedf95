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
//! `https://issues.apache.org/jira/browse/KEY`); else the default, GitHub milestones.

use camino::Utf8Path;

use super::{quoted, read_text, Setting};

/// The settings of a project whose `pom.xml` names its JIRA project: `issue-tracker` and
/// `jira-project` (the ASF's JIRA is `jira-url`'s default); nothing otherwise.
pub(super) fn issue_tracker(repo: &Utf8Path) -> Vec<Setting> {
    let Some(text) = read_text(repo, "pom.xml") else {
        return Vec::new();
    };
    let Some((key, line)) = jira_of_pom(&text) else {
        return Vec::new();
    };
    let evidence = format!(
        "pom.xml line {line}: <issueManagement> names JIRA \
         https://issues.apache.org/jira/browse/{key}"
    );
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
    let valid = key.starts_with(|c: char| c.is_ascii_uppercase())
        && key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    valid.then(|| (key.to_string(), text[..start].matches('\n').count() + 1))
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
}
