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

//! Commands as data: a step first builds what it will do as a list of actions; a dry run
//! prints that list, a real run executes the same list, one action after another. Commands
//! that change the world (marked by their tool module) run only from a plan, so nothing a real
//! run changes is missing from its dry run.

use std::fmt;
use std::io::Write;
use std::process::Output;

use anyhow::{bail, Context, Result};
use xshell::Shell;

use crate::tools::ToolCmd;

/// Where a real run writes every action it executes, one per line (for the test that compares
/// dry runs with real runs).
pub const ACTION_LOG: &str = "XTASK_ACTION_LOG";

type Work<'a> = Box<dyn FnOnce() -> Result<()> + 'a>;
type Make<'a> = Box<dyn FnOnce() -> Result<Option<ToolCmd>> + 'a>;
type Judge<'a> = Box<dyn FnOnce(Output) -> Result<()> + 'a>;

pub enum Action<'a> {
    /// An external command; a non-zero exit stops the plan with its stderr.
    Run(ToolCmd),
    /// An external command whose outcome the step judges itself (a conflict to explain, an
    /// svn refusal to translate), whatever its exit status.
    Judged(ToolCmd, Judge<'a>),
    /// An external command with the terminal as its input and output (gpg's pinentry).
    Attached(ToolCmd),
    /// An external command made when its turn comes, shown as planned.
    Later(String, Make<'a>),
    /// An external command made when its turn comes, whose outcome the step judges (it reads
    /// what the command printed, or explains its failure).
    LaterJudged(String, Make<'a>, Judge<'a>),
    /// A read-only check the step makes itself around its actions (a voter's `verify` is all
    /// checks): shown by the dry run, nothing for the runner to do.
    Check(String),
    /// Work done inside this process (building the tarball, writing a file), described.
    Local(String, Work<'a>),
}

impl fmt::Display for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Run(cmd) | Action::Judged(cmd, _) | Action::Attached(cmd) => {
                write!(f, "{cmd}")
            }
            Action::Later(shown, _) | Action::LaterJudged(shown, _, _) => write!(f, "{shown}"),
            Action::Check(what) => write!(f, "(check) {what}"),
            Action::Local(what, _) => write!(f, "(in-process) {what}"),
        }
    }
}

/// What a step is about to do.
pub struct Plan<'a> {
    pub title: String,
    actions: Vec<Action<'a>>,
    /// It holds an action others will see: [`Plan::execute_confirmed`] asks first.
    outward: bool,
}

impl<'a> Plan<'a> {
    pub fn new(title: impl Into<String>) -> Plan<'a> {
        Plan {
            title: title.into(),
            actions: Vec::new(),
            outward: false,
        }
    }

    /// Marks the plan as changing what others see (a push, an svn commit, a sent mail, a
    /// GitHub or ATR write): [`Plan::execute_confirmed`] asks before it runs.
    pub fn mark_outward(&mut self) {
        self.outward = true;
    }

    pub fn run(&mut self, cmd: ToolCmd) {
        self.actions.push(Action::Run(cmd));
    }

    /// A read-only check (see [`Action::Check`]).
    pub fn check(&mut self, what: impl Into<String>) {
        self.actions.push(Action::Check(what.into()));
    }

    /// A command whose output `judge` turns into success or the error the user needs.
    pub fn run_judged(&mut self, cmd: ToolCmd, judge: impl FnOnce(Output) -> Result<()> + 'a) {
        self.actions.push(Action::Judged(cmd, Box::new(judge)));
    }

    /// A command that talks to the user through the terminal.
    pub fn run_attached(&mut self, cmd: ToolCmd) {
        self.actions.push(Action::Attached(cmd));
    }

    /// A command that can only be made once the actions before it ran (it names what they
    /// made, or they found it is not needed: `None`); `shown` is how the dry run shows it.
    pub fn run_later(
        &mut self,
        shown: impl Into<String>,
        make: impl FnOnce() -> Result<Option<ToolCmd>> + 'a,
    ) {
        self.actions
            .push(Action::Later(shown.into(), Box::new(make)));
    }

    /// A command made when its turn comes (see [`Plan::run_later`]) whose output `judge`
    /// turns into success or the error the user needs.
    pub fn run_later_judged(
        &mut self,
        shown: impl Into<String>,
        make: impl FnOnce() -> Result<Option<ToolCmd>> + 'a,
        judge: impl FnOnce(Output) -> Result<()> + 'a,
    ) {
        self.actions.push(Action::LaterJudged(
            shown.into(),
            Box::new(make),
            Box::new(judge),
        ));
    }

    /// In-process work: `what` is shown by the dry run, `work` runs in the real run.
    pub fn local(&mut self, what: impl Into<String>, work: impl FnOnce() -> Result<()> + 'a) {
        self.actions
            .push(Action::Local(what.into(), Box::new(work)));
    }

    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// The dry-run report: every action, numbered.
    pub fn render(&self) -> String {
        let mut out = format!("plan: {}\n", self.title);
        if self.actions.is_empty() {
            out.push_str("  nothing to do\n");
        }
        for (number, action) in self.actions.iter().enumerate() {
            out.push_str(&format!("  {}. {action}\n", number + 1));
        }
        out
    }

    /// The one runner: a dry run prints the plan and returns `false`; a real run executes
    /// every action in order, stopping at the first failure, and returns `true`.
    pub fn execute(self, sh: &Shell, dry_run: bool) -> Result<bool> {
        if dry_run {
            print!("{}", self.render());
            return Ok(false);
        }
        for action in self.actions {
            log_action(&action)?;
            if let Action::Run(cmd) | Action::Judged(cmd, _) | Action::Attached(cmd) = &action {
                eprintln!("  running: {cmd}");
            }
            match action {
                Action::Run(cmd) => {
                    crate::tools::in_plan(|| cmd.run(sh))?;
                }
                Action::Judged(cmd, judge) => {
                    judge(crate::tools::in_plan(|| cmd.output(sh))?)?;
                }
                Action::Attached(cmd) => {
                    let code = crate::tools::in_plan(|| cmd.run_attached(sh))?;
                    if code != 0 {
                        bail!("`{cmd}` exited with {code}");
                    }
                }
                Action::Later(_, make) => {
                    if let Some(cmd) = make()? {
                        eprintln!("  running: {cmd}");
                        crate::tools::in_plan(|| cmd.run(sh))?;
                    }
                }
                Action::LaterJudged(_, make, judge) => {
                    if let Some(cmd) = make()? {
                        eprintln!("  running: {cmd}");
                        judge(crate::tools::in_plan(|| cmd.output(sh))?)?;
                    }
                }
                Action::Check(_) => {}
                // Described by the dry run, so what it changes (a GitHub label, an ATR
                // upload) is in the plan too.
                Action::Local(what, work) => {
                    eprintln!("  {what}");
                    crate::tools::in_plan(work)?;
                }
            }
        }
        Ok(true)
    }
}

