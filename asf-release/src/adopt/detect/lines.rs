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

//! The main branch and the release lines, from evidence: a release line is a branch that
//! holds a released version's tag, or whose name carries a released line and that is not
//! older than the release tags. The most common name shape proves nothing: a GitHub revert
//! branch (`revert-1234-user/topic`), a one-off (`rename-module2`) or SVN-era branches
//! (`LANG_3_X`) are no lines, and a project whose releases are tagged on the main branch has
//! none at all. Clones may be shallow, so a tip equal to a tag's commit counts as much as
//! ancestry.

use super::{quoted, Setting};
use crate::tools::git::adopt::RefTip;
use crate::version::Version;

/// A released version: its tag and the tag's commit.
#[derive(Debug, Clone)]
pub(super) struct Released {
    pub version: Version,
    pub tag: String,
    pub commit: String,
    pub time: i64,
    /// How many of the tag's commits the main branch lacks (a release commit made beside it,
    /// as Maven's release plugin makes), up to [`NEAR_MAIN`] + 1; `None`: not counted.
    pub off_main: Option<usize>,
}

/// The most commits a release tag may carry beside the main branch and still count as tagged
/// on it (Commons Lang tags one "prepare the release" commit made beside master).
pub(super) const NEAR_MAIN: usize = 3;

/// What a branch's name says.
struct Named {
    /// The pattern of one branch per line: `release/{major}.{minor}`.
    shape: String,
    /// The numbers in the name: major, minor, patch (as many as it has).
    numbers: Vec<u64>,
    /// `v2.2.0`, `branch-0.21.0`: a branch per version.
    per_version: bool,
}

fn named(branch: &str) -> Option<Named> {
    let three =
        regex::Regex::new(r"^([^0-9]*)([0-9]+)([._-])([0-9]+)([._-])([0-9]+)$").expect("valid");
    let two = regex::Regex::new(r"^([^0-9]*)([0-9]+)([._-])([0-9]+)([^0-9]*)$").expect("valid");
    let one = regex::Regex::new(r"^([^0-9]*)([0-9]+)([^0-9]*)$").expect("valid");
    let number = |text: &str| text.parse::<u64>().ok();
    if let Some(c) = three.captures(branch) {
        return Some(Named {
            shape: format!("{}{{major}}{}{{minor}}", &c[1], &c[3]),
            numbers: vec![number(&c[2])?, number(&c[4])?, number(&c[6])?],
            per_version: true,
        });
    }
    if let Some(c) = two.captures(branch) {
        return Some(Named {
            shape: format!("{}{{major}}{}{{minor}}{}", &c[1], &c[3], &c[5]),
            numbers: vec![number(&c[2])?, number(&c[4])?],
            per_version: false,
        });
    }
    let c = one.captures(branch)?;
    Some(Named {
        shape: format!("{}{{major}}{}", &c[1], &c[3]),
        numbers: vec![number(&c[2])?],
        per_version: false,
    })
}

/// Whether `version` belongs to what the numbers name (a major, a line, a version).
fn fits(numbers: &[u64], version: &Version) -> bool {
    // A part the version does not write is 0 (`24` fits the line `24.0`).
    numbers
        .iter()
        .enumerate()
        .all(|(index, n)| version.numbers().get(index).copied().unwrap_or(0) == *n)
}

