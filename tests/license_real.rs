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

//! Acceptance: the license audit on real ASF repositories at their release tags, with only
//! each project's own configuration. Needs the repositories of ../shared/real-repos (see its
//! README): set ASF_REAL_REPOS to that folder; without it the test says it was skipped.

mod common;

use std::path::Path;

use common::*;

/// (archive name, release tag, the findings expected: files without any license text).
const REPOSITORIES: &[(&str, &str, &[&str])] = &[
    ("apisix", "3.18.0", &[]),
    (
        "apisix-dashboard",
        "v3.0.1",
        &["api/internal/conf/conf_test.go", "web/copy-folder.mjs"],
    ),
    ("opendal", "v0.58.2", &[]),
    ("arrow-rs", "59.2.0", &[]),
    ("skywalking-eyes", "v0.8.0", &[]),
    ("answer", "v2.0.2", &[]),
];

fn audit(world: &World, archive: &Path, name: &str, tag: &str) -> serde_json::Value {
    let bare = world.path("bare");
    std::fs::create_dir_all(&bare).unwrap();
    world.ok(world
        .command("tar")
        .arg("-xzf")
        .arg(archive)
        .arg("-C")
        .arg(&bare));
    let work = world.path(name);
    world.ok(world
        .command("git")
        .args(["clone", "-q"])
        .arg(bare.join(format!("{name}.git")))
        .arg(&work));
    let output = world.xtask(&[
        "--repo",
        work.to_str().unwrap(),
        "license-audit",
        tag,
        "--json",
    ]);
    assert!(
        output.status.code().is_some_and(|code| code <= 1),
        "{name}: {}",
        stderr(&output)
    );
    serde_json::from_str(&stdout(&output)).unwrap()
}

#[test]
fn the_audit_passes_on_real_asf_repositories_except_their_real_findings() {
    let Some(folder) = std::env::var_os("ASF_REAL_REPOS") else {
        println!("skipped: ASF_REAL_REPOS not set");
        return;
    };
    let folder = Path::new(&folder);
    let mut audited = 0;
    for (name, tag, expected) in REPOSITORIES {
        let archive = folder.join(format!("{name}.git.tgz"));
        if !archive.exists() {
            println!("skipped {name}: {} is not there", archive.display());
            continue;
        }
        let world = World::new();
        let report = audit(&world, &archive, name, tag);
        let findings: Vec<&str> = report["report"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert_eq!(&findings, expected, "{name} {tag}: {report:#}");
        println!("{name} {tag}: {}", report["report"]["counts"]);
        audited += 1;
    }
    assert!(
        audited > 0,
        "no repository archive found in {}",
        folder.display()
    );
}
