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

//! Subjects as people write them: reply prefixes of many clients and languages, and the
//! version and candidate a `[VOTE]` subject names in any common spelling.

use std::sync::LazyLock;

use regex::Regex;

use crate::version::{Candidate, Version};

/// Reply and forward prefixes of the common clients and languages.
const REPLY_PREFIXES: [&str; 13] = [
    "re:",
    "aw:",
    "sv:",
    "vs:",
    "antw:",
    "odp:",
    "r:",
    "fwd:",
    "fw:",
    "回复:",
    "回复：",
    "答复:",
    "答复：",
];

/// The subject without its reply prefixes (`Re: AW: 回复: [VOTE] ...` -> `[VOTE] ...`), and
/// whether there were any.
pub fn base_subject(subject: &str) -> (String, bool) {
    let mut rest = subject.trim();
    let mut reply = false;
    'strip: loop {
        let lower = rest.to_lowercase();
        for prefix in REPLY_PREFIXES {
            if lower.starts_with(prefix) {
                rest = rest[prefix.len()..].trim_start();
                reply = true;
                continue 'strip;
            }
        }
        break;
    }
    (rest.split_whitespace().collect::<Vec<_>>().join(" "), reply)
}

pub fn tag(subject: &str, tag: &str) -> bool {
    subject.to_ascii_lowercase().contains(tag)
}

/// What a subject says about the candidate asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// The version and the candidate number.
    Candidate,
    /// The version, and no candidate number at all (`[VOTE] Release Apache Avro-rs 0.18.0`).
    VersionOnly,
    /// Another version or candidate, or none.
    Other,
}

/// A version as a subject writes it: where it is, how many numbers it has, and what it
/// parses to (none when it does not: a leading zero, a number too large).
struct Written {
    start: usize,
    end: usize,
    count: usize,
    version: Option<Version>,
}

/// The versions written in `subject`, in any case (`2.0.0-Beta`, `1.0.0-Incubating`): each a
/// word of its own, not inside a word (`x1.2`, `2nd`), a `v` before it being the usual prefix.
/// One that goes on past the grammar (`1.2.3.4.5`, `1.2.0-1`, `2.0.0-betamax`,
/// `1.2.0-SNAPSHOT`, but not `4.0.0-M1-rc1`) is kept as a version that parses to none: it names no version asked for.
fn written(subject: &str) -> Vec<Written> {
    static VERSIONS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&crate::version::version_regex()).expect("the version pattern is valid")
    });
    // A candidate marker after a qualifier (`4.0.0-M1-rc1`) or the label (`1.0-incubating-rc1`).
    static MARKER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[-.]rc[-.]?[0-9]*(?:[^a-z0-9]|$)").expect("the marker pattern is valid")
    });
    // ASCII lower case keeps every byte where it was; the grammar takes `-beta` and `-m1`.
    let lower = subject.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut versions = Vec::new();
    for found in VERSIONS.find_iter(&lower) {
        let before = found.start().checked_sub(1).map(|at| bytes[at]);
        let before_v = found.start().checked_sub(2).map(|at| bytes[at]);
        let glued_before = match before {
            Some(b'v') => before_v.is_some_and(|b| b.is_ascii_alphanumeric()),
            Some(b) => b.is_ascii_alphanumeric() || b == b'.',
            None => false,
        };
        let after = &bytes[found.end()..];
        if glued_before || after.first().is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        let goes_on = matches!(after, [b'.' | b'-', next, ..] if next.is_ascii_alphanumeric())
            && !MARKER.is_match(&lower[found.end()..]);
        let text = found.as_str();
        let numbers = text
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .map_or(text, |end| &text[..end]);
        versions.push(Written {
            start: found.start(),
            end: found.end(),
            count: numbers.trim_end_matches('.').split('.').count(),
            version: text.parse().ok().filter(|_| !goes_on),
        });
    }
    versions
}

