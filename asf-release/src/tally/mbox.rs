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

//! Reading the vote thread: an mbox as lists.apache.org exports it (or as the tally builds it
//! from the archive), from anyone who can post to the list, so hostile. The file, each
//! message, the number of messages and the text kept per message are bounded. Messages are
//! split at `From ` lines of the mbox form (`From sender Mon May  6 07:08:09 2024`) and
//! unescaped as mboxrd writes them (`>From ` loses one `>`); a `From ` line of another shape
//! is body text. Every message becomes a [`Post`] with only what the tally needs; a message
//! that cannot be read becomes a post that says why, and the count goes on.

use std::io::Read;
use std::sync::LazyLock;

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use mail_parser::MessageParser;
use regex::bytes::Regex;

use super::{authentic, parts};

/// The largest mbox read: a vote thread is a few hundred kilobytes.
pub const MAX_MBOX_BYTES: u64 = 64 << 20;
/// The most messages a thread may hold (ATR's limit too).
pub const MAX_MESSAGES: usize = 10_000;
/// A message larger than this (attachments) is not read, and the report says so.
pub const MAX_MESSAGE_BYTES: usize = 2 << 20;
/// Message ids kept from `In-Reply-To` and `References`.
const MAX_PARENTS: usize = 100;
/// Bytes of a message id kept (RFC 5322 lines are at most 998).
const MAX_ID_BYTES: usize = 998;

/// One message of the mbox, as the tally reads it. All strings are raw outside text: escape
/// them (crate::untrusted) before printing.
#[derive(Debug, Clone, Default)]
pub struct Post {
    /// 1-based position in the mbox.
    pub number: usize,
    /// Without the angle brackets.
    pub message_id: Option<String>,
    /// The list archive's id, when the thread came from the archive.
    pub archive_id: Option<String>,
    /// `In-Reply-To` and `References`, without angle brackets.
    pub parents: Vec<String>,
    pub subject: String,
    pub name: String,
    /// Lower case; empty when the message names no sender.
    pub address: String,
    pub date: i64,
    /// The text the person wrote: every inline text part, the text version of alternatives.
    pub text: String,
    /// The same with the HTML versions, when the mail has two versions that differ.
    pub html: Option<String>,
    /// Attachments, named for a person to read.
    pub attachments: Vec<String>,
    /// Why the sender may not be who the mail says (crate::tally::authentic).
    pub doubts: Vec<String>,
    /// Why the message could not be read; its vote is unknown.
    pub unreadable: Option<String>,
}

/// Reads the mbox file with the size limit; a special file (a FIFO, `/dev/stdin`) is refused.
pub fn read_file(path: &Utf8Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read the mbox {path}: download the vote thread"))?;
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read the mbox {path}"))?;
    if !meta.is_file() {
        bail!("{path} is not a regular file: save the vote thread as a file and pass that");
    }
    let mut bytes = Vec::new();
    file.take(MAX_MBOX_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read the mbox {path}"))?;
    if bytes.len() as u64 > MAX_MBOX_BYTES {
        bail!(
            "{path} is larger than {} MiB: export only the vote thread, not the whole list",
            MAX_MBOX_BYTES >> 20
        );
    }
    Ok(bytes)
}

/// The `From ` line that starts a message: a sender (or `-`, `MAILER-DAEMON`) and a ctime date.
static FROM_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^From \S+ +(Mon|Tue|Wed|Thu|Fri|Sat|Sun) +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) +(\d{1,2}):(\d{2})(?::(\d{2}))?(?: +\S+)? +(\d{4})\b",
    )
    .expect("the From line pattern is valid")
});

