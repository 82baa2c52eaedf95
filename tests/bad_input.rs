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

//! The bad-input catalogue: every bad input we can think of, run through the real binary. Each
//! must give a non-zero exit, a message naming the problem and the fix, and leave the
//! repository, the output directory, the SVN repository and the keyring as they were.

mod common;

use std::path::{Path, PathBuf};

use common::*;

/// What a case may not change: the work tree and refs of the repository, every file under the
/// output directory, the youngest revision of the dist repository, and the keys in GNUPGHOME.
fn snapshot(world: &World, repo: &Path, out: &Path, dist: Option<&Dist>) -> String {
    let mut state = String::new();
    if let Some(dist) = dist {
        state.push_str(&format!("dist at r{}\n", dist.youngest(world)));
    }
    for file in list_files(repo) {
        if file.starts_with(".git/") && !file.starts_with(".git/refs/") {
            continue;
        }
        let path = repo.join(&file);
        let content = std::fs::read(&path).unwrap_or_default();
        state.push_str(&format!("{file} {}\n", content.len()));
        state.push_str(&String::from_utf8_lossy(&content));
    }
    for args in [&["for-each-ref"][..], &["status", "--porcelain"]] {
        let output = world
            .command("git")
            .arg("-C")
            .arg(repo)
            .args(args)
            .output()
            .unwrap();
        state.push_str(&String::from_utf8_lossy(&output.stdout));
    }
    for file in list_files(out) {
        state.push_str(&format!("out/{file}\n"));
    }
    let keys = world
        .command("gpg")
        .args(["--batch", "--with-colons", "--list-secret-keys"])
        .output()
        .unwrap();
    state.push_str(&String::from_utf8_lossy(&keys.stdout));
    state
}

/// The dist repository a case runs against.
#[derive(Clone, Copy)]
enum Svn {
    None,
    /// file://, configured as svn-dev-url and svn-release-url of the project.
    File,
    /// svnserve with the ASF's permissions; the case runs as the release manager `rm`.
    Served,
}

