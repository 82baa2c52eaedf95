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

//! HTTP through the system's `curl` (an HTTP library with TLS doubled the xtask's compile
//! time). One request, one `curl` run: the status and headers come from its header dump, the
//! body from its output, read with a hard limit.
//!
//! What curl is told: no `~/.curlrc` (`-q`), no redirects followed (the caller decides), no
//! URL globbing, http and https only. The request headers (they may carry a token) go in on
//! standard input (`--config -`), never on the command line that `ps` shows. Proxies: curl
//! honours `https_proxy`, `http_proxy` and `no_proxy` as it always does; a request to this
//! machine never goes through one. Certificates: the system's CA store, as curl uses it.

use std::ffi::OsString;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use xshell::Shell;

use super::{OutputTooLong, Tool, ToolCmd};
use crate::config_checks::is_loopback_url;

/// Headers are short; curl itself refuses more than 300 KiB of them.
const HEADER_LIMIT: u64 = 1024 * 1024;

pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// `(name, value)`; given to curl on standard input, never as arguments.
    pub headers: Vec<(&'a str, String)>,
    pub body: Option<&'a [u8]>,
    /// The body carries a secret (a token exchange): it goes in on standard input with the
    /// headers instead of through a temporary file. One line of UTF-8.
    pub secret_body: bool,
    /// For the whole exchange.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Longer bodies fail the request.
    pub body_limit: u64,
    /// A POST that only reads (a token exchange, a count of votes). Any other method but GET
    /// and HEAD changes what others see (creates, uploads, sends, resolves): like a command
    /// that does, it is sent only from a step's plan, so a dry run shows it. Fail closed: a
    /// write is a write unless its caller says otherwise here.
    pub reads_by_post: bool,
}

