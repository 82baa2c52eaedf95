//! One module per step of the release guide.

pub mod doctor;
pub mod package;
pub mod verify;
