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

//! Issue 27: a project that plans its releases in JIRA (`issue-tracker = "jira"`). The real
//! binary's `milestone status` and `status` read the release's JIRA version from a strict
//! JIRA stand-in (`asf_release::demo::jira::JiraStandIn`, `jira-url` pointing at it): Done
//! without unresolved issues, Blocked naming the open ones (escaped) or the missing version;
//! and `adopt` finds JIRA in a Maven `pom.xml`.

mod common;
mod project;

use std::path::Path;
use std::process::Output;

use asf_release::demo::jira::JiraStandIn;
use common::*;
use project::*;

/// The GitHub flow project of the other tests, planned in JIRA project DEMO at the stand-in.
fn planned_in_jira() -> (Project, JiraStandIn) {
    let p = Project::new();
    let jira = JiraStandIn::start().expect("the JIRA stand-in starts");
    let config = format!(
        "{CONFIG}issue-tracker = \"jira\"\njira-project = \"DEMO\"\njira-url = \"{}\"\n",
        jira.url
    );
    p.world.write(&p.work, "Cargo.toml", config.as_bytes());
    p.git(&["commit", "-qam", "Plan the releases in JIRA"]);
    p.git(&["push", "-q", "origin", "master"]);
    (p, jira)
}

fn text(output: &Output) -> String {
    stdout(output) + &stderr(output)
}

/// The `milestone` row of `status 2.3`, and the `next:` line that says why it is blocked.
fn milestone_row(p: &Project) -> String {
    let status = text(&p.xtask(&["status", "2.3"]));
    status
        .lines()
        .filter(|line| line.contains(" milestone ") || line.starts_with("next:"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_release_without_its_jira_version_is_blocked_with_the_advice_to_create_it() {
    let (p, jira) = planned_in_jira();
    jira.add_version("DEMO", "2.2.0", true);

    let output = p.xtask(&["milestone", "status", "2.3", "--version", "2.3.0"]);
    assert!(!output.status.success(), "{}", text(&output));
    let shown = text(&output);
    assert!(
        shown.contains("has no version 2.3.0") && shown.contains("create it in JIRA by hand"),
        "{shown}"
    );
    let row = milestone_row(&p);
    assert!(row.contains("has no version 2.3.0"), "{row}");
    assert!(row.contains("--allow-open"), "{row}");
    let allowed = p.ok(&[
        "milestone",
        "status",
        "2.3",
        "--version",
        "2.3.0",
        "--allow-open",
    ]);
    assert!(allowed.contains("allowed by --allow-open"), "{allowed}");

    // JIRA plans releases, not lines: the version is named; creating one is JIRA's, by hand.
    let output = p.xtask(&["milestone", "status", "2.3"]);
    assert_fails_with(&output, &["--version", "2.3.0"]);
    let output = p.xtask(&["milestone", "create", "2.3"]);
    assert_fails_with(&output, &["by hand", "DEMO", "nothing was changed"]);
    // Nothing asked GitHub for milestones, and the stand-in refused nothing.
    assert!(
        !p.github
            .seen()
            .iter()
            .any(|seen| seen.target.contains("milestones")),
        "GitHub was asked for its milestones"
    );
    assert_eq!(jira.refused(), Vec::<String>::new());
}

#[test]
fn open_issues_block_the_release_named_escaped_and_done_once_resolved() {
    let (p, jira) = planned_in_jira();
    jira.add_version("DEMO", "2.3.0", false);
    let open = jira.add_issue(
        "DEMO",
        "Crash on \u{1b}[31mred\u{1b}[0m input",
        "2.3.0",
        false,
    );
    jira.add_issue("DEMO", "Already fixed", "2.3.0", true);
    jira.add_issue("DEMO", "For later", "2.4.0", false);

    let output = p.xtask(&["milestone", "status", "2.3", "--version", "2.3.0"]);
    assert!(!output.status.success(), "{}", text(&output));
    let shown = text(&output);
    assert!(shown.contains("unresolved: 1"), "{shown}");
    assert!(
        shown.contains(&format!("{open} Crash on \\x1b[31mred\\x1b[0m input")),
        "{shown}"
    );
    assert!(
        !shown.contains('\u{1b}'),
        "a raw escape reached the terminal: {shown}"
    );
    assert!(
        !shown.contains("Already fixed") && !shown.contains("For later"),
        "{shown}"
    );
    let row = milestone_row(&p);
    assert!(row.contains("1 unresolved issue(s)"), "{row}");
    assert!(row.contains(&open) && !row.contains('\u{1b}'), "{row}");

    // Resolved: the milestone step is done, and says the version is not released yet.
    for project in &mut jira.tracker().projects {
        for issue in &mut project.issues {
            issue.resolved = true;
        }
    }
    let done = p.ok(&["milestone", "status", "2.3", "--version", "2.3.0"]);
    assert!(done.contains("has no unresolved issues"), "{done}");
    assert!(done.contains("not marked released yet"), "{done}");
    let row = milestone_row(&p);
    assert!(
        row.contains("JIRA version 2.3.0 has no unresolved issues"),
        "{row}"
    );
    assert_eq!(jira.refused(), Vec::<String>::new());
}

#[test]
fn an_unknown_jira_project_is_named_with_the_setting_to_fix() {
    let (p, jira) = planned_in_jira();
    jira.add_version("OTHER", "2.3.0", false);
    let output = p.xtask(&["milestone", "status", "2.3", "--version", "2.3.0"]);
    assert_fails_with(
        &output,
        &["No project could be found with key 'DEMO'.", "jira-project"],
    );
    assert_eq!(jira.refused(), Vec::<String>::new());
}

fn adopt_dry_run(world: &World, work: &Path) -> Output {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let library = source.join("asf-release");
    world.xtask(&[
        "--repo",
        source.to_str().unwrap(),
        "--dry-run",
        "adopt",
        work.to_str().unwrap(),
        "--path",
        library.to_str().unwrap(),
    ])
}

#[test]
fn adopt_finds_the_jira_project_in_the_pom() {
    let world = World::new();
    let seed = world.path("seed");
    std::fs::create_dir_all(&seed).unwrap();
    world.git(&seed, &["init", "-q"]);
    world.write(&seed, "LICENSE", APACHE_LICENSE.as_bytes());
    world.write(&seed, "NOTICE", NOTICE.as_bytes());
    world.write(
        &seed,
        "pom.xml",
        b"<project>\n  <artifactId>demo</artifactId>\n  <issueManagement>\n    \
          <system>jira</system>\n    <url>https://issues.apache.org/jira/browse/DEMO</url>\n  \
          </issueManagement>\n</project>\n",
    );
    world.git(&seed, &["add", "-A"]);
    world.git(&seed, &["commit", "-qm", "DEMO-1: the first import"]);
    let bare = world.path("demo.git");
    world.ok(world
        .command("git")
        .args(["clone", "-q", "--bare"])
        .arg(&seed)
        .arg(&bare));
    let work = world.path("work");
    world.ok(world
        .command("git")
        .args(["clone", "-q"])
        .arg(&bare)
        .arg(&work));

    let output = adopt_dry_run(&world, &work);
    let shown = text(&output);
    assert!(output.status.success(), "{shown}");
    for expected in [
        "# pom.xml line 3: <issueManagement> names JIRA https://issues.apache.org/jira/browse/DEMO",
        "issue-tracker = \"jira\"",
        "jira-project = \"DEMO\"",
    ] {
        assert!(shown.contains(expected), "{expected}: {shown}");
    }
}
