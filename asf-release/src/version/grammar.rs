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

//! The version grammar: the qualifier words and their ranks, the parsers of versions and
//! lines, and the regex that finds a version inside a tag, a heading or a file.

use std::str::FromStr;

use anyhow::{bail, Context, Result};

use super::{Line, Version, MAX_NUMBERS};

/// How a qualifier ranks: the lower, the earlier. A version without a qualifier is `Release`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Rank {
    Alpha,
    Beta,
    /// Milestone and preview rank the same (Tomcat `-M26`, Spark/Flink `-preview3`).
    Milestone,
    Rc,
    Release,
    /// Service packs and updates come after their release (NetBeans `12.0-u1`).
    Post,
}

/// The qualifier words accepted, each exactly as it may be written, and its rank. The word is
/// kept as one of these so a version stays `Copy` and prints back as given.
const WORDS: &[(&str, Rank)] = &[
    ("alpha", Rank::Alpha),
    ("ALPHA", Rank::Alpha),
    ("a", Rank::Alpha),
    ("beta", Rank::Beta),
    ("BETA", Rank::Beta),
    ("b", Rank::Beta),
    ("B", Rank::Beta),
    ("milestone", Rank::Milestone),
    ("MILESTONE", Rank::Milestone),
    ("m", Rank::Milestone),
    ("M", Rank::Milestone),
    ("preview", Rank::Milestone),
    ("PREVIEW", Rank::Milestone),
    ("pre", Rank::Milestone),
    ("rc", Rank::Rc),
    ("RC", Rank::Rc),
    ("cr", Rank::Rc),
    ("CR", Rank::Rc),
    ("ga", Rank::Release),
    ("GA", Rank::Release),
    ("final", Rank::Release),
    ("FINAL", Rank::Release),
    ("sp", Rank::Post),
    ("SP", Rank::Post),
    ("u", Rank::Post),
];

/// What joins two pieces of a version: `-M1`, `.M1` (Tomcat 9), `rc1` (Cordova `1.0.0rc1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Joint {
    Hyphen,
    Dot,
    Nothing,
}

impl Joint {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Joint::Hyphen => "-",
            Joint::Dot => ".",
            Joint::Nothing => "",
        }
    }
}

/// `-alpha-1`, `.M1`, `-beta`, `rc1`: a word of [`WORDS`] with an optional number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Qualifier {
    pub(super) lead: Joint,
    pub(super) word: &'static str,
    pub(super) rank: Rank,
    pub(super) number: Option<(Joint, u64)>,
}

const VERSION_HELP: &str = "a release version is one to four numbers separated by dots, like \
     2.3.0, 3.0 or 24, optionally with a qualifier (-M1, -alpha-1, -beta, -rc-2, -preview1) \
     and -incubating";
const LINE_HELP: &str = "a release line is one or two numbers separated by a dot, like 2.3 or 24";
pub(super) const INCUBATING: &str = "-incubating";

/// The input as it may be shown in an error: at most 40 characters, control characters escaped.
fn shown(text: &str) -> String {
    let cut: String = text.chars().take(40).collect();
    let cut_short = cut.len() < text.len();
    let mut out: String = cut.escape_debug().collect();
    if cut_short {
        out.push_str("...");
    }
    out
}

fn parse_number(part: &str, whole: &str, help: &str) -> Result<u64> {
    let part_shown = shown(part);
    if part.is_empty() {
        bail!("invalid version `{whole}`: empty number; {help}");
    }
    if part.len() > 1 && part.starts_with('0') {
        bail!("invalid version `{whole}`: `{part_shown}` has a leading zero; {help}");
    }
    part.parse::<u64>()
        .with_context(|| format!("invalid version `{whole}`: `{part_shown}` is too large; {help}"))
}

/// Splits `text` at the end of its leading ASCII digits.
fn split_digits(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(end)
}

/// Splits `text` at the end of its leading ASCII letters.
fn split_letters(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    text.split_at(end)
}

/// The joint at the start of `text` and what follows it.
fn split_joint(text: &str) -> (Joint, &str) {
    if let Some(rest) = text.strip_prefix('-') {
        (Joint::Hyphen, rest)
    } else if let Some(rest) = text.strip_prefix('.') {
        (Joint::Dot, rest)
    } else {
        (Joint::Nothing, text)
    }
}

