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

//! `mail vote|result|announce|discuss`: the community mails of a release, rendered from
//! templates into RFC 5322 `.eml` files in the release's output directory, printed, and on
//! `--send` handed to the configured sendmail-compatible command.

mod atr;
mod render;
mod templates;
mod values;

use crate::version::Line;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use crate::config::Config;
use crate::plan::Plan;
pub use crate::records::MailKind;
use crate::tally;
use crate::tools::{git, sendmail, svn};
use crate::version::{Candidate, Version};
use crate::Ctx;
use render::Mail;
use templates::{fill_template, load_template, Template};
use values::{release_notes_url, result_values, vote_subject, vote_values};

#[derive(clap::Args, Debug)]
pub struct MailArgs {
    #[command(subcommand)]
    pub command: MailCommand,
    /// Hand the mail to the configured sendmail command (once: a rerun does not send again).
    #[arg(long, global = true)]
    pub send: bool,
}

#[derive(clap::Subcommand, Debug)]
pub enum MailCommand {
    /// `[VOTE] Release Apache <Project> <version> (RC<N>)` to the dev list.
    Vote {
        /// The version, like 2.3.0.
        #[arg(value_parser = crate::args::parse_version)]
        version: Version,
        /// The release candidate number, like 1 for RC1.
        #[arg(long, value_parser = crate::args::parse_rc)]
        rc: u32,
    },
    /// `[RESULT][VOTE] ...` from the tally of the vote thread; refuses unless the vote passed.
    Result {
        /// The version, like 2.3.0.
        #[arg(value_parser = crate::args::parse_version)]
        version: Version,
        /// The release candidate number, like 1 for RC1.
        #[arg(long, value_parser = crate::args::parse_rc)]
        rc: u32,
        /// The vote thread as an mbox (lists.apache.org: thread, download mbox); default:
        /// fetched from the dev list's archive.
        #[arg(long, value_name = "FILE", value_parser = crate::args::absolute_path)]
        mbox: Option<Utf8PathBuf>,
        /// The PMC roster: committee-info.json, or a list of Apache ids / addresses; default:
        /// the committee's roster from whimsy.apache.org.
        #[arg(long, value_name = "FILE", value_parser = crate::args::absolute_path)]
        roster: Option<Utf8PathBuf>,
        /// The link to the vote thread (default: the thread in the archive, or with --mbox a
        /// lists.apache.org search for its subject).
        #[arg(long, value_name = "URL")]
        thread: Option<String>,
    },
    /// `[ANNOUNCE] Apache <Project> <version> released` to the dev and announce lists.
    Announce {
        /// The version, like 2.3.0.
        #[arg(value_parser = crate::args::parse_version)]
        version: Version,
    },
    /// `[DISCUSS] Apache <Project> X.Y release planning` to the dev list.
    Discuss {
        /// The release line, like 2.3.
        #[arg(value_parser = crate::args::parse_line)]
        line: Line,
    },
}

/// `Name <address>` of the sender: the `mail-from` setting, else git's user.name/user.email.
fn sender(ctx: &Ctx, config: &Config) -> Result<(String, String)> {
    if let Some(from) = &config.mail_from {
        let name = from
            .split_once('<')
            .map(|(name, _)| name.trim().to_string())
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| from.clone());
        return Ok((from.clone(), name));
    }
    let name = git::config_value(&ctx.sh, &ctx.repo, "user.name")?;
    let email = git::config_value(&ctx.sh, &ctx.repo, "user.email")?;
    match (name, email) {
        (Some(name), Some(email)) => Ok((format!("{name} <{email}>"), name)),
        _ => bail!(
            "who sends the mail? set `git config --global user.name` and `user.email` (your \
             @apache.org address), or `mail-from = \"Name <id@apache.org>\"` under \
             [workspace.metadata.asf-release]"
        ),
    }
}

/// Values every template knows (and `{keys_url}`, which each mail gives: the VOTE and ANNOUNCE
/// mails a KEYS checked to hold the signing key, see [`crate::keys_link`]).
fn common_values(config: &Config, sender_name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("project", config.mail_name()),
        ("name", config.name.clone()),
        ("tlp", config.tlp.clone()),
        ("dev_list", config.dev_list.clone()),
        ("repository", config.repository_url.clone()),
        ("download_url", config.download_url.clone()),
        ("sender", sender_name.to_string()),
    ]
}

