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
use std::sync::LazyLock;

use anyhow::{bail, Result};
use camino::Utf8Path;
use regex::Regex;

use super::mbox::Post;
use super::roster::{person, Roster};
use crate::untrusted::escape_short;
use crate::version::Version;

/// Reply and forward prefixes of the common clients and languages.
const REPLY_PREFIXES: [&str; 11] = [
    "re:",
    "aw:",
    "sv:",
    "vs:",
    "antw:",
    "odp:",
    "r:",
    "回复:",
    "回复：",
    "答复:",
    "答复：",
];

/// The subject without its reply prefixes (`Re: AW: 回复: [VOTE] ...` -> `[VOTE] ...`), and
/// whether there were any.
pub fn base_subject(subject: &str) -> (String, bool) {
    let mut rest = subject.trim();
    let mut reply = false;
    'strip: loop {
        let lower = rest.to_lowercase();
        for prefix in REPLY_PREFIXES {
            if lower.starts_with(prefix) {
                rest = rest[prefix.len()..].trim_start();
                reply = true;
                continue 'strip;
            }
        }
        break;
    }
    (rest.split_whitespace().collect::<Vec<_>>().join(" "), reply)
}

fn tag(subject: &str, tag: &str) -> bool {
    subject.to_ascii_lowercase().contains(tag)
}

/// Whether a subject names exactly `version` and candidate `rc` in any common spelling:
/// `1.2.0 (RC1)`, `1.2.0-rc1`, `v1.2.0.rc1`, `1.2.0 RC1`, `rc1 of 1.2.0`,
/// `v0.14.0.rc0`, `1.2.0 release candidate 1`. The first version and the first candidate
/// number in the subject decide: `1.0.0 (RC1)` is not in `11.0.0 (RC10)`.
pub fn names_candidate(subject: &str, version: &Version, rc: u32) -> bool {
    static VERSIONS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)v?(\d{1,9})\.(\d{1,9})\.(\d{1,9})").expect("the version pattern is valid")
    });
    static CANDIDATES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:rc|release candidate)[\s._#-]?(\d{1,9})")
            .expect("the candidate pattern is valid")
    });
    let (versions, candidates) = (&*VERSIONS, &*CANDIDATES);
    let bytes = subject.as_bytes();
    let first_version = versions.captures_iter(subject).find_map(|found| {
        let whole = found.get(0)?;
        let before = whole.start().checked_sub(1).map(|at| bytes[at]);
        let after = bytes.get(whole.end()).copied();
        let after2 = bytes.get(whole.end() + 1).copied();
        let glued_before = before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.');
        let glued_after = after.is_some_and(|b| b.is_ascii_digit())
            || (after == Some(b'.') && after2.is_some_and(|b| b.is_ascii_digit()));
        let bounded = !glued_before && !glued_after;
        let number = |n: usize| found.get(n)?.as_str().parse::<u64>().ok();
        bounded.then(|| Some((number(1)?, number(2)?, number(3)?)))?
    });
    let first_rc = candidates.captures_iter(subject).find_map(|found| {
        let whole = found.get(0)?;
        let before = whole.start().checked_sub(1).map(|at| bytes[at]);
        let after = bytes.get(whole.end()).copied();
        let bounded = !before.is_some_and(|b| b.is_ascii_alphabetic())
            && !after.is_some_and(|b| b.is_ascii_alphanumeric());
        bounded.then(|| found.get(1)?.as_str().parse::<u64>().ok())?
    });
    first_version == Some((version.major, version.minor, version.patch))
        && first_rc == Some(u64::from(rc))
}

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
    TooLarge,
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
            Skip::TooLarge => format!(
                "larger than {} MiB: not read (check it in the archive)",
                super::mbox::MAX_MESSAGE_BYTES >> 20
            ),
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

