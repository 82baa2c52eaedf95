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

//! Release versions (`2.3.0`), release lines (`2.3`) and candidate numbers, and the names
//! derived from them by the configured patterns.

use std::fmt;
use std::str::FromStr;

use anyhow::{bail, Context, Result};

/// A released or to-be-released version: exactly `MAJOR.MINOR.PATCH`, numbers only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

/// A release line (`2.3`), the unit that owns a release branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Line {
    pub major: u64,
    pub minor: u64,
}

const VERSION_HELP: &str = "a release version is three numbers separated by dots, like 2.3.0";
const LINE_HELP: &str = "a release line is two numbers separated by a dot, like 2.3";

fn parse_number(part: &str, whole: &str, help: &str) -> Result<u64> {
    if part.is_empty() {
        bail!("invalid version `{whole}`: empty number; {help}");
    }
    if !part.bytes().all(|b| b.is_ascii_digit()) {
        bail!("invalid version `{whole}`: `{part}` is not a number; {help}");
    }
    if part.len() > 1 && part.starts_with('0') {
        bail!("invalid version `{whole}`: `{part}` has a leading zero; {help}");
    }
    part.parse::<u64>()
        .with_context(|| format!("invalid version `{whole}`: `{part}` is too large; {help}"))
}

fn parse_numbers<const N: usize>(text: &str, help: &str) -> Result<[u64; N]> {
    let shown: String = text.chars().take(40).collect();
    let shown = if shown.len() < text.len() {
        format!("{shown}...")
    } else {
        shown
    };
    if text.is_empty() {
        bail!("invalid version: it is empty; {help}");
    }
    if text.starts_with('v') || text.starts_with('V') {
        bail!("invalid version `{shown}`: drop the leading `v`; {help}");
    }
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() != N {
        bail!("invalid version `{shown}`: {help}");
    }
    let mut numbers = [0; N];
    for (slot, part) in numbers.iter_mut().zip(parts) {
        *slot = parse_number(part, &shown, help)?;
    }
    Ok(numbers)
}

impl FromStr for Version {
    type Err = anyhow::Error;
    fn from_str(text: &str) -> Result<Self> {
        let [major, minor, patch] = parse_numbers::<3>(text, VERSION_HELP)?;
        Ok(Version {
            major,
            minor,
            patch,
        })
    }
}

impl FromStr for Line {
    type Err = anyhow::Error;
    fn from_str(text: &str) -> Result<Self> {
        let [major, minor] = parse_numbers::<2>(text, LINE_HELP)?;
        Ok(Line { major, minor })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Version {
    pub fn line(&self) -> Line {
        Line {
            major: self.major,
            minor: self.minor,
        }
    }

    /// `3.18.0` -> `3180`: the anchor GitHub gives the `## 3.18.0` heading of a CHANGELOG.
    pub fn heading_anchor(&self) -> String {
        self.to_string().replace('.', "")
    }
}

/// A release candidate: the version it would release and its number (`1.0.0` RC1). Shown as
/// the messages name it, `1.0.0 RC1`; directory, tag and mail names come from their patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Candidate {
    pub version: Version,
    pub rc: u32,
}

impl fmt::Display for Candidate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} RC{}", self.version, self.rc)
    }
}

/// Parses a release candidate number given on the command line (`--rc 1`, `--rc 0`). Whether
/// the project counts from 0 or 1 is checked against its `first-rc` setting by each command.
pub fn parse_rc(text: &str) -> Result<u32> {
    let shown: String = text.chars().take(20).collect();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        bail!("invalid release candidate `{shown}`: use a number, like --rc 1");
    }
    text.parse().with_context(|| {
        format!("invalid release candidate `{shown}`: the number is too large; use a small number, like --rc 1")
    })
}

/// Fills a name pattern such as `apache-{name}-{version}-src.tgz`. Unknown placeholders are
/// an error so a typo in the configuration cannot produce a silently wrong name.
pub fn fill(pattern: &str, values: &[(&str, &str)]) -> Result<String> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .with_context(|| format!("pattern `{pattern}` has a `{{` without its `}}`"))?;
        let key = &after[..end];
        let value = values
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(_, value)| *value)
            .with_context(|| {
                let known: Vec<String> = values.iter().map(|(k, _)| format!("{{{k}}}")).collect();
                format!(
                    "pattern `{pattern}` uses `{{{key}}}`, which is not known here; use one of {}",
                    known.join(", ")
                )
            })?;
        out.push_str(value);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_good_versions() {
        let v: Version = "2.3.0".parse().unwrap();
        assert_eq!(v.to_string(), "2.3.0");
        assert_eq!(v.line().to_string(), "2.3");
        assert_eq!("10.20.30".parse::<Version>().unwrap().patch, 30);
        assert_eq!("3.18".parse::<Line>().unwrap().to_string(), "3.18");
    }

    #[test]
    fn rejects_bad_versions_with_a_reason() {
        for (bad, why) in [
            ("2.3.x", "`x` is not a number"),
            ("v2.3.0", "drop the leading `v`"),
            ("2..3", "empty number"),
            ("-1", "three numbers"),
            ("", "it is empty"),
            ("2.3", "three numbers"),
            ("2.3.0.1", "three numbers"),
            ("02.3.0", "leading zero"),
            ("2.3.0-rc1", "not a number"),
            ("99999999999999999999.0.0", "too large"),
        ] {
            let err = bad.parse::<Version>().unwrap_err().to_string();
            assert!(err.contains(why), "{bad:?}: {err}");
            assert!(err.contains("like 2.3.0"), "{bad:?}: {err}");
        }
        let long = "1".repeat(300);
        let err = long.parse::<Version>().unwrap_err().to_string();
        assert!(err.len() < 200, "the error shortens a long input: {err}");
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
}
