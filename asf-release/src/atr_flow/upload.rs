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

//! `upload` with `dist = "atr"`: the draft release is created when absent, the tarball, its
//! `.asc` and `.sha512` are uploaded unless ATR's latest revision already holds the bytes we
//! sent, an archive held for validation is waited for, then ATR's checks: blockers fail the
//! step, concerns are shown.

use std::cell::RefCell;

use anyhow::{bail, Context, Result};
use camino::Utf8PathBuf;

use super::review::{check_contents, report_checks, require_hash_checks, wait_for_checks};
use super::{acting, load_ledger, save_ledger, shown_get, shown_post, Ledger, Sent, Standing};
use crate::archive::checksum::sha512_file;
use crate::artifacts::Artifacts;
use crate::config::Config;
use crate::plan::Plan;
use crate::tools::atr::{self, Atr, Uploaded};
use crate::untrusted::escape_str;
use crate::version::Candidate;
use crate::Ctx;

/// How long ATR may take to validate an archive or run its checks, in polls.
pub const MAX_POLLS: u32 = 600;
/// How long an archive whose upload got no answer may still be in ATR's validation.
const UNANSWERED_POLLS: u32 = 30;

/// One file of the candidate to stage.
struct Local {
    path: Utf8PathBuf,
    name: String,
    sha512: String,
    size: u64,
}

/// The local files, checked as voters check them: present, and the checksum matches.
fn check_local(artifacts: &Artifacts, rebuild: &str) -> Result<Vec<Local>> {
    artifacts.check_packaged(rebuild)?;
    let mut files = Vec::new();
    for file in artifacts.published() {
        let size = file
            .metadata()
            .with_context(|| format!("cannot read {file}"))?
            .len();
        files.push(Local {
            name: file.file_name().unwrap_or_default().to_string(),
            sha512: sha512_file(&file)?,
            path: file,
            size,
        });
    }
    Ok(files)
}

/// Whether `name` with `sha512` is already in ATR's latest revision because we sent it.
fn already_there(
    ledger: &Ledger,
    name: &str,
    sha512: &str,
    latest: Option<&str>,
    paths: &[String],
) -> bool {
    let Some(sent) = ledger.files.get(name) else {
        return false;
    };
    let newer = match (latest, sent.before.as_deref()) {
        (Some(latest), Some(before)) => latest > before,
        (Some(_), None) => true,
        (None, _) => false,
    };
    sent.sha512 == sha512 && paths.iter().any(|p| p == name) && (sent.confirmed || newer)
}

