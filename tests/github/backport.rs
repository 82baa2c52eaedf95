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

//! `backport` against the stand-in: every merge kind, a paced 150-PR relabel, the token
//! checked before the push, one bad PR in a batch, a renamed repository, a label gone already.

use std::time::Duration;

use super::common::*;
use super::project::*;
use asf_release::demo::github::{
    GitHubStandIn, MergedPull, PushedCommit, Rights, WriteLimit, REPO_ID,
};
use asf_release::tools::github::{MAX_WAIT_VAR, WRITE_INTERVAL_VAR};

#[test]
fn a_150_pr_relabel_is_paced_below_the_secondary_limit() {
    let p = Project::new();
    let mut commits = Vec::new();
    for number in 1..=150u64 {
        p.git(&[
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            &format!("Fix {number} (#{number})"),
        ]);
        commits.push(p.git(&["rev-parse", "HEAD"]));
    }
    p.git(&["push", "-q", "origin", "master"]);
    // The branch is cut after the fixes: every one is on it, only the labels change.
    p.ok(&["branch", "--yes", "2.3"]);
    p.git(&["push", "-q", "origin", "master"]);
    for (index, commit) in commits.iter().enumerate() {
        let number = index as u64 + 1;
        p.github.add_merged_pull(
            number,
            "Fix",
            commit,
            "2024-06-01T00:00:00Z",
            &["need backport"],
            "master",
        );
    }
    // GitHub allows about 80 content-creating requests a minute; here at 1/100 of the time
    // scale, with the pacing at 1/100 of its default second.
    p.github.limit_writes(WriteLimit {
        max: 80,
        window: Duration::from_millis(600),
    });
    let out = p.xtask_env(
        &["backport", "2.3", "--yes"],
        &[(WRITE_INTERVAL_VAR, "10"), (MAX_WAIT_VAR, "5")],
    );
    let text = stdout(&out) + &stderr(&out);
    assert!(out.status.success(), "{text}");
    let writes: Vec<_> = p
        .github
        .seen()
        .into_iter()
        .filter(|s| s.method != "GET")
        .collect();
    assert_eq!(writes.len(), 300);
    assert!(
        writes.iter().all(|s| s.status < 300),
        "no write was refused"
    );
    let took = writes[299].at - writes[0].at;
    assert!(took >= Duration::from_millis(2900), "paced: {took:?}");
    for number in [1, 75, 150] {
        assert_eq!(p.github.labels(number), ["backported"]);
    }
}

#[test]
fn each_merge_kind_is_backported_with_all_its_commits_in_order() {
    let p = project_with_release_branch();
    let merged = p.merge_pull(61, "m.txt", "merged\n");
    let (pushed, landed) = p.rebase_pull(
        62,
        &[
            ("r1.txt", "one\n"),
            ("r2.txt", "two\n"),
            ("r3.txt", "three\n"),
        ],
    );
    // A squash of two pushed commits: one new commit on master.
    let squashed = p.squash_pull(63, "s.txt", "squashed\n");
    let pull = |number: u64, title: &str, sha: &str, commits: Vec<PushedCommit>| MergedPull {
        number,
        title: title.to_string(),
        merged_at: format!("2024-06-{:02}T00:00:00Z", number - 60),
        labels: vec!["need backport".to_string()],
        base: "master".to_string(),
        merge_commit_sha: Some(sha.to_string()),
        commits,
    };
    p.github.add_merged_pull(
        61,
        "Merged",
        &merged,
        "2024-06-01T00:00:00Z",
        &["need backport"],
        "master",
    );
    p.github.add_pull(pull(62, "Rebased", &landed[2], pushed));
    let squash_parts = (1..=2)
        .map(|i| PushedCommit {
            sha: format!("{i:040x}"),
            message: format!("WIP {i}"),
            author_name: "A Contributor".into(),
            author_email: "contributor@example.org".into(),
        })
        .collect();
    p.github
        .add_pull(pull(63, "Squashed", &squashed, squash_parts));
    // The first commit of the rebased PR reached the branch by hand: only the rest is picked.
    p.git(&["checkout", "-q", "v2.3"]);
    p.git(&["cherry-pick", "-x", &landed[0]]);
    p.git(&["push", "-q", "origin", "v2.3"]);
    p.git(&["checkout", "-q", "master"]);

    let dry = p.ok(&["--dry-run", "backport", "2.3"]);
    assert!(
        dry.contains(&format!("to pick: PR #61 Merged (merge commit: {merged})")),
        "{dry}"
    );
    assert!(
        dry.contains(&format!(
            "to pick: PR #62 Rebased (rebase: {})",
            landed[1..].join(" ")
        )),
        "{dry}"
    );
    assert!(
        dry.contains(&format!("to pick: PR #63 Squashed (squash: {squashed})")),
        "{dry}"
    );
    assert!(
        dry.contains(&format!("cherry-pick -x -m 1 {merged}")),
        "{dry}"
    );

    let out = p.ok(&["backport", "--yes", "2.3"]);
    assert!(out.contains("backported 3 PR(s) (4 commit(s))"), "{out}");
    let subjects = p.origin(&["log", "--format=%s", "--reverse", "master..v2.3"]);
    assert_eq!(
        subjects
            .lines()
            .filter(|s| !s.starts_with("chore"))
            .collect::<Vec<_>>(),
        [
            "Part 1 of #62: r1.txt",
            "Merge pull request #61 from dev/pr-61",
            "Part 2 of #62: r2.txt",
            "Part 3 of #62: r3.txt",
            "Change s.txt (#63)",
        ]
    );
    for number in [61, 62, 63] {
        assert_eq!(p.github.labels(number), ["backported"], "#{number}");
    }
    assert!(p
        .ok(&["backport", "--yes", "2.3"])
        .contains("nothing to do"));
}

