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

//! The files `adopt` writes: the thin xtask (a manifest depending on the library and a `main`
//! that calls it), the cargo alias, the ignore rule, and the settings (kept as they are on a
//! rerun).

use anyhow::{Context, Result};
use camino::Utf8Path;

use super::{Detected, Layout, Write};
use crate::config::{SECTION, SETTINGS_FILE};

/// Files under the target's `xtask/src` other than `main.rs`: what an earlier `adopt` copied
/// there when it vendored the sources (the library replaces them).
pub fn vendored_sources(target: &Utf8Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let mut dirs = vec![target.join("xtask/src")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = dir.read_dir_utf8() else {
            continue;
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {dir}"))?;
            let kind = entry
                .file_type()
                .with_context(|| format!("cannot read {}", entry.path()))?;
            let relative = entry.path().strip_prefix(target).unwrap_or(entry.path());
            if kind.is_dir() {
                dirs.push(entry.path().to_owned());
            } else if relative != MAIN {
                found.push(relative.to_string());
            }
        }
    }
    found.sort();
    Ok(found)
}

fn read(path: &Utf8Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))
}

const MAIN: &str = "xtask/src/main.rs";

/// Where the adopted xtask takes the library from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LibrarySource {
    /// The published crate at exactly this version.
    Version(String),
    /// A checkout of the library crate (unpublished builds, tests).
    Path(String),
    /// A git repository holding the library crate, at a revision when given.
    Git { url: String, rev: Option<String> },
}

impl LibrarySource {
    fn dependency(&self) -> String {
        let quoted = |text: &str| toml::Value::String(text.to_string()).to_string();
        match self {
            LibrarySource::Version(version) => {
                format!("asf-release = {}", quoted(&format!("={version}")))
            }
            LibrarySource::Path(path) => format!("asf-release = {{ path = {} }}", quoted(path)),
            LibrarySource::Git { url, rev: None } => {
                format!("asf-release = {{ git = {} }}", quoted(url))
            }
            LibrarySource::Git {
                url,
                rev: Some(rev),
            } => format!(
                "asf-release = {{ git = {}, rev = {} }}",
                quoted(url),
                quoted(rev)
            ),
        }
    }
}

/// The thin xtask's manifest: one dependency, the library; for a standalone xtask a workspace
/// of its own with the dependency profile.
pub fn xtask_manifest(library: &LibrarySource, layout: Layout) -> String {
    let mut out = format!(
        "{}[package]\nname = \"xtask\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n# The ASF release flow (`cargo xtask --help`); updating it is a version bump.\n[dependencies]\n{}\n",
        super::detect::HASH_LICENSE_HEADER,
        library.dependency()
    );
    if layout == Layout::Standalone {
        out.push_str(&format!("\n# Its own workspace: the repository is not a Rust project.\n[workspace]\n\n{PROFILE}"));
    }
    out
}

/// The thin xtask's `main`: the library's command line.
fn xtask_main() -> String {
    format!(
        "{}\nfn main() -> std::process::ExitCode {{\n    asf_release::main()\n}}\n",
        SLASH_LICENSE_HEADER
    )
}

const SLASH_LICENSE_HEADER: &str = "// Licensed to the Apache Software Foundation (ASF) under one\n// or more contributor license agreements.  See the NOTICE file\n// distributed with this work for additional information\n// regarding copyright ownership.  The ASF licenses this file\n// to you under the Apache License, Version 2.0 (the\n// \"License\"); you may not use this file except in compliance\n// with the License.  You may obtain a copy of the License at\n//\n//   http://www.apache.org/licenses/LICENSE-2.0\n//\n// Unless required by applicable law or agreed to in writing,\n// software distributed under the License is distributed on an\n// \"AS IS\" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY\n// KIND, either express or implied.  See the License for the\n// specific language governing permissions and limitations\n// under the License.\n";

/// The dev profile that keeps packaging fast; the root `Cargo.toml` of this repository has
/// the same (tests/tidy.rs checks it).
pub const PROFILE: &str = "# The crates on the hot path of `cargo xtask package` and `verify` (hashing, deflate, tar,\n# globs) are optimised even in dev builds: packaging Apache APISIX takes 1 s instead of 23 s.\n# Only these, so the cold build stays short (bench/build.sh); the regex engine at level 1\n# compiles in half the time and packages as fast.\n[profile.dev.package]\nsha2.opt-level = 3\nsha1.opt-level = 3\ndigest.opt-level = 3\nblock-buffer.opt-level = 3\ngeneric-array.opt-level = 3\ncpufeatures.opt-level = 3\nzlib-rs.opt-level = 3\ncrc32fast.opt-level = 3\nflate2.opt-level = 3\ntar.opt-level = 3\nglobset.opt-level = 3\nmemchr.opt-level = 3\nregex-automata.opt-level = 1\naho-corasick.opt-level = 1\nbstr.opt-level = 3\n";

