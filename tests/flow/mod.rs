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

use asf_release::config::Dist;
use asf_release::demo::{land_fix_on_master, write_vote_thread, Sandbox};
use camino::Utf8PathBuf;

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
        "records/1.0.0-rc1/vote.eml",
        "records/1.0.0-rc1/result.eml",
        "records/1.0.0/downloads-served",
        "records/1.0.0/announce.eml",
        "records/1.0.0/reporter-entered",
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

/// A sandbox whose release branches require reviewed pull requests, in the world's directory
/// `name` (GitHub enforces it once `prepare` protects the cut branch, see [`protect`]).
pub fn protected_sandbox_at(world: &World, name: &str, dist: Dist) -> Sandbox {
    let dir = Utf8PathBuf::from_path_buf(world.path(name)).unwrap();
    Sandbox::build_with(dir, dist, true).expect("the sandbox builds")
}

/// GitHub applies the protection `.asf.yaml` gives v1.0: pushes to it are refused.
pub fn protect(sandbox: &Sandbox) {
    let origin = sandbox.path("origin.git");
    sandbox
        .github
        .protect(origin.as_std_path(), "v1.0")
        .expect("the hook is written");
}

/// `git` in the sandbox's environment, in `dir`; its trimmed output.
pub fn git_in(sandbox: &Sandbox, dir: &camino::Utf8Path, args: &[&str]) -> String {
    let mut command = std::process::Command::new("git");
    command.arg("-C").arg(dir).args(args);
    for (key, value) in sandbox.env() {
        command.env(key, value);
    }
    // A reviewer's git: never a fault wrapper of the sweep, and not counted.
    command.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    let output = command.output().expect("git starts");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A reviewer merges every open pull request: a merge commit on its base branch in origin
/// (GitHub's "Create a merge commit"; GitHub's own merge is no push, so no hook refuses it).
/// Returns how many.
pub fn merge_open_pulls(sandbox: &Sandbox) -> usize {
    let origin = sandbox.path("origin.git");
    let pulls = sandbox.github.open_pulls();
    for pull in &pulls {
        let number = pull["number"].as_u64().unwrap();
        let head = pull["head"]["ref"].as_str().unwrap();
        let base = pull["base"]["ref"].as_str().unwrap();
        let tree = git_in(
            sandbox,
            &origin,
            &["merge-tree", "--write-tree", base, head],
        );
        let message = format!("Merge pull request #{number} from apache/{head}");
        let merge = git_in(
            sandbox,
            &origin,
            &["commit-tree", &tree, "-p", base, "-p", head, "-m", &message],
        );
        git_in(
            sandbox,
            &origin,
            &["update-ref", &format!("refs/heads/{base}"), &merge],
        );
        sandbox.github.merge_pull(number, &merge);
    }
    pulls.len()
}

/// `release 1.0 --yes` until it stops for the vote (or fails): each time it waits for the
/// review of its pull requests, a reviewer merges them first.
pub fn release_through_reviews(sandbox: &Sandbox) -> Output {
    through_reviews(sandbox, &["release", "1.0", "--yes"])
}

/// `args` (a `release` run) again and again while it waits for reviews, a reviewer merging
/// the open pull requests each time; the last run's output.
pub fn through_reviews(sandbox: &Sandbox, args: &[&str]) -> Output {
    let mut output = xtask(sandbox, args);
    for _ in 0..8 {
        let waits = output.status.code() == Some(2) && text(&output).contains("wait");
        if !waits || merge_open_pulls(sandbox) == 0 {
            break;
        }
        output = xtask(sandbox, args);
    }
    output
}
