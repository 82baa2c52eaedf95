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

//! A Maven project's source release as its build makes it: the assembly descriptor of the
//! sources (`src/assembly/src.xml`: formats, base directory, file sets), the artifact id and
//! the properties of `pom.xml`, and where the Commons Release Plugin stages candidates
//! (`commons.distSvnStagingUrl`, `commons.rc.version`). The XML is read by its tags, as far as
//! these simple documents need; nothing is run.

use std::collections::BTreeMap;

use camino::Utf8Path;

use super::release::{Found, ReleaseFacts};
use super::{read_text, Setting};

/// `text` without XML comments.
fn without_comments(text: &str) -> String {
    let comments = regex::Regex::new(r"(?s)<!--.*?-->").expect("valid");
    comments.replace_all(text, "").into_owned()
}

/// The text of every `<tag>...</tag>` in `text`, in order.
fn elements<'a>(text: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else {
            break;
        };
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

pub(super) fn first<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    elements(text, tag).first().map(|value| value.trim())
}

/// The line of the first occurrence of `needle` in `text`, for evidence.
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle)
        .map_or(1, |at| text[..at].matches('\n').count() + 1)
}

/// What `pom.xml` says about the project itself (its parent's and dependencies' ids left out).
struct Pom {
    text: String,
    artifact_id: String,
    properties: BTreeMap<String, String>,
}

impl Pom {
    fn read(repo: &Utf8Path) -> Option<Pom> {
        let text = read_text(repo, "pom.xml")?;
        let plain = without_comments(&text);
        let artifact_id = crate::stated_version::pom_own(&text, "artifactId")?;
        let pair =
            regex::Regex::new(r"<([A-Za-z0-9_.-]+)>([^<]*)</([A-Za-z0-9_.-]+)>").expect("valid");
        let mut properties = BTreeMap::new();
        for block in elements(&plain, "properties") {
            for c in pair.captures_iter(block) {
                if c[1] == c[3] {
                    properties.insert(c[1].to_string(), c[2].trim().to_string());
                }
            }
        }
        properties.insert("project.artifactId".into(), artifact_id.clone());
        properties.insert("artifactId".into(), artifact_id.clone());
        Some(Pom {
            text,
            artifact_id,
            properties,
        })
    }

    /// `${...}` put in: the project's version and release-version properties become
    /// `{version}`, the others their values; `None` when one is unknown.
    fn resolve(&self, text: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}')? + start;
            let name = &rest[start + 2..end];
            let is_version = matches!(name, "project.version" | "version" | "pom.version")
                || name.ends_with("release.version");
            if is_version {
                out.push_str("{version}");
            } else {
                let value = self.properties.get(name)?;
                if value.contains("${") {
                    out.push_str(&self.resolve(value)?);
                } else {
                    out.push_str(value);
                }
            }
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }
}

/// The assembly descriptor of the source release: the one of id `src`/`source`, or a file
/// named so, among `src/assembly/*.xml` and the descriptors `pom.xml` names.
fn source_descriptor(repo: &Utf8Path, pom: &Pom) -> Option<(String, String)> {
    let mut paths: Vec<String> = elements(&pom.text, "descriptor")
        .iter()
        .map(|path| {
            path.trim()
                .trim_start_matches("${project.basedir}/")
                .to_string()
        })
        .collect();
    if let Ok(entries) = repo.join("src/assembly").read_dir_utf8() {
        let mut found: Vec<String> = entries
            .flatten()
            .map(|entry| format!("src/assembly/{}", entry.file_name()))
            .filter(|path| path.ends_with(".xml"))
            .collect();
        found.sort();
        paths.extend(found);
    }
    let sourceish = |id: &str| matches!(id, "src" | "source" | "sources" | "source-release");
    let mut fallback = None;
    for path in paths {
        let Some(text) = read_text(repo, &path) else {
            continue;
        };
        let text = without_comments(&text);
        if first(&text, "id").is_some_and(sourceish) {
            return Some((path, text));
        }
        let file = path.rsplit('/').next().unwrap_or(&path);
        if fallback.is_none() && (file.contains("src") || file.contains("source")) {
            fallback = Some((path, text));
        }
    }
    fallback
}

