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

//! The part of a source tree that `cargo metadata --no-deps` looks at, unpacked on its own for
//! the load check: unpacking every file cost more than the rest of `verify` (thousands of files
//! created and deleted). What cargo looks at, from its sources (`util/toml/targets.rs`,
//! `core/workspace.rs`) and `strace`:
//!
//! - every `Cargo.toml` (root, members, path dependencies, `package.workspace`): made with its
//!   content (refused above 16 MiB: cargo reads a manifest whole);
//! - what the root workspace's `members` and `default-members` paths and globs can match:
//!   directories (a matched directory without a manifest fails) and files (a glob matching
//!   files only is ignored, one matching nothing fails), made empty;
//! - the files target discovery lists or tests for existence, made empty since cargo does not
//!   read them at this stage: `src/lib.rs`, `main.rs` (`src/`, and `*/main.rs` targets), every
//!   `*.rs` in `src/bin`, `examples`, `tests`, `benches` (and the misspellings its error
//!   messages look for), `build.rs` and `README`, `README.md`, `README.txt` next to a manifest,
//!   and `src/<name>.rs` of edition-2015 packages (their legacy target paths);
//! - symbolic links, all of them, as [`super::unpack`] makes them, with the file a link to a
//!   manifest or a probed file points to.
//!
//! Nothing else is written, and cargo answers exactly as on the whole tree: tests compare both.
//! What a package's files need is known from its manifest, which comes first in path order (as
//! `package` and `git archive` write); an archive out of that order, a long start before the
//! root manifest, or a link on the way of a member glob, is read a second time to make what a
//! first read could not decide. The archive is untrusted, with the rules of
//! [`super::unpack`]: names normalised (absolute, `..`, control characters refused), files
//! created new (never through a link: links come last), sizes and entry counts capped. Nothing
//! is written before the root manifest is seen: a tree without one (not a Rust project) is
//! never unpacked at all.

mod ending;
mod entries;
mod reach;

use std::collections::{BTreeMap, HashMap};
use std::fs::OpenOptions;
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use super::paths::{name_problem, normalise};
use super::reader::Limits;
use super::unpack::link_stays_inside;
use crate::scratch::Scratch;
use crate::untrusted::escape_str;
pub use ending::Ending;
pub use entries::{feed, feed_one};
use entries::{read_manifest, twice};
use reach::{is_modern, Reach};

/// What an entry is, as far as the skeleton cares.
#[derive(Clone, Copy)]
pub enum Node<'a> {
    Dir,
    File,
    Link(&'a str),
}

/// What cargo does with a file, by its name and the name of its directory.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    /// Read: made with its content.
    Manifest,
    /// Tested for existence or listed by target discovery: made empty.
    Probed,
    /// `README*` and `build.rs`: tested for existence next to a manifest.
    PackageFile,
    /// `src/<name>.rs`: tried for targets of edition-2015 packages only.
    Legacy,
    Unread,
}

/// Directories whose `*.rs` files target discovery lists (the last four are the misspellings
/// its error messages look for).
const TARGET_DIRS: [&str; 8] = [
    "bin", "examples", "tests", "benches", "bins", "example", "test", "bench",
];

fn role(path: &str) -> Role {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or_default();
    let dir = parts.next().unwrap_or_default();
    match name {
        "Cargo.toml" => Role::Manifest,
        "main.rs" => Role::Probed,
        "lib.rs" if dir == "src" => Role::Probed,
        "build.rs" | "README" | "README.md" | "README.txt" => Role::PackageFile,
        _ if name.ends_with(".rs") && dir == "src" => Role::Legacy,
        _ if name.ends_with(".rs") && TARGET_DIRS.contains(&dir) => Role::Probed,
        _ => Role::Unread,
    }
}

/// Whether the skeleton needs the content of the file at `path` (a reader that keeps whole
/// files only when asked is asked for these).
pub fn wants_content(path: &str) -> bool {
    role(path) == Role::Manifest
}

/// The directory `levels` up from `path`.
fn up(path: &str, levels: usize) -> &str {
    (0..levels).fold(path, |p, _| p.rsplit_once('/').map_or("", |(dir, _)| dir))
}

/// Something to make before the root manifest was seen, or held back.
enum Pending {
    Dir(String),
    File(String),
    Manifest(String, Vec<u8>),
}

