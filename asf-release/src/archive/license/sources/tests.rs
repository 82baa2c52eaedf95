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

use super::*;

fn source(path: &str, text: &str) -> Source {
    read_all(&[(path.to_string(), text.as_bytes().to_vec())])
        .into_iter()
        .next()
        .expect("one source")
}

fn hides(source: &Source, path: &str) -> bool {
    source.matching(path).is_some()
}

#[test]
fn licenserc_yaml_keeps_the_rules_of_skywalking_eyes() {
    let text = "header: # the header section\n  license:\n    spdx-id: Apache-2.0\n    content:\n      | # used by fix\n      Licensed to the Apache Software Foundation (ASF) under one\n      or more contributor license agreements.\n\n  paths-ignore:\n    - '.github/'\n    - \"**/*.json\"\n    - 'docs/**/*.md'\n    - docs/**.svg # any svg\n    - 't/toolkit'\n    - 'LICENSE'\n  comment: on-failure\ndependency:\n  files:\n    - go.mod\n";
    let eyes = source(".licenserc.yaml", text);
    assert_eq!(eyes.spdx_id.as_deref(), Some("Apache-2.0"));
    assert!(eyes
        .header
        .as_deref()
        .unwrap()
        .starts_with("licensedtotheapache"));
    assert_eq!(eyes.patterns.len(), 6, "go.mod belongs to another section");
    for path in [
        ".github/workflows/ci.yml",
        "a/b/c.json",
        "docs/x.md",
        "docs/en/y.md",
        "docs/a.svg",
        "t/toolkit/a.lua",
        "sub/LICENSE",
    ] {
        assert!(hides(&eyes, path), "{path}");
    }
    for path in ["docsx/a.md", "t/toolkitx.lua", "src/a.lua", "docs/a/b.svg"] {
        assert!(!hides(&eyes, path), "{path}");
    }
}

#[test]
fn licenserc_toml_is_read_like_gitignore_and_sloppy_patterns_are_flagged() {
    let hawkeye = source("licenserc.toml", "headerPath = \"x\"\nexcludes = [\"**/Cargo.lock\", \"website/build\", \"*generated*\", \"**/*.md\"]\n");
    assert!(hides(&hawkeye, "core/Cargo.lock"));
    assert!(hides(&hawkeye, "website/build/index.html"));
    assert!(hides(&hawkeye, "a/README.md"));
    let sloppy = hawkeye
        .matching("core/src/not_generated_at_all.rs")
        .unwrap();
    assert!(sloppy.sloppy);
    assert!(!hawkeye.patterns[0].sloppy);
}

#[test]
fn rat_excludes_match_names_by_wildcard_or_regex() {
    let rat = source(".rat-excludes", "# comment\n.*\\.json\nfixtures\n*.csv\n");
    assert!(hides(&rat, "a/b/data.json"));
    assert!(hides(&rat, "test/fixtures/a.rs"));
    assert!(hides(&rat, "x.csv"));
    assert!(!hides(&rat, "src/main.rs"));
}

#[test]
fn arrow_rat_exclude_files_use_fnmatch() {
    let arrow = source(
        "dev/release/rat_exclude_files.txt",
        "venv/*\n**.gitignore\narrow/test/data/*\n",
    );
    assert!(hides(&arrow, "venv/lib/python/a.py"));
    assert!(hides(&arrow, "sub/dir/.gitignore"));
    assert!(hides(&arrow, "arrow/test/data/deep/x.csv"));
    assert!(!hides(&arrow, "arrow/src/lib.rs"));
}

