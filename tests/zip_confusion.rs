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

//! Zip confusion: archives crafted so that the zip check and a real tool (unzip, Python's
//! zipfile, bsdtar, a streaming reader) disagree about what they hold. Each one here is listed
//! or extracted as code by a real tool (asserted), so the check must not call it text.

use asf_release::archive::checks::zip::{judge, Verdict};
use std::process::Command;

/// Writes the crafted archives (`<case>.zip`) into the current directory.
const CRAFT: &str = r#"
import struct, zlib
CLASS = b'\xca\xfe\xba\xbe\x00\x00\x00\x34' + bytes(40)
TEXT = b'hello world\n' * 4
def local(name, data, method=0, lname=None):
    lname = name if lname is None else lname
    return struct.pack('<4sHHHHHIIIHH', b'PK\x03\x04', 20, 0, method, 0, 0, zlib.crc32(data),
                       len(data), len(data), len(lname), 0) + lname + data
def central(name, data, off, method=0, comment=b''):
    return struct.pack('<4sHHHHHHIIIHHHHHII', b'PK\x01\x02', 20, 20, 0, method, 0, 0,
                       zlib.crc32(data), len(data), len(data), len(name), 0, len(comment), 0,
                       0, 0, off) + name + comment
def eocd(n, size, off):
    return struct.pack('<4sHHHHIIH', b'PK\x05\x06', 0, 0, n, n, size, off, 0)
out = {}
# The end record's offset names a directory of text; the one just before it (where unzip,
# Python and Java look) lists a class, its local offset counted past the "prepended" bytes.
pad = bytes(len(central(b'README.txt', TEXT, 0)))
l1 = local(b'Evil.class', CLASS)
body = pad + l1 + local(b'README.txt', TEXT)
fake = central(b'README.txt', TEXT, len(pad) + len(l1))
real = central(b'Evil.class', CLASS, 0)
out['offset'] = body + fake + real + eocd(1, len(real), len(body))
# A local entry the central directory does not list (a streaming reader sees it).
l1 = local(b'Evil.class', CLASS); l2 = local(b'README.txt', TEXT)
cd = central(b'README.txt', TEXT, len(l1))
out['unlisted'] = l1 + l2 + cd + eocd(1, len(cd), len(l1) + len(l2))
# The local header names a stored class, the directory a text file in a method not read.
l1 = local(b'README.txt', CLASS, lname=b'Evil.class')
cd = central(b'README.txt', CLASS, 0, method=12)
out['localname'] = l1 + cd + eocd(1, len(cd), len(l1))
# A deflated ELF whose directory entry says it inflates to 0 bytes (unzip writes all 207).
elf = b'\x7fELF\x02\x01\x01' + bytes(200)
c = zlib.compressobj(9, zlib.DEFLATED, -15); d = c.compress(elf) + c.flush()
crc = zlib.crc32(elf)
l1 = struct.pack('<4sHHHHHIIIHH', b'PK\x03\x04', 20, 0, 8, 0, 0, crc, len(d), len(elf), 9,
                 0) + b'notes.txt' + d
cd = struct.pack('<4sHHHHHHIIIHHHHHII', b'PK\x01\x02', 20, 20, 0, 8, 0, 0, crc, len(d), 0, 9,
                 0, 0, 0, 0, 0, 0) + b'notes.txt'
out['size0'] = l1 + cd + eocd(1, len(cd), len(l1))
# A NUL in the name (C tools cut it there: Evil.class), in a method judged by name only.
l1 = local(b'Evil.class\0.txt', CLASS, method=12)
cd = central(b'Evil.class\0.txt', CLASS, 0, method=12)
out['nul'] = l1 + cd + eocd(1, len(cd), len(l1))
# A ZIP64 record and locator, hidden in the last entry's comment, naming another directory.
l1 = local(b'Evil.class', CLASS); l2 = local(b'README.txt', TEXT)
cd64 = central(b'Evil.class', CLASS, 0)
cd_at = len(l1) + len(l2) + len(cd64)
probe = central(b'README.txt', TEXT, len(l1))
rec = struct.pack('<4sQHHIIQQQQ', b'PK\x06\x06', 44, 45, 45, 0, 0, 1, 1, len(cd64),
                  len(l1) + len(l2))
loc = struct.pack('<4sIQI', b'PK\x06\x07', 0, cd_at + len(probe), 1)
cd = central(b'README.txt', TEXT, len(l1), comment=rec + loc)
out['zip64'] = l1 + l2 + cd64 + cd + eocd(1, len(cd), cd_at)
# Java skips an end record whose comment does not reach the end of the file (when the
# directory it names does not check out): a text entry's data hides a whole archive of code,
# whose end record's comment holds a directory of text and a second end record.
stub = b'#!/bin/sh\nexit 0\n'
name = b'README.txt'
data_at = len(stub) + 30 + len(name)
evil = local(b'Evil.class', CLASS)
real = central(b'Evil.class', CLASS, data_at + 5)
real_end = struct.pack('<4sHHHHIIH', b'PK\x05\x06', 0, 0, 1, 1, len(real), data_at + 5 + len(evil),
                       46 + len(name) + 22 + 4)
