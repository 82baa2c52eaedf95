//! `verify`: what a voter runs on a release candidate. It fetches the candidate (from SVN or a
//! local directory) and KEYS, then checks the checksum, the signature against KEYS alone (in a
//! temporary GNUPGHOME, never the user's keyring), the contents read as untrusted input with
//! the same rules `package` enforces, and with `--rebuild` compares the candidate with a
//! tarball rebuilt from its tag. Nothing is unpacked: the archive is only ever streamed.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use serde::Serialize;

use crate::archive::checks::{self, Checker, Finding, Rules, RULES};
use crate::archive::reader::{self, Entry, Kind, Limits, ObjectFormat, ReadDigests};
use crate::archive::writer::COMPRESSOR;
use crate::cli::VerifyArgs;
use crate::config::Config;
use crate::plan::{self, Plan};
use crate::steps::package::{self, Artifacts};
use crate::tools::{git, gpg, svn, Tool};
use crate::version::Version;
use crate::Ctx;

/// At most this many lines of detail per check; the rest is counted.
const MAX_DETAILS: usize = 25;

/// Where the candidate or KEYS comes from.
#[derive(Debug, Clone)]
enum Location {
    /// Exported with `svn export` into the temporary directory.
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

fn is_url(text: &str) -> bool {
    text.contains("://")
}

/// `2.3.0-rc1`: the candidate's directory in the dist/dev area.
pub fn rc_dir_name(version: &Version, rc: u32) -> String {
    format!("{version}-rc{rc}")
}

/// Paths given on the command line are relative to where the user ran the command (the shell
/// the tools run in works in the repository).
fn absolute(path: &str) -> Result<Utf8PathBuf> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let cwd = Utf8PathBuf::from_path_buf(cwd)
        .map_err(|p| anyhow::anyhow!("the current directory {} is not UTF-8", p.display()))?;
    Ok(cwd.join(path))
}

fn candidate_location(config: &Config, args: &VerifyArgs) -> Result<Location> {
    match &args.from {
        Some(url) if is_url(url) => Ok(Location::Svn(url.trim_end_matches('/').to_string())),
        Some(dir) => {
            let dir = absolute(dir)?;
            if !dir.is_dir() {
                bail!(
                    "--from {dir}: no such directory; give the directory holding the \
                     candidate's tarball, .asc and .sha512, or its SVN URL"
                );
            }
            Ok(Location::Local(dir))
        }
        None => Ok(Location::Svn(format!(
            "{}/{}",
            config.svn_dev_url.trim_end_matches('/'),
            rc_dir_name(&args.version, args.rc)
        ))),
    }
}

/// KEYS: the one given; else the one a voter downloaded next to a local candidate; else the
/// release area's, which only the PMC can change.
fn keys_location(config: &Config, args: &VerifyArgs, candidate: &Location) -> Result<Location> {
    match &args.keys {
        Some(url) if is_url(url) => Ok(Location::Svn(url.clone())),
        Some(file) => {
            let file = absolute(file)?;
            if !file.is_file() {
                bail!("--keys {file}: no such file; give the project's KEYS file or its URL");
            }
            Ok(Location::Local(file))
        }
        None => {
            if let Location::Local(dir) = candidate {
                let beside = dir.parent().map(|parent| parent.join("KEYS"));
                for near in std::iter::once(dir.join("KEYS")).chain(beside) {
                    if near.is_file() {
                        return Ok(Location::Local(near));
                    }
                }
            }
            Ok(Location::Svn(format!(
                "{}/KEYS",
                config.svn_release_url.trim_end_matches('/')
            )))
        }
    }
}

/// Where the tag to rebuild from comes from.
enum TagSource {
    /// Fetched from the configured remote, so the published tag is used, not a local one.
    Remote(String),
    /// The repository has no such remote: its own tag.
    Local,
}

