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

//! The structural rules, each a function of a source tree (`asf-release/src` or a copy with a planted
//! violation) that returns what breaks it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::model::{self, SourceFile};

fn starts_with(path: &[String], prefix: &[&str]) -> bool {
    path.len() >= prefix.len() && path.iter().zip(prefix).all(|(a, b)| a == b)
}

/// The top-level modules (files and folders directly under `src`).
fn top_modules(files: &[SourceFile]) -> BTreeSet<String> {
    files
        .iter()
        .filter_map(|file| file.module.first().cloned())
        .collect()
}

/// The modules at the top of `asf-release/src` import one another one way only.
pub fn import_circles(src: &Path) -> Vec<String> {
    let files = model::load(src);
    let modules = top_modules(&files);
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let own = file.top_module();
        for path in model::references(file) {
            if let (true, Some(used)) = (starts_with(&path, &["crate"]), path.get(1)) {
                if *used != own && modules.contains(used) {
                    uses.entry(own.clone()).or_default().insert(used.clone());
                }
            }
        }
    }
    let mut circles = Vec::new();
    for start in uses.keys() {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<&String> = uses[start].iter().collect();
        while let Some(next) = todo.pop() {
            if next == start {
                circles.push(start.clone());
                break;
            }
            if seen.insert(next.clone()) {
                todo.extend(uses.get(next).into_iter().flatten());
            }
        }
    }
    circles
}

/// Steps use the layers below them, never another step; below the steps nothing reaches up
/// into them but the drivers (dispatch, the flow, the demo).
pub fn step_layering(src: &Path) -> Vec<String> {
    let mut offenders = Vec::new();
    for file in model::load(src) {
        let own_step = match file.module.as_slice() {
            [steps, name, ..] if steps == "steps" => Some(name.clone()),
            _ => None,
        };
        let driver = ["entry.rs", "lib.rs", "cli.rs", "steps/mod.rs"]
            .contains(&file.relative.as_str())
            || file.relative.starts_with("release/")
            || file.relative.starts_with("demo/");
        let mut named = BTreeSet::new();
        for path in model::references(&file) {
            if starts_with(&path, &["crate", "steps"]) {
                if let Some(step) = path.get(2) {
                    named.insert(step.clone());
                }
            }
        }
        match own_step {
            Some(own) => offenders.extend(
                named
                    .into_iter()
                    .filter(|step| *step != own)
                    .map(|step| format!("{} uses the step {step}", file.relative)),
            ),
            None if !driver && !named.is_empty() => {
                offenders.push(format!("{} reaches up into crate::steps", file.relative))
            }
            None => {}
        }
    }
    offenders
}

/// Only `asf-release/src/tools` builds command lines: no `std::process::Command`, no xshell `cmd!`,
/// no `ToolCmd::new`, however imported or renamed.
pub fn command_lines_outside_tools(src: &Path) -> Vec<String> {
    let mut offenders = Vec::new();
    for file in model::load(src) {
        if file.relative.starts_with("tools/") {
            continue;
        }
        for path in model::references(&file) {
            let builds = starts_with(&path, &["std", "process", "Command"])
                || starts_with(&path, &["std", "process", "*"])
                || starts_with(&path, &["xshell", "cmd"])
                || starts_with(&path, &["xshell", "Cmd"])
                || starts_with(&path, &["xshell", "*"])
                || path.ends_with(&["ToolCmd".to_string(), "new".to_string()])
                || path.last().is_some_and(|name| name == "cmd!");
            if builds {
                offenders.push(format!("{} uses {}", file.relative, path.join("::")));
            }
        }
    }
    offenders
}

