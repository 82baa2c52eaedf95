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

//! The fault sweep: one phase of the release flow, run once cleanly to number its external
//! calls (every git, gpg, svn and svnmucc process, and every request to the GitHub and ATR
//! stand-ins, in one count), then once per call with that call failing (a tool exiting 1; a
//! request refused with 503 before the service acts, and, as a second point, cut after it
//! acted), each followed by the reruns a release manager would make. Every run must end in the
//! clean run's final state.
//!
//! Fast without trying fewer calls: each worker builds its sandbox once, brings it to the start
//! of the phase once, and snapshots it (files and the stand-ins' memory); every injection point
//! starts from a restored snapshot. Several workers, each with its own sandbox and stand-ins,
//! run at once (`SWEEP_JOBS`, default: twice the cores, as the runs mostly wait on processes).
//! `FAULT_EVERY=N` tries every N-th point (the default of `cargo test` samples; CI's sweep runs
//! them all with `FAULT_EVERY=1`).

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use asf_release::config::Dist;
use asf_release::demo::faults::{HttpFault, HttpFaults};
use asf_release::demo::Sandbox;

use super::*;

/// One phase of one route of the flow, as the sweep runs it.
pub struct Route {
    pub name: &'static str,
    pub dist: Dist,
    /// Release branches that require reviewed pull requests.
    pub protected: bool,
    /// Brings a fresh sandbox to the start of the phase (not faulted).
    pub prepare: fn(&Sandbox),
    /// The faulted part; a run without fault ends with `clean_code`.
    pub run: fn(&Sandbox) -> Output,
    pub clean_code: i32,
    /// After a fault: the reruns to the end of the release; `Err` says what went wrong.
    pub converge: fn(&Sandbox) -> Result<(), String>,
    /// What the end is compared by: [`end_state`] for a release run to its end.
    pub end_state: fn(&Sandbox, &World) -> String,
}

/// An injection point: the call number, and for a request how it fails.
#[derive(Debug, Clone, Copy)]
struct Point {
    at: usize,
    http: Option<HttpFault>,
}

/// The sandbox's directory and the stand-ins' memory at the start of the phase.
struct Snapshot {
    dir: PathBuf,
    github: asf_release::demo::github::State,
    atr: Option<asf_release::demo::atr::State>,
}

fn copy_tree(world: &World, from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    world.ok(world.command("cp").arg("-a").arg(from).arg(to));
}

fn snapshot(world: &World, sandbox: &Sandbox) -> Snapshot {
    let dir = PathBuf::from(format!("{}.snapshot", sandbox.dir));
    copy_tree(world, sandbox.dir.as_std_path(), &dir);
    Snapshot {
        dir,
        github: sandbox.github.snapshot(),
        atr: sandbox.atr.as_ref().map(|atr| atr.snapshot()),
    }
}

fn restore(world: &World, sandbox: &Sandbox, snapshot: &Snapshot) {
    copy_tree(world, &snapshot.dir, sandbox.dir.as_std_path());
    sandbox.github.restore(&snapshot.github);
    if let (Some(atr), Some(state)) = (&sandbox.atr, &snapshot.atr) {
        atr.restore(state);
    }
}

/// Points the sandbox's tools and stand-ins at one counter, the call `at` failing.
fn arm(sandbox: &mut Sandbox, faults: &Faults, point: Point) {
    inject(sandbox, faults, point.at);
    let http = HttpFaults {
        counter: faults.counter.clone(),
        at: point.at,
        kind: point.http.unwrap_or(HttpFault::Refuse),
    };
    sandbox.github.inject_faults(Some(http.clone()));
    if let Some(atr) = &sandbox.atr {
        atr.inject_faults(Some(http));
    }
}

/// What a finished release leaves for others, comparable across sandboxes: [`final_state`],
/// and on the ATR route what ATR holds (revisions made, phase, the mails it sent).
pub fn end_state(sandbox: &Sandbox, world: &World) -> String {
    let mut state = final_state(sandbox, world);
    if let Some(atr) = &sandbox.atr {
        if let Some(release) = atr.release("1.0.0") {
            state.push_str(&format!(
                "\nATR: phase {}, {} revisions made\n",
                release.phase, release.counter
            ));
            for revision in &release.revisions {
                let files: Vec<&String> = revision.files.keys().collect();
                state.push_str(&format!("{} {files:?}\n", revision.number));
            }
        }
        for mail in atr.mails() {
            state.push_str(&format!("ATR mail to {}: {}\n", mail.to, mail.subject));
        }
    }
    state.replace(sandbox.dir.as_str(), "SANDBOX")
}

