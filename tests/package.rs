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

//! End-to-end tests of `doctor` and `package`: the real binary, real git and gpg, fixture
//! repositories made for each test.

mod common;

use std::path::Path;

use common::*;

/// The sha512 of the fixture's tarball. It changes only when the bytes the writer produces
/// change (a dependency bump, a new header field): if this fails, find out why before
/// updating it, because every earlier release would stop being reproducible.
const GOLDEN_SHA512: &str = "13481b7f5aaaf608384e141426e2bd8a11a255a41d4befb539ba84f79d5ae9396d1b1b480daa60b72aeb1748c876013511697e4207c5ad6cef81778ffdb8795d";

fn package(world: &World, repo: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = package_args(repo, out);
    args.extend_from_slice(extra);
    world.xtask(&args)
}

const TARBALL: &str = "apache-demo-1.0.0-src.tgz";

fn assert_no_artifacts(out: &Path) {
    let files = list_files(out);
    assert!(
        files.is_empty(),
        "nothing may be left in the output: {files:?}"
    );
}

#[test]
fn bare_invocation_prints_help() {
    let world = World::new();
    let output = world.xtask(&[]);
    let text = stdout(&output) + &stderr(&output);
    assert!(text.contains("Usage"), "{text}");
    assert!(
        text.contains("package") && text.contains("doctor"),
        "{text}"
    );
}

#[test]
fn same_tag_gives_same_bytes_across_clones_umask_timezone_and_locale() {
    let world = World::new();
    let origin = world.fixture_repo("origin");
    world.git(&origin, &["tag", "1.0.0-rc1"]);
    let first = world.path("first/clone");
    let second = world.path("a/much/longer/path/to/the/second clone");
    world.git(
        world.root.path(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            first.to_str().unwrap(),
        ],
    );
    world.git(
        world.root.path(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            second.to_str().unwrap(),
        ],
    );

    let out1 = world.path("out1");
    let out2 = world.path("out2");
    let run = |repo: &Path, out: &Path, umask: &str, tz: &str, locale: &str| {
        let mut command = world.command("sh");
        command
            .args(["-c", &format!("umask {umask}; exec \"$@\""), "sh"])
            .arg(env!("CARGO_BIN_EXE_xtask"))
            .args(package_args(repo, out))
            .arg("--no-sign")
            .env("TZ", tz)
            .env("LC_ALL", locale);
        world.ok(&mut command)
    };
    run(&first, &out1, "022", "UTC", "C.UTF-8");
    run(&second, &out2, "077", "Pacific/Kiritimati", "POSIX");
    let a = std::fs::read(out1.join(TARBALL)).unwrap();
    let b = std::fs::read(out2.join(TARBALL)).unwrap();
    assert!(a == b, "two clones gave different tarballs");
    assert_eq!(
        std::fs::read(out1.join(format!("{TARBALL}.sha512"))).unwrap(),
        std::fs::read(out2.join(format!("{TARBALL}.sha512"))).unwrap()
    );
}

