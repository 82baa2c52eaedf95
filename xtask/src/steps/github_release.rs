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

//! `github-release VERSION`: once the release tag is pushed, the GitHub release of that tag
//! carries the version's release notes (`release-notes/<version>.md` at the tag) and a link to
//! the download page. No files are attached: ASF releases are downloaded from ASF
//! infrastructure. A rerun updates the release's text when it changed, else does nothing; it
//! never makes a second release.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::config::Config;
use crate::plan::Plan;
use crate::release_branch::notes_file;
use crate::tools::github::{Access, GitHub};
use crate::tools::{git, Tool};
use crate::untrusted::escape_str;
use crate::version::Version;
use crate::Ctx;

#[derive(clap::Args, Debug)]
pub struct GitHubReleaseArgs {
    #[arg(value_parser = crate::args::parse_version)]
    pub version: Version,
}

fn client(ctx: &Ctx, config: &Config) -> Result<GitHub> {
    GitHub::for_repo(
        &ctx.sh,
        &ctx.repo,
        config.github_repo.as_deref(),
        &config.remote,
    )
}

/// The title and text of the release: the notes, then where to download.
fn text(ctx: &Ctx, config: &Config, version: &Version, tag: &str) -> Result<(String, String)> {
    let path = notes_file(version);
    let notes = git::text_file_at(&ctx.sh, &ctx.repo, tag, &path)?.with_context(|| {
        format!(
            "tag {tag} has no {path}: the release notes are written by `cargo xtask changelog \
             {version}` on the release branch before the candidate is tagged"
        )
    })?;
    let name = format!("Apache {} {version}", config.display_name);
    let body = format!(
        "{}\n\n## Download\n\nApache {} {version} is downloaded from the ASF's download page, \
         {}, and checked with its signature, its SHA-512 checksum and the KEYS file {}. As ASF \
         policy requires, no release files are attached here.\n",
        crate::release_branch::notes_for_readers(&notes).trim_end(),
        config.display_name,
        config.download_url,
        config.keys_url
    );
    Ok((name, body))
}

pub fn run(ctx: &Ctx, args: &GitHubReleaseArgs) -> Result<ExitCode> {
    Tool::Git.require()?;
    let config = ctx.config()?;
    let version = &args.version;
    let tag = config.tag_name(version, None)?;
    let pushed = git::remote_ref_commit(
        &ctx.sh,
        &ctx.repo,
        &config.remote,
        &format!("refs/tags/{tag}"),
    )?;
    if pushed.is_none() {
        bail!(
            "the release tag {tag} is not on remote `{}`: push it first (`cargo xtask tag \
             {version}`), then rerun; nothing was changed",
            config.remote
        );
    }
    let (name, body) = text(ctx, &config, version, &tag)?;
    let github = client(ctx, &config)?;
    let existing = github.release_by_tag(&tag)?;
    let made = std::cell::OnceCell::new();
    let mut plan = Plan::new(format!("GitHub release of tag {tag} on {}", github.repo()));
    match &existing {
        Some(found)
            if found.name.as_deref() == Some(&name) && found.body.as_deref() == Some(&body) =>
        {
            print!("{}", plan.render());
            println!(
                "nothing to do: the GitHub release of {tag} has this text already {}",
                escape_str(&found.html_url)
            );
            return Ok(ExitCode::SUCCESS);
        }
        Some(found) => plan.local(
            format!(
                "update the title and notes of GitHub release {} (tag {tag})",
                found.id
            ),
            || {
                let _ = made.set(github.update_release(found.id, &name, &body)?);
                Ok(())
            },
        ),
        None => plan.local(
            format!(
                "create the GitHub release of tag {tag}: `{name}`, the notes of {}, a link to {}",
                notes_file(version),
                config.download_url
            ),
            || {
                let _ = made.set(github.create_release(&tag, &name, &body)?);
                Ok(())
            },
        ),
    }
    // Known before anything changes: a token that may write releases.
    let access = github.check_write_access("a GitHub release", Access::Push);
    if ctx.dry_run {
        print!("{}", plan.render());
        access.context("the real run would stop before writing the release")?;
        return Ok(ExitCode::SUCCESS);
    }
    access?;
    plan.mark_outward();
    plan.execute_confirmed(ctx)?;
    let made = made.get().context("the GitHub release was not written")?;
    if made.tag_name != tag || made.draft {
        bail!(
            "GitHub answered with release {} of tag `{}`{}, not the published release of {tag}: \
             check it on GitHub",
            made.id,
            escape_str(&made.tag_name),
            if made.draft { " (a draft)" } else { "" }
        );
    }
    println!("GitHub release of {tag}: {}", escape_str(&made.html_url));
    Ok(ExitCode::SUCCESS)
}

/// Publishes the release notes on GitHub once the release tag is pushed.
pub struct GitHubReleaseStep;

impl crate::flow::Step for GitHubReleaseStep {
    fn name(&self) -> &'static str {
        "github-release"
    }
    fn phase(&self) -> &'static str {
        crate::flow::PUBLISH
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        true
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        crate::flow::strings(&["github-release", &release.version.to_string()])
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        let tag = release.config.tag_name(&release.version, None)?;
        if !release.tag_published(None)? {
            return Progress::todo(format!("after the release tag {tag} is pushed"));
        }
        let found =
            client(release.ctx, release.config).and_then(|github| github.release_by_tag(&tag));
        match found {
            Ok(Some(found)) => Progress::done(escape_str(&found.html_url)),
            Ok(None) => Progress::todo(format!("create the GitHub release of {tag}")),
            Err(err) => Progress::blocked(format!(
                "the GitHub release of {tag} cannot be read: {err:#}; fix that and rerun"
            )),
        }
    }
}
