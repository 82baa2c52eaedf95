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

//! `demo`: a complete local world and the whole release flow run in it, non-interactively:
//! a fixture ASF project with history and a bare `origin`, a GitHub stand-in on 127.0.0.1, an
//! SVN repository laid out like dist.apache.org, a throwaway GPG key, a vote thread and a
//! website checkout. Everything the flow does runs through the real `release` command.

pub mod atr;
pub mod faults;
pub mod github;
pub mod jira;
pub mod lists;
mod loopback;
pub mod mirror;
mod project;
pub mod whimsy;

use std::os::unix::fs::DirBuilderExt;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use xshell::Shell;

use crate::config::Dist;
use crate::tools::svn::{self, Change, Credentials};
use crate::tools::{git, gpg, xtask, ToolCmd};
use crate::version::{Candidate, Version};
use crate::Ctx;
use github::GitHubStandIn;
use project::make_project;
pub use project::{land_fix_on_master, release_every_artifact};

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Where to build the world (default: target/demo of this workspace); emptied first.
    #[arg(long, value_name = "DIR", value_parser = crate::args::absolute_path)]
    pub dir: Option<Utf8PathBuf>,
    /// `svn` (dist.apache.org and mails, the default) or `atr` (through an ATR stand-in).
    #[arg(long, value_name = "ROUTE", default_value = "svn", value_parser = atr::parse_dist)]
    pub dist: Dist,
    /// How the vote ends: `passed` (the release goes through) or `failed` (two binding -1:
    /// the flow stops at the tally and `promote` refuses).
    #[arg(long, value_enum, default_value = "passed")]
    pub vote: VoteOutcome,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoteOutcome {
    Passed,
    Failed,
}

const LICENSE: &str = include_str!("../archive/LICENSE-2.0.txt");
/// The full ASF header: ATR's license check takes no short form.
const HEADER: &str = "--\n\
-- Licensed to the Apache Software Foundation (ASF) under one or more\n\
-- contributor license agreements.  See the NOTICE file distributed with\n\
-- this work for additional information regarding copyright ownership.\n\
-- The ASF licenses this file to You under the Apache License, Version 2.0\n\
-- (the \"License\"); you may not use this file except in compliance with\n\
-- the License.  You may obtain a copy of the License at\n\
--\n\
--     http://www.apache.org/licenses/LICENSE-2.0\n\
--\n\
-- Unless required by applicable law or agreed to in writing, software\n\
-- distributed under the License is distributed on an \"AS IS\" BASIS,\n\
-- WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.\n\
-- See the License for the specific language governing permissions and\n\
-- limitations under the License.\n\
--\n";
const GITHUB_REPO: &str = "apache/demo";

/// The sandbox: its directories, the stand-ins, and a shell whose environment points every
/// tool at them. Tests build it too, to run the real binary in the same world.
pub struct Sandbox {
    pub dir: Utf8PathBuf,
    sh: Shell,
    gnupghome: tempfile::TempDir,
    env: Vec<(String, String)>,
    pub github: GitHubStandIn,
    /// The ATR stand-in, when the project releases through ATR (`dist = "atr"`).
    pub atr: Option<atr::AtrStandIn>,
    /// `file://` URL of the SVN repository laid out like dist.apache.org.
    pub dist: String,
    pub website: Utf8PathBuf,
    /// downloads.apache.org: serves what dist/release holds.
    pub mirror: mirror::Mirror,
    /// Release branches require reviewed pull requests (as Apache APISIX's do).
    protected: bool,
    /// lists.apache.org: the dev list's archive, where the vote thread is posted.
    pub lists: lists::ListsStandIn,
    /// whimsy.apache.org: the public committee data with the demo's PMC.
    pub whimsy: whimsy::WhimsyStandIn,
}

impl Sandbox {
    pub fn path(&self, relative: &str) -> Utf8PathBuf {
        self.dir.join(relative)
    }

    /// Whether release branches take changes through reviewed pull requests only.
    pub fn protected_release_branches(&self) -> bool {
        self.protected
    }

    /// The released project's working copy.
    pub fn project(&self) -> Utf8PathBuf {
        self.path("project")
    }

