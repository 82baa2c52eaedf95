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

//! `prune`: what release policy says should leave dist: superseded releases in dist/release
//! (all but the newest `keep-releases` of each X.Y line, and lines beyond the newest
//! `keep-lines`) and candidates in dist/dev that are released, superseded or abandoned.
//! Everything removed stays on archive.apache.org.

use crate::args::SvnArgs;
use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};

use crate::config::Config;
use crate::plan::Plan;
use crate::tools::svn::{self, Change};
use crate::tools::Tool;
use crate::version::{Candidate, Line, Version};
use crate::Ctx;

#[derive(clap::Args, Debug)]
pub struct PruneArgs {
    #[command(flatten)]
    pub svn: SvnArgs,
}

/// One directory to remove and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub url: String,
    pub reason: String,
}

/// Decides what goes, from the two listings (directory entries end in `/`).
pub fn removals(config: &Config, release: &[String], dev: &[String]) -> Vec<Removal> {
    let released: BTreeSet<Version> = release
        .iter()
        .filter_map(|entry| config.parse_release_dir(entry))
        .collect();
    let mut lines: BTreeMap<Line, Vec<Version>> = BTreeMap::new();
    for version in &released {
        lines.entry(version.line()).or_default().push(*version);
    }
    let kept_lines: Vec<Line> = match config.keep_lines {
        Some(keep) => lines.keys().rev().take(keep as usize).copied().collect(),
        None => lines.keys().copied().collect(),
    };
    let mut out = Vec::new();
    for (line, versions) in &lines {
        let newest = versions.iter().max().copied();
        for (age, version) in versions.iter().rev().enumerate() {
            let reason = if !kept_lines.contains(line) {
                format!("line {line} is no longer among the newest lines kept (keep-lines)")
            } else if age >= config.keep_releases as usize {
                format!(
                    "superseded by {} (keep-releases = {})",
                    newest.map(|v| v.to_string()).unwrap_or_default(),
                    config.keep_releases
                )
            } else {
                continue;
            };
            out.push(Removal {
                url: config.release_url(version),
                reason,
            });
        }
    }
    let candidates: Vec<Candidate> = dev
        .iter()
        .filter_map(|e| config.parse_candidate_dir(e))
        .collect();
    for candidate in &candidates {
        let Candidate { version, rc } = candidate;
        let newest_rc = candidates
            .iter()
            .filter(|other| other.version == *version)
            .map(|other| other.rc)
            .max()
            .unwrap_or(*rc);
        let newer_release = lines
            .get(&version.line())
            .and_then(|versions| versions.iter().max())
            .filter(|newest| *newest > version);
        let reason = if released.contains(version) {
            format!("{version} is released")
        } else if let Some(newer) = newer_release {
            format!("abandoned: {newer} of the same line is released")
        } else if *rc < newest_rc {
            format!("superseded by RC{newest_rc}")
        } else {
            // The newest candidate of an unreleased version may be under vote.
            continue;
        };
        out.push(Removal {
            url: config.rc_url(candidate),
            reason,
        });
    }
    out
}

pub fn run(ctx: &Ctx, args: &PruneArgs) -> Result<()> {
    Tool::Svn.require()?;
    Tool::Svnmucc.require()?;
    let config = ctx.config()?;
    let creds = args.svn.credentials();
    let sh = &ctx.sh;
    let revision = svn::head_revision(sh, &creds, &config.svn_release_url)?;
    let release = svn::list(sh, &creds, &config.svn_release_url)?.with_context(|| {
        format!(
            "{} does not exist: check svn-release-url",
            config.svn_release_url
        )
    })?;
    let dev = svn::list(sh, &creds, &config.svn_dev_url)?
        .with_context(|| format!("{} does not exist: check svn-dev-url", config.svn_dev_url))?;
    let removals = removals(&config, &release, &dev);
    if removals.is_empty() {
        println!("dist holds only current releases and open candidates: nothing to do");
        return Ok(());
    }
    println!("to remove from dist ({}):", removals.len());
    for removal in &removals {
        println!("  {}  ({})", removal.url, removal.reason);
    }
    println!(
        "they stay available on https://archive.apache.org/dist/{}/ (releases are archived automatically)",
        config.tlp
    );
    let changes: Vec<Change> = removals.iter().map(|r| Change::Rm(r.url.clone())).collect();
    let message = format!(
        "Remove superseded releases and old candidates of {} (kept on archive.apache.org)",
        config.display_name
    );
    let target = if removals
        .iter()
        .any(|r| r.url.starts_with(&config.svn_release_url))
    {
        &config.svn_release_url
    } else {
        &config.svn_dev_url
    };
    let mut plan = Plan::new("remove them in one commit");
    plan.mark_outward();
    plan.run_judged(
        svn::commit(&creds, &message, Some(revision), &changes),
        svn::commit_outcome(target),
    );
    plan.local("check that they are gone", || {
        let release = svn::list(sh, &creds, &config.svn_release_url)?.unwrap_or_default();
        let dev = svn::list(sh, &creds, &config.svn_dev_url)?.unwrap_or_default();
        let left = removals_left(&removals, &config, &release, &dev);
        if !left.is_empty() {
            anyhow::bail!(
                "still there after the commit: {}; check with `svn ls`",
                left.join(", ")
            );
        }
        Ok(())
    });
    if !plan.execute_confirmed(ctx)? {
        return Ok(());
    }
    println!("removed {} entries in one commit", removals.len());
    Ok(())
}

fn removals_left(
    removals: &[Removal],
    config: &Config,
    release: &[String],
    dev: &[String],
) -> Vec<String> {
    let present: Vec<String> = release
        .iter()
        .map(|e| svn::join(&config.svn_release_url, e.trim_end_matches('/')))
        .chain(
            dev.iter()
                .map(|e| svn::join(&config.svn_dev_url, e.trim_end_matches('/'))),
        )
        .collect();
    removals
        .iter()
        .filter(|r| present.contains(&r.url))
        .map(|r| r.url.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> Config {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("Cargo.toml"),
            format!(
                "[workspace.metadata.asf-release]\nname = \"demo\"\nsvn-dev-url = \"D\"\n\
                 svn-release-url = \"R\"\n{extra}"
            ),
        )
        .unwrap();
        crate::config::load(camino::Utf8Path::from_path(dir.path()).unwrap()).unwrap()
    }

    fn entries(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keeps_the_newest_of_each_line_and_open_candidates() {
        let release = entries(&["KEYS", "1.0.0/", "1.0.1/", "1.1.0/", "2.0.0/"]);
        let dev = entries(&[
            "KEYS",
            "1.0.1-rc1/",
            "1.0.0-rc3/",
            "1.1.1-rc1/",
            "1.1.1-rc2/",
            "2.1.0-rc1/",
        ]);
        let urls: Vec<String> = removals(&config(""), &release, &dev)
            .into_iter()
            .map(|r| r.url)
            .collect();
        assert_eq!(
            urls,
            ["R/1.0.0", "D/1.0.1-rc1", "D/1.0.0-rc3", "D/1.1.1-rc1"],
            "2.1.0-rc1 and 1.1.1-rc2 may be under vote"
        );
        let urls: Vec<String> = removals(&config("keep-lines = 2\n"), &release, &dev)
            .into_iter()
            .map(|r| r.url)
            .collect();
        assert!(urls.contains(&"R/1.0.1".to_string()), "{urls:?}");
        assert!(!urls.contains(&"R/1.1.0".to_string()), "{urls:?}");
    }
}
