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

//! How a skeleton ends: what the first read could not settle read again from the archive
//! (or, while the archive is still being written, the skeleton given back), then the links.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use camino::Utf8Path;

use super::entries::{read_manifest, resolve, walk};
use super::{
    normalise, role, Limits, Node, Pending, Place, Reach, Role, Skeleton, Unpacked, TARGET_DIRS,
};

impl Skeleton {
    /// Ends the skeleton: reads `tarball` again for what the first read could not settle (a
    /// long start before the root manifest, entries out of path order, manifests whose
    /// content was not at hand, links on the way of member globs or to files cargo looks
    /// at), then makes the links. Returns the top directory, or `None` when the archive has
    /// no root manifest: then nothing was made.
    pub fn finish(self, tarball: &Utf8Path, limits: Limits) -> Result<Option<Unpacked>> {
        match self.end(Some((tarball, limits)))? {
            Ending::Made(unpacked) => Ok(unpacked),
            Ending::NeedsArchive(_) => bail!("the load check's skeleton was left unfinished"),
        }
    }

    /// Ends the skeleton without the archive, as soon as its last entry was fed (`package`
    /// feeds it while the archive is still being compressed): made, or given back when the
    /// archive must be read again ([`Skeleton::finish`] then, once it is whole).
    pub fn finish_without_archive(self) -> Result<Ending> {
        self.end(None)
    }

    fn end(mut self, archive: Option<(&Utf8Path, Limits)>) -> Result<Ending> {
        let (Some(top), Some(root_at)) = (self.top.clone(), self.root_at) else {
            return Ok(Ending::Made(None));
        };
        let dir = self.dir()?.to_owned();
        self.hold = false;
        for item in std::mem::take(&mut self.held) {
            self.make(item, false)?;
        }
        let mut wanted = self.unread.clone();
        let links: BTreeMap<String, String> = self.links.iter().cloned().collect();
        // A link on the way of a member glob, or in place of a directory target discovery
        // lists, can show cargo anything: then everything is made.
        let crossed = links.keys().any(|link| {
            let inner = link.split_once('/').map_or("", |(_, inner)| inner);
            let name = link.rsplit('/').next().unwrap_or_default();
            self.reach.crossed_by(inner) || name == "src" || TARGET_DIRS.contains(&name)
        });
        if crossed {
            self.reach = Reach::Everything;
        }
        let unsure = !self.in_order;
        // Everything again when the first read could not decide; else the start only.
        let until = match crossed || unsure || self.held_over {
            true => u64::MAX,
            false if self.overflowed => root_at,
            false => 0,
        };
        for link in links.keys() {
            let role = role(link);
            if role == Role::Unread {
                continue;
            }
            if let Some((file, _)) = resolve(&links, link) {
                if std::fs::symlink_metadata(dir.join(&file)).is_err() {
                    wanted.insert(file, role);
                }
            }
        }
        if until > 0 || !wanted.is_empty() {
            let Some((tarball, limits)) = archive else {
                return Ok(Ending::NeedsArchive(Box::new(self)));
            };
            self.unread.clear();
            walk(tarball, limits, &mut |index, raw, node, content| {
                let path = normalise(raw).unwrap_or_default();
                match (node, wanted.remove(&path)) {
                    _ if path.is_empty() => {}
                    (Node::File, Some(Role::Manifest)) => self.make_file(&path, content, true)?,
                    (Node::File, Some(_)) => self.make_empty(&path, true)?,
                    _ if index >= until => {}
                    (Node::Dir, None) => self.place(Pending::Dir(path), unsure, true)?,
                    (Node::File, None) if role(&path) == Role::Manifest => {
                        let text = read_manifest(&path, content)?;
                        self.place(Pending::Manifest(path, text), unsure, true)?
                    }
                    (Node::File, None) => self.place(Pending::File(path), unsure, true)?,
                    _ => {}
                }
                Ok(index < until || !wanted.is_empty())
            })?;
        }
        // A link is made when cargo can meet it: by its name, or because what it points to was
        // made (a path dependency may go through it); with the links it goes through.
        let mut made = std::collections::BTreeSet::new();
        for link in links.keys() {
            let resolved = resolve(&links, link);
            let needed = crossed
                || role(link) != Role::Unread
                || resolved
                    .as_ref()
                    .is_some_and(|(end, _)| std::fs::symlink_metadata(dir.join(end)).is_ok());
            if needed {
                made.insert(link.as_str());
                made.extend(resolved.into_iter().flat_map(|(_, through)| through));
            }
        }
        for (path, target) in links
            .iter()
            .filter(|(path, _)| made.contains(path.as_str()))
        {
            let at = dir.join(path);
            if let Some(parent) = at.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {parent}"))?;
            }
            std::os::unix::fs::symlink(target, &at)
                .with_context(|| format!("cannot create the link {at}"))?;
        }
        let scratch = match self.into {
            Place::Scratch(_, scratch) => scratch.into_inner(),
            Place::Dir(_) => None,
        };
        Ok(Ending::Made(Some(Unpacked {
            root: dir.join(top),
            _scratch: scratch,
        })))
    }
}

/// How a skeleton ended.
pub enum Ending {
    /// What cargo reads is made (`None`: the archive has no root manifest, nothing is).
    Made(Option<Unpacked>),
    /// The archive must be read again: the skeleton, to finish once it is whole.
    NeedsArchive(Box<Skeleton>),
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::super::tests::{feed_walk, metadata, package, tarball, Item, Item::File};
    use super::super::{Limits, Skeleton};
    use super::Ending;

    #[test]
    fn ending_without_the_archive_gives_the_skeleton_back_only_when_it_must_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let dir = Utf8Path::from_path(dir.path()).unwrap();
        let member = package("a", "");
        let feed_all = |entries: &[(&str, Item)], into: &str, with_content: bool| {
            let tarball = tarball(dir, entries);
            let mut skeleton = Skeleton::new(dir.join(into));
            feed_walk(&tarball, &mut skeleton, with_content).unwrap();
            (tarball, skeleton)
        };

        // In path order with the manifests' content, as `package` writes: made at once.
        let in_order = [
            ("Cargo.toml", File("[workspace]\nmembers = [\"a\"]\n")),
            ("a/Cargo.toml", File(member.as_str())),
            ("a/src/lib.rs", File("\n")),
        ];
        let (_, skeleton) = feed_all(&in_order, "at-once", true);
        let Ending::Made(Some(unpacked)) = skeleton.finish_without_archive().unwrap() else {
            panic!("an archive in order with its manifests needs no second read");
        };
        let (loads, said) = metadata(&unpacked.root);
        assert!(loads, "{said}");

        // Manifests without their content: given back, then finished from the archive.
        let (tarball, skeleton) = feed_all(&in_order, "later", false);
        let Ending::NeedsArchive(skeleton) = skeleton.finish_without_archive().unwrap() else {
            panic!("manifests fed without content must be read again");
        };
        let root = skeleton
            .finish(&tarball, Limits::default())
            .unwrap()
            .unwrap()
            .root;
        assert_eq!(
            std::fs::read_to_string(root.join("a/Cargo.toml")).unwrap(),
            member
        );
        let (loads, said) = metadata(&root);
        assert!(loads, "{said}");

        // No root manifest: nothing made, nothing to read again.
        let (_, skeleton) = feed_all(&[("a/Cargo.toml", File(member.as_str()))], "none", true);
        assert!(matches!(
            skeleton.finish_without_archive().unwrap(),
            Ending::Made(None)
        ));
    }
}
