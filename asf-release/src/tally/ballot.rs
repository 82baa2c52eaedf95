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

//! What a line of a reply votes: `+1`, `+0`, `-0`, `-1` as people write them (`+1.`, `+1,
//! thanks`, `[x] +1`, "so here is my +1", the minus as `-`, `–`, `−` or `- 1`, a bare `0`),
//! and what is no vote: unticked ballot lines, `+1-555-0100`, `UTC+1`, `RC-1`, `+1.5`,
//! `2024-01-05`, "three +1 votes". A line with two different votes is ambiguous.

use std::fmt;

use super::quote::{OwnText, MAX_LINE_CHARS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Ballot {
    #[serde(rename = "+1")]
    PlusOne,
    #[serde(rename = "+0")]
    PlusZero,
    #[serde(rename = "-0")]
    MinusZero,
    #[serde(rename = "-1")]
    MinusOne,
}

impl Ballot {
    pub const ALL: [Ballot; 4] = [
        Ballot::PlusOne,
        Ballot::PlusZero,
        Ballot::MinusZero,
        Ballot::MinusOne,
    ];
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ballot::PlusOne => "+1",
            Ballot::PlusZero => "+0",
            Ballot::MinusZero => "-0",
            Ballot::MinusOne => "-1",
        })
    }
}

/// What one line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineVote {
    None,
    One(Ballot),
    /// Two different votes on the line ("+1 for the idea but -1 for the timing").
    Ambiguous,
}

/// What a message says: the first line that holds a vote decides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    Vote {
        ballot: Ballot,
        line_number: usize,
        line: String,
    },
    Ambiguous {
        line_number: usize,
        line: String,
    },
    NoVote,
}

/// Reads the vote of a message's own text. In the VOTE mail itself (`opening`) the ballot
/// (`+1 approve`, `-1 disapprove because...`) is no vote; the release manager's own vote is a
/// bare vote line or one in the first person ("here is my own +1").
pub fn read(own: &OwnText, opening: bool) -> Reading {
    for line in &own.lines {
        let vote = if opening {
            opening_line_vote(line.text)
        } else {
            line_vote(line.text)
        };
        let text = line.text.trim().to_string();
        match vote {
            LineVote::None => {}
            LineVote::One(ballot) => {
                return Reading::Vote {
                    ballot,
                    line_number: line.number,
                    line: text,
                }
            }
            LineVote::Ambiguous if opening => {}
            LineVote::Ambiguous => {
                return Reading::Ambiguous {
                    line_number: line.number,
                    line: text,
                }
            }
        }
    }
    Reading::NoVote
}

/// Words that make a line of the VOTE mail a ballot choice or a rule, not a vote.
const BALLOT_WORDS: [&str; 16] = [
    "approve",
    "opinion",
    "release this",
    "release the",
    "do not",
    "don't",
    "because",
    "reason",
    "abstain",
    "against",
    "in favo",
    "not ready",
    "veto",
    "at least",
    "majority",
    "need",
];

fn opening_line_vote(line: &str) -> LineVote {
    let lower = line.to_lowercase();
    if BALLOT_WORDS.iter().any(|word| lower.contains(word)) {
        return LineVote::None;
    }
    let vote = line_vote(line);
    let bare = strip_tick(line.trim())
        .trim_start_matches(['+', '-', '–', '−', '0', '1', ' '])
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .to_lowercase();
    let first_person = lower
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .any(|word| matches!(word, "my" | "i" | "i'm" | "me" | "mine" | "myself"));
    if bare.is_empty() || bare == "binding" || first_person {
        vote
    } else {
        LineVote::None
    }
}

/// `[x] rest` -> `rest`; an unticked `[ ] rest` is a ballot line: `None`.
fn strip_tick(line: &str) -> &str {
    for open in ['[', '('] {
        if let Some(rest) = line.strip_prefix(open) {
            let close = if open == '[' { ']' } else { ')' };
            if let Some((inside, after)) = rest.split_once(close) {
                let inside = inside.trim();
                if ["x", "X", "✓", "✔", "✅", "*"].contains(&inside) {
                    return after.trim_start();
                }
            }
        }
    }
    line
}

fn unticked(line: &str) -> bool {
    ["[ ]", "[]", "( )", "[  ]"]
        .iter()
        .any(|box_| line.starts_with(box_))
}

