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

//! Work a step left half done in the working tree: files it wrote (and maybe staged) but did
//! not commit, because its run was cut between writing and committing. Before it writes, a
//! step records what it is about to write (a claim, kept in the out-dir: the file names and the
//! SHA-512 of their new content); after its commit it drops the claim. A changed file whose
//! content is exactly what a live claim says is that step's leftover, never the user's change:
//! the step's own rerun takes it back and does its work again, `release` has the owner finish
//! it before anything else runs, and every other step names it and its owner instead of
//! calling it the user's.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use camino::Utf8PathBuf;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::plan::Plan;
use crate::tools::git;
use crate::Ctx;

/// What one step is about to write into the working tree.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claim {
    /// The step's name in the flow (`changelog`).
    pub step: String,
    /// The arguments of `cargo xtask` that redo the step (`changelog 1.0.0`).
    pub command: Vec<String>,
    /// Path relative to the repository -> SHA-512 (hex) of the content the step writes.
    pub files: BTreeMap<String, String>,
}

impl Claim {
    pub fn new(step: &str, command: &[String]) -> Claim {
        Claim {
            step: step.to_string(),
            command: command.to_vec(),
            files: BTreeMap::new(),
        }
    }

    /// Adds a file the step writes, with the content it writes.
    pub fn file(&mut self, path: &str, content: &[u8]) {
        self.files.insert(path.to_string(), digest(content));
    }

    /// `cargo xtask changelog 1.0.0`
    pub fn shown_command(&self) -> String {
        format!("cargo xtask {}", self.command.join(" "))
    }
}

fn digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha512};
    Sha512::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn claims_dir(config: &Config) -> Utf8PathBuf {
    config.out_dir.join("claims")
}

fn claim_path(config: &Config, step: &str) -> Utf8PathBuf {
    claims_dir(config).join(format!("{step}.json"))
}

/// Records the claim before the step writes (written whole, then renamed into place).
pub fn record(config: &Config, claim: &Claim) -> Result<()> {
    let dir = claims_dir(config);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {dir}"))?;
    let path = claim_path(config, &claim.step);
    let temp = Utf8PathBuf::from(format!("{path}.partial"));
    let text = serde_json::to_string_pretty(claim)? + "\n";
    std::fs::write(&temp, text).with_context(|| format!("cannot write {temp}"))?;
    std::fs::rename(&temp, &path).with_context(|| format!("cannot write {path}"))
}

/// Drops the claim of `step` once its work is committed (or taken back).
pub fn release(config: &Config, step: &str) -> Result<()> {
    let path = claim_path(config, step);
    match std::fs::remove_file(&path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(err).with_context(|| format!("cannot remove {path}"))
        }
        _ => Ok(()),
    }
}

/// Every recorded claim; a damaged one is an error that says how to get rid of it.
fn claims(config: &Config) -> Result<Vec<Claim>> {
    let dir = claims_dir(config);
    let Ok(entries) = dir.read_dir_utf8() else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot list {dir}"))?;
        if entry.path().extension() != Some("json") {
            continue;
        }
        let path = entry.path();
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
        let claim: Claim = serde_json::from_str(&text).with_context(|| {
            format!("{path} is damaged: delete it (it only records what an interrupted step wrote)")
        })?;
        found.push(claim);
    }
    found.sort_by(|a, b| a.step.cmp(&b.step));
    Ok(found)
}

/// The changes in the working tree, told apart by whose they are.
#[derive(Debug, Default)]
pub struct Dirt {
    /// `git status --porcelain` lines of changes that no claim explains: the user's.
    pub user: Vec<String>,
    /// Each live claim with the paths that hold exactly its content (staged or not).
    pub leftovers: Vec<(Claim, Vec<Leftover>)>,
}

/// One file a step wrote and did not commit.
#[derive(Debug, Clone)]
pub struct Leftover {
    pub path: String,
    /// Not in the index at all (written, not yet `git add`ed).
    pub untracked: bool,
}

impl Dirt {
    /// The leftovers of steps other than `me`.
    pub fn of_others(&self, me: &str) -> Vec<&(Claim, Vec<Leftover>)> {
        self.leftovers
            .iter()
            .filter(|(c, _)| c.step != me)
            .collect()
    }
}

