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

use std::fs::File;
use std::io::{Read, Write};
use std::sync::mpsc::{Receiver, Sender};

use anyhow::{bail, Context, Result};
use camino::Utf8Path;

use crate::archive::checks::{self, Checker, Rules};
use crate::archive::reader::{self, BlobHasher, Hashing, Kind, Limits};
use crate::source::{ReleaseTree, TreeFile, TreeKind};

/// Reads a written archive back as a stranger would and checks it against the rules and
/// against the tree it was made from: same files, same contents, same modes, same links.
pub fn check_archive(
    input: impl Read,
    file_name: &str,
    tree: &ReleaseTree,
    rules: Rules,
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
        Hashing {
            blob_ids: Some(tree.object_format),
            file: false,
            tar: false,
        },
        Limits::default(),
        &checks::wants_whole,
        &mut |entry| {
            checker.visit(&entry);
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

/// Writes the tarball to its file and tells the checker how far the file reaches after each
/// write, so that the checker reads the tarball back from the file itself while it grows; a
/// checker that stopped early (it reports why) is no longer told. Both ends keep a CRC-32 of
/// the bytes: equal ones say the disk gave back what was written (the SHA-512 is computed
/// once, by the writer).
pub(super) struct Announcing {
    file: File,
    written: u64,
    crc: crc32fast::Hasher,
    progress: Option<Sender<u64>>,
}

impl Announcing {
    /// The byte count and CRC-32 of what was written.
    pub(super) fn written(&self) -> (u64, u32) {
        (self.written, self.crc.clone().finalize())
    }
}

impl Write for Announcing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write_all(buf)?;
        self.crc.update(buf);
        self.written += buf.len() as u64;
        if let Some(progress) = &self.progress {
            if progress.send(self.written).is_err() {
                self.progress = None;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Reads a file as far as its writer announced it; it ends when the writer is dropped.
pub(super) struct Following {
    file: File,
    reached: u64,
    position: u64,
    crc: crc32fast::Hasher,
    progress: Receiver<u64>,
}

impl Following {
    /// The byte count and CRC-32 of what was read.
    pub(super) fn read_so_far(&self) -> (u64, u32) {
        (self.position, self.crc.clone().finalize())
    }
}

impl Read for Following {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.position == self.reached {
            match self.progress.recv() {
                Ok(reached) => self.reached = reached,
                Err(_) => return Ok(0),
            }
        }
        let ahead = usize::try_from(self.reached - self.position).unwrap_or(usize::MAX);
        let wanted = buf.len().min(ahead);
        let n = self.file.read(&mut buf[..wanted])?;
        if n == 0 && wanted > 0 {
            return Err(std::io::Error::other(
                "the file on disk is shorter than what was written to it (a disk or filesystem \
                 problem)",
            ));
        }
        self.crc.update(&buf[..n]);
        self.position += n as u64;
        Ok(n)
    }
}

/// A writer to `path` (created) and a reader of the same file that follows it.
pub(super) fn write_and_follow(path: &Utf8Path) -> Result<(Announcing, Following)> {
    let file = File::create(path).with_context(|| format!("cannot write {path}"))?;
    let reading = File::open(path).with_context(|| format!("cannot read {path}"))?;
    let (told, progress) = std::sync::mpsc::channel();
    Ok((
        Announcing {
            file,
            written: 0,
            crc: crc32fast::Hasher::new(),
            progress: Some(told),
        },
        Following {
            file: reading,
            reached: 0,
            position: 0,
            crc: crc32fast::Hasher::new(),
            progress,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_file() -> (tempfile::TempDir, camino::Utf8PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("t.tgz")).unwrap();
        (dir, path)
    }

    #[test]
    fn the_follower_reads_the_file_as_it_grows_and_ends_with_the_writer() {
        let (_dir, path) = scratch_file();
        let (mut writing, mut following) = write_and_follow(&path).unwrap();
        let chunks: Vec<Vec<u8>> = (0..50u8).map(|i| vec![i; 1000 + i as usize]).collect();
        let expected: Vec<u8> = chunks.concat();
        let read = std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                let mut all = Vec::new();
                following.read_to_end(&mut all).unwrap();
                all
            });
            for chunk in &chunks {
                writing.write_all(chunk).unwrap();
            }
            let written = writing.written();
            drop(writing);
            (reader.join().unwrap(), written)
        });
        assert_eq!(read.0, expected);
        assert_eq!(following.read_so_far(), read.1);
        assert_eq!(read.1 .0, expected.len() as u64);
    }

    #[test]
    fn a_file_shorter_than_announced_is_an_error_not_an_end() {
        let (_dir, path) = scratch_file();
        let (mut writing, mut following) = write_and_follow(&path).unwrap();
        writing.write_all(&[7u8; 4096]).unwrap();
        // Something else cut the file behind the writer's back.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(100)
            .unwrap();
        drop(writing);
        let mut all = Vec::new();
        let err = following.read_to_end(&mut all).unwrap_err();
        assert!(
            err.to_string().contains("shorter than what was written"),
            "{err}"
        );
    }
}