fn log_action(action: &Action<'_>) -> Result<()> {
    let Some(path) = std::env::var_os(ACTION_LOG) else {
        return Ok(());
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("cannot open {} ({ACTION_LOG})", path.to_string_lossy()))?;
    writeln!(file, "{action}").context("cannot write the action log")
}

/// Runs a command that builds a world from nothing (the demo's sandbox): it belongs to no
/// step and changes nobody's world but the one it builds.
pub fn build_world(sh: &Shell, cmd: &ToolCmd) -> Result<Output> {
    crate::tools::in_plan(|| cmd.run(sh))
}

/// Asks a yes/no question on the terminal; `None` when there is no terminal to ask on.
fn ask(question: &str) -> Result<Option<bool>> {
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    print!("{question} [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(Some(matches!(answer.trim(), "y" | "Y" | "yes")))
}

/// Asks before `release` runs an outward-facing step; without a terminal the answer is "no".
pub fn confirm(action: &dyn fmt::Display) -> Result<bool> {
    Ok(ask(&format!("run `{action}`?"))?.unwrap_or(false))
}

impl Plan<'_> {
    /// Runs a plan the way every step runs one: a dry run prints it; a plan marked outward
    /// ([`Plan::mark_outward`]) runs at once with `--yes`, else with a terminal the user sees it
    /// and answers, and without one nothing is changed and the error names the exact command
    /// that runs it; any other plan just runs.
    pub fn execute_confirmed(self, ctx: &crate::Ctx) -> Result<bool> {
        self.confirm(ctx)?;
        self.execute(&ctx.sh, ctx.dry_run)
    }

    /// The question of [`Plan::execute_confirmed`] alone, for a step that runs the plan itself.
    pub fn confirm(&self, ctx: &crate::Ctx) -> Result<()> {
        if self.outward && !ctx.dry_run && !ctx.yes {
            print!("{}", self.render());
            let rerun = rerun_with_yes();
            match ask("make these changes, which others will see?")? {
                Some(true) => {}
                Some(false) => bail!(
                    "not confirmed, nothing was changed: answer y, or rerun with --yes: `{rerun}`"
                ),
                None => bail!(
                    "nothing was changed: `{}` changes what others see, and no one can confirm \
                     it here (no terminal); rerun with --yes: `{rerun}`",
                    self.title
                ),
            }
        }
        Ok(())
    }
}

/// The command line this process was started with, plus `--yes`, as a person would type it.
pub fn rerun_with_yes() -> String {
    let mut words = vec!["cargo".to_string(), "xtask".to_string()];
    words.extend(
        std::env::args_os()
            .skip(1)
            .map(|arg| shell_word(&arg.to_string_lossy())),
    );
    words.push("--yes".into());
    words.join(" ")
}

/// A word as a POSIX shell reads it back: plain when it is safe, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./:=@%+,-".contains(c));
    match plain {
        true => word.to_string(),
        false => format!("'{}'", word.replace('\'', "'\\''")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rerun_command_quotes_what_a_shell_would_split() {
        assert_eq!(shell_word("1.0.0"), "1.0.0");
        assert_eq!(shell_word("--mbox=/tmp/a b"), "'--mbox=/tmp/a b'");
        assert_eq!(shell_word("it's"), "'it'\\''s'");
        assert_eq!(shell_word(""), "''");
    }
}
