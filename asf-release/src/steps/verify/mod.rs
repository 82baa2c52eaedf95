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

//! `verify`: what a voter runs on a release candidate. It fetches the candidate (from SVN or a
//! local directory) and the project's published KEYS, then checks the checksums, the signature
//! against KEYS alone (in a throwaway keyring, never the user's), the contents read as
//! untrusted input with the same rules `package` enforces, and with `--rebuild` compares the
//! candidate with a tarball rebuilt from its tag. The checks read the archive as a stream;
//! only once they all passed is it unpacked into the run's scratch directory, for the
//! manifests' load check and, with `--build`, the project's build commands. What a voter can
//! rely on, and what not: docs/verify.md.
//!
//! - `locate`: where the candidate and KEYS come from, and reading the candidate's files;
//! - `checks`: the checks on those files;
//! - `rebuild`: the comparison with the tag;
//! - `build`: the load check and the build on the unpacked candidate;
//! - `report`: the checklist, the summary and the vote text.

mod build;
mod checks;
mod locate;
mod rebuild;
mod report;

pub use locate::is_url;

use crate::version::Version;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::archive::checksum::Algorithm;
use crate::archive::reader::{Hashing, Limits, ObjectFormat};
use crate::archive::skeleton::Skeleton;
use crate::artifacts::Artifacts;
use crate::plan::Plan;
use crate::scratch::Scratch;
use crate::tools::gpg::Keyring;
use crate::tools::{git, svn, Tool};
use crate::untrusted::escape_str;
use crate::Ctx;

use locate::Location;
use rebuild::{Candidate, Rebuild, TagSource, REBUILD_TITLE};
use report::Check;

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The version voted on, like 2.3.0.
    #[arg(value_parser = crate::args::parse_version, allow_hyphen_values = true)]
    pub version: Version,
    /// The release candidate number.
    #[arg(long, value_parser = crate::args::parse_rc)]
    pub rc: u32,
    /// Where the candidate is: an SVN URL of its directory, or a local directory (default:
    /// <svn-dev-url>/<version>-rc<N>).
    #[arg(long, value_name = "URL|DIR", value_parser = crate::args::url_or_absolute_path)]
    pub from: Option<String>,
    /// The KEYS to check the signature with: an SVN URL or a file (default: the published
    /// <svn-release-url>/KEYS; never one inside the candidate).
    #[arg(long, value_name = "URL|FILE", value_parser = crate::args::url_or_absolute_path)]
    pub keys: Option<String>,
    /// Also rebuild the tarball from the candidate's tag and compare it with the candidate.
    #[arg(long)]
    pub rebuild: bool,
    /// Also run the project's build-commands in the unpacked candidate (clean environment,
    /// time limit each, output to <out-dir>/records/<candidate>/verify-build.log).
    #[arg(long)]
    pub build: bool,
    /// Print the report as JSON (for CI) instead of a checklist.
    #[arg(long)]
    pub json: bool,
    /// You are a PMC member: the vote text says `(binding)`.
    #[arg(long)]
    pub binding: bool,
    /// Stop reading the archive once it unpacks to more than this many bytes.
    #[arg(long, hide = true, value_name = "BYTES")]
    pub max_unpacked_bytes: Option<u64>,
}

fn tag_source(ctx: &Ctx, remote: &str) -> Result<TagSource> {
    Tool::Git.require()?;
    git::check_repository(&ctx.sh, &ctx.repo)?;
    Ok(match git::remote_url(&ctx.sh, &ctx.repo, remote)? {
        Some(_) => TagSource::Remote(remote.to_string()),
        None => TagSource::Local,
    })
}

