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

//! The audit as a whole: classes, policy and exclusion sources together.

use super::*;

mod rat;

pub const ASF_HEADER: &str = "# Licensed to the Apache Software Foundation (ASF) under one\n# or more contributor license agreements.\n";

fn audit(files: &[(&str, &str)], ours: &[&str]) -> Report {
    let ours: Vec<String> = ours.iter().map(|s| s.to_string()).collect();
    let mut audit = Audit::new(&ours);
    for (path, text) in files {
        let bytes = text.as_bytes();
        let head = &bytes[..bytes.len().min(classify::SCANNED_BYTES)];
        audit.visit(
            path,
            bytes.len() as u64,
            head,
            wants_whole(path).then_some(bytes),
        );
    }
    audit.finish()
}

fn audit_owned(files: &[(String, String)]) -> Report {
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    audit(&borrowed, &[])
}

fn named(report: &Report) -> Vec<(&str, &str)> {
    report
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.rule))
        .collect()
}

const CODE: &str = "local a = 1\nlocal b = 2\nlocal c = 3\nlocal d = 4\nreturn a + b + c + d\n";
const DATA: &str =
    "a = 1\nb = 2\nc = 3\nd = 4\ne = 5\nf = 6\ng = 7\nh = 8\ni = 9\nj = 10\nk = 11\n";
const MIT: &str = "-- Copyright (c) 2015 Someone\n-- Permission is hereby granted, free of charge, to any person obtaining a copy\nlocal a = 1\n";
const GPL: &str = "/* This program is free software; you can redistribute it under the terms of the GNU General Public License */\nint a;\n";

#[test]
fn third_party_files_pass_when_license_declares_them() {
    let license = "Apache License\n...\n   lib/ewma.lua file from kubernetes/ingress-nginx: https://github.com/kubernetes/ingress-nginx Apache 2.0\n   vendor/json/ (MIT)\n";
    let report = audit(
        &[
            ("LICENSE.txt", license),
            ("NOTICE.md", "Apache X\nThis product includes json.lua"),
            ("vendor/json/json.lua", MIT),
            ("src/util.lua", MIT),
            ("src/gpl.c", GPL),
            ("src/plain.lua", CODE),
            ("src/good.lua", &format!("{ASF_HEADER}{CODE}")),
        ],
        &[],
    );
    assert_eq!(
        named(&report),
        vec![
            ("src/gpl.c", "category-x"),
            ("src/util.lua", "undeclared-third-party"),
            ("src/plain.lua", "no-license"),
        ]
    );
    assert_eq!(report.counts["other-license"], 3);
    assert_eq!(report.license_files, 1);
    let text = report.text();
    assert!(text.contains("3 finding(s)"), "{text}");
}

#[test]
fn a_license_declared_only_in_notice_is_named() {
    let report = audit(
        &[
            ("LICENSE", "Apache License"),
            ("NOTICE", "This product bundles web/lib/tiny.js (MIT)."),
            ("web/lib/tiny.js", MIT),
        ],
        &[],
    );
    assert_eq!(named(&report), vec![], "a warning, not an error");
    assert_eq!(report.warnings[0].rule, "declared-only-in-notice");
    assert!(report.warnings[0].todo.starts_with("declare it in LICENSE"));
}

#[test]
fn every_exclusion_source_removes_what_it_names_and_says_so() {
    let report = audit(
        &[
            ("LICENSE", "Apache License"),
            (".licenserc.yaml", "header:\n  paths-ignore:\n    - 'conf/mime.types'\n"),
            ("licenserc.toml", "excludes = [\"website/build\", \"*generated*\"]\n"),
            (".rat-excludes", "fixtures\n"),
            ("dev/release/rat_exclude_files.txt", "testing/*\n"),
            ("pom.xml", "<plugin><artifactId>apache-rat-plugin</artifactId><configuration><excludes><exclude>**/*.dat</exclude></excludes></configuration></plugin>"),
            (".gitattributes", "src/gen/*.rs linguist-generated\n"),
            ("conf/mime.types", DATA),
            ("website/build/a.js", CODE),
            ("t/fixtures/a.lua", CODE),
            ("testing/data/a.lua", CODE),
            ("x/y.dat", DATA),
            ("src/gen/out.rs", CODE),
            ("ours/a.lua", CODE),
            ("src/not_generated_really.lua", CODE),
            ("src/data.json", "{\"a\": 1,\n\"b\": 2,\n\"c\": 3,\n\"d\": 4}\n"),
        ],
        &["ours"],
    );
    assert_eq!(
        named(&report),
        vec![("src/not_generated_really.lua", "no-license")]
    );
    let removed: Vec<(&str, Vec<&str>)> = report
        .sources
        .iter()
        .map(|s| {
            (
                s.source.as_str(),
                s.removed.iter().map(String::as_str).collect(),
            )
        })
        .collect();
    assert_eq!(
        removed,
        vec![
            ("license-header-excludes", vec!["ours/a.lua"]),
            ("RAT defaults", vec![]),
            (
                ".licenserc.yaml header.paths-ignore",
                vec!["conf/mime.types"]
            ),
            ("licenserc.toml excludes", vec!["website/build/a.js"]),
            (".rat-excludes", vec!["t/fixtures/a.lua"]),
            (
                "dev/release/rat_exclude_files.txt",
                vec!["testing/data/a.lua"]
            ),
            ("pom.xml apache-rat-plugin <excludes>", vec!["x/y.dat"]),
            (".gitattributes linguist-generated", vec!["src/gen/out.rs"]),
        ]
    );
    let hawkeye = &report.sources[3];
    assert_eq!(
        hawkeye.not_applied["*generated*"].names,
        vec!["src/not_generated_really.lua".to_string()]
    );
    assert!(report.text().contains("pattern `*generated*`"));
}

