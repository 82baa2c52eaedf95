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

//! What ATR's revision of a candidate holds and what ATR's checks found: the revision the vote
//! will be on must hold exactly the candidate's files and pass ATR's checks.

use anyhow::{bail, Result};

use crate::tools::atr::{self, Atr};
use crate::untrusted::escape_str;

use super::upload::MAX_POLLS;

/// Files shown by name before the rest are counted.
const SHOWN_FILES: usize = 10;

/// The revision the vote will be on holds exactly the candidate's files: one left by an earlier
/// candidate, or added on ATR by someone else, would be voted on too. ATR's own metadata
/// (`.atr*`) is not a release file.
pub fn check_contents(
    client: &Atr,
    project: &str,
    version: &str,
    revision: &str,
    ours: &[String],
) -> Result<()> {
    let paths = client.paths(project, version, revision)?;
    let missing: Vec<&String> = ours.iter().filter(|name| !paths.contains(name)).collect();
    if !missing.is_empty() {
        bail!(
            "ATR's revision {revision} lacks {}: rerun `cargo xtask upload`, it sends what is \
             missing",
            missing
                .iter()
                .map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let foreign: Vec<&String> = paths
        .iter()
        .filter(|path| !ours.contains(path))
        .filter(|path| !path.split('/').any(|part| part.starts_with(".atr")))
        .collect();
    if foreign.is_empty() {
        return Ok(());
    }
    let mut shown: Vec<String> = foreign
        .iter()
        .take(SHOWN_FILES)
        .map(|path| escape_str(path))
        .collect();
    if foreign.len() > SHOWN_FILES {
        shown.push(format!("and {} more", foreign.len() - SHOWN_FILES));
    }
    bail!(
        "ATR's revision {revision} of {version} also holds {} file(s) that are not this \
         candidate's: {}; the vote would cover them too. They were left by an earlier \
         candidate or added on ATR: delete them on {} (ATR's API cannot), then rerun the upload",
        foreign.len(),
        shown.join(", "),
        client.compose_page(project, version)
    )
}

/// Files staged outside this tool (rsync) are trusted only when ATR's hash check compared them
/// with the `.sha512` this tool sent and found them equal.
pub fn require_hash_checks(
    client: &Atr,
    project: &str,
    version: &str,
    revision: &str,
    names: &[String],
) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let results = client.checks(project, version, revision)?;
    for name in names {
        let matched = results.iter().any(|r| {
            (r.checker.ends_with("file_hash.check") || r.checker.ends_with("hashing.check"))
                && r.primary_rel_path.as_deref() == Some(name.as_str())
                && !r.blocks()
                && !r.concerns()
        });
        if !matched {
            bail!(
                "ATR reported no matching hash check of {name} in revision {revision}: staged by \
                 rsync, its bytes are unchecked; stage it again and rerun the upload"
            );
        }
    }
    Ok(())
}

pub fn wait_for_checks(client: &Atr, project: &str, version: &str, revision: &str) -> Result<()> {
    let mut shown = None;
    for _ in 0..MAX_POLLS {
        let ongoing = client.checks_ongoing(project, version, revision)?;
        if ongoing == 0 {
            return Ok(());
        }
        if shown != Some(ongoing) {
            eprintln!("  ATR's checks of revision {revision}: {ongoing} running ...");
            shown = Some(ongoing);
        }
        std::thread::sleep(client.pause());
    }
    bail!(
        "ATR's checks of revision {revision} did not finish: rerun the step later, it waits again"
    )
}

/// Results shown per checker before the rest are counted.
const SHOWN_PER_CHECKER: usize = 10;

/// ATR's check results in our checklist format (as `verify` prints its checks): one line per
/// checker, ✓ when all its results are fine, ! with concerns, ✗ with blockers, and the results
/// that are not fine below it. Returns the checkers (short ids) with results that block the
/// vote, and how many such results there are.
pub fn report_checks(
    client: &Atr,
    project: &str,
    version: &str,
    revision: &str,
) -> Result<(Vec<String>, usize)> {
    let results = client.checks(project, version, revision)?;
    let mut checkers: Vec<(&str, Vec<&atr::CheckResult>)> = Vec::new();
    for result in &results {
        let id = result
            .checker
            .strip_prefix("atr.tasks.checks.")
            .unwrap_or(&result.checker);
        match checkers.iter_mut().find(|(known, _)| *known == id) {
            Some((_, list)) => list.push(result),
            None => checkers.push((id, vec![result])),
        }
    }
    println!(
        "ATR's checks of revision {revision} ({} results):",
        results.len()
    );
    let mut blockers = 0;
    let mut blocking_checkers = Vec::new();
    for (id, list) in &checkers {
        let blocking = list.iter().filter(|r| r.blocks()).count();
        let noted: Vec<&&atr::CheckResult> =
            list.iter().filter(|r| r.blocks() || r.concerns()).collect();
        let mark = match (blocking, noted.len()) {
            (1.., _) => "✗",
            (0, 1..) => "!",
            _ => "✓",
        };
        blockers += blocking;
        if blocking > 0 {
            blocking_checkers.push(id.to_string());
        }
        println!("{mark} {:<28} {} result(s)", escape_str(id), list.len());
        for result in noted.iter().take(SHOWN_PER_CHECKER) {
            let path = result.primary_rel_path.as_deref().unwrap_or("(release)");
            let member = match result.member_rel_path.as_deref() {
                Some(member) => format!(" ({})", escape_str(member)),
                None => String::new(),
            };
            println!(
                "      {} {}{member}: {}",
                escape_str(&result.status),
                escape_str(path),
                escape_str(&result.message)
            );
        }
        if noted.len() > SHOWN_PER_CHECKER {
            println!("      ... and {} more", noted.len() - SHOWN_PER_CHECKER);
        }
    }
    Ok((blocking_checkers, blockers))
}
