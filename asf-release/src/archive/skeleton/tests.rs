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

//! The skeleton against the whole tree: real `cargo metadata` on both must say the same, for
//! workspaces that load and for each way one can fail to.

use super::entries::walk;
use super::*;
use crate::archive::listing::new_dirs;
use crate::archive::unpack::unpack;
use crate::archive::writer::TarGzWriter;

const TOP: &str = "apache-demo-1.0.0-src";

/// Feeds `skeleton` every entry of `tarball` as the checks read it, each file with its
/// content when `with_content` (without, its manifests are read again at the end); stops at
/// the first refusal.
pub(super) fn feed_walk(
    tarball: &Utf8Path,
    skeleton: &mut Skeleton,
    with_content: bool,
) -> Result<()> {
    walk(tarball, Limits::default(), &mut |_, raw, node, content| {
        let content = (with_content && matches!(node, Node::File)).then_some(content);
        skeleton.add(raw, node, content)?;
        Ok(true)
    })
}

/// Unpacks what cargo reads of `tarball` into `into`, as a reader of its own.
fn unpack_manifests(tarball: &Utf8Path, into: &Utf8Path) -> Result<Option<Utf8PathBuf>> {
    let mut skeleton = Skeleton::new(into.to_owned());
    feed_walk(tarball, &mut skeleton, true)?;
    Ok(skeleton
        .finish(tarball, Limits::default())?
        .map(|unpacked| unpacked.root))
}

pub(super) enum Item<'a> {
    File(&'a str),
    Link(&'a str),
}
use Item::{File, Link};

/// A tarball of `entries` (paths below the top directory), with their directories, in the
/// order given.
pub(super) fn tarball(dir: &Utf8Path, entries: &[(&str, Item)]) -> Utf8PathBuf {
    let path = dir.join("candidate.tgz");
    let file = std::fs::File::create(&path).unwrap();
    let mut writer = TarGzWriter::new(file, 1_700_000_000).unwrap();
    writer.add_dir(TOP).unwrap();
    let mut made = std::collections::BTreeSet::new();
    for (name, item) in entries {
        let full = format!("{TOP}/{name}");
        for dir in new_dirs("", &full).skip(1) {
            if made.insert(dir.to_string()) {
                writer.add_dir(dir).unwrap();
            }
        }
        match item {
            File(text) => writer
                .add_file(&full, false, text.len() as u64, &mut text.as_bytes())
                .unwrap(),
            Link(target) => writer.add_symlink(&full, target).unwrap(),
        }
    }
    writer.finish().unwrap();
    path
}

/// `cargo metadata` on `root`: whether it loaded, and what it printed with `root` replaced.
pub(super) fn metadata(root: &Utf8Path) -> (bool, String) {
    let sh = xshell::Shell::new().unwrap();
    let output = crate::tools::cargo::metadata(root)
        .output_limited(&sh, 64 * 1024 * 1024)
        .unwrap();
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (
        output.status.success(),
        shown.replace(root.as_str(), "<root>"),
    )
}

/// Unpacks `entries` whole and as a skeleton, and checks that cargo sees both alike; returns
/// whether the workspace loads, what cargo said, and the paths the skeleton holds.
fn compare(entries: &[(&str, Item)]) -> (bool, String, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let dir = Utf8Path::from_path(dir.path()).unwrap();
    let tarball = tarball(dir, entries);
    let whole = dir.join("whole");
    std::fs::create_dir(&whole).unwrap();
    let whole = unpack(&tarball, &whole, Limits::default()).unwrap();
    let skeleton = unpack_manifests(&tarball, &dir.join("skeleton"))
        .unwrap()
        .expect("a root manifest");
    let (loads, said) = metadata(&whole);
    assert_eq!(
        metadata(&skeleton),
        (loads, said.clone()),
        "the skeleton differs for cargo"
    );
    (loads, said, held(&skeleton))
}

/// The paths under `root`, sorted.
fn held(root: &Utf8Path) -> Vec<String> {
    let mut paths = Vec::new();
    let mut dirs = vec![root.to_owned()];
    while let Some(dir) = dirs.pop() {
        for entry in dir.read_dir_utf8().unwrap() {
            let entry = entry.unwrap();
            let path = entry.path().to_owned();
            paths.push(path.strip_prefix(root).unwrap().to_string());
            if entry.file_type().unwrap().is_dir() {
                dirs.push(path);
            }
        }
    }
    paths.sort();
    paths
}

const WORKSPACE: &str = "[workspace]\nmembers = [\"crates/*\", \"tools\", \"scripts/*\"]\n\
                         resolver = \"2\"\n";

pub(super) fn package(name: &str, extra: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\nedition = \"2021\"\n{extra}")
}

