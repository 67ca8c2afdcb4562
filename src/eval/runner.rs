//! Running a variant over a suite's fixtures. In: a loaded `Suite`, one `Variant`, the config it
//! modifies, a store and a repeat count; out: one `FixtureResult` per fixture and repeat (the
//! output, its metrics, or why there was none). Outputs come from the production stages
//! (`Writer::write_cards`, `Writer::write_insight`, `cluster::cluster`) through the same
//! cached, limited, retrying provider stack `newsdesk run` builds (`llm::build_stack`).

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::metrics::{self, MetricValue, Metrics};
use super::suite::{CardFixture, ClusterCase, InsightFixture, Stage, Suite, Variant};
use crate::clock::SystemClock;
use crate::config::{Config, ProviderKind};
use crate::llm::cached::CacheMode;
use crate::llm::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId};
use crate::model::{Article, Card, CardRecord, Importance, Insight, Story, Topic};
use crate::store::Store;
use crate::write::Writer;
use crate::write::prompts::Prompts;

/// One fixture's outcome under one variant and repeat: a line of the JSONL report and of a
/// blessed baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixtureResult {
    pub suite: String,
    pub variant: String,
    pub fixture: String,
    /// 1-based; the request's `repeat` field, so every repeat is its own cache entry.
    pub repeat: u32,
    /// The card or insight as JSON; for clusters, the predicted stories.
    pub output: Option<serde_json::Value>,
    /// Why there is no output (provider error, invalid after repair).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub metrics: Metrics,
}

#[derive(Debug, thiserror::Error)]
pub enum RunnerError {
    #[error("variant {variant}: {reason}")]
    Variant { variant: String, reason: String },
    #[error(transparent)]
    Prompt(#[from] crate::write::prompts::PromptError),
    #[error("variant {variant}: cannot build the provider: {error}")]
    Provider { variant: String, error: LlmError },
}

/// Sets the repeat index on every request before the stack sees it. It wraps the whole stack,
/// cache included, so repeat r of a fixture is its own cache entry (DESIGN §5: the repeat index
/// is part of the key) and a second `eval` run replays every repeat from the cache.
struct Repeated<'a> {
    inner: &'a dyn Provider,
    repeat: u32,
}

#[async_trait]
impl Provider for Repeated<'_> {
    fn id(&self) -> &ProviderId {
        self.inner.id()
    }
    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let mut req = req.clone();
        req.repeat = self.repeat;
        self.inner.chat(&req).await
    }
}

/// The config with the variant's provider, preset, model and temperature applied.
pub fn variant_config(base: &Config, variant: &Variant) -> Result<Config, RunnerError> {
    let bad = |reason: String| RunnerError::Variant {
        variant: variant.name.clone(),
        reason,
    };
    let mut config = base.clone();
    let p = &mut config.provider;
    match variant.provider.as_deref() {
        None => {}
        Some("extractive") => p.kind = ProviderKind::Extractive,
        Some("openai") => p.kind = ProviderKind::OpenAi,
        Some(other) => {
            return Err(bad(format!(
                "provider = \"{other}\" is not extractive or openai"
            )));
        }
    }
    if let Some(name) = &variant.preset {
        let preset = crate::config::preset(name)
            .ok_or_else(|| bad(format!("preset = \"{name}\" is not a known preset")))?;
        p.kind = ProviderKind::OpenAi;
        p.preset = name.clone();
        p.structured_output = preset.structured_output;
        p.json_object_schema = preset.json_object_schema;
        p.reasoning = preset.reasoning;
        p.string_lengths = preset.string_lengths;
        p.script_bias = preset.script_bias;
        p.token_encoding = preset.token_encoding;
        p.key_required = preset.key_required;
        // The preset's address is a default, never a replacement for one the user gave.
        if variant.base_url.is_none() && std::env::var(crate::config::BASE_URL_ENV).is_err() {
            p.base_url = preset.base_url.to_string();
        }
        if variant.api_key_env.is_none() && variant_key_is_default(&p.api_key_env) {
            p.api_key_env = preset.api_key_env.to_string();
            p.api_key = std::env::var(&p.api_key_env)
                .ok()
                .map(crate::config::Secret::new);
        }
        if variant.model.is_none() {
            p.model = preset.model.to_string();
        }
    }
    if let Some(url) = &variant.base_url {
        if !crate::text::url::is_absolute_http(url) {
            return Err(bad(format!("base_url = \"{url}\" is not an http(s) URL")));
        }
        p.kind = ProviderKind::OpenAi;
        p.base_url = url.clone();
    }
    if let Some(name) = &variant.api_key_env {
        p.api_key_env = name.clone();
        p.api_key = std::env::var(name).ok().map(crate::config::Secret::new);
    }
    if let Some(model) = &variant.model {
        p.model = model.clone();
    }
    if let Some(t) = variant.temperature {
        p.temperature = t;
    }
    if p.kind == ProviderKind::OpenAi && p.api_key.is_none() && p.base_url.starts_with("https://") {
        return Err(bad(format!(
            "needs an API key in ${} for {} (or point OPENAI_BASE_URL at a local server)",
            p.api_key_env, p.base_url
        )));
    }
    Ok(config)
}

