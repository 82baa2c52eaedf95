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

//! The mails on the ATR route (`dist = "atr"`): ATR sends them. The VOTE mail we render is
//! the subject and body of the vote ATR starts; the RESULT is ATR's resolution (ATR replies in
//! the thread; our rendered summary stays in the file); the ANNOUNCE body goes to ATR's
//! announcement. The rendered mail is written as on the SVN route, for the record.

use std::process::ExitCode;

use anyhow::{Context, Result};
use camino::Utf8Path;

use super::render::Mail;
use super::{MailCommand, MailKind};
use crate::atr_flow::{self, vote};
use crate::config::Config;
use crate::plan::Plan;
use crate::version::Candidate;
use crate::Ctx;

pub fn deliver(
    ctx: &Ctx,
    config: &Config,
    command: &MailCommand,
    path: &Utf8Path,
    mail: &Mail,
) -> Result<ExitCode> {
    let text = mail.render();
    let mut plan = Plan::new(format!("mail `{}` through ATR", mail.subject));
    plan.local(format!("write {path}"), || {
        let dir = path.parent().context("the mail path has no directory")?;
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the output directory {dir}"))?;
        std::fs::write(path, &text).with_context(|| format!("cannot write {path}"))
    });
    match command {
        MailCommand::Vote { version, rc } => {
            let (subject, body) = (mail.subject.clone(), mail.body.clone());
            let candidate = Candidate {
                version: *version,
                rc: *rc,
            };
            vote::plan_start(ctx, config, candidate, subject, body, &mut plan)?;
        }
        MailCommand::Result { version, .. } => {
            vote::plan_resolve_passed(ctx, config, version, &mut plan)?;
        }
        MailCommand::Announce { version } => {
            let (subject, body) = (mail.subject.clone(), mail.body.clone());
            vote::plan_announce(ctx, config, version, subject, body, &mut plan)?;
        }
        // ATR has no planning mail: the caller sends it as on the SVN route.
        MailCommand::Discuss { .. } => {}
    }
    let done = plan.execute_confirmed(ctx)?;
    println!("--- {path} ---\n{text}");
    if done {
        eprintln!("wrote {path}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn state(release: &crate::flow::Release, kind: MailKind) -> Result<crate::flow::Progress> {
    use crate::flow::Progress;
    let stage = match kind {
        MailKind::Vote => "vote",
        MailKind::Result => "result",
        MailKind::Announce => "announce",
    };
    let (ctx, config) = (release.ctx, release.config);
    let standing = atr_flow::mail_state(ctx, config, &release.candidate, stage)?;
    // ATR's vote is resolved as passed only on our own count of the thread.
    if kind == MailKind::Result && !standing.done && release.options.mbox.is_none() {
        return Progress::blocked(format!(
            "the vote is resolved on our own count of the thread: download it as an mbox \
             from lists.apache.org and run `cargo xtask release {} --mbox <FILE> --roster \
             committee-info.json`",
            release.line
        ));
    }
    Progress::on_atr(standing)
}
