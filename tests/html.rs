//! The HTML digest as a reader's browser sees it: `newsdesk demo` writes the page, headless
//! Chromium loads it (skipped with a message where no Chromium is installed), and the DOM must hold
//! every card and every source link while the page requests nothing at all.

mod common;

use std::path::Path;
use std::process::Command;

use common::chromium;

/// `newsdesk demo --out OUT` from an unrelated directory; the run's JSON digest.
fn demo(out: &Path) -> serde_json::Value {
    let cwd = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .args(["-q", "demo", "--out"])
        .arg(out)
        .current_dir(cwd.path())
        .env_remove("OPENAI_API_KEY")
        .env_remove("NEWSDESK_STORE")
        .output()
        .expect("the newsdesk binary runs");
    assert!(
        output.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(out.join("2026-01-05.json")).unwrap()).unwrap()
}

/// `&` as the DOM serialises it inside an attribute.
fn attr(url: &str) -> String {
    url.replace('&', "&amp;")
}

#[test]
fn html_digest_shows_every_card_and_link_and_fetches_nothing() {
    let out = tempfile::tempdir().unwrap();
    let digest = demo(out.path());
    let html_path = out.path().join("2026-01-05.html");
    let html = std::fs::read_to_string(&html_path).unwrap();
    // Self-contained by construction: nothing that could fetch.
    for needle in ["<script", "<link", "<img", "<iframe", "@import", "url("] {
        assert!(!html.contains(needle), "the page contains {needle}");
    }

    let Some(_) = chromium::chromium() else {
        return;
    };
    let dom = chromium::dump_dom(&html_path);
    let cards = digest["cards"].as_array().unwrap();
    assert!(cards.len() >= 5, "the demo has cards");
    for card in cards {
        let id = card["topic_id"].as_str().unwrap();
        assert!(
            dom.contains(&format!("id=\"card-{id}\"")),
            "card {id} is missing from the DOM"
        );
        for source in card["sources"].as_array().unwrap() {
            let url = source["url"].as_str().unwrap();
            assert!(
                dom.contains(&format!("href=\"{}\"", attr(url))),
                "source link {url} of card {id} is missing from the DOM"
            );
        }
    }
    for more in digest["more"].as_array().unwrap() {
        let url = more["url"].as_str().unwrap();
        assert!(dom.contains(&format!("href=\"{}\"", attr(url))), "{url}");
    }
    // Today's focus and every section are reachable from the navigation.
    for anchor in ["section-focus", "section-models", "section-industry"] {
        assert!(
            dom.contains(&format!("href=\"#{anchor}\"")),
            "nav to {anchor}"
        );
        assert!(
            dom.contains(&format!("id=\"{anchor}\"")),
            "section {anchor}"
        );
    }

    let requested = chromium::requested_urls(&html_path);
    assert!(requested.is_empty(), "the page requested {requested:?}");

    let shots = std::env::var_os("NEWSDESK_SCREENSHOTS")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| out.path().to_path_buf());
    std::fs::create_dir_all(&shots).unwrap();
    for (name, shoot) in [
        ("desktop.png", chromium::screenshot as fn(&Path, &Path)),
        ("phone.png", chromium::screenshot_phone),
    ] {
        let png = shots.join(name);
        shoot(&html_path, &png);
        let bytes = std::fs::read(&png).unwrap();
        assert!(bytes.starts_with(b"\x89PNG"), "{name} is a PNG");
        assert!(bytes.len() > 10_000, "{name} shows a rendered page");
    }
}
