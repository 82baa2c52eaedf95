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

//! The external programs the release drives. Each has its own module, and only that module
//! builds its command lines; they come out as [`ToolCmd`] values so a dry run, a plan and a
//! test can read them before (or instead of) running them.

pub mod atr;
pub mod build;
pub mod cargo;
pub mod curl;
pub mod git;
pub mod github;
pub mod gpg;
pub mod jira;
pub mod keyserver;
pub mod lists;
pub mod project;
pub mod sendmail;
pub mod svn;
pub mod whimsy;
pub mod xtask;

use std::cell::Cell;
use std::ffi::OsString;
use std::fmt;
use std::process::Output;
use std::thread::JoinHandle;

use anyhow::{bail, Context, Result};
use xshell::{cmd, Shell};

/// A program the release needs, with what installs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Git,
    Gpg,
    Svn,
    Svnmucc,
    /// The sendmail-compatible mailer of `mail --send` (configured, so it may be another program).
    Sendmail,
    /// This program itself: `release` runs each step as CI would, one process per step.
    Xtask,
    /// A command the project names (the build of a convenience binary), run as configured.
    Project,
    /// Creates SVN repositories (the sandbox's dist.apache.org).
    Svnadmin,
    /// Controls gpg's agent (the sandbox stops the one it started).
    Gpgconf,
    /// Speaks HTTP(S) to GitHub and the key server.
    Curl,
    /// Reads a Rust project's manifests (the load check of an unpacked candidate).
    Cargo,
}

impl Tool {
    pub const ALL: [Tool; 5] = [Tool::Git, Tool::Gpg, Tool::Svn, Tool::Svnmucc, Tool::Curl];

    pub fn program(self) -> &'static str {
        match self {
            Tool::Git => "git",
            Tool::Gpg => "gpg",
            Tool::Svn => "svn",
            Tool::Svnmucc => "svnmucc",
            Tool::Sendmail => "sendmail",
            Tool::Project => "the project's command",
            Tool::Xtask => "xtask",
            Tool::Svnadmin => "svnadmin",
            Tool::Gpgconf => "gpgconf",
            Tool::Curl => "curl",
            Tool::Cargo => "cargo",
        }
    }

    /// The command that installs the tool on Debian/Ubuntu and on macOS.
    pub fn install_hint(self) -> &'static str {
        match self {
            Tool::Git => "Debian/Ubuntu: `sudo apt-get install git`; macOS: `brew install git`",
            Tool::Gpg | Tool::Gpgconf => {
                "Debian/Ubuntu: `sudo apt-get install gnupg`; macOS: `brew install gnupg`"
            }
            Tool::Svn | Tool::Svnmucc | Tool::Svnadmin => {
                "Debian/Ubuntu: `sudo apt-get install subversion`; macOS: `brew install subversion`"
            }
            Tool::Sendmail => {
                "Debian/Ubuntu: `sudo apt-get install msmtp-mta` (then configure ~/.msmtprc), or set \
                 `sendmail = [...]` under [workspace.metadata.asf-release]"
            }
            Tool::Xtask => "it is built by `cargo build --package xtask`",
            Tool::Project => {
                "it is named by `command` of a `binaries` entry under [workspace.metadata.asf-release]: install it, or fix the setting"
            }
            Tool::Cargo => "install Rust with rustup: https://rustup.rs",
            Tool::Curl => {
                "Debian/Ubuntu: `sudo apt-get install curl`; macOS: it comes with the system \
                 (or `brew install curl`)"
            }
        }
    }

    /// Fails with the install hint when the program is not on PATH.
    pub fn require(self) -> Result<()> {
        match which::which(self.program()) {
            Ok(_) => Ok(()),
            Err(_) => bail!(missing_message(self)),
        }
    }
}

pub fn missing_message(tool: Tool) -> String {
    format!(
        "`{}` is not installed or not on PATH; install it ({}), then run `cargo xtask doctor`",
        tool.program(),
        tool.install_hint()
    )
}

/// The error of [`ToolCmd::output_limited`] when the output passes the limit, so a caller can
/// tell it from a command that did not start.
#[derive(Debug)]
pub struct OutputTooLong {
    pub command: String,
    pub limit: u64,
}

