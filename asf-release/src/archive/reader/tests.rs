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

//! The reader on what the package writer writes, on damaged streams, and on headers outside
//! the subset. The comparison with real extractors is tests/archive_differential.rs.

use std::io::{Read, Write};

use super::header::BLOCK;
use super::*;
use crate::archive::writer::TarGzWriter;

fn read_all(bytes: &[u8], limits: Limits) -> Result<(Vec<Entry>, ReadDigests)> {
    let mut entries = Vec::new();
    let digests = read_archive(
        bytes,
        Hashing::everything(ObjectFormat::Sha1),
        limits,
        &|path| path.ends_with("LICENSE"),
        &mut |entry| {
            entries.push(entry);
            Ok(())
        },
    )?;
    Ok((entries, digests))
}

fn sample() -> (Vec<u8>, crate::archive::writer::Digests) {
    let mut writer = TarGzWriter::new(Vec::new(), 1).unwrap();
    writer.add_dir("top").unwrap();
    writer
        .add_file("top/LICENSE", false, 6, &mut &b"hello\n"[..])
        .unwrap();
    writer.add_symlink("top/l", "../../etc/passwd").unwrap();
    let long = format!("top/{}/file.txt", "d".repeat(120));
    writer.add_file(&long, true, 1, &mut &b"x"[..]).unwrap();
    writer.finish().unwrap()
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut plain)
        .unwrap();
    plain
}

fn gzip(plain: &[u8]) -> Vec<u8> {
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(plain).unwrap();
    gzip.finish().unwrap()
}

#[test]
fn reads_back_what_the_writer_wrote() {
    let (bytes, written) = sample();
    let (entries, digests) = read_all(&bytes, Limits::default()).unwrap();
    assert_eq!(digests.sha512, written.sha512);
    let plain = gunzip(&bytes);
    assert_eq!(digests.tar_sha512, hex(&Sha512::digest(&plain)));
    assert_eq!(digests.tar_size, plain.len() as u64);
    assert_eq!(entries.len(), 4);
    assert_eq!(entries[0].kind, Kind::Dir);
    assert_eq!(entries[0].path, "top");
    // `git hash-object` of "hello\n".
    assert_eq!(
        entries[1].blob_id.as_deref(),
        Some("ce013625030ba8dba906f756967f9e9ca394464a")
    );
    assert_eq!(entries[1].whole.as_deref(), Some(&b"hello\n"[..]));
    assert_eq!(
        entries[2].kind,
        Kind::Symlink {
            target: "../../etc/passwd".into()
        }
    );
    assert_eq!(entries[3].path, format!("top/{}/file.txt", "d".repeat(120)));
    assert_eq!(entries[3].kind, Kind::File { executable: true });
}

#[test]
fn zeros_after_the_gzip_stream_are_read_as_gzip_reads_them() {
    let (bytes, _) = sample();
    let padded = [bytes.clone(), vec![0; 4096]].concat();
    let (_, digests) = read_all(&padded, Limits::default()).unwrap();
    assert_eq!(digests.sha512, hex(&Sha512::digest(&padded)));
    let garbage = [bytes, b"trailing".to_vec()].concat();
    let err = read_all(&garbage, Limits::default()).unwrap_err();
    assert!(
        format!("{err:#}").contains("after the gzip stream"),
        "{err:#}"
    );
}

#[test]
fn a_truncated_stream_is_an_error_not_a_panic() {
    let (bytes, _) = sample();
    for cut in [0, 5, 10, bytes.len() / 2, bytes.len() - 4] {
        let err = read_all(&bytes[..cut], Limits::default());
        assert!(err.is_err(), "cut at {cut}");
    }
    let plain = gunzip(&bytes);
    for cut in [100, 700, 1024 + 3] {
        let err = read_all(&gzip(&plain[..cut]), Limits::default());
        assert!(err.is_err(), "cut at {cut}");
    }
}

