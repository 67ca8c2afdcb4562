//! `newsdesk run`: one digest day from the configured sources, then delivery to the configured
//! targets. In: the config and the command line; out: the digest files and the night's report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::NaiveDate;

use super::*;
use crate::clock::{Clock, SystemClock};
use crate::config::{Config, Layout, ProcessEnv, ProviderKind};
use crate::llm::cached::CacheMode;
use crate::report::Reporter;
use crate::run::manifest::RecordedConfig;
use crate::run::{self, RunOptions, RunSummary};

/// What `newsdesk run` prints: the run's summary, then one line per `[[deliver]]` target that
/// wanted tonight's event (none without targets).
#[derive(serde::Serialize)]
struct NightReport<'a> {
    #[serde(flatten)]
    summary: &'a RunSummary,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    deliveries: Vec<crate::deliver::DeliveryLine>,
}

impl NightReport<'_> {
    fn render(&self) -> String {
        let mut out = self.summary.render();
        for line in &self.deliveries {
            out.push_str(&format!("  delivery   {}\n", line.render()));
        }
        out
    }
}

/// Arguments of `newsdesk run`.
pub struct RunArgs {
    pub date: Option<NaiveDate>,
    pub out_dir: Option<PathBuf>,
    pub provider: Option<ProviderKind>,
    pub cache_mode: CacheMode,
    pub budget_usd: Option<f64>,
    /// Overrides `digest.layout` (recorded in the manifest).
    pub layout: Option<Layout>,
    pub json: bool,
}

/// `newsdesk run`: one digest day from the configured sources.
pub async fn run(
    config: &Config,
    store_dir: Option<&Path>,
    args: RunArgs,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    require_key_unless_replay(config, args.provider, args.cache_mode)?;
    let store = open_store(config, store_dir)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let date = args.date.unwrap_or_else(|| {
        clock
            .now()
            .with_timezone(&config.digest.timezone)
            .date_naive()
    });
    let _writer = store.lock_run(&run_scope(config, args.layout, date))?;
    let opts = RunOptions {
        date,
        out_dir: args
            .out_dir
            .unwrap_or_else(|| config.digest.out_dir.clone()),
        cache_mode: args.cache_mode,
        provider: args.provider,
        budget_usd: args.budget_usd,
        recorded_config: RecordedConfig {
            layout: args.layout,
            ..crate::run::recorded_config(config, &ProcessEnv)
        },
        replay: None,
    };
    let outcome = run::run_day(config, store.clone(), clock.clone(), reporter, &opts).await;
    // After the files are written (or the run failed): the digest or a failure notice goes to
    // the targets that want it. A delivery failure never changes the files; it makes exit 3.
    let failure = outcome.as_ref().err().map(ToString::to_string);
    let deliveries = crate::deliver::after_run(
        config,
        date,
        outcome
            .as_ref()
            .map_err(|_| failure.as_deref().unwrap_or_default()),
        store.as_ref(),
        clock.as_ref(),
        reporter,
    )
    .await;
    let summary = outcome?;
    let night = NightReport {
        summary: &summary,
        deliveries,
    };
    if args.json {
        reporter.output(&serde_json::to_string_pretty(&night).expect("summaries serialize"));
    } else {
        reporter.output(&night.render());
    }
    Ok(match exit_for(&summary) {
        Exit::Ok if crate::deliver::any_failed(&night.deliveries) => Exit::Partial,
        exit => exit,
    })
}
