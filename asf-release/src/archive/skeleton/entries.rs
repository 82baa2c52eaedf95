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

//! Reading the archive's entries for the skeleton: the reader's entries handed over, the
//! manifests read within their limit, links resolved by their names alone.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;

use anyhow::{bail, Context, Result};
use camino::Utf8Path;

use super::super::reader::{self, Entry, Kind, Limits};
use super::{Node, Skeleton, MANIFEST_LIMIT};
use crate::untrusted::escape_str;

/// Hands an entry of [`super::reader`] to `skeleton` (which asked the reader for manifests
/// whole: [`wants_content`]); its first error is kept for the end, when the checks have named
/// what is wrong with the archive better.
pub fn feed(skeleton: &mut Result<Skeleton>, entry: &Entry) {
    let node = match &entry.kind {
        Kind::Dir => Node::Dir,
        Kind::File { .. } => Node::File,
        Kind::Symlink { target } => Node::Link(target),
    };
    feed_one(skeleton, &entry.path, node, entry.whole.as_deref());
}

/// Hands `skeleton` one entry as a writer queues it (a manifest with its content, as
/// [`super::wants_content`] asks); its first error is kept, as [`feed`] does.
pub fn feed_one(skeleton: &mut Result<Skeleton>, path: &str, node: Node, content: Option<&[u8]>) {
    let Ok(made) = skeleton else {
        return;
    };
    let mut content = content;
    let content = content.as_mut().map(|c| c as &mut dyn Read);
    if let Err(err) = made.add(path, node, content) {
        *skeleton = Err(err);
    }
}

/// A file that exists already: an entry that came twice, or, `again`, one made by the first
/// read of the archive.
pub(super) fn twice(path: &str, again: bool) -> Result<()> {
    match again {
        true => Ok(()),
        false => bail!("entry `{}` comes twice: not unpacked", escape_str(path)),
    }
}

/// A manifest's content, for the file and for what it says (members, edition).
pub(super) fn read_manifest(path: &str, content: &mut dyn Read) -> Result<Vec<u8>> {
    let mut text = Vec::new();
    content
        .take(MANIFEST_LIMIT + 1)
        .read_to_end(&mut text)
        .with_context(|| format!("cannot read {}", escape_str(path)))?;
    if text.len() as u64 > MANIFEST_LIMIT {
        bail!(
            "{} is a manifest of more than {} MiB: not unpacked",
            escape_str(path),
            MANIFEST_LIMIT >> 20
        );
    }
    Ok(text)
}

/// The path `link` ends at, following the links along it as the file system will once they
/// are made, and the links it goes through; `None` for a loop, or a target outside the tree.
pub(super) fn resolve<'a>(
    links: &'a BTreeMap<String, String>,
    link: &str,
) -> Option<(String, Vec<&'a str>)> {
    let mut path = link.to_string();
    let mut through = Vec::new();
    // Linux gives up after 40 links; so does this.
    'follow: for _ in 0..40 {
        let parts: Vec<&str> = path.split('/').collect();
        for end in 1..=parts.len() {
            if let Some((at, target)) = links.get_key_value(&parts[..end].join("/")) {
                let base = parts[..end - 1].join("/");
                let rest = parts[end..].join("/");
                through.push(at.as_str());
                path = lexical(&format!("{base}/{target}/{rest}"))?;
                continue 'follow;
            }
        }
        return Some((path, through));
    }
    None
}

/// `a/b/../c/` -> `a/c`; `None` when it leaves the tree.
fn lexical(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// What [`walk`] hands each entry to: its index, name as stored, kind and content; it answers
/// whether to go on.
pub(super) type Visit<'v> = dyn FnMut(u64, &str, Node, &mut dyn Read) -> Result<bool> + 'v;

/// Reads `tarball` entry by entry with the reader's limits, handing each entry to `visit`.
pub(super) fn walk(tarball: &Utf8Path, limits: Limits, visit: &mut Visit<'_>) -> Result<()> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(tarball)
        .with_context(|| format!("cannot open {tarball}"))?;
    // The reader the checks use: the skeleton sees the entries the checks judged, and
    // nothing an extractor would read differently.
    let mut archive = reader::open(file, limits, reader::Hashing::NOTHING);
    let mut index = 0u64;
    while let Some(entry) = archive
        .next_entry()
        .with_context(|| format!("cannot read {tarball}"))?
    {
        let node = match &entry.kind {
            Kind::Dir => Node::Dir,
            Kind::Symlink { target } => Node::Link(target),
            Kind::File { .. } => Node::File,
        };
        if !visit(index, &entry.path, node, &mut archive)? {
            break;
        }
        index += 1;
    }
    Ok(())
}
