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

//! `branch X.Y`: the release branch, cut from the main branch (or from the line's newest
//! release, once it has one) and pushed, and its protection in `.asf.yaml`
//! (`github.protected_branches`), committed on the main branch.

use crate::version::Line;
use anyhow::{bail, Context, Result};

use crate::config::Config;
use crate::leftovers;
use crate::plan::Plan;
use crate::tools::git;
use crate::Ctx;

#[derive(clap::Args, Debug)]
pub struct BranchArgs {
    /// The release line, like 2.3.
    #[arg(value_parser = crate::args::parse_line)]
    pub line: Line,
    /// Cut the branch from this commit instead of the remote's main branch.
    #[arg(long, value_name = "REF")]
    pub from: Option<String>,
}

pub const ASF_YAML: &str = ".asf.yaml";
/// The step's name in the flow and in its claims on the working tree.
const STEP: &str = "branch";

/// One line of `.asf.yaml` that is neither blank nor a comment: its indent and its key.
fn key_of(line: &str) -> Option<(usize, String, usize)> {
    let body = line.trim_end_matches(['\n', '\r']);
    let text = body.trim_start_matches(' ');
    if text.is_empty() || text.starts_with('#') {
        return None;
    }
    let indent = body.len() - text.len();
    let (key, key_len) =
        if let Some(quote) = text.chars().next().filter(|c| *c == '"' || *c == '\'') {
            let close = text[1..].find(quote)? + 1;
            (text[1..close].to_string(), close + 1)
        } else {
            let colon = text
                .match_indices(':')
                .find(|(i, _)| matches!(text.as_bytes().get(i + 1), None | Some(b' ')))?
                .0;
            (text[..colon].trim_end().to_string(), colon)
        };
    if !text[key_len..].trim_start().starts_with(':') {
        return None;
    }
    Some((indent, key, indent + key_len))
}

/// The indent of a line that carries content, `None` for blank and comment lines.
fn indent_of(line: &str) -> Option<usize> {
    let body = line.trim_end_matches(['\n', '\r']);
    let text = body.trim_start_matches(' ');
    (!text.is_empty() && !text.starts_with('#')).then(|| body.len() - text.len())
}

/// The lines of the block under line `start`: up to the next content line indented `<= indent`.
fn block_end(lines: &[&str], start: usize, indent: usize) -> usize {
    (start + 1..lines.len())
        .find(|&i| indent_of(lines[i]).is_some_and(|n| n <= indent))
        .unwrap_or(lines.len())
}

/// One past the last content line in `start..end` (trailing comments and blanks excluded).
fn content_end(lines: &[&str], start: usize, end: usize) -> usize {
    (start..end)
        .rev()
        .find(|&i| indent_of(lines[i]).is_some())
        .map_or(start + 1, |i| i + 1)
}

