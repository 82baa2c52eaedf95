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

mod artifacts;
mod binary;
mod check;
mod load;

use crate::version::{Candidate, Version};
use camino::Utf8PathBuf;
use std::io::Write;

use anyhow::{bail, Context, Result};
use camino::Utf8Path;

use artifacts::{print_summary, same_bytes, write_build_info, Staging};
use check::{check_archive, write_and_follow};
use load::{check_loads, LoadCheck};

use std::cell::RefCell;

use crate::archive::checks::Rules;
use crate::archive::checksum::checksum_line;
use crate::archive::skeleton::Skeleton;
use crate::archive::writer::Digests;
use crate::artifacts::Artifacts;
use crate::config::Config;
use crate::plan::Plan;
use crate::source::{release_tree, rules, ReleaseTree};
use crate::tools::git;
use crate::tools::gpg::{self, SecretKey};
use crate::tools::Tool;
use crate::Ctx;

#[derive(clap::Args, Debug)]
pub struct PackageArgs {
    /// The version to release, like 2.3.0.
    #[arg(value_parser = crate::args::parse_version, allow_hyphen_values = true)]
    pub version: Version,
    /// The release candidate number: selects the tag `2.3.0-rc1` and the output directory.
    #[arg(long, value_parser = crate::args::parse_rc)]
    pub rc: Option<u32>,
    /// Build from this git ref instead of the version's tag.
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,
    /// Write the artifacts here (default: out-dir/<version>[-rcN] of the configuration).
    #[arg(long, value_name = "DIR", value_parser = crate::args::absolute_path)]
    pub out: Option<Utf8PathBuf>,
    /// Do not sign (a check of the tarball alone, for CI on every change).
    #[arg(long)]
    pub no_sign: bool,
    /// Replace existing artifacts of this version that differ from the new build.
    #[arg(long)]
    pub force: bool,
    /// Sign with this key (default: signing-key of the configuration).
    #[arg(long)]
    pub key: Option<String>,
}

/// The commit to package and how it was chosen.
struct Source {
    reference: String,
    commit: String,
    /// The version's own tag named the commit (not `--ref`, not HEAD).
    from_version_tag: bool,
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
            from_version_tag: false,
        });
    }
    let tag = match args.rc {
        Some(rc) => config.candidate_tag(&Candidate {
            version: args.version,
            rc,
        })?,
        None => config.release_tag(&args.version)?,
    };
    if let Some(commit) = git::tag_commit(sh, &ctx.repo, &tag)? {
        return Ok(Source {
            reference: tag,
            commit,
            from_version_tag: true,
        });
    }
    if let Some(rc) = args.rc {
        // A candidate is what its tag holds: building something else under its number would
        // sign other sources than the ones voted on.
        let tagged = crate::candidates::tagged(ctx, config, &args.version)?;
        bail!(
            "there is no tag `{tag}` for release candidate {rc} of {} (its candidates: {}): tag \
             it first (`cargo xtask tag {} --rc {rc}`), or build another commit explicitly with \
             --ref (like --ref HEAD)",
            args.version,
            crate::candidates::describe(&args.version, &tagged),
            args.version
        );
    }
    let dirt = crate::leftovers::dirt(ctx, config)?;
    crate::leftovers::refuse_others(&dirt, "package")?;
    let changes = dirt.user;
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
        from_version_tag: false,
    })
}

/// Builds every source tarball of the release (the main one, then each of `extra-sources`)
/// from one commit, each checked, hashed and signed on its own.
pub fn run(ctx: &Ctx, args: &PackageArgs) -> Result<Vec<Artifacts>> {
    Tool::Git.require()?;
    if !args.no_sign {
        Tool::Gpg.require()?;
    }
    let config = ctx.config()?;
    if let Some(rc) = args.rc {
        config.check_rc(rc)?;
    }
    let source = choose_source(ctx, &config, args)?;
    let mut all = config
        .sources()
        .iter()
        .enumerate()
        .map(|(index, settings)| package_one(ctx, args, settings, &source, index == 0))
        .collect::<Result<Vec<_>>>()?;
    if !config.binaries.is_empty() {
        let key = match args.no_sign {
            true => None,
            false => {
                let selector = args.key.as_deref().or(config.signing_key.as_deref());
                Some(gpg::signing_key(&ctx.sh, selector)?)
            }
        };
        let dir = all[0].tarball.parent().unwrap_or(&ctx.repo).to_owned();
        let build = binary::BinaryBuild {
            ctx,
            config: &config,
            version: &args.version,
            sources: &all[0].clone(),
            dir: &dir,
            key: key.as_ref(),
        };
        let mut binaries = Vec::new();
        for binary in &config.binaries {
            binaries.push(build.package(binary)?);
        }
        all.extend(binaries);
    }
    Ok(all)
}

