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

//! Reading the vote thread: an mbox as lists.apache.org exports it, from anyone who can post to
//! the list, so hostile. The file, each message, the number of messages and the text kept per
//! message are bounded; every message becomes a [`Post`] with only what the tally needs.

use std::io::Read;

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use mail_parser::mailbox::mbox::MessageIterator;
use mail_parser::{MessageParser, PartType};

use super::quote;

/// The largest mbox read: a vote thread is a few hundred kilobytes.
pub const MAX_MBOX_BYTES: u64 = 64 << 20;
/// The most messages a thread may hold (ATR's limit too).
pub const MAX_MESSAGES: usize = 10_000;
/// A message larger than this (attachments) is skipped, and the report says so.
pub const MAX_MESSAGE_BYTES: usize = 2 << 20;
/// The text of a message the tally reads: a vote is at the top.
pub const MAX_TEXT_BYTES: usize = 64 << 10;
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
    /// `In-Reply-To` and `References`, without angle brackets.
    pub parents: Vec<String>,
    pub subject: String,
    pub name: String,
    /// Lower case.
    pub address: String,
    pub date: i64,
    /// The body as text (HTML-only mails: their HTML without quotes and tags), bounded.
    pub text: String,
    /// `dmarc=fail` / `spf=fail` found in `Authentication-Results` for the From domain.
    pub auth_failures: Vec<String>,
    /// Larger than [`MAX_MESSAGE_BYTES`]: not read.
    pub oversized: bool,
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

/// Splits the mbox into messages and parses each; errors name the message and its line.
pub fn parse(path: &Utf8Path, bytes: &[u8]) -> Result<Vec<Post>> {
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
        .take(MAX_MESSAGES + 1)
        .collect();
    if starts.len() > MAX_MESSAGES {
        bail!(
            "{path} holds more than {MAX_MESSAGES} messages: export only the vote thread, not \
             the whole list"
        );
    }
    let parser = MessageParser::default();
    let mut posts = Vec::with_capacity(starts.len());
    for (index, item) in MessageIterator::new(std::io::Cursor::new(bytes)).enumerate() {
        let line = starts.get(index).copied().unwrap_or(0);
        let at = format!("{path} message {} (line {line})", index + 1);
        let raw = item.with_context(|| format!("cannot read {at}"))?;
        let contents = raw.contents();
        let oversized = contents.len() > MAX_MESSAGE_BYTES;
        // An oversized message is parsed for its headers only.
        let head = if oversized {
            header_block(contents)
        } else {
            contents
        };
        let message = parser
            .parse(head)
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
        let mut name = sender.name().unwrap_or_default().trim().to_string();
        let (address, rewritten) = original_sender(&message, &mut name, address);
        let date = match message.date() {
            Some(date) if date.is_valid() => date.to_timestamp(),
            _ if raw.internal_date() > 0 => raw.internal_date().min(i64::MAX as u64) as i64,
            _ => bail!("{at} has no valid Date: header"),
        };
        let mut parents: Vec<String> = Vec::new();
        for value in [message.in_reply_to(), message.references()] {
            for id in value.as_text_list().unwrap_or_default() {
                let id = cut(bare_id(id), MAX_ID_BYTES);
                if !id.is_empty() && !parents.contains(&id) {
                    parents.push(id);
                }
            }
        }
        parents.truncate(MAX_PARENTS);
        let text = if oversized {
            String::new()
        } else {
            body(&message)
        };
        posts.push(Post {
            number: index + 1,
            message_id: message
                .message_id()
                .map(|id| cut(bare_id(id), MAX_ID_BYTES)),
            parents,
            subject: cut(message.subject().unwrap_or_default().trim(), 1000),
            name: cut(&name, 200),
            auth_failures: {
                let mut flags = auth_failures(&message, &address);
                flags.extend(rewritten);
                flags
            },
            address,
            date,
            text,
            oversized,
        });
    }
    Ok(posts)
}

/// The sender behind the list's DMARC rewriting: ASF lists append `.INVALID` to the address
/// (`alice@yahoo.com.INVALID`), or send as `Alice via dev <dev@x.apache.org>` with the
/// original address in `Reply-To` or as the last `Cc`. The second case is flagged: those
/// headers are the sender's own word.
fn original_sender(
    message: &mail_parser::Message,
    name: &mut String,
    address: String,
) -> (String, Option<String>) {
    if let Some(stripped) = address.strip_suffix(".invalid") {
        return (stripped.to_string(), None);
    }
    let list = address
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.ends_with(".apache.org"));
    let Some(via) = name.to_ascii_lowercase().rfind(" via ").filter(|_| list) else {
        return (address, None);
    };
    let original = message
        .reply_to()
        .and_then(|to| to.first())
        .or_else(|| message.cc().and_then(|cc| cc.iter().last()))
        .and_then(|original| original.address())
        .filter(|original| original.contains('@'))
        .map(str::to_ascii_lowercase);
    match original {
        Some(original) if original != address => {
            name.truncate(via);
            let flag = format!(
                "the list rewrote From (DMARC): the address {} is taken from Reply-To/Cc",
                crate::untrusted::escape_short(original.as_bytes(), 100)
            );
            (original, Some(flag))
        }
        _ => (address, None),
    }
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

