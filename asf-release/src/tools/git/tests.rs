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

use super::*;

/// A repository with `a b.txt` and `d/x` committed, `tree` tagging the top tree; git run
/// with no configuration of the user's.
fn repo() -> (tempfile::TempDir, camino::Utf8PathBuf, Shell) {
    let dir = tempfile::tempdir().unwrap();
    let root = camino::Utf8PathBuf::from_path_buf(dir.path().join("r")).unwrap();
    let sh = Shell::new().unwrap();
    sh.set_var("HOME", dir.path());
    sh.set_var("GIT_CONFIG_NOSYSTEM", "1");
    sh.set_var("GIT_CONFIG_GLOBAL", "/dev/null");
    let run = |args: &[&str]| {
        let output = std::process::Command::new("git")
            .args([
                "-C",
                root.as_str(),
                "-c",
                "user.name=T",
                "-c",
                "user.email=t@e",
            ])
            .args(args)
            .env("HOME", dir.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {output:?}");
    };
    std::fs::create_dir_all(root.join("d")).unwrap();
    std::fs::write(root.join("a b.txt"), "hello\n").unwrap();
    std::fs::write(root.join("d/x"), "x").unwrap();
    run(&["init", "-q"]);
    run(&["add", "."]);
    run(&["commit", "-qm", "one"]);
    run(&["tag", "tree", "HEAD^{tree}"]);
    (dir, root, sh)
}

#[test]
fn a_missing_file_or_ref_is_none_and_a_failing_git_is_an_error() {
    let (_dir, root, sh) = repo();
    let read = |rev: &str, path: &str| file_at(&sh, &root, rev, path);
    assert_eq!(read("HEAD", "a b.txt").unwrap().unwrap(), b"hello\n");
    assert_eq!(read("HEAD", "d/x").unwrap().unwrap(), b"x");
    assert!(read("HEAD", "nope").unwrap().is_none());
    assert!(
        read("HEAD", "d").unwrap().is_none(),
        "a directory is no file"
    );
    assert!(read("refs/heads/none", "a b.txt").unwrap().is_none());
    assert!(read("HEAD", "x blob 3").unwrap().is_none());
    assert!(resolve_commit(&sh, &root, "HEAD").unwrap().is_some());
    assert!(resolve_commit(&sh, &root, "refs/heads/none")
        .unwrap()
        .is_none());
    assert!(resolve_commit(&sh, &root, "a..b").unwrap().is_none());
    assert!(resolve_commit(&sh, &root, "refs/tags/tree")
        .unwrap()
        .is_none());
    // Not a repository: git fails, and that is not "no such file" or "no such ref".
    let gone = root.join("gone");
    assert!(file_at(&sh, &gone, "HEAD", "a b.txt").is_err());
    assert!(resolve_commit(&sh, &gone, "HEAD").is_err());
}
