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

//! A stand-in for the ASF's JIRA on 127.0.0.1, as strict as the client needs: exactly the two
//! anonymous reads `tools::jira` makes, with JIRA's (Server, REST v2) shapes.
//! `GET /rest/api/2/project/{KEY}/versions` lists a project's versions, or answers 404 `No
//! project could be found with key 'X'.`; `GET /rest/api/2/search?jql=...&maxResults=N&
//! fields=summary` with the JQL `project = KEY AND fixVersion = "X" AND resolution =
//! Unresolved` counts and names the version's unresolved issues, or answers 400 `The value 'X'
//! does not exist for the field 'fixVersion'.`. Anything else (another method, path, JQL, a
//! missing or extra query parameter) is refused with an `errorMessages` answer naming it and
//! remembered in [`JiraStandIn::refused`], so a test sees it.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Result;
use serde_json::{json, Value};

use super::loopback::{lock, Loopback};

/// One version of a project.
#[derive(Debug, Clone)]
pub struct StandInVersion {
    pub name: String,
    pub released: bool,
    pub release_date: Option<String>,
}

/// One issue of a project.
#[derive(Debug, Clone)]
pub struct StandInIssue {
    pub key: String,
    pub summary: String,
    pub fix_versions: Vec<String>,
    pub resolved: bool,
}

#[derive(Debug, Clone, Default)]
pub struct StandInProject {
    pub key: String,
    pub versions: Vec<StandInVersion>,
    pub issues: Vec<StandInIssue>,
}

#[derive(Default)]
pub struct Tracker {
    pub projects: Vec<StandInProject>,
    /// Requests answered: `GET /rest/api/2/...`.
    pub seen: Vec<String>,
    /// Requests refused as not JIRA's reads the client makes, with why.
    pub refused: Vec<String>,
}

pub struct JiraStandIn {
    /// `http://127.0.0.1:<port>/jira`: JIRA under a context path, as the ASF serves it.
    pub url: String,
    tracker: Arc<Mutex<Tracker>>,
}

/// JIRA's context path on issues.apache.org.
const CONTEXT: &str = "/jira";

impl JiraStandIn {
    pub fn start() -> Result<JiraStandIn> {
        let loopback = Loopback::bind("the JIRA stand-in")?;
        let url = format!("{}{CONTEXT}", loopback.url);
        let tracker = Arc::new(Mutex::new(Tracker::default()));
        let shared = tracker.clone();
        loopback.serve(move |stream| {
            let _ = serve(&shared, stream);
        });
        Ok(JiraStandIn { url, tracker })
    }

    pub fn tracker(&self) -> MutexGuard<'_, Tracker> {
        lock(&self.tracker)
    }

    /// Adds the version `name` to `project` (made when new).
    pub fn add_version(&self, project: &str, name: &str, released: bool) {
        let mut tracker = self.tracker();
        let project = project_mut(&mut tracker, project);
        project.versions.push(StandInVersion {
            name: name.to_string(),
            released,
            release_date: released.then(|| "2024-05-06".to_string()),
        });
    }

    /// Files an issue in `project` with `fix_version`; returns its key (`LANG-1`).
    pub fn add_issue(
        &self,
        project: &str,
        summary: &str,
        fix_version: &str,
        resolved: bool,
    ) -> String {
        let mut tracker = self.tracker();
        let project = project_mut(&mut tracker, project);
        let key = format!("{}-{}", project.key, project.issues.len() + 1);
        project.issues.push(StandInIssue {
            key: key.clone(),
            summary: summary.to_string(),
            fix_versions: vec![fix_version.to_string()],
            resolved,
        });
        key
    }

    pub fn refused(&self) -> Vec<String> {
        self.tracker().refused.clone()
    }
}

fn project_mut<'a>(tracker: &'a mut Tracker, key: &str) -> &'a mut StandInProject {
    let at = match tracker.projects.iter().position(|p| p.key == key) {
        Some(at) => at,
        None => {
            tracker.projects.push(StandInProject {
                key: key.to_string(),
                ..StandInProject::default()
            });
            tracker.projects.len() - 1
        }
    };
    &mut tracker.projects[at]
}

fn errors(status: u16, message: &str) -> (u16, Value) {
    (status, json!({"errorMessages": [message], "errors": {}}))
}

