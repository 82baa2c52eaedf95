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

//! End-to-end tests of `mail` and `vote tally`: the real binary on a fixture repository, mails
//! compared with golden files (the clock fixed by SOURCE_DATE_EPOCH), vote threads written as
//! realistic mboxes, the announce check against a real `svnadmin create` repository, and
//! `--send` through a stand-in mailer script.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;

/// 2024-05-06T07:08:09Z, the time of the VOTE mail in the threads below.
const VOTE_TIME: i64 = 1_714_979_289;
const HOUR: i64 = 3600;

const SHA512: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// A small repository with a fixed commit, the 1.0.0-rc1 tag and the checksum `package`
/// would have written. Its dist/release (unless `extra_config` names another) is a fresh SVN
/// repository laid out like dist.apache.org, set in the working tree only, so the commit (and
/// the golden mails) stay the same.
fn demo_repo(world: &World, extra_config: &str) -> PathBuf {
    let repo = world.path("demo");
    std::fs::create_dir_all(&repo).unwrap();
    world.git(&repo, &["init", "-q"]);
    world.write(
        &repo,
        "Cargo.toml",
        format!(
            "[workspace.metadata.asf-release]\nname = \"demo\"\ndisplay-name = \"Demo\"\n{extra_config}"
        )
        .as_bytes(),
    );
    world.write(&repo, "README.md", b"# Demo\n");
    world.git(&repo, &["add", "-A"]);
    world.git(&repo, &["commit", "-q", "-m", "feat: the first feature"]);
    world.git(&repo, &["tag", "1.0.0-rc1"]);
    if !extra_config.contains("svn-release-url") {
        let dist = Dist::new(world, world.path("dist"));
        set_in_working_tree(
            world,
            &repo,
            &format!("svn-release-url = \"{}/release/demo\"\n", dist.url),
        );
    }
    world.write(
        &repo,
        "target/asf-release/1.0.0-rc1/apache-demo-1.0.0-src.tgz.sha512",
        format!("{SHA512}  apache-demo-1.0.0-src.tgz\n").as_bytes(),
    );
    repo
}

/// Appends settings to Cargo.toml without committing them.
fn set_in_working_tree(world: &World, repo: &Path, settings: &str) {
    let manifest = std::fs::read_to_string(repo.join("Cargo.toml")).unwrap();
    world.write(repo, "Cargo.toml", (manifest + settings).as_bytes());
}

/// The candidate's tarball (`bytes`), signed by a new key of the release manager; returns the
/// key's public block as `gpg --armor --export` writes it, for a KEYS.
fn sign_candidate(world: &World, repo: &Path, bytes: &[u8]) -> String {
    let fingerprint = world.generate_key("Release Manager", "rm@apache.org");
    let dir = repo.join("target/asf-release/1.0.0-rc1");
    world.write(&dir, "apache-demo-1.0.0-src.tgz", bytes);
    world.ok(world
        .command("gpg")
        .args([
            "--batch",
            "--yes",
            "--armor",
            "--detach-sign",
            "--local-user",
        ])
        .arg(&fingerprint)
        .arg("apache-demo-1.0.0-src.tgz")
        .current_dir(&dir));
    world.ok(world
        .command("gpg")
        .args(["--armor", "--export", &fingerprint]))
}

/// Puts `text` into the KEYS of `area` (dev or release) of the dist `demo_repo` made.
fn put_keys(world: &World, area: &str, text: &str) {
    let file = world.path(&format!("KEYS.{area}"));
    std::fs::write(&file, format!("{KEYS_HEADER}\n{text}")).unwrap();
    let url = format!("file://{}/{area}/demo/KEYS", world.path("dist").display());
    world.ok(world
        .command("svnmucc")
        .args(["-m", "KEYS", "put"])
        .arg(&file)
        .arg(&url));
}

/// A signed candidate whose key is in the release KEYS, which the VOTE mail names as keys-url.
fn signed_candidate(world: &World, repo: &Path) {
    let key = sign_candidate(world, repo, b"the sources of 1.0.0");
    put_keys(world, "release", &key);
}

