//! The night's steps, one function each, in pipeline order. In: the plan, the previous step's
//! output and the `Night` tally; out: the next step's input, with what the step found counted
//! in the tally (for the manifest and the summary) and told to the progress seam. Each step
//! decides live-vs-replay by asking the plan, never by re-reading options.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::manifest::{ArticleRef, MemoryRecord, RepeatedLine, StoryMembership, TopicLine};
use super::memory;
use super::plan::Plan;
use super::{RunError, SourceLine, StepTiming};
use crate::cluster::{self, ClusterParams, RankParams, Ranked};
use crate::collect::{self, CollectContext, HttpOptions, SourceReport};
use crate::lint::{self, LintReport};
use crate::llm::telemetry::Telemetry;
use crate::llm::{Provider, Stack};
use crate::model::{CardStats, Digest, Story, Topic};
use crate::progress::{Progress, StageProgress};
use crate::render::{self, RenderOptions};
use crate::run::publish::Rendered;
use crate::store::{Store, Tree};
use crate::triage::Triage;
use crate::write::Writer;
use crate::write::card::CardOutcome;
use crate::write::insight::{InsightOutcome, empty_insight};
use crate::write::more::MoreOutcome;

/// What the steps found, for the manifest and the summary; filled in as the night goes.
pub(super) struct Night<'p> {
    pub progress: &'p dyn Progress,
    pub started: Instant,
    pub started_at: DateTime<Utc>,
    /// When the last model answer was in (the clock's time, for the manifest).
    pub generated_at: DateTime<Utc>,
    pub timings: Vec<StepTiming>,
    pub sources: Vec<SourceLine>,
    pub sources_unhealthy: bool,
    pub articles_collected: usize,
    pub articles_in_window: usize,
    pub articles_unique: usize,
    pub article_refs: Vec<ArticleRef>,
    pub triaged_out: usize,
    pub stories: Vec<StoryMembership>,
    pub memory: MemoryRecord,
    pub off_topic: usize,
    pub beyond_max: usize,
    pub topics: Vec<TopicLine>,
    pub card_stats: CardStats,
    pub cards_trimmed: usize,
    pub cards_repaired: usize,
    /// The card calls' keys, in topic order: the manifest lists calls in this order.
    pub request_keys: Vec<String>,
    pub insight_error: Option<String>,
}

impl<'p> Night<'p> {
    pub(super) fn start(progress: &'p dyn Progress, started_at: DateTime<Utc>) -> Self {
        Night {
            progress,
            started: Instant::now(),
            started_at,
            generated_at: started_at,
            timings: Vec::new(),
            sources: Vec::new(),
            sources_unhealthy: false,
            articles_collected: 0,
            articles_in_window: 0,
            articles_unique: 0,
            article_refs: Vec::new(),
            triaged_out: 0,
            stories: Vec::new(),
            memory: MemoryRecord::default(),
            off_topic: 0,
            beyond_max: 0,
            topics: Vec::new(),
            card_stats: CardStats::default(),
            cards_trimmed: 0,
            cards_repaired: 0,
            request_keys: Vec::new(),
            insight_error: None,
        }
    }

    /// Runs `f` as the step `name`, recording how long it took.
    pub(super) fn time<T>(&mut self, name: &str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.timed(name, start);
        out
    }

    pub(super) async fn time_async<T>(&mut self, name: &str, f: impl Future<Output = T>) -> T {
        let start = Instant::now();
        let out = f.await;
        self.timed(name, start);
        out
    }

    fn timed(&mut self, name: &str, start: Instant) {
        self.timings.push(StepTiming {
            step: name.to_string(),
            ms: start.elapsed().as_millis() as u64,
        });
    }
}

