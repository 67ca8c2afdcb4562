//! The LLM path's pacing and fault tolerance against llm-sim (in-process on 127.0.0.1), on 48
//! topics ranked from the real corpus in ../shared/corpus (skipped when absent) + the insight.
//!
//! 1. pacing: the sim enforces RPM 120 and TPM 60k over a sliding 60 s window (counted as prompt
//!    estimate + max_tokens at admission, like OpenAI) with p50 latency 1.5 s. Reports wall time,
//!    the lower bound max(Σtokens/TPM, calls/RPM, critical path), their ratio (goal ≤ 1.10) and
//!    the share of requests answered 429 (goal ≤ 1 %).
//! 2. faults: 10 % 429 (both Retry-After forms), 3 % plain-text 429, 5 % 5xx, 2 % hangs, 5 %
//!    malformed, 3 % schema-invalid → every topic must get its card, and no retry of a call may
//!    reach the sim earlier than the Retry-After its 429 asked for.
//!
//! Real time (the sim's latency and windows are real): `cargo bench --bench llm_pacing` takes a
//! few minutes. `LLM_BENCH=pacing` or `LLM_BENCH=faults` runs one part.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use newsdesk::clock::SystemClock;
use newsdesk::cluster::{self, ClusterParams, RankParams};
use newsdesk::collect::{self, HttpOptions};
use newsdesk::config::{Config, StructuredOutput};
use newsdesk::llm::cached::CacheMode;
use newsdesk::model::Topic;
use newsdesk::sim::{self, FaultKind, Latency, RetryAfterForm, SimConfig, SimHandle, SimStats};
use newsdesk::store::{MemStore, Store};
use newsdesk::write::insight::InsightOutcome;
use newsdesk::write::prompts::Prompts;
use newsdesk::write::{CallSettings, Writer};

const TOPICS: usize = 48;
const MAX_OUTPUT_TOKENS: u32 = 1200;

fn corpus_topics(root: &std::path::Path, runtime: &tokio::runtime::Runtime) -> Option<Vec<Topic>> {
    let corpus = root.join("../shared/corpus");
    if !corpus.is_dir() {
        return None;
    }
    let mut days: Vec<String> = std::fs::read_dir(&corpus)
        .ok()?
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    days.sort();
    let collected = runtime.block_on(collect::collect_inputs(&days, &HttpOptions::default()));
    let articles = collected.articles;
    let stories = cluster::cluster(articles.clone(), &ClusterParams::default());
    let ranked = cluster::rank(
        stories,
        &RankParams {
            max_topics: TOPICS,
            focus_topics: 6,
            now: articles.iter().map(|a| a.published_at).max()?,
            min_relevance: RankParams::DEFAULT_MIN_RELEVANCE,
            weights: Default::default(),
        },
    );
    Some(ranked.topics)
}

fn config(root: &std::path::Path, sim: &SimHandle, limits: &str) -> Config {
    let demo = std::fs::read_to_string(root.join("fixtures/demo/newsdesk.toml")).unwrap();
    let text = demo
        .replace("language = \"zh-Hant\"", "language = \"en\"")
        .replace(
            "kind = \"extractive\"",
            &format!(
                "kind = \"openai\"\npreset = \"openai\"\nmodel = \"sim-good\"\nmax_output_tokens = {MAX_OUTPUT_TOKENS}"
            ),
        )
        .replace("[limits]", &format!("[limits]\n{limits}\nbudget_usd = 100.0"));
    let env: BTreeMap<String, String> = [
        ("OPENAI_API_KEY".to_string(), "sk-bench".to_string()),
        ("OPENAI_BASE_URL".to_string(), sim.base_url()),
    ]
    .into();
    Config::parse(&text, Some(&root.join("fixtures/demo/newsdesk.toml")), &env).unwrap()
}

struct Outcome {
    wall: Duration,
    cards: usize,
    failed: Vec<String>,
    insight_ok: bool,
}

