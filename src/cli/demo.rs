//! `newsdesk demo`: the bundled fixture day, offline.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use chrono::NaiveDate;

use super::*;
use crate::clock::SystemClock;
use crate::config::{Config, Layout, ProcessEnv, ProviderKind};
use crate::llm::cached::CacheMode;
use crate::report::Reporter;
use crate::run::manifest::RecordedConfig;
use crate::run::{self, RunOptions};
use crate::store::StoreLocation;

/// `newsdesk demo`: the bundled (embedded) fixture day, extractive provider, offline, in a
/// temporary store unless `--store` names one; `layout` overrides the demo config's layout.
#[allow(clippy::too_many_arguments)]
pub async fn demo(
    out_dir: &Path,
    store_dir: Option<&Path>,
    layout: Option<Layout>,
    cache_mode: CacheMode,
    cassette: bool,
    reporter: &Reporter,
    json: bool,
) -> anyhow::Result<Exit> {
    let temp = tempfile::tempdir().context("cannot create a temporary directory for the demo")?;
    let unpack_error = || format!("cannot unpack the demo day into {}", temp.path().display());
    let (config_path, cassette_file) = if cassette {
        let (config, file) =
            super::bundle::unpack_cassette(temp.path()).with_context(unpack_error)?;
        (config, Some(file))
    } else {
        (
            super::bundle::unpack(temp.path()).with_context(unpack_error)?,
            None,
        )
    };
    let config = Config::load(&config_path, &ProcessEnv)?;
    let store = match store_dir {
        Some(arg) => store_arg(arg)?,
        None => StoreLocation::Dir(temp.path().join("store")),
    }
    .open()?;
    // The recorded answers of a real model: every call comes from the cassette, none from the
    // network (a miss is an error, not a call).
    let (cache_mode, provider) = match &cassette_file {
        Some(file) => {
            crate::run::cassette::import(store.as_ref(), file)?;
            (CacheMode::Replay, None)
        }
        None => (cache_mode, Some(ProviderKind::Extractive)),
    };
    let (y, m, d) = super::bundle::DEMO_DATE;
    let opts = RunOptions {
        date: NaiveDate::from_ymd_opt(y, m, d).expect("valid demo date"),
        out_dir: out_dir.to_path_buf(),
        cache_mode,
        provider,
        budget_usd: None,
        recorded_config: RecordedConfig {
            layout,
            ..crate::run::recorded_config(&config, &ProcessEnv)
        },
        replay: None,
    };
    let summary = run::run_day(&config, store, Arc::new(SystemClock), reporter, &opts).await?;
    print_summary(reporter, &summary, json);
    Ok(exit_for(&summary))
}
