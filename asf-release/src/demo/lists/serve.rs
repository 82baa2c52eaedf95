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

//! The stand-in archive's HTTP side: one request per connection, answered as Foal answers.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::{obfuscated, Archive, Stored};
use crate::demo::loopback::lock;

/// Foal's limit on POST bodies.
const BODY_LIMIT: usize = 256 * 1024;

/// Status, content type, body.
type Answer = (u16, &'static str, Vec<u8>);

fn text(status: u16, message: &str) -> Answer {
    (status, "text/plain", message.as_bytes().to_vec())
}

fn json_answer(value: &Value) -> Answer {
    (200, "application/json", value.to_string().into_bytes())
}

pub fn serve(archive: &Arc<Mutex<Archive>>, stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    let mut length = 0usize;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(usize::MAX);
            }
        }
    }
    let answer = if length > BODY_LIMIT {
        text(413, "Request Entity Too Large")
    } else {
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let mut archive = lock(archive);
        archive.seen.push(target.clone());
        answer(&archive, &target, &body)
    };
    let (status, kind, body) = answer;
    let mut stream = stream;
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {kind}; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(&body)?;
    stream.flush()
}

/// `%XX` and `+` of a query value decoded.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = text
            .get(i + 1..i + 3)
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The query string's parameters, then a JSON body's (`<name>.json` takes both).
fn parameters(target: &str, body: &[u8]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = target
        .split_once('?')
        .map(|(_, query)| query)
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => (decode(key), decode(value)),
            None => (decode(pair), String::new()),
        })
        .collect();
    if let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) {
        for (key, value) in object {
            let value = value.as_str().map_or(value.to_string(), str::to_string);
            found.push((key, value));
        }
    }
    found
}

struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

fn answer(archive: &Archive, target: &str, body: &[u8]) -> Answer {
    let path = target.split('?').next().unwrap_or_default();
    let params = Params(parameters(target, body));
    let param = |name: &str| params.get(name).map(str::to_string);
    let endpoint = path.strip_prefix("/api/").and_then(|rest| {
        rest.strip_suffix(".lua")
            .or_else(|| rest.strip_suffix(".json"))
    });
    match endpoint {
        Some("stats") => stats(archive, &params),
        Some("thread") => match find(archive, param("id"), param("listid")) {
            Some(root) => json_answer(&thread(archive, root)),
            None => text(404, "Content not found"),
        },
        Some("email") => match find(archive, param("id"), param("listid")) {
            Some(message) => json_answer(&email(message)),
            None => text(404, "Email not found"),
        },
        Some("source") => match find(archive, param("id"), param("listid")) {
            Some(message) if !archive.hidden.contains(&message.mid) => {
                (200, "text/plain", message.raw.clone())
            }
            _ => text(404, "Email not found"),
        },
        _ => text(404, "API Endpoint not found!"),
    }
}

/// A message by archive id, or by Message-ID together with its list (`listid`).
fn find(archive: &Archive, id: Option<String>, list: Option<String>) -> Option<&Stored> {
    let id = id?;
    match list {
        Some(list) => archive
            .messages
            .iter()
            .find(|m| m.message_id == id && m.list.eq_ignore_ascii_case(&list)),
        None => archive.messages.iter().find(|m| m.mid == id),
    }
}

