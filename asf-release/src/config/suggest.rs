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

//! "did you mean `signing-key`?": the nearest known key to an unknown one.

/// For serde's "unknown field `signing-keys`, expected one of `name`, ..." the line "did you
/// mean `signing-key`?" when one known key is a few edits away; else nothing.
pub(super) fn did_you_mean(error: &str) -> String {
    let Some((_, rest)) = error.split_once("unknown field `") else {
        return String::new();
    };
    let Some((unknown, rest)) = rest.split_once('`') else {
        return String::new();
    };
    let known = rest.split('`').skip(1).step_by(2);
    let nearest = known
        .map(|key| (edit_distance(unknown, key), key))
        .filter(|(distance, key)| *distance <= (key.len() / 3).max(2))
        .min();
    match nearest {
        Some((_, key)) => format!("did you mean `{key}`?\n"),
        None => String::new(),
    }
}

/// Levenshtein distance between two short keys.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use crate::config::{parse, Config};

    fn parse_str(extra: &str) -> anyhow::Result<Config> {
        let text =
            format!("[workspace.metadata.asf-release]\nname = \"apisix-dashboard\"\n{extra}");
        parse(
            Utf8Path::new("/repo"),
            Utf8Path::new("/repo/Cargo.toml"),
            &text,
        )
    }

    #[test]
    fn an_unknown_key_suggests_the_nearest_known_one() {
        let err = parse_str("signing-keys = \"x\"\n").unwrap_err().to_string();
        assert!(err.contains("did you mean `signing-key`?"), "{err}");
        let err = parse_str("download-page = { fil = \"a\", lines = [] }\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("did you mean `file`?"), "{err}");
        let file = Utf8Path::new("/repo/.asf-release.toml");
        let err = crate::config::parse_settings_file(
            Utf8Path::new("/repo"),
            file,
            "name = \"x\"\nbrnach-pattern = \"v\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("did you mean `branch-pattern`?"), "{err}");
        // Nothing near: no guess.
        let err = parse_str("colour = \"blue\"\n").unwrap_err().to_string();
        assert!(!err.contains("did you mean"), "{err}");
    }
}
