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

//! `--rebuild`: the tarball rebuilt from the candidate's tag with the package writer, compared
//! with the candidate. Memory stays flat: each archive is kept as a sorted list of 64-bit
//! hashes (path, what the entry is), and the names of differing entries are found by reading
//! the two archives once more.

use std::collections::BTreeMap;
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{BufReader, BufWriter, Read, Write};

use anyhow::{Context, Result};
use camino::Utf8Path;

use super::locate::open_regular;
use super::report::Check;
use crate::archive::reader::{self, Entry, Hashing, Kind, Limits, ObjectFormat, ReadDigests};
use crate::archive::writer::COMPRESSOR;
use crate::config::Config;
use crate::source;
use crate::tools::git;
use crate::version::Version;
use crate::Ctx;

/// Difference lines collected at most; the report shows fewer and counts the rest.
const MAX_DIFFERENCES: usize = 100;

/// What an entry is, in a form two archives can be compared by; `short` for people.
pub fn describe(entry: &Entry) -> String {
    describe_as(entry, usize::MAX)
}

fn describe_as(entry: &Entry, id_chars: usize) -> String {
    let id = entry.blob_id.as_deref().unwrap_or_default();
    let id = &id[..id.len().min(id_chars)];
    match &entry.kind {
        Kind::File { executable: true } => format!("executable file {id}"),
        Kind::File { executable: false } => format!("file {id}"),
        Kind::Dir => "directory".into(),
        Kind::Symlink { target } => format!("link to {target}"),
    }
}

fn hash(text: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    hasher.finish()
}

/// The entries of one archive as (hash of path, hash of what it is), sorted by path hash.
#[derive(Default)]
pub struct EntryIndex {
    entries: Vec<(u64, u64)>,
}

impl EntryIndex {
    pub fn add(&mut self, path: &str, what: &str) {
        self.entries.push((hash(path), hash(what)));
    }

    /// Sorts the list; call once every entry is added.
    pub fn seal(&mut self) {
        self.entries.sort_unstable();
        self.entries.shrink_to_fit();
    }

    fn what(&self, path: &str) -> Option<u64> {
        let key = hash(path);
        self.entries
            .binary_search_by_key(&key, |(path, _)| *path)
            .ok()
            .map(|at| self.entries[at].1)
    }
}

/// The lines that name what differs, bounded.
#[derive(Default)]
struct Differences {
    lines: Vec<String>,
    more: usize,
    /// Path -> the candidate's description, for entries both have but that differ.
    differing: BTreeMap<String, String>,
}

impl Differences {
    fn push(&mut self, line: String) {
        if self.lines.len() < MAX_DIFFERENCES {
            self.lines.push(line);
        } else {
            self.more += 1;
        }
    }

    /// One entry of the candidate, against the rebuilt archive's index.
    fn candidate_entry(&mut self, ours: &EntryIndex, path: &str, full: &str, shown: String) {
        match ours.what(path) {
            None => self.push(format!("only in the candidate: {path} ({shown})")),
            Some(what) if what != hash(full) => {
                if self.differing.len() < MAX_DIFFERENCES {
                    self.differing.insert(path.to_string(), shown);
                } else {
                    self.more += 1;
                }
            }
            Some(_) => {}
        }
    }

    /// One entry of the rebuilt archive, against the candidate's index.
    fn rebuilt_entry(&mut self, theirs: &EntryIndex, path: &str, shown: String) {
        if theirs.what(path).is_none() {
            self.push(format!("only in the tag: {path} ({shown})"));
        } else if let Some(candidate) = self.differing.remove(path) {
            self.push(format!(
                "differs: {path} (candidate: {candidate}; from the tag: {shown})"
            ));
        }
    }

    fn finish(mut self) -> Vec<String> {
        if self.more > 0 {
            self.lines
                .push(format!("... and {} more differences", self.more));
        }
        self.lines
    }
}

/// Where the tag to rebuild from comes from.
pub enum TagSource {
    /// Fetched from the configured remote, so the published tag is used, not a local one.
    Remote(String),
    /// The repository has no such remote: its own tag.
    Local,
}

pub const REBUILD_TITLE: &str = "rebuild: the tarball rebuilt from the tag has the same content";

/// The candidate as the rebuild compares it.
pub struct Candidate<'a> {
    pub tarball: &'a Utf8Path,
    pub sha512: Option<&'a str>,
    pub digests: Option<&'a ReadDigests>,
    pub index: &'a EntryIndex,
    pub limits: Limits,
}

pub struct Rebuild<'a> {
    pub ctx: &'a Ctx,
    pub config: &'a Config,
    pub version: &'a Version,
    pub tag: &'a str,
    pub source: &'a TagSource,
    pub work: &'a Utf8Path,
    pub format: ObjectFormat,
}

