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

//! The release manager's secret keys: listing them, choosing the signing key, making one.

use anyhow::{bail, Result};
use xshell::Shell;

use super::gpg;
use crate::tools::{Tool, ToolCmd};

/// A secret key as `gpg --with-colons --list-secret-keys` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretKey {
    pub fingerprint: String,
    pub user_ids: Vec<String>,
    /// Validity letter of the primary key: `r` revoked, `e` expired, `u`/`f`/`-` usable.
    pub validity: String,
    /// Capabilities of the whole key (upper case letters), `S` when it can sign.
    pub capabilities: String,
    /// `1` RSA, `22` EdDSA, ... (RFC 4880 numbers) and the size in bits.
    pub algorithm: String,
    pub bits: u32,
    /// Seconds since the epoch, when the key expires.
    pub expires: Option<u64>,
}

impl SecretKey {
    pub fn can_sign(&self) -> bool {
        self.capabilities.contains('S') && !matches!(self.validity.as_str(), "r" | "e" | "d" | "i")
    }
}

/// The secret keys matching `selector` (all when `None`).
pub fn secret_keys(sh: &Shell, selector: Option<&str>) -> Result<Vec<SecretKey>> {
    let mut args = vec!["--with-colons", "--fixed-list-mode", "--list-secret-keys"];
    if let Some(selector) = selector {
        args.push("--");
        args.push(selector);
    }
    let output = gpg(args).output(sh)?;
    // gpg exits 2 when the selector matches nothing: that is an empty list, not a failure.
    let text = String::from_utf8_lossy(&output.stdout);
    Ok(parse_secret_keys(&text))
}

fn parse_secret_keys(colons: &str) -> Vec<SecretKey> {
    let mut keys: Vec<SecretKey> = Vec::new();
    let mut in_primary = false;
    for line in colons.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        let field = |i: usize| fields.get(i).copied().unwrap_or_default();
        match field(0) {
            "sec" => {
                in_primary = true;
                keys.push(SecretKey {
                    fingerprint: String::new(),
                    user_ids: Vec::new(),
                    validity: field(1).to_string(),
                    capabilities: field(11).to_string(),
                    algorithm: field(3).to_string(),
                    bits: field(2).parse().unwrap_or(0),
                    expires: field(6).parse().ok(),
                })
            }
            "ssb" => in_primary = false,
            "fpr" if in_primary => {
                if let Some(key) = keys.last_mut() {
                    if key.fingerprint.is_empty() {
                        key.fingerprint = field(9).to_string();
                    }
                }
            }
            "uid" => {
                if let Some(key) = keys.last_mut() {
                    key.user_ids.push(unescape_colons(field(9)));
                }
            }
            _ => {}
        }
    }
    keys
}