/// The words of a text as the archive's analyser makes them: lower case, letters and digits,
/// with dots inside a number or a name kept (`1.0.0`, `v0.14.0.rc0`).
fn words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.to_lowercase().chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, c) in chars.iter().enumerate() {
        let inner_dot =
            *c == '.' && !word.is_empty() && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
        if c.is_alphanumeric() || inner_dot {
            word.push(*c);
        } else if !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

fn phrase_in(phrase: &str, field: &str) -> bool {
    let wanted = words(phrase);
    let have = words(field);
    wanted.is_empty() || have.windows(wanted.len()).any(|window| window == wanted)
}

/// The time range of a search: `(from, to)` epochs; a bad value is a 400 as Foal gives it.
fn range(params: &Params, now: i64) -> Result<(i64, i64), Answer> {
    let param = |name: &str| params.get(name);
    let day = 86_400;
    let month_span = |text: &str, key: &str| -> Result<(i64, i64), Answer> {
        let bad = || text_400(&format!("Keyword '{key}' must be of type YYYY-MM"));
        let (year, month) = text.split_once('-').ok_or_else(bad)?;
        let (year, month): (u16, u8) = (
            year.parse().map_err(|_| bad())?,
            month.parse().map_err(|_| bad())?,
        );
        if !(1..=12).contains(&month) {
            return Err(bad());
        }
        let start = epoch_of(year, month, 1);
        let (next_year, next_month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        Ok((start, epoch_of(next_year, next_month, 1) - 1))
    };
    let unit = |text: &str| -> Result<i64, Answer> {
        let (number, unit) = text.split_at(text.len().saturating_sub(1));
        let number: i64 = number.parse().map_err(|_| text_400("Invalid date range"))?;
        let seconds = match unit {
            "d" => day,
            "w" => 7 * day,
            "M" => 30 * day,
            "y" => 365 * day,
            _ => return Err(text_400("Invalid date range")),
        };
        Ok(number * seconds)
    };
    if let Some(d) = param("d").or_else(|| param("date")) {
        if let Some(span) = d.strip_prefix("lte=") {
            return Ok((now - unit(span)?, now));
        }
        if let Some(span) = d.strip_prefix("gte=") {
            return Ok((0, now - unit(span)?));
        }
        if let Some(days) = d.strip_prefix("dfr=") {
            let (from, to) = days
                .split_once("|dto=")
                .ok_or_else(|| text_400("Invalid date range"))?;
            let parse = |text: &str| -> Result<i64, Answer> {
                let parts: Vec<&str> = text.split('-').collect();
                let bad = || text_400("Invalid date: use YYYY-MM-DD");
                let [year, month, day_of_month] = parts[..] else {
                    return Err(bad());
                };
                Ok(epoch_of(
                    year.parse().map_err(|_| bad())?,
                    month.parse().map_err(|_| bad())?,
                    day_of_month.parse().map_err(|_| bad())?,
                ))
            };
            return Ok((parse(from)?, parse(to)? + day - 1));
        }
        return month_span(d, "d");
    }
    if let (Some(start), Some(end)) = (param("s"), param("e")) {
        return Ok((month_span(start, "s")?.0, month_span(end, "e")?.1));
    }
    // No date: the last 30 days.
    Ok((now - 30 * day, now))
}

fn text_400(message: &str) -> Answer {
    text(400, message)
}

fn epoch_of(year: u16, month: u8, day: u8) -> i64 {
    mail_parser::DateTime {
        year,
        month,
        day,
        ..Default::default()
    }
    .to_timestamp()
}

fn short(message: &Stored) -> Value {
    json!({
        "mid": message.mid, "id": message.mid, "subject": message.subject,
        "from": obfuscated(&message.from), "epoch": message.epoch,
        "message-id": message.message_id, "in-reply-to": message.in_reply_to,
        "list": message.list, "list_raw": message.list, "private": false,
        "body": message.body, "attachments": [], "gravatar": "",
    })
}

fn stats(archive: &Archive, params: &Params) -> Answer {
    let param = |name: &str| params.get(name);
    let (Some(list), Some(domain)) = (param("list"), param("domain")) else {
        return json_answer(&json!({}));
    };
    let now = crate::clock::system_now() as i64;
    let (from, to) = match range(params, now) {
        Ok(range) => range,
        Err(answer) => return answer,
    };
    let wanted = format!("<{list}.{domain}>").to_ascii_lowercase();
    let mut hits: Vec<&Stored> = archive
        .messages
        .iter()
        .filter(|m| m.list == wanted)
        .filter(|m| m.epoch >= from && m.epoch <= to)
        .filter(|m| param("header_subject").is_none_or(|p| phrase_in(p, &m.subject)))
        .filter(|m| param("header_from").is_none_or(|p| phrase_in(p, &m.from)))
        .collect();
    // The newest `max_hits`, then oldest first.
    hits.sort_by_key(|m| std::cmp::Reverse(m.epoch));
    hits.truncate(archive.max_hits);
    hits.sort_by_key(|m| m.epoch);
    json_answer(&json!({
        "hits": hits.len(), "name": list, "domain": domain,
        "list": format!("{list}@{domain}"), "searchlist": wanted,
        "emails": hits.iter().map(|m| short(m)).collect::<Vec<_>>(),
        "unixtime": now,
    }))
}

/// The thread `root` opens: replies by `In-Reply-To`/`References`, across lists, at most
/// 250 per message; no bodies but the root's; then every reply in a flat list, root last.
fn thread(archive: &Archive, root: &Stored) -> Value {
    let mut seen = BTreeSet::new();
    let mut flat = Vec::new();
    let tree = node(archive, root, &mut seen, &mut flat, 0);
    let mut top = tree;
    top["body"] = json!(root.body);
    flat.push(short(root));
    json!({"thread": top, "emails": flat})
}

fn node(
    archive: &Archive,
    message: &Stored,
    seen: &mut BTreeSet<String>,
    flat: &mut Vec<Value>,
    depth: usize,
) -> Value {
    seen.insert(message.mid.clone());
    let mut children = Vec::new();
    if depth < 250 && !message.message_id.is_empty() {
        let replies: Vec<&Stored> = archive
            .messages
            .iter()
            .filter(|m| {
                m.in_reply_to == message.message_id || m.references.contains(&message.message_id)
            })
            .take(250)
            .collect();
        for reply in replies {
            if seen.contains(&reply.mid) {
                continue;
            }
            let mut child = node(archive, reply, seen, flat, depth + 1);
            child["body"] = Value::Null;
            flat.push(short(reply));
            children.push(child);
        }
    }
    let mut value = short(message);
    value["children"] = Value::Array(children);
    value
}

fn email(message: &Stored) -> Value {
    let mut value = short(message);
    value["from_raw"] = json!(message.from);
    value["body"] = json!(String::from_utf8_lossy(&message.raw));
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_match_as_phrases_of_words() {
        assert!(phrase_in(
            "vote",
            "Re: [VOTE] Release Apache Demo 1.0.0 (RC1)"
        ));
        assert!(phrase_in("1.0.0", "[VOTE] Release Apache Demo 1.0.0 (RC1)"));
        assert!(!phrase_in("1.0", "[VOTE] Release Apache Demo 1.0.0 (RC1)"));
        assert!(phrase_in("release apache", "[VOTE] Release Apache Demo"));
        assert!(!phrase_in("apache release", "[VOTE] Release Apache Demo"));
        assert_eq!(words("v0.14.0.rc0 (RC1)."), ["v0.14.0.rc0", "rc1"]);
    }
}
