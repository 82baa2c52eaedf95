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

//! `verify --build` and the load check on the unpacked candidate: the configured commands run
//! in a fresh unpacked copy with a clean environment, pass, fail or time out, and each result
//! reaches the checklist, the JSON and the vote text; a Rust workspace whose member the
//! release left out (`export-ignore`) fails in `verify` and stops `package` before signing.

mod candidate;
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use candidate::*;
use common::*;

/// Adds `build-commands` to the repository's settings (working tree only).
fn configure(setup: &Setup, commands: &str) {
    let manifest = std::fs::read_to_string(setup.repo.join("Cargo.toml")).unwrap();
    std::fs::write(
        setup.repo.join("Cargo.toml"),
        format!("{manifest}build-commands = [{commands}]\n"),
    )
    .unwrap();
}

fn verify_build(setup: &Setup, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "--repo",
        setup.repo.to_str().unwrap(),
        "verify",
        "1.0.0",
        "--rc",
        "1",
        "--from",
        setup.candidate.to_str().unwrap(),
        "--keys",
        setup.keys.to_str().unwrap(),
        "--build",
    ];
    args.extend(extra);
    setup
        .world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .env("GITHUB_TOKEN", "ghp_not_for_builds")
        .env("SVN_PASSWORD", "not-for-builds")
        .args(&args)
        .output()
        .unwrap()
}

fn log(setup: &Setup) -> String {
    std::fs::read_to_string(
        setup
            .repo
            .join("target/asf-release/records/1.0.0-rc1/verify-build.log"),
    )
    .unwrap_or_default()
}

