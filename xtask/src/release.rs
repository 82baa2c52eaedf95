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

//! `release X.Y` and `status X.Y`: where a release stands, worked out from the world (tags,
//! branches, files, dist/dev and dist/release, the vote thread), and the steps that remain,
//! each run as its own `xtask` process exactly as CI would run it. It adds no release logic of
//! its own: it decides what runs next and stops where a human is needed.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};

use crate::cli::ReleaseArgs;
use crate::config::Config;
use crate::exit_code;
use crate::steps::package::Artifacts;
use crate::tools::{git, svn, xtask, ToolCmd};
use crate::version::{Line, Version};
use crate::Ctx;

/// The steps in the order of the release guide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepName {
    Milestone,
    Branch,
    Backport,
    Changelog,
    Version,
    Tag,
    Package,
    Keys,
    Upload,
    VoteMail,
    Tally,
    ResultMail,
    Promote,
    ReleaseTag,
    DownloadPage,
    Announce,
}

impl StepName {
    const ALL: [StepName; 16] = [
        StepName::Milestone,
        StepName::Branch,
        StepName::Backport,
        StepName::Changelog,
        StepName::Version,
        StepName::Tag,
        StepName::Package,
        StepName::Keys,
        StepName::Upload,
        StepName::VoteMail,
        StepName::Tally,
        StepName::ResultMail,
        StepName::Promote,
        StepName::ReleaseTag,
        StepName::DownloadPage,
        StepName::Announce,
    ];

    fn phase(self) -> &'static str {
        match self {
            StepName::Milestone => "planning",
            StepName::Branch | StepName::Backport => "release branch",
            StepName::Changelog
            | StepName::Version
            | StepName::Tag
            | StepName::Package
            | StepName::Keys
            | StepName::Upload
            | StepName::VoteMail => "candidate",
            StepName::Tally | StepName::ResultMail => "vote",
            StepName::Promote
            | StepName::ReleaseTag
            | StepName::DownloadPage
            | StepName::Announce => "publish",
        }
    }

    fn label(self) -> &'static str {
        match self {
            StepName::Milestone => "milestone",
            StepName::Branch => "branch",
            StepName::Backport => "backport",
            StepName::Changelog => "changelog",
            StepName::Version => "version",
            StepName::Tag => "tag",
            StepName::Package => "package",
            StepName::Keys => "keys",
            StepName::Upload => "upload",
            StepName::VoteMail => "vote-mail",
            StepName::Tally => "tally",
            StepName::ResultMail => "result-mail",
            StepName::Promote => "promote",
            StepName::ReleaseTag => "release-tag",
            StepName::DownloadPage => "download-page",
            StepName::Announce => "announce",
        }
    }

    /// Whether the step changes something others see (a push, an svn commit, a sent mail):
    /// without `--yes` the user is asked first.
    fn outward(self, send: bool) -> bool {
        match self {
            StepName::Branch
            | StepName::Backport
            | StepName::Tag
            | StepName::Keys
            | StepName::Upload
            | StepName::Promote
            | StepName::ReleaseTag => true,
            StepName::VoteMail | StepName::ResultMail | StepName::Announce => send,
            _ => false,
        }
    }
}

/// Where one step stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Done,
    /// Not done; runs when its turn comes (idempotent steps that always check).
    Todo,
    /// Cannot go on without a person; the text says what to do.
    Blocked(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct StepStatus {
    pub step: StepName,
    pub phase: &'static str,
    pub state: State,
    pub detail: String,
    /// The command that runs the step, as a person would type it.
    pub command: String,
}

/// What the world cannot show: the version and candidate in progress. Kept under out-dir
/// (git-ignored `target/` by default).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
struct Memory {
    version: Option<String>,
    rc: Option<u32>,
    /// The candidate whose failed vote `--next-rc` answered, so a repeated flag goes on with
    /// the candidate it started instead of starting another.
    failed_rc: Option<u32>,
    finished: bool,
}

fn memory_path(config: &Config, line: Line) -> Utf8PathBuf {
    config.out_dir.join(format!("release-{line}.json"))
}

fn load_memory(config: &Config, line: Line) -> Result<Memory> {
    let path = memory_path(config, line);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).with_context(|| {
            format!(
                "{path} is damaged: delete it, the release state is read from git and svn again"
            )
        }),
        Err(_) => Ok(Memory::default()),
    }
}

