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

//! The files `adopt` writes: the xtask's sources and manifest, the lock file, the cargo alias,
//! the ignore rule, and the settings (kept as they are on a rerun).

use anyhow::{Context, Result};
use camino::Utf8Path;

use super::{Detected, Layout, Write};
use crate::config::{SECTION, SETTINGS_FILE};

/// Every file under `xtask/src` of `root`, relative to `root`, sorted.
fn source_files(root: &Utf8Path) -> Result<Vec<String>> {
    let mut found = Vec::new();
    let mut dirs = vec![root.join("xtask/src")];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = dir.read_dir_utf8() else {
            continue;
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list {dir}"))?;
            let kind = entry
                .file_type()
                .with_context(|| format!("cannot read {}", entry.path()))?;
            if kind.is_dir() {
                dirs.push(entry.path().to_owned());
            } else if kind.is_file() {
                let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
                found.push(relative.to_string());
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Files under the target's `xtask/src` that the new version no longer has.
pub fn stale_sources(source: &Utf8Path, target: &Utf8Path) -> Result<Vec<String>> {
    let wanted = source_files(source)?;
    Ok(source_files(target)?
        .into_iter()
        .filter(|path| !wanted.contains(path))
        .collect())
}

fn read(path: &Utf8Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))
}

/// The xtask's manifest for the adopter: no `[[test]]` targets (their files stay here), no
/// settings inherited from our workspace, and for a standalone xtask a workspace of its own
/// with the dependency profile.
pub fn adopted_manifest(ours: &str, layout: Layout) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in ours.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            skipping = trimmed == "[[test]]";
        }
        if skipping {
            continue;
        }
        let line = match trimmed {
            "edition.workspace = true" => "edition = \"2021\"",
            "license.workspace = true" => "license = \"Apache-2.0\"",
            _ => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    if layout == Layout::Standalone {
        out.push_str(&format!("\n# Its own workspace: the repository is not a Rust project.\n[workspace]\n\n{PROFILE}"));
    }
    out
}

/// The dev profile that keeps packaging fast; the root `Cargo.toml` of this repository has
/// the same (tests/tidy.rs checks it).
pub const PROFILE: &str = "# The crates on the hot path of `cargo xtask package` and `verify` (hashing, deflate, tar,\n# path globs) are built optimised even in dev builds: without it packaging Apache APISIX takes\n# 23 s instead of 1 s. Only these: optimising every dependency (proc macros included)\n# doubles the cold build that CI pays before its first step (bench/build.sh).\n[profile.dev.package.sha2]\nopt-level = 3\n[profile.dev.package.sha1]\nopt-level = 3\n[profile.dev.package.digest]\nopt-level = 3\n[profile.dev.package.block-buffer]\nopt-level = 3\n[profile.dev.package.generic-array]\nopt-level = 3\n[profile.dev.package.cpufeatures]\nopt-level = 3\n[profile.dev.package.zlib-rs]\nopt-level = 3\n[profile.dev.package.crc32fast]\nopt-level = 3\n[profile.dev.package.flate2]\nopt-level = 3\n[profile.dev.package.tar]\nopt-level = 3\n[profile.dev.package.globset]\nopt-level = 3\n[profile.dev.package.memchr]\nopt-level = 3\n# The regex engine under the globs: optimised a little. At level 3 it was the longest part of\n# a cold build (30 s of CPU with aho-corasick); at level 1 it compiles in less than half and\n# packaging is as fast (Apache APISIX, 30,000 generated files: within 3 %).\n[profile.dev.package.regex-automata]\nopt-level = 1\n[profile.dev.package.aho-corasick]\nopt-level = 1\n[profile.dev.package.bstr]\nopt-level = 3\n";

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
    source: &Utf8Path,
    target: &Utf8Path,
    layout: Layout,
    detected: &Detected,
) -> Result<Vec<Write>> {
    let mut writes = Vec::new();
    for path in source_files(source)? {
        let content = std::fs::read(source.join(&path))
            .with_context(|| format!("cannot read {source}/{path}"))?;
        writes.push(Write { path, content });
    }
    let manifest = read(&source.join("xtask/Cargo.toml"))?;
    writes.push(Write {
        path: "xtask/Cargo.toml".into(),
        content: adopted_manifest(&manifest, layout).into_bytes(),
    });
    let existing = |path: &str| std::fs::read_to_string(target.join(path)).ok();
    match layout {
        Layout::Standalone => {
            // The lock file pins every version, the deflate backend included (the tarball's
            // bytes depend on it).
            writes.push(Write {
                path: "xtask/Cargo.lock".into(),
                content: std::fs::read(source.join("Cargo.lock"))
                    .with_context(|| format!("cannot read {source}/Cargo.lock"))?,
            });
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
    fn the_adopted_manifest_has_no_test_targets_and_inherits_nothing() {
        let ours = "[package]\nname = \"xtask\"\nedition.workspace = true\n\n[dependencies]\nanyhow = \"1\"\n\n[[test]]\nname = \"tidy\"\npath = \"../tests/tidy.rs\"\n\n[dev-dependencies]\ntempfile = \"3\"\n\n[[test]]\nname = \"x\"\npath = \"../tests/x.rs\"\n";
        let adopted = adopted_manifest(ours, Layout::Standalone);
        assert!(
            !adopted.contains("[[test]]") && !adopted.contains("tests/"),
            "{adopted}"
        );
        assert!(adopted.contains("edition = \"2021\"") && adopted.contains("tempfile"));
        assert!(adopted.contains("[workspace]") && adopted.contains("opt-level = 3"));
        let member = adopted_manifest(ours, Layout::Rust);
        assert!(!member.contains("[workspace]"), "{member}");
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
