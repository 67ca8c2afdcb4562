//! The collect stage. In: the configured sources (feed URLs, feed files, directories of feeds)
//! or the inputs named on the command line; out: normalised articles sorted by
//! (published_at, id) plus one report per source saying what it gave — fetched or not modified,
//! articles, new articles, skipped items and why — or why it failed. One failing source never
//! stops the others. It never dedupes (the cluster stage does) and never reads the clock: the
//! collection time and the date window are parameters.

pub mod arxiv;
pub mod charset;
pub mod fetch;
pub mod fulltext;
pub mod html;

mod feed;
mod files;
mod guard;
mod report;
mod stored;

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt as _;

use crate::config::{CollectConfig, SourceConfig, SourceKind, SourceLocation};
use crate::model::Article;
use crate::store::Store;
use feed::{ParseContext, Parsed};
use fetch::{Fetched, Fetcher};
use files::{FileOutcome, Naming};

pub use feed::{FUTURE_TOLERANCE_HOURS, SkipReason, parse_feed};
pub use report::{Collected, SourceReport, SourceStatus, report_sources};

/// How feeds are fetched over HTTP (the `[collect]` config section).
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOptions {
    /// Longest wait for a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// Longest wait for a whole request, body included (per attempt).
    pub total_timeout: Duration,
    pub user_agent: String,
    /// Bodies (and local feed files) larger than this are refused, not truncated.
    pub max_body_bytes: usize,
    /// Redirects followed before a fetch fails.
    pub max_redirects: usize,
    /// Attempts per fetch, first one included; only 5xx, 429 and timeouts are retried.
    pub max_attempts: u32,
    /// The first retry's delay; later ones double, with jitter.
    pub retry_min_delay: Duration,
    /// Politeness: at least this long between two requests to the same host (zero = no wait).
    pub per_host_interval: Duration,
    /// Sources fetched at the same time.
    pub concurrency: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions::from_config(&CollectConfig::default())
    }
}

impl HttpOptions {
    /// The options a `[collect]` section asks for.
    pub fn from_config(config: &CollectConfig) -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(config.connect_timeout_s),
            total_timeout: Duration::from_secs(config.total_timeout_s),
            user_agent: config.user_agent.clone(),
            max_body_bytes: config.max_body_bytes,
            max_redirects: config.max_redirects,
            max_attempts: config.max_attempts,
            retry_min_delay: Duration::from_millis(config.retry_min_delay_ms),
            per_host_interval: Duration::from_millis(config.per_host_interval_ms),
            concurrency: config.concurrency,
        }
    }
}

/// Everything one collect call needs besides the sources.
#[derive(Clone, Copy)]
pub struct CollectContext<'a> {
    pub http: &'a HttpOptions,
    /// The collection time: entries dated more than a day after it are skipped.
    pub now: Option<DateTime<Utc>>,
    /// Where validators and articles persist between runs (conditional GET, new-article counts);
    /// without one every fetch is unconditional and every article counts as new.
    pub store: Option<&'a dyn Store>,
    /// Called with (sources done, sources total) as sources finish.
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
}

impl<'a> CollectContext<'a> {
    pub fn new(http: &'a HttpOptions) -> Self {
        CollectContext {
            http,
            now: None,
            store: None,
            progress: None,
        }
    }
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
    #[error("source \"{source_name}\": the document is empty (0 bytes of feed)")]
    EmptyDocument { source_name: String },
    #[error("source \"{source_name}\": {what}")]
    NotAFeed {
        source_name: String,
        what: &'static str,
    },
    #[error(
        "source \"{source_name}\": the feed declares XML entities (<!ENTITY>); refused, because newsdesk never expands entities or reads external ones"
    )]
    UnsafeXml { source_name: String },
    #[error("source \"{source_name}\": no usable entries ({detail})")]
    NoUsableEntries { source_name: String, detail: String },
    #[error("could not read {}: {reason}", path.display())]
    Io { path: PathBuf, reason: String },
    #[error("{}: no feed files (*.xml, *.rss, *.atom, *.json) in this directory", path.display())]
    NoFeedFiles { path: PathBuf },
    #[error("fetching {url} failed: the server answered HTTP {status}")]
    Http { url: String, status: u16 },
    #[error(
        "fetching {url} timed out (is the server slow? collect.total_timeout_s bounds each attempt)"
    )]
    Timeout { url: String },
    #[error("fetching {url}: too many redirects (collect.max_redirects)")]
    Redirects { url: String },
    #[error("could not reach {url}: {reason}")]
    Network { url: String, reason: String },
    #[error(
        "{url}: larger than {max_bytes} bytes; refusing it (collect.max_body_bytes raises the limit)"
    )]
    TooLarge { url: String, max_bytes: usize },
    #[error("could not set up the HTTP client: {reason}")]
    Client { reason: String },
    #[error("source \"{source_name}\": {reason}")]
    Store { source_name: String, reason: String },
    #[error(
        "source \"{source_name}\": the arXiv API refused the query: {reason} (check the search_query in its url)"
    )]
    Arxiv { source_name: String, reason: String },
}

