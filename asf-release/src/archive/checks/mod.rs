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

//! The content rules of an ASF source release, shared by `package` (which refuses to sign
//! what breaks them) and `verify` (which reports them to a voter).

mod content;
#[cfg(test)]
mod tests;
pub mod zip;

use std::collections::BTreeMap;
use std::fmt;

use super::excludes::Excludes;
use super::license::{self, Audit};
use super::paths::{Name, PathChecker};
use super::reader::{Entry, Kind};
use crate::untrusted::escape_str;
use content::{is_apache_license, notice_problems};

pub use content::compiled_code;

/// What the rules need to know about the release.
#[derive(Debug, Clone)]
pub struct Rules {
    /// The top directory the archive must unpack to.
    pub top_dir: String,
    /// Another accepted name for it (the `-src` suffix may be omitted).
    pub top_dir_alternative: Option<String>,
    pub incubating: bool,
    pub binary_allow: Excludes,
    pub license_header_excludes: Excludes,
    /// The project releases through ATR: its stricter header rule applies too.
    pub atr_headers: bool,
}

/// One broken rule, naming the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub path: String,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Names and link targets come from the archive: shown escaped.
        let message = escape_str(&self.message);
        if self.path.is_empty() {
            write!(f, "[{}] {message}", self.rule)
        } else {
            write!(f, "[{}] {}: {message}", self.rule, escape_str(&self.path))
        }
    }
}

/// The rules, by name, for reports that list what passed.
pub const RULES: &[(&str, &str)] = &[
    (
        "paths",
        "safe, portable paths: nothing outside the tree or through a link, no duplicates, no \
         special files or modes",
    ),
    ("top-dir", "exactly one top directory, named like the file"),
    ("license", "one LICENSE with the Apache License 2.0"),
    (
        "notice",
        "one NOTICE with the product and ASF attribution lines",
    ),
    ("disclaimer", "DISCLAIMER for incubating projects"),
    (
        "incubating-name",
        "\"incubating\" in the file name of incubating projects",
    ),
    ("binaries", "no compiled code"),
    (
        "license-headers",
        "every file licensed: the Apache header, or a third-party license ASF policy allows and LICENSE declares",
    ),
];

/// Findings kept in full; the rest are counted per rule.
const MAX_FINDINGS: usize = 1000;
/// Top-level names kept for the report; one is all a release may have.
const MAX_TOP_DIRS: usize = 100;

/// Walks the entries of one archive and collects what breaks the rules.
pub struct Checker {
    rules: Rules,
    findings: Vec<Finding>,
    /// Findings over [`MAX_FINDINGS`], counted by rule: a hostile archive may break a rule in
    /// every one of its entries, and memory must stay flat.
    dropped: BTreeMap<&'static str, u64>,
    /// At most [`MAX_TOP_DIRS`] names.
    top_dirs: BTreeMap<String, ()>,
    /// Names, links and modes, judged as unpacking would see them.
    paths: PathChecker,
    licenses: Vec<Vec<u8>>,
    notices: Vec<Vec<u8>>,
    has_disclaimer: bool,
    license: Audit,
    /// Warnings of the content rules (archives without compiled code), at most
    /// [`MAX_FINDINGS`].
    notes: Vec<Finding>,
}

/// Files whose whole content the checks read.
pub fn wants_whole(path: &str) -> bool {
    path.split_once('/')
        .is_some_and(|(_, rest)| license::wants_whole(rest) || zip::is_zip_name(rest))
}

impl Checker {
    pub fn new(rules: Rules) -> Checker {
        let mut license = Audit::new(rules.license_header_excludes.patterns());
        if rules.atr_headers {
            license = license.with_atr_headers();
        }
        Checker {
            rules,
            findings: Vec::new(),
            dropped: BTreeMap::new(),
            top_dirs: BTreeMap::new(),
            paths: PathChecker::default(),
            licenses: Vec::new(),
            notices: Vec::new(),
            has_disclaimer: false,
            license,
            notes: Vec::new(),
        }
    }

    /// See [`Audit::add_config`].
    pub fn add_license_config(&mut self, inner: &str, text: &[u8]) {
        self.license.add_config(inner, text);
    }

    fn finding(&mut self, rule: &'static str, path: &str, message: impl Into<String>) {
        if self.findings.len() >= MAX_FINDINGS {
            *self.dropped.entry(rule).or_default() += 1;
            return;
        }
        self.findings.push(Finding {
            rule,
            path: path.to_string(),
            message: message.into(),
        });
    }

