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

//! A reply's own words: everything it quotes is left out, in the styles the common mail
//! clients write: `>` prefixes, the attribution line (`On ... wrote:`, also wrapped over two
//! lines and in other languages), Outlook's `From: ... Sent: ...` block and `____` rule,
//! `-----Original Message-----`, Thunderbird's `-------- Original Message --------`, Gmail's
//! `---------- Forwarded message ---------`, Apple Mail's `Begin forwarded message:`, the
//! signature (`-- `), and `<blockquote>` in HTML-only mails.

/// A line of the reply's own text, with its 1-based line number in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnLine<'a> {
    pub number: usize,
    pub text: &'a str,
}

/// The reply's own lines, and whether it quoted anything.
#[derive(Debug, Default)]
pub struct OwnText<'a> {
    pub lines: Vec<OwnLine<'a>>,
    pub quoted: bool,
}

/// Lines looked at: a vote is at the top, a hostile mail may have millions of lines.
const MAX_LINES: usize = 2000;
/// Characters of a line looked at.
pub const MAX_LINE_CHARS: usize = 500;

pub fn own_text(body: &str) -> OwnText<'_> {
    let lines: Vec<&str> = body.lines().take(MAX_LINES).collect();
    let mut own = OwnText::default();
    for (index, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('>') {
            own.quoted = true;
            continue;
        }
        if starts_quote(&lines[index..]) {
            own.quoted = true;
            break;
        }
        if trimmed == "--" {
            break;
        }
        if !trimmed.is_empty() {
            own.lines.push(OwnLine {
                number: index + 1,
                text: line,
            });
        }
    }
    own
}

/// Whether the quoted part of a reply starts at `lines[0]`.
fn starts_quote(lines: &[&str]) -> bool {
    let first = lines[0].trim();
    let lower = first.to_lowercase();
    if separator(&lower) {
        return true;
    }
    if ends_attribution(&lower) {
        return true;
    }
    // An attribution wrapped over up to three lines (Gmail breaks before the address).
    if ["on ", "am ", "le ", "el ", "il ", "op ", "在"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        let wrapped = lines
            .iter()
            .take(3)
            .skip(1)
            .take_while(|line| !line.trim().is_empty())
            .any(|line| ends_attribution(&line.trim().to_lowercase()));
        if wrapped {
            return true;
        }
    }
    // Outlook's header block: `From:` followed by `Sent:`/`Date:`/`To:`/`Subject:` lines.
    if ["from:", "von:", "de:", "da:", "发件人:", "发件人："]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return lines.iter().skip(1).take(4).any(|line| {
            let lower = line.trim().to_lowercase();
            [
                "sent:",
                "date:",
                "to:",
                "subject:",
                "gesendet:",
                "envoyé :",
                "envoyé:",
                "发送时间:",
                "发送时间：",
                "日期:",
                "收件人:",
            ]
            .iter()
            .any(|p| lower.starts_with(p))
        });
    }
    false
}

fn ends_attribution(lower: &str) -> bool {
    // German and Dutch clients put the name after the verb: `... schrieb Alice <a@b>:`.
    if lower.ends_with(':') && [" schrieb ", " schreef "].iter().any(|v| lower.contains(v)) {
        return true;
    }
    [
        "wrote:",
        "writes:",
        "schrieb:",
        "a écrit :",
        "a écrit:",
        "escribió:",
        "scritto:",
        "写道：",
        "写道:",
    ]
    .iter()
    .any(|end| lower.ends_with(end))
}

/// `-----Original Message-----`, `-------- Original Message --------`, `---------- Forwarded
/// message ---------`, `Begin forwarded message:`, an Outlook rule of underscores.
fn separator(lower: &str) -> bool {
    if lower.len() >= 10 && lower.chars().all(|c| c == '_') {
        return true;
    }
    if lower.starts_with("begin forwarded message") {
        return true;
    }
    let inner = lower.trim_matches(|c: char| c == '-' || c.is_whitespace());
    lower.starts_with("--")
        && inner.len() < lower.len()
        && [
            "original message",
            "forwarded message",
            "ursprüngliche nachricht",
            "message d'origine",
            "原始邮件",
            "原始郵件",
        ]
        .contains(&inner)
}

