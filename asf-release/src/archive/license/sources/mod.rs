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

//! The exclusions a project already keeps for its own license checker, each read from its
//! own file with its own pattern rules, so no project writes them twice.

use globset::{GlobBuilder, GlobMatcher};
use regex::Regex;

use super::formats::{ini_section, plain_lines, toml_excludes, yaml_values};

use crate::archive::excludes::Excludes;

pub mod maven;
pub mod scripts;

/// The configuration files read whole (paths below the top directory).
pub const CONFIG_FILES: &[&str] = &[
    ".licenserc.yaml",
    ".licenserc.yml",
    "licenserc.toml",
    ".rat-excludes",
    ".ratignore",
    "dev/release/rat_exclude_files.txt",
    "pom.xml",
    ".actions/ASF-Release.cfg",
    "tools/build/scanCode.cfg",
];

pub fn is_config_file(inner: &str) -> bool {
    CONFIG_FILES.contains(&inner)
        || kept_apart(inner)
        || inner == ".gitattributes"
        || inner.ends_with("/.gitattributes")
        || is_workflow(inner)
        || is_eyes_config(inner)
}

/// Configuration files a tree may hold hundreds of (module poms, scripts, files named like
/// exclusion lists): kept within bounds of their own, and only when [`worth_keeping`].
pub fn kept_apart(inner: &str) -> bool {
    !CONFIG_FILES.contains(&inner)
        && (maven::is_module_pom(inner)
            || scripts::is_script(inner)
            || scripts::is_exclusion_list(inner))
}

/// Whether a file [`kept_apart`] says anything the audit uses.
pub fn worth_keeping(inner: &str, content: &[u8]) -> bool {
    if maven::is_module_pom(inner) {
        return maven::matters(content);
    }
    if scripts::is_script(inner) && !scripts::is_exclusion_list(inner) {
        let text = String::from_utf8_lossy(content);
        return !scripts::named_exclusion_files(inner, &text).is_empty();
    }
    true
}

/// A GitHub workflow: it may run SkyWalking Eyes with a configuration kept elsewhere.
fn is_workflow(inner: &str) -> bool {
    inner
        .strip_prefix(".github/workflows/")
        .is_some_and(|name| {
            !name.contains('/') && (name.ends_with(".yml") || name.ends_with(".yaml"))
        })
}

/// A SkyWalking Eyes configuration outside the root (`.github/config/licenserc.yml`), read
/// when a workflow names it.
fn is_eyes_config(inner: &str) -> bool {
    let name = inner.rsplit('/').next().unwrap_or(inner);
    inner.starts_with(".github/")
        && inner.matches('/').count() <= 3
        && name.contains("licenserc")
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// Whether leaving `path` out of a tarball changes what a voter's audit excludes: any
/// configuration does, a workflow only when it names a SkyWalking Eyes configuration.
pub fn matters_to_voters(path: &str, content: &[u8]) -> bool {
    if kept_apart(path) {
        // A list matters when a script names it, which this file alone cannot tell.
        return !scripts::is_exclusion_list(path) && worth_keeping(path, content);
    }
    !is_workflow(path)
        || !eyes_configs_of_workflows(&[(path.to_string(), content.to_vec())]).is_empty()
}

/// The configurations the workflows give SkyWalking Eyes (`with: config: <path>`), from the
/// top, without the root's own `.licenserc.yaml` (read anyway).
fn eyes_configs_of_workflows(files: &[(String, Vec<u8>)]) -> Vec<String> {
    let Ok(config) = Regex::new(r#"(?m)^\s*config:\s*["']?(?:\./)?([^"'\s#]+)"#) else {
        return Vec::new();
    };
    let mut named = Vec::new();
    for (_, content) in files.iter().filter(|(path, _)| is_workflow(path)) {
        let text = String::from_utf8_lossy(content);
        if !text.contains("skywalking-eyes") && !text.contains("license-eye") {
            continue;
        }
        for captures in config.captures_iter(&text) {
            let named_path = captures[1].to_string();
            let root = [".licenserc.yaml", ".licenserc.yml"].contains(&named_path.as_str());
            if is_eyes_config(&named_path) && !root && !named.contains(&named_path) {
                named.push(named_path);
            }
        }
    }
    named
}

/// The most patterns read from one source.
const MAX_PATTERNS: usize = 10_000;

/// How one tool reads its patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Semantics {
    /// SkyWalking Eyes: doublestar glob on the whole path, or the file's own name, or a
    /// directory prefix.
    Eyes,
    /// `.gitignore` rules (hawkeye, our own settings).
    GitIgnore,
    /// Apache RAT `-E`: a file or directory name, as a name, a wildcard or a regex (up to
    /// RAT 0.15), or a path pattern from the base directory, a directory covering what is in
    /// it (RAT 0.16 on: `mkdocs/*`); either one excludes.
    RatNames,
    /// Python `fnmatch` on the whole path, `*` crossing `/` (Arrow's release scripts).
    Fnmatch,
    /// Ant patterns relative to the root (maven's apache-rat-plugin).
    Ant,
    /// Apache RAT's notes (README, CHANGES ...): the file's own name, in any case, as RAT
    /// compares them upper-cased.
    NoteNames,
    /// OpenWhisk's scanCode.py: any directory whose path contains the text. Applied here
    /// carefully (a path from the root and what is below it, or a wildcard on one name); the
    /// files only the substring rule would hide are reported.
    ScanCode,
}