    pub fn visit(&mut self, entry: &Entry) {
        // The other rules see the normalised name: `top/./LICENSE` is a LICENSE too.
        let renamed;
        let entry = match self.paths.visit(entry) {
            Name::Refused | Name::Root => return,
            Name::Normalised(name) if name == entry.path => entry,
            Name::Normalised(name) => {
                renamed = Entry {
                    path: name,
                    ..entry.clone()
                };
                &renamed
            }
        };
        let path = entry.path.as_str();
        let (top, inner) = match path.split_once('/') {
            Some((top, inner)) => (top, inner),
            None => (path, ""),
        };
        if self.top_dirs.len() < MAX_TOP_DIRS {
            self.top_dirs.insert(top.to_string(), ());
        }
        if inner.is_empty() && !matches!(entry.kind, Kind::Dir) {
            self.finding(
                "top-dir",
                path,
                "a file at the top level, outside the one top directory",
            );
            return;
        }
        match &entry.kind {
            // Resolved against the other links at the end.
            Kind::Symlink { .. } => {}
            Kind::Dir => {}
            Kind::File { .. } => self.visit_file(entry, inner),
        }
    }

    fn visit_file(&mut self, entry: &Entry, inner: &str) {
        match inner {
            _ if license::is_license_file(inner) => {
                self.licenses.push(entry.whole.clone().unwrap_or_default())
            }
            _ if license::is_notice_file(inner) => {
                self.notices.push(entry.whole.clone().unwrap_or_default())
            }
            "DISCLAIMER" | "DISCLAIMER-WIP" => self.has_disclaimer = true,
            _ => {}
        }
        if let Some(what) = compiled_code(inner, &entry.head) {
            if !self.rules.binary_allow.matches(inner) {
                self.compiled(entry, what);
            }
        }
        self.license
            .visit(inner, entry.size, &entry.head, entry.whole.as_deref());
    }

    /// A file that starts like compiled code; a zip archive is opened and judged by what it
    /// holds (`zip.rs`): one holding no compiled code is a warning, not a finding.
    fn compiled(&mut self, entry: &Entry, what: &str) {
        let path = entry.path.as_str();
        let refuse = "a source release must not contain compiled code (allow it with \
                      binary-allow if it is not)";
        let is_zip = entry.head.starts_with(b"PK\x03\x04") || entry.head.starts_with(b"PK\x05\x06");
        let message = match (is_zip, &entry.whole) {
            (false, _) => format!("{what}: {refuse}"),
            (true, None) => format!(
                "{what}, not opened (over {} KiB, or named unlike an archive): {refuse}",
                super::reader::WHOLE_FILE_LIMIT >> 10
            ),
            (true, Some(bytes)) => match zip::judge(bytes) {
                zip::Verdict::Compiled(inside) => {
                    format!("zip archive holding compiled code ({inside}): {refuse}")
                }
                zip::Verdict::Unreadable(why) => {
                    format!(
                        "zip archive that cannot be checked for compiled code ({why}): {refuse}"
                    )
                }
                zip::Verdict::NoCode { entries, by_name } => {
                    let judged = match by_name {
                        0 => String::new(),
                        n => format!(", {n} of them by name only (a compression not read here)"),
                    };
                    if self.notes.len() >= MAX_FINDINGS {
                        return;
                    }
                    self.notes.push(Finding {
                        rule: "binaries",
                        path: path.to_string(),
                        message: format!(
                            "zip archive of {entries} file(s), none compiled code{judged}: \
                             allowed in a source release (ASF policy forbids compiled code, not \
                             archives); make sure it is test data (binary-allow silences this)"
                        ),
                    });
                    return;
                }
            },
        };
        self.finding("binaries", path, message);
    }

    pub fn finish(self) -> Vec<Finding> {
        self.finish_with_warnings().0
    }

    /// The findings, and the warnings that do not fail the rules (names that differ only by
    /// case).
    pub fn finish_with_warnings(self) -> (Vec<Finding>, Vec<Finding>) {
        let outcome = self.finish_all();
        (outcome.findings, outcome.warnings)
    }

