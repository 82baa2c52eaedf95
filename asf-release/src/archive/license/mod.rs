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

//! The license audit of a source release, at the level of Apache RAT: every file classified
//! by its first bytes, the ASF third-party policy applied, and the project's own license
//! checker configuration honoured. `package` and `verify` run it inside their streaming
//! check; `license-audit` runs it alone on a git ref.

pub mod atr;
pub mod classify;
pub mod exclusions;
mod formats;
pub mod policy;
pub mod report;
pub mod sources;

use std::collections::BTreeMap;

use classify::{Class, Classification};
use policy::{Category, Declarations};
use report::{Finding, Kept, Report, SourceReport};

/// The license files at the root, in every spelling ASF projects use.
const LICENSE_FILES: &[&str] = &["LICENSE", "LICENSE.txt", "LICENSE.md"];
const NOTICE_FILES: &[&str] = &["NOTICE", "NOTICE.txt", "NOTICE.md"];

pub fn is_license_file(inner: &str) -> bool {
    LICENSE_FILES.contains(&inner)
}

pub fn is_notice_file(inner: &str) -> bool {
    NOTICE_FILES.contains(&inner)
}

/// License texts of third-party projects shipped beside LICENSE, in a `licenses/` directory
/// (`licenses/LICENSE-<project>.txt`, as ASF projects lay them out).
pub fn is_bundled_license(inner: &str) -> bool {
    let mut parts = inner.rsplit('/');
    let _name = parts.next();
    parts.any(|dir| dir.eq_ignore_ascii_case("licenses") || dir.eq_ignore_ascii_case("licences"))
}

/// Files (below the top directory) the audit reads whole.
pub fn wants_whole(inner: &str) -> bool {
    is_license_file(inner)
        || is_notice_file(inner)
        || is_bundled_license(inner)
        || sources::is_config_file(inner)
}

/// At most this many bundled license texts are kept, and this many bytes of them in all: a
/// candidate is untrusted, and more can only add findings, never hide one.
const MAX_BUNDLED: usize = 1000;
/// The same for configurations (workflows among them): past these, more are not read, which
/// can only leave findings in, never hide one.
const MAX_CONFIGS: usize = 200;
const CONFIG_BUDGET: usize = 16 * 1024 * 1024;
const BUNDLED_BUDGET: usize = 16 * 1024 * 1024;

/// How much of a file's squashed head is kept until the end, and how much in all: the heads
/// wait for the project's own header text (its configuration may come last). Past the budget
/// heads are dropped, which can only add findings, never hide one.
const KEPT_HEAD_CHARS: usize = 1024;
const KEPT_HEADS_BUDGET: usize = 16 * 1024 * 1024;

/// How many files, and how many bytes of their names, wait for the end judgement at most.
/// Past that a file is counted by class, not judged: the short ones become one warning, the
/// others one finding (the audit cannot say the project excludes them, so it fails).
const MAX_WAITING: usize = 50_000;
const WAITING_NAMES_BUDGET: usize = 4 * 1024 * 1024;

/// What is kept of one file until every configuration file has been seen.
struct Seen {
    path: String,
    found: Classification,
    /// The first bytes squashed, for third-party files only (to find their project).
    head: String,
    /// Why the file needs no license text even if it has none.
    needs_none: Option<&'static str>,
}

