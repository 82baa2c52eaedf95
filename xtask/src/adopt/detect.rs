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

use anyhow::Result;
use camino::Utf8Path;
use xshell::Shell;

use crate::tools::git;
use crate::version::Version;

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
    let name = project_name(url.as_deref(), repo);
    settings.push(Setting {
        comment: match &url {
            Some(url) => format!("from the remote {remote} ({url})"),
            None => format!("from the directory name: the repository has no remote {remote}"),
        },
        key: "name",
        value: Some(quoted(&name)),
    });
    settings.push(display_name(repo, &name));
    if let Some(head) = git::adopt::remote_head(sh, repo, remote)? {
        settings.push(Setting {
            comment: format!("the branch {remote}/HEAD points at"),
            key: "main-branch",
            value: Some(quoted(&head)),
        });
    }
    let branches = git::adopt::remote_branches(sh, repo, remote)?;
    settings.push(branch_pattern(&branches));
    let tags = git::tags(sh, repo)?;
    let (tag_settings, latest_tag) = tag_patterns(&tags);
    settings.extend(tag_settings);
    if let Some((tag, version)) = &latest_tag {
        settings.push(version_files(sh, repo, tag, version)?);
    }
    settings.push(submodules(sh, repo)?);
    settings.extend(release_script_includes(repo));
    settings.push(keys_area(sh, repo, &name)?);
    Ok(Detected {
        settings,
        latest_tag,
    })
}

/// The last part of the remote's URL (`.../apache/apisix-dashboard.git`), else the
/// directory's name, made fit for file names.
fn project_name(url: Option<&str>, repo: &Utf8Path) -> String {
    let last = url
        .and_then(|url| url.trim_end_matches('/').rsplit(['/', ':']).next())
        .or_else(|| repo.file_name())
        .unwrap_or("project");
    let last = last.strip_suffix(".git").unwrap_or(last);
    let cleaned: String = last
        .to_ascii_lowercase()
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '.' => c,
            _ => '-',
        })
        .collect();
    let cleaned = cleaned.trim_matches('-').to_string();
    if cleaned.is_empty() {
        "project".into()
    } else {
        cleaned
    }
}

/// A name as it appears in file names: `APISIX Dashboard` -> `apisix-dashboard`.
fn slug(words: &[&str]) -> String {
    words.join("-").to_ascii_lowercase()
}

/// The longest start of a title (after `Apache `) that spells the project name: from the
/// README's first heading (`# Apache APISIX API Gateway`) or NOTICE's first line.
fn display_name(repo: &Utf8Path, name: &str) -> Setting {
    let readme = ["README.md", "README.rst", "README"]
        .iter()
        .find_map(|file| Some((*file, read_text(repo, file)?)))
        .and_then(|(file, text)| {
            let title = text
                .lines()
                .find_map(|line| line.strip_prefix("# "))?
                .to_string();
            Some((file, title))
        });
    let notice = ["NOTICE", "NOTICE.txt"]
        .iter()
        .find_map(|file| Some((*file, read_text(repo, file)?)))
        .and_then(|(file, text)| Some((file, text.lines().next()?.to_string())));
    for (file, title) in readme.into_iter().chain(notice) {
        let cleaned: String = title
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace() || *c == '-' || *c == '.')
            .collect();
        let words: Vec<&str> = cleaned.split_whitespace().collect();
        let words = match words.first() {
            Some(first) if first.eq_ignore_ascii_case("apache") => &words[1..],
            _ => &words[..],
        };
        for end in (1..=words.len()).rev() {
            if slug(&words[..end]) == name {
                return Setting {
                    comment: format!("the name in mails, from the title of {file}"),
                    key: "display-name",
                    value: Some(quoted(&words[..end].join(" "))),
                };
            }
        }
    }
    Setting {
        comment: format!(
            "display-name: neither README's title nor NOTICE spells `{name}`; the default is \
             the name in title case"
        ),
        key: "display-name",
        value: None,
    }
}

