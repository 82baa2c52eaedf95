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

//! What a zip archive (a jar, a wheel, a test fixture) in a source release holds: ASF policy
//! forbids compiled code in source releases, not archives of text. The archive's central
//! directory is read (the end of the file), each entry judged by its name and by the first
//! bytes of its content (inflated, at most [`HEAD`] bytes of it): any compiled entry makes the
//! archive compiled code; a nested archive is judged the same way, [`MAX_DEPTH`] deep.
//! Everything is bounded: the entries read, the bytes inflated, the depth; an archive that
//! lies about its sizes or offsets, is encrypted, ZIP64 or split cannot be checked, which is
//! said as such (and refused like compiled code). So is one that other zip readers could read
//! otherwise (zip confusion, `tests/zip_confusion.rs`): a central directory not just before its
//! end record, an end record whose comment does not reach the end of the file, a local header
//! naming another file or compression than the directory, a local entry the directory does not
//! list, an entry holding another size than it says, a NUL in a name.

use std::io::Read;

use super::content::compiled_code;

/// Entries read at most.
const MAX_ENTRIES: usize = 10_000;
/// Bytes of each entry's content looked at.
const HEAD: usize = 512;
/// How deep archives in archives are opened, and how large a nested one may be (inflated).
const MAX_DEPTH: usize = 2;
const MAX_NESTED: usize = 1024 * 1024;
/// Bytes inflated in all, nested archives included.
const MAX_INFLATED: usize = 8 * 1024 * 1024;

/// Names of the zip formats a source release may carry, read whole to be judged.
pub fn is_zip_name(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    [
        ".zip", ".jar", ".war", ".ear", ".aar", ".apk", ".whl", ".egg", ".nupkg", ".docx", ".xlsx",
        ".pptx", ".odt", ".ods", ".odp", ".epub", ".kmz", ".xpi", ".vsix",
    ]
    .iter()
    .any(|suffix| lower.ends_with(suffix))
}

/// What a zip archive holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No compiled code: `entries` files, `by_name` of them judged by name only (a
    /// compression method not read here).
    NoCode { entries: usize, by_name: usize },
    /// Compiled code, named: `lib/x.so: ELF executable or library`.
    Compiled(String),
    /// Not checked, and why.
    Unreadable(String),
}

struct Budget {
    inflated: usize,
}

/// Judges the zip archive `bytes` (the whole file).
pub fn judge(bytes: &[u8]) -> Verdict {
    judge_at(bytes, 0, &mut Budget { inflated: 0 })
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(usize::from(u16::from_le_bytes([b[0], b[1]])))
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
}

/// The end-of-central-directory record: where it starts.
fn end_record(bytes: &[u8]) -> Option<usize> {
    let lowest = bytes.len().saturating_sub(22 + usize::from(u16::MAX));
    (lowest..=bytes.len().checked_sub(22)?)
        .rev()
        .find(|&at| bytes[at..].starts_with(b"PK\x05\x06"))
}

