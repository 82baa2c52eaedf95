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

//! The ASF third-party licensing policy (https://www.apache.org/legal/resolved.html): which
//! licenses may be in a source release, and when a third-party file counts as declared.

use super::classify::squash;

/// The categories of the ASF policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// May be included (Apache-2.0, MIT, BSD, ISC, PSF, Zlib, CC0, Unlicense ...).
    A,
    /// Binary form only, or small unmodified source files consumed as they are (MPL, EPL,
    /// CDDL); must be labelled in LICENSE.
    B,
    /// Never (GPL, LGPL, AGPL, SSPL ...).
    X,
    /// An SPDX id we do not know: a person must decide.
    Unknown,
}

pub fn category(license: &str) -> Category {
    match license {
        "Apache-2.0" | "MIT" | "BSD-2-Clause" | "BSD-3-Clause" | "ISC" | "PSF-2.0" | "Zlib"
        | "CC0-1.0" | "Unlicense" | "0BSD" | "BSL-1.0" => Category::A,
        "MPL-2.0" | "MPL-1.1" | "EPL" | "EPL-1.0" | "EPL-2.0" | "CDDL" | "CDDL-1.0"
        | "CDDL-1.1" => Category::B,
        "GPL" | "LGPL" | "AGPL-3.0" | "SSPL-1.0" => Category::X,
        _ => Category::Unknown,
    }
}

/// What a LICENSE (or NOTICE) file declares: the paths, names and projects it mentions.
pub struct Declarations {
    lower: String,
    /// Squashed names of the projects it links to (`github.com/owner/<name>`).
    projects: Vec<String>,
    /// Squashed license texts shipped in the release (`licenses/LICENSE-<project>.txt`) whose
    /// project this text names.
    bundled: Vec<String>,
}

impl Declarations {
    pub fn new(texts: &[&[u8]]) -> Declarations {
        let lower = texts
            .iter()
            .map(|t| String::from_utf8_lossy(t).to_lowercase())
            .collect::<Vec<_>>()
            .join("\n");
        let mut projects = Vec::new();
        for word in lower.split(|c: char| c.is_whitespace() || "()<>[]\"',;".contains(c)) {
            let Some(rest) = word.split_once("://").map(|(_, rest)| rest) else {
                continue;
            };
            // host/owner/name/...: the name is the project.
            if let Some(name) = rest.split('/').nth(2) {
                let name = squash(name.trim_end_matches(".git").as_bytes());
                if name.len() >= 4 && !projects.contains(&name) {
                    projects.push(name);
                }
            }
        }
        Declarations {
            lower,
            projects,
            bundled: Vec::new(),
        }
    }

    /// Takes the license texts a release ships beside its LICENSE (`(path, content)`), keeping
    /// those whose project (`LICENSE-<project>.txt`) this text names: a third-party file whose
    /// copyright statement appears in one of them is declared through it.
    pub fn add_bundled(&mut self, texts: &[(String, Vec<u8>)]) {
        for (path, text) in texts {
            let name = path.rsplit('/').next().unwrap_or(path);
            let stem = [".txt", ".md"]
                .iter()
                .find_map(|ext| name.strip_suffix(ext))
                .unwrap_or(name);
            let project = match stem.get(..7) {
                Some(prefix) if prefix.eq_ignore_ascii_case("license") => {
                    stem[7..].trim_start_matches(['-', '_', '.'])
                }
                _ => stem,
            };
            if project.len() >= 3 && self.mentions(project, false) {
                self.bundled.push(squash(text));
            }
        }
    }

    /// `needle` as a word of its own; `whole` also refuses a `/` before it (a bare file name
    /// must not match the end of another path).
    fn mentions(&self, needle: &str, whole: bool) -> bool {
        let needle = needle.to_lowercase();
        let bounded = |at: usize| {
            let before = self.lower[..at].chars().next_back();
            let after = self.lower[at + needle.len()..].chars().next();
            let edge = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '_');
            edge(before) && edge(after) && !(whole && before == Some('/'))
        };
        self.lower.match_indices(&needle).any(|(at, _)| bounded(at))
    }

    /// Whether the file at `path` (whose first bytes, squashed, are `head`) is declared: its
    /// path, its name, one of its directories or its project is named.
    pub fn declares(&self, path: &str, head: &str) -> bool {
        self.names(path)
            || self.projects.iter().any(|project| {
                head.contains(project.as_str())
                    || path
                        .split('/')
                        .any(|part| squash(part.as_bytes()) == *project)
            })
            || self.bundled_copyright(head)
    }

    /// Whether the file at `path` is named: its path, its name or one of its directories.
    fn names(&self, path: &str) -> bool {
        if self.names_file(path) {
            return true;
        }
        let mut dir = path;
        while let Some((parent, _)) = dir.rsplit_once('/') {
            if (parent.contains('/') || parent.len() >= 4) && self.mentions(parent, false) {
                return true;
            }
            dir = parent;
        }
        false
    }

    /// Whether the file itself is named, by its path or its file name (a directory named in
    /// passing is not enough to exempt a file without any license text).
    pub fn names_file(&self, path: &str) -> bool {
        if self.lower.is_empty() {
            return false;
        }
        let name = path.rsplit('/').next().unwrap_or(path);
        self.mentions(path, false)
            || (name.contains('.') && name.len() >= 5 && self.mentions(name, true))
    }

    /// The file's copyright statement, with what follows it in its head, stands in a bundled
    /// license text: the file is the project's that text belongs to.
    fn bundled_copyright(&self, head: &str) -> bool {
        const STATEMENT_CHARS: usize = 40;
        let Some(at) = head.find("copyright") else {
            return false;
        };
        let statement: String = head[at..].chars().take(STATEMENT_CHARS).collect();
        statement.chars().count() == STATEMENT_CHARS
            && self.bundled.iter().any(|text| text.contains(&statement))
    }
}

