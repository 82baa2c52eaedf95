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

//! Every `git` command line of the tool.

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use xshell::Shell;

use super::{Tool, ToolCmd};

pub mod adopt;
mod history;
mod plumbing;
mod tree;

pub use history::{
    authorship, commits_beyond, first_parents, log, message, parents, patch_id, rev_list, LogEntry,
};
pub use plumbing::{cherry_pick_onto, commit_files, push_topic, Picked};
pub use tree::{
    file_at, ls_tree, small_text_file_at, text_file_at, AttributeAnswers, BlobReader, TreeEntry,
};

/// `git -C <repo> ...` with settings that keep the output independent of the user's config.
fn git(repo: &Utf8Path, args: &[&str]) -> ToolCmd {
    let mut all = vec!["-C", repo.as_str(), "-c", "core.quotePath=false"];
    all.extend_from_slice(args);
    ToolCmd::new(Tool::Git, all)
}

/// The commit a revision names, or `None` when it names nothing.
pub fn resolve_commit(sh: &Shell, repo: &Utf8Path, rev: &str) -> Result<Option<String>> {
    if rev.starts_with('-') {
        bail!("invalid ref `{rev}`: a git ref cannot start with `-`");
    }
    let spec = format!("{rev}^{{commit}}");
    let output = git(
        repo,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            &spec,
        ],
    )
    .output(sh)?;
    // With `--quiet`, git says "no such commit" by exit 1, silent or with its own `error:`,
    // `warning:` and `hint:` lines (a tag of a tree, an ambiguous short id); anything else is
    // git failing, which must not pass for "no such ref" (a step would act on a world it
    // misread).
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let git_said_no = stderr.lines().all(|line| {
            ["error: ", "warning: ", "hint: "]
                .iter()
                .any(|prefix| line.starts_with(prefix))
        });
        if output.status.code() == Some(1) && git_said_no {
            return Ok(None);
        }
        bail!(
            "`git rev-parse` of {rev} failed: {}; check the repository and rerun",
            crate::untrusted::escape_str(String::from_utf8_lossy(&output.stderr).trim())
        );
    }
    let id = String::from_utf8_lossy(&output.stdout).trim().to_string();
    Ok(Some(id))
}

/// Whether `tag` exists as a tag (not a branch of the same name).
pub fn tag_commit(sh: &Shell, repo: &Utf8Path, tag: &str) -> Result<Option<String>> {
    resolve_commit(sh, repo, &format!("refs/tags/{tag}"))
}

/// Fails unless `repo` is the top of a git work tree or a bare repository.
pub fn check_repository(sh: &Shell, repo: &Utf8Path) -> Result<()> {
    let output = git(repo, &["rev-parse", "--git-dir"]).output(sh)?;
    if !output.status.success() {
        bail!(
            "{repo} is not a git repository: run the command inside the repository to release, \
             or pass --repo <DIR>"
        );
    }
    Ok(())
}

/// Committer time of a commit, seconds since the epoch.
pub fn commit_time(sh: &Shell, repo: &Utf8Path, commit: &str) -> Result<u64> {
    let text = git(repo, &["log", "-1", "--format=%ct", commit, "--"]).read(sh)?;
    text.parse()
        .with_context(|| format!("git printed an unexpected commit time `{text}`"))
}

/// `sha1` or `sha256`: the hash the repository names objects with.
pub fn object_format(sh: &Shell, repo: &Utf8Path) -> Result<String> {
    let output = git(repo, &["rev-parse", "--show-object-format"]).output(sh)?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    // Old git versions know only sha1 and do not know the option.
    if !output.status.success() || text.is_empty() {
        return Ok("sha1".into());
    }
    Ok(text)
}

/// Tracked files that differ from HEAD (staged or not).
pub fn uncommitted_changes(sh: &Shell, repo: &Utf8Path) -> Result<Vec<String>> {
    let text = git(repo, &["status", "--porcelain", "--untracked-files=no"]).read(sh)?;
    Ok(text.lines().map(|line| line.to_string()).collect())
}

/// `2.47.3` from `git --version`.
pub fn version(sh: &Shell) -> Result<String> {
    let text = ToolCmd::new(Tool::Git, ["--version"]).read(sh)?;
    Ok(text.rsplit(' ').next().unwrap_or_default().to_string())
}

