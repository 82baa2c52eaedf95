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

//! Acceptance on real ASF repositories (issues 12 and 27): for each, `adopt` succeeds with
//! settings detected from the repository alone, `doctor` passes apart from the key, `package
//! --ref <tag> --no-sign` gives the right answer, the same tag twice gives the same bytes, and
//! `verify --rebuild` of a signed candidate passes. Where the repository holds its own release
//! process, that process makes the same tag's release too (its Makefile target or release
//! script run here, else its own assignments or Maven descriptor read), and the file list,
//! the artifact's name, the top directory and the candidate directory must be the same, or
//! each difference is named with the reason it is right. The repositories come from the
//! folder `ASF_REAL_REPOS` names (`<name>.git.tgz`, see its README); without it the test is
//! skipped. `ASF_REAL_REPOS_ONLY=iceberg-rust,commons-lang` runs only those.

mod common;
mod own_release;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use own_release::{Difference, Own, Release};

/// One repository: its archive name, the release to rebuild, and what `package` must say.
struct Case {
    name: &'static str,
    version: &'static str,
    tag: &'static str,
    /// `None`: it packages. `Some(files)`: it is refused, naming each of these files.
    refused_for: Option<&'static [&'static str]>,
    /// The candidate checked by `verify --rebuild`, and its tag under the detected
    /// rc-tag-pattern (made on the release's commit when the repository lacks it).
    rc: u32,
    rc_tag: &'static str,
    /// Build the adopted xtask with cargo and run `cargo xtask doctor`, as the adopter does
    /// (a cold build: one repository only, for CI time).
    with_cargo: bool,
    /// Lines the detected settings must hold (the evidence-based ones of issue 27).
    settings: &'static [&'static str],
    /// How the project makes its own release, to compare with.
    own: Own,
    /// Each way `package` differs from the project's own release, and why that is right.
    differences: &'static [Difference],
    /// The project pins a Rust toolchain this machine does not have (and cannot download):
    /// cargo runs with the installed stable one instead.
    pinned_toolchain: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "apisix",
        version: "3.18.0",
        tag: "3.18.0",
        refused_for: None,
        rc: 1,
        rc_tag: "3.18.0-rc1",
        with_cargo: true,
        settings: &[
            "main-branch = \"master\"",
            "branch-pattern = \"release/{major}.{minor}\"",
            "release/3.17 holds 3.17.0",
            "without their number (utils/gen-vote-contents.sh:40)",
        ],
        own: Own::Make {
            target: "compress-tar",
            archive: "apache-apisix-{version}-src.tgz",
            vote_script: Some((
                "utils/gen-vote-contents.sh",
                "release/apache-apisix-{version}-vote-contents.txt",
            )),
        },
        differences: &[
            Difference::Extra(
                ".licenserc.yaml",
                "the project's license-checker configuration goes along, so that a voter's \
                 `verify` honours the exclusions the release manager's `package` honoured",
            ),
            Difference::TopDir(
                "`make compress-tar` tars `./apisix ./bin ...` without a top directory; ASF \
                 source releases unpack into one directory, apache-apisix-3.18.0-src",
            ),
            Difference::CandidateDir(
                "the project's vote mail links dist/dev/apisix/3.18.0/, the same directory for \
                 every candidate; 3.18.0-rc1 keeps a second candidate from replacing the one \
                 under vote",
            ),
        ],
        pinned_toolchain: false,
    },
    Case {
        name: "apisix-dashboard",
        version: "3.0.1",
        tag: "v3.0.1",
        // The real 3.0.1 ships these two source files without any license header.
        refused_for: Some(&["api/internal/conf/conf_test.go", "web/copy-folder.mjs"]),
        rc: 1,
        rc_tag: "v3.0.1-rc1",
        with_cargo: false,
        // Its master was rewritten without the Makefile whose `release-src` made 3.0.1: the
        // work tree adopt reads names no release script, and adopt says so.
        settings: &["# artifact: no release script names the source archive"],
        own: Own::Nothing,
        differences: &[],
        pinned_toolchain: false,
    },
    Case {
        name: "opendal",
        version: "0.58.2",
        tag: "v0.58.2",
        refused_for: None,
        rc: 1,
        rc_tag: "v0.58.2-rc.1",
        with_cargo: false,
        // Its release is made by GitHub workflows and documents, not a script to run.
        settings: &[
            "the releases are tagged on the main branch (newest: v0.58.2)",
            "changelog = { heading = \"## [v{version}] - {date}\" }",
        ],
        own: Own::Nothing,
        differences: &[],
        pinned_toolchain: false,
    },
    Case {
        name: "arrow-rs",
        version: "59.2.0",
        tag: "59.2.0",
        refused_for: None,
        rc: 1,
        rc_tag: "59.2.0-rc1",
        with_cargo: false,
        // create-tarball.sh downloads Apache RAT and uploads with svn: not here.
        settings: &[
            "branch-pattern = \"{major}_maintenance\"",
            "artifact = \"apache-arrow-rs-{version}.tar.gz\"",
            "candidate-dir = \"apache-arrow-rs-{version}-rc{rc}\"",
            "release-dir = \"arrow-rs-{version}\"",
        ],
        own: Own::GitArchive {
            script: "dev/release/create-tarball.sh",
            prefix: "release",
            archive: "tarname",
            url: "url",
        },
        differences: &[],
        pinned_toolchain: false,
    },
    Case {
        name: "iceberg-rust",
        version: "0.10.1",
        tag: "v0.10.1",
        refused_for: None,
        rc: 1,
        rc_tag: "v0.10.1-rc.1",
        with_cargo: false,
        settings: &[
            "main-branch = \"main\"",
            "branch-pattern = \"{major}.{minor}.x\"",
            "artifact = \"apache-iceberg-rust-{version}.tar.gz\"",
            "candidate-dir = \"apache-iceberg-rust-{version}-rc{rc}\"",
            "release-dir = \"apache-iceberg-rust-{version}\"",
            "changelog = { heading = \"## [v{version}] - {date}\" }",
        ],
        own: Own::Script {
            script: "dev/release/create_rc.sh",
            // Its dependency check needs cargo-deny and the network, its header check Docker;
            // signing, tagging and uploading are the steps compared elsewhere.
            args: &[
                "{version}",
                "{rc}",
                "--release_ref",
                "{tag}",
                "--dist_dir",
                "{out}",
                "--check_deps",
                "0",
                "--check_headers",
                "0",
                "--sign",
                "0",
                "--create_rc_tag",
                "0",
                "--upload_svn",
                "0",
            ],
        },
        differences: &[],
        pinned_toolchain: true,
    },
    Case {
        name: "apisix-ingress-controller",
        version: "2.2.0",
        tag: "2.2.0",
        refused_for: None,
        rc: 1,
        rc_tag: "2.2.0-rc1",
        with_cargo: false,
        settings: &[
            "main-branch = \"master\"",
            "branch-pattern = \"v{major}.{minor}\"",
            "no release has the numbers of 1.8",
            "changelog = { heading = \"# {version}\" }",
            "excludes = [\".github\", \".idea\", \".gitignore\", \".DS_Store\", \"docs\", \"examples\", \"scripts\", \"test\", \"release\", \"/xtask/\", \"/.cargo/config.toml\"]",
        ],
        own: Own::Make {
            target: "release-src",
            archive: "release/apache-apisix-ingress-controller-{version}-src.tgz",
            vote_script: None,
        },
        differences: &[Difference::TopDir(
            "`make release-src` tars `.` without a top directory; ASF source releases unpack \
             into one directory, apache-apisix-ingress-controller-2.2.0-src",
        )],
        pinned_toolchain: false,
    },
    Case {
        name: "commons-lang",
        version: "3.20.0",
        tag: "rel/commons-lang-3.20.0",
        refused_for: None,
        // The candidate the project voted on.
        rc: 2,
        rc_tag: "commons-lang-3.20.0-RC2",
        with_cargo: false,
        settings: &[
            "main-branch = \"master\"",
            "tagged on the main branch (newest: rel/commons-lang-3.20.0)",
            "artifact = \"commons-lang3-{version}-src.tar.gz\"",
            "commons-lang3-{version}-src.zip",
            "dist-subdir = \"lang\"",
            "candidate-dir = \"{version}-RC{rc}\"",
            "changelog = { file = \"src/changes/changes.xml\", write = false }",
            "issue-tracker = \"jira\"",
            "jira-project = \"LANG\"",
        ],
        own: Own::Assembly {
            descriptor: "src/assembly/src.xml",
        },
        differences: &[],
        pinned_toolchain: false,
    },
];

