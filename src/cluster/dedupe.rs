//! Repeated-text detection. In: articles (exact duplicates already collapsed, see `collapse`);
//! out: copies of the articles with site boilerplate removed for comparison, and MinHash
//! signatures whose agreement estimates how much text two articles share. Never decides
//! stories: near-duplicates are handed to `neardup` as signatures, not dropped.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::model::Article;
use crate::text::{script, sentences};

/// A sentence repeated verbatim in at least this many articles of one source is page furniture
/// (navigation, "about us", subscription pleas), not news. Two would also catch one story posted
/// twice by an aggregator; three still catches a site's chrome on any day it publishes three
/// times. Counting per source keeps wire copy syndicated across outlets intact.
const BOILERPLATE_MIN_ARTICLES: usize = 3;
/// Shorter fragments ("Share", "Read more") are too common to be worth tracking.
const BOILERPLATE_MIN_CHARS: usize = 20;
/// Only the start of a body is searched: both consumers (vectors, signatures) read less.
const BOILERPLATE_SCAN_CHARS: usize = 6000;

/// A sentence's identity for boilerplate counting: FNV-1a over its lowercased words joined by
/// single spaces (so re-wrapped copies of one sentence agree), and that text's length in
/// characters. Hashed, not collected: every sentence of every article passes through here.
fn sentence_key(sentence: &str) -> (u64, usize) {
    let mut hash = FNV_OFFSET;
    let mut chars = 0usize;
    for (i, word) in sentence.split_whitespace().enumerate() {
        if i > 0 {
            hash = fnv1a_step(hash, u64::from(' '));
            chars += 1;
        }
        for c in word.chars() {
            script::for_each_lowercase(c, |lower| {
                hash = fnv1a_step(hash, u64::from(lower));
                chars += 1;
            });
        }
    }
    (hash, chars)
}

