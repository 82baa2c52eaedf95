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

//! `keys create`: the first-time release manager's signing key, made the way the ASF asks
//! (RSA 4096 or Ed25519, the @apache.org address as user id, an expiry date), and the set-up
//! steps that follow it, filled in.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use crate::config::Config;
use crate::keyring::{key_findings, primary_user_id, EXPIRY};
use crate::plan::Plan;
use crate::tools::gpg::{self, KeyType, SecretKey};
use crate::tools::{git, Tool};
use crate::Ctx;

/// Where a committer enters the fingerprint of their key.
pub const ID_APACHE_ORG: &str = "https://id.apache.org";

pub fn create(
    ctx: &Ctx,
    name: Option<&str>,
    email: Option<&str>,
    key_type: KeyType,
) -> Result<ExitCode> {
    Tool::Gpg.require()?;
    let version = gpg::version(&ctx.sh)?;
    if !version.starts_with("2.") {
        bail!(
            "gpg {version} is too old: GnuPG 2.x is needed; {}",
            Tool::Gpg.install_hint()
        );
    }
    let name = match name {
        Some(name) => name.to_string(),
        None => git::config_value(&ctx.sh, &ctx.repo, "user.name")?.with_context(|| {
            "no name for the key: give it with --name \"Your Full Name\"".to_string()
        })?,
    };
    check_name(&name)?;
    let email = match email {
        Some(email) => email.to_string(),
        None => git::config_value(&ctx.sh, &ctx.repo, "user.email")?
            .filter(|email| is_apache_address(email))
            .context(
                "no Apache address for the key: give it with --email <your id>@apache.org (git's \
                 user.email is not an @apache.org address)",
            )?,
    };
    if !is_apache_address(&email) {
        bail!(
            "{email:?} is not an Apache address: release signing keys carry your committer \
             address as user id; give --email <your id>@apache.org"
        );
    }
    let user_id = format!("{name} <{email}>");
    let exact = format!("<{email}>");
    let existing = gpg::secret_keys(&ctx.sh, Some(&exact))?;
    if let Some(suitable) = existing.iter().find(|key| key_findings(key).0.is_empty()) {
        bail!(
            "you have a key for {email} already that can sign releases: {} ({}); use it \
             (`cargo xtask keys check {}`) instead of making another",
            suitable.fingerprint,
            primary_user_id(suitable),
            suitable.fingerprint
        );
    }
    for unsuitable in &existing {
        eprintln!(
            "note: key {} for {email} cannot sign releases ({}); a new one is made",
            unsuitable.fingerprint,
            key_findings(unsuitable).0.join("; ")
        );
    }

    let passphrase = gpg::passphrase_from_env();
    let generate = gpg::generate_signing_key(&user_id, key_type, EXPIRY, passphrase.clone());
    let mut plan = Plan::new(format!(
        "create a {} signing key for {user_id}, valid for {EXPIRY}",
        key_type.algorithm()
    ));
    if passphrase.is_some() {
        plan.run(generate);
    } else {
        plan.run_attached(generate);
    }
    if ctx.dry_run {
        plan.execute(&ctx.sh, true)?;
        println!("gpg asks for the passphrase itself (pinentry); it is never on a command line");
        return Ok(ExitCode::SUCCESS);
    }
    match &passphrase {
        Some(_) => eprintln!(
            "creating the key; the passphrase comes from {}",
            gpg::PASSPHRASE_ENV
        ),
        None => {
            eprintln!("creating the key: gpg asks for its passphrase now (choose a strong one)")
        }
    }
    plan.execute(&ctx.sh, false)
        .map(|_| ())
        .context("gpg could not create the key: see its message above, then run this again")?;

    let before: Vec<&str> = existing.iter().map(|k| k.fingerprint.as_str()).collect();
    let created = gpg::secret_keys(&ctx.sh, Some(&exact))?
        .into_iter()
        .find(|key| !before.contains(&key.fingerprint.as_str()))
        .with_context(|| {
            format!("gpg reported success, but no new key for {email} is in the keyring: check `gpg --list-secret-keys {email}`")
        })?;
    let (problems, _) = key_findings(&created);
    if !problems.is_empty() {
        bail!(
            "the new key {} does not meet the rules: {}",
            created.fingerprint,
            problems.join("; ")
        );
    }
    print!("{}", next_steps(&created, ctx.config().ok().as_ref()));
    Ok(ExitCode::SUCCESS)
}

/// What the release manager does after the key exists, with every value filled in.
fn next_steps(key: &SecretKey, config: Option<&Config>) -> String {
    let fpr = &key.fingerprint;
    let expires = match key.expires {
        Some(at) => crate::clock::iso_date(at as i64),
        None => "never".to_string(),
    };
    let (keyserver, keys_file) = match config {
        Some(config) => (config.keyserver.clone(), config.dev_keys_url()),
        None => (
            "the configured key server".to_string(),
            "the project's KEYS".to_string(),
        ),
    };
    let mut text = format!(
        "✓ created key {fpr}\n  user id: {}\n  expires: {expires}; extend it before then with \
         `{}`, then `cargo xtask keys publish` again\n\nthe remaining set-up steps:\n",
        primary_user_id(key),
        gpg::extend_expiry(fpr, EXPIRY)
    );
    text.push_str(&format!(
        "  1. enter the fingerprint at {ID_APACHE_ORG} (\"OpenPGP Public Key Primary \
         Fingerprint\"):\n       {}\n",
        gpg::spaced_fingerprint(fpr)
    ));
    text.push_str(&format!(
        "  2. `cargo xtask keys publish`: sends the public key to {keyserver}\n"
    ));
    text.push_str(&format!(
        "  3. `cargo xtask keys append`: adds it to {keys_file} (SVN_USERNAME / SVN_PASSWORD)\n"
    ));
    text.push_str("  4. `cargo xtask doctor`: checks that nothing is missing\n");
    if config.is_some_and(|c| c.signing_key.as_deref().is_some_and(|k| k != fpr.as_str())) {
        text.push_str(&format!(
            "  and set signing-key = \"{fpr}\" in the configuration: it names another key now\n"
        ));
    }
    text
}

fn is_apache_address(email: &str) -> bool {
    email.strip_suffix("@apache.org").is_some_and(|id| {
        !id.is_empty()
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    })
}

/// The name goes into the user id `Name <address>`: no brackets, no control characters.
fn check_name(name: &str) -> Result<()> {
    let bad = name.trim().is_empty()
        || name
            .chars()
            .any(|c| c.is_control() || matches!(c, '<' | '>' | '@'));
    if bad {
        bail!(
            "invalid name {}: give your full name, like --name \"Jane Doe\" (no `<`, `>`, `@` \
             or control characters)",
            crate::untrusted::escape(name.as_bytes())
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_apache_addresses_and_plain_names() {
        assert!(is_apache_address("rm@apache.org"));
        assert!(is_apache_address("jane.doe@apache.org"));
        for bad in [
            "rm@example.org",
            "@apache.org",
            "RM@apache.org",
            "a b@apache.org",
        ] {
            assert!(!is_apache_address(bad), "{bad}");
        }
        assert!(check_name("Jane Doe").is_ok());
        for bad in ["", "  ", "Jane <x@y>", "a\nb"] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
