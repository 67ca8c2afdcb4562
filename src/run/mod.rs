//! One night's run as a list of named, timed steps — collect → window → triage → cluster →
//! memory → rank → cards → more → insight → render → lint → publish — each a function in
//! `steps.rs`. In: a validated `Config`, a store, a clock and the run options, turned once into
//! a `Plan`; out: the digest files and the night's two records, the `RunManifest` (replay) and
//! the `RunSummary` (the operator), built in `record.rs` from what the steps tallied. A day with
//! too few cards publishes nothing.

pub mod cassette;
pub mod keep;
pub mod manifest;
pub mod memory;
pub mod plan;
pub mod publish;
mod record;
mod steps;
pub mod summary;

pub use plan::{ModelPlan, Plan, recorded_config};
pub use summary::{RunStatus, RunSummary, SourceLine, StepTiming};

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::clock::Clock;
use crate::config::{Config, ProviderKind};
use crate::llm::cached::CacheMode;
use crate::model::{Digest, Generator};
use crate::progress::Progress;
use crate::store::Store;
use manifest::{MemoryRecord, RecordedConfig, RunManifest};
use steps::Night;

/// What the command line asks of one run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub date: NaiveDate,
    pub out_dir: PathBuf,
    pub cache_mode: CacheMode,
    /// Overrides `provider.kind`.
    pub provider: Option<ProviderKind>,
    /// Overrides `limits.budget_usd`.
    pub budget_usd: Option<f64>,
    /// The config as read, kept in the manifest so the run can be replayed from the store alone.
    pub recorded_config: RecordedConfig,
    /// Set by `newsdesk replay`: rebuild a recorded run instead of making a new one.
    pub replay: Option<ReplayInput>,
}

