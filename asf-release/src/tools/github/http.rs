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

//! The one place that speaks HTTP: a request in; status, headers and a size-limited body out.
//! Nothing here follows redirects, retries or knows GitHub: the client above decides, so the
//! HTTP client can be swapped by changing this file only. Today it is the system's `curl`
//! (`tools/curl.rs`), which gets the token on its standard input.

use std::time::Duration;

use anyhow::Result;
use serde_json::Value;
use xshell::Shell;

use crate::tools::curl;

/// GitHub's largest answers (a page of 100 issues) are well below this.
const BODY_LIMIT: u64 = 16 * 1024 * 1024;

pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// The `Authorization` header's value, if any.
    pub auth: Option<&'a str>,
    pub body: Option<&'a Value>,
}

pub struct Response {
    pub status: u16,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body as text; invalid UTF-8 replaced (it is parsed as JSON or shown escaped).
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

pub struct Transport {
    sh: Shell,
}

impl Transport {
    pub fn new(sh: &Shell) -> Transport {
        Transport { sh: sh.clone() }
    }

    /// Sends one request. The outer `Err` when it cannot be sent from this machine (curl
    /// missing...), saying what to do; the inner one when no answer came (network, TLS,
    /// timeout, an answer over the size limit), with the reason.
    pub fn send(&self, request: &Request) -> Result<Result<Response, String>> {
        let mut headers = vec![
            ("Accept", "application/vnd.github+json".to_string()),
            ("X-GitHub-Api-Version", super::API_VERSION.to_string()),
        ];
        if let Some(auth) = request.auth {
            headers.push(("Authorization", auth.to_string()));
        }
        let body = request.body.map(Value::to_string);
        if body.is_some() {
            headers.push(("Content-Type", "application/json".to_string()));
        }
        let sent = curl::send(
            &self.sh,
            &curl::Request {
                method: request.method,
                url: request.url,
                headers,
                body: body.as_deref().map(str::as_bytes),
                secret_body: false,
                timeout: Duration::from_secs(60),
                connect_timeout: Duration::from_secs(15),
                body_limit: BODY_LIMIT,
                reads_by_post: false,
            },
        );
        match sent {
            Ok(response) => Ok(Ok(Response {
                status: response.status,
                headers: response.headers,
                body: String::from_utf8_lossy(&response.body).into_owned(),
            })),
            Err(curl::Failure::NoAnswer(reason)) => Ok(Err(reason)),
            Err(curl::Failure::Local(err)) => Err(err),
        }
    }
}
