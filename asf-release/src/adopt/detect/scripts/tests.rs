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

//! Release scripts of real projects, in the shapes they are written.

use super::*;

fn facts(text: &str, path: &str) -> ReleaseFacts {
    read_script(&Script::new(text, path == "Makefile"), path)
}

fn value(found: &Option<Found>) -> Option<&str> {
    found.as_ref().map(|f| f.value.as_str())
}

#[test]
fn tar_commands_of_makefiles_become_includes() {
    // Apache APISIX: `make compress-tar`.
    let makefile = "project_name ?= apache-apisix\nVERSION ?= master\nproject_release_name ?= $(project_name)-$(VERSION)-src\n\ncompress-tar:\n\t$(ENV_TAR) -zcvf $(project_release_name).tgz \\\n\t./apisix \\\n\t./bin \\\n\tLICENSE \\\n\t*.md\n";
    let found = facts(makefile, "Makefile");
    assert_eq!(
        found.includes.map(|f| f.value),
        Some(vec![
            "/apisix".into(),
            "/bin".into(),
            "/LICENSE".into(),
            "/*.md".into()
        ])
    );
    assert_eq!(
        value(&found.artifact),
        Some("apache-apisix-{version}-src.tgz")
    );
    assert!(found.no_top_dir.is_some());
    assert!(facts("\ttar -xzf a.tgz\n", "Makefile").includes.is_none());
}

#[test]
fn tar_excludes_of_a_release_src_target_become_excludes() {
    // Apache APISIX Ingress Controller: `make release-src` tars `.` without these.
    let makefile = "VERSION ?= 2.2.0\nRELEASE_SRC = apache-apisix-ingress-controller-${VERSION}-src\n\nrelease-src:\n\ttar -zcvf $(RELEASE_SRC).tgz \\\n\t--exclude .github \\\n\t--exclude .git \\\n\t--exclude docs \\\n\t--exclude test \\\n\t--exclude api/internal/x_mock.go \\\n\t--exclude $(RELEASE_SRC).tgz \\\n\t.\n\n\tgpg --batch --yes --armor --detach-sig $(RELEASE_SRC).tgz\n";
    let found = facts(makefile, "Makefile");
    assert_eq!(
        found.excludes.map(|f| f.value),
        Some(vec![
            ".github".into(),
            "docs".into(),
            "test".into(),
            "api/internal/x_mock.go".into()
        ])
    );
    assert_eq!(
        value(&found.artifact),
        Some("apache-apisix-ingress-controller-{version}-src.tgz")
    );
    assert_eq!(found.no_top_dir.map(|f| f.from), Some("Makefile:5".into()));
}

#[test]
fn shell_variables_name_the_archive_and_the_candidate_directory() {
    // Apache Iceberg Rust: dev/release/create_rc.sh.
    let script = r#"
parse_args() {
      --svn_dist_url | --svn-dist-url)
        SVN_DIST_URL="$2"
        shift 2
        ;;
  VERSION="${positional[0]}"
  RC="${positional[1]}"
}
derive_release_names() {
  RC_TAG="v${VERSION}-rc.${RC}"
  RC_ID="apache-iceberg-rust-${VERSION}-rc${RC}"
  ARCHIVE_BASE_NAME="apache-iceberg-rust-${VERSION}"
  ARCHIVE_FILE_NAME="${ARCHIVE_BASE_NAME}.tar.gz"
  RC_DIR="${DIST_ROOT}/${RC_ID}"
  SVN_DIST_URL="${SVN_DIST_URL%/}"
  SVN_RC_URL="${SVN_DIST_URL}/${RC_ID}"
}
create_source_archive() {
  git -C "${REPO_ROOT}" archive \
    --format=tar.gz \
    --output="${RC_DIR}/${ARCHIVE_FILE_NAME}" \
    --prefix="${ARCHIVE_BASE_NAME}/" \
    "${RELEASE_REF}"
}
VERSION=""
SVN_DIST_URL="https://dist.apache.org/repos/dist/dev/iceberg"
echo "  SVN URL: ${SVN_RC_URL}"
"#;
    let found = facts(script, "dev/release/create_rc.sh");
    assert_eq!(
        value(&found.artifact),
        Some("apache-iceberg-rust-{version}.tar.gz")
    );
    assert_eq!(value(&found.top_dir), Some("apache-iceberg-rust-{version}"));
    assert_eq!(value(&found.dev_area), Some("iceberg"));
    assert_eq!(
        value(&found.candidate_dir),
        Some("apache-iceberg-rust-{version}-rc{rc}")
    );
    // Apache Arrow Rust: dev/release/release-tarball.sh names the release's directory.
    let script = "version=$1\nrc=$2\nrelease_version=arrow-rs-${version}\nsvn co https://dist.apache.org/repos/dist/dev/arrow/apache-arrow-rs-${version}-rc${rc} dev\necho https://dist.apache.org/repos/dist/release/arrow/${release_version}\n";
    let found = facts(script, "dev/release/release-tarball.sh");
    assert_eq!(value(&found.release_dir), Some("arrow-rs-{version}"));
    assert_eq!(value(&found.release_area), Some("arrow"));
    assert_eq!(
        value(&found.candidate_dir),
        Some("apache-arrow-rs-{version}-rc{rc}")
    );
    // Apache APISIX: the vote mail's links, a candidate directory without its number.
    let script = "VERSION=$1\ncat <<EOF\nhttps://dist.apache.org/repos/dist/dev/apisix/$VERSION/\nhttps://dist.apache.org/repos/dist/dev/apisix/KEYS\nwget https://dist.apache.org/repos/dist/dev/apisix/$VERSION/apache-apisix-$VERSION-src.tgz\nEOF\n";
    let found = facts(script, "utils/gen-vote-contents.sh");
    assert_eq!(value(&found.candidate_dir), Some("{version}"));
    assert_eq!(value(&found.dev_area), Some("apisix"));
    assert_eq!(value(&found.artifact), None);
    assert_eq!(
        value(&found.mentioned_artifact),
        Some("apache-apisix-{version}-src.tgz")
    );
}