pub fn run(ctx: &Ctx, args: &VerifyArgs) -> Result<ExitCode> {
    Tool::Gpg.require()?;
    let config = ctx.config()?;
    let version = &args.version;
    let file_name = config.artifact_name(version)?;
    // The rules of every tarball are checked before anything is fetched.
    for settings in config.sources() {
        crate::source::rules(&settings, version)?;
    }
    let candidate = locate::candidate_location(&config, args)?;
    let asked = crate::version::Candidate {
        version: args.version,
        rc: args.rc,
    };
    if args.from.is_none() {
        Tool::Svn.require()?;
        locate::require_in_dev(ctx, &config, &asked)?;
    }
    let keys = locate::keys_location(&config, args, &candidate)?;
    if matches!(candidate, Location::Svn(_)) || matches!(keys, Location::Svn(_)) {
        Tool::Svn.require()?;
    }
    let tag = config.candidate_tag(&asked)?;
    let tag_source = if args.rebuild {
        Some(tag_source(ctx, &config.remote)?)
    } else {
        None
    };

    // Everything fetched or built lives here and is removed at the end (or by the next run,
    // after a kill); the keyring is a directory of its own so that gpg sees nothing but KEYS.
    let work = Scratch::new("verify")?;
    let keyring = Keyring::new()?;
    let candidate_dir = match &candidate {
        Location::Svn(_) => work.path().join("candidate"),
        Location::Local(dir) => dir.clone(),
    };
    let keys_file = work.path().join("KEYS");
    let artifacts = Artifacts::new(&candidate_dir, &file_name);

    let mut plan = Plan::new(format!(
        "verify {file_name} of {version} RC{} from {candidate}",
        args.rc
    ));
    let candidate_export = match &candidate {
        Location::Svn(url) => Some(svn::export(url, &candidate_dir)),
        Location::Local(_) => None,
    };
    let keys_cat = match &keys {
        Location::Svn(url) => Some(svn::cat_public(url)),
        Location::Local(_) => None,
    };
    for cmd in candidate_export.iter().chain(&keys_cat) {
        plan.run(cmd.clone());
    }
    if let Location::Local(file) = &keys {
        plan.check(format!("read KEYS from {file} (at most 16 MiB)"));
    }
    plan.check(format!(
        "check {} (or its .sha256) against the tarball; refuse KEYS, .md5, .sha1, links and \
         special files in the candidate",
        artifacts.checksum
    ));
    plan.run(keyring.import_cmd(&keys_file));
    plan.run(keyring.verify_cmd(&work.path().join("signature.asc"), &artifacts.tarball));
    plan.check(format!(
        "read {} as untrusted input (nothing unpacked) and check it against the release rules",
        artifacts.tarball
    ));
    if let Some(source) = &tag_source {
        if let TagSource::Remote(remote) = source {
            plan.run(git::fetch_tag(&ctx.repo, remote, &tag));
        }
        plan.check(format!(
            "rebuild {file_name} from tag {tag} with the package writer and compare"
        ));
    }
    let build = build::Build {
        commands: args.build.then_some(config.build_commands.as_slice()),
        log: crate::records::verify_build_log(&config, &asked),
    };
    for line in build::planned(&build) {
        plan.check(line);
    }
    if ctx.dry_run {
        print!("{}", plan.render());
        return Ok(ExitCode::SUCCESS);
    }

    if let Some(cmd) = &candidate_export {
        eprintln!("  running: {cmd}");
        cmd.run(&ctx.sh).with_context(|| {
            format!(
                "cannot fetch the candidate from {candidate}: check the version and --rc, or \
                 pass --from <URL|DIR>"
            )
        })?;
    }
    let keys_bytes = match &keys {
        Location::Svn(url) => {
            svn::cat_limited(&ctx.sh, &svn::cat_public(url), locate::MAX_KEYS_BYTES)
                .and_then(|found| found.with_context(|| format!("there is no KEYS at {url}")))
                .with_context(|| {
                    format!(
                        "cannot fetch KEYS from {keys}: check svn-release-url, or pass --keys \
                     <URL|FILE> naming the project's published KEYS"
                    )
                })?
        }
        Location::Local(file) => locate::read_keys_file(file)?,
    };
    std::fs::write(&keys_file, &keys_bytes).with_context(|| format!("cannot write {keys_file}"))?;
    if std::fs::symlink_metadata(&artifacts.tarball).is_err() {
        let held: Vec<String> = locate::list_dir(&candidate_dir)
            .into_iter()
            .map(|(name, _)| escape_str(&name))
            .collect();
        bail!(
            "the candidate at {candidate} has no {file_name} (it holds: {}): check the version, \
             --rc and --from",
            if held.is_empty() {
                "nothing".to_string()
            } else {
                held.join(", ")
            }
        );
    }

    let keys_held = keyring.import(&ctx.sh, &keys_file).map(|keys| keys.len());
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
    let tarballs = config.release_names(version)?;
    let sources = config.sources();
    let mut checks = Vec::new();
    // What cargo reads of the main tarball, decided while the checks read it and made only
    // once they all passed.
    let mut skeleton = Ok(Skeleton::in_scratch("verify-load").held());
    // Every source tarball gets the same checks; those of the further ones carry its name.
    // Convenience binaries get the signature and checksum checks, not the source rules.
    for (index, name) in tarballs.iter().enumerate() {
        let settings = sources.get(index);
        let artifacts = Artifacts::new(&candidate_dir, name);
        let tarball = TarballCheck {
            ctx,
            source: settings,
            version,
            artifacts: &artifacts,
            keyring: &keyring,
            keys_held: &keys_held,
            work: work.path(),
            rebuild: tag_source.as_ref().map(|source| (source, tag.as_str())),
            format,
            limits,
        };
        let mut found = tarball.checks((index == 0).then_some(&mut skeleton));
        match index {
            0 => {
                // The directory as a whole, after the main tarball's checksum.
                let at = found.len().min(1);
                found.insert(at, checks::files_check(&candidate_dir, &keys, &tarballs));
                checks.extend(found)
            }
            _ => checks.extend(found.into_iter().map(|check| check.of(&tarballs[index]))),
        }
    }

    // No code of a candidate runs before everything else about it checked out.
    let skip = checks
        .iter()
        .any(|c| c.status != report::Status::Passed)
        .then_some("an earlier check failed, so the candidate is not unpacked");
    checks.extend(build::checks(
        ctx,
        &artifacts.tarball,
        work.path(),
        limits,
        &build,
        skip,
        skeleton,
    ));
    let report = report::report(args, &file_name, &candidate, &keys, keys_held.ok(), checks);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report::render(&report));
    }
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The checks of one source tarball of the candidate.
struct TarballCheck<'a> {
    ctx: &'a Ctx,
    /// The settings of a source tarball's build (its name, allow-list and top directory);
    /// `None` for a convenience binary.
    source: Option<&'a crate::config::Config>,
    version: &'a Version,
    artifacts: &'a Artifacts,
    keyring: &'a Keyring,
    keys_held: &'a Result<usize>,
    work: &'a camino::Utf8Path,
    rebuild: Option<(&'a TagSource, &'a str)>,
    format: ObjectFormat,
    limits: Limits,
}

