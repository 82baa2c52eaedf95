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

//! Every GitHub call of the tool (REST v3). The API's base URL comes from `GITHUB_API_URL`
//! (default `https://api.github.com`), the token from `GITHUB_TOKEN` or `GH_TOKEN`; the token
//! only ever goes into the `Authorization` header of requests to that base URL (redirects
//! included, which are followed only on that host). HTTP itself is in `http.rs`; redirects,
//! rate limits and error messages in `request.rs`, `rate.rs` and `errors.rs`.

mod errors;
mod http;
mod pulls;
mod rate;
mod releases;
mod request;
mod shapes;

pub use pulls::{Protection, PullRequest};
pub use rate::{MAX_WAIT_VAR, WRITE_INTERVAL_VAR};
pub use releases::{tag_path, GitHubRelease, GitObject, ReleaseText};

use std::cell::Cell;

use anyhow::{anyhow, bail, Context, Result};
use camino::Utf8Path;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use xshell::Shell;

use crate::config_checks::check_repo_name;
use crate::tools::git;

pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The REST API version the tool is written against (`X-GitHub-Api-Version`): the shapes it
/// reads are this version's (2026-03-10, for one, has no `merge_commit_sha` on pull requests).
pub const API_VERSION: &str = "2022-11-28";

/// Asked for on every list; the server may still answer with fewer per page.
const PAGE_SIZE: u32 = 100;

/// `owner/name` from a GitHub remote URL (https, ssh or scp-like), `None` for other hosts.
pub fn repo_from_url(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://github.com/")
        .or_else(|| url.strip_prefix("http://github.com/"))
        .or_else(|| url.strip_prefix("git@github.com:"))
        .or_else(|| url.strip_prefix("ssh://git@github.com/"))
        .or_else(|| url.strip_prefix("git://github.com/"))?;
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    check_repo_name(rest).ok()?;
    Some(rest.to_string())
}

#[derive(Debug, Clone, Deserialize)]
pub struct Milestone {
    pub number: u64,
    pub title: String,
    pub state: String,
    #[serde(default)]
    pub html_url: String,
}

/// A label of an issue: the API description allows an object or a plain string.
#[derive(Debug, Clone, Deserialize)]
#[serde(from = "shapes::LabelShape")]
pub struct Label {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MilestoneRef {
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PullMarker {
    #[serde(default)]
    pub merged_at: Option<String>,
}

/// An issue or, when `pull_request` is set, a pull request, as the issues API lists them.
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    pub number: u64,
    pub title: String,
    pub state: String,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub milestone: Option<MilestoneRef>,
    #[serde(default)]
    pub pull_request: Option<PullMarker>,
    #[serde(default)]
    pub created_at: String,
}

impl Issue {
    pub fn is_pull(&self) -> bool {
        self.pull_request.is_some()
    }

    pub fn has_label(&self, name: &str) -> bool {
        self.labels.iter().any(|l| l.name == name)
    }

