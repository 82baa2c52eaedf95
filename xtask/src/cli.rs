//! Every command and flag, in one place.

use std::process::ExitCode;

use anyhow::{Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use clap::{Parser, Subcommand};
use xshell::Shell;

use crate::steps;
use crate::version::{parse_rc, Line, Version};
use crate::Ctx;

#[derive(Parser, Debug)]
#[command(
    name = "cargo xtask",
    about = "The Apache Software Foundation release flow: package, sign, upload, vote, promote",
    arg_required_else_help = true,
    version
)]
pub struct Cli {
    /// The repository to release (default: the workspace this xtask belongs to).
    #[arg(long, global = true, value_name = "DIR")]
    pub repo: Option<Utf8PathBuf>,
    /// Print every command that would run and change nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check that git, gpg and svn are installed and that the signing key can sign.
    Doctor {
        /// The signing key to check (default: signing-key of the configuration).
        #[arg(long)]
        key: Option<String>,
    },
    /// Build the checked, reproducible source tarball of a version, hash it and sign it.
    Package(PackageArgs),
    /// Write the release notes of a version and its section of CHANGELOG.md.
    Changelog(ChangelogArgs),
    /// Render a community mail (.eml) into the release's output directory; --send mails it.
    Mail(MailArgs),
    /// Count the votes of a vote thread.
    #[command(subcommand)]
    Vote(VoteCommand),
    /// Add a released version to the download page of the website, on a new branch.
    DownloadPage(DownloadPageArgs),
}

#[derive(clap::Args, Debug)]
pub struct ChangelogArgs {
    /// The version whose changes to collect, like 2.3.0.
    #[arg(value_parser = parse_version)]
    pub version: Version,
    /// Change nothing; fail when CHANGELOG.md has no section for the version.
    #[arg(long)]
    pub check: bool,
}

#[derive(clap::Args, Debug)]
pub struct MailArgs {
    #[command(subcommand)]
    pub command: MailCommand,
    /// Hand the mail to the configured sendmail command (once: a rerun does not send again).
    #[arg(long, global = true)]
    pub send: bool,
}

#[derive(Subcommand, Debug)]
pub enum MailCommand {
    /// `[VOTE] Release Apache <Project> <version> (RC<N>)` to the dev list.
    Vote {
        #[arg(value_parser = parse_version)]
        version: Version,
        #[arg(long, value_parser = parse_rc)]
        rc: u32,
    },
    /// `[RESULT][VOTE] ...` from the tally of the vote thread; refuses unless the vote passed.
    Result {
        #[arg(value_parser = parse_version)]
        version: Version,
        #[arg(long, value_parser = parse_rc)]
        rc: u32,
        /// The vote thread as an mbox (lists.apache.org: thread, download mbox).
        #[arg(long, value_name = "FILE")]
        mbox: Utf8PathBuf,
        /// The PMC roster: committee-info.json, or a list of Apache ids / addresses.
        #[arg(long, value_name = "FILE")]
        roster: Option<Utf8PathBuf>,
        /// The link to the vote thread (default: a lists.apache.org search for its subject).
        #[arg(long, value_name = "URL")]
        thread: Option<String>,
    },
    /// `[ANNOUNCE] Apache <Project> <version> released` to the dev and announce lists.
    Announce {
        #[arg(value_parser = parse_version)]
        version: Version,
    },
    /// `[DISCUSS] Apache <Project> X.Y release planning` to the dev list.
    Discuss {
        /// The release line, like 2.3.
        #[arg(value_parser = parse_line)]
        line: Line,
    },
}

#[derive(Subcommand, Debug)]
pub enum VoteCommand {
    /// Tally a vote thread. Exit code: 0 passed, 3 failed, 4 not yet (72 hours not over).
    Tally(TallyArgs),
}

#[derive(clap::Args, Debug)]
pub struct TallyArgs {
    #[arg(value_parser = parse_version)]
    pub version: Version,
    #[arg(long, value_parser = parse_rc)]
    pub rc: u32,
    /// The vote thread as an mbox (lists.apache.org: thread, download mbox).
    #[arg(long, value_name = "FILE")]
    pub mbox: Utf8PathBuf,
    /// The PMC roster: committee-info.json, or a list of Apache ids / addresses.
    #[arg(long, value_name = "FILE")]
    pub roster: Option<Utf8PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct DownloadPageArgs {
    #[arg(value_parser = parse_version)]
    pub version: Version,
    /// A clean checkout of the website repository.
    #[arg(long, value_name = "DIR")]
    pub website: Utf8PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct PackageArgs {
    /// The version to release, like 2.3.0.
    #[arg(value_parser = parse_version)]
    pub version: Version,
    /// The release candidate number: selects the tag `2.3.0-rc1` and the output directory.
    #[arg(long, value_parser = parse_rc)]
    pub rc: Option<u32>,
    /// Build from this git ref instead of the version's tag.
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,
    /// Write the artifacts here (default: out-dir/<version>[-rcN] of the configuration).
    #[arg(long, value_name = "DIR")]
    pub out: Option<Utf8PathBuf>,
    /// Do not sign (a check of the tarball alone, for CI on every change).
    #[arg(long)]
    pub no_sign: bool,
    /// Replace existing artifacts of this version that differ from the new build.
    #[arg(long)]
    pub force: bool,
    /// Sign with this key (default: signing-key of the configuration).
    #[arg(long)]
    pub key: Option<String>,
}

fn parse_version(text: &str) -> Result<Version> {
    text.parse()
}

fn parse_line(text: &str) -> Result<Line> {
    text.parse()
}

/// The workspace this binary was built in.
fn default_repo() -> Utf8PathBuf {
    let manifest = Utf8Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_owned()
}

pub fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    let repo = cli.repo.clone().unwrap_or_else(default_repo);
    let repo = repo
        .canonicalize_utf8()
        .with_context(|| format!("repository directory {repo} does not exist: check --repo"))?;
    let sh = Shell::new().context("cannot set up the shell")?;
    sh.change_dir(&repo);
    let ctx = Ctx {
        sh,
        repo,
        dry_run: cli.dry_run,
    };
    match cli.command {
        Command::Doctor { key } => steps::doctor::run(&ctx, key.as_deref()),
        Command::Package(args) => steps::package::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Changelog(args) => steps::changelog::run(&ctx, &args),
        Command::Mail(args) => steps::mail::run(&ctx, &args),
        Command::Vote(VoteCommand::Tally(args)) => steps::vote::run_tally(&ctx, &args),
        Command::DownloadPage(args) => steps::download_page::run(&ctx, &args),
    }
}
