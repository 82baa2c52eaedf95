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

//! `adopt`: the xtask installed into another repository, its settings detected from that
//! repository, committed on a new branch; reruns update the xtask and keep the settings.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

fn source_repo() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string()
}

/// `adopt` with the library taken from this checkout (`--path`), as for an unpublished build.
fn adopt(world: &World, work: &Path, extra: &[&str]) -> Output {
    let source = source_repo();
    let library = format!("{source}/asf-release");
    let mut args = vec!["--repo", source.as_str()];
    args.extend_from_slice(extra);
    args.extend(["adopt", work.to_str().unwrap(), "--path", library.as_str()]);
    world.xtask(&args)
}

fn text(output: &Output) -> String {
    stdout(output) + &stderr(output)
}

/// A Lua project like APISIX: `foobar.git` on a bare origin with release branches and tags, a
/// Makefile that tars the release, a version file, `.gitignore` ignoring `.*`, a submodule.
fn lua_project(world: &World) -> PathBuf {
    let seed = world.path("seed");
    std::fs::create_dir_all(&seed).unwrap();
    world.git(&seed, &["init", "-q"]);
    world.write(&seed, "LICENSE", APACHE_LICENSE.as_bytes());
    world.write(
        &seed,
        "NOTICE",
        NOTICE.replace("Apache Demo", "Apache FooBar").as_bytes(),
    );
    world.write(&seed, "README.md", b"# Apache FooBar: the fast gateway\n");
    world.write(
        &seed,
        "Makefile",
        b"release-src:\n\ttar -zcvf $(NAME).tgz \\\n\t./lib \\\n\tLICENSE \\\n\tNOTICE \\\n\t*.md\n",
    );
    world.write(
        &seed,
        "lib/version.lua",
        format!("{LUA_HEADER}return {{\n    VERSION = \"1.2.0\"\n}}\n").as_bytes(),
    );
    world.write(
        &seed,
        "t/test.lua",
        format!("{LUA_HEADER}-- 1.2.0\n").as_bytes(),
    );
    world.write(&seed, ".gitignore", b".*\n!.gitignore\n");
    world.git(&seed, &["add", "-A"]);
    world.git(&seed, &["commit", "-qm", "FooBar 1.2.0"]);
    let commit = world.git(&seed, &["rev-parse", "HEAD"]);
    world.git(
        &seed,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("160000,{commit},t/toolkit"),
        ],
    );
    world.git(&seed, &["commit", "-qm", "Add the test toolkit"]);
    world.git(&seed, &["tag", "1.1.0", "HEAD~1"]);
    world.git(&seed, &["tag", "1.2.0"]);
    world.git(&seed, &["branch", "release/1.1", "HEAD~1"]);
    world.git(&seed, &["branch", "release/1.2"]);
    cloned_through_origin(world, &seed, "foobar")
}

/// `seed` pushed to a bare `<origin>.git` and cloned from there into `work`, so the clone has
/// the remote, its branches and tags that `adopt` reads.
fn cloned_through_origin(world: &World, seed: &Path, origin: &str) -> PathBuf {
    let bare = world.path(&format!("{origin}.git"));
    world.ok(world
        .command("git")
        .args(["clone", "-q", "--bare"])
        .arg(seed)
        .arg(&bare));
    let work = world.path("work");
    world.ok(world
        .command("git")
        .args(["clone", "-q"])
        .arg(&bare)
        .arg(&work));
    work
}

