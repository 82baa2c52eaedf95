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

//! Every `svn` and `svnmucc` command line of the tool.
//!
//! Writes go through `svnmucc`: it commits several URL actions (mkdir, put, mv, rm) as one
//! revision without a working copy, so an upload or a promotion is all or nothing. Both
//! programs read the password with `--password-from-stdin` (svnmucc has it since 1.10), so it
//! never appears on a command line, in `ps` or in a dry run.

use std::ffi::OsString;
use std::process::Output;

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use xshell::Shell;

use super::{Tool, ToolCmd};

/// The environment variables that carry the SVN account.
pub const USERNAME_ENV: &str = "SVN_USERNAME";
pub const PASSWORD_ENV: &str = "SVN_PASSWORD";

/// `1.14.2` from `svn --version --quiet`.
pub fn version(sh: &Shell) -> Result<String> {
    ToolCmd::new(Tool::Svn, ["--version", "--quiet"]).read(sh)
}

/// `1.14.2` from the first line of `svnmucc --version` (it has no `--quiet`).
pub fn svnmucc_version(sh: &Shell) -> Result<String> {
    let text = ToolCmd::new(Tool::Svnmucc, ["--version"]).read(sh)?;
    let first = text.lines().next().unwrap_or_default();
    let version = first.split_whitespace().nth(2).unwrap_or(first);
    Ok(version.to_string())
}

/// `svn export URL DEST`: a file or a directory tree, without working-copy metadata. The
/// trailing `@` stops svn from reading an `@` inside the URL as a peg revision.
pub fn export(url: &str, dest: &camino::Utf8Path) -> ToolCmd {
    ToolCmd::new(
        Tool::Svn,
        [
            "export".to_string(),
            "--non-interactive".into(),
            "--quiet".into(),
            "--".into(),
            format!("{url}@"),
            dest.to_string(),
        ],
    )
}

/// Who talks to the SVN server, and whether svn may ask questions.
#[derive(Clone)]
pub struct Credentials {
    pub username: Option<String>,
    /// Never shown: it reaches svn only on standard input.
    password: Option<String>,
    pub non_interactive: bool,
}

impl Credentials {
    /// `--username` or `SVN_USERNAME`; the password only from `SVN_PASSWORD`.
    pub fn from_env(username: Option<String>, non_interactive: bool) -> Credentials {
        let from_env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Credentials {
            username: username.or_else(|| from_env(USERNAME_ENV)),
            password: from_env(PASSWORD_ENV),
            non_interactive,
        }
    }

    /// No account: public files are read as anyone reads them, never asking for a password.
    pub fn anonymous() -> Credentials {
        Credentials {
            username: None,
            password: None,
            non_interactive: true,
        }
    }

    /// The options every svn and svnmucc call gets, and the bytes for its standard input.
    fn apply(&self, args: &mut Vec<OsString>) -> Option<Vec<u8>> {
        if let Some(username) = &self.username {
            args.extend(["--username".into(), username.into()]);
        }
        // With the password on stdin nothing is left to answer a prompt, and a password from
        // the environment must not be written to the user's auth cache.
        if self.non_interactive || self.password.is_some() {
            args.push("--non-interactive".into());
        }
        let password = self.password.as_ref()?;
        args.extend(["--password-from-stdin".into(), "--no-auth-cache".into()]);
        Some(format!("{password}\n").into_bytes())
    }

    fn cmd(&self, tool: Tool, rest: Vec<OsString>) -> ToolCmd {
        let mut args = Vec::new();
        let stdin = self.apply(&mut args);
        args.extend(rest);
        let cmd = ToolCmd::new(tool, args);
        match stdin {
            Some(bytes) => cmd.stdin(bytes),
            None => cmd,
        }
    }
}

fn os(items: &[&str]) -> Vec<OsString> {
    items.iter().map(OsString::from).collect()
}

/// Joins a directory URL and a relative path.
pub fn join(base: &str, rest: &str) -> String {
    format!("{}/{rest}", base.trim_end_matches('/'))
}

