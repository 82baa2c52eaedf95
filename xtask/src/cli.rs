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

//! Every command and flag, in one place.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use camino::Utf8PathBuf;
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
    /// The repository to release (default: the workspace `cargo xtask` ran in, else the
    /// nearest directory up from here with release settings).
    #[arg(long, global = true, value_name = "DIR", value_parser = absolute_path)]
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
        /// Skip the checks that need the network: the key in KEYS on dist and on the key server.
        #[arg(long)]
        offline: bool,
    },
    /// Build the checked, reproducible source tarball of a version, hash it and sign it.
    Package(PackageArgs),
    /// The license audit of `package` alone, on a git ref (default HEAD): every file
    /// classified, ASF third-party policy, the project's own license configuration honoured.
    LicenseAudit(LicenseAuditArgs),
    /// Check a release candidate as a voter: checksum, signature against KEYS, contents, and
    /// optionally a rebuild from the tag.
    Verify(VerifyArgs),
    /// The signing key: its fingerprint, its checks, and its entry in the project's KEYS.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Put a signed release candidate into dist/dev/<project>/<version>-rcN in one commit.
    Upload(DistArgs),
    /// After a passed vote: move the candidate to dist/release in one server-side commit.
    Promote(DistArgs),
    /// List superseded releases and left-over candidates on dist; delete them with --yes.
    Prune(PruneArgs),
    /// The GitHub milestone of a release line: create it, or show what is open and untriaged.
    #[command(subcommand)]
    Milestone(MilestoneCommand),
    /// Cut the release branch of a line, push it and protect it in .asf.yaml.
    Branch(BranchArgs),
    /// Cherry-pick the merged PRs labelled `need backport` onto the release branch.
    Backport(BackportArgs),
    /// Check or bump the version in the configured version-files.
    #[command(subcommand)]
    Version(VersionCommand),
    /// Make, verify and push the signed tag of a release candidate or a release.
    Tag(TagArgs),
    /// Write the release notes of a version and its section of CHANGELOG.md.
    Changelog(ChangelogArgs),
    /// Render a community mail (.eml) into the release's output directory; --send mails it.
    Mail(MailArgs),
    /// Count the votes of a vote thread.
    #[command(subcommand)]
    Vote(VoteCommand),
    /// Add a released version to the download page of the website, on a new branch.
    DownloadPage(DownloadPageArgs),
    /// The whole flow of a release line: where it stands, then every remaining step in order,
    /// until one needs a person (the vote, a conflict, a PMC-only promotion).
    Release(ReleaseArgs),
    /// Where the release of a line stands: every step done / next / blocked, without acting.
    Status {
        #[command(flatten)]
        release: ReleaseArgs,
        /// Print the plan as JSON (for CI).
        #[arg(long)]
        json: bool,
    },
    /// Build a complete local world (git origin, GitHub stand-in, SVN dist, GPG key, vote
    /// thread, website) under target/demo and run the whole release flow in it.
    Demo(DemoArgs),
    /// Install this xtask into another repository, with release settings detected from it,
    /// committed on a new branch (nothing is pushed); a rerun updates the xtask in place.
    Adopt(crate::adopt::AdoptArgs),
}

#[derive(clap::Args, Debug)]
pub struct ReleaseArgs {
    /// The release line, like 2.3.
    #[arg(value_parser = parse_line, allow_hyphen_values = true)]
    pub line: Line,
    /// The version (default: the candidate in progress, else the next patch of the line).
    #[arg(value_parser = parse_version)]
    pub version: Option<Version>,
    /// Work on this release candidate (default: the one in progress, else 1).
    #[arg(long, value_parser = parse_rc)]
    pub rc: Option<u32>,
    /// After a failed vote: start the next release candidate.
    #[arg(long)]
    pub next_rc: bool,
    #[command(flatten)]
    pub options: crate::flow::FlowOptions,
    /// Run outward-facing steps (push, svn commit, mail) without asking.
    #[arg(long)]
    pub yes: bool,
    /// Stop after this step.
    #[arg(long, value_name = "STEP", value_parser = step_name)]
    pub until: Option<&'static str>,
    /// Run only this step (when it is not done).
    #[arg(long, value_name = "STEP", value_parser = step_name, conflicts_with = "until")]
    pub only: Option<&'static str>,
}

