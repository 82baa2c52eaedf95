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
use crate::tools::github::{Access, GitHub, GitHubRelease, ReleaseText};
use crate::tools::{git, Tool};
use crate::untrusted::escape_str;
use crate::version::Version;
use crate::Ctx;

#[derive(clap::Args, Debug)]
pub struct GitHubReleaseArgs {
    /// The version, like 2.3.0.
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

/// The newest release newer than `version`, among the release tags here and the published
/// releases on GitHub; `None` makes `version` the repository's "Latest" (a patch of an older
/// line never is).
fn newest(
    ctx: &Ctx,
    config: &Config,
    version: &Version,
    releases: &[GitHubRelease],
) -> Result<Option<Version>> {
    let local = git::tags(&ctx.sh, &ctx.repo)?;
    let published = releases
        .iter()
        .filter(|r| !r.draft && !r.prerelease)
        .map(|r| r.tag_name.clone());
    Ok(local
        .into_iter()
        .chain(published)
        .filter_map(|tag| match config.parse_tag(&tag)? {
            (found, None) => Some(found),
            (_, Some(_)) => None,
        })
        .filter(|found| found > version)
        .max())
}

/// GitHub must have the tag, pointing where the remote's does: a release of a tag GitHub lacks
/// makes GitHub create that tag itself, from the default branch.
fn check_tag_on_github(
    github: &GitHub,
    config: &Config,
    tag: &str,
    pushed: &git::RemoteRef,
) -> Result<()> {
    match github.tag(tag)? {
        None => bail!(
            "GitHub has no tag {tag} yet, though remote `{}` has it: GitHub would create it \
             from its default branch, a release on the wrong commit; wait until \
             https://github.com/{}/tree/{tag} shows it (a mirror of an ASF repository can lag \
             a few minutes; if remote `{}` is not that repository, push the tag there), then \
             rerun; nothing was changed",
            config.remote,
            github.repo(),
            config.remote
        ),
        Some(found) if found.sha != pushed.object && found.sha != pushed.commit => bail!(
            "GitHub's tag {tag} is {} `{}`, not the tag remote `{}` has ({}): the release would \
             name another commit; find out which tag is right before anything is published; \
             nothing was changed",
            escape_str(&found.kind),
            escape_str(&found.sha),
            config.remote,
            pushed.object
        ),
        Some(_) => Ok(()),
    }
}

pub fn run(ctx: &Ctx, args: &GitHubReleaseArgs) -> Result<ExitCode> {
    Tool::Git.require()?;
    let config = ctx.config()?;
    let version = &args.version;
    let tag = config.release_tag(version)?;
    let pushed = git::remote_ref(
        &ctx.sh,
        &ctx.repo,
        &config.remote,
        &format!("refs/tags/{tag}"),
    )?;
    let Some(pushed) = pushed else {
        bail!(
            "the release tag {tag} is not on remote `{}`: push it first (`cargo xtask tag \
             {version}`), then rerun; nothing was changed",
            config.remote
        );
    };
    let (name, body) = text(ctx, &config, version, &tag)?;
    let github = client(ctx, &config)?;
    check_tag_on_github(&github, &config, &tag, &pushed)?;
    let existing = github.release_by_tag(&tag)?;
    let releases = github.releases()?;
    let newer = newest(ctx, &config, version, &releases)?;
    let written = ReleaseText {
        name: &name,
        body: &body,
        latest: newer.is_none(),
    };
    let latest_note = match &newer {
        None => "marked as the repository's latest release".to_string(),
        Some(newer) => format!("not marked latest ({newer} is newer)"),
    };
    let drafts: Vec<&GitHubRelease> = releases
        .iter()
        .filter(|r| r.draft && r.tag_name == tag)
        .collect();
    let made = std::cell::OnceCell::new();
    let mut plan = Plan::new(format!("GitHub release of tag {tag} on {}", github.repo()));
    match (&existing, drafts.as_slice()) {
        (Some(found), _)
            if found.name.as_deref() == Some(&name) && found.body.as_deref() == Some(&body) =>
        {
            print!("{}", plan.render());
            println!(
                "nothing to do: the GitHub release of {tag} has this text already {}",
                escape_str(&found.html_url)
            );
            return Ok(ExitCode::SUCCESS);
        }
        (Some(found), _) => plan.local(
            format!(
                "update the title and notes of GitHub release {} (tag {tag}), {latest_note}",
                found.id
            ),
            || {
                let _ = made.set(github.update_release(found.id, &written)?);
                Ok(())
            },
        ),
        (None, [draft]) if !draft.assets.is_empty() => bail!(
            "GitHub has a draft release of tag {tag} (id {}) with {} file(s) attached: ASF \
             releases are downloaded from ASF infrastructure only, so none may be attached; \
             delete the files (or the draft) on https://github.com/{}/releases, then rerun; \
             nothing was changed",
            draft.id,
            draft.assets.len(),
            github.repo()
        ),
        (None, [draft]) => plan.local(
            format!(
                "publish the draft GitHub release {} of tag {tag} (made by hand or by a bot) \
                 with the title `{name}` and the notes of {}, {latest_note}",
                draft.id,
                notes_file(version)
            ),
            || {
                let _ = made.set(github.update_release(draft.id, &written)?);
                Ok(())
            },
        ),
        (None, []) => plan.local(
            format!(
                "create the GitHub release of tag {tag} (commit {}): `{name}`, the notes of {}, \
                 a link to {}, {latest_note}",
                pushed.commit,
                notes_file(version),
                config.download_url
            ),
            || {
                let _ = made.set(github.create_release(&tag, &pushed.commit, &written)?);
                Ok(())
            },
        ),
        (None, several) => bail!(
            "GitHub has {} draft releases of tag {tag} (ids {}): which one to publish is not \
             clear; delete all but one on https://github.com/{}/releases, then rerun; nothing \
             was changed",
            several.len(),
            several
                .iter()
                .map(|d| d.id.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            github.repo()
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
        crate::flow::strings(&["github-release", &release.candidate.version.to_string()])
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        let tag = release.config.release_tag(&release.candidate.version)?;
        if !release.tag_published(&tag)? {
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
