//! Articles → L2-normalised sparse TF-IDF vectors. In: the unique articles being clustered; out:
//! one vector per article (sorted `(term id, weight)` pairs over the terms two or more articles
//! share) and the shared terms that explain a pair's similarity (`similarity` compares them).
//! Tokens are CJK character bigrams and lowercased Latin words; model names such as
//! `Qwen-Image-2512` stay whole and weigh most, and words the input writes in lower case (common
//! nouns and verbs, not names) weigh less. Never reads anything but the articles: IDF is
//! computed over the input itself.

use std::collections::HashMap;

use super::dedupe::{FNV_OFFSET, KeyMap, KeySet, fnv1a_bytes, tally};
pub use super::read_parts::Readable;
use crate::model::Article;
use crate::text::casing::{WordCase, for_each_word_case};
use crate::text::tokenize::for_each_token;
pub use crate::text::vector::SparseVec;
use crate::text::{self, Options, TokenKind};

/// Title tokens count this many times a body occurrence: a headline states the story, a body
/// wanders into background. Not more: feed headlines in both languages are clickbait ("Saying
/// Goodbye to Complex Command Lines", 「全网炸锅！」), so at 3.0 an English headline's generic words
/// outweighed the product name its lead repeats. On the corpus gold (with the weights below)
/// 2.0 and 2.5 score alike (pairwise F1 0.88); 2.5 merges the fixture's Qwen price cut into the
/// Qwen-Vision launch.
const TITLE_WEIGHT: f32 = 2.0;
/// At most this many title occurrences of one token count (titles that repeat a word are not
/// more about it).
const TITLE_TF_CAP: f32 = 2.0;
/// Only the body's first characters are read. The lead carries the story; a 40k-character
/// article would otherwise drown its own headline and every other article it is compared with.
const BODY_CHARS: usize = 1500;
/// Latin words that are names weigh this much against a bigram's `BIGRAM_WEIGHT`. In a Chinese
/// report almost every Latin word is a name (Cowork, Rubin, TranslateGemma, OctoCodingBench) and
/// these names are what two clickbait headlines on one launch share, while its dozens of bigrams
/// dilute the cosine. On the corpus gold, moving from 1.0/1.0 to 2.5/0.7 raised pairwise recall
/// from 0.65 to 0.77 at about equal precision (threshold 0.16 → 0.22); splitting off common words
/// (`COMMON_WORD_BOOST`) let names go up to 3.0 (2.5 with the split: F1 0.83).
const WORD_BOOST: f32 = 3.0;
/// Latin words the input writes in lower case mid-sentence at least as often as capitalised
/// (`WordCase::is_common`: "command", "lines", "token", "model") weigh this much instead of
/// `WORD_BOOST`. English capitalises names, and names are what tell one story from another: an
/// English report of a launch is otherwise dominated by its descriptive words, which a Chinese
/// report of it never contains, and two English reports on different launches share them. The
/// casing is counted over the whole input, so it is one word's habit, not one article's. On the
/// corpus gold (threshold 0.24) 1.0 and 1.3 score pairwise F1 0.86-0.87 but merge the fixture's
/// Qwen price cut into the Qwen-Vision launch, 1.6 gives 0.88, 2.5 (almost no split) 0.82.
const COMMON_WORD_BOOST: f32 = 1.6;
/// Weight of a Han bigram (see `WORD_BOOST`).
const BIGRAM_WEIGHT: f32 = 0.7;
/// Hyphen/dot-joined model names with a version (`GPT-5.2`, `Qwen-Image-2512`): two articles that
/// name the same one are usually about the same release, but the big names (`gpt-5.2`,
/// `opus-4.5`) recur as background in unrelated stories. Over twice `COMMON_WORD_BOOST`, so a
/// shared model name outweighs descriptive words, and about a name's `WORD_BOOST`. On the corpus
/// gold 7.5 lost pairwise precision (0.75); once common words weigh less, 5.0 chains GPT-5.2
/// stories (F1 0.85 against 0.88 at 3.5).
const MODEL_BOOST: f32 = 3.5;
/// Single letter+digit codes (`V4`, `H200`, `M3`): telling, but shorter and more ambiguous.
const CODE_BOOST: f32 = 1.5;
/// Chinese names mapped to their Latin spelling (an alias token). Cross-language articles share
/// almost no other tokens, so these give an English and a Chinese report of one story a bridge.
const ALIAS_BOOST: f32 = 1.0;

