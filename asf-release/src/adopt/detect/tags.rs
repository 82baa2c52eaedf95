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

//! The shapes of the release and candidate tags, from the tags themselves.
//!
//! A tag is read with the version grammar: one to four numbers and a qualifier (`apache-39`,
//! `surefire-3.0.0-M1`, `v0.58.2-rc.5`). A milestone, alpha, beta or preview is a release of
//! its own; only a candidate's marker (`rc`, `RC`, `CR`, `candidate`) makes a candidate tag.
//!
//! A repository may hold several families of tags (Cordova JS: its own `6.1.0`, `rel/6.1.0`
//! and the platforms' `android-7.1.1`, `osx-7.0.0` ..., all on its main branch's first-parent
//! history). The family of the project's own release line is the one whose newest tag's files
//! state its version, then the one tagged most recently; the highest version, the number of
//! tags and the plainer pattern decide only between those, as a version says nothing of
//! whose it is.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::{quoted, Setting};
use crate::clock::iso_date;
use crate::version::{version_regex, Version};

/// A tag as evidence: its name and when it was made (an annotated tag's tagger date, else its
/// commit's date).
#[derive(Debug, Clone)]
pub(super) struct Tag {
    pub name: String,
    pub created: i64,
}

/// A tag of a family, read.
#[derive(Debug, Clone)]
struct Tagged {
    version: Version,
    tag: String,
    created: i64,
}

/// What a tag's name says: the pattern of its family and its version (and candidate).
#[derive(Debug, PartialEq)]
enum Reading {
    Release {
        pattern: String,
        version: Version,
    },
    Candidate {
        pattern: String,
        version: Version,
        rc: u64,
    },
}

/// The regexes a tag is read with.
struct Reader {
    /// The version grammar's spellings, anchored at the start.
    version: regex::Regex,
    /// A candidate's marker and number after the version (`-candidate-1`, `_RC2`).
    marker: regex::Regex,
}

impl Reader {
    fn new() -> Reader {
        Reader {
            version: regex::Regex::new(&format!("^(?:{})", version_regex())).expect("valid"),
            marker: regex::Regex::new(r"^([^0-9]*)([0-9]+)$").expect("valid"),
        }
    }

    /// The reading of `tag` from the first place a version may start. A number glued to a
    /// word is the word's (`commons-lang3-3.20.0` is `commons-lang3-{version}`, `log4j-2.1`);
    /// the first number that stands alone must be the version: `IO_1_3` (CVS's 1.3) and
    /// `surefire-2.20_vote-3` are no tags of the grammar's versions, not `IO_1_{version}`.
    fn read(&self, tag: &str) -> Option<Reading> {
        for (index, c) in tag.char_indices() {
            let before = tag[..index].chars().next_back();
            if !c.is_ascii_digit() || before.is_some_and(|b| b.is_ascii_digit() || b == '.') {
                continue;
            }
            if let Some(reading) = self.read_at(&tag[..index], &tag[index..]) {
                return Some(reading);
            }
            if !before.is_some_and(|b| b.is_ascii_alphabetic()) {
                return None;
            }
        }
        None
    }

    fn read_at(&self, prefix: &str, text: &str) -> Option<Reading> {
        let found = self.version.find(text)?;
        let version: Version = found.as_str().parse().ok()?;
        let rest = &text[found.end()..];
        if rest.is_empty() {
            if let Some((version, marker, rc)) = version.candidate_parts() {
                return Some(Reading::Candidate {
                    pattern: format!("{prefix}{{version}}{marker}{{rc}}"),
                    version,
                    rc,
                });
            }
            // `1.0.0-RC` without a number is neither a release nor a numbered candidate.
            return (!version.is_candidate()).then(|| Reading::Release {
                pattern: format!("{prefix}{{version}}"),
                version,
            });
        }
        if version.is_candidate() {
            return None;
        }
        let c = self.marker.captures(rest)?;
        let words: String = c[1]
            .chars()
            .filter(char::is_ascii_alphabetic)
            .collect::<String>()
            .to_ascii_lowercase();
        if !["rc", "cr", "candidate"].contains(&words.as_str()) {
            return None;
        }
        Some(Reading::Candidate {
            pattern: format!("{prefix}{{version}}{}{{rc}}", &c[1]),
            version,
            rc: c[2].parse().ok()?,
        })
    }
}

