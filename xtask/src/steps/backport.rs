//! `backport X.Y`: "upstream first". The merge (or squash) commits of the PRs merged into the
//! main branch that carry the backport label are cherry-picked (`-x`) onto the release branch
//! in merge order, pushed, and relabelled on GitHub.

use std::collections::BTreeSet;

use anyhow::{bail, Context, Result};
use camino::Utf8PathBuf;

use crate::cli::BackportArgs;
use crate::config::Config;
use crate::plan::{self, Plan};
use crate::tools::git;
use crate::tools::github::{encode, GitHub, Pull};
use crate::Ctx;

/// A PR to backport, with the commit that brought it to the main branch.
struct Candidate {
    pull: Pull,
    commit: String,
    is_merge: bool,
}

/// Where a run that stopped on a conflict remembers the commit, for `--continue`.
fn state_file(ctx: &Ctx, branch: &str) -> Result<Utf8PathBuf> {
    let name = format!("asf-release-backport-{}", branch.replace('/', "-"));
    git::git_path(&ctx.sh, &ctx.repo, &name)
}

/// The labelled PRs merged into the main branch, in merge order.
fn labelled_pulls(github: &GitHub, config: &Config, milestone: Option<&str>) -> Result<Vec<Pull>> {
    let label = &config.backport_label;
    let issues = github.issues(&format!("state=closed&labels={}", encode(label)))?;
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
        let finish = git::cherry_pick_continue(&ctx.repo);
        if ctx.dry_run {
            let mut plan = Plan::new(format!("finish the cherry-pick of {stopped}"));
            plan.run(finish);
            print!("{}", plan.render());
            println!("the rest of the backport is planned once the pick is finished");
            return Ok(Resumed::DryRunStopped);
        }
        plan::execute(&ctx.sh, &finish).context(
            "cannot finish the cherry-pick: finish it with `git cherry-pick --continue`",
        )?;
    }
    Ok(Resumed::After(stopped))
}

