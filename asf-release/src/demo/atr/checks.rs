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

//! The checks the stand-in runs on a revision's stored bytes (a subset of ATR's, with its
//! checker keys and statuses), and its tabulation of a vote thread.

use std::collections::BTreeMap;
use std::io::Read;

use serde_json::{json, Value};

use crate::archive::license::atr as atr_rules;

const ARCHIVES: [&str; 3] = [".tar.gz", ".tgz", ".zip"];

fn result(
    key: &str,
    number: &str,
    checker: &str,
    path: Option<&str>,
    status: &str,
    message: &str,
) -> Value {
    json!({
        "id": 0, "release_key": key, "revision_number": number,
        "checker": format!("atr.tasks.checks.{checker}"), "checker_version": "1",
        "primary_rel_path": path, "member_rel_path": null, "created": "2026-01-01T00:00:00Z",
        "status": status, "message": message, "data": {}, "inputs_hash": null, "cached": false,
    })
}

/// One member of a tarball: its path, and for a regular file the bytes ATR's header check
/// reads.
struct Member {
    path: String,
    head: Option<Vec<u8>>,
}

/// The members of a gzipped tarball, `None` when it cannot be read to the end.
fn tar_members(bytes: &[u8]) -> Option<Vec<Member>> {
    let decoder = flate2::read::GzDecoder::new(bytes);
    // Bounded like ATR (2 GiB unpacked); the stand-in's inputs are far smaller.
    let mut archive = tar::Archive::new(decoder.take(2 * 1024 * 1024 * 1024));
    let mut members = Vec::new();
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        let path = entry.path().ok()?.to_string_lossy().into_owned();
        let head = match entry.header().entry_type().is_file() {
            true => {
                let mut head = Vec::new();
                (&mut entry)
                    .take(atr_rules::READ_BYTES as u64)
                    .read_to_end(&mut head)
                    .ok()?;
                Some(head)
            }
            false => None,
        };
        std::io::copy(&mut entry, &mut std::io::sink()).ok()?;
        members.push(Member { path, head });
    }
    Some(members)
}

/// Whether an archive unpacks (ATR's quarantine validation).
pub fn archive_readable(bytes: &[u8]) -> bool {
    tar_members(bytes).is_some()
}

/// ATR's `license.headers` on one archive: a result per checked member, the count, and a
/// failure naming how many failed (its rules in `archive::license::atr`, as the server's).
fn license_headers(key: &str, number: &str, path: &str, members: &[Member]) -> Vec<Value> {
    let checker = "license.headers";
    let mut results = Vec::new();
    let (mut valid, mut invalid, mut skipped) = (0, 0, 0);
    for member in members {
        let name = member.path.rsplit('/').next().unwrap_or_default();
        if name.starts_with("._") {
            continue;
        }
        let Some(head) = member
            .head
            .as_ref()
            .filter(|_| atr_rules::checks(&member.path))
        else {
            skipped += 1;
            continue;
        };
        let (status, message) = match atr_rules::accepts(head) {
            true => ("note", "Valid license header".to_string()),
            false => (
                "blocker",
                "Invalid license header: Could not find Apache License header".to_string(),
            ),
        };
        match status {
            "note" => valid += 1,
            _ => invalid += 1,
        }
        let mut found = result(key, number, checker, Some(path), status, &message);
        found["member_rel_path"] = json!(member.path);
        results.push(found);
    }
    results.push(result(
        key,
        number,
        checker,
        Some(path),
        "note",
        &format!(
            "Checked {} files, found {valid} with valid headers, {invalid} with invalid \
             headers, and {skipped} skipped",
            valid + invalid
        ),
    ));
    if invalid > 0 {
        results.push(result(
            key,
            number,
            checker,
            Some(path),
            "blocker",
            &format!("Some files had invalid license headers ({invalid} failures)"),
        ));
    }
    results
}

/// A 2026 status as 2025's ATR names it (`success`, `warning`, `failure`, `exception`).
pub fn status_2025(status: &str) -> &str {
    match status {
        "note" => "success",
        "concern" | "suggestion" => "warning",
        "blocker" => "failure",
        other => other,
    }
}