#[test]
fn golden_bytes_of_the_fixture() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let out = world.path("out");
    let output = package(&world, &repo, &out, &["--no-sign"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let line = std::fs::read_to_string(out.join(format!("{TARBALL}.sha512"))).unwrap();
    let sha512 = line.split_whitespace().next().unwrap();
    assert_eq!(sha512, GOLDEN_SHA512, "the tarball bytes changed");
}

#[test]
fn signed_package_passes_sha512sum_shasum_and_gpg() {
    let world = World::new();
    let fingerprint = world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let out = world.path("out");
    let output = package(&world, &repo, &out, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let printed = stdout(&output);
    assert!(printed.contains("sha512:"), "{printed}");

    let mut files = list_files(&out);
    files.retain(|f| !f.ends_with(".build.json"));
    assert_eq!(
        files,
        [
            TARBALL.to_string(),
            format!("{TARBALL}.asc"),
            format!("{TARBALL}.sha512")
        ]
    );
    let checksum = format!("{TARBALL}.sha512");
    world.ok(world
        .command("sha512sum")
        .args(["-c", &checksum])
        .current_dir(&out));
    if which::which("shasum").is_ok() {
        world.ok(world
            .command("shasum")
            .args(["-a", "512", "-c", &checksum])
            .current_dir(&out));
    }
    let verify = world.ok(world
        .command("gpg")
        .args([
            "--batch",
            "--status-fd",
            "1",
            "--verify",
            &format!("{TARBALL}.asc"),
            TARBALL,
        ])
        .current_dir(&out));
    assert!(
        verify.contains(&format!("VALIDSIG {fingerprint}")),
        "{verify}"
    );
    let signature = std::fs::read_to_string(out.join(format!("{TARBALL}.asc"))).unwrap();
    assert!(signature.starts_with("-----BEGIN PGP SIGNATURE-----"));
}

#[test]
fn unpacked_tree_equals_git_archive_of_the_same_ref() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    // A .gitattributes below the top counts too, for files and for whole directories.
    world.write(
        &repo,
        "docs/.gitattributes",
        b"*.tmp export-ignore\ndrafts export-ignore\n",
    );
    world.write(&repo, "docs/notes.tmp", b"scratch\n");
    world.write(&repo, "docs/drafts/idea.md", b"later\n");
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-q", "-m", "Nested attributes"]);
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let out = world.path("out");
    let output = package(&world, &repo, &out, &["--no-sign"]);
    assert!(output.status.success(), "{}", stderr(&output));

    let ours = world.path("ours");
    let theirs = world.path("theirs");
    std::fs::create_dir_all(&ours).unwrap();
    std::fs::create_dir_all(&theirs).unwrap();
    world.ok(world
        .command("tar")
        .arg("-xzf")
        .arg(out.join(TARBALL))
        .arg("-C")
        .arg(&ours));
    let archive = world.path("git.tar");
    world.git(
        &repo,
        &[
            "archive",
            "--format=tar",
            "--prefix=apache-demo-1.0.0-src/",
            "-o",
            archive.to_str().unwrap(),
            "1.0.0-rc1",
        ],
    );
    world.ok(world
        .command("tar")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(&theirs));
    world.ok(world
        .command("diff")
        .args(["-r", "--no-dereference"])
        .arg(&ours)
        .arg(&theirs));

    let top = ours.join("apache-demo-1.0.0-src");
    assert!(!top.join("ci").exists(), "export-ignore is honoured");
    assert!(!top.join("docs/notes.tmp").exists() && !top.join("docs/drafts").exists());
    assert!(top.join("docs/.gitattributes").exists());
    assert!(
        top.join("main-link.lua").is_symlink(),
        "symlinks stay symlinks"
    );
    assert!(top.join("docs/über-straße.md").exists());
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(top.join("bin/run.sh"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o111, 0o111, "the script stays executable");
    let listing = world.ok(world.command("tar").args(["-tvzf"]).arg(out.join(TARBALL)));
    assert!(
        listing.lines().all(|l| l.contains(" 0/0 ")),
        "owner 0/0: {listing}"
    );
    assert!(
        listing.contains("2024-05-06"),
        "mtime is the commit time: {listing}"
    );
}

/// SOURCE_DATE_EPOCH, when set, is the tarball's mtime instead of the commit time; a value that
/// is no number of seconds is refused by name.
#[test]
fn source_date_epoch_overrides_the_commit_time() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let out = world.path("out");
    let mut args = package_args(&repo, &out);
    args.push("--no-sign");
    let at = |epoch: &str| {
        let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
        command.env("SOURCE_DATE_EPOCH", epoch).args(&args);
        command.output().expect("xtask starts")
    };

    let refused = at("yesterday");
    assert_fails_with(
        &refused,
        &["SOURCE_DATE_EPOCH=yesterday", "fix or unset it"],
    );
    assert_no_artifacts(&out);

    let output = at("1577836800");
    assert!(output.status.success(), "{}", stderr(&output));
    let listing = world.ok(world.command("tar").args(["-tvzf"]).arg(out.join(TARBALL)));
    assert!(
        listing.lines().all(|l| l.contains("2020-01-01")),
        "mtime is SOURCE_DATE_EPOCH: {listing}"
    );
}

#[test]
fn rerun_is_a_noop_and_other_bytes_are_never_overwritten_silently() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let out = world.path("out");
    assert!(package(&world, &repo, &out, &[]).status.success());
    let before = std::fs::metadata(out.join(TARBALL))
        .unwrap()
        .modified()
        .unwrap();
    let signature = std::fs::read(out.join(format!("{TARBALL}.asc"))).unwrap();

    let again = package(&world, &repo, &out, &[]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("nothing to do"),
        "{}",
        stdout(&again)
    );
    assert_eq!(
        std::fs::metadata(out.join(TARBALL))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
    assert_eq!(
        std::fs::read(out.join(format!("{TARBALL}.asc"))).unwrap(),
        signature
    );

    // Another commit under the same version: refused without --force, replaced with it.
    world.write(
        &repo,
        "src/extra.lua",
        format!("{LUA_HEADER}return 1\n").as_bytes(),
    );
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-q", "-m", "More"]);
    let refused = package(&world, &repo, &out, &["--ref", "HEAD"]);
    assert_fails_with(&refused, &["already exists with other bytes", "--force"]);
    assert_eq!(
        std::fs::metadata(out.join(TARBALL))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
    let forced = package(&world, &repo, &out, &["--ref", "HEAD", "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_ne!(
        std::fs::read(out.join(format!("{TARBALL}.asc"))).unwrap(),
        signature
    );
    world.ok(world
        .command("sha512sum")
        .args(["-c", &format!("{TARBALL}.sha512")])
        .current_dir(&out));
}

#[test]
fn a_missing_signature_is_added_to_an_unsigned_package() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let out = world.path("out");
    assert!(package(&world, &repo, &out, &["--no-sign"])
        .status
        .success());
    assert!(!out.join(format!("{TARBALL}.asc")).exists());
    let signed = package(&world, &repo, &out, &[]);
    assert!(signed.status.success(), "{}", stderr(&signed));
    assert!(out.join(format!("{TARBALL}.asc")).exists());
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let world = World::new();
    let fingerprint = world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let out = world.path("out");
    let output = package(&world, &repo, &out, &["--dry-run"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let plan = stdout(&output);
    assert!(
        plan.contains("plan: package apache-demo-1.0.0-src.tgz from 1.0.0-rc1"),
        "{plan}"
    );
    assert!(
        plan.contains(&format!(
            "gpg --batch --no-tty --yes --armor --detach-sign --local-user {fingerprint}"
        )),
        "{plan}"
    );
    assert!(plan.contains("--verify"), "{plan}");
    assert!(!out.exists(), "a dry run creates nothing");
}

#[test]
fn without_a_tag_it_builds_head_with_a_warning_but_not_from_a_dirty_tree() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    let out = world.path("out");
    // A candidate is what its tag holds: without the tag, HEAD must be asked for.
    let refused = package(&world, &repo, &out, &["--no-sign"]);
    assert_fails_with(
        &refused,
        &["no tag `1.0.0-rc1` for release candidate 1", "--ref HEAD"],
    );
    assert_no_artifacts(&out);
    let repo_arg = repo.to_str().unwrap();
    let out_arg = out.to_str().unwrap();
    let output = world.xtask(&[
        "--repo",
        repo_arg,
        "package",
        "1.0.0",
        "--no-sign",
        "--out",
        out_arg,
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("no tag `1.0.0`; building from HEAD"));

    let dirty_out = world.path("dirty-out");
    world.write(&repo, "src/main.lua", b"changed but not committed");
    let dirty = world.xtask(&[
        "--repo",
        repo_arg,
        "package",
        "1.0.0",
        "--no-sign",
        "--out",
        dirty_out.to_str().unwrap(),
    ]);
    assert_fails_with(
        &dirty,
        &["uncommitted changes", "src/main.lua", "commit or stash"],
    );
    assert_no_artifacts(&dirty_out);
}

/// Each broken rule: a clear error naming the file and the rule, and nothing in the output.
#[test]
fn every_check_failure_is_named_and_leaves_no_artifact() {
    let world = World::new();
    world.generate_key("Release Manager", "rm@apache.org");
    type Breakage = fn(&World, &Path);
    let cases: Vec<(&str, Breakage, Vec<&str>)> = vec![
        (
            "missing NOTICE",
            |w, r| {
                w.git(r, &["rm", "-q", "NOTICE"]);
            },
            vec!["[notice]", "NOTICE: missing"],
        ),
        (
            "missing LICENSE",
            |w, r| {
                w.git(r, &["rm", "-q", "LICENSE"]);
            },
            vec!["[license]", "LICENSE: missing"],
        ),
        (
            "a compiled binary",
            |w, r| {
                w.write(r, "lib/native.so.1", b"\x7fELF\x02\x01\x01\0\0\0");
            },
            vec!["[binaries]", "lib/native.so.1", "ELF"],
        ),
        (
            "a jar",
            |w, r| {
                w.write(r, "gradle/wrapper.jar", b"PK\x03\x04rest");
            },
            vec!["[binaries]", "gradle/wrapper.jar"],
        ),
        (
            "a symlink escaping the tree",
            |_, r| {
                std::os::unix::fs::symlink("../../../etc/passwd", r.join("src/passwd")).unwrap();
            },
            vec!["[paths]", "src/passwd", "points outside the release tree"],
        ),
        (
            "an absolute symlink",
            |_, r| {
                std::os::unix::fs::symlink("/etc/passwd", r.join("passwd")).unwrap();
            },
            vec!["[paths]", "passwd"],
        ),
        (
            "a source file without header",
            |w, r| {
                w.write(r, "src/new.lua", b"print('no header')\n");
            },
            vec!["[license-headers]", "src/new.lua"],
        ),
        (
            "export-subst",
            |w, r| {
                w.write(
                    r,
                    ".gitattributes",
                    b"/ci export-ignore\nsrc/main.lua export-subst\n",
                );
            },
            vec!["export-subst", "src/main.lua"],
        ),
    ];
    let count = cases.len();
    for (index, (name, breakage, needles)) in cases.into_iter().enumerate() {
        let repo = world.fixture_repo(&format!("repo{index}"));
        breakage(&world, &repo);
        world.git(&repo, &["add", "-A"]);
        world.git(&repo, &["commit", "-q", "-m", name]);
        world.git(&repo, &["tag", "1.0.0-rc1"]);
        let out = world.path(&format!("out{index}"));
        let output = package(&world, &repo, &out, &[]);
        assert_fails_with(&output, &needles);
        assert_no_artifacts(&out);
    }
    println!("{count} broken trees refused");
}

#[test]
fn unknown_refs_submodules_and_bad_versions_are_refused() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    let out = world.path("out");
    assert_fails_with(
        &package(&world, &repo, &out, &["--no-sign", "--ref", "no-such-tag"]),
        &["unknown ref `no-such-tag`"],
    );
    assert_fails_with(
        &package(
            &world,
            &repo,
            &out,
            &["--no-sign", "--ref=--upload-pack=evil"],
        ),
        &["cannot start with `-`"],
    );
    for bad in ["2.3.x", "v2.3.0", "2..3", ""] {
        let output = world.xtask(&["--repo", repo.to_str().unwrap(), "package", bad]);
        assert_fails_with(&output, &["invalid version", "like 2.3.0"]);
    }

    // A submodule: a gitlink entry in the tree.
    let commit = world.git(&repo, &["rev-parse", "HEAD"]);
    world.git(
        &repo,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{commit},vendor/lib"),
        ],
    );
    world.git(&repo, &["commit", "-q", "-m", "Add a submodule"]);
    // Skipped by default, as real ASF releases do, with a warning naming it.
    let skipped = package(&world, &repo, &out, &["--no-sign", "--ref", "HEAD"]);
    assert!(skipped.status.success(), "{}", stderr(&skipped));
    assert!(
        stderr(&skipped).contains("warning: the submodule vendor/lib is left out"),
        "{}",
        stderr(&skipped)
    );
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    world.write(
        &repo,
        "Cargo.toml",
        format!("{manifest}submodules = \"refuse\"\n").as_bytes(),
    );
    // Not `commit -a`: the gitlink has no directory in the work tree and would be deleted.
    world.git(&repo, &["add", "Cargo.toml"]);
    world.git(&repo, &["commit", "-q", "-m", "Refuse submodules"]);
    let out = world.path("out-refused");
    assert_fails_with(
        &package(&world, &repo, &out, &["--no-sign", "--ref", "HEAD"]),
        &["vendor/lib is a git submodule", "submodules = \"skip\""],
    );
    assert_no_artifacts(&out);
}

#[test]
fn configuration_errors_name_the_key() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    world.write(
        &repo,
        "Cargo.toml",
        b"[workspace.metadata.asf-release]\nname = \"demo\"\nartefact = \"x.tgz\"\n",
    );
    let output = world.xtask(&[
        "--repo",
        repo.to_str().unwrap(),
        "package",
        "1.0.0",
        "--no-sign",
    ]);
    assert_fails_with(
        &output,
        &[
            "unknown field `artefact`",
            "[workspace.metadata.asf-release]",
        ],
    );
    world.write(&repo, "Cargo.toml", b"[package]\nname = \"x\"\n");
    let output = world.xtask(&[
        "--repo",
        repo.to_str().unwrap(),
        "package",
        "1.0.0",
        "--no-sign",
    ]);
    assert_fails_with(
        &output,
        &["no [workspace.metadata.asf-release] section", "name = "],
    );
}

#[test]
fn doctor_reports_missing_tools_with_the_install_command() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    world.generate_key("Release Manager", "rm@apache.org");
    // A PATH with git and gpg only.
    let bin = world.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["git", "gpg", "gpg-agent", "gpgconf"] {
        if let Ok(path) = which::which(tool) {
            std::os::unix::fs::symlink(path, bin.join(tool)).unwrap();
        }
    }
    let output = world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args(["--repo", repo.to_str().unwrap(), "doctor", "--offline"])
        .env("PATH", &bin)
        .output()
        .unwrap();
    assert_fails_with(
        &output,
        &[
            "✓ git",
            "✓ gpg 2.",
            "`svn` is not installed",
            "apt-get install subversion",
            "brew install subversion",
            "`curl` is not installed",
            "apt-get install curl",
            "can sign",
        ],
    );

    let healthy = world.xtask(&["--repo", repo.to_str().unwrap(), "doctor", "--offline"]);
    if which::which("svnmucc").is_ok() {
        assert!(healthy.status.success(), "{}", stdout(&healthy));
    }

    // `package` fails early with the same message when gpg is missing.
    let no_gpg = world.path("nogpg");
    std::fs::create_dir_all(&no_gpg).unwrap();
    std::os::unix::fs::symlink(which::which("git").unwrap(), no_gpg.join("git")).unwrap();
    let output = world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args(["--repo", repo.to_str().unwrap(), "package", "1.0.0"])
        .env("PATH", &no_gpg)
        .output()
        .unwrap();
    assert_fails_with(
        &output,
        &["`gpg` is not installed", "apt-get install gnupg"],
    );
}

