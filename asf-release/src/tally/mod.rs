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

//! The vote count of `vote tally` and `mail result`: reads the vote thread (fetched from the
//! dev list's archive on lists.apache.org, or an mbox as the archive exports it), finds the
//! release manager's VOTE mail and the replies to it, reads each person's last vote from their
//! own words (never from what they quote), decides which votes are binding from the PMC roster
//! alone (fetched from the ASF's public committee data, or a file), and says whether the vote
//! passed: at least three binding +1 and more binding +1 than binding -1, once the 72 hours are
//! over. Every counted vote is traced to its message and line. A pass never rests on a vote that
//! may be forged or on a message that could not be read: when such a message could change the
//! result, the result is "not decided" and names the messages a person has to check.

mod archive;
mod authentic;
mod ballot;
mod count;
mod decide;
mod mbox;
mod parts;
mod quote;
pub mod report;
mod roster;
mod subject;
mod thread;

use anyhow::Result;
use camino::Utf8Path;

pub use archive::{obtain, Thread};
pub use ballot::{line_vote, Ballot, LineVote};
pub use mbox::append as append_to_mbox;
pub use roster::{parse_roster, Roster};
pub use thread::NoVoteMail;

use crate::config::Config;
use crate::tools::git;
use crate::untrusted::escape_short;
use crate::version::Candidate;
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
    /// The message in the list archive, when the thread came from there.
    pub link: Option<String>,
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

/// A line with two different votes, or a mail whose text and HTML versions vote differently:
/// reported, not counted.
#[derive(Debug, Clone)]
pub struct Ambiguous {
    pub from: String,
    pub source: Source,
    /// What makes it ambiguous.
    pub why: String,
}

/// A vote from a mail whose sender may not be who it says: listed, not counted.
#[derive(Debug, Clone)]
pub struct Doubtful {
    pub from: String,
    pub ballot: Ballot,
    /// `binding if genuine`, `non-binding`.
    pub standing: String,
    pub source: Source,
    pub why: Vec<String>,
}

/// A message of the thread that could not be read: its vote is unknown.
#[derive(Debug, Clone)]
pub struct Unreadable {
    /// `Name <address>`, or `(sender unknown)`.
    pub from: String,
    pub message: usize,
    pub message_id: Option<String>,
    pub why: String,
    pub link: Option<String>,
}

/// Attachments of a message of the thread: no vote, but a person should read them.
#[derive(Debug, Clone)]
pub struct Attached {
    pub from: String,
    pub message: usize,
    pub message_id: Option<String>,
    pub names: Vec<String>,
    pub link: Option<String>,
}

/// A message that could change the result, for a person to check.
#[derive(Debug, Clone)]
pub struct Check {
    pub from: String,
    pub message: usize,
    pub message_id: Option<String>,
    /// What it would change and why it is in doubt.
    pub why: String,
    pub link: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    /// The 72 hours are not over.
    NotYet,
    /// No roster: nobody can tell binding votes.
    Undecided,
    /// Messages that may be forged, could not be read, or come from an address the roster
    /// does not know could change the result: a person checks them (`Tally::checks`).
    NotDecided,
}

impl Outcome {
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::NotYet => "still open: the 72 hours are not over",
            Outcome::Undecided => "undecided: without a roster no vote is binding",
            Outcome::NotDecided => {
                "not decided: messages that may be forged or could not be read could change it"
            }
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
    /// One per person, in the order of their last vote: votes from mails nothing speaks
    /// against.
    pub votes: Vec<Vote>,
    pub ambiguous: Vec<Ambiguous>,
    /// Votes from mails that may be forged: not counted.
    pub doubtful: Vec<Doubtful>,
    pub unreadable: Vec<Unreadable>,
    pub attachments: Vec<Attached>,
    /// The messages that could change the result; empty when it is decided.
    pub checks: Vec<Check>,
    pub skipped: Vec<Skipped>,
    pub warnings: Vec<String>,
    pub roster: bool,
    /// Where the thread was read: the mbox, or the list archive.
    pub thread_source: String,
    /// The thread in the list archive, when it came from there.
    pub thread_url: Option<String>,
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
        if !self.checks.is_empty() {
            return Outcome::NotDecided;
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

impl Tally {
    /// Whether the vote passed: the one question a later step asks.
    pub fn passed(&self) -> bool {
        self.outcome() == Outcome::Passed
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

/// Tallies the thread in `mbox` for `version` RC `rc` at time `now` (messages from any list).
pub fn tally(
    path: &Utf8Path,
    mbox: &[u8],
    roster: Option<&Roster>,
    candidate: &Candidate,
    release_manager: ReleaseManager,
    now: i64,
) -> Result<Tally> {
    let posts = mbox::parse(path, mbox, None)?;
    count::count(
        &count::Ask {
            source: path.as_str(),
            roster,
            candidate,
            release_manager,
            now,
            archive: None,
        },
        posts,
    )
}

/// `<dev.project.apache.org>` of `dev@project.apache.org`.
pub fn list_id(list: &str) -> Option<String> {
    let (local, domain) = list.split_once('@')?;
    Some(format!("<{local}.{domain}>").to_ascii_lowercase())
}

/// Reads the files and tallies (shared with `mail result`).
pub fn tally_files(
    config: &Config,
    candidate: &Candidate,
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
    let list = list_id(&config.dev_list);
    let posts = mbox::parse(mbox, &bytes, list.as_deref())?;
    count::count(
        &count::Ask {
            source: mbox.as_str(),
            roster: roster.as_ref(),
            candidate,
            release_manager,
            now,
            archive: None,
        },
        posts,
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
