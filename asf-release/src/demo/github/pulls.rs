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

//! Pull requests opened through the API and branch protection, as GitHub documents them:
//! `POST /repos/{o}/{r}/pulls` (201; 422 "Validation Failed" for a missing field or when an
//! open pull request of the same head into the same base exists), `GET /pulls` with `state`,
//! `base` and `head` filters, and `GET /branches/{branch}/protection` (admins only: others get
//! 404 "Not Found"; an unprotected branch 404 "Branch not protected"). A pull request is an
//! issue too (labels go through the issues API). Pushes refused on a protected branch are the
//! git side: a `pre-receive` hook in the bare repository answers as GitHub's GH006.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::{json, Value};

use super::serve::{message, param, Answer};
use super::{GitHubStandIn, State};

const DOCS: &str = "https://docs.github.com/rest/pulls/pulls";

fn invalid(errors: Value) -> Answer {
    let body = json!({
        "message": "Validation Failed", "errors": errors,
        "documentation_url": DOCS, "status": "422",
    });
    (422, Vec::new(), body.to_string())
}

/// `POST /pulls`
pub fn create(state: &mut State, repo: &str, body: &Value) -> Answer {
    for field in ["title", "head", "base"] {
        if body[field].as_str().is_none_or(str::is_empty) {
            return invalid(
                json!([{"resource": "PullRequest", "code": "missing_field", "field": field}]),
            );
        }
    }
    let (head, base) = (
        body["head"].as_str().unwrap_or_default(),
        body["base"].as_str().unwrap_or_default(),
    );
    let owner = repo.split('/').next().unwrap_or_default();
    let head_ref = head.split_once(':').map_or(head, |(_, name)| name);
    let duplicate = state
        .pulls
        .iter()
        .any(|p| p["state"] == "open" && p["head"]["ref"] == head_ref && p["base"]["ref"] == base);
    if duplicate {
        return invalid(json!([{
            "resource": "PullRequest", "code": "custom",
            "message": format!("A pull request already exists for {owner}:{head_ref}."),
        }]));
    }
    let number = state
        .issues
        .iter()
        .chain(&state.pulls)
        .filter_map(|item| item["number"].as_u64())
        .max()
        .unwrap_or(0)
        + 1;
    let html_url = format!("https://github.com/{repo}/pull/{number}");
    let pull = json!({
        "number": number, "title": body["title"], "body": body["body"], "state": "open",
        "merged": false, "merged_at": null, "merge_commit_sha": null,
        "head": {"ref": head_ref, "label": format!("{owner}:{head_ref}")},
        "base": {"ref": base, "label": format!("{owner}:{base}")},
        "html_url": html_url, "milestone": null, "commits": 1,
    });
    state.pulls.push(pull.clone());
    state.issues.push(json!({
        "number": number, "title": body["title"], "state": "open", "labels": [],
        "milestone": null, "created_at": "2026-01-05T00:00:00Z",
        "pull_request": {"merged_at": null, "html_url": html_url},
    }));
    (201, Vec::new(), pull.to_string())
}

/// `GET /pulls`: GitHub's filters `state` (default open), `base`, `head` (`owner:branch`).
pub fn list(state: &State, params: &[(String, String)]) -> Vec<Value> {
    let wanted = param(params, "state").unwrap_or("open");
    let base = param(params, "base");
    let head = param(params, "head").map(|h| h.split_once(':').map_or(h, |(_, name)| name));
    state
        .pulls
        .iter()
        .filter(|p| wanted == "all" || p["state"] == wanted)
        .filter(|p| base.is_none_or(|b| p["base"]["ref"] == b))
        .filter(|p| head.is_none_or(|h| p["head"]["ref"] == h))
        .map(|p| with_labels(state, p))
        .collect()
}

/// A pull request as GitHub renders it: its labels are its issue's.
pub fn with_labels(state: &State, pull: &Value) -> Value {
    let mut pull = pull.clone();
    let labels = state
        .issues
        .iter()
        .find(|i| i["number"] == pull["number"])
        .map(|i| i["labels"].clone())
        .unwrap_or_else(|| json!([]));
    pull["labels"] = labels;
    pull
}

/// `GET /branches/{branch}/protection`
pub fn protection(state: &State, branch: &str) -> Answer {
    if !state.admin {
        return message(404, "Not Found");
    }
    match state.protected.iter().any(|b| b == branch) {
        true => {
            let body = json!({
                "url": format!("https://api.github.com/branches/{branch}/protection"),
                "required_pull_request_reviews": {"required_approving_review_count": 1},
            });
            (200, Vec::new(), body.to_string())
        }
        false => message(404, "Branch not protected"),
    }
}

impl GitHubStandIn {
    /// `branch` requires approving reviews: GitHub says so to admins, and `origin` (the bare
    /// repository behind it) refuses pushes to it as GitHub does.
    pub fn protect(&self, origin: &Path, branch: &str) -> Result<()> {
        self.state().protected.push(branch.to_string());
        let hook = origin.join("hooks/pre-receive");
        let script = format!(
            "#!/bin/sh\n# GitHub's answer to a push to a protected branch.\n\
             while read old new ref; do\n  if [ \"$ref\" = \"refs/heads/{branch}\" ]; then\n    \
             echo \"error: GH006: Protected branch update failed for refs/heads/{branch}.\" >&2\n    \
             echo \"error: At least 1 approving review is required by reviewers with write access.\" >&2\n    \
             exit 1\n  fi\ndone\nexit 0\n"
        );
        std::fs::write(&hook, script)
            .with_context(|| format!("cannot write {}", hook.display()))?;
        let mut perms = std::fs::metadata(&hook)?.permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&hook, perms)?;
        Ok(())
    }

    /// The token's account is an admin of the repository (may read branch protection).
    pub fn make_admin(&self) {
        self.state().admin = true;
    }

    /// The open pull requests, as the pulls API gives them.
    pub fn open_pulls(&self) -> Vec<Value> {
        self.state()
            .pulls
            .iter()
            .filter(|p| p["state"] == "open")
            .cloned()
            .collect()
    }

    /// A reviewer merged PR `number` (its commits are on the base branch as `merge_commit`).
    pub fn merge_pull(&self, number: u64, merge_commit: &str) {
        self.finish_pull(number, Some(merge_commit));
    }

    /// A reviewer closed PR `number` without merging it.
    pub fn close_pull(&self, number: u64) {
        self.finish_pull(number, None);
    }

    fn finish_pull(&self, number: u64, merge_commit: Option<&str>) {
        let mut guard = self.state();
        let state = &mut *guard;
        let merged_at = merge_commit.map(|_| "2026-01-06T00:00:00Z");
        for pull in state.pulls.iter_mut().filter(|p| p["number"] == number) {
            pull["state"] = json!("closed");
            pull["merged"] = json!(merge_commit.is_some());
            pull["merged_at"] = json!(merged_at);
            pull["merge_commit_sha"] = json!(merge_commit);
        }
        for issue in state.issues.iter_mut().filter(|i| i["number"] == number) {
            issue["state"] = json!("closed");
            issue["pull_request"]["merged_at"] = json!(merged_at);
        }
    }
}