#[test]
fn cargo_sees_the_skeleton_as_it_sees_the_whole_tree() {
    let core = package(
        "core",
        "[dependencies]\nutil = { path = \"../../util\" }\nshared = { path = \"../../deps/shared\" }\n",
    );
    let linked = package("linked", "");
    let shared = package("shared", "");
    let cli = package(
        "cli",
        "[[bin]]\nname = \"extra\"\n[[example]]\nname = \"demo\"\n",
    );
    let old = package("old", "edition = \"2015\"\n[[bin]]\nname = \"legacy\"\n")
        .replace("edition = \"2021\"\n", "");
    let util = package("util", "");
    let tools = package("tools", "");
    let mut entries = vec![
        (".github/workflows/ci.yml", File("on: push\n")),
        ("Cargo.toml", File(WORKSPACE)),
        ("README.md", File("# demo\n")),
        (
            "crates/README.md",
            File("a file a glob matches: cargo skips it\n"),
        ),
        ("crates/cli/Cargo.toml", File(&cli)),
        ("crates/cli/README.md", Link("../../README.md")),
        ("crates/cli/benches/speed.rs", File("fn main() {}\n")),
        ("crates/cli/examples/demo/main.rs", File("fn main() {}\n")),
        ("crates/cli/examples/notes.txt", File("not an example\n")),
        ("crates/cli/src/bin/extra.rs", File("fn main() {}\n")),
        ("crates/cli/src/bin/tool/main.rs", File("fn main() {}\n")),
        ("crates/cli/src/main.rs", File("fn main() {}\n")),
        ("crates/cli/tests/it.rs", File("#[test] fn t() {}\n")),
        ("crates/core/Cargo.toml", File(&core)),
        ("LICENSE", File("Apache License\n")),
        ("crates/core/LICENSE", Link("../../LICENSE")),
        ("crates/core/build.rs", File("fn main() {}\n")),
        ("crates/linked/Cargo.toml", File(&linked)),
        ("crates/linked/examples", Link("../../shared-examples")),
        ("crates/linked/src/lib.rs", File("\n")),
        // A path dependency through a link to a directory.
        ("deps", Link("vendor")),
        ("shared-examples/linked_demo.rs", File("fn main() {}\n")),
        ("vendor/shared/Cargo.toml", File(&shared)),
        ("vendor/shared/src/lib.rs", File("\n")),
        ("crates/core/src/lib.rs", File("pub mod deep;\n")),
        ("crates/core/src/deep/mod.rs", File("\n")),
        ("crates/core/src/util.rs", File("\n")),
        ("crates/old/Cargo.toml", File(&old)),
        ("crates/old/src/legacy.rs", File("fn main() {}\n")),
        ("docs/guide.md", File("# guide\n")),
        // A glob that matches files only: cargo ignores them, but not a glob matching nothing.
        ("scripts/run.sh", File("#!/bin/sh\n")),
        ("tools/Cargo.toml", Link("../templates/tools.toml")),
        ("tools/src/main.rs", File("fn main() {}\n")),
        ("templates/tools.toml", File(&tools)),
        ("util/Cargo.toml", File(&util)),
        ("util/src/lib.rs", File("\n")),
    ];
    // In path order, as `package` and `git archive` write them.
    entries.sort_by_key(|(path, _)| *path);
    let (loads, said, _) = compare(&entries);
    assert!(loads, "{said}");
    for target in [
        "extra",
        "tool",
        "demo",
        "speed",
        "it",
        "legacy",
        "build-script-build",
        "linked_demo",
        "shared",
    ] {
        assert!(
            said.contains(&format!("\"name\":\"{target}\"")),
            "{target}: {said}"
        );
    }
    // Only what cargo looks at: no module of a 2021 crate, no file of its own, no directory
    // no glob reaches, no link to what was not made. (A link in place of a directory target
    // discovery lists makes everything: without it, less.)
    entries.retain(|(path, _)| !path.starts_with("crates/linked/"));
    let (loads, said, held) = compare(&entries);
    assert!(loads, "{said}");
    assert!(held.iter().any(|p| p == "deps"), "{held:?}");
    for absent in [
        "crates/core/LICENSE",
        "LICENSE",
        "crates/core/src/util.rs",
        "crates/core/src/deep",
        "crates/cli/examples/notes.txt",
        "docs",
        ".github",
    ] {
        assert!(!held.iter().any(|p| p == absent), "{absent}: {held:?}");
    }
    assert!(held.iter().any(|p| p == "scripts/run.sh"), "{held:?}");

    // Out of path order (a manifest after its package's files), the same answer.
    entries.reverse();
    let (loads, said_again, _) = compare(&entries);
    assert!(loads, "{said_again}");
}