#[test]
fn what_cannot_be_resolved_names_nothing() {
    let script =
        "NAME=$(git describe)\ntar -czf ${NAME}-${VERSION}.tgz .\nOUT=`date`/x-${VERSION}.tgz\n";
    let found = facts(script, "release.sh");
    assert_eq!(value(&found.artifact), None);
    assert!(found.no_top_dir.is_some());
}

#[test]
fn a_variable_holding_the_version_with_its_rc_names_the_candidate_directory() {
    // Apache Iceberg Python: dev/release/verify_rc.sh is given `0.11.1rc3`.
    let script = r#"
PYICEBERG_VERSION="$1"
# remove the rcX qualifier, the artifacts inside the RC are named after the release
PYICEBERG_RELEASE_VERSION="${PYICEBERG_VERSION%rc*}"
svn checkout "https://dist.apache.org/repos/dist/dev/iceberg/pyiceberg-${PYICEBERG_VERSION}/" "${DIR}"
tar xzf "pyiceberg-${PYICEBERG_RELEASE_VERSION}.tar.gz"
"#;
    let found = facts(script, "dev/release/verify_rc.sh");
    assert_eq!(value(&found.dev_area), Some("iceberg"));
    assert_eq!(
        value(&found.candidate_dir),
        Some("pyiceberg-{version}rc{rc}")
    );
    assert_eq!(
        value(&found.mentioned_artifact),
        Some("pyiceberg-{version}.tar.gz")
    );
    // The same qualifier spelled `-rc`.
    let dashed = script.replace("%rc*", "%-rc*");
    let found = facts(&dashed, "dev/release/verify_rc.sh");
    assert_eq!(
        value(&found.candidate_dir),
        Some("pyiceberg-{version}-rc{rc}")
    );
}

#[test]
fn a_dist_name_is_not_cut_at_a_variable_that_does_not_resolve() {
    let script =
        "NAME=\"$1\"\nsvn co https://dist.apache.org/repos/dist/dev/iceberg/pyiceberg-${NAME}/ x\n";
    let found = facts(script, "dev/release/verify_rc.sh");
    assert_eq!(value(&found.dev_area), Some("iceberg"));
    assert_eq!(value(&found.candidate_dir), None);
    assert_eq!(
        value(&found.unresolved_candidate_dir),
        Some("pyiceberg-${NAME}")
    );
}

#[test]
fn a_git_archive_without_prefix_has_no_top_directory() {
    // Apache Pulsar Go client: scripts/stage-release.sh.
    let script = "VERSION=$1\nDEST_PATH=$2\ngit archive --format=tar.gz --output=\"$DEST_PATH/apache-pulsar-client-go-$VERSION-src.tar.gz\" HEAD\n";
    let found = facts(script, "scripts/stage-release.sh");
    assert_eq!(
        value(&found.artifact),
        Some("apache-pulsar-client-go-{version}-src.tar.gz")
    );
    assert_eq!(
        found.no_top_dir.map(|f| f.from).as_deref(),
        Some("scripts/stage-release.sh:3")
    );
    let prefixed = script.replace("HEAD", "--prefix=x-$VERSION/ HEAD");
    let found = facts(&prefixed, "scripts/stage-release.sh");
    assert!(found.no_top_dir.is_none());
    assert_eq!(value(&found.top_dir), Some("x-{version}"));
}
