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

/// Where the tarball is built from, for the version check's messages.
pub struct Built<'a> {
    pub tree: &'a ReleaseTree,
    /// How the commit was named: a tag, `--ref`'s value or HEAD.
    pub reference: &'a str,
    /// The version's own tag (release or candidate) chose the commit, not `--ref` or HEAD.
    pub from_version_tag: bool,
    /// The main tarball, which carries the whole tree (the root build files included).
    pub main: bool,
}

/// The version check `verify` makes on a candidate's content, made on the files the tarball
/// will hold; without version-files, the root build files' own versions (see
/// [`crate::stated_version`]) are checked instead. A mismatch is an error before signing and
/// when the version's own tag holds it (a tarball named for one version would carry another),
/// a warning for an unsigned check build of another commit. Returns what was checked, for the
/// plan.
pub fn check_release_tree(
    ctx: &Ctx,
    config: &Config,
    built: &Built,
    version: &Version,
    sign: bool,
) -> Result<String> {
    let tree = built.tree;
    let strict = sign || built.from_version_tag;
    let short = &tree.commit[..12.min(tree.commit.len())];
    if config.version_files.is_empty() {
        if !built.main {
            return Ok(String::new());
        }
        let stated = crate::stated_version::read(ctx, &tree.commit)?;
        let checked = format!(
            "{} ({short}) is version {version}, as its root build files say: {}",
            crate::untrusted::escape_str(built.reference),
            if stated.is_empty() {
                "none names a literal version (nothing to compare)".to_string()
            } else {
                stated
                    .iter()
                    .map(|s| s.field.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
        let wanted = version.to_string();
        let wrong: Vec<String> = stated
            .iter()
            .filter(|s| !crate::stated_version::names(&s.version, &wanted))
            .map(|s| {
                format!(
                    "{} says {}",
                    s.field,
                    crate::untrusted::escape_str(&s.version)
                )
            })
            .collect();
        if wrong.is_empty() {
            return Ok(checked);
        }
        let text = format!(
            "{} ({short}) is not version {version}: {}",
            crate::untrusted::escape_str(built.reference),
            wrong.join("; ")
        );
        if strict {
            bail!(
                "{text}\nnothing was written: a tarball named for {version} would carry the \
                 sources of another version. Build the commit of {version}: pass the right tag \
                 with --ref (see `git tag --list '*{version}*'`) or fix tag-pattern / \
                 rc-tag-pattern; set the version in those files, tag again and rerun; or, when \
                 these files do not state the release's version, name the ones that do in \
                 version-files"
            );
        }
        eprintln!("warning: {text} (an unsigned check build: going on)");
        return Ok(checked);
    }
    let from_commit = read_commit(ctx, &tree.commit);
    let read = |path: &str| {
        if tree.contains(path)? {
            from_commit(path)
        } else {
            Ok(None)
        }
    };
    let problems = problems(config, version, &read)?;
    let checked = format!(
        "the version-files of {} ({short}) carry {version}: {}",
        crate::untrusted::escape_str(built.reference),
        config
            .version_files
            .iter()
            .map(|f| crate::config::version_file::path_for(f, version))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if problems.is_empty() {
        return Ok(checked);
    }
    let text = format!(
        "the version-files do not carry {version}, so every voter's `verify` fails:\n  {}",
        problems.join("\n  ")
    );
    if strict {
        bail!(
            "{text}\nnothing was written; run `cargo xtask version bump {version}` on the release \
             branch and tag again, or fix version-files"
        );
    }
    eprintln!("warning: {text}");
    Ok(checked)
}
