//! Source archives: the reproducible writer, the untrusted reader, and the content rules both
//! `package` and `verify` apply.

pub mod checks;
pub mod checksum;
pub mod excludes;
pub mod gzip;
pub mod license;
pub mod listing;
pub mod paths;
pub mod reader;
pub mod selection;
pub mod writer;