fn tag_source(ctx: &Ctx, config: &Config) -> Result<TagSource> {
    Tool::Git.require()?;
    git::check_repository(&ctx.sh, &ctx.repo)?;
    Ok(match git::remote_url(&ctx.sh, &ctx.repo, &config.remote)? {
        Some(_) => TagSource::Remote(config.remote.clone()),
        None => TagSource::Local,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Passed,
    Failed,
    /// Not checked because an earlier check failed (the archive could not be read).
    Skipped,
}

#[derive(Debug, Serialize)]
struct Check {
    id: String,
    title: String,
    status: Status,
    details: Vec<String>,
}

impl Check {
    fn new(id: &str, title: &str, status: Status, mut details: Vec<String>) -> Check {
        if details.len() > MAX_DETAILS {
            let more = details.len() - MAX_DETAILS;
            details.truncate(MAX_DETAILS);
            details.push(format!("... and {more} more"));
        }
        Check {
            id: id.to_string(),
            title: title.to_string(),
            status,
            details,
        }
    }

    fn passed(id: &str, title: &str, details: Vec<String>) -> Check {
        Check::new(id, title, Status::Passed, details)
    }

    fn failed(id: &str, title: &str, details: Vec<String>) -> Check {
        Check::new(id, title, Status::Failed, details)
    }

    fn from_error(id: &str, title: &str, err: &anyhow::Error) -> Check {
        let text = format!("{err:#}");
        Check::failed(id, title, text.lines().map(String::from).collect())
    }
}

#[derive(Debug, Serialize)]
struct Report {
    version: String,
    rc: u32,
    artifact: String,
    candidate: String,
    keys: String,
    passed: bool,
    summary: String,
    checks: Vec<Check>,
    /// The text a voter can paste into the vote reply.
    vote: String,
}

pub fn run(ctx: &Ctx, args: &VerifyArgs) -> Result<ExitCode> {
    Tool::Gpg.require()?;
    let config = ctx.config()?;
    let version = &args.version;
    let file_name = config.artifact_name(version)?;
    let rules = package::rules(&config, version)?;
    let candidate = candidate_location(&config, args)?;
    let keys = keys_location(&config, args, &candidate)?;
    if matches!(candidate, Location::Svn(_)) || matches!(keys, Location::Svn(_)) {
        Tool::Svn.require()?;
    }
    let tag = config.tag_name(version, Some(args.rc))?;
    let tag_source = if args.rebuild {
        Some(tag_source(ctx, &config)?)
    } else {
        None
    };

    // Everything fetched or built lives here and is removed at the end; the keyring is a
    // directory of its own so that gpg sees nothing but KEYS.
    let work = temp_dir("xtask-verify-")?;
    let gnupg = temp_dir("xtask-gpg-")?;
    let candidate_dir = match &candidate {
        Location::Svn(_) => work.path.join("candidate"),
        Location::Local(dir) => dir.clone(),
    };
    let keys_file = match &keys {
        Location::Svn(_) => work.path.join("KEYS"),
        Location::Local(file) => file.clone(),
    };
    let artifacts = Artifacts::new(&candidate_dir, &file_name);

    let mut plan = Plan::new(format!(
        "verify {file_name} of {version} RC{} from {candidate}",
        args.rc
    ));
    let candidate_export = match &candidate {
        Location::Svn(url) => Some(svn::export(url, &candidate_dir)),
        Location::Local(_) => None,
    };
    let keys_export = match &keys {
        Location::Svn(url) => Some(svn::export(url, &keys_file)),
        Location::Local(_) => None,
    };
    for cmd in candidate_export.iter().chain(&keys_export) {
        plan.run(cmd.clone());
    }
    plan.local(format!(
        "check {} against the sha512 of the tarball; look for .md5 and .sha1 files",
        artifacts.checksum
    ));
    plan.run(gpg::import_cmd(&gnupg.path, &keys_file));
    plan.run(gpg::verify_cmd(
        Some(&gnupg.path),
        &artifacts.signature,
        &artifacts.tarball,
    ));
    plan.local(format!(
        "read {} as untrusted input (nothing unpacked) and check it against the release rules",
        artifacts.tarball
    ));
    if let Some(source) = &tag_source {
        if let TagSource::Remote(remote) = source {
            plan.run(git::fetch_tag(&ctx.repo, remote, &tag));
        }
        plan.local(format!(
            "rebuild {file_name} from tag {tag} with the package writer and compare"
        ));
    }
    if ctx.dry_run {
        print!("{}", plan.render());
        return Ok(ExitCode::SUCCESS);
    }

    if let Some(cmd) = &candidate_export {
        plan::execute(&ctx.sh, cmd).with_context(|| {
            format!(
                "cannot fetch the candidate from {candidate}: check the version and --rc, or \
                 pass --from <URL|DIR>"
            )
        })?;
    }
    if let Some(cmd) = &keys_export {
        plan::execute(&ctx.sh, cmd)
            .with_context(|| format!("cannot fetch KEYS from {keys}: pass --keys <URL|FILE>"))?;
    }
    if !artifacts.tarball.is_file() {
        bail!(
            "the candidate at {candidate} has no {file_name} (it holds: {}): check the version, \
             --rc and --from",
            list_dir(&candidate_dir).join(", ")
        );
    }

    let mut checks = Vec::new();
    let candidate_sha512 = package::sha512_file(&artifacts.tarball);
    checks.push(checksum_check(&artifacts, &candidate_sha512));
    checks.push(hash_files_check(&candidate_dir));
    checks.push(signature_check(ctx, &gnupg.path, &keys_file, &artifacts));
    let format = match &tag_source {
        Some(_) => ObjectFormat::from_git(&git::object_format(&ctx.sh, &ctx.repo)?),
        None => ObjectFormat::Sha1,
    };
    let limits = Limits {
        max_tar_bytes: args
            .max_unpacked_bytes
            .unwrap_or(Limits::default().max_tar_bytes),
        ..Limits::default()
    };
    let read = read_candidate(&artifacts.tarball, format, limits, &rules, &config, version);
    checks.extend(read.checks);
    if let Some(source) = &tag_source {
        let rebuild = Rebuild {
            ctx,
            config: &config,
            version,
            tag: &tag,
            source,
            work: &work.path,
            format,
        };
        let candidate = Candidate {
            tarball: &artifacts.tarball,
            sha512: candidate_sha512.as_ref().ok().map(String::as_str),
            digests: read.digests.as_ref(),
            index: &read.index,
        };
        checks.push(
            rebuild
                .check(&candidate)
                .unwrap_or_else(|err| Check::from_error("rebuild", REBUILD_TITLE, &err)),
        );
    }

    let report = report(args, &file_name, &candidate, &keys, checks);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&report));
    }
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A temporary directory with a UTF-8 path, removed on drop.
struct TempDir {
    _dir: tempfile::TempDir,
    path: Utf8PathBuf,
}