fn parse_qualifier(text: &str, whole: &str) -> Result<Qualifier> {
    let (lead, rest) = split_joint(text);
    let (word, rest) = split_letters(rest);
    if word.is_empty() {
        bail!(
            "invalid version `{whole}`: `{}` must be followed by a qualifier word; {VERSION_HELP}",
            lead.as_str()
        );
    }
    let Some(&(word, rank)) = WORDS.iter().find(|(known, _)| *known == word) else {
        let word = shown(word);
        if WORDS
            .iter()
            .any(|(known, _)| known.eq_ignore_ascii_case(&word))
        {
            bail!(
                "invalid version `{whole}`: write the qualifier `{word}` in lower or upper case, \
                 like rc or RC; {VERSION_HELP}"
            );
        }
        let known: Vec<&str> = WORDS.iter().map(|(known, _)| *known).collect();
        bail!(
            "invalid version `{whole}`: `{word}` is not a number, nor a qualifier this tool \
             orders (it knows {}); {VERSION_HELP}",
            known.join(", ")
        );
    };
    let number = if rest.is_empty() {
        None
    } else {
        let (joint, digits) = split_joint(rest);
        let (digits, after) = split_digits(digits);
        if !after.is_empty() || digits.is_empty() {
            bail!(
                "invalid version `{whole}`: `{}` after the qualifier `{word}`; a version has one \
                 qualifier, optionally numbered, like -rc-2; {VERSION_HELP}",
                shown(rest)
            );
        }
        Some((joint, parse_number(digits, whole, VERSION_HELP)?))
    };
    Ok(Qualifier {
        lead,
        word,
        rank,
        number,
    })
}

/// A regex (without anchors or groups of its own) for the spellings the version grammar may
/// accept, to find a version inside a tag, a heading or a file; the parse then decides
/// (leading zeros, sizes). A qualifier is optional so `{version}-rc{rc}` leaves the candidate
/// marker to `{rc}`: `4.0.0-M1-rc1` is 4.0.0-M1, candidate 1.
pub fn version_regex() -> String {
    let mut words: Vec<&str> = WORDS.iter().map(|(word, _)| *word).collect();
    // The longest first, so `alpha` is tried before `a`.
    words.sort_by_key(|word| std::cmp::Reverse(word.len()));
    format!(
        r"[0-9]+(?:\.[0-9]+){{0,{}}}(?:[-.]?(?:{})(?:[-.]?[0-9]+)?)?(?:{})?",
        MAX_NUMBERS - 1,
        words.join("|"),
        regex::escape(INCUBATING)
    )
}

impl FromStr for Version {
    type Err = anyhow::Error;
    fn from_str(text: &str) -> Result<Self> {
        let whole = shown(text);
        if text.is_empty() {
            bail!("invalid version: it is empty; {VERSION_HELP}");
        }
        if text.starts_with('v') || text.starts_with('V') {
            bail!("invalid version `{whole}`: drop the leading `v`; {VERSION_HELP}");
        }
        let (body, incubating) = match text.strip_suffix(INCUBATING) {
            Some(body) => (body, true),
            None => (text, false),
        };
        let mut numbers = [0; MAX_NUMBERS];
        let mut count = 0;
        let mut rest = body;
        loop {
            let (digits, after) = split_digits(rest);
            if count == MAX_NUMBERS {
                bail!("invalid version `{whole}`: more than four numbers; {VERSION_HELP}");
            }
            numbers[count] = parse_number(digits, &whole, VERSION_HELP)?;
            count += 1;
            rest = after;
            match rest.strip_prefix('.') {
                Some(next) if !next.starts_with(|c: char| c.is_ascii_alphabetic()) => rest = next,
                _ => break,
            }
        }
        let qualifier = match rest.chars().next() {
            None => None,
            Some('-' | '.') => Some(parse_qualifier(rest, &whole)?),
            Some(c) if c.is_ascii_alphabetic() => Some(parse_qualifier(rest, &whole)?),
            Some(c) => bail!(
                "invalid version `{whole}`: `{}` is not allowed in a version; {VERSION_HELP}",
                c.escape_debug()
            ),
        };
        Ok(Version {
            numbers,
            count: count as u8,
            qualifier,
            incubating,
        })
    }
}

impl FromStr for Line {
    type Err = anyhow::Error;
    fn from_str(text: &str) -> Result<Self> {
        let whole = shown(text);
        if text.is_empty() {
            bail!("invalid version: it is empty; {LINE_HELP}");
        }
        if text.starts_with('v') || text.starts_with('V') {
            bail!("invalid version `{whole}`: drop the leading `v`; {LINE_HELP}");
        }
        let parts: Vec<&str> = text.split('.').collect();
        if parts.len() > 2 {
            bail!("invalid version `{whole}`: {LINE_HELP}");
        }
        let mut numbers = Vec::with_capacity(2);
        for part in parts {
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                bail!(
                    "invalid version `{whole}`: `{}` is not a number; {LINE_HELP}",
                    shown(part)
                );
            }
            numbers.push(parse_number(part, &whole, LINE_HELP)?);
        }
        Ok(Line {
            major: numbers[0],
            minor: numbers.get(1).copied(),
        })
    }
}