/// What `subject` names. The version is the first one written with three or four numbers
/// (`1.2.0`, `v1.2.0`, `0.10.2.1`, `4.0.0-M1`), or, when there is none, with two (`[VOTE] TVM
/// 0.5 Release` names 0.5.0), or else with one (`[VOTE] Release Apache NetBeans 24`); it names
/// the candidate's version by [`Version::names`] (exactly: `39.1` is not `39`, `4.0.0-M10` not
/// `4.0.0-M1`), or with a candidate marker glued to it (`1.2.0-rc1`, `v0.14.0.rc0`). The
/// candidate is that marker, or else the first `RC1`, `rc-1`, `(RC1)`, `release candidate
/// #1`, `candidate 1` outside the version. `1.0.0 (RC1)` is not in `11.0.0 (RC10)`.
pub fn naming(subject: &str, candidate: &Candidate) -> Naming {
    static CANDIDATES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:release candidate|candidate|rc)[\s._#-]{0,3}(\d{1,9})")
            .expect("the candidate pattern is valid")
    });
    let versions = written(subject);
    let first = |counts: &[usize]| versions.iter().find(|v| counts.contains(&v.count));
    let Some(named) = first(&[3, 4])
        .or_else(|| first(&[2]))
        .or_else(|| first(&[1]))
    else {
        return Naming::Other;
    };
    let Some(version) = named.version else {
        return Naming::Other;
    };
    let wanted = &candidate.version;
    let marker = match version.candidate_marker() {
        _ if version.names(wanted) => None,
        Some((bare, number)) if bare.names(wanted) => Some(number),
        _ => return Naming::Other,
    };
    // The version's own spelling (`4.0.0-rc-4`) is not a candidate marker.
    let outside = format!(
        "{}{}{}",
        &subject[..named.start],
        " ".repeat(named.end - named.start),
        &subject[named.end..]
    );
    let bytes = outside.as_bytes();
    let first_rc = CANDIDATES.captures_iter(&outside).find_map(|found| {
        let whole = found.get(0)?;
        let before = whole.start().checked_sub(1).map(|at| bytes[at]);
        let after = bytes.get(whole.end()).copied();
        let bounded = !before.is_some_and(|b| b.is_ascii_alphabetic())
            && !after.is_some_and(|b| b.is_ascii_alphanumeric());
        bounded.then(|| found.get(1)?.as_str().parse::<u64>().ok())?
    });
    match marker.flatten().or(first_rc) {
        None => Naming::VersionOnly,
        Some(number) if number == u64::from(candidate.rc) => Naming::Candidate,
        Some(_) => Naming::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(version: &str, rc: u32) -> Candidate {
        Candidate {
            version: version.parse().unwrap(),
            rc,
        }
    }

    #[test]
    fn subjects_name_the_candidate_in_every_common_spelling() {
        let one_two = candidate("1.2.0", 1);
        for subject in [
            "[VOTE] Release Apache Foo 1.2.0 (RC1)",
            "[VOTE] Release Apache Foo 1.2.0-rc1",
            "[VOTE] Release Apache Foo v1.2.0.rc1",
            "[VOTE] Release Apache Foo 1.2.0 RC1",
            "[VOTE] Release rc1 of 1.2.0",
            "[VOTE] Apache Foo 1.2.0 release candidate 1",
            "[VOTE] Release Apache Foo 1.2.0 RC-1",
            "[VOTE] Release 1.2.0, release candidate #1",
            "[VOTE] Release Apache Foo 1.2.0RC1",
            "[VOTE] Release Apache Log4j 1.2.0 RC 1",
            "[VOTE] Apache Foo 1.2 Release, candidate 1",
        ] {
            assert_eq!(naming(subject, &one_two), Naming::Candidate, "{subject}");
        }
        for subject in [
            "[VOTE] Release Apache Foo 11.2.0 (RC1)",
            "[VOTE] Release Apache Foo 1.2.0 (RC10)",
            "[VOTE] Release Apache Foo 1.2.0.1 (RC1)",
            "[VOTE] Release Apache Foo 1.2.0 (RC2)",
            "[VOTE] Release Apache Foo 21.2.0-rc1",
            "[VOTE] Release Apache Foo 1.2.1 (RC1)",
            "[VOTE] Release Apache Foo x1.2.0 (RC1)",
        ] {
            assert_eq!(naming(subject, &one_two), Naming::Other, "{subject}");
        }
        assert_eq!(
            naming(
                "[VOTE] Release Apache Avro-rs 0.18.0",
                &candidate("0.18.0", 1)
            ),
            Naming::VersionOnly
        );
        assert_eq!(
            naming("[VOTE] TVM 0.5 Release", &candidate("0.5.0", 1)),
            Naming::VersionOnly
        );
        assert_eq!(
            naming("[VOTE] TVM 0.5 Release", &candidate("0.5.1", 1)),
            Naming::Other
        );
        assert_eq!(
            naming(
                "[VOTE] Release Apache TVM v0.14.0.rc0",
                &candidate("0.14.0", 0)
            ),
            Naming::Candidate
        );
        assert_eq!(
            naming(
                "[VOTE] Release Apache TVM v0.14.0.rc0",
                &candidate("0.14.0", 1)
            ),
            Naming::Other
        );
        assert_eq!(
            naming(
                "[VOTE] Release Apache Foo 11.0.0 (RC10)",
                &candidate("1.0.0", 1)
            ),
            Naming::Other
        );
    }

    #[test]
    fn versions_of_one_to_four_numbers_qualified_or_incubating_are_named_exactly() {
        let named =
            |subject: &str, version: &str, rc: u32| naming(subject, &candidate(version, rc));
        for (subject, version) in [
            ("[VOTE] Release Apache Foo 39 (RC1)", "39"),
            ("[VOTE] Release Apache NetBeans 24-rc1", "24"),
            (
                "[VOTE] Release Apache Foo 39, vote open for 72 hours, RC1",
                "39",
            ),
            ("[VOTE] Release Apache Kafka 1.2.3.4 RC1", "1.2.3.4"),
            ("[VOTE] Release Apache Foo v1.2.3.4-rc1", "1.2.3.4"),
            ("[VOTE] Release Apache Maven 3.0 (RC1)", "3.0"),
            ("[VOTE] Release Apache Maven 3.0-RC1", "3.0"),
            ("[VOTE] Release Apache Tomcat 4.0.0-M1 (RC1)", "4.0.0-M1"),
            ("[VOTE] Release Apache Tomcat 4.0.0-M1-rc1", "4.0.0-M1"),
            ("[VOTE] Release Apache Tomcat 4.0.0.m1 RC1", "4.0.0-M1"),
            ("[VOTE] Release Apache Foo 2.0.0-beta RC1", "2.0.0-beta"),
            ("[VOTE] Release Apache Maven 4.0.0-rc-4 (RC1)", "4.0.0-rc-4"),
            (
                "[VOTE] Release Apache Foo 1.0.0-incubating RC1",
                "1.0.0-incubating",
            ),
            (
                "[VOTE] Release Apache Foo (incubating) 1.0.0-rc1",
                "1.0.0-incubating",
            ),
            (
                "[VOTE] Release Apache Foo 1.0.0-incubating-rc1",
                "1.0.0-incubating",
            ),
            (
                "[VOTE] Release Apache Foo 1.0.0-rc1-incubating",
                "1.0.0-incubating",
            ),
            (
                "[VOTE] Release Apache Foo 1.0.0-Incubating RC1",
                "1.0.0-incubating",
            ),
            ("[VOTE] Release Apache Foo 2.0.0-Beta RC1", "2.0.0-beta"),
            ("[VOTE] Release Apache Foo V2.0.0-BETA-RC1", "2.0.0-beta"),
            ("[VOTE] Release Apache Foo 39 (3rd attempt), RC1", "39"),
        ] {
            assert_eq!(
                named(subject, version, 1),
                Naming::Candidate,
                "{subject} for {version}"
            );
        }
        assert_eq!(
            named("[VOTE] Release Apache Maven 4.0.0-rc-4", "4.0.0-rc-4", 1),
            Naming::VersionOnly
        );
        assert_eq!(
            named("[VOTE] Release Apache Foo 39", "39", 1),
            Naming::VersionOnly
        );
        for (subject, version) in [
            // Another version that starts or ends like it.
            ("[VOTE] Release Apache Foo 39.1 (RC1)", "39"),
            ("[VOTE] Release Apache Foo 139 (RC1)", "39"),
            ("[VOTE] Release Apache Foo 39.0 (RC1)", "39"),
            ("[VOTE] Release Apache Foo 1.2.3.40 RC1", "1.2.3.4"),
            ("[VOTE] Release Apache Foo 1.2.3.4.5 RC1", "1.2.3.4"),
            ("[VOTE] Release Apache Foo 1.2.3 RC1", "1.2.3.4"),
            ("[VOTE] Release Apache Foo 1.2.3.4 RC1", "1.2.3"),
            ("[VOTE] Release Apache Foo 3.0.1 RC1", "3.0"),
            ("[VOTE] Release Apache Foo 3 RC1", "3.0"),
            // Another qualifier, or none.
            ("[VOTE] Release Apache Tomcat 4.0.0-M10 (RC1)", "4.0.0-M1"),
            ("[VOTE] Release Apache Tomcat 4.0.0-M1 (RC10)", "4.0.0-M1"),
            ("[VOTE] Release Apache Tomcat 4.0.0 (RC1)", "4.0.0-M1"),
            ("[VOTE] Release Apache Foo 4.0.0-preview1 (RC1)", "4.0.0-M1"),
            ("[VOTE] Release Apache Foo 4.0.0-M1 (RC1)", "4.0.0"),
            ("[VOTE] Release Apache Foo 2.0.0-beta2 RC1", "2.0.0-beta"),
            ("[VOTE] Release Apache Foo 2.0.0-betamax RC1", "2.0.0-beta"),
            ("[VOTE] Release Apache Foo 2.0.0 RC1", "2.0.0-beta"),
            ("[VOTE] Release Apache Maven 4.0.0-rc-5 (RC1)", "4.0.0-rc-4"),
            ("[VOTE] Release Apache Maven 4.0.0-rc1", "4.0.0-rc-4"),
            // A version glued to a word, or a number that is not a version of its own.
            ("[VOTE] Release Apache Foo x39 (RC1)", "39"),
            ("[VOTE] Release Apache Foo 39th (RC1)", "39"),
            ("[VOTE] Release Apache Foo 1.2.3.4-1 RC1", "1.2.3.4"),
            // A suffix the grammar does not know: another version, not this one.
            ("[VOTE] Release Apache Foo 2.0.0-Beta RC1", "2.0.0"),
            (
                "[VOTE] Release Apache Foo 1.2.0-SNAPSHOT, then 1.2.0 RC1",
                "1.2.0",
            ),
            ("[VOTE] Release Apache Foo 1.2.0.Final2 RC1", "1.2.0"),
        ] {
            assert_eq!(
                named(subject, version, 1),
                Naming::Other,
                "{subject} for {version}"
            );
        }
        // A number of two parts is named before one of one part, one of three or four parts
        // before both: a count, a date or a Java version beside the release is not taken for it.
        assert_eq!(
            named("[VOTE] Release Apache Foo 39 for Java 1.8 (RC1)", "39", 1),
            Naming::Other
        );
        assert_eq!(
            named(
                "[VOTE] 3 days: release Apache Foo 1.2.3.4 (RC1)",
                "1.2.3.4",
                1
            ),
            Naming::Candidate
        );
    }

    #[test]
    fn reply_prefixes_of_many_clients_are_stripped() {
        for subject in [
            "Re: [VOTE] x",
            "RE: [VOTE] x",
            "AW: [VOTE] x",
            "Aw: Re: [VOTE] x",
            "SV: [VOTE] x",
            "回复: [VOTE] x",
            "回复：[VOTE] x",
            "答复: [VOTE]   x",
        ] {
            assert_eq!(
                base_subject(subject),
                ("[VOTE] x".to_string(), true),
                "{subject}"
            );
        }
        assert_eq!(base_subject("[VOTE] x"), ("[VOTE] x".to_string(), false));
    }
}
