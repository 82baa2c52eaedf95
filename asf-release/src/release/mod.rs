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

//! `release X.Y` and `status X.Y`: where a release stands, asked of each step of
//! [`crate::steps::FLOW`], and the steps that remain, each run as its own `xtask` process
//! exactly as CI would run it. It adds no release logic of its own: it decides what runs next
//! and stops where a human is needed.

mod memory;

use crate::version::{Line, Version};
use std::process::ExitCode;

use anyhow::{bail, Result};
use camino::Utf8Path;
use serde::Serialize;

use crate::config::Config;
use crate::exit_code;
use crate::flow::{Progress, Release, State};
use crate::steps::FLOW;
use crate::tools::xtask;
use crate::Ctx;

use memory::{choose_target, load_memory, memory_path, save_memory, Target};

#[derive(clap::Args, Debug)]
pub struct ReleaseArgs {
    /// The release line, like 2.3.
    #[arg(value_parser = crate::args::parse_line, allow_hyphen_values = true)]
    pub line: Line,
    /// The version (default: the candidate in progress, else the next patch of the line).
    #[arg(value_parser = crate::args::parse_version)]
    pub version: Option<Version>,
    /// Work on this release candidate (default: the one in progress, else 1).
    #[arg(long, value_parser = crate::args::parse_rc)]
    pub rc: Option<u32>,
    /// After a failed vote: start the next release candidate.
    #[arg(long)]
    pub next_rc: bool,
    #[command(flatten)]
    pub options: crate::flow::FlowOptions,
    /// Stop after this step.
    #[arg(long, value_name = "STEP", value_parser = step_name)]
    pub until: Option<&'static str>,
    /// Run only this step (when it is not done).
    #[arg(long, value_name = "STEP", value_parser = step_name, conflicts_with = "until")]
    pub only: Option<&'static str>,
}

fn step_name(text: &str) -> Result<&'static str> {
    crate::steps::named(text).map(|step| step.name())
}

#[derive(Debug, Clone, Serialize)]
pub struct StepStatus {
    pub step: &'static str,
    pub phase: &'static str,
    pub state: State,
    pub detail: String,
    /// The command that runs the step, as a person would type it.
    pub command: String,
    /// It changes what others see: it asks first, or runs with `--yes`.
    pub outward: bool,
}

fn release<'a>(
    ctx: &'a Ctx,
    config: &'a Config,
    target: &Target,
    args: &'a ReleaseArgs,
) -> Release<'a> {
    Release {
        ctx,
        config,
        line: target.line,
        candidate: target.candidate,
        options: &args.options,
        remote_refs: Default::default(),
    }
}

fn statuses(release: &Release) -> Result<Vec<StepStatus>> {
    let mut out = Vec::new();
    for step in FLOW {
        // Offline, the steps judged from the local clone are still worth showing.
        let progress = step.state(release).unwrap_or_else(|err| Progress {
            state: State::Unknown(unknown_because(&err)),
            detail: String::new(),
        });
        // Whether a step asks matters only for what is still to do (and costs reads).
        let outward = match progress.state {
            State::Done | State::Unknown(_) => false,
            _ => step.outward(release),
        };
        out.push(StepStatus {
            step: step.name(),
            phase: step.phase(),
            state: progress.state,
            detail: progress.detail,
            command: format!("cargo xtask {}", step.command(release).join(" ")),
            outward,
        });
    }
    Ok(out)
}

/// Why a step's state could not be read, in one line: the first line of the error chain's
/// innermost cause (a service's answer, `could not resolve host`) after the outermost context.
fn unknown_because(err: &anyhow::Error) -> String {
    let outer = err.to_string();
    let root = err.root_cause().to_string();
    let line = |text: &str| {
        crate::untrusted::escape_short(text.lines().next().unwrap_or("").as_bytes(), 160)
    };
    match outer == root {
        true => line(&outer),
        false => format!("{}: {}", line(&outer), line(&root)),
    }
}

