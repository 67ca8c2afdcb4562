//! The binary end to end, as cron and the README use it: `demo`, `run` twice on one store,
//! `cluster --json` on the real corpus, `lint` on the seed digest, config errors and exit codes;
//! `collect` and run health (a failed source is partial unless tolerated).

mod common;

use common::cli::{newsdesk, newsdesk_with, repo};

use std::path::{Path, PathBuf};
use std::process::Output;

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
    run_fixture_day_with(dir, config, store, extra, &[])
}

/// `run_fixture_day` with `env` set (an endpoint, say).
fn run_fixture_day_with(
    dir: &Path,
    config: &Path,
    store: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Output {
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
    newsdesk_with(&args, dir, env)
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
    assert!(dir.path().join("digest/2026-01-05.html").is_file());
}

/// Each layout from an unrelated directory: Markdown, HTML and JSON written, the Markdown
/// lint-clean under layout detection and under `--layout`.
#[test]
fn demo_writes_every_layout_lint_clean() {
    let dir = tempfile::tempdir().unwrap();
    for (layout, marker) in [
        ("daily", "## 今日焦點"),
        ("speedread", "## ⚡ 本期速覽"),
        ("brief", "## 更多動態"),
    ] {
        let out = newsdesk(
            &["-q", "demo", "--layout", layout, "--out", layout],
            dir.path(),
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{layout}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let md_path = dir.path().join(layout).join("2026-01-05.md");
        let md = std::fs::read_to_string(&md_path).unwrap();
        assert!(md.contains(marker), "{layout} shows {marker}");
        for ext in ["html", "json"] {
            assert!(
                dir.path()
                    .join(layout)
                    .join(format!("2026-01-05.{ext}"))
                    .is_file()
            );
        }
        for extra in [&[][..], &["--layout", layout][..]] {
            let mut args = vec!["lint", md_path.to_str().unwrap()];
            args.extend_from_slice(extra);
            let lint = newsdesk(&args, dir.path());
            assert_eq!(
                lint.status.code(),
                Some(0),
                "{layout} {extra:?}: {}",
                String::from_utf8_lossy(&lint.stdout)
            );
        }
    }
    // The demo runs its embedded config: a --config it would ignore is refused.
    let out = newsdesk(&["demo", "--config", "mine.toml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("drop --config"));
}

#[test]
fn lint_refuses_empty_and_non_digest_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.md"), "").unwrap();
    std::fs::write(dir.path().join("notes.md"), "# Notes\n\nNothing to see.\n").unwrap();
    for file in ["empty.md", "notes.md"] {
        let out = newsdesk(&["lint", file], dir.path());
        assert_eq!(out.status.code(), Some(1), "{file}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains(&format!(
                "{file}:1: error[not-a-digest]: no digest structure found"
            )),
            "{stdout}"
        );
    }
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
    // The same inputs give the same run id and the same bytes: nothing reads the wall clock.
    assert_eq!(first["run_id"], second["run_id"]);
    assert_eq!(first_md, second_md);
    // The digest is dated by its own day, not by when it was made.
    assert!(
        first_md.contains("date: 2026-01-05T23:59:59+08:00"),
        "{}",
        &first_md[..400.min(first_md.len())]
    );
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
fn negative_or_nan_budgets_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    for value in ["-1", "NaN", "inf", "lots"] {
        for args in [vec!["--budget-usd", value], vec![]] {
            let joined = format!("--budget-usd={value}");
            let args: Vec<&str> = if args.is_empty() {
                vec![joined.as_str()]
            } else {
                args
            };
            let out = run_fixture_day(dir.path(), &config, "st", &args);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{value}: {stderr}");
            assert!(stderr.contains("USD"), "{value}: {stderr}");
            assert!(!stderr.contains("unexpected argument"), "{value}: {stderr}");
        }
    }
}

#[test]
fn help_lists_every_command_and_a_history_command_without_a_store_or_config_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    // No --store and no newsdesk.toml: the store cannot be located, a usage error.
    let out = newsdesk(&["runs", "list"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("newsdesk.toml"));
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

/// A provider nobody answers at (a port just closed on 127.0.0.1): the run stops at the first
/// topics' connection failures with one message naming the endpoint — no progress line for the
/// topics that then failed at once, nothing published — in at most five lines.
#[test]
fn an_unreachable_provider_stops_the_run_in_five_lines_naming_its_base_url() {
    let dir = tempfile::tempdir().unwrap();
    let config = std::fs::read_to_string(repo().join("scripts/real-model/newsdesk.toml"))
        .unwrap()
        .replace(
            "url = \"../../fixtures/days/2026-01-05\"",
            &format!("url = {:?}", fixture_day().to_str().unwrap()),
        );
    let config_path = dir.path().join("newsdesk.toml");
    std::fs::write(&config_path, config).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    let out = run_fixture_day_with(
        dir.path(),
        &config_path,
        "store",
        &[],
        &[("OPENAI_BASE_URL", &base_url)],
    );
    assert_eq!(out.status.code(), Some(1));
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(printed.lines().count() <= 5, "{printed}");
    assert!(!printed.contains("cards:"), "{printed}");
    let error = printed.lines().last().unwrap();
    assert!(
        error.contains(&base_url) && error.contains("nothing was published"),
        "{printed}"
    );
    assert!(!dir.path().join("out").exists());
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

/// A source whose directory does not exist, appended to a fixture-day config.
const GONE_SOURCE: &str = "[[sources]]\nname = \"gone\"\nurl = \"no-such-dir\"\n";

#[test]
fn collect_reports_each_configured_source_and_a_failure_is_partial() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), GONE_SOURCE);
    let args = [
        "--config",
        config.to_str().unwrap(),
        "--store",
        "store",
        "collect",
        "--date",
        "2026-01-05",
        "--json",
    ];
    let out = newsdesk(&args, dir.path());
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let doc = stdout_json(&out);
    assert_eq!(doc["status"], "partial");
    assert_eq!(doc["failed_sources"], serde_json::json!(["gone"]));
    let sources = doc["sources"].as_array().unwrap();
    assert_eq!(
        sources.len(),
        2,
        "two configured sources, however many files"
    );
    assert_eq!(sources[0]["name"], "fixture-day");
    assert_eq!(sources[0]["status"], "read");
    let articles = sources[0]["articles"].as_u64().unwrap();
    assert!(articles > 20, "{articles}");
    // New = distinct ids the store had not seen; a verbatim repost in two files counts once.
    let new = sources[0]["new_articles"].as_u64().unwrap();
    assert!(new > 20 && new <= articles, "{new} of {articles}");
    assert_eq!(sources[1]["status"], "failed");
    assert!(
        sources[1]["error"]
            .as_str()
            .unwrap()
            .contains("no-such-dir"),
        "{doc}"
    );
    assert!(doc["articles_in_window"].as_u64().unwrap() > 0);

    // The same store again: nothing new.
    let again = stdout_json(&newsdesk(&args, dir.path()));
    assert_eq!(again["sources"][0]["new_articles"], 0);
    assert_eq!(again["new_articles"], 0);

    // The text report names both sources and the reason.
    let out = newsdesk(&args[..args.len() - 1], dir.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2 source(s): 1 ok, 1 failed"), "{text}");
    assert!(text.contains("✗ gone"), "{text}");
}

#[test]
fn tolerated_failures_keep_collect_ok() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!("{GONE_SOURCE}\n[collect]\ntolerate_failed_sources = 1\n"),
    );
    let out = newsdesk(
        &[
            "--config",
            config.to_str().unwrap(),
            "--store",
            "store",
            "collect",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(stdout_json(&out)["status"], "ok");
}

#[test]
fn a_run_with_a_dead_source_is_partial_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), GONE_SOURCE);
    let out = run_fixture_day(dir.path(), &config, "store", &[]);
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("collecting 2 source(s)"), "{stderr}");
    assert!(stdout.contains("sources    1 ok, 1 failed"), "{stdout}");
    assert!(stdout.contains("partial: 1 source(s) failed"), "{stdout}");
    assert!(stdout.contains("✗ gone: "), "{stdout}");
    assert!(dir.path().join("out/2026-01-05.md").exists());
}

