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

//! Where releases are planned: GitHub milestones (the default) or JIRA versions
//! (`issue-tracker = "jira"`, with `jira-project`, `jira-url`, `jira-version-pattern`).

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use crate::config_checks::{check_url_without_credentials, is_loopback_url};
use crate::version::{fill, Version};

/// The ASF's JIRA (the default `jira-url`).
pub const JIRA_PRODUCTION: &str = "https://issues.apache.org/jira";

/// The `issue-tracker` setting as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrackerKind {
    #[serde(rename = "github")]
    GitHub,
    Jira,
}

/// Where the issues of a release are planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueTracker {
    /// The GitHub milestone titled like the line (`2.3`).
    GitHub,
    /// The JIRA version of the release, its issues carrying it as `fixVersion`.
    Jira(Jira),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Jira {
    /// The project's key: `LANG`.
    pub project: String,
    /// `https://issues.apache.org/jira`, without a trailing slash.
    pub url: String,
    /// The JIRA version's name of a release: `{version}` (`3.20.0`).
    pub version_pattern: String,
}

impl Jira {
    /// The name of `version`'s JIRA version.
    pub fn version_name(&self, version: &Version) -> Result<String> {
        fill(&self.version_pattern, &[("version", &version.to_string())])
            .context("invalid setting jira-version-pattern")
    }
}

impl IssueTracker {
    pub fn setting(&self) -> &'static str {
        match self {
            IssueTracker::GitHub => "github",
            IssueTracker::Jira(_) => "jira",
        }
    }

    pub fn jira(&self) -> Option<&Jira> {
        match self {
            IssueTracker::GitHub => None,
            IssueTracker::Jira(jira) => Some(jira),
        }
    }
}

/// The checked tracker of the four settings; the JIRA ones only with `issue-tracker = "jira"`.
pub(super) fn resolve(
    kind: Option<TrackerKind>,
    project: Option<String>,
    url: Option<String>,
    version_pattern: Option<String>,
) -> Result<IssueTracker> {
    let jira_keys = [
        ("jira-project", project.is_some()),
        ("jira-url", url.is_some()),
        ("jira-version-pattern", version_pattern.is_some()),
    ];
    if kind != Some(TrackerKind::Jira) {
        if let Some((key, _)) = jira_keys.iter().find(|(_, set)| *set) {
            bail!(
                "setting {key} is set but issue-tracker is \"github\" (the default): add \
                 `issue-tracker = \"jira\"` to plan releases in JIRA, or remove {key}"
            );
        }
        return Ok(IssueTracker::GitHub);
    }
    let Some(project) = project else {
        bail!(
            "issue-tracker = \"jira\" needs the project's key: add `jira-project = \"KEY\"` (the \
             letters before the number of its issues, like \"LANG\" for LANG-1234)"
        );
    };
    check_project_key(&project)?;
    let url = url.unwrap_or_else(|| JIRA_PRODUCTION.to_string());
    check_jira_url(&url)?;
    let jira = Jira {
        project,
        url: url.trim_end_matches('/').to_string(),
        version_pattern: version_pattern.unwrap_or_else(|| "{version}".to_string()),
    };
    if !jira.version_pattern.contains("{version}") {
        bail!(
            "invalid setting jira-version-pattern = {:?}: it must contain {{version}}, like \
             \"{{version}}\" or \"v{{version}}\", or every release would be the same JIRA version",
            jira.version_pattern
        );
    }
    let example: Version = "1.2.3".parse()?;
    jira.version_name(&example)?;
    Ok(IssueTracker::Jira(jira))
}

/// A JIRA project key: upper-case letters, digits and `_`, starting with a letter (JIRA's
/// default rule); it goes into URLs and JQL, so nothing else passes.
fn check_project_key(key: &str) -> Result<()> {
    let valid = key.len() <= 64
        && key.starts_with(|c: char| c.is_ascii_uppercase())
        && key
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if !valid {
        bail!(
            "invalid setting jira-project = {key:?}: a JIRA project key has upper-case letters, \
             digits and `_` and starts with a letter, like \"LANG\"; see the project's page on \
             issues.apache.org"
        );
    }
    Ok(())
}

