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

//! What an archive unpacks to: the tree `verify`'s reader reports, and the trees GNU tar,
//! bsdtar and Python's tarfile (with and without the `data` filter) really write to disk.
//! Shared by tests/archive_differential.rs and the `archive_differential` fuzz target.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use asf_release::archive::checks::{Checker, Rules};
use asf_release::archive::excludes::Excludes;
use asf_release::archive::paths::normalise;
use asf_release::archive::reader::{read_archive, BlobHasher, Hashing, Kind, Limits, ObjectFormat};

/// One path of an unpacked tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Dir,
    File {
        size: u64,
        /// The git blob id of the content.
        blob: String,
        /// The owner may execute it.
        executable: bool,
    },
    Symlink(String),
    /// Anything else on disk (a FIFO, a device).
    Other(String),
}

/// Paths (`/`-separated, relative to the extraction directory) and what they are.
pub type Tree = BTreeMap<String, Node>;

/// The tree the reader and the `paths` rules accept, or why they refuse the archive.
pub fn reported(tgz: &[u8]) -> Result<Tree, String> {
    let nothing = Excludes::new(&[], "none").map_err(|e| e.to_string())?;
    let mut checker = Checker::new(Rules {
        top_dir: "top".into(),
        top_dir_alternative: None,
        incubating: false,
        binary_allow: nothing.clone(),
        license_header_excludes: nothing,
        atr_headers: false,
    });
    let mut tree = Tree::new();
    let limits = Limits {
        max_tar_bytes: 64 * 1024 * 1024,
        max_entries: 100_000,
    };
    let read = read_archive(
        tgz,
        Hashing::everything(ObjectFormat::Sha1),
        limits,
        &|_| false,
        &mut |entry| {
            checker.visit(&entry);
            let Some(path) = normalise(&entry.path).filter(|p| !p.is_empty()) else {
                return Ok(());
            };
            let node = match &entry.kind {
                Kind::Dir => Node::Dir,
                Kind::File { executable } => Node::File {
                    size: entry.size,
                    blob: entry.blob_id.clone().unwrap_or_default(),
                    executable: *executable,
                },
                Kind::Symlink { target } => Node::Symlink(target.clone()),
            };
            let mut end = 0;
            while let Some(slash) = path[end..].find('/') {
                tree.entry(path[..end + slash].to_string())
                    .or_insert(Node::Dir);
                end += slash + 1;
            }
            tree.insert(path, node);
            Ok(())
        },
    );
    read.map_err(|err| format!("the reader refuses it: {err:#}"))?;
    let refused: Vec<String> = checker
        .finish()
        .into_iter()
        .filter(|finding| finding.rule == "paths")
        .map(|finding| finding.to_string())
        .collect();
    if refused.is_empty() {
        Ok(tree)
    } else {
        Err(format!("the path rules refuse it: {}", refused.join("; ")))
    }
}

/// The extractors a voter uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extractor {
    GnuTar,
    Bsdtar,
    /// Python's tarfile, no filter (the default before Python 3.14).
    Python,
    /// Python's tarfile with `filter="data"`.
    PythonData,
}

const PYTHON_EXTRACT: &str = r#"
import sys, tarfile
archive, into, mode = sys.argv[1:4]
with tarfile.open(archive) as tar:
    if mode == "data":
        tar.extractall(into, filter="data")
    elif hasattr(tarfile, "fully_trusted_filter"):
        tar.extractall(into, filter="fully_trusted")
    else:
        tar.extractall(into)
"#;

