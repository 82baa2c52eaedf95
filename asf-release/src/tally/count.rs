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

//! The count itself: each message of the thread in date order, what it votes, who cast it and
//! whether that is binding, and whether the result is decided (crate::tally::decide).

use std::collections::BTreeMap;

use anyhow::Result;
use camino::Utf8Path;

use super::ballot::{self, Ballot, Reading};
use super::decide::{self, Score};
use super::mbox::Post;
use super::roster::{self, Roster};
use super::{
    quote, safe_mailbox, thread, Ambiguous, Attached, Check, Doubtful, Opening, ReleaseManager,
    Skipped, Source, Tally, Unreadable, Vote,
};
use crate::tools::lists::Lists;
use crate::version::Candidate;

/// What to count.
pub struct Ask<'a> {
    /// The mbox, or the archive, for messages.
    pub source: &'a str,
    pub roster: Option<&'a Roster>,
    pub candidate: &'a Candidate,
    pub release_manager: ReleaseManager<'a>,
    pub now: i64,
    /// The archive the thread came from: each message gets its link.
    pub archive: Option<&'a Lists>,
}

/// Whether a vote is binding, and why.
#[derive(Debug, Clone)]
enum Standing {
    Yes(String),
    No(String),
    /// The public roster holds no address but `<id>@apache.org`: a member writing from
    /// another address cannot be told from anyone else.
    Maybe(String),
}

impl Standing {
    fn scores(&self, ballot: Option<Ballot>) -> Vec<Score> {
        let binding: Score = match ballot {
            Some(Ballot::PlusOne) => 1,
            Some(Ballot::MinusOne) => -1,
            Some(_) => 0,
            // Unknown (the message could not be read): either.
            None => return self.scores_of_unknown(),
        };
        match self {
            Standing::Yes(_) => vec![binding],
            Standing::No(_) => vec![0],
            Standing::Maybe(_) => vec![binding, 0],
        }
    }

    fn scores_of_unknown(&self) -> Vec<Score> {
        match self {
            Standing::No(_) => vec![0],
            _ => vec![1, 0, -1],
        }
    }

    fn why(&self) -> &str {
        match self {
            Standing::Yes(why) | Standing::No(why) | Standing::Maybe(why) => why,
        }
    }
}

/// One vote (or unreadable message) of a person.
struct Cast {
    post: usize,
    /// `None`: the message could not be read.
    ballot: Option<Ballot>,
    standing: Standing,
    trusted: bool,
    source: Source,
}

fn standing(roster: Option<&Roster>, post: &Post, line: &str) -> Standing {
    let Some(roster) = roster else {
        return Standing::No("no roster given".to_string());
    };
    if let Some(member) = roster.member(&post.address) {
        return Standing::Yes(match &member.id {
            Some(id) => format!("on the roster as {id}"),
            None => format!("on the roster ({})", member.address),
        });
    }
    if roster.ids_only && !post.address.ends_with("@apache.org") {
        if let Some(member) = roster.named(&post.name) {
            return Standing::Maybe(format!(
                "not on the roster by this address, but a PMC member has this name ({}); the \
                 public roster knows no address but <id>@apache.org",
                member.id.as_deref().unwrap_or(&member.address)
            ));
        }
        if claims_binding(line) {
            return Standing::Maybe(
                "not on the roster by this address, but it calls the vote binding; the public \
                 roster knows no address but <id>@apache.org"
                    .to_string(),
            );
        }
    }
    Standing::No("not on the roster".to_string())
}

/// Whether the vote line calls itself binding.
fn claims_binding(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower.contains("binding")
        && !lower.contains("non-binding")
        && !lower.contains("non binding")
        && !lower.contains("nonbinding")
}

/// What a post votes: its text, checked against its HTML version when it has one.
fn reading(post: &Post, opening: bool) -> (Reading, Option<String>, bool) {
    let own = quote::own_text(&post.text);
    let plain = ballot::read(&own, opening);
    let quoted_only = own.lines.is_empty() && own.quoted;
    let Some(html) = &post.html else {
        return (plain, None, quoted_only);
    };
    let html = ballot::read(&quote::own_text(html), opening);
    let said = |reading: &Reading| match reading {
        Reading::Vote { ballot, .. } => ballot.to_string(),
        Reading::Ambiguous { .. } => "two things".to_string(),
        Reading::NoVote => "no vote".to_string(),
    };
    if said(&plain) == said(&html) {
        return (plain, None, quoted_only);
    }
    let why = format!(
        "its text version says {} and its HTML version {}: ask the voter",
        said(&plain),
        said(&html)
    );
    let (line_number, line) = match (&plain, &html) {
        (
            Reading::Vote {
                line_number, line, ..
            },
            _,
        )
        | (Reading::Ambiguous { line_number, line }, _)
        | (
            _,
            Reading::Vote {
                line_number, line, ..
            },
        )
        | (_, Reading::Ambiguous { line_number, line }) => (*line_number, line.clone()),
        _ => (0, String::new()),
    };
    (Reading::Ambiguous { line_number, line }, Some(why), false)
}

