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

//! Checks of settings and arguments that would otherwise build, tag or print the wrong thing:
//! tag patterns that cannot tell candidates apart, output directories over the sources, and
//! credentials written into URLs.

use anyhow::{bail, Result};
use camino::{Utf8Path, Utf8PathBuf};

/// A URL setting must not carry a password or token: it would be printed in every command,
/// error and mail. Credentials come from SVN_USERNAME / SVN_PASSWORD (svn) or git's
/// credential helper (git remotes).
pub fn check_url_without_credentials(what: &str, url: &str, fix: &str) -> Result<()> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Ok(());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((user_info, host)) = authority.rsplit_once('@') else {
        return Ok(());
    };
    // `svn+ssh://user@host` names an account without a secret; on http(s) a lone user name
    // is how tokens are written (`https://<token>@github.com`).
    let web = matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https");
    if user_info.contains(':') || web {
        let path = &rest[authority.len()..];
        bail!(
            "{what} carries credentials ({scheme}://***@{host}{path}): they would appear in \
             every printed command, error and mail; remove them from the URL and {fix}"
        );
    }
    Ok(())
}

/// `true` for `localhost` and loopback addresses (curl sends them through no proxy; ATR
/// accepts plain http only to them).
pub fn is_loopback_url(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// ATR's production host (the 2026 manual; the Maven plugin's default).
pub const ATR_PRODUCTION: &str = "https://releases.apache.org";

/// `atr-url`: https (http only to this machine, for tests), no credentials, no path; and
/// `atr-project` as ATR spells project keys.
pub fn check_atr(url: &str, project: &str) -> Result<()> {
    check_url_without_credentials(
        "setting atr-url",
        url,
        "give your ASF id with ATR_UID and the token with ATR_TOKEN (environment)",
    )?;
    let loopback = is_loopback_url(url);
    let (scheme, rest) = url.split_once("://").unwrap_or_default();
    let plain_host = !rest.is_empty() && !rest.trim_end_matches('/').contains(['/', '?', '#']);
    if !(scheme == "https" || (scheme == "http" && loopback)) || !plain_host {
        bail!(
            "invalid setting atr-url = {url:?}: give ATR's address as https://host (like \
             {ATR_PRODUCTION}), without a path; plain http only to this machine (tests)"
        );
    }
    let key_ok = !project.is_empty()
        && project
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !key_ok {
        bail!(
            "invalid setting atr-project = {project:?}: ATR's project key has only letters, \
             digits and `-` (like \"tooling\"); see the project's page on ATR"
        );
    }
    Ok(())
}

pub const SVN_CREDENTIALS: &str =
    "give the account with SVN_USERNAME and the password with SVN_PASSWORD (environment)";

/// `out-dir` gets files written and replaced in it: never `/`, the repository or a parent.
pub fn check_out_dir(repo: &Utf8Path, dir: &Utf8Path) -> Result<()> {
    let normal = |path: &Utf8Path| -> Utf8PathBuf {
        if let Ok(real) = path.canonicalize_utf8() {
            return real;
        }
        let mut out = Utf8PathBuf::new();
        for part in path.components() {
            match part {
                camino::Utf8Component::ParentDir => {
                    out.pop();
                }
                camino::Utf8Component::CurDir => {}
                other => out.push(other),
            }
        }
        out
    };
    let (repo, dir) = (normal(repo), normal(dir));
    if dir.parent().is_none() {
        bail!("the output directory {dir} is the file system root: set out-dir (or --out) to a directory of its own, like target/asf-release");
    }
    if repo.starts_with(&dir) {
        let what = if repo == dir {
            "the repository itself"
        } else {
            "a parent of the repository"
        };
        bail!("the output directory {dir} is {what} ({repo}): artifacts would be written over the sources; set out-dir (or --out) to a directory of its own, like target/asf-release");
    }
    Ok(())
}

/// A tag pattern must spell out every number that tells tags apart, or two versions (or two
/// candidates) get the same tag and one is built from the other's sources.
pub fn check_tag_patterns(tag_pattern: &str, rc_tag_pattern: &str) -> Result<()> {
    if !tag_pattern.contains("{version}") {
        bail!("invalid setting tag-pattern = {tag_pattern:?}: it must contain {{version}}, like \"v{{version}}\", or every release would get the same tag");
    }
    for needed in ["{version}", "{rc}"] {
        if !rc_tag_pattern.contains(needed) {
            bail!("invalid setting rc-tag-pattern = {rc_tag_pattern:?}: it must contain {needed} (like \"{{version}}-rc{{rc}}\"), or two candidates would get the same tag and one would be built from the other's sources");
        }
    }
    Ok(())
}

/// Refuses `owner/name` values that would not make a sane URL path.
pub fn check_repo_name(repo: &str) -> Result<()> {
    let valid_part = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    match repo.split_once('/') {
        Some((owner, name)) if valid_part(owner) && valid_part(name) => Ok(()),
        _ => bail!(
            "`{repo}` is not a GitHub repository: write it as `owner/name`, like `apache/apisix`"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{parse, Config};
    use crate::version::Version;

    const MINIMAL: &str = "[workspace.metadata.asf-release]\nname = \"apisix-dashboard\"\n";

    fn parse_str(text: &str) -> Result<Config> {
        parse(
            Utf8Path::new("/repo"),
            Utf8Path::new("/repo/Cargo.toml"),
            text,
        )
    }

    #[test]
    fn names_patterns_urls_and_out_dir_are_checked() {
        for (extra, expected) in [
            ("rc-tag-pattern = \"{version}-rc\"", "must contain {rc}"),
            ("rc-tag-pattern = \"rc{rc}\"", "must contain {version}"),
            ("tag-pattern = \"release\"", "must contain {version}"),
            (
                "first-rc = 2",
                "from 1 (the ASF custom, the default) or from 0",
            ),
            ("out-dir = \"/\"", "file system root"),
            ("out-dir = \".\"", "the repository itself"),
            ("out-dir = \"..\"", "file system root"),
            ("out-dir = \"target/../.\"", "the repository itself"),
            (
                "svn-dev-url = \"https://rm:s3cret@dist.example.org/dev\"",
                "SVN_PASSWORD",
            ),
            (
                "svn-release-url = \"svn://rm:s3cret@127.0.0.1/release\"",
                "SVN_PASSWORD",
            ),
            (
                "repository-url = \"https://ghp_s3cret@github.com/apache/demo\"",
                "carries credentials",
            ),
            (
                "keys-url = \"https://rm:s3cret@downloads.example.org/KEYS\"",
                "setting keys-url carries credentials",
            ),
        ] {
            let err = format!(
                "{:#}",
                parse_str(&format!("{MINIMAL}{extra}\n")).unwrap_err()
            );
            assert!(err.contains(expected), "{extra}: {err}");
            assert!(
                !err.contains("s3cret"),
                "{extra}: the secret is printed: {err}"
            );
        }
        for name in [
            "..", ".", "a/b", "a b", "Demo", "-demo", "demo.", "a..b", "",
        ] {
            let text = format!("[workspace.metadata.asf-release]\nname = {name:?}\n");
            let err = format!("{:#}", parse_str(&text).unwrap_err());
            assert!(
                err.contains("plain lower-case project name"),
                "{name:?}: {err}"
            );
        }
        let err = check_out_dir(
            Utf8Path::new("/nowhere/a/repo"),
            Utf8Path::new("/nowhere/a"),
        );
        assert!(
            format!("{err:?}").contains("a parent of the repository"),
            "{err:?}"
        );
        let config = parse_str(&format!(
            "{MINIMAL}first-rc = 0\nsvn-dev-url = \"svn+ssh://rm@127.0.0.1/dev\"\nout-dir = \"../out\"\n"
        ))
        .unwrap();
        let v: Version = "1.0.0".parse().unwrap();
        assert_eq!(config.next_rc(&v, None).unwrap(), 0);
        assert_eq!(config.check_rc(0).unwrap(), 0);
        let err = parse_str(MINIMAL)
            .unwrap()
            .check_rc(0)
            .unwrap_err()
            .to_string();
        assert!(err.contains("use --rc 1, or set first-rc = 0"), "{err}");
        assert_eq!(
            config.parse_tag("1.0.0-rc4294967295"),
            Some((v, Some(u32::MAX)))
        );
        assert_eq!(config.parse_tag("1.0.0-rc4294967296"), None);
        let err = config.next_rc(&v, Some(u32::MAX)).unwrap_err().to_string();
        assert!(err.contains("no next candidate"), "{err}");
    }
}
