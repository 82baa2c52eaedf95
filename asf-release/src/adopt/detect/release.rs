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

//! The project's own release as its scripts, Makefile, Maven assembly or build configuration
//! make it (the archive's name, top directory, contents, and where it goes on dist), turned
//! into settings: each with the file and line it came from, and every place where this tool
//! does otherwise named with the reason.

use camino::Utf8Path;

use super::{quoted, quoted_list, Setting};
use crate::config::shared_area;

/// A value and where it was found (`dev/release/create_rc.sh:262`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found<T = String> {
    pub value: T,
    pub from: String,
}

/// What the project's own release process says; patterns use `{version}` and `{rc}`.
#[derive(Debug, Default)]
pub(super) struct ReleaseFacts {
    /// The archive the process makes: `apache-iceberg-rust-{version}.tar.gz`.
    pub artifact: Option<Found>,
    /// An archive name the process only mentions (a vote mail's download link).
    pub mentioned_artifact: Option<Found>,
    /// Further formats of the same sources (`commons-lang3-{version}-src.zip`).
    pub formats: Vec<Found>,
    pub top_dir: Option<Found>,
    /// The archive has no top directory (`tar ... .`).
    pub no_top_dir: Option<Found>,
    /// A candidate's directory: `apache-iceberg-rust-{version}-rc{rc}`.
    pub candidate_dir: Option<Found>,
    /// A candidate's directory named through a variable that did not resolve:
    /// `pyiceberg-${NAME}`, for the comment only.
    pub unresolved_candidate_dir: Option<Found>,
    /// A release's directory: `arrow-rs-{version}`.
    pub release_dir: Option<Found>,
    /// The path under dist/dev: `iceberg`, `commons/lang`.
    pub dev_area: Option<Found>,
    pub release_area: Option<Found>,
    /// Only these paths are released (rooted patterns).
    pub includes: Option<Found<Vec<String>>>,
    /// These are left out (gitignore-like patterns).
    pub excludes: Option<Found<Vec<String>>>,
}

impl ReleaseFacts {
    /// Takes what `other` found where nothing was found yet.
    pub fn merge(&mut self, other: ReleaseFacts) {
        fn first<T>(slot: &mut Option<T>, other: Option<T>) {
            if slot.is_none() {
                *slot = other;
            }
        }
        first(&mut self.artifact, other.artifact);
        first(&mut self.mentioned_artifact, other.mentioned_artifact);
        first(&mut self.top_dir, other.top_dir);
        first(&mut self.no_top_dir, other.no_top_dir);
        first(&mut self.candidate_dir, other.candidate_dir);
        first(
            &mut self.unresolved_candidate_dir,
            other.unresolved_candidate_dir,
        );
        first(&mut self.release_dir, other.release_dir);
        first(&mut self.dev_area, other.dev_area);
        first(&mut self.release_area, other.release_area);
        first(&mut self.includes, other.includes);
        first(&mut self.excludes, other.excludes);
        for format in other.formats {
            if !self.formats.iter().any(|f| f.value == format.value) {
                self.formats.push(format);
            }
        }
    }
}

/// Who the project is, as the settings need it.
pub(super) struct Project<'a> {
    pub repo: &'a Utf8Path,
    pub name: &'a str,
    pub incubating: bool,
}

impl Project<'_> {
    fn tlp(&self) -> &str {
        self.name.split('-').next().unwrap_or(self.name)
    }

    fn tlp_area(&self) -> String {
        match self.incubating {
            true => format!("incubator/{}", self.tlp()),
            false => self.tlp().to_string(),
        }
    }

    fn default_artifact(&self) -> String {
        match self.incubating {
            true => format!("apache-{}-{{version}}-incubating-src.tgz", self.name),
            false => format!("apache-{}-{{version}}-src.tgz", self.name),
        }
    }
}

fn archive_stem(artifact: &str) -> &str {
    crate::config::strip_archive_extension(artifact)
}

