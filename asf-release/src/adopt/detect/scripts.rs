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

//! What a project's release scripts and Makefile do: the archive they make (its name, its
//! top directory, the paths it takes or leaves out) and where they put it on dist.apache.org
//! (`dist/dev/iceberg/apache-iceberg-rust-${VERSION}-rc${RC}`). Their variables are resolved as
//! far as plain assignments go; the version and the candidate number become `{version}` and
//! `{rc}`. Nothing is run.

use super::read_text;
use super::release::{Found, ReleaseFacts};

/// The variables that stand for the version and the candidate number.
fn placeholder(name: &str) -> Option<&'static str> {
    match name.to_ascii_lowercase().as_str() {
        "version" => Some("{version}"),
        "rc" | "rc_num" | "rc_number" => Some("{rc}"),
        _ => None,
    }
}

/// A script's text with continuation lines joined, and its assignments in order.
struct Script {
    lines: Vec<String>,
    assignments: Vec<(String, String)>,
    make: bool,
    /// `RELEASE="${CANDIDATE%rc*}"`: RELEASE is the version and CANDIDATE the version with
    /// its candidate qualifier (`rc` here), as (RELEASE, CANDIDATE, qualifier).
    rc_removals: Vec<(String, String, String)>,
}

impl Script {
    fn new(text: &str, make: bool) -> Script {
        let joined = text.replace("\\\n", " ");
        let lines: Vec<String> = joined.lines().map(str::to_string).collect();
        let shell = regex::Regex::new(
            r"^\s*(?:(?:export|local|readonly|declare)\s+(?:-[A-Za-z]+\s+)*)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$",
        )
        .expect("valid");
        let makefile = regex::Regex::new(r"^([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:\?|:|::|\+)?=\s*(.*)$")
            .expect("valid");
        let mut assignments = Vec::new();
        for line in &lines {
            if make {
                if let Some(c) = makefile.captures(line) {
                    let value = c[2].split(" #").next().unwrap_or("").trim();
                    assignments.push((c[1].to_string(), value.to_string()));
                    continue;
                }
            }
            // In a Makefile, recipe lines are shell lines.
            let line = line.trim_start_matches('\t');
            if let Some(c) = shell.captures(line) {
                assignments.push((c[1].to_string(), shell_word(&c[2])));
            }
        }
        let removal =
            regex::Regex::new(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)%%?([-._]?[Rr][Cc][-._]?)\*\}$")
                .expect("valid");
        let rc_removals = assignments
            .iter()
            .filter_map(|(name, value)| {
                let c = removal.captures(value)?;
                Some((name.clone(), c[1].to_string(), c[2].to_string()))
            })
            .collect();
        Script {
            lines,
            assignments,
            make,
            rc_removals,
        }
    }

    /// The value of a variable: the first assignment that resolves without itself.
    fn value(&self, name: &str, depth: usize) -> Option<String> {
        if let Some(placeholder) = placeholder(name) {
            return Some(placeholder.to_string());
        }
        if depth > 8 {
            return None;
        }
        if self
            .rc_removals
            .iter()
            .any(|(release, _, _)| release == name)
        {
            return Some("{version}".to_string());
        }
        let assigned = self
            .assignments
            .iter()
            .filter(|(n, _)| n == name)
            .filter(|(_, value)| !refers_to(value, name))
            .find_map(|(_, value)| self.expand(value, depth + 1));
        // A variable given from outside (`"$1"`) whose candidate qualifier the script
        // removes holds the version with it: `{version}rc{rc}`.
        assigned.or_else(|| {
            self.rc_removals
                .iter()
                .find(|(_, candidate, _)| candidate == name)
                .map(|(_, _, qualifier)| format!("{{version}}{qualifier}{{rc}}"))
        })
    }

    /// `text` with every variable put in, or `None` when one cannot be resolved.
    fn expand(&self, text: &str, depth: usize) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find(['$', '`']) {
            out.push_str(&rest[..at]);
            let after = &rest[at..];
            if after.starts_with('`') {
                return None;
            }
            let (name, default, used) = reference(after, self.make)?;
            let value = match self.value(name, depth) {
                Some(value) => value,
                None => self.expand(default?, depth + 1)?,
            };
            out.push_str(&value);
            rest = &after[used..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// Every line with what resolves put in; what does not stays as its name between `\u{1}`
    /// markers, so that nothing read across it is taken for a file name.
    fn expanded_lines(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|line| {
                let mut out = String::new();
                let mut rest = line.as_str();
                while let Some(at) = rest.find('$') {
                    out.push_str(&rest[..at]);
                    let after = &rest[at..];
                    match reference(after, self.make) {
                        Some((name, default, used)) => {
                            let value = self
                                .value(name, 0)
                                .or_else(|| default.and_then(|d| self.expand(d, 1)));
                            match value {
                                Some(value) => out.push_str(&value),
                                // Kept between markers: `$(ENV_TAR)` is still a tar.
                                None => out.push_str(&format!("\u{1}{name}\u{1}")),
                            }
                            rest = &after[used..];
                        }
                        None => {
                            out.push('\u{1}');
                            rest = &after[1..];
                        }
                    }
                }
                out.push_str(rest);
                out
            })
            .collect()
    }
}

