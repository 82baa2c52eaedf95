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

/// The part of a source file before its `#[cfg(test)]` module.
fn non_test_code(path: &Path) -> String {
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