data = b'text\n' + evil + real + real_end
fake = central(name, data, len(stub))
fake_end = struct.pack('<4sHHHHIIH', b'PK\x05\x06', 0, 0, 1, 1, len(fake), data_at + len(data), 16)
out['comment'] = stub + local(name, data) + fake + fake_end + bytes(4)
# An Info-ZIP Unicode Path field naming a class (unzip and bsdtar write the file under it),
# in a compression judged by name only.
import bz2
name = b'README.txt'
packed = bz2.compress(CLASS)
field = struct.pack('<BI', 1, zlib.crc32(name)) + b'Evil.class'
extra = struct.pack('<HH', 0x7075, len(field)) + field
l1 = struct.pack('<4sHHHHHIIIHH', b'PK\x03\x04', 46, 0, 12, 0, 0, zlib.crc32(CLASS), len(packed),
                 len(CLASS), len(name), len(extra)) + name + extra + packed
cd = struct.pack('<4sHHHHHHIIIHHHHHII', b'PK\x01\x02', 46, 46, 0, 12, 0, 0, zlib.crc32(CLASS),
                 len(packed), len(CLASS), len(name), len(extra), 0, 0, 0, 0, 0) + name + extra
out['unicode'] = l1 + cd + eocd(1, len(cd), len(l1))
for name, data in out.items():
    open(name + '.zip', 'wb').write(data)
"#;

fn output(dir: &std::path::Path, program: &str, args: &[&str]) -> Vec<u8> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|err| panic!("{program} runs: {err}"));
    [out.stdout, out.stderr].concat()
}

#[test]
fn an_archive_real_tools_read_as_code_is_never_called_text() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let status = Command::new("python3")
        .args(["-c", CRAFT])
        .current_dir(dir.path())
        .status()
        .expect("python3 runs");
    assert!(status.success());
    let sees = |tool: &[&str], what: &[u8]| {
        let out = output(dir.path(), tool[0], &tool[1..]);
        assert!(
            out.windows(what.len()).any(|w| w == what),
            "{tool:?} sees {}: {}",
            String::from_utf8_lossy(what),
            String::from_utf8_lossy(&out)
        );
    };
    // What real tools make of each: code.
    sees(
        &["python3", "-m", "zipfile", "-l", "offset.zip"],
        b"Evil.class",
    );
    sees(&["unzip", "-l", "offset.zip"], b"Evil.class");
    sees(
        &["sh", "-c", "cat unlisted.zip | bsdtar -tf -"],
        b"Evil.class",
    );
    sees(&["bsdtar", "-tf", "localname.zip"], b"Evil.class");
    sees(&["unzip", "-p", "size0.zip"], b"\x7fELF");
    sees(&["unzip", "-l", "nul.zip"], b"Evil.class\n");
    sees(&["bsdtar", "-tf", "zip64.zip"], b"Evil.class");
    sees(&["jar", "tf", "comment.zip"], b"Evil.class");
    sees(&["unzip", "-l", "unicode.zip"], b"Evil.class");
    for case in [
        "offset",
        "unlisted",
        "localname",
        "size0",
        "nul",
        "zip64",
        "comment",
        "unicode",
    ] {
        let bytes = std::fs::read(dir.path().join(format!("{case}.zip"))).expect("crafted");
        match judge(&bytes) {
            Verdict::NoCode { .. } => panic!("{case}: called text only"),
            Verdict::Compiled(what) | Verdict::Unreadable(what) => {
                assert!(!what.contains('\0'), "{case}: {what:?}")
            }
        }
    }
}

#[test]
fn honest_archives_with_data_descriptors_stubs_and_stored_jars_are_still_read() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let run = |script: &str| {
        let status = Command::new("sh")
            .args(["-c", script])
            .current_dir(dir.path())
            .status()
            .expect("sh runs");
        assert!(status.success(), "{script}");
    };
    // Written to a pipe: sizes in data descriptors after the data.
    run("python3 -c \"import zipfile, sys; z = zipfile.ZipFile(sys.stdout.buffer, 'w'); \
         z.writestr('a.txt', 'hello' * 300, zipfile.ZIP_DEFLATED); z.close()\" | cat > streamed.zip");
    // A stored jar inside (its own local headers in the outer data), and a text file.
    run(
        "mkdir t && printf '<a/>' > t/a.xml && (cd t && jar cf ../in.jar a.xml) && \
         printf 'notes' > n.txt && zip -q -0 outer.zip in.jar n.txt",
    );
    // A self-extracting stub before the archive, offsets mended by zip -A.
    run(
        "printf '#!/bin/sh\\necho stub\\nexit 0\\n' > sfx.zip && cat outer.zip >> sfx.zip && \
         zip -q -A sfx.zip",
    );
    for case in ["streamed.zip", "outer.zip", "sfx.zip"] {
        let bytes = std::fs::read(dir.path().join(case)).expect("made");
        assert!(
            matches!(judge(&bytes), Verdict::NoCode { by_name: 0, .. }),
            "{case}: {:?}",
            judge(&bytes)
        );
    }
    // zip writing from a pipe adds a ZIP64 end record, which the check does not read: said so.
    run("printf 'hello' | zip -q piped.zip -");
    let piped = std::fs::read(dir.path().join("piped.zip")).expect("made");
    assert!(matches!(judge(&piped), Verdict::Unreadable(why) if why.contains("ZIP64")));
}
