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

//! `version check` / `version bump`: the files that carry the release version (docs, the Lua
//! `VERSION`, ...), each found by a configured regex in which `{version}` marks the version.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use regex::Regex;

use crate::config::{Config, VersionFile, SECTION};
use crate::plan::{self, Plan};
use crate::tools::git;
use crate::version::Version;
use crate::Ctx;

const PLACEHOLDER: &str = "{version}";

/// The file a configured path names for `version`: a path may carry `{version}` itself, like
/// APISIX's `rockspec/apisix-{version}-0.rockspec`.
pub fn path_for(file: &VersionFile, version: &Version) -> String {
    file.path.replace(PLACEHOLDER, &version.to_string())
}

/// Among `paths`, the file of the newest version that has the shape of `file.path` (the one a
/// bump copies when the new version's file does not exist yet).
fn newest_of_shape(file: &VersionFile, paths: &[String]) -> Option<String> {
    let (prefix, suffix) = file.path.split_once(PLACEHOLDER)?;
    paths
        .iter()
        .filter_map(|path| {
            let middle = path.strip_prefix(prefix)?.strip_suffix(suffix)?;
            Some((middle.parse::<Version>().ok()?, path.clone()))
        })
        .max()
        .map(|(_, path)| path)
}

/// The regex of a configured pattern, `{version}` replaced by a group that catches any version.
pub fn compile(file: &VersionFile) -> Result<Regex> {
    let path = &file.path;
    if path.is_empty() || path.starts_with('/') || path.split('/').any(|part| part == "..") {
        bail!(
            "invalid setting version-files: path {path:?} must be relative to the repository \
             root, without `..`"
        );
    }
    if !file.pattern.contains(PLACEHOLDER) {
        bail!(
            "invalid setting version-files: the pattern {:?} of {path} has no `{PLACEHOLDER}`; \
             put it where the version stands",
            file.pattern
        );
    }
    let expression = file
        .pattern
        .replace(PLACEHOLDER, r"(?P<version>[0-9]+\.[0-9]+\.[0-9]+)");
    Regex::new(&expression).with_context(|| {
        format!(
            "invalid setting version-files: the pattern {:?} of {path} is not a valid regex",
            file.pattern
        )
    })
}

/// One place where a file carries a version.
struct Found {
    start: usize,
    end: usize,
    line: usize,
    version: String,
}

fn find(regex: &Regex, text: &str) -> Vec<Found> {
    regex
        .captures_iter(text)
        .filter_map(|caps| caps.name("version"))
        .map(|m| Found {
            start: m.start(),
            end: m.end(),
            line: text[..m.start()].matches('\n').count() + 1,
            version: m.as_str().to_string(),
        })
        .collect()
}

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

fn require_files(config: &Config) -> Result<()> {
    if config.version_files.is_empty() {
        bail!(
            "missing setting version-files: add `version-files = [{{ path = \"<file>\", pattern = \
             \"<regex with {{version}}>\" }}]` under {SECTION}"
        );
    }
    Ok(())
}

fn read_worktree(ctx: &Ctx) -> impl Fn(&str) -> Result<Option<String>> + '_ {
    move |path: &str| {
        let full = ctx.repo.join(path);
        match std::fs::read_to_string(&full) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err).with_context(|| format!("cannot read {full}")),
        }
    }
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
    tree: &crate::source::ReleaseTree,
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

