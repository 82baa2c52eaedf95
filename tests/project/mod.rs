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

//! A project for the GitLab-flow and GitHub tests: a bare `origin` and a clone `work` on
//! master, configured for a GitHub stand-in (`asf_release::demo::github::GitHubStandIn`) on 127.0.0.1.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use super::common::*;
use asf_release::demo::github::{GitHubStandIn, PushedCommit};
use asf_release::tools::github::WRITE_INTERVAL_VAR;

pub const TOKEN: &str = "ghp_test_token_never_shown";
/// The repository the GitHub stand-in serves, as `github-repo` in `CONFIG` names it.
pub const GITHUB_REPO: &str = "apache/demo";
/// Items per page: small, so every listing of a test crosses pages.
pub const PAGE: usize = 2;

pub fn github() -> GitHubStandIn {
    GitHubStandIn::start(GITHUB_REPO, PAGE).expect("the GitHub stand-in starts")
}

/// A project with a bare `origin` and a clone `work` on master, configured for the GitHub stand-in.
pub struct Project {
    pub world: World,
    pub origin: PathBuf,
    pub work: PathBuf,
    pub github: GitHubStandIn,
}

pub const ASF_YAML: &str = "# Settings of this repository for the ASF infrastructure.
# See https://cwiki.apache.org/confluence/display/INFRA/git+-+.asf.yaml+features
github:
  description: The demo project   # keep this comment
  homepage: https://demo.apache.org/
  protected_branches:
    master:
      required_pull_request_reviews:
        dismiss_stale_reviews: true
        required_approving_review_count: 2
      required_linear_history: true
    # the previous line
    v2.2:
      required_pull_request_reviews:
        required_approving_review_count: 1

notifications:
  commits:      commits@demo.apache.org   # aligned on purpose
  issues:       notifications@demo.apache.org\n";