/// Collects the files of one tree, in any order, and judges them at the end.
pub struct Audit {
    header_excludes: Vec<String>,
    /// The files whose judgement waits for the end: without a license, or under another one
    /// (the project's header, LICENSE and the configurations may settle them). The others are
    /// only counted: memory stays flat with the number of files a tree holds.
    files: Vec<Seen>,
    /// Every file seen, and the settled ones by class.
    file_count: usize,
    settled: BTreeMap<&'static str, usize>,
    /// Paths of the whole tree, settled or not, to measure the project's exclusions on.
    sample: exclusions::PathSample,
    configs: Vec<(String, Vec<u8>)>,
    licenses: Vec<Vec<u8>>,
    notices: Vec<Vec<u8>>,
    bundled: Vec<(String, Vec<u8>)>,
    bundled_bytes: usize,
    config_bytes: usize,
    config_count: usize,
    /// Files [`sources::kept_apart`]: how many, and their bytes.
    apart: usize,
    apart_bytes: usize,
    kept_head_bytes: usize,
    /// Whether ATR's stricter header rule is applied too (a project that releases through ATR).
    atr_headers: bool,
    /// The files ATR's header check would reject: index into `files`, and why.
    atr_rejected: Vec<(usize, &'static str)>,
    waiting_name_bytes: usize,
    /// Files past the waiting budget, by class: how many, and the first one's name.
    unjudged: BTreeMap<&'static str, (usize, String)>,
    /// Files past the waiting budget that ATR's header check would reject.
    atr_unjudged: usize,
}

impl Audit {
    /// `header_excludes` are the patterns of our own `license-header-excludes` setting.
    pub fn new(header_excludes: &[String]) -> Audit {
        Audit {
            header_excludes: header_excludes.to_vec(),
            files: Vec::new(),
            file_count: 0,
            settled: BTreeMap::new(),
            sample: exclusions::PathSample::default(),
            configs: Vec::new(),
            licenses: Vec::new(),
            notices: Vec::new(),
            bundled: Vec::new(),
            bundled_bytes: 0,
            config_bytes: 0,
            config_count: 0,
            apart: 0,
            apart_bytes: 0,
            kept_head_bytes: 0,
            atr_headers: false,
            atr_rejected: Vec::new(),
            waiting_name_bytes: 0,
            unjudged: BTreeMap::new(),
            atr_unjudged: 0,
        }
    }

    /// Also reports each file ATR's `license.headers` check would reject (`atr.rs`): an error
    /// where our audit takes the header as the ASF's (ATR wants the full form), a warning on
    /// files ATR checks that need no ASF header (third-party, generated, trivial).
    pub fn with_atr_headers(mut self) -> Audit {
        self.atr_headers = true;
        self
    }

    /// One regular file: `inner` is its path below the top directory, `head` its first
    /// bytes, `whole` its content when [`wants_whole`] asked for it.
    pub fn visit(&mut self, inner: &str, size: u64, head_bytes: &[u8], whole: Option<&[u8]>) {
        if let Some(whole) = whole {
            if is_license_file(inner) {
                self.licenses.push(whole.to_vec());
            } else if is_notice_file(inner) {
                self.notices.push(whole.to_vec());
            } else if is_bundled_license(inner)
                && self.bundled.len() < MAX_BUNDLED
                && self.bundled_bytes + whole.len() <= BUNDLED_BUDGET
            {
                self.bundled_bytes += whole.len();
                self.bundled.push((inner.to_string(), whole.to_vec()));
            }
            self.keep_config(inner, whole);
        }
        // The project header is known only at the end: keep the squashed head of files
        // that are not clearly settled, so they can be judged against it then.
        let found = classify::classify(inner, size, head_bytes, None);
        self.file_count += 1;
        self.sample.add(inner);
        let atr_rejects = self.atr_headers && atr::checks(inner) && !atr::accepts(head_bytes);
        let settled = is_settled(found.class, inner, size, head_bytes);
        if !atr_rejects && settled {
            // Settled whatever comes later: no judgement can find anything in it.
            *self.settled.entry(found.class.name()).or_default() += 1;
            return;
        }
        if self.files.len() >= MAX_WAITING
            || self.waiting_name_bytes + inner.len() > WAITING_NAMES_BUDGET
        {
            self.atr_unjudged += usize::from(atr_rejects);
            if settled {
                *self.settled.entry(found.class.name()).or_default() += 1;
            } else {
                let (count, _) = self
                    .unjudged
                    .entry(found.class.name())
                    .or_insert_with(|| (0, inner.to_string()));
                *count += 1;
            }
            return;
        }
        self.waiting_name_bytes += inner.len();
        if atr_rejects {
            self.atr_rejected
                .push((self.files.len(), atr::why_rejected(head_bytes)));
        }
        let head = match found.class {
            Class::Other | Class::None if self.kept_head_bytes < KEPT_HEADS_BUDGET => {
                let head: String = classify::squash(head_bytes)
                    .chars()
                    .take(KEPT_HEAD_CHARS)
                    .collect();
                self.kept_head_bytes += head.len();
                head
            }
            _ => String::new(),
        };
        self.files.push(Seen {
            path: inner.to_string(),
            found,
            head,
            needs_none: match found.class {
                Class::Trivial if size == 0 => Some("empty"),
                Class::None | Class::Trivial => policy::needs_no_license(inner, head_bytes),
                _ => None,
            },
        });
    }

