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

//! Known secret values (the gpg passphrase, the SVN passwords) must never show on a command
//! line (`/proc/*/cmdline` during the run), in dry-run output, logs or error messages.

mod common;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

use common::*;

const PASSPHRASE: &str = "correct-horse-battery-staple-4711";

/// Every command line of every process on the machine, read repeatedly while `child` runs.
fn command_lines_while_running(
    child: std::process::Child,
) -> (BTreeSet<String>, std::process::Output) {
    // The child's pipes are drained meanwhile, so a chatty child cannot block on them.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(child.wait_with_output()));
    let mut seen = BTreeSet::new();
    loop {
        if let Ok(output) = receiver.try_recv() {
            return (seen, output.unwrap());
        }
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for entry in entries.flatten() {
                if let Ok(bytes) = std::fs::read(entry.path().join("cmdline")) {
                    if !bytes.is_empty() {
                        seen.insert(String::from_utf8_lossy(&bytes).replace('\0', " "));
                    }
                }
            }
        }
    }
}

#[test]
fn the_gpg_passphrase_reaches_gpg_only_on_stdin() {
    let world = World::new();
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
    // Forget the passphrase the agent cached while generating the key.
    world.ok(world.command("gpgconf").args(["--kill", "gpg-agent"]));
    let repo = world.fixture_repo("repo");
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let out = world.path("out");
    let args = package_args(&repo, &out);

    let dry = world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args(["--dry-run"])
        .args(&args)
        .env("GPG_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert!(dry.status.success(), "{}", stderr(&dry));
    let shown = stdout(&dry) + &stderr(&dry);
    assert!(
        !shown.contains(PASSPHRASE),
        "dry run shows the passphrase:\n{shown}"
    );
    assert!(
        shown.contains("--passphrase-fd 0") || shown.contains("--detach-sign"),
        "{shown}"
    );

    let child = world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args(&args)
        .env("GPG_PASSPHRASE", PASSPHRASE)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (command_lines, output) = command_lines_while_running(child);
    assert!(output.status.success(), "{}", stderr(&output));
    // The scan must have caught gpg at work, or it proves nothing.
    assert!(
        command_lines.iter().any(|c| c.contains("--detach-sign")),
        "the scan never saw the signing command"
    );
    let leaks: Vec<&String> = command_lines
        .iter()
        .filter(|c| c.contains(PASSPHRASE))
        .collect();
    assert!(leaks.is_empty(), "passphrase on a command line: {leaks:?}");
    let printed = stdout(&output) + &stderr(&output);
    assert!(!printed.contains(PASSPHRASE), "{printed}");
    world.ok(world
        .command("gpg")
        .args([
            "--batch",
            "--verify",
            "apache-demo-1.0.0-src.tgz.asc",
            "apache-demo-1.0.0-src.tgz",
        ])
        .current_dir(&out));

    // A wrong passphrase: a clear error that does not echo what was given.
    world.ok(world.command("gpgconf").args(["--kill", "gpg-agent"]));
    let wrong = "wrong-passphrase-0815";
    let other_out = world.path("other");
    let failed = world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args(package_args(&repo, &other_out))
        .env("GPG_PASSPHRASE", wrong)
        .output()
        .unwrap();
    assert_fails_with(&failed, &["signing failed", "GPG_PASSPHRASE"]);
    let printed = stdout(&failed) + &stderr(&failed);
    assert!(!printed.contains(wrong), "{printed}");
    assert!(
        list_files(&other_out).is_empty(),
        "{:?}",
        list_files(&other_out)
    );
}

const WRONG_PASSWORD: &str = "wrong-svn-password-1234";

/// Every file under `dir` whose bytes contain `secret`.
fn files_containing(dir: &Path, secret: &str) -> Vec<String> {
    list_files(dir)
        .into_iter()
        .filter(|file| {
            let bytes = std::fs::read(dir.join(file)).unwrap_or_default();
            bytes
                .windows(secret.len())
                .any(|window| window == secret.as_bytes())
        })
        .collect()
}

#[test]
fn the_svn_password_reaches_svn_only_on_stdin() {
    let world = World::new();
    let (dist, _server) = served_dist(&world);
    let repo = project(&world, &dist);
    world.generate_key("Release Manager", "rm@apache.org");
    let run = |args: &[&str], username: &str, password: &str| {
        let child = world
            .command(env!("CARGO_BIN_EXE_xtask"))
            .arg("--repo")
            .arg(&repo)
            .args(args)
            .env("SVN_USERNAME", username)
            .env("SVN_PASSWORD", password)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        command_lines_while_running(child)
    };
    let mut command_lines = BTreeSet::new();
    let mut printed = String::new();
    let mut step = |args: &[&str], username: &str, password: &str, succeeds: bool| {
        let (seen, output) = run(args, username, password);
        let text = stdout(&output) + &stderr(&output);
        assert_eq!(output.status.success(), succeeds, "{args:?}:\n{text}");
        command_lines.extend(seen);
        printed.push_str(&text);
        text
    };

    for args in [
        &["--dry-run", "keys", "append"][..],
        &["--dry-run", "upload", "1.0.0", "--rc", "1"],
    ] {
        let shown = step(args, "rm", RM_PASSWORD, !args.contains(&"upload"));
        if args.contains(&"keys") {
            assert!(shown.contains("--password-from-stdin"), "{shown}");
        }
    }
    step(&["keys", "append", "--yes"], "rm", RM_PASSWORD, true);
    step(&["package", "1.0.0", "--rc", "1"], "rm", RM_PASSWORD, true);
    let dry = step(
        &["--dry-run", "upload", "1.0.0", "--rc", "1"],
        "rm",
        RM_PASSWORD,
        true,
    );
    assert!(dry.contains("--password-from-stdin"), "{dry}");
    step(
        &["upload", "--yes", "1.0.0", "--rc", "1"],
        "rm",
        RM_PASSWORD,
        true,
    );
    let denied = step(
        &[
            "promote",
            "1.0.0",
            "--rc",
            "1",
            "--vote-counted-elsewhere",
            VOTE_URL,
            "--yes",
        ],
        "rm",
        RM_PASSWORD,
        false,
    );
    assert!(denied.contains("no permission"), "{denied}");
    let wrong = step(
        &[
            "promote",
            "1.0.0",
            "--rc",
            "1",
            "--vote-counted-elsewhere",
            VOTE_URL,
            "--yes",
        ],
        "pmc",
        WRONG_PASSWORD,
        false,
    );
    assert!(wrong.contains("Password incorrect"), "{wrong}");
    let dry = step(
        &[
            "--dry-run",
            "promote",
            "1.0.0",
            "--rc",
            "1",
            "--vote-counted-elsewhere",
            VOTE_URL,
        ],
        "pmc",
        PMC_PASSWORD,
        true,
    );
    assert!(dry.contains("--password-from-stdin"), "{dry}");
    step(
        &[
            "promote",
            "1.0.0",
            "--rc",
            "1",
            "--vote-counted-elsewhere",
            VOTE_URL,
            "--yes",
        ],
        "pmc",
        PMC_PASSWORD,
        true,
    );
    assert_eq!(dist.ls(&world, "release/demo/1.0.0").len(), 3);

    // The scan must have caught svn and svnmucc at work, or it proves nothing.
    let program = |line: &String| line.split(' ').next().unwrap_or_default().to_string();
    let programs: BTreeSet<String> = command_lines.iter().map(program).collect();
    for tool in ["svn", "svnmucc"] {
        assert!(
            programs
                .iter()
                .any(|p| p == tool || p.ends_with(&format!("/{tool}"))),
            "the scan never saw {tool}: {programs:?}"
        );
    }
    let count_of = |tool: &str| {
        command_lines
            .iter()
            .filter(|line| program(line).rsplit('/').next() == Some(tool))
            .count()
    };
    let (svn_lines, svnmucc_lines) = (count_of("svn"), count_of("svnmucc"));
    assert!(
        command_lines
            .iter()
            .any(|line| line.contains("--password-from-stdin")),
        "the scan saw svn only without a password"
    );
    for secret in [RM_PASSWORD, PMC_PASSWORD, WRONG_PASSWORD] {
        let leaks: Vec<&String> = command_lines
            .iter()
            .filter(|line| line.contains(secret))
            .collect();
        assert!(leaks.is_empty(), "password on a command line: {leaks:?}");
        assert!(!printed.contains(secret), "password printed:\n{printed}");
        // Nothing written down: no auth cache in HOME, nothing in the project or its output,
        // nothing in the commit messages.
        for dir in [&world.home, &repo] {
            let found = files_containing(dir, secret);
            assert!(found.is_empty(), "password stored in {found:?}");
        }
        let log = world.ok(world.command("svn").args(["log", "-v", &dist.file_url("")]));
        assert!(!log.contains(secret), "{log}");
    }
    println!(
        "{} distinct command lines scanned ({svn_lines} of svn, {svnmucc_lines} of svnmucc), \
         no password in any",
        command_lines.len()
    );
}

/// The GitHub token of the whole release flow (milestone, branch, backport with its label
/// changes, every step's own process): only ever in the environment and the Authorization
/// header, never on a command line, in the output, or in a file of the sandbox.
#[test]
fn the_github_token_stays_out_of_command_lines_output_and_files() {
    const TOKEN: &str = "ghp_release_flow_secret_0123456789";
    let world = World::new();
    let dir = camino::Utf8PathBuf::from_path_buf(world.path("sandbox")).unwrap();
    let mut sandbox = asf_release::demo::Sandbox::build(dir).unwrap();
    sandbox.set_var("GITHUB_TOKEN", TOKEN);
    let run = |args: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"));
        command.arg("--repo").arg(sandbox.project()).args(args);
        for (key, value) in sandbox.env() {
            command.env(key, value);
        }
        command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command_lines_while_running(command.spawn().unwrap())
    };
    let (first, output) = run(&["release", "1.0", "--yes", "--until", "branch"]);
    assert!(output.status.success(), "{}", stderr(&output));
    asf_release::demo::land_fix_on_master(&sandbox, 4).unwrap();
    let (second, output) = run(&["release", "1.0", "--yes"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let printed = stdout(&output) + &stderr(&output);
    assert!(
        printed.contains("relabelled PR #4"),
        "the token was used: {printed}"
    );
    assert!(!printed.contains(TOKEN), "{printed}");

    let seen: Vec<&String> = first.iter().chain(second.iter()).collect();
    assert!(
        seen.iter().any(|c| c.contains(" backport 1.0")),
        "the scan must see the steps at work"
    );
    let leaks: Vec<&&String> = seen.iter().filter(|c| c.contains(TOKEN)).collect();
    assert!(leaks.is_empty(), "token on a command line: {leaks:?}");
    let files = files_containing(sandbox.dir.as_std_path(), TOKEN);
    assert!(files.is_empty(), "token written to {files:?}");
    let requests = sandbox.github.seen();
    assert!(requests.iter().any(|r| r.authorization.as_deref()
        == Some(&format!("Bearer {TOKEN}"))
        || r.authorization.as_deref() == Some(&format!("token {TOKEN}"))));
}

/// The ATR token (and the JWTs ATR gives for it) of the flow through ATR: only in the
/// environment, curl's standard input and the Authorization header; never on a command line,
/// in the output (dry runs included), or in a file of the sandbox.
#[test]
fn the_atr_token_and_its_jwts_stay_out_of_command_lines_output_and_files() {
    let world = World::new();
    let dir = camino::Utf8PathBuf::from_path_buf(world.path("sandbox")).unwrap();
    let sandbox =
        asf_release::demo::Sandbox::build_for(dir, asf_release::config::Dist::Atr).unwrap();
    let atr = sandbox.atr.as_ref().unwrap();
    let token = asf_release::demo::atr::DEMO_TOKEN;
    let run = |args: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"));
        command.arg("--repo").arg(sandbox.project()).args(args);
        for (key, value) in sandbox.env() {
            command.env(key, value);
        }
        command
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        command_lines_while_running(command.spawn().unwrap())
    };
    let (mut seen, output) = run(&["release", "1.0", "--yes", "--until", "branch"]);
    assert!(output.status.success(), "{}", stderr(&output));
    asf_release::demo::land_fix_on_master(&sandbox, 4).unwrap();
    let mut printed = String::new();
    for args in [
        &["--dry-run", "release", "1.0"][..],
        &["release", "1.0", "--yes"],
        &["--dry-run", "mail", "vote", "1.0.0", "--rc", "1"],
        &["vote", "tally", "1.0.0", "--rc", "1"],
    ] {
        let (lines, output) = run(args);
        seen.extend(lines);
        printed.push_str(&(stdout(&output) + &stderr(&output)));
    }
    assert!(printed.contains("(bearer token not shown)"), "{printed}");
    assert!(
        seen.iter()
            .any(|c| c.contains("--config -") && c.contains("/api/release/upload")),
        "the scan must see curl at work"
    );
    let jwts: Vec<String> = atr
        .state()
        .jwts
        .iter()
        .map(|(jwt, _)| jwt.clone())
        .collect();
    // One JWT served the four runs: it is kept between them (ATR mints 10 an hour).
    assert_eq!(jwts.len(), 1, "{jwts:?}");
    for secret in jwts.iter().map(String::as_str).chain([token]) {
        let leaks: Vec<&String> = seen.iter().filter(|c| c.contains(secret)).collect();
        assert!(leaks.is_empty(), "secret on a command line: {leaks:?}");
        assert!(!printed.contains(secret), "secret printed:\n{printed}");
        // Only the JWT is written: in the user's runtime directory, readable by the user only.
        for file in files_containing(sandbox.dir.as_std_path(), secret) {
            assert_ne!(secret, token, "the token written to {file:?}");
            assert!(file.starts_with("runtime/"), "the JWT written to {file:?}");
            let mode = std::fs::metadata(sandbox.dir.join(&file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{file:?} is readable by others");
        }
    }
    let bearer: Vec<_> = atr
        .seen()
        .into_iter()
        .filter_map(|s| s.authorization)
        .collect();
    assert!(
        !bearer.is_empty()
            && bearer
                .iter()
                .all(|a| jwts.iter().any(|j| *a == format!("Bearer {j}"))),
        "{bearer:?}"
    );
}