/// Reads the working tree's changes and sorts them into the user's and each step's leftovers.
/// Claims whose files hold nothing uncommitted any more (the commit went through) are dropped.
pub fn dirt(ctx: &Ctx, config: &Config) -> Result<Dirt> {
    let status = git::uncommitted_changes(&ctx.sh, &ctx.repo)?;
    let claims = claims(config)?;
    if claims.is_empty() {
        return Ok(Dirt {
            user: status,
            leftovers: Vec::new(),
        });
    }
    // Untracked files count only where a claim names them (a step's new file, not yet added).
    let claimed: Vec<&str> = claims
        .iter()
        .flat_map(|c| c.files.keys().map(String::as_str))
        .collect();
    let untracked: Vec<String> = git::status_of_paths(&ctx.sh, &ctx.repo, &claimed)?
        .into_iter()
        .filter(|line| line.starts_with("??"))
        .collect();
    let mut user = Vec::new();
    let mut leftovers: Vec<(Claim, Vec<Leftover>)> =
        claims.iter().map(|c| (c.clone(), Vec::new())).collect();
    for line in status.iter().chain(&untracked) {
        let (code, path) = (line.get(..2).unwrap_or(""), line.get(3..).unwrap_or(""));
        let owner = owner_of(ctx, &claims, code, path);
        match owner {
            Some(index) => leftovers[index].1.push(Leftover {
                path: path.to_string(),
                untracked: code == "??",
            }),
            None if code == "??" => {}
            None => user.push(line.clone()),
        }
    }
    for (claim, files) in &leftovers {
        if files.is_empty() {
            release(config, &claim.step)?;
        }
    }
    leftovers.retain(|(_, files)| !files.is_empty());
    Ok(Dirt { user, leftovers })
}

/// The claim whose content a changed path holds, if any. A path changed both in the index and
/// again in the working tree (`MM`), deleted or renamed holds more than a step wrote.
fn owner_of(ctx: &Ctx, claims: &[Claim], code: &str, path: &str) -> Option<usize> {
    let plain = matches!(code, " M" | "M " | "A " | "??");
    if !plain {
        return None;
    }
    let bytes = std::fs::read(ctx.repo.join(path)).ok()?;
    let hash = digest(&bytes);
    claims
        .iter()
        .position(|claim| claim.files.get(path) == Some(&hash))
}

/// "CHANGELOG.md and release-notes/1.0.0.md"
pub fn paths_of(files: &[Leftover]) -> String {
    let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    match names.split_last() {
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// Refuses to go on over the leftovers of a step other than `me`, naming it and the command
/// that finishes them.
pub fn refuse_others(dirt: &Dirt, me: &str) -> Result<()> {
    if let Some((claim, files)) = dirt.of_others(me).first() {
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        bail!(
            "{} {} the unfinished work of the step `{}` (written by `{}`, which stopped before \
             committing), not changes of yours: finish it with `{}` (or drop it with `git \
             restore --source=HEAD --staged --worktree -- {}`), then rerun",
            paths_of(files),
            if files.len() == 1 { "holds" } else { "hold" },
            claim.step,
            claim.shown_command(),
            claim.shown_command(),
            paths.join(" ")
        );
    }
    Ok(())
}

/// Refuses to go on over changes that are in the way of `me` (which is `doing` something): the
/// user's, named as theirs, and other steps' leftovers, named with their owner and the command
/// that finishes them. `me`'s own leftovers are left to it (see [`take_back`]).
pub fn require_clean(ctx: &Ctx, config: &Config, me: &str, doing: &str) -> Result<Dirt> {
    let dirt = dirt(ctx, config)?;
    if !dirt.user.is_empty() {
        bail!(
            "the working tree has uncommitted changes ({}): commit or stash them before {doing}",
            dirt.user.join(", ")
        );
    }
    refuse_others(&dirt, me)?;
    Ok(dirt)
}

/// Adds to `plan` the taking back of `me`'s own leftovers: restored to what HEAD has (a file
/// the step created is removed) and the claim dropped, so the step does its work again from a
/// clean start. Safe: only files that hold exactly what the step wrote are touched, and the
/// step writes the same again. Returns the paths it will take back.
pub fn take_back<'a>(
    ctx: &'a Ctx,
    config: &'a Config,
    dirt: &Dirt,
    me: &'a str,
    plan: &mut Plan<'a>,
) -> Vec<String> {
    let Some((_, files)) = dirt.leftovers.iter().find(|(c, _)| c.step == me) else {
        return Vec::new();
    };
    let created: Vec<String> = files
        .iter()
        .filter(|f| f.untracked)
        .map(|f| f.path.clone())
        .collect();
    let restore: Vec<&str> = files
        .iter()
        .filter(|f| !f.untracked)
        .map(|f| f.path.as_str())
        .collect();
    let shown = paths_of(files);
    if !created.is_empty() {
        plan.local(
            format!(
                "remove {} (written by an interrupted run of `{me}`)",
                created.join(", ")
            ),
            move || {
                for path in &created {
                    let full = ctx.repo.join(path);
                    std::fs::remove_file(&full).with_context(|| format!("cannot remove {full}"))?;
                }
                Ok(())
            },
        );
    }
    if !restore.is_empty() {
        plan.run(git::restore_from_head(&ctx.repo, &restore));
    }
    plan.local(
        format!("forget the claim of `{me}` on {shown}: it is written again below"),
        move || release(config, me),
    );
    files.iter().map(|f| f.path.clone()).collect()
}

/// The live claims (files that still hold what a step wrote), for `release` to have their
/// owners finish them before anything else runs. No claim recorded: no git call.
pub fn unfinished(ctx: &Ctx, config: &Config) -> Result<Vec<(Claim, Vec<Leftover>)>> {
    if claims(config)?.is_empty() {
        return Ok(Vec::new());
    }
    Ok(dirt(ctx, config)?.leftovers)
}