#[test]
fn a_bomb_is_stopped_by_the_size_limit() {
    let mut writer = TarGzWriter::new(Vec::new(), 1).unwrap();
    let size = 50 * 1024 * 1024;
    writer
        .add_file("top/zeros", false, size, &mut io::repeat(0).take(size))
        .unwrap();
    let (bytes, _) = writer.finish().unwrap();
    assert!(bytes.len() < 200 * 1024, "it compresses well");
    let limits = Limits {
        max_tar_bytes: 10 * 1024 * 1024,
        max_entries: 10,
    };
    let err = read_all(&bytes, limits).unwrap_err().to_string();
    assert!(err.contains("size limit"), "{err}");
}

#[test]
fn garbage_is_a_clear_error() {
    let err = read_all(b"this is not gzip", Limits::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("cannot read the archive"), "{err}");
}

/// A header with `name`, type `kind`, no data, and its checksum.
fn header(name: &[u8], kind: u8) -> [u8; BLOCK] {
    let mut block = [0u8; BLOCK];
    block[..name.len()].copy_from_slice(name);
    block[100..108].copy_from_slice(b"0000644\0");
    block[108..116].copy_from_slice(b"0000000\0");
    block[116..124].copy_from_slice(b"0000000\0");
    block[124..136].copy_from_slice(b"00000000000\0");
    block[136..148].copy_from_slice(b"00000000000\0");
    block[156] = kind;
    block[257..265].copy_from_slice(b"ustar\x0000");
    block[148..156].fill(b' ');
    let sum: u32 = block.iter().map(|b| u32::from(*b)).sum();
    block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    block
}

#[test]
fn refusals_name_the_entry_escaped() {
    let tar = [header(b"top/x\n\x1b[2K", b'1').to_vec(), vec![0; 1024]].concat();
    let err = format!(
        "{:#}",
        read_all(&gzip(&tar), Limits::default()).unwrap_err()
    );
    assert!(!err.contains('\n') && !err.contains('\x1b'), "{err:?}");
    assert!(err.contains("entry `top/x\\n\\x1b[2K`: hard link"), "{err}");
}

/// A stable-toolchain stand-in for the fuzzer (see fuzz/): thousands of mutations of a
/// valid archive (flipped bits, cuts, repeats) end in Ok or an error, never a panic.
#[test]
fn mutated_archives_never_panic() {
    let (bytes, _) = sample();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let limits = Limits {
        max_tar_bytes: 1024 * 1024,
        max_entries: 100,
    };
    let plain = gunzip(&bytes);
    for round in 0..3000 {
        // Every other round mutates the tar inside a valid gzip stream, so the tar parser
        // and the checks see the damage, not only the gzip decoder.
        let inside = round % 2 == 0;
        let mut mutated = if inside { plain.clone() } else { bytes.clone() };
        match next() % 3 {
            0 => {
                for _ in 0..1 + next() % 4 {
                    let at = (next() as usize) % mutated.len();
                    mutated[at] ^= 1 << (next() % 8);
                }
            }
            1 => mutated.truncate((next() as usize) % mutated.len()),
            _ => {
                let at = (next() as usize) % mutated.len();
                let piece = mutated[at..].to_vec();
                mutated.extend_from_slice(&piece);
            }
        }
        if inside {
            mutated = gzip(&mutated);
        }
        let _ = read_all(&mutated, limits);
    }
}

#[test]
fn an_object_id_tells_its_format_by_its_length() {
    assert_eq!(
        ObjectFormat::of_id(&"a".repeat(40)),
        Some(ObjectFormat::Sha1)
    );
    assert_eq!(
        ObjectFormat::of_id(&"0".repeat(64)),
        Some(ObjectFormat::Sha256)
    );
    for other in [
        "",
        "HEAD",
        &"a".repeat(39),
        &"g".repeat(40),
        &"a".repeat(41),
    ] {
        assert_eq!(ObjectFormat::of_id(other), None, "{other}");
    }
}