/// The text of an HTML mail: `<blockquote>` contents, `<head>`, `<style>` and `<script>`
/// dropped, tags removed (block tags become line breaks), entities decoded; at most `max`
/// bytes of output, one pass over the input.
pub fn html_to_text(html: &str, max: usize) -> String {
    let mut out = String::new();
    let mut hidden = 0usize;
    let mut rest = html;
    while !rest.is_empty() && out.len() < max {
        let Some(open) = rest.find('<') else {
            if hidden == 0 {
                decode_entities(rest, &mut out);
            }
            break;
        };
        if hidden == 0 {
            decode_entities(&rest[..open], &mut out);
        }
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(close) = rest.find('>') else { break };
        let tag = rest[1..close].trim().to_ascii_lowercase();
        rest = &rest[close + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if matches!(
            name.as_str(),
            "blockquote" | "head" | "style" | "script" | "title"
        ) {
            if closing {
                hidden = hidden.saturating_sub(1);
            } else if !tag.ends_with('/') {
                hidden += 1;
            }
            continue;
        }
        if hidden == 0
            && matches!(
                name.as_str(),
                "br" | "p" | "div" | "tr" | "li" | "hr" | "h1" | "h2" | "h3" | "h4" | "pre"
            )
            && !out.ends_with('\n')
        {
            out.push('\n');
        }
    }
    let mut end = out.len().min(max);
    while !out.is_char_boundary(end) {
        end -= 1;
    }
    out.truncate(end);
    out
}

fn decode_entities(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|end| *end <= 10);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" | "#39" => '\'',
                "nbsp" => ' ',
                "ndash" => '–',
                "mdash" => '—',
                "minus" => '−',
                _ => {
                    let number = name.strip_prefix('#')?;
                    let value = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(value)?
                }
            };
            Some((c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own(body: &str) -> Vec<&str> {
        own_text(body).lines.iter().map(|l| l.text).collect()
    }

    #[test]
    fn quotes_of_every_client_are_left_out() {
        assert_eq!(own("+1\n> -1 (binding)\n"), ["+1"]);
        assert_eq!(
            own("Thanks\n\nOn Mon, 6 May 2024 Alice wrote:\n+1\n"),
            ["Thanks"]
        );
        assert_eq!(
            own("Thanks\nOn Mon, May 6, 2024 at 9:00 AM Alice Apple <\nalice@apache.org> wrote:\n+1\n"),
            ["Thanks"],
            "Gmail wraps the attribution"
        );
        assert_eq!(
            own("ok\n\nFrom: Alice <alice@apache.org>\nSent: Monday, May 6, 2024 9:00 AM\nTo: dev@x.apache.org\nSubject: Re: [VOTE]\n\n+1\n"),
            ["ok"]
        );
        assert_eq!(own("ok\n-----Original Message-----\n+1\n"), ["ok"]);
        assert_eq!(own("ok\n-------- Original Message --------\n+1\n"), ["ok"]);
        assert_eq!(
            own("ok\n---------- Forwarded message ---------\n+1\n"),
            ["ok"]
        );
        assert_eq!(own("ok\n________________________________\n+1\n"), ["ok"]);
        assert_eq!(
            own("ok\nAm Mo., 6. Mai 2024 um 09:00 Uhr schrieb Alice:\n+1\n"),
            ["ok"]
        );
        assert_eq!(own("ok\n-- \nAlice, +1 555 0100\n"), ["ok"]);
        assert_eq!(
            own("From: the notes I see +1\n"),
            ["From: the notes I see +1"]
        );
    }

    #[test]
    fn html_blockquotes_and_tags_are_dropped_safely() {
        let html = "<html><head><style>p{}</style></head><body><div>+1 (binding)</div>\
                    <div class=\"gmail_quote\">On Mon wrote:<br><blockquote>-1 <blockquote>x</blockquote> +0</blockquote></div>\
                    <p>&lt;ok&gt; &amp; &#43;&#x31;</p></body></html>";
        assert_eq!(
            html_to_text(html, 1000),
            "\n+1 (binding)\nOn Mon wrote:\n<ok> & +1\n"
        );
        assert_eq!(html_to_text("<b>abc", 2), "ab");
        assert_eq!(html_to_text("a <unclosed", 100), "a ");
        assert_eq!(
            html_to_text("&#xffffffff; &#99999999999;", 100),
            "&#xffffffff; &#99999999999;"
        );
    }
}
