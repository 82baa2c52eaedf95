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

//! `backport X.Y`: "upstream first". The commits that the PRs labelled for backporting put on
//! the main branch (a merge commit, a squash, or every rebased commit) are cherry-picked
//! (`-x`) onto the release branch in merge order, pushed, and relabelled on GitHub. A PR whose
//! commits cannot be found is skipped with the reason; the others go on.

mod candidates;
mod pulls;

use crate::version::Line;
use std::process::Output;

use anyhow::{bail, Context, Result};
use camino::Utf8PathBuf;

use crate::plan::Plan;
use crate::protection::{self, Publish};
use crate::tools::git;
use crate::tools::github::Access;
use crate::Ctx;
use candidates::{Candidate, OnBranch, Skipped};

#[derive(clap::Args, Debug)]
pub struct BackportArgs {
    /// The release line, like 2.3.
    #[arg(value_parser = crate::args::parse_line)]
    pub line: Line,
    /// Go on after a conflict that was resolved by hand.
    #[arg(long = "continue")]
    pub resume: bool,
    /// Take only PRs whose milestone is the line.
    #[arg(long)]
    pub milestone: bool,
}

/// Where a run that stopped on a conflict remembers the commit, for `--continue`.
fn state_file(ctx: &Ctx, branch: &str) -> Result<Utf8PathBuf> {
    let name = format!("asf-release-backport-{}", branch.replace('/', "-"));
    git::git_path(&ctx.sh, &ctx.repo, &name)
}

/// Where `--continue` stands after looking at the stopped pick.
enum Resumed {
    /// The pick of this commit is finished (by the user or just now); the run goes on.
    After(String),
    /// A dry run while the pick is still in progress: the plan was printed, nothing more to show.
    DryRunStopped,
}

/// Finishes the pick the user resolved by hand, before the normal run goes on.
fn resume(ctx: &Ctx, state: &Utf8PathBuf, line: &str) -> Result<Resumed> {
    let Ok(stopped) = std::fs::read_to_string(state) else {
        bail!(
            "no backport of {line} stopped on a conflict: run `cargo xtask backport {line}` \
             without --continue"
        );
    };
    let stopped = stopped
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    if git::cherry_pick_in_progress(&ctx.sh, &ctx.repo)? {
        let unmerged = git::unmerged_files(&ctx.sh, &ctx.repo)?;
        if !unmerged.is_empty() {
            bail!(
                "these files still have conflicts: {}; resolve them, `git add` them, then run \
                 `cargo xtask backport {line} --continue` again",
                unmerged.join(", ")
            );
        }
        let mut plan = Plan::new(format!("finish the cherry-pick of {stopped}"));
        plan.run(git::cherry_pick_continue(&ctx.repo));
        let finished = plan.execute(&ctx.sh, ctx.dry_run).context(
            "cannot finish the cherry-pick: finish it with `git cherry-pick --continue`",
        )?;
        if !finished {
            println!("the rest of the backport is planned once the pick is finished");
            return Ok(Resumed::DryRunStopped);
        }
    }
    Ok(Resumed::After(stopped))
}

