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

//! The tar layer: headers read one by one, the PAX and long-name headers folded into the
//! entry they describe, and every entry checked against the accepted subset before it is
//! handed out; the entry's data is read through `Read`.

use std::io::{self, Read};

use anyhow::{anyhow, bail, Result};

use super::header::{self, is_zero, BLOCK};
use super::{explain, pax, Kind, Limits};
use crate::untrusted::escape;

/// A PAX or GNU long-name header holds names and a few numbers: more than this is refused.
const MAX_METADATA_BYTES: u64 = 1024 * 1024;

/// An entry's header, before its data: what [`TarStream::next_entry`] returns.
#[derive(Debug, Clone)]
pub struct EntryHeader {
    /// The name (U+FFFD in place of bytes that are not UTF-8: the path rules refuse it by
    /// name), without a trailing `/`.
    pub path: String,
    pub kind: Kind,
    pub mode: u32,
    /// The bytes of data that follow (files only; 0 for the others).
    pub size: u64,
}

/// What the headers before an entry said about it.
#[derive(Default)]
struct Pending {
    pax: Option<pax::Pax>,
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.pax.is_none() && self.long_name.is_none() && self.long_link.is_none()
    }

    /// The best name known so far, for a message.
    fn name(&self) -> Option<&[u8]> {
        self.pax
            .as_ref()
            .and_then(|pax| pax.path.as_deref())
            .or(self.long_name.as_deref())
    }
}

/// A refusal naming the entry.
fn refuse(name: &[u8], why: impl std::fmt::Display) -> anyhow::Error {
    anyhow!("entry `{}`: {why}", escape(name))
}

/// Reads the tar subset described above from an uncompressed stream. The current entry's
/// data is read through `Read`.
pub struct TarStream<R> {
    input: R,
    /// Data of the current entry not read yet, and the padding after it.
    data_left: u64,
    padding: u64,
    entries: u64,
    limits: Limits,
    ended: bool,
}

impl<R: Read> TarStream<R> {
    pub fn new(input: R, limits: Limits) -> TarStream<R> {
        TarStream {
            input,
            data_left: 0,
            padding: 0,
            entries: 0,
            limits,
            ended: false,
        }
    }

    /// Reads one block; `false` at a clean end of the stream.
    fn block(&mut self, block: &mut [u8; BLOCK]) -> Result<bool> {
        let mut filled = 0;
        while filled < BLOCK {
            let n = self
                .input
                .read(&mut block[filled..])
                .map_err(|err| explain(err, "cannot read the archive"))?;
            if n == 0 {
                if filled == 0 {
                    return Ok(false);
                }
                bail!("cannot read the archive: it ends inside a header (truncated download or upload?)");
            }
            filled += n;
        }
        Ok(true)
    }

    /// Skips `count` bytes (data not read, padding).
    fn skip(&mut self, count: u64) -> Result<()> {
        let skipped = io::copy(&mut (&mut self.input).take(count), &mut io::sink())
            .map_err(|err| explain(err, "cannot read the archive"))?;
        if skipped < count {
            bail!("cannot read the archive: the file ends early (truncated download or upload?)");
        }
        Ok(())
    }

    /// The data of a PAX or long-name header.
    fn metadata(&mut self, name: &[u8], size: u64) -> Result<Vec<u8>> {
        if size > MAX_METADATA_BYTES {
            return Err(refuse(
                name,
                format!("a PAX or GNU long-name header of {size} bytes (more than 1 MiB)"),
            ));
        }
        let mut data = vec![0; (size + padding(size)) as usize];
        self.input
            .read_exact(&mut data)
            .map_err(|err| explain(err, "cannot read the archive"))?;
        // Python reads PAX records and long names on into the padding of the last block (to
        // the first NUL there), GNU tar long names too; others stop at the size.
        if !is_zero(&data[size as usize..]) {
            return Err(refuse(
                name,
                "a PAX or GNU long-name header with bytes in the padding after its data \
                 (Python and GNU tar read them as part of it, others do not)",
            ));
        }
        data.truncate(size as usize);
        Ok(data)
    }