/// The config names the stock key variable (OPENAI_API_KEY), not one the user chose on purpose.
fn variant_key_is_default(name: &str) -> bool {
    name == crate::config::PRESETS[0].api_key_env
}

/// " against local at http://127.0.0.1:8080/v1" for a model variant, "" for the extractive one
/// (or one whose config does not resolve: running it reports why).
pub fn endpoint_of(base: &Config, variant: &Variant) -> String {
    match variant_config(base, variant) {
        Ok(config) if config.provider.kind == ProviderKind::OpenAi => format!(
            " against {} at {}",
            config.provider.model, config.provider.base_url
        ),
        _ => String::new(),
    }
}

/// The prompts for a variant: built-in (or the config's prompts_dir), with the variant's prompt
/// file standing in for the stage's template.
fn variant_prompts(
    suite: &Suite,
    config: &Config,
    variant: &Variant,
) -> Result<(Prompts, Option<tempfile::TempDir>), RunnerError> {
    let Some(prompt) = &variant.prompt else {
        return Ok((Prompts::load(config.digest.prompts_dir.as_deref())?, None));
    };
    let base = suite.path.parent().unwrap_or(Path::new("."));
    let source = base.join(prompt);
    let text = std::fs::read_to_string(&source).map_err(|e| RunnerError::Variant {
        variant: variant.name.clone(),
        reason: format!("cannot read prompt {}: {e}", source.display()),
    })?;
    // Prompts::load takes a directory of overrides: give it one holding just this template.
    let dir = tempfile::tempdir().map_err(|e| RunnerError::Variant {
        variant: variant.name.clone(),
        reason: format!("cannot create a temporary prompt directory: {e}"),
    })?;
    let name = match suite.stage {
        Stage::Insight => "insight.tera",
        _ => "card.tera",
    };
    std::fs::write(dir.path().join(name), text).map_err(|e| RunnerError::Variant {
        variant: variant.name.clone(),
        reason: format!("cannot stage prompt {}: {e}", source.display()),
    })?;
    Ok((Prompts::load(Some(dir.path()))?, Some(dir)))
}

/// Fixture articles as pipeline articles (ids and tiers as the fixture gives them).
fn articles_of(fixture: &CardFixture) -> Vec<Article> {
    fixture
        .articles
        .iter()
        .map(|a| Article {
            id: a.id.clone(),
            url: a.url.clone(),
            outlet: a.outlet.clone(),
            source: fixture.id.clone(),
            tier: 2,
            title: a.title.clone(),
            published_at: a.published,
            lang: fixture.language.clone(),
            text: a.text.clone(),
            tags: Vec::new(),
        })
        .collect()
}

/// The rank each card fixture gets, as the pipeline ranks topics: more articles first, then id.
/// Importance follows rank, so the fixtures must sit in a plausible day.
fn ranks(cards: &[&CardFixture]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..cards.len()).collect();
    order.sort_by(|&a, &b| {
        cards[b]
            .articles
            .len()
            .cmp(&cards[a].articles.len())
            .then_with(|| cards[a].id.cmp(&cards[b].id))
    });
    let mut rank = vec![0; cards.len()];
    for (position, &i) in order.iter().enumerate() {
        rank[i] = position + 1;
    }
    rank
}

