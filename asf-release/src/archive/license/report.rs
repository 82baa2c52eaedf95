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

//! What the audit found, as a text report for people and JSON for CI.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::sources::Source;
use crate::untrusted::escape_str;

/// How many files of one list the text report names before it only counts.
const LISTED: usize = 20;

/// How many files of one list, and findings or warnings of one rule, a report keeps by name
/// (`--json` shows them); the rest are counted. A tree may hold a million files breaking one
/// rule, and memory must stay flat.
pub const KEPT_PER_LIST: usize = 1000;

/// How many bytes of names every pattern's list of one report keeps in all: a candidate's
/// configurations may hold thousands of patterns each matching the same files, and a per-list
/// bound alone would keep each name once per pattern.
pub const LISTED_NAMES_BUDGET: usize = 4 * 1024 * 1024;

/// Paths of one list: the first [`KEPT_PER_LIST`] by name while the report's budget of names
/// lasts, every one counted.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Listed {
    pub names: Vec<String>,
    pub count: usize,
}

impl Listed {
    /// Counts `path`, and names it if this list and `names_left` (bytes shared by every list
    /// of the report) have room.
    pub fn push(&mut self, path: &str, names_left: &mut usize) {
        if self.names.len() < KEPT_PER_LIST && path.len() <= *names_left {
            *names_left -= path.len();
            self.names.push(path.to_string());
        }
        self.count += 1;
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Finding {
    /// Path below the top directory.
    pub path: String,
    pub class: &'static str,
    pub license: Option<&'static str>,
    pub rule: &'static str,
    pub todo: String,
}

impl Finding {
    /// One line for the release rules (`package`, `verify`).
    pub fn message(&self) -> String {
        let license = self.license.map(|l| format!(" ({l})")).unwrap_or_default();
        format!("{}{license}: {}", self.rule, self.todo)
    }
}

/// Groups of at least this many warnings of one rule in one directory take one line.
const GROUPED: usize = 3;

/// The warnings as lines: one per file, or one per directory and rule when a directory holds
/// several (SkyWalking Eyes keeps a hundred license templates in `assets/lcs-templates/`).
fn warning_lines(warnings: &[Finding]) -> Vec<String> {
    /// Directory, rule and class.
    type Group<'a> = (String, &'a str, &'a str);
    let directory = |path: &str| path.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
    let mut groups: Vec<(Group, Vec<&Finding>)> = Vec::new();
    for warning in warnings {
        let key = (directory(&warning.path), warning.rule, warning.class);
        match groups.iter_mut().find(|(known, _)| *known == key) {
            Some((_, members)) => members.push(warning),
            None => groups.push((key, vec![warning])),
        }
    }
    let mut lines = Vec::new();
    for ((dir, rule, class), members) in groups {
        if members.len() < GROUPED {
            for warning in members {
                lines.push(format!(
                    "{} [{}] {}",
                    escape_str(&warning.path),
                    warning.class,
                    warning.message()
                ));
            }
            continue;
        }
        let mut licenses: Vec<&str> = members.iter().filter_map(|w| w.license).collect();
        licenses.sort();
        licenses.dedup();
        let names: Vec<String> = members
            .iter()
            .take(2)
            .map(|w| escape_str(w.path.rsplit('/').next().unwrap_or(&w.path)))
            .collect();
        lines.push(format!(
            "{}/ ({} files: {}, ...) [{class}] {rule} ({}): {}",
            escape_str(&dir),
            members.len(),
            names.join(", "),
            licenses.join(", "),
            members[0].todo
        ));
    }
    lines
}

/// What one exclusion source did.
#[derive(Debug, Clone, Serialize)]
pub struct SourceReport {
    pub source: String,
    pub patterns: usize,
    /// Patterns its tool accepts but that could not be read here; they exclude nothing.
    pub unreadable_patterns: Vec<String>,
    /// Files that would be findings without it, every one: a voter must see each file the
    /// candidate's configuration took out, and only files waiting for the end judgement
    /// (bounded in `Audit`) can be removed, each by one source.
    pub removed: Vec<String>,
    /// Substring patterns (`*word*`) not applied, with the files they would have hidden.
    pub not_applied: BTreeMap<String, Listed>,
    /// The project's own configuration (a candidate's, in `verify`), not our settings.
    pub own: bool,
    /// The project's patterns too broad to hide program source (everything, a language, a
    /// large share of the tree): why, and the files they were not applied to.
    pub too_broad: BTreeMap<String, TooBroad>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TooBroad {
    pub why: String,
    pub paths: Listed,
}

impl SourceReport {
    pub fn new(source: &Source) -> SourceReport {
        SourceReport {
            source: source.name.clone(),
            patterns: source.patterns.len(),
            unreadable_patterns: source
                .patterns
                .iter()
                .filter(|p| p.is_invalid())
                .map(|p| p.text.clone())
                .collect(),
            removed: Vec::new(),
            not_applied: BTreeMap::new(),
            own: source.own,
            too_broad: BTreeMap::new(),
        }
    }

    pub fn too_broad(&mut self, pattern: &str, why: &str, path: &str, names_left: &mut usize) {
        self.too_broad
            .entry(pattern.to_string())
            .or_insert_with(|| TooBroad {
                why: why.to_string(),
                paths: Listed::default(),
            })
            .paths
            .push(path, names_left);
    }

    pub fn not_applied(&mut self, pattern: &str, path: &str, names_left: &mut usize) {
        self.not_applied
            .entry(pattern.to_string())
            .or_default()
            .push(path, names_left);
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub files: usize,
    /// Files per class.
    pub counts: BTreeMap<&'static str, usize>,
    /// The findings, at most [`KEPT_PER_LIST`] of one rule.
    pub findings: Vec<Finding>,
    /// Findings past that, counted: the audit failed for them all the same.
    pub more_findings: usize,
    pub sources: Vec<SourceReport>,
    /// Things a person should look at that do not fail the audit, at most [`KEPT_PER_LIST`]
    /// of one rule.
    pub warnings: Vec<Finding>,
    pub more_warnings: usize,
    pub license_files: usize,
}

/// The first [`LISTED`] of `names`, then how many of `count` are not shown.
fn list(out: &mut String, names: &[String], count: usize) {
    for path in names.iter().take(LISTED) {
        let _ = writeln!(out, "      {}", escape_str(path));
    }
    let shown = names.len().min(LISTED);
    if count > shown {
        let _ = writeln!(out, "      ... and {} more", count - shown);
    }
}

/// Rules from the most to the least serious, findings and warnings alike; a rule not named
/// here comes last. A report names the worst first, so that a candidate cannot bury one
/// Category X file under a thousand missing headers read before it.
const BY_SEVERITY: [&str; 11] = [
    "category-x",
    "category-x-excluded",
    "undeclared-third-party",
    "unknown-license",
    "unjudged",
    "atr-header",
    "no-license",
    "category-x-in-data",
    "category-b",
    "declared-only-in-notice",
    "short-without-header",
];

fn severity(rule: &str) -> usize {
    BY_SEVERITY
        .iter()
        .position(|known| *known == rule)
        .unwrap_or(BY_SEVERITY.len())
}

/// Findings or warnings, at most [`KEPT_PER_LIST`] of one rule; the rest counted.
#[derive(Default)]
pub(super) struct Kept {
    list: Vec<Finding>,
    per_rule: BTreeMap<&'static str, usize>,
    pub more: usize,
}

impl Kept {
    /// The kept ones, the most serious rule first, each rule in the order they came.
    pub fn by_severity(mut self) -> (Vec<Finding>, usize) {
        self.list.sort_by_key(|finding| severity(finding.rule));
        (self.list, self.more)
    }

    pub fn push(&mut self, finding: Finding) {
        let kept = self.per_rule.entry(finding.rule).or_default();
        if *kept < KEPT_PER_LIST {
            *kept += 1;
            self.list.push(finding);
        } else {
            self.more += 1;
        }
    }
}

impl Report {
    pub fn passed(&self) -> bool {
        self.findings.is_empty()
    }

    /// The report as people read it; every path from the tree is escaped.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let counts: Vec<String> = super::classify::Class::ALL
            .iter()
            .map(|class| {
                let n = self.counts.get(class.name()).copied().unwrap_or(0);
                format!("{n} {}", class.name())
            })
            .collect();
        let _ = writeln!(out, "{} files: {}", self.files, counts.join(", "));
        for source in &self.sources {
            if source.removed.is_empty()
                && source.not_applied.is_empty()
                && source.too_broad.is_empty()
                && source.unreadable_patterns.is_empty()
            {
                continue;
            }
            let _ = writeln!(
                out,
                "  {} ({} patterns) excluded {} file(s) that would be findings:",
                source.source,
                source.patterns,
                source.removed.len()
            );
            list(&mut out, &source.removed, source.removed.len());
            for (pattern, paths) in &source.not_applied {
                let _ = writeln!(
                    out,
                    "    pattern `{}` would hide any file whose name or directory merely \
                     contains it, so it is not applied to these (exclude them by path):",
                    escape_str(pattern)
                );
                list(&mut out, &paths.names, paths.count);
            }
            for (pattern, broad) in &source.too_broad {
                let _ = writeln!(
                    out,
                    "    pattern `{}` {}: not applied to program source, which is checked \
                     like any other file (exclude it by path if it needs no header):",
                    escape_str(pattern),
                    broad.why
                );
                list(&mut out, &broad.paths.names, broad.paths.count);
            }
            for pattern in &source.unreadable_patterns {
                let _ = writeln!(
                    out,
                    "    pattern `{}` could not be read: it excludes nothing",
                    escape_str(pattern)
                );
            }
        }
        let lines = warning_lines(&self.warnings);
        for line in lines.iter().take(LISTED) {
            let _ = writeln!(out, "  warning: {line}");
        }
        if lines.len() > LISTED {
            let _ = writeln!(
                out,
                "  ... and {} more warning line(s) (--json lists the first {KEPT_PER_LIST} \
                 warnings of each rule)",
                lines.len() - LISTED
            );
        }
        if self.more_warnings > 0 {
            let _ = writeln!(
                out,
                "  ... and {} more warning(s), counted but not named",
                self.more_warnings
            );
        }
        if self.findings.is_empty() {
            let _ = writeln!(out, "license audit passed");
        } else {
            let _ = writeln!(
                out,
                "{} finding(s):",
                self.findings.len() + self.more_findings
            );
            for finding in &self.findings {
                let _ = writeln!(
                    out,
                    "  {} [{}] {}",
                    escape_str(&finding.path),
                    finding.class,
                    finding.message()
                );
            }
            if self.more_findings > 0 {
                let _ = writeln!(
                    out,
                    "  ... and {} more, counted but not named",
                    self.more_findings
                );
            }
        }
        out
    }
}
