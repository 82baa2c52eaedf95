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

//! The xtask's sources read as Rust, for the tidy rules: what each file refers to, with grouped
//! and renamed imports expanded and `self::`/`super::` resolved, test code left out. Reading
//! the syntax instead of the text means `use crate::{a::B, c::D}`, `use std::process as p` or a
//! path split over lines cannot slip past a rule.

use std::collections::BTreeMap;
use std::path::Path;

use syn::visit::Visit;

/// One source file under `asf-release/src`, without its test code.
pub struct SourceFile {
    /// `/`-separated, relative to `asf-release/src`: `steps/vote.rs`.
    pub relative: String,
    /// The module the file is: `["steps", "vote"]` (empty for the crate root).
    pub module: Vec<String>,
    pub syntax: syn::File,
}

impl SourceFile {
    /// The first segment of the module (`steps` for `steps/vote.rs`), or the file itself
    /// (`lib` for the crate root).
    pub fn top_module(&self) -> String {
        self.module
            .first()
            .cloned()
            .unwrap_or_else(|| self.relative.trim_end_matches(".rs").to_string())
    }
}

/// Every `.rs` file under `src`, parsed; a `tests.rs` (a parent's `#[cfg(test)] mod tests;`)
/// and every item marked `#[cfg(test)]` are left out. A file that does not parse fails.
pub fn load(src: &Path) -> Vec<SourceFile> {
    let mut files = Vec::new();
    collect(src, src, &mut files);
    files
}

fn collect(src: &Path, dir: &Path, files: &mut Vec<SourceFile>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|entry| entry.path());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            collect(src, &path, files);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs")
            || path.file_name().is_some_and(|n| n == "tests.rs")
        {
            continue;
        }
        let relative = path
            .strip_prefix(src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut syntax = syn::parse_file(&text)
            .unwrap_or_else(|err| panic!("{relative} does not parse as Rust: {err}"));
        syntax.items.retain(|item| !is_test_only(item_attrs(item)));
        files.push(SourceFile {
            module: module_of(&relative),
            relative,
            syntax,
        });
    }
}

fn module_of(relative: &str) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

fn item_attrs(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(i) => &i.attrs,
        syn::Item::Enum(i) => &i.attrs,
        syn::Item::Fn(i) => &i.attrs,
        syn::Item::Impl(i) => &i.attrs,
        syn::Item::Macro(i) => &i.attrs,
        syn::Item::Mod(i) => &i.attrs,
        syn::Item::Static(i) => &i.attrs,
        syn::Item::Struct(i) => &i.attrs,
        syn::Item::Trait(i) => &i.attrs,
        syn::Item::Type(i) => &i.attrs,
        syn::Item::Use(i) => &i.attrs,
        _ => &[],
    }
}

/// `#[cfg(test)]`, however spaced.
pub fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && matches!(&attr.meta, syn::Meta::List(list)
                if list.tokens.to_string().replace(' ', "") == "test")
    })
}

/// Every path the file refers to, resolved to where it starts: `crate::...` for the crate's
/// own items, the external crate's name otherwise (`std::process::Command`). Imports count
/// (each leaf of a grouped import on its own; a glob ends in `*`), and so does every path in
/// the code, macros included.
pub fn references(file: &SourceFile) -> Vec<Vec<String>> {
    let children: Vec<String> = file
        .syntax
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Mod(m) => Some(m.ident.to_string()),
            _ => None,
        })
        .collect();
    let resolver = Resolver {
        module: &file.module,
        children,
        aliases: BTreeMap::new(),
    };
    let mut imports = Vec::new();
    for item in &file.syntax.items {
        if let syn::Item::Use(item) = item {
            expand(&item.tree, Vec::new(), &mut imports);
        }
    }
    let mut resolver = resolver;
    let mut resolved = Vec::new();
    for (path, alias) in &imports {
        let full = resolver.resolve(path);
        if let Some(alias) = alias.as_ref().filter(|a| *a != "_" && *a != "*") {
            resolver.aliases.insert(alias.clone(), full.clone());
        }
        resolved.push(full);
    }
    let mut paths = PathCollector::default();
    for item in &file.syntax.items {
        if !matches!(item, syn::Item::Use(_)) {
            paths.visit_item(item);
        }
    }
    // Imports inside functions count as imports too, before the paths that may use them.
    for (path, alias) in &paths.imports {
        let full = resolver.resolve(path);
        if let Some(alias) = alias.as_ref().filter(|a| *a != "_") {
            resolver.aliases.insert(alias.clone(), full.clone());
        }
        resolved.push(full);
    }
    resolved.extend(paths.found.iter().map(|path| resolver.resolve(path)));
    resolved
}