pub fn run(key: &str, number: &str, files: &BTreeMap<String, Vec<u8>>) -> Vec<Value> {
    let mut results = Vec::new();
    let mut headers = Vec::new();
    let mut add = |checker: &str, path: Option<&str>, status: &str, message: &str| {
        results.push(result(key, number, checker, path, status, message));
    };
    let artifacts: Vec<&String> = files
        .keys()
        .filter(|p| ARCHIVES.iter().any(|e| p.ends_with(e)))
        .collect();
    if artifacts.is_empty() {
        add(
            "paths.check_source",
            None,
            "blocker",
            "No source artifact found",
        );
    }
    for path in files.keys() {
        if path.ends_with(".md5") || path.ends_with(".sig") || path == "KEYS" {
            add(
                "paths.check_errors",
                Some(path),
                "blocker",
                "File type not allowed in a release",
            );
        }
    }
    for artifact in &artifacts {
        let path = Some(artifact.as_str());
        if !files.contains_key(&format!("{artifact}.asc")) {
            add(
                "paths.check_errors",
                path,
                "blocker",
                "Missing .asc signature",
            );
        }
        let sha512 = files.get(&format!("{artifact}.sha512"));
        let sha256 = files.get(&format!("{artifact}.sha256"));
        if sha512.is_none() && sha256.is_none() {
            add(
                "paths.check_errors",
                path,
                "blocker",
                "Missing .sha256 or .sha512 checksum",
            );
        }
        if let Some(stated) = sha512 {
            let actual = crate::archive::checksum::sha512_bytes(&files[*artifact]);
            let first = String::from_utf8_lossy(stated);
            let stated = first
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            match stated == actual {
                true => add("file_hash.check", path, "note", "Hash matches"),
                false => add("file_hash.check", path, "blocker", "Hash does not match"),
            }
        }
        let Some(members) = tar_members(&files[*artifact]) else {
            add("targz.integrity", path, "blocker", "Archive cannot be read");
            continue;
        };
        add("targz.integrity", path, "note", "Archive is readable");
        let paths: Vec<&str> = members.iter().map(|m| m.path.as_str()).collect();
        let name = artifact
            .trim_end_matches(".tar.gz")
            .trim_end_matches(".tgz");
        let roots: Vec<&str> = {
            let mut roots: Vec<&str> = paths
                .iter()
                .filter_map(|m| m.split('/').next())
                .filter(|r| !r.is_empty())
                .collect();
            roots.dedup();
            roots
        };
        let expected = [
            name,
            name.trim_end_matches("-src"),
            name.trim_end_matches("-source"),
        ];
        match roots.as_slice() {
            [root] if expected.contains(root) => add(
                "targz.structure",
                path,
                "note",
                "One root directory named after the archive",
            ),
            _ => add(
                "targz.structure",
                path,
                "concern",
                "The archive should have exactly one root directory named after the file",
            ),
        }
        let license = roots
            .first()
            .is_some_and(|root| paths.iter().any(|m| *m == format!("{root}/LICENSE")));
        match license {
            true => add("license.files", path, "note", "LICENSE file is present"),
            false => add(
                "license.files",
                path,
                "blocker",
                "No LICENSE file at the root",
            ),
        }
        headers.extend(license_headers(key, number, artifact, &members));
    }
    results.extend(headers);
    results
}

/// ATR's signature check of `path`, an `.asc`: it must verify the file it names with one of
/// the committee's keys (`keys`, armored), checked by gpg in a fresh keyring holding those keys
/// and nothing else (`--no-autostart`: no agent is left behind).
pub fn signature(
    key: &str,
    number: &str,
    path: &str,
    files: &BTreeMap<String, Vec<u8>>,
    keys: &str,
) -> Value {
    let checker = "signature.check";
    let signed = path.strip_suffix(".asc").and_then(|p| files.get(p));
    let Some(content) = signed else {
        return result(
            key,
            number,
            checker,
            Some(path),
            "blocker",
            "The signed file is missing",
        );
    };
    match verify(keys, &files[path], content) {
        Ok(fingerprint) => {
            let mut found = result(
                key,
                number,
                checker,
                Some(path),
                "note",
                "Signature verified successfully",
            );
            found["data"] = json!({ "fingerprint": fingerprint });
            found
        }
        Err(_) => result(
            key,
            number,
            checker,
            Some(path),
            "blocker",
            "No valid signature found",
        ),
    }
}

