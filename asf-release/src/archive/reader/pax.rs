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

//! PAX extended headers (`x` for the next entry, `g` for all that follow): each record read
//! strictly, and only keys whose meaning every extractor shares. `path`, `linkpath` and `size`
//! are used; times, ids, owner names, comments (git archive's commit id) and a few vendor keys
//! that change nothing on disk are accepted and ignored. Everything else is refused, sparse
//! files first: GNU tar, bsdtar and Python give `GNU.sparse.name` precedence over the name, and
//! bsdtar reads `SCHILY.realsize` as the size; a key not known here may mean something to one
//! of them.

use crate::untrusted::escape;

/// What one extended header says about the entry that follows.
#[derive(Debug, Default)]
pub struct Pax {
    pub path: Option<Vec<u8>>,
    pub linkpath: Option<Vec<u8>>,
    pub size: Option<u64>,
}

/// Keys ignored here because they change nothing an extractor writes to disk, in a local
/// header (`x`) and a global one (`g`).
fn harmless(key: &str) -> bool {
    matches!(
        key,
        "mtime" | "atime" | "ctime" | "uid" | "gid" | "uname" | "gname" | "comment"
    ) || matches!(
        // bsdtar's `--format=pax`: identity of the file on the writer's disk and its birth time.
        key,
        "SCHILY.dev" | "SCHILY.ino" | "SCHILY.nlink" | "LIBARCHIVE.creationtime"
    ) || user_xattr(key)
}

/// An extended attribute in the `user.` namespace: bsdtar restores it as root, GNU tar and
/// Python ignore it, and it grants nothing (`security.capability`, ACLs in `system.` would).
fn user_xattr(key: &str) -> bool {
    ["SCHILY.xattr.user.", "LIBARCHIVE.xattr.user."]
        .iter()
        .any(|prefix| key.starts_with(prefix))
}

/// Why a key is refused, naming the class.
fn refusal(key: &str) -> String {
    let shown = escape(key.as_bytes());
    if key.starts_with("GNU.sparse.") || key == "SCHILY.realsize" || key == "SUN.holesdata" {
        format!(
            "PAX key `{shown}` makes it a sparse file: extractors take its name and size from \
             the sparse records, and its data holds a sparse map; a source release has no \
             sparse files"
        )
    } else {
        format!(
            "PAX key `{shown}` is not one every extractor reads alike (accepted: path, linkpath, \
             size, times, ids, owner names, comment)"
        )
    }
}

fn decimal(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 18 || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    value
        .iter()
        .try_fold(0u64, |n, d| Some(n * 10 + u64::from(d - b'0')))
}

/// `[-]digits[.digits]`, what GNU tar, bsdtar and Python all read as a time.
fn time(value: &[u8]) -> bool {
    let value = value.strip_prefix(b"-").unwrap_or(value);
    let (whole, fraction) = match value.iter().position(|b| *b == b'.') {
        Some(dot) => (&value[..dot], Some(&value[dot + 1..])),
        None => (value, None),
    };
    decimal(whole).is_some()
        && fraction
            .is_none_or(|f| !f.is_empty() && f.len() <= 9 && f.iter().all(u8::is_ascii_digit))
}

/// Splits PAX data into records, `<length> <key>=<value>\n` each, the length counting the
/// whole record: nothing before, between or after them.
fn records(data: &[u8]) -> Result<Vec<(String, &[u8])>, String> {
    let malformed =
        || "a malformed PAX record (extractors recover from it differently)".to_string();
    let mut out = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let rest = &data[at..];
        let space = rest.iter().position(|b| *b == b' ').ok_or_else(malformed)?;
        let length = decimal(&rest[..space])
            .filter(|_| rest[0] != b'0')
            .ok_or_else(malformed)? as usize;
        if length > rest.len() || length <= space + 2 || rest[length - 1] != b'\n' {
            return Err(malformed());
        }
        let record = &rest[space + 1..length - 1];
        let equals = record
            .iter()
            .position(|b| *b == b'=')
            .ok_or_else(malformed)?;
        let key = std::str::from_utf8(&record[..equals]).map_err(|_| malformed())?;
        if key.is_empty() {
            return Err(malformed());
        }
        out.push((key.to_string(), &record[equals + 1..]));
        at += length;
    }
    Ok(out)
}

/// The name a PAX header gives its entry (or a sparse file's real name), for messages.
pub fn name_hint(data: &[u8]) -> Option<Vec<u8>> {
    records(data)
        .ok()?
        .into_iter()
        .find(|(key, _)| key == "path" || key == "GNU.sparse.name")
        .map(|(_, value)| value.to_vec())
}

/// Reads one extended header; `global` for a `g` header, whose keys apply to every later
/// entry (Python and GNU tar apply a global `path` to every one of them, bsdtar ignores it).
pub fn parse(data: &[u8], global: bool) -> Result<Pax, String> {
    let mut pax = Pax::default();
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in records(data)? {
        let shown = escape(key.as_bytes());
        if seen.contains(&key) {
            return Err(format!(
                "PAX key `{shown}` twice in one header (Python takes the last, others the first)"
            ));
        }
        seen.push(key.clone());
        if value.contains(&0) {
            return Err(format!(
                "PAX key `{shown}` has a NUL in its value (GNU tar cuts it there, Python does not)"
            ));
        }
        let numeric_ok = match key.as_str() {
            "mtime" | "atime" | "ctime" | "LIBARCHIVE.creationtime" => time(value),
            "uid" | "gid" | "size" | "SCHILY.dev" | "SCHILY.ino" | "SCHILY.nlink" => {
                decimal(value).is_some()
            }
            _ => true,
        };
        if !numeric_ok {
            return Err(format!(
                "PAX key `{shown}` has the value `{}`, not a plain number (extractors read it \
                 differently or fail)",
                escape(value)
            ));
        }
        match key.as_str() {
            "path" | "linkpath" | "size" if global => {
                return Err(format!(
                    "a global PAX header sets `{shown}` (Python and GNU tar apply it to every \
                     later entry, bsdtar to none)"
                ))
            }
            "path" | "linkpath" if value.is_empty() => {
                return Err(format!(
                    "PAX key `{shown}` is empty (POSIX restores the header's field, Python \
                     takes the empty name)"
                ))
            }
            "path" => pax.path = Some(value.to_vec()),
            "linkpath" => pax.linkpath = Some(value.to_vec()),
            "size" => pax.size = decimal(value),
            key if harmless(key) => {}
            key => return Err(refusal(key)),
        }
    }
    Ok(pax)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_read_strictly() {
        let pax = parse(b"16 path=top/abc\n11 size=42\n", false).unwrap();
        assert_eq!(pax.path.as_deref(), Some(&b"top/abc"[..]));
        assert_eq!(pax.size, Some(42));
        for bad in [
            &b"17 path=top/abc\n"[..],
            b"16 path=top/abc\n\0\0",
            b"016 path=top/abc\n",
            b"15 path=top/abc\n",
            b"9 =value\n",
            b"x",
        ] {
            assert!(parse(bad, false).is_err(), "{bad:?}");
        }
        assert!(parse(
            b"52 comment=0123456789abcdef0123456789abcdef01234567\n",
            true
        )
        .is_ok());
        assert!(parse(b"16 path=top/abc\n", true).is_err());
        assert!(parse(b"16 mtime=12.5e3\n", false).is_err());
        assert!(parse(b"21 mtime=-1700000.25\n", false).is_ok());
    }
}