/// The card stage over `topics` and then the insight, through the run's real provider stack.
fn write_all(config: &Config, topics: &[Topic], runtime: &tokio::runtime::Runtime) -> Outcome {
    let store: std::sync::Arc<dyn Store> = std::sync::Arc::new(MemStore::default());
    let (provider, _telemetry) = newsdesk::llm::build_observed_stack(
        &config.provider,
        &config.limits,
        &config.pricing,
        store,
        CacheMode::Off,
        // The real clock: HTTP-date Retry-After values are read against it.
        std::sync::Arc::new(SystemClock),
    )
    .unwrap();
    let prompts = Prompts::load(None).unwrap();
    let settings = CallSettings {
        model: config.provider.model.clone(),
        structured_output: StructuredOutput::JsonSchema,
        temperature: Some(0.2),
        top_p: None,
        seed: Some(7),
        max_output_tokens: config.provider.max_output_tokens,
        string_lengths: false,
        script_bias: false,
        translates: true,
    };
    let no_history = std::collections::BTreeMap::new();
    let writer = Writer::new(config, &prompts, &provider, &settings, &no_history);
    let started = Instant::now();
    let (cards, insight) = runtime.block_on(async {
        let cards = writer.write_cards(topics, &|_, _| {}).await.unwrap();
        let insight = writer
            .write_insight(
                &cards.cards,
                chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
                0,
            )
            .await
            .unwrap();
        (cards, insight)
    });
    Outcome {
        wall: started.elapsed(),
        cards: cards.cards.len(),
        failed: cards
            .failed
            .iter()
            .map(|f| format!("{}: {}", f.topic_id, f.reason))
            .collect(),
        insight_ok: matches!(insight, InsightOutcome::Written { .. }),
    }
}

fn pacing(root: &std::path::Path, topics: &[Topic], runtime: &tokio::runtime::Runtime) {
    let (rpm, tpm) = (120u32, 60_000u32);
    let sim = runtime
        .block_on(sim::spawn(SimConfig {
            rpm: Some(rpm),
            tpm: Some(tpm),
            latency: Latency {
                p50_ms: 1500,
                sigma: 0.5,
                max_ms: 30_000,
            },
            max_seconds: 3600,
            ..SimConfig::default()
        }))
        .unwrap();
    let config = config(
        root,
        &sim,
        &format!("rpm = {rpm}\ntpm = {tpm}\nconcurrency = 16\nrequest_timeout_s = 120"),
    );
    let outcome = write_all(&config, topics, runtime);
    let stats = sim.stats();
    let admitted: Vec<_> = stats.log.iter().filter(|l| l.status == 200).collect();
    let calls = admitted.len() as f64;
    // What the sim's window counted: prompt estimate + max_tokens per admitted request.
    let tokens: u64 = admitted
        .iter()
        .map(|l| l.prompt_tokens + u64::from(MAX_OUTPUT_TOKENS))
        .sum();
    let card_latency = admitted
        .iter()
        .filter(|l| l.kind.as_deref() == Some("card"))
        .map(|l| l.latency_ms)
        .max()
        .unwrap_or(0);
    let insight_latency = admitted
        .iter()
        .filter(|l| l.kind.as_deref() == Some("insight"))
        .map(|l| l.latency_ms)
        .sum::<u64>();
    let critical = Duration::from_millis(card_latency + insight_latency);
    let by_tokens = Duration::from_secs_f64(tokens as f64 / f64::from(tpm) * 60.0);
    let by_calls = Duration::from_secs_f64(calls / f64::from(rpm) * 60.0);
    let bound = by_tokens.max(by_calls).max(critical);
    let limited = stats.status(429);
    println!(
        "pacing  {} topics + insight, RPM {rpm}, TPM {tpm}, p50 1.5 s",
        topics.len()
    );
    println!(
        "        cards {} / {}, failed {}, insight {}",
        outcome.cards,
        topics.len(),
        outcome.failed.len(),
        if outcome.insight_ok { "ok" } else { "missing" }
    );
    println!(
        "        requests {} ({} admitted), Σtokens counted {tokens}",
        stats.requests,
        admitted.len()
    );
    println!(
        "        lower bound {:.1} s = max(Σtokens/TPM {:.1} s, calls/RPM {:.1} s, critical path {:.1} s)",
        bound.as_secs_f64(),
        by_tokens.as_secs_f64(),
        by_calls.as_secs_f64(),
        critical.as_secs_f64()
    );
    println!(
        "        wall {:.1} s, ratio {:.3} (goal ≤ 1.10); 429s {} of {} = {:.2} % (goal ≤ 1 %)",
        outcome.wall.as_secs_f64(),
        outcome.wall.as_secs_f64() / bound.as_secs_f64(),
        limited,
        stats.requests,
        100.0 * limited as f64 / stats.requests.max(1) as f64
    );
    println!("        sim outcomes {:?}", stats.outcomes);
    for failure in outcome.failed.iter().take(5) {
        println!("        failed: {failure}");
    }
    sim.shutdown();
}

