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

//! The ASF's list archive, lists.apache.org (Apache Pony Mail Foal), read anonymously through
//! `tools::curl`: `stats` finds messages by subject, `thread` names the messages of a thread,
//! `source` gives one message as archived (raw headers, addresses not obfuscated). Requests go
//! one after another, each with a size limit; answers are outside input, parsed into the few
//! fields used and checked. Errors of the archive are plain text (`404 Email not found`),
//! shown escaped. Tests point `XTASK_LISTS_URL` at a stand-in on 127.0.0.1.

use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::Value;
use xshell::Shell;

use crate::tools::curl;
use crate::untrusted::escape_short;

pub const URL_VAR: &str = "XTASK_LISTS_URL";
pub const PRODUCTION: &str = "https://lists.apache.org";

/// A search answer holds at most `max_hits` short messages (5000 by default, about 1 KiB
/// each).
const SEARCH_LIMIT: u64 = 16 << 20;
/// A thread's answer: 250 replies per message at most, a few hundred bytes each.
const THREAD_LIMIT: u64 = 8 << 20;
/// The most message ids taken from a thread's answer.
pub const MAX_THREAD_MESSAGES: usize = 2000;

/// One message of a search answer or a thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The archive's permalink id.
    pub mid: String,
    /// Raw outside text.
    pub subject: String,
    pub epoch: i64,
    /// The Message-ID it answers, when the archive knows it.
    pub in_reply_to: String,
    /// `<dev.project.apache.org>`
    pub list: String,
}

/// What `source` gave for one message.
pub enum Source {
    Found(Vec<u8>),
    /// `404 Email not found`: gone, hidden, or private.
    NotFound,
    /// Larger than the limit asked for.
    TooLarge,
}

pub struct Lists {
    sh: Shell,
    /// `https://host` without a trailing slash.
    base: String,
}