impl Pending {
    /// About what it takes in memory.
    fn weight(&self) -> usize {
        32 + match self {
            Pending::Dir(path) | Pending::File(path) => path.len(),
            Pending::Manifest(path, text) => path.len() + text.len(),
        }
    }
}

/// How much is held back until the root manifest comes (in path order it comes early: after
/// the dot files and the capitalised names only). Past it, the start of the archive is read
/// again.
const PENDING_BUDGET: usize = 8 * 1024 * 1024;
/// The largest manifest unpacked: cargo reads manifests whole, and a candidate is untrusted.
pub const MANIFEST_LIMIT: u64 = 16 * 1024 * 1024;
/// The most a skeleton writes in all (its manifests): it may live in memory
/// ([`Scratch::in_memory`]), and a candidate of many large manifests must not fill it.
const MADE_LIMIT: u64 = 256 * 1024 * 1024;
/// How many packages the skeleton remembers (their directory and edition); past it, it makes
/// what it would make without knowing.
const KNOWN_PACKAGES: usize = 100_000;

/// Where a skeleton is made.
enum Place {
    Dir(Utf8PathBuf),
    /// A scratch directory for `purpose`, made on first use.
    Scratch(&'static str, std::cell::OnceCell<Scratch>),
}

/// A tree unpacked for cargo: its top directory, and the scratch directory holding it, if it
/// has one of its own (removed with it).
pub struct Unpacked {
    pub root: Utf8PathBuf,
    _scratch: Option<Scratch>,
}

impl Unpacked {
    /// A tree unpacked at `root` by someone else.
    pub fn at(root: Utf8PathBuf) -> Unpacked {
        Unpacked {
            root,
            _scratch: None,
        }
    }
}

/// Builds the skeleton from the entries of an archive, in archive order.
pub struct Skeleton {
    into: Place,
    /// The one top directory, from the first entry.
    top: Option<String>,
    /// Entries seen so far.
    seen: u64,
    /// The index of the root manifest, once seen: entries are made as they come from there.
    root_at: Option<u64>,
    /// What the member globs can see, once the root manifest was read.
    reach: Reach,
    /// The edition `edition.workspace = true` inherits.
    workspace_edition: Option<String>,
    /// The directory of each package seen, and whether it is of edition 2018 or later.
    packages: HashMap<String, bool>,
    /// Whether the entries came in path order so far (a package's manifest then comes before
    /// its other files, which what is made of them relies on).
    in_order: bool,
    last: String,
    pending: Vec<Pending>,
    pending_bytes: usize,
    /// How many bytes may be pending ([`PENDING_BUDGET`]; less in tests).
    budget: usize,
    /// The pending list outgrew its budget: what came before the root manifest is made in a
    /// second read.
    overflowed: bool,
    /// Normalised path and target of each link, made last.
    links: Vec<(String, String)>,
    /// Manifests whose content the feeder did not have: read in a second pass.
    unread: BTreeMap<String, Role>,
    /// Whether nothing is made before [`Skeleton::finish`].
    hold: bool,
    /// What is to be made, held back until then.
    held: Vec<Pending>,
    held_bytes: usize,
    /// `held` outgrew the budget: the archive is read again at the end.
    held_over: bool,
    /// The empty file every empty file of the skeleton is a hard link to, once made.
    empty: std::cell::OnceCell<Utf8PathBuf>,
    /// Bytes written so far, and the most it may write ([`MADE_LIMIT`]; less in tests).
    made_bytes: std::cell::Cell<u64>,
    made_limit: u64,
}

impl Skeleton {
    /// A skeleton to be made under `into` (created when the root manifest is seen).
    pub fn new(into: Utf8PathBuf) -> Skeleton {
        Skeleton::at(Place::Dir(into))
    }

    /// A skeleton made in a scratch directory of its own (`xtask-<purpose>-...`), created
    /// only when there is something to make.
    pub fn in_scratch(purpose: &'static str) -> Skeleton {
        Skeleton::at(Place::Scratch(purpose, std::cell::OnceCell::new()))
    }

