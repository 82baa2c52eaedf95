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

use crate::version::Candidate;

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

/// What `subject` names: the version is the first `X.Y.Z` in it (`1.2.0`, `v1.2.0`, `1.2.0-rc1`,
/// `v0.14.0.rc0`), or, when it has none, the first `X.Y` (`[VOTE] TVM 0.5 Release` names
/// 0.5.0); a longer number first (`1.2.0.1`) names another version. The candidate is the
/// first `RC1`, `rc-1`, `(RC1)`, `release candidate #1`, `candidate 1`. `1.0.0 (RC1)` is not
/// in `11.0.0 (RC10)`.
pub fn naming(subject: &str, candidate: &Candidate) -> Naming {
    static NUMBERS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\d{1,9}(?:\.\d{1,9})+").expect("the version pattern is valid")
    });
    static CANDIDATES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:release candidate|candidate|rc)[\s._#-]{0,3}(\d{1,9})")
            .expect("the candidate pattern is valid")
    });
    let bytes = subject.as_bytes();
    let mut numbers = Vec::new();
    for found in NUMBERS.find_iter(subject) {
        // A number of its own: not inside a word (`x1.2`) or a longer number; a `v` before it
        // is the usual prefix.
        let before = found.start().checked_sub(1).map(|at| bytes[at]);
        let before_v = found.start().checked_sub(2).map(|at| bytes[at]);
        let glued = match before {
            Some(b'v' | b'V') => before_v.is_some_and(|b| b.is_ascii_alphanumeric()),
            Some(b) => b.is_ascii_alphanumeric() || b == b'.',
            None => false,
        };
        if glued {
            continue;
        }
        let parts: Vec<u64> = found
            .as_str()
            .split('.')
            .filter_map(|part| part.parse().ok())
            .collect();
        numbers.push(parts);
    }
    let first_release = numbers.iter().find(|parts| parts.len() >= 3);
    let named = match first_release {
        Some(parts) if parts.len() == 3 => Some((parts[0], parts[1], parts[2])),
        Some(_) => None,
        None => numbers
            .iter()
            .find(|parts| parts.len() == 2)
            .map(|parts| (parts[0], parts[1], 0)),
    };
    let version = &candidate.version;
    if named != Some(version.three_numbers()) {
        return Naming::Other;
    }
    // The numbers do not tell `4.0.0-M1` from `4.0.0-M2`: a qualified version is named as spelled.
    if version.is_qualified() && !subject.contains(&version.to_string()) {
        return Naming::Other;
    }
    let first_rc = CANDIDATES.captures_iter(subject).find_map(|found| {
        let whole = found.get(0)?;
        let before = whole.start().checked_sub(1).map(|at| bytes[at]);
        let after = bytes.get(whole.end()).copied();
        let bounded = !before.is_some_and(|b| b.is_ascii_alphabetic())
            && !after.is_some_and(|b| b.is_ascii_alphanumeric());
        bounded.then(|| found.get(1)?.as_str().parse::<u64>().ok())?
    });
    match first_rc {
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
