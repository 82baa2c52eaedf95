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

//! A GitHub stand-in on 127.0.0.1 for the sandbox and the tests, as strict as GitHub where the
//! client could go wrong: it answers the REST calls `tools::github` makes (repository,
//! milestones, issues, pulls and their commits, labels, releases and tags) with JSON shaped
//! like GitHub's documented responses, releases and tags as the API description has them
//! (`releases.rs`); requires a `User-Agent`, the `Accept` media type and the API version
//! header; refuses writes without a token; pages listings by `per_page` (at most 100) with
//! `Link` headers naming `/repositories/{id}/...` as GitHub does; sends `x-ratelimit-*` on every
//! answer, and GitHub-shaped rate-limit answers, renames (301/307) and secondary limits when a
//! test asks; and records what it was asked.

mod pulls;
mod releases;
mod serve;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::Result;
use camino::{Utf8Path, Utf8PathBuf};
use serde_json::{json, Value};

use super::faults::HttpFaults;
use super::loopback::{lock, Loopback};

/// The numeric id GitHub gives the served repository (Link headers and redirects use it).
pub const REPO_ID: u64 = 4242;

/// One request the stand-in received.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub target: String,
    pub authorization: Option<String>,
    /// When it arrived, to check the client's pacing.
    pub at: Instant,
    /// The status the stand-in answered.
    pub status: u16,
}

/// A forced answer for every request: status, extra headers, body.
pub type Forced = (u16, Vec<(String, String)>, String);

/// The rate-limit answers GitHub gives, as documented.
#[derive(Debug, Clone, Copy)]
pub enum RateLimit {
    /// 403, `x-ratelimit-remaining: 0`, `x-ratelimit-reset` this many seconds ahead.
    Primary { reset_in: u64 },
    /// 403 "secondary rate limit", with `retry-after` when `Some`.
    Secondary { retry_after: Option<u64> },
    /// 429 with `retry-after`.
    TooMany { retry_after: u64 },
}

/// A secondary limit on writes: at most `max` mutating requests in any `window`.
#[derive(Debug, Clone, Copy)]
pub struct WriteLimit {
    pub max: usize,
    pub window: Duration,
}

/// The rights the token's account has on the repository (`permissions` of the repo).
#[derive(Debug, Clone, Copy)]
pub struct Rights {
    pub push: bool,
    pub triage: bool,
}

/// What the stand-in knows.
#[derive(Clone)]
pub struct State {
    pub milestones: Vec<Value>,
    /// Issues and PRs as the issues API lists them.
    pub issues: Vec<Value>,
    /// PRs as the pulls API gives them.
    pub pulls: Vec<Value>,
    /// The commits of each PR as the PR commits API lists them, by PR number.
    pub pull_commits: Vec<(u64, Vec<Value>)>,
    pub seen: Vec<Seen>,
    pub fail: Option<Forced>,
    /// Every later write (not GET) gets this answer; reads are served.
    pub fail_writes: Option<Forced>,
    /// The next this many requests get `limit`'s answer.
    pub limited: Option<(usize, RateLimit)>,
    pub write_limit: Option<WriteLimit>,
    /// The name the repository had before a rename: requests to it are redirected.
    pub old_name: Option<String>,
    pub rights: Rights,
    /// A repository automation: adding the first label removes the second.
    pub automation: Option<(String, String)>,
    /// Releases as the releases API gives them.
    pub releases: Vec<Value>,
    /// The id of the repository's latest release (`make_latest`).
    pub latest: Option<u64>,
    /// The repository GitHub mirrors: its tags are GitHub's.
    pub git: Option<Utf8PathBuf>,
    /// Tags GitHub made itself for a release of a tag it lacked: tag, from what, commit.
    pub tags_created: Vec<(String, String, String)>,
    /// Requests counted with the tests' tool calls, one of them failing.
    pub faults: Option<HttpFaults>,
    /// Branches that require approving reviews.
    pub protected: Vec<String>,
    /// The token's account administers the repository (reads branch protection).
    pub admin: bool,
}

pub struct GitHubStandIn {
    pub url: String,
    /// `owner/name` of the one repository it serves.
    pub repo: String,
    state: Arc<Mutex<State>>,
}

/// A commit of a PR as its author pushed it.
#[derive(Debug, Clone)]
pub struct PushedCommit {
    pub sha: String,
    pub message: String,
    pub author_name: String,
    pub author_email: String,
}

