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

//! Faults at every external call, and kills mid-step: rerunning the same command must reach
//! the same final state as a clean run, with nothing half-made left behind.

mod common;

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::time::Duration;

use common::*;

const TARBALL: &str = "apache-demo-1.0.0-src.tgz";

/// The final state of an output directory: file names, tarball bytes, and valid checks.
fn final_state(world: &World, out: &Path) -> (Vec<String>, Vec<u8>) {
    world.ok(world
        .command("sha512sum")
        .args(["-c", &format!("{TARBALL}.sha512")])
        .current_dir(out));
    world.ok(world
        .command("gpg")
        .args(["--batch", "--verify", &format!("{TARBALL}.asc"), TARBALL])
        .current_dir(out));
    (list_files(out), std::fs::read(out.join(TARBALL)).unwrap())
}

#[test]
fn package_converges_after_a_fault_at_every_external_call() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let clean = world.path("clean");
    let output = world.xtask(&package_args(&repo, &clean));
    assert!(output.status.success(), "{}", stderr(&output));
    let expected = final_state(&world, &clean);

    let faults = Faults::new(&world, &["git", "gpg"]);
    let mut tried = 0;
    let mut converged = 0;
    for at in 1.. {
        let out = world.path(&format!("out{at}"));
        let (faulty, calls) = faults.run(&world, at, &package_args(&repo, &out));
        if calls < at {
            assert!(faulty.status.success(), "{}", stderr(&faulty));
            break;
        }
        tried += 1;
        // Whatever the fault did, no final file may exist without the ones it vouches for.
        if out.join(TARBALL).exists() {
            final_state(&world, &out);
        }
        let (rerun, _) = faults.run(&world, 0, &package_args(&repo, &out));
        assert!(
            rerun.status.success(),
            "rerun after fault {at}: {}",
            stderr(&rerun)
        );
        assert_eq!(final_state(&world, &out), expected, "fault at call {at}");
        converged += 1;
    }
    assert!(
        tried >= 8,
        "package makes at least 8 external calls, saw {tried}"
    );
    println!("{tried} injection points tried, {converged} converged");
}

#[test]
fn package_converges_after_being_killed_at_any_moment() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    // Enough content that packaging takes a while.
    for index in 0..200 {
        let body = format!("{LUA_HEADER}{}\n", format!("print({index})\n").repeat(2000));
        world.write(&repo, &format!("src/gen/file{index}.lua"), body.as_bytes());
    }
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-q", "-m", "More files"]);
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let clean = world.path("clean");
    assert!(world.xtask(&package_args(&repo, &clean)).status.success());
    let expected = final_state(&world, &clean);

    let mut tried = 0;
    for delay_ms in [1, 5, 10, 20, 40, 80, 160] {
        let out = world.path(&format!("out{delay_ms}"));
        let mut child = world
            .command(env!("CARGO_BIN_EXE_xtask"))
            .args(package_args(&repo, &out))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        tried += 1;
        let rerun = world.xtask(&package_args(&repo, &out));
        assert!(
            rerun.status.success(),
            "after a kill at {delay_ms} ms: {}",
            stderr(&rerun)
        );
        assert_eq!(final_state(&world, &out), expected, "kill at {delay_ms} ms");
    }
    println!("{tried} kills tried, all converged");
}

/// `promote` as a PMC member runs it for a vote counted elsewhere (the vote is not what these
/// tests are about).
const PROMOTE: [&str; 7] = [
    "promote",
    "1.0.0",
    "--rc",
    "1",
    "--yes",
    "--vote-counted-elsewhere",
    VOTE_URL,
];

/// The release flow on a file:// dist repository, as the release manager runs it.
fn flow(out: &Path) -> Vec<Vec<String>> {
    let out = out.display().to_string();
    [
        &["package", "1.0.0", "--rc", "1", "--out", &out][..],
        &["keys", "append", "--yes"],
        &["upload", "1.0.0", "--rc", "1", "--dir", &out, "--yes"],
        &PROMOTE,
    ]
    .iter()
    .map(|args| args.iter().map(|a| a.to_string()).collect())
    .collect()
}

