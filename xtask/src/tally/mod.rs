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

//! The vote count of `vote tally` and `mail result`: reads the vote thread (an mbox as lists.apache.org exports it), finds the
//! release manager's VOTE mail and the replies to it, reads each person's last vote from their
//! own words (never from what they quote), decides which votes are binding from the PMC roster
//! alone, and says whether the vote passed: at least three binding +1 and more binding +1 than
//! binding -1, once the 72 hours are over. Every counted vote is traced to its message and line.

mod ballot;
mod mbox;
mod quote;
pub mod report;
mod roster;
mod thread;

use std::collections::BTreeMap;

use anyhow::Result;
use camino::Utf8Path;

pub use ballot::{line_vote, Ballot, LineVote};
pub use roster::{parse_roster, Roster};

use crate::config::Config;
use crate::tools::git;
use crate::untrusted::escape_short;
use crate::version::Version;
use crate::Ctx;

/// The vote stays open at least this long (ASF release policy).
pub const VOTE_HOURS: i64 = 72;

/// Characters of a voter's name shown in a report or a RESULT mail.
const MAX_NAME_CHARS: usize = 60;

/// Where a vote was read: the message and the exact line.
#[derive(Debug, Clone)]
pub struct Source {
    /// Raw outside text: escape before printing.
    pub message_id: Option<String>,
    /// 1-based position in the mbox.
    pub message: usize,
    pub date: i64,
    pub line_number: usize,
    pub line: String,
}

/// A person's last vote, and the votes it replaced.
#[derive(Debug, Clone)]
pub struct Vote {
    /// The name and address the voter's mail gave: raw outside text.
    pub display_name: String,
    pub address: String,
    pub ballot: Ballot,
    pub binding: bool,
    /// Why binding or not: `on the roster as jdoe`, `not on the roster`.
    pub why: String,
    pub date: i64,
    pub source: Source,
    /// Earlier votes of the same person, oldest first.
    pub changed_from: Vec<(Ballot, i64)>,
}

impl Vote {
    /// `Name <address>` for a report or the RESULT mail: the name escaped, without `<>"` and
    /// cut to 60 characters; the address only when it is a plain `local@domain`.
    pub fn safe_name(&self) -> String {
        safe_mailbox(&self.display_name, &self.address)
    }
}

pub fn safe_mailbox(name: &str, address: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| !matches!(c, '<' | '>' | '"'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let name = escape_short(cleaned.as_bytes(), MAX_NAME_CHARS);
    let address = if roster::plain_address(address) {
        address.to_string()
    } else {
        "address not shown".to_string()
    };
    if name.is_empty() {
        format!("<{address}>").replace("<address not shown>", "(address not shown)")
    } else {
        format!("{name} <{address}>")
    }
}

/// A message of the mbox that cast no counted vote, and why.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub message: usize,
    pub message_id: Option<String>,
    pub from: String,
    pub date: i64,
    pub reason: String,
}

/// A line with two different votes: reported, not counted.
#[derive(Debug, Clone)]
pub struct Ambiguous {
    pub from: String,
    pub source: Source,
}

/// A mail whose `Authentication-Results` failed for its From domain.
#[derive(Debug, Clone)]
pub struct Flag {
    pub from: String,
    pub message: usize,
    pub message_id: Option<String>,
    pub failures: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    /// The 72 hours are not over.
    NotYet,
    /// No roster: nobody can tell binding votes.
    Undecided,
}

impl Outcome {
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::NotYet => "still open: the 72 hours are not over",
            Outcome::Undecided => "undecided: without --roster no vote is binding",
        }
    }
}

/// The opening VOTE mail.
#[derive(Debug, Clone)]
pub struct Opening {
    pub subject: String,
    pub from: String,
    pub message: usize,
    pub message_id: Option<String>,
    /// How the release manager was known.
    pub rule: String,
}

