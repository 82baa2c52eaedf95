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

//! `milestone create X.Y` and `milestone status X.Y`: the planning side of a release on
//! GitHub. The milestone of a line is titled like the line (`2.3`).

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::config::Config;
use crate::plan::Plan;
use crate::tools::git;
use crate::tools::github::{encode, Access, GitHub, Issue, Milestone};
use crate::untrusted::escape_str;
use crate::version::{Line, Version};
use crate::Ctx;

fn find(github: &GitHub, line: Line) -> Result<Option<Milestone>> {
    let title = line.to_string();
    Ok(github.milestones()?.into_iter().find(|m| m.title == title))
}

pub fn create(ctx: &Ctx, line: Line) -> Result<()> {
    let config = ctx.config()?;
    let github = GitHub::for_repo(&ctx.sh, &ctx.repo, &config)?;
    let mut plan = Plan::new(format!("milestone {line} on GitHub {}", github.repo()));
    if let Some(existing) = find(&github, line)? {
        print!("{}", plan.render());
        println!(
            "nothing to do: milestone {line} exists (#{}, {}) {}",
            existing.number,
            escape_str(&existing.state),
            escape_str(&existing.html_url)
        );
        return Ok(());
    }
    plan.local(format!(
        "create milestone {line} on GitHub {}",
        github.repo()
    ));
    // Known before anything changes: a token that may create milestones.
    let access = github.check_write_access("creating a milestone", Access::Push);
    if ctx.dry_run {
        print!("{}", plan.render());
        if let Err(err) = access {
            println!("warning: the run would stop: {err:#}");
        }
        return Ok(());
    }
    access?;
    let created = github.create_milestone(&line.to_string())?;
    println!(
        "created milestone {line} (#{}) {}",
        created.number,
        escape_str(&created.html_url)
    );
    Ok(())
}

/// The released versions among the tags, by the tag pattern.
fn released(config: &Config, tags: &[String]) -> Vec<(Version, String)> {
    tags.iter()
        .filter_map(|tag| match config.parse_tag(tag)? {
            (version, None) => Some((version, tag.clone())),
            (_, Some(_)) => None,
        })
        .collect()
}

fn show(items: &[&Issue]) {
    for item in items {
        println!(
            "    {} #{} {}",
            item.kind(),
            item.number,
            escape_str(&item.title)
        );
    }
}

pub fn status(ctx: &Ctx, line: Line, allow_open: bool) -> Result<ExitCode> {
    let config = ctx.config()?;
    let github = GitHub::for_repo(&ctx.sh, &ctx.repo, &config)?;
    let milestone = find(&github, line)?.with_context(|| {
        format!(
            "GitHub {} has no milestone {line}: create it with `cargo xtask milestone create {line}`",
            github.repo()
        )
    })?;
    let items = github.issues(&format!("milestone={}&state=all", milestone.number))?;
    let open: Vec<&Issue> = items.iter().filter(|i| i.state == "open").collect();
    let closed: Vec<&Issue> = items.iter().filter(|i| i.state != "open").collect();
    println!(
        "milestone {line} (#{}, {}) of {}",
        milestone.number,
        escape_str(&milestone.state),
        github.repo()
    );
    println!("  open: {}", open.len());
    show(&open);
    println!("  closed: {}", closed.len());
    show(&closed);

    // Triage: every issue since the previous release must be placed in or out of a release.
    let first = Version {
        major: line.major,
        minor: line.minor,
        patch: 0,
    };
    let tags = git::tags(&ctx.sh, &ctx.repo)?;
    let previous = released(&config, &tags)
        .into_iter()
        .filter(|(version, _)| *version < first)
        .max();
    let since = match &previous {
        Some((_, tag)) => Some(git::commit_time_utc(&ctx.sh, &ctx.repo, tag)?),
        None => None,
    };
    let untriaged: Vec<Issue> = github
        .issues("milestone=none&state=open")?
        .into_iter()
        .filter(|i| {
            since
                .as_deref()
                .is_none_or(|since| i.created_at.as_str() >= since)
        })
        .collect();
    let label = &config.backport_label;
    let title = line.to_string();
    let unplanned_backports: Vec<Issue> = github
        .issues(&format!("state=closed&labels={}", encode(label)))?
        .into_iter()
        .filter(|i| {
            i.pull_request
                .as_ref()
                .is_some_and(|p| p.merged_at.is_some())
        })
        .filter(|i| i.milestone.as_ref().map(|m| &m.title) != Some(&title))
        .collect();
    match &previous {
        Some((version, tag)) => println!(
            "  to triage (open, no milestone, opened since {version}, tag {tag}): {}",
            untriaged.len()
        ),
        None => println!("  to triage (open, no milestone): {}", untriaged.len()),
    }
    show(&untriaged.iter().collect::<Vec<_>>());
    println!(
        "  to triage (merged, labelled `{label}`, milestone not {line}): {}",
        unplanned_backports.len()
    );
    show(&unplanned_backports.iter().collect::<Vec<_>>());
    if open.is_empty() {
        println!("milestone {line} has no open issue or PR");
        return Ok(ExitCode::SUCCESS);
    }
    if allow_open {
        println!(
            "{} open item(s) in milestone {line}, allowed by --allow-open",
            open.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "✗ {} open item(s) in milestone {line}: close them or move them to another milestone, \
         or pass --allow-open",
        open.len()
    );
    Ok(ExitCode::FAILURE)
}
