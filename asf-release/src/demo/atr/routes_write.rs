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

//! The stand-in's writes (bearer JWT checked before): create, upload, vote start, tabulate,
//! resolve, announce (and key/add, in keys.rs).

use serde_json::{json, Map, Value};

use super::routes::{
    add_revision, iso, ok, release_json, release_of, revision_json, send_mail, text, validate, Kind,
};
use super::serve::{error, Answer};
use super::{checks, Pending, Release, State, QUARANTINE_POLLS};
use crate::tools::atr::{DRAFT, PREVIEW, RELEASED, VOTE};

type Reply = Result<Answer, Answer>;

pub fn answer(state: &mut State, uid: &str, route: &str, body: &[u8]) -> Reply {
    use Kind::*;
    match route {
        "/release/create" => {
            let map = validate(body, &[("project", Str, true), ("version", Str, true)])?;
            create(state, &map)
        }
        "/release/upload" => {
            let map = validate(
                body,
                &[
                    ("project", Str, true),
                    ("version", Str, true),
                    ("relpath", Str, true),
                    ("content", Str, true),
                ],
            )?;
            upload(state, uid, &map)
        }
        "/vote/start" if state.server_2025 => {
            let map = validate(
                body,
                &[
                    ("project", Str, true),
                    ("version", Str, true),
                    ("revision", Str, true),
                    ("email_to", Str, true),
                    ("vote_duration", Int, true),
                    ("subject", Str, true),
                    ("body", Str, true),
                ],
            )?;
            vote_start(state, uid, &map)
        }
        "/vote/start" => {
            let map = validate(
                body,
                &[
                    ("project", Str, true),
                    ("version", Str, true),
                    ("revision", OptStr, false),
                    ("email_to", Str, true),
                    ("email_cc", StrList, false),
                    ("email_bcc", StrList, false),
                    ("vote_duration", Int, true),
                    ("subject", Str, true),
                    ("body", Str, true),
                    ("second_round_email_to", OptStr, false),
                    ("notify_when_finished", Bool, false),
                    ("automatic_resolve_when_finished", Bool, false),
                    ("concerns_noted", StrList, false),
                ],
            )?;
            vote_start(state, uid, &map)
        }
        "/vote/tabulate" => {
            let map = validate(body, &[("project", Str, true), ("version", Str, true)])?;
            // 2025's handler asks for a web session, which a token never has.
            if state.server_2025 {
                return Err(error(500, "No ASFQuart session found"));
            }
            let pmc = state.pmc.clone();
            let release = release_of(state, text(&map, "project"), text(&map, "version"))?;
            let (Some(thread), Some(started)) = (&release.thread, release.vote_started) else {
                return Err(error(404, "No archive URL found"));
            };
            let details = checks::tabulate(thread, &pmc, started);
            Ok(ok(
                200,
                "/vote/tabulate",
                json!({
                    "details": details, "vote_mode": "email", "vote_seq": 1,
                    "trusted_ballots": null, "trusted_summary": null, "trusted_passed": null,
                }),
            ))
        }
        "/vote/resolve" => {
            let map = validate(
                body,
                &[
                    ("project", Str, true),
                    ("version", Str, true),
                    ("resolution", Str, true),
                ],
            )?;
            resolve(state, &map)
        }
        "/release/announce" => {
            let mut fields = vec![
                ("project", Str, true),
                ("version", Str, true),
                ("revision", Str, true),
                ("email_to", Str, true),
                ("body", Str, true),
                ("path_suffix", OptStr, false),
            ];
            if state.announce_needs_subject {
                fields.push(("subject", Str, true));
            }
            if state.server_2025 {
                fields[5] = ("path_suffix", Str, true);
            }
            let map = validate(body, &fields)?;
            announce(state, uid, &map)
        }
        "/key/add" => super::keys::key_add(state, uid, body),
        _ => Err(error(404, "Not Found")),
    }
}

/// ATR's VersionKey rule.
fn version_ok(version: &str) -> bool {
    let bytes = version.as_bytes();
    let special = |b: u8| matches!(b, b'.' | b'+' | b'-');
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || special(b))
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && !bytes.windows(2).any(|w| special(w[0]) && special(w[1]))
        && version != "version"
}

