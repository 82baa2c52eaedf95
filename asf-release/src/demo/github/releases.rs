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

//! The stand-in's releases and tags, as GitHub's REST API description (2022-11-28) has them:
//! `{tag}` is a multi-segment path (an encoded `/` names no tag), `releases/tags/{tag}` shows
//! published releases only, drafts are listed only to a token that may push, a release of a
//! tag GitHub lacks makes the tag from `target_commitish` or the default branch (recorded, so
//! a test can see it happen), and `make_latest` is the string `"true"` (the default),
//! `"false"` or `"legacy"`. Tags are those of the repository GitHub mirrors (`serve_git`).

use camino::Utf8Path;
use serde_json::{json, Value};

use super::serve::{not_found, query, Answer, Incoming, Server, DOCS};
use super::State;
use crate::tools::git;

/// The branch GitHub makes a missing tag from when no `target_commitish` is given.
const DEFAULT_BRANCH: &str = "master";

pub fn route(server: &Server, state: &mut State, request: &Incoming, segments: &[&str]) -> Answer {
    let body = &request.body;
    match (request.method.as_str(), segments) {
        ("GET", ["releases"]) => {
            let may_push = request.header("authorization").is_some() && state.rights.push;
            let listed: Vec<Value> = state
                .releases
                .iter()
                .filter(|r| may_push || r["draft"] != true)
                .cloned()
                .collect();
            server.page(request, &query(&request.target), listed)
        }
        ("GET", ["releases", "latest"]) => {
            let latest = state.latest;
            match state.releases.iter().find(|r| Some(id_of(r)) == latest) {
                Some(release) => (200, Vec::new(), release.to_string()),
                None => not_found(),
            }
        }
        ("GET", ["releases", "tags", rest @ ..]) => {
            let Some(tag) = tag_of(rest) else {
                return not_found();
            };
            let published = state
                .releases
                .iter()
                .find(|r| r["tag_name"] == tag.as_str() && r["draft"] != true);
            match published {
                Some(release) => (200, Vec::new(), release.to_string()),
                None => not_found(),
            }
        }
        ("POST", ["releases"]) => create(server, state, body),
        ("PATCH", ["releases", id]) => update(state, id.parse().unwrap_or(0), body),
        ("GET", ["git", "ref", "tags", rest @ ..]) => {
            let Some(tag) = tag_of(rest) else {
                return not_found();
            };
            match tag_object(state, &tag) {
                Some((sha, kind)) => {
                    let answer = json!({
                        "ref": format!("refs/tags/{tag}"), "node_id": "REF_stand-in",
                        "url": format!("{}/repos/{}/git/refs/tags/{tag}", server.base, server.repo),
                        "object": {"sha": sha, "type": kind, "url": ""},
                    });
                    (200, Vec::new(), answer.to_string())
                }
                None => not_found(),
            }
        }
        _ => not_found(),
    }
}

/// The tag a multi-segment path names; `None` for an empty segment or an encoded `/`.
fn tag_of(segments: &[&str]) -> Option<String> {
    let mut decoded = Vec::new();
    for segment in segments {
        if segment.is_empty() || segment.to_ascii_lowercase().contains("%2f") {
            return None;
        }
        decoded.push(decode_segment(segment)?);
    }
    (!decoded.is_empty()).then(|| decoded.join("/"))
}