    fn at(into: Place) -> Skeleton {
        Skeleton {
            into,
            top: None,
            seen: 0,
            root_at: None,
            reach: Reach::Everything,
            workspace_edition: None,
            packages: HashMap::new(),
            in_order: true,
            last: String::new(),
            pending: Vec::new(),
            pending_bytes: 0,
            budget: PENDING_BUDGET,
            overflowed: false,
            links: Vec::new(),
            unread: BTreeMap::new(),
            hold: false,
            held: Vec::new(),
            held_bytes: 0,
            held_over: false,
            empty: std::cell::OnceCell::new(),
            made_bytes: std::cell::Cell::new(0),
            made_limit: MADE_LIMIT,
        }
    }

    /// A skeleton that makes nothing before [`Skeleton::finish`]: for `verify`, which unpacks
    /// nothing of a candidate before every check of it passed, and decides while it reads.
    pub fn held(self) -> Skeleton {
        Skeleton { hold: true, ..self }
    }

    /// The next entry of the archive, with its name as stored. `content` is the file's
    /// content when the feeder has it; a manifest without it is read again from the archive
    /// at the end.
    pub fn add(&mut self, raw: &str, node: Node, content: Option<&mut dyn Read>) -> Result<()> {
        let index = self.seen;
        self.seen += 1;
        let refuse = |why: &str| anyhow::anyhow!("entry `{}` {why}: not unpacked", escape_str(raw));
        if let Some(problem) = name_problem(raw) {
            return Err(refuse(problem));
        }
        let path = normalise(raw).ok_or_else(|| refuse("leaves the directory it unpacks in"))?;
        if path.is_empty() {
            return Ok(());
        }
        let top = path.split('/').next().unwrap_or_default();
        match &self.top {
            None => self.top = Some(top.to_string()),
            Some(known) if known != top => {
                bail!("the archive does not unpack to one top directory: not unpacked")
            }
            Some(_) => {}
        }
        let key = match node {
            Node::Dir => format!("{path}/"),
            _ => path.clone(),
        };
        self.in_order &= key > self.last;
        self.last = key;
        let is_root_manifest = path.strip_prefix(top) == Some("/Cargo.toml");
        let mut content = match (node, content, role(&path)) {
            (Node::File, Some(content), Role::Manifest) => Some(read_manifest(&path, content)?),
            _ => None,
        };
        if is_root_manifest && self.root_at.is_none() && matches!(node, Node::File | Node::Link(_))
        {
            self.root_at = Some(index);
            let text = content.as_deref();
            (self.reach, self.workspace_edition) = Reach::of_root(text);
            for item in std::mem::take(&mut self.pending) {
                self.place(item, false, false)?;
            }
        }
        match node {
            Node::Link(target) => {
                if !link_stays_inside(&path, target) {
                    return Err(refuse("is a link that points outside the tree"));
                }
                self.links.push((path, target.to_string()));
                Ok(())
            }
            Node::Dir => self.place_or_hold(Pending::Dir(path)),
            Node::File => match content.take() {
                None if role(&path) == Role::Manifest => {
                    self.unread.insert(path, Role::Manifest);
                    Ok(())
                }
                None => self.place_or_hold(Pending::File(path)),
                Some(text) => self.place_or_hold(Pending::Manifest(path, text)),
            },
        }
    }

    fn place_or_hold(&mut self, item: Pending) -> Result<()> {
        if self.root_at.is_some() {
            return self.place(item, false, false);
        }
        if self.overflowed {
            return Ok(());
        }
        self.pending_bytes += item.weight();
        self.pending.push(item);
        if self.pending_bytes > self.budget {
            self.overflow();
        }
        Ok(())
    }

    fn overflow(&mut self) {
        self.overflowed = true;
        self.pending = Vec::new();
        self.pending_bytes = 0;
    }

    /// Remembers the package a manifest makes of its directory.
    fn learn(&mut self, manifest: &str, text: &[u8]) {
        if self.packages.len() < KNOWN_PACKAGES {
            let modern = is_modern(text, self.workspace_edition.as_deref());
            self.packages.insert(up(manifest, 1).to_string(), modern);
        }
    }

