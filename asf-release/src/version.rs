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

//! Release versions (`2.3.0`, `4.0.0-M1`, `24`), release lines (`2.3`, `24`) and candidate
//! numbers, and the names derived from them by the configured patterns.
//!
//! The grammar and the order follow docs/research/version-schemes.md: one to four numbers, an
//! optional qualifier ordered like Maven's ComparableVersion (preview ranks with milestone) and
//! an optional `-incubating` label that does not take part in the order.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use anyhow::{bail, Context, Result};

/// The most numeric parts a version has (Kafka `0.10.2.1`).
const MAX_NUMBERS: usize = 4;

/// A released or to-be-released version, kept as spelled so tags and file names made from it
/// are the ones the project uses. `==` compares the spelling (`1.0` is not `1.0.0`); the order
/// compares precedence first (see [`Version::precedence_cmp`]) and the spelling only to break
/// ties, so it agrees with `==`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Version {
    /// The numeric parts; the unused ones are 0, which is also how a missing part compares.
    numbers: [u64; MAX_NUMBERS],
    count: u8,
    qualifier: Option<Qualifier>,
    /// `-incubating`: a podling's label, not a pre-release.
    incubating: bool,
}

/// How a qualifier ranks: the lower, the earlier. A version without a qualifier is `Release`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Rank {
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
enum Joint {
    Hyphen,
    Dot,
    Nothing,
}

impl Joint {
    fn as_str(self) -> &'static str {
        match self {
            Joint::Hyphen => "-",
            Joint::Dot => ".",
            Joint::Nothing => "",
        }
    }
}

/// `-alpha-1`, `.M1`, `-beta`, `rc1`: a word of [`WORDS`] with an optional number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Qualifier {
    lead: Joint,
    word: &'static str,
    rank: Rank,
    number: Option<(Joint, u64)>,
}

/// A release line (`2.3`), the unit that owns a release branch: the first two numbers of its
/// versions, or the one number of a project numbered like NetBeans (`24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Line {
    major: u64,
    minor: Option<u64>,
}

const VERSION_HELP: &str = "a release version is one to four numbers separated by dots, like \
     2.3.0, 3.0 or 24, optionally with a qualifier (-M1, -alpha-1, -beta, -rc-2, -preview1) \
     and -incubating";
