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

//! One module per step of the release guide.

pub mod backport;
pub mod branch;
pub mod changelog;
pub mod doctor;
pub mod download_page;
pub mod downloads;
pub mod github_release;
pub mod keys;
pub mod license_audit;
pub mod mail;
pub mod milestone;
pub mod package;
pub mod promote;
pub mod prune;
pub mod report;
pub mod settings;
pub mod tag;
pub mod upload;
pub mod verify;
pub mod version_files;
pub mod vote;

use crate::flow::Step;

/// The release flow: every step, in the order of the release guide. `status` and `release`
/// ask these and nothing else; a new step is one file implementing [`Step`] and one line here.
pub const FLOW: [&dyn Step; 19] = [
    &milestone::MilestoneStep,
    &branch::BranchStep,
    &backport::BackportStep,
    &changelog::ChangelogStep,
    &version_files::VersionStep,
    &tag::TagStep { candidate: true },
    &package::PackageStep,
    &keys::KeysStep,
    &upload::UploadStep,
    &mail::MailStep(mail::MailKind::Vote),
    &vote::TallyStep,
    &mail::MailStep(mail::MailKind::Result),
    &promote::PromoteStep,
    &tag::TagStep { candidate: false },
    &download_page::DownloadPageStep,
    &github_release::GitHubReleaseStep,
    &downloads::DownloadsStep,
    &mail::MailStep(mail::MailKind::Announce),
    &report::ReportStep,
];

/// The step of the flow with this name.
pub fn named(name: &str) -> anyhow::Result<&'static dyn Step> {
    FLOW.into_iter()
        .find(|step| step.name() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = FLOW.iter().map(|step| step.name()).collect();
            anyhow::anyhow!(
                "there is no step `{name}`: the steps are {}",
                names.join(", ")
            )
        })
}