pub fn run(ctx: &Ctx, args: &BackportArgs) -> Result<()> {
    let config = ctx.config()?;
    let sh = &ctx.sh;
    let repo = &ctx.repo;
    git::check_repository(sh, repo)?;
    if config.release_from_main {
        println!("nothing to do: {}", from_main(&config));
        return Ok(());
    }
    let line = args.line.to_string();
    let branch = config.branch_name(args.line)?;
    let main = &config.main_branch;
    let remote = &config.remote;
    let state = state_file(ctx, &branch)?;
    let resumed = if args.resume {
        match resume(ctx, &state, &line)? {
            Resumed::After(stopped) => Some(stopped),
            Resumed::DryRunStopped => return Ok(()),
        }
    } else {
        if let Ok(stopped) = std::fs::read_to_string(&state) {
            bail!(
                "the last backport to {branch} stopped on a conflict ({}): finish that pick by \
                 hand, then run `cargo xtask backport {line} --continue` (or delete {state} to \
                 start over)",
                stopped.trim()
            );
        }
        None
    };
    crate::remote::fetch(ctx, remote)?;
    let upstream = format!("{remote}/{main}");
    let remote_branch = git::resolve_commit(sh, repo, &format!("refs/remotes/{remote}/{branch}"))?
        .with_context(|| {
            format!("remote `{remote}` has no branch {branch}: create it with `cargo xtask branch {line}`")
        })?;
    // A branch that requires reviews takes the backports as pull requests, built without the
    // working tree.
    if let Publish::PullRequests(why) = protection::how_to_publish(ctx, &config, &branch)? {
        let milestone = args.milestone.then_some(line.as_str());
        return pulls::backport(
            ctx,
            &config,
            &line,
            milestone,
            &branch,
            &remote_branch,
            &why,
        );
    }
    crate::leftovers::require_clean(ctx, &config, "backport", "the backport")?;
    let local_branch = git::resolve_commit(sh, repo, &format!("refs/heads/{branch}"))?;
    let behind = match &local_branch {
        None => true,
        Some(local) if git::is_ancestor(sh, repo, local, &remote_branch)? => {
            *local != remote_branch
        }
        Some(local) if git::is_ancestor(sh, repo, &remote_branch, local)? => false,
        Some(_) => bail!(
            "local {branch} and {remote}/{branch} have diverged: reconcile them (`git checkout \
             {branch} && git pull --rebase`) first"
        ),
    };
    let tip = match (&local_branch, behind) {
        (Some(local), false) => local.clone(),
        _ => remote_branch.clone(),
    };

    let github = ctx.github(&config)?;
    let milestone = args.milestone.then_some(line.as_str());
    let (candidates, skipped) = candidates::find(ctx, &github, &config, milestone, &line)?;

    // What the branch has already: `-x` trailers and patch ids of its own commits.
    let mut present = OnBranch::read(ctx, &upstream, &tip)?;
    // Each PR with the commits it still needs on the branch.
    let mut to_pick: Vec<(Candidate, Vec<String>)> = Vec::new();
    let mut on_branch = Vec::new();
    for candidate in candidates {
        let missing = present.missing(ctx, &candidate.commits)?;
        if missing.is_empty() {
            println!(
                "already on {branch}: {} ({}: {})",
                candidate.name(),
                candidate.kind,
                candidate.commits.join(" ")
            );
            on_branch.push(candidate);
        } else {
            to_pick.push((candidate, missing));
        }
    }
    if let Some(stopped) = &resumed {
        if to_pick.iter().any(|(_, missing)| missing.contains(stopped)) {
            bail!(
                "commit {stopped} is still not on {branch}: cherry-pick it by hand (`git \
                 cherry-pick -x {stopped}`), resolve the conflicts, then run `cargo xtask \
                 backport {line} --continue`"
            );
        }
    }

    let mut plan = Plan::new(format!(
        "backport to {branch} the PRs labelled `{}`",
        config.backport_label
    ));
    let current = git::current_branch(sh, repo)?;
    let switch = current.as_deref() != Some(branch.as_str());
    let needs_push = !to_pick.is_empty() || tip != remote_branch;
    if !to_pick.is_empty() {
        if local_branch.is_none() {
            plan.run(git::create_branch(repo, &branch, &remote_branch));
        }
        if switch {
            plan.run(git::checkout(repo, &branch));
        }
        if local_branch.is_some() && behind {
            plan.run(git::fast_forward(repo, &remote_branch));
        }
    }
    let mut picked = 0;
    for (candidate, missing) in &to_pick {
        println!(
            "to pick: {} ({}: {})",
            candidate.name(),
            candidate.kind,
            missing.join(" ")
        );
        for commit in missing {
            let pick = git::cherry_pick(repo, commit, candidate.is_merge());
            let (state, line, branch) = (&state, &line, &branch);
            let shown = pick.to_string();
            plan.run_judged(pick, move |output| {
                explain_pick(
                    ctx, state, line, branch, candidate, commit, &shown, picked, output,
                )
            });
            picked += 1;
        }
    }
    if needs_push {
        let full = format!("refs/heads/{branch}");
        plan.mark_outward();
        let (shown_branch, config_ref) = (branch.clone(), &config);
        plan.run_judged(git::push(repo, remote, &full), move |output| {
            explain_push(config_ref, &shown_branch, output)
        });
        plan.local(
            format!("check that {remote} has {branch} as pushed"),
            move || {
                let pushed = git::resolve_commit(sh, repo, &full)?
                    .with_context(|| format!("branch {full} vanished during the backport"))?;
                git::verify_pushed(sh, repo, remote, &full, &pushed)
            },
        );
    }
    let relabel: Vec<&Candidate> = on_branch
        .iter()
        .chain(to_pick.iter().map(|(candidate, _)| candidate))
        .collect();
    let repo_name = github.repo();
    for candidate in &relabel {
        plan.mark_outward();
        let number = candidate.pull.number;
        let (github, config) = (&github, &config);
        plan.local(
            format!(
                "on GitHub {repo_name}: PR #{number} label `{}` -> `{}`",
                config.backport_label, config.backported_label
            ),
            move || {
                github.add_label(number, &config.backported_label)?;
                github.remove_label(number, &config.backport_label)?;
                eprintln!(
                    "  relabelled PR #{number}: `{}` -> `{}`",
                    config.backport_label, config.backported_label
                );
                Ok(())
            },
        );
    }
    if !to_pick.is_empty() && switch {
        if let Some(back) = &current {
            plan.run(git::checkout(repo, back));
        }
    }
    // The relabel needs a token with write access: known before the first push, not after.
    let access = if relabel.is_empty() {
        Ok(())
    } else {
        github.check_write_access("relabelling the backported PRs", Access::Triage)
    };
    if plan.is_empty() {
        print!("{}", plan.render());
        println!(
            "nothing to do: no merged PR carries `{}` that is not on {branch}",
            config.backport_label
        );
        if !ctx.dry_run {
            remove_state(&state)?;
        }
        return report_skipped(&skipped, ctx.dry_run);
    }
    if ctx.dry_run {
        print!("{}", plan.render());
        access.context("the real run would stop before the first pick")?;
        return report_skipped(&skipped, true);
    }
    access?;
    plan.execute_confirmed(ctx)?;
    remove_state(&state)?;
    println!(
        "backported {} PR(s) ({picked} commit(s)) to {branch} and pushed it; {} PR(s) were \
         there already",
        to_pick.len(),
        on_branch.len()
    );
    report_skipped(&skipped, false)
}