pub fn count(ask: &Ask, posts: Vec<Post>) -> Result<Tally> {
    let path = Utf8Path::new(ask.source);
    let roster = ask.roster;
    let thread = thread::find(path, &posts, ask.candidate, ask.release_manager, roster)?;
    let link = |post: &Post| {
        post.archive_id
            .as_ref()
            .zip(ask.archive)
            .map(|(mid, lists)| lists.source_url(mid))
    };
    let from_of = |post: &Post| match post.address.is_empty() {
        true => "(sender unknown)".to_string(),
        false => safe_mailbox(&post.name, &post.address),
    };
    let mut warnings = Vec::new();
    if roster.is_none() {
        warnings.push(
            "no roster: no vote is binding (the word \"binding\" in a mail decides nothing)"
                .to_string(),
        );
    }
    // Mail arrives out of order; the Date headers decide (a stable sort keeps the mbox order
    // for equal dates). Every reply counts, even one whose clock put it before the VOTE mail.
    let mut order: Vec<usize> = (0..posts.len()).collect();
    order.sort_by_key(|index| posts[*index].date);
    let mut casts: BTreeMap<String, Vec<Cast>> = BTreeMap::new();
    let mut tally = Tally {
        opening: Opening {
            subject: posts[thread.opening].subject.clone(),
            from: from_of(&posts[thread.opening]),
            message: posts[thread.opening].number,
            message_id: posts[thread.opening].message_id.clone(),
            rule: thread.opened_by_rule.clone(),
        },
        started: posts[thread.opening].date,
        now: ask.now,
        votes: Vec::new(),
        ambiguous: Vec::new(),
        doubtful: Vec::new(),
        unreadable: Vec::new(),
        attachments: Vec::new(),
        checks: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
        roster: roster.is_some(),
        thread_source: ask.source.to_string(),
        thread_url: posts[thread.opening]
            .archive_id
            .as_ref()
            .zip(ask.archive)
            .map(|(mid, lists)| lists.thread_url(mid)),
    };
    let mut unknown_senders = Vec::new();
    for index in order {
        let post = &posts[index];
        let from = from_of(post);
        let skip = |reason: String| Skipped {
            message: post.number,
            message_id: post.message_id.clone(),
            from: from.clone(),
            date: post.date,
            reason,
        };
        if let Some(why) = thread.skips.get(&index) {
            tally.skipped.push(skip(why.describe()));
            continue;
        }
        if !post.attachments.is_empty() {
            tally.attachments.push(Attached {
                from: from.clone(),
                message: post.number,
                message_id: post.message_id.clone(),
                names: post.attachments.clone(),
                link: link(post),
            });
        }
        let source = |line_number: usize, line: String| Source {
            message_id: post.message_id.clone(),
            message: post.number,
            date: post.date,
            line_number,
            line,
            link: link(post),
        };
        if let Some(why) = &post.unreadable {
            tally.unreadable.push(Unreadable {
                from: from.clone(),
                message: post.number,
                message_id: post.message_id.clone(),
                why: why.clone(),
                link: link(post),
            });
            match post.address.is_empty() {
                true => unknown_senders.push(index),
                false => casts
                    .entry(roster::person(roster, &post.address).key)
                    .or_default()
                    .push(Cast {
                        post: index,
                        ballot: None,
                        standing: standing(roster, post, ""),
                        trusted: false,
                        source: source(0, String::new()),
                    }),
            }
            continue;
        }
        let opening = thread.vote_mails.contains(&index);
        match reading(post, opening) {
            (Reading::NoVote, _, quoted_only) => tally.skipped.push(skip(
                if opening {
                    "a VOTE mail: no vote of the release manager's own in it"
                } else if quoted_only {
                    "quoted text only"
                } else {
                    "no vote found"
                }
                .to_string(),
            )),
            (Reading::Ambiguous { line_number, line }, why, _) => tally.ambiguous.push(Ambiguous {
                from,
                source: source(line_number, line),
                why: why.unwrap_or_else(|| {
                    "two different votes on one line: ask the voter".to_string()
                }),
            }),
            (
                Reading::Vote {
                    ballot,
                    line_number,
                    line,
                },
                _,
                _,
            ) => {
                let standing = standing(roster, post, &line);
                if let (Standing::No(_) | Standing::Maybe(_), Some(_)) = (&standing, roster) {
                    if claims_binding(&line) {
                        let warning = format!(
                            "{from} called the vote binding but is not on the roster: counted \
                             as non-binding (a PMC member writing from another address? add it \
                             to the roster)"
                        );
                        if !warnings.contains(&warning) {
                            warnings.push(warning);
                        }
                    }
                }
                casts
                    .entry(roster::person(roster, &post.address).key)
                    .or_default()
                    .push(Cast {
                        post: index,
                        ballot: Some(ballot),
                        standing,
                        trusted: post.doubts.is_empty(),
                        source: source(line_number, line),
                    });
            }
        }
    }
    tally.warnings = warnings;
    settle(
        &mut tally,
        &posts,
        casts,
        &unknown_senders,
        roster,
        &from_of,
    );
    // A VOTE mail that may be forged or could not be read cannot start the 72 hours of a pass.
    let opening_post = &posts[thread.opening];
    let mut in_doubt = opening_post.doubts.clone();
    in_doubt.extend(opening_post.unreadable.clone());
    if !in_doubt.is_empty() && tally.window_over() && tally.checks.is_empty() {
        let counted = decide::Counts {
            plus: tally.count(true, Ballot::PlusOne),
            minus: tally.count(true, Ballot::MinusOne),
        };
        if counted.passes() {
            tally.checks.push(Check {
                from: from_of(opening_post),
                message: opening_post.number,
                message_id: opening_post.message_id.clone(),
                why: format!(
                    "the VOTE mail itself, which starts the 72 hours, is in doubt: {}",
                    in_doubt.join("; ")
                ),
                link: link(opening_post),
            });
        }
    }
    Ok(tally)
}

