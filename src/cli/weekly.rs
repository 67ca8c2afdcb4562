//! `newsdesk weekly`: the roll-up of one ISO week of runs in the store.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::clock::SystemClock;
use crate::config::{Config, ProviderKind};
use crate::llm::cached::CacheMode;
use crate::report::Reporter;

/// Arguments of `newsdesk weekly`.
pub struct WeeklyArgs {
    pub week: Option<crate::weekly::IsoWeek>,
    pub out_dir: Option<PathBuf>,
    pub provider: Option<ProviderKind>,
    pub cache_mode: CacheMode,
    pub json: bool,
}

/// `newsdesk weekly`: the roll-up of one ISO week of runs in the store.
pub async fn weekly(
    config: &Config,
    store_dir: Option<&Path>,
    args: WeeklyArgs,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    require_key_unless_replay(config, args.provider, args.cache_mode)?;
    let store = open_store(config, store_dir)?;
    let opts = crate::weekly::WeeklyOptions {
        week: args.week,
        out_dir: args
            .out_dir
            .unwrap_or_else(|| config.digest.out_dir.clone()),
        cache_mode: args.cache_mode,
        provider: args.provider,
    };
    let summary =
        crate::weekly::roll_up(config, store, Arc::new(SystemClock), reporter, &opts).await?;
    if args.json {
        reporter.output(&serde_json::to_string_pretty(&summary).expect("summaries serialize"));
    } else {
        reporter.output(&summary.render());
    }
    Ok(if summary.lint_errors > 0 {
        Exit::Error
    } else if summary.is_partial() {
        Exit::Partial
    } else {
        Exit::Ok
    })
}
