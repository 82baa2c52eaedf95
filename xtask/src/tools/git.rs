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

use std::io::Read;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use xshell::Shell;

use super::{Tool, ToolCmd};

pub mod adopt;

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
    if !output.status.success() {
        return Ok(None);
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

/// One entry of a recursive tree listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    /// `100644`, `100755`, `120000` (symlink) or `160000` (submodule).
    pub mode: String,
    pub object: String,
    pub path: String,
}

/// Hands every blob (and submodule) of the commit's tree, recursively, to `each`, in git's
/// order (by path, bytewise). The listing is streamed: nothing is held but the current entry.
pub fn ls_tree(
    sh: &Shell,
    repo: &Utf8Path,
    commit: &str,
    each: &mut dyn FnMut(TreeEntry) -> Result<()>,
) -> Result<()> {
    use std::io::BufRead;
    let listing = git(repo, &["ls-tree", "-r", "-z", "--full-tree", commit]);
    let mut command = listing.std_command(sh)?;
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command
        .spawn()
        .with_context(|| format!("cannot start `{listing}`"))?;
    let output = child.stdout.take().context("no stdout for git ls-tree")?;
    let mut output = std::io::BufReader::with_capacity(256 * 1024, output);
    let mut record = Vec::new();
    let streamed = (|| -> Result<()> {
        loop {
            record.clear();
            if output.read_until(0, &mut record)? == 0 {
                return Ok(());
            }
            if record.last() == Some(&0) {
                record.pop();
            }
            if !record.is_empty() {
                each(tree_entry(&record, commit)?)?;
            }
        }
    })();
    if streamed.is_err() {
        let _ = child.kill();
    }
    let mut errors = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut errors);
    }
    let status = child.wait().context("git ls-tree did not finish")?;
    streamed?;
    if !status.success() {
        bail!("`{listing}` failed: {}", errors.trim());
    }
    Ok(())
}

/// One `git ls-tree -z` record: `<mode> <type> <object>\t<path>`.
fn tree_entry(record: &[u8], commit: &str) -> Result<TreeEntry> {
    let tab = record
        .iter()
        .position(|b| *b == b'\t')
        .context("unexpected `git ls-tree` output: no tab")?;
    let (meta, path) = (&record[..tab], &record[tab + 1..]);
    let path = String::from_utf8(path.to_vec()).map_err(|err| {
        anyhow::anyhow!(
            "the tree of {commit} has a file name that is not UTF-8 ({:?}): rename it in git \
             (a source release needs portable names)",
            String::from_utf8_lossy(err.as_bytes())
        )
    })?;
    let meta = String::from_utf8_lossy(meta);
    let mut fields = meta.split(' ');
    let (Some(mode), Some(_kind), Some(object)) = (fields.next(), fields.next(), fields.next())
    else {
        bail!("unexpected `git ls-tree` output: {meta}");
    };
    Ok(TreeEntry {
        mode: mode.to_string(),
        object: object.to_string(),
        path,
    })
}

/// The answers of `git check-attr` for the paths of a file (NUL-ended, the order kept), as
/// the commit's own `.gitattributes` decide. The attributes are read from the commit's
/// `.gitattributes` files through a temporary index that holds only them (a whole tree's index
/// would cost git memory in proportion to the tree), never from the working tree, and the
/// user's global attribute files are switched off so every machine decides the same. The
/// answers are streamed.
pub struct AttributeAnswers {
    _scratch: tempfile::TempDir,
    child: Child,
    output: std::io::BufReader<ChildStdout>,
    attributes: Vec<String>,
    field: Vec<u8>,
}

impl AttributeAnswers {
    pub fn start(
        sh: &Shell,
        repo: &Utf8Path,
        attribute_files: std::fs::File,
        paths: std::fs::File,
        attributes: &[&str],
    ) -> Result<AttributeAnswers> {
        let scratch = tempfile::tempdir().context("cannot create a temporary directory")?;
        let index = scratch.path().join("index");
        // `attribute_files` lists them as `<mode> <object>\t<path>\0`, which --index-info takes.
        let mut update_index = git(repo, &["update-index", "-z", "--index-info"])
            .env("GIT_INDEX_FILE", index.as_os_str())
            .std_command(sh)?;
        let status = update_index
            .stdin(Stdio::from(attribute_files))
            .status()
            .context("cannot start `git update-index`")?;
        if !status.success() {
            bail!("cannot read the .gitattributes files into a temporary index (git update-index failed, see above)");
        }
        let mut args = vec![
            "-c",
            "core.attributesFile=",
            "check-attr",
            "--cached",
            "-z",
            "--stdin",
        ];
        args.extend_from_slice(attributes);
        let mut command = git(repo, &args)
            .env("GIT_INDEX_FILE", index.as_os_str())
            .env("GIT_ATTR_NOSYSTEM", "1")
            // Its input is a file, so the answers need no flush after each path.
            .env("GIT_FLUSH", "0")
            .std_command(sh)?;
        command
            .stdin(Stdio::from(paths))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().context("cannot start `git check-attr`")?;
        let output = child
            .stdout
            .take()
            .context("no stdout for git check-attr")?;
        Ok(AttributeAnswers {
            _scratch: scratch,
            child,
            output: std::io::BufReader::with_capacity(256 * 1024, output),
            attributes: attributes.iter().map(|a| a.to_string()).collect(),
            field: Vec::new(),
        })
    }

