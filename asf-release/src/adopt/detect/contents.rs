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

//! What the repository's files say: where the version is stated, its submodules, what its
//! release scripts package, where its KEYS live.

use anyhow::Result;
use camino::Utf8Path;
use xshell::Shell;

use super::{quoted, read_text, Setting, MAX_TEXT};
use crate::tools::git;
use crate::version::Version;

/// Files that are not where a project states its version, although they repeat it.
fn is_version_noise(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    file.ends_with(".lock")
        || file.ends_with(".sum")
        || file.ends_with(".md")
        || file.ends_with(".tsv")
        || file.ends_with(".txt")
        || file.ends_with("-lock.yaml")
        || file.ends_with("-lock.json")
        || file.contains("changelog")
        || file == "go.mod"
        || path.starts_with("docs/")
        || path.contains("/test")
        || path.starts_with("test")
}

/// At most this many version files are proposed.
const MAX_VERSION_FILES: usize = 4;
/// At most this many files holding the version are read (each is a `git show`).
const MAX_SCANNED: usize = 100;

/// Where the newest release's version string is stated: a `version ... = "X.Y.Z"` line, or a
/// file that holds only the version.
/// Whether every line `pattern` matches in `text` carries `wanted`.
fn states_only(pattern: &str, text: &str, wanted: &str) -> bool {
    let file = crate::config::VersionFile {
        path: "detected".into(),
        pattern: pattern.to_string(),
    };
    let Ok(regex) = crate::config::version_file::compile(&file) else {
        return false;
    };
    crate::config::version_file::find(&regex, text)
        .iter()
        .all(|found| found.version == wanted)
}

pub(super) fn version_files(
    sh: &Shell,
    repo: &Utf8Path,
    tag: &str,
    version: &Version,
) -> Result<Setting> {
    let wanted = version.to_string();
    let mut paths = git::adopt::files_containing(sh, repo, tag, &wanted)?;
    // A `version.txt` holding nothing but the version is a version file, although text files
    // that merely mention it (notes, lists) are not.
    let only_if_bare = |p: &str| {
        p.to_ascii_lowercase().ends_with(".txt")
            && !p.starts_with("docs/")
            && !p.starts_with("test")
            && !p.contains("/test")
    };
    paths.retain(|p| !is_version_noise(p) || only_if_bare(p));
    paths.sort_by_key(|p| (p.matches('/').count(), p.clone()));
    let mut found = Vec::new();
    // Past the limit, files are only named (a Maven build's modules all carry the version).
    let mut more = Vec::new();
    for path in paths.into_iter().take(MAX_SCANNED) {
        let Some(text) = git::text_file_at(sh, repo, tag, &path).ok().flatten() else {
            continue;
        };
        if text.len() > MAX_TEXT {
            continue;
        }
        let pattern = if text.trim() == wanted {
            Some("^{version}".to_string())
        } else if is_version_noise(&path) {
            None
        } else {
            text.lines()
                .find(|line| {
                    let line = line.trim();
                    line.contains(&wanted)
                        && line.split(&wanted).next().is_some_and(|before| {
                            // `version = "`, `"version": "`, `VERSION = "`, Maven's
                            // CI-friendly `<revision>`; not a dependency's `{ version = "`
                            // nor a list.
                            let lower = before.to_ascii_lowercase();
                            (lower.contains("version") || lower == "<revision>")
                                && !before.contains(['{', ','])
                        })
                })
                .map(|line| {
                    let indent = &line[..line.len() - line.trim_start().len()];
                    let line = line.trim();
                    let (before, after) = line.split_once(&wanted).unwrap_or((line, ""));
                    let after: String =
                        after.chars().take_while(|c| !c.is_alphanumeric()).collect();
                    let after = after.trim_end_matches(',');
                    // Anchored at the line's start with its indentation: a dependency's
                    // `<version>` deeper in a pom.xml must not match.
                    format!(
                        "(?m)^{}{}{{version}}{}",
                        regex::escape(indent),
                        regex::escape(before),
                        regex::escape(after)
                    )
                })
                // A file whose lines of that shape name other versions too is a history
                // (`src/changes/changes.xml`), not where the release states its version.
                .filter(|pattern| states_only(pattern, &text, &wanted))
        };
        if let Some(pattern) = pattern {
            if found.len() == MAX_VERSION_FILES {
                more.push(path);
                continue;
            }
            found.push(format!(
                "{{ path = {}, pattern = {} }}",
                quoted(&path),
                toml::Value::String(pattern)
            ));
        }
    }
    Ok(if found.is_empty() {
        Setting {
            comment: format!(
                "version-files: no file states {wanted} (the newest release, {tag}) on a \
                 version line; add the files that carry the version"
            ),
            key: "version-files",
            value: None,
        }
    } else {
        let mut comment = format!(
            "where {tag} states its version `{wanted}` (checked by `package` and `verify`, \
             written by `version bump`)"
        );
        if !more.is_empty() {
            let shown: Vec<&str> = more.iter().take(3).map(String::as_str).collect();
            comment.push_str(&format!(
                "\n{} more file(s) state it too ({}{}): add them if `version bump` should \
                 write them",
                more.len(),
                shown.join(", "),
                if more.len() > shown.len() {
                    ", ..."
                } else {
                    ""
                }
            ));
        }
        Setting {
            comment,
            key: "version-files",
            value: Some(format!("[\n  {},\n]", found.join(",\n  "))),
        }
    })
}