fn render(release: &Release, statuses: &[StepStatus]) -> Result<String> {
    let config = release.config;
    let mut out = format!(
        "release {} of {}: version {} (RC{}), branch {}\n",
        release.line,
        config.display_name,
        release.candidate.version,
        release.candidate.rc,
        config.branch_name(release.line)?
    );
    let next = statuses.iter().position(|s| s.state != State::Done);
    let mut unknown: Vec<&str> = Vec::new();
    for (index, status) in statuses.iter().enumerate() {
        if let State::Unknown(why) = &status.state {
            if !unknown.contains(&why.as_str()) {
                unknown.push(why);
            }
        }
        let mark = match (&status.state, Some(index) == next) {
            (State::Done, _) => "done   ",
            (State::Unknown(_), _) => "unknown",
            (State::Blocked(_), true) => "blocked",
            (_, true) => "next   ",
            _ => "pending",
        };
        out.push_str(&format!(
            "  {:<15} {:<14} {mark}  {}\n",
            status.phase, status.step, status.detail
        ));
    }
    match next.map(|i| &statuses[i]) {
        None => {
            let next = match release.candidate.version.next_patch() {
                Ok(next) if next.line() == release.line => format!(
                    "the patch release {next} with backported fixes, `cargo xtask release {}` \
                     when it is due",
                    release.line
                ),
                Ok(next) => format!(
                    "{next}, `cargo xtask release {}` when it is due",
                    next.line()
                ),
                Err(_) => format!(
                    "the next version of the line, `cargo xtask release {} <VERSION>` when it \
                     is due",
                    release.line
                ),
            };
            out.push_str(&format!(
                "{} is released and announced: nothing to do\nnext: {next}\n",
                release.candidate.version
            ))
        }
        Some(StepStatus {
            state: State::Blocked(why),
            ..
        }) => out.push_str(&format!("next: {why}\n")),
        Some(StepStatus {
            state: State::Unknown(_),
            step,
            ..
        }) => out.push_str(&format!(
            "next: unknown, {step} could not be judged; rerun `cargo xtask status {}` once \
             what is named below can be reached\n",
            release.line
        )),
        Some(status) => out.push_str(&format!("next: {}\n", status.command)),
    }
    for why in unknown {
        out.push_str(&format!("unknown: {why}\n"));
    }
    Ok(out)
}

