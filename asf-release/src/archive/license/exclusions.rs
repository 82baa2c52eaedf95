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

//! The project's own license configuration, shown and not trusted silently: a candidate's
//! `.licenserc.yaml` with `paths-ignore: ['**']` would otherwise turn the audit into a pass.
//! A pattern of the project's configuration that excludes everything, a whole programming
//! language, or more than [`SHARE_PERCENT`] % of the tree is not applied to program source:
//! such files are judged like any other (a finding when they carry no license), with the
//! pattern named. What the configuration does exclude is listed, collapsed by directory.

use std::collections::BTreeMap;

use super::sources::Pattern;

/// A pattern matching more than this share of the tree's files is too broad to hide source.
pub const SHARE_PERCENT: usize = 25;
/// The share rule needs at least this many matching files (a fixture directory may be a
/// large part of a small tree).
const SHARE_MIN_FILES: usize = 20;
/// Files the breadth of a pattern is measured on, taken evenly from the tree.
const SAMPLE: usize = 2000;
/// Patterns whose breadth is measured at most; the ones past it count as too broad (a real
/// configuration has tens of patterns).
const MAX_MEASURED: usize = 500;

/// Extensions of program source in the languages ASF projects are written in.
const PROGRAM_SOURCE: &[&str] = &[
    "c", "cc", "cpp", "cxx", "h", "hh", "hpp", "hxx", "m", "mm", "rs", "go", "java", "kt", "kts",
    "scala", "groovy", "gradle", "clj", "cljs", "py", "pyx", "rb", "pl", "pm", "php", "lua", "js",
    "mjs", "cjs", "jsx", "ts", "tsx", "vue", "svelte", "cs", "fs", "vb", "swift", "dart", "erl",
    "ex", "exs", "hs", "ml", "r", "jl", "sh", "bash", "zsh", "ps1", "bat", "cmd", "sql", "proto",
    "thrift", "cmake", "zig", "nim", "d",
];

/// Whether `path` is program source, by its extension.
pub fn is_program_source(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').is_some_and(|(stem, extension)| {
        !stem.is_empty() && PROGRAM_SOURCE.contains(&extension.to_ascii_lowercase().as_str())
    })
}

/// `*.go`, `**/*.go`, `.*\.go` (a RAT regex) ...: a pattern naming one extension everywhere.
fn language_of(text: &str) -> Option<String> {
    let mut rest = text.trim();
    loop {
        let before = rest;
        for prefix in ["**/", "/", "./", ".*", ".+", "*"] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        if rest == before {
            break;
        }
    }
    let extension = rest
        .strip_prefix("\\.")
        .or_else(|| rest.strip_prefix('.'))?;
    let lower = extension.to_ascii_lowercase();
    PROGRAM_SOURCE.contains(&lower.as_str()).then_some(lower)
}

/// Why a pattern is too broad to hide program source, if it is, and whether the sample saw it
/// exclude only Maven test resources (then it still may not hide program source elsewhere: a
/// sample can miss the few files it also reaches).
fn breadth(pattern: &Pattern, sample: &[&str]) -> Option<(String, bool)> {
    if let Some(language) = language_of(&pattern.text) {
        return Some((
            format!("excludes every `.{language}` file, a whole language"),
            false,
        ));
    }
    let matched: Vec<&&str> = sample.iter().filter(|path| pattern.matches(path)).collect();
    if sample.len() >= 2 && matched.len() == sample.len() {
        return Some(("excludes every file of the tree".into(), false));
    }
    // Maven's test resources are data by the layout's definition (copied for the tests, never
    // compiled): a pattern that excludes only files below them may exclude any share (Maven
    // Surefire's integration-test projects are half of its tree).
    let fixtures_only = matched.iter().all(|path| is_maven_test_resource(path));
    let matched = matched.len();
    if matched >= SHARE_MIN_FILES && matched * 100 > sample.len() * SHARE_PERCENT {
        return Some((
            format!(
                "excludes {}% of the tree's files (more than {SHARE_PERCENT}%)",
                matched * 100 / sample.len()
            ),
            fixtures_only,
        ));
    }
    None
}

fn is_maven_test_resource(path: &str) -> bool {
    path.starts_with("src/test/resources/") || path.contains("/src/test/resources/")
}

/// Paths taken evenly from a tree of any size, in bounded memory: every `stride`-th path is
/// kept, and when twice [`SAMPLE`] are kept every other one goes and the stride doubles.
#[derive(Default)]
pub struct PathSample {
    kept: Vec<String>,
    seen: usize,
    stride: usize,
}