/// The leaves of a use tree, each with the name it is known by (`None` for a glob).
fn expand(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<(Vec<String>, Option<String>)>) {
    match tree {
        syn::UseTree::Path(path) => {
            let mut prefix = prefix;
            prefix.push(path.ident.to_string());
            expand(&path.tree, prefix, out);
        }
        syn::UseTree::Name(name) => {
            let mut full = prefix;
            let ident = name.ident.to_string();
            if ident == "self" {
                let known = full.last().cloned();
                out.push((full, known));
            } else {
                full.push(ident.clone());
                out.push((full, Some(ident)));
            }
        }
        syn::UseTree::Rename(rename) => {
            let mut full = prefix;
            if rename.ident != "self" {
                full.push(rename.ident.to_string());
            }
            out.push((full, Some(rename.rename.to_string())));
        }
        syn::UseTree::Glob(_) => {
            let mut full = prefix;
            full.push("*".into());
            out.push((full, None));
        }
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                expand(tree, prefix.clone(), out);
            }
        }
    }
}

struct Resolver<'a> {
    module: &'a [String],
    /// Modules declared in this file (`mod x;`): a path may start with their name.
    children: Vec<String>,
    /// Names the file's imports bring in, and what they stand for.
    aliases: BTreeMap<String, Vec<String>>,
}

impl Resolver<'_> {
    fn resolve(&self, path: &[String]) -> Vec<String> {
        let Some(first) = path.first() else {
            return Vec::new();
        };
        let mut rest = path;
        let mut base: Vec<String> = match first.as_str() {
            "crate" => {
                rest = &path[1..];
                vec!["crate".into()]
            }
            "self" | "super" => {
                let mut module = self.module.to_vec();
                while let Some(step) = rest.first() {
                    match step.as_str() {
                        "self" => {}
                        "super" => {
                            module.pop();
                        }
                        _ => break,
                    }
                    rest = &rest[1..];
                }
                std::iter::once("crate".to_string()).chain(module).collect()
            }
            name if self.children.iter().any(|c| c == name) => std::iter::once("crate".to_string())
                .chain(self.module.iter().cloned())
                .collect(),
            name => match self.aliases.get(name) {
                Some(full) => {
                    rest = &path[1..];
                    full.clone()
                }
                None => Vec::new(),
            },
        };
        base.extend(rest.iter().cloned());
        base
    }
}

/// Every path written in the code (types, expressions, patterns, macro names ending in `!`), and the
/// imports made inside it.
#[derive(Default)]
struct PathCollector {
    found: Vec<Vec<String>>,
    imports: Vec<(Vec<String>, Option<String>)>,
}

impl<'ast> Visit<'ast> for PathCollector {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        expand(&item.tree, Vec::new(), &mut self.imports);
    }

    /// A macro's path is kept with a `!` on its name: `cmd!` is not a variable `cmd`.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let mut path: Vec<String> = mac
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if let Some(last) = path.last_mut() {
            last.push('!');
        }
        self.found.push(path);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.found
            .push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }
}

/// Whether a type names a path type anywhere in it (`Vec<Utf8PathBuf>`, `Option<PathBuf>`).
pub fn mentions_path_type(ty: &syn::Type) -> bool {
    #[derive(Default)]
    struct Finder {
        found: bool,
    }
    impl<'ast> Visit<'ast> for Finder {
        fn visit_path_segment(&mut self, segment: &'ast syn::PathSegment) {
            if ["PathBuf", "Utf8PathBuf", "OsString"].contains(&segment.ident.to_string().as_str())
            {
                self.found = true;
            }
            syn::visit::visit_path_segment(self, segment);
        }
    }
    let mut finder = Finder::default();
    finder.visit_type(ty);
    finder.found
}

/// The text of an attribute's arguments (`long, value_parser = ...` of `#[arg(...)]`), without
/// spaces.
pub fn attribute_text(attr: &syn::Attribute) -> String {
    match &attr.meta {
        syn::Meta::List(list) => list.tokens.to_string().replace(' ', ""),
        _ => String::new(),
    }
}