/// How much a token of each kind weighs before IDF.
fn boost(kind: TokenKind) -> f32 {
    match kind {
        TokenKind::Word => WORD_BOOST,
        TokenKind::Bigram => BIGRAM_WEIGHT,
        TokenKind::Model => MODEL_BOOST,
        TokenKind::Code => CODE_BOOST,
        TokenKind::Alias => ALIAS_BOOST,
    }
}

/// The vectors of a set of articles. Terms are known by a 64-bit key (a hash of their text), not
/// by their text: at 100k articles the vocabulary runs to millions of strings, and nothing but
/// the traces ever reads a term's text (`name_terms` recovers it from an article).
#[derive(Debug, Clone)]
pub struct Vectors {
    /// Key of each term carried by two or more articles, ascending; a term's id is its index.
    /// A term of one article only weighs in its article's norm but can never be shared, so it
    /// has no id and no place in any vector: cosines are exactly what they would be with it.
    pub keys: Vec<u64>,
    /// One vector per input article, in input order.
    pub docs: Vec<SparseVec>,
    /// The same vectors restricted to Latin-script terms (words, model names, codes, aliases)
    /// and renormalised: what a Chinese and an English report of one story have in common.
    /// `None` where that is the whole vector (an article without Han terms, as most English
    /// ones are): the same vector need not be held twice. Read it through `latin()`.
    latin: Vec<Option<SparseVec>>,
    /// Whether each article is written mainly in Chinese.
    pub chinese: Vec<bool>,
    /// Document frequency of each term (how many articles carry it), by term id.
    pub df: Vec<u32>,
}

impl Vectors {
    /// Article `doc`'s Latin-only vector (see `latin`).
    pub fn latin(&self, doc: usize) -> &SparseVec {
        self.latin[doc].as_ref().unwrap_or(&self.docs[doc])
    }

    /// The same vectors with document `j` moved to place `at[j]` (`at` a permutation): a
    /// stream vectorizes in the order its read parts are held, and scores in article-id order.
    pub(super) fn placed(mut self, at: &[usize]) -> Vectors {
        let n = at.len();
        let mut docs: Vec<SparseVec> = vec![Vec::new(); n];
        let mut latin: Vec<Option<SparseVec>> = vec![None; n];
        let mut chinese = vec![false; n];
        for (j, &k) in at.iter().enumerate() {
            docs[k] = std::mem::take(&mut self.docs[j]);
            latin[k] = self.latin[j].take();
            chinese[k] = self.chinese[j];
        }
        Vectors {
            docs,
            latin,
            chinese,
            ..self
        }
    }

    /// The id of `term` (as the tokenizer writes it), if two or more articles carry it.
    pub fn term_id(&self, term: &str) -> Option<usize> {
        self.keys.binary_search(&term_key(term)).ok()
    }
}

/// A term's key: 64-bit FNV-1a of its text. Fixed across runs and machines, and independent of
/// input order; two of a few million terms share a key with odds of about one in a million,
/// and then only weigh as one term.
fn term_key(term: &str) -> u64 {
    fnv1a_bytes(FNV_OFFSET, term.as_bytes())
}

/// One term of one article before IDF: key, raw weight, and whether it is Latin-script.
type RawTerm = (u64, f32, bool);

