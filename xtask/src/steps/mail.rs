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

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use sha2::{Digest, Sha256};

use crate::cli::{MailArgs, MailCommand};
use crate::clock::{human_date, rfc5322_date};
use crate::config::Config;
use crate::plan::{self, Plan};
use crate::steps::package::Artifacts;
use crate::tally::{self, Outcome, VOTE_HOURS};
use crate::tools::{git, sendmail, svn};
use crate::version::Version;
use crate::Ctx;

/// Where templates in the repository override the built-in ones: `<dir>/<name>.eml.txt`.
pub const TEMPLATE_DIR: &str = "release-notes/templates";

const VOTE_TEMPLATE: &str = super::mail_templates::VOTE;
const RESULT_TEMPLATE: &str = super::mail_templates::RESULT;
const ANNOUNCE_TEMPLATE: &str = super::mail_templates::ANNOUNCE;
const DISCUSS_TEMPLATE: &str = super::mail_templates::DISCUSS;

/// One mail, before rendering.
pub struct Mail {
    pub to: Vec<String>,
    pub from: String,
    pub subject: String,
    pub body: String,
    pub date: i64,
}

impl Mail {
    /// A stable id: the same mail (recipients, subject, body) gets the same id on every run.
    pub fn message_id(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [&self.to.join(","), &self.subject, &self.body] {
            hasher.update(part.as_bytes());
            hasher.update([0]);
        }
        let digest = crate::archive::writer::hex(&hasher.finalize());
        let domain = self
            .from
            .rsplit_once('@')
            .map(|(_, domain)| domain.trim_end_matches('>'))
            .filter(|domain| !domain.is_empty())
            .unwrap_or("localhost");
        format!("<{}@{domain}>", &digest[..32])
    }

    /// The RFC 5322 text of the mail: headers, a blank line, the UTF-8 body; LF line ends
    /// (sendmail and mail clients accept them in files).
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("From: {}\n", encode_mailbox(&self.from)));
        out.push_str(&format!("To: {}\n", self.to.join(", ")));
        out.push_str(&format!("Subject: {}\n", encode_word(&self.subject)));
        out.push_str(&format!("Date: {}\n", rfc5322_date(self.date)));
        out.push_str(&format!("Message-Id: {}\n", self.message_id()));
        out.push_str("MIME-Version: 1.0\n");
        out.push_str("Content-Type: text/plain; charset=UTF-8\n");
        out.push_str("Content-Transfer-Encoding: 8bit\n");
        out.push('\n');
        out.push_str(self.body.trim_end());
        out.push('\n');
        out
    }
}

/// A header text as is when ASCII, else as an RFC 2047 encoded word.
fn encode_word(text: &str) -> String {
    if text.is_ascii() {
        return text.to_string();
    }
    format!("=?UTF-8?B?{}?=", base64(text.as_bytes()))
}

