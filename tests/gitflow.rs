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

//! End-to-end tests of the GitLab-flow commands (`milestone`, `branch`, `backport`, `version`,
//! `tag`): the real binary, real git repositories (a bare `origin` and a clone), real gpg keys,
//! and GitHub played by the library's stand-in (`asf_release::demo::github::GitHubStandIn`), an HTTP
//! server on 127.0.0.1 that answers like GitHub's REST API.

mod common;
mod project;

use asf_release::demo::github::Seen;
use common::*;
use project::*;

#[test]
fn branch_is_cut_pushed_and_protected_keeping_asf_yaml_byte_for_byte() {
    let p = Project::new();
    let master = p.git(&["rev-parse", "HEAD"]);

    let dry = p.ok(&["--dry-run", "branch", "2.3"]);
    assert!(
        dry.contains("git -C") && dry.contains("branch --no-track v2.3"),
        "{dry}"
    );
    assert!(dry.contains("push --quiet origin refs/heads/v2.3"), "{dry}");
    assert_eq!(
        p.origin(&["branch", "--list", "v2.3"]),
        "",
        "a dry run changes nothing"
    );
    assert_eq!(read(&p.work.join(".asf.yaml")), ASF_YAML);

    p.ok(&["branch", "--yes", "2.3"]);
    assert_eq!(p.origin(&["rev-parse", "v2.3"]), master);
    let yaml = p.git(&["show", "master:.asf.yaml"]) + "\n";
    let added = "    v2.3:\n      required_pull_request_reviews:\n        dismiss_stale_reviews: true\n        required_approving_review_count: 2\n      required_linear_history: true\n";
    let expected = ASF_YAML.replacen(
        "        required_approving_review_count: 1\n",
        &format!("        required_approving_review_count: 1\n{added}"),
        1,
    );
    assert_eq!(yaml, expected, "only the new branch is added");
    assert_eq!(
        p.git(&["log", "-1", "--format=%s", "master"]),
        "chore: protect release branch v2.3 in .asf.yaml"
    );
    assert_eq!(
        p.git(&["diff", "--name-only", "master~1", "master"]),
        ".asf.yaml"
    );
    assert_eq!(p.status(), "");

    let head = p.git(&["rev-parse", "master"]);
    let rerun = p.ok(&["branch", "--yes", "2.3", "--from", &master]);
    assert!(rerun.contains("nothing to do"), "{rerun}");
    assert_eq!(
        p.git(&["rev-parse", "master"]),
        head,
        "a rerun commits nothing"
    );

    // Once master moved on, the branch cut from it before is the same branch: a no-op.
    p.git(&["push", "-q", "origin", "master"]);
    let rerun = p.ok(&["branch", "--yes", "2.3"]);
    assert!(rerun.contains("nothing to do"), "{rerun}");
    assert_eq!(p.origin(&["rev-parse", "v2.3"]), master);
    // A branch of that name at an unrelated commit, or a --from elsewhere, is refused.
    let output = p.xtask(&["branch", "--yes", "2.3", "--from", "master"]);
    assert_fails_with(&output, &["branch v2.3 exists", "nothing was changed"]);
    p.git(&["checkout", "-q", "--orphan", "stray"]);
    p.git(&["commit", "-q", "-m", "unrelated"]);
    p.git(&["push", "-q", "-f", "origin", "stray:v2.3"]);
    p.git(&["checkout", "-q", "master"]);
    p.git(&["branch", "-q", "-D", "v2.3"]);
    let output = p.xtask(&["branch", "--yes", "2.3"]);
    assert_fails_with(&output, &["branch v2.3 exists", "nothing was changed"]);

    // A bad release line is refused before anything runs.
    let output = p.xtask(&["branch", "--yes", "2.x"]);
    assert_fails_with(&output, &["invalid version `2.x`", "like 2.3"]);
}