/// `git fetch <remote>`: brings branches and tags of the remote up to date.
pub fn fetch(repo: &Utf8Path, remote: &str) -> ToolCmd {
    git(repo, &["fetch", "--quiet", "--tags", remote]).changes_world()
}

/// The URL of a remote, or `None` when the repository has no remote of that name.
pub fn remote_url(sh: &Shell, repo: &Utf8Path, remote: &str) -> Result<Option<String>> {
    let output = git(repo, &["remote", "get-url", "--", remote]).output(sh)?;
    if !output.status.success() {
        return Ok(None);
    }
    let url = String::from_utf8_lossy(&output.stdout).trim().to_string();
    crate::config_checks::check_url_without_credentials(
        &format!("the URL of git remote `{remote}`"),
        &url,
        &format!(
            "let git's credential helper keep them (`git remote set-url {remote} <URL without \
             them>`, then `git config --global credential.helper store` or your platform's \
             helper)"
        ),
    )?;
    Ok(Some(url))
}

/// Fetches one tag from a remote into FETCH_HEAD only: no local ref is created or moved.
pub fn fetch_tag(repo: &Utf8Path, remote: &str, tag: &str) -> ToolCmd {
    let spec = format!("refs/tags/{tag}");
    git(
        repo,
        &["fetch", "--quiet", "--no-tags", "--", remote, &spec],
    )
}
/// The commit a ref has on the remote (tags peeled), asking the remote itself; `None` when the
/// remote has no such ref.
pub fn remote_ref_commit(
    sh: &Shell,
    repo: &Utf8Path,
    remote: &str,
    full_ref: &str,
) -> Result<Option<String>> {
    Ok(remote_ref(sh, repo, remote, full_ref)?.map(|found| found.commit))
}

/// What a ref names on a remote: the object (an annotated tag's own object) and the commit it
/// peels to (the same id for a lightweight tag or a branch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteRef {
    pub object: String,
    pub commit: String,
}

/// [`RemoteRef`] of `full_ref` on `remote` (a remote's name or a repository's path), asking
/// the remote itself; `None` when it has no such ref.
pub fn remote_ref(
    sh: &Shell,
    repo: &Utf8Path,
    remote: &str,
    full_ref: &str,
) -> Result<Option<RemoteRef>> {
    // Refuses a remote whose URL carries credentials before anything prints or uses it.
    remote_url(sh, repo, remote)?;
    let peeled = format!("{full_ref}^{{}}");
    let text = git(repo, &["ls-remote", remote, full_ref, &peeled])
        .read(sh)
        .with_context(|| format!("cannot read the refs of remote `{remote}`: check its URL"))?;
    let (mut object, mut commit) = (None, None);
    for line in text.lines() {
        let Some((id, name)) = line.split_once('\t') else {
            continue;
        };
        if name == peeled {
            commit = Some(id.to_string());
        } else if name == full_ref {
            object = Some(id.to_string());
        }
    }
    Ok(object.map(|object| RemoteRef {
        commit: commit.unwrap_or_else(|| object.clone()),
        object,
    }))
}

/// Every ref the remote has, with its commit (tags peeled), asking the remote once.
pub fn remote_refs(sh: &Shell, repo: &Utf8Path, remote: &str) -> Result<Vec<(String, String)>> {
    remote_url(sh, repo, remote)?;
    let text = git(repo, &["ls-remote", remote])
        .read(sh)
        .with_context(|| format!("cannot read the refs of remote `{remote}`: check its URL"))?;
    let mut refs: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let Some((id, name)) = line.split_once('\t') else {
            continue;
        };
        match name.strip_suffix("^{}") {
            // The peeled commit of an annotated tag replaces the tag object's id.
            Some(tag) => match refs.iter_mut().find(|(n, _)| n == tag) {
                Some(entry) => entry.1 = id.to_string(),
                None => refs.push((tag.to_string(), id.to_string())),
            },
            None => refs.push((name.to_string(), id.to_string())),
        }
    }
    Ok(refs)
}

