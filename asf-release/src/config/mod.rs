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

//! The release settings of a repository: its own `.asf-release.toml` at the root when there
//! is one (a project that is not written in Rust), else `[workspace.metadata.asf-release]`
//! in its root `Cargo.toml`. Every key is documented in README.md; unknown keys are an error.

use anyhow::{bail, Context, Result};
use camino::Utf8PathBuf;
use serde::Deserialize;

use crate::version::{fill, Candidate, Line, Version};

mod changelog;
mod checks;
mod dist;
mod layout;
mod read;
mod suggest;
mod tracker;
pub mod version_file;
mod written;

pub use changelog::{Changelog, DEFAULT_HEADING as CHANGELOG_HEADING};
pub use dist::Dist;
pub use layout::{default_dir, shared_area};
pub use tracker::{IssueTracker, Jira};

pub use read::{
    load, location, parse, parse_settings_file, title_case_word, where_to_add, Location,
};
pub use written::written;

pub const SECTION: &str = "[workspace.metadata.asf-release]";

/// The settings file of a project that keeps them out of `Cargo.toml`; read first.
pub const SETTINGS_FILE: &str = ".asf-release.toml";

/// What to do with git submodules found in the release tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Submodules {
    /// Stop with an error: the project vendors its dependencies into the release.
    Refuse,
    /// Leave them out of the tarball, as `git archive` does and as real ASF releases do; each
    /// one is named in a warning.
    #[default]
    Skip,
}

/// The dist area whose `KEYS` file release managers append to and voters import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeysArea {
    /// `<svn-dev-url>/KEYS`, next to the candidates.
    Dev,
    /// `<svn-release-url>/KEYS` only (APISIX).
    Release,
}

/// One place that must carry the release version: a file and a regex in which `{version}`
/// stands for the version (`"version": "{version}"`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct VersionFile {
    pub path: String,
    pub pattern: String,
}

/// A further source tarball of the release, with its own allow-list (Apache OpenDAL releases
/// one per binding, each with LICENSE, NOTICE, the binding and `core`): built, checked,
/// signed and reproducible exactly like the main one, uploaded and promoted with it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ExtraSource {
    /// File name pattern, like `artifact`.
    pub artifact: String,
    /// The paths it holds (required: an extra tarball is always an allow-list).
    pub includes: Vec<String>,
    pub top_dir: Option<String>,
}

/// A convenience binary of the release (ASF policy: it is not the release, the sources are),
/// made by a command the project names in the unpacked main source tarball, or taken from a
/// directory CI built it in. Signed and hashed like the sources, uploaded and promoted with
/// them; `verify` checks its signature and checksum only.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Binary {
    /// File name pattern in the candidate, like `artifact`.
    pub artifact: String,
    /// The command that builds it, run in the unpacked main source tarball.
    pub command: Option<Vec<String>>,
    /// Where the command leaves it, relative to the unpacked sources (pattern; default: the
    /// artifact's name at their top).
    pub path: Option<String>,
    /// Or the directory (relative to the repository) where CI left it.
    pub from: Option<String>,
}

/// A command a voter runs on the unpacked source (`verify --build`), with its time limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildCommand {
    pub run: Vec<String>,
    pub timeout: std::time::Duration,
}

/// Where the website lists the releases: `[workspace.metadata.asf-release.download-page]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DownloadPage {
    /// The file in the website repository, relative to its root: `config/downloads.js`.
    pub file: String,
    /// The lines to update start after the first line containing this text (the project's
    /// block in a file that lists several projects).
    pub after: Option<String>,
    /// One template per line to rewrite, like `version: '{version}',`: the first line after
    /// `after` that matches the template (placeholders match any text) is replaced by it.
    pub lines: Vec<String>,
}