/// Runs xtask in the world with the clock at `now`.
fn xtask_at(world: &World, now: i64, args: &[&str]) -> Output {
    world
        .command(env!("CARGO_BIN_EXE_xtask"))
        .env("SOURCE_DATE_EPOCH", now.to_string())
        .args(args)
        .output()
        .expect("xtask starts")
}

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/golden")
        .join(name)
}

/// Compares with the golden file; `UPDATE_GOLDEN=1` rewrites it (review the diff!).
fn assert_golden(name: &str, actual: &str) {
    let path = golden(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: run with UPDATE_GOLDEN=1", path.display()));
    assert_eq!(actual, expected, "{name} differs from its golden file");
}

fn assert_ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed:\n{}{}",
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

fn repo_arg(repo: &Path) -> &str {
    repo.to_str().unwrap()
}

#[test]
fn vote_mail_matches_its_golden_file_and_a_rerun_overwrites_it() {
    let world = World::new();
    let repo = demo_repo(&world, "");
    signed_candidate(&world, &repo);
    let args = [
        "--repo",
        repo_arg(&repo),
        "mail",
        "vote",
        "1.0.0",
        "--rc",
        "1",
    ];
    let printed = assert_ok(&xtask_at(&world, VOTE_TIME, &args));
    let path = repo.join("target/asf-release/records/1.0.0-rc1/vote.eml");
    assert!(
        !repo.join("target/asf-release/1.0.0-rc1/vote.eml").exists(),
        "the mail is no file of the candidate"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(printed.contains(&text), "the mail is printed:\n{printed}");
    assert!(printed.contains("not sent"), "{printed}");
    assert_golden("vote.eml", &text);

    // A mail parser reads what we wrote as the mail we meant.
    let parsed = mail_parser::MessageParser::default()
        .parse(text.as_bytes())
        .expect("an RFC 5322 message");
    assert_eq!(
        parsed.subject(),
        Some("[VOTE] Release Apache Demo 1.0.0 (RC1)")
    );
    let from = parsed.from().and_then(|from| from.first()).unwrap();
    assert_eq!(from.address(), Some("rm@apache.org"));
    assert_eq!(
        parsed
            .to()
            .and_then(|to| to.first())
            .and_then(|to| to.address()),
        Some("dev@demo.apache.org")
    );
    assert_eq!(
        parsed.date().map(|date| date.to_timestamp()),
        Some(VOTE_TIME)
    );
    assert!(parsed
        .message_id()
        .is_some_and(|id| id.ends_with("@apache.org")));
    assert!(parsed
        .body_text(0)
        .unwrap()
        .contains("[ ] -1 disapprove with the reason"));
    let commit = world.git(&repo, &["rev-parse", "1.0.0-rc1"]);
    assert!(text.contains(&commit));
    assert!(text.contains(&format!("{SHA512}  apache-demo-1.0.0-src.tgz")));

    assert_ok(&xtask_at(&world, VOTE_TIME + 60, &args));
    let again = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        again.matches("Subject:").count(),
        1,
        "overwritten, not appended"
    );
    assert!(
        again.contains("Date: Mon, 6 May 2024 07:09:09 +0000"),
        "{again}"
    );
}

#[test]
fn vote_mail_needs_the_tag_and_the_checksum() {
    let world = World::new();
    let repo = demo_repo(&world, "");
    let output = xtask_at(
        &world,
        VOTE_TIME,
        &[
            "--repo",
            repo_arg(&repo),
            "mail",
            "vote",
            "1.0.0",
            "--rc",
            "2",
        ],
    );
    assert_fails_with(
        &output,
        &[
            "no release candidate RC2 of 1.0.0 (no tag 1.0.0-rc2)",
            "the candidates of 1.0.0 are RC1",
        ],
    );
    world.git(&repo, &["tag", "1.0.0-rc2"]);
    let output = xtask_at(
        &world,
        VOTE_TIME,
        &[
            "--repo",
            repo_arg(&repo),
            "mail",
            "vote",
            "1.0.0",
            "--rc",
            "2",
        ],
    );
    assert_fails_with(
        &output,
        &[
            "apache-demo-1.0.0-src.tgz.sha512",
            "cargo xtask package 1.0.0 --rc 2",
        ],
    );
}

/// The VOTE mail's KEYS link holds the key: the release KEYS (keys-url) when it has the key,
/// else the dev KEYS when that has it, else no mail and the way to add the key.
#[test]
fn the_vote_mail_names_a_keys_that_holds_the_signing_key() {
    let world = World::new();
    let repo = demo_repo(&world, "");
    let key = sign_candidate(&world, &repo, b"the sources of 1.0.0");
    let args = [
        "--repo",
        repo_arg(&repo),
        "mail",
        "vote",
        "1.0.0",
        "--rc",
        "1",
    ];
    let path = repo.join("target/asf-release/records/1.0.0-rc1/vote.eml");
    let dev = format!("file://{}/dev/demo", world.path("dist").display());
    set_in_working_tree(&world, &repo, &format!("svn-dev-url = \"{dev}\"\n"));
    let dev_keys = format!("{dev}/KEYS");

    // Neither KEYS has the key: a voter would get "No public key".
    assert_fails_with(
        &xtask_at(&world, VOTE_TIME, &args),
        &[
            "no KEYS a voter can follow holds the key that signed apache-demo-1.0.0-src.tgz",
            "https://downloads.apache.org/demo/KEYS",
            &dev_keys,
            "cargo xtask keys append",
            "cargo xtask keys publish",
        ],
    );
    assert!(!path.exists(), "no mail without a KEYS that checks it");

    // A new release manager's key is in the dev KEYS only (promote copies it to release).
    put_keys(&world, "dev", &key);
    assert_ok(&xtask_at(&world, VOTE_TIME, &args));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains(&format!(
            "Keys to verify the release candidate:\n\n{dev_keys}\n"
        )) && text.contains(&format!("wget {dev_keys}\n"))
            && !text.contains("downloads.apache.org/demo/KEYS"),
        "{text}"
    );

    // Once the release KEYS has it, the mail names keys-url, as the project publishes it.
    put_keys(&world, "release", &key);
    assert_ok(&xtask_at(&world, VOTE_TIME, &args));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\nhttps://downloads.apache.org/demo/KEYS\n") && !text.contains(&dev_keys),
        "{text}"
    );
}

