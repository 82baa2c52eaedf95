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

//! `vote tally`: counts the votes of a vote thread (see [`crate::tally`]) and says whether the
//! vote passed, in the exit code too.

use crate::version::{Candidate, Version};
use camino::{Utf8Path, Utf8PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};

use crate::config::Config;
use crate::exit_code;
use crate::tally::{report, NoVoteMail, Outcome, Tally, VOTE_HOURS};
use crate::Ctx;

#[derive(clap::Subcommand, Debug)]
pub enum VoteCommand {
    /// Tally a vote thread. Exit code: 0 passed, 3 failed, 4 not yet (72 hours not over, or
    /// no VOTE mail in the archive yet), 5 not decided (check the messages it names).
    Tally(TallyArgs),
}

#[derive(clap::Args, Debug)]
pub struct TallyArgs {
    /// The version, like 2.3.0.
    #[arg(value_parser = crate::args::parse_version)]
    pub version: Version,
    /// The release candidate number, like 1 for RC1.
    #[arg(long, value_parser = crate::args::parse_rc)]
    pub rc: u32,
    /// The vote thread as an mbox (lists.apache.org: thread, download mbox); default: fetched
    /// from the dev list's archive on lists.apache.org. With `dist = "atr"`: ATR's tabulation
    /// is shown, next to the count of this file when given.
    #[arg(long, value_name = "FILE", value_parser = crate::args::absolute_path)]
    pub mbox: Option<Utf8PathBuf>,
    /// The PMC roster: committee-info.json, or a list of Apache ids / addresses; default: the
    /// committee's roster from whimsy.apache.org's public committee-info.json.
    #[arg(long, value_name = "FILE", value_parser = crate::args::absolute_path)]
    pub roster: Option<Utf8PathBuf>,
    /// The release manager's address: the vote opens with their [VOTE] mail (default: the
    /// configured sender, `mail-from` or git `user.email`).
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<String>,
    /// Also list the messages that cast no counted vote, and why.
    #[arg(long)]
    pub verbose: bool,
    /// Print the tally as JSON (same content, same exit code).
    #[arg(long)]
    pub json: bool,
}

pub fn run_tally(ctx: &Ctx, args: &TallyArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    if crate::distribution::of(&config).resolves_votes() {
        return atr_tally(ctx, &config, args);
    }
    let tally = match count(ctx, &config, args, args.mbox.as_deref()) {
        // The archive has no VOTE mail on the candidate yet: the vote has not started.
        Err(err) if args.mbox.is_none() && err.is::<NoVoteMail>() => {
            eprintln!("{err}");
            return Ok(ExitCode::from(exit_code::VOTE_NOT_YET));
        }
        counted => counted?,
    };
    if args.json {
        println!("{}", report::json(&tally));
    } else {
        print!("{}", report::text(&tally, args.verbose));
    }
    exit_for(tally.outcome())
}

/// Our count of the thread in `mbox`, else the one in the dev list's archive: the count
/// `promote` requires too (see [`crate::vote_evidence`]).
fn count(ctx: &Ctx, config: &Config, args: &TallyArgs, mbox: Option<&Utf8Path>) -> Result<Tally> {
    let candidate = Candidate {
        version: args.version,
        rc: args.rc,
    };
    let (roster, from) = (args.roster.as_deref(), args.from.as_deref());
    crate::vote_evidence::count(ctx, config, &candidate, mbox, roster, from)
}

/// The exit code of an outcome: 0 passed, 3 failed, 4 not yet, 5 not decided.
fn exit_for(outcome: Outcome) -> Result<ExitCode> {
    Ok(ExitCode::from(match outcome {
        Outcome::Passed => exit_code::SUCCESS,
        Outcome::Failed => exit_code::VOTE_FAILED,
        Outcome::NotYet => exit_code::VOTE_NOT_YET,
        Outcome::NotDecided => exit_code::VOTE_NOT_DECIDED,
        Outcome::Undecided => bail!(
            "no roster: the vote cannot be decided without the PMC roster; rerun with \
             --roster committee-info.json (or a list of the PMC's Apache ids)"
        ),
    }))
}

