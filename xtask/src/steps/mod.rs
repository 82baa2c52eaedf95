//! One module per step of the release guide.

pub mod backport;
pub mod branch;
pub mod doctor;
pub mod milestone;
pub mod package;
pub mod tag;
pub mod version_files;