/// The settings of the project's release: artifact, top-dir, dist-subdir, candidate-dir,
/// release-dir, includes and excludes.
pub(super) fn settings(facts: &ReleaseFacts, project: &Project) -> Vec<Setting> {
    let mut settings = Vec::new();
    let artifact = artifact_setting(facts, project);
    let artifact_pattern = artifact
        .value
        .as_deref()
        .map(|v| v.trim_matches('"').to_string())
        .unwrap_or_else(|| project.default_artifact());
    settings.push(artifact);
    settings.push(top_dir_setting(facts, &artifact_pattern));
    let (subdir_setting, subdir) = subdir_setting(facts, project);
    settings.push(subdir_setting);
    let shared = shared_area(project.name, project.tlp(), subdir.as_deref());
    let mut candidate = dir_setting(
        facts.candidate_dir.as_ref(),
        "candidate-dir",
        shared,
        project,
    );
    if let (None, Some(named)) = (&facts.candidate_dir, &facts.unresolved_candidate_dir) {
        candidate.comment.push_str(&format!(
            "; the project names its candidates' directory {} ({}), through a variable this \
             detection cannot resolve: check that directory and set candidate-dir to its shape \
             ({{version}}, {{rc}})",
            named.value, named.from
        ));
    }
    settings.push(candidate);
    settings.push(dir_setting(
        facts.release_dir.as_ref(),
        "release-dir",
        shared,
        project,
    ));
    settings.extend(contents_settings(facts, project));
    settings
}

fn artifact_setting(facts: &ReleaseFacts, project: &Project) -> Setting {
    let default = project.default_artifact();
    let formats: String = facts
        .formats
        .iter()
        .map(|format| {
            format!(
                "\nthe project also ships {} ({}): this tool makes one .tar.gz (or .tgz) per \
                 source release; zip archives, and several formats of one release, are not \
                 supported",
                format.value, format.from
            )
        })
        .collect();
    let found = facts
        .artifact
        .as_ref()
        .or(facts.mentioned_artifact.as_ref());
    match found {
        Some(found) if !(found.value.ends_with(".tgz") || found.value.ends_with(".tar.gz")) => {
            Setting {
                comment: format!(
                    "artifact: the project releases {} ({}), which this tool cannot make (a \
                     .tgz or .tar.gz); the default is {default}{formats}",
                    found.value, found.from
                ),
                key: "artifact",
                value: None,
            }
        }
        Some(found) if found.value == default => Setting {
            comment: format!(
                "artifact: {} as the project names it ({}), the default{formats}",
                found.value, found.from
            ),
            key: "artifact",
            value: None,
        },
        Some(found) => Setting {
            comment: format!(
                "the source archive as the project names it ({}){formats}",
                found.from
            ),
            key: "artifact",
            value: Some(quoted(&found.value)),
        },
        None => Setting {
            comment: format!(
                "artifact: no release script names the source archive; the default is \
                 {default}{formats}"
            ),
            key: "artifact",
            value: None,
        },
    }
}

fn top_dir_setting(facts: &ReleaseFacts, artifact: &str) -> Setting {
    let stem = archive_stem(artifact);
    match (&facts.top_dir, &facts.no_top_dir) {
        (Some(top), _) if top.value == stem => Setting {
            comment: format!(
                "top-dir: {} as in {}: the artifact's name without its extension, the default",
                top.value, top.from
            ),
            key: "top-dir",
            value: None,
        },
        (Some(top), _) => Setting {
            comment: format!("the archive's top directory, as in {}", top.from),
            key: "top-dir",
            value: Some(quoted(&top.value)),
        },
        (None, Some(none)) => Setting {
            comment: format!(
                "top-dir: the project's archive has no top directory (its files at the top \
                 level, {}); this tool puts them under one, {stem}, as ASF source releases do",
                none.from
            ),
            key: "top-dir",
            value: None,
        },
        (None, None) => Setting {
            comment: format!("top-dir: the default, {stem}"),
            key: "top-dir",
            value: None,
        },
    }
}

