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

//! Small bounded readers of just the keys the audit needs from other tools' configuration
//! files (YAML, XML, INI, TOML), so no parser crate is needed for them.

use regex::Regex;

pub fn plain_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(String::from)
        .collect()
}

/// The lines of one `[section]` of an INI file.
pub fn ini_section(text: &str, wanted: &str) -> Vec<String> {
    let mut inside = false;
    let mut lines = Vec::new();
    for line in plain_lines(text) {
        if line.starts_with('[') && line.ends_with(']') {
            inside = line[1..line.len() - 1].trim() == wanted;
        } else if inside {
            lines.push(line);
        }
    }
    lines
}

pub fn toml_excludes(text: &str) -> Vec<String> {
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return Vec::new();
    };
    table
        .get("excludes")
        .and_then(|v| v.as_array())
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// The `apache-rat-plugin` plugin blocks of a pom, comments removed: in `<pluginManagement>`
/// and in `<plugins>`, each from its `<plugin>` to its `</plugin>`.
pub fn rat_plugin_blocks(text: &str) -> Vec<String> {
    let without_comments = without_xml_comments(text);
    let marker = "<artifactId>apache-rat-plugin</artifactId>";
    let mut blocks = Vec::new();
    let mut from = 0;
    while let Some(found) = without_comments[from..].find(marker) {
        let at = from + found;
        let start = without_comments[..at].rfind("<plugin>").unwrap_or(at);
        let end = without_comments[at..]
            .find("</plugin>")
            .map_or(without_comments.len(), |e| at + e);
        blocks.push(without_comments[start..end].to_string());
        from = end.max(at + marker.len());
    }
    blocks
}

pub fn without_xml_comments(text: &str) -> String {
    Regex::new(r"(?s)<!--.*?-->")
        .map(|re| re.replace_all(text, "").into_owned())
        .unwrap_or_else(|_| text.to_string())
}

/// The most patterns read from one pom (real ones have tens).
const MAX_POM_PATTERNS: usize = 10_000;

/// The `<exclude>` lines inside the `apache-rat-plugin` plugin block of a pom.
pub fn rat_plugin_excludes(text: &str) -> Vec<String> {
    // `<exclude>` up to RAT 0.15, `<inputExclude>` since 0.16; the plugin may be configured in
    // `<pluginManagement>` and in `<plugins>`.
    let Ok(exclude) =
        Regex::new(r"<(exclude|inputExclude)>\s*([^<]*?)\s*</(?:exclude|inputExclude)>")
    else {
        return Vec::new();
    };
    // A pom is untrusted: a bounded number of patterns, told apart by a set.
    let mut patterns = Vec::new();
    let mut known = std::collections::HashSet::new();
    for block in rat_plugin_blocks(text) {
        for captures in exclude.captures_iter(&block) {
            let pattern = captures.get(2).map_or("", |m| m.as_str());
            if patterns.len() >= MAX_POM_PATTERNS {
                return patterns;
            }
            if !pattern.is_empty() && known.insert(pattern.to_string()) {
                patterns.push(pattern.to_string());
            }
        }
    }
    patterns
}

/// `(dotted.key, value)` for each scalar and each list item of a simple YAML mapping.
pub fn yaml_values(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut values = Vec::new();
    let indent_of = |line: &str| line.len() - line.trim_start().len();
    let mut index = 0;
    while index < lines.len() {
        let line = lines[index];
        index += 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed == "---" {
            continue;
        }
        let indent = indent_of(line);
        let item = trimmed.starts_with("- ") || trimmed == "-";
        while let Some((top, _)) = stack.last() {
            if *top > indent || (*top == indent && !item) {
                stack.pop();
            } else {
                break;
            }
        }
        let prefix: Vec<&str> = stack.iter().map(|(_, k)| k.as_str()).collect();
        if item {
            values.push((prefix.join("."), unquote(trimmed[1..].trim())));
            continue;
        }
        let Some((key, value)) = trimmed.split_once(':') else {
            continue;
        };
        let key = key.trim().to_string();
        let mut value = value.trim();
        if value.starts_with('#') {
            value = "";
        }
        let mut full = prefix.clone();
        full.push(&key);
        let full = full.join(".");
        // A block scalar marker may stand alone on the next line (`content:\n  | # ...`).
        if value.is_empty() {
            if let Some(next) = lines[index..].iter().find(|l| !l.trim().is_empty()) {
                let next = next.trim();
                if next.starts_with('|') || next.starts_with('>') {
                    index += lines[index..]
                        .iter()
                        .position(|l| !l.trim().is_empty())
                        .map_or(0, |p| p + 1);
                    value = "|";
                }
            }
        }
        if value.starts_with('|') || value.starts_with('>') {
            let mut block = Vec::new();
            while index < lines.len()
                && (lines[index].trim().is_empty() || indent_of(lines[index]) > indent)
            {
                block.push(lines[index].trim());
                index += 1;
            }
            values.push((full, block.join("\n")));
        } else if value.is_empty() {
            stack.push((indent, key));
        } else {
            values.push((full, unquote(value)));
        }
    }
    values
}

fn unquote(value: &str) -> String {
    for quote in ['\'', '"'] {
        if let Some(inner) = value.strip_prefix(quote) {
            if let Some(end) = inner.find(quote) {
                return inner[..end].to_string();
            }
        }
    }
    match value.find(" #") {
        Some(at) => value[..at].trim().to_string(),
        None => value.to_string(),
    }
}
