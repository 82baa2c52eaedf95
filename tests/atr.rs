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

//! The release flow through Apache Trusted Releases (`dist = "atr"`) against the ATR stand-in
//! (xtask::demo::atr): the whole flow, a failed vote then the next candidate, cuts around every
//! ATR write converging, and ATR's error answers.

mod common;

use std::process::Output;

use camino::Utf8PathBuf;
use common::*;
use xtask::config::Dist;
use xtask::demo::atr::{AtrStandIn, Cut};
use xtask::demo::{land_fix_on_master, write_vote_thread, Sandbox};

fn sandbox(world: &World) -> Sandbox {
    let dir = Utf8PathBuf::from_path_buf(world.path("sandbox")).unwrap();
    Sandbox::build_for(dir, Dist::Atr).expect("the sandbox builds")
}

fn atr(sandbox: &Sandbox) -> &AtrStandIn {
    sandbox.atr.as_ref().expect("an ATR sandbox")
}

fn xtask(sandbox: &Sandbox, args: &[&str]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.arg("--repo").arg(sandbox.project()).args(args);
    for (key, value) in sandbox.env() {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn text(output: &Output) -> String {
    stdout(output) + &stderr(output)
}

fn expect_code(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "{}", text(output));
}

/// Planning and branch, a fix on master, then the candidate phase until the vote runs.
fn up_to_the_vote(sandbox: &Sandbox) -> Output {
    expect_code(
        &xtask(sandbox, &["release", "1.0", "--yes", "--until", "branch"]),
        0,
    );
    land_fix_on_master(sandbox, 4).unwrap();
    xtask(sandbox, &["release", "1.0", "--yes"])
}

/// The thread in the list archive (ATR's tabulation reads it) and the 72 hours over.
fn vote_ends(sandbox: &Sandbox, rc: u32, passing: bool) -> (Utf8PathBuf, Utf8PathBuf) {
    let (mbox, roster) = write_vote_thread(sandbox, "1.0.0", rc, passing).unwrap();
    atr(sandbox).feed_thread("1.0.0", &std::fs::read_to_string(&mbox).unwrap());
    atr(sandbox).later(80);
    (mbox, roster)
}

fn finish(sandbox: &Sandbox, mbox: &Utf8PathBuf, roster: &Utf8PathBuf) -> Output {
    let website = sandbox.website.to_string();
    xtask(
        sandbox,
        &[
            "release", "1.0", "1.0.0", "--yes", "--mbox", mbox.as_str(), "--roster",
            roster.as_str(), "--website", &website,
        ],
    )
}

/// Revision numbers and files of every revision, the phase, and the mails ATR sent.
fn atr_state(atr: &AtrStandIn) -> String {
    let release = atr.release("1.0.0").expect("a release on ATR");
    // The counter numbers every revision ever made: a duplicate upload shows here even after
    // the announcement removed the revisions.
    let mut out = format!("phase {}, {} revisions made\n", release.phase, release.counter);
    for revision in &release.revisions {
        let files: Vec<&String> = revision.files.keys().collect();
        out.push_str(&format!("{} {files:?}\n", revision.number));
    }
    for mail in atr.mails() {
        out.push_str(&format!("mail to {}: {}\n", mail.to, mail.subject));
    }
    out
}

#[test]
fn the_whole_flow_runs_through_atr() {
    let world = World::new();
    let sandbox = sandbox(&world);
    let output = up_to_the_vote(&sandbox);
    expect_code(&output, 2);
    let shown = text(&output);
    assert!(shown.contains("stopped before tally"), "{shown}");
    assert!(shown.contains("ATR's checks of revision 00004"), "{shown}");
    assert!(shown.contains("archive validation in progress"), "{shown}");
    let state = atr_state(atr(&sandbox));
    assert!(state.starts_with("phase release_candidate, 4 revisions made\n00001 []\n00002 [\"apache-demo-1.0.0-src.tgz\"]\n"), "{state}");
    assert!(state.contains("00004 [\"apache-demo-1.0.0-src.tgz\", \"apache-demo-1.0.0-src.tgz.asc\", \"apache-demo-1.0.0-src.tgz.sha512\"]"), "{state}");
    let vote = &atr(&sandbox).mails()[0];
    assert_eq!(vote.to, "dev@demo.apache.org");
    assert!(vote.subject.starts_with("[VOTE] Release Apache Demo 1.0.0"), "{}", vote.subject);
    assert!(vote.body.contains("apache-demo-1.0.0-src.tgz"), "{}", vote.body);

    let status = xtask(&sandbox, &["status", "1.0"]);
    assert!(text(&status).contains("revision 00004 on ATR"), "{}", text(&status));

    let (mbox, roster) = vote_ends(&sandbox, 1, true);
    let tally = xtask(
        &sandbox,
        &["vote", "tally", "1.0.0", "--rc", "1", "--mbox", mbox.as_str(), "--roster", roster.as_str()],
    );
    expect_code(&tally, 0);
    assert!(text(&tally).contains("ATR's tabulation and the count of the mbox agree"), "{}", text(&tally));
    // Without the mbox, ATR's tabulation decides.
    expect_code(&xtask(&sandbox, &["vote", "tally", "1.0.0", "--rc", "1"]), 0);
    let output = finish(&sandbox, &mbox, &roster);
    expect_code(&output, 0);
    let state = atr_state(atr(&sandbox));
    assert!(state.starts_with("phase release, 5 revisions made\n"), "{state}");
    assert!(state.contains("[VOTE] [RESULT] Release demo-1.0.0 PASSED"), "{state}");
    assert!(state.contains("mail to announce@apache.org: [ANNOUNCE]"), "{state}");
    // A rerun finds everything done and asks ATR for nothing that changes it.
    let writes_before = writes(atr(&sandbox));
    expect_code(&finish(&sandbox, &mbox, &roster), 0);
    assert_eq!(writes(atr(&sandbox)), writes_before);
}

/// The writes ATR accepted (the token exchange aside).
fn writes(atr: &AtrStandIn) -> Vec<String> {
    atr.seen()
        .into_iter()
        .filter(|s| s.method == "POST" && s.status < 300 && !s.path.ends_with("/jwt/create"))
        .filter(|s| !s.path.ends_with("/vote/tabulate"))
        .map(|s| s.path)
        .collect()
}

#[test]
fn a_failed_vote_then_the_next_candidate() {
    let world = World::new();
    let sandbox = sandbox(&world);
    expect_code(&up_to_the_vote(&sandbox), 2);
    let (mbox, roster) = vote_ends(&sandbox, 1, false);
    let failed = xtask(
        &sandbox,
        &["release", "1.0", "--yes", "--mbox", mbox.as_str(), "--roster", roster.as_str()],
    );
    expect_code(&failed, 2);
    assert!(text(&failed).contains("--next-rc"), "{}", text(&failed));

    let next = xtask(&sandbox, &["release", "1.0", "--yes", "--next-rc"]);
    expect_code(&next, 2);
    assert!(text(&next).contains("1.0.0 (RC2)"), "{}", text(&next));
    let release = atr(&sandbox).release("1.0.0").unwrap();
    assert_eq!(release.phase, "release_candidate");
    // RC1's vote ended as failed (its period was over), RC2 staged anew and under vote.
    assert_eq!(release.vote_revision.as_deref(), Some("00007"));
    let subjects: Vec<String> = atr(&sandbox).mails().into_iter().map(|m| m.subject).collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert!(subjects[1].ends_with("FAILED"), "{subjects:?}");
    assert!(subjects[2].contains("(RC2)"), "{subjects:?}");

    let (mbox, roster) = vote_ends(&sandbox, 2, true);
    expect_code(&finish(&sandbox, &mbox, &roster), 0);
    let state = atr_state(atr(&sandbox));
    assert!(state.starts_with("phase release, 8 revisions made\n"), "{state}");
    assert!(state.contains("Release demo-1.0.0 PASSED"), "{state}");
    let origin = sandbox.path("origin.git");
    let rc2 = world.git(origin.as_std_path(), &["rev-parse", "1.0.0-rc2^{commit}"]);
    let release = world.git(origin.as_std_path(), &["rev-parse", "1.0.0^{commit}"]);
    assert_eq!(rc2, release, "the release tag is on the voted candidate");
}

/// Runs `args` until it ends with `code`; a cut ATR call fails one run (exit 1) at most.
fn converge(sandbox: &Sandbox, args: &[&str], code: i32) -> Vec<String> {
    let mut failures = Vec::new();
    for _ in 0..3 {
        let output = xtask(sandbox, args);
        if output.status.code() == Some(code) {
            return failures;
        }
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        failures.push(text(&output));
    }
    panic!("{args:?} did not converge: {failures:?}");
}

/// The whole flow with one ATR write cut, before ATR acts or after (its answer lost, as for a
/// killed run): the reruns end where a clean run ends, one release, no duplicate revision, no
/// second vote or announcement.
fn flow_with_cut(route: &str, skip: usize, cut: Cut) -> (String, usize) {
    let world = World::new();
    let sandbox = sandbox(&world);
    atr(&sandbox).cut_nth(route, skip, cut);
    expect_code(&xtask(&sandbox, &["release", "1.0", "--yes", "--until", "branch"]), 0);
    land_fix_on_master(&sandbox, 4).unwrap();
    let mut failures = converge(&sandbox, &["release", "1.0", "--yes"], 2);
    let (mbox, roster) = vote_ends(&sandbox, 1, true);
    let website = sandbox.website.to_string();
    failures.extend(converge(
        &sandbox,
        &["release", "1.0", "1.0.0", "--yes", "--mbox", mbox.as_str(), "--roster", roster.as_str(), "--website", &website],
        0,
    ));
    for failure in &failures {
        assert!(failure.contains("rerun") || failure.contains("ATR"), "{failure}");
    }
    (atr_state(atr(&sandbox)), failures.len())
}

#[test]
fn a_cut_at_every_atr_write_converges() {
    let reference = "phase release, 5 revisions made\nmail to dev@demo.apache.org: [VOTE] Release Apache Demo 1.0.0 (RC1)\nmail to dev@demo.apache.org: [VOTE] [RESULT] Release demo-1.0.0 PASSED\nmail to announce@apache.org: [ANNOUNCE] Apache demo 1.0.0 released\n";
    let mut cut_runs = 0;
    for (route, skip) in [
        ("/api/release/create", 0),
        ("/api/release/upload", 0),
        ("/api/release/upload", 1),
        ("/api/release/upload", 2),
        ("/api/vote/start", 0),
        ("/api/vote/resolve", 0),
        ("/api/release/announce", 0),
    ] {
        for cut in [Cut::Before, Cut::After] {
            let (state, failures) = flow_with_cut(route, skip, cut);
            assert_eq!(state, reference, "{route} #{skip} cut {cut:?}");
            cut_runs += failures;
        }
    }
    assert_eq!(cut_runs, 14, "every cut failed one run");
}
