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

//! Tests of the settings: patterns, names, defaults.

use camino::Utf8Path;

use super::*;

fn parse_str(text: &str) -> Result<Config> {
    parse(
        Utf8Path::new("/repo"),
        Utf8Path::new("/repo/Cargo.toml"),
        text,
    )
}

const MINIMAL: &str = "[workspace.metadata.asf-release]\nname = \"apisix-dashboard\"\n";

#[test]
fn defaults_follow_the_asf_conventions() {
    let config = parse_str(MINIMAL).unwrap();
    let v: Version = "2.3.0".parse().unwrap();
    assert_eq!(
        config.artifact_name(&v).unwrap(),
        "apache-apisix-dashboard-2.3.0-src.tgz"
    );
    assert_eq!(
        config.top_dir_name(&v).unwrap(),
        "apache-apisix-dashboard-2.3.0-src"
    );
    let candidate = Candidate { version: v, rc: 2 };
    assert_eq!(config.candidate_tag(&candidate).unwrap(), "2.3.0-rc2");
    assert_eq!(config.release_tag(&v).unwrap(), "2.3.0");
    assert_eq!(config.branch_name(v.line()).unwrap(), "v2.3");
    assert_eq!(config.tlp, "apisix");
    assert_eq!(config.display_name, "Apisix Dashboard");
    assert_eq!(config.dev_list, "dev@apisix.apache.org");
    assert_eq!(
        config.svn_dev_url,
        "https://dist.apache.org/repos/dist/dev/apisix"
    );
    assert_eq!(config.submodules, Submodules::Skip);
}

#[test]
fn tags_and_branches_are_read_back_through_their_patterns() {
    let config = parse_str(&format!(
        "{MINIMAL}tag-pattern = \"v{{version}}\"\nrc-tag-pattern = \"{{name}}-{{version}}-rc.{{rc}}\"\nbranch-pattern = \"release/{{major}}.{{minor}}\"\n"
    ))
    .unwrap();
    let v: Version = "2.3.1".parse().unwrap();
    assert_eq!(config.parse_tag("v2.3.1"), Some((v, None)));
    assert_eq!(
        config.parse_tag("apisix-dashboard-2.3.1-rc.4"),
        Some((v, Some(4)))
    );
    assert_eq!(config.parse_tag("2.3.1"), None);
    assert_eq!(config.parse_tag("v2.3.1x"), None);
    assert_eq!(
        config.parse_branch("release/2.3"),
        Some("2.3".parse().unwrap())
    );
    assert_eq!(config.parse_branch("v2.3"), None);
}

#[test]
fn candidate_directories_are_recognised() {
    // A project of its own dist area; siblings sharing one: layout.rs.
    let config = parse_str("[workspace.metadata.asf-release]\nname = \"apisix\"\n").unwrap();
    let v: Version = "2.3.0".parse().unwrap();
    assert_eq!(
        config.parse_candidate_dir("2.3.0-rc4/"),
        Some(Candidate { version: v, rc: 4 })
    );
    assert_eq!(config.parse_candidate_dir("2.3.0-rc4"), None);
    assert_eq!(config.parse_candidate_dir("KEYS"), None);
    assert_eq!(config.parse_candidate_dir("2.3.0/"), None);
    // A two-number version is a version (Maven 3.0, Commons Lang 3.9).
    assert_eq!(
        config.parse_candidate_dir("2.3-rc1/"),
        Some(Candidate {
            version: "2.3".parse().unwrap(),
            rc: 1
        })
    );
    assert_eq!(
        config.parse_candidate_dir("4.0.0-M1-rc2/"),
        Some(Candidate {
            version: "4.0.0-M1".parse().unwrap(),
            rc: 2
        })
    );
    assert_eq!(config.parse_candidate_dir("2.3.0-rc/"), None);
    assert_eq!(config.parse_candidate_dir("2.3.0-x4/"), None);
}

#[test]
fn the_default_branch_pattern_reads_the_line_back() {
    let config = parse_str(MINIMAL).unwrap();
    assert_eq!(config.parse_branch("v2.3"), Some("2.3".parse().unwrap()));
    assert_eq!(config.parse_branch("v2.3.1"), None);
    assert_eq!(config.parse_branch("master"), None);
}

#[test]
fn incubating_projects_get_incubating_names() {
    let config = parse_str(&format!("{MINIMAL}incubating = true\n")).unwrap();
    let v: Version = "0.1.0".parse().unwrap();
    assert_eq!(
        config.artifact_name(&v).unwrap(),
        "apache-apisix-dashboard-0.1.0-incubating-src.tgz"
    );
}

