#![no_main]
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

//! Tag names read back through any tag patterns (`parse_tag`), and the candidate number that
//! follows: a meaning or `None`, never a panic or an overflow (a pushed `1.0.0-rc4294967295`
//! once made `tag --rc` panic). Input: the rc-tag-pattern, a newline, the tag name.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let (pattern, tag) = text.split_once('\n').unwrap_or(("{version}-rc{rc}", text));
    let manifest = format!(
        "[workspace.metadata.asf-release]\nname = \"demo\"\nrc-tag-pattern = {}\n",
        toml_string(pattern)
    );
    let Ok(config) = asf_release::config::parse(
        camino::Utf8Path::new("/repo"),
        camino::Utf8Path::new("/repo/Cargo.toml"),
        &manifest,
    ) else {
        return;
    };
    if let Some((version, rc)) = config.parse_tag(tag) {
        // Whatever a tag means can be named again and followed by a next candidate or a
        // clear error.
        let _ = match rc {
            Some(rc) => config.candidate_tag(&asf_release::version::Candidate { version, rc }),
            None => config.release_tag(&version),
        };
        let _ = config.next_rc(&version, rc);
        if let Some(rc) = rc {
            let _ = config.check_rc(rc);
        }
    }
});

/// A TOML basic string holding `text` exactly.
fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
