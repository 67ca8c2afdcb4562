//! The nightly pipeline through the OpenAI-compatible path against llm-sim (in-process on
//! 127.0.0.1): the fixture day produces a lint-clean digest in each structured-output mode, and
//! still does when the simulator injects 429s (JSON and plain-text bodies), a 5xx, a plain-text
//! 502 and a schema-invalid answer — with no retry sent earlier than the Retry-After it answered.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use newsdesk::clock::FixedClock;
use newsdesk::config::Config;
use newsdesk::llm::cached::CacheMode;
use newsdesk::report::Reporter;
use newsdesk::run::RunSummary;
use newsdesk::run::{RunOptions, RunStatus, run_day};
use newsdesk::sim::{self, FaultKind, RetryAfterForm, SimConfig, SimHandle};
use newsdesk::store::{SledStore, Store};

mod common;
use common::digest::fallback_cards;

fn config(sim: &SimHandle, mode: &str) -> Config {
    config_for(sim, mode, "sim-good")
}

fn config_for(sim: &SimHandle, mode: &str, model: &str) -> Config {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let demo = std::fs::read_to_string(root.join("fixtures/demo/newsdesk.toml")).unwrap();
    // An English digest: the simulated model writes from the articles and cannot translate the
    // English ones, which a Chinese digest's lint would rightly reject.
    let text = demo
        .replace("language = \"zh-Hant\"", "language = \"en\"")
        .replace(
            "kind = \"extractive\"",
            &format!(
                "kind = \"openai\"\npreset = \"openai\"\nmodel = \"{model}\"\nstructured_output = \"{mode}\""
            ),
        )
        .replace("[limits]", "[limits]\nrpm = 6000\ntpm = 10000000\nbudget_usd = 5.0");
    let env: BTreeMap<String, String> = [
        ("OPENAI_API_KEY".to_string(), "sk-sim".to_string()),
        ("OPENAI_BASE_URL".to_string(), sim.base_url()),
    ]
    .into();
    Config::parse(&text, Some(&root.join("fixtures/demo/newsdesk.toml")), &env).unwrap()
}

async fn run(config: &Config, dir: &Path) -> RunSummary {
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&dir.join("store")).unwrap());
    let options = RunOptions {
        date: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        out_dir: dir.join("out"),
        cache_mode: CacheMode::Rw,
        provider: None,
        budget_usd: None,
        recorded_config: Default::default(),
        replay: None,
    };
    let clock = Arc::new(FixedClock(chrono::Utc::now()));
    run_day(config, store, clock, &Reporter::silent(), &options)
        .await
        .unwrap()
}

fn lint_errors(summary: &RunSummary) -> Vec<String> {
    let digest = std::fs::read_to_string(&summary.output).unwrap();
    newsdesk::lint::lint_markdown(&digest, &Default::default())
        .errors()
        .iter()
        .map(|f| f.to_string())
        .collect()
}

