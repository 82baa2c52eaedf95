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

//! What GitHub's REST API description (version 2022-11-28, the one the tool pins) says and the
//! tool once missed (issue 29), against the stand-in held to the description: `make_latest`
//! by version, the tag checked on GitHub before a release is made of it, tags with `/` as a
//! multi-segment path, a draft of the tag published rather than doubled, a pull request
//! without `merge_commit_sha` (another API version's shape), labels as plain strings, a label
//! with a comma, and what 404 on a write and 410 mean.

mod common;
mod project;

use common::*;
use project::*;
use serde_json::json;

/// Release notes for `version`, committed and tagged `tag` (annotated, as `tag` makes them),
/// pushed to origin; GitHub mirrors origin.
fn tagged(p: &Project, version: &str, tag: &str) -> String {
    p.world.write(
        &p.work,
        &format!("release-notes/{version}.md"),
        format!("# {version}\n\n- A fix.\n").as_bytes(),
    );
    p.git(&["add", "-A"]);
    p.git(&["commit", "-qm", &format!("Release notes of {version}")]);
    p.git(&["tag", "-a", "-m", &format!("Release {version}"), tag]);
    p.git(&["push", "-q", "origin", tag]);
    p.github
        .serve_git(camino::Utf8Path::from_path(&p.origin).unwrap());
    p.git(&["rev-parse", &format!("{tag}^{{commit}}")])
        .trim()
        .to_string()
}

fn shown(output: &std::process::Output) -> String {
    stdout(output) + &stderr(output)
}

fn writes(p: &Project) -> Vec<String> {
    p.github
        .seen()
        .into_iter()
        .filter(|s| s.method != "GET")
        .map(|s| format!("{} {}", s.method, s.target))
        .collect()
}

