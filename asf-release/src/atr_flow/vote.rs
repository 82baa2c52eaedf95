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

//! The vote on ATR: started on the revision we uploaded with our rendered mail, counted by
//! ATR next to our own count of the thread, resolved, and the release announced.

use anyhow::{bail, Result};

use super::{load_ledger, save_ledger, shown_post};
use crate::config::Config;
use crate::plan::Plan;
use crate::tally::{Ballot, Tally};
use crate::tools::atr::{self, Announcement, Tabulation, VoteStart};
use crate::untrusted::escape_str;
use crate::version::{Candidate, Version};
use crate::Ctx;

/// The plan actions that start the vote of RC `rc` (nothing when it runs already).
pub fn plan_start<'a>(
    ctx: &'a Ctx,
    config: &'a Config,
    candidate: Candidate,
    subject: String,
    body: String,
    plan: &mut Plan<'a>,
) -> Result<()> {
    let Candidate { version, rc } = candidate;
    let client = super::client(ctx, config);
    let project = &config.atr_project;
    let ledger = load_ledger(config, &candidate)?;
    let Some(ours) = ledger.revision.clone() else {
        bail!(
            "RC{rc} of {version} is not staged on ATR (no revision in {}): run `cargo xtask \
             upload {version} --rc {rc}` first",
            crate::records::atr_ledger(config, &candidate)
        );
    };
    let release = client.release(project, &version.to_string())?;
    match &release {
        Some(r) if r.phase == atr::VOTE && ledger.vote_revision.is_some() => {
            println!("the vote on {candidate} (revision {ours}) is already open on ATR: nothing to start");
            return Ok(());
        }
        Some(r) if r.phase == atr::DRAFT => {
            let latest = r.latest_revision_number.as_deref().unwrap_or_default();
            if latest != ours {
                bail!(
                    "ATR's latest revision of {version} is {}, not {ours} that this candidate \
                     uploaded: someone changed the files since; look at revision {} on ATR, then \
                     stage the candidate again with `cargo xtask upload {version} --rc {rc}`",
                    escape_str(latest),
                    escape_str(latest)
                );
            }
        }
        Some(r) => bail!(
            "{version} on ATR is in phase {}, not composing: no vote can start; `cargo xtask \
             status` shows where the release stands",
            escape_str(&r.phase)
        ),
        None => bail!("ATR has no release {project} {version}: run `cargo xtask upload {version} --rc {rc}` first"),
    }
    let to = config.atr_vote_to.clone();
    let shown = shown_post(
        &client,
        "/vote/start",
        &format!("{project}/{version}, revision: {ours}, email_to: {to}, vote_duration: 72, subject: {subject}, body: {} lines", body.lines().count()),
    );
    plan.mark_outward();
    plan.local(shown, move || {
        client.acting_as()?;
        let mut ledger = load_ledger(config, &candidate)?;
        ledger.vote_revision = Some(ours.clone());
        save_ledger(config, &candidate, &ledger)?;
        let mut vote = VoteStart {
            project: project.clone(),
            version: version.to_string(),
            revision: ours.clone(),
            email_to: to.clone(),
            hours: crate::tally::VOTE_HOURS as u32,
            subject,
            body,
            concerns_noted: Vec::new(),
        };
        let task = match client.vote_start(&vote) {
            // ATR may want the concerns of its checks acknowledged: `upload` showed them.
            Err(err) if asks_for_concerns(&err) => {
                vote.concerns_noted = concerns(&client, project, &vote.version, &ours)?;
                if vote.concerns_noted.is_empty() {
                    Err(err)
                } else {
                    println!(
                        "  noting ATR's concerns, shown by `upload`: {}",
                        vote.concerns_noted.join(", ")
                    );
                    client.vote_start(&vote)
                }
            }
            task => task,
        };
        let task = match task {
            Ok(task) => task,
            Err(err) => {
                // Refused: nothing started, so a rerun may ask again.
                if atr::status_of(&err).is_some() {
                    ledger.vote_revision = None;
                    save_ledger(config, &candidate, &ledger)?;
                }
                return Err(err);
            }
        };
        println!(
            "ATR started the vote on revision {ours} (task {}, {}); ATR sends the mail to {to}",
            task.id,
            escape_str(&task.status)
        );
        Ok(())
    });
    Ok(())
}

/// A refusal of `vote/start` for concerns not acknowledged (the field `concerns_noted`).
fn asks_for_concerns(err: &anyhow::Error) -> bool {
    matches!(atr::status_of(err), Some(400 | 409))
        && err.to_string().to_ascii_lowercase().contains("concern")
}