/// A family of tags as weighed against the others.
struct Ranked {
    pattern: String,
    tags: Vec<Tagged>,
    /// The tag made last (the higher version between two made at once).
    newest: Tagged,
    /// Whether the newest tag's files state its version; `None` when it was not asked (one
    /// family only, or candidates).
    stated: Option<bool>,
}

impl Ranked {
    fn highest(&self) -> Option<&Tagged> {
        self.tags.iter().max_by_key(|t| t.version)
    }

    /// `android-{version} (28, newest android-7.1.1 of 2018-07-06, whose files do not state
    /// 7.1.1)`.
    fn describe(&self) -> String {
        let stated = match self.stated {
            Some(true) => format!(", whose files state {}", self.newest.version),
            Some(false) => format!(", whose files do not state {}", self.newest.version),
            None => String::new(),
        };
        format!(
            "{} ({}, newest {} of {}{stated})",
            self.pattern,
            self.tags.len(),
            self.newest.tag,
            iso_date(self.newest.created)
        )
    }
}

/// At most this many other families are named.
const SHOWN: usize = 4;

/// The families weighed, the current one first. One odd tag decides nothing: where a family
/// has two tags or more, families of one are left out. `states(tag, version)` tells whether
/// the files at `tag` state `version` (a version file), asked only where there is a choice.
fn ranked(
    families: BTreeMap<String, Vec<Tagged>>,
    states: &dyn Fn(&str, &Version) -> bool,
) -> Vec<Ranked> {
    let several = families.values().any(|tags| tags.len() >= 2);
    let kept: Vec<(String, Vec<Tagged>)> = families
        .into_iter()
        .filter(|(_, tags)| !several || tags.len() >= 2)
        .collect();
    let choice = kept.len() > 1;
    let mut ranked: Vec<Ranked> = kept
        .into_iter()
        .filter_map(|(pattern, tags)| {
            let newest = tags.iter().max_by_key(|t| (t.created, t.version))?.clone();
            let stated = choice.then(|| states(&newest.tag, &newest.version));
            Some(Ranked {
                pattern,
                tags,
                newest,
                stated,
            })
        })
        .collect();
    ranked.sort_by_key(|family| {
        Reverse((
            family.stated,
            family.newest.created,
            family.highest().map(|t| t.version),
            family.tags.len(),
            // Two families tagging the same commits (`6.1.0`, `rel/6.1.0`): the plainer.
            Reverse(family.pattern.len()),
        ))
    });
    ranked
}

/// The other families, for the comment.
fn others(rest: &[Ranked]) -> String {
    if rest.is_empty() {
        return String::new();
    }
    let mut named: Vec<String> = rest.iter().take(SHOWN).map(Ranked::describe).collect();
    if rest.len() > SHOWN {
        named.push(format!("{} more", rest.len() - SHOWN));
    }
    format!(
        "\nother tag shapes, not the current release line: {}",
        named.join(", ")
    )
}

