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

//! Every text a person wrote in a mail: the inline `text/*` parts in their order (Apple Mail
//! splits the text around an inline image into two `text/plain` parts), HTML turned into text;
//! of a `multipart/alternative`, the text version, and beside it the HTML version so that the
//! tally can tell when the two say different things. Attachments are no vote: they are named
//! for a person to read.

use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use super::quote;
use crate::untrusted::escape_short;

/// The text read of a message, bounded: a vote is at the top.
pub const MAX_TEXT_BYTES: usize = 64 << 10;
/// MIME parts looked at, and how deep.
const MAX_PARTS: usize = 200;
const MAX_DEPTH: usize = 20;
/// Attachments named per message.
const MAX_ATTACHMENTS: usize = 20;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Views {
    /// The inline text parts in order, with the text version of each alternative.
    pub text: String,
    /// The same with the HTML version of each alternative; `None` when the mail has no
    /// alternative with two different versions.
    pub html: Option<String>,
    /// `name (type)` of each attachment: shown escaped.
    pub attachments: Vec<String>,
}

#[derive(Default)]
struct Walk {
    text: String,
    html: String,
    alternatives: bool,
    attachments: Vec<String>,
    seen: usize,
}

impl Walk {
    fn push(&mut self, plain: &str, html: &str) {
        for (out, add) in [(&mut self.text, plain), (&mut self.html, html)] {
            if out.len() >= MAX_TEXT_BYTES || add.trim().is_empty() {
                continue;
            }
            if !out.is_empty() && !out.ends_with("\n\n") {
                out.push_str(if out.ends_with('\n') { "\n" } else { "\n\n" });
            }
            out.push_str(&super::mbox::cut(add, MAX_TEXT_BYTES - out.len()));
        }
    }

    fn attachment(&mut self, part: &MessagePart, kind: &str) {
        if self.attachments.len() >= MAX_ATTACHMENTS {
            return;
        }
        let name = part
            .attachment_name()
            .map(|name| format!("\"{}\"", escape_short(name.as_bytes(), 80)))
            .unwrap_or_else(|| "without a name".to_string());
        self.attachments.push(format!("{name} ({kind})"));
    }
}

/// The views of `message`.
pub fn views(message: &Message) -> Views {
    let mut walk = Walk::default();
    if !message.parts.is_empty() {
        visit(message, 0, 0, &mut walk);
    }
    Views {
        html: (walk.alternatives && walk.html != walk.text).then_some(walk.html),
        text: walk.text,
        attachments: walk.attachments,
    }
}

fn content_type(part: &MessagePart) -> String {
    match part.content_type() {
        Some(ct) => format!(
            "{}/{}",
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or_default().to_ascii_lowercase()
        ),
        None => "text/plain".to_string(),
    }
}

/// Sent as an attachment: a `Content-Disposition: attachment`, or a file name without
/// `inline`.
fn attached(part: &MessagePart) -> bool {
    match part.content_disposition() {
        Some(disposition) => disposition.is_attachment(),
        None => part.attachment_name().is_some(),
    }
}

fn visit(message: &Message, id: usize, depth: usize, walk: &mut Walk) {
    walk.seen += 1;
    let Some(part) = message.parts.get(id) else {
        return;
    };
    if walk.seen > MAX_PARTS || depth > MAX_DEPTH {
        return;
    }
    let kind = content_type(part);
    match &part.body {
        PartType::Multipart(children) if kind == "multipart/alternative" => {
            alternative(message, children, depth, walk);
        }
        PartType::Multipart(children) => {
            for child in children.iter().take(MAX_PARTS) {
                visit(message, *child as usize, depth + 1, walk);
            }
        }
        PartType::Text(_) | PartType::Html(_) if attached(part) => walk.attachment(part, &kind),
        PartType::Text(text) => walk.push(text, text),
        PartType::Html(html) => {
            let text =
                quote::html_to_text(&super::mbox::cut(html, 4 * MAX_TEXT_BYTES), MAX_TEXT_BYTES);
            walk.push(&text, &text);
        }
        // An inline image (Apple Mail's, between two text parts) is no text and no attachment.
        PartType::InlineBinary(_) | PartType::Binary(_)
            if kind.starts_with("image/") && !attached(part) => {}
        PartType::InlineBinary(_) | PartType::Binary(_) => walk.attachment(part, &kind),
        PartType::Message(_) => walk.attachment(part, "a forwarded message"),
    }
}

/// The text version (the first part that is not HTML) and the HTML version (the last part
/// holding HTML) of an alternative, each read as a whole.
fn alternative(message: &Message, children: &[u32], depth: usize, walk: &mut Walk) {
    let holds_html = |id: u32| {
        message.parts.get(id as usize).is_some_and(|part| {
            matches!(part.body, PartType::Html(_))
                || matches!(&part.body, PartType::Multipart(inner) if inner.iter().any(|i| {
                    message.parts.get(*i as usize).is_some_and(|p| matches!(p.body, PartType::Html(_)))
                }))
        })
    };
    let plain = children.iter().copied().find(|id| !holds_html(*id));
    let html = children.iter().copied().rev().find(|id| holds_html(*id));
    let read = |id: Option<u32>, walk: &mut Walk| {
        let mut inner = Walk {
            seen: walk.seen,
            ..Walk::default()
        };
        if let Some(id) = id {
            visit(message, id as usize, depth + 1, &mut inner);
        }
        walk.seen = inner.seen;
        walk.attachments.extend(inner.attachments);
        walk.attachments.truncate(MAX_ATTACHMENTS);
        inner.text
    };
    let plain_text = read(plain.or(html), walk);
    let html_text = match (plain, html) {
        (Some(_), Some(_)) => {
            walk.alternatives = true;
            read(html, walk)
        }
        _ => plain_text.clone(),
    };
    walk.push(&plain_text, &html_text);
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    fn of(raw: &str) -> Views {
        let message = MessageParser::default().parse(raw.as_bytes()).unwrap();
        views(&message)
    }

    #[test]
    fn every_inline_text_part_is_read_in_order_and_attachments_are_named() {
        // Apple Mail: text, an inline image, text.
        let raw = "From: a@b.c\nContent-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nLooks good.\n--x\nContent-Type: image/png\nContent-Disposition: inline; filename=shot.png\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n--x\nContent-Type: text/plain\n\n-1 (binding)\n--x\nContent-Type: text/plain; name=notes.txt\nContent-Disposition: attachment; filename=notes.txt\n\n+1\n--x--\n";
        let views = of(raw);
        assert_eq!(views.text, "Looks good.\n\n-1 (binding)");
        assert_eq!(views.html, None);
        assert_eq!(views.attachments, ["\"notes.txt\" (text/plain)"]);
    }

    #[test]
    fn both_versions_of_an_alternative_are_kept() {
        let raw = "From: a@b.c\nContent-Type: multipart/alternative; boundary=x\n\n--x\nContent-Type: text/plain\n\n+1\n--x\nContent-Type: text/html\n\n<div>-1 (binding)</div>\n--x--\n";
        let views = of(raw);
        assert_eq!(views.text, "+1");
        assert_eq!(views.html.as_deref(), Some("\n-1 (binding)\n"));
        // HTML only: one version.
        let views = of("From: a@b.c\nContent-Type: text/html\n\n<p>+1</p>\n");
        assert_eq!((views.text.as_str(), views.html), ("\n+1\n\n", None));
    }
}
