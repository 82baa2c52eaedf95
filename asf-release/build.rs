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

//! The commit the library is built from, for `--version`: from `.cargo_vcs_info.json` when it
//! comes from crates.io (cargo records the commit it was published from), else from git when
//! this crate is the `asf-release/` folder of a checkout (a `--path` or `--git` build). Nothing
//! when neither says: a version without a commit is better than a wrong commit.

use std::path::Path;
use std::process::Command;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let dir = Path::new(&manifest_dir);
    println!("cargo:rerun-if-changed=build.rs");
    let commit = published_commit(dir).or_else(|| checkout_commit(dir));
    if let Some(commit) = commit {
        println!("cargo:rustc-env=ASF_RELEASE_COMMIT={commit}");
    }
}

fn published_commit(dir: &Path) -> Option<String> {
    let info = dir.join(".cargo_vcs_info.json");
    println!("cargo:rerun-if-changed={}", info.display());
    let text = std::fs::read_to_string(info).ok()?;
    let at = text.find("\"sha1\"")?;
    let rest = &text[at + 6..];
    let start = rest.find('"')? + 1;
    let end = start + rest[start..].find('"')?;
    let sha = &rest[start..end];
    (sha.len() >= 7 && sha.bytes().all(|b| b.is_ascii_hexdigit())).then(|| sha.to_string())
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn checkout_commit(dir: &Path) -> Option<String> {
    // Only our own checkout: the crate must be `asf-release/` at the top of the work tree
    // (a copy inside someone else's repository would show their commit).
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let expected = Path::new(&top).join("asf-release").canonicalize().ok()?;
    if dir.canonicalize().ok()? != expected {
        return None;
    }
    // Rebuilt when HEAD moves or the branch it names does.
    for path in ["HEAD", "packed-refs"] {
        if let Some(file) = git(dir, &["rev-parse", "--git-path", path]) {
            println!("cargo:rerun-if-changed={}", dir.join(file).display());
        }
    }
    if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
        if let Some(file) = git(dir, &["rev-parse", "--git-path", &branch]) {
            println!("cargo:rerun-if-changed={}", dir.join(file).display());
        }
    }
    git(dir, &["rev-parse", "HEAD"])
}