const LINE_HELP: &str = "a release line is one or two numbers separated by a dot, like 2.3 or 24";
const INCUBATING: &str = "-incubating";

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
            "invalid version `{whole}`: `{word}` is not a qualifier this tool orders (it knows {}); \
             {VERSION_HELP}",
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
            bail!("invalid release line: it is empty; {LINE_HELP}");
        }
        if text.starts_with('v') || text.starts_with('V') {
            bail!("invalid release line `{whole}`: drop the leading `v`; {LINE_HELP}");
        }
        let parts: Vec<&str> = text.split('.').collect();
        if parts.len() > 2 {
            bail!("invalid release line `{whole}`: {LINE_HELP}");
        }
        let mut numbers = Vec::with_capacity(2);
        for part in parts {
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                bail!(
                    "invalid release line `{whole}`: `{}` is not a number; {LINE_HELP}",
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

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, number) in self.numbers().iter().enumerate() {
            if index > 0 {
                f.write_str(".")?;
            }
            write!(f, "{number}")?;
        }
        if let Some(qualifier) = &self.qualifier {
            write!(f, "{}{}", qualifier.lead.as_str(), qualifier.word)?;
            if let Some((joint, number)) = qualifier.number {
                write!(f, "{}{number}", joint.as_str())?;
            }
        }
        if self.incubating {
            f.write_str(INCUBATING)?;
        }
        Ok(())
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.minor {
            Some(minor) => write!(f, "{}.{minor}", self.major),
            None => write!(f, "{}", self.major),
        }
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.precedence_cmp(other).then_with(|| {
            (self.count, self.qualifier, self.incubating).cmp(&(
                other.count,
                other.qualifier,
                other.incubating,
            ))
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Version {
    /// The numeric parts as written (`4.0.0-M1` -> `[4, 0, 0]`).
    pub fn numbers(&self) -> &[u64] {
        &self.numbers[..usize::from(self.count)]
    }

    fn rank(&self) -> Rank {
        self.qualifier.map_or(Rank::Release, |q| q.rank)
    }

    /// Which version comes first, ignoring how it is spelled: numbers with a missing one as 0
    /// (`1` = `1.0.0`), then the qualifier's rank (alpha < beta < milestone, preview < rc <
    /// release, ga, final < sp, u), then its number with no number first (`rc` < `rc1`).
    /// `-incubating` does not count.
    pub fn precedence_cmp(&self, other: &Self) -> Ordering {
        let key = |v: &Self| {
            (
                v.numbers,
                v.rank(),
                v.qualifier.and_then(|q| q.number).map(|(_, n)| n),
            )
        };
        key(self).cmp(&key(other))
    }

    /// Whether this is a version before its release: alpha, beta, milestone, preview or rc.
    pub fn is_pre_release(&self) -> bool {
        self.rank() < Rank::Release
    }

    /// The release line: the first two numbers (`2.3.0` -> `2.3`, `3.0-RC1` -> `3.0`), or the
    /// only one (`24` -> `24`).
    pub fn line(&self) -> Line {
        Line {
            major: self.numbers[0],
            minor: (self.count > 1).then_some(self.numbers[1]),
        }
    }

    /// The patch release after this one: the last number raised (`2.3.0` -> `2.3.1`,
    /// `0.10.2.1` -> `0.10.2.2`, `24` -> `25`), or `.1` added to a two-number version so it
    /// stays on its line (`3.0` -> `3.0.1`, as Maven and NetBeans did). The qualifier and
    /// update or service-pack qualifier is dropped. A pre-release has no implied successor (Tomcat goes `M1` -> `M2`,
    /// Maven `rc-4` -> `rc-5` or the release), so the user is asked to name it. A podling's
    /// next version keeps `-incubating`.
    pub fn next_patch(&self) -> Result<Version> {
        if self.is_pre_release() {
            bail!(
                "{self} is a pre-release: the version after it (the next milestone, candidate or \
                 the release itself) is the project's choice; give it explicitly, like 4.0.0-M2 \
                 or 4.0.0"
            );
        }
        let mut next = Version {
            qualifier: None,
            ..*self
        };
        if self.count == 2 {
            next.count = 3;
            next.numbers[2] = 1;
            return Ok(next);
        }
        let last = usize::from(self.count) - 1;
        next.numbers[last] = self.numbers[last]
            .checked_add(1)
            .with_context(|| format!("{self} has the largest number there is: give the version"))?;
        Ok(next)
    }

    /// Whether the version has a qualifier (`4.0.0-M1`, `12.0-u1`), which its numbers alone
    /// do not tell.
    pub fn is_qualified(&self) -> bool {
        self.qualifier.is_some()
    }

    /// `3.18.0` -> `3180`, `4.0.0-M1` -> `400-m1`: the anchor GitHub gives the `## <version>`
    /// heading of a CHANGELOG (lower case, only letters, digits, `-` and `_` kept).
    pub fn heading_anchor(&self) -> String {
        self.to_string()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }

    /// The numbers as a tuple of three, the missing ones 0: how a vote subject names a
    /// version (`[VOTE] Release 2.3.0`), where qualifiers are not parsed.
    pub fn three_numbers(&self) -> (u64, u64, u64) {
        (self.numbers[0], self.numbers[1], self.numbers[2])
    }
}

impl Line {
    /// The first version of the line: `2.3` -> `2.3.0`, `24` -> `24`.
    pub fn first_version(&self) -> Version {
        let mut numbers = [0; MAX_NUMBERS];
        numbers[0] = self.major;
        let count = match self.minor {
            Some(minor) => {
                numbers[1] = minor;
                3
            }
            None => 1,
        };
        Version {
            numbers,
            count,
            qualifier: None,
            incubating: false,
        }
    }

    /// The major number (`2` of `2.3`), for names such as the branch pattern's `{major}`.
    pub fn major(&self) -> u64 {
        self.major
    }

    /// The minor number (`3` of `2.3`); none for a one-number line (`24`).
    pub fn minor(&self) -> Option<u64> {
        self.minor
    }
}

/// A release candidate: the version it would release and its number (`1.0.0` RC1). Shown as
/// the messages name it, `1.0.0 RC1`; directory, tag and mail names come from their patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Candidate {
    pub version: Version,
    pub rc: u32,
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} RC{}", self.version, self.rc)
    }
}