impl CollectError {
    /// Worth another attempt: the server may answer next time.
    pub fn is_transient(&self) -> bool {
        match self {
            CollectError::Http { status, .. } => *status == 429 || *status >= 500,
            CollectError::Timeout { .. } => true,
            _ => false,
        }
    }
}

/// Every configured source, concurrently; one failing source never stops the others.
pub async fn collect_sources(sources: &[SourceConfig], cx: &CollectContext<'_>) -> Collected {
    let jobs = sources
        .iter()
        .map(|source| Job {
            name: source.name.clone(),
            tier: source.tier,
            full_text: source.full_text,
            source_kind: source.kind,
            kind: match &source.location {
                SourceLocation::Url(url) => JobKind::Url(url.clone()),
                SourceLocation::Path(path) => JobKind::Path(path.clone()),
            },
            naming: Naming::Configured,
        })
        .collect();
    run_jobs(jobs, cx).await
}

/// For `newsdesk cluster INPUT...`: each input is a feed file, a directory of feed files, a
/// directory of such directories (one per day), or an http(s) URL; source name = file stem /
/// URL host; tier 2; one report per file.
pub async fn collect_inputs(inputs: &[String], http: &HttpOptions) -> Collected {
    run_jobs(input_jobs(inputs), &CollectContext::new(http)).await
}

/// `collect_inputs` a few feed files (or URLs) at a time: `each` is given each batch's articles
/// and reports as soon as they are parsed, so a caller that keeps only part of each article (the
/// scale bench, clustering a million of them) never holds every article at once. Each file is
/// in exactly one batch, so a command-line input's source (its file) is too.
pub async fn collect_inputs_in_batches(
    inputs: &[String],
    http: &HttpOptions,
    files_per_batch: usize,
    mut each: impl FnMut(Collected),
) {
    let cx = CollectContext::new(http);
    let per_batch = files_per_batch.max(1);
    let mut loose: Vec<Job> = Vec::new();
    for job in input_jobs(inputs) {
        let files = match &job.kind {
            JobKind::Path(dir) if dir.is_dir() => files::feed_files(dir).unwrap_or_default(),
            _ => Vec::new(),
        };
        if files.is_empty() {
            // A URL, a file, or a directory that fails as it would in `collect_inputs`.
            loose.push(job);
            if loose.len() == per_batch {
                each(run_jobs(std::mem::take(&mut loose), &cx).await);
            }
            continue;
        }
        for run in files.chunks(per_batch) {
            let run = Job {
                kind: JobKind::Files(run.to_vec()),
                ..job.clone()
            };
            each(run_jobs(vec![run], &cx).await);
        }
    }
    if !loose.is_empty() {
        each(run_jobs(loose, &cx).await);
    }
}

/// One job per input URL and per feed file of the input paths (see `collect_inputs`).
fn input_jobs(inputs: &[String]) -> Vec<Job> {
    const INPUT_TIER: u8 = 2;
    inputs
        .iter()
        .flat_map(|input| {
            if crate::text::url::is_absolute_http(input) {
                let host = ::url::Url::parse(input)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_else(|| input.clone());
                vec![Job {
                    name: host,
                    tier: INPUT_TIER,
                    full_text: false,
                    source_kind: SourceKind::Feed,
                    kind: JobKind::Url(input.clone()),
                    naming: Naming::Configured,
                }]
            } else {
                files::input_paths(&PathBuf::from(input))
                    .into_iter()
                    .map(|path| Job {
                        name: files::feed_stem(&path),
                        tier: INPUT_TIER,
                        full_text: false,
                        source_kind: SourceKind::Feed,
                        kind: JobKind::Path(path),
                        naming: Naming::FileStem,
                    })
                    .collect()
            }
        })
        .collect()
}

