//! The binary end to end, as cron and the README use it: `demo`, `run` twice on one store,
//! `cluster --json` on the real corpus, `lint` on the seed digest, config errors and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn newsdesk(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .args(args)
        .current_dir(cwd)
        .env_remove("OPENAI_API_KEY")
        .env_remove("OPENAI_BASE_URL")
        .env_remove("NEWSDESK_MODEL")
        .env_remove("NEWSDESK_STORE")
        .output()
        .expect("the newsdesk binary runs")
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture_day() -> PathBuf {
    repo().join("fixtures/days/2026-01-05")
}

fn stdout_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The gold off-topic URLs of the fixture day.
fn off_topic_urls() -> Vec<String> {
    let gold: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(fixture_day().join("stories.json")).unwrap())
            .unwrap();
    gold.into_iter()
        .filter(|(_, label)| label.as_str().unwrap().starts_with("off-topic:"))
        .map(|(url, _)| url)
        .collect()
}

/// A config like the demo's, written to `dir`, reading the fixture day by absolute path.
fn write_config(dir: &Path, extra: &str) -> PathBuf {
    let demo = std::fs::read_to_string(repo().join("fixtures/demo/newsdesk.toml")).unwrap();
    let config = demo.replace(
        "url = \"../days/2026-01-05\"",
        &format!("url = {:?}", fixture_day().to_str().unwrap()),
    );
    let path = dir.join("newsdesk.toml");
    std::fs::write(&path, format!("{config}\n{extra}")).unwrap();
    path
}

/// `newsdesk --config CONFIG --store STORE run --date 2026-01-05 --out out EXTRA...` in `dir`.
fn run_fixture_day(dir: &Path, config: &Path, store: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "--config",
        config.to_str().unwrap(),
        "--store",
        store,
        "run",
        "--date",
        "2026-01-05",
        "--out",
        "out",
    ];
    args.extend_from_slice(extra);
    newsdesk(&args, dir)
}

