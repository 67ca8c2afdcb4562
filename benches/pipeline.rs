//! Timings for the stages that grow with the day's size, on the real corpus in ../shared/corpus
//! (411 articles over 24 days; skipped when absent) and the bundled fixture day.
//! Run with `cargo bench --bench pipeline`; prints the median of several runs per case.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use newsdesk::clock::FixedClock;
use newsdesk::cluster::{self, ClusterParams, RankParams};
use newsdesk::collect::{self, HttpOptions};
use newsdesk::config::{Config, ProviderKind};
use newsdesk::llm::cached::CacheMode;
use newsdesk::report::Reporter;
use newsdesk::run::{RunOptions, run_day};
use newsdesk::store::{MemStore, Store};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

/// zh-Hant output conversion (OpenCC's Taiwan phrases plus the project's lists) against plain
/// character conversion (what it replaced) and the per-character fold the cluster stage uses.
fn script_conversion(articles: &[newsdesk::model::Article]) {
    use ferrous_opencc::OpenCC;
    use ferrous_opencc::config::BuiltinConfig;
    use newsdesk::model::Language;
    use newsdesk::text::script::fold_to_simplified;
    use newsdesk::text::to_script;
    let texts: Vec<&str> = articles.iter().map(|a| a.text.as_str()).collect();
    let chars: usize = texts.iter().map(|t| t.chars().count()).sum();
    let s2tw = OpenCC::from_config(BuiltinConfig::S2tw).unwrap();
    let report = |name: &str, took: Duration| {
        let rate = chars as f64 / took.as_secs_f64() / 1e6;
        println!("{name:<15}{chars:>9} chars: median {took:?} ({rate:.1} M chars/s)");
    };
    // Warm the dictionaries and tables once, outside the timings.
    to_script("预热", Language::ZhHant);
    fold_to_simplified("預熱");
    report(
        "to_script zhHant",
        time(5, || {
            texts
                .iter()
                .map(|t| to_script(t, Language::ZhHant).len())
                .sum::<usize>()
        }),
    );
    report(
        "s2tw chars only",
        time(5, || {
            texts.iter().map(|t| s2tw.convert(t).len()).sum::<usize>()
        }),
    );
    report(
        "cluster fold",
        time(5, || {
            texts
                .iter()
                .map(|t| fold_to_simplified(t).len())
                .sum::<usize>()
        }),
    );
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let corpus = root.join("../shared/corpus");
    if corpus.is_dir() {
        let mut days: Vec<String> = std::fs::read_dir(&corpus)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        days.sort();
        let parse = Instant::now();
        let collected = runtime.block_on(collect::collect_inputs(&days, &HttpOptions::default()));
        println!(
            "collect+parse  {:>5} articles from {} days: {:?}",
            collected.articles.len(),
            days.len(),
            parse.elapsed()
        );
        let articles = collected.articles;
        let params = ClusterParams::default();
        let clustered = time(5, || cluster::cluster(articles.clone(), &params));
        let stories = cluster::cluster(articles.clone(), &params);
        println!(
            "cluster        {:>5} articles -> {} stories: median {:?}",
            articles.len(),
            stories.len(),
            clustered
        );
        let rank_params = RankParams {
            max_topics: 48,
            focus_topics: 6,
            now: articles.iter().map(|a| a.published_at).max().unwrap(),
            min_relevance: RankParams::DEFAULT_MIN_RELEVANCE,
            weights: Default::default(),
        };
        let ranked = time(5, || cluster::rank(stories.clone(), &rank_params));
        println!(
            "rank           {:>5} stories: median {:?}",
            stories.len(),
            ranked
        );
        script_conversion(&articles);
    } else {
        println!("skipped corpus cases: {} is absent", corpus.display());
    }

    let config = Config::load(
        &root.join("fixtures/demo/newsdesk.toml"),
        &std::collections::BTreeMap::<String, String>::new(),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        date: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        out_dir: out.path().to_path_buf(),
        cache_mode: CacheMode::Rw,
        provider: Some(ProviderKind::Extractive),
        budget_usd: None,
        recorded_config: Default::default(),
        replay: None,
    };
    let clock = Arc::new(FixedClock(chrono::Utc::now()));
    let run = |store: Arc<dyn Store>| {
        runtime
            .block_on(run_day(
                &config,
                store,
                clock.clone(),
                &Reporter::silent(),
                &opts,
            ))
            .unwrap()
    };
    let cold = time(5, || run(Arc::new(MemStore::default())));
    let store: Arc<dyn Store> = Arc::new(MemStore::default());
    run(store.clone());
    let warm = time(5, || run(store.clone()));
    println!("fixture day    cold store (extractive writes 30 cards): median {cold:?}");
    println!("fixture day    warm store (every call a cache hit):     median {warm:?}");
}