/// Private to the user (gpg refuses a keyring directory others can read).
fn temp_dir(prefix: &str) -> Result<TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let dir = builder
        .tempdir()
        .context("cannot create a temporary directory: check TMPDIR")?;
    let path = Utf8PathBuf::from_path_buf(dir.path().to_path_buf())
        .map_err(|p| anyhow::anyhow!("temporary path {} is not UTF-8", p.display()))?;
    Ok(TempDir { _dir: dir, path })
}

fn list_dir(dir: &Utf8Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    if names.is_empty() {
        names.push("nothing".into());
    }
    names
}

const CHECKSUM_TITLE: &str = "checksum: the .sha512 matches the tarball";

fn checksum_check(artifacts: &Artifacts, actual: &Result<String>) -> Check {
    let failed = |detail: String| Check::failed("checksum", CHECKSUM_TITLE, vec![detail]);
    let actual = match actual {
        Ok(sha512) => sha512,
        Err(err) => return failed(format!("{err:#}")),
    };
    let name = artifacts.checksum.file_name().unwrap_or_default();
    let mut text = String::new();
    let read = File::open(&artifacts.checksum)
        .and_then(|file| file.take(64 * 1024).read_to_string(&mut text));
    if let Err(err) = read {
        return failed(match err.kind() {
            std::io::ErrorKind::NotFound => format!("{name} is missing from the candidate"),
            _ => format!("cannot read {name} as text: {err}"),
        });
    }
    let (expected, named) = match parse_checksum_line(&text) {
        Ok(parsed) => parsed,
        Err(problem) => return failed(format!("{name}: {problem}")),
    };
    let mut problems = Vec::new();
    if named != artifacts.file_name() {
        problems.push(format!(
            "{name} is the checksum of `{named}`, not of `{}`: `sha512sum -c` would check \
             another file",
            artifacts.file_name()
        ));
    }
    if &expected != actual {
        problems.extend([
            format!(
                "the tarball's sha512 differs from {name}: the tarball or the checksum was \
                 changed, or they belong to different builds"
            ),
            format!("  tarball: {actual}"),
            format!("  {name}: {expected}"),
        ]);
    }
    if problems.is_empty() {
        Check::passed("checksum", CHECKSUM_TITLE, vec![format!("sha512 {actual}")])
    } else {
        Check::failed("checksum", CHECKSUM_TITLE, problems)
    }
}