    pub fn kind(&self) -> &'static str {
        if self.is_pull() {
            "PR"
        } else {
            "issue"
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct BranchRef {
    #[serde(rename = "ref")]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Pull {
    pub number: u64,
    pub title: String,
    #[serde(default)]
    pub merged_at: Option<String>,
    /// `null` for a PR GitHub has no merge commit for; a missing field is refused by
    /// [`GitHub::pull`] (another API version's shape).
    #[serde(default, deserialize_with = "shapes::present")]
    pub merge_commit_sha: Option<Option<String>>,
    /// How many commits the PR had.
    #[serde(default)]
    pub commits: u64,
    pub base: BranchRef,
    #[serde(default)]
    pub milestone: Option<MilestoneRef>,
}

impl Pull {
    /// The merge (or squash, or last rebased) commit GitHub names, if any.
    pub fn merge_commit(&self) -> Option<&str> {
        self.merge_commit_sha.as_ref()?.as_deref()
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CommitAuthor {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CommitDetail {
    #[serde(default)]
    pub message: String,
    pub author: Option<CommitAuthor>,
}

/// One commit of a pull request as it was pushed (before any rebase onto the base branch).
#[derive(Debug, Clone, Deserialize)]
pub struct PullCommit {
    pub sha: String,
    pub commit: CommitDetail,
}

/// The signed-in account's rights on the repository, as `GET /repos/{owner}/{repo}` gives
/// them to an authenticated request.
#[derive(Debug, Clone, Deserialize)]
pub struct Permissions {
    #[serde(default)]
    pub admin: bool,
    #[serde(default)]
    pub maintain: bool,
    #[serde(default)]
    pub push: bool,
    #[serde(default)]
    pub triage: bool,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Repository {
    pub full_name: String,
    #[serde(default)]
    pub permissions: Option<Permissions>,
}

/// What a write needs: labels need triage rights, milestones need push (write) rights.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    Triage,
    Push,
}

/// A client for one repository.
pub struct GitHub {
    transport: http::Transport,
    api: String,
    /// `owner/name` as configured.
    repo: String,
    /// A rename was reported already.
    moved_noted: Cell<bool>,
    /// Where the name came from, for the advice after a rename.
    repo_source: String,
    token: Option<String>,
    policy: rate::Policy,
    pacer: rate::Pacer,
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

/// Percent-encodes a query value or path segment (labels have spaces).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The token goes out in every request: `http://` only to this machine (the tests' stand-in).
pub fn check_api_url(api: &str) -> Result<()> {
    let shown = crate::untrusted::escape_short(api.as_bytes(), 100);
    let (scheme, rest) = api.split_once("://").with_context(|| {
        format!("GITHUB_API_URL `{shown}` is not a URL: write it like https://api.github.com")
    })?;
    let authority = rest.split('/').next().unwrap_or_default();
    if authority.contains('@') {
        bail!("GITHUB_API_URL `{shown}` carries credentials: remove them, the token comes from GITHUB_TOKEN");
    }
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match scheme.to_ascii_lowercase().as_str() {
        "https" if !host.is_empty() => Ok(()),
        "http" if loopback => Ok(()),
        "http" => bail!(
            "GITHUB_API_URL `{shown}` would send the GitHub token in clear text: use https:// \
             (http:// is accepted for 127.0.0.1, ::1 and localhost only)"
        ),
        _ => bail!(
            "GITHUB_API_URL `{shown}` is not an https:// URL: write it like https://api.github.com"
        ),
    }
}

impl GitHub {
    /// The client for the configured repository: `github-repo`, or the URL of `remote`.
    pub fn for_repo(
        sh: &Shell,
        repo_dir: &Utf8Path,
        github_repo: Option<&str>,
        remote: &str,
    ) -> Result<GitHub> {
        let (repo, repo_source) = match github_repo {
            Some(repo) => (
                repo.to_string(),
                "`github-repo` under [workspace.metadata.asf-release]".to_string(),
            ),
            None => {
                let url = git::remote_url(sh, repo_dir, remote)?.unwrap_or_default();
                let repo = repo_from_url(&url).with_context(|| {
                    format!(
                        "cannot tell the GitHub repository from remote `{}` ({url}): add \
                         `github-repo = \"owner/name\"` under [workspace.metadata.asf-release]",
                        remote
                    )
                })?;
                (
                    repo,
                    format!(
                        "the URL of remote `{}` (`git remote set-url {} ...`), or set `github-repo`",
                        remote, remote
                    ),
                )
            }
        };
        let api = std::env::var("GITHUB_API_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| DEFAULT_API_URL.to_string());
        check_api_url(&api)?;
        let token = ["GITHUB_TOKEN", "GH_TOKEN"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|t| !t.trim().is_empty()))
            .map(|t| t.trim().to_string());
        let policy = rate::Policy::from_env()?;
        Ok(GitHub {
            transport: http::Transport::new(sh),
            api: api.trim_end_matches('/').to_string(),
            repo,
            moved_noted: Cell::new(false),
            repo_source,
            token,
            pacer: rate::Pacer::new(policy.write_interval),
            policy,
        })
    }

    /// `owner/name` as configured.
    pub fn repo(&self) -> &str {
        &self.repo
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// `https://api.github.com/repos/owner/name` + `path`.
    fn url(&self, path: &str) -> String {
        format!("{}/repos/{}{path}", self.api, self.repo)
    }

    fn parse<T: DeserializeOwned>(what: &str, text: &str) -> Result<T> {
        serde_json::from_str(text).map_err(|err| {
            anyhow!(
                "GitHub answered {what} with invalid or unexpected JSON ({err}): check \
                 GITHUB_API_URL points at the GitHub REST API"
            )
        })
    }

    /// Every item of a listing, following `Link: rel="next"` pages.
    fn get_all<T: DeserializeOwned>(&self, path_and_query: &str) -> Result<Vec<T>> {
        let separator = if path_and_query.contains('?') {
            '&'
        } else {
            '?'
        };
        let mut url = Some(format!(
            "{}{separator}per_page={PAGE_SIZE}",
            self.url(path_and_query)
        ));
        let mut items = Vec::new();
        let mut pages = 0;
        while let Some(current) = url.take() {
            pages += 1;
            if pages > 1000 {
                bail!("GitHub kept sending pages for {current}: stopped after 1000");
            }
            let response = self.request("GET", &current, None)?;
            let page: Vec<T> = Self::parse(&format!("GET {current}"), &response.body)?;
            items.extend(page);
            url = response.header("link").and_then(next_link);
        }
        Ok(items)
    }

    fn get_one<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let url = self.url(path);
        let response = self.request("GET", &url, None)?;
        Self::parse(&format!("GET {url}"), &response.body)
    }

    fn require_token(&self, what: &str) -> Result<()> {
        if self.token.is_none() {
            bail!(
                "{what} needs a GitHub token: set GITHUB_TOKEN (or GH_TOKEN) to a token with \
                 write access to {}",
                self.repo()
            );
        }
        Ok(())
    }

    /// Checks, before anything changes, that a token is set and its account may do `what`.
    pub fn check_write_access(&self, what: &str, needed: Access) -> Result<()> {
        self.require_token(what)?;
        let repo: Repository = self.get_one("")?;
        // Some tokens (GitHub Apps, Actions) get no `permissions`: their writes will tell.
        let Some(rights) = repo.permissions else {
            return Ok(());
        };
        let (allowed, role) = match needed {
            Access::Triage => (
                rights.admin || rights.maintain || rights.push || rights.triage,
                "triage",
            ),
            Access::Push => (rights.admin || rights.maintain || rights.push, "write"),
        };
        if !allowed {
            bail!(
                "{what} needs {role} access to {}, and GitHub says the account of the token in \
                 GITHUB_TOKEN (or GH_TOKEN) does not have it: use a token of a committer \
                 (a fine-grained token needs Issues and Pull requests: read and write); \
                 nothing was changed",
                self.repo()
            );
        }
        Ok(())
    }

    /// All milestones, open and closed.
    pub fn milestones(&self) -> Result<Vec<Milestone>> {
        self.get_all("/milestones?state=all")
    }

    /// Creates the milestone; one that exists already (422 `already_exists`) is returned as
    /// found, so a rerun after an interrupted create goes on.
    pub fn create_milestone(&self, title: &str) -> Result<Milestone> {
        self.require_token("creating a milestone")?;
        let url = self.url("/milestones");
        let body = serde_json::json!({ "title": title });
        let response = self.send("POST", &url, Some(&body), false)?;
        if response.status == 422 && errors::already_exists(&response.body) {
            if let Some(found) = self.milestones()?.into_iter().find(|m| m.title == title) {
                return Ok(found);
            }
        }
        let response = self.check(response, "POST", &url)?;
        Self::parse(&format!("POST {url}"), &response.body)
    }

    /// The closed issues and PRs that carry `label`. GitHub's filter takes a comma-separated
    /// list of labels (an encoded comma is split all the same), so a label with a comma cannot
    /// select anything: refused.
    pub fn closed_with_label(&self, label: &str) -> Result<Vec<Issue>> {
        if label.contains(',') {
            bail!(
                "the label `{}` has a comma, and GitHub's issue filter splits labels at commas: \
                 it cannot select by it; rename the label on GitHub and set `backport-label` to \
                 the new name",
                crate::untrusted::escape_str(label)
            );
        }
        self.issues(&format!("state=closed&labels={}", encode(label)))
    }

    /// Issues and PRs; `filters` is a query string like `state=all&milestone=3`.
    pub fn issues(&self, filters: &str) -> Result<Vec<Issue>> {
        self.get_all(&format!("/issues?{filters}"))
    }

    pub fn pull(&self, number: u64) -> Result<Pull> {
        let pull: Pull = self.get_one(&format!("/pulls/{number}"))?;
        if pull.merge_commit_sha.is_none() {
            bail!(
                "GitHub's pull request #{number} has no `merge_commit_sha` field: the tool reads \
                 pull requests as REST API version {API_VERSION} gives them (version 2026-03-10 \
                 removed the field), and without it no backport can find the PR's commit; \
                 check that GITHUB_API_URL ({}) answers version {API_VERSION} (a proxy may \
                 change the X-GitHub-Api-Version header)",
                self.api
            );
        }
        Ok(pull)
    }

    /// The commits of a pull request as they were pushed (GitHub lists at most 250).
    pub fn pull_commits(&self, number: u64) -> Result<Vec<PullCommit>> {
        self.get_all(&format!("/pulls/{number}/commits"))
    }

    pub fn add_label(&self, number: u64, label: &str) -> Result<()> {
        self.require_token("labelling a pull request")?;
        let url = self.url(&format!("/issues/{number}/labels"));
        let body = serde_json::json!({ "labels": [label] });
        // Adding a label twice changes nothing: safe to retry.
        let response = self.send("POST", &url, Some(&body), true)?;
        self.check(response, "POST", &url)?;
        Ok(())
    }

    /// Removes a label; one that is gone already (404) is fine.
    pub fn remove_label(&self, number: u64, label: &str) -> Result<()> {
        self.require_token("labelling a pull request")?;
        let url = self.url(&format!("/issues/{number}/labels/{}", encode(label)));
        let response = self.send("DELETE", &url, None, true)?;
        if response.status == 404 && !response.body.contains("Not Found") {
            return Ok(());
        }
        self.check(response, "DELETE", &url)?;
        Ok(())
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_owner_and_name_from_remote_urls() {
        for url in [
            "https://github.com/apache/apisix.git",
            "https://github.com/apache/apisix",
            "git@github.com:apache/apisix.git",
            "ssh://git@github.com/apache/apisix.git",
        ] {
            assert_eq!(
                repo_from_url(url).as_deref(),
                Some("apache/apisix"),
                "{url}"
            );
        }
        assert_eq!(repo_from_url("/tmp/origin.git"), None);
        assert_eq!(repo_from_url("https://gitlab.com/apache/apisix"), None);
        assert!(check_repo_name("apache").is_err());
        assert!(check_repo_name("apache/../x").is_err());
    }

    #[test]
    fn finds_the_next_page_link() {
        let link = "<https://api.github.com/repos/a/b/issues?page=2>; rel=\"next\", \
                    <https://api.github.com/repos/a/b/issues?page=5>; rel=\"last\"";
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/repos/a/b/issues?page=2")
        );
        assert_eq!(next_link("<https://x/?page=1>; rel=\"prev\""), None);
    }

    #[test]
    fn the_api_url_is_https_or_loopback_http() {
        for good in [
            "https://api.github.com",
            "https://ghe.example.org/api/v3",
            "http://127.0.0.1:8080",
            "http://localhost:1234",
            "http://[::1]:99",
        ] {
            assert!(check_api_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://api.github.com",
            "http://10.0.0.1",
            "http://127.0.0.1.evil.example",
            "https://user:pass@api.github.com",
            "ftp://api.github.com",
            "api.github.com",
        ] {
            assert!(check_api_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn encodes_labels_with_spaces() {
        assert_eq!(encode("need backport"), "need%20backport");
    }

    #[test]
    fn labels_are_objects_or_plain_strings_and_a_missing_merge_commit_field_is_told_apart() {
        let issue: Issue = serde_json::from_str(
            r#"{"number": 1, "title": "t", "state": "closed", "labels": [{"name": "a"}, "b"]}"#,
        )
        .unwrap();
        assert!(issue.has_label("a") && issue.has_label("b"));
        let pull = |extra: &str| -> Pull {
            serde_json::from_str(&format!(
                r#"{{"number": 2, "title": "t", "base": {{"ref": "master"}}{extra}}}"#
            ))
            .unwrap()
        };
        assert!(pull("").merge_commit_sha.is_none());
        assert_eq!(
            pull(r#", "merge_commit_sha": null"#).merge_commit_sha,
            Some(None)
        );
        assert_eq!(
            pull(r#", "merge_commit_sha": "abc""#).merge_commit(),
            Some("abc")
        );
    }
}