/// Whether `ancestor` is reachable from `descendant`.
pub fn is_ancestor(sh: &Shell, repo: &Utf8Path, ancestor: &str, descendant: &str) -> Result<bool> {
    let output = git(repo, &["merge-base", "--is-ancestor", ancestor, descendant]).output(sh)?;
    match output.status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => bail!(
            "git cannot compare {ancestor} and {descendant}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ),
    }
}

/// The branch checked out, or `None` on a detached HEAD.
pub fn current_branch(sh: &Shell, repo: &Utf8Path) -> Result<Option<String>> {
    let output = git(repo, &["symbolic-ref", "--quiet", "--short", "HEAD"]).output(sh)?;
    if !output.status.success() {
        return Ok(None);
    }
    Ok(Some(
        String::from_utf8_lossy(&output.stdout).trim().to_string(),
    ))
}

/// `git branch <name> <commit>`
pub fn create_branch(repo: &Utf8Path, name: &str, commit: &str) -> ToolCmd {
    git(repo, &["branch", "--no-track", name, commit]).changes_world()
}

/// `git push <remote> <refspec>`
pub fn push(repo: &Utf8Path, remote: &str, refspec: &str) -> ToolCmd {
    git(repo, &["push", "--quiet", remote, refspec]).changes_world()
}

/// `git checkout <branch>`
pub fn checkout(repo: &Utf8Path, branch: &str) -> ToolCmd {
    git(repo, &["checkout", "--quiet", branch, "--"]).changes_world()
}

/// `git merge --ff-only <commit>`: brings the checked-out branch up to `commit`.
pub fn fast_forward(repo: &Utf8Path, commit: &str) -> ToolCmd {
    git(repo, &["merge", "--quiet", "--ff-only", commit]).changes_world()
}

/// Commits the given tracked files with `message`.
pub fn commit_paths(repo: &Utf8Path, paths: &[&str], message: &str) -> ToolCmd {
    let mut args = vec!["commit", "--quiet", "-m", message, "--"];
    args.extend_from_slice(paths);
    git(repo, &args).changes_world()
}

/// `git cherry-pick -x`, with `-m 1` for a merge commit (the change it brought to master).
pub fn cherry_pick(repo: &Utf8Path, commit: &str, is_merge: bool) -> ToolCmd {
    let mut args = vec!["cherry-pick", "-x"];
    if is_merge {
        args.extend_from_slice(&["-m", "1"]);
    }
    args.push(commit);
    git(repo, &args).changes_world()
}

/// Undoes a failed pick: it only restores what was there before, so it is not an action of
/// its own in a plan (the pick it undoes is).
pub fn cherry_pick_abort(repo: &Utf8Path) -> ToolCmd {
    git(repo, &["cherry-pick", "--abort"])
}

/// Finishes a cherry-pick whose conflicts the user resolved, keeping the prepared message.
pub fn cherry_pick_continue(repo: &Utf8Path) -> ToolCmd {
    git(
        repo,
        &["-c", "core.editor=true", "cherry-pick", "--continue"],
    )
    .changes_world()
}

pub fn cherry_pick_in_progress(sh: &Shell, repo: &Utf8Path) -> Result<bool> {
    Ok(resolve_commit(sh, repo, "CHERRY_PICK_HEAD")?.is_some())
}

/// Files with unresolved conflicts.
pub fn unmerged_files(sh: &Shell, repo: &Utf8Path) -> Result<Vec<String>> {
    let text = git(repo, &["diff", "--name-only", "--diff-filter=U"]).read(sh)?;
    Ok(text.lines().map(str::to_string).collect())
}

/// Every tag of the repository.
pub fn tags(sh: &Shell, repo: &Utf8Path) -> Result<Vec<String>> {
    let text = git(repo, &["tag", "--list"]).read(sh)?;
    Ok(text.lines().map(str::to_string).collect())
}

/// `git tag -s -u <key>`: a signed annotated tag.
/// `git var GIT_COMMITTER_IDENT`: `Name <email> <epoch> <zone>`, as git writes a tagger now.
pub fn committer_ident(sh: &Shell, repo: &Utf8Path) -> Result<String> {
    git(repo, &["var", "GIT_COMMITTER_IDENT"])
        .read(sh)
        .context("git knows no committer: set `git config --global user.name` and `user.email`")
}

