#![no_main]
//! Any bytes as a candidate tarball: read within the limits, checked by the shared rules, or
//! a clear error; never a panic, never a write.

use libfuzzer_sys::fuzz_target;
use xtask::archive::checks::{wants_whole, Checker, Rules};
use xtask::archive::excludes::Excludes;
use xtask::archive::reader::{read_archive, Limits, ObjectFormat};

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
    let _ = read_archive(bytes, ObjectFormat::Sha1, limits, &wants_whole, &mut |entry| {
        checker.visit(&entry);
        Ok(())
    });
    let _ = checker.finish();
});
