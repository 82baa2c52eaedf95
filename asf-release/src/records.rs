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

//! Where the flow keeps its own files about a candidate or a release: the mails it writes,
//! ATR's ledger, the log of `verify --build`, the markers of the manual publish steps. Each is
//! named here once, for the step that writes it and for every other that asks about it.

use camino::Utf8PathBuf;

use crate::config::Config;
use crate::version::{Candidate, Line, Version};

/// ATR's ledger of a candidate: what was sent to ATR, before and after each call.
pub fn atr_ledger(config: &Config, candidate: &Candidate) -> Utf8PathBuf {
    config.candidate_records_dir(candidate).join("atr.json")
}

/// The output of the build commands `verify --build` ran on a candidate.
pub fn verify_build_log(config: &Config, candidate: &Candidate) -> Utf8PathBuf {
    config
        .candidate_records_dir(candidate)
        .join("verify-build.log")
}

/// The DISCUSS mail of a release line, kept with its first release's records.
pub fn discuss_mail(config: &Config, line: Line) -> Utf8PathBuf {
    config
        .release_records_dir(&line.first_version())
        .join("discuss.eml")
}

/// A manual publish step the tool cannot see done from outside, remembered once it is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Marker {
    /// `downloads` saw every file of the release served where users download it.
    DownloadsServed,
    /// `report --done`: the release is entered at reporter.apache.org.
    ReporterEntered,
}

impl Marker {
    fn file_name(self) -> &'static str {
        match self {
            Marker::DownloadsServed => "downloads-served",
            Marker::ReporterEntered => "reporter-entered",
        }
    }

    /// Where the marker is written: the release's records.
    pub fn path(self, config: &Config, version: &Version) -> Utf8PathBuf {
        config.release_records_dir(version).join(self.file_name())
    }

    /// The marker of a done step, or `None`. Earlier versions of the tool wrote it to
    /// `<out-dir>/<version>`: a release in progress finds it there, and the step stays done.
    pub fn found(self, config: &Config, version: &Version) -> Option<Utf8PathBuf> {
        let old_path = config.release_artifact_dir(version).join(self.file_name());
        [self.path(config, version), old_path]
            .into_iter()
            .find(|path| path.exists())
    }
}

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

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;

    fn config_in(repo: &Utf8Path) -> Config {
        let manifest = "[workspace.metadata.asf-release]\nname = \"demo\"\n";
        crate::config::parse(repo, &repo.join("Cargo.toml"), manifest).unwrap()
    }

    #[test]
    fn names_keep_their_places() {
        let config = config_in(Utf8Path::new("/repo"));
        let candidate = Candidate {
            version: "1.0.0".parse().unwrap(),
            rc: 1,
        };
        let records = "/repo/target/asf-release/records";
        assert_eq!(
            atr_ledger(&config, &candidate),
            format!("{records}/1.0.0-rc1/atr.json")
        );
        assert_eq!(
            verify_build_log(&config, &candidate),
            format!("{records}/1.0.0-rc1/verify-build.log")
        );
        assert_eq!(
            MailKind::Vote.old_path(&config, &candidate.version, 1),
            "/repo/target/asf-release/1.0.0-rc1/vote.eml"
        );
        assert_eq!(
            Marker::ReporterEntered.path(&config, &candidate.version),
            format!("{records}/1.0.0/reporter-entered")
        );
    }

    #[test]
    fn a_marker_written_by_an_earlier_version_still_counts() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Utf8Path::from_path(dir.path()).unwrap();
        let config = config_in(repo);
        let version: Version = "1.0.0".parse().unwrap();
        let marker = Marker::DownloadsServed;
        assert_eq!(marker.found(&config, &version), None);

        let old = config.out_dir.join("1.0.0/downloads-served");
        std::fs::create_dir_all(old.parent().unwrap()).unwrap();
        std::fs::write(&old, "").unwrap();
        assert_eq!(marker.found(&config, &version), Some(old));
        assert_eq!(Marker::ReporterEntered.found(&config, &version), None);

        let new = marker.path(&config, &version);
        std::fs::create_dir_all(new.parent().unwrap()).unwrap();
        std::fs::write(&new, "").unwrap();
        assert_eq!(marker.found(&config, &version), Some(new));
    }
}
