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

//! End-to-end tests of `changelog` and `download-page` on fixture repositories with real git.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use asf_release::release_branch::NOTES_HEADER;
use common::*;

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed:\n{}{}",
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

fn commit(world: &World, repo: &Path, author: &str, subject: &str) {
    let file = format!("changes/{}.txt", subject.len() * 7919 % 100_003);
    world.write(repo, &file, subject.as_bytes());
    world.git(repo, &["add", "-A"]);
    world.git(
        repo,
        &[
            "-c",
            &format!("user.name={author}"),
            "commit",
            "-q",
            "-m",
            subject,
        ],
    );
}

/// A project with a 1.0.0 release, conventional commits after it on master and a v1.1
/// release branch, and the APISIX-style CHANGELOG of 1.0.0.
fn project(world: &World) -> PathBuf {
    let repo = world.path("project");
    std::fs::create_dir_all(&repo).unwrap();
    world.git(&repo, &["init", "-q"]);
    world.write(
        &repo,
        "Cargo.toml",
        b"[workspace.metadata.asf-release]\nname = \"demo\"\n",
    );
    world.write(
        &repo,
        "CHANGELOG.md",
        b"---\ntitle: Changelog\n---\n\n<!--\n# Licensed to the ASF.\n-->\n\n## Table of Contents\n\n- [1.0.0](#100)\n\n## 1.0.0\n\nThe first release.\n",
    );
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-q", "-m", "chore: release 1.0.0"]);
    world.git(&repo, &["tag", "1.0.0"]);
    commit(
        world,
        &repo,
        "Ann Author",
        "feat(admin): an API to list routes (#12)",
    );
    commit(
        world,
        &repo,
        "Bo Builder",
        "fix: crash when the config is empty (#15)",
    );
    commit(
        world,
        &repo,
        "Ann Author",
        "refactor!: drop the v1 route format (#16)",
    );
    commit(world, &repo, "Cy Coder", "docs: explain the upgrade");
    commit(world, &repo, "Cy Coder", "Bump lua-resty-http");
    world.git(&repo, &["branch", "v1.1"]);
    commit(world, &repo, "Dee Dev", "feat: not in the release branch");
    repo
}

const NOTES: &str = "# 1.1.0

### Breaking changes

