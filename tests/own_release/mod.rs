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

//! A project's own release of a tag, made by its own process wherever this machine can run
//! it (its Makefile target, its release script with the steps that need Docker, the network
//! or a signature switched off), else computed from its own script's assignments or its Maven
//! assembly descriptor; and the comparison with what `package` made, where every difference
//! must be named with the reason it is right.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::World;

/// How the project makes its source release.
pub enum Own {
    /// `make <target> VERSION=<version>` in a checkout of the tag leaves `archive`
    /// (`{version}` put in); `vote_script` writes the vote mail (`vote_mail`), which links the
    /// candidate's directory.
    Make {
        target: &'static str,
        archive: &'static str,
        vote_script: Option<(&'static str, &'static str)>,
    },
    /// The release script, run with these arguments (`{version}`, `{rc}`, `{tag}`, `{out}`
    /// put in); it leaves `<out>/<candidate directory>/<archive>`.
    Script {
        script: &'static str,
        args: &'static [&'static str],
    },
    /// The script cannot run here (it needs the network): its own assignments of these
    /// variables, evaluated by bash with `version` and `rc` set, give the archive's prefix,
    /// its name and the candidate's URL; the archive is the `git archive` the script makes.
    GitArchive {
        script: &'static str,
        prefix: &'static str,
        archive: &'static str,
        url: &'static str,
    },
    /// Maven's source assembly: the descriptor's file sets over the tag's tree, its id and
    /// formats, its base directory; the candidate directory the Commons Release Plugin stages.
    Assembly { descriptor: &'static str },
    /// No release process in the repository to compare with.
    Nothing,
}

/// What a release is, for the comparison.
#[derive(Debug, Default)]
pub struct Release {
    pub artifact: String,
    /// `None`: the files are at the archive's top level.
    pub top_dir: Option<String>,
    pub files: BTreeSet<String>,
    /// `None`: the process does not say.
    pub candidate_dir: Option<String>,
}

