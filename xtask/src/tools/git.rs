//! Every `git` command line of the tool.

use std::collections::BTreeSet;
use std::io::Read;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use xshell::Shell;

use super::{Tool, ToolCmd};

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

/// Every blob (and submodule) of the commit's tree, recursively.
pub fn ls_tree(sh: &Shell, repo: &Utf8Path, commit: &str) -> Result<Vec<TreeEntry>> {
    let output = git(repo, &["ls-tree", "-r", "-z", "--full-tree", commit]).run(sh)?;
    let mut entries = Vec::new();
    for record in output.stdout.split(|b| *b == 0).filter(|r| !r.is_empty()) {
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
        entries.push(TreeEntry {
            mode: mode.to_string(),
            object: object.to_string(),
            path,
        });
    }
    Ok(entries)
}

/// The paths among `paths` that the commit's own `.gitattributes` mark with `attribute`
/// (`export-ignore`, `export-subst`). The attributes are read from the commit's tree through a
/// temporary index, never from the working tree, and the user's global attribute files are
/// switched off so every machine decides the same.
pub fn paths_with_attribute(
    sh: &Shell,
    repo: &Utf8Path,
    commit: &str,
    paths: &[&str],
    attribute: &str,
) -> Result<BTreeSet<String>> {
    let scratch = tempfile::tempdir().context("cannot create a temporary directory")?;
    let index = scratch.path().join("index");
    let read_tree = git(repo, &["read-tree", commit])
        .env("GIT_INDEX_FILE", index.as_os_str())
        .run(sh);
    read_tree.context("cannot read the release tree into a temporary index")?;
    let mut input = Vec::new();
    for path in paths {
        input.extend_from_slice(path.as_bytes());
        input.push(0);
    }
    let output = git(
        repo,
        &[
            "-c",
            "core.attributesFile=",
            "check-attr",
            "--cached",
            "-z",
            "--stdin",
            attribute,
        ],
    )
    .env("GIT_INDEX_FILE", index.as_os_str())
    .env("GIT_ATTR_NOSYSTEM", "1")
    .stdin(input)
    .run(sh)?;
    let fields: Vec<&[u8]> = output.stdout.split(|b| *b == 0).collect();
    let mut marked = BTreeSet::new();
    for triple in fields.chunks(3) {
        if let [path, _attribute, value] = triple {
            if *value != b"unspecified" && *value != b"unset" {
                marked.insert(String::from_utf8_lossy(path).into_owned());
            }
        }
    }
    Ok(marked)
}

/// A running `git cat-file --batch`: blobs are requested one at a time and their content is
/// streamed, so memory stays flat whatever the size of the repository.
pub struct BlobReader {
    child: Child,
    input: ChildStdin,
    output: std::io::BufReader<ChildStdout>,
}

impl BlobReader {
    pub fn start(sh: &Shell, repo: &Utf8Path) -> Result<BlobReader> {
        let mut command = git(repo, &["cat-file", "--batch"]).std_command(sh)?;
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command
            .spawn()
            .context("cannot start `git cat-file --batch`")?;
        let input = child.stdin.take().context("no stdin for git cat-file")?;
        let output = child.stdout.take().context("no stdout for git cat-file")?;
        Ok(BlobReader {
            child,
            input,
            output: std::io::BufReader::with_capacity(256 * 1024, output),
        })
    }

    /// Asks for one object and hands its content to `consume` as a reader of exactly its size.
    pub fn with_blob<T>(
        &mut self,
        object: &str,
        consume: impl FnOnce(u64, &mut dyn Read) -> Result<T>,
    ) -> Result<T> {
        use std::io::{BufRead, Write};
        writeln!(self.input, "{object}").context("git cat-file stopped reading")?;
        self.input.flush().context("git cat-file stopped reading")?;
        let mut header = String::new();
        self.output
            .read_line(&mut header)
            .context("git cat-file stopped answering")?;
        let mut fields = header.split_whitespace();
        let (Some(_id), Some(kind), Some(size)) = (fields.next(), fields.next(), fields.next())
        else {
            bail!("git cannot read object {object}: {}", header.trim());
        };
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
        // Closing stdin ends cat-file; wait so no zombie is left.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `2.47.3` from `git --version`.
pub fn version(sh: &Shell) -> Result<String> {
    let text = ToolCmd::new(Tool::Git, ["--version"]).read(sh)?;
    Ok(text.rsplit(' ').next().unwrap_or_default().to_string())
}

/// A value of the git configuration as the repository sees it (`user.name`), if set.
pub fn config_value(sh: &Shell, repo: &Utf8Path, key: &str) -> Result<Option<String>> {
    let output = git(repo, &["config", "--get", key]).output(sh)?;
    let value = String::from_utf8_lossy(&output.stdout).trim().to_string();
    Ok(Some(value).filter(|value| output.status.success() && !value.is_empty()))
}

/// Every tag of the repository.
pub fn tags(sh: &Shell, repo: &Utf8Path) -> Result<Vec<String>> {
    let text = git(repo, &["tag", "--list"]).read(sh)?;
    Ok(text.lines().map(str::to_string).collect())
}

/// Whether a local branch of that name exists.
pub fn branch_exists(sh: &Shell, repo: &Utf8Path, branch: &str) -> Result<bool> {
    Ok(resolve_commit(sh, repo, &format!("refs/heads/{branch}"))?.is_some())
}

/// The content of `path` at `rev`, or `None` when the file is not there.
pub fn file_at(sh: &Shell, repo: &Utf8Path, rev: &str, path: &str) -> Result<Option<String>> {
    let spec = format!("{rev}:{path}");
    let output = git(repo, &["cat-file", "-p", "--end-of-options", &spec]).output(sh)?;
    if !output.status.success() {
        return Ok(None);
    }
    let text = String::from_utf8(output.stdout)
        .with_context(|| format!("{path} at {rev} is not UTF-8 text"))?;
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

/// `git switch -c <branch>`: a new branch from HEAD, checked out.
pub fn switch_new_branch(repo: &Utf8Path, branch: &str) -> ToolCmd {
    git(repo, &["switch", "-c", branch])
}

/// `git add -- <path>`
pub fn add(repo: &Utf8Path, path: &str) -> ToolCmd {
    git(repo, &["add", "--", path])
}

/// `git commit -m <message>` of what is staged.
pub fn commit(repo: &Utf8Path, message: &str) -> ToolCmd {
    git(repo, &["commit", "-q", "-m", message])
}

/// The patch of the last commit, for people to read.
pub fn show_last_commit(repo: &Utf8Path) -> ToolCmd {
    git(
        repo,
        &["show", "--no-color", "--format=commit %H%n%n    %s", "HEAD"],
    )
}