impl PathSample {
    pub fn add(&mut self, path: &str) {
        let stride = self.stride.max(1);
        if self.seen.is_multiple_of(stride) {
            self.kept.push(path.to_string());
            if self.kept.len() >= 2 * SAMPLE {
                let mut index = 0;
                self.kept.retain(|_| {
                    index += 1;
                    index % 2 == 1
                });
                self.stride = stride * 2;
            }
        }
        self.seen += 1;
    }

    pub fn paths(&self) -> &[String] {
        &self.kept
    }
}

/// Judges the breadth of the project's patterns, each once.
pub struct Breadth<'a> {
    sample: Vec<&'a str>,
    measured: BTreeMap<(usize, usize), Option<(String, bool)>>,
}

impl<'a> Breadth<'a> {
    pub fn new(paths: impl ExactSizeIterator<Item = &'a str>) -> Breadth<'a> {
        let step = paths.len().div_ceil(SAMPLE).max(1);
        Breadth {
            sample: paths.step_by(step).collect(),
            measured: BTreeMap::new(),
        }
    }

    /// Why pattern `index` of source `source` may not hide the program source at `path`, if
    /// it may not.
    pub fn too_broad(
        &mut self,
        source: usize,
        index: usize,
        pattern: &Pattern,
        path: &str,
    ) -> Option<String> {
        let why = match self.measured.get(&(source, index)) {
            Some(known) => known.clone(),
            None => {
                let why = if self.measured.len() >= MAX_MEASURED {
                    Some((
                        format!(
                            "is one of more than {MAX_MEASURED} patterns that exclude program \
                             source"
                        ),
                        false,
                    ))
                } else {
                    breadth(pattern, &self.sample)
                };
                self.measured.insert((source, index), why.clone());
                why
            }
        };
        match why {
            Some((_, true)) if is_maven_test_resource(path) => None,
            Some((why, _)) => Some(why),
            None => None,
        }
    }
}

/// `paths` in at most `lines` lines: a file alone, or a directory with how many files below
/// it, the directories as deep as the limit allows.
pub fn collapse(paths: &[String], lines: usize) -> Vec<String> {
    let directory = |path: &str, depth: usize| -> String {
        let parts: Vec<&str> = path.split('/').collect();
        parts[..(parts.len() - 1).min(depth)].join("/")
    };
    let deepest = paths
        .iter()
        .map(|p| p.matches('/').count())
        .max()
        .unwrap_or(0);
    let mut depth = deepest;
    loop {
        let mut groups: BTreeMap<String, Vec<&String>> = BTreeMap::new();
        for path in paths {
            groups.entry(directory(path, depth)).or_default().push(path);
        }
        if groups.len() <= lines || depth == 0 {
            return groups
                .into_iter()
                .map(|(dir, members)| match members.as_slice() {
                    [one] => (*one).clone(),
                    _ if dir.is_empty() => format!("{} files across the tree", members.len()),
                    _ => format!("{dir}/ ({} files)", members.len()),
                })
                .collect();
        }
        depth -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_language_is_seen_in_every_spelling() {
        for text in ["*.go", "**/*.go", "/**/*.GO", ".*\\.go", "**.go"] {
            assert_eq!(language_of(text).as_deref(), Some("go"), "{text}");
        }
        for text in ["*.md", "docs/*.go", "vendor/**", "gen.go", "*_test.go"] {
            assert_eq!(language_of(text), None, "{text}");
        }
        assert!(is_program_source("src/main.rs"));
        assert!(!is_program_source("docs/a.md"));
        assert!(!is_program_source(".sh"));
    }

    #[test]
    fn the_path_sample_stays_bounded_and_even() {
        let mut sample = PathSample::default();
        for n in 0..100_000 {
            sample.add(&format!("f{n}"));
        }
        let kept = sample.paths();
        assert!(
            kept.len() >= SAMPLE && kept.len() < 2 * SAMPLE,
            "{}",
            kept.len()
        );
        assert_eq!(kept[0], "f0");
        let stride = 100_000 / kept.len();
        assert!(kept
            .last()
            .is_some_and(|last| last[1..].parse::<usize>().unwrap_or(0) > 100_000 - 2 * stride));
    }

    #[test]
    fn excluded_files_are_collapsed_by_directory() {
        let paths: Vec<String> = ["a/b/1", "a/b/2", "a/c/3", "d/4", "top"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            collapse(&paths, 10),
            ["top", "a/b/ (2 files)", "a/c/3", "d/4"]
        );
        assert_eq!(collapse(&paths, 3), ["top", "a/ (3 files)", "d/4"]);
        assert_eq!(collapse(&paths, 1), ["5 files across the tree"]);
    }
}
