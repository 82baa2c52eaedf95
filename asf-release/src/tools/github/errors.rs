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

//! GitHub's error answers as messages for people: GitHub's own detail kept (`message`, the
//! `errors[]` of a 422), printed escaped, with anything that looks like a token redacted.

use serde_json::Value;

use crate::untrusted::escape_short;

/// Prefixes of GitHub's token formats (classic, OAuth, user-to-server, server-to-server,
/// refresh, fine-grained).
const TOKEN_PREFIXES: [&str; 6] = ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"];

/// `text` with every token-like word and the configured `token` replaced by `[redacted]`.
pub fn redact(text: &str, token: Option<&str>) -> String {
    let mut text = text.to_string();
    if let Some(token) = token.filter(|t| t.len() >= 4) {
        text = text.replace(token, "[redacted]");
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some((at, prefix)) = TOKEN_PREFIXES
        .iter()
        .filter_map(|p| rest.find(p).map(|at| (at, *p)))
        .min()
    {
        out.push_str(&rest[..at]);
        let after = &rest[at + prefix.len()..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        out.push_str("[redacted]");
        rest = &after[len..];
    }
    out.push_str(rest);
    out
}

/// Untrusted text from GitHub as one safe line: redacted, escaped, at most `max` characters.
pub fn shown(text: &str, token: Option<&str>, max: usize) -> String {
    escape_short(redact(text, token).as_bytes(), max)
}

/// GitHub's `message`, and the `errors[]` entries of a validation failure, as one line.
pub fn detail(body: &str, token: Option<&str>) -> String {
    let Ok(json) = serde_json::from_str::<Value>(body) else {
        return shown(body.trim(), token, 200);
    };
    let message = json
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("(no message)");
    let mut detail = shown(message, token, 200);
    let errors: Vec<String> = json
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(10)
        .map(|entry| match entry {
            Value::String(text) => shown(text, token, 200),
            entry => {
                let field = |name: &str| entry.get(name).and_then(Value::as_str).unwrap_or("");
                let mut parts: Vec<String> = ["resource", "field", "code"]
                    .iter()
                    .filter(|name| !field(name).is_empty())
                    .map(|name| format!("{name} {}", shown(field(name), token, 80)))
                    .collect();
                if !field("message").is_empty() {
                    parts.push(shown(field("message"), token, 200));
                }
                parts.join(", ")
            }
        })
        .collect();
    if !errors.is_empty() {
        detail.push_str(&format!(": {}", errors.join("; ")));
    }
    detail
}

/// Whether a 422 says the thing exists already (`code: already_exists`).
pub fn already_exists(body: &str) -> bool {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|json| json.get("errors").and_then(Value::as_array).cloned())
        .is_some_and(|errors| {
            errors
                .iter()
                .any(|e| e.get("code").and_then(Value::as_str) == Some("already_exists"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_redacted_whatever_their_kind() {
        let text =
            "bad ghp_abc123 and github_pat_11AB_cd, gho_x ghs_y ghu_z ghr_w; mine: s3cr3t-value";
        let shown = redact(text, Some("s3cr3t-value"));
        assert_eq!(
            shown,
            "bad [redacted] and [redacted], [redacted] [redacted] [redacted] [redacted]; mine: [redacted]"
        );
    }

    #[test]
    fn details_keep_the_validation_errors_and_escape_them() {
        let body = r#"{"message":"Validation Failed","errors":[{"resource":"Milestone","code":"already_exists","field":"title"}]}"#;
        assert_eq!(
            detail(body, None),
            "Validation Failed: resource Milestone, field title, code already_exists"
        );
        assert!(already_exists(body));
        let hostile = "{\"message\":\"\\u001b[2Kfake \\n✓ ghp_leaked\"}";
        assert_eq!(detail(hostile, None), "\\x1b[2Kfake \\n✓ [redacted]");
        assert_eq!(detail("<html>\n", None), "<html>");
    }
}
