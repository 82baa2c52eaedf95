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

//! Text from outside the repository (candidate files, anything from dist/dev, KEYS, mboxes,
//! GitHub answers) as the terminal and our reports may show it. An attacker who controls such
//! bytes must not be able to move the cursor, erase lines, start a new line that looks like
//! ours, or reverse the reading order: every such character is shown as an escape instead.

use std::fmt::Write;

/// `bytes` as one line of visible text: printable UTF-8 as it is, `\n`, `\r`, `\t` and `\\`
/// spelled out, other control characters (C0, DEL, C1), invalid UTF-8 bytes and the
/// characters that change how text is laid out (bidirectional overrides, zero-width marks,
/// line and paragraph separators) as `\xNN` or `\u{NNNN}`.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        escape_valid(chunk.valid(), &mut out);
        for byte in chunk.invalid() {
            let _ = write!(out, "\\x{byte:02x}");
        }
    }
    out
}

/// [`escape`] for text that is already valid UTF-8.
pub fn escape_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_valid(text, &mut out);
    out
}

/// [`escape`], cut to at most `max_chars` characters of output with `…` marking the cut, for
/// untrusted text of any length in a one-line message.
pub fn escape_short(bytes: &[u8], max_chars: usize) -> String {
    let escaped = escape(bytes);
    match escaped.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

fn escape_valid(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if changes_layout(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

/// Format characters that reorder or hide text (the "Trojan Source" set and its relatives).
fn changes_layout(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{061c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2069}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_text_is_unchanged() {
        assert_eq!(
            escape("apache-x-1.0.0-src.tgz ✓ Grüße".as_bytes()),
            "apache-x-1.0.0-src.tgz ✓ Grüße"
        );
    }

    #[test]
    fn control_characters_and_line_breaks_are_visible() {
        assert_eq!(escape(b"a\nb\rc\td\\e"), "a\\nb\\rc\\td\\\\e");
        assert_eq!(
            escape(b"\x1b[2K\x1b[1A\x07\x7f"),
            "\\x1b[2K\\x1b[1A\\x07\\x7f"
        );
        assert_eq!(escape("\u{9b}31m".as_bytes()), "\\x9b31m");
    }

    #[test]
    fn invalid_utf8_and_layout_characters_are_visible() {
        assert_eq!(escape(b"a\xff\xfeb"), "a\\xff\\xfeb");
        assert_eq!(escape_str("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(escape_str("a\u{2028}b\u{200b}c"), "a\\u{2028}b\\u{200b}c");
    }

    #[test]
    fn escaped_text_is_one_line_without_escape_sequences() {
        let hostile: Vec<u8> = (0u8..=255).collect();
        let shown = escape(&hostile);
        assert!(!shown.chars().any(|c| c.is_control()), "{shown}");
    }

    #[test]
    fn short_form_cuts_long_text() {
        assert_eq!(escape_short(b"abcdef", 3), "abc…");
        assert_eq!(escape_short(b"abc", 3), "abc");
        assert_eq!(escape_short(b"\n\n", 3), "\\n\\…");
    }
}
