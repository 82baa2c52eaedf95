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

//! House rules checked on the source itself: formatting, documented configuration, command
//! lines built only in tool modules, no `unwrap()` outside tests.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

/// The part of a source file before its `#[cfg(test)]` module; nothing of a `tests.rs`, which
/// its parent includes with `#[cfg(test)] mod tests;`.
fn non_test_code(path: &Path) -> String {
    if path.file_name().is_some_and(|name| name == "tests.rs") {
        return String::new();
    }
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

#[test]
fn code_is_formatted() {
    let mut files = rust_files(&root().join("xtask/src"));
    files.extend(rust_files(&root().join("tests")));
    let output = std::process::Command::new("rustfmt")
        .args(["--check", "--edition", "2021"])
        .args(&files)
        .output();
    match output {
        Ok(output) => assert!(
            output.status.success(),
            "run `cargo fmt --all`:\n{}",
            String::from_utf8_lossy(&output.stdout)
        ),
        Err(_) => eprintln!("rustfmt is not installed; formatting not checked"),
    }
}

#[test]
fn every_configuration_key_is_documented_in_the_readme() {
    let config = std::fs::read_to_string(root().join("xtask/src/config/read.rs")).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let raw = &config[config.find("struct Raw {").unwrap()..];
    let raw = &raw[..raw.find('}').unwrap()];
    let mut missing = Vec::new();
    for line in raw.lines().skip(1) {
        let Some((field, _)) = line.trim().split_once(':') else {
            continue;
        };
        let key = field.trim().trim_start_matches("pub ").replace('_', "-");
        if !readme.contains(&format!("| `{key}` |")) {
            missing.push(key);
        }
    }
    assert!(
        missing.is_empty(),
        "configuration keys missing from the README table: {missing:?}"
    );
}

#[test]
fn only_tool_modules_build_command_lines() {
    let src = root().join("xtask/src");
    let tools = src.join("tools");
    let mut offenders = Vec::new();
    for file in rust_files(&src) {
        if file.starts_with(&tools) {
            continue;
        }
        let code = non_test_code(&file);
        for needle in ["ToolCmd::new(", "cmd!(", "Command::new("] {
            if code.contains(needle) {
                offenders.push(format!("{} uses {needle}", file.display()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "command lines belong in xtask/src/tools: {offenders:?}"
    );
}

#[test]
fn no_unwrap_outside_tests() {
    let mut offenders = Vec::new();
    for file in rust_files(&root().join("xtask/src")) {
        for (number, line) in non_test_code(&file).lines().enumerate() {
            if line.contains(".unwrap()") && !line.trim_start().starts_with("//") {
                offenders.push(format!("{}:{}", file.display(), number + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "use `?` with context instead of unwrap(): {offenders:?}"
    );
}

#[test]
fn adopters_get_the_dev_profile_this_repository_builds_with() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    assert!(
        manifest.contains(xtask::adopt::PROFILE),
        "the [profile.dev.package.*] tables of Cargo.toml and adopt's PROFILE differ: change both"
    );
}

/// `adopt` ships xtask/src into other projects, whose release audit must pass on it: every
/// source file carries the Apache license header.
#[test]
fn every_source_file_carries_the_license_header() {
    let mut files = rust_files(&root().join("xtask/src"));
    files.extend(rust_files(&root().join("tests")));
    let missing: Vec<_> = files
        .iter()
        .filter(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            !text.starts_with("// Licensed to the Apache Software Foundation (ASF) under one\n")
        })
        .collect();
    assert!(missing.is_empty(), "add the license header to {missing:?}");
}

#[test]
fn this_repository_passes_its_own_license_audit() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["--repo", root().to_str().unwrap(), "license-audit", "HEAD"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `file`'s path below `dir`, with `/` between its parts.
fn relative_to(dir: &Path, file: &Path) -> String {
    file.strip_prefix(dir)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// The largest a source file may grow before it splits by concern into a folder.
const MAX_LINES: usize = 600;

#[test]
fn no_source_file_is_too_long() {
    let src = root().join("xtask/src");
    let mut offenders = Vec::new();
    for file in rust_files(&src) {
        let name = relative_to(&src, &file);
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        if lines > MAX_LINES {
            offenders.push(format!("{name} ({lines} lines)"));
        }
    }
    assert!(
        offenders.is_empty(),
        "split these by concern into a folder (mod.rs plus one file per concern): {offenders:?}"
    );
}

/// Each command declares its arguments in its own file and `cli.rs` only assembles them, so
/// nothing imports the command line back: no circle between `cli`, `config` and the steps.
#[test]
fn nothing_imports_the_command_line() {
    let src = root().join("xtask/src");
    let offenders: Vec<String> = rust_files(&src)
        .into_iter()
        .filter(|file| {
            let name = relative_to(&src, file);
            name != "cli.rs"
                && name != "main.rs"
                && std::fs::read_to_string(file)
                    .unwrap()
                    .contains("crate::cli")
        })
        .map(|file| relative_to(&src, &file))
        .collect();
    assert!(
        offenders.is_empty(),
        "declare the arguments in the command's own file (or crate::args when shared): {offenders:?}"
    );
}

/// A path on the command line is the user's, wherever the repository is: every argument that
/// takes a path is made absolute against the user's directory when it is parsed.
#[test]
fn every_path_argument_is_made_absolute_at_parsing() {
    let src = root().join("xtask/src");
    let mut offenders = Vec::new();
    for file in rust_files(&src) {
        let text = std::fs::read_to_string(&file).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (number, line) in lines.iter().enumerate() {
            let field = line.trim_start();
            let takes_path = field.starts_with("pub ")
                && (field.ends_with(": Utf8PathBuf,") || field.ends_with(": Option<Utf8PathBuf>,"));
            let attribute = number
                .checked_sub(1)
                .map(|above| lines[above].trim_start())
                .filter(|above| above.starts_with("#[arg("));
            if let (true, Some(attribute)) = (takes_path, attribute) {
                if !attribute.contains("absolute_path") {
                    offenders.push(format!("{}:{}", relative_to(&src, &file), number + 1));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "parse these with value_parser = crate::args::absolute_path: {offenders:?}"
    );
}

/// The modules at the top of `xtask/src` import one another one way only: a circle (like
/// `cli` -> steps -> `cli`, or `config` <-> `tools`) means two modules know each other's
/// insides. Test code and comments are left out.
#[test]
fn no_import_circles_between_modules() {
    use std::collections::{BTreeMap, BTreeSet};
    let src = root().join("xtask/src");
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src) {
        let name = relative_to(&src, &file);
        let module = name
            .split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
            for (at, _) in line.match_indices("crate::") {
                let used: String = line[at + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !used.is_empty() && used != module {
                    uses.entry(module.clone()).or_default().insert(used);
                }
            }
        }
    }
    // A module is in a circle when it can reach itself.
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
    assert!(
        circles.is_empty(),
        "these modules import one another in a circle: {circles:?}; move what both need below both"
    );
}

/// The step (`steps/<name>.rs` or `steps/<name>/...`) a source file under `xtask/src` belongs
/// to, if any, and whether the file is that step's top-level file.
fn step_of(relative: &str) -> Option<(&str, bool)> {
    let rest = relative.strip_prefix("steps/")?;
    match rest.split_once('/') {
        Some((name, _)) => Some((name, false)),
        None if rest == "mod.rs" => None,
        None => Some((rest.strip_suffix(".rs").unwrap_or(rest), true)),
    }
}

/// Every `steps::<name>` a file mentions (`crate::steps::a`, `use crate::steps::{a, b}`, or
/// `steps::a` after `use crate::steps`).
fn steps_named(code: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in code.match_indices("steps::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[at + "steps::".len()..];
        // `{a, b::c}` names several steps; anything else names one, up to its first `::`.
        let items: Vec<&str> = match rest.strip_prefix('{') {
            Some(inner) => inner[..inner.find('}').unwrap_or(inner.len())]
                .split(',')
                .collect(),
            None => vec![rest],
        };
        for item in items {
            let name: String = item
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                names.push(name);
            }
        }
    }
    names
}

/// Steps sit on top: a step uses the modules below it (config, tools, archive, the shared
/// helpers) but never another step's helpers, and nothing below the steps reaches up into them.
/// Only the flow (release/), the dispatch (main.rs, cli.rs) and the demo drive the steps.
#[test]
fn steps_use_only_the_layers_below_them() {
    let src = root().join("xtask/src");
    let mut offenders = Vec::new();
    for file in rust_files(&src) {
        let relative = relative_to(&src, &file);
        let code = std::fs::read_to_string(&file).unwrap();
        let named = steps_named(&code);
        match step_of(&relative) {
            Some((own, top_level)) => {
                for other in named.iter().filter(|name| *name != own) {
                    offenders.push(format!("{relative} uses the step {other}"));
                }
                // Above a step's own folder, `super::` is the other steps (a test module's
                // `super::` is its own file, hence only the code before it).
                let escape = if top_level {
                    "super::"
                } else {
                    "super::super::"
                };
                if non_test_code(&file).contains(escape) {
                    offenders.push(format!("{relative} uses {escape} (another step)"));
                }
            }
            None => {
                let driver = ["main.rs", "cli.rs", "steps/mod.rs"].contains(&relative.as_str())
                    || relative.starts_with("release/")
                    || relative.starts_with("demo/");
                if !driver && code.contains("steps::") {
                    offenders.push(format!("{relative} reaches up into crate::steps"));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "move what steps share below them (a module outside xtask/src/steps): {offenders:?}"
    );
}