/// `Name <address>` with the name encoded when it is not ASCII.
fn encode_mailbox(mailbox: &str) -> String {
    match mailbox.rsplit_once('<') {
        Some((name, address)) if !name.is_ascii() => {
            format!("{} <{address}", encode_word(name.trim()))
        }
        _ => mailbox.to_string(),
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A template: its `Subject:` line and its body, with `{placeholders}`.
struct Template {
    source: String,
    subject: String,
    body: String,
}

/// The repository's template `release-notes/templates/<name>.eml.txt` if there is one, else
/// the built-in one.
fn load_template(repo: &Utf8Path, name: &str, built_in: &str) -> Result<Template> {
    let path = repo.join(TEMPLATE_DIR).join(format!("{name}.eml.txt"));
    let (source, text) = match std::fs::read_to_string(&path) {
        Ok(text) => (path.to_string(), text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            (format!("built-in {name} template"), built_in.to_string())
        }
        Err(err) => return Err(err).with_context(|| format!("cannot read the template {path}")),
    };
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let Some(subject) = first.strip_prefix("Subject:") else {
        bail!("{source}: the first line must be `Subject: ...`, then an empty line, then the body");
    };
    let Some(body) = rest.strip_prefix('\n') else {
        bail!("{source}: the `Subject:` line must be followed by an empty line, then the body");
    };
    Ok(Template {
        subject: subject.trim().to_string(),
        body: body.to_string(),
        source,
    })
}

/// Replaces each `{name}` (lower-case letters, digits, `_`) by its value; an unknown name is an
/// error that lists the known ones. Other braces stay as they are.
fn fill_template(source: &str, text: &str, values: &[(&str, String)]) -> Result<String> {
    let mut out = String::with_capacity(text.len() + 256);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        if name_len == 0 || !after[name_len..].starts_with('}') {
            out.push('{');
            rest = after;
            continue;
        }
        let name = &after[..name_len];
        let Some((_, value)) = values.iter().find(|(key, _)| *key == name) else {
            let known: Vec<String> = values.iter().map(|(k, _)| format!("{{{k}}}")).collect();
            bail!(
                "{source} uses `{{{name}}}`, which this mail does not know; use one of {}",
                known.join(", ")
            );
        };
        out.push_str(value);
        rest = &after[name_len + 1..];
    }
    out.push_str(rest);
    Ok(out)
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

/// Values every template knows.
fn common_values(config: &Config, sender_name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("project", config.display_name.clone()),
        ("name", config.name.clone()),
        ("tlp", config.tlp.clone()),
        ("dev_list", config.dev_list.clone()),
        ("repository", config.repository_url.clone()),
        ("keys_url", config.keys_url.clone()),
        ("download_url", config.download_url.clone()),
        ("sender", sender_name.to_string()),
    ]
}

fn release_notes_url(config: &Config, version: &Version, tag: &str) -> Result<String> {
    let branch = config.branch_name(version.line())?;
    crate::version::fill(
        &config.release_notes_url,
        &[
            ("repository", &config.repository_url),
            ("branch", &branch),
            ("tag", tag),
            ("version", &version.to_string()),
            ("anchor", &version.heading_anchor()),
        ],
    )
    .context("invalid setting release-notes-url")
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
        MailCommand::Vote { version, rc } => Draft {
            path: config
                .artifact_dir(version, Some(config.check_rc(*rc)?))
                .join("vote.eml"),
            to: dev,
            template: load_template(&ctx.repo, "vote", VOTE_TEMPLATE)?,
            values: vote_values(ctx, &config, version, *rc, date)?,
        },
        MailCommand::Result {
            version,
            rc,
            mbox,
            roster,
            thread,
        } => Draft {
            path: config
                .artifact_dir(version, Some(config.check_rc(*rc)?))
                .join("result.eml"),
            to: dev,
            template: load_template(&ctx.repo, "result", RESULT_TEMPLATE)?,
            values: result_values(
                &config,
                tally::tally_files(
                    &config,
                    version,
                    *rc,
                    mbox,
                    roster.as_deref(),
                    Some((tally::address_of(&from), false)),
                    date,
                )?,
                &vote_subject(ctx, &config, &sender_name, version, *rc)?,
                version,
                *rc,
                mbox,
                thread.as_deref(),
            )?,
        },
        MailCommand::Announce { version } => {
            check_released(ctx, &config, version)?;
            if !from.contains("@apache.org") {
                eprintln!(
                    "warning: {from} is not an @apache.org address; announce@apache.org only \
                     accepts mails from @apache.org addresses (set mail-from)"
                );
            }
            let tag = config.tag_name(version, None)?;
            Draft {
                path: config.artifact_dir(version, None).join("announce.eml"),
                to: vec![config.dev_list.clone(), config.announce_list.clone()],
                template: load_template(&ctx.repo, "announce", ANNOUNCE_TEMPLATE)?,
                values: vec![
                    ("version", version.to_string()),
                    (
                        "release_notes_url",
                        release_notes_url(&config, version, &tag)?,
                    ),
                    ("tag", tag),
                ],
            }
        }
        MailCommand::Discuss { line } => {
            let first = Version {
                major: line.major,
                minor: line.minor,
                patch: 0,
            };
            Draft {
                path: config.artifact_dir(&first, None).join("discuss.eml"),
                to: dev,
                template: load_template(&ctx.repo, "discuss", DISCUSS_TEMPLATE)?,
                values: vec![
                    ("line", line.to_string()),
                    ("branch", config.branch_name(*line)?),
                    ("main_branch", config.main_branch.clone()),
                ],
            }
        }
    };
    let mut values = common_values(&config, &sender_name);
    values.extend(draft.values);
    let source = &draft.template.source;
    let mail = Mail {
        to: draft.to,
        subject: fill_template(source, &draft.template.subject, &values)?,
        body: fill_template(source, &draft.template.body, &values)?,
        from,
        date,
    };
    deliver(ctx, &config, &draft.path, &mail, args.send)?;
    Ok(ExitCode::SUCCESS)
}