/// ATR's RelPath rule.
fn relpath_ok(path: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-._+~/()".contains(c);
    !path.is_empty()
        && path.chars().all(allowed)
        && !path.starts_with('/')
        && path.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part != ".git"
                && part != ".svn"
                && (!part.starts_with('.') || part.starts_with(".atr") || part == ".gitkeep")
        })
}

fn create(state: &mut State, map: &Map<String, Value>) -> Reply {
    let (project, version) = (text(map, "project"), text(map, "version"));
    if project != state.project {
        return Err(error(404, &format!("Project {project} not found")));
    }
    if !version_ok(version) {
        return Err(error(400, &format!("Invalid version: {version}")));
    }
    let key = format!("{project}-{version}");
    if state.releases.contains_key(&key) {
        return Err(error(
            409,
            &format!("A draft release (being composed) for {project} {version} already exists."),
        ));
    }
    let mut release = Release {
        project: project.to_string(),
        version: version.to_string(),
        phase: DRAFT.to_string(),
        created: state.now(),
        revisions: Vec::new(),
        counter: 0,
        vote_started: None,
        vote_hours: 0,
        vote_revision: None,
        released: None,
        pending: Vec::new(),
        thread: None,
    };
    // The empty revision 00001.
    release.counter = 1;
    release.revisions.push(super::Revision {
        number: "00001".to_string(),
        files: Default::default(),
        description: "Creation of empty release candidate draft through API".to_string(),
        was_quarantined: false,
        phase: DRAFT.to_string(),
        checks: Vec::new(),
        checks_left: 0,
    });
    let mut answer = release_json(&release);
    // The create answer may carry no revision number (the sheet: read release/get).
    answer["latest_revision_number"] = Value::Null;
    state.releases.insert(key, release);
    Ok(ok(201, "/release/create", json!({"release": answer})))
}

fn upload(state: &mut State, uid: &str, map: &Map<String, Value>) -> Reply {
    let relpath = text(map, "relpath").to_string();
    if !relpath_ok(&relpath) {
        return Err(error(400, &format!("Invalid relpath: {relpath}")));
    }
    let Some(content) = crate::encoding::base64_decode(text(map, "content")) else {
        return Err(error(400, "content is not valid base64"));
    };
    let validated = state.validated.clone();
    let uploads_2025 = state.uploads_2025;
    let release = release_of(state, text(map, "project"), text(map, "version"))?;
    if release.phase != DRAFT {
        return Err(error(
            409,
            "Files can only be added in the candidate draft phase",
        ));
    }
    if uploads_2025 {
        if release
            .latest()
            .is_some_and(|r| r.files.contains_key(&relpath))
        {
            return Err(error(500, "File already exists"));
        }
        let revision = add_revision(release, &relpath, content, false);
        let answer = revision_json(release, &revision, uid);
        return Ok(ok(201, "/release/upload", json!({"revision": answer})));
    }
    let archive = [".tar.gz", ".tgz", ".zip"]
        .iter()
        .any(|e| relpath.ends_with(e));
    let digest = crate::archive::checksum::sha512_bytes(&content);
    if archive && !validated.contains(&digest) {
        release.pending.push(Pending {
            relpath,
            content,
            polls_left: QUARANTINE_POLLS,
        });
        return Ok(ok(
            202,
            "/release/upload",
            json!({
                "quarantined": true, "message": "Upload received. Archive validation in progress.",
            }),
        ));
    }
    let revision = add_revision(release, &relpath, content, false);
    let answer = revision_json(release, &revision, uid);
    Ok(ok(201, "/release/upload", json!({"revision": answer})))
}

/// The lists ATR lets a vote or an announcement go to (Alpha rules included).
fn permitted(project: &str, uid: &str, to: &str, announce: bool) -> bool {
    let mut lists = vec![
        format!("dev@{project}.apache.org"),
        format!("private@{project}.apache.org"),
        "user-tests@tooling.apache.org".to_string(),
        format!("{uid}@apache.org"),
    ];
    if announce {
        lists.push("announce@apache.org".to_string());
        lists.push(format!("user@{project}.apache.org"));
    }
    lists.iter().any(|list| list == to)
}

