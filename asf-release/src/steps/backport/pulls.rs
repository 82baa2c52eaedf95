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

//! The backport to a release branch that requires reviews: one pull request per backported PR,
//! from a topic branch `asf-release/<branch>/backport-<N>` holding its commits picked (`-x`)
//! onto the branch as fetched, titled and labelled as the project's settings say
//! (`backport-pr-title`, `backport-pr-label`; by default `[Backport <branch>] <title>` with the
//! label `backport`, as the backport bots of GitHub projects open them), with a link to the
//! upstream PR. Made with
//! git's plumbing: the user's checkout is never touched. A rerun waits for the open ones,
//! relabels the upstream PRs whose backport is merged, and names the ones closed unmerged.

use anyhow::{Context, Result};

use super::candidates::{self, Candidate, OnBranch, Skipped};
use super::report_skipped;
use crate::config::Config;
use crate::plan::Plan;
use crate::protection;
use crate::tools::git::{self, Picked};
use crate::tools::github::{Access, PullRequest};
use crate::untrusted::escape_str;
use crate::Ctx;

/// The title of the backport pull request of `candidate`: the project's pattern filled in,
/// the upstream title without control characters (it comes from GitHub).
fn title(config: &Config, candidate: &Candidate, branch: &str) -> String {
    let upstream: String = candidate
        .pull
        .title
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    config
        .backport_pr_title
        .replace("{branch}", branch)
        .replace("{number}", &candidate.pull.number.to_string())
        .replace("{title}", upstream.trim())
}

/// The release's open backport PRs into `branch` without the project's label: opened by a
/// run cut before it labelled them. Every one gets it (the step's state and run ask alike).
pub(super) fn unlabelled<'a>(
    config: &'a Config,
    branch: &str,
    pulls: &'a [PullRequest],
) -> impl Iterator<Item = &'a PullRequest> {
    let label = &config.backport_pr_label;
    let backports = protection::topic_branch(branch, "backport-");
    pulls.iter().filter(move |p| {
        p.is_open()
            && p.head.name.starts_with(&backports)
            && !label.is_empty()
            && !p.has_label(label)
    })
}

