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

//! Any bytes as a candidate tarball: read within the limits, checked by the shared rules, or
//! a clear error; never a panic, never a write.

use libfuzzer_sys::fuzz_target;
use asf_release::archive::checks::{wants_whole, Checker, Rules};
use asf_release::archive::excludes::Excludes;
use asf_release::archive::reader::{read_archive, Hashing, Limits, ObjectFormat};

fuzz_target!(|bytes: &[u8]| {
    let Ok(nothing) = Excludes::new(&[], "fuzz") else {
        return;
    };
    let mut checker = Checker::new(Rules {
        top_dir: "apache-demo-1.0.0-src".into(),
        top_dir_alternative: None,
        incubating: false,
        binary_allow: nothing.clone(),
        license_header_excludes: nothing,
    });
    let limits = Limits {
        max_tar_bytes: 16 * 1024 * 1024,
        max_entries: 10_000,
    };
    let _ = read_archive(bytes, Hashing::everything(ObjectFormat::Sha1), limits, &wants_whole, &mut |entry| {
        checker.visit(&entry);
        Ok(())
    });
    let _ = checker.finish();
});