#[test]
fn one_bad_pr_is_skipped_with_the_reason_and_the_others_go_on() {
    let p = project_with_release_branch();
    let good = p.squash_pull(71, "h.txt", "fix h\n");
    p.git(&["checkout", "-q", "-b", "side", "master"]);
    let side = p.commit_file("i.txt", "side change\n", "Change on a side branch");
    p.git(&["push", "-q", "origin", "side"]);
    p.git(&["checkout", "-q", "master"]);
    let labels = &["need backport"][..];
    p.github
        .add_merged_pull(71, "Fix h", &good, "2024-06-01T00:00:00Z", labels, "master");
    p.github.add_merged_pull(
        72,
        "Side fix",
        &side,
        "2024-06-02T00:00:00Z",
        labels,
        "master",
    );
    p.github.add_merged_pull(
        73,
        "Merged after the fetch",
        &"ab".repeat(20),
        "2024-06-03T00:00:00Z",
        labels,
        "master",
    );
    p.github.add_pull(MergedPull {
        number: 74,
        title: "No merge commit".into(),
        merged_at: "2024-06-04T00:00:00Z".into(),
        labels: vec!["need backport".into()],
        base: "master".into(),
        merge_commit_sha: None,
        commits: Vec::new(),
    });

    // The dry run shows the plan and fails as the real run will: its exit code says whether
    // the plan can go through.
    let dry = p.xtask(&["--dry-run", "backport", "2.3"]);
    let dry_text = stdout(&dry) + &stderr(&dry);
    assert!(
        dry_text.contains("to pick: PR #71") && dry_text.contains("skipped 3 PR(s)"),
        "{dry_text}"
    );
    assert_fails_with(&dry, &["the real run would backport the others"]);

    let out = p.xtask(&["backport", "--yes", "2.3"]);
    let text = stdout(&out) + &stderr(&out);
    assert_fails_with(
        &out,
        &[
            "skipped 3 PR(s)",
            "PR #72 Side fix: its commit",
            "is not on origin/master: upstream first",
            "PR #73 Merged after the fetch: its commit",
            "not in this clone (merged after the fetch?). To finish: rerun `cargo xtask backport 2.3`",
            "PR #74 No merge commit: GitHub gives no merge commit for it",
            "the other PRs were backported",
        ],
    );
    assert!(text.contains("backported 1 PR(s)"), "{text}");
    assert!(
        is_ancestor(&p, &good, "v2.3") || p.origin(&["log", "--format=%B", "v2.3"]).contains(&good)
    );
    assert_eq!(p.github.labels(71), ["backported"]);
    for number in [72, 73, 74] {
        assert_eq!(p.github.labels(number), ["need backport"], "#{number}");
    }
}

#[test]
fn backport_checks_the_token_before_pushing_anything() {
    let p = project_with_release_branch();
    let fix = p.squash_pull(81, "k.txt", "fix k\n");
    p.github.add_merged_pull(
        81,
        "Fix k",
        &fix,
        "2024-06-01T00:00:00Z",
        &["need backport"],
        "master",
    );
    let before = p.origin(&["rev-parse", "v2.3"]);

    let dry = p.xtask_env(&["--dry-run", "backport", "2.3"], &[("GITHUB_TOKEN", "")]);
    assert!(stdout(&dry).contains("cherry-pick"), "{}", stdout(&dry));
    assert_fails_with(
        &dry,
        &[
            "the real run would stop before the first pick",
            "GITHUB_TOKEN",
        ],
    );

    let out = p.xtask_env(&["backport", "--yes", "2.3"], &[("GITHUB_TOKEN", "")]);
    assert_fails_with(&out, &["needs a GitHub token", "GITHUB_TOKEN"]);
    p.github.grant(Rights {
        push: false,
        triage: false,
    });
    let out = p.xtask(&["backport", "--yes", "2.3"]);
    assert_fails_with(
        &out,
        &["needs triage access to apache/demo", "nothing was changed"],
    );
    assert_eq!(p.origin(&["rev-parse", "v2.3"]), before, "nothing pushed");
    assert_eq!(p.git(&["rev-parse", "v2.3"]), before, "nothing picked");
    assert_eq!(p.github.labels(81), ["need backport"]);

    p.github.grant(Rights {
        push: false,
        triage: true,
    });
    p.ok(&["backport", "--yes", "2.3"]);
    assert_eq!(p.github.labels(81), ["backported"]);
}