#[test]
fn only_the_newest_line_s_newest_release_is_made_latest() {
    let p = Project::new();
    // 3.0.0 is out; a patch of the older line follows.
    p.github.add_release("3.0.0", "Apache Demo 3.0.0", false);
    tagged(&p, "2.3.5", "2.3.5");
    let out = p.xtask(&["github-release", "--yes", "2.3.5"]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        shown(&out).contains("not marked latest (3.0.0 is newer)"),
        "{}",
        shown(&out)
    );
    assert_eq!(p.github.releases().len(), 2);
    assert_eq!(p.github.latest_tag().as_deref(), Some("3.0.0"));

    // The newest line's newest release is.
    tagged(&p, "3.1.0", "3.1.0");
    let out = p.xtask(&["github-release", "--yes", "3.1.0"]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        shown(&out).contains("marked as the repository's latest release"),
        "{}",
        shown(&out)
    );
    assert_eq!(p.github.latest_tag().as_deref(), Some("3.1.0"));

    // The stand-in takes `make_latest` as the description types it: a string.
    let body = json!({"tag_name": "3.1.0", "name": "x", "make_latest": true}).to_string();
    let address = p.github.url.trim_start_matches("http://");
    let answer = raw_post(address, "/repos/apache/demo/releases", &body);
    assert!(answer.starts_with("HTTP/1.1 422"), "{answer}");
    assert!(answer.contains(r#""field":"make_latest""#), "{answer}");
}

fn raw_post(address: &str, path: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nUser-Agent: test\r\n\
         Accept: application/vnd.github+json\r\nX-GitHub-Api-Version: 2022-11-28\r\n\
         Authorization: Bearer t\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn no_release_is_made_of_a_tag_github_lacks_or_has_elsewhere() {
    let p = Project::new();
    let commit = tagged(&p, "2.3.5", "2.3.5");
    // GitHub mirrors another repository, which lacks the tag.
    let other = p.world.path("other.git");
    p.world.git(
        p.world.root.path(),
        &[
            "clone",
            "-q",
            "--bare",
            p.origin.to_str().unwrap(),
            other.to_str().unwrap(),
        ],
    );
    p.world.git(&other, &["tag", "-d", "2.3.5"]);
    p.github
        .serve_git(camino::Utf8Path::from_path(&other).unwrap());
    let out = p.xtask(&["github-release", "--yes", "2.3.5"]);
    assert_fails_with(
        &out,
        &[
            "GitHub has no tag 2.3.5 yet, though remote `origin` has it",
            "from its default branch",
            "nothing was changed",
        ],
    );
    // There, 2.3.5 names another commit.
    p.world.git(&other, &["tag", "2.3.5", "master"]);
    let out = p.xtask(&["github-release", "--yes", "2.3.5"]);
    assert_fails_with(
        &out,
        &[
            "GitHub's tag 2.3.5 is commit",
            "not the tag remote `origin` has",
        ],
    );
    assert!(writes(&p).is_empty(), "{:?}", writes(&p));

    // GitHub has the tag: the release names it, and its commit as `target_commitish`.
    p.github
        .serve_git(camino::Utf8Path::from_path(&p.origin).unwrap());
    let out = p.xtask(&["github-release", "--yes", "2.3.5"]);
    assert!(out.status.success(), "{}", shown(&out));
    let releases = p.github.releases();
    assert_eq!(releases[0]["target_commitish"], commit.as_str());
    assert!(p.github.state().tags_created.is_empty());

    // The stand-in, as GitHub, makes a missing tag from the default branch.
    let body = json!({"tag_name": "9.9.9", "name": "x"}).to_string();
    let address = p.github.url.trim_start_matches("http://");
    let answer = raw_post(address, "/repos/apache/demo/releases", &body);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let created = p.github.state().tags_created.clone();
    assert_eq!(created.len(), 1);
    assert_eq!(
        (created[0].0.as_str(), created[0].1.as_str()),
        ("9.9.9", "master")
    );
}

#[test]
fn a_tag_with_a_slash_is_found_by_its_multi_segment_path() {
    let p = Project::new();
    let manifest = p.work.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text + "tag-pattern = \"rel/demo-{version}\"\n").unwrap();
    tagged(&p, "2.3.5", "rel/demo-2.3.5");
    let out = p.xtask(&["github-release", "--yes", "2.3.5"]);
    assert!(out.status.success(), "{}", shown(&out));
    let again = p.xtask(&["github-release", "--yes", "2.3.5"]);
    assert!(again.status.success(), "{}", shown(&again));
    assert!(shown(&again).contains("nothing to do"), "{}", shown(&again));
    assert_eq!(p.github.releases().len(), 1);
    let targets: Vec<String> = p.github.seen().into_iter().map(|s| s.target).collect();
    assert!(
        targets
            .iter()
            .any(|t| t.ends_with("/releases/tags/rel/demo-2.3.5")),
        "{targets:?}"
    );
    assert!(
        targets
            .iter()
            .any(|t| t.ends_with("/git/ref/tags/rel/demo-2.3.5")),
        "{targets:?}"
    );
    assert!(!targets.iter().any(|t| t.contains("%2F")), "{targets:?}");
}

#[test]
fn a_draft_of_the_tag_is_published_once_never_doubled() {
    let p = Project::new();
    tagged(&p, "2.3.5", "2.3.5");
    let draft = p.github.add_release("2.3.5", "Draft by a bot", true);
    // GitHub shows a draft in the listing to a token that may push, never by its tag.
    let address = p.github.url.trim_start_matches("http://");
    let by_tag = raw_get(address, "/repos/apache/demo/releases/tags/2.3.5", true);
    assert!(by_tag.starts_with("HTTP/1.1 404"), "{by_tag}");
    assert!(!raw_get(address, "/repos/apache/demo/releases", false).contains("Draft by a bot"));
    assert!(raw_get(address, "/repos/apache/demo/releases", true).contains("Draft by a bot"));

    let out = p.xtask(&["github-release", "--yes", "2.3.5"]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        shown(&out).contains(&format!(
            "publish the draft GitHub release {draft} of tag 2.3.5"
        )),
        "{}",
        shown(&out)
    );
    let releases = p.github.releases();
    assert_eq!(releases.len(), 1, "{releases:?}");
    assert_eq!(releases[0]["draft"], false);
    assert_eq!(releases[0]["name"], "Apache Demo 2.3.5");
    assert!(releases[0]["body"].as_str().unwrap().starts_with("# 2.3.5"));
    assert_eq!(p.github.latest_tag().as_deref(), Some("2.3.5"));
    let again = p.xtask(&["github-release", "--yes", "2.3.5"]);
    assert!(shown(&again).contains("nothing to do"), "{}", shown(&again));

    // Two drafts of a tag, or a draft with files attached: refused, nothing written.
    let p = Project::new();
    tagged(&p, "2.3.5", "2.3.5");
    let first = p.github.add_release("2.3.5", "One", true);
    let second = p.github.add_release("2.3.5", "Two", true);
    assert_fails_with(
        &p.xtask(&["github-release", "--yes", "2.3.5"]),
        &[
            "GitHub has 2 draft releases of tag 2.3.5",
            &format!("ids {first}, {second}"),
        ],
    );
    p.github.state().releases.remove(1);
    p.github.state().releases[0]["assets"] = json!([{"id": 1, "name": "demo.tgz"}]);
    assert_fails_with(
        &p.xtask(&["github-release", "--yes", "2.3.5"]),
        &["with 1 file(s) attached", "none may be attached"],
    );
    assert!(writes(&p).is_empty(), "{:?}", writes(&p));
}

fn raw_get(address: &str, path: &str, token: bool) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    let auth = if token {
        "Authorization: Bearer t\r\n"
    } else {
        ""
    };
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nUser-Agent: test\r\n\
         Accept: application/vnd.github+json\r\nX-GitHub-Api-Version: 2022-11-28\r\n{auth}\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn a_404_on_a_release_write_says_the_token_may_lack_a_permission() {
    let p = Project::new();
    tagged(&p, "2.3.5", "2.3.5");
    // GitHub hides what a token may not write behind 404.
    p.github
        .fail_writes_with(404, r#"{"message":"Not Found","status":"404"}"#);
    assert_fails_with(
        &p.xtask(&["github-release", "--yes", "2.3.5"]),
        &["with 404", "lacks a permission", "Contents: read and write"],
    );
}

#[test]
fn a_410_says_whether_issues_are_disabled_or_the_api_version_is_retired() {
    let p = Project::new();
    p.github.fail_with(
        410,
        &[],
        r#"{"message":"Issues are disabled for this repo","status":"410"}"#,
    );
    assert_fails_with(
        &p.xtask(&["milestone", "status", "2.3"]),
        &[
            "410",
            "issues are disabled on apache/demo",
            "features: issues: true",
        ],
    );
    p.github.fail_with(
        410,
        &[],
        r#"{"message":"This API version is no longer supported","status":"410"}"#,
    );
    assert_fails_with(
        &p.xtask(&["milestone", "status", "2.3"]),
        &[
            "GitHub has retired REST API version 2022-11-28",
            "update the tool",
        ],
    );
}

/// A release branch 2.3 and PR #71, merged to master with `need backport`.
fn labelled_fix() -> (Project, String) {
    let p = project_with_release_branch();
    let fix = p.squash_pull(71, "h.txt", "fix h\n");
    p.github.add_merged_pull(
        71,
        "Fix h",
        &fix,
        "2024-06-01T00:00:00Z",
        &["need backport"],
        "master",
    );
    (p, fix)
}

#[test]
fn labels_given_as_plain_strings_are_read() {
    let (p, _) = labelled_fix();
    for issue in p.github.state().issues.iter_mut() {
        if issue["number"] == 71 {
            issue["labels"] = json!(["need backport"]);
        }
    }
    let out = p.xtask(&["backport", "--yes", "2.3"]);
    assert!(out.status.success(), "{}", shown(&out));
    assert!(
        shown(&out).contains("backported 1 PR(s)"),
        "{}",
        shown(&out)
    );
}

#[test]
fn a_pull_request_without_merge_commit_sha_names_the_api_version() {
    let (p, _) = labelled_fix();
    // Pinned to 2022-11-28 GitHub sends `merge_commit_sha`; 2026-03-10 would not.
    p.github.state().pulls[0]
        .as_object_mut()
        .unwrap()
        .remove("merge_commit_sha");
    assert_fails_with(
        &p.xtask(&["backport", "--yes", "2.3"]),
        &[
            "pull request #71 has no `merge_commit_sha` field",
            "REST API version 2022-11-28",
            "2026-03-10 removed the field",
        ],
    );
}

#[test]
fn a_backport_label_with_a_comma_is_refused() {
    let (p, _) = labelled_fix();
    // GitHub's label filter splits at commas: such a label would select nothing, silently.
    let manifest = p.work.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text + "backport-label = \"backport, 2.3\"\n").unwrap();
    p.git(&["commit", "-qam", "A label with a comma"]);
    p.git(&["push", "-q", "origin", "master"]);
    for issue in p.github.state().issues.iter_mut() {
        issue["labels"] = json!([{"name": "backport, 2.3"}]);
    }
    assert_fails_with(
        &p.xtask(&["backport", "--yes", "2.3"]),
        &["the label `backport, 2.3` has a comma", "rename the label"],
    );
}
