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

//! With `dist = "atr"`: the signing key linked to the project's committee on ATR, which
//! checks every `.asc` against that committee's keys only (a signature by a key it does not
//! hold is a blocker, and a blocker stops the vote).

use anyhow::{bail, Result};

use crate::atr_flow::{client, shown_post, Link};
use crate::config::Config;
use crate::plan::Plan;
use crate::tools::atr::{self, Atr};
use crate::Ctx;

/// `keys check`: the problem to report when the key is not linked.
pub fn check(ctx: &Ctx, config: &Config, fingerprint: &str) -> Result<Option<String>> {
    let client = client(ctx, config);
    let link = Link::read(&client, config, fingerprint)?;
    if link.linked {
        println!(
            "✓ key {fingerprint} is linked to committee {} on ATR ({})",
            link.committee, config.atr_url
        );
    }
    Ok(link.problem(config, fingerprint))
}

/// `keys append`: the ATR call that links the key, when it is not linked yet. `armored` is
/// the public key as `gpg --armor --export` writes it.
pub fn plan_link<'a>(
    plan: &mut Plan<'a>,
    client: &'a Atr,
    config: &'a Config,
    link: &'a Link,
    fingerprint: &'a str,
    armored: String,
) {
    let uid = client.uid().unwrap_or(atr::UID_VAR);
    let shown = shown_post(
        client,
        "/key/add",
        &format!(
            "asfuid: {uid}, committees: [{}], key: {fingerprint} armored",
            link.committee
        ),
    );
    plan.local(shown, move || {
        client.add_key(&link.committee, &armored, fingerprint)?;
        if !Link::read(client, config, fingerprint)?.linked {
            bail!(
                "ATR accepted key {fingerprint} but does not list it among the keys of \
                 committee {}: check it on {}/keys",
                link.committee,
                config.atr_url
            );
        }
        println!(
            "linked key {fingerprint} to committee {} on ATR",
            link.committee
        );
        Ok(())
    });
}
