//! `newsdesk weekly` over runs of the real corpus (`../shared/corpus`, skipped when absent): the
//! extractive provider runs four days of ISO week 2026-W02, then the roll-up reads those runs from
//! the store and writes keyword cards as Markdown, HTML and JSON.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn newsdesk(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .args(args)
        .current_dir(cwd)
        .env_remove("OPENAI_API_KEY")
        .env_remove("NEWSDESK_STORE")
        .output()
        .expect("the newsdesk binary runs")
}

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

#[test]
fn weekly_rolls_up_a_week_of_corpus_runs() {
    if !corpus().join("2026-01-05").is_dir() {
        eprintln!("skipping: {} is absent", corpus().display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let demo = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/newsdesk.toml"),
    )
    .unwrap();
    let sources_at = demo.find("[[sources]]").unwrap();
    let provider_at = demo.find("[provider]").unwrap();
    let sources: String = (4..=8)
        .map(|day| {
            format!(
                "[[sources]]\nname = \"corpus-{day}\"\nurl = {:?}\ntier = 2\n\n",
                corpus().join(format!("2026-01-{day:02}")).to_str().unwrap()
            )
        })
        .collect();
    let config = format!("{}{sources}{}", &demo[..sources_at], &demo[provider_at..]);
    std::fs::write(dir.path().join("newsdesk.toml"), config).unwrap();

    // No runs yet: a clear error, nothing written.
    let none = newsdesk(
        &["--store", "store", "weekly", "--week", "2026-W02"],
        dir.path(),
    );
    assert_eq!(none.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no runs of 2026-W02"));

    for day in ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08"] {
        let run = newsdesk(
            &[
                "-q",
                "--store",
                "store",
                "run",
                "--date",
                day,
                "--provider",
                "extractive",
                "--out",
                "out",
            ],
            dir.path(),
        );
        assert!(
            matches!(run.status.code(), Some(0 | 3)),
            "{day}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
    let out = newsdesk(
        &[
            "--store", "store", "weekly", "--week", "2026-W02", "--out", "weekly",
        ],
        dir.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("weekly/2026-W02.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["week"], "2026-W02");
    assert_eq!(json["days"].as_array().unwrap().len(), 4);
    let themes = json["themes"].as_array().unwrap();
    assert!((10..=20).contains(&themes.len()), "{} themes", themes.len());
    for theme in themes {
        let chain = theme["chain"].as_array().unwrap();
        assert!(chain.len() >= 2, "a theme recurs: {theme}");
        let dates: Vec<&str> = chain.iter().map(|c| c["date"].as_str().unwrap()).collect();
        let mut sorted = dates.clone();
        sorted.sort();
        assert_eq!(dates, sorted, "the chain is in date order");
        assert!(!theme["observation"].as_str().unwrap().is_empty());
        assert!(!theme["insight"].as_str().unwrap().is_empty());
    }
    let md = std::fs::read_to_string(dir.path().join("weekly/2026-W02.md")).unwrap();
    for label in [
        "## 本週總覽",
        "**核心觀察**",
        "**邏輯鏈條**",
        "**本質洞見**",
    ] {
        assert!(md.contains(label), "{label}");
    }
    let html = std::fs::read_to_string(dir.path().join("weekly/2026-W02.html")).unwrap();
    assert!(html.contains("id=\"theme-1\"") && !html.contains("<script"));

    // The same runs roll up to the same bytes.
    let again = newsdesk(
        &[
            "-q", "--store", "store", "weekly", "--week", "2026-W02", "--out", "again",
        ],
        dir.path(),
    );
    assert_eq!(again.status.code(), Some(0));
    for ext in ["md", "html", "json"] {
        assert_eq!(
            std::fs::read(dir.path().join(format!("weekly/2026-W02.{ext}"))).unwrap(),
            std::fs::read(dir.path().join(format!("again/2026-W02.{ext}"))).unwrap(),
            "{ext}"
        );
    }
}
