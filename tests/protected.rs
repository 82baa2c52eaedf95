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

//! Protected release branches (issue 23): where `.asf.yaml` (or GitHub) requires reviews on
//! the release branch, `backport`, `changelog` and `version bump` open pull requests instead
//! of pushing, the flow waits naming them, and reruns pick up merged and closed ones. The
//! GitHub stand-in answers the pulls API as documented and refuses pushes to the branch.

mod common;
mod flow;

use asf_release::config::Dist;
use flow::*;

/// Phase 1 of the protected world, then GitHub protects v1.0 and a fix lands on master.
fn branched(world: &common::World) -> asf_release::demo::Sandbox {
    let sandbox = protected_sandbox_at(world, "protected", Dist::Svn);
    expect_code(
        &xtask(&sandbox, &["release", "1.0", "--yes", "--until", "branch"]),
        0,
    );
    protect(&sandbox);
    asf_release::demo::land_fix_on_master(&sandbox, 4).unwrap();
    sandbox
}

#[test]
fn a_protected_release_branch_takes_pull_requests_and_the_flow_waits_for_their_merge() {
    let world = common::World::new();
    let sandbox = branched(&world);
    let origin = sandbox.path("origin.git");
    let before = git_in(&sandbox, &origin, &["rev-parse", "v1.0"]);

    // The backport: a pull request per backported PR, and the flow stops naming it.
    let first = xtask(&sandbox, &["release", "1.0", "--yes"]);
    expect_code(&first, 2);
    let printed = text(&first);
    assert!(
        printed.contains("takes changes through reviewed pull requests")
            && printed.contains("requires approving reviews on v1.0")
            && printed.contains("[Backport v1.0] fix: do not crash on a nil request")
            && printed.contains("wait"),
        "{printed}"
    );
    assert_eq!(
        git_in(&sandbox, &origin, &["rev-parse", "v1.0"]),
        before,
        "nothing was pushed to the protected branch"
    );
    let open = sandbox.github.open_pulls();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["head"]["ref"], "asf-release/v1.0/backport-4");
    assert_eq!(open[0]["base"]["ref"], "v1.0");
    let number = open[0]["number"].as_u64().unwrap();
    assert_eq!(sandbox.github.labels(number), ["backport"]);
    let body = open[0]["body"].as_str().unwrap();
    assert!(
        body.contains("https://github.com/apache/demo/pull/4"),
        "{body}"
    );
    // The upstream PR keeps `need backport` until its backport is merged.
    assert_eq!(sandbox.github.labels(4), ["need backport"]);

    // Rerun while it is open: the flow waits, nothing new is opened.
    let again = xtask(&sandbox, &["release", "1.0", "--yes"]);
    expect_code(&again, 2);
    assert!(
        text(&again).contains(&format!("PR #{number}")) && text(&again).contains("wait"),
        "{}",
        text(&again)
    );
    assert_eq!(sandbox.github.open_pulls().len(), 1);

    // A run cut between opening the PR and labelling it (issue 30): the rerun labels it.
    for issue in sandbox.github.state().issues.iter_mut() {
        if issue["number"] == number {
            issue["labels"] = serde_json::json!([]);
        }
    }
    let labelled = xtask(&sandbox, &["release", "1.0", "--yes"]);
    expect_code(&labelled, 2);
    assert!(
        text(&labelled).contains(&format!("label the backport PR #{number} `backport`")),
        "{}",
        text(&labelled)
    );
    assert_eq!(sandbox.github.labels(number), ["backport"]);
    assert_eq!(sandbox.github.open_pulls().len(), 1);

    // Merged: the rerun relabels, then the CHANGELOG and the version bump go the same way.
    let end = release_through_reviews(&sandbox);
    expect_code(&end, 2);
    assert!(
        text(&end).contains("stopped before tally"),
        "{}",
        text(&end)
    );
    assert_eq!(sandbox.github.labels(4), ["backported"]);
    let subjects = git_in(&sandbox, &origin, &["log", "--format=%s", "v1.0"]);
    for needle in [
        "Merge pull request #5 from apache/asf-release/v1.0/backport-4",
        "Merge pull request #6 from apache/asf-release/v1.0/changelog-1.0.0",
        "Merge pull request #7 from apache/asf-release/v1.0/version-1.0.0",
        "docs: CHANGELOG of Demo 1.0.0",
        "chore: bump version to 1.0.0",
        "fix: do not crash on a nil request (#4)",
    ] {
        assert!(subjects.contains(needle), "{needle:?} in:\n{subjects}");
    }
    // The candidate is tagged on what the branch has after the merges.
    let tagged = git_in(&sandbox, &origin, &["rev-parse", "1.0.0-rc1^{commit}"]);
    assert_eq!(tagged, git_in(&sandbox, &origin, &["rev-parse", "v1.0"]));
    expect_code(&finish(&sandbox, 1), 0);
}

