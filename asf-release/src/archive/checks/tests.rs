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

//! The content rules, each on a small tree that breaks it.

use super::content::APACHE_LICENSE;
use super::*;

fn rules() -> Rules {
    Rules {
        top_dir: "apache-x-1.0.0-src".into(),
        top_dir_alternative: Some("apache-x-1.0.0".into()),
        incubating: false,
        binary_allow: Excludes::new(&["fixtures/*.jar".into()], "binary-allow").unwrap(),
        license_header_excludes: Excludes::new(&["vendor".into()], "license-header-excludes")
            .unwrap(),
        atr_headers: false,
    }
}

fn file(path: &str, content: &[u8]) -> Entry {
    Entry {
        path: path.into(),
        kind: Kind::File { executable: false },
        mode: 0o644,
        size: content.len() as u64,
        blob_id: None,
        head: content[..content.len().min(4096)].to_vec(),
        whole: wants_whole(path).then(|| content.to_vec()),
    }
}

const NOTICE: &[u8] = b"Apache X\nCopyright 2020-2026 The Apache Software Foundation\n\nThis product includes software developed at\nThe Apache Software Foundation (http://www.apache.org/).\n";

fn good() -> Vec<Entry> {
    vec![
        Entry {
            kind: Kind::Dir,
            ..file("apache-x-1.0.0-src", b"")
        },
        file("apache-x-1.0.0-src/LICENSE", APACHE_LICENSE.as_bytes()),
        file("apache-x-1.0.0-src/NOTICE", NOTICE),
        file(
            "apache-x-1.0.0-src/src/main.lua",
            b"--\n-- Licensed to the Apache Software Foundation (ASF) under one\n",
        ),
        file("apache-x-1.0.0-src/vendor/lib.js", b"no header"),
        file("apache-x-1.0.0-src/web/app.min.js", b"no header"),
        file("apache-x-1.0.0-src/fixtures/a.jar", b"PK\x03\x04"),
    ]
}

fn check(entries: &[Entry], rules: Rules) -> Vec<Finding> {
    let mut checker = Checker::new(rules);
    for entry in entries {
        checker.visit(entry);
    }
    checker.finish()
}

fn rules_broken(entries: &[Entry]) -> Vec<(&'static str, String)> {
    check(entries, rules())
        .into_iter()
        .map(|f| (f.rule, f.path))
        .collect()
}

#[test]
fn a_good_tree_passes() {
    assert_eq!(check(&good(), rules()), vec![]);
}

#[test]
fn license_may_carry_https_and_other_whitespace_and_appended_licenses() {
    let mut entries = good();
    let text = APACHE_LICENSE
        .replace("http://", "https://")
        .replace("  ", " ")
        + "\n\nMIT License ...";
    entries[1] = file("apache-x-1.0.0-src/LICENSE", text.as_bytes());
    assert_eq!(check(&entries, rules()), vec![]);
}

#[test]
fn each_broken_rule_names_the_file() {
    let mut entries = good();
    entries.remove(2);
    entries.push(file("apache-x-1.0.0-src/bin/tool", b"\x7fELF\x02\x01"));
    entries.push(file("apache-x-1.0.0-src/Main.class", b"\xca\xfe\xba\xbe"));
    entries.push(file(
        "apache-x-1.0.0-src/src/new.go",
        b"package main\n\nimport \"os\"\n\nfunc main() {\n\tos.Exit(0)\n}\n",
    ));
    entries.push(Entry {
        kind: Kind::Symlink {
            target: "../../etc/passwd".into(),
        },
        ..file("apache-x-1.0.0-src/link", b"")
    });
    entries.push(file("other/file", b""));
    entries.push(file("apache-x-1.0.0-src/../evil", b""));
    let broken = rules_broken(&entries);
    let expect = [
        ("notice", "apache-x-1.0.0-src/NOTICE"),
        ("binaries", "apache-x-1.0.0-src/bin/tool"),
        ("binaries", "apache-x-1.0.0-src/Main.class"),
        ("license-headers", "apache-x-1.0.0-src/src/new.go"),
        ("paths", "apache-x-1.0.0-src/link"),
        ("paths", "apache-x-1.0.0-src/../evil"),
        ("top-dir", ""),
    ];
    for (rule, path) in expect {
        assert!(
            broken.contains(&(rule, path.to_string())),
            "{rule} {path}: {broken:?}"
        );
    }
}

#[test]
fn a_wrong_license_or_notice_is_named() {
    let mut entries = good();
    entries[1] = file("apache-x-1.0.0-src/LICENSE", b"MIT License");
    entries[2] = file("apache-x-1.0.0-src/NOTICE", b"Some product\n");
    let broken = check(&entries, rules());
    assert!(broken.iter().any(|f| f.rule == "license"));
    assert_eq!(broken.iter().filter(|f| f.rule == "notice").count(), 3);
}