#[test]
fn demo_writes_a_lint_clean_digest_without_off_topic_items() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsdesk(&["demo", "--out", "digest", "--json"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = stdout_json(&out);
    let md_path = dir.path().join("digest/2026-01-05.md");
    assert_eq!(
        summary["output"].as_str().map(Path::new),
        Some(Path::new("digest/2026-01-05.md"))
    );
    let md = std::fs::read_to_string(&md_path).unwrap();

    let cards = md.lines().filter(|l| l.starts_with("### ")).count();
    let news_sections: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("## "))
        .filter(|l| {
            !["## 今日焦點", "## 編輯洞察", "## 延伸閱讀"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .collect();
    assert!(summary["cards"].as_u64().unwrap() >= 8, "{summary}");
    assert!(cards >= 8, "{cards} cards");
    assert!(news_sections.len() >= 3, "{news_sections:?}");
    assert!(
        md.contains("## 編輯洞察") && md.contains("### 趨勢總結") && md.contains("**關注清單**")
    );
    assert!(md.contains("*資料來源："), "footer with counts");
    for url in off_topic_urls() {
        assert!(
            !md.contains(&url),
            "off-topic item {url} made it into the digest"
        );
    }

    let lint = newsdesk(&["lint", md_path.to_str().unwrap()], dir.path());
    assert_eq!(
        lint.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    assert!(dir.path().join("digest/2026-01-05.json").is_file());
}

#[test]
fn second_run_of_the_same_day_makes_zero_provider_calls() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let run = || run_fixture_day(dir.path(), &config, "store", &["--json"]);
    let first = run();
    assert!(
        matches!(first.status.code(), Some(0) | Some(3)),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let first = stdout_json(&first);
    assert!(first["provider_calls"].as_u64().unwrap() > 0);
    let first_md = std::fs::read_to_string(dir.path().join("out/2026-01-05.md")).unwrap();

    let second = run();
    let second = stdout_json(&second);
    assert_eq!(second["provider_calls"], 0, "{second}");
    assert_eq!(
        second["cache_hits"], first["provider_calls"],
        "every call is answered from the store"
    );
    assert_eq!(second["cards"], first["cards"]);
    let second_md = std::fs::read_to_string(dir.path().join("out/2026-01-05.md")).unwrap();
    // Same cards, same text; only the run id and generation time may differ.
    let body = |md: &str| {
        md.lines()
            .filter(|l| {
                !l.starts_with("date:") && !l.contains("run:") && !l.contains("報告生成時間")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(body(&first_md), body(&second_md));
}

#[test]
fn bad_config_exits_2_naming_file_and_every_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("newsdesk.toml");
    std::fs::write(&path, "[digest]\nlanguage = \"klingon\"\ncolour = \"blue\"\nwindow_hours = \"a day\"\n[[digest.sections]]\nid = \"m\"\n").unwrap();
    let out = newsdesk(&["--config", path.to_str().unwrap(), "run"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for needle in [
        path.to_str().unwrap(),
        "digest.language",
        "klingon",
        "digest.colour",
        "digest.window_hours",
        "expected an integer",
    ] {
        assert!(
            stderr.contains(needle),
            "stderr lacks {needle:?}:\n{stderr}"
        );
    }
}

#[test]
fn missing_config_and_missing_api_key_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsdesk(&["run"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("newsdesk.toml"));

    let config = write_config(dir.path(), "");
    let with_openai = std::fs::read_to_string(&config).unwrap().replace(
        "kind = \"extractive\"",
        "kind = \"openai\"\npreset = \"deepseek\"",
    );
    std::fs::write(&config, with_openai).unwrap();
    let out = newsdesk(&["--config", config.to_str().unwrap(), "run"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("DEEPSEEK_API_KEY"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Only a run that will call the provider needs its key (issue 6): `--provider extractive` and
/// `--cache-mode replay` on an openai config run keyless; `--provider openai` on an extractive
/// config checks the key up front instead of failing later with 401s.
#[test]
fn the_key_is_required_only_when_the_provider_will_be_called() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let extractive_text = std::fs::read_to_string(&config).unwrap();
    let openai = dir.path().join("openai.toml");
    std::fs::write(
        &openai,
        extractive_text.replace(
            "kind = \"extractive\"",
            "kind = \"openai\"\npreset = \"deepseek\"",
        ),
    )
    .unwrap();

    let out = run_fixture_day(dir.path(), &openai, "st1", &["--provider", "extractive"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0) | Some(3)), "{stderr}");
    assert!(!stderr.contains("DEEPSEEK_API_KEY"), "{stderr}");

    // Replay on an empty store: every card misses (exit 1), but no key is asked for.
    let out = run_fixture_day(dir.path(), &openai, "st2", &["--cache-mode", "replay"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("DEEPSEEK_API_KEY"), "{stderr}");
    assert!(stderr.contains("replay"), "{stderr}");

    let out = run_fixture_day(dir.path(), &config, "st3", &["--provider", "openai"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("OPENAI_API_KEY"), "{stderr}");
}

#[test]
fn reserved_commands_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsdesk(&["replay", "20260105-abc"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not yet available"));
    let help = newsdesk(&["--help"], dir.path());
    let help = String::from_utf8_lossy(&help.stdout);
    for command in [
        "demo", "run", "cluster", "lint", "collect", "replay", "runs", "cache", "eval",
    ] {
        assert!(help.contains(command), "--help lists {command}");
    }
}

#[test]
fn lint_flags_the_seed_digest_with_line_numbers() {
    let seed = repo().join("../shared/seeds/000_b72983e3a120e600.txt");
    if !seed.exists() {
        eprintln!("skipped: {} is absent", seed.display());
        return;
    }
    let out = newsdesk(&["lint", seed.to_str().unwrap(), "--json"], &repo());
    assert_eq!(out.status.code(), Some(1));
    let report = stdout_json(&out);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "bad-link",
        "placeholder",
        "duplicate-story",
        "missing-field",
    ] {
        assert!(
            rules.contains(&rule),
            "seed not flagged for {rule}: {rules:?}"
        );
    }
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["line"].as_u64().unwrap() > 0)
    );
}

#[test]
fn cluster_json_places_every_corpus_article_in_a_story() {
    let day = repo().join("../shared/corpus/2026-01-14");
    if !day.exists() {
        eprintln!("skipped: {} is absent", day.display());
        return;
    }
    let out = newsdesk(&["cluster", day.to_str().unwrap(), "--json"], &repo());
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = stdout_json(&out);
    let stories = doc["stories"].as_array().unwrap();
    let mut urls: Vec<&str> = stories
        .iter()
        .flat_map(|s| {
            s["articles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["url"].as_str().unwrap())
        })
        .collect();
    assert!(
        stories
            .iter()
            .all(|s| s["id"].as_str().is_some_and(|id| !id.is_empty()))
    );
    let placed = urls.len();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), placed, "an article is in two stories");
    // Every item of the day's feeds is placed (the corpus has no duplicate links within a day).
    let items: usize = std::fs::read_dir(&day)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml" || x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            if p.extension().unwrap() == "json" {
                serde_json::from_str::<serde_json::Value>(&text).unwrap()["items"]
                    .as_array()
                    .unwrap()
                    .len()
            } else {
                text.matches("<item>").count() + text.matches("<entry>").count()
            }
        })
        .sum();
    assert_eq!(placed, items);
}

#[test]
fn too_few_cards_publishes_nothing_and_replay_never_calls_the_provider() {
    let dir = tempfile::tempdir().unwrap();
    // The fixture day has 36 on-topic stories; demanding 40 cards must publish nothing.
    let config = write_config(dir.path(), "");
    let strict = std::fs::read_to_string(&config)
        .unwrap()
        .replace("max_topics = 30", "max_topics = 60")
        .replace("min_topics = 5", "min_topics = 40");
    std::fs::write(&config, strict).unwrap();
    let out = run_fixture_day(dir.path(), &config, "store", &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("fewer than digest.min_topics = 40")
            && stderr.contains("nothing was published"),
        "{stderr}"
    );
    assert!(!dir.path().join("out/2026-01-05.md").exists());

    // Replay against a store that has never seen this day: every call is a miss, none is made.
    let config = write_config(dir.path(), "");
    let run = || {
        run_fixture_day(
            dir.path(),
            &config,
            "empty-store",
            &["--cache-mode", "replay"],
        )
    };
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cache miss in replay mode"), "{stderr}");
    assert!(!dir.path().join("out/2026-01-05.md").exists());
}

#[test]
fn a_day_with_no_articles_in_its_window_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let out = newsdesk(
        &[
            "--config",
            config.to_str().unwrap(),
            "--store",
            "s",
            "run",
            "--date",
            "2025-06-01",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no articles published between"));
}

#[test]
fn cluster_gold_scores_and_json_is_ranked_with_score_parts() {
    let day = repo().join("fixtures/days/2026-01-05");
    let gold = day.join("stories.json");
    let out = newsdesk(
        &[
            "cluster",
            day.to_str().unwrap(),
            "--gold",
            gold.to_str().unwrap(),
        ],
        &repo(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "pairwise  P 1.000 R 1.000 F1 1.000   (singletons: P 1.000 R 0.000 F1 0.000)"
        ),
        "{text}"
    );
    assert!(
        text.contains("ARI       1.000   (singletons: 0.000)"),
        "{text}"
    );

    let out = newsdesk(
        &[
            "cluster",
            day.to_str().unwrap(),
            "--json",
            "--gold",
            gold.to_str().unwrap(),
        ],
        &repo(),
    );
    let doc = stdout_json(&out);
    assert_eq!(doc["gold"]["scores"]["bcubed"]["f1"], 1.0);
    assert_eq!(doc["gold"]["singletons"]["pairwise"]["recall"], 0.0);
    let stories = doc["stories"].as_array().unwrap();
    let ranked: Vec<&serde_json::Value> =
        stories.iter().filter(|s| s["off_topic"] == false).collect();
    // Best first, ranks 1..n, then the off-topic stories, unranked.
    for (i, s) in ranked.iter().enumerate() {
        assert_eq!(s["rank"].as_u64(), Some(i as u64 + 1));
    }
    let totals: Vec<f64> = ranked
        .iter()
        .map(|s| s["score"]["total"].as_f64().unwrap())
        .collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");
    assert!(stories[ranked.len()..].iter().all(|s| s["rank"].is_null()));
    let top = &ranked[0];
    assert!(top["score"]["distinct_outlets"].as_u64().unwrap() >= 2);
    for key in [
        "tier_score",
        "recency_score",
        "size_score",
        "relevance_score",
        "outlets_score",
    ] {
        assert!(top["score"][key].is_f64(), "{key}");
    }
    let article = &top["articles"][0];
    assert!(article["outlet"].as_str().is_some_and(|o| !o.is_empty()));
    assert!(
        article["published_at"]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-01-0"))
    );
}