/// The root `Cargo.toml` of a Rust repository with the xtask as a member, the profile and,
/// unless present, the settings section. Everything it had stays.
pub fn merged_root_manifest(text: &str, detected: &Detected) -> Result<String> {
    let parsed: toml::Table = toml::from_str(text)
        .context("the root Cargo.toml is not valid TOML: fix it before adopting")?;
    let mut out = text.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    match parsed.get("workspace").and_then(|w| w.as_table()) {
        None => out.push_str("\n[workspace]\nmembers = [\"xtask\"]\n"),
        Some(workspace) => {
            let has_xtask = workspace
                .get("members")
                .and_then(|m| m.as_array())
                .is_some_and(|m| m.iter().any(|v| v.as_str() == Some("xtask")));
            if !has_xtask {
                out = add_member(&out, workspace.contains_key("members"));
            }
        }
    }
    let has_profile = parsed
        .get("profile")
        .and_then(|p| p.get("dev"))
        .and_then(|d| d.get("package"))
        .and_then(|p| p.get("zlib-rs"))
        .is_some();
    if !has_profile {
        out.push('\n');
        out.push_str(PROFILE);
    }
    let has_settings = parsed
        .get("workspace")
        .and_then(|w| w.get("metadata"))
        .and_then(|m| m.get("asf-release"))
        .is_some();
    if !has_settings {
        out.push_str(&format!(
            "\n# The release settings of `cargo xtask` (README, \"Configuration\"), detected by `cargo xtask adopt`.\n{SECTION}\n{}",
            detected.render()
        ));
    }
    Ok(out)
}

/// Puts `"xtask"` first in `[workspace] members`, or adds the key under `[workspace]`.
fn add_member(text: &str, has_members: bool) -> String {
    let mut out = String::new();
    let mut in_workspace = false;
    let mut done = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_workspace = trimmed == "[workspace]";
        }
        if !done && in_workspace && has_members && trimmed.starts_with("members") {
            if let Some(open) = line.find('[') {
                let (head, tail) = line.split_at(open + 1);
                let separator = if tail.trim().is_empty() || tail.trim_start().starts_with(']') {
                    ""
                } else {
                    " "
                };
                out.push_str(&format!("{head}\"xtask\",{separator}{tail}\n"));
                done = true;
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
        if !done && !has_members && trimmed == "[workspace]" {
            out.push_str("members = [\"xtask\"]\n");
            done = true;
        }
    }
    out
}

/// `.cargo/config.toml` with the `xtask` alias added (an existing alias is kept). Not
/// `--quiet`: the first build through the alias takes a while, and cargo's progress says why.
fn cargo_config(current: Option<&str>, layout: Layout) -> String {
    let alias = match layout {
        Layout::Rust => "xtask = \"run --package xtask --\"",
        Layout::Standalone => "xtask = \"run --manifest-path xtask/Cargo.toml --\"",
    };
    let Some(current) = current else {
        return format!("{}[alias]\n{alias}\n", super::detect::HASH_LICENSE_HEADER);
    };
    if current.lines().any(|l| l.trim_start().starts_with("xtask")) {
        return current.to_string();
    }
    let mut out = String::new();
    let mut added = false;
    for line in current.lines() {
        out.push_str(line);
        out.push('\n');
        if !added && line.trim() == "[alias]" {
            out.push_str(alias);
            out.push('\n');
            added = true;
        }
    }
    if !added {
        out.push_str(&format!("\n[alias]\n{alias}\n"));
    }
    out
}

/// `.gitignore` with the build directory ignored.
fn gitignore(current: Option<&str>, layout: Layout) -> String {
    let mut out = current.unwrap_or_default().to_string();
    let wanted: &[&str] = match layout {
        Layout::Rust => &["/target"],
        Layout::Standalone => &["/target", "/xtask/target"],
    };
    for rule in wanted {
        if !out.lines().any(|l| l.trim() == *rule) {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(rule);
            out.push('\n');
        }
    }
    out
}

/// The settings as they will be after the writes must load, or nothing is written.
pub fn check_settings(target: &Utf8Path, layout: Layout, writes: &[Write]) -> Result<()> {
    let file = match layout {
        Layout::Standalone => SETTINGS_FILE,
        Layout::Rust => "Cargo.toml",
    };
    let text = match writes.iter().find(|w| w.path == file) {
        Some(write) => String::from_utf8_lossy(&write.content).into_owned(),
        None => read(&target.join(file))?,
    };
    let path = target.join(file);
    let loaded = match layout {
        Layout::Standalone => crate::config::parse_settings_file(target, &path, &text),
        Layout::Rust => crate::config::parse(target, &path, &text),
    };
    loaded.with_context(|| {
        format!(
            "nothing was written: the settings for {path} do not load; please report this with \
             the settings --dry-run shows"
        )
    })?;
    Ok(())
}

