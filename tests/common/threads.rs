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

//! Vote threads written the way real mail clients write them and as the dev list delivers them
//! to its archive (the list's and the ASF's servers' headers above the sender's), and the
//! real `vote tally` run on them: shared by the tally's end-to-end tests.

use std::path::PathBuf;
use std::process::Output;

use super::*;

pub const LIST: &str = "dev@demo.apache.org";

/// 2024-05-06T07:08:09Z, the VOTE mail of the release manager.
pub const VOTE_TIME: i64 = 1_714_979_289;
pub const HOUR: i64 = 3600;
pub const SUBJECT: &str = "[VOTE] Release Apache Demo 1.0.0 (RC1)";

pub const ROSTER: &str = "# Demo PMC\nrm\nalice alice.apple@gmail.com\nbob\ncarol\ngrace\nivan\n";

/// One message of the thread.
#[derive(Clone)]
pub struct Mail {
    pub from: String,
    pub at: i64,
    pub subject: String,
    pub id: String,
    pub reply_to: Option<String>,
    pub headers: String,
    pub body: String,
    /// Through the list (its headers above the sender's); `false`: as the sender wrote it.
    pub delivered: bool,
    /// The domain whose DKIM signature the ASF's servers found valid (default: the From
    /// address's, without `.INVALID`); `Some("")`: none.
    pub signed_by: Option<String>,
}

pub fn mail(
    from: &str,
    hours: f64,
    subject: &str,
    id: &str,
    reply_to: Option<&str>,
    body: &str,
) -> Mail {
    Mail {
        from: from.to_string(),
        at: VOTE_TIME + (hours * HOUR as f64) as i64,
        subject: subject.to_string(),
        id: id.to_string(),
        reply_to: reply_to.map(str::to_string),
        headers: "Content-Type: text/plain; charset=UTF-8\n".to_string(),
        body: body.to_string(),
        delivered: true,
        signed_by: None,
    }
}

pub fn rfc5322(epoch: i64) -> String {
    let output = std::process::Command::new("date")
        .args([
            "-u",
            "-d",
            &format!("@{epoch}"),
            "+%a, %d %b %Y %H:%M:%S +0000",
        ])
        .output()
        .expect("date runs");
    String::from_utf8(output.stdout).unwrap().trim().to_string()
}

/// One message as the archive holds it.
pub fn raw(m: &Mail, threading: bool) -> String {
    let address = m
        .from
        .rsplit_once('<')
        .map_or(m.from.as_str(), |(_, a)| a.trim_end_matches('>'));
    let mut message = format!(
        "From: {}\nTo: {LIST}\nDate: {}\nSubject: {}\nMessage-ID: <{}>\nMIME-Version: 1.0\n",
        m.from,
        rfc5322(m.at),
        m.subject,
        m.id
    );
    if let (Some(parent), true) = (&m.reply_to, threading) {
        message.push_str(&format!(
            "In-Reply-To: <{parent}>\nReferences: <vote-1@apache.org> <{parent}>\n"
        ));
    }
    message.push_str(&m.headers);
    message.push('\n');
    message.push_str(&m.body);
    if !m.delivered {
        return message;
    }
    let domain = address
        .rsplit_once('@')
        .map_or("", |(_, d)| d)
        .to_ascii_lowercase();
    let domain = domain.trim_end_matches(".invalid").to_string();
    let signed = m.signed_by.clone().unwrap_or(domain);
    asf_release::demo::lists::delivered(
        LIST,
        &message,
        Some(signed.as_str()).filter(|d| !d.is_empty()),
    )
}

/// The thread as an mbox, the way lists.apache.org exports it (mboxrd `>From ` escaping).
pub fn mbox(mails: &[Mail], threading: bool) -> String {
    let mut out = String::new();
    for m in mails {
        let address = m
            .from
            .rsplit_once('<')
            .map_or(m.from.as_str(), |(_, a)| a.trim_end_matches('>'));
        out.push_str(&format!("From {address} Mon May  6 07:08:09 2024\n"));
        for line in raw(m, threading).lines() {
            if line.trim_start_matches('>').starts_with("From ") {
                out.push('>');
            }
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

pub fn vote_mail() -> Mail {
    mail(
        "Release Manager <rm@apache.org>",
        0.0,
        SUBJECT,
        "vote-1@apache.org",
        None,
        "Hello, Community,\n\nThis is a call for the vote to release Apache Demo version 1.0.0.\n\n\
         The vote will be open for at least 72 hours. It passes with a minimum of 3 binding\n\
         +1 votes and more binding +1 than binding -1 votes.\n\nPlease vote:\n\n\
         [ ] +1 Release this package as Apache Demo 1.0.0\n[ ] 0  I won't get in the way\n\
         [ ] -1 Do not release this package because ...\n\n\
         I will start with my own +1 (binding).\n\nThanks,\nRelease Manager\n",
    )
}

pub struct Setup {
    pub world: World,
    pub repo: PathBuf,
}

pub fn setup(extra_config: &str) -> Setup {
    let world = World::new();
    let repo = world.path("demo");
    std::fs::create_dir_all(&repo).unwrap();
    world.git(&repo, &["init", "-q"]);
    world.write(
        &repo,
        "Cargo.toml",
        format!("[workspace.metadata.asf-release]\nname = \"demo\"\ndisplay-name = \"Demo\"\n{extra_config}").as_bytes(),
    );
    Setup { world, repo }
}

impl Setup {
    pub fn tally(&self, mbox: &str, roster: Option<&str>, now: i64, extra: &[&str]) -> Output {
        let mbox_path = self.world.path("thread.mbox");
        std::fs::write(&mbox_path, mbox).unwrap();
        let roster_path = self.world.path("roster.txt");
        let mut args = vec![
            "--repo".to_string(),
            self.repo.display().to_string(),
            "vote".into(),
            "tally".into(),
            "1.0.0".into(),
            "--rc".into(),
            "1".into(),
            "--mbox".into(),
            mbox_path.display().to_string(),
        ];
        if let Some(roster) = roster {
            std::fs::write(&roster_path, roster).unwrap();
            args.extend(["--roster".into(), roster_path.display().to_string()]);
        }
        args.extend(extra.iter().map(|a| a.to_string()));
        self.world
            .command(env!("CARGO_BIN_EXE_xtask"))
            .env("SOURCE_DATE_EPOCH", now.to_string())
            .args(&args)
            .output()
            .expect("xtask starts")
    }
}

pub fn run(mails: &[Mail], threading: bool) -> (Output, String) {
    let setup = setup("");
    let output = setup.tally(
        &mbox(mails, threading),
        Some(ROSTER),
        VOTE_TIME + 100 * HOUR,
        &["--verbose"],
    );
    let report = stdout(&output) + &stderr(&output);
    (output, report)
}

pub fn assert_counts(report: &str, binding: [usize; 4], non_binding: [usize; 4]) {
    let block = |label: &str, c: [usize; 4]| format!("{label} votes:\n  +1: {}", c[0]);
    for (label, counts) in [("\nbinding", binding), ("non-binding", non_binding)] {
        let start = report
            .find(&format!("{label} votes:\n"))
            .unwrap_or_else(|| panic!("{report}"));
        let section: Vec<&str> = report[start..]
            .trim_start()
            .lines()
            .skip(1)
            .take(4)
            .collect();
        let got: Vec<usize> = section
            .iter()
            .map(|l| {
                l.split(':')
                    .nth(1)
                    .unwrap()
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        assert_eq!(
            got,
            counts.to_vec(),
            "{} in:\n{report}",
            block(label, counts)
        );
    }
}
