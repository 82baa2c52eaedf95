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

//! The stand-in's HTTP side: one request read, checked as GitHub checks it, answered.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{json, Value};

use super::{RateLimit, Seen, State, REPO_ID};
use crate::demo::faults::HttpFault;
use crate::demo::loopback::lock;

pub(super) const DOCS: &str = "https://docs.github.com/rest";

pub struct Server {
    pub state: Arc<Mutex<State>>,
    pub base: String,
    pub repo: String,
    pub page_cap: usize,
    pub started: u64,
}

/// An answer: status, extra headers, body.
pub type Answer = (u16, Vec<(String, String)>, String);

pub(super) struct Incoming {
    pub(super) method: String,
    pub(super) target: String,
    headers: Vec<(String, String)>,
    pub(super) body: Value,
}

impl Incoming {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn is_write(&self) -> bool {
        self.method != "GET"
    }
}

pub fn message(status: u16, text: &str) -> Answer {
    let body = json!({"message": text, "documentation_url": DOCS, "status": status.to_string()});
    (status, Vec::new(), body.to_string())
}

pub(super) fn not_found() -> Answer {
    message(404, "Not Found")
}

fn read_request(stream: &TcpStream) -> std::io::Result<Incoming> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length.min(1024 * 1024)];
    reader.read_exact(&mut body)?;
    Ok(Incoming {
        method,
        target,
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    })
}

fn respond(mut stream: TcpStream, answer: &Answer) -> std::io::Result<()> {
    let (status, headers, body) = answer;
    let mut head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body.as_bytes())?;
    stream.flush()
}

pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(&text[i + 1..i + 3], 16) {
                    Ok(byte) => out.push(byte),
                    Err(_) => out.extend_from_slice(&bytes[i..i + 3]),
                }
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A label's name: the description allows `{"name": ...}` or a plain string.
pub fn label_name(label: &Value) -> Option<&str> {
    label["name"].as_str().or_else(|| label.as_str())
}

pub(super) fn query(target: &str) -> Vec<(String, String)> {
    let Some((_, query)) = target.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v)))
        .collect()
}

pub fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

impl Server {
    pub fn serve(&self, stream: TcpStream) -> std::io::Result<()> {
        let request = read_request(&stream)?;
        let mut state = lock(&self.state);
        let what = format!("github {} {}", request.method, request.target);
        let fault = state.faults.as_ref().and_then(|f| f.count(&what));
        let mut answer = match fault {
            Some(HttpFault::Refuse) => message(503, "Service Unavailable"),
            _ => self.answer(&mut state, &request),
        };
        // GitHub sends the primary limit's state on every answer.
        let authenticated = request.header("authorization").is_some();
        let limit: u64 = if authenticated { 5000 } else { 60 };
        let used = state.seen.len() as u64 + 1;
        let limited = answer.1.iter().any(|(k, _)| k == "x-ratelimit-remaining");
        if !limited {
            for (name, value) in [
                ("x-ratelimit-limit", limit.to_string()),
                (
                    "x-ratelimit-remaining",
                    limit.saturating_sub(used).to_string(),
                ),
                ("x-ratelimit-reset", (self.started + 3600).to_string()),
                ("x-ratelimit-used", used.min(limit).to_string()),
                ("x-ratelimit-resource", "core".to_string()),
            ] {
                answer.1.push((name.to_string(), value));
            }
        }
        state.seen.push(Seen {
            method: request.method.clone(),
            target: request.target.clone(),
            authorization: request.header("authorization").map(str::to_string),
            at: Instant::now(),
            status: answer.0,
        });
        drop(state);
        if fault == Some(HttpFault::Cut) {
            // GitHub acted; the answer is lost.
            return Ok(());
        }
        respond(stream, &answer)
    }