/// `<128 hex digits>  <file name>\n`, as `sha512sum -c` and `shasum -a 512 -c` read it.
fn parse_checksum_line(text: &str) -> std::result::Result<(String, String), String> {
    let expected_form =
        "expected one line `<128 hex digits>  <file name>` as `sha512sum` writes it";
    let body = text.strip_suffix('\n').unwrap_or(text);
    if body.contains('\n') || body.contains('\r') {
        return Err(format!("holds more than one line; {expected_form}"));
    }
    let Some((hex, name)) = body.split_once("  ") else {
        let shown: String = body.chars().take(80).collect();
        return Err(format!(
            "`{shown}` is not in the checksum format; {expected_form}"
        ));
    };
    if hex.len() != 128 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "`{hex}` is not a SHA-512 digest (128 hex digits); {expected_form}"
        ));
    }
    if name.is_empty() || name.contains('/') {
        return Err(format!(
            "`{name}` is not a bare file name (the name is relative to the checksum's own \
             directory); {expected_form}"
        ));
    }
    Ok((hex.to_ascii_lowercase(), name.to_string()))
}

const HASH_FILES_TITLE: &str = "no .md5 or .sha1 files (ASF policy: SHA-512 only)";

fn hash_files_check(dir: &Utf8Path) -> Check {
    let forbidden: Vec<String> = list_dir(dir)
        .into_iter()
        .filter(|name| {
            let lower = name.to_ascii_lowercase();
            lower.ends_with(".md5") || lower.ends_with(".sha1")
        })
        .map(|name| {
            format!(
                "{name}: MD5 and SHA-1 checksums must not be published (ASF release policy); \
                 remove it from the candidate"
            )
        })
        .collect();
    if forbidden.is_empty() {
        Check::passed("hash-files", HASH_FILES_TITLE, Vec::new())
    } else {
        Check::failed("hash-files", HASH_FILES_TITLE, forbidden)
    }
}

const SIGNATURE_TITLE: &str = "signature: a good signature by a key in KEYS";

fn signature_check(
    ctx: &Ctx,
    gnupghome: &Utf8Path,
    keys: &Utf8Path,
    artifacts: &Artifacts,
) -> Check {
    let failed = |details: Vec<String>| Check::failed("signature", SIGNATURE_TITLE, details);
    let name = artifacts.signature.file_name().unwrap_or_default();
    let mut head = String::new();
    let read =
        File::open(&artifacts.signature).and_then(|file| file.take(256).read_to_string(&mut head));
    // Any other read error (not UTF-8: a binary signature) leaves `head` empty: refused below.
    if read.is_err() && !artifacts.signature.exists() {
        return failed(vec![format!("{name} is missing from the candidate")]);
    }
    if !head
        .trim_start()
        .starts_with("-----BEGIN PGP SIGNATURE-----")
    {
        return failed(vec![format!(
            "{name} is not an ASCII-armored detached signature (`gpg --armor --detach-sign`)"
        )]);
    }
    let imported = match gpg::import(&ctx.sh, gnupghome, keys) {
        Ok(fingerprints) => fingerprints,
        Err(err) => return Check::from_error("signature", SIGNATURE_TITLE, &err),
    };
    match gpg::verify(
        &ctx.sh,
        Some(gnupghome),
        &artifacts.signature,
        &artifacts.tarball,
    ) {
        Ok(signature) => Check::passed(
            "signature",
            SIGNATURE_TITLE,
            vec![
                format!(
                    "good signature by {} ({})",
                    signature.primary_fingerprint, signature.user_id
                ),
                format!(
                    "checked with a keyring holding only the {} key(s) of KEYS",
                    imported.len()
                ),
            ],
        ),
        Err(err) => Check::from_error("signature", SIGNATURE_TITLE, &err),
    }
}