fn vote_values(
    ctx: &Ctx,
    config: &Config,
    version: &Version,
    rc: u32,
    date: i64,
) -> Result<Vec<(&'static str, String)>> {
    let tag = config.tag_name(version, Some(rc))?;
    let commit = git::tag_commit(&ctx.sh, &ctx.repo, &tag)?.with_context(|| {
        format!("there is no tag `{tag}` in {}: tag the release candidate first (and `git fetch --tags`)", ctx.repo)
    })?;
    let artifact = config.artifact_name(version)?;
    let artifacts = Artifacts::new(&config.artifact_dir(version, Some(rc)), &artifact);
    let checksum = std::fs::read_to_string(&artifacts.checksum).with_context(|| {
        format!(
            "cannot read {}: build the candidate first with `cargo xtask package {version} --rc {rc}`",
            artifacts.checksum
        )
    })?;
    let values = vec![
        ("version", version.to_string()),
        ("rc", rc.to_string()),
        ("tag", tag.clone()),
        ("commit", commit),
        ("artifact", artifact),
        ("rc_url", config.rc_url(version, rc)),
        ("sha512", checksum.trim().to_string()),
        (
            "release_notes_url",
            release_notes_url(config, version, &tag)?,
        ),
        ("vote_end", human_date(date + VOTE_HOURS * 3600)),
    ];
    Ok(values)
}

/// The subject of the VOTE mail as this repository renders it: the RESULT mail links the
/// thread by it, never by the subject found in the mbox (outside text).
fn vote_subject(
    ctx: &Ctx,
    config: &Config,
    sender_name: &str,
    version: &Version,
    rc: u32,
) -> Result<String> {
    let template = load_template(&ctx.repo, "vote", VOTE_TEMPLATE)?;
    let mut values = common_values(config, sender_name);
    values.extend([("version", version.to_string()), ("rc", rc.to_string())]);
    Ok(
        fill_template(&template.source, &template.subject, &values).unwrap_or_else(|_| {
            format!(
                "[VOTE] Release Apache {} {version} (RC{rc})",
                config.display_name
            )
        }),
    )
}

fn result_values(
    config: &Config,
    tally: tally::Tally,
    vote_subject: &str,
    version: &Version,
    rc: u32,
    mbox: &Utf8Path,
    thread: Option<&str>,
) -> Result<Vec<(&'static str, String)>> {
    match tally.outcome() {
        Outcome::Passed => {}
        outcome => bail!(
            "the vote has not passed ({}): no RESULT mail; run `cargo xtask vote tally {version} \
             --rc {rc} --mbox {mbox}` for the details",
            outcome.describe()
        ),
    }
    let list = |binding: bool| {
        let lines: Vec<String> = tally
            .votes
            .iter()
            .filter(|vote| vote.binding == binding)
            .map(|vote| format!("{} {}", vote.ballot, vote.safe_name()))
            .collect();
        if lines.is_empty() {
            "(none)".to_string()
        } else {
            lines.join("\n")
        }
    };
    let thread = match thread {
        Some(url) => url.to_string(),
        None => format!(
            "https://lists.apache.org/list?{}:lte=1M:{}",
            config.dev_list,
            crate::tools::github::encode(vote_subject)
        ),
    };
    let values = vec![
        ("version", version.to_string()),
        ("rc", rc.to_string()),
        (
            "binding_plus",
            tally.count(true, tally::Ballot::PlusOne).to_string(),
        ),
        ("binding_zero", tally.zero_count(true).to_string()),
        (
            "binding_minus",
            tally.count(true, tally::Ballot::MinusOne).to_string(),
        ),
        (
            "nonbinding_plus",
            tally.count(false, tally::Ballot::PlusOne).to_string(),
        ),
        ("nonbinding_zero", tally.zero_count(false).to_string()),
        (
            "nonbinding_minus",
            tally.count(false, tally::Ballot::MinusOne).to_string(),
        ),
        ("binding_votes", list(true)),
        ("nonbinding_votes", list(false)),
        ("thread_url", thread),
    ];
    Ok(values)
}

