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

//! What the world cannot show (the version and candidate in progress, kept under out-dir),
//! and the release being worked on, chosen from the arguments, that memory and the tags.

use anyhow::{bail, Context, Result};
use camino::{Utf8Path, Utf8PathBuf};
use serde::{Deserialize, Serialize};

use super::ReleaseArgs;
use crate::config::Config;
use crate::tools::git;
use crate::version::{Candidate, Line, Version};
use crate::Ctx;

/// What the world cannot show: the version and candidate in progress. Kept under out-dir
/// (git-ignored `target/` by default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Memory {
    version: Option<Version>,
    rc: Option<u32>,
    /// The candidate whose failed vote `--next-rc` answered, so a repeated flag goes on with
    /// the candidate it started instead of starting another.
    failed_rc: Option<u32>,
    pub(super) finished: bool,
}

/// [`Memory`] as its file holds it: the version as text, so the files of earlier runs load.
#[derive(Serialize, Deserialize)]
struct Saved {
    version: Option<String>,
    rc: Option<u32>,
    failed_rc: Option<u32>,
    finished: bool,
}

pub(super) fn memory_path(config: &Config, line: Line) -> Utf8PathBuf {
    config.out_dir.join(format!("release-{line}.json"))
}

pub(super) fn load_memory(config: &Config, line: Line) -> Result<Memory> {
    let path = memory_path(config, line);
    match std::fs::read_to_string(&path) {
        Ok(text) => Memory::read(&text, &path),
        Err(_) => Ok(Memory::default()),
    }
}

pub(super) fn save_memory(config: &Config, line: Line, memory: &Memory) -> Result<()> {
    let path = memory_path(config, line);
    std::fs::create_dir_all(&config.out_dir)
        .with_context(|| format!("cannot create {}", config.out_dir))?;
    let temp = Utf8PathBuf::from(format!("{path}.partial"));
    std::fs::write(&temp, memory.text()?).with_context(|| format!("cannot write {temp}"))?;
    std::fs::rename(&temp, &path).with_context(|| format!("cannot write {path}"))
}

impl Memory {
    /// The memory in the file `path` holds `text`: the version is parsed here, once.
    fn read(text: &str, path: &Utf8Path) -> Result<Memory> {
        let saved: Saved = serde_json::from_str(text).with_context(|| {
            format!(
                "{path} is damaged: delete it, the release state is read from git and svn again"
            )
        })?;
        let version = match saved.version.map(|text| text.parse::<Version>()) {
            Some(Ok(version)) => Some(version),
            // A finished release's version is never read again: the next one starts afresh.
            Some(Err(_)) if saved.finished => None,
            Some(Err(err)) => {
                return Err(err.context(format!("{path} holds a bad version: delete it")))
            }
            None => None,
        };
        Ok(Memory {
            version,
            rc: saved.rc,
            failed_rc: saved.failed_rc,
            finished: saved.finished,
        })
    }

    /// The file's text, as [`Memory::read`] reads it.
    fn text(&self) -> Result<String> {
        let saved = Saved {
            version: self.version.map(|version| version.to_string()),
            rc: self.rc,
            failed_rc: self.failed_rc,
            finished: self.finished,
        };
        Ok(serde_json::to_string_pretty(&saved)? + "\n")
    }
}

/// The release being worked on: version and candidate, from the arguments, the memory and
/// the tags.
pub(super) struct Target {
    pub(super) line: Line,
    pub(super) candidate: Candidate,
}

/// The releases and the candidates of a line that have tags, sorted.
struct LineTags {
    releases: Vec<Version>,
    candidates: Vec<Candidate>,
}

fn tags_of(ctx: &Ctx, config: &Config, line: Line) -> Result<LineTags> {
    let mut tags = LineTags {
        releases: Vec::new(),
        candidates: Vec::new(),
    };
    for tag in git::tags(&ctx.sh, &ctx.repo)? {
        match config.parse_tag(&tag) {
            Some((version, None)) if version.line() == line => tags.releases.push(version),
            Some((version, Some(rc))) if version.line() == line => {
                tags.candidates.push(Candidate { version, rc })
            }
            _ => {}
        }
    }
    tags.releases.sort();
    tags.candidates.sort();
    Ok(tags)
}

