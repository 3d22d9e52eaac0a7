//! The page's hooks: its state, inspection off the input handler, and
//! keeping the work across reloads.

mod use_app_state;
mod use_inspection;
mod use_persistence;

pub use use_app_state::use_app_state;
pub use use_inspection::use_inspection;
pub use use_persistence::use_persistence;