/// The first `BODY_CHARS` characters of the body, without a leading copy of the title (many
/// feeds repeat the headline as the first line, which would double its weight).
fn body_lead(article: &impl Readable) -> &str {
    &article.body()[body_lead_range(article)]
}

/// Where `body_lead` lies in the article's body, in bytes.
fn body_lead_range(article: &impl Readable) -> std::ops::Range<usize> {
    let text = article.body();
    let body = text.trim_start();
    let body = body.strip_prefix(article.title().trim()).unwrap_or(body);
    let start = text.len() - body.len();
    match body.char_indices().nth(BODY_CHARS) {
        Some((cut, _)) => start..start + cut,
        None => start..text.len(),
    }
}

/// Where the part of `article`'s body that vectors read ends, in bytes (see `read_parts`).
pub(super) fn read_end(article: &impl Readable) -> usize {
    body_lead_range(article).end
}

/// How the whole input writes each word (by the word's key): one article's casing is too little
/// to go on.
fn input_cases<A: Readable + Sync>(articles: &[A]) -> KeyMap<u64, WordCase> {
    tally(
        articles,
        |article, cases| {
            for_each_word_case(body_lead(article), |word, case| {
                cases.entry(term_key(word)).or_default().add(case)
            })
        },
        WordCase::add,
    )
}

/// Raw (pre-IDF) weight of every term of `article`, sorted by key: title and body-lead
/// occurrences counted apart, each weighed by the kind of its first occurrence there; `common`
/// tells which words the input writes as common words (see `COMMON_WORD_BOOST`).
fn raw_weights(article: &impl Readable, common: &dyn Fn(u64) -> bool) -> Vec<RawTerm> {
    // Every occurrence as (key, in title, kind), in order of appearance; a stable sort by key
    // keeps each term's occurrences in that order, so its first one comes first.
    let mut seen: Vec<(u64, bool, TokenKind)> = Vec::new();
    for_each_token(article.title(), &Options::CLUSTER, |text, kind| {
        seen.push((term_key(text), true, kind))
    });
    for_each_token(body_lead(article), &Options::CLUSTER, |text, kind| {
        seen.push((term_key(text), false, kind))
    });
    seen.sort_by_key(|&(key, _, _)| key);
    let weigh = |key: u64, kind: TokenKind| {
        if kind == TokenKind::Word && common(key) {
            COMMON_WORD_BOOST
        } else {
            boost(kind)
        }
    };
    seen.chunk_by(|x, y| x.0 == y.0)
        .map(|occurrences| {
            let key = occurrences[0].0;
            let in_title = |title: bool| occurrences.iter().filter(move |o| o.1 == title);
            let title_tf = in_title(true).count() as f32;
            let body_tf = in_title(false).count() as f32;
            let mut w = 0.0;
            if let Some(&(_, _, kind)) = in_title(true).next() {
                w += TITLE_WEIGHT * title_tf.min(TITLE_TF_CAP) * weigh(key, kind);
            }
            if let Some(&(_, _, kind)) = in_title(false).next() {
                // Sublinear: the tenth mention of a word says little the second did not.
                w += (1.0 + body_tf.ln()) * weigh(key, kind);
            }
            // Only bigrams are Han: words, codes and model names never hold a Han character,
            // and aliases are Latin spellings.
            (key, w, occurrences[0].2 != TokenKind::Bigram)
        })
        .collect()
}