/// Parses a release candidate number given on the command line (`--rc 1`, `--rc 0`). Whether
/// the project counts from 0 or 1 is checked against its `first-rc` setting by each command.
pub fn parse_rc(text: &str) -> Result<u32> {
    let shown: String = text.chars().take(20).collect();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        bail!("invalid release candidate `{shown}`: use a number, like --rc 1");
    }
    text.parse().with_context(|| {
        format!("invalid release candidate `{shown}`: the number is too large; use a small number, like --rc 1")
    })
}

/// Fills a name pattern such as `apache-{name}-{version}-src.tgz`. Unknown placeholders are
/// an error so a typo in the configuration cannot produce a silently wrong name.
pub fn fill(pattern: &str, values: &[(&str, &str)]) -> Result<String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .with_context(|| format!("pattern `{pattern}` has a `{{` without its `}}`"))?;
        let key = &after[..end];
        let value = values
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, value)| *value)
            .with_context(|| {
                let known: Vec<String> = values.iter().map(|(k, _)| format!("{{{k}}}")).collect();
                format!(
                    "pattern `{pattern}` uses `{{{key}}}`, which is not known here; use one of {}",
                    known.join(", ")
                )
            })?;
        out.push_str(value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(text: &str) -> Version {
        text.parse()
            .unwrap_or_else(|err| panic!("{text:?} should parse: {err:#}"))
    }

    #[test]
    fn parses_good_versions() {
        let v = version("2.3.0");
        assert_eq!(v.to_string(), "2.3.0");
        assert_eq!(v.line().to_string(), "2.3");
        assert_eq!(version("10.20.30").numbers(), [10, 20, 30]);
        assert_eq!("3.18".parse::<Line>().unwrap().to_string(), "3.18");
        assert_eq!("24".parse::<Line>().unwrap().to_string(), "24");
    }

    /// The research document's section 4.1: every spelling parses, prints back as given and
    /// is what the regex for patterns finds.
    #[test]
    fn asf_spellings_round_trip() {
        let whole = regex::Regex::new(&format!("^(?:{})$", version_regex())).unwrap();
        for text in [
            "31",
            "12.2",
            "2.3.0",
            "0.10.2.1",
            "0.9.5.1",
            "3.0",
            "3.0-RC1",
            "3.0-beta-3",
            "4.0.0-alpha-13",
            "4.0.0-beta-2",
            "4.0.0-rc-6",
            "3.10.0-rc-1",
            "11.0.0-M26",
            "9.0.0.M1",
            "0.9.0.M4",
            "4.0.0-M3",
            "4.0.0-RC1",
            "4.0.0-ALPHA",
            "4.0.0-BETA",
            "0.8.2-beta",
            "0.8.0-beta1",
            "9.0-beta",
            "9.0-rc1",
            "12.0-u1",
            "16-u1",
            "5.0.0-alpha-12",
            "4.0.0-rc-1",
            "4.2.0-preview3",
            "2.0-preview1",
            "0.7.2-incubating",
            "1.19.0-incubating",
            "1.0.0rc1",
            "4.0.0-alpha-1",
            "4.0.0-alpha1",
            "2.0.0-beta",
            "2.0.0-beta.2",
            "1.0.0-beta-incubating",
            "1a1",
            "1-cr2",
        ] {
            assert_eq!(version(text).to_string(), text);
            assert!(whole.is_match(text), "the regex finds {text}");
        }
        for text in ["1.2.3-SNAPSHOT", "0.9.0.dev", "1.2.3.4.5", "v1.2.3"] {
            assert!(!whole.is_match(text), "the regex skips {text}");
        }
    }

    #[test]
    fn rejects_bad_versions_with_a_reason() {
        for (bad, why) in [
            ("2.3.x", "`x` is not a qualifier"),
            ("v2.3.0", "drop the leading `v`"),
            ("2..3", "empty number"),
            ("-1", "empty number"),
            ("", "it is empty"),
            ("1.2.3.4.5", "more than four numbers"),
            ("02.3.0", "leading zero"),
            ("2.3.0-M01", "leading zero"),
            ("99999999999999999999.0.0", "too large"),
            ("1.2.3-", "must be followed by a qualifier word"),
            ("1.2.3--1", "must be followed by a qualifier word"),
            ("1.2.3-SNAPSHOT", "`SNAPSHOT` is not a qualifier"),
            ("0.9.0.dev", "`dev` is not a qualifier"),
            ("0.9.0.v20140226", "`v` is not a qualifier"),
            ("0.10.2.0-KAFKA-5526", "`KAFKA` is not a qualifier"),
            ("1.2.3-foo", "`foo` is not a qualifier"),
            ("1.2.3-Alpha-1", "lower or upper case"),
            ("9.0-rc1-rc1", "a version has one qualifier"),
            ("2.3.0 ", "is not allowed"),
            ("2.3 .0", "is not allowed"),
            ("2.3.0\n", "is not allowed"),
        ] {
            let err = bad.parse::<Version>().unwrap_err().to_string();
            assert!(err.contains(why), "{bad:?}: {err}");
            assert!(err.contains("like 2.3.0"), "{bad:?}: {err}");
        }
        let long = "1".repeat(300);
        let err = long.parse::<Version>().unwrap_err().to_string();
        assert!(err.len() < 400, "the error shortens a long input: {err}");
        let err = "2.3.0-\u{1b}[31m"
            .parse::<Version>()
            .unwrap_err()
            .to_string();
        assert!(
            !err.contains('\u{1b}'),
            "control characters are escaped: {err}"
        );
        for bad in ["2.3.0", "v2", "", "2.x", "02"] {
            let err = bad.parse::<Line>().unwrap_err().to_string();
            assert!(err.contains("like 2.3 or 24"), "{bad:?}: {err}");
        }
    }

    /// The research document's section 4.3.
    #[test]
    fn orders_like_asf_projects_release_them() {
        for sequence in [
            "3.0-alpha-3 3.0-alpha-7 3.0-beta-1 3.0-beta-3 3.0-RC1 3.0-RC3 3.0 3.0.1",
            "4.0.0-alpha-1 4.0.0-alpha-2 4.0.0-alpha-9 4.0.0-alpha-10 4.0.0-alpha-13 \
             4.0.0-beta-2 4.0.0-beta-5 4.0.0-rc-1 4.0.0-rc-6 4.0.0",
            "3.9.9 3.9.16 3.10.0-rc-1 3.10.0 4.0.0-alpha-1",
            "10.1.59 11.0.0-M1 11.0.0-M2 11.0.0-M9 11.0.0-M10 11.0.0-M26 11.0.0 11.0.1 11.0.9 \
             11.0.10",
            "9.0.0.M1 9.0.0.M9 9.0.0.M27 9.0.0",
            "4.0.0-M1 4.0.0-M3 4.0.0-RC1 4.0.0-RC2 4.0.0",
            "5.0.0-alpha-1 5.0.0-alpha-12 5.0.0-beta-1 5.0.0-beta-2 5.0.0-rc-1 5.0.0 5.0.8",
            "3.6.2 4.0.0-ALPHA 4.0.0-BETA 4.0.0",
            "0.8.0-beta1 0.8.0 0.8.1.1 0.8.2-beta 0.8.2.0 0.8.2.1 0.9.0.0 0.10.0.0 0.11.0.3 \
             1.0.0 3.9.0",
            "9.0-beta 9.0-rc1 9.0 10.0 11.2 11.2-u1 11.3 12.0 12.0-u1 12.0-u2 12.1 12.2 12.2.1 \
             12.6 13 17 31",
            "0.9.5 0.9.5.1 0.9.6 1.0.0rc1 1.0.0rc3 1.0.0 14.0.1",
            "4.1.0-preview3 4.1.0-preview4 4.1.0",
            "2.0-preview1 2.0.0",
            "1-alpha2 1-alpha-123 1-beta-2 1-beta123 1-m2 1-m11 1-rc 1-cr2 1-rc123 1 1-sp 1-sp2",
            "1.0-beta 1.0-beta-1",
            "1.0.0-beta-incubating 1.0.0-incubating",
        ] {
            let versions: Vec<Version> = sequence.split_whitespace().map(version).collect();
            for pair in versions.windows(2) {
                assert_eq!(
                    pair[0].precedence_cmp(&pair[1]),
                    Ordering::Less,
                    "{} < {}",
                    pair[0],
                    pair[1]
                );
                assert!(pair[0] < pair[1], "{} < {}", pair[0], pair[1]);
            }
        }
    }

    /// The research document's section 4.4: equal precedence, distinct spellings.
    #[test]
    fn equal_precedence_keeps_the_spellings_apart() {
        for group in [
            "1 1.0 1.0.0",
            "0.8.1 0.8.1.0",
            "13 13.0",
            "9.0.0.M1 9.0.0-M1",
            "1a1 1-alpha-1 1-alpha1",
            "1b2 1-beta-2",
            "1m3 1-milestone-3",
            "1cr 1rc",
            "3.0-RC1 3.0-rc-1",
            "1.0.0-incubating 1.0.0",
            "1.0-ga 1.0-final 1.0",
        ] {
            let versions: Vec<Version> = group.split_whitespace().map(version).collect();
            for pair in versions.windows(2) {
                assert_eq!(pair[0].precedence_cmp(&pair[1]), Ordering::Equal, "{group}");
                assert_ne!(pair[0], pair[1], "{group}");
                assert_ne!(pair[0].cmp(&pair[1]), Ordering::Equal, "{group}");
            }
        }
    }

    #[test]
    fn pre_releases_are_alpha_beta_milestone_preview_and_rc() {
        for text in [
            "4.0.0-M1",
            "4.0.0-alpha-1",
            "2.0.0-beta",
            "4.0.0-rc-2",
            "2.0-preview1",
        ] {
            assert!(version(text).is_pre_release(), "{text}");
        }
        for text in ["4.0.0", "0.7.2-incubating", "12.0-u1", "1.0-ga", "24"] {
            assert!(!version(text).is_pre_release(), "{text}");
        }
    }

    #[test]
    fn lines_hold_the_first_two_numbers_or_the_only_one() {
        for (text, line) in [
            ("2.3.0", "2.3"),
            ("4.0.0-M1", "4.0"),
            ("3.0", "3.0"),
            ("0.10.2.1", "0.10"),
            ("24", "24"),
            ("16-u1", "16"),
            ("0.7.2-incubating", "0.7"),
        ] {
            assert_eq!(version(text).line().to_string(), line, "{text}");
        }
        let line: Line = "24".parse().unwrap();
        assert_eq!((line.major(), line.minor()), (24, None));
        assert_eq!(line.first_version().to_string(), "24");
        assert_eq!(
            "2.3".parse::<Line>().unwrap().first_version().to_string(),
            "2.3.0"
        );
        assert!("24".parse::<Line>().unwrap() != "24.0".parse::<Line>().unwrap());
    }

    #[test]
    fn next_patch_raises_the_last_number_and_refuses_pre_releases() {
        for (text, next) in [
            ("2.3.0", "2.3.1"),
            ("0.10.2.1", "0.10.2.2"),
            ("3.0", "3.0.1"),
            ("24", "25"),
            ("12.0-u1", "12.0.1"),
            ("0.7.2-incubating", "0.7.3-incubating"),
        ] {
            assert_eq!(
                version(text).next_patch().unwrap().to_string(),
                next,
                "{text}"
            );
        }
        for text in ["4.0.0-M1", "4.0.0-rc-2", "2.0-preview1"] {
            let err = version(text).next_patch().unwrap_err().to_string();
            assert!(
                err.contains("pre-release") && err.contains("give it"),
                "{err}"
            );
        }
        let last = version(&format!("1.0.{}", u64::MAX));
        assert!(last.next_patch().is_err());
    }

    #[test]
    fn heading_anchors_follow_github() {
        assert_eq!(version("3.18.0").heading_anchor(), "3180");
        assert_eq!(version("4.0.0-M1").heading_anchor(), "400-m1");
        assert_eq!(version("2.0.0-beta.2").heading_anchor(), "200-beta2");
    }

    #[test]
    fn rc_numbers_are_plain_numbers_from_zero() {
        assert_eq!(parse_rc("2").unwrap(), 2);
        assert_eq!(parse_rc("0").unwrap(), 0);
        assert_eq!(parse_rc("4294967295").unwrap(), u32::MAX);
        for bad in ["rc1", "", "-1", "+1", "4294967296", "1.0", " 1"] {
            let err = parse_rc(bad).unwrap_err().to_string();
            assert!(err.contains("like --rc 1"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn fills_patterns_and_rejects_unknown_placeholders() {
        let values = [("name", "apisix"), ("version", "2.3.0")];
        assert_eq!(
            fill("apache-{name}-{version}-src.tgz", &values).unwrap(),
            "apache-apisix-2.3.0-src.tgz"
        );
        let err = fill("{nmae}", &values).unwrap_err().to_string();
        assert!(err.contains("{nmae}") && err.contains("{name}"), "{err}");
        assert!(fill("{name", &values).is_err());
    }
}
