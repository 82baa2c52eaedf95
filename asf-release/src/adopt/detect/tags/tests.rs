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

use super::*;

/// A day, in seconds.
const DAY: i64 = 86_400;

/// Tags made one day apart, in the order given.
fn in_order(names: &[&str]) -> Vec<Tag> {
    names
        .iter()
        .enumerate()
        .map(|(day, name)| Tag {
            name: name.to_string(),
            created: 1_600_000_000 + day as i64 * DAY,
        })
        .collect()
}

/// Tags made on the given days.
fn dated(names: &[(&str, i64)]) -> Vec<Tag> {
    names
        .iter()
        .map(|(name, day)| Tag {
            name: name.to_string(),
            created: 1_600_000_000 + day * DAY,
        })
        .collect()
}

/// No file states any version (a Go project).
fn nothing_stated(_: &str, _: &Version) -> bool {
    false
}

fn value<'a>(shapes: &'a TagShapes, key: &str) -> Option<&'a str> {
    shapes
        .settings
        .iter()
        .find(|s| s.key == key)
        .and_then(|s| s.value.as_deref())
}

fn comment<'a>(shapes: &'a TagShapes, key: &str) -> &'a str {
    shapes
        .settings
        .iter()
        .find(|s| s.key == key)
        .map_or("", |s| s.comment.as_str())
}

fn latest(shapes: &TagShapes) -> Option<&str> {
    shapes.latest.as_ref().map(|(tag, _)| tag.as_str())
}

#[test]
fn tag_shapes_are_found() {
    let shapes = tag_patterns(
        &in_order(&["v0.58.1", "v0.58.2-rc.5", "v0.58.2-rc.6", "v0.58.2", "2.2"]),
        &nothing_stated,
    );
    assert_eq!(value(&shapes, "tag-pattern"), Some("\"v{version}\""));
    assert_eq!(
        value(&shapes, "rc-tag-pattern"),
        Some("\"v{version}-rc.{rc}\"")
    );
    assert_eq!(latest(&shapes), Some("v0.58.2"));
    assert!(shapes.settings.iter().all(|s| s.key != "first-rc"));
    // Apache HugeGraph Toolchain changed its convention when it came to the ASF.
    let hugegraph = tag_patterns(
        &in_order(&[
            "v0.10.0",
            "v0.11.1",
            "v0.12.0",
            "before-apache",
            "1.0.0-rc2",
            "1.0.0",
            "1.2.0",
            "1.5.0-rc1",
            "1.5.0",
            "1.7.0",
        ]),
        &nothing_stated,
    );
    assert_eq!(value(&hugegraph, "tag-pattern"), Some("\"{version}\""));
    assert_eq!(
        value(&hugegraph, "rc-tag-pattern"),
        Some("\"{version}-rc{rc}\"")
    );
    assert_eq!(latest(&hugegraph), Some("1.7.0"));
}

#[test]
fn candidates_numbered_from_zero_are_seen() {
    // Arrow nanoarrow has numbered its candidates from 0 since its first release.
    let shapes = tag_patterns(
        &in_order(&[
            "apache-arrow-nanoarrow-0.7.0-rc0",
            "apache-arrow-nanoarrow-0.7.0",
            "apache-arrow-nanoarrow-0.8.0-rc0",
            "apache-arrow-nanoarrow-0.8.0-rc1",
            "apache-arrow-nanoarrow-0.8.0",
            "apache-arrow-nanoarrow-0.10.0-rc10",
        ]),
        &nothing_stated,
    );
    assert_eq!(value(&shapes, "first-rc"), Some("0"));
    assert!(
        comment(&shapes, "first-rc").contains("-0.7.0-rc0"),
        "{}",
        comment(&shapes, "first-rc")
    );
    assert_eq!(
        value(&shapes, "rc-tag-pattern"),
        Some("\"apache-arrow-nanoarrow-{version}-rc{rc}\"")
    );
    // `-rc10` and `-rc00` are not a candidate 0 (the latter is no number the tool makes).
    let shapes = tag_patterns(
        &in_order(&["v1.0.0-rc10", "v1.0.0-rc00", "v1.0.0-rc1", "v1.0.0"]),
        &nothing_stated,
    );
    assert_eq!(value(&shapes, "first-rc"), None);
}

