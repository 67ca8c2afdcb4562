//! TODO
pub mod url;