/// The text of an annotated tag object, as `git tag -m` writes it before the signature that
/// `git tag -s` appends: signing it is signing the tag.
pub fn tag_object(commit: &str, tag: &str, tagger: &str, message: &str) -> String {
    format!("object {commit}\ntype commit\ntag {tag}\ntagger {tagger}\n\n{message}\n")
}

/// `git mktag`: checks the tag object on its standard input, writes it, prints its id.
pub fn mktag(repo: &Utf8Path, object: Vec<u8>) -> ToolCmd {
    git(repo, &["mktag"]).stdin(object).changes_world()
}

/// `git update-ref refs/tags/<tag> <object> ""`: the tag appears, refused when it exists.
pub fn create_tag(repo: &Utf8Path, tag: &str, object: &str) -> ToolCmd {
    let name = format!("refs/tags/{tag}");
    git(repo, &["update-ref", "--", &name, object, ""]).changes_world()
}

/// `git verify-tag --raw`: gpg's status lines come on stderr.
pub fn verify_tag(repo: &Utf8Path, tag: &str) -> ToolCmd {
    git(repo, &["verify-tag", "--raw", tag])
}

/// A path inside the `.git` directory, for the tool's own state.
pub fn git_path(sh: &Shell, repo: &Utf8Path, name: &str) -> Result<camino::Utf8PathBuf> {
    let text = git(repo, &["rev-parse", "--git-path", name]).read(sh)?;
    Ok(repo.join(text))
}

/// Committer time of a commit in UTC, as GitHub writes times: `2024-05-06T07:08:09Z`.
pub fn commit_time_utc(sh: &Shell, repo: &Utf8Path, commit: &str) -> Result<String> {
    git(
        repo,
        &[
            "log",
            "-1",
            "--format=%cd",
            "--date=format-local:%Y-%m-%dT%H:%M:%SZ",
            commit,
            "--",
        ],
    )
    .env("TZ", "UTC")
    .read(sh)
}

/// The branches of `remote` (as last fetched or pushed) that contain `commit`.
pub fn remote_branches_containing(
    sh: &Shell,
    repo: &Utf8Path,
    remote: &str,
    commit: &str,
) -> Result<Vec<String>> {
    let text = git(
        repo,
        &[
            "branch",
            "--remotes",
            "--format=%(refname)",
            "--contains",
            commit,
        ],
    )
    .read(sh)?;
    let prefix = format!("refs/remotes/{remote}/");
    Ok(text
        .lines()
        .filter_map(|name| name.strip_prefix(&prefix))
        .filter(|name| *name != "HEAD")
        .map(str::to_string)
        .collect())
}

/// Checks after a push that the remote has `full_ref` at `commit`.
pub fn verify_pushed(
    sh: &Shell,
    repo: &Utf8Path,
    remote: &str,
    full_ref: &str,
    commit: &str,
) -> Result<()> {
    let found = remote_ref_commit(sh, repo, remote, full_ref)?;
    if found.as_deref() != Some(commit) {
        bail!(
            "after the push, remote `{remote}` has {full_ref} at {}, not at {commit}: check \
             `git ls-remote {remote} {full_ref}` and push again",
            found.as_deref().unwrap_or("nothing")
        );
    }
    Ok(())
}

/// A value of the git configuration as the repository sees it (`user.name`), if set.
pub fn config_value(sh: &Shell, repo: &Utf8Path, key: &str) -> Result<Option<String>> {
    let output = git(repo, &["config", "--get", key]).output(sh)?;
    let value = String::from_utf8_lossy(&output.stdout).trim().to_string();
    Ok(Some(value).filter(|value| output.status.success() && !value.is_empty()))
}

/// Whether a local branch of that name exists.
pub fn branch_exists(sh: &Shell, repo: &Utf8Path, branch: &str) -> Result<bool> {
    Ok(resolve_commit(sh, repo, &format!("refs/heads/{branch}"))?.is_some())
}

/// Which of `paths` differ from HEAD, untracked files included.
pub fn changed_paths(sh: &Shell, repo: &Utf8Path, paths: &[&str]) -> Result<Vec<String>> {
    let mut args = vec!["status", "--porcelain", "--untracked-files=all", "--"];
    args.extend_from_slice(paths);
    let text = git(repo, &args).read(sh)?;
    Ok(text
        .lines()
        .filter_map(|line| line.get(3..))
        .map(str::to_string)
        .collect())
}