pub struct Tally {
    pub opening: Opening,
    pub started: i64,
    pub now: i64,
    /// One per person, in the order of their last vote.
    pub votes: Vec<Vote>,
    pub ambiguous: Vec<Ambiguous>,
    pub skipped: Vec<Skipped>,
    pub flags: Vec<Flag>,
    pub warnings: Vec<String>,
    pub roster: bool,
}

impl Tally {
    pub fn count(&self, binding: bool, ballot: Ballot) -> usize {
        self.votes
            .iter()
            .filter(|vote| vote.binding == binding && vote.ballot == ballot)
            .count()
    }

    /// +0 and -0 together.
    pub fn zero_count(&self, binding: bool) -> usize {
        self.count(binding, Ballot::PlusZero) + self.count(binding, Ballot::MinusZero)
    }

    pub fn window_end(&self) -> i64 {
        self.started.saturating_add(VOTE_HOURS * 3600)
    }

    pub fn window_over(&self) -> bool {
        self.now >= self.window_end()
    }

    pub fn outcome(&self) -> Outcome {
        if !self.window_over() {
            return Outcome::NotYet;
        }
        if !self.roster {
            return Outcome::Undecided;
        }
        let plus = self.count(true, Ballot::PlusOne);
        let minus = self.count(true, Ballot::MinusOne);
        if plus >= 3 && plus > minus {
            Outcome::Passed
        } else {
            Outcome::Failed
        }
    }
}

/// Who sent the VOTE mail: `--from` (certain), else the configured sender.
pub type ReleaseManager<'a> = Option<(&'a str, bool)>;

/// The address of `Name <address>` or of a bare address.
pub fn address_of(mailbox: &str) -> &str {
    mailbox
        .rsplit_once('<')
        .map_or(mailbox, |(_, rest)| rest.trim_end_matches('>'))
        .trim()
}

