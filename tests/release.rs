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

//! End-to-end tests of `release`, `status` and `demo`: the whole flow in the sandbox world
//! (git origin, GitHub stand-in on 127.0.0.1, SVN dist by file://, throwaway GPG key, vote
//! threads, website), interrupted in every step, a failed vote, a patch release.

mod common;

mod flow;

use std::process::Output;

use asf_release::demo::{land_fix_on_master, write_vote_thread, Sandbox};
use common::*;
use flow::*;

#[test]
fn the_demo_command_runs_the_whole_flow() {
    let world = World::new();
    let dir = world.path("demo");
    let output = world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args(["demo", "--dir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    expect_code(&output, 0);
    let printed = text(&output);
    for needle in [
        "== phase 1",
        "backported 1 PR(s)",
        "stopped before tally",
        "Demo 1.0.0 is released and announced",
        "apache-demo-1.0.0-src.tgz.sha512",
        "demo finished in",
    ] {
        assert!(printed.contains(needle), "{needle:?} in:\n{printed}");
    }
    // The closing `status` (with the thread and the roster) reads the finished release from
    // the world and counts the vote: every step done, and the patch release next (issue 12: it
    // said the vote had failed).
    let closing = &printed[printed.rfind("release 1.0 of").unwrap()..];
    assert!(
        closing.contains("vote            tally          done     the vote in ")
            && closing.contains("vote-1.0.0-rc1.mbox passed")
            && closing.contains("1.0.0 is released and announced: nothing to do")
            && closing.contains("next: the patch release 1.0.1"),
        "{closing}"
    );
    assert!(!closing.contains("blocked"), "{closing}");
    let dist = format!("file://{}", dir.join("svn").display());
    let listing = world.ok(world.command("svn").args(["ls", "-R", &dist]));
    assert_eq!(
        listing.lines().collect::<Vec<_>>(),
        [
            "dev/",
            "dev/demo/",
            "dev/demo/KEYS",
            "release/",
            "release/demo/",
            "release/demo/1.0.0/",
            "release/demo/1.0.0/apache-demo-1.0.0-bin.tar.gz",
            "release/demo/1.0.0/apache-demo-1.0.0-bin.tar.gz.asc",
            "release/demo/1.0.0/apache-demo-1.0.0-bin.tar.gz.sha512",
            "release/demo/1.0.0/apache-demo-1.0.0-src.tgz",
            "release/demo/1.0.0/apache-demo-1.0.0-src.tgz.asc",
            "release/demo/1.0.0/apache-demo-1.0.0-src.tgz.sha512",
            // The demo releases a second source tarball and a convenience binary: uploaded and
            // promoted with the first.
            "release/demo/1.0.0/apache-demo-lua-1.0.0-src.tgz",
            "release/demo/1.0.0/apache-demo-lua-1.0.0-src.tgz.asc",
            "release/demo/1.0.0/apache-demo-lua-1.0.0-src.tgz.sha512",
            "release/demo/KEYS",
        ]
    );
    let announce =
        std::fs::read_to_string(dir.join("project/target/asf-release/records/1.0.0/announce.eml"))
            .unwrap();
    assert!(
        announce.contains("The release holds:")
            && announce.contains("  apache-demo-1.0.0-bin.tar.gz"),
        "{announce}"
    );
    // Its vote mail lists both, each with its checksum.
    let vote =
        std::fs::read_to_string(dir.join("project/target/asf-release/records/1.0.0-rc1/vote.eml"))
            .unwrap();
    assert!(
        vote.contains("The candidate also holds these files")
            && vote.contains("apache-demo-lua-1.0.0-src.tgz\n")
            && vote.contains("apache-demo-1.0.0-bin.tar.gz\n"),
        "{vote}"
    );
}

#[test]
fn status_reads_the_world_and_dry_run_changes_nothing() {
    let world = World::new();
    let sandbox = sandbox(&world);
    let before = final_state(&sandbox, &world);
    let output = xtask(&sandbox, &["status", "1.0", "--json"]);
    expect_code(&output, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["version"], "1.0.0");
    assert_eq!(report["rc"], 1);
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 19);
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        names[14..],
        [
            "download-page",
            "github-release",
            "downloads",
            "announce",
            "report"
        ]
    );
    assert_eq!(steps[0]["step"], "milestone");
    assert_eq!(steps[0]["state"], "done");
    assert_eq!(steps[1]["step"], "branch");
    assert_eq!(steps[1]["state"], "todo");
    assert_eq!(steps[1]["command"], "cargo xtask branch 1.0");

    let dry = xtask(&sandbox, &["--dry-run", "release", "1.0"]);
    expect_code(&dry, 0);
    let printed = text(&dry);
    assert!(printed.contains("would run:"), "{printed}");
    assert!(
        printed.contains("git") && printed.contains("push"),
        "the branch step's own plan: {printed}"
    );
    assert_eq!(
        final_state(&sandbox, &world),
        before,
        "a dry run changed the world"
    );

    // Without --yes and without a terminal, nothing outward-facing runs.
    let asked = xtask(&sandbox, &["release", "1.0"]);
    expect_code(&asked, 2);
    assert!(
        text(&asked).contains("rerun with --yes"),
        "{}",
        text(&asked)
    );
    assert_eq!(final_state(&sandbox, &world), before);
}

