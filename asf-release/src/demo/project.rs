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

//! The demo's fixture project: its release settings, its history on master with the PRs
//! GitHub knows, and the fix that lands on master later.

use anyhow::{Context, Result};

use super::{Sandbox, GITHUB_REPO, HEADER, LICENSE};
use crate::tools::git;

const EXTRA_ARTIFACTS: &str = r#"
# A second source tarball of the release: the Lua library alone, with LICENSE and NOTICE.
[[workspace.metadata.asf-release.extra-sources]]
artifact = "apache-{name}-lua-{version}-src.tgz"
includes = ["/LICENSE", "/NOTICE", "/lua"]

# A convenience binary, built from the unpacked sources by the project's own command.
[[workspace.metadata.asf-release.binaries]]
artifact = "apache-{name}-{version}-bin.tar.gz"
command = ["sh", "-c", "mkdir -p dist/apache-demo-bin && cp -r LICENSE NOTICE lua dist/apache-demo-bin/ && tar -czf demo-bin.tar.gz -C dist apache-demo-bin"]
path = "demo-bin.tar.gz"
"#;

fn project_manifest(sandbox: &Sandbox) -> String {
    let svn = format!("file://{}", sandbox.path("svn"));
    let downloads = &sandbox.mirror.url;
    let atr = match &sandbox.atr {
        Some(atr) => format!("dist = \"atr\"\natr-url = \"{}\"\n", atr.url),
        None => String::new(),
    };
    // The route through dist releases a second source tarball and a convenience binary; the
    // route through ATR one tarball (its tests count ATR's revisions file by file).
    // Release branches copy the protection of `release-line` (direct pushes), or of master
    // (reviewed pull requests only) in the world with protected release branches.
    let template = match sandbox.protected_release_branches() {
        true => "",
        false => "protected-branch-template = \"release-line\"\n",
    };
    let artifacts = match &sandbox.atr {
        Some(_) => "",
        None => EXTRA_ARTIFACTS,
    };
    format!(
        r#"# Licensed to the Apache Software Foundation (ASF) under one or more
# contributor license agreements. Licensed under the Apache License, Version 2.0.

[workspace]
members = []

[workspace.metadata.asf-release]
name = "demo"
display-name = "Demo"
github-repo = "{GITHUB_REPO}"
svn-dev-url = "{svn}/dev/demo"
svn-release-url = "{svn}/release/demo"
download-base-url = "{downloads}"
download-wait = "60s"
version-files = [{{ path = "lua/demo/version.lua", pattern = "return \"{{version}}\"" }}]
{template}{atr}
[workspace.metadata.asf-release.download-page]
file = "config/downloads.js"
after = "name: 'Demo'"
lines = ["version: '{{version}}',", "releaseDate: '{{date}}',"]
{artifacts}"#
    )
}

/// master takes reviewed pull requests only; `release-line` is the template of the release
/// branches of the direct-push world (kept linear, pushed to directly), while the world with
/// protected release branches copies master's protection, as Apache APISIX does.
const ASF_YAML: &str = "# The GitHub settings of the project (see the ASF's .asf.yaml docs).\n\
github:\n  description: A demo of the ASF release flow\n  protected_branches:\n    master:\n      required_pull_request_reviews:\n        required_approving_review_count: 1\n    release-line:\n      required_linear_history: true\n";