#[test]
fn build_commands_run_in_the_unpacked_candidate_with_a_clean_environment() {
    let setup = setup();
    configure(
        &setup,
        r#"{ run = ["sh", "-c", "test -f LICENSE && test -x bin/run.sh && echo built from $(basename $(pwd))"] },
           { run = ["sh", "-c", "env; touch made-by-the-build"], timeout = "1m" }"#,
    );
    let output = verify_build(&setup, &[]);
    assert_passes(&output);
    let text = stdout(&output);
    assert!(
        text.contains("✓ build            build: `sh -c test -f LICENSE"),
        "{text}"
    );
    assert!(text.contains("passed in "), "{text}");
    assert!(
        text.contains("built and tested (`sh -c env; touch made-by-the-build` passed in"),
        "{text}"
    );
    assert!(!text.contains("the build was not checked"), "{text}");
    let log = log(&setup);
    assert!(log.contains(&format!("built from {TOP}")), "{log}");
    // No secret reaches the build; the tool's own variables neither.
    assert!(log.contains("PATH="), "{log}");
    for secret in ["ghp_not_for_builds", "not-for-builds", "GNUPGHOME"] {
        assert!(
            !log.contains(secret),
            "{secret} in the build's environment:\n{log}"
        );
    }
    // The build wrote in the unpacked copy only, which is gone with the run's scratch space.
    for dir in [
        &setup.repo,
        &setup.candidate,
        &setup.world.root.path().to_path_buf(),
    ] {
        assert!(!dir.join("made-by-the-build").exists());
    }

    let json = verify_build(&setup, &["--json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let builds: Vec<&serde_json::Value> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == "build")
        .collect();
    assert_eq!(builds.len(), 2, "{report}");
    assert!(builds.iter().all(|c| c["status"] == "passed"), "{report}");
    assert!(
        report["vote"]
            .as_str()
            .unwrap()
            .contains("built and tested"),
        "{report}"
    );
}

#[test]
fn a_failing_build_fails_the_verdict_and_skips_the_commands_after_it() {
    let setup = setup();
    configure(
        &setup,
        r#"{ run = ["sh", "-c", "echo the tests are broken >&2; exit 3"] },
           { run = ["sh", "-c", "echo never"] }"#,
    );
    let output = verify_build(&setup, &[]);
    assert!(!output.status.success());
    let text = stdout(&output);
    assert!(text.contains("✗ build"), "{text}");
    assert!(text.contains("failed (exit code 3) after"), "{text}");
    assert!(
        text.contains("- build            build: `sh -c echo never`"),
        "{text}"
    );
    assert!(
        text.contains("not run: an earlier build command failed"),
        "{text}"
    );
    assert!(
        text.contains("-1 (non-binding): `cargo xtask verify` failed these checks: build"),
        "{text}"
    );
    let log = log(&setup);
    assert!(
        log.contains("the tests are broken") && !log.contains("never\n"),
        "{log}"
    );
}

#[test]
fn a_build_that_runs_too_long_is_stopped_with_everything_it_started() {
    let setup = setup();
    // A child in the background that would leave a mark after the limit.
    let mark = setup.world.path("left-running");
    configure(
        &setup,
        &format!(
            r#"{{ run = ["sh", "-c", "(sleep 4; touch {}) & sleep 60; echo woke"], timeout = "2s" }}"#,
            mark.display()
        ),
    );
    let started = Instant::now();
    let output = verify_build(&setup, &[]);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert!(!output.status.success());
    let text = stdout(&output);
    assert!(text.contains("timed out after"), "{text}");
    assert!(text.contains("(limit 2s)"), "{text}");
    assert!(!log(&setup).lines().any(|line| line == "woke"));
    std::thread::sleep(Duration::from_secs(4));
    assert!(!mark.exists(), "a process of the build outlived its limit");
}

#[test]
fn without_build_the_report_says_the_build_was_not_checked() {
    let setup = setup();
    configure(&setup, r#"{ run = ["sh", "-c", "exit 1"] }"#);
    let output = setup.verify_from(&setup.candidate, &[]);
    assert_passes(&output);
    let text = stdout(&output);
    assert!(text.contains("· build"), "{text}");
    assert!(text.contains("; the build was not checked\n"), "{text}");
    assert!(log(&setup).is_empty(), "nothing ran");
}

const TOML_HEADER: &str = "# Licensed to the Apache Software Foundation (ASF) under one or more\n\
# contributor license agreements. Licensed under the Apache License, Version 2.0.\n";

/// A workspace of two crates whose `cli` member is export-ignored.
fn workspace_with_a_dropped_member(world: &World, repo: &Path) {
    workspace_without_cli(world, repo, "[\"core\", \"cli\"]", "");
}

/// A workspace whose `core` depends on `cli` by path, `cli` export-ignored.
fn workspace_with_a_dropped_path_dependency(world: &World, repo: &Path) {
    let dependency = "\n[dependencies]\ndemo-cli = { path = \"../cli\" }\n";
    workspace_without_cli(world, repo, "[\"core\"]", dependency);
}

fn workspace_without_cli(world: &World, repo: &Path, members: &str, core_extra: &str) {
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    let settings = manifest.replace("[workspace.metadata.asf-release]\n", "");
    world.write(
        repo,
        "Cargo.toml",
        format!(
            "{TOML_HEADER}[workspace]\nmembers = {members}\nresolver = \"2\"\n\n\
             [workspace.metadata.asf-release]\n{settings}"
        )
        .as_bytes(),
    );
    for member in ["core", "cli"] {
        let extra = if member == "core" { core_extra } else { "" };
        world.write(
            repo,
            &format!("{member}/Cargo.toml"),
            format!("{TOML_HEADER}[package]\nname = \"demo-{member}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n{extra}").as_bytes(),
        );
        world.write(
            repo,
            &format!("{member}/src/lib.rs"),
            format!("// Licensed to the Apache Software Foundation (ASF) under one or more\n// contributor license agreements. Licensed under the Apache License, Version 2.0.\n\npub fn {member}() {{}}\n").as_bytes(),
        );
    }
    world.write(
        repo,
        ".gitattributes",
        b"/ci export-ignore\n/cli export-ignore\n",
    );
    world.git(repo, &["add", "-A"]);
    world.git(
        repo,
        &["commit", "-qm", "A workspace whose cli is not released"],
    );
    world.git(repo, &["tag", "-f", "1.0.0-rc1"]);
}

#[test]
fn package_refuses_before_signing_a_workspace_whose_member_was_left_out() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    workspace_with_a_dropped_member(&world, &repo);
    let out = world.path("out");
    let output = world.xtask(&package_args(&repo, &out));
    assert_fails_with(
        &output,
        &[
            // Read from the commit before packaging, all manifests through one git process.
            "Cargo.toml names cli as",
            "does not load as a Rust workspace",
            "export-ignore",
            "nothing was signed",
            "cli",
        ],
    );
    assert!(list_files(&out).is_empty(), "{:?}", list_files(&out));

    // Kept in the release, it loads and is packaged.
    world.write(&repo, ".gitattributes", b"/ci export-ignore\n");
    world.git(&repo, &["commit", "-qam", "Release the cli too"]);
    world.git(&repo, &["tag", "-f", "1.0.0-rc1"]);
    let output = world.xtask(&package_args(&repo, &out));
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn package_refuses_a_workspace_whose_path_dependency_was_left_out() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    workspace_with_a_dropped_path_dependency(&world, &repo);
    let out = world.path("out");
    let output = world.xtask(&package_args(&repo, &out));
    assert_fails_with(
        &output,
        &[
            "does not load as a Rust workspace",
            "nothing was signed",
            "failed to load manifest for dependency `demo-cli`",
        ],
    );
    assert!(list_files(&out).is_empty(), "{:?}", list_files(&out));
}

#[test]
fn verify_catches_a_workspace_member_left_out_of_the_candidate() {
    let setup = setup();
    // The good candidate, its top Cargo.toml turned into a workspace naming a `cli` member the
    // tarball does not hold (as an export-ignore would leave it), signed again.
    let dir = setup.copy("dropped");
    let mut items = items_of(&setup.tarball());
    let top = format!("{TOP}/Cargo.toml");
    for item in items.iter_mut().filter(|i| i.path == top.as_bytes()) {
        let text = String::from_utf8(item.data.clone()).unwrap();
        item.data = format!("{TOML_HEADER}[workspace]\nmembers = [\"cli\"]\n\n{text}").into_bytes();
        item.header.set_size(item.data.len() as u64);
    }
    std::fs::write(dir.join(TARBALL), tarball_of(&items)).unwrap();
    setup.sign_and_hash(&dir);
    let output = setup.verify_from(&dir, &[]);
    assert!(!output.status.success());
    let text = stdout(&output);
    assert!(text.contains("✗ manifests"), "{text}");
    assert!(
        text.contains("a member or a path dependency is missing"),
        "{text}"
    );
    assert!(text.contains("failed these checks: manifests"), "{text}");
}