/// A case: what it is, the tree's entries, and what cargo says of it.
type Case<'a> = (&'a str, Vec<(&'a str, Item<'a>)>, &'a str);

#[test]
fn what_breaks_the_whole_tree_breaks_the_skeleton() {
    let member = package("a", "");
    let with_path = package("a", "[dependencies]\ngone = { path = \"../gone\" }\n");
    let bin = package("a", "[[bin]]\nname = \"missing\"\n");
    let cases: [Case; 6] = [
        (
            "a member left out",
            vec![
                (
                    "Cargo.toml",
                    File("[workspace]\nmembers = [\"a\", \"cli\"]\n"),
                ),
                ("a/Cargo.toml", File(&member)),
                ("a/src/lib.rs", File("\n")),
            ],
            "cli/Cargo.toml",
        ),
        (
            "a path dependency left out",
            vec![
                ("Cargo.toml", File("[workspace]\nmembers = [\"a\"]\n")),
                ("a/Cargo.toml", File(&with_path)),
                ("a/src/lib.rs", File("\n")),
            ],
            "gone",
        ),
        (
            "a directory a glob matches without a manifest",
            vec![
                (
                    "Cargo.toml",
                    File("[workspace]\nmembers = [\"crates/*\"]\n"),
                ),
                ("crates/a/Cargo.toml", File(&member)),
                ("crates/a/src/lib.rs", File("\n")),
                ("crates/docs/index.md", File("# docs\n")),
            ],
            "crates/docs",
        ),
        (
            "a directory a glob matches through a link",
            vec![
                (
                    "Cargo.toml",
                    File("[workspace]\nmembers = [\"crates/*\"]\n"),
                ),
                ("crates/a/Cargo.toml", File(&member)),
                ("crates/a/src/lib.rs", File("\n")),
                ("crates/docs", Link("../docs")),
                ("docs/index.md", File("# docs\n")),
            ],
            "crates/docs",
        ),
        (
            "a crate whose sources were left out",
            vec![
                ("Cargo.toml", File("[workspace]\nmembers = [\"a\"]\n")),
                ("a/Cargo.toml", File(&member)),
                ("a/src/other.txt", File("\n")),
            ],
            "no targets",
        ),
        (
            "a binary whose file was left out",
            vec![
                ("Cargo.toml", File("[workspace]\nmembers = [\"a\"]\n")),
                ("a/Cargo.toml", File(&bin)),
                ("a/src/lib.rs", File("\n")),
            ],
            "can't find `missing` bin",
        ),
    ];
    for (case, entries, expected) in cases {
        let (loads, said, _) = compare(&entries);
        assert!(!loads, "{case}: {said}");
        assert!(said.contains(expected), "{case}: {said}");
    }
}

