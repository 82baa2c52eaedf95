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

//! Reading the history: parents, ranges, first-parent lines, authorship, messages, patch
//! ids and the log `changelog` reads.

use anyhow::{bail, Result};
use camino::Utf8Path;
use xshell::Shell;

use super::git;

/// The parents of a commit.
pub fn parents(sh: &Shell, repo: &Utf8Path, commit: &str) -> Result<Vec<String>> {
    let text = git(repo, &["rev-list", "--parents", "-n", "1", commit, "--"]).read(sh)?;
    Ok(text
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect())
}

/// The commits of a range (`a..b`), newest first.
pub fn rev_list(sh: &Shell, repo: &Utf8Path, range: &str) -> Result<Vec<String>> {
    let text = git(repo, &["rev-list", range, "--"]).read(sh)?;
    Ok(text.lines().map(str::to_string).collect())
}

/// How many commits of `commit`'s history `base` lacks, counted up to `limit`; `None` in a
/// shallow clone, where a cut-off parent would make any commit look one step from `base`.
pub fn commits_beyond(
    sh: &Shell,
    repo: &Utf8Path,
    base: &str,
    commit: &str,
    limit: usize,
) -> Result<Option<usize>> {
    if git(repo, &["rev-parse", "--is-shallow-repository"])
        .read(sh)?
        .trim()
        != "false"
    {
        return Ok(None);
    }
    let limit = limit.to_string();
    let range = format!("{base}..{commit}");
    let args = ["rev-list", "--max-count", &limit, &range, "--"];
    Ok(Some(git(repo, &args).read(sh)?.lines().count()))
}

/// `count` commits from `commit` back along first parents (the main branch's own line),
/// newest first.
pub fn first_parents(
    sh: &Shell,
    repo: &Utf8Path,
    commit: &str,
    count: usize,
) -> Result<Vec<String>> {
    let count = count.to_string();
    let args = [
        "rev-list",
        "--first-parent",
        "--max-count",
        &count,
        commit,
        "--",
    ];
    let text = git(repo, &args).read(sh)?;
    Ok(text.lines().map(str::to_string).collect())
}

/// Author name, author email and message of a commit: what a rebase keeps.
pub fn authorship(sh: &Shell, repo: &Utf8Path, commit: &str) -> Result<(String, String, String)> {
    let text = git(
        repo,
        &["log", "-1", "--format=%an%x00%ae%x00%B", commit, "--"],
    )
    .read(sh)?;
    let mut parts = text.splitn(3, '\0');
    let mut next = || parts.next().unwrap_or_default().to_string();
    Ok((next(), next(), next()))
}

/// The full message of a commit.
pub fn message(sh: &Shell, repo: &Utf8Path, commit: &str) -> Result<String> {
    git(repo, &["log", "-1", "--format=%B", commit, "--"]).read(sh)
}

/// The stable patch id of the change a commit brought against its first parent (the change a
/// merge brought to master), or `None` for a root commit or one that changes nothing.
pub fn patch_id(sh: &Shell, repo: &Utf8Path, commit: &str) -> Result<Option<String>> {
    let Some(parent) = parents(sh, repo, commit)?.into_iter().next() else {
        return Ok(None);
    };
    let diff = git(repo, &["diff-tree", "-p", "--no-color", &parent, commit]).run(sh)?;
    let text = git(repo, &["patch-id", "--stable"])
        .stdin(diff.stdout)
        .read(sh)?;
    Ok(text.split_whitespace().next().map(str::to_string))
}

/// One commit of a range, as `changelog` reads it.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub author: String,
    pub subject: String,
    pub body: String,
}

/// The commits reachable from `to` but not from `from` (all of `to` when `from` is `None`),
/// oldest first, merge commits left out (their changes are in the commits they merge).
pub fn log(sh: &Shell, repo: &Utf8Path, from: Option<&str>, to: &str) -> Result<Vec<LogEntry>> {
    let range = match from {
        Some(from) => format!("{from}..{to}"),
        None => to.to_string(),
    };
    let text = git(
        repo,
        &[
            "log",
            "--no-merges",
            "--reverse",
            "--format=%an%x1f%s%x1f%b%x1e",
            &range,
            "--",
        ],
    )
    .read(sh)?;
    let mut entries = Vec::new();
    for record in text.split('\x1e') {
        let record = record.trim_start_matches('\n');
        if record.is_empty() {
            continue;
        }
        let mut fields = record.splitn(3, '\x1f');
        let (Some(author), Some(subject), body) = (fields.next(), fields.next(), fields.next())
        else {
            bail!("unexpected `git log` output: {record}");
        };
        entries.push(LogEntry {
            author: author.to_string(),
            subject: subject.to_string(),
            body: body.unwrap_or_default().trim().to_string(),
        });
    }
    Ok(entries)
}