/// What a replay takes from the manifest instead of from the sources and the provider.
#[derive(Debug, Clone)]
pub struct ReplayInput {
    pub run_id: String,
    /// The night's articles, read back from the store's `articles` tree.
    pub articles: Vec<crate::model::Article>,
    /// The recorded provider id: cache keys name it, and no call is made under it.
    pub provider: crate::llm::ProviderId,
    /// Cross-day memory's recorded decisions (`None` for manifests from before they were
    /// recorded: the earlier digests are then read from `recorded_out_dir`).
    pub memory: Option<MemoryRecord>,
    /// The directory the recorded run wrote to.
    pub recorded_out_dir: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(
        "no articles published between {start} and {end} from {sources} source(s); nothing to publish (check the sources above, or pick another --date)"
    )]
    NoArticles {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        sources: usize,
    },
    #[error(
        "only {cards} card(s) succeeded, fewer than digest.min_topics = {min}; nothing was published. Topics without a card:\n{failures}"
    )]
    TooFewCards {
        cards: usize,
        min: usize,
        failures: String,
    },
    #[error("{0}; nothing was published and the store keeps what it had")]
    ProviderDown(String),
    #[error(transparent)]
    Prompt(#[from] crate::write::prompts::PromptError),
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    #[error(transparent)]
    Provider(#[from] crate::llm::LlmError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

/// The `[start, end)` a digest for `date` covers: `window_hours` before the cut-off, which is
/// `cutoff` on `date` in `tz`, or the end of `date` when no cut-off is set.
pub fn window(
    date: NaiveDate,
    tz: chrono_tz::Tz,
    cutoff: Option<NaiveTime>,
    window_hours: u32,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let local_end = match cutoff {
        Some(time) => date.and_time(time),
        None => (date + Duration::days(1)).and_time(NaiveTime::MIN),
    };
    // A cut-off inside a DST gap has no local time; the earliest valid instant after it is used.
    let end = tz
        .from_local_datetime(&local_end)
        .earliest()
        .unwrap_or_else(|| tz.from_utc_datetime(&local_end))
        .with_timezone(&Utc);
    (end - Duration::hours(i64::from(window_hours)), end)
}

/// Runs one digest day end to end and records it (the manifest goes to the store and beside the
/// digest); returns the run report.
pub async fn run_day(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    progress: &dyn Progress,
    opts: &RunOptions,
) -> Result<RunSummary, RunError> {
    Ok(run_pipeline(config, store, clock, progress, opts).await?.0)
}

/// The pipeline itself: the run report and the manifest of what it read, asked and wrote.
pub async fn run_pipeline(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    progress: &dyn Progress,
    opts: &RunOptions,
) -> Result<(RunSummary, RunManifest), RunError> {
    let plan = Plan::new(config, opts)?;
    let mut night = Night::start(progress, clock.now());

    let articles = steps::gather(&plan, &store, &mut night).await?;
    let (provider, telemetry) = plan.stack(store.clone(), clock.clone())?;
    let run_id = plan.run_id(&night.article_refs);
    let articles = steps::triage(&plan, &provider, articles, &mut night).await?;
    let stories = steps::cluster(articles, &mut night);
    let stories = steps::remember(&plan, stories, &mut night);
    let ranked = steps::rank(&plan, stories, &mut night);

    let continuing = night.memory.continuing.clone();
    let writer = plan
        .model
        .writer(config, &plan.prompts, &provider, &continuing);
    let cards = steps::cards(
        &plan,
        &writer,
        &ranked.topics,
        (&provider, &telemetry),
        &mut night,
    )
    .await?;
    let more = steps::more(
        &writer,
        &ranked.beyond_max,
        config.limits.context_tokens,
        &mut night,
    )
    .await?;
    let insight = steps::insight(&plan, &writer, &cards.cards, &mut night).await?;
    night.generated_at = clock.now();

    let digest = Digest {
        date: opts.date,
        title: config.digest.title.clone(),
        language: config.digest.language,
        // The digest's own time, not the wall clock: Hugo files a backfilled day under its
        // date, and two runs of the same inputs write the same bytes.
        generated_at: digest_time(opts.date, config.digest.timezone, config.digest.cutoff)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        window_hours: config.digest.window_hours,
        generator: Generator {
            provider: plan.model.provider.kind.name().to_string(),
            model: plan.model.settings.model.clone(),
            run: run_id,
        },
        topic_count: cards.cards.len(),
        cards: cards.cards,
        insight,
        article_count: night.articles_unique,
        failed: cards.failed,
        more: more.stories,
    };
    let (rendered, lint) = steps::render_and_lint(&plan, &digest, &ranked.topics, &mut night)?;
    // A stage that swallowed a store error (a missing insight, say) must not publish a digest
    // the store could not record: on PostgreSQL this fails once the connection is gone.
    store.flush()?;
    let outputs = publish::write_digest(&opts.out_dir, &digest, &rendered)?;

    let calls = record::priced_calls(&plan, &provider.ledger(), &night);
    let seen = telemetry.snapshot();
    for step in &seen.fallbacks {
        progress.warn(&format!(
            "structured output: {} → {} for the rest of the run ({})",
            step.from, step.to, step.reason
        ));
    }
    let manifest = record::manifest(
        &plan,
        &night,
        &digest,
        &provider,
        calls.clone(),
        &seen,
        outputs,
    );
    if plan.replay().is_none() {
        publish::write_manifest(store.as_ref(), &opts.out_dir, &manifest)?;
    }
    // Last, so the wall time counts recording the night too.
    let summary = record::summary(&plan, &night, &digest, &calls, seen, &lint);
    Ok((summary, manifest))
}

/// The digest's own time: its cut-off on `date` in `tz`, or the last second of `date` when no
/// cut-off is set (midnight would name the next day). What the front matter and footer show.
pub fn digest_time(
    date: NaiveDate,
    tz: chrono_tz::Tz,
    cutoff: Option<NaiveTime>,
) -> DateTime<chrono_tz::Tz> {
    let local =
        date.and_time(cutoff.unwrap_or(NaiveTime::from_hms_opt(23, 59, 59).expect("valid time")));
    tz.from_local_datetime(&local)
        .earliest()
        .unwrap_or_else(|| tz.from_utc_datetime(&local))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_ends_at_local_midnight_or_the_cutoff() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let (start, end) = window(date, chrono_tz::Asia::Taipei, None, 24);
        assert_eq!(end.to_rfc3339(), "2026-01-05T16:00:00+00:00");
        assert_eq!(start.to_rfc3339(), "2026-01-04T16:00:00+00:00");
        let (start, end) = window(date, chrono_tz::UTC, NaiveTime::from_hms_opt(6, 30, 0), 48);
        assert_eq!(end.to_rfc3339(), "2026-01-05T06:30:00+00:00");
        assert_eq!(start.to_rfc3339(), "2026-01-03T06:30:00+00:00");
    }
}
