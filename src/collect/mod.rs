//! The collect stage. In: the configured sources (feed URLs, feed files, directories of feeds) or
//! the inputs named on the command line; out: normalised articles sorted by (published_at, id)
//! plus one report per source or file saying how many articles it gave or why it gave none.
//! One failing source never stops the others. It never dedupes (the cluster stage does) and
//! never reads the clock: the date window is a parameter of `in_window`.

pub mod fetch;
pub mod html;
pub mod url;

mod feed;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Client;
use tokio::task::JoinSet;

use crate::config::{SourceConfig, SourceLocation};
use crate::model::Article;

pub use feed::parse_feed;

/// How feeds are fetched over HTTP.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOptions {
    /// Longest wait for a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// Longest wait for a whole request, body included.
    pub total_timeout: Duration,
    pub user_agent: String,
    /// Bodies larger than this are refused, not truncated.
    pub max_body_bytes: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            user_agent: concat!("newsdesk/", env!("CARGO_PKG_VERSION")).to_string(),
            max_body_bytes: 20 * 1024 * 1024,
        }
    }
}

/// What one source (or one file of a directory source) gave.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceReport {
    /// The source name; "<source>/<file name>" for a file of a directory source.
    pub name: String,
    /// The URL or path that was read.
    pub location: String,
    pub articles: usize,
    /// Why the source gave nothing, in plain words; `None` when it worked.
    pub error: Option<String>,
}

/// The stage's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected {
    /// Every article of every source, duplicates kept, sorted by (published_at, id).
    pub articles: Vec<Article>,
    /// One per source (per file for directory sources), in configuration order.
    pub reports: Vec<SourceReport>,
}

/// Why a source (or one of its files) gave no articles. Reports carry the message; the variants
/// let callers tell a dead server from a broken feed.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error(
        "source \"{source_name}\": could not parse feed: {reason} (is it RSS, Atom or JSON Feed?)"
    )]
    Parse { source_name: String, reason: String },
    #[error("source \"{source_name}\": feed has no items")]
    Empty { source_name: String },
    #[error("source \"{source_name}\": no usable entries ({detail})")]
    NoUsableEntries { source_name: String, detail: String },
    #[error("could not read {}: {reason}", path.display())]
    Io { path: PathBuf, reason: String },
    #[error("{}: no feed files (*.xml, *.rss, *.atom, *.json) in this directory", path.display())]
    NoFeedFiles { path: PathBuf },
    #[error("fetching {url} failed: the server answered HTTP {status}")]
    Http { url: String, status: u16 },
    #[error("fetching {url} timed out (is the server slow? the total timeout bounds each request)")]
    Timeout { url: String },
    #[error("could not reach {url}: {reason}")]
    Network { url: String, reason: String },
    #[error("fetching {url}: the response is larger than {max_bytes} bytes; refusing it")]
    TooLarge { url: String, max_bytes: usize },
    #[error("could not set up the HTTP client: {reason}")]
    Client { reason: String },
}

/// Every configured source, concurrently; one failing source never stops the others.
pub async fn collect_sources(sources: &[SourceConfig], http: &HttpOptions) -> Collected {
    let jobs = sources
        .iter()
        .map(|source| Job {
            name: source.name.clone(),
            tier: source.tier,
            kind: match &source.location {
                SourceLocation::Url(url) => JobKind::Url(url.clone()),
                SourceLocation::Path(path) => JobKind::Path(path.clone()),
            },
            naming: Naming::Configured,
        })
        .collect();
    run_jobs(jobs, http).await
}

/// For `newsdesk cluster INPUT...`: each input is a feed file, a directory of feed files, or an
/// http(s) URL; source name = file stem / URL host; tier 2.
pub async fn collect_inputs(inputs: &[String], http: &HttpOptions) -> Collected {
    const INPUT_TIER: u8 = 2;
    let jobs = inputs
        .iter()
        .map(|input| {
            if url::is_absolute_http(input) {
                let host = ::url::Url::parse(input)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_else(|| input.clone());
                Job {
                    name: host,
                    tier: INPUT_TIER,
                    kind: JobKind::Url(input.clone()),
                    naming: Naming::Configured,
                }
            } else {
                let path = PathBuf::from(input);
                Job {
                    name: feed_stem(&path),
                    tier: INPUT_TIER,
                    kind: JobKind::Path(path),
                    naming: Naming::FileStem,
                }
            }
        })
        .collect();
    run_jobs(jobs, http).await
}