/// Percent-decoding of a path segment (`+` is itself there).
fn decode_segment(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'%' {
            let hex = segment.get(at + 1..at + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn id_of(release: &Value) -> u64 {
    release["id"].as_u64().unwrap_or(0)
}

/// What GitHub's tag points at: the tag object (annotated) or the commit; tags GitHub made
/// itself for a release come first.
fn tag_object(state: &State, tag: &str) -> Option<(String, &'static str)> {
    if let Some((_, _, commit)) = state.tags_created.iter().find(|(t, _, _)| t == tag) {
        return Some((commit.clone(), "commit"));
    }
    let found = git_ref(state.git.as_deref()?, &format!("refs/tags/{tag}"))?;
    let kind = if found.object == found.commit {
        "commit"
    } else {
        "tag"
    };
    Some((found.object, kind))
}

fn git_ref(repo: &Utf8Path, full_ref: &str) -> Option<git::RemoteRef> {
    let sh = xshell::Shell::new().ok()?;
    git::remote_ref(&sh, repo, repo.as_str(), full_ref)
        .ok()
        .flatten()
}

fn invalid(field: &str, code: &str) -> Answer {
    let answer = json!({
        "message": "Validation Failed",
        "errors": [{"resource": "Release", "code": code, "field": field}],
        "documentation_url": DOCS, "status": "422",
    });
    (422, Vec::new(), answer.to_string())
}

/// `make_latest` as the description types it: absent, or one of three strings.
fn check_make_latest(body: &Value) -> Result<Option<&str>, Answer> {
    match &body["make_latest"] {
        Value::Null => Ok(None),
        Value::String(text) if ["true", "false", "legacy"].contains(&text.as_str()) => {
            Ok(Some(text.as_str()))
        }
        _ => Err(invalid("make_latest", "invalid")),
    }
}

/// A release published with a tag GitHub lacks: GitHub makes the tag from `target_commitish`
/// or the default branch.
fn make_missing_tag(state: &mut State, tag: &str, target: Option<&str>) {
    if tag_object(state, tag).is_some() {
        return;
    }
    let from = target.unwrap_or(DEFAULT_BRANCH).to_string();
    let commit = state
        .git
        .as_deref()
        .and_then(|repo| git_ref(repo, &format!("refs/heads/{from}")))
        .map(|found| found.commit)
        .unwrap_or_else(|| from.clone());
    state.tags_created.push((tag.to_string(), from, commit));
}

/// Marks the latest release after a write, as `make_latest` says.
fn set_latest(state: &mut State, id: u64, published: bool, make_latest: Option<&str>) {
    match make_latest {
        Some("false") if state.latest == Some(id) => state.latest = None,
        Some("false") => {}
        _ if published => state.latest = Some(id),
        _ => {}
    }
}

/// `POST /releases`: 422 `already_exists` when the tag has a published release, as GitHub.
fn create(server: &Server, state: &mut State, body: &Value) -> Answer {
    let Some(tag) = body["tag_name"].as_str().filter(|t| !t.is_empty()) else {
        return invalid("tag_name", "missing_field");
    };
    let make_latest = match check_make_latest(body) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let published_exists = state
        .releases
        .iter()
        .any(|r| r["tag_name"] == tag && r["draft"] != true);
    if published_exists {
        return invalid("tag_name", "already_exists");
    }
    let draft = body["draft"].as_bool().unwrap_or(false);
    let prerelease = body["prerelease"].as_bool().unwrap_or(false);
    let target = body["target_commitish"].as_str();
    if !draft {
        make_missing_tag(state, tag, target);
    }
    let id = state.releases.iter().map(id_of).max().unwrap_or(0) + 1;
    let release = json!({
        "id": id, "tag_name": tag, "name": body["name"], "body": body["body"],
        "draft": draft, "prerelease": prerelease,
        "target_commitish": target.unwrap_or(DEFAULT_BRANCH), "assets": [],
        "url": format!("{}/repos/{}/releases/{id}", server.base, server.repo),
        "html_url": format!("https://github.com/{}/releases/tag/{tag}", server.repo),
        "created_at": "2026-01-01T00:00:00Z",
        "published_at": if draft { Value::Null } else { json!("2026-01-01T00:00:00Z") },
    });
    state.releases.push(release.clone());
    set_latest(state, id, !draft && !prerelease, make_latest);
    (201, Vec::new(), release.to_string())
}

/// `PATCH /releases/{id}`: the fields given change; publishing a draft makes a missing tag.
fn update(state: &mut State, id: u64, body: &Value) -> Answer {
    let make_latest = match check_make_latest(body) {
        Ok(value) => value,
        Err(answer) => return answer,
    };
    let Some(at) = state.releases.iter().position(|r| id_of(r) == id) else {
        return not_found();
    };
    let was_draft = state.releases[at]["draft"] == true;
    for field in [
        "name",
        "body",
        "tag_name",
        "draft",
        "prerelease",
        "target_commitish",
    ] {
        if !body[field].is_null() {
            state.releases[at][field] = body[field].clone();
        }
    }
    let release = state.releases[at].clone();
    let published = release["draft"] != true && release["prerelease"] != true;
    if was_draft && release["draft"] != true {
        let tag = release["tag_name"].as_str().unwrap_or_default().to_string();
        make_missing_tag(state, &tag, release["target_commitish"].as_str());
        state.releases[at]["published_at"] = json!("2026-01-01T00:00:00Z");
        // A draft just published is the latest unless told otherwise.
        set_latest(state, id, published, make_latest.or(Some("true")));
    } else if make_latest.is_some() {
        set_latest(state, id, published, make_latest);
    }
    (200, Vec::new(), state.releases[at].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_path_keeps_its_segments_and_an_encoded_slash_names_nothing() {
        assert_eq!(
            tag_of(&["rel", "commons-lang-3.14.0"]).as_deref(),
            Some("rel/commons-lang-3.14.0")
        );
        assert_eq!(tag_of(&["1.0.0%2Bbuild"]).as_deref(), Some("1.0.0+build"));
        assert_eq!(tag_of(&["rel%2Fcommons-lang-3.14.0"]), None);
        assert_eq!(tag_of(&["rel", ""]), None);
    }
}
