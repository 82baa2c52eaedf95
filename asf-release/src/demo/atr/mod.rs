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

//! An Apache Trusted Releases stand-in on 127.0.0.1 for the tests and the demo, as strict as
//! the API sheet (/work/shared/atr-api.md, 2026 shape) where a client could go wrong: JWTs
//! minted from a PAT and expiring (401), strict bodies (unknown fields and wrong types: 400
//! with pydantic-like details), phases (409 when wrong), revisions numbered per release and
//! never reused (one upload = one revision, an identical re-upload too), archives held for
//! validation on first sight (202), checks that really run on the stored bytes (hash,
//! signature and checksum presence, each `.asc` verified by gpg against the keys linked to
//! the committee with `key/add`, gzip/tar integrity, one root directory, LICENSE, and ATR's
//! `license.headers` rules word for word) and stay "ongoing" for a few polls, vote start with
//! ATR's preconditions (stale revision, ongoing checks, quarantine, blockers, permitted lists,
//! 72-144 hours), a tabulation of a thread fed from an mbox, resolve, and announce into
//! `/downloads/<committee>/...`. It records what it was asked and the mails ATR would
//! have sent, and can cut the connection around any route (the client's "killed" case). By
//! default it answers as 2026's ATR; `as_2025` makes it answer as 2025's where they differ.

mod checks;
mod keys;
mod routes;
mod routes_write;
mod serve;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use serde_json::Value;

use crate::config::Dist;
use crate::demo::faults::HttpFaults;
use crate::demo::loopback::{lock, Loopback};
use crate::tools::atr;

/// The personal access token of the sandbox's release manager.
pub const DEMO_TOKEN: &str = "atr-pat-demo-0123456789";

/// The JWT lifetime of 2026's ATR.
pub const JWT_SECONDS: i64 = 30 * 60;
/// How many JWTs ATR mints for a client in an hour.
pub const JWTS_PER_HOUR: usize = 10;
/// How many `checks/ongoing` polls a new revision's checks stay ongoing.
const CHECK_POLLS: u32 = 2;
/// How many `release/get` polls an archive stays in validation.
const QUARANTINE_POLLS: u32 = 2;

/// One request the stand-in received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub status: u16,
}

/// A mail ATR sent (vote, result, announcement).
#[derive(Debug, Clone)]
pub struct SentMail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

#[derive(Debug, Clone)]
pub struct Revision {
    pub number: String,
    pub files: BTreeMap<String, Vec<u8>>,
    pub description: String,
    pub was_quarantined: bool,
    pub phase: String,
    pub checks: Vec<Value>,
    /// Polls of `checks/ongoing` left before its checks are done.
    pub checks_left: u32,
}

#[derive(Debug, Clone)]
pub struct Pending {
    pub relpath: String,
    pub content: Vec<u8>,
    pub polls_left: u32,
}

#[derive(Debug, Clone)]
pub struct Release {
    pub project: String,
    pub version: String,
    pub phase: String,
    pub created: i64,
    pub revisions: Vec<Revision>,
    /// The per-release counter: numbers are never reused.
    pub counter: u32,
    pub vote_started: Option<i64>,
    pub vote_hours: u32,
    pub vote_revision: Option<String>,
    pub released: Option<i64>,
    pub pending: Vec<Pending>,
    /// The vote thread as the list archive has it (an mbox), once it is there.
    pub thread: Option<String>,
}

impl Release {
    pub fn key(&self) -> String {
        format!("{}-{}", self.project, self.version)
    }

    pub fn latest(&self) -> Option<&Revision> {
        self.revisions.last()
    }
}

/// Cut the connection of the next request to a route: before ATR acts, or after it acted
/// (its answer lost, as when the client is killed while waiting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    Before,
    After,
}

