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

{sha512}

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

{download_url}

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