enum Matcher {
    Glob(GlobMatcher),
    GitIgnore(Excludes),
    Rat(Option<GlobMatcher>, Option<Regex>, Option<GlobMatcher>),
    /// `.gitattributes` below `dir`: a pattern without `/` matches a name at any depth.
    Attribute {
        dir: String,
        glob: GlobMatcher,
        anywhere: bool,
    },
    Invalid,
}

pub struct Pattern {
    pub text: String,
    semantics: Option<Semantics>,
    matcher: Matcher,
    /// `*word*` matched against names at any depth: it hides every file whose name merely
    /// contains the word, so it is applied only to files that are generated by content.
    pub sloppy: bool,
    /// For `.gitattributes`: the line unsets the attribute.
    unset: bool,
    /// For a pom's Ant patterns: where they apply (Maven runs RAT in every module, with the
    /// module's directory as base); `None`: at the root only.
    within: Option<maven::Within>,
}

/// One configuration file's exclusions.
pub struct Source {
    /// Where it comes from, like `.licenserc.yaml header.paths-ignore`.
    pub name: String,
    pub patterns: Vec<Pattern>,
    /// Project header text (squashed) and SPDX id, from `.licenserc.yaml`.
    pub header: Option<String>,
    pub spdx_id: Option<String>,
    /// One of the project's own configuration files (a candidate's, in `verify`), not our
    /// settings or RAT's defaults: shown, and not trusted to hide program source.
    pub own: bool,
}