/// Every command-line argument that takes a path (in any container: `Vec<Utf8PathBuf>` too)
/// is parsed by `crate::args::absolute_path`, so it is the user's path wherever the
/// repository is.
pub fn relative_path_arguments(src: &Path) -> Vec<String> {
    let mut offenders = Vec::new();
    for file in model::load(src) {
        for item in &file.syntax.items {
            let syn::Item::Struct(item) = item else {
                continue;
            };
            let clap = item.attrs.iter().any(|attr| {
                attr.path().is_ident("derive")
                    && ["Args", "Parser"].iter().any(|d| {
                        model::attribute_text(attr)
                            .split(',')
                            .any(|x| x.ends_with(d))
                    })
            });
            if !clap {
                continue;
            }
            for field in &item.fields {
                let texts: Vec<String> = field.attrs.iter().map(model::attribute_text).collect();
                let left_alone = texts
                    .iter()
                    .any(|t| t.contains("flatten") || t.split(',').any(|x| x == "skip"));
                let absolute = field.attrs.iter().any(|a| {
                    a.path().is_ident("arg") && model::attribute_text(a).contains("absolute_path")
                });
                if model::mentions_path_type(&field.ty) && !left_alone && !absolute {
                    let name = field
                        .ident
                        .as_ref()
                        .map(|i| i.to_string())
                        .unwrap_or_default();
                    offenders.push(format!("{}: {}::{name}", file.relative, item.ident));
                }
            }
        }
    }
    offenders
}

/// The guard on commands that change the world holds only if nothing outside `tools/` can
/// make a `ToolCmd` or clear its flag: its fields and its constructor stay private to `tools`.
pub fn open_tool_commands(src: &Path) -> Vec<String> {
    let mut offenders = Vec::new();
    let restricted = |vis: &syn::Visibility| match vis {
        syn::Visibility::Inherited => true,
        syn::Visibility::Restricted(r) => {
            let path: Vec<String> = r
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            path == ["crate", "tools"] || path == ["self"] || path == ["super"]
        }
        syn::Visibility::Public(_) => false,
    };
    let mut found = false;
    for file in model::load(src) {
        for item in &file.syntax.items {
            match item {
                syn::Item::Struct(item) if item.ident == "ToolCmd" => {
                    found = true;
                    for field in &item.fields {
                        if !restricted(&field.vis) {
                            let name = field
                                .ident
                                .as_ref()
                                .map(|i| i.to_string())
                                .unwrap_or_default();
                            offenders.push(format!("{}: ToolCmd::{name} is public", file.relative));
                        }
                    }
                }
                syn::Item::Impl(block) if type_is(&block.self_ty, "ToolCmd") => {
                    for item in &block.items {
                        if let syn::ImplItem::Fn(method) = item {
                            if method.sig.ident == "new" && !restricted(&method.vis) {
                                offenders
                                    .push(format!("{}: ToolCmd::new is public", file.relative));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if !found {
        offenders.push("no `struct ToolCmd` found: the rule needs updating".into());
    }
    offenders
}

fn type_is(ty: &syn::Type, name: &str) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
}

/// Each command declares its arguments in its own file and `cli.rs` only assembles them, so
/// nothing imports the command line back.
pub fn command_line_imports(src: &Path) -> Vec<String> {
    model::load(src)
        .into_iter()
        .filter(|file| !["cli.rs", "entry.rs"].contains(&file.relative.as_str()))
        .filter(|file| {
            model::references(file)
                .iter()
                .any(|path| starts_with(path, &["crate", "cli"]))
        })
        .map(|file| file.relative)
        .collect()
}

/// The `dist` setting is read in one place: `distribution.rs` turns it into a route, and the
/// steps (and every other module but the settings and the demo, which picks its sandbox's
/// route) ask that route what differs, so no module names `Dist`, however imported or renamed.
pub fn distribution_choice(src: &Path) -> Vec<String> {
    let mut offenders = Vec::new();
    for file in model::load(src) {
        let chooses = file.relative == "distribution.rs"
            || file.relative.starts_with("config/")
            || file.relative.starts_with("demo/");
        if chooses {
            continue;
        }
        for path in model::references(&file) {
            let names = path.iter().any(|segment| segment == "Dist")
                || starts_with(&path, &["crate", "config", "dist"]);
            if names {
                offenders.push(format!("{} names {}", file.relative, path.join("::")));
            }
        }
    }
    offenders
}