#[test]
fn pom_rat_plugin_excludes_use_ant_patterns() {
    let pom = "<project><build><plugins>\n<plugin><artifactId>maven-jar-plugin</artifactId><configuration><excludes><exclude>**/*.rs</exclude></excludes></configuration></plugin>\n<plugin>\n  <groupId>org.apache.rat</groupId>\n  <artifactId>apache-rat-plugin</artifactId>\n  <configuration>\n    <excludes>\n      <!-- <exclude>**/*.java</exclude> -->\n      <exclude>**/*.json</exclude>\n      <exclude>src/test/resources/</exclude>\n    </excludes>\n  </configuration>\n</plugin>\n</plugins></build></project>\n";
    let rat = source("pom.xml", pom);
    assert_eq!(rat.patterns.len(), 2);
    assert!(hides(&rat, "a/b.json"));
    assert!(hides(&rat, "src/test/resources/x/y.txt"));
    assert!(!hides(&rat, "src/Main.java"));
    assert!(!hides(&rat, "src/main.rs"));
}

#[test]
fn ratignore_names_paths_from_the_top() {
    // Apache Libcloud 3.8.0.
    let text = "MANIFEST.in\ndocs/apidocs.rst\nlibcloud/test/storage/fixtures/\n";
    let rat = source(".ratignore", text);
    assert!(hides(&rat, "MANIFEST.in"));
    assert!(hides(&rat, "docs/apidocs.rst"));
    assert!(hides(&rat, "libcloud/test/storage/fixtures/s3/list.xml"));
    assert!(!hides(&rat, "docs/index.rst"));
    assert!(!hides(&rat, "libcloud/test/compute/fixtures/a.json"));
}

#[test]
fn pom_rat_plugin_input_excludes_of_rat_0_16_in_plugin_management_count_too() {
    // Apache Commons Text 1.15.0.
    let pom = "<project><build><pluginManagement><plugins><plugin>\n<groupId>org.apache.rat</groupId>\n<artifactId>apache-rat-plugin</artifactId>\n<configuration><inputExcludes>\n<inputExclude>site-content/**</inputExclude>\n<inputExclude>src/site/resources/download_text.cgi</inputExclude>\n</inputExcludes></configuration>\n</plugin></plugins></pluginManagement>\n<plugins><plugin><groupId>org.apache.rat</groupId><artifactId>apache-rat-plugin</artifactId><configuration><excludes><exclude>**/*.json</exclude><exclude>site-content/**</exclude></excludes></configuration></plugin></plugins></build></project>\n";
    let rat = source("pom.xml", pom);
    assert_eq!(rat.patterns.len(), 3);
    assert!(hides(&rat, "src/site/resources/download_text.cgi"));
    assert!(hides(&rat, "site-content/index.html"));
    assert!(hides(&rat, "a/b.json"));
    assert!(!hides(&rat, "src/site/resources/download.cgi"));
}

#[test]
fn scan_code_excludes_names_and_paths() {
    let cfg = "[Includes]\n*.go=x\n[Excludes]\n.github\nweb/src/components/RightContent\nLICENSE*.txt\n[Options]\nX=1\n";
    let scan = source(".actions/ASF-Release.cfg", cfg);
    assert_eq!(scan.patterns.len(), 3);
    assert!(hides(&scan, ".github/workflows/a.yml"));
    assert!(hides(&scan, "web/src/components/RightContent/index.tsx"));
    assert!(hides(&scan, "licenses/LICENSE-x.txt"));
    assert!(!hides(&scan, "web/src/components/Other/index.tsx"));
    let scan = source(".actions/ASF-Release.cfg", "[Excludes]\nconf\n");
    assert!(!hides(&scan, "api/internal/conf/conf_test.go"));
    assert_eq!(
        scan.deciding("api/internal/conf/conf_test.go")
            .map(|(p, applied)| (p.text.as_str(), applied)),
        Some(("conf", false))
    );
    assert_eq!(
        scan.deciding("conf/a.yaml").map(|(_, applied)| applied),
        Some(true)
    );
}

#[test]
fn rat_defaults_leave_out_hidden_files_and_notes() {
    let rat = rat_defaults();
    for path in [
        ".github/workflows/ci.yml",
        "web/.eslintignore",
        "README.md",
        "docs/README_zh.md",
        "CHANGES.md",
        "readme.md",
        "pkg/Readme.rst",
        "ChangeLog",
        "release-notes.txt",
    ] {
        assert!(hides(&rat, path), "{path}");
    }
    for path in ["src/readme.rs", "install.sh", "docs/news/index.md"] {
        assert!(!hides(&rat, path), "{path}");
    }
}

