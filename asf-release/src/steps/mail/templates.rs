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

//! The built-in mail templates: a `Subject:` line, an empty line, the body with
//! `{placeholders}`. A repository overrides one with `release-notes/templates/<name>.eml.txt`.
//! They live in Rust source so that they carry the license header without it reaching a mail.

use anyhow::{bail, Context, Result};
use camino::Utf8Path;

pub const VOTE: &str = r#"Subject: [VOTE] Release Apache {project} {version} (RC{rc})

Hello, Community,

This is a call for the vote to release Apache {project} version {version}.

Release notes:

{release_notes_url}

The release candidate:

{rc_url}/

Git tag for the release:

{repository}/tree/{tag}

Git commit of the release:

{commit}

Keys to verify the release candidate:

{keys_url}

SHA-512 checksum of {artifact}:

{sha512}{other_artifacts}

Steps to validate the release:

1. Download the release candidate, its signature and its checksum:
   wget {rc_url}/{artifact}
   wget {rc_url}/{artifact}.asc
   wget {rc_url}/{artifact}.sha512
2. Import the keys of the release managers:
   wget {keys_url}
   gpg --import KEYS
3. Check the checksum:
   sha512sum -c {artifact}.sha512
4. Check the signature:
   gpg --verify {artifact}.asc {artifact}
5. Unpack the sources and check LICENSE, NOTICE and the license headers:
   tar zxvf {artifact}
6. Build and test it following the instructions in the unpacked sources.

The vote will be open for at least 72 hours, until {vote_end}, or until
the necessary number of votes is reached.

Please vote accordingly:

[ ] +1 approve
[ ] +0 no opinion
[ ] -1 disapprove with the reason

Votes of PMC members are binding; everyone is welcome to test and vote.

Thanks,
{sender}
"#;

pub const RESULT: &str = r#"Subject: [RESULT][VOTE] Release Apache {project} {version} (RC{rc})

Hello, Community,

The vote to release Apache {project} {version} (RC{rc}) has passed with
{binding_plus} binding +1, {binding_zero} binding +0 and {binding_minus} binding -1 votes, and
{nonbinding_plus} non-binding +1, {nonbinding_zero} non-binding +0 and {nonbinding_minus} non-binding -1 votes.

Binding votes:

{binding_votes}

Non-binding votes:

{nonbinding_votes}

Vote thread:

{thread_url}

Thank you all for verifying and voting. The release will now be moved to the
release area and announced.

Thanks,
{sender}
"#;

pub const ANNOUNCE: &str = r#"Subject: [ANNOUNCE] Apache {project} {version} released

Hello, Community,

The Apache {project} community is pleased to announce that Apache {project}
{version} has been released.

Download it from:

{download_url}{release_files}

Release notes:

{release_notes_url}

Verify the downloads with the signatures and the KEYS file:

{keys_url}

Thanks to everyone who contributed to this release.

Thanks,
{sender}
on behalf of the Apache {project} community
"#;

pub const DISCUSS: &str = r#"Subject: [DISCUSS] Apache {project} {line} release planning

Hello, Community,

It is time to plan the next release, Apache {project} {line}.0.

The release branch {branch} will be created from {main_branch} at the start of the
release window; after that, only fixes merged to {main_branch} first and marked
`need backport` go to {branch}.

Please reply with the features and fixes you would like to see in {line}, and
mark the issues and pull requests with the {line} milestone.

Thanks,
{sender}
"#;

/// Where templates in the repository override the built-in ones: `<dir>/<name>.eml.txt`.
const TEMPLATE_DIR: &str = "release-notes/templates";

/// A template: its `Subject:` line and its body, with `{placeholders}`.
pub(super) struct Template {
    pub(super) source: String,
    pub(super) subject: String,
    pub(super) body: String,
}

/// The repository's template `release-notes/templates/<name>.eml.txt` if there is one, else
/// the built-in one.
pub(super) fn load_template(repo: &Utf8Path, name: &str, built_in: &str) -> Result<Template> {
    let path = repo.join(TEMPLATE_DIR).join(format!("{name}.eml.txt"));
    let (source, text) = match std::fs::read_to_string(&path) {
        Ok(text) => (path.to_string(), text),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            (format!("built-in {name} template"), built_in.to_string())
        }
        Err(err) => return Err(err).with_context(|| format!("cannot read the template {path}")),
    };
    let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let Some(subject) = first.strip_prefix("Subject:") else {
        bail!("{source}: the first line must be `Subject: ...`, then an empty line, then the body");
    };
    let Some(body) = rest.strip_prefix('\n') else {
        bail!("{source}: the `Subject:` line must be followed by an empty line, then the body");
    };
    Ok(Template {
        subject: subject.trim().to_string(),
        body: body.to_string(),
        source,
    })
}

/// Replaces each `{name}` (lower-case letters, digits, `_`) by its value; an unknown name is an
/// error that lists the known ones. Other braces stay as they are.
pub(super) fn fill_template(source: &str, text: &str, values: &[(&str, String)]) -> Result<String> {
    let mut out = String::with_capacity(text.len() + 256);
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let name_len = after
            .bytes()
            .take_while(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        if name_len == 0 || !after[name_len..].starts_with('}') {
            out.push('{');
            rest = after;
            continue;
        }
        let name = &after[..name_len];
        let Some((_, value)) = values.iter().find(|(key, _)| *key == name) else {
            let known: Vec<String> = values.iter().map(|(k, _)| format!("{{{k}}}")).collect();
            bail!(
                "{source} uses `{{{name}}}`, which this mail does not know; use one of {}",
                known.join(", ")
            );
        };
        out.push_str(value);
        rest = &after[name_len + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_known_names_and_reject_typos() {
        let values = [("version", "1.0.0".to_string())];
        assert_eq!(
            fill_template("t", "v{version} ${HOME} {}", &values).unwrap(),
            "v1.0.0 ${HOME} {}"
        );
        let err = fill_template("t", "{versoin}", &values)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("{versoin}") && err.contains("{version}"),
            "{err}"
        );
    }
}
