//! The store under a warm rerun and under a month of nights (issue 9), on the real corpus in
//! ../shared/corpus (skipped when absent), extractive provider, a sled store in a temp dir.
//! Run with `cargo bench --bench store`; `cargo bench --bench store -- warm48` runs only the warm
//! rerun (the growth part takes minutes).
//!
//! - warm48: a 48-topic day (the corpus's last day with the longest window config allows, 14 days) run once
//!   cold, then 7 times warm (on sled and PostgreSQL in turn, so both see the same machine load):
//!   median wall, the card stage per cache hit, provider calls (must be 0).
//! - with `NEWSDESK_TEST_PG_URL` set (a local PostgreSQL; see .ci/run), each in a fresh schema:
//!   warm48 on PostgreSQL against sled (goal <= 1.5x); two digests of one day (daily and brief)
//!   at once on one database against one after another on sled (wall, provider calls); the 30
//!   nights on PostgreSQL (table bytes against live bytes, before and after gc). `-- pg` stops
//!   after these.
//! - growth: 30 simulated nights (25 corpus days with a 48 h window, then 5 nights in cache mode
//!   refresh, which rewrite every value), bytes on disk against live bytes, before and after
//!   `cache gc` keeping the last 7 runs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use newsdesk::cli;
use newsdesk::clock::FixedClock;
use newsdesk::config::{Config, ProviderKind};
use newsdesk::llm::cached::CacheMode;
use newsdesk::report::Reporter;
use newsdesk::run::RunSummary;
use newsdesk::run::keep::Keep;
use newsdesk::run::manifest::RunManifest;
use newsdesk::run::{RunOptions, run_day};
use newsdesk::store::pg::PgStore;
use newsdesk::store::testing::{self, TestStore};
use newsdesk::store::{self, SledStore, Store};

