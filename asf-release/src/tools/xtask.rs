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

//! This program as a tool: `release` runs every step in a process of its own, exactly as CI
//! runs one step at a time, so a step behaves the same whoever starts it.

use anyhow::{Context, Result};
use camino::Utf8Path;

use super::{Tool, ToolCmd};

/// `xtask --repo <repo> [--dry-run] <step args...>`, started from this very binary.
pub fn step(repo: &Utf8Path, dry_run: bool, args: &[String]) -> Result<ToolCmd> {
    let exe = std::env::current_exe().context("cannot find the running xtask binary")?;
    let exe = exe
        .to_str()
        .context("the path of the xtask binary is not UTF-8")?
        .to_string();
    let mut all = vec!["--repo".to_string(), repo.to_string()];
    if dry_run {
        all.push("--dry-run".into());
    }
    all.extend(args.iter().cloned());
    Ok(ToolCmd::new(Tool::Xtask, all).program(&exe))
}