#[test]
fn incubating_needs_a_disclaimer() {
    let mut incubating = rules();
    incubating.incubating = true;
    let broken = check(&good(), incubating.clone());
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].rule, "disclaimer");
    let mut entries = good();
    entries.push(file("apache-x-1.0.0-src/DISCLAIMER-WIP", b"..."));
    assert_eq!(check(&entries, incubating), vec![]);
}

#[test]
fn incubating_names_and_duplicate_paths_are_flagged() {
    let mut incubating = rules();
    incubating.incubating = true;
    let named = file_name_findings(&incubating, "apache-x-1.0.0-src.tgz");
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].rule, "incubating-name");
    assert!(file_name_findings(&incubating, "apache-x-1.0.0-incubating-src.tgz").is_empty());
    assert!(file_name_findings(&rules(), "apache-x-1.0.0-src.tgz").is_empty());

    let mut entries = good();
    entries.push(file("apache-x-1.0.0-src/src/main.lua", b"-- replaced"));
    let broken = rules_broken(&entries);
    assert!(
        broken.contains(&("paths", "apache-x-1.0.0-src/src/main.lua".to_string())),
        "{broken:?}"
    );
}

#[test]
fn rat_excludes_are_honoured() {
    let mut entries = good();
    entries.push(file(
        "apache-x-1.0.0-src/gen/out.py",
        b"x = 1\ny = 2\nz = 3\nprint(x + y + z)\n",
    ));
    assert_eq!(rules_broken(&entries).len(), 1);
    entries.push(file(
        "apache-x-1.0.0-src/.rat-excludes",
        b"# generated\ngen\n",
    ));
    assert_eq!(rules_broken(&entries), vec![]);
}

#[test]
fn the_alternative_top_dir_is_accepted() {
    let entries: Vec<Entry> = good()
        .into_iter()
        .map(|mut e| {
            e.path = e.path.replace("-src", "");
            e
        })
        .collect();
    assert!(rules_broken(&entries)
        .iter()
        .all(|(rule, _)| *rule != "top-dir"));
}

/// The full ASF header in Lua comments.
const FULL_HEADER: &str = "--
-- Licensed to the Apache Software Foundation (ASF) under one or more
-- contributor license agreements.  See the NOTICE file distributed with
-- this work for additional information regarding copyright ownership.
-- The ASF licenses this file to You under the Apache License, Version 2.0
-- (the \"License\"); you may not use this file except in compliance with
-- the License.  You may obtain a copy of the License at
--
--     http://www.apache.org/licenses/LICENSE-2.0
--
-- Unless required by applicable law or agreed to in writing, software
-- distributed under the License is distributed on an \"AS IS\" BASIS,
-- WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
-- See the License for the specific language governing permissions and
-- limitations under the License.
--
";

#[test]
fn on_the_atr_route_a_header_atr_rejects_is_named_before_anything_is_signed() {
    let atr = Rules {
        atr_headers: true,
        ..rules()
    };
    let mut entries = good();
    // ATR takes the full header; the short form of good() is ours, so it is an error; the
    // vendored and minified JavaScript needs no ASF header, and ATR fails it all the same.
    entries.push(file(
        "apache-x-1.0.0-src/src/full.lua",
        format!("{FULL_HEADER}return {{}}\n").as_bytes(),
    ));
    let mut checker = Checker::new(atr);
    for entry in &entries {
        checker.visit(entry);
    }
    let (findings, warnings) = checker.finish_with_warnings();
    let shown: Vec<String> = findings.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0].starts_with("[license-headers] apache-x-1.0.0-src/src/main.lua: atr-header"),
        "{shown:?}"
    );
    assert!(
        shown[0].contains("ATR will reject this header"),
        "{shown:?}"
    );
    assert!(
        shown[0].contains("not a short or altered form"),
        "{shown:?}"
    );
    let warned: Vec<&str> = warnings.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(
        warned,
        [
            "apache-x-1.0.0-src/vendor/lib.js",
            "apache-x-1.0.0-src/web/app.min.js"
        ]
    );
    assert!(warnings[0].message.contains("ATR will reject this header"));
    // The same tree on the SVN route passes, as before.
    assert_eq!(check(&entries, rules()), vec![]);
}

#[test]
fn compiled_code_is_judged_by_content_not_by_name() {
    // An npm package's test fixtures: empty `.dll`s and a `.dylib` of one line of text.
    assert_eq!(compiled_code("test/fixtures/a.dll", b""), None);
    assert_eq!(
        compiled_code("test/fixtures/lib.dylib", b"not really a library\n"),
        None
    );
    assert_eq!(
        compiled_code("Main.class", b"// a text file named .class\n"),
        None
    );
    // Real compiled code, whatever its name.
    assert!(compiled_code("tool.txt", b"\x7fELF\x02\x01\x01\0").is_some());
    assert!(compiled_code("a.dll", b"MZ\x90\0\x03\0\0\0").is_some());
    // Binary bytes of no known format under a compiled-code name still count.
    assert!(compiled_code("obj.o", b"\x64\x86\x03\0\x10\0\0\0").is_some());
    assert_eq!(compiled_code("data.bin", b"\x64\x86\x03\0\x10\0\0\0"), None);
}