impl Rebuild<'_> {
    fn commit(&self) -> Result<(String, String)> {
        let (sh, repo, tag) = (&self.ctx.sh, &self.ctx.repo, self.tag);
        match self.source {
            TagSource::Remote(remote) => {
                let fetch = git::fetch_tag(repo, remote, tag);
                eprintln!("  running: {fetch}");
                fetch.run(sh).with_context(|| {
                    format!(
                        "cannot fetch tag {tag} from the remote `{remote}`: check that the tag \
                         is pushed and the remote reachable"
                    )
                })?;
                let commit = git::resolve_commit(sh, repo, "FETCH_HEAD")?
                    .with_context(|| format!("tag {tag} of `{remote}` names no commit"))?;
                Ok((commit, format!("tag {tag} of `{remote}`")))
            }
            TagSource::Local => {
                let commit = git::tag_commit(sh, repo, tag)?.with_context(|| {
                    format!(
                        "there is no tag {tag} in {repo} and no remote `{}` to fetch it from: \
                         run `git fetch --tags`, or pass --repo <a clone of the project>",
                        self.config.remote
                    )
                })?;
                Ok((commit, format!("tag {tag}")))
            }
        }
    }

    /// Reads an archive, handing each entry to `visit`.
    fn read(
        &self,
        file: File,
        limits: Limits,
        visit: &mut dyn FnMut(Entry) -> Result<()>,
    ) -> Result<ReadDigests> {
        reader::read_archive(
            BufReader::with_capacity(256 * 1024, file),
            Hashing::everything(self.format),
            limits,
            &|_| false,
            visit,
        )
    }

    pub fn check(&self, candidate: &Candidate) -> Result<Check> {
        let (commit, source) = self.commit()?;
        let source = format!("{source} ({})", &commit[..commit.len().min(12)]);
        let top_dir = self.config.top_dir_name(self.version)?;
        let tree = source::release_tree(self.ctx, self.config, &commit, top_dir)?;
        let file_name = self.config.artifact_name(self.version)?;
        let path = self.work.join(format!("rebuilt-{file_name}"));
        let file = File::create(&path).with_context(|| format!("cannot write {path}"))?;
        let file = BufWriter::with_capacity(256 * 1024, file);
        let (mut out, ours) = tree.write(self.ctx, file, &mut |_| {})?;
        out.flush()
            .with_context(|| format!("cannot write {path}"))?;
        drop((out, tree));

        if candidate.sha512 == Some(ours.sha512.as_str()) {
            return Ok(Check::passed(
                "rebuild",
                REBUILD_TITLE,
                vec![format!(
                    "reproducible: byte-identical to the tarball rebuilt from {source}"
                )],
            ));
        }
        let Some(digests) = candidate.digests else {
            return Ok(Check::failed(
                "rebuild",
                REBUILD_TITLE,
                vec![format!(
                    "the candidate differs from the tarball rebuilt from {source}, and it could \
                     not be read in full to compare their files"
                )],
            ));
        };
        let open_ours = || File::open(&path).with_context(|| format!("cannot read {path}"));
        let mut rebuilt = EntryIndex::default();
        let ours_read = self.read(open_ours()?, Limits::default(), &mut |entry| {
            rebuilt.add(&entry.path, &describe(&entry));
            Ok(())
        })?;
        rebuilt.seal();
        if digests.tar_sha512 == ours_read.tar_sha512 {
            return Ok(Check::passed(
                "rebuild",
                REBUILD_TITLE,
                vec![
                    format!(
                        "same content, different compressor: the uncompressed .tar equals the \
                         one rebuilt from {source}, the .tgz bytes do not"
                    ),
                    format!(
                        "the candidate's gzip stream: {}; ours: {COMPRESSOR}",
                        gzip_header(candidate.tarball)
                    ),
                ],
            ));
        }
        let mut differences = Differences::default();
        self.read(
            open_regular(candidate.tarball)?,
            candidate.limits,
            &mut |entry| {
                let shown = describe_as(&entry, 12);
                differences.candidate_entry(&rebuilt, &entry.path, &describe(&entry), shown);
                Ok(())
            },
        )?;
        self.read(open_ours()?, Limits::default(), &mut |entry| {
            differences.rebuilt_entry(candidate.index, &entry.path, describe_as(&entry, 12));
            Ok(())
        })?;
        let mut details = vec![format!(
            "the candidate differs from the tarball rebuilt from {source}:"
        )];
        details.extend(differences.finish());
        if details.len() == 1 {
            details.push(
                "every file has the same content and mode, but the tar headers differ (times, \
                 owners, order or format): was it built by `cargo xtask package`?"
                    .into(),
            );
        }
        Ok(Check::failed("rebuild", REBUILD_TITLE, details))
    }
}

/// The fields of a gzip header that tell compressors apart (RFC 1952).
fn gzip_header(path: &Utf8Path) -> String {
    let mut header = [0u8; 10];
    let read = open_regular(path).and_then(|mut file| Ok(file.read_exact(&mut header)?));
    if read.is_err() || header[..2] != [0x1f, 0x8b] {
        return "no gzip header".into();
    }
    let os = match header[9] {
        0 => "FAT/Windows",
        3 => "Unix",
        7 => "Macintosh",
        11 => "NTFS",
        255 => "unknown",
        _ => "other",
    };
    let level = match header[8] {
        2 => "maximum compression",
        4 => "fastest",
        _ => "default or unstated level",
    };
    let mut parts = vec![
        format!("OS byte {} ({os})", header[9]),
        format!("XFL {} ({level})", header[8]),
    ];
    let mtime = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    if mtime != 0 {
        parts.push(format!("mtime {mtime}"));
    }
    if header[3] & 0x08 != 0 {
        parts.push("stores a file name".into());
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_name_each_file() {
        let candidate = [("t/a", "file 1"), ("t/b", "file 2"), ("t/extra", "file 3")];
        let rebuilt = [("t/a", "file 1"), ("t/b", "file 9"), ("t/gone", "file 4")];
        let index = |list: &[(&str, &str)]| {
            let mut index = EntryIndex::default();
            for (path, what) in list {
                index.add(path, what);
            }
            index.seal();
            index
        };
        let (theirs, ours) = (index(&candidate), index(&rebuilt));
        let mut differences = Differences::default();
        for (path, what) in candidate {
            differences.candidate_entry(&ours, path, what, what.to_string());
        }
        for (path, what) in rebuilt {
            differences.rebuilt_entry(&theirs, path, what.to_string());
        }
        assert_eq!(
            differences.finish(),
            [
                "only in the candidate: t/extra (file 3)",
                "differs: t/b (candidate: file 2; from the tag: file 9)",
                "only in the tag: t/gone (file 4)",
            ]
        );
    }
}
