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

//! `package`: the source tarball of a version, built from the git tree of its tag, checked,
//! hashed and signed. Artifacts appear under their final names only when every check passed.

use std::fs::File;
use std::io::{BufWriter, Read, Write};

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use crate::archive::checks::{self, Checker, Rules};
use crate::archive::checksum::{checksum_line, sha512_file};
use crate::archive::excludes::Excludes;
use crate::archive::listing::{new_dirs, ListingReader, ListingWriter};
use crate::archive::reader::{self, BlobHasher, Kind, Limits, ObjectFormat};
use crate::archive::selection::{self, Removed, Rule};
use crate::archive::writer::{Digests, TarGzWriter, COMPRESSOR};
use crate::cli::PackageArgs;
use crate::config::{strip_archive_extension, Config, Submodules};
use crate::plan::{self, Plan};
use crate::tools::git::{self, BlobReader};
use crate::tools::gpg::{self, SecretKey};
use crate::tools::Tool;
use crate::version::Version;
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
        object_format: ObjectFormat::from_git(&git::object_format(sh, repo)?),
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

fn left_out_license_configs(ctx: &Ctx, tree: &ReleaseTree) -> Result<Vec<(String, Vec<u8>)>> {
    let mut configs = Vec::new();
    for path in tree.removed.paths() {
        if !crate::archive::license::sources::is_config_file(path) {
            continue;
        }
        if let Some(text) = git::text_file_at(&ctx.sh, &ctx.repo, &tree.commit, path)? {
            if text.len() <= MAX_LICENSE_CONFIG {
                configs.push((path.to_string(), text.into_bytes()));
            }
        }
    }
    Ok(configs)
}

/// Kept `Cargo.toml` files that name a crate the rules left out (read only when a manifest
/// was left out, so most projects pay nothing).
fn manifest_warnings(ctx: &Ctx, tree: &ReleaseTree) -> Result<Vec<String>> {
    if !tree.removed.paths().any(selection::is_manifest) {
        return Ok(Vec::new());
    }
    let mut manifests = Vec::new();
    for file in tree.files()? {
        let file = file?;
        if file.kind == TreeKind::File && selection::is_manifest(&file.path) {
            manifests.push(file.path);
        }
    }
    let mut failure = None;
    let mut read = |path: &str| match git::text_file_at(&ctx.sh, &ctx.repo, &tree.commit, path) {
        Ok(text) => text,
        Err(err) => {
            failure.get_or_insert(err);
            None
        }
    };
    let kept = manifests.iter().map(String::as_str);
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
    /// before its first entry, parents first: the entries are sorted by path.
    pub fn write(&self, ctx: &Ctx, out: impl Write) -> Result<(impl Write, Digests)> {
        let objects = self.files()?.map(|file| file.map(|f| f.object));
        let mut blobs = BlobReader::start(&ctx.sh, &ctx.repo, objects)?;
        let mut writer = TarGzWriter::new(out, self.mtime)?;
        let progress = crate::progress::bar(self.entry_count, "packaging");
        progress.inc(1);
        writer.add_dir(&self.top_dir)?;
        let mut previous = String::new();
        for file in self.files()? {
            let file = file?;
            for dir in new_dirs(&previous, &file.path) {
                progress.inc(1);
                writer.add_dir(&format!("{}/{dir}", self.top_dir))?;
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
                }
                kind => blobs.with_blob(&file.object, |size, content| {
                    writer.add_file(&path, kind == TreeKind::Executable, size, content)
                })?,
            }
            previous = file.path;
        }
        progress.finish_and_clear();
        writer.finish()
    }
}

/// Where the files of one package go.
#[derive(Debug, Clone)]
pub struct Artifacts {
    pub tarball: Utf8PathBuf,
    pub checksum: Utf8PathBuf,
    pub signature: Utf8PathBuf,
    pub build_info: Utf8PathBuf,
}