/// Issue 27: a line that has been released is branched from its newest release tag, not from
/// the main branch's tip, which carries the next minor's work.
#[test]
fn branch_of_a_released_line_starts_at_its_newest_release() {
    let p = Project::new();
    p.commit_file("fix.txt", "a fix\n", "A fix in 2.3.0");
    p.git(&["tag", "2.3.0"]);
    p.commit_file("fix.txt", "another fix\n", "A fix in 2.3.1");
    let newest = p.git(&["rev-parse", "HEAD"]);
    p.git(&["tag", "-a", "-m", "2.3.1", "2.3.1"]);
    p.git(&["tag", "2.4.0-rc1"]);
    p.commit_file("feature.txt", "next minor\n", "feat: the next minor");
    p.git(&["push", "-q", "--tags", "origin", "master"]);

    let dry = p.ok(&["--dry-run", "branch", "2.3"]);
    assert!(dry.contains(&format!("from 2.3.1 ({newest})")), "{dry}");
    p.ok(&["branch", "--yes", "2.3"]);
    assert_eq!(p.origin(&["rev-parse", "v2.3"]), newest);
    // A line without releases is still cut from the main branch.
    p.ok(&["branch", "--yes", "2.4"]);
    assert_eq!(
        p.origin(&["rev-parse", "v2.4"]),
        p.origin(&["rev-parse", "master"])
    );
}

#[test]
fn branch_refuses_an_asf_yaml_without_the_template_before_changing_anything() {
    let p = Project::new();
    p.commit_file(
        ".asf.yaml",
        "github:\n  protected_branches:\n    main: {}\n",
        "Other protection",
    );
    p.git(&["push", "-q", "origin", "master"]);
    let output = p.xtask(&["branch", "--yes", "2.3"]);
    assert_fails_with(
        &output,
        &["protects no branch `master`", "protected-branch-template"],
    );
    assert_eq!(p.origin(&["branch", "--list", "v2.3"]), "");
    assert_eq!(p.git(&["branch", "--list", "v2.3"]), "");
}

#[test]
fn backport_picks_labelled_prs_in_merge_order_skips_present_ones_and_relabels() {
    let p = project_with_release_branch();
    let merged = p.merge_pull(11, "b.txt", "fix b\n");
    let squashed = p.squash_pull(12, "c.txt", "fix c\n");
    let by_patch = p.squash_pull(13, "d.txt", "fix d\n");
    let by_trailer = p.squash_pull(14, "e.txt", "fix e\n");
    let unlabelled = p.squash_pull(15, "f.txt", "feature f\n");
    // 13 and 14 reached v2.3 by hand already: 13 without -x (same patch), 14 with -x.
    p.git(&["checkout", "-q", "v2.3"]);
    p.git(&["cherry-pick", &by_patch]);
    p.git(&["cherry-pick", "-x", &by_trailer]);
    p.git(&["push", "-q", "origin", "v2.3"]);
    p.git(&["checkout", "-q", "master"]);
    let release_before = p.origin(&["rev-parse", "v2.3"]);
    // Merge order is GitHub's merged_at, not the PR number.
    p.github.add_merged_pull(
        12,
        "Fix c",
        &squashed,
        "2024-06-02T00:00:00Z",
        &["need backport"],
        "master",
    );
    p.github.add_merged_pull(
        11,
        "Fix b",
        &merged,
        "2024-06-01T00:00:00Z",
        &["need backport", "bug"],
        "master",
    );
    p.github.add_merged_pull(
        13,
        "Fix d",
        &by_patch,
        "2024-06-03T00:00:00Z",
        &["need backport"],
        "master",
    );
    p.github.add_merged_pull(
        14,
        "Fix e",
        &by_trailer,
        "2024-06-04T00:00:00Z",
        &["need backport"],
        "master",
    );
    p.github.add_merged_pull(
        15,
        "Feature f",
        &unlabelled,
        "2024-06-05T00:00:00Z",
        &["feature"],
        "master",
    );

    // With --milestone, only the PRs of milestone 2.3 count.
    p.github.set_milestone(12, "2.3");
    let dry = p.ok(&["--dry-run", "backport", "2.3", "--milestone"]);
    assert!(
        dry.contains("to pick: PR #12") && !dry.contains("PR #11"),
        "{dry}"
    );

    let dry = p.ok(&["--dry-run", "backport", "2.3"]);
    let first = dry.find("to pick: PR #11").expect(&dry);
    let second = dry.find("to pick: PR #12").expect(&dry);
    assert!(first < second, "merge order: {dry}");
    assert!(
        dry.contains("already on v2.3: PR #13") && dry.contains("already on v2.3: PR #14"),
        "{dry}"
    );
    assert!(!dry.contains("#15"), "{dry}");
    assert!(
        dry.contains(&format!("cherry-pick -x -m 1 {merged}")),
        "{dry}"
    );
    assert!(dry.contains(&format!("cherry-pick -x {squashed}")), "{dry}");
    assert_eq!(
        p.origin(&["rev-parse", "v2.3"]),
        release_before,
        "a dry run changes nothing"
    );
    assert_eq!(p.github.labels(11), ["need backport", "bug"]);

    let out = p.ok(&["backport", "--yes", "2.3"]);
    assert!(out.contains("backported 2 PR(s)"), "{out}");
    let log = p.origin(&["log", "--format=%B", "master..v2.3"]);
    assert!(
        log.contains(&format!("(cherry picked from commit {merged})")),
        "{log}"
    );
    assert!(
        log.contains(&format!("(cherry picked from commit {squashed})")),
        "{log}"
    );
    let subjects = p.origin(&[
        "log",
        "--format=%s",
        "--reverse",
        &format!("{release_before}..v2.3"),
    ]);
    assert_eq!(
        subjects,
        "Merge pull request #11 from dev/pr-11\nChange c.txt (#12)"
    );
    for number in [11, 12, 13, 14] {
        let labels = p.github.labels(number);
        assert!(
            labels.contains(&"backported".to_string())
                && !labels.contains(&"need backport".to_string()),
            "#{number}: {labels:?}"
        );
    }
    assert_eq!(p.github.labels(15), ["feature"]);
    assert!(p.github.seen().iter().all(|s| !s.target.contains(TOKEN)));
    let writes: Vec<Seen> = p
        .github
        .seen()
        .into_iter()
        .filter(|s| s.method != "GET")
        .collect();
    assert!(!writes.is_empty());
    for seen in &writes {
        assert_eq!(
            seen.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str()),
            "{seen:?}"
        );
    }
    assert!(
        writes
            .iter()
            .any(|s| s.method == "DELETE" && s.target.ends_with("/labels/need%20backport")),
        "{writes:?}"
    );
    assert_eq!(
        p.git(&["branch", "--show-current"]),
        "master",
        "back where the user was"
    );

    let after = p.origin(&["rev-parse", "v2.3"]);
    let rerun = p.ok(&["backport", "--yes", "2.3"]);
    assert!(rerun.contains("nothing to do"), "{rerun}");
    assert_eq!(p.origin(&["rev-parse", "v2.3"]), after);
}