fn yaml_key(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c));
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// `.asf.yaml` with `branch` added to `github.protected_branches`, a copy of the protection of
/// `template`; every other byte, comments included, is kept. `None` when `branch` is there
/// already. Works on lines (indentation), not a YAML round-trip, which would lose comments.
pub fn protect_branch(text: &str, template: &str, branch: &str) -> Result<Option<String>> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let fix = format!(
        "add a `github:` > `protected_branches:` > `{template}:` block to {ASF_YAML} (see \
         apache/apisix's {ASF_YAML}), or set protected-branch-template"
    );
    if lines.iter().any(|line| line.starts_with('\t')) {
        bail!("{ASF_YAML} is indented with tabs, which YAML does not allow: use spaces");
    }
    let github = (0..lines.len())
        .find(|&i| key_of(lines[i]).is_some_and(|(indent, key, _)| indent == 0 && key == "github"))
        .with_context(|| format!("{ASF_YAML} has no `github:` section: {fix}"))?;
    let github_end = block_end(&lines, github, 0);
    let protected = (github + 1..github_end)
        .find(|&i| {
            key_of(lines[i])
                .is_some_and(|(indent, key, _)| indent > 0 && key == "protected_branches")
        })
        .with_context(|| format!("{ASF_YAML} has no `github.protected_branches`: {fix}"))?;
    let (level, _, key_end) = key_of(lines[protected]).context("protected_branches line")?;
    let after = lines[protected][key_end..]
        .trim_start()
        .trim_start_matches(':');
    let after = after.split(" #").next().unwrap_or_default().trim();
    if !after.is_empty() {
        bail!(
            "{ASF_YAML} writes protected_branches in flow style (`{after}`): write it as a block, \
             one branch per indented line, so it can be extended without losing comments"
        );
    }
    let protected_end = block_end(&lines, protected, level);
    let entries: Vec<(usize, String)> = {
        let entry_indent = (protected + 1..protected_end).find_map(|i| indent_of(lines[i]));
        (protected + 1..protected_end)
            .filter_map(|i| {
                let (indent, key, _) = key_of(lines[i])?;
                (Some(indent) == entry_indent).then_some((i, key))
            })
            .collect()
    };
    if entries.iter().any(|(_, key)| key == branch) {
        return Ok(None);
    }
    let (start, _) = entries
        .iter()
        .find(|(_, key)| key == template)
        .with_context(|| format!("{ASF_YAML} protects no branch `{template}` to copy: {fix}"))?;
    let (indent, _, _) = key_of(lines[*start]).context("template line")?;
    let template_end = content_end(&lines, *start, block_end(&lines, *start, indent));
    let (last, _) = entries.last().context("entries")?;
    let insert_at = content_end(&lines, *last, block_end(&lines, *last, indent));
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len() + 256);
    for line in &lines[..insert_at] {
        out.push_str(line);
    }
    if !out.ends_with('\n') {
        out.push_str(newline);
    }
    for (offset, line) in lines[*start..template_end].iter().enumerate() {
        if offset == 0 {
            let (_, _, key_end) = key_of(line).context("template line")?;
            out.push_str(&" ".repeat(indent));
            out.push_str(&yaml_key(branch));
            out.push_str(&line[key_end..]);
        } else {
            out.push_str(line);
        }
        if !out.ends_with('\n') {
            out.push_str(newline);
        }
    }
    for line in &lines[insert_at..] {
        out.push_str(line);
    }
    Ok(Some(out))
}

