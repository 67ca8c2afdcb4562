//! Tests of the collect stage as a whole: sources, reports, run health, the store.

use std::path::{Path, PathBuf};

use chrono::TimeZone;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::files::{feed_stem, is_json_feed};
use super::*;
use crate::config::SourceKind;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/feeds")
}

fn article(id: &str, published_at: DateTime<Utc>) -> Article {
    Article {
        id: id.to_string(),
        url: format!("https://example.com/{id}"),
        outlet: "o".into(),
        source: "s".into(),
        tier: 2,
        title: id.to_string(),
        published_at,
        lang: "en".into(),
        text: String::new(),
        tags: vec![],
    }
}

fn is_sorted(articles: &[Article]) -> bool {
    articles
        .windows(2)
        .all(|w| (w[0].published_at, &w[0].id) <= (w[1].published_at, &w[1].id))
}

#[test]
fn in_window_is_half_open() {
    let start = Utc.with_ymd_and_hms(2026, 1, 13, 16, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2026, 1, 14, 16, 0, 0).unwrap();
    let second = chrono::Duration::seconds(1);
    let articles = vec![
        article("before", start - second),
        article("at-start", start),
        article("inside", start + chrono::Duration::hours(5)),
        article("last", end - second),
        article("at-end", end),
    ];
    let kept: Vec<String> = in_window(articles, start, end)
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(kept, vec!["at-start", "inside", "last"]);
}

#[tokio::test]
async fn directory_source_reads_feeds_in_order_and_skips_non_feeds() {
    let sources = vec![SourceConfig {
        name: "mixed".into(),
        location: SourceLocation::Path(fixtures().join("mixed_dir")),
        tier: 1,
        full_text: false,
        kind: SourceKind::Feed,
    }];
    let http = HttpOptions::default();
    let collected = collect_sources(&sources, &CollectContext::new(&http)).await;
    // One configured source, one report: its files are folded in. README.md and stories.json
    // are not feeds: not counted, no error.
    assert_eq!(collected.reports.len(), 1);
    let report = &collected.reports[0];
    assert_eq!(report.name, "mixed");
    assert_eq!(report.articles, 2);
    assert_eq!(report.new_articles, 2);
    assert_eq!(report.status, SourceStatus::Failed);
    let broken = report.error.as_deref().unwrap();
    assert!(
        broken.starts_with(
            "1 of 3 feed files failed: source \"mixed/c_broken.xml\": could not parse feed"
        ),
        "{broken}"
    );
    assert!(report.location.ends_with("mixed_dir"));
    assert!(collected.is_unhealthy(0) && !collected.is_unhealthy(1));
    assert_eq!(collected.articles.len(), 2);
    assert!(
        collected
            .articles
            .iter()
            .all(|a| a.source == "mixed" && a.tier == 1)
    );
    assert!(is_sorted(&collected.articles));
}

#[tokio::test]
async fn inputs_are_named_after_file_stems_and_missing_paths_are_reported() {
    let inputs = vec![
        fixtures().join("mixed_dir").display().to_string(),
        fixtures().join("rss2_cdata.xml").display().to_string(),
        fixtures().join("does_not_exist.xml").display().to_string(),
    ];
    let collected = collect_inputs(&inputs, &HttpOptions::default()).await;
    let names: Vec<&str> = collected.reports.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "a_news",
            "b_feed",
            "c_broken",
            "rss2_cdata",
            "does_not_exist"
        ]
    );
    let missing = collected.reports[4].error.as_deref().unwrap();
    assert!(
        missing.starts_with("could not read ") && missing.contains("does_not_exist.xml"),
        "{missing}"
    );
    let mut sources: Vec<&str> = collected
        .articles
        .iter()
        .map(|a| a.source.as_str())
        .collect();
    sources.sort();
    assert_eq!(
        sources,
        vec!["a_news", "b_feed", "rss2_cdata", "rss2_cdata"]
    );
    assert!(collected.articles.iter().all(|a| a.tier == 2));
    assert!(is_sorted(&collected.articles));
}

#[test]
fn feed_stems_drop_every_feed_extension() {
    assert_eq!(feed_stem(Path::new("/x/baai_hub.atom.xml")), "baai_hub");
    assert_eq!(feed_stem(Path::new("aibase.json")), "aibase");
    assert_eq!(feed_stem(Path::new("notes.v2.rss")), "notes.v2");
}