impl Lists {
    /// The archive at `XTASK_LISTS_URL` (tests), else lists.apache.org.
    pub fn from_env(sh: &Shell) -> Result<Lists> {
        let base = std::env::var(URL_VAR)
            .ok()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| PRODUCTION.to_string());
        check_base(&base, URL_VAR)?;
        Ok(Lists {
            sh: sh.clone(),
            base: base.trim_end_matches('/').to_string(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The page of the thread that `mid` opens.
    pub fn thread_url(&self, mid: &str) -> String {
        format!("{}/thread/{}", self.base, crate::tools::github::encode(mid))
    }

    /// The message as the archive holds it, every header included.
    pub fn source_url(&self, mid: &str) -> String {
        format!(
            "{}/api/source.lua?id={}",
            self.base,
            crate::tools::github::encode(mid)
        )
    }

    fn get(&self, what: &str, query: &str, limit: u64) -> Result<Option<curl::Response>> {
        let url = format!("{}/api/{what}.lua?{query}", self.base);
        let request = curl::Request {
            method: "GET",
            url: &url,
            headers: vec![("Accept", "application/json, text/plain".to_string())],
            body: None,
            secret_body: false,
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(15),
            body_limit: limit,
            reads_by_post: false,
        };
        match curl::send(&self.sh, &request) {
            Ok(response) => Ok(Some(response)),
            Err(curl::Failure::Local(err)) => Err(err),
            Err(curl::Failure::NoAnswer(reason)) if reason.contains("(the limit)") => Ok(None),
            Err(curl::Failure::NoAnswer(reason)) => bail!(
                "the list archive {} did not answer ({}): check the network, or download the \
                 vote thread as an mbox and pass it with --mbox FILE",
                self.base,
                escape_short(reason.as_bytes(), 200)
            ),
        }
    }

    /// Answers other than 200 are plain text: shown escaped.
    fn refused(&self, what: &str, response: &curl::Response) -> anyhow::Error {
        anyhow::anyhow!(
            "the list archive {} refused `{what}` (HTTP {}: {}): download the vote thread as \
             an mbox and pass it with --mbox FILE",
            self.base,
            response.status,
            escape_short(
                String::from_utf8_lossy(&response.body).trim().as_bytes(),
                200
            )
        )
    }

    fn json(&self, what: &str, response: &curl::Response) -> Result<Value> {
        if response.status != 200 {
            return Err(self.refused(what, response));
        }
        serde_json::from_slice(&response.body).with_context(|| {
            format!(
                "the list archive {} answered `{what}` with something that is not JSON: check \
                 {URL_VAR}, or pass the vote thread with --mbox FILE",
                self.base
            )
        })
    }

    /// The messages of `list@domain` between two days (`YYYY-MM-DD`, inclusive) whose subject
    /// holds `words` (the archive matches a phrase of analysed words, never exactly: the
    /// caller filters). Oldest first.
    pub fn search(
        &self,
        list: &str,
        domain: &str,
        words: &str,
        days: (&str, &str),
    ) -> Result<Vec<Summary>> {
        use crate::tools::github::encode;
        let query = format!(
            "list={}&domain={}&d={}&header_subject={}&emailsOnly",
            encode(list),
            encode(domain),
            encode(&format!("dfr={}|dto={}", days.0, days.1)),
            encode(words)
        );
        let response = self
            .get("stats", &query, SEARCH_LIMIT)?
            .with_context(|| format!("the list archive's search answer is larger than {} MiB: download the vote thread as an mbox and pass it with --mbox FILE", SEARCH_LIMIT >> 20))?;
        let value = self.json("stats", &response)?;
        let emails = value
            .get("emails")
            .and_then(Value::as_array)
            .with_context(|| {
                format!(
                    "the list archive {} knows no list {}@{}: check dev-list",
                    self.base,
                    escape_short(list.as_bytes(), 60),
                    escape_short(domain.as_bytes(), 100)
                )
            })?;
        emails.iter().map(summary).collect()
    }

    /// The root and every reply of the thread `mid` opens (`None`: the archive has no such
    /// message).
    pub fn thread(&self, mid: &str) -> Result<Option<Vec<Summary>>> {
        let query = format!("id={}", crate::tools::github::encode(mid));
        let response = self
            .get("thread", &query, THREAD_LIMIT)?
            .with_context(|| format!("the list archive's answer for the thread {} is larger than {} MiB: download the vote thread as an mbox and pass it with --mbox FILE", escape_short(mid.as_bytes(), 80), THREAD_LIMIT >> 20))?;
        if response.status == 404 {
            return Ok(None);
        }
        let value = self.json("thread", &response)?;
        let root = value
            .get("thread")
            .filter(|root| root.is_object())
            .context("the list archive's thread answer has no `thread` object")?;
        let mut found = Vec::new();
        // The tree, depth first; nesting is bounded by the archive (250) and here.
        let mut stack = vec![(root, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            if found.len() >= MAX_THREAD_MESSAGES {
                bail!(
                    "the thread {} has more than {MAX_THREAD_MESSAGES} messages: download the \
                     vote thread as an mbox and pass it with --mbox FILE",
                    escape_short(mid.as_bytes(), 80)
                );
            }
            found.push(summary(node)?);
            if depth < 300 {
                let children = node.get("children").and_then(Value::as_array);
                for child in children.into_iter().flatten().rev() {
                    stack.push((child, depth + 1));
                }
            }
        }
        Ok(Some(found))
    }

    /// One message as the archive holds it, at most `limit` bytes.
    pub fn source(&self, mid: &str, limit: u64) -> Result<Source> {
        let query = format!("id={}", crate::tools::github::encode(mid));
        let Some(response) = self.get("source", &query, limit)? else {
            return Ok(Source::TooLarge);
        };
        match response.status {
            200 => Ok(Source::Found(response.body)),
            404 => Ok(Source::NotFound),
            _ => Err(self.refused("source", &response)),
        }
    }
}

/// An archive id goes into later requests and links: the characters Pony Mail uses.
fn checked_mid(text: &str) -> Result<String> {
    let ok = !text.is_empty()
        && text.len() <= 256
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-@<>+=".contains(&b));
    if !ok {
        bail!(
            "the list archive named a message `{}`, not an archive id: refusing to use it",
            escape_short(text.as_bytes(), 80)
        );
    }
    Ok(text.to_string())
}

fn summary(value: &Value) -> Result<Summary> {
    let text = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(|s| s.chars().take(1000).collect::<String>())
            .unwrap_or_default()
    };
    let mid = value
        .get("mid")
        .or_else(|| value.get("id"))
        .and_then(Value::as_str)
        .context("the list archive named a message without its `mid`")?;
    Ok(Summary {
        mid: checked_mid(mid)?,
        subject: text("subject"),
        epoch: value.get("epoch").and_then(Value::as_i64).unwrap_or(0),
        in_reply_to: text("in-reply-to"),
        list: text("list_raw"),
    })
}

/// `https://host`, or `http://` to this machine (the tests' stand-ins); no credentials, no
/// path.
pub fn check_base(url: &str, variable: &str) -> Result<()> {
    let shown = escape_short(url.as_bytes(), 100);
    let (scheme, rest) = url.split_once("://").unwrap_or_default();
    let rest = rest.trim_end_matches('/');
    let plain = !rest.is_empty() && !rest.contains(['/', '?', '#', '@']);
    let loopback = crate::config_checks::is_loopback_url(url);
    if !plain || !(scheme == "https" || scheme == "http" && loopback) {
        bail!(
            "{variable} `{shown}` is not a service address like https://host (plain http only \
             to this machine, for tests): fix or unset it"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_addresses_from_outside_are_checked() {
        assert!(checked_mid("z0o7xnjnyw2o886rxvvq2ql4rdfn754w").is_ok());
        assert!(checked_mid("a b").is_err() && checked_mid("").is_err());
        assert!(checked_mid("../x?y").is_err());
        assert!(check_base("https://lists.apache.org", URL_VAR).is_ok());
        assert!(check_base("http://127.0.0.1:8080/", URL_VAR).is_ok());
        for bad in [
            "http://lists.apache.org",
            "https://u:p@lists.apache.org",
            "https://lists.apache.org/api",
            "lists.apache.org",
        ] {
            assert!(check_base(bad, URL_VAR).is_err(), "{bad}");
        }
        let value = serde_json::json!({"mid": "abc", "subject": "[VOTE] x", "epoch": 5,
            "in-reply-to": "", "list_raw": "<dev.x.apache.org>"});
        assert_eq!(summary(&value).unwrap().epoch, 5);
        assert!(summary(&serde_json::json!({"subject": "x"})).is_err());
    }
}