    /// Whether the next path, which must be `path`, has each attribute set (in the order
    /// asked).
    pub fn next(&mut self, path: &str) -> Result<Vec<bool>> {
        let mut set = Vec::with_capacity(self.attributes.len());
        for attribute in &self.attributes {
            let answered_path = nul_field(&mut self.output, &mut self.field)? == path.as_bytes();
            let answered_attribute =
                nul_field(&mut self.output, &mut self.field)? == attribute.as_bytes();
            if !answered_path || !answered_attribute {
                bail!("git check-attr answered out of order where {path} was expected");
            }
            let value = nul_field(&mut self.output, &mut self.field)?;
            set.push(value != b"unspecified" && value != b"unset");
        }
        Ok(set)
    }
}

/// The next NUL-ended field of `git check-attr -z` output.
fn nul_field<'a>(output: &mut impl std::io::BufRead, field: &'a mut Vec<u8>) -> Result<&'a [u8]> {
    field.clear();
    output
        .read_until(0, field)
        .context("git check-attr stopped answering")?;
    if field.pop() != Some(0) {
        bail!("git check-attr stopped answering early");
    }
    Ok(field)
}

impl Drop for AttributeAnswers {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A running `git cat-file --batch` that streams the blobs of a list given up front, in that
/// order: a feeder thread writes every request at once, so there is no round trip per file,
/// and the content is streamed, so memory stays flat whatever the size of the repository.
pub struct BlobReader {
    child: Child,
    feeder: Option<std::thread::JoinHandle<std::io::Result<()>>>,
    output: std::io::BufReader<ChildStdout>,
}

impl BlobReader {
    pub fn start(
        sh: &Shell,
        repo: &Utf8Path,
        objects: impl Iterator<Item = Result<String>> + Send + 'static,
    ) -> Result<BlobReader> {
        let mut command = git(repo, &["cat-file", "--batch"]).std_command(sh)?;
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command
            .spawn()
            .context("cannot start `git cat-file --batch`")?;
        let mut input: ChildStdin = child.stdin.take().context("no stdin for git cat-file")?;
        let output = child.stdout.take().context("no stdout for git cat-file")?;
        let feeder = std::thread::spawn(move || {
            use std::io::Write;
            let mut input = std::io::BufWriter::new(&mut input);
            for object in objects {
                // A listing that cannot be read fails the reading side too, which reports it.
                let object = object.map_err(std::io::Error::other)?;
                writeln!(input, "{object}")?;
            }
            input.flush()
            // Dropping stdin here ends cat-file once it has answered everything.
        });
        Ok(BlobReader {
            child,
            feeder: Some(feeder),
            output: std::io::BufReader::with_capacity(256 * 1024, output),
        })
    }

    /// Reads the next blob, which must be `object`, and hands it to `consume` as a reader of
    /// exactly its size.
    pub fn with_blob<T>(
        &mut self,
        object: &str,
        consume: impl FnOnce(u64, &mut dyn Read) -> Result<T>,
    ) -> Result<T> {
        use std::io::BufRead;
        let mut header = String::new();
        self.output
            .read_line(&mut header)
            .context("git cat-file stopped answering")?;
        let mut fields = header.split_whitespace();
        let (Some(id), Some(kind), Some(size)) = (fields.next(), fields.next(), fields.next())
        else {
            bail!("git cannot read object {object}: {}", header.trim());
        };
        if id != object {
            bail!("git cat-file answered {id} where {object} was expected");
        }
        if kind != "blob" {
            bail!("object {object} is a {kind}, not a file");
        }
        let size: u64 = size
            .parse()
            .with_context(|| format!("unexpected git cat-file header `{}`", header.trim()))?;
        let mut content = (&mut self.output).take(size);
        let result = consume(size, &mut content)?;
        // Whatever the consumer left unread, then the newline that ends each object.
        std::io::copy(&mut content, &mut std::io::sink())?;
        let mut newline = [0u8; 1];
        self.output
            .read_exact(&mut newline)
            .context("git cat-file output ended early")?;
        Ok(result)
    }
}

impl Drop for BlobReader {
    fn drop(&mut self) {
        // Stop cat-file (its stdout is no longer read, which also unblocks the feeder) and
        // wait, so no zombie or thread is left.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(feeder) = self.feeder.take() {
            let _ = feeder.join();
        }
    }
}