/// The primary fingerprint (lower case) of the key in `keys` that made `signature` of `content`.
fn verify(keys: &str, signature: &[u8], content: &[u8]) -> anyhow::Result<String> {
    let sh = xshell::Shell::new()?;
    let dir = crate::scratch::Scratch::new("atr-check")?;
    let (signature_path, content_path) = (dir.path().join("file.asc"), dir.path().join("file"));
    std::fs::write(&signature_path, signature)?;
    std::fs::write(&content_path, content)?;
    let good =
        crate::tools::gpg::verify_with_keys(&sh, keys.as_bytes(), &signature_path, &content_path)?;
    Ok(good.primary_fingerprint.to_ascii_lowercase())
}

/// Its tabulation of an mbox: the first vote line of each reply, the last reply of a voter
/// counting; binding when the voter's Apache id is in the PMC.
pub fn tabulate(thread: &str, pmc: &[String], started: i64) -> Value {
    let mut votes = serde_json::Map::new();
    let (mut yes, mut no, mut abstain, mut nb_yes, mut nb_no, mut nb_abstain) = (0, 0, 0, 0, 0, 0);
    let mut tallied: BTreeMap<String, (String, bool, String)> = BTreeMap::new();
    for message in thread.split("\nFrom ") {
        let (head, body) = message.split_once("\n\n").unwrap_or((message, ""));
        let header = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(name))
                .map(str::trim)
                .unwrap_or_default()
        };
        if !header("Subject:").starts_with("Re:") {
            continue;
        }
        let from = header("From:");
        let address = from
            .rsplit_once('<')
            .map_or(from, |(_, a)| a.trim_end_matches('>'))
            .to_ascii_lowercase();
        let Some(vote) = body
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('>'))
            .find_map(|l| {
                ["+1", "-1", "+0", "0"]
                    .into_iter()
                    .find(|v| l.starts_with(v))
            })
        else {
            continue;
        };
        let uid = address
            .strip_suffix("@apache.org")
            .unwrap_or(&address)
            .to_string();
        let binding = pmc.contains(&uid);
        tallied.insert(uid, (address.clone(), binding, vote.to_string()));
    }
    for (uid, (address, binding, vote)) in &tallied {
        let word = match vote.as_str() {
            "+1" => "Yes",
            "-1" => "No",
            _ => "-",
        };
        let counter = match (binding, word) {
            (true, "Yes") => &mut yes,
            (true, "No") => &mut no,
            (true, _) => &mut abstain,
            (false, "Yes") => &mut nb_yes,
            (false, "No") => &mut nb_no,
            (false, _) => &mut nb_abstain,
        };
        *counter += 1;
        let status = if *binding { "Binding" } else { "Unknown" };
        votes.insert(
            uid.clone(),
            json!({
                "name": uid, "asf_uid_or_email": uid, "from_email": address, "status": status,
                "asf_eid": null, "iso_datetime": null, "vote": word, "quotation": vote,
                "updated": false,
            }),
        );
    }
    let passed = yes >= 3 && yes > no;
    json!({
        "start_unixtime": started, "votes": votes,
        "summary": {
            "binding_votes": yes + no + abstain, "binding_votes_yes": yes,
            "binding_votes_no": no, "binding_votes_abstain": abstain,
            "non_binding_votes": nb_yes + nb_no + nb_abstain, "non_binding_votes_yes": nb_yes,
            "non_binding_votes_no": nb_no, "non_binding_votes_abstain": nb_abstain,
            "unknown_votes": 0, "unknown_votes_yes": 0, "unknown_votes_no": 0,
            "unknown_votes_abstain": 0,
        },
        "passed": passed,
        "outcome": if passed { "The vote passed." } else { "The vote failed." },
    })
}
