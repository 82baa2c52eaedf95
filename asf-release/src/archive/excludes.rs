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

//! Path patterns of the configuration (`excludes`, `license-header-excludes`,
//! `binary-allow`), matched like `.gitignore` lines: a pattern without `/` matches a name at any
//! depth, one with `/` matches from the repository root, and a matching directory covers
//! everything under it.

use anyhow::{Context, Result};
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

#[derive(Debug, Clone)]
pub struct Excludes {
    /// The patterns as written, for reports and for the license audit.
    patterns: Vec<String>,
    anywhere: GlobSet,
    rooted: GlobSet,
}

impl Excludes {
    /// `key` names the setting in error messages.
    pub fn new(patterns: &[String], key: &str) -> Result<Excludes> {
        let mut anywhere = GlobSetBuilder::new();
        let mut rooted = GlobSetBuilder::new();
        for pattern in patterns {
            let trimmed = pattern.trim_end_matches('/');
            let (builder, text) = match trimmed.strip_prefix('/') {
                Some(text) => (&mut rooted, text),
                None if trimmed.contains('/') => (&mut rooted, trimmed),
                None => (&mut anywhere, trimmed),
            };
            let glob = GlobBuilder::new(text)
                .literal_separator(true)
                .build()
                .with_context(|| {
                    format!("invalid pattern {pattern:?} in setting {key}: fix or remove it")
                })?;
            builder.add(glob);
        }
        Ok(Excludes {
            patterns: patterns.to_vec(),
            anywhere: anywhere.build().context("cannot build the pattern set")?,
            rooted: rooted.build().context("cannot build the pattern set")?,
        })
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Whether `path` (relative, `/`-separated) or one of its parent directories matches.
    pub fn matches(&self, path: &str) -> bool {
        let mut prefix_end = 0;
        for component in path.split('/') {
            prefix_end += if prefix_end == 0 { 0 } else { 1 } + component.len();
            if self.anywhere.is_match(component) || self.rooted.is_match(&path[..prefix_end]) {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(patterns: &[&str]) -> Excludes {
        let owned: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        Excludes::new(&owned, "excludes").unwrap()
    }

    #[test]
    fn names_match_at_any_depth_and_paths_from_the_root() {
        let excludes = set(&["*.png", "docs/internal", "/ci/**"]);
        assert!(excludes.matches("logo.png"));
        assert!(excludes.matches("web/img/logo.png"));
        assert!(excludes.matches("docs/internal/a.md"));
        assert!(!excludes.matches("x/docs/internal/a.md"));
        assert!(excludes.matches("ci/run.sh"));
        assert!(!excludes.matches("src/ci/run.sh"));
        assert!(!excludes.matches("logo.pngx"));
    }

    #[test]
    fn a_bad_pattern_names_the_setting() {
        let err = Excludes::new(&["a[".into()], "binary-allow").unwrap_err();
        assert!(format!("{err:#}").contains("setting binary-allow"));
    }
}
