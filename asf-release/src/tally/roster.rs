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

//! The PMC roster, which alone decides whether a vote is binding, and who is who: a person is
//! an Apache id (`jdoe`, `jdoe@apache.org`) together with the other addresses the roster maps
//! to that id.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use camino::Utf8Path;

/// Bytes of a roster read: committee-info.json is about 1 MiB.
pub const MAX_ROSTER_BYTES: u64 = 16 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The Apache id, when the roster gives one.
    pub id: Option<String>,
    /// The address the member is known by (`<id>@apache.org`, or the listed address).
    pub address: String,
    pub name: String,
}

/// The PMC members whose votes are binding.
pub struct Roster {
    members: Vec<Member>,
    /// Lower-case address -> index into `members`.
    addresses: BTreeMap<String, usize>,
    /// The ASF's public data (committee-info.json, LDAP groups): Apache ids only, no other
    /// address of anybody, so a member writing from another address is not known here.
    pub ids_only: bool,
    /// Where it was read, for the report.
    pub source: String,
}

/// Who cast a vote: the key that makes one person of several addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub key: String,
    pub member: Option<Member>,
}

impl Roster {
    pub fn member(&self, address: &str) -> Option<&Member> {
        self.addresses
            .get(&address.to_ascii_lowercase())
            .map(|index| &self.members[*index])
    }

    pub fn contains(&self, address: &str) -> bool {
        self.member(address).is_some()
    }