/// One source tarball, with the settings of its own build (see `Config::sources`).
fn package_one(
    ctx: &Ctx,
    args: &PackageArgs,
    config: &Config,
    source: &Source,
    main: bool,
) -> Result<Artifacts> {
    let sign = !args.no_sign;
    let version = &args.version;
    let top_dir = config.top_dir_name(version)?;
    let tree = release_tree(ctx, config, &source.commit, top_dir)?;
    tree.removed.report(&tree.warnings);
    let left_out = tree
        .license_configs
        .iter()
        .filter(|(path, text)| crate::archive::license::sources::matters_to_voters(path, text));
    for (path, _) in left_out {
        eprintln!(
            "warning: {path} is left out of the tarball: the license audit here honours it, but \
             a voter's `verify` cannot; add it to includes (or remove the rule that drops it)"
        );
    }
    // An extra tarball carries the version files it holds; the main one carries them all.
    let mut checked = config.clone();
    if !main {
        checked.version_files.retain(|file| {
            let path = crate::config::version_file::path_for(file, version);
            tree.contains(&path).unwrap_or(false)
        });
    }
    let built = crate::version_files::Built {
        tree: &tree,
        reference: &source.reference,
        from_version_tag: source.from_version_tag,
        main,
    };
    let version_checked =
        crate::version_files::check_release_tree(ctx, &checked, &built, version, sign)?;
    let rules = rules(config, version)?;
    let dir = match &args.out {
        Some(dir) => dir.clone(),
        None => match args.rc {
            Some(rc) => config.candidate_artifact_dir(&Candidate {
                version: *version,
                rc,
            }),
            None => config.release_artifact_dir(version),
        },
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
    let build: RefCell<Option<Build>> = RefCell::new(None);
    let mut plan = Plan::new(format!(
        "package {} from {} ({})",
        artifacts.file_name(),
        source.reference,
        &source.commit[..12.min(source.commit.len())]
    ));
    // Everything is made in a staging directory next to the artifacts and moved into place
    // at the end, the tarball last, so that its presence means the others are complete.
    // The main tarball's plan makes the directory the others go to as well.
    if main && !dir.exists() {
        plan.local(format!("create the output directory {dir}"), || {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create the output directory {dir}"))
        });
    }
    if !version_checked.is_empty() {
        plan.check(version_checked);
    }
    let (tree, artifacts, key) = (&tree, &artifacts, &key);
    plan.local(
        format!(
            "build {} from {} files of the git tree, mtime {}, read it back, check it against \
             the release rules and the git tree, and write its checksum{}",
            artifacts.tarball,
            tree.file_count,
            tree.mtime,
            if existing {
                " (compared with the existing file, which is kept when equal)"
            } else {
                ""
            }
        ),
        || {
            eprintln!(
                "packaging {} from {} ...",
                artifacts.file_name(),
                source.reference
            );
            let made = build_staged(
                ctx,
                args,
                &dir,
                artifacts,
                tree,
                source,
                rules,
                key.as_ref(),
            )?;
            *build.borrow_mut() = Some(made);
            Ok(())
        },
    );
    if let Some(key) = key {
        let staged = Artifacts::new(Utf8Path::new("<staging>"), artifacts.file_name());
        let shown = gpg::detach_sign(&key.fingerprint, &staged.tarball, &staged.signature, None);
        let verify = gpg::verify_cmd(None, &staged.signature, &staged.tarball);
        let passphrase = gpg::passphrase_from_env();
        let judge = gpg::signing_outcome(&key.fingerprint, passphrase.is_some());
        plan.run_later_judged(
            shown.to_string(),
            || {
                let build = build.borrow();
                let build = build.as_ref().context("the tarball was not built")?;
                Ok((!build.signature_done).then(|| {
                    gpg::detach_sign(
                        &key.fingerprint,
                        &build.staged.tarball,
                        &build.staged.signature,
                        passphrase,
                    )
                }))
            },
            judge,
        );
        plan.local(
            format!(
                "check that `{verify}` finds a good signature by {}",
                key.fingerprint
            ),
            || {
                let build = build.borrow();
                let build = build.as_ref().context("the tarball was not built")?;
                match build.signature_done {
                    true => Ok(()),
                    false => {
                        check_signature(ctx, key, &build.staged.tarball, &build.staged.signature)
                    }
                }
            },
        );
    }
    plan.local(
        format!("move the files into {dir}, the tarball last"),
        || {
            let build = build.borrow();
            let build = build.as_ref().context("the tarball was not built")?;
            build.move_into_place(artifacts, key.is_some())
        },
    );
    if ctx.dry_run {
        plan.execute(&ctx.sh, true)?;
        return Ok(artifacts.clone());
    }
    let _lock = crate::lock::acquire(&dir)?;
    plan.execute(&ctx.sh, false)?;
    let build = build.into_inner().context("the tarball was not built")?;
    if build.nothing_to_do() {
        println!(
            "{} is already packaged with the same bytes: nothing to do",
            artifacts.tarball
        );
    } else {
        println!("packaged {}", artifacts.tarball);
    }
    print_summary(artifacts, &build.digests, key.is_some());
    Ok(artifacts.clone())
}

/// What the build in the staging directory made and found.
struct Build {
    staged: Staging,
    digests: Digests,
    keep_existing_tarball: bool,
    checksum_done: bool,
    signature_done: bool,
}

impl Build {
    fn nothing_to_do(&self) -> bool {
        self.keep_existing_tarball && self.checksum_done && self.signature_done
    }

    fn move_into_place(&self, artifacts: &Artifacts, signed: bool) -> Result<()> {
        if self.nothing_to_do() {
            return Ok(());
        }
        let staged = &self.staged;
        let moves = [
            (&staged.checksum, &artifacts.checksum, true),
            (
                &staged.signature,
                &artifacts.signature,
                signed && !self.signature_done,
            ),
            (&staged.build_info, &artifacts.build_info, true),
            (
                &staged.tarball,
                &artifacts.tarball,
                !self.keep_existing_tarball,
            ),
        ];
        for (from, to, wanted) in moves {
            if wanted {
                std::fs::rename(from, to).with_context(|| format!("cannot move {from} to {to}"))?;
            }
        }
        Ok(())
    }
}

/// Builds the tarball into a staging directory, reading it back as a stranger would while it
/// is written, and decides what of the existing artifacts can stay.
#[allow(clippy::too_many_arguments)]
fn build_staged(
    ctx: &Ctx,
    args: &PackageArgs,
    dir: &Utf8Path,
    artifacts: &Artifacts,
    tree: &ReleaseTree,
    source: &Source,
    rules: Rules,
    key: Option<&SecretKey>,
) -> Result<Build> {
    let staged = Staging::new(dir, artifacts.file_name())?;
    // The checker reads the file back from disk as it grows: what it checks is what is there.
    let (file, mut following) = write_and_follow(&staged.tarball)?;
    let cwd = ctx.sh.current_dir();
    let cwd = Utf8Path::from_path(&cwd).unwrap_or(&ctx.repo);
    let (written, checked, loaded) = std::thread::scope(|scope| {
        let checker =
            scope.spawn(|| check_archive(&mut following, artifacts.file_name(), tree, rules));
        // What the archive holds is what the checker compares with the tree, entry by entry:
        // the skeleton can be made from what is written, before the compression ends.
        let mut load = LoadCheck::Feeding(Ok(Skeleton::in_scratch("package-load")));
        // `out` is dropped at the end of the closure, which ends the checker's input.
        let written = tree
            .write(ctx, file, &mut |event| load.queued(event, scope, cwd))
            .and_then(|(mut out, digests)| {
                out.flush().context("cannot write the tarball")?;
                Ok((digests, out.written()))
            });
        let checked = checker
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the archive checker stopped unexpectedly")));
        // cargo's answer counts only for an archive that was written and checked whole.
        let loaded = match (&written, &checked) {
            (Ok(_), Ok(_)) => Some(load.loaded(ctx, &staged.tarball, artifacts.file_name())),
            _ => None,
        };
        (written, checked, loaded)
    });
    let (digests, written) = written?;
    let read_back = checked?;
    if following.read_so_far() != written {
        bail!("the tarball on disk differs from what was written (disk or filesystem problem): try again");
    }
    if let Some(loaded) = loaded {
        check_loads(loaded?, artifacts.file_name())?;
    }

    let mut keep_existing_tarball = false;
    if artifacts.tarball.exists() {
        if same_bytes(&artifacts.tarball, &staged.tarball)? {
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
    let signature_done = match (key, keep_existing_tarball && artifacts.signature.exists()) {
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
        (Some(_), false) => false,
        (None, _) => true,
    };
    std::fs::write(&staged.checksum, &checksum)
        .with_context(|| format!("cannot write {}", staged.checksum))?;
    write_build_info(&staged.build_info, source, tree, &digests, &read_back)?;
    Ok(Build {
        staged,
        digests,
        keep_existing_tarball,
        checksum_done,
        signature_done,
    })
}

fn check_signature(
    ctx: &Ctx,
    key: &SecretKey,
    tarball: &Utf8Path,
    signature: &Utf8Path,
) -> Result<()> {
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

/// Builds, hashes and signs the candidate's tarball.
pub struct PackageStep;

impl crate::flow::Step for PackageStep {
    fn name(&self) -> &'static str {
        "package"
    }
    fn phase(&self) -> &'static str {
        crate::flow::CANDIDATE
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        false
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        release.candidate_command(&["package"])
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        let config = release.config;
        let dir = config.candidate_artifact_dir(&release.candidate);
        let all = Artifacts::of_release(config, &dir, &release.candidate.version)?;
        let missing = all
            .iter()
            .find(|artifacts| artifacts.published().iter().any(|file| !file.exists()));
        match missing {
            None => Progress::done(format!("{} signed and hashed", all[0].tarball)),
            Some(artifacts) => Progress::todo(format!("build {}", artifacts.file_name())),
        }
    }
}