/// The vote of one line of a reply.
pub fn line_vote(line: &str) -> LineVote {
    let trimmed = line.trim();
    if unticked(trimmed) {
        return LineVote::None;
    }
    let choice = strip_tick(trimmed);
    let ticked = choice.len() != trimmed.len();
    let text: Vec<char> = normalise(choice);
    let mut found: Option<Ballot> = None;
    let mut add = |ballot: Ballot| -> bool {
        match found {
            Some(previous) if previous != ballot => true,
            _ => {
                found = Some(ballot);
                false
            }
        }
    };
    // A bare `0` opens the line: `0`, `0 (binding)`, `0, no time to check`, or a ticked
    // ballot line `[x] 0  I won't get in the way`.
    let zero = text.first() == Some(&'0')
        && (bare_zero(&text[1..]) || ticked && text.get(1).is_none_or(|c| c.is_whitespace()));
    if zero && add(Ballot::PlusZero) {
        return LineVote::Ambiguous;
    }
    let mut possible = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let c = text[i];
        if c != '+' && c != '-' {
            i += 1;
            continue;
        }
        if i > 0 && !opens_vote(text[i - 1]) {
            i += 1;
            continue;
        }
        // `- 1` with a space: a vote as the whole line; elsewhere only a possible vote,
        // which makes a line with another vote ambiguous ("+1 for the source – 1 for ...").
        let spaced = c == '-' && text.get(i + 1) == Some(&' ');
        let digit_at = if spaced { i + 2 } else { i + 1 };
        let ballot = match (c, text.get(digit_at)) {
            ('+', Some('1')) => Ballot::PlusOne,
            ('+', Some('0')) => Ballot::PlusZero,
            ('-', Some('0')) => Ballot::MinusZero,
            ('-', Some('1')) => Ballot::MinusOne,
            _ => {
                i += 1;
                continue;
            }
        };
        let after = &text[digit_at + 1..];
        if spaced && !(i == 0 && bare_zero(after)) {
            if possible_vote(after) {
                possible.push(ballot);
            }
        } else if ends_vote(after) && add(ballot) {
            return LineVote::Ambiguous;
        }
        i = digit_at + 1;
    }
    match found {
        Some(ballot) if possible.iter().any(|other| *other != ballot) => LineVote::Ambiguous,
        Some(ballot) => LineVote::One(ballot),
        None => LineVote::None,
    }
}

/// The line as chars, the minus and plus signs people type unified, bounded.
fn normalise(line: &str) -> Vec<char> {
    line.chars()
        .take(MAX_LINE_CHARS)
        .map(|c| match c {
            '–' | '—' | '−' | '‐' | '‑' | '﹣' | '－' => '-',
            '＋' | '﹢' => '+',
            '０' => '0',
            '１' => '1',
            c => c,
        })
        .collect()
}

/// Characters a vote may follow: a vote is a word of its own.
fn opens_vote(c: char) -> bool {
    c.is_whitespace() || "([{:\"'*_>,;=!?".contains(c)
}

/// Whether the text after a vote's digit ends the vote: not `+10`, `+1.5`, `+1-555`, `+1s`,
/// `+1%`, and not "+1 votes" (a count, not a vote).
fn ends_vote(after: &[char]) -> bool {
    let next = after.first().copied();
    let then = after.get(1).copied();
    match next {
        None => true,
        Some(c) if c.is_alphanumeric() || c == '%' || c == '+' || c == '^' => false,
        Some('.' | ',' | '-' | '/' | ':') if then.is_some_and(|t| t.is_ascii_digit()) => false,
        Some(_) => {
            let rest: String = after.iter().take(40).collect::<String>().to_lowercase();
            // A phone number: `+1 (555) 010-0199`, `+1 555 0100`.
            let spaced = rest.trim_start();
            if spaced.starts_with(|c: char| c.is_ascii_digit())
                || spaced.starts_with('(') && spaced[1..].starts_with(|c: char| c.is_ascii_digit())
            {
                return false;
            }
            let rest = rest
                .trim_start()
                .trim_start_matches("(binding)")
                .trim_start_matches("binding")
                .trim_start_matches("(non-binding)")
                .trim_start_matches("non-binding")
                .trim_start_matches("pmc")
                .trim_start();
            !rest.starts_with("votes")
                && !rest.starts_with("vote is needed")
                && !rest.starts_with("'s")
        }
    }
}

/// After a spaced `- 1` inside a line: what makes it read as a vote ("– 1 for the binaries",
/// "- 1 (binding)", "- 1.").
fn possible_vote(after: &[char]) -> bool {
    let rest: String = after.iter().take(20).collect::<String>().to_lowercase();
    let rest = rest.trim_start();
    rest.is_empty()
        || rest.starts_with(['(', ',', '.', ';', ':', '!'])
        || ["for ", "on ", "from ", "binding"]
            .iter()
            .any(|w| rest.starts_with(w))
}

