//! Crash safety (DESIGN §7): a run against a slow local endpoint is SIGKILLed in the middle of
//! the card stage; the next `run` pays for no call that had finished before the kill, and its
//! digest is byte-identical to an uninterrupted run's. On every backend: sled, and PostgreSQL when
//! `NEWSDESK_TEST_PG_URL` answers (there the killed worker's session, its run lock and its call
//! claims end with the process, so the rerun is not refused).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use newsdesk::store::Tree;
use newsdesk::store::testing::{self, TestStore};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer};

mod common;
use common::sim::SlowSimulator;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The demo day through the OpenAI path, in English (the simulated model cannot translate).
fn write_config(dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(repo().join("fixtures/demo/newsdesk.toml"))
        .unwrap()
        .replace(
            "url = \"../days/2026-01-05\"",
            &format!(
                "url = {:?}",
                repo().join("fixtures/days/2026-01-05").to_str().unwrap()
            ),
        )
        .replace("language = \"zh-Hant\"", "language = \"en\"")
        .replace(
            "kind = \"extractive\"",
            "kind = \"openai\"\npreset = \"openai\"\nmodel = \"sim-1\"",
        )
        .replace(
            "[limits]",
            "[limits]\nrpm = 60000\ntpm = 100000000\nconcurrency = 4\nbudget_usd = 100",
        );
    let path = dir.join("newsdesk.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn start_run(dir: &Path, config: &Path, store: &str, server: &MockServer) -> Child {
    Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .args([
            "--config",
            config.to_str().unwrap(),
            "--store",
            store,
            "-q",
            "run",
            "--date",
            "2026-01-05",
            "--out",
            "out",
            "--json",
        ])
        .current_dir(dir)
        .env("OPENAI_API_KEY", "sk-sim")
        .env("OPENAI_BASE_URL", format!("{}/v1", server.uri()))
        .env_remove("NEWSDESK_MODEL")
        .env_remove("NEWSDESK_STORE")
        .env_remove("NEWSDESK_STORE_URL")
        .env_remove("PGPASSWORD")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the newsdesk binary starts")
}

fn finish(child: Child) -> serde_json::Value {
    let out = child.wait_with_output().unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no summary ({e}): {}", String::from_utf8_lossy(&out.stderr)))
}

fn llm_keys(backend: &TestStore) -> BTreeSet<String> {
    backend
        .location
        .open()
        .unwrap()
        .scan(Tree::Llm, b"")
        .unwrap()
        .into_iter()
        .map(|(k, _)| String::from_utf8(k).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_card_stage_the_rerun_pays_for_nothing_already_finished() {
    for backend in testing::backends("killed_mid_card_stage") {
        killed_and_rerun(&backend).await;
    }
}

async fn killed_and_rerun(backend: &TestStore) {
    let store = backend.arg();
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(SlowSimulator(Duration::from_millis(400)))
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());

    // The reference: the same night, never interrupted, on its own store.
    let reference = tempfile::tempdir().unwrap();
    let config_ref = write_config(reference.path());
    let whole = finish(start_run(reference.path(), &config_ref, "store", &server));
    let reference_md = std::fs::read(reference.path().join("out/2026-01-05.md")).unwrap();
    let total_calls = whole["provider_calls"].as_u64().unwrap();
    server.reset().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(SlowSimulator(Duration::from_millis(400)))
        .mount(&server)
        .await;

    // Kill once a dozen cards were asked for: with 4 in flight, at least 8 have been answered.
    let mut child = start_run(dir.path(), &config, &store, &server);
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let asked = server.received_requests().await.unwrap_or_default().len();
        if asked >= 12 {
            break;
        }
        assert!(Instant::now() < deadline, "the run never reached 12 calls");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be killed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush-on-drop
    child.wait().unwrap();
    assert!(!dir.path().join("out/2026-01-05.md").exists());
    let finished = llm_keys(backend);
    assert!(
        finished.len() >= 4,
        "{}: calls answered before the kill are durable: {}",
        backend.backend,
        finished.len()
    );

    let rerun = finish(start_run(dir.path(), &config, &store, &server));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/2026-01-05.run.json")).unwrap())
            .unwrap();
    let paid_again: Vec<&str> = manifest["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cached"] == false)
        .map(|c| c["key"].as_str().unwrap())
        .filter(|k| finished.contains(*k))
        .collect();
    assert!(
        paid_again.is_empty(),
        "{}: finished before the kill, paid again: {paid_again:?}",
        backend.backend
    );
    assert_eq!(
        rerun["provider_calls"].as_u64().unwrap() + finished.len() as u64,
        total_calls,
        "{}: the rerun made exactly the calls the killed run had not finished",
        backend.backend
    );
    assert_eq!(
        std::fs::read(dir.path().join("out/2026-01-05.md")).unwrap(),
        reference_md
    );
}
