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

//! Which messages belong to the vote: the opening VOTE mail the release manager sent for this
//! version and candidate, and the replies that answer it (by `In-Reply-To`/`References`, or by
//! subject when the archive dropped those headers). Everything else is another thread.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use anyhow::{bail, Result};
use camino::Utf8Path;

use super::mbox::Post;
use super::roster::{person, Roster};
use super::subject::{base_subject, naming, tag, Naming};
use crate::untrusted::escape_short;
use crate::version::Candidate;

/// The thread holds no [VOTE] mail on the candidate: the vote has not started (or the mail
/// has not reached the archive yet), or the thread is another one.
#[derive(Debug)]
pub struct NoVoteMail(pub String);

impl std::fmt::Display for NoVoteMail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NoVoteMail {}

/// Why a message of the mbox is not part of the count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// Answers another thread, or is one.
    OtherThread(String),
    /// A `[VOTE]` mail on this candidate from someone other than the release manager.
    OtherVoteMail,
    ResultMail,
    /// Dated after the release manager's [RESULT] or [CANCEL] mail: the vote was closed.
    AfterResult,
}

impl Skip {
    pub fn describe(&self) -> String {
        match self {
            Skip::OtherThread(subject) => {
                format!("other thread ({})", escape_short(subject.as_bytes(), 80))
            }
            Skip::OtherVoteMail => {
                "another [VOTE] mail on this candidate, not the release manager's".to_string()
            }
            Skip::ResultMail => "a [RESULT] or [CANCEL] mail".to_string(),
            Skip::AfterResult => {
                "sent after the release manager's [RESULT] or [CANCEL] mail".to_string()
            }
        }
    }
}

/// The thread: the opening mail's index and, per message, whether it is skipped and why.
pub struct Thread {
    pub opening: usize,
    /// Every [VOTE] mail the release manager sent on the candidate (a resend too): the
    /// replies to any of them count, and each is read as a VOTE mail.
    pub vote_mails: Vec<usize>,
    pub skips: BTreeMap<usize, Skip>,
    /// The person the opening was chosen by, and how (for the report).
    pub opened_by_rule: String,
}

/// Whether a post can be taken at its word for opening or closing the vote.
fn trusted(post: &Post) -> bool {
    post.doubts.is_empty() && post.unreadable.is_none()
}