#[test]
fn the_flow_stops_for_the_vote_and_a_rerun_finishes_it() {
    let world = World::new();
    let sandbox = sandbox(&world);
    up_to_the_vote(&sandbox);
    // A rerun without the vote thread stops at the same place and changes nothing.
    let before = final_state(&sandbox, &world);
    let again = xtask(&sandbox, &["release", "1.0", "--yes"]);
    expect_code(&again, 2);
    assert!(text(&again).contains("72 hours"), "{}", text(&again));
    assert_eq!(final_state(&sandbox, &world), before);
    expect_code(&finish(&sandbox, 1), 0);
    let state = final_state(&sandbox, &world);
    for needle in [
        "refs/tags/1.0.0\n",
        "refs/tags/1.0.0-rc1",
        "## 1.0.0 sections: 1",
        "release/demo/1.0.0/apache-demo-1.0.0-src.tgz.asc",
        "dev KEYS keys: 1",
        "release KEYS keys: 1",
        "released checksum valid: true",
        "download-page-demo-1.0.0",
        "records/1.0.0/announce.eml: true",
        "records/1.0.0/downloads-served: true",
        "records/1.0.0/reporter-entered: true",
        "GitHub releases: [\"1.0.0\"]",
    ] {
        assert!(state.contains(needle), "{needle:?} in:\n{state}");
    }
    assert!(
        !state.contains("dev/demo/1.0.0-rc1"),
        "promotion moved the candidate: {state}"
    );
    // Finished: rerunning the same release does nothing more.
    let done = final_state(&sandbox, &world);
    let rerun = xtask(
        &sandbox,
        &[
            "status",
            "1.0",
            "1.0.0",
            "--website",
            sandbox.website.as_str(),
        ],
    );
    expect_code(&rerun, 0);
    assert_eq!(final_state(&sandbox, &world), done);
}