/// The start of `text` that boilerplate is searched in.
fn scanned_lead(text: &str) -> &str {
    match text.char_indices().nth(BOILERPLATE_SCAN_CHARS) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

/// Each sentence worth tracking of `article`'s scanned lead: its span and key (`None` for a
/// fragment too short to count).
fn keyed_sentences(article: &Article) -> Vec<(&str, Option<u64>)> {
    sentences::spans(scanned_lead(&article.text))
        .into_iter()
        .map(|span| {
            let (hash, chars) = sentence_key(span);
            (span, (chars >= BOILERPLATE_MIN_CHARS).then_some(hash))
        })
        .collect()
}

/// Site boilerplate: sentences of at least `BOILERPLATE_MIN_CHARS` characters found verbatim in
/// `BOILERPLATE_MIN_ARTICLES` or more articles of the same source. Counted over a set of
/// articles first (`strip_each_source` counts one source at a time), then cut from each article
/// by `strip`.
pub(crate) struct Boilerplate {
    /// Per `source_sentence` key: the number of articles of that source carrying the sentence.
    seen_in: KeyMap<u64, u32>,
}

/// One key for a sentence of one source: the sentence's key continued over the source's name,
/// so the counting table holds a `u64` per entry rather than a name and a hash.
fn source_sentence(source: &str, sentence: u64) -> u64 {
    fnv1a_bytes(sentence, source.as_bytes())
}

/// An article with its scanned lead's sentences (see `keyed_sentences`), found once and read
/// twice: to count the source's sentences, then to cut its boilerplate.
type Keyed<'a> = (&'a Article, Vec<(&'a str, Option<u64>)>);

impl Boilerplate {
    /// Counts the sentences of `articles` per source, a block of articles at a time on all
    /// cores. Only the counts are kept, not the sentences.
    fn count(articles: &[Keyed<'_>]) -> Self {
        let seen_in = tally(
            articles,
            |(article, spans), seen_in| {
                let mut keys: Vec<u64> = spans.iter().filter_map(|&(_, key)| key).collect();
                keys.sort_unstable();
                keys.dedup();
                for key in keys {
                    *seen_in
                        .entry(source_sentence(&article.source, key))
                        .or_default() += 1;
                }
            },
            |total, n| *total += n,
        );
        Boilerplate { seen_in }
    }

    /// `article` with its boilerplate sentences removed from the start of its body, the body
    /// cut to `BOILERPLATE_SCAN_CHARS` characters: for comparing articles only (stories keep the
    /// original text). An article with nothing to cut is borrowed, not copied: at 100k articles
    /// the copies alone would be most of the memory.
    fn strip<'a>(&self, (article, spans): Keyed<'a>) -> Cow<'a, Article> {
        let source = article.source.as_str();
        let is_boilerplate = |key: Option<u64>| {
            key.is_some_and(|key| {
                self.seen_in
                    .get(&source_sentence(source, key))
                    .is_some_and(|&n| n as usize >= BOILERPLATE_MIN_ARTICLES)
            })
        };
        let whole = spans.iter().map(|(span, _)| span.len()).sum::<usize>() == article.text.len();
        if whole && !spans.iter().any(|&(_, key)| is_boilerplate(key)) {
            return Cow::Borrowed(article);
        }
        let text: String = spans
            .into_iter()
            .filter(|&(_, key)| !is_boilerplate(key))
            .map(|(span, _)| span)
            .collect();
        // Every field but the text, without copying the text only to drop it.
        Cow::Owned(Article {
            id: article.id.clone(),
            url: article.url.clone(),
            outlet: article.outlet.clone(),
            source: article.source.clone(),
            tier: article.tier,
            title: article.title.clone(),
            published_at: article.published_at,
            lang: article.lang.clone(),
            text,
            tags: article.tags.clone(),
        })
    }
}

/// `each` of every article stripped of its source's boilerplate (see `Boilerplate`), in input
/// order. Boilerplate is a matter of one source, so each source's sentences are counted, cut and
/// forgotten in turn (several sources at once on all cores): no table of every sentence of the
/// input is held (at a million articles, gigabytes), only those of the sources in hand.
pub(crate) fn strip_each_source<'a, R: Send>(
    articles: &[&'a Article],
    each: impl Fn(Cow<'a, Article>) -> R + Sync,
) -> Vec<R> {
    let mut order: Vec<usize> = (0..articles.len()).collect();
    order.sort_by(|&a, &b| articles[a].source.cmp(&articles[b].source).then(a.cmp(&b)));
    let sources: Vec<&[usize]> = order
        .chunk_by(|&a, &b| articles[a].source == articles[b].source)
        .collect();
    let done = super::par_map(&sources, |&source| {
        let members: Vec<Keyed<'a>> = source
            .iter()
            .map(|&i| (articles[i], keyed_sentences(articles[i])))
            .collect();
        let boilerplate = Boilerplate::count(&members);
        members
            .into_iter()
            .map(|member| each(boilerplate.strip(member)))
            .collect::<Vec<R>>()
    });
    let mut results: Vec<Option<R>> = (0..articles.len()).map(|_| None).collect();
    for (source, done) in sources.iter().zip(done) {
        for (&i, result) in source.iter().zip(done) {
            results[i] = Some(result);
        }
    }
    results
        .into_iter()
        .map(|result| result.expect("every article has one source"))
        .collect()
}

/// Bins per signature (one minimum each): the Jaccard estimate's standard error is about
/// `sqrt(J(1-J)/128)` ≤ 0.045, fine for a threshold decision.
pub(crate) const MINHASH_PERMUTATIONS: usize = 128;
/// Characters per shingle. Five characters is about two Chinese words or one English word and a
/// half: short enough that a light edit breaks few shingles, long enough that unrelated texts
/// share almost none.
const SHINGLE_CHARS: usize = 5;
/// Only the first characters of title + body are shingled: a copy is recognisable from its
/// opening, and reading 40k-character bodies would dominate the cost of clustering.
const NEAR_DUP_CHARS: usize = 4000;
/// Fixed seed for the permutation hashes, so signatures are identical across runs and machines.
const MINHASH_SEED: u64 = 0x6e65_7773_6465_736b; // "newsdesk"

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// 64-bit FNV-1a, the one text hash of clustering (shingles, sentence keys, term keys): fixed
/// across runs and machines, and cheap enough for every character of every article.
pub(super) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One FNV-1a step over one unit of text (a character, or a byte).
pub(super) fn fnv1a_step(hash: u64, unit: u64) -> u64 {
    (hash ^ unit).wrapping_mul(0x0100_0000_01b3)
}

/// FNV-1a over `bytes`, continuing from `hash` (`FNV_OFFSET` to start afresh).
pub(super) fn fnv1a_bytes(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, &b| fnv1a_step(h, u64::from(b)))
}

/// Hashing for maps keyed by values that already are hashes (term and sentence keys): FNV-1a
/// over any bytes written, one multiply-and-fold over a `u64`. SipHash, the standard map's
/// hasher, costs more than the lookup itself over the tens of millions of lookups clustering
/// 100k articles makes; nothing here is keyed by input an attacker could choose to collide, as
/// the keys are hashes of article text the map never sees.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

impl Default for KeyHasher {
    fn default() -> Self {
        KeyHasher(FNV_OFFSET)
    }
}

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv1a_bytes(self.0, bytes);
    }

    fn write_u64(&mut self, n: u64) {
        // The map takes its bucket from the low bits and its tag from the top seven: the fold
        // brings the multiply's well-mixed high half down to the low bits.
        let mixed = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = mixed ^ (mixed >> 32);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64)
    }
}

