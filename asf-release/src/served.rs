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

//! Whether a release is served where users download it: every artifact of the version, its
//! `.asc` and `.sha512`, and KEYS, fetched from the configured download base URL (by default
//! downloads.apache.org, which the mirror system fills from dist/release some minutes after
//! `promote`) and compared by SHA-512 with the bytes in dist/release. The ANNOUNCE mail must
//! not go out before this holds.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use xshell::Shell;

use crate::archive::checksum::sha512_bytes;
use crate::config::Config;
use crate::tools::{curl, svn};
use crate::untrusted::escape_short;
use crate::version::Version;

/// No release file of a project comes near this; a larger one is not read.
const FILE_LIMIT: u64 = 4 * 1024 * 1024 * 1024;

/// One file users download, and where its voted bytes are.
pub struct Served {
    /// `<download-base-url>/<release-dir>/<name>`
    pub url: String,
    /// The same file in dist/release.
    pub dist_url: String,
}

/// The files of `version` users download, in the order they are checked.
pub fn files(config: &Config, version: &Version) -> Result<Vec<Served>> {
    let base = config.download_url_of(version);
    let release = config.release_url(version);
    let mut files = Vec::new();
    // Every file of the release: the source tarballs and convenience binaries, each with its
    // published companions (signature and checksum).
    for artifact in config.release_names(version)? {
        let companions = crate::artifacts::published().map(|companion| companion.of(&artifact));
        for name in std::iter::once(artifact.clone()).chain(companions) {
            files.push(Served {
                url: format!("{base}/{name}"),
                dist_url: svn::join(&release, &name),
            });
        }
    }
    files.push(Served {
        url: config.download_keys_url(),
        dist_url: config.release_keys_url(),
    });
    Ok(files)
}

/// What the download URL gave for one file, when it was not the voted bytes.
fn fetch_differs(sh: &Shell, file: &Served, sha512: &str, size: u64) -> Option<String> {
    let request = curl::Request {
        method: "GET",
        url: &file.url,
        headers: Vec::new(),
        body: None,
        secret_body: false,
        timeout: Duration::from_secs(600),
        connect_timeout: Duration::from_secs(15),
        // One byte more than the voted file tells "longer" from "the same".
        body_limit: size + 1,
        reads_by_post: false,
    };
    match curl::send(sh, &request) {
        Err(curl::Failure::Local(err)) => Some(format!("{err:#}")),
        Err(curl::Failure::NoAnswer(reason)) => Some(format!(
            "no answer ({})",
            escape_short(reason.as_bytes(), 200)
        )),
        Ok(response) if response.status != 200 => Some(format!("HTTP {}", response.status)),
        Ok(response) if sha512_bytes(&response.body) != sha512 => Some(format!(
            "other bytes than dist/release ({} bytes, {} voted)",
            response.body.len(),
            size
        )),
        Ok(_) => None,
    }
}

/// Checks that every file of `version` is served with the bytes of dist/release, asking again
/// every little while until `wait` is over (`None`: once). Fails naming each file that is not.
pub fn check(sh: &Shell, config: &Config, version: &Version, wait: Option<Duration>) -> Result<()> {
    let files = files(config, version)?;
    let mut expected = Vec::new();
    for file in &files {
        let bytes = svn::cat_limited(sh, &svn::cat_public(&file.dist_url), FILE_LIMIT)?
            .with_context(|| {
                format!(
                    "{} is not in dist/release: promote the release first (`cargo xtask \
                     promote {version} --rc N`); nothing can be served before",
                    file.dist_url
                )
            })?;
        expected.push((sha512_bytes(&bytes), bytes.len() as u64));
    }
    let started = Instant::now();
    let wait = wait.unwrap_or_default();
    // Often enough for a test's few seconds, rarely enough for the mirrors' minutes.
    let interval = (wait / 20).clamp(Duration::from_secs(1), Duration::from_secs(30));
    let bar = crate::progress::bar(files.len() as u64, "served");
    let mut pending: Vec<usize> = (0..files.len()).collect();
    loop {
        let mut reasons = Vec::new();
        pending.retain(|&i| {
            let (sha512, size) = &expected[i];
            match fetch_differs(sh, &files[i], sha512, *size) {
                Some(why) => {
                    reasons.push(format!("{}: {why}", files[i].url));
                    true
                }
                None => false,
            }
        });
        bar.set_position((files.len() - pending.len()) as u64);
        if pending.is_empty() {
            bar.finish_and_clear();
            eprintln!(
                "  all {} files are served at {} with the bytes of dist/release",
                files.len(),
                config.download_base_url
            );
            return Ok(());
        }
        let waited = started.elapsed();
        if waited + interval > wait {
            bar.abandon();
            bail!(
                "{} of {} files are not served as in dist/release:\n  {}\nthe mirrors copy \
                 dist/release some minutes after promote: run `cargo xtask downloads {version}` \
                 again later (it waits up to download-wait = {}s); if a file stays wrong, check \
                 dist/release and download-base-url",
                pending.len(),
                files.len(),
                reasons.join("\n  "),
                config.download_wait.as_secs()
            );
        }
        bar.suspend(|| {
            eprintln!(
                "  {} of {} files served; waiting for the mirrors ({}s of {}s): {}",
                files.len() - pending.len(),
                files.len(),
                waited.as_secs(),
                wait.as_secs(),
                reasons[0]
            )
        });
        std::thread::sleep(interval);
    }
}
