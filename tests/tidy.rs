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

#[path = "tidy/model.rs"]
mod model;
#[path = "tidy/rules.rs"]
mod rules;

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
    let mut files = rust_files(&root().join("asf-release/src"));
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
    let config = std::fs::read_to_string(root().join("asf-release/src/config/read.rs")).unwrap();
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
fn no_unwrap_outside_tests() {
    let mut offenders = Vec::new();
    for file in rust_files(&root().join("asf-release/src")) {
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
        manifest.contains(asf_release::adopt::PROFILE),
        "the [profile.dev.package.*] tables of Cargo.toml and adopt's PROFILE differ: change both"
    );
}

/// `adopt` ships asf-release/src into other projects, whose release audit must pass on it: every
/// source file carries the Apache license header.
#[test]
fn every_source_file_carries_the_license_header() {
    let mut files = rust_files(&root().join("asf-release/src"));
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
    let src = root().join("asf-release/src");
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

/// A structural rule: what in a source tree breaks it.
type Rule = fn(&Path) -> Vec<String>;

/// The structural rules read the code as Rust (tests/tidy/model.rs); each is also run on a
/// copy of the sources with a violation planted, and must see it.
#[test]
fn the_structural_rules_hold() {
    let src = root().join("asf-release/src");
    let rules: [(&str, Rule, &str); 7] = [
        (
            "import circles",
            rules::import_circles,
            "move what both modules need below both",
        ),
        (
            "step layering",
            rules::step_layering,
            "move what steps share below them (a module outside asf-release/src/steps)",
        ),
        (
            "command lines",
            rules::command_lines_outside_tools,
            "command lines belong in asf-release/src/tools",
        ),
        (
            "path arguments",
            rules::relative_path_arguments,
            "parse these with value_parser = crate::args::absolute_path",
        ),
        (
            "the guard",
            rules::open_tool_commands,
            "keep ToolCmd's fields and constructor pub(in crate::tools)",
        ),
        (
            "the command line",
            rules::command_line_imports,
            "declare the arguments in the command's own file (or crate::args when shared)",
        ),
        (
            "the distribution",
            rules::distribution_choice,
            "ask the route of crate::distribution::of what differs between SVN dist and ATR",
        ),
    ];
    for (name, rule, fix) in rules {
        let offenders = rule(&src);
        assert!(offenders.is_empty(), "{name}: {offenders:?}; {fix}");
    }
}

/// A copy of `asf-release/src` with `planted` put into `file` where its imports begin (before its
/// first `use`), or replacing `replace` when given.
fn planted(file: &str, planted: &str, replace: Option<&str>) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    let src = root().join("asf-release/src");
    for source in rust_files(&src) {
        let target = copy.path().join(source.strip_prefix(&src).unwrap());
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(&source, &target).unwrap();
    }
    let path = copy.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let text = match replace {
        Some(old) => {
            assert!(
                text.contains(old),
                "{file} no longer holds {old:?}: update the test"
            );
            text.replacen(old, planted, 1)
        }
        None => {
            let at = text.find("\nuse ").expect("a file with imports") + 1;
            format!("{}{planted}\n{}", &text[..at], &text[at..])
        }
    };
    std::fs::write(&path, text).unwrap();
    copy
}

#[test]
fn an_import_circle_written_as_a_grouped_import_is_seen() {
    let copy = planted(
        "tools/mod.rs",
        "use crate::{config::Config, tools::Tool};",
        None,
    );
    let copy_path = copy.path();
    std::fs::write(
        copy_path.join("config/mod.rs"),
        std::fs::read_to_string(copy_path.join("config/mod.rs"))
            .unwrap()
            .replacen(
                "\nuse ",
                "\nuse crate::{tools::Tool as _, version};\nuse ",
                1,
            ),
    )
    .unwrap();
    let circles = rules::import_circles(copy_path);
    assert!(circles.contains(&"tools".to_string()), "{circles:?}");
}

#[test]
fn a_step_reaching_another_through_a_renamed_import_is_seen() {
    let copy = planted(
        "steps/vote.rs",
        "use crate::{steps as all};\nfn planted() { all::package::run(); }",
        None,
    );
    let offenders = rules::step_layering(copy.path());
    assert!(
        offenders
            .iter()
            .any(|o| o.contains("steps/vote.rs uses the step package")),
        "{offenders:?}"
    );
}

#[test]
fn a_command_built_outside_the_tools_through_an_alias_is_seen() {
    let copy = planted(
        "steps/vote.rs",
        "use std::process::{Command as Launch, Output as _};\nfn planted() { Launch::new(\"git\"); }",
        None,
    );
    let offenders = rules::command_lines_outside_tools(copy.path());
    assert!(
        offenders
            .iter()
            .any(|o| o.contains("std::process::Command")),
        "{offenders:?}"
    );
}

#[test]
fn a_path_argument_in_a_list_not_made_absolute_is_seen() {
    let copy = planted(
        "steps/package/mod.rs",
        "pub struct PackageArgs {\n    /// Planted.\n    #[arg(long)]\n    pub planted: Vec<Utf8PathBuf>,",
        Some("pub struct PackageArgs {"),
    );
    let offenders = rules::relative_path_arguments(copy.path());
    assert!(
        offenders.iter().any(|o| o.contains("PackageArgs::planted")),
        "{offenders:?}"
    );
}

#[test]
fn a_guard_flag_made_public_is_seen() {
    let copy = planted(
        "tools/mod.rs",
        "pub changes: bool,",
        Some("pub(in crate::tools) changes: bool,"),
    );
    let offenders = rules::open_tool_commands(copy.path());
    assert!(
        offenders
            .iter()
            .any(|o| o.contains("ToolCmd::changes is public")),
        "{offenders:?}"
    );
}

#[test]
fn a_module_importing_the_command_line_is_seen() {
    let copy = planted("config/mod.rs", "use crate::{cli as line};", None);
    let offenders = rules::command_line_imports(copy.path());
    assert!(
        offenders.contains(&"config/mod.rs".to_string()),
        "{offenders:?}"
    );
}

#[test]
fn a_step_comparing_the_dist_setting_through_a_renamed_import_is_seen() {
    let copy = planted(
        "steps/vote.rs",
        "use crate::config::{Dist as Route};\nfn planted(config: &Config) -> bool { config.dist == Route::Atr }",
        None,
    );
    let offenders = rules::distribution_choice(copy.path());
    assert!(
        offenders
            .iter()
            .any(|o| o.contains("steps/vote.rs names crate::config::Dist")),
        "{offenders:?}"
    );
}
