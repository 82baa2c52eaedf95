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

//! GitHub releases: the page of a release tag with its notes. ASF releases are downloaded from
//! ASF infrastructure only, so nothing here uploads assets.
//!
//! As the API description (2022-11-28) has it: a tag in a path is a multi-segment parameter
//! (`rel/commons-lang-3.14.0` stays with its `/`); `releases/tags/{tag}` never shows a draft,
//! which only the listing does (to a token that may push); a release created for a tag GitHub
//! does not have makes that tag from `target_commitish` or the default branch; and
//! `make_latest` defaults to `"true"`.

use anyhow::Result;
use serde::Deserialize;

use super::{encode, errors, GitHub};

/// A release as the releases API gives it.
#[derive(Debug, Clone, Deserialize)]
pub struct GitHubRelease {
    pub id: u64,
    pub tag_name: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub prerelease: bool,
    /// Files attached to it (only counted: ASF releases attach none).
    #[serde(default)]
    pub assets: Vec<serde::de::IgnoredAny>,
}

/// What GitHub's `git/ref/tags/{tag}` names: the tag object (annotated tag) or the commit.
#[derive(Debug, Clone, Deserialize)]
pub struct GitObject {
    pub sha: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Deserialize)]
struct GitRef {
    object: GitObject,
}

/// A tag as a path: each segment encoded, the `/` between them kept (the description's
/// multi-segment parameter; `%2F` would name another, missing, tag).
pub fn tag_path(tag: &str) -> String {
    tag.split('/').map(encode).collect::<Vec<_>>().join("/")
}

/// The text and state a release is written with.
pub struct ReleaseText<'a> {
    pub name: &'a str,
    pub body: &'a str,
    /// Whether it is the repository's latest release (`make_latest`, as a string).
    pub latest: bool,
}

impl GitHub {
    /// The published release of `tag`, `None` when there is none (GitHub answers 404, drafts
    /// included).
    pub fn release_by_tag(&self, tag: &str) -> Result<Option<GitHubRelease>> {
        let url = self.url(&format!("/releases/tags/{}", tag_path(tag)));
        let response = self.send("GET", &url, None, false)?;
        if response.status == 404 {
            return Ok(None);
        }
        let response = self.check(response, "GET", &url)?;
        Self::parse(&format!("GET {url}"), &response.body).map(Some)
    }

    /// Every release, drafts included when the token may push.
    pub fn releases(&self) -> Result<Vec<GitHubRelease>> {
        self.get_all("/releases")
    }

    /// What GitHub's tag `tag` points at, `None` when GitHub does not have it.
    pub fn tag(&self, tag: &str) -> Result<Option<GitObject>> {
        let url = self.url(&format!("/git/ref/tags/{}", tag_path(tag)));
        let response = self.send("GET", &url, None, false)?;
        if response.status == 404 {
            return Ok(None);
        }
        let response = self.check(response, "GET", &url)?;
        let found: GitRef = Self::parse(&format!("GET {url}"), &response.body)?;
        Ok(Some(found.object))
    }

    /// Creates the published release of an existing tag (`commit` is what it points at, sent
    /// so that GitHub could never make the tag from another branch); when the tag has one
    /// already (422 `already_exists`, an interrupted earlier run), returns that one.
    pub fn create_release(
        &self,
        tag: &str,
        commit: &str,
        text: &ReleaseText,
    ) -> Result<GitHubRelease> {
        self.require_token("creating a GitHub release")?;
        let url = self.url("/releases");
        let request = serde_json::json!({
            "tag_name": tag, "target_commitish": commit, "name": text.name, "body": text.body,
            "draft": false, "prerelease": false, "make_latest": latest(text.latest),
        });
        let response = self.send("POST", &url, Some(&request), false)?;
        if response.status == 422 && errors::already_exists(&response.body) {
            if let Some(found) = self.release_by_tag(tag)? {
                return Ok(found);
            }
        }
        let response = self.check(response, "POST", &url)?;
        Self::parse(&format!("POST {url}"), &response.body)
    }

    /// Sets the name, notes and latest state of release `id`, and publishes it (a draft).
    pub fn update_release(&self, id: u64, text: &ReleaseText) -> Result<GitHubRelease> {
        self.require_token("updating a GitHub release")?;
        let url = self.url(&format!("/releases/{id}"));
        let request = serde_json::json!({
            "name": text.name, "body": text.body, "draft": false,
            "make_latest": latest(text.latest),
        });
        // Setting the same text twice changes nothing: safe to retry.
        let response = self.send("PATCH", &url, Some(&request), true)?;
        let response = self.check(response, "PATCH", &url)?;
        Self::parse(&format!("PATCH {url}"), &response.body)
    }
}

/// `make_latest` is a string in the description: `"true"`, `"false"` or `"legacy"`.
fn latest(latest: bool) -> &'static str {
    match latest {
        true => "true",
        false => "false",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_with_slashes_is_a_multi_segment_path() {
        assert_eq!(
            tag_path("rel/commons-lang-3.14.0"),
            "rel/commons-lang-3.14.0"
        );
        assert_eq!(tag_path("v1.0 beta/x#y"), "v1.0%20beta/x%23y");
    }
}
