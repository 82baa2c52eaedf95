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

//! Tests of versions and lines: the research document's vectors, rejections, next versions,
//! candidate numbers and name patterns.

use super::*;

fn version(text: &str) -> Version {
    text.parse()
        .unwrap_or_else(|err| panic!("{text:?} should parse: {err:#}"))
}

#[test]
fn parses_good_versions() {
    let v = version("2.3.0");
    assert_eq!(v.to_string(), "2.3.0");
    assert_eq!(v.line().to_string(), "2.3");
    assert_eq!(version("10.20.30").numbers(), [10, 20, 30]);
    assert_eq!("3.18".parse::<Line>().unwrap().to_string(), "3.18");
    assert_eq!("24".parse::<Line>().unwrap().to_string(), "24");
}

/// The research document's section 4.1: every spelling parses, prints back as given and
/// is what the regex for patterns finds.
#[test]
fn asf_spellings_round_trip() {
    let whole = regex::Regex::new(&format!("^(?:{})$", version_regex())).unwrap();
    for text in [
        "31",
        "12.2",
        "2.3.0",
        "0.10.2.1",
        "0.9.5.1",
        "3.0",
        "3.0-RC1",
        "3.0-beta-3",
        "4.0.0-alpha-13",
        "4.0.0-beta-2",
        "4.0.0-rc-6",
        "3.10.0-rc-1",
        "11.0.0-M26",
        "9.0.0.M1",
        "0.9.0.M4",
        "4.0.0-M3",
        "4.0.0-RC1",
        "4.0.0-ALPHA",
        "4.0.0-BETA",
        "0.8.2-beta",
        "0.8.0-beta1",
        "9.0-beta",
        "9.0-rc1",
        "12.0-u1",
        "16-u1",
        "5.0.0-alpha-12",
        "4.0.0-rc-1",
        "4.2.0-preview3",
        "2.0-preview1",
        "0.7.2-incubating",
        "1.19.0-incubating",
        "1.0.0rc1",
        "4.0.0-alpha-1",
        "4.0.0-alpha1",
        "2.0.0-beta",
        "2.0.0-beta.2",
        "1.0.0-beta-incubating",
        "1a1",
        "1-cr2",
    ] {
        assert_eq!(version(text).to_string(), text);
        assert!(whole.is_match(text), "the regex finds {text}");
    }
    for text in ["1.2.3-SNAPSHOT", "0.9.0.dev", "1.2.3.4.5", "v1.2.3"] {
        assert!(!whole.is_match(text), "the regex skips {text}");
    }
}

#[test]
fn rejects_bad_versions_with_a_reason() {
    for (bad, why) in [
        ("2.3.x", "`x` is not a number, nor a qualifier"),
        ("v2.3.0", "drop the leading `v`"),
        ("2..3", "empty number"),
        ("-1", "empty number"),
        ("", "it is empty"),
        ("1.2.3.4.5", "more than four numbers"),
        ("02.3.0", "leading zero"),
        ("2.3.0-M01", "leading zero"),
        ("99999999999999999999.0.0", "too large"),
        ("1.2.3-", "must be followed by a qualifier word"),
        ("1.2.3--1", "must be followed by a qualifier word"),
        (
            "1.2.3-SNAPSHOT",
            "`SNAPSHOT` is not a number, nor a qualifier",
        ),
        ("0.9.0.dev", "`dev` is not a number, nor a qualifier"),
        ("0.9.0.v20140226", "`v` is not a number, nor a qualifier"),
        (
            "0.10.2.0-KAFKA-5526",
            "`KAFKA` is not a number, nor a qualifier",
        ),
        ("1.2.3-foo", "`foo` is not a number, nor a qualifier"),
        ("1.2.3-Alpha-1", "lower or upper case"),
        ("9.0-rc1-rc1", "a version has one qualifier"),
        ("2.3.0 ", "is not allowed"),
        ("2.3 .0", "is not allowed"),
        ("2.3.0\n", "is not allowed"),
    ] {
        let err = bad.parse::<Version>().unwrap_err().to_string();
        assert!(err.contains(why), "{bad:?}: {err}");
        assert!(err.contains("like 2.3.0"), "{bad:?}: {err}");
    }
    let long = "1".repeat(300);
    let err = long.parse::<Version>().unwrap_err().to_string();
    assert!(err.len() < 400, "the error shortens a long input: {err}");
    let err = "2.3.0-\u{1b}[31m"
        .parse::<Version>()
        .unwrap_err()
        .to_string();
    assert!(
        !err.contains('\u{1b}'),
        "control characters are escaped: {err}"
    );
    for bad in ["2.3.0", "v2", "", "2.x", "02"] {
        let err = bad.parse::<Line>().unwrap_err().to_string();
        assert!(err.contains("like 2.3 or 24"), "{bad:?}: {err}");
    }
}