fn not_found(stderr: &str) -> bool {
    // W160013 / E160013: path not found; E200009: some targets don't exist.
    ["W160013", "E160013", "E200009", "E170000"]
        .iter()
        .any(|code| stderr.contains(code))
}

/// The entries of a directory (directories end in `/`), or `None` when it does not exist.
pub fn list(sh: &Shell, creds: &Credentials, url: &str) -> Result<Option<Vec<String>>> {
    let cmd = creds.cmd(Tool::Svn, os(&["list", "--", url]));
    let output = cmd.output(sh)?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        if not_found(&stderr) {
            return Ok(None);
        }
        bail!("{}", explain_failure(&cmd, &stderr));
    }
    let text = String::from_utf8(output.stdout)
        .with_context(|| format!("`{cmd}` printed something that is not UTF-8"))?;
    Ok(Some(text.lines().map(str::to_string).collect()))
}

/// The bytes of a file at `url` (at `revision`, default the youngest), or `None` when it does
/// not exist.
pub fn cat(
    sh: &Shell,
    creds: &Credentials,
    url: &str,
    revision: Option<u64>,
) -> Result<Option<Vec<u8>>> {
    let mut args = os(&["cat"]);
    if let Some(revision) = revision {
        args.extend(os(&["--revision", &revision.to_string()]));
    }
    args.extend(os(&["--", url]));
    let cmd = creds.cmd(Tool::Svn, args);
    let output = cmd.output(sh)?;
    found_or_none(&cmd, output)
}

/// `svn cat URL` of a public file, without credentials: what [`cat_limited`] runs.
pub fn cat_public(url: &str) -> ToolCmd {
    Credentials::anonymous().cmd(Tool::Svn, os(&["cat", "--", url]))
}

/// Runs a [`cat_public`] of a file from outside (KEYS, a candidate's files) with a size limit;
/// `None` when it does not exist.
pub fn cat_limited(sh: &Shell, cmd: &ToolCmd, max_bytes: u64) -> Result<Option<Vec<u8>>> {
    let output = cmd.output_limited(sh, max_bytes)?;
    found_or_none(cmd, output)
}

fn found_or_none(cmd: &ToolCmd, output: std::process::Output) -> Result<Option<Vec<u8>>> {
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if not_found(&stderr) {
            return Ok(None);
        }
        bail!("{}", explain_failure(cmd, &stderr));
    }
    Ok(Some(output.stdout))
}

/// The day (`2024-11-05`, UTC) `url` last changed, `None` when it does not exist.
pub fn last_changed_day(sh: &Shell, url: &str) -> Result<Option<String>> {
    let cmd = Credentials::anonymous().cmd(
        Tool::Svn,
        os(&["info", "--show-item", "last-changed-date", "--", url]),
    );
    let Some(text) = found_or_none(&cmd, cmd.output(sh)?)? else {
        return Ok(None);
    };
    let day = String::from_utf8_lossy(&text)
        .trim()
        .chars()
        .take(10)
        .collect::<String>();
    let valid = day.len() == 10
        && day.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    Ok(valid.then_some(day))
}

/// The last path segment of the directory `url` was copied from when it was made (`svn mv` or
/// `svn cp`: `1.0.0-rc1` for a release promoted from that candidate); `None` when it was not
/// made by a copy, or does not exist.
pub fn copied_from(sh: &Shell, creds: &Credentials, url: &str) -> Result<Option<String>> {
    let cmd = creds.cmd(
        Tool::Svn,
        os(&[
            "log",
            "--verbose",
            "--quiet",
            "--stop-on-copy",
            "--revision",
            "1:HEAD",
            "--limit",
            "1",
            "--",
            url,
        ]),
    );
    let Some(text) = found_or_none(&cmd, cmd.output_limited(sh, 1 << 20)?)? else {
        return Ok(None);
    };
    Ok(copy_source(&String::from_utf8_lossy(&text), url))
}