/// gpg escapes `:` and other bytes in colon listings as `\xNN`.
fn unescape_colons(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x') && i + 3 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&text[i + 2..i + 4], 16) {
                out.push(byte);
                i += 4;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Picks the signing key: the configured one, or the only secret key that can sign.
pub fn signing_key(sh: &Shell, configured: Option<&str>) -> Result<SecretKey> {
    Tool::Gpg.require()?;
    match configured {
        Some(selector) => {
            let keys = secret_keys(sh, Some(selector))?;
            match keys.as_slice() {
                [] => bail!(
                    "no secret key `{selector}` in your keyring ({}): import it, or fix \
                     signing-key / --key (see `gpg --list-secret-keys`)",
                    keyring_hint()
                ),
                [key] => {
                    if !key.can_sign() {
                        bail!(
                            "key {} cannot sign (validity `{}`: expired or revoked?): renew it \
                             with `gpg --quick-set-expire {}` or set another signing-key",
                            key.fingerprint,
                            key.validity,
                            key.fingerprint
                        );
                    }
                    Ok(key.clone())
                }
                _ => bail!(
                    "`{selector}` matches several secret keys: set signing-key (or --key) to the \
                     full fingerprint"
                ),
            }
        }
        None => {
            let usable: Vec<SecretKey> = secret_keys(sh, None)?
                .into_iter()
                .filter(SecretKey::can_sign)
                .collect();
            match usable.as_slice() {
                [] => bail!(
                    "no secret key that can sign ({}): create one with `gpg --full-generate-key` \
                     (RSA 4096, your @apache.org address), or set signing-key",
                    keyring_hint()
                ),
                [key] => Ok(key.clone()),
                several => {
                    let list: Vec<&str> = several.iter().map(|k| k.fingerprint.as_str()).collect();
                    bail!(
                        "several secret keys can sign ({}): choose one with signing-key = \
                         \"<fingerprint>\" under [workspace.metadata.asf-release] or --key",
                        list.join(", ")
                    )
                }
            }
        }
    }
}

fn keyring_hint() -> String {
    match std::env::var("GNUPGHOME") {
        Ok(home) => format!("GNUPGHOME={home}"),
        Err(_) => "the default keyring".into(),
    }
}

/// A new signing key without passphrase (for throwaway keyrings only: the sandbox).
pub fn generate_unprotected_key(user_id: &str) -> ToolCmd {
    gpg([
        "--passphrase",
        "",
        "--quick-generate-key",
        user_id,
        "ed25519",
        "sign",
        "never",
    ])
}

/// The kinds of key `keys create` makes: the two the ASF accepts for release signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum KeyType {
    /// RSA 4096 bits: what the ASF's release signing guide recommends, readable everywhere.
    Rsa4096,
    /// Ed25519: small and fast; needs GnuPG 2.1 or newer on the verifier's side.
    Ed25519,
}

impl KeyType {
    pub fn algorithm(self) -> &'static str {
        match self {
            KeyType::Rsa4096 => "rsa4096",
            KeyType::Ed25519 => "ed25519",
        }
    }
}

/// `gpg --batch --quick-generate-key`: a signing-only primary key. gpg asks the passphrase
/// itself through its pinentry (no `--no-tty`, so pinentry can use the terminal); with a
/// passphrase from GPG_PASSPHRASE (CI, tests) it goes through loopback on stdin. It is never
/// on the command line.
pub fn generate_signing_key(
    user_id: &str,
    key_type: KeyType,
    expiry: &str,
    passphrase: Option<String>,
) -> ToolCmd {
    let mut args: Vec<&str> = vec!["--batch"];
    if passphrase.is_some() {
        args.extend(["--pinentry-mode", "loopback", "--passphrase-fd", "0"]);
    }
    args.extend([
        "--quick-generate-key",
        "--",
        user_id,
        key_type.algorithm(),
        "sign",
        expiry,
    ]);
    let cmd = ToolCmd::new(Tool::Gpg, args).changes_world();
    match passphrase {
        Some(secret) => cmd.stdin(secret.into_bytes()),
        None => cmd,
    }
}

/// `gpg --quick-set-expire <key> <expiry>`, for the messages that say how to extend a key.
pub fn extend_expiry(fingerprint: &str, expiry: &str) -> ToolCmd {
    ToolCmd::new(Tool::Gpg, ["--quick-set-expire", fingerprint, expiry])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_secret_key_listings() {
        let listing =
            "sec:u:255:22:AAAABBBBCCCCDDDD:1700000000:1900000000::u:::scESC:::+:::ed25519:::0:\n\
fpr:::::::::0123456789ABCDEF0123456789ABCDEFAAAABBBB:\n\
grp:::::::::XXXX:\n\
uid:u::::1700000000::HASH::Release Manager <rm\\x3a1@apache.org>::::::::::0:\n\
ssb:u:255:18:EEEEFFFF00001111:1700000000::::::e:::+:::cv25519::\n\
fpr:::::::::FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:\n";
        let keys = parse_secret_keys(listing);
        assert_eq!(keys.len(), 1);
        let key = &keys[0];
        assert_eq!(key.fingerprint, "0123456789ABCDEF0123456789ABCDEFAAAABBBB");
        assert_eq!(key.user_ids, ["Release Manager <rm:1@apache.org>"]);
        assert_eq!(key.expires, Some(1_900_000_000));
        assert_eq!(key.algorithm, "22");
        assert!(key.can_sign());
    }
}