/// For every 429, the next request with the same fingerprint must arrive no earlier than the
/// Retry-After it was told. Returns (429s checked, violations).
fn retry_after_violations(stats: &SimStats) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut bad = Vec::new();
    for (i, entry) in stats.log.iter().enumerate() {
        let (Some(wait), Some(fp)) = (entry.retry_after_s, &entry.fingerprint) else {
            continue;
        };
        if entry.status != 429 {
            continue;
        }
        let Some(next) = stats.log[i + 1..]
            .iter()
            .find(|l| l.fingerprint.as_ref() == Some(fp))
        else {
            continue;
        };
        checked += 1;
        // The HTTP-date form has whole-second resolution, so the sim rounds its own wait up;
        // allow the 1 s the date form cannot express.
        let earliest = entry.at_ms + wait * 1000;
        if next.at_ms + 1000 < earliest {
            bad.push(format!(
                "request {} retried at {} ms, Retry-After {} s from {} ms",
                entry.seq, next.at_ms, wait, entry.at_ms
            ));
        }
    }
    (checked, bad)
}

fn faults(root: &std::path::Path, topics: &[Topic], runtime: &tokio::runtime::Runtime) {
    let sim = runtime
        .block_on(sim::spawn(SimConfig {
            latency: Latency {
                p50_ms: 300,
                sigma: 0.5,
                max_ms: 5_000,
            },
            retry_after_form: RetryAfterForm::Mixed,
            fault_retry_after_s: 2,
            fault_rates: vec![
                (FaultKind::RateLimited, 0.10),
                (FaultKind::PlainRateLimited, 0.03),
                (FaultKind::ServerError, 0.05),
                (FaultKind::Hang, 0.02),
                (FaultKind::Malformed, 0.05),
                (FaultKind::SchemaInvalid, 0.03),
            ],
            max_seconds: 3600,
            seed: 11,
            ..SimConfig::default()
        }))
        .unwrap();
    let config = config(
        root,
        &sim,
        "rpm = 6000\ntpm = 10000000\nconcurrency = 8\nrequest_timeout_s = 5\nmax_attempts = 8",
    );
    let outcome = write_all(&config, topics, runtime);
    let stats = sim.stats();
    let (checked, violations) = retry_after_violations(&stats);
    println!(
        "faults  {} topics + insight, sim faults 10 % 429 (mixed Retry-After), 3 % plain 429, 5 % 5xx, 2 % hang, 5 % malformed, 3 % schema-invalid",
        topics.len()
    );
    println!(
        "        cards {} / {}, failed {}, insight {}; wall {:.1} s",
        outcome.cards,
        topics.len(),
        outcome.failed.len(),
        if outcome.insight_ok { "ok" } else { "missing" },
        outcome.wall.as_secs_f64()
    );
    println!(
        "        requests {}; outcomes {:?}",
        stats.requests, stats.outcomes
    );
    println!(
        "        retries after a 429 checked: {checked}, earlier than Retry-After: {}",
        violations.len()
    );
    for v in violations.iter().take(5) {
        println!("        violation: {v}");
    }
    for failure in outcome.failed.iter().take(5) {
        println!("        failed: {failure}");
    }
    sim.shutdown();
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(topics) = corpus_topics(&root, &runtime) else {
        println!("skipped: ../shared/corpus is absent");
        return;
    };
    let part = std::env::var("LLM_BENCH").unwrap_or_default();
    if part.is_empty() || part == "pacing" {
        pacing(&root, &topics, &runtime);
    }
    if part.is_empty() || part == "faults" {
        faults(&root, &topics, &runtime);
    }
}
