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

//! One 512-byte tar header, its fields read the one way GNU tar, bsdtar and Python's tarfile
//! all read them, or refused. Every numeric field Python parses is checked, not only those
//! used here: Python stops reading an archive silently at the first header it cannot parse,
//! so a bad uid would hide every later entry from a voter who unpacks with it.

pub const BLOCK: usize = 512;

/// Which header layout the magic and version name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Magic {
    /// POSIX ustar, `ustar\0` `00`: the only one whose `prefix` field is part of the name.
    Ustar,
    /// GNU, `ustar  \0`: bytes 345..500 hold times and sparse maps, not a prefix.
    Gnu,
    /// Version 7, no magic.
    V7,
}

/// The fields of a header, decoded.
pub struct Header {
    pub kind: u8,
    /// The name field up to its first NUL, with the ustar prefix when there is one.
    pub name: Vec<u8>,
    /// The link target field up to its first NUL.
    pub link: Vec<u8>,
    pub mode: u32,
    pub size: u64,
}

// The xtask's own code is built without optimisation in `cargo xtask`'s dev profile: the
// loops over every byte of a header below go through the standard library's optimised code
// (`CStr`, slice comparison) or work eight bytes at a time, so reading stays as fast as the
// `tar` crate's (built optimised) was.

/// `field` up to its first NUL.
fn until_nul(field: &[u8]) -> &[u8] {
    match std::ffi::CStr::from_bytes_until_nul(field) {
        Ok(text) => text.to_bytes(),
        Err(_) => field,
    }
}

/// The sum of the header's bytes, the checksum field counted as spaces.
fn checksum(block: &[u8; BLOCK]) -> u64 {
    const LOW: u64 = 0x00ff_00ff_00ff_00ff;
    let mut lanes = 0u64;
    let mut at = 0;
    while at < BLOCK {
        // `as` and indexing compile to plain instructions even unoptimised; calls do not.
        let word = block[at] as u64
            | (block[at + 1] as u64) << 8
            | (block[at + 2] as u64) << 16
            | (block[at + 3] as u64) << 24
            | (block[at + 4] as u64) << 32
            | (block[at + 5] as u64) << 40
            | (block[at + 6] as u64) << 48
            | (block[at + 7] as u64) << 56;
        // Four 16-bit lanes, each at most 64 * 2 * 255: no lane overflows.
        lanes += (word & LOW) + ((word >> 8) & LOW);
        at += 8;
    }
    let all = (lanes & 0xffff) + (lanes >> 16 & 0xffff) + (lanes >> 32 & 0xffff) + (lanes >> 48);
    let mut field = 0;
    for byte in &block[148..156] {
        field += *byte as u64;
    }
    all - field + 8 * u64::from(b' ')
}

/// An octal number as every extractor reads it: leading spaces, octal digits, then only
/// spaces and NULs. `None` when the field holds anything else (Python's `int(s, 8)` accepts
/// `0o17` and `1_7`, GNU tar does not). An empty field is 0 when `empty_is_zero`.
fn octal(field: &[u8], empty_is_zero: bool) -> Option<u64> {
    let mut at = 0;
    while at < field.len() && field[at] == b' ' {
        at += 1;
    }
    let start = at;
    let mut value = 0u64;
    // At most 12 digits: 8^12 fits with room to spare.
    while at < field.len() && field[at] >= b'0' && field[at] <= b'7' {
        value = value * 8 + (field[at] - b'0') as u64;
        at += 1;
    }
    let digits = at - start;
    while at < field.len() {
        if field[at] != b' ' && field[at] != 0 {
            return None;
        }
        at += 1;
    }
    if digits == 0 {
        return empty_is_zero.then_some(0);
    }
    Some(value)
}

/// A numeric field that is only checked (ids, times, device numbers): octal, or the base-256
/// form GNU tar writes for large values (first byte 0x80, or 0xff when negative), which all
/// three read alike.
fn valid_number(field: &[u8]) -> bool {
    matches!(field.first(), Some(0x80) | Some(0xff)) || octal(field, true).is_some()
}