/// The validated settings, defaults applied.
#[derive(Debug, Clone)]
pub struct Config {
    /// The repository the release is made from.
    pub repo: Utf8PathBuf,
    /// Short project name as in the artifact and dist paths: `apisix-dashboard`.
    pub name: String,
    /// Name for humans in mails: `APISIX Dashboard`.
    pub display_name: String,
    /// The top-level project whose lists and dist area are used: `apisix`.
    pub tlp: String,
    pub incubating: bool,
    pub artifact: String,
    pub top_dir: Option<String>,
    pub excludes: Vec<String>,
    /// When not empty, only these paths (and everything under them) go into the tarball.
    pub includes: Vec<String>,
    pub license_header_excludes: Vec<String>,
    pub binary_allow: Vec<String>,
    pub submodules: Submodules,
    pub signing_key: Option<String>,
    /// Where KEYS lives; `None`: dist/dev when it has one, else dist/release.
    pub keys_area: Option<KeysArea>,
    pub main_branch: String,
    pub remote: String,
    pub branch_pattern: String,
    /// Releases are tagged on the main branch: every line's release branch is the main branch
    /// (no branch is cut, nothing is backported).
    pub release_from_main: bool,
    pub tag_pattern: String,
    pub rc_tag_pattern: String,
    /// The number of a line's first release candidate: 1 (`RC1`), or 0 where the project
    /// counts from 0 (`v0.14.0.rc0`).
    pub first_rc: u32,
    pub out_dir: Utf8PathBuf,
    pub svn_dev_url: String,
    pub svn_release_url: String,
    /// The project's directory inside its top-level project's dist area (`lang`); KEYS stays
    /// at the area's top.
    pub dist_subdir: Option<String>,
    /// Pattern of a candidate's directory name (`{version}-rc{rc}`).
    pub candidate_dir: String,
    /// Pattern of a release's directory name in dist/release (`{version}`).
    pub release_dir: String,
    pub dev_list: String,
    pub announce_list: String,
    pub keyserver: String,
    /// How many newest releases of each X.Y line stay in dist/release (`prune`).
    pub keep_releases: u32,
    /// How many newest X.Y lines stay in dist/release; `None` keeps every line (`prune`).
    pub keep_lines: Option<u32>,
    /// `owner/name` on GitHub; `None` means: read it from the remote's URL.
    pub github_repo: Option<String>,
    pub backport_label: String,
    pub backported_label: String,
    /// The title of a backport pull request (protected release branches): `{branch}`,
    /// `{title}` (the upstream PR's) and `{number}` are filled in.
    pub backport_pr_title: String,
    /// The label a backport pull request gets; empty: none.
    pub backport_pr_label: String,
    /// The branch of `.asf.yaml`'s `github.protected_branches` whose protection a new release
    /// branch copies (default: the main branch).
    pub protected_branch_template: Option<String>,
    pub version_files: Vec<VersionFile>,
    /// The changelog: its file, its heading style, and whether the tool writes it.
    pub changelog: Changelog,
    /// `Name <address>` for mails; `None`: git's user.name and user.email.
    pub mail_from: Option<String>,
    /// The sendmail-compatible command `mail --send` pipes a mail into.
    pub sendmail: Vec<String>,
    /// The project's source repository on the web: `https://github.com/apache/apisix`.
    pub repository_url: String,
    /// Pattern of the release notes link in mails ({repository}, {branch}, {tag}, {version},
    /// {anchor}).
    pub release_notes_url: String,
    /// The project's download page.
    pub download_url: String,
    /// The KEYS file verifiers import.
    pub keys_url: String,
    pub download_page: Option<DownloadPage>,
    /// Further source tarballs beside the main one (`[[...extra-sources]]`).
    pub extra_sources: Vec<ExtraSource>,
    /// Convenience binaries (`[[...binaries]]`).
    pub binaries: Vec<Binary>,
    /// Where users download releases: `<base>/<version>/<artifact>` and `<base>/KEYS`.
    pub download_base_url: String,
    /// How long `downloads` waits for the mirrors to serve a new release.
    pub download_wait: std::time::Duration,
    /// What `verify --build` runs in the unpacked candidate, in order.
    pub build_commands: Vec<BuildCommand>,
    pub dist: Dist,
    /// ATR's address (https, or http to this machine for tests).
    pub atr_url: String,
    /// The project key on ATR: `name` by default.
    pub atr_project: String,
    /// The list ATR sends the VOTE mail to: `dev-list` by default.
    pub atr_vote_to: String,
    /// Where releases are planned: GitHub milestones or JIRA versions.
    pub issue_tracker: IssueTracker,
}