/// The value of a shell assignment: the first word, its quotes removed.
fn shell_word(text: &str) -> String {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('"') {
        return rest.split('"').next().unwrap_or("").to_string();
    }
    if let Some(rest) = text.strip_prefix('\'') {
        return rest.split('\'').next().unwrap_or("").to_string();
    }
    text.split([' ', '\t', ';'])
        .next()
        .unwrap_or("")
        .to_string()
}

fn refers_to(value: &str, name: &str) -> bool {
    [
        format!("${{{name}}}"),
        format!("${{{name}%"),
        format!("${{{name}#"),
        format!("${{{name}:"),
        format!("$({name})"),
    ]
    .iter()
    .any(|form| value.contains(form.as_str()))
        || regex::Regex::new(&format!(r"\${}\b", regex::escape(name)))
            .is_ok_and(|re| re.is_match(value))
}

/// The variable a `$` reference at the start of `text` names, its `:-default`, and how many
/// bytes the reference takes: `${NAME}`, `${NAME%/}` (the suffix removal is left out: a
/// trailing `/`), `${NAME:-x}`, `$NAME`, and in a Makefile `$(NAME)`. `None` for positional
/// parameters, command substitution and the like.
fn reference(text: &str, make: bool) -> Option<(&str, Option<&str>, usize)> {
    let ident = |s: &str| {
        s.bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count()
    };
    let body = &text[1..];
    let close = match body.as_bytes().first()? {
        b'{' => '}',
        b'(' if make => ')',
        b'(' => return None,
        _ => {
            let len = ident(body);
            if len == 0 || body.as_bytes()[0].is_ascii_digit() {
                return None;
            }
            return Some((&body[..len], None, 1 + len));
        }
    };
    let inner_end = body.find(close)?;
    let inner = &body[1..inner_end];
    let len = ident(inner);
    if len == 0 || inner.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let name = &inner[..len];
    let modifier = &inner[len..];
    let default = modifier
        .strip_prefix(":-")
        .or_else(|| modifier.strip_prefix('-'));
    if !(modifier.is_empty()
        || default.is_some()
        || modifier.starts_with('%')
        || modifier.starts_with('#'))
    {
        return None;
    }
    Some((name, default, 1 + inner_end + 1))
}

/// The scripts a release is made by: the Makefile, every script of `dev/release` and
/// `release`, and the scripts elsewhere whose names say they release, tar or vote.
fn candidates(repo: &camino::Utf8Path) -> Vec<String> {
    // Every script of a directory kept for the release; elsewhere, those named for it.
    let release_dirs = ["dev/release", "release"];
    let mut scripts = vec!["Makefile".to_string()];
    for dir in [
        "dev/release",
        "release",
        "dev",
        "utils",
        "scripts",
        "build",
        "bin",
        "tools",
        "ci",
    ] {
        let Ok(entries) = repo.join(dir).read_dir_utf8() else {
            continue;
        };
        let mut found: Vec<String> = entries
            .flatten()
            .map(|entry| entry.file_name().to_string())
            .filter(|file| file.ends_with(".sh") || file.ends_with(".mk"))
            .filter(|file| {
                release_dirs.contains(&dir)
                    || ["release", "rc", "vote", "tarball", "dist", "src"]
                        .iter()
                        .any(|word| file.to_ascii_lowercase().contains(word))
            })
            .map(|file| format!("{dir}/{file}"))
            .collect();
        found.sort();
        scripts.extend(found);
    }
    scripts
}