#[test]
fn a_renamed_repository_is_followed_with_the_token_and_named() {
    let mut p = project_with_release_branch();
    // The configuration still names apache/demo; GitHub now calls it apache/demo-next.
    p.github = GitHubStandIn::start("apache/demo-next", PAGE).unwrap();
    p.github.renamed_from(GITHUB_REPO);
    let fix = p.squash_pull(91, "n.txt", "fix n\n");
    p.github.add_merged_pull(
        91,
        "Fix n",
        &fix,
        "2024-06-01T00:00:00Z",
        &["need backport"],
        "master",
    );

    let out = p.ok(&["backport", "--yes", "2.3"]);
    assert!(
        out.contains("apache/demo is now apache/demo-next")
            && out.contains(
                "update `github-repo` under [workspace.metadata.asf-release] to `apache/demo-next`"
            ),
        "{out}"
    );
    assert_eq!(
        out.matches("is now apache/demo-next").count(),
        1,
        "said once: {out}"
    );
    assert_eq!(p.github.labels(91), ["backported"]);
    let seen = p.github.seen();
    let bearer = format!("Bearer {TOKEN}");
    for status in [301, 307] {
        assert!(
            seen.iter().any(|s| s.status == status),
            "{status}: {seen:?}"
        );
    }
    let followed: Vec<_> = seen
        .iter()
        .filter(|s| s.target.starts_with(&format!("/repositories/{REPO_ID}")))
        .collect();
    assert!(
        followed.iter().any(|s| s.method == "DELETE")
            && followed.iter().any(|s| s.method == "POST")
    );
    assert!(
        followed
            .iter()
            .all(|s| s.authorization.as_deref() == Some(bearer.as_str())),
        "{followed:?}"
    );
}

#[test]
fn a_label_that_is_gone_already_is_no_error() {
    let p = project_with_release_branch();
    let fix = p.squash_pull(95, "q.txt", "fix q\n");
    p.github.add_merged_pull(
        95,
        "Fix q",
        &fix,
        "2024-06-01T00:00:00Z",
        &["need backport"],
        "master",
    );
    // A repository bot removes `need backport` as soon as `backported` is added.
    p.github.on_label_remove("backported", "need backport");
    p.ok(&["backport", "--yes", "2.3"]);
    assert_eq!(p.github.labels(95), ["backported"]);
    assert!(p
        .github
        .seen()
        .iter()
        .any(|s| s.method == "DELETE" && s.status == 404));
}

#[test]
fn a_conflict_inside_a_rebased_pr_resumes_with_its_later_commits() {
    let p = project_with_release_branch();
    p.git(&["checkout", "-q", "v2.3"]);
    p.commit_file(
        "a.txt",
        "one\nTWO on the branch\nthree\n",
        "Branch-only change",
    );
    p.git(&["push", "-q", "origin", "v2.3"]);
    p.git(&["checkout", "-q", "master"]);
    let (pushed, landed) = p.rebase_pull(
        97,
        &[
            ("a.txt", "one\nTWO on master\nthree\n"),
            ("z.txt", "later\n"),
        ],
    );
    p.github.add_pull(MergedPull {
        number: 97,
        title: "Rebased with a conflict".into(),
        merged_at: "2024-06-01T00:00:00Z".into(),
        labels: vec!["need backport".into()],
        base: "master".into(),
        merge_commit_sha: Some(landed[1].clone()),
        commits: pushed,
    });
    let out = p.xtask(&["backport", "--yes", "2.3"]);
    assert_fails_with(
        &out,
        &[
            "PR #97 Rebased with a conflict does not apply to v2.3: conflicts in a.txt",
            &format!("git cherry-pick -x {}", landed[0]),
            &format!("then its later commits {} follow", landed[1]),
        ],
    );
    p.git(&["checkout", "-q", "v2.3"]);
    let mut pick = p.world.command("git");
    pick.arg("-C")
        .arg(&p.work)
        .args(["cherry-pick", "-x", &landed[0]]);
    assert!(!pick.output().unwrap().status.success());
    p.world
        .write(&p.work, "a.txt", b"one\nTWO on both\nthree\n");
    p.git(&["add", "a.txt"]);
    let out = p.ok(&["backport", "--yes", "2.3", "--continue"]);
    assert!(out.contains("backported 1 PR(s) (1 commit(s))"), "{out}");
    let log = p.origin(&["log", "--format=%B", "master..v2.3"]);
    for commit in &landed {
        assert!(
            log.contains(&format!("(cherry picked from commit {commit})")),
            "{log}"
        );
    }
    assert_eq!(p.github.labels(97), ["backported"]);
}
