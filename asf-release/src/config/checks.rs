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

//! The checks of single settings' values: names, file name patterns, binaries, build
//! commands.

use anyhow::{bail, Context, Result};
use serde::Deserialize;

use super::{Binary, BuildCommand};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub(super) struct RawBuildCommand {
    run: Vec<String>,
    timeout: Option<String>,
}

/// The build commands, each with a program and a valid time limit (default 30 minutes).
pub(super) fn build_commands(raw: Option<Vec<RawBuildCommand>>) -> Result<Vec<BuildCommand>> {
    let mut commands = Vec::new();
    for command in raw.unwrap_or_default() {
        if command.run.first().is_none_or(|program| program.is_empty()) {
            bail!("invalid setting build-commands: every entry needs `run = [\"program\", \"arg\", ...]`, like {{ run = [\"cargo\", \"test\", \"--locked\"], timeout = \"20m\" }}");
        }
        let timeout = crate::clock::parse_duration(command.timeout.as_deref().unwrap_or("30m"))
            .with_context(|| {
                format!("invalid timeout of build-commands entry {:?}", command.run)
            })?;
        commands.push(BuildCommand {
            run: command.run,
            timeout,
        });
    }
    Ok(commands)
}

pub(super) fn check_name(key: &str, value: &str) -> Result<()> {
    let allowed = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.';
    let plain = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let bytes = value.as_bytes();
    let ok = bytes.iter().all(|b| allowed(*b))
        && plain(bytes.first())
        && plain(bytes.last())
        && !value.contains("..");
    if !ok {
        bail!(
            "invalid setting {key} = {value:?}: a plain lower-case project name is needed, \
             like \"apisix-dashboard\": letters a-z, digits, `-` and `.` inside, starting and \
             ending with a letter or digit, no `..`, `/` or spaces (it becomes part of file \
             names, dist paths and URLs)"
        );
    }
    Ok(())
}

/// A source tarball's file name pattern: a file name ending in `.tgz` or `.tar.gz`.
pub(super) fn check_artifact(key: &str, artifact: &str) -> Result<()> {
    if !(artifact.ends_with(".tgz") || artifact.ends_with(".tar.gz")) {
        bail!(
            "invalid setting {key} = {artifact:?}: the source package must end in .tgz or .tar.gz"
        );
    }
    if artifact.contains('/') {
        bail!("invalid setting {key} = {artifact:?}: a file name, without `/`");
    }
    Ok(())
}

/// A convenience binary: a file name, and either a command that builds it or the directory
/// CI left it in.
pub(super) fn check_binary(binary: &Binary) -> Result<()> {
    if binary.artifact.is_empty() || binary.artifact.contains('/') {
        bail!(
            "invalid setting binaries.artifact = {:?}: a file name, without `/`",
            binary.artifact
        );
    }
    match (&binary.command, &binary.from) {
        (Some(command), None) if !command.is_empty() => {}
        (None, Some(from)) if !from.is_empty() => {}
        _ => bail!(
            "invalid setting binaries: {:?} needs either command = [\"make\", \"dist\"] (run in \
             the unpacked sources) or from = \"<directory CI built it in>\", not both",
            binary.artifact
        ),
    }
    if let Some(path) = &binary.path {
        if binary.command.is_none() || path.starts_with('/') || path.split('/').any(|p| p == "..") {
            bail!(
                "invalid setting binaries.path = {path:?}: a relative path inside the unpacked \
                 sources, with a command"
            );
        }
    }
    Ok(())
}

/// `backport-pr-title`: only `{branch}`, `{title}` and `{number}`, and the upstream PR named by
/// one of the last two (a reviewer must see which PR it backports).
pub fn backport_pr_title(title: &str) -> Result<()> {
    let mut rest = title;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            bail!("invalid setting backport-pr-title = {title:?}: a `{{` without its `}}`");
        };
        let placeholder = &rest[start..start + end + 1];
        if !["{branch}", "{title}", "{number}"].contains(&placeholder) {
            bail!(
                "invalid setting backport-pr-title = {title:?}: {placeholder} is not known \
                 here; use {{branch}}, {{title}} and {{number}}"
            );
        }
        rest = &rest[start + end + 1..];
    }
    if !title.contains("{title}") && !title.contains("{number}") {
        bail!(
            "invalid setting backport-pr-title = {title:?}: it must name the upstream PR with \
             {{title}} or {{number}}, like \"[Backport {{branch}}] {{title}}\""
        );
    }
    Ok(())
}