/// After a bare `0` or a spaced `- 1`: nothing, punctuation, or a `(binding)` note.
fn bare_zero(after: &[char]) -> bool {
    let rest: String = after.iter().take(40).collect::<String>();
    let rest =
        rest.trim_start_matches(|c: char| c.is_whitespace() || c == '.' || c == '!' || c == ',');
    rest.is_empty()
        || rest.starts_with('(')
        || after.first().is_some_and(|c| *c == ',' || *c == '.')
            && !after.get(1).is_some_and(char::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::super::quote::own_text;
    use super::*;

    fn vote(line: &str) -> LineVote {
        line_vote(line)
    }

    #[test]
    fn votes_as_people_write_them() {
        use Ballot::*;
        for (line, ballot) in [
            ("+1", PlusOne),
            ("+1 (binding)", PlusOne),
            ("+1.", PlusOne),
            ("+1, thanks", PlusOne),
            ("+1! checked the signatures and checksums", PlusOne),
            ("[x] +1 approve", PlusOne),
            ("[X] 0  I won't get in the way", PlusZero),
            ("[X] +1", PlusOne),
            ("I change my vote to +1 (binding)", PlusOne),
            ("so here is my +1", PlusOne),
            ("**+1** (binding)", PlusOne),
            ("+1 binding vote from me", PlusOne),
            ("-1", MinusOne),
            ("-1.", MinusOne),
            ("–1 (binding), the NOTICE is wrong", MinusOne),
            ("−1", MinusOne),
            ("- 1", MinusOne),
            ("- 1 (binding)", MinusOne),
            ("+0", PlusZero),
            ("-0", MinusZero),
            ("0", PlusZero),
            ("0 (binding)", PlusZero),
            ("0, no time to test", PlusZero),
            ("＋1", PlusOne),
        ] {
            assert_eq!(vote(line), LineVote::One(ballot), "{line}");
        }
    }

    #[test]
    fn look_alikes_are_no_votes() {
        for line in [
            "[ ] +1 approve",
            "[ ] -1 disapprove",
            "Call me at +1-555-0100",
            "Phone: +1 (555) 010-0199",
            "mobile +1 555 0100",
            "meeting at 10:00 UTC+1",
            "the RC-1 tag",
            "1.0 and 1.0.0",
            "+1.5 speedup",
            "+10 points",
            "2024-01-05",
            "we need three +1 votes",
            "at least 3 binding +1 votes",
            "will vote later",
            "- 1 test fails on Windows",
            "0 issues found",
            "x-1 and a+1",
            "I'll +1's it",
        ] {
            assert_eq!(vote(line), LineVote::None, "{line}");
        }
    }

    #[test]
    fn two_different_votes_on_a_line_are_ambiguous() {
        assert_eq!(
            vote("+1 for the idea but -1 for the timing"),
            LineVote::Ambiguous
        );
        assert_eq!(vote("+0 or -1, not sure"), LineVote::Ambiguous);
        assert_eq!(vote("+1 +1 +1!"), LineVote::One(Ballot::PlusOne));
        assert_eq!(
            vote("+1 for the source – 1 for the binaries"),
            LineVote::Ambiguous
        );
        assert_eq!(
            vote("+1, the build took - 1 minute - less"),
            LineVote::One(Ballot::PlusOne)
        );
    }

    #[test]
    fn the_vote_mail_s_ballot_is_no_vote_but_the_release_manager_s_own_is() {
        let mail =
            "Please vote:\n\n[ ] +1 approve\n[ ] +0 no opinion\n[ ] -1 disapprove because...\n\
                    +1 = approve\n-1 = do not release this package\n\
                    The vote passes with at least three +1 PMC votes and more +1 than -1.\n\
                    Here is my own +1 (binding).\n";
        match read(&own_text(mail), true) {
            Reading::Vote { ballot, line, .. } => {
                assert_eq!(ballot, Ballot::PlusOne);
                assert_eq!(line, "Here is my own +1 (binding).");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            read(
                &own_text("Please vote:\n[ ] +1 approve\n+1 approve\n-1 disapprove\n"),
                true
            ),
            Reading::NoVote
        );
        assert!(matches!(
            read(&own_text("+1\n"), true),
            Reading::Vote { .. }
        ));
    }

    #[test]
    fn the_first_line_with_a_vote_decides() {
        let reading = read(
            &own_text("Thanks Alice!\n\n-1 (binding)\nI'd be +1 once fixed\n"),
            false,
        );
        assert!(
            matches!(
                reading,
                Reading::Vote {
                    ballot: Ballot::MinusOne,
                    line_number: 3,
                    ..
                }
            ),
            "{reading:?}"
        );
        let reading = read(
            &own_text("+1 for the idea but -1 for the timing\n+1\n"),
            false,
        );
        assert!(
            matches!(reading, Reading::Ambiguous { line_number: 1, .. }),
            "{reading:?}"
        );
    }
}