/// The research document's section 4.3.
#[test]
fn orders_like_asf_projects_release_them() {
    for sequence in [
        "3.0-alpha-3 3.0-alpha-7 3.0-beta-1 3.0-beta-3 3.0-RC1 3.0-RC3 3.0 3.0.1",
        "4.0.0-alpha-1 4.0.0-alpha-2 4.0.0-alpha-9 4.0.0-alpha-10 4.0.0-alpha-13 \
         4.0.0-beta-2 4.0.0-beta-5 4.0.0-rc-1 4.0.0-rc-6 4.0.0",
        "3.9.9 3.9.16 3.10.0-rc-1 3.10.0 4.0.0-alpha-1",
        "10.1.59 11.0.0-M1 11.0.0-M2 11.0.0-M9 11.0.0-M10 11.0.0-M26 11.0.0 11.0.1 11.0.9 \
         11.0.10",
        "9.0.0.M1 9.0.0.M9 9.0.0.M27 9.0.0",
        "4.0.0-M1 4.0.0-M3 4.0.0-RC1 4.0.0-RC2 4.0.0",
        "5.0.0-alpha-1 5.0.0-alpha-12 5.0.0-beta-1 5.0.0-beta-2 5.0.0-rc-1 5.0.0 5.0.8",
        "3.6.2 4.0.0-ALPHA 4.0.0-BETA 4.0.0",
        "0.8.0-beta1 0.8.0 0.8.1.1 0.8.2-beta 0.8.2.0 0.8.2.1 0.9.0.0 0.10.0.0 0.11.0.3 \
         1.0.0 3.9.0",
        "9.0-beta 9.0-rc1 9.0 10.0 11.2 11.2-u1 11.3 12.0 12.0-u1 12.0-u2 12.1 12.2 12.2.1 \
         12.6 13 17 31",
        "0.9.5 0.9.5.1 0.9.6 1.0.0rc1 1.0.0rc3 1.0.0 14.0.1",
        "4.1.0-preview3 4.1.0-preview4 4.1.0",
        "2.0-preview1 2.0.0",
        "1-alpha2 1-alpha-123 1-beta-2 1-beta123 1-m2 1-m11 1-rc 1-cr2 1-rc123 1 1-sp 1-sp2",
        "1.0-beta 1.0-beta-1",
        "1.0.0-beta-incubating 1.0.0-incubating",
    ] {
        let versions: Vec<Version> = sequence.split_whitespace().map(version).collect();
        for pair in versions.windows(2) {
            assert_eq!(
                pair[0].precedence_cmp(&pair[1]),
                Ordering::Less,
                "{} < {}",
                pair[0],
                pair[1]
            );
            assert!(pair[0] < pair[1], "{} < {}", pair[0], pair[1]);
        }
    }
}

