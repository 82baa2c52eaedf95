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

//! `download-page VERSION --website DIR`: in a checkout of the website repository, rewrites
//! the configured lines of the download page file for the new version, on a new branch, in
//! one commit, and prints the diff. Nothing else in the file changes; a rerun is a no-op.

use camino::Utf8PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::artifacts::{SHA512, SIGNATURE};
use crate::clock::now;
use crate::config::{self, Config, DownloadPage};
use crate::plan::Plan;
use crate::tools::{git, Tool};
use crate::version::Version;
use crate::Ctx;

#[derive(clap::Args, Debug)]
pub struct DownloadPageArgs {
    /// The version, like 2.3.0.
    #[arg(value_parser = crate::args::parse_version)]
    pub version: Version,
    /// A clean checkout of the website repository.
    #[arg(long, value_name = "DIR", value_parser = crate::args::absolute_path)]
    pub website: Utf8PathBuf,
}

/// What the line templates can use.
fn values(config: &Config, version: &Version, date: &str) -> Result<Vec<(&'static str, String)>> {
    let artifact = config.artifact_name(version)?;
    // The release's directory as the mirrors serve it (`apisix/3.18.0`,
    // `iceberg/apache-iceberg-rust-0.10.1`, `commons/lang/3.20.0`).
    let directory = format!(
        "{}/{}",
        config
            .dist_subdir
            .as_ref()
            .map_or(config.tlp.clone(), |sub| format!("{}/{sub}", config.tlp)),
        config.release_dir_name(version)
    );
    let downloads = format!("https://downloads.apache.org/{directory}");
    let tarball_url = format!("{downloads}/{artifact}");
    Ok(vec![
        ("version", version.to_string()),
        ("date", date.to_string()),
        ("name", config.name.clone()),
        ("project", config.display_name.clone()),
        (
            "closer_url",
            format!("https://www.apache.org/dyn/closer.lua/{directory}/{artifact}"),
        ),
        ("asc_url", SIGNATURE.of(&tarball_url)),
        ("sha512_url", SHA512.of(&tarball_url)),
        ("keys_url", config.keys_url.clone()),
        ("artifact", artifact),
    ])
}

/// A line template split at its placeholders: the literal pieces between them.
fn literals(template: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        match rest[start..].find('}') {
            Some(end) => {
                pieces.push(&rest[..start]);
                rest = &rest[start + end + 1..];
            }
            None => break,
        }
    }
    pieces.push(rest);
    pieces
}

/// Whether `line` has the template's shape: its literal pieces in order, placeholders
/// matching any text.
fn matches(template: &str, line: &str) -> bool {
    let pieces = literals(template);
    let (first, rest) = pieces.split_first().unwrap_or((&"", &[]));
    let Some(mut remaining) = line.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for piece in middle {
        match remaining.find(piece) {
            Some(at) => remaining = &remaining[at + piece.len()..],
            None => return false,
        }
    }
    remaining.len() >= last.len() && remaining.ends_with(last)
}

