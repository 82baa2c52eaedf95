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

//! `tag`: the signed, annotated tag of a release candidate (`2.3.0-rc1`, on HEAD) or of the
//! release itself (`2.3.0`, on the commit of the last candidate, the one that was voted on).

use anyhow::{bail, Context, Result};

use crate::config::Config;
use crate::plan::Plan;
use crate::release_branch::ReleaseBranch;
use crate::tools::{git, gpg};
use crate::version::{Candidate, Version};
use crate::version_files;
use crate::Ctx;

#[derive(clap::Args, Debug)]
pub struct TagArgs {
    /// The version, like 2.3.0 (default: the next unreleased version of the release branch
    /// checked out).
    #[arg(value_parser = crate::args::parse_version)]
    pub version: Option<Version>,
    /// Tag release candidate N on HEAD; without N, the next candidate number. Without --rc,
    /// tag the release itself on the commit of its last candidate.
    #[arg(long, value_name = "N", num_args = 0..=1, value_parser = crate::args::parse_rc)]
    pub rc: Option<Option<u32>>,
    /// Sign with this key (default: signing-key of the configuration).
    #[arg(long)]
    pub key: Option<String>,
}

/// The version of the current release branch's line: the one of a candidate newer than every
/// release of the line (work in progress, like `4.0.0-M1-rc1`, which patch numbers alone
/// would not find), else the first patch version without a release tag.
fn infer_version(ctx: &Ctx, config: &Config, tags: &[String]) -> Result<Version> {
    let current = git::current_branch(&ctx.sh, &ctx.repo)?;
    let line = current
        .as_deref()
        .and_then(|name| config.parse_branch(name))
        .with_context(|| match config.release_from_main {
            // The main branch holds every line: which one comes next is the project's choice.
            true => "cannot infer the version: releases are tagged on the main branch \
                     (release-from-main), which names no line; give it, like `cargo xtask tag \
                     2.3.0 --rc`"
                .to_string(),
            false => format!(
                "cannot infer the version: HEAD is on {}, not on a release branch like {}; give \
                 it, like `cargo xtask tag 2.3.0 --rc`",
                current.as_deref().unwrap_or("no branch"),
                config.branch_pattern
            ),
        })?;
    let on_line: Vec<(Version, Option<u32>)> = tags
        .iter()
        .filter_map(|tag| config.parse_tag(tag))
        .filter(|(version, _)| version.line() == line)
        .collect();
    let newest_release = on_line
        .iter()
        .filter(|(_, rc)| rc.is_none())
        .map(|(version, _)| *version)
        .max();
    let in_progress = on_line
        .iter()
        .filter(|(_, rc)| rc.is_some())
        .map(|(version, _)| *version)
        .filter(|version| newest_release.is_none_or(|release| *version > release))
        .max();
    if let Some(version) = in_progress {
        return Ok(version);
    }
    let mut version = line.first_version();
    while tags.contains(&config.release_tag(&version)?) {
        version = version.next_patch()?;
        if version.line() != line {
            bail!(
                "every version of the line {line} is tagged: give the version, like `cargo xtask \
                 tag {version} --rc`"
            );
        }
    }
    Ok(version)
}

/// The highest candidate number tagged for `version`.
fn last_rc(config: &Config, version: &Version, tags: &[String]) -> Result<Option<u32>> {
    Ok(tags
        .iter()
        .filter_map(|tag| config.parse_tag(tag))
        .filter(|(v, _)| v == version)
        .filter_map(|(_, rc)| rc)
        .max())
}

