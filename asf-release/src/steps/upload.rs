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

//! `upload`: the signed package of a release candidate goes to `dist/dev/<project>/<version>-rcN`
//! in one commit, checked before (checksum, signature against the published KEYS) and after
//! (the bytes read back from SVN).

use anyhow::{bail, Context, Result};

use crate::archive::checksum::{sha512_bytes, sha512_file};
use crate::args::CandidateArgs;
use camino::Utf8PathBuf;

use crate::artifacts::Artifacts;
use crate::config::Config;
use crate::plan::Plan;
use crate::tools::gpg;
use crate::tools::svn::{self, Change, Credentials};
use crate::tools::Tool;
use crate::version::Candidate;
use crate::Ctx;

/// The checks a voter makes, on the local files: the checksum matches, and the signature is
/// good for a key in the published KEYS. Returns the tarball's SHA-512.
fn check_local(
    ctx: &Ctx,
    config: &Config,
    creds: &Credentials,
    artifacts: &Artifacts,
    rebuild: &str,
) -> Result<String> {
    let actual = artifacts.check_packaged(rebuild)?;
    let keys_url = crate::keyring::keys_url(ctx, config, creds)?;
    let keys = svn::cat(&ctx.sh, creds, &keys_url, None)?.with_context(|| {
        format!("there is no KEYS file at {keys_url}: run `cargo xtask keys append` first")
    })?;
    let signature = gpg::verify_with_keys(&ctx.sh, &keys, &artifacts.signature, &artifacts.tarball)
        .with_context(|| {
            format!(
                "nothing was uploaded: a voter checks the signature against {keys_url} only; \
                 run `cargo xtask keys append` if your key is missing there, or rebuild the \
                 package with `{rebuild} --force`"
            )
        })?;
    eprintln!(
        "  checksum matches; good signature by {} ({}), a key of {keys_url}",
        signature.primary_fingerprint,
        crate::untrusted::escape_str(&signature.user_id)
    );
    Ok(actual)
}

/// Compares the files of a remote directory with the local artifacts; returns what differs.
pub fn remote_differences(
    ctx: &Ctx,
    creds: &Credentials,
    dir_url: &str,
    artifacts: &[Artifacts],
) -> Result<Vec<String>> {
    let entries = svn::list(&ctx.sh, creds, dir_url)?.unwrap_or_default();
    let mut differences = Vec::new();
    let local: Vec<Utf8PathBuf> = artifacts.iter().flat_map(Artifacts::published).collect();
    for entry in &entries {
        if !local.iter().any(|f| f.file_name() == Some(entry.as_str())) {
            differences.push(format!("{entry} is there but not in the local package"));
        }
    }
    for file in local {
        let name = file.file_name().unwrap_or_default();
        let url = svn::join(dir_url, name);
        match svn::cat(&ctx.sh, creds, &url, None)? {
            None => differences.push(format!("{name} is missing there")),
            Some(bytes) => {
                if sha512_bytes(&bytes) != sha512_file(&file)? {
                    differences.push(format!("{name} has other bytes than {file}"));
                }
            }
        }
    }
    Ok(differences)
}

