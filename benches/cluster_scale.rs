//! How clustering scales: synthetic JSON Feed corpora of N articles built from the real articles
//! of ../shared/corpus (skipped when absent), parsed, deduplicated and clustered.
//!
//! `cargo bench --bench cluster_scale -- 411 1000 10000 100000` (default: 411 1000 10000). Each
//! size is generated once into `$TMPDIR/newsdesk-scale-v2-<mode>-N/` (feeds of 1,000 items) and reused.
//! Peak memory: generate first (`-- generate 1000000`), then run the built bench binary under
//! `/usr/bin/time -v` with one size.
//!
//! The feeds are parsed a batch of files at a time and streamed into a `cluster::Clusterer`,
//! which keeps only what clustering reads of each article, as a caller at this scale would;
//! `-- whole` parses everything first and runs `cluster::cluster`, the pipeline's path, instead.
//!
//! Copy k of the corpus (k = 0 is the corpus itself) is the same articles with a vocabulary and
//! spelling of its own, so copies tell different stories with the same statistics, overlapping in
//! time so the window blocks nothing: blocking on rare terms has to (`support/synthetic.rs` says
//! how). Bodies are cut to 6,000 characters, more than the cluster stage reads (1,500 for vectors,
//! 4,000 for shingles, 6,000 for boilerplate).
//!
//! `-- syndicated 10000 100000` builds the same copies, then republishes them the way wire copy and
//! press releases spread: each article becomes a family of 1–200 near-identical copies (sizes
//! log-uniform, so most families are small and a few are huge), each copy on another outlet's
//! feed within two days of the first, with two of its paragraphs moved, another story's lead
//! pasted in front and the outlet's own title suffix. Without collapsing near-duplicates first,
//! every copy of a family shares every rare term with every other and candidate pairs grow with
//! the square of the family size. Feeds hold 50 items there, so the copies of one family land on
//! different sources (repeated sentences of one source are site chrome, and are cut as such).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use newsdesk::cluster::{self, ClusterParams, Clusterer};
use newsdesk::collect::{self, HttpOptions};
use newsdesk::model::Article;

#[path = "support/synthetic.rs"]
mod synthetic;

use synthetic::{mix, mutate};

const CORPUS: &str = "../shared/corpus";
const BODY_CHARS: usize = 6000;
const ITEMS_PER_FEED: usize = 1000;
/// Feed files parsed and handed to the clusterer at a time (16k articles in distinct mode).
const FILES_PER_BATCH: usize = 16;
/// Part of the cache directory's name: a corpus made by an older generator is not reused.
const GENERATOR: &str = "v2";

/// Copy `k` of `article` as a JSON Feed item.
fn item(article: &Article, k: u32) -> serde_json::Value {
    let copy = synthetic::copy(article, k, BODY_CHARS);
    serde_json::json!({
        "id": copy.id,
        "url": copy.url,
        "title": copy.title,
        "content_text": copy.text,
        "date_published": copy.published_at.to_rfc3339(),
    })
}

/// How the synthetic corpus repeats the real articles (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Distinct,
    Syndicated,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Distinct => "distinct",
            Mode::Syndicated => "syndicated",
        }
    }
}

/// The largest syndication family: one wire story on 200 sites.
const MAX_FAMILY: usize = 200;
/// Items per feed in syndicated mode: small, so a family's copies land on different sources.
const SYNDICATED_ITEMS_PER_FEED: usize = 50;
/// Title suffixes the republishing outlets append.
const SUFFIXES: [&str; 8] = [
    " | Tech Wire",
    " - AI Daily",
    " (Reuters)",
    " | 科技快讯",
    " - 36氪",
    " | The Download",
    "（转载）",
    " - Newsroom",
];

/// Log-uniform on 1..=`MAX_FAMILY`: most stories run once or a few times, a few everywhere.
fn family_size(base: usize) -> usize {
    let u = (mix(base as u64 ^ 0x5eed) >> 11) as f64 / (1u64 << 53) as f64;
    ((MAX_FAMILY as f64).powf(u) as usize).clamp(1, MAX_FAMILY)
}

