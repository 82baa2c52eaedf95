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

//! The release settings of a repository, found in the repository itself: its remote, README,
//! NOTICE, branches, tags, files and release scripts. Every value comes with a comment saying
//! where it was found, so the adopter can check it.

mod changelog;
mod contents;
mod lines;
mod maven;
mod naming;
mod npm;
mod python;
mod release;
mod scripts;
mod tags;
mod tracker;

use anyhow::Result;
use camino::Utf8Path;
use xshell::Shell;

use crate::tools::git;
use crate::version::Version;
use contents::{keys_area, python_sdist_note, submodules, version_files};
use lines::{branch_pattern, main_branch, Released};
use naming::{display_name, project_name};
use tags::{tag_patterns, Tag, TagShapes};

/// The ASF license header of a file with `#` comments (TOML), for the files `adopt` writes: a
/// project's own header check would flag them otherwise.
pub const HASH_LICENSE_HEADER: &str = "\
# Licensed to the Apache Software Foundation (ASF) under one
# or more contributor license agreements.  See the NOTICE file
# distributed with this work for additional information
# regarding copyright ownership.  The ASF licenses this file
# to you under the Apache License, Version 2.0 (the
# \"License\"); you may not use this file except in compliance
# with the License.  You may obtain a copy of the License at
#
#   http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing,
# software distributed under the License is distributed on an
# \"AS IS\" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
# KIND, either express or implied.  See the License for the
# specific language governing permissions and limitations
# under the License.

";

/// One detected key: `# comment` lines, then `key = value` (a TOML value), or only the
/// comment when nothing could be detected and the default applies.
pub struct Setting {
    pub comment: String,
    pub key: &'static str,
    pub value: Option<String>,
}

/// What the repository told about itself.
pub struct Detected {
    pub settings: Vec<Setting>,
    /// The newest release tag, for the adopter's first `package` check.
    pub latest_tag: Option<(String, Version)>,
}

impl Detected {
    /// What `adopt` adds to a project that is not a Rust workspace (its xtask, and the alias
    /// file when `adopt` makes it) is no part of the project's source release: it joins the
    /// detected excludes, where the project can take it out again. An allow-list (`includes`)
    /// leaves it out already. (A Rust workspace keeps its xtask member: the released workspace
    /// must load.)
    pub fn leave_out_the_xtask(&mut self, new_alias_file: bool) {
        if self
            .settings
            .iter()
            .any(|s| s.key == "includes" && s.value.is_some())
        {
            return;
        }
        let mut added = vec!["/xtask/".to_string()];
        if new_alias_file {
            added.push("/.cargo/config.toml".to_string());
        }
        let why = "and what `cargo xtask adopt` added: the release tool is not part of the release";
        match self.settings.iter_mut().find(|s| s.key == "excludes") {
            Some(setting) => {
                let mut current: Vec<String> = setting
                    .value
                    .as_deref()
                    .and_then(|v| toml::from_str::<toml::Table>(&format!("v = {v}")).ok())
                    .and_then(|t| t.get("v").and_then(|v| v.as_array()).cloned())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect();
                current.extend(added);
                setting.value = Some(quoted_list(&current));
                setting.comment = format!("{}; {why}", setting.comment);
            }
            None => self.settings.push(Setting {
                comment: format!("left out of the tarball: {}", &why[4..]),
                key: "excludes",
                value: Some(quoted_list(&added)),
            }),
        }
    }

    /// The settings as TOML lines (keys at the top level of the section or file).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for setting in &self.settings {
            for line in setting.comment.lines() {
                out.push_str(&format!("# {line}\n"));
            }
            if let Some(value) = &setting.value {
                out.push_str(&format!("{} = {value}\n", setting.key));
            }
        }
        out
    }
}

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn quoted_list(items: &[String]) -> String {
    let items: Vec<String> = items.iter().map(|item| quoted(item)).collect();
    format!("[{}]", items.join(", "))
}

/// Files larger than this are not read for detection.
const MAX_TEXT: usize = 256 * 1024;