/// The research document's section 4.4: equal precedence, distinct spellings.
#[test]
fn equal_precedence_keeps_the_spellings_apart() {
    for group in [
        "1 1.0 1.0.0",
        "0.8.1 0.8.1.0",
        "13 13.0",
        "9.0.0.M1 9.0.0-M1",
        "1a1 1-alpha-1 1-alpha1",
        "1b2 1-beta-2",
        "1m3 1-milestone-3",
        "1cr 1rc",
        "3.0-RC1 3.0-rc-1",
        "1.0.0-incubating 1.0.0",
        "1.0-ga 1.0-final 1.0",
    ] {
        let versions: Vec<Version> = group.split_whitespace().map(version).collect();
        for pair in versions.windows(2) {
            assert_eq!(pair[0].precedence_cmp(&pair[1]), Ordering::Equal, "{group}");
            assert_ne!(pair[0], pair[1], "{group}");
            assert_ne!(pair[0].cmp(&pair[1]), Ordering::Equal, "{group}");
        }
    }
}

#[test]
fn pre_releases_are_alpha_beta_milestone_preview_and_rc() {
    for text in [
        "4.0.0-M1",
        "4.0.0-alpha-1",
        "2.0.0-beta",
        "4.0.0-rc-2",
        "2.0-preview1",
    ] {
        assert!(version(text).is_pre_release(), "{text}");
    }
    for text in ["4.0.0", "0.7.2-incubating", "12.0-u1", "1.0-ga", "24"] {
        assert!(!version(text).is_pre_release(), "{text}");
    }
}

#[test]
fn lines_hold_the_first_two_numbers_or_the_only_one() {
    for (text, line) in [
        ("2.3.0", "2.3"),
        ("4.0.0-M1", "4.0"),
        ("3.0", "3.0"),
        ("0.10.2.1", "0.10"),
        ("24", "24"),
        ("16-u1", "16"),
        ("0.7.2-incubating", "0.7"),
    ] {
        assert_eq!(version(text).line().to_string(), line, "{text}");
    }
    let line: Line = "24".parse().unwrap();
    assert_eq!((line.major(), line.minor()), (24, None));
    assert_eq!(line.first_version().to_string(), "24");
    assert_eq!(
        "2.3".parse::<Line>().unwrap().first_version().to_string(),
        "2.3.0"
    );
    assert!("24".parse::<Line>().unwrap() != "24.0".parse::<Line>().unwrap());
}

#[test]
fn next_patch_raises_the_last_number_and_refuses_pre_releases() {
    for (text, next) in [
        ("2.3.0", "2.3.1"),
        ("0.10.2.1", "0.10.2.2"),
        ("3.0", "3.0.1"),
        ("24", "25"),
        ("12.0-u1", "12.0.1"),
        ("0.7.2-incubating", "0.7.3-incubating"),
    ] {
        assert_eq!(
            version(text).next_patch().unwrap().to_string(),
            next,
            "{text}"
        );
    }
    for (text, release) in [
        ("4.0.0-M1", "4.0.0"),
        ("4.0.0-rc-2", "4.0.0"),
        ("2.0-preview1", "2.0"),
    ] {
        let err = version(text).next_patch().unwrap_err().to_string();
        assert!(
            err.contains("pre-release")
                && err.contains(&format!("release {release} itself"))
                && err.contains("give it explicitly"),
            "{err}"
        );
    }
    let last = version(&format!("1.0.{}", u64::MAX));
    assert!(last.next_patch().is_err());
}

#[test]
fn heading_anchors_follow_github() {
    assert_eq!(version("3.18.0").heading_anchor(), "3180");
    assert_eq!(version("4.0.0-M1").heading_anchor(), "400-m1");
    assert_eq!(version("2.0.0-beta.2").heading_anchor(), "200-beta2");
}

#[test]
fn rc_numbers_are_plain_numbers_from_zero() {
    assert_eq!(parse_rc("2").unwrap(), 2);
    assert_eq!(parse_rc("0").unwrap(), 0);
    assert_eq!(parse_rc("4294967295").unwrap(), u32::MAX);
    for bad in ["rc1", "", "-1", "+1", "4294967296", "1.0", " 1"] {
        let err = parse_rc(bad).unwrap_err().to_string();
        assert!(err.contains("like --rc 1"), "{bad:?}: {err}");
    }
}

