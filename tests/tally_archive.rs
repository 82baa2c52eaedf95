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

//! End-to-end tests of the vote count without files: the thread found in the dev list's
//! archive (a stand-in as strict as lists.apache.org's Pony Mail Foal) and the roster read
//! from whimsy's public committee data (a stand-in too), by `vote tally`, `mail result` and
//! the whole `release` flow; and the stand-in's strictness itself.

mod common;

use std::io::{Read, Write};
use std::process::Output;

use asf_release::demo::lists::ListsStandIn;
use asf_release::demo::whimsy::WhimsyStandIn;
use asf_release::demo::{land_fix_on_master, write_vote_thread, Sandbox};
use camino::Utf8PathBuf;
use common::threads::*;
use common::*;

const COMMITTEE_INFO: &str = r#"{"last_updated": "2024-05-01", "committees": {"demo": {
  "display_name": "Demo", "pmc": true, "roster": {
    "rm": {"name": "Release Manager", "date": "2020-01-01"},
    "alice": {"name": "Alice Apple", "date": "2020-01-01"},
    "bob": {"name": "Bob Banana", "date": "2020-01-01"},
    "carol": {"name": "Carol Cherry", "date": "2020-01-01"},
    "grace": {"name": "Grace Grape", "date": "2020-01-01"}}}}}"#;

/// The archive and whimsy stand-ins, and a repository of Apache Demo.
struct Services {
    lists: ListsStandIn,
    whimsy: WhimsyStandIn,
    setup: Setup,
}

fn services() -> Services {
    let lists = ListsStandIn::start().unwrap();
    let whimsy = WhimsyStandIn::start().unwrap();
    whimsy.publish("committee-info.json", COMMITTEE_INFO);
    Services {
        lists,
        whimsy,
        setup: setup(""),
    }
}

impl Services {
    fn post(&self, list: &str, mail: &Mail) -> String {
        self.lists.post(list, raw(mail, true).as_bytes()).unwrap()
    }

    fn xtask(&self, now: i64, args: &[&str]) -> Output {
        self.setup
            .world
            .command(env!("CARGO_BIN_EXE_xtask"))
            .env("SOURCE_DATE_EPOCH", now.to_string())
            .env("XTASK_LISTS_URL", &self.lists.url)
            .env("XTASK_WHIMSY_URL", &self.whimsy.url)
            .arg("--repo")
            .arg(&self.setup.repo)
            .args(args)
            .output()
            .unwrap()
    }

    fn tally(&self, now: i64, extra: &[&str]) -> (Output, String) {
        let mut args = vec!["vote", "tally", "1.0.0", "--rc", "1"];
        args.extend(extra);
        let output = self.xtask(now, &args);
        let report = stdout(&output) + &stderr(&output);
        (output, report)
    }
}

fn re() -> String {
    format!("Re: {SUBJECT}")
}