/// Why a file without license text needs none, if it does (see docs/verify.md):
/// formats without comments, key material, images in a text format, metadata written by
/// tools, and data of test fixtures.
pub fn needs_no_license(path: &str, head: &[u8]) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| lower.ends_with(s));
    if ends(&[".json", ".ipynb", ".csv", ".tsv", ".map", ".patch", ".diff"]) {
        return Some("a format without comments");
    }
    if head.starts_with(b"-----BEGIN ")
        || head.starts_with(b"ssh-")
        || ends(&[".pem", ".crt", ".key", ".csr", ".pub", ".der"])
    {
        return Some("key or certificate material");
    }
    if lower.ends_with(".svg") {
        return Some("an image");
    }
    // pip's requirement files (`requirements-tests.txt`): dependency lists, like go.mod.
    let pip_requirements = lower.ends_with(".txt")
        && (lower.starts_with("requirements") || lower.starts_with("constraints"));
    if ["go.mod", "go.work", "CITATION.cff", "CODEOWNERS"].contains(&name) || pip_requirements {
        return Some("metadata written or read by tools");
    }
    let in_fixtures = path
        .split('/')
        .rev()
        .skip(1)
        .any(|dir| ["fixtures", "testdata", "test-data", "test_data"].contains(&dir));
    if in_fixtures && !super::classify::is_program(path, head) {
        return Some("data of a test fixture");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_metadata_needs_no_license_but_code_does() {
        // Apache Libcloud 3.8.0's sdist.
        for path in [
            "requirements-tests.txt",
            "docs/requirements.txt",
            "constraints.txt",
            "go.mod",
        ] {
            assert!(
                needs_no_license(path, b"requests>=2.27.1\n").is_some(),
                "{path}"
            );
        }
        for path in ["notes.txt", "requirements.py", "src/requirements_check.go"] {
            assert!(needs_no_license(path, b"x = 1\n").is_none(), "{path}");
        }
    }

    const LICENSE: &str = "   END OF TERMS AND CONDITIONS\n\nApache 2.0 licenses\n   ewma.lua file from kubernetes/ingress-nginx: https://github.com/kubernetes/ingress-nginx Apache 2.0\n   files from json.lua: https://github.com/rxi/json.lua MIT\n   pkg/gitignore/dir.go from go-git\n   web/vendor/ (MIT)\n";

    #[test]
    fn a_file_is_declared_through_the_license_text_of_its_project_shipped_beside_license() {
        const MIT: &str = "MIT License\n\nCopyright (c) 2019 Alipay.inc\n\nPermission is hereby granted, free of charge, to any person";
        let license =
            "files from ant-design-pro: https://github.com/ant-design/ant-design-pro MIT\n\
                       text at licenses/LICENSE-[project].txt\n";
        let head = squash(format!("<!--\n{MIT}\n-->\n<html>").as_bytes());
        let bundled = |name: &str| vec![(format!("licenses/{name}"), MIT.as_bytes().to_vec())];

        let mut declared = Declarations::new(&[license.as_bytes()]);
        assert!(!declared.declares("web/src/pages/document.ejs", &head));
        declared.add_bundled(&bundled("LICENSE-ant-design-pro.txt"));
        assert!(declared.declares("web/src/pages/document.ejs", &head));
        let other = squash(MIT.replace("Alipay.inc", "Someone Else").as_bytes());
        assert!(!declared.declares("web/a.js", &other), "another holder");

        let mut unnamed = Declarations::new(&[license.as_bytes()]);
        unnamed.add_bundled(&bundled("LICENSE-left-pad.txt"));
        assert!(
            !unnamed.declares("web/src/pages/document.ejs", &head),
            "a text LICENSE does not name declares nothing"
        );
    }

    #[test]
    fn only_a_file_named_itself_is_declared_without_license_text() {
        let declared = Declarations::new(&[LICENSE.as_bytes()]);
        assert!(declared.names_file("apisix/balancer/ewma.lua"));
        assert!(declared.names_file("pkg/gitignore/dir.go"));
        assert!(
            !declared.names_file("web/vendor/lib/a.js"),
            "a directory is not the file"
        );
        assert!(!declared.names_file("apisix/balancer/roundrobin.lua"));
    }

    #[test]
    fn a_file_is_declared_by_path_name_directory_or_project() {
        let declared = Declarations::new(&[LICENSE.as_bytes()]);
        assert!(declared.declares("apisix/balancer/ewma.lua", ""));
        assert!(declared.declares("pkg/gitignore/dir.go", ""));
        assert!(declared.declares("web/vendor/lib/a.js", ""));
        assert!(declared.declares("utils/json.lua", ""));
        assert!(declared.declares(
            "api/x.lua",
            "copyrightc2020rxijsonluahttpsgithubcomrxijsonlua"
        ));
        assert!(!declared.declares("src/other.go", "copyright2020someone"));
        assert!(
            !declared.declares("src/dir.go", ""),
            "a short name alone is too vague"
        );
        assert!(!Declarations::new(&[]).declares("apisix/balancer/ewma.lua", ""));
    }

    #[test]
    fn categories_follow_the_asf_policy() {
        assert_eq!(category("MIT"), Category::A);
        assert_eq!(category("MPL-2.0"), Category::B);
        assert_eq!(category("GPL"), Category::X);
        assert_eq!(category("SSPL-1.0"), Category::X);
        assert_eq!(category("unknown SPDX id"), Category::Unknown);
    }
}