#[derive(Clone)]
pub struct State {
    pub uid: String,
    pub pat: String,
    pub project: String,
    /// The project's PMC, for the tabulation's binding votes.
    pub pmc: Vec<String>,
    /// The project's committee, and the public keys linked to each committee.
    pub committee: String,
    pub keys: BTreeMap<String, Vec<keys::StoredKey>>,
    /// Issued JWTs and when they expire.
    pub jwts: Vec<(String, i64)>,
    pub minted: u32,
    /// When each JWT was minted (the rate limit counts the last hour's).
    pub mint_times: Vec<i64>,
    /// How long a new JWT lives (2026's ATR: 30 minutes).
    pub jwt_seconds: i64,
    pub releases: BTreeMap<String, Release>,
    /// Digests of archives validated before (not held again).
    pub validated: Vec<String>,
    pub seen: Vec<Seen>,
    pub mails: Vec<SentMail>,
    /// The route, how many of its requests to let through first, and the cut.
    pub cut: Option<(String, usize, Cut)>,
    /// Answer announce as 2025's ATR: a `subject` is required.
    pub announce_needs_subject: bool,
    /// Start a vote only when every checker with concerns in the revision is named in
    /// `concerns_noted` (one reading of 2026's ATR).
    pub concerns_must_be_noted: bool,
    /// Take uploads as 2025's ATR: a path the draft has already is refused (500 "File
    /// already exists", no revision), and archives are not held for validation.
    pub uploads_2025: bool,
    /// The next request to a route gets this answer (status, body): 429, 500 ...
    pub forced: Option<(String, u16, String)>,
    /// Answer as 2025's ATR (e354d17, the real server `tests/atr_real.rs` runs) where it
    /// differs from 2026's: check statuses `success/warning/failure`, only running checks stop
    /// a vote (failures do not), `vote/start` knows only its 2025 fields and answers its
    /// refusals with 400, `vote/tabulate` answers a token-only client 500 "No ASFQuart session
    /// found", `vote/resolve` knows no `cancelled`, and a bad token is 500 "Invalid PAT".
    /// [`AtrStandIn::as_2025`] sets it with the other 2025 behaviours.
    pub server_2025: bool,
    /// Where announced files went: `<committee>/<path_suffix>/<file>` under `/downloads/`.
    pub downloads: Vec<String>,
    /// Requests counted with the tests' tool calls, one of them failing.
    pub faults: Option<HttpFaults>,
}

impl State {
    pub fn now(&self) -> i64 {
        crate::clock::system_now() as i64
    }
}

pub struct AtrStandIn {
    pub url: String,
    state: Arc<Mutex<State>>,
}

/// The `--dist` of `demo`.
pub fn parse_dist(text: &str) -> Result<Dist> {
    match text {
        "svn" => Ok(Dist::Svn),
        "atr" => Ok(Dist::Atr),
        _ => bail!("`{text}` is not a route: use svn or atr"),
    }
}

impl AtrStandIn {
    /// The demo's ATR when the sandbox releases through ATR: project `demo`, release manager
    /// `rm`, the PMC of the demo's vote thread.
    pub fn for_demo(dist: Dist) -> Result<Option<AtrStandIn>> {
        match dist {
            Dist::Atr => Ok(Some(AtrStandIn::start(
                "demo",
                "rm",
                DEMO_TOKEN,
                &["rm", "alice", "bob", "carol"],
            )?)),
            Dist::Svn => Ok(None),
        }
    }

