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

//! A stand-in for lists.apache.org (Apache Pony Mail Foal) on 127.0.0.1, as strict as the
//! real archive where the tally depends on it: `stats` (list and domain matched exactly, a
//! subject matched as a phrase of analysed words, the last 30 days unless a date range is
//! given, at most `max_hits` messages taken newest first, `from` obfuscated), `thread` (the
//! replies of each message by `In-Reply-To`/`References`, across lists, without bodies),
//! `email` and `source` (the message as archived), errors as plain text (`404 Email not
//! found`, `404 Content not found`, `404 API Endpoint not found!`, `400 ...` for a bad date).
//! Also what the list and the ASF's mail servers write above a message they deliver
//! ([`delivered`]), so tests and the demo post threads as the archive holds them.

mod serve;

use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::{Context, Result};
use mail_parser::MessageParser;
use sha2::{Digest, Sha256};

use super::loopback::{lock, Loopback};

/// One message as the archive stores it.
#[derive(Debug, Clone)]
pub struct Stored {
    pub mid: String,
    /// `<dev.demo.apache.org>`
    pub list: String,
    pub message_id: String,
    pub in_reply_to: String,
    pub references: Vec<String>,
    pub subject: String,
    /// The raw `From:` value.
    pub from: String,
    pub epoch: i64,
    pub body: String,
    pub raw: Vec<u8>,
}

#[derive(Default)]
pub struct Archive {
    pub messages: Vec<Stored>,
    /// Requests seen: `/api/stats.lua?...`.
    pub seen: Vec<String>,
    /// The most messages a search answers (Foal's `max_hits`).
    pub max_hits: usize,
    /// Archive ids whose `source` answers 404 (hidden by an admin).
    pub hidden: Vec<String>,
}

pub struct ListsStandIn {
    /// `http://127.0.0.1:<port>`
    pub url: String,
    archive: Arc<Mutex<Archive>>,
}

impl ListsStandIn {
    pub fn start() -> Result<ListsStandIn> {
        let loopback = Loopback::bind("the list archive stand-in")?;
        let url = loopback.url.clone();
        let archive = Arc::new(Mutex::new(Archive {
            max_hits: 5000,
            ..Archive::default()
        }));
        let shared = archive.clone();
        loopback.serve(move |stream| {
            let _ = serve::serve(&shared, stream);
        });
        Ok(ListsStandIn { url, archive })
    }

    pub fn archive(&self) -> MutexGuard<'_, Archive> {
        lock(&self.archive)
    }

    /// Archives `raw` (one message) as received by the list `list` (`dev@demo.apache.org`);
    /// returns its archive id.
    pub fn post(&self, list: &str, raw: &[u8]) -> Result<String> {
        let message = MessageParser::default()
            .parse(raw)
            .context("the stand-in archive takes mail messages only")?;
        let list = crate::tally::list_id(list).context("a list address is list@domain")?;
        let ids = |value: &mail_parser::HeaderValue| -> Vec<String> {
            value
                .as_text_list()
                .unwrap_or_default()
                .iter()
                .map(|id| format!("<{}>", id.trim_matches(['<', '>'])))
                .collect()
        };
        let message_id = message
            .message_id()
            .map(|id| format!("<{id}>"))
            .unwrap_or_default();
        let epoch = message
            .date()
            .filter(|date| date.is_valid())
            .map_or(crate::clock::system_now() as i64, |date| {
                date.to_timestamp()
            });
        let from = message
            .header_raw("From")
            .unwrap_or_default()
            .trim()
            .to_string();
        let body: String = message
            .body_text(0)
            .unwrap_or_default()
            .chars()
            .take(200)
            .collect();
        // Foal's permalink id is a hash of the message and its list.
        let digest = Sha256::digest([list.as_bytes(), raw].concat());
        let mid: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
        let stored = Stored {
            mid: mid.clone(),
            list,
            message_id,
            in_reply_to: ids(message.in_reply_to())
                .into_iter()
                .next()
                .unwrap_or_default(),
            references: ids(message.references()),
            subject: message.subject().unwrap_or_default().to_string(),
            from,
            epoch,
            body,
            raw: raw.to_vec(),
        };
        let mut archive = self.archive();
        archive.messages.retain(|m| m.mid != mid);
        archive.messages.push(stored);
        Ok(mid)
    }

    /// The requests seen so far.
    pub fn seen(&self) -> Vec<String> {
        self.archive().seen.clone()
    }
}

