//! `vote tally`: reads the vote thread (an mbox as lists.apache.org exports it), finds each
//! voter's last vote, decides which votes are binding from the PMC roster, and says whether
//! the vote passed: at least three binding +1 and more binding +1 than binding -1, once the
//! 72 hours are over.

use std::collections::BTreeMap;
use std::fmt;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use mail_parser::mailbox::mbox::MessageIterator;
use mail_parser::MessageParser;

use crate::cli::TallyArgs;
use crate::config::Config;
use crate::steps::mail::{human_date, now, VOTE_HOURS};
use crate::version::Version;
use crate::Ctx;

/// Exit codes of `vote tally`, for scripts.
pub const EXIT_PASSED: u8 = 0;
pub const EXIT_FAILED: u8 = 3;
pub const EXIT_NOT_YET: u8 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ballot {
    PlusOne,
    PlusZero,
    MinusZero,
    MinusOne,
}

impl fmt::Display for Ballot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ballot::PlusOne => "+1",
            Ballot::PlusZero => "+0",
            Ballot::MinusZero => "-0",
            Ballot::MinusOne => "-1",
        })
    }
}

/// A voter's last vote.
#[derive(Debug, Clone)]
pub struct Vote {
    /// `Name <address>` as the voter's mail gave it.
    pub name: String,
    pub address: String,
    pub ballot: Ballot,
    pub binding: bool,
    pub date: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    /// The 72 hours are not over.
    NotYet,
}

impl Outcome {
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::NotYet => "still open: the 72 hours are not over",
        }
    }
}

pub struct Tally {
    pub subject: String,
    pub started: i64,
    pub now: i64,
    /// One per voter, in the order of their last vote.
    pub votes: Vec<Vote>,
    pub warnings: Vec<String>,
}

impl Tally {
    pub fn count(&self, binding: bool, ballot: Ballot) -> usize {
        self.votes
            .iter()
            .filter(|vote| vote.binding == binding && vote.ballot == ballot)
            .count()
    }

    /// +0 and -0 together.
    pub fn zero_count(&self, binding: bool) -> usize {
        self.count(binding, Ballot::PlusZero) + self.count(binding, Ballot::MinusZero)
    }

    pub fn window_over(&self) -> bool {
        self.now >= self.started + VOTE_HOURS * 3600
    }

    pub fn outcome(&self) -> Outcome {
        if !self.window_over() {
            return Outcome::NotYet;
        }
        let plus = self.count(true, Ballot::PlusOne);
        let minus = self.count(true, Ballot::MinusOne);
        if plus >= 3 && plus > minus {
            Outcome::Passed
        } else {
            Outcome::Failed
        }
    }

    fn names(&self, binding: bool, ballot: Ballot) -> String {
        let names: Vec<&str> = self
            .votes
            .iter()
            .filter(|vote| vote.binding == binding && vote.ballot == ballot)
            .map(|vote| vote.name.as_str())
            .collect();
        if names.is_empty() {
            String::new()
        } else {
            format!(" ({})", names.join(", "))
        }
    }

    pub fn report(&self) -> String {
        let mut out = format!("vote: {}\n", self.subject);
        let end = self.started + VOTE_HOURS * 3600;
        out.push_str(&format!(
            "opened {}; 72 hours end {}{}\n",
            human_date(self.started),
            human_date(end),
            if self.window_over() {
                String::new()
            } else {
                format!(" ({} hours left)", (end - self.now + 3599) / 3600)
            }
        ));
        for (binding, label) in [(true, "binding"), (false, "non-binding")] {
            out.push_str(&format!("{label} votes:\n"));
            for ballot in [
                Ballot::PlusOne,
                Ballot::PlusZero,
                Ballot::MinusZero,
                Ballot::MinusOne,
            ] {
                out.push_str(&format!(
                    "  {ballot}: {}{}\n",
                    self.count(binding, ballot),
                    self.names(binding, ballot)
                ));
            }
        }
        for warning in &self.warnings {
            out.push_str(&format!("warning: {warning}\n"));
        }
        let plus = self.count(true, Ballot::PlusOne);
        let minus = self.count(true, Ballot::MinusOne);
        out.push_str(&match self.outcome() {
            Outcome::Passed => format!(
                "result: PASSED ({plus} binding +1, {minus} binding -1): send `cargo xtask mail result`\n"
            ),
            Outcome::Failed => format!(
                "result: FAILED ({plus} binding +1, {minus} binding -1; it needs at least 3 binding +1 \
                 and more binding +1 than -1)\n"
            ),
            Outcome::NotYet => format!(
                "result: NOT YET: the vote stays open until {} ({plus} binding +1 so far)\n",
                human_date(end)
            ),
        });
        out
    }
}

