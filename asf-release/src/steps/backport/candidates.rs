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

//! Which commits each labelled pull request put on the main branch, by how it was merged:
//! a merge commit (picked with `-m 1`), a squash (one commit), or a rebase (every rebased
//! commit, in order, found from the PR's commit list and the main branch's history). A PR
//! whose commits cannot be found is skipped with the reason, and the others go on.

use std::collections::BTreeSet;
use std::fmt;

use anyhow::Result;

use crate::config::Config;
use crate::tools::git;
use crate::tools::github::{GitHub, Pull};
use crate::untrusted::escape_str;
use crate::Ctx;

/// GitHub lists at most this many commits of a pull request.
const MAX_LISTED_COMMITS: u64 = 250;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// "Create a merge commit": the merge, picked against its first parent.
    Merge,
    /// "Squash and merge": one new commit.
    Squash,
    /// A PR of one commit, merged by squash or rebase: that one commit either way.
    Single,
    /// "Rebase and merge": every commit of the PR, rebased onto the main branch.
    Rebase,
}

/// A PR to backport, with the commits that brought it to the main branch, oldest first.
pub struct Candidate {
    pub pull: Pull,
    pub kind: Kind,
    pub commits: Vec<String>,
}

impl Candidate {
    pub fn is_merge(&self) -> bool {
        self.kind == Kind::Merge
    }

    /// `PR #12 Fix the parser`, the title escaped (it comes from GitHub).
    pub fn name(&self) -> String {
        format!("PR #{} {}", self.pull.number, escape_str(&self.pull.title))
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Merge => "merge commit",
            Kind::Squash => "squash",
            Kind::Single => "one commit",
            Kind::Rebase => "rebase",
        })
    }
}

/// A PR left out, why, and what finishes it.
pub struct Skipped {
    pub number: u64,
    pub title: String,
    pub reason: String,
    pub fix: String,
}

impl Skipped {
    fn new(pull: &Pull, reason: String, fix: String) -> Skipped {
        Skipped {
            number: pull.number,
            title: escape_str(&pull.title),
            reason,
            fix,
        }
    }
}

/// The labelled PRs merged into the main branch, in merge order.
fn labelled_pulls(github: &GitHub, config: &Config, milestone: Option<&str>) -> Result<Vec<Pull>> {
    let label = &config.backport_label;
    let issues = github.closed_with_label(label)?;
    let mut pulls = Vec::new();
    for issue in issues {
        let merged = issue
            .pull_request
            .as_ref()
            .is_some_and(|p| p.merged_at.is_some());
        if !merged || !issue.has_label(label) {
            continue;
        }
        let pull = github.pull(issue.number)?;
        if pull.merged_at.is_none() || pull.base.name != config.main_branch {
            eprintln!(
                "note: PR #{} carries `{label}` but was not merged into {}: ignored",
                pull.number, config.main_branch
            );
            continue;
        }
        if let Some(milestone) = milestone {
            if pull.milestone.as_ref().map(|m| m.title.as_str()) != Some(milestone) {
                continue;
            }
        }
        pulls.push(pull);
    }
    pulls.sort_by(|a, b| a.merged_at.cmp(&b.merged_at).then(a.number.cmp(&b.number)));
    Ok(pulls)
}

