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

//! The release tree of a commit: its files after `export-ignore` and the excludes, the
//! warnings about what was left out, and the archive written from it.

use std::fs::File;
use std::io::{BufWriter, Write};

use anyhow::{bail, Context, Result};

use crate::archive::excludes::Excludes;
use crate::archive::listing::{new_dirs, ListingReader, ListingWriter};
use crate::archive::reader::ObjectFormat;
use crate::archive::selection::{self, Removed, Rule};
use crate::archive::skeleton::{self, Node};
use crate::archive::writer::{Digests, TarGzWriter};
use crate::config::{Config, Submodules};
use crate::tools::git::{self, BlobReader};
use crate::Ctx;

/// A file of the release tree, as it goes into the archive.
#[derive(Debug, Clone)]
pub struct TreeFile {
    /// Path inside the repository.
    pub path: String,
    pub object: String,
    pub kind: TreeKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeKind {
    File,
    Executable,
    Symlink,
}

/// What [`ReleaseTree::write`] tells its caller as it goes.
pub enum Queued<'a> {
    /// An entry went into the archive: its name as stored, and a manifest's content.
    Entry(&'a str, Node<'a>, Option<&'a [u8]>),
    /// The last entry went in; only the compression of the last blocks is left.
    All,
}

/// The release tree of a commit: what `package` puts in the tarball.
pub struct ReleaseTree {
    pub commit: String,
    /// Seconds since the epoch stamped on every entry.
    pub mtime: u64,
    pub object_format: ObjectFormat,
    /// How many files it holds.
    pub file_count: u64,
    /// How many entries the archive holds: the files, their directories and the top one.
    entry_count: u64,
    /// The files, sorted by path, in a temporary file: memory stays flat whatever the tree
    /// holds. Removed with the tree.
    files: tempfile::TempPath,
    pub top_dir: String,
    /// What the rules left out, for the summary `package` prints.
    pub removed: Removed,
    /// Kept manifests that refer to a crate that was left out.
    pub warnings: Vec<String>,
    /// The project's license-checker configurations the rules left out, read from the commit:
    /// the audit honours them although the tarball does not carry them.
    pub license_configs: Vec<(String, Vec<u8>)>,
}

/// Reads the tree of `commit`, applies `export-ignore` and the configured excludes, and
/// refuses what a source release cannot carry (submodules per config, `export-subst`).
pub fn release_tree(
    ctx: &Ctx,
    config: &Config,
    commit: &str,
    top_dir: String,
) -> Result<ReleaseTree> {
    let sh = &ctx.sh;
    let repo = &ctx.repo;
    let scratch = tempfile::tempdir().context("cannot create a temporary directory")?;
    // The tree is listed to a file and every path asked for its attributes, in path order.
    // A directory marked export-ignore drops everything under it, so directories are asked
    // too, each just before its first entry.
    let listed = scratch.path().join("listed");
    let asked = scratch.path().join("asked");
    let mut listing = ListingWriter::create(&listed)?;
    let mut questions = BufWriter::new(
        File::create(&asked).with_context(|| format!("cannot write {}", asked.display()))?,
    );
    let attribute_files = scratch.path().join("attribute-files");
    let mut attribute_listing = ListingWriter::create(&attribute_files)?;
    git::ls_tree(sh, repo, commit, &mut |entry| {
        if entry.path.rsplit('/').next() == Some(".gitattributes") {
            attribute_listing.push(&entry.mode, &entry.object, &entry.path)?;
        }
        for dir in new_dirs(listing.last(), &entry.path) {
            questions.write_all(dir.as_bytes())?;
            questions.write_all(b"\0")?;
        }
        questions.write_all(entry.path.as_bytes())?;
        questions.write_all(b"\0")?;
        listing.push(&entry.mode, &entry.object, &entry.path)
    })?;
    listing.finish()?;
    attribute_listing.finish()?;
    questions
        .into_inner()
        .map_err(|err| err.into_error())
        .with_context(|| format!("cannot write {}", asked.display()))?;
    let open = |path: &std::path::Path| {
        File::open(path).with_context(|| format!("cannot read {}", path.display()))
    };
    let mut answers = git::AttributeAnswers::start(
        sh,
        repo,
        open(&attribute_files)?,
        open(&asked)?,
        &["export-ignore", "export-subst"],
    )?;
    let excludes = Excludes::new(&config.excludes, "excludes")?;
    let includes = Excludes::new(&config.includes, "includes")?;
    let mut removed = Removed::default();
    let files = tempfile::NamedTempFile::new()
        .context("cannot create a temporary file")?
        .into_temp_path();
    let mut kept = ListingWriter::create(&files)?;
    let mut previous = String::new();
    let mut ignored_dir: Option<String> = None;
    let mut dir_count = 0;
    // Reported in this order whatever comes first in the tree, as when they were checked
    // one after the other.
    let mut substituted: Option<String> = None;
    let mut refused: Option<anyhow::Error> = None;
    for entry in ListingReader::open(&listed)? {
        let entry = entry?;
        let under = |dir: &str| {
            entry
                .path
                .strip_prefix(dir)
                .is_some_and(|r| r.starts_with('/'))
        };
        if ignored_dir.as_deref().is_some_and(|dir| !under(dir)) {
            ignored_dir = None;
        }
        for dir in new_dirs(&previous, &entry.path) {
            if answers.next(dir)?[0] && ignored_dir.is_none() {
                ignored_dir = Some(dir.to_string());
            }
        }
        let attributes = answers.next(&entry.path)?;
        previous.clone_from(&entry.path);
        let rule = if attributes[0] || ignored_dir.is_some() {
            Some(Rule::ExportIgnore)
        } else if excludes.matches(&entry.path) {
            Some(Rule::Excludes)
        } else if !config.includes.is_empty() && !includes.matches(&entry.path) {
            Some(Rule::Includes)
        } else {
            None
        };
        if let Some(rule) = rule {
            removed.add(rule, &entry.path);
            continue;
        }
        if attributes[1] && substituted.is_none() {
            substituted = Some(entry.path.clone());
        }
        let kind = match entry.mode.as_str() {
            "100644" | "100664" => TreeKind::File,
            "100755" => TreeKind::Executable,
            "120000" => TreeKind::Symlink,
            "160000" => match config.submodules {
                Submodules::Skip => {
                    removed.add(Rule::Submodule, &entry.path);
                    continue;
                }
                Submodules::Refuse => {
                    refused.get_or_insert(anyhow::anyhow!(
                        "{} is a git submodule: a source release must contain its sources; \
                         vendor them, or set `submodules = \"skip\"` under \
                         [workspace.metadata.asf-release] to leave it out",
                        entry.path
                    ));
                    continue;
                }
            },
            other => {
                refused.get_or_insert(anyhow::anyhow!(
                    "{} has an unexpected git mode {other}",
                    entry.path
                ));
                continue;
            }
        };
        dir_count += new_dirs(kept.last(), &entry.path).count() as u64;
        kept.push(kind.mode(), &entry.object, &entry.path)?;
    }
    if let Some(path) = substituted {
        bail!(
            "{path} has the `export-subst` attribute: its content would depend on the git \
             version; remove the attribute in .gitattributes, or mark the file export-ignore"
        );
    }
    if let Some(refused) = refused {
        return Err(refused);
    }
    let file_count = kept.finish()?;
    let mtime = match crate::clock::source_date_epoch()? {
        Some(epoch) => u64::try_from(epoch).with_context(|| {
            format!("SOURCE_DATE_EPOCH={epoch} is before 1970: fix or unset it")
        })?,
        None => git::commit_time(sh, repo, commit)?,
    };
    let mut tree = ReleaseTree {
        commit: commit.to_string(),
        mtime,
        // The commit's id says it without asking git again.
        object_format: match ObjectFormat::of_id(commit) {
            Some(format) => format,
            None => ObjectFormat::from_git(&git::object_format(sh, repo)?),
        },
        file_count,
        entry_count: 1 + dir_count + file_count,
        files,
        top_dir,
        removed,
        warnings: Vec::new(),
        license_configs: Vec::new(),
    };
    tree.warnings = manifest_warnings(ctx, &tree)?;
    tree.license_configs = left_out_license_configs(ctx, &tree)?;
    Ok(tree)
}

/// The largest license-checker configuration read from the commit.
const MAX_LICENSE_CONFIG: usize = 1024 * 1024;
/// The most left-out configuration files read from the commit.
const MAX_LEFT_OUT_CONFIGS: usize = 200;
const MAX_LEFT_OUT_APART: usize = 100;

fn left_out_license_configs(ctx: &Ctx, tree: &ReleaseTree) -> Result<Vec<(String, Vec<u8>)>> {
    let mut configs = Vec::new();
    use crate::archive::license::sources::{is_config_file, kept_apart};
    // Each is one git call: of the files a tree may hold hundreds of (module poms, scripts),
    // the first ones are read.
    let (apart, named): (Vec<&str>, Vec<&str>) = tree
        .removed
        .paths()
        .filter(|path| is_config_file(path))
        .partition(|path| kept_apart(path));
    let candidates = named
        .into_iter()
        .take(MAX_LEFT_OUT_CONFIGS)
        .chain(apart.into_iter().take(MAX_LEFT_OUT_APART));
    for path in candidates {
        if let Some(text) = git::text_file_at(&ctx.sh, &ctx.repo, &tree.commit, path)? {
            if text.len() <= MAX_LICENSE_CONFIG {
                configs.push((path.to_string(), text.into_bytes()));
            }
        }
    }
    Ok(configs)
}

/// Kept `Cargo.toml` files that name a crate the rules left out (read only when a manifest
/// was left out, so most projects pay nothing; then all through one `git cat-file --batch`).
fn manifest_warnings(ctx: &Ctx, tree: &ReleaseTree) -> Result<Vec<String>> {
    if !tree.removed.paths().any(selection::is_manifest) {
        return Ok(Vec::new());
    }
    let mut manifests = Vec::new();
    for file in tree.files()? {
        let file = file?;
        if file.kind == TreeKind::File && selection::is_manifest(&file.path) {
            manifests.push((file.path, file.object));
        }
    }
    let objects: Vec<Result<String>> = manifests.iter().map(|(_, o)| Ok(o.clone())).collect();
    let mut blobs = BlobReader::start(&ctx.sh, &ctx.repo, objects.into_iter())?;
    let mut next = manifests.iter();
    let mut failure = None;
    // Asked in the order of `kept`, which is the order the blobs come in.
    let mut read = |path: &str| {
        let (listed, object) = next.next()?;
        let text = match listed == path {
            true => blobs.with_blob(object, |_, content| {
                let mut text = String::new();
                content
                    .read_to_string(&mut text)
                    .with_context(|| format!("{path} at {} is not UTF-8 text", tree.commit))?;
                Ok(text)
            }),
            false => Err(anyhow::anyhow!("{path} was asked for out of order")),
        };
        text.map_err(|err| failure.get_or_insert(err)).ok()
    };
    let kept = manifests.iter().map(|(path, _)| path.as_str());
    let warnings = selection::broken_references(kept, &tree.removed, &mut read);
    match failure {
        Some(err) => Err(err.context("cannot read the manifests of the release tree")),
        None => Ok(warnings),
    }
}

impl TreeKind {
    /// The git mode it is listed with.
    fn mode(self) -> &'static str {
        match self {
            TreeKind::File => "100644",
            TreeKind::Executable => "100755",
            TreeKind::Symlink => "120000",
        }
    }
}