pub fn run(ctx: &Ctx, config: &Config, candidate: &Candidate, all: &[Artifacts]) -> Result<()> {
    let rebuild = format!(
        "cargo xtask package {} --rc {}",
        candidate.version, candidate.rc
    );
    let dir = config.candidate_artifact_dir(candidate);
    eprintln!(
        "checking the local package in {} ...",
        all.first().and_then(|a| a.tarball.parent()).unwrap_or(&dir)
    );
    // Every artifact of the release (source tarballs, convenience binaries), each with its
    // signature and checksum, in one revision.
    let mut files = Vec::new();
    for artifacts in all {
        files.extend(check_local(artifacts, &rebuild)?);
    }
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let limit = atr::upload_limit();
    let (big, files): (Vec<Local>, Vec<Local>) = files.into_iter().partition(|f| f.size > limit);
    let by_rsync: Vec<String> = big.iter().map(|f| f.name.clone()).collect();
    let client = super::client(ctx, config);
    if !ctx.dry_run {
        client.acting_as()?;
    }
    let (project, text_version) = (config.atr_project.as_str(), candidate.version.to_string());
    let rerun = format!("cargo xtask upload {text_version} --rc {}", candidate.rc);
    let release = client.release(project, &text_version)?;
    let ledger = RefCell::new(load_ledger(config, candidate)?);
    let get = |route: &str| shown_get(&client, route);
    let key = format!("{project}/{text_version}");
    let mut plan = Plan::new(format!("stage {candidate} on ATR ({})", config.atr_url));
    plan.check(get(&format!("/release/get/{key}")));

    let open_vote = match &release {
        Some(r) if r.phase == atr::VOTE => true,
        Some(r) if super::vote_passed(Some(r)) => {
            if ledger.borrow().revision.is_some() {
                println!(
                    "the vote on {text_version} passed on ATR ({}): nothing to upload",
                    r.phase
                );
                return Ok(());
            }
            bail!(
                "{text_version} is past its vote on ATR (phase {}): a voted release is never changed; \
                 release the change as a new version",
                escape_str(&r.phase)
            );
        }
        _ => false,
    };
    if open_vote {
        // Files cannot change in Vote: the latest revision is the one voted on.
        let voted = release
            .as_ref()
            .and_then(|r| r.latest_revision_number.clone());
        let ours = ledger.borrow().clone();
        if ours.vote_revision.is_some() || (ours.revision.is_some() && ours.revision == voted) {
            println!("the vote on {candidate} is open on ATR: nothing to upload");
            return Ok(());
        }
        let staged_by = |n: u32| {
            load_ledger(
                config,
                &Candidate {
                    rc: n,
                    ..*candidate
                },
            )
            .ok()
            .and_then(|l| l.revision)
        };
        let Some(earlier) = (config.first_rc..candidate.rc)
            .rev()
            .find(|n| voted.is_some() && staged_by(*n) == voted)
        else {
            bail!(
                "ATR has an open vote on {text_version} (revision {}) that no candidate under {} \
                 staged: nothing was changed; if that vote should end, end it on ATR, then \
                 rerun",
                escape_str(voted.as_deref().unwrap_or("?")),
                config.out_dir
            );
        };
        // The vote of an earlier candidate: this candidate replaces it.
        plan.local(
            shown_post(
                &client,
                "/vote/resolve",
                &format!("{key}, resolution: failed after the vote period of RC{earlier}, else cancelled"),
            ),
            || end_earlier_vote(&client, project, &text_version),
        );
    }
    if release.is_none() {
        plan.local(
            shown_post(
                &client,
                "/release/create",
                &format!("project: {project}, version: {text_version}"),
            ),
            || {
                client.acting_as()?;
                client.create(project, &text_version).map(|_| ())
            },
        );
    }
    // What the latest revision holds, when it is our draft (else everything goes up again).
    let (latest, paths) = match &release {
        Some(r) if r.phase == atr::DRAFT => {
            let latest = r.latest_revision_number.clone();
            let paths = match &latest {
                Some(n) => client.paths(project, &text_version, n)?,
                None => Vec::new(),
            };
            (latest, paths)
        }
        _ => (None, Vec::new()),
    };
    // A file over the API's limit comes by rsync over SSH (ATR's manual): the draft must have
    // it; ATR's hash check then compares it with the `.sha512` this step sends.
    let absent: Vec<&Local> = big.iter().filter(|f| !paths.contains(&f.name)).collect();
    if let Some(first) = absent.first() {
        let target = format!("<your ASF id>@{}:/{project}/{text_version}/", client.host());
        let message = format!(
            "{} is {} bytes, more than ATR's upload API takes ({limit}): nothing of it was sent. \
             Stage it with rsync over SSH (register an SSH key on {}, then `rsync -av -e 'ssh -p \
             2222' <dir with the file>/ {target}`), then rerun `{rerun}`: it sends \
             the rest, and ATR's hash check compares the file with its .sha512",
            first.name,
            first.size,
            client.page("/keys"),
        );
        plan.local(
            format!(
                "stop: {} over ATR's upload limit, to stage by rsync",
                first.name
            ),
            move || bail!("{message}"),
        );
    }
    for name in by_rsync.iter().filter(|n| paths.contains(n)) {
        eprintln!(
            "  {name}: over ATR's upload limit, in revision {} (staged by rsync); ATR's hash \
             check must match it with {}",
            latest.as_deref().unwrap_or("?"),
            crate::artifacts::SHA512.of(name)
        );
    }
    for Local {
        path,
        name,
        sha512,
        size,
    } in files
    {
        if already_there(&ledger.borrow(), &name, &sha512, latest.as_deref(), &paths) {
            eprintln!(
                "  {name}: ATR's revision {} has these bytes (sent by this candidate): skipped",
                latest.as_deref().unwrap_or("?")
            );
            continue;
        }
        let shown = shown_post(
            &client,
            "/release/upload",
            &format!("{key}, relpath: {name}, content: {size} bytes base64"),
        );
        let ledger = &ledger;
        let client = &client;
        let text_version = &text_version;
        let rerun = &rerun;
        plan.mark_outward();
        plan.local(shown, move || {
            let content = std::fs::read(&path).with_context(|| format!("cannot read {path}"))?;
            client.acting_as()?;
            if let Some(number) = earlier_upload_landed(client, &ledger.borrow(), project, text_version, &name, &sha512)? {
                eprintln!("  {name}: the earlier upload, unanswered, became revision {number}: not sent again");
                if let Some(sent) = ledger.borrow_mut().files.get_mut(&name) {
                    sent.confirmed = true;
                }
                return save_ledger(config, candidate, &ledger.borrow());
            }
            let before = client.release(project, text_version)?.and_then(|r| r.latest_revision_number);
            ledger.borrow_mut().files.insert(name.clone(), Sent { sha512, before: before.clone(), confirmed: false });
            save_ledger(config, candidate, &ledger.borrow())?;
            let number = match client.upload(project, text_version, &name, &content) {
                Ok(Uploaded::Revision(revision)) => revision.number,
                Ok(Uploaded::Quarantined) => {
                    eprintln!("  {name}: ATR validates the archive first (\"archive validation in progress\")");
                    wait_for_revision(client, project, text_version, before.as_deref(), &name)?
                }
                Err(err) if refused_replace(&err) => {
                    // Nothing was stored: the rerun after the deletion sends it.
                    ledger.borrow_mut().files.remove(&name);
                    save_ledger(config, candidate, &ledger.borrow())?;
                    return Err(err.context(format!(
                        "ATR already has a file {name} in the draft of {text_version}, and its \
                         API (2025's) does not replace a file: nothing was stored for it; delete \
                         the earlier candidate's files on {}, then rerun `{rerun}`: it sends \
                         only what is missing",
                        client.compose_page(project, text_version)
                    )));
                }
                Err(err) => return Err(err),
            };
            eprintln!("  {name}: revision {number}");
            if let Some(sent) = ledger.borrow_mut().files.get_mut(&name) {
                sent.confirmed = true;
            }
            save_ledger(config, candidate, &ledger.borrow())
        });
    }
    plan.local(
        format!(
            "check that the latest revision holds exactly these files ({}), then wait for \
             ATR's checks of it ({})",
            get(&format!("/release/paths/{key}/<revision>")),
            get(&format!("/checks/ongoing/{key}/<revision>"))
        ),
        || {
            let number = client
                .release(project, &text_version)?
                .and_then(|r| r.latest_revision_number)
                .context("ATR names no revision of the release after the upload: rerun the step")?;
            // ATR's checks are shown first; a file that is not ours explains its blockers.
            let contents = check_contents(&client, project, &text_version, &number, &names);
            wait_for_checks(&client, project, &text_version, &number)?;
            let (blocking, blockers) = report_checks(&client, project, &text_version, &number)?;
            contents.with_context(|| format!("RC{} is not staged", candidate.rc))?;
            require_hash_checks(&client, project, &text_version, &number, &by_rsync)?;
            if blocking.iter().any(|checker| checker == "signature.check") {
                bail!(
                    "ATR found {blockers} blocker(s) in revision {number}, among them its \
                     signature check: no key linked to the committee on ATR verifies the .asc \
                     files. Link the signing key with `cargo xtask keys append`, delete the .asc \
                     files on {}, then rerun `{rerun}`: it sends them again and ATR checks them anew",
                    client.compose_page(project, &text_version)
                );
            }
            if blockers > 0 {
                bail!(
                    "ATR found {blockers} blocker(s) in revision {number}: ATR refuses the vote \
                     until they are fixed; fix the package, make the next candidate and upload it"
                );
            }
            // The candidate counts as staged once its checks passed.
            ledger.borrow_mut().revision = Some(number);
            save_ledger(config, candidate, &ledger.borrow())
        },
    );
    plan.execute_confirmed(ctx)?;
    if !ctx.dry_run {
        let revision = ledger.borrow().revision.clone().unwrap_or_default();
        println!("staged {candidate} on ATR: {project} {text_version}, revision {revision}");
        println!("  {}", acting(&client));
    }
    Ok(())
}