/// The keys of `article`'s terms (title and body lead), each once, ascending: what document
/// frequencies count.
fn term_keys(article: &impl Readable) -> Vec<u64> {
    let mut keys = Vec::new();
    for_each_token(article.title(), &Options::CLUSTER, |text, _| {
        keys.push(term_key(text))
    });
    for_each_token(body_lead(article), &Options::CLUSTER, |text, _| {
        keys.push(term_key(text))
    });
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Every term of `article`'s title and whole body by key, as the tokenizer writes it (for naming
/// shared terms). The whole body, not the lead: the lead vectors read starts after the site's
/// boilerplate, which is cut from a copy of the body only.
fn term_texts(article: &Article) -> HashMap<u64, String> {
    text::tokenize(&article.title, &Options::CLUSTER)
        .into_iter()
        .chain(text::tokenize(&article.text, &Options::CLUSTER))
        .map(|token| (term_key(&token.text), token.text))
        .collect()
}

/// Where each key sits in the sorted keys of the shared terms (a term's id), found without a
/// hash table over millions of keys (at 100k articles one was the largest thing vectorizing
/// held): keys are hashes, so their top bits spread them evenly, and a table of where each
/// top-bits prefix starts leaves about `KEYS_PER_SLOT` keys to search, all in one cache line.
/// Found once per posting: the binary search over all keys (`Vectors::term_id`) was most of
/// vectorizing at 100k articles.
struct KeyIndex<'a> {
    keys: &'a [u64],
    /// Where the keys of each prefix start in `keys`, and one past the last at the end.
    starts: Vec<u32>,
    /// Bits of a key below its prefix.
    shift: u32,
}

const KEYS_PER_SLOT: usize = 4;

impl<'a> KeyIndex<'a> {
    /// `keys` ascending, fewer than 2³² of them (ids are `u32`).
    fn new(keys: &'a [u64]) -> Self {
        let slots = (keys.len() / KEYS_PER_SLOT).max(1).next_power_of_two();
        let shift = 64 - slots.trailing_zeros();
        let mut starts = vec![0u32; slots + 1];
        let prefix = |key: u64| key.checked_shr(shift).unwrap_or(0) as usize;
        for &key in keys {
            starts[prefix(key) + 1] += 1;
        }
        for slot in 0..slots {
            starts[slot + 1] += starts[slot];
        }
        KeyIndex {
            keys,
            starts,
            shift,
        }
    }

    fn id(&self, key: u64) -> Option<u32> {
        let slot = key.checked_shr(self.shift).unwrap_or(0) as usize;
        let (start, end) = (self.starts[slot], self.starts[slot + 1]);
        self.keys[start as usize..end as usize]
            .binary_search(&key)
            .ok()
            .map(|at| start + at as u32)
    }
}

/// TF-IDF vectors of `articles`, L2-normalised. IDF is `ln((n + 1) / df)`: a term every article
/// has weighs almost nothing, and two-article inputs still keep shared terms above zero.
pub fn vectorize<A: Readable + Sync>(articles: &[A]) -> Vectors {
    vectorize_consuming(articles.iter().collect::<Vec<&A>>())
}

