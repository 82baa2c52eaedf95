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

//! The signing key on ATR (`dist = "atr"`): ATR checks every `.asc` against the keys linked
//! to the project's committee, so `keys check` reports the link and `keys append` makes it.
//! The stand-in's signature check runs gpg on the uploaded bytes with the linked keys.

mod common;

use asf_release::demo::atr::AtrStandIn;
use asf_release::demo::Sandbox;
use common::atr::*;
use common::*;

/// Branch, a fix, then tag and package RC1: the key is neither in KEYS nor linked on ATR.
fn packaged(sandbox: &Sandbox) {
    released_until(sandbox, "package");
}

/// The requests ATR answered, as `POST /api/key/add`.
fn posts(atr: &AtrStandIn) -> Vec<String> {
    atr.seen()
        .into_iter()
        .filter(|s| s.method == "POST")
        .map(|s| s.path)
        .collect()
}

/// The status and message of each signature check of a revision, read as a client reads them.
fn signature_checks(atr: &AtrStandIn, revision: &str) -> Vec<(String, String, String)> {
    let route = format!("/api/checks/list/demo/1.0.0/{revision}");
    let (status, answer) = raw(atr, "GET", &route, None, "");
    assert_eq!(status, 200, "{answer}");
    answer["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["checker"] == "atr.tasks.checks.signature.check")
        .map(|c| {
            let field = |name: &str| c[name].as_str().unwrap_or_default().to_string();
            (field("primary_rel_path"), field("status"), field("message"))
        })
        .collect()
}

/// The signing key of the sandbox, as `keys fingerprint` prints it, without spaces.
fn our_fingerprint(sandbox: &Sandbox) -> String {
    let printed = stdout(&xtask(sandbox, &["keys", "fingerprint"]));
    let line = printed
        .lines()
        .find_map(|l| l.strip_prefix("fingerprint:"))
        .unwrap();
    line.split_whitespace().collect()
}

#[test]
fn an_unlinked_key_is_atr_s_blocker_until_keys_append_links_it() {
    let world = World::new();
    let sandbox = sandbox(&world);
    packaged(&sandbox);
    let check = xtask(&sandbox, &["keys", "check"]);
    expect_code(&check, 1);
    assert!(
        text(&check).contains("is not linked to committee demo on ATR"),
        "{}",
        text(&check)
    );
    // Uploaded while the key is not linked: ATR's signature check is a blocker.
    let blocked = xtask(&sandbox, &["upload", "--yes", "1.0.0", "--rc", "1"]);
    expect_code(&blocked, 1);
    for needle in [
        "✗ signature.check",
        "blocker apache-demo-1.0.0-src.tgz.asc: No valid signature found",
        "among them its signature check",
        "Link the signing key with `cargo xtask keys append`, delete the .asc files on",
    ] {
        assert!(
            text(&blocked).contains(needle),
            "{needle}: {}",
            text(&blocked)
        );
    }
    let linked = xtask(&sandbox, &["keys", "append", "--yes"]);
    expect_code(&linked, 0);
    let fingerprint = our_fingerprint(&sandbox);
    assert!(
        text(&linked).contains(&format!(
            "linked key {fingerprint} to committee demo on ATR"
        )),
        "{}",
        text(&linked)
    );
    // Checking the link takes public reads only: no token.
    let check = in_sandbox(&sandbox, &["keys", "check"], &[("ATR_TOKEN", "")]);
    expect_code(&check, 0);
    assert!(
        text(&check).contains("is linked to committee demo on ATR"),
        "{}",
        text(&check)
    );
    // ATR checked the revision when it was made: as the error said, the .asc is deleted on
    // ATR's compose page, and the rerun sends it again in a revision ATR checks anew.
    atr(&sandbox).edit_draft("1.0.0", "apache-demo-1.0.0-src.tgz.asc", None);
    let next = xtask(&sandbox, &["release", "1.0", "--yes"]);
    expect_code(&next, 2);
    assert!(text(&next).contains("✓ signature.check"), "{}", text(&next));
    assert!(
        text(&next).contains("stopped before tally"),
        "{}",
        text(&next)
    );
    let release = atr(&sandbox).release("1.0.0").unwrap();
    assert_eq!(release.phase, "release_candidate");
    let voted = release.vote_revision.unwrap();
    let checks = signature_checks(atr(&sandbox), &voted);
    assert_eq!(
        checks,
        [(
            "apache-demo-1.0.0-src.tgz.asc".to_string(),
            "note".to_string(),
            "Signature verified successfully".to_string()
        )]
    );
}

#[test]
fn a_signature_by_a_key_atr_does_not_hold_is_a_blocker_though_ours_is_linked() {
    let world = World::new();
    let sandbox = sandbox(&world);
    packaged(&sandbox);
    expect_code(
        &xtask(&sandbox, &["release", "1.0", "--yes", "--until", "upload"]),
        0,
    );
    let atr = atr(&sandbox);
    let asc = "apache-demo-1.0.0-src.tgz.asc";
    let good = signature_checks(atr, "00004");
    assert_eq!(good[0].1, "note", "{good:?}");

    // Another key, in a keyring of its own, signs the same tarball.
    let other = world.generate_key("Someone Else", "someone@apache.org");
    let tarball = sandbox
        .project()
        .join("target/asf-release/1.0.0-rc1/apache-demo-1.0.0-src.tgz");
    let foreign = world.path("foreign.asc");
    world.ok(world.command("gpg").args([
        "--batch",
        "--armor",
        "--local-user",
        &other,
        "--output",
        foreign.to_str().unwrap(),
        "--detach-sign",
        tarball.as_str(),
    ]));
    let token = jwt(atr);
    let upload = |content: &[u8]| {
        let body = format!(
            r#"{{"project": "demo", "version": "1.0.0", "relpath": "{asc}", "content": "{}"}}"#,
            asf_release::encoding::base64(content)
        );
        let (status, answer) = raw(atr, "POST", "/api/release/upload", Some(&token), &body);
        assert_eq!(status, 201, "{answer}");
        answer["revision"]["number"].as_str().unwrap().to_string()
    };
    let signature = std::fs::read(&foreign).unwrap();
    let revision = upload(&signature);
    let blocked = signature_checks(atr, &revision);
    assert_eq!(
        blocked,
        [(
            asc.into(),
            "blocker".into(),
            "No valid signature found".into()
        )]
    );
    let revision = upload(b"-----BEGIN PGP SIGNATURE-----\nnot one\n-----END PGP SIGNATURE-----\n");
    assert_eq!(signature_checks(atr, &revision)[0].1, "blocker");

    // key/add is as strict as ATR: a committee not the user's, a key gpg cannot read.
    let armored = world.ok(world.command("gpg").args(["--armor", "--export", &other]));
    let add = |committees: &str, key: &str| {
        let body = serde_json::json!({"asfuid": "rm", "key": key, "committees": [committees]});
        raw(atr, "POST", "/api/key/add", Some(&token), &body.to_string())
    };
    assert_eq!(add("httpd", &armored).0, 403);
    assert_eq!(add("demo", "not a key").0, 400);
    // Once that key is linked too, a new revision with its signature passes.
    let (status, answer) = add("demo", &armored);
    assert_eq!(
        (status, answer["fingerprint"].as_str()),
        (200, Some(other.as_str()))
    );
    let revision = upload(&signature);
    assert_eq!(
        signature_checks(atr, &revision)[0].1,
        "note",
        "the key is linked now"
    );
}

#[test]
fn keys_append_links_once_and_its_dry_run_writes_nothing() {
    let world = World::new();
    let sandbox = sandbox(&world);
    packaged(&sandbox);
    let atr = atr(&sandbox);
    let fingerprint = our_fingerprint(&sandbox);
    let before = posts(atr);
    // Without ATR's secrets nothing changes, not even KEYS.
    let append = ["keys", "append", "--yes"];
    let refused = in_sandbox(&sandbox, &append, &[("ATR_TOKEN", "")]);
    expect_code(&refused, 1);
    assert!(text(&refused).contains("ATR_TOKEN"), "{}", text(&refused));
    let check = xtask(&sandbox, &["keys", "check"]);
    let missing = "dev/demo/KEYS: run `cargo xtask keys append`";
    assert!(text(&check).contains(missing), "{}", text(&check));
    let dry = xtask(&sandbox, &["--dry-run", "keys", "append"]);
    expect_code(&dry, 0);
    let shown = format!(
        "{}/api/key/add {{asfuid: rm, committees: [demo], key: {fingerprint} armored}} as rm \
         (bearer token not shown)",
        atr.url
    );
    assert!(stdout(&dry).contains(&shown), "{shown}\n{}", text(&dry));
    assert!(!text(&dry).contains(asf_release::demo::atr::DEMO_TOKEN));
    assert_eq!(
        posts(atr),
        before,
        "the dry run wrote nothing, minted nothing"
    );
    assert!(atr.state().keys.is_empty());

    expect_code(&xtask(&sandbox, &["keys", "append", "--yes"]), 0);
    let added: Vec<String> = posts(atr)
        .into_iter()
        .filter(|p| p == "/api/key/add")
        .collect();
    assert_eq!(added.len(), 1);
    // (A copy: the stand-in's lock is not held past this line.)
    let linked = atr.state().keys["demo"].clone();
    assert_eq!(linked.len(), 1);
    assert_eq!(linked[0].fingerprint, fingerprint.to_ascii_lowercase());

    let before = posts(atr);
    let again = xtask(&sandbox, &["keys", "append", "--yes"]);
    expect_code(&again, 0);
    assert!(
        text(&again).contains("and linked to committee demo on ATR: nothing to do"),
        "{}",
        text(&again)
    );
    assert_eq!(posts(atr), before, "no second key/add");
}

#[test]
fn a_wrong_or_garbage_atr_answer_about_the_key_fails_clearly() {
    let world = World::new();
    let sandbox = sandbox(&world);
    packaged(&sandbox);
    let atr = atr(&sandbox);
    let fingerprint = our_fingerprint(&sandbox);
    let answer = |route: &str, body: &str| {
        atr.state().forced = Some((route.to_string(), 200, body.to_string()));
    };
    let append = ["keys", "append", "--yes"];
    let other = "0123456789ABCDEF0123456789ABCDEF01234567";
    answer(
        "/api/key/add",
        &format!(
            r#"{{"endpoint": "/key/add", "fingerprint": "{}"}}"#,
            other.to_lowercase()
        ),
    );
    let wrong = xtask(&sandbox, &append);
    expect_code(&wrong, 1);
    assert!(
        text(&wrong).contains(&format!(
            "ATR answered that it linked key {other}, but the key sent is {fingerprint}"
        )),
        "{}",
        text(&wrong)
    );
    // KEYS has the key now, ATR does not: `keys check` fails for ATR alone.
    let check = xtask(&sandbox, &["keys", "check"]);
    expect_code(&check, 1);
    let said = text(&check);
    assert!(
        said.contains("not linked to committee demo on ATR"),
        "{said}"
    );
    assert!(said.contains("1 problem(s)"), "{said}");

    answer("/api/key/add", "{\"fingerprint\": \"\\u001b[31mnot-hex\"}");
    let garbage = xtask(&sandbox, &append);
    expect_code(&garbage, 1);
    assert!(
        text(&garbage).contains("not a fingerprint"),
        "{}",
        text(&garbage)
    );
    assert!(!text(&garbage).contains('\u{1b}'), "{}", text(&garbage));
    answer(
        "/api/committee/keys",
        r#"{"keys": [{"fingerprint": "zz"}]}"#,
    );
    let listing = xtask(&sandbox, &["keys", "check"]);
    expect_code(&listing, 1);
    assert!(
        text(&listing).contains("not a fingerprint"),
        "{}",
        text(&listing)
    );
    answer(
        "/api/project/get",
        r#"{"project": {"committee_name": "../x"}}"#,
    );
    let committee = xtask(&sandbox, &["keys", "check"]);
    expect_code(&committee, 1);
    assert!(
        text(&committee).contains("not a committee name"),
        "{}",
        text(&committee)
    );
    assert!(atr.state().keys.is_empty(), "nothing was linked");

    expect_code(&xtask(&sandbox, &append), 0);
    expect_code(&xtask(&sandbox, &["keys", "check"]), 0);
}

#[test]
fn doctor_says_whether_the_key_is_linked_on_atr_and_the_secrets_are_set() {
    let world = World::new();
    let sandbox = sandbox(&world);
    // The key server is out of reach (no network beyond 127.0.0.1): a proxy that refuses.
    let offline = [
        ("http_proxy", "http://127.0.0.1:9"),
        ("https_proxy", "http://127.0.0.1:9"),
        ("no_proxy", "127.0.0.1"),
    ];
    let doctor = |extra: &[(&str, &str)]| {
        let env: Vec<(&str, &str)> = offline.iter().chain(extra).copied().collect();
        in_sandbox(&sandbox, &["doctor"], &env)
    };
    let before = doctor(&[("ATR_TOKEN", "")]);
    let said = text(&before);
    assert_ne!(before.status.code(), Some(0), "{said}");
    assert!(
        said.contains("is not linked to committee demo on ATR"),
        "{said}"
    );
    assert!(said.contains("cargo xtask keys append"), "{said}");
    assert!(
        said.contains("ATR_TOKEN"),
        "the missing token is named: {said}"
    );

    expect_code(&xtask(&sandbox, &["keys", "append", "--yes"]), 0);
    let after = doctor(&[]);
    let said = text(&after);
    assert!(
        said.contains("is linked to committee demo on ATR"),
        "{said}"
    );
    assert!(!said.contains("not linked"), "{said}");
}