/// Runs one variant over the suite, `repeats` times.
pub async fn run_variant(
    suite: &Suite,
    base_config: &Config,
    variant: &Variant,
    store: Arc<dyn Store>,
    repeats: u32,
    cache_mode: CacheMode,
    progress: &(dyn Fn(crate::progress::StageProgress) + Sync),
) -> Result<Vec<FixtureResult>, RunnerError> {
    if suite.stage == Stage::Cluster {
        return Ok(run_clusters(suite, variant).await);
    }
    let config = variant_config(base_config, variant)?;
    let (prompts, _staged) = variant_prompts(suite, &config, variant)?;
    // The run's own derivation, so a fixture's request (and cache key) is the one a run makes.
    let model = crate::run::ModelPlan::new(&config, None, None);
    let (stack, telemetry) = model
        .stack(&config, store, cache_mode, Arc::new(SystemClock))
        .map_err(|error| RunnerError::Provider {
            variant: variant.name.clone(),
            error,
        })?;
    // Fixtures done, with the counts the card stage shows (a replay shows every call a hit).
    let progress = |done: usize, total: usize| {
        let seen = telemetry.snapshot();
        progress(crate::progress::StageProgress {
            done,
            total,
            cache_hits: stack.ledger().iter().filter(|c| c.cached).count(),
            retries: seen.retries,
            rate_limited: seen.rate_limited,
        })
    };
    let no_history = std::collections::BTreeMap::new();
    let mut results = Vec::new();
    for repeat in 1..=repeats.max(1) {
        let provider = Repeated {
            inner: &stack,
            repeat,
        };
        // The model's own cards are what a prompt is judged on: a topic whose card stays invalid
        // scores as failed, not as the extractive card a run would fall back to.
        let writer = Writer {
            fallback: crate::config::CardFallback::None,
            ..model.writer(&config, &prompts, &provider, &no_history)
        };
        let total = match suite.stage {
            Stage::Card => suite.cards.len(),
            _ => suite.insights.len(),
        } * repeats.max(1) as usize;

        match suite.stage {
            Stage::Card => {
                // Fixtures of one language form one day (a digest has one target language), ranked
                // as the pipeline ranks topics; importance follows that rank.
                for language in ["zh-Hant", "zh-Hans", "en"] {
                    let fixtures: Vec<&CardFixture> = suite
                        .cards
                        .iter()
                        .filter(|f| f.language == language)
                        .collect();
                    let group: Vec<(&CardFixture, usize)> =
                        fixtures.iter().copied().zip(ranks(&fixtures)).collect();
                    let Some((first, _)) = group.first() else {
                        continue;
                    };
                    let writer = Writer {
                        language: first.target(),
                        ..writer
                    };
                    // Fixtures finished so far, over every repeat.
                    let offset = results.len();
                    let group_progress = |done: usize, _: usize| progress(offset + done, total);
                    results.extend(
                        card_results(suite, variant, &writer, &group, repeat, &group_progress)
                            .await?,
                    );
                }
            }
            Stage::Insight => {
                for fixture in &suite.insights {
                    let writer = Writer {
                        language: fixture.target(),
                        ..writer
                    };
                    results.push(insight_result(suite, variant, &writer, fixture, repeat).await?);
                    progress(results.len(), total);
                }
            }
            Stage::Cluster => unreachable!("handled above"),
        }
    }
    Ok(results)
}

