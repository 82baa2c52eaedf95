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

//! The git commands of `adopt`: what it reads to detect a project's settings, and the branch
//! and commit it makes.

use anyhow::Result;
use camino::Utf8Path;
use xshell::Shell;

use super::git;
use crate::tools::ToolCmd;

/// A branch or tag as evidence: the commit it names (a tag peeled) and that commit's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefTip {
    pub name: String,
    pub commit: String,
    /// Seconds since the epoch (committer date).
    pub time: i64,
    /// When the ref's own object was made: an annotated tag's tagger date, else `time`.
    pub created: i64,
}

/// The refs under `prefix` with their (peeled) commits and commit times.
fn ref_tips(sh: &Shell, repo: &Utf8Path, prefix: &str) -> Result<Vec<RefTip>> {
    // For an annotated tag the `*` fields are its commit's; for anything else they are empty.
    let format = "--format=%(refname)%00%(objectname)%00%(*objectname)%00%(committerdate:unix)%00%(*committerdate:unix)%00%(creatordate:unix)";
    let text = git(repo, &["for-each-ref", format, prefix]).read(sh)?;
    Ok(text
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\0').collect();
            let [name, object, peeled, time, peeled_time, created] = fields[..] else {
                return None;
            };
            let (commit, time) = match peeled.is_empty() {
                true => (object, time),
                false => (peeled, peeled_time),
            };
            let time = time.parse().ok()?;
            Some(RefTip {
                name: name.strip_prefix(prefix)?.to_string(),
                commit: commit.to_string(),
                time,
                created: created.parse().unwrap_or(time),
            })
        })
        .collect())
}

/// The remote's branches (without `HEAD`) with their tips.
pub fn remote_branch_tips(sh: &Shell, repo: &Utf8Path, remote: &str) -> Result<Vec<RefTip>> {
    let prefix = format!("refs/remotes/{remote}/");
    let mut tips = ref_tips(sh, repo, &prefix)?;
    tips.retain(|tip| tip.name != "HEAD");
    Ok(tips)
}

/// Every tag with the commit it names.
pub fn tag_tips(sh: &Shell, repo: &Utf8Path) -> Result<Vec<RefTip>> {
    ref_tips(sh, repo, "refs/tags/")
}

/// The branch the remote's `HEAD` points at (`master`, `main`), when the clone knows it.
pub fn remote_head(sh: &Shell, repo: &Utf8Path, remote: &str) -> Result<Option<String>> {
    let head = format!("refs/remotes/{remote}/HEAD");
    let output = git(repo, &["symbolic-ref", "--quiet", "--short", head.as_str()]).output(sh)?;
    if !output.status.success() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let prefix = format!("{remote}/");
    Ok(text.trim().strip_prefix(&prefix).map(str::to_string))
}

/// The subjects of the newest `count` commits of `HEAD`, newest first; none in a repository
/// without commits.
pub fn recent_subjects(sh: &Shell, repo: &Utf8Path, count: usize) -> Result<Vec<String>> {
    let count = count.to_string();
    let output = git(
        repo,
        &["log", "-n", count.as_str(), "--format=%s", "HEAD", "--"],
    )
    .output(sh)?;
    if !output.status.success() {
        return Ok(Vec::new());
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_string)
        .collect())
}

/// The files of `commit` that contain `text` literally (`git grep -F -l`).
pub fn files_containing(
    sh: &Shell,
    repo: &Utf8Path,
    commit: &str,
    text: &str,
) -> Result<Vec<String>> {
    let output = git(
        repo,
        &["grep", "-l", "-z", "-I", "-F", "-e", text, commit, "--"],
    )
    .output(sh)?;
    // Exit code 1: no file contains it.
    let prefix = format!("{commit}:");
    Ok(output
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .map(|p| p.strip_prefix(&prefix).map(str::to_string).unwrap_or(p))
        .collect())
}

/// `git switch --create <branch>`: a new branch from HEAD, checked out.
pub fn switch_new(repo: &Utf8Path, branch: &str) -> ToolCmd {
    git(repo, &["switch", "--quiet", "--create", branch]).changes_world()
}

/// `git add --force`: the files are added even where `.gitignore` ignores them (a project
/// ignoring `.*` still gets `.cargo/config.toml`).
pub fn add_force(repo: &Utf8Path, paths: &[&str]) -> ToolCmd {
    let mut args = vec!["add", "--force", "--"];
    args.extend_from_slice(paths);
    git(repo, &args).changes_world()
}

/// Commits what is staged.
pub fn commit_staged(repo: &Utf8Path, message: &str) -> ToolCmd {
    git(repo, &["commit", "--quiet", "-m", message]).changes_world()
}