/// Collect the sources (a replay reads the recorded articles instead), keep the window's, and
/// store them content-addressed before any call is made, so a night killed later can be
/// replayed up to where it stopped.
pub(super) async fn gather(
    plan: &Plan<'_>,
    store: &Arc<dyn Store>,
    night: &mut Night<'_>,
) -> Result<Vec<crate::model::Article>, RunError> {
    let config = plan.config;
    let articles = match plan.replay() {
        Some(replay) => replay.articles.clone(),
        None => {
            night
                .progress
                .step(&format!("collecting {} source(s)", config.sources.len()));
            let http = HttpOptions::from_config(&config.collect);
            let progress = night.progress;
            let on_progress = |done: usize, total: usize| progress.progress("sources", done, total);
            let cx = CollectContext {
                http: &http,
                now: Some(night.started_at),
                store: Some(store.as_ref()),
                progress: Some(&on_progress),
            };
            let collected = night
                .time_async("collect", collect::collect_sources(&config.sources, &cx))
                .await;
            collect::report_sources(&collected, night.progress);
            night.sources_unhealthy =
                collected.is_unhealthy(config.collect.tolerate_failed_sources);
            night.sources = collected.reports.iter().map(source_line).collect();
            collected.articles
        }
    };
    night.articles_collected = articles.len();
    let (start, end) = plan.window;
    let in_window = collect::in_window(articles, start, end);
    if in_window.is_empty() {
        return Err(no_articles(plan));
    }
    night.article_refs = in_window
        .iter()
        .map(|a| ArticleRef {
            id: a.id.clone(),
            blake3: super::manifest::article_hash(a),
        })
        .collect();
    if plan.replay().is_none() {
        // Keyed by content, so a later edit of the same article never rewrites what an older
        // run read; flushed now so a run killed in the card stage can be replayed up to it.
        let keys = night.article_refs.iter().map(|r| r.blake3.as_bytes());
        let batch = crate::store::Batch::IfAbsent;
        crate::store::put_json(store.as_ref(), Tree::Articles, batch, keys.zip(&in_window))?;
        store.flush()?;
    }
    night.articles_in_window = in_window.len();
    Ok(in_window)
}

/// Optional LLM triage: drops what a model judges off-topic before clustering.
pub(super) async fn triage(
    plan: &Plan<'_>,
    provider: &dyn Provider,
    articles: Vec<crate::model::Article>,
    night: &mut Night<'_>,
) -> Result<Vec<crate::model::Article>, RunError> {
    if !plan.config.triage.enabled {
        return Ok(articles);
    }
    night.progress.step(&format!(
        "triaging {} article(s) with {}",
        articles.len(),
        provider.id()
    ));
    let triage = Triage {
        prompts: &plan.prompts,
        provider,
        settings: &plan.model.settings,
        language: plan.config.digest.language,
        batch_size: plan.config.triage.batch_size,
    };
    let triaged = night.time_async("triage", triage.run(articles)).await?;
    for dropped in &triaged.dropped {
        night.progress.detail(&format!(
            "triage dropped \"{}\": {}",
            dropped.title, dropped.reason
        ));
    }
    for failed in &triaged.failed_batches {
        night
            .progress
            .warn(&format!("triage kept a whole batch: {failed}"));
    }
    night.triaged_out = triaged.dropped.len();
    if triaged.kept.is_empty() {
        return Err(no_articles(plan));
    }
    Ok(triaged.kept)
}

/// Articles → stories.
pub(super) fn cluster(articles: Vec<crate::model::Article>, night: &mut Night<'_>) -> Vec<Story> {
    night
        .progress
        .step(&format!("clustering {} article(s)", articles.len()));
    let stories = night.time("cluster", || {
        cluster::cluster(articles, &ClusterParams::default())
    });
    night.articles_unique = stories.iter().map(|s| s.articles.len()).sum();
    night.stories = stories
        .iter()
        .map(|s| StoryMembership {
            id: s.id.clone(),
            articles: s.articles.iter().map(|a| a.id.clone()).collect(),
        })
        .collect();
    stories
}

/// Cross-day memory: stories an earlier digest told are dropped, or kept as follow-ups. A live
/// night reads the earlier digests in its out dir and records what it decided; a replay applies
/// the recorded decisions, so it depends neither on those files nor on where it writes.
pub(super) fn remember(plan: &Plan<'_>, stories: Vec<Story>, night: &mut Night<'_>) -> Vec<Story> {
    let (kept, repeated, record) = night.time("memory", || {
        match plan.replay().and_then(|r| r.memory.clone()) {
            Some(record) => {
                let (repeated, kept): (Vec<Story>, Vec<Story>) = stories
                    .into_iter()
                    .partition(|s| record.repeated.iter().any(|r| r.story == s.id));
                (kept, repeated, record)
            }
            None => remember_from_files(plan, stories),
        }
    });
    for line in &record.repeated {
        let title = repeated
            .iter()
            .find(|s| s.id == line.story)
            .and_then(|s| s.articles.first())
            .map_or("", |a| a.title.as_str());
        night.progress.detail(&format!(
            "already published on {}: \"{title}\" ({})",
            line.date, line.why
        ));
    }
    night.memory = record;
    kept
}