impl fmt::Display for OutputTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` printed more than {} bytes (the limit): stopped",
            self.command, self.limit
        )
    }
}

impl std::error::Error for OutputTooLong {}

thread_local! {
    /// Set while a plan runs one of its actions: commands that change the world start only then.
    static IN_PLAN: Cell<bool> = const { Cell::new(false) };
}

/// Runs `run` as an action of a plan (the plan runner is the only caller): commands and HTTP
/// requests that change the world may start inside it. Nested calls keep the outer state.
pub fn in_plan<T>(run: impl FnOnce() -> Result<T>) -> Result<T> {
    let before = IN_PLAN.with(|flag| flag.replace(true));
    let result = run();
    IN_PLAN.with(|flag| flag.set(before));
    result
}

/// One command line of an external tool, as data.
#[derive(Clone)]
pub struct ToolCmd {
    pub(in crate::tools) tool: Tool,
    /// The program to start when it is configured rather than the tool's usual name.
    pub(in crate::tools) program: Option<String>,
    pub(in crate::tools) args: Vec<OsString>,
    /// Extra environment for this command only.
    pub(in crate::tools) env: Vec<(String, OsString)>,
    /// Bytes for the command's standard input; never shown (it may hold a password).
    pub(in crate::tools) stdin: Option<Vec<u8>>,
    /// The directory it runs in, when not the repository (a project's own build command).
    pub(in crate::tools) dir: Option<camino::Utf8PathBuf>,
    /// It changes what others see or what the next step reads (a push, a commit, a signature,
    /// a sent mail): it may only run from a step's plan.
    pub(in crate::tools) changes: bool,
}

impl ToolCmd {
    pub(in crate::tools) fn new<I, A>(tool: Tool, args: I) -> ToolCmd
    where
        I: IntoIterator<Item = A>,
        A: Into<OsString>,
    {
        ToolCmd {
            tool,
            program: None,
            args: args.into_iter().map(Into::into).collect(),
            env: Vec::new(),
            stdin: None,
            dir: None,
            changes: false,
        }
    }

    /// Marks a command that changes the world (see [`ToolCmd::changes`]); only tool modules
    /// call it, on the commands they build.
    pub fn changes_world(mut self) -> ToolCmd {
        self.changes = true;
        self
    }

    /// Starts `program` (a configured path or name) instead of the tool's usual name.
    pub fn program(mut self, program: &str) -> ToolCmd {
        self.program = Some(program.to_string());
        self
    }

    fn program_name(&self) -> &str {
        self.program.as_deref().unwrap_or(self.tool.program())
    }

    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> ToolCmd {
        self.env.push((key.to_string(), value.into()));
        self
    }

    pub fn stdin(mut self, bytes: Vec<u8>) -> ToolCmd {
        self.stdin = Some(bytes);
        self
    }

    fn xshell<'a>(&self, sh: &'a Shell) -> Result<xshell::Cmd<'a>> {
        if self.changes && !IN_PLAN.with(Cell::get) {
            bail!(
                "internal error: `{self}` changes the world but is not in the step's plan, so a \
                 dry run would not show it; nothing was run. Please report this bug"
            );
        }
        let program = match &self.program {
            None => {
                self.tool.require()?;
                self.tool.program()
            }
            Some(program) => {
                if which::which(program).is_err() {
                    bail!(
                        "`{program}` is not installed or not on PATH; install it ({})",
                        self.tool.install_hint()
                    );
                }
                program.as_str()
            }
        };
        let args = &self.args;
        let mut command = cmd!(sh, "{program} {args...}").quiet().ignore_status();
        for (key, value) in &self.env {
            command = command.env(key, value);
        }
        if let Some(bytes) = &self.stdin {
            command = command.stdin(bytes);
        }
        Ok(command)
    }

    /// Runs the command and returns its output whatever the exit status.
    pub fn output(&self, sh: &Shell) -> Result<Output> {
        if self.dir.is_some() {
            return self
                .std_command(sh)?
                .output()
                .with_context(|| format!("cannot start `{self}`"));
        }
        self.xshell(sh)?
            .output()
            .with_context(|| format!("cannot start `{self}`"))
    }

    /// Runs the command in `dir` instead of the repository (it takes no standard input there).
    pub fn in_dir(mut self, dir: &camino::Utf8Path) -> ToolCmd {
        self.dir = Some(dir.to_owned());
        self
    }

    /// Runs the command; a non-zero exit becomes an error carrying its stderr.
    pub fn run(&self, sh: &Shell) -> Result<Output> {
        let output = self.output(sh)?;
        if !output.status.success() {
            bail!(
                "`{self}` failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(output)
    }

    /// Runs the command and returns its standard output as text, trimmed.
    pub fn read(&self, sh: &Shell) -> Result<String> {
        let output = self.run(sh)?;
        let text = String::from_utf8(output.stdout)
            .with_context(|| format!("`{self}` printed something that is not UTF-8"))?;
        Ok(text.trim_end().to_string())
    }

    /// Runs the command and keeps at most `max_stdout` bytes of its output: a longer output
    /// stops the command and fails with [`OutputTooLong`] (for answers from outside, like a
    /// file fetched from SVN). Standard error is kept up to 64 KiB.
    pub fn output_limited(&self, sh: &Shell, max_stdout: u64) -> Result<Output> {
        use std::io::Read;
        use std::process::Stdio;
        let mut command = self.std_command(sh)?;
        if self.stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start `{self}`"))?;
        let feeder = self.feed_stdin(&mut child);
        let stderr = child.stderr.take();
        let errors = std::thread::spawn(move || {
            let mut kept = Vec::new();
            if let Some(stderr) = stderr {
                let mut stderr = stderr;
                let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut kept);
                // Drain the rest so the command never blocks on a full pipe.
                let _ = std::io::copy(&mut stderr, &mut std::io::sink());
            }
            kept
        });
        let mut stdout = Vec::new();
        if let Some(out) = child.stdout.take() {
            out.take(max_stdout + 1)
                .read_to_end(&mut stdout)
                .with_context(|| format!("cannot read the output of `{self}`"))?;
        }
        if stdout.len() as u64 > max_stdout {
            let _ = child.kill();
            let _ = child.wait();
            let _ = errors.join();
            let _ = feeder.map(JoinHandle::join);
            return Err(OutputTooLong {
                command: self.to_string(),
                limit: max_stdout,
            }
            .into());
        }
        let status = child
            .wait()
            .with_context(|| format!("cannot wait for `{self}`"))?;
        let stderr = errors.join().unwrap_or_default();
        let _ = feeder.map(JoinHandle::join);
        Ok(Output {
            status,
            stdout,
            stderr,
        })
    }

    /// Writes the command's standard input from a thread (a command may print before it has
    /// read all of it); a command that stops reading early only loses the rest.
    fn feed_stdin(&self, child: &mut std::process::Child) -> Option<JoinHandle<()>> {
        use std::io::Write;
        let bytes = self.stdin.clone()?;
        let mut pipe = child.stdin.take()?;
        Some(std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        }))
    }

    /// Runs the command with the terminal as its input and output; returns its exit code.
    pub fn run_attached(&self, sh: &Shell) -> Result<i32> {
        let status = self
            .std_command(sh)?
            .status()
            .with_context(|| format!("cannot start `{self}`"))?;
        // A command killed by a signal has no exit code: report it as a plain failure.
        Ok(status.code().unwrap_or(1))
    }

    /// A `std::process::Command` for the few commands whose output is streamed.
    pub fn std_command(&self, sh: &Shell) -> Result<std::process::Command> {
        let mut command: std::process::Command = self.xshell(sh)?.into();
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        Ok(command)
    }
}

/// Shell-like rendering for people (dry runs, errors); never executed as a string.
impl fmt::Display for ToolCmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.program_name())?;
        for arg in &self.args {
            let arg = arg.to_string_lossy();
            let plain = !arg.is_empty()
                && arg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+%^".contains(&b));
            if plain {
                write!(f, " {arg}")?;
            } else {
                write!(f, " '{}'", arg.replace('\'', "'\\''"))?;
            }
        }
        if self.stdin.is_some() {
            f.write_str(" < (input not shown)")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ToolCmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_quotes_what_a_shell_would_split_and_hides_stdin() {
        let cmd = ToolCmd::new(Tool::Svn, ["commit", "-m", "Release 2.3.0 (RC1)", "it's"])
            .stdin(b"hunter2".to_vec());
        let shown = cmd.to_string();
        assert_eq!(
            shown,
            "svn commit -m 'Release 2.3.0 (RC1)' 'it'\\''s' < (input not shown)"
        );
        assert!(!shown.contains("hunter2"));
    }
}