    /// The member whose public name is `name` (case and spacing aside).
    pub fn named(&self, name: &str) -> Option<&Member> {
        let wanted = normal_name(name);
        if wanted.is_empty() {
            return None;
        }
        self.members
            .iter()
            .find(|member| normal_name(&member.name) == wanted)
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

fn normal_name(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The person behind `address`: the roster's member when it knows the address, else the Apache
/// id of an `@apache.org` address, else the address itself.
pub fn person(roster: Option<&Roster>, address: &str) -> Person {
    let address = address.to_ascii_lowercase();
    if let Some(member) = roster.and_then(|roster| roster.member(&address)) {
        return Person {
            key: member.address.clone(),
            member: Some(member.clone()),
        };
    }
    Person {
        key: address,
        member: None,
    }
}

/// Reads a roster file with the size limit.
pub fn read_file(path: &Utf8Path, tlp: &str) -> Result<Roster> {
    use std::io::Read;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read the roster {path}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_ROSTER_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read the roster {path}"))?;
    if bytes.len() as u64 > MAX_ROSTER_BYTES {
        bail!(
            "{path} is larger than {} MiB: pass committee-info.json or a list of ids",
            MAX_ROSTER_BYTES >> 20
        );
    }
    let text = String::from_utf8(bytes).map_err(|_| {
        anyhow::anyhow!("{path} is not UTF-8 text: pass committee-info.json or a list of ids")
    })?;
    parse_roster(path, &text, tlp)
}

/// Reads a roster: the ASF's `committee-info.json` (the committee `tlp`), or a plain list with
/// one member a line: an Apache id or an address, optionally followed by the member's other
/// addresses (`jdoe  jdoe@gmail.com  john@example.org`); `#` starts a comment.
pub fn parse_roster(path: &Utf8Path, text: &str, tlp: &str) -> Result<Roster> {
    let mut members = Vec::new();
    let mut addresses = BTreeMap::new();
    let ids_only = text.trim_start().starts_with('{');
    if ids_only {
        let json: serde_json::Value = serde_json::from_str(text).with_context(|| {
            format!("{path} is not valid JSON (committee-info.json format expected)")
        })?;
        let committees = json
            .get("committees")
            .and_then(|c| c.as_object())
            .with_context(|| {
                format!("{path} has no `committees` object: is it committee-info.json from whimsy?")
            })?;
        let committee = committees.get(tlp).with_context(|| {
            let known: Vec<&str> = committees.keys().map(String::as_str).take(20).collect();
            format!(
                "{path} has no committee `{tlp}` (it has {}): check the tlp setting",
                known.join(", ")
            )
        })?;
        let roster = committee
            .get("roster")
            .and_then(|r| r.as_object())
            .with_context(|| format!("{path}: committee `{tlp}` has no `roster` object"))?;
        for (id, entry) in roster {
            let id = id.to_ascii_lowercase();
            if !plain_id(&id) {
                bail!(
                    "{path}: `{}` in the roster of `{tlp}` is not an Apache id",
                    crate::untrusted::escape_short(id.as_bytes(), 60)
                );
            }
            let name = entry
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or(&id)
                .to_string();
            let address = format!("{id}@apache.org");
            addresses.insert(address.clone(), members.len());
            members.push(Member {
                id: Some(id),
                address,
                name,
            });
        }
    } else {
        for (number, line) in text.lines().enumerate() {
            let entry = line.split('#').next().unwrap_or_default().trim();
            if entry.is_empty() {
                continue;
            }
            let mut words = entry.split_whitespace();
            let first = words.next().unwrap_or_default().to_ascii_lowercase();
            let others: Vec<String> = words.map(str::to_ascii_lowercase).collect();
            let bad = [&first]
                .into_iter()
                .chain(&others)
                .find(|word| !(plain_address(word) || (*word == &first && plain_id(word))));
            if bad.is_some() {
                bail!(
                    "{path} line {}: `{entry}` is not an Apache id or an email address; write \
                     one id (like `jdoe`) or address per line, optionally followed by that \
                     person's other addresses",
                    number + 1
                );
            }
            let (id, address) = if first.contains('@') {
                let id = first.strip_suffix("@apache.org").map(str::to_string);
                (id, first.clone())
            } else {
                (Some(first.clone()), format!("{first}@apache.org"))
            };
            let index = members.len();
            for alias in std::iter::once(&address).chain(&others) {
                addresses.insert(alias.clone(), index);
            }
            members.push(Member {
                name: id.clone().unwrap_or_else(|| address.clone()),
                id,
                address,
            });
        }
    }
    if members.is_empty() {
        bail!("{path} names nobody: a roster needs the PMC members");
    }
    Ok(Roster {
        members,
        addresses,
        ids_only,
        source: path.to_string(),
    })
}

/// A podling's PPMC from the ASF's `public_ldap_projects.json`: the `owners` of the project
/// group `name` (ids only, like committee-info.json).
pub fn parse_ldap_owners(source: &str, text: &str, name: &str) -> Result<Roster> {
    let json: serde_json::Value = serde_json::from_str(text)
        .with_context(|| format!("{source} is not valid JSON: pass --roster FILE"))?;
    let owners = json
        .get("projects")
        .and_then(|projects| projects.get(name))
        .and_then(|project| project.get("owners"))
        .and_then(|owners| owners.as_array())
        .with_context(|| {
            format!(
                "{source} has no project `{name}` with owners: check `name`, or pass --roster FILE"
            )
        })?;
    let mut list = String::new();
    for owner in owners.iter().take(10_000) {
        let id = owner.as_str().unwrap_or_default().to_ascii_lowercase();
        if !plain_id(&id) {
            bail!(
                "{source}: `{}` among the owners of `{name}` is not an Apache id",
                crate::untrusted::escape_short(id.as_bytes(), 60)
            );
        }
        list.push_str(&id);
        list.push('\n');
    }
    let mut roster = parse_roster(Utf8Path::new(source), &list, name)?;
    roster.ids_only = true;
    Ok(roster)
}

fn plain_id(word: &str) -> bool {
    !word.is_empty()
        && word.len() <= 64
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// A conservative `local@domain`: what an address in a report or a RESULT mail may be.
pub fn plain_address(word: &str) -> bool {
    let Some((local, domain)) = word.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && word.len() <= 254
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        && !domain.starts_with(['.', '-'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_errors_name_the_line() {
        let path = Utf8Path::new("roster.txt");
        let err = parse_roster(path, "alice\nbob smith\n", "demo")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("roster.txt line 2") && err.contains("bob smith"),
            "{err}"
        );
        let roster = parse_roster(path, "# PMC\nAlice\ncarol@example.org\n", "demo").unwrap();
        assert!(roster.contains("alice@apache.org"));
        assert!(roster.contains("Carol@Example.org"));
    }

    #[test]
    fn the_roster_makes_one_person_of_several_addresses() {
        let path = Utf8Path::new("roster.txt");
        let roster =
            parse_roster(path, "alice alice@gmail.com a.apple@example.org\n", "demo").unwrap();
        let at_apache = person(Some(&roster), "Alice@apache.org");
        assert_eq!(person(Some(&roster), "alice@gmail.com"), at_apache);
        assert_eq!(
            person(Some(&roster), "a.apple@example.org").key,
            "alice@apache.org"
        );
        assert_eq!(person(Some(&roster), "bob@gmail.com").key, "bob@gmail.com");
        assert_eq!(
            at_apache.member.and_then(|m| m.id).as_deref(),
            Some("alice")
        );
    }
}