    /// The variables that point the xtask at this ATR as the demo's release manager.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            (atr::UID_VAR.into(), "rm".into()),
            (atr::TOKEN_VAR.into(), DEMO_TOKEN.into()),
            (atr::POLL_VAR.into(), "20".into()),
        ]
    }

    /// The list archive has the vote thread (for ATR's tabulation) and the vote period is over.
    pub fn vote_period_over(&self, version: &str, mbox: &Utf8Path) -> Result<()> {
        let thread =
            std::fs::read_to_string(mbox).with_context(|| format!("cannot read {mbox}"))?;
        self.feed_thread(version, &thread);
        self.later(80);
        Ok(())
    }

    pub fn print_mails(&self) {
        println!("  mails ATR sent:");
        for mail in self.mails() {
            println!("    to {}: {}", mail.to, mail.subject);
        }
    }

    /// Serves project `project` for `uid`, who holds the token `pat`; `pmc` are the binding
    /// voters.
    pub fn start(project: &str, uid: &str, pat: &str, pmc: &[&str]) -> Result<AtrStandIn> {
        let loopback = Loopback::bind("the ATR stand-in")?;
        let url = loopback.url.clone();
        let state = Arc::new(Mutex::new(State {
            uid: uid.to_string(),
            pat: pat.to_string(),
            project: project.to_string(),
            pmc: pmc.iter().map(|p| p.to_string()).collect(),
            committee: project.to_string(),
            keys: BTreeMap::new(),
            jwts: Vec::new(),
            minted: 0,
            mint_times: Vec::new(),
            jwt_seconds: JWT_SECONDS,
            releases: BTreeMap::new(),
            validated: Vec::new(),
            seen: Vec::new(),
            mails: Vec::new(),
            cut: None,
            announce_needs_subject: false,
            uploads_2025: false,
            concerns_must_be_noted: false,
            forced: None,
            server_2025: false,
            downloads: Vec::new(),
            faults: None,
        }));
        let shared = state.clone();
        loopback.serve(move |stream| {
            let state = shared.clone();
            // One thread per connection: a slow upload does not hold up a poll.
            std::thread::spawn(move || serve::serve(&state, stream));
        });
        Ok(AtrStandIn { url, state })
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Behaves as 2025's ATR in everything the stand-in knows of it (see `server_2025`,
    /// `announce_needs_subject`, `uploads_2025`).
    pub fn as_2025(&self) {
        let mut state = self.state();
        state.server_2025 = true;
        state.announce_needs_subject = true;
        state.uploads_2025 = true;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state().seen.clone()
    }

    pub fn mails(&self) -> Vec<SentMail> {
        self.state().mails.clone()
    }

    /// All it knows now, to be put back with [`AtrStandIn::restore`].
    pub fn snapshot(&self) -> State {
        self.state().clone()
    }

    /// Back to a snapshot; the faults to inject stay as they are.
    pub fn restore(&self, snapshot: &State) {
        let mut state = self.state();
        let faults = state.faults.take();
        *state = snapshot.clone();
        state.faults = faults;
    }

    /// Counts every request with the tests' tool calls and fails the chosen one.
    pub fn inject_faults(&self, faults: Option<HttpFaults>) {
        self.state().faults = faults;
    }

    /// Every JWT issued so far has expired.
    pub fn expire_tokens(&self) {
        let now = self.state().now();
        for (_, expires) in self.state().jwts.iter_mut() {
            *expires = now - 1;
        }
    }

    /// `hours` pass (the vote period): what ATR recorded moves that far into the past, so
    /// clients with the real clock see the same time pass.
    pub fn later(&self, hours: i64) {
        for minted in self.state().mint_times.iter_mut() {
            *minted -= hours * 3600;
        }
        for release in self.state().releases.values_mut() {
            release.created -= hours * 3600;
            if let Some(started) = release.vote_started.as_mut() {
                *started -= hours * 3600;
            }
        }
    }

    /// The list archive now has the vote thread of `version`: this mbox.
    pub fn feed_thread(&self, version: &str, mbox: &str) {
        let mut state = self.state();
        let key = format!("{}-{version}", state.project);
        if let Some(release) = state.releases.get_mut(&key) {
            release.thread = Some(mbox.to_string());
        }
    }

    /// The request number `skip + 1` from now whose path starts with `route` (like
    /// `/api/vote/start`) is cut.
    pub fn cut_nth(&self, route: &str, skip: usize, cut: Cut) {
        self.state().cut = Some((route.to_string(), skip, cut));
    }

    /// The next request whose path starts with `route` gets `status` with `{"error": message}`.
    pub fn force_next(&self, route: &str, status: u16, message: &str) {
        let body = serde_json::json!({ "error": message }).to_string();
        self.state().forced = Some((route.to_string(), status, body));
    }

    /// Someone changes the draft of `version` on ATR's web pages: `path` gets `content`, or is
    /// deleted with `None` (one new revision either way).
    pub fn edit_draft(&self, version: &str, path: &str, content: Option<&[u8]>) {
        let mut state = self.state();
        let key = format!("{}-{version}", state.project);
        let Some(release) = state.releases.get_mut(&key) else {
            return;
        };
        match content {
            Some(bytes) => {
                routes::add_revision(release, path, bytes.to_vec(), false);
            }
            None => routes::remove_from_draft(release, path),
        }
    }

    /// The release of `version`, if any.
    pub fn release(&self, version: &str) -> Option<Release> {
        let state = self.state();
        let key = format!("{}-{version}", state.project);
        state.releases.get(&key).cloned()
    }
}