/// Cross-day memory from the published digests (`memory::previous_digests`).
fn remember_from_files(
    plan: &Plan<'_>,
    stories: Vec<Story>,
) -> (Vec<Story>, Vec<Story>, MemoryRecord) {
    let collect = &plan.config.collect;
    let dir = plan
        .replay()
        .and_then(|r| r.recorded_out_dir.as_deref())
        .unwrap_or(&plan.opts.out_dir);
    let previous = memory::previous_digests(dir, plan.opts.date, collect.memory_days);
    let remembered = memory::remember(stories, &previous, collect.memory_follow_ups);
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
    let repeated = remembered.repeated.into_iter().map(|r| r.story).collect();
    (remembered.stories, repeated, record)
}

/// Stories → the day's topics (best first, capped at `max_topics`), the rest counted.
pub(super) fn rank(plan: &Plan<'_>, stories: Vec<Story>, night: &mut Night<'_>) -> Ranked {
    let digest = &plan.config.digest;
    let params = RankParams {
        max_topics: digest.max_topics,
        focus_topics: digest.focus_topics,
        now: plan.window.1,
        min_relevance: RankParams::DEFAULT_MIN_RELEVANCE,
        weights: digest.ranking.clone(),
    };
    let story_count = stories.len();
    let ranked = night.time("rank", || cluster::rank(stories, &params));
    night.progress.detail(&format!(
        "{story_count} stories, {} off-topic, {} topics, {} beyond max_topics",
        ranked.off_topic.len(),
        ranked.topics.len(),
        ranked.beyond_max.len()
    ));
    for (story, score) in &ranked.beyond_max {
        let title = story.articles.first().map_or("", |a| a.title.as_str());
        night.progress.detail(&format!(
            "  beyond max_topics: {} (score {score:.2}, {} article(s)) {title}",
            story.id,
            story.articles.len()
        ));
    }
    night.off_topic = ranked.off_topic.len();
    night.beyond_max = ranked.beyond_max.len();
    night.topics = ranked
        .topics
        .iter()
        .map(|t| TopicLine {
            id: t.id.clone(),
            rank: t.rank,
            focus: t.focus,
        })
        .collect();
    ranked
}