#[test]
fn backport_stops_cleanly_on_a_conflict_and_continues_after_a_manual_fix() {
    let p = project_with_release_branch();
    p.git(&["checkout", "-q", "v2.3"]);
    p.commit_file(
        "a.txt",
        "one\nTWO on the branch\nthree\n",
        "Branch-only change",
    );
    p.git(&["push", "-q", "origin", "v2.3"]);
    p.git(&["checkout", "-q", "master"]);
    let conflicting = p.squash_pull(21, "a.txt", "one\nTWO on master\nthree\n");
    let clean = p.squash_pull(22, "g.txt", "fix g\n");
    p.github.add_merged_pull(
        21,
        "Fix a",
        &conflicting,
        "2024-06-01T00:00:00Z",
        &["need backport"],
        "master",
    );
    p.github.add_merged_pull(
        22,
        "Fix g",
        &clean,
        "2024-06-02T00:00:00Z",
        &["need backport"],
        "master",
    );
    let release_before = p.origin(&["rev-parse", "v2.3"]);

    let output = p.xtask(&["backport", "--yes", "2.3"]);
    assert_fails_with(
        &output,
        &[
            "PR #21",
            "conflicts in a.txt",
            "--continue",
            &format!("git cherry-pick -x {conflicting}"),
        ],
    );
    assert_eq!(p.status(), "", "the working tree is clean after the abort");
    assert!(!p.work.join(".git/CHERRY_PICK_HEAD").exists());
    assert_eq!(
        p.origin(&["rev-parse", "v2.3"]),
        release_before,
        "nothing pushed"
    );
    assert_eq!(p.github.labels(21), ["need backport"]);

    let output = p.xtask(&["backport", "--yes", "2.3"]);
    assert_fails_with(&output, &["stopped on a conflict", "--continue"]);

    // --continue before the conflict is solved: refused.
    let output = p.xtask(&["backport", "--yes", "2.3", "--continue"]);
    assert_fails_with(&output, &[&conflicting, "still not on v2.3"]);

    // The user resolves it by hand, and leaves the pick for --continue to finish.
    p.git(&["checkout", "-q", "v2.3"]);
    let mut pick = p.world.command("git");
    pick.arg("-C")
        .arg(&p.work)
        .args(["cherry-pick", "-x", &conflicting]);
    assert!(!pick.output().unwrap().status.success());
    let output = p.xtask(&["backport", "--yes", "2.3", "--continue"]);
    assert_fails_with(&output, &["still have conflicts: a.txt"]);
    p.world
        .write(&p.work, "a.txt", b"one\nTWO on both\nthree\n");
    p.git(&["add", "a.txt"]);
    let dry = p.ok(&["--dry-run", "backport", "2.3", "--continue"]);
    assert!(dry.contains("cherry-pick --continue"), "{dry}");
    assert!(
        p.work.join(".git/CHERRY_PICK_HEAD").exists(),
        "a dry run finishes nothing"
    );

    let out = p.ok(&["backport", "--yes", "2.3", "--continue"]);
    assert!(out.contains("backported 1 PR(s)"), "{out}");
    let log = p.origin(&["log", "--format=%B", "master..v2.3"]);
    assert!(
        log.contains(&format!("(cherry picked from commit {conflicting})")),
        "{log}"
    );
    assert!(
        log.contains(&format!("(cherry picked from commit {clean})")),
        "{log}"
    );
    assert_eq!(p.origin(&["show", "v2.3:a.txt"]), "one\nTWO on both\nthree");
    for number in [21, 22] {
        assert_eq!(p.github.labels(number), ["backported"], "#{number}");
    }
    let rerun = p.ok(&["backport", "--yes", "2.3"]);
    assert!(rerun.contains("nothing to do"), "{rerun}");
}

