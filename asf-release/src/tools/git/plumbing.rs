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

//! Commits made with git's plumbing only, for the pull requests into a protected release
//! branch: the working tree, the index and every local ref stay as they are, so the user's
//! checkout is never touched and an interrupted run leaves nothing behind but unreferenced
//! objects.

use anyhow::{Context, Result};
use camino::Utf8Path;
use xshell::Shell;

use super::git;

/// A commit on top of `base` in which each of `files` has its content. Returns its id.
pub fn commit_files(
    sh: &Shell,
    repo: &Utf8Path,
    base: &str,
    files: &[(&str, &[u8])],
    message: &str,
) -> Result<String> {
    let scratch = tempfile::tempdir().context("cannot create a temporary directory")?;
    let index = scratch.path().join("index");
    git(repo, &["read-tree", base])
        .env("GIT_INDEX_FILE", index.as_os_str())
        .run(sh)?;
    for (path, content) in files {
        let blob = git(repo, &["hash-object", "-w", "--stdin"])
            .stdin(content.to_vec())
            .read(sh)?;
        let entry = format!("100644,{blob},{path}");
        git(repo, &["update-index", "--add", "--cacheinfo", &entry])
            .env("GIT_INDEX_FILE", index.as_os_str())
            .run(sh)?;
    }
    let tree = git(repo, &["write-tree"])
        .env("GIT_INDEX_FILE", index.as_os_str())
        .read(sh)?;
    git(repo, &["commit-tree", &tree, "-p", base, "-m", message]).read(sh)
}

/// The outcome of a cherry-pick made without a working tree.
pub enum Picked {
    /// The new commit on top of the base.
    Commit(String),
    /// It does not apply: the files in conflict.
    Conflict(Vec<String>),
}

/// `git cherry-pick -x` of `commit` onto `base` without a working tree (`git merge-tree
/// --merge-base`, git 2.40 or later): the same change, author and message, with the `(cherry
/// picked from commit ...)` line. A merge is picked against its first parent (`-m 1`).
pub fn cherry_pick_onto(sh: &Shell, repo: &Utf8Path, base: &str, commit: &str) -> Result<Picked> {
    let parent = format!("{commit}^1");
    let merge_base = format!("--merge-base={parent}");
    let output = git(
        repo,
        &[
            "merge-tree",
            "--write-tree",
            "--name-only",
            "--no-messages",
            &merge_base,
            base,
            commit,
        ],
    )
    .output(sh)?;
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    let mut lines = text.lines();
    let tree = lines.next().unwrap_or_default().trim().to_string();
    match output.status.code() {
        Some(0) => {}
        Some(1) => return Ok(Picked::Conflict(lines.map(str::to_string).collect())),
        _ => anyhow::bail!(
            "git cannot pick {commit} onto {base} (`git merge-tree --merge-base` needs git 2.40 \
             or later): {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ),
    }
    let fields = git(
        repo,
        &[
            "log",
            "-1",
            "--format=%an%x00%ae%x00%aI%x00%B",
            commit,
            "--",
        ],
    )
    .read(sh)?;
    let mut parts = fields.splitn(4, '\0');
    let mut next = || parts.next().unwrap_or_default().to_string();
    let (name, email, date, body) = (next(), next(), next(), next());
    let message = format!(
        "{}\n\n(cherry picked from commit {commit})\n",
        body.trim_end()
    );
    let new = git(repo, &["commit-tree", &tree, "-p", base, "-m", &message])
        .env("GIT_AUTHOR_NAME", name)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_AUTHOR_DATE", date)
        .read(sh)?;
    Ok(Picked::Commit(new))
}

/// `git push --force <remote> <commit>:refs/heads/<branch>`: the head branch of the release's
/// own pull request, set to the commit made for it (a rerun's commit replaces an earlier
/// run's that never got its pull request).
pub fn push_topic(
    repo: &Utf8Path,
    remote: &str,
    commit: &str,
    branch: &str,
) -> crate::tools::ToolCmd {
    let refspec = format!("+{commit}:refs/heads/{branch}");
    git(repo, &["push", "--quiet", remote, &refspec]).changes_world()
}
