//! Feed documents → articles. In: the bytes of one RSS 0.9–2.0, Atom or JSON Feed 1.x document
//! (feed-rs detects which); out: normalised `Article`s — canonical URL, plain text, UTC date,
//! detected language, content-hash id. Entries without a link, title or date are skipped, never
//! guessed; nothing here dedupes or filters by date.

use feed_rs::model::{Entry, Feed, Link, Text};

use chrono::{DateTime, Utc};

use super::CollectError;
use super::charset::to_utf8;
use super::guard::check_document;
use super::html::{html_to_text, looks_like_html, plain_to_text};
use crate::model::Article;
use crate::text::detect_language;
use crate::text::url::canonical_url;

/// How a document is read: where it came from (relative links resolve against it) and the
/// collection time (entries dated further ahead than `FUTURE_TOLERANCE` are skipped).
#[derive(Debug, Clone, Default)]
pub(crate) struct ParseContext<'a> {
    pub base_url: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub now: Option<DateTime<Utc>>,
}

/// A feed clock a few hours off (local time labelled UTC) is common and harmless; an entry dated
/// days ahead is a broken or hostile feed and would pin itself to the top of every digest.
pub const FUTURE_TOLERANCE_HOURS: i64 = 24;

/// One document's articles and what was skipped on the way.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub articles: Vec<Article>,
    /// Per article: the feed carried only a summary, no content body (a full-text candidate).
    pub snippet_only: Vec<bool>,
    pub skipped: Skipped,
}

/// Parse one feed document into normalised articles, in document order.
pub fn parse_feed(bytes: &[u8], source: &str, tier: u8) -> Result<Vec<Article>, CollectError> {
    parse_bytes(bytes, source, tier, &ParseContext::default()).map(|parsed| parsed.articles)
}

/// Raw bytes → articles: charset decoding, the hostile-document guard, then the parser.
pub(crate) fn parse_bytes(
    bytes: &[u8],
    source: &str,
    tier: u8,
    cx: &ParseContext<'_>,
) -> Result<Parsed, CollectError> {
    let (text, _) = to_utf8(bytes, cx.content_type);
    check_document(&text, source)?;
    let feed = feed_rs::parser::Builder::new()
        .base_uri(cx.base_url)
        .build()
        .parse(text.as_bytes())
        .map_err(|err| CollectError::Parse {
            source_name: source.to_string(),
            reason: err.to_string(),
        })?;
    if feed.entries.is_empty() {
        return Err(CollectError::Empty {
            source_name: source.to_string(),
        });
    }
    let outlet = outlet_of(&feed, source);
    let latest = cx
        .now
        .map(|now| now + chrono::Duration::hours(FUTURE_TOLERANCE_HOURS));
    let mut parsed = Parsed::default();
    let mut seen_ids = std::collections::HashSet::new();
    for entry in &feed.entries {
        // feed-rs derives an id when the feed gives none, so only real duplicates collide.
        if !entry.id.is_empty() && !seen_ids.insert(entry.id.as_str()) {
            parsed.skipped.count(SkipReason::DuplicateId);
            continue;
        }
        match normalize_entry(entry, &outlet, source, tier) {
            Ok((article, _)) if latest.is_some_and(|latest| article.published_at > latest) => {
                parsed.skipped.count(SkipReason::FutureDate)
            }
            Ok((article, snippet_only)) => {
                parsed.articles.push(article);
                parsed.snippet_only.push(snippet_only);
            }
            Err(reason) => parsed.skipped.count(reason),
        }
    }
    if parsed.articles.is_empty() {
        return Err(CollectError::NoUsableEntries {
            source_name: source.to_string(),
            detail: parsed.skipped.describe(),
        });
    }
    Ok(parsed)
}

/// Why an entry did not become an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipReason {
    /// No link at all, or only relative ones with no base to resolve them.
    NoLink,
    /// Only `javascript:`, `data:` or other non-http(s) links: never followed, never shown.
    UnsafeLink,
    NoTitle,
    NoDate,
    /// Nothing but whitespace in title and body.
    Blank,
    /// The same guid/id as an earlier entry of the same document.
    DuplicateId,
    /// Dated more than a day after the collection time.
    FutureDate,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::NoLink => "no link",
            SkipReason::UnsafeLink => "unsafe link (not http/https)",
            SkipReason::NoTitle => "no title",
            SkipReason::NoDate => "no date",
            SkipReason::Blank => "blank item",
            SkipReason::DuplicateId => "duplicate id",
            SkipReason::FutureDate => "dated in the future",
        }
    }
}