/// Cordova JS: its own releases `6.1.0` and `rel/6.1.0`, and the platforms' tags of higher
/// versions (`android-7.1.1`), older, and newer (`osx-7.0.0`), all on the main branch, whose
/// `package.json` says the version of cordova-js then, not theirs.
#[test]
fn the_family_whose_files_state_its_versions_wins_over_foreign_tags_of_higher_versions() {
    // Cordova tags `6.1.0` and `rel/6.1.0` on the same commit, without annotation.
    let tags = dated(&[
        ("3.0.0", 0),
        ("android-6.1.0", 0),
        ("android-6.4.0", 1),
        ("android-7.0.0", 2),
        ("4.2.4", 3),
        ("rel/4.2.4", 3),
        ("android-7.1.1", 5),
        ("windows-7.1.0", 6),
        ("5.0.0", 7),
        ("rel/5.0.0", 7),
        ("6.1.0", 9),
        ("rel/6.1.0", 9),
        ("osx-6.0.0", 11),
        ("osx-7.0.0", 12),
        ("android", 13),
    ]);
    // The files at a plain or `rel/` tag state its version; at a platform's, cordova-js's own
    // development version (android-7.1.1: 4.2.5-dev).
    let states = |tag: &str, _: &Version| {
        tag.starts_with(|c: char| c.is_ascii_digit()) || tag.starts_with("rel/")
    };
    let shapes = tag_patterns(&tags, &states);
    assert_eq!(value(&shapes, "tag-pattern"), Some("\"{version}\""));
    assert_eq!(latest(&shapes), Some("6.1.0"));
    let said = comment(&shapes, "tag-pattern");
    for expected in [
        "4 found, newest 6.1.0 of 2020-09-22, whose files state 6.1.0",
        "other tag shapes, not the current release line: rel/{version} (3, newest rel/6.1.0",
        "osx-{version} (2, newest osx-7.0.0 of 2020-09-25, whose files do not state 7.0.0)",
        "android-{version} (4, newest android-7.1.1 of 2020-09-18, whose files do not state 7.1.1)",
    ] {
        assert!(said.contains(expected), "{expected}:\n{said}");
    }
    let releases: Vec<&str> = shapes.releases.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(releases, ["3.0.0", "4.2.4", "5.0.0", "6.1.0"]);

    // Without any version file to tell (a Go project), the family tagged last is the
    // current one, not the one of the highest versions.
    let shapes = tag_patterns(&tags, &nothing_stated);
    assert_eq!(value(&shapes, "tag-pattern"), Some("\"osx-{version}\""));
    let tags = in_order(&["android-7.0.0", "android-7.1.1", "6.0.0", "6.1.0"]);
    let shapes = tag_patterns(&tags, &nothing_stated);
    assert_eq!(value(&shapes, "tag-pattern"), Some("\"{version}\""));
    assert_eq!(latest(&shapes), Some("6.1.0"));
}

