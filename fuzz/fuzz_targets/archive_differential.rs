#![no_main]
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

//! The differential invariant of tests/archive_differential.rs under mutation: any bytes as
//! an uncompressed tar (seeds: `seeds/archive_differential`, archives of real writers), the
//! checksum of every header recomputed so that mutated fields reach the parser; whenever
//! `verify`'s reader and path rules accept it, GNU tar must unpack exactly the reported tree.
//! A difference is a crash. Needs GNU tar on PATH; runs one `tar` per accepted input.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/tarcorpus/tree.rs"]
mod tree;

use tree::{differences, reported, Extractor};

/// Walks the headers as a reader would (size from the octal field, data padded to blocks)
/// and writes each one's checksum.
fn fix_checksums(bytes: &[u8]) -> Vec<u8> {
    let mut tar = bytes.to_vec();
    let mut at = 0;
    while at + 512 <= tar.len() {
        let block = &mut tar[at..at + 512];
        if block.iter().all(|b| *b == 0) {
            break;
        }
        block[148..156].fill(b' ');
        let sum: u32 = block.iter().map(|b| u32::from(*b)).sum();
        block[148..156].copy_from_slice(format!("{:06o}\0 ", sum & 0o777777).as_bytes());
        let size = std::str::from_utf8(&block[124..135])
            .ok()
            .and_then(|text| u64::from_str_radix(text.trim_matches([' ', '\0']), 8).ok())
            .unwrap_or(0);
        at += 512 + (size.div_ceil(512) * 512).min(tar.len() as u64) as usize;
    }
    tar
}

fn scratch() -> PathBuf {
    static RUN: AtomicU64 = AtomicU64::new(0);
    std::env::temp_dir().join(format!(
        "xtask-fuzz-{}-{}",
        std::process::id(),
        RUN.fetch_add(1, Ordering::Relaxed)
    ))
}

fuzz_target!(|bytes: &[u8]| {
    let tar = fix_checksums(bytes);
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::none());
    if gzip.write_all(&tar).is_err() {
        return;
    }
    let Ok(tgz) = gzip.finish() else { return };
    let Ok(tree) = reported(&tgz) else { return };
    let dir = scratch();
    let file = dir.join("archive.tgz");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    std::fs::write(&file, &tgz).expect("scratch file");
    let unpacked = Extractor::GnuTar.unpack(&file, &dir.join("sandbox"));
    let _ = std::fs::remove_dir_all(&dir);
    match unpacked {
        Err(err) => panic!("the reader accepts it, GNU tar: {err}\nreported: {tree:?}"),
        Ok(unpacked) => {
            let lines = differences(&tree, &unpacked);
            assert!(lines.is_empty(), "GNU tar unpacks another tree: {lines:?}");
        }
    }
});
