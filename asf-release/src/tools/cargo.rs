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

//! `cargo`, to read a Rust project's manifests: whether an unpacked source tree loads as a
//! workspace at all (a member that `export-ignore` or an exclude dropped makes it fail).

use anyhow::Result;
use camino::Utf8Path;
use xshell::Shell;

use super::{Tool, ToolCmd};

/// `cargo metadata` prints the whole workspace; a source release's is far below this.
const METADATA_LIMIT: u64 = 64 * 1024 * 1024;

/// `cargo metadata --no-deps --offline` of `<dir>/Cargo.toml`: no network, no build script.
/// Under `cargo xtask`, the cargo that runs the xtask (`CARGO`): the project's toolchain,
/// without going through rustup's proxy again.
pub fn metadata(dir: &Utf8Path) -> ToolCmd {
    let manifest = dir.join("Cargo.toml");
    let command = ToolCmd::new(
        Tool::Cargo,
        [
            "metadata",
            "--no-deps",
            "--offline",
            "--format-version",
            "1",
            "--manifest-path",
            manifest.as_str(),
        ],
    );
    match std::env::var("CARGO") {
        Ok(cargo) if Utf8Path::new(&cargo).is_absolute() => command.program(&cargo),
        _ => command,
    }
}

/// Whether cargo loads the workspace at `dir`; `Err` with cargo's complaint when it does not
/// (untrusted: it names the candidate's paths; shown escaped by the caller).
pub fn loads(sh: &Shell, dir: &Utf8Path) -> Result<Result<(), String>> {
    Tool::Cargo.require()?;
    let output = metadata(dir).output_limited(sh, METADATA_LIMIT)?;
    if output.status.success() {
        return Ok(Ok(()));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let complaint: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(8)
        .collect();
    Ok(Err(complaint.join("\n")))
}