/// What the project's release scripts say, script by script, the first finding of each kind
/// winning (the Makefile first).
pub(super) fn release_scripts(repo: &camino::Utf8Path) -> ReleaseFacts {
    let mut facts = ReleaseFacts::default();
    for path in candidates(repo) {
        let Some(text) = read_text(repo, &path) else {
            continue;
        };
        let script = Script::new(&text, path == "Makefile" || path.ends_with(".mk"));
        facts.merge(read_script(&script, &path));
    }
    facts
}

fn read_script(script: &Script, path: &str) -> ReleaseFacts {
    let mut facts = ReleaseFacts::default();
    let lines = script.expanded_lines();
    let found = |value: String, line: usize| Found {
        value,
        from: format!("{path}:{}", line + 1),
    };
    let archive_name =
        regex::Regex::new(r"[A-Za-z0-9_.{}+-]+\.(?:tar\.gz|tgz|zip)\b").expect("valid");
    let prefix = regex::Regex::new(r#"--prefix[= ]+"?([^"\s]+)"#).expect("valid");
    let dist = regex::Regex::new(r"dist/(dev|release)/([A-Za-z0-9_.{}/-]+)").expect("valid");
    for (number, line) in lines.iter().enumerate() {
        let creates = is_archive_command(line);
        for name in archive_name.find_iter(line) {
            let unresolved =
                line[..name.start()].ends_with('\u{1}') || line[name.end()..].starts_with('\u{1}');
            let name = name.as_str();
            if unresolved {
                continue;
            }
            if !name.contains("{version}") || name.contains("{rc}") {
                continue;
            }
            let name = name.rsplit('/').next().unwrap_or(name).to_string();
            if name.ends_with(".zip") {
                facts.formats.push(found(name, number));
            } else if creates && facts.artifact.is_none() {
                facts.artifact = Some(found(name, number));
            } else if facts.mentioned_artifact.is_none() {
                facts.mentioned_artifact = Some(found(name, number));
            }
        }
        if line.contains("git archive") || line.contains("git -C") && line.contains(" archive") {
            match prefix.captures(line) {
                Some(c) => {
                    let top = c[1].trim_end_matches('/');
                    let top = top.rsplit('/').next().unwrap_or(top);
                    if top.contains("{version}") && !top.contains('\u{1}') {
                        facts.top_dir.get_or_insert(found(top.to_string(), number));
                    }
                }
                // Without --prefix, git archive puts the files at the archive's top level.
                None if creates => {
                    facts.no_top_dir.get_or_insert(found(String::new(), number));
                }
                None => {}
            }
        }
        if let Some(tar) = tar_command(line) {
            match tar {
                Tar::Paths(paths) => {
                    if paths.len() == 1 && paths[0].contains("{version}") {
                        let top = paths[0].trim_start_matches('/').to_string();
                        facts.top_dir.get_or_insert(found(top, number));
                    } else {
                        facts.includes.get_or_insert(Found {
                            value: paths,
                            from: format!("{path}:{}", number + 1),
                        });
                        facts.no_top_dir.get_or_insert(found(String::new(), number));
                    }
                }
                Tar::Everything(excludes) => {
                    facts.no_top_dir.get_or_insert(found(String::new(), number));
                    if !excludes.is_empty() {
                        facts.excludes.get_or_insert(Found {
                            value: excludes,
                            from: format!("{path}:{}", number + 1),
                        });
                    }
                }
            }
        }
        for c in dist.captures_iter(line) {
            let mut area = Vec::new();
            let mut dir = None;
            let path = &c[2];
            // A name cut at a variable that did not resolve (`pyiceberg-${UNKNOWN}`) is not
            // a directory: its part is left out, and nothing past it read.
            let after = &line[c.get(2).map_or(0, |m| m.end())..];
            let cut = after.starts_with('\u{1}');
            let (path, cut_part) = match cut {
                true => path.rsplit_once('/').unwrap_or(("", path)),
                false => (path, ""),
            };
            // Kept to say why the directory is not known: `pyiceberg-${NAME}`.
            let unresolved = after
                .strip_prefix('\u{1}')
                .and_then(|rest| rest.split_once('\u{1}'))
                .map(|(name, _)| format!("{cut_part}${{{name}}}"))
                .filter(|_| !cut_part.is_empty() && !cut_part.contains('{'));
            for part in path.split('/').filter(|p| !p.is_empty()) {
                if part.contains("{version}") {
                    dir = Some(part.to_string());
                    break;
                }
                if part.contains(['{', '.']) || part == "KEYS" {
                    break;
                }
                area.push(part);
            }
            let area = area.join("/");
            let (area_slot, dir_slot) = match &c[1] {
                "dev" => (&mut facts.dev_area, &mut facts.candidate_dir),
                _ => (&mut facts.release_area, &mut facts.release_dir),
            };
            if !area.is_empty() {
                area_slot.get_or_insert(found(area, number));
            }
            let unresolved = unresolved.filter(|_| dir.is_none() && &c[1] == "dev");
            if let Some(dir) = dir {
                dir_slot.get_or_insert(found(dir, number));
            }
            if let Some(name) = unresolved {
                facts
                    .unresolved_candidate_dir
                    .get_or_insert(found(name, number));
            }
        }
    }
    facts
}

/// Whether the line makes an archive: `tar -c`, `git archive`, `zip`, `gzip >`.
fn is_archive_command(line: &str) -> bool {
    tar_command(line).is_some()
        || line.contains(" archive ")
        || line.contains("gzip")
        || line.trim_start().starts_with("zip ")
}

/// What a `tar -c...` command takes.
enum Tar {
    /// Only these paths (rooted patterns).
    Paths(Vec<String>),
    /// The whole directory (`.`), without these `--exclude` patterns.
    Everything(Vec<String>),
}

/// The inputs and `--exclude`s of a `tar -c...` command (continuation lines joined).
fn tar_command(line: &str) -> Option<Tar> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.ends_with("tar") || w.trim_end_matches('\u{1}').ends_with("TAR"))?;
    let rest = &words[at + 1..];
    let creates = rest.first().is_some_and(|flags| {
        let flags = flags.trim_start_matches('-');
        flags.contains('c') && flags.chars().all(|c| c.is_ascii_alphabetic())
    });
    if !creates {
        return None;
    }
    let mut paths = Vec::new();
    let mut excludes = Vec::new();
    let mut everything = false;
    let mut words = rest[1..].iter();
    while let Some(word) = words.next() {
        let exclude = match word.strip_prefix("--exclude") {
            Some("") => words.next().copied(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some(pattern) = exclude {
            let pattern = pattern.trim_matches(['"', '\'']);
            // The archive itself and git's own directory are never in a git tree.
            let own = pattern.ends_with(".tgz") || pattern.ends_with(".tar.gz");
            if !own && pattern != ".git" && !pattern.contains('\u{1}') {
                excludes.push(pattern.trim_start_matches("./").to_string());
            }
            continue;
        }
        if word.starts_with('-')
            || word.contains('\u{1}')
            || word.ends_with(".tgz")
            || word.ends_with(".tar.gz")
        {
            continue;
        }
        if matches!(*word, ";" | "&&" | "|" | "||") || word.starts_with('#') {
            break;
        }
        let path = word.trim_start_matches("./").trim_end_matches('/');
        if path.is_empty() || path == "." {
            everything = true;
            continue;
        }
        paths.push(format!("/{path}"));
    }
    match (everything, paths.is_empty()) {
        (true, _) => Some(Tar::Everything(excludes)),
        (false, false) => Some(Tar::Paths(paths)),
        (false, true) => None,
    }
}

#[cfg(test)]
mod tests;
