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

//! Every `gpg` command line of the tool. Passphrases reach gpg only through its agent or, in
//! CI, through `--passphrase-fd 0` fed from the `GPG_PASSPHRASE` environment variable.

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use xshell::Shell;

use super::{Tool, ToolCmd};
use crate::scratch::Scratch;

/// The environment variable CI may set to unlock the signing key.
pub const PASSPHRASE_ENV: &str = "GPG_PASSPHRASE";

fn gpg<I, A>(args: I) -> ToolCmd
where
    I: IntoIterator<Item = A>,
    A: Into<std::ffi::OsString>,
{
    let mut all: Vec<std::ffi::OsString> = vec!["--batch".into(), "--no-tty".into()];
    all.extend(args.into_iter().map(Into::into));
    ToolCmd::new(Tool::Gpg, all)
}

/// `2.2.40` from `gpg --version`.
pub fn version(sh: &Shell) -> Result<String> {
    let text = gpg(["--version"]).read(sh)?;
    let first = text.lines().next().unwrap_or_default();
    Ok(first.rsplit(' ').next().unwrap_or_default().to_string())
}

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

/// The passphrase CI gave through the environment, if any.
pub fn passphrase_from_env() -> Option<String> {
    std::env::var(PASSPHRASE_ENV).ok().filter(|p| !p.is_empty())
}

/// `gpg --armor --detach-sign` of `file` into `signature`; a passphrase goes to stdin.
pub fn detach_sign(
    fingerprint: &str,
    file: &Utf8Path,
    signature: &Utf8Path,
    passphrase: Option<String>,
) -> ToolCmd {
    let mut args: Vec<String> = vec![
        "--yes".into(),
        "--armor".into(),
        "--detach-sign".into(),
        "--local-user".into(),
        fingerprint.into(),
    ];
    if passphrase.is_some() {
        args.extend(["--pinentry-mode", "loopback", "--passphrase-fd", "0"].map(String::from));
    }
    args.extend([
        "--output".into(),
        signature.to_string(),
        "--".into(),
        file.to_string(),
    ]);
    let cmd = gpg(args).changes_world();
    match passphrase {
        Some(secret) => cmd.stdin(secret.into_bytes()),
        None => cmd,
    }
}

/// `gpg --verify`, reporting status lines on stdout; `home` selects a keyring of its own.
pub fn verify_cmd(home: Option<&Utf8Path>, signature: &Utf8Path, file: &Utf8Path) -> ToolCmd {
    let mut args: Vec<String> = Vec::new();
    if let Some(home) = home {
        // A keyring of our own holds public keys only: checking needs no agent.
        args.extend([
            "--no-autostart".into(),
            "--homedir".into(),
            home.to_string(),
        ]);
    }
    args.extend([
        "--status-fd".into(),
        "1".into(),
        "--verify".into(),
        "--".into(),
        signature.to_string(),
        file.to_string(),
    ]);
    gpg(args)
}

/// What a signature check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// Fingerprint of the primary key that made the signature.
    pub primary_fingerprint: String,
    /// Fingerprint of the (sub)key that made it.
    pub signing_fingerprint: String,
    pub user_id: String,
}

/// Runs a verification and insists on a `GOODSIG` and a `VALIDSIG` status line.
pub fn verify(
    sh: &Shell,
    home: Option<&Utf8Path>,
    signature: &Utf8Path,
    file: &Utf8Path,
) -> Result<Signature> {
    let cmd = verify_cmd(home, signature, file);
    let output = cmd.output(sh)?;
    let status = String::from_utf8_lossy(&output.stdout);
    let parsed = parse_verify_status(&status);
    match parsed {
        Some(signature) if output.status.success() => Ok(signature),
        _ => {
            let reason = if status.contains("BADSIG") {
                "the signature does not match the file (the file or the .asc was changed)"
            } else if status.contains("NO_PUBKEY") || status.contains("ERRSIG") {
                "the signing key is not in the keyring used for checking (is it in KEYS?)"
            } else if status.contains("NODATA") {
                "the .asc file holds no OpenPGP signature"
            } else {
                "gpg did not report a good signature"
            };
            bail!(
                "signature check of {file} with {signature} failed: {reason}\n{}",
                String::from_utf8_lossy(&output.stderr).trim()
            )
        }
    }
}

fn parse_verify_status(status: &str) -> Option<Signature> {
    let mut user_id = None;
    let mut valid = None;
    for line in status.lines() {
        let Some(rest) = line.strip_prefix("[GNUPG:] ") else {
            continue;
        };
        let fields: Vec<&str> = rest.split(' ').collect();
        match fields.first().copied() {
            Some("GOODSIG") => user_id = Some(fields[2..].join(" ")),
            Some("VALIDSIG") if fields.len() >= 11 => {
                valid = Some((fields[1].to_string(), fields[10].to_string()))
            }
            Some("BADSIG") | Some("ERRSIG") | Some("EXPKEYSIG") | Some("REVKEYSIG") => return None,
            _ => {}
        }
    }
    let (signing, primary) = valid?;
    Some(Signature {
        primary_fingerprint: primary,
        signing_fingerprint: signing,
        user_id: user_id?,
    })
}