/// The PMC members whose votes are binding, by lower-case address.
pub struct Roster {
    members: BTreeMap<String, String>,
}

impl Roster {
    fn contains(&self, address: &str) -> bool {
        self.members.contains_key(&address.to_ascii_lowercase())
    }
}

/// Reads a roster: the ASF's `committee-info.json` (the committee `tlp`), or a plain list of
/// Apache ids or addresses, one a line, `#` starting a comment.
pub fn parse_roster(path: &Utf8Path, text: &str, tlp: &str) -> Result<Roster> {
    let mut members = BTreeMap::new();
    if text.trim_start().starts_with('{') {
        let json: serde_json::Value = serde_json::from_str(text).with_context(|| {
            format!("{path} is not valid JSON (committee-info.json format expected)")
        })?;
        let committees = json
            .get("committees")
            .and_then(|c| c.as_object())
            .with_context(|| {
                format!("{path} has no `committees` object: is it committee-info.json from whimsy?")
            })?;
        let committee = committees.get(tlp).with_context(|| {
            let known: Vec<&str> = committees.keys().map(String::as_str).take(20).collect();
            format!(
                "{path} has no committee `{tlp}` (it has {}): check the tlp setting",
                known.join(", ")
            )
        })?;
        let roster = committee
            .get("roster")
            .and_then(|r| r.as_object())
            .with_context(|| format!("{path}: committee `{tlp}` has no `roster` object"))?;
        for (id, entry) in roster {
            let name = entry
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or(id)
                .to_string();
            members.insert(format!("{}@apache.org", id.to_ascii_lowercase()), name);
        }
    } else {
        for (number, line) in text.lines().enumerate() {
            let entry = line.split('#').next().unwrap_or_default().trim();
            if entry.is_empty() {
                continue;
            }
            let valid = !entry.contains(char::is_whitespace)
                && entry.matches('@').count() <= 1
                && !entry.starts_with('@')
                && !entry.ends_with('@');
            if !valid {
                bail!(
                    "{path} line {}: `{entry}` is not an Apache id or an email address; write \
                     one id (like `jdoe`) or address per line",
                    number + 1
                );
            }
            let address = if entry.contains('@') {
                entry.to_ascii_lowercase()
            } else {
                format!("{}@apache.org", entry.to_ascii_lowercase())
            };
            members.insert(address, entry.to_string());
        }
    }
    if members.is_empty() {
        bail!("{path} names nobody: a roster needs the PMC members");
    }
    Ok(Roster { members })
}

/// The vote a reply casts: the first line of the reply's own text (quoted lines, the quote's
/// attribution and the signature left out) that starts with +1, +0, -0 or -1 (a ticked
/// `[x]` before it is fine). The flag says whether the voter called it binding.
pub fn find_vote(body: &str) -> Option<(Ballot, bool)> {
    for line in body.lines() {
        let trimmed = line.trim();
        // A signature, or the start of a quote in Outlook's style.
        if trimmed == "--"
            || trimmed.starts_with("-----Original Message-----")
            || (trimmed.len() >= 20 && trimmed.bytes().all(|b| b == b'_'))
        {
            break;
        }
        if trimmed.starts_with('>') {
            continue;
        }
        let mut text = trimmed;
        if let Some(rest) = text.strip_prefix('[') {
            if let Some((inside, after)) = rest.split_once(']') {
                if inside.trim().eq_ignore_ascii_case("x") {
                    text = after.trim_start();
                }
            }
        }
        let ballot = [
            ("+1", Ballot::PlusOne),
            ("+0", Ballot::PlusZero),
            ("-0", Ballot::MinusZero),
            ("-1", Ballot::MinusOne),
        ]
        .into_iter()
        .find_map(|(token, ballot)| {
            let rest = text.strip_prefix(token)?;
            let ends = rest
                .chars()
                .next()
                .is_none_or(|c| !c.is_ascii_alphanumeric() && c != '.');
            ends.then_some(ballot)
        });
        if let Some(ballot) = ballot {
            let lower = text.to_ascii_lowercase();
            let claimed = lower.contains("binding")
                && !lower.contains("non-binding")
                && !lower.contains("non binding")
                && !lower.contains("nonbinding");
            return Some((ballot, claimed));
        }
        // The attribution of a quote ("On Mon, Alice wrote:"): what follows is hers.
        if trimmed.ends_with("wrote:") {
            break;
        }
    }
    None
}

