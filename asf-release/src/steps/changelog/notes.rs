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

//! The release notes made from commit subjects read as conventional commits: grouped by kind,
//! breaking changes first, PR numbers linked, then the contributors.

use std::collections::BTreeSet;

use crate::config::Config;
use crate::release_branch;
use crate::tools::git::LogEntry;
use crate::version::Version;

/// A commit subject read as a conventional commit: `type(scope)!: description`.
struct Change {
    kind: String,
    breaking: bool,
    text: String,
}

/// The headings of the notes, in order.
const GROUPS: [&str; 6] = [
    "Breaking changes",
    "Features",
    "Bug fixes",
    "Performance",
    "Documentation",
    "Other changes",
];

impl Change {
    fn group(&self) -> &'static str {
        if self.breaking {
            return GROUPS[0];
        }
        match self.kind.as_str() {
            "feat" => GROUPS[1],
            "fix" => GROUPS[2],
            "perf" => GROUPS[3],
            "docs" => GROUPS[4],
            _ => GROUPS[5],
        }
    }
}

fn parse_subject(entry: &LogEntry) -> Change {
    let breaking_body = entry.body.contains("BREAKING CHANGE");
    if let Some((head, description)) = entry.subject.split_once(": ") {
        let (head, bang) = match head.strip_suffix('!') {
            Some(head) => (head, true),
            None => (head, false),
        };
        let (kind, scope) = match head.split_once('(') {
            Some((kind, scope)) => (kind, scope.strip_suffix(')')),
            None => (head, None),
        };
        if !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_alphabetic()) {
            let text = match scope {
                Some(scope) if !scope.is_empty() => format!("{scope}: {description}"),
                _ => description.to_string(),
            };
            return Change {
                kind: kind.to_ascii_lowercase(),
                breaking: bang || breaking_body,
                text,
            };
        }
    }
    Change {
        kind: String::new(),
        breaking: breaking_body,
        text: entry.subject.clone(),
    }
}

/// `(#123)` -> `([#123](<repository>/pull/123))`
fn link_pull_requests(text: &str, repository: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("(#") {
        out.push_str(&rest[..at + 1]);
        let after = &rest[at + 2..];
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && after[digits..].starts_with(')') {
            let number = &after[..digits];
            out.push_str(&format!("[#{number}]({repository}/pull/{number})"));
            rest = &after[digits..];
        } else {
            out.push('#');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The notes from commits: breaking changes first, then by kind, then the contributors.
pub(super) fn notes_from_commits(
    config: &Config,
    version: &Version,
    entries: &[LogEntry],
) -> String {
    // The release's own commits (this section, the version bump) are no change of the release.
    let own = [
        release_branch::changelog_message(config, version),
        release_branch::bump_message(version),
    ];
    let entries: Vec<&LogEntry> = entries
        .iter()
        .filter(|entry| !own.contains(&entry.subject))
        .collect();
    let changes: Vec<Change> = entries.iter().copied().map(parse_subject).collect();
    let mut body = String::new();
    for title in GROUPS {
        let items: Vec<&Change> = changes.iter().filter(|c| c.group() == title).collect();
        if items.is_empty() {
            continue;
        }
        body.push_str(&format!("### {title}\n\n"));
        for change in items {
            body.push_str(&format!(
                "- {}\n",
                link_pull_requests(&change.text, &config.repository_url)
            ));
        }
        body.push('\n');
    }
    if changes.is_empty() {
        body.push_str("No changes.\n\n");
    }
    let contributors: BTreeSet<&str> = entries.iter().map(|e| e.author.as_str()).collect();
    if !contributors.is_empty() {
        let names: Vec<&str> = contributors.into_iter().collect();
        body.push_str(&format!(
            "### Contributors\n\n{} contributor{}: {}\n",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ));
    }
    body.trim_end().to_string() + "\n"
}
