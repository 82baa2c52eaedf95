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

//! The stand-in's committee and its public signing keys: `project/get`, `committee/keys`,
//! `key/add` (the key parsed by gpg, linked per committee), and the signature check of every
//! `.asc` of a new draft revision against the committee's keys, as ATR's
//! `atr.tasks.checks.signature.check` makes it.

use serde_json::{json, Map, Value};
use xshell::Shell;

use super::routes::{ok, text, validate, Kind};
use super::serve::{error, Answer};
use super::{checks, State};
use crate::tools::atr::DRAFT;
use crate::tools::gpg::Keyring;

/// A public key linked to a committee.
#[derive(Debug, Clone)]
pub struct StoredKey {
    /// Lower-case hex, as ATR stores it.
    pub fingerprint: String,
    pub apache_uid: String,
    pub armored: String,
}

pub fn project_get(state: &State, name: &str) -> Answer {
    if name != state.project {
        return error(404, "Not Found");
    }
    let project = json!({
        "name": state.project, "full_name": format!("Apache {}", state.project),
        "status": "active", "super_project_name": null, "description": null,
        "category": null, "programming_languages": null,
        "committee_name": state.committee, "release_policy_id": null, "created": null,
        "created_by": null,
    });
    ok(200, "/project/get", json!({ "project": project }))
}

pub fn committee_keys(state: &State, name: &str) -> Answer {
    if name != state.committee {
        return error(404, &format!("Committee '{name}' was not found"));
    }
    let keys: Vec<Value> = state
        .keys
        .get(name)
        .into_iter()
        .flatten()
        .map(|key| {
            json!({
                "fingerprint": key.fingerprint, "algorithm": 22, "length": 256,
                "created": "2026-01-01T00:00:00Z", "latest_self_signature": null,
                "expires": null, "primary_declared_uid": null, "secondary_declared_uids": [],
                "apache_uid": key.apache_uid, "ascii_armored_key": key.armored,
            })
        })
        .collect();
    ok(200, "/committee/keys", json!({ "keys": keys }))
}

/// The fingerprint of the one public key in `armored`, read by gpg in a keyring of its own.
fn parse_key(armored: &str) -> Option<String> {
    let sh = Shell::new().ok()?;
    let keyring = Keyring::new().ok()?;
    let file = keyring.home().join("key.asc");
    std::fs::write(&file, armored).ok()?;
    match keyring.import(&sh, &file).ok()?.as_slice() {
        [one] => Some(one.to_ascii_lowercase()),
        _ => None,
    }
}

pub fn key_add(state: &mut State, uid: &str, body: &[u8]) -> Result<Answer, Answer> {
    use Kind::*;
    let map: Map<String, Value> = validate(
        body,
        &[
            ("asfuid", Str, true),
            ("key", Str, true),
            ("committees", StrList, true),
        ],
    )?;
    let committees: Vec<String> = map["committees"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c.as_str().map(String::from))
        .collect();
    for committee in &committees {
        if *committee != state.committee || !state.pmc.iter().any(|p| p == uid) {
            return Err(error(
                403,
                &format!("You are not a member of committee {committee}"),
            ));
        }
    }
    let armored = text(&map, "key").to_string();
    let Some(fingerprint) = parse_key(&armored) else {
        return Err(error(
            400,
            "Invalid public key: no single OpenPGP key found",
        ));
    };
    for committee in committees {
        let linked = state.keys.entry(committee).or_default();
        // Adding a key already linked links nothing new; ATR answers its fingerprint again.
        if !linked.iter().any(|k| k.fingerprint == fingerprint) {
            linked.push(StoredKey {
                fingerprint: fingerprint.clone(),
                apache_uid: uid.to_string(),
                armored: armored.clone(),
            });
        }
    }
    let fingerprint = fingerprint.to_ascii_uppercase();
    Ok(ok(200, "/key/add", json!({ "fingerprint": fingerprint })))
}

const SIGNATURE_CHECKER: &str = "atr.tasks.checks.signature.check";

/// Checks every `.asc` of the draft revisions whose signatures are not checked yet, with the
/// committee's keys of now: ATR queues these checks when it makes the revision, so this runs
/// before each request is answered.
pub fn check_new_signatures(state: &mut State) {
    let keys: Vec<String> = state
        .keys
        .get(&state.committee)
        .into_iter()
        .flatten()
        .map(|k| k.armored.clone())
        .collect();
    let keys = keys.join("\n");
    for release in state.releases.values_mut() {
        let key = release.key();
        for revision in release.revisions.iter_mut().filter(|r| r.phase == DRAFT) {
            let unchecked: Vec<String> = revision
                .files
                .keys()
                .filter(|path| path.ends_with(".asc"))
                .filter(|path| {
                    !revision.checks.iter().any(|c| {
                        c["checker"] == SIGNATURE_CHECKER && c["primary_rel_path"] == **path
                    })
                })
                .cloned()
                .collect();
            for path in unchecked {
                let result =
                    checks::signature(&key, &revision.number, &path, &revision.files, &keys);
                revision.checks.push(result);
            }
        }
    }
}
