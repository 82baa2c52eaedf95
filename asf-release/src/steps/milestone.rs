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
//! GitHub. The milestone of a line is titled like the line (`2.3`). A project that plans in
//! JIRA (`issue-tracker = "jira"`) has a JIRA version per release instead (`3.20.0`, its
//! issues carrying it as `fixVersion`): it is read here, and made and released by hand.

use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::config::{Config, Jira};
use crate::plan::Plan;
use crate::tools::git;
use crate::tools::github::{Access, GitHub, Issue, Milestone};
use crate::tools::jira::{JiraClient, JiraVersion, Unresolved};
use crate::untrusted::escape_str;
use crate::version::{Line, Version};
use crate::Ctx;

#[derive(clap::Subcommand, Debug)]
pub enum MilestoneCommand {
    /// Create the milestone of a line (nothing to do when it exists).
    Create {
        /// The release line, like 2.3.
        #[arg(value_parser = crate::args::parse_line)]
        line: Line,
    },
    /// List its open and closed issues and PRs and what still needs triage; fails while
    /// items are open.
    Status {
        /// The release line, like 2.3.
        #[arg(value_parser = crate::args::parse_line)]
        line: Line,
        /// Succeed even while open items remain.
        #[arg(long)]
        allow_open: bool,
        /// The release whose JIRA version is read (`issue-tracker = "jira"` only), like 2.3.1.
        #[arg(long, value_parser = crate::args::parse_version)]
        version: Option<Version>,
    },
}

fn find(github: &GitHub, line: Line) -> Result<Option<Milestone>> {
    let title = line.to_string();
    Ok(github.milestones()?.into_iter().find(|m| m.title == title))
}

