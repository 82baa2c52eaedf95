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

//! The command line: the global flags and the command enum, assembled from the arguments each
//! command declares in its own file. `main.rs` dispatches.

use anyhow::{bail, Context, Result};
use camino::Utf8PathBuf;
use clap::{Parser, Subcommand};

use crate::steps;

#[derive(Parser, Debug)]
#[command(
    name = "cargo xtask",
    about = "The Apache Software Foundation release flow: package, sign, upload, vote, promote",
    arg_required_else_help = true,
    version = version_text()
)]
pub struct Cli {
    /// The repository to release (default: the workspace `cargo xtask` ran in, else the
    /// nearest directory up from here with release settings).
    #[arg(long, global = true, value_name = "DIR", value_parser = crate::args::absolute_path)]
    pub repo: Option<Utf8PathBuf>,
    /// Print every command that would run and change nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Make the changes others see (a push, an svn commit, a sent mail, a GitHub or ATR write)
    /// without asking; without a terminal, steps that make them refuse unless it is given.
    #[arg(long, global = true)]
    pub yes: bool,
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
    /// Show every release setting the commands use, each with where it came from: written in
    /// the project's settings, or filled in by the tool.
    Config,
    /// Build the checked, reproducible source tarball of a version, hash it and sign it.
    Package(steps::package::PackageArgs),
    /// The license audit of `package` alone, on a git ref (default HEAD): every file
    /// classified, ASF third-party policy, the project's own license configuration honoured.
    LicenseAudit(steps::license_audit::LicenseAuditArgs),
    /// Check a release candidate as a voter: checksum, signature against KEYS, contents, and
    /// optionally a rebuild from the tag.
    Verify(steps::verify::VerifyArgs),
    /// The signing key: its fingerprint, its checks, and its entry in the project's KEYS.
    #[command(subcommand)]
    Keys(steps::keys::KeysCommand),
    /// Put a signed release candidate into dist/dev/<project>/<version>-rcN in one commit.
    Upload(crate::args::CandidateArgs),
    /// After a passed vote (counted from the list's archive, or --mbox and --roster): move the
    /// candidate to dist/release in one server-side commit.
    Promote(steps::promote::PromoteArgs),
    /// List superseded releases and left-over candidates on dist; delete them with --yes.
    Prune(steps::prune::PruneArgs),
    /// The GitHub milestone of a release line: create it, or show what is open and untriaged.
    #[command(subcommand)]
    Milestone(steps::milestone::MilestoneCommand),
    /// Cut the release branch of a line, push it and protect it in .asf.yaml.
    Branch(steps::branch::BranchArgs),
    /// Cherry-pick the merged PRs labelled `need backport` onto the release branch.
    Backport(steps::backport::BackportArgs),
    /// Check or bump the version in the configured version-files.
    #[command(subcommand)]
    Version(steps::version_files::VersionCommand),
    /// Make, verify and push the signed tag of a release candidate or a release.
    Tag(steps::tag::TagArgs),
    /// Write the release notes of a version and its section of CHANGELOG.md.
    Changelog(steps::changelog::ChangelogArgs),
    /// Render a community mail (.eml) into the release's output directory; --send mails it.
    Mail(steps::mail::MailArgs),
    /// Count the votes of a vote thread.
    #[command(subcommand)]
    Vote(steps::vote::VoteCommand),
    /// Add a released version to the download page of the website, on a new branch.
    DownloadPage(steps::download_page::DownloadPageArgs),
    /// Create or update the GitHub release of the pushed release tag: notes and download link.
    GithubRelease(steps::github_release::GitHubReleaseArgs),
    /// Wait until the release is served at the download base URL with the voted bytes.
    Downloads(steps::downloads::DownloadsArgs),
    /// The release data for the board report: reporter.apache.org and what to enter there.
    Report(steps::report::ReportArgs),
    /// The whole flow of a release line: where it stands, then every remaining step in order,
    /// until one needs a person (the vote, a conflict, a PMC-only promotion).
    Release(crate::release::ReleaseArgs),
    /// Where the release of a line stands: every step done / next / blocked, without acting.
    Status {
        #[command(flatten)]
        release: crate::release::ReleaseArgs,
        /// Print the plan as JSON (for CI).
        #[arg(long)]
        json: bool,
    },
    /// Build a complete local world (git origin, GitHub stand-in, SVN dist, GPG key, vote
    /// thread, website) under target/demo and run the whole release flow in it.
    #[cfg(feature = "demo")]
    Demo(crate::demo::DemoArgs),
    /// Install this xtask into another repository, with release settings detected from it,
    /// committed on a new branch (nothing is pushed); a rerun updates the xtask in place.
    Adopt(crate::adopt::AdoptArgs),
}

/// `--version`: the library's version and, where the build could tell, the commit it was built
/// from (asf-release/build.rs).
fn version_text() -> &'static str {
    match option_env!("ASF_RELEASE_COMMIT") {
        // Built once per process, when clap builds the command.
        Some(commit) => {
            Box::leak(format!("{} (commit {commit})", env!("CARGO_PKG_VERSION")).into_boxed_str())
        }
        None => env!("CARGO_PKG_VERSION"),
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
    // `cargo run` tells the binary its package's name: an xtask over this library is `xtask`.
    let started_by_cargo = std::env::var("CARGO_PKG_NAME").as_deref() == Ok("xtask");
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
        if crate::config::location(dir).is_some() {
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

/// The repository the command acts on, resolved: `--repo`, else found at run time.
pub fn repository(cli: &Cli) -> Result<Utf8PathBuf> {
    let repo = match (cli.repo.clone(), &cli.command) {
        (Some(repo), _) => repo,
        // The demo needs no repository of its own: without one it works where it stands.
        #[cfg(feature = "demo")]
        (None, Command::Demo(args)) if args.dir.is_some() => match default_repo() {
            Ok(repo) => repo,
            Err(_) => Utf8PathBuf::try_from(std::env::current_dir()?)
                .context("the current directory is not UTF-8")?,
        },
        // `adopt` acts on the directory it is given; where it runs from does not matter.
        (None, Command::Adopt(_)) => match default_repo() {
            Ok(repo) => repo,
            Err(_) => Utf8PathBuf::try_from(std::env::current_dir()?)
                .context("the current directory is not UTF-8")?,
        },
        (None, _) => default_repo()?,
    };
    repo.canonicalize_utf8()
        .with_context(|| format!("repository directory {repo} does not exist: check --repo"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Every command and every argument says what it is for in `--help`.
    #[test]
    fn every_command_and_argument_has_help_text() {
        fn walk(command: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in command.get_arguments() {
                let builtin = matches!(
                    arg.get_action(),
                    clap::ArgAction::Help | clap::ArgAction::HelpLong | clap::ArgAction::Version
                );
                if !builtin && arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} <{}>", arg.get_id()));
                }
            }
            for sub in command.get_subcommands() {
                let sub_path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_long_about().is_none() {
                    missing.push(sub_path.clone());
                }
                walk(sub, &sub_path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "xtask", &mut missing);
        assert!(missing.is_empty(), "no help text: {missing:#?}");
    }
}
