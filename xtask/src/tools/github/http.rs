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
//! HTTP library can be swapped by changing this file only.

use std::time::Duration;

use serde_json::Value;

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
    agent: ureq::Agent,
}

impl Transport {
    pub fn new() -> Transport {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent("asf-release-xtask")
            .build();
        Transport {
            agent: ureq::Agent::new_with_config(config),
        }
    }

    /// Sends one request; `Err` only when no answer came (network, TLS, timeout), with the
    /// library's reason.
    pub fn send(&self, request: &Request) -> Result<Response, String> {
        let headers = [
            ("Accept", "application/vnd.github+json"),
            ("X-GitHub-Api-Version", "2022-11-28"),
        ];
        let url = request.url;
        let sent = match (request.method, request.body) {
            ("GET", _) => with_headers(self.agent.get(url), &headers, request.auth).call(),
            ("DELETE", _) => with_headers(self.agent.delete(url), &headers, request.auth).call(),
            ("POST", Some(body)) => {
                with_headers(self.agent.post(url), &headers, request.auth).send_json(body)
            }
            ("PATCH", Some(body)) => {
                with_headers(self.agent.patch(url), &headers, request.auth).send_json(body)
            }
            (method, _) => return Err(format!("unsupported request {method}")),
        };
        let mut response = sent.map_err(|err| err.to_string())?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(name, value)| {
                Some((
                    name.as_str().to_ascii_lowercase(),
                    value.to_str().ok()?.to_string(),
                ))
            })
            .collect();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
            .map_err(|err| format!("cannot read the answer: {err}"))?;
        Ok(Response {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }
}

fn with_headers<B>(
    mut builder: ureq::RequestBuilder<B>,
    headers: &[(&str, &str)],
    auth: Option<&str>,
) -> ureq::RequestBuilder<B> {
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    match auth {
        Some(auth) => builder.header("Authorization", auth),
        None => builder,
    }
}
