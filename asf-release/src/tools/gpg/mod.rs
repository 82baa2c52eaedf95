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

mod public_keys;
mod secret_keys;

use anyhow::{bail, Result};
use camino::Utf8Path;
use xshell::Shell;

use super::{Tool, ToolCmd};

pub use public_keys::{
    export_armored, keys_in_file, list_sigs, send_keys, spaced_fingerprint, verify_with_keys,
    Keyring,
};
pub use secret_keys::{
    extend_expiry, generate_signing_key, generate_unprotected_key, secret_keys, signing_key,
    KeyType, SecretKey,
};

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

/// Judges a signing command (`detach_sign`): a failure says how gpg gets the key's passphrase
/// when no one can type it, naming both ways (the variable, or a key unlocked in gpg-agent).
pub fn signing_outcome(
    fingerprint: &str,
    passphrase_given: bool,
) -> impl FnOnce(std::process::Output) -> Result<()> {
    let fingerprint = fingerprint.to_string();
    move |output| {
        if output.status.success() {
            return Ok(());
        }
        let said = String::from_utf8_lossy(&output.stderr).trim().to_string();
        if passphrase_given {
            bail!(
                "signing failed: key {fingerprint} did not open with the passphrase from \
                 {PASSPHRASE_ENV}: check that it is the key's passphrase; gpg said: {said}"
            );
        }
        bail!(
            "signing failed: gpg could not get the passphrase of key {fingerprint} (no \
             terminal to type it on, or no pinentry, and none cached in gpg-agent). Either set \
             {PASSPHRASE_ENV} to it (in CI from a secret: gpg reads it on its standard input, \
             never from a command line), or unlock the key in gpg-agent before the run (in a \
             terminal: `echo unlock | gpg --clearsign --local-user {fingerprint} > /dev/null`; \
             the agent keeps it for its cache time); gpg said: {said}"
        )
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
    /// The OpenPGP id of the digest the signature was made with (RFC 4880 9.4: 2 is SHA-1,
    /// 8 SHA-256, 10 SHA-512).
    pub digest_algorithm: u8,
}

impl Signature {
    /// The digest's name when it is weaker than SHA-256, which ASF requires of signatures
    /// made now (https://infra.apache.org/release-signing.html).
    pub fn weak_digest(&self) -> Option<String> {
        match self.digest_algorithm {
            // SHA-256, SHA-384, SHA-512, SHA3-256, SHA3-512.
            8 | 9 | 10 | 12 | 14 => None,
            1 => Some("MD5".into()),
            2 => Some("SHA-1".into()),
            3 => Some("RIPEMD-160".into()),
            11 => Some("SHA-224".into()),
            other => Some(format!("an unknown digest (OpenPGP id {other})")),
        }
    }
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
                // VALIDSIG <fpr> <date> <time> <expire> <version> <reserved> <pubkey-algo>
                // <hash-algo> <class> <primary-fpr>
                let digest = fields[8].parse::<u8>().unwrap_or(0);
                valid = Some((fields[1].to_string(), fields[10].to_string(), digest))
            }
            Some("BADSIG") | Some("ERRSIG") | Some("EXPKEYSIG") | Some("REVKEYSIG") => return None,
            _ => {}
        }
    }
    let (signing, primary, digest_algorithm) = valid?;
    Some(Signature {
        primary_fingerprint: primary,
        signing_fingerprint: signing,
        user_id: user_id?,
        digest_algorithm,
    })
}

/// Stops the gpg-agent (and other daemons) of the keyring in GNUPGHOME.
pub fn stop_agents() -> ToolCmd {
    ToolCmd::new(Tool::Gpgconf, ["--kill", "all"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_signature_needs_goodsig_and_validsig() {
        let good = "[GNUPG:] NEWSIG\n[GNUPG:] GOODSIG AAAABBBB Release Manager <rm@apache.org>\n\
[GNUPG:] VALIDSIG SUBKEYFPR 2026-01-01 1700000000 0 4 0 22 10 00 PRIMARYFPR\n";
        let signature = parse_verify_status(good).unwrap();
        assert_eq!(signature.primary_fingerprint, "PRIMARYFPR");
        assert_eq!(signature.signing_fingerprint, "SUBKEYFPR");
        assert_eq!(signature.user_id, "Release Manager <rm@apache.org>");
        assert_eq!(signature.digest_algorithm, 10);
        assert_eq!(signature.weak_digest(), None);
        let sha1 = good.replace(" 22 10 00 ", " 22 2 00 ");
        let weak = parse_verify_status(&sha1).unwrap();
        assert_eq!(weak.weak_digest().as_deref(), Some("SHA-1"));
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
