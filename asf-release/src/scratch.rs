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

//! Temporary directories a kill cannot leave behind for long: each is named
//! `xtask-<purpose>-<pid>-<random>` in the temporary directory and removed on drop, and the
//! next run of any step that makes one removes those whose process is gone (a SIGKILL runs no
//! destructor). Private to the user: gpg refuses a keyring directory others can read.

use std::os::unix::fs::PermissionsExt;

use anyhow::{Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

const PREFIX: &str = "xtask-";

/// A temporary directory with a UTF-8 path, removed on drop.
pub struct Scratch {
    _dir: tempfile::TempDir,
    path: Utf8PathBuf,
}

impl Scratch {
    /// A new directory for `purpose` (`keyring`, `verify` ...), after removing the ones killed
    /// runs left.
    pub fn new(purpose: &str) -> Result<Scratch> {
        Scratch::in_dir(&std::env::temp_dir(), purpose)
    }

    /// The same, in memory where the system keeps a directory there (`XDG_RUNTIME_DIR`,
    /// `/dev/shm`) and the user did not choose one with `TMPDIR`: for small trees of many
    /// files (a keyring, what cargo reads of a candidate), where a disk-backed temporary
    /// directory costs milliseconds for every file made and removed.
    pub fn in_memory(purpose: &str) -> Result<Scratch> {
        if std::env::var_os("TMPDIR").is_none() {
            let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(std::path::PathBuf::from);
            let shm = Some(std::path::PathBuf::from("/dev/shm"));
            for parent in [runtime, shm].into_iter().flatten() {
                if parent.is_absolute() && parent.is_dir() {
                    if let Ok(scratch) = Scratch::in_dir(&parent, purpose) {
                        return Ok(scratch);
                    }
                }
            }
        }
        Scratch::new(purpose)
    }

    fn in_dir(parent: &std::path::Path, purpose: &str) -> Result<Scratch> {
        remove_orphans(parent, purpose);
        let dir = tempfile::Builder::new()
            .prefix(&format!("{PREFIX}{purpose}-{}-", std::process::id()))
            .permissions(std::fs::Permissions::from_mode(0o700))
            .tempdir_in(parent)
            .context("cannot create a temporary directory: check TMPDIR")?;
        let path = Utf8PathBuf::from_path_buf(dir.path().to_path_buf())
            .map_err(|p| anyhow::anyhow!("temporary path {} is not UTF-8", p.display()))?;
        Ok(Scratch { _dir: dir, path })
    }

    pub fn path(&self) -> &Utf8Path {
        &self.path
    }
}

/// Removes `xtask-<purpose>-<pid>-*` directories of processes that no longer run. Best effort:
/// what cannot be removed now is tried again next time.
fn remove_orphans(parent: &std::path::Path, purpose: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let start = format!("{PREFIX}{purpose}-");
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(&start)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let ours = entry
            .metadata()
            .is_ok_and(|m| m.is_dir() && std::os::unix::fs::MetadataExt::uid(&m) == own_uid());
        if ours && !process_runs(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn process_runs(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// The uid this process runs as (the owner of its /proc entry).
fn own_uid() -> u32 {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dead_process_leaves_nothing_for_the_next_run() {
        // pid 0 never names a user process.
        let orphan = std::env::temp_dir().join("xtask-scratchtest-0-abc");
        std::fs::create_dir_all(orphan.join("inner")).unwrap();
        let live = Scratch::new("scratchtest").unwrap();
        assert!(!orphan.exists());
        assert!(live.path().is_dir());
        let kept = live.path().to_path_buf();
        let again = Scratch::new("scratchtest").unwrap();
        assert!(kept.exists(), "a running process keeps its directory");
        drop((live, again));
        assert!(!kept.exists());
    }

    #[test]
    fn a_scratch_in_memory_is_private_and_goes_on_drop() {
        let scratch = Scratch::in_memory("scratchtest-memory").unwrap();
        let path = scratch.path().to_owned();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        std::fs::write(path.join("f"), "x").unwrap();
        drop(scratch);
        assert!(!path.exists());
    }
}
