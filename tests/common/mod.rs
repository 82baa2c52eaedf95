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

//! A private world for each end-to-end test: its own HOME, GNUPGHOME (short path: the agent's
//! socket path has a length limit), git config and repositories, and a clean environment for
//! the real `xtask` binary. Dropping the world stops the gpg-agent it started.

#![allow(dead_code)]

pub mod atr;
pub mod threads;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

pub const APACHE_LICENSE: &str = include_str!("../../asf-release/src/archive/LICENSE-2.0.txt");

pub const NOTICE: &str = "Apache Demo\nCopyright 2024-2026 The Apache Software Foundation\n\n\
This product includes software developed at\nThe Apache Software Foundation (http://www.apache.org/).\n";

pub const LUA_HEADER: &str =
    "--\n-- Licensed to the Apache Software Foundation (ASF) under one or more\n\
-- contributor license agreements. Licensed under the Apache License, Version 2.0.\n--\n";

pub const SH_HEADER: &str =
    "#!/bin/sh\n# Licensed to the Apache Software Foundation (ASF) under one or more\n\
# contributor license agreements. Licensed under the Apache License, Version 2.0.\n";

/// The fixed identity and time of fixture commits, so their ids and times never change.
const FIXED_DATE: &str = "2024-05-06T07:08:09Z";

pub struct World {
    pub root: tempfile::TempDir,
    pub home: PathBuf,
    pub gnupghome: PathBuf,
}

