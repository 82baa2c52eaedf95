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

//! Who sent a message, as far as the archive can show, and why that may be doubted. Anyone
//! can write any `From:`; what a sender cannot write is what the ASF's servers added above
//! the message when it reached them: the `Received:` line of the ASF server that took it in
//! (and everything above it: the `Authentication-Results` of the ASF's mail servers, the
//! list's own headers). A message is doubtful when its `From:` holds no single address, when
//! it has no Message-ID or not the list's `List-Id`, when an `Authentication-Results` header
//! says SPF or DMARC failed for its domain, when its address carries the `.INVALID` mark the
//! list adds when it rewrites a sender for DMARC but no ASF server vouches for the original
//! domain (DKIM), or when it names its sender only in headers the sender wrote (`Name via
//! dev <dev@...>` with `Reply-To`).

use mail_parser::{Message, MessageParser};

use crate::untrusted::escape_short;

/// Headers looked at: a real message has a few dozen.
const MAX_HEADERS: usize = 500;

/// The sender a message claims, and why that claim may be false.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sender {
    pub name: String,
    /// Lower case; the `.INVALID` mark removed.
    pub address: String,
    /// Empty: nothing the archive shows speaks against it.
    pub doubts: Vec<String>,
}

fn shown(text: &str) -> String {
    escape_short(text.as_bytes(), 100)
}

