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

//! The tally as the release manager reads it (text) or a script does (`--json`). Every piece of
//! mail content in it is escaped (crate::untrusted): names, subjects, message ids, lines.

use serde_json::json;

use super::{Ballot, Outcome, Source, Tally};
use crate::clock::human_date;
use crate::untrusted::{escape_short, escape_str};

/// Characters of a quoted vote line or message id.
const MAX_SHOWN: usize = 200;

fn shown(text: &str) -> String {
    escape_short(text.as_bytes(), MAX_SHOWN)
}

fn message(source_id: &Option<String>, number: usize) -> String {
    match source_id {
        Some(id) => format!("message {number} <{}>", shown(id)),
        None => format!("message {number} (no Message-ID)"),
    }
}

fn trace(source: &Source) -> String {
    format!(
        "{}, {} line {}: \"{}\"",
        human_date(source.date),
        message(&source.message_id, source.message),
        source.line_number,
        shown(&source.line)
    )
}

fn link(link: &Option<String>) -> String {
    link.as_ref()
        .map(|url| format!(" ({})", shown(url)))
        .unwrap_or_default()
}

pub fn text(tally: &Tally, verbose: bool) -> String {
    let opening = &tally.opening;
    let mut out = format!("vote: {}\n", shown(&opening.subject));
    match &tally.thread_url {
        Some(url) => out.push_str(&format!(
            "thread: {} ({})\n",
            shown(url),
            shown(&tally.thread_source)
        )),
        None => out.push_str(&format!("thread: {}\n", shown(&tally.thread_source))),
    }
    out.push_str(&format!(
        "opening mail: {} from {} ({})\n",
        message(&opening.message_id, opening.message),
        opening.from,
        opening.rule
    ));
    let end = tally.window_end();
    out.push_str(&format!(
        "opened {}; 72 hours end {}{}\n",
        human_date(tally.started),
        human_date(end),
        if tally.window_over() {
            String::new()
        } else {
            format!(" ({} hours left)", (end - tally.now + 3599) / 3600)
        }
    ));
    for (binding, label) in [(true, "binding"), (false, "non-binding")] {
        out.push_str(&format!("{label} votes:\n"));
        for ballot in Ballot::ALL {
            let names: Vec<String> = tally
                .votes
                .iter()
                .filter(|vote| vote.binding == binding && vote.ballot == ballot)
                .map(|vote| vote.safe_name())
                .collect();
            out.push_str(&format!("  {ballot}: {}", names.len()));
            if !names.is_empty() {
                out.push_str(&format!(" ({})", names.join(", ")));
            }
            out.push('\n');
        }
    }
    out.push_str("each vote (the last vote of each person counts):\n");
    for vote in &tally.votes {
        out.push_str(&format!(
            "  {} {}: {}, {} ({})\n",
            vote.ballot,
            vote.safe_name(),
            trace(&vote.source),
            if vote.binding {
                "binding"
            } else {
                "non-binding"
            },
            vote.why
        ));
        for (ballot, date) in &vote.changed_from {
            out.push_str(&format!(
                "      changed from {ballot} (cast {})\n",
                human_date(*date)
            ));
        }
    }
    for doubtful in &tally.doubtful {
        out.push_str(&format!(
            "doubtful, not counted: {} {} ({}): {}: {}{}\n",
            doubtful.ballot,
            doubtful.from,
            doubtful.standing,
            trace(&doubtful.source),
            doubtful.why.join("; "),
            link(&doubtful.source.link)
        ));
    }
    for ambiguous in &tally.ambiguous {
        out.push_str(&format!(
            "ambiguous, not counted: {}: {} ({})\n",
            ambiguous.from,
            trace(&ambiguous.source),
            ambiguous.why
        ));
    }
    for unreadable in &tally.unreadable {
        out.push_str(&format!(
            "unreadable, not counted: {} from {}: {}{}\n",
            message(&unreadable.message_id, unreadable.message),
            unreadable.from,
            unreadable.why,
            link(&unreadable.link)
        ));
    }
    for attached in &tally.attachments {
        out.push_str(&format!(
            "attachment, not read as a vote: {} from {} carries {}: read it in the archive{}\n",
            message(&attached.message_id, attached.message),
            attached.from,
            attached.names.join(", "),
            link(&attached.link)
        ));
    }
    if verbose {
        for skipped in &tally.skipped {
            out.push_str(&format!(
                "skipped {} from {} ({}): {}\n",
                message(&skipped.message_id, skipped.message),
                skipped.from,
                human_date(skipped.date),
                skipped.reason
            ));
        }
    } else if !tally.skipped.is_empty() {
        out.push_str(&format!(
            "{} messages cast no vote (--verbose lists them and why)\n",
            tally.skipped.len()
        ));
    }
    for warning in &tally.warnings {
        out.push_str(&format!("warning: {warning}\n"));
    }
    let plus = tally.count(true, Ballot::PlusOne);
    let minus = tally.count(true, Ballot::MinusOne);
    out.push_str(&match tally.outcome() {
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
        Outcome::Undecided => {
            "result: UNDECIDED: without a roster no vote is binding; pass the PMC roster\n"
                .to_string()
        }
        Outcome::NotDecided => not_decided(tally, plus, minus),
    });
    out
}