/// A map keyed by hashes (see `KeyHasher`).
pub(crate) type KeyMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// A set of hashes (see `KeyHasher`).
pub(crate) type KeySet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<KeyHasher>>;

/// A table of counts over all of `items`, tallied a block of items at a time on all cores:
/// `count` adds one item's entries to its block's table, and the blocks' tables are summed
/// entry by entry with `add`. The same result as one sequential pass, as sums do not depend on
/// their order.
pub(crate) fn tally<T: Sync, K, V>(
    items: &[T],
    count: impl Fn(&T, &mut KeyMap<K, V>) + Sync,
    add: impl Fn(&mut V, V),
) -> KeyMap<K, V>
where
    K: std::hash::Hash + Eq + Send,
    V: Default + Send,
{
    let blocks: Vec<&[T]> = items.chunks(1024).collect();
    let mut total: KeyMap<K, V> = KeyMap::default();
    // A few blocks per core at a time, each batch folded into the total before the next: the
    // tables of every block at once would hold the input's entries a second time (at a million
    // articles, gigabytes of sentence counts).
    for batch in blocks.chunks(2 * crate::parallel::threads().max(1)) {
        let tallies = super::par_map(batch, |block| {
            let mut table = KeyMap::default();
            for item in *block {
                count(item, &mut table);
            }
            table
        });
        for table in tallies {
            for (key, value) in table {
                add(total.entry(key).or_default(), value);
            }
        }
    }
    total
}

fn fnv1a(chars: &[char]) -> u64 {
    chars
        .iter()
        .fold(FNV_OFFSET, |h, &c| fnv1a_step(h, u64::from(c)))
}

/// A MinHash signature over character shingles of the article's title and the start of its body.
/// Only letters and digits are kept (lowercased), so whitespace, punctuation and markup changes do
/// not count as edits; characters, not bytes, so CJK text shingles correctly.
///
/// One-permutation hashing: each shingle is hashed once and lands in one of the
/// `MINHASH_PERMUTATIONS` bins by its hash, each bin keeping its minimum, so a signature costs one
/// hash per shingle instead of one per shingle and bin (128× less work: at 100k articles the
/// classic scheme alone took longer than the whole budget). Two texts agree on a bin with
/// probability equal to their Jaccard similarity, as with independent hash functions. A bin no
/// shingle fell into borrows the minimum of the next filled bin to its right (rotation
/// densification), mixed with the distance so borrowed values only match values borrowed
/// the same way. Minima are 32 bits (a bin's value is the low half of its shingle's hash), so a
/// signature is 512 bytes: at a million articles, what near-duplicate detection holds. A text
/// without a letter or digit has no shingle and an empty signature.
pub(crate) fn signature(article: &Article) -> Vec<u32> {
    let mut chars: Vec<char> = Vec::with_capacity(NEAR_DUP_CHARS);
    for c in article.title.chars().chain(article.text.chars()) {
        if chars.len() == NEAR_DUP_CHARS {
            break;
        }
        if script::is_alphanumeric(c) {
            script::for_each_lowercase(c, |lower| {
                if chars.len() < NEAR_DUP_CHARS {
                    chars.push(lower)
                }
            });
        }
    }
    if chars.is_empty() {
        return Vec::new();
    }
    const EMPTY: u64 = u64::MAX;
    let mut minima = [EMPTY; MINHASH_PERMUTATIONS];
    let width = SHINGLE_CHARS.min(chars.len());
    let bins = MINHASH_PERMUTATIONS as u64;
    for shingle in chars.windows(width).map(fnv1a) {
        let h = splitmix64(shingle ^ MINHASH_SEED);
        // The bin from the high bits, the value from the rest, so the two are independent.
        let bin = (((h >> 32) * bins) >> 32) as usize;
        let value = h & 0xffff_ffff;
        if value < minima[bin] {
            minima[bin] = value;
        }
    }
    (0..MINHASH_PERMUTATIONS)
        .map(|bin| {
            if minima[bin] != EMPTY {
                return minima[bin] as u32;
            }
            // At least one bin is filled: the text had at least one shingle.
            let (distance, value) = (1..MINHASH_PERMUTATIONS)
                .map(|d| (d, minima[(bin + d) % MINHASH_PERMUTATIONS]))
                .find(|&(_, v)| v != EMPTY)
                .expect("a non-empty text fills a bin");
            splitmix64(value ^ ((distance as u64) << 40)) as u32
        })
        .collect()
}