/// A fresh dist repository at the path the project is configured for.
fn fresh_dist(world: &World) -> Dist {
    let path = world.path("dist");
    let _ = std::fs::remove_dir_all(&path);
    Dist::new(world, path)
}

/// What a finished flow leaves on dist: every path, the bytes of every file (signatures
/// checked instead, as they carry their time), KEYS with one entry, and how many commits.
fn dist_state(world: &World, dist: &Dist) -> Vec<String> {
    let mut state = vec![format!("r{}", dist.youngest(world))];
    for entry in dist.ls_recursive(world) {
        if entry.ends_with('/') {
            state.push(entry);
            continue;
        }
        let bytes = dist.cat(world, &entry);
        if entry.ends_with(".asc") {
            let tarball = entry.trim_end_matches(".asc");
            let dir = world.path("check");
            world.write(&dir, "file", &dist.cat(world, tarball));
            world.write(&dir, "file.asc", &bytes);
            world.ok(world
                .command("gpg")
                .args(["--batch", "--verify", "file.asc", "file"])
                .current_dir(&dir));
            state.push(format!("{entry} (good signature)"));
        } else {
            if entry.ends_with("KEYS") {
                let text = String::from_utf8_lossy(&bytes);
                assert!(
                    text.matches("BEGIN PGP PUBLIC KEY BLOCK").count() <= 1,
                    "{entry} holds the key twice:\n{text}"
                );
            }
            state.push(format!("{entry} {}", sha512(&bytes)));
        }
    }
    state
}

fn sha512(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha512};
    Sha512::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Right after a fault or a kill: a candidate or a release on dist is either absent or
/// complete.
fn assert_dist_not_half_made(world: &World, dist: &Dist) {
    let entries = dist.ls_recursive(world);
    for dir in ["dev/demo/1.0.0-rc1/", "release/demo/1.0.0/"] {
        let files = entries
            .iter()
            .filter(|e| e.starts_with(dir) && e.len() > dir.len())
            .count();
        assert!(
            files == 0 && !entries.iter().any(|e| e == dir) || files == 3,
            "{dir} is half there: {entries:?}"
        );
    }
}