/// One card per topic; today's focus chosen among the finished cards. Too few cards, or a
/// provider that is down, ends the night here with every failure listed once.
pub(super) async fn cards(
    plan: &Plan<'_>,
    writer: &Writer<'_>,
    topics: &[Topic],
    (provider, telemetry): (&Stack, &Telemetry),
    night: &mut Night<'_>,
) -> Result<CardOutcome, RunError> {
    night.progress.step(&format!(
        "writing {} card(s) with {}",
        topics.len(),
        provider.id()
    ));
    let progress = night.progress;
    let on_progress = |done: usize, total: usize| {
        let seen = telemetry.snapshot();
        progress.stage_progress(
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
    let mut cards = night
        .time_async("cards", writer.write_cards(topics, &on_progress))
        .await?;
    let digest = &plan.config.digest;
    cluster::rank::choose_focus(&mut cards.cards, digest.focus_topics);
    if let Some(reason) = &cards.fatal {
        // One message for the whole stage: every topic failed the same way, at once.
        return Err(RunError::ProviderDown(reason.clone()));
    }
    if cards.cards.len() < digest.min_topics || cards.cards.is_empty() {
        // Every failure once, here, instead of a warning per topic followed by the same list.
        let failures = cards
            .failed
            .iter()
            .map(|f| format!("  - {} \"{}\": {}", f.topic_id, f.title, f.reason))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(RunError::TooFewCards {
            cards: cards.cards.len(),
            min: digest.min_topics,
            failures,
        });
    }
    for failed in &cards.failed {
        night.progress.warn(&format!(
            "topic {} \"{}\" has no card: {}",
            failed.topic_id, failed.title, failed.reason
        ));
    }
    night.card_stats = cards.stats();
    (night.cards_trimmed, night.cards_repaired) = (cards.trimmed, cards.repaired);
    night.request_keys = cards.request_keys.clone();
    Ok(cards)
}

/// One line in the digest's language for each story past `max_topics` (one batched call).
pub(super) async fn more(
    writer: &Writer<'_>,
    beyond_max: &[(Story, f64)],
    night: &mut Night<'_>,
) -> Result<MoreOutcome, RunError> {
    if beyond_max.is_empty() {
        return Ok(MoreOutcome::default());
    }
    night.progress.step(&format!(
        "writing one line for each of {} more stories",
        beyond_max.len()
    ));
    let stories: Vec<Story> = beyond_max.iter().map(|(story, _)| story.clone()).collect();
    let more = night
        .time_async("more", writer.write_more(&stories))
        .await?;
    if let Some(reason) = &more.error {
        night.progress.warn(&format!(
            "the more-news lines are missing, the lead titles stand in: {reason}"
        ));
    }
    Ok(more)
}

/// The editor's insight over the finished cards; the extractive insight stands in for one that
/// stays invalid, and a missing one is counted (the night is then partial).
pub(super) async fn insight(
    plan: &Plan<'_>,
    writer: &Writer<'_>,
    cards: &[crate::model::CardRecord],
    night: &mut Night<'_>,
) -> Result<crate::model::Insight, RunError> {
    night.progress.step("writing the editor's insight");
    let articles_unique = night.articles_unique;
    let outcome = night
        .time_async(
            "insight",
            writer.write_insight(cards, plan.opts.date, articles_unique),
        )
        .await?;
    Ok(match outcome {
        InsightOutcome::Written { insight, .. } => *insight,
        InsightOutcome::Fallback { insight, reason } => {
            night.progress.warn(&format!(
                "the model's editor insight stayed invalid ({reason}); the extractive insight stands in"
            ));
            night.card_stats.insight_fallback = true;
            *insight
        }
        InsightOutcome::Missing { reason } => {
            night
                .progress
                .warn(&format!("the editor's insight is missing: {reason}"));
            night.insight_error = Some(reason);
            empty_insight()
        }
    })
}

/// The digest in every format, and lint over its Markdown (findings told, counted by the caller).
pub(super) fn render_and_lint(
    plan: &Plan<'_>,
    digest: &Digest,
    topics: &[Topic],
    night: &mut Night<'_>,
) -> Result<(Rendered, LintReport), RunError> {
    night.progress.step("rendering");
    let opts = RenderOptions {
        sections: &plan.config.digest.sections,
        templates_dir: plan.config.digest.templates_dir.as_deref(),
        layout: plan.layout,
    };
    // Markdown and HTML each build their own view (script conversion of every card field is
    // most of rendering), independently: side by side on two cores.
    let (markdown, html) = night.time("render", || {
        std::thread::scope(|scope| {
            let html = scope.spawn(|| render::render_html(digest, &opts));
            let markdown = render::render_markdown(digest, &opts);
            (
                markdown,
                html.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            )
        })
    });
    let rendered = Rendered {
        markdown: markdown?,
        html: html?,
        json: render::render_json(digest)?,
    };
    let report = night.time("lint", || {
        lint::lint_digest(&rendered.markdown, plan.layout, digest, topics)
    });
    report.tell(
        &super::publish::markdown_path(&plan.opts.out_dir, plan.opts.date),
        night.progress,
    );
    Ok((rendered, report))
}

fn no_articles(plan: &Plan<'_>) -> RunError {
    let (start, end) = plan.window;
    RunError::NoArticles {
        start,
        end,
        sources: plan.config.sources.len(),
    }
}

fn source_line(report: &SourceReport) -> SourceLine {
    SourceLine {
        name: report.name.clone(),
        articles: report.articles,
        error: report.error.clone(),
        status: report.status,
        new_articles: report.new_articles,
        skipped: report.skipped.clone(),
        notes: report.notes.clone(),
    }
}
