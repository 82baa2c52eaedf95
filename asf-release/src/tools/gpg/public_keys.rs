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

//! Public keys: what a `KEYS` file holds, its entries, and the throwaway keyring a voter checks
//! signatures with.

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use xshell::Shell;

use super::{gpg, verify, verify_cmd, Signature};
use crate::scratch::Scratch;
use crate::tools::ToolCmd;

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

/// A throwaway keyring that holds nothing but the keys of one KEYS file: what a voter checks a
/// signature with. gpg runs with `--no-autostart` in it (public keys need no agent), so no
/// agent is left behind; the directory goes on drop, or on the next run after a kill.
pub struct Keyring {
    home: Scratch,
}

impl Keyring {
    pub fn new() -> Result<Keyring> {
        Ok(Keyring {
            home: Scratch::in_memory("keyring")?,
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