    /// The environment every command of the sandbox runs with.
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// Sets a variable for every later command of the sandbox (tests: PATH, fault injection).
    pub fn set_var(&mut self, key: &str, value: &str) {
        self.sh.set_var(key, value);
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_string(), value.to_string()));
    }

    fn write(&self, relative: &str, content: &str) -> Result<()> {
        let path = self.path(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {parent}"))?;
        }
        std::fs::write(&path, content).with_context(|| format!("cannot write {path}"))
    }

    fn run(&self, cmd: &ToolCmd) -> Result<String> {
        let output = crate::plan::build_world(&self.sh, cmd)?;
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    }

    fn commit(&self, repo: &Utf8Path, message: &str) -> Result<String> {
        for cmd in git::commit_everything(repo, message) {
            self.run(&cmd)?;
        }
        git::resolve_commit(&self.sh, repo, "HEAD")?.context("no commit after committing")
    }

    /// Runs `xtask --repo <project> <args>` with the terminal attached; returns its exit code.
    pub fn xtask(&self, args: &[&str]) -> Result<i32> {
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let cmd = xtask::step(&self.project(), false, &args)?;
        println!("\n$ cargo xtask {}", args.join(" "));
        cmd.run_attached(&self.sh)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Stop the agent of the throwaway keyring whatever happened.
        let _ = gpg::stop_agents().output(&self.sh);
    }
}

impl Sandbox {
    /// Builds the whole world under `dir` (emptied first).
    pub fn build(dir: Utf8PathBuf) -> Result<Sandbox> {
        Sandbox::build_for(dir, Dist::Svn)
    }

    /// The world of a project that releases through `dist` (with `Dist::Atr`, an ATR
    /// stand-in on 127.0.0.1 and the secrets for it in the environment).
    pub fn build_for(dir: Utf8PathBuf, dist: Dist) -> Result<Sandbox> {
        Sandbox::build_with(dir, dist, false)
    }

    /// [`Sandbox::build_for`], with release branches that copy master's protection (required
    /// reviews) when `protected`: `backport`, `changelog` and `version bump` then open pull
    /// requests. (GitHub enforcing it on the branch is [`GitHubStandIn::protect`].)
    pub fn build_with(dir: Utf8PathBuf, dist: Dist, protected: bool) -> Result<Sandbox> {
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("cannot empty {dir}"))?;
        }
        std::fs::create_dir_all(dir.join("home"))
            .with_context(|| format!("cannot create {dir}"))?;
        let dir = dir
            .canonicalize_utf8()
            .with_context(|| format!("cannot resolve {dir}"))?;
        // gpg-agent's socket path must stay short, whatever the length of `dir`.
        let gnupghome = tempfile::Builder::new()
            .prefix("xtask-demo-")
            .tempdir_in("/tmp")
            .context("cannot create a keyring directory under /tmp")?;
        std::fs::set_permissions(
            gnupghome.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )?;
        let home = dir.join("home");
        // ATR's token is kept between runs in the user's runtime directory: the sandbox's own.
        let runtime = dir.join("runtime");
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&runtime)
            .with_context(|| format!("cannot create {runtime}"))?;
        std::fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Release Manager\n\temail = rm@apache.org\n[init]\n\tdefaultBranch = master\n",
        )?;
        let github = GitHubStandIn::start(GITHUB_REPO, 30)?;
        // GitHub mirrors the project's origin: it has the tags pushed there.
        github.serve_git(&dir.join("origin.git"));
        let atr = atr::AtrStandIn::for_demo(dist)?;
        let lists = lists::ListsStandIn::start()?;
        let whimsy = whimsy::WhimsyStandIn::start()?;
        whimsy.publish(crate::tools::whimsy::COMMITTEE_INFO, COMMITTEE_INFO);
        let gnupg = gnupghome
            .path()
            .to_str()
            .context("the keyring path is not UTF-8")?
            .to_string();
        let mut env: Vec<(String, String)> = vec![
            ("HOME".into(), home.to_string()),
            ("GNUPGHOME".into(), gnupg),
            ("XDG_RUNTIME_DIR".into(), runtime.to_string()),
            (
                "GIT_CONFIG_GLOBAL".into(),
                home.join(".gitconfig").to_string(),
            ),
            ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
            ("GITHUB_API_URL".into(), github.url.clone()),
            (crate::tools::lists::URL_VAR.into(), lists.url.clone()),
            (crate::tools::whimsy::URL_VAR.into(), whimsy.url.clone()),
            ("GITHUB_TOKEN".into(), "demo-token".into()),
            // The stand-in has no secondary limit to respect: no pause between writes.
            (crate::tools::github::WRITE_INTERVAL_VAR.into(), "0".into()),
        ];
        // The Rust toolchain stays the user's, found from the real HOME (package's load check
        // runs `cargo metadata`).
        let real_home = std::env::var("HOME").unwrap_or_default();
        for (name, default) in [("RUSTUP_HOME", ".rustup"), ("CARGO_HOME", ".cargo")] {
            let value = std::env::var(name).unwrap_or_else(|_| format!("{real_home}/{default}"));
            env.push((name.into(), value));
        }
        env.extend(atr.iter().flat_map(atr::AtrStandIn::env));
        // xshell cannot unset a variable: empty counts as unset for every step.
        for secret in [
            "GPG_PASSPHRASE",
            "SVN_USERNAME",
            "SVN_PASSWORD",
            "GH_TOKEN",
            "SOURCE_DATE_EPOCH",
        ] {
            env.push((secret.into(), String::new()));
        }
        let sh = Shell::new()?;
        sh.change_dir(&dir);
        for (key, value) in &env {
            sh.set_var(key, value);
        }
        let mirror = mirror::Mirror::start(&format!("file://{}/release/demo", dir.join("svn")))?;
        let mut sandbox = Sandbox {
            mirror,
            dist: format!("file://{}", dir.join("svn")),
            website: dir.join("website"),
            dir,
            sh,
            gnupghome,
            env,
            github,
            atr,
            protected,
            lists,
            whimsy,
        };
        sandbox.run(&gpg::generate_unprotected_key(
            "Demo Release Manager <rm@apache.org>",
        ))?;
        sandbox.dist = make_dist(&sandbox)?;
        make_project(&sandbox)?;
        make_website(&sandbox)?;
        Ok(sandbox)
    }
}