#[test]
fn fills_patterns_and_rejects_unknown_placeholders() {
    let values = [("name", "apisix"), ("version", "2.3.0")];
    assert_eq!(
        fill("apache-{name}-{version}-src.tgz", &values).unwrap(),
        "apache-apisix-2.3.0-src.tgz"
    );
    let err = fill("{nmae}", &values).unwrap_err().to_string();
    assert!(err.contains("{nmae}") && err.contains("{name}"), "{err}");
    assert!(fill("{name", &values).is_err());
}

#[test]
fn a_spelling_names_a_version_with_all_its_numbers_and_its_qualifier() {
    let v = |text: &str| -> Version { text.parse().unwrap() };
    for (written, version) in [
        ("39", "39"),
        ("1.2.3.4", "1.2.3.4"),
        ("0.5", "0.5.0"),
        ("0.5.0", "0.5"),
        ("4.0.0.m1", "4.0.0-M1"),
        ("2.0.0-BETA", "2.0.0-beta"),
        ("1.0.0", "1.0.0-incubating"),
        ("1.0.0-incubating", "1.0.0"),
    ] {
        assert!(v(written).names(&v(version)), "{written} names {version}");
    }
    for (written, version) in [
        ("39.1", "39"),
        ("39.0", "39"),
        ("1.2.3.40", "1.2.3.4"),
        ("1.2.3.0", "1.2.3"),
        ("0.5.1", "0.5"),
        ("4.0.0-M10", "4.0.0-M1"),
        ("4.0.0-preview1", "4.0.0-M1"),
        ("4.0.0-a1", "4.0.0-alpha1"),
        ("2.0.0-beta2", "2.0.0-beta"),
        ("2.0.0", "2.0.0-beta"),
    ] {
        assert!(!v(written).names(&v(version)), "{written} is not {version}");
    }
    assert_eq!(
        v("1.2.0-rc1").candidate_marker(),
        Some((v("1.2.0"), Some(1)))
    );
    assert_eq!(
        v("0.14.0.RC0").candidate_marker(),
        Some((v("0.14.0"), Some(0)))
    );
    assert_eq!(v("24-rc").candidate_marker(), Some((v("24"), None)));
    assert_eq!(
        v("1.0.0-rc-2-incubating").candidate_marker(),
        Some((v("1.0.0-incubating"), Some(2)))
    );
    assert_eq!(v("4.0.0-M1").candidate_marker(), None);
    assert_eq!(
        v("1.0.0-CR1").candidate_marker(),
        Some((v("1.0.0"), Some(1)))
    );
}

#[test]
fn only_a_candidate_qualifier_reads_as_a_candidate() {
    let parts = |text: &str| {
        text.parse::<Version>()
            .unwrap()
            .candidate_parts()
            .map(|(version, marker, rc)| (version.to_string(), marker, rc))
    };
    assert_eq!(
        parts("2.3.0-rc.2"),
        Some(("2.3.0".into(), "-rc.".into(), 2))
    );
    assert_eq!(parts("0.11.1rc3"), Some(("0.11.1".into(), "rc".into(), 3)));
    assert_eq!(
        parts("2.22.0-RC1"),
        Some(("2.22.0".into(), "-RC".into(), 1))
    );
    assert_eq!(parts("1.0.0.CR1"), Some(("1.0.0".into(), ".CR".into(), 1)));
    // Milestones, alphas, betas and previews are releases of their own.
    for release in [
        "3.0.0-M1",
        "2.0.0-alpha-1",
        "2.0.0-beta2",
        "4.0.0-preview3",
        "39",
    ] {
        assert_eq!(parts(release), None, "{release}");
        assert!(
            !release.parse::<Version>().unwrap().is_candidate(),
            "{release}"
        );
    }
    // Without a number, or with -incubating after it, no `{version}<marker>{rc}`.
    assert_eq!(parts("1.0.0-RC"), None);
    assert!("1.0.0-RC".parse::<Version>().unwrap().is_candidate());
    assert_eq!(parts("0.8.0-rc1-incubating"), None);
}
