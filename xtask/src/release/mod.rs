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

//! `release X.Y` and `status X.Y`: where a release stands, worked out from the world (tags,
//! branches, files, dist/dev and dist/release, the vote thread), and the steps that remain,
//! each run as its own `xtask` process exactly as CI would run it. It adds no release logic of
//! its own: it decides what runs next and stops where a human is needed.

mod branch;
mod memory;
mod state;

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Result};
use camino::Utf8Path;
use serde::Serialize;

use crate::cli::ReleaseArgs;
use crate::config::Config;
use crate::exit_code;
use crate::tools::{xtask, ToolCmd};
use crate::Ctx;

use branch::{
    check_out_release_branch, commit_changelog, publish_release_branch, resume_interrupted_commits,
};
use memory::{choose_target, load_memory, memory_path, save_memory, Target};
use state::Flow;

/// The steps in the order of the release guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepName {
    Milestone,
    Branch,
    Backport,
    Changelog,
    Version,
    Tag,
    Package,
    Keys,
    Upload,
    VoteMail,
    Tally,
    ResultMail,
    Promote,
    ReleaseTag,
    DownloadPage,
    Announce,
}

impl StepName {
    const ALL: [StepName; 16] = [
        StepName::Milestone,
        StepName::Branch,
        StepName::Backport,
        StepName::Changelog,
        StepName::Version,
        StepName::Tag,
        StepName::Package,
        StepName::Keys,
        StepName::Upload,
        StepName::VoteMail,
        StepName::Tally,
        StepName::ResultMail,
        StepName::Promote,
        StepName::ReleaseTag,
        StepName::DownloadPage,
        StepName::Announce,
    ];

    fn phase(self) -> &'static str {
        match self {
            StepName::Milestone => "planning",
            StepName::Branch | StepName::Backport => "release branch",
            StepName::Changelog
            | StepName::Version
            | StepName::Tag
            | StepName::Package
            | StepName::Keys
            | StepName::Upload
            | StepName::VoteMail => "candidate",
            StepName::Tally | StepName::ResultMail => "vote",
            StepName::Promote
            | StepName::ReleaseTag
            | StepName::DownloadPage
            | StepName::Announce => "publish",
        }
    }

    fn label(self) -> &'static str {
        match self {
            StepName::Milestone => "milestone",
            StepName::Branch => "branch",
            StepName::Backport => "backport",
            StepName::Changelog => "changelog",
            StepName::Version => "version",
            StepName::Tag => "tag",
            StepName::Package => "package",
            StepName::Keys => "keys",
            StepName::Upload => "upload",
            StepName::VoteMail => "vote-mail",
            StepName::Tally => "tally",
            StepName::ResultMail => "result-mail",
            StepName::Promote => "promote",
            StepName::ReleaseTag => "release-tag",
            StepName::DownloadPage => "download-page",
            StepName::Announce => "announce",
        }
    }

    /// Whether the step changes something others see (a push, an svn commit, a sent mail):
    /// without `--yes` the user is asked first.
    fn outward(self, send: bool) -> bool {
        match self {
            StepName::Branch
            | StepName::Backport
            | StepName::Tag
            | StepName::Keys
            | StepName::Upload
            | StepName::Promote
            | StepName::ReleaseTag => true,
            StepName::VoteMail | StepName::ResultMail | StepName::Announce => send,
            _ => false,
        }
    }
}

