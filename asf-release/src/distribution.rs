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

//! The one place that reads the `dist` setting: [`of`] turns it into the route a release
//! takes, SVN dist ([`SvnDist`]) or Apache Trusted Releases ([`Atr`]), and the steps ask that
//! route what differs instead of comparing the setting themselves. A route answers each
//! question (a third route implements the trait); a method ending in `_instead` does the
//! step's work when the route has its own way, and reports whether it did: when it did not,
//! the step's own SVN work follows.

use anyhow::{bail, Result};
use camino::Utf8Path;

use crate::artifacts::Artifacts;
use crate::atr_flow::{self, Standing};
use crate::config::{Config, Dist};
use crate::tools::svn;
use crate::version::{Candidate, Version};
use crate::Ctx;

/// What differs between the routes, for the steps.
pub trait Distribution: Sync {
    /// The value of the `dist` setting that chose this route.
    fn setting(&self) -> &'static str;

    /// Whether the version is released: in dist/release on SVN (which says only that someone
    /// moved it there, not that its vote passed), in its finish phase or published on ATR
    /// (which moves a release there only after the vote was resolved as passed).
    fn released(&self, ctx: &Ctx, config: &Config, version: &Version) -> Result<bool>;

    /// Whether the license audit adds ATR's header rules: ATR checks the candidate with them,
    /// and a blocker there stops the vote.
    fn checks_atr_headers(&self) -> bool;

    /// Whether the signing key must also be linked to the project's committee on the route,
    /// which checks every `.asc` against that committee's keys only (ATR), with the account
    /// of `ATR_UID`/`ATR_TOKEN`.
    fn links_signing_keys(&self) -> bool;

    /// `upload`: stages the candidate of `dir` where the route keeps candidates itself (an ATR
    /// revision). False: the step commits it to dist/dev.
    fn upload_instead(
        &self,
        ctx: &Ctx,
        config: &Config,
        candidate: &Candidate,
        dir: &Utf8Path,
    ) -> Result<bool>;

    /// The upload step's standing where the route keeps candidates itself; `None`: the step
    /// reads dist/dev.
    fn upload_state_instead(
        &self,
        ctx: &Ctx,
        config: &Config,
        candidate: &Candidate,
    ) -> Result<Option<Standing>>;

    /// Whether the route sends the VOTE, RESULT and ANNOUNCE mails itself (ATR starts the
    /// vote, resolves it and announces), rather than the release manager with `--send`.
    fn sends_release_mails(&self) -> bool;

    /// Whether the route holds the vote and its resolution is the evidence (ATR), rather than
    /// our count of the thread (`--mbox`, `--roster`).
    fn resolves_votes(&self) -> bool;

    /// `promote`: checks that the route holds the voted files where it moves them itself
    /// (ATR, once the vote is resolved). False: the step moves the candidate to dist/release.
    /// `vote_counted_elsewhere` is whether `--vote-counted-elsewhere` was given.
    fn promote_instead(
        &self,
        ctx: &Ctx,
        config: &Config,
        candidate: &Candidate,
        vote_counted_elsewhere: bool,
    ) -> Result<bool>;

    /// Whether the files reach dist/release, and so the mirrors, only through the
    /// announcement the route makes itself (ATR): before it there is nothing to check them
    /// against, nor to wait for.
    fn publishes_on_announce(&self) -> bool;
}

/// The route of the settings.
pub fn of(config: &Config) -> &'static dyn Distribution {
    match config.dist {
        Dist::Svn => &SvnDist,
        Dist::Atr => &Atr,
    }
}

/// dist/dev and dist/release on dist.apache.org, mails sent by the release manager: the
/// steps' own work.
pub struct SvnDist;

