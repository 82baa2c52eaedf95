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

//! An npm package's release as `npm pack` makes it (Apache Cordova votes on these): the
//! archive `<name>-<version>.tgz` with everything under `package/`, holding what `files`
//! lists (and what npm always adds), or else everything but what `.npmignore` leaves out.
//! A private package (`"private": true`) is an application, not a release: nothing is read.

use camino::Utf8Path;

use super::read_text;
use super::release::{Found, ReleaseFacts};

/// What npm puts into every package whatever `files` says (README, LICENSE and the manifest;
/// npm-packlist's rules).
const ALWAYS: [&str; 5] = [
    "/package.json",
    "/README*",
    "/LICENSE*",
    "/LICENCE*",
    "/CHANGELOG*",
];

/// What npm never packs (besides `.git` and `node_modules`, which no git tree has).
const NEVER: [&str; 6] = [
    ".npmignore",
    ".gitignore",
    ".npmrc",
    "package-lock.json",
    ".DS_Store",
    "npm-debug.log",
];

pub(super) fn package(repo: &Utf8Path) -> ReleaseFacts {
    let mut facts = ReleaseFacts::default();
    let Some(text) = read_text(repo, "package.json") else {
        return facts;
    };
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(&text) else {
        return facts;
    };
    let name = manifest.get("name").and_then(|n| n.as_str());
    let private = manifest.get("private").and_then(|p| p.as_bool()) == Some(true);
    let (Some(name), false) = (name, private) else {
        return facts;
    };
    // `@scope/name` packs as `scope-name-<version>.tgz`.
    let file_name = name.trim_start_matches('@').replace('/', "-");
    let at = |key: &str| {
        let line = text
            .find(&format!("\"{key}\""))
            .map_or(1, |at| text[..at].matches('\n').count() + 1);
        format!("package.json:{line}")
    };
    facts.artifact = Some(Found {
        value: format!("{file_name}-{{version}}.tgz"),
        from: format!("{} (npm pack)", at("name")),
    });
    facts.top_dir = Some(Found {
        value: "package".into(),
        from: "npm pack".into(),
    });
    let rooted = |entry: &str| {
        format!(
            "/{}",
            entry.trim_start_matches("./").trim_start_matches('/')
        )
    };
    let listed: Option<Vec<&str>> = manifest
        .get("files")
        .and_then(|f| f.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|entry| entry.as_str())
                .filter(|entry| !entry.contains(".."))
                .collect()
        });
    let mut excludes: Vec<String> = NEVER.iter().map(|n| n.to_string()).collect();
    // `"!templates/x"` in `files` leaves that out again.
    let files = listed.map(|listed| {
        excludes.extend(
            listed
                .iter()
                .filter_map(|e| e.strip_prefix('!'))
                .map(rooted),
        );
        listed
            .iter()
            .filter(|e| !e.starts_with('!'))
            .map(|e| rooted(e))
            .collect::<Vec<String>>()
    });
    match files {
        Some(mut files) => {
            for always in ALWAYS {
                if !files.iter().any(|f| f == always) {
                    files.push(always.to_string());
                }
            }
            for key in ["main", "types"] {
                if let Some(path) = manifest.get(key).and_then(|p| p.as_str()) {
                    let rooted = format!("/{}", path.trim_start_matches("./"));
                    if !files.contains(&rooted) {
                        files.push(rooted);
                    }
                }
            }
            facts.includes = Some(Found {
                value: files,
                from: format!("{} and npm's own rules", at("files")),
            });
        }
        None => {
            let ignore = read_text(repo, ".npmignore")
                .map(|text| (text, ".npmignore"))
                .or_else(|| read_text(repo, ".gitignore").map(|text| (text, ".gitignore")));
            if let Some((text, _)) = &ignore {
                excludes.extend(
                    text.lines()
                        .map(str::trim)
                        .filter(|line| !line.is_empty() && !line.starts_with(['#', '!']))
                        .map(str::to_string),
                );
            }
        }
    }
    let from = match read_text(repo, ".npmignore") {
        Some(_) if facts.includes.is_none() => ".npmignore and npm's own rules".to_string(),
        _ => "npm's own rules".to_string(),
    };
    facts.excludes = Some(Found {
        value: excludes,
        from,
    });
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_pack_s_rules_become_the_release() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Utf8Path::from_path(dir.path()).unwrap();
        let write = |file: &str, text: &str| std::fs::write(repo.join(file), text).unwrap();
        // Apache Cordova Android: `files` and a main script.
        write(
            "package.json",
            "{\n  \"name\": \"cordova-android\",\n  \"version\": \"13.0.0\",\n  \"main\": \"lib/Api.js\",\n  \"files\": [\"bin\", \"lib\", \"templates\", \"!templates/x\"]\n}\n",
        );
        let facts = package(repo);
        assert_eq!(
            facts.artifact.map(|f| f.value).as_deref(),
            Some("cordova-android-{version}.tgz")
        );
        assert_eq!(facts.top_dir.map(|f| f.value).as_deref(), Some("package"));
        let includes = facts.includes.unwrap().value;
        assert_eq!(&includes[..3], ["/bin", "/lib", "/templates"]);
        assert!(includes.contains(&"/LICENSE*".to_string()));
        assert!(includes.contains(&"/lib/Api.js".to_string()));
        assert!(facts
            .excludes
            .unwrap()
            .value
            .contains(&"/templates/x".to_string()));
        // Without `files`: everything but `.npmignore`'s patterns.
        write(
            "package.json",
            "{ \"name\": \"@apache/x\", \"version\": \"1.0.0\" }",
        );
        write(".npmignore", "# comment\nspec/\n*.log\n");
        let facts = package(repo);
        assert_eq!(
            facts.artifact.map(|f| f.value).as_deref(),
            Some("apache-x-{version}.tgz")
        );
        assert!(facts.includes.is_none());
        let excludes = facts.excludes.unwrap().value;
        assert!(excludes.contains(&"spec/".to_string()) && excludes.contains(&"*.log".to_string()));
        // A private package is an application: no release read from it.
        write(
            "package.json",
            "{ \"name\": \"dashboard\", \"private\": true }",
        );
        assert!(package(repo).artifact.is_none());
    }
}
