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

//! The gates of the release process, end to end in the demo sandbox: no promotion without
//! evidence of a passed vote (each refusal, the override on purpose, the happy path and what
//! the commit message says), `status` that never takes dist/release for a passed vote, steps
//! that refuse a candidate that was never made, and the candidate directory that holds only
//! the release's files.

mod common;

use std::process::Output;

use asf_release::demo::{land_fix_on_master, write_vote_thread, Sandbox};
use camino::Utf8PathBuf;
use common::*;

fn sandbox(world: &World) -> Sandbox {
    let dir = Utf8PathBuf::from_path_buf(world.path("sandbox")).unwrap();
    Sandbox::build(dir).expect("the sandbox builds")
}

fn xtask(sandbox: &Sandbox, args: &[&str]) -> Output {
    in_sandbox(sandbox, args, &[])
}

fn text(output: &Output) -> String {
    stdout(output) + &stderr(output)
}

/// The demo flow up to the vote: RC1 tagged, packaged, uploaded, its VOTE mail rendered.
fn up_to_the_vote(sandbox: &Sandbox) {
    let branch = xtask(sandbox, &["release", "1.0", "--yes", "--until", "branch"]);
    assert_eq!(branch.status.code(), Some(0), "{}", text(&branch));
    land_fix_on_master(sandbox, 4).unwrap();
    let vote = xtask(sandbox, &["release", "1.0", "--yes"]);
    assert!(
        vote.status.code() == Some(2) && text(&vote).contains("stopped before tally"),
        "{}",
        text(&vote)
    );
}

/// Keeps a copy of a vote thread the demo wrote (the next one is written to the same file).
fn keep(mbox: &camino::Utf8Path, name: &str) -> String {
    let copy = mbox.with_file_name(name);
    std::fs::copy(mbox, &copy).unwrap();
    copy.to_string()
}

