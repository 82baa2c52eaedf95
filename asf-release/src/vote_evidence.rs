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

//! The evidence a candidate needs before it becomes a release: its vote passed. Either our own
//! count of the vote thread under the PMC roster (the count of `vote tally`, same code), or, on
//! purpose, a vote counted elsewhere that the release manager names by the archive URL of its
//! [RESULT] mail. What was checked is said in one line that goes into the commit message; no
//! byte of the mbox reaches that line unchecked.

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use crate::config::Config;
use crate::tally::{configured_sender, obtain, Ballot, Outcome, Tally, Thread};
use crate::version::Candidate;
use crate::Ctx;

/// How `promote` learns that the vote passed.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct VoteEvidenceArgs {
    /// The vote thread as an mbox (lists.apache.org: thread, download mbox): counted as `vote
    /// tally` counts it; the candidate is promoted only when the vote passed.
    #[arg(long, value_name = "FILE", value_parser = crate::args::absolute_path)]
    pub mbox: Option<Utf8PathBuf>,
    /// The PMC roster for that count: committee-info.json, or a list of Apache ids / addresses.
    #[arg(long, value_name = "FILE", value_parser = crate::args::absolute_path)]
    pub roster: Option<Utf8PathBuf>,
    /// On purpose, for a vote counted elsewhere: the https archive URL of its [RESULT] mail.
    /// The thread is not counted then; the URL goes into the commit message as the evidence.
    #[arg(long, value_name = "URL", conflicts_with_all = ["mbox", "roster"])]
    pub vote_counted_elsewhere: Option<String>,
}

/// Why the candidate may be promoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// Our count of the thread: the vote passed.
    Counted {
        binding_plus: usize,
        binding_minus: usize,
        /// `<message-id>` of the VOTE mail when it is a plain one, else where it is in the mbox.
        thread: String,
    },
    /// The release manager named the [RESULT] mail of a vote counted elsewhere (checked to be
    /// a plain https URL).
    Elsewhere { url: String },
}

impl Evidence {
    /// What was checked, in one line of plain ASCII (the commit message carries it).
    pub fn summary(&self) -> String {
        match self {
            Evidence::Counted {
                binding_plus,
                binding_minus,
                thread,
            } => format!(
                "vote passed: {binding_plus} binding +1, {binding_minus} binding -1, thread \
                 {thread}"
            ),
            Evidence::Elsewhere { url } => {
                format!("vote counted elsewhere, not by this tool: the release manager named {url}")
            }
        }
    }
}

/// The count of `vote tally`: the thread in `mbox` (else in the dev list's archive) under
/// `roster` (else the committee's roster from whimsy), the VOTE mail sent by `from` (else by
/// the configured sender, as a hint), at the current time.
pub fn count(
    ctx: &Ctx,
    config: &Config,
    candidate: &Candidate,
    mbox: Option<&Utf8Path>,
    roster: Option<&Utf8Path>,
    from: Option<&str>,
) -> Result<Tally> {
    let sender = configured_sender(ctx, config);
    let release_manager = match (from, &sender) {
        (Some(from), _) => Some((from, true)),
        (None, Some(sender)) => Some((sender.as_str(), false)),
        (None, None) => None,
    };
    let now = crate::clock::now()?;
    let thread = Thread { mbox, roster };
    obtain(ctx, config, candidate, thread, release_manager, now)
}

