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
    assert_eq!(
        sorted_sources(&collected),
        vec!["a_news", "b_feed", "rss2_cdata", "rss2_cdata"]
    );
    assert!(collected.articles.iter().all(|a| a.tier == 2));
    assert!(is_sorted(&collected.articles));
}

/// The source of every collected article, sorted.
fn sorted_sources(collected: &Collected) -> Vec<&str> {
    let mut sources: Vec<&str> = collected
        .articles
        .iter()
        .map(|a| a.source.as_str())
        .collect();
    sources.sort();
    sources
}

#[tokio::test]
async fn a_folder_of_day_folders_reads_each_day() {
    let corpus = tempfile::tempdir().unwrap();
    for day in ["2026-01-02", "2026-01-01"] {
        std::fs::create_dir(corpus.path().join(day)).unwrap();
        std::fs::copy(
            fixtures().join("rss2_cdata.xml"),
            corpus.path().join(day).join(format!("feed-{day}.xml")),
        )
        .unwrap();
    }
    std::fs::create_dir(corpus.path().join("empty")).unwrap();
    let inputs = vec![corpus.path().display().to_string()];
    let collected = collect_inputs(&inputs, &HttpOptions::default()).await;
    let names: Vec<&str> = collected.reports.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["feed-2026-01-01", "feed-2026-01-02"],
        "every day folder's feeds, days in order; the empty folder is no input"
    );
    assert!(!collected.reports.iter().any(|r| r.failed()));
    let mut sources = sorted_sources(&collected);
    sources.dedup();
    assert_eq!(sources, ["feed-2026-01-01", "feed-2026-01-02"]);
    // A folder with no feeds at any level still says so.
    let nothing = tempfile::tempdir().unwrap();
    std::fs::create_dir(nothing.path().join("sub")).unwrap();
    let inputs = vec![nothing.path().display().to_string()];
    let collected = collect_inputs(&inputs, &HttpOptions::default()).await;
    assert!(
        collected.reports[0]
            .error
            .as_deref()
            .unwrap()
            .contains("no feed files")
    );
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

#[tokio::test]
async fn arxiv_sources_query_the_api_and_give_versionless_abstract_urls() {
    use wiremock::matchers::query_param;
    let server = MockServer::start().await;
    let answer = |name: &str| {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/arxiv")
                .join(name),
        )
        .unwrap()
    };
    for (query, file) in [
        ("cat:cs.CL", "query.atom"),
        ("id:1234.123456", "error.atom"),
        ("ti:zzzzqqq", "empty.atom"),
    ] {
        Mock::given(method("GET"))
            .and(path("/api/query"))
            .and(query_param("search_query", query))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(answer(file), "application/atom+xml"),
            )
            .mount(&server)
            .await;
    }
    let arxiv = |name: &str, query: &str| SourceConfig {
        kind: SourceKind::Arxiv,
        tier: 1,
        ..url_source(
            name,
            format!(
                "{}/api/query?search_query={query}&max_results=3",
                server.uri()
            ),
        )
    };
    let sources = vec![
        arxiv("papers", "cat:cs.CL"),
        arxiv("bad-query", "id:1234.123456"),
        arxiv("quiet", "ti:zzzzqqq"),
    ];
    let http = quick_http();
    let collected = collect_sources(&sources, &CollectContext::new(&http)).await;

    let papers = &collected.reports[0];
    assert_eq!((papers.error.as_deref(), papers.articles), (None, 2));
    let mut urls: Vec<&str> = collected.articles.iter().map(|a| a.url.as_str()).collect();
    urls.sort();
    assert_eq!(
        urls,
        vec![
            "https://arxiv.org/abs/2601.00388",
            "https://arxiv.org/abs/2601.00421"
        ]
    );
    let routing = collected
        .articles
        .iter()
        .find(|a| a.url.ends_with("00421"))
        .unwrap();
    assert_eq!(
        routing.title,
        "Sparse Routing Makes Long-Context Decoding Cheap"
    );
    assert_eq!(routing.outlet, "arXiv");
    assert_eq!((routing.source.as_str(), routing.tier), ("papers", 1));
    assert!(
        routing.text.starts_with("We present LoRoute"),
        "{}",
        routing.text
    );
    assert_eq!(routing.tags, vec!["cs.CL", "cs.LG"]);
    assert_eq!(
        routing.published_at,
        Utc.with_ymd_and_hms(2026, 1, 4, 17, 59, 58).unwrap()
    );

    let bad = collected.reports[1].error.as_deref().unwrap();
    assert_eq!(
        bad,
        "source \"bad-query\": the arXiv API refused the query: incorrect id format for 1234.123456 (check the search_query in its url)"
    );
    // No match is a quiet day, not an outage.
    assert_eq!(collected.reports[2].error, None);
    assert_eq!(collected.reports[2].articles, 0);
    assert_eq!(collected.failed_sources().count(), 1);
}

