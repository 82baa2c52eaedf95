//! One module per step of the release guide.

pub mod doctor;
pub mod keys;
pub mod package;
pub mod promote;
pub mod prune;
pub mod upload;
pub mod verify;
