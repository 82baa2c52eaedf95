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
}

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
    let parts = [version.major, version.minor, version.patch];
    numbers.iter().zip(parts).all(|(n, p)| *n == p)
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
        let on_main = match newest {
            Some(newest) => format!(
                "the releases are tagged on the main branch (newest: {}{})",
                newest.tag,
                match main {
                    Some(main) if ancestor(&newest.commit, &format!("origin/{main}")) =>
                        format!(", in the history of {main}"),
                    _ => String::new(),
                }
            ),
            None => "there is no release yet".into(),
        };
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
mod tests {
    use super::*;

    fn tip(name: &str, commit: &str, time: i64) -> RefTip {
        RefTip {
            name: name.into(),
            commit: commit.into(),
            time,
        }
    }

    fn release(version: &str, tag: &str, commit: &str, time: i64) -> Released {
        Released {
            version: version.parse().unwrap(),
            tag: tag.into(),
            commit: commit.into(),
            time,
        }
    }

    fn no_history(_: &str, _: &str) -> bool {
        false
    }

    #[test]
    fn lines_are_the_branches_holding_or_named_after_releases() {
        // Apache APISIX (shallow): release/3.17 is the 3.17.0 tag, release/3.18 only named.
        let released = [
            release("3.17.0", "3.17.0", "a", 100),
            release("3.18.0", "3.18.0", "b", 200),
        ];
        let branches = [
            tip("master", "m", 300),
            tip("release/3.17", "a", 100),
            tip("release/3.18", "c", 210),
        ];
        let found = branch_pattern(&branches, Some("master"), &released, &no_history);
        assert_eq!(found.value.as_deref(), Some("\"release/{major}.{minor}\""));
        assert!(
            found.comment.contains("release/3.17 holds 3.17.0"),
            "{}",
            found.comment
        );
        // Apache Arrow Rust: one number per line.
        let released = [
            release("58.4.0", "58.4.0", "a", 100),
            release("59.2.0", "59.2.0", "b", 200),
        ];
        let branches = [
            tip("58_maintenance", "a", 100),
            tip("59_maintenance", "c", 250),
        ];
        let found = branch_pattern(&branches, Some("main"), &released, &no_history);
        assert_eq!(found.value.as_deref(), Some("\"{major}_maintenance\""));
        // Apache Iceberg Rust: `0.10.x`.
        let released = [release("0.10.1", "v0.10.1", "a", 100)];
        let found = branch_pattern(
            &[tip("0.10.x", "a", 100)],
            Some("main"),
            &released,
            &no_history,
        );
        assert_eq!(found.value.as_deref(), Some("\"{major}.{minor}.x\""));
    }

    #[test]
    fn reverts_one_offs_and_svn_era_branches_are_no_lines() {
        // Apache APISIX Ingress Controller: a revert branch and a `1.8` that never had a 1.8
        // release lose against the per-version branch holding the newest release.
        let released = [
            release("1.7.1", "1.7.1", "a", 100),
            release("2.2.0", "2.2.0", "b", 200),
        ];
        let branches = [
            tip("master", "m", 300),
            tip("1.8", "a", 100),
            tip("revert-2245-xiaolong/split-eventsCh", "r", 250),
            tip("revert-2250-xiaolong/split-eventsCh", "s", 260),
            tip("v2.2.0", "b", 200),
        ];
        let found = branch_pattern(&branches, Some("master"), &released, &no_history);
        assert_eq!(found.value.as_deref(), Some("\"v{major}.{minor}\""));
        assert!(
            found
                .comment
                .contains("branch per version (v2.2.0 holds 2.2.0)"),
            "{}",
            found.comment
        );
        assert!(
            found
                .comment
                .contains("no release has the numbers of 1.8, revert-2245"),
            "{}",
            found.comment
        );
        // Apache Pulsar Client Go: a one-off beside the per-version branches.
        let released = [
            release("0.20.0", "v0.20.0", "a", 100),
            release("0.21.0", "v0.21.0", "b", 200),
        ];
        let branches = [
            tip("branch-0.20.0", "a", 100),
            tip("branch-0.21.0", "b2", 210),
            tip("rename-module2", "x", 150),
            tip("rename-module3", "y", 160),
            tip("rename-module4", "z", 170),
        ];
        let found = branch_pattern(&branches, Some("master"), &released, &no_history);
        assert_eq!(found.value.as_deref(), Some("\"branch-{major}.{minor}\""));
        // Apache Commons Lang: SVN-era branches, releases tagged on master.
        let released = [release(
            "3.20.0",
            "rel/commons-lang-3.20.0",
            "r",
            1_700_000_000,
        )];
        let branches = [
            tip("master", "m", 1_760_000_000),
            tip("LANG_2_X", "p", 1_300_000_000),
            tip("LANG_3_X", "q", 1_350_000_000),
        ];
        let on_main = |a: &str, b: &str| a == "r" && b == "origin/master";
        let found = branch_pattern(&branches, Some("master"), &released, &on_main);
        assert_eq!(found.value, None);
        assert!(
            found.comment.contains("tagged on the main branch (newest: rel/commons-lang-3.20.0, in the history of master)"),
            "{}",
            found.comment
        );
        assert!(
            found.comment.contains("LANG_3_X predate every release tag"),
            "{}",
            found.comment
        );
        assert!(
            found
                .comment
                .contains("no release has the numbers of LANG_2_X"),
            "{}",
            found.comment
        );
    }

