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

//! What broke when the tool first met a real project (issue 12): the repository found at run
//! time, the version check before signing, KEYS in dist/release only, svn advice, `includes`,
//! and what `package` says about the files its rules leave out.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;

fn xtask_in(world: &World, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
    command.current_dir(dir).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("xtask starts")
}

fn add_settings(world: &World, repo: &Path, extra: &str) {
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    world.write(repo, "Cargo.toml", format!("{manifest}{extra}").as_bytes());
    world.git(repo, &["commit", "-qam", "Settings"]);
}

#[test]
fn the_default_repository_is_found_at_run_time_and_named() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    let repo = repo.canonicalize().unwrap();
    let text = |output: &Output| stdout(output) + &stderr(output);

    // Started directly, from a subdirectory: the nearest directory with settings.
    let direct = xtask_in(
        &world,
        &repo.join("src/nested"),
        &["doctor", "--offline"],
        &[],
    );
    let expected = format!("repository: {}", repo.display());
    assert!(text(&direct).contains(&expected), "{}", text(&direct));
    assert!(
        text(&direct).contains(&format!("configuration of demo ({})", repo.display())),
        "{}",
        text(&direct)
    );

    // Started by `cargo xtask` (cargo names the package directory): that workspace.
    let manifest_dir = repo.join("xtask");
    let cargo_env = [
        ("CARGO_PKG_NAME", "xtask"),
        ("CARGO_MANIFEST_DIR", manifest_dir.to_str().unwrap()),
    ];
    std::fs::create_dir_all(&manifest_dir).unwrap();
    let by_cargo = xtask_in(
        &world,
        &repo.join("src"),
        &["doctor", "--offline"],
        &cargo_env,
    );
    assert!(text(&by_cargo).contains(&expected), "{}", text(&by_cargo));

    // ... but not from a directory outside it.
    let elsewhere = xtask_in(
        &world,
        world.root.path(),
        &["doctor", "--offline"],
        &cargo_env,
    );
    assert_fails_with(&elsewhere, &["is outside it", "--repo <DIR>"]);
}

#[test]
fn package_checks_the_version_files_before_signing() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    world.write(
        &repo,
        "src/version.lua",
        b"return { VERSION = \"0.9.0\" }\n",
    );
    world.git(&repo, &["add", "-A"]);
    add_settings(
        &world,
        &repo,
        "version-files = [{ path = \"src/version.lua\", pattern = 'VERSION = \"{version}\"' }]\nlicense-header-excludes = [\"src/version.lua\"]\n",
    );
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    world.generate_key("Release Manager", "rm@apache.org");
    let out = world.path("out");
    let signed = world.xtask(&package_args(&repo, &out));
    assert_fails_with(
        &signed,
        &[
            "src/version.lua:1: carries 0.9.0 where 1.0.0 is expected",
            "version bump 1.0.0",
        ],
    );
    assert!(list_files(&out).is_empty(), "nothing is written");
    // Unsigned from the version's own tag: still refused, the tarball would be misnamed.
    let mut unsigned = package_args(&repo, &out);
    unsigned.push("--no-sign");
    let from_tag = world.xtask(&unsigned);
    assert_fails_with(&from_tag, &["src/version.lua:1: carries 0.9.0"]);
    assert!(list_files(&out).is_empty(), "nothing is written");
    // An unsigned check build of another commit (CI on every change) only warns.
    unsigned.extend(["--ref", "HEAD"]);
    let checked = world.xtask(&unsigned);
    assert!(checked.status.success(), "{}", stderr(&checked));
    assert!(stderr(&checked).contains("warning: the version-files do not carry 1.0.0"));
}