/// The checkers with concerns in the revision (their full keys, as ATR names them), escaped.
fn concerns(
    client: &atr::Atr,
    project: &str,
    version: &str,
    revision: &str,
) -> Result<Vec<String>> {
    let mut keys: Vec<String> = client
        .checks(project, version, revision)?
        .into_iter()
        .filter(|result| result.concerns())
        .map(|result| escape_str(&result.checker))
        .collect();
    keys.sort();
    keys.dedup();
    Ok(keys)
}

/// ATR's count of the vote as `vote tally` shows it.
pub enum AtrCount {
    Tabulated(Tabulation),
    /// The list archive has no thread yet.
    NotYet,
    /// ATR could not count: its error (ATR's words escaped). 2025's ATR answers every
    /// token-only client 500 "No ASFQuart session found".
    Unavailable(String),
}

impl AtrCount {
    /// Asks ATR for its count. When the tool counts the thread itself (`own_count`, an mbox),
    /// a failure of ATR's count leaves it unavailable instead of stopping the tally.
    pub fn read(client: &atr::Atr, project: &str, version: &str, own_count: bool) -> Result<Self> {
        match client.tabulate(project, version) {
            Ok(Some(tabulation)) => Ok(AtrCount::Tabulated(tabulation)),
            Ok(None) => Ok(AtrCount::NotYet),
            Err(err) if own_count => Ok(AtrCount::Unavailable(format!("{err:#}"))),
            Err(err) => Err(err.context(
                "ATR cannot count the vote: download the thread from lists.apache.org (thread, \
                 download mbox) and count it with --mbox <FILE>",
            )),
        }
    }

    pub fn tabulation(&self) -> Option<&Tabulation> {
        match self {
            AtrCount::Tabulated(tabulation) => Some(tabulation),
            _ => None,
        }
    }

    /// What the tally prints beside its own count.
    pub fn describe(&self, ours: Option<&Tally>) -> String {
        match self {
            AtrCount::Tabulated(tabulation) => compare(tabulation, ours),
            AtrCount::NotYet => {
                "ATR cannot tabulate the vote yet (the list archive has no thread)\n".into()
            }
            AtrCount::Unavailable(error) => {
                format!("ATR's tabulation: unavailable ({error}); the count of the mbox decides\n")
            }
        }
    }
}

/// ATR's count and ours side by side; the differences named.
pub fn compare(tabulation: &Tabulation, ours: Option<&Tally>) -> String {
    let details = &tabulation.details;
    let mut out = format!("ATR's tabulation: {}\n", escape_str(&details.outcome));
    for (voter, vote) in &details.votes {
        out.push_str(&format!(
            "  {} {} ({})\n",
            escape_str(&vote.vote),
            escape_str(voter),
            escape_str(&vote.status)
        ));
    }
    let Some(tally) = ours else {
        return out;
    };
    let ballot_word = |ballot: Ballot| match ballot {
        Ballot::PlusOne => "Yes",
        Ballot::MinusOne => "No",
        _ => "-",
    };
    let mut differences = Vec::new();
    for vote in &tally.votes {
        let address = vote.address.to_ascii_lowercase();
        let uid = address
            .strip_suffix("@apache.org")
            .unwrap_or(&address)
            .to_string();
        let theirs = details.votes.iter().find(|(key, v)| {
            **key == uid
                || v.asf_uid_or_email.eq_ignore_ascii_case(&uid)
                || v.from_email.eq_ignore_ascii_case(&address)
        });
        let name = vote.safe_name();
        match theirs {
            None => differences.push(format!(
                "{name}: ours counts {} ({}), ATR has no vote",
                vote.ballot,
                binding_word(vote.binding)
            )),
            Some((_, v)) => {
                if v.vote != ballot_word(vote.ballot) {
                    differences.push(format!(
                        "{name}: vote {} here, {} on ATR",
                        vote.ballot,
                        escape_str(&v.vote)
                    ));
                }
                if (v.status == "Binding") != vote.binding {
                    differences.push(format!(
                        "{name}: {} here, {} on ATR",
                        binding_word(vote.binding),
                        escape_str(&v.status)
                    ));
                }
            }
        }
    }
    for (key, v) in &details.votes {
        let known = tally.votes.iter().any(|vote| {
            let address = vote.address.to_ascii_lowercase();
            address.strip_suffix("@apache.org") == Some(key.as_str())
                || v.from_email.eq_ignore_ascii_case(&address)
        });
        if !known {
            differences.push(format!(
                "{}: ATR counts {} ({}), our count has no vote",
                escape_str(key),
                escape_str(&v.vote),
                escape_str(&v.status)
            ));
        }
    }
    if differences.is_empty() {
        out.push_str("ATR's tabulation and the count of the mbox agree\n");
    } else {
        out.push_str(
            "ATR's tabulation and the count of the mbox DISAGREE: check these in the thread\n",
        );
        for difference in differences {
            out.push_str(&format!("  - {difference}\n"));
        }
    }
    out
}

