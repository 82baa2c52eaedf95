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

//! The reproducible tar + gzip writer. Every byte depends only on the entries given to it:
//! fixed owner, modes, mtime and gzip header, and one pinned deflate implementation.

use std::io::{self, Read, Write};

use anyhow::{Context, Result};
use sha2::{Digest, Sha512};
use tar::{EntryType, Header};

use super::gzip::ParallelGzEncoder;

/// What the compressor is, so two tarballs of equal content can be told apart by it.
pub const COMPRESSOR: &str =
    "xtask gzip: zlib-rs deflate level 6 in 1 MiB blocks primed with 32 KiB, OS byte 255";

/// Passes bytes through and hashes them on the way.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha512,
    written: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha512::new(),
            written: 0,
        }
    }

    pub fn finish(self) -> (W, String, u64) {
        (self.inner, hex(&self.hasher.finalize()), self.written)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// The digest of a finished archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digests {
    /// SHA-512 of the `.tgz` bytes: what the `.sha512` file carries.
    pub sha512: String,
    pub compressed_size: u64,
}

type Compressed<W> = ParallelGzEncoder<HashingWriter<W>>;

/// Writes entries, in the order given, as a deterministic `.tar.gz`.
pub struct TarGzWriter<W: Write> {
    builder: tar::Builder<Compressed<W>>,
    mtime: u64,
}

impl<W: Write> TarGzWriter<W> {
    /// `mtime` is stamped on every entry (the commit time of the released ref).
    pub fn new(out: W, mtime: u64) -> Result<Self> {
        let gzip =
            ParallelGzEncoder::new(HashingWriter::new(out)).context("cannot write the archive")?;
        let mut builder = tar::Builder::new(gzip);
        builder.mode(tar::HeaderMode::Deterministic);
        builder.follow_symlinks(false);
        Ok(TarGzWriter { builder, mtime })
    }

    fn header(&self, kind: EntryType, mode: u32, size: u64) -> Header {
        let mut header = Header::new_gnu();
        header.set_entry_type(kind);
        header.set_mode(mode);
        header.set_size(size);
        header.set_mtime(self.mtime);
        header.set_uid(0);
        header.set_gid(0);
        // Empty owner names: no user name of the release manager's machine leaks in.
        let _ = header.set_username("");
        let _ = header.set_groupname("");
        header
    }

    /// A directory; `path` without the trailing `/`.
    pub fn add_dir(&mut self, path: &str) -> Result<()> {
        let mut header = self.header(EntryType::Directory, 0o755, 0);
        self.builder
            .append_data(&mut header, format!("{path}/"), io::empty())
            .with_context(|| format!("cannot add directory {path} to the archive"))
    }

    /// A regular file of `size` bytes read from `content`.
    pub fn add_file(
        &mut self,
        path: &str,
        executable: bool,
        size: u64,
        content: &mut dyn Read,
    ) -> Result<()> {
        let mode = if executable { 0o755 } else { 0o644 };
        let mut header = self.header(EntryType::Regular, mode, size);
        self.builder
            .append_data(&mut header, path, content.take(size))
            .with_context(|| format!("cannot add {path} to the archive"))
    }

    /// A symbolic link, kept as a link.
    pub fn add_symlink(&mut self, path: &str, target: &str) -> Result<()> {
        let mut header = self.header(EntryType::Symlink, 0o777, 0);
        self.builder
            .append_link(&mut header, path, target)
            .with_context(|| format!("cannot add link {path} to the archive"))
    }

    /// Ends the tar stream and the gzip stream and returns the output and the digest.
    pub fn finish(self) -> Result<(W, Digests)> {
        let gzip = self
            .builder
            .into_inner()
            .context("cannot finish the tar stream")?;
        let file_hashing = gzip.finish().context("cannot finish the gzip stream")?;
        let (out, sha512, compressed_size) = file_hashing.finish();
        Ok((
            out,
            Digests {
                sha512,
                compressed_size,
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(entries: impl FnOnce(&mut TarGzWriter<Vec<u8>>)) -> (Vec<u8>, Digests) {
        let mut writer = TarGzWriter::new(Vec::new(), 1_600_000_000).unwrap();
        entries(&mut writer);
        writer.finish().unwrap()
    }

    fn sample(writer: &mut TarGzWriter<Vec<u8>>) {
        writer.add_dir("top").unwrap();
        writer
            .add_file("top/LICENSE", false, 5, &mut &b"hello"[..])
            .unwrap();
        writer
            .add_file("top/run.sh", true, 2, &mut &b"#!"[..])
            .unwrap();
        writer.add_symlink("top/link", "LICENSE").unwrap();
        let long = format!("top/{}/file-ü.txt", "d".repeat(120));
        writer.add_file(&long, false, 1, &mut &b"x"[..]).unwrap();
    }

    /// Path, type, mode, mtime, uid, gid, length of the user name, content or link target.
    type Unpacked = (String, EntryType, u32, u64, u64, u32, u32, Vec<u8>);

    fn unpack(bytes: &[u8]) -> Vec<Unpacked> {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        let mut out = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let header = entry.header().clone();
            let mut content = Vec::new();
            entry.read_to_end(&mut content).unwrap();
            let link = entry
                .link_name()
                .unwrap()
                .map(|l| l.to_string_lossy().into_owned().into_bytes());
            out.push((
                entry.path().unwrap().to_string_lossy().into_owned(),
                header.entry_type(),
                header.mode().unwrap(),
                header.mtime().unwrap(),
                header.uid().unwrap(),
                header.gid().unwrap() as u32,
                header.username_bytes().map_or(0, |u| u.len() as u32),
                link.unwrap_or(content),
            ));
        }
        out
    }

    #[test]
    fn same_entries_give_same_bytes() {
        let (a, da) = build(sample);
        let (b, db) = build(sample);
        assert_eq!(a, b);
        assert_eq!(da, db);
        assert_eq!(da.compressed_size, a.len() as u64);
    }

    #[test]
    fn entries_keep_order_modes_owner_and_time() {
        let (bytes, _) = build(sample);
        let entries = unpack(&bytes);
        let names: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
        assert_eq!(
            names[..4],
            ["top/", "top/LICENSE", "top/run.sh", "top/link"]
        );
        assert!(names[4].ends_with("/file-ü.txt") && names[4].len() > 100);
        let modes: Vec<u32> = entries.iter().map(|e| e.2).collect();
        assert_eq!(modes, [0o755, 0o644, 0o755, 0o777, 0o644]);
        assert!(entries.iter().all(|e| e.3 == 1_600_000_000));
        assert!(entries.iter().all(|e| e.4 == 0 && e.5 == 0 && e.6 == 0));
        assert_eq!(entries[3].1, EntryType::Symlink);
        assert_eq!(entries[3].7, b"LICENSE");
        assert_eq!(entries[1].7, b"hello");
    }

    #[test]
    fn gzip_header_has_no_time_no_name_and_a_fixed_os() {
        let (bytes, _) = build(sample);
        assert_eq!(&bytes[..3], &[0x1f, 0x8b, 8]);
        assert_eq!(bytes[3], 0, "no FNAME or other flags");
        assert_eq!(&bytes[4..8], &[0, 0, 0, 0], "mtime zero");
        assert_eq!(bytes[9], crate::archive::gzip::OS_UNKNOWN);
    }

    #[test]
    fn the_digest_covers_the_compressed_stream() {
        let (bytes, digests) = build(sample);
        assert_eq!(digests.sha512, hex(&Sha512::digest(&bytes)));
        assert_eq!(digests.compressed_size, bytes.len() as u64);
    }
}