#[test]
fn a_tree_without_a_root_manifest_is_never_unpacked() {
    let dir = tempfile::tempdir().unwrap();
    let dir = Utf8Path::from_path(dir.path()).unwrap();
    // Crates below the top do not make the tree a Rust workspace.
    let tarball = tarball(
        dir,
        &[
            ("README.md", File("# not Rust\n")),
            ("bindings/rust/Cargo.toml", File(&package("binding", ""))),
            ("bindings/rust/src/lib.rs", File("\n")),
            ("src/main.lua", File("print(1)\n")),
        ],
    );
    let into = dir.join("skeleton");
    assert_eq!(unpack_manifests(&tarball, &into).unwrap(), None);
    assert!(!into.exists(), "nothing may be written");
    // Nor is a scratch directory made for it.
    let mut skeleton = Skeleton::in_scratch("skeleton-test-never");
    feed_walk(&tarball, &mut skeleton, true).unwrap();
    assert!(skeleton.empty.get().is_none());
    assert!(matches!(&skeleton.into, Place::Scratch(_, made) if made.get().is_none()));
    assert!(skeleton
        .finish(&tarball, Limits::default())
        .unwrap()
        .is_none());
}

#[test]
fn a_late_root_manifest_and_manifests_fed_without_content_are_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let dir = Utf8Path::from_path(dir.path()).unwrap();
    let member = package("a", "");
    // The root manifest last (no writer here sorts): everything before it was held back, and
    // a budget of nothing makes it read again.
    let entries = [
        ("a/Cargo.toml", File(member.as_str())),
        ("a/src/lib.rs", File("\n")),
        ("Cargo.toml", File("[workspace]\nmembers = [\"a\"]\n")),
    ];
    let tarball = tarball(dir, &entries);
    let into = dir.join("skeleton");
    let mut skeleton = Skeleton::new(into.clone());
    skeleton.budget = 0;
    // A feeder that never has the content: the manifests come from a second read.
    feed_walk(&tarball, &mut skeleton, false).unwrap();
    let root = skeleton
        .finish(&tarball, Limits::default())
        .unwrap()
        .unwrap()
        .root;
    assert_eq!(
        std::fs::read_to_string(root.join("a/Cargo.toml")).unwrap(),
        member
    );
    assert!(root.join("a/src/lib.rs").is_file());
    let (loads, said) = metadata(&root);
    assert!(loads, "{said}");
}

#[test]
fn hostile_names_and_links_are_refused_as_unpack_refuses_them() {
    let dir = tempfile::tempdir().unwrap();
    let dir = Utf8Path::from_path(dir.path()).unwrap();
    let runs = std::cell::Cell::new(0);
    let refused = |raw: &str, node: Node| {
        runs.set(runs.get() + 1);
        let mut skeleton = Skeleton::new(dir.join(format!("out{}", runs.get())));
        skeleton
            .add(
                &format!("{TOP}/Cargo.toml"),
                Node::File,
                Some(&mut &b"[workspace]\n"[..]),
            )
            .unwrap();
        format!("{:#}", skeleton.add(raw, node, None).unwrap_err())
    };
    let escape = refused(&format!("{TOP}/../../escaped/Cargo.toml"), Node::File);
    assert!(escape.contains("leaves the directory"), "{escape}");
    let link = refused(
        &format!("{TOP}/src/lib.rs"),
        Node::Link("../../../etc/passwd"),
    );
    assert!(link.contains("points outside the tree"), "{link}");
    let other_top = refused("elsewhere/Cargo.toml", Node::File);
    assert!(other_top.contains("one top directory"), "{other_top}");
    let control = refused(&format!("{TOP}/a\u{1b}[2J/Cargo.toml"), Node::File);
    assert!(control.contains("control characters"), "{control}");
    let mut twice = Skeleton::new(dir.join("twice"));
    let manifest = format!("{TOP}/Cargo.toml");
    twice
        .add(&manifest, Node::File, Some(&mut &b"a"[..]))
        .unwrap();
    let again = twice.add(&manifest, Node::File, Some(&mut &b"b"[..]));
    assert!(format!("{:#}", again.unwrap_err()).contains("comes twice"));
    assert!(!dir.join("escaped").exists());
}