/// The file with the configured lines rewritten, and whether anything but the date changed
/// (a page that already lists the version is left alone).
pub fn update(
    file: &str,
    text: &str,
    page: &DownloadPage,
    values: &[(&str, String)],
) -> Result<(String, bool)> {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    let start = match &page.after {
        Some(after) => {
            lines
                .iter()
                .position(|line| line.contains(after.as_str()))
                .with_context(|| {
                    format!(
                        "no line of {file} contains `{after}`: check `after` in \
                         [workspace.metadata.asf-release.download-page]"
                    )
                })?
                + 1
        }
        None => 0,
    };
    let mut changed = false;
    for template in &page.lines {
        let filled = crate::version::fill(
            template,
            &values
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .with_context(|| format!("invalid line template `{template}` in download-page.lines"))?;
        let index = (start..lines.len())
            .find(|&i| matches(template, lines[i].trim()))
            .with_context(|| {
                format!(
                    "no line of {file}{} looks like `{template}`: check `lines` in \
                     [workspace.metadata.asf-release.download-page]",
                    page.after
                        .as_deref()
                        .map(|a| format!(" after `{a}`"))
                        .unwrap_or_default()
                )
            })?;
        let line = &lines[index];
        let content = line.trim_end_matches(['\n', '\r']);
        let ending = &line[content.len()..];
        let indent_len = content.len() - content.trim_start().len();
        let new = format!("{}{filled}", &content[..indent_len]);
        if new != content && !template.contains("{date}") {
            changed = true;
        }
        lines[index] = format!("{new}{ending}");
    }
    Ok((lines.concat(), changed))
}

pub fn run(ctx: &Ctx, args: &DownloadPageArgs) -> Result<ExitCode> {
    Tool::Git.require()?;
    let config = ctx.config()?;
    let page = config.download_page.clone().with_context(|| {
        format!(
            "missing setting download-page: add {} with `file = \"<path in the website \
             repository>\"` and `lines = [...]` (see docs/mail.md)",
            config::where_to_add(&ctx.repo, Some("download-page"))
        )
    })?;
    let website = args.website.canonicalize_utf8().with_context(|| {
        format!("the website checkout {} does not exist: clone the website repository and pass --website", args.website)
    })?;
    let sh = &ctx.sh;
    git::check_repository(sh, &website)?;
    let version = &args.version;
    let branch = branch_name(&config, version);
    let message = format!(
        "Add Apache {} {version} to the download page",
        config.display_name
    );
    if git::branch_exists(sh, &website, &branch)? {
        let done = git::log(sh, &website, Some(&format!("{branch}~1")), &branch)?
            .iter()
            .any(|entry| entry.subject == message);
        if done {
            println!("branch {branch} of {website} already has the change: nothing to do (push it and open a pull request)");
            return Ok(ExitCode::SUCCESS);
        }
        bail!(
            "branch {branch} exists in {website} but its last commit is not `{message}`: delete \
             it (`git -C {website} branch -D {branch}`) and rerun"
        );
    }
    let changes = git::uncommitted_changes(sh, &website)?;
    if !changes.is_empty() {
        bail!(
            "{website} has uncommitted changes ({}): commit or stash them first",
            changes.join("; ")
        );
    }
    let current = git::text_file_at(sh, &website, "HEAD", &page.file)?.with_context(|| {
        format!(
            "{website} has no {} at HEAD: check `file` in [workspace.metadata.asf-release.download-page]",
            page.file
        )
    })?;
    let epoch = now()?;
    let date = crate::clock::iso_date(epoch);
    let (updated, changed) = update(
        &page.file,
        &current,
        &page,
        &values(&config, version, &date)?,
    )?;
    if !changed {
        println!("{} already lists {version}: nothing to do", page.file);
        return Ok(ExitCode::SUCCESS);
    }
    // The page sends users to KEYS: it must hold the key that signed the release.
    crate::keys_link::for_release(ctx, &config, version)?;
    let path = website.join(&page.file);
    let base = git::resolve_commit(sh, &website, "HEAD")?
        .with_context(|| format!("{website} has no commit: clone the website repository"))?;
    // The branch appears only once its commit exists: an interrupted run leaves nothing.
    let commit = std::cell::OnceCell::new();
    let mut plan = Plan::new(format!("add {version} to the download page in {website}"));
    plan.local(
        format!(
            "commit {} line(s) of {path} on top of {base} (git plumbing: the working tree is not touched)",
            page.lines.len()
        ),
        || {
            let made = git::commit_file(sh, &website, &base, &page.file, updated.as_bytes(), &message)?;
            let _ = commit.set(made);
            Ok(())
        },
    );
    let shown = git::create_branch(&website, &branch, "<the new commit>").to_string();
    plan.run_later(shown, || {
        let commit = commit
            .get()
            .context("the commit of the download page was not made")?;
        Ok(Some(git::create_branch(&website, &branch, commit)))
    });
    if !plan.execute(sh, ctx.dry_run)? {
        return Ok(ExitCode::SUCCESS);
    }
    println!("{}", git::show_commit(&website, &branch).read(sh)?);
    println!("committed on branch {branch} of {website}: push it and open a pull request");
    Ok(ExitCode::SUCCESS)
}

/// The branch of the website that adds the version to the download page.
pub fn branch_name(config: &Config, version: &Version) -> String {
    format!("download-page-{}-{version}", config.name)
}

/// Adds the release to the download page of the website.
pub struct DownloadPageStep;

impl crate::flow::Step for DownloadPageStep {
    fn name(&self) -> &'static str {
        "download-page"
    }
    fn phase(&self) -> &'static str {
        crate::flow::PUBLISH
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        false
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        let mut args =
            crate::flow::strings(&["download-page", &release.candidate.version.to_string()]);
        if let Some(website) = &release.options.website {
            args.extend(["--website".into(), website.to_string()]);
        }
        args
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        let Some(website) = &release.options.website else {
            return Progress::blocked(format!(
                "update the download page: run `cargo xtask release {} --website <a checkout \
                 of the website repository>`",
                release.line
            ));
        };
        let branch = branch_name(release.config, &release.candidate.version);
        match git::branch_exists(&release.ctx.sh, website, &branch)? {
            true => Progress::done(format!("branch {branch} in {website}")),
            false => Progress::todo(format!(
                "add {} to the download page in {website}",
                release.candidate.version
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_lines_of_their_shape() {
        assert!(matches("version: '{version}',", "version: '3.9.0',"));
        assert!(!matches("version: '{version}',", "releaseDate: '2024',"));
        assert!(matches(
            "<a href=\"{closer_url}\">{version}</a>",
            "<a href=\"x\">1</a>"
        ));
        assert!(!matches("a{x}a", "a"));
    }

    #[test]
    fn rewrites_only_the_configured_lines_after_the_anchor() {
        let page = DownloadPage {
            file: "downloads.js".into(),
            after: Some("name: 'Demo'".into()),
            lines: vec!["version: '{version}',".into(), "date: '{date}',".into()],
        };
        let text = "[\n  {\n    name: 'Other',\n    version: '9.9.9',\n    date: '2000-01-01',\n  },\n  {\n    name: 'Demo',\n    version: '1.0.0',\n    date: '2024-01-01',\n  },\n]\n";
        let values = [
            ("version", "1.1.0".to_string()),
            ("date", "2024-06-01".to_string()),
        ];
        let (out, changed) = update("downloads.js", text, &page, &values).unwrap();
        assert!(changed);
        assert_eq!(
            out,
            text.replace("'1.0.0'", "'1.1.0'")
                .replace("'2024-01-01'", "'2024-06-01'")
        );
        let (again, changed) = update("downloads.js", &out, &page, &values).unwrap();
        assert!(!changed);
        assert_eq!(again, out);
    }
}
