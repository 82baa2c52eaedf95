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

use anyhow::Result;
use serde::Deserialize;

use super::{encode, errors, GitHub};

/// A release as `GET /repos/{owner}/{repo}/releases/tags/{tag}` gives it.
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
}

impl GitHub {
    /// The published release of `tag`, `None` when there is none (GitHub answers 404).
    pub fn release_by_tag(&self, tag: &str) -> Result<Option<GitHubRelease>> {
        let url = self.url(&format!("/releases/tags/{}", encode(tag)));
        let response = self.send("GET", &url, None, false)?;
        if response.status == 404 {
            return Ok(None);
        }
        let response = self.check(response, "GET", &url)?;
        Self::parse(&format!("GET {url}"), &response.body).map(Some)
    }

    /// Creates the published release of an existing tag; when the tag has one already (422
    /// `already_exists`, an interrupted earlier run), returns that one.
    pub fn create_release(&self, tag: &str, name: &str, body: &str) -> Result<GitHubRelease> {
        self.require_token("creating a GitHub release")?;
        let url = self.url("/releases");
        let request = serde_json::json!({
            "tag_name": tag, "name": name, "body": body,
            "draft": false, "prerelease": false,
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

    /// Sets the name and notes of release `id`.
    pub fn update_release(&self, id: u64, name: &str, body: &str) -> Result<GitHubRelease> {
        self.require_token("updating a GitHub release")?;
        let url = self.url(&format!("/releases/{id}"));
        let request = serde_json::json!({ "name": name, "body": body });
        // Setting the same text twice changes nothing: safe to retry.
        let response = self.send("PATCH", &url, Some(&request), true)?;
        let response = self.check(response, "PATCH", &url)?;
        Self::parse(&format!("PATCH {url}"), &response.body)
    }
}
