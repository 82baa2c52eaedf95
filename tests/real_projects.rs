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

//! Acceptance on real ASF repositories (issue 12): for each, `adopt` succeeds with settings
//! detected from the repository alone, `doctor` passes apart from the key, `package --ref
//! <tag> --no-sign` gives the right answer, the same tag twice gives the same bytes, and
//! `verify --rebuild` of a signed candidate passes. The repositories come from the folder
//! `ASF_REAL_REPOS` names (`<name>.git.tgz`, see its README); without it the test is skipped.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

/// One repository: its archive name, the release to rebuild, and what `package` must say.
struct Case {
    name: &'static str,
    version: &'static str,
    tag: &'static str,
    /// `None`: it packages. `Some(files)`: it is refused, naming each of these files.
    refused_for: Option<&'static [&'static str]>,
    /// Candidate 1 under the detected rc-tag-pattern.
    rc_tag: &'static str,
    /// Build the adopted xtask with cargo and run `cargo xtask doctor`, as the adopter does
    /// (a cold build: one repository only, for CI time).
    with_cargo: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "apisix",
        version: "3.18.0",
        tag: "3.18.0",
        refused_for: None,
        rc_tag: "3.18.0-rc1",
        with_cargo: true,
    },
    Case {
        name: "apisix-dashboard",
        version: "3.0.1",
        tag: "v3.0.1",
        // The real 3.0.1 ships these two source files without any license header.
        refused_for: Some(&["api/internal/conf/conf_test.go", "web/copy-folder.mjs"]),
        rc_tag: "v3.0.1-rc1",
        with_cargo: false,
    },
    Case {
        name: "opendal",
        version: "0.58.2",
        tag: "v0.58.2",
        refused_for: None,
        rc_tag: "v0.58.2-rc.1",
        with_cargo: false,
    },
    Case {
        name: "arrow-rs",
        version: "59.2.0",
        tag: "59.2.0",
        refused_for: None,
        rc_tag: "59.2.0-rc1",
        with_cargo: false,
    },
];

fn source_repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn xtask(world: &World, args: &[&str]) -> Output {
    world.xtask(args)
}

fn all_text(output: &Output) -> String {
    stdout(output) + &stderr(output)
}

/// Unpacks `<name>.git.tgz` and clones it, as a new user's checkout.
fn checkout(world: &World, archives: &Path, name: &str) -> PathBuf {
    let bare = world.path("bare");
    std::fs::create_dir_all(&bare).unwrap();
    world.ok(world
        .command("tar")
        .arg("-xzf")
        .arg(archives.join(format!("{name}.git.tgz")))
        .arg("-C")
        .arg(&bare));
    let work = world.path(name);
    world.ok(world
        .command("git")
        .args(["clone", "-q"])
        .arg(bare.join(format!("{name}.git")))
        .arg(&work));
    work
}

/// `cargo xtask doctor` in the adopted checkout: the alias, the manifest, the lock file and
/// the repository found at run time, offline, in a target directory of the test's own.
fn cargo_xtask_doctor(world: &World, work: &Path) -> Option<String> {
    let home = std::env::var("HOME").unwrap_or_default();
    let cargo_home = std::env::var("CARGO_HOME").unwrap_or(format!("{home}/.cargo"));
    let rustup_home = std::env::var("RUSTUP_HOME").unwrap_or(format!("{home}/.rustup"));
    let output = world
        .command("cargo")
        .args(["xtask", "doctor", "--offline"])
        .current_dir(work)
        .env("CARGO_HOME", cargo_home)
        .env("RUSTUP_HOME", rustup_home)
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_TARGET_DIR", world.path("cargo-target"))
        .output()
        .expect("cargo starts");
    let text = all_text(&output);
    let expected = format!("repository: {}", work.canonicalize().unwrap().display());
    if text.contains(&expected) && text.contains("✓ configuration of") {
        None
    } else {
        Some(format!("cargo xtask doctor: {text}"))
    }
}