fn vote_start(state: &mut State, uid: &str, map: &Map<String, Value>) -> Reply {
    if state.server_2025 {
        vote_start_2025(state, map)?;
    }
    let now = state.now();
    let project = state.project.clone();
    let concerns_must_be_noted = state.concerns_must_be_noted;
    let server_2025 = state.server_2025;
    let release = release_of(state, text(map, "project"), text(map, "version"))?;
    if release.phase != DRAFT {
        return Err(error(
            409,
            &format!(
                "Release {} is not in the candidate draft phase",
                release.key()
            ),
        ));
    }
    let Some(latest) = release.latest().cloned() else {
        return Err(error(400, "The release has no revision"));
    };
    if let Some(asked) = map.get("revision").and_then(Value::as_str) {
        if asked != latest.number {
            return Err(error(409, &format!(
                "A newer revision appeared ({}) since revision {asked}; review it before starting the vote",
                latest.number
            )));
        }
    }
    if !release.pending.is_empty() {
        return Err(error(409, "An archive is still being validated"));
    }
    if latest.checks_left > 0 {
        return Err(error(409, "Checks are still running for this revision"));
    }
    // 2025's vote start knows no blocker: failed checks stay, and the vote starts.
    if !server_2025 && latest.checks.iter().any(|c| c["status"] == "blocker") {
        return Err(error(
            409,
            "The revision has blocker check results; fix them before the vote",
        ));
    }
    if latest.files.is_empty() {
        return Err(error(400, "The release has no files"));
    }
    if concerns_must_be_noted {
        let noted: Vec<&str> = map
            .get("concerns_noted")
            .and_then(Value::as_array)
            .map(|keys| keys.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let unnoted: Vec<&str> = latest
            .checks
            .iter()
            .filter(|c| c["status"] == "concern")
            .filter_map(|c| c["checker"].as_str())
            .filter(|checker| !noted.contains(checker))
            .collect();
        if !unnoted.is_empty() {
            return Err(error(
                409,
                &format!(
                    "Concerns must be noted before the vote starts: {}",
                    unnoted.join(", ")
                ),
            ));
        }
    }
    let hours = map["vote_duration"].as_i64().unwrap_or(-1);
    if !(hours == 0 || (72..=144).contains(&hours)) {
        return Err(error(
            400,
            "vote_duration must be 0 or between 72 and 144 hours",
        ));
    }
    let to = text(map, "email_to").to_string();
    if !permitted(&project, uid, &to, false) {
        return Err(error(403, "Invalid mailing list choice"));
    }
    release.phase = VOTE.to_string();
    release.vote_started = Some(now);
    release.vote_hours = hours as u32;
    release.vote_revision = Some(latest.number.clone());
    let vote_end = now + hours * 3600;
    let task = json!({
        "id": 1, "status": "completed", "task_type": "vote_initiate", "task_args": {},
        "asf_uid": uid, "added": iso(now), "started": iso(now), "completed": iso(now),
        "result": {"mid": format!("<vote-{}@atr.stand-in>", release.key()), "email_to": to,
                   "vote_end": crate::clock::human_date(vote_end)},
        "error": null, "project_key": release.project, "version_key": release.version,
        "revision_number": latest.number, "primary_rel_path": null,
    });
    let (subject, body) = (
        text(map, "subject").to_string(),
        text(map, "body").to_string(),
    );
    send_mail(state, &to, &subject, &body);
    Ok(ok(201, "/vote/start", json!({"task": task})))
}

/// 2025's preconditions (`promote_to_candidate`), answered 400 as its vote/start does: running
/// checks stop the vote, failed ones do not.
fn vote_start_2025(state: &mut State, map: &Map<String, Value>) -> Result<(), Answer> {
    let release = release_of(state, text(map, "project"), text(map, "version"))?;
    let latest = release.latest().cloned();
    let refused = if latest.as_ref().is_some_and(|r| r.checks_left > 0) {
        Some("All checks must be completed before starting a vote")
    } else if release.phase != DRAFT {
        Some("This release is not in the candidate draft phase")
    } else if latest.as_ref().map(|r| r.number.as_str()) != Some(text(map, "revision")) {
        Some("The selected revision number does not match the latest revision number")
    } else if latest.as_ref().is_none_or(|r| r.files.is_empty()) {
        Some("This candidate draft is empty, containing no files")
    } else {
        None
    };
    match refused {
        Some(message) => Err(error(400, message)),
        None => Ok(()),
    }
}

fn resolve(state: &mut State, map: &Map<String, Value>) -> Reply {
    let now = state.now();
    let resolution = text(map, "resolution").to_string();
    if state.server_2025 && !matches!(resolution.as_str(), "passed" | "failed") {
        let details = json!([{"type": "literal_error", "loc": ["body", "resolution"],
            "msg": "Input should be 'passed' or 'failed'", "input": resolution}]);
        let body = json!({"error": "Input validation failed", "validation_details": details});
        return Err((400, body.to_string()));
    }
    if !matches!(resolution.as_str(), "passed" | "failed" | "cancelled") {
        return Err(error(400, "resolution must be passed, failed or cancelled"));
    }
    let release = release_of(state, text(map, "project"), text(map, "version"))?;
    if release.phase != VOTE {
        return Err(error(
            404,
            &format!("No vote in progress for {}", release.key()),
        ));
    }
    let end = release.vote_started.unwrap_or(now) + i64::from(release.vote_hours) * 3600;
    if resolution != "cancelled" && now < end {
        return Err(error(
            409,
            "The vote is still open; use cancelled to end it early",
        ));
    }
    let key = release.key();
    match resolution.as_str() {
        "passed" => {
            release.phase = PREVIEW.to_string();
            // The voted files become one more revision, in the Finish phase.
            if let Some(mut copy) = release.latest().cloned() {
                release.counter += 1;
                copy.number = format!("{:05}", release.counter);
                copy.phase = PREVIEW.to_string();
                copy.description = "Vote passed".to_string();
                copy.checks_left = 0;
                release.revisions.push(copy);
            }
        }
        _ => release.phase = DRAFT.to_string(),
    }
    release.vote_started = None;
    let upper = resolution.to_uppercase();
    let subject = format!("[VOTE] [RESULT] Release {key} {upper}");
    let project = release.project.clone();
    send_mail(
        state,
        &format!("dev@{project}.apache.org"),
        &subject,
        &format!("The vote {resolution}."),
    );
    Ok(ok(200, "/vote/resolve", json!({"success": true})))
}

fn announce(state: &mut State, uid: &str, map: &Map<String, Value>) -> Reply {
    let now = state.now();
    let project = state.project.clone();
    let release = release_of(state, text(map, "project"), text(map, "version"))?;
    let latest = release.latest().map(|r| r.number.clone());
    if release.phase != PREVIEW || latest.as_deref() != Some(text(map, "revision")) {
        return Err(error(
            404,
            &format!(
                "Release {} in the finish phase at revision {} does not exist",
                release.key(),
                text(map, "revision")
            ),
        ));
    }
    let to = text(map, "email_to").to_string();
    if !permitted(&project, uid, &to, true) {
        return Err(error(403, "Invalid mailing list choice"));
    }
    // The files go to ATR's download tree under the committee's key, not the project's.
    let suffix = map
        .get("path_suffix")
        .and_then(Value::as_str)
        .map(|s| s.trim_matches('/').to_string())
        .unwrap_or_else(|| format!("{}/{}", release.project, release.version));
    let files: Vec<String> = release
        .latest()
        .map(|r| r.files.keys().cloned().collect())
        .unwrap_or_default();
    release.phase = RELEASED.to_string();
    release.released = Some(now);
    release.revisions.clear();
    let subject = match map.get("subject").and_then(Value::as_str) {
        Some(subject) => subject.to_string(),
        None => format!(
            "[ANNOUNCE] Apache {} {} released",
            release.project, release.version
        ),
    };
    send_mail(state, &to, &subject, text(map, "body"));
    let committee = state.committee.clone();
    for file in files {
        state.downloads.push(format!("{committee}/{suffix}/{file}"));
    }
    Ok(ok(201, "/release/announce", json!({"success": true})))
}