#[test]
fn roles_follow_cargo_target_discovery() {
    for probed in [
        "t/src/lib.rs",
        "t/src/main.rs",
        "t/src/bin/x.rs",
        "t/src/bin/x/main.rs",
        "t/examples/e.rs",
        "t/tests/it.rs",
        "t/benches/b.rs",
    ] {
        assert_eq!(role(probed), Role::Probed, "{probed}");
    }
    assert_eq!(role("t/src/legacy.rs"), Role::Legacy);
    assert_eq!(role("t/build.rs"), Role::PackageFile);
    assert_eq!(role("t/README.md"), Role::PackageFile);
    for unread in [
        "t/src/deep/mod.rs",
        "t/docs/a.rs",
        "t/LICENSE",
        "t/src/lib.lua",
    ] {
        assert_eq!(role(unread), Role::Unread, "{unread}");
    }
    assert_eq!(role("t/a/Cargo.toml"), Role::Manifest);
}

#[test]
fn a_holding_skeleton_fed_by_the_reader_makes_nothing_before_finish() {
    let dir = tempfile::tempdir().unwrap();
    let dir = Utf8Path::from_path(dir.path()).unwrap();
    let member = package("a", "");
    let tarball = tarball(
        dir,
        &[
            (
                "Cargo.toml",
                File("[workspace]\nmembers = [\"crates/*\"]\n"),
            ),
            ("crates/a/Cargo.toml", File(&member)),
            ("crates/a/README.md", Link("../../docs/README.md")),
            ("crates/a/src/lib.rs", File("\n")),
            ("crates/a/src/util.rs", File("\n")),
            ("docs/README.md", File("# a\n")),
        ],
    );
    let live = unpack_manifests(&tarball, &dir.join("live"))
        .unwrap()
        .unwrap();
    for budget in [PENDING_BUDGET, 0] {
        let into = dir.join(format!("held-{budget}"));
        let mut skeleton = Ok(Skeleton::new(into.clone()).held());
        if let Ok(skeleton) = &mut skeleton {
            skeleton.budget = budget;
        }
        let read = crate::archive::reader::read_archive(
            std::fs::File::open(&tarball).unwrap(),
            crate::archive::reader::Hashing::everything(crate::archive::reader::ObjectFormat::Sha1),
            Limits::default(),
            &wants_content,
            &mut |entry| {
                feed(&mut skeleton, &entry);
                Ok(())
            },
        );
        read.unwrap();
        assert!(!into.exists(), "made before the checks passed");
        let root = skeleton
            .unwrap()
            .finish(&tarball, Limits::default())
            .unwrap()
            .unwrap()
            .root;
        assert_eq!(held(&root), held(&live), "budget {budget}");
        let (loads, said) = metadata(&root);
        assert!(loads, "{said}");
    }
}

#[test]
fn what_a_skeleton_writes_in_all_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let dir = Utf8Path::from_path(dir.path()).unwrap();
    let member = package("a", "");
    let tarball = tarball(
        dir,
        &[
            ("Cargo.toml", File("[workspace]\nmembers = [\"a\"]\n")),
            ("a/Cargo.toml", File(&member)),
            ("a/src/lib.rs", File("\n")),
        ],
    );
    let made = |limit: u64, into: &str| {
        let mut skeleton = Skeleton::new(dir.join(into));
        skeleton.made_limit = limit;
        feed_walk(&tarball, &mut skeleton, true)
            .and_then(|()| skeleton.finish(&tarball, Limits::default()))
    };
    assert!(made(MADE_LIMIT, "roomy").unwrap().is_some());
    let err = made(40, "tight").err().expect("refused past the limit");
    assert!(
        format!("{err:#}").contains("add up to more than"),
        "{err:#}"
    );
}
