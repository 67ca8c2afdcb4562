//! TODO
pub mod labels;
pub mod script;
