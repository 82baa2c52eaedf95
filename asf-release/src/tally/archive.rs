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

//! Where the thread and the roster come from: the files given (`--mbox`, `--roster`, read
//! offline), or the ASF's public services. The thread: the dev list's archive is searched for
//! the candidate's [VOTE] mail (by subject, within the last 180 days), the thread it opens is
//! listed, and each message is fetched as archived (raw headers, addresses not obfuscated) and
//! joined into the mbox the tally reads, at most `MAX_MESSAGES` messages and
//! `MAX_MBOX_BYTES` in all. The roster: the committee's in `committee-info.json` (a podling:
//! its PPMC, the owners of its LDAP group).

use anyhow::{bail, Context, Result};
use camino::Utf8Path;

use super::count::{self, Ask};
use super::mbox::{self, Post};
use super::roster::{self, Roster};
use super::subject::{base_subject, naming, tag, Naming};
use super::thread::NoVoteMail;
use super::{list_id, ReleaseManager, Tally};
use crate::clock::iso_date;
use crate::config::Config;
use crate::tools::lists::{Lists, Source, Summary};
use crate::tools::whimsy;
use crate::untrusted::escape_short;
use crate::version::Candidate;
use crate::Ctx;

/// How far back the archive is searched for the [VOTE] mail.
const SEARCH_DAYS: i64 = 180;
/// Messages fetched from the archive for one vote.
const MAX_MESSAGES: usize = 1000;
/// A message fetched whole; a larger one is read for its headers only.
const SOURCE_LIMIT: u64 = 16 << 20;

/// The files given on the command line; what is missing is fetched.
#[derive(Debug, Clone, Copy, Default)]
pub struct Thread<'a> {
    pub mbox: Option<&'a Utf8Path>,
    pub roster: Option<&'a Utf8Path>,
}

/// Tallies the vote on `version` RC `rc`: the thread from `thread.mbox` or the dev list's
/// archive, the roster from `thread.roster` or the ASF's committee data.
pub fn obtain(
    ctx: &Ctx,
    config: &Config,
    candidate: &Candidate,
    thread: Thread,
    release_manager: ReleaseManager,
    now: i64,
) -> Result<Tally> {
    // The thread first: a file is checked before anything is fetched, and without a VOTE
    // mail in the archive there is nothing to count.
    let list = list_id(&config.dev_list);
    let lists = match thread.mbox {
        Some(_) => None,
        None => Some(Lists::from_env(&ctx.sh)?),
    };
    let (source, posts) = match (thread.mbox, &lists) {
        (Some(path), _) => {
            let bytes = mbox::read_file(path)?;
            (
                path.to_string(),
                mbox::parse(path, &bytes, list.as_deref())?,
            )
        }
        (None, Some(lists)) => (
            format!("the archive of {}", config.dev_list),
            fetch(lists, &config.dev_list, candidate, now)?,
        ),
        (None, None) => bail!("internal error: no thread to count; please report this bug"),
    };
    let roster = match thread.roster {
        Some(path) => roster::read_file(path, &config.tlp)?,
        None => {
            // The public roster knows `<id>@apache.org` only, so it makes no two addresses one
            // person: what is wrong with the thread shows without it, before it is fetched.
            super::thread::find(
                Utf8Path::new(&source),
                &posts,
                candidate,
                release_manager,
                None,
            )?;
            public_roster(ctx, config)?
        }
    };
    count::count(
        &Ask {
            source: &source,
            roster: Some(&roster),
            candidate,
            release_manager,
            now,
            archive: lists.as_ref(),
        },
        posts,
    )
}

/// The PMC (a podling: the PPMC) from the ASF's public data.
fn public_roster(ctx: &Ctx, config: &Config) -> Result<Roster> {
    if config.incubating {
        let (url, text) = whimsy::public_file(&ctx.sh, whimsy::LDAP_PROJECTS)?;
        return roster::parse_ldap_owners(&url, &text, &config.tlp);
    }
    let (url, text) = whimsy::public_file(&ctx.sh, whimsy::COMMITTEE_INFO)?;
    let mut roster = roster::parse_roster(Utf8Path::new(&url), &text, &config.tlp)?;
    roster.source = url;
    Ok(roster)
}

