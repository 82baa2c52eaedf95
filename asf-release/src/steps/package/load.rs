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

//! The load check of `package`: cargo reads the tarball's Rust workspace, made from the
//! entries as they are written, beside the compression of the last blocks.

use anyhow::{bail, Context, Result};
use camino::Utf8Path;

use crate::archive::skeleton::{self, Ending, Skeleton};
use crate::source::{Loaded, Queued};
use crate::Ctx;

/// The load check of a tarball: what cargo reads of it is made while the archive is written,
/// and cargo runs beside the compression of its last blocks.
// One per package run, moved once: the size of its variants does not matter.
#[allow(clippy::large_enum_variant)]
pub(super) enum LoadCheck<'scope> {
    /// Entries still coming (or the first error, kept until the checks have spoken).
    Feeding(Result<Skeleton>),
    /// No `Cargo.toml` at the top: nothing to load, nothing was unpacked.
    NotRust,
    /// cargo is reading the skeleton.
    Running(std::thread::ScopedJoinHandle<'scope, Result<Loaded>>),
    /// The skeleton needs the finished archive to be read again (an unusual archive).
    Waiting(Box<Skeleton>),
    /// Moved out by [`LoadCheck::take`], for the moment it takes to put the next state in.
    Taken,
}

impl<'scope> LoadCheck<'scope> {
    pub(super) fn queued<'env>(
        &mut self,
        event: Queued,
        scope: &'scope std::thread::Scope<'scope, 'env>,
        dir: &Utf8Path,
    ) {
        match event {
            Queued::Entry(path, node, content) => {
                if let LoadCheck::Feeding(skeleton) = self {
                    skeleton::feed_one(skeleton, path, node, content)
                }
            }
            Queued::All => {
                *self = match self.take() {
                    LoadCheck::Feeding(fed) => Self::fed(fed, scope, dir),
                    other => other,
                }
            }
        }
    }

    /// The state moved out, [`LoadCheck::Taken`] left in its place.
    fn take(&mut self) -> LoadCheck<'scope> {
        std::mem::replace(self, LoadCheck::Taken)
    }

    /// What follows the last entry: cargo starts on the skeleton made, or the skeleton waits
    /// for the whole archive, or there is nothing to load.
    fn fed<'env>(
        fed: Result<Skeleton>,
        scope: &'scope std::thread::Scope<'scope, 'env>,
        dir: &Utf8Path,
    ) -> LoadCheck<'scope> {
        match fed.and_then(Skeleton::finish_without_archive) {
            Ok(Ending::Made(None)) => LoadCheck::NotRust,
            Ok(Ending::Made(Some(unpacked))) => {
                let dir = dir.to_owned();
                LoadCheck::Running(scope.spawn(move || {
                    let sh = xshell::Shell::new().context("cannot set up the shell")?;
                    sh.change_dir(&dir);
                    let loaded = crate::source::load_check(&sh, &unpacked.root);
                    drop(unpacked);
                    loaded
                }))
            }
            Ok(Ending::NeedsArchive(skeleton)) => LoadCheck::Waiting(skeleton),
            Err(err) => LoadCheck::Feeding(Err(err)),
        }
    }

    /// What cargo said, once the archive is whole and checked.
    pub(super) fn loaded(self, ctx: &Ctx, tarball: &Utf8Path, file_name: &str) -> Result<Loaded> {
        let unpack_error = |err: anyhow::Error| {
            err.context(format!("{file_name} cannot be unpacked for the load check"))
        };
        let skeleton = match self {
            LoadCheck::NotRust => return Ok(Loaded::NotRust),
            LoadCheck::Running(cargo) => {
                return cargo.join().unwrap_or_else(|_| {
                    Err(anyhow::anyhow!("the load check stopped unexpectedly"))
                })
            }
            LoadCheck::Feeding(fed) => fed.map_err(unpack_error)?,
            LoadCheck::Waiting(skeleton) => *skeleton,
            LoadCheck::Taken => bail!(
                "{file_name}: the load check lost its state (a defect of package: please \
                 report it); nothing was signed"
            ),
        };
        match skeleton
            .finish(tarball, Default::default())
            .map_err(unpack_error)?
        {
            Some(unpacked) => crate::source::load_check(&ctx.sh, &unpacked.root),
            None => Ok(Loaded::NotRust),
        }
    }
}

/// Refuses a tarball whose Rust workspace does not load once unpacked (a member left out by
/// `export-ignore` or an exclude), before anything is signed.
pub(super) fn check_loads(loaded: Loaded, file_name: &str) -> Result<()> {
    match loaded {
        Loaded::Broken(complaint) => bail!(
            "{file_name} does not load as a Rust workspace once unpacked (`cargo metadata \
             --no-deps --offline`): a workspace member or path dependency was left out of it \
             (an `export-ignore` in .gitattributes, or excludes/includes); nothing was signed; \
             keep the crate in the release or drop it from the workspace. cargo said:\n{}",
            complaint
                .lines()
                .map(crate::untrusted::escape_str)
                .collect::<Vec<_>>()
                .join("\n")
        ),
        Loaded::NoToolchain(toolchain) => {
            eprintln!(
                "warning: {file_name}: load check {}",
                crate::source::not_checked(&toolchain)
            );
            Ok(())
        }
        Loaded::NotRust | Loaded::Loads => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::{LoadCheck, Queued};
    use crate::archive::skeleton::{Node, Skeleton};

    /// The state after `entries` (name, manifest content) and the end of the archive.
    fn after<'scope, 'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        dir: &Utf8Path,
        entries: &[(&str, Option<&[u8]>)],
    ) -> LoadCheck<'scope> {
        let mut load = LoadCheck::Feeding(Ok(Skeleton::new(dir.join("skeleton"))));
        load.queued(Queued::Entry("t", Node::Dir, None), scope, dir);
        for (name, content) in entries {
            load.queued(Queued::Entry(name, Node::File, *content), scope, dir);
        }
        load.queued(Queued::All, scope, dir);
        // Anything after the end changes nothing.
        load.queued(Queued::Entry("t/late.txt", Node::File, None), scope, dir);
        load.queued(Queued::All, scope, dir);
        load
    }

    #[test]
    fn the_end_of_the_archive_moves_the_check_on_and_leaves_nothing_taken() {
        let dir = tempfile::tempdir().unwrap();
        let dir = Utf8Path::from_path(dir.path()).unwrap();
        std::thread::scope(|scope| {
            let not_rust = after(scope, dir, &[("t/README.md", None)]);
            assert!(matches!(not_rust, LoadCheck::NotRust));

            // Manifests fed without their content: the skeleton waits for the whole archive.
            let waiting = after(
                scope,
                dir,
                &[("t/Cargo.toml", None), ("t/src/lib.rs", None)],
            );
            assert!(matches!(waiting, LoadCheck::Waiting(_)));

            // The first refusal is kept past the end, for `loaded` to report.
            let refused = after(scope, dir, &[("elsewhere/Cargo.toml", None)]);
            let LoadCheck::Feeding(Err(err)) = refused else {
                panic!("a refused entry must be kept");
            };
            assert!(format!("{err:#}").contains("one top directory"), "{err:#}");
        });
    }
}