impl Artifacts {
    pub fn new(dir: &Utf8Path, file_name: &str) -> Artifacts {
        Artifacts {
            tarball: dir.join(file_name),
            checksum: dir.join(format!("{file_name}.sha512")),
            signature: dir.join(format!("{file_name}.asc")),
            build_info: dir.join(format!("{file_name}.build.json")),
        }
    }

    pub fn file_name(&self) -> &str {
        self.tarball.file_name().unwrap_or_default()
    }
}

/// The rules the archive must pass, derived from the configuration.
pub fn rules(config: &Config, version: &Version) -> Result<Rules> {
    let top_dir = config.top_dir_name(version)?;
    let alternative = top_dir.strip_suffix("-src").map(String::from);
    Ok(Rules {
        top_dir,
        top_dir_alternative: alternative,
        incubating: config.incubating,
        binary_allow: Excludes::new(&config.binary_allow, "binary-allow")?,
        license_header_excludes: Excludes::new(
            &config.license_header_excludes,
            "license-header-excludes",
        )?,
    })
}

/// Reads a written archive back as a stranger would and checks it against the rules and
/// against the tree it was made from: same files, same contents, same modes, same links.
pub fn check_archive(
    input: impl Read,
    file_name: &str,
    tree: &ReleaseTree,
    rules: Rules,
) -> Result<reader::ReadDigests> {
    let mut expected = TreeCursor::new(tree)?;
    // The staged file carries the final name, so the name rules apply to it too.
    let name_findings = checks::file_name_findings(&rules, file_name);
    let mut checker = Checker::new(rules);
    for (path, text) in &tree.license_configs {
        checker.add_license_config(path, text);
    }
    let mut mismatches = Vec::new();
    let digests = reader::read_archive(
        input,
        tree.object_format,
        Limits::default(),
        &checks::wants_whole,
        &mut |entry| {
            checker.visit(&entry);
            let id = match &entry.kind {
                Kind::File { executable } => Some((entry.blob_id.clone(), *executable, false)),
                Kind::Symlink { target } => {
                    let mut hasher = BlobHasher::new(tree.object_format, target.len() as u64);
                    hasher.update(target.as_bytes());
                    Some((Some(hasher.finish()), false, true))
                }
                _ => None,
            };
            if let Some((blob_id, executable, symlink)) = id {
                match expected.find(&entry.path, &mut mismatches)? {
                    None => mismatches.push(format!(
                        "{}: in the archive but not in the git tree",
                        entry.path
                    )),
                    Some(file) => {
                        let same_kind = match file.kind {
                            TreeKind::File => !executable && !symlink,
                            TreeKind::Executable => executable && !symlink,
                            TreeKind::Symlink => symlink,
                        };
                        if blob_id.as_deref() != Some(file.object.as_str()) || !same_kind {
                            mismatches.push(format!("{}: differs from the git tree", entry.path));
                        }
                    }
                }
            }
            Ok(())
        },
    )?;
    expected.finish(&mut mismatches)?;
    let (mut findings, warnings) = checker.finish_with_warnings();
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    findings.extend(name_findings);
    if !findings.is_empty() || !mismatches.is_empty() {
        let lines: Vec<String> = findings
            .iter()
            .map(ToString::to_string)
            .chain(mismatches)
            .collect();
        bail!(
            "the source package breaks {} release rule(s); nothing was written:\n  {}",
            lines.len(),
            lines.join("\n  ")
        );
    }
    Ok(digests)
}

/// The files of the tree, met in path order alongside the archive's entries: the archive is
/// written in that order, so one pass over both compares them, holding one file at a time.
struct TreeCursor {
    files: Box<dyn Iterator<Item = Result<TreeFile>> + Send>,
    top_dir: String,
    /// The next file not yet met, with its path in the archive.
    next: Option<(String, TreeFile)>,
}

impl TreeCursor {
    fn new(tree: &ReleaseTree) -> Result<TreeCursor> {
        let mut cursor = TreeCursor {
            files: Box::new(tree.files()?),
            top_dir: tree.top_dir.clone(),
            next: None,
        };
        cursor.advance()?;
        Ok(cursor)
    }