/// Tallies the thread in `mbox` for `version` RC `rc` at time `now`.
pub fn tally(
    path: &Utf8Path,
    mbox: &[u8],
    roster: Option<&Roster>,
    version: &Version,
    rc: u32,
    release_manager: ReleaseManager,
    now: i64,
) -> Result<Tally> {
    let posts = mbox::parse(path, mbox)?;
    let thread = thread::find(path, &posts, version, rc, release_manager, roster)?;
    let opening_post = &posts[thread.opening];
    let mut warnings = Vec::new();
    if roster.is_none() {
        warnings.push(
            "no --roster: no vote is binding (the word \"binding\" in a mail decides nothing); \
             pass the PMC roster (committee-info.json or a list of ids)"
                .to_string(),
        );
    }
    // Mail arrives out of order; the Date headers decide (a stable sort keeps the mbox order
    // for equal dates). Every reply counts, even one whose clock put it before the VOTE mail.
    let mut order: Vec<usize> = (0..posts.len()).collect();
    order.sort_by_key(|index| posts[*index].date);
    let mut last: BTreeMap<String, Vote> = BTreeMap::new();
    let mut sequence: Vec<String> = Vec::new();
    let mut ambiguous = Vec::new();
    let mut skipped = Vec::new();
    let mut flags = Vec::new();
    for index in order {
        let post = &posts[index];
        let from = mailbox_of(post);
        let skip = |reason: String| Skipped {
            message: post.number,
            message_id: post.message_id.clone(),
            from: from.clone(),
            date: post.date,
            reason,
        };
        if let Some(why) = thread.skips.get(&index) {
            if *why == thread::Skip::TooLarge {
                warnings.push(format!(
                    "message {} from {from} is larger than {} MiB and was not read: check it \
                     in the archive",
                    post.number,
                    mbox::MAX_MESSAGE_BYTES >> 20
                ));
            }
            skipped.push(skip(why.describe()));
            continue;
        }
        let opening = thread.vote_mails.contains(&index);
        let own = quote::own_text(&post.text);
        let source = |line_number: usize, line: String| Source {
            message_id: post.message_id.clone(),
            message: post.number,
            date: post.date,
            line_number,
            line,
        };
        let reading = ballot::read(&own, opening);
        if !post.auth_failures.is_empty() && reading != ballot::Reading::NoVote {
            flags.push(Flag {
                from: from.clone(),
                message: post.number,
                message_id: post.message_id.clone(),
                failures: post.auth_failures.clone(),
            });
        }
        match reading {
            ballot::Reading::NoVote => skipped.push(skip(
                if opening {
                    "a VOTE mail: no vote of the release manager's own in it"
                } else if own.lines.is_empty() && own.quoted {
                    "quoted text only"
                } else {
                    "no vote found"
                }
                .to_string(),
            )),
            ballot::Reading::Ambiguous { line_number, line } => ambiguous.push(Ambiguous {
                from,
                source: source(line_number, line),
            }),
            ballot::Reading::Vote {
                ballot,
                line_number,
                line,
            } => {
                let person = roster::person(roster, &post.address);
                let (binding, why) = match (roster, &person.member) {
                    (None, _) => (false, "no roster given".to_string()),
                    (Some(_), Some(member)) => (
                        true,
                        match &member.id {
                            Some(id) => format!("on the roster as {id}"),
                            None => format!("on the roster ({})", member.address),
                        },
                    ),
                    (Some(_), None) => (false, "not on the roster".to_string()),
                };
                if roster.is_some() && !binding && claims_binding(&line) {
                    let warning = format!(
                        "{} called the vote binding but is not on the roster: counted as \
                         non-binding (a PMC member writing from another address? add it to \
                         the roster)",
                        safe_mailbox(&post.name, &post.address)
                    );
                    if !warnings.contains(&warning) {
                        warnings.push(warning);
                    }
                }
                let mut changed_from = Vec::new();
                if let Some(previous) = last.remove(&person.key) {
                    changed_from = previous.changed_from;
                    changed_from.push((previous.ballot, previous.date));
                }
                sequence.retain(|key| *key != person.key);
                sequence.push(person.key.clone());
                last.insert(
                    person.key,
                    Vote {
                        display_name: post.name.clone(),
                        address: post.address.clone(),
                        ballot,
                        binding,
                        why,
                        date: post.date,
                        source: source(line_number, line),
                        changed_from,
                    },
                );
            }
        }
    }
    let votes = sequence.iter().filter_map(|key| last.remove(key)).collect();
    Ok(Tally {
        opening: Opening {
            subject: opening_post.subject.clone(),
            from: mailbox_of(opening_post),
            message: opening_post.number,
            message_id: opening_post.message_id.clone(),
            rule: thread.opened_by_rule,
        },
        started: opening_post.date,
        now,
        votes,
        ambiguous,
        skipped,
        flags,
        warnings,
        roster: roster.is_some(),
    })
}

/// `Name <address>` of a post, safe to print.
fn mailbox_of(post: &mbox::Post) -> String {
    safe_mailbox(&post.name, &post.address)
}

/// Whether the vote line calls itself binding (only ever used for a warning).
fn claims_binding(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.contains("binding")
        && !lower.contains("non-binding")
        && !lower.contains("non binding")
        && !lower.contains("nonbinding")
}

/// Reads the files and tallies (shared with `mail result`).
pub fn tally_files(
    config: &Config,
    version: &Version,
    rc: u32,
    mbox: &Utf8Path,
    roster: Option<&Utf8Path>,
    release_manager: ReleaseManager,
    now: i64,
) -> Result<Tally> {
    let bytes = mbox::read_file(mbox)?;
    let roster = match roster {
        Some(path) => Some(roster::read_file(path, &config.tlp)?),
        None => None,
    };
    tally(
        mbox,
        &bytes,
        roster.as_ref(),
        version,
        rc,
        release_manager,
        now,
    )
}

/// The configured sender's address: `mail-from`, else git's `user.email`; none when unset.
pub fn configured_sender(ctx: &Ctx, config: &Config) -> Option<String> {
    match &config.mail_from {
        Some(from) => Some(address_of(from).to_string()),
        None => git::config_value(&ctx.sh, &ctx.repo, "user.email")
            .ok()
            .flatten(),
    }
}

#[cfg(test)]
mod tests;
