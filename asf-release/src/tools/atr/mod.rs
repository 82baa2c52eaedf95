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

//! The client of Apache Trusted Releases' HTTP API (`/api`), through `tools::curl`.
//!
//! Secrets: the ASF id in `ATR_UID` and the personal access token in `ATR_TOKEN`, read from
//! the environment only. The token is exchanged for a short-lived JWT (`jwt/create`, its body
//! given to curl on standard input), the JWT goes only into the `Authorization` header (also
//! on standard input), is kept in memory and for the next run in a private file (`jwt.rs`), and
//! is minted again shortly before its `exp` claim (30 minutes) or when ATR answers 401.
//! Neither is printed: requests are shown by route and fields.
//!
//! Answers are outside input: read with a size limit, parsed into types, their messages shown
//! escaped. Only safe calls are retried (reads, the token exchange, the tabulation); a write
//! that got no answer is not repeated: the step reads ATR's state again on its next run.

mod error;
mod jwt;
mod keys;
mod types;

use std::cell::RefCell;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use xshell::Shell;

use error::message_of;
pub use error::{status_of, AtrError};
pub use keys::{checked_fingerprint, same_key};
pub use types::*;

use crate::tools::curl;
use crate::untrusted::escape_short;

pub const UID_VAR: &str = "ATR_UID";
pub const TOKEN_VAR: &str = "ATR_TOKEN";
/// Tests: milliseconds between polls and retries (default 1000).
pub const POLL_VAR: &str = "XTASK_ATR_POLL_MS";

/// Most answers are a few kilobytes; a check listing of a large archive is bigger.
const BODY_LIMIT: u64 = 4 * 1024 * 1024;
const CHECKS_LIMIT: u64 = 64 * 1024 * 1024;
/// ATR's request limit is 512 MiB including the base64 overhead.
pub const UPLOAD_LIMIT: u64 = 380 * 1024 * 1024;
/// Tests: a lower upload limit in bytes, for the files that go by rsync.
pub const UPLOAD_LIMIT_VAR: &str = "XTASK_ATR_UPLOAD_LIMIT";

/// The largest file sent through the upload API.
pub fn upload_limit() -> u64 {
    std::env::var(UPLOAD_LIMIT_VAR)
        .ok()
        .and_then(|bytes| bytes.parse().ok())
        .map_or(UPLOAD_LIMIT, |bytes: u64| bytes.min(UPLOAD_LIMIT))
}
const ATTEMPTS: u32 = 3;

/// The routes ATR answers by POST that change nothing others see: a token for this session,
/// a count of the votes. Every other POST changes the world (fail closed: a new route is a
/// write until it is listed here).
const READS_BY_POST: [&str; 2] = ["/jwt/create", "/vote/tabulate"];

/// A revision number goes into later routes and messages: digits only, as ATR makes them.
fn check_revision(number: &str) -> Result<()> {
    if number.is_empty() || number.len() > 12 || !number.bytes().all(|b| b.is_ascii_digit()) {
        bail!(
            "ATR named a revision `{}`, not a revision number: refusing to use it; check \
             atr-url",
            escape_short(number.as_bytes(), 40)
        );
    }
    Ok(())
}

struct Credentials {
    uid: String,
    token: String,
}