impl TarballCheck<'_> {
    fn checks(&self, skeleton: Option<&mut Result<Skeleton>>) -> Vec<Check> {
        let (ctx, artifacts) = (self.ctx, self.artifacts);
        let file_name = artifacts.file_name();
        if std::fs::symlink_metadata(&artifacts.tarball).is_err() {
            let missing = anyhow::anyhow!("the candidate has no {file_name}");
            return vec![Check::from_error("checksum", "checksum", &missing)];
        }
        let rules = self
            .source
            .map(|config| crate::source::rules(config, self.version).map(|rules| (config, rules)));
        // The contents are read while the checksum and the signature are checked (the report
        // keeps its order): with a second core, they cost no time.
        let (sha512, signature, read) = std::thread::scope(|scope| {
            let reading = match &rules {
                Some(Ok((config, rules))) => {
                    let (tarball, limits) = (&artifacts.tarball, self.limits);
                    let hashing = match self.rebuild {
                        Some(_) => Hashing::everything(self.format),
                        None => Hashing::NOTHING,
                    };
                    let version = self.version;
                    Some(scope.spawn(move || {
                        checks::read_candidate(
                            tarball, hashing, limits, rules, config, version, skeleton,
                        )
                    }))
                }
                _ => None,
            };
            let sha512 = locate::open_regular(&artifacts.tarball).and_then(|file| {
                Algorithm::Sha512
                    .digest_reader(file)
                    .with_context(|| format!("cannot read {file_name}"))
            });
            let signature =
                checks::signature_check(ctx, self.keyring, self.keys_held, artifacts, self.work);
            let read = reading.map(|reading| {
                reading
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            (sha512, signature, read)
        });
        let mut checks = vec![
            checks::checksum_check(&artifacts.tarball, &sha512),
            signature,
        ];
        let (config, read) = match (rules, read) {
            (Some(Ok((config, _))), Some(read)) => (config, read),
            (Some(Err(err)), _) => {
                checks.push(Check::from_error("contents", "contents", &err));
                return checks;
            }
            _ => return checks,
        };
        checks.extend(read.checks);
        if let Some((source, tag)) = self.rebuild {
            let rebuild = Rebuild {
                ctx,
                config,
                version: self.version,
                tag,
                source,
                work: self.work,
                format: self.format,
            };
            let candidate = Candidate {
                tarball: &artifacts.tarball,
                sha512: sha512.as_ref().ok().map(String::as_str),
                digests: read.digests.as_ref(),
                index: &read.index,
                limits: self.limits,
            };
            checks.push(
                rebuild
                    .check(&candidate)
                    .unwrap_or_else(|err| Check::from_error("rebuild", REBUILD_TITLE, &err)),
            );
        }
        checks
    }
}