pub fn run(ctx: &Ctx, args: &BranchArgs) -> Result<()> {
    let config = ctx.config()?;
    let sh = &ctx.sh;
    let repo = &ctx.repo;
    git::check_repository(sh, repo)?;
    if config.release_from_main {
        println!("nothing to do: {}", from_main(&config));
        return Ok(());
    }
    let branch = config.branch_name(args.line)?;
    let main = &config.main_branch;
    let remote = &config.remote;
    let template = config
        .protected_branch_template
        .clone()
        .unwrap_or_else(|| main.clone());
    crate::remote::fetch(ctx, remote)?;
    // A line that has releases already is branched from its newest release, so a patch branch
    // never carries the next minor's work from the main branch.
    let from_ref = match (&args.from, newest_release_tag(ctx, &config, args.line)?) {
        (Some(from), _) => from.clone(),
        (None, Some(tag)) => tag,
        (None, None) => format!("{remote}/{main}"),
    };
    let from = git::resolve_commit(sh, repo, &format!("{from_ref}^{{commit}}"))?
        .with_context(|| format!("`{from_ref}` names no commit: check --from or main-branch"))?;
    let full = format!("refs/heads/{branch}");
    let on_remote = git::remote_ref_commit(sh, repo, remote, &full)?;
    let local = git::resolve_commit(sh, repo, &full)?;
    let remote_place = format!("remote `{remote}`");
    for (place, commit) in [(remote_place.as_str(), &on_remote), ("this clone", &local)] {
        let Some(commit) = commit else { continue };
        // A branch cut from the default start that has moved on since is the same branch.
        let grown = args.from.is_none()
            && (git::is_ancestor(sh, repo, &from, commit)?
                || git::is_ancestor(sh, repo, commit, &from)?);
        if *commit != from && !grown {
            bail!(
                "branch {branch} exists in {place} at {commit}, not at {from} ({from_ref}): \
                 nothing was changed. A release branch is cut once; to cut it elsewhere, \
                 delete it first, or name its commit with --from"
            );
        }
    }
    // The .asf.yaml change is prepared before anything changes, so a problem stops everything.
    let main_commit = git::resolve_commit(sh, repo, &format!("refs/heads/{main}"))?
        .with_context(|| format!("there is no local branch {main}: run `git checkout {main}`"))?;
    let remote_main = git::resolve_commit(sh, repo, &format!("refs/remotes/{remote}/{main}"))?;
    let behind = match &remote_main {
        Some(remote_main) if !git::is_ancestor(sh, repo, remote_main, &main_commit)? => {
            if !git::is_ancestor(sh, repo, &main_commit, remote_main)? {
                bail!(
                    "local {main} and {remote}/{main} have diverged: reconcile them (`git pull \
                     --rebase`) first"
                );
            }
            Some(remote_main.clone())
        }
        _ => None,
    };
    let yaml_source = behind.as_deref().unwrap_or(&main_commit);
    let yaml = git::file_at(sh, repo, yaml_source, ASF_YAML)?.with_context(|| {
        format!("{main} has no {ASF_YAML}: create one that protects {template}")
    })?;
    let yaml = String::from_utf8(yaml).with_context(|| format!("{ASF_YAML} is not UTF-8"))?;
    let new_yaml = protect_branch(&yaml, &template, &branch)?;

    // Where the branch is, or will be once cut: a branch that exists keeps its commit.
    let tip = on_remote.clone().or(local.clone()).unwrap_or(from.clone());
    let mut plan = Plan::new(format!("release branch {branch} from {from_ref} ({from})"));
    if local.is_none() {
        plan.run(git::create_branch(repo, &branch, &tip));
    }
    if on_remote.is_none() {
        plan.mark_outward();
        plan.run(git::push(repo, remote, &full));
        plan.local(format!("check that {remote} has {branch} at {tip}"), || {
            git::verify_pushed(sh, repo, remote, &full, &tip)
        });
    }
    let current = git::current_branch(sh, repo)?;
    let switch = current.as_deref() != Some(main.as_str());
    let message = format!("chore: protect release branch {branch} in {ASF_YAML}");
    let protects = new_yaml.is_some();
    if let Some(new_yaml) = new_yaml {
        // An interrupted run's own .asf.yaml, written and not committed, is taken back first.
        let dirt = leftovers::dirt(ctx, &config)?;
        leftovers::refuse_others(&dirt, STEP)?;
        if !dirt.user.is_empty() {
            bail!(
                "the working tree has uncommitted changes ({}): commit or stash them, so the \
                 {ASF_YAML} commit on {main} carries only that change",
                dirt.user.join(", ")
            );
        }
        leftovers::take_back(ctx, &config, &dirt, STEP, &mut plan);
        if switch {
            plan.run(git::checkout(repo, main));
        }
        if let Some(target) = &behind {
            plan.run(git::fast_forward(repo, target));
        }
        let mut claim = leftovers::Claim::new(STEP, &["branch".into(), args.line.to_string()]);
        claim.file(ASF_YAML, new_yaml.as_bytes());
        let config_ref = &config;
        plan.local(
            format!("claim {ASF_YAML} until it is committed"),
            move || leftovers::record(config_ref, &claim),
        );
        let path = repo.join(ASF_YAML);
        plan.local(
            format!(
                "add {branch} to github.protected_branches in {ASF_YAML} (a copy of {template})"
            ),
            move || std::fs::write(&path, new_yaml).with_context(|| format!("cannot write {path}")),
        );
        plan.run(git::commit_paths(repo, &[ASF_YAML], &message));
        plan.local("drop the claim: committed", move || {
            leftovers::release(config_ref, STEP)
        });
        if let (true, Some(back)) = (switch, &current) {
            plan.run(git::checkout(repo, back));
        }
    }
    if plan.is_empty() {
        print!("{}", plan.render());
        println!(
            "nothing to do: {branch} is at {tip} here and on {remote}, and {ASF_YAML} protects it"
        );
        return Ok(());
    }
    if !plan.execute_confirmed(ctx)? {
        return Ok(());
    }
    println!("release branch {branch} is at {tip} on {remote}");
    if protects {
        println!(
            "committed the protection of {branch} in {ASF_YAML} on {main}: push it (`git push \
             {remote} {main}`), or open a pull request if {main} is protected"
        );
    }
    Ok(())
}

/// Why a project that releases from its main branch has no branch to cut.
fn from_main(config: &Config) -> String {
    format!(
        "releases are tagged on {} (release-from-main): there is no release branch to cut",
        config.main_branch
    )
}

/// The tag of the newest release of `line`, if the line has one.
fn newest_release_tag(ctx: &Ctx, config: &Config, line: Line) -> Result<Option<String>> {
    let newest = git::tags(&ctx.sh, &ctx.repo)?
        .into_iter()
        .filter_map(|tag| match config.parse_tag(&tag) {
            Some((version, None)) if version.line() == line => Some((version, tag)),
            _ => None,
        })
        .max_by_key(|(version, _)| *version);
    Ok(newest.map(|(_, tag)| tag))
}