/// `git status --porcelain` lines of `paths`, untracked files included.
pub fn status_of_paths(sh: &Shell, repo: &Utf8Path, paths: &[&str]) -> Result<Vec<String>> {
    let mut args = vec!["status", "--porcelain", "--untracked-files=all", "--"];
    args.extend_from_slice(paths);
    let text = git(repo, &args).read(sh)?;
    Ok(text.lines().map(str::to_string).collect())
}

/// Puts `paths` back as HEAD has them, in the index and the working tree (a path HEAD lacks is
/// removed from both): how a step takes back what it wrote and did not commit.
pub fn restore_from_head(repo: &Utf8Path, paths: &[&str]) -> ToolCmd {
    let mut args = vec!["restore", "--source=HEAD", "--staged", "--worktree", "--"];
    args.extend_from_slice(paths);
    git(repo, &args).changes_world()
}

/// `git add -- <paths>`
pub fn add_paths(repo: &Utf8Path, paths: &[&str]) -> ToolCmd {
    let mut args = vec!["add", "--"];
    args.extend_from_slice(paths);
    git(repo, &args).changes_world()
}

/// The patch of a commit, for people to read.
pub fn show_commit(repo: &Utf8Path, commit: &str) -> ToolCmd {
    git(
        repo,
        &[
            "show",
            "--no-color",
            "--format=commit %H%n%n    %s",
            commit,
            "--",
        ],
    )
}

/// `git init` of a new repository whose first branch is `branch`; `--bare` for a server copy.
pub fn init(dir: &Utf8Path, branch: &str, bare: bool) -> ToolCmd {
    let mut args = vec!["init", "--quiet", "--initial-branch", branch];
    if bare {
        args.push("--bare");
    }
    args.push(dir.as_str());
    ToolCmd::new(Tool::Git, args)
}

/// `git remote add <name> <url>`
pub fn add_remote(repo: &Utf8Path, name: &str, url: &str) -> ToolCmd {
    git(repo, &["remote", "add", name, url])
}

/// Stages everything in the work tree and commits it.
pub fn commit_everything(repo: &Utf8Path, message: &str) -> [ToolCmd; 2] {
    [
        git(repo, &["add", "--all"]),
        git(repo, &["commit", "--quiet", "-m", message]),
    ]
}
/// A commit on top of `base` in which `path` has `content`, made with plumbing only: the
/// working tree, the index and every ref stay as they are, so an interrupted run leaves
/// nothing behind. Returns the new commit's id.
pub fn commit_file(
    sh: &Shell,
    repo: &Utf8Path,
    base: &str,
    path: &str,
    content: &[u8],
    message: &str,
) -> Result<String> {
    let blob = git(repo, &["hash-object", "-w", "--stdin"])
        .stdin(content.to_vec())
        .read(sh)?;
    let mode = git(
        repo,
        &["ls-tree", "--format=%(objectmode)", base, "--", path],
    )
    .read(sh)
    .ok()
    .filter(|mode| !mode.is_empty())
    .unwrap_or_else(|| "100644".into());
    let scratch = tempfile::tempdir().context("cannot create a temporary directory")?;
    let index = scratch.path().join("index");
    git(repo, &["read-tree", base])
        .env("GIT_INDEX_FILE", index.as_os_str())
        .run(sh)?;
    let entry = format!("{mode},{blob},{path}");
    git(repo, &["update-index", "--add", "--cacheinfo", &entry])
        .env("GIT_INDEX_FILE", index.as_os_str())
        .run(sh)?;
    let tree = git(repo, &["write-tree"])
        .env("GIT_INDEX_FILE", index.as_os_str())
        .read(sh)?;
    git(repo, &["commit-tree", &tree, "-p", base, "-m", message]).read(sh)
}
/// The files git tracks in the working tree, relative to its top.
pub fn tracked_files(sh: &Shell, repo: &Utf8Path) -> Result<Vec<String>> {
    let output = git(repo, &["ls-files", "-z"]).run(sh)?;
    Ok(output
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

#[cfg(test)]
mod tests;
