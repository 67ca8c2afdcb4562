//! Hostile and broken feeds (fixtures/hostile/, plus a 50 MB feed made at test time): each gives
//! a per-source error or a clean skip — never a panic — unsafe links reach no article, and
//! nothing outside the feed is ever read.

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use newsdesk::collect::{CollectContext, Collected, HttpOptions, SourceStatus, collect_sources};
use newsdesk::config::{SourceConfig, SourceKind, SourceLocation};

fn hostile(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/hostile")
        .join(name)
}

fn source(name: &str, path: PathBuf) -> SourceConfig {
    SourceConfig {
        name: name.to_string(),
        location: SourceLocation::Path(path),
        tier: 2,
        full_text: false,
        kind: SourceKind::Feed,
    }
}

async fn collect_one(file: &str) -> Collected {
    collect_path(file, hostile(file), &HttpOptions::default()).await
}

async fn collect_path(name: &str, path: PathBuf, http: &HttpOptions) -> Collected {
    let cx = CollectContext {
        now: Some(Utc.with_ymd_and_hms(2026, 1, 5, 12, 0, 0).unwrap()),
        ..CollectContext::new(http)
    };
    collect_sources(&[source(name, path)], &cx).await
}

fn error_of(collected: &Collected) -> String {
    assert_eq!(collected.reports.len(), 1);
    let report = &collected.reports[0];
    assert_eq!(report.status, SourceStatus::Failed, "{report:?}");
    assert!(collected.articles.is_empty());
    report.error.clone().expect("a failed source says why")
}

#[tokio::test]
async fn malformed_and_truncated_xml_are_parse_errors() {
    for file in ["malformed.xml", "truncated.rss"] {
        let error = error_of(&collect_one(file).await);
        assert!(
            error.starts_with(&format!("source \"{file}\": could not parse feed")),
            "{file}: {error}"
        );
    }
}

#[tokio::test]
async fn an_html_page_is_named_as_one() {
    let error = error_of(&collect_one("html_page.xml").await);
    assert!(
        error.contains("this is an HTML page, not a feed"),
        "{error}"
    );
    assert!(!error.contains("root element"), "{error}");
}

#[tokio::test]
async fn zero_bytes_is_an_empty_document() {
    let error = error_of(&collect_one("zero_bytes.xml").await);
    assert_eq!(
        error,
        "source \"zero_bytes.xml\": the document is empty (0 bytes of feed)"
    );
}

#[tokio::test]
async fn gbk_feed_with_its_declaration_decodes() {
    let collected = collect_one("gbk.rss").await;
    assert_eq!(collected.reports[0].error, None);
    let titles: Vec<&str> = collected
        .articles
        .iter()
        .map(|a| a.title.as_str())
        .collect();
    assert_eq!(titles, vec!["阿里发布新的大模型", "机器人公司完成融资"]);
    assert_eq!(collected.articles[0].outlet, "中文科技快讯");
    assert_eq!(
        collected.articles[0].text,
        "通义团队发布了新的开源模型，参数规模达到千亿。"
    );
    assert!(collected.articles.iter().all(|a| a.lang == "zh-Hans"));
}

#[tokio::test]
async fn unsafe_links_never_become_articles() {
    let collected = collect_one("unsafe_links.rss").await;
    let report = &collected.reports[0];
    assert_eq!(report.error, None);
    assert_eq!(report.skipped.get("unsafe link (not http/https)"), Some(&3));
    assert_eq!(collected.articles.len(), 1);
    let article = &collected.articles[0];
    assert_eq!(article.url, "https://hostile.example/safe");
    // The body's hostile markup is gone with its tags; no scheme survives as text.
    assert_eq!(article.text, "Read this and the rest.");
    let everything = serde_json::to_string(&collected.articles)
        .unwrap()
        .to_lowercase();
    for scheme in ["javascript:", "data:", "vbscript:", "onerror"] {
        assert!(!everything.contains(scheme), "{scheme} in {everything}");
    }
}

#[tokio::test]
async fn whitespace_only_items_are_skipped() {
    let collected = collect_one("whitespace_items.rss").await;
    let report = &collected.reports[0];
    assert_eq!(report.error, None);
    assert_eq!(report.skipped.get("blank item"), Some(&2), "{report:?}");
    let titles: Vec<&str> = collected
        .articles
        .iter()
        .map(|a| a.title.as_str())
        .collect();
    assert_eq!(titles, vec!["The one real item"]);
}

#[tokio::test]
async fn duplicate_guids_keep_the_first() {
    let collected = collect_one("duplicate_guids.rss").await;
    assert_eq!(collected.reports[0].skipped.get("duplicate id"), Some(&1));
    let mut titles: Vec<&str> = collected
        .articles
        .iter()
        .map(|a| a.title.as_str())
        .collect();
    titles.sort();
    assert_eq!(titles, vec!["A different story", "Original story"]);
}

#[tokio::test]
async fn far_future_dates_are_skipped_and_clock_skew_is_not() {
    let collected = collect_one("future_dates.rss").await;
    assert_eq!(
        collected.reports[0].skipped.get("dated in the future"),
        Some(&1)
    );
    let mut titles: Vec<&str> = collected
        .articles
        .iter()
        .map(|a| a.title.as_str())
        .collect();
    titles.sort();
    assert_eq!(
        titles,
        vec!["Dated a few hours ahead (clock skew)", "Dated today"]
    );
}

#[tokio::test]
async fn entity_declarations_are_refused_and_nothing_outside_the_feed_is_read() {
    for file in ["billion_laughs.xml", "external_entity.xml"] {
        let collected = collect_one(file).await;
        let error = error_of(&collected);
        assert!(error.contains("declares XML entities"), "{file}: {error}");
        let everything = format!("{collected:?}");
        assert!(!everything.contains("NEWSDESK-SECRET-MARKER"), "{file}");
        assert!(!everything.contains("root:x:0"), "{file}");
        assert!(!everything.contains("lollollol"), "{file}");
    }
}

#[tokio::test]
async fn a_50_mb_feed_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.xml");
    {
        use std::io::Write as _;
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        file.write_all(b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Huge</title>")
            .unwrap();
        let item = b"<item><title>Padding item</title><link>https://hostile.example/p</link><pubDate>Mon, 05 Jan 2026 02:00:00 +0000</pubDate><description>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</description></item>\n";
        let mut written = 0;
        while written < 50 * 1024 * 1024 {
            file.write_all(item).unwrap();
            written += item.len();
        }
        file.write_all(b"</channel></rss>").unwrap();
    }
    assert!(std::fs::metadata(&path).unwrap().len() >= 50 * 1024 * 1024);
    let collected = collect_path("huge", path, &HttpOptions::default()).await;
    let error = error_of(&collected);
    assert!(
        error.contains("larger than 20971520 bytes") && error.contains("huge.xml"),
        "{error}"
    );
}

#[tokio::test]
async fn the_whole_hostile_directory_is_one_failed_source_with_its_good_articles() {
    let http = HttpOptions::default();
    let collected = collect_path("hostile", hostile(""), &http).await;
    assert_eq!(collected.reports.len(), 1);
    let report = &collected.reports[0];
    assert_eq!(report.status, SourceStatus::Failed);
    assert!(
        report
            .error
            .as_deref()
            .unwrap()
            .starts_with("6 of 11 feed files failed"),
        "{report:?}"
    );
    // gbk 2 + unsafe 1 + whitespace 1 + duplicates 2 + future 2.
    assert_eq!(collected.articles.len(), 8);
    assert!(collected.is_unhealthy(0));
    assert!(!collected.is_unhealthy(1));
}
