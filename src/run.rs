//! One night's run as a flat function of named, timed steps: collect → window → cluster → rank →
//! cards → insight → render → lint → write → manifest. In: a validated `Config`, a store, a clock
//! and the run options; out: the digest files and a `RunSummary` (the run report is a byproduct
//! of the steps, not a second pass). A day with too few cards publishes nothing.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;
use crate::cluster::{self, ClusterParams, RankParams};
use crate::collect::{self, HttpOptions, SourceReport};
use crate::config::{Config, ProviderKind};
use crate::lint;
use crate::llm::budget::cost_usd;
use crate::llm::cached::CacheMode;
use crate::llm::{self, Provider};
use crate::manifest::{CallLine, OutputFile, RunManifest, StoryMembership};
use crate::model::{Digest, Generator};
use crate::render::{self, RenderOptions};
use crate::report::{Reporter, RunSummary, SourceLine};
use crate::store::{Store, Tree};
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
        "only {cards} card(s) succeeded, fewer than digest.min_topics = {min}; nothing was published. First failures:\n{failures}"
    )]
    TooFewCards {
        cards: usize,
        min: usize,
        failures: String,
    },
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

/// Runs one digest day end to end.
pub async fn run_day(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    reporter: &Reporter,
    opts: &RunOptions,
) -> Result<RunSummary, RunError> {
    let mut steps = Steps {
        started: Instant::now(),
        timings: Vec::new(),
    };
    let started_at = clock.now();
    let prompts = Prompts::load(config.digest.prompts_dir.as_deref())?;

    reporter.step(&format!("collecting {} source(s)", config.sources.len()));
    let http = HttpOptions::default();
    let collected = steps
        .time_async("collect", collect::collect_sources(&config.sources, &http))
        .await;
    for report in &collected.reports {
        match &report.error {
            Some(reason) => reporter.warn(&format!(
                "source {} ({}): {reason}",
                report.name, report.location
            )),
            None => reporter.detail(&format!(
                "source {}: {} article(s)",
                report.name, report.articles
            )),
        }
    }
    let articles_collected = collected.articles.len();
    for article in &collected.articles {
        let bytes = serde_json::to_vec(article).expect("articles serialize");
        store.put(Tree::Articles, article.id.as_bytes(), &bytes)?;
    }

    let (start, end) = window(
        opts.date,
        config.digest.timezone,
        config.digest.cutoff,
        config.digest.window_hours,
    );
    let in_window = collect::in_window(collected.articles, start, end);
    if in_window.is_empty() {
        return Err(RunError::NoArticles {
            start,
            end,
            sources: config.sources.len(),
        });
    }
    let articles_in_window = in_window.len();

    reporter.step(&format!("clustering {articles_in_window} article(s)"));
    let stories = steps.time("cluster", || {
        cluster::cluster(&in_window, &ClusterParams::default())
    });
    let articles_unique: usize = stories.iter().map(|s| s.articles.len()).sum();
    let story_count = stories.len();
    let rank_params = RankParams {
        max_topics: config.digest.max_topics,
        focus_topics: config.digest.focus_topics,
        now: end,
        min_relevance: RankParams::DEFAULT_MIN_RELEVANCE,
    };
    let memberships: Vec<StoryMembership> = stories
        .iter()
        .map(|s| StoryMembership {
            id: s.id.clone(),
            articles: s.articles.iter().map(|a| a.id.clone()).collect(),
        })
        .collect();
    let ranked = steps.time("rank", || cluster::rank(stories, &rank_params));
    let topics = ranked.topics;
    reporter.detail(&format!(
        "{} stories, {} off-topic, {} topics",
        story_count,
        ranked.off_topic.len(),
        topics.len()
    ));

    let provider_kind = opts.provider.unwrap_or(config.provider.kind);
    let mut provider_config = config.provider.clone();
    provider_config.kind = provider_kind;
    let mut limits = config.limits.clone();
    if let Some(budget) = opts.budget_usd {
        limits.budget_usd = budget;
    }
    let provider = llm::build_stack(
        &provider_config,
        &limits,
        &config.pricing,
        store.clone(),
        opts.cache_mode,
        clock.clone(),
    )?;
    let settings = CallSettings::for_provider(&provider_config);
    let model_name = settings.model.clone();

    reporter.step(&format!(
        "writing {} card(s) with {}",
        topics.len(),
        provider.id()
    ));
    let writer = Writer {
        prompts: &prompts,
        provider: &provider,
        settings: &settings,
        language: config.digest.language,
        sections: &config.digest.sections,
        max_input_tokens: config.limits.max_input_tokens_per_card,
    };
    let progress = |done: usize, total: usize| reporter.progress("cards", done, total);
    let cards = steps
        .time_async("cards", writer.write_cards(&topics, &progress))
        .await?;
    for failed in &cards.failed {
        reporter.warn(&format!(
            "topic {} \"{}\" has no card: {}",
            failed.topic_id, failed.title, failed.reason
        ));
    }
    if cards.cards.len() < config.digest.min_topics || cards.cards.is_empty() {
        let failures = cards
            .failed
            .iter()
            .take(5)
            .map(|f| format!("  - {}: {}", f.topic_id, f.reason))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(RunError::TooFewCards {
            cards: cards.cards.len(),
            min: config.digest.min_topics,
            failures,
        });
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
        InsightOutcome::Missing { reason } => {
            reporter.warn(&format!("the editor's insight is missing: {reason}"));
            (empty_insight(), Some(reason))
        }
    };

    let generated_at = clock.now();
    let run_id = format!(
        "{}-{}",
        opts.date.format("%Y%m%d"),
        &blake3::hash(format!("{}|{}", config.hash, generated_at.to_rfc3339()).as_bytes()).to_hex()
            [..8]
    );
    let digest = Digest {
        date: opts.date,
        title: config.digest.title.clone(),
        language: config.digest.language,
        generated_at: generated_at
            .with_timezone(&config.digest.timezone)
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
    };

    reporter.step("rendering");
    let render_opts = RenderOptions {
        sections: &config.digest.sections,
        templates_dir: config.digest.templates_dir.as_deref(),
    };
    let markdown = steps.time("render", || render::render_markdown(&digest, &render_opts))?;
    let json = render::render_json(&digest)?;
    let lint_report = steps.time("lint", || lint::lint_digest(&markdown, &digest, &topics));
    let md_path = opts.out_dir.join(format!("{}.md", opts.date));
    for finding in &lint_report.findings {
        let line = finding.located(&md_path);
        match finding.severity {
            lint::Severity::Error => reporter.warn(&line),
            lint::Severity::Warning => reporter.detail(&line),
        }
    }

    let json_path = opts.out_dir.join(format!("{}.json", opts.date));
    write_file(&md_path, &markdown)?;
    write_file(&json_path, &json)?;

    let ledger = provider.ledger();
    let calls: Vec<CallLine> = ledger
        .iter()
        .map(|c| CallLine {
            call: c.clone(),
            cost_usd: if c.cached {
                0.0
            } else {
                cost_usd(c.usage, &config.pricing)
            },
        })
        .collect();
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
    let spent: f64 = if provider_kind == ProviderKind::Extractive {
        0.0
    } else {
        calls.iter().map(|c| c.cost_usd).sum()
    };

    let manifest = RunManifest {
        run_id: run_id.clone(),
        date: opts.date,
        started_at: started_at.to_rfc3339(),
        generated_at: digest.generated_at.clone(),
        config_hash: config.hash.clone(),
        provider: provider.id().to_string(),
        model: model_name,
        cache_mode: opts.cache_mode,
        prompt_hashes: prompts.hashes().clone(),
        article_ids: in_window.iter().map(|a| a.id.clone()).collect(),
        stories: memberships,
        topics: topics.iter().map(|t| t.id.clone()).collect(),
        calls,
        steps: steps.timings.clone(),
        outputs: vec![
            OutputFile {
                path: md_path.clone(),
                blake3: blake3::hash(markdown.as_bytes()).to_hex().to_string(),
            },
            OutputFile {
                path: json_path,
                blake3: blake3::hash(json.as_bytes()).to_hex().to_string(),
            },
        ],
        failed: digest.failed.clone(),
        cards: digest.cards.clone(),
    };
    store.put(
        Tree::Runs,
        run_id.as_bytes(),
        &serde_json::to_vec(&manifest).expect("manifests serialize"),
    )?;
    store.flush()?;

    let status = if lint_report.has_errors() {
        RunStatus::LintFailed
    } else if !digest.failed.is_empty() || insight_error.is_some() {
        RunStatus::Partial
    } else {
        RunStatus::Ok
    };
    Ok(RunSummary {
        run_id,
        date: opts.date,
        status,
        sources: collected.reports.iter().map(source_line).collect(),
        articles_collected,
        articles_in_window,
        articles_unique,
        stories: story_count,
        off_topic: ranked.off_topic.len(),
        topics: topics.len(),
        cards: digest.topic_count,
        failed: digest.failed,
        insight_error,
        provider_calls,
        cache_hits,
        tokens_in,
        tokens_out,
        cost_usd: spent,
        lint_errors: lint_report.errors().len(),
        lint_warnings: lint_report.warnings().len(),
        steps: steps.timings,
        wall_ms: steps.started.elapsed().as_millis() as u64,
        output: md_path,
    })
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
    }
}

/// Writes `contents` to `path` atomically (the digest and the weekly roll-up both do).
pub(crate) fn write_file(path: &Path, contents: &str) -> Result<(), RunError> {
    let err = |e: std::io::Error| RunError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    // Write next to the target and rename, so a crash never leaves a half-written digest behind.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, contents).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
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