    fn answer(&self, state: &mut State, request: &Incoming) -> Answer {
        if let Some(forced) = state.fail.clone() {
            return forced;
        }
        if let Some(forced) = state.fail_writes.clone().filter(|_| request.is_write()) {
            return forced;
        }
        // What GitHub refuses before looking at the path.
        if request.header("user-agent").is_none_or(str::is_empty) {
            return message(
                403,
                "Request forbidden by administrative rules. Please make sure your request has a User-Agent header",
            );
        }
        let accept = request.header("accept").unwrap_or_default();
        if !accept.contains("application/vnd.github+json") {
            return message(
                415,
                "Unsupported 'Accept' header: expected application/vnd.github+json",
            );
        }
        if request.header("x-github-api-version") != Some("2022-11-28") {
            return message(
                400,
                "API version missing or not supported: send X-GitHub-Api-Version: 2022-11-28",
            );
        }
        if let Some((count, limit)) = state.limited {
            state.limited = (count > 1).then_some((count - 1, limit));
            return self.rate_limited(limit);
        }
        if request.is_write() {
            if request.header("authorization").is_none() {
                return message(401, "Requires authentication");
            }
            if let Some(limit) = state.write_limit {
                let since = Instant::now() - limit.window;
                let recent = state
                    .seen
                    .iter()
                    .filter(|s| s.method != "GET" && s.status < 300 && s.at >= since)
                    .count();
                if recent >= limit.max {
                    return self.rate_limited(RateLimit::Secondary {
                        retry_after: Some(60),
                    });
                }
            }
        }
        let path = request.target.split('?').next().unwrap_or_default();
        if let Some(old) = &state.old_name {
            let old_prefix = format!("/repos/{old}");
            if let Some(rest) = path.strip_prefix(&old_prefix) {
                if rest.is_empty() || rest.starts_with('/') {
                    return self.moved(request, rest);
                }
            }
        }
        let ours = format!("/repos/{}", self.repo);
        let by_id = format!("/repositories/{REPO_ID}");
        let Some(rest) = path
            .strip_prefix(&ours)
            .or_else(|| path.strip_prefix(&by_id))
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
        else {
            return not_found();
        };
        self.route(state, request, rest)
    }