/// Skipped entries by reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Skipped(pub std::collections::BTreeMap<SkipReason, usize>);

impl Skipped {
    fn count(&mut self, reason: SkipReason) {
        *self.0.entry(reason).or_default() += 1;
    }

    /// "3 entries skipped: no link, 1 entry skipped: no date".
    pub fn describe(&self) -> String {
        self.0
            .iter()
            .map(|(why, n)| {
                format!(
                    "{n} {} skipped: {}",
                    if *n == 1 { "entry" } else { "entries" },
                    why.describe()
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn outlet_of(feed: &Feed, source: &str) -> String {
    let title = feed.title.as_ref().map(text_line).unwrap_or_default();
    if title.is_empty() {
        source.to_string()
    } else {
        title
    }
}

fn normalize_entry(
    entry: &Entry,
    outlet: &str,
    source: &str,
    tier: u8,
) -> Result<(Article, bool), SkipReason> {
    let title = entry.title.as_ref().map(text_line).unwrap_or_default();
    let (text, snippet_only) = entry_text(entry);
    if title.is_empty() && text.is_empty() {
        return Err(SkipReason::Blank);
    }
    let url = entry_url(entry)?;
    if title.is_empty() {
        return Err(SkipReason::NoTitle);
    }
    let published_at = entry
        .published
        .or(entry.updated)
        .ok_or(SkipReason::NoDate)?;
    let lang = detect_language(&title, &text).to_string();
    let id = article_id(&url, &title, &text);
    let article = Article {
        id,
        url,
        outlet: outlet.to_string(),
        source: source.to_string(),
        tier,
        title,
        published_at,
        lang,
        text,
        tags: entry_tags(entry),
    };
    Ok((article, snippet_only))
}

/// The entry's canonical link: an alternate (or unlabelled) http link first, then any http link,
/// then an `id` that happens to be an http URL (Atom and JSON Feed often use the permalink).
/// An entry whose only links are `javascript:`/`data:` (or any other scheme) is unsafe, and
/// skipped as such rather than as "no link", so the report says what the feed did.
fn entry_url(entry: &Entry) -> Result<String, SkipReason> {
    let is_alternate = |link: &&Link| link.rel.as_deref().is_none_or(|rel| rel == "alternate");
    let found = entry
        .links
        .iter()
        .filter(is_alternate)
        .chain(entry.links.iter())
        .find_map(|link| canonical_url(&link.href))
        .or_else(|| canonical_url(&entry.id));
    if let Some(url) = found {
        return Ok(url);
    }
    let has_scheme = |raw: &str| {
        let raw = raw.trim();
        raw.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !scheme.eq_ignore_ascii_case("http")
                && !scheme.eq_ignore_ascii_case("https")
        })
    };
    if entry.links.iter().any(|link| has_scheme(&link.href)) {
        Err(SkipReason::UnsafeLink)
    } else {
        Err(SkipReason::NoLink)
    }
}

/// Body text: the full content when the feed carries it, else the summary; and whether it was
/// only the summary.
fn entry_text(entry: &Entry) -> (String, bool) {
    let content = entry.content.as_ref().and_then(|content| {
        let body = content.body.as_deref()?;
        let is_plain = content.content_type.essence().to_string() == "text/plain";
        Some(to_text(body, is_plain))
    });
    if let Some(text) = content.filter(|text| !text.is_empty()) {
        return (text, false);
    }
    let summary = entry
        .summary
        .as_ref()
        .map(|summary| {
            to_text(
                &summary.content,
                summary.content_type.essence().to_string() == "text/plain",
            )
        })
        .unwrap_or_default();
    (summary, true)
}

/// Plain text keeps its line breaks; HTML (declared, or plain text that is HTML in disguise) is
/// stripped.
fn to_text(body: &str, declared_plain: bool) -> String {
    if declared_plain && !looks_like_html(body) {
        plain_to_text(body)
    } else {
        html_to_text(body)
    }
}

/// A title or feed name on one line, whatever markup or entities it arrived with.
fn text_line(text: &Text) -> String {
    html_to_text(&text.content)
        .lines()
        .collect::<Vec<_>>()
        .join(" ")
}

fn entry_tags(entry: &Entry) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for category in &entry.categories {
        let name = category
            .label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .unwrap_or(&category.term);
        let name = html_to_text(name);
        if !name.is_empty() && !tags.contains(&name) {
            tags.push(name);
        }
    }
    tags
}

/// First 16 hex chars of blake3(url + "\n" + title + "\n" + text): the same article collected
/// twice hashes the same.
pub(crate) fn article_id(url: &str, title: &str, text: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(url.as_bytes());
    hasher.update(b"\n");
    hasher.update(title.as_bytes());
    hasher.update(b"\n");
    hasher.update(text.as_bytes());
    hasher.finalize().to_hex()[..16].to_string()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use chrono::{TimeZone, Utc};

    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/feeds")
            .join(name);
        std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
    }

    #[test]
    fn rss2_with_cdata_content_encoded() {
        let articles = parse_feed(&fixture("rss2_cdata.xml"), "labnews", 1).unwrap();
        assert_eq!(articles.len(), 2);
        let first = &articles[0];
        assert_eq!(first.outlet, "Lab News & Notes");
        assert_eq!(first.source, "labnews");
        assert_eq!(first.tier, 1);
        assert_eq!(first.title, "Qwen-Image-2512 released: \"open\" weights");
        // Tracking parameters dropped, the meaningful `id` kept.
        assert_eq!(first.url, "https://news.example.com/posts/qwen-image?id=7");
        // content:encoded wins over description; script and style are gone.
        assert_eq!(
            first.text,
            "Alibaba released Qwen-Image-2512 — an image model.\nIt scores 92% on GenEval & beats SDXL.\nWeights are on Hugging Face."
        );
        assert!(!first.text.contains("tracker") && !first.text.contains("color"));
        // +0800 local time is 08:30 UTC.
        assert_eq!(
            first.published_at,
            Utc.with_ymd_and_hms(2026, 1, 14, 8, 30, 0).unwrap()
        );
        assert_eq!(first.tags, vec!["Models", "Open source"]);
        assert_eq!(first.lang, "en");
        assert_eq!(first.id.len(), 16);
        assert!(first.id.bytes().all(|b| b.is_ascii_hexdigit()));

        // No content:encoded: the description is the text.
        let second = &articles[1];
        assert_eq!(second.text, "A short summary with a link.");
        assert_eq!(second.url, "https://news.example.com/posts/second");
    }

    #[test]
    fn atom_with_escaped_html_content() {
        let articles = parse_feed(&fixture("atom_escaped.atom"), "hub", 2).unwrap();
        assert_eq!(articles.len(), 2);
        let first = &articles[0];
        assert_eq!(first.outlet, "智源社区");
        assert_eq!(first.title, "美团发布LongCat新注意力机制");
        // The alternate link wins over the `related` one listed first.
        assert_eq!(
            first.url,
            "https://mp.weixin.qq.com/s?__biz=MzI&mid=22&idx=2&sn=a1"
        );
        assert_eq!(
            first.text,
            "美团龙猫LongCat系列发布全新稀疏注意力机制LoZA。\n解码速度快10倍，支持1M上下文。"
        );
        assert_eq!(first.lang, "zh-Hans");
        assert_eq!(
            first.published_at,
            Utc.with_ymd_and_hms(2026, 1, 14, 1, 30, 0).unwrap()
        );
        // Category labels are preferred to terms; duplicates collapse.
        assert_eq!(first.tags, vec!["大模型", "注意力"]);

        // No link at all, no published date: the http(s) id is the URL and `updated` the date.
        let second = &articles[1];
        assert_eq!(second.url, "https://hub.example.org/articles/51844");
        assert_eq!(
            second.published_at,
            Utc.with_ymd_and_hms(2026, 1, 14, 3, 0, 0).unwrap()
        );
        assert_eq!(second.lang, "zh-Hant");
    }

    #[test]
    fn json_feed_content_text_and_content_html() {
        let articles = parse_feed(&fixture("jsonfeed.json"), "aibase", 3).unwrap();
        assert_eq!(articles.len(), 2);
        assert_eq!(articles[0].outlet, "AI Wire");
        assert_eq!(articles[0].title, "MedGemma 1.5 adds imaging");
        // Plain content_text keeps its paragraphs and is not treated as markup.
        assert_eq!(
            articles[0].text,
            "Google released MedGemma 1.5 for X-rays & CT.\nIt is open: a < b."
        );
        assert_eq!(articles[0].tags, vec!["health", "Google"]);
        assert_eq!(articles[1].text, "OpenAI shipped a feature.\nMore details.");
        assert_eq!(
            articles[1].published_at,
            Utc.with_ymd_and_hms(2026, 1, 14, 2, 0, 0).unwrap()
        );
    }

    #[test]
    fn truncated_feed_is_a_parse_error_naming_the_source() {
        let err = parse_feed(&fixture("broken.xml"), "qbitai", 2).unwrap_err();
        assert!(
            matches!(&err, CollectError::Parse { source_name, .. } if source_name == "qbitai"),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with("source \"qbitai\": could not parse feed: "),
            "{message}"
        );
        assert!(
            message.ends_with("(is it RSS, Atom or JSON Feed?)"),
            "{message}"
        );
    }

    #[test]
    fn feed_without_items_is_empty() {
        let err = parse_feed(&fixture("empty.rss"), "quiet", 2).unwrap_err();
        assert!(
            matches!(&err, CollectError::Empty { source_name } if source_name == "quiet"),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "source \"quiet\": feed has no items");
    }

    #[test]
    fn entries_without_link_or_date_are_skipped_and_counted_when_all_are() {
        let feed = r#"<rss version="2.0"><channel><title>t</title>
            <item><title>no link</title><pubDate>Wed, 14 Jan 2026 16:00:00 +0000</pubDate></item>
            <item><title>relative</title><link>/x</link><pubDate>Wed, 14 Jan 2026 16:00:00 +0000</pubDate></item>
            <item><title>no date</title><link>https://a.example/1</link></item>
            </channel></rss>"#;
        let err = parse_feed(feed.as_bytes(), "s", 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "source \"s\": no usable entries (2 entries skipped: no link, 1 entry skipped: no date)"
        );
        // The same relative link resolves when the feed's own address is known.
        let cx = ParseContext {
            base_url: Some("https://a.example/feed"),
            ..ParseContext::default()
        };
        let articles = parse_bytes(feed.as_bytes(), "s", 2, &cx).unwrap().articles;
        assert_eq!(articles.len(), 1);
        assert_eq!(articles[0].url, "https://a.example/x");
    }

    #[test]
    fn id_is_stable_across_parses_and_tracks_content() {
        let once = parse_feed(&fixture("rss2_cdata.xml"), "labnews", 1).unwrap();
        let twice = parse_feed(&fixture("rss2_cdata.xml"), "other-name", 3).unwrap();
        assert_eq!(once[0].id, twice[0].id);
        assert_ne!(once[0].id, once[1].id);
        assert_eq!(article_id("u", "t", "x"), article_id("u", "t", "x"));
        assert_ne!(article_id("u", "t", "x"), article_id("u", "t", "y"));
        let expected = blake3::hash(
            format!("{}\n{}\n{}", once[0].url, once[0].title, once[0].text).as_bytes(),
        );
        assert_eq!(once[0].id, expected.to_hex()[..16]);
    }

    /// Every day of the shared corpus parses into complete articles. Reads the corpus at run time
    /// (never copied into the repo) and skips when it is absent.
    #[test]
    fn parses_the_shared_corpus_day() {
        let day = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/2026-01-14");
        let Ok(entries) = std::fs::read_dir(&day) else {
            eprintln!("skipping: {} is absent", day.display());
            return;
        };
        let mut paths: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        let mut total = 0;
        for path in &paths {
            let bytes = std::fs::read(path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let articles = parse_feed(&bytes, &name, 2).unwrap_or_else(|err| panic!("{err}"));
            assert!(!articles.is_empty(), "{name}");
            for article in &articles {
                assert!(
                    !article.title.trim().is_empty(),
                    "{name}: empty title for {}",
                    article.url
                );
                assert!(
                    !article.text.trim().is_empty(),
                    "{name}: empty text for {}",
                    article.url
                );
                assert!(
                    article.url.starts_with("https://"),
                    "{name}: {}",
                    article.url
                );
                assert!(
                    !article.text.contains("<p>") && !article.text.contains("&amp;"),
                    "{name}: {}",
                    article.url
                );
            }
            total += articles.len();
        }
        assert!(total > 0);
        eprintln!("corpus 2026-01-14: {} files, {total} articles", paths.len());
    }
}
