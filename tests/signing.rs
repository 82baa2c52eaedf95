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

//! Signing in CI: every step that signs (the candidate tag, the source tarball and the
//! convenience binary of `package`, the release tag) with a passphrase-protected key, no
//! terminal and a freshly started gpg-agent. Without GPG_PASSPHRASE each refuses with an error
//! that names both ways to sign (the variable, or a key unlocked in gpg-agent) and leaves
//! nothing behind; with it each signs through gpg's loopback pinentry.

mod common;

use std::path::Path;
use std::process::{Output, Stdio};

use common::*;

const PASSPHRASE: &str = "ci-secret-passphrase-2718";

const BINARY: &str = r#"
[[workspace.metadata.asf-release.binaries]]
artifact = "apache-{name}-{version}-bin.tar.gz"
command = ["sh", "-c", "mkdir -p dist/bin && cp -r LICENSE NOTICE src dist/bin/ && tar -czf bin.tar.gz -C dist bin"]
path = "bin.tar.gz"
"#;

/// A passphrase-protected ed25519 signing key; returns its fingerprint.
fn protected_key(world: &World) -> String {
    world.ok(world.command("gpg").args([
        "--batch",
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        PASSPHRASE,
        "--quick-generate-key",
        "Release Manager <rm@apache.org>",
        "ed25519",
        "sign",
        "never",
    ]));
    let listing =
        world.ok(world
            .command("gpg")
            .args(["--batch", "--with-colons", "--list-secret-keys"]));
    listing
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .map(|l| l.trim_matches(':').to_string())
        .expect("fingerprint")
}

/// A step as CI runs it: no terminal, an agent that caches nothing, the passphrase (or not)
/// in the environment.
fn in_ci(world: &World, repo: &Path, args: &[&str], passphrase: Option<&str>) -> Output {
    world.ok(world.command("gpgconf").args(["--kill", "gpg-agent"]));
    let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
    command
        .arg("--repo")
        .arg(repo)
        .args(args)
        .stdin(Stdio::null());
    if let Some(passphrase) = passphrase {
        command.env("GPG_PASSPHRASE", passphrase);
    }
    command.output().expect("xtask starts")
}

/// Refused without the passphrase, naming both fixes and not echoing anything secret; then
/// done with it.
fn refused_then_signed(world: &World, repo: &Path, args: &[&str]) -> Output {
    let refused = in_ci(world, repo, args, None);
    assert_fails_with(
        &refused,
        &[
            "signing failed",
            "GPG_PASSPHRASE",
            "gpg-agent",
            "--clearsign",
        ],
    );
    let signed = in_ci(world, repo, args, Some(PASSPHRASE));
    assert!(
        signed.status.success(),
        "{args:?}: {}{}",
        stdout(&signed),
        stderr(&signed)
    );
    let printed = stdout(&signed) + &stderr(&signed);
    assert!(!printed.contains(PASSPHRASE), "{printed}");
    signed
}

#[test]
fn every_signing_step_signs_in_ci_and_says_how_without_the_passphrase() {
    let world = World::new();
    let fingerprint = protected_key(&world);
    let repo = world.fixture_repo("repo");
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    world.write(&repo, "Cargo.toml", (manifest + BINARY).as_bytes());
    world.git(&repo, &["commit", "-qam", "Release a binary too"]);
    let origin = world.path("origin.git");
    world.ok(world
        .command("git")
        .arg("init")
        .arg("-q")
        .arg("--bare")
        .arg(&origin));
    world.git(
        &repo,
        &["remote", "add", "origin", origin.to_str().unwrap()],
    );
    world.git(&repo, &["push", "-q", "origin", "master"]);
    let tags = |place: &Path| world.git(place, &["tag", "--list"]);

    // The candidate tag: nothing is tagged or pushed without the passphrase.
    let candidate = ["tag", "1.0.0", "--rc", "1", "--yes"];
    let refused = in_ci(&world, &repo, &candidate, None);
    assert_fails_with(&refused, &["signing failed", "GPG_PASSPHRASE", "gpg-agent"]);
    assert_eq!(tags(&repo), "", "a tag was left behind");
    assert_eq!(tags(&origin), "", "a tag was pushed");
    refused_then_signed(&world, &repo, &candidate);
    let verified = world
        .command("git")
        .arg("-C")
        .arg(&repo)
        .args(["verify-tag", "--raw", "1.0.0-rc1"])
        .output()
        .unwrap();
    assert!(
        stderr(&verified).contains("VALIDSIG") && stderr(&verified).contains(&fingerprint),
        "{}",
        stderr(&verified)
    );
    assert_eq!(tags(&origin), "1.0.0-rc1");

    // The source tarball and the convenience binary: no file is left without the passphrase.
    let out = world.path("out");
    let package = package_args(&repo, &out)[2..].to_vec();
    let refused = in_ci(&world, &repo, &package, None);
    assert_fails_with(&refused, &["signing failed", "GPG_PASSPHRASE", "gpg-agent"]);
    assert!(
        !list_files(&out).iter().any(|f| f.ends_with(".asc")),
        "{:?}",
        list_files(&out)
    );
    refused_then_signed(&world, &repo, &package);
    for file in ["apache-demo-1.0.0-src.tgz", "apache-demo-1.0.0-bin.tar.gz"] {
        world.ok(world
            .command("gpg")
            .args(["--batch", "--verify", &format!("{file}.asc"), file])
            .current_dir(&out));
    }

    // The release tag, after the vote.
    refused_then_signed(&world, &repo, &["tag", "1.0.0", "--yes"]);
    assert_eq!(tags(&origin), "1.0.0\n1.0.0-rc1");
}