/// Refuses the announcement until the release is in dist/release; when SVN cannot be asked,
/// says so loudly and goes on.
fn check_released(ctx: &Ctx, config: &Config, version: &Version) -> Result<()> {
    let url = config.svn_release_url.trim_end_matches('/');
    let anonymous = svn::Credentials::from_env(None, true);
    let wanted = format!("{version}/");
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

/// Writes the mail (a rerun overwrites it), prints it, and sends it when asked, once.
fn deliver(ctx: &Ctx, config: &Config, path: &Utf8Path, mail: &Mail, send: bool) -> Result<()> {
    let text = mail.render();
    let sent_marker = Utf8PathBuf::from(format!("{path}.sent"));
    let message_id = mail.message_id();
    // Sending is the one outward action: once done it is not repeated, even when the text
    // changed since (the vote end date moves with the clock).
    let already_sent = std::fs::read_to_string(&sent_marker).ok();
    let mut plan = Plan::new(format!("mail `{}`", mail.subject));
    plan.local(format!("write {path}"));
    if send {
        if let Some(sent) = &already_sent {
            plan.local(format!(
                "nothing to send: this mail was already sent as {} (delete {sent_marker} to send it again)",
                sent.trim()
            ));
        } else {
            plan.run(sendmail::send(&config.sendmail, text.as_bytes())?);
            plan.local(format!("record the sent Message-Id in {sent_marker}"));
        }
    }
    if ctx.dry_run {
        print!("{}", plan.render());
        println!("--- {path} ---\n{text}");
        return Ok(());
    }
    let dir = path.parent().context("the mail path has no directory")?;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the output directory {dir}"))?;
    std::fs::write(path, &text).with_context(|| format!("cannot write {path}"))?;
    println!("--- {path} ---\n{text}");
    eprintln!("wrote {path}");
    if send {
        if let Some(sent) = &already_sent {
            println!(
                "this mail was already sent as {}: nothing to send (delete {sent_marker} to send it again)",
                sent.trim()
            );
            return Ok(());
        }
        let cmd = sendmail::send(&config.sendmail, text.as_bytes())?;
        plan::execute(&ctx.sh, &cmd).with_context(|| {
            format!(
                "the mailer failed; the mail is in {path}: send it by hand, or fix the \
                 sendmail setting"
            )
        })?;
        std::fs::write(&sent_marker, format!("{message_id}\n"))
            .with_context(|| format!("cannot write {sent_marker}"))?;
        println!("sent to {}", mail.to.join(", "));
    } else {
        println!(
            "not sent: send the file above to {}, or rerun with --send",
            mail.to.join(", ")
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(b"fooba"), "Zm9vYmE=");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
    }

    #[test]
    fn templates_fill_known_names_and_reject_typos() {
        let values = [("version", "1.0.0".to_string())];
        assert_eq!(
            fill_template("t", "v{version} ${HOME} {}", &values).unwrap(),
            "v1.0.0 ${HOME} {}"
        );
        let err = fill_template("t", "{versoin}", &values)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("{versoin}") && err.contains("{version}"),
            "{err}"
        );
    }

    #[test]
    fn non_ascii_headers_are_encoded() {
        let mail = Mail {
            to: vec!["dev@demo.apache.org".into()],
            from: "Jürgen <j@apache.org>".into(),
            subject: "Grüße".into(),
            body: "Hallo\n".into(),
            date: 0,
        };
        let text = mail.render();
        assert!(
            text.contains("From: =?UTF-8?B?SsO8cmdlbg==?= <j@apache.org>"),
            "{text}"
        );
        assert!(
            text.contains("Date: Thu, 1 Jan 1970 00:00:00 +0000"),
            "{text}"
        );
        assert!(text.contains("@apache.org>\nMIME-Version"), "{text}");
    }
}