/// `{version}` for the file name pattern `pattern`: a version spelled with the podling's label
/// (`1.0.0-incubating`) without it where the pattern writes the label after it (the default
/// `apache-{name}-{version}-incubating-src.tgz`), so the name has it once.
fn spelled_for(pattern: &str, version: &Version) -> String {
    let spelled = version.to_string();
    match pattern.contains("{version}-incubating") {
        true => spelled
            .strip_suffix("-incubating")
            .unwrap_or(&spelled)
            .to_string(),
        false => spelled,
    }
}

impl Config {
    /// Every source tarball of a release as the settings of its own build: the main one
    /// first, then each extra source with its name, allow-list and top directory.
    pub fn sources(&self) -> Vec<Config> {
        let mut all = vec![Config {
            extra_sources: Vec::new(),
            ..self.clone()
        }];
        for extra in &self.extra_sources {
            all.push(Config {
                artifact: extra.artifact.clone(),
                includes: extra.includes.clone(),
                top_dir: extra.top_dir.clone(),
                extra_sources: Vec::new(),
                ..self.clone()
            });
        }
        all
    }

    /// The file name of a convenience binary of `version`.
    pub fn binary_name(&self, binary: &Binary, version: &Version) -> Result<String> {
        let version = spelled_for(&binary.artifact, version);
        fill(&binary.artifact, &self.version_values(&version))
            .context("invalid setting binaries.artifact")
    }

    /// Where a binary's command leaves it, relative to the unpacked sources.
    pub fn binary_path(&self, binary: &Binary, version: &Version) -> Result<String> {
        match &binary.path {
            Some(pattern) => {
                let version = spelled_for(pattern, version);
                fill(pattern, &self.version_values(&version))
                    .context("invalid setting binaries.path")
            }
            None => self.binary_name(binary, version),
        }
    }

    /// Every file name a candidate of `version` publishes (each with `.asc` and `.sha512`):
    /// the source tarballs, the main one first, then the convenience binaries.
    pub fn release_names(&self, version: &Version) -> Result<Vec<String>> {
        let mut names = self.artifact_names(version)?;
        for binary in &self.binaries {
            names.push(self.binary_name(binary, version)?);
        }
        Ok(names)
    }

    /// The project's name in mails: `Answer (incubating)` for a podling, as the Incubator asks
    /// releases to be named.
    pub fn mail_name(&self) -> String {
        match self.incubating {
            true => format!("{} (incubating)", self.display_name),
            false => self.display_name.clone(),
        }
    }

    /// The file names of every source tarball of `version`, the main one first.
    pub fn artifact_names(&self, version: &Version) -> Result<Vec<String>> {
        self.sources()
            .iter()
            .map(|source| source.artifact_name(version))
            .collect()
    }