/// The shape most release branches share: `release/3.18` -> `release/{major}.{minor}`,
/// `59_maintenance` -> `{major}_maintenance`.
fn branch_pattern(branches: &[String]) -> Setting {
    let two = regex::Regex::new(r"^([^0-9]*)([0-9]+)([._-])([0-9]+)([^0-9]*)$").expect("valid");
    let one = regex::Regex::new(r"^([^0-9]*)([0-9]+)([^0-9]*)$").expect("valid");
    let mut shapes: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for branch in branches {
        let shape = if let Some(c) = two.captures(branch) {
            format!("{}{{major}}{}{{minor}}{}", &c[1], &c[3], &c[5])
        } else if let Some(c) = one.captures(branch) {
            format!("{}{{major}}{}", &c[1], &c[3])
        } else {
            continue;
        };
        shapes.entry(shape).or_default().push(branch);
    }
    match shapes.into_iter().max_by_key(|(_, names)| names.len()) {
        Some((shape, names)) => Setting {
            comment: format!(
                "the shape of the remote's release branches ({})",
                names.join(", ")
            ),
            key: "branch-pattern",
            value: Some(quoted(&shape)),
        },
        None => Setting {
            comment: "branch-pattern: the remote has no release branches yet; the default is \
                      v{major}.{minor}"
                .into(),
            key: "branch-pattern",
            value: None,
        },
    }
}

/// The tag patterns of the existing tags, and the newest release tag.
fn tag_patterns(tags: &[String]) -> (Vec<Setting>, Option<(String, Version)>) {
    let shape = regex::Regex::new(r"^(.*?)([0-9]+\.[0-9]+\.[0-9]+)(.*)$").expect("valid");
    let rc = regex::Regex::new(r"^([^0-9]*)([0-9]+)$").expect("valid");
    let mut releases: std::collections::BTreeMap<String, Vec<(Version, String)>> =
        Default::default();
    let mut candidates: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for tag in tags {
        let Some(c) = shape.captures(tag) else {
            continue;
        };
        let Ok(version) = c[2].parse::<Version>() else {
            continue;
        };
        if c[3].is_empty() {
            releases
                .entry(format!("{}{{version}}", &c[1]))
                .or_default()
                .push((version, tag.clone()));
        } else if let Some(r) = rc.captures(&c[3]) {
            candidates
                .entry(format!("{}{{version}}{}{{rc}}", &c[1], &r[1]))
                .or_default()
                .push(tag.clone());
        }
    }
    let mut settings = Vec::new();
    let best = releases.into_iter().max_by_key(|(_, tags)| tags.len());
    let latest = best
        .as_ref()
        .and_then(|(_, tags)| tags.iter().max().map(|(v, t)| (t.clone(), *v)));
    settings.push(match &best {
        Some((pattern, tags)) => Setting {
            comment: format!(
                "the shape of the release tags ({} found, newest {})",
                tags.len(),
                latest.as_ref().map(|(t, _)| t.as_str()).unwrap_or("")
            ),
            key: "tag-pattern",
            value: Some(quoted(pattern)),
        },
        None => Setting {
            comment: "tag-pattern: no release tag found; the default is {version}".into(),
            key: "tag-pattern",
            value: None,
        },
    });
    let rc_best = candidates.into_iter().max_by_key(|(_, tags)| tags.len());
    settings.push(match rc_best {
        Some((pattern, tags)) => Setting {
            comment: format!("the shape of the candidate tags ({})", tags.join(", ")),
            key: "rc-tag-pattern",
            value: Some(quoted(&pattern)),
        },
        None => {
            let prefix = best
                .as_ref()
                .and_then(|(p, _)| p.strip_suffix("{version}"))
                .unwrap_or("");
            Setting {
                comment: format!(
                    "no release candidate tags found (the project has not tagged its \
                     candidates); `tag --rc` will make {prefix}{{version}}-rc{{rc}}"
                ),
                key: "rc-tag-pattern",
                value: Some(quoted(&format!("{prefix}{{version}}-rc{{rc}}"))),
            }
        }
    });
    (settings, latest)
}

/// Files that are not where a project states its version, although they repeat it.
fn is_version_noise(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    file.ends_with(".lock")
        || file.ends_with(".sum")
        || file.ends_with(".md")
        || file.ends_with(".tsv")
        || file.ends_with(".txt")
        || file.ends_with("-lock.yaml")
        || file.ends_with("-lock.json")
        || file.contains("changelog")
        || file == "go.mod"
        || path.starts_with("docs/")
        || path.contains("/test")
        || path.starts_with("test")
}

/// At most this many version files are proposed.
const MAX_VERSION_FILES: usize = 4;

