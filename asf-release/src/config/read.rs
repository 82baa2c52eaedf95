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

//! Reading the settings: finding and parsing `.asf-release.toml` or the `Cargo.toml`
//! section, and resolving the raw keys into a checked [`Config`] with the defaults filled in.

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use serde::Deserialize;

use super::{
    Binary, Config, Dist, DownloadPage, ExtraSource, KeysArea, Submodules, VersionFile, SECTION,
    SETTINGS_FILE,
};
use crate::config_checks::{
    check_out_dir, check_tag_patterns, check_url_without_credentials, SVN_CREDENTIALS,
};
use crate::version::{Candidate, Version};

/// The settings as written in `Cargo.toml`. Defaults are filled in by [`Config::resolve`].
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct Raw {
    name: Option<String>,
    display_name: Option<String>,
    tlp: Option<String>,
    incubating: Option<bool>,
    artifact: Option<String>,
    top_dir: Option<String>,
    excludes: Option<Vec<String>>,
    includes: Option<Vec<String>>,
    license_header_excludes: Option<Vec<String>>,
    binary_allow: Option<Vec<String>>,
    submodules: Option<Submodules>,
    signing_key: Option<String>,
    keys_area: Option<KeysArea>,
    main_branch: Option<String>,
    remote: Option<String>,
    branch_pattern: Option<String>,
    release_from_main: Option<bool>,
    tag_pattern: Option<String>,
    rc_tag_pattern: Option<String>,
    first_rc: Option<u32>,
    out_dir: Option<String>,
    svn_dev_url: Option<String>,
    svn_release_url: Option<String>,
    dist_subdir: Option<String>,
    candidate_dir: Option<String>,
    release_dir: Option<String>,
    dev_list: Option<String>,
    announce_list: Option<String>,
    keyserver: Option<String>,
    keep_releases: Option<u32>,
    keep_lines: Option<u32>,
    github_repo: Option<String>,
    backport_label: Option<String>,
    backported_label: Option<String>,
    backport_pr_title: Option<String>,
    backport_pr_label: Option<String>,
    protected_branch_template: Option<String>,
    version_files: Option<Vec<VersionFile>>,
    changelog: Option<super::changelog::RawChangelog>,
    mail_from: Option<String>,
    sendmail: Option<Vec<String>>,
    repository_url: Option<String>,
    release_notes_url: Option<String>,
    download_url: Option<String>,
    keys_url: Option<String>,
    download_page: Option<DownloadPage>,
    dist: Option<Dist>,
    atr_url: Option<String>,
    atr_project: Option<String>,
    atr_vote_to: Option<String>,
    extra_sources: Option<Vec<ExtraSource>>,
    binaries: Option<Vec<Binary>>,
    download_base_url: Option<String>,
    download_wait: Option<String>,
    build_commands: Option<Vec<super::checks::RawBuildCommand>>,
    issue_tracker: Option<super::tracker::TrackerKind>,
    jira_project: Option<String>,
    jira_url: Option<String>,
    jira_version_pattern: Option<String>,
}

/// Where a repository keeps its release settings: the one place every command reads them from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `.asf-release.toml` at the root (a project that is not a Rust workspace).
    SettingsFile(camino::Utf8PathBuf),
    /// The section in the root `Cargo.toml`.
    Manifest(camino::Utf8PathBuf),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::SettingsFile(path) => write!(f, "{path}"),
            Location::Manifest(path) => write!(f, "{SECTION} in {path}"),
        }
    }
}

/// Where the repository at `repo` keeps its settings, if it has any: `.asf-release.toml`
/// first, then a root `Cargo.toml` with the section.
pub fn location(repo: &Utf8Path) -> Option<Location> {
    let settings = repo.join(SETTINGS_FILE);
    if settings.is_file() {
        return Some(Location::SettingsFile(settings));
    }
    let manifest = repo.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).ok()?;
    let has_section = toml::from_str::<Manifest>(&text)
        .ok()
        .and_then(|parsed| parsed.workspace)
        .and_then(|w| w.metadata)
        .and_then(|m| m.asf_release)
        .is_some();
    has_section.then_some(Location::Manifest(manifest))
}