/// ATR's tabulation, beside our count of the mbox when one is given; our count decides when
/// there is one (ATR's parser is not ours to check), else ATR's, once the 72 hours are over.
fn atr_tally(ctx: &Ctx, config: &Config, args: &TallyArgs) -> Result<ExitCode> {
    let ours = match &args.mbox {
        Some(mbox) => Some(count(ctx, config, args, Some(mbox))?),
        None => None,
    };
    let client = crate::atr_flow::client(ctx, config);
    let version = args.version.to_string();
    let release = client.release(&config.atr_project, &version)?;
    if crate::atr_flow::vote_passed(release.as_ref()) {
        println!("the vote on {version} passed and is resolved on ATR");
        return Ok(ExitCode::from(exit_code::SUCCESS));
    }
    let atr_count = crate::atr_flow::vote::AtrCount::read(
        &client,
        &config.atr_project,
        &version,
        ours.is_some(),
    )?;
    let tabulation = atr_count.tabulation();
    match (&ours, args.json) {
        (Some(tally), true) => println!("{}", report::json(tally)),
        (Some(tally), false) => print!("{}", report::text(tally, args.verbose)),
        (None, true) => bail!("--json prints our count of the thread: give it with --mbox <FILE>"),
        (None, false) => {}
    }
    let beside = atr_count.describe(ours.as_ref());
    // With --json, standard output carries the JSON alone.
    match args.json {
        true => eprint!("{beside}"),
        false => print!("{beside}"),
    }
    let started = release
        .as_ref()
        .and_then(|r| r.vote_started.as_deref())
        .and_then(crate::atr_flow::epoch_of);
    let over = started.is_some_and(|s| crate::clock::system_now() as i64 >= s + VOTE_HOURS * 3600);
    let outcome = match (&ours, tabulation) {
        (Some(tally), _) => tally.outcome(),
        (None, Some(_)) if !over => Outcome::NotYet,
        (None, Some(t)) if t.details.passed => Outcome::Passed,
        (None, Some(_)) => Outcome::Failed,
        (None, None) => Outcome::NotYet,
    };
    exit_for(outcome)
}

/// Counts the vote of the candidate.
pub struct TallyStep;

impl crate::flow::Step for TallyStep {
    fn name(&self) -> &'static str {
        "tally"
    }
    fn phase(&self) -> &'static str {
        crate::flow::VOTE
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        false
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        let mut args = release.candidate_command(&["vote", "tally"]);
        release.vote_arguments(&mut args);
        args
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        // ATR's resolution is the vote's own record; a version in dist/release says only that
        // someone moved it there: without the thread, the vote is not known here.
        let on_atr = crate::distribution::of(release.config).resolves_votes();
        let released = release.released()?;
        if released {
            match (on_atr, &release.options.mbox) {
                (true, _) => return Progress::done("the vote passed: resolved on ATR"),
                (false, None) => {
                    return Progress::done(format!(
                        "released: {} is in {}; the vote was not checked here (give \
                         --mbox and --roster to count it)",
                        release.candidate.version, release.config.svn_release_url
                    ))
                }
                (false, Some(_)) => {}
            }
        }
        if on_atr {
            let ctx = release.ctx;
            let phase = crate::atr_flow::release(ctx, release.config, &release.candidate.version)?
                .map(|r| r.phase);
            // Counting asks ATR with a token: only once its vote runs.
            if phase.as_deref() != Some(crate::tools::atr::VOTE) {
                return Progress::todo("the vote starts on ATR with the vote-mail step");
            }
        }
        let thread = match (&release.options.mbox, on_atr) {
            (Some(mbox), _) => mbox.to_string(),
            (None, true) => "ATR's tabulation".to_string(),
            (None, false) => {
                // Before the VOTE mail there is no thread to look for.
                let config = release.config;
                // Where mails are kept, or where an earlier version of the tool kept them.
                let (vote, version, rc) = (
                    crate::records::MailKind::Vote,
                    &release.candidate.version,
                    release.candidate.rc,
                );
                let written = [
                    vote.path(config, version, rc),
                    vote.old_path(config, version, rc),
                ]
                .iter()
                .any(|path| path.exists());
                if !written {
                    return Progress::todo(format!(
                        "counted from the archive of {} once the VOTE mail is out and 72 hours \
                         have passed",
                        config.dev_list
                    ));
                }
                format!("the archive of {}", config.dev_list)
            }
        };
        let counted = release.probe(&self.command(release))?;
        // What is released stays released: the count is reported, the flow goes on.
        if released && counted != exit_code::SUCCESS {
            return Progress::done(format!(
                "released: {} is in {}, but the count of {thread} shows no passed vote; see \
                 `cargo xtask {}`",
                release.candidate.version,
                release.config.svn_release_url,
                self.command(release).join(" ")
            ));
        }
        match counted {
            exit_code::SUCCESS => Progress::done(format!("the vote in {thread} passed")),
            exit_code::VOTE_FAILED => Progress::blocked(format!(
                "the vote of RC{} failed: fix what the -1 votes name, then start the next \
                 candidate with `cargo xtask release {} --next-rc`",
                release.candidate.rc, release.line
            )),
            exit_code::VOTE_NOT_YET => Progress::blocked(format!(
                "the vote is still open: the 72 hours are not over, or the VOTE mail is not in \
                 {thread} yet; rerun later (`cargo xtask {}` says which)",
                self.command(release).join(" ")
            )),
            exit_code::VOTE_NOT_DECIDED => Progress::blocked(format!(
                "the vote is not decided: mails that may be forged or could not be read could \
                 change the result; `cargo xtask {}` names them and what to do",
                self.command(release).join(" ")
            )),
            _ => Progress::blocked(format!(
                "the vote thread cannot be counted: run `cargo xtask {}` to see why",
                self.command(release).join(" ")
            )),
        }
    }
}