/// `2.47.3` from `git --version`.
pub fn version(sh: &Shell) -> Result<String> {
    let text = ToolCmd::new(Tool::Git, ["--version"]).read(sh)?;
    Ok(text.rsplit(' ').next().unwrap_or_default().to_string())
}

/// The URL of a remote, or `None` when the repository has no remote of that name.
/// `git fetch <remote>`: brings branches and tags of the remote up to date.
pub fn fetch(repo: &Utf8Path, remote: &str) -> ToolCmd {
    git(repo, &["fetch", "--quiet", "--tags", remote])
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
    // Refuses a remote whose URL carries credentials before anything prints or uses it.
    remote_url(sh, repo, remote)?;
    let peeled = format!("{full_ref}^{{}}");
    let text = git(repo, &["ls-remote", remote, full_ref, &peeled])
        .read(sh)
        .with_context(|| format!("cannot read the refs of remote `{remote}`: check its URL"))?;
    let mut plain = None;
    for line in text.lines() {
        let Some((id, name)) = line.split_once('\t') else {
            continue;
        };
        if name == peeled {
            return Ok(Some(id.to_string()));
        }
        if name == full_ref {
            plain = Some(id.to_string());
        }
    }
    Ok(plain)
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
    git(repo, &["branch", "--no-track", name, commit])
}

/// `git push <remote> <refspec>`
pub fn push(repo: &Utf8Path, remote: &str, refspec: &str) -> ToolCmd {
    git(repo, &["push", "--quiet", remote, refspec])
}

/// `git checkout <branch>`
pub fn checkout(repo: &Utf8Path, branch: &str) -> ToolCmd {
    git(repo, &["checkout", "--quiet", branch, "--"])
}

/// `git merge --ff-only <commit>`: brings the checked-out branch up to `commit`.
pub fn fast_forward(repo: &Utf8Path, commit: &str) -> ToolCmd {
    git(repo, &["merge", "--quiet", "--ff-only", commit])
}

/// Commits the given tracked files with `message`.
pub fn commit_paths(repo: &Utf8Path, paths: &[&str], message: &str) -> ToolCmd {
    let mut args = vec!["commit", "--quiet", "-m", message, "--"];
    args.extend_from_slice(paths);
    git(repo, &args)
}

/// `git cherry-pick -x`, with `-m 1` for a merge commit (the change it brought to master).
pub fn cherry_pick(repo: &Utf8Path, commit: &str, is_merge: bool) -> ToolCmd {
    let mut args = vec!["cherry-pick", "-x"];
    if is_merge {
        args.extend_from_slice(&["-m", "1"]);
    }
    args.push(commit);
    git(repo, &args)
}

pub fn cherry_pick_abort(repo: &Utf8Path) -> ToolCmd {
    git(repo, &["cherry-pick", "--abort"])
}

/// Finishes a cherry-pick whose conflicts the user resolved, keeping the prepared message.
pub fn cherry_pick_continue(repo: &Utf8Path) -> ToolCmd {
    git(
        repo,
        &["-c", "core.editor=true", "cherry-pick", "--continue"],
    )
}

pub fn cherry_pick_in_progress(sh: &Shell, repo: &Utf8Path) -> Result<bool> {
    Ok(resolve_commit(sh, repo, "CHERRY_PICK_HEAD")?.is_some())
}

/// Files with unresolved conflicts.
pub fn unmerged_files(sh: &Shell, repo: &Utf8Path) -> Result<Vec<String>> {
    let text = git(repo, &["diff", "--name-only", "--diff-filter=U"]).read(sh)?;
    Ok(text.lines().map(str::to_string).collect())
}

/// The parents of a commit.
pub fn parents(sh: &Shell, repo: &Utf8Path, commit: &str) -> Result<Vec<String>> {
    let text = git(repo, &["rev-list", "--parents", "-n", "1", commit, "--"]).read(sh)?;
    Ok(text
        .split_whitespace()
        .skip(1)
        .map(str::to_string)
        .collect())
}

/// The commits of a range (`a..b`), newest first.
pub fn rev_list(sh: &Shell, repo: &Utf8Path, range: &str) -> Result<Vec<String>> {
    let text = git(repo, &["rev-list", range, "--"]).read(sh)?;
    Ok(text.lines().map(str::to_string).collect())
}

/// `count` commits from `commit` back along first parents (the main branch's own line),
/// newest first.
pub fn first_parents(
    sh: &Shell,
    repo: &Utf8Path,
    commit: &str,
    count: usize,
) -> Result<Vec<String>> {
    let count = count.to_string();
    let args = [
        "rev-list",
        "--first-parent",
        "--max-count",
        &count,
        commit,
        "--",
    ];
    let text = git(repo, &args).read(sh)?;
    Ok(text.lines().map(str::to_string).collect())
}

