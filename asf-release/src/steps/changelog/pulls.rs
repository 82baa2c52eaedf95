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

//! The CHANGELOG of a release branch that requires reviews: the section and the release notes
//! committed (with git's plumbing, the checkout untouched) on top of the branch as fetched,
//! pushed as `asf-release/<branch>/changelog-<version>` and opened as a pull request titled
//! like the commit. A rerun waits while it is open.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::notes::notes_from_commits;
use super::{previous_tag, FRAGMENTS};
use crate::changelog_file::update_changelog;
use crate::config::Config;
use crate::protection;
use crate::release_branch;
use crate::tools::git;
use crate::version::Version;
use crate::Ctx;

/// The fragments of `release-notes/unreleased/*.md` as commit `rev` has them.
fn fragments_at(ctx: &Ctx, rev: &str) -> Result<Option<String>> {
    let mut files = Vec::new();
    let prefix = format!("{FRAGMENTS}/");
    git::ls_tree(&ctx.sh, &ctx.repo, rev, &mut |entry| {
        if entry.path.starts_with(&prefix) && entry.path.ends_with(".md") {
            files.push(entry.path);
        }
        Ok(())
    })?;
    if files.is_empty() {
        return Ok(None);
    }
    files.sort();
    let mut body = String::new();
    for file in files {
        let text = git::text_file_at(&ctx.sh, &ctx.repo, rev, &file)?.unwrap_or_default();
        body.push_str(text.trim());
        body.push_str("\n\n");
    }
    Ok(Some(body.trim_end().to_string() + "\n"))
}

pub(super) fn changelog_pull(
    ctx: &Ctx,
    config: &Config,
    version: &Version,
    branch: &str,
    why: &str,
) -> Result<ExitCode> {
    println!("{branch} takes changes through reviewed pull requests ({why})");
    crate::remote::fetch(ctx, &config.remote)?;
    let remote_branch = format!("{}/{branch}", config.remote);
    let tip = git::resolve_commit(&ctx.sh, &ctx.repo, &format!("refs/remotes/{remote_branch}"))?
        .with_context(|| {
            format!(
                "remote `{}` has no branch {branch}: create it with `cargo xtask branch {}`",
                config.remote,
                version.line()
            )
        })?;
    let change = format!("changelog-{version}");
    let open = protection::open_pulls(ctx, config, branch, &change)?;
    if !open.is_empty() {
        println!(
            "the CHANGELOG of {version} waits for review and merge: {}",
            protection::named(&open)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let style = &config.changelog;
    let current = git::text_file_at(&ctx.sh, &ctx.repo, &tip, &style.file)?;
    let previous = previous_tag(ctx, config, version)?;
    let body = match fragments_at(ctx, &tip)? {
        Some(body) => body,
        None => {
            let entries = git::log(&ctx.sh, &ctx.repo, previous.as_deref(), &tip)?;
            notes_from_commits(config, version, &entries)
        }
    };
    let notes_name = release_branch::notes_file(version);
    let notes = format!("{}# {version}\n\n{body}", release_branch::NOTES_HEADER);
    let date = crate::clock::iso_date(crate::clock::now()?);
    let changelog = update_changelog(style, current.as_deref(), version, &body, &date);
    let notes_current = git::text_file_at(&ctx.sh, &ctx.repo, &tip, &notes_name)?;
    if current.as_deref() == Some(changelog.as_str())
        && notes_current.as_deref() == Some(notes.as_str())
    {
        println!("{remote_branch} has the release notes of {version}: nothing to do");
        return Ok(ExitCode::SUCCESS);
    }
    let message = release_branch::changelog_message(config, version);
    // Objects only: nothing is referenced until the push below.
    let commit = git::commit_files(
        &ctx.sh,
        &ctx.repo,
        &tip,
        &[
            (notes_name.as_str(), notes.as_bytes()),
            (style.file.as_str(), changelog.as_bytes()),
        ],
        &message,
    )?;
    let topic = protection::topic_branch(branch, &change);
    protection::open_change_pull(ctx, config, branch, &topic, &commit, &message, &notes)?;
    Ok(ExitCode::SUCCESS)
}
