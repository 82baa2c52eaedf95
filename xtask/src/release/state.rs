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

//! Where each step stands, read from the world (read-only checks only), and the `xtask`
//! command line that runs it.

use anyhow::Result;
use camino::Utf8PathBuf;

use super::memory::Target;
use super::{State, StepName, StepStatus};
use crate::cli::ReleaseArgs;
use crate::config::Config;
use crate::exit_code;
use crate::steps::package::Artifacts;
use crate::tools::{git, svn, xtask};
use crate::Ctx;

/// Runs a step's process quietly and returns its exit code (for read-only checks).
fn probe(ctx: &Ctx, args: &[String]) -> Result<u8> {
    let cmd = xtask::step(&ctx.repo, false, args)?;
    let output = cmd.output(&ctx.sh)?;
    let code = output
        .status
        .code()
        .and_then(|code| u8::try_from(code).ok());
    Ok(code.unwrap_or(1))
}

pub(super) fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Everything a step needs to know to check itself and to run.
pub(super) struct Flow<'a> {
    pub(super) ctx: &'a Ctx,
    pub(super) config: &'a Config,
    pub(super) target: &'a Target,
    pub(super) args: &'a ReleaseArgs,
}

impl Flow<'_> {
    fn version(&self) -> String {
        self.target.version.to_string()
    }

    fn rc(&self) -> String {
        self.target.rc.to_string()
    }

    fn artifacts(&self) -> Result<Artifacts> {
        let dir = self
            .config
            .artifact_dir(&self.target.version, Some(self.target.rc));
        Ok(Artifacts::new(
            &dir,
            &self.config.artifact_name(&self.target.version)?,
        ))
    }

    fn mail_file(&self, name: &str, with_rc: bool) -> Utf8PathBuf {
        let rc = with_rc.then_some(self.target.rc);
        self.config
            .artifact_dir(&self.target.version, rc)
            .join(name)
    }

    /// The arguments of the `xtask` process that runs the step.
    pub(super) fn command(&self, step: StepName) -> Vec<String> {
        let line = self.target.line.to_string();
        let (version, rc) = (self.version(), self.rc());
        let mut args = match step {
            StepName::Milestone => {
                let mut args = strings(&["milestone", "status", &line]);
                if self.args.allow_open {
                    args.push("--allow-open".into());
                }
                args
            }
            StepName::Branch => strings(&["branch", &line]),
            StepName::Backport => strings(&["backport", &line]),
            StepName::Changelog => strings(&["changelog", &version]),
            StepName::Version => strings(&["version", "bump", &version]),
            StepName::Tag => strings(&["tag", &version, "--rc", &rc]),
            StepName::Package => strings(&["package", &version, "--rc", &rc]),
            // The flow has asked already (or has --yes).
            StepName::Keys => strings(&["keys", "append", "--yes"]),
            StepName::Upload => strings(&["upload", &version, "--rc", &rc]),
            StepName::VoteMail => strings(&["mail", "vote", &version, "--rc", &rc]),
            StepName::Tally | StepName::ResultMail => {
                let mut args = match step {
                    StepName::Tally => strings(&["vote", "tally", &version, "--rc", &rc]),
                    _ => strings(&["mail", "result", &version, "--rc", &rc]),
                };
                if let Some(mbox) = &self.args.mbox {
                    args.extend(["--mbox".into(), mbox.to_string()]);
                }
                if let Some(roster) = &self.args.roster {
                    args.extend(["--roster".into(), roster.to_string()]);
                }
                args
            }
            StepName::Promote => strings(&["promote", &version, "--rc", &rc]),
            StepName::ReleaseTag => strings(&["tag", &version]),
            StepName::DownloadPage => {
                let mut args = strings(&["download-page", &version]);
                if let Some(website) = &self.args.website {
                    args.extend(["--website".into(), website.to_string()]);
                }
                args
            }
            StepName::Announce => strings(&["mail", "announce", &version]),
        };
        let mails = [StepName::VoteMail, StepName::ResultMail, StepName::Announce];
        if self.args.send && mails.contains(&step) {
            args.push("--send".into());
        }
        args
    }

    fn svn_has(&self, base: &str, entry: &str) -> Result<bool> {
        let anonymous = svn::Credentials::from_env(None, true);
        let listing = svn::list(&self.ctx.sh, &anonymous, base)?;
        Ok(listing.unwrap_or_default().iter().any(|e| e == entry))
    }

    /// A tag counts once it is published: a tag made but not pushed is still to do.
    fn tag_exists(&self, rc: Option<u32>) -> Result<bool> {
        let tag = self.config.tag_name(&self.target.version, rc)?;
        let (ctx, remote) = (self.ctx, &self.config.remote);
        let full = format!("refs/tags/{tag}");
        Ok(git::remote_ref_commit(&ctx.sh, &ctx.repo, remote, &full)?.is_some())
    }

    /// Where the step stands, read from the world; no step is run except read-only checks.
    pub(super) fn state(&self, step: StepName) -> Result<(State, String)> {
        let (ctx, config) = (self.ctx, self.config);
        let (version, rc) = (self.version(), self.rc());
        let done = |detail: String| Ok((State::Done, detail));
        let todo = |detail: String| Ok((State::Todo, detail));
        let blocked = |why: String| Ok((State::Blocked(why), String::new()));
        match step {
            StepName::Milestone => match probe(ctx, &self.command(step))? {
                0 => done(format!("milestone {} has no open items", self.target.line)),
                _ => blocked(format!(
                        "milestone {} still has open items or cannot be read: run `cargo xtask milestone status {}`, close or move them (or pass --allow-open)",
                        self.target.line, self.target.line
                    )),
            },
            StepName::Branch => {
                let branch = config.branch_name(self.target.line)?;
                let on_remote = git::remote_ref_commit(
                    &ctx.sh,
                    &ctx.repo,
                    &config.remote,
                    &format!("refs/heads/{branch}"),
                )?;
                match on_remote {
                    Some(_) => done(format!("{branch} is on {}", config.remote)),
                    None => todo(format!("cut {branch} from {}", config.main_branch)),
                }
            }
            StepName::Backport => {
                if self.tag_exists(Some(self.target.rc))? {
                    done(format!("candidate {rc} is tagged"))
                } else {
                    todo("pick the `need backport` PRs merged since".into())
                }
            }
            // Both are read from the release branch as committed: written but not committed
            // is not done (the rerun of the step commits it).
            StepName::Changelog => {
                let branch = format!("refs/heads/{}", config.branch_name(self.target.line)?);
                let changelog = git::text_file_at(&ctx.sh, &ctx.repo, &branch, "CHANGELOG.md")
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                let heading = format!("## {version}");
                match changelog.lines().any(|line| line.trim_end() == heading) {
                    true => done(format!("CHANGELOG.md of the release branch has {heading}")),
                    false => todo(format!("write the {version} section of CHANGELOG.md")),
                }
            }
            StepName::Version => {
                if config.version_files.is_empty() {
                    return done("no version-files configured".into());
                }
                let branch = format!("refs/heads/{}", config.branch_name(self.target.line)?);
                let committed = crate::steps::version_files::read_commit(ctx, &branch);
                let problems = crate::steps::version_files::problems(config, &self.target.version, &committed)?;
                match problems.is_empty() {
                    true => done(format!("the version files carry {version}")),
                    false => todo(format!("write {version} into the version files")),
                }
            }
            StepName::Tag => match self.tag_exists(Some(self.target.rc))? {
                true => done(format!("tag {} exists", config.tag_name(&self.target.version, Some(self.target.rc))?)),
                false => todo(format!("tag {}", config.tag_name(&self.target.version, Some(self.target.rc))?)),
            },
            StepName::Package => {
                let artifacts = self.artifacts()?;
                let all = [&artifacts.tarball, &artifacts.signature, &artifacts.checksum];
                match all.iter().all(|p| p.exists()) {
                    true => done(format!("{} signed and hashed", artifacts.tarball)),
                    false => todo(format!("build {}", artifacts.file_name())),
                }
            }
            StepName::Keys => match probe(ctx, &strings(&["keys", "check"]))? {
                0 => done("the signing key is in KEYS".into()),
                _ => todo("append the signing key to KEYS".into()),
            },
            StepName::Upload => {
                let dir = format!("{}/", config.candidate_name(&self.target.version, self.target.rc));
                if self.svn_has(&config.svn_dev_url, &dir)? {
                    return done(format!("{}/{dir} exists", config.svn_dev_url));
                }
                // Promotion moves the candidate out of dev.
                if self.svn_has(&config.svn_release_url, &format!("{version}/"))? {
                    return done(format!("promoted to {}/{version}", config.svn_release_url));
                }
                todo(format!("put {dir} into {}", config.svn_dev_url))
            }
            StepName::VoteMail => {
                let path = self.mail_file("vote.eml", true);
                match path.exists() {
                    true => done(format!("{path}")),
                    false => todo("render the [VOTE] mail".into()),
                }
            }
            StepName::Tally => {
                // A version in dist/release was voted on and passed: no thread is needed to
                // know it, and none may be given to a later `status`.
                if self.svn_has(&config.svn_release_url, &format!("{version}/"))? {
                    return done(format!(
                        "the vote passed: {version} is in {}",
                        config.svn_release_url
                    ));
                }
                let Some(mbox) = &self.args.mbox else {
                    return blocked(format!(
                            "the vote runs for at least 72 hours: then download the thread as an mbox from lists.apache.org and run `cargo xtask release {} --mbox <FILE> [--roster committee-info.json]`",
                            self.target.line
                        ));
                };
                match probe(ctx, &self.command(step))? {
                    exit_code::SUCCESS => done(format!("the vote in {mbox} passed")),
                    exit_code::VOTE_FAILED => blocked(format!(
                            "the vote of RC{rc} failed: fix what the -1 votes name, then start the next candidate with `cargo xtask release {} --next-rc`",
                            self.target.line
                        )),
                    exit_code::VOTE_NOT_YET => blocked("the vote is still open (72 hours not over, or too few binding votes yet): rerun later with a fresh mbox".into()),
                    _ => blocked(format!("the vote thread cannot be counted: run `cargo xtask vote tally {version} --rc {rc} --mbox {mbox}` to see why")),
                }
            }
            StepName::ResultMail => {
                let path = self.mail_file("result.eml", true);
                match path.exists() {
                    true => done(format!("{path}")),
                    false => todo("render the [RESULT][VOTE] mail".into()),
                }
            }
            StepName::Promote => match self.svn_has(&config.svn_release_url, &format!("{version}/"))? {
                true => done(format!("{}/{version} exists", config.svn_release_url)),
                false => todo(format!("move RC{rc} to {}", config.svn_release_url)),
            },
            StepName::ReleaseTag => match self.tag_exists(None)? {
                true => done(format!("tag {} exists", config.tag_name(&self.target.version, None)?)),
                false => todo(format!("tag {}", config.tag_name(&self.target.version, None)?)),
            },
            StepName::DownloadPage => {
                let Some(website) = &self.args.website else {
                    return blocked(format!(
                            "update the download page: run `cargo xtask release {} --website <a checkout of the website repository>`",
                            self.target.line
                        ));
                };
                let branch = format!("download-page-{}-{version}", config.name);
                match git::branch_exists(&ctx.sh, website, &branch)? {
                    true => done(format!("branch {branch} in {website}")),
                    false => todo(format!("add {version} to the download page in {website}")),
                }
            }
            StepName::Announce => {
                let path = self.mail_file("announce.eml", false);
                match path.exists() {
                    true => done(format!("{path}")),
                    false => todo("render the [ANNOUNCE] mail".into()),
                }
            }
        }
    }

    pub(super) fn statuses(&self) -> Result<Vec<StepStatus>> {
        let mut out = Vec::new();
        for step in StepName::ALL {
            let (state, detail) = self.state(step)?;
            let command = format!("cargo xtask {}", self.command(step).join(" "));
            out.push(StepStatus {
                step,
                phase: step.phase(),
                state,
                detail,
                command,
            });
        }
        Ok(out)
    }
}