impl World {
    pub fn new() -> World {
        // Under /tmp, not the long cargo target path: gpg-agent's socket path must stay short.
        let root = tempfile::Builder::new()
            .prefix("xt")
            .tempdir_in("/tmp")
            .expect("temporary directory");
        let home = root.path().join("h");
        let gnupghome = root.path().join("g");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&gnupghome).unwrap();
        let mut perms = std::fs::metadata(&gnupghome).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o700);
        std::fs::set_permissions(&gnupghome, perms).unwrap();
        std::fs::write(
            home.join(".gitconfig"),
            "[user]\n\tname = Release Manager\n\temail = rm@apache.org\n[init]\n\tdefaultBranch = master\n[advice]\n\tdetachedHead = false\n",
        )
        .unwrap();
        World {
            root,
            home,
            gnupghome,
        }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    /// A command with only this world's environment.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("GNUPGHOME", &self.gnupghome)
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("LC_ALL", "C.UTF-8")
            .env("TZ", "UTC")
            // Nothing reaches the ASF's services: a test that needs them starts a stand-in.
            .env("XTASK_LISTS_URL", "http://127.0.0.1:9")
            .env("XTASK_WHIMSY_URL", "http://127.0.0.1:9")
            .current_dir(self.root.path());
        // The Rust toolchain stays the user's (read only: `cargo metadata --offline`).
        let real_home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default();
        for (name, default) in [("RUSTUP_HOME", ".rustup"), ("CARGO_HOME", ".cargo")] {
            let value = std::env::var_os(name).unwrap_or_else(|| real_home.join(default).into());
            command.env(name, value);
        }
        if let Some(toolchain) = std::env::var_os("RUSTUP_TOOLCHAIN") {
            command.env("RUSTUP_TOOLCHAIN", toolchain);
        }
        command
    }

    /// Runs a command and insists that it succeeds.
    pub fn ok(&self, command: &mut Command) -> String {
        let output = command.output().expect("command starts");
        assert!(
            output.status.success(),
            "{command:?} failed: {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub fn git(&self, repo: &Path, args: &[&str]) -> String {
        let mut command = self.command("git");
        command
            .arg("-C")
            .arg(repo)
            .args(args)
            .env("GIT_AUTHOR_DATE", FIXED_DATE)
            .env("GIT_COMMITTER_DATE", FIXED_DATE);
        self.ok(&mut command).trim_end().to_string()
    }

    /// The real xtask binary, in this world.
    pub fn xtask(&self, args: &[&str]) -> Output {
        self.command(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .output()
            .expect("xtask starts")
    }

    /// Generates an unprotected ed25519 signing key; returns its fingerprint.
    pub fn generate_key(&self, name: &str, email: &str) -> String {
        let uid = format!("{name} <{email}>");
        self.ok(self.command("gpg").args([
            "--batch",
            "--passphrase",
            "",
            "--quick-generate-key",
            &uid,
            "ed25519",
            "sign",
            "never",
        ]));
        let listing = self.ok(self.command("gpg").args([
            "--batch",
            "--with-colons",
            "--list-secret-keys",
            &uid,
        ]));
        listing
            .lines()
            .find_map(|l| l.strip_prefix("fpr:"))
            .map(|l| l.trim_matches(':').to_string())
            .expect("fingerprint")
    }

    /// Writes a file (creating its directories) inside `dir`.
    pub fn write(&self, dir: &Path, relative: &str, content: &[u8]) {
        let path = dir.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// A small ASF project: LICENSE, NOTICE, nested sources with headers, an executable
    /// script, a symlink, a path over 100 bytes, a non-ASCII name and an export-ignore entry.
    /// One commit at a fixed time; returns the repository path.
    pub fn fixture_repo(&self, name: &str) -> PathBuf {
        let repo = self.path(name);
        std::fs::create_dir_all(&repo).unwrap();
        self.git(&repo, &["init", "-q"]);
        self.write(
            &repo,
            "Cargo.toml",
            b"[workspace.metadata.asf-release]\nname = \"demo\"\ndisplay-name = \"Apache Demo\"\n",
        );
        self.write(&repo, "LICENSE", APACHE_LICENSE.as_bytes());
        self.write(&repo, "NOTICE", NOTICE.as_bytes());
        self.write(
            &repo,
            "src/main.lua",
            format!("{LUA_HEADER}print('demo')\n").as_bytes(),
        );
        self.write(
            &repo,
            "src/nested/deep/util.lua",
            format!("{LUA_HEADER}return {{}}\n").as_bytes(),
        );
        self.write(
            &repo,
            "bin/run.sh",
            format!("{SH_HEADER}exec lua src/main.lua\n").as_bytes(),
        );
        let long = format!(
            "docs/{}/{}.md",
            "a-rather-long-directory-name".repeat(3),
            "b".repeat(40)
        );
        self.write(&repo, &long, b"# A long path\n");
        self.write(&repo, "docs/über-straße.md", "# Ünïcödé\n".as_bytes());
        self.write(&repo, "ci/internal.yml", b"internal: true\n");
        self.write(&repo, ".gitattributes", b"/ci export-ignore\n");
        std::os::unix::fs::symlink("src/main.lua", repo.join("main-link.lua")).unwrap();
        let mut perms = std::fs::metadata(repo.join("bin/run.sh"))
            .unwrap()
            .permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(repo.join("bin/run.sh"), perms).unwrap();
        self.git(&repo, &["add", "-A"]);
        self.git(&repo, &["commit", "-q", "-m", "Initial import"]);
        repo
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.command("gpgconf").args(["--kill", "all"]).output();
    }
}

/// `--repo <repo> package 1.0.0 --rc 1 --out <out>`: the fixture's candidate.
pub fn package_args<'a>(repo: &'a Path, out: &'a Path) -> Vec<&'a str> {
    vec![
        "--repo",
        repo.to_str().unwrap(),
        "package",
        "1.0.0",
        "--rc",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts a failure whose message contains every one of `needles`.
pub fn assert_fails_with(output: &Output, needles: &[&str]) {
    let text = format!("{}{}", stdout(output), stderr(output));
    assert!(
        !output.status.success(),
        "expected a failure, got success:\n{text}"
    );
    for needle in needles {
        assert!(text.contains(needle), "expected {needle:?} in:\n{text}");
    }
}

/// Every file under `dir`, relative, sorted.
pub fn list_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && !path.is_symlink() {
                walk(base, &path, out);
            } else {
                out.push(
                    path.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Fault injection: wrappers for `tools`, put first on PATH, that count every call in one
/// counter file and fail the call whose number is in `FAULT_AT` (0: never).
pub struct Faults {
    pub bin: PathBuf,
    pub counter: PathBuf,
}

impl Faults {
    pub fn new(world: &World, tools: &[&str]) -> Faults {
        let bin = world.path("fault-bin");
        let counter = world.path("fault-count");
        std::fs::create_dir_all(&bin).unwrap();
        for tool in tools {
            let real = which::which(tool).expect("tool installed");
            let script = format!(
                "#!/bin/sh\n\
                 n=$(( $(cat \"$FAULT_COUNTER\" 2>/dev/null || echo 0) + 1 ))\n\
                 echo \"$n\" > \"$FAULT_COUNTER\"\n\
                 echo \"$n {tool} $*\" >> \"$FAULT_COUNTER.log\"\n\
                 if [ \"$n\" = \"$FAULT_AT\" ]; then echo \"injected fault in {tool} (call $n)\" >&2; exit 1; fi\n\
                 exec {} \"$@\"\n",
                real.display()
            );
            let path = bin.join(tool);
            std::fs::write(&path, script).unwrap();
            let mut perms = std::fs::metadata(&path).unwrap().permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
            std::fs::set_permissions(&path, perms).unwrap();
        }
        Faults { bin, counter }
    }

    /// Runs the real xtask with the call numbered `at` failing; returns the output and how
    /// many wrapped calls were made.
    pub fn run(&self, world: &World, at: usize, args: &[&str]) -> (Output, usize) {
        self.reset();
        let output = self.run_counting_on(world, at, args);
        (output, self.calls())
    }

    /// Starts counting calls from zero.
    pub fn reset(&self) {
        let _ = std::fs::remove_file(&self.counter);
        let _ = std::fs::remove_file(self.log());
    }

    /// Each wrapped call since the last reset, one line each: `<number> <tool> <arguments>`.
    pub fn log(&self) -> PathBuf {
        let mut name = self.counter.clone().into_os_string();
        name.push(".log");
        PathBuf::from(name)
    }

    /// Runs the real xtask with the call numbered `at` failing, counting on from the calls of
    /// the commands before it, so one count spans a sequence of commands.
    pub fn run_counting_on(&self, world: &World, at: usize, args: &[&str]) -> Output {
        let path = format!("{}:{}", self.bin.display(), std::env::var("PATH").unwrap());
        world
            .command(env!("CARGO_BIN_EXE_xtask"))
            .args(args)
            .env("PATH", path)
            .env("FAULT_COUNTER", &self.counter)
            .env("FAULT_AT", at.to_string())
            .output()
            .unwrap()
    }

    /// How many wrapped calls were made since the last reset.
    pub fn calls(&self) -> usize {
        std::fs::read_to_string(&self.counter)
            .ok()
            .and_then(|text| text.trim().parse().ok())
            .unwrap_or(0)
    }
}

/// The archive URL of a [RESULT] mail, for `promote --vote-counted-elsewhere` in tests about
/// something else than the vote.
pub const VOTE_URL: &str = "https://lists.apache.org/thread/the-result-of-the-vote";

pub const KEYS_HEADER: &str = "This file contains the PGP keys of the developers of Apache Demo.\n\n\
Users: gpg --import KEYS\nDevelopers: (gpg --list-sigs <key> && gpg --armor --export <key>) >> KEYS\n";

/// A repository laid out like dist: dev/demo/KEYS, release/demo/KEYS and release 0.9.0.
pub struct Dist {
    pub repo: PathBuf,
    /// The URL of the repository root as the tool reaches it.
    pub url: String,
}

impl Dist {
    pub fn new(world: &World, repo: PathBuf) -> Dist {
        std::fs::create_dir_all(repo.parent().unwrap()).unwrap();
        world.ok(world.command("svnadmin").arg("create").arg(&repo));
        let url = format!("file://{}", repo.display());
        world.write(world.root.path(), "seed/KEYS", KEYS_HEADER.as_bytes());
        world.write(world.root.path(), "seed/old.tgz", b"the bytes of 0.9.0");
        let seed = world.path("seed");
        let keys = seed.join("KEYS");
        let old = seed.join("old.tgz");
        world.ok(world
            .command("svnmucc")
            .args(["-U", &url, "-m", "dist layout"])
            .args([
                "mkdir",
                "dev",
                "mkdir",
                "dev/demo",
                "put",
                keys.to_str().unwrap(),
                "dev/demo/KEYS",
                "mkdir",
                "release",
                "mkdir",
                "release/demo",
                "put",
                keys.to_str().unwrap(),
                "release/demo/KEYS",
                "mkdir",
                "release/demo/0.9.0",
                "put",
                old.to_str().unwrap(),
                "release/demo/0.9.0/apache-demo-0.9.0-src.tgz",
            ]));
        Dist { repo, url }
    }

    pub fn youngest(&self, world: &World) -> u64 {
        world
            .ok(world.command("svnlook").arg("youngest").arg(&self.repo))
            .trim()
            .parse()
            .unwrap()
    }

    pub fn file_url(&self, path: &str) -> String {
        format!("file://{}/{path}", self.repo.display())
    }

    /// `svn ls` straight from the repository, sorted.
    pub fn ls(&self, world: &World, path: &str) -> Vec<String> {
        let mut entries: Vec<String> = world
            .ok(world.command("svn").args(["ls", &self.file_url(path)]))
            .lines()
            .map(String::from)
            .collect();
        entries.sort();
        entries
    }

    /// `svn ls -R` of the whole repository, sorted.
    pub fn ls_recursive(&self, world: &World) -> Vec<String> {
        let mut entries: Vec<String> = world
            .ok(world.command("svn").args(["ls", "-R", &self.file_url("")]))
            .lines()
            .map(String::from)
            .collect();
        entries.sort();
        entries
    }

    pub fn cat(&self, world: &World, path: &str) -> Vec<u8> {
        let output = world
            .command("svn")
            .args(["cat", &self.file_url(path)])
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "svn cat {path}: {}",
            stderr(&output)
        );
        output.stdout
    }

    /// Release `version` of demo in dist/release as a voted candidate leaves it: the tarball
    /// (`bytes`), its .asc by a new key of the release manager and its .sha512, and that key in
    /// the release KEYS, which users import.
    pub fn release_signed(&self, world: &World, version: &str, bytes: &[u8]) {
        let tarball = format!("apache-demo-{version}-src.tgz");
        let seed = world.path(&format!("seed-{version}"));
        world.write(&seed, &tarball, bytes);
        world.write(
            &seed,
            &format!("{tarball}.sha512"),
            format!("0123  {tarball}\n").as_bytes(),
        );
        let fingerprint = world.generate_key("Release Manager", "rm@apache.org");
        world.ok(world
            .command("gpg")
            .args(["--batch", "--armor", "--detach-sign", "--local-user"])
            .arg(&fingerprint)
            .arg(&tarball)
            .current_dir(&seed));
        let key = world.ok(world
            .command("gpg")
            .args(["--armor", "--export", &fingerprint]));
        let keys = world.path(&format!("KEYS-{version}"));
        std::fs::write(&keys, format!("{KEYS_HEADER}\n{key}")).unwrap();
        world.ok(world
            .command("svn")
            .args(["import", "-q", "-m", "Release"])
            .arg(&seed)
            .arg(self.file_url(&format!("release/demo/{version}"))));
        world.ok(world
            .command("svnmucc")
            .args(["-m", "the release manager's key", "put"])
            .arg(&keys)
            .arg(self.file_url("release/demo/KEYS")));
    }

    pub fn mkdirs(&self, world: &World, paths: &[&str]) {
        let mut command = world.command("svnmucc");
        command.args(["-U", &self.file_url(""), "-m", "setup"]);
        for path in paths {
            command.args(["mkdir", path]);
        }
        world.ok(&mut command);
    }
}

/// The fixture project, configured for `dist`, tagged 1.0.0-rc1.
pub fn project(world: &World, dist: &Dist) -> PathBuf {
    let repo = world.fixture_repo("repo");
    let manifest = repo.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).unwrap();
    text.push_str(&format!(
        "svn-dev-url = \"{0}/dev/demo\"\nsvn-release-url = \"{0}/release/demo\"\n",
        dist.url
    ));
    std::fs::write(&manifest, text).unwrap();
    world.git(&repo, &["commit", "-qam", "Release settings"]);
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    repo
}

/// svnserve on a free port of 127.0.0.1, stopped when dropped.
pub struct Svnserve {
    child: Child,
    pub port: u16,
}

impl Svnserve {
    pub fn start(world: &World, root: &Path) -> Svnserve {
        for _ in 0..10 {
            let port = TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut child = world
                .command("svnserve")
                .args(["-d", "--foreground", "-r"])
                .arg(root)
                .args([
                    "--listen-host",
                    "127.0.0.1",
                    "--listen-port",
                    &port.to_string(),
                ])
                .spawn()
                .expect("svnserve starts");
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Svnserve { child, port };
                }
                if child.try_wait().unwrap().is_some() {
                    break; // the port was taken meanwhile: try another
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!("svnserve did not start");
    }
}

impl Drop for Svnserve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The accounts of `served_dist`: a release manager who may write dev/ only, and a PMC member
/// who may write everywhere.
pub const RM_PASSWORD: &str = "rm-secret-pw";
pub const PMC_PASSWORD: &str = "pmc-secret-pw";

/// A dist-like repository served by svnserve with the ASF's permissions: `rm` writes dev/ only,
/// `pmc` writes everywhere, nobody reads anonymously. Keep the server alive while it is used.
pub fn served_dist(world: &World) -> (Dist, Svnserve) {
    let root = world.path("srv");
    let mut dist = Dist::new(world, root.join("dist"));
    let conf = dist.repo.join("conf");
    std::fs::write(
        conf.join("svnserve.conf"),
        "[general]\nanon-access = none\nauth-access = write\npassword-db = passwd\n\
         authz-db = authz\nrealm = dist\n",
    )
    .unwrap();
    std::fs::write(
        conf.join("passwd"),
        format!("[users]\nrm = {RM_PASSWORD}\npmc = {PMC_PASSWORD}\n"),
    )
    .unwrap();
    std::fs::write(
        conf.join("authz"),
        "[/]\npmc = rw\nrm = r\n\n[/dev]\nrm = rw\n",
    )
    .unwrap();
    let server = Svnserve::start(world, &root);
    dist.url = format!("svn://127.0.0.1:{}/dist", server.port);
    (dist, server)
}

/// Runs the real binary on the demo sandbox's project, in the sandbox's environment with the
/// variables of `env` added.
pub fn in_sandbox(
    sandbox: &asf_release::demo::Sandbox,
    args: &[&str],
    env: &[(&str, &str)],
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.arg("--repo").arg(sandbox.project()).args(args);
    for (key, value) in sandbox.env() {
        command.env(key, value);
    }
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}