    fn advance(&mut self) -> Result<()> {
        self.next = match self.files.next().transpose()? {
            Some(file) => Some((format!("{}/{}", self.top_dir, file.path), file)),
            None => None,
        };
        Ok(())
    }

    /// The file at `path` in the archive, if the tree has one; the files sorted before it
    /// were skipped by the archive, and are reported.
    fn find(&mut self, path: &str, mismatches: &mut Vec<String>) -> Result<Option<TreeFile>> {
        while let Some((next, _)) = &self.next {
            if next.as_str() >= path {
                break;
            }
            mismatches.push(format!("{next}: in the git tree but not in the archive"));
            self.advance()?;
        }
        match self.next.take() {
            Some((next, file)) if next == path => {
                self.advance()?;
                Ok(Some(file))
            }
            other => {
                self.next = other;
                Ok(None)
            }
        }
    }

    /// Reports the files the archive did not reach.
    fn finish(mut self, mismatches: &mut Vec<String>) -> Result<()> {
        while let Some((next, _)) = &self.next {
            mismatches.push(format!("{next}: in the git tree but not in the archive"));
            self.advance()?;
        }
        Ok(())
    }
}

/// The commit to package and how it was chosen.
struct Source {
    reference: String,
    commit: String,
}

fn choose_source(ctx: &Ctx, config: &Config, args: &PackageArgs) -> Result<Source> {
    let sh = &ctx.sh;
    git::check_repository(sh, &ctx.repo)?;
    if let Some(reference) = &args.git_ref {
        let commit = git::resolve_commit(sh, &ctx.repo, reference)?.with_context(|| {
            format!("unknown ref `{reference}`: no commit, branch or tag has that name in {}; check the spelling or `git fetch --tags`", ctx.repo)
        })?;
        return Ok(Source {
            reference: reference.clone(),
            commit,
        });
    }
    let tag = config.tag_name(&args.version, args.rc)?;
    if let Some(commit) = git::tag_commit(sh, &ctx.repo, &tag)? {
        return Ok(Source {
            reference: tag,
            commit,
        });
    }
    if let Some(rc) = args.rc {
        // A candidate is what its tag holds: building something else under its number would
        // sign other sources than the ones voted on.
        bail!(
            "there is no tag `{tag}` for release candidate {rc} of {}: tag it first (`cargo \
             xtask tag {} --rc {rc}`), or build another commit explicitly with --ref (like \
             --ref HEAD)",
            args.version,
            args.version
        );
    }
    let changes = git::uncommitted_changes(sh, &ctx.repo)?;
    if !changes.is_empty() {
        bail!(
            "there is no tag `{tag}`, so the package would be built from HEAD, but the working \
             tree has uncommitted changes that would not be in it ({}): commit or stash them, \
             create the tag, or name the source with --ref",
            changes.join("; ")
        );
    }
    eprintln!("warning: there is no tag `{tag}`; building from HEAD (pass --ref to choose)");
    let commit = git::resolve_commit(sh, &ctx.repo, "HEAD")?
        .context("the repository has no commit yet: commit the sources first")?;
    Ok(Source {
        reference: "HEAD".into(),
        commit,
    })
}

