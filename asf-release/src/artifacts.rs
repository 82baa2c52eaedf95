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

//! The files of one release candidate, named once: the tarball and, next to it, its companions
//! (signature, checksum, build record), each `<tarball><suffix>` as [`COMPANIONS`] lists them.
//! `package` writes them; `upload`, `promote`, `mail`, `verify`, the download page and the
//! flow find them by these names, so a new kind of companion (an SBOM) is one entry there.

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use crate::archive::checksum::{self, sha512_file, Algorithm};
use crate::config::Config;
use crate::version::Version;

/// What a companion file is to the tarball it is named after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The detached armored OpenPGP signature.
    Signature,
    /// The tarball's digest, one line as `sha512sum` writes it.
    Checksum(Algorithm),
    /// What `package` recorded of the build, for the release manager.
    BuildRecord,
}

/// Where a companion goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// `package` writes it; it is uploaded, voted on and released with the tarball.
    Published,
    /// `package` writes it beside the tarball; it is never uploaded.
    Local,
    /// Not written here; accepted beside a tarball made elsewhere (ASF policy allows it).
    Accepted,
}

/// A file that goes with a tarball: `<tarball><suffix>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Companion {
    pub role: Role,
    pub suffix: &'static str,
    pub reach: Reach,
}

pub const SIGNATURE: Companion = Companion {
    role: Role::Signature,
    suffix: ".asc",
    reach: Reach::Published,
};
pub const SHA512: Companion = Companion {
    role: Role::Checksum(Algorithm::Sha512),
    suffix: ".sha512",
    reach: Reach::Published,
};
pub const SHA256: Companion = Companion {
    role: Role::Checksum(Algorithm::Sha256),
    suffix: ".sha256",
    reach: Reach::Accepted,
};
pub const BUILD_RECORD: Companion = Companion {
    role: Role::BuildRecord,
    suffix: ".build.json",
    reach: Reach::Local,
};

/// Every file that may lie beside a tarball in a candidate, in the order they are listed
/// (uploaded, served, checked); the preferred checksum comes before the accepted one.
pub const COMPANIONS: [Companion; 4] = [SIGNATURE, SHA512, SHA256, BUILD_RECORD];

impl Companion {
    /// The companion's name for `tarball`, a file name, path or URL.
    pub fn of(&self, tarball: &str) -> String {
        format!("{tarball}{}", self.suffix)
    }
}

/// The companions a candidate publishes beside each tarball, in upload order.
pub fn published() -> impl Iterator<Item = &'static Companion> {
    COMPANIONS
        .iter()
        .filter(|companion| companion.reach == Reach::Published)
}

/// The checksum companions a candidate may have, the preferred one first.
pub fn checksums() -> impl Iterator<Item = (&'static Companion, Algorithm)> {
    COMPANIONS
        .iter()
        .filter_map(|companion| match companion.role {
            Role::Checksum(algorithm) => Some((companion, algorithm)),
            _ => None,
        })
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
            checksum: dir.join(SHA512.of(file_name)),
            signature: dir.join(SIGNATURE.of(file_name)),
            build_info: dir.join(BUILD_RECORD.of(file_name)),
        }
    }

    pub fn file_name(&self) -> &str {
        self.tarball.file_name().unwrap_or_default()
    }

    /// Before an upload: the published files are there and the tarball still matches its
    /// checksum (it was not changed or damaged after packaging). Returns the tarball's SHA-512.
    pub fn check_packaged(&self, rebuild: &str) -> Result<String> {
        for file in self.published() {
            if !file.is_file() {
                bail!(
                    "{file} is missing: nothing was uploaded; create the package with `{rebuild}`"
                );
            }
        }
        let stated = std::fs::read(&self.checksum)
            .with_context(|| format!("cannot read {}", self.checksum))?;
        let stated = checksum::stated_digest(
            Algorithm::Sha512,
            &stated,
            self.file_name(),
            self.checksum.as_str(),
        )?;
        let actual = sha512_file(&self.tarball)?;
        if stated != actual {
            bail!(
                "{} does not match {}: the file was changed or damaged after packaging; \
                 nothing was uploaded; rebuild it with `{rebuild} --force`",
                self.tarball,
                self.checksum
            );
        }
        Ok(actual)
    }

    /// What a candidate publishes of this tarball: the tarball, then its published companions.
    pub fn published(&self) -> Vec<Utf8PathBuf> {
        let companions = published().map(|companion| companion.of(self.tarball.as_str()).into());
        std::iter::once(self.tarball.clone())
            .chain(companions)
            .collect()
    }

    /// The files of every artifact of a release in `dir`: the source tarballs, the main one
    /// first, then the convenience binaries.
    pub fn of_release(
        config: &Config,
        dir: &Utf8Path,
        version: &Version,
    ) -> Result<Vec<Artifacts>> {
        Ok(config
            .release_names(version)?
            .iter()
            .map(|name| Artifacts::new(dir, name))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_candidate_publishes_the_tarball_signature_and_checksum_in_that_order() {
        let artifacts = Artifacts::new(Utf8Path::new("out"), "a-1.0.0-src.tgz");
        let names: Vec<String> = artifacts
            .published()
            .iter()
            .map(|path| path.to_string())
            .collect();
        assert_eq!(
            names,
            [
                "out/a-1.0.0-src.tgz",
                "out/a-1.0.0-src.tgz.asc",
                "out/a-1.0.0-src.tgz.sha512"
            ]
        );
        assert_eq!(artifacts.build_info, "out/a-1.0.0-src.tgz.build.json");
    }

    #[test]
    fn the_preferred_checksum_comes_first_and_the_accepted_one_is_not_published() {
        let checksums: Vec<&str> = checksums().map(|(companion, _)| companion.suffix).collect();
        assert_eq!(checksums, [".sha512", ".sha256"]);
        assert!(published().all(|companion| companion.suffix != ".sha256"));
    }
}