/// A merged (or, without `merge_commit_sha`, oddly merged) pull request.
#[derive(Debug, Clone)]
pub struct MergedPull {
    pub number: u64,
    pub title: String,
    pub merged_at: String,
    pub labels: Vec<String>,
    pub base: String,
    /// The merge commit, the squash commit, or the last rebased commit, as GitHub gives it.
    pub merge_commit_sha: Option<String>,
    /// The PR's commits as pushed.
    pub commits: Vec<PushedCommit>,
}

impl GitHubStandIn {
    /// Starts serving `repo` on a free port of 127.0.0.1, at most `page` items per listing page
    /// (GitHub's own cap is 100; a smaller one makes every listing of a test cross pages).
    pub fn start(repo: &str, page: usize) -> Result<GitHubStandIn> {
        let loopback = Loopback::bind("the GitHub stand-in")?;
        let url = loopback.url.clone();
        let state = Arc::new(Mutex::new(State {
            milestones: Vec::new(),
            issues: Vec::new(),
            pulls: Vec::new(),
            pull_commits: Vec::new(),
            seen: Vec::new(),
            fail: None,
            fail_writes: None,
            limited: None,
            write_limit: None,
            old_name: None,
            rights: Rights {
                push: true,
                triage: true,
            },
            automation: None,
            releases: Vec::new(),
            latest: None,
            git: None,
            tags_created: Vec::new(),
            faults: None,
            protected: Vec::new(),
            admin: false,
        }));
        let server = serve::Server {
            state: state.clone(),
            base: url.clone(),
            repo: repo.to_string(),
            page_cap: page.clamp(1, 100),
            started: crate::clock::system_now(),
        };
        loopback.serve(move |stream| {
            let _ = server.serve(stream);
        });
        Ok(GitHubStandIn {
            url,
            repo: repo.to_string(),
            state,
        })
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub fn add_milestone(&self, number: u64, title: &str) {
        let html_url = format!("https://github.com/{}/milestone/{number}", self.repo);
        self.state().milestones.push(json!({
            "number": number, "title": title, "state": "open",
            "open_issues": 0, "closed_issues": 0, "html_url": html_url,
        }));
    }

    pub fn add_issue(
        &self,
        number: u64,
        title: &str,
        state: &str,
        milestone: Option<&str>,
        created_at: &str,
    ) {
        self.state().issues.push(json!({
            "number": number, "title": title, "state": state,
            "labels": [], "milestone": milestone.map(|m| json!({"title": m, "number": 1})),
            "created_at": created_at,
        }));
    }

    /// A PR of one commit merged into `base` with its merge (or squash) commit.
    pub fn add_merged_pull(
        &self,
        number: u64,
        title: &str,
        commit: &str,
        merged_at: &str,
        labels: &[&str],
        base: &str,
    ) {
        self.add_pull(MergedPull {
            number,
            title: title.to_string(),
            merged_at: merged_at.to_string(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            base: base.to_string(),
            merge_commit_sha: Some(commit.to_string()),
            commits: vec![PushedCommit {
                // The commit as pushed to the PR's branch, before GitHub merged it.
                sha: format!("{:040x}", number),
                message: title.to_string(),
                author_name: "A Contributor".to_string(),
                author_email: "contributor@example.org".to_string(),
            }],
        });
    }

    /// A merged PR of any kind: merge commit, squash, or rebase (several commits landed on
    /// `base`, `merge_commit_sha` the last of them, as GitHub reports a rebase merge).
    pub fn add_pull(&self, pull: MergedPull) {
        let labels: Vec<Value> = pull.labels.iter().map(|l| json!({"name": l})).collect();
        let commits: Vec<Value> = pull
            .commits
            .iter()
            .map(|c| {
                json!({
                    "sha": c.sha,
                    "commit": {
                        "message": c.message,
                        "author": {"name": c.author_name, "email": c.author_email,
                                   "date": "2024-01-01T00:00:00Z"},
                        "committer": {"name": c.author_name, "email": c.author_email,
                                      "date": "2024-01-01T00:00:00Z"},
                    },
                    "parents": [],
                })
            })
            .collect();
        let mut state = self.state();
        state.issues.push(json!({
            "number": pull.number, "title": pull.title, "state": "closed", "labels": labels,
            "milestone": null, "created_at": "2024-01-01T00:00:00Z",
            "pull_request": {"merged_at": pull.merged_at},
        }));
        state.pulls.push(json!({
            "number": pull.number, "title": pull.title, "state": "closed",
            "merged": true, "merged_at": pull.merged_at,
            "merge_commit_sha": pull.merge_commit_sha, "base": {"ref": pull.base},
            "milestone": null, "commits": commits.len(),
        }));
        state.pull_commits.push((pull.number, commits));
    }

    /// Puts an issue or PR into a milestone.
    pub fn set_milestone(&self, number: u64, title: &str) {
        let mut guard = self.state();
        let state = &mut *guard;
        let milestone = json!({"title": title, "number": 1});
        for item in state.issues.iter_mut().chain(state.pulls.iter_mut()) {
            if item["number"] == number {
                item["milestone"] = milestone.clone();
            }
        }
    }

    /// The labels of an issue or PR now.
    pub fn labels(&self, number: u64) -> Vec<String> {
        let state = self.state();
        state
            .issues
            .iter()
            .filter(|i| i["number"] == number)
            .flat_map(|i| i["labels"].as_array().cloned().unwrap_or_default())
            .filter_map(|l| serve::label_name(&l).map(String::from))
            .collect()
    }

    /// The releases now, as the releases API gives them.
    pub fn releases(&self) -> Vec<Value> {
        self.state().releases.clone()
    }

    /// GitHub mirrors the repository at `repo` (a path): its tags are the ones GitHub has.
    pub fn serve_git(&self, repo: &Utf8Path) {
        self.state().git = Some(repo.to_owned());
    }

    /// The tag of the repository's latest release.
    pub fn latest_tag(&self) -> Option<String> {
        let state = self.state();
        let latest = state.latest?;
        state
            .releases
            .iter()
            .find(|r| r["id"] == latest)
            .and_then(|r| r["tag_name"].as_str().map(String::from))
    }

    /// A release made by hand (or by a bot) on GitHub's pages: published and latest, or a
    /// draft. Returns its id.
    pub fn add_release(&self, tag: &str, name: &str, draft: bool) -> u64 {
        let mut state = self.state();
        let id = state
            .releases
            .iter()
            .filter_map(|r| r["id"].as_u64())
            .max()
            .unwrap_or(0)
            + 1;
        state.releases.push(json!({
            "id": id, "tag_name": tag, "name": name, "body": "Written by hand.",
            "draft": draft, "prerelease": false, "target_commitish": "master", "assets": [],
            "html_url": format!("https://github.com/{}/releases/tag/{tag}", self.repo),
            "created_at": "2025-01-01T00:00:00Z",
        }));
        if !draft {
            state.latest = Some(id);
        }
        id
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state().seen.clone()
    }

    /// Every later request gets this answer (errors, rate limits ...).
    pub fn fail_with(&self, status: u16, headers: &[(&str, &str)], body: &str) {
        let headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.state().fail = Some((status, headers, body.to_string()));
    }

    /// Every later write gets this answer (a token GitHub lets read but not write: 404).
    pub fn fail_writes_with(&self, status: u16, body: &str) {
        self.state().fail_writes = Some((status, Vec::new(), body.to_string()));
    }

    /// The next `count` requests get GitHub's answer for `limit`; later ones are served.
    pub fn rate_limit_next(&self, count: usize, limit: RateLimit) {
        self.state().limited = Some((count, limit));
    }

    /// A secondary limit on writes, as GitHub's on content-creating requests.
    pub fn limit_writes(&self, limit: WriteLimit) {
        self.state().write_limit = Some(limit);
    }

    /// The repository was renamed from `old` (`owner/name`): requests to the old name are
    /// redirected, 301 for reads and 307 for writes, to `/repositories/{id}/...`.
    pub fn renamed_from(&self, old: &str) {
        self.state().old_name = Some(old.to_string());
    }

    /// Models a repository bot (a GitHub Action) that removes label `removed` as soon as label
    /// `added` is put on an issue or PR.
    pub fn on_label_remove(&self, added: &str, removed: &str) {
        self.state().automation = Some((added.to_string(), removed.to_string()));
    }

    /// All it knows now, to be put back with [`GitHubStandIn::restore`] (tests that replay a
    /// run from one starting point).
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

    /// Counts every request with the tests' tool calls and fails the chosen one (`None`: no
    /// more counting).
    pub fn inject_faults(&self, faults: Option<HttpFaults>) {
        self.state().faults = faults;
    }

    /// What the token's account may do on the repository.
    pub fn grant(&self, rights: Rights) {
        self.state().rights = rights;
    }
}