#[test]
fn a_template_in_the_repository_overrides_the_built_in_one() {
    let world = World::new();
    let repo = demo_repo(&world, "mail-from = \"Jane Doe <jdoe@apache.org>\"\n");
    world.write(
        &repo,
        "release-notes/templates/discuss.eml.txt",
        b"Subject: [DISCUSS] {project} {line}\n\nShall we branch {branch}?\n{sender}\n",
    );
    let output = xtask_at(
        &world,
        VOTE_TIME,
        &["--repo", repo_arg(&repo), "mail", "discuss", "1.1"],
    );
    assert_ok(&output);
    let text =
        std::fs::read_to_string(repo.join("target/asf-release/records/1.1.0/discuss.eml")).unwrap();
    assert!(text.starts_with("From: Jane Doe <jdoe@apache.org>\nTo: dev@demo.apache.org\nSubject: [DISCUSS] Demo 1.1\n"), "{text}");
    assert!(
        text.ends_with("\n\nShall we branch v1.1?\nJane Doe\n"),
        "{text}"
    );

    world.write(
        &repo,
        "release-notes/templates/discuss.eml.txt",
        b"Subject: [DISCUSS] {projcet}\n\nbody\n",
    );
    let output = xtask_at(
        &world,
        VOTE_TIME,
        &["--repo", repo_arg(&repo), "mail", "discuss", "1.1"],
    );
    assert_fails_with(&output, &["discuss.eml.txt uses `{projcet}`", "{project}"]);
    world.write(
        &repo,
        "release-notes/templates/discuss.eml.txt",
        b"no subject\n",
    );
    let output = xtask_at(
        &world,
        VOTE_TIME,
        &["--repo", repo_arg(&repo), "mail", "discuss", "1.1"],
    );
    assert_fails_with(&output, &["the first line must be `Subject: ...`"]);
}

#[test]
fn discuss_mail_matches_its_golden_file() {
    let world = World::new();
    let repo = demo_repo(&world, "");
    assert_ok(&xtask_at(
        &world,
        VOTE_TIME,
        &["--repo", repo_arg(&repo), "mail", "discuss", "1.1"],
    ));
    let text =
        std::fs::read_to_string(repo.join("target/asf-release/records/1.1.0/discuss.eml")).unwrap();
    assert_golden("discuss.eml", &text);
}

