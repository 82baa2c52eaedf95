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

//! `version check` / `version bump`: the files that carry the release version (docs, the Lua
//! `VERSION`, ...), each found by a configured regex in which `{version}` marks the version.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::config::version_file::{compile, find, newest_of_shape};
use crate::config::{self, Config};
use crate::leftovers;
use crate::plan::Plan;
use crate::protection::{self, Publish};
use crate::release_branch::ReleaseBranch;
use crate::tools::git;
use crate::version::Version;
use crate::Ctx;

use crate::config::version_file::path_for;
use crate::version_files::{problems, read_commit};

#[derive(clap::Subcommand, Debug)]
pub enum VersionCommand {
    /// Fail unless every configured version file carries VERSION.
    Check {
        /// The version, like 2.3.0.
        #[arg(value_parser = crate::args::parse_version)]
        version: Version,
    },
    /// Write VERSION into every configured version file and commit.
    Bump {
        /// The version, like 2.3.0.
        #[arg(value_parser = crate::args::parse_version)]
        version: Version,
    },
}

/// The step's name in the flow and in its claims on the working tree.
const STEP: &str = "version";

fn require_files(ctx: &Ctx, config: &Config) -> Result<()> {
    if config.version_files.is_empty() {
        bail!(
            "missing setting version-files: add `version-files = [{{ path = \"<file>\", pattern = \
             \"<regex with {{version}}>\" }}]` to {}",
            config::where_to_add(&ctx.repo, None)
        );
    }
    Ok(())
}

fn read_worktree(ctx: &Ctx) -> impl Fn(&str) -> Result<Option<String>> + '_ {
    move |path: &str| {
        let full = ctx.repo.join(path);
        match std::fs::read_to_string(&full) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err).with_context(|| format!("cannot read {full}")),
        }
    }
}