#[test]
fn package_refuses_a_tag_whose_build_files_name_another_version() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    // No version-files: the root build files say which version a tree is.
    world.write(
        &repo,
        "package.json",
        b"{\"name\": \"demo\", \"version\": \"0.9.1-dev\"}\n",
    );
    world.git(&repo, &["add", "-A"]);
    add_settings(
        &world,
        &repo,
        "license-header-excludes = [\"package.json\", \"pom.xml\"]\n",
    );
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let out = world.path("out");
    let mut args = package_args(&repo, &out);
    args.push("--no-sign");
    let refused = world.xtask(&args);
    assert_fails_with(
        &refused,
        &[
            "1.0.0-rc1",
            "is not version 1.0.0",
            "package.json \"version\" says 0.9.1-dev",
            "--ref",
            "version-files",
        ],
    );
    assert!(list_files(&out).is_empty(), "nothing is written");

    // Another commit named with --ref, unsigned: a warning, and the check build goes on.
    let mut head = args.clone();
    head.extend(["--ref", "HEAD"]);
    let warned = world.xtask(&head);
    assert!(warned.status.success(), "{}", stderr(&warned));
    assert!(
        stderr(&warned).contains("package.json \"version\" says 0.9.1-dev"),
        "{}",
        stderr(&warned)
    );

    // The candidate tag of a tree that says 1.0.0 (the rc is the tag's, not the files'):
    // the pom's own version counts, not its parent's, and a literal-less Cargo.toml is
    // skipped.
    world.write(
        &repo,
        "package.json",
        b"{\"name\": \"demo\", \"version\": \"1.0.0\"}\n",
    );
    world.write(
        &repo,
        "pom.xml",
        b"<project><parent><artifactId>apache</artifactId><version>34</version></parent>\n\
          <artifactId>demo</artifactId><version>1.0.0</version></project>\n",
    );
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-qm", "1.0.0"]);
    world.git(&repo, &["tag", "1.0.0-rc2"]);
    let out2 = world.path("out2");
    let mut rc2 = package_args(&repo, &out2);
    rc2.retain(|a| *a != "1");
    rc2.insert(rc2.iter().position(|a| *a == "--rc").unwrap() + 1, "2");
    rc2.push("--no-sign");
    let mut dry = rc2.clone();
    dry.push("--dry-run");
    let plan = world.xtask(&dry);
    assert!(plan.status.success(), "{}", stderr(&plan));
    assert!(
        stdout(&plan).contains(
            "(check) 1.0.0-rc2 (" 
        ) && stdout(&plan).contains(
            "is version 1.0.0, as its root build files say: package.json \"version\", pom.xml <version>"
        ),
        "{}",
        stdout(&plan)
    );
    let built = world.xtask(&rc2);
    assert!(built.status.success(), "{}", stderr(&built));
}

#[test]
fn includes_keep_only_the_listed_paths_and_the_summary_says_what_went() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    add_settings(
        &world,
        &repo,
        "includes = [\"/src\", \"/bin\", \"/LICENSE\", \"/NOTICE\", \"/*.md\"]\n",
    );
    let out = world.path("out");
    let mut args = package_args(&repo, &out);
    args.extend(["--no-sign", "--ref", "HEAD"]);
    let output = world.xtask(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let listing = world.ok(world
        .command("tar")
        .arg("-tzf")
        .arg(out.join("apache-demo-1.0.0-src.tgz")));
    assert!(listing.contains("src/nested/deep/util.lua") && listing.contains("bin/run.sh"));
    assert!(
        !listing.contains("docs/") && !listing.contains("main-link.lua"),
        "{listing}"
    );
    let err = stderr(&output);
    assert!(err.contains("left out of the tarball:"), "{err}");
    assert!(
        err.contains(".gitattributes export-ignore: 1 file(s) left out (ci/ 1)"),
        "{err}"
    );
    assert!(err.contains("not in includes:"), "{err}");
}