#[test]
fn the_thread_and_the_roster_are_fetched_from_the_archive_and_whimsy() {
    let s = services();
    // A vote two years earlier, out of the search's range.
    let mut old = vote_mail();
    old.id = "old-vote@apache.org".into();
    old.at -= 730 * 24 * HOUR;
    s.post(LIST, &old);
    let root = s.post(LIST, &vote_mail());
    for (from, hours, id, body) in [
        ("Alice Apple <alice@apache.org>", 1.0, "a@x", "+1\n"),
        ("Bob Banana <bob@apache.org>", 2.0, "b@x", "+1 (binding)\n"),
        ("Carol Cherry <carol@apache.org>", 3.0, "c@x", "+1\n"),
    ] {
        s.post(
            LIST,
            &mail(from, hours, &re(), id, Some("vote-1@apache.org"), body),
        );
    }
    // The same reply on another list: the archive threads it, the count leaves it out.
    s.post(
        "user@demo.apache.org",
        &mail(
            "Grace Grape <grace@apache.org>",
            4.0,
            &re(),
            "g@user",
            Some("vote-1@apache.org"),
            "-1\n",
        ),
    );
    // A reply the archive cannot thread (no In-Reply-To): found by its subject.
    s.post(
        LIST,
        &mail(
            "Ivan Iris <ivan@example.org>",
            5.0,
            &re(),
            "i@x",
            None,
            "+1\n",
        ),
    );
    // A message an admin hid: the archive gives no source of it.
    let hidden = s.post(
        LIST,
        &mail(
            "Heidi Hazel <heidi@example.com>",
            6.0,
            &re(),
            "h@x",
            Some("vote-1@apache.org"),
            "-1\n",
        ),
    );
    s.lists.archive().hidden.push(hidden.clone());

    let now = VOTE_TIME + 100 * HOUR;
    let (output, report) = s.tally(now, &["--verbose"]);
    assert_eq!(output.status.code(), Some(0), "{report}");
    // rm, alice, bob, carol binding (whimsy's roster); ivan non-binding; the hidden message
    // of an unknown sender cannot turn four +1 into a fail.
    assert_counts(&report, [4, 0, 0, 0], [1, 0, 0, 0]);
    let base = &s.lists.url;
    assert!(
        report.contains(&format!(
            "thread: {base}/thread/{root} (the archive of dev@demo.apache.org)"
        )),
        "{report}"
    );
    // The names come from the raw messages, not the archive's obfuscated listing.
    assert!(
        report.contains("+1 Bob Banana <bob@apache.org>: 2024-05-06 09:08 UTC"),
        "{report}"
    );
    assert!(report.contains(&format!("unreadable, not counted: message 6 (no Message-ID) from (sender unknown): the archive gives no source of it ({base}/api/source.lua?id={hidden})")), "{report}");
    assert!(!report.contains("-1 Grace"), "{report}");
    let seen = s.lists.seen();
    assert_eq!(
        seen[0],
        "/api/stats.lua?list=dev&domain=demo.apache.org&d=dfr%3D2023-11-12%7Cdto%3D2024-05-11&header_subject=vote&emailsOnly",
        "{seen:?}"
    );
    assert_eq!(seen[1], format!("/api/thread.lua?id={root}"), "{seen:?}");
    assert!(
        seen[2..]
            .iter()
            .all(|s| s.starts_with("/api/source.lua?id=")),
        "{seen:?}"
    );
    assert_eq!(seen.len(), 2 + 6, "{seen:?}");

    // The RESULT mail links the thread in the archive.
    s.setup
        .world
        .write(&s.setup.repo, "target/asf-release/1.0.0-rc1/.keep", b"");
    let result = s.xtask(now, &["mail", "result", "1.0.0", "--rc", "1"]);
    assert!(
        result.status.success(),
        "{}{}",
        stdout(&result),
        stderr(&result)
    );
    let eml = std::fs::read_to_string(
        s.setup
            .repo
            .join("target/asf-release/records/1.0.0-rc1/result.eml"),
    )
    .unwrap();
    assert!(eml.contains(&format!("{base}/thread/{root}\n")), "{eml}");
    assert!(eml.contains("+1 Bob Banana <bob@apache.org>"), "{eml}");
}