#[test]
fn version_check_and_bump() {
    let p = Project::new();
    p.ok(&["version", "check", "2.3.0"]);
    let output = p.xtask(&["version", "check", "2.3.1"]);
    assert!(!output.status.success());
    let text = stdout(&output);
    assert!(
        text.contains("VERSION:1: carries 2.3.0 where 2.3.1 is expected"),
        "{text}"
    );
    assert!(text.contains("docs/install.md:1: carries 2.3.0"), "{text}");
    assert!(text.contains("version bump 2.3.1"), "{text}");

    let head = p.git(&["rev-parse", "HEAD"]);
    let dry = p.ok(&["--dry-run", "version", "bump", "2.3.1"]);
    assert!(
        dry.contains("write 2.3.1 into VERSION") && dry.contains("commit"),
        "{dry}"
    );
    assert_eq!(read(&p.work.join("VERSION")), "2.3.0\n");

    p.ok(&["version", "bump", "2.3.1"]);
    assert_eq!(read(&p.work.join("VERSION")), "2.3.1\n");
    assert_eq!(
        read(&p.work.join("docs/install.md")),
        "Download demo-2.3.1.tgz and unpack it.\n"
    );
    assert_eq!(
        p.git(&["log", "-1", "--format=%s"]),
        "chore: bump version to 2.3.1"
    );
    assert_eq!(p.git(&["rev-parse", "HEAD~1"]), head);
    p.ok(&["version", "check", "2.3.1"]);
    let rerun = p.ok(&["version", "bump", "2.3.1"]);
    assert!(rerun.contains("already carries 2.3.1"), "{rerun}");
    assert_eq!(
        p.git(&["rev-parse", "HEAD~1"]),
        head,
        "a rerun commits nothing"
    );

    for (bad, why) in [
        ("2.3.x", "`x` is not a number"),
        ("v", "drop the leading `v`"),
        ("", "it is empty"),
    ] {
        for command in [
            &["version", "check", bad][..],
            &["version", "bump", bad],
            &["tag", bad, "--rc"],
        ] {
            let output = p.xtask(command);
            assert_fails_with(&output, &[why, "like 2.3.0"]);
        }
    }
    let output = p.xtask(&["backport", "--yes", "v2.3"]);
    assert_fails_with(&output, &["drop the leading `v`"]);
}