fn judge_at(bytes: &[u8], depth: usize, budget: &mut Budget) -> Verdict {
    let unreadable = |why: &str| Verdict::Unreadable(why.to_string());
    let Some(end) = end_record(bytes) else {
        return unreadable("no end of central directory: not a whole zip archive");
    };
    let (Some(disk), Some(count), Some(total), Some(size), Some(offset)) = (
        u16_at(bytes, end + 4),
        u16_at(bytes, end + 8),
        u16_at(bytes, end + 10),
        u32_at(bytes, end + 12),
        u32_at(bytes, end + 16),
    ) else {
        return unreadable("a cut end of central directory");
    };
    // Java passes over an end record whose comment does not reach the end of the file (and
    // finds another before it); one that does is the one every reader takes.
    if u16_at(bytes, end + 20).is_none_or(|comment| end + 22 + comment != bytes.len()) {
        return unreadable("bytes after its end record's comment");
    }
    if disk != 0 || count != total {
        return unreadable("a split (multi-disk) archive");
    }
    let zip64_locator = end
        .checked_sub(20)
        .is_some_and(|at| bytes[at..].starts_with(b"PK\x06\x07"));
    if zip64_locator
        || total == usize::from(u16::MAX)
        || offset == u32::MAX as usize
        || size == u32::MAX as usize
    {
        return unreadable("a ZIP64 archive, not read here");
    }
    if total > MAX_ENTRIES {
        return Verdict::Unreadable(format!("more than {MAX_ENTRIES} entries"));
    }
    // Where unzip, Python and Java look for the central directory: just before the end
    // record. An offset naming another place (a directory of text, another of code) is refused.
    if offset.checked_add(size) != Some(end) {
        return unreadable("its central directory is not where its end record says");
    }
    let mut at = offset;
    let (mut entries, mut by_name) = (0, 0);
    // The local entries listed: from their header to the end of their data.
    let mut listed = Vec::new();
    for _ in 0..total {
        let Some(entry) = Central::read(bytes, at) else {
            return unreadable("a central directory entry is cut or malformed");
        };
        at = entry.next;
        let name = crate::untrusted::escape_short(entry.name.as_bytes(), 200);
        if entry.name.contains('\0') {
            return Verdict::Unreadable(format!("`{name}` has a NUL in its name"));
        }
        if entry.flags & 1 != 0 {
            return Verdict::Unreadable(format!("`{name}` is encrypted"));
        }
        let Some((data_at, data, local_alias)) = entry.data(bytes) else {
            return Verdict::Unreadable(format!(
                "`{name}` lies outside the file, or its local header names another file or \
                 compression"
            ));
        };
        listed.push((entry.local, data_at + data.len()));
        // unzip and bsdtar write an entry under the name of its Unicode Path field: every
        // name it goes by is judged.
        let names: Vec<&str> = [Some(entry.name.as_str()), entry.alias.as_deref()]
            .into_iter()
            .chain([local_alias.as_deref()])
            .flatten()
            .collect();
        if names.iter().any(|n| n.contains('\0')) {
            return Verdict::Unreadable(format!("`{name}` has a NUL in a name it goes by"));
        }
        if entry.name.ends_with('/') && entry.size == 0 {
            continue;
        }
        entries += 1;
        // The head of what the entry really holds, whatever size it says it has; a size that
        // differs from what it holds is refused (unzip writes what it inflates).
        let head = match content(entry.method, data, HEAD, budget) {
            Ok(head) => head,
            Err(Unread::Method) => {
                by_name += 1;
                Vec::new()
            }
            Err(Unread::Broken) => {
                return Verdict::Unreadable(format!("`{name}` cannot be inflated"))
            }
            Err(Unread::Budget) => {
                return Verdict::Unreadable(format!(
                    "more than {} MiB to inflate",
                    MAX_INFLATED >> 20
                ))
            }
        };
        let stored_lies = entry.method == 0 && entry.compressed != entry.size;
        let read = !head.is_empty() || data.is_empty();
        if stored_lies || (read && head.len() != HEAD.min(entry.size)) {
            return Verdict::Unreadable(format!("`{name}` holds another size than it says"));
        }
        let magic_zip = head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06");
        if magic_zip || (head.is_empty() && names.iter().any(|n| is_zip_name(n))) {
            if depth + 1 >= MAX_DEPTH || entry.size > MAX_NESTED || head.is_empty() {
                return Verdict::Unreadable(format!(
                    "`{name}` is an archive inside it, not opened (more than {MAX_DEPTH} \
                     levels, over {} KiB, or compressed in a way not read here)",
                    MAX_NESTED >> 10
                ));
            }
            // One byte more than it says, to see it holds no more (a second archive after it).
            let inner = match content(entry.method, data, entry.size + 1, budget) {
                Ok(inner) if inner.len() == entry.size => inner,
                _ => return Verdict::Unreadable(format!("`{name}` cannot be inflated")),
            };
            match judge_at(&inner, depth + 1, budget) {
                Verdict::NoCode {
                    entries: more,
                    by_name: also,
                } => {
                    entries += more;
                    by_name += also;
                }
                Verdict::Compiled(what) => return Verdict::Compiled(format!("{name}!{what}")),
                Verdict::Unreadable(why) => {
                    return Verdict::Unreadable(format!("in `{name}`: {why}"))
                }
            }
            continue;
        }
        let judged = names
            .iter()
            .find_map(|n| compiled_code(n, &head).or_else(|| compiled_name(n)));
        if let Some(what) = judged {
            return Verdict::Compiled(format!("{name}: {what}"));
        }
    }
    if at != end {
        return unreadable("its central directory holds more than its entries");
    }
    if let Some(hidden) = unlisted_local(bytes, offset, &mut listed) {
        return Verdict::Unreadable(format!(
            "a local entry at byte {hidden} that its central directory does not list (a \
             streaming reader would extract it)"
        ));
    }
    Verdict::NoCode { entries, by_name }
}

/// A local header signature before the central directory that no listed entry starts at or
/// holds in its data: an entry that readers going through the file from its start see.
fn unlisted_local(bytes: &[u8], before: usize, listed: &mut [(usize, usize)]) -> Option<usize> {
    listed.sort_unstable();
    let mut covered = 0;
    let mut next = 0;
    let region = bytes.get(..before)?;
    for at in region
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x03\x04")
        .map(|(at, _)| at)
    {
        while next < listed.len() && listed[next].0 <= at {
            covered = covered.max(listed[next].1);
            if listed[next].0 == at {
                covered = covered.max(at + 1);
            }
            next += 1;
        }
        if at >= covered {
            return Some(at);
        }
    }
    None
}

