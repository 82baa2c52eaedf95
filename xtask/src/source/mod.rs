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

pub use tree::{release_tree, ReleaseTree, TreeFile, TreeKind};

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
        atr_headers: config.dist == crate::config::Dist::Atr,
    })
}

/// What the manifests of an unpacked source tree make of it.
pub enum Loaded {
    /// No `Cargo.toml` at the top: not a Rust project, nothing to load.
    NotRust,
    Loads,
    /// cargo's complaint (untrusted: it names the tree's paths).
    Broken(String),
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
        Err(complaint) => Loaded::Broken(complaint),
    })
}
