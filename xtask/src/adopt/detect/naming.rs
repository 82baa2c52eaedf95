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

//! What the repository is called and how its branches and tags are shaped.

use camino::Utf8Path;

use super::{quoted, read_text, Setting};
use crate::config::title_case_word;
use crate::version::Version;

/// The last part of the remote's URL (`.../apache/apisix-dashboard.git`), else the
/// directory's name, made fit for file names.
pub(super) fn project_name(url: Option<&str>, repo: &Utf8Path) -> String {
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
pub(super) fn display_name(repo: &Utf8Path, name: &str) -> Setting {
    let readme = ["README.md", "README.rst", "README"]
        .iter()
        .find_map(|file| Some((*file, read_text(repo, file)?)))
        .and_then(|(file, text)| {
            // The license header often opens README.md inside an HTML comment, in `#` lines.
            let comments = regex::Regex::new(r"(?s)<!--.*?-->").expect("valid");
            let text = comments.replace_all(&text, "");
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
    // A title that is only the repository's slug (`# pulsar-client-go`) names no display name,
    // nor does it say how the words are cased.
    let is_slug = |title: &str| {
        let title = title.trim().trim_matches('`').to_ascii_lowercase();
        let title = title
            .strip_prefix("apache/")
            .or_else(|| title.strip_prefix("apache-"))
            .unwrap_or(&title);
        title == name
    };
    let titles: Vec<(&str, String)> = readme
        .into_iter()
        .chain(notice)
        .filter(|(_, title)| !is_slug(title))
        .collect();
    for (file, title) in &titles {
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
    // `Go Plugin Runner for Apache APISIX`: the name's words, cased as the titles write them.
    let written: Vec<&str> = titles
        .iter()
        .flat_map(|(_, title)| title.split(|c: char| !c.is_alphanumeric()))
        .collect();
    let parts: Vec<String> = name
        .split('-')
        .map(|part| {
            written
                .iter()
                .find(|word| word.eq_ignore_ascii_case(part))
                .map_or_else(|| title_case_word(part), |word| word.to_string())
        })
        .collect();
    let cased = parts
        .iter()
        .zip(name.split('-'))
        .any(|(part, plain)| *part != title_case_word(plain));
    if cased {
        return Setting {
            comment: "the name in mails: the name's words, cased as README's title and NOTICE \
                      write them"
                .into(),
            key: "display-name",
            value: Some(quoted(&parts.join(" "))),
        };
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
pub(super) fn branch_pattern(branches: &[String]) -> Setting {
    let two = regex::Regex::new(r"^([^0-9]*)([0-9]+)([._-])([0-9]+)([^0-9]*)$").expect("valid");
    let one = regex::Regex::new(r"^([^0-9]*)([0-9]+)([^0-9]*)$").expect("valid");
    // Branches named after an issue (`TEXT-30`, `feature/SANDBOX-488`) are no release lines;
    // `RELEASE-1.2` has a version, not an issue number.
    let issue = regex::Regex::new(r"(^|/)[A-Z][A-Z0-9]*-[0-9]+($|[^0-9.])").expect("valid");
    // Nor are the branches GitHub's editor (`lingsamuel-patch-1`), its "create a branch" of
    // an issue (`605-tar-prefix-apache`, `491-site`; `2-stable` may be a line) and update bots
    // make.
    let tooling = regex::Regex::new(
        r"(^[^/]+-patch-[0-9]+$)|^(dependabot|renovate|snyk)[/-]|^[0-9]+-[A-Za-z][A-Za-z0-9]*-[A-Za-z]|^[0-9]{3,}-[A-Za-z]",
    )
    .expect("valid");
    let branches: Vec<String> = branches
        .iter()
        .filter(|branch| !issue.is_match(branch) && !tooling.is_match(branch))
        .cloned()
        .collect();
    let branches = branches.as_slice();
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
    if shapes.is_empty() {
        if let Some(setting) = per_version_branches(branches) {
            return setting;
        }
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

/// The tag shape in use now: the one holding the highest version, among the shapes of two
/// tags or more (one odd tag decides nothing), then the most tags. A project that changed its
/// convention (Apache HugeGraph Toolchain: `v0.12.0`, then `1.0.0` ... `1.7.0` under the ASF)
/// goes on with the new one.
fn current_shape(
    shapes: std::collections::BTreeMap<String, Vec<(Version, String)>>,
) -> Option<(String, Vec<(Version, String)>)> {
    let several = shapes.values().any(|tags| tags.len() >= 2);
    shapes
        .into_iter()
        .filter(|(_, tags)| !several || tags.len() >= 2)
        .max_by_key(|(_, tags)| (tags.iter().map(|(version, _)| *version).max(), tags.len()))
}

/// Release branches made per version (`release/1.0.7`; a name that goes on after the version,
/// like `feat/1.4.3/ui`, is no release branch): this tool keeps one branch per line, named the
/// same way without the patch number (`release/{major}.{minor}`).
fn per_version_branches(branches: &[String]) -> Option<Setting> {
    let three =
        regex::Regex::new(r"^([^0-9]*)([0-9]+)([._-])([0-9]+)([._-])([0-9]+)$").expect("valid");
    let mut shapes: std::collections::BTreeMap<String, Vec<&str>> = Default::default();
    for branch in branches {
        if let Some(c) = three.captures(branch) {
            let shape = format!("{}{{major}}{}{{minor}}", &c[1], &c[3]);
            shapes.entry(shape).or_default().push(branch);
        }
    }
    let (shape, names) = shapes.into_iter().max_by_key(|(_, names)| names.len())?;
    let mut shown: Vec<&str> = names.iter().take(5).copied().collect();
    if names.len() > shown.len() {
        shown.push("...");
    }
    Some(Setting {
        comment: format!(
            "the remote's release branches are per version ({}); this tool keeps one branch \
             per line (X.Y), named the same way without the patch number",
            shown.join(", ")
        ),
        key: "branch-pattern",
        value: Some(quoted(&shape)),
    })
}

/// The tag patterns of the existing tags, and the newest release tag.
pub(super) fn tag_patterns(tags: &[String]) -> (Vec<Setting>, Option<(String, Version)>) {
    let shape = regex::Regex::new(r"^(.*?)([0-9]+\.[0-9]+\.[0-9]+)(.*)$").expect("valid");
    let rc = regex::Regex::new(r"^([^0-9]*)([0-9]+)$").expect("valid");
    let mut releases: std::collections::BTreeMap<String, Vec<(Version, String)>> =
        Default::default();
    let mut candidates: std::collections::BTreeMap<String, Vec<(Version, String)>> =
        Default::default();
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
                .push((version, tag.clone()));
        }
    }
    let mut settings = Vec::new();
    let best = current_shape(releases);
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
    let rc_best = current_shape(candidates);
    settings.push(match rc_best {
        Some((pattern, tags)) => Setting {
            comment: format!(
                "the shape of the candidate tags ({})",
                tags.iter()
                    .map(|(_, tag)| tag.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_come_from_the_titles_as_they_write_the_words() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Utf8Path::from_path(dir.path()).unwrap();
        let write = |file: &str, text: &str| std::fs::write(repo.join(file), text).unwrap();
        // apisix-go-plugin-runner: the license in an HTML comment, a title in another order.
        write(
            "README.md",
            "<!--\n#\n# Licensed to the Apache Software Foundation (ASF)\n-->\n\n# Go Plugin Runner for Apache APISIX\n",
        );
        write("NOTICE", "Apache APISIX\nCopyright 2021 The ASF\n");
        let found = display_name(repo, "apisix-go-plugin-runner");
        assert_eq!(found.value.as_deref(), Some("\"APISIX Go Plugin Runner\""));
        write("README.md", "<!-- license -->\n# Apache APISIX Dashboard\n");
        let found = display_name(repo, "apisix-dashboard");
        assert_eq!(found.value.as_deref(), Some("\"APISIX Dashboard\""));
        assert!(found.comment.contains("from the title of README.md"));
        // A title that is only the slug: NOTICE names the project.
        write("README.md", "# pulsar-client-go\n");
        write(
            "NOTICE",
            "Apache Pulsar Client Go\nCopyright 2019 The ASF\n",
        );
        let found = display_name(repo, "pulsar-client-go");
        assert_eq!(found.value.as_deref(), Some("\"Pulsar Client Go\""));
        assert!(found.comment.contains("from the title of NOTICE"));
        write("NOTICE", "Apache Pulsar\n");
        assert_eq!(display_name(repo, "pulsar-client-go").value, None);
        // Nothing cased differently: the default applies.
        write("README.md", "# Something else\n");
        write("NOTICE", "Apache Foo\n");
        assert_eq!(display_name(repo, "bar-baz").value, None);
    }

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
        // Apache Commons Text: branches named after JIRA issues are not release lines.
        let commons = [
            "1.2",
            "1.3",
            "TEXT-30",
            "TEXT-51",
            "TEXT-55",
            "SANDBOX-488",
            "master",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            branch_pattern(&commons).value.as_deref(),
            Some("\"{major}.{minor}\"")
        );
        // apisix-helm-chart: a branch of GitHub's editor and one of a bot are no lines.
        let helm = [
            "lingsamuel-patch-1",
            "605-tar-prefix-apache",
            "491-site",
            "dependabot/npm_and_yarn/lodash-4.17.21",
            "apisix/1.x",
            "master",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            branch_pattern(&helm).value.as_deref(),
            Some("\"apisix/{major}.x\"")
        );
        // Apache Baremaps: issue branches beside per-version release branches.
        let baremaps = [
            "491-site",
            "849-geoparquet",
            "release-0.7.2",
            "release-0.8.2",
            "main",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            branch_pattern(&baremaps).value.as_deref(),
            Some("\"release-{major}.{minor}\"")
        );
        let stable = ["1-stable", "2-stable"].map(String::from).to_vec();
        assert_eq!(
            branch_pattern(&stable).value.as_deref(),
            Some("\"{major}-stable\"")
        );
        let upper = ["RELEASE-1.2", "RELEASE-1.3", "TEXT-217_Add_SnakeCase"]
            .map(String::from)
            .to_vec();
        assert_eq!(
            branch_pattern(&upper).value.as_deref(),
            Some("\"RELEASE-{major}.{minor}\"")
        );
        // Apache Answer (a podling) makes a branch per version.
        let answer = [
            "release/1.0.7",
            "release/1.0.8",
            "feat/1.4.3/ui",
            "dev",
            "main",
        ]
        .map(String::from)
        .to_vec();
        let per_version = branch_pattern(&answer);
        assert_eq!(
            per_version.value.as_deref(),
            Some("\"release/{major}.{minor}\"")
        );
        assert!(per_version
            .comment
            .contains("per version (release/1.0.7, release/1.0.8)"));
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
        // Apache HugeGraph Toolchain changed its convention when it came to the ASF.
        let hugegraph: Vec<String> = [
            "v0.10.0",
            "v0.11.1",
            "v0.12.0",
            "before-apache",
            "1.0.0-rc2",
            "1.0.0",
            "1.2.0",
            "1.5.0-rc1",
            "1.5.0",
            "1.7.0",
        ]
        .map(String::from)
        .to_vec();
        let (moved, newest) = tag_patterns(&hugegraph);
        assert_eq!(moved[0].value.as_deref(), Some("\"{version}\""));
        assert_eq!(moved[1].value.as_deref(), Some("\"{version}-rc{rc}\""));
        assert_eq!(newest.map(|(t, _)| t).as_deref(), Some("1.7.0"));
        assert_eq!(settings[1].value.as_deref(), Some("\"v{version}-rc.{rc}\""));
        assert_eq!(latest.map(|(t, _)| t).as_deref(), Some("v0.58.2"));
    }
}