#[test]
fn a_thread_file_is_read_as_given_and_only_the_roster_is_fetched() {
    let s = services();
    let mut mails = vec![vote_mail()];
    for (from, id) in [
        ("Alice Apple <alice@apache.org>", "a@x"),
        ("Grace Grape <grace@apache.org>", "g@x"),
    ] {
        mails.push(mail(
            from,
            1.0,
            &re(),
            id,
            Some("vote-1@apache.org"),
            "+1\n",
        ));
    }
    let path = s.setup.world.path("thread.mbox");
    std::fs::write(&path, mbox(&mails, true)).unwrap();
    let (output, report) = s.tally(VOTE_TIME + 100 * HOUR, &["--mbox", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_counts(&report, [3, 0, 0, 0], [0, 0, 0, 0]);
    assert!(
        report.contains(&format!("thread: {}\n", path.display())),
        "{report}"
    );
    assert!(
        s.lists.seen().is_empty(),
        "the archive was asked: {:?}",
        s.lists.seen()
    );
}

#[test]
fn without_a_vote_mail_in_the_archive_the_vote_is_not_yet_open() {
    let s = services();
    let mut other = vote_mail();
    other.subject = "[VOTE] Release Apache Demo 0.9.0 (RC2)".into();
    s.post(LIST, &other);
    let (output, report) = s.tally(VOTE_TIME + 100 * HOUR, &[]);
    assert_eq!(output.status.code(), Some(4), "{report}");
    assert!(
        report.contains("the archive of dev@demo.apache.org"),
        "{report}"
    );
    assert!(
        report.contains("holds no [VOTE] mail on 1.0.0 RC1 from 2023-11-12 to 2024-05-11 (it holds `[VOTE] Release Apache Demo 0.9.0 (RC2)`)"),
        "{report}"
    );
    assert!(report.contains("send the VOTE mail"), "{report}");
    // No roster was asked for: nothing to count.
    assert!(s.lists.seen().len() == 1, "{:?}", s.lists.seen());
}

#[test]
fn a_pmc_member_writing_from_another_address_leaves_a_close_vote_not_decided() {
    let s = services();
    s.post(LIST, &vote_mail());
    s.post(
        LIST,
        &mail(
            "Alice Apple <alice@apache.org>",
            1.0,
            &re(),
            "a@x",
            Some("vote-1@apache.org"),
            "+1\n",
        ),
    );
    // Bob votes from his own address: the public roster knows only bob@apache.org.
    s.post(
        LIST,
        &mail(
            "Bob Banana <bob.banana@gmail.com>",
            2.0,
            &re(),
            "b@x",
            Some("vote-1@apache.org"),
            "+1\n",
        ),
    );
    let now = VOTE_TIME + 100 * HOUR;
    let (output, report) = s.tally(now, &[]);
    assert_eq!(output.status.code(), Some(5), "{report}");
    assert_counts(&report, [2, 0, 0, 0], [1, 0, 0, 0]);
    assert!(report.contains("  - message 3 <b@x> from Bob Banana <bob.banana@gmail.com>: +1, not on the roster by this address, but a PMC member has this name (bob); the public roster knows no address but <id>@apache.org: counted as non-binding"), "{report}");
    assert!(
        report.contains("`id  other@address`, --roster FILE"),
        "{report}"
    );

    // The release manager checked: a roster file that names Bob's other address decides.
    let roster = s.setup.world.path("pmc.txt");
    std::fs::write(
        &roster,
        "rm\nalice\nbob bob.banana@gmail.com\ncarol\ngrace\n",
    )
    .unwrap();
    let (output, report) = s.tally(now, &["--roster", roster.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_counts(&report, [3, 0, 0, 0], [0, 0, 0, 0]);
}

#[test]
fn a_podling_s_roster_is_its_ppmc_in_the_ldap_groups() {
    let s = services();
    std::fs::write(
        s.setup.repo.join("Cargo.toml"),
        "[workspace.metadata.asf-release]\nname = \"demo\"\ndisplay-name = \"Demo\"\nincubating = true\n",
    )
    .unwrap();
    s.whimsy.publish(
        "public_ldap_projects.json",
        r#"{"projects": {"demo": {"owners": ["rm", "alice", "bob"], "members": ["rm", "alice", "bob", "zed"], "podling": "current"}}}"#,
    );
    s.post(LIST, &vote_mail());
    for (from, id) in [
        ("Alice Apple <alice@apache.org>", "a@x"),
        ("Bob Banana <bob@apache.org>", "b@x"),
        ("Zed Zenith <zed@apache.org>", "z@x"),
    ] {
        s.post(
            LIST,
            &mail(from, 1.0, &re(), id, Some("vote-1@apache.org"), "+1\n"),
        );
    }
    let (output, report) = s.tally(VOTE_TIME + 100 * HOUR, &[]);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert_counts(&report, [3, 0, 0, 0], [1, 0, 0, 0]);
}

/// One plain HTTP GET to a stand-in: status line and body.
fn get(base: &str, path: &str) -> (String, String) {
    let authority = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    (
        head.lines().next().unwrap_or_default().to_string(),
        body.to_string(),
    )
}

#[test]
fn the_archive_stand_in_answers_as_pony_mail_foal_does() {
    let s = services();
    let base = &s.lists.url;
    let now = asf_release::clock::system_now() as i64;
    let mut recent = vote_mail();
    recent.at = now - 24 * HOUR;
    let mut old = vote_mail();
    old.id = "old@x".into();
    old.at = now - 40 * 24 * HOUR;
    let mid = s.post(LIST, &recent);
    s.post(LIST, &old);
    // No date: the last 30 days only; `from` obfuscated.
    let (status, body) = get(
        base,
        "/api/stats.lua?list=dev&domain=demo.apache.org&header_subject=vote",
    );
    assert!(status.contains(" 200 "), "{status}");
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(value["emails"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(
        value["emails"][0]["from"],
        "Release Manager <rm...@apache.org>"
    );
    // A phrase of words, not a prefix: `1.0` is not in `1.0.0`.
    let (_, body) = get(
        base,
        "/api/stats.lua?list=dev&domain=demo.apache.org&d=lte=1y&header_subject=1.0",
    );
    assert!(body.contains("\"emails\":[]"), "{body}");
    let (_, body) = get(
        base,
        "/api/stats.lua?list=dev&domain=demo.apache.org&d=lte=1y&header_subject=1.0.0",
    );
    assert!(body.contains("\"hits\":2"), "{body}");
    // Errors are plain text.
    assert_eq!(
        get(
            base,
            "/api/stats.lua?list=dev&domain=demo.apache.org&d=2024-13"
        ),
        (
            "HTTP/1.1 400 X".to_string(),
            "Keyword 'd' must be of type YYYY-MM".to_string()
        )
    );
    assert_eq!(get(base, "/api/stats.lua").1, "{}");
    assert_eq!(
        get(base, "/api/source.lua?id=nope"),
        ("HTTP/1.1 404 X".to_string(), "Email not found".to_string())
    );
    assert_eq!(get(base, "/api/thread.lua?id=nope").1, "Content not found");
    assert_eq!(get(base, "/api/nothing.lua").1, "API Endpoint not found!");
    // The source is the message as archived, addresses whole.
    let (_, source) = get(base, &format!("/api/source.lua?id={mid}"));
    assert!(
        source.contains("From: Release Manager <rm@apache.org>")
            && source.contains("List-Id: <dev.demo.apache.org>"),
        "{source}"
    );
    // By Message-ID, with the list.
    let (_, source) = get(
        base,
        "/api/source.lua?id=%3Cold%40x%3E&listid=%3Cdev.demo.apache.org%3E",
    );
    assert!(source.contains("Message-ID: <old@x>"), "{source}");
}

fn sandbox(world: &World) -> Sandbox {
    let dir = Utf8PathBuf::from_path_buf(world.path("sandbox")).unwrap();
    Sandbox::build(dir).expect("the sandbox builds")
}

fn run(sandbox: &Sandbox, args: &[&str]) -> (Option<i32>, String) {
    let output = in_sandbox(sandbox, args, &[]);
    (output.status.code(), stdout(&output) + &stderr(&output))
}

#[test]
fn release_counts_the_vote_in_the_archive_with_whimsy_s_roster() {
    let world = World::new();
    let sandbox = sandbox(&world);
    let (code, text) = run(&sandbox, &["release", "1.0", "--yes", "--until", "branch"]);
    assert_eq!(code, Some(0), "{text}");
    land_fix_on_master(&sandbox, 4).unwrap();
    // Up to the vote: the VOTE mail is not in the archive yet.
    let (code, text) = run(&sandbox, &["release", "1.0", "--yes"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("stopped before tally: the vote is still open: the 72 hours are not over, or the VOTE mail is not in the archive of dev@demo.apache.org yet"), "{text}");
    // The thread reaches the archive; no --mbox, no --roster from here on.
    write_vote_thread(&sandbox, "1.0.0", 1, true).unwrap();
    let website = sandbox.website.as_str();
    let release = ["release", "1.0", "1.0.0", "--yes", "--website", website];
    let (code, text) = run(&sandbox, &release);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("stopped before report"), "{text}");
    assert!(
        text.contains("the vote in the archive of dev@demo.apache.org passed"),
        "{text}"
    );
    let (code, text) = run(&sandbox, &["report", "1.0.0", "--done"]);
    assert_eq!(code, Some(0), "{text}");
    let (code, text) = run(&sandbox, &release);
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("Demo 1.0.0 is released and announced"),
        "{text}"
    );
    let result = std::fs::read_to_string(
        sandbox
            .project()
            .join("target/asf-release/records/1.0.0-rc1/result.eml"),
    )
    .unwrap();
    assert!(
        result.contains(&format!("{}/thread/", sandbox.lists.url)),
        "{result}"
    );
    assert!(
        result.contains("+1 Carol Cherry <carol@apache.org>"),
        "{result}"
    );
    assert!(
        sandbox
            .lists
            .seen()
            .iter()
            .any(|s| s.starts_with("/api/stats.lua")),
        "the archive was asked"
    );
}
