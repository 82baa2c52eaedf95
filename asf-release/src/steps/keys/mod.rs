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

//! `keys`: the release manager's signing key, and its entry in the project's `KEYS` file on
//! dist, which is all a voter imports to check a signature.

mod atr;
mod create;

use crate::args::SvnArgs;
use std::io::Write;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use xshell::Shell;

use crate::config::Config;
use crate::keyring::{fingerprints_in, key_findings, keys_url, primary_user_id};
use crate::plan::Plan;
use crate::tools::gpg::{self, SecretKey};
use crate::tools::svn::{self, Change, Credentials};
use crate::tools::Tool;
use crate::Ctx;

#[derive(clap::Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a release signing key for your @apache.org address (gpg asks the passphrase),
    /// then show the remaining set-up steps filled in.
    Create {
        /// Your full name for the user id (default: git's user.name).
        #[arg(long)]
        name: Option<String>,
        /// Your Apache address, like id@apache.org (default: git's user.email when it is one).
        #[arg(long)]
        email: Option<String>,
        /// The kind of key.
        #[arg(long = "type", value_enum, default_value = "rsa4096")]
        key_type: crate::tools::gpg::KeyType,
    },
    /// Print the key's fingerprint in the form id.apache.org asks for.
    Fingerprint {
        /// The key (default: signing-key of the configuration, or the only signing key).
        key: Option<String>,
    },
    /// Check the key: can sign, not expired or revoked, RSA >= 4096 or ed25519, an
    /// @apache.org user id, present in KEYS on dist, and (dist = "atr") linked to the
    /// project's committee on ATR.
    Check {
        /// The key (default: signing-key of the configuration, or the only signing key).
        key: Option<String>,
        #[command(flatten)]
        svn: SvnArgs,
    },
    /// Append the key to the project's KEYS (keys-area: dist/dev, or dist/release only) in one
    /// commit, and (dist = "atr") link it to the project's committee on ATR; nothing to do
    /// when it is there.
    Append {
        /// The key (default: signing-key of the configuration, or the only signing key).
        key: Option<String>,
        #[command(flatten)]
        svn: SvnArgs,
    },
    /// Send the public key to the configured keyserver.
    Publish {
        /// The key (default: signing-key of the configuration, or the only signing key).
        key: Option<String>,
    },
}

pub fn run(ctx: &Ctx, command: &KeysCommand) -> Result<ExitCode> {
    match command {
        KeysCommand::Create {
            name,
            email,
            key_type,
        } => create::create(ctx, name.as_deref(), email.as_deref(), *key_type),
        KeysCommand::Fingerprint { key } => fingerprint(ctx, key.as_deref()),
        KeysCommand::Check { key, svn } => check(ctx, key.as_deref(), &svn.credentials()),
        KeysCommand::Append { key, svn } => append(ctx, key.as_deref(), &svn.credentials()),
        KeysCommand::Publish { key } => publish(ctx, key.as_deref()),
    }
}

/// The key a command is about: the one named, else the configured signing key, else the only
/// key that can sign. A named key is returned even when it cannot sign, so `check` can say why.
fn select_key(ctx: &Ctx, key: Option<&str>) -> Result<SecretKey> {
    Tool::Gpg.require()?;
    let config = ctx.config()?;
    let selector = key.or(config.signing_key.as_deref());
    if let Some(selector) = selector {
        if let [only] = gpg::secret_keys(&ctx.sh, Some(selector))?.as_slice() {
            return Ok(only.clone());
        }
    }
    gpg::signing_key(&ctx.sh, selector)
}

fn fingerprint(ctx: &Ctx, key: Option<&str>) -> Result<ExitCode> {
    let key = select_key(ctx, key)?;
    println!("key:         {}", primary_user_id(&key));
    println!("fingerprint: {}", gpg::spaced_fingerprint(&key.fingerprint));
    println!("enter it at https://id.apache.org under \"OpenPGP Public Key Primary Fingerprint\"");
    Ok(ExitCode::SUCCESS)
}

/// The text every ASF KEYS file starts with; `keys append` never creates one without it.
pub const KEYS_HEADER: &str = "This file contains the PGP keys of various developers.\n\n\
Users: pgp < KEYS\n\
       gpg --import KEYS\n\
Developers:\n\
        pgp -kxa <your name> and append it to this file.\n\
        (pgpk -ll <your name> && pgpk -xa <your name>) >> this file.\n\
        (gpg --list-sigs <your name>\n\
             && gpg --armor --export <your name>) >> this file.\n";

