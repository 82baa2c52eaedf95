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

//! Which release candidates of a version exist. A candidate is made by its RC tag (`tag --rc`):
//! the VOTE mail names it, `package` builds from it, and dist/dev holds what was built from it.
//! Every step that acts on a candidate refuses one without its tag and names those that have
//! one, so `promote 1.0.0 --rc 7` never reports on an RC7 that was never made.

use anyhow::{bail, Result};

use crate::config::Config;
use crate::tools::git;
use crate::version::{Candidate, Version};
use crate::Ctx;

/// The candidate numbers of `version` tagged in this clone, in order.
pub fn tagged(ctx: &Ctx, config: &Config, version: &Version) -> Result<Vec<u32>> {
    let mut numbers: Vec<u32> = git::tags(&ctx.sh, &ctx.repo)?
        .iter()
        .filter_map(|tag| config.parse_tag(tag))
        .filter(|(tagged, _)| tagged == version)
        .filter_map(|(_, rc)| rc)
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    Ok(numbers)
}

/// `RC1, RC2`, or what to do when there is none.
pub fn describe(version: &Version, numbers: &[u32]) -> String {
    match numbers {
        [] => format!("none yet (make one with `cargo xtask tag {version} --rc`)"),
        _ => numbers
            .iter()
            .map(|n| format!("RC{n}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Refuses a candidate that was never made: no RC tag here (a tag only on the remote is
/// named, to be fetched).
pub fn require(ctx: &Ctx, config: &Config, candidate: &Candidate) -> Result<()> {
    let numbers = tagged(ctx, config, &candidate.version)?;
    if numbers.contains(&candidate.rc) {
        return Ok(());
    }
    let tag = config.candidate_tag(candidate)?;
    let remote = &config.remote;
    if git::remote_url(&ctx.sh, &ctx.repo, remote)?.is_some()
        && git::remote_ref_commit(&ctx.sh, &ctx.repo, remote, &format!("refs/tags/{tag}"))?
            .is_some()
    {
        bail!(
            "the tag {tag} of RC{} is on remote `{remote}` but not in this clone: run `git \
             fetch --tags {remote}`, then rerun; nothing was changed",
            candidate.rc
        );
    }
    bail!(
        "there is no release candidate RC{} of {version} (no tag {tag}): the candidates of \
         {version} are {}; nothing was changed",
        candidate.rc,
        describe(&candidate.version, &numbers),
        version = candidate.version
    )
}