    #[test]
    fn the_main_branch_is_not_a_release_line() {
        let branches = [tip("0.10.x", "a", 100), tip("main", "b", 200)];
        let (found, name) = main_branch(Some("0.10.x"), &branches);
        assert_eq!(found.value.as_deref(), Some("\"main\""));
        assert_eq!(name.as_deref(), Some("main"));
        assert!(found.comment.contains("named like a release line"));
        assert_eq!(main_branch(None, &branches).1.as_deref(), Some("main"));
        assert_eq!(
            main_branch(Some("develop"), &branches).1.as_deref(),
            Some("develop")
        );
        assert_eq!(main_branch(None, &[tip("1.8", "a", 1)]).1, None);
        assert_eq!(
            main_branch(Some("1.8"), &[tip("1.8", "a", 1)]).1.as_deref(),
            Some("1.8")
        );
    }

    #[test]
    fn the_shapes_of_other_projects_are_still_found() {
        // Apache Commons Text: `1.2`, `1.3` beside branches named after JIRA issues.
        let released = [
            release("1.2.0", "rel/commons-text-1.2.0", "a", 100),
            release("1.3.0", "rel/commons-text-1.3.0", "b", 200),
        ];
        let branches = [
            tip("1.2", "a", 100),
            tip("1.3", "c", 210),
            tip("TEXT-30", "d", 220),
            tip("TEXT-51", "e", 230),
            tip("TEXT-55", "f", 240),
        ];
        assert_eq!(
            branch_pattern(&branches, Some("master"), &released, &no_history)
                .value
                .as_deref(),
            Some("\"{major}.{minor}\"")
        );
        // apisix-helm-chart: GitHub's editor and a bot make no lines.
        let released = [release("1.0.0", "apisix-1.0.0", "a", 100)];
        let branches = [
            tip("lingsamuel-patch-1", "x", 150),
            tip("dependabot/npm_and_yarn/lodash-1.0.0", "y", 160),
            // A major alone in the name: it proves a line by holding a release of it.
            tip("apisix/1.x", "a", 170),
        ];
        assert_eq!(
            branch_pattern(&branches, Some("master"), &released, &no_history)
                .value
                .as_deref(),
            Some("\"apisix/{major}.x\"")
        );
        // Apache Answer: a branch per version, `release/1.0.7`.
        let released = [
            release("1.0.7", "v1.0.7", "a", 100),
            release("1.0.8", "v1.0.8", "b", 200),
        ];
        let branches = [
            tip("release/1.0.7", "a", 100),
            tip("release/1.0.8", "b", 200),
            tip("feat/1.4.3/ui", "c", 300),
            tip("dev", "d", 300),
        ];
        let found = branch_pattern(&branches, Some("main"), &released, &no_history);
        assert_eq!(found.value.as_deref(), Some("\"release/{major}.{minor}\""));
        assert!(
            found.comment.contains(
                "branch per version (release/1.0.7 holds v1.0.7, release/1.0.8 holds v1.0.8)"
            ),
            "{}",
            found.comment
        );
        // Ancestry, where the clone has it, counts as much as a tip on the tag.
        let released = [release("2.1.0", "2.1.0", "t", 100)];
        let held = |a: &str, b: &str| a == "t" && b == "later";
        let found = branch_pattern(&[tip("2.1-stable", "later", 200)], None, &released, &held);
        assert_eq!(found.value.as_deref(), Some("\"{major}.{minor}-stable\""));
        assert!(
            found.comment.contains("2.1-stable holds 2.1.0"),
            "{}",
            found.comment
        );
    }

    #[test]
    fn the_lines_in_use_now_beat_an_older_habit() {
        // Apache Libcloud: per-version branches of 2013-2018, `X.Y.x` lines since.
        let released = [
            release("0.13.2", "v0.13.2", "a", 100),
            release("2.4.0", "v2.4.0", "b", 200),
            release("2.8.3", "v2.8.3", "c", 300),
            release("3.4.1", "v3.4.1", "d", 400),
        ];
        let branches = [
            tip("0.13.2", "a", 100),
            tip("2.4.0", "b", 200),
            tip("2.8.x", "c2", 310),
            tip("3.4.x", "d2", 410),
        ];
        let held = |a: &str, b: &str| (a, b) == ("c", "c2") || (a, b) == ("d", "d2");
        let found = branch_pattern(&branches, Some("trunk"), &released, &held);
        assert_eq!(found.value.as_deref(), Some("\"{major}.{minor}.x\""));
        assert!(
            found.comment.contains(
                "branches of other shapes, with older or fewer releases: {major}.{minor} (2)"
            ),
            "{}",
            found.comment
        );
        // A one-off named after the newest line, holding nothing, does not beat the lines.
        let released = [
            release("2.0.0", "v2.0.0", "a", 100),
            release("2.1.0", "v2.1.0", "b", 200),
        ];
        let branches = [tip("branch-2.0", "a", 100), tip("rename-module2", "x", 300)];
        let found = branch_pattern(&branches, Some("master"), &released, &no_history);
        assert_eq!(found.value.as_deref(), Some("\"branch-{major}.{minor}\""));
    }
}