#[test]
fn json_feed_sniffing() {
    assert!(is_json_feed(
        br#"{"version": "https://jsonfeed.org/version/1.1", "items": []}"#
    ));
    assert!(!is_json_feed(br#"{"stories": []}"#));
    assert!(!is_json_feed(br#"{"version": 3}"#));
    assert!(is_json_feed(
        br#"{"version": "https://jsonfeed.org/version/1.1", "ite"#
    ));
    assert!(!is_json_feed(b"[1, 2"));
}

#[tokio::test]
async fn one_good_one_failing_one_slow_source() {
    let server = MockServer::start().await;
    let good = std::fs::read(fixtures().join("rss2_cdata.xml")).unwrap();
    Mock::given(method("GET"))
        .and(path("/good.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(good, "application/rss+xml"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/down.xml"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/slow.xml"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string("<rss/>")
                .set_delay(Duration::from_secs(3)),
        )
        .mount(&server)
        .await;
    let source = |name: &str| SourceConfig {
        name: name.to_string(),
        location: SourceLocation::Url(format!("{}/{name}.xml", server.uri())),
        tier: 2,
        full_text: false,
        kind: SourceKind::Feed,
    };
    let sources = vec![source("slow"), source("good"), source("down")];
    let http = HttpOptions {
        total_timeout: Duration::from_secs(1),
        max_attempts: 1,
        ..HttpOptions::default()
    };
    let cx = CollectContext::new(&http);
    let collected = collect_sources(&sources, &cx).await;
    let names: Vec<&str> = collected.reports.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["slow", "good", "down"],
        "reports keep configuration order"
    );
    let slow = collected.reports[0].error.as_deref().unwrap();
    assert!(
        slow.contains("timed out") && slow.contains("/slow.xml"),
        "{slow}"
    );
    assert_eq!(collected.reports[1].articles, 2);
    assert_eq!(collected.reports[1].error, None);
    assert_eq!(
        collected.reports[1].location,
        format!("{}/good.xml", server.uri())
    );
    let down = collected.reports[2].error.as_deref().unwrap();
    assert!(
        down.contains("HTTP 500") && down.contains("/down.xml"),
        "{down}"
    );
    assert_eq!(collected.articles.len(), 2);
    assert!(collected.articles.iter().all(|a| a.source == "good"));
    assert!(is_sorted(&collected.articles));

    // The same sources again give the same articles in the same order.
    let again = collect_sources(&sources, &cx).await;
    assert_eq!(again.articles, collected.articles);
    assert_eq!(again.reports, collected.reports);
}

fn url_source(name: &str, url: String) -> SourceConfig {
    SourceConfig {
        name: name.to_string(),
        location: SourceLocation::Url(url),
        tier: 2,
        full_text: false,
        kind: SourceKind::Feed,
    }
}

fn quick_http() -> HttpOptions {
    HttpOptions {
        total_timeout: Duration::from_secs(2),
        max_attempts: 1,
        per_host_interval: Duration::ZERO,
        ..HttpOptions::default()
    }
}

#[tokio::test]
async fn a_304_reuses_the_stored_articles_and_counts_nothing_new() {
    use wiremock::matchers::header;
    let server = MockServer::start().await;
    let feed = std::fs::read(fixtures().join("rss2_cdata.xml")).unwrap();
    Mock::given(method("GET"))
        .and(header("if-none-match", "\"abc\""))
        .respond_with(ResponseTemplate::new(304))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("etag", "\"abc\"")
                .set_body_raw(feed, "application/rss+xml"),
        )
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let store = crate::store::SledStore::open(&dir.path().join("store")).unwrap();
    let http = quick_http();
    let done = std::sync::Mutex::new(Vec::new());
    let progress = |d: usize, t: usize| done.lock().unwrap().push((d, t));
    let cx = CollectContext {
        store: Some(&store),
        progress: Some(&progress),
        ..CollectContext::new(&http)
    };
    let sources = vec![url_source("lab", format!("{}/feed.xml", server.uri()))];

    let first = collect_sources(&sources, &cx).await;
    assert_eq!(first.reports[0].status, SourceStatus::Fetched);
    assert_eq!(
        (first.reports[0].articles, first.reports[0].new_articles),
        (2, 2)
    );
    let second = collect_sources(&sources, &cx).await;
    assert_eq!(second.reports[0].status, SourceStatus::NotModified);
    assert_eq!(
        (second.reports[0].articles, second.reports[0].new_articles),
        (2, 0)
    );
    assert_eq!(second.articles, first.articles);
    assert_eq!(
        second.reports[0].describe(),
        "not modified, 2 article(s) (0 new)"
    );
    assert_eq!(*done.lock().unwrap(), vec![(1, 1), (1, 1)]);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].headers.get("if-none-match").is_none());
    assert_eq!(requests[1].headers.get("if-none-match").unwrap(), "\"abc\"");
}

#[tokio::test]
async fn gbk_served_with_a_charset_header_and_no_declaration() {
    let server = MockServer::start().await;
    let xml = "<rss version=\"2.0\"><channel><title>快讯</title><item><title>深度求索发布新模型</title><link>https://cn.example/1</link><pubDate>Mon, 05 Jan 2026 02:00:00 +0000</pubDate><description>新模型在推理基准上领先。</description></item></channel></rss>";
    let (bytes, _, _) = encoding_rs::GBK.encode(xml);
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(bytes.into_owned(), "text/xml; charset=GBK"),
        )
        .mount(&server)
        .await;
    let http = quick_http();
    let collected = collect_sources(
        &[url_source("cn", server.uri())],
        &CollectContext::new(&http),
    )
    .await;
    assert_eq!(collected.reports[0].error, None);
    assert_eq!(collected.articles[0].title, "深度求索发布新模型");
    assert_eq!(collected.articles[0].text, "新模型在推理基准上领先。");
    assert_eq!(collected.articles[0].outlet, "快讯");
}

#[tokio::test]
async fn an_html_page_at_a_feed_url_is_a_named_failure() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("<!doctype html><html><body>Home</body></html>", "text/html"),
        )
        .mount(&server)
        .await;
    let http = quick_http();
    let collected = collect_sources(
        &[url_source("blog", server.uri())],
        &CollectContext::new(&http),
    )
    .await;
    let error = collected.reports[0].error.as_deref().unwrap();
    assert_eq!(
        error,
        "source \"blog\": this is an HTML page, not a feed (look for the site's RSS or Atom link)"
    );
    assert!(collected.is_unhealthy(0));
}
