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

//! Pull requests the release opens against a protected release branch, and the branch's
//! protection as GitHub shows it to those who may read it.

use anyhow::Result;
use serde::Deserialize;
use serde_json::Value;

use super::{encode, BranchRef, GitHub};

/// A pull request as `GET /repos/{owner}/{repo}/pulls` lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub title: String,
    /// `open` or `closed`.
    pub state: String,
    #[serde(default)]
    pub merged_at: Option<String>,
    #[serde(default)]
    pub html_url: String,
    pub head: BranchRef,
    pub base: BranchRef,
    #[serde(default)]
    pub labels: Vec<super::Label>,
}

impl PullRequest {
    pub fn has_label(&self, name: &str) -> bool {
        // GitHub's label names ignore case: `Backport` is the label `backport`.
        self.labels
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(name))
    }

    pub fn is_open(&self) -> bool {
        self.state == "open"
    }

    pub fn is_merged(&self) -> bool {
        self.merged_at.is_some()
    }
}

/// What GitHub says of a branch's protection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protection {
    /// Pull requests with approving reviews are required: no direct push.
    Reviews,
    /// Not protected, or protected without required reviews: direct pushes go through.
    NoReviews,
    /// The token may not read it (only repository admins may), or GitHub could not be asked.
    Unreadable,
}

impl GitHub {
    /// Every pull request into `base`, open and closed.
    pub fn pulls_into(&self, base: &str) -> Result<Vec<PullRequest>> {
        self.get_all(&format!("/pulls?state=all&base={}", encode(base)))
    }

    /// Opens a pull request of `head` (a branch of the same repository) into `base`. One that
    /// is open for `head` already (GitHub's 422 "A pull request already exists", an interrupted
    /// earlier run) is returned as found.
    pub fn open_pull(
        &self,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
    ) -> Result<PullRequest> {
        self.require_token("opening a pull request")?;
        let url = self.url("/pulls");
        let request = serde_json::json!({
            "title": title, "head": head, "base": base, "body": body,
            "maintainer_can_modify": true,
        });
        let response = self.send("POST", &url, Some(&request), false)?;
        if response.status == 422 && response.body.contains("already exists") {
            let open = self
                .pulls_into(base)?
                .into_iter()
                .find(|pull| pull.head.name == head && pull.is_open());
            if let Some(found) = open {
                return Ok(found);
            }
        }
        let response = self.check(response, "POST", &url)?;
        Self::parse(&format!("POST {url}"), &response.body)
    }

    /// Whether `branch` requires reviewed pull requests, as far as the token may tell:
    /// `GET /branches/{branch}/protection` is for admins; GitHub answers 404 "Branch not
    /// protected" for an unprotected branch, a plain 404 or 403 to others.
    pub fn branch_protection(&self, branch: &str) -> Protection {
        if !self.has_token() {
            return Protection::Unreadable;
        }
        let url = self.url(&format!("/branches/{}/protection", encode(branch)));
        let Ok(response) = self.send("GET", &url, None, true) else {
            return Protection::Unreadable;
        };
        match response.status {
            200 => {
                let json: Value = serde_json::from_str(&response.body).unwrap_or_default();
                match json.get("required_pull_request_reviews") {
                    Some(reviews) if !reviews.is_null() => Protection::Reviews,
                    _ => Protection::NoReviews,
                }
            }
            404 if response.body.contains("Branch not protected") => Protection::NoReviews,
            _ => Protection::Unreadable,
        }
    }
}