/// The calls of a clean run, as the counter's log has them: `<n> <tool|http> ...`.
fn points_of(log: &str) -> Vec<Point> {
    let mut points = Vec::new();
    for line in log.lines() {
        let mut words = line.split(' ');
        let Some(at) = words.next().and_then(|n| n.parse().ok()) else {
            continue;
        };
        match words.next() {
            Some("http") => {
                points.push(Point {
                    at,
                    http: Some(HttpFault::Refuse),
                });
                points.push(Point {
                    at,
                    http: Some(HttpFault::Cut),
                });
            }
            _ => points.push(Point { at, http: None }),
        }
    }
    points
}

fn jobs() -> usize {
    std::env::var("SWEEP_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get() * 2)
                .unwrap_or(2)
        })
        .max(1)
}

/// Runs the sweep of `route`, trying every `every`-th point (overridden by `FAULT_EVERY`);
/// panics with every point that did not converge. Returns the figures it printed.
pub fn sweep(route: &Route, every: usize) -> String {
    let every = std::env::var("FAULT_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(every)
        .max(1);
    let started = Instant::now();
    let world = World::new();
    let tools = Faults::new(&world, &["git", "gpg", "svn", "svnmucc"]);

    // The clean run: its calls numbered, its final state the reference.
    let mut clean = route_sandbox(route, &world, "reference");
    (route.prepare)(&clean);
    arm(&mut clean, &tools, Point { at: 0, http: None });
    let output = (route.run)(&clean);
    expect_code(&output, route.clean_code);
    let log = std::fs::read_to_string(tools.log()).unwrap_or_default();
    if let Err(problem) = (route.converge)(&clean) {
        panic!("{}: the clean run does not finish: {problem}", route.name);
    }
    let reference = (route.end_state)(&clean, &world);
    drop(clean);
    let all = points_of(&log);
    let (calls, requests) = (
        all.iter().filter(|p| p.http.is_none()).count(),
        all.iter()
            .filter(|p| p.http == Some(HttpFault::Cut))
            .count(),
    );
    // `SWEEP_AT=61,135` tries only the points at those calls (to rerun what a sweep found).
    let only: Option<Vec<usize>> = std::env::var("SWEEP_AT").ok().map(|list| {
        list.split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect()
    });
    let points: Vec<Point> = match only {
        Some(at) => all.into_iter().filter(|p| at.contains(&p.at)).collect(),
        None => all.into_iter().step_by(every).collect(),
    };

    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let jobs = jobs().min(points.len().max(1));
    std::thread::scope(|scope| {
        for worker in 0..jobs {
            let (world, tools, points, next, failures, reference) =
                (&world, &tools, &points, &next, &failures, &reference);
            scope.spawn(move || {
                let faults = Faults {
                    bin: tools.bin.clone(),
                    counter: world.path(&format!("fault-count-{worker}")),
                };
                let mut sandbox = route_sandbox(route, world, &format!("w{worker}"));
                (route.prepare)(&sandbox);
                let start = snapshot(world, &sandbox);
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    let Some(point) = points.get(index).copied() else {
                        break;
                    };
                    restore(world, &sandbox, &start);
                    if let Err(problem) =
                        try_point(route, world, &mut sandbox, &faults, point, reference)
                    {
                        // Shown at once (a long sweep), and all together at the end.
                        eprintln!("\n{}: {point:?} did not converge: {problem}", route.name);
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("{point:?}: {problem}"));
                    }
                    if (index + 1) % 25 == 0 {
                        eprintln!(
                            "{}: {} of {} points tried",
                            route.name,
                            index + 1,
                            points.len()
                        );
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let figures = format!(
        "{}: {} injection points tried ({calls} tool calls, {requests} requests refused and cut; \
         every {every}), {} converged, in {:.0} s with {jobs} sandboxes",
        route.name,
        points.len(),
        points.len() - failures.len(),
        started.elapsed().as_secs_f64()
    );
    println!("{figures}");
    assert!(
        failures.is_empty(),
        "{}: {} of {} points did not converge:\n{}",
        route.name,
        failures.len(),
        points.len(),
        failures.join("\n\n")
    );
    assert!(
        points.len() >= 4,
        "{}: only {} points",
        route.name,
        points.len()
    );
    figures
}

fn route_sandbox(route: &Route, world: &World, name: &str) -> Sandbox {
    match route.protected {
        true => protected_sandbox_at(world, name, route.dist),
        false => sandbox_at(world, name, route.dist),
    }
}

/// One point: the faulted run, then the reruns; the end must be the reference.
fn try_point(
    route: &Route,
    world: &World,
    sandbox: &mut Sandbox,
    faults: &Faults,
    point: Point,
    reference: &str,
) -> Result<(), String> {
    arm(sandbox, faults, point);
    let faulty = (route.run)(sandbox);
    let calls = faults.calls();
    arm(sandbox, faults, Point { at: 0, http: None });
    if calls < point.at && faulty.status.code() != Some(route.clean_code) {
        return Err(format!(
            "no fault was injected, yet the run ended with {:?}:\n{}",
            faulty.status.code(),
            text(&faulty)
        ));
    }
    (route.converge)(sandbox)
        .map_err(|problem| format!("{problem}\n--- the faulted run:\n{}", text(&faulty)))?;
    let state = (route.end_state)(sandbox, world);
    if state != reference {
        return Err(format!(
            "the end differs from a clean run's:\n{}\n--- the faulted run:\n{}",
            diff(reference, &state),
            text(&faulty)
        ));
    }
    Ok(())
}

/// The lines only one side has.
fn diff(reference: &str, actual: &str) -> String {
    let mut out = String::new();
    for line in reference
        .lines()
        .filter(|l| !actual.lines().any(|a| a == *l))
    {
        out.push_str(&format!("- {line}\n"));
    }
    for line in actual
        .lines()
        .filter(|l| !reference.lines().any(|r| r == *l))
    {
        out.push_str(&format!("+ {line}\n"));
    }
    out
}

/// `args` must end with `code`.
pub fn expect(sandbox: &Sandbox, args: &[&str], code: i32) -> Result<(), String> {
    let output = xtask(sandbox, args);
    match output.status.code() == Some(code) {
        true => Ok(()),
        false => Err(format!(
            "`{}` ended with {:?}, not {code}:\n{}",
            args.join(" "),
            output.status.code(),
            text(&output)
        )),
    }
}

/// `finish` must end the release.
pub fn finished(sandbox: &Sandbox) -> Result<(), String> {
    let output = finish(sandbox, 1);
    match output.status.code() {
        Some(0) => Ok(()),
        code => Err(format!(
            "finishing the release ended with {code:?}:\n{}",
            text(&output)
        )),
    }
}

/// What backport, CHANGELOG and version leave where the release branch takes pull requests:
/// origin's branches and the release branch's commits in order (merges included), every pull
/// request the release opened (head, base, state, labels), the upstream PR's labels, the
/// checkout's branch and changes, and claims left in the out-dir.
pub fn reviewed_state(sandbox: &Sandbox, _world: &World) -> String {
    let origin = sandbox.path("origin.git");
    let project = sandbox.project();
    let mut state = git_in(
        sandbox,
        &origin,
        &["for-each-ref", "--format=%(refname)", "refs/heads"],
    );
    state.push_str("\nv1.0:\n");
    state.push_str(&git_in(sandbox, &origin, &["log", "--format=%s", "v1.0"]));
    state.push_str("\npull requests:\n");
    // Copied out first: the stand-in's lock is taken again for each PR's labels.
    let on_branch: Vec<serde_json::Value> = sandbox
        .github
        .state()
        .pulls
        .iter()
        .filter(|p| p["base"]["ref"] == "v1.0")
        .cloned()
        .collect();
    let mut pulls: Vec<String> = on_branch
        .iter()
        .map(|p| {
            let number = p["number"].as_u64().unwrap_or(0);
            format!(
                "#{number} {} -> {} {} merged={} labels={:?}",
                p["head"]["ref"],
                p["base"]["ref"],
                p["state"],
                p["merged"],
                sandbox.github.labels(number)
            )
        })
        .collect();
    pulls.sort();
    state.push_str(&pulls.join("\n"));
    state.push_str(&format!("\nPR #4 labels: {:?}\n", sandbox.github.labels(4)));
    state.push_str(&git_in(sandbox, &project, &["status", "--porcelain"]));
    let claims = project.join("target/asf-release/claims");
    let left: Vec<String> = std::fs::read_dir(&claims)
        .map(|dir| {
            dir.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    state.push_str(&format!("\nclaims left: {left:?}\n"));
    state.replace(sandbox.dir.as_str(), "SANDBOX")
}