/// One difference between `package` and the project's own release, and why it is right.
pub enum Difference {
    /// A path (or a directory, ending in `/`) only `package` ships. (Nothing the project
    /// ships is left out by `package` on these repositories; that would be a failure.)
    Extra(&'static str, &'static str),
    TopDir(&'static str),
    CandidateDir(&'static str),
}

/// The archive's entries (`tar -tzf`): files and links, without directories.
pub fn entries(world: &World, archive: &Path) -> Vec<String> {
    world
        .ok(world.command("tar").arg("-tzf").arg(archive))
        .lines()
        .filter(|line| !line.ends_with('/'))
        .map(str::to_string)
        .collect()
}

/// `entries` split into the top directory (when they share one) and the paths under it.
pub fn split_top(entries: &[String]) -> (Option<String>, BTreeSet<String>) {
    let plain: Vec<&str> = entries.iter().map(|e| e.trim_start_matches("./")).collect();
    let first = plain
        .first()
        .and_then(|e| e.split_once('/'))
        .map(|(top, _)| top);
    match first {
        Some(top) if plain.iter().all(|e| e.starts_with(&format!("{top}/"))) => (
            Some(top.to_string()),
            plain
                .iter()
                .map(|e| e[top.len() + 1..].to_string())
                .collect(),
        ),
        _ => (None, plain.iter().map(|e| e.to_string()).collect()),
    }
}

fn fill(pattern: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(pattern.to_string(), |text, (key, value)| {
            text.replace(&format!("{{{key}}}"), value)
        })
}

/// A fresh clone of the bare repository at `tag`, for the project's process to run in.
fn checkout_at(world: &World, bare: &Path, tag: &str, dir: &str) -> PathBuf {
    let work = world.path(dir);
    world.ok(world
        .command("git")
        .args(["clone", "-q"])
        .arg(bare)
        .arg(&work));
    world.git(&work, &["checkout", "-q", tag]);
    work
}

/// The project's own release of `tag` (candidate `rc`).
pub fn make(
    world: &World,
    bare: &Path,
    own: &Own,
    version: &str,
    tag: &str,
    rc: u32,
) -> Option<Release> {
    let rc = rc.to_string();
    let values = [("version", version), ("rc", rc.as_str()), ("tag", tag)];
    match own {
        Own::Nothing => None,
        Own::Make {
            target,
            archive,
            vote_script,
        } => {
            let work = checkout_at(world, bare, tag, "own-make");
            // `--ignore-errors`: GNU tar ends with status 1 when the archive it writes lies in
            // the directory it reads ("file changed as we read it"), as `make release-src`
            // has it; the archive is whole, and the steps after it must still run.
            let output = world
                .command("make")
                .arg("--ignore-errors")
                .arg(target)
                .arg(format!("VERSION={version}"))
                .current_dir(&work)
                .output()
                .unwrap();
            let archive = work.join(fill(archive, &values));
            assert!(
                archive.is_file(),
                "make {target} made no {}: {}",
                archive.display(),
                String::from_utf8_lossy(&output.stderr)
            );
            let (top_dir, files) = split_top(&entries(world, &archive));
            let candidate_dir = vote_script.map(|(script, vote_mail)| {
                world.ok(world
                    .command("bash")
                    .arg(script)
                    .arg(version)
                    .current_dir(&work));
                let mail = std::fs::read_to_string(work.join(fill(vote_mail, &values))).unwrap();
                let at = mail
                    .find("dist/dev/")
                    .expect("the vote mail names dist/dev");
                let rest = &mail[at..];
                let url = rest.split_whitespace().next().unwrap_or(rest);
                let parts: Vec<&str> = url.trim_end_matches('/').split('/').collect();
                parts[parts.len() - 1].to_string()
            });
            Some(Release {
                artifact: archive.file_name().unwrap().to_string_lossy().into_owned(),
                top_dir,
                files,
                candidate_dir,
            })
        }
        Own::Script { script, args } => {
            let work = checkout_at(world, bare, tag, "own-script");
            let out = world.path("own-out");
            let out_text = out.to_string_lossy().into_owned();
            let mut all = vec![("out", out_text.as_str())];
            all.extend(values);
            let args: Vec<String> = args.iter().map(|a| fill(a, &all)).collect();
            world.ok(world
                .command("bash")
                .arg(script)
                .args(&args)
                .current_dir(&work));
            let candidate = std::fs::read_dir(&out)
                .unwrap()
                .flatten()
                .next()
                .expect("the script's candidate directory")
                .path();
            let archive = std::fs::read_dir(&candidate)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
                .expect("the script's archive");
            let (top_dir, files) = split_top(&entries(world, &archive));
            Some(Release {
                artifact: archive.file_name().unwrap().to_string_lossy().into_owned(),
                top_dir,
                files,
                candidate_dir: Some(
                    candidate
                        .file_name()
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                ),
            })
        }
        Own::GitArchive {
            script,
            prefix,
            archive,
            url,
        } => {
            let work = checkout_at(world, bare, tag, "own-archive");
            let text = std::fs::read_to_string(work.join(script)).unwrap();
            // The script's own lines assigning these variables, evaluated by bash.
            let assignments: Vec<&str> = text
                .lines()
                .filter(|line| {
                    [prefix, archive, url]
                        .iter()
                        .any(|var| line.starts_with(&format!("{var}=")))
                })
                .collect();
            let program = format!(
                "version={version}\nrc={rc}\n{}\necho \"${{{prefix}}}\"\necho \"${{{archive}}}\"\necho \"${{{url}}}\"\n",
                assignments.join("\n")
            );
            let evaluated = world.ok(world.command("bash").arg("-c").arg(&program));
            let [prefix, name, url] = evaluated.lines().collect::<Vec<_>>()[..] else {
                panic!("{script} did not give a prefix, a name and a URL: {evaluated}");
            };
            let path = world.path(name);
            world.ok(world
                .command("git")
                .arg("-C")
                .arg(&work)
                .args(["archive", "--format=tar.gz", "--prefix"])
                .arg(format!("{prefix}/"))
                .arg("-o")
                .arg(&path)
                .arg(tag));
            let (top_dir, files) = split_top(&entries(world, &path));
            Some(Release {
                artifact: name.to_string(),
                top_dir,
                files,
                candidate_dir: url.rsplit('/').next().map(str::to_string),
            })
        }
        Own::Assembly { descriptor } => Some(assembly(world, bare, descriptor, version, tag)),
    }
}

/// The text of every `<tag>` element.
fn elements<'a>(text: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    text.split(&open)
        .skip(1)
        .filter_map(|part| part.split_once(&close).map(|(inner, _)| inner.trim()))
        .collect()
}

/// Maven's source assembly of the tag, read from the descriptor and pom.xml as the assembly
/// plugin reads them: every file set's directory (all of it, or its includes), the id and the
/// first format in the name, the base directory with its properties put in.
fn assembly(world: &World, bare: &Path, descriptor: &str, version: &str, tag: &str) -> Release {
    let work = checkout_at(world, bare, tag, "own-assembly");
    let pom = std::fs::read_to_string(work.join("pom.xml")).unwrap();
    let property = |name: &str| elements(&pom, name).first().map(|v| v.to_string());
    let without_parent = pom.split("</parent>").last().unwrap();
    let artifact_id = elements(without_parent, "artifactId")[0].to_string();
    let text = std::fs::read_to_string(work.join(descriptor)).unwrap();
    let id = elements(&text, "id")[0];
    let format = elements(&text, "format")[0];
    let base = elements(&text, "baseDirectory")[0]
        .replace("${project.artifactId}", &artifact_id)
        .replace(
            "${commons.release.version}",
            &property("commons.release.version").unwrap(),
        );
    let tracked = world.git(&work, &["ls-files"]);
    let mut files = BTreeSet::new();
    for set in elements(&text, "fileSet") {
        let directory = elements(set, "directory").first().map(|d| d.to_string());
        let includes = elements(set, "include");
        for path in tracked.lines() {
            let taken = match (&directory, includes.is_empty()) {
                (Some(dir), true) => path.starts_with(&format!("{dir}/")),
                (None, false) => includes.contains(&path),
                _ => panic!("a file set this test does not read: {set}"),
            };
            if taken {
                files.insert(path.to_string());
            }
        }
    }
    // The Commons Release Plugin stages `<version>-<commons.rc.version>`.
    let candidate_dir = property("commons.rc.version").map(|rc| format!("{version}-{rc}"));
    Release {
        artifact: format!("{artifact_id}-{version}-{id}.{format}"),
        top_dir: Some(base),
        files,
        candidate_dir,
    }
}

/// Every difference between `ours` and `theirs` that `named` does not name, and every named
/// one that did not occur.
pub fn compare(ours: &Release, theirs: &Release, named: &[Difference]) -> Vec<String> {
    let mut problems = Vec::new();
    let covered = |path: &str, wanted: &str| match wanted.strip_suffix('/') {
        Some(dir) => path.starts_with(&format!("{dir}/")),
        None => path == wanted,
    };
    let extra: Vec<&String> = ours.files.difference(&theirs.files).collect();
    let missing: Vec<&String> = theirs.files.difference(&ours.files).collect();
    let unnamed: Vec<&&String> = extra
        .iter()
        .filter(|path| {
            !named
                .iter()
                .any(|d| matches!(d, Difference::Extra(wanted, _) if covered(path, wanted)))
        })
        .collect();
    if !unnamed.is_empty() {
        problems.push(format!(
            "{} file(s) only package ships, not named as differences: {:?}",
            unnamed.len(),
            unnamed.iter().take(10).collect::<Vec<_>>()
        ));
    }
    if !missing.is_empty() {
        problems.push(format!(
            "{} file(s) the project ships that package leaves out: {:?}",
            missing.len(),
            missing.iter().take(10).collect::<Vec<_>>()
        ));
    }
    for difference in named {
        let occurred = match difference {
            Difference::Extra(wanted, _) => extra.iter().any(|p| covered(p, wanted)),
            Difference::TopDir(_) => ours.top_dir != theirs.top_dir,
            Difference::CandidateDir(_) => ours.candidate_dir != theirs.candidate_dir,
        };
        if !occurred {
            problems.push(format!(
                "a named difference did not occur: {}",
                describe(difference)
            ));
        }
    }
    if ours.artifact != theirs.artifact {
        problems.push(format!(
            "artifact {} where the project makes {}",
            ours.artifact, theirs.artifact
        ));
    }
    let named_top = named.iter().any(|d| matches!(d, Difference::TopDir(_)));
    if ours.top_dir != theirs.top_dir && !named_top {
        problems.push(format!(
            "top directory {:?} where the project's is {:?}",
            ours.top_dir, theirs.top_dir
        ));
    }
    let named_candidate = named
        .iter()
        .any(|d| matches!(d, Difference::CandidateDir(_)));
    if theirs.candidate_dir.is_some()
        && ours.candidate_dir != theirs.candidate_dir
        && !named_candidate
    {
        problems.push(format!(
            "candidate directory {:?} where the project's is {:?}",
            ours.candidate_dir, theirs.candidate_dir
        ));
    }
    problems
}

fn describe(difference: &Difference) -> String {
    match difference {
        Difference::Extra(path, why) => format!("package ships {path}: {why}"),
        Difference::TopDir(why) => format!("top directory: {why}"),
        Difference::CandidateDir(why) => format!("candidate directory: {why}"),
    }
}