fn save_memory(config: &Config, line: Line, memory: &Memory) -> Result<()> {
    let path = memory_path(config, line);
    std::fs::create_dir_all(&config.out_dir)
        .with_context(|| format!("cannot create {}", config.out_dir))?;
    let text = serde_json::to_string_pretty(memory)? + "\n";
    let temp = Utf8PathBuf::from(format!("{path}.partial"));
    std::fs::write(&temp, text).with_context(|| format!("cannot write {temp}"))?;
    std::fs::rename(&temp, &path).with_context(|| format!("cannot write {path}"))
}

/// The release being worked on: version and candidate, from the arguments, the memory and
/// the tags.
struct Target {
    line: Line,
    version: Version,
    rc: u32,
}

/// The releases and the candidates of a line that have tags, sorted.
struct LineTags {
    releases: Vec<Version>,
    candidates: Vec<(Version, u32)>,
}

fn tags_of(ctx: &Ctx, config: &Config, line: Line) -> Result<LineTags> {
    let mut tags = LineTags {
        releases: Vec::new(),
        candidates: Vec::new(),
    };
    for tag in git::tags(&ctx.sh, &ctx.repo)? {
        match config.parse_tag(&tag) {
            Some((version, None)) if version.line() == line => tags.releases.push(version),
            Some((version, Some(rc))) if version.line() == line => {
                tags.candidates.push((version, rc))
            }
            _ => {}
        }
    }
    tags.releases.sort();
    tags.candidates.sort();
    Ok(tags)
}

fn choose_target(
    ctx: &Ctx,
    config: &Config,
    args: &ReleaseArgs,
    memory: &mut Memory,
) -> Result<Target> {
    let line = args.line;
    let LineTags {
        releases: finals,
        candidates,
    } = tags_of(ctx, config, line)?;
    let remembered: Option<Version> = match (&memory.version, memory.finished) {
        (Some(text), false) => Some(text.parse().with_context(|| {
            format!(
                "{} holds a bad version: delete it",
                memory_path(config, line)
            )
        })?),
        _ => None,
    };
    let version = match (args.version, remembered) {
        (Some(version), _) => version,
        (None, Some(version)) => version,
        (None, None) => {
            // A candidate newer than every release is in progress; else the next patch.
            let newest_final = finals.last().copied();
            let in_progress = candidates
                .iter()
                .map(|(v, _)| *v)
                .filter(|v| newest_final.is_none_or(|f| *v > f))
                .max();
            match (in_progress, newest_final) {
                (Some(version), _) => version,
                (None, Some(last)) => Version {
                    patch: last.patch.checked_add(1).with_context(|| {
                        format!("{last} is the last patch number there is: give the version")
                    })?,
                    ..last
                },
                (None, None) => Version {
                    major: line.major,
                    minor: line.minor,
                    patch: 0,
                },
            }
        }
    };
    if version.line() != line {
        bail!(
            "version {version} is not on the line {line}: use `release {}`",
            version.line()
        );
    }
    if memory.version.as_deref() != Some(&version.to_string()) || memory.finished {
        *memory = Memory {
            version: Some(version.to_string()),
            ..Memory::default()
        };
    }
    let highest_rc = candidates
        .iter()
        .filter(|(v, _)| *v == version)
        .map(|(_, rc)| *rc)
        .max();
    let rc = match (args.rc, args.next_rc) {
        (Some(rc), _) => config.check_rc(rc)?,
        (None, true) => match (memory.failed_rc, memory.rc) {
            (Some(failed), Some(rc)) if Some(rc) == failed.checked_add(1) => rc,
            _ => {
                let Some(last) = highest_rc else {
                    bail!("there is no candidate of {version} yet: --next-rc starts a new one after a failed vote; run `cargo xtask release {line}`");
                };
                let voted = config.artifact_dir(&version, Some(last)).join("vote.eml");
                if !voted.exists() {
                    bail!("RC{last} of {version} has not been put to a vote yet ({voted} is missing): finish it with `cargo xtask release {line}` instead of starting the next candidate");
                }
                let next = config.next_rc(&version, Some(last))?;
                memory.failed_rc = Some(last);
                next
            }
        },
        (None, false) => match memory.rc.or(highest_rc) {
            Some(rc) => rc,
            None => config.next_rc(&version, None)?,
        },
    };
    memory.rc = Some(rc);
    Ok(Target { line, version, rc })
}