/// Estimated Jaccard similarity of the two shingle sets: the share of agreeing minima.
pub(crate) fn jaccard_estimate(a: &[u32], b: &[u32]) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0; // empty text shares nothing, even with another empty text
    }
    let agree = a.iter().zip(b).filter(|(x, y)| x == y).count();
    agree as f32 / a.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests_support::article;

    #[test]
    fn lightly_edited_copy_is_a_near_duplicate_and_another_article_is_not() {
        let body = "阿里巴巴通义实验室今天开源了图像生成模型Qwen-Image-2512，在多项基准上超过此前的版本。\
                    The model handles Chinese and English text rendering, and ships under Apache-2.0. \
                    Weights are on Hugging Face and ModelScope; a technical report describes the training data.";
        let original = article("a", "Qwen-Image-2512 开源", body);
        let edited = article(
            "b",
            "Qwen-Image-2512 正式开源",
            &body
                .replace("今天", "周一")
                .replace("a technical report", "the technical report"),
        );
        let other = article(
            "c",
            "Lumen-7B tops the small-model leaderboard",
            "A seven-billion-parameter model from a Berlin lab beat larger rivals on reasoning tests; \
             the authors credit a curriculum of synthetic math problems.",
        );
        let (sa, sb, sc) = (signature(&original), signature(&edited), signature(&other));
        let near = jaccard_estimate(&sa, &sb);
        assert!(near > 0.6, "edited copy estimate {near}");
        assert!(jaccard_estimate(&sa, &sc) < 0.1);
        assert_eq!(jaccard_estimate(&sa, &sa), 1.0);
        assert_eq!(
            sa,
            signature(&original),
            "fixed seeds: same signature every time"
        );
    }

    #[test]
    fn boilerplate_shared_by_three_articles_is_removed() {
        let chrome = "Defining the technology of today and tomorrow. Learn more about our philosophy and people.";
        let a = article(
            "a",
            "Surface codes",
            &format!("{chrome} Surface codes correct errors."),
        );
        let b = article(
            "b",
            "Hard braking",
            &format!("{chrome} Braking predicts crash risk."),
        );
        let c = article("c", "Medical imaging", chrome);
        let d = article(
            "d",
            "Other",
            "Defining the technology of today and tomorrow. Unrelated.",
        );
        let three = [a.clone(), b.clone(), c.clone()];
        let stripped = strip_boilerplate(&three.iter().collect::<Vec<_>>());
        assert_eq!(stripped[0].text.trim(), "Surface codes correct errors.");
        assert_eq!(stripped[2].text.trim(), "");
        assert_eq!(stripped[0].title, a.title);
        // Two articles sharing a sentence keep it: that is as likely a re-post as chrome.
        let two = [a.clone(), d];
        let kept = strip_boilerplate(&two.iter().collect::<Vec<_>>());
        assert!(
            matches!(kept[0], Cow::Borrowed(_)),
            "nothing to cut: borrowed, not copied"
        );
        assert_eq!(kept[0].text, a.text);
        // So do three articles from three sources: syndicated copy, not one site's chrome.
        let mut sources = [a.clone(), b.clone(), c.clone()];
        for (i, s) in sources.iter_mut().enumerate() {
            s.source = format!("source-{i}");
        }
        let syndicated = strip_boilerplate(&sources.iter().collect::<Vec<_>>());
        assert_eq!(syndicated[0].text, a.text);
    }

    fn strip_boilerplate<'a>(articles: &[&'a Article]) -> Vec<Cow<'a, Article>> {
        strip_each_source(articles, |stripped| stripped)
    }

    #[test]
    fn boilerplate_is_counted_per_source_and_results_keep_input_order() {
        let chrome =
            "Defining the technology of today and tomorrow. Learn more about our philosophy.";
        let mut articles = Vec::new();
        for i in 0..6 {
            let mut a = article(
                &format!("a{i}"),
                "t",
                &format!("{chrome} Story number {i} is its own."),
            );
            // Sources interleaved: three of "site" (chrome), three of "other" with it only twice.
            a.source = if i % 2 == 0 { "site" } else { "other" }.into();
            if i == 5 {
                a.text = format!("Story number {i} is its own.");
            }
            articles.push(a);
        }
        let refs: Vec<&Article> = articles.iter().collect();
        let texts = strip_each_source(&refs, |stripped| stripped.text.trim().to_string());
        for (i, text) in texts.iter().enumerate() {
            let own = format!("Story number {i} is its own.");
            if i % 2 == 0 {
                assert_eq!(text, &own, "site's chrome cut from a{i}");
            } else {
                assert!(text.ends_with(&own), "a{i}: {text}");
                assert_eq!(text.contains("Defining"), i != 5, "a{i}: {text}");
            }
        }
    }

    #[test]
    fn empty_texts_are_not_near_duplicates() {
        let a = article("a", "", "");
        let b = article("b", "", "");
        assert_eq!(jaccard_estimate(&signature(&a), &signature(&b)), 0.0);
    }
}