#[test]
fn a_kept_manifest_naming_an_export_ignored_crate_is_a_warning() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    // OpenDAL's shape: `examples export-ignore` (no leading `/`) drops core/examples too.
    world.write(
        &repo,
        ".gitattributes",
        b"/ci export-ignore\nexamples export-ignore\n",
    );
    world.write(
        &repo,
        "core/Cargo.toml",
        b"[workspace]\nmembers = [\".\", \"examples/*\"]\n",
    );
    world.write(
        &repo,
        "core/examples/basic/Cargo.toml",
        b"[package]\nname = \"basic\"\n",
    );
    world.write(
        &repo,
        "examples/top/Cargo.toml",
        b"[package]\nname = \"top\"\n",
    );
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-qm", "Examples"]);
    let out = world.path("out");
    let mut args = package_args(&repo, &out);
    args.extend(["--no-sign", "--ref", "HEAD"]);
    let output = world.xtask(&args);
    let err = stderr(&output);
    assert!(
        err.contains("warning: core/Cargo.toml names core/examples/* as a workspace member")
            && err.contains("core/examples/basic"),
        "{err}"
    );
}

#[test]
fn svn_advice_names_only_flags_the_command_has() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    let missing = world.path("no-such-svn");
    add_settings(
        &world,
        &repo,
        &format!(
            "svn-dev-url = \"file://{0}/dev/demo\"\nsvn-release-url = \"file://{0}/release/demo\"\n",
            missing.display()
        ),
    );
    world.generate_key("Release Manager", "rm@apache.org");
    let output = world.xtask(&["--repo", repo.to_str().unwrap(), "keys", "check"]);
    let text = stdout(&output) + &stderr(&output);
    assert!(!output.status.success(), "{text}");
    assert!(text.contains("cannot be reached"), "{text}");
    assert!(!text.contains("--dir"), "keys check has no --dir: {text}");
}

/// A dist whose only KEYS is in dist/release, as APISIX keeps it.
fn release_only_keys(world: &World) -> (Dist, std::path::PathBuf) {
    let dist = Dist::new(world, world.path("dist"));
    world.ok(world.command("svnmucc").args([
        "-U",
        &dist.url,
        "-m",
        "KEYS in dist/release only",
        "rm",
        "dev/demo/KEYS",
    ]));
    let repo = project(world, &dist);
    (dist, repo)
}

#[test]
fn keys_in_dist_release_only_are_used_and_never_duplicated_in_dev() {
    let world = World::new();
    let (dist, repo) = release_only_keys(&world);
    world.generate_key("Release Manager", "rm@apache.org");
    let repo_arg = repo.to_str().unwrap();

    // Without --yes and without a terminal, nothing is committed, and the error names the
    // command that commits.
    let before = dist.youngest(&world);
    let refused = world.xtask(&["--repo", repo_arg, "keys", "append"]);
    assert_fails_with(
        &refused,
        &[
            "nothing was changed",
            "no one can confirm it here (no terminal)",
            "keys append --yes`",
        ],
    );
    assert_eq!(dist.youngest(&world), before);

    let appended = world.xtask(&["--repo", repo_arg, "keys", "append", "--yes"]);
    assert!(appended.status.success(), "{}", stderr(&appended));
    let keys = String::from_utf8(dist.cat(&world, "release/demo/KEYS")).unwrap();
    assert!(keys.starts_with(KEYS_HEADER) && keys.contains("rm@apache.org"));
    assert!(!dist.ls(&world, "dev/demo").contains(&"KEYS".to_string()));

    let out = repo.join("target/asf-release/1.0.0-rc1");
    let packaged = world.xtask(&["--repo", repo_arg, "package", "1.0.0", "--rc", "1"]);
    assert!(packaged.status.success(), "{}", stderr(&packaged));
    assert!(out.join("apache-demo-1.0.0-src.tgz").is_file());
    let uploaded = world.xtask(&["--repo", repo_arg, "upload", "--yes", "1.0.0", "--rc", "1"]);
    let text = stdout(&uploaded) + &stderr(&uploaded);
    assert!(uploaded.status.success(), "{text}");
    assert!(text.contains("release/demo/KEYS"), "{text}");
}