fn glob(text: &str, literal_separator: bool) -> Option<GlobMatcher> {
    // doublestar and ant read `**` inside a name (`docs/**.svg`) as `*`.
    let fixed: Vec<String> = text
        .split('/')
        .map(|part| {
            if part != "**" && part.contains("**") {
                part.replace("**", "*")
            } else {
                part.to_string()
            }
        })
        .collect();
    GlobBuilder::new(&fixed.join("/"))
        .literal_separator(literal_separator)
        .backslash_escape(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

fn is_sloppy(text: &str, semantics: Semantics) -> bool {
    let text = text.trim_end_matches('/');
    let anywhere = matches!(
        semantics,
        Semantics::GitIgnore | Semantics::RatNames | Semantics::Fnmatch
    );
    anywhere
        && text.len() > 2
        && text.starts_with('*')
        && text.ends_with('*')
        && !text[1..text.len() - 1].contains(['*', '?', '[', '/'])
}

impl Pattern {
    fn new(text: &str, semantics: Semantics) -> Pattern {
        let matcher = match semantics {
            Semantics::Eyes => glob(text.trim_end_matches('/'), true).map(Matcher::Glob),
            Semantics::GitIgnore => Excludes::new(&[text.to_string()], "patterns")
                .ok()
                .map(Matcher::GitIgnore),
            Semantics::RatNames => Some(Matcher::Rat(
                glob(text, true),
                Regex::new(&format!("^(?:{text})$")).ok(),
                text.contains('/')
                    .then(|| glob(text.trim_start_matches("./"), true))
                    .flatten(),
            )),
            Semantics::Fnmatch | Semantics::ScanCode => glob(text, false).map(Matcher::Glob),
            Semantics::NoteNames => GlobBuilder::new(text)
                .case_insensitive(true)
                .build()
                .ok()
                .map(|g| Matcher::Glob(g.compile_matcher())),
            Semantics::Ant => {
                let text = text.trim_start_matches("./");
                let full = if text.ends_with('/') {
                    format!("{text}**")
                } else {
                    text.to_string()
                };
                glob(&full, true).map(Matcher::Glob)
            }
        };
        Pattern {
            text: text.to_string(),
            semantics: Some(semantics),
            matcher: matcher.unwrap_or(Matcher::Invalid),
            sloppy: is_sloppy(text, semantics),
            unset: false,
            within: None,
        }
    }

    pub fn is_invalid(&self) -> bool {
        matches!(self.matcher, Matcher::Invalid)
    }

    /// Whether the tool's own sloppy rule hides `path` where the careful one does not.
    fn hides_only_sloppily(&self, path: &str) -> bool {
        if self.semantics != Some(Semantics::ScanCode) || self.is_invalid() {
            return false;
        }
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        format!("./{dir}").contains(self.text.as_str())
    }

    pub fn matches(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        match (&self.matcher, self.semantics) {
            (Matcher::Invalid, _) => false,
            (Matcher::Glob(glob), Some(Semantics::Eyes)) => {
                let bare = self.text.trim_end_matches('/');
                glob.is_match(path) || name == bare || path.starts_with(&format!("{bare}/"))
            }
            (Matcher::Glob(glob), Some(Semantics::Ant)) => {
                // `dir/**` also covers `dir` itself, and a directory covers what is in it.
                let ant = |path: &str| {
                    let mut end = 0;
                    path.split('/').any(|part| {
                        end += if end == 0 { 0 } else { 1 } + part.len();
                        glob.is_match(&path[..end])
                    })
                };
                let Some(within) = &self.within else {
                    return ant(path);
                };
                (within.at_root && ant(path))
                    || path
                        .match_indices('/')
                        .any(|(at, _)| within.modules.contains(&path[..at]) && ant(&path[at + 1..]))
            }
            (Matcher::Glob(glob), Some(Semantics::ScanCode)) => {
                let wildcard = self.text.contains(['*', '?', '[']);
                glob.is_match(path)
                    || path.starts_with(&format!("{}/", self.text))
                    || (wildcard && path.split('/').any(|part| glob.is_match(part)))
            }
            (Matcher::Glob(glob), Some(Semantics::NoteNames)) => {
                glob.is_match(name) && is_prose_name(name)
            }
            (Matcher::Glob(glob), _) => glob.is_match(path),
            (Matcher::GitIgnore(excludes), _) => excludes.matches(path),
            (Matcher::Rat(wildcard, regex, from_base), _) => {
                path.split('/').any(|part| {
                    part == self.text
                        || wildcard.as_ref().is_some_and(|g| g.is_match(part))
                        || regex.as_ref().is_some_and(|r| r.is_match(part))
                }) || from_base.as_ref().is_some_and(|g| {
                    path.match_indices('/')
                        .map(|(at, _)| &path[..at])
                        .chain([path])
                        .any(|prefix| g.is_match(prefix))
                })
            }
            (
                Matcher::Attribute {
                    dir,
                    glob,
                    anywhere,
                },
                _,
            ) => {
                let Some(rest) = (if dir.is_empty() {
                    Some(path)
                } else {
                    path.strip_prefix(dir.as_str())
                        .and_then(|r| r.strip_prefix('/'))
                }) else {
                    return false;
                };
                if *anywhere {
                    glob.is_match(name)
                } else {
                    glob.is_match(rest)
                }
            }
        }
    }
}

impl Source {
    fn new(name: impl Into<String>, texts: &[String], semantics: Semantics) -> Source {
        Source {
            name: name.into(),
            // A file from a candidate is untrusted: a bounded number of patterns, so matching
            // stays cheap whatever it holds. Real lists have tens.
            patterns: texts
                .iter()
                .take(MAX_PATTERNS)
                .map(|t| Pattern::new(t, semantics))
                .collect(),
            header: None,
            spdx_id: None,
            own: true,
        }
    }

    /// The pattern that decides about `path`, if one does (for `.gitattributes`, the last
    /// line that sets or unsets `linguist-generated` wins).
    pub fn matching(&self, path: &str) -> Option<&Pattern> {
        let attribute = self
            .patterns
            .iter()
            .any(|p| matches!(p.matcher, Matcher::Attribute { .. }));
        if attribute {
            let last = self.patterns.iter().rev().find(|p| p.matches(path))?;
            return (!last.unset).then_some(last);
        }
        self.patterns.iter().find(|p| p.matches(path))
    }

    /// The pattern that decides about `path` and whether it is applied (`false`: a sloppy
    /// pattern, reported instead).
    pub fn deciding(&self, path: &str) -> Option<(&Pattern, bool)> {
        if let Some(pattern) = self.matching(path) {
            return Some((pattern, !pattern.sloppy));
        }
        self.patterns
            .iter()
            .find(|p| p.hides_only_sloppily(path))
            .map(|p| (p, false))
    }
}

/// What Apache RAT leaves out by default and ASF practice follows: hidden files and
/// directories (`.github/`, `.gitignore` ...) and the notes RAT does not check (README,
/// CHANGES ...), named in any case (`readme.md`), with no extension or a prose one.
pub fn rat_defaults() -> Source {
    let notes = [
        "README*",
        "CHANGES*",
        "CHANGELOG*",
        "RELEASE-NOTES*",
        "RELEASE_NOTES*",
        "AUTHORS*",
        "INSTALL*",
        "NEWS*",
        "UPGRADE*",
        "BUILDING*",
    ];
    let mut source = Source {
        own: false,
        ..Source::new("RAT defaults", &[".*".to_string()], Semantics::GitIgnore)
    };
    source
        .patterns
        .extend(notes.map(|note| Pattern::new(note, Semantics::NoteNames)));
    source
}

/// A name with no extension or a prose one: `readme.md` is a note, `readme.rs` is code.
fn is_prose_name(name: &str) -> bool {
    const PROSE: [&str; 8] = [
        "md", "markdown", "txt", "rst", "adoc", "asciidoc", "org", "text",
    ];
    match name.rsplit_once('.') {
        None => true,
        Some((_, extension)) => PROSE.iter().any(|p| p.eq_ignore_ascii_case(extension)),
    }
}

/// Patterns of our own `license-header-excludes` setting.
pub fn ours(patterns: &[String]) -> Source {
    Source {
        own: false,
        ..Source::new("license-header-excludes", patterns, Semantics::GitIgnore)
    }
}

/// Reads every configuration file found; `files` holds `(path, content)`.
pub fn read_all(files: &[(String, Vec<u8>)]) -> Vec<Source> {
    let mut sources = Vec::new();
    let mut attributes: Vec<&(String, Vec<u8>)> = files
        .iter()
        .filter(|(path, _)| path.ends_with(".gitattributes"))
        .collect();
    // Deeper files come later, so their lines override the root's.
    attributes.sort_by_key(|(path, _)| path.matches('/').count());
    for named in eyes_configs_of_workflows(files) {
        if let Some((path, content)) = files.iter().find(|(path, _)| *path == named) {
            sources.push(licenserc_yaml(path, &String::from_utf8_lossy(content)));
        }
    }
    for (path, content) in files {
        let text = String::from_utf8_lossy(content);
        match path.as_str() {
            ".licenserc.yaml" | ".licenserc.yml" => sources.push(licenserc_yaml(path, &text)),
            "licenserc.toml" => sources.push(Source::new(
                "licenserc.toml excludes",
                &toml_excludes(&text),
                Semantics::GitIgnore,
            )),
            ".rat-excludes" => sources.push(Source::new(
                ".rat-excludes",
                &plain_lines(&text),
                Semantics::RatNames,
            )),
            // Apache Libcloud's: paths from the top, a directory with a trailing `/`.
            ".ratignore" => sources.push(Source::new(
                ".ratignore",
                &plain_lines(&text),
                Semantics::GitIgnore,
            )),
            "dev/release/rat_exclude_files.txt" => sources.push(Source::new(
                "dev/release/rat_exclude_files.txt",
                &plain_lines(&text),
                Semantics::Fnmatch,
            )),
            ".actions/ASF-Release.cfg" | "tools/build/scanCode.cfg" => sources.push(Source::new(
                format!("{path} [Excludes]"),
                &ini_section(&text, "Excludes"),
                Semantics::ScanCode,
            )),
            // With the poms of its modules: Maven applies the excludes in each module.
            "pom.xml" => sources.extend(maven::sources(files)),
            _ => {}
        }
    }
    sources.extend(scripts::sources(files));
    let mut generated = Source::new(".gitattributes linguist-generated", &[], Semantics::Eyes);
    for (path, content) in attributes {
        let dir = path
            .strip_suffix(".gitattributes")
            .unwrap_or("")
            .trim_end_matches('/');
        generated
            .patterns
            .extend(linguist_generated(dir, &String::from_utf8_lossy(content)));
    }
    if !generated.patterns.is_empty() {
        sources.push(generated);
    }
    sources
}

fn linguist_generated(dir: &str, text: &str) -> Vec<Pattern> {
    let mut patterns = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(pattern) = words.next() else {
            continue;
        };
        let mut state = None;
        for attribute in words {
            match attribute {
                "linguist-generated" | "linguist-generated=true" => state = Some(false),
                "-linguist-generated" | "!linguist-generated" | "linguist-generated=false" => {
                    state = Some(true)
                }
                _ => {}
            }
        }
        let Some(unset) = state else {
            continue;
        };
        let bare = pattern.trim_start_matches('/');
        let anywhere = !pattern.trim_end_matches('/').contains('/');
        let Some(glob) = glob(bare, true) else {
            continue;
        };
        patterns.push(Pattern {
            text: if dir.is_empty() {
                pattern.to_string()
            } else {
                format!("{dir}/.gitattributes: {pattern}")
            },
            semantics: None,
            matcher: Matcher::Attribute {
                dir: dir.to_string(),
                glob,
                anywhere,
            },
            sloppy: false,
            unset,
            within: None,
        });
    }
    patterns
}

/// `header.paths-ignore`, `header.license.spdx-id` and `header.license.content` of a
/// SkyWalking Eyes configuration, read by a small indentation-based reader of just those keys.
fn licenserc_yaml(path: &str, text: &str) -> Source {
    let values = yaml_values(text);
    let list: Vec<String> = values
        .iter()
        .filter(|(key, _)| key == "header.paths-ignore")
        .map(|(_, v)| v.clone())
        .collect();
    let mut source = Source::new(
        format!("{path} header.paths-ignore"),
        &list,
        Semantics::Eyes,
    );
    let scalar = |wanted: &str| {
        values
            .iter()
            .find(|(key, _)| key == wanted)
            .map(|(_, v)| v.clone())
    };
    source.spdx_id = scalar("header.license.spdx-id");
    source.header = scalar("header.license.content")
        .map(|content| super::classify::squash(content.as_bytes()))
        .filter(|squashed| squashed.len() >= 40);
    source
}

#[cfg(test)]
mod tests;