/// `package <version> --ref <tag> --no-sign` of the adopted repository into `out`.
fn package_tag(world: &World, repo: &Path, version: &str, tag: &str, out: &Path) -> Output {
    world.xtask(&[
        "--repo",
        repo.to_str().unwrap(),
        "package",
        version,
        "--ref",
        tag,
        "--no-sign",
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn adopt_installs_the_tool_with_detected_settings_and_reruns_keep_them() {
    let world = World::new();
    let work = lua_project(&world);
    let head = world.git(&work, &["rev-parse", "HEAD"]);

    // The dry run shows the files and the settings, and changes nothing.
    let dry = adopt(&world, &work, &["--dry-run"]);
    assert!(dry.status.success(), "{}", text(&dry));
    for expected in [
        ".cargo/config.toml",
        ".asf-release.toml",
        "name = \"foobar\"",
    ] {
        assert!(text(&dry).contains(expected), "{expected}: {}", text(&dry));
    }
    assert_eq!(world.git(&work, &["status", "--porcelain"]), "");
    assert_eq!(world.git(&work, &["rev-parse", "HEAD"]), head);

    let adopted = adopt(&world, &work, &[]);
    assert!(adopted.status.success(), "{}", text(&adopted));
    assert_eq!(
        world.git(&work, &["branch", "--show-current"]),
        "asf-release-xtask"
    );
    assert_eq!(
        world.git(&work, &["status", "--porcelain"]),
        "",
        "all committed"
    );
    let files = world.git(&work, &["ls-files"]);
    for expected in [
        ".cargo/config.toml",
        ".asf-release.toml",
        "xtask/Cargo.toml",
        "xtask/src/main.rs",
    ] {
        assert!(files.lines().any(|f| f == expected), "{expected}: {files}");
    }
    // The thin xtask: two files under xtask/, under 80 lines, no copy of the library.
    let under_xtask: Vec<&str> = files.lines().filter(|f| f.starts_with("xtask/")).collect();
    assert_eq!(
        under_xtask,
        ["xtask/Cargo.toml", "xtask/src/main.rs"],
        "{files}"
    );
    let lines: usize = under_xtask
        .iter()
        .map(|f| {
            std::fs::read_to_string(work.join(f))
                .unwrap()
                .lines()
                .count()
        })
        .sum();
    assert!(lines < 80, "{lines} lines under xtask/");
    let manifest = std::fs::read_to_string(work.join("xtask/Cargo.toml")).unwrap();
    assert!(!manifest.contains("[[test]]") && manifest.contains("[workspace]"));
    let library = format!("{}/asf-release", source_repo());
    let parsed: toml::Table = toml::from_str(&manifest).unwrap();
    assert_eq!(
        parsed["dependencies"]["asf-release"]["path"].as_str(),
        Some(library.as_str()),
        "{manifest}"
    );
    let alias = std::fs::read_to_string(work.join(".cargo/config.toml")).unwrap();
    assert!(
        alias.contains("--manifest-path xtask/Cargo.toml"),
        "{alias}"
    );
    let ignore = std::fs::read_to_string(work.join(".gitignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "/target"), "{ignore}");
    let settings = std::fs::read_to_string(work.join(".asf-release.toml")).unwrap();
    for expected in [
        "display-name = \"FooBar\"",
        "branch-pattern = \"release/{major}.{minor}\"",
        "tag-pattern = \"{version}\"",
        "no release candidate tags found",
        "path = \"lib/version.lua\"",
        "includes = [\"/lib\", \"/LICENSE\", \"/NOTICE\", \"/*.md\"]",
        "submodules = \"skip\"",
        "t/toolkit",
    ] {
        assert!(settings.contains(expected), "{expected}:\n{settings}");
    }

    // The adopted repository works with what was detected.
    let repo = work.to_str().unwrap();
    let doctor = world.xtask(&["--repo", repo, "doctor", "--offline"]);
    assert!(
        text(&doctor).contains("✓ configuration of foobar"),
        "{}",
        text(&doctor)
    );
    let out = world.path("out");
    let package = package_tag(&world, &work, "1.2.0", "1.2.0", &out);
    assert!(package.status.success(), "{}", text(&package));
    // The Makefile's allow-list leaves out t/, the submodule with it.
    assert!(
        text(&package).contains("not in includes: 4 file(s) left out (./ 2, t/ 2)"),
        "{}",
        text(&package)
    );

    // A rerun: nothing to do; settings edited by hand stay, a source an earlier (vendoring)
    // version copied in goes.
    let again = adopt(&world, &work, &[]);
    assert!(text(&again).contains("nothing to do"), "{}", text(&again));
    let edited = settings.replace("display-name = \"FooBar\"", "display-name = \"Foo Bar\"");
    world.write(&work, ".asf-release.toml", edited.as_bytes());
    world.write(
        &work,
        "xtask/src/retired.rs",
        b"// gone in the new version\n",
    );
    world.git(&work, &["add", "-A"]);
    world.git(&work, &["commit", "-qm", "Local changes"]);
    let update = adopt(&world, &work, &[]);
    assert!(update.status.success(), "{}", text(&update));
    assert_eq!(
        world.git(&work, &["branch", "--show-current"]),
        "asf-release-xtask-2"
    );
    assert!(!work.join("xtask/src/retired.rs").exists());
    let kept = std::fs::read_to_string(work.join(".asf-release.toml")).unwrap();
    assert_eq!(kept, edited, "the settings are kept");

    // Uncommitted changes: refused, nothing written.
    world.write(&work, "README.md", b"# changed\n");
    let refused = adopt(&world, &work, &[]);
    assert_fails_with(&refused, &["uncommitted changes", "commit or stash"]);
}

#[test]
fn a_rust_workspace_keeps_everything_and_gains_the_member() {
    let world = World::new();
    let work = world.path("rusty");
    std::fs::create_dir_all(&work).unwrap();
    world.git(&work, &["init", "-q"]);
    world.write(
        &work,
        "Cargo.toml",
        b"[workspace]\nmembers = [\"core\"]\nresolver = \"2\"\n\n[workspace.package]\nversion = \"2.0.0\"\n",
    );
    world.write(
        &work,
        "core/Cargo.toml",
        b"[package]\nname = \"core\"\nversion.workspace = true\n",
    );
    world.write(&work, ".cargo/config.toml", b"[build]\njobs = 1\n");
    world.git(&work, &["add", "-A"]);
    world.git(&work, &["commit", "-qm", "Workspace"]);
    world.git(&work, &["tag", "v2.0.0"]);

    let adopted = adopt(&world, &work, &[]);
    assert!(adopted.status.success(), "{}", text(&adopted));
    let root = std::fs::read_to_string(work.join("Cargo.toml")).unwrap();
    let parsed: toml::Table = toml::from_str(&root).unwrap();
    let members: Vec<&str> = parsed["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m.as_str())
        .collect();
    assert_eq!(members, ["xtask", "core"]);
    assert!(root.contains("resolver = \"2\"") && root.contains("opt-level = 3"));
    assert!(
        root.contains("[workspace.metadata.asf-release]\n"),
        "{root}"
    );
    assert!(root.contains("tag-pattern = \"v{version}\""), "{root}");
    assert!(!work.join(".asf-release.toml").exists());
    let config = std::fs::read_to_string(work.join(".cargo/config.toml")).unwrap();
    assert!(
        config.contains("jobs = 1") && config.contains("--package xtask"),
        "{config}"
    );
    let manifest = std::fs::read_to_string(work.join("xtask/Cargo.toml")).unwrap();
    assert!(!manifest.contains("[workspace]") && !manifest.contains(".workspace = true"));
}

/// A podling like Apache Answer: `incubator-answer.git`, a DISCLAIMER, a branch per version.
#[test]
fn a_podling_is_detected_and_its_package_is_incubating() {
    let world = World::new();
    let seed = world.path("seed");
    std::fs::create_dir_all(&seed).unwrap();
    world.git(&seed, &["init", "-q"]);
    world.write(&seed, "LICENSE", APACHE_LICENSE.as_bytes());
    world.write(
        &seed,
        "NOTICE",
        NOTICE.replace("Apache Demo", "Apache Answer").as_bytes(),
    );
    world.write(
        &seed,
        "DISCLAIMER",
        b"Apache Answer is an effort undergoing incubation at The Apache Software Foundation (ASF), sponsored by the Apache Incubator.\n",
    );
    world.write(&seed, "README.md", b"# Apache Answer\n");
    world.write(
        &seed,
        "Makefile",
        format!("{SH_HEADER}VERSION=0.2.0\nBIN=answer\n").as_bytes(),
    );
    // Like Apache Commons Text: the project's version, and a dependency's deeper down; a
    // history of releases that is no version file.
    let xml_header = "<!-- Licensed to the Apache Software Foundation (ASF) under the Apache License, Version 2.0 -->\n";
    world.write(
        &seed,
        "pom.xml",
        format!("{xml_header}<project>\n  <version>0.2.0</version>\n  <dependencies>\n    <dependency>\n      <version>5.1.0</version>\n    </dependency>\n  </dependencies>\n</project>\n").as_bytes(),
    );
    // Like Apache HugeGraph Toolchain: Maven's CI-friendly version in a module's properties.
    world.write(
        &seed,
        "tools/pom.xml",
        format!("{xml_header}<project>\n  <version>${{revision}}</version>\n  <properties>\n    <revision>0.2.0</revision>\n  </properties>\n</project>\n").as_bytes(),
    );
    world.write(
        &seed,
        "src/changes/changes.xml",
        format!("{xml_header}<document>\n  <release version=\"0.2.0\" date=\"2026-01-02\"/>\n  <release version=\"0.1.0\" date=\"2025-01-02\"/>\n</document>\n").as_bytes(),
    );
    world.git(&seed, &["add", "-A"]);
    world.git(&seed, &["commit", "-qm", "Answer 0.2.0"]);
    world.git(&seed, &["tag", "v0.2.0"]);
    world.git(&seed, &["branch", "release/0.1.9"]);
    world.git(&seed, &["branch", "release/0.2.0"]);
    world.git(&seed, &["branch", "feat/0.3.0/ui"]);
    let work = cloned_through_origin(&world, &seed, "incubator-answer");

    let adopted = adopt(&world, &work, &[]);
    assert!(adopted.status.success(), "{}", text(&adopted));
    let settings = std::fs::read_to_string(work.join(".asf-release.toml")).unwrap();
    for expected in [
        "name = \"answer\"",
        "incubating = true",
        "display-name = \"Answer\"",
        "branch-pattern = \"release/{major}.{minor}\"",
        "branch per version (release/0.2.0 holds v0.2.0)",
        "no release has the numbers of release/0.1.9",
        "path = \"Makefile\"",
        "{ path = \"pom.xml\", pattern = \"(?m)^  <version>{version}</\" }",
        "{ path = \"tools/pom.xml\", pattern = \"(?m)^    <revision>{version}</\" }",
    ] {
        assert!(settings.contains(expected), "{expected}:\n{settings}");
    }
    let out = world.path("out");
    let package = package_tag(&world, &work, "0.2.0", "v0.2.0", &out);
    assert!(package.status.success(), "{}", text(&package));
    assert!(out.join("apache-answer-0.2.0-incubating-src.tgz").exists());
    // changes.xml is a history, no version file; it is where the project keeps its notes.
    assert!(
        !settings.contains("{ path = \"src/changes/changes.xml\""),
        "{settings}"
    );
    assert!(
        settings.contains("changelog = { file = \"src/changes/changes.xml\", write = false }"),
        "{settings}"
    );
    assert!(!text(&package).contains("carries"), "{}", text(&package));
}

/// A Go project shaped like the APISIX Ingress Controller: `make release-src` tars `.`
/// without some directories, a per-version branch holds the newest release beside a revert
/// branch and a line that never had a release, the changelog heads releases `# X.Y.Z`, the
/// version sits alone in `version.txt`, README's title is only the slug, and a test fixture
/// named `.dll` is empty.
#[test]
fn a_project_s_own_release_process_is_read_from_its_makefile_branches_and_changelog() {
    let world = World::new();
    let seed = world.path("seed");
    std::fs::create_dir_all(&seed).unwrap();
    world.git(&seed, &["init", "-q"]);
    world.write(&seed, "LICENSE", APACHE_LICENSE.as_bytes());
    world.write(
        &seed,
        "NOTICE",
        NOTICE
            .replace("Apache Demo", "Apache Gateway Ingress")
            .as_bytes(),
    );
    world.write(&seed, "README.md", b"# gateway-ingress\n\nThe ingress.\n");
    world.write(
        &seed,
        "Makefile",
        format!(
            "{SH_HEADER}VERSION ?= 1.0.0\nRELEASE_SRC = apache-gateway-ingress-${{VERSION}}-src\n\n\
             release-src:\n\ttar -zcvf $(RELEASE_SRC).tgz \\\n\t--exclude .github \\\n\t--exclude .git \\\n\t\
             --exclude docs \\\n\t--exclude test \\\n\t--exclude $(RELEASE_SRC).tgz \\\n\t.\n"
        )
        .as_bytes(),
    );
    world.write(&seed, "version.txt", b"1.0.0\n");
    let go_header = "// Licensed to the Apache Software Foundation (ASF) under the Apache License, Version 2.0.\n";
    world.write(
        &seed,
        "main.go",
        format!("{go_header}package main\n\nfunc main() {{}}\n").as_bytes(),
    );
    world.write(
        &seed,
        "pkg/test/fixture.go",
        format!("{go_header}package test\n").as_bytes(),
    );
    world.write(&seed, "lib/fixtures/native.dll", b"");
    world.write(&seed, "docs/en/guide.md", b"# Guide\n");
    world.write(
        &seed,
        ".github/workflows/ci.yml",
        b"# Licensed under the Apache License, Version 2.0.\non: push\n",
    );
    world.write(
        &seed,
        "CHANGELOG.md",
        b"<!--\n#\n# Licensed to the Apache Software Foundation (ASF) under the Apache License 2.0.\n#\n-->\n\n# Table of Contents\n\n- [1.0.0](#100)\n\n# 1.0.0-rc1\n\nA candidate.\n\n# 1.0.0\n\nWelcome to 1.0.0.\n\n## Highlights\n\n* first\n",
    );
    world.git(&seed, &["add", "-A"]);
    world.git(&seed, &["commit", "-qm", "Gateway Ingress 1.0.0"]);
    world.git(&seed, &["tag", "1.0.0"]);
    world.git(&seed, &["branch", "v1.0.0"]);
    world.git(&seed, &["branch", "1.8"]);
    world.write(
        &seed,
        "main.go",
        format!("{go_header}package main\n\n// next\nfunc main() {{}}\n").as_bytes(),
    );
    world.git(&seed, &["commit", "-qam", "Next"]);
    world.git(&seed, &["branch", "revert-2245-someone/split-events"]);
    let work = cloned_through_origin(&world, &seed, "gateway-ingress");

    let adopted = adopt(&world, &work, &[]);
    assert!(adopted.status.success(), "{}", text(&adopted));
    let settings = std::fs::read_to_string(work.join(".asf-release.toml")).unwrap();
    for expected in [
        // NOTICE names it; README's slug does not.
        "display-name = \"Gateway Ingress\"",
        "branch-pattern = \"v{major}.{minor}\"",
        "branch per version (v1.0.0 holds 1.0.0)",
        "no release has the numbers of 1.8, revert-2245-someone/split-events",
        "{ path = \"version.txt\", pattern = \"^{version}\" }",
        "changelog = { heading = \"# {version}\" }",
        // The project's excludes, then what adopt added (not part of the release).
        "excludes = [\".github\", \"docs\", \"test\", \"/xtask/\", \"/.cargo/config.toml\"]",
        "the project's archive has no top directory",
    ] {
        assert!(settings.contains(expected), "{expected}:\n{settings}");
    }
    let alias = std::fs::read_to_string(work.join(".cargo/config.toml")).unwrap();
    assert!(
        alias.starts_with("# Licensed to the Apache Software Foundation (ASF)"),
        "{alias}"
    );

    let out = world.path("out");
    let package = package_tag(&world, &work, "1.0.0", "1.0.0", &out);
    assert!(package.status.success(), "{}", text(&package));
    let tarball = out.join("apache-gateway-ingress-1.0.0-src.tgz");
    let listing = world.ok(world.command("tar").arg("-tzf").arg(&tarball));
    // As `make release-src` ships it (`test` and `docs` at any depth left out), with the
    // empty `.dll` fixture, which is no compiled code.
    let mut files: Vec<&str> = listing.lines().filter(|l| !l.ends_with('/')).collect();
    files.sort();
    assert_eq!(
        files,
        [
            "apache-gateway-ingress-1.0.0-src/CHANGELOG.md",
            "apache-gateway-ingress-1.0.0-src/LICENSE",
            "apache-gateway-ingress-1.0.0-src/Makefile",
            "apache-gateway-ingress-1.0.0-src/NOTICE",
            "apache-gateway-ingress-1.0.0-src/README.md",
            "apache-gateway-ingress-1.0.0-src/lib/fixtures/native.dll",
            "apache-gateway-ingress-1.0.0-src/main.go",
            "apache-gateway-ingress-1.0.0-src/version.txt",
        ]
    );
}

#[test]
fn a_project_that_tags_its_releases_on_the_main_branch_releases_from_it() {
    let world = World::new();
    let seed = world.path("seed");
    std::fs::create_dir_all(&seed).unwrap();
    world.git(&seed, &["init", "-q"]);
    world.write(&seed, "LICENSE", APACHE_LICENSE.as_bytes());
    world.write(&seed, "NOTICE", NOTICE.as_bytes());
    world.write(&seed, "README.md", b"# Apache Demo\n");
    world.write(&seed, "CHANGES.md", b"# Changes\n\n## 1.0.0\n\n- First.\n");
    world.git(&seed, &["add", "-A"]);
    world.git(&seed, &["commit", "-qm", "Demo 1.0.0"]);
    world.git(&seed, &["tag", "1.0.0"]);
    // The next release as Maven's release plugin makes it: one release commit beside master,
    // tagged, while master goes on.
    world.write(
        &seed,
        "CHANGES.md",
        b"# Changes\n\n## 1.1.0\n\n- More.\n\n## 1.0.0\n\n- First.\n",
    );
    world.git(&seed, &["commit", "-qam", "Changes of 1.1.0"]);
    world.git(&seed, &["checkout", "-q", "--detach"]);
    world.write(&seed, "RELEASE", b"1.1.0\n");
    world.git(&seed, &["add", "RELEASE"]);
    world.git(&seed, &["commit", "-qm", "Prepare the release 1.1.0"]);
    world.git(&seed, &["tag", "1.1.0"]);
    world.git(&seed, &["checkout", "-q", "master"]);
    world.write(
        &seed,
        "CHANGES.md",
        b"# Changes\n\n## 1.2.0\n\n## 1.1.0\n\n- More.\n",
    );
    world.git(&seed, &["commit", "-qam", "Changes of 1.2.0"]);
    let work = cloned_through_origin(&world, &seed, "demo");

    let adopted = adopt(&world, &work, &[]);
    assert!(adopted.status.success(), "{}", text(&adopted));
    let settings = std::fs::read_to_string(work.join(".asf-release.toml")).unwrap();
    for expected in [
        "tagged on the main branch (newest: 1.1.0, 1 commit(s) beside master)",
        "release-from-main = true",
    ] {
        assert!(settings.contains(expected), "{expected}:\n{settings}");
    }
    assert!(!settings.contains("\nbranch-pattern"), "{settings}");

    let repo = work.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
        command.env("GITHUB_API_URL", "http://127.0.0.1:9");
        command.args(["--repo", repo]).args(args).output().unwrap()
    };
    let branch = run(&["branch", "1.2"]);
    assert!(branch.status.success(), "{}", text(&branch));
    assert!(
        stdout(&branch)
            .contains("nothing to do: releases are tagged on master (release-from-main)"),
        "{}",
        text(&branch)
    );
    let backport = run(&["backport", "1.2", "--dry-run"]);
    assert!(backport.status.success(), "{}", text(&backport));
    assert!(
        stdout(&backport).contains("there is nothing to backport"),
        "{}",
        text(&backport)
    );
    // dist out of reach, on this machine.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(work.join(".asf-release.toml"))
        .unwrap();
    std::io::Write::write_all(
        &mut file,
        b"svn-dev-url = \"file:///nonexistent/dev\"\nsvn-release-url = \"file:///nonexistent/release\"\n",
    )
    .unwrap();
    let status = run(&["status", "1.2", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&stdout(&status)).unwrap();
    let state = |name: &str| {
        let steps = report["steps"].as_array().unwrap();
        let step = steps.iter().find(|s| s["step"] == name).unwrap();
        step["state"].clone()
    };
    assert_eq!(state("branch"), "done", "{report}");
    assert_eq!(state("backport"), "done", "{report}");
    // The main branch is where the notes are read.
    assert_eq!(state("changelog"), "done", "{report}");
}

#[test]
fn adopt_runs_from_a_directory_without_release_settings() {
    let world = World::new();
    let work = lua_project(&world);
    let library = format!("{}/asf-release", source_repo());
    // The world's root, where the command starts, has no settings of any kind.
    let output = world.xtask(&[
        "adopt",
        work.to_str().unwrap(),
        "--path",
        &library,
        "--dry-run",
    ]);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        stdout(&output).contains("install the xtask into"),
        "{}",
        text(&output)
    );
}
