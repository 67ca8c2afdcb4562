//! The whole nightly pipeline through the OpenAI-compatible path: `run_day` with
//! `provider.kind = "openai"` against a local fake endpoint (wiremock on 127.0.0.1) whose replies
//! are written by the extractive baseline from the same request a real model would get. Checks
//! that every call is a strict json_schema request, that a rerun on the same store sends nothing,
//! and that a budget of zero skips every topic instead of spending.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use newsdesk::clock::FixedClock;
use newsdesk::config::Config;
use newsdesk::llm::cached::CacheMode;
use newsdesk::report::Reporter;
use newsdesk::run::{RunError, RunOptions, RunStatus, run_day};
use newsdesk::store::{SledStore, Store};
use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

mod common;
use common::sim::Simulator;

fn config(server: &MockServer, budget_usd: f64) -> Config {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let demo = std::fs::read_to_string(root.join("fixtures/demo/newsdesk.toml")).unwrap();
    // An English digest: the simulated "model" copies sentences and cannot translate, which a
    // Chinese digest's lint would rightly reject.
    let text = demo
        .replace("language = \"zh-Hant\"", "language = \"en\"")
        .replace(
            "kind = \"extractive\"",
            "kind = \"openai\"\npreset = \"openai\"\nmodel = \"sim-1\"",
        )
        .replace(
            "[limits]",
            &format!("[limits]\nbudget_usd = {budget_usd}\nrpm = 6000\ntpm = 10000000"),
        );
    let env: BTreeMap<String, String> = [
        ("OPENAI_API_KEY".to_string(), "sk-sim".to_string()),
        (
            "OPENAI_BASE_URL".to_string(),
            format!("{}/v1", server.uri()),
        ),
    ]
    .into();
    Config::parse(&text, Some(&root.join("fixtures/demo/newsdesk.toml")), &env).unwrap()
}

fn options(out: &Path) -> RunOptions {
    RunOptions {
        date: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        out_dir: out.to_path_buf(),
        cache_mode: CacheMode::Rw,
        provider: None,
        budget_usd: None,
        recorded_config: Default::default(),
        replay: None,
    }
}

#[tokio::test]
async fn openai_path_end_to_end_then_a_rerun_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(Simulator)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&server, 5.0);
    let clock = Arc::new(FixedClock(chrono::Utc::now()));

    let store: Arc<dyn Store> = Arc::new(SledStore::open(&dir.path().join("store")).unwrap());
    let first = run_day(
        &config,
        store.clone(),
        clock.clone(),
        &Reporter::silent(),
        &options(&dir.path().join("out")),
    )
    .await
    .unwrap();
    let lint = newsdesk::lint::lint_markdown(
        &std::fs::read_to_string(&first.output).unwrap(),
        &Default::default(),
    );
    let errors: Vec<String> = lint.errors().iter().map(|f| f.to_string()).collect();
    assert_eq!(
        first.status,
        RunStatus::Ok,
        "failed topics {:?}, lint errors {errors:?}",
        first.failed
    );
    assert!(first.cards >= 8);
    let sent = server.received_requests().await.unwrap();
    assert_eq!(sent.len(), first.provider_calls);
    assert_eq!(first.cache_hits, 0);
    assert!(first.cost_usd > 0.0, "the cost ledger prices real usage");
    for request in &sent {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["model"], "sim-1");
        assert_eq!(body["response_format"]["type"], "json_schema");
        assert_eq!(body["response_format"]["json_schema"]["strict"], true);
    }
    let digest = std::fs::read_to_string(&first.output).unwrap();
    assert!(digest.contains("provider: \"openai\"") && digest.contains("model: \"sim-1\""));

    let second = run_day(
        &config,
        store,
        clock,
        &Reporter::silent(),
        &options(&dir.path().join("out")),
    )
    .await
    .unwrap();
    assert_eq!(second.provider_calls, 0);
    assert_eq!(second.cache_hits, first.provider_calls);
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        sent.len(),
        "the rerun sent nothing"
    );
    assert_eq!(
        std::fs::read_to_string(&second.output).unwrap(),
        digest,
        "same clock, same store: same bytes"
    );
}

#[tokio::test]
async fn an_exhausted_budget_skips_topics_instead_of_spending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Simulator)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&dir.path().join("store")).unwrap());
    let clock = Arc::new(FixedClock(chrono::Utc::now()));
    let err = run_day(
        &config(&server, 0.0),
        store,
        clock,
        &Reporter::silent(),
        &options(&dir.path().join("out")),
    )
    .await
    .unwrap_err();
    match err {
        RunError::TooFewCards {
            cards, failures, ..
        } => {
            assert_eq!(cards, 0);
            assert!(failures.contains("budget exhausted"), "{failures}");
        }
        other => panic!("expected TooFewCards, got {other}"),
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
