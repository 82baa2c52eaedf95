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

//! The release branch of a line as the steps that write to it see it: the local branch, the
//! remote's as last fetched, which of them is newer, and the actions that check it out and
//! publish it. `changelog`, `version bump` and `tag` share it, so running them one by one (CI)
//! and in `release` takes one path.

use anyhow::{bail, Result};

use crate::config::Config;
use crate::plan::Plan;
use crate::tools::git;
use crate::version::{Line, Version};
use crate::Ctx;

/// Where the release notes of a version are written, relative to the repository (`changelog`
/// writes them on the release branch, `github-release` reads them from the tag).
pub fn notes_file(version: &Version) -> String {
    format!("release-notes/{version}.md")
}

/// The ASF source header the release notes carry, as an HTML comment that Markdown does not
/// show: the notes ship in the source tarball, and longer notes need a header to pass its
/// license check.
pub const NOTES_HEADER: &str = "<!--
  Licensed to the Apache Software Foundation (ASF) under one
  or more contributor license agreements.  See the NOTICE file
  distributed with this work for additional information
  regarding copyright ownership.  The ASF licenses this file
  to you under the Apache License, Version 2.0 (the
  \"License\"); you may not use this file except in compliance
  with the License.  You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

  Unless required by applicable law or agreed to in writing,
  software distributed under the License is distributed on an
  \"AS IS\" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY
  KIND, either express or implied.  See the License for the
  specific language governing permissions and limitations
  under the License.
-->

";

/// The notes as readers see them (a GitHub release): without a leading comment, which holds
/// the license header.
pub fn notes_for_readers(text: &str) -> &str {
    match text
        .strip_prefix("<!--")
        .and_then(|rest| rest.split_once("-->"))
    {
        Some((_, after)) => after.trim_start_matches(['\n', '\r']),
        None => text,
    }
}

pub struct ReleaseBranch {
    pub name: String,
    /// The commit of the local branch.
    pub local: Option<String>,
    /// The commit of the remote-tracking branch (as of the last fetch).
    pub remote: Option<String>,
}

impl ReleaseBranch {
    pub fn find(ctx: &Ctx, config: &Config, line: Line) -> Result<ReleaseBranch> {
        let name = config.branch_name(line)?;
        let local = git::resolve_commit(&ctx.sh, &ctx.repo, &format!("refs/heads/{name}"))?;
        let remote_ref = format!("refs/remotes/{}/{name}", config.remote);
        let remote = git::resolve_commit(&ctx.sh, &ctx.repo, &remote_ref)?;
        Ok(ReleaseBranch {
            name,
            local,
            remote,
        })
    }

    pub fn exists(&self) -> bool {
        self.local.is_some() || self.remote.is_some()
    }

    /// `rev` names the local branch when there is one, else the remote's.
    fn refs(&self, config: &Config) -> Vec<String> {
        let mut refs = Vec::new();
        if self.local.is_some() {
            refs.push(format!("refs/heads/{}", self.name));
        }
        if self.remote.is_some() {
            refs.push(format!("refs/remotes/{}/{}", config.remote, self.name));
        }
        refs
    }

    /// Whether the branch, local or as last fetched from the remote (a fresh clone has only
    /// that), carries what `has` looks for in `path`.
    pub fn file_has(
        &self,
        ctx: &Ctx,
        config: &Config,
        path: &str,
        has: impl Fn(&str) -> bool,
    ) -> Result<bool> {
        for rev in self.refs(config) {
            if git::text_file_at(&ctx.sh, &ctx.repo, &rev, path)?.is_some_and(|text| has(&text)) {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Adds to `plan` what puts HEAD on the branch when it is elsewhere: a local branch made
    /// from the remote's when there is none, and the checkout. The user's uncommitted
    /// `changes` are refused (they would be carried over or lost).
    pub fn check_out(&self, ctx: &Ctx, changes: &[String], plan: &mut Plan) -> Result<()> {
        if !self.exists()
            || git::current_branch(&ctx.sh, &ctx.repo)?.as_deref() == Some(self.name.as_str())
        {
            return Ok(());
        }
        if !changes.is_empty() {
            bail!(
                "the release branch {} must be checked out, but the working tree has \
                 uncommitted changes ({}): commit or stash them, then rerun",
                self.name,
                changes.join("; ")
            );
        }
        if let (None, Some(remote)) = (&self.local, &self.remote) {
            plan.run(git::create_branch(&ctx.repo, &self.name, remote));
        }
        plan.run(git::checkout(&ctx.repo, &self.name));
        Ok(())
    }

    /// When `commit` is the tip of the local branch and the remote lacks it, adds the push of
    /// the branch (and its check) to `plan`: voters find a tagged commit on the published
    /// branch. Returns whether it did.
    pub fn publish_if_tip<'a>(
        &self,
        ctx: &'a Ctx,
        config: &Config,
        commit: &str,
        plan: &mut Plan<'a>,
    ) -> Result<bool> {
        let Some(local) = &self.local else {
            return Ok(false);
        };
        if local != commit {
            return Ok(false);
        }
        let full = format!("refs/heads/{}", self.name);
        let on_remote = git::remote_ref_commit(&ctx.sh, &ctx.repo, &config.remote, &full)?;
        if on_remote.as_deref() == Some(commit) {
            return Ok(false);
        }
        let remote = config.remote.clone();
        plan.mark_outward();
        plan.run(git::push(&ctx.repo, &remote, &self.name));
        let commit = commit.to_string();
        plan.local(
            format!("check that {remote} has {} at {commit}", self.name),
            move || git::verify_pushed(&ctx.sh, &ctx.repo, &remote, &full, &commit),
        );
        Ok(true)
    }
}

/// The subject of the commit that adds a version's CHANGELOG section.
pub fn changelog_message(config: &Config, version: &Version) -> String {
    format!("docs: CHANGELOG of {} {version}", config.display_name)
}

/// The subject of the commit of a version bump.
pub fn bump_message(version: &Version) -> String {
    format!("chore: bump version to {version}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readers_see_the_notes_without_their_license_header() {
        let notes = format!("{NOTES_HEADER}# 1.0.0\n\n- The router.\n");
        assert_eq!(notes_for_readers(&notes), "# 1.0.0\n\n- The router.\n");
        assert_eq!(notes_for_readers("# 1.0.0\n"), "# 1.0.0\n");
        // An unclosed comment is shown as it is.
        assert_eq!(notes_for_readers("<!-- # 1.0.0\n"), "<!-- # 1.0.0\n");
    }
}