/// The project: history on master, pushed to a bare `origin`, PRs known to GitHub.
pub(super) fn make_project(sandbox: &Sandbox) -> Result<()> {
    let github = &sandbox.github;
    let origin = sandbox.path("origin.git");
    let project = sandbox.path("project");
    sandbox.run(&git::init(&origin, "master", true))?;
    sandbox.run(&git::init(&project, "master", false))?;
    sandbox.run(&git::add_remote(&project, "origin", origin.as_str()))?;
    sandbox.write("project/Cargo.toml", &project_manifest(sandbox))?;
    sandbox.write("project/.gitignore", "/target\n")?;
    sandbox.write("project/LICENSE", LICENSE)?;
    sandbox.write(
        "project/NOTICE",
        "Apache Demo\nCopyright 2026 The Apache Software Foundation\n\nThis product includes software developed at\nThe Apache Software Foundation (http://www.apache.org/).\n",
    )?;
    sandbox.write("project/.asf.yaml", ASF_YAML)?;
    sandbox.write(
        "project/README.md",
        "# Apache Demo\n\nA project to show the release flow.\n",
    )?;
    sandbox.write(
        "project/lua/demo/version.lua",
        &format!("{HEADER}return \"0.9.0\"\n"),
    )?;
    sandbox.write(
        "project/lua/demo/init.lua",
        &format!("{HEADER}return {{}}\n"),
    )?;
    sandbox.commit(&project, "chore: initial import")?;
    sandbox.write(
        "project/lua/demo/router.lua",
        &format!("{HEADER}return {{ routes = {{}} }}\n"),
    )?;
    let feature = sandbox.commit(&project, "feat: add the router (#2)")?;
    sandbox.write(
        "project/lua/demo/router.lua",
        &format!("{HEADER}return {{ routes = {{}}, empty = true }}\n"),
    )?;
    let fix = sandbox.commit(&project, "fix: accept an empty route table (#3)")?;
    sandbox.run(&git::push(&project, "origin", "master"))?;
    github.add_milestone(1, "1.0");
    github.add_issue(
        1,
        "Route matching",
        "closed",
        Some("1.0"),
        "2026-01-01T00:00:00Z",
    );
    github.add_merged_pull(
        2,
        "feat: add the router",
        &feature,
        "2026-01-02T00:00:00Z",
        &[],
        "master",
    );
    github.add_merged_pull(
        3,
        "fix: accept an empty route table",
        &fix,
        "2026-01-03T00:00:00Z",
        &[],
        "master",
    );
    github.set_milestone(2, "1.0");
    github.set_milestone(3, "1.0");
    Ok(())
}

/// A fix that lands on master after the branch was cut, labelled for backporting, as PR
/// `number`.
/// The project on master releases its Lua tarball and a convenience binary too (the route
/// through dist does from the start).
pub fn release_every_artifact(sandbox: &Sandbox) -> Result<()> {
    let project = sandbox.path("project");
    sandbox.run(&git::checkout(&project, "master"))?;
    let manifest = project.join("Cargo.toml");
    let text =
        std::fs::read_to_string(&manifest).with_context(|| format!("cannot read {manifest}"))?;
    if !text.contains(EXTRA_ARTIFACTS) {
        sandbox.write("project/Cargo.toml", &(text + EXTRA_ARTIFACTS))?;
        sandbox.commit(&project, "build: release the Lua tarball and a binary too")?;
        sandbox.run(&git::push(&project, "origin", "master"))?;
    }
    Ok(())
}

pub fn land_fix_on_master(sandbox: &Sandbox, number: u64) -> Result<()> {
    let github = &sandbox.github;
    let project = sandbox.path("project");
    let back = git::current_branch(&sandbox.sh, &project)?;
    sandbox.run(&git::checkout(&project, "master"))?;
    sandbox.write(
        "project/lua/demo/init.lua",
        &format!("{HEADER}return {{ safe = {number} }}\n"),
    )?;
    let message = format!("fix: do not crash on a nil request (#{number})");
    let fix = sandbox.commit(&project, &message)?;
    sandbox.run(&git::push(&project, "origin", "master"))?;
    if let Some(back) = back {
        sandbox.run(&git::checkout(&project, &back))?;
    }
    let merged_at = format!("2026-01-{:02}T00:00:00Z", number.min(28));
    let title = "fix: do not crash on a nil request";
    github.add_merged_pull(
        number,
        title,
        &fix,
        &merged_at,
        &["need backport"],
        "master",
    );
    github.set_milestone(number, "1.0");
    println!("\n(a fix labelled `need backport` was merged to master as PR #{number})");
    Ok(())
}