/// One message of an mbox as lists.apache.org exports it: with the headers the list and the
/// ASF's servers write above the sender's.
fn message(from: &str, date: &str, subject: &str, headers: &str, body: &str) -> String {
    let address = from
        .rsplit_once('<')
        .map(|(_, a)| a.trim_end_matches('>'))
        .unwrap_or(from);
    let domain = address.rsplit_once('@').map_or("", |(_, d)| d);
    let sent = format!(
        "From: {from}\nTo: dev@demo.apache.org\n\
         Date: {date}\nSubject: {subject}\nMessage-ID: <{}@mail>\n{headers}\n{body}\n",
        subject.len() + date.len() + address.len()
    );
    format!(
        "From {address} Mon May  6 07:08:09 2024\n{}",
        asf_release::demo::lists::delivered("dev@demo.apache.org", &sent, Some(domain))
    )
}

const RE: &str = "Re: [VOTE] Release Apache Demo 1.0.0 (RC1)";
const PLAIN: &str = "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n";

/// A realistic thread: binding and non-binding voters, a changed vote, a quoted +1, a -1 with
/// reasons, an HTML-only vote, a "binding" vote from outside the roster, a vote after 72 h.
fn full_thread() -> String {
    [
        message(
            "Release Manager <rm@apache.org>",
            "Mon, 6 May 2024 07:08:09 +0000",
            "[VOTE] Release Apache Demo 1.0.0 (RC1)",
            PLAIN,
            "Hello, Community,\n\nPlease vote:\n\n[ ] +1 approve\n[ ] +0 no opinion\n[ ] -1 disapprove with the reason\n",
        ),
        message(
            "Alice Apple <alice@apache.org>",
            "Mon, 6 May 2024 09:00:00 +0000",
            RE,
            PLAIN,
            "+1 (binding)\n\n- checked the signature and the checksum\n- built from source\n\nOn Mon, 6 May 2024 Release Manager wrote:\n> [ ] +1 approve\n",
        ),
        message(
            "Bob Banana <BOB@apache.org>",
            "Mon, 6 May 2024 10:00:00 +0000",
            RE,
            PLAIN,
            "+1\n\nBob\n-- \nBob Banana\n",
        ),
        message(
            "Carol Cherry <carol@apache.org>",
            "Mon, 6 May 2024 11:00:00 +0000",
            RE,
            PLAIN,
            "-1 (binding)\n\nThe NOTICE file still says 2023, and LICENSE lacks the\nbundled font's license.\n",
        ),
        message(
            "Dave Date <dave@example.com>",
            "Mon, 6 May 2024 12:00:00 +0200",
            RE,
            PLAIN,
            "+1 (non-binding)\n\nTested on arm64.\n",
        ),
        message(
            "Erin Elder <erin@example.com>",
            "Mon, 6 May 2024 13:00:00 +0000",
            RE,
            PLAIN,
            "Thanks for driving the release!\n\nOn Mon, 6 May 2024, Alice Apple wrote:\n> +1 (binding)\n>\n> - checked the signature\n",
        ),
        message(
            "Frank Fig <frank@example.org>",
            "Mon, 6 May 2024 14:00:00 +0000",
            RE,
            PLAIN,
            "+1 binding\n",
        ),
        message(
            "Grace Grape <grace@apache.org>",
            "Mon, 6 May 2024 15:00:00 +0000",
            RE,
            "MIME-Version: 1.0\nContent-Type: text/html; charset=UTF-8\n",
            "<html><body><div>+1 (binding)</div><div>Verified the checksums.</div><blockquote>On Mon, RM wrote:<br>[ ] -1 disapprove</blockquote></body></html>",
        ),
        message(
            "Heidi Hazel <heidi@example.com>",
            "Mon, 6 May 2024 16:00:00 +0000",
            RE,
            PLAIN,
            "-1\n\nThe build fails with the documented toolchain:\n\n  error: unknown flag --frozen\n",
        ),
        message(
            "Carol Cherry <carol@apache.org>",
            "Tue, 7 May 2024 08:00:00 +0000",
            RE,
            PLAIN,
            "Changing my vote: +1 (binding). The NOTICE year is fine after all\n(it is the year of the first release), and the font is not bundled.\n\n+1 (binding)\n",
        ),
        message(
            "Ivan Iris <ivan@apache.org>",
            "Fri, 10 May 2024 09:00:00 +0000",
            RE,
            PLAIN,
            "+1 (binding), sorry for the late vote\n",
        ),
    ]
    .concat()
}

