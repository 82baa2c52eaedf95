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

//! JIRA (issues.apache.org/jira), read anonymously through its public REST API v2 over
//! `tools::curl`: a project's versions (`/rest/api/2/project/{KEY}/versions`) and the
//! unresolved issues of one version (`/rest/api/2/search` with JQL on `fixVersion`). GET only,
//! each answer with a size limit, parsed into the few fields used; keys are checked against
//! the project's, summaries are outside text for the caller to print escaped. Only this
//! module builds JIRA's addresses. Tests point `jira-url` at a stand-in on 127.0.0.1.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use xshell::Shell;

use crate::tools::curl;
use crate::tools::github::encode;
use crate::untrusted::escape_short;

/// A project's versions: a few hundred of about 300 bytes each.
const VERSIONS_LIMIT: u64 = 4 << 20;
/// A search for a few issues with their summaries only.
const SEARCH_LIMIT: u64 = 1 << 20;

/// One version of the project, as JIRA lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JiraVersion {
    /// Raw outside text.
    pub name: String,
    pub released: bool,
    pub archived: bool,
    /// `2024-05-06`, when set.
    pub release_date: Option<String>,
}

/// One issue: its key (checked: `<KEY>-<number>`) and summary (raw outside text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JiraIssue {
    pub key: String,
    pub summary: String,
}

/// The unresolved issues of a version: how many, and the first few.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub total: u64,
    pub first: Vec<JiraIssue>,
}

#[derive(Deserialize)]
struct RawSearch {
    total: u64,
    issues: Vec<RawIssue>,
}

#[derive(Deserialize)]
struct RawIssue {
    key: String,
    fields: RawFields,
}

#[derive(Deserialize)]
struct RawFields {
    summary: String,
}

/// JIRA's error answer: `{"errorMessages":["..."],"errors":{}}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawErrors {
    error_messages: Vec<String>,
}

pub struct JiraClient {
    sh: Shell,
    /// The project's key, checked with the settings: `LANG`.
    project: String,
    /// `https://issues.apache.org/jira`, checked with the settings, no trailing slash.
    url: String,
}

impl JiraClient {
    /// The client of `project` (its key) at `url` (the `jira-url` setting).
    pub fn new(sh: &Shell, project: &str, url: &str) -> JiraClient {
        JiraClient {
            sh: sh.clone(),
            project: project.to_string(),
            url: url.trim_end_matches('/').to_string(),
        }
    }

    /// `LANG at https://issues.apache.org/jira`, for messages.
    pub fn project(&self) -> String {
        format!("{} at {}", self.project, self.url)
    }

    /// The page where the project's versions are created and released, by hand.
    pub fn versions_page(&self) -> String {
        format!(
            "{}/projects/{}?selectedItem=com.atlassian.jira.jira-projects-plugin:release-page",
            self.url, self.project
        )
    }

    /// The JQL of `version`'s unresolved issues.
    fn unresolved_jql(&self, version: &str) -> String {
        let quoted = version.replace('\\', "\\\\").replace('"', "\\\"");
        format!(
            "project = {} AND fixVersion = \"{quoted}\" AND resolution = Unresolved",
            self.project
        )
    }

    /// The page listing `version`'s unresolved issues, for people.
    pub fn unresolved_page(&self, version: &str) -> String {
        format!(
            "{}/issues/?jql={}",
            self.url,
            encode(&self.unresolved_jql(version))
        )
    }

    /// The project's versions.
    pub fn versions(&self) -> Result<Vec<JiraVersion>> {
        let url = format!("{}/rest/api/2/project/{}/versions", self.url, self.project);
        let body = self.get(&url, VERSIONS_LIMIT)?;
        serde_json::from_slice(&body).with_context(|| {
            format!(
                "JIRA's list of versions of {} is not the expected JSON: check the setting \
                 jira-url",
                self.project()
            )
        })
    }

    /// `version`'s unresolved issues: the count and the first `shown`.
    pub fn unresolved(&self, version: &str, shown: usize) -> Result<Unresolved> {
        let url = format!(
            "{}/rest/api/2/search?jql={}&maxResults={shown}&fields=summary",
            self.url,
            encode(&self.unresolved_jql(version))
        );
        let body = self.get(&url, SEARCH_LIMIT)?;
        parse_search(&body, &self.project, shown).with_context(|| {
            format!(
                "JIRA's search for the unresolved issues of {} {} is not the expected answer: \
                 check the setting jira-url",
                self.project(),
                escape_short(version.as_bytes(), 60)
            )
        })
    }

    /// The body of a 200 answer to a GET of `url`; any other answer is an error naming the fix.
    fn get(&self, url: &str, limit: u64) -> Result<Vec<u8>> {
        let request = curl::Request {
            method: "GET",
            url,
            headers: vec![("Accept", "application/json".to_string())],
            body: None,
            secret_body: false,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(15),
            body_limit: limit,
            reads_by_post: false,
        };
        let response = match curl::send(&self.sh, &request) {
            Ok(response) => response,
            Err(curl::Failure::Local(err)) => return Err(err),
            Err(curl::Failure::NoAnswer(reason)) => bail!(
                "cannot read JIRA {} ({}): check the network and the setting jira-url",
                self.url,
                escape_short(reason.as_bytes(), 200)
            ),
        };
        if response.status == 200 {
            return Ok(response.body);
        }
        let said = said(&response.body);
        let project = self.project();
        match response.status {
            404 => bail!(
                "JIRA has no project {project} (HTTP 404: {said}): check the setting \
                 jira-project (the key before the number of its issues, like LANG for LANG-1)"
            ),
            400 => bail!(
                "JIRA refused the query of {project} (HTTP 400: {said}): check the settings \
                 jira-project and jira-version-pattern against the project's versions ({})",
                self.versions_page()
            ),
            401 | 403 => bail!(
                "JIRA refused to show {project} to an anonymous reader (HTTP {}: {said}): the \
                 project must be public; check the settings jira-url and jira-project",
                response.status
            ),
            429 | 500..=599 => bail!(
                "JIRA {} is busy or failing (HTTP {}: {said}): try again later, or pass \
                 --allow-open to go on without the check",
                self.url,
                response.status
            ),
            status => bail!(
                "JIRA {} answered HTTP {status} ({said}): check the setting jira-url",
                self.url
            ),
        }
    }
}