/// dist.apache.org: dev/demo and release/demo with KEYS, made in one commit.
fn make_dist(sandbox: &Sandbox) -> Result<String> {
    let repo = sandbox.path("svn");
    sandbox.run(&svn::admin_create(&repo))?;
    let url = format!("file://{repo}");
    let keys = sandbox.path("KEYS.initial");
    std::fs::write(
        &keys,
        "This file contains the PGP keys of the release managers of Apache Demo.\n\nUsers: gpg --import KEYS\nRelease managers: cargo xtask keys append\n\n",
    )?;
    let changes = [
        Change::Mkdir(format!("{url}/dev")),
        Change::Mkdir(format!("{url}/dev/demo")),
        Change::Put(keys.clone(), format!("{url}/dev/demo/KEYS")),
        Change::Mkdir(format!("{url}/release")),
        Change::Mkdir(format!("{url}/release/demo")),
        Change::Put(keys, format!("{url}/release/demo/KEYS")),
    ];
    let creds = Credentials::from_env(None, true);
    sandbox.run(&svn::commit(
        &creds,
        "Lay out dist for Apache Demo",
        None,
        &changes,
    ))?;
    Ok(url)
}

fn make_website(sandbox: &Sandbox) -> Result<()> {
    let website = &sandbox.website;
    sandbox.run(&git::init(website, "master", false))?;
    sandbox.write(
        "website/config/downloads.js",
        "module.exports = [\n  {\n    name: 'Demo',\n    version: '0.9.0',\n    releaseDate: '2025-01-01',\n  },\n];\n",
    )?;
    sandbox.commit(website, "Downloads")?;
    Ok(())
}

/// The demo's PMC in whimsy's committee-info.json.
const COMMITTEE_INFO: &str = r#"{"last_updated": "2026-01-01", "committee_count": 1, "pmc_count": 1,
 "committees": {"demo": {"display_name": "Demo", "mail_list": "demo", "pmc": true,
  "roster_count": 4, "roster": {
  "rm": {"name": "Release Manager", "date": "2020-01-01"},
  "alice": {"name": "Alice Apple", "date": "2020-01-01"},
  "bob": {"name": "Bob Banana", "date": "2021-01-01"},
  "carol": {"name": "Carol Cherry", "date": "2022-01-01"}}}}}
"#;