/// Finds the opening mail and the replies. `release_manager` is the address given with
/// `--from`, or the configured sender (`mail-from`, git `user.email`).
pub fn find(
    path: &Utf8Path,
    posts: &[Post],
    candidate: &Candidate,
    release_manager: Option<(&str, bool)>,
    roster: Option<&Roster>,
) -> Result<Thread> {
    // Top-level VOTE mails on this candidate; subjects without a candidate number count only
    // when no subject names one.
    let vote_mail = |post: &Post, wanted: Naming| {
        let (base, reply) = base_subject(&post.subject);
        !reply
            && !post.address.is_empty()
            && base.to_ascii_lowercase().starts_with("[vote]")
            && !tag(&base, "[result]")
            && !tag(&base, "[cancel]")
            && naming(&base, candidate) == wanted
    };
    let mut naming_kind = Naming::Candidate;
    let mut openings: Vec<usize> = (0..posts.len())
        .filter(|index| vote_mail(&posts[*index], Naming::Candidate))
        .collect();
    if openings.is_empty() {
        naming_kind = Naming::VersionOnly;
        openings = (0..posts.len())
            .filter(|index| vote_mail(&posts[*index], Naming::VersionOnly))
            .collect();
    }
    if openings.is_empty() {
        let mut seen: Vec<String> = posts
            .iter()
            .filter(|post| tag(&post.subject, "[vote]") && !base_subject(&post.subject).1)
            .map(|post| format!("`{}`", escape_short(post.subject.as_bytes(), 100)))
            .collect();
        seen.dedup();
        seen.truncate(5);
        let unreadable: Vec<String> = posts
            .iter()
            .filter_map(|post| {
                Some(format!(
                    "message {}: {}",
                    post.number,
                    post.unreadable.as_ref()?
                ))
            })
            .take(3)
            .collect();
        return Err(NoVoteMail(format!(
            "{path} holds no [VOTE] mail on {candidate} (it holds {}){}: not the vote on \
             {candidate}; download the right thread, or check the version and --rc",
            if seen.is_empty() {
                "no [VOTE] mail at all".to_string()
            } else {
                seen.join(", ")
            },
            match unreadable.is_empty() {
                true => String::new(),
                false => format!("; unreadable: {}", unreadable.join("; ")),
            }
        ))
        .into());
    }
    let key = |address: &str| person(roster, address).key;
    let senders: BTreeSet<String> = openings.iter().map(|i| key(&posts[*i].address)).collect();
    // A [VOTE] mail that may be forged never opens the vote (or moves its clock) while the
    // release manager has one that is not.
    let earliest_by = |who: &str| {
        openings
            .iter()
            .copied()
            .filter(|i| key(&posts[*i].address) == who)
            .min_by_key(|i| (!trusted(&posts[*i]), posts[*i].date))
    };
    // Nobody named, or the configured sender opened no vote: only one person may have.
    let only_sender = || -> Result<(usize, String)> {
        if senders.len() > 1 {
            bail!(
                "{path} holds [VOTE] mails on {candidate} from {} people ({}): name the \
                 release manager with --from ADDRESS",
                senders.len(),
                list(&senders)
            );
        }
        let earliest = openings
            .iter()
            .copied()
            .min_by_key(|i| (!trusted(&posts[*i]), posts[*i].date));
        Ok((
            earliest.unwrap_or(openings[0]),
            "the only sender of a [VOTE] mail on this candidate".to_string(),
        ))
    };
    let (opening, opened_by_rule) = match release_manager {
        Some((address, true)) => match earliest_by(&key(address)) {
            Some(index) => (index, "the release manager named with --from".to_string()),
            None => bail!(
                "{path} holds no [VOTE] mail on {candidate} from {} (--from); it has them \
                 from {}: check --from",
                escape_short(address.as_bytes(), 80),
                list(&senders)
            ),
        },
        Some((address, false)) => match earliest_by(&key(address)) {
            Some(index) => (
                index,
                "the configured sender (mail-from or git user.email)".to_string(),
            ),
            None => only_sender()?,
        },
        None => only_sender()?,
    };

    // The replies: everything that answers the opening, directly or through other replies.
    let mut by_id: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, post) in posts.iter().enumerate() {
        if let Some(id) = &post.message_id {
            by_id.entry(id.as_str()).or_insert(index);
        }
    }
    let mut children: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (index, post) in posts.iter().enumerate() {
        for parent in &post.parents {
            if let Some(parent) = by_id.get(parent.as_str()) {
                children.entry(*parent).or_default().push(index);
            }
        }
    }
    let manager = key(&posts[opening].address);
    let vote_mails: Vec<usize> = openings
        .iter()
        .copied()
        .filter(|index| key(&posts[*index].address) == manager)
        .collect();
    if naming_kind == Naming::VersionOnly && vote_mails.len() > 1 {
        bail!(
            "{path} holds {} [VOTE] threads on {} whose subjects name no candidate \
             number: which one is RC{rc} cannot be told; pass the thread of RC{rc} alone with \
             --mbox FILE (lists.apache.org: the thread, download as mbox)",
            vote_mails.len(),
            candidate.version,
            rc = candidate.rc
        );
    }
    let mut member = vec![false; posts.len()];
    for index in &vote_mails {
        member[*index] = true;
    }
    let mut queue: VecDeque<usize> = vote_mails.iter().copied().collect();
    while let Some(index) = queue.pop_front() {
        for child in children.get(&index).into_iter().flatten() {
            if !member[*child] && !openings.contains(child) {
                member[*child] = true;
                queue.push_back(*child);
            }
        }
    }
    let (opening_base, _) = base_subject(&posts[opening].subject);
    let opening_base = opening_base.to_lowercase();
    // Only the release manager closes the vote; anyone else's [RESULT] is just a message, and
    // so is one that may be forged.
    let closed_at = posts
        .iter()
        .filter(|post| {
            let (base, _) = base_subject(&post.subject);
            (tag(&base, "[result]") || tag(&base, "[cancel]"))
                && naming(&base, candidate) == naming_kind
                && key(&post.address) == manager
                && trusted(post)
        })
        .map(|post| post.date)
        .min();
    let mut skips = BTreeMap::new();
    for (index, post) in posts.iter().enumerate() {
        if vote_mails.contains(&index) {
            continue;
        }
        let (base, _) = base_subject(&post.subject);
        let skip = if openings.contains(&index) {
            Some(Skip::OtherVoteMail)
        } else if tag(&base, "[result]") || tag(&base, "[cancel]") {
            Some(Skip::ResultMail)
        } else if closed_at.is_some_and(|closed| post.date > closed) {
            Some(Skip::AfterResult)
        } else if member[index] {
            // A reply that turned into another discussion keeps its headers.
            (!base.to_ascii_lowercase().starts_with("[vote]") && tag(&base, "[discuss]"))
                .then(|| Skip::OtherThread(post.subject.clone()))
        } else {
            // Headers the archive dropped, or that point outside the mbox: the subject decides.
            let known_parent = post.parents.iter().any(|p| by_id.contains_key(p.as_str()));
            (known_parent || base.to_lowercase() != opening_base)
                .then(|| Skip::OtherThread(post.subject.clone()))
        };
        if let Some(skip) = skip {
            skips.insert(index, skip);
        }
    }
    Ok(Thread {
        opening,
        vote_mails,
        skips,
        opened_by_rule,
    })
}

fn list(senders: &BTreeSet<String>) -> String {
    senders
        .iter()
        .take(5)
        .map(|s| escape_short(s.as_bytes(), 80))
        .collect::<Vec<_>>()
        .join(", ")
}
