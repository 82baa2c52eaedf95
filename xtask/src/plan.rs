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

//! Commands as data: a step first says what it will do, as a list of actions, so that a dry run
//! prints exactly what a real run executes.

use std::fmt;

use anyhow::Result;
use xshell::Shell;

use crate::tools::ToolCmd;

pub enum Action {
    /// An external command.
    Run(ToolCmd),
    /// Work done inside this process (building the tarball, writing a file), described.
    Local(String),
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Run(cmd) => write!(f, "{cmd}"),
            Action::Local(what) => write!(f, "(in-process) {what}"),
        }
    }
}

/// What a step is about to do.
pub struct Plan {
    pub title: String,
    pub actions: Vec<Action>,
}

impl Plan {
    pub fn new(title: impl Into<String>) -> Plan {
        Plan {
            title: title.into(),
            actions: Vec::new(),
        }
    }

    pub fn run(&mut self, cmd: ToolCmd) {
        self.actions.push(Action::Run(cmd));
    }

    pub fn local(&mut self, what: impl Into<String>) {
        self.actions.push(Action::Local(what.into()));
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
}

/// Runs one planned command, telling the user what runs.
pub fn execute(sh: &Shell, cmd: &ToolCmd) -> Result<std::process::Output> {
    eprintln!("  running: {cmd}");
    cmd.run(sh)
}
