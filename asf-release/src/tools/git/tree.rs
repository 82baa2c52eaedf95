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

//! The readers of a commit's tree: the recursive listing (`ls-tree`), the
//! attributes of its paths (`check-attr`), its blobs as a stream and one file at a time
//! (`cat-file --batch`).

use std::io::Read;
use std::process::{Child, ChildStdin, ChildStdout, Stdio};

use anyhow::{bail, Context, Result};
use camino::Utf8Path;
use xshell::Shell;

use super::git;

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

/// The content of `path` in `commit`, or `None` when the commit has no such file.
pub fn file_at(sh: &Shell, repo: &Utf8Path, commit: &str, path: &str) -> Result<Option<Vec<u8>>> {
    let spec = format!("{commit}:{path}");
    if spec.contains('\n') {
        // `--batch` reads one name per line: such a name is read the plain way.
        let output = git(repo, &["cat-file", "blob", "--end-of-options", &spec]).output(sh)?;
        return Ok(output.status.success().then_some(output.stdout));
    }
    // `--batch` answers "<spec> missing" for a file or revision that is not there and exits 0,
    // so a failure is git failing, never taken for "no such file".
    let output = git(repo, &["cat-file", "--batch"])
        .stdin(format!("{spec}\n").into_bytes())
        .output(sh)?;
    let failed = |why: &str| {
        anyhow::anyhow!(
            "`git cat-file` of {path} at {commit} failed: {why}; check the repository and rerun"
        )
    };
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(failed(&crate::untrusted::escape_str(stderr.trim())));
    }
    let out = output.stdout;
    let end = out
        .iter()
        .position(|&b| b == b'\n')
        .ok_or_else(|| failed("no answer"))?;
    let header = String::from_utf8_lossy(&out[..end]);
    if header == format!("{spec} missing") {
        return Ok(None);
    }
    let fields: Vec<&str> = header.split(' ').collect();
    let [id, kind, size] = fields[..] else {
        return Err(failed(&crate::untrusted::escape_str(&header)));
    };
    let size: usize = match (id.bytes().all(|b| b.is_ascii_hexdigit()), size.parse()) {
        (true, Ok(size)) => size,
        _ => return Err(failed(&crate::untrusted::escape_str(&header))),
    };
    if kind != "blob" {
        // A directory, or a submodule's commit: not a file.
        return Ok(None);
    }
    let body = out
        .get(end + 1..end + 1 + size)
        .ok_or_else(|| failed("the content was cut short"))?;
    Ok(Some(body.to_vec()))
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

/// The content of `path` at `rev` as text when it is a file of at most `limit` bytes; `None`
/// when it is not there, is larger, or is not UTF-8 (its size is asked before it is read).
pub fn small_text_file_at(
    sh: &Shell,
    repo: &Utf8Path,
    rev: &str,
    path: &str,
    limit: u64,
) -> Result<Option<String>> {
    let spec = format!("{rev}:{path}");
    if spec.contains('\n') {
        return Ok(None);
    }
    let output = git(repo, &["cat-file", "--batch-check"])
        .stdin(format!("{spec}\n").into_bytes())
        .output(sh)?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!(
            "`git cat-file --batch-check` of {path} at {rev} failed: {}; check the repository \
             and rerun",
            crate::untrusted::escape_str(stderr.trim())
        );
    }
    let header = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<&str> = header.split_whitespace().collect();
    let [_, "blob", size] = fields[..] else {
        return Ok(None);
    };
    match size.parse::<u64>() {
        Ok(size) if size <= limit => {}
        _ => return Ok(None),
    }
    Ok(file_at(sh, repo, rev, path)?.and_then(|bytes| String::from_utf8(bytes).ok()))
}
