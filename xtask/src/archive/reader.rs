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

//! Reads a `.tar.gz` as untrusted input: nothing is ever written to disk, sizes are capped,
//! and every entry is reduced to what the checks need (path, kind, mode, size, content id and
//! the first bytes) so memory stays flat however many files the archive holds.

use std::io::{self, Read};

use anyhow::{bail, Context, Result};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::writer::hex;
use crate::untrusted::escape_str;

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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    File {
        executable: bool,
    },
    Dir,
    Symlink {
        target: String,
    },
    HardLink {
        target: String,
    },
    /// Devices, FIFOs and other types a source release never has.
    Other(u8),
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

/// Counts and hashes the bytes that pass through.
struct Counting<R> {
    inner: R,
    hasher: Sha512,
    count: u64,
    limit: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
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

/// Reads the archive from `input` and hands each entry to `visit`; `keep_whole` says which
/// paths are kept in full (bounded by [`WHOLE_FILE_LIMIT`]).
pub fn read_archive(
    input: impl Read,
    format: ObjectFormat,
    limits: Limits,
    keep_whole: &dyn Fn(&str) -> bool,
    visit: &mut dyn FnMut(Entry) -> Result<()>,
) -> Result<ReadDigests> {
    let compressed = Counting {
        inner: input,
        hasher: Sha512::new(),
        count: 0,
        limit: u64::MAX,
    };
    let mut gzip = flate2::read::MultiGzDecoder::new(compressed);
    let digests;
    {
        let plain = Counting {
            inner: &mut gzip,
            hasher: Sha512::new(),
            count: 0,
            limit: limits.max_tar_bytes,
        };
        let mut archive = tar::Archive::new(plain);
        let mut count = 0u64;
        let entries = archive
            .entries()
            .map_err(|err| explain(err, "cannot read the archive"))?;
        for entry in entries {
            let entry = entry.map_err(|err| explain(err, "cannot read the archive"))?;
            count += 1;
            if count > limits.max_entries {
                bail!(
                    "the archive has more than {} entries (the entry limit)",
                    limits.max_entries
                );
            }
            visit(read_entry(entry, format, keep_whole)?)?;
        }
        // Read to the end so the digest covers the whole stream, padding included.
        let mut plain = archive.into_inner();
        io::copy(&mut plain, &mut io::sink())
            .map_err(|err| explain(err, "cannot read the end of the archive"))?;
        digests = ReadDigests {
            sha512: String::new(),
            tar_size: plain.count,
            tar_sha512: hex(&plain.hasher.finalize()),
            entries: count,
        };
    }
    let mut compressed = gzip.into_inner();
    io::copy(&mut compressed, &mut io::sink()).context("cannot read the archive file")?;
    Ok(ReadDigests {
        sha512: hex(&compressed.hasher.finalize()),
        ..digests
    })
}

fn explain(err: io::Error, what: &str) -> anyhow::Error {
    let text = err.to_string();
    if text.contains("size limit") {
        anyhow::anyhow!("{what}: {text}")
    } else if err.kind() == io::ErrorKind::UnexpectedEof {
        anyhow::anyhow!("{what}: the file ends early (truncated download or upload?)")
    } else {
        anyhow::anyhow!("{what}: {text} (is it a valid .tar.gz?)")
    }
}

fn read_entry<R: Read>(
    mut entry: tar::Entry<'_, R>,
    format: ObjectFormat,
    keep_whole: &dyn Fn(&str) -> bool,
) -> Result<Entry> {
    // A name that is not UTF-8 keeps U+FFFD in place of its bad bytes: the path rules refuse
    // it by name rather than the whole archive failing to read.
    let path = String::from_utf8_lossy(&entry.path_bytes())
        .trim_end_matches('/')
        .to_string();
    let header = entry.header();
    let mode = header.mode().unwrap_or(0);
    let size = entry.size();
    let link = |entry: &tar::Entry<'_, R>| -> Result<String> {
        let bytes = entry
            .link_name_bytes()
            .with_context(|| format!("link {} has no target", escape_str(&path)))?;
        String::from_utf8(bytes.into_owned())
            .with_context(|| format!("link {} has a target that is not UTF-8", escape_str(&path)))
    };
    let kind = match header.entry_type() {
        tar::EntryType::Regular | tar::EntryType::Continuous => File {
            executable: mode & 0o111 != 0,
        },
        tar::EntryType::Directory => Kind::Dir,
        tar::EntryType::Symlink => Kind::Symlink {
            target: link(&entry)?,
        },
        tar::EntryType::Link => Kind::HardLink {
            target: link(&entry)?,
        },
        other => Kind::Other(other.as_byte()),
    };
    use Kind::File;
    let mut head = Vec::new();
    let mut whole = None;
    let mut blob_id = None;
    if matches!(kind, File { .. }) {
        let keep = keep_whole(&path) && size <= WHOLE_FILE_LIMIT;
        let mut hasher = BlobHasher::new(format, size);
        let mut buffer = vec![0u8; 64 * 1024];
        let mut kept = Vec::new();
        loop {
            let n = entry
                .read(&mut buffer)
                .map_err(|err| explain(err, &format!("cannot read {}", escape_str(&path))))?;
            if n == 0 {
                break;
            }
            let chunk = &buffer[..n];
            hasher.update(chunk);
            if head.len() < HEAD_BYTES {
                let room = HEAD_BYTES - head.len();
                head.extend_from_slice(&chunk[..room.min(n)]);
            }
            if keep {
                kept.extend_from_slice(chunk);
            }
        }
        blob_id = Some(hasher.finish());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::writer::TarGzWriter;

    fn read_all(bytes: &[u8], limits: Limits) -> Result<(Vec<Entry>, ReadDigests)> {
        let mut entries = Vec::new();
        let digests = read_archive(
            bytes,
            ObjectFormat::Sha1,
            limits,
            &|path| path.ends_with("LICENSE"),
            &mut |entry| {
                entries.push(entry);
                Ok(())
            },
        )?;
        Ok((entries, digests))
    }

    fn sample() -> (Vec<u8>, crate::archive::writer::Digests) {
        let mut writer = TarGzWriter::new(Vec::new(), 1).unwrap();
        writer.add_dir("top").unwrap();
        writer
            .add_file("top/LICENSE", false, 6, &mut &b"hello\n"[..])
            .unwrap();
        writer.add_symlink("top/l", "../../etc/passwd").unwrap();
        writer.finish().unwrap()
    }

    #[test]
    fn reads_back_what_the_writer_wrote() {
        let (bytes, written) = sample();
        let (entries, digests) = read_all(&bytes, Limits::default()).unwrap();
        assert_eq!(digests.sha512, written.sha512);
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(digests.tar_sha512, hex(&Sha512::digest(&plain)));
        assert_eq!(digests.tar_size, plain.len() as u64);
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].kind, Kind::Dir);
        assert_eq!(entries[0].path, "top");
        // `git hash-object` of "hello\n".
        assert_eq!(
            entries[1].blob_id.as_deref(),
            Some("ce013625030ba8dba906f756967f9e9ca394464a")
        );
        assert_eq!(entries[1].whole.as_deref(), Some(&b"hello\n"[..]));
        assert_eq!(
            entries[2].kind,
            Kind::Symlink {
                target: "../../etc/passwd".into()
            }
        );
    }

    #[test]
    fn a_truncated_stream_is_an_error_not_a_panic() {
        let (bytes, _) = sample();
        for cut in [0, 5, 10, bytes.len() / 2, bytes.len() - 4] {
            let err = read_all(&bytes[..cut], Limits::default());
            assert!(err.is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn a_bomb_is_stopped_by_the_size_limit() {
        let mut writer = TarGzWriter::new(Vec::new(), 1).unwrap();
        let size = 50 * 1024 * 1024;
        writer
            .add_file("top/zeros", false, size, &mut io::repeat(0).take(size))
            .unwrap();
        let (bytes, _) = writer.finish().unwrap();
        assert!(bytes.len() < 200 * 1024, "it compresses well");
        let limits = Limits {
            max_tar_bytes: 10 * 1024 * 1024,
            max_entries: 10,
        };
        let err = read_all(&bytes, limits).unwrap_err().to_string();
        assert!(err.contains("size limit"), "{err}");
    }

    #[test]
    fn garbage_is_a_clear_error() {
        let err = read_all(b"this is not gzip", Limits::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot read the archive"), "{err}");
    }

    /// A stable-toolchain stand-in for the fuzzer (see fuzz/): thousands of mutations of a
    /// valid archive (flipped bits, cuts, repeats) end in Ok or an error, never a panic.
    #[test]
    fn mutated_archives_never_panic() {
        let (bytes, _) = sample();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let limits = Limits {
            max_tar_bytes: 1024 * 1024,
            max_entries: 100,
        };
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut plain)
            .unwrap();
        for round in 0..3000 {
            // Every other round mutates the tar inside a valid gzip stream, so the tar parser
            // and the checks see the damage, not only the gzip decoder.
            let inside = round % 2 == 0;
            let mut mutated = if inside { plain.clone() } else { bytes.clone() };
            match next() % 3 {
                0 => {
                    for _ in 0..1 + next() % 4 {
                        let at = (next() as usize) % mutated.len();
                        mutated[at] ^= 1 << (next() % 8);
                    }
                }
                1 => mutated.truncate((next() as usize) % mutated.len()),
                _ => {
                    let at = (next() as usize) % mutated.len();
                    let piece = mutated[at..].to_vec();
                    mutated.extend_from_slice(&piece);
                }
            }
            if inside {
                let mut gzip =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                std::io::Write::write_all(&mut gzip, &mutated).unwrap();
                mutated = gzip.finish().unwrap();
            }
            let _ = read_all(&mutated, limits);
        }
    }
}
