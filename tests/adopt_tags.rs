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

//! `adopt`'s reading of the release tags on repositories shaped like the ASF ones it misread
//! (docs/adoption.md, second round): Cordova JS's platform tags of higher versions, Maven
//! Surefire's milestones, the Apache parent POM's one-number versions. Each repository is
//! made with real git, adopted with the real binary, and then used by the flow.

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

/// `adopt <work> --path <this checkout's library>`.
fn adopt(world: &World, work: &Path, extra: &[&str]) -> Output {
    let source = source_repo();
    let library = format!("{source}/asf-release");
    let mut args = vec!["--repo", source.as_str(), "adopt"];
    args.push(work.to_str().unwrap());
    args.extend(["--path", library.as_str()]);
    args.extend_from_slice(extra);
    world.xtask(&args)
}

fn text(output: &Output) -> String {
    stdout(output) + &stderr(output)
}

/// A project with `lib/version.lua` and its license files, committed with dates of its own.
struct Project<'a> {
    world: &'a World,
    seed: PathBuf,
}

impl<'a> Project<'a> {
    fn new(world: &'a World, name: &str) -> Project<'a> {
        let seed = world.path("seed");
        std::fs::create_dir_all(&seed).unwrap();
        world.git(&seed, &["init", "-q"]);
        world.write(&seed, "LICENSE", APACHE_LICENSE.as_bytes());
        world.write(
            &seed,
            "NOTICE",
            NOTICE
                .replace("Apache Demo", &format!("Apache {name}"))
                .as_bytes(),
        );
        world.write(&seed, "README.md", format!("# Apache {name}\n").as_bytes());
        Project { world, seed }
    }

    /// A commit stating `version` in lib/version.lua, made on `date` (`2018-07-06`).
    fn commit(&self, version: &str, date: &str) {
        self.world.write(
            &self.seed,
            "lib/version.lua",
            format!("{LUA_HEADER}return {{\n    VERSION = \"{version}\"\n}}\n").as_bytes(),
        );
        self.dated(date, &["add", "-A"]);
        self.dated(date, &["commit", "-qm", &format!("Version {version}")]);
    }

    /// A git command with author and committer dates of `date` (noon UTC).
    fn dated(&self, date: &str, args: &[&str]) {
        let when = format!("{date}T12:00:00Z");
        self.world.ok(self
            .world
            .command("git")
            .arg("-C")
            .arg(&self.seed)
            .args(args)
            .env("GIT_AUTHOR_DATE", &when)
            .env("GIT_COMMITTER_DATE", &when));
    }

    /// The seed pushed to a bare `<origin>.git` and cloned from there, as a clone from GitHub
    /// has its remote branches and tags.
    fn cloned(&self, origin: &str) -> PathBuf {
        let bare = self.world.path(&format!("{origin}.git"));
        self.world.ok(self
            .world
            .command("git")
            .args(["clone", "-q", "--bare"])
            .arg(&self.seed)
            .arg(&bare));
        let work = self.world.path("work");
        self.world.ok(self
            .world
            .command("git")
            .args(["clone", "-q"])
            .arg(&bare)
            .arg(&work));
        work
    }
}

fn settings(work: &Path) -> String {
    std::fs::read_to_string(work.join(".asf-release.toml")).unwrap()
}

/// Cordova JS: its own releases `6.0.0`/`rel/6.0.0`, `6.1.0`/`rel/6.1.0`; the platforms' tags
/// `android-6.1.0` ... `android-7.1.1` of higher versions, older, on a branch never merged,
/// whose version file says the version of the project then; and `osx-7.0.0`, newer, on the
/// main branch, where the project's version is `6.1.1-dev`.
#[test]
fn a_foreign_family_of_higher_versions_is_not_taken_for_the_release_tags() {
    let world = World::new();
    let project = Project::new(&world, "Cordova");
    project.commit("4.2.0", "2016-09-01");
    project.dated("2016-09-02", &["checkout", "-qb", "platforms"]);
    for (version, tag, date) in [
        ("4.2.1-dev", "android-6.1.0", "2016-10-22"),
        ("4.2.3-dev", "android-7.0.0", "2017-10-30"),
        ("4.2.5-dev", "android-7.1.1", "2018-07-06"),
    ] {
        project.commit(version, date);
        project.dated(date, &["tag", tag]);
    }
    project.dated("2019-01-01", &["checkout", "-q", "master"]);
    for (version, date) in [("6.0.0", "2020-04-08"), ("6.1.0", "2021-07-12")] {
        project.commit(version, date);
        project.dated(date, &["tag", version]);
        project.dated(date, &["tag", &format!("rel/{version}")]);
    }
    project.commit("6.1.1-dev", "2021-10-17");
    project.dated("2021-10-17", &["tag", "osx-6.0.0", "HEAD~1"]);
    project.dated("2021-10-17", &["tag", "osx-7.0.0"]);
    project.dated("2021-10-18", &["branch", "-D", "platforms"]);
    let work = project.cloned("cordova-js");

    let adopted = adopt(&world, &work, &[]);
    assert!(adopted.status.success(), "{}", text(&adopted));
    let found = settings(&work);
    for expected in [
        "tag-pattern = \"{version}\"",
        "newest 6.1.0 of 2021-07-12, whose files state 6.1.0",
        "android-{version} (3, newest android-7.1.1 of 2018-07-06, whose files do not state 7.1.1)",
        "osx-{version} (2, newest osx-7.0.0 of 2021-10-17, whose files do not state 7.0.0)",
        "path = \"lib/version.lua\"",
    ] {
        assert!(found.contains(expected), "{expected}:\n{found}");
    }
    assert!(!found.contains("tag-pattern = \"android-"), "{found}");

    // `package 6.1.0` without --ref builds the project's 6.1.0, not the platform's commit.
    let out = world.path("out");
    let repo = work.to_str().unwrap();
    let package = world.xtask(&[
        "--repo",
        repo,
        "package",
        "6.1.0",
        "--no-sign",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(package.status.success(), "{}", text(&package));
    let tarball = out.join("apache-cordova-js-6.1.0-src.tgz");
    assert!(tarball.is_file(), "{}", text(&package));
    let listed = world.ok(world
        .command("tar")
        .arg("-xzOf")
        .arg(&tarball)
        .arg("apache-cordova-js-6.1.0-src/lib/version.lua"));
    assert!(listed.contains("VERSION = \"6.1.0\""), "{listed}");
}

/// Maven Surefire: `surefire-3.0.0-M1` ... are milestone releases, `surefire-3.0.0-rc1` a
/// candidate.
#[test]
fn milestones_are_releases_and_only_rc_tags_candidates() {
    let world = World::new();
    let project = Project::new(&world, "Surefire");
    for (version, date) in [
        ("3.0.0-M1", "2018-11-04"),
        ("3.0.0-M2", "2018-12-01"),
        ("3.0.0", "2023-03-02"),
        ("3.6.0-M1", "2026-06-02"),
    ] {
        project.commit(version, date);
        project.dated(date, &["tag", &format!("surefire-{version}")]);
    }
    // The candidate voted on became the release.
    project.dated(
        "2023-03-02",
        &["tag", "surefire-3.0.0-rc1", "surefire-3.0.0"],
    );
    let work = project.cloned("maven-surefire");
    let adopted = adopt(&world, &work, &[]);
    assert!(adopted.status.success(), "{}", text(&adopted));
    let found = settings(&work);
    for expected in [
        "tag-pattern = \"surefire-{version}\"",
        "4 found, newest surefire-3.6.0-M1",
        "rc-tag-pattern = \"surefire-{version}-rc{rc}\"",
        "the shape of the candidate tags (surefire-3.0.0-rc1)",
    ] {
        assert!(found.contains(expected), "{expected}:\n{found}");
    }
    assert!(!found.contains("-M{rc}"), "{found}");
    // The milestone packages as the release it is.
    let out = world.path("out");
    let package = world.xtask(&[
        "--repo",
        work.to_str().unwrap(),
        "package",
        "3.0.0-M2",
        "--no-sign",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(package.status.success(), "{}", text(&package));
    assert!(
        out.join("apache-maven-surefire-3.0.0-M2-src.tgz").is_file(),
        "{}",
        text(&package)
    );
}

/// The Apache parent POM: `apache-38`, `apache-39` on master.
#[test]
fn one_number_versions_are_tagged_and_their_lines_are_released_from_master() {
    let world = World::new();
    let project = Project::new(&world, "Parent");
    for (version, date) in [("38", "2026-01-10"), ("39", "2026-06-25")] {
        project.commit(version, date);
        project.dated(date, &["tag", &format!("apache-{version}")]);
    }
    project.commit("40-SNAPSHOT", "2026-06-26");
    let work = project.cloned("maven-apache-parent");
    let adopted = adopt(&world, &work, &[]);
    assert!(adopted.status.success(), "{}", text(&adopted));
    let found = settings(&work);
    for expected in [
        "tag-pattern = \"apache-{version}\"",
        "2 found, newest apache-39 of 2026-06-25",
        // Tagged on master: released from it (lines.rs's tests cover `{major}.x`, the
        // pattern written where the history cannot tell).
        "release-from-main = true",
        "path = \"lib/version.lua\"",
    ] {
        assert!(found.contains(expected), "{expected}:\n{found}");
    }
    // Nothing reaches the ASF's services or GitHub.
    let mut local = found.clone();
    local.push_str(
        "svn-dev-url = \"file:///nonexistent/dev\"\nsvn-release-url = \"file:///nonexistent/release\"\n",
    );
    world.write(&work, ".asf-release.toml", local.as_bytes());
    let repo = work.to_str().unwrap();
    for (args, says) in [
        (
            &["status", "39"][..],
            "release 39 of Maven Apache Parent: version 39 (RC1), branch master",
        ),
        (
            &["status", "40"][..],
            "release 40 of Maven Apache Parent: version 40 (RC1), branch master",
        ),
    ] {
        let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
        command
            .arg("--repo")
            .arg(repo)
            .args(args)
            .env("GITHUB_API_URL", "http://127.0.0.1:9");
        let status = command.output().unwrap();
        assert!(status.status.success(), "{args:?}: {}", text(&status));
        assert!(text(&status).contains(says), "{args:?}: {}", text(&status));
    }
}
