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

//! The values the VOTE and RESULT mails fill their templates with: the candidate as the
//! repository and its files show it, and the tally of the vote thread.

use anyhow::{bail, Context, Result};

use super::common_values;
use super::templates::{self, fill_template, load_template};
use crate::artifacts::Artifacts;
use crate::clock::human_date;
use crate::config::Config;
use crate::tally::{self, Outcome, VOTE_HOURS};
use crate::tools::git;
use crate::version::{Candidate, Version};
use crate::Ctx;

pub(super) fn release_notes_url(config: &Config, version: &Version, tag: &str) -> Result<String> {
    let branch = config.branch_name(version.line())?;
    crate::version::fill(
        &config.release_notes_url,
        &[
            ("repository", &config.repository_url),
            ("branch", &branch),
            ("tag", tag),
            ("version", &version.to_string()),
            ("anchor", &version.heading_anchor()),
        ],
    )
    .context("invalid setting release-notes-url")
}

pub(super) fn vote_values(
    ctx: &Ctx,
    config: &Config,
    candidate: &Candidate,
    date: i64,
) -> Result<Vec<(&'static str, String)>> {
    let tag = config.candidate_tag(candidate)?;
    let commit = git::tag_commit(&ctx.sh, &ctx.repo, &tag)?.with_context(|| {
        format!("there is no tag `{tag}` in {}: tag the release candidate first (and `git fetch --tags`)", ctx.repo)
    })?;
    let artifact = config.artifact_name(&candidate.version)?;
    let dir = config.candidate_artifact_dir(candidate);
    let artifacts = Artifacts::new(&dir, &artifact);
    let checksum = std::fs::read_to_string(&artifacts.checksum).with_context(|| {
        format!(
            "cannot read {}: build the candidate first with `cargo xtask package {} --rc {}`",
            artifacts.checksum, candidate.version, candidate.rc
        )
    })?;
    // The further files of the release (source tarballs, convenience binaries), each with
    // its checksum line.
    let mut other_artifacts = String::new();
    for other in Artifacts::of_release(config, &dir, &candidate.version)?
        .iter()
        .skip(1)
    {
        let line = std::fs::read_to_string(&other.checksum).with_context(|| {
            format!("cannot read {}: build the candidate first", other.checksum)
        })?;
        if other_artifacts.is_empty() {
            other_artifacts.push_str(
                "\n\nThe candidate also holds these files, each with its .asc and .sha512 \
                 (check them the same way):\n",
            );
        }
        other_artifacts.push_str(&format!("\n{}\n{}\n", other.file_name(), line.trim()));
    }
    let values = vec![
        (
            "keys_url",
            crate::keys_link::for_candidate(ctx, config, &artifacts)?,
        ),
        ("version", candidate.version.to_string()),
        ("rc", candidate.rc.to_string()),
        ("tag", tag.clone()),
        ("commit", commit),
        ("artifact", artifact),
        ("other_artifacts", other_artifacts.trim_end().to_string()),
        ("rc_url", config.rc_url(candidate)),
        ("sha512", checksum.trim().to_string()),
        (
            "release_notes_url",
            release_notes_url(config, &candidate.version, &tag)?,
        ),
        ("vote_end", human_date(date + VOTE_HOURS * 3600)),
    ];
    Ok(values)
}

/// The subject of the VOTE mail as this repository renders it: the RESULT mail links the
/// thread by it, never by the subject found in the mbox (outside text).
pub(super) fn vote_subject(
    ctx: &Ctx,
    config: &Config,
    sender_name: &str,
    candidate: &Candidate,
) -> Result<String> {
    let template = load_template(&ctx.repo, "vote", templates::VOTE)?;
    let mut values = common_values(config, sender_name);
    values.extend([
        ("version", candidate.version.to_string()),
        ("rc", candidate.rc.to_string()),
    ]);
    Ok(
        fill_template(&template.source, &template.subject, &values).unwrap_or_else(|_| {
            format!(
                "[VOTE] Release Apache {} {} (RC{})",
                config.mail_name(),
                candidate.version,
                candidate.rc
            )
        }),
    )
}

pub(super) fn result_values(
    config: &Config,
    tally: tally::Tally,
    vote_subject: &str,
    candidate: &Candidate,
    thread: Option<&str>,
) -> Result<Vec<(&'static str, String)>> {
    match tally.outcome() {
        Outcome::Passed => {}
        outcome => bail!(
            "the vote has not passed ({}): no RESULT mail; run `cargo xtask vote tally {} \
             --rc {}` (with the same --mbox and --roster) for the details",
            outcome.describe(),
            candidate.version,
            candidate.rc
        ),
    }
    let list = |binding: bool| {
        let lines: Vec<String> = tally
            .votes
            .iter()
            .filter(|vote| vote.binding == binding)
            .map(|vote| format!("{} {}", vote.ballot, vote.safe_name()))
            .collect();
        if lines.is_empty() {
            "(none)".to_string()
        } else {
            lines.join("\n")
        }
    };
    let thread = match (thread, &tally.thread_url) {
        (Some(url), _) => url.to_string(),
        (None, Some(url)) => url.clone(),
        (None, None) => format!(
            "https://lists.apache.org/list?{}:lte=1M:{}",
            config.dev_list,
            crate::tools::github::encode(vote_subject)
        ),
    };
    let values = vec![
        ("version", candidate.version.to_string()),
        ("rc", candidate.rc.to_string()),
        (
            "binding_plus",
            tally.count(true, tally::Ballot::PlusOne).to_string(),
        ),
        ("binding_zero", tally.zero_count(true).to_string()),
        (
            "binding_minus",
            tally.count(true, tally::Ballot::MinusOne).to_string(),
        ),
        (
            "nonbinding_plus",
            tally.count(false, tally::Ballot::PlusOne).to_string(),
        ),
        ("nonbinding_zero", tally.zero_count(false).to_string()),
        (
            "nonbinding_minus",
            tally.count(false, tally::Ballot::MinusOne).to_string(),
        ),
        ("binding_votes", list(true)),
        ("nonbinding_votes", list(false)),
        ("thread_url", thread),
    ];
    Ok(values)
}
