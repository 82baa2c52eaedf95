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

//! The apache-rat-plugin's excludes in a Maven multi-module build, as Maven applies them.
//!
//! Maven runs the plugin in every module with the module's directory as its base
//! (`basedir` defaults to `${basedir}`), and the parent's run leaves the modules out
//! (`excludeSubProjects`, true by default). A module inherits the plugin configuration of
//! the pom above it (unless that one says `<inherited>false</inherited>`); its own
//! `<excludes>` replace the inherited ones unless they say `combine.children="append"`
//! (Maven's configuration merge). So a parent's `src/test/resources/**/*` excludes
//! `<module>/src/test/resources/...` in each module.
//!
//! What this reads: the root `pom.xml` and the poms of the directories its `<modules>` name
//! (in profiles too), recursively. A pattern applies at the root, as before (some builds run
//! RAT only there, with `excludeSubProjects` off or broken by RAT-552), and relative to every
//! module that has it: the union of what the build's runs could exclude. The aggregator is
//! taken as each module's parent (as in ASF builds); a pom below a `src/` directory is a test
//! fixture (Maven's standard layout keeps sources, tests and integration-test projects
//! there), never a module.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use regex::Regex;

use super::super::formats::{rat_plugin_blocks, rat_plugin_excludes, without_xml_comments};

/// Module directories followed at most, and how deep below the root.
pub const MAX_MODULES: usize = 2000;
pub const MAX_DEPTH: usize = 8;
/// The most (pattern, module) pairs looked at, and kept: past it, patterns apply in fewer
/// modules (a hostile pom with thousands of patterns and modules costs no more), which
/// can only leave findings in.
const MAX_PAIRS: usize = 200_000;

/// A pom that may be a module's: `<dir>/pom.xml`, not below `src/`, not too deep.
pub fn is_module_pom(inner: &str) -> bool {
    inner.strip_suffix("/pom.xml").is_some_and(|dir| {
        !dir.is_empty()
            && dir.split('/').count() <= MAX_DEPTH
            && !dir.split('/').any(|part| part == "src" || part.is_empty())
    })
}

/// Whether a module's pom says anything this reader uses (kept only then).
pub fn matters(text: &[u8]) -> bool {
    let text = String::from_utf8_lossy(text);
    text.contains("<module>") || text.contains("apache-rat-plugin")
}

/// The plugin configuration of one pom.
struct Rat {
    excludes: Vec<String>,
    /// `<excludes combine.children="append">`: added to the inherited ones.
    append: bool,
    /// Not `<inherited>false</inherited>` in every block.
    inherited: bool,
}

