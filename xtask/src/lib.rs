//! The ASF release flow, step by step, for the repository this xtask lives in (or `--repo`).

pub mod adopt;
pub mod archive;
pub mod cli;
pub mod config;
pub mod config_checks;
pub mod demo;
pub mod lock;
pub mod plan;
pub mod progress;
pub mod release;
pub mod scratch;
pub mod steps;
pub mod tools;
pub mod untrusted;
pub mod version;

use camino::Utf8PathBuf;
use xshell::Shell;

/// What every step gets: one shell, the repository, and the global flags.
pub struct Ctx {
    pub sh: Shell,
    pub repo: Utf8PathBuf,
    pub dry_run: bool,
}

impl Ctx {
    pub fn config(&self) -> anyhow::Result<config::Config> {
        config::load(&self.repo)
    }
}
