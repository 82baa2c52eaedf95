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

//! The routes of the stand-in, with ATR's preconditions and error answers.

use serde_json::{json, Map, Value};

use super::serve::{error, Answer, Incoming};
use super::{checks, Pending, Release, Revision, SentMail, State, CHECK_POLLS, JWTS_PER_HOUR};

#[derive(Clone, Copy)]
pub(super) enum Kind {
    Str,
    OptStr,
    Int,
    Bool,
    StrList,
}

/// A body as ATR's pydantic models take it: JSON object, no unknown field, no coercion.
pub(super) fn validate(
    body: &[u8],
    fields: &[(&str, Kind, bool)],
) -> Result<Map<String, Value>, Answer> {
    let invalid = |details: Vec<Value>| {
        let body = json!({"error": "Input validation failed", "validation_details": details});
        (400, body.to_string())
    };
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid(vec![
            json!({"type": "json_invalid", "loc": ["body"], "msg": "Invalid JSON"}),
        ]));
    };
    let mut details = Vec::new();
    for key in map.keys() {
        if !fields.iter().any(|(name, _, _)| name == key) {
            details.push(json!({"type": "extra_forbidden", "loc": ["body", key], "msg": "Extra inputs are not permitted", "input": map[key]}));
        }
    }
    for (name, kind, required) in fields {
        let Some(value) = map.get(*name) else {
            if *required {
                details.push(
                    json!({"type": "missing", "loc": ["body", name], "msg": "Field required"}),
                );
            }
            continue;
        };
        let ok = match kind {
            Kind::Str => value.is_string(),
            Kind::OptStr => value.is_string() || value.is_null(),
            Kind::Int => value.is_i64(),
            Kind::Bool => value.is_boolean(),
            Kind::StrList => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
        };
        if !ok {
            details.push(json!({"type": "type_error", "loc": ["body", name], "msg": "Input should be of the declared type", "input": value}));
        }
    }
    match details.is_empty() {
        true => Ok(map),
        false => Err(invalid(details)),
    }
}

pub(super) fn text<'a>(map: &'a Map<String, Value>, key: &str) -> &'a str {
    map.get(key).and_then(Value::as_str).unwrap_or_default()
}

pub(super) fn iso(epoch: i64) -> String {
    mail_parser::DateTime::from_timestamp(epoch).to_rfc3339()
}

pub(super) fn ok(status: u16, endpoint: &str, mut body: Value) -> Answer {
    body["endpoint"] = json!(endpoint);
    (status, body.to_string())
}

pub(super) fn release_json(release: &Release) -> Value {
    json!({
        "key": release.key(), "phase": release.phase, "created": iso(release.created),
        "released": release.released.map(iso), "project_key": release.project,
        "version": release.version, "cycle_key": format!("{}-default", release.project),
        "vote_mode": release.vote_started.map(|_| "email"), "current_vote_seq": null,
        "vote_started": release.vote_started.map(iso), "vote_resolved": null,
        "podling_thread_id": null,
        "latest_revision_number": release.latest().map(|r| r.number.clone()),
    })
}

pub(super) fn revision_json(release: &Release, revision: &Revision, uid: &str) -> Value {
    let key = release.key();
    json!({
        "key": format!("{key} {}", revision.number), "release_key": key,
        "seq": revision.number.parse::<u32>().unwrap_or(0), "number": revision.number,
        "asfuid": uid, "created": iso(release.created), "phase": revision.phase,
        "parent_key": null, "description": revision.description,
        "merge_base_revision_key": null, "tag": null, "was_quarantined": revision.was_quarantined,
    })
}

/// The user a bearer JWT names, or ATR's 401.
fn authorize(state: &State, request: &Incoming) -> Result<String, Answer> {
    let Some(jwt) = request
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
    else {
        return Err(error(401, "Authentication required"));
    };
    match state.jwts.iter().find(|(issued, _)| issued == jwt) {
        Some((_, expires)) if *expires > state.now() => Ok(state.uid.clone()),
        Some(_) => Err(error(401, "Token has expired")),
        None => Err(error(401, "Invalid token")),
    }
}

