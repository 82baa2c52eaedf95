//! Every GitHub call of the tool (REST v3). The API's base URL comes from `GITHUB_API_URL`
//! (default `https://api.github.com`), the token from `GITHUB_TOKEN` or `GH_TOKEN`; the token
//! only ever goes into the `Authorization` header of requests to that base URL.

use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use camino::Utf8Path;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use xshell::Shell;

use crate::config::Config;
use crate::tools::git;

pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// Asked for on every list; the server may still answer with fewer per page.
const PAGE_SIZE: u32 = 100;

/// Refuses `owner/name` values that would not make a sane URL path.
pub fn check_repo_name(repo: &str) -> Result<()> {
    let valid_part = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    match repo.split_once('/') {
        Some((owner, name)) if valid_part(owner) && valid_part(name) => Ok(()),
        _ => bail!(
            "`{repo}` is not a GitHub repository: write it as `owner/name`, like `apache/apisix`"
        ),
    }
}

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

#[derive(Debug, Clone, Deserialize)]
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
    #[serde(default)]
    pub merge_commit_sha: Option<String>,
    pub base: BranchRef,
    #[serde(default)]
    pub milestone: Option<MilestoneRef>,
}

/// The headers of every request; the token only in `Authorization`.
fn with_headers<B>(
    builder: ureq::RequestBuilder<B>,
    auth: Option<&str>,
) -> ureq::RequestBuilder<B> {
    let builder = builder
        .header("Accept", "application/vnd.github+json")
        .header("X-GitHub-Api-Version", "2022-11-28");
    match auth {
        Some(auth) => builder.header("Authorization", auth),
        None => builder,
    }
}

/// A client for one repository.
pub struct GitHub {
    agent: ureq::Agent,
    api: String,
    repo: String,
    token: Option<String>,
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

impl GitHub {
    /// The client for the configured repository: `github-repo`, or the remote's URL.
    pub fn for_repo(sh: &Shell, repo_dir: &Utf8Path, config: &Config) -> Result<GitHub> {
        let repo = match &config.github_repo {
            Some(repo) => repo.clone(),
            None => {
                let url = git::remote_url(sh, repo_dir, &config.remote)?.unwrap_or_default();
                repo_from_url(&url).with_context(|| {
                    format!(
                        "cannot tell the GitHub repository from remote `{}` ({url}): add \
                         `github-repo = \"owner/name\"` under [workspace.metadata.asf-release]",
                        config.remote
                    )
                })?
            }
        };
        let api = std::env::var("GITHUB_API_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| DEFAULT_API_URL.to_string());
        let token = ["GITHUB_TOKEN", "GH_TOKEN"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|t| !t.trim().is_empty()))
            .map(|t| t.trim().to_string());
        Ok(GitHub::new(&api, &repo, token))
    }

    pub fn new(api: &str, repo: &str, token: Option<String>) -> GitHub {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent("asf-release-xtask")
            .build();
        GitHub {
            agent: ureq::Agent::new_with_config(config),
            api: api.trim_end_matches('/').to_string(),
            repo: repo.to_string(),
            token,
        }
    }

    pub fn repo(&self) -> &str {
        &self.repo
    }

    /// `https://api.github.com/repos/owner/name` + `path`.
    fn url(&self, path: &str) -> String {
        format!("{}/repos/{}{path}", self.api, self.repo)
    }

    /// For messages: the method and the URL, never the token.
    fn describe(method: &str, url: &str) -> String {
        format!("{method} {url}")
    }