/// The sender of `message` delivered by the list `list_id` (`<dev.x.apache.org>`, when known);
/// `Err` with the reason when the message names no sender at all.
pub fn sender(message: &Message, list_id: Option<&str>) -> Result<Sender, String> {
    let headers: Vec<(&str, &str)> = message.headers_raw().take(MAX_HEADERS).collect();
    let named = |name: &'static str| {
        headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.trim())
    };
    let raw_from = named("From").next().ok_or("it has no From: header")?;
    let mut doubts = Vec::new();
    let from_headers = named("From").count();
    if from_headers > 1 {
        doubts.push(format!("it has {from_headers} From: headers"));
    }
    let mailboxes: Vec<(String, String)> = message
        .from()
        .map(|from| {
            from.iter()
                .take(20)
                .map(|m| {
                    (
                        m.name().unwrap_or_default().trim().to_string(),
                        m.address().unwrap_or_default().trim().to_ascii_lowercase(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut name;
    let mut address;
    match mailboxes.iter().find(|(_, address)| address.contains('@')) {
        Some((first_name, first_address)) => {
            name = first_name.clone();
            address = first_address.clone();
        }
        None => {
            // An RFC 2047 encoded word where the address should be (`=?UTF-8?B?...?=`): read
            // as a name, or left encoded inside `<>`.
            let words = |text: &str| -> Vec<String> {
                text.split_whitespace()
                    .map(|word| word.trim_matches(['<', '>', '"']).to_ascii_lowercase())
                    .collect()
            };
            let encoded = mailboxes
                .iter()
                .flat_map(|(name, address)| {
                    let mut found = words(&decode_word(address));
                    found.extend(words(name));
                    found
                })
                .find(|word| super::roster::plain_address(word));
            let Some(decoded) = encoded else {
                return Err(format!(
                    "its From: holds no address (`{}`)",
                    shown(raw_from)
                ));
            };
            doubts.push(
                "its address is written as an RFC 2047 encoded word, which no mail server \
                 reads as an address: nobody checked it"
                    .to_string(),
            );
            name = mailboxes
                .first()
                .map(|(name, _)| {
                    name.split_whitespace()
                        .filter(|word| !word.to_ascii_lowercase().contains(&decoded))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            address = decoded;
        }
    }
    if mailboxes.len() > 1 {
        doubts.push(format!(
            "its From: holds {} mailboxes (`{}`): who sent it cannot be told",
            mailboxes.len(),
            shown(raw_from)
        ));
    }
    if message.message_id().is_none() {
        doubts.push("it has no Message-ID".to_string());
    }
    let delivered = match (named("List-Id").next(), list_id) {
        (None, _) => {
            doubts.push(
                "it has no List-Id: it is not as the list delivered it (a mail that never \
                 went through the list, or a \"message\" that starts inside another's body)"
                    .to_string(),
            );
            false
        }
        (Some(found), Some(expected)) if !bracketed(found).eq_ignore_ascii_case(expected) => {
            doubts.push(format!(
                "its List-Id is `{}`, not {}: another list delivered it",
                shown(found),
                shown(expected)
            ));
            false
        }
        (Some(_), _) => true,
    };
    let vouched = vouched_domains(&headers);
    if let Some(stripped) = address.strip_suffix(".invalid").map(str::to_string) {
        let domain = stripped.rsplit_once('@').map_or("", |(_, d)| d).to_string();
        // The list marks the domain of the DKIM signature it drops, wherever it stands in
        // the address (`alice@mail.yahoo.com.INVALID` for `d=yahoo.com`).
        let signed = vouched
            .iter()
            .any(|d| domain == *d || domain.ends_with(&format!(".{d}")));
        if !(delivered && signed) {
            doubts.push(format!(
                "its address carries the .INVALID mark the list adds when it rewrites a sender \
                 for DMARC, but no ASF mail server says {} signed it (DKIM): anyone can write \
                 such an address",
                shown(&domain)
            ));
        }
        address = stripped;
    } else if let Some(original) = behind_the_list(message, &mut name, &address) {
        doubts.push(format!(
            "it came as the list's own address (`... via ...`), the sender {} named only in \
             Reply-To/Cc, which anyone can write",
            shown(&original)
        ));
        address = original;
    }
    doubts.extend(failures(&headers, &address));
    Ok(Sender {
        name,
        address,
        doubts,
    })
}

/// `<dev.x.apache.org>` of a `List-Id: Dev list <dev.x.apache.org>`.
fn bracketed(value: &str) -> &str {
    match (value.rfind('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close => &value[open..=close],
        _ => value.trim(),
    }
}

/// An encoded word decoded as the mail parser decodes a header.
fn decode_word(text: &str) -> String {
    if !text.contains("=?") {
        return text.to_string();
    }
    let header = format!("Subject: {}\n\n", text.replace(['\r', '\n'], " "));
    MessageParser::default()
        .parse(header.as_bytes())
        .and_then(|m| m.subject().map(str::to_string))
        .unwrap_or_default()
}

fn is_asf(host: &str) -> bool {
    host == "apache.org" || host.ends_with(".apache.org")
}

/// The `from` and `by` hosts of a `Received:` value, lower case.
fn hops(value: &str) -> (Option<String>, Option<String>) {
    let words: Vec<String> = value
        .split_whitespace()
        .take(60)
        .map(str::to_ascii_lowercase)
        .collect();
    let after = |key: &str| {
        words
            .iter()
            .position(|w| w == key)
            .and_then(|at| words.get(at + 1))
            .map(|host| host.trim_matches(['(', ')', '[', ']', ';']).to_string())
    };
    (after("from"), after("by"))
}

/// The domains the ASF's mail servers found a valid DKIM signature of, in the headers they
/// added: those above the `Received:` line of the ASF server that took the message in from
/// outside (a sender can write anything below it, nothing above).
fn vouched_domains(headers: &[(&str, &str)]) -> Vec<String> {
    let entry = headers.iter().position(|(name, value)| {
        if !name.eq_ignore_ascii_case("Received") {
            return false;
        }
        match hops(value) {
            (Some(from), Some(by)) => {
                is_asf(&by) && !is_asf(&from) && from != "localhost" && !from.starts_with("127.")
            }
            _ => false,
        }
    });
    let Some(entry) = entry else {
        return Vec::new();
    };
    let mut domains = Vec::new();
    for (name, value) in &headers[..entry] {
        if !name.eq_ignore_ascii_case("Authentication-Results") {
            continue;
        }
        let value = value.to_ascii_lowercase();
        let (server, results) = value.split_once(';').unwrap_or((&value, ""));
        if !server.split_whitespace().next().is_some_and(is_asf) {
            continue;
        }
        for clause in results.split(';').take(50) {
            let words: Vec<&str> = clause.split_whitespace().collect();
            if words.first() != Some(&"dkim=pass") {
                continue;
            }
            for word in &words {
                let domain = word.strip_prefix("header.d=").or_else(|| {
                    word.strip_prefix("header.i=")
                        .map(|i| i.rsplit('@').next().unwrap_or(i))
                });
                if let Some(domain) = domain {
                    domains.push(domain.trim_matches(['"', '(', ')']).to_string());
                }
            }
        }
    }
    domains
}

/// A sender the list rewrote as `Alice via dev <dev@x.apache.org>`: the address in
/// `Reply-To`, else the last `Cc` (the sender's own word); the name loses ` via dev`.
fn behind_the_list(message: &Message, name: &mut String, address: &str) -> Option<String> {
    let list = address
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.ends_with(".apache.org"));
    let via = name.to_ascii_lowercase().rfind(" via ").filter(|_| list)?;
    let original = message
        .reply_to()
        .and_then(|to| to.first())
        .or_else(|| message.cc().and_then(|cc| cc.iter().last()))
        .and_then(|original| original.address())
        .filter(|original| original.contains('@'))
        .map(str::to_ascii_lowercase)
        .filter(|original| original != address)?;
    name.truncate(via);
    Some(original)
}

/// `dmarc=fail` and `spf=fail` results of `Authentication-Results` headers about the From
/// domain (a result naming another domain, `header.from=` or `smtp.mailfrom=`, is not about
/// it). A failure is believed wherever it stands: nobody forges one against themselves.
fn failures(headers: &[(&str, &str)], address: &str) -> Vec<String> {
    let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
    let mut found = Vec::new();
    for (name, value) in headers {
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
                let flag = format!("Authentication-Results say {method} for {}", shown(domain));
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

    const LIST: &str = "<dev.demo.apache.org>";

    /// A message with the headers the list and the ASF's servers add above the sender's.
    fn delivered(sender_headers: &str, vouched: &str) -> String {
        format!(
            "Mailing-List: contact dev-help@demo.apache.org; run by ezmlm\n\
             List-Id: <dev.demo.apache.org>\n\
             Delivered-To: mailing list dev@demo.apache.org\n\
             Received: (qmail 1 invoked by uid 116); 6 May 2024 07:08:09 -0000\n\
             Authentication-Results: spamproc1-he-fi.apache.org (amavisd-new); dkim=pass (2048-bit key) header.d={vouched}\n\
             Received: from mail.example.net (mail.example.net [192.0.2.1])\n\tby mx1-ec2-va.apache.org (ASF Mail Server at mx1-ec2-va.apache.org) with ESMTPS id 1\n\
             {sender_headers}Message-ID: <m@x>\nSubject: Re: [VOTE]\n\n+1\n"
        )
    }

    fn judged(raw: &str) -> Result<Sender, String> {
        let message = MessageParser::default().parse(raw.as_bytes()).unwrap();
        sender(&message, Some(LIST))
    }

    #[test]
    fn a_message_as_the_list_delivered_it_is_not_doubted() {
        let sender = judged(&delivered("From: Alice <Alice@Apache.org>\n", "apache.org")).unwrap();
        assert_eq!(sender.address, "alice@apache.org");
        assert!(sender.doubts.is_empty(), "{:?}", sender.doubts);
    }

    #[test]
    fn the_invalid_mark_is_trusted_only_where_an_asf_server_vouches_for_the_domain() {
        let rewritten = delivered("From: Alice <alice@yahoo.com.INVALID>\n", "yahoo.com");
        let sender = judged(&rewritten).unwrap();
        assert_eq!(sender.address, "alice@yahoo.com");
        assert!(sender.doubts.is_empty(), "{:?}", sender.doubts);
        // The list marks the signing domain inside a longer one.
        let sub = delivered("From: Bo <bo@mail.yahoo.com.INVALID>\n", "yahoo.com");
        assert!(judged(&sub).unwrap().doubts.is_empty());
        // Forged: no ASF server saw a signature of apache.org.
        let forged = delivered("From: Carol <carol@apache.org.INVALID>\n", "example.net");
        let sender = judged(&forged).unwrap();
        assert_eq!(sender.address, "carol@apache.org");
        assert!(
            sender.doubts[0].contains(".INVALID mark"),
            "{:?}",
            sender.doubts
        );
        // The vouching header written by the sender, below the ASF's Received line.
        let below = delivered(
            "Authentication-Results: mx1-ec2-va.apache.org; dkim=pass header.d=apache.org\nFrom: Carol <carol@apache.org.INVALID>\n",
            "example.net",
        );
        assert!(!judged(&below).unwrap().doubts.is_empty());
        // Not delivered by the list at all.
        let bare = "From: Carol <carol@apache.org.INVALID>\nMessage-ID: <m@x>\n\n+1\n";
        let doubts = judged(bare).unwrap().doubts;
        assert!(
            doubts.iter().any(|d| d.contains("no List-Id")),
            "{doubts:?}"
        );
        assert!(doubts.iter().any(|d| d.contains(".INVALID")), "{doubts:?}");
    }

    #[test]
    fn two_mailboxes_missing_ids_other_lists_and_failed_checks_are_doubted() {
        let two = judged(&delivered(
            "From: Carol <carol@apache.org>, Mallory <m@evil.example>\n",
            "evil.example",
        ))
        .unwrap();
        assert_eq!(two.address, "carol@apache.org");
        assert!(two.doubts[0].contains("2 mailboxes"), "{:?}", two.doubts);
        let other = judged(
            &delivered("From: Bob <bob@apache.org>\n", "apache.org")
                .replace("<dev.demo.apache.org>", "<user.demo.apache.org>"),
        )
        .unwrap();
        assert!(
            other.doubts[0].contains("another list"),
            "{:?}",
            other.doubts
        );
        let failed = judged(&delivered(
            "From: Carol <carol@apache.org>\nAuthentication-Results: mx; spf=fail smtp.mailfrom=carol@apache.org\nAuthentication-Results: mx; spf=fail smtp.mailfrom=bounce@lists.example; dmarc=pass header.from=apache.org\n",
            "apache.org",
        ))
        .unwrap();
        assert_eq!(
            failed.doubts,
            ["Authentication-Results say spf=fail for apache.org"]
        );
        let no_id = "From: a@apache.org\nList-Id: <dev.demo.apache.org>\n\n+1\n";
        assert_eq!(judged(no_id).unwrap().doubts, ["it has no Message-ID"]);
        let via = judged(&delivered(
            "From: Alice Apple via dev <dev@demo.apache.org>\nCc: dev@demo.apache.org, alice@yahoo.com\n",
            "apache.org",
        ))
        .unwrap();
        assert_eq!(
            (via.name.as_str(), via.address.as_str()),
            ("Alice Apple", "alice@yahoo.com")
        );
        assert!(via.doubts[0].contains("Reply-To/Cc"), "{:?}", via.doubts);
        // Only the list's own address is rewritten so; anyone else's " via " is their name.
        let plain = judged(&delivered(
            "From: Bob via dev <bob@example.org>\nReply-To: carol@apache.org\n",
            "example.org",
        ))
        .unwrap();
        assert_eq!(plain.address, "bob@example.org");
    }

    #[test]
    fn an_encoded_word_where_the_address_should_be_is_doubted_not_fatal() {
        let encoded = judged(&delivered(
            "From: =?UTF-8?B?Y2Fyb2xAYXBhY2hlLm9yZw==?=\n",
            "apache.org",
        ))
        .unwrap();
        assert_eq!(encoded.address, "carol@apache.org");
        assert!(
            encoded.doubts[0].contains("RFC 2047"),
            "{:?}",
            encoded.doubts
        );
        let nothing = judged(&delivered("From: =?UTF-8?B?Q2Fyb2w=?=\n", "apache.org"));
        assert!(nothing.unwrap_err().contains("holds no address"));
        assert_eq!(
            judged("Subject: x\n\n+1\n").unwrap_err(),
            "it has no From: header"
        );
    }
}
