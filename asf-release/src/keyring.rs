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

//! The release manager's signing key as the ASF wants it, and the project's `KEYS` file that
//! holds it: shared by `keys`, `doctor` and `upload`.

use std::io::Write;

use anyhow::{Context, Result};
use camino::Utf8Path;
use xshell::Shell;

use crate::config::{Config, KeysArea};
use crate::tools::gpg::{self, SecretKey};
use crate::tools::svn::{self, Credentials};
use crate::Ctx;

/// How long a new key is valid: the release signing guidance asks for an expiry date, so a
/// lost key stops being trusted by itself; the owner extends it before it passes.
pub const EXPIRY: &str = "2y";

pub fn primary_user_id(key: &SecretKey) -> &str {
    key.user_ids
        .first()
        .map(String::as_str)
        .unwrap_or("(no user id)")
}

/// The KEYS file of the project: the configured `keys-area`, else the one in dist/dev when
/// there is one, else the one in dist/release (APISIX keeps it there only).
pub fn keys_url(ctx: &Ctx, config: &Config, creds: &Credentials) -> Result<String> {
    Ok(match config.keys_area {
        Some(KeysArea::Dev) => config.dev_keys_url(),
        Some(KeysArea::Release) => config.release_keys_url(),
        None => {
            let dev = config.dev_keys_url();
            let release = config.release_keys_url();
            if svn::cat(&ctx.sh, creds, &dev, None)?.is_none()
                && svn::cat(&ctx.sh, creds, &release, None)?.is_some()
            {
                release
            } else {
                dev
            }
        }
    })
}

/// The primary-key fingerprints in the bytes of a KEYS file.
pub fn fingerprints_in(sh: &Shell, keys: &[u8]) -> Result<Vec<String>> {
    let mut file = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    file.write_all(keys)
        .context("cannot write a temporary file")?;
    let path = Utf8Path::from_path(file.path()).context("the temporary path is not UTF-8")?;
    gpg::keys_in_file(sh, path)
}

/// What is wrong with the key itself (problems) and what merely deserves attention (warnings).
pub fn key_findings(key: &SecretKey) -> (Vec<String>, Vec<String>) {
    let fpr = &key.fingerprint;
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let expired = key.validity == "e"
        || key
            .expires
            .is_some_and(|at| at <= crate::clock::system_now());
    if key.validity == "r" {
        problems.push(format!(
            "key {fpr} is revoked: create a new key (RSA 4096 or ed25519) and add it to KEYS"
        ));
    } else if expired {
        problems.push(format!(
            "key {fpr} has expired: extend it with `gpg --quick-set-expire {fpr} {EXPIRY}`, then \
             `cargo xtask keys publish`"
        ));
    } else if !key.capabilities.contains('S') {
        problems.push(format!(
            "key {fpr} cannot sign: add a signing subkey or use another key"
        ));
    }
    match key.algorithm.as_str() {
        "1" if key.bits >= 4096 => {}
        "1" => problems.push(format!(
            "key {fpr} is RSA {} bits: the ASF asks for RSA 4096 or ed25519; create a new key",
            key.bits
        )),
        "22" => {}
        other => problems.push(format!(
            "key {fpr} uses algorithm {other}: the ASF asks for RSA 4096 or ed25519; create a \
             new key"
        )),
    }
    if !key
        .user_ids
        .iter()
        .any(|uid| uid.to_ascii_lowercase().contains("@apache.org>"))
    {
        warnings.push(format!(
            "key {fpr} has no @apache.org user id: add one with `gpg --quick-add-uid {fpr} \
             'Your Name <you@apache.org>'`"
        ));
    }
    (problems, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(algorithm: &str, bits: u32, validity: &str, uid: &str) -> SecretKey {
        SecretKey {
            fingerprint: "F".repeat(40),
            user_ids: vec![uid.into()],
            validity: validity.into(),
            capabilities: "SC".into(),
            algorithm: algorithm.into(),
            bits,
            expires: None,
        }
    }

    #[test]
    fn key_rules_follow_the_asf() {
        let good = key("22", 255, "u", "RM <rm@apache.org>");
        assert_eq!(key_findings(&good), (vec![], vec![]));
        let (problems, warnings) = key_findings(&key("1", 2048, "r", "RM <rm@example.org>"));
        assert!(problems[0].contains("revoked"), "{problems:?}");
        assert!(problems[1].contains("RSA 2048"), "{problems:?}");
        assert!(warnings[0].contains("@apache.org"), "{warnings:?}");
        let (problems, _) = key_findings(&key("1", 4096, "e", "RM <rm@apache.org>"));
        assert!(problems[0].contains("expired"), "{problems:?}");
    }
}