- drop the v1 route format ([#16](https://github.com/apache/demo/pull/16))

### Features

- admin: an API to list routes ([#12](https://github.com/apache/demo/pull/12))

### Bug fixes

- crash when the config is empty ([#15](https://github.com/apache/demo/pull/15))

### Documentation

- explain the upgrade

### Other changes

- Bump lua-resty-http

### Contributors

3 contributors: Ann Author, Bo Builder, Cy Coder
";

#[test]
fn changelog_collects_the_release_branch_and_a_rerun_changes_nothing() {
    let world = World::new();
    let repo = project(&world);
    let run = |args: &[&str]| {
        let mut all = vec!["--repo", repo.to_str().unwrap(), "changelog"];
        all.extend_from_slice(args);
        world.xtask(&all)
    };
    assert_fails_with(
        &run(&["1.1.0", "--check"]),
        &["no `## 1.1.0` section", "cargo xtask changelog 1.1.0"],
    );

    let dry = ok(&run(&["1.1.0", "--dry-run"]));
    assert!(dry.contains("changes 1.0.0..v1.1"), "{dry}");
    assert!(
        !repo.join("release-notes/1.1.0.md").exists(),
        "a dry run writes nothing"
    );

    ok(&run(&["1.1.0"]));
    let notes = std::fs::read_to_string(repo.join("release-notes/1.1.0.md")).unwrap();
    // The notes ship in the source tarball: they carry the license header.
    assert_eq!(notes, format!("{NOTES_HEADER}{NOTES}"));
    let changelog = std::fs::read_to_string(repo.join("CHANGELOG.md")).unwrap();
    let section = NOTES.replacen("# 1.1.0", "## 1.1.0", 1);
    assert_eq!(
        changelog,
        format!("---\ntitle: Changelog\n---\n\n<!--\n# Licensed to the ASF.\n-->\n\n## Table of Contents\n\n- [1.1.0](#110)\n- [1.0.0](#100)\n\n{section}\n## 1.0.0\n\nThe first release.\n")
    );
    ok(&run(&["1.1.0", "--check"]));

    let again = ok(&run(&["1.1.0"]));
    assert!(again.contains("nothing to do"), "{again}");
    assert_eq!(
        std::fs::read_to_string(repo.join("CHANGELOG.md")).unwrap(),
        changelog
    );

    // A hand edit of the section is replaced on a rerun, never duplicated.
    std::fs::write(
        repo.join("CHANGELOG.md"),
        changelog.replace("- explain the upgrade", "- edited"),
    )
    .unwrap();
    ok(&run(&["1.1.0"]));
    assert_eq!(
        std::fs::read_to_string(repo.join("CHANGELOG.md")).unwrap(),
        changelog
    );
}

#[test]
fn changelog_prefers_fragments_when_the_repository_has_them() {
    let world = World::new();
    let repo = project(&world);
    world.write(
        &repo,
        "release-notes/unreleased/b-fix.md",
        b"- Fixed the crash on start.\n",
    );
    world.write(
        &repo,
        "release-notes/unreleased/a-feature.md",
        b"- Added route listing.\n",
    );
    ok(&world.xtask(&["--repo", repo.to_str().unwrap(), "changelog", "1.1.0"]));
    let notes = std::fs::read_to_string(repo.join("release-notes/1.1.0.md")).unwrap();
    assert_eq!(
        notes,
        format!("{NOTES_HEADER}# 1.1.0\n\n- Added route listing.\n\n- Fixed the crash on start.\n")
    );
}

const DOWNLOADS_JS: &str = "const releases = [
  {
    name: 'Other',
    version: '9.9.9',
    releaseDate: '2023-01-01',
  },
  {
    name: 'Demo',
    version: '1.0.0',
    releaseDate: '2024-01-02',
    link: 'https://www.apache.org/dyn/closer.lua/demo/1.0.0/apache-demo-1.0.0-src.tgz',
  },
];
";

fn website(world: &World) -> (PathBuf, PathBuf) {
    let site = world.path("website");
    std::fs::create_dir_all(&site).unwrap();
    world.git(&site, &["init", "-q"]);
    world.write(&site, "config/downloads.js", DOWNLOADS_JS.as_bytes());
    world.write(&site, "README.md", b"# Website\n");
    world.git(&site, &["add", "-A"]);
    world.git(&site, &["commit", "-q", "-m", "Website"]);
    // 1.1.0 is released: signed, and its key in the release KEYS the page links.
    let dist = Dist::new(world, world.path("dist"));
    dist.release_signed(world, "1.1.0", b"the sources of 1.1.0");
    let repo = world.path("project");
    std::fs::create_dir_all(&repo).unwrap();
    world.write(
        &repo,
        "Cargo.toml",
        format!("[workspace.metadata.asf-release]\nname = \"demo\"\nsvn-dev-url = \"{0}/dev/demo\"\nsvn-release-url = \"{0}/release/demo\"\n\n[workspace.metadata.asf-release.download-page]\nfile = \"config/downloads.js\"\nafter = \"name: 'Demo'\"\nlines = [\"version: '{{version}}',\", \"releaseDate: '{{date}}',\", \"link: '{{closer_url}}',\"]\n", dist.url).as_bytes(),
    );
    (site, repo)
}

#[test]
fn download_page_is_one_commit_on_a_new_branch_and_a_rerun_is_a_no_op() {
    let world = World::new();
    let (site, repo) = website(&world);
    let run = |extra: &[&str]| {
        let mut args = vec!["--repo", repo.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.extend([
            "download-page",
            "1.1.0",
            "--website",
            site.to_str().unwrap(),
        ]);
        world
            .command(env!("CARGO_BIN_EXE_xtask"))
            .env("SOURCE_DATE_EPOCH", "1717200000")
            .args(&args)
            .output()
            .unwrap()
    };
    let dry = ok(&run(&["--dry-run"]));
    assert!(
        dry.contains("branch --no-track download-page-demo-1.1.0"),
        "{dry}"
    );
    assert_eq!(
        world.git(&site, &["branch", "--list", "download-page-*"]),
        ""
    );

    let output = ok(&run(&[]));
    assert!(
        output.contains("-    version: '1.0.0',\n") && output.contains("+    version: '1.1.0',\n"),
        "the diff is printed:\n{output}"
    );
    // The branch is made with plumbing: the checkout stays on master, untouched.
    assert_eq!(world.git(&site, &["branch", "--show-current"]), "master");
    assert_eq!(world.git(&site, &["status", "--porcelain"]), "");
    let branch = "download-page-demo-1.1.0";
    assert_eq!(
        world.git(
            &site,
            &["rev-list", "--count", &format!("master..{branch}")]
        ),
        "1"
    );
    let expected = DOWNLOADS_JS
        .replace("version: '1.0.0'", "version: '1.1.0'")
        .replace("releaseDate: '2024-01-02'", "releaseDate: '2024-06-01'")
        .replace(
            "demo/1.0.0/apache-demo-1.0.0-src.tgz",
            "demo/1.1.0/apache-demo-1.1.0-src.tgz",
        );
    assert_eq!(
        world.git(&site, &["show", &format!("{branch}:config/downloads.js")]) + "\n",
        expected
    );
    assert_eq!(
        world.git(&site, &["diff", "--name-only", "master", branch]),
        "config/downloads.js"
    );

    let again = ok(&run(&[]));
    assert!(again.contains("nothing to do"), "{again}");
    assert_eq!(
        world.git(
            &site,
            &["rev-list", "--count", "master..download-page-demo-1.1.0"]
        ),
        "1"
    );
}

#[test]
fn download_page_errors_say_what_to_fix() {
    let world = World::new();
    let (site, repo) = website(&world);
    world.write(&site, "README.md", b"# changed\n");
    let output = world.xtask(&[
        "--repo",
        repo.to_str().unwrap(),
        "download-page",
        "1.1.0",
        "--website",
        site.to_str().unwrap(),
    ]);
    assert_fails_with(&output, &["uncommitted changes", "commit or stash"]);
    world.git(&site, &["checkout", "README.md"]);
    world.write(
        &site,
        "config/downloads.js",
        DOWNLOADS_JS
            .replace("name: 'Demo'", "name: 'Renamed'")
            .as_bytes(),
    );
    world.git(&site, &["commit", "-qam", "rename"]);
    let output = world.xtask(&[
        "--repo",
        repo.to_str().unwrap(),
        "download-page",
        "1.1.0",
        "--website",
        site.to_str().unwrap(),
    ]);
    assert_fails_with(
        &output,
        &["no line of config/downloads.js contains `name: 'Demo'`"],
    );
    assert_eq!(
        world.git(&site, &["branch", "--list"]),
        "* master",
        "nothing half-done"
    );

    // The page links the release KEYS: it must hold the key that signed 1.1.0.
    world.git(&site, &["reset", "-q", "--hard", "HEAD~1"]);
    let keys = world.path("KEYS.empty");
    std::fs::write(&keys, KEYS_HEADER).unwrap();
    let url = format!("file://{}/release/demo/KEYS", world.path("dist").display());
    world.ok(world
        .command("svnmucc")
        .args(["-m", "lost", "put"])
        .arg(&keys)
        .arg(&url));
    let output = world.xtask(&[
        "--repo",
        repo.to_str().unwrap(),
        "download-page",
        "1.1.0",
        "--website",
        site.to_str().unwrap(),
    ]);
    assert_fails_with(
        &output,
        &[
            "https://downloads.apache.org/demo/KEYS (which users import to check 1.1.0) does not \
             hold the key that signed apache-demo-1.1.0-src.tgz",
            "keys append",
        ],
    );
    assert_eq!(world.git(&site, &["branch", "--list"]), "* master");
}

/// The project's own heading style (Apache Iceberg Rust's `## [v0.10.1] - 2026-07-28`), and
/// notes a project keeps itself (Apache Commons Lang's RELEASE-NOTES.txt), which `changelog`
/// checks and never replaces with a CHANGELOG.md.
#[test]
fn changelog_writes_the_project_s_heading_style_or_leaves_its_own_notes_alone() {
    let world = World::new();
    let repo = project(&world);
    let run = |args: &[&str]| {
        let mut all = vec!["--repo", repo.to_str().unwrap(), "changelog"];
        all.extend_from_slice(args);
        world
            .command(env!("CARGO_BIN_EXE_xtask"))
            .args(&all)
            // 2026-07-28T12:00:00Z: the day the section is dated.
            .env("SOURCE_DATE_EPOCH", "1785240000")
            .output()
            .unwrap()
    };
    world.write(
        &repo,
        "Cargo.toml",
        b"[workspace.metadata.asf-release]\nname = \"demo\"\nchangelog = { heading = \"## [v{version}] - {date}\" }\n",
    );
    let iceberg = "<!-- license -->\n\n# Change Log\n\nAll notable changes.\n\n## [v1.0.0] - 2026-07-07\n\n* first\n";
    world.write(&repo, "CHANGELOG.md", iceberg.as_bytes());
    world.git(&repo, &["commit", "-qam", "chore: the project's changelog"]);
    world.git(&repo, &["checkout", "-q", "v1.1"]);
    world.git(
        &repo,
        &[
            "checkout",
            "-q",
            "master",
            "--",
            "Cargo.toml",
            "CHANGELOG.md",
        ],
    );
    world.git(&repo, &["commit", "-qm", "chore: the project's changelog"]);
    assert_fails_with(
        &run(&["1.1.0", "--check"]),
        &["no `## [v1.1.0] - <date>` section"],
    );
    ok(&run(&["1.1.0"]));
    let changelog = std::fs::read_to_string(repo.join("CHANGELOG.md")).unwrap();
    // Newest first, in the project's style, no table of contents added.
    assert!(
        changelog.starts_with("<!-- license -->\n\n# Change Log\n\nAll notable changes.\n\n## [v1.1.0] - 2026-07-28\n\n### Breaking changes\n"),
        "{changelog}"
    );
    assert!(
        changelog.ends_with("\n\n## [v1.0.0] - 2026-07-07\n\n* first\n"),
        "{changelog}"
    );
    assert!(!changelog.contains("Table of Contents"), "{changelog}");
    ok(&run(&["1.1.0", "--check"]));
    assert!(ok(&run(&["1.1.0"])).contains("nothing to do"));

    // Notes of the project's own: checked, never written.
    world.write(
        &repo,
        "Cargo.toml",
        b"[workspace.metadata.asf-release]\nname = \"demo\"\nchangelog = { file = \"RELEASE-NOTES.txt\", write = false }\n",
    );
    world.write(
        &repo,
        "RELEASE-NOTES.txt",
        b"Apache Demo 1.0.0 Release Notes\n",
    );
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-qm", "chore: own notes"]);
    let head = world.git(&repo, &["rev-parse", "HEAD"]);
    assert_fails_with(
        &run(&["1.2.0"]),
        &[
            "RELEASE-NOTES.txt does not name 1.2.0",
            "write them its way",
        ],
    );
    world.write(
        &repo,
        "RELEASE-NOTES.txt",
        b"Apache Demo 1.2.0 Release Notes\n",
    );
    let checked = ok(&run(&["1.2.0"]));
    assert!(
        checked.contains("RELEASE-NOTES.txt has a mention of 1.2.0"),
        "{checked}"
    );
    assert_eq!(
        world.git(&repo, &["rev-parse", "HEAD"]),
        head,
        "nothing committed"
    );
    assert!(!repo.join("release-notes/1.2.0.md").exists());
}
