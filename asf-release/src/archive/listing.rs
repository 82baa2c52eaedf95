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

//! Lists of tree entries kept in a temporary file instead of memory and read back in path
//! order: what `package` holds per entry stays fixed whatever the size of the tree.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::tools::git::TreeEntry;

/// Writes entries, which must come sorted by path, one `<mode> <object>\t<path>\0` record each.
pub struct ListingWriter {
    out: BufWriter<File>,
    path: PathBuf,
    last: String,
    count: u64,
}

impl ListingWriter {
    pub fn create(path: &Path) -> Result<ListingWriter> {
        let file = File::create(path)
            .with_context(|| format!("cannot write the temporary file {}", path.display()))?;
        Ok(ListingWriter {
            out: BufWriter::with_capacity(256 * 1024, file),
            path: path.to_path_buf(),
            last: String::new(),
            count: 0,
        })
    }

    /// The path of the entry written last (empty before the first).
    pub fn last(&self) -> &str {
        &self.last
    }

    pub fn push(&mut self, mode: &str, object: &str, path: &str) -> Result<()> {
        // Git lists a tree sorted by path; everything downstream walks both the tree and the
        // archive in that order, so a damaged tree must not slip through.
        if path <= self.last.as_str() {
            bail!(
                "the git tree lists {path:?} after {:?}, out of order: the repository is \
                 damaged; run `git fsck` and repair it",
                self.last
            );
        }
        write!(self.out, "{mode} {object}\t{path}\0").with_context(|| self.error())?;
        self.last.clear();
        self.last.push_str(path);
        self.count += 1;
        Ok(())
    }

    /// How many entries were written.
    pub fn finish(mut self) -> Result<u64> {
        self.out.flush().with_context(|| self.error())?;
        Ok(self.count)
    }

    fn error(&self) -> String {
        format!(
            "cannot write the temporary file {}: is the disk full?",
            self.path.display()
        )
    }
}

/// Reads back what a [`ListingWriter`] wrote, in the same order.
pub struct ListingReader {
    input: BufReader<File>,
    record: Vec<u8>,
}

impl ListingReader {
    pub fn open(path: &Path) -> Result<ListingReader> {
        let file = File::open(path)
            .with_context(|| format!("cannot read the temporary file {}", path.display()))?;
        Ok(ListingReader {
            input: BufReader::with_capacity(256 * 1024, file),
            record: Vec::new(),
        })
    }

    fn next_entry(&mut self) -> Result<Option<TreeEntry>> {
        self.record.clear();
        if self.input.read_until(0, &mut self.record)? == 0 {
            return Ok(None);
        }
        let record = std::str::from_utf8(&self.record)?;
        let parsed = record.strip_suffix('\0').and_then(|record| {
            let (meta, path) = record.split_once('\t')?;
            let (mode, object) = meta.split_once(' ')?;
            Some(TreeEntry {
                mode: mode.to_string(),
                object: object.to_string(),
                path: path.to_string(),
            })
        });
        parsed
            .map(Some)
            .context("a temporary listing was cut short")
    }
}

impl Iterator for ListingReader {
    type Item = Result<TreeEntry>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_entry().transpose()
    }
}

/// The directories of `path` (each without its trailing `/`, parents first) that are not
/// directories of `previous`. Walking sorted paths, each directory is met exactly once, right
/// before its first entry, which is where it sorts among the paths with a `/` appended.
pub fn new_dirs<'a>(previous: &'a str, path: &'a str) -> impl Iterator<Item = &'a str> {
    let mut shared = true;
    path.match_indices('/').filter_map(move |(end, _)| {
        let dir = &path[..end];
        shared = shared
            && previous.len() > end
            && previous.as_bytes()[end] == b'/'
            && previous.starts_with(dir);
        (!shared).then_some(dir)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_dirs_are_met_once_in_order() {
        let paths = ["a-b", "a/b/c", "a/b/d", "a/e", "a/f/g/h", "b", "c/d"];
        let mut previous = "";
        let mut met = Vec::new();
        for path in paths {
            met.extend(new_dirs(previous, path));
            met.push(path);
            previous = path;
        }
        assert_eq!(
            met,
            [
                "a-b", "a", "a/b", "a/b/c", "a/b/d", "a/e", "a/f", "a/f/g", "a/f/g/h", "b", "c",
                "c/d"
            ]
        );
    }

    #[test]
    fn listing_round_trips_and_refuses_disorder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("listing");
        let mut writer = ListingWriter::create(&path).unwrap();
        writer.push("100644", "abc", "a b\tc").unwrap();
        writer.push("120000", "def", "z").unwrap();
        assert!(writer.push("100644", "ghi", "y").is_err());
        assert_eq!(writer.finish().unwrap(), 2);
        let read: Vec<TreeEntry> = ListingReader::open(&path)
            .unwrap()
            .collect::<Result<_>>()
            .unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(
            (read[0].path.as_str(), read[0].object.as_str()),
            ("a b\tc", "abc")
        );
        assert_eq!(
            (read[1].mode.as_str(), read[1].path.as_str()),
            ("120000", "z")
        );
    }
}