/// Where a user adds a setting (`table`: a sub-table such as `download-page`), named in the
/// file the repository really uses; a repository without settings is pointed at Cargo.toml's
/// section only when it has a Cargo.toml.
pub fn where_to_add(repo: &Utf8Path, table: Option<&str>) -> String {
    let in_settings_file = match location(repo) {
        Some(Location::SettingsFile(_)) => true,
        Some(Location::Manifest(_)) => false,
        None => !repo.join("Cargo.toml").is_file(),
    };
    match (in_settings_file, table) {
        (true, Some(table)) => format!("a `[{table}]` table in {SETTINGS_FILE}"),
        (true, None) => SETTINGS_FILE.to_owned(),
        (false, Some(table)) => {
            format!("a `[workspace.metadata.asf-release.{table}]` table in Cargo.toml")
        }
        (false, None) => format!("{SECTION} in Cargo.toml"),
    }
}

/// Reads the settings of the repository at `repo`: `.asf-release.toml` first, then the
/// root `Cargo.toml` (parsed whole, so an error points at the bad key's line).
pub fn load(repo: &Utf8Path) -> Result<Config> {
    let settings = repo.join(SETTINGS_FILE);
    if settings.is_file() {
        let text = std::fs::read_to_string(&settings)
            .with_context(|| format!("cannot read {settings}: check its permissions"))?;
        return parse_settings_file(repo, &settings, &text);
    }
    let manifest = repo.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).with_context(|| {
        format!(
            "cannot read {manifest}: the release settings live in {SETTINGS_FILE} or in the \
             repository's root Cargo.toml under {SECTION}; pass --repo <DIR> to point at the \
             repository, or run `cargo xtask adopt` to write them"
        )
    })?;
    parse(repo, &manifest, &text)
}

/// The path from the manifest's top to our section; everything else in it is cargo's.
#[derive(Deserialize)]
struct Manifest {
    workspace: Option<Workspace>,
}

#[derive(Deserialize)]
struct Workspace {
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(rename = "asf-release")]
    asf_release: Option<Raw>,
}

/// Parses the text of a manifest; `manifest` names it in errors.
pub fn parse(repo: &Utf8Path, manifest: &Utf8Path, text: &str) -> Result<Config> {
    // Deserialising the whole file keeps line numbers, so errors point at the bad key.
    let parsed: Manifest = toml::from_str(text).map_err(|err| {
        let what = if toml::from_str::<toml::Table>(text).is_err() {
            format!("{manifest} is not valid TOML")
        } else {
            format!("invalid {SECTION} in {manifest}")
        };
        anyhow::anyhow!(
            "{what}: {}\n{}every key is listed in README, \"Configuration\"",
            err.to_string().trim_end(),
            super::suggest::did_you_mean(&err.to_string())
        )
    })?;
    let raw = parsed
        .workspace
        .and_then(|w| w.metadata)
        .and_then(|m| m.asf_release);
    let Some(raw) = raw else {
        bail!(
            "{manifest} has no {SECTION} section: add one with at least `name = \"<project>\"` \
             (see README, \"Configuration\")"
        );
    };
    Config::resolve(repo, raw)
}

/// Parses `.asf-release.toml`: the same keys as the Cargo.toml section, at the top level.
pub fn parse_settings_file(repo: &Utf8Path, file: &Utf8Path, text: &str) -> Result<Config> {
    let raw: Raw = toml::from_str(text).map_err(|err| {
        anyhow::anyhow!(
            "invalid settings in {file}: {}\n{}every key is listed in README, \"Configuration\"",
            err.to_string().trim_end(),
            super::suggest::did_you_mean(&err.to_string())
        )
    })?;
    Config::resolve(repo, raw)
}

