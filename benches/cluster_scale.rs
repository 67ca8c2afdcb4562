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

/// SplitMix64: the bench's one deterministic source of choices, so a size is the same corpus on
/// every run and machine.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
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

/// `n` items: the distinct-vocabulary copies, each republished as a family (syndicated mode).
fn syndicated_items(real: &[Article], n: usize) -> Vec<serde_json::Value> {
    let mut items = Vec::with_capacity(n);
    let base_of = |b: usize| item(&real[b % real.len()], (b / real.len()) as u32);
    let mut b = 0;
    while items.len() < n {
        let base = base_of(b);
        let size = family_size(b).min(n - items.len());
        items.push(base.clone());
        for j in 1..size {
            // Another story of the same vocabulary copy, so the pasted lead reads like news.
            let seed = mix((b * MAX_FAMILY + j) as u64);
            let other = (b + 1 + seed as usize % (real.len() - 1)) % real.len();
            let lead: String = real[other].text.chars().take(600).collect();
            let foreign = mutate(&lead, (b / real.len()) as u32);
            items.push(syndicate(&base, &foreign, j, mix(seed)));
        }
        b += 1;
    }
    items
}

/// Writes a corpus of `n` articles into `dir` unless it is already there.
fn generate(real: &[Article], n: usize, mode: Mode, dir: &Path) {
    if dir.join("done").exists() {
        return;
    }
    std::fs::create_dir_all(dir).unwrap();
    let (items, feeds): (Vec<serde_json::Value>, usize) = match mode {
        Mode::Distinct => (
            (0..n)
                .map(|i| item(&real[i % real.len()], (i / real.len()) as u32))
                .collect(),
            n.div_ceil(ITEMS_PER_FEED),
        ),
        // Round-robin over the feeds: consecutive copies of a family go to different sources.
        Mode::Syndicated => (
            syndicated_items(real, n),
            n.div_ceil(SYNDICATED_ITEMS_PER_FEED).max(MAX_FAMILY).min(n),
        ),
    };
    let mut by_feed: Vec<Vec<serde_json::Value>> = vec![Vec::new(); feeds];
    for (i, item) in items.into_iter().enumerate() {
        by_feed[i % feeds].push(item);
    }
    for (f, chunk) in by_feed.iter().enumerate() {
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = if args.iter().any(|a| a == "syndicated") {
        Mode::Syndicated
    } else {
        Mode::Distinct
    };
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
            let dir: PathBuf =
                std::env::temp_dir().join(format!("newsdesk-scale-{}-{n}", mode.name()));
            generate(&real, n, mode, &dir);
            vec![dir.display().to_string()]
        };
        let start = Instant::now();
        let collected = runtime.block_on(collect::collect_inputs(&inputs, &HttpOptions::default()));
        let parsed = start.elapsed();
        let stories = cluster::cluster(collected.articles, &ClusterParams::default());
        let total = start.elapsed();
        let multi = stories.iter().filter(|s| s.articles.len() > 1).count();
        println!(
            "{n:>7} {} articles: parse {:>7.2} s, dedupe+cluster {:>7.2} s, total {:>7.2} s → {} stories ({multi} multi-article)",
            mode.name(),
            parsed.as_secs_f64(),
            (total - parsed).as_secs_f64(),
            total.as_secs_f64(),
            stories.len()
        );
    }
}
