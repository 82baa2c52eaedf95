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

//! What ATR answers, typed. Both shapes of the API are read where cheap (2025's `name`,
//! `release_name` beside 2026's `key`, `release_key`); unknown fields are ignored, since ATR
//! adds fields over time.

use serde::Deserialize;

/// The phases of a release on ATR.
pub const DRAFT: &str = "release_candidate_draft";
pub const VOTE: &str = "release_candidate";
pub const PREVIEW: &str = "release_preview";
pub const RELEASED: &str = "release";

#[derive(Debug, Clone, Deserialize)]
pub struct Release {
    #[serde(alias = "name")]
    pub key: String,
    pub phase: String,
    #[serde(default)]
    pub latest_revision_number: Option<String>,
    #[serde(default)]
    pub vote_started: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Revision {
    pub number: String,
    #[serde(default)]
    pub was_quarantined: bool,
}

/// One check result (`checks/list`).
#[derive(Debug, Clone, Deserialize)]
pub struct CheckResult {
    pub checker: String,
    pub status: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub primary_rel_path: Option<String>,
    #[serde(default)]
    pub member_rel_path: Option<String>,
}

impl CheckResult {
    /// A result that stops the vote: 2026's `blocker`, 2025's `failure` and a crashed checker.
    pub fn blocks(&self) -> bool {
        matches!(self.status.as_str(), "blocker" | "failure" | "exception")
    }

    /// A result to look at: `concern`, `suggestion`, 2025's `warning`.
    pub fn concerns(&self) -> bool {
        matches!(self.status.as_str(), "concern" | "suggestion" | "warning")
    }
}

/// One voter in ATR's tabulation.
#[derive(Debug, Clone, Deserialize)]
pub struct TabulatedVote {
    #[serde(default)]
    pub asf_uid_or_email: String,
    #[serde(default)]
    pub from_email: String,
    /// `Binding`, `Committer`, `Contributor`, `Unknown`.
    pub status: String,
    /// `Yes`, `No`, `-` (abstain), `?`.
    pub vote: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TabulationDetails {
    #[serde(default)]
    pub votes: std::collections::BTreeMap<String, TabulatedVote>,
    #[serde(default)]
    pub passed: bool,
    #[serde(default)]
    pub outcome: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Tabulation {
    pub details: TabulationDetails,
}

/// The vote task `vote/start` queued.
#[derive(Debug, Clone, Deserialize)]
pub struct Task {
    #[serde(default)]
    pub id: u64,
    #[serde(default)]
    pub status: String,
}
