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

mod grammar;

use std::cmp::Ordering;
use std::fmt;

use anyhow::{bail, Context, Result};

pub use grammar::version_regex;
use grammar::{Qualifier, Rank, INCUBATING};

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

/// A release line (`2.3`), the unit that owns a release branch: the first two numbers of its
/// versions, or the one number of a project numbered like NetBeans (`24`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Line {
    major: u64,
    minor: Option<u64>,
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
            let release = Version {
                qualifier: None,
                ..*self
            };
            bail!(
                "{self} is a pre-release: the version after it (another pre-release or the \
                 release {release} itself) is the project's choice; give it explicitly"
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

    /// Whether the qualifier marks a release candidate (`-rc1`, `-RC`, `.CR2`): unlike an
    /// alpha, beta, milestone or preview, which are releases of their own, such a version is
    /// a candidate of another.
    pub fn is_candidate(&self) -> bool {
        self.rank() == Rank::Rc
    }

    /// A candidate read off a version (`2.3.0-rc.2` -> 2.3.0, `-rc.`, 2): the version without
    /// its candidate qualifier, the marker as written before the number, and the number. None
    /// when the qualifier is no candidate's or has no number, or when `-incubating` follows
    /// it (`0.8.0-rc1-incubating` is no `{version}<marker>{rc}`).
    pub fn candidate_parts(&self) -> Option<(Version, String, u64)> {
        let qualifier = self.qualifier.filter(|q| q.rank == Rank::Rc)?;
        let (joint, number) = qualifier.number?;
        if self.incubating {
            return None;
        }
        let marker = format!(
            "{}{}{}",
            qualifier.lead.as_str(),
            qualifier.word,
            joint.as_str()
        );
        let version = Version {
            qualifier: None,
            ..*self
        };
        Some((version, marker, number))
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

    /// Whether `self`, as a mail subject spells it, names `other`: the same numbers, all of
    /// them (`39.0` is not `39`, `1.2.3.4` not `1.2.3`) except that `X.Y` and `X.Y.0` name each
    /// other (`[VOTE] TVM 0.5` is 0.5.0); the same qualifier word in either case, joined in
    /// any way, with the same number (`4.0.0.m1` is `4.0.0-M1`; `-M10`, `-preview1` and
    /// `-alpha1` for `-a1` are not); `-incubating` written or not.
    pub fn names(&self, other: &Version) -> bool {
        let counts = (self.count.min(other.count), self.count.max(other.count));
        let numbers = self.numbers == other.numbers
            && (self.count == other.count || (counts == (2, 3) && self.numbers[2] == 0));
        let qualifier = |version: &Version| {
            version
                .qualifier
                .map(|q| (q.word.to_ascii_lowercase(), q.number.map(|(_, n)| n)))
        };
        numbers && qualifier(self) == qualifier(other)
    }

    /// A version spelled with a candidate's marker for its qualifier (`1.2.0-rc1`,
    /// `0.14.0.rc0`, `1.2.0RC1`, `24-rc`, the same words as [`Version::is_candidate`]): the
    /// version without it and the candidate's number. Unlike [`Version::candidate_parts`]
    /// (tag shapes), a mail subject may put `-incubating` after the marker.
    pub fn candidate_marker(&self) -> Option<(Version, Option<u64>)> {
        let qualifier = self.qualifier?;
        (qualifier.rank == Rank::Rc).then(|| {
            let version = Version {
                qualifier: None,
                ..*self
            };
            (version, qualifier.number.map(|(_, number)| number))
        })
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
mod tests;
