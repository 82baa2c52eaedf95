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

//! The checks on the candidate's files: the checksums, the files around the tarball, the
//! signature against KEYS alone, and the archive read as untrusted input with the rules
//! `package` enforces.

use std::collections::BTreeMap;
use std::io::BufReader;

use anyhow::{Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use super::locate::{self, open_regular, read_regular};
use super::rebuild::{describe, EntryIndex};
use super::report::{Check, Status};
use crate::archive::checks::{self, Checker, Excluded, Finding, Rules, RULES};
use crate::archive::checksum::{self, Algorithm, MAX_CHECKSUM_FILE_BYTES};
use crate::archive::reader::{self, Hashing, Limits, ReadDigests};
use crate::archive::skeleton::{self, Skeleton};
use crate::artifacts::{self, Artifacts};
use crate::config::Config;
use crate::tools::gpg::Keyring;
use crate::version::Version;
use crate::Ctx;

/// A detached armored signature is a few hundred bytes; anything near this is not one.
const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

const CHECKSUM_TITLE: &str = "checksum: the .sha512 or .sha256 matches the tarball";

/// The checksum files beside the tarball (at least one of .sha512 and .sha256) each state
/// its digest.
pub fn checksum_check(tarball: &Utf8Path, sha512: &Result<String>) -> Check {
    let failed = |details: Vec<String>| Check::failed("checksum", CHECKSUM_TITLE, details);
    let file_name = tarball.file_name().unwrap_or_default();
    let mut passed = Vec::new();
    let mut problems = Vec::new();
    for (companion, algorithm) in artifacts::checksums() {
        let path = Utf8PathBuf::from(companion.of(tarball.as_str()));
        if std::fs::symlink_metadata(&path).is_err() {
            continue;
        }
        let name = path.file_name().unwrap_or_default();
        let actual = match algorithm {
            Algorithm::Sha512 => match sha512 {
                Ok(digest) => Ok(digest.clone()),
                Err(err) => Err(anyhow::anyhow!("{err:#}")),
            },
            Algorithm::Sha256 => open_regular(tarball).and_then(|file| {
                algorithm
                    .digest_reader(file)
                    .with_context(|| format!("cannot read {file_name}"))
            }),
        };
        let stated = read_regular(&path, MAX_CHECKSUM_FILE_BYTES)
            .and_then(|bytes| checksum::stated_digest(algorithm, &bytes, file_name, name));
        match (stated, actual) {
            (Err(err), _) | (_, Err(err)) => problems.push(format!("{err:#}")),
            (Ok(stated), Ok(actual)) if stated == actual => {
                passed.push(format!("{} {actual}", algorithm.name()))
            }
            (Ok(stated), Ok(actual)) => problems.extend([
                format!(
                    "the tarball's {} differs from {name}: the tarball or the checksum was \
                     changed, or they belong to different builds",
                    algorithm.name()
                ),
                format!("  tarball: {actual}"),
                format!("  {name}: {stated}"),
            ]),
        }
    }
    if passed.is_empty() && problems.is_empty() {
        return failed(vec![format!(
            "{} is missing from the candidate (and there is no {})",
            artifacts::SHA512.of(file_name),
            artifacts::SHA256.suffix
        )]);
    }
    if problems.is_empty() {
        Check::passed("checksum", CHECKSUM_TITLE, passed)
    } else {
        failed(problems)
    }
}

const FILES_TITLE: &str =
    "files: the tarballs with their .asc and checksums, nothing else (no KEYS, .md5, .sha1, link)";

/// What lies around the tarballs, as ASF policy (and ATR) wants a candidate directory: each
/// tarball with its `.asc` and its SHA-512 and/or SHA-256 checksum (ASF policy allows both), no
/// KEYS (it would prove nothing), no MD5 or SHA-1 checksums, no dotfiles or `.sig`, nothing
/// else, and plain files only.
pub fn files_check(dir: &Utf8Path, keys: &locate::Location, tarballs: &[String]) -> Check {
    let mut problems = Vec::new();
    let entries = locate::list_dir(dir);
    for (name, kind) in entries.iter().map(|(name, kind)| (name, *kind)) {
        let lower = name.to_ascii_lowercase();
        // Every companion kind belongs, the local-only build record too: a local directory
        // `package` wrote holds it, though `upload` never sends it.
        let belongs = tarballs.iter().any(|tarball| {
            *name == *tarball
                || artifacts::COMPANIONS
                    .iter()
                    .any(|companion| *name == companion.of(tarball))
        });
        if lower == "keys" {
            problems.push(format!(
                "{name}: a KEYS inside the candidate is refused and was not used (whoever can \
                 change the candidate can change it); the signature was checked with {keys}"
            ));
        } else if lower.ends_with(".md5") || lower.ends_with(".sha1") {
            problems.push(format!(
                "{name}: MD5 and SHA-1 checksums must not be published (ASF release policy); \
                 remove it from the candidate"
            ));
        } else if kind != "a regular file" && kind != "a directory" {
            problems.push(format!(
                "{name} is {kind}: a candidate holds plain files only; it was not followed"
            ));
        } else if kind == "a regular file" && !belongs {
            problems.push(format!(
                "{name} is not part of the release (a dotfile, a .sig, or another file): a \
                 candidate holds the source tarballs, each with its .asc and checksum; remove \
                 it"
            ));
        }
    }
    if problems.is_empty() {
        Check::passed("files", FILES_TITLE, Vec::new())
    } else {
        Check::failed("files", FILES_TITLE, problems)
    }
}

const SIGNATURE_TITLE: &str = "signature: a good signature by a key in KEYS";

/// Checks the signature in `keyring`, which holds the keys of KEYS only. The .asc is copied
/// into `work` first, so gpg reads the bytes that were checked to be a plain file.
pub fn signature_check(
    ctx: &Ctx,
    keyring: &Keyring,
    keys_held: &Result<usize>,
    artifacts: &Artifacts,
    work: &Utf8Path,
) -> Check {
    let failed = |details: Vec<String>| Check::failed("signature", SIGNATURE_TITLE, details);
    let name = artifacts.signature.file_name().unwrap_or_default();
    let bytes = match read_regular(&artifacts.signature, MAX_SIGNATURE_BYTES) {
        Ok(bytes) => bytes,
        Err(err) => return failed(vec![format!("{err:#}")]),
    };
    if !String::from_utf8_lossy(&bytes[..bytes.len().min(256)])
        .trim_start()
        .starts_with("-----BEGIN PGP SIGNATURE-----")
    {
        return failed(vec![format!(
            "{name} is not an ASCII-armored detached signature (`gpg --armor --detach-sign`)"
        )]);
    }
    let held = match keys_held {
        Ok(held) => *held,
        Err(err) => return Check::from_error("signature", SIGNATURE_TITLE, err),
    };
    let copy = work.join("signature.asc");
    if let Err(err) = std::fs::write(&copy, &bytes) {
        return failed(vec![format!("cannot write {copy}: {err}")]);
    }
    if let Err(err) = open_regular(&artifacts.tarball) {
        return failed(vec![format!("{err:#}")]);
    }
    match keyring.verify(&ctx.sh, &copy, &artifacts.tarball) {
        Ok(signature) => {
            let mut details = vec![
                format!(
                    "good signature by {} ({})",
                    signature.primary_fingerprint, signature.user_id
                ),
                format!("checked with a keyring holding only the {held} key(s) of KEYS"),
            ];
            match signature.weak_digest() {
                None => Check::passed("signature", SIGNATURE_TITLE, details),
                Some(weak) => {
                    details.push(format!(
                        "the signature's digest is {weak}: ASF requires SHA-256 or stronger for \
                         signatures (https://infra.apache.org/release-signing.html); the \
                         release manager signs again with `gpg --digest-algo SHA512` (or \
                         `personal-digest-preferences SHA512` in gpg.conf)"
                    ));
                    Check::failed("signature", SIGNATURE_TITLE, details)
                }
            }
        }
        Err(err) => Check::from_error("signature", SIGNATURE_TITLE, &err),
    }
}

const ARCHIVE_TITLE: &str =
    "archive: a .tar.gz in the subset of tar every extractor reads alike, within the size limits";
const VERSION_TITLE: &str = "version: the configured version-files carry the version";

/// What reading the candidate found, kept for the comparison with a rebuild.
pub struct CandidateRead {
    pub checks: Vec<Check>,
    pub digests: Option<ReadDigests>,
    pub index: EntryIndex,
}

/// Reads the candidate once for every check; `skeleton` gets what cargo reads of it on the way
/// (for the load check at the end). `hashing` (blob ids and digests) only for a comparison
/// with a rebuild: the checksum check hashes the file on its own.
pub fn read_candidate(
    tarball: &Utf8Path,
    hashing: Hashing,
    limits: Limits,
    rules: &Rules,
    config: &Config,
    version: &Version,
    mut skeleton: Option<&mut Result<Skeleton>>,
) -> CandidateRead {
    // Files below the top directory that the version check reads whole.
    let inner = |path: &str| path.split_once('/').map(|(_, rest)| rest.to_string());
    let is_version_file = |path: &str| {
        inner(path).is_some_and(|rest| {
            config
                .version_files
                .iter()
                .any(|f| crate::config::version_file::path_for(f, version) == rest)
        })
    };
    // Without version-files, the root build files (`package.json`, `pom.xml`, ...) say the
    // version, as `package` checks them.
    let is_build_file = |path: &str| {
        config.version_files.is_empty()
            && inner(path).is_some_and(|rest| crate::stated_version::FILES.contains(&rest.as_str()))
    };
    let mut version_texts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let shown_rules: Vec<(&str, &str)> = RULES
        .iter()
        .copied()
        .filter(|(id, _)| rules.incubating || !matches!(*id, "disclaimer" | "incubating-name"))
        .collect();
    let mut checker = Checker::new(rules.clone());
    let mut index = EntryIndex::default();
    let read = open_regular(tarball).and_then(|file| {
        reader::read_archive(
            BufReader::with_capacity(256 * 1024, file),
            hashing,
            limits,
            &|path| {
                checks::wants_whole(path)
                    || is_version_file(path)
                    || is_build_file(path)
                    || skeleton::wants_content(path)
            },
            &mut |entry| {
                checker.visit(&entry);
                if let Some(skeleton) = skeleton.as_deref_mut() {
                    skeleton::feed(skeleton, &entry);
                }
                index.add(&entry.path, &describe(&entry));
                if let (Some(rest), Some(whole)) = (inner(&entry.path), &entry.whole) {
                    // One copy per file name: a repeated entry cannot grow this.
                    let wanted = is_version_file(&entry.path) || is_build_file(&entry.path);
                    if wanted && !version_texts.contains_key(&rest) {
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
    index.seal();
    let outcome = checker.finish_all();
    let (mut findings, warnings) = (outcome.findings, outcome.warnings);
    if let Some(name) = tarball.file_name() {
        findings.extend(checks::file_name_findings(rules, name));
    }
    let mut checks = vec![Check::passed(
        "archive",
        ARCHIVE_TITLE,
        vec![match digests.tar_sha512.is_empty() {
            // Hashed only for a comparison with a rebuild.
            true => format!("{} entries", digests.entries),
            false => format!(
                "{} entries; sha512 of the uncompressed .tar {}",
                digests.entries, digests.tar_sha512
            ),
        }],
    )];
    for (id, title) in &shown_rules {
        let mut details: Vec<String> = findings
            .iter()
            .filter(|f| f.rule == *id)
            .map(finding_line)
            .collect();
        let broken = !details.is_empty();
        details.extend(
            warnings
                .iter()
                .filter(|w| w.rule == *id)
                .map(|w| format!("warning: {}", finding_line(w))),
        );
        if *id == "license-headers" {
            details.splice(0..0, exclusion_lines(&outcome.excluded));
        }
        let mut check = if broken {
            Check::failed(id, title, details)
        } else {
            Check::passed(id, title, details)
        };
        if *id == "license-headers" && !outcome.excluded.paths.is_empty() {
            let count = outcome.excluded.paths.len();
            check.vote = Some(format!(
                "license headers ({count} file{} excluded by the candidate's own configuration)",
                if count == 1 { "" } else { "s" }
            ));
        }
        checks.push(check);
    }
    if !config.version_files.is_empty() {
        checks.push(version_check(config, version, &version_texts));
    } else if let Some(check) = build_files_check(version, &version_texts) {
        checks.push(check);
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

/// Lines of excluded files shown at most: the report shows 25 details per check.
const EXCLUDED_LINES: usize = 12;

/// What the candidate's own license configuration took out of the audit, for the voter.
fn exclusion_lines(excluded: &Excluded) -> Vec<String> {
    if excluded.paths.is_empty() {
        return Vec::new();
    }
    let by: Vec<String> = excluded
        .sources
        .iter()
        .map(|(source, count)| format!("{source}: {count}"))
        .collect();
    let mut lines = vec![format!(
        "{} file(s) without a license header excluded by the candidate's own configuration \
         ({}); look at them before you vote:",
        excluded.paths.len(),
        by.join(", ")
    )];
    lines.extend(
        excluded
            .lines(EXCLUDED_LINES)
            .into_iter()
            .map(|line| format!("  {line}")),
    );
    lines
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
    match crate::version_files::problems(config, version, &read) {
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

const BUILD_FILES_TITLE: &str = "version: the root build files carry the version";

/// Without version-files: whether the candidate's root build files name the version it is
/// released as (a tarball named 6.1.0 whose `package.json` says 4.2.1-dev was built from
/// another commit). `None` when none of them names a literal version.
fn build_files_check(version: &Version, texts: &BTreeMap<String, Vec<u8>>) -> Option<Check> {
    let stated: Vec<crate::stated_version::Stated> = crate::stated_version::FILES
        .iter()
        .filter_map(|file| Some((file, std::str::from_utf8(texts.get(*file)?).ok()?)))
        .flat_map(|(file, text)| crate::stated_version::parse(file, text))
        .collect();
    if stated.is_empty() {
        return None;
    }
    let wanted = version.to_string();
    let wrong: Vec<String> = stated
        .iter()
        .filter(|s| !crate::stated_version::names(&s.version, &wanted))
        .map(|s| format!("{} says {}, not {wanted}", s.field, s.version))
        .collect();
    let fields: Vec<&str> = stated.iter().map(|s| s.field.as_str()).collect();
    Some(match wrong.is_empty() {
        true => Check::passed(
            "version",
            BUILD_FILES_TITLE,
            vec![format!("{version}, as {} say", fields.join(", "))],
        ),
        false => Check::failed("version", BUILD_FILES_TITLE, wrong),
    })
}

/// A finding as one detail line (escaped later, with every detail, by [`Check::new`]).
fn finding_line(finding: &Finding) -> String {
    if finding.path.is_empty() {
        finding.message.clone()
    } else {
        format!("{}: {}", finding.path, finding.message)
    }
}