fn serve(tracker: &Mutex<Tracker>, mut stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let mut tracker = lock(tracker);
    let request = format!("{method} {target}");
    let (status, body) = match answer(&tracker, method, target) {
        Ok(answer) => {
            tracker.seen.push(request);
            answer
        }
        Err(why) => {
            tracker.refused.push(format!("{request}: {why}"));
            errors(400, &format!("the JIRA stand-in refuses {request}: {why}"))
        }
    };
    drop(tracker);
    let body = body.to_string();
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json;charset=UTF-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

/// JIRA's answer, or why the request is not one the client should make.
fn answer(tracker: &Tracker, method: &str, target: &str) -> Result<(u16, Value), String> {
    if method != "GET" {
        return Err("only GET is read".into());
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let route = path
        .strip_prefix(CONTEXT)
        .and_then(|rest| rest.strip_prefix("/rest/api/2/"))
        .ok_or("not under /jira/rest/api/2/")?;
    if let Some(key) = route
        .strip_prefix("project/")
        .and_then(|rest| rest.strip_suffix("/versions"))
    {
        if !query.is_empty() {
            return Err("the list of versions takes no query".into());
        }
        return Ok(match tracker.projects.iter().find(|p| p.key == key) {
            Some(project) => (200, versions(project)),
            None => errors(404, &format!("No project could be found with key '{key}'.")),
        });
    }
    if route != "search" {
        return Err("no such route".into());
    }
    let mut params = Vec::new();
    for pair in query.split('&') {
        let (name, value) = pair
            .split_once('=')
            .ok_or("a query parameter without `=`")?;
        params.push((name, decode(value).ok_or("a bad %-escape")?));
    }
    let names: Vec<&str> = params.iter().map(|(name, _)| *name).collect();
    if names != ["jql", "maxResults", "fields"] {
        return Err(format!(
            "the search takes jql, maxResults and fields=summary, got {names:?}"
        ));
    }
    if params[2].1 != "summary" {
        return Err("the search asks for fields=summary only".into());
    }
    let max: usize = params[1]
        .1
        .parse()
        .map_err(|_| "maxResults is not a number")?;
    let jql = &params[0].1;
    let (key, version) = parse_jql(jql).ok_or_else(|| format!("unexpected JQL {jql:?}"))?;
    let Some(project) = tracker.projects.iter().find(|p| p.key == key) else {
        return Ok(errors(
            400,
            &format!("The value '{key}' does not exist for the field 'project'."),
        ));
    };
    if !project.versions.iter().any(|v| v.name == version) {
        return Ok(errors(
            400,
            &format!("The value '{version}' does not exist for the field 'fixVersion'."),
        ));
    }
    let open: Vec<&StandInIssue> = project
        .issues
        .iter()
        .filter(|i| !i.resolved && i.fix_versions.contains(&version))
        .collect();
    let issues: Vec<Value> = open
        .iter()
        .take(max)
        .enumerate()
        .map(|(id, issue)| {
            json!({
                "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
                "id": (10000 + id).to_string(),
                "self": format!("http://127.0.0.1{CONTEXT}/rest/api/2/issue/{}", 10000 + id),
                "key": issue.key,
                "fields": {"summary": issue.summary},
            })
        })
        .collect();
    Ok((
        200,
        json!({
            "expand": "schema,names",
            "startAt": 0,
            "maxResults": max,
            "total": open.len(),
            "issues": issues,
        }),
    ))
}

fn versions(project: &StandInProject) -> Value {
    let listed: Vec<Value> = project
        .versions
        .iter()
        .enumerate()
        .map(|(id, version)| {
            let mut entry = json!({
                "self": format!("http://127.0.0.1{CONTEXT}/rest/api/2/version/{}", 20000 + id),
                "id": (20000 + id).to_string(),
                "name": version.name,
                "archived": false,
                "released": version.released,
                "projectId": 10000,
            });
            if let Some(date) = &version.release_date {
                entry["releaseDate"] = json!(date);
                entry["userReleaseDate"] = json!("06/May/24");
            }
            entry
        })
        .collect();
    Value::Array(listed)
}

/// `project = KEY AND fixVersion = "X" AND resolution = Unresolved`: the key and the version.
fn parse_jql(jql: &str) -> Option<(String, String)> {
    let rest = jql.strip_prefix("project = ")?;
    let (key, rest) = rest.split_once(" AND fixVersion = \"")?;
    let (version, rest) = rest.split_once('"')?;
    (rest == " AND resolution = Unresolved" && !version.contains('\\'))
        .then(|| (key.to_string(), version.to_string()))
}

/// Percent-decoding of a query value; `None` for a bad escape or bytes that are not UTF-8.
fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'%' => {
                let hex = text.get(at + 1..at + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                at += 3;
            }
            b'+' => {
                out.push(b' ');
                at += 1;
            }
            byte => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_clients_two_reads_are_answered() {
        let mut tracker = Tracker::default();
        tracker.projects.push(StandInProject {
            key: "LANG".into(),
            versions: vec![StandInVersion {
                name: "3.20.0".into(),
                released: false,
                release_date: None,
            }],
            issues: Vec::new(),
        });
        let search = |jql: &str, rest: &str| {
            format!(
                "/jira/rest/api/2/search?jql={}{rest}",
                crate::tools::github::encode(jql)
            )
        };
        let good = "project = LANG AND fixVersion = \"3.20.0\" AND resolution = Unresolved";
        let ok = answer(
            &tracker,
            "GET",
            &search(good, "&maxResults=5&fields=summary"),
        )
        .unwrap();
        assert_eq!((ok.0, ok.1["total"].as_u64()), (200, Some(0)));
        let missing = good.replace("3.20.0", "9.9.9");
        let (status, body) = answer(
            &tracker,
            "GET",
            &search(&missing, "&maxResults=5&fields=summary"),
        )
        .unwrap();
        assert_eq!(status, 400);
        assert_eq!(
            body["errorMessages"][0],
            "The value '9.9.9' does not exist for the field 'fixVersion'."
        );
        let (status, body) =
            answer(&tracker, "GET", "/jira/rest/api/2/project/NOPE/versions").unwrap();
        assert_eq!(status, 404);
        assert_eq!(
            body["errorMessages"][0],
            "No project could be found with key 'NOPE'."
        );
        for (method, target) in [
            ("POST", "/jira/rest/api/2/project/LANG/versions".to_string()),
            (
                "GET",
                "/jira/rest/api/2/project/LANG/versions?expand=x".to_string(),
            ),
            ("GET", "/rest/api/2/project/LANG/versions".to_string()),
            ("GET", "/jira/rest/api/2/issue/LANG-1".to_string()),
            ("GET", search(good, "&maxResults=5")),
            (
                "GET",
                search(good, "&maxResults=5&fields=summary&startAt=0"),
            ),
            ("GET", search(good, "&maxResults=5&fields=*all")),
            (
                "GET",
                search("project = LANG", "&maxResults=5&fields=summary"),
            ),
            (
                "GET",
                "/jira/rest/api/2/search?jql=%zz&maxResults=5&fields=summary".to_string(),
            ),
        ] {
            assert!(
                answer(&tracker, method, &target).is_err(),
                "{method} {target}"
            );
        }
    }
}