pub struct Response {
    pub status: u16,
    /// Names in lower case; lines that are not UTF-8 are left out.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Why no answer came.
pub enum Failure {
    /// curl could not be run here (not installed, no temporary directory): says what to do.
    Local(anyhow::Error),
    /// No (whole) answer: network, TLS, timeout, an answer over the limit; curl's reason.
    NoAnswer(String),
}

/// `curl --version`'s number, for `doctor`.
pub fn version(sh: &Shell) -> Result<String> {
    let text = ToolCmd::new(Tool::Curl, ["--version"]).read(sh)?;
    let first = text.lines().next().unwrap_or_default();
    Ok(first.split_whitespace().nth(1).unwrap_or(first).to_string())
}

/// A config-file line `option = "value"`, quoted the way curl reads it.
fn config_line(option: &str, value: &str) -> Result<String> {
    if value.contains(['\r', '\n', '\0']) {
        bail!("an HTTP header for curl holds a line break or NUL: refusing to send it");
    }
    let quoted = value.replace('\\', "\\\\").replace('"', "\\\"");
    Ok(format!("{option} = \"{quoted}\"\n"))
}

/// The `curl` command of `request`, writing the response headers to `header_file` and reading
/// the body to send from `body_file`.
fn command(request: &Request, header_file: &OsString, body_file: &OsString) -> Result<ToolCmd> {
    let seconds = |d: Duration| d.as_secs().max(1).to_string();
    // `-q` only works as the first argument.
    let mut args: Vec<OsString> = [
        "-q",
        "--silent",
        "--show-error",
        "--globoff",
        "--proto",
        "=http,https",
        "--user-agent",
        "asf-release-xtask",
        "--request",
        request.method,
        "--connect-timeout",
        &seconds(request.connect_timeout),
        "--max-time",
        &seconds(request.timeout),
        "--max-filesize",
        &request.body_limit.to_string(),
        "--dump-header",
    ]
    .map(OsString::from)
    .to_vec();
    args.push(header_file.clone());
    if request.body.is_some() && !request.secret_body {
        let mut data = OsString::from("@");
        data.push(body_file);
        args.extend([OsString::from("--data-binary"), data]);
    }
    if is_loopback_url(request.url) {
        args.extend(["--noproxy", "*"].map(OsString::from));
    }
    args.extend(["--config", "-", "--url", request.url].map(OsString::from));
    let mut config = String::new();
    for (name, value) in &request.headers {
        config.push_str(&config_line("header", &format!("{name}: {value}"))?);
    }
    if let (Some(body), true) = (request.body, request.secret_body) {
        let text = std::str::from_utf8(body).context("a secret request body is not UTF-8")?;
        config.push_str(&config_line("data-binary", text)?);
    }
    if request.body.is_some() {
        // Else curl asks `Expect: 100-continue` for large bodies and waits for an answer.
        config.push_str("header = \"Expect:\"\n");
    }
    let command = ToolCmd::new(Tool::Curl, args).stdin(config.into_bytes());
    let reads = matches!(request.method, "GET" | "HEAD")
        || (request.method == "POST" && request.reads_by_post);
    Ok(match reads {
        true => command,
        false => command.changes_world(),
    })
}

/// The status and headers of the last answer in a header dump (a proxy's `CONNECT` answer or
/// a `100 Continue` come before it).
fn parse_head(dump: &[u8]) -> Option<(u16, Vec<(String, String)>)> {
    let mut status = None;
    let mut headers = Vec::new();
    for line in dump.split(|&b| b == b'\n') {
        let Ok(line) = std::str::from_utf8(line) else {
            continue;
        };
        let line = line.trim_end_matches('\r');
        if line.starts_with("HTTP/") {
            status = line.split_whitespace().nth(1)?.parse().ok();
            headers.clear();
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    Some((status?, headers))
}

/// Sends `request` and returns the answer whatever its status.
pub fn send(sh: &Shell, request: &Request) -> Result<Response, Failure> {
    Tool::Curl.require().map_err(Failure::Local)?;
    // Private (0700): the answer's headers and the body to send stay ours.
    let scratch = tempfile::tempdir()
        .context("cannot create a temporary directory for curl")
        .map_err(Failure::Local)?;
    let header_file = scratch.path().join("headers").into_os_string();
    let body_file = scratch.path().join("body").into_os_string();
    if let (Some(body), false) = (request.body, request.secret_body) {
        std::fs::write(&body_file, body)
            .context("cannot write the request body to a temporary file")
            .map_err(Failure::Local)?;
    }
    let cmd = command(request, &header_file, &body_file).map_err(Failure::Local)?;
    let too_long = || {
        Failure::NoAnswer(format!(
            "the answer is longer than {} bytes (the limit): not read",
            request.body_limit
        ))
    };
    let output = match cmd.output_limited(sh, request.body_limit) {
        Ok(output) => output,
        Err(err) if err.is::<OutputTooLong>() => return Err(too_long()),
        Err(err) => return Err(Failure::Local(err)),
    };
    // curl's own exit code for an announced length over `--max-filesize`.
    if output.status.code() == Some(63) {
        return Err(too_long());
    }
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.trim().trim_start_matches("curl: ");
        return Err(Failure::NoAnswer(match reason {
            "" => format!("curl failed ({})", output.status),
            reason => reason.to_string(),
        }));
    }
    let mut dump = Vec::new();
    std::fs::File::open(&header_file)
        .and_then(|file| {
            std::io::Read::read_to_end(&mut std::io::Read::take(file, HEADER_LIMIT), &mut dump)
        })
        .context("cannot read the answer's headers that curl wrote")
        .map_err(Failure::Local)?;
    let (status, headers) = parse_head(&dump)
        .ok_or_else(|| Failure::NoAnswer("the answer has no HTTP status line".to_string()))?;
    Ok(Response {
        status,
        headers,
        body: output.stdout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request<'a>(url: &'a str, body: Option<&'a [u8]>) -> Request<'a> {
        Request {
            method: "POST",
            url,
            headers: vec![
                ("Authorization", "Bearer ghp_s3cr\"et\\".to_string()),
                ("Accept", "application/json".to_string()),
            ],
            body,
            secret_body: false,
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(15),
            body_limit: 1000,
            reads_by_post: false,
        }
    }

    /// A write goes through the guard of commands that change the world: refused outside a
    /// step's plan before curl starts, sent inside one.
    #[test]
    fn a_request_that_changes_the_world_is_sent_only_from_a_plan() {
        let sh = Shell::new().unwrap();
        // Nothing listens on the discard port: a request that is sent gets no answer.
        let write = request("http://127.0.0.1:9/x", Some(b"{}"));
        match send(&sh, &write) {
            Err(Failure::Local(err)) => assert!(
                err.to_string().contains("not in the step's plan"),
                "{err:#}"
            ),
            _ => panic!("a write outside a plan was sent"),
        }
        let sent = crate::tools::in_plan(|| Ok(send(&sh, &write))).unwrap();
        assert!(matches!(sent, Err(Failure::NoAnswer(_))));
        let mut read = request("http://127.0.0.1:9/x", None);
        read.method = "GET";
        assert!(matches!(send(&sh, &read), Err(Failure::NoAnswer(_))));
        let mut read_by_post = request("http://127.0.0.1:9/x", Some(b"{}"));
        read_by_post.reads_by_post = true;
        assert!(matches!(
            send(&sh, &read_by_post),
            Err(Failure::NoAnswer(_))
        ));
        // A request that says it reads by POST but uses another method is still a write.
        let mut put = read_by_post;
        put.method = "PUT";
        assert!(matches!(send(&sh, &put), Err(Failure::Local(_))));
    }

    #[test]
    fn headers_go_to_stdin_never_to_the_command_line() {
        let (headers, body) = (OsString::from("/tmp/h"), OsString::from("/tmp/b"));
        let cmd = command(
            &request("https://api.example/x", Some(b"{}")),
            &headers,
            &body,
        )
        .unwrap();
        assert_eq!(cmd.args[0], "-q", "-q is read only as the first argument");
        assert!(cmd
            .args
            .iter()
            .all(|arg| !arg.to_string_lossy().contains("s3cr")));
        assert!(!cmd
            .args
            .iter()
            .any(|arg| arg == "-L" || arg == "--location"));
        let stdin = String::from_utf8(cmd.stdin.clone().unwrap()).unwrap();
        assert_eq!(
            stdin,
            "header = \"Authorization: Bearer ghp_s3cr\\\"et\\\\\"\n\
             header = \"Accept: application/json\"\n\
             header = \"Expect:\"\n"
        );
        let shown = cmd.to_string();
        assert!(shown.ends_with("--config - --url https://api.example/x < (input not shown)"));
        assert!(shown.contains("--data-binary @/tmp/b") && !shown.contains("--noproxy"));
    }

    #[test]
    fn loopback_requests_skip_proxies_and_line_breaks_are_refused() {
        let (headers, body) = (OsString::from("/tmp/h"), OsString::from("/tmp/b"));
        let cmd = command(&request("http://127.0.0.1:9/x", None), &headers, &body).unwrap();
        assert!(cmd.to_string().contains("--noproxy '*'"));
        assert!(!cmd.to_string().contains("--data-binary"));
        let mut bad = request("https://api.example/x", None);
        bad.headers = vec![("Authorization", "Bearer a\r\nX-Evil: 1".to_string())];
        assert!(command(&bad, &headers, &body).is_err());
        assert!(is_loopback_url("http://[::1]:80/") && is_loopback_url("http://LOCALHOST/"));
        assert!(!is_loopback_url("http://127.0.0.1.evil.example/"));
    }

    #[test]
    fn the_last_answer_of_a_header_dump_counts() {
        let dump = b"HTTP/1.1 200 Connection established\r\n\r\n\
                     HTTP/2 301 \r\nLocation: /repositories/4\r\nX-RateLimit-Remaining: 9\r\n\
                     Bad: \xff\r\n\r\n";
        let (status, headers) = parse_head(dump).unwrap();
        assert_eq!(status, 301);
        assert_eq!(
            headers,
            [
                ("location".to_string(), "/repositories/4".to_string()),
                ("x-ratelimit-remaining".to_string(), "9".to_string())
            ]
        );
        assert!(parse_head(b"garbage\r\n").is_none());
    }
}