    /// The next entry, or `None` at the end of the archive.
    pub fn next_entry(&mut self) -> Result<Option<EntryHeader>> {
        self.skip(self.data_left + self.padding)?;
        self.data_left = 0;
        self.padding = 0;
        if self.ended {
            return Ok(None);
        }
        let mut pending = Pending::default();
        let mut block = [0u8; BLOCK];
        loop {
            let more = self.block(&mut block)?;
            if !more || is_zero(&block) {
                if let Some(name) = (!pending.is_empty()).then(|| pending.name().unwrap_or(b"?")) {
                    return Err(refuse(
                        name,
                        "a PAX or GNU long-name header with no entry after it",
                    ));
                }
                self.ended = true;
                if more {
                    self.rest_is_zeros()?;
                }
                return Ok(None);
            }
            let shown = pending.name().unwrap_or(header::raw_name(&block)).to_vec();
            let header = header::parse(&block).map_err(|why| refuse(&shown, why))?;
            match header.kind {
                b'x' => {
                    let data = self.metadata(&shown, header.size)?;
                    let shown = pax::name_hint(&data).unwrap_or(shown);
                    if pending.pax.is_some() {
                        return Err(refuse(&shown, "two PAX headers for one entry (Python takes the first's keys, GNU tar the second's)"));
                    }
                    pending.pax =
                        Some(pax::parse(&data, false).map_err(|why| refuse(&shown, why))?);
                }
                b'g' => {
                    let data = self.metadata(&shown, header.size)?;
                    if !pending.is_empty() {
                        return Err(refuse(
                            &shown,
                            "a global PAX header among an entry's own headers",
                        ));
                    }
                    pax::parse(&data, true).map_err(|why| refuse(b"(global header)", why))?;
                }
                b'L' | b'K' => {
                    let data = self.metadata(&shown, header.size)?;
                    let text = long_text(&data).map_err(|why| refuse(&shown, why))?;
                    let slot = if header.kind == b'L' {
                        &mut pending.long_name
                    } else {
                        &mut pending.long_link
                    };
                    if slot.is_some() {
                        return Err(refuse(&text, "two GNU long-name headers of one kind for one entry (Python takes the first, GNU tar the second)"));
                    }
                    *slot = Some(text);
                }
                _ => return self.entry(header, pending).map(Some),
            }
        }
    }

