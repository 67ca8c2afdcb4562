//! `newsdesk eval` end to end through the binary, offline and without a key: the card suite
//! against the extractive baseline writes JSONL, Markdown and HTML for every fixture; the HTML
//! report loads in headless Chromium, shows every fixture and fetches nothing; `--bless` writes
//! the baseline, and a baseline the current run falls short of fails the gate with exit 1.

mod common;

use common::cli::{newsdesk, repo};

use std::path::{Path, PathBuf};
use std::process::Output;

use common::chromium;

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A scratch copy of the card suite (only its extractive variant) and its fixtures, so blessing
/// never touches the repository's evals/.
fn scratch_suite(dir: &Path) -> PathBuf {
    let evals = dir.join("evals");
    let cards = evals.join("fixtures/cards");
    std::fs::create_dir_all(&cards).unwrap();
    for entry in std::fs::read_dir(repo().join("evals/fixtures/cards")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "toml") {
            std::fs::copy(&path, cards.join(path.file_name().unwrap())).unwrap();
        }
    }
    let suite = evals.join("cards.toml");
    std::fs::write(
        &suite,
        "stage = \"card\"\nfixtures = [\"fixtures/cards\"]\n\n[[variants]]\nname = \"extractive\"\nprovider = \"extractive\"\n",
    )
    .unwrap();
    suite
}

