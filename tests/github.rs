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

//! End-to-end tests of everything the tool does with GitHub, against the stand-in
//! (`asf_release::demo::github::GitHubStandIn`), which is held to GitHub's own strictness first:
//! merge kinds, renamed repositories, rate limits and pacing, the token checked before
//! acting, one bad pull request in a batch, and GitHub's detail kept in errors.

mod common;
mod project;

/// The backport step against GitHub: merge kinds, pacing, renames, bad PRs.
#[path = "github/backport.rs"]
mod backport;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use asf_release::demo::github::{GitHubStandIn, RateLimit, Rights, WriteLimit, REPO_ID};
use asf_release::tools::github::MAX_WAIT_VAR;
use common::*;
use project::*;

/// A raw HTTP/1.1 request to the stand-in: status, headers (lower-case names), body.
fn raw(
    github: &GitHubStandIn,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Vec<(String, String)>, String) {
    let address = github.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    let mut request = format!("{method} {target} HTTP/1.1\r\nHost: {address}\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

const UA: (&str, &str) = ("User-Agent", "test");
const ACCEPT: (&str, &str) = ("Accept", "application/vnd.github+json");
const VERSION: (&str, &str) = ("X-GitHub-Api-Version", "2022-11-28");
const AUTH: (&str, &str) = ("Authorization", "Bearer ghp_raw");

#[test]
fn the_stand_in_is_as_strict_as_github() {
    let github = GitHubStandIn::start("apache/demo", 100).unwrap();
    for number in 1..=5 {
        github.add_issue(number, "An issue", "open", None, "2024-01-01T00:00:00Z");
    }
    let target = "/repos/apache/demo/issues?state=all";
    // The headers GitHub wants on every request.
    assert_eq!(raw(&github, "GET", target, &[ACCEPT, VERSION], "").0, 403);
    assert_eq!(raw(&github, "GET", target, &[UA, VERSION], "").0, 415);
    assert_eq!(raw(&github, "GET", target, &[UA, ACCEPT], "").0, 400);
    // per_page is honoured (default 30, at most 100), Link names the repository by id, and
    // the rate limit's state comes with every answer.
    let (status, headers, body) = raw(
        &github,
        "GET",
        &format!("{target}&per_page=2"),
        &[UA, ACCEPT, VERSION],
        "",
    );
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&body)
            .unwrap()
            .len(),
        2
    );
    let link = header(&headers, "link").unwrap();
    assert!(
        link.contains(&format!("{}/repositories/{REPO_ID}/issues?", github.url))
            && link.contains("page=2>; rel=\"next\"")
            && link.contains("page=3>; rel=\"last\""),
        "{link}"
    );
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-used",
    ] {
        assert!(header(&headers, name).is_some(), "{name}: {headers:?}");
    }
    assert_eq!(header(&headers, "x-ratelimit-limit"), Some("60"));
    let by_id = format!("/repositories/{REPO_ID}/issues?state=all&per_page=2&page=3");
    let (status, _, body) = raw(&github, "GET", &by_id, &[UA, ACCEPT, VERSION], "");
    assert_eq!((status, body.matches("\"number\"").count()), (200, 1));
    // Writes need a token; a duplicate milestone is GitHub's 422 already_exists.
    let create = r#"{"title":"2.3"}"#;
    let milestones = "/repos/apache/demo/milestones";
    assert_eq!(
        raw(&github, "POST", milestones, &[UA, ACCEPT, VERSION], create).0,
        401
    );
    assert_eq!(
        raw(
            &github,
            "POST",
            milestones,
            &[UA, ACCEPT, VERSION, AUTH],
            create
        )
        .0,
        201
    );
    let (status, _, body) = raw(
        &github,
        "POST",
        milestones,
        &[UA, ACCEPT, VERSION, AUTH],
        create,
    );
    assert_eq!(status, 422);
    assert!(
        body.contains(r#""code":"already_exists""#) && body.contains("Validation Failed"),
        "{body}"
    );
    // Rate limits as GitHub shapes them.
    github.rate_limit_next(1, RateLimit::Primary { reset_in: 60 });
    let (status, headers, body) = raw(&github, "GET", target, &[UA, ACCEPT, VERSION], "");
    assert_eq!(
        (status, header(&headers, "x-ratelimit-remaining")),
        (403, Some("0"))
    );
    assert!(body.contains("API rate limit exceeded"), "{body}");
    github.rate_limit_next(
        1,
        RateLimit::Secondary {
            retry_after: Some(30),
        },
    );
    let (status, headers, body) = raw(&github, "GET", target, &[UA, ACCEPT, VERSION], "");
    assert_eq!((status, header(&headers, "retry-after")), (403, Some("30")));
    assert!(body.contains("secondary rate limit"), "{body}");
    github.rate_limit_next(1, RateLimit::TooMany { retry_after: 5 });
    assert_eq!(
        raw(&github, "GET", target, &[UA, ACCEPT, VERSION], "").0,
        429
    );
    assert_eq!(
        raw(&github, "GET", target, &[UA, ACCEPT, VERSION], "").0,
        200
    );
    // A renamed repository: 301 for reads, 307 for writes, to the repository's id.
    github.renamed_from("apache/incubator-demo");
    let old = "/repos/apache/incubator-demo/issues?state=all";
    let (status, headers, _) = raw(&github, "GET", old, &[UA, ACCEPT, VERSION], "");
    assert_eq!(status, 301);
    assert_eq!(
        header(&headers, "location"),
        Some(format!("{}/repositories/{REPO_ID}/issues?state=all", github.url).as_str())
    );
    let labels = "/repos/apache/incubator-demo/issues/1/labels";
    let (status, _, _) = raw(
        &github,
        "POST",
        labels,
        &[UA, ACCEPT, VERSION, AUTH],
        r#"{"labels":["x"]}"#,
    );
    assert_eq!(status, 307);
    // Permissions come with an authenticated read of the repository only.
    let (_, _, anonymous) = raw(
        &github,
        "GET",
        "/repos/apache/demo",
        &[UA, ACCEPT, VERSION],
        "",
    );
    assert!(!anonymous.contains("permissions"), "{anonymous}");
    let (_, _, signed_in) = raw(
        &github,
        "GET",
        "/repos/apache/demo",
        &[UA, ACCEPT, VERSION, AUTH],
        "",
    );
    assert!(signed_in.contains(r#""push":true"#), "{signed_in}");
}

#[test]
fn milestone_create_is_idempotent_and_status_lists_open_closed_and_untriaged() {
    let p = Project::new();
    p.github.add_milestone(1, "2.2");
    p.ok(&["milestone", "create", "--yes", "2.3"]);
    let rerun = p.ok(&["milestone", "create", "--yes", "2.3"]);
    assert!(
        rerun.contains("nothing to do: milestone 2.3 exists (#2"),
        "{rerun}"
    );
    let posts = p
        .github
        .seen()
        .into_iter()
        .filter(|s| s.method == "POST")
        .count();
    assert_eq!(posts, 1, "a rerun creates nothing");

    // The previous release 2.2.0 was tagged at the fixed fixture time 2024-05-06T07:08:09Z.
    p.git(&["tag", "2.2.0"]);
    p.github
        .add_issue(41, "Open bug", "open", Some("2.3"), "2024-06-01T00:00:00Z");
    p.github.add_issue(
        42,
        "Closed bug",
        "closed",
        Some("2.3"),
        "2024-06-01T00:00:00Z",
    );
    p.github.add_issue(
        43,
        "Another closed bug",
        "closed",
        Some("2.3"),
        "2024-06-01T00:00:00Z",
    );
    p.github
        .add_issue(44, "New, untriaged", "open", None, "2024-06-02T00:00:00Z");
    p.github.add_issue(
        45,
        "Old, before 2.2.0",
        "open",
        None,
        "2024-01-02T00:00:00Z",
    );
    p.github.add_issue(
        46,
        "Other milestone",
        "open",
        Some("2.2"),
        "2024-06-02T00:00:00Z",
    );
    p.github.add_merged_pull(
        47,
        "Backport without milestone",
        "0000000000000000000000000000000000000000",
        "2024-06-03T00:00:00Z",
        &["need backport"],
        "master",
    );

    let output = p.xtask(&["milestone", "status", "2.3"]);
    let text = stdout(&output);
    assert!(
        !output.status.success(),
        "open items fail the status:\n{text}"
    );
    assert!(text.contains("open: 1\n    issue #41 Open bug"), "{text}");
    assert!(
        text.contains("closed: 2\n    issue #42 Closed bug\n    issue #43"),
        "{text}"
    );
    assert!(text.contains("issue #44 New, untriaged"), "{text}");
    assert!(!text.contains("#45") && !text.contains("#46"), "{text}");
    assert!(text.contains("PR #47 Backport without milestone"), "{text}");
    assert!(text.contains("--allow-open"), "{text}");
    let allowed = p.ok(&["milestone", "status", "2.3", "--allow-open"]);
    assert!(allowed.contains("allowed by --allow-open"), "{allowed}");
    assert!(
        p.github.seen().iter().any(|s| s.target.contains("page=2")),
        "pagination was followed"
    );

    assert_fails_with(
        &p.xtask(&["milestone", "status", "2.4"]),
        &["no milestone 2.4", "milestone create 2.4"],
    );
}

#[test]
fn github_errors_become_clear_messages() {
    let p = Project::new();
    for (status, headers, body, expected) in [
        (
            401,
            &[][..],
            r#"{"message":"Bad credentials"}"#,
            &["401 Bad credentials", "set GITHUB_TOKEN"][..],
        ),
        (
            404,
            &[],
            r#"{"message":"Not Found"}"#,
            &["404 Not Found", "check the repository `apache/demo`"],
        ),
        (
            500,
            &[],
            r#"{"message":"Server Error"}"#,
            &["500 Server Error", "try again"],
        ),
        (
            429,
            &[("retry-after", "3600")],
            r#"{"message":"Too Many Requests"}"#,
            &[
                "rate limit",
                "429 Too Many Requests",
                "waiting 3600 s is more than",
            ],
        ),
        (
            422,
            &[],
            r#"{"message":"Validation Failed","errors":[{"resource":"Label","field":"name","code":"invalid"}]}"#,
            &["422 Validation Failed: resource Label, field name, code invalid"],
        ),
        (
            403,
            &[],
            r#"{"message":"Resource not accessible by integration"}"#,
            &["403", "needs write access"],
        ),
        (
            200,
            &[],
            "<html>not json</html>",
            &["invalid or unexpected JSON", "GITHUB_API_URL"],
        ),
    ] {
        p.github.fail_with(status, headers, body);
        assert_fails_with(&p.xtask(&["milestone", "status", "2.3"]), expected);
    }

    // A next-page link to another server is not followed with the token.
    p.github.fail_with(
        200,
        &[(
            "link",
            "<http://127.0.0.1:9/repos/apache/demo/milestones?page=2>; rel=\"next\"",
        )],
        "[]",
    );
    assert_fails_with(
        &p.xtask(&["milestone", "status", "2.3"]),
        &["http://127.0.0.1:9/", "refusing to send the token there"],
    );

    // A redirect to another server is not followed: the token stays with GITHUB_API_URL.
    let elsewhere = github();
    let location = format!("{}/repos/{GITHUB_REPO}/milestones?state=all", elsewhere.url);
    p.github.fail_with(301, &[("location", &location)], "");
    assert_fails_with(
        &p.xtask(&["milestone", "status", "2.3"]),
        &["redirected", &location, "not followed"],
    );
    assert!(elsewhere.seen().is_empty());

    // GitHub's words are shown escaped, with anything like a token redacted.
    let hostile = format!(
        r#"{{"message":"\u001b[2J\u001b[1A✓ all good\nleak ghp_0123456789abcdef and {TOKEN}"}}"#
    );
    p.github.fail_with(500, &[], &hostile);
    let output = p.xtask(&["milestone", "status", "2.3"]);
    let text = stdout(&output) + &stderr(&output);
    assert!(
        !text.contains('\u{1b}') && !text.contains("ghp_0123"),
        "{text}"
    );
    assert!(
        text.contains("\\x1b[2J\\x1b[1A✓ all good\\nleak [redacted] and [redacted]"),
        "{text}"
    );

    // The token never goes in clear text to another machine.
    let output = p.xtask_env(
        &["milestone", "status", "2.3"],
        &[("GITHUB_API_URL", "http://github.example.org/api/v3")],
    );
    assert_fails_with(&output, &["clear text", "https://", "127.0.0.1"]);

    // No token: reading works, writing says what to set.
    p.github.state().fail = None;
    let output = p.xtask_env(
        &["milestone", "create", "--yes", "2.3"],
        &[("GITHUB_TOKEN", "")],
    );
    assert_fails_with(&output, &["needs a GitHub token", "GITHUB_TOKEN"]);

    // Nothing listens: a clear message about the network and GITHUB_API_URL.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let output = p
        .world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "--repo",
            p.work.to_str().unwrap(),
            "milestone",
            "status",
            "2.3",
        ])
        .env("GITHUB_API_URL", &url)
        .output()
        .unwrap();
    assert_fails_with(&output, &["cannot reach GitHub", "GITHUB_API_URL"]);
}