    /// A license-checker configuration of the project that the tarball does not carry (an
    /// allow-list left it out): the project's exclusions hold for its release all the same.
    pub fn add_config(&mut self, inner: &str, text: &[u8]) {
        self.keep_config(inner, text);
    }

    /// Keeps a configuration file within the bounds: the poms of modules (a Maven build may
    /// have hundreds), scripts and files named like exclusion lists count apart from the
    /// others, and only those that say something the audit uses are kept, so they never crowd
    /// out the root's configuration.
    fn keep_config(&mut self, inner: &str, whole: &[u8]) {
        if !sources::is_config_file(inner) {
            return;
        }
        let (count, bytes, max) = match sources::kept_apart(inner) {
            true if !sources::worth_keeping(inner, whole) => return,
            true => (
                &mut self.apart,
                &mut self.apart_bytes,
                sources::maven::MAX_MODULES,
            ),
            false => (&mut self.config_count, &mut self.config_bytes, MAX_CONFIGS),
        };
        if *count < max && *bytes + whole.len() <= CONFIG_BUDGET {
            *count += 1;
            *bytes += whole.len();
            self.configs.push((inner.to_string(), whole.to_vec()));
        }
    }

    pub fn finish(self) -> Report {
        let mut sources = vec![
            sources::ours(&self.header_excludes),
            sources::rat_defaults(),
        ];
        sources.extend(sources::read_all(&self.configs));
        let project_header = sources.iter().find_map(|s| s.header.clone());
        let licenses: Vec<&[u8]> = self.licenses.iter().map(Vec::as_slice).collect();
        let notices: Vec<&[u8]> = self.notices.iter().map(Vec::as_slice).collect();
        let mut in_license = Declarations::new(&licenses);
        in_license.add_bundled(&self.bundled);
        let in_notice = Declarations::new(&notices);
        let mut source_reports: Vec<SourceReport> = sources.iter().map(SourceReport::new).collect();
        let sample = self.sample.paths();
        let mut breadth = exclusions::Breadth::new(sample.iter().map(String::as_str));
        let mut counts = self.settled.clone();
        let mut findings = Kept::default();
        let mut warnings = Kept::default();
        let mut names_left = report::LISTED_NAMES_BUDGET;
        // Said first, so that no limit on one rule's list can drop them.
        for (class, (count, first)) in &self.unjudged {
            *counts.entry(class).or_default() += count;
            let (rule, todo) = match *class == Class::Trivial.name() {
                true => ("short-without-header", "short files without a header"),
                false => (
                    "unjudged",
                    "files without an ASF header (none, or another license's)",
                ),
            };
            let finding = Finding {
                path: first.clone(),
                class,
                license: None,
                rule,
                todo: format!(
                    "{count} {todo} (this one first) came after the audit's bound on files kept \
                     for its end judgement ({MAX_WAITING} files or {} MiB of their names), so \
                     the project's header, LICENSE and exclusions were not applied to them: add \
                     the header, or remove them from the release",
                    WAITING_NAMES_BUDGET >> 20
                ),
            };
            match rule {
                "short-without-header" => warnings.push(finding),
                _ => findings.push(finding),
            }
        }
        if self.atr_unjudged > 0 {
            findings.push(Finding {
                path: String::new(),
                class: Class::None.name(),
                license: None,
                rule: "atr-header",
                todo: format!(
                    "ATR will reject {} more file(s) past the audit's bound on files it names: \
                     give them the full header of https://www.apache.org/legal/src-headers.html#headers",
                    self.atr_unjudged
                ),
            });
        }
        let mut atr_rejected = self.atr_rejected.iter().peekable();
        for (index, seen) in self.files.iter().enumerate() {
            let mut found = seen.found;
            // The project's own header text (from its configuration: in `verify`, the
            // candidate's) makes a file without a license the project's, and a permissive
            // third-party one; never a Category B, X or unknown one, whatever it says.
            let may_be_ours = match found.class {
                Class::None => true,
                Class::Other => policy::category(found.license.unwrap_or("?")) == Category::A,
                _ => false,
            };
            if may_be_ours
                && project_header
                    .as_deref()
                    .is_some_and(|header| seen.head.contains(header))
            {
                found = Classification {
                    class: Class::Apache,
                    license: Some("Apache-2.0"),
                };
            }
            *counts.entry(found.class.name()).or_default() += 1;
            if let Some((_, why)) = atr_rejected.next_if(|(at, _)| *at == index) {
                let (atr, list) = atr_finding(seen, found, why);
                match list {
                    true => findings.push(atr),
                    false => warnings.push(atr),
                }
            }
            let Some(problem) = judge(seen, found, &in_license, &in_notice) else {
                continue;
            };
            // A short file is only worth a word where RAT would really look at it: any
            // exclusion settles it, and is not counted as one that removed a finding.
            if problem.rule == "short-without-header"
                && sources
                    .iter()
                    .any(|source| source.deciding(&seen.path).is_some())
            {
                continue;
            }
            // The first source whose pattern (a careful one, and for the project's own
            // configuration not too broad to hide program source) covers the file removes it.
            let mut removed = false;
            let mut too_broad = None;
            let source_code = exclusions::is_program_source(&seen.path);
            for (at, (source, report)) in sources.iter().zip(source_reports.iter_mut()).enumerate()
            {
                let Some((pattern, applied)) = source.deciding(&seen.path) else {
                    continue;
                };
                if !applied {
                    report.not_applied(&pattern.text, &seen.path, &mut names_left);
                    continue;
                }
                if source.own && source_code {
                    let index = source
                        .patterns
                        .iter()
                        .position(|p| std::ptr::eq(p, pattern))
                        .unwrap_or(usize::MAX);
                    if let Some(why) = breadth.too_broad(at, index, pattern, &seen.path) {
                        report.too_broad(&pattern.text, &why, &seen.path, &mut names_left);
                        too_broad.get_or_insert((source.name.clone(), &pattern.text, why));
                        continue;
                    }
                }
                report.removed.push(seen.path.clone());
                removed = true;
                break;
            }
            let mut problem = problem;
            if let (false, Some((source, pattern, why))) = (removed, too_broad) {
                problem.todo = format!(
                    "{} (the project's {source} pattern `{}` {why}: it is not applied to \
                     program source)",
                    problem.todo,
                    crate::untrusted::escape_short(pattern.as_bytes(), 200)
                );
            }
            if removed {
                if matches!(problem.rule, "category-x" | "category-x-in-data") {
                    warnings.push(Finding {
                        rule: "category-x-excluded",
                        todo: "excluded by the project, but it holds Category X license text: \
                               make sure it is only a copy of a license text or a test fixture, \
                               never code the release uses"
                            .into(),
                        ..problem
                    });
                }
                continue;
            }
            if matches!(
                problem.rule,
                "declared-only-in-notice"
                    | "category-b"
                    | "category-x-in-data"
                    | "short-without-header"
            ) {
                warnings.push(problem);
            } else {
                findings.push(problem);
            }
        }
        let (findings, more_findings) = findings.by_severity();
        let (warnings, more_warnings) = warnings.by_severity();
        Report {
            files: self.file_count,
            counts,
            findings,
            more_findings,
            sources: source_reports,
            warnings,
            more_warnings,
            license_files: self.licenses.len(),
        }
    }
}

/// What ATR's header check will say of a file, and whether it is an error: it is where our
/// audit takes the header as the ASF's (only the full form passes ATR); elsewhere (third-party,
/// generated or trivial files, which need no ASF header) a warning, since ATR still fails them.
fn atr_finding(seen: &Seen, found: Classification, why: &str) -> (Finding, bool) {
    let ours = found.class == Class::Apache;
    let todo = match ours {
        true => format!(
            "ATR will reject this header: {why}; use the full header of \
             https://www.apache.org/legal/src-headers.html#headers"
        ),
        false => format!(
            "ATR will reject this header: {why}; ATR checks every file named like source code, \
             third-party and generated ones too, and `upload` stops on its failure unless ATR is \
             told to skip the file (2025: `.atr/license-headers-ignore` in the draft; 2026: the \
             project's release policy)"
        ),
    };
    let finding = Finding {
        path: seen.path.clone(),
        class: found.class.name(),
        license: found.license,
        rule: "atr-header",
        todo,
    };
    (finding, ours)
}

/// Tabular and structured data (`.csv`, `.tsv`, `.json`, `.jsonl`, `.ndjson`): no code and no
/// license text lives in such a file by design.
fn is_data_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [".csv", ".tsv", ".json", ".jsonl", ".ndjson"]
        .iter()
        .any(|extension| name.ends_with(extension))
}