/// Where the upload of RC `rc` stands on ATR.
pub fn state(ctx: &Ctx, config: &Config, candidate: &Candidate) -> Result<Standing> {
    let release = super::release(ctx, config, &candidate.version)?;
    let ledger = load_ledger(config, candidate)?;
    let staged = |detail: String| Ok(Standing { done: true, detail });
    match (&release, &ledger.revision) {
        (Some(r), _) if super::vote_passed(Some(r)) => {
            staged(format!("voted on ATR ({})", escape_str(&r.phase)))
        }
        (Some(r), Some(ours)) if r.phase == atr::VOTE && ledger.vote_revision.is_some() => {
            staged(format!("revision {ours} on ATR, under vote"))
        }
        (Some(r), Some(ours))
            if r.phase == atr::DRAFT && r.latest_revision_number.as_ref() == Some(ours) =>
        {
            staged(format!("revision {ours} on ATR, checked"))
        }
        _ => Ok(Standing {
            done: false,
            detail: format!(
                "stage RC{} on ATR ({} {})",
                candidate.rc, config.atr_project, candidate.version
            ),
        }),
    }
}

/// Ends the open vote of an earlier candidate: `failed` once its period is over, else
/// `cancelled` (2025's ATR knows only passed/failed).
fn end_earlier_vote(client: &Atr, project: &str, version: &str) -> Result<()> {
    client.acting_as()?;
    let release = client.release(project, version)?;
    let started = release
        .as_ref()
        .and_then(|r| r.vote_started.as_deref())
        .and_then(super::epoch_of);
    let now = crate::clock::now()?;
    let over = started.is_some_and(|s| now >= s + crate::tally::VOTE_HOURS * 3600);
    let first = if over { "failed" } else { "cancelled" };
    match client.resolve(project, version, first) {
        Err(err) if first == "cancelled" && atr::status_of(&err) == Some(400) => {
            client.resolve(project, version, "failed")
        }
        result => result,
    }
    .context("the open vote of the earlier candidate could not be ended on ATR")
}