/// Submodules are left out of the tarball, each named in a warning; say which ones.
pub(super) fn submodules(sh: &Shell, repo: &Utf8Path) -> Result<Setting> {
    let mut modules: Vec<String> = Vec::new();
    if let Some(head) = git::resolve_commit(sh, repo, "HEAD")? {
        git::ls_tree(sh, repo, &head, &mut |entry| {
            if entry.mode == "160000" {
                modules.push(entry.path);
            }
            Ok(())
        })?;
    }
    Ok(if modules.is_empty() {
        Setting {
            comment: "submodules: none".into(),
            key: "submodules",
            value: None,
        }
    } else {
        Setting {
            comment: format!(
                "left out of the tarball, as the project's releases do: {}; \"refuse\" stops instead",
                modules.join(", ")
            ),
            key: "submodules",
            value: Some(quoted("skip")),
        }
    })
}

/// A Python sdist (Apache Libcloud): its files are chosen by MANIFEST.in and setuptools,
/// which no list of paths reproduces exactly; the adopter decides.
pub(super) fn python_sdist_note(repo: &Utf8Path) -> Option<Setting> {
    read_text(repo, "MANIFEST.in").map(|_| Setting {
        comment: "includes: the project's Python sdist takes its files from MANIFEST.in; this \
                  tool packages the whole git tree (docs and CI files too, each checked): set \
                  includes to the paths a source release holds to leave the rest out"
            .into(),
        key: "includes",
        value: None,
    })
}

/// Where the project's own documents say its KEYS are: dist/release only (APISIX) or next to
/// the candidates in dist/dev.
pub(super) fn keys_area(
    sh: &Shell,
    repo: &Utf8Path,
    name: &str,
    incubating: bool,
) -> Result<Setting> {
    let first = name.split('-').next().unwrap_or(name);
    let tlp = match incubating {
        true => format!("incubator/{first}"),
        false => first.to_string(),
    };
    let mentions = |text: &str| -> Result<bool> {
        let head = git::resolve_commit(sh, repo, "HEAD")?;
        Ok(match head {
            Some(head) => !git::adopt::files_containing(sh, repo, &head, text)?.is_empty(),
            None => false,
        })
    };
    let dev = mentions(&format!("dist/dev/{tlp}/KEYS"))?;
    // downloads.apache.org/<tlp>/KEYS is what users are told everywhere; only the dist path
    // says where release managers write.
    let release = mentions(&format!("dist/release/{tlp}/KEYS"))?;
    Ok(if release && !dev {
        Setting {
            comment: format!(
                "the project's documents name dist/release/{tlp}/KEYS and never a KEYS in dist/dev"
            ),
            key: "keys-area",
            value: Some(quoted("release")),
        }
    } else {
        Setting {
            comment: "keys-area: the KEYS in dist/dev when there is one, else the one in \
                      dist/release"
                .into(),
            key: "keys-area",
            value: None,
        }
    })
}