fn binding_word(binding: bool) -> &'static str {
    if binding {
        "binding"
    } else {
        "non-binding"
    }
}

/// Resolves the vote as passed (our count said so); a rerun after that is a no-op.
pub fn plan_resolve_passed<'a>(
    ctx: &'a Ctx,
    config: &'a Config,
    version: &'a Version,
    plan: &mut Plan<'a>,
) -> Result<()> {
    let client = super::client(ctx, config);
    let project = &config.atr_project;
    let release = client.release(project, &version.to_string())?;
    match &release {
        Some(r) if super::vote_passed(Some(r)) => {
            println!(
                "the vote on {version} is resolved on ATR already ({}): nothing to do",
                escape_str(&r.phase)
            );
            return Ok(());
        }
        Some(r) if r.phase == atr::VOTE => {}
        _ => bail!(
            "there is no open vote on {version} on ATR: start it with `cargo xtask mail vote`"
        ),
    }
    plan.mark_outward();
    plan.local(
        shown_post(
            &client,
            "/vote/resolve",
            &format!("{project}/{version}, resolution: passed"),
        ),
        move || {
            client.acting_as()?;
            client.resolve(project, &version.to_string(), "passed")?;
            println!("ATR resolved the vote as passed and sends the result to the thread");
            Ok(())
        },
    );
    Ok(())
}

/// Announces through ATR with our rendered body.
pub fn plan_announce<'a>(
    ctx: &'a Ctx,
    config: &'a Config,
    version: &'a Version,
    subject: String,
    body: String,
    plan: &mut Plan<'a>,
) -> Result<()> {
    let client = super::client(ctx, config);
    let project = &config.atr_project;
    let release = client.release(project, &version.to_string())?;
    let revision = match &release {
        Some(r) if r.phase == atr::RELEASED => {
            println!("{version} is announced on ATR already: nothing to do");
            return Ok(());
        }
        Some(r) if r.phase == atr::PREVIEW => r.latest_revision_number.clone().unwrap_or_default(),
        _ => bail!(
            "{version} is not in ATR's finish phase: the vote must pass and be resolved first \
             (`cargo xtask release` runs the result step)"
        ),
    };
    let to = config.announce_list.clone();
    let suffix = version.to_string();
    // ATR files the release under its committee's key, which may differ from the project's.
    let committee = client.committee_of(project)?;
    let shown = shown_post(&client, "/release/announce", &format!("{project}/{version}, revision: {revision}, email_to: {to}, path_suffix: {suffix}, body: {} lines", body.lines().count()));
    plan.mark_outward();
    plan.local(shown, move || {
        client.acting_as()?;
        client.announce(&Announcement {
            subject,
            project: project.clone(),
            version: version.to_string(),
            revision,
            email_to: to.clone(),
            body,
            path_suffix: suffix.clone(),
        })?;
        println!("ATR announced {version} to {to} and moved the files to its download area: {}/downloads/{committee}/{suffix}/", config.atr_url);
        println!("  dist/release: ATR commits them through its publish step (ATR's web UI) or to dist/atr/{committee}/ for a PMC member to `svn mv`; `cargo xtask status` sees them once in {}", config.svn_release_url);
        Ok(())
    });
    Ok(())
}

/// `promote` on ATR: nothing moves by our hand; ATR keeps the voted revision in its finish
/// phase until the announcement moves the files to its download area.
pub fn finished(ctx: &Ctx, config: &Config, version: &Version) -> Result<()> {
    let client = super::client(ctx, config);
    let route = format!("/release/get/{}/{version}", config.atr_project);
    let mut plan = Plan::new(format!("check that ATR holds the voted files of {version}"));
    plan.check(format!(
        "{} (phase release_preview or release)",
        super::shown_get(&client, &route)
    ));
    let release = client.release(&config.atr_project, &version.to_string())?;
    match &release {
        Some(r) if super::vote_passed(Some(r)) => {
            if plan.execute(&ctx.sh, ctx.dry_run)? {
                let revision = r
                    .latest_revision_number
                    .as_deref()
                    .unwrap_or("(none: published)");
                println!(
                    "ATR holds the voted files of {version} (phase {}, revision {}): nothing to \
                     move; the announce step publishes them through ATR",
                    escape_str(&r.phase),
                    escape_str(revision)
                );
            }
            Ok(())
        }
        _ => bail!(
            "the vote on {version} is not resolved as passed on ATR: run the tally and result \
             steps first (`cargo xtask release` with --mbox)"
        ),
    }
}
