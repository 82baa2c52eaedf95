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

//! The checksum files published beside a release, with one parser for `package`, `upload`,
//! `promote` and `verify`: what the release manager's tool accepts, the voter's accepts too.
//! ASF policy: SHA-512 or SHA-256, never MD5 or SHA-1 alone.
//!
//! Accepted, as `sha512sum -c` reads them: `<hex>  <file>` (text mode, what `package` writes),
//! `<hex> *<file>` (`sha512sum -b`) and the tagged form `SHA512 (<file>) = <hex>`
//! (`sha512sum --tag`, `shasum --tag`). One line, for one bare file name.

use std::io::Read;

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use sha2::{Digest, Sha256, Sha512};

use super::writer::hex;
use crate::untrusted::escape_short;

/// A checksum file is one short line; anything longer is refused unread.
pub const MAX_CHECKSUM_FILE_BYTES: u64 = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Sha512,
    Sha256,
}

impl Algorithm {
    /// `sha512`: the name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha512 => "sha512",
            Algorithm::Sha256 => "sha256",
        }
    }

    fn tag(self) -> &'static str {
        match self {
            Algorithm::Sha512 => "SHA512",
            Algorithm::Sha256 => "SHA256",
        }
    }

    fn hex_digits(self) -> usize {
        match self {
            Algorithm::Sha512 => 128,
            Algorithm::Sha256 => 64,
        }
    }

    /// The digest of everything `input` yields, lower-case hex.
    pub fn digest_reader(self, mut input: impl Read) -> std::io::Result<String> {
        match self {
            Algorithm::Sha512 => {
                let mut hasher = Sha512::new();
                std::io::copy(&mut input, &mut hasher)?;
                Ok(hex(&hasher.finalize()))
            }
            Algorithm::Sha256 => {
                let mut hasher = Sha256::new();
                std::io::copy(&mut input, &mut hasher)?;
                Ok(hex(&hasher.finalize()))
            }
        }
    }
}

/// SHA-512 of bytes in memory, lower-case hex.
pub fn sha512_bytes(bytes: &[u8]) -> String {
    hex(&Sha512::digest(bytes))
}

/// SHA-512 of a file the tool wrote itself (a candidate's files are read through `verify`'s
/// guarded reader instead).
pub fn sha512_file(path: &Utf8Path) -> Result<String> {
    let file = std::fs::File::open(path).with_context(|| format!("cannot read {path}"))?;
    Algorithm::Sha512
        .digest_reader(file)
        .with_context(|| format!("cannot read {path}"))
}

/// The `.sha512` line `package` writes: `<hex>  <file name>`.
pub fn checksum_line(sha512: &str, file_name: &str) -> String {
    format!("{sha512}  {file_name}\n")
}

/// What a checksum file states: the digest (lower-case) and the file it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stated {
    pub digest: String,
    pub file_name: String,
}

/// Reads a checksum file's bytes; the error says what is wrong, with the content escaped.
pub fn parse(algorithm: Algorithm, bytes: &[u8]) -> std::result::Result<Stated, String> {
    let expected = format!(
        "expected one line `<{} hex digits>  <file name>` as `{}sum` writes it (or its `-b` or \
         `--tag` form)",
        algorithm.hex_digits(),
        algorithm.name()
    );
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err(format!("is not text; {expected}"));
    };
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.contains(['\n', '\r']) {
        return Err(format!("holds more than one line; {expected}"));
    }
    let shown = || escape_short(body.as_bytes(), 100);
    let tag_prefix = format!("{} (", algorithm.tag());
    let (digest, file_name) = if let Some(rest) = body.strip_prefix(&tag_prefix) {
        match rest.rsplit_once(") = ") {
            Some((name, digest)) => (digest, name),
            None => {
                return Err(format!(
                    "`{}` is not in the checksum format; {expected}",
                    shown()
                ))
            }
        }
    } else {
        match body.split_once("  ").or_else(|| body.split_once(" *")) {
            Some((digest, name)) => (digest, name),
            None => {
                return Err(format!(
                    "`{}` is not in the checksum format; {expected}",
                    shown()
                ))
            }
        }
    };
    if digest.len() != algorithm.hex_digits() || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "`{}` is not a {} digest ({} hex digits); {expected}",
            escape_short(digest.as_bytes(), 140),
            algorithm.tag(),
            algorithm.hex_digits()
        ));
    }
    if file_name.is_empty() || file_name.contains('/') {
        return Err(format!(
            "`{}` is not a bare file name (the name is relative to the checksum's own \
             directory); {expected}",
            escape_short(file_name.as_bytes(), 100)
        ));
    }
    Ok(Stated {
        digest: digest.to_ascii_lowercase(),
        file_name: file_name.to_string(),
    })
}

/// The digest a checksum file at `origin` states for `file_name`; an error says what is wrong.
pub fn stated_digest(
    algorithm: Algorithm,
    bytes: &[u8],
    file_name: &str,
    origin: &str,
) -> Result<String> {
    let stated =
        parse(algorithm, bytes).map_err(|problem| anyhow::anyhow!("{origin} {problem}"))?;
    if stated.file_name != file_name {
        bail!(
            "{origin} is the checksum of `{}`, not of `{file_name}`: `{}sum -c` would check \
             another file",
            crate::untrusted::escape_str(&stated.file_name),
            algorithm.name()
        );
    }
    Ok(stated.digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forms_sha512sum_writes_are_read() {
        let hex = "a".repeat(128);
        let want = Stated {
            digest: hex.clone(),
            file_name: "x.tgz".into(),
        };
        for text in [
            format!("{hex}  x.tgz\n"),
            format!("{hex}  x.tgz"),
            format!("{hex} *x.tgz\n"),
            format!("SHA512 (x.tgz) = {hex}\n"),
            format!("{}  x.tgz\n", "A".repeat(128)),
        ] {
            assert_eq!(
                parse(Algorithm::Sha512, text.as_bytes()),
                Ok(want.clone()),
                "{text}"
            );
        }
        let short = "b".repeat(64);
        assert_eq!(
            parse(Algorithm::Sha256, format!("{short} *x.tgz\n").as_bytes())
                .unwrap()
                .digest,
            short
        );
    }

    #[test]
    fn anything_else_is_refused_with_the_content_escaped() {
        let hex = "a".repeat(128);
        for bad in [
            format!("{hex} x.tgz\n"),
            format!("{}  x.tgz\n", "a".repeat(127)),
            format!("{}  x.tgz\n", "a".repeat(64)),
            format!("{hex}  dir/x.tgz\n"),
            format!("{hex}  x.tgz\n{hex}  y.tgz\n"),
            format!("{hex}  x.tgz\r\n"),
            format!("{hex}  \n"),
            "SHA512 (x.tgz) = abc\n".to_string(),
            format!("SHA256 (x.tgz) = {hex}\n"),
            "\x1b[2K✓ all checks passed\n".to_string(),
        ] {
            let problem = parse(Algorithm::Sha512, bad.as_bytes()).unwrap_err();
            assert!(!problem.contains('\x1b'), "{problem}");
        }
        assert!(parse(Algorithm::Sha512, b"\xff\xfe").is_err());
        let err = stated_digest(
            Algorithm::Sha512,
            format!("{hex}  other.tgz\n").as_bytes(),
            "x.tgz",
            "x.tgz.sha512",
        )
        .unwrap_err();
        assert!(err.to_string().contains("not of `x.tgz`"), "{err}");
    }
}