/// Everything `adopt` would write into `target`, whether or not it differs.
pub fn plan(
    library: &LibrarySource,
    target: &Utf8Path,
    layout: Layout,
    detected: &Detected,
) -> Result<Vec<Write>> {
    let mut writes = vec![
        Write {
            path: "xtask/Cargo.toml".into(),
            content: xtask_manifest(library, layout).into_bytes(),
        },
        Write {
            path: MAIN.into(),
            content: xtask_main().into_bytes(),
        },
    ];
    let existing = |path: &str| std::fs::read_to_string(target.join(path)).ok();
    match layout {
        Layout::Standalone => {
            if !target.join(SETTINGS_FILE).exists() {
                writes.push(Write {
                    path: SETTINGS_FILE.into(),
                    content: format!(
                        "# The release settings of `cargo xtask` (README, \"Configuration\"), detected by\n# `cargo xtask adopt`: check each one.\n{}",
                        detected.render()
                    )
                    .into_bytes(),
                });
            }
        }
        Layout::Rust => {
            let root = read(&target.join("Cargo.toml"))?;
            writes.push(Write {
                path: "Cargo.toml".into(),
                content: merged_root_manifest(&root, detected)?.into_bytes(),
            });
        }
    }
    writes.push(Write {
        path: ".cargo/config.toml".into(),
        content: cargo_config(existing(".cargo/config.toml").as_deref(), layout).into_bytes(),
    });
    writes.push(Write {
        path: ".gitignore".into(),
        content: gitignore(existing(".gitignore").as_deref(), layout).into_bytes(),
    });
    Ok(writes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thin_manifest_names_the_library_once_and_is_valid_toml() {
        let sources = [
            LibrarySource::Version("0.1.0".into()),
            LibrarySource::Path("/src/asf \"release\"".into()),
            LibrarySource::Git {
                url: "https://example.org/asf-release.git".into(),
                rev: Some("abc123".into()),
            },
        ];
        for library in &sources {
            for layout in [Layout::Standalone, Layout::Rust] {
                let manifest = xtask_manifest(library, layout);
                let parsed: toml::Table = toml::from_str(&manifest).unwrap();
                let deps = parsed["dependencies"].as_table().unwrap();
                assert_eq!(deps.len(), 1, "{manifest}");
                assert!(deps.contains_key("asf-release"));
                assert_eq!(
                    parsed.contains_key("workspace"),
                    layout == Layout::Standalone
                );
            }
        }
        let pinned = xtask_manifest(&sources[0], Layout::Rust);
        assert!(pinned.contains("asf-release = \"=0.1.0\""), "{pinned}");
        let path = xtask_manifest(&sources[1], Layout::Rust);
        let parsed: toml::Table = toml::from_str(&path).unwrap();
        assert_eq!(
            parsed["dependencies"]["asf-release"]["path"].as_str(),
            Some("/src/asf \"release\"")
        );
    }

    #[test]
    fn a_workspace_keeps_everything_and_gains_the_member_and_profile() {
        let detected = Detected {
            settings: vec![],
            latest_tag: None,
        };
        let root = "[workspace]\nmembers = [\n  \"arrow\",\n]\nresolver = \"2\"\n\n[profile.release]\nlto = true\n";
        let merged = merged_root_manifest(root, &detected).unwrap();
        let parsed: toml::Table = toml::from_str(&merged).unwrap();
        let members = parsed["workspace"]["members"].as_array().unwrap();
        assert_eq!(members.len(), 2, "{merged}");
        assert!(merged.contains("lto = true") && merged.contains("opt-level = 3"));
        assert!(merged.contains(SECTION));
        // A rerun adds nothing.
        assert_eq!(merged_root_manifest(&merged, &detected).unwrap(), merged);
        let package = "[package]\nname = \"x\"\n";
        let merged = merged_root_manifest(package, &detected).unwrap();
        assert!(
            merged.contains("[workspace]\nmembers = [\"xtask\"]"),
            "{merged}"
        );
    }

    #[test]
    fn alias_and_ignore_rules_are_added_once() {
        let config = cargo_config(Some("[build]\njobs = 2\n"), Layout::Standalone);
        assert!(config.contains("[build]") && config.contains("--manifest-path xtask/Cargo.toml"));
        assert_eq!(cargo_config(Some(&config), Layout::Standalone), config);
        let ignore = gitignore(Some(".*\nnode_modules"), Layout::Rust);
        assert_eq!(ignore, ".*\nnode_modules\n/target\n");
        assert_eq!(gitignore(Some(&ignore), Layout::Rust), ignore);
    }
}