pub fn create(ctx: &Ctx, line: Line) -> Result<()> {
    let config = ctx.config()?;
    if let Some(jira) = config.issue_tracker.jira() {
        let client = JiraClient::new(&ctx.sh, &jira.project, &jira.url);
        anyhow::bail!(
            "{} plans its releases in JIRA (issue-tracker = \"jira\"), where versions are made \
             by hand: create the version of the release (like {}) in project {} at {}; nothing \
             was changed",
            config.name,
            jira.version_name(&line.first_version())?,
            client.project(),
            client.versions_page()
        );
    }
    let github = ctx.github(&config)?;
    let created = std::cell::OnceCell::new();
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
    plan.local(
        format!("create milestone {line} on GitHub {}", github.repo()),
        || {
            let _ = created.set(github.create_milestone(&line.to_string())?);
            Ok(())
        },
    );
    // Known before anything changes: a token that may create milestones.
    let access = github.check_write_access("creating a milestone", Access::Push);
    if ctx.dry_run {
        print!("{}", plan.render());
        access.context("the real run would stop before creating it")?;
        return Ok(());
    }
    access?;
    plan.mark_outward();
    plan.execute_confirmed(ctx)?;
    let created = created.get().context("the milestone was not created")?;
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

pub fn status(
    ctx: &Ctx,
    line: Line,
    allow_open: bool,
    version: Option<Version>,
) -> Result<ExitCode> {
    let config = ctx.config()?;
    if let Some(jira) = config.issue_tracker.jira() {
        return jira_status(ctx, jira, line, allow_open, version);
    }
    if version.is_some() {
        anyhow::bail!(
            "--version is for projects that plan in JIRA (issue-tracker = \"jira\"): GitHub's \
             milestone is the line's, so leave --version out"
        );
    }
    let github = ctx.github(&config)?;
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
    let first = line.first_version();
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
        .closed_with_label(label)?
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

/// The flow's first step: the milestone of the line has no open items.
pub struct MilestoneStep;

impl crate::flow::Step for MilestoneStep {
    fn name(&self) -> &'static str {
        "milestone"
    }
    fn phase(&self) -> &'static str {
        crate::flow::PLANNING
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        false
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        let mut args = crate::flow::strings(&["milestone", "status", &release.line.to_string()]);
        if release.options.allow_open {
            args.push("--allow-open".into());
        }
        if release.config.issue_tracker.jira().is_some() {
            args.extend(["--version".into(), release.candidate.version.to_string()]);
        }
        args
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        let (line, allow_open) = (release.line, release.options.allow_open);
        let going_on = |why: String| Progress::done(format!("{why}: going on (--allow-open)"));
        if let Some(jira) = release.config.issue_tracker.jira() {
            let version = &release.candidate.version;
            let client = JiraClient::new(&release.ctx.sh, &jira.project, &jira.url);
            return match read_jira(&client, jira, version) {
                Err(err) if allow_open => going_on(format!("JIRA cannot be read ({err:#})")),
                Err(err) => Progress::blocked(format!(
                    "the JIRA version of {version} cannot be read: {err:#}; fix that, or pass \
                     --allow-open to go on without the check"
                )),
                Ok(JiraReading {
                    name, found: None, ..
                }) if allow_open => {
                    going_on(format!("JIRA {} has no version {name}", client.project()))
                }
                Ok(JiraReading {
                    name, found: None, ..
                }) => Progress::blocked(missing_version(&client, &name)),
                Ok(JiraReading {
                    name,
                    found: Some(found),
                    open,
                }) if open.total == 0 => Progress::done(format!(
                    "JIRA version {name} has no unresolved issues ({})",
                    released_or_not(&found)
                )),
                Ok(JiraReading { name, open, .. }) if allow_open => going_on(format!(
                    "JIRA version {name} has {} unresolved issue(s)",
                    open.total
                )),
                Ok(JiraReading { name, open, .. }) => Progress::blocked(format!(
                    "JIRA version {name} has {} unresolved issue(s) ({}): resolve them or move \
                     them to a later version in JIRA by hand ({}), or pass --allow-open",
                    open.total,
                    listed(&open),
                    client.unresolved_page(&name)
                )),
            };
        }
        let counted = release.ctx.github(release.config).and_then(|github| {
            let found = find(&github, line)?;
            let open = match &found {
                Some(milestone) => github
                    .issues(&format!("milestone={}&state=open", milestone.number))?
                    .len(),
                None => 0,
            };
            Ok((github.repo().to_string(), found.is_some(), open))
        });
        match counted {
            Err(err) if allow_open => going_on(format!("the milestone cannot be read ({err:#})")),
            Err(err) => Progress::blocked(format!(
                "the milestone {line} cannot be read from GitHub: {err:#}; fix that, or pass \
                 --allow-open to go on without the milestone check"
            )),
            Ok((repo, false, _)) if allow_open => {
                going_on(format!("{repo} has no milestone {line}"))
            }
            Ok((repo, false, _)) => Progress::blocked(format!(
                "GitHub {repo} has no milestone {line}: create it with `cargo xtask milestone \
                 create {line}` and put the line's issues and PRs in it, or pass --allow-open \
                 to release without one"
            )),
            Ok((_, true, 0)) => Progress::done(format!("milestone {line} has no open items")),
            Ok((_, true, open)) if allow_open => {
                going_on(format!("milestone {line} has {open} open item(s)"))
            }
            Ok((_, true, open)) => Progress::blocked(format!(
                "milestone {line} has {open} open item(s): see them with `cargo xtask milestone \
                 status {line}`, close them or move them to a later milestone, or pass \
                 --allow-open"
            )),
        }
    }
}

/// How many unresolved issues of a JIRA version are named.
const SHOWN: usize = 5;

/// What JIRA says about a release: its version's name, the version when it exists, and its
/// unresolved issues (none when it does not exist).
struct JiraReading {
    name: String,
    found: Option<JiraVersion>,
    open: Unresolved,
}