pub fn check(ctx: &Ctx, version: &Version) -> Result<ExitCode> {
    let config = ctx.config()?;
    require_files(&config)?;
    let problems = problems(&config, version, &read_worktree(ctx))?;
    if problems.is_empty() {
        println!(
            "✓ all {} version files carry {version}",
            config.version_files.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &problems {
        println!("✗ {problem}");
    }
    println!("fix them with `cargo xtask version bump {version}`");
    Ok(ExitCode::FAILURE)
}

pub fn bump(ctx: &Ctx, version: &Version) -> Result<()> {
    let config = ctx.config()?;
    require_files(&config)?;
    git::check_repository(&ctx.sh, &ctx.repo)?;
    let wanted = version.to_string();
    let read = read_worktree(ctx);
    let tracked = git::tracked_files(&ctx.sh, &ctx.repo)?;
    // Every file is read and rewritten in memory first, so a problem changes nothing.
    let mut rewrites: Vec<(String, String)> = Vec::new();
    for file in &config.version_files {
        let regex = compile(file)?;
        let path = path_for(file, version);
        let current = match rewrites.iter().find(|(done, _)| *done == path) {
            Some((_, text)) => text.clone(),
            None => match read(&path)? {
                Some(text) => text,
                // A file named after the version starts as a copy of the newest one.
                None => {
                    let source = newest_of_shape(file, &tracked).with_context(|| {
                        format!(
                            "{path} does not exist and no file has the shape {}: create it or \
                             fix version-files",
                            file.path
                        )
                    })?;
                    read(&source)?
                        .with_context(|| format!("{source} is tracked but missing: restore it"))?
                }
            },
        };
        let found = find(&regex, &current);
        if found.is_empty() {
            bail!(
                "{path}: nothing matches the pattern {:?}; fix the file or the pattern in \
                 version-files (nothing was changed)",
                file.pattern
            );
        }
        let mut text = String::with_capacity(current.len());
        let mut last = 0;
        for found in &found {
            text.push_str(&current[last..found.start]);
            text.push_str(&wanted);
            last = found.end;
        }
        text.push_str(&current[last..]);
        rewrites.retain(|(done, _)| *done != path);
        rewrites.push((path, text));
    }
    // What the commit must change is judged against HEAD, not the working tree: a bump that
    // was interrupted after writing and before committing is finished by the rerun.
    let committed = read_commit(ctx, "HEAD");
    let mut changed = Vec::new();
    for (path, text) in &rewrites {
        if committed(path).ok().flatten().as_deref() != Some(text.as_str()) {
            changed.push((path.as_str(), text.as_str()));
        }
    }
    let mut plan = Plan::new(format!("bump the version files to {version}"));
    if changed.is_empty() {
        print!("{}", plan.render());
        println!("every version file already carries {version}");
        return Ok(());
    }
    let dirty = git::uncommitted_changes(&ctx.sh, &ctx.repo)?;
    let paths: Vec<&str> = changed.iter().map(|(path, _)| *path).collect();
    // A file changed by hand is refused; one that already holds exactly the bump (a rerun
    // after an interruption) is simply committed.
    let ours = |path: &str| {
        changed
            .iter()
            .any(|(p, text)| *p == path && read(path).ok().flatten().as_deref() == Some(*text))
    };
    if let Some(line) = dirty.iter().find(|line| {
        line.get(3..)
            .is_some_and(|dirty_path| paths.contains(&dirty_path) && !ours(dirty_path))
    }) {
        bail!(
            "{} has uncommitted changes: commit or stash them first, so the version commit \
             carries only the bump",
            line.get(3..).unwrap_or(line)
        );
    }
    for path in &paths {
        plan.local(format!("write {wanted} into {path}"));
    }
    let new_files: Vec<&str> = paths
        .iter()
        .copied()
        .filter(|path| !tracked.iter().any(|t| t == path))
        .collect();
    let add = git::add_paths(&ctx.repo, &new_files);
    if !new_files.is_empty() {
        plan.run(add.clone());
    }
    let message = format!("chore: bump version to {wanted}");
    let commit = git::commit_paths(&ctx.repo, &paths, &message);
    plan.run(commit.clone());
    if ctx.dry_run {
        print!("{}", plan.render());
        return Ok(());
    }
    for (path, text) in &changed {
        let full = ctx.repo.join(path);
        std::fs::write(&full, text).with_context(|| format!("cannot write {full}"))?;
        eprintln!("  wrote {path}");
    }
    if !new_files.is_empty() {
        plan::execute(&ctx.sh, &add)?;
    }
    plan::execute(&ctx.sh, &commit)?;
    let left = problems(&config, version, &read)?;
    if let Some(problem) = left.first() {
        bail!("after the bump, {problem}: check the patterns in version-files");
    }
    println!("bumped {} file(s) to {version} and committed", paths.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_need_the_placeholder_and_a_valid_regex() {
        let file = |pattern: &str| VersionFile {
            path: "VERSION".into(),
            pattern: pattern.into(),
        };
        assert!(compile(&file("version = {version}")).is_ok());
        let err = compile(&file("version = 1")).unwrap_err().to_string();
        assert!(err.contains("has no `{version}`"), "{err}");
        let err = compile(&file("({version}")).unwrap_err().to_string();
        assert!(err.contains("not a valid regex"), "{err}");
        let bad_path = VersionFile {
            path: "../x".into(),
            pattern: "{version}".into(),
        };
        assert!(compile(&bad_path).is_err());
    }

    #[test]
    fn finds_every_occurrence_with_its_line() {
        let regex = compile(&VersionFile {
            path: "a".into(),
            pattern: r#"apisix-{version}-0\.rockspec"#.into(),
        })
        .unwrap();
        let found = find(
            &regex,
            "x\napisix-2.2.0-0.rockspec\napisix-2.3.0-0.rockspec\n",
        );
        let seen: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.version.as_str())).collect();
        assert_eq!(seen, [(2, "2.2.0"), (3, "2.3.0")]);
    }
}