/// Where the newest release's version string is stated: a `version ... = "X.Y.Z"` line, or a
/// file that holds only the version.
fn version_files(sh: &Shell, repo: &Utf8Path, tag: &str, version: &Version) -> Result<Setting> {
    let wanted = version.to_string();
    let mut paths = git::adopt::files_containing(sh, repo, tag, &wanted)?;
    paths.retain(|p| !is_version_noise(p));
    paths.sort_by_key(|p| (p.matches('/').count(), p.clone()));
    let mut found = Vec::new();
    for path in paths {
        if found.len() == MAX_VERSION_FILES {
            break;
        }
        let Some(text) = git::text_file_at(sh, repo, tag, &path).ok().flatten() else {
            continue;
        };
        if text.len() > MAX_TEXT {
            continue;
        }
        let pattern = if text.trim() == wanted {
            Some("^{version}".to_string())
        } else {
            text.lines()
                .map(str::trim)
                .find(|line| {
                    line.contains(&wanted)
                        && line.split(&wanted).next().is_some_and(|before| {
                            // `version = "`, `"version": "`, `VERSION = "`; not a
                            // dependency's `{ version = "` nor a list.
                            before.to_ascii_lowercase().contains("version")
                                && !before.contains(['{', ','])
                        })
                })
                .map(|line| {
                    let (before, after) = line.split_once(&wanted).unwrap_or((line, ""));
                    let after: String =
                        after.chars().take_while(|c| !c.is_alphanumeric()).collect();
                    let after = after.trim_end_matches(',');
                    // Anchored at the line's start: a dependency's `{ version = ".." }`
                    // elsewhere in the file must not match.
                    format!(
                        "(?m)^\\s*{}{{version}}{}",
                        regex::escape(before),
                        regex::escape(after)
                    )
                })
        };
        if let Some(pattern) = pattern {
            found.push(format!(
                "{{ path = {}, pattern = {} }}",
                quoted(&path),
                toml::Value::String(pattern)
            ));
        }
    }
    Ok(if found.is_empty() {
        Setting {
            comment: format!(
                "version-files: no file states {wanted} (the newest release, {tag}) on a \
                 version line; add the files that carry the version"
            ),
            key: "version-files",
            value: None,
        }
    } else {
        Setting {
            comment: format!(
                "where {tag} states its version `{wanted}` (checked by `package` and `verify`, \
                 written by `version bump`)"
            ),
            key: "version-files",
            value: Some(format!("[\n  {},\n]", found.join(",\n  "))),
        }
    })
}

/// Submodules are left out of the tarball, each named in a warning; say which ones.
fn submodules(sh: &Shell, repo: &Utf8Path) -> Result<Setting> {
    let mut modules: Vec<String> = Vec::new();
    if let Some(head) = git::resolve_commit(sh, repo, "HEAD")? {
        git::ls_tree(sh, repo, &head, &mut |entry| {
            if entry.mode == "160000" {
                modules.push(entry.path);
            }
            Ok(())
        })?;
    }
    Ok(if modules.is_empty() {
        Setting {
            comment: "submodules: none".into(),
            key: "submodules",
            value: None,
        }
    } else {
        Setting {
            comment: format!(
                "left out of the tarball, as the project's releases do: {}; \"refuse\" stops instead",
                modules.join(", ")
            ),
            key: "submodules",
            value: Some(quoted("skip")),
        }
    })
}

/// The paths an existing release script puts into its tarball: a `tar -c` in the Makefile or
/// in a `*release*` shell script, like APISIX's `make release-src`.
fn release_script_includes(repo: &Utf8Path) -> Option<Setting> {
    let mut scripts = vec!["Makefile".to_string()];
    for dir in ["utils", "scripts", "dev/release", "release", "build"] {
        if let Ok(entries) = repo.join(dir).read_dir_utf8() {
            for entry in entries.flatten() {
                let file = entry.file_name();
                if file.contains("release") && file.ends_with(".sh") {
                    scripts.push(format!("{dir}/{file}"));
                }
            }
        }
    }
    scripts.sort();
    for script in scripts {
        let Some(text) = read_text(repo, &script) else {
            continue;
        };
        if let Some(mut paths) = tar_inputs(&text) {
            // The project's license-checker configuration goes along, so that a voter's
            // `verify` honours the same exclusions as the release manager's `package`.
            for config in crate::archive::license::sources::CONFIG_FILES {
                let rooted = format!("/{config}");
                if repo.join(config).is_file() && !paths.contains(&rooted) {
                    paths.push(rooted);
                }
            }
            return Some(Setting {
                comment: format!(
                    "only these paths go into the tarball, as in the `tar` command of {script}, \
                     and the license-checker configuration"
                ),
                key: "includes",
                value: Some(quoted_list(&paths)),
            });
        }
    }
    None
}

