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

//! A reply's own words: what it quotes is left out, and only that. Quoted lines (`>` at any
//! depth, `<blockquote>` in HTML) and the attribution line (`On ... wrote:`, also wrapped over
//! two lines and in other languages) go, so a bottom-posted or inline reply keeps the lines
//! the person wrote below and between the quotes. What a top-posting client copies below the
//! reply without `>` goes from where it starts: Outlook's `From: ... Sent: ...` block and
//! `____` rule, `-----Original Message-----`, Thunderbird's `-------- Original Message
//! --------`, Gmail's `---------- Forwarded message ---------`, Apple Mail's `Begin forwarded
//! message:`, an attribution followed by unquoted text; and the signature (`-- `).

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
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        let trimmed = line.trim();
        if trimmed.starts_with('>') {
            own.quoted = true;
            index += 1;
            continue;
        }
        // A top-poster's client copies the mail answered below a rule or a header block,
        // without `>`: everything from there on is theirs.
        if separator(&trimmed.to_lowercase()) || header_block(&lines[index..]) {
            own.quoted = true;
            break;
        }
        if let Some(length) = attribution(&lines[index..]) {
            own.quoted = true;
            // Below the attribution: `>` lines of a bottom-posted or inline reply (the
            // person's own lines follow them), or a copy without `>` that ends the reply.
            let next = lines[index + length..]
                .iter()
                .find(|line| !line.trim().is_empty());
            match next {
                Some(next) if next.trim_start().starts_with('>') => {
                    index += length;
                    continue;
                }
                _ => break,
            }
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
        index += 1;
    }
    own
}

/// The number of lines of the attribution (`On ... wrote:`) starting at `lines[0]`, also
/// wrapped over up to three lines (Gmail breaks before the address).
fn attribution(lines: &[&str]) -> Option<usize> {
    let lower = lines[0].trim().to_lowercase();
    if ends_attribution(&lower) {
        return Some(1);
    }
    if ["on ", "am ", "le ", "el ", "il ", "op ", "在"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return lines
            .iter()
            .take(3)
            .skip(1)
            .take_while(|line| !line.trim().is_empty())
            .position(|line| ends_attribution(&line.trim().to_lowercase()))
            .map(|at| at + 2);
    }
    None
}

/// Outlook's header block: `From:` followed by `Sent:`/`Date:`/`To:`/`Subject:` lines.
fn header_block(lines: &[&str]) -> bool {
    let lower = lines[0].trim().to_lowercase();
    if !["from:", "von:", "de:", "da:", "发件人:", "发件人："]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return false;
    }
    lines.iter().skip(1).take(4).any(|line| {
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
    })
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

/// The text of an HTML mail: `<head>`, `<style>` and `<script>` dropped, `<blockquote>`
/// contents as `>` lines (one `>` per depth, as a plain-text client quotes), tags removed
/// (block tags become line breaks), entities decoded; at most `max` bytes of output, one pass
/// over the input.
pub fn html_to_text(html: &str, max: usize) -> String {
    let mut out = String::new();
    let mut hidden = 0usize;
    let mut quoted = 0usize;
    let mut rest = html;
    let mut text = String::new();
    while !rest.is_empty() && out.len() < max {
        let open = rest.find('<').unwrap_or(rest.len());
        if hidden == 0 {
            text.clear();
            decode_entities(&rest[..open], &mut text);
            push_quoted(&mut out, &text, quoted);
        }
        rest = &rest[open..];
        if rest.is_empty() {
            break;
        }
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
        let self_closing = tag.ends_with('/');
        match name.as_str() {
            "head" | "style" | "script" | "title" if closing => hidden = hidden.saturating_sub(1),
            "head" | "style" | "script" | "title" if !self_closing => hidden += 1,
            "blockquote" if !self_closing => {
                quoted = match closing {
                    true => quoted.saturating_sub(1),
                    false => quoted.saturating_add(1).min(50),
                };
                if hidden == 0 && !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
            }
            "br" | "p" | "div" | "tr" | "li" | "hr" | "h1" | "h2" | "h3" | "h4" | "pre"
                if hidden == 0 && !out.ends_with('\n') =>
            {
                out.push('\n')
            }
            _ => {}
        }
    }
    let mut end = out.len().min(max);
    while !out.is_char_boundary(end) {
        end -= 1;
    }
    out.truncate(end);
    out
}

/// Appends `text`, each line that starts inside `depth` blockquotes prefixed with `>`.
fn push_quoted(out: &mut String, text: &str, depth: usize) {
    for c in text.chars() {
        if depth > 0 && c != '\n' && (out.is_empty() || out.ends_with('\n')) {
            if c.is_whitespace() {
                continue;
            }
            out.push_str(&"> ".repeat(depth));
        }
        out.push(c);
    }
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
    fn bottom_posted_and_inline_replies_keep_the_person_s_lines() {
        let bottom = "On Mon, 6 May 2024 at 09:00, Release Manager <rm@apache.org> wrote:\n\
                      > Please vote:\n> [ ] +1 approve\n> I will start with my own +1\n\n\
                      +1 (binding), checked the signatures\n";
        assert_eq!(own(bottom), ["+1 (binding), checked the signatures"]);
        let inline = "Alice wrote:\n> Did you check the NOTICE?\nYes, it is fine.\n\
                      > And your vote?\n-1, the LICENSE misses a file\n";
        assert_eq!(
            own(inline),
            ["Yes, it is fine.", "-1, the LICENSE misses a file"]
        );
        let gmail_wrapped = "On Mon, May 6, 2024 at 9:00 AM Release Manager <\nrm@apache.org> wrote:\n\n> +1 approve\n\n+1\n";
        assert_eq!(own(gmail_wrapped), ["+1"]);
        // HTML: the blockquote becomes `>` lines, the person's text below it stays.
        let html = html_to_text(
            "<div class=\"gmail_quote\">On Mon, Alice wrote:<br><blockquote>+1 approve<br>-1 disapprove</blockquote></div><div>-1 (binding)</div>",
            1000,
        );
        assert_eq!(own(&html), ["-1 (binding)"], "{html:?}");
    }

    #[test]
    fn html_blockquotes_and_tags_are_dropped_safely() {
        let html = "<html><head><style>p{}</style></head><body><div>+1 (binding)</div>\
                    <div class=\"gmail_quote\">On Mon wrote:<br><blockquote>-1 <blockquote>x</blockquote> +0</blockquote></div>\
                    <p>&lt;ok&gt; &amp; &#43;&#x31;</p></body></html>";
        assert_eq!(
            html_to_text(html, 1000),
            "\n+1 (binding)\nOn Mon wrote:\n> -1 \n> > x\n> +0\n<ok> & +1\n"
        );
        assert_eq!(html_to_text("<b>abc", 2), "ab");
        assert_eq!(html_to_text("a <unclosed", 100), "a ");
        assert_eq!(
            html_to_text("&#xffffffff; &#99999999999;", 100),
            "&#xffffffff; &#99999999999;"
        );
    }
}