/// The vote thread of `version` RC `rc` as it reaches the dev list's archive (posted to the
/// archive stand-in too): the VOTE mail the flow rendered, then the replies, all more than 72
/// hours ago, each with the headers the list and the ASF's servers write. A passing vote has
/// three binding and one non-binding +1; a failing one two binding -1. Returns the thread as
/// lists.apache.org exports it (an mbox) and the PMC roster (committee-info.json).
pub fn write_vote_thread(
    sandbox: &Sandbox,
    version: &str,
    rc: u32,
    passing: bool,
) -> Result<(Utf8PathBuf, Utf8PathBuf)> {
    let config = crate::config::load(&sandbox.path("project"))?;
    let version: Version = version.parse()?;
    let vote = crate::records::MailKind::Vote.path(&config, &version, rc);
    let text = std::fs::read_to_string(&vote).with_context(|| format!("cannot read {vote}"))?;
    let subject = text
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .context("the vote mail has no subject")?;
    // Real time: the demo runs its steps without SOURCE_DATE_EPOCH, so the tally reads it too.
    let start = crate::clock::system_now() - 80 * 3600;
    let mut mbox = Vec::new();
    let mut posted = Vec::new();
    let mut message = |from: &str, offset: u64, subject: &str, body: &str| {
        let address = from
            .rsplit_once('<')
            .map_or(from, |(_, a)| a.trim_end_matches('>'));
        let domain = address.rsplit_once('@').map_or(address, |(_, d)| d);
        let reply = match offset {
            0 => String::new(),
            _ => format!(
                "In-Reply-To: <0.rc{rc}.rm@apache.org>\nReferences: <0.rc{rc}.rm@apache.org>\n"
            ),
        };
        let raw = lists::delivered(
            &config.dev_list,
            &format!(
                "From: {from}\nTo: {}\nDate: {}\nSubject: {subject}\nMessage-ID: <{offset}.rc{rc}.{address}>\n{reply}MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n{body}\n",
                config.dev_list,
                crate::clock::rfc5322_date((start + offset) as i64)
            ),
            Some(domain),
        );
        crate::tally::append_to_mbox(&mut mbox, raw.as_bytes(), (start + offset) as i64);
        posted.push(raw);
    };
    message("Release Manager <rm@apache.org>", 0, subject, "Please vote on the release.\n\n[ ] +1 approve\n[ ] +0 no opinion\n[ ] -1 disapprove with the reason");
    let reply = format!("Re: {subject}");
    message(
        "Alice Apple <alice@apache.org>",
        3600,
        &reply,
        "+1 (binding)\n\nChecked signature, checksum, LICENSE and NOTICE.",
    );
    let votes = if passing {
        [("+1\n\nBuilt from source."), ("+1 (binding)")]
    } else {
        [
            ("-1 (binding)\n\nNOTICE has the wrong year."),
            ("-1 (binding)\n\nSame here."),
        ]
    };
    message("Bob Banana <bob@apache.org>", 7200, &reply, votes[0]);
    message("Carol Cherry <carol@apache.org>", 10_800, &reply, votes[1]);
    message(
        "Dave Date <dave@example.com>",
        14_400,
        &reply,
        "+1 (non-binding)\n\nTested on arm64.",
    );
    for raw in &posted {
        sandbox.lists.post(&config.dev_list, raw.as_bytes())?;
    }
    let candidate = config.candidate_name(&Candidate { version, rc });
    let path = sandbox.path(&format!("vote-{candidate}.mbox"));
    std::fs::write(&path, mbox)?;
    let roster = sandbox.path("committee-info.json");
    std::fs::write(&roster, COMMITTEE_INFO)?;
    println!("\n(72 hours later: the vote thread is downloaded as {path})");
    Ok((path, roster))
}

fn print_tree(sandbox: &Sandbox, url: &str, depth: usize) -> Result<()> {
    let creds = Credentials::from_env(None, true);
    for entry in svn::list(&sandbox.sh, &creds, url)?.unwrap_or_default() {
        println!("  {}{entry}", "  ".repeat(depth));
        if entry.ends_with('/') {
            print_tree(
                sandbox,
                &format!("{url}/{}", entry.trim_end_matches('/')),
                depth + 1,
            )?;
        }
    }
    Ok(())
}

