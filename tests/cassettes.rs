//! A real model's answers, replayed without it. `fixtures/cassettes/real-model.jsonl` holds what
//! Qwen2.5-Coder-1.5B-Instruct (llama.cpp's own server, through ../shared/peers/real_llm.sh)
//! answered for the bundled fixture day (5 topics) and, when recorded, the card eval suite;
//! `fixtures/cassettes/recording.json` says what the recording did. These tests put the answers
//! through the real pipeline with `--cache-mode replay`: no network, and a request that differs
//! from the recorded one (a prompt edit, a schema change) is a miss, reported as a stale cassette
//! with the command that re-records it.

use std::path::Path;
use std::process::Output;

mod common;
use common::cli::{newsdesk_with, repo};
use common::digest::fallback_cards;

fn recording() -> serde_json::Value {
    let text = std::fs::read_to_string(repo().join("fixtures/cassettes/recording.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The binary with the recorded endpoint (part of every cache key; replay never connects).
fn newsdesk(dir: &Path, args: &[&str]) -> Output {
    let recording = recording();
    let base_url = recording["base_url"].as_str().unwrap();
    newsdesk_with(args, dir, &[("OPENAI_BASE_URL", base_url)])
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Fails with what to do when the answers no longer match today's requests. (A re-ask the
/// recording could not send — its conversation outgrew the window — is a miss by design, noted in
/// a warning; only a command that fails on a miss means a stale cassette.)
fn assert_not_stale(out: &Output) {
    let said = text(out);
    assert!(
        out.status.success() || !said.contains("cache miss in replay mode"),
        "the real-model cassette is stale: a request changed since it was recorded (a prompt, the \
         schema or the config). Re-record it with scripts/real-model/record.sh (starts the real \
         model through ../shared/peers/real_llm.sh; the day ~15 min on 2 idle cores).\n{said}"
    );
}

fn imported_store(dir: &Path) {
    let cassette = repo().join("fixtures/cassettes/real-model.jsonl");
    let out = newsdesk(
        dir,
        &[
            "--store",
            "store",
            "cache",
            "import",
            cassette.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn the_recorded_night_replays_byte_for_byte_with_its_repairs_and_fallbacks() {
    let dir = tempfile::tempdir().unwrap();
    imported_store(dir.path());
    let recorded = recording();
    let run_id = recorded["run_id"].as_str().unwrap();

    // The recorded run replays to the same bytes (its own config and prompts).
    let out = newsdesk(
        dir.path(),
        &[
            "--store", "store", "replay", run_id, "--out", "replayed", "--check",
        ],
    );
    assert_not_stale(&out);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Today's pipeline with today's prompts asks the same questions and gets a digest with the
    // counts the recording had: re-asks, local repairs and fallbacks come from the real answers.
    let config = repo().join("scripts/real-model/newsdesk.toml");
    let out = newsdesk(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--store",
            "store",
            "run",
            "--date",
            "2026-01-05",
            "--cache-mode",
            "replay",
            "--out",
            "out",
            "--json",
        ],
    );
    assert_not_stale(&out);
    let summary: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    assert_eq!(summary["run_id"], recorded["run_id"]);
    assert_eq!(summary["cards"], recorded["cards"]);
    assert_eq!(
        summary["card_stats"], recorded["card_stats"],
        "the card stage no longer takes the recorded answers the way it did: if the check or the \
         prompts changed on purpose, re-record with scripts/real-model/record.sh"
    );
    assert_eq!(summary["lint_errors"], 0, "{}", text(&out));
    assert_eq!(summary["provider_calls"], 0, "replay calls nothing");
    let digest = std::fs::read_to_string(dir.path().join("out/2026-01-05.md")).unwrap();
    assert!(digest.contains("model: \"local\""), "{digest}");
    // A fallback card is marked where lint and readers of the JSON can see it.
    let fallbacks = recorded["card_stats"]["fallbacks"].as_u64().unwrap() as usize;
    assert_eq!(
        fallback_cards(&dir.path().join("out/2026-01-05.json")),
        fallbacks
    );
    assert_eq!(digest.contains("extractive_fallback:"), fallbacks > 0);
}

#[test]
fn demo_cassette_renders_the_model_written_day_offline() {
    let dir = tempfile::tempdir().unwrap();
    let out = newsdesk(
        dir.path(),
        &["demo", "--cassette", "--out", "out", "--json"],
    );
    assert_not_stale(&out);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["card_stats"], recording()["card_stats"]);
    assert_eq!(summary["lint_errors"], 0);
    let digest = std::fs::read_to_string(dir.path().join("out/2026-01-05.md")).unwrap();
    assert!(digest.contains("provider: \"openai\""), "{digest}");
}

#[test]
fn the_card_eval_replays_the_real_models_figures() {
    // A recording made without the eval suite (the day alone, on a machine too busy for 30 more
    // real-model cards) has no figures to compare: say so rather than call every request stale.
    if recording()["eval"]["local"].is_null() {
        eprintln!(
            "skipped: fixtures/cassettes/recording.json has no card-eval figures — this cassette \
             holds the fixture day only; scripts/real-model/record.sh records the eval too"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    imported_store(dir.path());
    let config = repo().join("scripts/real-model/newsdesk.toml");
    let suite = repo().join("evals/cards.toml");
    let out = newsdesk(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--store",
            "store",
            "eval",
            "--suite",
            suite.to_str().unwrap(),
            "--variant",
            "local",
            "--cache-mode",
            "replay",
            "--report",
            "report",
            "--json",
        ],
    );
    assert_not_stale(&out);
    // Progress counts the replayed answers as the card stage does: every call a cache hit.
    let said = text(&out);
    let last = said
        .lines()
        .rfind(|l| l.contains("fixtures: 30/30"))
        .unwrap_or_else(|| panic!("no progress line: {said}"));
    let hits: usize = last
        .split('(')
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{last}"));
    assert!(hits >= 30, "{last}");
    let outcome: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    // A re-ask whose message changed (a check rule, a hint) misses inside one fixture while the
    // eval as a whole succeeds: that fixture would score as failed for a reason no model gave.
    let results = outcome["suites"][0]["reports"][0].as_str().unwrap();
    let stale: Vec<String> = std::fs::read_to_string(dir.path().join(results))
        .unwrap()
        .lines()
        .filter(|line| line.contains("cache miss in replay mode"))
        .map(|line| {
            let result: serde_json::Value = serde_json::from_str(line).unwrap();
            result["fixture"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    assert!(
        stale.is_empty(),
        "the real-model cassette is stale for fixtures {stale:?}: a request the card stage sends \
         now was never recorded. Re-record with scripts/real-model/record.sh."
    );
    let metrics = outcome["suites"][0]["comparisons"][0]["metrics"]
        .as_array()
        .unwrap();
    let mean = |name: &str| {
        metrics.iter().find(|m| m["metric"] == name).unwrap()["mean"]
            .as_f64()
            .unwrap()
    };
    let recorded = &recording()["eval"]["local"];
    for name in ["schema_valid", "first_answer_valid", "language_match"] {
        assert!(
            (mean(name) - recorded[name].as_f64().unwrap()).abs() < 1e-9,
            "{name}: {} replayed, {} recorded",
            mean(name),
            recorded[name]
        );
    }
    // Every valid card the card stage let through is in the fixture's language.
    assert!((mean("language_match") - mean("schema_valid")).abs() < 1e-9);
}
