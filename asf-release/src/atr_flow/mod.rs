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

//! The release flow through Apache Trusted Releases (`dist = "atr"`), shared by the steps
//! that take this route (upload, the vote and result mails, tally, promote, announce).
//!
//! ATR knows one release per version and a revision per accepted file; it has no idea of our
//! candidate numbers. What ties a candidate to ATR is a small ledger next to its artifacts
//! (`<out-dir>/records/<version>-rcN/atr.json`): what we sent (written before each call, confirmed
//! after), the revision the candidate ended at, and that its vote was asked for. Each step
//! reads ATR first and the ledger second, so a rerun after a kill neither uploads a file twice
//! (no duplicate revision) nor starts a second vote.

mod key;
mod review;
pub mod upload;
pub mod vote;

pub use key::Link;

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use camino::Utf8PathBuf;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::tools::atr::{self, Atr};
use crate::version::{Candidate, Version};
use crate::Ctx;

/// Where a step stands on ATR (the steps turn it into their progress).
pub struct Standing {
    pub done: bool,
    pub detail: String,
}

/// One file we sent to ATR.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Sent {
    pub sha512: String,
    /// ATR's latest revision when we sent it: a newer one holding the path is ours.
    pub before: Option<String>,
    /// ATR's answer was received (or the revision was seen).
    pub confirmed: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Ledger {
    pub files: BTreeMap<String, Sent>,
    /// The revision holding the whole candidate.
    pub revision: Option<String>,
    /// The revision whose vote we asked for (written before the call).
    pub vote_revision: Option<String>,
}

pub fn load_ledger(config: &Config, candidate: &Candidate) -> Result<Ledger> {
    let path = crate::records::atr_ledger(config, candidate);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).with_context(|| {
            format!("{path} is damaged: delete it and rerun; the step reads ATR's state again")
        }),
        Err(_) => Ok(Ledger::default()),
    }
}

pub fn save_ledger(config: &Config, candidate: &Candidate, ledger: &Ledger) -> Result<()> {
    let path = crate::records::atr_ledger(config, candidate);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {dir}"))?;
    }
    let temp = Utf8PathBuf::from(format!("{path}.partial"));
    let text = serde_json::to_string_pretty(ledger)? + "\n";
    std::fs::write(&temp, text).with_context(|| format!("cannot write {temp}"))?;
    std::fs::rename(&temp, &path).with_context(|| format!("cannot write {path}"))
}

pub fn client(ctx: &Ctx, config: &Config) -> Atr {
    Atr::new(&ctx.sh, &config.atr_url)
}

/// Who a plan's calls act as, without requiring the secrets for a dry run.
pub fn acting(client: &Atr) -> String {
    client
        .acting_as()
        .unwrap_or_else(|_| format!("as {} (not set)", atr::UID_VAR))
}

/// The release of `version` on ATR (a public read), `None` when there is none.
pub fn release(ctx: &Ctx, config: &Config, version: &Version) -> Result<Option<atr::Release>> {
    client(ctx, config).release(&config.atr_project, &version.to_string())
}

/// Whether ATR's vote of `version` passed: its release is in Finish or published.
pub fn vote_passed(release: Option<&atr::Release>) -> bool {
    release.is_some_and(|r| r.phase == atr::PREVIEW || r.phase == atr::RELEASED)
}

/// Seconds since the epoch of ATR's ISO 8601 time.
pub fn epoch_of(iso: &str) -> Option<i64> {
    mail_parser::DateTime::parse_rfc3339(iso).map(|t| t.to_timestamp())
}

/// `GET <url>/release/get/...` as a plan shows it.
pub fn shown_get(client: &Atr, route: &str) -> String {
    format!("GET {}", client.url(route))
}

/// A write as a plan shows it: route, the fields that matter, who acts (never the token).
pub fn shown_post(client: &Atr, route: &str, fields: &str) -> String {
    format!("POST {} {{{fields}}} {}", client.url(route), acting(client))
}

/// Where the vote mail, the result and the announcement of RC `rc` stand on ATR.
pub fn mail_state(
    ctx: &Ctx,
    config: &Config,
    candidate: &Candidate,
    stage: &str,
) -> Result<Standing> {
    let release = release(ctx, config, &candidate.version)?;
    let phase = release
        .as_ref()
        .map(|r| r.phase.as_str())
        .unwrap_or_default();
    let ledger = load_ledger(config, candidate)?;
    let (done, detail) = match stage {
        "vote" => (
            ledger.vote_revision.is_some() && phase != atr::DRAFT && !phase.is_empty(),
            "ATR sends the [VOTE] mail when the vote starts",
        ),
        "result" => (vote_passed(release.as_ref()), "resolve the vote on ATR"),
        _ => (phase == atr::RELEASED, "announce through ATR"),
    };
    let detail = match done {
        true => format!(
            "done on ATR (phase {})",
            crate::untrusted::escape_str(phase)
        ),
        false => detail.to_string(),
    };
    Ok(Standing { done, detail })
}