#[test]
fn promote_takes_only_a_passed_vote_and_says_what_it_checked() {
    let world = World::new();
    let sandbox = sandbox(&world);
    up_to_the_vote(&sandbox);
    let svn = |args: &[&str]| world.ok(world.command("svn").args(args));
    let release_area = format!("{}/release/demo", sandbox.dist);
    let released = || svn(&["ls", &release_area]).contains("1.0.0/");
    let promote = |extra: &[&str]| {
        let args = [&["promote", "1.0.0", "--rc", "1", "--yes"][..], extra].concat();
        xtask(&sandbox, &args)
    };
    // No thread in the list's archive yet and none given: nothing says the vote passed
    // (issue 23: it promoted and said so).
    assert_fails_with(
        &promote(&[]),
        &[
            "no evidence that the vote on 1.0.0 RC1 passed, so nothing was changed",
            "could not be counted from the archive of dev@demo.apache.org",
            "--mbox <FILE>",
            "--roster",
            "--vote-counted-elsewhere",
        ],
    );
    let (passing, roster) = write_vote_thread(&sandbox, "1.0.0", 1, true).unwrap();
    let passing = keep(&passing, "passing.mbox");
    let (failing, _) = write_vote_thread(&sandbox, "1.0.0", 1, false).unwrap();
    let failing = keep(&failing, "failing.mbox");
    let roster = roster.as_str();

    // A failed vote, an open one, a count without the roster.
    assert_fails_with(
        &promote(&["--mbox", &failing, "--roster", roster]),
        &[
            "the vote on 1.0.0 RC1 did not pass (1 binding +1, 2 binding -1",
            "nothing was changed",
            "cargo xtask vote tally 1.0.0 --rc 1 --mbox",
        ],
    );
    let early = (asf_release::clock::system_now() - 70 * 3600).to_string();
    let open = in_sandbox(
        &sandbox,
        &[
            "promote", "1.0.0", "--rc", "1", "--yes", "--mbox", &passing, "--roster", roster,
        ],
        &[("SOURCE_DATE_EPOCH", &early)],
    );
    assert_fails_with(&open, &["is still open until", "nothing was changed"]);
    // Without --roster the roster is the committee's on whimsy (here the sandbox's stand-in),
    // as `vote tally` reads it: that is checked by the promotion further down.
    // An override names a plain https URL, and only alone.
    for (bad, said) in [
        ("http://lists.apache.org/thread/1", "is not an https URL"),
        ("https://lists.apache.org/", "does not name one mail"),
        (
            "https://lists.apache.org/thread/1\nSigned-off-by: x",
            "does not name one mail",
        ),
        (
            "https://rm:pw@lists.apache.org/thread/1",
            "no plain host name",
        ),
    ] {
        assert_fails_with(
            &promote(&["--vote-counted-elsewhere", bad]),
            &[said, "--vote-counted-elsewhere names the [RESULT] mail"],
        );
    }
    assert_fails_with(
        &promote(&["--vote-counted-elsewhere", VOTE_URL, "--mbox", &passing]),
        &["cannot be used with"],
    );
    assert!(!released(), "a refusal changed dist");

    // What the commit message would say, shown by the dry run: the override names its URL; a
    // Message-ID that is not plain (outside bytes) never reaches it.
    let dry = xtask(
        &sandbox,
        &[
            "--dry-run",
            "promote",
            "1.0.0",
            "--rc",
            "1",
            "--vote-counted-elsewhere",
            VOTE_URL,
        ],
    );
    assert!(
        stdout(&dry).contains(&format!(
            "move 1.0.0-rc1 from dev; vote counted elsewhere, not by this tool: the release \
             manager named {VOTE_URL}"
        )),
        "{}",
        text(&dry)
    );
    let hostile = std::fs::read_to_string(&passing).unwrap().replacen(
        "Message-ID: <0.rc1.rm@apache.org>",
        "Message-ID: <0.rc1.rm@apache.org'; svn rm ^/release #>",
        1,
    );
    let hostile_path = sandbox.path("hostile.mbox");
    std::fs::write(&hostile_path, hostile).unwrap();
    let dry = xtask(
        &sandbox,
        &[
            "--dry-run",
            "promote",
            "1.0.0",
            "--rc",
            "1",
            "--mbox",
            hostile_path.as_str(),
            "--roster",
            roster,
        ],
    );
    assert!(
        stdout(&dry).contains(
            "vote passed: 3 binding +1, 0 binding -1, thread of the VOTE mail at message 1 of \
             the mbox"
        ) && !text(&dry).contains("svn rm"),
        "{}",
        text(&dry)
    );

    // The passed vote: promoted, and the commit says what was checked.
    let promoted = promote(&["--mbox", &passing, "--roster", roster]);
    assert!(promoted.status.success(), "{}", text(&promoted));
    assert!(released());
    let message = svn(&["log", "-l", "1", &release_area]);
    assert!(
        message.contains(
            "Release Demo 1.0.0: move 1.0.0-rc1 from dev; vote passed: 3 binding +1, 0 binding \
             -1, thread <0.rc1.rm@apache.org>\n"
        ),
        "{message}"
    );
    let again = promote(&["--mbox", &passing, "--roster", roster]);
    assert!(
        again.status.success() && text(&again).contains("promoted from RC1 already: nothing to do"),
        "{}",
        text(&again)
    );
    // An RC that never was is no "already promoted" (issue 23: `--rc 7` said so).
    let seventh = xtask(
        &sandbox,
        &[
            "promote",
            "1.0.0",
            "--rc",
            "7",
            "--yes",
            "--vote-counted-elsewhere",
            VOTE_URL,
        ],
    );
    assert_fails_with(
        &seventh,
        &[
            "1.0.0 is released already, from",
            "1.0.0-rc1",
            "not from RC7",
        ],
    );

    // `status` never takes dist/release for a passed vote; given the thread, it counts it.
    let status = text(&xtask(&sandbox, &["status", "1.0", "1.0.0"]));
    let tally = status
        .lines()
        .find(|l| l.contains(" tally "))
        .unwrap()
        .to_string();
    assert!(
        tally.contains("released: 1.0.0 is in") && tally.contains("the vote was not checked here"),
        "{status}"
    );
    assert!(!status.contains("the vote passed"), "{status}");
    let counted = text(&xtask(
        &sandbox,
        &[
            "status", "1.0", "1.0.0", "--mbox", &passing, "--roster", roster,
        ],
    ));
    assert!(
        counted.contains(&format!("the vote in {passing} passed")),
        "{counted}"
    );
}