pub(super) fn backport(
    ctx: &Ctx,
    config: &Config,
    line: &str,
    milestone: Option<&str>,
    branch: &str,
    tip: &str,
    why: &str,
) -> Result<()> {
    let github = ctx.github(config)?;
    println!("{branch} takes changes through reviewed pull requests ({why})");
    let (candidates, mut skipped) = candidates::find(ctx, &github, config, milestone, line)?;
    let upstream = format!("{}/{}", config.remote, config.main_branch);
    let mut present = OnBranch::read(ctx, &upstream, tip)?;
    let pulls = github.pulls_into(branch)?;
    let mut relabel = Vec::new();
    let mut waiting = Vec::new();
    let unlabelled: Vec<u64> = unlabelled(config, branch, &pulls)
        .map(|p| p.number)
        .collect();
    let mut to_open: Vec<(Candidate, String, String)> = Vec::new();
    for candidate in candidates {
        let topic =
            protection::topic_branch(branch, &format!("backport-{}", candidate.pull.number));
        let missing = present.missing(ctx, &candidate.commits)?;
        let ours = pulls.iter().filter(|p| p.head.name == topic);
        let merged = ours.clone().any(|p| p.is_merged());
        if missing.is_empty() || merged {
            relabel.push(candidate);
            continue;
        }
        if let Some(open) = ours.clone().find(|p| p.is_open()) {
            waiting.push(open.clone());
            continue;
        }
        if let Some(closed) = ours.clone().next() {
            skipped.push(Skipped {
                number: candidate.pull.number,
                title: escape_str(&candidate.pull.title),
                reason: format!(
                    "its backport PR #{} was closed without being merged",
                    closed.number
                ),
                fix: format!(
                    "reopen it and have it merged, or remove the label `{}` if it should not be \
                     backported; then rerun `cargo xtask backport {line}`",
                    config.backport_label
                ),
            });
            continue;
        }
        // The commits picked onto the branch, one after the other, as objects only.
        let mut head = tip.to_string();
        let mut conflict = None;
        for commit in &missing {
            match git::cherry_pick_onto(&ctx.sh, &ctx.repo, &head, commit)? {
                Picked::Commit(new) => head = new,
                Picked::Conflict(files) => {
                    conflict = Some(files);
                    break;
                }
            }
        }
        if let Some(files) = conflict {
            skipped.push(Skipped {
                number: candidate.pull.number,
                title: escape_str(&candidate.pull.title),
                reason: format!(
                    "it does not apply to {branch} (conflicts in {})",
                    escape_str(&files.join(", "))
                ),
                fix: format!(
                    "open its backport PR by hand: `git checkout -b {topic} {upstream_branch}`, \
                     `git cherry-pick -x {}`, resolve, push and open the PR into {branch}; then \
                     rerun `cargo xtask backport {line}`",
                    missing.join(" "),
                    upstream_branch = format_args!("{}/{branch}", config.remote)
                ),
            });
            continue;
        }
        to_open.push((candidate, topic, head));
    }

    let mut plan = Plan::new(format!(
        "backport to {branch} through pull requests the PRs labelled `{}`",
        config.backport_label
    ));
    for (candidate, topic, head) in &to_open {
        plan.run(git::push_topic(&ctx.repo, &config.remote, head, topic));
        let number = candidate.pull.number;
        let title = title(config, candidate, branch);
        let body = format!(
            "Backport of #{number} to `{branch}` (upstream first: merged into `{}`).\n\n\
             {}/pull/{number}\n\nThe commits are cherry-picked with `-x` by `cargo xtask backport \
             {line}`.\n",
            config.main_branch, config.repository_url
        );
        let (github, topic) = (&github, topic.as_str());
        plan.local(
            format!(
                "on GitHub {}: open the PR `{title}` from {topic} into {branch}{}",
                github.repo(),
                match config.backport_pr_label.as_str() {
                    "" => String::new(),
                    label => format!(", labelled `{label}`"),
                }
            ),
            move || {
                let pull = github
                    .open_pull(topic, branch, &title, &body)
                    .with_context(|| format!("cannot open the backport PR of #{number}"))?;
                if !config.backport_pr_label.is_empty() {
                    github.add_label(pull.number, &config.backport_pr_label)?;
                }
                println!(
                    "  opened PR #{} {} ({})",
                    pull.number,
                    escape_str(&pull.title),
                    escape_str(&pull.html_url)
                );
                Ok(())
            },
        );
    }
    for &number in &unlabelled {
        let (github, label) = (&github, &config.backport_pr_label);
        plan.local(
            format!(
                "on GitHub {}: label the backport PR #{number} `{label}`",
                github.repo()
            ),
            move || github.add_label(number, label),
        );
    }
    for candidate in &relabel {
        let number = candidate.pull.number;
        let (github, config) = (&github, config);
        plan.local(
            format!(
                "on GitHub {}: PR #{number} label `{}` -> `{}`",
                github.repo(),
                config.backport_label,
                config.backported_label
            ),
            move || {
                github.add_label(number, &config.backported_label)?;
                github.remove_label(number, &config.backport_label)
            },
        );
    }
    if !plan.is_empty() {
        let access = github.check_write_access("opening backport pull requests", Access::Push);
        if ctx.dry_run {
            print!("{}", plan.render());
            access.context("the real run would stop before the first push")?;
            return report_skipped(&skipped, true);
        }
        access?;
        plan.mark_outward();
        plan.execute_confirmed(ctx)?;
    } else {
        print!("{}", plan.render());
    }
    // What waits now: the ones found open, and the ones just opened.
    let waiting = match to_open.is_empty() || ctx.dry_run {
        true => waiting,
        false => protection::open_pulls(ctx, config, branch, "backport-")?,
    };
    match waiting.is_empty() {
        true => println!(
            "every PR labelled `{}` is on {branch}",
            config.backport_label
        ),
        false => println!(
            "waiting for review and merge into {branch}: {}",
            protection::named(&waiting)
        ),
    }
    report_skipped(&skipped, false)
}
