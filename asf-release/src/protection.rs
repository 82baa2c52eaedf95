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

//! How changes reach a release branch: a direct push, or, where the branch requires approving
//! reviews, a topic branch and a pull request per change. The evidence, in order: the
//! project's `.asf.yaml` (`github.protected_branches`, which ASF infrastructure applies; the
//! entry of the branch, else of the template `branch` copies for a new release branch), read
//! from the main branch and the release branch as fetched and as here; before it, a push the
//! remote refused as protected (remembered in the out-dir: what GitHub enforces wins over what
//! the file says); and GitHub's own answer where the token may read it (admins only) and
//! `.asf.yaml` says nothing. Every pull request the release
//! opens has a head branch under `asf-release/<branch>/`, so reruns find them again.

use anyhow::{Context, Result};

use crate::config::Config;
use crate::plan::Plan;
use crate::tools::git;
use crate::tools::github::{Protection, PullRequest};
use crate::Ctx;

pub const ASF_YAML: &str = ".asf.yaml";

/// How changes reach the release branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Publish {
    Direct,
    /// Through reviewed pull requests; the text says why.
    PullRequests(String),
}

/// The head branch of the pull request the release opens for `change` into `branch`:
/// `asf-release/v1.0/backport-4`, `asf-release/v1.0/changelog-1.0.0`.
pub fn topic_branch(branch: &str, change: &str) -> String {
    format!("asf-release/{branch}/{change}")
}

fn topic_prefix(branch: &str) -> String {
    format!("asf-release/{branch}/")
}

/// The file that remembers a refused push to `branch`.
fn refusal_file(config: &Config, branch: &str) -> camino::Utf8PathBuf {
    config
        .out_dir
        .join("protected")
        .join(branch.replace('/', "-"))
}

/// Remembers that the remote refused a push to `branch` as protected (`why`: git's words).
pub fn remember_refusal(config: &Config, branch: &str, why: &str) -> Result<()> {
    let path = refusal_file(config, branch);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {dir}"))?;
    }
    std::fs::write(&path, why).with_context(|| format!("cannot write {path}"))
}

/// Whether git's answer to a push says the branch is protected (GitHub: GH006).
pub fn refused_as_protected(stderr: &str) -> bool {
    stderr.contains("GH006") || stderr.contains("Protected branch update failed")
}

/// How changes reach `branch` (see the module's documentation).
pub fn how_to_publish(ctx: &Ctx, config: &Config, branch: &str) -> Result<Publish> {
    let template = config
        .protected_branch_template
        .clone()
        .unwrap_or_else(|| config.main_branch.clone());
    let (remote, main) = (&config.remote, &config.main_branch);
    let revs = [
        format!("refs/remotes/{remote}/{main}"),
        format!("refs/heads/{main}"),
        format!("refs/remotes/{remote}/{branch}"),
        format!("refs/heads/{branch}"),
    ];
    // Without the branch on the remote there is nothing protected to go through: the change is
    // made where HEAD is (a project that releases from one branch).
    let remote_ref = format!("refs/remotes/{remote}/{branch}");
    if git::resolve_commit(&ctx.sh, &ctx.repo, &remote_ref)?.is_none() {
        return Ok(Publish::Direct);
    }
    // A push the remote refused as protected is the hardest evidence.
    let refused = refusal_file(config, branch);
    if let Ok(why) = std::fs::read_to_string(&refused) {
        return Ok(Publish::PullRequests(format!(
            "{remote} refused a push to {branch} as protected ({})",
            why.trim()
        )));
    }
    // The branch's own entry decides; without one, the template's (what `branch` copies).
    // Read lazily: the first file with an entry for the branch ends the search.
    let mut texts: Vec<(&String, String)> = Vec::new();
    for rev in &revs {
        // A failed read is an error, never "no file": taken for one, the step would push
        // straight to a branch that takes only reviewed changes.
        let Some(text) = git::text_file_at(&ctx.sh, &ctx.repo, rev, ASF_YAML)? else {
            continue;
        };
        if let Some(reviews) = reviews_required(&text, branch) {
            return Ok(decided(reviews, rev, branch));
        }
        texts.push((rev, text));
    }
    if let Some((rev, reviews)) = texts
        .iter()
        .find_map(|(rev, text)| reviews_required(text, &template).map(|r| (*rev, r)))
    {
        return Ok(decided(reviews, rev, &template));
    }
    if let Ok(github) = ctx.github(config) {
        if github.branch_protection(branch) == Protection::Reviews {
            return Ok(Publish::PullRequests(format!(
                "GitHub requires approving reviews on {branch}"
            )));
        }
    }
    Ok(Publish::Direct)
}