/// A fileSet's directory as a rooted path (`src`, `/`), or `None` for what is not in the
/// repository (a build output under `target`).
fn rooted_directory(pom: &Pom, directory: Option<&str>) -> Option<String> {
    let directory = directory
        .unwrap_or_default()
        .replace("${project.basedir}", "")
        .replace("${basedir}", "");
    let directory = pom.resolve(&directory)?;
    let directory = directory.trim_start_matches("./").trim_matches('/');
    if directory.starts_with("target") || directory.contains('{') {
        return None;
    }
    Some(directory.to_string())
}

/// What the Maven build releases, as facts with their evidence.
pub(super) fn source_release(repo: &Utf8Path) -> ReleaseFacts {
    let mut facts = ReleaseFacts::default();
    let Some(pom) = Pom::read(repo) else {
        return facts;
    };
    staging(&pom, &mut facts);
    let Some((path, descriptor)) = source_descriptor(repo, &pom) else {
        apache_parent(&pom, &mut facts);
        return facts;
    };
    let id = first(&descriptor, "id").unwrap_or("src");
    let formats: Vec<&str> = elements(&descriptor, "format")
        .iter()
        .map(|f| f.trim())
        .collect();
    let at = |needle: &str| format!("{path}:{}", line_of(&descriptor, needle));
    for format in &formats {
        let name = format!("{}-{{version}}-{id}.{format}", pom.artifact_id);
        let found = Found {
            value: name,
            from: at("<formats>"),
        };
        match *format {
            "tar.gz" | "tgz" if facts.artifact.is_none() => facts.artifact = Some(found),
            _ => facts.formats.push(found),
        }
    }
    if let Some(base) = first(&descriptor, "baseDirectory").and_then(|b| pom.resolve(b)) {
        facts.top_dir = Some(Found {
            value: base,
            from: at("<baseDirectory>"),
        });
    } else if first(&descriptor, "includeBaseDirectory") == Some("false") {
        facts.no_top_dir = Some(Found {
            value: String::new(),
            from: at("<includeBaseDirectory>"),
        });
    } else {
        facts.top_dir = Some(Found {
            value: format!("{}-{{version}}", pom.artifact_id),
            from: format!("{path} (no baseDirectory: the final name)"),
        });
    }
    let mut includes = Vec::new();
    let mut excludes = Vec::new();
    for set in elements(&descriptor, "fileSet") {
        let Some(directory) = rooted_directory(&pom, first(set, "directory")) else {
            continue;
        };
        let under = |pattern: &str| match directory.is_empty() {
            true => format!("/{}", pattern.trim().trim_start_matches('/')),
            false => format!("/{directory}/{}", pattern.trim().trim_start_matches('/')),
        };
        let wanted = elements(set, "include");
        if wanted.is_empty() {
            includes.push(match directory.is_empty() {
                true => "/".to_string(),
                false => format!("/{directory}"),
            });
        } else {
            includes.extend(wanted.iter().map(|pattern| under(pattern)));
        }
        excludes.extend(
            elements(set, "exclude")
                .iter()
                .map(|pattern| under(pattern)),
        );
    }
    for file in elements(&descriptor, "file") {
        if let Some(source) = first(file, "source") {
            includes.push(format!("/{}", source.trim_start_matches('/')));
        }
    }
    // A file set of the whole directory takes everything; no allow-list then.
    if !includes.is_empty() && !includes.iter().any(|p| p == "/") {
        facts.includes = Some(Found {
            value: includes,
            from: at("<fileSets>"),
        });
    }
    if !excludes.is_empty() {
        facts.excludes = Some(Found {
            value: excludes,
            from: at("<fileSets>"),
        });
    }
    facts
}

/// A build on the Apache parent POM (`org.apache:apache`, `maven-parent` ...) without an
/// assembly of its own releases the parent's `source-release` assembly: a zip.
fn apache_parent(pom: &Pom, facts: &mut ReleaseFacts) {
    let plain = without_comments(&pom.text);
    let Some(parent) = elements(&plain, "parent").first().copied() else {
        return;
    };
    let group = first(parent, "groupId").unwrap_or("");
    let id = first(parent, "artifactId").unwrap_or("");
    if !group.starts_with("org.apache") || !(id == "apache" || id.ends_with("-parent")) {
        return;
    }
    facts.formats.push(Found {
        value: format!("{}-{{version}}-source-release.zip", pom.artifact_id),
        from: format!(
            "pom.xml:{}, the source-release assembly of the parent {group}:{id}",
            line_of(&pom.text, "<parent>")
        ),
    });
}