/// The tag patterns of the existing tags, and the newest release tag. `states(tag, version)`
/// tells whether the repository's files at `tag` state `version`.
pub(super) fn tag_patterns(tags: &[Tag], states: &dyn Fn(&str, &Version) -> bool) -> TagShapes {
    let reader = Reader::new();
    let mut releases: BTreeMap<String, Vec<Tagged>> = Default::default();
    let mut candidates: BTreeMap<String, Vec<Tagged>> = Default::default();
    for tag in tags {
        let (family, pattern, version) = match reader.read(&tag.name) {
            Some(Reading::Release { pattern, version }) => (&mut releases, pattern, version),
            Some(Reading::Candidate {
                pattern, version, ..
            }) => (&mut candidates, pattern, version),
            None => continue,
        };
        family.entry(pattern).or_default().push(Tagged {
            version,
            tag: tag.name.clone(),
            created: tag.created,
        });
    }
    let mut settings = Vec::new();
    let mut release_families = ranked(releases, states).into_iter();
    let best = release_families.next();
    let rest: Vec<Ranked> = release_families.collect();
    let latest = best
        .as_ref()
        .and_then(Ranked::highest)
        .map(|t| (t.tag.clone(), t.version));
    settings.push(match &best {
        Some(family) => {
            let newest = &family.newest;
            let highest = match &latest {
                Some((tag, _)) if *tag != newest.tag => format!("highest {tag}, "),
                _ => String::new(),
            };
            let stated = match family.stated {
                Some(true) => format!(", whose files state {}", newest.version),
                _ => String::new(),
            };
            Setting {
                comment: format!(
                    "the shape of the release tags ({} found, {highest}newest {} of {}{stated}){}",
                    family.tags.len(),
                    newest.tag,
                    iso_date(newest.created),
                    others(&rest)
                ),
                key: "tag-pattern",
                value: Some(quoted(&family.pattern)),
            }
        }
        None => Setting {
            comment: "tag-pattern: no release tag found; the default is {version}".into(),
            key: "tag-pattern",
            value: None,
        },
    });
    // Candidates carry no version file of their own to tell (the release's commit often
    // does): the most recent family is the one in use.
    let rc_best = ranked(candidates, &|_, _| false).into_iter().next();
    if let Some(zero) = rc_best
        .as_ref()
        .and_then(|family| first_of_zero(&family.tags))
    {
        settings.push(Setting {
            comment: format!("candidates are numbered from 0 ({zero})"),
            key: "first-rc",
            value: Some("0".into()),
        });
    }
    settings.push(match rc_best {
        Some(family) => Setting {
            comment: format!(
                "the shape of the candidate tags ({})",
                family
                    .tags
                    .iter()
                    .map(|t| t.tag.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            key: "rc-tag-pattern",
            value: Some(quoted(&family.pattern)),
        },
        None => {
            let prefix = best
                .as_ref()
                .and_then(|family| family.pattern.strip_suffix("{version}"))
                .unwrap_or("");
            Setting {
                comment: format!(
                    "no release candidate tags found (the project has not tagged its \
                     candidates); `tag --rc` will make {prefix}{{version}}-rc{{rc}}"
                ),
                key: "rc-tag-pattern",
                value: Some(quoted(&format!("{prefix}{{version}}-rc{{rc}}"))),
            }
        }
    });
    let releases = best
        .map(|family| {
            family
                .tags
                .into_iter()
                .map(|t| (t.version, t.tag))
                .collect()
        })
        .unwrap_or_default();
    TagShapes {
        settings,
        releases,
        latest,
    }
}

/// The first candidate tag numbered 0 (Arrow nanoarrow's `apache-arrow-nanoarrow-0.8.0-rc0`):
/// the candidate patterns end with `{rc}`, so the number is the tag's last digits.
fn first_of_zero(tags: &[Tagged]) -> Option<&str> {
    tags.iter().map(|t| t.tag.as_str()).find(|tag| {
        let digits = tag.len() - tag.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        &tag[tag.len() - digits..] == "0"
    })
}

/// What the tags say: the pattern settings, the release tags of the current shape, the one of
/// the highest version.
pub(super) struct TagShapes {
    pub settings: Vec<Setting>,
    pub releases: Vec<(Version, String)>,
    pub latest: Option<(String, Version)>,
}

#[cfg(test)]
mod tests;