fn corpus_days(corpus: &Path) -> Vec<PathBuf> {
    let mut days: Vec<PathBuf> = std::fs::read_dir(corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    days.sort();
    days
}

/// The demo config with the corpus days as sources and the given digest settings.
fn corpus_config(root: &Path, days: &[PathBuf], window_hours: u32, max_topics: usize) -> Config {
    let demo = std::fs::read_to_string(root.join("fixtures/demo/newsdesk.toml")).unwrap();
    let head = demo.split("[[sources]]").next().unwrap().to_string();
    let tail = demo.split("[provider]").nth(1).unwrap();
    let mut text = head
        .replace(
            "window_hours = 24",
            &format!("window_hours = {window_hours}"),
        )
        .replace("max_topics = 30", &format!("max_topics = {max_topics}"))
        // Quiet corpus days have 3 or 4 stories; the bench measures the store, not the
        // publishing rule, so every night publishes.
        .replace("min_topics = 5", "min_topics = 1");
    for (i, day) in days.iter().enumerate() {
        text.push_str(&format!(
            "[[sources]]\nname = \"corpus-{i}\"\nurl = {:?}\ntier = 2\n\n",
            day.to_str().unwrap()
        ));
    }
    text.push_str("[provider]");
    text.push_str(tail);
    Config::parse(
        &text,
        Some(&root.join("fixtures/demo/newsdesk.toml")),
        &std::collections::BTreeMap::<String, String>::new(),
    )
    .unwrap()
}

fn date_of(day: &Path) -> NaiveDate {
    day.file_name().unwrap().to_str().unwrap().parse().unwrap()
}

fn run(
    runtime: &tokio::runtime::Runtime,
    config: &Config,
    store: Arc<dyn Store>,
    date: NaiveDate,
    mode: CacheMode,
    out: &Path,
) -> RunSummary {
    let opts = RunOptions {
        date,
        out_dir: out.to_path_buf(),
        cache_mode: mode,
        provider: Some(ProviderKind::Extractive),
        budget_usd: None,
        recorded_config: Default::default(),
        replay: None,
    };
    // The digest's date pins every time the output shows; the clock only stamps the manifest.
    let clock = Arc::new(FixedClock(date.and_hms_opt(23, 0, 0).unwrap().and_utc()));
    runtime
        .block_on(run_day(config, store, clock, &Reporter::silent(), &opts))
        .unwrap()
}

fn step_ms(summary: &RunSummary, step: &str) -> u64 {
    summary
        .steps
        .iter()
        .find(|s| s.step == step)
        .map_or(0, |s| s.ms)
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus");
    if !corpus.is_dir() {
        println!("skipped: {} is absent", corpus.display());
        return;
    }
    let days = corpus_days(&corpus);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let out = tempfile::tempdir().unwrap();

    let tokenizer = Instant::now();
    newsdesk::llm::budget::count_tokens("warm up");
    println!(
        "tokenizer      first use (o200k init) in this process: {:?}",
        tokenizer.elapsed()
    );

    // warm48, on sled and (when NEWSDESK_TEST_PG_URL answers) on a local PostgreSQL
    let config = corpus_config(&root, &days, 336, 48);
    let last = date_of(days.last().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let sled: Arc<dyn Store> = Arc::new(SledStore::open(&dir.path().join("store")).unwrap());
    let pg = testing::postgres("bench store");
    let mut stores = vec![("sled", sled)];
    stores.extend(
        pg.as_ref()
            .map(|pg| ("postgres", pg.location.open().unwrap())),
    );
    warm48(&runtime, &config, &stores, last, out.path());
    if std::env::args().any(|a| a == "warm48") {
        return;
    }
    if let Some(pg) = &pg {
        parallel_digests(&runtime, &root, &days, pg, out.path());
        growth_pg(&runtime, &root, &days, out.path());
    }
    if std::env::args().any(|a| a == "pg") {
        return;
    }

    // growth
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let config = corpus_config(&root, &days, 48, 30);
    {
        let store: Arc<dyn Store> = Arc::new(SledStore::open(&path).unwrap());
        for night in 0..30 {
            let (day, mode) = if night < days.len() {
                (&days[night], CacheMode::Rw)
            } else {
                (
                    &days[days.len() - 1 - (night - days.len())],
                    CacheMode::Refresh,
                )
            };
            let started = Instant::now();
            let summary = run(
                &runtime,
                &config,
                store.clone(),
                date_of(day),
                mode,
                out.path(),
            );
            if night % 5 == 4 {
                println!(
                    "growth         night {:>2} ({:?}): {} calls, {} hits, {:?}",
                    night + 1,
                    mode,
                    summary.provider_calls,
                    summary.cache_hits,
                    started.elapsed()
                );
            }
        }
        store.flush().unwrap();
    }
    let live = |path: &Path| {
        let store = SledStore::open(path).unwrap();
        cli::stats(&store, store::dir_size(path))
            .unwrap()
            .live_bytes
    };
    let (disk_before, live_before) = (store::dir_size(&path), live(&path));
    let keep = {
        let store = SledStore::open(&path).unwrap();
        let runs = RunManifest::list(&store).unwrap();
        Keep::from_runs(&runs, 7, 0, chrono::Utc::now())
    };
    let started = Instant::now();
    let (_, disk_after) = store::compact(&path, &|tree, key, _| keep.keeps(tree, key)).unwrap();
    let gc_time = started.elapsed();
    let live_after = live(&path);
    println!(
        "growth         30 nights: on disk {disk_before} B, live {live_before} B ({:.1}x)",
        disk_before as f64 / live_before as f64
    );
    println!(
        "growth         after gc (last 7 runs, {gc_time:?}): on disk {disk_after} B, live {live_after} B ({:.1}x, goal <= 2x); {}",
        disk_after as f64 / live_after as f64,
        layout(&path)
    );
    // The same live bytes compacted again: sled's figure after a rewrite depends on when its
    // background flushes and segment cleaning run, so one figure alone says little.
    let mut again = Vec::new();
    for _ in 0..4 {
        let (_, disk) = store::compact(&path, &|_, _, _| true).unwrap();
        again.push(format!("{:.2}x", disk as f64 / live_after as f64));
    }
    println!(
        "growth         the same store compacted 4 more times: {}",
        again.join(", ")
    );
}

/// Warm reruns per store in `warm48`.
const WARM_ROUNDS: usize = 7;

/// The warm48 figures: each store once cold, then `WARM_ROUNDS` rounds of one warm rerun on each
/// store in turn, so a change in the machine's load falls on every store alike. Prints each
/// store's median wall and, with two stores, the second's median wall over the first's and the
/// median of the per-round ratios.
fn warm48(
    runtime: &tokio::runtime::Runtime,
    config: &Config,
    stores: &[(&str, Arc<dyn Store>)],
    last: NaiveDate,
    out: &Path,
) {
    let mut topics = 0;
    for (label, store) in stores {
        let cold_start = Instant::now();
        let cold = run(runtime, config, store.clone(), last, CacheMode::Rw, out);
        topics = cold.topics;
        println!(
            "warm48         {label} cold: {} topics, {} provider calls, {:?}",
            cold.topics,
            cold.provider_calls,
            cold_start.elapsed()
        );
    }
    let mut walls = vec![Vec::new(); stores.len()];
    let mut per_hit = vec![Vec::new(); stores.len()];
    let mut calls = vec![0; stores.len()];
    for _ in 0..WARM_ROUNDS {
        for (i, (label, store)) in stores.iter().enumerate() {
            let start = Instant::now();
            let warm = run(runtime, config, store.clone(), last, CacheMode::Rw, out);
            walls[i].push(start.elapsed());
            calls[i] += warm.provider_calls;
            let card_hits = warm.cache_hits.saturating_sub(1).max(1);
            per_hit[i].push(Duration::from_micros(
                step_ms(&warm, "cards") * 1000 / card_hits as u64,
            ));
            println!(
                "               {label} warm: wall {:?}, steps {}",
                walls[i].last().unwrap(),
                warm.steps
                    .iter()
                    .map(|s| format!("{} {} ms", s.step, s.ms))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let median = |values: &[Duration]| {
        let mut sorted = values.to_vec();
        sorted.sort();
        sorted[sorted.len() / 2]
    };
    for (i, (label, _)) in stores.iter().enumerate() {
        println!(
            "warm48         {label} {topics} topics, warm median wall {:?} (goal < 0.5 s), card stage per hit {:?} (ms resolution), provider calls {}",
            median(&walls[i]),
            median(&per_hit[i]),
            calls[i]
        );
    }
    if let [first, second] = &walls[..] {
        let mut ratios: Vec<f64> = first
            .iter()
            .zip(second)
            .map(|(a, b)| b.as_secs_f64() / a.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "warm48         {} / {} median wall: {:.2}x, median of the per-round ratios {:.2}x (goal <= 1.5x)",
            stores[1].0,
            stores[0].0,
            median(second).as_secs_f64() / median(first).as_secs_f64(),
            ratios[ratios.len() / 2]
        );
    }
}

/// Two digests of the last corpus day (daily and brief layouts of one config), started together
/// on one PostgreSQL store, against the same two one after another on a fresh sled store:
/// wall time and provider calls (goal: together no more calls than the larger one alone).
fn parallel_digests(
    runtime: &tokio::runtime::Runtime,
    root: &Path,
    days: &[PathBuf],
    pg: &TestStore,
    out: &Path,
) {
    let config = corpus_config(root, days, 48, 30);
    let date = date_of(days.last().unwrap());
    let digest = |layout: &str| RunOptions {
        date,
        out_dir: out.join(layout),
        cache_mode: CacheMode::Rw,
        provider: Some(ProviderKind::Extractive),
        budget_usd: None,
        recorded_config: newsdesk::run::manifest::RecordedConfig {
            layout: newsdesk::config::Layout::from_name(layout),
            ..Default::default()
        },
        replay: None,
    };
    let clock = Arc::new(FixedClock(date.and_hms_opt(23, 0, 0).unwrap().and_utc()));
    let brief_config = {
        let mut c = config.clone();
        c.digest.layout = newsdesk::config::Layout::Brief;
        c
    };

    let dir = tempfile::tempdir().unwrap();
    let sled: Arc<dyn Store> = Arc::new(SledStore::open(&dir.path().join("store")).unwrap());
    let started = Instant::now();
    let mut sled_calls = Vec::new();
    for (c, layout) in [(&config, "daily"), (&brief_config, "brief")] {
        let s = runtime
            .block_on(run_day(
                c,
                sled.clone(),
                clock.clone(),
                &Reporter::silent(),
                &digest(layout),
            ))
            .unwrap();
        sled_calls.push(s.provider_calls);
    }
    let sled_wall = started.elapsed();

    // Two connections, as two processes would have.
    let (a, b) = (pg.location.open().unwrap(), pg.location.open().unwrap());
    let started = Instant::now();
    let (da, db) = (digest("daily"), digest("brief"));
    let silent = Reporter::silent();
    // Two threads, as two processes would be: each run's CPU-bound stages go on side by side.
    let (x, y) = std::thread::scope(|scope| {
        let x = scope.spawn(|| runtime.block_on(run_day(&config, a, clock.clone(), &silent, &da)));
        let y = scope
            .spawn(|| runtime.block_on(run_day(&brief_config, b, clock.clone(), &silent, &db)));
        (x.join().unwrap(), y.join().unwrap())
    });
    let pg_wall = started.elapsed();
    let (x, y) = (x.unwrap(), y.unwrap());
    println!(
        "parallel       sled, one after another: {sled_wall:?}, provider calls {} + {}",
        sled_calls[0], sled_calls[1]
    );
    println!(
        "parallel       postgres, both at once: {pg_wall:?}, provider calls {} + {} = {} (larger alone: {})",
        x.provider_calls,
        y.provider_calls,
        x.provider_calls + y.provider_calls,
        sled_calls.iter().max().unwrap()
    );
}

/// 30 nights as in `growth`, on a PostgreSQL schema of its own: bytes of the table (indexes and
/// TOAST included) against live bytes, before and after gc keeping the last 7 runs (delete +
/// VACUUM, which keeps the freed pages for reuse), and after `VACUUM FULL` for comparison.
fn growth_pg(runtime: &tokio::runtime::Runtime, root: &Path, days: &[PathBuf], out: &Path) {
    let Some(pg) = testing::postgres("bench growth") else {
        return;
    };
    let newsdesk::store::StoreLocation::Postgres(url) = &pg.location else {
        unreachable!("a PostgreSQL test store");
    };
    let config = corpus_config(root, days, 48, 30);
    let store = Arc::new(PgStore::open(url).unwrap());
    for night in 0..30 {
        let (day, mode) = if night < days.len() {
            (&days[night], CacheMode::Rw)
        } else {
            (
                &days[days.len() - 1 - (night - days.len())],
                CacheMode::Refresh,
            )
        };
        run(runtime, &config, store.clone(), date_of(day), mode, out);
    }
    let live = |store: &PgStore| cli::stats(store, 0).unwrap().live_bytes;
    let (disk_before, live_before) = (store.size_on_disk().unwrap(), live(&store));
    let runs = RunManifest::list(store.as_ref()).unwrap();
    let keep = Keep::from_runs(&runs, 7, 0, chrono::Utc::now());
    let started = Instant::now();
    store.retain(&|tree, key, _| keep.keeps(tree, key)).unwrap();
    let gc_time = started.elapsed();
    let (disk_after, live_after) = (store.size_on_disk().unwrap(), live(&store));
    pg.admin_sql(&format!(
        "VACUUM FULL {}.newsdesk_entries",
        pg.schema().unwrap()
    ));
    let disk_full = store.size_on_disk().unwrap();
    println!(
        "growth pg      30 nights: in the database {disk_before} B, live {live_before} B ({:.1}x)",
        disk_before as f64 / live_before as f64
    );
    println!(
        "growth pg      after gc (last 7 runs, {gc_time:?}): {disk_after} B, live {live_after} B ({:.1}x); after VACUUM FULL {disk_full} B ({:.1}x)",
        disk_after as f64 / live_after as f64,
        disk_full as f64 / live_after as f64
    );
}

/// Where a sled store's bytes are: the log file, blob files (nodes over a quarter segment),
/// snapshots.
fn layout(path: &Path) -> String {
    let blobs = path.join("blobs");
    let blob_count = std::fs::read_dir(&blobs).map_or(0, |d| d.count());
    let snapshots: u64 = std::fs::read_dir(path)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with("snap."))
        .map(|e| e.metadata().map_or(0, |m| m.len()))
        .sum();
    format!(
        "log {} B, {blob_count} blob file(s) {} B, snapshot {snapshots} B",
        std::fs::metadata(path.join("db")).map_or(0, |m| m.len()),
        store::dir_size(&blobs)
    )
}