/// Finds the opening mail and the replies. `release_manager` is the address given with
/// `--from`, or the configured sender (`mail-from`, git `user.email`).
pub fn find(
    path: &Utf8Path,
    posts: &[Post],
    version: &Version,
    rc: u32,
    release_manager: Option<(&str, bool)>,
    roster: Option<&Roster>,
) -> Result<Thread> {
    // Top-level VOTE mails on this candidate.
    let openings: Vec<usize> = posts
        .iter()
        .enumerate()
        .filter(|(_, post)| {
            let (base, reply) = base_subject(&post.subject);
            !reply
                && base.to_ascii_lowercase().starts_with("[vote]")
                && !tag(&base, "[result]")
                && !tag(&base, "[cancel]")
                && names_candidate(&base, version, rc)
        })
        .map(|(index, _)| index)
        .collect();
    if openings.is_empty() {
        let mut seen: Vec<String> = posts
            .iter()
            .filter(|post| tag(&post.subject, "[vote]") && !base_subject(&post.subject).1)
            .map(|post| format!("`{}`", escape_short(post.subject.as_bytes(), 100)))
            .collect();
        seen.dedup();
        seen.truncate(5);
        bail!(
            "{path} holds no [VOTE] mail on {version} RC{rc} (it holds {}): not the vote on \
             {version} RC{rc}; download the right thread, or check the version and --rc",
            if seen.is_empty() {
                "no [VOTE] mail at all".to_string()
            } else {
                seen.join(", ")
            }
        );
    }
    let key = |address: &str| person(roster, address).key;
    let senders: BTreeSet<String> = openings.iter().map(|i| key(&posts[*i].address)).collect();
    let earliest_by = |who: &str| {
        openings
            .iter()
            .copied()
            .filter(|i| key(&posts[*i].address) == who)
            .min_by_key(|i| posts[*i].date)
    };
    // Nobody named, or the configured sender opened no vote: only one person may have.
    let only_sender = || -> Result<(usize, String)> {
        if senders.len() > 1 {
            bail!(
                "{path} holds [VOTE] mails on {version} RC{rc} from {} people ({}): name the \
                 release manager with --from ADDRESS",
                senders.len(),
                list(&senders)
            );
        }
        let earliest = openings.iter().copied().min_by_key(|i| posts[*i].date);
        Ok((
            earliest.unwrap_or(openings[0]),
            "the only sender of a [VOTE] mail on this candidate".to_string(),
        ))
    };
    let (opening, opened_by_rule) = match release_manager {
        Some((address, true)) => match earliest_by(&key(address)) {
            Some(index) => (index, "the release manager named with --from".to_string()),
            None => bail!(
                "{path} holds no [VOTE] mail on {version} RC{rc} from {} (--from); it has them \
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
    // Only the release manager closes the vote; anyone else's [RESULT] is just a message.
    let closed_at = posts
        .iter()
        .filter(|post| {
            let (base, _) = base_subject(&post.subject);
            (tag(&base, "[result]") || tag(&base, "[cancel]"))
                && names_candidate(&base, version, rc)
                && key(&post.address) == manager
        })
        .map(|post| post.date)
        .min();
    let mut skips = BTreeMap::new();
    for (index, post) in posts.iter().enumerate() {
        if vote_mails.contains(&index) {
            continue;
        }
        let (base, _) = base_subject(&post.subject);
        let skip = if post.oversized {
            Some(Skip::TooLarge)
        } else if openings.contains(&index) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        text.parse().unwrap()
    }

    #[test]
    fn subjects_name_the_candidate_in_every_common_spelling() {
        let one_two = v("1.2.0");
        for subject in [
            "[VOTE] Release Apache Foo 1.2.0 (RC1)",
            "[VOTE] Release Apache Foo 1.2.0-rc1",
            "[VOTE] Release Apache Foo v1.2.0.rc1",
            "[VOTE] Release Apache Foo 1.2.0 RC1",
            "[VOTE] Release rc1 of 1.2.0",
            "[VOTE] Apache Foo 1.2.0 release candidate 1",
            "[VOTE] Release Apache Foo 1.2.0 RC-1",
        ] {
            assert!(names_candidate(subject, &one_two, 1), "{subject}");
        }
        for subject in [
            "[VOTE] Release Apache Foo 11.2.0 (RC1)",
            "[VOTE] Release Apache Foo 1.2.0 (RC10)",
            "[VOTE] Release Apache Foo 1.2.0.1 (RC1)",
            "[VOTE] Release Apache Foo 1.2.0 (RC2)",
            "[VOTE] Release Apache Foo 1.2.0",
            "[VOTE] Release Apache Foo 21.2.0-rc1",
        ] {
            assert!(!names_candidate(subject, &one_two, 1), "{subject}");
        }
        assert!(names_candidate(
            "[VOTE] Release Apache TVM v0.14.0.rc0",
            &v("0.14.0"),
            0
        ));
        assert!(!names_candidate(
            "[VOTE] Release Apache TVM v0.14.0.rc0",
            &v("0.14.0"),
            1
        ));
        assert!(!names_candidate(
            "[VOTE] Release Apache Foo 11.0.0 (RC10)",
            &v("1.0.0"),
            1
        ));
    }

    #[test]
    fn reply_prefixes_of_many_clients_are_stripped() {
        for subject in [
            "Re: [VOTE] x",
            "RE: [VOTE] x",
            "AW: [VOTE] x",
            "Aw: Re: [VOTE] x",
            "SV: [VOTE] x",
            "回复: [VOTE] x",
            "回复：[VOTE] x",
            "答复: [VOTE]   x",
        ] {
            assert_eq!(
                base_subject(subject),
                ("[VOTE] x".to_string(), true),
                "{subject}"
            );
        }
        assert_eq!(base_subject("[VOTE] x"), ("[VOTE] x".to_string(), false));
    }
}
