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

use std::collections::BTreeMap;
use std::fmt;

use super::excludes::Excludes;
use super::license::{self, classify::squash, Audit};
use super::paths::{Name, PathChecker};
use super::reader::{Entry, Kind};
use crate::untrusted::escape_str;

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

const APACHE_LICENSE: &str = include_str!("LICENSE-2.0.txt");

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
}

/// Files whose whole content the checks read.
pub fn wants_whole(path: &str) -> bool {
    path.split_once('/')
        .is_some_and(|(_, rest)| license::wants_whole(rest))
}

impl Checker {
    pub fn new(rules: Rules) -> Checker {
        let license = Audit::new(rules.license_header_excludes.patterns());
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
            Kind::HardLink { target } => self.finding(
                "paths",
                path,
                format!("hard link to `{target}`: a source release has plain files only"),
            ),
            Kind::Other(kind) => self.finding(
                "paths",
                path,
                format!(
                    "special file (tar type `{}`) in a source release",
                    *kind as char
                ),
            ),
            Kind::Dir => {}
            Kind::File { .. } => self.visit_file(entry, inner),
        }
    }

    fn visit_file(&mut self, entry: &Entry, inner: &str) {
        let path = entry.path.as_str();
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
                self.finding(
                    "binaries",
                    path,
                    format!("{what}: a source release must not contain compiled code (allow it with binary-allow if it is not)"),
                );
            }
        }
        self.license
            .visit(inner, entry.size, &entry.head, entry.whole.as_deref());
    }

    pub fn finish(self) -> Vec<Finding> {
        self.finish_with_warnings().0
    }

    /// The findings, and the warnings that do not fail the rules (names that differ only by
    /// case).
    pub fn finish_with_warnings(mut self) -> (Vec<Finding>, Vec<Finding>) {
        let (path_findings, warnings) = std::mem::take(&mut self.paths).finish();
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
        let audit = std::mem::replace(&mut self.license, Audit::new(&[]));
        for found in audit.finish().findings {
            self.finding(
                "license-headers",
                &format!("{top}/{}", found.path),
                found.message(),
            );
        }
        for (rule, more) in std::mem::take(&mut self.dropped) {
            self.findings.push(Finding {
                rule,
                path: String::new(),
                message: format!("... and {more} more"),
            });
        }
        (self.findings, warnings)
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

/// Names compiled content by its first bytes (and a few unambiguous suffixes).
pub fn compiled_code(path: &str, head: &[u8]) -> Option<&'static str> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"\x7fELF") {
        return Some("ELF executable or library");
    }
    if starts(&[0xfe, 0xed, 0xfa, 0xce])
        || starts(&[0xfe, 0xed, 0xfa, 0xcf])
        || starts(&[0xce, 0xfa, 0xed, 0xfe])
        || starts(&[0xcf, 0xfa, 0xed, 0xfe])
    {
        return Some("Mach-O executable or library");
    }
    if starts(&[0xca, 0xfe, 0xba, 0xbe]) {
        return Some("Java class file or Mach-O universal binary");
    }
    if starts(b"MZ")
        && (path.ends_with(".exe")
            || path.ends_with(".dll")
            || head.windows(4).any(|w| w == b"PE\0\0"))
    {
        return Some("Windows PE executable or library");
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return Some("zip archive (jar, wheel ...)");
    }
    if starts(b"\0asm") {
        return Some("WebAssembly module");
    }
    if starts(b"!<arch>\n") {
        return Some("static library (ar archive)");
    }
    if head.len() >= 4
        && &head[2..4] == b"\r\n"
        && (path.ends_with(".pyc") || path.ends_with(".pyo"))
    {
        return Some("compiled Python bytecode");
    }
    let lower = path.to_ascii_lowercase();
    for (suffix, what) in [
        (".class", "Java class file"),
        (".jar", "Java archive"),
        (".pyc", "compiled Python bytecode"),
        (".so", "shared library"),
        (".dylib", "shared library"),
        (".dll", "Windows library"),
        (".exe", "Windows executable"),
        (".o", "object file"),
    ] {
        if lower.ends_with(suffix) {
            return Some(what);
        }
    }
    None
}