const COMMITTEE_INFO: &str = r#"{
  "last_updated": "2024-05-01 00:00:00 UTC",
  "committees": {
    "other": {"roster": {"frank": {"name": "Frank Fig", "date": "2020-01-01"}}},
    "demo": {
      "display_name": "Demo",
      "roster": {
        "rm": {"name": "Release Manager", "date": "2019-01-01"},
        "alice": {"name": "Alice Apple", "date": "2019-01-01"},
        "bob": {"name": "Bob Banana", "date": "2019-01-01"},
        "carol": {"name": "Carol Cherry", "date": "2020-01-01"},
        "grace": {"name": "Grace Grape", "date": "2021-01-01"},
        "ivan": {"name": "Ivan Iris", "date": "2022-01-01"}
      }
    }
  }
}"#;

struct Thread {
    world: World,
    repo: PathBuf,
    mbox: PathBuf,
    roster: PathBuf,
}

fn thread(mbox: &str, roster: &str) -> Thread {
    let world = World::new();
    let repo = demo_repo(&world, "");
    let mbox_path = world.path("thread.mbox");
    std::fs::write(&mbox_path, mbox).unwrap();
    let roster_path = world.path("committee-info.json");
    std::fs::write(&roster_path, roster).unwrap();
    Thread {
        world,
        repo,
        mbox: mbox_path,
        roster: roster_path,
    }
}

impl Thread {
    fn tally(&self, now: i64, roster: bool) -> Output {
        let mut args = vec![
            "--repo",
            repo_arg(&self.repo),
            "vote",
            "tally",
            "1.0.0",
            "--rc",
            "1",
            "--mbox",
            self.mbox.to_str().unwrap(),
        ];
        if roster {
            args.extend(["--roster", self.roster.to_str().unwrap()]);
        }
        xtask_at(&self.world, now, &args)
    }
}

#[test]
fn tally_counts_each_voter_s_last_vote_and_binding_by_roster() {
    let t = thread(&full_thread(), COMMITTEE_INFO);
    let output = t.tally(VOTE_TIME + 120 * HOUR, true);
    let report = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(0),
        "passed:\n{report}{}",
        stderr(&output)
    );
    assert!(report.contains("binding votes:\n  +1: 5 (Alice Apple <alice@apache.org>, Bob Banana <bob@apache.org>, Grace Grape <grace@apache.org>, Carol Cherry <carol@apache.org>, Ivan Iris <ivan@apache.org>)\n  +0: 0\n  -0: 0\n  -1: 0\n"), "{report}");
    assert!(report.contains("non-binding votes:\n  +1: 2 (Dave Date <dave@example.com>, Frank Fig <frank@example.org>)\n  +0: 0\n  -0: 0\n  -1: 1 (Heidi Hazel <heidi@example.com>)\n"), "{report}");
    assert!(
        !report.contains("erin"),
        "a quoted +1 is no vote:\n{report}"
    );
    assert!(
        report.contains(
            "Frank Fig <frank@example.org> called the vote binding but is not on the roster"
        ),
        "{report}"
    );
    assert!(
        report.contains("result: PASSED (5 binding +1, 0 binding -1)"),
        "{report}"
    );
}

#[test]
fn tally_is_not_yet_before_72_hours_and_counts_only_the_votes_so_far() {
    // The mbox as it would be downloaded 30 hours in: the later votes have not happened yet.
    let early: String = full_thread()
        .split_inclusive("\nFrom ")
        .take(9)
        .collect::<String>()
        .trim_end_matches("From ")
        .to_string();
    let t = thread(&early, COMMITTEE_INFO);
    let output = t.tally(VOTE_TIME + 30 * HOUR, true);
    let report = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(4),
        "not yet:\n{report}{}",
        stderr(&output)
    );
    assert!(report.contains("(42 hours left)"), "{report}");
    assert!(
        report.contains("  -1: 1 (Carol Cherry <carol@apache.org>)"),
        "{report}"
    );
    assert!(
        report.contains(
            "result: NOT YET: the vote stays open until 2024-05-09 07:08 UTC (3 binding +1 so far)"
        ),
        "{report}"
    );

    // The same thread once the 72 hours are over, with Carol still against: 3 > 1, passed.
    assert_eq!(t.tally(VOTE_TIME + 72 * HOUR, true).status.code(), Some(0));
}

