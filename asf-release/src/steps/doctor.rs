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

//! `doctor`: are the tools there, and is the signing key set up the way the release guide
//! describes (created, in KEYS, not expiring, on the key server)? Each missing step is named
//! with the command that does it.

use std::process::ExitCode;

use anyhow::Result;

use crate::config::Config;
use crate::keyring::{fingerprints_in, key_findings, EXPIRY};
use crate::tools::gpg::SecretKey;
use crate::tools::{curl, git, gpg, keyserver, missing_message, svn, Tool};
use crate::Ctx;

/// A key that expires sooner than this is reported: a release vote and its promotion take
/// weeks, and the signature must stay checkable with a valid key.
const EXPIRY_WARNING_DAYS: u64 = 30;

pub fn run(ctx: &Ctx, key: Option<&str>, offline: bool) -> Result<ExitCode> {
    let mut healthy = true;
    let mut gpg_usable = false;
    for tool in Tool::ALL {
        if tool.require().is_err() {
            println!("✗ {}", missing_message(tool));
            healthy = false;
            continue;
        }
        let version = match tool {
            Tool::Git => git::version(&ctx.sh),
            Tool::Gpg => gpg::version(&ctx.sh),
            Tool::Svn => svn::version(&ctx.sh),
            Tool::Svnmucc => svn::svnmucc_version(&ctx.sh),
            Tool::Curl => curl::version(&ctx.sh),
            // Optional, so not in Tool::ALL: `mail --send` checks it when used.
            Tool::Sendmail
            | Tool::Xtask
            | Tool::Svnadmin
            | Tool::Gpgconf
            | Tool::Project
            | Tool::Cargo => continue,
        };
        match version {
            Ok(version) if tool == Tool::Gpg && !version.starts_with("2.") => {
                println!(
                    "✗ gpg {version}: GnuPG 2.x is needed; {}",
                    tool.install_hint()
                );
                healthy = false;
            }
            Ok(version) => {
                gpg_usable |= tool == Tool::Gpg;
                println!("✓ {} {version}", tool.program());
            }
            Err(err) => {
                println!("✗ {}: {err:#}", tool.program());
                healthy = false;
            }
        }
    }
    let config = match ctx.config() {
        Ok(config) => {
            println!("✓ configuration of {} ({})", config.name, ctx.repo);
            Some(config)
        }
        Err(err) => {
            println!("✗ configuration: {err:#}");
            healthy = false;
            None
        }
    };
    if gpg_usable {
        let selector = key.or(config.as_ref().and_then(|c| c.signing_key.as_deref()));
        match gpg::signing_key(&ctx.sh, selector) {
            Ok(key) => {
                println!(
                    "✓ signing key {} ({}) can sign",
                    key.fingerprint,
                    key.user_ids
                        .first()
                        .map(String::as_str)
                        .unwrap_or("no user id")
                );
                let problems = key_set_up_problems(ctx, &key, config.as_ref(), offline);
                healthy &= problems.is_empty();
                for problem in problems {
                    println!("✗ {problem}");
                }
            }
            Err(err) => {
                if selector.is_none() && gpg::secret_keys(&ctx.sh, None)?.is_empty() {
                    println!(
                        "✗ no signing key in {}: create one with `cargo xtask keys create \
                         --name \"Your Name\" --email <your id>@apache.org`",
                        keyring_name()
                    );
                } else {
                    println!("✗ signing key: {err:#}");
                }
                healthy = false;
            }
        }
    }
    if healthy {
        println!("everything the release needs is in place");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("fix the ✗ lines above, then run `cargo xtask doctor` again");
        Ok(ExitCode::FAILURE)
    }
}

fn keyring_name() -> String {
    match std::env::var("GNUPGHOME") {
        Ok(home) => format!("the keyring at GNUPGHOME={home}"),
        Err(_) => "your keyring".into(),
    }
}

/// The set-up steps the usable key still misses, each with the command that does it.
fn key_set_up_problems(
    ctx: &Ctx,
    key: &SecretKey,
    config: Option<&Config>,
    offline: bool,
) -> Vec<String> {
    let fpr = &key.fingerprint;
    let (mut problems, warnings) = key_findings(key);
    for warning in warnings {
        println!("warning: {warning}");
    }
    if let Some(expires) = key.expires {
        // Rounded up: a key set to expire in 10 days says 10 for the whole first day.
        let days = expires
            .saturating_sub(crate::clock::system_now())
            .div_ceil(86_400);
        if days < EXPIRY_WARNING_DAYS {
            problems.push(format!(
                "key {fpr} expires in {days} day(s), before a vote and its promotion are over: \
                 extend it with `{}`, then `cargo xtask keys publish`",
                gpg::extend_expiry(fpr, EXPIRY)
            ));
        }
    }
    let Some(config) = config else {
        return problems;
    };
    if offline {
        println!("- not checked (--offline): the key in KEYS and on the key server");
        return problems;
    }
    if Tool::Svn.require().is_ok() {
        let creds = svn::Credentials::from_env(None, true);
        let url = config.dev_keys_url();
        match svn::cat(&ctx.sh, &creds, &url, None) {
            Ok(Some(bytes)) => match fingerprints_in(&ctx.sh, &bytes) {
                Ok(keys) if keys.contains(fpr) => println!("✓ key {fpr} is in {url}"),
                Ok(_) => problems.push(format!(
                    "key {fpr} is not in {url}: add it with `cargo xtask keys append`"
                )),
                Err(err) => println!("? cannot read the keys in {url}: {err:#}"),
            },
            Ok(None) => problems.push(format!(
                "there is no KEYS file at {url}: create it with your key with `cargo xtask keys \
                 append`"
            )),
            Err(err) => println!("? cannot read {url} to look for the key: {err:#}"),
        }
    }
    // The route's account links the key (on ATR, `ATR_UID` and `ATR_TOKEN`).
    if crate::distribution::of(config).links_signing_keys() {
        let client = crate::atr_flow::client(ctx, config);
        if let Err(err) = client.acting_as() {
            problems.push(format!("{err:#}"));
        }
        match crate::atr_flow::Link::read(&client, config, fpr) {
            Ok(link) => match link.problem(config, fpr) {
                Some(problem) => problems.push(problem),
                None => println!(
                    "✓ key {fpr} is linked to committee {} on ATR",
                    link.committee
                ),
            },
            Err(err) => println!("? cannot ask ATR whether the key is linked: {err:#}"),
        }
    }
    match keyserver::has_key(&ctx.sh, &config.keyserver, fpr) {
        Ok(Some(true)) => println!("✓ key {fpr} is on {}", config.keyserver),
        Ok(Some(false)) => problems.push(format!(
            "key {fpr} is not on the key server {}: send it with `cargo xtask keys publish`",
            config.keyserver
        )),
        Ok(None) => println!(
            "- not checked: whether {} has the key (only HKP key servers can be asked)",
            config.keyserver
        ),
        Err(err) => println!("? cannot ask the key server: {err:#}"),
    }
    problems
}
