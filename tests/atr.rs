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
//! (asf_release::demo::atr): the whole flow, a failed vote then the next candidate, cuts around every
//! ATR write converging, and ATR's error answers.

mod common;

use std::process::Output;

use asf_release::demo::atr::{AtrStandIn, Cut};
use asf_release::demo::{write_vote_thread, Sandbox};
use common::atr::*;
use common::*;

/// Revision numbers and files of every revision, the phase, and the mails ATR sent.
fn atr_state(atr: &AtrStandIn) -> String {
    let release = atr.release("1.0.0").expect("a release on ATR");
    // The counter numbers every revision ever made: a duplicate upload shows here even after
    // the announcement removed the revisions.
    let mut out = format!(
        "phase {}, {} revisions made\n",
        release.phase, release.counter
    );
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
    assert!(
        vote.subject.starts_with("[VOTE] Release Apache Demo 1.0.0"),
        "{}",
        vote.subject
    );
    assert!(
        vote.body.contains("apache-demo-1.0.0-src.tgz"),
        "{}",
        vote.body
    );

    let status = xtask(&sandbox, &["status", "1.0"]);
    assert!(
        text(&status).contains("revision 00004 on ATR"),
        "{}",
        text(&status)
    );

    let (mbox, roster) = vote_ends(&sandbox, 1, true);
    // ATR's tabulation passes the vote, but the resolution waits for our own count.
    let waiting = xtask(&sandbox, &["release", "1.0", "--yes"]);
    expect_code(&waiting, 2);
    assert!(
        text(&waiting)
            .contains("stopped before result-mail: the vote is resolved on our own count"),
        "{}",
        text(&waiting)
    );
    let tally = xtask(
        &sandbox,
        &[
            "vote",
            "tally",
            "1.0.0",
            "--rc",
            "1",
            "--mbox",
            mbox.as_str(),
            "--roster",
            roster.as_str(),
        ],
    );
    expect_code(&tally, 0);
    assert!(
        text(&tally).contains("ATR's tabulation and the count of the mbox agree"),
        "{}",
        text(&tally)
    );
    // Without the mbox, ATR's tabulation decides.
    expect_code(
        &xtask(&sandbox, &["vote", "tally", "1.0.0", "--rc", "1"]),
        0,
    );
    let output = finish(&sandbox, &mbox, &roster);
    expect_code(&output, 0);
    let state = atr_state(atr(&sandbox));
    assert!(
        state.starts_with("phase release, 5 revisions made\n"),
        "{state}"
    );
    assert!(
        state.contains("[VOTE] [RESULT] Release demo-1.0.0 PASSED"),
        "{state}"
    );
    assert!(
        state.contains("mail to announce@apache.org: [ANNOUNCE]"),
        "{state}"
    );
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
    assert!(text(&failed).contains("--next-rc"), "{}", text(&failed));

    let next = xtask(&sandbox, &["release", "1.0", "--yes", "--next-rc"]);
    expect_code(&next, 2);
    assert!(text(&next).contains("1.0.0 (RC2)"), "{}", text(&next));
    let release = atr(&sandbox).release("1.0.0").unwrap();
    assert_eq!(release.phase, "release_candidate");
    // RC1's vote ended as failed (its period was over), RC2 staged anew and under vote.
    assert_eq!(release.vote_revision.as_deref(), Some("00007"));
    let subjects: Vec<String> = atr(&sandbox)
        .mails()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(subjects.len(), 3, "{subjects:?}");
    assert!(subjects[1].ends_with("FAILED"), "{subjects:?}");
    assert!(subjects[2].contains("(RC2)"), "{subjects:?}");

    let (mbox, roster) = vote_ends(&sandbox, 2, true);
    // 2025's ATR wants the announcement's subject: given when its validation asks.
    atr(&sandbox).state().announce_needs_subject = true;
    expect_code(&finish(&sandbox, &mbox, &roster), 0);
    let announced = atr(&sandbox).mails().pop().unwrap();
    assert_eq!(announced.subject, "[ANNOUNCE] Apache Demo 1.0.0 released");
    let state = atr_state(atr(&sandbox));
    assert!(
        state.starts_with("phase release, 8 revisions made\n"),
        "{state}"
    );
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
    branched_with_a_fix(&sandbox);
    let mut failures = converge(&sandbox, &["release", "1.0", "--yes"], 2);
    let (mbox, roster) = vote_ends(&sandbox, 1, true);
    let website = sandbox.website.to_string();
    // Entered at reporter.apache.org ahead: the flow then ends without stopping for it.
    expect_code(&xtask(&sandbox, &["report", "1.0.0", "--done"]), 0);
    failures.extend(converge(
        &sandbox,
        &[
            "release",
            "1.0",
            "1.0.0",
            "--yes",
            "--mbox",
            mbox.as_str(),
            "--roster",
            roster.as_str(),
            "--website",
            &website,
        ],
        0,
    ));
    for failure in &failures {
        assert!(
            failure.contains("rerun") || failure.contains("ATR"),
            "{failure}"
        );
    }
    (atr_state(atr(&sandbox)), failures.len())
}