/// Articles published in [start, end).
pub fn in_window(articles: Vec<Article>, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<Article> {
    articles
        .into_iter()
        .filter(|a| a.published_at >= start && a.published_at < end)
        .collect()
}

/// One unit of concurrent work: a source as configured or given on the command line.
#[derive(Clone)]
struct Job {
    name: String,
    tier: u8,
    full_text: bool,
    source_kind: SourceKind,
    kind: JobKind,
    naming: Naming,
}

#[derive(Clone)]
enum JobKind {
    Url(String),
    Path(PathBuf),
    /// Some of a directory's feed files (a batch of `collect_inputs_in_batches`).
    Files(Vec<PathBuf>),
}

/// A source's report with the articles it gave.
type Reported = (SourceReport, Vec<Article>);

async fn run_jobs(jobs: Vec<Job>, cx: &CollectContext<'_>) -> Collected {
    // A client that cannot be built fails every URL source with the same reason; file sources
    // still work.
    let fetcher = Fetcher::new(cx.http).map_err(|err| err.to_string());
    let total = jobs.len();
    let mut done = 0;
    let mut finished: Vec<(usize, Vec<Reported>)> = Vec::new();
    let mut running = futures::stream::iter(jobs.into_iter().enumerate().map(|(index, job)| {
        let fetcher = &fetcher;
        async move { (index, run_job(job, fetcher, cx).await) }
    }))
    .buffer_unordered(cx.http.concurrency.max(1));
    while let Some(result) = running.next().await {
        finished.push(result);
        done += 1;
        if let Some(progress) = cx.progress {
            progress(done, total);
        }
    }
    finished.sort_by_key(|(index, _)| *index);

    let mut articles = Vec::new();
    let mut reports = Vec::new();
    for (report, found) in finished.into_iter().flat_map(|(_, outcomes)| outcomes) {
        articles.extend(found);
        reports.push(report);
    }
    articles.sort_by(|a, b| {
        a.published_at
            .cmp(&b.published_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    Collected { articles, reports }
}

async fn run_job(
    job: Job,
    fetcher: &Result<Fetcher, String>,
    cx: &CollectContext<'_>,
) -> Vec<Reported> {
    match &job.kind {
        JobKind::Url(url) => {
            let mut report = SourceReport::new(&job.name, url);
            let articles = match fetcher {
                Ok(fetcher) => match fetch_source(&job, url, fetcher, cx, &mut report).await {
                    Ok(articles) => articles,
                    Err(err) => {
                        report.status = SourceStatus::Failed;
                        report.error = Some(err.to_string());
                        Vec::new()
                    }
                },
                Err(reason) => {
                    report.error = Some(
                        CollectError::Client {
                            reason: reason.clone(),
                        }
                        .to_string(),
                    );
                    Vec::new()
                }
            };
            vec![(report, articles)]
        }
        JobKind::Path(_) | JobKind::Files(_) => {
            let (name, tier, naming, kind) =
                (job.name.clone(), job.tier, job.naming, job.kind.clone());
            let max_bytes = cx.http.max_body_bytes;
            let now = cx.now;
            let outcomes = tokio::task::spawn_blocking(move || {
                let parse = ParseContext {
                    now,
                    ..ParseContext::default()
                };
                match kind {
                    JobKind::Files(run) => {
                        files::read_files(&name, tier, &run, naming, max_bytes, &parse)
                    }
                    JobKind::Path(path) => {
                        files::read_path(&name, tier, &path, naming, max_bytes, &parse)
                    }
                    JobKind::Url(_) => unreachable!("a URL is fetched, not read"),
                }
            })
            .await
            .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()));
            let mut outcomes = outcomes;
            if let (true, Ok(fetcher)) = (job.full_text, fetcher) {
                for outcome in &mut outcomes {
                    if let Ok(parsed) = &mut outcome.result {
                        outcome.notes = fulltext::fill(parsed, fetcher, cx.store).await;
                    }
                }
            }
            match naming {
                Naming::FileStem => outcomes
                    .into_iter()
                    .map(|outcome| {
                        let mut report = SourceReport::new(&outcome.name, &outcome.location);
                        let articles = finish_file(outcome, cx, &mut report);
                        (report, articles)
                    })
                    .collect(),
                Naming::Configured => {
                    vec![fold_files(&job, outcomes, cx)]
                }
            }
        }
    }
}

/// A directory source's files folded into one report: counts summed, failed files named.
fn fold_files(job: &Job, outcomes: Vec<FileOutcome>, cx: &CollectContext<'_>) -> Reported {
    let location = match &job.kind {
        JobKind::Path(path) => path.display().to_string(),
        JobKind::Files(run) => run
            .first()
            .map(|f| f.display().to_string())
            .unwrap_or_default(),
        JobKind::Url(url) => url.clone(),
    };
    let mut report = SourceReport::new(&job.name, &location);
    let files = outcomes.len();
    let mut errors = Vec::new();
    let mut articles = Vec::new();
    // The directory's articles go to the store in one batch below, not a round trip per file.
    let per_file = CollectContext { store: None, ..*cx };
    for outcome in outcomes {
        let mut file_report = SourceReport::new(&outcome.name, &outcome.location);
        articles.extend(finish_file(outcome, &per_file, &mut file_report));
        report.articles += file_report.articles;
        report.new_articles += file_report.new_articles;
        for (reason, n) in file_report.skipped {
            *report.skipped.entry(reason).or_default() += n;
        }
        report.notes.extend(file_report.notes);
        errors.extend(file_report.error);
    }
    let store_failure = match cx.store.map(|store| stored::put_articles(store, &articles)) {
        Some(Ok(new)) => {
            report.new_articles = new;
            None
        }
        Some(Err(err)) => Some(CollectError::Store {
            source_name: job.name.clone(),
            reason: err.to_string(),
        }),
        None => None,
    };
    report.status = SourceStatus::Read;
    report.error = match errors.len() {
        0 => None,
        1 if files == 1 => errors.pop(),
        n => Some(format!(
            "{n} of {files} feed files failed: {}",
            errors.join("; ")
        )),
    };
    if let Some(failure) = store_failure {
        report.error = Some(failure.to_string());
        articles.clear();
    }
    if report.error.is_some() {
        report.status = SourceStatus::Failed;
    }
    (report, articles)
}

/// One local file's outcome into its report; articles stored when there is a store.
fn finish_file(
    outcome: FileOutcome,
    cx: &CollectContext<'_>,
    report: &mut SourceReport,
) -> Vec<Article> {
    report.notes.extend(outcome.notes);
    match outcome.result {
        Ok(parsed) => {
            report.status = SourceStatus::Read;
            match keep(&outcome.source, parsed, cx, report) {
                Ok(articles) => articles,
                Err(err) => {
                    report.status = SourceStatus::Failed;
                    report.error = Some(err.to_string());
                    Vec::new()
                }
            }
        }
        Err(err) => {
            report.status = SourceStatus::Failed;
            report.error = Some(err.to_string());
            Vec::new()
        }
    }
}

/// Counts a parsed document's articles and skips into the report and stores the articles.
fn keep(
    source: &str,
    parsed: Parsed,
    cx: &CollectContext<'_>,
    report: &mut SourceReport,
) -> Result<Vec<Article>, CollectError> {
    report.add_skipped(&parsed.skipped);
    report.articles += parsed.articles.len();
    report.new_articles += match cx.store {
        Some(store) => {
            stored::put_articles(store, &parsed.articles).map_err(|err| CollectError::Store {
                source_name: source.to_string(),
                reason: err.to_string(),
            })?
        }
        None => parsed.articles.len(),
    };
    Ok(parsed.articles)
}

/// One URL source: conditional GET, parse, store, and the validators for next time.
async fn fetch_source(
    job: &Job,
    url: &str,
    fetcher: &Fetcher,
    cx: &CollectContext<'_>,
    report: &mut SourceReport,
) -> Result<Vec<Article>, CollectError> {
    let store_error = |err: crate::store::StoreError| CollectError::Store {
        source_name: job.name.clone(),
        reason: err.to_string(),
    };
    let prior = match cx.store {
        Some(store) => stored::http_record(store, url).map_err(store_error)?,
        None => None,
    };
    let validators = prior
        .as_ref()
        .map(|record| &record.validators)
        .filter(|v| !v.is_empty());
    let mut fetched = fetcher.fetch(url, validators).await?;
    if fetched == Fetched::NotModified {
        let (Some(store), Some(record)) = (cx.store, &prior) else {
            unreachable!("a 304 needs validators, and validators come from the store")
        };
        if let Some(articles) =
            stored::articles_by_id(store, &record.article_ids).map_err(store_error)?
        {
            report.status = SourceStatus::NotModified;
            report.articles = articles.len();
            return Ok(articles);
        }
        // The store lost some of last time's articles: fetch again, unconditionally.
        fetched = fetcher.fetch(url, None).await?;
    }
    let Fetched::Body {
        bytes,
        content_type,
        final_url,
        validators,
    } = fetched
    else {
        unreachable!("an unconditional GET never answers 304")
    };
    let body_blake3 = blake3::hash(&bytes).to_hex().to_string();
    let (name, tier, now, source_kind) = (job.name.clone(), job.tier, cx.now, job.source_kind);
    let parsed = tokio::task::spawn_blocking(move || {
        let parse = ParseContext {
            base_url: Some(&final_url),
            content_type: content_type.as_deref(),
            now,
        };
        match source_kind {
            SourceKind::Feed => feed::parse_bytes(&bytes, &name, tier, &parse),
            SourceKind::Arxiv => arxiv::parse_arxiv(&bytes, &name, tier, &parse),
        }
    })
    .await
    .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))?;
    report.status = SourceStatus::Fetched;
    let mut parsed = parsed;
    if job.full_text {
        report
            .notes
            .extend(fulltext::fill(&mut parsed, fetcher, cx.store).await);
    }
    let articles = keep(&job.name, parsed, cx, report)?;
    if let Some(store) = cx.store {
        let record = stored::HttpRecord {
            validators,
            body_blake3,
            article_ids: articles.iter().map(|a| a.id.clone()).collect(),
            text: None,
        };
        stored::put_http_record(store, url, &record).map_err(store_error)?;
    }
    Ok(articles)
}

#[cfg(test)]
mod tests;
