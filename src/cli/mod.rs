//! The commands of the CLI contract (DESIGN §11), one file each. In: parsed arguments and the
//! loaded config; out: files, output through the reporter, and an `Exit` the binary maps to its
//! exit code. The arguments themselves are `args.rs`; the binary's `main.rs` only parses them and
//! calls these.

mod args;
mod bundle;
mod cache;
mod cluster;
mod collect;
mod deliver;
mod demo;
mod eval;
mod lint;
mod replay;
mod run;
mod runs;
mod store;
mod weekly;
pub use args::{CacheCommand, Cli, Command, RunsCommand, StoreCommand};
pub use cache::{CacheAction, CacheStats, TreeStats, cache, stats};
pub use cluster::{ClusterOptions, cluster};
pub use collect::collect;
pub use deliver::{DeliverArgs, deliver};
pub use demo::demo;
pub use eval::eval;
pub use lint::lint;
pub use replay::replay;
pub use run::{RunArgs, run};
pub use runs::{RunsAction, RunsArgs, runs};
pub use store::migrate;
pub use weekly::{WeeklyArgs, weekly};

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;

use crate::config::{Config, Env, Layout, ProcessEnv, ProviderKind};
use crate::llm::cached::CacheMode;
use crate::progress::Progress;
use crate::report::Reporter;
use crate::run::{RunStatus, RunSummary};
use crate::store::{Store, StoreLocation};

/// Process exit codes (DESIGN §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Error = 1,
    Usage = 2,
    Partial = 3,
}

fn exit_for(summary: &RunSummary) -> Exit {
    match summary.status {
        RunStatus::Ok => Exit::Ok,
        RunStatus::Partial => Exit::Partial,
        RunStatus::LintFailed => Exit::Error,
    }
}

fn print_summary(reporter: &Reporter, summary: &RunSummary, json: bool) {
    if json {
        reporter.output(&serde_json::to_string_pretty(summary).expect("summaries serialize"));
    } else {
        reporter.output(&summary.render());
    }
}

/// `--store`: a directory, or a `postgres://` URL (password from it or `PGPASSWORD`).
pub fn store_arg(arg: &Path) -> anyhow::Result<StoreLocation> {
    match arg.to_str() {
        Some(text) => Ok(StoreLocation::parse(
            text,
            ProcessEnv.var(crate::config::PG_PASSWORD),
        )?),
        None => Ok(StoreLocation::Dir(arg.to_path_buf())),
    }
}

/// The store a command works on: `--store` when given, else the config's (`store.url`,
/// `store.path`, or their environment overrides).
pub fn store_location(
    config: &Config,
    store_arg_given: Option<&Path>,
) -> anyhow::Result<StoreLocation> {
    match store_arg_given {
        Some(arg) => store_arg(arg),
        None => Ok(config.store.location()),
    }
}

fn open_store(config: &Config, store_dir: Option<&Path>) -> anyhow::Result<Arc<dyn Store>> {
    Ok(store_location(config, store_dir)?.open()?)
}

/// What one writer at a time may produce: this config's digest in this layout, for this day.
pub fn run_scope(config: &Config, layout: Option<Layout>, date: NaiveDate) -> String {
    format!(
        "digest \"{}\" (config {}, layout {}) for {date}",
        config.digest.title,
        &config.hash[..config.hash.len().min(12)],
        layout.unwrap_or(config.digest.layout).name()
    )
}

/// A replay never reaches the network, so only a command that may call the provider needs a key.
fn require_key_unless_replay(
    config: &Config,
    provider: Option<ProviderKind>,
    cache_mode: CacheMode,
) -> anyhow::Result<()> {
    if cache_mode != CacheMode::Replay {
        config.require_api_key(provider.unwrap_or(config.provider.kind))?;
    }
    Ok(())
}
