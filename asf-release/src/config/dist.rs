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

//! The release route: SVN (dist.apache.org, mails sent by the release manager) or Apache
//! Trusted Releases (`dist = "atr"`, with `atr-url`, `atr-project`, `atr-vote-to`).

use serde::Deserialize;

/// Where candidates are staged, voted on and published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Dist {
    /// dist/dev and dist/release on dist.apache.org, mails sent by the release manager.
    #[default]
    Svn,
    /// Apache Trusted Releases: ATR stages, checks, sends the vote and announces.
    Atr,
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;
    use crate::config::{parse, Config};

    fn parse_str(text: &str) -> anyhow::Result<Config> {
        parse(
            Utf8Path::new("/repo"),
            Utf8Path::new("/repo/Cargo.toml"),
            text,
        )
    }

    const MINIMAL: &str = "[workspace.metadata.asf-release]\nname = \"apisix-dashboard\"\n";

    #[test]
    fn the_atr_route_has_defaults_and_its_address_is_checked() {
        let config = parse_str(MINIMAL).unwrap();
        assert_eq!(config.dist, Dist::Svn);
        assert_eq!(config.atr_url, "https://releases.apache.org");
        assert_eq!(config.atr_project, "apisix-dashboard");
        assert_eq!(config.atr_vote_to, "dev@apisix.apache.org");
        let config = parse_str(&format!(
            "{MINIMAL}dist = \"atr\"\natr-url = \"http://127.0.0.1:8080\"\natr-project = \"apisix\"\n"
        ))
        .unwrap();
        assert_eq!(
            (config.dist, config.atr_project.as_str()),
            (Dist::Atr, "apisix")
        );
        for (extra, expected) in [
            ("dist = \"ftp\"", "unknown variant `ftp`"),
            (
                "atr-url = \"http://releases.apache.org\"",
                "plain http only to this machine",
            ),
            (
                "atr-url = \"https://releases.apache.org/api\"",
                "without a path",
            ),
            (
                "atr-url = \"https://rm:pat@releases.apache.org\"",
                "carries credentials",
            ),
            ("atr-url = \"releases.apache.org\"", "https://host"),
            ("atr-project = \"apisix/x\"", "only letters, digits and `-`"),
        ] {
            let err = format!(
                "{:#}",
                parse_str(&format!("{MINIMAL}{extra}\n")).unwrap_err()
            );
            assert!(err.contains(expected), "{extra}: {err}");
        }
    }
}