const ARCHIVE_TITLE: &str = "archive: a .tar.gz that reads in full within the size limits";

/// What reading the candidate found, kept for the comparison with a rebuild.
struct CandidateRead {
    checks: Vec<Check>,
    digests: Option<ReadDigests>,
    /// Path -> what the entry is (kind, mode and content id).
    index: BTreeMap<String, String>,
}

const VERSION_TITLE: &str = "version: the configured version-files carry the version";

fn read_candidate(
    tarball: &Utf8Path,
    format: ObjectFormat,
    limits: Limits,
    rules: &Rules,
    config: &Config,
    version: &Version,
) -> CandidateRead {
    // Files below the top directory that the version check reads whole.
    let inner = |path: &str| path.split_once('/').map(|(_, rest)| rest.to_string());
    let is_version_file = |path: &str| {
        inner(path).is_some_and(|rest| {
            config
                .version_files
                .iter()
                .any(|f| crate::steps::version_files::path_for(f, version) == rest)
        })
    };
    let mut version_texts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let shown_rules: Vec<(&str, &str)> = RULES
        .iter()
        .copied()
        .filter(|(id, _)| rules.incubating || !matches!(*id, "disclaimer" | "incubating-name"))
        .collect();
    let mut checker = Checker::new(rules.clone());
    let mut index = BTreeMap::new();
    let read = File::open(tarball)
        .with_context(|| format!("cannot open {tarball}"))
        .and_then(|file| {
            reader::read_archive(
                BufReader::with_capacity(256 * 1024, file),
                format,
                limits,
                &|path| checks::wants_whole(path) || is_version_file(path),
                &mut |entry| {
                    checker.visit(&entry);
                    index.insert(entry.path.clone(), describe(&entry));
                    if let (Some(rest), Some(whole)) = (inner(&entry.path), &entry.whole) {
                        if is_version_file(&entry.path) {
                            version_texts.insert(rest, whole.clone());
                        }
                    }
                    Ok(())
                },
            )
        });
    let digests = match read {
        Ok(digests) => digests,
        Err(err) => {
            let mut checks = vec![Check::from_error("archive", ARCHIVE_TITLE, &err)];
            for (id, title) in shown_rules {
                checks.push(Check::new(
                    id,
                    title,
                    Status::Skipped,
                    vec!["not checked: the archive could not be read in full".into()],
                ));
            }
            return CandidateRead {
                checks,
                digests: None,
                index,
            };
        }
    };
    let mut findings = checker.finish();
    if let Some(name) = tarball.file_name() {
        findings.extend(checks::file_name_findings(rules, name));
    }
    let mut checks = vec![Check::passed(
        "archive",
        ARCHIVE_TITLE,
        vec![format!(
            "{} entries; sha512 of the uncompressed .tar {}",
            digests.entries, digests.tar_sha512
        )],
    )];
    for (id, title) in &shown_rules {
        let broken: Vec<String> = findings
            .iter()
            .filter(|f| f.rule == *id)
            .map(finding_line)
            .collect();
        checks.push(if broken.is_empty() {
            Check::passed(id, title, Vec::new())
        } else {
            Check::failed(id, title, broken)
        });
    }
    // Without version-files there is nothing to check, as for the incubator rules.
    if !config.version_files.is_empty() {
        checks.push(version_check(config, version, &version_texts));
    }
    // A rule the list above does not name must still fail the verification.
    for finding in findings
        .iter()
        .filter(|f| !shown_rules.iter().any(|(id, _)| *id == f.rule))
    {
        checks.push(Check::failed(
            finding.rule,
            finding.rule,
            vec![finding_line(finding)],
        ));
    }
    CandidateRead {
        checks,
        digests: Some(digests),
        index,
    }
}

/// The version check of `version check`, on the files inside the candidate.
fn version_check(config: &Config, version: &Version, texts: &BTreeMap<String, Vec<u8>>) -> Check {
    let read = |path: &str| -> Result<Option<String>> {
        texts
            .get(path)
            .map(|bytes| {
                String::from_utf8(bytes.clone())
                    .with_context(|| format!("{path} is not UTF-8 text"))
            })
            .transpose()
    };
    match crate::steps::version_files::problems(config, version, &read) {
        Ok(problems) if problems.is_empty() => Check::passed(
            "version",
            VERSION_TITLE,
            vec![format!(
                "{} file(s) carry {version}",
                config.version_files.len()
            )],
        ),
        Ok(problems) => Check::failed("version", VERSION_TITLE, problems),
        Err(err) => Check::from_error("version", VERSION_TITLE, &err),
    }
}

