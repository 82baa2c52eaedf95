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

//! The whole command line: an xtask's `main` calls [`main`], which parses the arguments and
//! hands each command to its module.

use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::{steps, Ctx};
use anyhow::{Context, Result};
use clap::Parser;
use xshell::Shell;

/// Runs the command the process was started with: the entry point of every xtask over this
/// library (`fn main() -> ExitCode { asf_release::main() }`).
pub fn main() -> ExitCode {
    end_quietly_on_a_closed_stdout();
    match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo xtask status 1.0 | head -1`: once the reader has gone, printing fails. Like every
/// Unix tool killed by SIGPIPE, the command ends there with status 141 and no panic message.
/// (SIGPIPE itself stays ignored, so a child process that closes its input is an error the
/// step reports, not a silent death in the middle of a step.)
fn end_quietly_on_a_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    let repo = crate::cli::repository(&cli)?;
    eprintln!("repository: {repo}");
    let sh = Shell::new().context("cannot set up the shell")?;
    sh.change_dir(&repo);
    let ctx = Ctx {
        sh,
        repo,
        dry_run: cli.dry_run,
        yes: cli.yes,
    };
    match cli.command {
        Command::Doctor { key, offline } => steps::doctor::run(&ctx, key.as_deref(), offline),
        Command::Config => steps::settings::run(&ctx),
        Command::Package(args) => steps::package::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::LicenseAudit(args) => steps::license_audit::run(&ctx, &args),
        Command::Verify(args) => steps::verify::run(&ctx, &args),
        Command::Keys(command) => steps::keys::run(&ctx, &command),
        Command::Upload(args) => steps::upload::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Promote(args) => steps::promote::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Prune(args) => steps::prune::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Milestone(steps::milestone::MilestoneCommand::Create { line }) => {
            steps::milestone::create(&ctx, line).map(|_| ExitCode::SUCCESS)
        }
        Command::Milestone(steps::milestone::MilestoneCommand::Status {
            line,
            allow_open,
            version,
        }) => steps::milestone::status(&ctx, line, allow_open, version),
        Command::Branch(args) => steps::branch::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Backport(args) => steps::backport::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Version(steps::version_files::VersionCommand::Check { version }) => {
            steps::version_files::check(&ctx, &version)
        }
        Command::Version(steps::version_files::VersionCommand::Bump { version }) => {
            steps::version_files::bump(&ctx, &version).map(|_| ExitCode::SUCCESS)
        }
        Command::Tag(args) => steps::tag::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Changelog(args) => steps::changelog::run(&ctx, &args),
        Command::Mail(args) => steps::mail::run(&ctx, &args),
        Command::Vote(steps::vote::VoteCommand::Tally(args)) => steps::vote::run_tally(&ctx, &args),
        Command::DownloadPage(args) => steps::download_page::run(&ctx, &args),
        Command::GithubRelease(args) => steps::github_release::run(&ctx, &args),
        Command::Downloads(args) => steps::downloads::run(&ctx, &args),
        Command::Report(args) => steps::report::run(&ctx, &args),
        Command::Release(args) => crate::release::run(&ctx, &args),
        Command::Status { release, json } => crate::release::status(&ctx, &release, json),
        #[cfg(feature = "demo")]
        Command::Demo(args) => crate::demo::run(&ctx, &args),
        Command::Adopt(args) => crate::adopt::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
    }
}
