#![no_main]
//! Any Cargo.toml text: a configuration or a clear error; never a panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = xtask::config::parse(
        camino::Utf8Path::new("/repo"),
        camino::Utf8Path::new("/repo/Cargo.toml"),
        text,
    );
});