fn step_name(text: &str) -> Result<&'static str> {
    steps::named(text).map(|step| step.name())
}

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Where to build the world (default: target/demo of this workspace); emptied first.
    #[arg(long, value_name = "DIR", value_parser = absolute_path)]
    pub dir: Option<Utf8PathBuf>,
}

/// How to reach the SVN server. The password is read from SVN_PASSWORD only, and handed to
/// svn on its standard input.
#[derive(clap::Args, Debug, Clone)]
pub struct SvnArgs {
    /// SVN account (default: SVN_USERNAME, else svn's own cached login).
    #[arg(long)]
    pub username: Option<String>,
    /// Never prompt for anything (CI).
    #[arg(long)]
    pub non_interactive: bool,
}

impl SvnArgs {
    pub fn credentials(&self) -> crate::tools::svn::Credentials {
        crate::tools::svn::Credentials::from_env(self.username.clone(), self.non_interactive)
    }
}

#[derive(Subcommand, Debug)]
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
    /// @apache.org user id, and present in KEYS on dist.
    Check {
        /// The key (default: signing-key of the configuration, or the only signing key).
        key: Option<String>,
        #[command(flatten)]
        svn: SvnArgs,
    },
    /// Append the key to the project's KEYS (keys-area: dist/dev, or dist/release only) in one
    /// commit; nothing to do when it is there.
    Append {
        /// The key (default: signing-key of the configuration, or the only signing key).
        key: Option<String>,
        #[command(flatten)]
        svn: SvnArgs,
        /// Commit without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Send the public key to the configured keyserver.
    Publish {
        /// The key (default: signing-key of the configuration, or the only signing key).
        key: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum MilestoneCommand {
    /// Create the milestone of a line (nothing to do when it exists).
    Create {
        /// The release line, like 2.3.
        #[arg(value_parser = parse_line)]
        line: Line,
    },
    /// List its open and closed issues and PRs and what still needs triage; fails while
    /// items are open.
    Status {
        #[arg(value_parser = parse_line)]
        line: Line,
        /// Succeed even while open items remain.
        #[arg(long)]
        allow_open: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct DistArgs {
    /// The version, like 2.3.0.
    #[arg(value_parser = parse_version)]
    pub version: Version,
    /// The release candidate number.
    #[arg(long, value_parser = parse_rc)]
    pub rc: u32,
    /// Where `package` wrote the artifacts (default: out-dir/<version>-rcN).
    #[arg(long, value_name = "DIR", value_parser = absolute_path)]
    pub dir: Option<Utf8PathBuf>,
    #[command(flatten)]
    pub svn: SvnArgs,
}

#[derive(clap::Args, Debug)]
pub struct PruneArgs {
    /// Delete what the listing shows, in one commit.
    #[arg(long)]
    pub yes: bool,
    #[command(flatten)]
    pub svn: SvnArgs,
}

#[derive(clap::Args, Debug)]
pub struct BranchArgs {
    /// The release line, like 2.3.
    #[arg(value_parser = parse_line)]
    pub line: Line,
    /// Cut the branch from this commit instead of the remote's main branch.
    #[arg(long, value_name = "REF")]
    pub from: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct BackportArgs {
    /// The release line, like 2.3.
    #[arg(value_parser = parse_line)]
    pub line: Line,
    /// Go on after a conflict that was resolved by hand.
    #[arg(long = "continue")]
    pub resume: bool,
    /// Take only PRs whose milestone is the line.
    #[arg(long)]
    pub milestone: bool,
}

#[derive(Subcommand, Debug)]
pub enum VersionCommand {
    /// Fail unless every configured version file carries VERSION.
    Check {
        #[arg(value_parser = parse_version)]
        version: Version,
    },
    /// Write VERSION into every configured version file and commit.
    Bump {
        #[arg(value_parser = parse_version)]
        version: Version,
    },
}

#[derive(clap::Args, Debug)]
pub struct TagArgs {
    /// The version, like 2.3.0 (default: the next unreleased version of the release branch
    /// checked out).
    #[arg(value_parser = parse_version)]
    pub version: Option<Version>,
    /// Tag release candidate N on HEAD; without N, the next candidate number. Without --rc,
    /// tag the release itself on the commit of its last candidate.
    #[arg(long, value_name = "N", num_args = 0..=1, value_parser = parse_rc)]
    pub rc: Option<Option<u32>>,
    /// Sign with this key (default: signing-key of the configuration).
    #[arg(long)]
    pub key: Option<String>,
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
        #[arg(long, value_name = "FILE", value_parser = absolute_path)]
        mbox: Utf8PathBuf,
        /// The PMC roster: committee-info.json, or a list of Apache ids / addresses.
        #[arg(long, value_name = "FILE", value_parser = absolute_path)]
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
    #[arg(long, value_name = "FILE", value_parser = absolute_path)]
    pub mbox: Utf8PathBuf,
    /// The PMC roster: committee-info.json, or a list of Apache ids / addresses.
    #[arg(long, value_name = "FILE", value_parser = absolute_path)]
    pub roster: Option<Utf8PathBuf>,
    /// The release manager's address: the vote opens with their [VOTE] mail (default: the
    /// configured sender, `mail-from` or git `user.email`).
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<String>,
    /// Also list the messages that cast no counted vote, and why.
    #[arg(long)]
    pub verbose: bool,
    /// Print the tally as JSON (same content, same exit code).
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct DownloadPageArgs {
    #[arg(value_parser = parse_version)]
    pub version: Version,
    /// A clean checkout of the website repository.
    #[arg(long, value_name = "DIR", value_parser = absolute_path)]
    pub website: Utf8PathBuf,
}

#[derive(clap::Args, Debug)]
pub struct PackageArgs {
    /// The version to release, like 2.3.0.
    #[arg(value_parser = parse_version, allow_hyphen_values = true)]
    pub version: Version,
    /// The release candidate number: selects the tag `2.3.0-rc1` and the output directory.
    #[arg(long, value_parser = parse_rc)]
    pub rc: Option<u32>,
    /// Build from this git ref instead of the version's tag.
    #[arg(long = "ref", value_name = "REF")]
    pub git_ref: Option<String>,
    /// Write the artifacts here (default: out-dir/<version>[-rcN] of the configuration).
    #[arg(long, value_name = "DIR", value_parser = absolute_path)]
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

#[derive(clap::Args, Debug)]
pub struct LicenseAuditArgs {
    /// The commit, branch or tag to audit (default: HEAD).
    #[arg(value_name = "REF")]
    pub git_ref: Option<String>,
    /// Print the report as JSON (for CI) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// The version voted on, like 2.3.0.
    #[arg(value_parser = parse_version, allow_hyphen_values = true)]
    pub version: Version,
    /// The release candidate number.
    #[arg(long, value_parser = parse_rc)]
    pub rc: u32,
    /// Where the candidate is: an SVN URL of its directory, or a local directory (default:
    /// <svn-dev-url>/<version>-rc<N>).
    #[arg(long, value_name = "URL|DIR", value_parser = url_or_absolute_path)]
    pub from: Option<String>,
    /// The KEYS to check the signature with: an SVN URL or a file (default: the published
    /// <svn-release-url>/KEYS; never one inside the candidate).
    #[arg(long, value_name = "URL|FILE", value_parser = url_or_absolute_path)]
    pub keys: Option<String>,
    /// Also rebuild the tarball from the candidate's tag and compare it with the candidate.
    #[arg(long)]
    pub rebuild: bool,
    /// Print the report as JSON (for CI) instead of a checklist.
    #[arg(long)]
    pub json: bool,
    /// You are a PMC member: the vote text says `(binding)`.
    #[arg(long)]
    pub binding: bool,
    /// Stop reading the archive once it unpacks to more than this many bytes.
    #[arg(long, hide = true, value_name = "BYTES")]
    pub max_unpacked_bytes: Option<u64>,
}

fn parse_version(text: &str) -> Result<Version> {
    text.parse()
}

fn parse_line(text: &str) -> Result<Line> {
    text.parse()
}

/// A path from the command line, made absolute against the user's directory once, here: the
/// steps run their tools in the repository (`--repo`), not where the user stands.
pub(crate) fn absolute_path(text: &str) -> Result<Utf8PathBuf> {
    let here = Utf8PathBuf::try_from(std::env::current_dir()?)
        .context("the current directory is not UTF-8")?;
    Ok(here.join(text))
}

/// An SVN URL as given, or a local path made absolute like [`absolute_path`].
fn url_or_absolute_path(text: &str) -> Result<String> {
    if crate::steps::verify::is_url(text) {
        Ok(text.to_string())
    } else {
        Ok(absolute_path(text)?.into_string())
    }
}

/// The repository a command acts on without `--repo`, found at run time: the workspace
/// `cargo xtask` ran in (cargo tells the binary its package directory, `<repo>/xtask`), which
/// must contain the current directory; a binary started directly looks up from the current
/// directory for release settings.
fn default_repo() -> Result<Utf8PathBuf> {
    let here = Utf8PathBuf::try_from(std::env::current_dir()?)
        .context("the current directory is not UTF-8")?
        .canonicalize_utf8()
        .context("cannot resolve the current directory")?;
    let started_by_cargo = std::env::var("CARGO_PKG_NAME").as_deref() == Ok(env!("CARGO_PKG_NAME"));
    if let (true, Ok(package)) = (started_by_cargo, std::env::var("CARGO_MANIFEST_DIR")) {
        let package = Utf8PathBuf::from(package);
        let workspace = package.parent().unwrap_or(&package);
        let workspace = workspace
            .canonicalize_utf8()
            .with_context(|| format!("cargo ran the xtask of {workspace}, which does not exist"))?;
        if !here.starts_with(&workspace) {
            bail!(
                "cargo ran the xtask of {workspace}, but the current directory {here} is outside \
                 it: run `cargo xtask` inside the repository to release, or pass --repo <DIR>"
            );
        }
        return Ok(workspace);
    }
    for dir in here.ancestors() {
        let in_manifest = std::fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|text| text.contains(crate::config::SECTION));
        if in_manifest || dir.join(crate::config::SETTINGS_FILE).is_file() {
            return Ok(dir.to_owned());
        }
    }
    bail!(
        "no directory from {here} up has release settings ({} or {} in Cargo.toml): run the \
         command inside the repository to release, or pass --repo <DIR>",
        crate::config::SETTINGS_FILE,
        crate::config::SECTION
    )
}

pub fn main() -> Result<ExitCode> {
    let cli = Cli::parse();
    let repo = match (cli.repo.clone(), &cli.command) {
        (Some(repo), _) => repo,
        // The demo needs no repository of its own: without one it works where it stands.
        (None, Command::Demo(args)) if args.dir.is_some() => match default_repo() {
            Ok(repo) => repo,
            Err(_) => Utf8PathBuf::try_from(std::env::current_dir()?)
                .context("the current directory is not UTF-8")?,
        },
        (None, _) => default_repo()?,
    };
    let repo = repo
        .canonicalize_utf8()
        .with_context(|| format!("repository directory {repo} does not exist: check --repo"))?;
    eprintln!("repository: {repo}");
    let sh = Shell::new().context("cannot set up the shell")?;
    sh.change_dir(&repo);
    let ctx = Ctx {
        sh,
        repo,
        dry_run: cli.dry_run,
    };
    match cli.command {
        Command::Doctor { key, offline } => steps::doctor::run(&ctx, key.as_deref(), offline),
        Command::Package(args) => steps::package::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::LicenseAudit(args) => steps::license_audit::run(&ctx, &args),
        Command::Verify(args) => steps::verify::run(&ctx, &args),
        Command::Keys(command) => steps::keys::run(&ctx, &command),
        Command::Upload(args) => steps::upload::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Promote(args) => steps::promote::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Prune(args) => steps::prune::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Milestone(MilestoneCommand::Create { line }) => {
            steps::milestone::create(&ctx, line).map(|_| ExitCode::SUCCESS)
        }
        Command::Milestone(MilestoneCommand::Status { line, allow_open }) => {
            steps::milestone::status(&ctx, line, allow_open)
        }
        Command::Branch(args) => steps::branch::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Backport(args) => steps::backport::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Version(VersionCommand::Check { version }) => {
            steps::version_files::check(&ctx, &version)
        }
        Command::Version(VersionCommand::Bump { version }) => {
            steps::version_files::bump(&ctx, &version).map(|_| ExitCode::SUCCESS)
        }
        Command::Tag(args) => steps::tag::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
        Command::Changelog(args) => steps::changelog::run(&ctx, &args),
        Command::Mail(args) => steps::mail::run(&ctx, &args),
        Command::Vote(VoteCommand::Tally(args)) => steps::vote::run_tally(&ctx, &args),
        Command::DownloadPage(args) => steps::download_page::run(&ctx, &args),
        Command::Release(args) => crate::release::run(&ctx, &args),
        Command::Status { release, json } => crate::release::status(&ctx, &release, json),
        Command::Demo(args) => crate::demo::run(&ctx, &args),
        Command::Adopt(args) => crate::adopt::run(&ctx, &args).map(|_| ExitCode::SUCCESS),
    }
}