#[test]
fn a_cut_at_every_atr_write_converges() {
    let reference = "phase release, 5 revisions made\nmail to dev@demo.apache.org: [VOTE] Release Apache Demo 1.0.0 (RC1)\nmail to dev@demo.apache.org: [VOTE] [RESULT] Release demo-1.0.0 PASSED\nmail to announce@apache.org: [ANNOUNCE] Apache demo 1.0.0 released\n";
    let mut cut_runs = 0;
    for (route, skip) in [
        ("/api/key/add", 0),
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
    assert_eq!(cut_runs, 16, "every cut failed one run");
}

/// A cut read (or token exchange, or tabulation) is asked again in the same run: no run fails.
#[test]
fn a_cut_at_an_atr_read_is_retried_within_the_run() {
    let reference = "phase release, 5 revisions made\nmail to dev@demo.apache.org: [VOTE] Release Apache Demo 1.0.0 (RC1)\nmail to dev@demo.apache.org: [VOTE] [RESULT] Release demo-1.0.0 PASSED\nmail to announce@apache.org: [ANNOUNCE] Apache demo 1.0.0 released\n";
    for (route, cut) in [
        ("/api/jwt/create", Cut::After),
        ("/api/release/paths", Cut::Before),
        ("/api/checks/list", Cut::After),
        ("/api/vote/tabulate", Cut::Before),
    ] {
        let (state, failures) = flow_with_cut(route, 0, cut);
        assert_eq!(state, reference, "{route} cut {cut:?}");
        assert_eq!(failures, 0, "{route} cut {cut:?}");
    }
}

#[test]
fn atr_error_answers_are_atr_s_and_the_flow_explains_or_survives_them() {
    let world = World::new();
    let sandbox = sandbox(&world);
    let atr = atr(&sandbox);
    branched_with_a_fix(&sandbox);
    // A rate limit on a read is waited out; the upload goes on.
    atr.force_next("/api/release/get", 429, "Rate limit exceeded");
    expect_code(
        &xtask(&sandbox, &["release", "1.0", "--yes", "--until", "upload"]),
        0,
    );

    // The stand-in answers as the sheet says.
    let token = jwt(atr);
    let post = |path: &str, body: &str| raw(atr, "POST", path, Some(&token), body);
    let (status, answer) = post(
        "/api/release/create",
        r#"{"project": "demo", "version": "1.0.0", "colour": "red"}"#,
    );
    assert_eq!(
        (status, answer["validation_details"][0]["type"].as_str()),
        (400, Some("extra_forbidden")),
        "{answer}"
    );
    let (status, answer) = post(
        "/api/release/create",
        r#"{"project": "demo", "version": "1.0.0"}"#,
    );
    assert_eq!(status, 409, "{answer}");
    let vote = |revision: &str, hours: &str, to: &str| {
        format!(
            r#"{{"project": "demo", "version": "1.0.0", "revision": "{revision}", "email_to": "{to}", "vote_duration": {hours}, "subject": "s", "body": "b"}}"#
        )
    };
    let (status, answer) = post(
        "/api/vote/start",
        &vote("00004", "\"72\"", "dev@demo.apache.org"),
    );
    assert_eq!(status, 400, "no coercion: {answer}");
    let (status, _) = post(
        "/api/vote/start",
        &vote("00004", "10", "dev@demo.apache.org"),
    );
    assert_eq!(status, 400);
    let (status, answer) = post(
        "/api/vote/start",
        &vote("00004", "72", "everyone@example.com"),
    );
    assert_eq!(
        (status, answer["error"].as_str()),
        (403, Some("Invalid mailing list choice"))
    );
    let (status, _) = post(
        "/api/vote/resolve",
        r#"{"project": "demo", "version": "1.0.0", "resolution": "passed"}"#,
    );
    assert_eq!(status, 404, "no vote yet");
    let (status, answer) = raw(
        atr,
        "POST",
        "/api/vote/tabulate",
        Some("eyJ.forged"),
        r#"{"project": "demo", "version": "1.0.0"}"#,
    );
    assert_eq!(status, 401, "{answer}");
    atr.expire_tokens();
    let (status, answer) = post(
        "/api/vote/tabulate",
        r#"{"project": "demo", "version": "1.0.0"}"#,
    );
    assert_eq!(
        (status, answer["error"].as_str()),
        (401, Some("Token has expired"))
    );

    // Someone adds a file after our upload: the vote refuses the newer revision.
    let token = jwt(atr);
    let keys = asf_release::encoding::base64(b"pub 1024R/0000 someone\n");
    let body = format!(
        r#"{{"project": "demo", "version": "1.0.0", "relpath": "KEYS", "content": "{keys}"}}"#
    );
    let (status, answer) = raw(atr, "POST", "/api/release/upload", Some(&token), &body);
    assert_eq!(status, 201, "{answer}");
    let (status, answer) = raw(
        atr,
        "POST",
        "/api/vote/start",
        Some(&token),
        &vote("00004", "72", "dev@demo.apache.org"),
    );
    assert_eq!(status, 409, "stale revision: {answer}");
    let refused = xtask(&sandbox, &["mail", "vote", "1.0.0", "--rc", "1", "--yes"]);
    expect_code(&refused, 1);
    assert!(
        text(&refused).contains("latest revision of 1.0.0 is 00005, not 00004"),
        "{}",
        text(&refused)
    );
    // Staging again finds the KEYS file a blocker: the step fails and says so.
    let blocked = xtask(&sandbox, &["upload", "--yes", "1.0.0", "--rc", "1"]);
    expect_code(&blocked, 1);
    for needle in [
        "✗ paths.check_errors",
        "blocker KEYS: File type not allowed",
        "✓ file_hash.check",
    ] {
        assert!(
            text(&blocked).contains(needle),
            "{needle}: {}",
            text(&blocked)
        );
    }
    // ATR's blocker is shown, and what caused it: a file that is not the candidate's.
    assert!(
        text(&blocked).contains("holds 1 file(s) that are not this candidate's: KEYS"),
        "{}",
        text(&blocked)
    );
    let (status, answer) = raw(
        atr,
        "POST",
        "/api/vote/start",
        Some(&token),
        &vote("00005", "72", "dev@demo.apache.org"),
    );
    assert_eq!(status, 409, "blockers: {answer}");
}

#[test]
fn expired_tokens_are_renewed_and_refusals_name_route_status_and_message() {
    let world = World::new();
    let sandbox = sandbox(&world);
    let atr = atr(&sandbox);
    released_until(&sandbox, "upload");
    let vote = ["mail", "vote", "1.0.0", "--rc", "1", "--yes"];
    atr.force_next(
        "/api/vote/start",
        409,
        "Checks are still running for this revision",
    );
    let refused = xtask(&sandbox, &vote);
    expect_code(&refused, 1);
    let shown = text(&refused);
    assert!(
        shown.contains("ATR answered POST http://127.0.0.1:")
            && shown.contains("/api/vote/start with 409: Checks are still running"),
        "{shown}"
    );
    atr.force_next("/api/vote/start", 429, "Rate limit exceeded");
    let limited = xtask(&sandbox, &vote);
    expect_code(&limited, 1);
    assert!(
        text(&limited).contains("rerun in an hour"),
        "{}",
        text(&limited)
    );
    // A JWT that expires between the token exchange and the call: a new one, and the call.
    atr.force_next("/api/vote/start", 401, "Token has expired");
    let minted = atr.state().minted;
    let started = xtask(&sandbox, &vote);
    expect_code(&started, 0);
    assert!(
        text(&started).contains("token expired; getting a new one"),
        "{}",
        text(&started)
    );
    assert_eq!(atr.mails().len(), 1, "one vote mail");
    assert_eq!(
        atr.state().minted,
        minted + 1,
        "the JWT kept from the last run, refused, and one new for the renewal"
    );
    // Asked again, nothing more happens.
    expect_code(&xtask(&sandbox, &vote), 0);
    assert_eq!(atr.mails().len(), 1, "no second vote");
    // In the vote: no file changes (409), no early pass (409), no announcement (404).
    let token = jwt(atr);
    let post = |path: &str, body: &str| raw(atr, "POST", path, Some(&token), body).0;
    let content = asf_release::encoding::base64(b"late\n");
    let late = format!(
        r#"{{"project": "demo", "version": "1.0.0", "relpath": "NOTES.txt", "content": "{content}"}}"#
    );
    assert_eq!(post("/api/release/upload", &late), 409);
    let pass = r#"{"project": "demo", "version": "1.0.0", "resolution": "passed"}"#;
    assert_eq!(post("/api/vote/resolve", pass), 409);
    let vote_again = r#"{"project": "demo", "version": "1.0.0", "revision": "00004", "email_to": "dev@demo.apache.org", "vote_duration": 72, "subject": "s", "body": "b"}"#;
    assert_eq!(post("/api/vote/start", vote_again), 409);
    let announce = r#"{"project": "demo", "version": "1.0.0", "revision": "00004", "email_to": "announce@apache.org", "body": "b"}"#;
    assert_eq!(post("/api/release/announce", announce), 404);
    let bad = xtask(
        &sandbox,
        &["--dry-run", "mail", "vote", "1.0.0", "--rc", "1"],
    );
    assert!(!text(&bad).contains(asf_release::demo::atr::DEMO_TOKEN));
}

#[test]
fn the_demo_runs_through_atr() {
    let world = World::new();
    let dir = world.path("demo");
    let output = world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args(["demo", "--dir", dir.to_str().unwrap(), "--dist", "atr"])
        .output()
        .unwrap();
    expect_code(&output, 0);
    let printed = text(&output);
    for needle in [
        "(stand-in; the release goes through it)",
        "ATR's checks of revision 00004:",
        "ATR started the vote on revision 00004",
        "Demo 1.0.0 is released and announced",
        "to announce@apache.org: [ANNOUNCE] Apache demo 1.0.0 released",
    ] {
        assert!(printed.contains(needle), "{needle:?} in:\n{printed}");
    }
    let closing = &printed[printed.rfind("release 1.0 of").unwrap()..];
    assert!(
        closing.contains("the vote passed: resolved on ATR"),
        "{closing}"
    );
    assert!(
        closing.contains("1.0.0 is released and announced: nothing to do"),
        "{closing}"
    );
}

#[test]
fn the_tally_says_where_atr_and_the_mbox_disagree() {
    let world = World::new();
    let sandbox = sandbox(&world);
    expect_code(&up_to_the_vote(&sandbox), 2);
    // ATR's archive has a thread where Bob and Carol vote -1; the mbox given has their +1.
    let (failing, _) = write_vote_thread(&sandbox, "1.0.0", 1, false).unwrap();
    let archived = std::fs::read_to_string(&failing).unwrap();
    let (mbox, roster) = write_vote_thread(&sandbox, "1.0.0", 1, true).unwrap();
    atr(&sandbox).feed_thread("1.0.0", &archived);
    atr(&sandbox).later(80);
    let args = [
        "vote",
        "tally",
        "1.0.0",
        "--rc",
        "1",
        "--mbox",
        mbox.as_str(),
        "--roster",
        roster.as_str(),
    ];
    let output = xtask(&sandbox, &args);
    // Our count of the mbox decides; the differences are named for the release manager.
    expect_code(&output, 0);
    let shown = text(&output);
    for needle in [
        "ATR's tabulation and the count of the mbox DISAGREE",
        "Bob Banana <bob@apache.org>: vote +1 here, No on ATR",
        "Carol Cherry <carol@apache.org>: vote +1 here, No on ATR",
    ] {
        assert!(shown.contains(needle), "{needle:?} in:\n{shown}");
    }
    assert!(
        !shown.contains("Alice Apple <alice@apache.org>: vote"),
        "{shown}"
    );
}

fn xtask_with(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Output {
    in_sandbox(sandbox, args, env)
}

#[test]
fn missing_or_refused_atr_secrets_say_what_to_do_and_change_nothing() {
    let world = World::new();
    let sandbox = sandbox(&world);
    released_until(&sandbox, "keys");
    let upload = ["upload", "1.0.0", "--rc", "1", "--yes"];
    let missing = xtask_with(&sandbox, &upload, &[("ATR_TOKEN", "")]);
    expect_code(&missing, 1);
    assert!(
        text(&missing).contains("ATR_UID") && text(&missing).contains("/tokens"),
        "{}",
        text(&missing)
    );
    // The dry run needs no secret and shows the calls.
    let dry = xtask_with(
        &sandbox,
        &["--dry-run", "upload", "1.0.0", "--rc", "1"],
        &[("ATR_TOKEN", "")],
    );
    expect_code(&dry, 0);
    assert!(
        text(&dry)
            .contains("/api/release/create {project: demo, version: 1.0.0} as ATR_UID (not set)"),
        "{}",
        text(&dry)
    );
    let wrong = xtask_with(&sandbox, &upload, &[("ATR_TOKEN", "wrong-pat-42")]);
    expect_code(&wrong, 1);
    let shown = text(&wrong);
    assert!(
        shown.contains("ATR did not accept ATR_UID and ATR_TOKEN")
            && shown.contains("401: Authentication failed"),
        "{shown}"
    );
    assert!(!shown.contains("wrong-pat-42"), "{shown}");
    assert!(
        atr(&sandbox).release("1.0.0").is_none(),
        "nothing was created"
    );
}

#[test]
fn an_open_vote_no_candidate_staged_is_never_ended() {
    let world = World::new();
    let sandbox = sandbox(&world);
    expect_code(&up_to_the_vote(&sandbox), 2);
    // The record of the candidate is lost (out-dir cleaned): ATR's vote is not ours to end.
    let ledger = sandbox
        .project()
        .join("target/asf-release/records/1.0.0-rc1/atr.json");
    std::fs::remove_file(&ledger).unwrap();
    let refused = xtask(&sandbox, &["upload", "--yes", "1.0.0", "--rc", "1"]);
    expect_code(&refused, 1);
    assert!(
        text(&refused).contains("open vote on 1.0.0 (revision 00004) that no candidate"),
        "{}",
        text(&refused)
    );
    assert_eq!(
        atr(&sandbox).release("1.0.0").unwrap().phase,
        "release_candidate"
    );
    assert_eq!(atr(&sandbox).mails().len(), 1);
}

/// The files of ATR's latest revision of 1.0.0.
fn draft_files(atr: &AtrStandIn) -> Vec<String> {
    let release = atr.release("1.0.0").expect("a release on ATR");
    let latest = release.revisions.last().expect("a revision");
    latest.files.keys().cloned().collect()
}

#[test]
fn a_2025_atr_that_refuses_to_replace_a_file_stops_the_next_candidate_until_it_is_deleted() {
    let world = World::new();
    let sandbox = sandbox(&world);
    atr(&sandbox).state().uploads_2025 = true;
    expect_code(&up_to_the_vote(&sandbox), 2);
    let (mbox, roster) = vote_ends(&sandbox, 1, false);
    let args = [
        "release",
        "1.0",
        "--yes",
        "--mbox",
        mbox.as_str(),
        "--roster",
        roster.as_str(),
    ];
    expect_code(&xtask(&sandbox, &args), 2);

    let next = xtask(&sandbox, &["release", "1.0", "--yes", "--next-rc"]);
    expect_code(&next, 1);
    let said = text(&next);
    assert!(said.contains("does not replace a file"), "{said}");
    assert!(said.contains("/compose/demo/1.0.0"), "{said}");
    assert!(said.contains("500: File already exists"), "{said}");
    let release = atr(&sandbox).release("1.0.0").unwrap();
    assert_eq!(release.phase, "release_candidate_draft", "RC1's vote ended");
    assert_eq!(
        release.vote_revision.as_deref(),
        Some("00004"),
        "no vote on RC2"
    );

    // The release manager deletes RC1's files on ATR's compose page; the rerun stages RC2.
    for file in draft_files(atr(&sandbox)) {
        atr(&sandbox).edit_draft("1.0.0", &file, None);
    }
    expect_code(&xtask(&sandbox, &["release", "1.0", "--yes"]), 2);
    let release = atr(&sandbox).release("1.0.0").unwrap();
    assert_eq!(release.phase, "release_candidate");
    let voted = release.revisions.last().unwrap();
    assert_eq!(Some(&voted.number), release.vote_revision.as_ref());
    assert_eq!(voted.files.len(), 3, "{:?}", voted.files.keys());
    let subjects: Vec<String> = atr(&sandbox)
        .mails()
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert!(subjects.last().unwrap().contains("(RC2)"), "{subjects:?}");
}

#[test]
fn a_file_in_the_draft_that_is_not_the_candidate_s_is_never_voted_on() {
    let world = World::new();
    let sandbox = sandbox(&world);
    released_until(&sandbox, "upload");
    let ours = draft_files(atr(&sandbox));

    // Someone adds a file on ATR's web pages (or an earlier candidate left it).
    atr(&sandbox).edit_draft("1.0.0", "demo-1.0.0-bin\u{1b}[2J.tar.gz", Some(b"not ours"));
    // The flow sees the draft changed: `upload` is to do again, and refuses.
    let status = xtask(&sandbox, &["status", "1.0"]);
    assert!(
        text(&status).contains("next: cargo xtask upload 1.0.0 --rc 1"),
        "{}",
        text(&status)
    );
    let upload = xtask(&sandbox, &["upload", "--yes", "1.0.0", "--rc", "1"]);
    expect_code(&upload, 1);
    let said = text(&upload);
    assert!(
        said.contains("1 file(s) that are not this candidate's"),
        "{said}"
    );
    assert!(said.contains("the vote would cover them"), "{said}");
    assert!(
        !said.contains('\u{1b}'),
        "ATR's names are shown escaped: {said}"
    );
    assert!(atr(&sandbox).mails().is_empty(), "no vote started");

    let stray = draft_files(atr(&sandbox))
        .into_iter()
        .find(|f| !ours.contains(f))
        .unwrap();
    atr(&sandbox).edit_draft("1.0.0", &stray, None);
    expect_code(&xtask(&sandbox, &["release", "1.0", "--yes"]), 2);
    let release = atr(&sandbox).release("1.0.0").unwrap();
    assert_eq!(release.phase, "release_candidate");
    assert_eq!(draft_files(atr(&sandbox)), ours);
    assert_eq!(
        release.vote_revision.as_ref(),
        Some(&release.revisions.last().unwrap().number)
    );
}

#[test]
fn tokens_are_renewed_before_they_expire_and_the_hourly_mint_limit_is_not_hammered() {
    let world = World::new();
    let sandbox = sandbox(&world);
    let atr = atr(&sandbox);
    branched_with_a_fix(&sandbox);
    // Tokens that live 5 s are always inside the renewal margin: each call gets a fresh one,
    // and ATR never has to refuse an expired token. (Set before `keys`, whose key/add mints
    // the first token: one of 30 minutes would be kept for the upload.)
    atr.state().jwt_seconds = 5;
    expect_code(
        &xtask(&sandbox, &["release", "1.0", "--yes", "--until", "keys"]),
        0,
    );
    let before = atr.seen().len();
    expect_code(
        &xtask(&sandbox, &["upload", "--yes", "1.0.0", "--rc", "1"]),
        0,
    );
    let seen: Vec<_> = atr.seen().into_iter().skip(before).collect();
    assert!(seen.iter().all(|s| s.status != 401), "{seen:?}");
    let minted = seen
        .iter()
        .filter(|s| s.path.ends_with("/jwt/create"))
        .count();
    let bearer = seen
        .iter()
        .filter(|s| s.method == "POST" && !s.path.ends_with("/jwt/create"))
        .count();
    assert_eq!(minted, bearer, "{seen:?}");
    assert!(bearer >= 4, "create and three uploads: {seen:?}");

    // ATR mints 10 tokens an hour: at the limit, the step asks once and says what to do.
    atr.state().jwt_seconds = asf_release::demo::atr::JWT_SECONDS;
    let now = atr.state().now();
    atr.state().mint_times = vec![now; asf_release::demo::atr::JWTS_PER_HOUR];
    let before = atr.seen().len();
    let limited = xtask(&sandbox, &["mail", "vote", "1.0.0", "--rc", "1", "--yes"]);
    expect_code(&limited, 1);
    assert!(
        text(&limited).contains("/api/jwt/create with 429"),
        "{}",
        text(&limited)
    );
    assert!(
        text(&limited).contains("rerun in an hour"),
        "{}",
        text(&limited)
    );
    let asked: Vec<_> = atr
        .seen()
        .into_iter()
        .skip(before)
        .filter(|s| s.path.ends_with("/jwt/create"))
        .collect();
    assert_eq!(asked.len(), 1, "not retried: {asked:?}");
    assert!(atr.mails().is_empty());
    // An hour later the vote starts.
    atr.state().mint_times.clear();
    expect_code(
        &xtask(&sandbox, &["mail", "vote", "1.0.0", "--rc", "1", "--yes"]),
        0,
    );
    assert_eq!(atr.mails().len(), 1);
}

#[test]
fn every_artifact_of_a_release_goes_through_atr_in_one_candidate() {
    let world = World::new();
    let sandbox = sandbox(&world);
    asf_release::demo::release_every_artifact(&sandbox).unwrap();
    // The binary's root directory is not named after the file: a concern, to be noted.
    atr(&sandbox).state().concerns_must_be_noted = true;
    let output = up_to_the_vote(&sandbox);
    expect_code(&output, 2);
    assert!(
        text(&output)
            .contains("noting ATR's concerns, shown by `upload`: atr.tasks.checks.targz.structure"),
        "{}",
        text(&output)
    );
    let names = [
        "apache-demo-1.0.0-src.tgz",
        "apache-demo-lua-1.0.0-src.tgz",
        "apache-demo-1.0.0-bin.tar.gz",
    ];
    let release = atr(&sandbox).release("1.0.0").unwrap();
    assert_eq!(release.phase, "release_candidate");
    let voted = release.revisions.last().unwrap();
    assert_eq!(Some(&voted.number), release.vote_revision.as_ref());
    let mut expected: Vec<String> = names
        .iter()
        .flat_map(|n| [n.to_string(), format!("{n}.asc"), format!("{n}.sha512")])
        .collect();
    expected.sort();
    assert_eq!(voted.files.keys().cloned().collect::<Vec<_>>(), expected);
    assert_eq!(voted.number, "00010", "one revision per file, none twice");
    let vote_mail = atr(&sandbox).mails().pop().unwrap();
    for name in names {
        assert!(vote_mail.body.contains(name), "{name}: {}", vote_mail.body);
    }

    let (mbox, roster) = vote_ends(&sandbox, 1, true);
    expect_code(&finish(&sandbox, &mbox, &roster), 0);
    let announced = atr(&sandbox).mails().pop().unwrap();
    assert_eq!(announced.to, "announce@apache.org");
    for name in names {
        assert!(announced.body.contains(name), "{name}: {}", announced.body);
    }
    assert_eq!(atr(&sandbox).release("1.0.0").unwrap().phase, "release");
}

#[test]
fn a_file_over_the_upload_limit_comes_by_rsync_and_is_trusted_only_when_atr_s_hash_matches() {
    let world = World::new();
    let sandbox = sandbox(&world);
    released_until(&sandbox, "keys");
    let out = sandbox.path("project/target/asf-release/1.0.0-rc1");
    let tarball = "apache-demo-1.0.0-src.tgz";
    let bytes = std::fs::read(out.join(tarball)).unwrap();
    // A limit between the signature's size and the tarball's: the tarball is "too large".
    let limit = (bytes.len() - 1).to_string();
    let upload = || {
        in_sandbox(
            &sandbox,
            &["upload", "1.0.0", "--rc", "1", "--yes"],
            &[(asf_release::tools::atr::UPLOAD_LIMIT_VAR, &limit)],
        )
    };
    let refused = upload();
    expect_code(&refused, 1);
    let said = text(&refused);
    assert!(said.contains("more than ATR's upload API takes"), "{said}");
    assert!(said.contains("rsync -av -e 'ssh -p 2222'"), "{said}");
    assert!(said.contains("@127.0.0.1:/demo/1.0.0/"), "{said}");
    assert!(
        draft_files(atr(&sandbox)).is_empty(),
        "nothing sent before the stop"
    );

    // Staged by rsync with other bytes: ATR's hash check against our .sha512 refuses them.
    let mut tampered = bytes.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    atr(&sandbox).edit_draft("1.0.0", tarball, Some(&tampered));
    let blocked = upload();
    expect_code(&blocked, 1);
    let said = text(&blocked);
    assert!(said.contains("staged by rsync"), "{said}");
    assert!(said.contains("Hash does not match"), "{said}");
    assert!(atr(&sandbox).mails().is_empty());

    // The right bytes: staged, and the vote can start on that revision.
    atr(&sandbox).edit_draft("1.0.0", tarball, Some(&bytes));
    expect_code(&upload(), 0);
    let files = draft_files(atr(&sandbox));
    assert_eq!(files.len(), 3, "{files:?}");
    expect_code(
        &xtask(&sandbox, &["mail", "vote", "1.0.0", "--rc", "1", "--yes"]),
        0,
    );
    assert_eq!(atr(&sandbox).mails().len(), 1);
}
