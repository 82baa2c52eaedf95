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

//! `promote`: after a passed vote, the candidate moves from dist/dev to dist/release in one
//! server-side commit that also removes the other candidates of the version and brings the
//! release KEYS up to date. The bytes do not change, so the voted hashes stay valid. Nothing
//! moves without evidence that the vote passed (see [`crate::vote_evidence`]), and the commit
//! message says what that evidence was.

use std::io::Write;

use anyhow::{bail, Context, Result};
use camino::Utf8Path;

use crate::archive::checksum::{self, sha512_bytes, Algorithm};
use crate::args::CandidateArgs;
use crate::artifacts;
use crate::plan::Plan;
use crate::tools::gpg;
use crate::tools::svn::{self, Change};
use crate::tools::Tool;
use crate::version::Candidate;
use crate::vote_evidence::{self, VoteEvidenceArgs};
use crate::Ctx;

#[derive(clap::Args, Debug)]
pub struct PromoteArgs {
    #[command(flatten)]
    pub candidate: CandidateArgs,
    #[command(flatten)]
    pub vote: VoteEvidenceArgs,
}

pub fn run(ctx: &Ctx, args: &PromoteArgs) -> Result<()> {
    let config = ctx.config()?;
    let candidate = Candidate {
        version: args.candidate.version,
        rc: config.check_rc(args.candidate.rc)?,
    };
    let counted_elsewhere = args.vote.vote_counted_elsewhere.is_some();
    let route = crate::distribution::of(&config);
    if route.promote_instead(ctx, &config, &candidate, counted_elsewhere)? {
        return Ok(());
    }
    for tool in [Tool::Svn, Tool::Svnmucc, Tool::Gpg] {
        tool.require()?;
    }
    let creds = args.candidate.svn.credentials();
    let sh = &ctx.sh;
    let rc_url = config.rc_url(&candidate);
    let release_url = config.release_url(&candidate.version);

    let revision = svn::head_revision(sh, &creds, &config.svn_dev_url)?;
    let dev = svn::list(sh, &creds, &config.svn_dev_url)?
        .with_context(|| format!("{} does not exist: check svn-dev-url", config.svn_dev_url))?;
    let release = svn::list(sh, &creds, &config.svn_release_url)?.with_context(|| {
        format!(
            "{} does not exist: check svn-release-url",
            config.svn_release_url
        )
    })?;
    let candidates: Vec<u32> = dev
        .iter()
        .filter_map(|entry| config.parse_candidate_dir(entry))
        .filter(|found| found.version == candidate.version)
        .map(|found| found.rc)
        .collect();
    let released = release.contains(&format!("{}/", config.release_dir_name(&candidate.version)));
    match (candidates.contains(&candidate.rc), released) {
        (false, true) => return already_released(ctx, &config, &creds, &candidate),
        (true, true) => bail!(
            "{release_url} already exists: a release is never overwritten; nothing was changed \
             (remove {rc_url} with `cargo xtask prune` if it is left over)"
        ),
        (false, false) => bail!(
            "there is no candidate {rc_url} (candidates of {version} in dev: {}): upload it \
             with `cargo xtask upload {version} --rc {rc}`",
            if candidates.is_empty() {
                "none".to_string()
            } else {
                candidates
                    .iter()
                    .map(|n| format!("RC{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            version = candidate.version,
            rc = candidate.rc
        ),
        (true, false) => {}
    }

    let evidence = vote_evidence::require(ctx, &config, &candidate, &args.vote)?;
    eprintln!("  {}", evidence.summary());
    // The voted bytes of every tarball must still match their checksum before they become the
    // release.
    let mut voted = Vec::new();
    for name in config.release_names(&candidate.version)? {
        voted.push(read_voted(sh, &creds, &rc_url, &name, revision)?);
    }
    let mut changes = vec![Change::Mv(rc_url.clone(), release_url.clone())];
    let mut removed = Vec::new();
    for &other in candidates.iter().filter(|&&n| n != candidate.rc) {
        removed.push(format!("RC{other}"));
        changes.push(Change::Rm(config.rc_url(&Candidate {
            rc: other,
            ..candidate
        })));
    }
    // KEYS in release follows the dev KEYS release managers append to, when it only adds.
    let dev_keys = svn::cat(sh, &creds, &config.dev_keys_url(), Some(revision))?;
    let release_keys = svn::cat(sh, &creds, &config.release_keys_url(), Some(revision))?;
    let mut keys_file = None;
    let mut keys_after = release_keys.clone().unwrap_or_default();
    if let Some(dev_keys) = dev_keys {
        let release_keys = release_keys.unwrap_or_default();
        if dev_keys != release_keys {
            if dev_keys.starts_with(&release_keys) {
                let mut file =
                    tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
                file.write_all(&dev_keys)
                    .context("cannot write a temporary file")?;
                let path = Utf8Path::from_path(file.path())
                    .context("the temporary path is not UTF-8")?
                    .to_owned();
                changes.push(Change::Put(path, config.release_keys_url()));
                keys_file = Some(file);
                keys_after = dev_keys;
            } else {
                eprintln!(
                    "warning: {} is not {} plus new entries, so it is left alone; make sure the \
                     signing key is in it",
                    config.dev_keys_url(),
                    config.release_keys_url()
                );
            }
        }
    }
    // Users check a release against the release KEYS only: it must know the signing key.
    for file in &voted {
        check_signature(ctx, file, &keys_after).with_context(|| {
            format!(
                "nothing was changed: {}.asc cannot be checked with the KEYS {} will carry; add \
                 the signing key to {} (`cargo xtask keys append`) and run promote again",
                svn::join(&rc_url, &file.name),
                config.release_keys_url(),
                config.dev_keys_url()
            )
        })?;
    }
    let message = format!(
        "Release {} {}: move {} from dev; {}",
        config.display_name,
        candidate.version,
        config.candidate_name(&candidate),
        evidence.summary()
    );
    let mut plan = Plan::new(format!("promote {candidate} to {release_url}"));
    plan.mark_outward();
    plan.run_judged(
        svn::commit(&creds, &message, Some(revision), &changes),
        svn::commit_outcome(&config.svn_release_url),
    );
    plan.local(
        "read the release back and compare each tarball's SHA-512 with the voted one",
        || {
            for file in &voted {
                let url = svn::join(&release_url, &file.name);
                let released = svn::cat(sh, &creds, &url, None)?;
                if released.as_deref().map(sha512_bytes).as_deref() != Some(file.sha512.as_str()) {
                    bail!("{url} does not hold the voted bytes after the commit: check it with `svn ls {release_url}`");
                }
            }
            Ok(())
        },
    );
    let promoted = plan.execute_confirmed(ctx)?;
    drop(keys_file);
    if !promoted {
        return Ok(());
    }
    println!("released {release_url}");
    if !removed.is_empty() {
        println!(
            "  removed the other candidates from dev: {}",
            removed.join(", ")
        );
    }
    for file in &voted {
        println!("  {}  sha512: {}", file.name, file.sha512);
    }
    println!("next: wait for the mirrors (about a day), update the download page, then send the ANNOUNCE mail");
    Ok(())
}

/// The version is in dist/release and the candidate is not in dist/dev: a rerun after the
/// promotion of this candidate is a no-op; any other candidate is refused, naming the one the
/// release was made from (svn keeps where the directory was copied from).
fn already_released(
    ctx: &Ctx,
    config: &crate::config::Config,
    creds: &svn::Credentials,
    candidate: &Candidate,
) -> Result<()> {
    let release_url = config.release_url(&candidate.version);
    let source = svn::copied_from(&ctx.sh, creds, &release_url)?
        .and_then(|dir| config.parse_candidate_dir(&format!("{dir}/")));
    match source {
        Some(from) if from == *candidate => {
            println!(
                "{release_url} was promoted from RC{} already: nothing to do",
                candidate.rc
            );
            Ok(())
        }
        Some(from) => bail!(
            "{} is released already, from {} ({release_url} is its copy), not from RC{}: \
             nothing was changed; a release is never replaced",
            candidate.version,
            config.rc_url(&from),
            candidate.rc
        ),
        None => {
            // Made without a copy (by hand): which candidate it holds is not recorded.
            crate::candidates::require(ctx, config, candidate)?;
            println!(
                "{release_url} exists and {} is gone: already released, nothing to do",
                config.rc_url(candidate)
            );
            Ok(())
        }
    }
}

/// One voted tarball as the candidate directory holds it, checked against its checksum.
struct Voted {
    name: String,
    sha512: String,
    tarball: Vec<u8>,
    signature: Vec<u8>,
}

fn read_voted(
    sh: &xshell::Shell,
    creds: &svn::Credentials,
    rc_url: &str,
    name: &str,
    revision: u64,
) -> Result<Voted> {
    let tarball_url = svn::join(rc_url, name);
    let checksum_url = artifacts::SHA512.of(&tarball_url);
    let signature_url = artifacts::SIGNATURE.of(&tarball_url);
    let missing = |url: &str| {
        format!(
            "{url} is missing: the candidate is incomplete, nothing was changed; upload a new RC"
        )
    };
    let tarball = svn::cat(sh, creds, &tarball_url, Some(revision))?
        .with_context(|| missing(&tarball_url))?;
    let checksum = svn::cat(sh, creds, &checksum_url, Some(revision))?
        .with_context(|| missing(&checksum_url))?;
    let stated = checksum::stated_digest(Algorithm::Sha512, &checksum, name, &checksum_url)?;
    let sha512 = sha512_bytes(&tarball);
    if stated != sha512 {
        bail!("{tarball_url} does not match {checksum_url}: nothing was changed; the candidate is damaged, upload a new RC");
    }
    let signature = svn::cat(sh, creds, &signature_url, Some(revision))?
        .with_context(|| missing(&signature_url))?;
    Ok(Voted {
        name: name.to_string(),
        sha512,
        tarball,
        signature,
    })
}

/// Verifies a tarball's signature with nothing but `keys`, as a user of the release does.
fn check_signature(ctx: &Ctx, file: &Voted, keys: &[u8]) -> Result<()> {
    let (name, tarball, signature) = (&file.name, &file.tarball, &file.signature);
    let dir = crate::scratch::Scratch::new("promote")?;
    let dir_path = dir.path();
    let tarball_path = dir_path.join(name);
    let signature_path = dir_path.join(artifacts::SIGNATURE.of(name));
    std::fs::write(&tarball_path, tarball)
        .with_context(|| format!("cannot write {tarball_path}"))?;
    std::fs::write(&signature_path, signature)
        .with_context(|| format!("cannot write {signature_path}"))?;
    let good = gpg::verify_with_keys(&ctx.sh, keys, &signature_path, &tarball_path)?;
    eprintln!(
        "  good signature by {} ({}), a key of the release KEYS",
        good.primary_fingerprint,
        crate::untrusted::escape_str(&good.user_id)
    );
    Ok(())
}

/// Moves the voted candidate to dist/release.
pub struct PromoteStep;

impl crate::flow::Step for PromoteStep {
    fn name(&self) -> &'static str {
        "promote"
    }
    fn phase(&self) -> &'static str {
        crate::flow::PUBLISH
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        true
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        let mut args = release.candidate_command(&["promote"]);
        // The vote's evidence: the thread and roster the tally counted.
        if !crate::distribution::of(release.config).resolves_votes() {
            release.vote_arguments(&mut args);
        }
        args
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        if crate::distribution::of(release.config).resolves_votes() {
            return match release.released()? {
                true => Progress::done("ATR holds the voted files (finish phase or published)"),
                false => Progress::todo("the vote must pass and be resolved on ATR"),
            };
        }
        let url = release.config.release_url(&release.candidate.version);
        match release.released()? {
            true => Progress::done(format!("{url} exists")),
            false => Progress::todo(format!(
                "move RC{} to {url} once the count of the thread shows the vote passed",
                release.candidate.rc
            )),
        }
    }
    fn after_failure(&self, release: &crate::flow::Release) -> Option<String> {
        Some(format!(
            "if this is a permission problem, ask a PMC member to run `cargo xtask promote {} \
             --rc {}`, then rerun `cargo xtask release {}`",
            release.candidate.version, release.candidate.rc, release.line
        ))
    }
}
