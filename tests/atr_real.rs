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

//! The whole ATR route against the REAL ATR server (issue 29): Apache Trusted Releases at
//! e354d17 (2025-10-29, the "2025" API of docs/atr.md), unchanged, run locally in its debug
//! mode with its test committee, user and project `test`, a personal access token made through
//! its own web pages (`/test-login`, then `POST /tokens`) and exchanged for a JWT by the tool.
//!
//! What runs for real: every API route the tool uses (`project/get`, `committee/keys`,
//! `key/add`, `release/create`, `release/upload`, `release/get`, `release/paths`,
//! `checks/ongoing`, `checks/list`, `vote/start`, `vote/tabulate`, `vote/resolve`,
//! `release/announce`, `jwt/create`), ATR's storage and revisions, its task workers and all its
//! checks on the uploaded candidate but one: paths, hashing, the signature against the keys
//! linked to the committee (gpg), tar.gz integrity and structure, LICENSE and NOTICE, and
//! `license.headers`, whose verdicts are also compared file by file with our port of its
//! rules. What does not: Apache RAT (ATR runs `java -jar <rat jar>`; the jar cannot be fetched
//! here), replaced by a `java` on ATR's PATH that reports no files (so RAT's check passes
//! without looking), and mail (ATR queues its vote and announcement mails; nothing is sent).
//!
//! Needs the server's folder (`ASF_ATR_SERVER`, else `../shared/atr-server` beside the
//! repository: its source tarball and requirements.txt) and a Python 3.13 environment with its
//! requirements (`ASF_ATR_VENV`, else `target/atr-server/venv`, made by
//! `.ci/atr-server-venv <folder>`, which `.ci/run` calls); without them the test is skipped
//! and says why.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use asf_release::config::Dist;
use asf_release::demo::{write_vote_thread, Sandbox};
use camino::Utf8PathBuf;
use common::*;
use serde_json::{json, Value};

