//! One module per step of the release guide.

pub mod backport;
pub mod branch;
pub mod changelog;
pub mod doctor;
pub mod download_page;
pub mod keys;
pub mod keys_create;
pub mod license_audit;
pub mod mail;
pub mod milestone;
pub mod package;
pub mod promote;
pub mod prune;
pub mod tag;
pub mod upload;
pub mod verify;
pub mod version_files;
pub mod vote;