/// The failures this case shows; empty when everything holds.
fn run_case(world: &World, archives: &Path, case: &Case) -> Vec<String> {
    let mut failures = Vec::new();
    let work = checkout(world, archives, case.name);
    let repo = work.to_str().unwrap();
    let source = source_repo();
    let adopted = xtask(world, &["--repo", source.to_str().unwrap(), "adopt", repo]);
    if !adopted.status.success() {
        return vec![format!("adopt failed: {}", all_text(&adopted))];
    }

    let doctor = xtask(world, &["--repo", repo, "doctor", "--offline"]);
    let text = all_text(&doctor);
    let other_problems: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with('✗') && !l.contains("signing key"))
        .collect();
    if !other_problems.is_empty() || !text.contains("✓ configuration of") {
        failures.push(format!("doctor: {text}"));
    }

    if case.with_cargo {
        if let Some(problem) = cargo_xtask_doctor(world, &work) {
            failures.push(problem);
        }
    }

    let out = world.path(&format!("out-{}", case.name));
    let out_arg = out.to_str().unwrap();
    let args = [
        "--repo",
        repo,
        "package",
        case.version,
        "--ref",
        case.tag,
        "--no-sign",
        "--out",
        out_arg,
    ];
    let first = xtask(world, &args);
    let text = all_text(&first);
    match case.refused_for {
        Some(files) => {
            if first.status.success() {
                failures.push(format!("package passed although {files:?} have no header"));
            }
            let findings: Vec<&str> = text
                .lines()
                .filter(|l| l.contains("[license-headers]"))
                .collect();
            for file in files {
                if !findings.iter().any(|l| l.contains(file)) {
                    failures.push(format!("package did not name {file}: {text}"));
                }
            }
            let others: Vec<&&str> = findings
                .iter()
                .filter(|l| !files.iter().any(|f| l.contains(f)))
                .collect();
            if !others.is_empty() {
                failures.push(format!(
                    "package named {} file(s) that do carry a license (first: {})",
                    others.len(),
                    others[0]
                ));
            }
            return failures;
        }
        None if !first.status.success() => {
            failures.push(format!("package failed: {text}"));
            return failures;
        }
        None => {}
    }
    let tarball = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "tgz" || x == "gz"))
        .expect("the tarball");
    let bytes = std::fs::read(&tarball).unwrap();
    let again_out = world.path(&format!("again-{}", case.name));
    let mut again_args = args.to_vec();
    let again_arg = again_out.to_str().unwrap();
    *again_args.last_mut().unwrap() = again_arg;
    let again = xtask(world, &again_args);
    let again_bytes = std::fs::read(again_out.join(tarball.file_name().unwrap())).ok();
    if !again.status.success() || again_bytes.as_deref() != Some(&bytes[..]) {
        failures.push(format!(
            "the same tag twice gave other bytes: {}",
            all_text(&again)
        ));
    }

    // A signed candidate of the same commit, checked as a voter would, with a rebuild.
    world.generate_key("Release Manager", "rm@apache.org");
    // RC1 of the detected rc-tag-pattern, on the release's commit (arrow-rs has it already).
    if case.rc_tag != "59.2.0-rc1" {
        world.git(&work, &["tag", case.rc_tag, case.tag]);
        // A voter's rebuild fetches the tag from the remote: push it to the test's own copy.
        world.git(&work, &["push", "-q", "origin", case.rc_tag]);
    }
    let candidate = world.path(&format!("rc-{}", case.name));
    let candidate_arg = candidate.to_str().unwrap();
    let signed = xtask(
        world,
        &[
            "--repo",
            repo,
            "package",
            case.version,
            "--rc",
            "1",
            "--out",
            candidate_arg,
        ],
    );
    if !signed.status.success() {
        failures.push(format!("signed package failed: {}", all_text(&signed)));
        return failures;
    }
    // The voter's KEYS, never one inside the candidate (verify refuses that).
    let keys = world.ok(world.command("gpg").args(["--armor", "--export"]));
    let keys_file = world.path("KEYS");
    std::fs::write(&keys_file, keys.as_bytes()).unwrap();
    let verified = xtask(
        world,
        &[
            "--repo",
            repo,
            "verify",
            case.version,
            "--rc",
            "1",
            "--from",
            candidate_arg,
            "--keys",
            keys_file.to_str().unwrap(),
            "--rebuild",
        ],
    );
    if !verified.status.success() {
        failures.push(format!("verify --rebuild failed: {}", all_text(&verified)));
    }
    failures
}

#[test]
fn real_asf_repositories_adopt_and_package() {
    let Some(archives) = std::env::var_os("ASF_REAL_REPOS") else {
        println!("skipped: ASF_REAL_REPOS not set");
        return;
    };
    let archives = PathBuf::from(archives);
    let mut report = Vec::new();
    for case in CASES {
        let world = World::new();
        let started = std::time::Instant::now();
        let failures = run_case(&world, &archives, case);
        println!(
            "{} {}: {} ({:.1} s)",
            case.name,
            case.tag,
            if failures.is_empty() { "ok" } else { "FAILED" },
            started.elapsed().as_secs_f64()
        );
        for failure in &failures {
            let short: String = failure.chars().take(600).collect();
            report.push(format!("{}: {short}", case.name));
        }
    }
    assert!(report.is_empty(), "\n{}", report.join("\n"));
}
