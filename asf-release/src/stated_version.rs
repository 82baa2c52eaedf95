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

//! The version a commit's build files say it is, when no `version-files` are configured: the
//! root `package.json` "version", `pom.xml`'s own `<version>`, `Cargo.toml`'s `[package]` or
//! `[workspace.package]` version and `pyproject.toml`'s `[project]` version. A file that names
//! no literal version (`version.workspace = true`, `${revision}`, a dynamic version, a private
//! npm package, the placeholder `0.0.0`) says nothing.

use anyhow::Result;

use crate::tools::git;
use crate::Ctx;

/// A build file larger than this is not read.
const MAX_BUILD_FILE: u64 = 1024 * 1024;

/// One file's statement of the version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stated {
    /// The file and the field, like `pom.xml <version>`.
    pub field: String,
    pub version: String,
}

/// The build files read, in this order.
pub const FILES: [&str; 4] = ["package.json", "pom.xml", "Cargo.toml", "pyproject.toml"];

/// What the build files of `commit` say; files that are missing, too large or unreadable say
/// nothing (they are not this check's business).
pub fn read(ctx: &Ctx, commit: &str) -> Result<Vec<Stated>> {
    let mut stated = Vec::new();
    for file in FILES {
        let Some(text) = git::small_text_file_at(&ctx.sh, &ctx.repo, commit, file, MAX_BUILD_FILE)?
        else {
            continue;
        };
        stated.extend(parse(file, &text));
    }
    Ok(stated)
}

/// What `text`, the content of the root file `file`, says.
pub fn parse(file: &str, text: &str) -> Vec<Stated> {
    // npm, Maven and TOML readers alike pass over a byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let found: Vec<(&str, String)> = match file {
        "package.json" => package_json(text).map(|v| vec![("\"version\"", v)]),
        "pom.xml" => pom(text).map(|v| vec![("<version>", v)]),
        "Cargo.toml" => Some(cargo(text)),
        "pyproject.toml" => pyproject(text).map(|v| vec![("[project] version", v)]),
        _ => None,
    }
    .unwrap_or_default();
    found
        .into_iter()
        .filter(|(_, version)| is_literal(version))
        .map(|(field, version)| Stated {
            field: format!("{file} {field}"),
            version,
        })
        .collect()
}

fn is_literal(version: &str) -> bool {
    !version.is_empty()
        && version != "0.0.0"
        && version.len() <= 100
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
        && version.starts_with(|c: char| c.is_ascii_digit())
}

fn package_json(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    // A private package is never published: its version is often a placeholder.
    if value.get("private") == Some(&serde_json::Value::Bool(true)) {
        return None;
    }
    Some(value.get("version")?.as_str()?.to_string())
}

/// The project's own `<version>`: the `<version>` child of the root element (not the
/// parent's, a dependency's, a relocation's ...), outside comments, CDATA and processing
/// instructions, as Maven reads it.
fn pom(text: &str) -> Option<String> {
    pom_own(text, "version")
}

/// The project's own `<element>` of a pom (`version`, `name`, `artifactId`): the child of the
/// root element, outside comments, CDATA and processing instructions, as Maven reads it.
pub fn pom_own(text: &str, element: &str) -> Option<String> {
    let hidden =
        regex::Regex::new(r"(?s)<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<![^>]*>").expect("valid");
    let own = hidden.replace_all(text, " ");
    let tag = regex::Regex::new(r"<(/?)([A-Za-z_][\w.:-]*)[^>]*?(/?)>").expect("valid");
    let mut depth = 0usize;
    let mut open = None;
    for caps in tag.captures_iter(&own) {
        let whole = caps.get(0)?;
        let is_wanted = &caps[2] == element;
        if &caps[1] == "/" {
            if let Some(from) = open.filter(|_| depth == 2 && is_wanted) {
                return Some(own[from..whole.start()].trim().to_string());
            }
            depth = depth.checked_sub(1)?;
        } else if &caps[3] != "/" {
            depth += 1;
            if depth == 2 && is_wanted {
                open = Some(whole.end());
            }
        }
    }
    None
}

fn cargo(text: &str) -> Vec<(&'static str, String)> {
    let Ok(table) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let string_at = |path: &[&str]| -> Option<String> {
        let mut value = table.get(path[0])?;
        for key in &path[1..] {
            value = value.get(key)?;
        }
        value.as_str().map(str::to_string)
    };
    let mut found = Vec::new();
    if let Some(version) = string_at(&["package", "version"]) {
        found.push(("[package] version", version));
    }
    if let Some(version) = string_at(&["workspace", "package", "version"]) {
        found.push(("[workspace.package] version", version));
    }
    found
}

