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

//! Tar archives written header by header, so a test can write what no well-behaved writer
//! does: the hand-made cases of every class where extractors read a header differently.

#![allow(dead_code)]

pub mod tree;

use std::io::Write;

pub const BLOCK: usize = 512;

/// The magic and version of a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Magic {
    /// POSIX ustar: `ustar\0` `00`.
    Ustar,
    /// GNU: `ustar ` ` \0`.
    Gnu,
    /// Version 7: no magic at all.
    V7,
    /// `ustar\0` with another version.
    UstarVersion([u8; 2]),
}

/// One 512-byte header, its checksum computed last.
#[derive(Clone)]
pub struct Header {
    pub bytes: [u8; BLOCK],
    /// Compute the checksum as a signed sum (old writers did).
    pub signed_checksum: bool,
    /// Leave the checksum field as it is.
    pub raw_checksum: bool,
}

fn octal(field: &mut [u8], value: u64) {
    let text = format!("{value:0width$o}\0", width = field.len() - 1);
    field.copy_from_slice(text.as_bytes());
}

impl Header {
    pub fn new(kind: u8, name: &[u8], size: u64, magic: Magic) -> Header {
        let mut header = Header {
            bytes: [0; BLOCK],
            signed_checksum: false,
            raw_checksum: false,
        };
        header.set_name(name);
        header.set_mode(if kind == b'5' { 0o755 } else { 0o644 });
        octal(&mut header.bytes[108..116], 0);
        octal(&mut header.bytes[116..124], 0);
        header.set_size(size);
        octal(&mut header.bytes[136..148], 1_700_000_000);
        header.bytes[156] = kind;
        match magic {
            Magic::Ustar => {
                header.bytes[257..263].copy_from_slice(b"ustar\0");
                header.bytes[263..265].copy_from_slice(b"00");
            }
            Magic::Gnu => header.bytes[257..265].copy_from_slice(b"ustar  \0"),
            Magic::V7 => {}
            Magic::UstarVersion(version) => {
                header.bytes[257..263].copy_from_slice(b"ustar\0");
                header.bytes[263..265].copy_from_slice(&version);
            }
        }
        header
    }

    pub fn set_name(&mut self, name: &[u8]) -> &mut Self {
        self.bytes[..100].fill(0);
        self.bytes[..name.len()].copy_from_slice(name);
        self
    }

    pub fn set_mode(&mut self, mode: u32) -> &mut Self {
        octal(&mut self.bytes[100..108], u64::from(mode));
        self
    }

    pub fn set_size(&mut self, size: u64) -> &mut Self {
        octal(&mut self.bytes[124..136], size);
        self
    }

    pub fn set_link(&mut self, target: &[u8]) -> &mut Self {
        self.bytes[157..257].fill(0);
        self.bytes[157..157 + target.len()].copy_from_slice(target);
        self
    }

    /// The ustar `prefix` field (bytes 345..500, where GNU headers keep times and sparse data).
    pub fn set_prefix(&mut self, prefix: &[u8]) -> &mut Self {
        self.bytes[345..500].fill(0);
        self.bytes[345..345 + prefix.len()].copy_from_slice(prefix);
        self
    }

    /// Writes `bytes` at `offset`, over whatever was there.
    pub fn patch(&mut self, offset: usize, bytes: &[u8]) -> &mut Self {
        self.bytes[offset..offset + bytes.len()].copy_from_slice(bytes);
        self
    }

    pub fn block(&self) -> [u8; BLOCK] {
        let mut bytes = self.bytes;
        if !self.raw_checksum {
            bytes[148..156].fill(b' ');
            let sum: i64 = if self.signed_checksum {
                bytes.iter().map(|b| i64::from(*b as i8)).sum()
            } else {
                bytes.iter().map(|b| i64::from(*b)).sum()
            };
            let text = format!("{:06o}\0 ", sum as u64 & 0o777777);
            bytes[148..156].copy_from_slice(text.as_bytes());
        }
        bytes
    }
}

fn padded(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    out.resize(data.len().div_ceil(BLOCK) * BLOCK, 0);
    out
}

/// A header followed by its data, padded to whole blocks.
pub fn entry(header: &Header, data: &[u8]) -> Vec<u8> {
    let mut out = header.block().to_vec();
    out.extend(padded(data));
    out
}

pub fn file(name: &str, data: &[u8]) -> Vec<u8> {
    entry(
        &Header::new(b'0', name.as_bytes(), data.len() as u64, Magic::Ustar),
        data,
    )
}

pub fn dir(name: &str) -> Vec<u8> {
    entry(&Header::new(b'5', name.as_bytes(), 0, Magic::Ustar), b"")
}

pub fn symlink(name: &str, target: &str) -> Vec<u8> {
    let mut header = Header::new(b'2', name.as_bytes(), 0, Magic::Ustar);
    header.set_mode(0o777).set_link(target.as_bytes());
    entry(&header, b"")
}

/// PAX records (`<length> <key>=<value>\n`).
pub fn records(pairs: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in pairs {
        let body = key.len() + value.len() + 3;
        let mut length = body + 1;
        while format!("{length}").len() + body != length {
            length += 1;
        }
        out.extend_from_slice(format!("{length} {key}=").as_bytes());
        out.extend_from_slice(value);
        out.push(b'\n');
    }
    out
}

/// A PAX extended header (`x`) or global header (`g`) holding `pairs`.
pub fn pax(kind: u8, pairs: &[(&str, &[u8])]) -> Vec<u8> {
    let data = records(pairs);
    let name: &[u8] = if kind == b'g' {
        b"pax_global_header"
    } else {
        b"PaxHeaders/entry"
    };
    entry(
        &Header::new(kind, name, data.len() as u64, Magic::Ustar),
        &data,
    )
}

/// A GNU long name (`L`) or long link target (`K`).
pub fn gnu_long(kind: u8, name: &[u8]) -> Vec<u8> {
    let mut data = name.to_vec();
    data.push(0);
    entry(
        &Header::new(kind, b"././@LongLink", data.len() as u64, Magic::Gnu),
        &data,
    )
}

/// The entries, then the two zero blocks that end an archive.
pub fn archive(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out: Vec<u8> = parts.concat();
    out.extend([0u8; 2 * BLOCK]);
    out
}

pub fn gzip(tar: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(tar).unwrap();
    encoder.finish().unwrap()
}

/// The start every hand-made case shares: a top directory with a LICENSE and a README.
pub fn base() -> Vec<Vec<u8>> {
    vec![
        dir("top/"),
        file("top/LICENSE", b"the license\n"),
        file("top/README", b"read me\n"),
    ]
}

/// A sparse map of GNU's format 1.0 (the number of regions, then offset and size of each, one
/// decimal number a line), padded to a block, and the data of its regions.
pub fn sparse_1_0(regions: &[(u64, &[u8])]) -> Vec<u8> {
    let mut map = format!("{}\n", regions.len());
    for (offset, data) in regions {
        map.push_str(&format!("{offset}\n{}\n", data.len()));
    }
    let mut out = padded(map.as_bytes());
    for (_, data) in regions {
        out.extend_from_slice(data);
    }
    out
}
