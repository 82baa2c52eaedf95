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

//! Where the flow keeps the mails it writes: one place names them, for the step that writes
//! them and for every other that asks whether one was written.

use camino::Utf8PathBuf;

use crate::config::Config;
use crate::version::{Candidate, Version};

/// The three mails of the flow.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Vote,
    Result,
    Announce,
}

impl MailKind {
    /// Where the rendered mail is written: the candidate's records for the vote and its
    /// result, the release's for the announcement (see [`Config::candidate_records_dir`]).
    pub fn path(self, config: &Config, version: &Version, rc: u32) -> Utf8PathBuf {
        let candidate = Candidate {
            version: *version,
            rc,
        };
        match self {
            MailKind::Vote => config.candidate_records_dir(&candidate).join("vote.eml"),
            MailKind::Result => config.candidate_records_dir(&candidate).join("result.eml"),
            MailKind::Announce => config.release_records_dir(version).join("announce.eml"),
        }
    }

    /// Where earlier versions of the tool wrote it: among the artifacts. A mail sent from
    /// there is still sent (never twice); a new one goes to [`MailKind::path`].
    pub fn old_path(self, config: &Config, version: &Version, rc: u32) -> Utf8PathBuf {
        let new = self.path(config, version, rc);
        let name = new.file_name().unwrap_or_default();
        let candidate = Candidate {
            version: *version,
            rc,
        };
        match self {
            MailKind::Announce => config.release_artifact_dir(version).join(name),
            _ => config.candidate_artifact_dir(&candidate).join(name),
        }
    }
}