#[test]
fn milestone_create_checks_that_the_token_may_write_before_creating() {
    let p = Project::new();
    p.github.grant(Rights {
        push: false,
        triage: true,
    });
    let dry = p.xtask(&["--dry-run", "milestone", "create", "2.3"]);
    assert!(
        stdout(&dry).contains("create milestone 2.3"),
        "{}",
        stdout(&dry)
    );
    assert_fails_with(
        &dry,
        &["the real run would stop before creating it", "write access"],
    );
    assert_fails_with(
        &p.xtask(&["milestone", "create", "--yes", "2.3"]),
        &["needs write access to apache/demo", "nothing was changed"],
    );
    assert!(p.github.seen().iter().all(|s| s.method == "GET"));
    assert!(p.github.state().milestones.is_empty());
}

#[test]
fn rate_limits_are_waited_out_with_local_times_and_retried_only_when_safe() {
    let p = Project::new();
    // Reads: GitHub's retry-after, then its reset time, then a 429; each waited out.
    let east = [("TZ", "XYZ-05:30")];
    p.github.rate_limit_next(
        1,
        RateLimit::Secondary {
            retry_after: Some(1),
        },
    );
    let out = p.xtask_env(&["milestone", "create", "--yes", "2.2"], &east);
    let text = stdout(&out) + &stderr(&out);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("waiting 1 s, until ") && text.contains(" XYZ, then retrying (1 of 3)"),
        "{text}"
    );
    p.github
        .rate_limit_next(1, RateLimit::Primary { reset_in: 1 });
    p.ok(&["milestone", "status", "2.2"]);
    p.github
        .rate_limit_next(1, RateLimit::TooMany { retry_after: 1 });
    p.ok(&["milestone", "status", "2.2"]);

    // A reset further away than the run waits: the time to come back, as a local clock time,
    // and no advice to set a token that is set.
    p.github
        .rate_limit_next(1, RateLimit::Primary { reset_in: 7200 });
    let out = p.xtask_env(&["milestone", "status", "2.2"], &east);
    assert_fails_with(
        &out,
        &[
            "rate limit",
            "allows the next request at",
            " XYZ",
            "hourly limit is used up",
        ],
    );
    assert!(
        !stderr(&out).contains("set GITHUB_TOKEN"),
        "{}",
        stderr(&out)
    );
    // Without a token, the advice is the token.
    p.github
        .rate_limit_next(1, RateLimit::Primary { reset_in: 7200 });
    let out = p.xtask_env(&["milestone", "status", "2.2"], &[("GITHUB_TOKEN", "")]);
    assert_fails_with(&out, &["set GITHUB_TOKEN for a higher limit"]);

    // A secondary limit without retry-after: a minute, doubled on each retry; more than this
    // run accepts to wait, so it stops at once.
    p.github
        .rate_limit_next(1, RateLimit::Secondary { retry_after: None });
    let out = p.xtask_env(&["milestone", "status", "2.2"], &[(MAX_WAIT_VAR, "5")]);
    assert_fails_with(&out, &["(from backoff)", "waiting 60 s is more than 5 s"]);
    // At most three retries.
    p.github
        .rate_limit_next(4, RateLimit::TooMany { retry_after: 1 });
    let out = p.xtask(&["milestone", "status", "2.2"]);
    assert_fails_with(
        &out,
        &["retrying (3 of 3)", "3 retries did not get through"],
    );

    // A write that is not safe to repeat (creating a milestone) is not retried.
    p.github.state().limited = None;
    let posts = |p: &Project| {
        p.github
            .seen()
            .iter()
            .filter(|s| s.method == "POST")
            .count()
    };
    let before = posts(&p);
    // Every write meets a secondary limit (retry-after 60 s, within the wait a read gets).
    p.github.limit_writes(WriteLimit {
        max: 0,
        window: Duration::from_secs(60),
    });
    let out = p.xtask(&["milestone", "create", "--yes", "2.4"]);
    assert_fails_with(
        &out,
        &[
            "secondary rate limit",
            "not safe to repeat automatically",
            "rerun then",
        ],
    );
    assert_eq!(posts(&p), before + 1, "no retry of the create");
}