/// One message of the thread, as the tally reads it.
struct Post {
    subject: String,
    name: String,
    address: String,
    date: i64,
    body: String,
}

/// Splits the mbox into messages and parses each; errors name the message and its line.
fn read_mbox(path: &Utf8Path, bytes: &[u8]) -> Result<Vec<Post>> {
    // Text before the first `From ` line would be dropped silently by the reader: refuse it.
    let first = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .find(|(_, line)| !line.iter().all(u8::is_ascii_whitespace));
    match first {
        None => bail!("{path} is empty: export the vote thread from lists.apache.org as mbox"),
        Some((index, line)) if !line.starts_with(b"From ") => bail!(
            "{path} line {}: not an mbox (each message starts with a `From ` line); export the \
             vote thread from lists.apache.org as mbox",
            index + 1
        ),
        Some(_) => {}
    }
    let starts: Vec<usize> = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, line)| line.starts_with(b"From "))
        .map(|(index, _)| index + 1)
        .collect();
    let parser = MessageParser::default();
    let mut posts = Vec::new();
    for (number, item) in MessageIterator::new(std::io::Cursor::new(bytes)).enumerate() {
        let line = starts.get(number).copied().unwrap_or(0);
        let at = format!("{path} message {} (line {line})", number + 1);
        let raw = item.with_context(|| format!("cannot read {at}"))?;
        let message = parser
            .parse(raw.contents())
            .with_context(|| format!("{at} is not a mail message"))?;
        let sender = message
            .from()
            .and_then(|from| from.first())
            .with_context(|| format!("{at} has no From: header"))?;
        let address = sender
            .address()
            .filter(|address| address.contains('@'))
            .with_context(|| format!("{at} has a From: header without an address"))?
            .to_ascii_lowercase();
        let name = match sender.name() {
            Some(name) if !name.trim().is_empty() => format!("{} <{address}>", name.trim()),
            _ => address.clone(),
        };
        let date = match message.date() {
            Some(date) if date.is_valid() => date.to_timestamp(),
            _ if raw.internal_date() > 0 => raw.internal_date() as i64,
            _ => bail!("{at} has no valid Date: header"),
        };
        posts.push(Post {
            subject: message.subject().unwrap_or_default().trim().to_string(),
            name,
            address,
            date,
            body: message.body_text(0).unwrap_or_default().into_owned(),
        });
    }
    Ok(posts)
}