fn rat(text: &str) -> Rat {
    let blocks = rat_plugin_blocks(text);
    let append =
        Regex::new(r#"<(?:excludes|inputExcludes)\s[^>]*combine\.children\s*=\s*["']append["']"#)
            .is_ok_and(|re| blocks.iter().any(|b| re.is_match(b)));
    let not_inherited = Regex::new(r"<inherited>\s*false\s*</inherited>")
        .is_ok_and(|re| !blocks.is_empty() && blocks.iter().all(|b| re.is_match(b)));
    Rat {
        excludes: rat_plugin_excludes(text),
        append,
        inherited: !not_inherited,
    }
}

/// The module directories a pom in `dir` names, normalised from the root; ones leaving the
/// repository are dropped; at most [`MAX_MODULES`] (more are never followed).
fn modules(dir: &str, text: &str) -> Vec<String> {
    let text = without_xml_comments(text);
    let (Ok(block), Ok(module)) = (
        Regex::new(r"(?s)<modules>(.*?)</modules>"),
        Regex::new(r"<module>\s*([^<]*?)\s*</module>"),
    ) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut seen = BTreeSet::new();
    for modules in block.captures_iter(&text) {
        for named in module.captures_iter(&modules[1]) {
            let mut name = named[1].trim_end_matches('/');
            // A module may name its pom file (`child/pom-alt.xml`).
            if name.ends_with(".xml") {
                name = name.rsplit_once('/').map_or("", |(d, _)| d);
            }
            if let Some(joined) = join(dir, name) {
                if seen.insert(joined.clone()) {
                    found.push(joined);
                    if found.len() >= MAX_MODULES {
                        return found;
                    }
                }
            }
        }
    }
    found
}

fn join(dir: &str, name: &str) -> Option<String> {
    if name.starts_with('/') || name.contains('\\') {
        return None;
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Patterns with the directory of the pom each comes from (`""`: the root's).
type Patterns = Vec<(String, String)>;

/// Where one pattern applies: at the root (a pattern of the root pom), and in these module
/// directories, relative to each.
#[derive(Debug, Default, Clone)]
pub struct Within {
    pub at_root: bool,
    pub modules: Arc<BTreeSet<String>>,
}

/// One pom's patterns, each with where it applies.
pub struct PomExcludes {
    /// The pom's path, like `pom.xml` or `core/pom.xml`.
    pub pom: String,
    pub patterns: Vec<(String, Within)>,
}

/// The excludes of every pom of the build that has some, with where each applies; `poms`
/// maps a directory (`""` for the root) to its pom's text.
pub fn excludes(poms: &BTreeMap<String, String>) -> Vec<PomExcludes> {
    let Some(root) = poms.get("") else {
        return Vec::new();
    };
    let root_rat = rat(root);
    // (origin pom's dir, pattern) -> modules where it applies.
    let mut applies: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    let mut note = |key: (String, String), module: Option<&str>, pairs: &mut usize| {
        let entry = applies.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            BTreeSet::new()
        });
        if let Some(module) = module {
            if *pairs < MAX_PAIRS && entry.insert(module.to_string()) {
                *pairs += 1;
            }
        }
    };
    let mut pairs = 0;
    for pattern in &root_rat.excludes {
        note((String::new(), pattern.clone()), None, &mut pairs);
    }
    let effective_root: Patterns = root_rat
        .excludes
        .iter()
        .map(|p| (String::new(), p.clone()))
        .collect();
    let passed_root = match root_rat.inherited {
        true => effective_root,
        false => Vec::new(),
    };
    let mut queue: VecDeque<(String, usize, Patterns)> = modules("", root)
        .into_iter()
        .take(MAX_MODULES)
        .map(|m| (m, 1, passed_root.clone()))
        .collect();
    let mut seen = BTreeSet::new();
    // Patterns copied along the walk: bounded like the pairs kept.
    let mut work = 0usize;
    while let Some((dir, depth, inherited)) = queue.pop_front() {
        if depth > MAX_DEPTH || seen.len() >= MAX_MODULES || !seen.insert(dir.clone()) {
            continue;
        }
        work += inherited.len();
        if work > MAX_PAIRS {
            break;
        }
        let text = poms.get(&dir);
        let own = text.map(|t| rat(t));
        let mut effective: Patterns = Vec::new();
        if let Some(own) = &own {
            effective.extend(own.excludes.iter().map(|p| (dir.clone(), p.clone())));
        }
        if own
            .as_ref()
            .is_none_or(|own| own.append || own.excludes.is_empty())
        {
            effective.extend(inherited);
        }
        for (origin, pattern) in &effective {
            // A root pattern starting with `**/` already matches at any depth from the root.
            let everywhere = origin.is_empty() && pattern.starts_with("**/");
            let module = (!everywhere).then_some(dir.as_str());
            note((origin.clone(), pattern.clone()), module, &mut pairs);
        }
        let passed = match own.as_ref().is_none_or(|own| own.inherited) {
            true => effective,
            false => Vec::new(),
        };
        if let Some(text) = text {
            for module in modules(&dir, text) {
                work += passed.len();
                if work > MAX_PAIRS || queue.len() >= MAX_MODULES {
                    break;
                }
                queue.push_back((module, depth + 1, passed.clone()));
            }
        }
    }
    let mut by_pom: BTreeMap<String, PomExcludes> = BTreeMap::new();
    for key in order {
        let modules = applies.remove(&key).unwrap_or_default();
        let (origin, pattern) = key;
        let at_root = origin.is_empty();
        if !at_root && modules.is_empty() {
            continue;
        }
        let pom = match at_root {
            true => "pom.xml".to_string(),
            false => format!("{origin}/pom.xml"),
        };
        let entry = by_pom.entry(pom.clone()).or_insert_with(|| PomExcludes {
            pom,
            patterns: Vec::new(),
        });
        entry.patterns.push((
            pattern,
            Within {
                at_root,
                modules: Arc::new(modules),
            },
        ));
    }
    // The root's first, then the modules' by path.
    let root = by_pom.remove("pom.xml");
    root.into_iter().chain(by_pom.into_values()).collect()
}

/// The apache-rat-plugin excludes of the root pom and of its modules' poms, each pattern
/// applied where Maven applies it (above).
pub(super) fn sources(files: &[(String, Vec<u8>)]) -> Vec<super::Source> {
    let poms: std::collections::BTreeMap<String, String> = files
        .iter()
        .filter_map(|(path, content)| {
            let dir = match path.as_str() {
                "pom.xml" => "",
                _ if is_module_pom(path) => path.strip_suffix("/pom.xml")?,
                _ => return None,
            };
            Some((
                dir.to_string(),
                String::from_utf8_lossy(content).into_owned(),
            ))
        })
        .collect();
    let mut sources = Vec::new();
    for pom in excludes(&poms) {
        let texts: Vec<String> = pom.patterns.iter().map(|(p, _)| p.clone()).collect();
        let mut source = super::Source::new(
            format!("{} apache-rat-plugin <excludes>", pom.pom),
            &texts,
            super::Semantics::Ant,
        );
        for (pattern, (_, within)) in source.patterns.iter_mut().zip(pom.patterns) {
            pattern.within = Some(within);
        }
        sources.push(source);
    }
    sources
}