/// The LICENSE holds the Apache License 2.0 terms (more licenses may follow them).
fn is_apache_license(text: &[u8]) -> bool {
    let normalise = |bytes: &[u8]| squash(bytes).replace("https", "http");
    let reference = normalise(APACHE_LICENSE.as_bytes());
    let end = "endoftermsandconditions";
    let terms = match reference.find(end) {
        Some(at) => &reference[..at + end.len()],
        None => reference.as_str(),
    };
    normalise(text).contains(terms)
}

fn notice_problems(text: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(text) else {
        return vec!["is not UTF-8 text".into()];
    };
    let mut problems = Vec::new();
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    if !first.is_some_and(|line| line.contains("Apache")) {
        problems.push("the first line must name the product, like `Apache APISIX`".into());
    }
    let copyright = text
        .lines()
        .any(|l| l.contains("Copyright") && l.contains("The Apache Software Foundation"));
    if !copyright {
        problems.push("no `Copyright <years> The Apache Software Foundation` line".into());
    }
    let squashed = squash(text.as_bytes()).replace("https", "http");
    if !squashed.contains(
        "thisproductincludessoftwaredevelopedattheapachesoftwarefoundationhttpwwwapacheorg",
    ) {
        problems.push("no attribution `This product includes software developed at The Apache Software Foundation (http://www.apache.org/).`".into());
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> Rules {
        Rules {
            top_dir: "apache-x-1.0.0-src".into(),
            top_dir_alternative: Some("apache-x-1.0.0".into()),
            incubating: false,
            binary_allow: Excludes::new(&["fixtures/*.jar".into()], "binary-allow").unwrap(),
            license_header_excludes: Excludes::new(&["vendor".into()], "license-header-excludes")
                .unwrap(),
        }
    }

    fn file(path: &str, content: &[u8]) -> Entry {
        Entry {
            path: path.into(),
            kind: Kind::File { executable: false },
            mode: 0o644,
            size: content.len() as u64,
            blob_id: None,
            head: content[..content.len().min(4096)].to_vec(),
            whole: wants_whole(path).then(|| content.to_vec()),
        }
    }

    const NOTICE: &[u8] = b"Apache X\nCopyright 2020-2026 The Apache Software Foundation\n\nThis product includes software developed at\nThe Apache Software Foundation (http://www.apache.org/).\n";

    fn good() -> Vec<Entry> {
        vec![
            Entry {
                kind: Kind::Dir,
                ..file("apache-x-1.0.0-src", b"")
            },
            file("apache-x-1.0.0-src/LICENSE", APACHE_LICENSE.as_bytes()),
            file("apache-x-1.0.0-src/NOTICE", NOTICE),
            file(
                "apache-x-1.0.0-src/src/main.lua",
                b"--\n-- Licensed to the Apache Software Foundation (ASF) under one\n",
            ),
            file("apache-x-1.0.0-src/vendor/lib.js", b"no header"),
            file("apache-x-1.0.0-src/web/app.min.js", b"no header"),
            file("apache-x-1.0.0-src/fixtures/a.jar", b"PK\x03\x04"),
        ]
    }

    fn check(entries: &[Entry], rules: Rules) -> Vec<Finding> {
        let mut checker = Checker::new(rules);
        for entry in entries {
            checker.visit(entry);
        }
        checker.finish()
    }

    fn rules_broken(entries: &[Entry]) -> Vec<(&'static str, String)> {
        check(entries, rules())
            .into_iter()
            .map(|f| (f.rule, f.path))
            .collect()
    }

    #[test]
    fn a_good_tree_passes() {
        assert_eq!(check(&good(), rules()), vec![]);
    }

    #[test]
    fn license_may_carry_https_and_other_whitespace_and_appended_licenses() {
        let mut entries = good();
        let text = APACHE_LICENSE
            .replace("http://", "https://")
            .replace("  ", " ")
            + "\n\nMIT License ...";
        entries[1] = file("apache-x-1.0.0-src/LICENSE", text.as_bytes());
        assert_eq!(check(&entries, rules()), vec![]);
    }

    #[test]
    fn each_broken_rule_names_the_file() {
        let mut entries = good();
        entries.remove(2);
        entries.push(file("apache-x-1.0.0-src/bin/tool", b"\x7fELF\x02\x01"));
        entries.push(file("apache-x-1.0.0-src/Main.class", b"\xca\xfe\xba\xbe"));
        entries.push(file(
            "apache-x-1.0.0-src/src/new.go",
            b"package main\n\nimport \"os\"\n\nfunc main() {\n\tos.Exit(0)\n}\n",
        ));
        entries.push(Entry {
            kind: Kind::Symlink {
                target: "../../etc/passwd".into(),
            },
            ..file("apache-x-1.0.0-src/link", b"")
        });
        entries.push(file("other/file", b""));
        entries.push(file("apache-x-1.0.0-src/../evil", b""));
        let broken = rules_broken(&entries);
        let expect = [
            ("notice", "apache-x-1.0.0-src/NOTICE"),
            ("binaries", "apache-x-1.0.0-src/bin/tool"),
            ("binaries", "apache-x-1.0.0-src/Main.class"),
            ("license-headers", "apache-x-1.0.0-src/src/new.go"),
            ("paths", "apache-x-1.0.0-src/link"),
            ("paths", "apache-x-1.0.0-src/../evil"),
            ("top-dir", ""),
        ];
        for (rule, path) in expect {
            assert!(
                broken.contains(&(rule, path.to_string())),
                "{rule} {path}: {broken:?}"
            );
        }
    }

    #[test]
    fn a_wrong_license_or_notice_is_named() {
        let mut entries = good();
        entries[1] = file("apache-x-1.0.0-src/LICENSE", b"MIT License");
        entries[2] = file("apache-x-1.0.0-src/NOTICE", b"Some product\n");
        let broken = check(&entries, rules());
        assert!(broken.iter().any(|f| f.rule == "license"));
        assert_eq!(broken.iter().filter(|f| f.rule == "notice").count(), 3);
    }

    #[test]
    fn incubating_needs_a_disclaimer() {
        let mut incubating = rules();
        incubating.incubating = true;
        let broken = check(&good(), incubating.clone());
        assert_eq!(broken.len(), 1);
        assert_eq!(broken[0].rule, "disclaimer");
        let mut entries = good();
        entries.push(file("apache-x-1.0.0-src/DISCLAIMER-WIP", b"..."));
        assert_eq!(check(&entries, incubating), vec![]);
    }

    #[test]
    fn incubating_names_and_duplicate_paths_are_flagged() {
        let mut incubating = rules();
        incubating.incubating = true;
        let named = file_name_findings(&incubating, "apache-x-1.0.0-src.tgz");
        assert_eq!(named.len(), 1);
        assert_eq!(named[0].rule, "incubating-name");
        assert!(file_name_findings(&incubating, "apache-x-1.0.0-incubating-src.tgz").is_empty());
        assert!(file_name_findings(&rules(), "apache-x-1.0.0-src.tgz").is_empty());

        let mut entries = good();
        entries.push(file("apache-x-1.0.0-src/src/main.lua", b"-- replaced"));
        let broken = rules_broken(&entries);
        assert!(
            broken.contains(&("paths", "apache-x-1.0.0-src/src/main.lua".to_string())),
            "{broken:?}"
        );
    }

    #[test]
    fn rat_excludes_are_honoured() {
        let mut entries = good();
        entries.push(file(
            "apache-x-1.0.0-src/gen/out.py",
            b"x = 1\ny = 2\nz = 3\nprint(x + y + z)\n",
        ));
        assert_eq!(rules_broken(&entries).len(), 1);
        entries.push(file(
            "apache-x-1.0.0-src/.rat-excludes",
            b"# generated\ngen\n",
        ));
        assert_eq!(rules_broken(&entries), vec![]);
    }

    #[test]
    fn the_alternative_top_dir_is_accepted() {
        let entries: Vec<Entry> = good()
            .into_iter()
            .map(|mut e| {
                e.path = e.path.replace("-src", "");
                e
            })
            .collect();
        assert!(rules_broken(&entries)
            .iter()
            .all(|(rule, _)| *rule != "top-dir"));
    }
}
