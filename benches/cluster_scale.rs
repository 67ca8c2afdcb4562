//! How clustering scales: synthetic JSON Feed corpora of N articles built from the real articles
//! of ../shared/corpus (skipped when absent), parsed, deduplicated and clustered.
//!
//! `cargo bench --bench cluster_scale -- 411 1000 10000 100000` (default: 411 1000 10000). Each
//! size is generated once into `$TMPDIR/newsdesk-scale-N/` (feeds of 1,000 items) and reused.
//! Peak memory: run the built bench binary under `/usr/bin/time -v` with one size.
//!
//! Copy k of the corpus (k = 0 is the corpus itself) is the same articles with a vocabulary of its
//! own, so copies tell different stories with the same statistics: every Han character except
//! the particles is shifted by k·7919 within the CJK block (a bijection per copy: bigram
//! frequencies survive, bigrams are new), every Latin word of three or more letters gets the
//! suffix `x<k>` (English function words stay, as real text keeps them), URLs get `?copy=k`, and
//! publication times move k·37 minutes, so all copies overlap in time and the window blocks
//! nothing: blocking on rare terms has to. Short tokens (`ai`, `v4`, `3d`) and numbers are shared
//! by all copies, as common vocabulary is. Bodies are cut to 6,000 characters, more than the
//! cluster stage reads (1,500 for vectors, 4,000 for shingles, 6,000 for boilerplate).

use std::path::{Path, PathBuf};
use std::time::Instant;

use newsdesk::cluster::{self, ClusterParams};
use newsdesk::collect::{self, HttpOptions};
use newsdesk::model::Article;
use newsdesk::text::is_han;
use newsdesk::text::stopwords::{ENGLISH_FUNCTION_WORDS, is_han_particle};

const CORPUS: &str = "../shared/corpus";
const BODY_CHARS: usize = 6000;
const ITEMS_PER_FEED: usize = 1000;

fn shift_han(c: char, k: u32) -> char {
    if k == 0 || !is_han(c) || is_han_particle(c) || !(0x4E00..=0x9FFF).contains(&(c as u32)) {
        return c;
    }
    let range = 0x9FFF - 0x4E00 + 1;
    let mut shifted = 0x4E00 + (c as u32 - 0x4E00 + k * 7919) % range;
    // Keep particles where they are: a shifted character never lands on one.
    while is_han_particle(char::from_u32(shifted).unwrap_or('一')) {
        shifted = 0x4E00 + (shifted - 0x4E00 + 1) % range;
    }
    char::from_u32(shifted).unwrap_or(c)
}

/// Copy `k` of `text` (see the module doc).
fn mutate(text: &str, k: u32) -> String {
    if k == 0 {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(word);
        if word.len() >= 3 && !ENGLISH_FUNCTION_WORDS.contains(&word.to_lowercase().as_str()) {
            out.push_str(&format!("x{k}"));
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        out.push(shift_han(c, k));
    }
    flush(&mut word, &mut out);
    out
}

fn item(article: &Article, k: u32) -> serde_json::Value {
    let body: String = article.text.chars().take(BODY_CHARS).collect();
    let url = if k == 0 {
        article.url.clone()
    } else if article.url.contains('?') {
        format!("{}&copy={k}", article.url)
    } else {
        format!("{}?copy={k}", article.url)
    };
    let published = article.published_at + chrono::Duration::minutes(37 * i64::from(k));
    serde_json::json!({
        "id": format!("{}#{k}", article.id),
        "url": url,
        "title": mutate(&article.title, k),
        "content_text": mutate(&body, k),
        "date_published": published.to_rfc3339(),
    })
}

/// Writes a corpus of `n` articles into `dir` unless it is already there.
fn generate(real: &[Article], n: usize, dir: &Path) {
    if dir.join("done").exists() {
        return;
    }
    std::fs::create_dir_all(dir).unwrap();
    let items: Vec<serde_json::Value> = (0..n)
        .map(|i| item(&real[i % real.len()], (i / real.len()) as u32))
        .collect();
    for (f, chunk) in items.chunks(ITEMS_PER_FEED).enumerate() {
        let feed = serde_json::json!({
            "version": "https://jsonfeed.org/version/1.1",
            "title": format!("Synthetic {f}"),
            "home_page_url": format!("https://synthetic-{f}.example"),
            "items": chunk,
        });
        std::fs::write(dir.join(format!("feed-{f:04}.json")), feed.to_string()).unwrap();
    }
    std::fs::write(dir.join("done"), "").unwrap();
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
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![411, 1000, 10_000];
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let real = runtime
        .block_on(collect::collect_inputs(&days, &HttpOptions::default()))
        .articles;
    for n in sizes {
        let inputs: Vec<String> = if n == real.len() {
            days.clone()
        } else {
            let dir: PathBuf = std::env::temp_dir().join(format!("newsdesk-scale-{n}"));
            generate(&real, n, &dir);
            vec![dir.display().to_string()]
        };
        let start = Instant::now();
        let collected = runtime.block_on(collect::collect_inputs(&inputs, &HttpOptions::default()));
        let parsed = start.elapsed();
        let stories = cluster::cluster(collected.articles, &ClusterParams::default());
        let total = start.elapsed();
        let multi = stories.iter().filter(|s| s.articles.len() > 1).count();
        println!(
            "{n:>7} articles: parse {:>7.2} s, dedupe+cluster {:>7.2} s, total {:>7.2} s → {} stories ({multi} multi-article)",
            parsed.as_secs_f64(),
            (total - parsed).as_secs_f64(),
            total.as_secs_f64(),
            stories.len()
        );
    }
}