pub fn run(ctx: &Ctx, args: &BackportArgs) -> Result<()> {
    let config = ctx.config()?;
    let sh = &ctx.sh;
    let repo = &ctx.repo;
    git::check_repository(sh, repo)?;
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
    let dirty = git::uncommitted_changes(sh, repo)?;
    if !dirty.is_empty() {
        bail!(
            "the working tree has uncommitted changes ({}): commit or stash them first",
            dirty.join(", ")
        );
    }
    plan::execute(sh, &git::fetch(repo, remote))
        .with_context(|| format!("cannot fetch from remote `{remote}`: check `git remote -v`"))?;
    let upstream = format!("{remote}/{main}");
    let remote_branch = git::resolve_commit(sh, repo, &format!("refs/remotes/{remote}/{branch}"))?
        .with_context(|| {
            format!("remote `{remote}` has no branch {branch}: create it with `cargo xtask branch {line}`")
        })?;
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

    let github = GitHub::for_repo(sh, repo, &config)?;
    let milestone = args.milestone.then_some(line.as_str());
    let pulls = labelled_pulls(&github, &config, milestone)?;
    let mut candidates = Vec::new();
    for pull in pulls {
        let commit = pull.merge_commit_sha.clone().with_context(|| {
            format!(
                "GitHub gives no merge commit for PR #{}: backport it by hand",
                pull.number
            )
        })?;
        let present = git::resolve_commit(sh, repo, &commit)?;
        if present.is_none() || !git::is_ancestor(sh, repo, &commit, &upstream)? {
            bail!(
                "PR #{} ({}) is labelled `{}`, but its commit {commit} is not on {upstream}: \
                 upstream first, a fix reaches {branch} only from {main}; nothing was picked",
                pull.number,
                pull.title,
                config.backport_label
            );
        }
        let is_merge = git::parents(sh, repo, &commit)?.len() > 1;
        candidates.push(Candidate {
            pull,
            commit,
            is_merge,
        });
    }

    // What the branch has already: `-x` trailers and patch ids of its own commits.
    let own = git::rev_list(sh, repo, &format!("{upstream}..{tip}"))?;
    let mut trailers = String::new();
    for commit in &own {
        trailers.push_str(&git::message(sh, repo, commit)?);
    }
    let mut branch_patches: Option<BTreeSet<String>> = None;
    let mut to_pick = Vec::new();
    let mut on_branch = Vec::new();
    for candidate in candidates {
        let commit = &candidate.commit;
        let mut present = trailers.contains(&format!("(cherry picked from commit {commit})"))
            || git::is_ancestor(sh, repo, commit, &tip)?;
        if !present {
            if branch_patches.is_none() {
                let mut ids = BTreeSet::new();
                for own_commit in &own {
                    ids.extend(git::patch_id(sh, repo, own_commit)?);
                }
                branch_patches = Some(ids);
            }
            let id = git::patch_id(sh, repo, commit)?;
            present =
                id.is_some_and(|id| branch_patches.as_ref().is_some_and(|ids| ids.contains(&id)));
        }
        if present {
            println!(
                "already on {branch}: PR #{} {} ({})",
                candidate.pull.number, candidate.pull.title, commit
            );
            on_branch.push(candidate);
        } else {
            to_pick.push(candidate);
        }
    }
    if let Some(stopped) = &resumed {
        if to_pick.iter().any(|c| c.commit == *stopped) {
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
    let mut picks = Vec::new();
    let needs_push = !to_pick.is_empty() || tip != remote_branch;
    if !to_pick.is_empty() {
        if local_branch.is_none() {
            picks.push(git::create_branch(repo, &branch, &remote_branch));
        }
        if switch {
            picks.push(git::checkout(repo, &branch));
        }
        if local_branch.is_some() && behind {
            picks.push(git::fast_forward(repo, &remote_branch));
        }
        for cmd in &picks {
            plan.run(cmd.clone());
        }
    }
    for candidate in &to_pick {
        println!(
            "to pick: PR #{} {} ({})",
            candidate.pull.number, candidate.pull.title, candidate.commit
        );
        plan.run(git::cherry_pick(
            repo,
            &candidate.commit,
            candidate.is_merge,
        ));
    }
    let push = git::push(repo, remote, &format!("refs/heads/{branch}"));
    if needs_push {
        plan.run(push.clone());
    }
    let relabel: Vec<&Candidate> = on_branch.iter().chain(&to_pick).collect();
    for candidate in &relabel {
        plan.local(format!(
            "on GitHub {}: PR #{} label `{}` -> `{}`",
            github.repo(),
            candidate.pull.number,
            config.backport_label,
            config.backported_label
        ));
    }
    if !to_pick.is_empty() && switch {
        if let Some(back) = &current {
            plan.run(git::checkout(repo, back));
        }
    }
    if ctx.dry_run || plan.actions.is_empty() {
        print!("{}", plan.render());
        if plan.actions.is_empty() {
            println!(
                "nothing to do: no merged PR carries `{}` that is not on {branch}",
                config.backport_label
            );
            remove_state(&state)?;
        }
        return Ok(());
    }
    for cmd in &picks {
        plan::execute(sh, cmd)?;
    }
    for (picked, candidate) in to_pick.iter().enumerate() {
        let pick = git::cherry_pick(repo, &candidate.commit, candidate.is_merge);
        eprintln!("  running: {pick}");
        let output = pick.output(sh)?;
        if output.status.success() {
            continue;
        }
        let unmerged = git::unmerged_files(sh, repo)?;
        // A pick that never started (git itself failed) is no conflict: nothing to abort,
        // nothing to remember, and a plain rerun goes on.
        if unmerged.is_empty() && !git::cherry_pick_in_progress(sh, repo)? {
            bail!(
                "`{pick}` failed before picking PR #{}: {}; fix the cause, then run `cargo xtask \
                 backport {line}` again ({branch} holds the {picked} pick(s) before it, not \
                 pushed yet)",
                candidate.pull.number,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let aborted = plan::execute(sh, &git::cherry_pick_abort(repo));
        std::fs::write(
            &state,
            format!("{} {}\n", candidate.commit, candidate.pull.number),
        )
        .with_context(|| format!("cannot write {state}"))?;
        aborted.context("cannot abort the failed cherry-pick: run `git cherry-pick --abort`")?;
        let mainline = if candidate.is_merge { " -m 1" } else { "" };
        bail!(
            "PR #{} ({}) does not apply to {branch}: conflicts in {}. The pick was aborted: \
             {branch} holds the {picked} pick(s) before it (not pushed yet) and the working tree \
             is clean. Resolve it by hand: `git checkout {branch} && git cherry-pick -x{mainline} \
             {}`, fix the files, `git add` them and `git cherry-pick --continue`; then run \
             `cargo xtask backport {line} --continue`",
            candidate.pull.number,
            candidate.pull.title,
            if unmerged.is_empty() {
                String::from_utf8_lossy(&output.stderr).trim().to_string()
            } else {
                unmerged.join(", ")
            },
            candidate.commit
        );
    }
    if needs_push {
        plan::execute(sh, &push)?;
        let pushed = git::resolve_commit(sh, repo, &format!("refs/heads/{branch}"))?
            .with_context(|| format!("branch {branch} vanished during the backport"))?;
        git::verify_pushed(sh, repo, remote, &format!("refs/heads/{branch}"), &pushed)?;
    }
    for candidate in &relabel {
        let number = candidate.pull.number;
        github.add_label(number, &config.backported_label)?;
        github.remove_label(number, &config.backport_label)?;
        eprintln!(
            "  relabelled PR #{number}: `{}` -> `{}`",
            config.backport_label, config.backported_label
        );
    }
    if !to_pick.is_empty() && switch {
        if let Some(back) = &current {
            plan::execute(sh, &git::checkout(repo, back))?;
        }
    }
    remove_state(&state)?;
    println!(
        "backported {} PR(s) to {branch} and pushed it; {} PR(s) were there already",
        to_pick.len(),
        on_branch.len()
    );
    Ok(())
}

fn remove_state(state: &Utf8PathBuf) -> Result<()> {
    match std::fs::remove_file(state) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(err).with_context(|| format!("cannot remove {state}"))
        }
        _ => Ok(()),
    }
}