    fn rate_limited(&self, limit: RateLimit) -> Answer {
        let reset = crate::clock::system_now() + 3600;
        let mut headers = vec![
            ("x-ratelimit-limit".to_string(), "5000".to_string()),
            ("x-ratelimit-resource".to_string(), "core".to_string()),
        ];
        let (status, text) = match limit {
            RateLimit::Primary { reset_in } => {
                headers.push(("x-ratelimit-remaining".into(), "0".into()));
                headers.push((
                    "x-ratelimit-reset".into(),
                    (crate::clock::system_now() + reset_in).to_string(),
                ));
                (403, "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID 0000:0000.")
            }
            RateLimit::Secondary { retry_after } => {
                headers.push(("x-ratelimit-remaining".into(), "4000".into()));
                headers.push(("x-ratelimit-reset".into(), reset.to_string()));
                if let Some(seconds) = retry_after {
                    headers.push(("retry-after".into(), seconds.to_string()));
                }
                (403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000.")
            }
            RateLimit::TooMany { retry_after } => {
                headers.push(("x-ratelimit-remaining".into(), "4000".into()));
                headers.push(("x-ratelimit-reset".into(), reset.to_string()));
                headers.push(("retry-after".into(), retry_after.to_string()));
                (429, "Too Many Requests")
            }
        };
        let (status, _, body) = message(status, text);
        (status, headers, body)
    }

    /// A request to the old name of a renamed repository: 301 for reads, 307 for writes.
    fn moved(&self, request: &Incoming, rest: &str) -> Answer {
        let query = request
            .target
            .split_once('?')
            .map(|(_, q)| format!("?{q}"))
            .unwrap_or_default();
        let location = format!("{}/repositories/{REPO_ID}{rest}{query}", self.base);
        let (status, text) = match request.method.as_str() {
            "GET" => (301, "Moved Permanently"),
            _ => (307, "Temporary Redirect"),
        };
        let body = json!({"message": text, "url": location, "documentation_url": DOCS});
        (
            status,
            vec![("Location".to_string(), location)],
            body.to_string(),
        )
    }

    fn route(&self, state: &mut State, request: &Incoming, rest: &str) -> Answer {
        let params = query(&request.target);
        let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
        let number = |text: &str| -> u64 { text.parse().unwrap_or(0) };
        let body = &request.body;
        match (request.method.as_str(), segments.as_slice()) {
            ("GET", [""]) => {
                let (owner, name) = self.repo.split_once('/').unwrap_or_default();
                let mut repo = json!({
                    "id": REPO_ID, "name": name, "full_name": self.repo, "private": false,
                    "owner": {"login": owner}, "html_url": format!("https://github.com/{}", self.repo),
                });
                if request.header("authorization").is_some() {
                    let rights = state.rights;
                    repo["permissions"] = json!({
                        "admin": false, "maintain": false, "push": rights.push,
                        "triage": rights.triage || rights.push, "pull": true,
                    });
                }
                (200, Vec::new(), repo.to_string())
            }
            ("GET", ["milestones"]) => self.page(request, &params, state.milestones.clone()),
            ("POST", ["milestones"]) => {
                if state.milestones.iter().any(|m| m["title"] == body["title"]) {
                    let answer = json!({
                        "message": "Validation Failed",
                        "errors": [{"resource": "Milestone", "code": "already_exists", "field": "title"}],
                        "documentation_url": DOCS, "status": "422",
                    });
                    return (422, Vec::new(), answer.to_string());
                }
                let number = state.milestones.len() as u64 + 1;
                let milestone = json!({
                    "number": number, "title": body["title"], "state": "open",
                    "open_issues": 0, "closed_issues": 0,
                    "html_url": format!("https://github.com/{}/milestone/{number}", self.repo),
                });
                state.milestones.push(milestone.clone());
                (201, Vec::new(), milestone.to_string())
            }
            ("GET", ["issues"]) => {
                let items = issues(state, &params);
                self.page(request, &params, items)
            }
            ("GET", ["pulls"]) => {
                let items = super::pulls::list(state, &params);
                self.page(request, &params, items)
            }
            ("POST", ["pulls"]) => super::pulls::create(state, &self.repo, body),
            ("GET", ["branches", branch @ .., "protection"]) => {
                super::pulls::protection(state, &decode(&branch.join("/")))
            }
            ("GET", ["pulls", n]) => match state.pulls.iter().find(|p| p["number"] == number(n)) {
                Some(pull) => (
                    200,
                    Vec::new(),
                    super::pulls::with_labels(state, pull).to_string(),
                ),
                None => not_found(),
            },
            ("GET", ["pulls", n, "commits"]) => {
                match state.pull_commits.iter().find(|(p, _)| *p == number(n)) {
                    Some((_, commits)) => self.page(request, &params, commits.clone()),
                    None => not_found(),
                }
            }
            ("POST", ["issues", n, "labels"]) => {
                let automation = state.automation.clone();
                match state.issues.iter_mut().find(|i| i["number"] == number(n)) {
                    Some(issue) => {
                        let mut labels = issue["labels"].as_array().cloned().unwrap_or_default();
                        for label in body["labels"].as_array().cloned().unwrap_or_default() {
                            if !labels.iter().any(|l| label_name(l) == label.as_str()) {
                                labels.push(json!({"name": label}));
                            }
                            if let Some((added, removed)) = &automation {
                                if label == added.as_str() {
                                    labels.retain(|l| label_name(l) != Some(removed.as_str()));
                                }
                            }
                        }
                        issue["labels"] = Value::Array(labels.clone());
                        (200, Vec::new(), Value::Array(labels).to_string())
                    }
                    None => not_found(),
                }
            }
            ("DELETE", ["issues", n, "labels", label]) => {
                let label = decode(label);
                match state.issues.iter_mut().find(|i| i["number"] == number(n)) {
                    Some(issue) => {
                        let mut labels = issue["labels"].as_array().cloned().unwrap_or_default();
                        let before = labels.len();
                        labels.retain(|l| label_name(l) != Some(label.as_str()));
                        if labels.len() == before {
                            message(404, "Label does not exist")
                        } else {
                            issue["labels"] = Value::Array(labels.clone());
                            (200, Vec::new(), Value::Array(labels).to_string())
                        }
                    }
                    None => not_found(),
                }
            }
            (_, ["releases", ..]) | ("GET", ["git", "ref", ..]) => {
                super::releases::route(self, state, request, &segments)
            }
            _ => not_found(),
        }
    }

    /// One page of a listing, `per_page` items (default 30, at most 100 and the cap), with
    /// GitHub's `Link` header naming the repository by id.
    pub(super) fn page(
        &self,
        request: &Incoming,
        params: &[(String, String)],
        items: Vec<Value>,
    ) -> Answer {
        let per_page = param(params, "per_page")
            .and_then(|p| p.parse::<usize>().ok())
            .unwrap_or(30)
            .clamp(1, 100)
            .min(self.page_cap);
        let page: usize = param(params, "page")
            .and_then(|p| p.parse().ok())
            .unwrap_or(1)
            .max(1);
        let pages = items.len().div_ceil(per_page).max(1);
        let chunk: Vec<Value> = items
            .into_iter()
            .skip((page - 1) * per_page)
            .take(per_page)
            .collect();
        let mut headers = Vec::new();
        if page < pages {
            let path = request.target.split('?').next().unwrap_or_default();
            let rest = path
                .strip_prefix(&format!("/repos/{}", self.repo))
                .unwrap_or_else(|| {
                    path.strip_prefix(&format!("/repositories/{REPO_ID}"))
                        .unwrap_or(path)
                });
            // The raw query as the client sent it, without its page.
            let kept: Vec<&str> = request
                .target
                .split_once('?')
                .map(|(_, q)| q.split('&').filter(|p| !p.starts_with("page=")).collect())
                .unwrap_or_default();
            let link = |number: usize| {
                format!(
                    "{}/repositories/{REPO_ID}{rest}?{}&page={number}",
                    self.base,
                    kept.join("&")
                )
            };
            headers.push((
                "Link".to_string(),
                format!(
                    "<{}>; rel=\"next\", <{}>; rel=\"last\"",
                    link(page + 1),
                    link(pages)
                ),
            ));
        }
        (200, headers, Value::Array(chunk).to_string())
    }
}

/// The issues listing with GitHub's filters: state, labels, milestone.
fn issues(state: &State, params: &[(String, String)]) -> Vec<Value> {
    let wanted_state = param(params, "state").unwrap_or("open");
    let labels: Vec<&str> = param(params, "labels")
        .map(|l| l.split(',').collect())
        .unwrap_or_default();
    let milestone = param(params, "milestone");
    let title_of = |wanted: &str| {
        state
            .milestones
            .iter()
            .find(|m| m["number"] == wanted.parse::<u64>().unwrap_or(0))
            .map(|m| m["title"].clone())
    };
    let has_label = |item: &Value, label: &str| {
        item["labels"]
            .as_array()
            .is_some_and(|all| all.iter().any(|x| label_name(x) == Some(label)))
    };
    state
        .issues
        .iter()
        .filter(|i| wanted_state == "all" || i["state"] == wanted_state)
        .filter(|i| labels.iter().all(|l| has_label(i, l)))
        .filter(|i| match milestone {
            None | Some("*") => true,
            Some("none") => i["milestone"].is_null(),
            Some(wanted) => {
                !i["milestone"].is_null()
                    && Some(i["milestone"]["title"].clone()) == title_of(wanted)
            }
        })
        .cloned()
        .collect()
}