/// Author name, author email and message of a commit: what a rebase keeps.
pub fn authorship(sh: &Shell, repo: &Utf8Path, commit: &str) -> Result<(String, String, String)> {
    let text = git(
        repo,
        &["log", "-1", "--format=%an%x00%ae%x00%B", commit, "--"],
    )
    .read(sh)?;
    let mut parts = text.splitn(3, '\0');
    let mut next = || parts.next().unwrap_or_default().to_string();
    Ok((next(), next(), next()))
}

/// The full message of a commit.
pub fn message(sh: &Shell, repo: &Utf8Path, commit: &str) -> Result<String> {
    git(repo, &["log", "-1", "--format=%B", commit, "--"]).read(sh)
}

/// The stable patch id of the change a commit brought against its first parent (the change a
/// merge brought to master), or `None` for a root commit or one that changes nothing.
pub fn patch_id(sh: &Shell, repo: &Utf8Path, commit: &str) -> Result<Option<String>> {
    let Some(parent) = parents(sh, repo, commit)?.into_iter().next() else {
        return Ok(None);
    };
    let diff = git(repo, &["diff-tree", "-p", "--no-color", &parent, commit]).run(sh)?;
    let text = git(repo, &["patch-id", "--stable"])
        .stdin(diff.stdout)
        .read(sh)?;
    Ok(text.split_whitespace().next().map(str::to_string))
}

/// Every tag of the repository.
pub fn tags(sh: &Shell, repo: &Utf8Path) -> Result<Vec<String>> {
    let text = git(repo, &["tag", "--list"]).read(sh)?;
    Ok(text.lines().map(str::to_string).collect())
}

/// `git tag -s -u <key>`: a signed annotated tag.
pub fn signed_tag(repo: &Utf8Path, key: &str, tag: &str, message: &str, commit: &str) -> ToolCmd {
    git(repo, &["tag", "-s", "-u", key, "-m", message, tag, commit])
}

/// `git verify-tag --raw`: gpg's status lines come on stderr.
pub fn verify_tag(repo: &Utf8Path, tag: &str) -> ToolCmd {
    git(repo, &["verify-tag", "--raw", tag])
}

/// The content of `path` in `commit`, or `None` when the commit has no such file.
pub fn file_at(sh: &Shell, repo: &Utf8Path, commit: &str, path: &str) -> Result<Option<Vec<u8>>> {
    let spec = format!("{commit}:{path}");
    let output = git(repo, &["cat-file", "blob", "--end-of-options", &spec]).output(sh)?;
    if !output.status.success() {
        return Ok(None);
    }
    Ok(Some(output.stdout))
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

/// The content of `path` at `rev` as text, or `None` when the file is not there.
pub fn text_file_at(sh: &Shell, repo: &Utf8Path, rev: &str, path: &str) -> Result<Option<String>> {
    let Some(bytes) = file_at(sh, repo, rev, path)? else {
        return Ok(None);
    };
    let text =
        String::from_utf8(bytes).with_context(|| format!("{path} at {rev} is not UTF-8 text"))?;
    Ok(Some(text))
}

/// One commit of a range, as `changelog` reads it.
#[derive(Debug, Clone)]
pub struct LogEntry {
    pub author: String,
    pub subject: String,
    pub body: String,
}

/// The commits reachable from `to` but not from `from` (all of `to` when `from` is `None`),
/// oldest first, merge commits left out (their changes are in the commits they merge).
pub fn log(sh: &Shell, repo: &Utf8Path, from: Option<&str>, to: &str) -> Result<Vec<LogEntry>> {
    let range = match from {
        Some(from) => format!("{from}..{to}"),
        None => to.to_string(),
    };
    let text = git(
        repo,
        &[
            "log",
            "--no-merges",
            "--reverse",
            "--format=%an%x1f%s%x1f%b%x1e",
            &range,
            "--",
        ],
    )
    .read(sh)?;
    let mut entries = Vec::new();
    for record in text.split('\x1e') {
        let record = record.trim_start_matches('\n');
        if record.is_empty() {
            continue;
        }
        let mut fields = record.splitn(3, '\x1f');
        let (Some(author), Some(subject), body) = (fields.next(), fields.next(), fields.next())
        else {
            bail!("unexpected `git log` output: {record}");
        };
        entries.push(LogEntry {
            author: author.to_string(),
            subject: subject.to_string(),
            body: body.unwrap_or_default().trim().to_string(),
        });
    }
    Ok(entries)
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

/// `git add -- <paths>`
pub fn add_paths(repo: &Utf8Path, paths: &[&str]) -> ToolCmd {
    let mut args = vec!["add", "--"];
    args.extend_from_slice(paths);
    git(repo, &args)
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
