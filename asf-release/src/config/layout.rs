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

//! Where a release lives on dist.apache.org: the project's own directory inside its
//! top-level project's area (`dist-subdir`: Commons Lang in `dist/dev/commons/lang`), and the
//! names of a candidate's and a release's directories (`candidate-dir`, `release-dir`). A
//! project that shares its area with siblings (Iceberg Rust in `dist/dev/iceberg`, beside
//! Iceberg Java, Go and Python) names its directories after itself, so that no sibling's can
//! collide with them; KEYS stays at the top of the top-level project's area.

use anyhow::{bail, Result};

use super::{match_pattern, Config};
use crate::version::{Candidate, Version};

/// The default candidate directory in an area of the project's own, and in a shared one.
const CANDIDATE_DIR: &str = "{version}-rc{rc}";
const SHARED_CANDIDATE_DIR: &str = "{name}-{version}-rc{rc}";
/// The default release directory in an area of the project's own, and in a shared one.
const RELEASE_DIR: &str = "{version}";
const SHARED_RELEASE_DIR: &str = "{name}-{version}";

/// The default directory pattern of a candidate (else a release), in a shared area or not.
pub fn default_dir(candidate: bool, shared: bool) -> &'static str {
    match (candidate, shared) {
        (true, false) => CANDIDATE_DIR,
        (true, true) => SHARED_CANDIDATE_DIR,
        (false, false) => RELEASE_DIR,
        (false, true) => SHARED_RELEASE_DIR,
    }
}

/// Whether the area the project publishes into is shared with its siblings: no
/// `dist-subdir`, and a name other than the top-level project's (`iceberg-rust` in `iceberg`).
pub fn shared_area(name: &str, tlp: &str, dist_subdir: Option<&str>) -> bool {
    dist_subdir.is_none() && name != tlp
}

/// `dist-subdir`: one or more plain directory names, `lang` or `rust/client`.
pub fn check_dist_subdir(subdir: &str) -> Result<()> {
    let plain = |part: &str| {
        !part.is_empty()
            && part != "."
            && part != ".."
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
    };
    if !subdir.split('/').all(plain) {
        bail!(
            "invalid setting dist-subdir = {subdir:?}: the project's directory inside its \
             top-level project's dist area, like \"lang\" (dist/dev/commons/lang): plain \
             names separated by `/`, no `..`, no leading or trailing `/`"
        );
    }
    Ok(())
}

/// A directory name pattern: the placeholders it needs, no others, one directory; in a shared
/// area, the project's name in it.
pub fn check_dir_pattern(
    key: &str,
    pattern: &str,
    needed: &[&str],
    name: &str,
    tlp: &str,
    shared: bool,
) -> Result<()> {
    let allowed = ["{name}", "{tlp}", "{version}", "{rc}"];
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            bail!("invalid setting {key} = {pattern:?}: a `{{` without its `}}`");
        };
        let placeholder = &rest[start..start + end + 1];
        if !allowed.contains(&placeholder) {
            bail!(
                "invalid setting {key} = {pattern:?}: {placeholder} is not known here; use {}",
                needed.join(" and ")
            );
        }
        rest = &rest[start + end + 1..];
    }
    for placeholder in needed {
        if !pattern.contains(placeholder) {
            bail!(
                "invalid setting {key} = {pattern:?}: it must contain {}, or two {} would get \
                 the same directory",
                needed.join(" and "),
                if needed.contains(&"{rc}") {
                    "candidates"
                } else {
                    "releases"
                }
            );
        }
    }
    if key == "release-dir" && pattern.contains("{rc}") {
        bail!("invalid setting release-dir = {pattern:?}: a release has no candidate number");
    }
    let filled = fill_dir(pattern, name, tlp, "1.2.3", "1");
    if filled.is_empty() || filled.contains('/') || filled.starts_with('.') {
        bail!("invalid setting {key} = {pattern:?}: one directory name, without `/`");
    }
    if shared && !filled.to_ascii_lowercase().contains(name) {
        bail!(
            "invalid setting {key} = {pattern:?}: the dist area of {tlp} is shared with the \
             other {tlp} projects, so the directory must carry this project's name ({name}), \
             like \"{}\"; or set dist-subdir when the project has a directory of its own",
            if key == "release-dir" {
                SHARED_RELEASE_DIR
            } else {
                SHARED_CANDIDATE_DIR
            }
        );
    }
    Ok(())
}

/// A checked pattern with its values put in.
fn fill_dir(pattern: &str, name: &str, tlp: &str, version: &str, rc: &str) -> String {
    pattern
        .replace("{name}", name)
        .replace("{tlp}", tlp)
        .replace("{version}", version)
        .replace("{rc}", rc)
}

