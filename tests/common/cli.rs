//! The `newsdesk` binary as a test runs it: in a given directory, with none of the environment
//! overrides (key, base URL, model, store, store URL, PostgreSQL password) that would make a
//! test depend on the shell it runs in.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The checkout's root, where `fixtures/` and `evals/` are.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `newsdesk ARGS` in `cwd` and waits for it.
pub fn newsdesk(args: &[&str], cwd: &Path) -> Output {
    newsdesk_with(args, cwd, &[])
}

/// `newsdesk`, with `env` set on top of the cleared overrides (a base URL a replay needs, say).
pub fn newsdesk_with(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .args(args)
        .current_dir(cwd)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("NEWSDESK_MODEL")
        .env_remove("NEWSDESK_STORE")
        .env_remove("NEWSDESK_STORE_URL")
        .env_remove("PGPASSWORD")
        .envs(env.iter().copied())
        .output()
        .expect("the newsdesk binary runs")
}