/// Every step refuses a candidate that was never made, naming those that were; the VOTE mail
/// names the KEYS that holds the new key; the candidate directory holds the release's files
/// only, so `verify` on it passes.
#[test]
fn a_candidate_that_was_never_made_is_refused_and_the_output_directory_verifies() {
    let world = World::new();
    let sandbox = sandbox(&world);
    up_to_the_vote(&sandbox);
    for args in [
        &["upload", "1.0.0", "--rc", "7", "--yes"][..],
        &["mail", "vote", "1.0.0", "--rc", "7"],
        &["package", "1.0.0", "--rc", "7"],
        &["verify", "1.0.0", "--rc", "7"],
        &[
            "promote",
            "1.0.0",
            "--rc",
            "7",
            "--yes",
            "--vote-counted-elsewhere",
            VOTE_URL,
        ],
    ] {
        let refused = xtask(&sandbox, args);
        assert_fails_with(&refused, &["RC1"]);
        assert!(
            text(&refused).contains("RC7") || text(&refused).contains("rc7"),
            "{args:?}: {}",
            text(&refused)
        );
    }

    let out = sandbox.project().join("target/asf-release");
    assert!(!out.join("1.0.0-rc1/vote.eml").exists());
    let vote = std::fs::read_to_string(out.join("records/1.0.0-rc1/vote.eml")).unwrap();
    // The demo's new key is in the dev KEYS only: that is the one the mail names.
    let dev_keys = format!("{}/dev/demo/KEYS", sandbox.dist);
    assert!(
        vote.contains(&format!(
            "Keys to verify the release candidate:\n\n{dev_keys}\n"
        )) && !vote.contains("downloads.apache.org/demo/KEYS"),
        "{vote}"
    );
    // Steps outside the flow that others see refuse without --yes too, naming the command.
    for (args, rerun) in [
        (
            &["milestone", "create", "1.1"][..],
            "milestone create 1.1 --yes`",
        ),
        (&["keys", "publish"], "keys publish --yes`"),
    ] {
        assert_fails_with(
            &xtask(&sandbox, args),
            &[
                "nothing was changed",
                "no one can confirm it here (no terminal)",
                rerun,
            ],
        );
    }
    assert!(
        !sandbox
            .github
            .seen()
            .iter()
            .any(|s| s.method == "POST" && s.target.contains("/milestones")),
        "a milestone was created without --yes"
    );
    let candidate = out.join("1.0.0-rc1");
    let verified = xtask(
        &sandbox,
        &[
            "verify",
            "1.0.0",
            "--rc",
            "1",
            "--from",
            candidate.as_str(),
            "--keys",
            &dev_keys,
        ],
    );
    assert!(verified.status.success(), "{}", text(&verified));
}

/// The demo with a failed vote: the flow stops at the tally and `promote` refuses; RC1 stays
/// in dist/dev and nothing reaches dist/release.
#[test]
fn the_demo_with_a_failed_vote_does_not_promote() {
    let world = World::new();
    let dir = world.path("demo");
    let output = world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args(["demo", "--vote", "failed", "--dir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let printed = text(&output);
    for needle in [
        "stopped before tally: the vote of RC1 failed",
        "the vote on 1.0.0 RC1 did not pass (1 binding +1, 2 binding -1",
        "nothing is promoted",
    ] {
        assert!(printed.contains(needle), "{needle:?} in:\n{printed}");
    }
    let dist = format!("file://{}", dir.join("svn").display());
    let listing = world.ok(world.command("svn").args(["ls", "-R", &dist]));
    assert!(listing.contains("dev/demo/1.0.0-rc1/"), "{listing}");
    assert!(!listing.contains("release/demo/1.0.0"), "{listing}");
}