/// Issue 30: a fault at the call right after `changelog` staged its two files (its `git
/// commit`) left them staged; the rerun began again at `backport`, which took them for the
/// user's changes, and the flow then asked for a cherry-pick conflict to be resolved that did
/// not exist. Now the flow has `changelog` finish its own work first, and the release ends as
/// a clean one does.
#[test]
fn a_fault_between_staging_and_committing_the_changelog_converges() {
    let world = World::new();
    let faults = Faults::new(&world, &["git", "gpg", "svn", "svnmucc"]);
    let mut clean = at_the_candidate_phase(&world);
    inject(&mut clean, &faults, 0);
    expect_code(&xtask(&clean, &["release", "1.0", "--yes"]), 2);
    let calls = std::fs::read_to_string(faults.log()).unwrap();
    let commit = calls
        .lines()
        .find(|line| line.contains(" commit ") && line.contains("-- release-notes/1.0.0.md"))
        .expect("changelog commits its files");
    let at: usize = commit.split(' ').next().unwrap().parse().unwrap();
    let before = calls.lines().nth(at - 2).unwrap();
    assert!(
        before.contains(" add -- release-notes/1.0.0.md CHANGELOG.md"),
        "the call before the commit stages both files: {before}"
    );
    inject(&mut clean, &faults, 0);
    expect_code(&finish(&clean, 1), 0);
    let reference = final_state(&clean, &world).replace(clean.dir.as_str(), "SANDBOX");
    drop(clean);

    let mut sandbox = at_the_candidate_phase(&world);
    inject(&mut sandbox, &faults, at);
    let faulty = xtask(&sandbox, &["release", "1.0", "--yes"]);
    expect_code(&faulty, 1);
    assert!(
        text(&faulty).contains(&format!("injected fault in git (call {at})"))
            && !text(&faulty).contains("resolve the conflict"),
        "{}",
        text(&faulty)
    );
    let status = world.git(sandbox.project().as_std_path(), &["status", "--porcelain"]);
    assert_eq!(status, "A  CHANGELOG.md\nA  release-notes/1.0.0.md");
    // A step run by hand names the leftovers and their owner, not the user.
    let by_hand = xtask(&sandbox, &["backport", "1.0"]);
    expect_code(&by_hand, 1);
    assert!(
        text(&by_hand).contains("the unfinished work of the step `changelog`")
            && text(&by_hand).contains("cargo xtask changelog 1.0.0")
            && !text(&by_hand).contains("commit or stash"),
        "{}",
        text(&by_hand)
    );
    inject(&mut sandbox, &faults, 0);
    let rerun = xtask(&sandbox, &["release", "1.0", "--yes"]);
    expect_code(&rerun, 2);
    assert!(
        text(&rerun).contains("it finishes them first") && !text(&rerun).contains("conflict"),
        "{}",
        text(&rerun)
    );
    expect_code(&finish(&sandbox, 1), 0);
    let state = final_state(&sandbox, &world).replace(sandbox.dir.as_str(), "SANDBOX");
    assert_eq!(state, reference);
}

/// The final state of a release run without faults, paths made comparable across sandboxes.
fn clean_run_state(world: &World) -> String {
    let sandbox = sandbox(world);
    up_to_the_vote(&sandbox);
    expect_code(&finish(&sandbox, 1), 0);
    final_state(&sandbox, world).replace(sandbox.dir.as_str(), "SANDBOX")
}

#[test]
fn a_killed_release_reruns_to_the_same_end() {
    let world = World::new();
    let reference = clean_run_state(&world);
    for delay_ms in [150, 400, 800] {
        let sandbox = sandbox(&world);
        expect_code(
            &xtask(&sandbox, &["release", "1.0", "--yes", "--until", "branch"]),
            0,
        );
        land_fix_on_master(&sandbox, 4).unwrap();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"));
        command
            .arg("--repo")
            .arg(sandbox.project())
            .args(["release", "1.0", "--yes"]);
        for (key, value) in sandbox.env() {
            command.env(key, value);
        }
        let mut child = command
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // The step it was running may still be going: give it time to end on its own.
        std::thread::sleep(std::time::Duration::from_millis(300));
        let rerun = xtask(&sandbox, &["release", "1.0", "--yes"]);
        assert_eq!(
            rerun.status.code(),
            Some(2),
            "after a kill at {delay_ms} ms: {}",
            text(&rerun)
        );
        expect_code(&finish(&sandbox, 1), 0);
        let state = final_state(&sandbox, &world).replace(sandbox.dir.as_str(), "SANDBOX");
        assert_eq!(state, reference, "kill at {delay_ms} ms");
    }
}