/// Every git on this machine (Debian's and a newer one under /usr/local here) gives the
/// same tarball.
#[test]
fn different_git_versions_give_the_same_bytes() {
    let gits: Vec<&str> = ["/usr/bin/git", "/usr/local/bin/git"]
        .into_iter()
        .filter(|path| Path::new(path).exists())
        .collect();
    if gits.len() < 2 {
        eprintln!("only one git installed: nothing to compare");
        return;
    }
    let world = World::new();
    let repo = world.fixture_repo("repo");
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let mut tarballs = Vec::new();
    for (index, git) in gits.iter().enumerate() {
        let bin = world.path(&format!("git{index}"));
        std::fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(git, bin.join("git")).unwrap();
        let version = world.ok(world.command(git).arg("--version"));
        let out = world.path(&format!("out{index}"));
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
        let output = world
            .command(env!("CARGO_BIN_EXE_xtask"))
            .args(package_args(&repo, &out))
            .arg("--no-sign")
            .env("PATH", path)
            .output()
            .unwrap();
        assert!(output.status.success(), "{version}: {}", stderr(&output));
        tarballs.push((version, std::fs::read(out.join(TARBALL)).unwrap()));
    }
    let (first_version, first) = &tarballs[0];
    for (version, bytes) in &tarballs[1..] {
        assert!(
            bytes == first,
            "{version} and {first_version} gave different tarballs"
        );
    }
}