/// Runs a step's process quietly and returns its exit code (for read-only checks).
fn probe(ctx: &Ctx, args: &[String]) -> Result<u8> {
    let cmd = xtask::step(&ctx.repo, false, args)?;
    let output = cmd.output(&ctx.sh)?;
    let code = output
        .status
        .code()
        .and_then(|code| u8::try_from(code).ok());
    Ok(code.unwrap_or(1))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Everything a step needs to know to check itself and to run.
struct Flow<'a> {
    ctx: &'a Ctx,
    config: &'a Config,
    target: &'a Target,
    args: &'a ReleaseArgs,
}

impl Flow<'_> {
    fn version(&self) -> String {
        self.target.version.to_string()
    }

    fn rc(&self) -> String {
        self.target.rc.to_string()
    }

    fn artifacts(&self) -> Result<Artifacts> {
        let dir = self
            .config
            .artifact_dir(&self.target.version, Some(self.target.rc));
        Ok(Artifacts::new(
            &dir,
            &self.config.artifact_name(&self.target.version)?,
        ))
    }

    fn mail_file(&self, name: &str, with_rc: bool) -> Utf8PathBuf {
        let rc = with_rc.then_some(self.target.rc);
        self.config
            .artifact_dir(&self.target.version, rc)
            .join(name)
    }

    /// The arguments of the `xtask` process that runs the step.
    fn command(&self, step: StepName) -> Vec<String> {
        let line = self.target.line.to_string();
        let (version, rc) = (self.version(), self.rc());
        let mut args = match step {
            StepName::Milestone => {
                let mut args = strings(&["milestone", "status", &line]);
                if self.args.allow_open {
                    args.push("--allow-open".into());
                }
                args
            }
            StepName::Branch => strings(&["branch", &line]),
            StepName::Backport => strings(&["backport", &line]),
            StepName::Changelog => strings(&["changelog", &version]),
            StepName::Version => strings(&["version", "bump", &version]),
            StepName::Tag => strings(&["tag", &version, "--rc", &rc]),
            StepName::Package => strings(&["package", &version, "--rc", &rc]),
            // The flow has asked already (or has --yes).
            StepName::Keys => strings(&["keys", "append", "--yes"]),
            StepName::Upload => strings(&["upload", &version, "--rc", &rc]),
            StepName::VoteMail => strings(&["mail", "vote", &version, "--rc", &rc]),
            StepName::Tally | StepName::ResultMail => {
                let mut args = match step {
                    StepName::Tally => strings(&["vote", "tally", &version, "--rc", &rc]),
                    _ => strings(&["mail", "result", &version, "--rc", &rc]),
                };
                if let Some(mbox) = &self.args.mbox {
                    args.extend(["--mbox".into(), mbox.to_string()]);
                }
                if let Some(roster) = &self.args.roster {
                    args.extend(["--roster".into(), roster.to_string()]);
                }
                args
            }
            StepName::Promote => strings(&["promote", &version, "--rc", &rc]),
            StepName::ReleaseTag => strings(&["tag", &version]),
            StepName::DownloadPage => {
                let mut args = strings(&["download-page", &version]);
                if let Some(website) = &self.args.website {
                    args.extend(["--website".into(), website.to_string()]);
                }
                args
            }
            StepName::Announce => strings(&["mail", "announce", &version]),
        };
        let mails = [StepName::VoteMail, StepName::ResultMail, StepName::Announce];
        if self.args.send && mails.contains(&step) {
            args.push("--send".into());
        }
        args
    }

    fn svn_has(&self, base: &str, entry: &str) -> Result<bool> {
        let anonymous = svn::Credentials::from_env(None, true);
        let listing = svn::list(&self.ctx.sh, &anonymous, base)?;
        Ok(listing.unwrap_or_default().iter().any(|e| e == entry))
    }

    /// A tag counts once it is published: a tag made but not pushed is still to do.
    fn tag_exists(&self, rc: Option<u32>) -> Result<bool> {
        let tag = self.config.tag_name(&self.target.version, rc)?;
        let (ctx, remote) = (self.ctx, &self.config.remote);
        let full = format!("refs/tags/{tag}");
        Ok(git::remote_ref_commit(&ctx.sh, &ctx.repo, remote, &full)?.is_some())
    }

    /// Where the step stands, read from the world; no step is run except read-only checks.
    fn state(&self, step: StepName) -> Result<(State, String)> {
        let (ctx, config) = (self.ctx, self.config);
        let (version, rc) = (self.version(), self.rc());
        let done = |detail: String| Ok((State::Done, detail));
        let todo = |detail: String| Ok((State::Todo, detail));
        let blocked = |why: String| Ok((State::Blocked(why), String::new()));
        match step {
            StepName::Milestone => match probe(ctx, &self.command(step))? {
                0 => done(format!("milestone {} has no open items", self.target.line)),
                _ => blocked(format!(
                        "milestone {} still has open items or cannot be read: run `cargo xtask milestone status {}`, close or move them (or pass --allow-open)",
                        self.target.line, self.target.line
                    )),
            },
            StepName::Branch => {
                let branch = config.branch_name(self.target.line)?;
                let on_remote = git::remote_ref_commit(
                    &ctx.sh,
                    &ctx.repo,
                    &config.remote,
                    &format!("refs/heads/{branch}"),
                )?;
                match on_remote {
                    Some(_) => done(format!("{branch} is on {}", config.remote)),
                    None => todo(format!("cut {branch} from {}", config.main_branch)),
                }
            }
            StepName::Backport => {
                if self.tag_exists(Some(self.target.rc))? {
                    done(format!("candidate {rc} is tagged"))
                } else {
                    todo("pick the `need backport` PRs merged since".into())
                }
            }
            // Both are read from the release branch as committed: written but not committed
            // is not done (the rerun of the step commits it).
            StepName::Changelog => {
                let branch = format!("refs/heads/{}", config.branch_name(self.target.line)?);
                let changelog = git::text_file_at(&ctx.sh, &ctx.repo, &branch, "CHANGELOG.md")
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                let heading = format!("## {version}");
                match changelog.lines().any(|line| line.trim_end() == heading) {
                    true => done(format!("CHANGELOG.md of the release branch has {heading}")),
                    false => todo(format!("write the {version} section of CHANGELOG.md")),
                }
            }
            StepName::Version => {
                if config.version_files.is_empty() {
                    return done("no version-files configured".into());
                }
                let branch = format!("refs/heads/{}", config.branch_name(self.target.line)?);
                let committed = crate::steps::version_files::read_commit(ctx, &branch);
                let problems = crate::steps::version_files::problems(config, &self.target.version, &committed)?;
                match problems.is_empty() {
                    true => done(format!("the version files carry {version}")),
                    false => todo(format!("write {version} into the version files")),
                }
            }
            StepName::Tag => match self.tag_exists(Some(self.target.rc))? {
                true => done(format!("tag {} exists", config.tag_name(&self.target.version, Some(self.target.rc))?)),
                false => todo(format!("tag {}", config.tag_name(&self.target.version, Some(self.target.rc))?)),
            },
            StepName::Package => {
                let artifacts = self.artifacts()?;
                let all = [&artifacts.tarball, &artifacts.signature, &artifacts.checksum];
                match all.iter().all(|p| p.exists()) {
                    true => done(format!("{} signed and hashed", artifacts.tarball)),
                    false => todo(format!("build {}", artifacts.file_name())),
                }
            }
            StepName::Keys => match probe(ctx, &strings(&["keys", "check"]))? {
                0 => done("the signing key is in KEYS".into()),
                _ => todo("append the signing key to KEYS".into()),
            },
            StepName::Upload => {
                let dir = format!("{}/", config.candidate_name(&self.target.version, self.target.rc));
                if self.svn_has(&config.svn_dev_url, &dir)? {
                    return done(format!("{}/{dir} exists", config.svn_dev_url));
                }
                // Promotion moves the candidate out of dev.
                if self.svn_has(&config.svn_release_url, &format!("{version}/"))? {
                    return done(format!("promoted to {}/{version}", config.svn_release_url));
                }
                todo(format!("put {dir} into {}", config.svn_dev_url))
            }
            StepName::VoteMail => {
                let path = self.mail_file("vote.eml", true);
                match path.exists() {
                    true => done(format!("{path}")),
                    false => todo("render the [VOTE] mail".into()),
                }
            }
            StepName::Tally => {
                let Some(mbox) = &self.args.mbox else {
                    return blocked(format!(
                            "the vote runs for at least 72 hours: then download the thread as an mbox from lists.apache.org and run `cargo xtask release {} --mbox <FILE> [--roster committee-info.json]`",
                            self.target.line
                        ));
                };
                match probe(ctx, &self.command(step))? {
                    exit_code::SUCCESS => done(format!("the vote in {mbox} passed")),
                    exit_code::VOTE_FAILED => blocked(format!(
                            "the vote of RC{rc} failed: fix what the -1 votes name, then start the next candidate with `cargo xtask release {} --next-rc`",
                            self.target.line
                        )),
                    exit_code::VOTE_NOT_YET => blocked("the vote is still open (72 hours not over, or too few binding votes yet): rerun later with a fresh mbox".into()),
                    _ => blocked(format!("the vote thread cannot be counted: run `cargo xtask vote tally {version} --rc {rc} --mbox {mbox}` to see why")),
                }
            }
            StepName::ResultMail => {
                let path = self.mail_file("result.eml", true);
                match path.exists() {
                    true => done(format!("{path}")),
                    false => todo("render the [RESULT][VOTE] mail".into()),
                }
            }
            StepName::Promote => match self.svn_has(&config.svn_release_url, &format!("{version}/"))? {
                true => done(format!("{}/{version} exists", config.svn_release_url)),
                false => todo(format!("move RC{rc} to {}", config.svn_release_url)),
            },
            StepName::ReleaseTag => match self.tag_exists(None)? {
                true => done(format!("tag {} exists", config.tag_name(&self.target.version, None)?)),
                false => todo(format!("tag {}", config.tag_name(&self.target.version, None)?)),
            },
            StepName::DownloadPage => {
                let Some(website) = &self.args.website else {
                    return blocked(format!(
                            "update the download page: run `cargo xtask release {} --website <a checkout of the website repository>`",
                            self.target.line
                        ));
                };
                let branch = format!("download-page-{}-{version}", config.name);
                match git::branch_exists(&ctx.sh, website, &branch)? {
                    true => done(format!("branch {branch} in {website}")),
                    false => todo(format!("add {version} to the download page in {website}")),
                }
            }
            StepName::Announce => {
                let path = self.mail_file("announce.eml", false);
                match path.exists() {
                    true => done(format!("{path}")),
                    false => todo("render the [ANNOUNCE] mail".into()),
                }
            }
        }
    }

    fn statuses(&self) -> Result<Vec<StepStatus>> {
        let mut out = Vec::new();
        for step in StepName::ALL {
            let (state, detail) = self.state(step)?;
            let command = format!("cargo xtask {}", self.command(step).join(" "));
            out.push(StepStatus {
                step,
                phase: step.phase(),
                state,
                detail,
                command,
            });
        }
        Ok(out)
    }
}