impl ReleaseTree {
    /// Whether the tree holds a file at `path` (a walk of the listing on disk).
    pub fn contains(&self, path: &str) -> Result<bool> {
        for file in self.files()? {
            if file?.path == path {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// The files, in path order, read from disk.
    pub fn files(&self) -> Result<impl Iterator<Item = Result<TreeFile>>> {
        Ok(ListingReader::open(&self.files)?.map(|entry| {
            let entry = entry?;
            let kind = match entry.mode.as_str() {
                "100755" => TreeKind::Executable,
                "120000" => TreeKind::Symlink,
                _ => TreeKind::File,
            };
            Ok(TreeFile {
                path: entry.path,
                object: entry.object,
                kind,
            })
        }))
    }

    /// Writes the archive to `out`, streaming each blob from git. Every directory comes just
    /// before its first entry, parents first: the entries are sorted by path. `queued` sees
    /// each entry as it goes into the archive (a manifest with its content, for the load
    /// check's skeleton), then [`Queued::All`] while the last blocks are still compressed.
    pub fn write<W: Write>(
        &self,
        ctx: &Ctx,
        out: W,
        queued: &mut dyn FnMut(Queued),
    ) -> Result<(W, Digests)> {
        let objects = self.files()?.map(|file| file.map(|f| f.object));
        let mut blobs = BlobReader::start(&ctx.sh, &ctx.repo, objects)?;
        let mut writer = TarGzWriter::new(out, self.mtime)?;
        let progress = crate::progress::bar(self.entry_count, "packaging");
        progress.inc(1);
        writer.add_dir(&self.top_dir)?;
        queued(Queued::Entry(&self.top_dir, Node::Dir, None));
        let mut previous = String::new();
        for file in self.files()? {
            let file = file?;
            for dir in new_dirs(&previous, &file.path) {
                progress.inc(1);
                let dir = format!("{}/{dir}", self.top_dir);
                writer.add_dir(&dir)?;
                queued(Queued::Entry(&dir, Node::Dir, None));
            }
            progress.inc(1);
            let path = format!("{}/{}", self.top_dir, file.path);
            match file.kind {
                TreeKind::Symlink => {
                    let target = blobs.with_blob(&file.object, |_, content| {
                        let mut target = String::new();
                        content.read_to_string(&mut target).with_context(|| {
                            format!("link {} has a non-UTF-8 target", file.path)
                        })?;
                        Ok(target)
                    })?;
                    writer.add_symlink(&path, &target)?;
                    queued(Queued::Entry(&path, Node::Link(&target), None));
                }
                kind => blobs.with_blob(&file.object, |size, content| {
                    let executable = kind == TreeKind::Executable;
                    // A manifest is small and read whole by cargo: kept for the skeleton too.
                    if skeleton::wants_content(&path) && size <= skeleton::MANIFEST_LIMIT {
                        let mut whole = Vec::with_capacity(size as usize);
                        content
                            .read_to_end(&mut whole)
                            .with_context(|| format!("cannot read {} from git", file.path))?;
                        writer.add_file(&path, executable, size, &mut whole.as_slice())?;
                        queued(Queued::Entry(&path, Node::File, Some(&whole)));
                        return Ok(());
                    }
                    writer.add_file(&path, executable, size, content)?;
                    queued(Queued::Entry(&path, Node::File, None));
                    Ok(())
                })?,
            }
            previous = file.path;
        }
        progress.finish_and_clear();
        queued(Queued::All);
        writer.finish()
    }
}