/// A release of our project, or 404.
pub(super) fn release_of<'a>(
    state: &'a mut State,
    project: &str,
    version: &str,
) -> Result<&'a mut Release, Answer> {
    state
        .releases
        .get_mut(&format!("{project}-{version}"))
        .ok_or_else(|| error(404, &format!("Release {project} {version} does not exist")))
}

pub fn answer(state: &mut State, request: &Incoming) -> Answer {
    let path = request.path.split('?').next().unwrap_or_default();
    let Some(route) = path.strip_prefix("/api") else {
        return error(404, "Not Found");
    };
    let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    if request.method == "POST" && request.content_type.as_deref() != Some("application/json") {
        return error(400, "Content-Type must be application/json");
    }
    match (request.method.as_str(), segments.as_slice()) {
        ("POST", ["jwt", "create"]) => jwt_create(state, &request.body),
        ("GET", ["release", "get", p, v]) => {
            tick_quarantine(state, p, v);
            match release_of(state, p, v) {
                Ok(release) => ok(
                    200,
                    "/release/get",
                    json!({"release": release_json(release)}),
                ),
                Err(answer) => answer,
            }
        }
        ("GET", ["project", "get", p]) => super::keys::project_get(state, p),
        ("GET", ["committee", "keys", c]) => super::keys::committee_keys(state, c),
        ("GET", ["release", "paths", p, v, rest @ ..]) => paths(state, p, v, rest.first().copied()),
        ("GET", ["checks", "ongoing", p, v, rest @ ..]) => {
            checks_ongoing(state, p, v, rest.first().copied())
        }
        ("GET", ["checks", "list", p, v, rest @ ..]) => {
            checks_list(state, p, v, rest.first().copied())
        }
        ("POST", [..]) => {
            let uid = match authorize(state, request) {
                Ok(uid) => uid,
                Err(answer) => return answer,
            };
            super::routes_write::answer(state, &uid, route, &request.body)
                .unwrap_or_else(|answer| answer)
        }
        _ => error(404, "Not Found"),
    }
}

fn jwt_create(state: &mut State, body: &[u8]) -> Answer {
    let map = match validate(
        body,
        &[("asfuid", Kind::Str, true), ("pat", Kind::Str, true)],
    ) {
        Ok(map) => map,
        Err(answer) => return answer,
    };
    if text(&map, "asfuid") != state.uid || text(&map, "pat") != state.pat {
        return match state.server_2025 {
            true => error(500, "Invalid PAT"),
            false => error(401, "Authentication failed"),
        };
    }
    let now = state.now();
    let last_hour = state
        .mint_times
        .iter()
        .filter(|minted| **minted > now - 3600)
        .count();
    if last_hour >= JWTS_PER_HOUR {
        return error(429, "Rate limit exceeded: 10 per 1 hour");
    }
    state.minted += 1;
    state.mint_times.push(now);
    let expires = now + state.jwt_seconds;
    // HS256's shape; the stand-in's signature is a label, since it looks tokens up.
    let claims = json!({
        "sub": state.uid, "iss": "atr-stand-in", "aud": "atr-api", "iat": now, "nbf": now,
        "exp": expires, "jti": format!("stand-in-{}", state.minted), "atr_th": "sha3",
    });
    let jwt = format!(
        "{}.{}.{}",
        crate::encoding::base64url(br#"{"alg":"HS256","typ":"JWT"}"#),
        crate::encoding::base64url(claims.to_string().as_bytes()),
        crate::encoding::base64url(format!("stand-in-{}", state.minted).as_bytes()),
    );
    state.jwts.push((jwt.clone(), expires));
    ok(200, "/jwt/create", json!({"asfuid": state.uid, "jwt": jwt}))
}

/// An archive in validation becomes a revision after a few polls (or is discarded).
fn tick_quarantine(state: &mut State, project: &str, version: &str) {
    let mut validated = Vec::new();
    if let Ok(release) = release_of(state, project, version) {
        for pending in release.pending.iter_mut() {
            pending.polls_left = pending.polls_left.saturating_sub(1);
        }
        let (ready, waiting): (Vec<Pending>, Vec<Pending>) =
            release.pending.drain(..).partition(|p| p.polls_left == 0);
        release.pending = waiting;
        for pending in ready {
            if checks::archive_readable(&pending.content) {
                validated.push(crate::archive::checksum::sha512_bytes(&pending.content));
                add_revision(release, &pending.relpath, pending.content, true);
            }
        }
    }
    state.validated.extend(validated);
}

/// A new draft revision with `relpath` set to `content`; its checks are queued.
pub(super) fn add_revision(
    release: &mut Release,
    relpath: &str,
    content: Vec<u8>,
    was_quarantined: bool,
) -> Revision {
    let mut files = release
        .latest()
        .map(|r| r.files.clone())
        .unwrap_or_default();
    files.insert(relpath.to_string(), content);
    release.counter += 1;
    let number = format!("{:05}", release.counter);
    let checks = checks::run(&release.key(), &number, &files);
    let revision = Revision {
        number,
        files,
        description: format!("Upload via API: {relpath}"),
        was_quarantined,
        phase: release.phase.clone(),
        checks,
        checks_left: CHECK_POLLS,
    };
    release.revisions.push(revision.clone());
    revision
}

/// A new draft revision without `relpath` (the web interface's delete).
pub(super) fn remove_from_draft(release: &mut Release, relpath: &str) {
    let Some(mut files) = release.latest().map(|r| r.files.clone()) else {
        return;
    };
    files.remove(relpath);
    release.counter += 1;
    let number = format!("{:05}", release.counter);
    let checks = checks::run(&release.key(), &number, &files);
    release.revisions.push(Revision {
        number,
        files,
        description: format!("Deletion of {relpath} through web interface"),
        was_quarantined: false,
        phase: release.phase.clone(),
        checks,
        checks_left: CHECK_POLLS,
    });
}

/// The revision asked for (the latest without a number).
fn revision_of<'a>(
    release: &'a mut Release,
    number: Option<&str>,
) -> Result<&'a mut Revision, Answer> {
    let found = match number {
        Some(number) => release.revisions.iter_mut().find(|r| r.number == number),
        None => release.revisions.last_mut(),
    };
    found.ok_or_else(|| error(404, "No revision found"))
}

