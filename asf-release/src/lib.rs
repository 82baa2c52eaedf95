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

//! The ASF release flow, step by step, for the repository this xtask lives in (or `--repo`).

pub mod adopt;
pub mod archive;
pub mod args;
pub mod artifacts;
pub mod atr_flow;
pub mod candidates;
pub mod changelog_file;
pub mod cli;
pub mod clock;
pub mod config;
pub mod config_checks;
#[cfg(feature = "demo")]
pub mod demo;
pub mod distribution;
pub mod encoding;
mod entry;
pub mod exit_code;
pub mod flow;
pub mod keyring;
pub mod keys_link;
pub mod leftovers;
pub mod lock;
pub mod plan;
pub mod progress;
pub mod protection;
pub mod records;
pub mod release;
pub mod release_branch;
pub mod remote;
pub mod scratch;
pub mod served;
pub mod source;
pub mod stated_version;
pub mod steps;
pub mod tally;
pub mod tools;
pub mod untrusted;
pub mod version;
pub mod version_files;
pub mod vote_evidence;

pub use entry::main;

use camino::Utf8PathBuf;
use xshell::Shell;

/// What every step gets: one shell, the repository, and the global flags.
pub struct Ctx {
    pub sh: Shell,
    pub repo: Utf8PathBuf,
    pub dry_run: bool,
    /// `--yes`: the user confirmed in advance every change others will see (CI).
    pub yes: bool,
}

impl Ctx {
    pub fn config(&self) -> anyhow::Result<config::Config> {
        config::load(&self.repo)
    }

    /// The GitHub client of the configured repository (`github-repo`, else the remote's URL).
    pub fn github(&self, config: &config::Config) -> anyhow::Result<tools::github::GitHub> {
        let repo = config.github_repo.as_deref();
        tools::github::GitHub::for_repo(&self.sh, &self.repo, repo, &config.remote)
    }
}
