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

//! The ATR sandbox of the tests: the demo's world releasing through the ATR stand-in, the
//! binary run in it, and raw requests to the stand-in.

use std::process::Output;

use asf_release::config::Dist;
use asf_release::demo::atr::AtrStandIn;
use asf_release::demo::{write_vote_thread, Sandbox};
use camino::Utf8PathBuf;

use super::{in_sandbox, stderr, stdout, World};

pub fn sandbox(world: &World) -> Sandbox {
    let dir = Utf8PathBuf::from_path_buf(world.path("sandbox")).unwrap();
    Sandbox::build_for(dir, Dist::Atr).expect("the sandbox builds")
}

pub fn atr(sandbox: &Sandbox) -> &AtrStandIn {
    sandbox.atr.as_ref().expect("an ATR sandbox")
}

pub fn xtask(sandbox: &Sandbox, args: &[&str]) -> Output {
    in_sandbox(sandbox, args, &[])
}

pub fn text(output: &Output) -> String {
    stdout(output) + &stderr(output)
}

pub fn expect_code(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "{}", text(output));
}

/// Planning and the release branch of 1.0, then a fix labelled for backporting on master.
pub fn branched_with_a_fix(sandbox: &Sandbox) {
    expect_code(
        &xtask(sandbox, &["release", "1.0", "--yes", "--until", "branch"]),
        0,
    );
    asf_release::demo::land_fix_on_master(sandbox, 4).unwrap();
}

/// [`branched_with_a_fix`], then the flow of 1.0 up to and with `step`.
pub fn released_until(sandbox: &Sandbox, step: &str) {
    branched_with_a_fix(sandbox);
    expect_code(
        &xtask(sandbox, &["release", "1.0", "--yes", "--until", step]),
        0,
    );
}

/// Planning and branch, a fix on master, then the candidate phase until the vote runs.
pub fn up_to_the_vote(sandbox: &Sandbox) -> Output {
    branched_with_a_fix(sandbox);
    xtask(sandbox, &["release", "1.0", "--yes"])
}

/// The thread in the list archive (ATR's tabulation reads it) and the 72 hours over.
pub fn vote_ends(sandbox: &Sandbox, rc: u32, passing: bool) -> (Utf8PathBuf, Utf8PathBuf) {
    let (mbox, roster) = write_vote_thread(sandbox, "1.0.0", rc, passing).unwrap();
    atr(sandbox).feed_thread("1.0.0", &std::fs::read_to_string(&mbox).unwrap());
    atr(sandbox).later(80);
    (mbox, roster)
}

pub fn finish(sandbox: &Sandbox, mbox: &Utf8PathBuf, roster: &Utf8PathBuf) -> Output {
    let website = sandbox.website.to_string();
    let release = [
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
    let output = xtask(sandbox, &release);
    // The last step waits for the release manager to enter the release at reporter.apache.org.
    if output.status.code() != Some(2) || !text(&output).contains("stopped before report") {
        return output;
    }
    let confirmed = xtask(sandbox, &["report", "1.0.0", "--done"]);
    if !confirmed.status.success() {
        return confirmed;
    }
    xtask(sandbox, &release)
}

/// One raw request to the stand-in: status and JSON answer.
pub fn raw(
    atr: &AtrStandIn,
    method: &str,
    path: &str,
    jwt: Option<&str>,
    body: &str,
) -> (u16, serde_json::Value) {
    use std::io::{Read, Write};
    let address = atr.url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let auth = jwt
        .map(|j| format!("Authorization: Bearer {j}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split_whitespace().nth(1).unwrap().parse().unwrap();
    let json = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    (status, serde_json::from_str(json).unwrap_or_default())
}

pub fn jwt(atr: &AtrStandIn) -> String {
    let body = format!(
        r#"{{"asfuid": "rm", "pat": "{}"}}"#,
        asf_release::demo::atr::DEMO_TOKEN
    );
    let (status, answer) = raw(atr, "POST", "/api/jwt/create", None, &body);
    assert_eq!(status, 200, "{answer}");
    answer["jwt"].as_str().unwrap().to_string()
}
