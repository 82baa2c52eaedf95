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

//! End-to-end tests of `keys`, `upload`, `promote` and `prune` against real Subversion
//! repositories laid out like dist.apache.org: `svnadmin create` reached by file://, and one
//! svnserve on 127.0.0.1 with per-path permissions like the ASF's (committers write dev/,
//! only the PMC writes release/).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::*;

const TARBALL: &str = "apache-demo-1.0.0-src.tgz";
fn xtask(world: &World, repo: &Path, args: &[&str]) -> Output {
    xtask_env(world, repo, args, &[])
}

fn xtask_env(world: &World, repo: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
    command.arg("--repo").arg(repo).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("xtask starts")
}

fn assert_ok(output: &Output) -> String {
    let text = stdout(output) + &stderr(output);
    assert!(output.status.success(), "expected success:\n{text}");
    text
}

fn package(world: &World, repo: &Path, rc: &str) -> PathBuf {
    assert_ok(&xtask(world, repo, &["package", "1.0.0", "--rc", rc]));
    repo.join(format!("target/asf-release/1.0.0-rc{rc}"))
}

/// A dist repository, the project, a signing key in KEYS and the package of RC1.
fn ready_to_upload(world: &World) -> (Dist, PathBuf, PathBuf) {
    let dist = Dist::new(world, world.path("dist"));
    let repo = project(world, &dist);
    world.generate_key("Release Manager", "rm@apache.org");
    assert_ok(&xtask(world, &repo, &["keys", "append", "--yes"]));
    let out = package(world, &repo, "1");
    (dist, repo, out)
}