/// Articles published in [start, end).
pub fn in_window(articles: Vec<Article>, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<Article> {
    articles
        .into_iter()
        .filter(|a| a.published_at >= start && a.published_at < end)
        .collect()
}

/// One unit of concurrent work: a source as configured or given on the command line.
struct Job {
    name: String,
    tier: u8,
    kind: JobKind,
    naming: Naming,
}

enum JobKind {
    Url(String),
    Path(PathBuf),
}

/// How the files of a directory are named: after the configured source ("qbitai/day1.xml"), or
/// each after its own stem, as `cluster` inputs are.
#[derive(Clone, Copy)]
enum Naming {
    Configured,
    FileStem,
}

/// One file or URL's outcome, before it is folded into `Collected`.
struct Outcome {
    name: String,
    location: String,
    result: Result<Vec<Article>, CollectError>,
}

async fn run_jobs(jobs: Vec<Job>, http: &HttpOptions) -> Collected {
    // A client that cannot be built fails every URL source with the same reason; file sources
    // still work.
    let client = fetch::build_client(http).map_err(|err| err.to_string());
    let mut set = JoinSet::new();
    for (index, job) in jobs.into_iter().enumerate() {
        let client = client.clone();
        let max_body_bytes = http.max_body_bytes;
        set.spawn(async move { (index, run_job(job, client, max_body_bytes).await) });
    }
    let mut finished: Vec<(usize, Vec<Outcome>)> = Vec::new();
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(done) => finished.push(done),
            // Our tasks don't panic on bad input; if one ever does, surface it rather than
            // silently losing the source.
            Err(err) => std::panic::resume_unwind(err.into_panic()),
        }
    }
    finished.sort_by_key(|(index, _)| *index);

    let mut articles = Vec::new();
    let mut reports = Vec::new();
    for outcome in finished.into_iter().flat_map(|(_, outcomes)| outcomes) {
        let (count, error) = match outcome.result {
            Ok(found) => {
                let count = found.len();
                articles.extend(found);
                (count, None)
            }
            Err(err) => (0, Some(err.to_string())),
        };
        reports.push(SourceReport {
            name: outcome.name,
            location: outcome.location,
            articles: count,
            error,
        });
    }
    articles.sort_by(|a, b| {
        a.published_at
            .cmp(&b.published_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    Collected { articles, reports }
}

async fn run_job(job: Job, client: Result<Client, String>, max_body_bytes: usize) -> Vec<Outcome> {
    match job.kind {
        JobKind::Url(url) => {
            let result = match client {
                Ok(client) => match fetch::fetch_bytes(&client, &url, max_body_bytes).await {
                    Ok(bytes) => feed::parse_feed_at(&bytes, &job.name, job.tier, Some(&url)),
                    Err(err) => Err(err),
                },
                Err(reason) => Err(CollectError::Client { reason }),
            };
            vec![Outcome {
                name: job.name,
                location: url,
                result,
            }]
        }
        JobKind::Path(path) => {
            tokio::task::spawn_blocking(move || read_path(&job.name, job.tier, &path, job.naming))
                .await
                .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))
        }
    }
}

/// A feed file, or every feed file of a directory in sorted order, each with its own outcome.
fn read_path(name: &str, tier: u8, path: &Path, naming: Naming) -> Vec<Outcome> {
    let location = path.display().to_string();
    if !path.is_dir() {
        let result = read_file(path).and_then(|bytes| parse_feed(&bytes, name, tier));
        return vec![Outcome {
            name: name.to_string(),
            location,
            result,
        }];
    }
    let files = match feed_files(path) {
        Ok(files) if files.is_empty() => Err(CollectError::NoFeedFiles {
            path: path.to_path_buf(),
        }),
        other => other,
    };
    let files = match files {
        Ok(files) => files,
        Err(err) => {
            return vec![Outcome {
                name: name.to_string(),
                location,
                result: Err(err),
            }];
        }
    };
    let mut outcomes = Vec::new();
    for file in files {
        let file_name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = match read_file(&file) {
            Ok(bytes) => bytes,
            Err(err) => {
                outcomes.push(Outcome {
                    name: format!("{name}/{file_name}"),
                    location: file.display().to_string(),
                    result: Err(err),
                });
                continue;
            }
        };
        if is_extension(&file, "json") && !is_json_feed(&bytes) {
            tracing::debug!(file = %file.display(), "skipping a .json file that is not a JSON Feed");
            continue;
        }
        let (source, report_name) = match naming {
            Naming::Configured => (name.to_string(), format!("{name}/{file_name}")),
            Naming::FileStem => {
                let stem = feed_stem(&file);
                (stem.clone(), stem)
            }
        };
        let result = parse_feed(&bytes, &source, tier).map_err(|err| renamed(err, &report_name));
        outcomes.push(Outcome {
            name: report_name,
            location: file.display().to_string(),
            result,
        });
    }
    outcomes
}

