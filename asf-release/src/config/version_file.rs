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

//! A version file's setting (`{ path, pattern }`): the file it names for a version, and the
//! places in a text where its pattern finds a version.

use anyhow::{bail, Context, Result};
use regex::Regex;

use super::VersionFile;
use crate::version::Version;

const PLACEHOLDER: &str = "{version}";

/// The file a configured path names for `version`: a path may carry `{version}` itself, like
/// APISIX's `rockspec/apisix-{version}-0.rockspec`.
pub fn path_for(file: &VersionFile, version: &Version) -> String {
    file.path.replace(PLACEHOLDER, &version.to_string())
}

/// Among `paths`, the file of the newest version that has the shape of `file.path` (the one a
/// bump copies when the new version's file does not exist yet).
pub fn newest_of_shape(file: &VersionFile, paths: &[String]) -> Option<String> {
    let (prefix, suffix) = file.path.split_once(PLACEHOLDER)?;
    paths
        .iter()
        .filter_map(|path| {
            let middle = path.strip_prefix(prefix)?.strip_suffix(suffix)?;
            Some((middle.parse::<Version>().ok()?, path.clone()))
        })
        .max()
        .map(|(_, path)| path)
}

/// The regex of a configured pattern, `{version}` replaced by a group that catches any version.
pub fn compile(file: &VersionFile) -> Result<Regex> {
    let path = &file.path;
    if path.is_empty() || path.starts_with('/') || path.split('/').any(|part| part == "..") {
        bail!(
            "invalid setting version-files: path {path:?} must be relative to the repository \
             root, without `..`"
        );
    }
    if !file.pattern.contains(PLACEHOLDER) {
        bail!(
            "invalid setting version-files: the pattern {:?} of {path} has no `{PLACEHOLDER}`; \
             put it where the version stands",
            file.pattern
        );
    }
    let expression = file.pattern.replace(
        PLACEHOLDER,
        &format!("(?P<version>{})", crate::version::version_regex()),
    );
    Regex::new(&expression).with_context(|| {
        format!(
            "invalid setting version-files: the pattern {:?} of {path} is not a valid regex",
            file.pattern
        )
    })
}

/// One place where a file carries a version.
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub version: String,
}

pub fn find(regex: &Regex, text: &str) -> Vec<Found> {
    regex
        .captures_iter(text)
        .filter_map(|caps| caps.name("version"))
        .map(|m| Found {
            start: m.start(),
            end: m.end(),
            line: text[..m.start()].matches('\n').count() + 1,
            version: m.as_str().to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_need_the_placeholder_and_a_valid_regex() {
        let file = |pattern: &str| VersionFile {
            path: "VERSION".into(),
            pattern: pattern.into(),
        };
        assert!(compile(&file("version = {version}")).is_ok());
        let err = compile(&file("version = 1")).unwrap_err().to_string();
        assert!(err.contains("has no `{version}`"), "{err}");
        let err = compile(&file("({version}")).unwrap_err().to_string();
        assert!(err.contains("not a valid regex"), "{err}");
        let bad_path = VersionFile {
            path: "../x".into(),
            pattern: "{version}".into(),
        };
        assert!(compile(&bad_path).is_err());
    }

    #[test]
    fn finds_every_occurrence_with_its_line() {
        let regex = compile(&VersionFile {
            path: "a".into(),
            pattern: r#"apisix-{version}-0\.rockspec"#.into(),
        })
        .unwrap();
        let found = find(
            &regex,
            "x\napisix-2.2.0-0.rockspec\napisix-2.3.0-0.rockspec\n",
        );
        let seen: Vec<(usize, &str)> = found.iter().map(|f| (f.line, f.version.as_str())).collect();
        assert_eq!(seen, [(2, "2.2.0"), (3, "2.3.0")]);
    }
}