/// What a branch proves.
enum Evidence<'a> {
    /// Its tip is, or holds, a release tag of the numbers in its name.
    Holds(&'a Released),
    /// Its name carries a released line, its tip is newer than the first release tag.
    Names(&'a Released),
    /// Its name carries a released line, but it is older than every release tag (SVN era).
    Stale,
    /// No release has the numbers in its name (a revert branch, a one-off).
    Unreleased,
}

/// The evidence of the branches of one name shape.
#[derive(Default)]
struct Shape {
    per_version: bool,
    /// One number in the names (`59_maintenance`): a major alone, weak without a held tag.
    major_only: bool,
    holds: Vec<String>,
    names: Vec<String>,
    /// The newest release among them.
    newest: Option<Version>,
}

/// Branches made by update bots or by GitHub's editor are nobody's line, whatever their names.
fn is_tooling(branch: &str) -> bool {
    let tooling = regex::Regex::new(r"(^[^/]+-patch-[0-9]+$)|^(dependabot|renovate|snyk)[/-]")
        .expect("valid");
    tooling.is_match(branch)
}

/// The main branch: the remote's HEAD, unless that is missing or names a release line (a
/// mirror whose HEAD was left on `0.10.x`), then `main`, `master` or `trunk`.
pub(super) fn main_branch(head: Option<&str>, branches: &[RefTip]) -> (Setting, Option<String>) {
    let usual = branches
        .iter()
        .filter(|b| ["main", "master", "trunk"].contains(&b.name.as_str()))
        .max_by_key(|b| b.time)
        .map(|b| b.name.as_str());
    let (name, comment) = match (head, usual) {
        (Some(head), _) if named(head).is_none() => {
            (Some(head), "the branch origin/HEAD points at".to_string())
        }
        (Some(head), Some(usual)) => (
            Some(usual),
            format!(
                "origin/HEAD points at {head}, which is named like a release line; {usual} is \
                 the project's main branch"
            ),
        ),
        (None, Some(usual)) => (
            Some(usual),
            format!("the clone does not know origin/HEAD; {usual} is the remote's main branch"),
        ),
        (Some(head), None) => (
            Some(head),
            format!(
                "origin/HEAD points at {head}, named like a release line, and the remote has \
                 no main, master or trunk: check it"
            ),
        ),
        (None, None) => (
            None,
            "main-branch: the clone does not know origin/HEAD and the remote has no main, \
             master or trunk; the default is master"
                .to_string(),
        ),
    };
    let setting = Setting {
        comment,
        key: "main-branch",
        value: name.map(quoted),
    };
    (setting, name.map(str::to_string))
}

/// At most this many branch names are shown per reason.
const SHOWN: usize = 4;

fn shown(names: &[String]) -> String {
    let mut out: Vec<&str> = names.iter().take(SHOWN).map(String::as_str).collect();
    if names.len() > SHOWN {
        out.push("...");
    }
    out.join(", ")
}

/// `branch-pattern` from the branches that prove a release line. `ancestor(a, b)` tells
/// whether commit `a` is in the history of `b` (false where a shallow clone cannot tell).
pub(super) fn branch_pattern(
    branches: &[RefTip],
    main: Option<&str>,
    released: &[Released],
    ancestor: &dyn Fn(&str, &str) -> bool,
) -> Setting {
    let first_release = released.iter().map(|r| r.time).min();
    let mut shapes: std::collections::BTreeMap<String, Shape> = Default::default();
    let mut unreleased = Vec::new();
    let mut stale = Vec::new();
    for branch in branches {
        if Some(branch.name.as_str()) == main || is_tooling(&branch.name) {
            continue;
        }
        let Some(name) = named(&branch.name) else {
            continue;
        };
        let mut fitting: Vec<&Released> = released
            .iter()
            .filter(|r| fits(&name.numbers, &r.version))
            .collect();
        fitting.sort_by_key(|r| std::cmp::Reverse(r.version));
        let evidence = match fitting.first() {
            None => Evidence::Unreleased,
            Some(newest) => match fitting
                .iter()
                .find(|r| r.commit == branch.commit || ancestor(&r.commit, &branch.commit))
            {
                Some(held) => Evidence::Holds(held),
                None if first_release.is_some_and(|first| branch.time < first) => Evidence::Stale,
                None => Evidence::Names(newest),
            },
        };
        let entry = shapes.entry(name.shape).or_default();
        entry.per_version |= name.per_version;
        entry.major_only = name.numbers.len() == 1;
        match evidence {
            Evidence::Holds(held) => {
                entry
                    .holds
                    .push(format!("{} holds {}", branch.name, held.tag));
                entry.newest = entry.newest.max(Some(held.version));
            }
            Evidence::Names(named) => {
                entry.names.push(format!(
                    "{} is named after {}'s line",
                    branch.name, named.tag
                ));
                entry.newest = entry.newest.max(Some(named.version));
            }
            Evidence::Stale => stale.push(branch.name.clone()),
            Evidence::Unreleased => unreleased.push(branch.name.clone()),
        }
    }
    let mut rejected = Vec::new();
    if !unreleased.is_empty() {
        rejected.push(format!(
            "no release has the numbers of {}",
            shown(&unreleased)
        ));
    }
    if !stale.is_empty() {
        rejected.push(format!("{} predate every release tag", shown(&stale)));
    }
    // A shape whose branches hold release tags beats one only named after released lines; then
    // the one of the newest release wins (the lines in use now, not a decade-old habit), then
    // the most evidence.
    // A name with a major number alone (`ec2_regression_fix`, `gradle-8`) proves a line only
    // when one branch of its shape holds a release of it (`58_maintenance` holds 58.4.0).
    let mut weak = Vec::new();
    let mut evidenced: Vec<(String, Shape)> = Vec::new();
    for (pattern, shape) in shapes {
        if shape.major_only && shape.holds.is_empty() {
            weak.extend(
                shape
                    .names
                    .iter()
                    .map(|n| n.split(' ').next().unwrap_or(n).to_string()),
            );
        } else if !shape.holds.is_empty() || !shape.names.is_empty() {
            evidenced.push((pattern, shape));
        }
    }
    if !weak.is_empty() {
        rejected.push(format!(
            "{} carry only a major number and hold no release",
            shown(&weak)
        ));
    }
    let rejected = match rejected.is_empty() {
        true => String::new(),
        false => format!("\nnot release lines: {}", rejected.join("; ")),
    };

    evidenced.sort_by_key(|(_, shape)| {
        std::cmp::Reverse((
            !shape.holds.is_empty(),
            shape.newest,
            shape.holds.len(),
            shape.names.len(),
        ))
    });
    let mut evidenced = evidenced.into_iter();
    let best = evidenced.next();
    let older: Vec<String> = evidenced
        .map(|(shape, evidence)| {
            format!("{shape} ({})", evidence.holds.len() + evidence.names.len())
        })
        .collect();
    let older = match older.is_empty() {
        true => String::new(),
        false => format!(
            "\nbranches of other shapes, with older or fewer releases: {}",
            shown(&older)
        ),
    };
    let Some((
        shape,
        Shape {
            per_version,
            holds,
            names,
            ..
        },
    )) = best
    else {
        let newest = released.iter().max_by_key(|r| r.version);
        let in_main = newest.zip(main).filter(|(newest, main)| {
            newest.off_main.is_some_and(|off| off <= NEAR_MAIN)
                || ancestor(&newest.commit, &format!("origin/{main}"))
        });
        // The newest release in the main branch's history is the evidence that the project
        // releases from it; without it (no release, or history a shallow clone lacks) the
        // default line branches stay.
        if let Some((newest, main)) = in_main {
            return Setting {
                comment: format!(
                    "no branch holds a released version's tag or is named after a released \
                     line: the releases are tagged on the main branch (newest: {}, {}); with \
                     this setting `branch` cuts nothing and `backport` has nothing to do \
                     (remove it and set branch-pattern to keep a branch per line){rejected}",
                    newest.tag,
                    match newest.off_main {
                        Some(off) if off > 0 => format!("{off} commit(s) beside {main}"),
                        _ => format!("in the history of {main}"),
                    }
                ),
                key: "release-from-main",
                value: Some("true".into()),
            };
        }
        let on_main = match newest {
            Some(newest) => format!(
                "the releases are tagged on the main branch (newest: {})",
                newest.tag
            ),
            None => "there is no release yet".into(),
        };
        // Versions of one number (the Apache parent POM's 39) make lines of one number, which
        // the default v{major}.{minor} cannot name: `{major}.x` can, and no version tag is
        // spelled like it.
        if let Some(newest) = newest.filter(|n| n.version.numbers().len() == 1) {
            let line = newest.version.line();
            return Setting {
                comment: format!(
                    "no branch holds a released version's tag or is named after a released \
                     line: {on_main}; its versions have one number, so a line is one number \
                     too: `branch {line}` makes the line's branch {line}.x when one needs \
                     patches{rejected}"
                ),
                key: "branch-pattern",
                value: Some(quoted("{major}.x")),
            };
        }
        return Setting {
            comment: format!(
                "branch-pattern: no branch holds a released version's tag or is named after a \
                 released line: {on_main}; `branch X.Y` makes a line's branch, by default \
                 v{{major}}.{{minor}}, when one needs patches{rejected}"
            ),
            key: "branch-pattern",
            value: None,
        };
    };
    let mut evidence: Vec<String> = holds;
    evidence.extend(names);
    let comment = match per_version {
        true => format!(
            "the project makes a branch per version ({}); this tool keeps one branch per line \
             (X.Y), named the same way without the patch number, from which each X.Y.Z is \
             tagged{older}{rejected}",
            shown(&evidence)
        ),
        false => format!("the release lines: {}{older}{rejected}", shown(&evidence)),
    };
    Setting {
        comment,
        key: "branch-pattern",
        value: Some(quoted(&shape)),
    }
}

#[cfg(test)]
mod tests;