/// The first text body; for an HTML-only mail its HTML read by [`quote::html_to_text`] (which
/// drops `<blockquote>`), never mail-parser's flattening that would keep the quotes.
fn body(message: &mail_parser::Message) -> String {
    let Some(part) = message.text_part(0) else {
        return String::new();
    };
    match &part.body {
        PartType::Text(text) => cut(text, MAX_TEXT_BYTES),
        PartType::Html(html) => quote::html_to_text(&cut(html, 4 * MAX_TEXT_BYTES), MAX_TEXT_BYTES),
        _ => String::new(),
    }
}

/// `dmarc=fail` and `spf=fail` results of `Authentication-Results` headers about the From
/// domain (a result naming another domain, `header.from=` or `smtp.mailfrom=`, is not about it).
fn auth_failures(message: &mail_parser::Message, address: &str) -> Vec<String> {
    let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
    let mut found = Vec::new();
    for (name, value) in message.headers_raw().take(200) {
        if !name.eq_ignore_ascii_case("Authentication-Results") {
            continue;
        }
        let value = value.to_ascii_lowercase();
        for clause in value.split(';').take(50) {
            let clause = clause.trim();
            let method = ["dmarc=fail", "spf=fail"]
                .into_iter()
                .find(|method| clause.starts_with(method));
            let Some(method) = method else { continue };
            let about = clause
                .split_whitespace()
                .find_map(|word| {
                    word.strip_prefix("header.from=")
                        .or_else(|| word.strip_prefix("smtp.mailfrom="))
                })
                .map(|value| {
                    value
                        .rsplit('@')
                        .next()
                        .unwrap_or(value)
                        .trim_matches(['<', '>', '"', ')', '('])
                });
            if about.is_none_or(|about| about == domain) {
                let flag = format!(
                    "Authentication-Results say {method} for {}",
                    crate::untrusted::escape_short(domain.as_bytes(), 100)
                );
                if !found.contains(&flag) {
                    found.push(flag);
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(headers: &str) -> Post {
        let mbox = format!(
            "From x Mon May  6 07:08:09 2024\n{headers}Date: Mon, 6 May 2024 07:08:09 +0000\n\
             Subject: Re: [VOTE] x\n\n+1\n"
        );
        let mut posts = parse(Utf8Path::new("t"), mbox.as_bytes()).unwrap();
        posts.remove(0)
    }

    #[test]
    fn failed_authentication_is_flagged_only_for_the_from_domain() {
        let post = one("From: Carol <carol@apache.org>\nAuthentication-Results: mx; spf=fail smtp.mailfrom=carol@apache.org\nAuthentication-Results: mx; spf=fail smtp.mailfrom=bounce@lists.example; dmarc=pass header.from=apache.org\n");
        assert_eq!(
            post.auth_failures,
            ["Authentication-Results say spf=fail for apache.org"]
        );
        let post = one(
            "From: Carol <carol@apache.org>\nAuthentication-Results: mx; DMARC=FAIL (p=reject)\n",
        );
        assert_eq!(
            post.auth_failures,
            ["Authentication-Results say dmarc=fail for apache.org"]
        );
        let post = one("From: Carol <carol@apache.org>\nAuthentication-Results: mx; spf=softfail; dmarc=none\n");
        assert!(post.auth_failures.is_empty());
    }

    #[test]
    fn the_sender_behind_the_list_s_dmarc_rewriting_is_found() {
        let post = one("From: Alice <Alice@Yahoo.com.INVALID>\n");
        assert_eq!(post.address, "alice@yahoo.com");
        assert!(post.auth_failures.is_empty());

        let post = one("From: Alice Apple via dev <dev@demo.apache.org>\nCc: dev@demo.apache.org, alice@yahoo.com\n");
        assert_eq!(
            (post.name.as_str(), post.address.as_str()),
            ("Alice Apple", "alice@yahoo.com")
        );
        assert!(
            post.auth_failures[0].contains("the list rewrote From"),
            "{:?}",
            post.auth_failures
        );

        // Only the list's own address is rewritten so; anyone else's " via " is their name.
        let post = one("From: Bob via dev <bob@example.org>\nReply-To: carol@apache.org\n");
        assert_eq!(post.address, "bob@example.org");
    }
}