#[test]
fn tally_fails_with_too_few_binding_votes_and_a_plain_roster() {
    let mbox = [
        message(
            "RM <rm@apache.org>",
            "Mon, 6 May 2024 07:08:09 +0000",
            "[VOTE] Release Apache Demo 1.0.0 (RC1)",
            PLAIN,
            "Please vote.\n",
        ),
        message(
            "Alice <alice@apache.org>",
            "Mon, 6 May 2024 09:00:00 +0000",
            RE,
            PLAIN,
            "+1\n",
        ),
        message(
            "Bob <bob@example.net>",
            "Mon, 6 May 2024 10:00:00 +0000",
            RE,
            PLAIN,
            "+1 (binding)\n",
        ),
        message(
            "Zed <zed@example.com>",
            "Mon, 6 May 2024 11:00:00 +0000",
            RE,
            PLAIN,
            "+1\n",
        ),
    ]
    .concat();
    let t = thread(
        &mbox,
        "# Demo PMC\nrm\nalice\nbob@example.net  # Bob's own address\n",
    );
    let output = t.tally(VOTE_TIME + 100 * HOUR, true);
    let report = stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(3),
        "failed:\n{report}{}",
        stderr(&output)
    );
    assert!(
        report.contains("  +1: 2 (Alice <alice@apache.org>, Bob <bob@example.net>)"),
        "{report}"
    );
    assert!(
        report.contains("result: FAILED (2 binding +1, 0 binding -1"),
        "{report}"
    );

    // Without --roster the roster comes from whimsy.apache.org; out of reach, the tally
    // stops and says how to go on ("binding" in a mail is a word anyone can type).
    let output = t.tally(VOTE_TIME + 100 * HOUR, false);
    assert_fails_with(
        &output,
        &[
            "cannot read http://127.0.0.1:9/public/committee-info.json",
            "pass the PMC roster with --roster FILE",
        ],
    );
}

#[test]
fn malformed_mbox_and_roster_name_the_line_or_message() {
    let t = thread("Subject: not an mbox\n\nhello\n", COMMITTEE_INFO);
    assert_fails_with(
        &t.tally(VOTE_TIME, true),
        &["thread.mbox line 1: not an mbox", "export"],
    );

    let mbox = format!(
        "{}From nobody Mon May  6 07:08:09 2024\nSubject: {RE}\nDate: Mon, 6 May 2024 09:00:00 +0000\n\n+1\n",
        message("RM <rm@apache.org>", "Mon, 6 May 2024 07:08:09 +0000", "[VOTE] Release Apache Demo 1.0.0 (RC1)", PLAIN, "vote\n")
    );
    // A message without a sender is listed as unreadable; the count goes on.
    let t = thread(&mbox, COMMITTEE_INFO);
    let output = t.tally(VOTE_TIME, true);
    assert_eq!(output.status.code(), Some(4), "{}", stdout(&output));
    assert!(
        stdout(&output).contains(
            "unreadable, not counted: message 2 (no Message-ID) from (sender unknown): it has no From: header"
        ),
        "{}",
        stdout(&output)
    );

    let t = thread(
        &full_thread(),
        "{\"committees\": {\"demo\": {\"roster\": {\"a\" {}}}}}",
    );
    assert_fails_with(
        &t.tally(VOTE_TIME, true),
        &["committee-info.json is not valid JSON", "line 1 column"],
    );
    let t = thread(
        &full_thread(),
        "{\"committees\": {\"other\": {\"roster\": {}}}}",
    );
    assert_fails_with(
        &t.tally(VOTE_TIME, true),
        &["has no committee `demo` (it has other)"],
    );
    let t = thread(&full_thread(), "alice\nbob <bob@apache.org>\n");
    assert_fails_with(
        &t.tally(VOTE_TIME, true),
        &["committee-info.json line 2: `bob <bob@apache.org>` is not an Apache id"],
    );

    let other = full_thread().replace("1.0.0 (RC1)", "1.0.0 (RC2)");
    let t = thread(&other, COMMITTEE_INFO);
    assert_fails_with(&t.tally(VOTE_TIME, true), &["not the vote on 1.0.0 RC1"]);
}