/// The fingerprints of the primary keys in an exported key file such as `KEYS`, read without
/// importing anything.
pub fn keys_in_file(sh: &Shell, file: &Utf8Path) -> Result<Vec<String>> {
    let cmd = gpg([
        "--with-colons",
        "--fixed-list-mode",
        "--show-keys",
        "--",
        file.as_str(),
    ]);
    let output = cmd.output(sh)?;
    let fingerprints = parse_primary_fingerprints(&String::from_utf8_lossy(&output.stdout));
    if !output.status.success() && fingerprints.is_empty() {
        // An empty or key-less file makes gpg complain; it simply holds no keys. But when
        // gpg fails on a file with key blocks, "no keys" would be a lie: `keys append` would
        // add the key a second time.
        let text = std::fs::read(file).with_context(|| format!("cannot read {file}"))?;
        if holds_key_block(&text) {
            bail!(
                "`{cmd}` failed, so the keys in {file} are unknown: {}; run the command again",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
    }
    Ok(fingerprints)
}

fn holds_key_block(text: &[u8]) -> bool {
    let marker = b"-----BEGIN PGP PUBLIC KEY BLOCK-----";
    text.windows(marker.len()).any(|window| window == marker)
}

fn parse_primary_fingerprints(colons: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut want = false;
    for line in colons.lines() {
        let fields: Vec<&str> = line.split(':').collect();
        match fields.first().copied() {
            Some("pub") => want = true,
            Some("sub") => want = false,
            Some("fpr") if want => {
                if let Some(fpr) = fields.get(9) {
                    out.push(fpr.to_string());
                }
                want = false;
            }
            _ => {}
        }
    }
    out
}

/// `gpg --list-sigs <key>`: the human-readable part of a `KEYS` entry.
pub fn list_sigs(fingerprint: &str) -> ToolCmd {
    gpg(["--list-sigs", "--", fingerprint])
}

/// `gpg --armor --export <key>`: the public key block of a `KEYS` entry.
pub fn export_armored(fingerprint: &str) -> ToolCmd {
    gpg(["--armor", "--export", "--", fingerprint])
}

/// `gpg --keyserver <server> --send-keys <key>`.
pub fn send_keys(keyserver: &str, fingerprint: &str) -> ToolCmd {
    gpg(["--keyserver", keyserver, "--send-keys", "--", fingerprint]).changes_world()
}

/// `ABCD 1234 ... 5678` in groups of four, two spaces in the middle, as gpg prints it and
/// id.apache.org shows it.
pub fn spaced_fingerprint(fingerprint: &str) -> String {
    let groups: Vec<&str> = fingerprint
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    let half = groups.len() / 2;
    format!("{}  {}", groups[..half].join(" "), groups[half..].join(" "))
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

/// Stops the gpg-agent (and other daemons) of the keyring in GNUPGHOME.
pub fn stop_agents() -> ToolCmd {
    ToolCmd::new(Tool::Gpgconf, ["--kill", "all"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keys_file_without_key_blocks_holds_no_keys() {
        assert!(!holds_key_block(
            b"This file contains the PGP keys of Apache Demo.\n"
        ));
        assert!(!holds_key_block(b""));
        assert!(holds_key_block(
            b"pub ed25519\n\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ...\n"
        ));
    }

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

    #[test]
    fn reads_key_files_and_spaces_fingerprints() {
        let listing = "pub:-:255:22:AAAABBBBCCCCDDDD:1700000000:::-:::scSC:::::ed25519:::0:\n\
fpr:::::::::0123456789ABCDEF0123456789ABCDEFAAAABBBB:\n\
uid:-::::1700000000::HASH::A <a@apache.org>::::::::::0:\n\
sub:-:255:18:EEEEFFFF00001111:1700000000::::::e:::::cv25519::\n\
fpr:::::::::FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:\n";
        assert_eq!(
            parse_primary_fingerprints(listing),
            ["0123456789ABCDEF0123456789ABCDEFAAAABBBB"]
        );
        assert_eq!(
            spaced_fingerprint("0123456789ABCDEF0123456789ABCDEFAAAABBBB"),
            "0123 4567 89AB CDEF 0123  4567 89AB CDEF AAAA BBBB"
        );
    }

    #[test]
    fn a_good_signature_needs_goodsig_and_validsig() {
        let good = "[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG AAAABBBB Release Manager <rm@apache.org>\n\
[GNUPG:] VALIDSIG SUBKEYFPR 2026-01-01 1700000000 0 4 0 22 10 00 PRIMARYFPR\n";
        let signature = parse_verify_status(good).unwrap();
        assert_eq!(signature.primary_fingerprint, "PRIMARYFPR");
        assert_eq!(signature.signing_fingerprint, "SUBKEYFPR");
        assert_eq!(signature.user_id, "Release Manager <rm@apache.org>");
        assert!(parse_verify_status("[GNUPG:] BADSIG AAAA x\n").is_none());
        assert!(parse_verify_status("[GNUPG:] GOODSIG AAAA x\n").is_none());
    }

    #[test]
    fn the_passphrase_never_shows_in_the_command_line() {
        let cmd = detach_sign(
            "FPR",
            Utf8Path::new("a.tgz"),
            Utf8Path::new("a.tgz.asc"),
            Some("s3cret-pass".into()),
        );
        assert!(cmd
            .args
            .iter()
            .all(|a| !a.to_string_lossy().contains("s3cret")));
        assert!(!cmd.to_string().contains("s3cret"));
        assert_eq!(cmd.stdin.as_deref(), Some(&b"s3cret-pass"[..]));
    }
}

/// A throwaway keyring that holds nothing but the keys of one KEYS file: what a voter checks a
/// signature with. gpg runs with `--no-autostart` in it (public keys need no agent), so no
/// agent is left behind; the directory goes on drop, or on the next run after a kill.
pub struct Keyring {
    home: Scratch,
}

impl Keyring {
    pub fn new() -> Result<Keyring> {
        Ok(Keyring {
            home: Scratch::new("keyring")?,
        })
    }

    pub fn home(&self) -> &Utf8Path {
        self.home.path()
    }

    /// `gpg --import` of a KEYS file into this keyring only.
    pub fn import_cmd(&self, keys: &Utf8Path) -> ToolCmd {
        gpg([
            "--no-autostart",
            "--homedir",
            self.home().as_str(),
            "--status-fd",
            "1",
            "--import",
            "--",
            keys.as_str(),
        ])
    }

    /// Imports `keys`; returns the fingerprints of the keys it holds.
    pub fn import(&self, sh: &Shell, keys: &Utf8Path) -> Result<Vec<String>> {
        let output = self.import_cmd(keys).output(sh)?;
        let status = String::from_utf8_lossy(&output.stdout);
        let fingerprints = parse_import_status(&status);
        if fingerprints.is_empty() {
            bail!(
                "{keys} holds no OpenPGP public key that gpg could import: is it the project's \
                 KEYS file?\n{}",
                crate::untrusted::escape_short(output.stderr.trim_ascii(), 400)
            );
        }
        Ok(fingerprints)
    }

    pub fn verify_cmd(&self, signature: &Utf8Path, file: &Utf8Path) -> ToolCmd {
        verify_cmd(Some(self.home()), signature, file)
    }

    pub fn verify(&self, sh: &Shell, signature: &Utf8Path, file: &Utf8Path) -> Result<Signature> {
        verify(sh, Some(self.home()), signature, file)
    }
}

/// Checks `signature` of `file` with nothing but the keys in `keys` (the bytes of a KEYS
/// file), as a voter or a user of the release does.
pub fn verify_with_keys(
    sh: &Shell,
    keys: &[u8],
    signature: &Utf8Path,
    file: &Utf8Path,
) -> Result<Signature> {
    let keyring = Keyring::new()?;
    let keys_file = keyring.home().join("KEYS");
    std::fs::write(&keys_file, keys).with_context(|| format!("cannot write {keys_file}"))?;
    // A KEYS without keys imports nothing; the verification below then says the key is missing.
    let _ = keyring.import_cmd(&keys_file).output(sh)?;
    keyring.verify(sh, signature, file)
}

fn parse_import_status(status: &str) -> Vec<String> {
    let mut fingerprints: Vec<String> = status
        .lines()
        .filter_map(|line| line.strip_prefix("[GNUPG:] IMPORT_OK "))
        .filter_map(|rest| rest.split(' ').nth(1))
        .map(String::from)
        .collect();
    fingerprints.sort();
    fingerprints.dedup();
    fingerprints
}

#[cfg(test)]
mod import_tests {
    use super::*;

    #[test]
    fn import_reports_each_key_once() {
        let status = "[GNUPG:] IMPORT_OK 1 AAAA\n[GNUPG:] IMPORT_OK 0 BBBB\n\
[GNUPG:] IMPORT_OK 0 AAAA\n[GNUPG:] IMPORT_RES 3 0 1 0 0 0 0 0 0 0 0 0 0 0 0\n";
        assert_eq!(parse_import_status(status), ["AAAA", "BBBB"]);
        let keyring = Keyring::new().unwrap();
        let cmd = keyring.import_cmd(Utf8Path::new("KEYS"));
        let shown = cmd.to_string();
        assert!(
            shown.contains(&format!("--no-autostart --homedir {}", keyring.home())),
            "{shown}"
        );
        let verify = keyring.verify_cmd(Utf8Path::new("a.asc"), Utf8Path::new("a"));
        assert!(verify.to_string().contains("--no-autostart"), "{verify}");
    }
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