/// The `artifactId` of the `<parent>` of `text`, a pom.
pub(super) fn parent_artifact(text: &str) -> Option<String> {
    let plain = without_comments(text);
    let parent = elements(&plain, "parent").first().copied()?;
    first(parent, "artifactId").map(str::to_string)
}

/// The value of the property `name` in `<properties>` of `text`, a pom, and its line.
pub(super) fn property(text: &str, name: &str) -> Option<(String, usize)> {
    let plain = without_comments(text);
    let open = format!("<{name}>");
    let value = elements(&plain, "properties")
        .iter()
        .find_map(|block| first(block, name))?
        .to_string();
    Some((value, line_of(text, &open)))
}

/// A warning when the repository keeps no `NOTICE` but its Maven build makes one at release:
/// the Apache parent's remote resources (`apache-jar-resource-bundle`), inherited from an
/// `org.apache` parent or configured in the pom. This tool packages the git tree, whose
/// `NOTICE` every ASF source release must carry.
pub(super) fn generated_notice(repo: &Utf8Path) -> Option<Setting> {
    let pom = Pom::read(repo)?;
    let kept = ["NOTICE", "NOTICE.txt", "NOTICE.md"]
        .iter()
        .any(|name| repo.join(name).symlink_metadata().is_ok());
    if kept {
        return None;
    }
    let plain = without_comments(&pom.text);
    let from = match elements(&plain, "parent").first().copied() {
        Some(parent)
            if first(parent, "groupId").is_some_and(|g| g.starts_with("org.apache"))
                && first(parent, "artifactId")
                    .is_some_and(|id| id == "apache" || id.ends_with("-parent")) =>
        {
            format!(
                "its parent {}:{} (pom.xml:{}) inherits the Apache parent's remote resources",
                first(parent, "groupId").unwrap_or(""),
                first(parent, "artifactId").unwrap_or(""),
                line_of(&pom.text, "<parent>")
            )
        }
        _ if plain.contains("apache-jar-resource-bundle") => format!(
            "pom.xml:{} configures the remote resources apache-jar-resource-bundle",
            line_of(&pom.text, "apache-jar-resource-bundle")
        ),
        _ => return None,
    };
    Some(Setting {
        comment: format!(
            "WARNING: the repository keeps no NOTICE: its Maven build generates one at release \
             ({from}), but this tool packages the git tree, and `package` refuses a source \
             release without NOTICE: commit the NOTICE the build makes (`mvn \
             process-resources`, then target/maven-shared-archive-resources/META-INF/NOTICE) \
             at the repository's root"
        ),
        key: "notice",
        value: None,
    })
}