#[test]
fn result_mail_from_the_tally_matches_its_golden_file_and_refuses_a_failed_vote() {
    let t = thread(&full_thread(), COMMITTEE_INFO);
    let result = |now: i64| {
        xtask_at(
            &t.world,
            now,
            &[
                "--repo",
                repo_arg(&t.repo),
                "mail",
                "result",
                "1.0.0",
                "--rc",
                "1",
                "--mbox",
                t.mbox.to_str().unwrap(),
                "--roster",
                t.roster.to_str().unwrap(),
            ],
        )
    };
    assert_fails_with(
        &result(VOTE_TIME + HOUR),
        &[
            "the vote has not passed (still open",
            "vote tally 1.0.0 --rc 1",
        ],
    );
    let path = t
        .repo
        .join("target/asf-release/records/1.0.0-rc1/result.eml");
    assert!(!path.exists());
    assert_ok(&result(VOTE_TIME + 120 * HOUR));
    let text = std::fs::read_to_string(&path).unwrap();
    assert_golden("result.eml", &text);
}

#[test]
fn announce_waits_for_dist_release_and_matches_its_golden_file() {
    let world = World::new();
    let svn_root = world.path("svn");
    world.ok(world
        .command("svnadmin")
        .args(["create", svn_root.to_str().unwrap()]));
    let url = format!("file://{}", svn_root.display());
    // downloads.apache.org, serving what dist/release holds.
    let mirror = asf_release::demo::mirror::Mirror::start(&url).unwrap();
    let repo = demo_repo(
        &world,
        &format!(
            "svn-release-url = \"{url}\"\ndownload-base-url = \"{}\"\n",
            mirror.url
        ),
    );
    let announce = || {
        xtask_at(
            &world,
            VOTE_TIME + 100 * HOUR,
            &["--repo", repo_arg(&repo), "mail", "announce", "1.0.0"],
        )
    };
    assert_fails_with(&announce(), &["1.0.0 is not in", "svn mv"]);
    let path = repo.join("target/asf-release/records/1.0.0/announce.eml");
    assert!(!path.exists());

    // The released files, signed by a key the release KEYS lacks at first.
    let key = sign_candidate(&world, &repo, b"the sources of 1.0.0");
    let candidate = repo.join("target/asf-release/1.0.0-rc1");
    let seed = world.path("seed");
    for name in ["apache-demo-1.0.0-src.tgz", "apache-demo-1.0.0-src.tgz.asc"] {
        let bytes = std::fs::read(candidate.join(name)).unwrap();
        world.write(&seed, &format!("1.0.0/{name}"), &bytes);
    }
    world.write(&seed, "1.0.0/apache-demo-1.0.0-src.tgz.sha512", b"sha512\n");
    world.write(&seed, "KEYS", KEYS_HEADER.as_bytes());
    world.ok(world
        .command("svn")
        .args(["import", "-q", "-m", "Release 1.0.0"])
        .arg(&seed)
        .arg(&url));
    assert_fails_with(
        &announce(),
        &[
            "https://downloads.apache.org/demo/KEYS (which users import to check 1.0.0) does \
             not hold the key that signed apache-demo-1.0.0-src.tgz",
            "keys append",
        ],
    );
    assert!(!path.exists());
    let keys = world.path("KEYS.full");
    std::fs::write(&keys, format!("{KEYS_HEADER}\n{key}")).unwrap();
    world.ok(world
        .command("svnmucc")
        .args(["-m", "the key", "put"])
        .arg(&keys)
        .arg(format!("{url}/KEYS")));
    let output = announce();
    assert_ok(&output);
    assert!(
        !stderr(&output).contains("warning: cannot check"),
        "{}",
        stderr(&output)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert_golden("announce.eml", &text);
    assert!(text.contains("To: dev@demo.apache.org, announce@apache.org\n"));
}

#[test]
fn announce_warns_when_svn_cannot_be_asked_and_refuses() {
    let world = World::new();
    let missing = world.path("no-such-svn");
    let repo = demo_repo(
        &world,
        &format!("svn-release-url = \"file://{}\"\n", missing.display()),
    );
    let output = xtask_at(
        &world,
        VOTE_TIME,
        &["--repo", repo_arg(&repo), "mail", "announce", "1.0.0"],
    );
    // It says so, and then cannot read the voted bytes to compare the downloads with.
    assert_fails_with(
        &output,
        &[
            "warning: cannot check that 1.0.0 is in",
            "no ANNOUNCE before users can download 1.0.0",
        ],
    );
}

#[test]
fn send_hands_the_mail_to_the_configured_mailer_once() {
    let world = World::new();
    let mailer = world.path("bin/fake-sendmail");
    let received = world.path("received.eml");
    world.write(
        world.root.path(),
        "bin/fake-sendmail",
        format!(
            "#!/bin/sh\necho \"$@\" > '{0}.args'\ncat > '{0}'\n",
            received.display()
        )
        .as_bytes(),
    );
    let mut perms = std::fs::metadata(&mailer).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&mailer, perms).unwrap();
    let repo = demo_repo(
        &world,
        &format!("sendmail = [\"{}\", \"-t\", \"-oi\"]\n", mailer.display()),
    );
    signed_candidate(&world, &repo);
    let args = [
        "--repo",
        repo_arg(&repo),
        "mail",
        "vote",
        "1.0.0",
        "--rc",
        "1",
        "--send",
    ];
    let vote = repo.join("target/asf-release/records/1.0.0-rc1/vote.eml");

    let dry = xtask_at(
        &world,
        VOTE_TIME,
        &[
            "--dry-run",
            "--repo",
            repo_arg(&repo),
            "mail",
            "vote",
            "1.0.0",
            "--rc",
            "1",
            "--send",
        ],
    );
    let plan = assert_ok(&dry);
    assert!(
        plan.contains(&format!("{} -t -oi < (input not shown)", mailer.display())),
        "{plan}"
    );
    assert!(!received.exists() && !vote.exists());

    // Without a terminal, sending needs --yes: nothing is written or sent before.
    assert_fails_with(
        &xtask_at(&world, VOTE_TIME, &args),
        &[
            "no one can confirm it here (no terminal)",
            "rerun with --yes: `cargo xtask --repo",
            "mail vote 1.0.0 --rc 1 --send --yes`",
        ],
    );
    assert!(!received.exists() && !vote.exists());
    let args = [&args[..], &["--yes"]].concat();
    let output = assert_ok(&xtask_at(&world, VOTE_TIME, &args));
    assert!(output.contains("sent to dev@demo.apache.org"), "{output}");
    let written = std::fs::read_to_string(&vote).unwrap();
    assert_eq!(std::fs::read_to_string(&received).unwrap(), written);
    assert_eq!(
        std::fs::read_to_string(world.path("received.eml.args")).unwrap(),
        "-t -oi\n"
    );

    std::fs::remove_file(&received).unwrap();
    let output = assert_ok(&xtask_at(&world, VOTE_TIME + 60, &args));
    assert!(output.contains("already sent"), "{output}");
    assert!(
        !received.exists(),
        "a rerun does not send the same mail again"
    );
}

#[test]
fn a_missing_mailer_is_named_and_the_mail_is_kept() {
    let world = World::new();
    let repo = demo_repo(&world, "sendmail = [\"/nonexistent/mailer\", \"-t\"]\n");
    signed_candidate(&world, &repo);
    let output = xtask_at(
        &world,
        VOTE_TIME,
        &[
            "--repo",
            repo_arg(&repo),
            "mail",
            "vote",
            "1.0.0",
            "--rc",
            "1",
            "--send",
            "--yes",
        ],
    );
    assert_fails_with(
        &output,
        &[
            "`/nonexistent/mailer` is not installed",
            "the mail is in",
            "vote.eml",
        ],
    );
    let dir = repo.join("target/asf-release/records/1.0.0-rc1");
    assert!(dir.join("vote.eml").exists());
    assert!(!dir.join("vote.eml.sent").exists());
}
