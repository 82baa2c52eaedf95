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

//! Convenience binaries (`binaries` in the settings): built by the project's command in the
//! unpacked main source tarball (so they come from the sources that are voted on), or taken
//! from the directory CI left them in; then signed and hashed like the sources. A binary that
//! is complete (file, good signature by the key, matching checksum) is left alone: builds are
//! rarely reproducible, so a rerun must not make other bytes.

use std::cell::OnceCell;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use crate::archive::checksum::{checksum_line, sha512_file};
use crate::artifacts::Artifacts;
use crate::config::{Binary, Config};
use crate::plan::Plan;
use crate::scratch::Scratch;
use crate::tools::gpg::{self, SecretKey};
use crate::tools::project;
use crate::version::Version;
use crate::Ctx;

/// What one binary needs: where the sources and the artifacts are, and the signing key.
pub(super) struct BinaryBuild<'a> {
    pub ctx: &'a Ctx,
    pub config: &'a Config,
    pub version: &'a Version,
    /// The main source tarball, already built and checked.
    pub sources: &'a Artifacts,
    pub dir: &'a Utf8Path,
    pub key: Option<&'a SecretKey>,
}

impl BinaryBuild<'_> {
    pub fn package(&self, binary: &Binary) -> Result<Artifacts> {
        let name = self.config.binary_name(binary, self.version)?;
        let artifacts = Artifacts::new(self.dir, &name);
        if self.complete(&artifacts)? {
            println!(
                "{} is already built, signed and hashed: nothing to do",
                artifacts.tarball
            );
            return Ok(artifacts);
        }
        let partial = Utf8PathBuf::from(format!("{}.partial", artifacts.tarball));
        let scratch: OnceCell<Scratch> = OnceCell::new();
        let (scratch, partial_ref, name_ref) = (&scratch, &partial, &name);
        let mut plan = Plan::new(format!("convenience binary {name}"));
        match (&binary.command, &binary.from) {
            (Some(command), _) => {
                let top = self.config.top_dir_name(self.version)?;
                let sources = &self.sources.tarball;
                plan.local(
                    format!("unpack {sources} into a temporary directory"),
                    move || {
                        let work = Scratch::new("binary")?;
                        unpack(sources, work.path())?;
                        let _ = scratch.set(work);
                        Ok(())
                    },
                );
                let shown = format!("{} (in <temporary>/{top})", command.join(" "));
                let top_dir = top.clone();
                plan.run_later(shown, move || {
                    let work = scratch.get().context("the sources were not unpacked")?;
                    Ok(Some(project::command(
                        command,
                        &work.path().join(&top_dir),
                    )?))
                });
                let path = self.config.binary_path(binary, self.version)?;
                let from = format!("<temporary>/{top}/{path}");
                plan.local(format!("copy {from} to {partial}"), move || {
                    let work = scratch.get().context("the sources were not unpacked")?;
                    let built = work.path().join(&top).join(&path);
                    copy_plain(&built, partial_ref)
                });
            }
            (None, Some(from)) => {
                let built = self.ctx.repo.join(from).join(&name);
                plan.local(format!("copy {built} to {partial}"), move || {
                    copy_plain(&built, partial_ref)
                });
            }
            (None, None) => bail!("binaries entry {name:?} has neither command nor from"),
        }
        if let Some(key) = self.key {
            let signature = Utf8PathBuf::from(format!("{}.partial", artifacts.signature));
            let passphrase = gpg::passphrase_from_env();
            let judge = gpg::signing_outcome(&key.fingerprint, passphrase.is_some());
            plan.run_judged(
                gpg::detach_sign(&key.fingerprint, partial_ref, &signature, passphrase),
                judge,
            );
            let final_signature = artifacts.signature.clone();
            plan.local(
                format!("move the signature to {final_signature}"),
                move || {
                    std::fs::rename(&signature, &final_signature)
                        .with_context(|| format!("cannot write {final_signature}"))
                },
            );
        }
        let (checksum, tarball) = (artifacts.checksum.clone(), artifacts.tarball.clone());
        plan.local(
            format!("write {checksum}, then move {partial} into place"),
            move || {
                let line = checksum_line(&sha512_file(partial_ref)?, name_ref);
                std::fs::write(&checksum, line)
                    .with_context(|| format!("cannot write {checksum}"))?;
                std::fs::rename(partial_ref, &tarball)
                    .with_context(|| format!("cannot write {tarball}"))
            },
        );
        plan.execute(&self.ctx.sh, self.ctx.dry_run)?;
        Ok(Artifacts::new(self.dir, &name))
    }

    /// The binary, its signature by the key and its checksum are all there and agree.
    fn complete(&self, artifacts: &Artifacts) -> Result<bool> {
        if artifacts.published().iter().any(|file| !file.is_file()) {
            return Ok(false);
        }
        let stated = std::fs::read_to_string(&artifacts.checksum).unwrap_or_default();
        let line = checksum_line(&sha512_file(&artifacts.tarball)?, artifacts.file_name());
        if stated != line {
            return Ok(false);
        }
        Ok(match self.key {
            Some(key) => gpg::verify(&self.ctx.sh, None, &artifacts.signature, &artifacts.tarball)
                .is_ok_and(|signature| signature.primary_fingerprint == key.fingerprint),
            None => true,
        })
    }
}

/// Unpacks this run's own, checked source tarball into `dir`.
fn unpack(tarball: &Utf8Path, dir: &Utf8Path) -> Result<()> {
    let file = std::fs::File::open(tarball).with_context(|| format!("cannot read {tarball}"))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    archive
        .unpack(dir)
        .with_context(|| format!("cannot unpack {tarball} into {dir}"))
}

/// Copies a built file, refusing anything but a plain file.
fn copy_plain(from: &Utf8Path, to: &Utf8Path) -> Result<()> {
    let kind = std::fs::symlink_metadata(from).with_context(|| {
        format!("{from} was not made: check the binaries entry (its command, path or from)")
    })?;
    if !kind.is_file() {
        bail!("{from} is not a plain file: a convenience binary must be one file");
    }
    std::fs::copy(from, to).with_context(|| format!("cannot copy {from} to {to}"))?;
    Ok(())
}
