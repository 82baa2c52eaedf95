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

//! `config`: every setting the commands use, each with where it came from: written in the
//! project's settings, or filled in by the tool (a default, or derived from other settings
//! and the repository). Like `cargo release config`; the output is TOML a release manager can
//! copy from.

use std::process::ExitCode;

use anyhow::{bail, Result};
use toml::Value;

use crate::config::{Config, KeysArea};
use crate::Ctx;

pub fn run(ctx: &Ctx) -> Result<ExitCode> {
    let config = ctx.config()?;
    let Some((location, written)) = crate::config::written(&ctx.repo)? else {
        bail!(
            "{} has no release settings: run `cargo xtask adopt` to write them",
            ctx.repo
        );
    };
    println!("# The release settings every command of {} uses.", ctx.repo);
    println!("# Written in {location},");
    println!("# unless marked `# filled in` (the tool's default, or derived from other settings");
    println!("# and the repository); `# not set` shows what is off.");
    for (key, effective) in effective(&config) {
        match (written.get(key), effective) {
            (Some(value), _) => println!("{key} = {}", inline(value)),
            (None, Some(value)) => println!("{key} = {}  # filled in", inline(&value)),
            (None, None) => println!("# {key}: not set"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A value on one line, as TOML writes it inline.
fn inline(value: &Value) -> String {
    match value {
        Value::Table(table) => {
            let fields: Vec<String> = table
                .iter()
                .map(|(key, value)| format!("{key} = {}", inline(value)))
                .collect();
            format!("{{ {} }}", fields.join(", "))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        other => other.to_string(),
    }
}

fn text(value: &str) -> Option<Value> {
    Some(Value::String(value.to_string()))
}

fn list(values: &[String]) -> Option<Value> {
    Some(Value::Array(
        values.iter().cloned().map(Value::String).collect(),
    ))
}

fn number(value: u32) -> Option<Value> {
    Some(Value::Integer(value.into()))
}

/// Every setting (in the README's order) and the value the commands use; `None` when it is not
/// set and nothing fills it in. Settings made of tables show their effective value only when
/// it is not empty.
pub fn effective(config: &Config) -> Vec<(&'static str, Option<Value>)> {
    let out_dir = config
        .out_dir
        .strip_prefix(&config.repo)
        .map(|relative| relative.to_string())
        .unwrap_or_else(|_| config.out_dir.to_string());
    let mut changelog = toml::Table::new();
    changelog.insert("file".into(), Value::String(config.changelog.file.clone()));
    changelog.insert(
        "heading".into(),
        Value::String(config.changelog.heading.clone()),
    );
    changelog.insert("write".into(), Value::Boolean(config.changelog.write));
    let keys_area = config.keys_area.map(|area| match area {
        KeysArea::Dev => "dev",
        KeysArea::Release => "release",
    });
    let jira = config.issue_tracker.jira();
    let opaque = |empty: bool| (!empty).then(|| Value::String("(see the settings)".into()));
    vec![
        ("name", text(&config.name)),
        ("display-name", text(&config.display_name)),
        ("tlp", text(&config.tlp)),
        ("incubating", Some(Value::Boolean(config.incubating))),
        ("artifact", text(&config.artifact)),
        ("top-dir", config.top_dir.as_deref().and_then(text)),
        ("excludes", list(&config.excludes)),
        ("includes", list(&config.includes)),
        (
            "license-header-excludes",
            list(&config.license_header_excludes),
        ),
        ("binary-allow", list(&config.binary_allow)),
        (
            "submodules",
            text(match config.submodules {
                crate::config::Submodules::Refuse => "refuse",
                crate::config::Submodules::Skip => "skip",
            }),
        ),
        ("signing-key", config.signing_key.as_deref().and_then(text)),
        ("keys-area", keys_area.and_then(text)),
        ("main-branch", text(&config.main_branch)),
        ("remote", text(&config.remote)),
        ("branch-pattern", text(&config.branch_pattern)),
        (
            "release-from-main",
            Some(Value::Boolean(config.release_from_main)),
        ),
        ("tag-pattern", text(&config.tag_pattern)),
        ("rc-tag-pattern", text(&config.rc_tag_pattern)),
        ("first-rc", number(config.first_rc)),
        ("out-dir", text(&out_dir)),
        ("svn-dev-url", text(&config.svn_dev_url)),
        ("svn-release-url", text(&config.svn_release_url)),
        ("dist-subdir", config.dist_subdir.as_deref().and_then(text)),
        ("candidate-dir", text(&config.candidate_dir)),
        ("release-dir", text(&config.release_dir)),
        ("dev-list", text(&config.dev_list)),
        ("announce-list", text(&config.announce_list)),
        ("keyserver", text(&config.keyserver)),
        ("keep-releases", number(config.keep_releases)),
        ("keep-lines", config.keep_lines.and_then(number)),
        ("github-repo", config.github_repo.as_deref().and_then(text)),
        ("backport-label", text(&config.backport_label)),
        ("backported-label", text(&config.backported_label)),
        ("backport-pr-title", text(&config.backport_pr_title)),
        ("backport-pr-label", text(&config.backport_pr_label)),
        (
            "protected-branch-template",
            config.protected_branch_template.as_deref().and_then(text),
        ),
        ("version-files", opaque(config.version_files.is_empty())),
        ("changelog", Some(Value::Table(changelog))),
        ("mail-from", config.mail_from.as_deref().and_then(text)),
        ("sendmail", list(&config.sendmail)),
        ("repository-url", text(&config.repository_url)),
        ("release-notes-url", text(&config.release_notes_url)),
        ("download-url", text(&config.download_url)),
        ("keys-url", text(&config.keys_url)),
        ("download-page", opaque(config.download_page.is_none())),
        ("dist", text(crate::distribution::of(config).setting())),
        ("atr-url", text(&config.atr_url)),
        ("atr-project", text(&config.atr_project)),
        ("atr-vote-to", text(&config.atr_vote_to)),
        ("extra-sources", opaque(config.extra_sources.is_empty())),
        ("binaries", opaque(config.binaries.is_empty())),
        ("download-base-url", text(&config.download_base_url)),
        (
            "download-wait",
            text(&format!("{}s", config.download_wait.as_secs())),
        ),
        ("build-commands", opaque(config.build_commands.is_empty())),
        ("issue-tracker", text(config.issue_tracker.setting())),
        (
            "jira-project",
            jira.map(|jira| jira.project.as_str()).and_then(text),
        ),
        (
            "jira-url",
            jira.map(|jira| jira.url.as_str()).and_then(text),
        ),
        (
            "jira-version-pattern",
            jira.map(|jira| jira.version_pattern.as_str())
                .and_then(text),
        ),
    ]
}
