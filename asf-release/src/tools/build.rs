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

//! The project's own build and test commands (`build-commands`), run by `verify --build` in an
//! unpacked candidate: with a clean environment (only what a build needs to find its tools,
//! never a token or password), no input, their output streamed to a log file, and a time
//! limit after which the command and everything it started are killed.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use camino::Utf8Path;

/// The variables a build sees, when set: where its tools are, the locale and the terminal.
/// Everything else (GITHUB_TOKEN, GPG_PASSPHRASE, SVN_PASSWORD ...) stays out.
pub const PASSED_ENV: [&str; 11] = [
    "PATH",
    "HOME",
    "USER",
    "LANG",
    "LC_ALL",
    "TERM",
    "TMPDIR",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "SOURCE_DATE_EPOCH",
];

/// How one command ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Passed,
    /// Exit code, or the signal that ended it.
    Failed(String),
    TimedOut,
    NotStarted(String),
}

/// Runs `argv` in `dir`, appending its output to `log`; at most `limit`.
pub fn run(
    argv: &[String],
    dir: &Utf8Path,
    limit: Duration,
    log: &File,
) -> Result<(Ending, Duration)> {
    let started = Instant::now();
    let Some((program, args)) = argv.split_first() else {
        return Ok((
            Ending::NotStarted("an empty command".into()),
            Duration::ZERO,
        ));
    };
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(log.try_clone().context("cannot share the build log")?)
        .stderr(log.try_clone().context("cannot share the build log")?)
        // Its own process group: on timeout the whole group is killed, children included.
        .process_group(0);
    for name in PASSED_ENV {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(err) => {
            return Ok((
                Ending::NotStarted(format!("cannot start `{program}`: {err}")),
                started.elapsed(),
            ))
        }
    };
    loop {
        if let Some(status) = child
            .try_wait()
            .context("cannot wait for the build command")?
        {
            let ending = match (status.success(), status.code()) {
                (true, _) => Ending::Passed,
                (false, Some(code)) => Ending::Failed(format!("exit code {code}")),
                (false, None) => Ending::Failed(format!("{status}")),
            };
            return Ok((ending, started.elapsed()));
        }
        if started.elapsed() >= limit {
            if let Ok(group) = i32::try_from(child.id()) {
                // SAFETY: kill(2) with a negative pid signals the process group we created.
                unsafe {
                    libc::kill(-group, libc::SIGKILL);
                }
            }
            let _ = child.wait();
            return Ok((Ending::TimedOut, started.elapsed()));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
