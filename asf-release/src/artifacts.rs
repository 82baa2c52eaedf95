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

//! The files of one release candidate, named once: the tarball and, next to it, its checksum,
//! signature and build info. `package` writes them; `upload`, `mail`, `verify` and the flow
//! find them by these names.

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};

use crate::archive::checksum::{self, sha512_file, Algorithm};
use crate::config::Config;
use crate::version::Version;

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

    /// Before an upload: the three files are there and the tarball still matches its checksum
    /// (it was not changed or damaged after packaging). Returns the tarball's SHA-512.
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

    /// What a candidate publishes of this tarball: the tarball, its signature and checksum.
    pub fn published(&self) -> [&Utf8PathBuf; 3] {
        [&self.tarball, &self.signature, &self.checksum]
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
