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

//! The step contract, end to end: every step of the flow, taken in the order `status` names
//! them, runs first with `--dry-run` and then for real on the same world, and the real run
//! executes exactly the actions the dry run printed (the runner logs each action it executes).
//! Commands that change the world cannot run outside a plan at all (the tool modules mark them),
//! so nothing a real run changes can be missing from its dry run. Every step that changes what
//! others see first runs without `--yes` and must refuse, executing nothing, naming the command
//! to rerun.

mod common;

use std::process::Output;

use asf_release::config::Dist;
use asf_release::demo::{land_fix_on_master, write_vote_thread, Sandbox};
use camino::Utf8PathBuf;
use common::*;

fn xtask(sandbox: &Sandbox, args: &[&str], log: Option<&Utf8PathBuf>) -> Output {
    match log {
        Some(log) => in_sandbox(sandbox, args, &[("XTASK_ACTION_LOG", log.as_str())]),
        None => in_sandbox(sandbox, args, &[]),
    }
}

/// A temporary file's random name, which differs from run to run, made one placeholder.
fn without_temp_names(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("/.tmp") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 5..];
        let len = tail
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(tail.len());
        out.push_str("/<temp>");
        rest = &tail[len..];
    }
    out.push_str(rest);
    out
}

/// The numbered actions of every plan a dry run printed.
fn planned(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("  ")?;
            let (number, action) = rest.split_once(". ")?;
            number
                .parse::<u32>()
                .ok()
                .map(|_| without_temp_names(action))
        })
        .collect()
}

#[test]
fn every_step_runs_exactly_what_its_dry_run_printed() {
    contract(Dist::Svn);
}

/// The same through ATR (`dist = "atr"`, the ATR stand-in): its calls are the plan's actions.
#[test]
fn every_step_on_atr_runs_exactly_what_its_dry_run_printed() {
    contract(Dist::Atr);
}

