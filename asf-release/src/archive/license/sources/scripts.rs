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

//! An exclusion file a project's own script passes to Apache RAT (`-E`, `--exclude-file`,
//! `--input-exclude-file`), like Iceberg Python's `dev/check-license` running
//! `java -jar "$rat_jar" -E "$FWDIR"/dev/.rat-excludes`.
//!
//! Scripts are looked for under `dev/`, `scripts/`, `bin/`, `ci/` (two levels deep; shell,
//! Python and other script languages, or no extension), in the root's build files and in
//! workflows; a line (with its `\` continuations) that names RAT (a word `rat`: `rat.jar`,
//! `$rat_jar`, `apache-rat`) before one of those options names the file. The name is taken
//! as written, after leading variables (`$FWDIR/`, `${ROOT}/`, `$(dirname "$0")/`) and quotes:
//! from the root, else from the script's directory. It must stay inside the repository (no
//! `..`, no absolute path) and be a regular file of the tree (a symbolic link is never read).
//! The audit reads files streaming, in any order, so the file is kept when its name looks
//! like an exclusion list (a word `rat` or one starting with `exclude`: `.rat-excludes`,
//! `rat_exclude_files.txt`, `excludes.txt`), not program source; one named otherwise is not
//! read.

use std::sync::LazyLock;

use regex::Regex;

/// RAT named as a word (`rat.jar`, `$rat_jar`, `apache-rat`, not `generated`).
static RAT: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(r"(?i)(^|[^a-z])rat([^a-z]|$)"));
static OPTION: LazyLock<Result<Regex, regex::Error>> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|\s)(?:-E|--exclude-file|--input-exclude-file)(?:\s+|=)("[^"]*"\S*|'[^']*'\S*|\S+)"#,
    )
});
/// A leading variable: `$FWDIR/`, `${ROOT}/`, `$(dirname "$0")/`.
static VARIABLE: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(r"^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\([^)]*\))/?"));

/// Lines of a script read at most, and exclusion files named per script.
const MAX_LINES: usize = 20_000;
const MAX_NAMED: usize = 20;

const SCRIPT_DIRS: &[&str] = &["dev", "scripts", "bin", "ci"];
const BUILD_FILES: &[&str] = &[
    "Makefile",
    "makefile",
    "GNUmakefile",
    "build.sh",
    "justfile",
    "tox.ini",
    "package.json",
];

/// A file that may run RAT with an exclusion file.
pub fn is_script(inner: &str) -> bool {
    if BUILD_FILES.contains(&inner) {
        return true;
    }
    let parts: Vec<&str> = inner.split('/').collect();
    let name = parts.last().copied().unwrap_or_default();
    let scripted = match name.rsplit_once('.') {
        None => true,
        Some((_, extension)) => SCRIPT_EXTENSIONS.contains(&extension),
    };
    parts.len() >= 2 && parts.len() <= 3 && SCRIPT_DIRS.contains(&parts[0]) && scripted
}

/// What scripts are written in (a file without an extension counts too).
const SCRIPT_EXTENSIONS: &[&str] = &[
    "sh", "bash", "zsh", "py", "mk", "ps1", "bat", "cmd", "pl", "rb", "groovy", "gradle", "kts",
];

/// A file whose name looks like a RAT exclusion list (kept, as a script may name it).
pub fn is_exclusion_list(inner: &str) -> bool {
    let name = inner
        .rsplit('/')
        .next()
        .unwrap_or(inner)
        .to_ascii_lowercase();
    let words: Vec<&str> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let rat = words
        .iter()
        .any(|w| *w == "rat" || w.starts_with("ratignore"));
    let excludes = words.iter().any(|w| w.starts_with("exclude"));
    (rat || excludes)
        && inner.split('/').count() <= 4
        && !super::super::exclusions::is_program_source(inner)
}

/// The exclusion files `text` (the script at `path`) passes to RAT, each as candidates from
/// the root: the name as written, then from the script's directory.
pub fn named_exclusion_files(path: &str, text: &str) -> Vec<Vec<String>> {
    // Most scripts never run RAT: a look for the option's spelling first, without a regex.
    if !text.contains("-E") && !text.contains("exclude-file") {
        return Vec::new();
    }
    let (Ok(rat), Ok(option), Ok(variable)) = (&*RAT, &*OPTION, &*VARIABLE) else {
        return Vec::new();
    };
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let mut named: Vec<Vec<String>> = Vec::new();
    let mut logical = String::new();
    for line in text.lines().take(MAX_LINES) {
        if let Some(start) = line.strip_suffix('\\') {
            logical.push_str(start);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let whole = std::mem::take(&mut logical);
        if !rat.is_match(&whole) {
            continue;
        }
        for captures in option.captures_iter(&whole) {
            // RAT is the command: named before its option (`grep -E x rat.txt` is not).
            let before = captures.get(0).map_or(0, |m| m.start());
            if !rat.is_match(&whole[..before]) {
                continue;
            }
            let token: String = captures[1]
                .chars()
                .filter(|c| !"\"'".contains(*c))
                .collect();
            let mut rest = token.as_str();
            let mut had_variable = false;
            while let Some(found) = variable.find(rest) {
                rest = &rest[found.end()..];
                had_variable = true;
            }
            if rest.starts_with('/') && !had_variable {
                continue;
            }
            let rest = rest.trim_start_matches('/').trim_start_matches("./");
            let Some(relative) = inside(rest) else {
                continue;
            };
            let mut candidates = vec![relative.clone()];
            if !dir.is_empty() {
                candidates.push(format!("{dir}/{relative}"));
            }
            if named.len() < MAX_NAMED && !named.contains(&candidates) {
                named.push(candidates);
            }
        }
    }
    named
}

/// A relative path that stays inside the repository, without variables or wildcards.
fn inside(path: &str) -> Option<String> {
    let clean = !path.is_empty()
        && !path.contains(['$', '*', '?', '[', '`', '\\', ';', '|', '&', '>', '<'])
        && path.split('/').all(|part| !part.is_empty() && part != "..");
    clean.then(|| path.trim_start_matches("./").replace("/./", "/"))
}

/// The exclusion files the project's scripts (and workflows) pass to RAT (`scripts.rs`), read
/// as RAT reads `-E`; the root's `.rat-excludes` and Arrow's list are read anyway.
pub(super) fn sources(files: &[(String, Vec<u8>)]) -> Vec<super::Source> {
    let mut sources: Vec<super::Source> = Vec::new();
    let mut read: Vec<&str> = vec![".rat-excludes", "dev/release/rat_exclude_files.txt"];
    for (script, content) in files {
        if !is_script(script) && !super::is_workflow(script) {
            continue;
        }
        let text = String::from_utf8_lossy(content);
        for candidates in named_exclusion_files(script, &text) {
            let found = candidates
                .iter()
                .find_map(|wanted| files.iter().find(|(path, _)| path == wanted));
            let Some((path, list)) = found else {
                continue;
            };
            if read.contains(&path.as_str()) {
                continue;
            }
            read.push(path);
            sources.push(super::Source::new(
                format!("{path} (passed to RAT by {script})"),
                &super::plain_lines(&String::from_utf8_lossy(list)),
                super::Semantics::RatNames,
            ));
        }
    }
    sources
}
