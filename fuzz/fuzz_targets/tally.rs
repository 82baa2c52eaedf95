#![no_main]
//! Any bytes as a vote thread: tallied within the limits, reported (text and JSON), or a clear
//! error; never a panic.

use camino::Utf8Path;
use libfuzzer_sys::fuzz_target;
use xtask::steps::vote::{parse_roster, report, tally};
use xtask::version::Version;

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