/// The server's project, committee and user (ALLOW_TESTS=1 makes them).
const PROJECT: &str = "test";
const UID: &str = "test";
/// The only lists this server lets a vote or an announcement go to (besides user-tests@).
const LIST: &str = "test@apache.org";
/// How long the server may take to start (migrations, workers) on a busy CI machine.
const START_LIMIT: Duration = Duration::from_secs(240);

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The server's folder and its Python environment, or why the test cannot run.
fn server_and_venv() -> Result<(PathBuf, PathBuf), String> {
    let folder = std::env::var_os("ASF_ATR_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository_root().join("../shared/atr-server"));
    let tarball = folder.join("tooling-trusted-releases-e354d17.tar.gz");
    if !tarball.is_file() {
        return Err(format!(
            "no ATR server at {} (set ASF_ATR_SERVER to the folder with \
             tooling-trusted-releases-e354d17.tar.gz)",
            folder.display()
        ));
    }
    let venv = std::env::var_os("ASF_ATR_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repository_root().join("target/atr-server/venv"));
    let python = venv.join("bin/python");
    let version = Command::new(&python)
        .args(["-c", "import sys, hypercorn; print(sys.version_info[:2])"])
        .output();
    match version {
        Ok(out)
            if out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "(3, 13)" =>
        {
            Ok((folder, venv))
        }
        _ => Err(format!(
            "no Python 3.13 environment with ATR's requirements at {} (make it with \
             `.ci/atr-server-venv {}`: it needs Python 3.13 and PyPI; or set ASF_ATR_VENV)",
            venv.display(),
            folder.display()
        )),
    }
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real server, stopped (its whole process group: workers, SSH) when dropped.
struct Server {
    child: Child,
    url: String,
    state: PathBuf,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        std::thread::sleep(Duration::from_millis(500));
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

impl Server {
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = text.len().saturating_sub(6000);
        let start = (start..text.len())
            .find(|at| text.is_char_boundary(*at))
            .unwrap_or(text.len());
        text[start..].to_string()
    }
}

/// Stands in for `java -jar apache-rat.jar` on ATR's PATH: a report without files.
const RAT_STAND_IN: &str = "#!/bin/sh
# Apache RAT cannot be fetched here: this answers ATR's `java -version` and writes an empty
# RAT report (no files looked at) where ATR asks for it.
if [ \"$1\" = -version ]; then echo 'openjdk version \"21\" (stand-in for Apache RAT)' >&2; exit 0; fi
out=''
while [ $# -gt 0 ]; do
  if [ \"$1\" = --output-file ]; then out=\"$2\"; fi
  shift
done
printf '<?xml version=\"1.0\"?>\\n<rat-report timestamp=\"stand-in\"></rat-report>\\n' > \"$out\"
";

fn start(world: &World, folder: &Path, venv: &Path) -> Server {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let source = world.path("atr-source");
    std::fs::create_dir_all(&source).unwrap();
    world.ok(Command::new("tar")
        .arg("-xzf")
        .arg(folder.join("tooling-trusted-releases-e354d17.tar.gz"))
        .arg("-C")
        .arg(&source)
        .arg("--strip-components=1"));
    let state = world.path("atr-state");
    std::fs::create_dir_all(&state).unwrap();
    let bin = world.path("atr-bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("java"), RAT_STAND_IN).unwrap();
    std::fs::set_permissions(bin.join("java"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let jar = bin.join("apache-rat-stand-in.jar");
    std::fs::write(&jar, b"").unwrap();
    let port = free_port();
    let address = format!("127.0.0.1:{port}");
    let log = world.path("atr-server.log");
    let output = std::fs::File::create(&log).unwrap();
    let path = format!(
        "{}:{}:{}",
        bin.display(),
        venv.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let child = Command::new(venv.join("bin/hypercorn"))
        .args(["--bind", &address, "atr.server:app"])
        .current_dir(&source)
        .env_clear()
        .env("PATH", path)
        .env("HOME", world.path("h"))
        .env("GNUPGHOME", world.path("atr-gnupg"))
        .env("STATE_DIR", &state)
        .env("APP_HOST", &address)
        .env("SECRET_KEY", "atr-real-test")
        .env("ALLOW_TESTS", "1")
        .env("SSH_HOST", "127.0.0.1")
        .env("SSH_PORT", free_port().to_string())
        .env("WTF_CSRF_ENABLED", "0")
        .env("APACHE_RAT_JAR_PATH", &jar)
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(output.try_clone().unwrap())
        .stderr(output)
        .process_group(0)
        .spawn()
        .expect("hypercorn starts");
    std::fs::create_dir_all(world.path("atr-gnupg")).unwrap();
    let server = Server {
        child,
        url: format!("http://{address}"),
        state,
        log,
    };
    let began = Instant::now();
    loop {
        if let Ok((200, _)) = http(
            &server.url,
            "GET",
            &format!("/api/project/get/{PROJECT}"),
            None,
            None,
        ) {
            break;
        }
        assert!(
            began.elapsed() < START_LIMIT,
            "the ATR server did not answer within {START_LIMIT:?}:\n{}",
            server.log_tail()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    eprintln!("ATR server up after {:?}", began.elapsed());
    server
}

/// One HTTP/1.1 request: status and JSON body.
fn http(
    base: &str,
    method: &str,
    path: &str,
    jwt: Option<&str>,
    body: Option<&Value>,
) -> std::io::Result<(u16, Value)> {
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let auth = jwt
        .map(|j| format!("Authorization: Bearer {j}\r\n"))
        .unwrap_or_default();
    let content = match body.is_empty() {
        true => String::new(),
        false => "Content-Type: application/json\r\n".to_string(),
    };
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\n{auth}{content}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let json = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    Ok((status, serde_json::from_str(json).unwrap_or(Value::Null)))
}

/// A personal access token, made as a person makes one: signed in (`/test-login`), then the
/// `/tokens` form; the new token is shown once on the page.
fn token(world: &World, server: &Server) -> String {
    let jar = world.path("atr-cookies");
    let curl = |args: &[&str]| -> String {
        world.ok(Command::new("curl")
            .args(["-sS", "--max-time", "60", "-b"])
            .arg(&jar)
            .arg("-c")
            .arg(&jar)
            .args(args))
    };
    curl(&["-o", "/dev/null", &format!("{}/test-login", server.url)]);
    curl(&[
        "-o",
        "/dev/null",
        "--data",
        "label=release-xtask&submit=Generate",
        &format!("{}/tokens", server.url),
    ]);
    let page = curl(&[&format!("{}/tokens", server.url)]);
    let marker = "Your new token</strong> is <code";
    let after = page
        .split_once(marker)
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(_, rest)| rest)
        .unwrap_or_else(|| panic!("no token on the /tokens page:\n{page}"));
    after.split('<').next().unwrap().trim().to_string()
}

fn jwt(server: &Server, pat: &str) -> String {
    let (status, answer) = http(
        &server.url,
        "POST",
        "/api/jwt/create",
        None,
        Some(&json!({"asfuid": UID, "pat": pat})),
    )
    .unwrap();
    assert_eq!(status, 200, "{answer}");
    answer["jwt"].as_str().unwrap().to_string()
}

fn text(output: &Output) -> String {
    stdout(output) + &stderr(output)
}

/// The demo's sandbox, its project pointed at the real server as user `test`, signing with a
/// key of `Test User <test@apache.org>` (ATR ties `<uid>@apache.org` to the ASF id).
fn sandbox_for(world: &World, server: &Server, pat: &str) -> Sandbox {
    let dir = Utf8PathBuf::from_path_buf(world.path("sandbox")).unwrap();
    let mut sandbox = Sandbox::build_for(dir, Dist::Atr).expect("the sandbox builds");
    let gpg = |args: &[&str]| -> String {
        let mut command = Command::new("gpg");
        command.args(["--batch"]).args(args);
        for (key, value) in sandbox.env() {
            command.env(key, value);
        }
        world.ok(&mut command)
    };
    gpg(&[
        "--passphrase",
        "",
        "--quick-generate-key",
        "Test User <test@apache.org>",
        "ed25519",
        "sign",
        "never",
    ]);
    let fingerprint = gpg(&["--with-colons", "--list-secret-keys", "test@apache.org"])
        .lines()
        .find_map(|l| l.strip_prefix("fpr:"))
        .map(|l| l.trim_matches(':').to_string())
        .expect("a fingerprint");
    let project = sandbox.project();
    let manifest = project.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let standin = text
        .lines()
        .find(|l| l.starts_with("atr-url = "))
        .unwrap()
        .to_string();
    let real = format!(
        "atr-url = \"{}\"\natr-project = \"{PROJECT}\"\natr-vote-to = \"{LIST}\"\n\
         announce-list = \"{LIST}\"\nsigning-key = \"{fingerprint}\"",
        server.url
    );
    std::fs::write(&manifest, text.replace(&standin, &real)).unwrap();
    world.git(
        project.as_std_path(),
        &["commit", "-qam", "Release through the real ATR"],
    );
    world.git(project.as_std_path(), &["push", "-q", "origin", "master"]);
    sandbox.set_var(asf_release::tools::atr::UID_VAR, UID);
    sandbox.set_var(asf_release::tools::atr::TOKEN_VAR, pat);
    // Real checks take seconds: poll twice a second.
    sandbox.set_var(asf_release::tools::atr::POLL_VAR, "500");
    sandbox
}

fn xtask(sandbox: &Sandbox, args: &[&str]) -> Output {
    in_sandbox(sandbox, args, &[])
}

#[test]
fn the_whole_atr_route_runs_against_the_real_atr_server() {
    let (folder, venv) = match server_and_venv() {
        Ok(found) => found,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let began = Instant::now();
    let world = World::new();
    let server = start(&world, &folder, &venv);
    let pat = token(&world, &server);
    let sandbox = sandbox_for(&world, &server, &pat);

    // Planning, the branch, a fix backported, the candidate staged on ATR and its vote
    // started there: key/add, create, uploads, revisions, paths, check polling, vote/start.
    let branch = xtask(&sandbox, &["release", "1.0", "--yes", "--until", "branch"]);
    assert_eq!(branch.status.code(), Some(0), "{}", text(&branch));
    asf_release::demo::land_fix_on_master(&sandbox, 4).unwrap();
    let staged = xtask(&sandbox, &["release", "1.0", "--yes"]);
    let shown = text(&staged);
    assert_eq!(
        staged.status.code(),
        Some(2),
        "{shown}\nserver log:\n{}",
        server.log_tail()
    );
    assert!(shown.contains("stopped before tally"), "{shown}");
    // ATR's checks, run for real (RAT's stand-in aside), found nothing blocking.
    for checker in [
        "✓ signature.check",
        "✓ hashing.check",
        "✓ targz.integrity",
        "✓ targz.structure",
        "✓ license.files",
        "✓ license.headers",
    ] {
        assert!(shown.contains(checker), "{checker}: {shown}");
    }
    let (_, release) = http(
        &server.url,
        "GET",
        &format!("/api/release/get/{PROJECT}/1.0.0"),
        None,
        None,
    )
    .unwrap();
    assert_eq!(
        release["release"]["phase"], "release_candidate",
        "{release}"
    );

    // ATR cannot count the thread for a token (500): the tally counts the mbox and goes on.
    let (mbox, roster) = write_vote_thread(&sandbox, "1.0.0", 1, true).unwrap();
    let tally = xtask(
        &sandbox,
        &[
            "vote",
            "tally",
            "1.0.0",
            "--rc",
            "1",
            "--mbox",
            mbox.as_str(),
            "--roster",
            roster.as_str(),
        ],
    );
    assert_eq!(tally.status.code(), Some(0), "{}", text(&tally));
    assert!(
        text(&tally).contains("ATR's tabulation: unavailable")
            && text(&tally).contains("No ASFQuart session found"),
        "{}",
        text(&tally)
    );

    // The result and the announcement: vote/resolve, release/announce (2025 wants a subject).
    let website = sandbox.website.to_string();
    let release_args = [
        "release",
        "1.0",
        "1.0.0",
        "--yes",
        "--mbox",
        mbox.as_str(),
        "--roster",
        roster.as_str(),
        "--website",
        &website,
    ];
    let announced = xtask(&sandbox, &release_args);
    let shown = text(&announced);
    assert_eq!(
        announced.status.code(),
        Some(2),
        "{shown}\nserver log:\n{}",
        server.log_tail()
    );
    assert!(shown.contains("stopped before report"), "{shown}");
    // The files are where the output says: under the committee's key, not the project's name.
    let downloads = format!("{}/downloads/{PROJECT}/1.0.0/", server.url);
    assert!(shown.contains(&downloads), "{downloads}: {shown}");
    let stored = server
        .state
        .join("downloads")
        .join(PROJECT)
        .join("1.0.0/apache-demo-1.0.0-src.tgz");
    assert!(stored.is_file(), "{}", stored.display());
    let (_, release) = http(
        &server.url,
        "GET",
        &format!("/api/release/get/{PROJECT}/1.0.0"),
        None,
        None,
    )
    .unwrap();
    assert_eq!(release["release"]["phase"], "release", "{release}");
    // Rerun: nothing left to do on ATR.
    let done = xtask(&sandbox, &["report", "1.0.0", "--done"]);
    assert!(done.status.success(), "{}", text(&done));
    let again = xtask(&sandbox, &release_args);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));

    headers_as_the_real_server_judges_them(&server, &pat);
    eprintln!("the real ATR route took {:?}", began.elapsed());
}

/// The full ASF header as Lua comments, and other texts ATR's header check meets.
fn header_cases() -> Vec<(&'static str, String)> {
    let full = std::fs::read_to_string(repository_root().join("asf-release/src/lib.rs"))
        .unwrap()
        .lines()
        .take(16)
        .map(|l| format!("{}\n", l.replacen("//", "--", 1)))
        .collect::<String>();
    let short = "-- Licensed to the Apache Software Foundation (ASF) under one or more\n\
                 -- contributor license agreements. Licensed under the Apache License, \
                 Version 2.0.\n"
        .to_string();
    vec![
        ("lua/full.lua", format!("{full}return {{}}\n")),
        ("lua/short.lua", format!("{short}return {{}}\n")),
        ("lua/https.lua", full.replace("http://", "https://")),
        (
            "lua/lower.lua",
            full.replace("Licensed to the", "licensed to the"),
        ),
        (
            "bin/run.sh",
            format!("#!/bin/sh\n{}", full.replace("--", "#")),
        ),
        (
            "src/Parser.java",
            "/* Generated By:JavaCC: Do not edit this line. */\nclass Parser {}\n".to_string(),
        ),
        (
            "src/third.py",
            "# Licensed under the Apache License, Version 2.0 (the \"License\");\n".to_string(),
        ),
        ("src/empty.py", String::new()),
        ("README.md", "No header here\n".to_string()),
        (".py", "x = 1\n".to_string()),
    ]
}

/// A source tarball of the cases under `apache-demo-0.0.2-src/`, with LICENSE.
fn case_tarball() -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    let license = include_str!("../asf-release/src/archive/LICENSE-2.0.txt");
    let mut files = vec![("LICENSE", license.to_string())];
    files.extend(header_cases());
    for (path, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(
                &mut header,
                format!("apache-demo-0.0.2-src/{path}"),
                content.as_bytes(),
            )
            .unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&builder.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

/// ATR's own verdict on each file of a tarball against our port of its rules
/// (`archive::license::atr`): the same files checked, the same headers taken.
fn headers_as_the_real_server_judges_them(server: &Server, pat: &str) {
    let jwt = jwt(server, pat);
    let post = |route: &str, body: Value| {
        http(&server.url, "POST", route, Some(&jwt), Some(&body)).unwrap()
    };
    let (status, answer) = post(
        "/api/release/create",
        json!({"project": PROJECT, "version": "0.0.2"}),
    );
    assert_eq!(status, 201, "{answer}");
    let archive = case_tarball();
    let (status, answer) = post(
        "/api/release/upload",
        json!({"project": PROJECT, "version": "0.0.2",
               "relpath": "apache-demo-0.0.2-src.tar.gz",
               "content": asf_release::encoding::base64(&archive)}),
    );
    assert_eq!(status, 201, "{answer}");
    let revision = answer["revision"]["number"].as_str().unwrap().to_string();
    let began = Instant::now();
    loop {
        let route = format!("/api/checks/ongoing/{PROJECT}/0.0.2/{revision}");
        let (_, ongoing) = http(&server.url, "GET", &route, None, None).unwrap();
        if ongoing["ongoing"] == 0 {
            break;
        }
        assert!(began.elapsed() < Duration::from_secs(120), "{ongoing}");
        std::thread::sleep(Duration::from_millis(500));
    }
    let route = format!("/api/checks/list/{PROJECT}/0.0.2/{revision}");
    let (status, answer) = http(&server.url, "GET", &route, None, None).unwrap();
    assert_eq!(status, 200, "{answer}");
    let verdicts: Vec<(String, String)> = answer["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["checker"] == "atr.tasks.checks.license.headers")
        .filter_map(|c| {
            let member = c["member_rel_path"].as_str()?;
            Some((member.to_string(), c["status"].as_str()?.to_string()))
        })
        .collect();
    for (path, content) in header_cases() {
        let member = format!("apache-demo-0.0.2-src/{path}");
        let theirs = verdicts
            .iter()
            .find(|(m, _)| *m == member)
            .map(|(_, status)| status.as_str());
        let ours = asf_release::archive::license::atr::checks(&member).then(|| {
            match asf_release::archive::license::atr::accepts(content.as_bytes()) {
                true => "success",
                false => "failure",
            }
        });
        assert_eq!(theirs, ours, "{member}: ATR {theirs:?}, our port {ours:?}");
    }
    // 2025's ATR tabulates for a web session only.
    let (status, answer) = post(
        "/api/vote/tabulate",
        json!({"project": PROJECT, "version": "1.0.0"}),
    );
    assert_eq!(
        (status, answer["error"].as_str()),
        (500, Some("No ASFQuart session found")),
        "{answer}"
    );
}
