//! A GitHub stand-in on 127.0.0.1 for the sandbox and the tests: it answers the REST calls
//! `tools::github` makes (milestones, issues, pulls, labels) with JSON shaped like GitHub's
//! documented responses, pages listings with `Link` headers, and records what it was asked.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::{Context, Result};
use serde_json::{json, Value};

/// One request the stand-in received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub authorization: Option<String>,
}

/// A forced answer for every request: status, extra headers, body.
pub type Forced = (u16, Vec<(String, String)>, String);

/// What the stand-in knows.
#[derive(Default)]
pub struct State {
    pub milestones: Vec<Value>,
    /// Issues and PRs as the issues API lists them.
    pub issues: Vec<Value>,
    /// PRs as the pulls API gives them.
    pub pulls: Vec<Value>,
    pub seen: Vec<Seen>,
    pub fail: Option<Forced>,
}

pub struct GitHubStandIn {
    pub url: String,
    /// `owner/name` of the one repository it serves.
    pub repo: String,
    state: Arc<Mutex<State>>,
}

impl GitHubStandIn {
    /// Starts serving `repo` on a free port of 127.0.0.1, `page` items per listing page.
    pub fn start(repo: &str, page: usize) -> Result<GitHubStandIn> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .context("cannot listen on 127.0.0.1 for the GitHub stand-in")?;
        let url = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let base = url.clone();
        let prefix = format!("/repos/{repo}");
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = serve(stream, &shared, &base, &prefix, page.max(1));
            }
        });
        Ok(GitHubStandIn {
            url,
            repo: repo.to_string(),
            state,
        })
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub fn add_milestone(&self, number: u64, title: &str) {
        let html_url = format!("https://github.com/{}/milestone/{number}", self.repo);
        self.state().milestones.push(json!({
            "number": number, "title": title, "state": "open",
            "open_issues": 0, "closed_issues": 0, "html_url": html_url,
        }));
    }

    pub fn add_issue(
        &self,
        number: u64,
        title: &str,
        state: &str,
        milestone: Option<&str>,
        created_at: &str,
    ) {
        self.state().issues.push(json!({
            "number": number, "title": title, "state": state,
            "labels": [], "milestone": milestone.map(|m| json!({"title": m, "number": 1})),
            "created_at": created_at,
        }));
    }

    /// A PR merged into `base` with its merge (or squash) commit.
    pub fn add_merged_pull(
        &self,
        number: u64,
        title: &str,
        commit: &str,
        merged_at: &str,
        labels: &[&str],
        base: &str,
    ) {
        let labels: Vec<Value> = labels.iter().map(|l| json!({"name": l})).collect();
        let mut state = self.state();
        state.issues.push(json!({
            "number": number, "title": title, "state": "closed", "labels": labels,
            "milestone": null, "created_at": "2024-01-01T00:00:00Z",
            "pull_request": {"merged_at": merged_at},
        }));
        state.pulls.push(json!({
            "number": number, "title": title, "merged_at": merged_at,
            "merge_commit_sha": commit, "base": {"ref": base}, "milestone": null,
        }));
    }

    /// Puts an issue or PR into a milestone.
    pub fn set_milestone(&self, number: u64, title: &str) {
        let mut guard = self.state();
        let state = &mut *guard;
        let milestone = json!({"title": title, "number": 1});
        for item in state.issues.iter_mut().chain(state.pulls.iter_mut()) {
            if item["number"] == number {
                item["milestone"] = milestone.clone();
            }
        }
    }

    /// The labels of an issue or PR now.
    pub fn labels(&self, number: u64) -> Vec<String> {
        let state = self.state();
        state
            .issues
            .iter()
            .filter(|i| i["number"] == number)
            .flat_map(|i| i["labels"].as_array().cloned().unwrap_or_default())
            .filter_map(|l| l["name"].as_str().map(String::from))
            .collect()
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state().seen.clone()
    }

    /// Every later request gets this answer (errors, rate limits ...).
    pub fn fail_with(&self, status: u16, headers: &[(&str, &str)], body: &str) {
        let headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.state().fail = Some((status, headers, body.to_string()));
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // A panic while serving one request must not stop the others.
    state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn decode(text: &str) -> String {
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

fn query(target: &str) -> Vec<(String, String)> {
    let Some((_, query)) = target.split_once('?') else {
        return Vec::new();
    };
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), decode(v)))
        .collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn respond(
    mut stream: TcpStream,
    status: u16,
    headers: &[(String, String)],
    body: &str,
) -> std::io::Result<()> {
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

fn not_found() -> (u16, std::result::Result<Vec<Value>, Value>) {
    (404, Err(json!({"message": "Not Found"})))
}

fn serve(
    stream: TcpStream,
    shared: &Mutex<State>,
    base: &str,
    prefix: &str,
    page_size: usize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default().to_string();
    let mut length = 0;
    let mut authorization = None;
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
        match name.to_ascii_lowercase().as_str() {
            "content-length" => length = value.trim().parse().unwrap_or(0),
            "authorization" => authorization = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let mut body = vec![0; length.min(1024 * 1024)];
    reader.read_exact(&mut body)?;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut state = lock(shared);
    state.seen.push(Seen {
        method: method.clone(),
        target: target.clone(),
        authorization,
    });
    if let Some((status, headers, body)) = state.fail.clone() {
        drop(state);
        return respond(stream, status, &headers, &body);
    }
    let path = target.split('?').next().unwrap_or_default();
    let Some(path) = path.strip_prefix(prefix) else {
        drop(state);
        return respond(stream, 404, &[], r#"{"message":"Not Found"}"#);
    };
    let params = query(&target);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let number = |text: &str| -> u64 { text.parse().unwrap_or(0) };
    let (status, items_or_value) = match (method.as_str(), segments.as_slice()) {
        ("GET", ["milestones"]) => (200, Ok(state.milestones.clone())),
        ("POST", ["milestones"]) => {
            let number = state.milestones.len() as u64 + 1;
            let milestone = json!({
                "number": number, "title": body["title"], "state": "open",
                "open_issues": 0, "closed_issues": 0,
                "html_url": format!("https://github.com{prefix}/milestone/{number}").replace("/repos/", "/"),
            });
            state.milestones.push(milestone.clone());
            (201, Err(milestone))
        }
        ("GET", ["issues"]) => {
            let wanted_state = param(&params, "state").unwrap_or("open");
            let labels: Vec<&str> = param(&params, "labels")
                .map(|l| l.split(',').collect())
                .unwrap_or_default();
            let milestone = param(&params, "milestone");
            let title_of = |wanted: &str| {
                state
                    .milestones
                    .iter()
                    .find(|m| m["number"] == number(wanted))
                    .map(|m| m["title"].clone())
            };
            let has_label = |item: &Value, label: &str| {
                item["labels"]
                    .as_array()
                    .is_some_and(|all| all.iter().any(|x| x["name"] == *label))
            };
            let items = state
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
                .collect();
            (200, Ok(items))
        }
        ("GET", ["pulls", n]) => match state.pulls.iter().find(|p| p["number"] == number(n)) {
            Some(pull) => (200, Err(pull.clone())),
            None => not_found(),
        },
        ("POST", ["issues", n, "labels"]) => {
            match state.issues.iter_mut().find(|i| i["number"] == number(n)) {
                Some(issue) => {
                    let mut labels = issue["labels"].as_array().cloned().unwrap_or_default();
                    for label in body["labels"].as_array().cloned().unwrap_or_default() {
                        if !labels.iter().any(|l| l["name"] == label) {
                            labels.push(json!({"name": label}));
                        }
                    }
                    issue["labels"] = Value::Array(labels.clone());
                    (200, Err(Value::Array(labels)))
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
                    labels.retain(|l| l["name"] != label.as_str());
                    if labels.len() == before {
                        (404, Err(json!({"message": "Label does not exist"})))
                    } else {
                        issue["labels"] = Value::Array(labels.clone());
                        (200, Err(Value::Array(labels)))
                    }
                }
                None => not_found(),
            }
        }
        _ => not_found(),
    };
    drop(state);
    match items_or_value {
        Err(value) => respond(stream, status, &[], &value.to_string()),
        Ok(items) => {
            let page: usize = param(&params, "page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1)
                .max(1);
            let pages = items.len().div_ceil(page_size).max(1);
            let chunk: Vec<Value> = items
                .iter()
                .skip((page - 1) * page_size)
                .take(page_size)
                .cloned()
                .collect();
            let mut headers = Vec::new();
            if page < pages {
                // The raw query as the client sent it, without its page.
                let kept: Vec<&str> = target
                    .split_once('?')
                    .map(|(_, q)| q.split('&').filter(|p| !p.starts_with("page=")).collect())
                    .unwrap_or_default();
                let link = |number: usize| {
                    format!(
                        "{base}{}?{}&page={number}",
                        target.split('?').next().unwrap_or_default(),
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
            respond(stream, status, &headers, &Value::Array(chunk).to_string())
        }
    }
}