/// Why a project that releases from its main branch has nothing to backport.
fn from_main(config: &crate::config::Config) -> String {
    format!(
        "releases are tagged on {} (release-from-main), which holds every merged change: \
         there is nothing to backport",
        config.main_branch
    )
}

/// The outcome of the push of the release branch: a refusal as protected is remembered, so
/// the rerun goes through pull requests instead.
fn explain_push(config: &crate::config::Config, branch: &str, output: Output) -> Result<()> {
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if protection::refused_as_protected(&stderr) {
        protection::remember_refusal(config, branch, &crate::untrusted::escape_str(&stderr))?;
        bail!(
            "the remote refused the push to {branch}: it is protected ({}). Nothing was \
             published; from now on the backports go to {branch} as pull requests: rerun \
             `cargo xtask backport {}` (the picks made here stay on the local {branch} only)",
            crate::untrusted::escape_str(&stderr),
            config
                .parse_branch(branch)
                .map(|line| line.to_string())
                .unwrap_or_default()
        );
    }
    bail!("`git push` of {branch} failed: {stderr}")
}

/// The outcome of one cherry-pick; on a conflict, aborts it, remembers the commit for
/// `--continue` and fails with what to do.
#[allow(clippy::too_many_arguments)]
fn explain_pick(
    ctx: &Ctx,
    state: &Utf8PathBuf,
    line: &str,
    branch: &str,
    candidate: &Candidate,
    commit: &str,
    pick: &str,
    picked: usize,
    output: Output,
) -> Result<()> {
    let (sh, repo) = (&ctx.sh, &ctx.repo);
    if output.status.success() {
        return Ok(());
    }
    let number = candidate.pull.number;
    let unmerged = git::unmerged_files(sh, repo)?;
    // A pick that never started (git itself failed) is no conflict: nothing to abort,
    // nothing to remember, and a plain rerun goes on.
    if unmerged.is_empty() && !git::cherry_pick_in_progress(sh, repo)? {
        bail!(
            "`{pick}` failed before picking PR #{number}: {}; fix the cause, then run `cargo \
             xtask backport {line}` again ({branch} holds the {picked} pick(s) before it, not \
             pushed yet)",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let aborted = git::cherry_pick_abort(repo).run(sh);
    std::fs::write(state, format!("{commit} {number}\n"))
        .with_context(|| format!("cannot write {state}"))?;
    aborted.context("cannot abort the failed cherry-pick: run `git cherry-pick --abort`")?;
    let mainline = if candidate.is_merge() { " -m 1" } else { "" };
    let rest = match candidate.commits.iter().position(|c| c == commit) {
        Some(at) if at + 1 < candidate.commits.len() => format!(
            " (then its later commits {} follow on the rerun)",
            candidate.commits[at + 1..].join(" ")
        ),
        _ => String::new(),
    };
    bail!(
        "{} does not apply to {branch}: conflicts in {}. The pick was aborted: {branch} holds \
         the {picked} pick(s) before it (not pushed yet) and the working tree is clean. Resolve \
         it by hand: `git checkout {branch} && git cherry-pick -x{mainline} {commit}`, fix the \
         files, `git add` them and `git cherry-pick --continue`; then run `cargo xtask backport \
         {line} --continue`{rest}",
        candidate.name(),
        if unmerged.is_empty() {
            String::from_utf8_lossy(&output.stderr).trim().to_string()
        } else {
            unmerged.join(", ")
        },
    );
}

/// The PRs left out, each with the reason and what finishes it; an error after a real run,
/// so that the release stops until they are dealt with.
pub(super) fn report_skipped(skipped: &[Skipped], dry_run: bool) -> Result<()> {
    if skipped.is_empty() {
        return Ok(());
    }
    let mut list = format!("skipped {} PR(s):", skipped.len());
    for skip in skipped {
        list.push_str(&format!(
            "\n  PR #{} {}: {}. To finish: {}",
            skip.number, skip.title, skip.reason, skip.fix
        ));
    }
    if dry_run {
        bail!("{list}\nthe real run would backport the others and fail with this list");
    }
    bail!("{list}\nthe other PRs were backported; deal with these, then rerun the backport")
}

fn remove_state(state: &Utf8PathBuf) -> Result<()> {
    match std::fs::remove_file(state) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(err).with_context(|| format!("cannot remove {state}"))
        }
        _ => Ok(()),
    }
}

