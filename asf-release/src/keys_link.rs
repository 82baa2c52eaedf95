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

//! The KEYS file a mail or page sends people to must hold the key that signed what they
//! download: a voter who follows the VOTE mail's link and gets "No public key" votes -1. Each
//! check verifies the signature with nothing but that KEYS, as its reader will.
//!
//! `keys-url` (downloads.apache.org/<project>/KEYS by default) is the release area's KEYS as
//! users download it, so it is read from `<svn-release-url>/KEYS`; the dev area's KEYS is read
//! where the mail can name it, `<svn-dev-url>/KEYS`.

use anyhow::{bail, Context, Result};

use crate::artifacts::Artifacts;
use crate::config::Config;
use crate::scratch::Scratch;
use crate::tools::gpg::{self, Signature};
use crate::tools::svn;
use crate::version::Version;
use crate::Ctx;

/// The most a KEYS file may hold (what `verify` reads).
const KEYS_LIMIT: u64 = 16 * 1024 * 1024;

/// A KEYS a reader can follow: its public address, and the SVN file behind it.
struct Keys {
    url: String,
    svn: String,
}

fn release_keys(config: &Config) -> Keys {
    Keys {
        url: config.keys_url.clone(),
        svn: config.release_keys_url(),
    }
}

fn dev_keys(config: &Config) -> Keys {
    Keys {
        url: config.dev_keys_url(),
        svn: config.dev_keys_url(),
    }
}

/// Who signed `artifacts` by the KEYS `keys` alone, or why that KEYS cannot tell.
fn check(ctx: &Ctx, keys: &Keys, artifacts: &Artifacts) -> Result<Result<Signature, String>> {
    let Some(bytes) = svn::cat_limited(&ctx.sh, &svn::cat_public(&keys.svn), KEYS_LIMIT)? else {
        return Ok(Err(format!("there is no {}", keys.svn)));
    };
    Ok(
        gpg::verify_with_keys(&ctx.sh, &bytes, &artifacts.signature, &artifacts.tarball)
            .map_err(|err| format!("{} cannot check it: {err:#}", keys.svn)),
    )
}

/// The KEYS the VOTE mail names for the candidate in `artifacts` (its main tarball): `keys-url`
/// when the release KEYS holds the signing key, else the dev KEYS when it does (a new release
/// manager's key reaches the release KEYS with `promote`); else the refusal that says how to
/// put the key there.
pub fn for_candidate(ctx: &Ctx, config: &Config, artifacts: &Artifacts) -> Result<String> {
    let name = artifacts.file_name();
    if !artifacts.signature.is_file() {
        bail!(
            "{} is missing: the VOTE mail names the KEYS that checks it, so sign the candidate \
             first (`cargo xtask package`)",
            artifacts.signature
        );
    }
    let mut reasons = Vec::new();
    let mut places = vec![release_keys(config)];
    if config.dev_keys_url() != config.release_keys_url() {
        places.push(dev_keys(config));
    }
    for keys in places {
        match check(ctx, &keys, artifacts)? {
            Ok(signer) => {
                eprintln!(
                    "  {} holds key {}, which signed {name}: the mail names it",
                    keys.url, signer.primary_fingerprint
                );
                return Ok(keys.url);
            }
            Err(why) => reasons.push(format!("{} ({why})", keys.url)),
        }
    }
    bail!(
        "no KEYS a voter can follow holds the key that signed {name}: {}. Add the key with \
         `cargo xtask keys append` (and send it to the key server with `cargo xtask keys \
         publish`), then render the mail again; nothing was written or sent",
        reasons.join("; ")
    )
}

/// The KEYS the ANNOUNCE mail and the download page name (`keys-url`), checked against the
/// signature users download from dist/release. On ATR the signing key is checked by ATR against
/// the keys linked to the committee there (the keys step links it), and the files reach the
/// downloads only through the announcement: `keys-url` is named as configured.
pub fn for_release(ctx: &Ctx, config: &Config, version: &Version) -> Result<String> {
    let keys = release_keys(config);
    if crate::distribution::of(config).publishes_on_announce() {
        return Ok(keys.url);
    }
    let name = config.artifact_name(version)?;
    let work = Scratch::new("keys-link")?;
    let released = Artifacts::new(work.path(), &name);
    let release = config.release_url(version);
    for (file, dest) in [
        (name.clone(), &released.tarball),
        (crate::artifacts::SIGNATURE.of(&name), &released.signature),
    ] {
        let url = svn::join(&release, &file);
        svn::export(&url, dest).run(&ctx.sh).with_context(|| {
            format!(
                "cannot read {url}: promote {version} first (`cargo xtask promote {version} \
                 --rc N`)"
            )
        })?;
    }
    match check(ctx, &keys, &released)? {
        Ok(signer) => {
            eprintln!(
                "  {} holds key {}, which signed {name}",
                keys.url, signer.primary_fingerprint
            );
            Ok(keys.url)
        }
        Err(why) => bail!(
            "{} (which users import to check {version}) does not hold the key that signed \
             {name}: {why}. Add the key to {} (`cargo xtask keys append`; `cargo xtask promote` \
             copies the dev KEYS there when it only adds keys); nothing was written or sent",
            keys.url,
            keys.svn
        ),
    }
}