fn paths(state: &mut State, project: &str, version: &str, number: Option<&str>) -> Answer {
    let release = match release_of(state, project, version) {
        Ok(release) => release,
        Err(answer) => return answer,
    };
    match revision_of(release, number) {
        Ok(revision) => {
            let paths: Vec<&String> = revision.files.keys().collect();
            ok(200, "/release/paths", json!({"rel_paths": paths}))
        }
        Err(answer) => answer,
    }
}

fn checks_ongoing(state: &mut State, project: &str, version: &str, number: Option<&str>) -> Answer {
    let release = match release_of(state, project, version) {
        Ok(release) => release,
        Err(answer) => return answer,
    };
    match revision_of(release, number) {
        Ok(revision) => {
            let ongoing = match revision.checks_left {
                0 => 0,
                _ => revision.checks.len(),
            };
            revision.checks_left = revision.checks_left.saturating_sub(1);
            ok(200, "/checks/ongoing", json!({"ongoing": ongoing}))
        }
        Err(answer) => answer,
    }
}

fn checks_list(state: &mut State, project: &str, version: &str, number: Option<&str>) -> Answer {
    let server_2025 = state.server_2025;
    let release = match release_of(state, project, version) {
        Ok(release) => release,
        Err(answer) => return answer,
    };
    let phase = release.phase.clone();
    match revision_of(release, number) {
        Ok(revision) => {
            let mut checks = revision.checks.clone();
            if server_2025 {
                for check in checks.iter_mut() {
                    let status = checks::status_2025(check["status"].as_str().unwrap_or_default());
                    check["status"] = json!(status);
                }
            }
            ok(
                200,
                "/checks/list",
                json!({"checks": checks, "checks_revision": revision.number, "current_phase": phase}),
            )
        }
        Err(answer) => answer,
    }
}

/// The mail ATR sends, recorded.
pub(super) fn send_mail(state: &mut State, to: &str, subject: &str, body: &str) {
    state.mails.push(SentMail {
        to: to.to_string(),
        subject: subject.to_string(),
        body: body.to_string(),
    });
}
