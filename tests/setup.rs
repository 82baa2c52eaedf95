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

//! The release manager's set-up and the run-time guards around it: `keys create` and `doctor`
//! leading a first-time release manager to a key in KEYS, candidate numbers from 0, and one
//! run at a time per output directory.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

/// The passphrase of the keys made here; it must never appear in any output.
const PASSPHRASE: &str = "correct-horse-battery-staple-42";

/// A key server that answers every HKP lookup with `status` (404: no such key).
fn key_server(status: u16) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    format!("hkp://127.0.0.1:{port}")
}

fn add_settings(world: &World, repo: &Path, settings: &str) {
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    world.write(
        repo,
        "Cargo.toml",
        format!("{manifest}{settings}").as_bytes(),
    );
    world.git(repo, &["commit", "-qam", "settings"]);
}

fn run(world: &World, repo: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
    command.arg("--repo").arg(repo).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn text(output: &Output) -> String {
    stdout(output) + &stderr(output)
}

fn secret_keys(world: &World) -> String {
    world.ok(world
        .command("gpg")
        .args(["--batch", "--with-colons", "--list-secret-keys"]))
}

#[test]
fn a_first_time_release_manager_reaches_a_checked_key_in_keys_with_the_tool_alone() {
    let world = World::new();
    let dist = Dist::new(&world, world.path("dist"));
    let repo = project(&world, &dist);
    let missing = key_server(404);
    add_settings(&world, &repo, &format!("keyserver = \"{missing}\"\n"));
    let loopback = [("GPG_PASSPHRASE", PASSPHRASE)];
    let create = [
        "keys",
        "create",
        "--name",
        "Release Manager",
        "--email",
        "rm@apache.org",
        "--type",
        "ed25519",
    ];

    // No key: doctor names the step and its command.
    let doctor = run(&world, &repo, &["doctor"], &[]);
    assert_fails_with(&doctor, &["✗ no signing key", "cargo xtask keys create"]);

    // The dry run shows the gpg call, without the passphrase, and creates nothing.
    let mut dry_args = vec!["--dry-run"];
    dry_args.extend(create);
    let dry = run(&world, &repo, &dry_args, &loopback);
    assert!(dry.status.success(), "{}", text(&dry));
    assert!(
        text(&dry)
            .contains("--quick-generate-key -- 'Release Manager <rm@apache.org>' ed25519 sign 2y"),
        "{}",
        text(&dry)
    );
    assert!(!text(&dry).contains(PASSPHRASE), "{}", text(&dry));
    assert!(
        !secret_keys(&world).contains("sec:"),
        "a dry run creates no key"
    );

    // Not an Apache address: refused before anything is made.
    let other = run(
        &world,
        &repo,
        &[
            "keys",
            "create",
            "--name",
            "RM",
            "--email",
            "rm@example.org",
        ],
        &loopback,
    );
    assert_fails_with(&other, &["not an Apache address", "@apache.org"]);

    let created = run(&world, &repo, &create, &loopback);
    let shown = text(&created);
    assert!(created.status.success(), "{shown}");
    assert!(
        !shown.contains(PASSPHRASE),
        "the passphrase was printed:\n{shown}"
    );
    let listing = secret_keys(&world);
    let fingerprint = listing
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .map(|l| l.trim_matches(':').to_string())
        .expect("a new key");
    let spaced: Vec<String> = fingerprint
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    for needle in [
        format!("created key {fingerprint}"),
        format!("{}  {}", spaced[..5].join(" "), spaced[5..].join(" ")),
        "https://id.apache.org".to_string(),
        format!("`cargo xtask keys publish`: sends the public key to {missing}"),
        format!(
            "`cargo xtask keys append`: adds it to {}/dev/demo/KEYS",
            dist.url
        ),
        format!("`gpg --quick-set-expire {fingerprint} 2y`"),
    ] {
        assert!(shown.contains(&needle), "expected {needle:?} in:\n{shown}");
    }
    // Signing only, Ed25519, an expiry about two years ahead, the Apache address.
    let sec = listing.lines().find(|l| l.starts_with("sec:")).unwrap();
    let fields: Vec<&str> = sec.split(':').collect();
    assert_eq!(fields[3], "22", "{sec}");
    let lifetime: u64 = fields[6].parse::<u64>().unwrap() - fields[5].parse::<u64>().unwrap();
    assert!((729 * 86_400..=731 * 86_400).contains(&lifetime), "{sec}");
    assert!(
        listing.contains("Release Manager <rm@apache.org>"),
        "{listing}"
    );

    // The key is protected by the passphrase: a wrong one cannot sign.
    world.ok(world.command("gpgconf").args(["--reload", "gpg-agent"]));
    world.write(world.root.path(), "probe.txt", b"probe");
    let wrong = world
        .command("gpg")
        .args([
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "wrong",
        ])
        .args(["--local-user", &fingerprint, "--detach-sign", "probe.txt"])
        .output()
        .unwrap();
    assert!(
        !wrong.status.success(),
        "the key signs without its passphrase"
    );

    // A second run refuses, naming the key.
    let again = run(&world, &repo, &create, &loopback);
    assert_fails_with(&again, &["already that can sign releases", &fingerprint]);

    // doctor: the key exists but is not in KEYS and not on the key server.
    let doctor = run(&world, &repo, &["doctor"], &[]);
    assert_fails_with(
        &doctor,
        &[
            "can sign",
            "is not in",
            "`cargo xtask keys append`",
            "is not on the key server",
            "`cargo xtask keys publish`",
        ],
    );

    let append = run(&world, &repo, &["keys", "append", "--yes"], &[]);
    assert!(append.status.success(), "{}", text(&append));
    let check = run(&world, &repo, &["keys", "check"], &[]);
    assert!(check.status.success(), "{}", text(&check));
    assert!(
        text(&check).contains("the key can sign releases"),
        "{}",
        text(&check)
    );

    // On the key server now: doctor has nothing left to ask for the key.
    let found = key_server(200);
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    world.write(
        &repo,
        "Cargo.toml",
        manifest.replace(&missing, &found).as_bytes(),
    );
    let doctor = run(&world, &repo, &["doctor"], &[]);
    let report = text(&doctor);
    assert!(
        report.contains(&format!("✓ key {fingerprint} is in")),
        "{report}"
    );
    assert!(
        report.contains(&format!("✓ key {fingerprint} is on {found}")),
        "{report}"
    );
    if which::which("svnmucc").is_ok() {
        assert!(doctor.status.success(), "{report}");
    }

    // Expiring within 30 days: doctor says how to extend it.
    world.ok(world
        .command("gpg")
        .args([
            "--batch",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            PASSPHRASE,
        ])
        .args(["--quick-set-expire", &fingerprint, "10d"]));
    let doctor = run(&world, &repo, &["doctor", "--offline"], &[]);
    assert_fails_with(
        &doctor,
        &["expires in 10 day(s)", "--quick-set-expire", "keys publish"],
    );
    for output in [&created, &doctor, &check, &append] {
        assert!(!text(output).contains(PASSPHRASE));
    }
}

#[test]
fn doctor_names_an_old_gpg() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    let bin = world.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    world.write(&bin, "gpg", b"#!/bin/sh\necho 'gpg (GnuPG) 1.4.23'\n");
    std::fs::set_permissions(
        bin.join("gpg"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let doctor = run(&world, &repo, &["doctor", "--offline"], &[("PATH", &path)]);
    assert_fails_with(&doctor, &["gpg 1.4.23: GnuPG 2.x is needed", "install"]);
    let create = run(
        &world,
        &repo,
        &["keys", "create", "--email", "rm@apache.org"],
        &[("PATH", &path)],
    );
    assert_fails_with(&create, &["GnuPG 2.x is needed"]);
}

/// A repository with an origin, so tags can be pushed.
fn with_origin(world: &World, repo: &Path) -> PathBuf {
    let origin = world.path("origin.git");
    world.ok(world
        .command("git")
        .args(["init", "-q", "--bare"])
        .arg(&origin));
    world.git(repo, &["remote", "add", "origin", origin.to_str().unwrap()]);
    world.git(repo, &["push", "-q", "origin", "master"]);
    origin
}

#[test]
fn candidates_count_from_zero_where_the_project_says_so() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    let dist = Dist::new(&world, world.path("dist"));
    add_settings(
        &world,
        &repo,
        &format!(
            "first-rc = 0\nsvn-dev-url = \"{0}/dev/demo\"\nsvn-release-url = \"{0}/release/demo\"\n",
            dist.url
        ),
    );
    with_origin(&world, &repo);
    let tagged = run(&world, &repo, &["tag", "1.0.0", "--rc", "--yes"], &[]);
    assert!(tagged.status.success(), "{}", text(&tagged));
    assert_eq!(world.git(&repo, &["tag", "--list"]), "1.0.0-rc0");
    let packaged = run(&world, &repo, &["package", "1.0.0", "--rc", "0"], &[]);
    assert!(packaged.status.success(), "{}", text(&packaged));
    assert!(
        text(&packaged).contains("from 1.0.0-rc0"),
        "{}",
        text(&packaged)
    );
    // The VOTE mail names a KEYS that holds the signing key.
    let append = run(&world, &repo, &["keys", "append", "--yes"], &[]);
    assert!(append.status.success(), "{}", text(&append));
    let mail = run(&world, &repo, &["mail", "vote", "1.0.0", "--rc", "0"], &[]);
    assert!(mail.status.success(), "{}", text(&mail));
    let vote = std::fs::read_to_string(repo.join("target/asf-release/records/1.0.0-rc0/vote.eml"))
        .unwrap();
    assert!(vote.contains("1.0.0-rc0"), "{vote}");

    // The project's numbering is kept: a project counting from 1 refuses RC0.
    let other = world.fixture_repo("other");
    let refused = run(
        &world,
        &other,
        &["package", "1.0.0", "--rc", "0", "--no-sign"],
        &[],
    );
    assert_fails_with(&refused, &["invalid release candidate 0", "first-rc = 0"]);
}

#[test]
fn a_second_run_on_the_same_output_stops_naming_the_run_that_holds_it() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    // A gpg that takes its time to sign, and says when it started.
    let bin = world.path("slow");
    std::fs::create_dir_all(&bin).unwrap();
    let started = world.path("signing-started");
    let gpg = which::which("gpg").unwrap();
    world.write(
        &bin,
        "gpg",
        format!(
            "#!/bin/sh\ncase \"$*\" in *--detach-sign*) touch {}; sleep 3;; esac\nexec {} \"$@\"\n",
            started.display(),
            gpg.display()
        )
        .as_bytes(),
    );
    std::fs::set_permissions(
        bin.join("gpg"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = world.path("out");
    let first = world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args(package_args(&repo, &out))
        .env("PATH", &path)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !started.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first run never signed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = world.xtask(&package_args(&repo, &out));
    assert_fails_with(
        &second,
        &[
            &format!("another run holds the lock (pid {})", first.id()),
            "wait for it",
        ],
    );
    assert!(
        !text(&second).contains("signing failed"),
        "{}",
        text(&second)
    );
    let first = first.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", text(&first));
    // The lock ended with the run: a third run finds the package done.
    let third = world.xtask(&package_args(&repo, &out));
    assert!(third.status.success(), "{}", text(&third));
    assert!(!out.parent().unwrap().join(".out.lock").exists());
}

#[test]
fn a_release_run_stops_while_another_holds_the_release_state() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    // This test process holds the lock of the release state of 1.0, as a running
    // `release 1.0` does; the real binary is the second run.
    let state = repo.join("target/asf-release/release-1.0.json");
    let state = camino::Utf8PathBuf::from_path_buf(state).unwrap();
    let held = asf_release::lock::acquire(&state).unwrap();
    let second = run(&world, &repo, &["release", "1.0", "--yes"], &[]);
    assert_fails_with(
        &second,
        &[&format!(
            "another run holds the lock (pid {})",
            std::process::id()
        )],
    );
    assert!(!state.exists(), "the second run wrote the release state");
    drop(held);
    let dry = run(&world, &repo, &["--dry-run", "release", "1.0"], &[]);
    assert!(!text(&dry).contains("holds the lock"), "{}", text(&dry));
}
