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

//! The release's own git work on the release branch: committing what the steps wrote,
//! checking the branch out and publishing it.

use anyhow::{bail, Context, Result};

use super::memory::Target;
use super::state::strings;
use crate::config::Config;
use crate::tools::{git, xtask};
use crate::version::{Line, Version};
use crate::Ctx;

/// `changelog` writes the files; the release commits them on the release branch so the tag
/// carries them.
pub(super) fn commit_changelog(ctx: &Ctx, config: &Config, version: &Version) -> Result<()> {
    let notes = format!("release-notes/{version}.md");
    let changed = git::changed_paths(&ctx.sh, &ctx.repo, &["CHANGELOG.md", &notes])?;
    if changed.is_empty() {
        return Ok(());
    }
    let paths: Vec<&str> = changed.iter().map(String::as_str).collect();
    let message = format!("docs: CHANGELOG of {} {version}", config.display_name);
    crate::plan::execute(&ctx.sh, &git::add_paths(&ctx.repo, &paths))?;
    crate::plan::execute(&ctx.sh, &git::commit_paths(&ctx.repo, &paths, &message))?;
    Ok(())
}

/// A run interrupted between writing the CHANGELOG or the version files and committing them
/// leaves them uncommitted on the release branch, where they would block the next steps.
/// When nothing else is changed, they are committed exactly as the interrupted run would have.
pub(super) fn resume_interrupted_commits(
    ctx: &Ctx,
    config: &Config,
    target: &Target,
) -> Result<()> {
    let branch = config.branch_name(target.line)?;
    if git::current_branch(&ctx.sh, &ctx.repo)?.as_deref() != Some(branch.as_str()) {
        return Ok(());
    }
    let changed = git::changed_paths(&ctx.sh, &ctx.repo, &[])?;
    if changed.is_empty() {
        return Ok(());
    }
    let changelog = [
        "CHANGELOG.md".to_string(),
        format!("release-notes/{}.md", target.version),
    ];
    let versioned: Vec<String> = config
        .version_files
        .iter()
        .map(|file| crate::steps::version_files::path_for(file, &target.version))
        .collect();
    let owned = |path: &String| changelog.contains(path) || versioned.contains(path);
    if !changed.iter().all(owned) {
        // Someone else's changes: the steps refuse them with their own message.
        return Ok(());
    }
    println!(
        "\nfinishing the commit an interrupted run left: {}",
        changed.join(", ")
    );
    if changed.iter().any(|path| changelog.contains(path)) {
        commit_changelog(ctx, config, &target.version)?;
    }
    if changed.iter().any(|path| versioned.contains(path)) {
        let version = target.version.to_string();
        let bump = xtask::step(&ctx.repo, false, &strings(&["version", "bump", &version]))?;
        if bump.run_attached(&ctx.sh)? != 0 {
            bail!("cannot finish the interrupted version bump: see the message above");
        }
    }
    Ok(())
}

/// The release branch must be checked out for the steps that write to it.
pub(super) fn check_out_release_branch(ctx: &Ctx, config: &Config, line: Line) -> Result<()> {
    let branch = config.branch_name(line)?;
    if git::current_branch(&ctx.sh, &ctx.repo)?.as_deref() == Some(branch.as_str()) {
        return Ok(());
    }
    let changes = git::uncommitted_changes(&ctx.sh, &ctx.repo)?;
    if !changes.is_empty() {
        bail!(
            "the release branch {branch} must be checked out, but the working tree has \
             uncommitted changes ({}): commit or stash them, then rerun",
            changes.join("; ")
        );
    }
    crate::plan::execute(&ctx.sh, &git::checkout(&ctx.repo, &branch))?;
    Ok(())
}

/// Voters find the tagged commit on the published branch: push what the release added to it
/// (CHANGELOG, version bump) before tagging.
pub(super) fn publish_release_branch(ctx: &Ctx, config: &Config, line: Line) -> Result<()> {
    let branch = config.branch_name(line)?;
    let full = format!("refs/heads/{branch}");
    let local = git::resolve_commit(&ctx.sh, &ctx.repo, &full)?.with_context(|| {
        format!("there is no local branch {branch}: run `cargo xtask branch {line}`")
    })?;
    let remote = git::remote_ref_commit(&ctx.sh, &ctx.repo, &config.remote, &full)?;
    if remote.as_deref() == Some(local.as_str()) {
        return Ok(());
    }
    crate::plan::execute(&ctx.sh, &git::push(&ctx.repo, &config.remote, &branch))?;
    git::verify_pushed(&ctx.sh, &ctx.repo, &config.remote, &full, &local)
}