pub fn run(ctx: &Ctx, args: &TagArgs) -> Result<()> {
    let config = ctx.config()?;
    let sh = &ctx.sh;
    let repo = &ctx.repo;
    git::check_repository(sh, repo)?;
    let tags = git::tags(sh, repo)?;
    let version = match args.version {
        Some(version) => version,
        None => infer_version(ctx, &config, &tags)?,
    };
    let final_tag = config.release_tag(&version)?;
    // A candidate is made from its line's release branch wherever HEAD is; without a release
    // branch (a project that releases from one branch), from HEAD.
    let release = ReleaseBranch::find(ctx, &config, version.line())?;
    // The local branch unless the remote's is ahead of it (changes merged there through pull
    // requests into a protected branch).
    let newest = match (&release.local, &release.remote) {
        (Some(local), Some(remote))
            if local != remote && git::is_ancestor(sh, repo, local, remote)? =>
        {
            Some(remote.clone())
        }
        (local, remote) => local.clone().or(remote.clone()),
    };
    let head = match newest {
        Some(tip) if args.rc.is_some() => tip,
        _ => git::resolve_commit(sh, repo, "HEAD")?
            .context("the repository has no commit yet: commit something first")?,
    };
    let last = last_rc(&config, &version, &tags)?;
    let (rc, target) = match args.rc {
        Some(rc) => {
            if tags.contains(&final_tag) {
                let like = match version.next_patch() {
                    Ok(next) => format!(", like {next}"),
                    Err(_) => String::new(),
                };
                bail!(
                    "{version} is released already (tag {final_tag}): candidates are for the next \
                     version{like}"
                );
            }
            let rc = match (rc, last) {
                (Some(rc), _) => config.check_rc(rc)?,
                // A rerun on the commit of the last candidate is that candidate, not a new one.
                (None, Some(last))
                    if git::tag_commit(
                        sh,
                        repo,
                        &config.candidate_tag(&Candidate { version, rc: last })?,
                    )?
                    .as_deref()
                        == Some(head.as_str()) =>
                {
                    last
                }
                (None, last) => config.next_rc(&version, last)?,
            };
            (Some(rc), head.clone())
        }
        None => {
            let last = last.with_context(|| {
                format!(
                    "{version} has no release candidate tag yet: tag one with `cargo xtask tag \
                     {version} --rc`, let it pass the vote, then tag the release"
                )
            })?;
            let rc_tag = config.candidate_tag(&Candidate { version, rc: last })?;
            let commit = git::tag_commit(sh, repo, &rc_tag)?
                .with_context(|| format!("tag {rc_tag} names no commit"))?;
            (None, commit)
        }
    };
    let tag = match rc {
        Some(rc) => config.candidate_tag(&Candidate { version, rc })?,
        None => config.release_tag(&version)?,
    };
    let what = match rc {
        Some(rc) => format!("release candidate {rc} of {version}"),
        None => format!("release {version}"),
    };
    // Kept until the plan ran: the tag object and its signature are made in it.
    let work = crate::scratch::Scratch::new("tag")?;
    let made = std::cell::OnceCell::new();
    let mut plan = Plan::new(format!("tag {what} as {tag} at {target}"));

    let local = git::tag_commit(sh, repo, &tag)?;
    if let Some(commit) = &local {
        if *commit != target {
            bail!(
                "tag {tag} exists already at {commit}, not at {target}: a published tag is never \
                 moved; tag a new candidate instead (`cargo xtask tag {version} --rc`)"
            );
        }
    }
    let remote = git::remote_ref_commit(sh, repo, &config.remote, &format!("refs/tags/{tag}"))?;
    if let Some(commit) = &remote {
        if *commit != target {
            bail!(
                "remote `{}` has tag {tag} at {commit}, not at {target}: a published tag is never \
                 moved; run `git fetch --tags {}` and tag a new candidate",
                config.remote,
                config.remote
            );
        }
    }
    if local.is_none() {
        crate::leftovers::require_clean(ctx, &config, "tag", "tagging")?;
        if config.version_files.is_empty() {
            eprintln!("note: no version-files configured, so no version check before tagging");
        } else {
            let problems = version_files::problems(
                &config,
                &version,
                &version_files::read_commit(ctx, &target),
            )?;
            if !problems.is_empty() {
                bail!(
                    "the version check fails at {target}: {}; run `cargo xtask version bump \
                     {version}` and commit before tagging",
                    problems.join("; ")
                );
            }
        }
        // Voters must find the tagged commit on a published branch: the release branch the
        // candidate was made on is pushed first; any other unpublished commit is refused.
        let published = match rc {
            Some(_) => release.publish_if_tip(ctx, &config, &target, &mut plan)?,
            None => false,
        };
        if !published
            && git::remote_branches_containing(sh, repo, &config.remote, &target)?.is_empty()
        {
            bail!(
                "commit {target} is on no branch of remote `{}`: push the release branch first \
                 (`git push {} HEAD`), then tag",
                config.remote,
                config.remote
            );
        }
    }
    let key = gpg::signing_key(sh, args.key.as_deref().or(config.signing_key.as_deref()))?;
    if local.is_none() {
        let message = format!("Apache {} {tag}", config.display_name);
        let object = git::tag_object(&target, &tag, &git::committer_ident(sh, repo)?, &message);
        let fingerprint = key.fingerprint.clone();
        plan_signed_tag(
            &mut plan,
            ctx,
            fingerprint,
            &tag,
            object,
            work.path(),
            &made,
        );
    }
    let fingerprint = key.fingerprint.clone();
    let signed = format!("check that {tag} carries a valid signature of {fingerprint}");
    let signed_tag = tag.clone();
    plan.local(signed, move || {
        check_signature(ctx, &signed_tag, &fingerprint)
    });
    let full = format!("refs/tags/{tag}");
    if remote.is_none() {
        plan.mark_outward();
        plan.run(git::push(repo, &config.remote, &full));
        let (remote_name, pushed_commit) = (config.remote.clone(), target.clone());
        plan.local(
            format!("check that {} has {tag} at {target}", config.remote),
            move || git::verify_pushed(sh, repo, &remote_name, &full, &pushed_commit),
        );
    }
    let pushed = remote.is_none();
    if !plan.execute_confirmed(ctx)? {
        return Ok(());
    }
    if pushed {
        println!(
            "tagged {what}: {tag} at {target}, signed by {}, pushed to {}",
            key.fingerprint, config.remote
        );
    } else {
        println!(
            "nothing to do: {tag} is at {target}, signed by {} and on {}",
            key.fingerprint, config.remote
        );
    }
    Ok(())
}