impl Extractor {
    pub const ALL: [Extractor; 4] = [
        Extractor::GnuTar,
        Extractor::Bsdtar,
        Extractor::Python,
        Extractor::PythonData,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Extractor::GnuTar => "GNU tar",
            Extractor::Bsdtar => "bsdtar",
            Extractor::Python => "Python tarfile",
            Extractor::PythonData => "Python tarfile (filter='data')",
        }
    }

    /// Whether the tool is installed (the `data` filter needs Python 3.8.17, 3.9.17, 3.10.12,
    /// 3.11.4, 3.12 or later).
    pub fn available(self) -> bool {
        let mut command = match self {
            Extractor::GnuTar => {
                let mut c = Command::new("tar");
                c.arg("--version");
                c
            }
            Extractor::Bsdtar => {
                let mut c = Command::new("bsdtar");
                c.arg("--version");
                c
            }
            Extractor::Python => {
                let mut c = Command::new("python3");
                c.args(["-c", "import tarfile"]);
                c
            }
            Extractor::PythonData => {
                let mut c = Command::new("python3");
                c.args(["-c", "import tarfile; tarfile.data_filter"]);
                c
            }
        };
        let output = command.output();
        let ok = output.as_ref().is_ok_and(|o| o.status.success());
        let gnu = match self {
            Extractor::GnuTar => output
                .as_ref()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("GNU tar")),
            _ => true,
        };
        ok && gnu
    }

    fn command(self, archive: &Path, into: &Path) -> Command {
        let mut command = match self {
            Extractor::GnuTar => {
                let mut c = Command::new("tar");
                c.arg("-xzf").arg(archive).arg("-C").arg(into);
                c
            }
            Extractor::Bsdtar => {
                let mut c = Command::new("bsdtar");
                c.arg("-xzf").arg(archive).arg("-C").arg(into);
                c
            }
            Extractor::Python | Extractor::PythonData => {
                let mut c = Command::new("python3");
                c.args(["-c", PYTHON_EXTRACT]).arg(archive).arg(into).arg(
                    if self == Extractor::PythonData {
                        "data"
                    } else {
                        "trusted"
                    },
                );
                c
            }
        };
        command.env("LC_ALL", "C.UTF-8");
        command
    }

    /// Unpacks `archive` in a fresh directory under `sandbox` (two levels deep, so that a name
    /// with `../` lands inside `sandbox`, where it is seen) and reads back what it wrote.
    pub fn unpack(self, archive: &Path, sandbox: &Path) -> Result<Tree, String> {
        let into = sandbox.join("a/b/out");
        std::fs::create_dir_all(&into).map_err(|e| e.to_string())?;
        let output = self
            .command(archive, &into)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.name()))?;
        let escaped = outside(sandbox, &into);
        if !escaped.is_empty() {
            return Err(format!("wrote outside its directory: {escaped:?}"));
        }
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let last = stderr.lines().rev().take(3).collect::<Vec<_>>();
            return Err(format!("failed ({}): {}", output.status, last.join(" | ")));
        }
        let mut tree = Tree::new();
        walk(&into, "", &mut tree)?;
        Ok(tree)
    }
}

/// What lies in `sandbox` besides the directories leading to `into`.
fn outside(sandbox: &Path, into: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut dir = sandbox.to_path_buf();
    for part in into.strip_prefix(sandbox).into_iter().flat_map(Path::iter) {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if entry.file_name() != part {
                found.push(entry.path().display().to_string());
            }
        }
        dir.push(part);
    }
    found
}

fn walk(dir: &Path, prefix: &str, tree: &mut Tree) -> Result<(), String> {
    // Extractors keep the archive's modes: make what they wrote readable before reading it.
    let meta = std::fs::symlink_metadata(dir).map_err(|e| e.to_string())?;
    let mode = meta.permissions().mode();
    let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode | 0o700));
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .flatten()
        .collect();
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let key = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let meta = std::fs::symlink_metadata(&path).map_err(|e| e.to_string())?;
        let kind = meta.file_type();
        if kind.is_symlink() {
            let target = std::fs::read_link(&path).map_err(|e| e.to_string())?;
            tree.insert(key, Node::Symlink(target.to_string_lossy().into_owned()));
        } else if kind.is_dir() {
            tree.insert(key.clone(), Node::Dir);
            walk(&path, &key, tree)?;
        } else if kind.is_file() {
            let mode = meta.permissions().mode();
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode | 0o400));
            let content = std::fs::read(&path).map_err(|e| e.to_string())?;
            let mut hasher = BlobHasher::new(ObjectFormat::Sha1, content.len() as u64);
            hasher.update(&content);
            tree.insert(
                key,
                Node::File {
                    size: content.len() as u64,
                    blob: hasher.finish(),
                    executable: mode & 0o100 != 0,
                },
            );
        } else {
            tree.insert(key, Node::Other(format!("{kind:?}")));
        }
    }
    Ok(())
}

/// The differences between the reported tree and an unpacked one, one line each.
pub fn differences(reported: &Tree, unpacked: &Tree) -> Vec<String> {
    let mut lines = Vec::new();
    for (path, node) in reported {
        match unpacked.get(path) {
            None => lines.push(format!("{path:?}: reported {node:?}, not unpacked")),
            Some(other) if other != node => {
                lines.push(format!("{path:?}: reported {node:?}, unpacked {other:?}"))
            }
            Some(_) => {}
        }
    }
    for (path, node) in unpacked {
        if !reported.contains_key(path) {
            lines.push(format!("{path:?}: unpacked {node:?}, never reported"));
        }
    }
    lines
}

/// How `extractor` disagrees with the reader on `tgz` (stored at `file`): `None` when the
/// reader refuses the archive (a refusal is always safe) or the trees are the same.
pub fn disagreement(
    tgz: &[u8],
    file: &Path,
    extractor: Extractor,
    sandbox: &Path,
) -> Option<String> {
    let reported = reported(tgz).ok()?;
    match extractor.unpack(file, sandbox) {
        Err(err) => Some(format!("{}: {err}", extractor.name())),
        Ok(unpacked) => {
            let lines = differences(&reported, &unpacked);
            (!lines.is_empty()).then(|| format!("{}: {}", extractor.name(), lines.join("; ")))
        }
    }
}