/// The counted votes (each person's last vote nothing speaks against), the doubtful ones, and
/// the messages to check when they could change the result.
fn settle(
    tally: &mut Tally,
    posts: &[Post],
    casts: BTreeMap<String, Vec<Cast>>,
    unknown_senders: &[usize],
    roster: Option<&Roster>,
    from_of: &dyn Fn(&Post) -> String,
) {
    let mut people: Vec<Vec<Score>> = Vec::new();
    let mut in_doubt: Vec<Vec<&Cast>> = Vec::new();
    let mut counted: Vec<Vote> = Vec::new();
    for person in casts.values() {
        let last_trusted = person
            .iter()
            .rposition(|cast| cast.trusted && cast.ballot.is_some());
        let mut options: Vec<Score> = Vec::new();
        let mut doubtful: Vec<&Cast> = Vec::new();
        if let Some(at) = last_trusted {
            let cast = &person[at];
            let post = &posts[cast.post];
            let ballot = cast.ballot.unwrap_or(Ballot::PlusZero);
            options.extend(cast.standing.scores(cast.ballot));
            if let Standing::Maybe(_) = cast.standing {
                doubtful.push(cast);
            }
            counted.push(Vote {
                display_name: post.name.clone(),
                address: post.address.clone(),
                ballot,
                binding: matches!(cast.standing, Standing::Yes(_)),
                why: cast.standing.why().to_string(),
                date: post.date,
                source: cast.source.clone(),
                changed_from: person[..at]
                    .iter()
                    .filter(|earlier| earlier.trusted)
                    .filter_map(|earlier| Some((earlier.ballot?, posts[earlier.post].date)))
                    .collect(),
            });
        } else {
            options.push(0);
        }
        let later = last_trusted.map_or(0, |at| at + 1);
        for cast in person.iter().filter(|cast| !cast.trusted) {
            let post = &posts[cast.post];
            if let Some(ballot) = cast.ballot {
                tally.doubtful.push(Doubtful {
                    from: from_of(post),
                    ballot,
                    standing: match &cast.standing {
                        Standing::Yes(_) => "binding if genuine".to_string(),
                        Standing::Maybe(_) => "possibly binding".to_string(),
                        Standing::No(_) => "non-binding".to_string(),
                    },
                    source: cast.source.clone(),
                    why: post.doubts.clone(),
                });
            }
        }
        // Only what comes after the last vote nothing speaks against could replace it.
        for cast in person[later..].iter().filter(|cast| !cast.trusted) {
            options.extend(cast.standing.scores(cast.ballot));
            doubtful.push(cast);
        }
        people.push(options);
        in_doubt.push(doubtful);
    }
    counted.sort_by_key(|vote| vote.date);
    tally.votes = counted;
    if !tally.roster {
        return;
    }
    let members = roster.map_or(0, Roster::len);
    let all = decide::range(&people, unknown_senders.len(), members);
    if all.decided() {
        return;
    }
    for (options, casts) in people.iter().zip(&in_doubt) {
        if options.iter().max() == options.iter().min() {
            continue;
        }
        for cast in casts {
            let post = &posts[cast.post];
            let what = match cast.ballot {
                None => "its vote is unknown".to_string(),
                Some(ballot) => format!("{ballot}, {}", cast.standing.why()),
            };
            let why = match (&post.unreadable, cast.trusted) {
                (Some(unreadable), _) => format!("{what}: it could not be read: {unreadable}"),
                (None, true) => format!("{what}: counted as non-binding"),
                (None, false) => format!("{what}: {}", post.doubts.join("; ")),
            };
            tally.checks.push(Check {
                from: from_of(post),
                message: post.number,
                message_id: post.message_id.clone(),
                why,
                link: cast.source.link.clone(),
            });
        }
    }
    for index in unknown_senders {
        let post = &posts[*index];
        tally.checks.push(Check {
            from: from_of(post),
            message: post.number,
            message_id: post.message_id.clone(),
            why: format!(
                "it could not be read ({}): it could be any member's vote",
                post.unreadable.as_deref().unwrap_or_default()
            ),
            link: tally
                .unreadable
                .iter()
                .find(|u| u.message == post.number)
                .and_then(|u| u.link.clone()),
        });
    }
    tally.checks.sort_by_key(|check| check.message);
}