#[test]
fn a_podling_s_version_spelled_with_incubating_has_the_label_once_in_file_names() {
    let config = parse_str(&format!(
        "{MINIMAL}incubating = true\n\
         [[workspace.metadata.asf-release.binaries]]\n\
         artifact = \"apache-{{name}}-{{version}}-incubating-bin.tar.gz\"\n\
         command = [\"true\"]\n"
    ))
    .unwrap();
    for spelled in ["0.1.0", "0.1.0-incubating"] {
        let v: Version = spelled.parse().unwrap();
        assert_eq!(
            config.artifact_name(&v).unwrap(),
            "apache-apisix-dashboard-0.1.0-incubating-src.tgz",
            "{spelled}"
        );
        assert_eq!(
            config.top_dir_name(&v).unwrap(),
            "apache-apisix-dashboard-0.1.0-incubating-src",
            "{spelled}"
        );
        assert_eq!(
            config.binary_name(&config.binaries[0], &v).unwrap(),
            "apache-apisix-dashboard-0.1.0-incubating-bin.tar.gz",
            "{spelled}"
        );
    }
    // A pattern without the label keeps the version as spelled, and the tag is the version's.
    let own = parse_str(&format!(
        "{MINIMAL}incubating = true\nartifact = \"apache-{{name}}-{{version}}.tar.gz\"\n"
    ))
    .unwrap();
    let v: Version = "0.1.0-incubating".parse().unwrap();
    assert_eq!(
        own.artifact_name(&v).unwrap(),
        "apache-apisix-dashboard-0.1.0-incubating.tar.gz"
    );
    assert_eq!(own.release_tag(&v).unwrap(), "0.1.0-incubating");
}

#[test]
fn a_podling_s_repository_dist_and_keys_are_under_incubator() {
    let config =
        parse_str("[workspace.metadata.asf-release]\nname = \"answer\"\nincubating = true\n")
            .unwrap();
    assert_eq!(
        config.repository_url,
        "https://github.com/apache/incubator-answer"
    );
    assert_eq!(
        config.svn_dev_url,
        "https://dist.apache.org/repos/dist/dev/incubator/answer"
    );
    assert_eq!(
        config.svn_release_url,
        "https://dist.apache.org/repos/dist/release/incubator/answer"
    );
    assert_eq!(
        config.keys_url,
        "https://downloads.apache.org/incubator/answer/KEYS"
    );
    assert_eq!(config.dev_list, "dev@answer.apache.org");
    assert_eq!(config.mail_name(), "Answer (incubating)");
    let graduated = parse_str("[workspace.metadata.asf-release]\nname = \"answer\"\n").unwrap();
    assert_eq!(graduated.mail_name(), "Answer");
}

#[test]
fn gitflow_settings_have_defaults_and_are_checked() {
    let config = parse_str(MINIMAL).unwrap();
    assert_eq!(config.backport_label, "need backport");
    assert_eq!(config.backported_label, "backported");
    assert_eq!(config.github_repo, None);
    let config = parse_str(&format!(
        "{MINIMAL}github-repo = \"apache/apisix\"\nversion-files = [\n  \
         {{ path = \"apisix/core/version.lua\", pattern = 'VERSION = \"{{version}}\"' }},\n]\n"
    ))
    .unwrap();
    assert_eq!(config.github_repo.as_deref(), Some("apache/apisix"));
    assert_eq!(config.version_files.len(), 1);
    for (extra, expected) in [
        ("github-repo = \"apisix\"", "owner/name"),
        (
            "version-files = [{ path = \"V\", pattern = \"1.0\" }]",
            "no `{version}`",
        ),
        (
            "version-files = [{ path = \"V\", pattern = \"({version}\" }]",
            "not a valid regex",
        ),
        (
            "version-files = [{ file = \"V\", pattern = \"{version}\" }]",
            "unknown field `file`",
        ),
    ] {
        let err = format!(
            "{:#}",
            parse_str(&format!("{MINIMAL}{extra}\n")).unwrap_err()
        );
        assert!(err.contains(expected), "{extra}: {err}");
    }
}