#[test]
fn llm_triage_through_the_extractive_provider_drops_the_off_topic_items() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "[triage]\nenabled = true\nbatch_size = 20\n");
    let out = run_fixture_day(
        dir.path(),
        &config,
        "store",
        &["--json", "--provider", "extractive"],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let summary = stdout_json(&out);
    let off_topic = off_topic_urls();
    assert!(!off_topic.is_empty());
    // Triage removes them before clustering, so the rank stage's own filter finds none left.
    assert!(
        summary["triaged_out"].as_u64().unwrap() >= off_topic.len() as u64,
        "{summary}"
    );
    assert_eq!(summary["off_topic"], 0, "{summary}");
    let md = std::fs::read_to_string(dir.path().join("out/2026-01-05.md")).unwrap();
    for url in off_topic {
        assert!(
            !md.contains(&url),
            "off-topic item {url} made it into the digest"
        );
    }
    // The triage calls are cached like any other: a second run asks nothing new.
    let again = stdout_json(&run_fixture_day(
        dir.path(),
        &config,
        "store",
        &["--json", "--provider", "extractive"],
    ));
    assert_eq!(again["provider_calls"], 0, "{again}");
    assert_eq!(again["triaged_out"], summary["triaged_out"]);
}

/// Cross-day memory: yesterday's digest (made here from today's, so the overlap is known) told
/// some of today's stories. Those whose every article it cited are dropped; those it cited only
/// in part come back as follow-ups (marked 持續追蹤) or are dropped for lack of new facts.
#[test]
fn stories_told_yesterday_are_dropped_or_continue() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), "");
    let first = run_fixture_day(dir.path(), &config, "store1", &["--json"]);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    let today: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("out/2026-01-05.json")).unwrap(),
    )
    .unwrap();
    // "Yesterday" told three single-source stories in full and two multi-source ones in part.
    let cards = today["cards"].as_array().unwrap();
    let single: Vec<serde_json::Value> = cards
        .iter()
        .filter(|c| c["sources"].as_array().unwrap().len() == 1)
        .take(3)
        .cloned()
        .collect();
    let partial: Vec<serde_json::Value> = cards
        .iter()
        .filter(|c| c["sources"].as_array().unwrap().len() >= 2)
        .take(2)
        .map(|c| {
            let mut c = c.clone();
            c["sources"].as_array_mut().unwrap().truncate(1);
            c
        })
        .collect();
    assert_eq!((single.len(), partial.len()), (3, 2), "fixture day shape");
    let mut yesterday = today.clone();
    yesterday["date"] = "2026-01-04".into();
    yesterday["cards"] = single.iter().chain(&partial).cloned().collect();
    std::fs::write(
        dir.path().join("out/2026-01-04.json"),
        serde_json::to_vec(&yesterday).unwrap(),
    )
    .unwrap();

    let second = run_fixture_day(dir.path(), &config, "store2", &["--json"]);
    assert_eq!(second.status.code(), Some(0), "{second:?}");
    let summary = stdout_json(&second);
    let repeated = summary["stories_repeated"].as_u64().unwrap();
    let continuing = summary["stories_continuing"].as_u64().unwrap();
    assert!(repeated >= 3, "{summary}");
    assert_eq!(repeated + continuing, 5, "{summary}");
    // Memory runs before ranking, so fresh stories beyond yesterday's cap take the freed places.
    assert!(
        summary["cards"].as_u64().unwrap() >= first_cards(&first) - repeated,
        "{summary}"
    );
    let md = std::fs::read_to_string(dir.path().join("out/2026-01-05.md")).unwrap();
    assert_eq!(
        md.matches("### 【持續追蹤】").count() as u64,
        continuing,
        "{md}"
    );
    for card in &single {
        let url = card["sources"][0]["url"].as_str().unwrap();
        assert!(!md.contains(url), "{url} was published yesterday");
    }

    // Memory off: everything is back.
    let config = write_config(dir.path(), "[collect]\nmemory_days = 0\n");
    let third = stdout_json(&run_fixture_day(dir.path(), &config, "store3", &["--json"]));
    assert_eq!(third["stories_repeated"], 0);
    assert_eq!(third["cards"].as_u64(), Some(first_cards(&first)));
}

fn first_cards(out: &Output) -> u64 {
    stdout_json(out)["cards"].as_u64().unwrap()
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