/// Versions beyond X.Y.Z (issue 27): a milestone (Tomcat `11.0.0-M26`, Camel `4.0.0-M1`) and a
/// two-number version (Maven `3.0`) are packaged from their candidate tags, and the tarball is
/// named with the version exactly as spelled.
#[test]
fn pre_release_and_two_number_versions_are_packaged_as_spelled() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    let repo_arg = repo.to_str().unwrap();
    for (version, tag, tarball) in [
        ("4.0.0-M1", "4.0.0-M1-rc1", "apache-demo-4.0.0-M1-src.tgz"),
        ("3.0", "3.0-rc1", "apache-demo-3.0-src.tgz"),
    ] {
        world.git(&repo, &["tag", tag]);
        let out = world.path(&format!("out-{version}"));
        let output = world.xtask(&[
            "--repo",
            repo_arg,
            "package",
            version,
            "--rc",
            "1",
            "--out",
            out.to_str().unwrap(),
            "--no-sign",
        ]);
        assert!(output.status.success(), "{version}: {}", stderr(&output));
        let files = list_files(&out);
        for wanted in [tarball.to_string(), format!("{tarball}.sha512")] {
            assert!(
                files.iter().any(|file| file.ends_with(&wanted)),
                "{version}: {wanted} in {files:?}"
            );
        }
    }

    // A qualifier the tool cannot order is refused before anything runs, with the forms it takes.
    for (bad, why) in [
        (
            "4.0.0-SNAPSHOT",
            "`SNAPSHOT` is not a number, nor a qualifier",
        ),
        ("4.0.0-M01", "leading zero"),
        ("4.0.0-Alpha-1", "lower or upper case"),
    ] {
        let output = world.xtask(&["--repo", repo_arg, "package", bad, "--rc", "1"]);
        assert_fails_with(&output, &[why, "-M1, -alpha-1", "like 2.3.0"]);
    }
}