fn source_repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn xtask(world: &World, case: &Case, args: &[&str]) -> Output {
    let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
    if case.pinned_toolchain {
        command.env("RUSTUP_TOOLCHAIN", "stable");
    }
    command.args(args).output().expect("xtask starts")
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
    // The release manager's key (`make release-src` signs, as the signed candidate does).
    world.generate_key("Release Manager", "rm@apache.org");
    let work = checkout(world, archives, case.name);
    let repo = work.to_str().unwrap();
    let source = source_repo();
    let library = source.join("asf-release");
    let adopted = xtask(
        world,
        case,
        &[
            "--repo",
            source.to_str().unwrap(),
            "adopt",
            repo,
            "--path",
            library.to_str().unwrap(),
        ],
    );
    if !adopted.status.success() {
        return vec![format!("adopt failed: {}", all_text(&adopted))];
    }

    // The settings, in .asf-release.toml or in Cargo.toml's section.
    let settings = ["Cargo.toml", ".asf-release.toml"]
        .iter()
        .filter_map(|file| std::fs::read_to_string(work.join(file)).ok())
        .collect::<Vec<_>>()
        .join("\n");
    for expected in case.settings {
        if !settings.contains(expected) {
            failures.push(format!("adopt did not detect `{expected}`:\n{settings}"));
        }
    }

    let doctor = xtask(world, case, &["--repo", repo, "doctor", "--offline"]);
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
    let first = xtask(world, case, &args);
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
    let (top_dir, files) = own_release::split_top(&own_release::entries(world, &tarball));
    // The project's own release of the same tag, made by its own process.
    let bare = world.path("bare").join(format!("{}.git", case.name));
    let own = own_release::make(world, &bare, &case.own, case.version, case.tag, case.rc);
    let again_out = world.path(&format!("again-{}", case.name));
    let mut again_args = args.to_vec();
    let again_arg = again_out.to_str().unwrap();
    *again_args.last_mut().unwrap() = again_arg;
    let again = xtask(world, case, &again_args);
    let again_bytes = std::fs::read(again_out.join(tarball.file_name().unwrap())).ok();
    if !again.status.success() || again_bytes.as_deref() != Some(&bytes[..]) {
        failures.push(format!(
            "the same tag twice gave other bytes: {}",
            all_text(&again)
        ));
    }

    // A signed candidate of the same commit, checked as a voter would, with a rebuild.
    let tagged = world.git(&work, &["tag", "--list", case.rc_tag]);
    if tagged.is_empty() {
        world.git(&work, &["tag", case.rc_tag, case.tag]);
        // A voter's rebuild fetches the tag from the remote: push it to the test's own copy.
        world.git(&work, &["push", "-q", "origin", case.rc_tag]);
    }
    let rc = case.rc.to_string();
    // Into out-dir, as a release manager runs it: the candidate directory's name is the one
    // the settings give it.
    let signed = xtask(
        world,
        case,
        &["--repo", repo, "package", case.version, "--rc", &rc],
    );
    if !signed.status.success() {
        failures.push(format!("signed package failed: {}", all_text(&signed)));
        return failures;
    }
    let out_dir = work.join("target/asf-release");
    let candidate = std::fs::read_dir(&out_dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("the candidate directory");
    let candidate_arg = candidate.to_str().unwrap();
    let ours = Release {
        artifact: tarball.file_name().unwrap().to_string_lossy().into_owned(),
        top_dir: top_dir.clone(),
        files: files.clone(),
        candidate_dir: Some(
            candidate
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned(),
        ),
    };
    if let Some(theirs) = &own {
        for problem in own_release::compare(&ours, theirs, case.differences) {
            failures.push(format!("against the project's own release: {problem}"));
        }
    }
    // The voter's KEYS, never one inside the candidate (verify refuses that).
    let keys = world.ok(world.command("gpg").args(["--armor", "--export"]));
    let keys_file = world.path("KEYS");
    std::fs::write(&keys_file, keys.as_bytes()).unwrap();
    let verified = xtask(
        world,
        case,
        &[
            "--repo",
            repo,
            "verify",
            case.version,
            "--rc",
            &rc,
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
    let only = std::env::var("ASF_REAL_REPOS_ONLY").unwrap_or_default();
    let chosen = |name: &str| only.is_empty() || only.split(',').any(|n| n == name);
    for case in CASES.iter().filter(|case| chosen(case.name)) {
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