fn contract(dist: Dist) {
    let world = World::new();
    let dir = Utf8PathBuf::from_path_buf(world.path("sandbox")).unwrap();
    let sandbox = Sandbox::build_for(dir, dist).expect("the sandbox builds");
    let log = sandbox.path("actions.log");
    let mut flags: Vec<String> = vec!["release".into(), "1.0".into(), "1.0.0".into()];
    let mut seen = Vec::new();
    let mut refused_outward: Vec<String> = Vec::new();
    for _ in 0..40 {
        let mut status_args: Vec<&str> = flags.iter().map(String::as_str).collect();
        status_args[0] = "status";
        status_args.push("--json");
        let status = xtask(&sandbox, &status_args, None);
        assert!(status.status.success(), "{}", stderr(&status));
        let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
        let steps = report["steps"].as_array().unwrap();
        // A backport stays to do until the candidate is tagged: once run, the flow goes on.
        let ran_backport = seen.iter().any(|s| s == "backport");
        let Some(next) = steps
            .iter()
            .find(|s| s["state"] != "done" && !(ran_backport && s["step"] == "backport"))
        else {
            break;
        };
        let name = next["step"].as_str().unwrap().to_string();
        // The text `status` says the same as its JSON, phase after phase.
        status_args.pop();
        let text = stdout(&xtask(&sandbox, &status_args, None));
        let expected = match next["state"].get("blocked") {
            Some(why) => format!("next: {}", why.as_str().unwrap()),
            None => format!("next: {}", next["command"].as_str().unwrap()),
        };
        // (Until the tag, `status` names the backport, which this walk already ran, as next.)
        let backport_first = ran_backport && text.contains("backport       next");
        if !backport_first {
            assert!(text.contains(&expected), "{expected}\n{text}");
        }
        // The last step waits for a person to confirm it: the test confirms it like one.
        if next["state"].get("blocked").is_some() && name != "report" {
            match name.as_str() {
                "tally" => {
                    let (mbox, roster) = write_vote_thread(&sandbox, "1.0.0", 1, true).unwrap();
                    if let Some(atr) = &sandbox.atr {
                        atr.feed_thread("1.0.0", &std::fs::read_to_string(&mbox).unwrap());
                        atr.later(80);
                    }
                    flags.extend([
                        "--mbox".into(),
                        mbox.to_string(),
                        "--roster".into(),
                        roster.to_string(),
                    ]);
                }
                "download-page" => {
                    flags.extend(["--website".into(), sandbox.website.to_string()]);
                }
                _ => panic!("blocked at {name}: {next}"),
            }
            continue;
        }
        if name == "backport" && !seen.contains(&name) {
            land_fix_on_master(&sandbox, 4).unwrap();
        }
        let command: Vec<String> = next["command"]
            .as_str()
            .unwrap()
            .strip_prefix("cargo xtask ")
            .unwrap()
            .split(' ')
            .map(String::from)
            .collect();
        let mut args: Vec<&str> = command.iter().map(String::as_str).collect();
        // A step others see asks first: without a terminal and without --yes it refuses,
        // executes nothing and names the command to rerun; the test then says yes as CI does.
        if next["outward"] == true {
            let refused = xtask(&sandbox, &args, Some(&log));
            let said = stderr(&refused);
            assert!(!refused.status.success(), "{name} ran without --yes");
            let rerun = format!(
                "rerun with --yes: `cargo xtask --repo {} {} --yes`",
                sandbox.project(),
                args.join(" ")
            );
            assert!(
                said.contains("no one can confirm it here (no terminal)") && said.contains(&rerun),
                "{name}: {said}"
            );
            // Reading the remote (`git fetch`) comes first; nothing else may have run.
            let executed = std::fs::read_to_string(&log).unwrap_or_default();
            assert!(
                executed
                    .lines()
                    .all(|line| line.contains(" fetch --quiet --tags ")),
                "{name} executed actions without --yes: {executed}"
            );
            std::fs::remove_file(&log).ok();
            refused_outward.push(name.clone());
            args.push("--yes");
        }
        let mut dry_args = vec!["--dry-run"];
        dry_args.extend(&args);
        let dry = xtask(&sandbox, &dry_args, Some(&log));
        assert!(dry.status.success(), "dry run of {name}: {}", stderr(&dry));
        assert!(
            !log.exists(),
            "the dry run of {name} executed actions: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        let plan = planned(&stdout(&dry));
        let real = xtask(&sandbox, &args, Some(&log));
        assert!(
            real.status.success(),
            "{name}: {}{}",
            stdout(&real),
            stderr(&real)
        );
        let executed: Vec<String> = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(without_temp_names)
            .collect();
        std::fs::remove_file(&log).ok();
        assert!(
            !executed.is_empty() || name == "milestone",
            "{name} did nothing"
        );
        assert_eq!(
            executed, plan,
            "{name}: the real run differs from its dry run"
        );
        seen.push(name);
    }
    for step in [
        "branch",
        "backport",
        "changelog",
        "version",
        "tag",
        "package",
        "keys",
        "upload",
        "vote-mail",
        "result-mail",
        "promote",
        "release-tag",
        "download-page",
        "github-release",
        "downloads",
        "announce",
        "report",
    ] {
        // On ATR the resolved vote leaves the files in ATR's finish phase (nothing to
        // promote), and they reach the downloads through the announcement (nothing to wait
        // for before it).
        if dist == Dist::Atr && (step == "promote" || step == "downloads") {
            continue;
        }
        assert!(seen.iter().any(|s| s == step), "{step} never ran: {seen:?}");
    }
    // Each step that pushes, commits to dist, writes to GitHub or ATR refused to without --yes.
    let outward: &[&str] = match dist {
        Dist::Svn => &[
            "branch",
            "backport",
            "tag",
            "keys",
            "upload",
            "promote",
            "release-tag",
            "github-release",
        ],
        Dist::Atr => &[
            "branch",
            "backport",
            "tag",
            "keys",
            "upload",
            "vote-mail",
            "result-mail",
            "release-tag",
            "github-release",
            "announce",
        ],
    };
    assert_eq!(refused_outward, outward);
    let mut status_args: Vec<&str> = flags.iter().map(String::as_str).collect();
    status_args[0] = "status";
    let last = stdout(&xtask(&sandbox, &status_args, None));
    assert!(
        last.contains("1.0.0 is released and announced: nothing to do")
            && last.contains("next: the patch release 1.0.1"),
        "{last}"
    );
}