    fn version_values<'a>(&'a self, version: &'a str) -> [(&'a str, &'a str); 3] {
        [
            ("name", &self.name),
            ("tlp", &self.tlp),
            ("version", version),
        ]
    }

    /// `apache-apisix-2.3.0-src.tgz`
    pub fn artifact_name(&self, version: &Version) -> Result<String> {
        let version = spelled_for(&self.artifact, version);
        fill(&self.artifact, &self.version_values(&version)).context("invalid setting artifact")
    }

    /// The one directory the tarball unpacks to: the artifact name without its extension
    /// unless `top-dir` says otherwise.
    pub fn top_dir_name(&self, version: &Version) -> Result<String> {
        match &self.top_dir {
            Some(pattern) => {
                let version = spelled_for(pattern, version);
                let name = fill(pattern, &self.version_values(&version))
                    .context("invalid setting top-dir")?;
                if name.is_empty() || name.contains('/') || name == "." || name == ".." {
                    bail!("invalid setting top-dir = {pattern:?}: one directory name, without `/`");
                }
                Ok(name)
            }
            None => {
                let artifact = self.artifact_name(version)?;
                Ok(strip_archive_extension(&artifact).to_string())
            }
        }
    }

    /// The git tag of a release: `2.3.0` by default. A release tag that would read back as a
    /// candidate (version `2.3.0-rc1` under `{version}-rc{rc}`) is refused: the tag could not
    /// tell the two apart.
    pub fn release_tag(&self, version: &Version) -> Result<String> {
        let text = version.to_string();
        let tag = fill(&self.tag_pattern, &self.version_values(&text))
            .context("invalid setting tag-pattern")?;
        if let Some((candidate_of, Some(rc))) = self.parse_tag(&tag) {
            bail!(
                "the release tag {tag} of version {version} reads as candidate {rc} of \
                 {candidate_of} under rc-tag-pattern = {:?}: if {version} is a candidate, \
                 give the version {candidate_of} and --rc {rc}; if it is a release, use \
                 an rc-tag-pattern that cannot end like it",
                self.rc_tag_pattern
            );
        }
        Ok(tag)
    }

    /// The git tag of a candidate: `2.3.0-rc1` by default.
    pub fn candidate_tag(&self, candidate: &Candidate) -> Result<String> {
        let version = candidate.version.to_string();
        let rc = candidate.rc.to_string();
        let [a, b, c] = self.version_values(&version);
        fill(&self.rc_tag_pattern, &[a, b, c, ("rc", &rc)])
            .context("invalid setting rc-tag-pattern")
    }

    /// The release branch of a line: `v2.3` by default, the main branch with
    /// `release-from-main`. A one-number line (`24`) needs a pattern without `{minor}`.
    pub fn branch_name(&self, line: Line) -> Result<String> {
        if self.release_from_main {
            return Ok(self.main_branch.clone());
        }
        let major = line.major().to_string();
        let name = match line.minor() {
            Some(minor) => fill(
                &self.branch_pattern,
                &[
                    ("major", &major),
                    ("minor", &minor.to_string()),
                    ("name", &self.name),
                ],
            ),
            None => fill(
                &self.branch_pattern,
                &[("major", &major), ("name", &self.name)],
            )
            .with_context(|| {
                format!(
                    "the line {line} has one number, so it has no {{minor}}: set \
                         branch-pattern to one without it, like \"release-{{major}}\""
                )
            }),
        };
        name.context("invalid setting branch-pattern")
    }

    /// Where the artifacts of a candidate are written: `<out-dir>/<candidate-dir>`.
    pub fn candidate_artifact_dir(&self, candidate: &Candidate) -> Utf8PathBuf {
        self.out_dir.join(self.candidate_name(candidate))
    }

    /// Where the artifacts of a version packaged without a candidate number are written:
    /// `<out-dir>/<version>`. Earlier versions of the tool kept a release's announcement and
    /// markers there ([`crate::records`] still reads them).
    pub fn release_artifact_dir(&self, version: &Version) -> Utf8PathBuf {
        self.out_dir.join(version.to_string())
    }

    /// Where the tool keeps its own files about a candidate: its mails, what it sent, its ATR
    /// ledger, the log of `verify --build` (named in [`crate::records`]). Never among the
    /// artifacts: the directory `upload` sends and `verify` checks holds the release's files
    /// only.
    pub fn candidate_records_dir(&self, candidate: &Candidate) -> Utf8PathBuf {
        self.out_dir
            .join("records")
            .join(self.candidate_name(candidate))
    }

    /// Where the tool keeps its own files about a release (its announcement), beside its
    /// candidates' in [`Config::candidate_records_dir`].
    pub fn release_records_dir(&self, version: &Version) -> Utf8PathBuf {
        self.out_dir.join("records").join(version.to_string())
    }
}

impl Config {
    /// Refuses a candidate number below the project's first (`first-rc`).
    pub fn check_rc(&self, rc: u32) -> Result<u32> {
        if rc < self.first_rc {
            bail!(
                "invalid release candidate {rc}: this project numbers its candidates from {first} \
                 (first-rc = {first}); use --rc {first}, or set first-rc = {rc} under {SECTION} \
                 if the project counts from {rc}",
                first = self.first_rc
            );
        }
        Ok(rc)
    }