#[test]
fn gitattributes_linguist_generated_with_unset_and_nested_files() {
    let sources = read_all(&[
        (".gitattributes".into(), b"*.pb.rs linguist-generated\nsrc/gen/*.rs linguist-generated=true\nsrc/gen/keep.rs -linguist-generated\n*.t linguist-vendored\n".to_vec()),
        ("web/.gitattributes".into(), b"api.ts linguist-generated\n".to_vec()),
    ]);
    let generated = &sources[0];
    assert!(hides(generated, "a/b/x.pb.rs"));
    assert!(hides(generated, "src/gen/a.rs"));
    assert!(!hides(generated, "src/gen/keep.rs"));
    assert!(!hides(generated, "t/a.t"));
    assert!(hides(generated, "web/src/api.ts"));
    assert!(!hides(generated, "api.ts"));
}

#[test]
fn a_licenserc_a_workflow_gives_skywalking_eyes_is_read() {
    // Apache Kvrocks keeps it in .github/config/ and names it in its workflow.
    let workflow = "jobs:\n  check:\n    steps:\n      - uses: apache/skywalking-eyes/header@v0.6.0\n        with:\n          config: .github/config/licenserc.yml\n";
    let config =
        "header:\n  paths-ignore:\n    - 'src/vendor/*'\n    - 'src/common/rocksdb_crc32c.h'\n";
    let files = |workflow: &str| {
        vec![
            (
                ".github/workflows/ci.yaml".to_string(),
                workflow.as_bytes().to_vec(),
            ),
            (
                ".github/config/licenserc.yml".to_string(),
                config.as_bytes().to_vec(),
            ),
        ]
    };
    let sources = read_all(&files(workflow));
    assert_eq!(
        sources.len(),
        1,
        "{:?}",
        sources.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    assert_eq!(
        sources[0].name,
        ".github/config/licenserc.yml header.paths-ignore"
    );
    assert!(hides(&sources[0], "src/vendor/lzf.h"));
    assert!(hides(&sources[0], "src/common/rocksdb_crc32c.h"));
    assert!(!hides(&sources[0], "src/common/other.h"));
    // A configuration no workflow names is not read: it may be a fixture.
    assert!(read_all(&files("jobs: {}\n")).is_empty());
    assert!(is_config_file(".github/workflows/ci.yaml"));
    assert!(!is_config_file(".github/workflows/nested/ci.yaml"));
}

#[test]
fn only_a_workflow_that_names_an_eyes_configuration_matters_to_voters() {
    let eyes = b"steps:\n  - uses: apache/skywalking-eyes/header@v0.6.0\n    with:\n      config: .github/config/licenserc.yml\n";
    let tests = b"steps:\n  - run: go test ./...\n";
    assert!(matters_to_voters(".github/workflows/license.yml", eyes));
    assert!(!matters_to_voters(
        ".github/workflows/unit-test-ci.yml",
        tests
    ));
    assert!(matters_to_voters(".licenserc.yaml", b"header: {}\n"));
}

fn rat_pom(modules: &[&str], config: &str) -> String {
    let modules: String = modules
        .iter()
        .map(|m| format!("<module>{m}</module>"))
        .collect();
    format!(
        "<project><modules>{modules}</modules><build><plugins><plugin>\
         <groupId>org.apache.rat</groupId><artifactId>apache-rat-plugin</artifactId>\
         {config}</plugin></plugins></build></project>"
    )
}

#[test]
fn a_parent_poms_rat_excludes_apply_in_each_module_as_maven_runs_them() {
    let excludes = |patterns: &[&str], attributes: &str| {
        let items: String = patterns
            .iter()
            .map(|p| format!("<exclude>{p}</exclude>"))
            .collect();
        format!("<configuration><excludes{attributes}>{items}</excludes></configuration>")
    };
    let files: Vec<(String, Vec<u8>)> = [
        (
            "pom.xml",
            rat_pom(
                &["core", "providers", "own", "more", "../outside", "quiet"],
                &excludes(&["src/test/resources/**/*", "**/*.jj"], ""),
            ),
        ),
        (
            "core/pom.xml",
            "<project><name>core</name></project>".into(),
        ),
        // A module of a module: the root's patterns reach it through `providers`.
        ("providers/pom.xml", rat_pom(&["junit4"], "")),
        // Its own excludes replace the inherited ones (Maven's configuration merge) ...
        ("own/pom.xml", rat_pom(&[], &excludes(&["data/**"], ""))),
        // ... unless they are appended to them.
        (
            "more/pom.xml",
            rat_pom(
                &[],
                &excludes(&["extra/**"], " combine.children=\"append\""),
            ),
        ),
        // `<inherited>false</inherited>`: its excludes stay in its own run.
        (
            "quiet/pom.xml",
            rat_pom(
                &["inner"],
                &format!("<inherited>false</inherited>{}", excludes(&["q/**"], "")),
            ),
        ),
        // A test fixture's pom names modules that are no modules of the build.
        (
            "core/src/test/resources/it/pom.xml",
            rat_pom(&["child"], &excludes(&["**"], "")),
        ),
    ]
    .into_iter()
    .map(|(path, text)| (path.to_string(), text.into_bytes()))
    .collect();
    let sources = read_all(&files);
    let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "pom.xml apache-rat-plugin <excludes>",
            "more/pom.xml apache-rat-plugin <excludes>",
            "own/pom.xml apache-rat-plugin <excludes>",
            "quiet/pom.xml apache-rat-plugin <excludes>",
        ]
    );
    let hidden = |path: &str| sources.iter().any(|s| s.matching(path).is_some());
    for path in [
        "src/test/resources/a.xml",
        "core/src/test/resources/a.xml",
        "providers/junit4/src/test/resources/x/y.txt",
        "more/src/test/resources/a.xml",
        "more/extra/a.txt",
        "own/data/a.txt",
        "quiet/q/a.txt",
        "own/grammar.jj",
    ] {
        assert!(hidden(path), "{path} is excluded by Maven's RAT runs");
    }
    for path in [
        "core/src/main/A.java",
        "own/src/test/resources/a.xml",
        "core/data/a.txt",
        "quiet/inner/q/a.txt",
        "quiet/src/test/resources/a.xml",
        "quiet/inner/src/test/resources/a.xml",
        "core/extra/a.txt",
        "docs/src/test/resources/a.xml",
    ] {
        assert!(!hidden(path), "{path} is checked by Maven's RAT runs");
    }
    // The root's run itself is unchanged.
    assert!(hidden("src/test/resources/a.xml"));
    assert!(maven::is_module_pom("core/pom.xml"));
    assert!(!maven::is_module_pom("core/src/test/resources/it/pom.xml"));
}

