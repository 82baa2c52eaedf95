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

//! Release lines and the main branch, on the shapes of real projects' branches.

use super::*;

fn tip(name: &str, commit: &str, time: i64) -> RefTip {
    RefTip {
        name: name.into(),
        commit: commit.into(),
        time,
        created: time,
    }
}

fn release(version: &str, tag: &str, commit: &str, time: i64) -> Released {
    Released {
        version: version.parse().unwrap(),
        tag: tag.into(),
        commit: commit.into(),
        time,
        off_main: None,
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
    assert_eq!(found.key, "release-from-main");
    assert_eq!(found.value.as_deref(), Some("true"));
    assert!(
        found.comment.contains(
            "tagged on the main branch (newest: rel/commons-lang-3.20.0, in the history of master)"
        ),
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

#[test]
fn a_release_commit_beside_the_main_branch_still_means_releasing_from_it() {
    let beside = |off| Released {
        off_main: off,
        ..release("3.20.0", "rel/commons-lang-3.20.0", "r", 1_700_000_000)
    };
    let branches = [tip("master", "m", 1_760_000_000)];
    let found = branch_pattern(&branches, Some("master"), &[beside(Some(1))], &no_history);
    assert_eq!(found.key, "release-from-main");
    assert_eq!(found.value.as_deref(), Some("true"));
    assert!(
        found.comment.contains("1 commit(s) beside master"),
        "{}",
        found.comment
    );
    // Too far from it, or not counted (a shallow clone): no claim.
    for off in [Some(NEAR_MAIN + 1), None] {
        let found = branch_pattern(&branches, Some("master"), &[beside(off)], &no_history);
        assert_eq!(found.key, "branch-pattern", "{off:?}");
        assert_eq!(found.value, None);
    }
}

#[test]
fn one_number_versions_get_a_branch_pattern_without_minor() {
    // The Apache parent POM: apache-38, apache-39 on master, no branches but master.
    let released = [
        release("38", "apache-38", "a", 100),
        release("39", "apache-39", "b", 200),
    ];
    let branches = [tip("master", "m", 300)];
    let found = branch_pattern(&branches, Some("master"), &released, &no_history);
    assert_eq!(found.value.as_deref(), Some("\"{major}.x\""));
    assert!(
        found.comment.contains("makes the line's branch 39.x"),
        "{}",
        found.comment
    );
    // Versions of three numbers keep the default.
    let released = [release("1.2.0", "1.2.0", "a", 100)];
    let found = branch_pattern(&branches, Some("master"), &released, &no_history);
    assert_eq!(found.value, None);
}