#[test]
fn the_svn_flow_converges_after_a_fault_at_every_external_call() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    let dist = fresh_dist(&world);
    let repo = project(&world, &dist);
    let repo_arg = repo.display().to_string();
    let faults = Faults::new(&world, &["git", "gpg", "svn", "svnmucc"]);
    let run = |at: usize, args: &[String]| {
        let mut full = vec!["--repo", repo_arg.as_str()];
        full.extend(args.iter().map(String::as_str));
        faults.run_counting_on(&world, at, &full)
    };

    let clean_out = world.path("clean");
    faults.reset();
    for args in flow(&clean_out) {
        let output = run(0, &args);
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    }
    let total = faults.calls();
    let expected = dist_state(&world, &dist);
    for keys in ["dev/demo/KEYS", "release/demo/KEYS"] {
        let text = String::from_utf8(dist.cat(&world, keys)).unwrap();
        assert_eq!(
            text.matches("BEGIN PGP PUBLIC KEY BLOCK").count(),
            1,
            "{keys}"
        );
    }
    let expected_local = final_state(&world, &clean_out);

    let mut tried = 0;
    let mut converged = 0;
    for at in 1..=total {
        let dist = fresh_dist(&world);
        let out = world.path(&format!("out{at}"));
        let commands = flow(&out);
        faults.reset();
        // A command that shrugs the fault off must still reach the same end.
        let failed = commands
            .iter()
            .position(|args| !run(at, args).status.success())
            .unwrap_or(commands.len());
        tried += 1;
        assert_dist_not_half_made(&world, &dist);
        // A local tarball is never there without a checksum and signature that vouch for it.
        if out.join(TARBALL).exists() {
            final_state(&world, &out);
        }
        for args in &commands[failed..] {
            let rerun = run(0, args);
            assert!(
                rerun.status.success(),
                "rerun of {args:?} after the fault at call {at}: {}",
                stderr(&rerun)
            );
        }
        assert_eq!(
            dist_state(&world, &dist),
            expected,
            "dist after the fault at call {at}"
        );
        assert_eq!(
            final_state(&world, &out),
            expected_local,
            "fault at call {at}"
        );
        converged += 1;
    }
    assert!(
        tried >= 20,
        "the flow makes at least 20 external calls, saw {tried}"
    );

    // A rerun of the finished flow is a no-op, also when one of its own calls fails.
    let dist = fresh_dist(&world);
    let out = world.path("done");
    let commands = flow(&out);
    for args in &commands {
        assert!(run(0, args).status.success());
    }
    faults.reset();
    for args in &commands {
        let again = run(0, args);
        assert!(
            again.status.success(),
            "rerun of {args:?}: {}",
            stderr(&again)
        );
    }
    let rerun_calls = faults.calls();
    for at in 1..=rerun_calls {
        faults.reset();
        for args in &commands {
            if !run(at, args).status.success() {
                break;
            }
        }
        tried += 1;
        assert_eq!(
            dist_state(&world, &dist),
            expected,
            "a no-op rerun with a fault at call {at}"
        );
        converged += 1;
    }
    println!(
        "{tried} injection points tried ({total} in the flow, {rerun_calls} in its rerun), \
         {converged} converged"
    );
}

#[test]
fn the_svn_steps_converge_after_being_killed_at_any_moment() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    let repo = project(&world, &fresh_dist(&world));
    let xtask = |args: &[&str]| {
        let output = world
            .command(env!("CARGO_BIN_EXE_xtask"))
            .arg("--repo")
            .arg(&repo)
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    };
    xtask(&["package", "1.0.0", "--rc", "1"]);
    let steps: [&[&str]; 3] = [
        &["keys", "append", "--yes"],
        &["upload", "1.0.0", "--rc", "1", "--yes"],
        &PROMOTE,
    ];
    let mut report = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        // A fresh dist with the steps before this one done.
        let prepare = || {
            let dist = fresh_dist(&world);
            for before in &steps[..index] {
                xtask(before);
            }
            dist
        };
        let dist = prepare();
        let before = dist.youngest(&world);
        let started = std::time::Instant::now();
        xtask(step);
        let duration = started.elapsed();
        let expected = dist_state(&world, &dist);

        // Kills spread over the time the whole step takes, before and after its commit.
        let mut tried = 0;
        let mut after_commit = 0;
        for tenth in 0..=12 {
            let delay = duration * tenth / 10;
            let dist = prepare();
            // Its own process group, killed whole like Ctrl-C in a terminal: svn and gpg too.
            let mut child = world
                .command(env!("CARGO_BIN_EXE_xtask"))
                .arg("--repo")
                .arg(&repo)
                .args(*step)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .process_group(0)
                .spawn()
                .unwrap();
            std::thread::sleep(delay);
            world.ok(world
                .command("kill")
                .args(["-KILL", "--", &format!("-{}", child.id())]));
            let _ = child.wait();
            tried += 1;
            assert_dist_not_half_made(&world, &dist);
            if dist.youngest(&world) > before {
                after_commit += 1;
            }
            xtask(step);
            assert_eq!(
                dist_state(&world, &dist),
                expected,
                "{step:?} killed after {delay:?}"
            );
        }
        report.push(format!(
            "{}: {tried} ({} before its commit, {after_commit} after; the step takes {duration:?})",
            step[..2].join(" "),
            tried - after_commit
        ));
    }
    println!("kills tried, all converged: {}", report.join("; "));
}