pub fn run(ctx: &Ctx, args: &PackageArgs) -> Result<Artifacts> {
    Tool::Git.require()?;
    let sign = !args.no_sign;
    if sign {
        Tool::Gpg.require()?;
    }
    let config = ctx.config()?;
    if let Some(rc) = args.rc {
        config.check_rc(rc)?;
    }
    let version = &args.version;
    let source = choose_source(ctx, &config, args)?;
    let top_dir = config.top_dir_name(version)?;
    let tree = release_tree(ctx, &config, &source.commit, top_dir)?;
    tree.removed.report(&tree.warnings);
    for (path, _) in &tree.license_configs {
        eprintln!(
            "warning: {path} is left out of the tarball: the license audit here honours it, but \
             a voter's `verify` cannot; add it to includes (or remove the rule that drops it)"
        );
    }
    crate::steps::version_files::check_release_tree(ctx, &config, &tree, version, sign)?;
    let rules = rules(&config, version)?;
    let dir = match &args.out {
        Some(dir) => dir.clone(),
        None => config.artifact_dir(version, args.rc),
    };
    crate::config_checks::check_out_dir(&ctx.repo, &dir)?;
    let artifacts = Artifacts::new(&dir, &config.artifact_name(version)?);
    let key = if sign {
        let selector = args.key.as_deref().or(config.signing_key.as_deref());
        Some(gpg::signing_key(&ctx.sh, selector)?)
    } else {
        None
    };

    let existing = artifacts.tarball.exists();
    let mut plan = Plan::new(format!(
        "package {} from {} ({})",
        artifacts.file_name(),
        source.reference,
        &source.commit[..12.min(source.commit.len())]
    ));
    plan.local(format!(
        "build {} from {} files of the git tree, mtime {}{}",
        artifacts.tarball,
        tree.file_count,
        tree.mtime,
        if existing {
            " (compared with the existing file, which is kept when equal)"
        } else {
            ""
        }
    ));
    plan.local("read it back and check it against the release rules and the git tree");
    plan.local(format!("write {}", artifacts.checksum));
    if let Some(key) = &key {
        plan.run(gpg::detach_sign(
            &key.fingerprint,
            &artifacts.tarball,
            &artifacts.signature,
            None,
        ));
        plan.run(gpg::verify_cmd(
            None,
            &artifacts.signature,
            &artifacts.tarball,
        ));
    }
    if ctx.dry_run {
        print!("{}", plan.render());
        return Ok(artifacts);
    }

    let _lock = crate::lock::acquire(&dir)?;
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("cannot create the output directory {dir}"))?;
    eprintln!(
        "packaging {} from {} ...",
        artifacts.file_name(),
        source.reference
    );
    let staged = Staging::new(&dir, artifacts.file_name())?;
    let file = File::create(&staged.tarball)
        .with_context(|| format!("cannot write {}", staged.tarball))?;
    // The archive is read back as a stranger would read it while it is being written: the
    // compressed bytes go to the file and, through a bounded channel, to the checker.
    let (copies, received) = std::sync::mpsc::sync_channel(16);
    let (written, checked) = std::thread::scope(|scope| {
        let checker = scope.spawn(|| {
            check_archive(
                ChannelReader::new(received),
                artifacts.file_name(),
                &tree,
                rules,
            )
        });
        let tee = Tee {
            out: BufWriter::with_capacity(256 * 1024, file),
            copies: Some(copies),
        };
        let written = tree.write(ctx, tee).and_then(|(mut out, digests)| {
            out.flush().context("cannot write the tarball")?;
            Ok(digests)
        });
        let checked = checker
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the archive checker stopped unexpectedly")));
        (written, checked)
    });
    let digests = written?;
    let read_back = checked?;
    // The bytes on disk are the ones checked: hash the file itself once more.
    if read_back.sha512 != digests.sha512 || sha512_file(&staged.tarball)? != digests.sha512 {
        bail!("the tarball on disk differs from what was written (disk or filesystem problem): try again");
    }

    let mut keep_existing_tarball = false;
    if existing {
        let current = sha512_file(&artifacts.tarball)?;
        if current == digests.sha512 {
            keep_existing_tarball = true;
        } else if !args.force {
            bail!(
                "{} already exists with other bytes (built from another commit, or by another \
                 tool?): nothing was changed; pass --force to replace it, or use a new --rc",
                artifacts.tarball
            );
        }
    }

    let checksum = checksum_line(&digests.sha512, artifacts.file_name());
    let checksum_done = keep_existing_tarball
        && std::fs::read_to_string(&artifacts.checksum).is_ok_and(|text| text == checksum);
    let signature_done = match (&key, keep_existing_tarball && artifacts.signature.exists()) {
        (Some(key), true) => {
            match gpg::verify(&ctx.sh, None, &artifacts.signature, &artifacts.tarball) {
                Ok(signature) if signature.primary_fingerprint == key.fingerprint => true,
                _ if args.force => false,
                _ => bail!(
                    "{} exists but is not a good signature of {} by {}: pass --force to sign again",
                    artifacts.signature,
                    artifacts.tarball,
                    key.fingerprint
                ),
            }
        }
        _ => false,
    };
    if keep_existing_tarball && checksum_done && (key.is_none() || signature_done) {
        println!(
            "{} is already packaged with the same bytes: nothing to do",
            artifacts.tarball
        );
        print_summary(&artifacts, &digests, &read_back, key.is_some());
        return Ok(artifacts);
    }

    std::fs::write(&staged.checksum, &checksum)
        .with_context(|| format!("cannot write {}", staged.checksum))?;
    if let Some(key) = &key {
        if !signature_done {
            sign_and_check(ctx, key, &staged.tarball, &staged.signature)?;
        }
    }
    write_build_info(&staged.build_info, &source, &tree, &digests, &read_back)?;

    // Everything passed: move the files into place, the tarball last so that its presence
    // means the others are complete.
    let moves = [
        (&staged.checksum, &artifacts.checksum, true),
        (
            &staged.signature,
            &artifacts.signature,
            key.is_some() && !signature_done,
        ),
        (&staged.build_info, &artifacts.build_info, true),
        (&staged.tarball, &artifacts.tarball, !keep_existing_tarball),
    ];
    for (from, to, wanted) in moves {
        if wanted {
            std::fs::rename(from, to).with_context(|| format!("cannot move {from} to {to}"))?;
        }
    }
    println!("packaged {}", artifacts.tarball);
    print_summary(&artifacts, &digests, &read_back, key.is_some());
    Ok(artifacts)
}