    /// Findings, warnings, and what the project's own license configuration excluded.
    pub fn finish_all(mut self) -> Outcome {
        let (path_findings, mut warnings) = std::mem::take(&mut self.paths).finish();
        warnings.extend(
            std::mem::take(&mut self.notes)
                .into_iter()
                .take(MAX_FINDINGS),
        );
        self.findings.extend(path_findings);
        let accepted: Vec<&String> = [
            Some(&self.rules.top_dir),
            self.rules.top_dir_alternative.as_ref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let tops: Vec<String> = self.top_dirs.keys().cloned().collect();
        match tops.as_slice() {
            [one] if accepted.contains(&one) => {}
            [one] => {
                let message = format!(
                    "the top directory is `{one}`, expected `{}`",
                    self.rules.top_dir
                );
                self.finding("top-dir", one, message);
            }
            [] => self.finding("top-dir", "", "the archive is empty"),
            several => {
                let message = format!(
                    "{} top-level entries ({}), expected only `{}`",
                    several.len(),
                    several.join(", "),
                    self.rules.top_dir
                );
                self.finding("top-dir", "", message);
            }
        }
        let top = self.rules.top_dir.clone();
        match self.licenses.len() {
            0 => self.finding(
                "license",
                &format!("{top}/LICENSE"),
                "missing: add the Apache License 2.0 text as LICENSE at the repository root",
            ),
            1 => {
                if !is_apache_license(&self.licenses[0]) {
                    self.finding("license", &format!("{top}/LICENSE"), "does not contain the Apache License 2.0 text (compare with https://www.apache.org/licenses/LICENSE-2.0.txt)");
                }
            }
            _ => self.finding("license", "", "more than one top-level LICENSE"),
        }
        match self.notices.len() {
            0 => self.finding("notice", &format!("{top}/NOTICE"), "missing: add a NOTICE file at the repository root (https://www.apache.org/legal/src-headers.html#notice)"),
            _ => {
                let problems = notice_problems(&self.notices[0]);
                for problem in problems {
                    self.finding("notice", &format!("{top}/NOTICE"), problem);
                }
            }
        }
        if self.rules.incubating && !self.has_disclaimer {
            self.finding(
                "disclaimer",
                &format!("{top}/DISCLAIMER"),
                "missing: incubating releases need a DISCLAIMER (or DISCLAIMER-WIP)",
            );
        }
        let report = std::mem::replace(&mut self.license, Audit::new(&[])).finish();
        let mut excluded = Excluded::default();
        for source in report
            .sources
            .iter()
            .filter(|s| s.own && !s.removed.is_empty())
        {
            excluded
                .sources
                .push((source.source.clone(), source.removed.len()));
            excluded.paths.extend(source.removed.iter().cloned());
        }
        if report.more_findings > 0 {
            *self.dropped.entry("license-headers").or_default() += report.more_findings as u64;
        }
        for found in report.findings {
            self.finding(
                "license-headers",
                &format!("{top}/{}", found.path),
                found.message(),
            );
        }
        // What ATR will fail though ASF policy allows it: said before anything is signed.
        let atr_warnings = report
            .warnings
            .into_iter()
            .filter(|w| w.rule == "atr-header");
        warnings.extend(atr_warnings.take(MAX_FINDINGS).map(|found| Finding {
            rule: "license-headers",
            path: format!("{top}/{}", found.path),
            message: found.message(),
        }));
        for (rule, more) in std::mem::take(&mut self.dropped) {
            self.findings.push(Finding {
                rule,
                path: String::new(),
                message: format!("... and {more} more"),
            });
        }
        Outcome {
            findings: self.findings,
            warnings,
            excluded,
        }
    }
}

/// What [`Checker::finish_all`] found.
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// What does not fail the rules (names that differ only by case).
    pub warnings: Vec<Finding>,
    pub excluded: Excluded,
}

/// The files the project's own license configuration (a candidate's, in `verify`) excluded
/// from the license audit: files that would be findings without it.
#[derive(Debug, Clone, Default)]
pub struct Excluded {
    /// Each configuration that excluded files (like `.licenserc.yaml header.paths-ignore`),
    /// with how many.
    pub sources: Vec<(String, usize)>,
    /// The files, below the top directory, every one.
    pub paths: Vec<String>,
}

impl Excluded {
    /// The files in at most `lines` lines, collapsed by directory.
    pub fn lines(&self, lines: usize) -> Vec<String> {
        let mut paths = self.paths.clone();
        paths.sort();
        license::exclusions::collapse(&paths, lines)
    }
}

/// The rules about the artifact's file name itself (the archive does not know its name).
pub fn file_name_findings(rules: &Rules, file_name: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    if rules.incubating && !file_name.contains("incubating") {
        findings.push(Finding {
            rule: "incubating-name",
            path: file_name.to_string(),
            message: "an incubating release must have \"incubating\" in its file name: put \
                      `incubating` into the artifact setting"
                .into(),
        });
    }
    findings
}
