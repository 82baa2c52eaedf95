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

//! Where the candidate and KEYS come from, and how the candidate's files are read: only
//! regular files, never through a link, a device or a FIFO, and never more than a limit.
//!
//! KEYS never comes from the candidate: anyone who can change the candidate can change a KEYS
//! next to it. The default is the project's published KEYS (`<svn-release-url>/KEYS`, what
//! downloads.apache.org serves, changed only by the PMC); `--keys` may name another file or
//! URL, but not one inside the candidate.
//!
//! Reading without following links, without a new crate: the name is looked up with `lstat`
//! and must be a regular file; after `open` the file's device and inode must be those `lstat`
//! saw. A swap between the two (a local attacker racing us, not the remote one who wrote the
//! candidate) is caught by that comparison; a FIFO or device is never opened at all.

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::MetadataExt;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use super::VerifyArgs;
use crate::config::Config;
use crate::tools::svn;
use crate::untrusted::escape_str;
use crate::version::Candidate;
use crate::Ctx;

/// A KEYS file larger than this is refused (the largest ASF KEYS files hold a few hundred
/// keys in well under 4 MiB).
pub const MAX_KEYS_BYTES: u64 = 16 * 1024 * 1024;

/// Where the candidate or KEYS comes from.
#[derive(Debug, Clone)]
pub enum Location {
    /// Fetched from SVN into the temporary directory.
    Svn(String),
    /// Read in place.
    Local(Utf8PathBuf),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Svn(url) => f.write_str(url),
            Location::Local(path) => write!(f, "{path}"),
        }
    }
}

pub fn is_url(text: &str) -> bool {
    text.contains("://")
}

pub fn candidate_location(config: &Config, args: &VerifyArgs) -> Result<Location> {
    match &args.from {
        Some(url) if is_url(url) => Ok(Location::Svn(url.trim_end_matches('/').to_string())),
        Some(dir) => {
            let dir = Utf8PathBuf::from(dir);
            if !dir.is_dir() {
                bail!(
                    "--from {dir}: no such directory; give the directory holding the \
                     candidate's tarball, .asc and .sha512, or its SVN URL"
                );
            }
            Ok(Location::Local(dir))
        }
        None => Ok(Location::Svn(config.rc_url(&Candidate {
            version: args.version,
            rc: args.rc,
        }))),
    }
}

/// Refuses a candidate dist/dev does not hold (the default place), naming those it holds.
pub fn require_in_dev(ctx: &Ctx, config: &Config, candidate: &Candidate) -> Result<()> {
    let anonymous = svn::Credentials::anonymous();
    // A dev area that cannot be listed is reported by the export itself.
    let Some(listing) = svn::list(&ctx.sh, &anonymous, &config.svn_dev_url)? else {
        return Ok(());
    };
    let numbers: Vec<u32> = listing
        .iter()
        .filter_map(|entry| config.parse_candidate_dir(entry))
        .filter(|found| found.version == candidate.version)
        .map(|found| found.rc)
        .collect();
    if numbers.contains(&candidate.rc) {
        return Ok(());
    }
    let held = match numbers.as_slice() {
        [] => "none".to_string(),
        _ => numbers
            .iter()
            .map(|n| format!("RC{n}"))
            .collect::<Vec<_>>()
            .join(", "),
    };
    bail!(
        "there is no candidate {} in dist/dev (the candidates of {} there: {held}): check \
         the version and --rc, or give the candidate's place with --from",
        config.rc_url(candidate),
        candidate.version
    )
}

/// KEYS: the one given with `--keys`, else the published one of the release area.
pub fn keys_location(config: &Config, args: &VerifyArgs, candidate: &Location) -> Result<Location> {
    let inside = "is inside the candidate: a KEYS that travels with the candidate proves \
                  nothing (whoever can change the candidate can change it); leave out --keys to \
                  use the project's published KEYS, or give a copy you trust";
    match (&args.keys, candidate) {
        (Some(url), Location::Svn(dir)) if is_url(url) => {
            if url.starts_with(&format!("{dir}/")) {
                bail!("--keys {url} {inside}");
            }
            Ok(Location::Svn(url.clone()))
        }
        (Some(url), _) if is_url(url) => Ok(Location::Svn(url.clone())),
        (Some(file), _) => {
            let file = Utf8PathBuf::from(file);
            if !file.is_file() {
                bail!("--keys {file}: no such file; give the project's KEYS file or its URL");
            }
            if let Location::Local(dir) = candidate {
                let real = |p: &Utf8Path| std::fs::canonicalize(p).ok();
                if let (Some(file), Some(dir)) = (real(&file), real(dir)) {
                    if file.starts_with(&dir) {
                        bail!("--keys {} {inside}", file.display());
                    }
                }
            }
            Ok(Location::Local(file))
        }
        (None, _) => Ok(Location::Svn(config.release_keys_url())),
    }
}

/// Reads a KEYS file given on the command line, within the size limit.
pub fn read_keys_file(path: &Utf8Path) -> Result<Vec<u8>> {
    let file = File::open(path).with_context(|| format!("cannot read {path}"))?;
    read_limited(file, MAX_KEYS_BYTES, path.as_str())
}

fn read_limited(file: File, max: u64, name: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read {name}"))?;
    if bytes.len() as u64 > max {
        bail!("{name} is larger than {max} bytes (the limit): refused");
    }
    Ok(bytes)
}

/// What a name in the candidate directory is, as `lstat` sees it.
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let kind = meta.file_type();
    if kind.is_symlink() {
        "a symbolic link"
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_file() {
        "a regular file"
    } else {
        "a special file (device, FIFO or socket)"
    }
}

/// Opens a file of the candidate that must be a regular file; never follows a link and never
/// opens a FIFO or device. The error names the file (escaped) and says why.
pub fn open_regular(path: &Utf8Path) -> Result<File> {
    let name = escape_str(path.file_name().unwrap_or(path.as_str()));
    let before = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            bail!("{name} is missing from the candidate")
        }
        Err(err) => bail!("cannot read {name}: {err}"),
    };
    if !before.file_type().is_file() {
        bail!(
            "{name} is {}, not a regular file: refused, a candidate holds plain files only (a \
             link could point at any file of yours)",
            kind_of(&before)
        );
    }
    let file = File::open(path).with_context(|| format!("cannot read {name}"))?;
    let after = file
        .metadata()
        .with_context(|| format!("cannot read {name}"))?;
    if !after.is_file() || after.dev() != before.dev() || after.ino() != before.ino() {
        bail!("{name} was replaced while it was opened: refused");
    }
    Ok(file)
}

/// The bytes of a small regular file of the candidate (checksum, signature).
pub fn read_regular(path: &Utf8Path, max: u64) -> Result<Vec<u8>> {
    let file = open_regular(path)?;
    read_limited(
        file,
        max,
        &escape_str(path.file_name().unwrap_or(path.as_str())),
    )
}

/// The names in the candidate directory with what each is, sorted (not escaped yet: bytes
/// that are not UTF-8 show as U+FFFD).
pub fn list_dir(dir: &Utf8Path) -> Vec<(String, &'static str)> {
    let mut names: Vec<(String, &'static str)> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let kind = e
                        .path()
                        .symlink_metadata()
                        .map(|m| kind_of(&m))
                        .unwrap_or("unreadable");
                    (name, kind)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