/// Prepares the world; returns extra environment for the run.
type Setup = Box<dyn Fn(&World, &Path) -> Vec<(&'static str, String)>>;

struct Case {
    name: &'static str,
    svn: Svn,
    setup: Setup,
    args: Vec<String>,
    needles: Vec<&'static str>,
}

fn case(
    name: &'static str,
    setup: impl Fn(&World, &Path) -> Vec<(&'static str, String)> + 'static,
    args: &[&str],
    needles: &[&'static str],
) -> Case {
    Case {
        name,
        svn: Svn::None,
        setup: Box::new(setup),
        args: args.iter().map(|a| a.to_string()).collect(),
        needles: needles.to_vec(),
    }
}

fn svn_case(
    name: &'static str,
    svn: Svn,
    setup: impl Fn(&World, &Path) -> Vec<(&'static str, String)> + 'static,
    args: &[&str],
    needles: &[&'static str],
) -> Case {
    Case {
        svn,
        ..case(name, setup, args, needles)
    }
}

fn nothing(_: &World, _: &Path) -> Vec<(&'static str, String)> {
    Vec::new()
}

const TARBALL: &str = "apache-demo-1.0.0-src.tgz";

/// The release manager's account on the served dist repository.
fn rm_account() -> Vec<(&'static str, String)> {
    vec![
        ("SVN_USERNAME", "rm".to_string()),
        ("SVN_PASSWORD", RM_PASSWORD.to_string()),
    ]
}

fn xtask_ok(world: &World, repo: &Path, args: &[&str], env: &[(&'static str, String)]) {
    let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
    command.arg("--repo").arg(repo).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    world.ok(&mut command);
}

/// A signing key in the dist KEYS and the package of 1.0.0 RC1, ready to upload.
/// `promote` of RC1 on purpose, for a vote counted elsewhere (the refusals around it are
/// about dist, not the vote).
const PROMOTE: [&str; 7] = [
    "promote",
    "1.0.0",
    "--rc",
    "1",
    "--yes",
    "--vote-counted-elsewhere",
    VOTE_URL,
];

fn packaged(world: &World, repo: &Path, env: &[(&'static str, String)]) {
    world.generate_key("Release Manager", "rm@apache.org");
    xtask_ok(world, repo, &["keys", "append", "--yes"], env);
    xtask_ok(world, repo, &["package", "1.0.0", "--rc", "1"], &[]);
}

/// Points the project's dist settings at `url` instead of the test's repository.
fn dist_url_becomes(world: &World, repo: &Path, url: &str) {
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    let ours = format!("file://{}", world.path("dist").display());
    world.write(repo, "Cargo.toml", manifest.replace(&ours, url).as_bytes());
    commit_all(world, repo, "other dist");
}

/// A port of 127.0.0.1 nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn commit_all(world: &World, repo: &Path, message: &str) {
    world.git(repo, &["add", "-A"]);
    world.git(repo, &["commit", "-q", "-m", message]);
}

/// A PATH holding only symlinks to `tools`.
fn path_with_only(world: &World, tools: &[&str]) -> String {
    let bin = world.path("limited-bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in tools {
        if let Ok(real) = which::which(tool) {
            let _ = std::os::unix::fs::symlink(real, bin.join(tool));
        }
    }
    bin.display().to_string()
}

/// Points the repository at a GitHub stand-in on 127.0.0.1 that answers every request with
/// `status` and `body`; the stand-in serves until the test process ends.
fn github_answering(w: &World, r: &Path, status: u16, body: &str) -> Vec<(&'static str, String)> {
    let manifest = std::fs::read_to_string(r.join("Cargo.toml")).unwrap();
    w.write(
        r,
        "Cargo.toml",
        format!("{manifest}github-repo = \"apache/demo\"\n").as_bytes(),
    );
    commit_all(w, r, "GitHub repository");
    let github = asf_release::demo::github::GitHubStandIn::start("apache/demo", 30).unwrap();
    github.fail_with(status, &[], body);
    vec![
        ("GITHUB_API_URL", github.url.clone()),
        ("GITHUB_TOKEN", "ghp_not_a_real_token".into()),
    ]
}

fn github_401(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    github_answering(w, r, 401, r#"{"message":"Bad credentials"}"#)
}

fn github_403(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    github_answering(
        w,
        r,
        403,
        r#"{"message":"Resource not accessible by integration"}"#,
    )
}

fn github_404(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    github_answering(w, r, 404, r#"{"message":"Not Found"}"#)
}

fn github_500(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    github_answering(w, r, 500, r#"{"message":"Server Error"}"#)
}

fn github_bad_json(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    github_answering(w, r, 200, "<html>this is not the API</html>")
}

/// The vote thread as a file next to the repository (where the command runs).
fn vote_thread_file(w: &World, r: &Path, content: &[u8]) -> Vec<(&'static str, String)> {
    w.write(r, "../thread.mbox", content);
    Vec::new()
}

fn mbox_garbage(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    vote_thread_file(w, r, b"Subject: hello\n\nthis is no mbox\n")
}

fn mbox_empty(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    vote_thread_file(w, r, b"")
}

fn mbox_without_from_header(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    vote_thread_file(
        w,
        r,
        b"From someone Mon May  6 07:08:09 2024\nSubject: [VOTE] Release Apache Demo 1.0.0 (RC1)\nDate: Mon, 6 May 2024 07:08:09 +0000\n\n+1\n",
    )
}

/// A vote thread of `(from, subject, body)` messages, an hour apart from 2024-05-06 07:08.
fn thread_of(w: &World, r: &Path, mails: &[(&str, &str, &str)]) -> Vec<(&'static str, String)> {
    let mut mbox = String::new();
    for (hour, (from, subject, body)) in mails.iter().enumerate() {
        mbox.push_str(&format!(
            "From x Mon May  6 07:08:09 2024\nFrom: {from}\nDate: Mon, 6 May 2024 {:02}:08:09 +0000\nSubject: {subject}\nMessage-ID: <{hour}@x>\n\n{body}\n\n",
            7 + hour
        ));
    }
    vote_thread_file(w, r, mbox.as_bytes())
}

const DEMO_VOTE: &str = "[VOTE] Release Apache Demo 1.0.0 (RC1)";

fn mbox_too_large(_: &World, r: &Path) -> Vec<(&'static str, String)> {
    let file = std::fs::File::create(r.join("../thread.mbox")).unwrap();
    file.set_len((64 << 20) + 1).unwrap();
    Vec::new()
}

fn mbox_is_a_directory(_: &World, r: &Path) -> Vec<(&'static str, String)> {
    std::fs::create_dir_all(r.join("../thread.mbox")).unwrap();
    Vec::new()
}

fn mbox_with_too_many_messages(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    let one = format!("From x Mon May  6 07:08:09 2024\nFrom: A <a@apache.org>\nDate: Mon, 6 May 2024 07:08:09 +0000\nSubject: Re: {DEMO_VOTE}\n\n+1\n\n");
    vote_thread_file(w, r, one.repeat(10_001).as_bytes())
}

fn mbox_of_another_candidate(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    thread_of(
        w,
        r,
        &[
            (
                "RM <rm@apache.org>",
                "[VOTE] Release Apache Demo 11.0.0 (RC10)",
                "vote",
            ),
            (
                "A <a@apache.org>",
                "Re: [VOTE] Release Apache Demo 11.0.0 (RC10)",
                "+1",
            ),
        ],
    )
}

fn vote_mails_from_two_people_none_the_sender(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    thread_of(
        w,
        r,
        &[
            ("Mallory <mallory@example.com>", DEMO_VOTE, "vote"),
            ("Eve <eve@example.com>", DEMO_VOTE, "vote"),
        ],
    )
}

fn a_plain_thread(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    thread_of(
        w,
        r,
        &[
            ("RM <rm@apache.org>", DEMO_VOTE, "vote"),
            (
                "A <a@apache.org>",
                &format!("Re: {DEMO_VOTE}"),
                "+1 (binding)",
            ),
        ],
    )
}

fn roster_garbage(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    w.write(r, "../thread.mbox", b"From a Mon May  6 07:08:09 2024\nFrom: A <a@apache.org>\nSubject: [VOTE] Release Apache Demo 1.0.0 (RC1)\nDate: Mon, 6 May 2024 07:08:09 +0000\n\nvote\n");
    w.write(r, "../committee-info.json", b"{\"committees\": [1, 2");
    Vec::new()
}

fn detached_head(w: &World, r: &Path) -> Vec<(&'static str, String)> {
    w.git(r, &["checkout", "-q", "--detach", "HEAD"]);
    Vec::new()
}

fn catalogue() -> Vec<Case> {
    let long = "1".repeat(300);
    let package = |version: &str| {
        vec![
            "package".to_string(),
            version.to_string(),
            "--no-sign".into(),
        ]
    };
    let mut cases = Vec::new();
    for version in [
        "2.3.x",
        "v2.3.0",
        "2..3",
        "-1",
        "",
        long.as_str(),
        "1.2.3.4.5",
        "1.0.0-SNAPSHOT",
        "２.3.0",
    ] {
        let args = package(version);
        cases.push(Case {
            name: "malformed version",
            svn: Svn::None,
            setup: Box::new(nothing),
            args,
            needles: vec!["invalid version", "like 2.3.0"],
        });
    }
    cases.extend([
        case(
            "rc zero where candidates count from 1",
            nothing,
            &["package", "1.0.0", "--rc", "0"],
            &[
                "invalid release candidate 0",
                "use --rc 1, or set first-rc = 0",
            ],
        ),
        case(
            "unknown ref",
            nothing,
            &["package", "1.0.0", "--no-sign", "--ref", "v9.9.9"],
            &["unknown ref `v9.9.9`", "git fetch --tags"],
        ),
        case(
            "dirty tree without a tag",
            |w, r| {
                w.write(r, "NOTICE", b"edited");
                Vec::new()
            },
            &["package", "1.0.0", "--no-sign"],
            &["uncommitted changes", "commit or stash"],
        ),
        case(
            "missing LICENSE",
            |w, r| {
                w.git(r, &["rm", "-q", "LICENSE"]);
                commit_all(w, r, "no license");
                Vec::new()
            },
            &["package", "1.0.0", "--no-sign"],
            &["LICENSE: missing", "add the Apache License 2.0"],
        ),
        case(
            "missing NOTICE",
            |w, r| {
                w.git(r, &["rm", "-q", "NOTICE"]);
                commit_all(w, r, "no notice");
                Vec::new()
            },
            &["package", "1.0.0", "--no-sign"],
            &["NOTICE: missing", "add a NOTICE"],
        ),
        case(
            "non-UTF-8 file name",
            |w, r| {
                use std::os::unix::ffi::OsStrExt;
                let name = std::ffi::OsStr::from_bytes(b"bad-\xff-name.txt");
                std::fs::write(r.join(name), b"x").unwrap();
                commit_all(w, r, "bad name");
                Vec::new()
            },
            &["package", "1.0.0", "--no-sign"],
            &["not UTF-8", "rename it"],
        ),
        case(
            "no signing key",
            nothing,
            &["package", "1.0.0"],
            &["no secret key that can sign", "gpg --full-generate-key"],
        ),
        case(
            "configured key missing",
            |w, r| {
                let manifest = std::fs::read_to_string(r.join("Cargo.toml")).unwrap();
                w.write(
                    r,
                    "Cargo.toml",
                    format!("{manifest}signing-key = \"DEADBEEFDEADBEEF\"\n").as_bytes(),
                );
                commit_all(w, r, "key");
                Vec::new()
            },
            &["package", "1.0.0"],
            &["no secret key `DEADBEEFDEADBEEF`", "signing-key"],
        ),
        case(
            "expired key",
            |w, _| {
                w.ok(w.command("gpg").args([
                    "--batch",
                    "--passphrase",
                    "",
                    "--quick-generate-key",
                    "Old <old@apache.org>",
                    "ed25519",
                    "sign",
                    "seconds=1",
                ]));
                std::thread::sleep(std::time::Duration::from_millis(2100));
                Vec::new()
            },
            &["package", "1.0.0", "--key", "old@apache.org"],
            &["cannot sign", "expired or revoked", "--quick-set-expire"],
        ),
        case(
            "gpg not installed",
            |w, _| vec![("PATH", path_with_only(w, &["git"]))],
            &["package", "1.0.0"],
            &["`gpg` is not installed", "apt-get install gnupg"],
        ),
        case(
            "git not installed",
            |w, _| vec![("PATH", path_with_only(w, &["gpg"]))],
            &["package", "1.0.0", "--no-sign"],
            &["`git` is not installed", "apt-get install git"],
        ),
        case(
            "svn not installed",
            |w, _| vec![("PATH", path_with_only(w, &["git", "gpg"]))],
            &["doctor", "--offline"],
            &["`svn` is not installed", "apt-get install subversion"],
        ),
        case(
            "unknown config key",
            |w, r| {
                w.write(
                    r,
                    "Cargo.toml",
                    b"[workspace.metadata.asf-release]\nname = \"demo\"\nsigning_key = \"x\"\n",
                );
                Vec::new()
            },
            &["package", "1.0.0", "--no-sign"],
            &["unknown field `signing_key`", "README"],
        ),
        case(
            "config of the wrong type",
            |w, r| {
                w.write(
                    r,
                    "Cargo.toml",
                    b"[workspace.metadata.asf-release]\nname = \"demo\"\nexcludes = \"docs\"\n",
                );
                Vec::new()
            },
            &["package", "1.0.0", "--no-sign"],
            &["invalid type", "excludes"],
        ),
        case(
            "config that is not TOML",
            |w, r| {
                w.write(r, "Cargo.toml", b"[workspace.metadata.asf-release\nname = ");
                Vec::new()
            },
            &["package", "1.0.0", "--no-sign"],
            &["not valid TOML"],
        ),
        case(
            "not a git repository",
            |_, r| {
                std::fs::rename(r.join(".git"), r.join("not-git")).unwrap();
                Vec::new()
            },
            &["package", "1.0.0", "--no-sign"],
            &["is not a git repository", "--repo"],
        ),
        case(
            "repository that does not exist",
            nothing,
            &["--repo", "/nonexistent/repo", "package", "1.0.0"],
            &["does not exist", "--repo"],
        ),
        case(
            "verify without a candidate",
            nothing,
            &[
                "verify",
                "1.0.0",
                "--rc",
                "1",
                "--from",
                "/nonexistent/candidate",
            ],
            &["/nonexistent/candidate"],
        ),
    ]);
    for command in ["upload", "promote"] {
        cases.push(svn_case(
            "rc zero where candidates count from 1",
            Svn::File,
            nothing,
            &[command, "1.0.0", "--rc", "0"],
            &["invalid release candidate 0", "first-rc = 1"],
        ));
    }
    cases.extend(configuration_cases());
    for (command, rc) in [
        ("upload", "x"),
        ("upload", ""),
        ("upload", "1.5"),
        ("upload", "99999999999"),
        ("promote", "rc1"),
        ("promote", "+-1"),
    ] {
        cases.push(svn_case(
            "bad --rc",
            Svn::File,
            nothing,
            &[command, "1.0.0", "--rc", rc],
            &["invalid release candidate", "like --rc 1"],
        ));
    }
    cases.extend([
        svn_case(
            "negative --rc",
            Svn::File,
            nothing,
            &["upload", "1.0.0", "--rc=-1"],
            &["invalid release candidate `-1`", "like --rc 1"],
        ),
        svn_case(
            "--rc taken for a flag",
            Svn::File,
            nothing,
            &["promote", "1.0.0", "--rc", "-1"],
            &["unexpected argument '-1'", "--rc <RC>"],
        ),
        svn_case(
            "SVN server not listening",
            Svn::File,
            |w, r| {
                let url = format!("svn://127.0.0.1:{}/dist", closed_port());
                dist_url_becomes(w, r, &url);
                Vec::new()
            },
            &["promote", "1.0.0", "--rc", "1"],
            &["Connection refused", "cannot be reached", "svn-dev-url"],
        ),
        svn_case(
            "SVN repository that does not exist",
            Svn::File,
            |w, r| {
                w.generate_key("Release Manager", "rm@apache.org");
                dist_url_becomes(w, r, "file:///nonexistent/dist");
                Vec::new()
            },
            &["keys", "append", "--yes"],
            &[
                "Unable to open repository",
                "cannot be reached",
                "svn-dev-url",
            ],
        ),
        svn_case(
            "dist path that does not exist",
            Svn::File,
            |w, r| {
                let url = format!("file://{}/no/such/path", w.path("dist").display());
                dist_url_becomes(w, r, &url);
                Vec::new()
            },
            &["promote", "1.0.0", "--rc", "1"],
            &["does not exist in the SVN repository", "svn-dev-url"],
        ),
        svn_case(
            "wrong SVN password",
            Svn::Served,
            |w, _| {
                w.generate_key("Release Manager", "rm@apache.org");
                vec![("SVN_PASSWORD", "not-the-password".to_string())]
            },
            &["keys", "append", "--yes"],
            &["Password incorrect", "SVN_PASSWORD"],
        ),
        svn_case(
            "no permission on dist/release",
            Svn::Served,
            |w, r| {
                packaged(w, r, &rm_account());
                xtask_ok(
                    w,
                    r,
                    &["upload", "--yes", "1.0.0", "--rc", "1"],
                    &rm_account(),
                );
                Vec::new()
            },
            &PROMOTE,
            &["no permission", "ask a PMC member", "nothing was changed"],
        ),
        svn_case(
            "corrupted artifact before upload",
            Svn::File,
            |w, r| {
                packaged(w, r, &[]);
                let tarball = r.join("target/asf-release/1.0.0-rc1").join(TARBALL);
                let mut bytes = std::fs::read(&tarball).unwrap();
                let middle = bytes.len() / 2;
                bytes[middle] ^= 0x20;
                std::fs::write(&tarball, bytes).unwrap();
                Vec::new()
            },
            &["upload", "1.0.0", "--rc", "1"],
            &["does not match", "damaged", "--force"],
        ),
        svn_case(
            "signature that is not a signature",
            Svn::File,
            |w, r| {
                packaged(w, r, &[]);
                let dir = r.join("target/asf-release/1.0.0-rc1");
                std::fs::write(dir.join(format!("{TARBALL}.asc")), b"garbage\n").unwrap();
                Vec::new()
            },
            &["upload", "1.0.0", "--rc", "1"],
            &["signature", "nothing was uploaded", "--force"],
        ),
        svn_case(
            "upload of a candidate that was never made",
            Svn::File,
            nothing,
            &["upload", "1.0.0", "--rc", "7"],
            &[
                "no release candidate RC7 of 1.0.0 (no tag 1.0.0-rc7)",
                "the candidates of 1.0.0 are RC1",
            ],
        ),
        svn_case(
            "upload of a candidate never packaged",
            Svn::File,
            |w, r| {
                w.git(r, &["tag", "1.0.0-rc2"]);
                Vec::new()
            },
            &["upload", "1.0.0", "--rc", "2"],
            &["is missing", "cargo xtask package 1.0.0 --rc 2"],
        ),
        svn_case(
            "upload from a directory that does not exist",
            Svn::File,
            nothing,
            &["upload", "1.0.0", "--rc", "1", "--dir", "/nonexistent/rc1"],
            &["/nonexistent/rc1", "is missing", "cargo xtask package"],
        ),
        svn_case(
            "upload without a KEYS on dist",
            Svn::File,
            |w, r| {
                w.generate_key("Release Manager", "rm@apache.org");
                xtask_ok(w, r, &["package", "1.0.0", "--rc", "1"], &[]);
                // Neither in dist/dev nor in dist/release (where APISIX keeps it).
                let dist = w.path("dist");
                let dev = format!("file://{}/dev/demo/KEYS", dist.display());
                let release = format!("file://{}/release/demo/KEYS", dist.display());
                w.ok(w
                    .command("svnmucc")
                    .args(["-m", "no KEYS", "rm", &dev, "rm", &release]));
                Vec::new()
            },
            &["upload", "1.0.0", "--rc", "1"],
            &["no KEYS file", "keys append"],
        ),
        svn_case(
            "upload signed by a key not in KEYS",
            Svn::File,
            |w, r| {
                w.generate_key("Release Manager", "rm@apache.org");
                xtask_ok(w, r, &["package", "1.0.0", "--rc", "1"], &[]);
                Vec::new()
            },
            &["upload", "1.0.0", "--rc", "1"],
            &["not in the keyring", "keys append", "nothing was uploaded"],
        ),
        svn_case(
            "svn not installed, for keys append",
            Svn::File,
            |w, _| {
                w.generate_key("Release Manager", "rm@apache.org");
                vec![("PATH", path_with_only(w, &["git", "gpg", "svnmucc"]))]
            },
            &["keys", "append", "--yes"],
            &["`svn` is not installed", "apt-get install subversion"],
        ),
        svn_case(
            "svnmucc not installed, for upload",
            Svn::File,
            |w, r| {
                packaged(w, r, &[]);
                vec![("PATH", path_with_only(w, &["git", "gpg", "svn"]))]
            },
            &["upload", "1.0.0", "--rc", "1"],
            &["`svnmucc` is not installed", "apt-get install subversion"],
        ),
        svn_case(
            "upload of other files for a released version",
            Svn::File,
            |w, r| {
                packaged(w, r, &[]);
                xtask_ok(w, r, &["upload", "--yes", "1.0.0", "--rc", "1"], &[]);
                xtask_ok(w, r, &PROMOTE, &[]);
                w.write(
                    r,
                    "src/late.lua",
                    format!("{LUA_HEADER}return 1\n").as_bytes(),
                );
                commit_all(w, r, "A late change");
                let rebuild = ["package", "1.0.0", "--rc", "1", "--ref", "HEAD", "--force"];
                xtask_ok(w, r, &rebuild, &[]);
                Vec::new()
            },
            &["upload", "1.0.0", "--rc", "1"],
            &["already released", "never changed", "new version"],
        ),
        svn_case(
            "promote over an existing release",
            Svn::File,
            |w, r| {
                packaged(w, r, &[]);
                xtask_ok(w, r, &["upload", "--yes", "1.0.0", "--rc", "1"], &[]);
                xtask_ok(w, r, &PROMOTE, &[]);
                let rc = format!("file://{}/dev/demo/1.0.0-rc1", w.path("dist").display());
                w.ok(w.command("svnmucc").args(["-m", "by hand", "mkdir", &rc]));
                Vec::new()
            },
            &["promote", "1.0.0", "--rc", "1"],
            &["already exists", "never overwritten", "cargo xtask prune"],
        ),
        svn_case(
            "promote of a candidate not in dev",
            Svn::File,
            nothing,
            &["promote", "1.0.0", "--rc", "3"],
            &[
                "there is no candidate",
                "none",
                "cargo xtask upload 1.0.0 --rc 3",
            ],
        ),
        svn_case(
            "promote of another number than the uploaded one",
            Svn::File,
            |w, r| {
                packaged(w, r, &[]);
                xtask_ok(w, r, &["upload", "--yes", "1.0.0", "--rc", "1"], &[]);
                Vec::new()
            },
            &["promote", "1.0.0", "--rc", "2"],
            &[
                "there is no candidate",
                "RC1",
                "cargo xtask upload 1.0.0 --rc 2",
            ],
        ),
    ]);
    cases.extend([
        case(
            "GitHub 401",
            github_401,
            &["milestone", "status", "1.0"],
            &["401", "set GITHUB_TOKEN"],
        ),
        case(
            "GitHub 403",
            github_403,
            &["milestone", "create", "1.0"],
            &["403", "write access"],
        ),
        case(
            "GitHub 404",
            github_404,
            &["milestone", "status", "1.0"],
            &["404", "check the repository"],
        ),
        case(
            "GitHub 500",
            github_500,
            &["milestone", "status", "1.0"],
            &["500", "try again"],
        ),
        case(
            "GitHub invalid JSON",
            github_bad_json,
            &["milestone", "status", "1.0"],
            &["invalid or unexpected JSON", "GITHUB_API_URL"],
        ),
        case(
            "mbox garbage",
            mbox_garbage,
            &[
                "vote",
                "tally",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                "thread.mbox",
            ],
            &["line 1: not an mbox", "export"],
        ),
        case(
            "mbox empty",
            mbox_empty,
            &[
                "vote",
                "tally",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                "thread.mbox",
            ],
            &["is empty", "export the vote thread"],
        ),
        case(
            "mbox message without From",
            mbox_without_from_header,
            &[
                "vote",
                "tally",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                "thread.mbox",
            ],
            &["has no From: header"],
        ),
        case(
            "mbox larger than 64 MiB",
            mbox_too_large,
            &[
                "vote",
                "tally",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                "thread.mbox",
            ],
            &["larger than 64 MiB", "export only the vote thread"],
        ),
        case(
            "mbox is a directory",
            mbox_is_a_directory,
            &[
                "vote",
                "tally",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                "thread.mbox",
            ],
            &["not a regular file", "save the vote thread as a file"],
        ),
        case(
            "mbox with more than 10000 messages",
            mbox_with_too_many_messages,
            &[
                "vote",
                "tally",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                "thread.mbox",
            ],
            &["more than 10000 messages", "export only the vote thread"],
        ),
        case(
            "mbox of another candidate (11.0.0 RC10 for 1.0.0 RC1)",
            mbox_of_another_candidate,
            &[
                "vote",
                "tally",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                "thread.mbox",
            ],
            &[
                "no [VOTE] mail on 1.0.0 RC1",
                "11.0.0 (RC10)",
                "check the version and --rc",
            ],
        ),
        case(
            "[VOTE] mails from two people, none the configured sender",
            vote_mails_from_two_people_none_the_sender,
            &[
                "vote",
                "tally",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                "thread.mbox",
            ],
            &["from 2 people", "--from ADDRESS"],
        ),
        case(
            "--from names nobody who opened the vote",
            a_plain_thread,
            &[
                "vote",
                "tally",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                "thread.mbox",
                "--from",
                "bob@apache.org",
            ],
            &["from bob@apache.org (--from)", "check --from"],
        ),
        case(
            "tally without a roster, whimsy out of reach",
            a_plain_thread,
            &[
                "vote",
                "tally",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                "thread.mbox",
            ],
            &[
                "public/committee-info.json",
                "pass the PMC roster with --roster FILE",
            ],
        ),
        case(
            "roster garbage",
            roster_garbage,
            &[
                "vote",
                "tally",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                "thread.mbox",
                "--roster",
                "committee-info.json",
            ],
            &["committee-info.json"],
        ),
        case(
            "detached HEAD for a tag",
            detached_head,
            &["tag", "--rc"],
            &["cannot infer the version", "HEAD is on no branch"],
        ),
    ]);
    cases
}

#[test]
fn every_bad_input_fails_clearly_and_changes_nothing() {
    let cases = catalogue();
    let total = cases.len();
    for (index, case) in cases.into_iter().enumerate() {
        let world = World::new();
        let mut extra_env = Vec::new();
        let (repo, dist, _server) = match case.svn {
            Svn::None => (world.fixture_repo("repo"), None, None),
            Svn::File => {
                let dist = Dist::new(&world, world.path("dist"));
                (project(&world, &dist), Some(dist), None)
            }
            Svn::Served => {
                let (dist, server) = served_dist(&world);
                extra_env.extend(rm_account());
                (project(&world, &dist), Some(dist), Some(server))
            }
        };
        let out: PathBuf = world.path("out");
        std::fs::create_dir_all(&out).unwrap();
        extra_env.extend((case.setup)(&world, &repo));
        let before = snapshot(&world, &repo, &out, dist.as_ref());
        let mut args: Vec<String> = Vec::new();
        if !case.args.contains(&"--repo".to_string()) {
            args.extend(["--repo".into(), repo.display().to_string()]);
        }
        args.extend(case.args.iter().cloned());
        if case.args.first().is_some_and(|c| c == "package") {
            args.extend(["--out".into(), out.display().to_string()]);
        }
        let mut command = world.command(env!("CARGO_BIN_EXE_xtask"));
        command.args(&args);
        for (key, value) in &extra_env {
            command.env(key, value);
        }
        let output = command.output().unwrap();
        let text = stdout(&output) + &stderr(&output);
        assert!(
            !output.status.success(),
            "case {index} ({}) succeeded:\n{text}",
            case.name
        );
        for needle in &case.needles {
            assert!(
                text.contains(needle),
                "case {index} ({}): expected {needle:?} in:\n{text}",
                case.name
            );
        }
        assert!(
            !text.contains("s3cret"),
            "case {index} ({}) printed a secret:\n{text}",
            case.name
        );
        assert!(
            !text.contains("panicked"),
            "case {index} ({}) panicked:\n{text}",
            case.name
        );
        if case.name != "not a git repository" {
            assert_eq!(
                snapshot(&world, &repo, &out, dist.as_ref()),
                before,
                "case {index} ({}) changed the world",
                case.name
            );
        }
    }
    println!("{total} bad inputs tried, all refused cleanly");
}

/// Replaces (or adds) one setting of the fixture's configuration.
fn set_setting(world: &World, repo: &Path, key: &str, value: &str) {
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    let mut lines: Vec<String> = manifest
        .lines()
        .filter(|line| !line.starts_with(&format!("{key} =")))
        .map(String::from)
        .collect();
    lines.push(format!("{key} = {value}"));
    world.write(repo, "Cargo.toml", (lines.join("\n") + "\n").as_bytes());
}

/// A case whose only preparation is one setting of the release configuration.
fn setting_case(
    name: &'static str,
    (key, value): (&'static str, &'static str),
    args: &[&str],
    needles: &[&'static str],
) -> Case {
    case(
        name,
        move |w, r| {
            set_setting(w, r, key, value);
            Vec::new()
        },
        args,
        needles,
    )
}

/// Settings and arguments that would have built, tagged or printed the wrong thing (issue 11,
/// "Configuration and arguments").
fn configuration_cases() -> Vec<Case> {
    vec![
        setting_case(
            "rc-tag-pattern without {rc}",
            ("rc-tag-pattern", "\"{version}-rc\""),
            &["package", "1.0.0", "--rc", "2", "--no-sign"],
            &["rc-tag-pattern", "must contain {rc}", "two candidates"],
        ),
        setting_case(
            "rc-tag-pattern without {version}",
            ("rc-tag-pattern", "\"rc{rc}\""),
            &["tag", "1.0.0", "--rc"],
            &["rc-tag-pattern", "must contain {version}"],
        ),
        setting_case(
            "tag-pattern without {version}",
            ("tag-pattern", "\"release\""),
            &["tag", "1.0.0"],
            &["tag-pattern", "must contain {version}"],
        ),
        case(
            "package --rc without the candidate's tag",
            nothing,
            &["package", "1.0.0", "--rc", "2", "--no-sign"],
            &["no tag `1.0.0-rc2` for release candidate 2", "--ref HEAD"],
        ),
        setting_case(
            "extra source without includes",
            (
                "extra-sources",
                "[{ artifact = \"apache-demo-py-{version}-src.tgz\", includes = [] }]",
            ),
            &["package", "1.0.0", "--no-sign"],
            &[
                "extra-sources",
                "has no includes",
                "list the paths it holds",
            ],
        ),
        setting_case(
            "extra source named like the main one",
            (
                "extra-sources",
                "[{ artifact = \"apache-{name}-{version}-src.tgz\", includes = [\"/LICENSE\"] }]",
            ),
            &["package", "1.0.0", "--no-sign"],
            &[
                "two files of the release are named",
                "its own artifact name",
            ],
        ),
        setting_case(
            "binary with both a command and a directory",
            (
                "binaries",
                "[{ artifact = \"demo-bin.tgz\", command = [\"make\"], from = \"dist\" }]",
            ),
            &["package", "1.0.0", "--no-sign"],
            &["binaries", "either command", "not both"],
        ),
        setting_case(
            "binary path leaving the sources",
            (
                "binaries",
                "[{ artifact = \"demo-bin.tgz\", command = [\"make\"], path = \"../x\" }]",
            ),
            &["package", "1.0.0", "--no-sign"],
            &[
                "binaries.path",
                "a relative path inside the unpacked sources",
            ],
        ),
        setting_case(
            "first-rc out of range",
            ("first-rc", "2"),
            &["package", "1.0.0", "--no-sign"],
            &["first-rc = 2", "use 1 or 0"],
        ),
        case(
            "candidate number overflow",
            |w, r| {
                w.git(r, &["tag", "1.0.0-rc4294967295"]);
                w.write(r, "src/fix.lua", LUA_HEADER.as_bytes());
                commit_all(w, r, "a fix after the candidate");
                Vec::new()
            },
            &["tag", "1.0.0", "--rc"],
            &["numbered 4294967295", "no next candidate"],
        ),
        setting_case(
            "name is ..",
            ("name", "\"..\""),
            &["package", "1.0.0", "--no-sign"],
            &["name = \"..\"", "plain lower-case project name"],
        ),
        setting_case(
            "name with a slash",
            ("name", "\"demo/../x\""),
            &["package", "1.0.0", "--no-sign"],
            &["plain lower-case project name", "no `..`, `/`"],
        ),
        setting_case(
            "name with a space and capitals",
            ("name", "\"Demo Project\""),
            &["package", "1.0.0", "--no-sign"],
            &["plain lower-case project name"],
        ),
        setting_case(
            "out-dir is /",
            ("out-dir", "\"/\""),
            &["package", "1.0.0", "--no-sign"],
            &["out-dir", "file system root", "a directory of its own"],
        ),
        setting_case(
            "out-dir is the repository",
            ("out-dir", "\".\""),
            &["package", "1.0.0", "--no-sign"],
            &["out-dir", "the repository itself"],
        ),
        setting_case(
            "out-dir is a parent of the repository",
            ("out-dir", "\"..\""),
            &["package", "1.0.0", "--no-sign"],
            &["out-dir", "a parent of the repository"],
        ),
        case(
            "password in svn-dev-url",
            |w, r| {
                set_setting(
                    w,
                    r,
                    "svn-dev-url",
                    "\"https://rm:s3cret@dist.example.org/dev/demo\"",
                );
                Vec::new()
            },
            &["upload", "1.0.0", "--rc", "1"],
            &["svn-dev-url carries credentials", "SVN_PASSWORD"],
        ),
        case(
            "password in svn-release-url",
            |w, r| {
                set_setting(
                    w,
                    r,
                    "svn-release-url",
                    "\"https://rm:s3cret@dist.example.org/release/demo\"",
                );
                Vec::new()
            },
            &["--dry-run", "promote", "1.0.0", "--rc", "1"],
            &["svn-release-url carries credentials", "SVN_PASSWORD"],
        ),
        case(
            "token in repository-url",
            |w, r| {
                set_setting(
                    w,
                    r,
                    "repository-url",
                    "\"https://ghp_s3cret@github.com/apache/demo\"",
                );
                Vec::new()
            },
            &["mail", "vote", "1.0.0", "--rc", "1"],
            &["repository-url carries credentials", "***@github.com"],
        ),
        case(
            "password in the git remote",
            |w, r| {
                w.git(
                    r,
                    &[
                        "remote",
                        "add",
                        "origin",
                        "https://rm:s3cret@127.0.0.1:1/demo.git",
                    ],
                );
                Vec::new()
            },
            &["tag", "1.0.0", "--rc"],
            &["remote `origin` carries credentials", "credential helper"],
        ),
    ]
}
