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

//! The version check of `version check`, `package` (before signing) and the flow: whether the
//! configured version files carry the release version, in the work tree or in a commit.

use anyhow::{bail, Context, Result};

use crate::config::version_file::{compile, find, path_for};
use crate::config::Config;
use crate::source::ReleaseTree;
use crate::tools::git;
use crate::version::Version;
use crate::Ctx;

/// What the version check found wrong; empty when every file carries `version`.
/// `read` gives a file's content, `None` when it does not exist.
pub fn problems(
    config: &Config,
    version: &Version,
    read: &dyn Fn(&str) -> Result<Option<String>>,
) -> Result<Vec<String>> {
    let wanted = version.to_string();
    let mut problems = Vec::new();
    for file in &config.version_files {
        let regex = compile(file)?;
        let path = path_for(file, version);
        let Some(text) = read(&path)? else {
            problems.push(format!(
                "{path}: the file does not exist; create it (`cargo xtask version bump {version}` \
                 copies the newest file of its shape) or fix version-files"
            ));
            continue;
        };
        let found = find(&regex, &text);
        if found.is_empty() {
            problems.push(format!(
                "{path}: nothing matches the pattern {:?}; fix the file or the pattern in \
                 version-files",
                file.pattern
            ));
        }
        for found in found.iter().filter(|f| f.version != wanted) {
            problems.push(format!(
                "{path}:{}: carries {} where {wanted} is expected",
                found.line, found.version
            ));
        }
    }
    Ok(problems)
}

/// Reads files from a commit instead of the working tree.
pub fn read_commit<'a>(
    ctx: &'a Ctx,
    commit: &'a str,
) -> impl Fn(&str) -> Result<Option<String>> + 'a {
    move |path: &str| {
        let Some(bytes) = git::file_at(&ctx.sh, &ctx.repo, commit, path)? else {
            return Ok(None);
        };
        String::from_utf8(bytes)
            .map(Some)
            .with_context(|| format!("{path} in {commit} is not UTF-8 text"))
    }
}

/// The version check `verify` makes on a candidate's content, made on the files the
/// tarball will hold: an error before signing, a warning for an unsigned check build.
pub fn check_release_tree(
    ctx: &Ctx,
    config: &Config,
    tree: &ReleaseTree,
    version: &Version,
    sign: bool,
) -> Result<()> {
    let from_commit = read_commit(ctx, &tree.commit);
    let read = |path: &str| {
        if tree.contains(path)? {
            from_commit(path)
        } else {
            Ok(None)
        }
    };
    let problems = problems(config, version, &read)?;
    if problems.is_empty() {
        return Ok(());
    }
    let text = format!(
        "the version-files do not carry {version}, so every voter's `verify` fails:\n  {}",
        problems.join("\n  ")
    );
    if sign {
        bail!(
            "{text}\nnothing was written; run `cargo xtask version bump {version}` on the release \
             branch and tag again, or fix version-files"
        );
    }
    eprintln!("warning: {text}");
    Ok(())
}