#[test]
fn the_project_header_of_licenserc_counts_as_apache() {
    let custom = "Copyright 2024 The Example Authors, licensed to the ASF for the Example project under the ASF terms of use.";
    let yaml =
        format!("header:\n  license:\n    spdx-id: Apache-2.0\n    content: |\n      {custom}\n");
    let file = format!("// {custom}\n{CODE}");
    let report = audit(&[(".licenserc.yaml", &yaml), ("src/a.go", &file)], &[]);
    assert_eq!(named(&report), vec![]);
    assert_eq!(report.counts["apache"], 1);

    // A candidate's own header text cannot launder a file under another license: GPL code
    // that carries it is still Category X.
    let gpl = format!(
        "// {custom}
{GPL}"
    );
    let report = audit(&[(".licenserc.yaml", &yaml), ("src/b.c", &gpl)], &[]);
    assert_eq!(named(&report), vec![("src/b.c", "category-x")]);
}

/// Every file a configuration excluded is named to the voter, however many came before it:
/// one program file excluded by its exact path after a thousand excluded fixtures is there.
#[test]
fn every_excluded_file_is_named() {
    let mut files: Vec<(String, String)> = vec![(
        ".licenserc.yaml".into(),
        "header:\n  paths-ignore:\n    - 'conf/**'\n    - 'src/evil.lua'\n".into(),
    )];
    for n in 0..1500 {
        files.push((format!("conf/f{n:04}.txt"), DATA.to_string()));
    }
    files.push(("src/evil.lua".into(), CODE.to_string()));
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let report = audit(&files, &[]);
    assert!(report.passed(), "{:?}", named(&report));
    let eyes = &report.sources[2];
    assert_eq!(eyes.removed.len(), 1501, "{}", eyes.source);
    assert_eq!(
        eyes.removed.last().map(String::as_str),
        Some("src/evil.lua")
    );
}

#[test]
fn excluded_category_x_and_declared_category_b_are_noted() {
    let mpl = "// This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0.\nint a;\n";
    let report = audit(
        &[
            ("LICENSE", "Apache License\n  web/mpl/lib.js (MPL-2.0)\n"),
            (".rat-excludes", "templates\n"),
            ("assets/templates/GPL-3.0.txt", GPL),
            ("web/mpl/lib.js", mpl),
        ],
        &[],
    );
    assert_eq!(named(&report), vec![]);
    let warned: Vec<(&str, &str)> = report
        .warnings
        .iter()
        .map(|w| (w.path.as_str(), w.rule))
        .collect();
    assert_eq!(
        warned,
        vec![
            ("assets/templates/GPL-3.0.txt", "category-x-excluded"),
            ("web/mpl/lib.js", "category-b")
        ]
    );
}

#[test]
fn category_x_wording_in_a_data_file_is_a_warning_and_in_code_an_error() {
    // Apache Commons Text's lcs-perf-analysis-inputs.csv: lorem ipsum with GPL phrases.
    let csv = "\"Lorem ipsum dolor sit amet. This program is free software; you can redistribute \
               it under the terms of the GNU General Public License\",\"Sed ut perspiciatis\"\n";
    let report = audit(
        &[
            ("LICENSE", "Apache License"),
            ("src/test/resources/lcs-inputs.csv", csv),
            ("src/test/resources/fixture.json", csv),
            ("src/test/resources/Gpl.java", GPL),
        ],
        &[],
    );
    assert_eq!(
        named(&report),
        vec![("src/test/resources/Gpl.java", "category-x")]
    );
    let warned: Vec<(&str, &str)> = report
        .warnings
        .iter()
        .map(|w| (w.path.as_str(), w.rule))
        .collect();
    assert_eq!(
        warned,
        vec![
            ("src/test/resources/lcs-inputs.csv", "category-x-in-data"),
            ("src/test/resources/fixture.json", "category-x-in-data"),
        ]
    );
}

