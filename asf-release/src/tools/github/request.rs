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

//! One GitHub request, end to end: the token only to `GITHUB_API_URL`, redirects followed on
//! that host only (a renamed repository answers 301 for reads and 307 for writes), writes
//! paced, rate limits waited out where a retry is safe, and failures explained.

use anyhow::{anyhow, bail, Result};
use serde_json::Value;

use super::errors::{detail, shown};
use super::http::{Request, Response};
use super::rate::{self, MAX_RETRIES};
use super::{GitHub, Repository};
use crate::config_checks::check_repo_name;

/// More hops than a rename needs means a loop.
const MAX_REDIRECTS: u32 = 5;

/// `scheme://host:port` of a URL, lower-cased.
fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!("{scheme}://{host}").to_ascii_lowercase()
}

/// A `Location` value made absolute against the URL that answered.
fn resolve(base: &str, location: &str) -> String {
    if location.contains("://") {
        location.to_string()
    } else if location.starts_with('/') {
        format!("{}{location}", origin(base))
    } else {
        let dir = base.rsplit_once('/').map_or(base, |(dir, _)| dir);
        format!("{dir}/{location}")
    }
}

impl GitHub {
    fn within_api(&self, url: &str) -> bool {
        url.starts_with(&format!("{}/", self.api))
    }

    /// Sends one request, following same-host redirects and waiting out rate limits; returns
    /// GitHub's final answer whatever its status. `idempotent` writes are retried like reads.
    pub(super) fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Response> {
        let token = self.token.as_deref();
        let auth = token.map(|t| format!("Bearer {t}"));
        let write = method != "GET";
        let mut url = url.to_string();
        let (mut redirects, mut retries) = (0, 0);
        loop {
            let what = format!("{method} {}", shown(&url, token, 200));
            if !self.within_api(&url) {
                bail!(
                    "GitHub sent a link to {}, outside {}: refusing to send the token there",
                    shown(&url, token, 200),
                    self.api
                );
            }
            if write {
                self.pacer.before_write();
            }
            let request = Request {
                method,
                url: &url,
                auth: auth.as_deref(),
                body,
            };
            let response = self.transport.send(&request)?.map_err(|err| {
                anyhow!(
                    "cannot reach GitHub for {what}: {}; check the network, or GITHUB_API_URL \
                     (now {})",
                    shown(&err, token, 300),
                    self.api
                )
            })?;
            if matches!(response.status, 301 | 302 | 307 | 308) {
                redirects += 1;
                let location = response.header("location").unwrap_or_default();
                let next = resolve(&url, location);
                if redirects > MAX_REDIRECTS || location.is_empty() || !self.within_api(&next) {
                    bail!(
                        "GitHub redirected {what} ({}) to `{}`, which is not under {}: not \
                         followed, the token stays with GITHUB_API_URL; check `github-repo` \
                         and GITHUB_API_URL",
                        response.status,
                        shown(location, token, 200),
                        self.api
                    );
                }
                self.note_moved(&url, &next);
                url = next;
                continue;
            }
            let message = serde_json::from_str::<Value>(&response.body)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_default();
            let Some(limited) =
                rate::limited(&response, &message, crate::clock::system_now(), retries)
            else {
                return Ok(response);
            };
            let retry_safe = !write || idempotent;
            let too_long = rate::check_wait(&limited, &self.policy);
            if retry_safe && retries < MAX_RETRIES && too_long.is_ok() {
                retries += 1;
                rate::wait_visibly(limited.wait, &what, retries);
                continue;
            }
            let until = rate::clock(crate::clock::system_now() + limited.wait.as_secs());
            let why = match (too_long, retry_safe) {
                (Err(err), _) => format!("{err}"),
                (Ok(()), false) => "this write is not safe to repeat automatically".to_string(),
                (Ok(()), true) => format!("{MAX_RETRIES} retries did not get through"),
            };
            let advice = match (self.token.is_some(), limited.primary) {
                (false, _) => "set GITHUB_TOKEN for a higher limit (5,000 requests an hour \
                               instead of 60), or rerun then"
                    .to_string(),
                (true, true) => "the token's hourly limit is used up; rerun then".to_string(),
                (true, false) => "GitHub asks to slow down (a secondary rate limit); rerun \
                                  then, the steps go on where they stopped"
                    .to_string(),
            };
            bail!(
                "GitHub's rate limit stopped {what} ({} {}): it allows the next request at \
                 {until} (from {}); {why}; {advice}",
                response.status,
                detail(&response.body, token),
                limited.source
            );
        }
    }