#[test]
fn tags_are_signed_verified_pushed_and_never_moved() {
    let p = project_with_release_branch();
    let fingerprint = p.world.generate_key("Release Manager", "rm@apache.org");
    p.git(&["checkout", "-q", "v2.3"]);
    let first = p.git(&["rev-parse", "HEAD"]);

    // Version and candidate number are inferred from the branch and the tags.
    let dry = p.ok(&["--dry-run", "tag", "--rc"]);
    assert!(
        dry.contains(&format!("--detach-sign --local-user {fingerprint}"))
            && dry.contains("mktag")
            && dry.contains("update-ref -- refs/tags/2.3.0-rc1"),
        "{dry}"
    );
    assert_eq!(p.git(&["tag", "--list"]), "");

    let out = p.ok(&["tag", "--yes", "--rc"]);
    assert!(out.contains("2.3.0-rc1"), "{out}");
    assert_eq!(p.origin(&["rev-parse", "2.3.0-rc1^{commit}"]), first);
    assert_eq!(p.origin(&["cat-file", "-t", "2.3.0-rc1"]), "tag");
    p.git(&["verify-tag", "2.3.0-rc1"]);
    let rerun = p.ok(&["tag", "--yes", "--rc"]);
    assert!(rerun.contains("nothing to do"), "{rerun}");
    assert_eq!(p.git(&["tag", "--list"]), "2.3.0-rc1");

    // A dirty tree and a failing version check are refused.
    let second = p.commit_file("j.txt", "fix j\n", "Fix j");
    p.world.write(&p.work, "j.txt", b"edited\n");
    assert_fails_with(
        &p.xtask(&["tag", "--yes", "2.3.0", "--rc"]),
        &["uncommitted changes"],
    );
    p.git(&["checkout", "--", "j.txt"]);
    p.world.write(&p.work, "VERSION", b"2.2.9\n");
    p.git(&["commit", "-q", "-am", "Wrong version"]);
    assert_fails_with(
        &p.xtask(&["tag", "--yes", "--rc"]),
        &[
            "version check fails",
            "VERSION:1: carries 2.2.9",
            "version bump 2.3.0",
        ],
    );
    p.git(&["reset", "-q", "--hard", &second]);

    // A tag is never moved.
    assert_fails_with(
        &p.xtask(&["tag", "--yes", "2.3.0", "--rc", "1"]),
        &["tag 2.3.0-rc1 exists already", "never moved"],
    );

    // The release branch a candidate is made on is published first: voters find the tagged
    // commit on it (the step does this itself, so CI and `release` take one path).
    let dry = p.ok(&["--dry-run", "tag", "2.3.0", "--rc"]);
    assert!(dry.contains("push --quiet origin v2.3"), "{dry}");
    assert_ne!(
        p.origin(&["rev-parse", "v2.3"]),
        second,
        "a dry run pushes nothing"
    );
    let out = p.ok(&["tag", "--yes", "2.3.0", "--rc"]);
    assert!(out.contains("2.3.0-rc2"), "{out}");
    assert_eq!(p.origin(&["rev-parse", "2.3.0-rc2^{commit}"]), second);
    assert_eq!(p.origin(&["rev-parse", "v2.3"]), second);

    // The release tag goes on the commit of the last candidate, wherever HEAD is.
    p.commit_file("k.txt", "after the vote\n", "Later work");
    let out = p.ok(&["tag", "--yes", "2.3.0"]);
    assert!(out.contains("release 2.3.0"), "{out}");
    assert_eq!(p.origin(&["rev-parse", "2.3.0^{commit}"]), second);
    let message = p.git(&["tag", "-l", "--format=%(contents:subject)", "2.3.0"]);
    assert_eq!(message, "Apache Demo 2.3.0");
    let rerun = p.ok(&["tag", "--yes", "2.3.0"]);
    assert!(rerun.contains("nothing to do"), "{rerun}");
    assert!(is_ancestor(&p, &second, "v2.3") || p.origin(&["rev-parse", "v2.3"]) != second);

    // After the release, the next candidate of the branch is the next patch version.
    assert_fails_with(
        &p.xtask(&["tag", "--yes", "2.3.0", "--rc"]),
        &["2.3.0 is released already", "2.3.1"],
    );
    assert_fails_with(
        &p.xtask(&["tag", "--yes", "--rc"]),
        &["version check fails", "where 2.3.1 is expected"],
    );
    p.ok(&["version", "bump", "2.3.1"]);
    p.git(&["push", "-q", "origin", "v2.3"]);
    let out = p.ok(&["tag", "--yes", "--rc"]);
    assert!(out.contains("2.3.1-rc1"), "{out}");

    // On master, the version cannot be inferred.
    p.git(&["checkout", "-q", "master"]);
    assert_fails_with(
        &p.xtask(&["tag", "--yes", "--rc"]),
        &["cannot infer the version", "master"],
    );
}

#[test]
fn tag_refuses_a_tag_that_exists_elsewhere_on_the_remote() {
    let p = project_with_release_branch();
    p.world.generate_key("Release Manager", "rm@apache.org");
    // Someone else pushed 2.3.0-rc1 at another commit; this clone has not fetched it.
    let other = p.world.path("other");
    p.world.git(
        p.world.root.path(),
        &[
            "clone",
            "-q",
            p.origin.to_str().unwrap(),
            other.to_str().unwrap(),
        ],
    );
    p.world.write(&other, "x.txt", b"x\n");
    p.world.git(&other, &["add", "x.txt"]);
    p.world.git(&other, &["commit", "-q", "-m", "Other"]);
    p.world.git(&other, &["tag", "2.3.0-rc1"]);
    p.world.git(&other, &["push", "-q", "origin", "2.3.0-rc1"]);
    p.git(&["checkout", "-q", "v2.3"]);
    assert_fails_with(
        &p.xtask(&["tag", "--yes", "2.3.0", "--rc", "1"]),
        &["remote `origin` has tag 2.3.0-rc1", "never moved"],
    );
    assert_eq!(p.git(&["tag", "--list"]), "");
}