#[test]
fn keys_append_adds_the_key_once_and_never_removes_entries() {
    let world = World::new();
    let dist = Dist::new(&world, world.path("dist"));
    let repo = project(&world, &dist);
    let fingerprint = world.generate_key("Release Manager", "rm@apache.org");

    let check = xtask(&world, &repo, &["keys", "check"]);
    assert_fails_with(&check, &["is not in", "dev/demo/KEYS", "keys append"]);

    let before = dist.youngest(&world);
    let dry = assert_ok(&xtask(&world, &repo, &["--dry-run", "keys", "append"]));
    assert!(dry.contains("svnmucc") && dry.contains("put"), "{dry}");
    assert_eq!(dist.youngest(&world), before, "a dry run changes nothing");

    let text = assert_ok(&xtask(&world, &repo, &["keys", "append", "--yes"]));
    assert!(text.contains("added key"), "{text}");
    assert_eq!(dist.youngest(&world), before + 1, "one commit");
    let keys = String::from_utf8(dist.cat(&world, "dev/demo/KEYS")).unwrap();
    assert!(keys.starts_with(KEYS_HEADER), "entries are only appended");
    assert!(keys.contains("rm@apache.org"), "the --list-sigs part");
    assert_eq!(keys.matches("BEGIN PGP PUBLIC KEY BLOCK").count(), 1);

    let again = assert_ok(&xtask(&world, &repo, &["keys", "append", "--yes"]));
    assert!(again.contains("nothing to do"), "{again}");
    assert_eq!(
        dist.youngest(&world),
        before + 1,
        "the rerun commits nothing"
    );
    assert_eq!(
        String::from_utf8(dist.cat(&world, "dev/demo/KEYS")).unwrap(),
        keys
    );

    let check = assert_ok(&xtask(&world, &repo, &["keys", "check"]));
    assert!(check.contains("is in"), "{check}");
    assert!(
        check.contains("warning") && check.contains("release/demo/KEYS"),
        "the release KEYS lacks the key: {check}"
    );

    let shown = assert_ok(&xtask(&world, &repo, &["keys", "fingerprint"]));
    assert!(
        shown.contains(&fingerprint[..4]) && shown.contains("id.apache.org"),
        "{shown}"
    );
    let spaced: String = shown
        .lines()
        .find_map(|l| l.strip_prefix("fingerprint:"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert_eq!(spaced, fingerprint);

    let publish = assert_ok(&xtask(&world, &repo, &["--dry-run", "keys", "publish"]));
    assert!(
        publish.contains("--send-keys")
            && publish.contains(&fingerprint)
            && publish.contains("hkps://keys.openpgp.org"),
        "{publish}"
    );
}

#[test]
fn keys_check_reports_each_problem_of_a_weak_or_expired_key() {
    let world = World::new();
    let dist = Dist::new(&world, world.path("dist"));
    let repo = project(&world, &dist);
    for (uid, algorithm, expiry) in [
        ("Weak <weak@example.org>", "rsa2048", "never"),
        ("Old <old@apache.org>", "ed25519", "seconds=1"),
    ] {
        world.ok(world.command("gpg").args([
            "--batch",
            "--passphrase",
            "",
            "--quick-generate-key",
            uid,
            algorithm,
            "sign",
            expiry,
        ]));
    }
    std::thread::sleep(Duration::from_secs(2));

    let weak = xtask(&world, &repo, &["keys", "check", "weak@example.org"]);
    assert_fails_with(
        &weak,
        &[
            "RSA 2048 bits",
            "RSA 4096 or ed25519",
            "no @apache.org user id",
            "is not in",
            "2 problem(s)",
        ],
    );
    let old = xtask(&world, &repo, &["keys", "check", "old@apache.org"]);
    assert_fails_with(&old, &["has expired", "--quick-set-expire", "2 problem(s)"]);
    assert!(
        !stdout(&old).contains("@apache.org user id"),
        "{}",
        stdout(&old)
    );
}

#[test]
fn upload_is_one_commit_a_rerun_is_a_no_op_and_a_different_rc_is_never_replaced() {
    let world = World::new();
    let (dist, repo, out) = ready_to_upload(&world);
    let before = dist.youngest(&world);

    let dry = assert_ok(&xtask(
        &world,
        &repo,
        &["--dry-run", "upload", "1.0.0", "--rc", "1"],
    ));
    assert!(dry.contains("svnmucc") && dry.contains("mkdir"), "{dry}");
    assert_eq!(dist.youngest(&world), before);

    let text = assert_ok(&xtask(
        &world,
        &repo,
        &["upload", "--yes", "1.0.0", "--rc", "1"],
    ));
    assert!(text.contains("uploaded"), "{text}");
    assert_eq!(dist.youngest(&world), before + 1, "exactly one commit");
    assert_eq!(
        dist.ls(&world, "dev/demo/1.0.0-rc1"),
        [
            TARBALL.to_string(),
            format!("{TARBALL}.asc"),
            format!("{TARBALL}.sha512")
        ]
    );
    let local = std::fs::read(out.join(TARBALL)).unwrap();
    assert!(dist.cat(&world, &format!("dev/demo/1.0.0-rc1/{TARBALL}")) == local);
    let log = world.ok(world.command("svnlook").arg("log").arg(&dist.repo));
    assert!(
        log.contains("1.0.0 RC1"),
        "the message names release and RC: {log}"
    );

    let again = assert_ok(&xtask(
        &world,
        &repo,
        &["upload", "--yes", "1.0.0", "--rc", "1"],
    ));
    assert!(again.contains("nothing to do"), "{again}");
    assert_eq!(dist.youngest(&world), before + 1);

    // Other bytes under the same RC number: refused, the uploaded candidate untouched.
    world.write(
        &repo,
        "src/late.lua",
        format!("{LUA_HEADER}return 1\n").as_bytes(),
    );
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-qm", "A late change"]);
    assert_ok(&xtask(
        &world,
        &repo,
        &["package", "1.0.0", "--rc", "1", "--ref", "HEAD", "--force"],
    ));
    let refused = xtask(&world, &repo, &["upload", "--yes", "1.0.0", "--rc", "1"]);
    assert_fails_with(&refused, &["already exists with other content", "--rc 2"]);
    assert_eq!(dist.youngest(&world), before + 1);
    assert!(dist.cat(&world, &format!("dev/demo/1.0.0-rc1/{TARBALL}")) == local);
}

/// Paths on the command line are the user's, wherever the repository is: the tools run in
/// the repository, so a relative path must be made absolute before any of them sees it.
#[test]
fn relative_paths_are_read_from_where_the_user_stands() {
    let world = World::new();
    let (dist, repo, out) = ready_to_upload(&world);
    let elsewhere = world.path("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::rename(&out, elsewhere.join("rel")).unwrap();
    let from_elsewhere = |args: &[&str]| {
        let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
        command.current_dir(&elsewhere).arg("--repo").arg(&repo);
        command.args(args).output().expect("xtask starts")
    };

    let text = assert_ok(&from_elsewhere(&[
        "upload", "1.0.0", "--rc", "1", "--dir", "rel", "--yes",
    ]));
    assert!(text.contains("uploaded"), "{text}");
    assert_eq!(dist.ls(&world, "dev/demo/1.0.0-rc1").len(), 3);

    assert_ok(&from_elsewhere(&[
        "package", "1.0.0", "--rc", "1", "--out", "again",
    ]));
    let signature = format!("{TARBALL}.asc");
    for name in [TARBALL, &signature] {
        assert!(elsewhere.join("again").join(name).is_file(), "{name}");
        assert!(
            !repo.join("again").exists(),
            "nothing written in the repository"
        );
    }
}

#[test]
fn damaged_local_files_and_unknown_keys_are_caught_before_upload() {
    let world = World::new();
    let dist = Dist::new(&world, world.path("dist"));
    let repo = project(&world, &dist);
    world.generate_key("Release Manager", "rm@apache.org");
    let out = package(&world, &repo, "1");
    let before = dist.youngest(&world);

    let unknown = xtask(&world, &repo, &["upload", "--yes", "1.0.0", "--rc", "1"]);
    assert_fails_with(
        &unknown,
        &["not in the keyring", "keys append", "nothing was uploaded"],
    );
    assert_eq!(dist.youngest(&world), before);
    assert_ok(&xtask(&world, &repo, &["keys", "append", "--yes"]));
    let before = dist.youngest(&world);

    let tarball = out.join(TARBALL);
    let good = std::fs::read(&tarball).unwrap();
    let mut bad = good.clone();
    let middle = bad.len() / 2;
    bad[middle] ^= 0x01;
    std::fs::write(&tarball, &bad).unwrap();
    let damaged = xtask(&world, &repo, &["upload", "--yes", "1.0.0", "--rc", "1"]);
    assert_fails_with(
        &damaged,
        &["does not match", ".sha512", "nothing was uploaded"],
    );

    // A checksum made to fit the damaged file still meets the signature.
    let sha512 = world.ok(world.command("sha512sum").arg(&tarball));
    let hash = sha512.split_whitespace().next().unwrap();
    std::fs::write(
        out.join(format!("{TARBALL}.sha512")),
        format!("{hash}  {TARBALL}\n"),
    )
    .unwrap();
    let forged = xtask(&world, &repo, &["upload", "--yes", "1.0.0", "--rc", "1"]);
    assert_fails_with(
        &forged,
        &[
            "signature",
            "does not match the file",
            "nothing was uploaded",
        ],
    );

    assert_eq!(dist.youngest(&world), before, "nothing reached SVN");
    assert_eq!(dist.ls(&world, "dev/demo"), ["KEYS"]);
}

#[test]
fn a_rejected_commit_leaves_no_partial_directory() {
    let world = World::new();
    let (dist, repo, _out) = ready_to_upload(&world);
    let hook = dist.repo.join("hooks/pre-commit");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'dist is read-only for maintenance' >&2\nexit 1\n",
    )
    .unwrap();
    let mut perms = std::fs::metadata(&hook).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&hook, perms).unwrap();
    let before = dist.youngest(&world);

    let rejected = xtask(&world, &repo, &["upload", "--yes", "1.0.0", "--rc", "1"]);
    assert_fails_with(&rejected, &["read-only for maintenance"]);
    assert_eq!(dist.youngest(&world), before);
    assert_eq!(
        dist.ls(&world, "dev/demo"),
        ["KEYS"],
        "no partial candidate"
    );

    std::fs::remove_file(&hook).unwrap();
    assert_ok(&xtask(
        &world,
        &repo,
        &["upload", "--yes", "1.0.0", "--rc", "1"],
    ));
    assert_eq!(dist.ls(&world, "dev/demo").len(), 2);
}

#[test]
fn promote_moves_the_voted_candidate_and_removes_the_others_in_one_commit() {
    let world = World::new();
    let (dist, repo, _rc1) = ready_to_upload(&world);
    world.git(&repo, &["tag", "1.0.0-rc2"]);
    let rc2 = package(&world, &repo, "2");
    assert_ok(&xtask(
        &world,
        &repo,
        &["upload", "--yes", "1.0.0", "--rc", "1"],
    ));
    assert_ok(&xtask(
        &world,
        &repo,
        &["upload", "--yes", "1.0.0", "--rc", "2"],
    ));
    let before = dist.youngest(&world);

    let dry = assert_ok(&xtask(
        &world,
        &repo,
        &[
            "--dry-run",
            "promote",
            "1.0.0",
            "--rc",
            "2",
            "--vote-counted-elsewhere",
            VOTE_URL,
        ],
    ));
    assert!(dry.contains("svnmucc") && dry.contains(" mv "), "{dry}");
    assert_eq!(dist.youngest(&world), before);

    let text = assert_ok(&xtask(
        &world,
        &repo,
        &[
            "promote",
            "1.0.0",
            "--rc",
            "2",
            "--vote-counted-elsewhere",
            VOTE_URL,
            "--yes",
        ],
    ));
    assert!(text.contains("released") && text.contains("RC1"), "{text}");
    assert_eq!(dist.youngest(&world), before + 1, "one commit");
    assert_eq!(
        dist.ls(&world, "dev/demo"),
        ["KEYS"],
        "no candidate of 1.0.0 left"
    );
    assert_eq!(dist.ls(&world, "release/demo/1.0.0").len(), 3);
    let voted = std::fs::read(rc2.join(TARBALL)).unwrap();
    assert!(dist.cat(&world, &format!("release/demo/1.0.0/{TARBALL}")) == voted);
    let changed = world.ok(world.command("svnlook").arg("changed").arg(&dist.repo));
    assert!(changed.contains("release/demo/1.0.0/"), "{changed}");
    let release_keys = dist.cat(&world, "release/demo/KEYS");
    assert!(
        release_keys == dist.cat(&world, "dev/demo/KEYS"),
        "the release KEYS now carries the signing key"
    );

    let again = assert_ok(&xtask(
        &world,
        &repo,
        &[
            "promote",
            "1.0.0",
            "--rc",
            "2",
            "--vote-counted-elsewhere",
            VOTE_URL,
            "--yes",
        ],
    ));
    assert!(again.contains("nothing to do"), "{again}");

    // A late candidate of a released version: refused by upload, and by promote when it
    // reached dev by hand; never overwriting the release. (Another commit, so its files differ
    // from the release's even when both are signed in the same second.)
    world.write(
        &repo,
        "src/late.lua",
        format!("{LUA_HEADER}return 'late'\n").as_bytes(),
    );
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-q", "-m", "A late change"]);
    world.git(&repo, &["tag", "1.0.0-rc3"]);
    package(&world, &repo, "3");
    let before = dist.youngest(&world);
    let refused = xtask(&world, &repo, &["upload", "--yes", "1.0.0", "--rc", "3"]);
    assert_fails_with(
        &refused,
        &["already released", "never changed", "new version"],
    );
    assert_eq!(dist.youngest(&world), before);
    dist.mkdirs(&world, &["dev/demo/1.0.0-rc3"]);
    let before = dist.youngest(&world);
    let refused = xtask(
        &world,
        &repo,
        &[
            "promote",
            "1.0.0",
            "--rc",
            "3",
            "--vote-counted-elsewhere",
            VOTE_URL,
            "--yes",
        ],
    );
    assert_fails_with(&refused, &["already exists", "never overwritten"]);
    assert_eq!(dist.youngest(&world), before);
}

#[test]
fn a_release_directory_named_by_release_dir_is_known_as_released() {
    let world = World::new();
    let (dist, repo, _rc1) = ready_to_upload(&world);
    // The project names its release directories its own way (Arrow's `arrow-rs-{version}`).
    let manifest = repo.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str("release-dir = \"demo-{version}\"\n");
    std::fs::write(&manifest, text).unwrap();
    world.git(&repo, &["commit", "-qam", "Release directories of our own"]);
    assert_ok(&xtask(
        &world,
        &repo,
        &["upload", "--yes", "1.0.0", "--rc", "1"],
    ));
    let promote = [
        "promote",
        "1.0.0",
        "--rc",
        "1",
        "--vote-counted-elsewhere",
        VOTE_URL,
        "--yes",
    ];
    assert_ok(&xtask(&world, &repo, &promote));
    assert_eq!(dist.ls(&world, "release/demo/demo-1.0.0").len(), 3);
    // The rerun finds the release under its own name (it looked for `1.0.0/` and, the
    // candidate gone from dev, refused: "there is no candidate").
    let again = assert_ok(&xtask(&world, &repo, &promote));
    assert!(again.contains("nothing to do"), "{again}");
}

#[test]
fn promote_refuses_a_release_its_users_could_not_verify() {
    let world = World::new();
    let (dist, repo, _out) = ready_to_upload(&world);
    assert_ok(&xtask(
        &world,
        &repo,
        &["upload", "--yes", "1.0.0", "--rc", "1"],
    ));
    // The release KEYS went its own way: promote leaves it alone, and it lacks the key.
    world.write(
        world.root.path(),
        "other-KEYS",
        b"Keys of the PMC, kept by hand.\n",
    );
    world.ok(world.command("svnmucc").args([
        "-m",
        "edit",
        "put",
        world.path("other-KEYS").to_str().unwrap(),
        &dist.file_url("release/demo/KEYS"),
    ]));
    let before = dist.youngest(&world);
    let refused = xtask(
        &world,
        &repo,
        &[
            "promote",
            "1.0.0",
            "--rc",
            "1",
            "--vote-counted-elsewhere",
            VOTE_URL,
            "--yes",
        ],
    );
    assert_fails_with(
        &refused,
        &[
            "left alone",
            "nothing was changed",
            "release/demo/KEYS",
            "not in the keyring",
        ],
    );
    assert_eq!(dist.youngest(&world), before);
    assert_eq!(dist.ls(&world, "dev/demo"), ["1.0.0-rc1/", "KEYS"]);
}

#[test]
fn prune_lists_what_leaves_dist_and_deletes_only_with_yes() {
    let world = World::new();
    let dist = Dist::new(&world, world.path("dist"));
    dist.mkdirs(
        &world,
        &[
            "release/demo/0.9.1",
            "release/demo/1.0.0",
            "dev/demo/0.9.1-rc1",
            "dev/demo/1.0.0-rc1",
            "dev/demo/1.1.0-rc1",
        ],
    );
    let repo = world.path("project");
    world.write(
        &repo,
        "Cargo.toml",
        format!(
            "[workspace.metadata.asf-release]\nname = \"demo\"\nsvn-dev-url = \"{0}/dev/demo\"\n\
             svn-release-url = \"{0}/release/demo\"\n",
            dist.url
        )
        .as_bytes(),
    );
    let before = dist.youngest(&world);

    // Without --yes and without a terminal it lists, changes nothing, and names the command.
    let refused = xtask(&world, &repo, &["prune"]);
    assert!(!refused.status.success());
    let listing = stdout(&refused) + &stderr(&refused);
    for expected in [
        "release/demo/0.9.0",
        "superseded by 0.9.1",
        "dev/demo/0.9.1-rc1",
        "dev/demo/1.0.0-rc1",
        "archive.apache.org",
        "no one can confirm it here (no terminal)",
        "prune --yes`",
    ] {
        assert!(listing.contains(expected), "{expected:?} in:\n{listing}");
    }
    assert!(
        !listing.contains("1.1.0-rc1"),
        "a candidate under vote stays: {listing}"
    );
    assert_eq!(dist.youngest(&world), before, "nothing without --yes");

    assert_ok(&xtask(&world, &repo, &["prune", "--yes"]));
    assert_eq!(dist.youngest(&world), before + 1, "one commit");
    assert_eq!(
        dist.ls(&world, "release/demo"),
        ["0.9.1/", "1.0.0/", "KEYS"]
    );
    assert_eq!(dist.ls(&world, "dev/demo"), ["1.1.0-rc1/", "KEYS"]);

    let again = assert_ok(&xtask(&world, &repo, &["prune", "--yes"]));
    assert!(again.contains("nothing to do"), "{again}");
    assert_eq!(dist.youngest(&world), before + 1);
}

/// With a terminal, a step others see asks first: anything but `y` changes nothing.
#[test]
fn with_a_terminal_an_outward_step_asks_first() {
    let world = World::new();
    let dist = Dist::new(&world, world.path("dist"));
    dist.mkdirs(&world, &["release/demo/0.9.1"]);
    let repo = world.path("project");
    world.write(
        &repo,
        "Cargo.toml",
        format!(
            "[workspace.metadata.asf-release]\nname = \"demo\"\nsvn-dev-url = \"{0}/dev/demo\"\n\
             svn-release-url = \"{0}/release/demo\"\n",
            dist.url
        )
        .as_bytes(),
    );
    // `script` gives the command a terminal and types the answer into it.
    let on_a_terminal = |answer: &str| {
        let command = format!(
            "'{}' --repo '{}' prune",
            env!("CARGO_BIN_EXE_xtask"),
            repo.display()
        );
        let mut child = world
            .command("script")
            .args(["-qec", &command, "/dev/null"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(answer.as_bytes()).unwrap();
        drop(stdin);
        child.wait_with_output().unwrap()
    };
    let before = dist.youngest(&world);
    let declined = on_a_terminal("n\n");
    let said = stdout(&declined) + &stderr(&declined);
    assert!(!declined.status.success(), "{said}");
    assert!(
        said.contains("make these changes, which others will see? [y/N]")
            && said.contains("not confirmed, nothing was changed")
            && said.contains("release/demo/0.9.0"),
        "{said}"
    );
    assert_eq!(dist.youngest(&world), before);
    let confirmed = on_a_terminal("y\n");
    let said = stdout(&confirmed) + &stderr(&confirmed);
    assert!(confirmed.status.success(), "{said}");
    assert!(said.contains("removed 1 entries in one commit"), "{said}");
    assert_eq!(dist.youngest(&world), before + 1);
}

#[test]
fn over_svnserve_a_release_manager_uploads_but_only_the_pmc_promotes() {
    let world = World::new();
    let (dist, _server) = served_dist(&world);
    let repo = project(&world, &dist);
    world.generate_key("Release Manager", "rm@apache.org");
    let rm = [("SVN_USERNAME", "rm"), ("SVN_PASSWORD", RM_PASSWORD)];

    let text = assert_ok(&xtask_env(
        &world,
        &repo,
        &["keys", "append", "--yes", "--non-interactive"],
        &rm,
    ));
    assert!(
        !text.contains(RM_PASSWORD),
        "the password never shows: {text}"
    );
    package(&world, &repo, "1");
    let text = assert_ok(&xtask_env(
        &world,
        &repo,
        &["upload", "--yes", "1.0.0", "--rc", "1"],
        &rm,
    ));
    assert!(!text.contains(RM_PASSWORD), "{text}");
    assert_eq!(dist.ls(&world, "dev/demo/1.0.0-rc1").len(), 3);

    let before = dist.youngest(&world);
    let denied = xtask_env(
        &world,
        &repo,
        &[
            "promote",
            "1.0.0",
            "--rc",
            "1",
            "--vote-counted-elsewhere",
            VOTE_URL,
            "--yes",
        ],
        &rm,
    );
    assert_fails_with(
        &denied,
        &["no permission", "ask a PMC member", "nothing was changed"],
    );
    assert!(!(stdout(&denied) + &stderr(&denied)).contains(RM_PASSWORD));
    assert_eq!(dist.youngest(&world), before);
    assert_eq!(dist.ls(&world, "dev/demo/1.0.0-rc1").len(), 3);
    assert_eq!(dist.ls(&world, "release/demo"), ["0.9.0/", "KEYS"]);

    let wrong = xtask_env(
        &world,
        &repo,
        &[
            "promote",
            "1.0.0",
            "--rc",
            "1",
            "--vote-counted-elsewhere",
            VOTE_URL,
            "--yes",
            "--username",
            "pmc",
        ],
        &[("SVN_PASSWORD", "wrong")],
    );
    assert_fails_with(&wrong, &["Password incorrect", "SVN_PASSWORD"]);
    assert!(
        !stderr(&wrong).contains("no permission"),
        "a wrong password is not a permission problem"
    );
    assert_eq!(dist.youngest(&world), before);

    let pmc = [("SVN_PASSWORD", PMC_PASSWORD)];
    assert_ok(&xtask_env(
        &world,
        &repo,
        &[
            "promote",
            "1.0.0",
            "--rc",
            "1",
            "--vote-counted-elsewhere",
            VOTE_URL,
            "--yes",
            "--username",
            "pmc",
        ],
        &pmc,
    ));
    assert_eq!(dist.youngest(&world), before + 1);
    assert_eq!(dist.ls(&world, "release/demo/1.0.0").len(), 3);
}