/// Whether changes to the release branch of `release` go out as pull requests others see (an
/// unreadable answer counts as yes: asking once too often is the safe side).
pub fn through_reviews(release: &crate::flow::Release) -> bool {
    let (ctx, config) = (release.ctx, release.config);
    config
        .branch_name(release.line)
        .and_then(|branch| how_to_publish(ctx, config, &branch))
        .map_or(true, |publish| matches!(publish, Publish::PullRequests(_)))
}

fn decided(reviews: bool, rev: &str, name: &str) -> Publish {
    match reviews {
        true => Publish::PullRequests(format!(
            "{ASF_YAML} ({rev}) requires approving reviews on {name}"
        )),
        false => Publish::Direct,
    }
}

/// Whether `.asf.yaml` protects `branch` with required reviews; `None` when it has no entry
/// for it. Read by indentation, as `branch` writes it: `github:` > `protected_branches:` >
/// `<branch>:` > `required_pull_request_reviews:`.
pub fn reviews_required(text: &str, branch: &str) -> Option<bool> {
    let lines: Vec<(usize, &str)> = text
        .lines()
        .filter_map(|line| {
            let body = line.trim_start_matches(' ');
            let content = body.split(" #").next().unwrap_or(body).trim_end();
            (!content.is_empty() && !content.starts_with('#'))
                .then_some((line.len() - body.len(), content))
        })
        .collect();
    let key = |content: &str| -> String {
        let raw = content.split(':').next().unwrap_or_default().trim();
        raw.trim_matches(|c| c == '"' || c == '\'').to_string()
    };
    let github = lines
        .iter()
        .position(|(indent, c)| *indent == 0 && key(c) == "github")?;
    let block = |start: usize, indent: usize| {
        lines[start + 1..]
            .iter()
            .take_while(move |(i, _)| *i > indent)
            .copied()
            .collect::<Vec<_>>()
    };
    let under_github = block(github, 0);
    let at = under_github
        .iter()
        .position(|(_, c)| key(c) == "protected_branches")?;
    let level = under_github[at].0;
    let entries: Vec<(usize, &str)> = under_github[at + 1..]
        .iter()
        .take_while(|(i, _)| *i > level)
        .copied()
        .collect();
    let entry_indent = entries.first()?.0;
    let start = entries
        .iter()
        .position(|(i, c)| *i == entry_indent && key(c) == branch)?;
    let reviews = entries[start + 1..]
        .iter()
        .take_while(|(i, _)| *i > entry_indent)
        .any(|(_, c)| key(c) == "required_pull_request_reviews");
    Some(reviews)
}

/// The open pull requests the release has into `branch`, whose head starts with `change`
/// (`backport-`, `changelog-1.0.0`; empty: all of them).
pub fn open_pulls(
    ctx: &Ctx,
    config: &Config,
    branch: &str,
    change: &str,
) -> Result<Vec<PullRequest>> {
    let github = ctx.github(config)?;
    let prefix = format!("{}{change}", topic_prefix(branch));
    Ok(github
        .pulls_into(branch)?
        .into_iter()
        .filter(|pull| pull.is_open() && pull.head.name.starts_with(&prefix))
        .collect())
}

