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

//! `adopt <DIR>`: installs a thin xtask over this library into another repository (a manifest
//! depending on `asf-release`, a `main` of three lines, the cargo alias), with its release
//! settings detected from that repository, committed on a new branch (nothing is pushed). A
//! rerun updates the dependency and keeps the settings; sources an earlier version copied in
//! are removed.

mod detect;
mod files;

pub use files::{LibrarySource, PROFILE};

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use crate::config::{SECTION, SETTINGS_FILE};
use crate::plan::Plan;
use crate::tools::{git, Tool};
use crate::Ctx;

pub use detect::{detect, Detected};

#[derive(clap::Args, Debug)]
pub struct AdoptArgs {
    /// The repository to install the xtask into (a git work tree).
    #[arg(value_name = "DIR", value_parser = crate::args::absolute_path)]
    pub dir: Utf8PathBuf,
    /// Take the library from this checkout of the `asf-release` crate (unpublished builds,
    /// tests) instead of its published version.
    #[arg(long, value_name = "DIR", value_parser = crate::args::absolute_path, conflicts_with = "git")]
    pub path: Option<Utf8PathBuf>,
    /// Take the library from this git repository instead of its published version.
    #[arg(long, value_name = "URL")]
    pub git: Option<String>,
    /// With --git: the revision (commit or tag) to build.
    #[arg(long, value_name = "REV", requires = "git")]
    pub rev: Option<String>,
}

impl AdoptArgs {
    fn library(&self) -> Result<LibrarySource> {
        if let Some(path) = &self.path {
            if !path.join("Cargo.toml").is_file() || !path.join("src/entry.rs").is_file() {
                bail!(
                    "{path} is not a checkout of the asf-release crate (its Cargo.toml and \
                     src/entry.rs): pass the crate's directory, like <repository>/asf-release"
                );
            }
            return Ok(LibrarySource::Path(path.to_string()));
        }
        Ok(match &self.git {
            Some(url) => LibrarySource::Git {
                url: url.clone(),
                rev: self.rev.clone(),
            },
            None => LibrarySource::Version(env!("CARGO_PKG_VERSION").to_string()),
        })
    }
}

/// How the target builds the xtask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The root `Cargo.toml` is a workspace (or a package): the xtask becomes a member, the
    /// settings go into `[workspace.metadata.asf-release]`.
    Rust,
    /// No root `Cargo.toml`: the xtask is its own small workspace under `xtask/`, the settings
    /// live in `.asf-release.toml`.
    Standalone,
}

/// One file `adopt` writes.
pub struct Write {
    pub path: String,
    pub content: Vec<u8>,
}

/// The branch the adoption is committed on; a later one gets a number.
const BRANCH: &str = "asf-release-xtask";

pub fn run(ctx: &Ctx, args: &AdoptArgs) -> Result<()> {
    Tool::Git.require()?;
    let library = args.library()?;
    let target = args
        .dir
        .canonicalize_utf8()
        .with_context(|| format!("{} does not exist: give the repository to adopt", args.dir))?;
    if target == ctx.repo || target.join("asf-release/src/entry.rs").is_file() {
        bail!("{target} is the tool's own repository: give the repository to install it into");
    }
    let sh = &ctx.sh;
    git::check_repository(sh, &target)?;
    let changes = git::uncommitted_changes(sh, &target)?;
    if !changes.is_empty() {
        bail!(
            "{target} has uncommitted changes ({}): commit or stash them first, so the adoption \
             is one commit of its own",
            changes.join("; ")
        );
    }
    let layout = if target.join("Cargo.toml").is_file() && !target.join(SETTINGS_FILE).is_file() {
        Layout::Rust
    } else {
        Layout::Standalone
    };
    let mut detected = detect(sh, &target)?;
    if layout == Layout::Standalone {
        let new_alias_file = !target.join(".cargo/config.toml").exists();
        detected.leave_out_the_xtask(new_alias_file);
    }
    let writes = files::plan(&library, &target, layout, &detected)?;
    let (changed, unchanged): (Vec<&Write>, Vec<&Write>) = writes
        .iter()
        .partition(|w| std::fs::read(target.join(&w.path)).ok().as_deref() != Some(&w.content[..]));
    let removed = files::vendored_sources(&target)?;

    println!(
        "adopting the release xtask in {target} ({})",
        match layout {
            Layout::Rust => format!("a Rust workspace: settings under {SECTION} in Cargo.toml"),
            Layout::Standalone => format!(
                "not a Rust workspace: settings in {SETTINGS_FILE}, the xtask its own workspace"
            ),
        }
    );
    if changed.is_empty() && removed.is_empty() {
        println!("the xtask and its settings are up to date: nothing to do");
        return Ok(());
    }
    let branch = free_branch(ctx, &target)?;
    let mut plan = Plan::new(format!(
        "install the xtask into {target} on the new branch {branch}"
    ));
    if !ctx.dry_run {
        files::check_settings(&target, layout, &writes)?;
    }
    plan.run(git::adopt::switch_new(&target, &branch));
    for write in &changed {
        let verb = if target.join(&write.path).exists() {
            "update"
        } else {
            "create"
        };
        plan.local(format!("{verb} {}", write.path), || {
            write_file(&target, write)
        });
    }
    for path in &removed {
        let full = target.join(path);
        plan.local(
            format!("remove {path} (copied in by an earlier version; the library holds it)"),
            move || std::fs::remove_file(&full).with_context(|| format!("cannot remove {full}")),
        );
    }
    plan.local("check that the settings load", || {
        crate::config::load(&target).map(|_| ())
    });
    let mut paths: Vec<&str> = changed.iter().map(|w| w.path.as_str()).collect();
    paths.extend(removed.iter().map(String::as_str));
    let message = "Adopt the ASF release xtask (cargo xtask adopt)";
    plan.run(git::adopt::add_force(&target, &paths));
    plan.run(git::adopt::commit_staged(&target, message));
    let unchanged_note =
        (!unchanged.is_empty()).then(|| format!("  unchanged: {} file(s)", unchanged.len()));
    if ctx.dry_run {
        print!("{}", plan.render());
        if let Some(note) = &unchanged_note {
            println!("{note}");
        }
        println!("\nthe settings it detected:\n{}", detected.render());
        return Ok(());
    }
    print!("{}", plan.render());
    if let Some(note) = &unchanged_note {
        println!("{note}");
    }
    plan.execute(sh, false)?;
    let config = crate::config::load(&target)?;
    println!("\ncommitted on branch {branch} of {target} (nothing was pushed)");
    println!("settings of {}:\n{}", config.name, detected.render());
    println!("next, in {target}:");
    println!("  cargo xtask doctor");
    if let Some((tag, version)) = &detected.latest_tag {
        println!(
            "  cargo xtask package {version} --ref {tag} --no-sign   # the last release, rebuilt"
        );
    }
    Ok(())
}

/// `asf-release-xtask`, or the first numbered name no branch has yet.
fn free_branch(ctx: &Ctx, target: &Utf8Path) -> Result<String> {
    let mut name = BRANCH.to_string();
    let mut n = 2;
    while git::branch_exists(&ctx.sh, target, &name)? {
        name = format!("{BRANCH}-{n}");
        n += 1;
    }
    Ok(name)
}

fn write_file(target: &Utf8Path, write: &Write) -> Result<()> {
    let path = target.join(&write.path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {parent}"))?;
    }
    std::fs::write(&path, &write.content).with_context(|| format!("cannot write {path}"))
}