/// From `svn log --verbose` text: `A /release/demo/1.0.0 (from /dev/demo/1.0.0-rc1:3)` for the
/// path `url` ends with gives `1.0.0-rc1`.
fn copy_source(log: &str, url: &str) -> Option<String> {
    let url = url.trim_end_matches('/');
    log.lines().find_map(|line| {
        let rest = line.trim_start().strip_prefix("A ")?;
        let (added, from) = rest.split_once(" (from ")?;
        if !url.ends_with(added.trim()) {
            return None;
        }
        let source = from.trim_end_matches(')').rsplit_once(':')?.0;
        Some(source.rsplit('/').next()?.to_string())
    })
}

/// The youngest revision of the repository `url` belongs to.
pub fn head_revision(sh: &Shell, creds: &Credentials, url: &str) -> Result<u64> {
    let cmd = creds.cmd(
        Tool::Svn,
        os(&["info", "--show-item", "revision", "--", url]),
    );
    let output = cmd.output(sh)?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if not_found(&stderr) {
            bail!(
                "{url} does not exist in the SVN repository: check svn-dev-url and \
                 svn-release-url under [workspace.metadata.asf-release]\n{}",
                stderr.trim()
            );
        }
        bail!("{}", explain_failure(&cmd, &stderr));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim()
        .parse()
        .with_context(|| format!("`{cmd}` printed {text:?}, not a revision number"))
}

/// One action of an `svnmucc` commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Mkdir(String),
    /// A local file becomes (or replaces) the file at the URL.
    Put(Utf8PathBuf, String),
    Mv(String, String),
    Rm(String),
}

/// One commit of all `changes`, optionally based on `base_revision` so that a file changed
/// by someone else since it was read makes the commit fail instead of being overwritten.
pub fn commit(
    creds: &Credentials,
    message: &str,
    base_revision: Option<u64>,
    changes: &[Change],
) -> ToolCmd {
    let mut args: Vec<OsString> = os(&["--message", message]);
    if let Some(revision) = base_revision {
        args.extend(os(&["--revision", &revision.to_string()]));
    }
    for change in changes {
        match change {
            Change::Mkdir(url) => args.extend(os(&["mkdir", url])),
            Change::Put(file, url) => args.extend(os(&["put", file.as_str(), url])),
            Change::Mv(from, to) => args.extend(os(&["mv", from, to])),
            Change::Rm(url) => args.extend(os(&["rm", url])),
        }
    }
    creds.cmd(Tool::Svnmucc, args).changes_world()
}

/// Did the server refuse the commit because the account may not write there? (A wrong
/// password is another matter: svn calls that an authentication error.)
pub fn is_permission_denied(message: &str) -> bool {
    let authentication = [
        "Authentication error",
        "Password incorrect",
        "Username not found",
    ]
    .iter()
    .any(|needle| message.contains(needle));
    // E220004 access denied (svnserve authz), E170001 "Authorization failed" and 403 over
    // HTTP (mod_authz_svn, as on dist.apache.org).
    !authentication
        && [
            "E220004",
            "Authorization failed",
            "403 Forbidden",
            "Access denied",
        ]
        .iter()
        .any(|needle| message.contains(needle))
}

/// A failed svn call, with the next step for the common causes.
fn explain_failure(cmd: &ToolCmd, stderr: &str) -> String {
    let has = |codes: &[&str]| codes.iter().any(|code| stderr.contains(code));
    // E000111 connection refused, E670002 unknown host, E180001 no repository at a file://
    // path, E210002 the server closed the connection: the URL is wrong or the server is down.
    let hint = if has(&[
        "E000111", "E670002", "E180001", "E210002", "E000113", "E000110",
    ]) {
        "; the SVN repository cannot be reached: check svn-dev-url and svn-release-url in the \
         release settings, and that the server is up and reachable"
            .to_string()
    } else if has(&["E215004", "E170013", "E170001"]) {
        format!(
            "; check the URL and the account ({USERNAME_ENV}, password in {PASSWORD_ENV}), \
             or run the command once in a terminal to log in"
        )
    } else {
        String::new()
    };
    format!("`{cmd}` failed: {}{hint}", stderr.trim())
}