/// The input paths of the first `tar -c...` command of a script (continuation lines joined),
/// as rooted patterns; `None` when there is none or it archives everything (`.`).
fn tar_inputs(script: &str) -> Option<Vec<String>> {
    let joined = script.replace("\\\n", " ");
    for line in joined.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let Some(at) = words
            .iter()
            .position(|w| w.ends_with("tar") || w.ends_with("TAR)"))
        else {
            continue;
        };
        let rest = &words[at + 1..];
        let creates = rest.first().is_some_and(|flags| {
            let flags = flags.trim_start_matches('-');
            flags.contains('c') && flags.chars().all(|c| c.is_ascii_alphabetic())
        });
        if !creates {
            continue;
        }
        let mut paths = Vec::new();
        for word in &rest[1..] {
            if word.starts_with('-')
                || word.contains('$')
                || word.ends_with(".tgz")
                || word.ends_with(".tar.gz")
            {
                continue;
            }
            if matches!(*word, ";" | "&&" | "|" | "||") || word.starts_with('#') {
                break;
            }
            let path = word.trim_start_matches("./").trim_end_matches('/');
            if path.is_empty() || path == "." {
                return None;
            }
            paths.push(format!("/{path}"));
        }
        if !paths.is_empty() {
            return Some(paths);
        }
    }
    None
}

/// Where the project's own documents say its KEYS are: dist/release only (APISIX) or next to
/// the candidates in dist/dev.
fn keys_area(sh: &Shell, repo: &Utf8Path, name: &str) -> Result<Setting> {
    let tlp = name.split('-').next().unwrap_or(name);
    let mentions = |text: &str| -> Result<bool> {
        let head = git::resolve_commit(sh, repo, "HEAD")?;
        Ok(match head {
            Some(head) => !git::adopt::files_containing(sh, repo, &head, text)?.is_empty(),
            None => false,
        })
    };
    let dev = mentions(&format!("dist/dev/{tlp}/KEYS"))?;
    // downloads.apache.org/<tlp>/KEYS is what users are told everywhere; only the dist path
    // says where release managers write.
    let release = mentions(&format!("dist/release/{tlp}/KEYS"))?;
    Ok(if release && !dev {
        Setting {
            comment: format!(
                "the project's documents name dist/release/{tlp}/KEYS and never a KEYS in dist/dev"
            ),
            key: "keys-area",
            value: Some(quoted("release")),
        }
    } else {
        Setting {
            comment: "keys-area: the KEYS in dist/dev when there is one, else the one in \
                      dist/release"
                .into(),
            key: "keys-area",
            value: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_remote() {
        let repo = Utf8Path::new("/x/checkout");
        assert_eq!(
            project_name(Some("https://github.com/apache/apisix-dashboard.git"), repo),
            "apisix-dashboard"
        );
        assert_eq!(
            project_name(Some("git@github.com:apache/OpenDAL"), repo),
            "opendal"
        );
        assert_eq!(project_name(None, repo), "checkout");
    }

    #[test]
    fn branch_and_tag_shapes_are_found() {
        let branches: Vec<String> = ["release/3.17", "release/3.18", "master"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            branch_pattern(&branches).value.as_deref(),
            Some("\"release/{major}.{minor}\"")
        );
        let arrow = ["58_maintenance", "59_maintenance"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            branch_pattern(&arrow).value.as_deref(),
            Some("\"{major}_maintenance\"")
        );
        let tags: Vec<String> = ["v0.58.1", "v0.58.2-rc.5", "v0.58.2-rc.6", "v0.58.2", "2.2"]
            .map(String::from)
            .to_vec();
        let (settings, latest) = tag_patterns(&tags);
        assert_eq!(settings[0].value.as_deref(), Some("\"v{version}\""));
        assert_eq!(settings[1].value.as_deref(), Some("\"v{version}-rc.{rc}\""));
        assert_eq!(latest.map(|(t, _)| t).as_deref(), Some("v0.58.2"));
    }

    #[test]
    fn tar_commands_of_release_scripts_become_includes() {
        let makefile = "compress-tar:\n\t$(ENV_TAR) -zcvf $(name).tgz \\\n\t./apisix \\\n\t./bin \\\n\tLICENSE \\\n\t*.md\n";
        assert_eq!(
            tar_inputs(makefile),
            Some(vec![
                "/apisix".into(),
                "/bin".into(),
                "/LICENSE".into(),
                "/*.md".into()
            ])
        );
        assert_eq!(tar_inputs("\ttar -czf out.tgz .\n"), None);
        assert_eq!(tar_inputs("tar -xzf a.tgz\n"), None);
    }
}