/// The paragraphs of `text`: its lines when it has several, else its sentences (feeds often
/// flatten paragraphs into one line).
fn paragraphs(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.len() >= 3 {
        lines
    } else {
        newsdesk::text::sentences::spans(text)
    }
}

/// Copy `j` (≥ 1) of the family of `base`: two paragraphs moved, `foreign_lead` pasted in front,
/// another title suffix, another URL, within two days of the original.
/// `seed` picks the moves and the delay.
fn syndicate(
    base: &serde_json::Value,
    foreign_lead: &str,
    j: usize,
    seed: u64,
) -> serde_json::Value {
    let field = |name: &str| base[name].as_str().unwrap_or_default().to_string();
    let text = field("content_text");
    let mut units = paragraphs(&text);
    for m in 0..2u64 {
        if units.len() > 1 {
            let from = (mix(seed ^ m) % units.len() as u64) as usize;
            let unit = units.remove(from);
            let to = (mix(seed ^ (m + 7)) % (units.len() as u64 + 1)) as usize;
            units.insert(to, unit);
        }
    }
    let lead: String = paragraphs(foreign_lead)
        .first()
        .map(|p| p.chars().take(300).collect())
        .unwrap_or_default();
    let published = chrono::DateTime::parse_from_rfc3339(&field("date_published")).unwrap()
        + chrono::Duration::minutes((seed % (48 * 60)) as i64);
    let mut copy = base.clone();
    copy["id"] = format!("{}.{j}", field("id")).into();
    let url = field("url");
    let join = if url.contains('?') { '&' } else { '?' };
    copy["url"] = format!("{url}{join}syn={j}").into();
    copy["title"] = format!("{}{}", field("title"), SUFFIXES[j % SUFFIXES.len()]).into();
    copy["content_text"] = format!("{lead}\n{}", units.concat()).into();
    copy["date_published"] = published.to_rfc3339().into();
    copy
}

/// Where each of the `n` items comes from: `(b, j)` is copy `j` of base article `b` (base `b` is
/// vocabulary copy `b / real.len()` of real article `b % real.len()`; `j = 0` is the base itself).
/// Distinct mode has no republished copies; syndicated mode republishes each base as a family.
fn plan(n: usize, mode: Mode) -> Vec<(u32, u16)> {
    match mode {
        Mode::Distinct => (0..n as u32).map(|b| (b, 0)).collect(),
        Mode::Syndicated => (0..)
            .flat_map(|b: usize| (0..family_size(b)).map(move |j| (b as u32, j as u16)))
            .take(n)
            .collect(),
    }
}

/// Item `j` of the family of base `b` (see `plan`).
fn build(real: &[Article], b: usize, j: usize) -> serde_json::Value {
    let k = (b / real.len()) as u32;
    let base = item(&real[b % real.len()], k);
    if j == 0 {
        return base;
    }
    // Another story of the same vocabulary copy, so the pasted lead reads like news.
    let seed = mix((b * MAX_FAMILY + j) as u64);
    let other = (b + 1 + seed as usize % (real.len() - 1)) % real.len();
    let lead: String = real[other].text.chars().take(600).collect();
    syndicate(&base, &mutate(&lead, k), j, mix(seed))
}

