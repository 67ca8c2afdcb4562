//! Helpers shared by the integration tests. Each test binary compiles this module on its own and
//! uses a subset of it, hence the `dead_code` allowance in the parts.

pub mod chromium;
pub mod cli;
pub mod digest;
pub mod sim;
