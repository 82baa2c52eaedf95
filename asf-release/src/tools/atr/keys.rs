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

//! ATR's side of the release manager's signing key: ATR checks every `.asc` against the
//! public keys linked to the project's committee, so the key must be linked there. The
//! committee of a project and its keys are public reads; adding a key is a bearer write, not
//! retried (ATR allows ten an hour).

use anyhow::{bail, Context, Result};
use serde_json::json;

use super::{Atr, BODY_LIMIT};
use crate::untrusted::escape_short;

/// A committee's key list carries every member's armored key.
const KEYS_LIMIT: u64 = 32 * 1024 * 1024;

/// `fingerprint` as ATR must name a key: 40 hex digits (OpenPGP v4) or 64 (v5, v6); returned
/// in upper case. Anything else is refused with `what` (the route) named.
pub fn checked_fingerprint(what: &str, fingerprint: &str) -> Result<String> {
    let hex = fingerprint.bytes().all(|b| b.is_ascii_hexdigit());
    if !hex || !matches!(fingerprint.len(), 40 | 64) {
        bail!(
            "ATR's answer to {what} names the key `{}`, which is not a fingerprint (40 or 64 \
             hex digits): refusing to use it; check atr-url",
            escape_short(fingerprint.as_bytes(), 80)
        );
    }
    Ok(fingerprint.to_ascii_uppercase())
}

/// Whether two fingerprints name the same key (ATR keeps lower case, gpg prints upper case).
pub fn same_key(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// A committee name from ATR goes into a route: letters, digits and `-` only, as ATR names
/// committees.
fn check_committee(project: &str, name: &str) -> Result<()> {
    let fine = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
    if name.is_empty() || name.len() > 100 || !name.bytes().all(fine) {
        bail!(
            "ATR names the committee of {project} `{}`, which is not a committee name: refusing \
             to use it; check atr-url",
            escape_short(name.as_bytes(), 80)
        );
    }
    Ok(())
}

impl Atr {
    /// The ASF id acting on ATR (`ATR_UID`), when set.
    pub fn uid(&self) -> Option<&str> {
        self.credentials.as_ref().map(|c| c.uid.as_str())
    }

    /// The committee (PMC) `project` belongs to: its keys check the project's signatures.
    pub fn committee_of(&self, project: &str) -> Result<String> {
        #[derive(serde::Deserialize)]
        struct Project {
            // 2026's ATR calls it `committee_key`.
            #[serde(default, alias = "committee_key")]
            committee_name: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            project: Project,
        }
        let answer: Answer = self.get(&format!("/project/get/{project}"), BODY_LIMIT)?;
        let Some(committee) = answer.project.committee_name else {
            bail!(
                "ATR names no committee for project {project}: ask ATR's team to tie it to \
                 its PMC (ATR checks signatures against the committee's keys)"
            );
        };
        check_committee(project, &committee)?;
        Ok(committee)
    }

    /// The fingerprints (upper case) of the keys linked to `committee`.
    pub fn committee_keys(&self, committee: &str) -> Result<Vec<String>> {
        #[derive(serde::Deserialize)]
        struct Key {
            fingerprint: String,
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            keys: Vec<Key>,
        }
        let route = format!("/committee/keys/{committee}");
        let answer: Answer = self.get(&route, KEYS_LIMIT)?;
        answer
            .keys
            .iter()
            .map(|key| checked_fingerprint(&route, &key.fingerprint))
            .collect()
    }

    /// Adds the public key `fingerprint` (its armored text `armored`) for `ATR_UID` and links
    /// it to `committee`. ATR answers the fingerprint of the key it stored: it must be ours.
    pub fn add_key(&self, committee: &str, armored: &str, fingerprint: &str) -> Result<()> {
        self.acting_as()?;
        let uid = self.uid().unwrap_or_default();
        #[derive(serde::Deserialize)]
        struct Answer {
            fingerprint: String,
        }
        let body = json!({"asfuid": uid, "key": armored, "committees": [committee]});
        let page = format!("{}/keys", self.base);
        let answer: Answer = self.bearer("/key/add", &body, false).with_context(|| {
            format!("ATR did not link key {fingerprint}: add it by hand on {page}, or rerun")
        })?;
        let theirs = checked_fingerprint("/key/add", &answer.fingerprint)?;
        if !same_key(&theirs, fingerprint) {
            bail!(
                "ATR answered that it linked key {theirs}, but the key sent is {fingerprint}: \
                 check which keys ATR holds for you on {page} and delete a wrong one there"
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_hex_of_the_right_length_and_compared_ignoring_case() {
        let lower = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(
            checked_fingerprint("/r", lower).unwrap(),
            lower.to_ascii_uppercase()
        );
        assert!(checked_fingerprint("/r", &"a".repeat(64)).is_ok());
        for bad in ["", "0123", &"g".repeat(40), &format!("{lower}\u{1b}[31m")] {
            let err = checked_fingerprint("/r", bad).unwrap_err().to_string();
            assert!(!err.contains('\u{1b}'), "{err}");
            assert!(err.contains("not a fingerprint"), "{err}");
        }
        assert!(same_key(lower, &lower.to_ascii_uppercase()));
        assert!(check_committee("p", "tooling-trusted").is_ok());
        assert!(check_committee("p", "../x").is_err());
    }
}
