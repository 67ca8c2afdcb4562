//! Crash safety (DESIGN §7) against llm-sim (in-process on 127.0.0.1, every chat answer 400 ms
//! late, calls counted where they are paid: at the simulator).
//! - On every backend (sled, and PostgreSQL when `NEWSDESK_TEST_PG_URL` answers): a run SIGKILLed
//!   in the middle of the card stage; the rerun pays for exactly the calls that had not finished
//!   before the kill, and its digest is byte-identical to an uninterrupted run's. On PostgreSQL
//!   the killed worker's session, its run lock and its call claims end with the process, so the
//!   rerun is not refused.
//! - On PostgreSQL: the database drops the run's connection mid-run (`pg_terminate_backend`). The
//!   run exits non-zero with a message naming the store and what to do, publishes no digest, and
//!   a rerun repairs everything: nothing answered before is paid again, the digest is the same.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use newsdesk::sim::{self, Latency, SimConfig, SimHandle};
use newsdesk::store::Tree;
use newsdesk::store::testing::{self, TestStore};

mod common;
use common::cli::{fixture_run_args, repo, spawn};

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
            "kind = \"openai\"\npreset = \"openai\"\nmodel = \"sim-good\"",
        )
        .replace(
            "[limits]",
            "[limits]\nrpm = 60000\ntpm = 100000000\nconcurrency = 4\nbudget_usd = 100",
        );
    let path = dir.join("newsdesk.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// llm-sim answering every chat request after exactly 400 ms, so a run is still in its card
/// stage when a test interrupts it.
async fn slow_sim() -> SimHandle {
    sim::spawn(SimConfig {
        latency: Latency {
            p50_ms: 400,
            sigma: 0.0,
            max_ms: 400,
        },
        ..SimConfig::default()
    })
    .await
    .expect("llm-sim starts on 127.0.0.1")
}

/// Chat calls the simulator has answered so far.
fn paid(sim: &SimHandle) -> u64 {
    sim.stats()
        .log
        .iter()
        .filter(|l| l.path == "/v1/chat/completions")
        .count() as u64
}

fn start_run(dir: &Path, config: &Path, store: &str, sim: &SimHandle) -> Child {
    let args = fixture_run_args(config, store, "out");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let base_url = sim.base_url();
    spawn(
        &args,
        dir,
        &[
            ("OPENAI_API_KEY", "sk-sim"),
            ("OPENAI_BASE_URL", base_url.as_str()),
        ],
    )
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

/// The same night never interrupted, on a sled store of its own: its digest and the calls it
/// paid at the simulator.
async fn uninterrupted(sim: &SimHandle) -> (Vec<u8>, u64) {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let before = paid(sim);
    let whole = finish(start_run(dir.path(), &config, "store", sim));
    let calls = paid(sim) - before;
    assert_eq!(whole["provider_calls"].as_u64().unwrap(), calls);
    (
        std::fs::read(dir.path().join("out/2026-01-05.md")).unwrap(),
        calls,
    )
}

/// Waits until the simulator has answered `count` more calls than `since` while `child` runs.
async fn wait_for_calls(sim: &SimHandle, since: u64, count: u64, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(300);
    while paid(sim) < since + count {
        assert!(
            Instant::now() < deadline,
            "the run never reached {count} calls"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it could be interrupted"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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

/// Reruns the interrupted night in `dir` and checks it repairs everything: it pays at the
/// simulator exactly the calls `stored` lacks, none of them one `stored` has, and writes the
/// uninterrupted night's digest.
async fn rerun_repairs(
    backend: &TestStore,
    dir: &Path,
    sim: &SimHandle,
    stored: &BTreeSet<String>,
    (reference_md, total_calls): &(Vec<u8>, u64),
) {
    let name = backend.backend;
    let before = paid(sim);
    let rerun = finish(start_run(
        dir,
        &dir.join("newsdesk.toml"),
        &backend.arg(),
        sim,
    ));
    let paid_now = paid(sim) - before;
    assert_eq!(
        rerun["provider_calls"].as_u64().unwrap(),
        paid_now,
        "{name}: the summary counts what the simulator was paid"
    );
    assert_eq!(
        paid_now + stored.len() as u64,
        *total_calls,
        "{name}: the rerun paid exactly the calls not stored before"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/2026-01-05.run.json")).unwrap())
            .unwrap();
    let paid_again: Vec<&str> = manifest["calls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["cached"] == false)
        .map(|c| c["key"].as_str().unwrap())
        .filter(|k| stored.contains(*k))
        .collect();
    assert!(
        paid_again.is_empty(),
        "{name}: stored before the interruption, paid again: {paid_again:?}"
    );
    assert_eq!(
        &std::fs::read(dir.join("out/2026-01-05.md")).unwrap(),
        reference_md,
        "{name}: the repaired night's digest is the uninterrupted one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_card_stage_the_rerun_pays_for_nothing_already_finished() {
    let sim = slow_sim().await;
    let reference = uninterrupted(&sim).await;
    for backend in testing::backends("killed_mid_card_stage") {
        let dir = tempfile::tempdir().unwrap();
        let config = write_config(dir.path());
        // Kill once a dozen cards were answered: with 4 in flight, more are under way.
        let since = paid(&sim);
        let mut child = start_run(dir.path(), &config, &backend.arg(), &sim);
        wait_for_calls(&sim, since, 12, &mut child).await;
        child.kill().unwrap(); // SIGKILL: no destructor, no flush-on-drop
        child.wait().unwrap();
        assert!(!dir.path().join("out/2026-01-05.md").exists());
        let stored = llm_keys(&backend);
        // An answer can be on its way into the store when the kill lands; the rest is durable.
        assert!(
            stored.len() >= 8,
            "{}: calls answered before the kill are durable: {}",
            backend.backend,
            stored.len()
        );
        rerun_repairs(&backend, dir.path(), &sim, &stored, &reference).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_going_away_mid_run_fails_clearly_and_a_rerun_repairs_it() {
    let Some(backend) = testing::postgres("database_goes_away") else {
        return;
    };
    let sim = slow_sim().await;
    let reference = uninterrupted(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let since = paid(&sim);
    let mut child = start_run(dir.path(), &config, &backend.arg(), &sim);
    wait_for_calls(&sim, since, 8, &mut child).await;
    // What an administrator's restart or a failover does to the run's session (the test URL
    // names each test's sessions with an application_name of their own).
    backend.admin_sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE application_name = 'newsdesk-{}'",
        backend.schema().unwrap()
    ));
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a failed night: {stderr}");
    let shown_store = newsdesk::store::pg::without_password(&backend.arg());
    assert!(
        stderr.contains(&format!("store {shown_store}")),
        "names the store: {stderr}"
    );
    assert!(
        stderr.contains("the connection to the database was lost")
            && stderr.contains("rerun when the database is back"),
        "says what happened and what to do: {stderr}"
    );
    assert!(
        !stderr.contains("newsdesk_test:newsdesk_test"),
        "no password in: {stderr}"
    );
    assert!(
        !dir.path().join("out/2026-01-05.md").exists(),
        "no digest is published from a run that lost its store"
    );
    let stored = llm_keys(&backend);
    assert!(
        stored.len() >= 4,
        "calls answered before the connection dropped are stored: {}",
        stored.len()
    );
    rerun_repairs(&backend, dir.path(), &sim, &stored, &reference).await;
}
