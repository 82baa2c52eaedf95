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

//! Reads a `.tar.gz` as untrusted input, the one reader for everything untrusted (`verify`'s
//! checks, `--rebuild`, the unpacking for the load check and `--build`): nothing is written by
//! it, sizes are capped, and every entry is reduced to what the checks need (path, kind, mode,
//! size, content id and the first bytes) so memory stays flat however many files it holds.
//!
//! It accepts only a subset of tar that GNU tar, bsdtar and Python's tarfile read alike, and
//! refuses the rest naming the entry and why (docs/verify.md, "The archive format"): ustar
//! headers (their `prefix` too), GNU and version 7 headers without a prefix, GNU long names and
//! link targets (`L`, `K`), PAX extended headers with `path`, `linkpath`, `size` and keys that
//! change nothing on disk (times, ids, owner names, comments), PAX global headers with those
//! harmless keys only (git archive's commit id); regular files, directories and symbolic
//! links. Refused: sparse files in any form, hard links, special files, two names or two link
//! targets for one entry, a size on a directory or link, a non-directory named like a
//! directory, a link target on a non-link, numeric fields that are not plain numbers, and
//! anything but zeros after the end of the archive.
//!
//! - `gunzip`: the gzip layer (several members, zero padding);
//! - `stream`: the tar layer, entry by entry;
//! - `header`: one 512-byte header;
//! - `pax`: PAX records and the keys accepted.

mod gunzip;
mod header;
mod pax;
mod stream;
#[cfg(test)]
mod tests;

use std::io::{self, BufReader, Read};

use anyhow::{anyhow, Result};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::writer::hex;
use crate::untrusted::escape;
use gunzip::Gunzip;
pub use stream::{EntryHeader, TarStream};

/// How many leading bytes of each file the checks see (license header, magic numbers).
pub const HEAD_BYTES: usize = 4096;
/// Files the checks need whole (LICENSE, NOTICE ...) are kept up to this size.
pub const WHOLE_FILE_LIMIT: u64 = 1024 * 1024;

/// Ceilings that stop a gzip bomb or an endless archive with a clear error.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_tar_bytes: u64,
    pub max_entries: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_tar_bytes: 8 * 1024 * 1024 * 1024,
            max_entries: 1_000_000,
        }
    }
}

/// The object-id flavour used to compare contents with a git tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectFormat {
    Sha1,
    Sha256,
}

impl ObjectFormat {
    pub fn from_git(name: &str) -> ObjectFormat {
        if name == "sha256" {
            ObjectFormat::Sha256
        } else {
            ObjectFormat::Sha1
        }
    }

    /// The format a full object id is written in, told by its length (git names objects by
    /// 40 hex digits in SHA-1 repositories, 64 in SHA-256 ones); `None` for anything else.
    pub fn of_id(id: &str) -> Option<ObjectFormat> {
        if !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        match id.len() {
            40 => Some(ObjectFormat::Sha1),
            64 => Some(ObjectFormat::Sha256),
            _ => None,
        }
    }
}

/// What a reader hashes besides reading; each costs a pass of SHA over the bytes, so a reader
/// asks only for what it compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hashing {
    /// The git blob id of every file, in this format: to compare the files with a git tree.
    pub blob_ids: Option<ObjectFormat>,
    /// The SHA-512 of the archive file as read.
    pub file: bool,
    /// The SHA-512 of the uncompressed `.tar`: to tell a rebuild that differs only by its
    /// compressor from one that differs in content.
    pub tar: bool,
}

impl Hashing {
    pub const NOTHING: Hashing = Hashing {
        blob_ids: None,
        file: false,
        tar: false,
    };

    pub fn everything(format: ObjectFormat) -> Hashing {
        Hashing {
            blob_ids: Some(format),
            file: true,
            tar: true,
        }
    }
}

/// The kinds of entry the accepted subset holds; everything else is refused while reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    File {
        /// The owner may execute it (what `chmod` and every extractor leave of the mode).
        executable: bool,
    },
    Dir,
    Symlink {
        target: String,
    },
}

/// One entry as the checks see it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The path as stored, `/`-separated, without a trailing `/`.
    pub path: String,
    pub kind: Kind,
    pub mode: u32,
    pub size: u64,
    /// The git blob id of the content (files only), in the format asked for.
    pub blob_id: Option<String>,
    /// The first [`HEAD_BYTES`] bytes of a file.
    pub head: Vec<u8>,
    /// The whole content, for files the visitor asked to keep (small ones only).
    pub whole: Option<Vec<u8>>,
}

/// Digests of what was read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadDigests {
    pub sha512: String,
    pub tar_sha512: String,
    /// Size of the uncompressed `.tar`.
    pub tar_size: u64,
    pub entries: u64,
}

/// Counts (and, when asked, hashes) the bytes that pass through; fails past `limit`.
pub struct Counting<R> {
    inner: R,
    hasher: Option<Sha512>,
    count: u64,
    limit: u64,
}

impl<R> Counting<R> {
    fn new(inner: R, hash: bool, limit: u64) -> Counting<R> {
        Counting {
            inner,
            hasher: hash.then(Sha512::new),
            count: 0,
            limit,
        }
    }

    /// The byte count and the hex SHA-512 (empty when not hashed).
    fn finish(self) -> (u64, String, R) {
        let digest = self
            .hasher
            .map(|hasher| hex(&hasher.finalize()))
            .unwrap_or_default();
        (self.count, digest, self.inner)
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&buf[..n]);
        }
        self.count += n as u64;
        if self.count > self.limit {
            return Err(io::Error::other(format!(
                "the archive unpacks to more than {} bytes (the size limit); it may be a \
                 compression bomb",
                self.limit
            )));
        }
        Ok(n)
    }
}

