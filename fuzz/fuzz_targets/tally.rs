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

//! Any bytes as a vote thread (MIME parts, encoded words, mbox `From ` lines, the list's and the
//! ASF's servers' headers included): tallied within the limits, reported (text and JSON), or a
//! clear error; never a panic.

use camino::Utf8Path;
use libfuzzer_sys::fuzz_target;
use asf_release::tally::{parse_roster, report, tally};
use asf_release::version::Version;

fuzz_target!(|bytes: &[u8]| {
    let path = Utf8Path::new("fuzz.mbox");
    let (Ok(roster), Ok(version)) = (
        parse_roster(path, "rm\nalice\nbob\n", "demo"),
        "1.0.0".parse::<Version>(),
    ) else {
        return;
    };
    for rc in [0, 1] {
        if let Ok(tally) = tally(path, bytes, Some(&roster), &version, rc, None, 1_714_979_289) {
            let _ = report::text(&tally, true);
            let _ = report::json(&tally);
        }
    }
});