/// `vectorize`, dropping each article once its vector is made: what a stream holds of the
/// articles (their read parts, see `read_parts`) is then never held beside every vector.
pub fn vectorize_consuming<A: Readable + Sync>(mut articles: Vec<A>) -> Vectors {
    // Only which words are common is kept, not how each word is written: half the table.
    let common_words: KeySet<u64> = input_cases(&articles)
        .into_iter()
        .filter(|(_, case)| case.is_common())
        .map(|(word, _)| word)
        .collect();
    let common = |word: u64| common_words.contains(&word);
    let raw = |article: &A| raw_weights(article, &common);
    // Two passes over the text: document frequencies first, then the vectors, each a slice of
    // articles at a time. The raw terms of every article are never held at once: at 100k
    // articles they are tens of millions, and tokenizing again costs less than holding them.
    let (keys, df) = shared_document_frequencies(&articles);
    // Only shared terms need an id (their index in `keys`); a term `KeyIndex` does not find was
    // counted once.
    let ids = KeyIndex::new(&keys);
    let term = |key: u64| match ids.id(key) {
        Some(id) => (df[id as usize], Some(id)),
        None => (1, None),
    };
    let n = articles.len() as f32;
    let weighted = |article: &A| -> (SparseVec, Option<SparseVec>) {
        let weights: Vec<(f32, bool, Option<u32>)> = raw(article)
            .into_iter()
            .map(|(key, w, latin)| {
                let (df, id) = term(key);
                let idf = ((n + 1.0) / df as f32).ln();
                (w * idf, latin, id)
            })
            .filter(|&(w, _, _)| w > 0.0)
            .collect();
        let kept = |latin_only: bool| -> SparseVec {
            let terms = || {
                weights
                    .iter()
                    .filter(|&&(_, latin, _)| latin || !latin_only)
            };
            let norm = terms().map(|&(w, _, _)| w * w).sum::<f32>().sqrt();
            terms()
                .filter_map(|&(w, _, id)| id.map(|id| (id, w / norm)))
                .collect()
        };
        let all_latin = weights.iter().all(|&(_, latin, _)| latin);
        (kept(false), (!all_latin).then(|| kept(true)))
    };
    let chinese: Vec<bool> = articles.iter().map(Readable::is_chinese).collect();
    // The same slices as the first pass, made last to first so that each slice's articles are
    // dropped as soon as its vectors exist.
    let mut slices: Vec<Vec<(SparseVec, Option<SparseVec>)>> = Vec::new();
    while !articles.is_empty() {
        let start = (articles.len() - 1) / SLICE * SLICE;
        slices.push(super::par_map(&articles[start..], weighted));
        articles.truncate(start);
    }
    let (docs, latin): (Vec<SparseVec>, Vec<Option<SparseVec>>) =
        slices.into_iter().rev().flatten().unzip();
    drop(common_words);
    tracing::debug!(
        entries = docs.iter().map(Vec::len).sum::<usize>(),
        latin_entries = latin.iter().flatten().map(Vec::len).sum::<usize>(),
        "vectors"
    );
    Vectors {
        keys,
        docs,
        latin,
        chinese,
        df,
    }
}

/// Articles tokenized per slice in each of `vectorize_consuming`'s passes.
const SLICE: usize = 4096;

/// The keys of the terms at least two articles use, ascending, and each one's document
/// frequency. The counting tables (mostly terms of one article) are gone when this returns.
fn shared_document_frequencies<A: Readable + Sync>(articles: &[A]) -> (Vec<u64>, Vec<u32>) {
    // Document frequency per key, in tables sharded by key, a run of shards per core, so the
    // counting (tens of millions of insertions into a table of millions of keys, each a cache
    // miss) runs on every core. Many small shards rather than one per core: a table that grows
    // holds its old and new buckets at once, and at a million articles (110 M distinct terms) one
    // table per core growing at the same moment as the others was a gigabyte more at the peak.
    const SHARDS_PER_THREAD: usize = 32;
    let threads = crate::parallel::threads().max(1);
    let shards = threads * SHARDS_PER_THREAD;
    let shard_of = |key: u64| ((key >> 32) % shards as u64) as usize;
    let mut terms: Vec<KeyMap<u64, u32>> = vec![KeyMap::default(); shards];
    let mut raw_terms = 0usize;
    for slice in articles.chunks(SLICE) {
        let docs = super::par_map(slice, |article| term_keys(article));
        raw_terms += docs.iter().map(Vec::len).sum::<usize>();
        let mut runs: Vec<&mut [KeyMap<u64, u32>]> = terms.chunks_mut(SHARDS_PER_THREAD).collect();
        crate::parallel::par_each_mut(&mut runs, |run, tables| {
            for &key in docs.iter().flatten() {
                let shard = shard_of(key);
                if shard / SHARDS_PER_THREAD == run {
                    *tables[shard % SHARDS_PER_THREAD].entry(key).or_insert(0) += 1;
                }
            }
        });
    }
    let mut keys: Vec<u64> = terms
        .iter()
        .flatten()
        .filter(|&(_, &n)| n >= 2)
        .map(|(&key, _)| key)
        .collect();
    keys.sort_unstable();
    let df: Vec<u32> = keys.iter().map(|&key| terms[shard_of(key)][&key]).collect();
    tracing::debug!(
        raw_terms,
        distinct = terms.iter().map(|t| t.len()).sum::<usize>(),
        shared = keys.len(),
        "vectorize"
    );
    (keys, df)
}

