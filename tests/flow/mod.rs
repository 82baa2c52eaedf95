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

//! The release flow in the sandbox world of `cargo xtask demo`, as the end-to-end tests drive
//! it: the sandbox, the real binary run in it, the phases, and the final state a release leaves
//! for others.

#![allow(dead_code)]

pub mod sweep;

use std::process::Output;

use camino::Utf8PathBuf;
use xtask::config::Dist;
use xtask::demo::{land_fix_on_master, write_vote_thread, Sandbox};

use super::common::*;

pub fn sandbox(world: &World) -> Sandbox {
    sandbox_at(world, "sandbox", Dist::Svn)
}

/// A sandbox releasing through `dist`, in the world's directory `name`.
pub fn sandbox_at(world: &World, name: &str, dist: Dist) -> Sandbox {
    let dir = Utf8PathBuf::from_path_buf(world.path(name)).unwrap();
    Sandbox::build_for(dir, dist).expect("the sandbox builds")
}

/// Runs the real binary in the sandbox's environment.
pub fn xtask(sandbox: &Sandbox, args: &[&str]) -> Output {
    in_sandbox(sandbox, args, &[])
}

pub fn text(output: &Output) -> String {
    stdout(output) + &stderr(output)
}

pub fn expect_code(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "{}", text(output));
}

/// Everything the release leaves for others, without what differs from run to run (commit
/// ids, signature bytes): tags and branches of origin, the commits of the release branch,
/// CHANGELOG sections, the dist tree, KEYS entries, checksums, the website branch, the mails.
pub fn final_state(sandbox: &Sandbox, world: &World) -> String {
    let origin = sandbox.path("origin.git");
    let git = |args: &[&str]| world.git(origin.as_std_path(), args);
    let mut state = String::new();
    state.push_str(&git(&["for-each-ref", "--format=%(refname)"]));
    state.push_str("\nv1.0 commits:\n");
    let lenient = |args: &[&str]| {
        let output = world
            .command("git")
            .arg("-C")
            .arg(&origin)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    state.push_str(&lenient(&["log", "--format=%s", "v1.0"]));
    let changelog = lenient(&["show", "v1.0:CHANGELOG.md"]);
    state.push_str(&format!(
        "\n## 1.0.0 sections: {}\n",
        changelog.matches("\n## 1.0.0").count()
    ));
    let svn = |args: &[&str]| world.ok(world.command("svn").args(args));
    state.push_str(&svn(&["ls", "-R", &sandbox.dist]));
    for area in ["dev", "release"] {
        let keys = svn(&["cat", &format!("{}/{area}/demo/KEYS", sandbox.dist)]);
        state.push_str(&format!(
            "{area} KEYS keys: {}\n",
            keys.matches("BEGIN PGP PUBLIC KEY BLOCK").count()
        ));
    }
    let released = format!(
        "{}/release/demo/1.0.0/apache-demo-1.0.0-src.tgz",
        sandbox.dist
    );
    if let Ok(output) = world.command("svn").args(["cat", &released]).output() {
        if output.status.success() {
            let checksum = svn(&["cat", &format!("{released}.sha512")]);
            let actual = sha512_hex(&output.stdout);
            state.push_str(&format!(
                "released checksum valid: {}\n",
                checksum.starts_with(&actual)
            ));
        }
    }
    let releases = sandbox.github.releases();
    let tags: Vec<&str> = releases
        .iter()
        .filter_map(|r| r["tag_name"].as_str())
        .collect();
    state.push_str(&format!("GitHub releases: {tags:?}\n"));
    let website = sandbox.website.as_std_path();
    state.push_str(&world.git(website, &["for-each-ref", "--format=%(refname) %(subject)"]));
    let out = sandbox.project().join("target/asf-release");
    for mail in [
        "1.0.0-rc1/vote.eml",
        "1.0.0-rc1/result.eml",
        "1.0.0/downloads-served",
        "1.0.0/announce.eml",
        "1.0.0/reporter-entered",
    ] {
        state.push_str(&format!("\n{mail}: {}", out.join(mail).exists()));
    }
    state
}

pub fn sha512_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha512};
    Sha512::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Phase 1 (planning, branch), a fix landing on master, then phase 2 up to the vote.
pub fn up_to_the_vote(sandbox: &Sandbox) {
    expect_code(
        &xtask(sandbox, &["release", "1.0", "--yes", "--until", "branch"]),
        0,
    );
    land_fix_on_master(sandbox, 4).unwrap();
    let output = xtask(sandbox, &["release", "1.0", "--yes"]);
    expect_code(&output, 2);
    assert!(
        text(&output).contains("stopped before tally"),
        "{}",
        text(&output)
    );
}

/// The vote passed: the flow runs to the board report data, which a person confirms, and a
/// rerun ends the release.
pub fn finish(sandbox: &Sandbox, rc: u32) -> Output {
    let (mbox, roster) = write_vote_thread(sandbox, "1.0.0", rc, true).unwrap();
    if let Some(atr) = &sandbox.atr {
        // ATR tabulates the thread from the list archive, once the 72 hours are over.
        let fed = atr
            .release("1.0.0")
            .is_some_and(|release| release.thread.is_some());
        if !fed {
            atr.vote_period_over("1.0.0", &mbox).unwrap();
        }
    }
    let release = [
        "release",
        "1.0",
        "1.0.0",
        "--yes",
        "--mbox",
        mbox.as_str(),
        "--roster",
        roster.as_str(),
        "--website",
        sandbox.website.as_str(),
    ];
    let output = xtask(sandbox, &release);
    if output.status.code() != Some(2) || !text(&output).contains("stopped before report") {
        return output;
    }
    assert!(
        text(&output).contains("https://reporter.apache.org/addrelease.html?demo"),
        "{}",
        text(&output)
    );
    let confirmed = xtask(sandbox, &["report", "1.0.0", "--done"]);
    if !confirmed.status.success() {
        return confirmed;
    }
    xtask(sandbox, &release)
}

/// The world at the start of the candidate phase: the branch cut, a fix to backport on master.
pub fn at_the_candidate_phase(world: &World) -> Sandbox {
    let sandbox = sandbox(world);
    expect_code(
        &xtask(&sandbox, &["release", "1.0", "--yes", "--until", "branch"]),
        0,
    );
    land_fix_on_master(&sandbox, 4).unwrap();
    sandbox
}

/// Puts the fault wrappers in front of the sandbox's tools, the call numbered `at` failing
/// (0: none), counting from zero.
pub fn inject(sandbox: &mut Sandbox, faults: &Faults, at: usize) {
    faults.reset();
    let path = format!(
        "{}:{}",
        faults.bin.display(),
        std::env::var("PATH").unwrap()
    );
    sandbox.set_var("PATH", &path);
    sandbox.set_var("FAULT_COUNTER", faults.counter.to_str().unwrap());
    sandbox.set_var("FAULT_AT", &at.to_string());
}
