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

/// The tag patterns of the existing tags, and the newest release tag.
pub(super) fn tag_patterns(tags: &[String]) -> TagShapes {
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
    if let Some(zero) = rc_best.as_ref().and_then(|(_, tags)| first_of_zero(tags)) {
        settings.push(Setting {
            comment: format!("candidates are numbered from 0 ({zero})"),
            key: "first-rc",
            value: Some("0".into()),
        });
    }
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
    TagShapes {
        settings,
        releases: best.map(|(_, tags)| tags).unwrap_or_default(),
        latest,
    }
}

/// The first candidate tag numbered 0 (Arrow nanoarrow's `apache-arrow-nanoarrow-0.8.0-rc0`):
/// the candidate patterns end with `{rc}`, so the number is the tag's last digits.
fn first_of_zero(tags: &[(Version, String)]) -> Option<&str> {
    tags.iter().map(|(_, tag)| tag.as_str()).find(|tag| {
        let digits = tag.len() - tag.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        &tag[tag.len() - digits..] == "0"
    })
}

/// What the tags say: the pattern settings, the release tags of the current shape, the newest.
pub(super) struct TagShapes {
    pub settings: Vec<Setting>,
    pub releases: Vec<(Version, String)>,
    pub latest: Option<(String, Version)>,
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
    fn tag_shapes_are_found() {
        let tags: Vec<String> = ["v0.58.1", "v0.58.2-rc.5", "v0.58.2-rc.6", "v0.58.2", "2.2"]
            .map(String::from)
            .to_vec();
        let TagShapes {
            settings, latest, ..
        } = tag_patterns(&tags);
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
        let TagShapes {
            settings: moved,
            latest: newest,
            ..
        } = tag_patterns(&hugegraph);
        assert_eq!(moved[0].value.as_deref(), Some("\"{version}\""));
        assert_eq!(moved[1].value.as_deref(), Some("\"{version}-rc{rc}\""));
        assert_eq!(newest.map(|(t, _)| t).as_deref(), Some("1.7.0"));
        assert_eq!(settings[1].value.as_deref(), Some("\"v{version}-rc.{rc}\""));
        assert_eq!(latest.map(|(t, _)| t).as_deref(), Some("v0.58.2"));
        assert!(settings.iter().all(|s| s.key != "first-rc"));
    }

    #[test]
    fn candidates_numbered_from_zero_are_seen() {
        // Arrow nanoarrow has numbered its candidates from 0 since its first release.
        let tags: Vec<String> = [
            "apache-arrow-nanoarrow-0.7.0-rc0",
            "apache-arrow-nanoarrow-0.7.0",
            "apache-arrow-nanoarrow-0.8.0-rc0",
            "apache-arrow-nanoarrow-0.8.0-rc1",
            "apache-arrow-nanoarrow-0.8.0",
            "apache-arrow-nanoarrow-0.10.0-rc10",
        ]
        .map(String::from)
        .to_vec();
        let TagShapes { settings, .. } = tag_patterns(&tags);
        let first = settings.iter().find(|s| s.key == "first-rc").unwrap();
        assert_eq!(first.value.as_deref(), Some("0"));
        assert!(first.comment.contains("-0.7.0-rc0"), "{}", first.comment);
        let rc = settings.iter().find(|s| s.key == "rc-tag-pattern").unwrap();
        assert_eq!(
            rc.value.as_deref(),
            Some("\"apache-arrow-nanoarrow-{version}-rc{rc}\"")
        );
        // `-rc10` and `-rc00` are not a candidate 0 (the latter is no number the tool makes).
        let tags: Vec<String> = ["v1.0.0-rc10", "v1.0.0-rc00", "v1.0.0-rc1", "v1.0.0"]
            .map(String::from)
            .to_vec();
        assert!(tag_patterns(&tags)
            .settings
            .iter()
            .all(|s| s.key != "first-rc"));
    }
}
