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

//! What the commands share on their command lines: the parsers of versions, lines, candidate
//! numbers and paths, and the SVN and dist arguments of several steps. Each command's own
//! arguments live in its own file; `cli.rs` only assembles them.

use anyhow::{Context, Result};
use camino::Utf8PathBuf;

pub use crate::version::parse_rc;
use crate::version::{Line, Version};

pub fn parse_version(text: &str) -> Result<Version> {
    text.parse()
}

pub fn parse_line(text: &str) -> Result<Line> {
    text.parse()
}

/// A path from the command line, made absolute against the user's directory once, here: the
/// steps run their tools in the repository (`--repo`), not where the user stands.
pub fn absolute_path(text: &str) -> Result<Utf8PathBuf> {
    let here = Utf8PathBuf::try_from(std::env::current_dir()?)
        .context("the current directory is not UTF-8")?;
    Ok(here.join(text))
}

/// An SVN URL as given, or a local path made absolute like [`absolute_path`].
pub fn url_or_absolute_path(text: &str) -> Result<String> {
    if is_url(text) {
        Ok(text.to_string())
    } else {
        Ok(absolute_path(text)?.into_string())
    }
}

/// Whether a location from the command line is a URL (else a local path).
pub fn is_url(text: &str) -> bool {
    text.contains("://")
}

/// How to reach the SVN server. The password is read from SVN_PASSWORD only, and handed to
/// svn on its standard input.
#[derive(clap::Args, Debug, Clone)]
pub struct SvnArgs {
    /// SVN account (default: SVN_USERNAME, else svn's own cached login).
    #[arg(long)]
    pub username: Option<String>,
    /// Never prompt for anything (CI).
    #[arg(long)]
    pub non_interactive: bool,
}

impl SvnArgs {
    pub fn credentials(&self) -> crate::tools::svn::Credentials {
        crate::tools::svn::Credentials::from_env(self.username.clone(), self.non_interactive)
    }
}

#[derive(clap::Args, Debug)]
pub struct CandidateArgs {
    /// The version, like 2.3.0.
    #[arg(value_parser = crate::args::parse_version)]
    pub version: Version,
    /// The release candidate number.
    #[arg(long, value_parser = crate::args::parse_rc)]
    pub rc: u32,
    /// Where `package` wrote the artifacts (default: out-dir/<version>-rcN).
    #[arg(long, value_name = "DIR", value_parser = crate::args::absolute_path)]
    pub dir: Option<Utf8PathBuf>,
    #[command(flatten)]
    pub svn: SvnArgs,
}