pub const CONFIG: &str = "[workspace.metadata.asf-release]
name = \"demo\"
display-name = \"Demo\"
github-repo = \"apache/demo\"
version-files = [
  { path = \"VERSION\", pattern = \"(?m)^{version}$\" },
  { path = \"docs/install.md\", pattern = 'demo-{version}\\.tgz' },
]\n";

impl Project {
    pub fn new() -> Project {
        let world = World::new();
        let origin = world.path("origin.git");
        let work = world.path("work");
        world.git(
            world.root.path(),
            &["init", "-q", "--bare", origin.to_str().unwrap()],
        );
        world.git(
            world.root.path(),
            &[
                "clone",
                "-q",
                origin.to_str().unwrap(),
                work.to_str().unwrap(),
            ],
        );
        world.write(&work, "Cargo.toml", CONFIG.as_bytes());
        world.write(&work, ".asf.yaml", ASF_YAML.as_bytes());
        world.write(&work, "VERSION", b"2.3.0\n");
        world.write(
            &work,
            "docs/install.md",
            b"Download demo-2.3.0.tgz and unpack it.\n",
        );
        world.write(&work, "a.txt", b"one\ntwo\nthree\n");
        world.git(&work, &["add", "-A"]);
        world.git(&work, &["commit", "-q", "-m", "Initial import"]);
        world.git(&work, &["push", "-q", "origin", "master"]);
        let github = github();
        Project {
            world,
            origin,
            work,
            github,
        }
    }

    pub fn xtask(&self, args: &[&str]) -> Output {
        self.xtask_env(args, &[])
    }

    /// [`Project::xtask`] with more environment (an empty value unsets a variable for xtask).
    pub fn xtask_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut all = vec!["--repo", self.work.to_str().unwrap()];
        all.extend_from_slice(args);
        let mut command = self.world.command(env!("CARGO_BIN_EXE_xtask"));
        command
            .args(&all)
            .env("GITHUB_API_URL", &self.github.url)
            .env("GITHUB_TOKEN", TOKEN)
            .env(WRITE_INTERVAL_VAR, "0");
        for (key, value) in env {
            command.env(key, value);
        }
        let output = command.output().expect("xtask starts");
        let text = stdout(&output) + &stderr(&output);
        assert!(
            !text.contains(TOKEN),
            "the token must never be shown:\n{text}"
        );
        output
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let output = self.xtask(args);
        let text = stdout(&output) + &stderr(&output);
        assert!(output.status.success(), "{args:?} failed:\n{text}");
        text
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.world.git(&self.work, args)
    }

    pub fn origin(&self, args: &[&str]) -> String {
        self.world.git(&self.origin, args)
    }

    pub fn commit_file(&self, path: &str, content: &str, message: &str) -> String {
        self.world.write(&self.work, path, content.as_bytes());
        self.git(&["add", path]);
        self.git(&["commit", "-q", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// A PR merged into master with a merge commit; returns the merge commit.
    pub fn merge_pull(&self, number: u64, path: &str, content: &str) -> String {
        let topic = format!("pr-{number}");
        self.git(&["checkout", "-q", "-b", &topic, "master"]);
        self.commit_file(path, content, &format!("Change {path} (#{number})"));
        self.git(&["checkout", "-q", "master"]);
        self.git(&[
            "merge",
            "-q",
            "--no-ff",
            &topic,
            "-m",
            &format!("Merge pull request #{number} from dev/{topic}"),
        ]);
        self.git(&["push", "-q", "origin", "master"]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// A PR squashed onto master; returns the squash commit.
    pub fn squash_pull(&self, number: u64, path: &str, content: &str) -> String {
        let commit = self.commit_file(path, content, &format!("Change {path} (#{number})"));
        self.git(&["push", "-q", "origin", "master"]);
        commit
    }

    /// A PR of several commits merged with "rebase and merge": its commits as pushed (on a
    /// topic branch) and the commits that landed on master (rebased: same author and message,
    /// new ids), oldest first.
    pub fn rebase_pull(
        &self,
        number: u64,
        files: &[(&str, &str)],
    ) -> (Vec<PushedCommit>, Vec<String>) {
        let topic = format!("pr-{number}");
        self.git(&["checkout", "-q", "-b", &topic, "master"]);
        let mut pushed = Vec::new();
        for (index, (path, content)) in files.iter().enumerate() {
            let sha = self.commit_file(
                path,
                content,
                &format!("Part {} of #{number}: {path}", index + 1),
            );
            pushed.push(PushedCommit {
                sha: sha.clone(),
                message: self.git(&["log", "-1", "--format=%B", &sha]),
                author_name: self.git(&["log", "-1", "--format=%an", &sha]),
                author_email: self.git(&["log", "-1", "--format=%ae", &sha]),
            });
        }
        self.git(&["checkout", "-q", "master"]);
        // Something else landed first, so the rebase gives the commits new ids.
        self.commit_file(
            &format!("before-{number}.txt"),
            "other work\n",
            "Other work",
        );
        let mut landed = Vec::new();
        for commit in &pushed {
            self.git(&["cherry-pick", &commit.sha]);
            landed.push(self.git(&["rev-parse", "HEAD"]));
        }
        self.git(&["push", "-q", "origin", "master"]);
        (pushed, landed)
    }

    pub fn status(&self) -> String {
        self.git(&["status", "--porcelain"])
    }
}

pub fn is_ancestor(project: &Project, commit: &str, of: &str) -> bool {
    project
        .world
        .command("git")
        .arg("-C")
        .arg(&project.origin)
        .args(["merge-base", "--is-ancestor", commit, of])
        .status()
        .unwrap()
        .success()
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

/// The release branch v2.3 cut at the initial commit, then PRs merged on master. Its
/// `.asf.yaml` entry asks for linear history only, so it takes direct pushes (the branch that
/// requires reviews, and its pull requests, are tests/protected.rs's).
pub fn project_with_release_branch() -> Project {
    let p = Project::new();
    p.ok(&["branch", "--yes", "2.3"]);
    let yaml = read(&p.work.join(".asf.yaml"));
    let copied = "    v2.3:\n      required_pull_request_reviews:\n        dismiss_stale_reviews: true\n        required_approving_review_count: 2\n";
    assert!(yaml.contains(copied), "{yaml}");
    let direct = yaml.replace(copied, "    v2.3:\n");
    p.commit_file(".asf.yaml", &direct, "chore: v2.3 takes direct pushes");
    p.git(&["push", "-q", "origin", "master"]);
    p
}