/// The PRs to backport and the ones skipped, each with its reason.
pub fn find(
    ctx: &Ctx,
    github: &GitHub,
    config: &Config,
    milestone: Option<&str>,
    line: &str,
) -> Result<(Vec<Candidate>, Vec<Skipped>)> {
    let (sh, repo) = (&ctx.sh, &ctx.repo);
    let upstream = format!("{}/{}", config.remote, config.main_branch);
    let by_hand = format!(
        "cherry-pick its commits by hand (`git cherry-pick -x ...`), push, then rerun `cargo \
         xtask backport {line}`; or, if it should not be backported, remove the label `{}`",
        config.backport_label
    );
    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    for pull in labelled_pulls(github, config, milestone)? {
        let Some(sha) = pull.merge_commit().filter(|s| is_sha(s)).map(String::from) else {
            let reason = "GitHub gives no merge commit for it".to_string();
            skipped.push(Skipped::new(&pull, reason, by_hand.clone()));
            continue;
        };
        if git::resolve_commit(sh, repo, &format!("{sha}^{{commit}}"))?.is_none() {
            skipped.push(Skipped::new(
                &pull,
                format!("its commit {sha} is not in this clone (merged after the fetch?)"),
                format!("rerun `cargo xtask backport {line}`: it fetches again"),
            ));
            continue;
        }
        if !git::is_ancestor(sh, repo, &sha, &upstream)? {
            skipped.push(Skipped::new(
                &pull,
                format!(
                    "its commit {sha} is not on {upstream}: upstream first, a fix reaches the \
                     release branch only from {}",
                    config.main_branch
                ),
                format!(
                    "land it on {} first, or remove the label `{}`",
                    config.main_branch, config.backport_label
                ),
            ));
            continue;
        }
        if git::parents(sh, repo, &sha)?.len() > 1 {
            candidates.push(Candidate {
                pull,
                kind: Kind::Merge,
                commits: vec![sha],
            });
            continue;
        }
        if pull.commits <= 1 {
            candidates.push(Candidate {
                pull,
                kind: Kind::Single,
                commits: vec![sha],
            });
            continue;
        }
        if pull.commits > MAX_LISTED_COMMITS {
            skipped.push(Skipped::new(
                &pull,
                format!(
                    "it has {} commits, and GitHub lists at most {MAX_LISTED_COMMITS}",
                    pull.commits
                ),
                by_hand.clone(),
            ));
            continue;
        }
        let (kind, commits) = landed(ctx, github, &pull, &sha)?;
        candidates.push(Candidate {
            pull,
            kind,
            commits,
        });
    }
    Ok((candidates, skipped))
}

/// A PR of several commits whose `merge_commit_sha` has one parent: a rebase when the main
/// branch's last commits up to it are the PR's commits (same author and message, in order),
/// else a squash.
fn landed(ctx: &Ctx, github: &GitHub, pull: &Pull, sha: &str) -> Result<(Kind, Vec<String>)> {
    let pushed = github.pull_commits(pull.number)?;
    let mut chain = git::first_parents(&ctx.sh, &ctx.repo, sha, pushed.len())?;
    chain.reverse();
    let mut same = chain.len() == pushed.len() && !pushed.is_empty();
    for (landed, pushed) in chain.iter().zip(&pushed) {
        if !same {
            break;
        }
        let (name, email, message) = git::authorship(&ctx.sh, &ctx.repo, landed)?;
        let author = pushed.commit.author.as_ref();
        same = author.is_some_and(|a| a.name == name && a.email == email)
            && pushed.commit.message.trim() == message.trim();
    }
    Ok(match same {
        true => (Kind::Rebase, chain),
        false => (Kind::Squash, vec![sha.to_string()]),
    })
}

fn is_sha(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What a release branch has of the main branch's commits: its own commits' `-x` trailers,
/// their ancestry, and (read once, when first needed) their patch ids.
pub struct OnBranch {
    tip: String,
    own: Vec<String>,
    trailers: String,
    patches: Option<BTreeSet<String>>,
}

impl OnBranch {
    /// The branch at `tip`, its own commits being those not on `upstream`.
    pub fn read(ctx: &Ctx, upstream: &str, tip: &str) -> Result<OnBranch> {
        let (sh, repo) = (&ctx.sh, &ctx.repo);
        let own = git::rev_list(sh, repo, &format!("{upstream}..{tip}"))?;
        let mut trailers = String::new();
        for commit in &own {
            trailers.push_str(&git::message(sh, repo, commit)?);
        }
        Ok(OnBranch {
            tip: tip.to_string(),
            own,
            trailers,
            patches: None,
        })
    }

    /// The commits of `commits` the branch does not have yet (by trailer, ancestry or patch).
    pub fn missing(&mut self, ctx: &Ctx, commits: &[String]) -> Result<Vec<String>> {
        let (sh, repo) = (&ctx.sh, &ctx.repo);
        let mut missing = Vec::new();
        for commit in commits {
            let mut present = self
                .trailers
                .contains(&format!("(cherry picked from commit {commit})"))
                || git::is_ancestor(sh, repo, commit, &self.tip)?;
            if !present {
                if self.patches.is_none() {
                    let mut ids = BTreeSet::new();
                    for own_commit in &self.own {
                        ids.extend(git::patch_id(sh, repo, own_commit)?);
                    }
                    self.patches = Some(ids);
                }
                let id = git::patch_id(sh, repo, commit)?;
                present =
                    id.is_some_and(|id| self.patches.as_ref().is_some_and(|ids| ids.contains(&id)));
            }
            if !present {
                missing.push(commit.clone());
            }
        }
        Ok(missing)
    }
}