/// A version file named after the version (APISIX's rockspecs): the check wants the file of
/// the version, and the bump copies the newest one of that shape and rewrites it.
#[test]
fn versioned_file_names_are_checked_and_bumped_by_copy() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    world.write(
        &repo,
        "Cargo.toml",
        format!("{manifest}version-files = [{{ path = \"rockspec/demo-{{version}}-0.rockspec\", pattern = \"version = \\\"{{version}}-0\\\"\" }}]\n").as_bytes(),
    );
    world.write(
        &repo,
        "rockspec/demo-0.8.0-0.rockspec",
        b"package = \"demo\"\nversion = \"0.8.0-0\"\n",
    );
    world.write(
        &repo,
        "rockspec/demo-0.9.0-0.rockspec",
        b"package = \"demo\"\nversion = \"0.9.0-0\"\n",
    );
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-q", "-m", "Rockspecs"]);
    let repo_arg = repo.to_str().unwrap();

    let check = world.xtask(&["--repo", repo_arg, "version", "check", "1.0.0"]);
    assert_fails_with(
        &check,
        &[
            "rockspec/demo-1.0.0-0.rockspec: the file does not exist",
            "version bump 1.0.0",
        ],
    );

    let bump = world.xtask(&["--repo", repo_arg, "version", "bump", "1.0.0"]);
    assert!(bump.status.success(), "{}", stderr(&bump));
    let new = std::fs::read_to_string(repo.join("rockspec/demo-1.0.0-0.rockspec")).unwrap();
    assert_eq!(
        new, "package = \"demo\"\nversion = \"1.0.0-0\"\n",
        "a copy of the newest, rewritten"
    );
    let old = std::fs::read_to_string(repo.join("rockspec/demo-0.9.0-0.rockspec")).unwrap();
    assert!(old.contains("0.9.0-0"), "older rockspecs stay as they are");
    assert_eq!(
        world.git(&repo, &["status", "--porcelain"]),
        "",
        "the new file is committed"
    );
    assert_eq!(
        world.git(&repo, &["log", "-1", "--format=%s"]),
        "chore: bump version to 1.0.0"
    );

    let check = world.xtask(&["--repo", repo_arg, "version", "check", "1.0.0"]);
    assert!(check.status.success(), "{}", stdout(&check));
    let again = world.xtask(&["--repo", repo_arg, "version", "bump", "1.0.0"]);
    assert!(
        stdout(&again).contains("already carries 1.0.0"),
        "{}",
        stdout(&again)
    );
}

/// A milestone of a line (issue 27): its version is written, its candidate tagged as
/// `2.3.0-M1-rc1`, found again as the work in progress, and a version spelled like a candidate
/// of another is refused.
#[test]
fn milestones_are_bumped_tagged_and_inferred() {
    let p = project_with_release_branch();
    p.world.generate_key("Release Manager", "rm@apache.org");
    p.git(&["checkout", "-q", "v2.3"]);
    p.ok(&["version", "bump", "2.3.0-M1"]);
    assert_eq!(read(&p.work.join("VERSION")), "2.3.0-M1\n");
    p.ok(&["version", "check", "2.3.0-M1"]);

    let out = p.ok(&["tag", "--yes", "2.3.0-M1", "--rc"]);
    assert!(out.contains("2.3.0-M1-rc1"), "{out}");
    assert_eq!(p.git(&["tag", "--list"]), "2.3.0-M1-rc1");
    // Without a version, the candidate in progress on the line is the one meant.
    let rerun = p.ok(&["tag", "--yes", "--rc"]);
    assert!(rerun.contains("nothing to do"), "{rerun}");
    assert_eq!(p.git(&["tag", "--list"]), "2.3.0-M1-rc1");

    assert_fails_with(
        &p.xtask(&["tag", "--yes", "2.3.0-rc1", "--rc"]),
        &["reads as candidate 1 of 2.3.0", "--rc 1"],
    );
}