/// "PR #12 (https://github.com/o/r/pull/12), PR #13 (...)"
pub fn named(pulls: &[PullRequest]) -> String {
    pulls
        .iter()
        .map(|pull| {
            format!(
                "PR #{} {} ({})",
                pull.number,
                crate::untrusted::escape_str(&pull.title),
                crate::untrusted::escape_str(&pull.html_url)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The blocked state of a step while the release's pull requests into `branch` wait for
/// review, or `None` when none is open.
pub fn waiting(
    ctx: &Ctx,
    config: &Config,
    branch: &str,
    changes: &[&str],
) -> Result<Option<String>> {
    let github = ctx.github(config)?;
    let prefixes: Vec<String> = changes
        .iter()
        .map(|change| format!("{}{change}", topic_prefix(branch)))
        .collect();
    let open: Vec<PullRequest> = github
        .pulls_into(branch)?
        .into_iter()
        .filter(|pull| pull.is_open() && prefixes.iter().any(|p| pull.head.name.starts_with(p)))
        .collect();
    Ok(waiting_on(branch, &open))
}

/// What a step waits for while `open` (the release's open pull requests into `branch`) wait
/// for review; `None` when there are none.
pub fn waiting_on(branch: &str, open: &[PullRequest]) -> Option<String> {
    if open.is_empty() {
        return None;
    }
    Some(format!(
        "{branch} takes changes through reviewed pull requests, and {} wait{} for review and \
         merge: {}; once merged (or closed), rerun",
        if open.len() == 1 { "one" } else { "these" },
        if open.len() == 1 { "s" } else { "" },
        named(open)
    ))
}

/// Pushes `commit` as `topic` and opens its pull request into `branch` (shared shape of the
/// CHANGELOG and version pull requests).
pub fn open_change_pull(
    ctx: &Ctx,
    config: &Config,
    branch: &str,
    topic: &str,
    commit: &str,
    title: &str,
    body: &str,
) -> Result<()> {
    let github = ctx.github(config)?;
    let mut plan = Plan::new(format!("propose `{title}` to {branch} as a pull request"));
    plan.run(git::push_topic(&ctx.repo, &config.remote, commit, topic));
    let github_ref = &github;
    plan.local(
        format!(
            "on GitHub {}: open the PR `{title}` from {topic} into {branch}",
            github.repo()
        ),
        move || {
            let pull = github_ref.open_pull(topic, branch, title, body)?;
            println!(
                "opened PR #{} {} ({}): merge it, then rerun",
                pull.number,
                crate::untrusted::escape_str(&pull.title),
                crate::untrusted::escape_str(&pull.html_url)
            );
            Ok(())
        },
    );
    if !ctx.dry_run {
        github.check_write_access("opening a pull request", crate::tools::github::Access::Push)?;
    }
    plan.mark_outward();
    plan.execute_confirmed(ctx)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const APISIX_LIKE: &str = "github:\n  description: x  # keep\n  protected_branches:\n    master:\n      required_pull_request_reviews:\n        required_approving_review_count: 3\n    release/3.2:\n      required_status_checks:\n        strict: true\n    \"release/3.3\": {}\n\nnotifications:\n  commits: a@b\n";

    #[test]
    fn reads_whether_a_branch_requires_reviews() {
        assert_eq!(reviews_required(APISIX_LIKE, "master"), Some(true));
        assert_eq!(reviews_required(APISIX_LIKE, "release/3.2"), Some(false));
        assert_eq!(reviews_required(APISIX_LIKE, "release/3.3"), Some(false));
        assert_eq!(reviews_required(APISIX_LIKE, "release/3.4"), None);
        assert_eq!(reviews_required("notifications:\n  a: b\n", "master"), None);
        assert_eq!(reviews_required("", "master"), None);
    }
}
