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

//! The source of a release: the tree of a commit that goes into the tarball, and the rules its
//! archive must pass. `package` writes it, `verify --rebuild` writes it again to compare,
//! `license-audit` audits it.

mod tree;

use anyhow::Result;

use crate::archive::checks::Rules;
use crate::archive::excludes::Excludes;
use crate::config::Config;
use crate::version::Version;

pub use tree::{release_tree, Queued, ReleaseTree, TreeFile, TreeKind};

/// The rules the archive must pass, derived from the configuration.
pub fn rules(config: &Config, version: &Version) -> Result<Rules> {
    let top_dir = config.top_dir_name(version)?;
    let alternative = top_dir.strip_suffix("-src").map(String::from);
    Ok(Rules {
        top_dir,
        top_dir_alternative: alternative,
        incubating: config.incubating,
        binary_allow: Excludes::new(&config.binary_allow, "binary-allow")?,
        license_header_excludes: Excludes::new(
            &config.license_header_excludes,
            "license-header-excludes",
        )?,
        atr_headers: crate::distribution::of(config).checks_atr_headers(),
    })
}

/// What the manifests of an unpacked source tree make of it.
pub enum Loaded {
    /// No `Cargo.toml` at the top: not a Rust project, nothing to load.
    NotRust,
    Loads,
    /// cargo's complaint (untrusted: it names the tree's paths).
    Broken(String),
    /// cargo itself could not run: rustup has not installed the toolchain pinned (by a
    /// `rust-toolchain` file) where it runs. Its name, as rustup said it (untrusted).
    NoToolchain(String),
}

/// Whether the unpacked tree at `root` loads as a Rust workspace (`cargo metadata --no-deps
/// --offline`): a workspace member or path dependency that the release left out (an
/// `export-ignore`, an exclude) makes it fail.
pub fn load_check(sh: &xshell::Shell, root: &camino::Utf8Path) -> Result<Loaded> {
    if !root.join("Cargo.toml").is_file() {
        return Ok(Loaded::NotRust);
    }
    Ok(match crate::tools::cargo::loads(sh, root)? {
        Ok(()) => Loaded::Loads,
        Err(complaint) => match missing_toolchain(&complaint) {
            Some(toolchain) => Loaded::NoToolchain(toolchain),
            None => Loaded::Broken(complaint),
        },
    })
}

/// The toolchain rustup names in `error: toolchain '1.70.0-x86_64-unknown-linux-gnu' is not
/// installed` (or could not install, offline): then cargo never read the tree, and the tree is
/// not to blame.
fn missing_toolchain(complaint: &str) -> Option<String> {
    complaint.lines().find_map(|line| {
        let rest = line.split_once("toolchain '")?.1;
        let (name, after) = rest.split_once('\'')?;
        let not_there = [
            "is not installed",
            "could not download",
            "failed to install",
        ]
        .iter()
        .any(|said| after.contains(said) || complaint.contains(said));
        (not_there && !name.is_empty()).then(|| name.to_string())
    })
}

/// What the load check says when it could not be made for want of `toolchain`.
pub fn not_checked(toolchain: &str) -> String {
    let name = crate::untrusted::escape_str(toolchain);
    format!(
        "not checked: toolchain {name} is not installed (rustup: a rust-toolchain file pins it); \
         install it with `rustup toolchain install {name}` to have the workspace's manifests \
         checked"
    )
}

#[cfg(test)]
mod tests {
    use super::missing_toolchain;

    #[test]
    fn a_toolchain_rustup_lacks_is_told_apart_from_a_broken_workspace() {
        let rustup = "error: toolchain '1.70.0-x86_64-unknown-linux-gnu' is not installed\n\
                      help: run `rustup toolchain install 1.70.0-x86_64-unknown-linux-gnu` to \
                      install it";
        assert_eq!(
            missing_toolchain(rustup).as_deref(),
            Some("1.70.0-x86_64-unknown-linux-gnu")
        );
        let offline =
            "info: syncing channel updates for 'nightly-2024-01-01-x86_64-unknown-linux-gnu'\n\
                       error: could not download file from 'https://static.rust-lang.org/...'";
        assert_eq!(missing_toolchain(offline), None);
        let auto = "error: toolchain 'nightly-2024-01-01' could not download its components";
        assert_eq!(
            missing_toolchain(auto).as_deref(),
            Some("nightly-2024-01-01")
        );
        let broken = "error: failed to load manifest for workspace member `/t/crates/b`\n\
                      Caused by: failed to read `/t/crates/b/Cargo.toml`";
        assert_eq!(missing_toolchain(broken), None);
    }
}