/// What an error answer says: JIRA's `errorMessages`, else the start of the body; escaped.
fn said(body: &[u8]) -> String {
    let text = match serde_json::from_slice::<RawErrors>(body) {
        Ok(errors) if !errors.error_messages.is_empty() => errors.error_messages.join(" "),
        _ => String::from_utf8_lossy(body).trim().to_string(),
    };
    escape_short(text.as_bytes(), 200)
}

/// A search answer, its keys checked to be the project's issues and at most `shown` kept.
fn parse_search(body: &[u8], project: &str, shown: usize) -> Result<Unresolved> {
    let raw: RawSearch = serde_json::from_slice(body).context("not a JIRA search answer")?;
    let mut first = Vec::new();
    for issue in raw.issues.into_iter().take(shown) {
        let number = issue
            .key
            .strip_prefix(project)
            .and_then(|rest| rest.strip_prefix('-'));
        if !number.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) {
            bail!(
                "the answer names an issue `{}` that is not one of project {project}",
                escape_short(issue.key.as_bytes(), 40)
            );
        }
        first.push(JiraIssue {
            key: issue.key,
            summary: issue.fields.summary,
        });
    }
    if (first.len() as u64) > raw.total {
        bail!(
            "the answer counts {} issues but lists {}",
            raw.total,
            first.len()
        );
    }
    Ok(Unresolved {
        total: raw.total,
        first,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEARCH: &str = r#"{"expand":"schema,names","startAt":0,"maxResults":2,"total":7,
        "issues":[{"expand":"operations","id":"1","self":"https://x/rest/api/2/issue/1",
        "key":"LANG-1700","fields":{"summary":"Fix \u001b[31mred"}},
        {"id":"2","key":"LANG-1701","fields":{"summary":"Second"}},
        {"id":"3","key":"LANG-1702","fields":{"summary":"Third"}}]}"#;

    #[test]
    fn a_search_answer_is_counted_and_its_keys_checked() {
        let found = parse_search(SEARCH.as_bytes(), "LANG", 2).unwrap();
        assert_eq!(found.total, 7);
        assert_eq!(found.first.len(), 2);
        assert_eq!(found.first[0].key, "LANG-1700");
        assert_eq!(found.first[0].summary, "Fix \u{1b}[31mred");
        for bad in [
            r#"{"total":1,"issues":[{"key":"OTHER-1","fields":{"summary":"x"}}]}"#,
            r#"{"total":1,"issues":[{"key":"LANG-1a","fields":{"summary":"x"}}]}"#,
            r#"{"total":1,"issues":[{"key":"LANG-","fields":{"summary":"x"}}]}"#,
            r#"{"total":0,"issues":[{"key":"LANG-1","fields":{"summary":"x"}}]}"#,
            r#"{"total":1,"issues":[{"key":"LANG-1","fields":{}}]}"#,
            r#"{"total":-1,"issues":[]}"#,
            r#"{"issues":[]}"#,
            r#"[]"#,
        ] {
            assert!(parse_search(bad.as_bytes(), "LANG", 5).is_err(), "{bad}");
        }
    }

    #[test]
    fn versions_need_their_fields_and_errors_are_shown_escaped() {
        let listed: Vec<JiraVersion> = serde_json::from_str(
            r#"[{"self":"https://x/rest/api/2/version/1","id":"1","name":"3.20.0",
                "archived":false,"released":true,"releaseDate":"2025-11-05","projectId":1},
               {"id":"2","name":"3.21.0","archived":false,"released":false}]"#,
        )
        .unwrap();
        assert_eq!(listed[0].release_date.as_deref(), Some("2025-11-05"));
        assert!(!listed[1].released && listed[1].release_date.is_none());
        assert!(serde_json::from_str::<Vec<JiraVersion>>(r#"[{"name":"1.0"}]"#).is_err());
        assert_eq!(
            said(br#"{"errorMessages":["No project could be found with key 'X'."],"errors":{}}"#),
            "No project could be found with key 'X'."
        );
        assert_eq!(said(b"<html>\x1b[2J</html>"), "<html>\\x1b[2J</html>");
    }

    #[test]
    fn the_jql_quotes_the_version_and_the_address_is_encoded() {
        let sh = Shell::new().unwrap();
        let client = JiraClient::new(&sh, "LANG", "https://issues.apache.org/jira/");
        assert_eq!(
            client.unresolved_jql("1.0 \"x\\"),
            "project = LANG AND fixVersion = \"1.0 \\\"x\\\\\" AND resolution = Unresolved"
        );
        assert_eq!(
            client.unresolved_page("3.20.0"),
            "https://issues.apache.org/jira/issues/?jql=project%20%3D%20LANG%20AND%20fixVersion\
             %20%3D%20%223.20.0%22%20AND%20resolution%20%3D%20Unresolved"
        );
    }
}