    /// After a redirect from our repository's URL to `/repositories/{id}/...`: asks GitHub
    /// the repository's current name and says it, once. Requests keep going to the configured
    /// name (GitHub redirects them all) until the user updates it.
    fn note_moved(&self, from: &str, to: &str) {
        let ours = self.url("");
        let by_id = format!("{}/repositories/", self.api);
        let from_ours = from == ours || from.starts_with(&format!("{ours}/"));
        if self.moved_noted.get() || !from_ours || !to.starts_with(&by_id) {
            return;
        }
        self.moved_noted.set(true);
        let id = to[by_id.len()..]
            .split(['/', '?'])
            .next()
            .unwrap_or_default();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return;
        }
        let found = self
            .request("GET", &format!("{by_id}{id}"), None)
            .ok()
            .and_then(|r| serde_json::from_str::<Repository>(&r.body).ok())
            .map(|r| r.full_name)
            .filter(|name| check_repo_name(name).is_ok() && *name != self.repo);
        match found {
            Some(name) => eprintln!(
                "note: GitHub repository {} is now {name} (renamed or transferred): this run \
                 follows GitHub's redirects; update {} to `{name}`",
                self.repo, self.repo_source
            ),
            None => eprintln!(
                "note: GitHub redirects repository {} to repository id {id} (renamed or \
                 transferred): this run follows; update {}",
                self.repo, self.repo_source
            ),
        }
    }

    /// A non-2xx answer as an error saying what to do.
    pub(super) fn check(&self, response: Response, method: &str, url: &str) -> Result<Response> {
        let status = response.status;
        if (200..300).contains(&status) {
            return Ok(response);
        }
        let token = self.token.as_deref();
        let what = format!("{method} {}", shown(url, token, 200));
        let detail = detail(&response.body, token);
        let repo = &self.repo;
        match status {
            401 => bail!(
                "GitHub refused the credentials for {what} (401 {detail}): set GITHUB_TOKEN (or \
                 GH_TOKEN) to a valid token"
            ),
            403 if self.token.is_none() => bail!(
                "GitHub forbids {what} (403 {detail}): set GITHUB_TOKEN (or GH_TOKEN) to a \
                 token with access to {repo}"
            ),
            403 => bail!(
                "GitHub forbids {what} (403 {detail}): the token in GITHUB_TOKEN (or GH_TOKEN) \
                 needs write access to {repo}"
            ),
            // GitHub hides what a token may not change behind 404, as if it were not there.
            404 if method != "GET" => {
                let permission = match url.contains("/releases") {
                    true => "a fine-grained token needs Contents: read and write for releases",
                    false => {
                        "a fine-grained token needs Issues and Pull requests: read and write \
                         for labels and milestones"
                    }
                };
                bail!(
                    "GitHub answered {what} with 404 ({detail}): for a write this usually means \
                     the token in GITHUB_TOKEN (or GH_TOKEN) lacks a permission ({permission}; \
                     a classic token needs the `repo` scope, or `public_repo`), or the \
                     repository `{repo}` is not the one meant; nothing was changed by it"
                )
            }
            404 => bail!(
                "GitHub has nothing at {what} (404 {detail}): check the repository `{repo}` \
                 (setting github-repo or the remote's URL); a private repository also needs \
                 GITHUB_TOKEN"
            ),
            410 => {
                let lower = detail.to_ascii_lowercase();
                if lower.contains("issues") && lower.contains("disabled") {
                    bail!(
                        "GitHub answered {what} with 410 ({detail}): issues are disabled on \
                         {repo}; milestones, labels and backports need them: enable Issues in \
                         the repository's settings (for an ASF repository: `features: issues: \
                         true` under `github:` in .asf.yaml)"
                    )
                }
                if lower.contains("version") {
                    bail!(
                        "GitHub answered {what} with 410 ({detail}): GitHub has retired REST API \
                         version {} that this tool sends: update the tool",
                        super::API_VERSION
                    )
                }
                bail!(
                    "GitHub answered {what} with 410 ({detail}): GitHub says it is gone for \
                     good (issues disabled on {repo}, or API version {} retired): check the \
                     repository's settings",
                    super::API_VERSION
                )
            }
            422 => bail!("GitHub rejected {what} (422 {detail})"),
            500..=599 => bail!(
                "GitHub failed on {what} ({status} {detail}): a server-side problem; try again \
                 in a few minutes"
            ),
            _ => bail!("GitHub answered {what} with {status}: {detail}"),
        }
    }

    /// [`Self::send`] and [`Self::check`]; only reads are retried.
    pub(super) fn request(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Response> {
        let response = self.send(method, url, body, false)?;
        self.check(response, method, url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_resolve_against_the_answering_url() {
        let base = "https://api.github.com/repos/a/b/issues?page=2";
        assert_eq!(
            resolve(base, "/repositories/42/issues"),
            "https://api.github.com/repositories/42/issues"
        );
        assert_eq!(resolve(base, "https://x.example/y"), "https://x.example/y");
        assert_eq!(origin("HTTP://127.0.0.1:8080/a"), "http://127.0.0.1:8080");
    }
}