#[tokio::test]
async fn full_text_replaces_snippets_and_falls_back_with_a_note() {
    let server = MockServer::start().await;
    let base = server.uri();
    let item = |slug: &str, title: &str| {
        format!(
            "<item><title>{title}</title><link>{base}/posts/{slug}</link><pubDate>Mon, 05 Jan 2026 02:00:00 +0000</pubDate><description>A short teaser.</description></item>"
        )
    };
    let feed = format!(
        "<rss version=\"2.0\"><channel><title>Teasers</title>{}{}{}</channel></rss>",
        item("good", "A model launch"),
        item("missing", "A deleted post"),
        item("menu", "A page of links")
    );
    Mock::given(path("/feed.xml"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(feed, "application/rss+xml"))
        .mount(&server)
        .await;
    let paragraphs: String = (1..=4)
        .map(|i| format!("<p>Paragraph {i}: the lab released a new open-weight model with a long context window.</p>"))
        .collect();
    Mock::given(path("/posts/good"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            format!("<html><body><nav><a href=\"/\">Home</a></nav><article>{paragraphs}</article></body></html>"),
            "text/html; charset=utf-8",
        ))
        .mount(&server)
        .await;
    Mock::given(path("/posts/missing"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(path("/posts/menu"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            "<html><body><nav><p>Home About Contact Careers</p></nav></body></html>",
            "text/html",
        ))
        .mount(&server)
        .await;
    let source = SourceConfig {
        full_text: true,
        ..url_source("teasers", format!("{base}/feed.xml"))
    };
    let http = quick_http();
    let collected = collect_sources(&[source], &CollectContext::new(&http)).await;
    let report = &collected.reports[0];
    assert_eq!(report.error, None, "a fallback never fails the source");
    assert_eq!(report.articles, 3);
    let text_of = |title: &str| {
        collected
            .articles
            .iter()
            .find(|a| a.title == title)
            .unwrap()
            .text
            .clone()
    };
    assert!(text_of("A model launch").starts_with("Paragraph 1: the lab released"));
    assert_eq!(text_of("A model launch").lines().count(), 4);
    assert_eq!(text_of("A deleted post"), "A short teaser.");
    assert_eq!(text_of("A page of links"), "A short teaser.");
    assert_eq!(report.notes.len(), 1, "{:?}", report.notes);
    let note = &report.notes[0];
    assert!(
        note.starts_with("full text: 2 item(s) kept their snippet"),
        "{note}"
    );
    assert!(
        note.contains("/posts/missing: fetching") && note.contains("HTTP 404"),
        "{note}"
    );
    assert!(
        note.contains("/posts/menu: no article body found"),
        "{note}"
    );
    assert!(report.describe().contains("full text: 2 item(s)"));
}

#[tokio::test]
async fn one_host_is_asked_once_per_politeness_interval() {
    let server = MockServer::start().await;
    let feed = std::fs::read(fixtures().join("rss2_cdata.xml")).unwrap();
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(feed, "application/rss+xml"))
        .mount(&server)
        .await;
    let http = HttpOptions {
        per_host_interval: Duration::from_millis(300),
        ..quick_http()
    };
    let sources: Vec<SourceConfig> = (0..3)
        .map(|i| url_source(&format!("s{i}"), format!("{}/feed{i}.xml", server.uri())))
        .collect();
    let started = std::time::Instant::now();
    let collected = collect_sources(&sources, &CollectContext::new(&http)).await;
    // Fetched concurrently, but the keyed limiter lets the shared host see one request per
    // interval: three requests take at least two intervals (a lower bound, never flaky).
    assert!(
        started.elapsed() >= Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    assert!(collected.reports.iter().all(|r| r.error.is_none()));
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}
