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

//! `changelog VERSION`: the changes since the previous release, from the fragments in
//! `release-notes/unreleased/*.md` or else from the conventional-commit subjects, written to
//! `release-notes/VERSION.md` and as the version's section of `CHANGELOG.md` (APISIX format:
//! a `## Table of Contents` entry and a `## VERSION` section, newest first). A rerun replaces
//! its own section; `--check` only checks that the section is there.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use camino::Utf8Path;

use crate::changelog_file::update_changelog;
use crate::config::Config;
use crate::leftovers;
use crate::plan::Plan;
use crate::protection::{self, Publish};
use crate::release_branch::{self, ReleaseBranch};
use crate::tools::git;
use crate::version::Version;
use crate::Ctx;
use notes::notes_from_commits;

mod notes;
mod pulls;

#[derive(clap::Args, Debug)]
pub struct ChangelogArgs {
    /// The version whose changes to collect, like 2.3.0.
    #[arg(value_parser = crate::args::parse_version)]
    pub version: Version,
    /// Change nothing; fail when CHANGELOG.md has no section for the version.
    #[arg(long)]
    pub check: bool,
}

/// The step's name in the flow and in its claims on the working tree.
const STEP: &str = "changelog";
pub const FRAGMENTS: &str = "release-notes/unreleased";