#[test]
fn many_warnings_of_one_rule_in_one_directory_take_one_line() {
    // SkyWalking Eyes keeps its license templates, Category X ones too, under assets/.
    let agpl = "GNU AFFERO GENERAL PUBLIC LICENSE\nThis program is free software; you can redistribute it under the terms of the GNU Affero General Public License\n";
    let mut files = vec![
        ("LICENSE", "Apache License".to_string()),
        (
            ".rat-excludes",
            "lcs-templates\nheader-templates\n".to_string(),
        ),
        ("assets/header-templates/GPL-3.0.txt", GPL.to_string()),
    ];
    let names: Vec<String> = (0..5)
        .map(|n| format!("assets/lcs-templates/T{n}.txt"))
        .collect();
    for (n, name) in names.iter().enumerate() {
        files.push((
            name.as_str(),
            if n == 0 {
                agpl.to_string()
            } else {
                GPL.to_string()
            },
        ));
    }
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let report = audit(&files, &[]);
    assert_eq!(report.warnings.len(), 6, "every warning is kept (JSON)");
    let text = report.text();
    let warned: Vec<&str> = text.lines().filter(|l| l.contains("warning:")).collect();
    assert_eq!(warned.len(), 2, "{text}");
    assert!(
        warned[0].contains("assets/header-templates/GPL-3.0.txt"),
        "{text}"
    );
    assert!(
        warned[1].contains("assets/lcs-templates/ (5 files: T0.txt, T1.txt, ...)")
            && warned[1].contains("category-x-excluded (AGPL-3.0, GPL)"),
        "{text}"
    );
}

#[test]
fn short_files_without_a_header_are_named_where_rat_would_flag_them() {
    let report = audit(
        &[
            ("conf/small.yaml", "a: 1\nb: 2\n"),
            ("conf/empty.yaml", ""),
            ("t/fixtures/small.yaml", "a: 1\n"),
            ("ignored/small.yaml", "a: 1\n"),
            ("README.md", "# Demo\n"),
            ("conf/headed.yaml", &format!("{ASF_HEADER}a: 1\n")),
        ],
        &["/ignored"],
    );
    assert!(report.findings.is_empty(), "{:?}", named(&report));
    let warned: Vec<(&str, &str)> = report
        .warnings
        .iter()
        .map(|w| (w.path.as_str(), w.rule))
        .collect();
    assert_eq!(warned, [("conf/small.yaml", "short-without-header")]);
    assert!(report
        .sources
        .iter()
        .all(|source| source.removed.is_empty()));
}

#[test]
fn the_projects_own_exclusions_cannot_hide_program_source() {
    let mut files: Vec<(String, String)> = vec![("src/backdoor.lua".into(), CODE.into())];
    files.extend((0..30).map(|n| (format!("src/m{n}.lua"), format!("{ASF_HEADER}{CODE}"))));
    for (config, text) in [
        (".licenserc.yaml", "header:\n  paths-ignore:\n    - '**'\n"),
        (
            ".licenserc.yaml",
            "header:\n  paths-ignore:\n    - '**/*.lua'\n",
        ),
        (
            ".licenserc.yaml",
            "header:\n  paths-ignore:\n    - 'src/**'\n",
        ),
        (".rat-excludes", ".*\n"),
        (".gitattributes", "* linguist-generated\n"),
    ] {
        let mut all = files.clone();
        all.push((config.into(), text.into()));
        let everything = text.contains("'**'");
        if everything {
            all.push(("docs/guide.md".into(), DATA.into()));
        }
        let borrowed: Vec<(&str, &str)> =
            all.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let report = audit(&borrowed, &[]);
        assert_eq!(
            named(&report),
            [("src/backdoor.lua", "no-license")],
            "{text}"
        );
        assert!(
            report.findings[0]
                .todo
                .contains("it is not applied to program source"),
            "{text}: {}",
            report.findings[0].todo
        );
        let own: Vec<&SourceReport> = report.sources.iter().filter(|s| s.own).collect();
        assert_eq!(own.len(), 1, "{text}");
        assert_eq!(own[0].too_broad.len(), 1, "{text}");
        if everything {
            // Documentation stays excluded, and is listed.
            assert_eq!(own[0].removed, ["docs/guide.md"]);
        }
    }

    // A narrow exclusion of source is honoured (and shown by the callers).
    let mut all = files.clone();
    all.push(("docs/guide.md".into(), DATA.into()));
    all.push((
        ".licenserc.yaml".into(),
        "header:\n  paths-ignore:\n    - 'src/backdoor.lua'\n    - 'docs'\n".into(),
    ));
    let borrowed: Vec<(&str, &str)> = all.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    let report = audit(&borrowed, &[]);
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let own: Vec<&SourceReport> = report.sources.iter().filter(|s| s.own).collect();
    assert_eq!(own[0].removed, ["src/backdoor.lua", "docs/guide.md"]);
}