/// Compiled code by name alone, for entries whose content could not be looked at (and the
/// names `compiled_code` leaves to content).
fn compiled_name(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    [
        (".class", "Java class file"),
        (".so", "shared library"),
        (".dylib", "shared library"),
        (".jnilib", "shared library"),
        (".dll", "Windows library"),
        (".exe", "Windows executable"),
        (".pyc", "compiled Python bytecode"),
        (".wasm", "WebAssembly module"),
        (".node", "native Node.js module"),
    ]
    .into_iter()
    .find(|(suffix, _)| lower.ends_with(suffix))
    .or_else(|| lower.contains(".so.").then_some((".so", "shared library")))
    .map(|(_, what)| what)
}

enum Unread {
    /// A compression method not read here.
    Method,
    /// Data that does not inflate.
    Broken,
    /// More than [`MAX_INFLATED`] bytes inflated in all.
    Budget,
}

/// Up to `limit` bytes of an entry's content, stored or deflated.
fn content(
    method: usize,
    data: &[u8],
    limit: usize,
    budget: &mut Budget,
) -> Result<Vec<u8>, Unread> {
    if budget.inflated.saturating_add(limit.min(MAX_NESTED + 1)) > MAX_INFLATED {
        return Err(Unread::Budget);
    }
    let mut out = Vec::new();
    match method {
        0 => out.extend_from_slice(&data[..limit.min(data.len())]),
        8 => {
            let decoder = flate2::read::DeflateDecoder::new(data);
            decoder
                .take(limit as u64)
                .read_to_end(&mut out)
                .map_err(|_| Unread::Broken)?;
        }
        _ => return Err(Unread::Method),
    }
    budget.inflated += out.len();
    Ok(out)
}

/// One central directory entry.
struct Central {
    name: String,
    /// The name of its Info-ZIP Unicode Path extra field, if any.
    alias: Option<String>,
    flags: usize,
    method: usize,
    compressed: usize,
    /// The size it says its content has, inflated.
    size: usize,
    local: usize,
    next: usize,
}

impl Central {
    fn read(bytes: &[u8], at: usize) -> Option<Central> {
        if !bytes.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let name_len = u16_at(bytes, at + 28)?;
        let extra_len = u16_at(bytes, at + 30)?;
        let comment_len = u16_at(bytes, at + 32)?;
        let name_at = at + 46;
        let name = bytes.get(name_at..name_at + name_len)?;
        Some(Central {
            name: String::from_utf8_lossy(name).into_owned(),
            alias: unicode_path(bytes.get(name_at + name_len..name_at + name_len + extra_len)?),
            flags: u16_at(bytes, at + 8)?,
            method: u16_at(bytes, at + 10)?,
            compressed: u32_at(bytes, at + 20)?,
            size: u32_at(bytes, at + 24)?,
            local: u32_at(bytes, at + 42)?,
            next: name_at + name_len + extra_len + comment_len,
        })
    }

    /// The compressed content and where it starts, found through the local header, which
    /// must name the same file and compression (streaming readers go by the local header).
    fn data<'a>(&self, bytes: &'a [u8]) -> Option<(usize, &'a [u8], Option<String>)> {
        if !bytes.get(self.local..)?.starts_with(b"PK\x03\x04") {
            return None;
        }
        let method = u16_at(bytes, self.local + 8)?;
        let name_len = u16_at(bytes, self.local + 26)?;
        let extra_len = u16_at(bytes, self.local + 28)?;
        let name_at = self.local + 30;
        let name = bytes.get(name_at..name_at + name_len)?;
        if method != self.method || String::from_utf8_lossy(name) != self.name {
            return None;
        }
        let alias = unicode_path(bytes.get(name_at + name_len..name_at + name_len + extra_len)?);
        let start = name_at + name_len + extra_len;
        Some((
            start,
            bytes.get(start..start.checked_add(self.compressed)?)?,
            alias,
        ))
    }
}

/// The name in an Info-ZIP Unicode Path extra field (0x7075: version, CRC, UTF-8 name).
fn unicode_path(extra: &[u8]) -> Option<String> {
    let mut at = 0;
    while let (Some(id), Some(len)) = (u16_at(extra, at), u16_at(extra, at + 2)) {
        let field = extra.get(at + 4..at + 4 + len)?;
        if id == 0x7075 {
            return field
                .get(5..)
                .map(|n| String::from_utf8_lossy(n).into_owned());
        }
        at += 4 + len;
    }
    None
}
