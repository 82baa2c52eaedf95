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

//! Where the files of a package go: their final names, the build info, the summary and the
//! staging directory they are written to first.

use anyhow::{Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use std::fs::File;
use std::io::Read;

use super::Source;
use crate::archive::reader;
use crate::archive::writer::{Digests, COMPRESSOR};
use crate::artifacts::Artifacts;
use crate::config::strip_archive_extension;
use crate::source::ReleaseTree;

pub(super) fn write_build_info(
    path: &Utf8Path,
    source: &Source,
    tree: &ReleaseTree,
    digests: &Digests,
    read_back: &reader::ReadDigests,
) -> Result<()> {
    // No digest of the uncompressed `.tar`: the commit names the content, and `verify
    // --rebuild` hashes both `.tar`s itself when the `.tgz` bytes differ.
    let info = serde_json::json!({
        "ref": source.reference,
        "commit": source.commit,
        "mtime": tree.mtime,
        "files": tree.file_count,
        "sha512": digests.sha512,
        "compressed_size": digests.compressed_size,
        "tar_size": read_back.tar_size,
        "compressor": COMPRESSOR,
        "tool": concat!(env!("CARGO_PKG_NAME"), " ", env!("CARGO_PKG_VERSION")),
    });
    let text = serde_json::to_string_pretty(&info)? + "\n";
    std::fs::write(path, text).with_context(|| format!("cannot write {path}"))
}

pub(super) fn print_summary(artifacts: &Artifacts, digests: &Digests, signed: bool) {
    println!("  tarball:   {}", artifacts.tarball);
    println!("  checksum:  {}", artifacts.checksum);
    if signed {
        println!("  signature: {}", artifacts.signature);
    }
    println!("  sha512:    {}", digests.sha512);
}

/// Temporary files next to the final ones, removed on any early return.
pub(super) struct Staging {
    _dir: tempfile::TempDir,
    pub(super) tarball: Utf8PathBuf,
    pub(super) checksum: Utf8PathBuf,
    pub(super) signature: Utf8PathBuf,
    pub(super) build_info: Utf8PathBuf,
}

impl Staging {
    fn prefix(file_name: &str) -> String {
        format!(".{}.partial-", strip_archive_extension(file_name))
    }

    /// Removes what a killed earlier run left behind (a drop never ran for it).
    fn remove_leftovers(dir: &Utf8Path, file_name: &str) -> Result<()> {
        let prefix = Staging::prefix(file_name);
        let Ok(entries) = dir.read_dir_utf8() else {
            return Ok(());
        };
        for entry in entries.flatten() {
            if entry.file_name().starts_with(&prefix) {
                std::fs::remove_dir_all(entry.path())
                    .with_context(|| format!("cannot remove the leftover {}", entry.path()))?;
            }
        }
        Ok(())
    }

    pub(super) fn new(dir: &Utf8Path, file_name: &str) -> Result<Staging> {
        Staging::remove_leftovers(dir, file_name)?;
        let temp = tempfile::Builder::new()
            .prefix(&Staging::prefix(file_name))
            .tempdir_in(dir)
            .with_context(|| format!("cannot create a temporary directory in {dir}"))?;
        let base = Utf8PathBuf::from_path_buf(temp.path().to_path_buf())
            .map_err(|p| anyhow::anyhow!("temporary path {} is not UTF-8", p.display()))?;
        let artifacts = Artifacts::new(&base, file_name);
        Ok(Staging {
            _dir: temp,
            tarball: artifacts.tarball,
            checksum: artifacts.checksum,
            signature: artifacts.signature,
            build_info: artifacts.build_info,
        })
    }
}

/// Whether two files hold the same bytes: the sizes first, then the contents side by side
/// (cheaper than hashing the existing file, and bounded by the new one's size).
pub(super) fn same_bytes(existing: &Utf8Path, new: &Utf8Path) -> Result<bool> {
    let size = |path: &Utf8Path| {
        std::fs::metadata(path)
            .map(|meta| (meta.is_file(), meta.len()))
            .with_context(|| format!("cannot read {path}"))
    };
    let (existing_is_file, existing_size) = size(existing)?;
    let (_, new_size) = size(new)?;
    if !existing_is_file || existing_size != new_size {
        return Ok(false);
    }
    let open = |path: &Utf8Path| File::open(path).with_context(|| format!("cannot read {path}"));
    let (mut left, mut right) = (open(existing)?, open(new)?);
    let (mut left_chunk, mut right_chunk) = (vec![0u8; 256 * 1024], vec![0u8; 256 * 1024]);
    let mut remaining = new_size;
    while remaining > 0 {
        let n = remaining.min(left_chunk.len() as u64) as usize;
        left.read_exact(&mut left_chunk[..n])
            .with_context(|| format!("cannot read {existing}"))?;
        right
            .read_exact(&mut right_chunk[..n])
            .with_context(|| format!("cannot read {new}"))?;
        if left_chunk[..n] != right_chunk[..n] {
            return Ok(false);
        }
        remaining -= n as u64;
    }
    Ok(true)
}
