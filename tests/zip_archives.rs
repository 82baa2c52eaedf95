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

//! The compiled-code rule on zip archives made by real tools (`zip`, `jar`, python's zipfile),
//! and on hostile ones: an archive of text is a warning, one holding compiled code a finding.

use asf_release::archive::checks::zip::{judge, Verdict};
use asf_release::archive::checks::{wants_whole, Checker, Rules};
use asf_release::archive::excludes::Excludes;
use asf_release::archive::reader::{Entry, Kind};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scratch directory the tools run in.
struct Shell {
    dir: PathBuf,
}

impl Shell {
    fn current_dir(&self) -> &Path {
        &self.dir
    }

    fn write_file(&self, path: &str, content: impl AsRef<[u8]>) -> std::io::Result<()> {
        let path = self.dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, content)
    }

    /// Runs `program` with `args` in the scratch directory (or `sub` below it).
    fn run(&self, sub: &str, program: &str, args: &[&str]) {
        let status = Command::new(program)
            .args(args)
            .current_dir(self.dir.join(sub))
            .status()
            .unwrap_or_else(|err| panic!("{program} runs: {err}"));
        assert!(status.success(), "{program} {args:?}: {status}");
    }
}

/// Runs python's zipfile: `entries` are (name, python bytes expression, compression).
fn python_zip(sh: &Shell, entries: &[(&str, &str, &str)]) -> Vec<u8> {
    let out = sh.current_dir().join("made.zip");
    let mut script = format!(
        "import zipfile, sys\nz = zipfile.ZipFile({:?}, 'w')\n",
        out.display().to_string()
    );
    for (name, data, compression) in entries {
        script.push_str(&format!(
            "z.writestr({name:?}, {data}, compress_type=zipfile.{compression})\n"
        ));
    }
    script.push_str("z.close()\n");
    sh.run("", "python3", &["-c", &script]);
    std::fs::read(&out).expect("the zip")
}

fn shell() -> (tempfile::TempDir, Shell) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sh = Shell {
        dir: dir.path().to_path_buf(),
    };
    (dir, sh)
}

const ELF: &str = "b'\\x7fELF\\x02\\x01\\x01' + bytes(200)";

#[test]
fn an_archive_of_text_holds_no_compiled_code_and_one_entry_of_code_is_enough() {
    let (_dir, sh) = shell();
    // Commons IO's fixtures: XML, a README, a manifest and .txt files, stored and deflated.
    let text = python_zip(
        &sh,
        &[
            ("test1.xml", "b'<a>' * 200", "ZIP_DEFLATED"),
            ("dir/", "b''", "ZIP_STORED"),
            ("dir/README", "b'Moby Dick\\n' * 900", "ZIP_DEFLATED"),
            (
                "META-INF/MANIFEST.MF",
                "b'Manifest-Version: 1.0\\n'",
                "ZIP_STORED",
            ),
        ],
    );
    assert_eq!(
        judge(&text),
        Verdict::NoCode {
            entries: 3,
            by_name: 0
        }
    );
    // A native library under a text name, found by its bytes; a class file by its name.
    for (name, data, compression, said) in [
        (
            "README",
            ELF,
            "ZIP_DEFLATED",
            "README: ELF executable or library",
        ),
        (
            "lib/x.txt",
            ELF,
            "ZIP_STORED",
            "lib/x.txt: ELF executable or library",
        ),
        (
            "a/B.class",
            "b'\\xca\\xfe\\xba\\xbe' + bytes(50)",
            "ZIP_DEFLATED",
            "a/B.class: Java class",
        ),
        (
            "a/C.class",
            "b'not really'",
            "ZIP_BZIP2",
            "a/C.class: Java class file",
        ),
    ] {
        let zip = python_zip(
            &sh,
            &[
                ("ok.txt", "b'text'", "ZIP_STORED"),
                (name, data, compression),
            ],
        );
        match judge(&zip) {
            Verdict::Compiled(what) => assert!(what.starts_with(said), "{what}"),
            other => panic!("{name}: {other:?}"),
        }
    }
    // Another compression: judged by name only, and said so.
    let bzip = python_zip(&sh, &[("notes.txt", "b'text' * 100", "ZIP_BZIP2")]);
    assert_eq!(
        judge(&bzip),
        Verdict::NoCode {
            entries: 1,
            by_name: 1
        }
    );
}

#[test]
fn archives_made_by_zip_and_jar_are_read_and_nested_ones_opened_one_level() {
    let (dir, sh) = shell();
    sh.write_file("t/notes.txt", "hello\n".repeat(50)).unwrap();
    sh.write_file("t/sub/data.xml", "<a/>\n").unwrap();
    sh.run("t", "zip", &["-q", "-r", "../text.zip", "."]);
    sh.run("t", "jar", &["cf", "../text.jar", "notes.txt", "sub"]);
    sh.write_file("t/Main.class", b"\xca\xfe\xba\xbe\0\0\0\x34".repeat(4))
        .unwrap();
    sh.run("t", "jar", &["cf", "../code.jar", "Main.class"]);
    let read = |name: &str| std::fs::read(dir.path().join(name)).unwrap();
    assert_eq!(
        judge(&read("text.zip")),
        Verdict::NoCode {
            entries: 2,
            by_name: 0
        }
    );
    // jar adds its manifest.
    assert_eq!(
        judge(&read("text.jar")),
        Verdict::NoCode {
            entries: 3,
            by_name: 0
        }
    );
    // A jar inside a zip: opened; one more level is not.
    sh.run("", "zip", &["-q", "outer.zip", "code.jar", "text.jar"]);
    match judge(&read("outer.zip")) {
        Verdict::Compiled(what) => assert!(what.starts_with("code.jar!Main.class"), "{what}"),
        other => panic!("{other:?}"),
    }
    sh.run("", "zip", &["-q", "deep.zip", "outer.zip"]);
    assert!(matches!(judge(&read("deep.zip")), Verdict::Unreadable(why) if why.contains("inside")));
    sh.run("", "zip", &["-q", "fine.zip", "text.jar"]);
    // The nested archive counts as one of the files.
    assert_eq!(
        judge(&read("fine.zip")),
        Verdict::NoCode {
            entries: 4,
            by_name: 0
        }
    );
}