/// The time a `From ` line gives, when it is one.
fn from_line_date(line: &[u8]) -> Option<Option<i64>> {
    let found = FROM_LINE.captures(line)?;
    let number = |n: usize| -> Option<u32> {
        std::str::from_utf8(found.get(n)?.as_bytes())
            .ok()?
            .parse()
            .ok()
    };
    const MONTHS: [&[u8]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let month = found
        .get(2)
        .and_then(|m| MONTHS.iter().position(|name| *name == m.as_bytes()));
    let date = (|| {
        let date = mail_parser::DateTime {
            year: u16::try_from(number(7)?).ok()?,
            month: u8::try_from(month? + 1).ok()?,
            day: u8::try_from(number(3)?).ok()?,
            hour: u8::try_from(number(4)?).ok()?,
            minute: u8::try_from(number(5)?).ok()?,
            second: u8::try_from(number(6).unwrap_or(0)).ok()?,
            ..Default::default()
        };
        date.is_valid().then(|| date.to_timestamp())
    })();
    Some(date)
}

/// Where each message is: the line number of its `From ` line, and its bytes after it.
fn boundaries(bytes: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for (index, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.starts_with(b"From ") && from_line_date(line).is_some() {
            starts.push((index + 1, offset));
            if starts.len() > MAX_MESSAGES {
                break;
            }
        }
        offset += line.len() + 1;
    }
    let mut messages = Vec::with_capacity(starts.len());
    for (i, (line, start)) in starts.iter().enumerate() {
        let end = starts.get(i + 1).map_or(bytes.len(), |(_, next)| *next);
        messages.push((*line, *start, end.min(bytes.len())));
    }
    messages
}

/// mboxrd: a body line `>From ` (any number of `>`) lost one `>` to the writer's escaping.
fn unescape(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len());
    for (index, line) in message.split(|b| *b == b'\n').enumerate() {
        if index > 0 {
            out.push(b'\n');
        }
        let quotes = line.iter().take_while(|b| **b == b'>').count();
        if quotes > 0 && line[quotes..].starts_with(b"From ") {
            out.extend_from_slice(&line[1..]);
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

/// Splits the mbox into messages and reads each; an error only when the whole file is not an
/// mbox of a thread.
pub fn parse(path: &Utf8Path, bytes: &[u8], list_id: Option<&str>) -> Result<Vec<Post>> {
    // Text before the first `From ` line would be lost: refuse it.
    let first = bytes
        .split(|b| *b == b'\n')
        .enumerate()
        .find(|(_, line)| !line.iter().all(u8::is_ascii_whitespace));
    match first {
        None => bail!("{path} is empty: export the vote thread from lists.apache.org as mbox"),
        Some((index, line)) if from_line_date(line).is_none() => bail!(
            "{path} line {}: not an mbox (each message starts with a `From ` line like `From \
             sender Mon May  6 07:08:09 2024`); export the vote thread from lists.apache.org \
             as mbox",
            index + 1
        ),
        Some(_) => {}
    }
    let messages = boundaries(bytes);
    if messages.len() > MAX_MESSAGES {
        bail!(
            "{path} holds more than {MAX_MESSAGES} messages: export only the vote thread, not \
             the whole list"
        );
    }
    let parser = MessageParser::default();
    let mut posts = Vec::with_capacity(messages.len());
    for (index, (_, start, end)) in messages.into_iter().enumerate() {
        let raw = &bytes[start..end];
        let (from_line, contents) = match raw.iter().position(|b| *b == b'\n') {
            Some(at) => (&raw[..at], &raw[at + 1..]),
            None => (raw, &raw[raw.len()..]),
        };
        // The empty line before the next `From ` line belongs to the mbox, not the message.
        let contents = contents.strip_suffix(b"\n").unwrap_or(contents);
        let envelope = from_line_date(from_line).flatten();
        posts.push(read(&parser, index + 1, contents, envelope, list_id));
    }
    Ok(posts)
}

/// One message as a post; never fails: what cannot be read is said in `unreadable`.
pub fn read(
    parser: &MessageParser,
    number: usize,
    contents: &[u8],
    envelope_date: Option<i64>,
    list_id: Option<&str>,
) -> Post {
    let mut post = Post {
        number,
        ..Post::default()
    };
    let oversized = contents.len() > MAX_MESSAGE_BYTES;
    // An oversized message is read for its headers only.
    let unescaped = unescape(if oversized {
        header_block(contents)
    } else {
        contents
    });
    let Some(message) = parser.parse(&unescaped[..]) else {
        post.unreadable = Some("it is not a mail message".to_string());
        return post;
    };
    post.message_id = message
        .message_id()
        .map(|id| cut(bare_id(id), MAX_ID_BYTES));
    for value in [message.in_reply_to(), message.references()] {
        for id in value.as_text_list().unwrap_or_default() {
            let id = cut(bare_id(id), MAX_ID_BYTES);
            if !id.is_empty() && !post.parents.contains(&id) && post.parents.len() < MAX_PARENTS {
                post.parents.push(id);
            }
        }
    }
    post.subject = cut(message.subject().unwrap_or_default().trim(), 1000);
    let mut problems = Vec::new();
    match authentic::sender(&message, list_id) {
        Ok(sender) => {
            post.name = cut(&sender.name, 200);
            post.address = cut(&sender.address, 254);
            post.doubts = sender.doubts;
        }
        Err(why) => problems.push(why),
    }
    post.date = match (message.date(), envelope_date) {
        (Some(date), _) if date.is_valid() => date.to_timestamp(),
        (_, Some(date)) => date,
        _ => {
            problems.push("it has no valid Date: (when was it cast?)".to_string());
            0
        }
    };
    if oversized {
        problems.push(format!(
            "it is larger than {} MiB (attachments?) and was not read",
            MAX_MESSAGE_BYTES >> 20
        ));
    } else {
        let views = parts::views(&message);
        post.text = views.text;
        post.html = views.html;
        post.attachments = views.attachments;
    }
    if !problems.is_empty() {
        post.unreadable = Some(problems.join("; "));
    }
    post
}

/// The message's headers: everything up to the first empty line.
fn header_block(contents: &[u8]) -> &[u8] {
    let end = contents
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or(contents.len(), |at| at + 2);
    &contents[..end.min(MAX_MESSAGE_BYTES)]
}

fn bare_id(id: &str) -> &str {
    id.trim().trim_start_matches('<').trim_end_matches('>')
}

/// At most `max` bytes of `text`, cut at a character boundary.
pub fn cut(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// Appends `message` (one raw message) to an mbox as mboxrd writes it: a `From ` line, body
/// lines starting with `>*From ` escaped with one more `>`.
pub fn append(mbox: &mut Vec<u8>, message: &[u8], epoch: i64) {
    let date = mail_parser::DateTime::from_timestamp(epoch);
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let weekday = DAYS[epoch.div_euclid(86_400).rem_euclid(7) as usize];
    let month = MONTHS[usize::from(date.month.clamp(1, 12)) - 1];
    mbox.extend_from_slice(
        format!(
            "From MAILER-DAEMON {weekday} {month} {:>2} {:02}:{:02}:{:02} {}\n",
            date.day, date.hour, date.minute, date.second, date.year
        )
        .as_bytes(),
    );
    // A source that starts with its own `From ` line keeps only ours.
    let body = match message.starts_with(b"From ") {
        true => message
            .iter()
            .position(|b| *b == b'\n')
            .map_or(&message[message.len()..], |at| &message[at + 1..]),
        false => message,
    };
    let body = body.strip_suffix(b"\n").unwrap_or(body);
    for line in body.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let quotes = line.iter().take_while(|b| **b == b'>').count();
        if line[quotes..].starts_with(b"From ") {
            mbox.push(b'>');
        }
        mbox.extend_from_slice(line);
        mbox.push(b'\n');
    }
    mbox.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "List-Id: <dev.demo.apache.org>\nMessage-ID: <m@x>\n";

    #[test]
    fn messages_split_at_mbox_from_lines_only_and_unescape_as_mboxrd() {
        let mbox = format!(
            "From rm@apache.org Mon May  6 07:08:09 2024\nFrom: RM <rm@apache.org>\n{LIST}Date: Mon, 6 May 2024 07:08:09 +0000\nSubject: [VOTE] x\n\n\
             >From the notes: all good\n>>From here\nFrom the notes I see +1\n\n\
             From - Mon May 06 08:00:00 2024\nFrom: Bob <bob@apache.org>\n{LIST}Subject: Re: [VOTE] x\n\n+1\n"
        );
        let posts = parse(Utf8Path::new("t"), mbox.as_bytes(), None).unwrap();
        assert_eq!(posts.len(), 2);
        assert_eq!(
            posts[0].text,
            "From the notes: all good\n>From here\nFrom the notes I see +1\n"
        );
        // No Date: the mbox's From line gives the time.
        assert_eq!(posts[1].date, 1_714_982_400);
        assert!(posts[1].unreadable.is_none());
    }

    #[test]
    fn an_unreadable_message_says_why_and_the_others_are_read() {
        let mbox = format!(
            "From x Mon May  6 07:08:09 2024\nFrom: =?UTF-8?B?Q2Fyb2w=?=\n{LIST}Date: Mon, 6 May 2024 07:08:09 +0000\n\n+1\n\n\
             From x Mon May  6 07:08:09 2024\nFrom: Bob <bob@apache.org>\n{LIST}Date: Mon, 6 May 2024 07:08:09 +0000\n\n+1\n"
        );
        let posts = parse(Utf8Path::new("t"), mbox.as_bytes(), None).unwrap();
        assert!(posts[0]
            .unreadable
            .as_deref()
            .unwrap()
            .contains("holds no address"));
        assert_eq!(posts[1].address, "bob@apache.org");
    }

    #[test]
    fn appended_messages_come_back_byte_for_byte() {
        let first = b"From: a@b.c\r\nSubject: x\r\n\r\nFrom here on\r\n>From there\r\n";
        let mut mbox = Vec::new();
        append(&mut mbox, first, 1_714_979_289);
        append(
            &mut mbox,
            b"From: d@e.f\n\nFrom Mon May  6 07:08:09 2024\n",
            0,
        );
        let text = String::from_utf8(mbox.clone()).unwrap();
        assert!(
            text.starts_with("From MAILER-DAEMON Mon May  6 07:08:09 2024\n"),
            "{text}"
        );
        let posts = parse(Utf8Path::new("t"), &mbox, None).unwrap();
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[0].text, "From here on\n>From there\n");
        assert_eq!(posts[1].text, "From Mon May  6 07:08:09 2024\n");
    }
}
