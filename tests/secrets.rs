//! Known secret values must never show on a command line (`/proc/*/cmdline` during the run),
//! in dry-run output, logs or error messages.

mod common;

use std::process::Stdio;

use common::*;

const PASSPHRASE: &str = "correct-horse-battery-staple-4711";

/// Every command line of every process on the machine, read repeatedly while `child` runs.
fn command_lines_while_running(
    mut child: std::process::Child,
) -> (Vec<String>, std::process::Output) {
    let mut seen = Vec::new();
    while child.try_wait().unwrap().is_none() {
        if let Ok(entries) = std::fs::read_dir("/proc") {
            for entry in entries.flatten() {
                if let Ok(bytes) = std::fs::read(entry.path().join("cmdline")) {
                    if !bytes.is_empty() {
                        seen.push(String::from_utf8_lossy(&bytes).replace('\0', " "));
                    }
                }
            }
        }
    }
    (seen, child.wait_with_output().unwrap())
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
    let args = [
        "--repo",
        repo.to_str().unwrap(),
        "package",
        "1.0.0",
        "--rc",
        "1",
        "--out",
        out.to_str().unwrap(),
    ];

    let dry = world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args(["--dry-run"])
        .args(args)
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
        .args(args)
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
        .args([
            "--repo",
            repo.to_str().unwrap(),
            "package",
            "1.0.0",
            "--rc",
            "1",
            "--out",
            other_out.to_str().unwrap(),
        ])
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
