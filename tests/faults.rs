//! Faults at every external call, and kills mid-step: rerunning the same command must reach
//! the same final state as a clean run, with nothing half-made left behind.

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;

const TARBALL: &str = "apache-demo-1.0.0-src.tgz";

fn package_args<'a>(repo: &'a Path, out: &'a Path) -> Vec<&'a str> {
    vec![
        "--repo",
        repo.to_str().unwrap(),
        "package",
        "1.0.0",
        "--rc",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]
}

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