/// `Name <ab...@domain>`: how Foal shows an address to anonymous callers.
pub fn obfuscated(from: &str) -> String {
    let mut out = String::new();
    let mut rest = from;
    while let Some(at) = rest.find('@') {
        let start = rest[..at]
            .rfind(|c: char| c.is_whitespace() || c == '<')
            .map_or(0, |i| i + 1);
        let local = &rest[start..at];
        out.push_str(&rest[..start]);
        out.push_str(&local.chars().take(2).collect::<String>());
        out.push_str("...@");
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out
}

/// `message` as the list `list` (`dev@demo.apache.org`) delivers it to the archive: ezmlm's
/// headers and the ASF's mail servers' `Received:` and `Authentication-Results:` lines above
/// the sender's, the latter with a valid DKIM signature of `signed_by` (the sender's domain,
/// when the sender's server signs).
pub fn delivered(list: &str, message: &str, signed_by: Option<&str>) -> String {
    let (local, domain) = list.split_once('@').unwrap_or((list, "apache.org"));
    let dkim = match signed_by {
        Some(domain) => format!("dkim=pass (2048-bit key) header.d={domain} header.b=AbCdEfGh"),
        None => "dkim=none".to_string(),
    };
    format!(
        "Return-Path: <{local}-return-1-archiver={domain}@{domain}>\n\
         Mailing-List: contact {local}-help@{domain}; run by ezmlm\n\
         Precedence: bulk\n\
         list-help: <mailto:{local}-help@{domain}>\n\
         list-unsubscribe: <mailto:{local}-unsubscribe@{domain}>\n\
         List-Post: <mailto:{list}>\n\
         List-Id: <{local}.{domain}>\n\
         Delivered-To: mailing list {list}\n\
         Received: (qmail 2935322 invoked by uid 116); 6 May 2024 07:08:10 -0000\n\
         Received: from spamproc1-he-fi.apache.org (HELO spamproc1-he-fi.apache.org) (95.217.134.168)\n by apache.org (qpsmtpd/0.94) with ESMTP; 6 May 2024 07:08:10 +0000\n\
         Authentication-Results: apache.org; auth=none\n\
         Received: from localhost (localhost [127.0.0.1])\n\tby spamproc1-he-fi.apache.org (ASF Mail Server at spamproc1-he-fi.apache.org) with ESMTP id 9003BC07D1\n\tfor <{list}>; 6 May 2024 07:08:10 +0000 (UTC)\n\
         Authentication-Results: spamproc1-he-fi.apache.org (amavisd-new); {dkim}\n\
         Received: from mx1-ec2-va.apache.org ([116.203.227.195])\n\tby localhost (spamproc1-he-fi.apache.org [95.217.134.168]) (amavisd-new, port 10024)\n\twith ESMTP id oeN70jwxylUM for <{list}>; 6 May 2024 07:08:10 +0000 (UTC)\n\
         Received-SPF: Pass (mailfrom) identity=mailfrom; client-ip=192.0.2.25; helo=mail.example.net; receiver=<UNKNOWN>\n\
         Received: from mail.example.net (mail.example.net [192.0.2.25])\n\tby mx1-ec2-va.apache.org (ASF Mail Server at mx1-ec2-va.apache.org) with ESMTPS id 838B4BBCB5\n\tfor <{list}>; 6 May 2024 07:08:09 +0000 (UTC)\n\
         {message}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_obfuscated_as_foal_shows_them() {
        assert_eq!(
            obfuscated("Alice <alice@apache.org>"),
            "Alice <al...@apache.org>"
        );
        assert_eq!(obfuscated("b@x.org"), "b...@x.org");
    }
}
