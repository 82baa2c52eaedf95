//! One module per step of the release guide.

pub mod changelog;
pub mod doctor;
pub mod download_page;
pub mod mail;
pub mod package;
pub mod vote;