/// Whether every byte is zero: the end of an archive.
pub fn is_zero(bytes: &[u8]) -> bool {
    const ZEROS: [u8; BLOCK] = [0; BLOCK];
    bytes
        .chunks(BLOCK)
        .all(|chunk| chunk == &ZEROS[..chunk.len()])
}

/// The name as far as this header tells it, for messages about a header that is refused.
pub fn raw_name(block: &[u8; BLOCK]) -> &[u8] {
    until_nul(&block[..100])
}

/// Decodes `block`, or says why it is refused.
pub fn parse(block: &[u8; BLOCK]) -> Result<Header, String> {
    let stated =
        octal(&block[148..156], false).ok_or("its header checksum field is not an octal number")?;
    if stated != checksum(block) {
        // GNU tar and Python also accept a checksum summed over signed bytes, GNU tar
        // skips a header whose checksum is wrong and reads on, Python stops there: neither
        // is a reading all of them share.
        return Err(
            "its header checksum is wrong (a damaged archive, or a checksum \
                    only some extractors accept)"
                .into(),
        );
    }
    let magic = match &block[257..265] {
        b"ustar\x0000" => Magic::Ustar,
        b"ustar  \0" => Magic::Gnu,
        [0, 0, 0, 0, 0, 0, 0, 0] => Magic::V7,
        _ => {
            return Err(
                "its header has an unknown magic or version (ustar headers are version `00`): \
                 GNU tar and Python apply its `prefix` field, others do not"
                    .into(),
            )
        }
    };
    let mode = octal(&block[100..108], false).ok_or("its mode field is not an octal number")?;
    let size = octal(&block[124..136], false).ok_or(
        "its size field is not a plain octal number (extractors would disagree on where its \
         data ends)",
    )?;
    for (range, what) in [
        (108..116, "uid"),
        (116..124, "gid"),
        (136..148, "mtime"),
        (329..337, "devmajor"),
        (337..345, "devminor"),
    ] {
        if !valid_number(&block[range]) {
            return Err(format!(
                "its {what} field is not a number (Python stops reading the archive there, \
                 silently, GNU tar reads on)"
            ));
        }
    }
    let mut name = until_nul(&block[..100]).to_vec();
    let prefix = &block[345..500];
    match magic {
        Magic::Ustar => {
            let prefix = until_nul(prefix);
            if !prefix.is_empty() {
                if name.is_empty() {
                    return Err("its header has a prefix but no name".into());
                }
                name = [prefix, b"/", &name].concat();
            }
        }
        // Python applies the prefix field whatever the magic, GNU tar only to ustar headers:
        // a header that is not ustar must leave it empty.
        Magic::Gnu | Magic::V7 => {
            if !is_zero(prefix) {
                return Err("its header is not ustar but has bytes in the ustar prefix \
                            field (Python reads them as part of the name, GNU tar as times \
                            or a sparse map)"
                    .into());
            }
        }
    }
    Ok(Header {
        kind: block[156],
        name,
        link: until_nul(&block[157..257]).to_vec(),
        // Type bits some writers leave above the permissions mean nothing to extractors.
        mode: (mode & 0o7777) as u32,
        size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_fields_are_read_strictly() {
        assert_eq!(octal(b"0000644\0", false), Some(0o644));
        assert_eq!(octal(b"   644 \0", false), Some(0o644));
        assert_eq!(octal(b"000000000012", false), Some(0o12));
        assert_eq!(octal(b"\0\0\0\0\0\0\0\0", true), Some(0));
        assert_eq!(octal(b"\0\0\0\0\0\0\0\0", false), None);
        for bad in [
            &b"0o00644\0"[..],
            b"00_0644\0",
            b"+000644\0",
            b"0000648\0",
            b"06\x0044x\0",
        ] {
            assert_eq!(octal(bad, true), None, "{bad:?}");
        }
        assert!(valid_number(b"\x80\0\0\0\0\0\0\x01"));
        assert!(!valid_number(b"zzzzzzz\0"));
        let mut block = [0xffu8; BLOCK];
        block[148..156].fill(7);
        assert_eq!(checksum(&block), 504 * 255 + 8 * 32);
        block[0] = 1;
        block[511] = 2;
        assert_eq!(checksum(&block), 502 * 255 + 3 + 8 * 32);
    }
}
