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

//! The checks that need the candidate on disk, run only once every other check passed (no
//! code of an unchecked candidate ever runs): a Rust workspace (a `Cargo.toml` at the top)
//! must load with `cargo metadata --no-deps --offline`, on what cargo reads of the candidate
//! unpacked into a fresh directory of the run's scratch space ([`crate::archive::skeleton`]:
//! manifests, directories, the files target discovery probes; a candidate without a root
//! manifest is not unpacked at all); with `--build` the whole candidate is unpacked
//! ([`crate::archive::unpack`]), loaded, and the project's `build-commands` run there
//! ([`crate::tools::build`]), their output in a log file.

use std::time::Duration;

use anyhow::{Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use super::report::{Check, Status};
use crate::archive::reader::Limits;
use crate::archive::skeleton::{Skeleton, Unpacked};
use crate::archive::unpack::unpack;
use crate::config::BuildCommand;
use crate::source::{load_check, Loaded};
use crate::tools::build::{self, Ending};
use crate::Ctx;

pub const BUILD_ID: &str = "build";
pub const LOAD_ID: &str = "manifests";
const LOAD_TITLE: &str = "the manifests load (cargo metadata --no-deps --offline)";

/// What `verify` was asked to build, and where the log goes.
pub struct Build<'a> {
    pub commands: Option<&'a [BuildCommand]>,
    pub log: Utf8PathBuf,
}

impl Build<'_> {
    /// Whether commands run in the unpacked candidate: then all of it is unpacked.
    fn runs_commands(&self) -> bool {
        self.commands.is_some_and(|commands| !commands.is_empty())
    }
}

pub fn shown(argv: &[String]) -> String {
    argv.join(" ")
}

fn seconds(elapsed: Duration) -> String {
    format!("{:.1} s", elapsed.as_secs_f64())
}

/// The plan's lines for these checks.
pub fn planned(build: &Build) -> Vec<String> {
    let unpacked = match build.runs_commands() {
        true => "the candidate",
        false => "what cargo reads of the candidate (manifests, directories, target files)",
    };
    let mut lines = vec![format!(
        "once every check above passed, if it has a Cargo.toml at its top: unpack {unpacked} \
         into a fresh temporary directory (the same path rules) and load the Rust workspace \
         with `cargo metadata --no-deps --offline`"
    )];
    for command in build.commands.unwrap_or_default() {
        lines.push(format!(
            "run `{}` in the unpacked tree (clean environment, limit {}s), output to {}",
            shown(&command.run),
            command.timeout.as_secs(),
            build.log
        ));
    }
    lines
}

