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

//! `license-audit [REF]`: the license audit of `package` and `verify`, alone, on the tree a
//! release of REF would contain (for CI on every pull request). It reads the git objects
//! directly and writes nothing.

use std::io::Read;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::archive::license::{self, Audit};
use crate::archive::reader::{HEAD_BYTES, WHOLE_FILE_LIMIT};
use crate::config::{self, Config, Submodules};
use crate::source::{release_tree, TreeFile, TreeKind};
use crate::tools::git::{self, BlobReader};
use crate::tools::Tool;
use crate::Ctx;

#[derive(clap::Args, Debug)]
pub struct LicenseAuditArgs {
    /// The commit, branch or tag to audit (default: HEAD).
    #[arg(value_name = "REF")]
    pub git_ref: Option<String>,
    /// Print the report as JSON (for CI) instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The settings of the repository, read as every other command reads them, or the defaults
/// when it has no release settings yet (the audit is useful before adoption too).
fn settings(ctx: &Ctx) -> Result<Config> {
    if config::location(&ctx.repo).is_some() {
        return ctx.config();
    }
    config::parse_settings_file(
        &ctx.repo,
        &ctx.repo.join(config::SETTINGS_FILE),
        "name = \"project\"\n",
    )
}

pub fn run(ctx: &Ctx, args: &LicenseAuditArgs) -> Result<ExitCode> {
    Tool::Git.require()?;
    git::check_repository(&ctx.sh, &ctx.repo)?;
    let mut config = settings(ctx)?;
    // Submodules are never part of the source release, whatever `package` would say of them.
    config.submodules = Submodules::Skip;
    let reference = args.git_ref.as_deref().unwrap_or("HEAD");
    let commit = git::resolve_commit(&ctx.sh, &ctx.repo, reference)?.with_context(|| {
        format!(
            "unknown ref `{reference}`: no commit, branch or tag has that name in {}; check the \
             spelling or `git fetch --tags`",
            ctx.repo
        )
    })?;
    let tree = release_tree(ctx, &config, &commit, "audit".into())?;
    let not_links = |file: &Result<TreeFile>| !matches!(file, Ok(f) if f.kind == TreeKind::Symlink);
    let objects = tree
        .files()?
        .filter(not_links)
        .map(|file| file.map(|f| f.object));
    let mut blobs = BlobReader::start(&ctx.sh, &ctx.repo, objects)?;
    let mut audit = Audit::new(&config.license_header_excludes);
    if crate::distribution::of(&config).checks_atr_headers() {
        audit = audit.with_atr_headers();
    }
    for (path, text) in &tree.license_configs {
        audit.add_config(path, text);
    }
    let mut head = Vec::with_capacity(HEAD_BYTES);
    let mut whole = Vec::new();
    for file in tree.files()?.filter(not_links) {
        let file = file?;
        blobs.with_blob(&file.object, |size, content| {
            head.clear();
            whole.clear();
            let keep = license::wants_whole(&file.path) && size <= WHOLE_FILE_LIMIT;
            let limit = if keep { size } else { HEAD_BYTES as u64 };
            content
                .take(limit)
                .read_to_end(&mut whole)
                .with_context(|| format!("cannot read {} from git", file.path))?;
            head.extend_from_slice(&whole[..whole.len().min(HEAD_BYTES)]);
            audit.visit(&file.path, size, &head, keep.then_some(whole.as_slice()));
            Ok(())
        })?;
    }
    let report = audit.finish();
    if args.json {
        let value = serde_json::json!({
            "ref": reference,
            "commit": commit,
            "passed": report.passed(),
            "report": report,
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        println!(
            "license audit of {} ({commit})",
            crate::untrusted::escape_str(reference)
        );
        print!("{}", report.text());
    }
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