impl Config {
    /// The name of a candidate's directory, on dist/dev and under out-dir: `<version>-rcN`
    /// unless `candidate-dir` says otherwise (`apache-iceberg-rust-{version}-rc{rc}`).
    pub fn candidate_name(&self, candidate: &Candidate) -> String {
        fill_dir(
            &self.candidate_dir,
            &self.name,
            &self.tlp,
            &candidate.version.to_string(),
            &candidate.rc.to_string(),
        )
    }

    /// The name of a release's directory in dist/release: `<version>` unless `release-dir`
    /// says otherwise (`arrow-rs-{version}`).
    pub fn release_dir_name(&self, version: &Version) -> String {
        fill_dir(
            &self.release_dir,
            &self.name,
            &self.tlp,
            &version.to_string(),
            "",
        )
    }

    /// The candidate a directory of a dist/dev listing holds (`2.3.0-rc4/` -> 2.3.0, RC4): the
    /// inverse of [`Config::candidate_name`] for directories; `None` for anything else, a
    /// sibling project's directories included.
    pub fn parse_candidate_dir(&self, entry: &str) -> Option<Candidate> {
        let name = entry.strip_suffix('/')?;
        let values = match_pattern(&self.candidate_dir, &self.fixed_values(), name)?;
        let get = |key: &str| values.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        let candidate = Candidate {
            version: get("version")?.parse().ok()?,
            rc: get("rc")?.parse().ok()?,
        };
        (self.candidate_name(&candidate) == name).then_some(candidate)
    }

    /// The release a directory of a dist/release listing holds (`2.3.0/`), or `None`.
    pub fn parse_release_dir(&self, entry: &str) -> Option<Version> {
        // `2.3.0-rc1/` is a version's spelling too, but under the candidate pattern a candidate.
        if self.parse_candidate_dir(entry).is_some() {
            return None;
        }
        let name = entry.strip_suffix('/')?;
        let values = match_pattern(&self.release_dir, &self.fixed_values(), name)?;
        let version: Version = values
            .iter()
            .find(|(k, _)| k == "version")
            .map(|(_, v)| v)?
            .parse()
            .ok()?;
        (self.release_dir_name(&version) == name).then_some(version)
    }

    /// Where a candidate is uploaded: `<svn-dev-url>/<candidate-dir>`.
    pub fn rc_url(&self, candidate: &Candidate) -> String {
        format!(
            "{}/{}",
            self.svn_dev_url.trim_end_matches('/'),
            self.candidate_name(candidate)
        )
    }

    /// Where a release lives: `<svn-release-url>/<release-dir>`.
    pub fn release_url(&self, version: &Version) -> String {
        format!(
            "{}/{}",
            self.svn_release_url.trim_end_matches('/'),
            self.release_dir_name(version)
        )
    }

    /// Where users download a release's files: `<download-base-url>/<release-dir>`.
    pub fn download_url_of(&self, version: &Version) -> String {
        format!(
            "{}/{}",
            self.download_base_url,
            self.release_dir_name(version)
        )
    }