#[test]
fn an_exclusion_file_a_script_passes_to_rat_is_read_from_inside_the_repository() {
    // Apache Iceberg Python 0.11.1's dev/check-license.
    let script = "FWDIR=\"$(cd \"`dirname \"$0\"`\"/..; pwd)\"\ngrep -E 'x' a.txt -E b.txt\n\
                  $java_cmd -jar \"$rat_jar\" --scan-hidden-directories \\\n  -E \"$FWDIR\"/dev/.rat-excludes -d \"$FWDIR\" > build/rat.txt\n";
    let files = |extra: &[(&str, &str)]| -> Vec<(String, Vec<u8>)> {
        let mut files = vec![
            (
                "dev/.rat-excludes".to_string(),
                b"mkdocs/*\nuv.lock\n".to_vec(),
            ),
            ("dev/check-license".to_string(), script.as_bytes().to_vec()),
        ];
        files.extend(
            extra
                .iter()
                .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())),
        );
        files
    };
    let sources = read_all(&files(&[]));
    assert_eq!(sources.len(), 1);
    let rat = &sources[0];
    assert_eq!(
        rat.name,
        "dev/.rat-excludes (passed to RAT by dev/check-license)"
    );
    // RAT 0.16 on: a path from the base, a matched directory covering what is in it.
    assert!(hides(rat, "mkdocs/overrides/main.html"));
    assert!(hides(rat, "sub/uv.lock"));
    assert!(!hides(rat, "pyiceberg/mkdocs.py"));
    assert!(!hides(rat, "docs/mkdocs-theme/x.html"));
    // The other spellings, a name from the script's directory; never outside the repository.
    for (line, read) in [
        (
            "java -jar apache-rat.jar --input-exclude-file=excludes.txt .",
            true,
        ),
        (
            "java -jar rat.jar --exclude-file ./ci/rat-excludes.txt",
            true,
        ),
        ("java -jar \"${RAT_JAR}\" -E ../rat-excludes", false),
        ("java -jar \"${RAT_JAR}\" -E /etc/rat-excludes", false),
        ("java -jar \"${RAT_JAR}\" -E ci/../../rat-excludes", false),
        ("grep -E ci/rat-excludes.txt generated.txt", false),
    ] {
        let files = vec![
            ("ci/check.sh".to_string(), line.as_bytes().to_vec()),
            ("ci/excludes.txt".to_string(), b"a.html\n".to_vec()),
            ("ci/rat-excludes.txt".to_string(), b"a.html\n".to_vec()),
            ("rat-excludes".to_string(), b"a.html\n".to_vec()),
        ];
        let sources = read_all(&files);
        assert_eq!(sources.len(), usize::from(read), "{line}");
    }
    assert!(scripts::is_exclusion_list("dev/.rat-excludes"));
    assert!(scripts::is_exclusion_list("build/excludes.txt"));
    assert!(!scripts::is_exclusion_list("src/ExcludeFilter.java"));
    assert!(!scripts::is_exclusion_list(".gitignore"));
}