/// The checks on the unpacked tree; `skip` says why they cannot run (an earlier check failed).
/// `skeleton` is what cargo reads of the tarball, decided while the checks read it.
pub fn checks(
    ctx: &Ctx,
    tarball: &Utf8Path,
    work: &Utf8Path,
    limits: Limits,
    build: &Build,
    skip: Option<&str>,
    skeleton: Result<Skeleton>,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let unpacked = match skip {
        Some(why) => Err(anyhow::anyhow!("{why}")),
        None if build.runs_commands() => {
            let into = work.join("unpacked-whole");
            std::fs::create_dir(&into)
                .with_context(|| format!("cannot create {into}"))
                .and_then(|()| unpack(tarball, &into, limits))
                .map(|root| Some(Unpacked::at(root)))
        }
        None => skeleton.and_then(|skeleton| skeleton.finish(tarball, limits)),
    };
    let unpacked = match unpacked {
        Ok(unpacked) => unpacked,
        Err(err) => {
            let why = format!("not checked: {err:#}");
            let status = if skip.is_some() {
                Status::Skipped
            } else {
                Status::Failed
            };
            checks.push(Check::new(LOAD_ID, LOAD_TITLE, status, vec![why.clone()]));
            if build.commands.is_some() {
                checks.push(Check::new(
                    BUILD_ID,
                    "build and test",
                    Status::Skipped,
                    vec![why],
                ));
            }
            return checks;
        }
    };
    let root = unpacked.as_ref().map(|unpacked| unpacked.root.as_path());
    let loaded = match root {
        Some(root) => load_check(&ctx.sh, root),
        None => Ok(Loaded::NotRust),
    };
    match loaded {
        Ok(Loaded::NotRust) => {}
        Ok(Loaded::Loads) => checks.push(Check::passed(
            LOAD_ID,
            LOAD_TITLE,
            vec!["the workspace loads".into()],
        )),
        Ok(Loaded::Broken(complaint)) => checks.push({
            let mut details = vec![
                "cargo cannot load the unpacked workspace: a member or a path dependency is \
                     missing (an export-ignore or exclude that dropped it?)"
                    .to_string(),
            ];
            details.extend(complaint.lines().map(String::from));
            Check::failed(LOAD_ID, LOAD_TITLE, details)
        }),
        Ok(Loaded::NoToolchain(toolchain)) => checks.push(Check::new(
            LOAD_ID,
            LOAD_TITLE,
            Status::Skipped,
            vec![crate::source::not_checked(&toolchain)],
        )),
        Err(err) => checks.push(Check::from_error(LOAD_ID, LOAD_TITLE, &err)),
    }
    match build.commands {
        None => checks.push(Check::new(
            BUILD_ID,
            "build and test",
            Status::NotAsked,
            vec!["the build was not checked (run verify with --build)".into()],
        )),
        Some([]) => checks.push(Check::new(
            BUILD_ID,
            "build and test",
            Status::NotAsked,
            vec!["the build was not checked: the project names no build-commands".into()],
        )),
        // Commands to run: the whole candidate was unpacked.
        Some(commands) => checks.extend(
            root.iter()
                .flat_map(|root| run_commands(commands, root, &build.log)),
        ),
    }
    checks
}

fn run_commands(commands: &[BuildCommand], root: &Utf8Path, log_path: &Utf8Path) -> Vec<Check> {
    let log = log_path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::File::create(log_path))
        .with_context(|| format!("cannot create the build log {log_path}"));
    let log = match log {
        Ok(log) => log,
        Err(err) => return vec![Check::from_error(BUILD_ID, "build and test", &err)],
    };
    let mut checks = Vec::new();
    let mut failed = false;
    for command in commands {
        let title = format!("build: `{}`", shown(&command.run));
        if failed {
            checks.push(Check::new(
                BUILD_ID,
                &title,
                Status::Skipped,
                vec!["not run: an earlier build command failed".into()],
            ));
            continue;
        }
        eprintln!(
            "  build: running `{}` (limit {}s), output in {log_path}",
            shown(&command.run),
            command.timeout.as_secs()
        );
        let check = match run_one(command, root, &log) {
            Ok((Ending::Passed, elapsed)) => Check::passed(
                BUILD_ID,
                &title,
                vec![format!("passed in {}", seconds(elapsed))],
            ),
            Ok((ending, elapsed)) => {
                let why = match ending {
                    Ending::Failed(how) => format!("failed ({how}) after {}", seconds(elapsed)),
                    Ending::TimedOut => format!(
                        "timed out after {}: stopped (limit {}s)",
                        seconds(elapsed),
                        command.timeout.as_secs()
                    ),
                    Ending::NotStarted(why) => why,
                    Ending::Passed => String::new(),
                };
                Check::failed(
                    BUILD_ID,
                    &title,
                    vec![why, format!("its output: {log_path}")],
                )
            }
            Err(err) => Check::from_error(BUILD_ID, &title, &err),
        };
        failed = check.status != Status::Passed;
        eprintln!(
            "    {}",
            check
                .details
                .first()
                .map(String::as_str)
                .unwrap_or_default()
        );
        checks.push(check);
    }
    checks
}

fn run_one(
    command: &BuildCommand,
    root: &Utf8Path,
    log: &std::fs::File,
) -> Result<(Ending, Duration)> {
    use std::io::Write;
    let mut header = log.try_clone().context("cannot write the build log")?;
    writeln!(header, "\n$ {}", shown(&command.run)).context("cannot write the build log")?;
    build::run(&command.run, root, command.timeout, log)
}
