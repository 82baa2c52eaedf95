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

//! A version's section in CHANGELOG.md (APISIX format: a `## Table of Contents` entry and a
//! `## VERSION` section, newest first), put in or replaced, every other line kept.

use crate::version::Version;

const TOC_HEADING: &str = "## Table of Contents";

/// The version of a release heading: `## 3.18.0`, also `## [3.17.0] - 2024-01-02` and
/// `## v3.16.0` as other changelog styles write them (for the order only).
fn section_version(line: &str) -> Option<Version> {
    let first = line.strip_prefix("## ")?.split_whitespace().next()?;
    let first = first.trim_start_matches('[').trim_end_matches(']');
    first.strip_prefix('v').unwrap_or(first).parse().ok()
}

fn toc_version(line: &str) -> Option<Version> {
    let rest = line.trim().strip_prefix("- [")?;
    rest.split_once(']')?.0.parse().ok()
}

/// CHANGELOG.md with the section of `version` put in (or replaced) and its table-of-contents
/// entry added; every other line stays as it was.
pub fn update_changelog(current: Option<&str>, version: &Version, body: &str) -> String {
    let heading = format!("## {version}");
    let entry = format!("- [{version}](#{})", version.heading_anchor());
    let Some(current) = current else {
        return format!("# Changelog\n\n{TOC_HEADING}\n\n{entry}\n\n{heading}\n\n{body}");
    };
    let mut lines: Vec<String> = current.lines().map(str::to_string).collect();
    let section: Vec<String> = std::iter::once(heading.clone())
        .chain(std::iter::once(String::new()))
        .chain(body.trim_end().lines().map(str::to_string))
        .chain(std::iter::once(String::new()))
        .collect();

    // The section: replace our own, else insert it before the first older one.
    if let Some(start) = lines.iter().position(|line| line.trim_end() == heading) {
        let end = lines[start + 1..]
            .iter()
            .position(|line| line.starts_with("## "))
            .map_or(lines.len(), |offset| start + 1 + offset);
        let trailing_end = end == lines.len();
        let mut replacement = section.clone();
        if trailing_end {
            replacement.pop();
        }
        lines.splice(start..end, replacement);
    } else {
        let older = lines
            .iter()
            .position(|line| section_version(line).is_some_and(|v| v < *version));
        match older {
            Some(at) => {
                lines.splice(at..at, section.clone());
            }
            None => {
                if lines.last().is_some_and(|line| !line.is_empty()) {
                    lines.push(String::new());
                }
                lines.extend(section[..section.len() - 1].iter().cloned());
            }
        }
    }

    // The table of contents entry.
    let toc = lines
        .iter()
        .position(|line| line.trim_end().eq_ignore_ascii_case(TOC_HEADING));
    let toc = match toc {
        Some(at) => at,
        None => {
            let at = lines
                .iter()
                .position(|line| line.starts_with("# "))
                .map_or(0, |title| title + 1);
            lines.splice(at..at, [String::new(), TOC_HEADING.to_string()]);
            at + 1
        }
    };
    let toc_end = lines[toc + 1..]
        .iter()
        .position(|line| line.starts_with("## "))
        .map_or(lines.len(), |offset| toc + 1 + offset);
    let entries: Vec<usize> = (toc + 1..toc_end)
        .filter(|&i| lines[i].trim_start().starts_with("- ["))
        .collect();
    if !entries
        .iter()
        .any(|&i| toc_version(&lines[i]) == Some(*version))
    {
        let older = entries
            .iter()
            .copied()
            .find(|&i| toc_version(&lines[i]).is_some_and(|v| v < *version));
        match (older, entries.last()) {
            (Some(at), _) => lines.insert(at, entry),
            (None, Some(&last)) => lines.insert(last + 1, entry),
            (None, None) => {
                let mut block = vec![String::new(), entry];
                if lines.get(toc + 1).is_some_and(|next| !next.is_empty()) {
                    block.push(String::new());
                }
                lines.splice(toc + 1..toc + 1, block);
            }
        }
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}
