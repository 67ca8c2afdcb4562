//! `newsdesk weekly` end to end over a real week: seven `run --date D --provider extractive` runs of
//! ../shared/corpus (2026-W03) into one store, then `weekly --week 2026-W03`, twice. Skipped (with a
//! message) when the corpus is absent; the fixture-day roll-up in src/weekly/tests.rs always runs.

mod common;

use common::cli::newsdesk;

use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

const WEEK: [&str; 7] = [
    "2026-01-12",
    "2026-01-13",
    "2026-01-14",
    "2026-01-15",
    "2026-01-16",
    "2026-01-17",
    "2026-01-18",
];

/// The demo's config (sections, extractive provider) with one source per corpus day folder.
fn write_config(dir: &Path) -> PathBuf {
    let demo = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/newsdesk.toml"),
    )
    .unwrap();
    let head = &demo[..demo
        .find("[[sources]]")
        .expect("the demo config lists sources")];
    let tail = &demo[demo
        .find("[provider]")
        .expect("the demo config has a provider")..];
    let mut config = head.replace("min_topics = 5", "min_topics = 1");
    for day in WEEK {
        config.push_str(&format!(
            "[[sources]]\nname = \"corpus-{day}\"\nurl = {:?}\ntier = 2\n\n",
            corpus().join(day).to_str().unwrap()
        ));
    }
    config.push_str(tail);
    let path = dir.join("newsdesk.toml");
    std::fs::write(&path, config).unwrap();
    path
}

#[test]
fn a_corpus_week_rolls_up_into_ten_to_twenty_themes_and_replays() {
    if !corpus().join(WEEK[0]).is_dir() {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let config = config.to_str().unwrap();
    for day in WEEK {
        let out = newsdesk(
            &[
                "--config",
                config,
                "--store",
                "store",
                "-q",
                "run",
                "--date",
                day,
                "--provider",
                "extractive",
                "--out",
                "days",
            ],
            dir.path(),
        );
        // A lint finding on one day (exit 1 with a digest written) must not stop the week.
        assert!(
            dir.path().join(format!("days/{day}.json")).is_file(),
            "run {day} wrote no digest: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let weekly = |out_dir: &str, mode: &str| {
        newsdesk(
            &[
                "--config",
                config,
                "--store",
                "store",
                "-q",
                "weekly",
                "--week",
                "2026-W03",
                "--out",
                out_dir,
                "--cache-mode",
                mode,
                "--json",
            ],
            dir.path(),
        )
    };
    let first = weekly("a", "rw");
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(summary["runs"].as_array().unwrap().len(), 7, "{summary}");
    let themes = summary["themes"].as_u64().unwrap();
    assert!((10..=20).contains(&themes), "{summary}");
    assert_eq!(summary["lint_errors"], 0);

    let second = weekly("b", "replay");
    assert_eq!(second.status.code(), Some(0));
    let again: serde_json::Value = serde_json::from_slice(&second.stdout).unwrap();
    assert_eq!(again["provider_calls"], 0);
    for ext in ["md", "html", "json"] {
        let a = std::fs::read(dir.path().join(format!("a/2026-W03.{ext}"))).unwrap();
        let b = std::fs::read(dir.path().join(format!("b/2026-W03.{ext}"))).unwrap();
        assert_eq!(a, b, "{ext} differs between two roll-ups");
    }
    let lint = newsdesk(&["lint", "a/2026-W03.md"], dir.path());
    assert_eq!(
        lint.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lint.stdout)
    );
    // Themes recur: most of them span more than one day of the week.
    let digest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("a/2026-W03.json")).unwrap())
            .unwrap();
    let multi_day = digest["themes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["days"].as_u64().unwrap() > 1)
        .count();
    assert!(
        multi_day * 2 >= themes as usize,
        "{multi_day} of {themes} themes recur"
    );
}