/// Picks the PRs labelled for backporting onto the release branch.
pub struct BackportStep;

impl crate::flow::Step for BackportStep {
    fn name(&self) -> &'static str {
        "backport"
    }
    fn phase(&self) -> &'static str {
        crate::flow::RELEASE_BRANCH
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        true
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        crate::flow::strings(&["backport", &release.line.to_string()])
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        if release.config.release_from_main {
            return Progress::done(from_main(release.config));
        }
        // Until the candidate is tagged, new PRs may still come: it always runs again.
        let tag = release.config.candidate_tag(&release.candidate)?;
        if release.tag_published(&tag)? {
            return Progress::done(format!("candidate {} is tagged", release.candidate.rc));
        }
        let (ctx, config) = (release.ctx, release.config);
        let branch = config.branch_name(release.line)?;
        if let Publish::PullRequests(_) = protection::how_to_publish(ctx, config, &branch)? {
            let open = protection::open_pulls(ctx, config, &branch, "backport-")?;
            if let Some(pull) = pulls::unlabelled(config, &branch, &open).next() {
                return Progress::todo(format!(
                    "label the backport PR #{} `{}`",
                    pull.number, config.backport_pr_label
                ));
            }
            if let Some(why) = protection::waiting_on(&branch, &open) {
                return Progress::blocked(why);
            }
        }
        Progress::todo("pick the `need backport` PRs merged since")
    }
    fn after_failure(&self, release: &crate::flow::Release) -> Option<String> {
        // Only a pick that stopped on a conflict leaves its state file: any other failure is
        // no conflict, and the message above says what it is.
        let branch = release.config.branch_name(release.line).ok()?;
        let stopped = state_file(release.ctx, &branch).ok()?;
        if !stopped.exists() {
            return None;
        }
        Some(format!(
            "resolve the conflict as the message above says, run `cargo xtask backport {} \
             --continue`, then rerun `cargo xtask release {}`",
            release.line, release.line
        ))
    }
    fn result_visible_at_once(&self) -> bool {
        false
    }
}