/// The evidence that the vote on `version` RC `rc` passed, or the refusal that says what is
/// missing and how to give it.
pub fn require(
    ctx: &Ctx,
    config: &Config,
    candidate: &Candidate,
    args: &VoteEvidenceArgs,
) -> Result<Evidence> {
    if let Some(url) = &args.vote_counted_elsewhere {
        let url = checked_url(url).context(
            "--vote-counted-elsewhere names the [RESULT] mail of the vote: give its https \
             archive URL, like https://lists.apache.org/thread/<id>",
        )?;
        return Ok(Evidence::Elsewhere { url });
    }
    // The thread as given, else the one in the dev list's archive (as `vote tally` reads it).
    let mbox = args.mbox.as_deref();
    let counted = count(ctx, config, candidate, mbox, args.roster.as_deref(), None);
    let tally = match (counted, mbox) {
        (Ok(tally), _) => tally,
        (Err(err), Some(_)) => return Err(err),
        (Err(err), None) => {
            return Err(err.context(format!(
                "no evidence that the vote on {candidate} passed, so nothing was changed: \
                 the vote thread could not be counted from the archive of {}. Download the \
                 thread as an mbox from lists.apache.org (thread, download mbox) and pass it \
                 with --mbox <FILE> (and the PMC roster with --roster <committee-info.json>): \
                 the vote is counted as `cargo xtask vote tally` counts it. For a vote counted \
                 elsewhere, name its [RESULT] mail on purpose with --vote-counted-elsewhere \
                 <https URL of the archived mail>",
                config.dev_list
            )))
        }
    };
    let plus = tally.count(true, Ballot::PlusOne);
    let minus = tally.count(true, Ballot::MinusOne);
    let details = format!(
        "run `cargo xtask vote tally {} --rc {}{}{} --verbose` for the details",
        candidate.version,
        candidate.rc,
        mbox.map(|m| format!(" --mbox {m}")).unwrap_or_default(),
        args.roster
            .as_ref()
            .map(|r| format!(" --roster {r}"))
            .unwrap_or_default()
    );
    match tally.outcome() {
        Outcome::Passed => Ok(Evidence::Counted {
            binding_plus: plus,
            binding_minus: minus,
            thread: thread_name(&tally),
        }),
        Outcome::Failed => bail!(
            "the vote on {candidate} did not pass ({plus} binding +1, {minus} binding -1; \
             it takes at least 3 binding +1 and more +1 than -1): nothing was changed. {details}; \
             fix what the -1 votes name and start the next candidate"
        ),
        Outcome::NotYet => bail!(
            "the vote on {candidate} is still open until {} (72 hours): nothing was \
             changed; download the thread again once it is over",
            crate::clock::human_date(tally.window_end())
        ),
        Outcome::NotDecided => bail!(
            "the vote on {candidate} is not decided: mails that may be forged or could not \
             be read could change the result, so nothing was changed; {details}: it names them \
             and what to do"
        ),
        Outcome::Undecided => bail!(
            "no --roster: without the PMC roster no vote is binding, so nothing tells that the \
             vote passed; nothing was changed. Rerun with --roster committee-info.json (or a \
             list of the PMC's Apache ids)"
        ),
    }
}

/// The VOTE mail as the commit message names it: its Message-ID when that is a plain one
/// (checked character by character: it comes from the mbox), else its place in the mbox.
fn thread_name(tally: &Tally) -> String {
    match tally.opening.message_id.as_deref() {
        Some(id) if plain_message_id(id) => format!("<{id}>"),
        _ => format!(
            "of the VOTE mail at message {} of the mbox (its Message-ID is not a plain one)",
            tally.opening.message
        ),
    }
}

/// `local@domain` of printable ASCII without spaces, quotes or brackets, at most 200 bytes.
fn plain_message_id(id: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "!#$%&*+-./=?^_~@".contains(c);
    id.len() <= 200
        && id.split('@').count() == 2
        && id.split('@').all(|part| !part.is_empty())
        && id.chars().all(allowed)
}

/// A plain https URL: host of letters, digits, dots and dashes, a path, no credentials, no
/// spaces, quotes or brackets, at most 400 bytes.
fn checked_url(text: &str) -> Result<String> {
    let shown = crate::untrusted::escape_short(text.as_bytes(), 120);
    let Some(rest) = text.strip_prefix("https://") else {
        bail!("`{shown}` is not an https URL");
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host_ok = host.contains('.')
        && !host.starts_with(['.', '-'])
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !host_ok {
        bail!("`{shown}` has no plain host name (letters, digits, dots; no credentials)");
    }
    let path_ok = path
        .chars()
        .all(|c| c.is_ascii_graphic() && !"\"'<>\\^`{|}".contains(c));
    if path.is_empty() || !path_ok || text.len() > 400 {
        bail!(
            "`{shown}` does not name one mail: a path of printable characters without quotes, \
             brackets or spaces, at most 400 bytes"
        );
    }
    Ok(text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_https_urls_name_a_vote_counted_elsewhere() {
        let good = "https://lists.apache.org/thread/abc123?dev@demo.apache.org";
        assert_eq!(checked_url(good).unwrap(), good);
        for bad in [
            "http://lists.apache.org/thread/1",
            "https://lists.apache.org",
            "https://lists.apache.org/",
            "https://user:pw@lists.apache.org/thread/1",
            "https://lists.apache.org/thread/1 2",
            "https://lists.apache.org/thread/1\nSigned-off-by: x",
            "https://lists.apache.org/thread/<script>",
            "https://localhost/thread/1",
            "javascript:alert(1)",
        ] {
            assert!(checked_url(bad).is_err(), "{bad}");
        }
        assert!(checked_url(&format!("https://a.org/{}", "x".repeat(400))).is_err());
    }

    #[test]
    fn only_a_plain_message_id_reaches_the_commit_message() {
        assert!(plain_message_id("1.rm@apache.org"));
        assert!(plain_message_id("CAB+x=y_z@mail.gmail.com"));
        for bad in [
            "no-at-sign",
            "a@b@c",
            "@apache.org",
            "a b@apache.org",
            "a@apache.org>\nr1 | evil",
            "a\u{202e}@apache.org",
        ] {
            assert!(!plain_message_id(bad), "{bad:?}");
        }
        assert!(!plain_message_id(&format!("{}@a.org", "x".repeat(200))));
    }
}