/// Keys of the terms both vectors carry, strongest (by product of weights) first, at most
/// `limit`: why `a` and `b` are alike, named later by `name_terms` from either article.
pub fn shared_keys(vectors: &Vectors, a: usize, b: usize, limit: usize) -> Vec<u64> {
    let (va, vb) = (&vectors.docs[a], &vectors.docs[b]);
    let mut shared: Vec<(f32, u32)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < va.len() && j < vb.len() {
        match va[i].0.cmp(&vb[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared.push((va[i].1 * vb[j].1, va[i].0));
                i += 1;
                j += 1;
            }
        }
    }
    shared.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    shared.truncate(limit);
    shared
        .into_iter()
        .map(|(_, id)| vectors.keys[id as usize])
        .collect()
}

/// The terms of `keys` as the tokenizer wrote them in `article` (one that carries them), in the
/// order of `keys`; a key the article does not carry is left out.
pub fn name_terms(article: &Article, keys: &[u64]) -> Vec<String> {
    let text_of = term_texts(article);
    keys.iter()
        .filter_map(|key| text_of.get(key).cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::similarity::{CROSS_LANGUAGE_WEIGHT, similarity};
    use crate::cluster::tests_support::article;
    use crate::text::vector::cosine;

    #[test]
    fn key_index_finds_each_key_at_its_place_and_nothing_else() {
        for n in [0usize, 1, 3, 4, 5, 1000] {
            let mut keys: Vec<u64> = (0..n as u64).map(|i| term_key(&format!("t{i}"))).collect();
            // Extremes of the key space too: the first and last prefixes.
            if n >= 5 {
                keys[0] = 0;
                keys[1] = u64::MAX;
            }
            keys.sort_unstable();
            let index = KeyIndex::new(&keys);
            for (id, &key) in keys.iter().enumerate() {
                assert_eq!(index.id(key), Some(id as u32), "{n} keys");
            }
            for absent in ["absent", "t-1", "t1000000"] {
                assert_eq!(index.id(term_key(absent)), None, "{n} keys");
            }
        }
    }

    #[test]
    fn vectors_are_normalised_and_order_free() {
        let a = article(
            "a1",
            "Qwen-Image-2512 released",
            "Alibaba released an image model.",
        );
        let b = article("b2", "Lumen-7B tops benchmark", "A small language model.");
        let ab = vectorize(&[a.clone(), b.clone()]);
        let ba = vectorize(&[b, a]);
        assert_eq!(ab.keys, ba.keys);
        assert_eq!(ab.docs[0], ba.docs[1]);
        // Only terms both articles carry are stored ("released", "model"): the rest weigh in
        // the norm, so the stored part has norm below 1, and a copy of an article scores 1.
        for v in &ab.docs {
            let norm: f32 = v.iter().map(|(_, w)| w * w).sum();
            assert!(norm > 0.0 && norm < 1.0, "{norm}");
            assert!(v.windows(2).all(|p| p[0].0 < p[1].0));
        }
        let a = article(
            "a1",
            "Qwen-Image-2512 released",
            "Alibaba released an image model.",
        );
        let copies = vectorize(&[a.clone(), a]);
        assert!((cosine(&copies.docs[0], &copies.docs[1]) - 1.0).abs() < 1e-5);
    }

    #[test]
    fn shared_model_name_dominates_similarity() {
        let a = article(
            "a",
            "Qwen-Image-2512 tops image leaderboard",
            // "image" is written in lower case: a common word, which the model name outranks.
            "Alibaba's new open image model.",
        );
        let b = article(
            "b",
            "Alibaba Qwen-Image-2512 is out",
            "The open model generates images.",
        );
        let c = article(
            "c",
            "Open model for robots is out",
            "A new open model for robots.",
        );
        let v = vectorize(&[a.clone(), b, c]);
        let sim = |x, y| similarity(&v, x, y);
        assert!(sim(0, 1) > sim(0, 2) && sim(0, 1) > sim(1, 2));
        assert!((sim(0, 1) - cosine(&v.docs[0], &v.docs[1])).abs() < 1e-5);
        assert_eq!(v.df[v.term_id("qwen-image-2512").unwrap()], 2);
        assert_eq!(
            name_terms(&a, &shared_keys(&v, 0, 1, 1)),
            ["qwen-image-2512"]
        );
    }

    #[test]
    fn cross_language_pairs_compare_on_latin_terms() {
        let en = article(
            "en",
            "China Telecom's GVC codec compresses video to 0.02%",
            "TeleAI's generative video compression beats H.266 at a fraction of the bandwidth.",
        );
        let zh = article(
            "zh",
            "中国电信发布生成式视频压缩GVC，把视频压缩到0.02%",
            "中国电信人工智能研究院TeleAI提出生成式视频压缩技术，相比H.266大幅节省带宽，\
             在极低码率下仍能还原画面细节，适用于卫星通信和应急场景。",
        );
        let other = article(
            "o",
            "腾讯发布混元翻译模型",
            "腾讯混元团队开源翻译模型，支持三十三种语言互译。",
        );
        let v = vectorize(&[en, zh, other]);
        assert_eq!(v.chinese, [false, true, true]);
        let sim = |x, y| similarity(&v, x, y);
        let full = cosine(&v.docs[0], &v.docs[1]);
        assert!(
            sim(0, 1) > full,
            "latin-only view lifts the pair: {} vs {full}",
            sim(0, 1)
        );
        assert!(sim(0, 1) > 0.1, "{}", sim(0, 1));
        let latin = cosine(v.latin(0), v.latin(1));
        assert!((sim(0, 1) - CROSS_LANGUAGE_WEIGHT * latin).abs() < 1e-6);
        assert!(sim(0, 2) < 0.05, "nothing Latin in common: {}", sim(0, 2));
        assert_eq!(sim(1, 2), sim(2, 1), "symmetric");
    }

    #[test]
    fn words_written_in_lower_case_weigh_less_than_names() {
        let a = article(
            "a",
            "Cowork is here",
            "Yesterday Anthropic shipped a desktop agent.",
        );
        // Vectors keep the terms two articles share, so the second one repeats the words.
        let b = article(
            "b",
            "Lumen-7B tops a benchmark",
            "The small model runs on any desktop. Yesterday Anthropic shipped an agent.",
        );
        let v = vectorize(&[a, b]);
        let weight = |doc: usize, term: &str| {
            let id = v.term_id(term).unwrap() as u32;
            v.docs[doc].iter().find(|&&(t, _)| t == id).unwrap().1
        };
        // Same tf, same df: only the casing differs ("Anthropic" mid-sentence, "agent" lower).
        let ratio = weight(0, "anthropic") / weight(0, "agent");
        assert!(
            (ratio - WORD_BOOST / COMMON_WORD_BOOST).abs() < 1e-4,
            "{ratio}"
        );
        // A sentence-initial capital says nothing: "yesterday" is not known to be common.
        assert!((weight(0, "yesterday") - weight(0, "anthropic")).abs() < 1e-6);
        // Casing is the input's habit: "desktop" is lower case in both articles.
        assert!(weight(0, "desktop") < weight(0, "anthropic"));
    }

    #[test]
    fn long_bodies_are_capped() {
        let long = format!("Lumen-7B {}", "filler words about nothing ".repeat(5000));
        let a = article("a", "Lumen-7B", &long);
        assert!(body_lead(&a).chars().count() <= BODY_CHARS);
    }
}