#[tokio::test]
async fn the_fixture_day_comes_out_in_every_structured_mode() {
    for mode in ["json_schema", "json_object", "prompt"] {
        let sim = sim::spawn(SimConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let summary = run(&config(&sim, mode), dir.path()).await;
        assert_eq!(
            summary.status,
            RunStatus::Ok,
            "{mode}: failed {:?}, insight {:?}, lint {:?}",
            summary.failed,
            summary.insight_error,
            lint_errors(&summary)
        );
        assert!(
            lint_errors(&summary).is_empty(),
            "{mode}: {:?}",
            lint_errors(&summary)
        );
        assert!(summary.cards >= 8, "{mode}: {} cards", summary.cards);
        let stats = sim.stats();
        assert_eq!(stats.requests as usize, summary.provider_calls, "{mode}");
        assert_eq!(stats.outcome("ok"), stats.requests, "{mode}");
        let expected_mode = if mode == "json_object" {
            "json_object"
        } else {
            mode
        };
        assert!(
            stats
                .log
                .iter()
                .all(|l| l.mode.as_deref() == Some(expected_mode)),
            "{mode}: {:?}",
            stats.log.iter().map(|l| l.mode.clone()).collect::<Vec<_>>()
        );
        let cards = stats
            .log
            .iter()
            .filter(|l| l.kind.as_deref() == Some("card"))
            .count();
        let insights = stats
            .log
            .iter()
            .filter(|l| l.kind.as_deref() == Some("insight"))
            .count();
        // Topics whose sources are all Chinese get a Chinese card from a model that cannot
        // translate: re-asked twice, then the extractive fallback. Every call is counted.
        assert_eq!(
            (cards, insights),
            (summary.cards + summary.card_stats.reasks, 1),
            "{mode}"
        );
        assert_eq!(
            summary.card_stats.reasks,
            2 * summary.card_stats.fallbacks,
            "{mode}"
        );
        let digest = std::fs::read_to_string(&summary.output).unwrap();
        assert!(digest.contains("model: \"sim-good\""), "{mode}");
    }
}

#[tokio::test]
async fn transient_faults_are_survived_and_no_retry_comes_before_its_retry_after() {
    let sim = sim::spawn(SimConfig {
        retry_after_form: RetryAfterForm::Seconds,
        script: vec![
            (2, FaultKind::RateLimited),
            (1, FaultKind::PlainRateLimited),
            (1, FaultKind::ServerError),
            (1, FaultKind::PlainBadGateway),
            (1, FaultKind::SchemaInvalid),
        ],
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = run(&config(&sim, "json_schema"), dir.path()).await;
    assert_eq!(summary.status, RunStatus::Ok, "failed {:?}", summary.failed);
    assert!(
        lint_errors(&summary).is_empty(),
        "{:?}",
        lint_errors(&summary)
    );
    let stats = sim.stats();
    assert_eq!(stats.status(429), 3);
    assert_eq!(stats.outcome("schema_invalid"), 1);
    for limited in stats.log.iter().filter(|l| l.status == 429) {
        let retry = stats
            .log
            .iter()
            .find(|l| l.seq > limited.seq && l.fingerprint == limited.fingerprint)
            .expect("every 429 is retried");
        let waited_ms = retry.at_ms - limited.at_ms;
        let asked_ms = limited.retry_after_s.unwrap() * 1000;
        assert!(
            waited_ms + 50 >= asked_ms,
            "request {} retried after {waited_ms} ms, asked to wait {asked_ms} ms",
            limited.seq
        );
    }
}

/// The real model's first answers (`sim-sloppy`: copied headline, 15 entities with generic nouns,
/// "High", a section that is no id) on the fixture day: repaired locally where the language is
/// right, re-asked where it is not, and the extractive card where the re-asks cannot fix it —
/// every topic carded, the digest lint-clean, every repair counted.
#[tokio::test]
async fn sloppy_first_answers_are_repaired_re_asked_or_replaced_and_counted() {
    let sim = sim::spawn(SimConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let summary = run(&config_for(&sim, "json_schema", "sim-sloppy"), dir.path()).await;
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    assert_eq!(summary.cards, summary.topics);
    assert!(
        lint_errors(&summary).is_empty(),
        "{:?}",
        lint_errors(&summary)
    );
    let stats = &summary.card_stats;
    assert_eq!(stats.first_valid, 0, "no sloppy answer is valid as sent");
    for kind in [
        "importance_normalized",
        "section_replaced",
        "entities_ungrounded",
    ] {
        assert!(
            stats.local_repairs.get(kind).copied().unwrap_or(0) > 0,
            "{kind}: {stats:?}"
        );
    }
    assert!(stats.reasks > 0 && stats.fallbacks > 0, "{stats:?}");
    assert_eq!(stats.by_model + stats.fallbacks, summary.cards);
    assert_eq!(
        fallback_cards(&dir.path().join("out/2026-01-05.json")),
        stats.fallbacks
    );
    // Each fallback says which topic and what was still wrong, in the summary and the manifest.
    assert_eq!(stats.fallback_topics.len(), stats.fallbacks);
    let rendered = summary.render();
    for topic in &stats.fallback_topics {
        assert!(!topic.reason.is_empty(), "{topic:?}");
        assert!(
            rendered.contains(&format!(
                "↳ {} \"{}\" is the extractive card: {}",
                topic.topic_id, topic.title, topic.reason
            )),
            "{rendered}"
        );
    }
    let store = SledStore::open(&dir.path().join("store")).unwrap();
    let manifest = newsdesk::run::manifest::RunManifest::load(&store, &summary.run_id).unwrap();
    assert_eq!(manifest.card_stats.fallback_topics, stats.fallback_topics);
}