/// The thread of the candidate's [VOTE] mail in the archive of `dev_list`, as posts.
fn fetch(lists: &Lists, dev_list: &str, candidate: &Candidate, now: i64) -> Result<Vec<Post>> {
    let (local, domain) = dev_list
        .split_once('@')
        .with_context(|| format!("dev-list `{dev_list}` is not an address: fix the setting"))?;
    let expected = list_id(dev_list).unwrap_or_default();
    let ours = |summary: &Summary| summary.list.eq_ignore_ascii_case(&expected);
    let days = (iso_date(now - SEARCH_DAYS * 86_400), iso_date(now + 86_400));
    let hits = lists.search(local, domain, "vote", (&days.0, &days.1))?;
    let names = |summary: &Summary| {
        let (base, _) = base_subject(&summary.subject);
        naming(&base, candidate) != Naming::Other
    };
    let opens = |summary: &Summary| {
        let (base, reply) = base_subject(&summary.subject);
        !reply && base.to_ascii_lowercase().starts_with("[vote]") && !tag(&base, "[result]")
    };
    let roots: Vec<&Summary> = hits
        .iter()
        .filter(|s| ours(s) && names(s) && opens(s))
        .collect();
    if roots.is_empty() {
        let mut seen: Vec<String> = hits
            .iter()
            .filter(|s| ours(s) && opens(s))
            .map(|s| format!("`{}`", escape_short(s.subject.as_bytes(), 100)))
            .collect();
        seen.dedup();
        seen.truncate(5);
        return Err(NoVoteMail(format!(
            "the archive of {dev_list} ({}) holds no [VOTE] mail on {candidate} from {} \
             to {} ({}): send the VOTE mail (`cargo xtask mail vote {} --rc {} \
             --send`, or the vote.eml it wrote) and wait a few minutes for the archive; if it \
             went out with another subject, pass the thread with --mbox FILE",
            lists.base(),
            days.0,
            days.1,
            match seen.is_empty() {
                true => "it holds no [VOTE] mail at all".to_string(),
                false => format!("it holds {}", seen.join(", ")),
            },
            candidate.version,
            candidate.rc
        ))
        .into());
    }
    // Every message of the candidate's threads, and any message whose subject names the
    // candidate (a reply the archive could not thread, the [RESULT] mail).
    let mut wanted: Vec<Summary> = hits
        .iter()
        .filter(|s| ours(s) && names(s))
        .cloned()
        .collect();
    for root in &roots {
        let thread = lists.thread(&root.mid)?.unwrap_or_default();
        wanted.extend(thread.into_iter().filter(|s| ours(s)));
    }
    wanted.sort_by(|a, b| (a.epoch, &a.mid).cmp(&(b.epoch, &b.mid)));
    wanted.dedup_by(|a, b| a.mid == b.mid);
    if wanted.len() > MAX_MESSAGES {
        bail!(
            "the vote thread in the archive of {dev_list} has more than {MAX_MESSAGES} \
             messages: download it as an mbox and pass it with --mbox FILE"
        );
    }
    let bar = crate::progress::bar(wanted.len() as u64, "messages");
    let mut joined = Vec::new();
    let mut fetched = Vec::new();
    let mut missing = Vec::new();
    for summary in &wanted {
        match lists.source(&summary.mid, SOURCE_LIMIT)? {
            Source::Found(bytes) => {
                mbox::append(&mut joined, &bytes, summary.epoch);
                fetched.push(summary.mid.clone());
            }
            Source::NotFound => missing.push((summary, "the archive gives no source of it")),
            Source::TooLarge => missing.push((summary, "it is larger than 16 MiB in the archive")),
        }
        if joined.len() as u64 > mbox::MAX_MBOX_BYTES {
            bail!(
                "the vote thread in the archive of {dev_list} is larger than {} MiB: download \
                 it as an mbox and pass it with --mbox FILE",
                mbox::MAX_MBOX_BYTES >> 20
            );
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let label = format!("the archive of {dev_list}");
    let mut posts = match joined.is_empty() {
        true => Vec::new(),
        false => mbox::parse(Utf8Path::new(&label), &joined, Some(&expected))?,
    };
    if posts.len() != fetched.len() {
        bail!(
            "the messages of the archive of {dev_list} did not come back one for one from the \
             mbox built of them ({} of {}): please report this bug, and pass the thread with \
             --mbox FILE",
            posts.len(),
            fetched.len()
        );
    }
    for (post, mid) in posts.iter_mut().zip(fetched) {
        post.archive_id = Some(mid);
    }
    // A message the archive would not give is known by what its listing says.
    for (summary, why) in missing {
        posts.push(Post {
            number: posts.len() + 1,
            archive_id: Some(summary.mid.clone()),
            subject: summary.subject.clone(),
            date: summary.epoch,
            parents: match summary.in_reply_to.trim() {
                "" => Vec::new(),
                id => vec![id.trim_matches(['<', '>']).to_string()],
            },
            unreadable: Some(why.to_string()),
            ..Post::default()
        });
    }
    Ok(posts)
}