/// Where the Commons Release Plugin stages a candidate: `<staging url>/<version>-<rc>`. The
/// URL is `commons.distSvnStagingUrl`, which the Commons parent sets to
/// `.../dist/dev/commons/${commons.componentid}`: a component that only sets its id stages
/// there too.
fn staging(pom: &Pom, facts: &mut ReleaseFacts) {
    let at = |needle: &str| format!("pom.xml:{}", line_of(&pom.text, needle));
    let component = pom.properties.get("commons.componentid");
    let url = match (pom.properties.get("commons.distSvnStagingUrl"), component) {
        (Some(url), component) => Some((
            match component {
                Some(id) => url.replace("${commons.componentid}", id),
                None => url.clone(),
            },
            at("commons.distSvnStagingUrl"),
        )),
        (None, Some(id)) if parent_artifact(&pom.text).as_deref() == Some("commons-parent") => {
            Some((
                format!("scm:svn:https://dist.apache.org/repos/dist/dev/commons/{id}"),
                format!(
                    "{}, the Commons parent's staging URL \
                     dist/dev/commons/${{commons.componentid}}",
                    at("commons.componentid")
                ),
            ))
        }
        (None, _) => None,
    };
    let Some((url, from)) = url else {
        return;
    };
    if let Some((_, area)) = url.split_once("/dist/dev/") {
        let area = area.trim_matches('/');
        let plain = area
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'));
        if plain && !area.is_empty() && !area.contains("..") {
            facts.dev_area = Some(Found {
                value: area.to_string(),
                from,
            });
        }
    }
    if let Some(rc) = pom.properties.get("commons.rc.version") {
        let shape = rc.trim_end_matches(|c: char| c.is_ascii_digit());
        if shape.len() < rc.len() {
            facts.candidate_dir = Some(Found {
                value: format!("{{version}}-{shape}{{rc}}"),
                from: at("commons.rc.version"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commons_lang_s_source_assembly_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Utf8Path::from_path(dir.path()).unwrap();
        std::fs::create_dir_all(repo.join("src/assembly")).unwrap();
        std::fs::write(
            repo.join("pom.xml"),
            "<project>\n  <parent>\n    <artifactId>commons-parent</artifactId>\n  </parent>\n  <artifactId>commons-lang3</artifactId>\n  <version>3.20.0</version>\n  <properties>\n    <commons.release.version>3.20.0</commons.release.version>\n    <commons.rc.version>RC2</commons.rc.version>\n    <commons.distSvnStagingUrl>scm:svn:https://dist.apache.org/repos/dist/dev/commons/lang</commons.distSvnStagingUrl>\n  </properties>\n  <build><plugins><plugin><artifactId>maven-assembly-plugin</artifactId><configuration><descriptors><descriptor>src/assembly/bin.xml</descriptor><descriptor>src/assembly/src.xml</descriptor></descriptors></configuration></plugin></plugins></build>\n</project>\n",
        )
        .unwrap();
        std::fs::write(
            repo.join("src/assembly/bin.xml"),
            "<assembly><id>bin</id><formats><format>tar.gz</format></formats></assembly>",
        )
        .unwrap();
        std::fs::write(
            repo.join("src/assembly/src.xml"),
            "<!-- <id>not this</id> -->\n<assembly>\n    <id>src</id>\n    <formats>\n        <format>tar.gz</format>\n        <format>zip</format>\n    </formats>\n    <baseDirectory>${project.artifactId}-${commons.release.version}-src</baseDirectory>\n    <fileSets>\n        <fileSet>\n            <includes>\n                <include>LICENSE.txt</include>\n                <include>pom.xml</include>\n            </includes>\n        </fileSet>\n        <fileSet>\n            <directory>src</directory>\n            <excludes><exclude>site/**</exclude></excludes>\n        </fileSet>\n        <fileSet>\n            <directory>${project.build.directory}/site</directory>\n        </fileSet>\n    </fileSets>\n</assembly>\n",
        )
        .unwrap();
        let facts = source_release(repo);
        let value = |found: &Option<Found>| found.as_ref().map(|f| f.value.clone());
        assert_eq!(
            value(&facts.artifact).as_deref(),
            Some("commons-lang3-{version}-src.tar.gz")
        );
        assert_eq!(facts.formats[0].value, "commons-lang3-{version}-src.zip");
        assert_eq!(
            value(&facts.top_dir).as_deref(),
            Some("commons-lang3-{version}-src")
        );
        assert_eq!(
            facts.includes.map(|f| f.value),
            Some(vec![
                "/LICENSE.txt".into(),
                "/pom.xml".into(),
                "/src".into()
            ])
        );
        assert_eq!(
            facts.excludes.map(|f| f.value),
            Some(vec!["/src/site/**".into()])
        );
        assert_eq!(value(&facts.dev_area).as_deref(), Some("commons/lang"));
        assert_eq!(
            value(&facts.candidate_dir).as_deref(),
            Some("{version}-RC{rc}")
        );
        assert_eq!(
            facts.candidate_dir.map(|f| f.from).as_deref(),
            Some("pom.xml:9")
        );
    }

    #[test]
    fn a_commons_component_id_stages_where_the_commons_parent_says() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Utf8Path::from_path(dir.path()).unwrap();
        // Apache Commons IO: no commons.distSvnStagingUrl of its own.
        let pom = "<project>\n  <parent>\n    <groupId>org.apache.commons</groupId>\n    \
                   <artifactId>commons-parent</artifactId>\n  </parent>\n  \
                   <artifactId>commons-io</artifactId>\n  <properties>\n    \
                   <commons.componentid>io</commons.componentid>\n    \
                   <commons.rc.version>RC2</commons.rc.version>\n  </properties>\n</project>\n";
        std::fs::write(repo.join("pom.xml"), pom).unwrap();
        let facts = source_release(repo);
        let found = facts.dev_area.expect("the staging area");
        assert_eq!(found.value, "commons/io");
        assert!(
            found.from.starts_with("pom.xml:8, the Commons parent"),
            "{}",
            found.from
        );
        assert_eq!(
            facts.candidate_dir.map(|f| f.value).as_deref(),
            Some("{version}-RC{rc}")
        );
        // Another parent: its staging is not known.
        std::fs::write(
            repo.join("pom.xml"),
            pom.replace("commons-parent", "apache"),
        )
        .unwrap();
        assert!(source_release(repo).dev_area.is_none());
        // An explicit URL naming the id is resolved.
        let explicit = pom.replace(
            "  </properties>",
            "    <commons.distSvnStagingUrl>scm:svn:https://dist.apache.org/repos/dist/dev/\
             commons/${commons.componentid}</commons.distSvnStagingUrl>\n  </properties>",
        );
        std::fs::write(repo.join("pom.xml"), explicit).unwrap();
        let found = source_release(repo).dev_area.expect("the staging area");
        assert_eq!(found.value, "commons/io");
    }

    #[test]
    fn a_notice_the_apache_parent_generates_is_named_when_git_has_none() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Utf8Path::from_path(dir.path()).unwrap();
        // Apache Maven Surefire: NOTICE comes from the parent's remote resources.
        let pom = "<project>\n  <parent>\n    <groupId>org.apache.maven</groupId>\n    \
                   <artifactId>maven-parent</artifactId>\n  </parent>\n  \
                   <artifactId>surefire</artifactId>\n</project>\n";
        std::fs::write(repo.join("pom.xml"), pom).unwrap();
        let warning = generated_notice(repo).expect("a warning");
        assert!(
            warning
                .comment
                .starts_with("WARNING: the repository keeps no NOTICE")
                && warning
                    .comment
                    .contains("org.apache.maven:maven-parent (pom.xml:2)"),
            "{}",
            warning.comment
        );
        // The Apache parent itself configures the bundle.
        let own =
            "<project>\n  <groupId>org.apache</groupId>\n  <artifactId>apache</artifactId>\n  \
                   <build><plugins><plugin><configuration><resourceBundles><resourceBundle>\
                   org.apache.apache.resources:apache-jar-resource-bundle:1.5</resourceBundle>\
                   </resourceBundles></configuration></plugin></plugins></build>\n</project>\n";
        std::fs::write(repo.join("pom.xml"), own).unwrap();
        assert!(generated_notice(repo).is_some());
        // A NOTICE in git, or a build that does not generate one: nothing to say.
        std::fs::write(repo.join("NOTICE.txt"), "Apache Surefire\n").unwrap();
        assert!(generated_notice(repo).is_none());
        std::fs::remove_file(repo.join("NOTICE.txt")).unwrap();
        std::fs::write(
            repo.join("pom.xml"),
            pom.replace("org.apache.maven", "com.example"),
        )
        .unwrap();
        assert!(generated_notice(repo).is_none());
    }

    #[test]
    fn a_build_on_the_apache_parent_releases_its_source_release_zip() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Utf8Path::from_path(dir.path()).unwrap();
        // Apache Maven Resolver.
        std::fs::write(
            repo.join("pom.xml"),
            "<project>\n  <parent>\n    <groupId>org.apache.maven</groupId>\n    <artifactId>maven-parent</artifactId>\n  </parent>\n  <artifactId>maven-resolver</artifactId>\n</project>\n",
        )
        .unwrap();
        let facts = source_release(repo);
        assert!(facts.artifact.is_none());
        assert_eq!(
            facts.formats[0].value,
            "maven-resolver-{version}-source-release.zip"
        );
        assert!(facts.formats[0]
            .from
            .contains("org.apache.maven:maven-parent"));
    }
}