    /// Sends one request; a non-2xx answer becomes an error saying what to do.
    /// Returns the body text and the `Link` header.
    fn request(
        &self,
        method: &str,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(String, Option<String>)> {
        if !url.starts_with(&format!("{}/", self.api)) {
            bail!(
                "GitHub sent a link to {url}, outside {}: refusing to send the token there",
                self.api
            );
        }
        let what = Self::describe(method, url);
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        let auth = auth.as_deref();
        let sent = match (method, body) {
            ("GET", _) => with_headers(self.agent.get(url), auth).call(),
            ("DELETE", _) => with_headers(self.agent.delete(url), auth).call(),
            ("POST", Some(body)) => with_headers(self.agent.post(url), auth).send_json(body),
            ("PATCH", Some(body)) => with_headers(self.agent.patch(url), auth).send_json(body),
            _ => bail!("unsupported GitHub request {what}"),
        };
        let mut response = sent.map_err(|err| {
            anyhow!(
                "cannot reach GitHub for {what}: {err}; check the network, or GITHUB_API_URL \
                 (now {})",
                self.api
            )
        })?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let link = header("link");
        let remaining = header("x-ratelimit-remaining");
        let reset = header("x-ratelimit-reset");
        let retry_after = header("retry-after");
        let text = response
            .body_mut()
            .with_config()
            .limit(50 * 1024 * 1024)
            .read_to_string()
            .with_context(|| format!("cannot read GitHub's answer to {what}"))?;
        if (200..300).contains(&status) {
            return Ok((text, link));
        }
        let message = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| text.chars().take(200).collect());
        let rate_limited = remaining.as_deref() == Some("0")
            || message.to_ascii_lowercase().contains("rate limit");
        match status {
            401 => bail!(
                "GitHub refused the credentials for {what} (401 {message}): set GITHUB_TOKEN (or \
                 GH_TOKEN) to a valid token"
            ),
            429 | 403 if status == 429 || rate_limited => {
                let when = match (&reset, &retry_after) {
                    (Some(reset), _) => format!("until {reset} (seconds since the epoch)"),
                    (None, Some(seconds)) => format!("{seconds} seconds"),
                    (None, None) => "a few minutes".to_string(),
                };
                bail!(
                    "GitHub's rate limit is exhausted for {what} ({status} {message}): wait \
                     {when}, or set GITHUB_TOKEN for a higher limit"
                )
            }
            403 => bail!(
                "GitHub forbids {what} (403 {message}): the token in GITHUB_TOKEN (or GH_TOKEN) \
                 needs write access to {}",
                self.repo
            ),
            404 => bail!(
                "GitHub has nothing at {what} (404 {message}): check the repository `{}` \
                 (setting github-repo or the remote's URL); a private repository also needs \
                 GITHUB_TOKEN",
                self.repo
            ),
            422 => bail!("GitHub rejected {what} (422 {message})"),
            500..=599 => bail!(
                "GitHub failed on {what} ({status} {message}): a server-side problem; try again \
                 in a few minutes"
            ),
            _ => bail!("GitHub answered {what} with {status}: {message}"),
        }
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
            let (text, link) = self.request("GET", &current, None)?;
            let page: Vec<T> = Self::parse(&Self::describe("GET", &current), &text)?;
            items.extend(page);
            url = link.as_deref().and_then(next_link);
        }
        Ok(items)
    }

    fn get_one<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        let url = self.url(path);
        let (text, _) = self.request("GET", &url, None)?;
        Self::parse(&Self::describe("GET", &url), &text)
    }

    fn require_token(&self, what: &str) -> Result<()> {
        if self.token.is_none() {
            bail!("{what} needs a GitHub token: set GITHUB_TOKEN (or GH_TOKEN) to a token with write access to {}", self.repo);
        }
        Ok(())
    }

    /// All milestones, open and closed.
    pub fn milestones(&self) -> Result<Vec<Milestone>> {
        self.get_all("/milestones?state=all")
    }

    pub fn create_milestone(&self, title: &str) -> Result<Milestone> {
        self.require_token("creating a milestone")?;
        let url = self.url("/milestones");
        let body = serde_json::json!({ "title": title });
        let (text, _) = self.request("POST", &url, Some(&body))?;
        Self::parse(&Self::describe("POST", &url), &text)
    }

    /// Issues and PRs; `filters` is a query string like `state=all&milestone=3`.
    pub fn issues(&self, filters: &str) -> Result<Vec<Issue>> {
        self.get_all(&format!("/issues?{filters}"))
    }

    pub fn pull(&self, number: u64) -> Result<Pull> {
        self.get_one(&format!("/pulls/{number}"))
    }

    pub fn add_label(&self, number: u64, label: &str) -> Result<()> {
        self.require_token("labelling a pull request")?;
        let url = self.url(&format!("/issues/{number}/labels"));
        let body = serde_json::json!({ "labels": [label] });
        self.request("POST", &url, Some(&body))?;
        Ok(())
    }

    pub fn remove_label(&self, number: u64, label: &str) -> Result<()> {
        self.require_token("labelling a pull request")?;
        let url = self.url(&format!("/issues/{number}/labels/{}", encode(label)));
        self.request("DELETE", &url, None)?;
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
    fn encodes_labels_with_spaces() {
        assert_eq!(encode("need backport"), "need%20backport");
    }
}
