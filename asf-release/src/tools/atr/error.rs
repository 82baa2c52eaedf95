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

//! ATR's error answers: the route, the status, ATR's own message (escaped) and what to do.

use serde_json::Value;

use crate::untrusted::escape_short;

/// A non-success answer of ATR: the route, the status and ATR's message.
#[derive(Debug)]
pub struct AtrError {
    pub route: String,
    pub status: u16,
    /// ATR's `error` text (escaped), with its validation details.
    pub message: String,
}

impl std::fmt::Display for AtrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let advice = match self.status {
            400 => "ATR rejected the request as invalid",
            401 => {
                "ATR refused the credentials: check ATR_UID (your ASF id) and ATR_TOKEN (a \
                    token made on ATR's /tokens page, valid 180 days)"
            }
            403 => {
                "ATR does not permit this to ATR_UID: you must be a committer or PMC member \
                    of the project, and the list must be one ATR allows"
            }
            404 => "ATR has no such thing (or the release is not in the phase this needs)",
            409 => "the release on ATR is not in the state this needs",
            429 => {
                "ATR's rate limit is reached: rerun in an hour, the steps go on where they \
                    stopped"
            }
            500..=599 => "ATR failed on its side: try again later",
            _ => "unexpected answer",
        };
        write!(
            f,
            "ATR answered {} with {}: {} ({advice})",
            self.route, self.status, self.message
        )
    }
}

impl std::error::Error for AtrError {}

/// The status of an ATR error inside `err`, if that is what it is.
pub fn status_of(err: &anyhow::Error) -> Option<u16> {
    err.downcast_ref::<AtrError>().map(|e| e.status)
}

/// ATR's message from an error body, escaped and cut short.
pub(super) fn message_of(body: &[u8]) -> String {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return escape_short(body, 300);
    };
    let mut text = value["error"].as_str().unwrap_or_default().to_string();
    if let Some(details) = value["validation_details"].as_array() {
        let parts: Vec<String> = details
            .iter()
            .take(5)
            .map(|d| format!("{} at {}", d["msg"].as_str().unwrap_or("?"), d["loc"]))
            .collect();
        text.push_str(&format!(" [{}]", parts.join("; ")));
    }
    escape_short(text.as_bytes(), 400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_are_escaped_and_carry_validation_details() {
        let body = br#"{"error": "Input validation failed\u001b[31m", "validation_details": [{"type": "extra_forbidden", "loc": ["body", "colour"], "msg": "Extra inputs are not permitted"}]}"#;
        let message = message_of(body);
        assert!(!message.contains('\u{1b}'), "{message}");
        assert!(message.contains("Extra inputs are not permitted at [\"body\",\"colour\"]"));
        let err = AtrError {
            route: "POST https://atr.example/api/vote/start".into(),
            status: 409,
            message,
        };
        assert!(err
            .to_string()
            .starts_with("ATR answered POST https://atr.example/api/vote/start with 409"));
    }
}
