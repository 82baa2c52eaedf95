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

//! What the repository is called.

use camino::Utf8Path;

use super::{quoted, read_text, Setting};
use crate::config::title_case_word;

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
    // A Maven project names itself in its pom (`Apache Tomcat Migration Tool for Jakarta EE`),
    // and its release mails use that name.
    let pom_name = read_text(repo, "pom.xml")
        .and_then(|pom| crate::stated_version::pom_own(&pom, "name"))
        .and_then(|full| Some(full.strip_prefix("Apache ")?.trim().to_string()))
        .filter(|rest| {
            !rest.is_empty()
                && rest.len() <= 100
                && rest
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | '_'))
        });
    if let Some(pom_name) = pom_name {
        return Setting {
            comment: "the name in mails, from pom.xml's <name>".into(),
            key: "display-name",
            value: Some(quoted(&pom_name)),
        };
    }
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
        // A Maven project's own name, not its parent's; a name made of properties says nothing.
        write(
            "pom.xml",
            "<project>\n  <parent>\n    <name>Apache Parent</name>\n  </parent>\n  <!-- <name>Apache Old</name> -->\n  <name>Apache Tomcat Migration Tool for Jakarta EE</name>\n</project>\n",
        );
        let found = display_name(repo, "tomcat-jakartaee-migration");
        assert_eq!(
            found.value.as_deref(),
            Some("\"Tomcat Migration Tool for Jakarta EE\"")
        );
        assert!(found.comment.contains("pom.xml"), "{}", found.comment);
        write(
            "pom.xml",
            "<project><name>${project.artifactId}</name></project>\n",
        );
        assert_eq!(display_name(repo, "pulsar-client-go").value, None);
        write("pom.xml", "<project><name>Apache</name></project>\n");
        assert_eq!(display_name(repo, "pulsar-client-go").value, None);
        std::fs::remove_file(repo.join("pom.xml")).unwrap();
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
}