/// HTTP goes through the system's `curl`: the token reaches GitHub but never curl's command
/// line (which `ps` shows); without curl the error names the package to install.
#[test]
fn the_token_reaches_github_through_curls_stdin_only_and_a_missing_curl_is_named() {
    let p = Project::new();
    // A `curl` first on PATH that writes down its arguments, one a line, and runs the real one.
    let bin = p.world.path("argv-bin");
    let argv = p.world.path("curl-argv");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        "#!/bin/sh\nfor arg in \"$@\"; do printf '%s\\n' \"$arg\"; done >> \"{}\"\nexec {} \"$@\"\n",
        argv.display(),
        which::which("curl").expect("curl installed").display()
    );
    let wrapper = bin.join("curl");
    std::fs::write(&wrapper, script).unwrap();
    std::fs::set_permissions(
        &wrapper,
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let output = p.xtask_env(&["milestone", "create", "--yes", "2.3"], &[("PATH", &path)]);
    assert!(output.status.success(), "{}", stderr(&output));
    let bearer = format!("Bearer {TOKEN}");
    let seen = p.github.seen();
    assert!(seen.iter().any(|s| s.method == "POST"));
    assert!(seen
        .iter()
        .all(|s| s.authorization.as_deref() == Some(bearer.as_str())));
    let args = read(&argv);
    assert!(
        args.starts_with("-q\n") && args.contains("\n--config\n-\n"),
        "{args}"
    );
    assert!(!args.contains(TOKEN) && !args.contains("ghp_"), "{args}");

    let git_only = p.world.path("git-only-bin");
    std::fs::create_dir_all(&git_only).unwrap();
    std::os::unix::fs::symlink(which::which("git").unwrap(), git_only.join("git")).unwrap();
    assert_fails_with(
        &p.xtask_env(
            &["milestone", "status", "2.3"],
            &[("PATH", git_only.to_str().unwrap())],
        ),
        &["`curl` is not installed", "apt-get install curl"],
    );
}

/// An answer larger than the limit (16 MiB) is not read, whether its length is announced
/// (curl's `--max-filesize`) or not (the xtask stops reading and ends curl).
#[test]
fn an_oversized_answer_is_not_read() {
    let p = Project::new();
    for announced in [true, false] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0; 4096];
            let _ = stream.read(&mut request);
            let size = 17 * 1024 * 1024;
            let length = match announced {
                true => format!("Content-Length: {size}\r\n"),
                false => String::new(),
            };
            let head = format!("HTTP/1.1 200 OK\r\n{length}Connection: close\r\n\r\n[");
            let _ = stream.write_all(head.as_bytes());
            // Written until the client hangs up.
            let _ = stream.write_all(&vec![b' '; size]);
        });
        let output = p.xtask_env(&["milestone", "status", "2.3"], &[("GITHUB_API_URL", &url)]);
        assert_fails_with(&output, &["cannot reach GitHub", "16777216"]);
        server.join().unwrap();
    }
}