    fn entry(&mut self, header: header::Header, pending: Pending) -> Result<EntryHeader> {
        let pax = pending.pax.unwrap_or_default();
        let name = match (pax.path, pending.long_name) {
            (Some(path), Some(_)) => {
                return Err(refuse(
                    &path,
                    "two names: a GNU long name and a PAX path (GNU tar takes the PAX path, \
                     bsdtar and Python the long name, or the first of them)",
                ))
            }
            (Some(name), None) | (None, Some(name)) => name,
            (None, None) => header.name,
        };
        let link_field_empty = header.link.is_empty();
        let link = match (pax.linkpath, pending.long_link) {
            (Some(_), Some(_)) => {
                return Err(refuse(
                    &name,
                    "two link targets: a GNU long link target and a PAX linkpath",
                ))
            }
            (Some(link), None) | (None, Some(link)) => Some(link),
            (None, None) => (!header.link.is_empty()).then_some(header.link),
        };
        let size = pax.size.unwrap_or(header.size);
        let kind =
            match header.kind {
                b'0' | 0 => Kind::File {
                    executable: header.mode & 0o100 != 0,
                },
                b'5' => Kind::Dir,
                b'2' if link_field_empty => return Err(refuse(
                    &name,
                    "a symbolic link whose link field is empty: bsdtar makes a regular file of \
                     it, whatever target a long-name or PAX header gives",
                )),
                b'2' => match &link {
                    Some(target) => Kind::Symlink {
                        target: String::from_utf8_lossy(target).into_owned(),
                    },
                    None => return Err(refuse(&name, "a symbolic link without a target")),
                },
                b'1' => {
                    return Err(refuse(
                        &name,
                        format!(
                            "hard link to `{}`: a source release has plain files only (and \
                         extractors disagree on the data of a hard link)",
                            escape(link.as_deref().unwrap_or_default())
                        ),
                    ))
                }
                b'S' => {
                    return Err(refuse(
                        &name,
                        "GNU sparse file (type `S`): extractors write it from a sparse map, not \
                     as stored; a source release has no sparse files",
                    ))
                }
                b'3' | b'4' | b'6' => {
                    return Err(refuse(
                        &name,
                        format!(
                            "special file (tar type `{}`: a device or FIFO) in a source release",
                            header.kind as char
                        ),
                    ))
                }
                other => {
                    return Err(refuse(
                        &name,
                        format!(
                        "entry type `{}` is not a file, directory or symbolic link (GNU tar and \
                         Python unpack unknown types as regular files, or skip them)",
                        escape(&[other])
                    ),
                    ))
                }
            };
        if name.is_empty() {
            return Err(refuse(&name, "has no name"));
        }
        let is_dir = kind == Kind::Dir;
        if !is_dir {
            let last = name.rsplit(|b| *b == b'/').next().unwrap_or_default();
            if name.ends_with(b"/") {
                return Err(refuse(
                    &name,
                    "a file or link whose name ends in `/`: GNU tar, bsdtar and Python make \
                     a directory of it",
                ));
            }
            if last == b"." || last == b".." {
                return Err(refuse(
                    &name,
                    "a file or link whose name ends in `.` or `..`: it names a directory",
                ));
            }
        }
        if !matches!(kind, Kind::Symlink { .. }) && link.is_some() {
            return Err(refuse(
                &name,
                "has a link target but is not a link (extractors ignore it, or not)",
            ));
        }
        if !matches!(kind, Kind::File { .. }) && size != 0 {
            return Err(refuse(
                &name,
                format!(
                    "a directory or link with a size ({size} bytes): Python does not skip the \
                     data of such an entry, GNU tar and bsdtar do, so they read different \
                     entries after it"
                ),
            ));
        }
        self.entries += 1;
        if self.entries > self.limits.max_entries {
            bail!(
                "the archive has more than {} entries (the entry limit)",
                self.limits.max_entries
            );
        }
        self.data_left = size;
        self.padding = padding(size);
        let path = String::from_utf8_lossy(&name);
        let path = if is_dir {
            path.trim_end_matches('/')
        } else {
            &path
        };
        Ok(EntryHeader {
            path: path.to_string(),
            kind,
            mode: header.mode,
            size,
        })
    }

    /// After the first zero block only zeros may follow: GNU tar `--ignore-zeros` (and some
    /// scripts) would read entries there that the others never see.
    fn rest_is_zeros(&mut self) -> Result<()> {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let n = self
                .input
                .read(&mut buffer)
                .map_err(|err| explain(err, "cannot read the end of the archive"))?;
            if n == 0 {
                return Ok(());
            }
            if !is_zero(&buffer[..n]) {
                bail!(
                    "the archive is refused: it has data after the end of the archive (GNU tar \
                     --ignore-zeros would read it, other extractors not); only zeros may follow"
                );
            }
        }
    }

    /// The input, once the end of the archive was read.
    pub fn finish(mut self) -> Result<R> {
        while self.next_entry()?.is_some() {}
        Ok(self.input)
    }
}

impl<R: Read> Read for TarStream<R> {
    /// Reads the current entry's data.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf
            .len()
            .min(usize::try_from(self.data_left).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let n = self.input.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        self.data_left -= n as u64;
        Ok(n)
    }
}

fn padding(size: u64) -> u64 {
    (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64
}

/// A GNU long name or link target: the bytes before its NUL, and nothing but NULs after.
fn long_text(data: &[u8]) -> Result<Vec<u8>, String> {
    // Without a NUL inside its size, GNU tar and Python read the name on into the padding.
    let Ok(name) = std::ffi::CStr::from_bytes_until_nul(data) else {
        return Err("a GNU long name without a NUL at its end".into());
    };
    let end = name.to_bytes().len();
    if !is_zero(&data[end..]) {
        return Err(
            "a GNU long name with a NUL inside (extractors cut it in different places)".into(),
        );
    }
    if end == 0 {
        return Err("an empty GNU long name".into());
    }
    Ok(data[..end].to_vec())
}
