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

//! What the real ATR server showed (issue 29), against the stand-in made as strict: 2025's
//! ATR cannot tabulate for a token (500) and the tally goes on with the mbox; the files land
//! under the committee's key; ATR's `license.headers` takes only the full ASF header, which
//! `package` says before anything is signed; failed checks block the vote on 2026's ATR and
//! only running ones on 2025's. `tests/atr_real.rs` runs the route against the real server.

mod common;

use std::io::Write;

use asf_release::demo::atr::{AtrStandIn, DEMO_TOKEN};
use common::atr::*;
use common::*;

#[test]
fn on_2025_s_atr_the_tally_counts_the_mbox_when_atr_cannot() {
    let world = World::new();
    let sandbox = sandbox(&world);
    let atr = atr(&sandbox);
    atr.as_2025();
    expect_code(&up_to_the_vote(&sandbox), 2);
    let (mbox, roster) = vote_ends(&sandbox, 1, true);

    // ATR's count fails on its side; the mbox is counted and decides.
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
    let shown = text(&tally);
    for needle in [
        "ATR's tabulation: unavailable",
        "with 500: No ASFQuart session found",
        "the count of the mbox decides",
    ] {
        assert!(shown.contains(needle), "{needle}: {shown}");
    }
    // Without an mbox there is no count at all: the error says where to get one.
    let alone = xtask(&sandbox, &["vote", "tally", "1.0.0", "--rc", "1"]);
    expect_code(&alone, 1);
    let shown = text(&alone);
    for needle in ["No ASFQuart session found", "--mbox <FILE>"] {
        assert!(shown.contains(needle), "{needle}: {shown}");
    }
    // The result and the announcement go through 2025's ATR (subject and path suffix sent).
    expect_code(&finish(&sandbox, &mbox, &roster), 0);
    assert_eq!(atr.release("1.0.0").unwrap().phase, "release");
}

#[test]
fn the_announcement_names_the_committee_s_download_area() {
    let world = World::new();
    let sandbox = sandbox(&world);
    let atr = atr(&sandbox);
    // ATR files a project's releases under its committee, here not named like the project.
    atr.state().committee = "demopmc".to_string();
    expect_code(&up_to_the_vote(&sandbox), 2);
    let (mbox, roster) = vote_ends(&sandbox, 1, true);
    let website = sandbox.website.to_string();
    let release = [
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
    ];
    let done = xtask(&sandbox, &release);
    expect_code(&done, 2);
    let shown = text(&done);
    assert!(shown.contains("stopped before report"), "{shown}");
    let downloads = format!("{}/downloads/demopmc/1.0.0/", atr.url);
    assert!(shown.contains(&downloads), "{downloads}: {shown}");
    assert!(shown.contains("dist/atr/demopmc/"), "{shown}");
    assert!(!shown.contains("/downloads/demo/"), "{shown}");
    let stored = atr.state().downloads.clone();
    assert!(
        stored.contains(&"demopmc/1.0.0/apache-demo-1.0.0-src.tgz".to_string()),
        "{stored:?}"
    );
}

/// The short form a header is often written in: RAT and our audit take it, ATR does not.
const SHORT: &str = "--\n-- Licensed to the Apache Software Foundation (ASF) under one or more\n\
    -- contributor license agreements. Licensed under the Apache License, Version 2.0.\n--\n";

#[test]
fn on_the_atr_route_a_header_atr_rejects_stops_package_before_anything_is_signed() {
    let world = World::new();
    let sandbox = sandbox(&world);
    let project = sandbox.project();
    world.write(
        project.as_std_path(),
        "lua/demo/short.lua",
        format!("{SHORT}return {{}}\n").as_bytes(),
    );
    world.git(project.as_std_path(), &["add", "-A"]);
    world.git(
        project.as_std_path(),
        &["commit", "-qm", "feat: a module with the short header"],
    );
    world.git(project.as_std_path(), &["push", "-q", "origin", "master"]);

    let audit = xtask(&sandbox, &["license-audit"]);
    expect_code(&audit, 1);
    assert!(
        text(&audit).contains("ATR will reject this header"),
        "{}",
        text(&audit)
    );

    branched_with_a_fix(&sandbox);
    let package = xtask(&sandbox, &["release", "1.0", "--yes", "--until", "package"]);
    expect_code(&package, 1);
    let shown = text(&package);
    for needle in [
        "lua/demo/short.lua: atr-header",
        "ATR will reject this header: ATR's license.headers check takes only the full ASF header",
        "nothing was written",
    ] {
        assert!(shown.contains(needle), "{needle}: {shown}");
    }
    let written = list_files(sandbox.path("project/target").as_std_path());
    assert!(
        !written
            .iter()
            .any(|f| f.ends_with(".asc") || f.ends_with(".tgz")),
        "{written:?}"
    );
    assert!(
        atr(&sandbox).release("1.0.0").is_none(),
        "nothing reached ATR"
    );
}

/// A gzipped tarball of `files` under `top/`.
fn tarball(top: &str, files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, format!("{top}/{path}"), *content)
            .unwrap();
    }
    let tar = builder.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