fn read_jira(client: &JiraClient, jira: &Jira, version: &Version) -> Result<JiraReading> {
    let name = jira.version_name(version)?;
    let found = client.versions()?.into_iter().find(|v| v.name == name);
    let open = match &found {
        Some(_) => client.unresolved(&name, SHOWN)?,
        None => Unresolved {
            total: 0,
            first: Vec::new(),
        },
    };
    Ok(JiraReading { name, found, open })
}

fn missing_version(client: &JiraClient, name: &str) -> String {
    format!(
        "JIRA {} has no version {name}: create it in JIRA by hand ({}) and set it as the \
         fixVersion of the release's issues, or pass --allow-open to release without one",
        client.project(),
        client.versions_page()
    )
}

fn released_or_not(version: &JiraVersion) -> String {
    match (version.released, &version.release_date) {
        (true, Some(date)) => format!(
            "marked released on {}",
            crate::untrusted::escape_short(date.as_bytes(), 20)
        ),
        (true, None) => "marked released".to_string(),
        (false, _) => "not marked released yet: release it in JIRA by hand once the release is out"
            .to_string(),
    }
}

/// The first unresolved issues on one line: `LANG-1 summary; LANG-2 summary`, escaped.
fn listed(open: &Unresolved) -> String {
    let mut items: Vec<String> = open
        .first
        .iter()
        .map(|issue| {
            format!(
                "{} {}",
                escape_str(&issue.key),
                crate::untrusted::escape_short(issue.summary.as_bytes(), 80)
            )
        })
        .collect();
    if open.total > open.first.len() as u64 {
        items.push(format!("{} more", open.total - open.first.len() as u64));
    }
    items.join("; ")
}

/// `milestone status` of a project that plans in JIRA: the release's version and its
/// unresolved issues. Triage (issues without a fixVersion) is JIRA's, by hand.
fn jira_status(
    ctx: &Ctx,
    jira: &Jira,
    line: Line,
    allow_open: bool,
    version: Option<Version>,
) -> Result<ExitCode> {
    let Some(version) = version else {
        anyhow::bail!(
            "this project plans its releases in JIRA (issue-tracker = \"jira\"), one version \
             per release: name the release with --version, like `cargo xtask milestone status \
             {line} --version {line}.0`"
        );
    };
    if version.line() != line {
        anyhow::bail!(
            "version {version} is not on the line {line}: use {}",
            version.line()
        );
    }
    let client = JiraClient::new(&ctx.sh, &jira.project, &jira.url);
    let reading = read_jira(&client, jira, &version)?;
    let name = &reading.name;
    let Some(found) = &reading.found else {
        if allow_open {
            println!(
                "JIRA {} has no version {name}, allowed by --allow-open",
                client.project()
            );
            return Ok(ExitCode::SUCCESS);
        }
        println!("✗ {}", missing_version(&client, name));
        return Ok(ExitCode::FAILURE);
    };
    println!(
        "JIRA version {name} of {} ({}{})",
        client.project(),
        released_or_not(found),
        if found.archived { ", archived" } else { "" }
    );
    println!("  unresolved: {}", reading.open.total);
    for issue in &reading.open.first {
        println!(
            "    {} {}",
            escape_str(&issue.key),
            crate::untrusted::escape_short(issue.summary.as_bytes(), 120)
        );
    }
    if reading.open.total > reading.open.first.len() as u64 {
        println!("    … all of them: {}", client.unresolved_page(name));
    }
    println!("  triage (issues without a fixVersion) is done in JIRA by hand");
    if reading.open.total == 0 {
        println!("JIRA version {name} has no unresolved issues");
        return Ok(ExitCode::SUCCESS);
    }
    if allow_open {
        println!(
            "{} unresolved issue(s) in JIRA version {name}, allowed by --allow-open",
            reading.open.total
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "✗ {} unresolved issue(s) in JIRA version {name}: resolve them or move them to a later \
         version in JIRA by hand, or pass --allow-open",
        reading.open.total
    );
    Ok(ExitCode::FAILURE)
}