/// The messages a person has to check, and what to do about them.
fn not_decided(tally: &Tally, plus: usize, minus: usize) -> String {
    let mut out = format!(
        "result: NOT DECIDED ({plus} binding +1, {minus} binding -1 from mails nothing speaks \
         against): check these {} messages in the archive, they could change the result:\n",
        tally.checks.len()
    );
    for check in &tally.checks {
        out.push_str(&format!(
            "  - {} from {}: {}{}\n",
            message(&check.message_id, check.message),
            check.from,
            check.why,
            link(&check.link)
        ));
    }
    out.push_str(
        "then: read each (its headers too) in the archive. A voter whose mail is in doubt \
         confirms the vote with a reply to the thread from their @apache.org address (a later \
         vote nothing speaks against replaces it); a PMC member writing from another address \
         is added with that address to a roster file (`id  other@address`, --roster FILE); a \
         message that could not be read is asked about on the thread. Then count again.\n",
    );
    out
}

fn source_json(source: &Source) -> serde_json::Value {
    json!({
        "date": human_date(source.date),
        "epoch": source.date,
        "mbox_message": source.message,
        "message_id": source.message_id.as_deref().map(escape_str),
        "line_number": source.line_number,
        "line": shown(&source.line),
        "link": source.link.as_deref().map(shown),
    })
}

pub fn json(tally: &Tally) -> String {
    let counts = |binding: bool| {
        json!({
            "+1": tally.count(binding, Ballot::PlusOne),
            "+0": tally.count(binding, Ballot::PlusZero),
            "-0": tally.count(binding, Ballot::MinusZero),
            "-1": tally.count(binding, Ballot::MinusOne),
        })
    };
    let value = json!({
        "subject": shown(&tally.opening.subject),
        "opening": {
            "from": tally.opening.from,
            "mbox_message": tally.opening.message,
            "message_id": tally.opening.message_id.as_deref().map(escape_str),
            "date": human_date(tally.started),
            "epoch": tally.started,
            "release_manager_by": tally.opening.rule,
        },
        "window_end": human_date(tally.window_end()),
        "now": human_date(tally.now),
        "outcome": match tally.outcome() {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::NotYet => "not yet",
            Outcome::Undecided => "undecided",
            Outcome::NotDecided => "not decided",
        },
        "thread": shown(&tally.thread_source),
        "thread_url": tally.thread_url.as_deref().map(shown),
        "binding": counts(true),
        "non_binding": counts(false),
        "votes": tally.votes.iter().map(|vote| json!({
            "voter": vote.safe_name(),
            "vote": vote.ballot,
            "binding": vote.binding,
            "why": vote.why,
            "source": source_json(&vote.source),
            "changed_from": vote.changed_from.iter().map(|(ballot, date)| json!({
                "vote": ballot, "date": human_date(*date),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "ambiguous": tally.ambiguous.iter().map(|a| json!({
            "voter": a.from, "source": source_json(&a.source), "why": a.why,
        })).collect::<Vec<_>>(),
        "doubtful": tally.doubtful.iter().map(|d| json!({
            "voter": d.from, "vote": d.ballot, "standing": d.standing,
            "source": source_json(&d.source), "why": d.why,
        })).collect::<Vec<_>>(),
        "unreadable": tally.unreadable.iter().map(|u| json!({
            "from": u.from,
            "mbox_message": u.message,
            "message_id": u.message_id.as_deref().map(escape_str),
            "why": u.why,
            "link": u.link.as_deref().map(shown),
        })).collect::<Vec<_>>(),
        "attachments": tally.attachments.iter().map(|a| json!({
            "from": a.from,
            "mbox_message": a.message,
            "message_id": a.message_id.as_deref().map(escape_str),
            "names": a.names,
        })).collect::<Vec<_>>(),
        "checks": tally.checks.iter().map(|c| json!({
            "from": c.from,
            "mbox_message": c.message,
            "message_id": c.message_id.as_deref().map(escape_str),
            "why": c.why,
            "link": c.link.as_deref().map(shown),
        })).collect::<Vec<_>>(),
        "skipped": tally.skipped.iter().map(|s| json!({
            "from": s.from,
            "mbox_message": s.message,
            "message_id": s.message_id.as_deref().map(escape_str),
            "date": human_date(s.date),
            "reason": s.reason,
        })).collect::<Vec<_>>(),
        "warnings": tally.warnings,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}
