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

//! What the release tree leaves out and why: `.gitattributes` `export-ignore`, the configured
//! `excludes` and `includes`, submodules. `package` prints the summary, and warns when a
//! manifest that stays refers to a crate that was left out (the tarball would not build).

use std::collections::{BTreeMap, BTreeSet};

use globset::GlobBuilder;

/// Why a path of the git tree is not in the tarball.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rule {
    ExportIgnore,
    Excludes,
    Includes,
    Submodule,
}

impl Rule {
    fn describe(self) -> &'static str {
        match self {
            Rule::ExportIgnore => ".gitattributes export-ignore",
            Rule::Excludes => "excludes",
            Rule::Includes => "not in includes",
            Rule::Submodule => "submodules (skipped)",
        }
    }
}

/// The paths each rule removed.
#[derive(Debug, Default)]
pub struct Removed {
    by_rule: BTreeMap<Rule, Vec<String>>,
}

/// At most this many directories are named per rule.
const TOP_DIRS: usize = 5;

impl Removed {
    pub fn add(&mut self, rule: Rule, path: &str) {
        self.by_rule.entry(rule).or_default().push(path.to_string());
    }

    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.by_rule.values().flatten().map(String::as_str)
    }

    pub fn submodules(&self) -> &[String] {
        self.by_rule
            .get(&Rule::Submodule)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The summary, the submodules and the `warnings`, on stderr.
    pub fn report(&self, warnings: &[String]) {
        let summary = self.summary();
        if !summary.is_empty() {
            eprintln!("left out of the tarball:");
        }
        for line in summary {
            eprintln!("  {line}");
        }
        for module in self.submodules() {
            eprintln!(
                "warning: the submodule {module} is left out of the tarball (submodules = \"skip\", \
                 the default; \"refuse\" stops instead)"
            );
        }
        for warning in warnings {
            eprintln!("warning: {warning}");
        }
    }

    /// One line per rule: how many files, and the directories most of them came from.
    pub fn summary(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (rule, paths) in &self.by_rule {
            if *rule == Rule::Submodule {
                continue;
            }
            let mut dirs: BTreeMap<&str, usize> = BTreeMap::new();
            for path in paths {
                let dir = match path.rsplit_once('/') {
                    Some((dir, _)) => top_two(dir),
                    None => ".",
                };
                *dirs.entry(dir).or_default() += 1;
            }
            let mut dirs: Vec<(&str, usize)> = dirs.into_iter().collect();
            dirs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let shown: Vec<String> = dirs
                .iter()
                .take(TOP_DIRS)
                .map(|(dir, n)| format!("{dir}/ {n}"))
                .collect();
            let more = if dirs.len() > TOP_DIRS {
                format!(", {} more director(ies)", dirs.len() - TOP_DIRS)
            } else {
                String::new()
            };
            lines.push(format!(
                "{}: {} file(s) left out ({}{more})",
                rule.describe(),
                paths.len(),
                shown.join(", ")
            ));
        }
        lines
    }
}

/// `a/b/c` -> `a/b`: deep enough to tell `core/examples` from `examples`.
fn top_two(dir: &str) -> &str {
    match dir.match_indices('/').nth(1) {
        Some((at, _)) => &dir[..at],
        None => dir,
    }
}

/// `a/./b/../c` -> `a/c`; `None` when it leaves the repository.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The directories a Cargo manifest refers to: workspace members (globs allowed) and the
/// `path` of dependencies, relative to the repository root.
fn referenced_dirs(manifest_dir: &str, text: &str) -> Vec<(String, &'static str)> {
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return Vec::new();
    };
    let join = |relative: &str| {
        let joined = if manifest_dir.is_empty() {
            relative.to_string()
        } else {
            format!("{manifest_dir}/{relative}")
        };
        normalise(&joined)
    };
    let mut found = Vec::new();
    if let Some(members) = table
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
    {
        for member in members.iter().filter_map(|m| m.as_str()) {
            if let Some(path) = join(member) {
                found.push((path, "a workspace member"));
            }
        }
    }
    let mut tables: Vec<&toml::Table> = vec![&table];
    if let Some(workspace) = table.get("workspace").and_then(|w| w.as_table()) {
        tables.push(workspace);
    }
    if let Some(targets) = table.get("target").and_then(|t| t.as_table()) {
        tables.extend(targets.values().filter_map(|t| t.as_table()));
    }
    for owner in tables {
        for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
            let Some(deps) = owner.get(key).and_then(|d| d.as_table()) else {
                continue;
            };
            for dep in deps.values() {
                if let Some(path) = dep.get("path").and_then(|p| p.as_str()).and_then(join) {
                    found.push((path, "a path dependency"));
                }
            }
        }
    }
    found
}

