//! One module per step of the release guide.

pub mod backport;
pub mod branch;
pub mod doctor;
pub mod keys;
pub mod milestone;
pub mod package;
pub mod promote;
pub mod prune;
pub mod tag;
pub mod upload;
pub mod verify;
pub mod version_files;