fn sign_and_check(
    ctx: &Ctx,
    key: &SecretKey,
    tarball: &Utf8Path,
    signature: &Utf8Path,
) -> Result<()> {
    let sign = gpg::detach_sign(
        &key.fingerprint,
        tarball,
        signature,
        gpg::passphrase_from_env(),
    );
    plan::execute(&ctx.sh, &sign).context(
        "signing failed: check that the key is unlocked (gpg-agent) or set GPG_PASSPHRASE in CI",
    )?;
    let checked = gpg::verify(&ctx.sh, None, signature, tarball)?;
    if checked.primary_fingerprint != key.fingerprint {
        bail!(
            "the new signature was made by {}, not by the signing key {}: check gpg.conf (default-key, local-user)",
            checked.primary_fingerprint,
            key.fingerprint
        );
    }
    eprintln!(
        "  good signature by {} ({})",
        checked.primary_fingerprint, checked.user_id
    );
    Ok(())
}

fn write_build_info(
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

fn print_summary(
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

/// Writes to `out` and hands a copy of every byte to the checker; a checker that stopped
/// early (it reports why) no longer gets copies.
struct Tee<W: Write> {
    out: W,
    copies: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write_all(buf)?;
        if let Some(copies) = &self.copies {
            if copies.send(buf.to_vec()).is_err() {
                self.copies = None;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The reading end of the checker's channel; it ends when the writer is dropped.
struct ChannelReader {
    received: std::sync::mpsc::Receiver<Vec<u8>>,
    chunk: Vec<u8>,
    at: usize,
}

impl ChannelReader {
    fn new(received: std::sync::mpsc::Receiver<Vec<u8>>) -> ChannelReader {
        ChannelReader {
            received,
            chunk: Vec::new(),
            at: 0,
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.received.recv() {
                Ok(chunk) => {
                    self.chunk = chunk;
                    self.at = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Temporary files next to the final ones, removed on any early return.
struct Staging {
    _dir: tempfile::TempDir,
    tarball: Utf8PathBuf,
    checksum: Utf8PathBuf,
    signature: Utf8PathBuf,
    build_info: Utf8PathBuf,
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

    fn new(dir: &Utf8Path, file_name: &str) -> Result<Staging> {
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
