//! TODO
pub mod script;