/// Cuts and publishes the release branch.
pub struct BranchStep;

impl crate::flow::Step for BranchStep {
    fn name(&self) -> &'static str {
        STEP
    }
    fn phase(&self) -> &'static str {
        crate::flow::RELEASE_BRANCH
    }
    fn outward(&self, _: &crate::flow::Release) -> bool {
        true
    }
    fn command(&self, release: &crate::flow::Release) -> Vec<String> {
        crate::flow::strings(&["branch", &release.line.to_string()])
    }
    fn state(&self, release: &crate::flow::Release) -> Result<crate::flow::Progress> {
        use crate::flow::Progress;
        let config = release.config;
        if config.release_from_main {
            return Progress::done(from_main(config));
        }
        let branch = config.branch_name(release.line)?;
        let full = format!("refs/heads/{branch}");
        let on_remote = match release.remote_ref(&full) {
            Ok(found) => found,
            // Out of reach: the branch the last fetch brought was published, and a published
            // release branch is never taken back.
            Err(unreachable) => {
                let fetched = format!("refs/remotes/{}/{branch}", config.remote);
                match git::resolve_commit(&release.ctx.sh, &release.ctx.repo, &fetched)? {
                    Some(_) => {
                        return Progress::done(format!(
                            "{branch} is on {} as of the last fetch (it cannot be reached now)",
                            config.remote
                        ))
                    }
                    None => return Err(unreachable),
                }
            }
        };
        match on_remote {
            Some(_) => Progress::done(format!("{branch} is on {}", config.remote)),
            None => {
                let from = newest_release_tag(release.ctx, config, release.line)?;
                let from = from.as_deref().unwrap_or(&config.main_branch);
                Progress::todo(format!("cut {branch} from {from}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ASF: &str = "# The ASF's settings of this repository.
github:
  description: A demo   # shown on GitHub
  protected_branches:
    # the main branch: two reviews
    master:
      required_pull_request_reviews:
        dismiss_stale_reviews: true   # keep
        required_approving_review_count: 2

    \"v2.2\":
      required_pull_request_reviews:
        required_approving_review_count: 1
    # end of branches

notifications:
  commits: commits@demo.apache.org\n";

    #[test]
    fn adds_a_copy_of_the_template_and_keeps_every_other_byte() {
        let out = protect_branch(ASF, "master", "v2.3").unwrap().unwrap();
        let added = "    v2.3:\n      required_pull_request_reviews:\n        dismiss_stale_reviews: true   # keep\n        required_approving_review_count: 2\n";
        let expected = ASF.replacen(
            "        required_approving_review_count: 1\n",
            &format!("        required_approving_review_count: 1\n{added}"),
            1,
        );
        assert_eq!(out, expected);
        assert_eq!(protect_branch(&out, "master", "v2.3").unwrap(), None);
        assert_eq!(protect_branch(ASF, "master", "v2.2").unwrap(), None);
    }

    #[test]
    fn keeps_a_file_without_final_newline_and_crlf() {
        let text = "github:\r\n  protected_branches:\r\n    master: {}";
        let out = protect_branch(text, "master", "release/2.3")
            .unwrap()
            .unwrap();
        assert_eq!(
            out,
            "github:\r\n  protected_branches:\r\n    master: {}\r\n    release/2.3: {}\r\n"
        );
    }

    #[test]
    fn copies_a_template_from_the_middle_with_comments_and_lists() {
        let text = "github:\n  protected_branches:  # managed by the release tool\n    master:   # main\n      required_status_checks:\n        contexts:\n          - \"ci\"\n    # note\n    v1.0: {}\n";
        let out = protect_branch(text, "master", "v2.0").unwrap().unwrap();
        assert_eq!(
            out,
            format!("{text}    v2.0:   # main\n      required_status_checks:\n        contexts:\n          - \"ci\"\n")
        );
    }

    #[test]
    fn refuses_what_it_cannot_extend_safely() {
        for (text, expected) in [
            ("notifications: {}\n", "no `github:` section"),
            (
                "github:\n  description: x\n",
                "no `github.protected_branches`",
            ),
            (
                "github:\n  protected_branches: {master: {}}\n",
                "flow style",
            ),
            (
                "github:\n  protected_branches:\n    main: {}\n",
                "protects no branch `master`",
            ),
        ] {
            let err = protect_branch(text, "master", "v2.3")
                .unwrap_err()
                .to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
    }
}