#[test]
fn a_closed_backport_pull_request_is_named_and_a_refused_push_switches_to_pull_requests() {
    let world = common::World::new();
    // The world where .asf.yaml says nothing of reviews on v1.0, but GitHub refuses the push.
    let sandbox = sandbox_at(&world, "refused", Dist::Svn);
    expect_code(
        &xtask(&sandbox, &["release", "1.0", "--yes", "--until", "branch"]),
        0,
    );
    // The project titles and labels its backport PRs its own way (on the release branch, whose
    // settings the release reads, before GitHub protects it).
    let project = sandbox.project();
    git_in(&sandbox, &project, &["checkout", "-q", "v1.0"]);
    let manifest = project.join("Cargo.toml");
    let settings = std::fs::read_to_string(&manifest).unwrap().replacen(
        "display-name = \"Demo\"\n",
        "display-name = \"Demo\"\nbackport-pr-title = \"{title} (backport #{number} to {branch})\"\nbackport-pr-label = \"cherry-pick\"\n",
        1,
    );
    std::fs::write(&manifest, settings).unwrap();
    git_in(
        &sandbox,
        &project,
        &["commit", "-q", "-am", "chore: backport PR style"],
    );
    git_in(&sandbox, &project, &["push", "-q", "origin", "v1.0"]);
    protect(&sandbox);
    asf_release::demo::land_fix_on_master(&sandbox, 4).unwrap();
    let refused = xtask(&sandbox, &["backport", "--yes", "1.0"]);
    expect_code(&refused, 1);
    assert!(
        text(&refused).contains("refused the push to v1.0: it is protected")
            && text(&refused).contains("GH006")
            && text(&refused).contains("as pull requests"),
        "{}",
        text(&refused)
    );
    // The rerun goes through a pull request.
    let rerun = xtask(&sandbox, &["backport", "--yes", "1.0"]);
    expect_code(&rerun, 0);
    assert!(
        text(&rerun).contains("refused a push to v1.0"),
        "{}",
        text(&rerun)
    );
    let open = sandbox.github.open_pulls();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(
        open[0]["title"],
        "fix: do not crash on a nil request (backport #4 to v1.0)"
    );
    let number = open[0]["number"].as_u64().unwrap();
    assert_eq!(sandbox.github.labels(number), ["cherry-pick"]);
    // A reviewer closes it without merging: the backport names it and how to go on.
    sandbox
        .github
        .close_pull(open[0]["number"].as_u64().unwrap());
    let closed = xtask(&sandbox, &["backport", "--yes", "1.0"]);
    expect_code(&closed, 1);
    assert!(
        text(&closed).contains("was closed without being merged")
            && text(&closed).contains("remove the label `need backport`"),
        "{}",
        text(&closed)
    );
    assert!(sandbox.github.open_pulls().is_empty(), "nothing reopened");
}

#[test]
fn changelog_and_version_bump_ask_before_opening_their_pull_requests() {
    let world = common::World::new();
    let sandbox = branched(&world);
    let origin = sandbox.path("origin.git");
    let branches = |sandbox: &asf_release::demo::Sandbox| {
        git_in(sandbox, &origin, &["for-each-ref", "--format=%(refname)"])
    };
    let before = branches(&sandbox);
    // No terminal and no --yes: nothing is pushed or opened, and the error names the rerun.
    for args in [
        &["changelog", "1.0.0"][..],
        &["version", "bump", "1.0.0"][..],
    ] {
        let refused = xtask(&sandbox, args);
        expect_code(&refused, 1);
        assert!(
            text(&refused).contains("changes what others see")
                && text(&refused).contains(&format!("{} --yes`", args.join(" "))),
            "{}",
            text(&refused)
        );
        assert_eq!(branches(&sandbox), before, "nothing was pushed");
        assert!(sandbox.github.open_pulls().is_empty(), "no PR was opened");
    }
    // With --yes, the CHANGELOG goes out as a pull request.
    let confirmed = xtask(&sandbox, &["changelog", "1.0.0", "--yes"]);
    expect_code(&confirmed, 0);
    let open = sandbox.github.open_pulls();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["head"]["ref"], "asf-release/v1.0/changelog-1.0.0");
}
