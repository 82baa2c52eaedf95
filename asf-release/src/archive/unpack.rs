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

//! Unpacks a candidate into a fresh directory, for the checks that need files on disk (the
//! manifests' load check, `verify --build`). The archive is untrusted and read by the same
//! reader as the checks (the subset of tar every extractor reads alike); names go through the
//! same rules as the reader's path checks (normalised; absolute, `..`, control characters and
//! duplicates refused), files are created new (never overwritten, never through a link), only
//! files, directories and symbolic links whose target stays inside the tree are made, and the
//! sizes are capped like the reader's. Nothing outside `into` is written.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use super::paths::{name_problem, normalise};
use super::reader::{self, Kind, Limits};
use crate::untrusted::escape_str;

/// Whether a link at `link` (normalised) pointing at `target` stays inside the tree.
pub(super) fn link_stays_inside(link: &str, target: &str) -> bool {
    if target.starts_with('/') {
        return false;
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return false;
                }
            }
            part => parts.push(part),
        }
    }
    true
}

/// Unpacks `tarball` into the empty directory `into`; returns the one top directory the
/// archive unpacks to.
pub fn unpack(tarball: &Utf8Path, into: &Utf8Path, limits: Limits) -> Result<Utf8PathBuf> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(tarball)
        .with_context(|| format!("cannot open {tarball}"))?;
    let mut archive = reader::open(file, limits, reader::Hashing::NOTHING);
    let mut links = Vec::new();
    let mut tops = std::collections::BTreeSet::new();
    while let Some(entry) = archive
        .next_entry()
        .with_context(|| format!("cannot unpack {tarball}"))?
    {
        let raw = entry.path;
        let refuse = |why: &str| {
            anyhow::anyhow!(
                "{tarball}: entry `{}` {why}: not unpacked",
                escape_str(&raw)
            )
        };
        if let Some(problem) = name_problem(&raw) {
            return Err(refuse(problem));
        }
        let path = normalise(&raw).ok_or_else(|| refuse("leaves the directory it unpacks in"))?;
        if path.is_empty() {
            continue;
        }
        tops.insert(path.split('/').next().unwrap_or_default().to_string());
        let target = into.join(&path);
        let parent = match (&entry.kind, target.parent()) {
            (Kind::Dir, _) | (_, None) => None,
            (_, Some(parent)) => Some(parent),
        };
        if let Some(parent) = parent {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {parent}"))?;
        }
        let executable = match entry.kind {
            Kind::Dir => {
                std::fs::create_dir_all(&target)
                    .with_context(|| format!("cannot create {target}"))?;
                continue;
            }
            Kind::Symlink { target: link } => {
                if !link_stays_inside(&path, &link) {
                    return Err(refuse("is a link that points outside the tree"));
                }
                // Made after every file, so that no file is ever written through one.
                links.push((target, link));
                continue;
            }
            Kind::File { executable } => executable,
        };
        let mut out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .mode(if executable { 0o755 } else { 0o644 })
            .open(&target)
            .map_err(|err| match err.kind() {
                io::ErrorKind::AlreadyExists => refuse("comes twice"),
                _ => anyhow::Error::new(err).context(format!("cannot create {target}")),
            })?;
        io::copy(&mut archive, &mut out).with_context(|| format!("cannot unpack {target}"))?;
        out.flush()?;
    }
    for (target, link) in links {
        std::os::unix::fs::symlink(&link, &target)
            .with_context(|| format!("cannot create the link {target}"))?;
    }
    match tops.len() {
        1 => Ok(into.join(tops.into_iter().next().unwrap_or_default())),
        _ => bail!("{tarball} does not unpack to one top directory: not unpacked"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_must_stay_inside_the_tree() {
        assert!(link_stays_inside("top/a/link", "../b"));
        assert!(link_stays_inside("top/link", "src/main.lua"));
        assert!(!link_stays_inside("top/link", "../../etc/passwd"));
        assert!(!link_stays_inside("top/link", "/etc/passwd"));
    }

    #[test]
    fn unpacks_a_tarball_and_refuses_names_that_leave_it() {
        let dir = tempfile::tempdir().unwrap();
        let dir = Utf8Path::from_path(dir.path()).unwrap();
        let write = |name: &str, entries: &[(&str, &[u8])]| {
            let path = dir.join(name);
            let file = std::fs::File::create(&path).unwrap();
            let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
            let mut tar = tar::Builder::new(gz);
            for (entry, bytes) in entries {
                let mut header = tar::Header::new_gnu();
                header.set_size(bytes.len() as u64);
                header.set_mode(0o644);
                header.set_entry_type(tar::EntryType::Regular);
                // Written raw: `append_data` itself refuses `..`.
                let name = &mut header.as_old_mut().name;
                name[..entry.len()].copy_from_slice(entry.as_bytes());
                header.set_cksum();
                tar.append(&header, *bytes).unwrap();
            }
            tar.into_inner().unwrap().finish().unwrap();
            path
        };
        let good = write("good.tgz", &[("top/a.txt", b"a"), ("top/src/b.rs", b"b")]);
        let out = dir.join("out");
        std::fs::create_dir(&out).unwrap();
        let root = unpack(&good, &out, Limits::default()).unwrap();
        assert_eq!(root, out.join("top"));
        assert_eq!(std::fs::read(root.join("src/b.rs")).unwrap(), b"b");

        let evil = write("evil.tgz", &[("top/../../escaped", b"x")]);
        let out = dir.join("out2");
        std::fs::create_dir(&out).unwrap();
        let err = unpack(&evil, &out, Limits::default()).unwrap_err();
        assert!(
            format!("{err:#}").contains("leaves the directory"),
            "{err:#}"
        );
        assert!(!dir.join("escaped").exists());

        let twice = write("twice.tgz", &[("top/a", b"1"), ("top/./a", b"2")]);
        let out = dir.join("out3");
        std::fs::create_dir(&out).unwrap();
        let err = unpack(&twice, &out, Limits::default()).unwrap_err();
        assert!(format!("{err:#}").contains("comes twice"), "{err:#}");

        let big = write("big.tgz", &[("top/a", &[0u8; 4096])]);
        let out = dir.join("out4");
        std::fs::create_dir(&out).unwrap();
        let small = Limits {
            max_tar_bytes: 1024,
            ..Limits::default()
        };
        assert!(unpack(&big, &out, small).is_err());
    }
}
