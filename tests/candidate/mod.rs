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

//! The candidate the `verify` tests check: a real package made by `xtask package` with a
//! generated key, KEYS exported by gpg, and helpers to rewrite its tarball entry by entry.

#![allow(dead_code)]

use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::*;
use sha2::{Digest, Sha512};

pub const TARBALL: &str = "apache-demo-1.0.0-src.tgz";
pub const TOP: &str = "apache-demo-1.0.0-src";

/// A world with a signing key, the fixture repository tagged `1.0.0-rc1`, the packaged
/// candidate in `candidate/` (tarball, .asc, .sha512) and KEYS in `KEYS`.
pub struct Setup {
    pub world: World,
    pub repo: PathBuf,
    pub candidate: PathBuf,
    pub keys: PathBuf,
    pub fingerprint: String,
}

pub fn setup() -> Setup {
    let world = World::new();
    let fingerprint = world.generate_key("Release Manager", "rm@apache.org");
    let repo = world.fixture_repo("repo");
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    let candidate = world.path("candidate");
    package(&world, &repo, &candidate, &[]);
    let keys = world.path("KEYS");
    let exported = world.ok(world
        .command("gpg")
        .args(["--armor", "--export", &fingerprint]));
    std::fs::write(&keys, exported).unwrap();
    Setup {
        world,
        repo,
        candidate,
        keys,
        fingerprint,
    }
}

/// `xtask package` into `out`, leaving only what goes to dist (tarball, .asc, .sha512).
pub fn package(world: &World, repo: &Path, out: &Path, extra: &[&str]) {
    let mut args = package_args(repo, out);
    args.extend_from_slice(extra);
    let output = world.xtask(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    std::fs::remove_file(out.join(format!("{TARBALL}.build.json"))).unwrap();
}

impl Setup {
    /// A file:// SVN repository laid out like dist.apache.org: the published KEYS (the real
    /// release manager's key) in `release/demo` and, with `with_candidate`, the candidate in
    /// `dev/demo/1.0.0-rc1`; the repository's settings (working tree only, the tag is
    /// unchanged) point at it. Returns the repository's URL.
    pub fn publish_dist(&self, with_candidate: bool) -> String {
        let world = &self.world;
        let svn_repo = world.path("svnrepo");
        world.ok(world.command("svnadmin").arg("create").arg(&svn_repo));
        let url = format!("file://{}", svn_repo.display());
        let layout = world.path("layout");
        if with_candidate {
            let rc_dir = layout.join("dev/demo/1.0.0-rc1");
            std::fs::create_dir_all(&rc_dir).unwrap();
            for file in list_files(&self.candidate) {
                std::fs::copy(self.candidate.join(&file), rc_dir.join(&file)).unwrap();
            }
        }
        std::fs::create_dir_all(layout.join("release/demo")).unwrap();
        std::fs::copy(&self.keys, layout.join("release/demo/KEYS")).unwrap();
        world.ok(world
            .command("svn")
            .args(["import", "-q", "-m", "dist"])
            .arg(&layout)
            .arg(&url));
        let manifest = std::fs::read_to_string(self.repo.join("Cargo.toml")).unwrap();
        world.write(
            &self.repo,
            "Cargo.toml",
            format!(
                "{manifest}svn-dev-url = \"{url}/dev/demo\"\nsvn-release-url = \"{url}/release/demo\"\n"
            )
            .as_bytes(),
        );
        url
    }

    pub fn verify_from(&self, from: &Path, extra: &[&str]) -> Output {
        let mut args = vec![
            "--repo",
            self.repo.to_str().unwrap(),
            "verify",
            "1.0.0",
            "--rc",
            "1",
            "--from",
            from.to_str().unwrap(),
            "--keys",
            self.keys.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.world.xtask(&args)
    }

    /// A copy of the good candidate, to tamper with.
    pub fn copy(&self, name: &str) -> PathBuf {
        let dir = self.world.path(name);
        std::fs::create_dir_all(&dir).unwrap();
        for file in list_files(&self.candidate) {
            std::fs::copy(self.candidate.join(&file), dir.join(&file)).unwrap();
        }
        dir
    }

    /// Signs and hashes the tarball in `dir` again, so that only its content is wrong.
    pub fn sign_and_hash(&self, dir: &Path) {
        let tarball = dir.join(TARBALL);
        let bytes = std::fs::read(&tarball).unwrap();
        let digest = asf_release::archive::writer::hex(&Sha512::digest(&bytes));
        std::fs::write(
            dir.join(format!("{TARBALL}.sha512")),
            format!("{digest}  {TARBALL}\n"),
        )
        .unwrap();
        self.sign(
            &self.fingerprint,
            &tarball,
            &dir.join(format!("{TARBALL}.asc")),
        );
    }

    pub fn sign(&self, key: &str, file: &Path, signature: &Path) {
        self.world.ok(self
            .world
            .command("gpg")
            .args([
                "--batch",
                "--yes",
                "--armor",
                "--detach-sign",
                "--local-user",
                key,
            ])
            .arg("--output")
            .arg(signature)
            .arg(file));
    }

    pub fn tarball(&self) -> Vec<u8> {
        std::fs::read(self.candidate.join(TARBALL)).unwrap()
    }
}

pub fn assert_passes(output: &Output) {
    let text = stdout(output);
    assert!(
        output.status.success(),
        "expected success:\n{text}{}",
        stderr(output)
    );
    assert!(!text.contains('✗'), "{text}");
}

/// One entry of a tarball, as the tests rewrite it.
pub struct Item {
    pub header: tar::Header,
    pub path: Vec<u8>,
    pub data: Vec<u8>,
}

pub fn items_of(tgz: &[u8]) -> Vec<Item> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tgz));
    let mut items = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let header = entry.header().clone();
        let path = entry.path_bytes().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        items.push(Item { header, path, data });
    }
    items
}

pub fn file_item(path: &str, data: &[u8]) -> Item {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Regular);
    header.set_mode(0o644);
    header.set_size(data.len() as u64);
    Item {
        header,
        path: path.as_bytes().to_vec(),
        data: data.to_vec(),
    }
}

/// Writes the items as a `.tar.gz`. Paths go into the header as raw bytes when they fit, so a
/// test can write what the tar crate itself refuses (`..`); longer ones use GNU long names.
pub fn tarball_of(items: &[Item]) -> Vec<u8> {
    let gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(gzip);
    for item in items {
        let mut header = item.header.clone();
        if item.path.len() < 100 {
            let name = &mut header.as_old_mut().name;
            name.fill(0);
            name[..item.path.len()].copy_from_slice(&item.path);
            header.set_cksum();
            builder.append(&header, item.data.as_slice()).unwrap();
        } else {
            let path = Path::new(std::ffi::OsStr::from_bytes(&item.path));
            builder
                .append_data(&mut header, path, item.data.as_slice())
                .unwrap();
        }
    }
    builder.into_inner().unwrap().finish().unwrap()
}