/// Judges the outcome of a commit to `target`: an authorization failure or a conflict
/// becomes the message a release manager needs.
pub fn commit_outcome(target: &str) -> impl FnOnce(Output) -> Result<()> {
    let target = target.to_string();
    move |output| {
        if output.status.success() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&output.stderr).trim().to_string();
        if is_permission_denied(&text) {
            bail!(
                "no permission to write {target} with this SVN account: nothing was changed; \
                 ask a PMC member to run this command (dist/release is writable by the PMC \
                 only, dist/dev by committers)\n{text}"
            );
        }
        if text.contains("E160028") || text.contains("out of date") {
            bail!(
                "{target} changed on the server while this command ran: nothing was \
                 changed; run the command again\n{text}"
            );
        }
        bail!(
            "the svn commit to {target} failed ({}): {text}",
            output.status
        )
    }
}

/// `svnadmin create DIR`: a new, empty repository reached as `file://DIR`.
pub fn admin_create(dir: &Utf8Path) -> ToolCmd {
    ToolCmd::new(Tool::Svnadmin, ["create", dir.as_str()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_source_is_read_for_the_path_asked_about() {
        let log = "------\nr4 | root | 2026-01-01\nChanged paths:\n   D /dev/demo/1.0.0-rc1\n   \
A /release/demo/1.0.0 (from /dev/demo/1.0.0-rc1:3)\n   A /release/demo/0.9.0 (from /dev/demo/0.9.0-rc2:1)\n";
        let url = "file:///tmp/svn/release/demo/1.0.0";
        assert_eq!(copy_source(log, url).as_deref(), Some("1.0.0-rc1"));
        let other = "https://dist.apache.org/repos/dist/release/demo/0.9.0/";
        assert_eq!(copy_source(log, other).as_deref(), Some("0.9.0-rc2"));
        assert_eq!(copy_source("A /release/demo/1.0.0\n", url), None);
    }

    fn creds(password: Option<&str>) -> Credentials {
        Credentials {
            username: Some("rm".into()),
            password: password.map(String::from),
            non_interactive: false,
        }
    }

    #[test]
    fn the_password_goes_to_stdin_only() {
        let cmd = commit(
            &creds(Some("s3cret")),
            "Upload 1.0.0 RC1",
            None,
            &[Change::Mkdir("file:///r/dev/x".into())],
        );
        let shown = cmd.to_string();
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(cmd
            .args
            .iter()
            .all(|a| !a.to_string_lossy().contains("s3cret")));
        assert_eq!(cmd.stdin.as_deref(), Some(&b"s3cret\n"[..]));
        assert!(shown.starts_with(
            "svnmucc --username rm --non-interactive --password-from-stdin --no-auth-cache"
        ));
    }

    #[test]
    fn without_a_password_svn_may_use_its_auth_cache() {
        let cmd = commit(&creds(None), "m", Some(7), &[Change::Rm("u".into())]);
        assert!(cmd.stdin.is_none());
        assert_eq!(
            cmd.to_string(),
            "svnmucc --username rm --message m --revision 7 rm u"
        );
    }

    #[test]
    fn an_unreachable_repository_points_at_the_settings() {
        let cmd = ToolCmd::new(Tool::Svn, ["list", "svn://127.0.0.1:1/dist"]);
        let refused = explain_failure(
            &cmd,
            "svn: E170013: Unable to connect to a repository at URL 'svn://127.0.0.1:1/dist'\n\
             svn: E000111: Can't connect to host '127.0.0.1': Connection refused",
        );
        assert!(refused.contains("cannot be reached"), "{refused}");
        assert!(refused.contains("svn-dev-url"), "{refused}");
        let login = explain_failure(&cmd, "svn: E215004: No more credentials");
        assert!(login.contains(PASSWORD_ENV), "{login}");
    }

    #[test]
    fn permission_errors_are_recognised() {
        assert!(is_permission_denied(
            "svnmucc: E170001: Authorization failed"
        ));
        assert!(is_permission_denied("svn: E220004: Access denied"));
        assert!(!is_permission_denied("svn: E160020: Path already exists"));
        assert!(!is_permission_denied(
            "svn: E170001: Authentication error from server: Password incorrect"
        ));
    }
}
