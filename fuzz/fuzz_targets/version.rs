#![no_main]
//! Any text: a version, a line or an rc number, or a clear error; never a panic.

use libfuzzer_sys::fuzz_target;
use xtask::version::{fill, parse_rc, Line, Version};

fuzz_target!(|text: &str| {
    if let Ok(version) = text.parse::<Version>() {
        // What parses prints back the same.
        assert_eq!(version.to_string(), text);
    }
    let _ = text.parse::<Line>();
    let _ = parse_rc(text);
    let _ = fill(text, &[("name", "demo"), ("version", "1.0.0")]);
});
