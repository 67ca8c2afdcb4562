//! One night's run as a flat function of named, timed steps: collect → window → cluster → rank →
//! cards → insight → render → lint → publish (files and manifest, `publish.rs`). In: a validated `Config`, a store, a clock
//! and the run options; out: the digest files and a `RunSummary` (the run report is a byproduct
//! of the steps, not a second pass). A day with too few cards publishes nothing.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::cluster::{self, ClusterParams, RankParams};
use crate::collect::{self, CollectContext, HttpOptions, SourceReport};
use crate::config::{Config, Layout, ProviderKind};
use crate::lint;
use crate::llm::budget::cost_usd;
use crate::llm::cached::CacheMode;
use crate::llm::{self, Provider};
use crate::manifest::{
    self, ArticleRef, CallLine, CardLine, MemoryRecord, RecordedConfig, RepeatedLine, RunManifest,
    StoryMembership, TopicLine,
};
use crate::model::{Digest, Generator};
use crate::publish;
use crate::render::{self, RenderOptions};
use crate::report::{Reporter, RunSummary, SourceLine, StageProgress};
use crate::store::{Store, Tree};
use crate::triage::Triage;
use crate::write::insight::{InsightOutcome, empty_insight};
use crate::write::prompts::Prompts;
use crate::write::{CallSettings, Writer};

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

/// Today's stories split by cross-day memory.
struct Split {
    /// New stories and follow-ups, in story order: what gets ranked.
    kept: Vec<crate::model::Story>,
    /// Stories an earlier digest already told, for the report.
    repeated: Vec<crate::model::Story>,
}

/// Cross-day memory: stories an earlier digest told are dropped, or kept as follow-ups. A run
/// reads the earlier digests in its out dir and records what it decided; a replay applies the
/// recorded decisions, so it depends neither on those files nor on where it writes.
fn cross_day_memory(
    stories: Vec<crate::model::Story>,
    config: &Config,
    opts: &RunOptions,
) -> (Split, MemoryRecord) {
    if let Some(record) = opts.replay.as_ref().and_then(|r| r.memory.clone()) {
        let (repeated, kept) = stories
            .into_iter()
            .partition(|s| record.repeated.iter().any(|r| r.story == s.id));
        return (Split { kept, repeated }, record);
    }
    let dir = opts
        .replay
        .as_ref()
        .and_then(|r| r.recorded_out_dir.as_deref())
        .unwrap_or(&opts.out_dir);
    let previous = collect::memory::previous_digests(dir, opts.date, config.collect.memory_days);
    let remembered =
        collect::memory::remember(stories, &previous, config.collect.memory_follow_ups);
    let record = MemoryRecord {
        digests: previous
            .iter()
            .map(|d| {
                let bytes = serde_json::to_vec(d).expect("digests serialize");
                (d.date, blake3::hash(&bytes).to_hex().to_string())
            })
            .collect(),
        repeated: remembered
            .repeated
            .iter()
            .map(|r| RepeatedLine {
                story: r.story.id.clone(),
                date: r.date,
                why: r.why.to_string(),
            })
            .collect(),
        continuing: remembered.continuing,
    };
    let split = Split {
        kept: remembered.stories,
        repeated: remembered.repeated.into_iter().map(|r| r.story).collect(),
    };
    (split, record)
}