async fn card_results(
    suite: &Suite,
    variant: &Variant,
    writer: &Writer<'_>,
    group: &[(&CardFixture, usize)],
    repeat: u32,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<FixtureResult>, RunnerError> {
    let mut topics: Vec<Topic> = group
        .iter()
        .map(|(fixture, rank)| Topic {
            id: fixture.id.clone(),
            rank: *rank,
            score: 0.0,
            focus: false,
            story: Story {
                id: fixture.id.clone(),
                articles: articles_of(fixture),
                merges: Vec::new(),
            },
        })
        .collect();
    topics.sort_by_key(|t| t.rank);
    let outcome = writer.write_cards(&topics, progress).await?;
    Ok(group
        .iter()
        .map(|(fixture, _)| {
            let card = outcome
                .cards
                .iter()
                .find(|r| r.topic_id == fixture.id)
                .map(|r| r.card.clone());
            let failed = outcome.failed.iter().find(|f| f.topic_id == fixture.id);
            FixtureResult {
                suite: suite.name.clone(),
                variant: variant.name.clone(),
                fixture: fixture.id.clone(),
                repeat,
                output: card
                    .as_ref()
                    .map(|c| serde_json::to_value(c).expect("cards serialize")),
                error: failed.map(|f| f.reason.clone()),
                metrics: {
                    let mut m = metrics::card_metrics(card.as_ref(), fixture);
                    if card.is_some() {
                        m.insert(
                            "first_answer_valid".into(),
                            metrics::first_answer_valid(outcome.attempts.get(&fixture.id)),
                        );
                    }
                    m
                },
            }
        })
        .collect())
}

async fn insight_result(
    suite: &Suite,
    variant: &Variant,
    writer: &Writer<'_>,
    fixture: &InsightFixture,
    repeat: u32,
) -> Result<FixtureResult, RunnerError> {
    let records: Vec<CardRecord> = fixture
        .cards
        .iter()
        .enumerate()
        .map(|(i, c)| CardRecord {
            topic_id: c.id.clone(),
            rank: i + 1,
            focus: i < 4,
            card: Card {
                title: c.title.clone(),
                summary: c.summary.clone(),
                details: String::new(),
                scenarios: String::new(),
                entities: c.entities.clone(),
                importance: match c.importance.as_str() {
                    "high" => Importance::High,
                    "low" => Importance::Low,
                    _ => Importance::Medium,
                },
                section: c.section.clone(),
                insight: String::new(),
                short_title: String::new(),
                tags: Vec::new(),
                key_points: Vec::new(),
                impacts: Vec::new(),
            },
            sources: Vec::new(),
            continuing: false,
            fallback: false,
        })
        .collect();
    let date = fixture
        .date
        .unwrap_or_else(|| chrono::NaiveDate::from_ymd_opt(2026, 1, 5).expect("valid date"));
    let outcome = writer
        .write_insight(&records, date, records.len() * 2)
        .await?;
    let (insight, error, repaired): (Option<Insight>, Option<String>, bool) = match outcome {
        crate::write::insight::InsightOutcome::Written { insight, repaired } => {
            (Some(*insight), None, repaired)
        }
        // The eval's writer has no fallback; were there one, the model's insight still failed.
        crate::write::insight::InsightOutcome::Missing { reason }
        | crate::write::insight::InsightOutcome::Fallback { reason, .. } => {
            (None, Some(reason), false)
        }
    };
    Ok(FixtureResult {
        suite: suite.name.clone(),
        variant: variant.name.clone(),
        fixture: fixture.id.clone(),
        repeat,
        output: insight
            .as_ref()
            .map(|i| serde_json::to_value(i).expect("insights serialize")),
        error: match (error, repaired) {
            (None, true) => Some("valid after one repair re-ask".into()),
            (e, _) => e,
        },
        metrics: metrics::insight_metrics(insight.as_ref(), fixture),
    })
}

/// Clustering has no model and no variants: each case is collected, clustered with the default
/// parameters and scored against its gold (pairwise and B-cubed F1).
async fn run_clusters(suite: &Suite, variant: &Variant) -> Vec<FixtureResult> {
    let mut results = Vec::new();
    for case in &suite.clusters {
        let outcome = cluster_case(case).await;
        let (output, error, metrics) = match outcome {
            Ok(Some((stories, m))) => (Some(stories), None, m),
            Ok(None) => continue,
            Err(e) => (
                None,
                Some(e.clone()),
                ["pairwise_f1", "bcubed_f1"]
                    .iter()
                    .map(|n| {
                        (
                            n.to_string(),
                            MetricValue {
                                value: 0.0,
                                pass: false,
                                note: e.clone(),
                            },
                        )
                    })
                    .collect(),
            ),
        };
        results.push(FixtureResult {
            suite: suite.name.clone(),
            variant: variant.name.clone(),
            fixture: case.name.clone(),
            repeat: 1,
            output,
            error,
            metrics,
        });
    }
    results
}

/// A cluster F1 at or above this passes.
const CLUSTER_F1_PASS: f64 = 0.8;

type ClusterOutcome = Option<(serde_json::Value, Metrics)>;

async fn cluster_case(case: &ClusterCase) -> Result<ClusterOutcome, String> {
    use crate::cluster::metrics::{bcubed_f1, pairwise_f1};
    if !case.inputs.exists() {
        return if case.optional {
            Ok(None)
        } else {
            Err(format!("inputs {} do not exist", case.inputs.display()))
        };
    }
    let gold_text = std::fs::read_to_string(&case.gold)
        .map_err(|e| format!("cannot read gold {}: {e}", case.gold.display()))?;
    let labels: std::collections::BTreeMap<String, String> = serde_json::from_str(&gold_text)
        .map_err(|e| format!("{} is not url → story id JSON: {e}", case.gold.display()))?;
    // A directory of day folders is collected folder by folder (each is one day's feeds).
    let mut inputs: Vec<String> = std::fs::read_dir(&case.inputs)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir())
                .map(|p| p.to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    inputs.sort();
    if inputs.is_empty() {
        inputs.push(case.inputs.to_string_lossy().into_owned());
    }
    let collected =
        crate::collect::collect_inputs(&inputs, &crate::collect::HttpOptions::default()).await;
    let articles = collected.articles;
    let stories =
        crate::cluster::cluster(articles.clone(), &crate::cluster::ClusterParams::default());
    let predicted = crate::cluster::metrics::story_clusters(&stories, &articles);
    let mut gold: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (url, label) in &labels {
        gold.entry(label.as_str()).or_default().push(url.clone());
    }
    let gold: Vec<Vec<String>> = gold.into_values().collect();
    let (pw, b3) = (pairwise_f1(&predicted, &gold), bcubed_f1(&predicted, &gold));
    let mut m = Metrics::new();
    for (name, prf) in [("pairwise_f1", pw), ("bcubed_f1", b3)] {
        m.insert(
            name.into(),
            MetricValue {
                value: prf.f1,
                pass: prf.f1 >= CLUSTER_F1_PASS,
                note: format!("P {:.3} R {:.3}", prf.precision, prf.recall),
            },
        );
    }
    Ok(Some((serde_json::json!({ "stories": predicted }), m)))
}