fn read_file(path: &Path) -> Result<Vec<u8>, CollectError> {
    std::fs::read(path).map_err(|err| CollectError::Io {
        path: path.to_path_buf(),
        reason: err.to_string(),
    })
}

const FEED_EXTENSIONS: &[&str] = &["xml", "rss", "atom", "json"];

/// The directory's feed files (by extension), sorted by path so the order never depends on the
/// file system.
fn feed_files(dir: &Path) -> Result<Vec<PathBuf>, CollectError> {
    let io_error = |err: std::io::Error| CollectError::Io {
        path: dir.to_path_buf(),
        reason: err.to_string(),
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        if path.is_file() && FEED_EXTENSIONS.iter().any(|ext| is_extension(&path, ext)) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn is_extension(path: &Path, ext: &str) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// A directory may hold other JSON next to its feeds (a `stories.json`, say). Only a document
/// whose `version` names jsonfeed is a feed; JSON too broken to read counts as a feed when it
/// mentions jsonfeed at all, so a truncated feed is reported rather than silently skipped.
fn is_json_feed(bytes: &[u8]) -> bool {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(value) => value
            .get("version")
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.contains("jsonfeed")),
        Err(_) => bytes.windows(b"jsonfeed".len()).any(|w| w == b"jsonfeed"),
    }
}

/// The file name without its feed extensions: "baai_hub.atom.xml" → "baai_hub".
fn feed_stem(path: &Path) -> String {
    let mut name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    while let Some((stem, ext)) = name.rsplit_once('.') {
        if stem.is_empty() || !FEED_EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)) {
            break;
        }
        name = stem.to_string();
    }
    if name.is_empty() {
        path.display().to_string()
    } else {
        name
    }
}

/// The same error, naming the file that failed rather than the source it belongs to.
fn renamed(err: CollectError, name: &str) -> CollectError {
    match err {
        CollectError::Parse { reason, .. } => CollectError::Parse {
            source_name: name.to_string(),
            reason,
        },
        CollectError::Empty { .. } => CollectError::Empty {
            source_name: name.to_string(),
        },
        CollectError::NoUsableEntries { detail, .. } => CollectError::NoUsableEntries {
            source_name: name.to_string(),
            detail,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

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
        }];
        let collected = collect_sources(&sources, &HttpOptions::default()).await;
        let names: Vec<&str> = collected.reports.iter().map(|r| r.name.as_str()).collect();
        // README.md and stories.json are not feeds: no report, no error.
        assert_eq!(
            names,
            vec![
                "mixed/a_news.rss",
                "mixed/b_feed.json",
                "mixed/c_broken.xml"
            ]
        );
        assert_eq!(collected.reports[0].articles, 1);
        assert_eq!(collected.reports[1].articles, 1);
        assert_eq!(collected.reports[0].error, None);
        let broken = collected.reports[2].error.as_deref().unwrap();
        assert!(
            broken.starts_with("source \"mixed/c_broken.xml\": could not parse feed"),
            "{broken}"
        );
        assert!(collected.reports[2].location.ends_with("c_broken.xml"));
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
        };
        let sources = vec![source("slow"), source("good"), source("down")];
        let http = HttpOptions {
            total_timeout: Duration::from_secs(1),
            ..HttpOptions::default()
        };

        let collected = collect_sources(&sources, &http).await;
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
        let again = collect_sources(&sources, &http).await;
        assert_eq!(again.articles, collected.articles);
        assert_eq!(again.reports, collected.reports);
    }
}
