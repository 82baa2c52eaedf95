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

//! What the manifests tell about the paths cargo looks at: the directories and files the root
//! workspace's member paths and globs can match, and whether a package is of edition 2015
//! (whose `src/<name>.rs` cargo still tries for a target without a path).

/// Which directories (and files, which a glob matching nothing but files turns into an error)
/// cargo's member globs can see.
pub(super) enum Reach {
    Members(Vec<Member>),
    /// The root manifest could not be read as expected: everything, to be safe.
    Everything,
}

/// A member path or glob of the root workspace, below the top directory.
pub(super) struct Member {
    /// The components before the first one with a wildcard.
    prefix: Vec<String>,
    /// How deep a match can be; `None` after a `**`.
    depth: Option<usize>,
}

/// The components of a path below the top directory.
fn parts(inner: &str) -> Vec<&str> {
    inner
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect()
}

impl Member {
    /// `None` for a path that leaves the tree (`..` or absolute): cargo reads nothing of the
    /// tree through it.
    fn parse(pattern: &str) -> Option<Member> {
        if pattern.starts_with('/') {
            return None;
        }
        let parts = parts(pattern);
        if parts.contains(&"..") {
            return None;
        }
        let wild = |p: &&str| p.contains(['*', '?', '[']);
        let prefix = parts.iter().take_while(|p| !wild(p));
        Some(Member {
            prefix: prefix.map(|p| p.to_string()).collect(),
            depth: (!parts.iter().any(|p| p.contains("**"))).then_some(parts.len()),
        })
    }

    fn sees(&self, parts: &[&str]) -> bool {
        parts.len() >= self.prefix.len()
            && self.prefix.iter().zip(parts).all(|(a, b)| a == b)
            && self.depth.is_none_or(|depth| parts.len() <= depth)
    }

    /// Whether a link at `parts` lies on the way to what this member can match.
    fn crosses(&self, parts: &[&str]) -> bool {
        let above =
            parts.len() <= self.prefix.len() && parts.iter().zip(&self.prefix).all(|(a, b)| a == b);
        above || self.sees(parts)
    }
}

impl Reach {
    /// From the root manifest's text (`None` when it was not at hand); with the edition the
    /// workspace gives its packages.
    pub(super) fn of_root(text: Option<&[u8]>) -> (Reach, Option<String>) {
        let Some(table) = text.and_then(parse) else {
            return (Reach::Everything, None);
        };
        // A root package that names another workspace root: its globs are elsewhere.
        if package(&table).is_some_and(|p| p.contains_key("workspace")) {
            return (Reach::Everything, None);
        }
        let Some(workspace) = table.get("workspace").and_then(|w| w.as_table()) else {
            return (Reach::Members(Vec::new()), None);
        };
        let members = ["members", "default-members"]
            .iter()
            .filter_map(|key| workspace.get(*key).and_then(|m| m.as_array()))
            .flatten()
            .filter_map(|m| m.as_str())
            .filter_map(Member::parse)
            .collect();
        let edition = workspace
            .get("package")
            .and_then(|p| p.get("edition"))
            .and_then(|e| e.as_str())
            .map(String::from);
        (Reach::Members(members), edition)
    }

    /// Whether cargo's member globs can see the entry at `inner` (below the top directory).
    pub(super) fn sees(&self, inner: &str) -> bool {
        match self {
            Reach::Everything => true,
            Reach::Members(members) => {
                let parts = parts(inner);
                members.iter().any(|m| m.sees(&parts))
            }
        }
    }

    /// Whether a link at `inner` can change what the member globs see: then everything they
    /// could see through it is made.
    pub(super) fn crossed_by(&self, inner: &str) -> bool {
        match self {
            Reach::Everything => false,
            Reach::Members(members) => {
                let parts = parts(inner);
                members.iter().any(|m| m.crosses(&parts))
            }
        }
    }
}

fn parse(text: &[u8]) -> Option<toml::Table> {
    std::str::from_utf8(text).ok()?.parse::<toml::Table>().ok()
}

fn package(table: &toml::Table) -> Option<&toml::Table> {
    table
        .get("package")
        .or_else(|| table.get("project"))
        .and_then(|p| p.as_table())
}

/// Whether the manifest `text` is a package of edition 2018 or later (`workspace_edition` is
/// what `edition.workspace = true` inherits); `false` when unsure.
pub(super) fn is_modern(text: &[u8], workspace_edition: Option<&str>) -> bool {
    let Some(table) = parse(text) else {
        return false;
    };
    let edition = match package(&table).and_then(|p| p.get("edition")) {
        Some(toml::Value::String(edition)) => Some(edition.as_str()),
        Some(toml::Value::Table(inherit)) if inherit.get("workspace") == Some(&true.into()) => {
            workspace_edition
        }
        _ => None,
    };
    edition.is_some_and(|e| e != "2015")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_globs_see_what_they_can_match_and_no_more() {
        let root = b"[workspace]\nmembers = [\"crates/*\", \"./tools\", \"../outside/*\"]\n\
                     default-members = [\"deep/**\"]\n[workspace.package]\nedition = \"2021\"\n";
        let (reach, edition) = Reach::of_root(Some(root));
        assert_eq!(edition.as_deref(), Some("2021"));
        for seen in ["crates/a", "crates/README.md", "tools", "deep/x/y/z"] {
            assert!(reach.sees(seen), "{seen}");
        }
        for unseen in ["crates/a/src", "tools/src", "docs", "outside/a"] {
            assert!(!reach.sees(unseen), "{unseen}");
        }
        assert!(reach.crossed_by("crates"));
        assert!(reach.crossed_by("crates/linked"));
        assert!(!reach.crossed_by("crates/a/LICENSE"));
        assert!(!reach.crossed_by("docs/link"));
        assert!(matches!(Reach::of_root(None).0, Reach::Everything));
        assert!(matches!(
            Reach::of_root(Some(b"[package]\nworkspace = \"sub\"\n")).0,
            Reach::Everything
        ));
        assert!(!Reach::of_root(Some(b"[package]\nname = \"a\"\n"))
            .0
            .sees("a"));
    }

    #[test]
    fn editions_default_to_2015_and_inherit_from_the_workspace() {
        let modern = |text: &str| is_modern(text.as_bytes(), Some("2021"));
        assert!(modern("[package]\nedition = \"2018\"\n"));
        assert!(modern("[package]\nedition.workspace = true\n"));
        assert!(!modern("[package]\nname = \"old\"\n"));
        assert!(!modern("[package]\nedition = \"2015\"\n"));
        assert!(!is_modern(b"[package]\nedition.workspace = true\n", None));
        assert!(!modern("not toml ["));
    }
}
