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

//! `report VERSION [--done]`: the release data the PMC's board report draws on. It prints the
//! reporter.apache.org page and the values to enter there; once entered, `--done` remembers it
//! under out-dir, and until then `status` names it as the last manual step.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::config::Config;
use crate::plan::Plan;
use crate::records::Marker;
use crate::tools::{svn, Tool};
use crate::version::Version;
use crate::Ctx;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The version, like 2.3.0.
    #[arg(value_parser = crate::args::parse_version)]
    pub version: Version,
    /// The release is entered at reporter.apache.org: remember it.
    #[arg(long)]
    pub done: bool,
}

/// The page and the values to enter: committee, version, release date.
fn entry(
    ctx: &Ctx,
    config: &Config,
    version: &Version,
) -> Result<(String, [(&'static str, String); 3])> {
    let url = config.release_url(version);
    // The day the release reached dist/release; today when SVN cannot tell.
    let date = match svn::last_changed_day(&ctx.sh, &url) {
        Ok(Some(day)) => day,
        _ => crate::clock::iso_date(crate::clock::now()?),
    };
    // A sub-project of a TLP (apisix-dashboard under apisix) is told apart by its name.
    let release = match config.name == config.tlp {
        true => version.to_string(),
        false => format!("{}-{version}", config.name),
    };
    let page = format!("https://reporter.apache.org/addrelease.html?{}", config.tlp);
    Ok((
        page,
        [
            ("committee", config.tlp.clone()),
            ("version", release),
            ("date", date),
        ],
    ))
}

fn describe(page: &str, values: &[(&str, String)]) -> String {
    let shown: Vec<String> = values.iter().map(|(k, v)| format!("{k} {v}")).collect();
    format!("enter the release at {page} ({})", shown.join(", "))
}

pub fn run(ctx: &Ctx, args: &ReportArgs) -> Result<ExitCode> {
    Tool::Svn.require()?;
    let config = ctx.config()?;
    let version = &args.version;
    let record = Marker::ReporterEntered.path(&config, version);
    let (page, values) = entry(ctx, &config, version)?;
    if !args.done {
        println!("add the release to the board report data: {page}");
        for (key, value) in &values {
            println!("  {key:<10} {value}");
        }
        println!("then run `cargo xtask report {version} --done`");
        return Ok(ExitCode::SUCCESS);
    }
    let text: String = values.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
    let mut plan = Plan::new(format!(
        "remember that {version} is entered at reporter.apache.org"
    ));
    if let Some(found) = Marker::ReporterEntered.found(&config, version) {
        print!("{}", plan.render());
        println!("{found} says the release is entered already: nothing to do");
        return Ok(ExitCode::SUCCESS);
    }
    plan.local(format!("write {record}"), || {
        let dir = record.parent().context("the record has no directory")?;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {dir}"))?;
        std::fs::write(&record, &text).with_context(|| format!("cannot write {record}"))
    });
    if plan.execute(&ctx.sh, ctx.dry_run)? {
        println!("remembered: {version} is entered at {page}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The last manual step: the release data for the board report.
pub struct ReportStep;

impl crate::flow::Step for ReportStep {
    fn name(&self) -> &'static str {
        "report"
    }
    fn phase(&self) -> &'static str {
        crate::flow::PUBLISH
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        false
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        crate::flow::strings(&["report", &release.candidate.version.to_string(), "--done"])
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        let entered = Marker::ReporterEntered.found(release.config, &release.candidate.version);
        if let Some(record) = entered {
            return Progress::done(format!("entered at reporter.apache.org ({record})"));
        }
        let (page, values) = entry(release.ctx, release.config, &release.candidate.version)?;
        Progress::blocked(format!(
            "{}, then run `cargo xtask report {} --done`",
            describe(&page, &values),
            release.candidate.version
        ))
    }
}