/// `newsdesk eval --suite SUITE EXTRA…` in `dir`, with the store `dir/store`.
fn eval_in(dir: &Path, suite: &Path, extra: &[&str]) -> Output {
    let store = dir.join("store");
    let mut args = vec![
        "--store",
        store.to_str().unwrap(),
        "eval",
        "--suite",
        suite.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    newsdesk(&args, dir)
}

fn fixture_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(repo().join("evals/fixtures/cards"))
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension().is_some_and(|x| x == "toml"))
                .then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn extractive_card_suite_writes_every_report_for_every_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report");
    let store = dir.path().join("store");
    let out = newsdesk(
        &[
            "--store",
            store.to_str().unwrap(),
            "eval",
            "--suite",
            repo().join("evals/cards.toml").to_str().unwrap(),
            "--variant",
            "extractive",
            "--report",
            report.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(out.status.success(), "eval failed: {}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("number_grounding") && table.contains("gate:"),
        "{table}"
    );

    let ids = fixture_ids();
    assert!(ids.len() >= 3);
    let jsonl = std::fs::read_to_string(report.join("cards.results.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut seen: Vec<String> = lines
        .iter()
        .map(|l| l["fixture"].as_str().unwrap().to_string())
        .collect();
    seen.sort();
    assert_eq!(seen, ids, "one JSONL line per fixture");
    assert!(
        lines
            .iter()
            .all(|l| l["metrics"]["schema_valid"]["pass"] == true)
    );

    let md = std::fs::read_to_string(report.join("cards.summary.md")).unwrap();
    assert!(md.contains("| entity_recall |"), "{md}");

    let html_path = report.join("cards.report.html");
    let html = std::fs::read_to_string(&html_path).unwrap();
    for id in &ids {
        assert!(
            html.contains(&format!("id=\"fx-{id}\"")),
            "{id} missing from the HTML"
        );
    }

    // The same page as a browser shows it.
    if chromium::chromium().is_none() {
        return;
    }
    let dom = chromium::dump_dom(&html_path);
    assert_eq!(
        dom.matches("class=\"fixture\"").count(),
        ids.len(),
        "every fixture is a section of the loaded page"
    );
    assert!(dom.contains("Summary") && dom.contains("gate: ok"));
    let fetched: Vec<String> = chromium::requested_urls(&html_path)
        .into_iter()
        .filter(|u| !u.starts_with("file://"))
        .collect();
    assert!(fetched.is_empty(), "the report fetched {fetched:?}");
    let png = dir.path().join("report.png");
    chromium::screenshot(&html_path, &png);
    assert!(
        std::fs::metadata(&png).unwrap().len() > 10_000,
        "a blank screenshot"
    );
}

#[test]
fn bless_then_a_better_baseline_than_the_run_fails_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let suite = scratch_suite(dir.path());
    let run = |extra: &[&str]| eval_in(dir.path(), &suite, extra);

    let blessed = run(&["--bless"]);
    assert!(blessed.status.success(), "{}", stderr(&blessed));
    let baseline = dir.path().join("evals/baselines/cards.jsonl");
    let text = std::fs::read_to_string(&baseline).unwrap();
    assert_eq!(text.lines().count(), fixture_ids().len());

    // Against its own blessed results the baseline passes, and says where the baseline came from.
    let same = run(&["--json"]);
    assert!(same.status.success(), "{}", stderr(&same));
    let outcome: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    assert_eq!(outcome["gate_failed"], false);
    let comparison = &outcome["suites"][0]["comparisons"][0];
    assert!(
        comparison["baseline"]
            .as_str()
            .unwrap()
            .starts_with("blessed")
    );

    // A hand-edited baseline whose cards matched their references word for word: the run's
    // ROUGE-L falls short on every fixture, which the gate must call a regression with its CI.
    let better: String = text
        .lines()
        .map(|line| {
            let mut r: serde_json::Value = serde_json::from_str(line).unwrap();
            r["metrics"]["rouge_l"] = serde_json::json!({"value": 1.0, "pass": true});
            serde_json::to_string(&r).unwrap() + "\n"
        })
        .collect();
    std::fs::write(&baseline, better).unwrap();
    let worse = run(&["--json"]);
    assert_eq!(worse.status.code(), Some(1), "{}", stderr(&worse));
    let outcome: serde_json::Value = serde_json::from_slice(&worse.stdout).unwrap();
    assert_eq!(outcome["gate_failed"], true);
    let metrics = outcome["suites"][0]["comparisons"][0]["metrics"]
        .as_array()
        .unwrap();
    let rouge = metrics.iter().find(|m| m["metric"] == "rouge_l").unwrap();
    assert_eq!(rouge["verdict"], "regression", "{rouge}");
    assert!(rouge["delta"]["high"].as_f64().unwrap() < -0.1, "{rouge}");
    // Only the edited metric moved.
    let unchanged = metrics
        .iter()
        .filter(|m| m["verdict"] == "no_change")
        .count();
    assert_eq!(unchanged, metrics.len() - 1, "{metrics:?}");
}

#[test]
fn unknown_variant_is_named_with_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let suite = scratch_suite(dir.path());
    let out = newsdesk(
        &[
            "--store",
            dir.path().join("store").to_str().unwrap(),
            "eval",
            "--suite",
            suite.to_str().unwrap(),
            "--variant",
            "nope",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("\"nope\"") && err.contains("extractive"),
        "{err}"
    );
}

#[test]
fn a_variant_is_compared_with_the_blessed_results_it_names() {
    let dir = tempfile::tempdir().unwrap();
    let suite = scratch_suite(dir.path());
    let mut text = std::fs::read_to_string(&suite).unwrap();
    text.push_str(
        "\n[[variants]]\nname = \"lexical-b\"\nprovider = \"extractive\"\n\
         \n[[variants]]\nname = \"lexical-c\"\nprovider = \"extractive\"\ncompare_with = \"lexical-b\"\n",
    );
    std::fs::write(&suite, text).unwrap();
    let run = |extra: &[&str]| eval_in(dir.path(), &suite, extra);

    // Nothing to compare with yet: the error says which command blesses it.
    let early = run(&["--variant", "lexical-c"]);
    assert_eq!(early.status.code(), Some(1), "{}", stderr(&early));
    assert!(
        stderr(&early).contains("--variant lexical-b --bless"),
        "{}",
        stderr(&early)
    );

    // Blessing a variant other than the suite's baseline writes its own file.
    assert!(
        run(&["--variant", "extractive", "--bless"])
            .status
            .success()
    );
    let suite_baseline = dir.path().join("evals/baselines/cards.jsonl");
    let before = std::fs::read(&suite_baseline).unwrap();
    let blessed_b = run(&["--variant", "lexical-b", "--bless"]);
    assert!(blessed_b.status.success(), "{}", stderr(&blessed_b));
    let b_file = dir.path().join("evals/baselines/cards.lexical-b.jsonl");
    assert_eq!(
        std::fs::read_to_string(&b_file).unwrap().lines().count(),
        fixture_ids().len()
    );
    assert_eq!(std::fs::read(&suite_baseline).unwrap(), before);

    // lexical-c is judged against lexical-b's blessed results: a better hand-edited lexical-b
    // fails its gate, while lexical-b itself is still compared with the suite's baseline.
    let better: String = std::fs::read_to_string(&b_file)
        .unwrap()
        .lines()
        .map(|line| {
            let mut r: serde_json::Value = serde_json::from_str(line).unwrap();
            r["metrics"]["rouge_l"] = serde_json::json!({"value": 1.0, "pass": true});
            serde_json::to_string(&r).unwrap() + "\n"
        })
        .collect();
    std::fs::write(&b_file, better).unwrap();
    let c = run(&["--variant", "lexical-c", "--json"]);
    assert_eq!(c.status.code(), Some(1), "{}", stderr(&c));
    let outcome: serde_json::Value = serde_json::from_slice(&c.stdout).unwrap();
    let comparison = &outcome["suites"][0]["comparisons"][0];
    assert!(
        comparison["baseline"]
            .as_str()
            .unwrap()
            .ends_with("cards.lexical-b.jsonl"),
        "{comparison}"
    );
    let b = run(&["--variant", "lexical-b", "--json"]);
    assert!(b.status.success(), "{}", stderr(&b));

    // A name that is no variant is refused when the suite loads.
    let mut text = std::fs::read_to_string(&suite).unwrap();
    text = text.replace(
        "compare_with = \"lexical-b\"",
        "compare_with = \"lexical-z\"",
    );
    std::fs::write(&suite, text).unwrap();
    let bad = run(&["--variant", "lexical-c"]);
    assert_ne!(bad.status.code(), Some(0));
    assert!(
        stderr(&bad).contains("compare_with = \"lexical-z\""),
        "{}",
        stderr(&bad)
    );
}