fn render(target: &Target, config: &Config, statuses: &[StepStatus]) -> Result<String> {
    let mut out = format!(
        "release {} of {}: version {} (RC{}), branch {}\n",
        target.line,
        config.display_name,
        target.version,
        target.rc,
        config.branch_name(target.line)?
    );
    let next = statuses.iter().position(|s| s.state != State::Done);
    for (index, status) in statuses.iter().enumerate() {
        let mark = match (&status.state, Some(index) == next) {
            (State::Done, _) => "done   ",
            (State::Blocked(_), true) => "blocked",
            (_, true) => "next   ",
            _ => "pending",
        };
        out.push_str(&format!(
            "  {:<15} {:<14} {mark}  {}\n",
            status.phase,
            status.step.label(),
            status.detail
        ));
    }
    match next.map(|i| &statuses[i]) {
        None => out.push_str(&format!(
            "{} is released and announced: nothing to do\n",
            target.version
        )),
        Some(StepStatus {
            state: State::Blocked(why),
            ..
        }) => out.push_str(&format!("next: {why}\n")),
        Some(status) => out.push_str(&format!("next: {}\n", status.command)),
    }
    Ok(out)
}

/// Asks before an outward-facing step; without a terminal the answer is "no".
pub fn confirm(cmd: &ToolCmd) -> Result<bool> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    print!("run `{cmd}`? [y/N] ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

/// `status X.Y`: the plan, without acting.
pub fn status(ctx: &Ctx, args: &ReleaseArgs, json: bool) -> Result<ExitCode> {
    let config = ctx.config()?;
    let mut memory = load_memory(&config, args.line)?;
    let target = choose_target(ctx, &config, args, &mut memory)?;
    let flow = Flow {
        ctx,
        config: &config,
        target: &target,
        args,
    };
    let statuses = flow.statuses()?;
    if json {
        let report = serde_json::json!({
            "line": target.line.to_string(),
            "version": target.version.to_string(),
            "rc": target.rc,
            "steps": statuses,
        });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&target, &config, &statuses)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// `release X.Y`: runs the remaining steps in order until one needs a person.
pub fn run(ctx: &Ctx, args: &ReleaseArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    if let Some(website) = &args.website {
        check_website(website)?;
    }
    // Two runs of one line would start the same steps twice and trip over each other.
    let _lock = match ctx.dry_run {
        true => None,
        false => Some(crate::lock::acquire(&memory_path(&config, args.line))?),
    };
    let mut memory = load_memory(&config, args.line)?;
    let target = choose_target(ctx, &config, args, &mut memory)?;
    if !ctx.dry_run {
        save_memory(&config, args.line, &memory)?;
    }
    let flow = Flow {
        ctx,
        config: &config,
        target: &target,
        args,
    };
    if !ctx.dry_run {
        resume_interrupted_commits(ctx, &config, &target)?;
    }
    let statuses = flow.statuses()?;
    print!("{}", render(&target, &config, &statuses)?);
    let wanted = |step: StepName| match (args.only, args.until) {
        (Some(only), _) => step == only,
        (None, Some(until)) => step <= until,
        (None, None) => true,
    };

    let mut first_pending = true;
    for step in StepName::ALL.into_iter().filter(|s| wanted(*s)) {
        // The world changes as steps run: ask again right before each one.
        let (state, detail) = if ctx.dry_run && !first_pending {
            (State::Todo, String::new())
        } else {
            flow.state(step)?
        };
        let command = xtask::step(&ctx.repo, false, &flow.command(step))?;
        match state {
            State::Done => continue,
            State::Blocked(why) => {
                println!("\nstopped before {}: {why}", step.label());
                return Ok(ExitCode::from(exit_code::STOPPED));
            }
            State::Todo => {}
        }
        if ctx.dry_run {
            println!(
                "\n== {} ({}): {detail}\n  would run: {command}",
                step.label(),
                step.phase()
            );
            if first_pending {
                // Later steps depend on this one, so only its own plan can be shown in full.
                let plan = xtask::step(&ctx.repo, true, &flow.command(step))?;
                plan.run_attached(&ctx.sh)?;
            }
            first_pending = false;
            continue;
        }
        if step.outward(args.send) && !args.yes && !confirm(&command)? {
            println!(
                "\nstopped before {}: it changes what others see; rerun with --yes (or answer y) to run `{command}`",
                step.label()
            );
            return Ok(ExitCode::from(exit_code::STOPPED));
        }
        println!("\n== {} ({}): {detail}", step.label(), step.phase());
        if matches!(
            step,
            StepName::Changelog | StepName::Version | StepName::Tag
        ) {
            check_out_release_branch(ctx, &config, target.line)?;
        }
        if step == StepName::Tag {
            publish_release_branch(ctx, &config, target.line)?;
        }
        let code = command.run_attached(&ctx.sh)?;
        if step == StepName::Changelog && code == 0 {
            commit_changelog(ctx, &config, &target.version)?;
        }
        if code != 0 {
            let hint = match step {
                StepName::Backport => format!(
                    "resolve the conflict as the message above says, run `cargo xtask backport {} --continue`, then rerun `cargo xtask release {}`",
                    target.line, target.line
                ),
                StepName::Promote => format!(
                    "if this is a permission problem, ask a PMC member to run `cargo xtask promote {} --rc {}`, then rerun `cargo xtask release {}`",
                    target.version, target.rc, target.line
                ),
                _ => format!(
                    "fix what the message above names, then rerun `cargo xtask release {}`: finished steps are skipped",
                    target.line
                ),
            };
            println!("\nstopped at {}: {hint}", step.label());
            return Ok(ExitCode::FAILURE);
        }
        let (after, _) = flow.state(step)?;
        if after != State::Done && step != StepName::Backport {
            println!("\nstopped after {}: the step ran but its result is not visible yet; check the output above", step.label());
            return Ok(ExitCode::FAILURE);
        }
    }
    if ctx.dry_run {
        return Ok(ExitCode::SUCCESS);
    }
    let all_done = flow.statuses()?.iter().all(|s| s.state == State::Done);
    if all_done {
        memory.finished = true;
        save_memory(&config, args.line, &memory)?;
        println!(
            "\n{} {} is released and announced",
            config.display_name, target.version
        );
    } else {
        println!(
            "\nran the steps asked for; `cargo xtask status {}` shows what remains",
            target.line
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// `changelog` writes the files; the release commits them on the release branch so the tag
/// carries them.
fn commit_changelog(ctx: &Ctx, config: &Config, version: &Version) -> Result<()> {
    let notes = format!("release-notes/{version}.md");
    let changed = git::changed_paths(&ctx.sh, &ctx.repo, &["CHANGELOG.md", &notes])?;
    if changed.is_empty() {
        return Ok(());
    }
    let paths: Vec<&str> = changed.iter().map(String::as_str).collect();
    let message = format!("docs: CHANGELOG of {} {version}", config.display_name);
    crate::plan::execute(&ctx.sh, &git::add_paths(&ctx.repo, &paths))?;
    crate::plan::execute(&ctx.sh, &git::commit_paths(&ctx.repo, &paths, &message))?;
    Ok(())
}

/// A run interrupted between writing the CHANGELOG or the version files and committing them
/// leaves them uncommitted on the release branch, where they would block the next steps.
/// When nothing else is changed, they are committed exactly as the interrupted run would have.
fn resume_interrupted_commits(ctx: &Ctx, config: &Config, target: &Target) -> Result<()> {
    let branch = config.branch_name(target.line)?;
    if git::current_branch(&ctx.sh, &ctx.repo)?.as_deref() != Some(branch.as_str()) {
        return Ok(());
    }
    let changed = git::changed_paths(&ctx.sh, &ctx.repo, &[])?;
    if changed.is_empty() {
        return Ok(());
    }
    let changelog = [
        "CHANGELOG.md".to_string(),
        format!("release-notes/{}.md", target.version),
    ];
    let versioned: Vec<String> = config
        .version_files
        .iter()
        .map(|file| crate::steps::version_files::path_for(file, &target.version))
        .collect();
    let owned = |path: &String| changelog.contains(path) || versioned.contains(path);
    if !changed.iter().all(owned) {
        // Someone else's changes: the steps refuse them with their own message.
        return Ok(());
    }
    println!(
        "\nfinishing the commit an interrupted run left: {}",
        changed.join(", ")
    );
    if changed.iter().any(|path| changelog.contains(path)) {
        commit_changelog(ctx, config, &target.version)?;
    }
    if changed.iter().any(|path| versioned.contains(path)) {
        let version = target.version.to_string();
        let bump = xtask::step(&ctx.repo, false, &strings(&["version", "bump", &version]))?;
        if bump.run_attached(&ctx.sh)? != 0 {
            bail!("cannot finish the interrupted version bump: see the message above");
        }
    }
    Ok(())
}

/// The release branch must be checked out for the steps that write to it.
fn check_out_release_branch(ctx: &Ctx, config: &Config, line: Line) -> Result<()> {
    let branch = config.branch_name(line)?;
    if git::current_branch(&ctx.sh, &ctx.repo)?.as_deref() == Some(branch.as_str()) {
        return Ok(());
    }
    let changes = git::uncommitted_changes(&ctx.sh, &ctx.repo)?;
    if !changes.is_empty() {
        bail!(
            "the release branch {branch} must be checked out, but the working tree has \
             uncommitted changes ({}): commit or stash them, then rerun",
            changes.join("; ")
        );
    }
    crate::plan::execute(&ctx.sh, &git::checkout(&ctx.repo, &branch))?;
    Ok(())
}

/// Voters find the tagged commit on the published branch: push what the release added to it
/// (CHANGELOG, version bump) before tagging.
fn publish_release_branch(ctx: &Ctx, config: &Config, line: Line) -> Result<()> {
    let branch = config.branch_name(line)?;
    let full = format!("refs/heads/{branch}");
    let local = git::resolve_commit(&ctx.sh, &ctx.repo, &full)?.with_context(|| {
        format!("there is no local branch {branch}: run `cargo xtask branch {line}`")
    })?;
    let remote = git::remote_ref_commit(&ctx.sh, &ctx.repo, &config.remote, &full)?;
    if remote.as_deref() == Some(local.as_str()) {
        return Ok(());
    }
    crate::plan::execute(&ctx.sh, &git::push(&ctx.repo, &config.remote, &branch))?;
    git::verify_pushed(&ctx.sh, &ctx.repo, &config.remote, &full, &local)
}

/// Whether `dir` looks like a website checkout (a clear error before anything runs).
fn check_website(dir: &Utf8Path) -> Result<()> {
    if !dir.join(".git").exists() {
        bail!("{dir} is not a git checkout of the website repository: clone it and pass its path with --website");
    }
    Ok(())
}