/// Creates 1.0.0, uploads `files` (`relpath`, bytes), waits out validation and checks; returns
/// the latest revision and its check results.
fn staged(atr: &AtrStandIn, files: &[(&str, Vec<u8>)]) -> (String, Vec<serde_json::Value>) {
    let token = jwt(atr);
    let post = |path: &str, body: String| raw(atr, "POST", path, Some(&token), &body);
    let (status, answer) = post(
        "/api/release/create",
        r#"{"project": "demo", "version": "1.0.0"}"#.into(),
    );
    assert_eq!(status, 201, "{answer}");
    for (relpath, bytes) in files {
        let content = asf_release::encoding::base64(bytes);
        let body = format!(
            r#"{{"project": "demo", "version": "1.0.0", "relpath": "{relpath}", "content": "{content}"}}"#
        );
        let (status, answer) = post("/api/release/upload", body);
        assert!(status == 201 || status == 202, "{status} {answer}");
    }
    let mut revision = String::new();
    for _ in 0..10 {
        let (_, answer) = raw(atr, "GET", "/api/release/get/demo/1.0.0", None, "");
        revision = answer["release"]["latest_revision_number"]
            .as_str()
            .unwrap()
            .to_string();
        let route = format!("/api/checks/ongoing/demo/1.0.0/{revision}");
        let (_, ongoing) = raw(atr, "GET", &route, None, "");
        if ongoing["ongoing"] == 0 && atr.release("1.0.0").unwrap().pending.is_empty() {
            break;
        }
    }
    let route = format!("/api/checks/list/demo/1.0.0/{revision}");
    let (status, answer) = raw(atr, "GET", &route, None, "");
    assert_eq!(status, 200, "{answer}");
    (revision, answer["checks"].as_array().unwrap().clone())
}

fn vote_start(atr: &AtrStandIn, revision: &str) -> (u16, serde_json::Value) {
    let body = format!(
        r#"{{"project": "demo", "version": "1.0.0", "revision": "{revision}", "email_to": "dev@demo.apache.org", "vote_duration": 72, "subject": "s", "body": "b"}}"#
    );
    raw(atr, "POST", "/api/vote/start", Some(&jwt(atr)), &body)
}

#[test]
fn the_stand_in_checks_headers_as_atr_and_blocks_the_vote_as_its_version_does() {
    let license = include_str!("../asf-release/src/archive/LICENSE-2.0.txt");
    let full = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../asf-release/src/lib.rs"
    ))
    .unwrap()
    .replace("//", "--");
    let archive = tarball(
        "apache-demo-1.0.0-src",
        &[
            ("LICENSE", license.as_bytes()),
            ("lua/full.lua", full.as_bytes()),
            ("lua/short.lua", SHORT.as_bytes()),
            ("README.md", b"no header needed here"),
        ],
    );
    let sha512 = format!(
        "{}  apache-demo-1.0.0-src.tgz\n",
        asf_release::archive::checksum::sha512_bytes(&archive)
    );
    let files = [
        ("apache-demo-1.0.0-src.tgz", archive),
        ("apache-demo-1.0.0-src.tgz.sha512", sha512.into_bytes()),
    ];
    let headers = |checks: &[serde_json::Value]| -> Vec<(String, String)> {
        checks
            .iter()
            .filter(|c| c["checker"] == "atr.tasks.checks.license.headers")
            .filter(|c| !c["member_rel_path"].is_null())
            .map(|c| {
                let member = c["member_rel_path"].as_str().unwrap().to_string();
                (member, c["status"].as_str().unwrap().to_string())
            })
            .collect()
    };

    // 2026: a failed header is a blocker, and a blocker stops the vote.
    let atr = AtrStandIn::start("demo", "rm", DEMO_TOKEN, &["rm"]).unwrap();
    let (revision, checks) = staged(&atr, &files);
    assert_eq!(
        headers(&checks),
        [
            ("apache-demo-1.0.0-src/lua/full.lua".into(), "note".into()),
            (
                "apache-demo-1.0.0-src/lua/short.lua".into(),
                "blocker".into()
            ),
        ]
    );
    assert!(checks.iter().any(|c| c["message"]
        == "Some files had invalid license headers (1 failures)"
        && c["status"] == "blocker"));
    let (status, answer) = vote_start(&atr, &revision);
    assert_eq!(status, 409, "{answer}");

    // 2025: the same failure (its word), and only running checks stop a vote.
    let atr = AtrStandIn::start("demo", "rm", DEMO_TOKEN, &["rm"]).unwrap();
    atr.as_2025();
    let (revision, checks) = staged(&atr, &files);
    assert_eq!(
        headers(&checks),
        [
            (
                "apache-demo-1.0.0-src/lua/full.lua".into(),
                "success".into()
            ),
            (
                "apache-demo-1.0.0-src/lua/short.lua".into(),
                "failure".into()
            ),
        ]
    );
    // Its vote/start knows only its own fields.
    let body = format!(
        r#"{{"project": "demo", "version": "1.0.0", "revision": "{revision}", "email_to": "dev@demo.apache.org", "vote_duration": 72, "subject": "s", "body": "b", "concerns_noted": []}}"#
    );
    let (status, answer) = raw(&atr, "POST", "/api/vote/start", Some(&jwt(&atr)), &body);
    assert_eq!(
        (status, answer["validation_details"][0]["msg"].as_str()),
        (400, Some("Extra inputs are not permitted")),
        "{answer}"
    );
    let (status, answer) = vote_start(&atr, &revision);
    assert_eq!(status, 201, "{answer}");
    let (status, answer) = raw(
        &atr,
        "POST",
        "/api/vote/tabulate",
        Some(&jwt(&atr)),
        r#"{"project": "demo", "version": "1.0.0"}"#,
    );
    assert_eq!(
        (status, answer["error"].as_str()),
        (500, Some("No ASFQuart session found"))
    );
}
