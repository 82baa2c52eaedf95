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

//! A mail as RFC 5322 text: headers (RFC 2047 encoded where not ASCII), a stable Message-Id,
//! the UTF-8 body.

use crate::encoding::base64;
use sha2::{Digest, Sha256};

use crate::clock::rfc5322_date;

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