/// The uncompressed stream of a `.tar.gz`, buffered: headers are read from the buffer, not
/// inflated 512 bytes at a time.
pub type Plain<R> = BufReader<Counting<Gunzip<BufReader<Counting<R>>>>>;

/// The `.tar.gz` read from `input` as a stream of entries, computing the SHA-512 of the file
/// and of the uncompressed `.tar` as `hashing` asks (see [`TarStream::finish`]).
pub fn open<R: Read>(input: R, limits: Limits, hashing: Hashing) -> TarStream<Plain<R>> {
    let compressed = Counting::new(input, hashing.file, u64::MAX);
    let gzip = Gunzip::new(BufReader::with_capacity(64 * 1024, compressed));
    let plain = Counting::new(gzip, hashing.tar, limits.max_tar_bytes);
    TarStream::new(BufReader::with_capacity(64 * 1024, plain), limits)
}

/// Reads the archive from `input` and hands each entry to `visit`; `keep_whole` says which
/// paths are kept in full (bounded by [`WHOLE_FILE_LIMIT`]). `hashing` says what to hash: what
/// is not hashed comes back empty (digests) or `None` (blob ids), for a reader that compares
/// nothing with it.
pub fn read_archive(
    input: impl Read,
    hashing: Hashing,
    limits: Limits,
    keep_whole: &dyn Fn(&str) -> bool,
    visit: &mut dyn FnMut(Entry) -> Result<()>,
) -> Result<ReadDigests> {
    let mut tar = open(input, limits, hashing);
    let mut buffer = vec![0u8; 64 * 1024];
    let mut count = 0u64;
    while let Some(header) = tar.next_entry()? {
        count += 1;
        visit(read_entry(
            &mut tar,
            header,
            hashing.blob_ids,
            keep_whole,
            &mut buffer,
        )?)?;
    }
    // Read to its end: nothing is left in the buffer.
    let plain = tar.finish()?.into_inner();
    let (tar_size, tar_sha512, gzip) = plain.finish();
    let mut compressed = gzip
        .into_inner()
        .ok_or_else(|| anyhow!("cannot read the archive file"))?;
    // Read to the end so the digest covers the whole file, padding included.
    io::copy(&mut compressed, &mut io::sink())
        .map_err(|err| explain(err, "cannot read the archive file"))?;
    let (_, sha512, _) = compressed.into_inner().finish();
    Ok(ReadDigests {
        sha512,
        tar_sha512,
        tar_size,
        entries: count,
    })
}

fn explain(err: io::Error, what: &str) -> anyhow::Error {
    let text = err.to_string();
    if text.contains("size limit") || text.contains("after the gzip stream") {
        anyhow!("{what}: {text}")
    } else if err.kind() == io::ErrorKind::UnexpectedEof {
        anyhow!("{what}: the file ends early (truncated download or upload?)")
    } else {
        anyhow!(
            "{what}: {} (is it a valid .tar.gz?)",
            escape(text.as_bytes())
        )
    }
}

fn read_entry<R: Read>(
    tar: &mut TarStream<R>,
    header: EntryHeader,
    hashing: Option<ObjectFormat>,
    keep_whole: &dyn Fn(&str) -> bool,
    buffer: &mut [u8],
) -> Result<Entry> {
    let EntryHeader {
        path,
        kind,
        mode,
        size,
    } = header;
    let mut head = Vec::new();
    let mut whole = None;
    let mut blob_id = None;
    if matches!(kind, Kind::File { .. }) {
        let keep = keep_whole(&path) && size <= WHOLE_FILE_LIMIT;
        let mut hasher = hashing.map(|format| BlobHasher::new(format, size));
        let mut kept = Vec::new();
        loop {
            let n = tar
                .read(buffer)
                .map_err(|err| explain(err, &format!("cannot read {}", escape(path.as_bytes()))))?;
            if n == 0 {
                break;
            }
            let chunk = &buffer[..n];
            if let Some(hasher) = &mut hasher {
                hasher.update(chunk);
            }
            if head.len() < HEAD_BYTES {
                let room = HEAD_BYTES - head.len();
                head.extend_from_slice(&chunk[..room.min(n)]);
            }
            if keep {
                kept.extend_from_slice(chunk);
            }
        }
        blob_id = hasher.map(BlobHasher::finish);
        if keep {
            whole = Some(kept);
        }
    }
    Ok(Entry {
        path,
        kind,
        mode,
        size,
        blob_id,
        head,
        whole,
    })
}

/// The git object id of a blob: the hash of `blob <size>\0` followed by the content.
pub enum BlobHasher {
    Sha1(Sha1),
    Sha256(Sha256),
}

impl BlobHasher {
    pub fn new(format: ObjectFormat, size: u64) -> BlobHasher {
        let prefix = format!("blob {size}\0");
        match format {
            ObjectFormat::Sha1 => {
                let mut hasher = Sha1::new();
                hasher.update(prefix.as_bytes());
                BlobHasher::Sha1(hasher)
            }
            ObjectFormat::Sha256 => {
                let mut hasher = Sha256::new();
                hasher.update(prefix.as_bytes());
                BlobHasher::Sha256(hasher)
            }
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            BlobHasher::Sha1(h) => h.update(bytes),
            BlobHasher::Sha256(h) => h.update(bytes),
        }
    }

    pub fn finish(self) -> String {
        match self {
            BlobHasher::Sha1(h) => hex(&h.finalize()),
            BlobHasher::Sha256(h) => hex(&h.finalize()),
        }
    }
}