pub(super) fn choose_target(
    ctx: &Ctx,
    config: &Config,
    args: &ReleaseArgs,
    memory: &mut Memory,
) -> Result<Target> {
    let line = args.line;
    let LineTags {
        releases: finals,
        candidates,
    } = tags_of(ctx, config, line)?;
    let remembered = memory.version.filter(|_| !memory.finished);
    let version = match (args.version, remembered) {
        (Some(version), _) => version,
        (None, Some(version)) => version,
        (None, None) => {
            // A candidate newer than every release is in progress; else the next patch.
            let newest_final = finals.last().copied();
            let in_progress = candidates
                .iter()
                .map(|candidate| candidate.version)
                .filter(|v| newest_final.is_none_or(|f| *v > f))
                .max();
            match (in_progress, newest_final) {
                (Some(version), _) => version,
                // A line of one number (the Apache parent POM's 39) holds one release: once
                // made, the line is where that release stands (the next, 40, is a line of
                // its own).
                (None, Some(last)) if line.minor().is_none() && !last.is_pre_release() => last,
                (None, Some(last)) => last.next_patch().with_context(|| {
                    format!(
                        "the release after {last} is not implied: give it after the line, like \
                         `cargo xtask release {line} <VERSION>`"
                    )
                })?,
                (None, None) => line.first_version(),
            }
        }
    };
    if version.line() != line {
        bail!(
            "version {version} is not on the line {line}: use `release {}`",
            version.line()
        );
    }
    if memory.version != Some(version) || memory.finished {
        *memory = Memory {
            version: Some(version),
            ..Memory::default()
        };
    }
    let highest_rc = candidates
        .iter()
        .filter(|candidate| candidate.version == version)
        .map(|candidate| candidate.rc)
        .max();
    let rc = match (args.rc, args.next_rc) {
        (Some(rc), _) => config.check_rc(rc)?,
        (None, true) => match (memory.failed_rc, memory.rc) {
            (Some(failed), Some(rc)) if Some(rc) == failed.checked_add(1) => rc,
            _ => {
                let Some(last) = highest_rc else {
                    bail!("there is no candidate of {version} yet: --next-rc starts a new one after a failed vote; run `cargo xtask release {line}`");
                };
                let vote = crate::records::MailKind::Vote;
                let voted = vote.path(config, &version, last);
                // Where an earlier version of the tool kept it counts too.
                if !voted.exists() && !vote.old_path(config, &version, last).exists() {
                    bail!("RC{last} of {version} has not been put to a vote yet ({voted} is missing): finish it with `cargo xtask release {line}` instead of starting the next candidate");
                }
                let next = config.next_rc(&version, Some(last))?;
                memory.failed_rc = Some(last);
                next
            }
        },
        (None, false) => match memory.rc.or(highest_rc) {
            Some(rc) => rc,
            None => config.next_rc(&version, None)?,
        },
    };
    memory.rc = Some(rc);
    Ok(Target {
        line,
        candidate: Candidate { version, rc },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PATH: &str = "target/asf-release/release-1.0.json";

    #[test]
    fn the_file_of_an_earlier_run_loads_and_saves_unchanged() {
        let text = "{\n  \"version\": \"1.0.0\",\n  \"rc\": 2,\n  \"failed_rc\": 1,\n  \"finished\": false\n}\n";
        let memory = Memory::read(text, Utf8Path::new(PATH)).unwrap();
        assert_eq!(memory.version, Some("1.0.0".parse().unwrap()));
        assert_eq!(memory.text().unwrap(), text);
        let empty = "{\n  \"version\": null,\n  \"rc\": null,\n  \"failed_rc\": null,\n  \"finished\": false\n}\n";
        assert_eq!(Memory::default().text().unwrap(), empty);
    }

    #[test]
    fn a_bad_version_stops_unless_the_release_is_finished() {
        let bad = |finished: bool| {
            format!("{{\"version\": \"v1.0\", \"rc\": 1, \"failed_rc\": null, \"finished\": {finished}}}")
        };
        let err = Memory::read(&bad(false), Utf8Path::new(PATH)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("{PATH} holds a bad version: delete it")
        );
        let finished = Memory::read(&bad(true), Utf8Path::new(PATH)).unwrap();
        assert_eq!(finished.version, None);
    }
}