#[test]
fn a_new_keys_file_starts_with_the_standard_header() {
    let world = World::new();
    let (dist, repo) = release_only_keys(&world);
    world.ok(world.command("svnmucc").args([
        "-U",
        &dist.url,
        "-m",
        "no KEYS at all",
        "rm",
        "release/demo/KEYS",
    ]));
    world.generate_key("Release Manager", "rm@apache.org");
    let appended = world.xtask(&["--repo", repo.to_str().unwrap(), "keys", "append", "--yes"]);
    assert!(appended.status.success(), "{}", stderr(&appended));
    let keys = String::from_utf8(dist.cat(&world, "dev/demo/KEYS")).unwrap();
    assert!(
        keys.starts_with("This file contains the PGP keys of various developers."),
        "{keys}"
    );
    assert!(keys.contains("BEGIN PGP PUBLIC KEY BLOCK"));
}

/// Issue 26: `cargo xtask ... | head -1` must end quietly when the reader goes away, as Unix
/// tools do (status 141, as after SIGPIPE), not with a panic message.
#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
    command
        .args(["--repo", repo.to_str().unwrap(), "license-audit"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("xtask starts");
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = stderr(&output);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(141), "{stderr}");
}

/// The keys of the settings, as `struct Raw` in config/read.rs names them.
fn every_setting() -> Vec<String> {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../asf-release/src/config/read.rs"),
    )
    .unwrap();
    let raw = &source[source.find("struct Raw {").unwrap()..];
    let raw = &raw[..raw.find('}').unwrap()];
    raw.lines()
        .skip(1)
        .filter_map(|line| line.trim().split_once(':'))
        .map(|(field, _)| field.trim().replace('_', "-"))
        .collect()
}

#[test]
fn config_shows_every_setting_and_where_it_came_from() {
    let world = World::new();
    let repo = world.fixture_repo("repo");
    add_settings(
        &world,
        &repo,
        "tag-pattern = \"v{version}\"\nversion-files = [{ path = \"VERSION\", pattern = \"{version}\" }]\n",
    );
    let output = xtask_in(&world, &repo, &["config"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let shown = stdout(&output);
    for line in [
        "name = \"demo\"\n",
        "display-name = \"Apache Demo\"\n",
        "tag-pattern = \"v{version}\"\n",
        "version-files = [{ path = \"VERSION\", pattern = \"{version}\" }]\n",
        "rc-tag-pattern = \"{version}-rc{rc}\"  # filled in\n",
        "dev-list = \"dev@demo.apache.org\"  # filled in\n",
        "changelog = { file = \"CHANGELOG.md\", heading = \"## {version}\", write = true }  # filled in\n",
        "# signing-key: not set\n",
        "Cargo.toml",
    ] {
        assert!(shown.contains(line), "{line:?} in:\n{shown}");
    }
    // Every setting once: written, filled in, or not set.
    for key in every_setting() {
        let count = shown
            .lines()
            .filter(|l| l.starts_with(&format!("{key} = ")) || *l == format!("# {key}: not set"))
            .count();
        assert_eq!(count, 1, "{key} in:\n{shown}");
    }
    // What it shows is what the commands read: the same from .asf-release.toml.
    let settings = world.path("settings");
    std::fs::create_dir_all(&settings).unwrap();
    world.git(&settings, &["init", "-q"]);
    world.write(
        &settings,
        ".asf-release.toml",
        b"name = \"demo\"\nfirst-rc = 0\n",
    );
    let output = xtask_in(&world, &settings, &["config"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let shown = stdout(&output);
    assert!(
        shown.contains(".asf-release.toml") && shown.contains("\nfirst-rc = 0\n"),
        "{shown}"
    );
}

/// `--version` says what was built: the library's version, and the commit when the build came
/// from this checkout (asf-release/build.rs).
#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let world = World::new();
    let output = world.xtask(&["--version"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("cargo xtask 0.1.0"), "{text}");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let head = std::process::Command::new("git")
        .arg("-C")
        .arg(&root)
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    if let Some(head) = head {
        assert!(text.contains(&format!("(commit {head})")), "{text}");
    }
}
