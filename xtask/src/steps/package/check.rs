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

//! The check that reads a written archive back as a stranger would while it is being written.

use std::io::{Read, Write};

use anyhow::{bail, Result};

use crate::archive::checks::{self, Checker, Rules};
use crate::archive::reader::{self, BlobHasher, Kind, Limits};
use crate::archive::skeleton::{self, Skeleton};
use crate::source::{ReleaseTree, TreeFile, TreeKind};

/// Reads a written archive back as a stranger would and checks it against the rules and
/// against the tree it was made from: same files, same contents, same modes, same links.
/// On the way it makes what cargo reads of it in `skeleton`, for the load check (an error
/// there waits for the checks: they name the problem better).
pub fn check_archive(
    input: impl Read,
    file_name: &str,
    tree: &ReleaseTree,
    rules: Rules,
    skeleton: &mut Result<Skeleton>,
) -> Result<reader::ReadDigests> {
    let mut expected = TreeCursor::new(tree)?;
    // The staged file carries the final name, so the name rules apply to it too.
    let name_findings = checks::file_name_findings(&rules, file_name);
    let mut checker = Checker::new(rules);
    for (path, text) in &tree.license_configs {
        checker.add_license_config(path, text);
    }
    let mut mismatches = Vec::new();
    let digests = reader::read_archive(
        input,
        Some(tree.object_format),
        Limits::default(),
        &|path| checks::wants_whole(path) || skeleton::wants_content(path),
        &mut |entry| {
            checker.visit(&entry);
            skeleton::feed(skeleton, &entry);
            let id = match &entry.kind {
                Kind::File { executable } => Some((entry.blob_id.clone(), *executable, false)),
                Kind::Symlink { target } => {
                    let mut hasher = BlobHasher::new(tree.object_format, target.len() as u64);
                    hasher.update(target.as_bytes());
                    Some((Some(hasher.finish()), false, true))
                }
                _ => None,
            };
            if let Some((blob_id, executable, symlink)) = id {
                match expected.find(&entry.path, &mut mismatches)? {
                    None => mismatches.push(format!(
                        "{}: in the archive but not in the git tree",
                        entry.path
                    )),
                    Some(file) => {
                        let same_kind = match file.kind {
                            TreeKind::File => !executable && !symlink,
                            TreeKind::Executable => executable && !symlink,
                            TreeKind::Symlink => symlink,
                        };
                        if blob_id.as_deref() != Some(file.object.as_str()) || !same_kind {
                            mismatches.push(format!("{}: differs from the git tree", entry.path));
                        }
                    }
                }
            }
            Ok(())
        },
    )?;
    expected.finish(&mut mismatches)?;
    let (mut findings, warnings) = checker.finish_with_warnings();
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    findings.extend(name_findings);
    if !findings.is_empty() || !mismatches.is_empty() {
        let lines: Vec<String> = findings
            .iter()
            .map(ToString::to_string)
            .chain(mismatches)
            .collect();
        bail!(
            "the source package breaks {} release rule(s); nothing was written:\n  {}",
            lines.len(),
            lines.join("\n  ")
        );
    }
    Ok(digests)
}

/// The files of the tree, met in path order alongside the archive's entries: the archive is
/// written in that order, so one pass over both compares them, holding one file at a time.
struct TreeCursor {
    files: Box<dyn Iterator<Item = Result<TreeFile>> + Send>,
    top_dir: String,
    /// The next file not yet met, with its path in the archive.
    next: Option<(String, TreeFile)>,
}

impl TreeCursor {
    fn new(tree: &ReleaseTree) -> Result<TreeCursor> {
        let mut cursor = TreeCursor {
            files: Box::new(tree.files()?),
            top_dir: tree.top_dir.clone(),
            next: None,
        };
        cursor.advance()?;
        Ok(cursor)
    }

    fn advance(&mut self) -> Result<()> {
        self.next = match self.files.next().transpose()? {
            Some(file) => Some((format!("{}/{}", self.top_dir, file.path), file)),
            None => None,
        };
        Ok(())
    }

    /// The file at `path` in the archive, if the tree has one; the files sorted before it
    /// were skipped by the archive, and are reported.
    fn find(&mut self, path: &str, mismatches: &mut Vec<String>) -> Result<Option<TreeFile>> {
        while let Some((next, _)) = &self.next {
            if next.as_str() >= path {
                break;
            }
            mismatches.push(format!("{next}: in the git tree but not in the archive"));
            self.advance()?;
        }
        match self.next.take() {
            Some((next, file)) if next == path => {
                self.advance()?;
                Ok(Some(file))
            }
            other => {
                self.next = other;
                Ok(None)
            }
        }
    }

    /// Reports the files the archive did not reach.
    fn finish(mut self, mismatches: &mut Vec<String>) -> Result<()> {
        while let Some((next, _)) = &self.next {
            mismatches.push(format!("{next}: in the git tree but not in the archive"));
            self.advance()?;
        }
        Ok(())
    }
}

/// Writes to `out` and hands a copy of every byte to the checker; a checker that stopped
/// early (it reports why) no longer gets copies.
pub(super) struct Tee<W: Write> {
    pub(super) out: W,
    pub(super) copies: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write_all(buf)?;
        if let Some(copies) = &self.copies {
            if copies.send(buf.to_vec()).is_err() {
                self.copies = None;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The reading end of the checker's channel; it ends when the writer is dropped.
pub(super) struct ChannelReader {
    received: std::sync::mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl ChannelReader {
    pub(super) fn new(received: std::sync::mpsc::Receiver<Vec<u8>>) -> ChannelReader {
        ChannelReader {
            received,
            chunk: Vec::new(),
            at: 0,
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.received.recv() {
                Ok(chunk) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
