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

//! One run at a time per output directory and per release state: an advisory lock
//! (`flock`) on a file beside what is written. The kernel drops the lock when the process
//! ends, however it ends, so a killed run never leaves a stale lock behind.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

/// A held lock; dropping it removes the file and releases the lock.
#[derive(Debug)]
pub struct Lock {
    path: Utf8PathBuf,
    file: File,
}

/// The lock file of `target` (a directory or a state file): `.<name>.lock` beside it, so it is
/// never part of what is written, uploaded or compared.
pub fn lock_path(target: &Utf8Path) -> Utf8PathBuf {
    let name = target.file_name().unwrap_or("output");
    let parent = target.parent().unwrap_or(Utf8Path::new("."));
    parent.join(format!(".{name}.lock"))
}

/// Takes the lock of `target`, or stops with the pid of the run that holds it.
pub fn acquire(target: &Utf8Path) -> Result<Lock> {
    let path = lock_path(target);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {parent}"))?;
    }
    // A holder that finishes removes the file; the lock taken on a removed file would guard
    // nothing, so take it again on the new file.
    for _ in 0..8 {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open the lock file {path}"))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.take(32).read_to_string(&mut holder);
                let pid = match holder.trim().parse::<u32>() {
                    Ok(pid) => pid.to_string(),
                    Err(_) => "unknown".into(),
                };
                bail!(
                    "another run holds the lock (pid {pid}) on {target}: wait for it to finish \
                     (or stop it), then run this again; the lock ends with that process"
                );
            }
            Err(TryLockError::Error(err)) => {
                return Err(err).with_context(|| format!("cannot lock {path}"));
            }
        }
        let same_file = match (file.metadata(), std::fs::metadata(&path)) {
            (Ok(held), Ok(named)) => held.dev() == named.dev() && held.ino() == named.ino(),
            _ => false,
        };
        if !same_file {
            continue;
        }
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| write!(file, "{}", std::process::id()))
            .with_context(|| format!("cannot write the lock file {path}"))?;
        return Ok(Lock { path, file });
    }
    bail!("cannot take the lock {path}: it keeps being replaced; run this again")
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still held, so no other run can lock the file being removed.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_told_the_pid_and_the_lock_ends_with_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let target = Utf8Path::from_path(dir.path()).unwrap().join("1.0.0-rc1");
        let first = acquire(&target).unwrap();
        let err = format!("{:#}", acquire(&target).unwrap_err());
        let pid = std::process::id().to_string();
        assert!(
            err.contains(&format!("another run holds the lock (pid {pid})")),
            "{err}"
        );
        drop(first);
        assert!(!lock_path(&target).exists());
        let again = acquire(&target).unwrap();
        drop(again);
    }
}