/// Writes a corpus of `n` articles into `dir` unless it is already there, one feed at a time (a
/// million articles are gigabytes of JSON).
fn generate(real: &[Article], n: usize, mode: Mode, dir: &Path) {
    if dir.join("done").exists() {
        return;
    }
    let started = Instant::now();
    std::fs::create_dir_all(dir).unwrap();
    let plan = plan(n, mode);
    let feeds = match mode {
        Mode::Distinct => n.div_ceil(ITEMS_PER_FEED),
        Mode::Syndicated => n.div_ceil(SYNDICATED_ITEMS_PER_FEED).max(MAX_FAMILY).min(n),
    };
    // Round-robin over the feeds: consecutive copies of a family go to different sources.
    for f in 0..feeds {
        let items: Vec<serde_json::Value> = plan[f..]
            .iter()
            .step_by(feeds)
            .map(|&(b, j)| build(real, b as usize, j as usize))
            .collect();
        let feed = serde_json::json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": format!("Synthetic {f}"),
            "home_page_url": format!("https://synthetic-{f}.example"),
            "items": items,
        });
        std::fs::write(dir.join(format!("feed-{f:05}.json")), feed.to_string()).unwrap();
    }
    std::fs::write(dir.join("done"), "").unwrap();
    eprintln!(
        "generated {n} {} articles in {feeds} feeds in {:.1} s: {}",
        mode.name(),
        started.elapsed().as_secs_f64(),
        dir.display()
    );
}

fn main() {
    // `RUST_LOG=newsdesk::cluster=debug` prints the time of each clustering step.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let mut days: Vec<String> = match std::fs::read_dir(CORPUS) {
        Ok(entries) => entries
            .map(|e| e.unwrap().path().display().to_string())
            .collect(),
        Err(_) => {
            eprintln!("skipped: {CORPUS} is absent");
            return;
        }
    };
    days.sort();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = if args.iter().any(|a| a == "syndicated") {
        Mode::Syndicated
    } else {
        Mode::Distinct
    };
    // `generate` writes the corpora and stops, so that a measured run (peak memory under
    // `/usr/bin/time -v`) holds only what parsing and clustering hold.
    let generate_only = args.iter().any(|a| a == "generate");
    // `whole` parses every article first and clusters them with `cluster::cluster` (the
    // pipeline's path) instead of streaming the feeds into a `Clusterer`.
    let whole = args.iter().any(|a| a == "whole");
    let mut sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![411, 1000, 10_000];
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let real = runtime
        .block_on(collect::collect_inputs(&days, &HttpOptions::default()))
        .articles;
    for n in sizes {
        let inputs: Vec<String> = if n == real.len() && mode == Mode::Distinct {
            days.clone()
        } else {
            let dir: PathBuf = std::env::temp_dir()
                .join(format!("newsdesk-scale-{GENERATOR}-{}-{n}", mode.name()));
            generate(&real, n, mode, &dir);
            vec![dir.display().to_string()]
        };
        if generate_only {
            continue;
        }
        let params = ClusterParams::default();
        let start = Instant::now();
        let (stories, multi, parse_s) = if whole {
            let collected =
                runtime.block_on(collect::collect_inputs(&inputs, &HttpOptions::default()));
            let parse_s = start.elapsed().as_secs_f64();
            let stories = cluster::cluster(collected.articles, &params);
            let multi = stories.iter().filter(|s| s.articles.len() > 1).count();
            (stories.len(), multi, parse_s)
        } else {
            // Each batch of feeds is parsed, handed to the clusterer, and dropped: what is held
            // is what clustering keeps of each article.
            let mut clusterer = Clusterer::new(&params);
            let mut adding = Duration::ZERO;
            runtime.block_on(collect::collect_inputs_in_batches(
                &inputs,
                &HttpOptions::default(),
                FILES_PER_BATCH,
                |batch| {
                    let started = Instant::now();
                    clusterer.add(&batch.articles);
                    adding += started.elapsed();
                },
            ));
            let parse_s = (start.elapsed() - adding).as_secs_f64();
            let groups = clusterer.finish();
            let multi = groups.iter().filter(|g| g.articles.len() > 1).count();
            (groups.len(), multi, parse_s)
        };
        let total = start.elapsed().as_secs_f64();
        println!(
            "{n:>7} {} articles{}: parse {parse_s:>7.2} s, dedupe+cluster {:>7.2} s, total {total:>7.2} s → {stories} stories ({multi} multi-article)",
            mode.name(),
            if whole {
                " (whole input in memory)"
            } else {
                ""
            },
            total - parse_s,
        );
    }
}
