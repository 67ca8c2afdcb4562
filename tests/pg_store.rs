//! The binary on a shared PostgreSQL store (issue 19), against the real server `.ci/run` starts
//! (`NEWSDESK_TEST_PG_URL`; each test skips with a message when it is unset or unreachable): two
//! processes paying for the same calls, two digests of one day at once, the run lock's message,
//! the history commands, and a store moved sled → PostgreSQL → sled with byte-identical replay.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::cli::{fixture_run_args, newsdesk, repo, spawn};
use newsdesk::store::Tree;
use newsdesk::store::testing::{self, TestStore};

/// The demo config reading the fixture day by absolute path (extractive: no key, no network).
fn write_config(dir: &Path) -> PathBuf {
    let demo = std::fs::read_to_string(repo().join("fixtures/demo/newsdesk.toml")).unwrap();
    let config = demo.replace(
        "url = \"../days/2026-01-05\"",
        &format!(
            "url = {:?}",
            repo().join("fixtures/days/2026-01-05").to_str().unwrap()
        ),
    );
    let path = dir.join("newsdesk.toml");
    std::fs::write(&path, config).unwrap();
    path
}

/// `newsdesk --config C --store S -q run --date 2026-01-05 --out OUT --json EXTRA…`, started.
fn start_run(
    dir: &Path,
    config: &Path,
    store: &str,
    out: &str,
    extra: &[&str],
) -> std::process::Child {
    let mut args = fixture_run_args(config, store, out);
    args.extend(extra.iter().map(|a| a.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    spawn(&args, dir, &[])
}

fn summary(out: Output) -> serde_json::Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn calls(summary: &serde_json::Value) -> u64 {
    summary["provider_calls"].as_u64().unwrap()
}

fn count(backend: &TestStore, tree: Tree) -> usize {
    backend
        .location
        .open()
        .unwrap()
        .scan(tree, b"")
        .unwrap()
        .len()
}

fn ok(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn two_digests_of_one_day_at_once_pay_each_call_once_and_share_articles() {
    let Some(shared) = testing::postgres("two_digests") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    // One digest alone, on its own sled store: what the larger of the two pays.
    let alone = testing::sled();
    let alone_calls = calls(&summary(
        start_run(dir.path(), &config, &alone.arg(), "alone", &[])
            .wait_with_output()
            .unwrap(),
    ));

    let daily = start_run(
        dir.path(),
        &config,
        &shared.arg(),
        "daily",
        &["--layout", "daily"],
    );
    let brief = start_run(
        dir.path(),
        &config,
        &shared.arg(),
        "brief",
        &["--layout", "brief"],
    );
    let (daily, brief) = (
        summary(daily.wait_with_output().unwrap()),
        summary(brief.wait_with_output().unwrap()),
    );
    assert_eq!(
        calls(&daily) + calls(&brief),
        alone_calls,
        "together they pay what one digest alone pays"
    );
    assert_eq!(count(&shared, Tree::Llm), count(&alone, Tree::Llm));
    assert_eq!(
        count(&shared, Tree::Articles),
        count(&alone, Tree::Articles)
    );
    assert_eq!(count(&shared, Tree::Runs), 2, "both runs are recorded");
    for layout in ["daily", "brief"] {
        let md = std::fs::read_to_string(dir.path().join(layout).join("2026-01-05.md")).unwrap();
        assert!(md.len() > 500, "{layout} digest written");
    }
}

#[test]
fn two_processes_answering_the_same_calls_store_one_answer_each() {
    let Some(shared) = testing::postgres("same_calls") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let store = shared.arg();
    let demo = |out: &str| {
        spawn(
            &["--store", &store, "-q", "demo", "--out", out, "--json"],
            dir.path(),
            &[],
        )
    };
    let (a, b) = (demo("a"), demo("b"));
    let (a, b) = (
        summary(a.wait_with_output().unwrap()),
        summary(b.wait_with_output().unwrap()),
    );
    let stored = count(&shared, Tree::Llm) as u64;
    assert_eq!(calls(&a) + calls(&b), stored, "no call paid twice");
    // Both nights replay from the one answer per call the store kept.
    let run_id = a["run_id"].as_str().unwrap();
    let replayed = ok(&newsdesk(
        &[
            "--store",
            &shared.arg(),
            "replay",
            run_id,
            "--check",
            "--out",
            "replayed",
        ],
        dir.path(),
    ));
    assert!(replayed.contains("0 provider call(s)"), "{replayed}");
}

#[test]
fn the_same_digest_and_day_twice_is_refused_naming_the_digest() {
    let Some(shared) = testing::postgres("run_lock") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config_path = write_config(dir.path());
    let config =
        newsdesk::config::Config::load(&config_path, &std::collections::BTreeMap::new()).unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let store = shared.location.open().unwrap();
    let held = store
        .lock_run(&newsdesk::cli::run_scope(&config, None, date))
        .unwrap();
    let out = start_run(dir.path(), &config_path, &shared.arg(), "out", &[])
        .wait_with_output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("for 2026-01-05 is being written by another newsdesk process"),
        "{stderr}"
    );
    assert!(
        stderr.contains("other digests and days can run meanwhile"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("newsdesk_test:"),
        "no password in: {stderr}"
    );
    // Another layout is another digest: it goes ahead while the first is held.
    summary(
        start_run(
            dir.path(),
            &config_path,
            &shared.arg(),
            "brief",
            &["--layout", "brief"],
        )
        .wait_with_output()
        .unwrap(),
    );
    drop(held);
    summary(
        start_run(dir.path(), &config_path, &shared.arg(), "out", &[])
            .wait_with_output()
            .unwrap(),
    );
}

#[test]
fn a_store_moves_to_postgres_and_back_and_replays_byte_identical() {
    let Some(shared) = testing::postgres("migrate") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (first, back) = (testing::sled(), testing::sled());
    let demo = summary(newsdesk(
        &[
            "--store",
            &first.arg(),
            "-q",
            "demo",
            "--out",
            "out",
            "--json",
        ],
        dir.path(),
    ));
    let run_id = demo["run_id"].as_str().unwrap();
    let moved = ok(&newsdesk(
        &[
            "store",
            "migrate",
            "--from",
            &first.arg(),
            "--to",
            &shared.arg(),
        ],
        dir.path(),
    ));
    assert!(moved.contains("copied"), "{moved}");
    assert!(!moved.contains("newsdesk_test:"), "no password in: {moved}");
    ok(&newsdesk(
        &[
            "store",
            "migrate",
            "--from",
            &shared.arg(),
            "--to",
            &back.arg(),
        ],
        dir.path(),
    ));
    let mut replays = Vec::new();
    for (name, store) in [
        ("sled", &first),
        ("postgres", &shared),
        ("sled again", &back),
    ] {
        assert_eq!(count(store, Tree::Llm), count(&first, Tree::Llm), "{name}");
        assert_eq!(
            count(store, Tree::Articles),
            count(&first, Tree::Articles),
            "{name}"
        );
        let report = ok(&newsdesk(
            &[
                "--store",
                &store.arg(),
                "replay",
                run_id,
                "--check",
                "--out",
                name,
            ],
            dir.path(),
        ));
        assert!(report.contains("0 provider call(s)"), "{name}: {report}");
        assert!(!report.contains("differs"), "{name}: {report}");
        replays.push(std::fs::read(dir.path().join(name).join("2026-01-05.md")).unwrap());
    }
    assert_eq!(replays[0], replays[1]);
    assert_eq!(replays[1], replays[2]);
    assert_eq!(
        replays[0],
        std::fs::read(dir.path().join("out/2026-01-05.md")).unwrap()
    );
}

#[test]
fn runs_and_cache_commands_work_on_postgres() {
    let Some(shared) = testing::postgres("history") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let store = shared.arg();
    let mut run_ids = Vec::new();
    for layout in ["daily", "brief"] {
        let s = summary(
            start_run(dir.path(), &config, &store, layout, &["--layout", layout])
                .wait_with_output()
                .unwrap(),
        );
        run_ids.push(s["run_id"].as_str().unwrap().to_string());
    }
    history_commands_read_postgres(dir.path(), &store, &run_ids);
    a_cassette_moves_a_run_to_sled(dir.path(), &store, &run_ids[0]);
    gc_keeps_the_newest_run_and_its_calls(dir.path(), &shared, &store, &run_ids);
}

/// `runs list | show | diff` and `cache stats` on the two recorded runs.
fn history_commands_read_postgres(dir: &Path, store: &str, run_ids: &[String]) {
    let listed = ok(&newsdesk(&["--store", store, "runs", "list"], dir));
    assert!(
        run_ids.iter().all(|id| listed.contains(id.as_str())),
        "{listed}"
    );
    let shown = ok(&newsdesk(
        &["--store", store, "runs", "show", &run_ids[0]],
        dir,
    ));
    assert!(shown.contains(&format!("run {}", run_ids[0])), "{shown}");
    ok(&newsdesk(
        &["--store", store, "runs", "diff", &run_ids[0], &run_ids[1]],
        dir,
    ));
    let stats: serde_json::Value = serde_json::from_str(&ok(&newsdesk(
        &["--store", store, "cache", "stats", "--json"],
        dir,
    )))
    .unwrap();
    assert!(stats["disk_bytes"].as_u64().unwrap() > 0, "{stats}");
    assert_eq!(stats["recent_runs"], 2);
}

/// A cassette of one run, out of PostgreSQL into a fresh sled store, replays there.
fn a_cassette_moves_a_run_to_sled(dir: &Path, store: &str, run_id: &str) {
    let cassette = dir.join("night.jsonl");
    ok(&newsdesk(
        &[
            "--store",
            store,
            "cache",
            "export",
            cassette.to_str().unwrap(),
            "--run",
            run_id,
        ],
        dir,
    ));
    let elsewhere = testing::sled();
    ok(&newsdesk(
        &[
            "--store",
            &elsewhere.arg(),
            "cache",
            "import",
            cassette.to_str().unwrap(),
        ],
        dir,
    ));
    ok(&newsdesk(
        &[
            "--store",
            &elsewhere.arg(),
            "replay",
            run_id,
            "--check",
            "--out",
            "r",
        ],
        dir,
    ));
}

/// gc keeping the newest run drops the other manifest, keeps every call the kept one names.
fn gc_keeps_the_newest_run_and_its_calls(
    dir: &Path,
    shared: &TestStore,
    store: &str,
    run_ids: &[String],
) {
    let gc: serde_json::Value = serde_json::from_str(&ok(&newsdesk(
        &[
            "--store",
            store,
            "cache",
            "gc",
            "--keep-runs",
            "1",
            "--keep-days",
            "0",
            "--json",
        ],
        dir,
    )))
    .unwrap();
    assert_eq!(gc["runs_kept"], 1, "{gc}");
    assert_eq!(count(shared, Tree::Runs), 1);
    let kept = ok(&newsdesk(&["--store", store, "runs", "list"], dir));
    let kept_id = run_ids
        .iter()
        .find(|id| kept.contains(id.as_str()))
        .unwrap();
    ok(&newsdesk(
        &[
            "--store", store, "replay", kept_id, "--check", "--out", "after-gc",
        ],
        dir,
    ));
}
