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

//! A Python project's sdist as its build configuration makes it: `<name>-<version>.tar.gz`
//! with the name normalised as PEP 625 asks, everything under `<name>-<version>/`, and the
//! paths hatch or flit are told to include and exclude (gitignore-like patterns, as ours).
//! setuptools takes its files from `MANIFEST.in` and the packages it finds, which no list of
//! paths reproduces: that is said, not guessed.

use camino::Utf8Path;

use super::read_text;
use super::release::{Found, ReleaseFacts};

/// `apache-libcloud` -> `apache_libcloud` (PEP 625's sdist name).
fn normalised(name: &str) -> String {
    let mut out = String::new();
    let mut separator = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            separator = true;
            continue;
        }
        if separator && !out.is_empty() {
            out.push('_');
        }
        separator = false;
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn strings(value: Option<&toml::Value>) -> Option<Vec<String>> {
    Some(
        value?
            .as_array()?
            .iter()
            .filter_map(|v| v.as_str())
            .filter(|v| !v.contains(".."))
            .map(str::to_string)
            .collect(),
    )
}

pub(super) fn sdist(repo: &Utf8Path) -> ReleaseFacts {
    let mut facts = ReleaseFacts::default();
    let Some(text) = read_text(repo, "pyproject.toml") else {
        return facts;
    };
    let Ok(manifest) = toml::from_str::<toml::Table>(&text) else {
        return facts;
    };
    let Some(name) = manifest
        .get("project")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
    else {
        return facts;
    };
    let line = |needle: &str| {
        text.find(needle)
            .map_or(1, |at| text[..at].matches('\n').count() + 1)
    };
    let stem = format!("{}-{{version}}", normalised(name));
    let from = format!("pyproject.toml:{} (the sdist, PEP 625)", line("name"));
    facts.artifact = Some(Found {
        value: format!("{stem}.tar.gz"),
        from: from.clone(),
    });
    facts.top_dir = Some(Found { value: stem, from });
    let tool = manifest.get("tool");
    let (include, exclude, table) = match (
        tool.and_then(|t| t.get("hatch"))
            .and_then(|h| h.get("build"))
            .and_then(|b| b.get("targets"))
            .and_then(|t| t.get("sdist")),
        tool.and_then(|t| t.get("flit"))
            .and_then(|f| f.get("sdist")),
    ) {
        (Some(hatch), _) => (
            strings(hatch.get("only-include")).or(strings(hatch.get("include"))),
            strings(hatch.get("exclude")),
            "[tool.hatch.build.targets.sdist]",
        ),
        (None, Some(flit)) => (
            strings(flit.get("include")),
            strings(flit.get("exclude")),
            "[tool.flit.sdist]",
        ),
        (None, None) => (None, None, ""),
    };
    let at = format!("pyproject.toml:{}", line(table.trim_matches(['[', ']'])));
    // hatch's and flit's patterns are gitignore-like, as ours are: taken as they are.
    if let Some(mut include) = include.filter(|list| !list.is_empty()) {
        // Every sdist carries its build configuration.
        include.push("/pyproject.toml".into());
        facts.includes = Some(Found {
            value: include,
            from: at.clone(),
        });
    }
    if let Some(exclude) = exclude.filter(|list| !list.is_empty()) {
        facts.excludes = Some(Found {
            value: exclude,
            from: at,
        });
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sdist_is_named_and_filled_as_its_build_configuration_says() {
        assert_eq!(normalised("Apache-Libcloud"), "apache_libcloud");
        assert_eq!(normalised("pyiceberg_core"), "pyiceberg_core");
        assert_eq!(normalised("a..b--c"), "a_b_c");
        let dir = tempfile::tempdir().unwrap();
        let repo = Utf8Path::from_path(dir.path()).unwrap();
        std::fs::write(
            repo.join("pyproject.toml"),
            "[project]\nname = \"apache-airflow-client\"\n\n[tool.hatch.build.targets.sdist]\ninclude = [\"airflow_client\", \"/LICENSE\", \"NOTICE\"]\nexclude = [\"test/\", \"*.orig\"]\n",
        )
        .unwrap();
        let facts = sdist(repo);
        assert_eq!(
            facts.artifact.map(|f| f.value).as_deref(),
            Some("apache_airflow_client-{version}.tar.gz")
        );
        assert_eq!(
            facts.top_dir.map(|f| f.value).as_deref(),
            Some("apache_airflow_client-{version}")
        );
        assert_eq!(
            facts.includes.map(|f| f.value),
            Some(vec![
                "airflow_client".into(),
                "/LICENSE".into(),
                "NOTICE".into(),
                "/pyproject.toml".into()
            ])
        );
        let excludes = facts.excludes.unwrap();
        assert_eq!(
            excludes.value,
            vec!["test/".to_string(), "*.orig".to_string()]
        );
        assert_eq!(excludes.from, "pyproject.toml:4");
    }
}