pub fn run(ctx: &Ctx, args: &CandidateArgs) -> Result<()> {
    let config = ctx.config()?;
    let candidate = Candidate {
        version: args.version,
        rc: config.check_rc(args.rc)?,
    };
    crate::candidates::require(ctx, &config, &candidate)?;
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => config.candidate_artifact_dir(&candidate),
    };
    if crate::distribution::of(&config).upload_instead(ctx, &config, &candidate, &dir)? {
        return Ok(());
    }
    for tool in [Tool::Svn, Tool::Svnmucc, Tool::Gpg] {
        tool.require()?;
    }
    let creds = args.svn.credentials();
    let artifacts = Artifacts::of_release(&config, &dir, &candidate.version)?;
    let rebuild = format!(
        "cargo xtask package {} --rc {}",
        candidate.version, candidate.rc
    );
    let rc_url = config.rc_url(&candidate);

    // Not while `package` rewrites the same candidate, nor beside a second upload of it.
    let _lock = match ctx.dry_run {
        true => None,
        false => Some(crate::lock::acquire(&dir)?),
    };
    eprintln!("checking the local package in {dir} ...");
    let mut sha512s = Vec::new();
    for one in &artifacts {
        sha512s.push((
            one.file_name(),
            check_local(ctx, &config, &creds, one, &rebuild)?,
        ));
    }
    let listing = svn::list(&ctx.sh, &creds, &config.svn_dev_url)?.with_context(|| {
        format!(
            "{} does not exist: check svn-dev-url under [workspace.metadata.asf-release]",
            config.svn_dev_url
        )
    })?;
    // After promote the candidate is gone from dev: uploading it again would put a released
    // version back under vote.
    let release_url = config.release_url(&candidate.version);
    if svn::list(&ctx.sh, &creds, &release_url)?.is_some() {
        let differences = remote_differences(ctx, &creds, &release_url, &artifacts)?;
        if differences.is_empty() {
            println!(
                "{} is released with these exact files at {release_url}: nothing to do",
                candidate.version
            );
            return Ok(());
        }
        bail!(
            "{} is already released at {release_url} with other files ({}): a release \
             is never changed; nothing was uploaded; release the change as a new version",
            candidate.version,
            differences.join("; ")
        );
    }
    let dir_name = format!("{}/", config.candidate_name(&candidate));
    if listing.contains(&dir_name) {
        let differences = remote_differences(ctx, &creds, &rc_url, &artifacts)?;
        if differences.is_empty() {
            println!("{rc_url} already holds these exact files: nothing to do");
            return Ok(());
        }
        bail!(
            "{rc_url} already exists with other content ({}): an uploaded candidate is never \
             replaced; make a new one with a new number (tag it, then `cargo xtask package \
             {version} --rc {next}` and `cargo xtask upload {version} --rc {next}`)",
            differences.join("; "),
            version = candidate.version,
            next = candidate.rc.saturating_add(1)
        );
    }

    let mut changes = vec![Change::Mkdir(rc_url.clone())];
    for file in artifacts.iter().flat_map(Artifacts::published) {
        let name = file.file_name().unwrap_or_default();
        changes.push(Change::Put(file.clone(), svn::join(&rc_url, name)));
    }
    let message = format!(
        "Upload {} {candidate} for the release vote",
        config.display_name
    );
    let mut plan = Plan::new(format!("upload {candidate} to {rc_url}"));
    plan.mark_outward();
    plan.run_judged(
        svn::commit(&creds, &message, None, &changes),
        svn::commit_outcome(&rc_url),
    );
    plan.local(
        "read the files back from SVN and compare their SHA-512",
        || {
            let differences = remote_differences(ctx, &creds, &rc_url, &artifacts)?;
            if !differences.is_empty() {
                bail!(
                "after the upload, {rc_url} differs from the local package ({}): check it with \
                 `svn ls {rc_url}` before calling the vote",
                differences.join("; ")
            );
            }
            Ok(())
        },
    );
    if !plan.execute_confirmed(ctx)? {
        return Ok(());
    }
    println!("uploaded {rc_url}");
    for (name, sha512) in &sha512s {
        println!("  {}", svn::join(&rc_url, name));
        println!("  sha512: {sha512}");
    }
    Ok(())
}

/// Puts the candidate into dist/dev.
pub struct UploadStep;

impl crate::flow::Step for UploadStep {
    fn name(&self) -> &'static str {
        "upload"
    }
    fn phase(&self) -> &'static str {
        crate::flow::CANDIDATE
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        true
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        release.candidate_command(&["upload"])
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        let config = release.config;
        let route = crate::distribution::of(config);
        let candidate = release.candidate;
        if let Some(standing) = route.upload_state_instead(release.ctx, config, &candidate)? {
            return Progress::on_atr(standing);
        }
        let dir = format!("{}/", config.candidate_name(&candidate));
        if release.svn_has(&config.svn_dev_url, &dir)? {
            return Progress::done(format!("{}/{dir} exists", config.svn_dev_url));
        }
        // Promotion moves the candidate out of dev.
        if release.released()? {
            return Progress::done(format!(
                "promoted to {}",
                config.release_url(&release.candidate.version)
            ));
        }
        Progress::todo(format!("put {dir} into {}", config.svn_dev_url))
    }
}
