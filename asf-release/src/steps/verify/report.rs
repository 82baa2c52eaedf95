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

//! The verdict: one line per check with its details, a summary, and the vote text a voter
//! pastes. Every detail is escaped on its way in (names and messages come from the candidate),
//! and the vote text is made of the tool's own words and check names only.

use serde::Serialize;

use super::locate::Location;
use super::VerifyArgs;
use crate::untrusted::escape_str;

/// At most this many lines of detail per check; the rest is counted.
const MAX_DETAILS: usize = 25;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    /// Not checked because an earlier check failed (the archive could not be read).
    Skipped,
    /// Not asked for (the build without `--build`): the report says so, the verdict ignores it.
    #[serde(rename = "not-asked")]
    NotAsked,
}

#[derive(Debug, Serialize)]
pub struct Check {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub details: Vec<String>,
    /// What the vote text says of this check when it passed, if not the usual words; the
    /// tool's own words only, never the candidate's bytes.
    #[serde(skip)]
    pub vote: Option<String>,
}

impl Check {
    /// The same check of a further tarball of the candidate: its name goes into id and title.
    pub fn of(self, tarball: &str) -> Check {
        Check {
            id: format!("{tarball}: {}", self.id),
            title: format!("{tarball}: {}", self.title),
            // The vote text speaks of the main tarball only.
            vote: None,
            ..self
        }
    }

    pub fn new(id: &str, title: &str, status: Status, details: Vec<String>) -> Check {
        let total = details.len();
        let mut details: Vec<String> = details
            .iter()
            .take(MAX_DETAILS)
            .map(|line| escape_str(line))
            .collect();
        if total > MAX_DETAILS {
            details.push(format!("... and {} more", total - MAX_DETAILS));
        }
        Check {
            id: id.to_string(),
            title: title.to_string(),
            status,
            details,
            vote: None,
        }
    }

    pub fn passed(id: &str, title: &str, details: Vec<String>) -> Check {
        Check::new(id, title, Status::Passed, details)
    }

    pub fn failed(id: &str, title: &str, details: Vec<String>) -> Check {
        Check::new(id, title, Status::Failed, details)
    }

    pub fn from_error(id: &str, title: &str, err: &anyhow::Error) -> Check {
        let text = format!("{err:#}");
        Check::failed(id, title, text.lines().map(String::from).collect())
    }
}

#[derive(Debug, Serialize)]
pub struct Report {
    version: String,
    rc: u32,
    artifact: String,
    candidate: String,
    keys: String,
    /// How many keys the KEYS used held (none when it could not be read).
    keys_held: Option<usize>,
    pub passed: bool,
    summary: String,
    checks: Vec<Check>,
    /// The text a voter can paste into the vote reply.
    vote: String,
}

/// The few words a vote reply uses for each check: ours only, never the candidate's.
fn vote_phrase(check: &Check) -> Option<String> {
    if let Some(phrase) = &check.vote {
        return Some(phrase.clone());
    }
    let phrase = match check.id.as_str() {
        "checksum" => {
            let used: Vec<&str> = crate::artifacts::checksums()
                .map(|(_, algorithm)| algorithm.name())
                .filter(|name| check.details.iter().any(|d| d.starts_with(name)))
                .collect();
            return Some(format!("checksum ({})", used.join(", ")));
        }
        "signature" => "signature",
        "files" => "candidate files",
        "paths" => "safe paths",
        "top-dir" => "one top directory",
        "license" => "LICENSE",
        "notice" => "NOTICE",
        "disclaimer" => "DISCLAIMER",
        "incubating-name" => "incubating name",
        "binaries" => "no binaries",
        "license-headers" => "license headers",
        "manifests" => "the manifests load",
        "build" if check.status == Status::Passed => {
            let how = check
                .details
                .first()
                .map(String::as_str)
                .unwrap_or_default();
            let command = check.title.strip_prefix("build: ").unwrap_or(&check.title);
            return Some(format!("built and tested ({command} {how})"));
        }
        "build" if check.status == Status::NotAsked => {
            return Some("the build was not checked".into())
        }
        "rebuild" => {
            let reproducible = check
                .details
                .first()
                .is_some_and(|d| d.starts_with("reproducible"));
            return Some(if reproducible {
                "reproducible (rebuilt from the tag, byte-identical)".into()
            } else {
                "rebuilt from the tag (same content)".into()
            });
        }
        _ => return None,
    };
    Some(phrase.to_string())
}

pub fn report(
    args: &VerifyArgs,
    file_name: &str,
    candidate: &Location,
    keys: &Location,
    keys_held: Option<usize>,
    checks: Vec<Check>,
) -> Report {
    let failed: Vec<&Check> = checks
        .iter()
        .filter(|c| c.status == Status::Failed)
        .collect();
    let skipped = checks
        .iter()
        .filter(|c| c.status == Status::Skipped)
        .count();
    let passed = failed.is_empty() && skipped == 0;
    let counted = checks
        .iter()
        .filter(|c| c.status != Status::NotAsked)
        .count();
    let weight = if args.binding {
        "binding"
    } else {
        "non-binding"
    };
    let names: Vec<&str> = failed.iter().map(|c| c.id.as_str()).collect();
    let summary = if passed {
        format!(
            "all {} checks passed for {file_name} ({} RC{})",
            counted, args.version, args.rc
        )
    } else {
        let mut summary = format!(
            "{} of {} checks failed for {file_name}: {}",
            failed.len(),
            counted,
            names.join(", ")
        );
        if skipped > 0 {
            summary.push_str(&format!("; {skipped} not checked"));
        }
        summary
    };
    let vote = if passed {
        let phrases: Vec<String> = checks
            .iter()
            .filter(|c| c.status == Status::Passed)
            .filter_map(vote_phrase)
            .collect();
        let unbuilt = checks
            .iter()
            .any(|c| c.status == Status::NotAsked && c.id == "build");
        format!(
            "+1 ({weight}): checked {} with `cargo xtask verify`{}",
            phrases.join(", "),
            if unbuilt {
                "; the build was not checked"
            } else {
                ""
            }
        )
    } else {
        // Only check names: a detail could carry the candidate's bytes into a public mail.
        format!(
            "-1 ({weight}): `cargo xtask verify` failed these checks: {}",
            names.join(", ")
        )
    };
    Report {
        version: args.version.to_string(),
        rc: args.rc,
        artifact: file_name.to_string(),
        candidate: candidate.to_string(),
        keys: keys.to_string(),
        keys_held,
        passed,
        summary,
        checks,
        vote,
    }
}

pub fn render(report: &Report) -> String {
    let held = match report.keys_held {
        Some(n) => format!(" ({n} key(s))"),
        None => " (could not be read)".into(),
    };
    let mut out = format!(
        "verify {} ({} RC{})\n  candidate: {}\n  KEYS:      {}{held}\n\n",
        report.artifact, report.version, report.rc, report.candidate, report.keys
    );
    for check in &report.checks {
        let mark = match check.status {
            Status::Passed => "✓",
            Status::Failed => "✗",
            Status::Skipped => "-",
            Status::NotAsked => "·",
        };
        out.push_str(&format!("{mark} {:<16} {}\n", check.id, check.title));
        for detail in &check.details {
            out.push_str(&format!("      {detail}\n"));
        }
    }
    out.push_str(&format!("\nsummary: {}\n", report.summary));
    out.push_str(&format!(
        "\nvote text (paste into your reply, after your own checks):\n  {}\n",
        report.vote
    ));
    out
}