impl Distribution for SvnDist {
    fn setting(&self) -> &'static str {
        "svn"
    }
    fn released(&self, ctx: &Ctx, config: &Config, version: &Version) -> Result<bool> {
        // Never prompting: a question about the world must not wait for a password. The
        // account from the environment, if any, is used (a repository other than the public
        // dist, the tests' svnserve among them, may refuse anonymous reads).
        let reader = svn::Credentials::from_env(None, true);
        let wanted = format!("{}/", config.release_dir_name(version));
        let listing = svn::list(&ctx.sh, &reader, &config.svn_release_url)?;
        Ok(listing.unwrap_or_default().contains(&wanted))
    }
    fn checks_atr_headers(&self) -> bool {
        false
    }
    fn links_signing_keys(&self) -> bool {
        false
    }
    fn upload_instead(&self, _: &Ctx, _: &Config, _: &Candidate, _: &Utf8Path) -> Result<bool> {
        Ok(false)
    }
    fn upload_state_instead(&self, _: &Ctx, _: &Config, _: &Candidate) -> Result<Option<Standing>> {
        Ok(None)
    }
    fn sends_release_mails(&self) -> bool {
        false
    }
    fn resolves_votes(&self) -> bool {
        false
    }
    fn promote_instead(&self, _: &Ctx, _: &Config, _: &Candidate, _: bool) -> Result<bool> {
        Ok(false)
    }
    fn publishes_on_announce(&self) -> bool {
        false
    }
}

/// Apache Trusted Releases (`dist = "atr"`): ATR stages, checks, sends the vote and
/// announces; the work is in [`crate::atr_flow`].
pub struct Atr;

impl Distribution for Atr {
    fn setting(&self) -> &'static str {
        "atr"
    }
    fn released(&self, ctx: &Ctx, config: &Config, version: &Version) -> Result<bool> {
        let release = atr_flow::release(ctx, config, version)?;
        Ok(atr_flow::vote_passed(release.as_ref()))
    }
    fn checks_atr_headers(&self) -> bool {
        true
    }
    fn links_signing_keys(&self) -> bool {
        true
    }
    fn upload_instead(
        &self,
        ctx: &Ctx,
        config: &Config,
        candidate: &Candidate,
        dir: &Utf8Path,
    ) -> Result<bool> {
        let artifacts = Artifacts::of_release(config, dir, &candidate.version)?;
        // Not while `package` rewrites the same candidate, nor beside a second upload of it.
        let _lock = (!ctx.dry_run)
            .then(|| crate::lock::acquire(dir))
            .transpose()?;
        atr_flow::upload::run(ctx, config, candidate, &artifacts)?;
        Ok(true)
    }
    fn upload_state_instead(
        &self,
        ctx: &Ctx,
        config: &Config,
        candidate: &Candidate,
    ) -> Result<Option<Standing>> {
        atr_flow::upload::state(ctx, config, candidate).map(Some)
    }
    fn sends_release_mails(&self) -> bool {
        true
    }
    fn resolves_votes(&self) -> bool {
        true
    }
    fn promote_instead(
        &self,
        ctx: &Ctx,
        config: &Config,
        candidate: &Candidate,
        vote_counted_elsewhere: bool,
    ) -> Result<bool> {
        if vote_counted_elsewhere {
            bail!(
                "on ATR (dist = \"atr\") the vote's resolution on ATR is the evidence, and ATR \
                 moves nothing without it: leave out --vote-counted-elsewhere; nothing was changed"
            );
        }
        crate::candidates::require(ctx, config, candidate)?;
        atr_flow::vote::finished(ctx, config, &candidate.version)?;
        Ok(true)
    }
    fn publishes_on_announce(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;

    fn route_of(extra: &str) -> &'static str {
        let text = format!("[workspace.metadata.asf-release]\nname = \"apisix\"\n{extra}");
        let manifest = Utf8Path::new("/repo/Cargo.toml");
        let config = crate::config::parse(Utf8Path::new("/repo"), manifest, &text).unwrap();
        of(&config).setting()
    }

    #[test]
    fn the_setting_chooses_the_route() {
        assert_eq!(route_of(""), "svn");
        assert_eq!(route_of("dist = \"svn\"\n"), "svn");
        assert_eq!(route_of("dist = \"atr\"\n"), "atr");
    }
}