/// What waits for the end judgement is bounded: past it files are counted, short ones warned
/// about as one, the others one finding (the audit cannot say they are excluded); the report
/// names at most a thousand of one rule and counts the rest.
#[test]
fn memory_stays_flat_with_many_files_to_judge() {
    let short = |n: usize| format!("src/d{}/f{n}.txt", n % 97);
    let mut audit = Audit::new(&[]);
    for n in 0..MAX_WAITING + 10 {
        let path = short(n);
        audit.visit(&path, 2, b"x\n", None);
    }
    let report = audit.finish();
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(report.counts["trivial"], MAX_WAITING + 10);
    let short_warnings = |r: &Report| {
        r.warnings
            .iter()
            .filter(|w| w.rule == "short-without-header")
            .count()
    };
    assert_eq!(short_warnings(&report), report::KEPT_PER_LIST);
    assert_eq!(
        report.warnings.len() + report.more_warnings,
        MAX_WAITING + 1
    );
    let counted = report
        .warnings
        .iter()
        .find(|w| w.todo.starts_with("10 short files"))
        .expect("the files past the budget are one warning");
    assert_eq!(counted.path, short(MAX_WAITING));
    assert!(report
        .text()
        .contains("more warning(s), counted but not named"));

    // Files that need no license whatever comes later do not wait: any number of them passes.
    let mut audit = Audit::new(&[]);
    for n in 0..MAX_WAITING + 10 {
        audit.visit(
            &format!("testdata/d{n}.json"),
            DATA.len() as u64,
            DATA.as_bytes(),
            None,
        );
    }
    let report = audit.finish();
    assert!(report.passed(), "{:?}", report.findings);
    assert!(report.warnings.is_empty(), "{:?}", &report.warnings[..1]);

    let mut audit = Audit::new(&[]);
    for n in 0..MAX_WAITING + 3 {
        audit.visit(
            &format!("src/m{n}.lua"),
            CODE.len() as u64,
            CODE.as_bytes(),
            None,
        );
    }
    let report = audit.finish();
    assert!(!report.passed());
    assert_eq!(report.findings.len(), report::KEPT_PER_LIST + 1);
    assert_eq!(report.more_findings, MAX_WAITING - report::KEPT_PER_LIST);
    let unjudged: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == "unjudged")
        .collect();
    assert_eq!(unjudged.len(), 1);
    assert!(unjudged[0]
        .todo
        .starts_with("3 files without an ASF header"));
    let text = report.text();
    assert!(
        text.contains(&format!("{} finding(s):", MAX_WAITING + 1)),
        "{text}"
    );
    assert!(text.contains("more, counted but not named"));
}

#[test]
fn the_worst_findings_come_first_whatever_the_order_of_the_tree() {
    // A thousand files missing a header read before one Category X file: the report, and the
    // first lines a voter reads, start with the Category X one.
    let mut files: Vec<(String, &str)> = (0..1200)
        .map(|n| (format!("a/m{n:04}.lua"), CODE))
        .collect();
    files.push(("z/gpl.c".to_string(), GPL));
    files.push(("z/tiny.txt".to_string(), "x\n"));
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let report = audit(&files, &[]);
    assert_eq!(report.findings[0].path, "z/gpl.c");
    assert_eq!(report.findings[0].rule, "category-x");
    assert_eq!(
        report.findings[1].path, "a/m0000.lua",
        "each rule keeps its order"
    );
    assert_eq!(report.more_findings, 1200 - report::KEPT_PER_LIST);
    let text = report.text();
    let first_finding = text
        .lines()
        .skip_while(|l| !l.contains("finding(s):"))
        .nth(1);
    assert!(
        first_finding.is_some_and(|l| l.contains("z/gpl.c")),
        "{text}"
    );
}

#[test]
fn names_of_every_pattern_list_share_one_budget() {
    let mut names_left = 10;
    let mut first = report::Listed::default();
    let mut second = report::Listed::default();
    first.push("abcd", &mut names_left);
    second.push("efgh", &mut names_left);
    first.push("ijkl", &mut names_left);
    second.push("mn", &mut names_left);
    assert_eq!(first.names, vec!["abcd"]);
    assert_eq!(second.names, vec!["efgh", "mn"]);
    assert_eq!((first.count, second.count, names_left), (2, 2, 0));
}
