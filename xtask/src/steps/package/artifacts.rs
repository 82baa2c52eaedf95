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
    let info = serde_json::json!({
        "ref": source.reference,
        "commit": source.commit,
        "mtime": tree.mtime,
        "files": tree.file_count,
        "sha512": digests.sha512,
        "tar_sha512": read_back.tar_sha512,
        "compressed_size": digests.compressed_size,
        "tar_size": read_back.tar_size,
        "compressor": COMPRESSOR,
        "tool": concat!("xtask ", env!("CARGO_PKG_VERSION")),
    });
    let text = serde_json::to_string_pretty(&info)? + "\n";
    std::fs::write(path, text).with_context(|| format!("cannot write {path}"))
}

pub(super) fn print_summary(
    artifacts: &Artifacts,
    digests: &Digests,
    read_back: &reader::ReadDigests,
    signed: bool,
) {
    println!("  tarball:   {}", artifacts.tarball);
    println!("  checksum:  {}", artifacts.checksum);
    if signed {
        println!("  signature: {}", artifacts.signature);
    }
    println!("  sha512:    {}", digests.sha512);
    println!("  tar sha512 (uncompressed): {}", read_back.tar_sha512);
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