fn finding_line(finding: &Finding) -> String {
    if finding.path.is_empty() {
        finding.message.clone()
    } else {
        format!("{}: {}", finding.path, finding.message)
    }
}

/// What an entry is, in a form two archives can be compared by.
fn describe(entry: &Entry) -> String {
    let id = entry.blob_id.as_deref().unwrap_or_default();
    let short = &id[..id.len().min(12)];
    match &entry.kind {
        Kind::File { executable: true } => format!("executable file {short}"),
        Kind::File { executable: false } => format!("file {short}"),
        Kind::Dir => "directory".into(),
        Kind::Symlink { target } => format!("link to {target}"),
        Kind::HardLink { target } => format!("hard link to {target}"),
        Kind::Other(kind) => format!("special file (tar type `{}`)", *kind as char),
    }
}

const REBUILD_TITLE: &str = "rebuild: the tarball rebuilt from the tag has the same content";

/// The candidate as the rebuild compares it.
struct Candidate<'a> {
    tarball: &'a Utf8Path,
    sha512: Option<&'a str>,
    digests: Option<&'a ReadDigests>,
    index: &'a BTreeMap<String, String>,
}

struct Rebuild<'a> {
    ctx: &'a Ctx,
    config: &'a Config,
    version: &'a Version,
    tag: &'a str,
    source: &'a TagSource,
    work: &'a Utf8Path,
    format: ObjectFormat,
}

impl Rebuild<'_> {
    fn commit(&self) -> Result<(String, String)> {
        let (sh, repo, tag) = (&self.ctx.sh, &self.ctx.repo, self.tag);
        match self.source {
            TagSource::Remote(remote) => {
                plan::execute(sh, &git::fetch_tag(repo, remote, tag)).with_context(|| {
                    format!(
                        "cannot fetch tag {tag} from the remote `{remote}`: check that the tag \
                         is pushed and the remote reachable"
                    )
                })?;
                let commit = git::resolve_commit(sh, repo, "FETCH_HEAD")?
                    .with_context(|| format!("tag {tag} of `{remote}` names no commit"))?;
                Ok((commit, format!("tag {tag} of `{remote}`")))
            }
            TagSource::Local => {
                let commit = git::tag_commit(sh, repo, tag)?.with_context(|| {
                    format!(
                        "there is no tag {tag} in {repo} and no remote `{}` to fetch it from: \
                         run `git fetch --tags`, or pass --repo <a clone of the project>",
                        self.config.remote
                    )
                })?;
                Ok((commit, format!("tag {tag}")))
            }
        }
    }

    fn check(&self, candidate: &Candidate) -> Result<Check> {
        let (commit, source) = self.commit()?;
        let source = format!("{source} ({})", &commit[..commit.len().min(12)]);
        let top_dir = self.config.top_dir_name(self.version)?;
        let tree = package::release_tree(self.ctx, self.config, &commit, top_dir)?;
        let file_name = self.config.artifact_name(self.version)?;
        let path = self.work.join(format!("rebuilt-{file_name}"));
        let file = File::create(&path).with_context(|| format!("cannot write {path}"))?;
        let (mut out, ours) = tree.write(self.ctx, BufWriter::with_capacity(256 * 1024, file))?;
        out.flush()
            .with_context(|| format!("cannot write {path}"))?;
        drop(out);

        if candidate.sha512 == Some(ours.sha512.as_str()) {
            return Ok(Check::passed(
                "rebuild",
                REBUILD_TITLE,
                vec![format!(
                    "reproducible: byte-identical to the tarball rebuilt from {source}"
                )],
            ));
        }
        let Some(digests) = candidate.digests else {
            return Ok(Check::failed(
                "rebuild",
                REBUILD_TITLE,
                vec![format!(
                    "the candidate differs from the tarball rebuilt from {source}, and it could \
                     not be read in full to compare their files"
                )],
            ));
        };
        let mut rebuilt = BTreeMap::new();
        let file = File::open(&path).with_context(|| format!("cannot read {path}"))?;
        let ours_read = reader::read_archive(
            BufReader::with_capacity(256 * 1024, file),
            self.format,
            Limits::default(),
            &|_| false,
            &mut |entry| {
                rebuilt.insert(entry.path.clone(), describe(&entry));
                Ok(())
            },
        )?;
        if digests.tar_sha512 == ours_read.tar_sha512 {
            return Ok(Check::passed(
                "rebuild",
                REBUILD_TITLE,
                vec![
                    format!(
                        "same content, different compressor: the uncompressed .tar equals the \
                         one rebuilt from {source}, the .tgz bytes do not"
                    ),
                    format!(
                        "the candidate's gzip stream: {}; ours: {COMPRESSOR}",
                        gzip_header(candidate.tarball)
                    ),
                ],
            ));
        }
        let mut details = vec![format!(
            "the candidate differs from the tarball rebuilt from {source}:"
        )];
        details.extend(differences(candidate.index, &rebuilt));
        if details.len() == 1 {
            details.push(
                "every file has the same content and mode, but the tar headers differ (times, \
                 owners, order or format): was it built by `cargo xtask package`?"
                    .into(),
            );
        }
        Ok(Check::failed("rebuild", REBUILD_TITLE, details))
    }
}