fn read_text(repo: &Utf8Path, path: &str) -> Option<String> {
    let path = repo.join(path);
    let meta = std::fs::symlink_metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_TEXT as u64 {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

pub fn detect(sh: &Shell, repo: &Utf8Path) -> Result<Detected> {
    let mut settings = Vec::new();
    let remote = "origin";
    let url = git::remote_url(sh, repo, remote)?;
    let found = project_name(url.as_deref(), repo);
    let from = match &url {
        Some(url) => format!("from the remote {remote} ({url})"),
        None => format!("from the directory name: the repository has no remote {remote}"),
    };
    // A podling: its repository is `incubator-<name>` and it ships a DISCLAIMER.
    let disclaimer = ["DISCLAIMER", "DISCLAIMER-WIP"]
        .into_iter()
        .find(|file| read_text(repo, file).is_some());
    let podling = found
        .strip_prefix("incubator-")
        .filter(|rest| !rest.is_empty())
        .zip(disclaimer);
    let name = podling.map_or(found.clone(), |(rest, _)| rest.to_string());
    settings.push(Setting {
        comment: match podling {
            Some(_) => format!("{from}, without the Incubator's `incubator-` prefix"),
            None => from,
        },
        key: "name",
        value: Some(quoted(&name)),
    });
    if let Some((_, disclaimer)) = podling {
        settings.push(Setting {
            comment: format!(
                "a podling: the repository is {found} and has a {disclaimer} (artifacts named \
                 -incubating, dist and KEYS under incubator/)"
            ),
            key: "incubating",
            value: Some("true".into()),
        });
    }
    settings.push(display_name(repo, &name));
    let head = git::adopt::remote_head(sh, repo, remote)?;
    let branches = git::adopt::remote_branch_tips(sh, repo, remote)?;
    let (main, main_name) = main_branch(head.as_deref(), &branches);
    settings.push(main);
    let tag_tips = git::adopt::tag_tips(sh, repo)?;
    let tags: Vec<Tag> = tag_tips
        .iter()
        .map(|tip| Tag {
            name: tip.name.clone(),
            created: tip.created,
        })
        .collect();
    // A family of tags is the project's own when the files at its newest tag state the
    // tag's version (a version file), as a release commit's do.
    let states = |tag: &str, version: &Version| {
        version_files(sh, repo, tag, version).is_ok_and(|found| found.value.is_some())
    };
    let TagShapes {
        settings: tag_settings,
        releases,
        latest: latest_tag,
    } = tag_patterns(&tags, &states);
    let newest_release = releases.iter().map(|(version, _)| *version).max();
    let main_tip = main_name.as_ref().map(|main| format!("origin/{main}"));
    let released: Vec<Released> = releases
        .iter()
        .filter_map(|(version, tag)| {
            let tip = tag_tips.iter().find(|tip| &tip.name == tag)?;
            // Counted for the newest release only: that is where the project releases now.
            let off_main = match &main_tip {
                Some(main) if Some(*version) == newest_release => {
                    git::commits_beyond(sh, repo, main, &tip.commit, lines::NEAR_MAIN + 1)
                        .ok()
                        .flatten()
                }
                _ => None,
            };
            Some(Released {
                version: *version,
                tag: tag.clone(),
                commit: tip.commit.clone(),
                time: tip.time,
                off_main,
            })
        })
        .collect();
    let ancestor = |a: &str, b: &str| git::is_ancestor(sh, repo, a, b).unwrap_or(false);
    settings.push(branch_pattern(
        &branches,
        main_name.as_deref(),
        &released,
        &ancestor,
    ));
    settings.extend(tag_settings);
    if let Some((tag, version)) = &latest_tag {
        settings.push(version_files(sh, repo, tag, version)?);
        let read = |path: &str| git::text_file_at(sh, repo, tag, path).ok().flatten();
        settings.push(changelog::changelog(version, &read));
    }
    settings.push(submodules(sh, repo)?);
    let mut facts = scripts::release_scripts(repo);
    facts.merge(maven::source_release(repo));
    settings.extend(maven::generated_notice(repo));
    // A Python sdist's or an npm package's own rules only where nothing else makes the
    // release.
    if facts.artifact.is_none() && facts.mentioned_artifact.is_none() {
        facts.merge(python::sdist(repo));
    }
    if facts.artifact.is_none() && facts.mentioned_artifact.is_none() {
        facts.merge(npm::package(repo));
    }
    let project = release::Project {
        repo,
        name: &name,
        incubating: podling.is_some(),
    };
    let release = release::settings(&facts, &project);
    let has_includes = release.iter().any(|s| s.key == "includes");
    settings.extend(release);
    if !has_includes {
        settings.extend(python_sdist_note(repo));
    }
    settings.push(keys_area(sh, repo, &name, podling.is_some())?);
    let subjects = git::adopt::recent_subjects(sh, repo, tracker::SUBJECTS_READ)?;
    settings.extend(tracker::issue_tracker(repo, &subjects));
    Ok(Detected {
        settings,
        latest_tag,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(settings: Vec<(&'static str, Option<&str>)>) -> Detected {
        Detected {
            settings: settings
                .into_iter()
                .map(|(key, value)| Setting {
                    comment: "found".into(),
                    key,
                    value: value.map(String::from),
                })
                .collect(),
            latest_tag: None,
        }
    }

    fn value(detected: &Detected, key: &str) -> Option<String> {
        detected
            .settings
            .iter()
            .find(|s| s.key == key)
            .and_then(|s| s.value.clone())
    }

    #[test]
    fn what_adopt_adds_joins_the_excludes_unless_an_allow_list_leaves_it_out() {
        let mut none = detected(vec![("name", Some("\"foo\""))]);
        none.leave_out_the_xtask(true);
        assert_eq!(
            value(&none, "excludes").as_deref(),
            Some("[\"/xtask/\", \"/.cargo/config.toml\"]")
        );

        let mut some = detected(vec![("excludes", Some("[\"*.log\", \"spec/\"]"))]);
        some.leave_out_the_xtask(false);
        assert_eq!(
            value(&some, "excludes").as_deref(),
            Some("[\"*.log\", \"spec/\", \"/xtask/\"]")
        );
        assert!(some
            .render()
            .contains("release tool is not part of the release"));

        let mut allow = detected(vec![("includes", Some("[\"/lib\"]"))]);
        allow.leave_out_the_xtask(true);
        assert_eq!(value(&allow, "excludes"), None);
    }
}