    /// The candidate after `last` (the first when there is none), without overflowing.
    pub fn next_rc(&self, version: &Version, last: Option<u32>) -> Result<u32> {
        match last {
            None => Ok(self.first_rc),
            Some(last) => last.checked_add(1).with_context(|| {
                format!(
                    "{version} has a candidate tag numbered {last}, the largest number there is: \
                     no next candidate can follow it; delete that tag if it was a mistake \
                     (`git tag -d` and `git push --delete`), or release the next version"
                )
            }),
        }
    }
}

/// The values a name made from `pattern` carries, or `None` when `name` does not have the
/// pattern's shape. `{version}`, `{rc}`, `{major}` and `{minor}` match numbers; `fixed`
/// placeholders match their own value.
fn match_pattern(
    pattern: &str,
    fixed: &[(&str, &str)],
    name: &str,
) -> Option<Vec<(String, String)>> {
    let mut expression = String::from("^");
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        expression.push_str(&regex::escape(&rest[..start]));
        let end = rest[start..].find('}')? + start;
        let key = &rest[start + 1..end];
        match (key, fixed.iter().find(|(k, _)| *k == key)) {
            (_, Some((_, value))) => expression.push_str(&regex::escape(value)),
            ("version", None) => {
                expression.push_str(&format!("(?P<version>{})", crate::version::version_regex()));
            }
            ("rc" | "major" | "minor", None) => {
                expression.push_str(&format!("(?P<{key}>[0-9]+)"));
            }
            _ => return None,
        }
        rest = &rest[end + 1..];
    }
    expression.push_str(&regex::escape(rest));
    expression.push('$');
    let regex = regex::Regex::new(&expression).ok()?;
    let captures = regex.captures(name)?;
    Some(
        regex
            .capture_names()
            .flatten()
            .filter_map(|n| Some((n.to_string(), captures.name(n)?.as_str().to_string())))
            .collect(),
    )
}

impl Config {
    fn fixed_values(&self) -> [(&str, &str); 2] {
        [("name", &self.name), ("tlp", &self.tlp)]
    }

    /// What a tag means under the tag patterns: a release (`rc` is `None`) or a candidate.
    pub fn parse_tag(&self, tag: &str) -> Option<(Version, Option<u32>)> {
        let value = |values: &[(String, String)], key: &str| {
            values
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        // The candidate reading first: with qualifiers, `2.3.0-rc1` is also a version, but a
        // project whose candidates are tagged `{version}-rc{rc}` means candidate 1 of 2.3.0
        // (and with a candidate number too large, no tag of the tool's, not a release).
        let candidate = match_pattern(&self.rc_tag_pattern, &self.fixed_values(), tag)
            .and_then(|values| Some((value(&values, "version")?.parse::<Version>().ok()?, values)));
        if let Some((version, values)) = candidate {
            return Some((version, Some(value(&values, "rc")?.parse().ok()?)));
        }
        let values = match_pattern(&self.tag_pattern, &self.fixed_values(), tag)?;
        Some((value(&values, "version")?.parse().ok()?, None))
    }

    /// The release line of a branch named by `branch-pattern`.
    pub fn parse_branch(&self, branch: &str) -> Option<Line> {
        // The main branch holds every line: its name tells none.
        if self.release_from_main {
            return None;
        }
        let fixed = [("name", self.name.as_str())];
        let values = match_pattern(&self.branch_pattern, &fixed, branch)?;
        let get = |key: &str| {
            values
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        match get("minor") {
            Some(minor) => format!("{}.{minor}", get("major")?).parse().ok(),
            None => get("major")?.parse().ok(),
        }
    }
}

/// `name.tgz` / `name.tar.gz` -> `name`.
pub fn strip_archive_extension(file: &str) -> &str {
    file.strip_suffix(".tar.gz")
        .or_else(|| file.strip_suffix(".tgz"))
        .unwrap_or(file)
}

/// A configuration for the unit tests of other modules.
#[cfg(test)]
pub mod tests_support {
    use camino::Utf8Path;

    use super::*;

    /// The settings of `name = "demo"` and nothing else.
    pub fn minimal() -> Config {
        parse(
            Utf8Path::new("/repo"),
            Utf8Path::new("/repo/Cargo.toml"),
            "[workspace.metadata.asf-release]\nname = \"demo\"\n",
        )
        .expect("the minimal configuration is valid")
    }
}

#[cfg(test)]
mod tests;