/// `dist-subdir` from the dist paths the project uses, and its value.
fn subdir_setting(facts: &ReleaseFacts, project: &Project) -> (Setting, Option<String>) {
    let tlp_area = project.tlp_area();
    let Some(area) = facts.dev_area.as_ref().or(facts.release_area.as_ref()) else {
        return (
            Setting {
                comment: format!(
                    "dist-subdir: no release script names a dist directory; the candidates go \
                     to dist/dev/{tlp_area}"
                ),
                key: "dist-subdir",
                value: None,
            },
            None,
        );
    };
    if area.value == tlp_area {
        let note = match shared_area(project.name, project.tlp(), None) {
            true => format!(", shared with the other {} projects", project.tlp()),
            false => String::new(),
        };
        return (
            Setting {
                comment: format!(
                    "dist-subdir: none, the project puts its candidates in dist/dev/{tlp_area} \
                     ({}){note}",
                    area.from
                ),
                key: "dist-subdir",
                value: None,
            },
            None,
        );
    }
    match area.value.strip_prefix(&format!("{tlp_area}/")) {
        Some(subdir) => (
            Setting {
                comment: format!(
                    "the project's own directory in dist/dev/{tlp_area} and \
                     dist/release/{tlp_area} ({}); KEYS stays in {tlp_area}",
                    area.from
                ),
                key: "dist-subdir",
                value: Some(quoted(subdir)),
            },
            Some(subdir.to_string()),
        ),
        None => (
            Setting {
                comment: format!(
                    "dist-subdir: the project uses dist/dev/{} ({}), outside dist/dev/{tlp_area}: \
                     set tlp, or svn-dev-url and svn-release-url",
                    area.value, area.from
                ),
                key: "dist-subdir",
                value: None,
            },
            None,
        ),
    }
}

/// `candidate-dir` or `release-dir` from the project's own naming, where it fits the rules.
fn dir_setting(
    found: Option<&Found>,
    key: &'static str,
    shared: bool,
    project: &Project,
) -> Setting {
    let candidate = key == "candidate-dir";
    let default = crate::config::default_dir(candidate, shared);
    let Some(found) = found else {
        return Setting {
            comment: format!("{key}: the default, {default}"),
            key,
            value: None,
        };
    };
    let value = &found.value;
    if candidate && !value.contains("{rc}") {
        return Setting {
            comment: format!(
                "{key}: the project's candidates go into {value}/ without their number ({}); \
                 this tool names them {default}, so that a second candidate never replaces the \
                 one under vote",
                found.from
            ),
            key,
            value: None,
        };
    }
    if value == default {
        return Setting {
            comment: format!(
                "{key}: {value} as the project names it ({}), the default",
                found.from
            ),
            key,
            value: None,
        };
    }
    if shared && !value.to_ascii_lowercase().contains(project.name) && !value.contains("{name}") {
        return Setting {
            comment: format!(
                "{key}: the project names it {value} ({}), in an area it shares with the other \
                 {} projects: this tool names it {default}, so that no sibling's can collide",
                found.from,
                project.tlp()
            ),
            key,
            value: None,
        };
    }
    Setting {
        comment: format!("as the project names it ({})", found.from),
        key,
        value: Some(quoted(value)),
    }
}

fn contents_settings(facts: &ReleaseFacts, project: &Project) -> Vec<Setting> {
    let mut settings = Vec::new();
    if let Some(includes) = &facts.includes {
        let mut paths = includes.value.clone();
        // The project's license-checker configuration goes along, so that a voter's `verify`
        // honours the same exclusions as the release manager's `package`.
        let mut added = Vec::new();
        for config in crate::archive::license::sources::CONFIG_FILES {
            let rooted = format!("/{config}");
            if project.repo.join(config).is_file() && !paths.contains(&rooted) {
                added.push(*config);
                paths.push(rooted);
            }
        }
        let added = match added.is_empty() {
            true => String::new(),
            false => format!(
                ", and the license-checker configuration ({}) so that `verify` honours it too",
                added.join(", ")
            ),
        };
        settings.push(Setting {
            comment: format!(
                "only these paths go into the tarball, as in {}{added}",
                includes.from
            ),
            key: "includes",
            value: Some(quoted_list(&paths)),
        });
    }
    if let Some(excludes) = &facts.excludes {
        settings.push(Setting {
            comment: format!(
                "left out of the tarball, as in {} (a name without `/` at any depth, like \
                 tar's --exclude)",
                excludes.from
            ),
            key: "excludes",
            value: Some(quoted_list(&excludes.value)),
        });
    }
    settings
}
