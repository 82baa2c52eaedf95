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

//! The path rules of an archive, judged by what unpacking it would do, not by the spelling:
//! every name is normalised first (`top/./x` and `top//x` are `top/x`), two entries with one
//! name are refused (the second overwrites the first), nothing may be written through a
//! symbolic link of the archive, and every link is resolved against the archive's other links
//! (a link through a link counts). Names must be portable, modes harmless.
//!
//! Memory is bounded whatever the archive holds: names are kept as 64-bit hashes only, and
//! links (rare in a source release) are kept up to [`MAX_LINKS`], beyond which the archive is
//! refused.

use std::collections::{BTreeMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use super::checks::Finding;
use super::reader::{Entry, Kind};

/// More symbolic links than this and the archive is refused rather than resolved.
pub const MAX_LINKS: usize = 10_000;
/// Findings kept per rule run; the rest are counted.
const MAX_FINDINGS: usize = 200;
/// Links followed while resolving one target before it counts as a loop.
const MAX_HOPS: usize = 40;

/// What the path rules make of an entry's name.
pub enum Name {
    /// Refused (absolute, `..`, a duplicate ...): the other rules skip it.
    Refused,
    /// `./`, the directory the archive is unpacked in (GNU tar writes it): only its mode
    /// matters, the other rules skip it.
    Root,
    /// The normalised name the other rules go on with.
    Normalised(String),
}

#[derive(Default)]
pub struct PathChecker {
    /// Each name as its hash shifted left once, the low bit set for names that are not
    /// directories (a file or link can have nothing below it).
    names: HashSet<u64>,
    folded: HashSet<u64>,
    /// Every directory some entry is unpacked into.
    parents: HashSet<u64>,
    /// Normalised link name -> target.
    links: BTreeMap<String, String>,
    too_many_links: bool,
    findings: Vec<Finding>,
    warnings: Vec<Finding>,
    dropped: u64,
}

fn hash(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// `top/./a//b` -> `top/a/b`; `None` for an absolute name or one with `..`.
pub fn normalise(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let mut parts = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// The longest name and name component Linux creates (`PATH_MAX` less its NUL, `NAME_MAX`):
/// an extractor fails on longer ones, leaving a tree without the file.
const MAX_NAME_BYTES: usize = 4095;
const MAX_COMPONENT_BYTES: usize = 255;

/// Why a name is not portable: control characters (C0, DEL, C1), bytes that were not UTF-8
/// (the reader shows them as U+FFFD), or a length no file system takes.
pub fn name_problem(path: &str) -> Option<&'static str> {
    if path.len() > MAX_NAME_BYTES || path.split('/').any(|c| c.len() > MAX_COMPONENT_BYTES) {
        Some("has a name too long to create (over 4,095 bytes, or a part over 255): extractors fail on it")
    } else if path.chars().any(char::is_control) {
        Some("has control characters in its name: refused, it is not portable and can hide what it is")
    } else if path.contains('\u{fffd}') {
        Some("has a name that is not valid UTF-8: refused, it is not portable")
    } else {
        None
    }
}

impl PathChecker {
    fn finding(&mut self, path: &str, message: String) {
        if self.findings.len() < MAX_FINDINGS {
            self.findings.push(Finding {
                rule: "paths",
                path: path.to_string(),
                message,
            });
        } else {
            self.dropped += 1;
        }
    }

    fn check_mode(&mut self, raw: &str, entry: &Entry) {
        if entry.mode & 0o7000 != 0 {
            self.finding(
                raw,
                format!(
                    "has mode {:o} (setuid, setgid or sticky): a source release needs none",
                    entry.mode & 0o7777
                ),
            );
        }
        // A link's own mode means nothing; what it points at is judged on its own.
        if entry.mode & 0o002 != 0 && !matches!(entry.kind, Kind::Symlink { .. }) {
            self.finding(
                raw,
                format!(
                    "has mode {:o}, writable by everyone: refused",
                    entry.mode & 0o7777
                ),
            );
        }
    }

    pub fn visit(&mut self, entry: &Entry) -> Name {
        let raw = entry.path.as_str();
        if let Some(problem) = name_problem(raw) {
            self.finding(raw, problem.into());
            return Name::Refused;
        }
        let Some(name) = normalise(raw) else {
            self.finding(
                raw,
                "absolute path or `..`: it could write outside the directory it is unpacked in"
                    .into(),
            );
            return Name::Refused;
        };
        if name.is_empty() && matches!(entry.kind, Kind::Dir) {
            self.check_mode(raw, entry);
            return Name::Root;
        }
        let leaf = !matches!(entry.kind, Kind::Dir);
        let key = hash(&name) << 1;
        if self.names.contains(&key) || self.names.contains(&(key | 1)) {
            let message = if name == raw {
                "appears twice: unpacking keeps only the last copy, which may not be the one checked".to_string()
            } else {
                format!(
                    "is `{name}` once normalised, a name an earlier entry has: unpacking keeps \
                     only the last copy, which may not be the one checked"
                )
            };
            self.finding(raw, message);
            return Name::Refused;
        }
        self.names.insert(key | u64::from(leaf));
        if !self.folded.insert(hash(&name.to_lowercase())) && self.warnings.len() < MAX_FINDINGS {
            self.warnings.push(Finding {
                rule: "paths",
                path: name.clone(),
                message: "differs from another name only by case: the two collide when \
                          unpacked on macOS or Windows"
                    .into(),
            });
        }
        let mut end = 0;
        while let Some(slash) = name[end..].find('/') {
            let parent = &name[..end + slash];
            if self.links.contains_key(parent) {
                let message = format!(
                    "is unpacked through the symbolic link `{parent}`: it would land wherever the \
                     link points"
                );
                self.finding(raw, message);
                return Name::Refused;
            }
            if self.names.contains(&(hash(parent) << 1 | 1)) {
                let message =
                    format!("is below the file `{parent}`: no extractor can unpack it there");
                self.finding(raw, message);
                return Name::Refused;
            }
            self.parents.insert(hash(parent));
            end += slash + 1;
        }
        self.check_mode(raw, entry);
        if leaf && self.parents.contains(&hash(&name)) {
            let what = match entry.kind {
                Kind::Symlink { .. } => "a symbolic link",
                _ => "a file",
            };
            self.finding(
                raw,
                format!(
                    "is {what} where earlier entries were unpacked into a directory: \
                     extractors fail, or replace the directory"
                ),
            );
            return Name::Refused;
        }
        if let Kind::Symlink { target } = &entry.kind {
            if self.links.len() < MAX_LINKS {
                self.links.insert(name.clone(), target.clone());
            } else if !self.too_many_links {
                self.too_many_links = true;
                self.finding(
                    raw,
                    format!("more than {MAX_LINKS} symbolic links: refused, a source release does not need so many"),
                );
            }
        }
        Name::Normalised(name)
    }

    /// Resolves every link against all the others; returns the findings and the warnings.
    pub fn finish(mut self) -> (Vec<Finding>, Vec<Finding>) {
        let links = std::mem::take(&mut self.links);
        for (name, target) in &links {
            if let Err(problem) = resolve(name, target, &links) {
                self.finding(name, format!("symbolic link to `{target}` {problem}"));
            }
        }
        if self.dropped > 0 {
            let more = self.dropped;
            self.findings.push(Finding {
                rule: "paths",
                path: String::new(),
                message: format!("... and {more} more path problems"),
            });
        }
        (self.findings, self.warnings)
    }
}

/// Follows `target` from the directory of the link `name`, through the archive's other links;
/// fails when the walk leaves the top directory at any point.
fn resolve(name: &str, target: &str, links: &BTreeMap<String, String>) -> Result<(), String> {
    let outside = || "points outside the release tree".to_string();
    if target.is_empty() || target.starts_with('/') {
        return Err(outside());
    }
    let mut here: Vec<String> = name.split('/').map(String::from).collect();
    here.pop();
    let mut pending: Vec<String> = target.rsplit('/').map(String::from).collect();
    let mut hops = 0;
    while let Some(part) = pending.pop() {
        match part.as_str() {
            "" | "." => {}
            ".." => {
                if here.pop().is_none() || here.is_empty() {
                    return Err(outside());
                }
            }
            _ => {
                here.push(part);
                let Some(next) = links.get(&here.join("/")) else {
                    continue;
                };
                hops += 1;
                if hops > MAX_HOPS {
                    return Err("is a loop of links".into());
                }
                let through = here.join("/");
                here.pop();
                if next.is_empty() || next.starts_with('/') {
                    return Err(format!(
                        "points outside the release tree through `{through}`"
                    ));
                }
                pending.extend(next.rsplit('/').map(String::from));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, kind: Kind, mode: u32) -> Entry {
        Entry {
            path: path.into(),
            kind,
            mode,
            size: 0,
            blob_id: None,
            head: Vec::new(),
            whole: None,
        }
    }

    fn link(path: &str, target: &str) -> Entry {
        entry(
            path,
            Kind::Symlink {
                target: target.into(),
            },
            0o777,
        )
    }

    fn file(path: &str) -> Entry {
        entry(path, Kind::File { executable: false }, 0o644)
    }

    fn refused(entries: &[Entry]) -> Vec<String> {
        let mut checker = PathChecker::default();
        for e in entries {
            checker.visit(e);
        }
        checker.finish().0.into_iter().map(|f| f.path).collect()
    }

    #[test]
    fn names_are_normalised_before_they_are_judged() {
        assert_eq!(normalise("top/./a//b/").as_deref(), Some("top/a/b"));
        assert_eq!(normalise("top/../x"), None);
        assert_eq!(normalise("/etc"), None);
        assert_eq!(
            refused(&[file("top/LICENSE"), file("top/./LICENSE")]),
            ["top/./LICENSE"]
        );
        assert_eq!(refused(&[link("top/./././l", "../../../x")]), ["top/l"]);
        assert_eq!(refused(&[link("top////l", "../../../../x")]), ["top/l"]);
        // GNU tar's `./` entry is the extraction directory: only a harmful mode counts.
        assert!(refused(&[entry("./", Kind::Dir, 0o755), file("./top/f")]).is_empty());
        assert_eq!(refused(&[entry(".", Kind::Dir, 0o777)]), ["."]);
    }

    #[test]
    fn links_are_resolved_through_other_links() {
        // `top/a/l` is `top`, so `top/a/l/m` would be the extraction directory itself.
        assert_eq!(
            refused(&[
                link("top/a/l", ".."),
                link("top/a/l/m", ".."),
                file("top/a/l/m/f")
            ]),
            ["top/a/l/m", "top/a/l/m/f"]
        );
        // Order does not matter: the link through a link is found at the end.
        assert_eq!(
            refused(&[link("top/b", "a/l/../.."), link("top/a/l", "..")]),
            ["top/b"]
        );
        assert_eq!(
            refused(&[link("top/x", "y"), link("top/y", "x")]),
            ["top/x", "top/y"]
        );
        assert!(refused(&[link("top/a/l", ".."), link("top/c", "a/l/b")]).is_empty());
        // A link replacing a directory already unpacked into.
        assert_eq!(refused(&[file("top/d/f"), link("top/d", "..")]), ["top/d"]);
    }

    #[test]
    fn names_and_modes_must_be_harmless() {
        let bad = [
            file("top/a\nb"),
            file("top/\u{1b}[2K"),
            file("top/\u{9b}x"),
            file("top/\u{7f}"),
            file("top/\u{fffd}"),
            entry("top/s", Kind::File { executable: true }, 0o4755),
            entry("top/g", Kind::File { executable: true }, 0o2755),
            entry("top/t", Kind::Dir, 0o1755),
            entry("top/w", Kind::File { executable: false }, 0o666),
        ];
        assert_eq!(refused(&bad).len(), bad.len());
        let mut checker = PathChecker::default();
        checker.visit(&file("top/README"));
        checker.visit(&file("top/readme"));
        let (findings, warnings) = checker.finish();
        assert!(findings.is_empty());
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].path, "top/readme");
    }
}