/// Maven Surefire: its milestones `surefire-3.0.0-M1` are releases, not candidates.
#[test]
fn milestones_and_other_qualified_versions_are_releases_not_candidates() {
    let shapes = tag_patterns(
        &in_order(&[
            "surefire-2.22.2",
            "surefire-3.0.0-M1",
            "surefire-3.0.0-M9",
            "surefire-3.0.0",
            "surefire-3.5.6",
            "surefire-3.6.0-M1",
        ]),
        &nothing_stated,
    );
    assert_eq!(
        value(&shapes, "tag-pattern"),
        Some("\"surefire-{version}\"")
    );
    assert_eq!(
        value(&shapes, "rc-tag-pattern"),
        Some("\"surefire-{version}-rc{rc}\"")
    );
    assert!(
        comment(&shapes, "rc-tag-pattern").contains("no release candidate tags found"),
        "{}",
        comment(&shapes, "rc-tag-pattern")
    );
    assert_eq!(latest(&shapes), Some("surefire-3.6.0-M1"));
    assert_eq!(shapes.releases.len(), 6);
    // Alpha, beta, preview: releases too; a candidate of a milestone is a candidate.
    let shapes = tag_patterns(
        &in_order(&[
            "v2.0.0-alpha.1",
            "v2.0.0-beta-2",
            "v2.0.0-preview3",
            "v2.0.0",
            "v4.0.0-M1-rc1",
            "v4.0.0-M1-rc2",
        ]),
        &nothing_stated,
    );
    assert_eq!(value(&shapes, "tag-pattern"), Some("\"v{version}\""));
    assert_eq!(
        value(&shapes, "rc-tag-pattern"),
        Some("\"v{version}-rc{rc}\"")
    );
    // Only a candidate's marker makes a candidate: `-RC2`, `-candidate-1`, `.CR1`; not
    // `-build5` or `-docker-1`.
    for (tags, pattern) in [
        (
            ["commons-io-2.21.0-RC1", "commons-io-2.22.0-RC2"],
            Some("\"commons-io-{version}-RC{rc}\""),
        ),
        (
            ["v0.20.0-candidate-1", "v0.21.0-candidate-2"],
            Some("\"v{version}-candidate-{rc}\""),
        ),
        (["1.0.0.CR1", "1.1.0.CR2"], Some("\"{version}.CR{rc}\"")),
        (
            ["pyiceberg-0.11.0rc1", "pyiceberg-0.11.1rc3"],
            Some("\"pyiceberg-{version}rc{rc}\""),
        ),
        (["1.0.0-build5", "1.1.0-docker-1"], None),
    ] {
        let shapes = tag_patterns(&in_order(&tags), &nothing_stated);
        let candidates = comment(&shapes, "rc-tag-pattern");
        match pattern {
            Some(pattern) => assert_eq!(value(&shapes, "rc-tag-pattern"), Some(pattern)),
            None => assert!(
                candidates.contains("no release candidate tags found"),
                "{candidates}"
            ),
        }
    }
}

/// The Apache parent POM: `apache-7` ... `apache-39`; and versions of two and four numbers.
#[test]
fn versions_of_one_to_four_numbers_are_seen() {
    let shapes = tag_patterns(
        &in_order(&[
            "apache-7",
            "apache-10",
            "apache-38",
            "apache-39",
            "apache-39-rc1",
        ]),
        &nothing_stated,
    );
    assert_eq!(value(&shapes, "tag-pattern"), Some("\"apache-{version}\""));
    assert_eq!(latest(&shapes), Some("apache-39"));
    assert_eq!(
        value(&shapes, "rc-tag-pattern"),
        Some("\"apache-{version}-rc{rc}\"")
    );
    for (tags, pattern, newest) in [
        (
            ["kafka-0.10.2.0", "kafka-0.10.2.1"],
            "\"kafka-{version}\"",
            "kafka-0.10.2.1",
        ),
        (
            ["release-3.0", "release-3.1"],
            "\"release-{version}\"",
            "release-3.1",
        ),
        // A digit in the name is not the version's.
        (
            ["commons-lang3-3.19.0", "commons-lang3-3.20.0"],
            "\"commons-lang3-{version}\"",
            "commons-lang3-3.20.0",
        ),
        (
            ["0.8.0-incubating", "0.9.0-incubating"],
            "\"{version}\"",
            "0.9.0-incubating",
        ),
    ] {
        let shapes = tag_patterns(&in_order(&tags), &nothing_stated);
        assert_eq!(value(&shapes, "tag-pattern"), Some(pattern));
        assert_eq!(latest(&shapes), Some(newest));
    }
    // Leading zeros, five numbers and words the grammar does not know are no versions; nor
    // is a number after one that stands alone (CVS's `IO_1_3`, Surefire's vote tags).
    let shapes = tag_patterns(
        &in_order(&[
            "v01.2.0",
            "v1.2.3.4.5",
            "1.0.0-SNAPSHOT",
            "2.6.x",
            "before-apache",
            "IO_1_3",
            "IO_1_4",
            "surefire-2.20_vote-2",
            "surefire-2.20_vote-3",
        ]),
        &nothing_stated,
    );
    assert_eq!(value(&shapes, "tag-pattern"), None);
}
