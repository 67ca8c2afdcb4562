//! The gate end to end against `llm-sim`, with no key and no network beyond 127.0.0.1: the
//! extractive baseline is blessed, then the simulator's `sim-good` model passes the gate and its
//! `sim-degraded` model (drops the two most frequent entities, adds a number no article has) is
//! flagged as a regression on entity recall and number grounding, with CIs below zero.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The simulator as a child process on a free port; killed on drop.
struct Sim {
    child: Child,
    port: u16,
}

impl Sim {
    fn start() -> Sim {
        let mut child = Command::new(env!("CARGO_BIN_EXE_llm-sim"))
            .args(["--port", "0", "--max-seconds", "600"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("llm-sim starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("llm-sim prints its port");
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("port line: {line:?}"));
        Sim { child, port }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch copy of the repository's card suite and fixtures, so blessing stays in a temp dir.
/// Whether every article of a card fixture is in the fixture's own language. The simulator
/// cannot translate, and the card stage now holds a model to the digest's language (a card copied
/// from English sources into a 繁體中文 fixture is re-asked, then fails), so the gate's statistics
/// are tested on the fixtures a non-translating "good" model can answer well.
fn same_language(path: &Path) -> bool {
    let fixture: toml::Value = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let target = fixture["language"].as_str().unwrap();
    fixture["articles"].as_array().unwrap().iter().all(|a| {
        let lang = newsdesk::text::detect_language(
            a["title"].as_str().unwrap_or_default(),
            a["text"].as_str().unwrap_or_default(),
        );
        lang == target || (target.starts_with("zh") && lang.starts_with("zh"))
    })
}

fn scratch_suite(dir: &Path) -> PathBuf {
    let cards = dir.join("evals/fixtures/cards");
    std::fs::create_dir_all(&cards).unwrap();
    for entry in std::fs::read_dir(repo().join("evals/fixtures/cards")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "toml") && same_language(&path) {
            std::fs::copy(&path, cards.join(path.file_name().unwrap())).unwrap();
        }
    }
    let suite = dir.join("evals/cards.toml");
    std::fs::copy(repo().join("evals/cards.toml"), &suite).unwrap();
    suite
}

fn eval(dir: &Path, sim: &Sim, args: &[&str]) -> Output {
    let store = dir.join("store");
    let suite = dir.join("evals/cards.toml");
    Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .args(["--store", store.to_str().unwrap(), "eval", "--suite"])
        .arg(&suite)
        .args(args)
        .current_dir(dir)
        .env(
            "OPENAI_BASE_URL",
            format!("http://127.0.0.1:{}/v1", sim.port),
        )
        .env("OPENAI_API_KEY", "not-a-real-key")
        .output()
        .expect("newsdesk runs")
}

fn metric<'a>(outcome: &'a serde_json::Value, variant: &str, name: &str) -> &'a serde_json::Value {
    outcome["suites"][0]["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["variant"] == variant)
        .unwrap_or_else(|| panic!("no comparison for {variant}"))["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["metric"] == name)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

#[test]
fn sim_degraded_is_flagged_against_the_blessed_extractive_baseline() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    scratch_suite(dir.path());

    let blessed = eval(dir.path(), &sim, &["--variant", "extractive", "--bless"]);
    assert!(
        blessed.status.success(),
        "{}",
        String::from_utf8_lossy(&blessed.stderr)
    );

    let good = eval(dir.path(), &sim, &["--variant", "sim-good", "--json"]);
    assert_eq!(
        good.status.code(),
        Some(0),
        "sim-good must pass: {}",
        String::from_utf8_lossy(&good.stdout)
    );

    let degraded = eval(
        dir.path(),
        &sim,
        &["--variant", "sim-degraded", "--json", "--report", "report"],
    );
    assert_eq!(degraded.status.code(), Some(1), "the gate must fail");
    let outcome: serde_json::Value = serde_json::from_slice(&degraded.stdout).unwrap();
    assert_eq!(outcome["gate_failed"], true);
    for name in ["entity_recall", "number_grounding"] {
        let m = metric(&outcome, "sim-degraded", name);
        assert_eq!(m["verdict"], "regression", "{name}: {m}");
        assert!(m["delta"]["high"].as_f64().unwrap() < 0.0, "{name}: {m}");
        assert!(m["mcnemar_p"].as_f64().unwrap() < 0.05, "{name}: {m}");
    }
    let html = std::fs::read_to_string(dir.path().join("report/cards.report.html")).unwrap();
    assert!(html.contains("REGRESSION") && html.contains("gate: FAIL"));
}

#[test]
fn the_judge_scores_through_its_own_namespace_and_flags_sim_degraded() {
    let sim = Sim::start();
    let dir = tempfile::tempdir().unwrap();
    let suite = scratch_suite(dir.path());
    let text = std::fs::read_to_string(&suite)
        .unwrap()
        .replace("judge = false", "judge = true");
    std::fs::write(&suite, text).unwrap();
    // The judge is the config's own model: here llm-sim, which grades by grounding.
    std::fs::write(
        dir.path().join("newsdesk.toml"),
        "[[digest.sections]]\nid = \"general\"\nlabel = { en = \"General\" }\ndescribe = \"everything\"\n\n\
         [[sources]]\nname = \"none\"\nurl = \"feeds\"\n\n[provider]\nkind = \"openai\"\nmodel = \"sim-good\"\n",
    )
    .unwrap();
    let with_config = |args: &[&str]| {
        let mut all = vec!["--config", "newsdesk.toml"];
        all.extend_from_slice(args);
        let store = dir.path().join("store");
        Command::new(env!("CARGO_BIN_EXE_newsdesk"))
            .args(["--store", store.to_str().unwrap()])
            .args(&all[..2])
            .args(["eval", "--suite"])
            .arg(&suite)
            .args(&all[2..])
            .current_dir(dir.path())
            .env(
                "OPENAI_BASE_URL",
                format!("http://127.0.0.1:{}/v1", sim.port),
            )
            .env("OPENAI_API_KEY", "not-a-real-key")
            .output()
            .expect("newsdesk runs")
    };
    let blessed = with_config(&["--variant", "extractive", "--bless", "--json"]);
    assert!(
        blessed.status.success(),
        "{}",
        String::from_utf8_lossy(&blessed.stderr)
    );
    let outcome: serde_json::Value = serde_json::from_slice(&blessed.stdout).unwrap();
    let judge = metric(&outcome, "extractive", "judge");
    assert!(
        judge["mean"].as_f64().unwrap() > 0.9,
        "grounded cards score high: {judge}"
    );

    let degraded = with_config(&["--variant", "sim-degraded", "--json"]);
    assert_eq!(degraded.status.code(), Some(1));
    let outcome: serde_json::Value = serde_json::from_slice(&degraded.stdout).unwrap();
    let judge = metric(&outcome, "sim-degraded", "judge");
    assert_eq!(judge["verdict"], "regression", "{judge}");
    assert!(judge["delta"]["high"].as_f64().unwrap() < 0.0, "{judge}");
}