/// Where one step stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Done,
    /// Not done; runs when its turn comes (idempotent steps that always check).
    Todo,
    /// Cannot go on without a person; the text says what to do.
    Blocked(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct StepStatus {
    pub step: StepName,
    pub phase: &'static str,
    pub state: State,
    pub detail: String,
    /// The command that runs the step, as a person would type it.
    pub command: String,
}

fn render(target: &Target, config: &Config, statuses: &[StepStatus]) -> Result<String> {
    let mut out = format!(
        "release {} of {}: version {} (RC{}), branch {}\n",
        target.line,
        config.display_name,
        target.version,
        target.rc,
        config.branch_name(target.line)?
    );
    let next = statuses.iter().position(|s| s.state != State::Done);
    for (index, status) in statuses.iter().enumerate() {
        let mark = match (&status.state, Some(index) == next) {
            (State::Done, _) => "done   ",
            (State::Blocked(_), true) => "blocked",
            (_, true) => "next   ",
            _ => "pending",
        };
        out.push_str(&format!(
            "  {:<15} {:<14} {mark}  {}\n",
            status.phase,
            status.step.label(),
            status.detail
        ));
    }
    match next.map(|i| &statuses[i]) {
        None => {
            let next_patch = crate::version::Version {
                patch: target.version.patch.saturating_add(1),
                ..target.version
            };
            out.push_str(&format!(
                "{} is released and announced: nothing to do\nnext: the patch release \
                 {next_patch} with backported fixes, `cargo xtask release {}` when it is due\n",
                target.version, target.line
            ))
        }
        Some(StepStatus {
            state: State::Blocked(why),
            ..
        }) => out.push_str(&format!("next: {why}\n")),
        Some(status) => out.push_str(&format!("next: {}\n", status.command)),
    }
    Ok(out)
}

/// Asks before an outward-facing step; without a terminal the answer is "no".
pub fn confirm(cmd: &ToolCmd) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    print!("run `{cmd}`? [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// `status X.Y`: the plan, without acting.
pub fn status(ctx: &Ctx, args: &ReleaseArgs, json: bool) -> Result<ExitCode> {
    let config = ctx.config()?;
    let mut memory = load_memory(&config, args.line)?;
    let target = choose_target(ctx, &config, args, &mut memory)?;
    let flow = Flow {
        ctx,
        config: &config,
        target: &target,
        args,
    };
    let statuses = flow.statuses()?;
    if json {
        let report = serde_json::json!({
            "line": target.line.to_string(),
            "version": target.version.to_string(),
            "rc": target.rc,
            "steps": statuses,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&target, &config, &statuses)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// `release X.Y`: runs the remaining steps in order until one needs a person.
pub fn run(ctx: &Ctx, args: &ReleaseArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    if let Some(website) = &args.website {
        check_website(website)?;
    }
    // Two runs of one line would start the same steps twice and trip over each other.
    let _lock = match ctx.dry_run {
        true => None,
        false => Some(crate::lock::acquire(&memory_path(&config, args.line))?),
    };
    let mut memory = load_memory(&config, args.line)?;
    let target = choose_target(ctx, &config, args, &mut memory)?;
    if !ctx.dry_run {
        save_memory(&config, args.line, &memory)?;
    }
    let flow = Flow {
        ctx,
        config: &config,
        target: &target,
        args,
    };
    if !ctx.dry_run {
        resume_interrupted_commits(ctx, &config, &target)?;
    }
    let statuses = flow.statuses()?;
    print!("{}", render(&target, &config, &statuses)?);
    let wanted = |step: StepName| match (args.only, args.until) {
        (Some(only), _) => step == only,
        (None, Some(until)) => step <= until,
        (None, None) => true,
    };

    let mut first_pending = true;
    for step in StepName::ALL.into_iter().filter(|s| wanted(*s)) {
        // The world changes as steps run: ask again right before each one.
        let (state, detail) = if ctx.dry_run && !first_pending {
            (State::Todo, String::new())
        } else {
            flow.state(step)?
        };
        let command = xtask::step(&ctx.repo, false, &flow.command(step))?;
        match state {
            State::Done => continue,
            State::Blocked(why) => {
                println!("\nstopped before {}: {why}", step.label());
                return Ok(ExitCode::from(exit_code::STOPPED));
            }
            State::Todo => {}
        }
        if ctx.dry_run {
            println!(
                "\n== {} ({}): {detail}\n  would run: {command}",
                step.label(),
                step.phase()
            );
            if first_pending {
                // Later steps depend on this one, so only its own plan can be shown in full.
                let plan = xtask::step(&ctx.repo, true, &flow.command(step))?;
                plan.run_attached(&ctx.sh)?;
            }
            first_pending = false;
            continue;
        }
        if step.outward(args.send) && !args.yes && !confirm(&command)? {
            println!(
                "\nstopped before {}: it changes what others see; rerun with --yes (or answer y) to run `{command}`",
                step.label()
            );
            return Ok(ExitCode::from(exit_code::STOPPED));
        }
        println!("\n== {} ({}): {detail}", step.label(), step.phase());
        if matches!(
            step,
            StepName::Changelog | StepName::Version | StepName::Tag
        ) {
            check_out_release_branch(ctx, &config, target.line)?;
        }
        if step == StepName::Tag {
            publish_release_branch(ctx, &config, target.line)?;
        }
        let code = command.run_attached(&ctx.sh)?;
        if step == StepName::Changelog && code == 0 {
            commit_changelog(ctx, &config, &target.version)?;
        }
        if code != 0 {
            let hint = match step {
                StepName::Backport => format!(
                    "resolve the conflict as the message above says, run `cargo xtask backport {} --continue`, then rerun `cargo xtask release {}`",
                    target.line, target.line
                ),
                StepName::Promote => format!(
                    "if this is a permission problem, ask a PMC member to run `cargo xtask promote {} --rc {}`, then rerun `cargo xtask release {}`",
                    target.version, target.rc, target.line
                ),
                _ => format!(
                    "fix what the message above names, then rerun `cargo xtask release {}`: finished steps are skipped",
                    target.line
                ),
            };
            println!("\nstopped at {}: {hint}", step.label());
            return Ok(ExitCode::FAILURE);
        }
        let (after, _) = flow.state(step)?;
        if after != State::Done && step != StepName::Backport {
            println!("\nstopped after {}: the step ran but its result is not visible yet; check the output above", step.label());
            return Ok(ExitCode::FAILURE);
        }
    }
    if ctx.dry_run {
        return Ok(ExitCode::SUCCESS);
    }
    let all_done = flow.statuses()?.iter().all(|s| s.state == State::Done);
    if all_done {
        memory.finished = true;
        save_memory(&config, args.line, &memory)?;
        println!(
            "\n{} {} is released and announced",
            config.display_name, target.version
        );
    } else {
        println!(
            "\nran the steps asked for; `cargo xtask status {}` shows what remains",
            target.line
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `dir` looks like a website checkout (a clear error before anything runs).
fn check_website(dir: &Utf8Path) -> Result<()> {
    if !dir.join(".git").exists() {
        bail!("{dir} is not a git checkout of the website repository: clone it and pass its path with --website");
    }
    Ok(())
}
