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

//! `downloads VERSION [--no-wait]`: after `promote`, waits until every file of the release
//! (artifacts, `.asc`, `.sha512`, KEYS) is served at the download base URL with the bytes of
//! dist/release (see [`crate::served`]), then records that under out-dir. `mail announce`
//! runs the same check, without waiting, and refuses while it fails.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::plan::Plan;
use crate::records::Marker;
use crate::served;
use crate::tools::Tool;
use crate::version::Version;
use crate::Ctx;

#[derive(clap::Args, Debug)]
pub struct DownloadsArgs {
    /// The version, like 2.3.0.
    #[arg(value_parser = crate::args::parse_version)]
    pub version: Version,
    /// Check once and fail at once when a file is not served yet (default: wait up to
    /// download-wait).
    #[arg(long)]
    pub no_wait: bool,
}

pub fn run(ctx: &Ctx, args: &DownloadsArgs) -> Result<ExitCode> {
    for tool in [Tool::Svn, Tool::Curl] {
        tool.require()?;
    }
    let config = ctx.config()?;
    let version = &args.version;
    let files = served::files(&config, version)?;
    let wait = (!args.no_wait).then_some(config.download_wait);
    let record = Marker::DownloadsServed.path(&config, version);
    let mut plan = Plan::new(format!(
        "check that {version} is served at {}",
        config.download_base_url
    ));
    for file in &files {
        plan.check(format!(
            "GET {} and compare its SHA-512 with {}",
            file.url, file.dist_url
        ));
    }
    let how = match wait {
        Some(wait) => format!(
            "ask again until all are served, for up to {}s",
            wait.as_secs()
        ),
        None => "ask once (--no-wait)".to_string(),
    };
    let sh = &ctx.sh;
    plan.local(how, || served::check(sh, &config, version, wait));
    plan.local(format!("record the passed check in {record}"), || {
        let dir = record.parent().context("the record has no directory")?;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {dir}"))?;
        std::fs::write(&record, format!("{}\n", config.download_base_url))
            .with_context(|| format!("cannot write {record}"))
    });
    if plan.execute(sh, ctx.dry_run)? {
        println!(
            "{version} is served at {}/{version}: the ANNOUNCE mail may go out",
            config.download_base_url
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Waits until the release is served where users download it.
pub struct DownloadsStep;

impl crate::flow::Step for DownloadsStep {
    fn name(&self) -> &'static str {
        "downloads"
    }
    fn phase(&self) -> &'static str {
        crate::flow::PUBLISH
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        false
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        crate::flow::strings(&["downloads", &release.candidate.version.to_string()])
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        // On ATR the files reach dist/release, and so the mirrors, only through the
        // announcement ATR makes: there is nothing to wait for before it.
        if crate::distribution::of(release.config).publishes_on_announce() {
            return Progress::done(
                "on ATR the files reach the downloads through the announcement; check them \
                 afterwards with `cargo xtask downloads`",
            );
        }
        let served = Marker::DownloadsServed.found(release.config, &release.candidate.version);
        match served.is_some() {
            true => Progress::done(format!(
                "served at {}/{}",
                release.config.download_base_url, release.candidate.version
            )),
            false => Progress::todo(format!(
                "wait until {} serves {}",
                release.config.download_base_url, release.candidate.version
            )),
        }
    }
}
