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

//! The ASF's public committee data on whimsy.apache.org (`/public/*.json`, no login): the
//! PMC rosters in `committee-info.json` and the LDAP project groups (a podling's PPMC) in
//! `public_ldap_projects.json`. Fetched through `tools::curl` with a size limit; the caller
//! parses. Tests point `XTASK_WHIMSY_URL` at a stand-in on 127.0.0.1.

use std::time::Duration;

use anyhow::{bail, Result};
use xshell::Shell;

use crate::tools::curl;
use crate::untrusted::escape_short;

pub const URL_VAR: &str = "XTASK_WHIMSY_URL";
pub const PRODUCTION: &str = "https://whimsy.apache.org";

/// committee-info.json is about 1 MiB, public_ldap_projects.json a few.
const LIMIT: u64 = 32 << 20;

pub const COMMITTEE_INFO: &str = "committee-info.json";
pub const LDAP_PROJECTS: &str = "public_ldap_projects.json";

/// The address of a public file (`committee-info.json`).
pub fn url(file: &str) -> Result<String> {
    let base = std::env::var(URL_VAR)
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| PRODUCTION.to_string());
    crate::tools::lists::check_base(&base, URL_VAR)?;
    Ok(format!("{}/public/{file}", base.trim_end_matches('/')))
}

/// The text of a public file, with its address.
pub fn public_file(sh: &Shell, file: &str) -> Result<(String, String)> {
    let url = url(file)?;
    let request = curl::Request {
        method: "GET",
        url: &url,
        headers: vec![("Accept", "application/json".to_string())],
        body: None,
        secret_body: false,
        timeout: Duration::from_secs(120),
        connect_timeout: Duration::from_secs(15),
        body_limit: LIMIT,
        reads_by_post: false,
    };
    let fix = "check the network, or pass the PMC roster with --roster FILE (committee-info.json \
               or a list of Apache ids)";
    let response = match curl::send(sh, &request) {
        Ok(response) => response,
        Err(curl::Failure::Local(err)) => return Err(err),
        Err(curl::Failure::NoAnswer(reason)) => bail!(
            "cannot read {url} ({}): {fix}",
            escape_short(reason.as_bytes(), 200)
        ),
    };
    if response.status != 200 {
        bail!(
            "{url} answered HTTP {} ({}): {fix}",
            response.status,
            escape_short(
                String::from_utf8_lossy(&response.body).trim().as_bytes(),
                200
            )
        );
    }
    match String::from_utf8(response.body) {
        Ok(text) => Ok((url, text)),
        Err(_) => bail!("{url} is not UTF-8 text: {fix}"),
    }
}