pub fn run(ctx: &Ctx, args: &DemoArgs) -> Result<ExitCode> {
    let started = std::time::Instant::now();
    // In the workspace `cargo xtask` ran in, found at run time.
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| ctx.repo.join("target/demo"));
    println!("== building the sandbox in {dir}");
    let sandbox = Sandbox::build_for(dir, args.dist)?;
    run_flow(&sandbox, args.vote)?;
    println!(
        "\ndemo finished in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

fn run_flow(sandbox: &Sandbox, vote: VoteOutcome) -> Result<()> {
    let website = sandbox.website.as_str();
    println!(
        "  project:  {}  (origin: {})",
        sandbox.project(),
        sandbox.path("origin.git")
    );
    println!("  GitHub:   {} (stand-in)", sandbox.github.url);
    println!("  dist:     {}", sandbox.dist);
    if let Some(atr) = &sandbox.atr {
        println!(
            "  ATR:      {} (stand-in; the release goes through it)",
            atr.url
        );
    }
    println!("  website:  {website}");
    println!(
        "  GNUPGHOME {} (throwaway key)",
        sandbox.gnupghome.path().display()
    );

    println!("\n== phase 1: planning and the release branch");
    expect(
        sandbox.xtask(&["release", "1.0", "--yes", "--until", "branch"])?,
        0,
        "cut the branch",
    )?;
    land_fix_on_master(sandbox, 4)?;

    println!("\n== phase 2: backport, CHANGELOG, tag, package, KEYS, upload, VOTE mail");
    expect(
        sandbox.xtask(&["release", "1.0", "--yes"])?,
        i32::from(crate::exit_code::STOPPED),
        "stop for the vote",
    )?;

    if vote == VoteOutcome::Failed {
        return failed_vote(sandbox);
    }
    println!(
        "\n== phase 3: the vote passed; RESULT, promotion, release tag, download page, GitHub release, downloads, ANNOUNCE"
    );
    let (mbox, roster) = write_vote_thread(sandbox, "1.0.0", 1, true)?;
    if let Some(atr) = &sandbox.atr {
        atr.vote_period_over("1.0.0", &mbox)?;
    }
    let release = [
        "release",
        "1.0",
        "--yes",
        "--mbox",
        mbox.as_str(),
        "--roster",
        roster.as_str(),
        "--website",
        website,
    ];
    expect(
        sandbox.xtask(&release)?,
        i32::from(crate::exit_code::STOPPED),
        "stop for the board report data",
    )?;
    println!("\n== the release is entered at reporter.apache.org (by hand); confirm it");
    expect(
        sandbox.xtask(&["report", "1.0.0", "--done"])?,
        0,
        "remember the board report data",
    )?;
    expect(sandbox.xtask(&release)?, 0, "finish the release")?;
    expect(
        sandbox.xtask(&[
            "status",
            "1.0",
            "1.0.0",
            "--website",
            website,
            "--mbox",
            mbox.as_str(),
            "--roster",
            roster.as_str(),
        ])?,
        0,
        "show the status",
    )?;

    let config = crate::config::load(&sandbox.path("project"))?;
    let version: Version = "1.0.0".parse()?;
    let first = Candidate { version, rc: 1 };
    let candidate = config.candidate_artifact_dir(&first);
    let records = config.candidate_records_dir(&first);
    let release = config.release_records_dir(&version);
    println!("\n== results");
    println!("  artifacts: {candidate}/");
    println!("  mails:     {records}/vote.eml, result.eml; {release}/announce.eml");
    println!("  website:   branch download-page-demo-1.0.0 in {website}");
    println!("  dist ({}):", sandbox.dist);
    print_tree(sandbox, &sandbox.dist, 1)?;
    if let Some(atr) = &sandbox.atr {
        atr.print_mails();
    }
    Ok(())
}

/// Phase 3 when the vote failed: the flow stops at the tally, and `promote` refuses the
/// candidate even when asked directly.
fn failed_vote(sandbox: &Sandbox) -> Result<()> {
    println!("\n== phase 3: the vote failed (two binding -1): nothing is promoted");
    let (mbox, roster) = write_vote_thread(sandbox, "1.0.0", 1, false)?;
    let evidence = ["--mbox", mbox.as_str(), "--roster", roster.as_str()];
    let release = [&["release", "1.0", "--yes"][..], &evidence].concat();
    expect(
        sandbox.xtask(&release)?,
        i32::from(crate::exit_code::STOPPED),
        "stop at the failed vote",
    )?;
    let promote = [&["promote", "1.0.0", "--rc", "1", "--yes"][..], &evidence].concat();
    expect(sandbox.xtask(&promote)?, 1, "refuse to promote")?;
    println!("\n== results");
    println!(
        "  dist ({}): RC1 stays in dev, nothing in release",
        sandbox.dist
    );
    print_tree(sandbox, &sandbox.dist, 1)?;
    println!("  next: fix what the -1 votes name, then `cargo xtask release 1.0 --next-rc`");
    Ok(())
}

fn expect(code: i32, wanted: i32, what: &str) -> Result<()> {
    if code != wanted {
        bail!(
            "the demo could not {what} (exit code {code}, expected {wanted}): see the output above"
        );
    }
    Ok(())
}
