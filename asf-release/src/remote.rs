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

//! The remote's branches and tags as the steps read them: fetched first by a real run; a dry
//! run changes nothing, not even remote-tracking refs, so it reads them as of the last fetch.

use anyhow::{Context, Result};

use crate::plan::Plan;
use crate::tools::git;
use crate::Ctx;

/// `git fetch` of `remote` as the first action of a step that reads it.
pub fn fetch(ctx: &Ctx, remote: &str) -> Result<()> {
    let mut plan = Plan::new(format!(
        "bring the branches and tags of `{remote}` up to date"
    ));
    plan.run(git::fetch(&ctx.repo, remote));
    if !plan
        .execute(&ctx.sh, ctx.dry_run)
        .with_context(|| format!("cannot fetch from remote `{remote}`: check `git remote -v`"))?
    {
        println!("  (a dry run does not fetch: what follows is the state as of the last fetch)");
    }
    Ok(())
}
