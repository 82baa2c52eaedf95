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

//! Asks a key server (HKP, as `gpg --keyserver` speaks it) whether it holds a key, without
//! importing anything.

use std::time::Duration;

use anyhow::{bail, Result};
use xshell::Shell;

use super::curl;
use crate::untrusted::escape_short;

/// The lookup URL of `fingerprint` on `keyserver` (`hkps://host`, `hkp://host[:port]`,
/// `https://...`), or `None` for a key server this check does not speak (`ldap://`...).
pub fn lookup_url(keyserver: &str, fingerprint: &str) -> Option<String> {
    let (scheme, rest) = keyserver.split_once("://")?;
    let host = rest.trim_end_matches('/');
    let base = match scheme.to_ascii_lowercase().as_str() {
        "hkps" | "https" => format!("https://{host}"),
        // HKP's own port when none is given.
        "hkp" if host.contains(':') => format!("http://{host}"),
        "hkp" => format!("http://{host}:11371"),
        "http" => format!("http://{host}"),
        _ => return None,
    };
    Some(format!(
        "{base}/pks/lookup?op=get&options=mr&search=0x{fingerprint}"
    ))
}

/// `Some(true)` when the key server has the key, `Some(false)` when it answers that it has
/// not, `None` when this key server cannot be asked; an error when it cannot be reached.
pub fn has_key(sh: &Shell, keyserver: &str, fingerprint: &str) -> Result<Option<bool>> {
    let Some(url) = lookup_url(keyserver, fingerprint) else {
        return Ok(None);
    };
    let request = curl::Request {
        method: "GET",
        url: &url,
        headers: Vec::new(),
        body: None,
        secret_body: false,
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(10),
        // A key with its signatures (only the status is looked at); a key flooded with more
        // signatures than this is reported as not checkable.
        body_limit: 16 * 1024 * 1024,
        reads_by_post: false,
    };
    let response = match curl::send(sh, &request) {
        Ok(response) => response,
        Err(curl::Failure::Local(err)) => return Err(err),
        Err(curl::Failure::NoAnswer(reason)) => bail!(
            "cannot reach {keyserver}: {}",
            escape_short(reason.as_bytes(), 300)
        ),
    };
    match response.status {
        200 => Ok(Some(true)),
        404 => Ok(Some(false)),
        other => bail!("{keyserver} answered HTTP {other} to the lookup"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_server_addresses_become_hkp_lookups() {
        assert_eq!(
            lookup_url("hkps://keys.openpgp.org", "AB").as_deref(),
            Some("https://keys.openpgp.org/pks/lookup?op=get&options=mr&search=0xAB")
        );
        assert_eq!(
            lookup_url("hkp://127.0.0.1:1234", "AB").as_deref(),
            Some("http://127.0.0.1:1234/pks/lookup?op=get&options=mr&search=0xAB")
        );
        assert!(lookup_url("hkp://keyserver.ubuntu.com", "AB")
            .is_some_and(|url| url.starts_with("http://keyserver.ubuntu.com:11371/")));
        assert_eq!(lookup_url("ldap://keys.example.org", "AB"), None);
    }
}