/// Tallies the thread in `mbox_text` for `version` RC `rc` at time `now`.
pub fn tally(
    path: &Utf8Path,
    mbox: &[u8],
    roster: Option<&Roster>,
    version: &Version,
    rc: u32,
    now: i64,
) -> Result<Tally> {
    let mut posts = read_mbox(path, mbox)?;
    // Mail arrives out of order; the Date headers decide (a stable sort keeps the mbox order
    // for equal dates).
    posts.sort_by_key(|post| post.date);
    let start = posts
        .iter()
        .position(|post| post.subject.starts_with("[VOTE]"))
        .with_context(|| {
            format!(
                "{path} has no [VOTE] mail (a message whose subject starts with `[VOTE]`): export \
                 the whole vote thread"
            )
        })?;
    let opening = &posts[start];
    let lower = opening.subject.to_ascii_lowercase();
    if !lower.contains(&version.to_string()) || !lower.contains(&format!("rc{rc}")) {
        bail!(
            "{path} holds the thread `{}`, not the vote on {version} RC{rc}: download the right \
             thread, or check the version and --rc",
            opening.subject
        );
    }
    let mut warnings = Vec::new();
    if roster.is_none() {
        warnings.push(
            "no --roster: a vote counts as binding only when its voter wrote \"binding\"; pass \
             the PMC roster (committee-info.json or a list of ids) to check"
                .to_string(),
        );
    }
    let mut last: BTreeMap<String, Vote> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    // Every reply counts, even one whose clock put it before the VOTE mail.
    for (index, post) in posts.iter().enumerate() {
        if index == start || post.subject.contains("[RESULT]") {
            continue;
        }
        let Some((ballot, claimed)) = find_vote(&post.body) else {
            continue;
        };
        let binding = match roster {
            Some(roster) => {
                let member = roster.contains(&post.address);
                if claimed && !member {
                    let warning = format!(
                        "{} called the vote binding but is not on the roster: counted as \
                         non-binding (a PMC member writing from another address? add it to the roster)",
                        post.name
                    );
                    if !warnings.contains(&warning) {
                        warnings.push(warning);
                    }
                }
                member
            }
            None => claimed,
        };
        order.retain(|address| *address != post.address);
        order.push(post.address.clone());
        last.insert(
            post.address.clone(),
            Vote {
                name: post.name.clone(),
                address: post.address.clone(),
                ballot,
                binding,
                date: post.date,
            },
        );
    }
    let votes = order
        .iter()
        .filter_map(|address| last.remove(address))
        .collect();
    Ok(Tally {
        subject: opening.subject.clone(),
        started: opening.date,
        now,
        votes,
        warnings,
    })
}

/// Reads the files and tallies (shared with `mail result`).
pub fn tally_files(
    config: &Config,
    version: &Version,
    rc: u32,
    mbox: &Utf8Path,
    roster: Option<&Utf8Path>,
    now: i64,
) -> Result<Tally> {
    let bytes = std::fs::read(mbox)
        .with_context(|| format!("cannot read the mbox {mbox}: download the vote thread"))?;
    let roster = match roster {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the roster {path}"))?;
            Some(parse_roster(path, &text, &config.tlp)?)
        }
        None => None,
    };
    tally(mbox, &bytes, roster.as_ref(), version, rc, now)
}

pub fn run_tally(ctx: &Ctx, args: &TallyArgs) -> Result<ExitCode> {
    let config = ctx.config()?;
    let tally = tally_files(
        &config,
        &args.version,
        args.rc,
        &args.mbox,
        args.roster.as_deref(),
        now()?,
    )?;
    print!("{}", tally.report());
    Ok(ExitCode::from(match tally.outcome() {
        Outcome::Passed => EXIT_PASSED,
        Outcome::Failed => EXIT_FAILED,
        Outcome::NotYet => EXIT_NOT_YET,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_reply_s_own_vote() {
        assert_eq!(find_vote("+1 (binding)\n"), Some((Ballot::PlusOne, true)));
        assert_eq!(
            find_vote("+1 (non-binding)"),
            Some((Ballot::PlusOne, false))
        );
        assert_eq!(find_vote("[X] +1 approve"), Some((Ballot::PlusOne, false)));
        assert_eq!(
            find_vote("-1, the NOTICE is wrong.\nDetails below"),
            Some((Ballot::MinusOne, false))
        );
        assert_eq!(find_vote("-0"), Some((Ballot::MinusZero, false)));
        assert_eq!(
            find_vote("Thanks!\n\nOn Mon, Alice wrote:\n+1\n"),
            None,
            "an unquoted vote under the attribution belongs to the quote"
        );
        assert_eq!(find_vote("Checked the signature.\n> +1 (binding)\n"), None);
        assert_eq!(
            find_vote("Looks good.\n\n-----Original Message-----\n+1 approve\n"),
            None
        );
        assert_eq!(find_vote("+10 points for speed"), None);
        assert_eq!(find_vote("+1.5"), None);
        assert_eq!(find_vote("[ ] +1 approve"), None);
    }

    #[test]
    fn roster_errors_name_the_line() {
        let path = Utf8Path::new("roster.txt");
        let err = parse_roster(path, "alice\nbob smith\n", "demo")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("roster.txt line 2") && err.contains("bob smith"),
            "{err}"
        );
        let roster = parse_roster(path, "# PMC\nAlice\ncarol@example.org\n", "demo").unwrap();
        assert!(roster.contains("alice@apache.org"));
        assert!(roster.contains("Carol@Example.org"));
    }
}