#[test]
fn errors_name_the_problem_and_the_fix() {
    for (text, expected) in [
        (
            "[workspace]\n",
            "has no [workspace.metadata.asf-release] section",
        ),
        (
            "[workspace.metadata.asf-release]\n",
            "missing setting name: add `name = ",
        ),
        (
            &format!("{MINIMAL}colour = \"red\"\n"),
            "unknown field `colour`",
        ),
        (&format!("{MINIMAL}incubating = \"yes\"\n"), "invalid type"),
        (
            &format!("{MINIMAL}artifact = \"{{nam}}.tgz\"\n"),
            "uses `{nam}`",
        ),
        (
            &format!("{MINIMAL}artifact = \"x.zip\"\n"),
            ".tgz or .tar.gz",
        ),
        (
            "[workspace.metadata.asf-release]\nname = \"Bad Name\"\n",
            "lower-case",
        ),
        (
            &format!("{MINIMAL}excludes = [\"a[\"]\n"),
            "invalid pattern",
        ),
        ("not toml =", "not valid TOML"),
        (
            &format!("{MINIMAL}keep-releases = 0\n"),
            "at least the newest",
        ),
        (&format!("{MINIMAL}sendmail = []\n"), "invalid setting sendmail"),
        (
            &format!("{MINIMAL}[workspace.metadata.asf-release.download-page]\nfile = \"a\"\nline = []\n"),
            "unknown field `line`",
        ),
    ] {
        let err = format!("{:#}", parse_str(text).unwrap_err());
        assert!(err.contains(expected), "{text:?}: {err}");
    }
}

#[test]
fn backport_pr_titles_name_the_upstream_pr_with_known_placeholders() {
    let with = |title: &str| parse_str(&format!("{MINIMAL}backport-pr-title = {title:?}\n"));
    assert_eq!(
        parse_str(MINIMAL).unwrap().backport_pr_title,
        "[Backport {branch}] {title}"
    );
    assert_eq!(
        with("{title} (backport #{number})")
            .unwrap()
            .backport_pr_title,
        "{title} (backport #{number})"
    );
    for (bad, said) in [
        ("[Backport {branch}]", "must name the upstream PR"),
        ("{title} {author}", "{author} is not known here"),
        ("{title", "without its `}`"),
    ] {
        let err = format!("{:#}", with(bad).unwrap_err());
        assert!(err.contains(said), "{bad}: {err}");
    }
}

#[test]
fn tags_of_qualified_and_short_versions_read_back() {
    let config = parse_str(MINIMAL).unwrap();
    let version = |text: &str| text.parse::<Version>().unwrap();
    for (tag, read) in [
        ("4.0.0-M1", Some((version("4.0.0-M1"), None))),
        ("4.0.0-M1-rc1", Some((version("4.0.0-M1"), Some(1)))),
        ("9.0-rc1-rc1", Some((version("9.0-rc1"), Some(1)))),
        ("4.0.0-rc-2", Some((version("4.0.0-rc-2"), None))),
        ("3.0", Some((version("3.0"), None))),
        ("24-rc3", Some((version("24"), Some(3)))),
        ("2.3.0-rc1", Some((version("2.3.0"), Some(1)))),
        ("0.9.0.dev", None),
    ] {
        assert_eq!(config.parse_tag(tag), read, "{tag}");
        if let Some((version, rc)) = read {
            let made = match rc {
                Some(rc) => config.candidate_tag(&Candidate { version, rc }),
                None => config.release_tag(&version),
            };
            assert_eq!(made.unwrap(), tag);
        }
    }
    // A version spelled like a candidate of another cannot have a release tag of its own.
    let err = config
        .release_tag(&version("2.3.0-rc1"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("reads as candidate 1 of 2.3.0") && err.contains("--rc 1"),
        "{err}"
    );
    // A one-number line needs a branch pattern without {minor}.
    let line: Line = "24".parse().unwrap();
    let err = format!("{:#}", config.branch_name(line).unwrap_err());
    assert!(err.contains("release-{major}"), "{err}");
    let netbeans = parse_str(&format!("{MINIMAL}branch-pattern = \"release{{major}}\"\n")).unwrap();
    assert_eq!(netbeans.branch_name(line).unwrap(), "release24");
    assert_eq!(netbeans.parse_branch("release24"), Some(line));
}

#[test]
fn a_project_releasing_from_its_main_branch_has_no_line_branches() {
    let config = parse_str(&format!(
        "{MINIMAL}release-from-main = true\nmain-branch = \"trunk\"\n"
    ))
    .unwrap();
    let line = "2.3".parse().unwrap();
    assert_eq!(config.branch_name(line).unwrap(), "trunk");
    assert_eq!(config.parse_branch("trunk"), None);
    assert_eq!(config.parse_branch("v2.3"), None);
    let both =
        format!("{MINIMAL}release-from-main = true\nbranch-pattern = \"v{{major}}.{{minor}}\"\n");
    let error = format!("{:#}", parse_str(&both).unwrap_err());
    assert!(error.contains("exclude each other"), "{error}");
}