/// 2025's ATR refuses to upload a path the draft already has (500, no revision); 2026's
/// replaces the file in a new revision.
fn refused_replace(err: &anyhow::Error) -> bool {
    atr::status_of(err).is_some() && err.to_string().contains("File already exists")
}

/// After an upload that got no answer (the run was killed, the connection dropped): the
/// revision it made, waiting a while for an archive ATR may still be validating.
fn earlier_upload_landed(
    client: &Atr,
    ledger: &Ledger,
    project: &str,
    version: &str,
    name: &str,
    sha512: &str,
) -> Result<Option<String>> {
    let Some(sent) = ledger
        .files
        .get(name)
        .filter(|s| !s.confirmed && s.sha512 == sha512)
    else {
        return Ok(None);
    };
    let archive = [".tar.gz", ".tgz", ".zip"]
        .iter()
        .any(|e| name.ends_with(e));
    let polls = if archive { UNANSWERED_POLLS } else { 1 };
    match poll_for_revision(
        client,
        project,
        version,
        sent.before.as_deref(),
        name,
        polls,
    )? {
        Some(number) => Ok(Some(number)),
        None => Ok(None),
    }
}

/// Polls `release/get` until a revision newer than `before` holds `name`.
fn wait_for_revision(
    client: &Atr,
    project: &str,
    version: &str,
    before: Option<&str>,
    name: &str,
) -> Result<String> {
    if let Some(number) = poll_for_revision(client, project, version, before, name, MAX_POLLS)? {
        return Ok(number);
    }
    bail!(
        "ATR made no revision with {name} after validating it: it is still validating, or it \
         discarded the archive (it must unpack, at most 2 GiB); rerun the step: it uploads \
         only what is missing"
    )
}

fn poll_for_revision(
    client: &Atr,
    project: &str,
    version: &str,
    before: Option<&str>,
    name: &str,
    polls: u32,
) -> Result<Option<String>> {
    for _ in 0..polls {
        std::thread::sleep(client.pause());
        let latest = client
            .release(project, version)?
            .and_then(|r| r.latest_revision_number);
        if let Some(latest) = latest.filter(|l| Some(l.as_str()) > before) {
            if client
                .paths(project, version, &latest)?
                .iter()
                .any(|p| p == name)
            {
                return Ok(Some(latest));
            }
        }
    }
    Ok(None)
}