pub fn is_manifest(path: &str) -> bool {
    path == "Cargo.toml" || path.ends_with("/Cargo.toml")
}

/// Larger manifests are not read for the warnings.
const MAX_MANIFEST: usize = 1 << 20;

/// Warnings for kept Cargo manifests that refer to a crate the rules left out. `kept` are the
/// paths of the tarball; `read` gives a file's text and is called only when a manifest was
/// left out, so most projects pay nothing.
pub fn broken_references<'a>(
    kept: impl Iterator<Item = &'a str>,
    removed: &Removed,
    read: &mut dyn FnMut(&str) -> Option<String>,
) -> Vec<String> {
    let removed_manifests: BTreeSet<&str> = removed.paths().filter(|p| is_manifest(p)).collect();
    if removed_manifests.is_empty() {
        return Vec::new();
    }
    let kept_manifests: Vec<&str> = kept.filter(|p| is_manifest(p)).collect();
    let removed_crates: Vec<&str> = removed_manifests
        .iter()
        .map(|m| {
            m.strip_suffix("Cargo.toml")
                .unwrap_or(m)
                .trim_end_matches('/')
        })
        .collect();
    let mut warnings = Vec::new();
    for manifest in kept_manifests {
        let Some(text) = read(manifest).filter(|t| t.len() <= MAX_MANIFEST) else {
            continue;
        };
        let dir = manifest
            .strip_suffix("Cargo.toml")
            .unwrap_or(manifest)
            .trim_end_matches('/');
        for (reference, what) in referenced_dirs(dir, &text) {
            let Ok(glob) = GlobBuilder::new(&reference).literal_separator(true).build() else {
                continue;
            };
            let matcher = glob.compile_matcher();
            let hits: Vec<&str> = removed_crates
                .iter()
                .copied()
                .filter(|krate| matcher.is_match(krate))
                .collect();
            if let Some(first) = hits.first() {
                warnings.push(format!(
                    "{manifest} names {reference} as {what}, but {} crate(s) it covers were left \
                     out ({first}{}): the tarball will not build; anchor the rule that removes \
                     them to the root (`/examples`, not `examples`) or drop the reference",
                    hits.len(),
                    if hits.len() > 1 { ", ..." } else { "" }
                ));
            }
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_counts_and_names_the_top_directories() {
        let mut removed = Removed::default();
        for path in [
            "examples/a/x.rs",
            "examples/a/y.rs",
            "core/examples/b/z.rs",
            "ci.yml",
        ] {
            removed.add(Rule::ExportIgnore, path);
        }
        removed.add(Rule::Submodule, "t/toolkit");
        let summary = removed.summary();
        assert_eq!(summary.len(), 1, "{summary:?}");
        assert!(
            summary[0].contains("4 file(s)")
                && summary[0].contains("examples/a/ 2")
                && summary[0].contains("core/examples/ 1")
                && summary[0].contains("./ 1"),
            "{summary:?}"
        );
        assert_eq!(removed.submodules(), ["t/toolkit"]);
    }

    #[test]
    fn a_kept_workspace_that_lists_a_removed_crate_is_reported() {
        let mut removed = Removed::default();
        removed.add(Rule::ExportIgnore, "core/examples/basic/Cargo.toml");
        removed.add(Rule::ExportIgnore, "core/examples/basic/src/main.rs");
        let kept = [
            "core/Cargo.toml",
            "core/src/lib.rs",
            "bindings/x/Cargo.toml",
        ];
        let mut read = |path: &str| match path {
            "core/Cargo.toml" => Some("[workspace]\nmembers = [\".\", \"examples/*\"]\n".into()),
            _ => Some("[dependencies]\nopendal = { path = \"../../core\" }\n".into()),
        };
        let warnings = broken_references(kept.into_iter(), &removed, &mut read);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("core/examples/*") && warnings[0].contains("core/examples/basic")
        );
    }
}
