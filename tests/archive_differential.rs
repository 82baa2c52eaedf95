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

//! The differential proof of `verify`'s archive reader: for every archive of a corpus, what
//! the reader (with the `paths` rules) reports (names, types, sizes, link targets, content
//! hashes) is compared with what GNU tar, bsdtar and Python's tarfile, with and without the
//! `data` filter, really write to disk. An archive the reader accepts must unpack to exactly
//! the reported tree under every one of them; refusing is always allowed, except for the
//! clean archives of the writers projects use, which must be accepted.
//!
//! The corpus: `package`'s output, `git archive` (tar and tar.gz), GNU tar (gnu, posix,
//! ustar), bsdtar (its default, pax, ustar, gnutar), Python's tarfile (GNU, PAX, USTAR), and
//! hand-made cases of every class where extractors read a header differently. An extractor
//! or a writer that is not installed is skipped with a message (`.ci/run` installs them).

mod common;
mod tarcorpus;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use tarcorpus::tree::{disagreement, reported, Extractor};
use tarcorpus::*;

/// What the reader must make of a hand-made case.
enum Expect {
    /// Refused, the reason naming this.
    Refused(&'static str),
    /// Accepted (and then unpacked alike by every extractor).
    Accepted,
}

struct Case {
    name: &'static str,
    tar: Vec<u8>,
    expect: Expect,
}

fn case(name: &'static str, parts: Vec<Vec<u8>>, expect: Expect) -> Case {
    let mut all = base();
    all.extend(parts);
    Case {
        name,
        tar: archive(&all),
        expect,
    }
}

/// A header whose data block is itself a header: an extractor that skips the data of this
/// entry type never sees `top/hidden`, one that does not skip it unpacks it.
fn hiding(mut header: Header) -> Vec<u8> {
    let hidden = Header::new(b'0', b"top/hidden", 0, Magic::Ustar).block();
    header.set_size(BLOCK as u64);
    entry(&header, &hidden)
}

fn sparse_cases() -> Vec<Case> {
    use Expect::Refused;
    let secret = b"overwritten\n";
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0 compiled code";
    vec![
        case(
            "PAX sparse 1.0: the ustar name is not the name",
            vec![
                pax(
                    b'x',
                    &[
                        ("GNU.sparse.major", b"1"),
                        ("GNU.sparse.minor", b"0"),
                        ("GNU.sparse.name", b"top/LICENSE"),
                        ("GNU.sparse.realsize", b"12"),
                    ],
                ),
                file_raw("top/docs-notes.txt", &sparse_1_0(&[(0, secret)])),
            ],
            Refused("sparse"),
        ),
        case(
            "PAX sparse 1.0: a sparse map hides an ELF header",
            vec![
                pax(
                    b'x',
                    &[
                        ("GNU.sparse.major", b"1"),
                        ("GNU.sparse.minor", b"0"),
                        ("GNU.sparse.name", b"top/tool"),
                        ("GNU.sparse.realsize", format!("{}", elf.len()).as_bytes()),
                    ],
                ),
                file_raw("top/tool", &sparse_1_0(&[(0, elf)])),
            ],
            Refused("sparse"),
        ),
        case(
            "PAX sparse 0.1: a name that leaves the directory",
            vec![
                pax(
                    b'x',
                    &[
                        ("GNU.sparse.size", b"12"),
                        ("GNU.sparse.map", b"0,12"),
                        ("GNU.sparse.name", b"../../escaped"),
                    ],
                ),
                file("top/notes.txt", secret),
            ],
            Refused("sparse"),
        ),
        case(
            "PAX sparse 0.0: the size grows",
            vec![
                pax(
                    b'x',
                    &[
                        ("GNU.sparse.size", b"4096"),
                        ("GNU.sparse.numblocks", b"1"),
                        ("GNU.sparse.offset", b"0"),
                        ("GNU.sparse.numbytes", b"12"),
                    ],
                ),
                file("top/notes.txt", secret),
            ],
            Refused("sparse"),
        ),
        case(
            "PAX GNU.sparse.name alone renames",
            vec![
                pax(b'x', &[("GNU.sparse.name", b"top/LICENSE")]),
                file("top/notes.txt", secret),
            ],
            Refused("sparse"),
        ),
        case(
            "GNU sparse type S",
            vec![{
                let mut header = Header::new(b'S', b"top/sparse", 12, Magic::Gnu);
                // One region: offset 0, 12 bytes; real size 4096.
                header
                    .patch(386, b"00000000000\0")
                    .patch(398, b"00000000014\0")
                    .patch(483, b"00000010000\0");
                entry(&header, secret)
            }],
            Refused("sparse"),
        ),
    ]
}

/// A regular file whose data is written as given (its size is the data's).
fn file_raw(name: &str, data: &[u8]) -> Vec<u8> {
    file(name, data)
}

fn name_cases() -> Vec<Case> {
    use Expect::Refused;
    let long = |name: &str| gnu_long(b'L', name.as_bytes());
    let path = |name: &str| pax(b'x', &[("path", name.as_bytes())]);
    let prefixed = |magic: Magic| {
        let mut header = Header::new(b'0', b"notes.txt", 2, magic);
        header.set_prefix(b"../escaped");
        entry(&header, b"x\n")
    };
    vec![
        case(
            "GNU long name, then PAX path",
            vec![long("top/one"), path("top/two"), file("top/x", b"x\n")],
            Refused("two names"),
        ),
        case(
            "PAX path, then GNU long name",
            vec![path("top/one"), long("top/two"), file("top/x", b"x\n")],
            Refused("two names"),
        ),
        case(
            "two PAX headers for one entry",
            vec![path("top/a"), path("top/b"), file("top/x", b"x\n")],
            Refused("two"),
        ),
        case(
            "one key twice in a PAX header",
            vec![
                pax(b'x', &[("path", b"top/a"), ("path", b"top/b")]),
                file("top/x", b"x\n"),
            ],
            Refused("twice"),
        ),
        case(
            "prefix in a version 7 header",
            vec![prefixed(Magic::V7)],
            Refused("prefix"),
        ),
        case(
            "prefix in a GNU header",
            vec![prefixed(Magic::Gnu)],
            Refused("prefix"),
        ),
        case(
            "prefix in a ustar header of version `  `",
            vec![prefixed(Magic::UstarVersion(*b"  "))],
            Refused("version"),
        ),
        case(
            "prefix in a ustar header of version 01",
            vec![prefixed(Magic::UstarVersion(*b"01"))],
            Refused("version"),
        ),
        case(
            "prefix with an empty name",
            vec![{
                let mut header = Header::new(b'0', b"", 2, Magic::Ustar);
                header.set_prefix(b"top/d");
                entry(&header, b"x\n")
            }],
            Refused("no name"),
        ),
        case(
            "regular file (type 0) named with a trailing slash",
            vec![file("top/notes/", b"")],
            Refused("ends in `/`"),
        ),
        case(
            "regular file (type NUL) named with a trailing slash",
            vec![entry(&Header::new(0, b"top/notes/", 0, Magic::Ustar), b"")],
            Refused("ends in `/`"),
        ),
        case(
            "regular file named `.` at the end",
            vec![file("top/notes/.", b"x\n")],
            Refused("ends in"),
        ),
        case(
            "regular file with an empty name",
            vec![file("", b"")],
            Refused("no name"),
        ),
        case(
            "a name part longer than 255 bytes",
            vec![{
                let name = format!("top/{}", "x".repeat(300));
                [gnu_long(b'L', name.as_bytes()), file("top/short", b"x\n")].concat()
            }],
            Refused("too long"),
        ),
        case(
            "a file below a file",
            vec![file("top/f", b"1\n"), file("top/f/g", b"2\n")],
            Refused("below the file"),
        ),
        case(
            "a file where a directory was",
            vec![file("top/d/g", b"2\n"), file("top/d", b"1\n")],
            Refused("a directory"),
        ),
    ]
}

fn header_cases() -> Vec<Case> {
    use Expect::{Accepted, Refused};
    vec![
        case(
            "hard link",
            vec![{
                let mut header = Header::new(b'1', b"top/h", 0, Magic::Ustar);
                header.set_link(b"top/LICENSE");
                entry(&header, b"")
            }],
            Refused("hard link"),
        ),
        case(
            "hard link with data",
            vec![hiding({
                let mut header = Header::new(b'1', b"top/h", 0, Magic::Ustar);
                header.set_link(b"top/LICENSE");
                header
            })],
            Refused("hard link"),
        ),
        case(
            "directory with a size",
            vec![hiding(Header::new(b'5', b"top/d/", 0, Magic::Ustar))],
            Refused("size"),
        ),
        case(
            "symbolic link with a size",
            vec![hiding({
                let mut header = Header::new(b'2', b"top/l", 0, Magic::Ustar);
                header.set_link(b"README");
                header
            })],
            Refused("size"),
        ),
        case(
            "PAX size on a symbolic link",
            vec![
                pax(b'x', &[("size", b"512")]),
                hiding({
                    let mut header = Header::new(b'2', b"top/l", 0, Magic::Ustar);
                    header.set_link(b"README");
                    header
                }),
            ],
            Refused("size"),
        ),
        case(
            "owner cannot execute, group and others can",
            vec![entry(
                Header::new(b'0', b"top/run", 2, Magic::Ustar).set_mode(0o655),
                b"x\n",
            )],
            Accepted,
        ),
        case(
            "a lone zero block, then more entries",
            vec![vec![0; BLOCK], file("top/late", b"late\n")],
            Refused("after the end"),
        ),
        case(
            "an invalid uid field (Python stops reading there)",
            vec![
                entry(
                    Header::new(b'0', b"top/a", 2, Magic::Ustar).patch(108, b"zzzzzzz\0"),
                    b"a\n",
                ),
                file("top/b", b"b\n"),
            ],
            Refused("uid"),
        ),
        case(
            "a size in octal with Python's `0o` prefix",
            vec![entry(
                Header::new(b'0', b"top/a", 0, Magic::Ustar).patch(124, b"0o000000002\0"),
                b"a\n",
            )],
            Refused("size"),
        ),
        case(
            "checksum as a signed sum",
            vec![{
                let mut header = Header::new(b'0', "top/ü".as_bytes(), 2, Magic::Ustar);
                header.signed_checksum = true;
                entry(&header, b"a\n")
            }],
            Refused("checksum"),
        ),
        case(
            "volume label",
            vec![entry(&Header::new(b'V', b"top/label", 0, Magic::Gnu), b"")],
            Refused("type"),
        ),
        case(
            "contiguous file (type 7)",
            vec![entry(&Header::new(b'7', b"top/c", 2, Magic::Ustar), b"c\n")],
            Refused("type"),
        ),
        case(
            "FIFO",
            vec![entry(&Header::new(b'6', b"top/fifo", 0, Magic::Ustar), b"")],
            Refused("type"),
        ),
        case(
            "a link target on a regular file",
            vec![entry(
                Header::new(b'0', b"top/a", 2, Magic::Ustar).set_link(b"elsewhere"),
                b"a\n",
            )],
            Refused("link target"),
        ),
    ]
}

fn pax_cases() -> Vec<Case> {
    use Expect::{Accepted, Refused};
    vec![
        case(
            "global header with a path",
            vec![
                pax(b'g', &[("path", b"top/LICENSE")]),
                file("top/notes.txt", b"n\n"),
            ],
            Refused("global"),
        ),
        case(
            "git archive's global header",
            vec![
                pax(
                    b'g',
                    &[("comment", b"0123456789abcdef0123456789abcdef01234567")],
                ),
                file("top/notes.txt", b"n\n"),
            ],
            Accepted,
        ),
        case(
            "unknown PAX key",
            vec![
                pax(b'x', &[("SCHILY.realsize", b"4096")]),
                file("top/notes.txt", b"n\n"),
            ],
            Refused("PAX key"),
        ),
        case(
            "PAX hdrcharset",
            vec![
                pax(b'x', &[("hdrcharset", b"BINARY")]),
                file("top/notes.txt", b"n\n"),
            ],
            Refused("PAX key"),
        ),
        case(
            "PAX mtime that is not a number",
            vec![
                pax(b'x', &[("mtime", b"soon")]),
                file("top/notes.txt", b"n\n"),
            ],
            Refused("mtime"),
        ),
        case(
            "PAX size with a sign",
            vec![pax(b'x', &[("size", b"+2")]), file("top/notes.txt", b"n\n")],
            Refused("size"),
        ),
        case(
            "PAX record of the wrong length",
            vec![
                {
                    let data = b"99 path=top/a\n".to_vec();
                    entry(
                        &Header::new(b'x', b"PaxHeaders/a", data.len() as u64, Magic::Ustar),
                        &data,
                    )
                },
                file("top/notes.txt", b"n\n"),
            ],
            Refused("PAX"),
        ),
        case(
            "PAX path with a NUL",
            vec![
                pax(b'x', &[("path", b"top/a\0top/b")]),
                file("top/notes.txt", b"n\n"),
            ],
            Refused("NUL"),
        ),
        case(
            "PAX header with nothing after it",
            vec![pax(b'x', &[("path", b"top/a")])],
            Refused("no entry"),
        ),
        case(
            "GNU long name with a NUL inside",
            vec![gnu_long(b'L', b"top/a\0top/LICENSE"), file("top/x", b"x\n")],
            Refused("NUL"),
        ),
        case(
            "GNU long name without its NUL, more name in the padding",
            vec![
                {
                    let name = b"top/long-name";
                    let mut out =
                        Header::new(b'L', b"././@LongLink", name.len() as u64, Magic::Gnu)
                            .block()
                            .to_vec();
                    let mut data = name.to_vec();
                    data.extend_from_slice(b"-and-more");
                    data.resize(BLOCK, 0);
                    out.extend(data);
                    out
                },
                file("top/x", b"x\n"),
            ],
            Refused("padding"),
        ),
        case(
            "GNU long name without its NUL",
            vec![
                entry(
                    &Header::new(b'L', b"././@LongLink", 13, Magic::Gnu),
                    b"top/long-name",
                ),
                file("top/x", b"x\n"),
            ],
            Refused("without a NUL"),
        ),
        case(
            "PAX records in the padding after the header's data",
            vec![
                {
                    let data = records(&[("path", b"top/a")]);
                    let mut out =
                        Header::new(b'x', b"PaxHeaders/a", data.len() as u64, Magic::Ustar)
                            .block()
                            .to_vec();
                    let mut padded = data.clone();
                    padded.extend(records(&[("path", b"top/b")]));
                    padded.resize(BLOCK, 0);
                    out.extend(padded);
                    out
                },
                file("top/x", b"x\n"),
            ],
            Refused("padding"),
        ),
        case(
            "GNU long link target on a regular file",
            vec![gnu_long(b'K', b"top/README"), file("top/x", b"x\n")],
            Refused("link target"),
        ),
        case(
            "PAX path and linkpath, mtime and ids",
            vec![
                pax(
                    b'x',
                    &[
                        ("path", b"top/long-link"),
                        ("linkpath", b"README"),
                        ("mtime", b"1700000000.25"),
                        ("uid", b"1000"),
                        ("gid", b"1000"),
                        ("uname", b"rm"),
                        ("gname", b"rm"),
                    ],
                ),
                symlink("top/l", "x"),
            ],
            Accepted,
        ),
    ]
}

/// Fields at their limits, read alike by all: accepted.
fn limit_cases() -> Vec<Case> {
    use Expect::{Accepted, Refused};
    let full_name = format!("top/{}", "n".repeat(96));
    let full_prefix = format!("top/{}", "p".repeat(151));
    vec![
        case(
            "GNU tar's `./` entries",
            vec![dir("./"), dir("./top/d/"), file("./top/d/x", b"x\n")],
            Accepted,
        ),
        case(
            "a name filling its 100 bytes, no NUL",
            vec![file(&full_name, b"x\n")],
            Accepted,
        ),
        case(
            "a prefix filling its 155 bytes, no NUL",
            vec![entry(
                Header::new(b'0', b"x", 2, Magic::Ustar).set_prefix(full_prefix.as_bytes()),
                b"x\n",
            )],
            Accepted,
        ),
        case(
            "file type bits in the mode field",
            vec![entry(
                Header::new(b'0', b"top/m", 2, Magic::Ustar).set_mode(0o100755),
                b"m\n",
            )],
            Accepted,
        ),
        case(
            "a uid in base 256",
            vec![entry(
                Header::new(b'0', b"top/u", 2, Magic::Gnu).patch(108, b"\x80\0\0\0\x01\0\0\0"),
                b"u\n",
            )],
            Accepted,
        ),
        case(
            "numbers padded with spaces",
            vec![entry(
                Header::new(b'0', b"top/s", 2, Magic::Ustar)
                    .patch(100, b"   644 \0")
                    .patch(124, b"         2 \0"),
                b"s\n",
            )],
            Accepted,
        ),
        case(
            "PAX size over the header's",
            vec![
                pax(b'x', &[("size", b"2")]),
                entry(&Header::new(b'0', b"top/p", 0, Magic::Ustar), b"p\n"),
            ],
            Accepted,
        ),
        case(
            "GNU long link target of a symbolic link",
            vec![
                gnu_long(b'K', format!("{}README", "d/../".repeat(30)).as_bytes()),
                symlink("top/far", "d/../d/../d/../"),
            ],
            Accepted,
        ),
        case(
            "GNU long link target, the link field empty",
            vec![gnu_long(b'K', b"README"), symlink("top/far", "")],
            Refused("link field"),
        ),
        case(
            "PAX linkpath, the link field empty",
            vec![
                pax(b'x', &[("linkpath", b"README")]),
                symlink("top/far", ""),
            ],
            Refused("link field"),
        ),
        case(
            "GNU long name, the name field empty",
            vec![
                gnu_long(b'L', b"top/long"),
                entry(&Header::new(b'0', b"", 2, Magic::Gnu), b"x\n"),
            ],
            Accepted,
        ),
        case(
            "PAX path, the name field empty",
            vec![
                pax(b'x', &[("path", b"top/long")]),
                entry(&Header::new(b'0', b"", 2, Magic::Ustar), b"x\n"),
            ],
            Accepted,
        ),
        case(
            "a directory with a link target",
            vec![entry(
                Header::new(b'5', b"top/d/", 0, Magic::Ustar).set_link(b"elsewhere"),
                b"",
            )],
            Refused("link target"),
        ),
    ]
}

/// The end of the archive: two zero blocks, padding, or nothing at all.
fn end_cases() -> Vec<Case> {
    use Expect::{Accepted, Refused};
    let entries = [base(), vec![file("top/notes.txt", b"n\n")]].concat();
    let mut padded = archive(&entries);
    padded.resize(10240, 0);
    vec![
        Case {
            name: "no end-of-archive blocks",
            tar: entries.concat(),
            expect: Accepted,
        },
        Case {
            name: "padded to a 10 KiB record",
            tar: padded,
            expect: Accepted,
        },
        Case {
            name: "an entry after the end-of-archive blocks",
            tar: [archive(&entries), file("top/late", b"late\n")].concat(),
            expect: Refused("after the end"),
        },
    ]
}

fn hand_made() -> Vec<Case> {
    [
        sparse_cases(),
        name_cases(),
        header_cases(),
        pax_cases(),
        limit_cases(),
        end_cases(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn available() -> Vec<Extractor> {
    Extractor::ALL
        .into_iter()
        .filter(|extractor| {
            let there = extractor.available();
            if !there {
                eprintln!(
                    "{} is not installed: not compared (.ci/run installs it)",
                    extractor.name()
                );
            }
            there
        })
        .collect()
}

/// Every extractor's disagreement with the reader on one archive.
fn compare(name: &str, tgz: &[u8], dir: &Path, extractors: &[Extractor]) -> Vec<String> {
    let file = dir.join("archive.tgz");
    std::fs::write(&file, tgz).unwrap();
    // The extractors run side by side: most of their time is starting up.
    std::thread::scope(|scope| {
        let runs: Vec<_> = extractors
            .iter()
            .enumerate()
            .map(|(index, extractor)| {
                let (file, sandbox) = (&file, dir.join(format!("x{index}")));
                scope.spawn(move || disagreement(tgz, file, *extractor, &sandbox))
            })
            .collect();
        runs.into_iter()
            .filter_map(|run| run.join().unwrap())
            .map(|problem| format!("{name}: {problem}"))
            .collect()
    })
}

#[test]
fn hand_made_archives_are_refused_or_unpack_as_reported() {
    let extractors = available();
    let work = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for (index, case) in hand_made().into_iter().enumerate() {
        let tgz = gzip(&case.tar);
        let dir = work.path().join(format!("case{index}"));
        std::fs::create_dir_all(&dir).unwrap();
        problems.extend(compare(case.name, &tgz, &dir, &extractors));
        match (&case.expect, reported(&tgz)) {
            (Expect::Refused(why), Err(reason)) if !reason.contains(why) => problems.push(format!(
                "{}: refused, but the reason does not say {why:?}: {reason}",
                case.name
            )),
            (Expect::Refused(_), Ok(_)) => {
                problems.push(format!("{}: accepted, expected a refusal", case.name))
            }
            (Expect::Accepted, Err(reason)) => {
                problems.push(format!("{}: refused: {reason}", case.name))
            }
            _ => {}
        }
    }
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// Runs `program` with `args` in `dir`; `None` (with a message) when it is not installed.
fn run(dir: &Path, program: &str, args: &[&str]) -> Option<()> {
    let output = match Command::new(program).args(args).current_dir(dir).output() {
        Ok(output) => output,
        Err(_) => {
            eprintln!("{program} is not installed: its archives are not in the corpus");
            return None;
        }
    };
    assert!(
        output.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(())
}

const PYTHON_WRITE: &str = r#"
import sys, tarfile
out, top, fmt = sys.argv[1:4]
with tarfile.open(out, "w:gz", format=getattr(tarfile, fmt + "_FORMAT")) as tar:
    tar.add(top, arcname="top")
"#;

/// The clean archives of every writer at hand, of the fixture project: `(writer, file)`.
fn writers_corpus(world: &World, dir: &Path) -> Vec<(String, PathBuf)> {
    let repo = world.fixture_repo("repo");
    let mut corpus = Vec::new();
    let out = dir.join("package");
    let output = world.xtask(&[
        "--repo",
        repo.to_str().unwrap(),
        "package",
        "1.0.0",
        "--no-sign",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    corpus.push((
        "xtask package".to_string(),
        out.join("apache-demo-1.0.0-src.tgz"),
    ));
    let git_tgz = dir.join("git-archive.tgz");
    world.git(
        &repo,
        &[
            "archive",
            "--format=tar.gz",
            "--prefix=top/",
            "-o",
            git_tgz.to_str().unwrap(),
            "HEAD",
        ],
    );
    corpus.push(("git archive --format=tar.gz".into(), git_tgz));
    let git_tar = dir.join("git-archive.tar");
    world.git(
        &repo,
        &[
            "archive",
            "--format=tar",
            "--prefix=top/",
            "-o",
            git_tar.to_str().unwrap(),
            "HEAD",
        ],
    );
    let gzipped = dir.join("git-archive-tar.tgz");
    std::fs::write(&gzipped, gzip(&std::fs::read(&git_tar).unwrap())).unwrap();
    corpus.push(("git archive --format=tar, gzip".into(), gzipped));

    // The same tree on disk, for the other writers.
    let staging = dir.join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    let extracted = run(&staging, "tar", &["-xf", git_tar.to_str().unwrap()]);
    if extracted.is_none() {
        return corpus;
    }
    let staging_arg = staging.to_str().unwrap();
    for format in ["gnu", "posix", "ustar"] {
        let out = dir.join(format!("gnu-tar-{format}.tgz"));
        let flag = format!("--format={format}");
        let args = [
            &flag,
            "-czf",
            out.to_str().unwrap(),
            "-C",
            staging_arg,
            "top",
        ];
        if run(dir, "tar", &args).is_some() {
            corpus.push((format!("GNU tar --format={format}"), out));
        }
    }
    for format in ["default", "pax", "ustar", "gnutar"] {
        let out = dir.join(format!("bsdtar-{format}.tgz"));
        let mut args = vec!["-czf", out.to_str().unwrap(), "-C", staging_arg, "top"];
        let flag = format!("--format={format}");
        if format != "default" {
            args.insert(0, &flag);
        }
        if run(dir, "bsdtar", &args).is_some() {
            corpus.push((format!("bsdtar {format}"), out));
        }
    }
    for format in ["GNU", "PAX", "USTAR"] {
        let out = dir.join(format!("python-{format}.tgz"));
        let top = staging.join("top");
        let args = [
            "-c",
            PYTHON_WRITE,
            out.to_str().unwrap(),
            top.to_str().unwrap(),
            format,
        ];
        if run(dir, "python3", &args).is_some() {
            corpus.push((format!("Python tarfile {format}_FORMAT"), out));
        }
    }
    corpus
}

#[test]
fn archives_of_every_writer_are_accepted_and_unpack_as_reported() {
    let extractors = available();
    let world = World::new();
    let work = world.path("writers");
    std::fs::create_dir_all(&work).unwrap();
    let mut problems = Vec::new();
    let corpus = writers_corpus(&world, &work);
    let writers: Vec<&str> = corpus.iter().map(|(writer, _)| writer.as_str()).collect();
    eprintln!("writers compared: {}", writers.join(", "));
    for (index, (writer, file)) in corpus.iter().enumerate() {
        let tgz = std::fs::read(file).unwrap();
        if let Err(reason) = reported(&tgz) {
            problems.push(format!("{writer}: refused: {reason}"));
            continue;
        }
        let dir = work.join(format!("compare{index}"));
        std::fs::create_dir_all(&dir).unwrap();
        problems.extend(compare(writer, &tgz, &dir, &extractors));
    }
    assert!(
        corpus.len() >= 3,
        "the corpus holds at least package's and git's archives"
    );
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}

/// GNU tar's sparse files (type `S` in its gnu format, PAX `GNU.sparse.*` 1.0 in posix): a
/// real writer's sparse archive is refused.
#[test]
fn sparse_archives_of_gnu_tar_are_refused() {
    let extractors = available();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let top = dir.join("top");
    std::fs::create_dir_all(&top).unwrap();
    std::fs::write(top.join("LICENSE"), b"the license\n").unwrap();
    let sparse = std::fs::File::create(top.join("holes.bin")).unwrap();
    sparse.set_len(1024 * 1024).unwrap();
    drop(sparse);
    let mut seen = 0;
    let mut problems = Vec::new();
    for format in ["gnu", "posix"] {
        let out = dir.join(format!("sparse-{format}.tgz"));
        let flag = format!("--format={format}");
        let args = [
            flag.as_str(),
            "--sparse",
            "-czf",
            out.to_str().unwrap(),
            "top",
        ];
        if run(dir, "tar", &args).is_none() {
            return;
        }
        let tgz = std::fs::read(&out).unwrap();
        let compared = dir.join(format!("compare-{format}"));
        std::fs::create_dir_all(&compared).unwrap();
        problems.extend(compare(format, &tgz, &compared, &extractors));
        match reported(&tgz) {
            Err(reason) if reason.contains("sparse") => {}
            other => problems.push(format!("GNU tar {format} --sparse: {other:?}")),
        }
        seen += 1;
    }
    assert_eq!(seen, 2);
    assert!(problems.is_empty(), "\n{}\n", problems.join("\n"));
}
