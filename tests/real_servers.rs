//! The whole pipeline against local servers (wiremock on 127.0.0.1) that behave like real
//! OpenAI-compatible servers do, not like the spec (issue 6):
//! - a llama.cpp-based server that answers `json_schema` with HTTP 500 and grammar-constrains
//!   `json_object` + `schema`, and a reasoning model that thinks aloud in `<think>` first → the run
//!   steps down once, remembers it, strips the reasoning, and reports the mode and the step;
//! - the secrets scan: a recognisable fake key never reaches any file the run writes (store,
//!   outputs, manifest), nor logs or errors — not even when the server echoes it back.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use newsdesk::clock::FixedClock;
use newsdesk::config::Config;
use newsdesk::llm::cached::CacheMode;
use newsdesk::report::Reporter;
use newsdesk::run::{RunOptions, run_day};
use newsdesk::store::{SledStore, Store};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

mod common;

use common::sim::extractive_answer;

const CANARY_KEY: &str = "sk-canary-7f3a9c2e41d8b6055e1f";

fn completion(content: &str, usage: &newsdesk::llm::Usage) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-x", "object": "chat.completion", "created": 0, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {
            "role": "assistant", "content": content,
            "reasoning_content": "internal musing that must never reach a card"}}],
        "usage": {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens}
    }))
}

/// llama-cpp-python's server as measured (shared/peers): json_schema → HTTP 500 with a
/// validation message; json_object + schema → schema-shaped output; the model thinks first.
struct LlamaCppLike;

impl Respond for LlamaCppLike {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        if body["response_format"]["type"] == "json_schema" {
            return ResponseTemplate::new(500).set_body_json(json!({"detail": [{
                "type": "literal_error", "loc": ["body", "response_format", "type"],
                "msg": "Input should be 'text' or 'json_object'", "input": "json_schema"}]}));
        }
        let answer = extractive_answer(&body);
        let content = format!(
            "<think>\nThe user wants JSON. Let me draft {{\"title\": \"not this\"}} first.\n</think>\n\n{}",
            answer.content
        );
        completion(&content, &answer.usage)
    }
}

/// A server that answers, but whose error bodies echo the request headers back (some proxies
/// do), which would carry the key into errors and logs if nothing redacted it.
struct EchoingAuth;

impl Respond for EchoingAuth {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let auth = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        ResponseTemplate::new(400).set_body_json(
            json!({"error": {"message": format!("bad request; you sent Authorization: {auth}")}}),
        )
    }
}

fn config(server: &MockServer, preset: &str, key: Option<&str>) -> Config {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let demo = std::fs::read_to_string(root.join("fixtures/demo/newsdesk.toml")).unwrap();
    let text = demo
        .replace("language = \"zh-Hant\"", "language = \"en\"")
        .replace(
            "kind = \"extractive\"",
            &format!("kind = \"openai\"\npreset = \"{preset}\"\nmodel = \"m\""),
        )
        .replace(
            "[limits]",
            "[limits]\nrpm = 6000\ntpm = 10000000\nmax_attempts = 2",
        );
    let mut env: BTreeMap<String, String> = [(
        "OPENAI_BASE_URL".to_string(),
        format!("{}/v1", server.uri()),
    )]
    .into();
    if let Some(key) = key {
        env.insert("OPENAI_API_KEY".into(), key.into());
    }
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

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

#[tokio::test]
async fn a_llamacpp_server_rejecting_json_schema_gets_json_object_with_schema_once_for_the_run() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(LlamaCppLike)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&server, "llamacpp", None);
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&dir.path().join("store")).unwrap());
    let summary = run_day(
        &config,
        store,
        Arc::new(FixedClock(chrono::Utc::now())),
        &Reporter::silent(),
        &options(&dir.path().join("out")),
    )
    .await
    .unwrap();
    assert!(summary.failed.is_empty(), "{:?}", summary.failed);
    assert!(summary.cards >= 8);
    assert_eq!(summary.structured_output, vec!["json_object+schema"]);
    assert_eq!(summary.fallbacks.len(), 1, "{:?}", summary.fallbacks);
    assert_eq!(summary.fallbacks[0].from, "json_schema");
    assert_eq!(summary.fallbacks[0].to, "json_object+schema");
    assert!(summary.fallbacks[0].reason.contains("json_object"));
    assert!(
        summary
            .render()
            .contains("json_schema → json_object+schema")
    );

    let sent = bodies(&server).await;
    let rejected = sent
        .iter()
        .filter(|b| b["response_format"]["type"] == "json_schema")
        .count();
    // The first call probes alone; once it has stepped down, no call asks for json_schema
    // again, and the rejection is not retried as transient.
    assert_eq!(rejected, 1, "{rejected} json_schema requests");
    assert_eq!(sent.len() - rejected, summary.provider_calls);
    for body in sent
        .iter()
        .filter(|b| b["response_format"]["type"] == "json_object")
    {
        assert_eq!(body["response_format"]["schema"]["type"], "object");
        let system = body["messages"][0]["content"].as_str().unwrap();
        assert!(
            system.contains("\"additionalProperties\""),
            "schema in the prompt too"
        );
    }
    let digest = std::fs::read_to_string(&summary.output).unwrap();
    assert!(!digest.contains("<think>") && !digest.contains("not this"));
    assert!(!digest.contains("internal musing"));
}

/// Collects everything `tracing` writes while a test runs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every file under `dir` whose bytes contain `needle`.
fn files_containing(dir: &Path, needle: &[u8]) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test]
async fn the_api_key_reaches_no_file_log_or_error_of_a_run() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");

    // A good run: store, digest files and manifest are all written.
    let good = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(LlamaCppLike)
        .mount(&good)
        .await;
    {
        let store: Arc<dyn Store> = Arc::new(SledStore::open(&store_dir).unwrap());
        let summary = run_day(
            &config(&good, "openai", Some(CANARY_KEY)),
            store,
            Arc::new(FixedClock(chrono::Utc::now())),
            &Reporter::silent(),
            &options(&dir.path().join("out")),
        )
        .await
        .unwrap();
        assert!(summary.cards >= 8);
        assert!(
            !serde_json::to_string(&summary)
                .unwrap()
                .contains(CANARY_KEY)
        );
    }
    // The key was really sent, so the scan below is looking for something that exists.
    let sent = good.received_requests().await.unwrap();
    assert_eq!(
        sent[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        format!("Bearer {CANARY_KEY}")
    );

    // A server that echoes the key back in its errors: every topic fails.
    let echo = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(EchoingAuth)
        .mount(&echo)
        .await;
    let err = {
        let store: Arc<dyn Store> = Arc::new(SledStore::open(&store_dir).unwrap());
        let mut opts = options(&dir.path().join("out2"));
        opts.cache_mode = CacheMode::Refresh;
        run_day(
            &config(&echo, "openai", Some(CANARY_KEY)),
            store,
            Arc::new(FixedClock(chrono::Utc::now())),
            &Reporter::silent(),
            &opts,
        )
        .await
        .unwrap_err()
    };
    let message = format!("{err} {err:?}");
    assert!(
        message.contains("[redacted]"),
        "the echo reached the error: {message}"
    );
    assert!(!message.contains(CANARY_KEY), "{message}");

    assert!(dir.path().join("out").read_dir().unwrap().count() >= 2);
    assert_eq!(
        files_containing(dir.path(), CANARY_KEY.as_bytes()),
        Vec::<PathBuf>::new()
    );
    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(!logged.is_empty(), "tracing output was captured");
    assert!(!logged.contains(CANARY_KEY), "the key is in the logs");
}