fn check(ctx: &Ctx, key: Option<&str>, creds: &Credentials) -> Result<ExitCode> {
    let config = ctx.config()?;
    let key = select_key(ctx, key)?;
    println!(
        "checking key {} ({})",
        key.fingerprint,
        primary_user_id(&key)
    );
    let (mut problems, mut warnings) = key_findings(&key);
    let dev_keys = keys_url(ctx, &config, creds)?;
    match svn::cat(&ctx.sh, creds, &dev_keys, None)? {
        None => problems.push(format!(
            "there is no KEYS file at {dev_keys}: run `cargo xtask keys append` to create it"
        )),
        Some(bytes) => {
            if !fingerprints_in(&ctx.sh, &bytes)?.contains(&key.fingerprint) {
                problems.push(format!(
                    "key {} is not in {dev_keys}: run `cargo xtask keys append`",
                    key.fingerprint
                ));
            }
        }
    }
    let release_keys = config.release_keys_url();
    let in_release = release_keys == dev_keys
        || match svn::cat(&ctx.sh, creds, &release_keys, None)? {
            Some(bytes) => fingerprints_in(&ctx.sh, &bytes)?.contains(&key.fingerprint),
            None => false,
        };
    if !in_release {
        warnings.push(format!(
            "key {} is not in {release_keys}, which users check releases with: `cargo xtask \
             promote` copies the dev KEYS there",
            key.fingerprint
        ));
    }
    if crate::distribution::of(&config).links_signing_keys() {
        problems.extend(atr::check(ctx, &config, &key.fingerprint)?);
    }
    for warning in &warnings {
        println!("warning: {warning}");
    }
    for problem in &problems {
        println!("✗ {problem}");
    }
    if problems.is_empty() {
        println!("✓ the key can sign releases and is in {dev_keys}");
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "{} problem(s): fix them and run `cargo xtask keys check` again",
            problems.len()
        );
        Ok(ExitCode::FAILURE)
    }
}

/// The public key block `gpg --armor --export` writes, for KEYS and for ATR.
fn armored_key(sh: &Shell, fingerprint: &str) -> Result<String> {
    let block = gpg::export_armored(fingerprint).read(sh)?;
    if !block.contains("BEGIN PGP PUBLIC KEY BLOCK") {
        bail!("`gpg --armor --export {fingerprint}` exported nothing: is the public key in your keyring?");
    }
    Ok(block)
}

/// The text `(gpg --list-sigs KEY && gpg --armor --export KEY) >> KEYS` appends.
fn keys_entry(sh: &Shell, fingerprint: &str) -> Result<String> {
    let sigs = gpg::list_sigs(fingerprint).read(sh)?;
    let block = armored_key(sh, fingerprint)?;
    Ok(format!("{sigs}\n\n{block}\n"))
}

/// KEYS as `keys append` read it: where, at which revision, and its bytes.
struct Base<'a> {
    url: &'a str,
    revision: u64,
    current: &'a [u8],
}

/// The KEYS commit of `keys append`, planned: returns the file holding the new KEYS (kept
/// until the plan ran).
fn plan_keys_commit<'a>(
    ctx: &'a Ctx,
    plan: &mut Plan<'a>,
    creds: &'a Credentials,
    key: &'a SecretKey,
    config: &Config,
    base: Base<'a>,
) -> Result<tempfile::NamedTempFile> {
    let Base {
        url,
        revision,
        current,
    } = base;
    // A new KEYS starts with the standard header, so users know how to import it.
    let mut updated = if current.is_empty() {
        format!("{KEYS_HEADER}\n").into_bytes()
    } else {
        current.to_vec()
    };
    if !current.is_empty() {
        if !updated.ends_with(b"\n") {
            updated.push(b'\n');
        }
        updated.push(b'\n');
    }
    updated.extend_from_slice(keys_entry(&ctx.sh, &key.fingerprint)?.as_bytes());
    let mut file = tempfile::NamedTempFile::new().context("cannot create a temporary file")?;
    file.write_all(&updated)
        .context("cannot write a temporary file")?;
    let path = Utf8Path::from_path(file.path()).context("the temporary path is not UTF-8")?;

    let message = format!(
        "Add the key {} ({}) to the {} KEYS",
        key.fingerprint,
        primary_user_id(key),
        config.display_name
    );
    let commit = svn::commit(
        creds,
        &message,
        Some(revision),
        &[Change::Put(path.to_owned(), url.to_string())],
    );
    plan.check(format!(
        "{path} holds KEYS at r{revision} followed by `gpg --list-sigs` and `gpg --armor --export` of the key"
    ));
    plan.run_judged(commit, svn::commit_outcome(url));
    let fingerprint = &key.fingerprint;
    plan.local(format!("check that {url} holds the new entry"), move || {
        let after = svn::cat(&ctx.sh, creds, url, None)?.unwrap_or_default();
        if !after.starts_with(current) || !fingerprints_in(&ctx.sh, &after)?.contains(fingerprint) {
            bail!(
                "{url} does not hold the new entry after the commit: check it with `svn cat {url}`"
            );
        }
        println!("added key {fingerprint} to {url}");
        Ok(())
    });
    Ok(file)
}

