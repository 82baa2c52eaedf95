//! `doctor`: are the tools there, and can the configured key sign?

use std::process::ExitCode;

use anyhow::Result;

use crate::tools::{git, gpg, missing_message, svn, Tool};
use crate::Ctx;

pub fn run(ctx: &Ctx, key: Option<&str>) -> Result<ExitCode> {
    let mut healthy = true;
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
            // Optional, so not in Tool::ALL: `mail --send` checks it when used.
            Tool::Sendmail | Tool::Xtask | Tool::Svnadmin | Tool::Gpgconf => continue,
        };
        match version {
            Ok(version) if tool == Tool::Gpg && !version.starts_with("2.") => {
                println!(
                    "✗ gpg {version}: GnuPG 2.x is needed; {}",
                    tool.install_hint()
                );
                healthy = false;
            }
            Ok(version) => println!("✓ {} {version}", tool.program()),
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
    if Tool::Gpg.require().is_ok() {
        let selector = key.or(config.as_ref().and_then(|c| c.signing_key.as_deref()));
        match gpg::signing_key(&ctx.sh, selector) {
            Ok(key) => println!(
                "✓ signing key {} ({}) can sign",
                key.fingerprint,
                key.user_ids
                    .first()
                    .map(String::as_str)
                    .unwrap_or("no user id")
            ),
            Err(err) => {
                println!("✗ signing key: {err:#}");
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
