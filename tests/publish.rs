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

//! The publish phase against real tools and the local stand-ins: `downloads` against a
//! downloads.apache.org stand-in that serves dist/release (a real `svnadmin create`
//! repository) late, wrong or incompletely; `github-release` against the GitHub stand-in,
//! created once and never doubled; `report` remembered once confirmed.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use asf_release::demo::github::GitHubStandIn;
use asf_release::demo::mirror::{Behaviour, Mirror};
use common::*;

const TARBALL: &str = "apache-demo-1.0.0-src.tgz";

/// dist with release 1.0.0 (the tarball, its .asc by the release manager's key and .sha512)
/// and release KEYS holding that key, and the fixture project configured to download from
/// `mirror`.
fn released(world: &World, extra_config: &str) -> (Dist, Mirror, PathBuf) {
    let dist = Dist::new(world, world.path("svn"));
    dist.release_signed(world, "1.0.0", b"the voted bytes of 1.0.0");
    let mirror = Mirror::start(&dist.file_url("release/demo")).unwrap();
    let repo = project(world, &dist);
    let manifest = repo.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(&format!(
        "download-base-url = \"{}\"\n{extra_config}",
        mirror.url
    ));
    std::fs::write(&manifest, text).unwrap();
    (dist, mirror, repo)
}

fn downloads(world: &World, repo: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["--repo", repo.to_str().unwrap(), "downloads", "1.0.0"];
    args.extend(extra);
    world.xtask(&args)
}

fn record(repo: &Path) -> PathBuf {
    repo.join("target/asf-release/records/1.0.0/downloads-served")
}