#[test]
fn a_failed_vote_then_the_next_candidate() {
    let world = World::new();
    let sandbox = sandbox(&world);
    up_to_the_vote(&sandbox);
    let refused = xtask(
        &sandbox,
        &["release", "1.0", "--yes", "--next-rc", "--rc", "1"],
    );
    assert!(refused.status.code().is_some());
    let (mbox, roster) = write_vote_thread(&sandbox, "1.0.0", 1, false).unwrap();
    let failed = xtask(
        &sandbox,
        &[
            "release",
            "1.0",
            "--yes",
            "--mbox",
            mbox.as_str(),
            "--roster",
            roster.as_str(),
        ],
    );
    expect_code(&failed, 2);
    assert!(
        text(&failed).contains("failed") && text(&failed).contains("--next-rc"),
        "{}",
        text(&failed)
    );

    let next = xtask(&sandbox, &["release", "1.0", "--yes", "--next-rc"]);
    expect_code(&next, 2);
    assert!(text(&next).contains("1.0.0 (RC2)"), "{}", text(&next));
    let dev = world.ok(world
        .command("svn")
        .args(["ls", &format!("{}/dev/demo", sandbox.dist)]));
    assert!(
        dev.contains("1.0.0-rc1/") && dev.contains("1.0.0-rc2/"),
        "{dev}"
    );
    // Repeating the flag goes on with RC2 instead of starting RC3.
    let again = xtask(&sandbox, &["status", "1.0", "--next-rc"]);
    assert!(text(&again).contains("(RC2)"), "{}", text(&again));

    expect_code(&finish(&sandbox, 2), 0);
    let dev = world.ok(world
        .command("svn")
        .args(["ls", &format!("{}/dev/demo", sandbox.dist)]));
    assert_eq!(
        dev.trim(),
        "KEYS",
        "promotion removed every candidate from dev"
    );
    let origin = sandbox.path("origin.git");
    let rc2 = world.git(origin.as_std_path(), &["rev-parse", "1.0.0-rc2^{commit}"]);
    let release = world.git(origin.as_std_path(), &["rev-parse", "1.0.0^{commit}"]);
    assert_eq!(rc2, release, "the release tag is on the voted candidate");
}

#[test]
fn a_patch_release_targets_the_next_patch_version() {
    let world = World::new();
    let sandbox = sandbox(&world);
    up_to_the_vote(&sandbox);
    expect_code(&finish(&sandbox, 1), 0);
    land_fix_on_master(&sandbox, 5).unwrap();
    let patch = xtask(&sandbox, &["release", "1.0", "--yes"]);
    expect_code(&patch, 2);
    let printed = text(&patch);
    assert!(printed.contains("version 1.0.1 (RC1)"), "{printed}");
    assert!(printed.contains("backported 1 PR(s)"), "{printed}");
    let origin = sandbox.path("origin.git");
    let tags = world.git(origin.as_std_path(), &["tag", "--list"]);
    assert!(tags.contains("1.0.1-rc1"), "{tags}");
    let changelog = world.git(origin.as_std_path(), &["show", "v1.0:CHANGELOG.md"]);
    assert!(
        changelog.contains("## 1.0.1") && changelog.contains("## 1.0.0"),
        "{changelog}"
    );
}