fn title_case(name: &str) -> String {
    name.split('-')
        .map(title_case_word)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `plugin` -> `Plugin`: the default display name's words.
pub fn title_case_word(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Config {
    fn resolve(repo: &Utf8Path, raw: Raw) -> Result<Config> {
        let Some(name) = raw.name else {
            bail!("missing setting name: add `name = \"<project>\"` under {SECTION}");
        };
        super::checks::check_name("name", &name)?;
        let tlp = raw
            .tlp
            .unwrap_or_else(|| name.split('-').next().unwrap_or(&name).to_string());
        super::checks::check_name("tlp", &tlp)?;
        let incubating = raw.incubating.unwrap_or(false);
        let release_from_main = raw.release_from_main.unwrap_or(false);
        if release_from_main && raw.branch_pattern.is_some() {
            bail!(
                "release-from-main = true and a branch-pattern exclude each other: releases are \
                 either tagged on the main branch or on a branch per line. Remove one of them"
            );
        }
        let artifact = raw.artifact.unwrap_or_else(|| {
            if incubating {
                "apache-{name}-{version}-incubating-src.tgz".into()
            } else {
                "apache-{name}-{version}-src.tgz".into()
            }
        });
        super::checks::check_artifact("artifact", &artifact)?;
        let extra_sources = raw.extra_sources.unwrap_or_default();
        let binaries = raw.binaries.unwrap_or_default();
        for binary in &binaries {
            super::checks::check_binary(binary)?;
        }
        for extra in &extra_sources {
            super::checks::check_artifact("extra-sources.artifact", &extra.artifact)?;
            if extra.includes.is_empty() {
                bail!(
                    "invalid setting extra-sources: {:?} has no includes; list the paths it \
                     holds, like includes = [\"/LICENSE\", \"/NOTICE\", \"/core\"]",
                    extra.artifact
                );
            }
        }
        // A podling's repository is `incubator-<name>`, its dist directories and KEYS under
        // `incubator/`.
        let (repository_name, tlp_area) = match incubating {
            true => (format!("incubator-{name}"), format!("incubator/{tlp}")),
            false => (name.clone(), tlp.clone()),
        };
        if let Some(subdir) = &raw.dist_subdir {
            super::layout::check_dist_subdir(subdir)?;
        }
        // Candidates and releases go into the project's own directory when it has one; KEYS
        // stays at the top of the top-level project's area.
        let dist_area = match &raw.dist_subdir {
            Some(subdir) => format!("{tlp_area}/{subdir}"),
            None => tlp_area.clone(),
        };
        let shared = super::layout::shared_area(&name, &tlp, raw.dist_subdir.as_deref());
        let candidate_dir = raw
            .candidate_dir
            .unwrap_or_else(|| super::layout::default_dir(true, shared).to_string());
        let release_dir = raw
            .release_dir
            .unwrap_or_else(|| super::layout::default_dir(false, shared).to_string());
        super::layout::check_dir_pattern(
            "candidate-dir",
            &candidate_dir,
            &["{version}", "{rc}"],
            &name,
            &tlp,
            shared,
        )?;
        super::layout::check_dir_pattern(
            "release-dir",
            &release_dir,
            &["{version}"],
            &name,
            &tlp,
            shared,
        )?;
        let repository_url = raw
            .repository_url
            .unwrap_or_else(|| format!("https://github.com/apache/{repository_name}"));
        let download_url = raw
            .download_url
            .unwrap_or_else(|| format!("https://{tlp}.apache.org/downloads/"));
        let keys_url = raw
            .keys_url
            .unwrap_or_else(|| format!("https://downloads.apache.org/{tlp_area}/KEYS"));
        let download_area = match &raw.dist_subdir {
            Some(subdir) => format!("{tlp}/{subdir}"),
            None => tlp.clone(),
        };
        let dev_list = raw
            .dev_list
            .unwrap_or_else(|| format!("dev@{tlp}.apache.org"));
        let config = Config {
            repo: repo.to_owned(),
            dist: raw.dist.unwrap_or_default(),
            atr_url: raw
                .atr_url
                .unwrap_or_else(|| crate::config_checks::ATR_PRODUCTION.into()),
            atr_project: raw.atr_project.unwrap_or_else(|| name.clone()),
            atr_vote_to: raw.atr_vote_to.unwrap_or_else(|| dev_list.clone()),
            display_name: raw.display_name.unwrap_or_else(|| title_case(&name)),
            svn_dev_url: raw
                .svn_dev_url
                .unwrap_or_else(|| format!("https://dist.apache.org/repos/dist/dev/{dist_area}")),
            svn_release_url: raw.svn_release_url.unwrap_or_else(|| {
                format!("https://dist.apache.org/repos/dist/release/{dist_area}")
            }),
            dist_subdir: raw.dist_subdir,
            candidate_dir,
            release_dir,
            dev_list,
            announce_list: raw
                .announce_list
                .unwrap_or_else(|| "announce@apache.org".into()),
            name,
            tlp,
            incubating,
            artifact,
            top_dir: raw.top_dir,
            excludes: raw.excludes.unwrap_or_default(),
            includes: raw.includes.unwrap_or_default(),
            extra_sources,
            binaries,
            license_header_excludes: raw.license_header_excludes.unwrap_or_default(),
            binary_allow: raw.binary_allow.unwrap_or_default(),
            submodules: raw.submodules.unwrap_or_default(),
            signing_key: raw.signing_key.filter(|key| !key.is_empty()),
            keys_area: raw.keys_area,
            main_branch: raw.main_branch.unwrap_or_else(|| "master".into()),
            remote: raw.remote.unwrap_or_else(|| "origin".into()),
            branch_pattern: raw
                .branch_pattern
                .unwrap_or_else(|| "v{major}.{minor}".into()),
            release_from_main,
            tag_pattern: raw.tag_pattern.unwrap_or_else(|| "{version}".into()),
            rc_tag_pattern: raw
                .rc_tag_pattern
                .unwrap_or_else(|| "{version}-rc{rc}".into()),
            first_rc: raw.first_rc.unwrap_or(1),
            out_dir: repo.join(raw.out_dir.as_deref().unwrap_or("target/asf-release")),
            keyserver: raw
                .keyserver
                .unwrap_or_else(|| "hkps://keys.openpgp.org".into()),
            keep_releases: raw.keep_releases.unwrap_or(1),
            keep_lines: raw.keep_lines,
            github_repo: raw.github_repo,
            backport_label: raw.backport_label.unwrap_or_else(|| "need backport".into()),
            backported_label: raw.backported_label.unwrap_or_else(|| "backported".into()),
            backport_pr_title: raw
                .backport_pr_title
                .unwrap_or_else(|| "[Backport {branch}] {title}".into()),
            backport_pr_label: raw.backport_pr_label.unwrap_or_else(|| "backport".into()),
            protected_branch_template: raw.protected_branch_template,
            version_files: raw.version_files.unwrap_or_default(),
            changelog: super::Changelog::resolve(raw.changelog)?,
            mail_from: raw.mail_from.filter(|from| !from.is_empty()),
            sendmail: raw
                .sendmail
                .unwrap_or_else(|| vec!["sendmail".into(), "-t".into(), "-oi".into()]),
            repository_url,
            release_notes_url: raw
                .release_notes_url
                .unwrap_or_else(|| "{repository}/blob/{branch}/CHANGELOG.md#{anchor}".into()),
            download_url,
            keys_url,
            download_page: raw.download_page,
            download_base_url: raw
                .download_base_url
                .unwrap_or_else(|| format!("https://downloads.apache.org/{download_area}"))
                .trim_end_matches('/')
                .to_string(),
            download_wait: crate::clock::parse_duration(
                raw.download_wait.as_deref().unwrap_or("2h"),
            )
            .context("invalid setting download-wait")?,
            build_commands: super::checks::build_commands(raw.build_commands)?,
            issue_tracker: super::tracker::resolve(
                raw.issue_tracker,
                raw.jira_project,
                raw.jira_url,
                raw.jira_version_pattern,
            )?,
        };
        if config.keep_releases == 0 || config.keep_lines == Some(0) {
            bail!(
                "invalid setting keep-releases / keep-lines = 0: at least the newest release \
                 must stay on dist/release; use 1 or more"
            );
        }
        if config.first_rc > 1 {
            bail!(
                "invalid setting first-rc = {}: candidates are numbered from 1 (the ASF \
                 custom, the default) or from 0; use 1 or 0",
                config.first_rc
            );
        }
        check_tag_patterns(&config.tag_pattern, &config.rc_tag_pattern)?;
        super::checks::backport_pr_title(&config.backport_pr_title)?;
        check_out_dir(repo, &config.out_dir).context("invalid setting out-dir")?;
        for (key, url) in [
            ("svn-dev-url", &config.svn_dev_url),
            ("svn-release-url", &config.svn_release_url),
        ] {
            check_url_without_credentials(&format!("setting {key}"), url, SVN_CREDENTIALS)?;
        }
        // Public addresses that go into mails and pages as they are.
        for (key, url) in [
            ("repository-url", &config.repository_url),
            ("release-notes-url", &config.release_notes_url),
            ("download-url", &config.download_url),
            ("keys-url", &config.keys_url),
            ("download-base-url", &config.download_base_url),
            ("keyserver", &config.keyserver),
        ] {
            check_url_without_credentials(
                &format!("setting {key}"),
                url,
                "write the public address",
            )?;
        }
        crate::config_checks::check_atr(&config.atr_url, &config.atr_project)?;
        if let Some(repo) = &config.github_repo {
            crate::config_checks::check_repo_name(repo).context("invalid setting github-repo")?;
        }
        for file in &config.version_files {
            super::version_file::compile(file)?;
        }
        if config
            .sendmail
            .first()
            .is_none_or(|program| program.is_empty())
        {
            bail!("invalid setting sendmail = []: give the command and its arguments, like [\"sendmail\", \"-t\", \"-oi\"]");
        }
        // Fill every pattern once now, so a typo is reported before any step starts.
        let probe: Version = "1.2.3".parse()?;
        let mut names = std::collections::BTreeSet::new();
        for source in config.sources() {
            source.top_dir_name(&probe)?;
            crate::archive::excludes::Excludes::new(&source.includes, "extra-sources.includes")?;
        }
        for binary in &config.binaries {
            config.binary_path(binary, &probe)?;
        }
        for name in config.release_names(&probe)? {
            if !names.insert(name.clone()) {
                bail!(
                    "invalid setting extra-sources or binaries: two files of the release are \
                     named {name:?} (for 1.2.3): give each its own artifact name"
                );
            }
        }
        config.release_tag(&probe)?;
        config.candidate_tag(&Candidate {
            version: probe,
            rc: 1,
        })?;
        config.branch_name(probe.line())?;
        crate::archive::excludes::Excludes::new(&config.excludes, "excludes")?;
        crate::archive::excludes::Excludes::new(&config.includes, "includes")?;
        crate::archive::excludes::Excludes::new(
            &config.license_header_excludes,
            "license-header-excludes",
        )?;
        crate::archive::excludes::Excludes::new(&config.binary_allow, "binary-allow")?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn parse_str(extra: &str) -> Result<Config> {
        let text =
            format!("[workspace.metadata.asf-release]\nname = \"apisix-dashboard\"\n{extra}");
        parse(
            Utf8Path::new("/repo"),
            Utf8Path::new("/repo/Cargo.toml"),
            &text,
        )
    }

    #[test]
    fn the_publish_and_build_settings_have_defaults_and_are_checked() {
        let config = parse_str("").unwrap();
        assert_eq!(
            config.download_base_url,
            "https://downloads.apache.org/apisix"
        );
        assert_eq!(config.download_wait, Duration::from_secs(7200));
        assert!(config.build_commands.is_empty());
        let config = parse_str(
            "download-base-url = \"http://127.0.0.1:8080/\"\ndownload-wait = \"90s\"\n\
             build-commands = [{ run = [\"cargo\", \"test\"], timeout = \"20m\" }, { run = [\"make\"] }]\n",
        )
        .unwrap();
        assert_eq!(config.download_base_url, "http://127.0.0.1:8080");
        assert_eq!(config.download_wait, Duration::from_secs(90));
        assert_eq!(config.build_commands[0].timeout, Duration::from_secs(1200));
        assert_eq!(config.build_commands[1].timeout, Duration::from_secs(1800));
        for (bad, needle) in [
            ("download-wait = \"soon\"", "download-wait"),
            ("build-commands = [{ run = [] }]", "build-commands"),
            (
                "build-commands = [{ run = [\"make\"], timeout = \"1.5h\" }]",
                "timeout",
            ),
            (
                "build-commands = [{ run = [\"make\"], shell = true }]",
                "unknown field",
            ),
            (
                "download-base-url = \"https://user:pw@example.org\"",
                "download-base-url",
            ),
        ] {
            let err = format!("{:#}", parse_str(&format!("{bad}\n")).unwrap_err());
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }
}