/// A mail before its template is filled: where it goes and what the template gets.
struct Draft {
    path: Utf8PathBuf,
    to: Vec<String>,
    template: Template,
    values: Vec<(&'static str, String)>,
}

pub fn run(ctx: &Ctx, args: &MailArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let (from, sender_name) = sender(ctx, &config)?;
    let date = crate::clock::now()?;
    let dev = vec![config.dev_list.clone()];
    let draft = match &args.command {
        MailCommand::Vote { version, rc } => {
            let candidate = Candidate {
                version: *version,
                rc: config.check_rc(*rc)?,
            };
            crate::candidates::require(ctx, &config, &candidate)?;
            Draft {
                path: MailKind::Vote.path(&config, version, candidate.rc),
                to: dev,
                template: load_template(&ctx.repo, "vote", templates::VOTE)?,
                values: vote_values(ctx, &config, &candidate, date)?,
            }
        }
        MailCommand::Result {
            version,
            rc,
            mbox,
            roster,
            thread,
        } => {
            let candidate = Candidate {
                version: *version,
                rc: config.check_rc(*rc)?,
            };
            Draft {
                path: MailKind::Result.path(&config, version, candidate.rc),
                to: dev,
                template: load_template(&ctx.repo, "result", templates::RESULT)?,
                values: result_values(
                    &config,
                    tally::obtain(
                        ctx,
                        &config,
                        &candidate,
                        tally::Thread {
                            mbox: mbox.as_deref(),
                            roster: roster.as_deref(),
                        },
                        Some((tally::address_of(&from), false)),
                        date,
                    )?,
                    &vote_subject(ctx, &config, &sender_name, &candidate)?,
                    &candidate,
                    thread.as_deref(),
                )?
                .into_iter()
                .chain([("keys_url", config.keys_url.clone())])
                .collect(),
            }
        }
        MailCommand::Announce { version } => {
            // On ATR the release reaches dist/release through ATR's announce itself.
            if !crate::distribution::of(&config).publishes_on_announce() {
                check_released(ctx, &config, version)?;
                crate::served::check(&ctx.sh, &config, version, None).with_context(|| {
                    format!("no ANNOUNCE before users can download {version}: wait with `cargo xtask downloads {version}`")
                })?;
            }
            if !from.contains("@apache.org") {
                eprintln!(
                    "warning: {from} is not an @apache.org address; announce@apache.org only \
                     accepts mails from @apache.org addresses (set mail-from)"
                );
            }
            let tag = config.release_tag(version)?;
            // With several artifacts, each is named (the download page links them all).
            let names = config.release_names(version)?;
            let release_files = match names.len() {
                1 => String::new(),
                _ => format!("\n\nThe release holds:\n\n  {}", names.join("\n  ")),
            };
            Draft {
                path: MailKind::Announce.path(&config, version, 0),
                to: vec![config.dev_list.clone(), config.announce_list.clone()],
                template: load_template(&ctx.repo, "announce", templates::ANNOUNCE)?,
                values: vec![
                    ("version", version.to_string()),
                    (
                        "keys_url",
                        crate::keys_link::for_release(ctx, &config, version)?,
                    ),
                    ("release_files", release_files),
                    (
                        "release_notes_url",
                        release_notes_url(&config, version, &tag)?,
                    ),
                    ("tag", tag),
                ],
            }
        }
        MailCommand::Discuss { line } => Draft {
            path: crate::records::discuss_mail(&config, *line),
            to: dev,
            template: load_template(&ctx.repo, "discuss", templates::DISCUSS)?,
            values: vec![
                ("keys_url", config.keys_url.clone()),
                ("line", line.to_string()),
                ("branch", config.branch_name(*line)?),
                ("main_branch", config.main_branch.clone()),
            ],
        },
    };
    let mut values = common_values(&config, &sender_name);
    values.extend(draft.values);
    let old_path = match &args.command {
        MailCommand::Vote { version, rc } => Some(MailKind::Vote.old_path(&config, version, *rc)),
        MailCommand::Result { version, rc, .. } => {
            Some(MailKind::Result.old_path(&config, version, *rc))
        }
        MailCommand::Announce { version } => Some(MailKind::Announce.old_path(&config, version, 0)),
        MailCommand::Discuss { .. } => None,
    };
    let source = &draft.template.source;
    let mail = Mail {
        to: draft.to,
        subject: fill_template(source, &draft.template.subject, &values)?,
        body: fill_template(source, &draft.template.body, &values)?,
        from,
        date,
    };
    let route = crate::distribution::of(&config);
    if route.sends_release_mails() && !matches!(args.command, MailCommand::Discuss { .. }) {
        return atr::deliver(ctx, &config, &args.command, &draft.path, &mail);
    }
    deliver(
        ctx,
        &config,
        &draft.path,
        old_path.as_deref(),
        &mail,
        args.send,
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Refuses the announcement until the release is in dist/release; when SVN cannot be asked,
/// says so loudly and goes on.
fn check_released(ctx: &Ctx, config: &Config, version: &Version) -> Result<()> {
    let url = config.svn_release_url.trim_end_matches('/');
    let anonymous = svn::Credentials::from_env(None, true);
    let wanted = format!("{}/", config.release_dir_name(version));
    match svn::list(&ctx.sh, &anonymous, url) {
        Ok(entries) => {
            if !entries.unwrap_or_default().contains(&wanted) {
                bail!(
                    "{version} is not in {url} yet (svn ls lists no {wanted}): move the voted \
                     candidate there first (a PMC member: `svn mv`), then announce"
                );
            }
            Ok(())
        }
        Err(reason) => {
            eprintln!(
                "warning: cannot check that {version} is in {url} (svn ls failed: {reason:#}); \
                 announce only once the release is there"
            );
            Ok(())
        }
    }
}

/// Writes the mail (a rerun overwrites it), prints it, and sends it when asked, once (also
/// when an earlier version of the tool sent it from `old_path`).
fn deliver(
    ctx: &Ctx,
    config: &Config,
    path: &Utf8Path,
    old_path: Option<&Utf8Path>,
    mail: &Mail,
    send: bool,
) -> Result<()> {
    let text = mail.render();
    let sent_marker = Utf8PathBuf::from(format!("{path}.sent"));
    let message_id = mail.message_id();
    // Sending is the one outward action: once done it is not repeated, even when the text
    // changed since (the vote end date moves with the clock).
    let already_sent = std::fs::read_to_string(&sent_marker).ok().or_else(|| {
        let old = old_path?;
        std::fs::read_to_string(format!("{old}.sent")).ok()
    });
    let mut plan = Plan::new(format!("mail `{}`", mail.subject));
    plan.local(format!("write {path}"), || {
        let dir = path.parent().context("the mail path has no directory")?;
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the output directory {dir}"))?;
        std::fs::write(path, &text).with_context(|| format!("cannot write {path}"))
    });
    if let (true, None) = (send, &already_sent) {
        plan.mark_outward();
        plan.run_judged(
            sendmail::send(&config.sendmail, text.as_bytes())?,
            |output| {
                if !output.status.success() {
                    bail!(
                    "the mailer failed ({}): {}; the mail is in {path}: send it by hand, or fix \
                     the sendmail setting",
                    output.status,
                    String::from_utf8_lossy(&output.stderr).trim()
                );
                }
                Ok(())
            },
        );
        plan.local(
            format!("record the sent Message-Id in {sent_marker}"),
            || {
                std::fs::write(&sent_marker, format!("{message_id}\n"))
                    .with_context(|| format!("cannot write {sent_marker}"))
            },
        );
    }
    let sending = send && already_sent.is_none();
    let wrote = match plan.execute_confirmed(ctx) {
        Err(err) if sending && path.exists() => {
            return Err(err.context(format!(
                "the mail is in {path}: send it by hand, or fix the sendmail setting"
            )))
        }
        result => result?,
    };
    println!("--- {path} ---\n{text}");
    if !wrote {
        return Ok(());
    }
    eprintln!("wrote {path}");
    if send {
        if let Some(sent) = &already_sent {
            println!(
                "this mail was already sent as {}: nothing to send (delete {sent_marker} to send it again)",
                sent.trim()
            );
            return Ok(());
        }
        println!("sent to {}", mail.to.join(", "));
    } else {
        println!(
            "not sent: send the file above to {}, or rerun with --send",
            mail.to.join(", ")
        );
    }
    Ok(())
}

/// Renders (and with --send, sends) one of the flow's mails.
pub struct MailStep(pub MailKind);

impl crate::flow::Step for MailStep {
    fn name(&self) -> &'static str {
        match self.0 {
            MailKind::Vote => "vote-mail",
            MailKind::Result => "result-mail",
            MailKind::Announce => "announce",
        }
    }
    fn phase(&self) -> &'static str {
        match self.0 {
            MailKind::Vote => crate::flow::CANDIDATE,
            MailKind::Result => crate::flow::VOTE,
            MailKind::Announce => crate::flow::PUBLISH,
        }
    }
    fn outward(&self, release: &crate::flow::Release) -> bool {
        // On ATR the step starts, resolves or announces: ATR sends the mail.
        release.options.send || crate::distribution::of(release.config).sends_release_mails()
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        let mut args = match self.0 {
            MailKind::Vote => release.candidate_command(&["mail", "vote"]),
            MailKind::Result => release.candidate_command(&["mail", "result"]),
            MailKind::Announce => {
                crate::flow::strings(&["mail", "announce", &release.candidate.version.to_string()])
            }
        };
        if self.0 == MailKind::Result {
            release.vote_arguments(&mut args);
        }
        if release.options.send {
            args.push("--send".into());
        }
        args
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        if crate::distribution::of(release.config).sends_release_mails() {
            return atr::state(release, self.0);
        }
        let (config, version, rc) = (
            release.config,
            &release.candidate.version,
            release.candidate.rc,
        );
        let path = self.0.path(config, version, rc);
        let old_path = self.0.old_path(config, version, rc);
        let path = if !path.exists() && old_path.exists() {
            old_path
        } else {
            path
        };
        match (path.exists(), self.0) {
            (true, _) => Progress::done(path.to_string()),
            (false, MailKind::Vote) => Progress::todo("render the [VOTE] mail"),
            (false, MailKind::Result) => Progress::todo("render the [RESULT][VOTE] mail"),
            (false, MailKind::Announce) => Progress::todo("render the [ANNOUNCE] mail"),
        }
    }
}