    /// Whether cargo can look at the entry at `path`; `unsure` makes what a package's files
    /// would need whatever the manifests said (entries out of path order).
    fn looked_at(&self, path: &str, dir: bool, unsure: bool) -> bool {
        let inner = path.split_once('/').map_or("", |(_, inner)| inner);
        let unsure = unsure || self.packages.len() >= KNOWN_PACKAGES;
        let package = |levels| self.packages.get(up(path, levels));
        match role(path) {
            _ if self.reach.sees(inner) => true,
            Role::Unread => false,
            _ if dir => true,
            Role::Manifest | Role::Probed => true,
            Role::PackageFile => unsure || package(1).is_some(),
            Role::Legacy => unsure || package(2) != Some(&true),
        }
    }

    /// Makes `item` if cargo can look at it (or holds it, see [`Skeleton::holding`]); `again`
    /// when reading the archive a second time (what exists was made by the first).
    fn place(&mut self, item: Pending, unsure: bool, again: bool) -> Result<()> {
        let wanted = match &item {
            Pending::Dir(path) => self.looked_at(path, true, unsure),
            Pending::File(path) => self.looked_at(path, false, unsure),
            Pending::Manifest(path, text) => {
                self.learn(path, text);
                true
            }
        };
        match wanted {
            false => Ok(()),
            true if self.hold && !again => {
                self.hold_back(item);
                Ok(())
            }
            true => self.make(item, again),
        }
    }

    /// Keeps `item` to be made at the end; past the budget, the archive is read again then.
    fn hold_back(&mut self, item: Pending) {
        if self.held_over {
            return;
        }
        self.held_bytes += item.weight();
        self.held.push(item);
        if self.held_bytes > self.budget {
            self.held_over = true;
            self.held = Vec::new();
        }
    }

    fn make(&self, item: Pending, again: bool) -> Result<()> {
        match item {
            Pending::Dir(path) => self.make_dir(&path),
            Pending::File(path) => self.make_empty(&path, again),
            Pending::Manifest(path, text) => self.make_file(&path, &mut &text[..], again),
        }
    }

    /// Makes an empty file: a hard link to one empty file of the skeleton's own (outside the
    /// top directory), since on some file systems a new inode costs milliseconds; a file of
    /// its own where a link cannot be made.
    fn make_empty(&self, path: &str, again: bool) -> Result<()> {
        let source = match self.empty.get() {
            Some(source) => source,
            None => {
                let top = self.top.as_deref().unwrap_or_default();
                let source = self.dir()?.join(format!("{top}.empty"));
                std::fs::create_dir_all(self.dir()?)
                    .and_then(|()| std::fs::File::create(&source))
                    .with_context(|| format!("cannot create {source}"))?;
                self.empty.get_or_init(|| source)
            }
        };
        let target = self.dir()?.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {parent}"))?;
        }
        match std::fs::hard_link(source, &target) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => twice(path, again),
            Err(_) => self.make_file(path, &mut io::empty(), again),
        }
    }

    /// The directory the skeleton is made in, made itself on first use.
    fn dir(&self) -> Result<&Utf8Path> {
        match &self.into {
            Place::Dir(dir) => Ok(dir),
            Place::Scratch(purpose, scratch) => match scratch.get() {
                Some(made) => Ok(made.path()),
                None => {
                    // Many small files: in memory where the system has room for them.
                    let made = Scratch::in_memory(purpose)?;
                    Ok(scratch.get_or_init(|| made).path())
                }
            },
        }
    }

    fn make_dir(&self, path: &str) -> Result<()> {
        let target = self.dir()?.join(path);
        std::fs::create_dir_all(&target).with_context(|| format!("cannot create {target}"))
    }

    /// Makes a file; one that exists already is an entry that came twice, or, when `again`,
    /// one made before.
    fn make_file(&self, path: &str, content: &mut dyn Read, again: bool) -> Result<()> {
        let target = self.dir()?.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {parent}"))?;
        }
        let out = OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW)
            .mode(0o644)
            .open(&target);
        let mut out = match out {
            Ok(out) => out,
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => return twice(path, again),
            Err(err) => {
                return Err(anyhow::Error::new(err).context(format!("cannot create {target}")))
            }
        };
        let room = self.made_limit - self.made_bytes.get();
        let written = io::copy(&mut content.take(room + 1), &mut out)
            .with_context(|| format!("cannot unpack {target}"))?;
        if written > room {
            bail!(
                "the candidate's manifests add up to more than {} MiB: not unpacked for cargo",
                self.made_limit >> 20
            );
        }
        self.made_bytes.set(self.made_bytes.get() + written);
        out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