fn append(ctx: &Ctx, key: Option<&str>, creds: &Credentials) -> Result<ExitCode> {
    let config = ctx.config()?;
    let key = select_key(ctx, key)?;
    let (problems, _) = key_findings(&key);
    if !problems.is_empty() {
        bail!(
            "this key should not sign releases, so it is not added to KEYS:\n  {}",
            problems.join("\n  ")
        );
    }
    let url = keys_url(ctx, &config, creds)?;
    let area = url.rsplit_once('/').map(|(dir, _)| dir).unwrap_or(&url);
    // Read at a fixed revision and commit against it, so an entry someone else adds meanwhile
    // makes the commit fail instead of being overwritten.
    let revision = svn::head_revision(&ctx.sh, creds, area)?;
    let current = svn::cat(&ctx.sh, creds, &url, Some(revision))?.unwrap_or_default();
    let in_keys = fingerprints_in(&ctx.sh, &current)?.contains(&key.fingerprint);
    // With ATR, the key must also be linked to the project's committee there.
    let client = crate::atr_flow::client(ctx, &config);
    let link = crate::distribution::of(&config)
        .links_signing_keys()
        .then(|| crate::atr_flow::Link::read(&client, &config, &key.fingerprint))
        .transpose()?;
    let linked = link.as_ref().map(|l| (l.linked, l.committee.as_str()));
    let on_atr = |committee: &str| format!("linked to committee {committee} on ATR");
    if let (true, None | Some((true, _))) = (in_keys, linked) {
        let also = linked.map(|(_, c)| format!(" and {}", on_atr(c)));
        println!(
            "key {} is already in {url}{}: nothing to do",
            key.fingerprint,
            also.unwrap_or_default()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut plan = Plan::new(match (in_keys, linked) {
        (false, Some((false, c))) => format!(
            "append key {} to {url} and have it {}",
            key.fingerprint,
            on_atr(c)
        ),
        (true, Some((_, c))) => format!("have key {} {}", key.fingerprint, on_atr(c)),
        _ => format!("append key {} to {url}", key.fingerprint),
    });
    // The new KEYS, kept until the commit has read it.
    let _new_keys = if in_keys {
        println!("key {} is already in {url}", key.fingerprint);
        None
    } else {
        let base = Base {
            url: &url,
            revision,
            current: &current,
        };
        Some(plan_keys_commit(
            ctx, &mut plan, creds, &key, &config, base,
        )?)
    };
    if let Some(link) = link.as_ref() {
        match link.linked {
            true => println!(
                "key {} is already {}",
                key.fingerprint,
                on_atr(&link.committee)
            ),
            false => {
                let armored = armored_key(&ctx.sh, &key.fingerprint)?;
                let fingerprint = &key.fingerprint;
                atr::plan_link(&mut plan, &client, &config, link, fingerprint, armored);
            }
        }
    }
    // Without ATR's secrets nothing is changed, not even KEYS (the dry run needs none).
    if !ctx.dry_run && link.as_ref().is_some_and(|l| !l.linked) {
        client.acting_as()?;
    }
    plan.mark_outward();
    plan.execute_confirmed(ctx)?;
    Ok(ExitCode::SUCCESS)
}

fn publish(ctx: &Ctx, key: Option<&str>) -> Result<ExitCode> {
    let config = ctx.config()?;
    let key = select_key(ctx, key)?;
    let mut plan = Plan::new(format!(
        "publish key {} to {}",
        key.fingerprint, config.keyserver
    ));
    plan.run(gpg::send_keys(&config.keyserver, &key.fingerprint));
    plan.mark_outward();
    plan.confirm(ctx)?;
    let sent = plan.execute(&ctx.sh, ctx.dry_run).with_context(|| {
        format!(
            "could not send the key to {}: check the network, or set another keyserver",
            config.keyserver
        )
    })?;
    if !sent {
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "sent key {} to {}; now enter its fingerprint at https://id.apache.org (`cargo xtask keys fingerprint`)",
        key.fingerprint, config.keyserver
    );
    Ok(ExitCode::SUCCESS)
}

/// Puts the signing key into the project's KEYS.
pub struct KeysStep;

impl crate::flow::Step for KeysStep {
    fn name(&self) -> &'static str {
        "keys"
    }
    fn phase(&self) -> &'static str {
        crate::flow::CANDIDATE
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        true
    }
    fn command(&self, _: &crate::flow::Release) -> Vec<String> {
        crate::flow::strings(&["keys", "append"])
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        let atr = crate::distribution::of(release.config).links_signing_keys();
        match (
            release.probe(&crate::flow::strings(&["keys", "check"]))?,
            atr,
        ) {
            (0, false) => Progress::done("the signing key is in KEYS"),
            (0, true) => Progress::done("the signing key is in KEYS and linked on ATR"),
            (_, false) => Progress::todo("append the signing key to KEYS"),
            (_, true) => Progress::todo("append the signing key to KEYS and link it on ATR"),
        }
    }
}