fn pyproject(text: &str) -> Option<String> {
    let table = text.parse::<toml::Table>().ok()?;
    let project = table.get("project")?;
    Some(project.get("version")?.as_str()?.to_string())
}

/// Whether `stated` is `wanted`: spelled the same, or the same but for the `-incubating`
/// label that some files leave out.
pub fn names(stated: &str, wanted: &str) -> bool {
    let bare = |v: &str| v.strip_suffix("-incubating").unwrap_or(v).to_string();
    stated == wanted || bare(stated) == bare(wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions(file: &str, text: &str) -> Vec<String> {
        parse(file, text).into_iter().map(|s| s.version).collect()
    }

    #[test]
    fn each_build_file_says_its_own_version() {
        assert_eq!(
            versions("package.json", r#"{"name": "x", "version": "4.2.1-dev"}"#),
            ["4.2.1-dev"]
        );
        let pom = "<project><!-- <version>9</version> --><parent><version>34</version></parent>\
                   <artifactId>a</artifactId><version>2.3.0-SNAPSHOT</version><dependencies>\
                   <dependency><version>1.0</version></dependency></dependencies></project>";
        assert_eq!(versions("pom.xml", pom), ["2.3.0-SNAPSHOT"]);
        let cargo = "[package]\nname = \"x\"\nversion = \"1.0.0\"\n\
                     [workspace.package]\nversion = \"1.0.1\"\n";
        assert_eq!(versions("Cargo.toml", cargo), ["1.0.0", "1.0.1"]);
        let py = "[project]\nname = \"x\"\nversion = \"0.11.1\"\n";
        assert_eq!(versions("pyproject.toml", py), ["0.11.1"]);
    }

    #[test]
    fn a_file_without_a_literal_version_says_nothing() {
        let inherited = "[package]\nname = \"x\"\nversion.workspace = true\n";
        assert!(versions("Cargo.toml", inherited).is_empty());
        let property = "<project><artifactId>a</artifactId><version>${revision}</version>\
                        <properties><revision>1.0</revision></properties></project>";
        assert!(versions("pom.xml", property).is_empty());
        let from_parent = "<project><parent><version>3</version></parent>\
                           <artifactId>a</artifactId></project>";
        assert!(versions("pom.xml", from_parent).is_empty());
        let dynamic = "[project]\nname = \"x\"\ndynamic = [\"version\"]\n";
        assert!(versions("pyproject.toml", dynamic).is_empty());
        let private = r#"{"private": true, "version": "1.0.0"}"#;
        assert!(versions("package.json", private).is_empty());
        assert!(versions("Cargo.toml", "[package]\nversion = \"0.0.0\"\n").is_empty());
        assert!(versions("package.json", "not json").is_empty());
    }

    #[test]
    fn what_maven_and_npm_read_is_what_is_read() {
        // A <version> in CDATA or in a section of no version of the project is not its own.
        let cdata = "<project><description><![CDATA[ <version>1.2.0</version> ]]></description>\
                     <version>9.9</version></project>";
        assert_eq!(versions("pom.xml", cdata), ["9.9"]);
        let relocated = "<project><distributionManagement><relocation><version>1.2.0</version>\
                         </relocation></distributionManagement><version>9.9</version></project>";
        assert_eq!(versions("pom.xml", relocated), ["9.9"]);
        let licensed = "<project><licenses><license><version>2.0</version></license></licenses>\
                        <version>9.9</version><x><version>1</version></x></project>";
        assert_eq!(versions("pom.xml", licensed), ["9.9"]);
        // npm strips a byte order mark, and JSON.parse keeps the last of two keys.
        let bom = "\u{feff}{\"version\": \"9.9.0\"}";
        assert_eq!(versions("package.json", bom), ["9.9.0"]);
        let twice = r#"{"version": "1.2.0", "version": "9.9.0"}"#;
        assert_eq!(versions("package.json", twice), ["9.9.0"]);
        let toml_bom = "\u{feff}[project]\nversion = \"9.9\"\r\n";
        assert_eq!(versions("pyproject.toml", toml_bom), ["9.9"]);
    }

    #[test]
    fn the_incubating_label_may_be_left_out() {
        assert!(names("1.2.0", "1.2.0-incubating"));
        assert!(names("1.2.0-incubating", "1.2.0"));
        assert!(!names("1.2.0-SNAPSHOT", "1.2.0"));
        assert!(!names("1.2", "1.2.0"));
    }
}
