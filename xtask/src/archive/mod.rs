//! Source archives: the reproducible writer, the untrusted reader, and the content rules both
//! `package` and `verify` apply.

pub mod checks;
pub mod excludes;
pub mod gzip;
pub mod reader;
pub mod selection;
pub mod writer;