/// Whether no later knowledge (the project's header, LICENSE, exclusions) can change what is
/// said about a file of this class: such a file is only counted.
fn is_settled(class: Class, inner: &str, size: u64, head_bytes: &[u8]) -> bool {
    match class {
        Class::Binary | Class::Generated | Class::Apache | Class::LicenseText => true,
        // A short file without a header is worth a word where RAT would flag it.
        Class::Trivial => size == 0 || policy::needs_no_license(inner, head_bytes).is_some(),
        // Data of a fixture, a format without comments: no judgement finds anything in it, and
        // a project may hold a hundred thousand of them (they must not use up the bound).
        Class::None => policy::needs_no_license(inner, head_bytes).is_some(),
        Class::Other => false,
    }
}

/// The finding a file deserves before exclusions, if any.
fn judge(
    seen: &Seen,
    found: Classification,
    in_license: &Declarations,
    in_notice: &Declarations,
) -> Option<Finding> {
    let (path, head) = (seen.path.as_str(), seen.head.as_str());
    let finding = |rule: &'static str, todo: String| {
        Some(Finding {
            path: path.to_string(),
            class: found.class.name(),
            license: found.license,
            rule,
            todo,
        })
    };
    match found.class {
        Class::Binary | Class::Generated | Class::Apache | Class::LicenseText => None,
        Class::Trivial if seen.needs_none.is_some() => None,
        Class::Trivial => finding(
            "short-without-header",
            "too short to need the header under ASF policy, but Apache RAT flags every file \
             without one: add the header, or exclude the file in the project's RAT \
             configuration if the project runs RAT"
                .into(),
        ),
        Class::None if seen.needs_none.is_some() => None,
        // Third-party code whose LICENSE entry names it (APISIX's ewma.lua): the ASF header
        // would be wrong on it, and LICENSE already says whose it is.
        Class::None if in_license.names_file(path) => None,
        Class::None => finding(
            "no-license",
            "add the Apache license header (https://www.apache.org/legal/src-headers.html), \
             or exclude the file in the project's license configuration if it needs none"
                .into(),
        ),
        Class::Other => {
            let license = found.license.unwrap_or("?");
            let declared = in_license.declares(path, head);
            match policy::category(license) {
                // Test inputs and fixtures that quote license wording are data, not
                // licensed works: shown for a person to confirm, not refused.
                Category::X if is_data_file(path) => finding(
                    "category-x-in-data",
                    format!(
                        "a data file quoting {license} (Category X) license text: make sure it \
                         is data (a test input, a fixture), never material under that license"
                    ),
                ),
                Category::X => finding(
                    "category-x",
                    format!(
                        "{license} is ASF Category X: it must not be in an Apache release; \
                         remove the file or replace it (https://www.apache.org/legal/resolved.html#category-x)"
                    ),
                ),
                Category::Unknown => finding(
                    "unknown-license",
                    "the license is not one the ASF policy lists: find out what it is \
                     (https://www.apache.org/legal/resolved.html) and declare it in LICENSE"
                        .into(),
                ),
                Category::B if declared => finding(
                    "category-b",
                    format!(
                        "{license} is ASF Category B: in source form only for small unmodified \
                         files consumed as they are (https://www.apache.org/legal/resolved.html#category-b); \
                         check that it is one"
                    ),
                ),
                _ if declared => None,
                _ if in_notice.declares(path, head) => finding(
                    "declared-only-in-notice",
                    format!(
                        "declare it in LICENSE: third-party {license} files are listed in \
                         LICENSE, NOTICE is for required attributions only"
                    ),
                ),
                _ => finding(
                    "undeclared-third-party",
                    format!(
                        "third-party file not declared in LICENSE: name the file, its directory \
                         or its project and the {license} license at the end of LICENSE \
                         (https://infra.apache.org/licensing-howto.html)"
                    ),
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests;
