//! Recorded nights, end to end through the binary (DESIGN §7): `replay` rebuilds a run byte for
//! byte from the store alone and `--check` catches a tampered output; changed templates replay
//! with zero calls, a changed prompt names its missing calls; `runs list|show|diff`; cassettes
//! move a night to a fresh store and a tampered one is refused; `cache gc` keeps what runs
//! reference; a locked store or a store path that is a file exits 2.

mod common;

use common::cli::{newsdesk, repo};

use std::path::{Path, PathBuf};
use std::process::Output;

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The demo config reading the fixture day by absolute path, with `extra` TOML replacements.
fn write_config(dir: &Path, replace: &[(&str, &str)]) -> PathBuf {
    let mut config = std::fs::read_to_string(repo().join("fixtures/demo/newsdesk.toml"))
        .unwrap()
        .replace(
            "url = \"../days/2026-01-05\"",
            &format!(
                "url = {:?}",
                repo().join("fixtures/days/2026-01-05").to_str().unwrap()
            ),
        );
    for (from, to) in replace {
        assert!(config.contains(from), "{from}");
        config = config.replace(from, to);
    }
    let path = dir.join("newsdesk.toml");
    std::fs::write(&path, config).unwrap();
    path
}

/// Runs the fixture day; returns the run summary.
fn run_day(dir: &Path, config: &Path, store: &str) -> serde_json::Value {
    let out = newsdesk(
        &[
            "--config",
            config.to_str().unwrap(),
            "--store",
            store,
            "run",
            "--date",
            "2026-01-05",
            "--out",
            "out",
            "--json",
        ],
        dir,
    );
    assert!(matches!(out.status.code(), Some(0 | 3)), "{}", text(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn run_id(summary: &serde_json::Value) -> String {
    summary["run_id"].as_str().unwrap().to_string()
}

#[test]
fn replay_is_byte_identical_and_check_catches_a_tampered_output() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &[]);
    let summary = run_day(dir.path(), &config, "store");
    let id = run_id(&summary);
    let md = std::fs::read(dir.path().join("out/2026-01-05.md")).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/2026-01-05.run.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["run_id"], id.as_str());
    assert!(manifest["calls"].as_array().unwrap().len() > 5);
    assert!(
        manifest["calls"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["structured_output"].is_string())
    );
    assert!(!manifest.to_string().contains("API_KEY\":\""));

    // The config file is gone too: replay needs the store alone.
    std::fs::remove_file(&config).unwrap();
    let out = newsdesk(
        &[
            "--store", "store", "replay", &id, "--out", "again", "--check",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("0 provider call(s)"), "{}", text(&out));
    assert_eq!(
        std::fs::read(dir.path().join("again/2026-01-05.md")).unwrap(),
        md
    );

    let tampered = String::from_utf8(md.clone())
        .unwrap()
        .replacen("## ", "## TAMPERED ", 1);
    std::fs::write(dir.path().join("out/2026-01-05.md"), tampered).unwrap();
    let out = newsdesk(
        &[
            "--store", "store", "replay", &id, "--out", "again", "--check",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains("was changed after the run"), "{report}");
    assert!(
        report.contains("TAMPERED"),
        "the diff shows the changed line: {report}"
    );

    let out = newsdesk(
        &["--store", "store", "replay", "20260105-00000000"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("no run 20260105-00000000"),
        "{}",
        text(&out)
    );
}

#[test]
fn changed_template_replays_with_zero_calls_and_changed_prompt_names_missing_calls() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("tpl");
    let prompts = dir.path().join("prompts");
    std::fs::create_dir_all(&tpl).unwrap();
    std::fs::create_dir_all(&prompts).unwrap();
    std::fs::copy(
        repo().join("src/render/templates/daily.md.tera"),
        tpl.join("daily.md.tera"),
    )
    .unwrap();
    for p in ["card.tera", "insight.tera"] {
        std::fs::copy(repo().join("prompts").join(p), prompts.join(p)).unwrap();
    }
    let config = write_config(
        dir.path(),
        &[(
            "out_dir = \"out\"",
            "out_dir = \"out\"\ntemplates_dir = \"tpl\"\nprompts_dir = \"prompts\"",
        )],
    );
    let id = run_id(&run_day(dir.path(), &config, "store"));

    let template = std::fs::read_to_string(tpl.join("daily.md.tera")).unwrap();
    std::fs::write(
        tpl.join("daily.md.tera"),
        format!("{template}\nnew footer line\n"),
    )
    .unwrap();
    let out = newsdesk(
        &["--store", "store", "replay", &id, "--out", "t"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = text(&out);
    assert!(report.contains("0 provider call(s)"), "{report}");
    assert!(report.contains("2026-01-05.md: differs"), "{report}");
    assert!(
        std::fs::read_to_string(dir.path().join("t/2026-01-05.md"))
            .unwrap()
            .contains("new footer line")
    );
    std::fs::write(tpl.join("daily.md.tera"), template).unwrap();

    let card = std::fs::read_to_string(prompts.join("card.tera")).unwrap();
    std::fs::write(prompts.join("card.tera"), format!("{card}\nBe brief.\n")).unwrap();
    let out = newsdesk(
        &["--store", "store", "replay", &id, "--out", "p"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = text(&out);
    // Every topic's card call is named once, with its key.
    let misses = report
        .matches("cache miss in replay mode for card call")
        .count();
    assert!(misses >= 5, "{report}");
    let topics = report.matches("\n  - ").count();
    assert_eq!(misses, topics, "one line per missing topic: {report}");
}

#[test]
fn a_layout_override_is_recorded_and_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let demo = |layout: Option<&str>, out: &str| {
        let mut args = vec!["--store", "store", "demo", "--out", out, "--json"];
        args.extend(layout.map(|l| ["--layout", l]).into_iter().flatten());
        let out = newsdesk(&args, dir.path());
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        run_id(&serde_json::from_slice(&out.stdout).unwrap())
    };
    let speedread = demo(Some("speedread"), "fast");
    let daily = demo(None, "plain");
    // The override is part of the effective config: the two runs are two records.
    assert_ne!(speedread, daily);
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("fast/2026-01-05.run.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["config"]["layout"], "speedread");

    let out = newsdesk(
        &[
            "--store", "store", "replay", &speedread, "--out", "again", "--check",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let replayed = std::fs::read_to_string(dir.path().join("again/2026-01-05.md")).unwrap();
    assert_eq!(
        replayed,
        std::fs::read_to_string(dir.path().join("fast/2026-01-05.md")).unwrap()
    );
    assert_ne!(
        replayed,
        std::fs::read_to_string(dir.path().join("plain/2026-01-05.md")).unwrap(),
        "the speedread replay is not the daily layout"
    );
}

#[test]
fn replay_applies_the_recorded_cross_day_memory_not_todays_files() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &[]);
    run_day(dir.path(), &config, "first");
    // An earlier digest (the day before) that told two of today's stories.
    let mut earlier: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/2026-01-05.json")).unwrap())
            .unwrap();
    earlier["date"] = "2026-01-04".into();
    earlier["cards"].as_array_mut().unwrap().truncate(2);
    let earlier_path = dir.path().join("out/2026-01-04.json");
    std::fs::write(&earlier_path, earlier.to_string()).unwrap();
    for stale in ["2026-01-05.json", "2026-01-05.md", "2026-01-05.run.json"] {
        std::fs::remove_file(dir.path().join("out").join(stale)).unwrap();
    }

    let summary = run_day(dir.path(), &config, "store");
    assert_eq!(summary["stories_repeated"], 2, "{summary}");
    let id = run_id(&summary);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/2026-01-05.run.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["memory"]["repeated"].as_array().unwrap().len(), 2);
    assert_eq!(manifest["memory"]["digests"][0][0], "2026-01-04");

    // The earlier digest changes after the run (here: it is gone); the replay, written
    // elsewhere, still leaves out the same two stories.
    std::fs::remove_file(&earlier_path).unwrap();
    let out = newsdesk(
        &[
            "--store",
            "store",
            "replay",
            &id,
            "--out",
            "elsewhere",
            "--check",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(
        std::fs::read(dir.path().join("elsewhere/2026-01-05.md")).unwrap(),
        std::fs::read(dir.path().join("out/2026-01-05.md")).unwrap()
    );
}

#[test]
fn runs_list_show_and_diff_explain_two_nights() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &[]);
    let a = run_id(&run_day(dir.path(), &config, "store"));
    let config = write_config(dir.path(), &[("max_topics = 30", "max_topics = 20")]);
    let b = run_id(&run_day(dir.path(), &config, "store"));
    assert_ne!(a, b);

    let out = newsdesk(&["--store", "store", "runs", "list", "--json"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["run_id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&a.as_str()) && ids.contains(&b.as_str()),
        "{ids:?}"
    );

    let out = newsdesk(&["--store", "store", "runs", "show", &a], dir.path());
    assert!(text(&out).contains(&format!("run {a}")), "{}", text(&out));

    let out = newsdesk(
        &["--store", "store", "runs", "diff", &a, &b, "--json"],
        dir.path(),
    );
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(diff["config_changed"], true);
    assert!(
        !diff["cards_removed"].as_array().unwrap().is_empty(),
        "{diff}"
    );
    assert!(diff["articles_added"].as_array().unwrap().is_empty());
    let out = newsdesk(&["--store", "store", "runs", "diff", &a, &b], dir.path());
    assert!(text(&out).contains("cards removed"), "{}", text(&out));
}

#[test]
fn cassettes_move_a_night_and_a_tampered_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &[]);
    let id = run_id(&run_day(dir.path(), &config, "store"));
    let out = newsdesk(
        &["--store", "store", "cache", "export", "night.jsonl"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let cassette = std::fs::read_to_string(dir.path().join("night.jsonl")).unwrap();

    let out = newsdesk(
        &["--store", "fresh", "cache", "import", "night.jsonl"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = newsdesk(
        &[
            "--store", "fresh", "replay", &id, "--out", "moved", "--check",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));

    // Change one article's text in the cassette: its key no longer matches its content.
    let line = cassette
        .lines()
        .find(|l| l.starts_with("{\"tree\":\"articles\""))
        .unwrap();
    let mut entry: serde_json::Value = serde_json::from_str(line).unwrap();
    entry["value"]["text"] = "forged".into();
    let forged = cassette.replace(line, &entry.to_string());
    std::fs::write(dir.path().join("forged.jsonl"), forged).unwrap();
    let out = newsdesk(
        &["--store", "other", "cache", "import", "forged.jsonl"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("does not match its content"),
        "{}",
        text(&out)
    );
    let out = newsdesk(&["--store", "other", "runs", "list"], dir.path());
    assert!(
        text(&out).contains("no runs recorded"),
        "nothing imported: {}",
        text(&out)
    );

    // A cached call whose content was edited fails its checksum.
    let line = cassette
        .lines()
        .find(|l| l.starts_with("{\"tree\":\"llm\""))
        .unwrap();
    let mut entry: serde_json::Value = serde_json::from_str(line).unwrap();
    entry["value"]["content"] = "{}".into();
    std::fs::write(
        dir.path().join("forged.jsonl"),
        cassette.replace(line, &entry.to_string()),
    )
    .unwrap();
    let out = newsdesk(
        &["--store", "other", "cache", "import", "forged.jsonl"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
}

#[test]
fn gc_keeps_what_recent_runs_reference_and_replay_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &[("max_topics = 30", "max_topics = 20")]);
    let old = run_id(&run_day(dir.path(), &config, "store"));
    let config = write_config(dir.path(), &[]);
    let id = run_id(&run_day(dir.path(), &config, "store"));
    let stats = |dir: &Path| {
        let out = newsdesk(&["--store", "store", "cache", "stats", "--json"], dir);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let before = stats(dir.path());
    let out = newsdesk(
        &[
            "--store",
            "store",
            "cache",
            "gc",
            "--keep-runs",
            "1",
            "--keep-days",
            "0",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let after = stats(dir.path());
    assert_eq!(after["trees"][3]["entries"], 1, "one run kept: {after}");
    assert!(after["live_bytes"].as_u64() < before["live_bytes"].as_u64());
    let out = newsdesk(&["--store", "store", "replay", &id, "--check"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = newsdesk(&["--store", "store", "replay", &old], dir.path());
    assert_eq!(out.status.code(), Some(1), "the older run was collected");
}

#[test]
fn a_locked_store_and_a_file_store_exit_2_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &[]);
    let store_dir = dir.path().join("store");
    {
        let held = newsdesk::store::SledStore::open(&store_dir).unwrap();
        use newsdesk::store::{Store, Tree};
        held.put(Tree::Http, b"kept", b"value").unwrap();
        held.flush().unwrap();
        let out = newsdesk(
            &[
                "--config",
                config.to_str().unwrap(),
                "--store",
                "store",
                "run",
                "--date",
                "2026-01-05",
            ],
            dir.path(),
        );
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        assert!(
            text(&out).contains("is locked by another newsdesk process"),
            "{}",
            text(&out)
        );
    }
    let store = newsdesk::store::SledStore::open(&store_dir).unwrap();
    use newsdesk::store::{Store, Tree};
    assert_eq!(
        store.get(Tree::Http, b"kept").unwrap().as_deref(),
        Some(&b"value"[..])
    );
    drop(store);

    std::fs::write(dir.path().join("plain-file"), "not a store").unwrap();
    let out = newsdesk(
        &[
            "--config",
            config.to_str().unwrap(),
            "--store",
            "plain-file",
            "run",
            "--date",
            "2026-01-05",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("is a regular file"), "{}", text(&out));
}
