//! The `newsdesk` binary as a test runs it: in a given directory, with none of the environment
//! overrides (key, base URL, model, store, store URL, PostgreSQL password) that would make a
//! test depend on the shell it runs in.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

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
    command(args, cwd, env)
        .output()
        .expect("the newsdesk binary runs")
}

/// `newsdesk ARGS` in `cwd` with the overrides cleared and `env` set, stdout and stderr piped:
/// for a test that starts it and waits (or kills it) later.
pub fn spawn(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Child {
    command(args, cwd, env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the newsdesk binary starts")
}

/// `--config CONFIG --store STORE -q run --date 2026-01-05 --out OUT --json`: the fixture day,
/// quiet, its summary on stdout.
pub fn fixture_run_args(config: &Path, store: &str, out: &str) -> Vec<String> {
    let config = config.to_str().expect("a UTF-8 config path");
    [
        "--config",
        config,
        "--store",
        store,
        "-q",
        "run",
        "--date",
        "2026-01-05",
        "--out",
        out,
        "--json",
    ]
    .map(String::from)
    .to_vec()
}

fn command(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_newsdesk"));
    command
        .args(args)
        .current_dir(cwd)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("NEWSDESK_MODEL")
        .env_remove("NEWSDESK_STORE")
        .env_remove("NEWSDESK_STORE_URL")
        .env_remove("PGPASSWORD")
        .envs(env.iter().copied());
    command
}
