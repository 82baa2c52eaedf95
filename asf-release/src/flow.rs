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

//! The contract every step of the release flow keeps, so that `status`, `release`, the demo
//! and CI ask the steps themselves: its name and phase, whether it acts outward, the command
//! line that runs it as its own process, and where it stands, read from the world with the
//! inputs the step itself uses. The steps are listed, in the order of the release guide, in
//! the registry `FLOW` of the steps module: adding a step is one file implementing [`Step`]
//! and one line there.

use anyhow::Result;
use camino::Utf8PathBuf;
use serde::Serialize;

use crate::config::Config;
use crate::tools::{git, svn, xtask};
use crate::version::{Candidate, Line};
use crate::Ctx;

/// The flags of `release` and `status` that steps read.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct FlowOptions {
    /// The vote thread as an mbox, once the 72 hours are over.
    #[arg(long, value_name = "FILE", value_parser = crate::args::absolute_path)]
    pub mbox: Option<Utf8PathBuf>,
    /// The PMC roster (committee-info.json or a list of ids), to tell binding votes.
    #[arg(long, value_name = "FILE", value_parser = crate::args::absolute_path)]
    pub roster: Option<Utf8PathBuf>,
    /// A checkout of the website repository, for the download page.
    #[arg(long, value_name = "DIR", value_parser = crate::args::absolute_path)]
    pub website: Option<Utf8PathBuf>,
    /// Send the mails with the configured sendmail command.
    #[arg(long)]
    pub send: bool,
    /// Go on while the milestone still has open items (or the line has no milestone).
    #[arg(long)]
    pub allow_open: bool,
}

/// The release a step is asked about.
pub struct Release<'a> {
    pub ctx: &'a Ctx,
    pub config: &'a Config,
    pub line: Line,
    pub candidate: Candidate,
    pub options: &'a FlowOptions,
    /// The remote's refs as last listed, shared by the steps' answers until a step runs.
    pub remote_refs: std::cell::RefCell<Option<Vec<(String, String)>>>,
}

impl Release<'_> {
    /// Whether an SVN directory lists `entry` (read anonymously: dist is public).
    pub fn svn_has(&self, base: &str, entry: &str) -> Result<bool> {
        let anonymous = svn::Credentials::from_env(None, true);
        let listing = svn::list(&self.ctx.sh, &anonymous, base)?;
        Ok(listing.unwrap_or_default().iter().any(|e| e == entry))
    }

    /// Whether the version is released, as its route says
    /// ([`crate::distribution::Distribution::released`]).
    pub fn released(&self) -> Result<bool> {
        crate::distribution::of(self.config).released(
            self.ctx,
            self.config,
            &self.candidate.version,
        )
    }

    /// A tag counts once it is published: a tag made but not pushed is still to do. The
    /// remote is asked once for all its refs, until [`Release::forget`].
    pub fn tag_published(&self, tag: &str) -> Result<bool> {
        let full = format!("refs/tags/{tag}");
        Ok(self.remote_ref(&full)?.is_some())
    }

    /// The commit the remote has for `full_ref`, from the one listing of its refs.
    pub fn remote_ref(&self, full_ref: &str) -> Result<Option<String>> {
        let mut cached = self.remote_refs.borrow_mut();
        if cached.is_none() {
            let (ctx, remote) = (self.ctx, &self.config.remote);
            *cached = Some(git::remote_refs(&ctx.sh, &ctx.repo, remote)?);
        }
        Ok(cached
            .iter()
            .flatten()
            .find(|(name, _)| name == full_ref)
            .map(|(_, id)| id.clone()))
    }

    /// Forgets what was read of the world (a step ran and may have changed it).
    pub fn forget(&self) {
        self.remote_refs.replace(None);
    }

    /// `<command...> <version> --rc <N>`: how the candidate's steps are run.
    pub fn candidate_command(&self, command: &[&str]) -> Vec<String> {
        let mut args = strings(command);
        args.extend([
            self.candidate.version.to_string(),
            "--rc".to_string(),
            self.candidate.rc.to_string(),
        ]);
        args
    }

    /// The thread and roster `release` was given, for the steps that count the vote.
    pub fn vote_arguments(&self, args: &mut Vec<String>) {
        if let Some(mbox) = &self.options.mbox {
            args.extend(["--mbox".into(), mbox.to_string()]);
        }
        if let Some(roster) = &self.options.roster {
            args.extend(["--roster".into(), roster.to_string()]);
        }
    }

    /// Runs a step's own process quietly, for a read-only check, and returns its exit code.
    pub fn probe(&self, args: &[String]) -> Result<u8> {
        let cmd = xtask::step(&self.ctx.repo, false, args)?;
        let output = cmd.output(&self.ctx.sh)?;
        let code = output.status.code().and_then(|c| u8::try_from(c).ok());
        Ok(code.unwrap_or(1))
    }
}

/// Where one step stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Done,
    /// Not done; runs when its turn comes.
    Todo,
    /// Cannot go on without a person; the text says what to do.
    Blocked(String),
    /// Could not be found out (GitHub or dist out of reach): `status` judges the other steps
    /// from the local clone all the same, and the flow does not go past it.
    Unknown(String),
}

/// A step's answer to "where do you stand", with the detail shown by `status`.
pub struct Progress {
    pub state: State,
    pub detail: String,
}

impl Progress {
    pub fn done(detail: impl Into<String>) -> Result<Progress> {
        Ok(Progress {
            state: State::Done,
            detail: detail.into(),
        })
    }

    pub fn todo(detail: impl Into<String>) -> Result<Progress> {
        Ok(Progress {
            state: State::Todo,
            detail: detail.into(),
        })
    }

    /// A step's standing on ATR (`dist = "atr"`).
    pub fn on_atr(standing: crate::atr_flow::Standing) -> Result<Progress> {
        match standing.done {
            true => Progress::done(standing.detail),
            false => Progress::todo(standing.detail),
        }
    }

    pub fn blocked(why: impl Into<String>) -> Result<Progress> {
        Ok(Progress {
            state: State::Blocked(why.into()),
            detail: String::new(),
        })
    }
}

/// The phases of the release guide.
pub const PLANNING: &str = "planning";
pub const RELEASE_BRANCH: &str = "release branch";
pub const CANDIDATE: &str = "candidate";
pub const VOTE: &str = "vote";
pub const PUBLISH: &str = "publish";

pub trait Step: Sync {
    /// The name `status`, `--until` and `--only` use.
    fn name(&self) -> &'static str;
    fn phase(&self) -> &'static str;
    /// Whether it changes something others see (a push, an svn commit, a sent mail): without
    /// `--yes` the user is asked first.
    fn outward(&self, release: &Release) -> bool;
    /// The arguments of the `xtask` process that runs it, as CI would run it.
    fn command(&self, release: &Release) -> Vec<String>;
    /// Where it stands, read from the world; nothing is changed.
    fn state(&self, release: &Release) -> Result<Progress>;
    /// What to do when its process failed (default: fix what it said and rerun).
    fn after_failure(&self, release: &Release) -> Option<String> {
        let _ = release;
        None
    }
    /// Whether its result shows in `state` right after a successful run (a backport's shows
    /// only once the candidate is tagged).
    fn result_visible_at_once(&self) -> bool {
        true
    }
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}