/// How the run ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Every topic got a card and the digest is lint-clean.
    Ok,
    /// Some topics (or the insight) failed; the digest was still written.
    Partial,
    /// The digest was written for inspection but has lint errors.
    LintFailed,
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
    #[error("\"{0}\" is not a layout (expected daily, speedread or brief)")]
    Layout(String),
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepTiming {
    pub step: String,
    pub ms: u64,
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

struct Steps {
    started: Instant,
    timings: Vec<StepTiming>,
}

impl Steps {
    fn time<T>(&mut self, name: &str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.timings.push(StepTiming {
            step: name.to_string(),
            ms: start.elapsed().as_millis() as u64,
        });
        out
    }

    async fn time_async<T>(&mut self, name: &str, f: impl std::future::Future<Output = T>) -> T {
        let start = Instant::now();
        let out = f.await;
        self.timings.push(StepTiming {
            step: name.to_string(),
            ms: start.elapsed().as_millis() as u64,
        });
        out
    }
}

/// Runs one digest day end to end and records it (the manifest goes to the store and beside the
/// digest); returns the run report.
pub async fn run_day(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    reporter: &Reporter,
    opts: &RunOptions,
) -> Result<RunSummary, RunError> {
    Ok(run_pipeline(config, store, clock, reporter, opts).await?.0)
}

/// The pipeline itself: the run report and the manifest of what it read, asked and wrote.
pub async fn run_pipeline(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    reporter: &Reporter,
    opts: &RunOptions,
) -> Result<(RunSummary, RunManifest), RunError> {
    let mut steps = Steps {
        started: Instant::now(),
        timings: Vec::new(),
    };
    let started_at = clock.now();
    let prompts = Prompts::load(config.digest.prompts_dir.as_deref())?;
    let layout = match opts.recorded_config.layout.as_deref() {
        Some(name) => Layout::from_name(name).ok_or_else(|| RunError::Layout(name.to_string()))?,
        None => config.digest.layout,
    };
    let template_hashes = manifest::template_hashes(config.digest.templates_dir.as_deref());

    let (articles, reports, sources_unhealthy) = match &opts.replay {
        // A replay reads the night's articles from the store; nothing is fetched.
        Some(replay) => (replay.articles.clone(), Vec::new(), false),
        None => {
            reporter.step(&format!("collecting {} source(s)", config.sources.len()));
            let http = HttpOptions::from_config(&config.collect);
            let progress = |done: usize, total: usize| reporter.progress("sources", done, total);
            let collect_cx = CollectContext {
                http: &http,
                now: Some(started_at),
                store: Some(store.as_ref()),
                progress: Some(&progress),
            };
            let collected = steps
                .time_async(
                    "collect",
                    collect::collect_sources(&config.sources, &collect_cx),
                )
                .await;
            collect::report_sources(&collected, reporter);
            let unhealthy = collected.is_unhealthy(config.collect.tolerate_failed_sources);
            (collected.articles, collected.reports, unhealthy)
        }
    };
    let articles_collected = articles.len();

    let (start, end) = window(
        opts.date,
        config.digest.timezone,
        config.digest.cutoff,
        config.digest.window_hours,
    );
    let in_window = collect::in_window(articles, start, end);
    if in_window.is_empty() {
        return Err(RunError::NoArticles {
            start,
            end,
            sources: config.sources.len(),
        });
    }
    let article_refs: Vec<ArticleRef> = in_window
        .iter()
        .map(|a| ArticleRef {
            id: a.id.clone(),
            blake3: manifest::article_hash(a),
        })
        .collect();
    if opts.replay.is_none() {
        // Keyed by content, so a later edit of the same article never rewrites what an older
        // run read; flushed now so a run killed in the card stage can be replayed up to it.
        let keys = article_refs.iter().map(|r| r.blake3.as_bytes());
        let batch = crate::store::Batch::IfAbsent;
        crate::store::put_json(store.as_ref(), Tree::Articles, batch, keys.zip(&in_window))?;
        store.flush()?;
    }
    let articles_in_window = in_window.len();

    let provider_kind = opts.provider.unwrap_or(config.provider.kind);
    let mut provider_config = config.provider.clone();
    provider_config.kind = provider_kind;
    let mut limits = config.limits.clone();
    if let Some(budget) = opts.budget_usd {
        limits.budget_usd = budget;
    }
    let (provider, telemetry) = match &opts.replay {
        Some(replay) => (
            llm::cached::Cached::new(
                Box::new(llm::cached::Offline::new(replay.provider.clone())) as Box<dyn Provider>,
                store.clone(),
                CacheMode::Replay,
                clock.clone(),
            ),
            Arc::new(llm::telemetry::Telemetry::default()),
        ),
        None => llm::build_observed_stack(
            &provider_config,
            &limits,
            &config.pricing,
            store.clone(),
            opts.cache_mode,
            clock.clone(),
        )?,
    };
    let settings = CallSettings::for_provider(&provider_config);
    let model_name = settings.model.clone();
    let config_hash = manifest::effective_config_hash(
        &config.hash,
        provider_kind_name(provider_kind),
        &provider_config.base_url,
        &model_name,
        limits.budget_usd,
        opts.recorded_config.layout.as_deref(),
    );
    let run_id = match &opts.replay {
        Some(replay) => replay.run_id.clone(),
        None => manifest::derive_run_id(
            opts.date,
            &article_refs,
            &config_hash,
            prompts.hashes(),
            &template_hashes,
        ),
    };

    // Optional LLM triage: drops what a model judges off-topic before clustering.
    let (in_window, triaged_out) = if config.triage.enabled {
        reporter.step(&format!(
            "triaging {articles_in_window} article(s) with {}",
            provider.id()
        ));
        let triage = Triage {
            prompts: &prompts,
            provider: &provider,
            settings: &settings,
            language: config.digest.language,
            section_ids: config
                .digest
                .sections
                .iter()
                .map(|s| s.id.clone())
                .collect(),
            batch_size: config.triage.batch_size,
        };
        let triaged = steps.time_async("triage", triage.run(in_window)).await?;
        for dropped in &triaged.dropped {
            reporter.detail(&format!(
                "triage dropped \"{}\": {}",
                dropped.title, dropped.reason
            ));
        }
        for failed in &triaged.failed_batches {
            reporter.warn(&format!("triage kept a whole batch: {failed}"));
        }
        (triaged.kept, triaged.dropped.len())
    } else {
        (in_window, 0)
    };
    if in_window.is_empty() {
        return Err(RunError::NoArticles {
            start,
            end,
            sources: config.sources.len(),
        });
    }

    reporter.step(&format!("clustering {} article(s)", in_window.len()));
    let stories = steps.time("cluster", || {
        cluster::cluster(in_window, &ClusterParams::default())
    });
    let articles_unique: usize = stories.iter().map(|s| s.articles.len()).sum();
    let story_count = stories.len();
    let rank_params = RankParams {
        max_topics: config.digest.max_topics,
        focus_topics: config.digest.focus_topics,
        now: end,
        min_relevance: RankParams::DEFAULT_MIN_RELEVANCE,
        weights: config.digest.ranking.clone(),
    };
    let memberships: Vec<StoryMembership> = stories
        .iter()
        .map(|s| StoryMembership {
            id: s.id.clone(),
            articles: s.articles.iter().map(|a| a.id.clone()).collect(),
        })
        .collect();
    let (remembered, memory) = steps.time("memory", || cross_day_memory(stories, config, opts));
    for line in &memory.repeated {
        let title = remembered
            .repeated
            .iter()
            .find(|s| s.id == line.story)
            .and_then(|s| s.articles.first())
            .map(|a| a.title.as_str())
            .unwrap_or_default();
        reporter.detail(&format!(
            "already published on {}: \"{title}\" ({})",
            line.date, line.why
        ));
    }
    let stories_repeated = memory.repeated.len();
    let previously = memory.continuing.clone();
    let ranked = steps.time("rank", || cluster::rank(remembered.kept, &rank_params));
    let topics = ranked.topics;
    let beyond_max: Vec<crate::model::Story> = ranked
        .beyond_max
        .iter()
        .map(|(story, _)| story.clone())
        .collect();
    reporter.detail(&format!(
        "{} stories, {} off-topic, {} topics, {} beyond max_topics",
        story_count,
        ranked.off_topic.len(),
        topics.len(),
        ranked.beyond_max.len()
    ));
    for (story, score) in &ranked.beyond_max {
        let title = story.articles.first().map_or("", |a| a.title.as_str());
        reporter.detail(&format!(
            "  beyond max_topics: {} (score {score:.2}, {} article(s)) {title}",
            story.id,
            story.articles.len()
        ));
    }

    reporter.step(&format!(
        "writing {} card(s) with {}",
        topics.len(),
        provider.id()
    ));
    let writer = Writer::new(config, &prompts, &provider, &settings, &previously);
    let progress = |done: usize, total: usize| {
        let seen = telemetry.snapshot();
        reporter.stage_progress(
            "cards",
            &StageProgress {
                done,
                total,
                cache_hits: provider.ledger().iter().filter(|c| c.cached).count(),
                retries: seen.retries,
                rate_limited: seen.rate_limited,
            },
        )
    };
    let mut cards = steps
        .time_async("cards", writer.write_cards(&topics, &progress))
        .await?;
    cluster::rank::choose_focus(&mut cards.cards, config.digest.focus_topics);
    let (cards_trimmed, cards_repaired) = (cards.trimmed, cards.repaired);
    let mut card_stats = cards.stats();
    if let Some(reason) = &cards.fatal {
        // One message for the whole stage: every topic failed the same way, at once.
        return Err(RunError::ProviderDown(reason.clone()));
    }
    if cards.cards.len() < config.digest.min_topics || cards.cards.is_empty() {
        // Every failure once, here, instead of a warning per topic followed by the same list.
        let failures = cards
            .failed
            .iter()
            .map(|f| format!("  - {} \"{}\": {}", f.topic_id, f.title, f.reason))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(RunError::TooFewCards {
            cards: cards.cards.len(),
            min: config.digest.min_topics,
            failures,
        });
    }
    for failed in &cards.failed {
        reporter.warn(&format!(
            "topic {} \"{}\" has no card: {}",
            failed.topic_id, failed.title, failed.reason
        ));
    }

    let more = if beyond_max.is_empty() {
        crate::write::more::MoreOutcome::default()
    } else {
        reporter.step(&format!(
            "writing one line for each of {} more stories",
            beyond_max.len()
        ));
        steps
            .time_async("more", writer.write_more(&beyond_max))
            .await?
    };
    if let Some(reason) = &more.error {
        reporter.warn(&format!(
            "the more-news lines are missing, the lead titles stand in: {reason}"
        ));
    }

    reporter.step("writing the editor's insight");

    let insight_outcome = steps
        .time_async(
            "insight",
            writer.write_insight(&cards.cards, opts.date, articles_unique),
        )
        .await?;
    let (insight, insight_error) = match insight_outcome {
        InsightOutcome::Written { insight, .. } => (*insight, None),
        InsightOutcome::Fallback { insight, reason } => {
            reporter.warn(&format!(
                "the model's editor insight stayed invalid ({reason}); the extractive insight stands in"
            ));
            card_stats.insight_fallback = true;
            (*insight, None)
        }
        InsightOutcome::Missing { reason } => {
            reporter.warn(&format!("the editor's insight is missing: {reason}"));
            (empty_insight(), Some(reason))
        }
    };

    let generated_at = clock.now();
    let card_lines: Vec<CardLine> = cards
        .cards
        .iter()
        .map(|c| CardLine {
            topic_id: c.topic_id.clone(),
            title: c.card.title.clone(),
            blake3: blake3::hash(&serde_json::to_vec(&c.card).expect("cards serialize"))
                .to_hex()
                .to_string(),
        })
        .collect();
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
            provider: provider_kind_name(provider_kind).to_string(),
            model: model_name.clone(),
            run: run_id.clone(),
        },
        topic_count: cards.cards.len(),
        cards: cards.cards,
        insight,
        article_count: articles_unique,
        failed: cards.failed,
        more: more.stories,
    };

    reporter.step("rendering");
    let render_opts = RenderOptions {
        sections: &config.digest.sections,
        templates_dir: config.digest.templates_dir.as_deref(),
        layout,
    };
    // Markdown and HTML each build their own view (script conversion of every card field is
    // most of rendering), independently: side by side on two cores.
    let (markdown, html) = steps.time("render", || {
        std::thread::scope(|scope| {
            let html = scope.spawn(|| render::render_html(&digest, &render_opts));
            let markdown = render::render_markdown(&digest, &render_opts);
            (
                markdown,
                html.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            )
        })
    });
    let (markdown, html) = (markdown?, html?);
    let json = render::render_json(&digest)?;
    let lint_report = steps.time("lint", || {
        lint::lint_digest(&markdown, layout, &digest, &topics)
    });
    let md_path = publish::markdown_path(&opts.out_dir, opts.date);
    for finding in &lint_report.findings {
        let line = finding.located(&md_path);
        match finding.severity {
            lint::Severity::Error => reporter.warn(&line),
            lint::Severity::Warning => reporter.detail(&line),
        }
    }

    // A stage that swallowed a store error (a missing insight, say) must not publish a digest
    // the store could not record: on PostgreSQL this fails once the connection is gone.
    store.flush()?;
    let outputs = publish::write_digest(
        &opts.out_dir,
        &digest,
        &publish::Rendered {
            markdown,
            html,
            json,
        },
    )?;

    let ledger = provider.ledger();
    let calls: Vec<CallLine> = ledger
        .iter()
        .map(|c| CallLine {
            call: c.clone(),
            cost_usd: if c.cached || provider_kind == ProviderKind::Extractive {
                0.0
            } else {
                cost_usd(c.usage, &config.pricing)
            },
        })
        .collect();
    let calls = manifest::order_calls(calls, &cards.request_keys);
    let provider_calls = ledger.iter().filter(|c| !c.cached).count();
    let cache_hits = ledger.len() - provider_calls;
    let tokens_in = ledger
        .iter()
        .filter(|c| !c.cached)
        .map(|c| c.usage.prompt_tokens)
        .sum();
    let tokens_out = ledger
        .iter()
        .filter(|c| !c.cached)
        .map(|c| c.usage.completion_tokens)
        .sum();
    let spent: f64 = calls.iter().map(|c| c.cost_usd).sum();

    let seen = telemetry.snapshot();
    for step in &seen.fallbacks {
        reporter.warn(&format!(
            "structured output: {} → {} for the rest of the run ({})",
            step.from, step.to, step.reason
        ));
    }
    let mut modes: Vec<String> = ledger.iter().map(|c| c.structured_output.clone()).collect();
    modes.sort();
    modes.dedup();
    let manifest = RunManifest {
        run_id: run_id.clone(),
        date: opts.date,
        digest_time: digest.generated_at.clone(),
        window: [start.to_rfc3339(), end.to_rfc3339()],
        started_at: started_at.to_rfc3339(),
        generated_at: generated_at.to_rfc3339(),
        config_hash,
        config: opts.recorded_config.clone(),
        provider: provider.id().clone(),
        provider_kind: provider_kind_name(provider_kind).to_string(),
        model: model_name,
        cache_mode: opts.cache_mode,
        budget_usd: limits.budget_usd,
        prompt_hashes: prompts.hashes().clone(),
        template_hashes,
        articles: article_refs,
        stories: memberships,
        topics: topics
            .iter()
            .map(|t| TopicLine {
                id: t.id.clone(),
                rank: t.rank,
                focus: t.focus,
            })
            .collect(),
        cards: card_lines,
        calls,
        steps: steps.timings.clone(),
        outputs,
        failed: digest.failed.clone(),
        cards_trimmed,
        cards_repaired,
        card_stats: card_stats.clone(),
        fallbacks: seen.fallbacks.clone(),
        day_cards: digest.cards.clone(),
        memory: Some(memory),
    };
    if opts.replay.is_none() {
        publish::write_manifest(store.as_ref(), &opts.out_dir, &manifest)?;
    }

    let status = if lint_report.has_errors() {
        RunStatus::LintFailed
    } else if !digest.failed.is_empty() || insight_error.is_some() || sources_unhealthy {
        RunStatus::Partial
    } else {
        RunStatus::Ok
    };
    let summary = RunSummary {
        run_id,
        date: opts.date,
        status,
        sources: reports.iter().map(source_line).collect(),
        articles_collected,
        articles_in_window,
        articles_unique,
        stories: story_count,
        off_topic: ranked.off_topic.len(),
        triaged_out,
        beyond_max_topics: ranked.beyond_max.len(),
        stories_repeated,
        stories_continuing: digest.cards.iter().filter(|c| c.continuing).count(),
        topics: topics.len(),
        cards: digest.topic_count,
        failed: digest.failed,
        insight_error,
        provider_calls,
        cache_hits,
        tokens_in,
        tokens_out,
        cost_usd: spent,
        cards_trimmed,
        cards_repaired,
        card_stats,
        retries: seen.retries,
        rate_limited: seen.rate_limited,
        fallbacks: seen.fallbacks,
        structured_output: modes,
        lint_errors: lint_report.errors().len(),
        lint_warnings: lint_report.warnings().len(),
        steps: steps.timings,
        wall_ms: steps.started.elapsed().as_millis() as u64,
        output: md_path,
        deliveries: Vec::new(),
    };
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

fn provider_kind_name(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::OpenAi => "openai",
        ProviderKind::Extractive => "extractive",
    }
}

fn source_line(report: &SourceReport) -> SourceLine {
    SourceLine {
        name: report.name.clone(),
        articles: report.articles,
        error: report.error.clone(),
        status: report.status.as_str().to_string(),
        new_articles: report.new_articles,
        skipped: report.skipped.clone(),
        notes: report.notes.clone(),
    }
}

/// Writes `contents` to `path` atomically; the weekly roll-up writes through it too.
pub(crate) use crate::publish::write_file;

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
