//! The roll-up over the project's fixture day (always present): the run records its cards, the
//! week groups them, every language renders lint-clean, and a second roll-up is byte-identical
//! and answered from the cache.

use std::path::Path;
use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::clock::FixedClock;
use crate::config::ProcessEnv;
use crate::model::Language;
use crate::report::Reporter;
use crate::run::{RunOptions, run_day};
use crate::store::MemStore;

fn fixture_config(language: Language) -> Config {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/newsdesk.toml");
    let mut config = Config::load(&path, &ProcessEnv).expect("the demo config loads");
    config.digest.language = language;
    config
}

async fn fixture_week(language: Language) -> (Arc<dyn Store>, Config, tempfile::TempDir) {
    let config = fixture_config(language);
    let store: Arc<dyn Store> = Arc::new(MemStore::default());
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 1, 5, 22, 0, 0).unwrap(),
    ));
    let opts = RunOptions {
        date: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        out_dir: dir.path().join("day"),
        cache_mode: CacheMode::Rw,
        provider: Some(ProviderKind::Extractive),
        budget_usd: None,
        recorded_config: Default::default(),
        replay: None,
    };
    run_day(&config, store.clone(), clock, &Reporter::silent(), &opts)
        .await
        .expect("the fixture day runs");
    (store, config, dir)
}

fn options(out: &Path, mode: CacheMode) -> WeeklyOptions {
    WeeklyOptions {
        week: None,
        out_dir: out.to_path_buf(),
        cache_mode: mode,
        provider: Some(ProviderKind::Extractive),
    }
}

async fn roll(config: &Config, store: &Arc<dyn Store>, opts: &WeeklyOptions) -> WeeklySummary {
    let clock = Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 1, 6, 0, 0, 0).unwrap(),
    ));
    roll_up(config, store.clone(), clock, &Reporter::silent(), opts)
        .await
        .expect("the roll-up succeeds")
}

#[tokio::test]
async fn fixture_day_rolls_up_replays_byte_for_byte_and_is_lint_clean() {
    let (store, config, dir) = fixture_week(Language::ZhHant).await;
    let first = roll(
        &config,
        &store,
        &options(&dir.path().join("a"), CacheMode::Rw),
    )
    .await;
    assert_eq!(first.week, "2026-W02");
    assert_eq!(first.runs.len(), 1);
    assert!(first.themes >= 2, "{first:?}");
    assert!(first.themes <= themes::MAX_THEMES);
    assert_eq!(
        first.provider_calls,
        first.themes + 1,
        "one call per theme + overview"
    );
    assert_eq!(first.lint_errors, 0, "{first:?}");
    assert!(!first.is_partial(), "{first:?}");

    // Same runs, replay mode: no provider call and the same bytes in all three files.
    let second = roll(
        &config,
        &store,
        &options(&dir.path().join("b"), CacheMode::Replay),
    )
    .await;
    assert_eq!(second.provider_calls, 0);
    assert_eq!(second.cache_hits, first.themes + 1);
    for ext in ["md", "html", "json"] {
        let a = std::fs::read(dir.path().join(format!("a/2026-W02.{ext}"))).unwrap();
        let b = std::fs::read(dir.path().join(format!("b/2026-W02.{ext}"))).unwrap();
        assert_eq!(a, b, "{ext} differs between two roll-ups of the same runs");
    }

    let md = std::fs::read_to_string(dir.path().join("a/2026-W02.md")).unwrap();
    for label in ["核心觀察", "邏輯鏈條", "本質洞見", "本週概覽", "本週報導"] {
        assert!(md.contains(label), "missing {label}:\n{md}");
    }
    let json: WeeklyDigest =
        serde_json::from_slice(&std::fs::read(dir.path().join("a/2026-W02.json")).unwrap())
            .unwrap();
    assert_eq!(json.themes.len(), first.themes);
    // Every cited card is one of the day's cards, and each cites one absolute link at most once.
    let mut urls = Vec::new();
    for theme in &json.themes {
        assert!(theme.cards.len() >= 2, "{theme:?}");
        assert!(theme.card.observations.len() >= 2);
        for card in &theme.cards {
            let url = &card
                .source
                .as_ref()
                .expect("fixture cards have sources")
                .url;
            assert!(url.starts_with("https://"), "{url}");
            assert!(md.contains(url.as_str()), "{url} not rendered");
            urls.push(url.clone());
        }
    }
    let unique: std::collections::BTreeSet<&String> = urls.iter().collect();
    assert_eq!(unique.len(), urls.len(), "a story cited under two themes");
    let html = std::fs::read_to_string(dir.path().join("a/2026-W02.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script") && !html.contains("src=\"http"));
    assert_eq!(
        html.matches("<section class=\"theme\"").count(),
        first.themes
    );
}

#[tokio::test]
async fn every_language_gets_its_labels_and_script() {
    for (language, labels) in [
        (Language::ZhHans, ["核心观察", "逻辑链条", "本质洞见"]),
        (
            Language::En,
            [
                "Key Observations",
                "Chain of Reasoning",
                "Essential Insight",
            ],
        ),
    ] {
        let (store, config, dir) = fixture_week(language).await;
        let summary = roll(&config, &store, &options(dir.path(), CacheMode::Rw)).await;
        assert_eq!(summary.lint_errors, 0, "{language}: {summary:?}");
        let md = std::fs::read_to_string(dir.path().join("2026-W02.md")).unwrap();
        for label in labels {
            assert!(md.contains(label), "{language}: missing {label}");
        }
        if language == Language::ZhHans {
            assert!(
                !md.contains("本週"),
                "Traditional label in a zh-Hans roll-up"
            );
        }
    }
}

#[tokio::test]
async fn an_empty_week_says_which_week_and_what_to_run() {
    let config = fixture_config(Language::ZhHant);
    let store: Arc<dyn Store> = Arc::new(MemStore::default());
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 1, 6, 0, 0, 0).unwrap(),
    ));
    let err = roll_up(
        &config,
        store.clone(),
        clock.clone(),
        &Reporter::silent(),
        &options(dir.path(), CacheMode::Rw),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, WeeklyError::NoRuns), "{err}");
    let mut opts = options(dir.path(), CacheMode::Rw);
    opts.week = Some("2026-W03".parse().unwrap());
    let err = roll_up(&config, store, clock, &Reporter::silent(), &opts)
        .await
        .unwrap_err();
    let message = err.to_string();
    assert!(
        message.contains("2026-W03") && message.contains("newsdesk run"),
        "{message}"
    );
}