fn differences(
    candidate: &BTreeMap<String, String>,
    rebuilt: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut lines = Vec::new();
    for (path, what) in candidate {
        match rebuilt.get(path) {
            None => lines.push(format!("only in the candidate: {path} ({what})")),
            Some(ours) if ours != what => lines.push(format!(
                "differs: {path} (candidate: {what}; from the tag: {ours})"
            )),
            Some(_) => {}
        }
    }
    for (path, what) in rebuilt {
        if !candidate.contains_key(path) {
            lines.push(format!("only in the tag: {path} ({what})"));
        }
    }
    lines
}

/// The fields of a gzip header that tell compressors apart (RFC 1952).
fn gzip_header(path: &Utf8Path) -> String {
    let mut header = [0u8; 10];
    let read = File::open(path).and_then(|mut file| file.read_exact(&mut header));
    if read.is_err() || header[..2] != [0x1f, 0x8b] {
        return "no gzip header".into();
    }
    let os = match header[9] {
        0 => "FAT/Windows",
        3 => "Unix",
        7 => "Macintosh",
        11 => "NTFS",
        255 => "unknown",
        _ => "other",
    };
    let level = match header[8] {
        2 => "maximum compression",
        4 => "fastest",
        _ => "default or unstated level",
    };
    let mut parts = vec![
        format!("OS byte {} ({os})", header[9]),
        format!("XFL {} ({level})", header[8]),
    ];
    let mtime = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
    if mtime != 0 {
        parts.push(format!("mtime {mtime}"));
    }
    if header[3] & 0x08 != 0 {
        parts.push("stores a file name".into());
    }
    parts.join(", ")
}

/// The few words a vote reply uses for each check.
fn vote_phrase(check: &Check) -> Option<String> {
    let phrase = match check.id.as_str() {
        "checksum" => "checksum (sha512)",
        "signature" => "signature",
        "paths" => "safe paths",
        "top-dir" => "one top directory",
        "license" => "LICENSE",
        "notice" => "NOTICE",
        "disclaimer" => "DISCLAIMER",
        "incubating-name" => "incubating name",
        "binaries" => "no binaries",
        "license-headers" => "license headers",
        "rebuild" => {
            let reproducible = check
                .details
                .first()
                .is_some_and(|d| d.starts_with("reproducible"));
            return Some(if reproducible {
                "reproducible (rebuilt from the tag, byte-identical)".into()
            } else {
                "rebuilt from the tag (same content)".into()
            });
        }
        _ => return None,
    };
    Some(phrase.to_string())
}