fn env_secret(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

pub struct Atr {
    sh: Shell,
    /// `https://host` without a trailing slash.
    base: String,
    credentials: Option<Credentials>,
    jwt: RefCell<Option<String>>,
    /// The JWT kept between runs.
    kept: Option<jwt::Cache>,
    pause: Duration,
}

impl Atr {
    /// The client of ATR at `base` (checked by the configuration: https, or http to loopback).
    pub fn new(sh: &Shell, base: &str) -> Atr {
        let credentials = match (env_secret(UID_VAR), env_secret(TOKEN_VAR)) {
            (Some(uid), Some(token)) => Some(Credentials { uid, token }),
            _ => None,
        };
        let pause = std::env::var(POLL_VAR)
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(Duration::from_secs(1), Duration::from_millis);
        let base = base.trim_end_matches('/').to_string();
        let kept = credentials
            .as_ref()
            .and_then(|c| jwt::Cache::for_account(&base, &c.uid, &c.token));
        Atr {
            sh: sh.clone(),
            base,
            credentials,
            jwt: RefCell::new(None),
            kept,
            pause,
        }
    }

    /// The full address of a route (`/release/get/...`).
    pub fn url(&self, route: &str) -> String {
        format!("{}/api{route}", self.base)
    }

    /// A page of ATR's web interface (`/keys`), for what the API cannot do.
    pub fn page(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The page where a draft's files are deleted (the API has no route for it).
    pub fn compose_page(&self, project: &str, version: &str) -> String {
        self.page(&format!("/compose/{project}/{version}"))
    }

    /// ATR's host name, for rsync over SSH.
    pub fn host(&self) -> &str {
        let authority = self
            .base
            .split_once("://")
            .map_or(self.base.as_str(), |(_, a)| a);
        authority.split([':', '/']).next().unwrap_or(authority)
    }

    /// The pause between polls.
    pub fn pause(&self) -> Duration {
        self.pause
    }

    /// Who acts, for plans: `as alice`; an error when the secrets are missing.
    pub fn acting_as(&self) -> Result<String> {
        match &self.credentials {
            Some(c) => Ok(format!("as {} (bearer token not shown)", c.uid)),
            None => bail!(
                "ATR needs your ASF id in {UID_VAR} and a personal access token in {TOKEN_VAR} \
                 (environment): make the token on {}/tokens",
                self.base
            ),
        }
    }

    fn send(
        &self,
        method: &str,
        route: &str,
        body: Option<&[u8]>,
        auth: Option<&str>,
        secret_body: bool,
        limit: u64,
    ) -> Result<Result<curl::Response, String>> {
        let url = self.url(route);
        let mut headers = vec![("Accept", "application/json".to_string())];
        if body.is_some() {
            headers.push(("Content-Type", "application/json".to_string()));
        }
        if let Some(jwt) = auth {
            headers.push(("Authorization", format!("Bearer {jwt}")));
        }
        let request = curl::Request {
            method,
            url: &url,
            headers,
            body,
            secret_body,
            // An upload carries up to ~500 MiB; everything else is small.
            timeout: Duration::from_secs(if route == "/release/upload" {
                3600
            } else {
                120
            }),
            connect_timeout: Duration::from_secs(15),
            body_limit: limit,
            reads_by_post: READS_BY_POST.contains(&route),
        };
        match curl::send(&self.sh, &request) {
            Ok(response) => Ok(Ok(response)),
            Err(curl::Failure::NoAnswer(reason)) => Ok(Err(reason)),
            Err(curl::Failure::Local(err)) => Err(err),
        }
    }

    /// One call with retries where `safe`; returns the 2xx answer or an [`AtrError`].
    fn call(
        &self,
        method: &str,
        route: &str,
        body: Option<&[u8]>,
        auth: Option<&str>,
        safe: bool,
        limit: u64,
    ) -> Result<curl::Response> {
        let secret_body = route == "/jwt/create";
        let what = format!("{method} {}", self.url(route));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let answer = self.send(method, route, body, auth, secret_body, limit)?;
            let retry = safe && attempt < ATTEMPTS;
            match answer {
                Err(reason) if retry => {
                    eprintln!("  no answer from ATR for {what} ({reason}); trying again");
                }
                Err(reason) => bail!(
                    "no answer from ATR for {what}: {}; {}",
                    escape_short(reason.as_bytes(), 300),
                    if safe {
                        "check the network and atr-url"
                    } else {
                        "ATR may or may not have done it: rerun the step, it reads ATR's \
                         state first"
                    }
                ),
                Ok(response) if (200..300).contains(&response.status) => return Ok(response),
                // ATR mints 10 tokens an hour: asking again at once only spends the next one.
                Ok(response) if response.status == 429 && route == "/jwt/create" => {
                    return Err(AtrError {
                        route: what,
                        status: response.status,
                        message: message_of(&response.body),
                    }
                    .into())
                }
                Ok(response) if retry && matches!(response.status, 429 | 502..=504) => {
                    eprintln!(
                        "  ATR answered {what} with {}; trying again",
                        response.status
                    );
                }
                Ok(response) => {
                    return Err(AtrError {
                        route: what,
                        status: response.status,
                        message: message_of(&response.body),
                    }
                    .into())
                }
            }
            std::thread::sleep(self.pause * attempt);
        }
    }

    fn parse<T: DeserializeOwned>(route: &str, response: &curl::Response) -> Result<T> {
        serde_json::from_slice(&response.body).with_context(|| {
            format!(
                "ATR's answer to {route} is not what the API describes: {}",
                escape_short(&response.body, 200)
            )
        })
    }

    /// A public read.
    fn get<T: DeserializeOwned>(&self, route: &str, limit: u64) -> Result<T> {
        let response = self.call("GET", route, None, None, true, limit)?;
        Self::parse(route, &response)
    }

    fn mint(&self) -> Result<String> {
        self.acting_as()?;
        let Some(credentials) = &self.credentials else {
            bail!("no ATR credentials");
        };
        let body = json!({"asfuid": credentials.uid, "pat": credentials.token}).to_string();
        #[derive(serde::Deserialize)]
        struct Minted {
            jwt: String,
        }
        let response = self
            .call(
                "POST",
                "/jwt/create",
                Some(body.as_bytes()),
                None,
                true,
                BODY_LIMIT,
            )
            .map_err(|err| match status_of(&err) {
                Some(400..=403) | Some(500) => err.context(format!(
                    "ATR did not accept {UID_VAR} and {TOKEN_VAR}: make a new token on {}/tokens",
                    self.base
                )),
                _ => err,
            })?;
        let minted: Minted = Self::parse("/jwt/create", &response)?;
        if minted.jwt.is_empty() || minted.jwt.contains(['\r', '\n', '\0']) {
            bail!("ATR's /jwt/create answered no usable token");
        }
        Ok(minted.jwt)
    }

    /// A call with the JWT; a 401 (expired or revoked JWT: nothing was done) mints a new one
    /// and repeats the call once.
    fn bearer<T: DeserializeOwned>(&self, route: &str, body: &Value, safe: bool) -> Result<T> {
        let body = body.to_string();
        for fresh in [false, true] {
            let now = crate::clock::system_now() as i64;
            // A token about to run out is replaced before ATR refuses it.
            let current = self
                .jwt
                .borrow()
                .clone()
                .or_else(|| self.kept.as_ref().and_then(|kept| kept.load(now)))
                .filter(|jwt| jwt::usable(jwt, now));
            let jwt = match (current, fresh) {
                (Some(jwt), false) => jwt,
                _ => {
                    let jwt = self.mint()?;
                    if let Some(kept) = &self.kept {
                        kept.store(&jwt);
                    }
                    jwt
                }
            };
            *self.jwt.borrow_mut() = Some(jwt.clone());
            match self.call(
                "POST",
                route,
                Some(body.as_bytes()),
                Some(&jwt),
                safe,
                BODY_LIMIT,
            ) {
                Ok(response) => return Self::parse(route, &response),
                Err(err) if status_of(&err) == Some(401) && !fresh => {
                    if let Some(kept) = &self.kept {
                        kept.forget();
                    }
                    eprintln!("  ATR's token expired; getting a new one");
                }
                Err(err) => return Err(err),
            }
        }
        unreachable!("the second attempt returns")
    }
}

/// What an upload got: a new revision, or the archive waits for ATR's validation.
pub enum Uploaded {
    Revision(Revision),
    Quarantined,
}

impl Atr {
    /// The release, `None` when ATR has none.
    pub fn release(&self, project: &str, version: &str) -> Result<Option<Release>> {
        #[derive(serde::Deserialize)]
        struct Answer {
            release: Release,
        }
        match self.get::<Answer>(&format!("/release/get/{project}/{version}"), BODY_LIMIT) {
            Ok(answer) => {
                if let Some(number) = &answer.release.latest_revision_number {
                    check_revision(number)?;
                }
                Ok(Some(answer.release))
            }
            Err(err) if status_of(&err) == Some(404) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// The files of a revision.
    pub fn paths(&self, project: &str, version: &str, revision: &str) -> Result<Vec<String>> {
        #[derive(serde::Deserialize)]
        struct Answer {
            rel_paths: Vec<String>,
        }
        let route = format!("/release/paths/{project}/{version}/{revision}");
        Ok(self.get::<Answer>(&route, BODY_LIMIT)?.rel_paths)
    }

    pub fn create(&self, project: &str, version: &str) -> Result<Release> {
        #[derive(serde::Deserialize)]
        struct Answer {
            release: Release,
        }
        let body = json!({"project": project, "version": version});
        Ok(self
            .bearer::<Answer>("/release/create", &body, false)?
            .release)
    }

    pub fn upload(
        &self,
        project: &str,
        version: &str,
        relpath: &str,
        content: &[u8],
    ) -> Result<Uploaded> {
        if content.len() as u64 > upload_limit() {
            bail!(
                "{relpath} is {} bytes, more than ATR takes in one API upload ({}): upload it \
                 with rsync over SSH instead (docs/atr.md)",
                content.len(),
                upload_limit()
            );
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            revision: Option<Revision>,
            #[serde(default)]
            quarantined: bool,
        }
        let body = json!({
            "project": project, "version": version, "relpath": relpath,
            "content": crate::encoding::base64(content),
        });
        let answer: Answer = self.bearer("/release/upload", &body, false)?;
        match (answer.revision, answer.quarantined) {
            (Some(revision), _) => {
                check_revision(&revision.number)?;
                Ok(Uploaded::Revision(revision))
            }
            (None, true) => Ok(Uploaded::Quarantined),
            (None, false) => bail!("ATR accepted {relpath} but named no revision"),
        }
    }

    /// How many checks are queued or running for the revision.
    pub fn checks_ongoing(&self, project: &str, version: &str, revision: &str) -> Result<u64> {
        #[derive(serde::Deserialize)]
        struct Answer {
            ongoing: u64,
        }
        let route = format!("/checks/ongoing/{project}/{version}/{revision}");
        Ok(self.get::<Answer>(&route, BODY_LIMIT)?.ongoing)
    }

    pub fn checks(&self, project: &str, version: &str, revision: &str) -> Result<Vec<CheckResult>> {
        #[derive(serde::Deserialize)]
        struct Answer {
            checks: Vec<CheckResult>,
        }
        let route = format!("/checks/list/{project}/{version}/{revision}");
        match self.get::<Answer>(&route, CHECKS_LIMIT) {
            Ok(answer) => Ok(answer.checks),
            // 2025's ATR: no results yet.
            Err(err) if err.to_string().contains("No revision found") => Ok(Vec::new()),
            Err(err) => Err(err),
        }
    }

    /// Starts the vote; ATR sends the mail.
    pub fn vote_start(&self, vote: &VoteStart) -> Result<Task> {
        #[derive(serde::Deserialize)]
        struct Answer {
            task: Task,
        }
        let mut body = json!({
            "project": vote.project, "version": vote.version, "revision": vote.revision,
            "email_to": vote.email_to, "vote_duration": vote.hours,
            "subject": vote.subject, "body": vote.body,
        });
        // 2025's ATR knows no such field (strict bodies): sent only when there are concerns.
        if !vote.concerns_noted.is_empty() {
            body["concerns_noted"] = json!(vote.concerns_noted);
        }
        Ok(self.bearer::<Answer>("/vote/start", &body, false)?.task)
    }

    /// ATR's count of the vote thread; `None` until the list archive has it.
    pub fn tabulate(&self, project: &str, version: &str) -> Result<Option<Tabulation>> {
        let body = json!({"project": project, "version": version});
        match self.bearer("/vote/tabulate", &body, true) {
            Ok(tabulation) => Ok(Some(tabulation)),
            Err(err) if status_of(&err) == Some(404) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// `passed`, `failed` or `cancelled`.
    pub fn resolve(&self, project: &str, version: &str, resolution: &str) -> Result<()> {
        let body = json!({"project": project, "version": version, "resolution": resolution});
        let _: Value = self.bearer("/vote/resolve", &body, false)?;
        Ok(())
    }

    /// 2026's ATR takes the subject from the project's template; 2025's required one: it is
    /// sent when ATR's validation asks for it (a 400 means nothing was done).
    pub fn announce(&self, announcement: &Announcement) -> Result<()> {
        let mut body = json!({
            "project": announcement.project, "version": announcement.version,
            "revision": announcement.revision, "email_to": announcement.email_to,
            "body": announcement.body, "path_suffix": announcement.path_suffix,
        });
        match self.bearer::<Value>("/release/announce", &body, false) {
            Err(err) if status_of(&err) == Some(400) && err.to_string().contains("subject") => {
                body["subject"] = json!(announcement.subject);
                self.bearer::<Value>("/release/announce", &body, false)
                    .map(|_| ())
            }
            result => result.map(|_| ()),
        }
    }
}

pub struct VoteStart {
    pub project: String,
    pub version: String,
    pub revision: String,
    pub email_to: String,
    pub hours: u32,
    pub subject: String,
    pub body: String,
    /// The checker keys whose concerns the release manager has seen.
    pub concerns_noted: Vec<String>,
}

pub struct Announcement {
    pub subject: String,
    pub project: String,
    pub version: String,
    pub revision: String,
    pub email_to: String,
    pub body: String,
    pub path_suffix: String,
}