#[test]
fn downloads_refuses_missing_and_wrong_files_and_passes_once_all_are_served() {
    let world = World::new();
    let (_dist, mirror, repo) = released(&world, "");
    mirror.behave(Behaviour {
        missing: vec![format!("{TARBALL}.asc"), "KEYS".into()],
        ..Behaviour::default()
    });
    let output = downloads(&world, &repo, &["--no-wait"]);
    assert_fails_with(
        &output,
        &[
            "2 of 4 files are not served",
            &format!("/1.0.0/{TARBALL}.asc: HTTP 404"),
            "/KEYS: HTTP 404",
        ],
    );
    assert!(!stderr(&output).contains(&format!("{TARBALL}: HTTP")));
    assert!(!record(&repo).exists());

    mirror.behave(Behaviour {
        corrupt: true,
        ..Behaviour::default()
    });
    let output = downloads(&world, &repo, &["--no-wait"]);
    assert_fails_with(&output, &["4 of 4 files", "other bytes than dist/release"]);
    assert!(!record(&repo).exists());

    mirror.behave(Behaviour::default());
    let output = downloads(&world, &repo, &["--no-wait"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("all 4 files are served"));
    assert!(record(&repo).exists());
}

#[test]
fn downloads_waits_for_a_late_mirror_and_gives_up_at_the_limit() {
    let world = World::new();
    let (_dist, mirror, repo) = released(&world, "download-wait = \"20s\"\n");
    mirror.behave(Behaviour {
        from: Some(Instant::now() + Duration::from_secs(3)),
        ..Behaviour::default()
    });
    let started = Instant::now();
    let output = downloads(&world, &repo, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert!(
        stderr(&output).contains("waiting for the mirrors"),
        "{}",
        stderr(&output)
    );
    assert!(record(&repo).exists());

    // A mirror that never catches up: the wait ends at download-wait with the reasons.
    let world = World::new();
    let (_dist, mirror, repo) = released(&world, "download-wait = \"3s\"\n");
    mirror.behave(Behaviour {
        from: Some(Instant::now() + Duration::from_secs(3600)),
        ..Behaviour::default()
    });
    let started = Instant::now();
    let output = downloads(&world, &repo, &[]);
    assert_fails_with(
        &output,
        &["4 of 4 files are not served", "HTTP 404", "again later"],
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(!record(&repo).exists());
}

#[test]
fn downloads_dry_run_names_every_file_and_checks_nothing() {
    let world = World::new();
    let (_dist, _mirror, repo) = released(&world, "");
    let output = world.xtask(&[
        "--repo",
        repo.to_str().unwrap(),
        "--dry-run",
        "downloads",
        "1.0.0",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let plan = stdout(&output);
    for name in [
        TARBALL,
        &format!("{TARBALL}.asc"),
        &format!("{TARBALL}.sha512"),
        "KEYS",
    ] {
        assert!(
            plan.contains(&format!("/{name} and compare its SHA-512")),
            "{plan}"
        );
    }
    assert!(!record(&repo).exists());
}

#[test]
fn mail_announce_refuses_until_the_release_can_be_downloaded() {
    let world = World::new();
    let (_dist, mirror, repo) = released(&world, "");
    let announce = || {
        world.xtask(&[
            "--repo",
            repo.to_str().unwrap(),
            "mail",
            "announce",
            "1.0.0",
        ])
    };
    mirror.behave(Behaviour {
        missing: vec![TARBALL.into()],
        ..Behaviour::default()
    });
    assert_fails_with(
        &announce(),
        &[
            "no ANNOUNCE before users can download 1.0.0",
            "HTTP 404",
            "cargo xtask downloads 1.0.0",
        ],
    );
    let mail = repo.join("target/asf-release/records/1.0.0/announce.eml");
    assert!(!mail.exists());
    mirror.behave(Behaviour::default());
    let output = announce();
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(mail.exists());
}

/// A project whose release tag 1.0.0 (with its release notes) is pushed to a bare origin, and
/// the GitHub stand-in serving it.
fn tagged(world: &World) -> (PathBuf, GitHubStandIn) {
    let github = GitHubStandIn::start("apache/demo", 30).unwrap();
    let repo = world.fixture_repo("repo");
    let origin = world.path("origin.git");
    world.ok(world
        .command("git")
        .args(["init", "-q", "--bare"])
        .arg(&origin));
    // GitHub has the tags pushed to origin.
    github.serve_git(camino::Utf8Path::from_path(&origin).unwrap());
    world.write(
        &repo,
        "release-notes/1.0.0.md",
        b"# 1.0.0\n\n- The router.\n",
    );
    let manifest = repo.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("github-repo = \"apache/demo\"\n");
    std::fs::write(&manifest, text).unwrap();
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-qm", "Release notes of 1.0.0"]);
    world.git(
        &repo,
        &["remote", "add", "origin", origin.to_str().unwrap()],
    );
    world.git(&repo, &["tag", "1.0.0"]);
    (repo, github)
}

fn github_release(
    world: &World,
    repo: &Path,
    github: &GitHubStandIn,
    dry: bool,
) -> std::process::Output {
    let mut args = vec!["--repo", repo.to_str().unwrap()];
    if dry {
        args.push("--dry-run");
    }
    args.extend(["github-release", "1.0.0"]);
    if !dry {
        args.push("--yes");
    }
    world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .env("GITHUB_API_URL", &github.url)
        .env("GITHUB_TOKEN", "test-token")
        .env(asf_release::tools::github::WRITE_INTERVAL_VAR, "0")
        .args(&args)
        .output()
        .unwrap()
}

#[test]
fn the_github_release_is_made_once_with_the_notes_and_no_files() {
    let world = World::new();
    let (repo, github) = tagged(&world);
    // Not before the tag is pushed: GitHub would make the tag itself from a branch.
    assert_fails_with(
        &github_release(&world, &repo, &github, false),
        &[
            "the release tag 1.0.0 is not on remote `origin`",
            "push it first",
        ],
    );
    assert!(github.releases().is_empty());
    world.git(&repo, &["push", "-q", "origin", "1.0.0"]);

    let dry = github_release(&world, &repo, &github, true);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("create the GitHub release of tag 1.0.0"),
        "{}",
        stdout(&dry)
    );
    assert!(github.releases().is_empty(), "the dry run wrote");

    let made = github_release(&world, &repo, &github, false);
    assert!(made.status.success(), "{}", stderr(&made));
    let releases = github.releases();
    assert_eq!(releases.len(), 1);
    let release = &releases[0];
    assert_eq!(release["tag_name"], "1.0.0");
    // "Apache <display-name> <version>"; the fixture's display name has "Apache" already.
    assert_eq!(release["name"], "Apache Apache Demo 1.0.0");
    assert_eq!(release["draft"], false);
    assert_eq!(release["assets"], serde_json::json!([]));
    let body = release["body"].as_str().unwrap();
    assert!(
        body.starts_with("# 1.0.0\n\n- The router.\n\n## Download"),
        "{body}"
    );
    assert!(
        body.contains("https://demo.apache.org/downloads/"),
        "{body}"
    );

    // A rerun changes nothing and makes no second release.
    let writes =
        |github: &GitHubStandIn| github.seen().iter().filter(|s| s.method != "GET").count();
    let before = writes(&github);
    let again = github_release(&world, &repo, &github, false);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("nothing to do"),
        "{}",
        stdout(&again)
    );
    assert_eq!(writes(&github), before);
    assert_eq!(github.releases().len(), 1);

    // A release edited by hand is put back to the notes of the tag, in place.
    github.state().releases[0]["body"] = serde_json::json!("edited by hand");
    let fixed = github_release(&world, &repo, &github, false);
    assert!(fixed.status.success(), "{}", stderr(&fixed));
    let releases = github.releases();
    assert_eq!(releases.len(), 1);
    assert_eq!(releases[0]["body"].as_str().unwrap(), body);
    assert!(github
        .seen()
        .iter()
        .any(|s| s.method == "PATCH" && s.target.ends_with("/releases/1")));
}

#[test]
fn the_stand_in_refuses_a_second_release_of_a_tag_as_github_does() {
    let github = GitHubStandIn::start("apache/demo", 30).unwrap();
    let post = || {
        let body = r#"{"tag_name":"1.0.0","name":"Apache Demo 1.0.0","body":"notes"}"#;
        let address = github.url.strip_prefix("http://").unwrap();
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "POST /repos/apache/demo/releases HTTP/1.1\r\nHost: {address}\r\nUser-Agent: test\r\n\
             Accept: application/vnd.github+json\r\nX-GitHub-Api-Version: 2022-11-28\r\n\
             Authorization: Bearer t\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    };
    let first = post();
    assert!(first.starts_with("HTTP/1.1 201"), "{first}");
    let second = post();
    assert!(second.starts_with("HTTP/1.1 422"), "{second}");
    assert!(
        second.contains(r#""code":"already_exists""#) && second.contains(r#""field":"tag_name""#),
        "{second}"
    );
    assert_eq!(github.releases().len(), 1);
}

#[test]
fn the_board_report_data_is_printed_and_remembered_once_confirmed() {
    let world = World::new();
    let (_dist, _mirror, repo) = released(&world, "");
    let repo_arg = repo.to_str().unwrap();
    let shown = world.xtask(&["--repo", repo_arg, "report", "1.0.0"]);
    assert!(shown.status.success(), "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(
        text.contains("https://reporter.apache.org/addrelease.html?demo"),
        "{text}"
    );
    assert!(
        text.contains("committee  demo") && text.contains("version    1.0.0"),
        "{text}"
    );
    let record = repo.join("target/asf-release/records/1.0.0/reporter-entered");
    assert!(!record.exists());
    let dry = world.xtask(&["--repo", repo_arg, "--dry-run", "report", "1.0.0", "--done"]);
    assert!(dry.status.success() && !record.exists(), "{}", stderr(&dry));
    let done = world.xtask(&["--repo", repo_arg, "report", "1.0.0", "--done"]);
    assert!(done.status.success(), "{}", stderr(&done));
    let saved = std::fs::read_to_string(&record).unwrap();
    assert!(
        saved.starts_with("committee = demo\nversion = 1.0.0\ndate = 20"),
        "{saved}"
    );
    let again = world.xtask(&["--repo", repo_arg, "report", "1.0.0", "--done"]);
    assert!(
        stdout(&again).contains("nothing to do"),
        "{}",
        stdout(&again)
    );
    // A release in progress keeps the record an earlier version of the tool wrote beside the
    // artifacts: it still counts, and no second one is written.
    let old = repo.join("target/asf-release/1.0.0/reporter-entered");
    std::fs::create_dir_all(old.parent().unwrap()).unwrap();
    std::fs::rename(&record, &old).unwrap();
    let earlier = world.xtask(&["--repo", repo_arg, "report", "1.0.0", "--done"]);
    let text = stdout(&earlier);
    assert!(
        text.contains("1.0.0/reporter-entered says the release is entered already"),
        "{text}"
    );
    assert!(!record.exists(), "{text}");
}

#[test]
fn publish_steps_say_what_is_missing_before_they_can_run() {
    let world = World::new();
    let dist = Dist::new(&world, world.path("svn"));
    let repo = project(&world, &dist);
    let mirror = Mirror::start(&dist.file_url("release/demo")).unwrap();
    let manifest = repo.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        format!("{text}download-base-url = \"{}\"\n", mirror.url),
    )
    .unwrap();
    // Not promoted yet: nothing to compare the downloads with.
    assert_fails_with(
        &downloads(&world, &repo, &["--no-wait"]),
        &[
            "release/demo/1.0.0/apache-demo-1.0.0-src.tgz is not in dist/release",
            "promote",
        ],
    );
    assert!(!record(&repo).exists());

    // A pushed tag without release notes: the GitHub release says where they come from.
    let world = World::new();
    let (repo, github) = tagged(&world);
    world.git(&repo, &["rm", "-q", "release-notes/1.0.0.md"]);
    world.git(&repo, &["commit", "-qm", "No notes"]);
    world.git(&repo, &["tag", "-f", "1.0.0"]);
    world.git(&repo, &["push", "-q", "origin", "1.0.0"]);
    assert_fails_with(
        &github_release(&world, &repo, &github, false),
        &[
            "tag 1.0.0 has no release-notes/1.0.0.md",
            "cargo xtask changelog 1.0.0",
        ],
    );
    assert!(github.releases().is_empty());
}