/// Runs the real binary in the sandbox's environment with some variables changed.
fn xtask_with(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Output {
    in_sandbox(sandbox, args, env)
}

#[test]
fn a_missing_or_unreadable_milestone_says_why_and_allow_open_goes_on() {
    let world = World::new();
    let sandbox = sandbox(&world);
    // Line 2.0 has no milestone: a state of its own, with its advice.
    let missing = text(&xtask(&sandbox, &["status", "2.0"]));
    assert!(
        missing.contains("has no milestone 2.0")
            && missing.contains("cargo xtask milestone create 2.0"),
        "{missing}"
    );
    let going_on = text(&xtask(&sandbox, &["status", "2.0", "--allow-open"]));
    assert!(
        going_on.contains("no milestone 2.0: going on (--allow-open)")
            && going_on.contains("next: cargo xtask branch 2.0"),
        "{going_on}"
    );
    // GitHub unreachable: the real reason is shown, and --allow-open goes on past it.
    let down = [("GITHUB_API_URL", "http://127.0.0.1:1")];
    let blocked = xtask_with(&sandbox, &["release", "1.0", "--yes"], &down);
    expect_code(&blocked, 2);
    assert!(
        text(&blocked).contains("cannot be read from GitHub")
            && text(&blocked).contains("127.0.0.1:1"),
        "{}",
        text(&blocked)
    );
    let allowed = xtask_with(
        &sandbox,
        &[
            "release",
            "1.0",
            "--yes",
            "--allow-open",
            "--until",
            "branch",
        ],
        &down,
    );
    expect_code(&allowed, 0);
    assert!(
        text(&allowed).contains("going on (--allow-open)"),
        "{}",
        text(&allowed)
    );
}

#[test]
fn offline_status_judges_what_the_clone_can_tell_and_names_the_rest_unknown() {
    let world = World::new();
    let sandbox = sandbox(&world);
    // GitHub, the project's remote and dist all out of reach.
    let project = sandbox.project();
    let remote = String::from_utf8(
        std::process::Command::new("git")
            .args(["-C", project.as_str(), "remote", "get-url", "origin"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let remote = remote.trim().trim_start_matches("file://");
    // The release branch was published and fetched before the network went.
    let git_ok = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .args(["-C", project.as_str()])
            .args(args)
            .status()
            .unwrap();
        assert!(status.success(), "{args:?}");
    };
    git_ok(&["push", "-q", "origin", "master:refs/heads/v1.0"]);
    git_ok(&["fetch", "-q", "origin"]);
    std::fs::rename(remote, format!("{remote}.away")).unwrap();
    let dist = sandbox.dist.trim_start_matches("file://");
    std::fs::rename(dist, format!("{dist}.away")).unwrap();
    let down = [("GITHUB_API_URL", "http://127.0.0.1:1")];

    let output = xtask_with(&sandbox, &["status", "1.0", "--json"], &down);
    expect_code(&output, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let steps = report["steps"].as_array().unwrap();
    let state = |name: &str| {
        steps
            .iter()
            .find(|s| s["step"] == name)
            .map(|s| s["state"].clone())
            .unwrap()
    };
    assert!(
        state("upload")["unknown"].is_string(),
        "{}",
        state("upload")
    );
    assert!(state("tag")["unknown"].is_string(), "{}", state("tag"));
    // Judged from what the last fetch brought.
    assert_eq!(state("branch"), "done", "{report}");
    assert_eq!(state("changelog"), "todo", "judged from the clone");
    assert_eq!(state("vote-mail"), "todo", "judged from the clone");

    let output = xtask_with(&sandbox, &["status", "1.0"], &down);
    expect_code(&output, 0);
    let printed = text(&output);
    assert!(
        printed.contains("v1.0 is on origin as of the last fetch"),
        "{printed}"
    );
    assert!(
        printed.contains("unknown: cannot read the refs of remote `origin`"),
        "{printed}"
    );
    assert!(
        printed.contains("svn"),
        "dist's failure is named: {printed}"
    );
}

#[test]
fn a_fresh_clone_reads_changelog_and_version_from_the_remote_release_branch() {
    let world = World::new();
    let sandbox = sandbox(&world);
    up_to_the_vote(&sandbox);
    let fresh = sandbox.path("fresh");
    world.git(
        sandbox.dir.as_std_path(),
        &[
            "clone",
            "-q",
            sandbox.path("origin.git").as_str(),
            fresh.as_str(),
        ],
    );
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .arg("--repo")
        .arg(&fresh)
        .args(["status", "1.0", "--json"]);
    for (key, value) in sandbox.env() {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    expect_code(&output, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let steps = report["steps"].as_array().unwrap();
    for name in ["changelog", "version", "tag"] {
        let step = steps.iter().find(|s| s["step"] == name).unwrap();
        assert_eq!(step["state"], "done", "{name}: {step}");
    }
}

#[test]
fn a_dry_run_fetches_nothing_and_fails_when_its_plan_would() {
    let world = World::new();
    let sandbox = sandbox(&world);
    expect_code(
        &xtask(&sandbox, &["release", "1.0", "--yes", "--until", "branch"]),
        0,
    );
    land_fix_on_master(&sandbox, 4).unwrap();
    // Then someone else pushes to master: this clone has not fetched it.
    let other = sandbox.path("other");
    world.git(
        sandbox.dir.as_std_path(),
        &[
            "clone",
            "-q",
            sandbox.path("origin.git").as_str(),
            other.as_str(),
        ],
    );
    world.write(other.as_std_path(), "NEWS", b"news\n");
    world.git(other.as_std_path(), &["add", "NEWS"]);
    world.git(other.as_std_path(), &["commit", "-q", "-m", "News"]);
    world.git(other.as_std_path(), &["push", "-q", "origin", "master"]);
    let project = sandbox.project();
    let tracking = || {
        world.git(
            project.as_std_path(),
            &["rev-parse", "refs/remotes/origin/master"],
        )
    };
    let before = tracking();
    assert_ne!(
        before,
        world.git(other.as_std_path(), &["rev-parse", "HEAD"])
    );

    // The backport's plan cannot go through without a token that may relabel: the dry run
    // says so with its exit code, and fetches nothing.
    let dry = xtask_with(
        &sandbox,
        &["--dry-run", "release", "1.0"],
        &[("GITHUB_TOKEN", "")],
    );
    expect_code(&dry, 1);
    assert!(
        text(&dry).contains("the dry run of backport fails")
            && text(&dry).contains("a dry run does not fetch"),
        "{}",
        text(&dry)
    );
    assert_eq!(tracking(), before, "a dry run fetched");
}

/// A release of two source tarballs: `verify` checks each (the further one's checks carry its
/// name) and the directory as a whole; damage to the second is caught.
#[test]
fn verify_checks_every_source_tarball_of_the_candidate() {
    let world = World::new();
    let sandbox = sandbox(&world);
    expect_code(
        &xtask(
            &sandbox,
            &[
                "release",
                "1.0",
                "--yes",
                "--allow-open",
                "--until",
                "upload",
            ],
        ),
        0,
    );
    let keys = format!("{}/dev/demo/KEYS", sandbox.dist);
    let out = xtask(&sandbox, &["verify", "1.0.0", "--rc", "1", "--keys", &keys]);
    expect_code(&out, 0);
    let report = stdout(&out);
    for check in ["checksum", "signature", "license", "top-dir"] {
        assert!(
            report.contains(&format!("apache-demo-lua-1.0.0-src.tgz: {check}")),
            "{check}: {report}"
        );
    }
    // The convenience binary: its signature and checksum, not the source rules.
    for check in ["checksum", "signature"] {
        assert!(
            report.contains(&format!("apache-demo-1.0.0-bin.tar.gz: {check}")),
            "{check}: {report}"
        );
    }
    assert!(
        !report.contains("apache-demo-1.0.0-bin.tar.gz: license"),
        "{report}"
    );
    // A local copy whose second tarball was changed after signing.
    let copy = sandbox.path("copy");
    let candidate = sandbox.project().join("target/asf-release/1.0.0-rc1");
    world.ok(world
        .command("cp")
        .args(["-r", candidate.as_str(), copy.as_str()]));
    let lua = copy.join("apache-demo-lua-1.0.0-src.tgz");
    let mut bytes = std::fs::read(&lua).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&lua, bytes).unwrap();
    let damaged = xtask(
        &sandbox,
        &[
            "verify",
            "1.0.0",
            "--rc",
            "1",
            "--keys",
            &keys,
            "--from",
            copy.as_str(),
        ],
    );
    expect_code(&damaged, 1);
    let text = stdout(&damaged);
    assert!(
        text.contains("✗ apache-demo-lua-1.0.0-src.tgz: checksum") && text.contains("✓ checksum"),
        "{text}"
    );
}