/// `jira-url`: https (plain http only to this machine, for tests), no credentials (the reads
/// are anonymous), no query or fragment.
fn check_jira_url(url: &str) -> Result<()> {
    check_url_without_credentials(
        "setting jira-url",
        url,
        "leave them out: JIRA is read anonymously",
    )?;
    let (scheme, rest) = url.split_once("://").unwrap_or_default();
    let host = rest.split('/').next().unwrap_or_default();
    let plain = !host.is_empty() && !rest.contains(['?', '#', ' ']);
    if !plain || !(scheme == "https" || (scheme == "http" && is_loopback_url(url))) {
        bail!(
            "invalid setting jira-url = {url:?}: give JIRA's address as https://host/path (like \
             {JIRA_PRODUCTION}), without a query; plain http only to this machine (tests)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;
    use crate::config::{parse, Config};

    fn parse_str(extra: &str) -> Result<Config> {
        let text = format!("[workspace.metadata.asf-release]\nname = \"commons-lang\"\n{extra}");
        parse(
            Utf8Path::new("/repo"),
            Utf8Path::new("/repo/Cargo.toml"),
            &text,
        )
    }

    #[test]
    fn github_is_the_default_and_jira_needs_a_valid_key_and_address() {
        assert_eq!(parse_str("").unwrap().issue_tracker, IssueTracker::GitHub);
        let config = parse_str("issue-tracker = \"jira\"\njira-project = \"LANG\"\n").unwrap();
        let jira = config.issue_tracker.jira().unwrap();
        assert_eq!(jira.url, JIRA_PRODUCTION);
        assert_eq!(
            jira.version_name(&"3.20.0".parse().unwrap()).unwrap(),
            "3.20.0"
        );
        let config = parse_str(
            "issue-tracker = \"jira\"\njira-project = \"MY_PROJ2\"\n\
             jira-url = \"http://127.0.0.1:8080/jira/\"\njira-version-pattern = \"v{version}\"\n",
        )
        .unwrap();
        let jira = config.issue_tracker.jira().unwrap();
        assert_eq!(jira.url, "http://127.0.0.1:8080/jira");
        assert_eq!(
            jira.version_name(&"1.0.0".parse().unwrap()).unwrap(),
            "v1.0.0"
        );
        for (bad, needle) in [
            ("issue-tracker = \"jira\"", "add `jira-project = \"KEY\"`"),
            ("issue-tracker = \"gitlab\"", "unknown variant"),
            ("jira-project = \"LANG\"", "add `issue-tracker = \"jira\"`"),
            ("issue-tracker = \"jira\"\njira-project = \"lang\"", "upper-case"),
            ("issue-tracker = \"jira\"\njira-project = \"1LANG\"", "upper-case"),
            ("issue-tracker = \"jira\"\njira-project = \"LA NG\"", "upper-case"),
            ("issue-tracker = \"jira\"\njira-project = \"LANG\"\njira-url = \"http://issues.example.org\"", "plain http only"),
            ("issue-tracker = \"jira\"\njira-project = \"LANG\"\njira-url = \"https://issues.example.org/?a=b\"", "without a query"),
            ("issue-tracker = \"jira\"\njira-project = \"LANG\"\njira-url = \"https://rm:s3cret@issues.example.org\"", "carries credentials"),
            ("issue-tracker = \"jira\"\njira-project = \"LANG\"\njira-version-pattern = \"next\"", "must contain {version}"),
            ("issue-tracker = \"jira\"\njira-project = \"LANG\"\njira-version-pattern = \"{version}-{rc}\"", "jira-version-pattern"),
            ("issue-trackr = \"jira\"", "did you mean `issue-tracker`?"),
        ] {
            let err = format!("{:#}", parse_str(&format!("{bad}\n")).unwrap_err());
            assert!(err.contains(needle), "{bad}: {err}");
            assert!(!err.contains("s3cret"), "{bad}: {err}");
        }
    }
}