#[test]
fn hostile_zips_get_a_bounded_clear_answer() {
    let (_dir, sh) = shell();
    let good = python_zip(
        &sh,
        &[
            ("a.txt", "b'text ' * 300", "ZIP_DEFLATED"),
            ("b.txt", "b'more'", "ZIP_STORED"),
        ],
    );
    let unreadable = |bytes: &[u8]| matches!(judge(bytes), Verdict::Unreadable(_));
    // Cut anywhere: never a pass by accident of what is left, never a panic.
    for cut in 0..good.len() {
        let verdict = judge(&good[..cut]);
        assert!(
            !matches!(verdict, Verdict::Compiled(_)),
            "{cut}: {verdict:?}"
        );
    }
    assert!(unreadable(&good[..good.len() - 1]));
    assert!(unreadable(b"PK\x03\x04 not a zip at all"));
    let end = good.len() - 22;
    // A central directory said to be elsewhere, or to hold 60000 entries.
    let mut lying = good.clone();
    lying[end + 16..end + 20].copy_from_slice(&u32::MAX.to_le_bytes()[..]);
    assert!(unreadable(&lying));
    let mut many = good.clone();
    many[end + 8..end + 12].copy_from_slice(&[0x60, 0xea, 0x60, 0xea]);
    assert!(unreadable(&many));
    // An encrypted entry hides what it holds.
    let mut secret = good.clone();
    let central = u32::from_le_bytes(good[end + 16..end + 20].try_into().unwrap()) as usize;
    secret[central + 8] |= 1;
    assert!(matches!(judge(&secret), Verdict::Unreadable(why) if why.contains("encrypted")));
    // A deflate bomb (100 MB of zeros) is looked at through a small window only; nested, it
    // is too large to open.
    let bomb = python_zip(&sh, &[("zeros.txt", "bytes(100_000_000)", "ZIP_DEFLATED")]);
    let started = std::time::Instant::now();
    assert_eq!(
        judge(&bomb),
        Verdict::NoCode {
            entries: 1,
            by_name: 0
        }
    );
    let nested = python_zip(
        &sh,
        &[("bomb.zip", "open('made.zip','rb').read()", "ZIP_DEFLATED")],
    );
    assert!(matches!(judge(&nested), Verdict::Unreadable(why) if why.contains("bomb.zip")));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Flipped bytes: any verdict, no panic, in bounded time.
    for at in (0..good.len()).step_by(3) {
        let mut mutated = good.clone();
        mutated[at] ^= 0xa5;
        let _ = judge(&mutated);
    }
}

#[test]
fn a_text_archive_in_a_release_is_a_warning_and_a_compiled_one_a_finding() {
    let (_dir, sh) = shell();
    let text = python_zip(&sh, &[("test1.xml", "b'<a/>'", "ZIP_DEFLATED")]);
    let code = python_zip(&sh, &[("x.so", ELF, "ZIP_DEFLATED")]);
    let mut entries = vec![
        Entry {
            kind: Kind::Dir,
            ..tests_file("apache-x-1.0.0-src", b"")
        },
        tests_file("apache-x-1.0.0-src/src/test/resources/bla.zip", &text),
        tests_file("apache-x-1.0.0-src/src/test/resources/test.jar", &text),
        tests_file("apache-x-1.0.0-src/lib/native.zip", &code),
    ];
    entries.push(tests_file("apache-x-1.0.0-src/odd.bin", &text));
    let mut checker = Checker::new(rules_for_zips());
    for entry in &entries {
        checker.visit(entry);
    }
    let outcome = checker.finish_all();
    let binaries: Vec<(&str, &str)> = outcome
        .findings
        .iter()
        .filter(|f| f.rule == "binaries")
        .map(|f| (f.path.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(binaries.len(), 2, "{binaries:?}");
    assert!(binaries[0]
        .1
        .starts_with("zip archive holding compiled code (x.so: ELF"));
    assert!(binaries[1].1.contains("not opened"), "{}", binaries[1].1);
    let notes: Vec<&str> = outcome
        .warnings
        .iter()
        .filter(|w| w.rule == "binaries")
        .map(|w| w.path.as_str())
        .collect();
    assert_eq!(
        notes,
        [
            "apache-x-1.0.0-src/src/test/resources/bla.zip",
            "apache-x-1.0.0-src/src/test/resources/test.jar"
        ]
    );
}

fn tests_file(path: &str, content: &[u8]) -> Entry {
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

fn rules_for_zips() -> Rules {
    Rules {
        top_dir: "apache-x-1.0.0-src".into(),
        top_dir_alternative: None,
        incubating: false,
        binary_allow: Excludes::new(&[], "binary-allow").unwrap(),
        license_header_excludes: Excludes::new(&[], "license-header-excludes").unwrap(),
        atr_headers: false,
    }
}