/// The signed tag, made as `git tag -s` makes it but signed by the tool's own gpg command:
/// the tag object is signed like a tarball (`GPG_PASSPHRASE` through loopback in CI, else
/// gpg-agent), the signature appended, and the object written and named by git.
fn plan_signed_tag<'a>(
    plan: &mut Plan<'a>,
    ctx: &'a Ctx,
    fingerprint: String,
    tag: &'a str,
    object: String,
    work: &'a camino::Utf8Path,
    made: &'a std::cell::OnceCell<String>,
) {
    let (unsigned, signature) = (work.join("tag-object"), work.join("tag-object.asc"));
    let passphrase = gpg::passphrase_from_env();
    let judge = gpg::signing_outcome(&fingerprint, passphrase.is_some());
    let shown = |path: &str| camino::Utf8PathBuf::from(format!("<{path}>"));
    let (unsigned_shown, signature_shown) = (shown("tag object"), shown("tag object.asc"));
    let written = unsigned.clone();
    plan.local(
        format!("write the tag object of {tag} (the commit, `git var GIT_COMMITTER_IDENT` as tagger, the message) to sign it"),
        move || std::fs::write(&written, &object).with_context(|| format!("cannot write {written}")),
    );
    let sign = gpg::detach_sign(&fingerprint, &unsigned_shown, &signature_shown, None);
    let (to_sign, signed) = (unsigned.clone(), signature.clone());
    plan.run_later_judged(
        sign.to_string(),
        move || {
            Ok(Some(gpg::detach_sign(
                &fingerprint,
                &to_sign,
                &signed,
                passphrase,
            )))
        },
        judge,
    );
    let mktag = git::mktag(&ctx.repo, Vec::new());
    plan.run_later_judged(
        format!("{mktag} < <tag object><tag object.asc>"),
        move || {
            let mut bytes =
                std::fs::read(&unsigned).with_context(|| format!("cannot read {unsigned}"))?;
            bytes.extend(
                std::fs::read(&signature).with_context(|| format!("cannot read {signature}"))?,
            );
            Ok(Some(git::mktag(&ctx.repo, bytes)))
        },
        move |output| {
            let id = String::from_utf8_lossy(&output.stdout).trim().to_string();
            if !output.status.success() || id.is_empty() {
                bail!(
                    "git refused the signed tag object of {tag}: {}",
                    String::from_utf8_lossy(&output.stderr).trim()
                );
            }
            let _ = made.set(id);
            Ok(())
        },
    );
    plan.run_later(
        git::create_tag(&ctx.repo, tag, "<the signed tag object>").to_string(),
        move || {
            let id = made.get().context("the tag object was not made")?;
            Ok(Some(git::create_tag(&ctx.repo, tag, id)))
        },
    );
}

/// The tag must carry a valid signature of the release manager's key before anyone sees it.
fn check_signature(ctx: &Ctx, tag: &str, fingerprint: &str) -> Result<()> {
    let output = git::verify_tag(&ctx.repo, tag).output(&ctx.sh)?;
    let status = String::from_utf8_lossy(&output.stderr);
    let signed_by_key = status
        .lines()
        .any(|line| line.starts_with("[GNUPG:] VALIDSIG ") && line.contains(fingerprint));
    if !output.status.success() || !signed_by_key {
        bail!(
            "tag {tag} does not carry a valid signature of {fingerprint}: {}; it was not pushed \
             by this run; delete it with `git tag -d {tag}` and check `cargo xtask doctor`",
            status.trim()
        );
    }
    Ok(())
}

/// Tags the release candidate (`rc`) or, after the vote, the release itself.
pub struct TagStep {
    pub candidate: bool,
}

impl crate::flow::Step for TagStep {
    fn name(&self) -> &'static str {
        match self.candidate {
            true => "tag",
            false => "release-tag",
        }
    }
    fn phase(&self) -> &'static str {
        match self.candidate {
            true => crate::flow::CANDIDATE,
            false => crate::flow::PUBLISH,
        }
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        true
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        match self.candidate {
            true => release.candidate_command(&["tag"]),
            false => crate::flow::strings(&["tag", &release.candidate.version.to_string()]),
        }
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        let tag = match self.candidate {
            true => release.config.candidate_tag(&release.candidate)?,
            false => release.config.release_tag(&release.candidate.version)?,
        };
        match release.tag_published(&tag)? {
            true => Progress::done(format!("tag {tag} exists")),
            false => Progress::todo(format!("tag {tag}")),
        }
    }
}