#[test]
fn a_hostile_build_of_many_modules_and_patterns_costs_a_bounded_walk() {
    let items: String = (0..5000)
        .map(|n| format!("<exclude>p{n}/**</exclude>"))
        .collect();
    let modules: Vec<String> = (0..5000).map(|n| format!("m{n}")).collect();
    let names: Vec<&str> = modules.iter().map(String::as_str).collect();
    let root = rat_pom(
        &names,
        &format!("<configuration><excludes>{items}</excludes></configuration>"),
    );
    let mut files = vec![("pom.xml".to_string(), root.into_bytes())];
    // Every module names every other one again.
    let again = rat_pom(&names, "");
    files.extend((0..50).map(|n| (format!("m{n}/pom.xml"), again.clone().into_bytes())));
    let started = std::time::Instant::now();
    let sources = read_all(&files);
    assert_eq!(sources[0].patterns.len(), 5000);
    assert!(sources[0].matching("p1/a.txt").is_some());
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

#[test]
fn a_pom_naming_tens_of_thousands_of_modules_is_read_in_bounded_time() {
    // 1 MiB of `<module>` lines, in the root and in each of 20 modules.
    let modules: Vec<String> = (0..45_000).map(|n| format!("m{n}")).collect();
    let names: Vec<&str> = modules.iter().map(String::as_str).collect();
    let pom = rat_pom(
        &names,
        "<configuration><excludes><exclude>x/**</exclude></excludes></configuration>",
    );
    let mut files = vec![("pom.xml".to_string(), pom.clone().into_bytes())];
    files.extend((0..20).map(|n| (format!("m{n}/pom.xml"), pom.clone().into_bytes())));
    let started = std::time::Instant::now();
    let sources = read_all(&files);
    assert!(sources[0].matching("x/a.txt").is_some());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}