pub fn check(ctx: &Ctx, version: &Version) -> Result<ExitCode> {
    let config = ctx.config()?;
    require_files(ctx, &config)?;
    let problems = problems(&config, version, &read_worktree(ctx))?;
    if problems.is_empty() {
        println!(
            "✓ all {} version files carry {version}",
            config.version_files.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &problems {
        println!("✗ {problem}");
    }
    println!("fix them with `cargo xtask version bump {version}`");
    Ok(ExitCode::FAILURE)
}

/// The version files with `version` written in, as (path, new text), read through `read`
/// (`tracked`: the files there are, for a file named after the version).
fn rewrite(
    config: &Config,
    version: &Version,
    read: &dyn Fn(&str) -> Result<Option<String>>,
    tracked: &[String],
) -> Result<Vec<(String, String)>> {
    let wanted = version.to_string();
    // Every file is read and rewritten in memory first, so a problem changes nothing.
    let mut rewrites: Vec<(String, String)> = Vec::new();
    for file in &config.version_files {
        let regex = compile(file)?;
        let path = path_for(file, version);
        let current = match rewrites.iter().find(|(done, _)| *done == path) {
            Some((_, text)) => text.clone(),
            None => match read(&path)? {
                Some(text) => text,
                // A file named after the version starts as a copy of the newest one.
                None => {
                    let source = newest_of_shape(file, tracked).with_context(|| {
                        format!(
                            "{path} does not exist and no file has the shape {}: create it or \
                             fix version-files",
                            file.path
                        )
                    })?;
                    read(&source)?
                        .with_context(|| format!("{source} is tracked but missing: restore it"))?
                }
            },
        };
        let found = find(&regex, &current);
        if found.is_empty() {
            bail!(
                "{path}: nothing matches the pattern {:?}; fix the file or the pattern in \
                 version-files (nothing was changed)",
                file.pattern
            );
        }
        let mut text = String::with_capacity(current.len());
        let mut last = 0;
        for found in &found {
            text.push_str(&current[last..found.start]);
            text.push_str(&wanted);
            last = found.end;
        }
        text.push_str(&current[last..]);
        rewrites.retain(|(done, _)| *done != path);
        rewrites.push((path, text));
    }
    Ok(rewrites)
}

pub fn bump(ctx: &Ctx, version: &Version) -> Result<()> {
    let config = ctx.config()?;
    require_files(ctx, &config)?;
    git::check_repository(&ctx.sh, &ctx.repo)?;
    // A release branch that requires reviews gets the bump as a pull request.
    let branch = config.branch_name(version.line())?;
    if let Publish::PullRequests(why) = protection::how_to_publish(ctx, &config, &branch)? {
        return bump_pull(ctx, &config, version, &branch, &why);
    }
    // What an interrupted bump wrote and did not commit is taken back and written again;
    // another step's leftovers are named, never taken for the user's changes.
    let dirt = leftovers::dirt(ctx, &config)?;
    leftovers::refuse_others(&dirt, STEP)?;
    let mut back = Plan::new("take back what an interrupted bump left uncommitted");
    leftovers::take_back(ctx, &config, &dirt, STEP, &mut back);
    if !back.is_empty() {
        back.execute(&ctx.sh, ctx.dry_run)?;
    }
    // The bump is committed on the release branch of the line when there is one.
    let release = ReleaseBranch::find(ctx, &config, version.line())?;
    let mut switch = Plan::new(format!("work on the release branch {}", release.name));
    release.check_out(ctx, &dirt.user, &mut switch)?;
    if !switch.is_empty() && !switch.execute(&ctx.sh, ctx.dry_run)? {
        println!("  (a dry run does not switch: what follows reads the files checked out now)");
    }
    let wanted = version.to_string();
    let read = read_worktree(ctx);
    let tracked = git::tracked_files(&ctx.sh, &ctx.repo)?;
    let rewrites = rewrite(&config, version, &read, &tracked)?;
    // What the commit must change is judged against HEAD, not the working tree: a bump that
    // was interrupted after writing and before committing is finished by the rerun.
    let committed = read_commit(ctx, "HEAD");
    let mut changed = Vec::new();
    for (path, text) in &rewrites {
        if committed(path)?.as_deref() != Some(text.as_str()) {
            changed.push((path.as_str(), text.as_str()));
        }
    }
    let mut plan = Plan::new(format!("bump the version files to {version}"));
    if changed.is_empty() {
        print!("{}", plan.render());
        println!("every version file already carries {version}");
        return Ok(());
    }
    let paths: Vec<&str> = changed.iter().map(|(path, _)| *path).collect();
    // A version file changed by hand is refused, so the commit carries only the bump.
    if let Some(line) = dirt.user.iter().find(|line| {
        line.get(3..)
            .is_some_and(|dirty_path| paths.contains(&dirty_path))
    }) {
        bail!(
            "{} has uncommitted changes: commit or stash them first, so the version commit \
             carries only the bump",
            line.get(3..).unwrap_or(line)
        );
    }
    let mut claim = leftovers::Claim::new(STEP, &["version".into(), "bump".into(), wanted.clone()]);
    for (path, text) in &changed {
        claim.file(path, text.as_bytes());
    }
    let config_ref = &config;
    plan.local(
        "claim the version files until they are committed",
        move || leftovers::record(config_ref, &claim),
    );
    for (path, text) in &changed {
        let full = ctx.repo.join(path);
        plan.local(format!("write {wanted} into {path}"), move || {
            std::fs::write(&full, text).with_context(|| format!("cannot write {full}"))
        });
    }
    let new_files: Vec<&str> = paths
        .iter()
        .copied()
        .filter(|path| !tracked.iter().any(|t| t == path))
        .collect();
    if !new_files.is_empty() {
        plan.run(git::add_paths(&ctx.repo, &new_files));
    }
    let message = crate::release_branch::bump_message(version);
    plan.run(git::commit_paths(&ctx.repo, &paths, &message));
    plan.local("drop the claim: committed", move || {
        leftovers::release(config_ref, STEP)
    });
    if !plan.execute(&ctx.sh, ctx.dry_run)? {
        return Ok(());
    }
    let left = problems(&config, version, &read)?;
    if let Some(problem) = left.first() {
        bail!("after the bump, {problem}: check the patterns in version-files");
    }
    println!("bumped {} file(s) to {version} and committed", paths.len());
    Ok(())
}

/// The bump of a release branch that requires reviews: committed with git's plumbing on top
/// of the branch as fetched (the checkout untouched), pushed as
/// `asf-release/<branch>/version-<version>` and opened as a pull request.
fn bump_pull(ctx: &Ctx, config: &Config, version: &Version, branch: &str, why: &str) -> Result<()> {
    println!("{branch} takes changes through reviewed pull requests ({why})");
    crate::remote::fetch(ctx, &config.remote)?;
    let tip = git::resolve_commit(
        &ctx.sh,
        &ctx.repo,
        &format!("refs/remotes/{}/{branch}", config.remote),
    )?
    .with_context(|| format!("remote `{}` has no branch {branch}", config.remote))?;
    let change = format!("version-{version}");
    let open = protection::open_pulls(ctx, config, branch, &change)?;
    if !open.is_empty() {
        println!(
            "the version bump to {version} waits for review and merge: {}",
            protection::named(&open)
        );
        return Ok(());
    }
    let read = read_commit(ctx, &tip);
    let mut tracked = Vec::new();
    git::ls_tree(&ctx.sh, &ctx.repo, &tip, &mut |entry| {
        tracked.push(entry.path);
        Ok(())
    })?;
    let rewrites = rewrite(config, version, &read, &tracked)?;
    let mut changed: Vec<(&str, &[u8])> = Vec::new();
    for (path, text) in &rewrites {
        if read(path)?.as_deref() != Some(text.as_str()) {
            changed.push((path.as_str(), text.as_bytes()));
        }
    }
    if changed.is_empty() {
        println!(
            "every version file of {}/{branch} already carries {version}",
            config.remote
        );
        return Ok(());
    }
    let message = crate::release_branch::bump_message(version);
    let commit = git::commit_files(&ctx.sh, &ctx.repo, &tip, &changed, &message)?;
    let topic = protection::topic_branch(branch, &change);
    let body = format!("The version files of `{branch}` carry {version}, by `cargo xtask version bump {version}`.\n");
    protection::open_change_pull(ctx, config, branch, &topic, &commit, &message, &body)
}

/// Writes the version into the configured version files on the release branch.
pub struct VersionStep;

impl crate::flow::Step for VersionStep {
    fn name(&self) -> &'static str {
        STEP
    }
    fn phase(&self) -> &'static str {
        crate::flow::CANDIDATE
    }
    /// Where the release branch takes reviewed pull requests, the step opens one.
    fn outward(&self, release: &crate::flow::Release) -> bool {
        protection::through_reviews(release)
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        crate::flow::strings(&["version", "bump", &release.candidate.version.to_string()])
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        let (ctx, config, version) = (release.ctx, release.config, &release.candidate.version);
        if config.version_files.is_empty() {
            return Progress::done("no version-files configured");
        }
        // The local release branch when there is one, else the remote's (a fresh clone).
        let branch = ReleaseBranch::find(ctx, config, release.line)?;
        let rev = match (&branch.local, &branch.remote) {
            (Some(_), _) => format!("refs/heads/{}", branch.name),
            (None, Some(_)) => format!("refs/remotes/{}/{}", config.remote, branch.name),
            (None, None) => "HEAD".to_string(),
        };
        let committed = read_commit(ctx, &rev);
        let mut fine = problems(config, version, &committed)?.is_empty();
        // Through pull requests, the bump lands on the remote's branch first.
        if let (false, Some(_), Some(remote)) = (fine, &branch.local, &branch.remote) {
            fine = problems(config, version, &read_commit(ctx, remote))?.is_empty();
        }
        if !fine {
            if let Publish::PullRequests(_) = protection::how_to_publish(ctx, config, &branch.name)?
            {
                let changelog = format!("changelog-{version}");
                let bump = format!("version-{version}");
                let changes = ["backport-", changelog.as_str(), bump.as_str()];
                if let Some(why) = protection::waiting(ctx, config, &branch.name, &changes)? {
                    return Progress::blocked(why);
                }
            }
        }
        match fine {
            true => Progress::done(format!("the version files carry {version}")),
            false => Progress::todo(format!("write {version} into the version files")),
        }
    }
}