pub fn run(ctx: &Ctx, args: &ChangelogArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let version = &args.version;
    let style = &config.changelog;
    let changelog_file = style.file.as_str();
    let changelog_path = ctx.repo.join(changelog_file);
    let current = match std::fs::read_to_string(&changelog_path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(err).with_context(|| format!("cannot read {changelog_path}")),
    };
    let covered = current
        .as_deref()
        .is_some_and(|text| style.covers(text, version));
    if args.check || !style.write {
        if covered {
            println!("{changelog_file} has {}", style.describe(version));
            return Ok(ExitCode::SUCCESS);
        }
        if !style.write {
            bail!(
                "{changelog_file} does not name {version}: the project keeps its own release \
                 notes there (changelog.write = false), so write them its way and commit them"
            );
        }
        bail!(
            "{changelog_file} has no {} section: run `cargo xtask changelog {version}`, \
             review and commit it",
            style.describe(version)
        );
    }

    git::check_repository(&ctx.sh, &ctx.repo)?;
    // A release branch that requires reviews gets the section as a pull request.
    let branch_name = config.branch_name(version.line())?;
    if let Publish::PullRequests(why) = protection::how_to_publish(ctx, &config, &branch_name)? {
        return pulls::changelog_pull(ctx, &config, version, &branch_name, &why);
    }
    // What an interrupted run of this step wrote and did not commit is taken back and written
    // again; another step's leftovers are named, never taken for the user's changes.
    let dirt = leftovers::dirt(ctx, &config)?;
    leftovers::refuse_others(&dirt, STEP)?;
    let mut back = Plan::new("take back what an interrupted run left uncommitted");
    leftovers::take_back(ctx, &config, &dirt, STEP, &mut back);
    if !back.is_empty() {
        back.execute(&ctx.sh, ctx.dry_run)?;
    }
    // The section is written and committed on the release branch: checked out first when the
    // tree is clean; with changes of the user's own, it is only written where HEAD is.
    let release = ReleaseBranch::find(ctx, &config, version.line())?;
    let on_branch =
        git::current_branch(&ctx.sh, &ctx.repo)?.as_deref() == Some(release.name.as_str());
    let clean = dirt.user.is_empty();
    let commit = on_branch || (release.exists() && clean);
    if commit && !on_branch {
        let mut switch = Plan::new(format!("work on the release branch {}", release.name));
        release.check_out(ctx, &dirt.user, &mut switch)?;
        if !switch.execute(&ctx.sh, ctx.dry_run)? {
            println!("  (a dry run does not switch: what follows reads the files checked out now)");
        }
    }
    let current = match std::fs::read_to_string(&changelog_path) {
        Ok(text) => Some(text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => None,
        Err(err) => return Err(err).with_context(|| format!("cannot read {changelog_path}")),
    };
    let previous = previous_tag(ctx, &config, version)?;
    let branch = config.branch_name(version.line())?;
    let remote_branch = format!("{}/{branch}", config.remote);
    let target = if git::branch_exists(&ctx.sh, &ctx.repo, &branch)? {
        branch
    } else if git::resolve_commit(&ctx.sh, &ctx.repo, &format!("refs/remotes/{remote_branch}"))?
        .is_some()
    {
        remote_branch
    } else {
        eprintln!(
            "warning: there is no release branch `{branch}`; collecting the changes up to HEAD"
        );
        "HEAD".to_string()
    };
    let body = match fragments(&ctx.repo)? {
        Some(body) => body,
        None => {
            let entries = git::log(&ctx.sh, &ctx.repo, previous.as_deref(), &target)?;
            notes_from_commits(&config, version, &entries)
        }
    };
    let notes_path = ctx.repo.join(crate::release_branch::notes_file(version));
    let notes = format!(
        "{}# {version}\n\n{body}",
        crate::release_branch::NOTES_HEADER
    );
    let date = crate::clock::iso_date(crate::clock::now()?);
    let changelog = update_changelog(style, current.as_deref(), version, &body, &date);

    let notes_current = std::fs::read_to_string(&notes_path).ok();
    let mut plan = Plan::new(format!(
        "release notes of {version}: changes {}..{target}",
        previous.as_deref().unwrap_or("(first commit)")
    ));
    let notes_name = crate::release_branch::notes_file(version);
    // Before it writes what it will commit, the step claims it (see `leftovers`).
    let mut claim = leftovers::Claim::new(STEP, &["changelog".into(), version.to_string()]);
    claim.file(&notes_name, notes.as_bytes());
    claim.file(changelog_file, changelog.as_bytes());
    let writes = notes_current.as_deref() != Some(notes.as_str())
        || current.as_deref() != Some(changelog.as_str());
    if commit && writes {
        let config = &config;
        plan.local(
            format!("claim {notes_name} and {changelog_file} until they are committed"),
            move || leftovers::record(config, &claim),
        );
    }
    if notes_current.as_deref() != Some(notes.as_str()) {
        plan.local(format!("write {notes_path}"), || {
            if let Some(dir) = notes_path.parent() {
                std::fs::create_dir_all(dir).with_context(|| format!("cannot create {dir}"))?;
            }
            std::fs::write(&notes_path, &notes)
                .with_context(|| format!("cannot write {notes_path}"))
        });
    }
    if current.as_deref() != Some(changelog.as_str()) {
        plan.local(
            format!("write the {version} section of {changelog_path}"),
            || {
                std::fs::write(&changelog_path, &changelog)
                    .with_context(|| format!("cannot write {changelog_path}"))
            },
        );
    }
    // What the commit carries is judged against HEAD: a run interrupted after writing and
    // before committing is finished by the rerun.
    let committed = |path: &str, text: &str| -> Result<bool> {
        Ok(git::text_file_at(&ctx.sh, &ctx.repo, "HEAD", path)?.as_deref() == Some(text))
    };
    let mut to_commit: Vec<&str> = Vec::new();
    if !committed(&notes_name, &notes)? {
        to_commit.push(&notes_name);
    }
    if !committed(changelog_file, &changelog)? {
        to_commit.push(changelog_file);
    }
    if commit && !to_commit.is_empty() {
        let message = release_branch::changelog_message(&config, version);
        plan.run(git::add_paths(&ctx.repo, &to_commit));
        plan.run(git::commit_paths(&ctx.repo, &to_commit, &message));
        let config = &config;
        plan.local("drop the claim: committed", move || {
            leftovers::release(config, STEP)
        });
    }
    if plan.is_empty() {
        println!("the release notes of {version} are up to date: nothing to do");
        return Ok(ExitCode::SUCCESS);
    }
    if !plan.execute(&ctx.sh, ctx.dry_run)? {
        println!("--- {notes_path} ---\n{notes}");
        return Ok(ExitCode::SUCCESS);
    }
    println!("{notes}");
    match commit {
        true => println!(
            "wrote {notes_path} and the {version} section of {changelog_path}, committed on {}",
            release.name
        ),
        false => println!(
            "wrote {notes_path} and the {version} section of {changelog_path}: review and commit them"
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// The tag of the newest release before `version` (for `X.Y.0` that is the last release of an
/// earlier line), found by reading every tag through the tag pattern.
pub(super) fn previous_tag(
    ctx: &Ctx,
    config: &Config,
    version: &Version,
) -> Result<Option<String>> {
    let mut best: Option<(Version, String)> = None;
    for tag in git::tags(&ctx.sh, &ctx.repo)? {
        let Some((found, None)) = config.parse_tag(&tag) else {
            continue;
        };
        if found < *version && best.as_ref().is_none_or(|(b, _)| found > *b) {
            best = Some((found, tag));
        }
    }
    Ok(best.map(|(_, tag)| tag))
}

/// The fragments of `release-notes/unreleased/*.md`, in file-name order, or `None` when the
/// repository does not use them.
fn fragments(repo: &Utf8Path) -> Result<Option<String>> {
    let dir = repo.join(FRAGMENTS);
    let Ok(entries) = dir.read_dir_utf8() else {
        return Ok(None);
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {dir}"))?;
        if entry.path().extension() == Some("md") {
            files.push(entry.path().to_owned());
        }
    }
    if files.is_empty() {
        return Ok(None);
    }
    files.sort();
    let mut body = String::new();
    for file in files {
        let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {file}"))?;
        body.push_str(text.trim());
        body.push_str("\n\n");
    }
    Ok(Some(body.trim_end().to_string() + "\n"))
}

/// Writes and commits the version's section of CHANGELOG.md on the release branch.
pub struct ChangelogStep;

impl crate::flow::Step for ChangelogStep {
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
        crate::flow::strings(&["changelog", &release.candidate.version.to_string()])
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        // Read from the release branch as committed, here or on the remote (a fresh clone
        // has only that): written but not committed is not done.
        let branch = ReleaseBranch::find(release.ctx, release.config, release.line)?;
        let style = &release.config.changelog;
        let has = |text: &str| style.covers(text, &release.candidate.version);
        let file = style.file.as_str();
        if branch.file_has(release.ctx, release.config, file, has)? {
            let what = style.describe(&release.candidate.version);
            return Progress::done(format!("{file} of {} has {what}", branch.name));
        }
        if !style.write {
            return Progress::todo(format!(
                "write the {} notes in {file}, the project's way",
                release.candidate.version
            ));
        }
        let (ctx, config) = (release.ctx, release.config);
        if let Publish::PullRequests(_) = protection::how_to_publish(ctx, config, &branch.name)? {
            let change = format!("changelog-{}", release.candidate.version);
            let changes = ["backport-", change.as_str()];
            if let Some(why) = protection::waiting(ctx, config, &branch.name, &changes)? {
                return Progress::blocked(why);
            }
        }
        Progress::todo(format!(
            "write the {} section of {file}",
            release.candidate.version
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tools::git::LogEntry;

    #[test]
    fn conventional_subjects_are_grouped() {
        let entry = |author: &str, subject: &str, body: &str| LogEntry {
            author: author.into(),
            subject: subject.into(),
            body: body.into(),
        };
        let config = crate::config::tests_support::minimal();
        let notes = notes_from_commits(
            &config,
            &"1.0.0".parse().unwrap(),
            &[
                entry("Ann", "feat(admin): new API (#12)", ""),
                entry("Bob", "fix: crash on start (#13)", ""),
                entry("Ann", "refactor!: drop the old route", ""),
                entry("Cid", "Update README", "BREAKING CHANGE: no"),
            ],
        );
        assert_eq!(
            notes,
            "### Breaking changes\n\n- drop the old route\n- Update README\n\n### Features\n\n- admin: new API ([#12](https://github.com/apache/demo/pull/12))\n\n### Bug fixes\n\n- crash on start ([#13](https://github.com/apache/demo/pull/13))\n\n### Contributors\n\n3 contributors: Ann, Bob, Cid\n"
        );
    }
}