fn report(
    args: &VerifyArgs,
    file_name: &str,
    candidate: &Location,
    keys: &Location,
    checks: Vec<Check>,
) -> Report {
    let failed: Vec<&Check> = checks
        .iter()
        .filter(|c| c.status == Status::Failed)
        .collect();
    let skipped = checks
        .iter()
        .filter(|c| c.status == Status::Skipped)
        .count();
    let passed = failed.is_empty() && skipped == 0;
    let weight = if args.binding {
        "binding"
    } else {
        "non-binding"
    };
    let summary = if passed {
        format!(
            "all {} checks passed for {file_name} ({} RC{})",
            checks.len(),
            args.version,
            args.rc
        )
    } else {
        let names: Vec<&str> = failed.iter().map(|c| c.id.as_str()).collect();
        let mut summary = format!(
            "{} of {} checks failed for {file_name}: {}",
            failed.len(),
            checks.len(),
            names.join(", ")
        );
        if skipped > 0 {
            summary.push_str(&format!("; {skipped} not checked"));
        }
        summary
    };
    let vote = if passed {
        let phrases: Vec<String> = checks.iter().filter_map(vote_phrase).collect();
        format!(
            "+1 ({weight}): checked {} with `cargo xtask verify`",
            phrases.join(", ")
        )
    } else {
        let reasons: Vec<String> = failed
            .iter()
            .map(|c| match c.details.first() {
                Some(detail) => format!("{}: {}", c.id, shorten(detail, VOTE_REASON_CHARS)),
                None => c.id.clone(),
            })
            .collect();
        format!("-1 ({weight}): {}", reasons.join("; "))
    };
    Report {
        version: args.version.to_string(),
        rc: args.rc,
        artifact: file_name.to_string(),
        candidate: candidate.to_string(),
        keys: keys.to_string(),
        passed,
        summary,
        checks,
        vote,
    }
}

/// Each reason in a -1 vote text is cut to this many characters; the checklist has the rest.
const VOTE_REASON_CHARS: usize = 160;

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{cut}…")
}

fn render(report: &Report) -> String {
    let mut out = format!(
        "verify {} ({} RC{})\n  candidate: {}\n  KEYS:      {}\n\n",
        report.artifact, report.version, report.rc, report.candidate, report.keys
    );
    for check in &report.checks {
        let mark = match check.status {
            Status::Passed => "✓",
            Status::Failed => "✗",
            Status::Skipped => "-",
        };
        out.push_str(&format!("{mark} {:<16} {}\n", check.id, check.title));
        for detail in &check.details {
            out.push_str(&format!("      {detail}\n"));
        }
    }
    out.push_str(&format!("\nsummary: {}\n", report.summary));
    out.push_str(&format!(
        "\nvote text (paste into your reply, after your own checks):\n  {}\n",
        report.vote
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_line_is_read_strictly() {
        let hex = "a".repeat(128);
        let (digest, name) = parse_checksum_line(&format!("{hex}  x.tgz\n")).unwrap();
        assert_eq!((digest.as_str(), name.as_str()), (hex.as_str(), "x.tgz"));
        let upper = "A".repeat(128);
        assert_eq!(
            parse_checksum_line(&format!("{upper}  x.tgz")).unwrap().0,
            hex
        );
        for bad in [
            format!("{hex} x.tgz\n"),
            format!("{}  x.tgz\n", "a".repeat(127)),
            format!("{hex}  dir/x.tgz\n"),
            format!("{hex}  x.tgz\n{hex}  y.tgz\n"),
            format!("{hex}  x.tgz\r\n"),
            "SHA512 (x.tgz) = abc\n".to_string(),
        ] {
            assert!(parse_checksum_line(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn differences_name_each_file() {
        let candidate: BTreeMap<String, String> =
            [("t/a", "file 1"), ("t/b", "file 2"), ("t/extra", "file 3")]
                .map(|(p, w)| (p.to_string(), w.to_string()))
                .into();
        let rebuilt: BTreeMap<String, String> =
            [("t/a", "file 1"), ("t/b", "file 9"), ("t/gone", "file 4")]
                .map(|(p, w)| (p.to_string(), w.to_string()))
                .into();
        assert_eq!(
            differences(&candidate, &rebuilt),
            [
                "differs: t/b (candidate: file 2; from the tag: file 9)",
                "only in the candidate: t/extra (file 3)",
                "only in the tag: t/gone (file 4)",
            ]
        );
    }
}