/// `status X.Y`: the plan, without acting.
pub fn status(ctx: &Ctx, args: &ReleaseArgs, json: bool) -> Result<ExitCode> {
    let config = ctx.config()?;
    let mut memory = load_memory(&config, args.line)?;
    let target = choose_target(ctx, &config, args, &mut memory)?;
    let release = release(ctx, &config, &target, args);
    let statuses = statuses(&release)?;
    if json {
        let report = serde_json::json!({
            "line": target.line.to_string(),
            "version": target.candidate.version.to_string(),
            "rc": target.candidate.rc,
            "steps": statuses,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&release, &statuses)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// `release X.Y`: runs the remaining steps in order until one needs a person. A dry run shows
/// the state as of the last fetch, the plan of the next step in full, and exits non-zero when
/// the flow would stop.
pub fn run(ctx: &Ctx, args: &ReleaseArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    if let Some(website) = &args.options.website {
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
    let release = release(ctx, &config, &target, args);
    print!("{}", render(&release, &statuses(&release)?)?);
    let position = |name: &str| FLOW.iter().position(|step| step.name() == name);
    let wanted = |index: usize| match (args.only, args.until) {
        (Some(only), _) => Some(index) == position(only),
        (None, Some(until)) => position(until).is_some_and(|last| index <= last),
        (None, None) => true,
    };

    if finish_leftovers(ctx, &config, &release)? == Some(false) {
        return Ok(ExitCode::FAILURE);
    }

    let mut first_pending = true;
    for (_, step) in FLOW.into_iter().enumerate().filter(|(i, _)| wanted(*i)) {
        // The world changes as steps run: ask again right before each one.
        let progress = match ctx.dry_run && !first_pending {
            true => None,
            false => Some(step.state(&release)?),
        };
        let (state, detail) = match progress {
            Some(progress) => (progress.state, progress.detail),
            None => (State::Todo, String::new()),
        };
        match state {
            State::Done => continue,
            State::Blocked(why) | State::Unknown(why) => {
                println!("\nstopped before {}: {why}", step.name());
                return Ok(ExitCode::from(exit_code::STOPPED));
            }
            State::Todo => {}
        }
        let outward = step.outward(&release);
        let mut args_of_step = step.command(&release);
        // The flow asks before an outward step (or has --yes): the step need not ask again,
        // nor where it finds out more than the flow could (GitHub's protection, say).
        if outward || ctx.yes {
            args_of_step.push("--yes".into());
        }
        let command = xtask::step(&ctx.repo, false, &args_of_step)?;
        if ctx.dry_run {
            println!(
                "\n== {} ({}): {detail}\n  would run: {command}",
                step.name(),
                step.phase()
            );
            if first_pending {
                // Later steps depend on this one, so only its own plan can be shown in full;
                // when it would fail, so would the run.
                let plan = xtask::step(&ctx.repo, true, &step.command(&release))?;
                let code = plan.run_attached(&ctx.sh)?;
                if code != 0 {
                    println!(
                        "\nthe dry run of {} fails: the release would stop there",
                        step.name()
                    );
                    return Ok(ExitCode::FAILURE);
                }
            }
            first_pending = false;
            continue;
        }
        if outward && !ctx.yes && !crate::plan::confirm(&command)? {
            println!(
                "\nstopped before {}: it changes what others see; rerun with --yes (or answer y) to run `{command}`",
                step.name()
            );
            return Ok(ExitCode::from(exit_code::STOPPED));
        }
        println!("\n== {} ({}): {detail}", step.name(), step.phase());
        let code = command.run_attached(&ctx.sh)?;
        release.forget();
        if code != 0 {
            let hint = step.after_failure(&release).unwrap_or_else(|| {
                format!(
                    "fix what the message above names, then rerun `cargo xtask release {}`: finished steps are skipped",
                    target.line
                )
            });
            println!("\nstopped at {}: {hint}", step.name());
            return Ok(ExitCode::FAILURE);
        }
        match step.state(&release)?.state {
            State::Done => {}
            // Its work waits for people (a pull request to review): the flow stops here, even
            // where the next steps are done already (a later candidate's CHANGELOG).
            State::Blocked(why) | State::Unknown(why) => {
                println!("\nstopped after {}: {why}", step.name());
                return Ok(ExitCode::from(exit_code::STOPPED));
            }
            State::Todo if step.result_visible_at_once() => {
                println!("\nstopped after {}: the step ran but its result is not visible yet; check the output above", step.name());
                return Ok(ExitCode::FAILURE);
            }
            State::Todo => {}
        }
    }
    if ctx.dry_run {
        return Ok(ExitCode::SUCCESS);
    }
    let all_done = statuses(&release)?.iter().all(|s| s.state == State::Done);
    if all_done {
        memory.finished = true;
        save_memory(&config, args.line, &memory)?;
        println!(
            "\n{} {} is released and announced",
            config.display_name, target.candidate.version
        );
    } else {
        println!(
            "\nran the steps asked for; `cargo xtask status {}` shows what remains",
            target.line
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Work a step left half done in the working tree (written, not committed: its run was cut)
/// is finished by that step, in its own process, before any step runs: no other step takes
/// it for the user's changes. `None` when there was nothing to finish, else whether it went.
fn finish_leftovers(ctx: &Ctx, config: &Config, release: &Release) -> Result<Option<bool>> {
    let unfinished = crate::leftovers::unfinished(ctx, config)?;
    if unfinished.is_empty() {
        return Ok(None);
    }
    for (claim, files) in &unfinished {
        let outward = crate::steps::named(&claim.step).is_ok_and(|step| step.outward(release));
        // As for any step: the flow asks first (or has --yes), the step need not ask again.
        let mut args_of_step = claim.command.clone();
        if outward || ctx.yes {
            args_of_step.push("--yes".into());
        }
        let command = xtask::step(&ctx.repo, false, &args_of_step)?;
        println!(
            "\n== {}: {} written by an interrupted run and not committed; it finishes them first",
            claim.step,
            crate::leftovers::paths_of(files)
        );
        if ctx.dry_run {
            println!("  would run: {command}");
            continue;
        }
        if outward && !ctx.yes && !crate::plan::confirm(&command)? {
            println!(
                "\nstopped before {}: it changes what others see; rerun with --yes (or answer y) to run `{command}`",
                claim.step
            );
            return Ok(Some(false));
        }
        let code = command.run_attached(&ctx.sh)?;
        release.forget();
        if code != 0 {
            println!(
                "\nstopped at {}: finishing its interrupted work failed; fix what the message \
                 above names, then rerun `cargo xtask release {}`",
                claim.step, release.line
            );
            return Ok(Some(false));
        }
    }
    Ok(Some(true))
}

/// Whether `dir` looks like a website checkout (a clear error before anything runs).
fn check_website(dir: &Utf8Path) -> Result<()> {
    if !dir.join(".git").exists() {
        bail!("{dir} is not a git checkout of the website repository: clone it and pass its path with --website");
    }
    Ok(())
}