    /// The top of the top-level project's area under `url`: `url` without `dist-subdir`.
    fn area_top<'a>(&self, url: &'a str) -> &'a str {
        let url = url.trim_end_matches('/');
        match &self.dist_subdir {
            Some(subdir) => url
                .strip_suffix(subdir.as_str())
                .and_then(|top| top.strip_suffix('/'))
                .unwrap_or(url),
            None => url,
        }
    }

    /// The KEYS file release managers append to: next to the candidates, at the top of the
    /// top-level project's area.
    pub fn dev_keys_url(&self) -> String {
        format!("{}/KEYS", self.area_top(&self.svn_dev_url))
    }

    /// The KEYS file linked from the download page.
    pub fn release_keys_url(&self) -> String {
        format!("{}/KEYS", self.area_top(&self.svn_release_url))
    }

    /// The KEYS file as the download mirrors serve it.
    pub fn download_keys_url(&self) -> String {
        format!("{}/KEYS", self.area_top(&self.download_base_url))
    }
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use crate::config::{parse, Config};
    use crate::version::{Candidate, Version};

    fn parse_str(extra: &str) -> anyhow::Result<Config> {
        parse(
            Utf8Path::new("/repo"),
            Utf8Path::new("/repo/Cargo.toml"),
            &format!("[workspace.metadata.asf-release]\n{extra}"),
        )
    }

    #[test]
    fn a_project_of_its_own_area_keeps_the_plain_names() {
        let config = parse_str("name = \"apisix\"\n").unwrap();
        let v: Version = "2.3.0".parse().unwrap();
        assert_eq!(
            config.candidate_name(&Candidate { version: v, rc: 4 }),
            "2.3.0-rc4"
        );
        assert_eq!(
            config.parse_candidate_dir("2.3.0-rc4/"),
            Some(Candidate { version: v, rc: 4 })
        );
        assert_eq!(config.parse_release_dir("2.3.0/"), Some(v));
        assert_eq!(config.parse_release_dir("2.3.0"), None);
        assert_eq!(
            config.release_url(&v),
            "https://dist.apache.org/repos/dist/release/apisix/2.3.0"
        );
        assert_eq!(
            config.dev_keys_url(),
            "https://dist.apache.org/repos/dist/dev/apisix/KEYS"
        );
    }

    #[test]
    fn siblings_in_a_shared_area_never_collide() {
        // Apache Iceberg Rust: dist/dev/iceberg holds Iceberg Java's, Go's and Python's too.
        let config = parse_str(
            "name = \"iceberg-rust\"\ncandidate-dir = \"apache-iceberg-rust-{version}-rc{rc}\"\n\
             release-dir = \"apache-iceberg-rust-{version}\"\n",
        )
        .unwrap();
        let v: Version = "0.10.1".parse().unwrap();
        assert_eq!(
            config.rc_url(&Candidate { version: v, rc: 1 }),
            "https://dist.apache.org/repos/dist/dev/iceberg/apache-iceberg-rust-0.10.1-rc1"
        );
        assert_eq!(
            config.parse_candidate_dir("apache-iceberg-rust-0.10.1-rc1/"),
            Some(Candidate { version: v, rc: 1 })
        );
        // A sibling's directories are not this project's.
        assert_eq!(config.parse_candidate_dir("0.10.1-rc1/"), None);
        assert_eq!(
            config.parse_candidate_dir("apache-iceberg-1.10.1-rc1/"),
            None
        );
        assert_eq!(config.parse_release_dir("1.10.0/"), None);
        // Without a setting, a sibling's directories carry its name.
        let config = parse_str("name = \"apisix-dashboard\"\n").unwrap();
        assert_eq!(
            config.candidate_name(&Candidate { version: v, rc: 2 }),
            "apisix-dashboard-0.10.1-rc2"
        );
        assert_eq!(config.release_dir_name(&v), "apisix-dashboard-0.10.1");
        assert_eq!(
            config.download_url_of(&v),
            "https://downloads.apache.org/apisix/apisix-dashboard-0.10.1"
        );
        // A name-less directory in a shared area is refused.
        let err = parse_str("name = \"iceberg-rust\"\ncandidate-dir = \"{version}-rc{rc}\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("shared with the other iceberg projects"),
            "{err}"
        );
        for (bad, needle) in [
            (
                "candidate-dir = \"{version}\"",
                "must contain {version} and {rc}",
            ),
            ("candidate-dir = \"x/{version}-{rc}\"", "one directory name"),
            ("release-dir = \"{version}-rc{rc}\"", "no candidate number"),
            ("release-dir = \"{major}\"", "not known here"),
            ("dist-subdir = \"../lang\"", "dist-subdir"),
        ] {
            let err = format!(
                "{:#}",
                parse_str(&format!("name = \"x\"\n{bad}\n")).unwrap_err()
            );
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }

    #[test]
    fn a_sub_area_of_its_own_keeps_keys_at_the_top() {
        // Apache Commons Lang: dist/dev/commons/lang, KEYS in dist/release/commons.
        let config = parse_str(
            "name = \"commons-lang\"\ndist-subdir = \"lang\"\ncandidate-dir = \"{version}-RC{rc}\"\n",
        )
        .unwrap();
        let v: Version = "3.20.0".parse().unwrap();
        assert_eq!(
            config.rc_url(&Candidate { version: v, rc: 2 }),
            "https://dist.apache.org/repos/dist/dev/commons/lang/3.20.0-RC2"
        );
        assert_eq!(
            config.release_url(&v),
            "https://dist.apache.org/repos/dist/release/commons/lang/3.20.0"
        );
        assert_eq!(
            config.release_keys_url(),
            "https://dist.apache.org/repos/dist/release/commons/KEYS"
        );
        assert_eq!(
            config.download_keys_url(),
            "https://downloads.apache.org/commons/KEYS"
        );
        assert_eq!(config.keys_url, "https://downloads.apache.org/commons/KEYS");
    }
}
