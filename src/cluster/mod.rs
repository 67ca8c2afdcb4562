//! The cluster stage. In: the articles of one collection; out: stories (groups of articles that
//! tell the same story, each with the merge traces that explain it), then ranked topics. Exact
//! duplicates collapse to one kept article, near-duplicates and similar articles are grouped;
//! every input article lands in exactly one story. Deterministic and independent of input
//! order; never calls a model and never reads the clock. `cluster` takes the articles whole; a
//! `Clusterer` takes them a batch at a time and keeps only what clustering reads of each (see
//! `stream`), for inputs too large to hold.

mod agglomerative;
pub mod blocking;
mod collapse;
pub mod dedupe;
mod explain;
mod neardup;
pub mod rank;
mod read_parts;
pub mod similarity;
mod stream;
pub mod vectorize;

use chrono::{DateTime, Utc};

use crate::model::{Article, Story};
pub(crate) use crate::parallel::{par_map, par_map_with};

pub use blocking::Blocking;
pub use collapse::dedupe;
pub use explain::explain;
pub use rank::{RankParams, Ranked, rank, relevance};
pub use stream::{Clusterer, Group};

/// Knobs of the clustering.
///
/// The defaults were tuned on two golds, scored with `newsdesk cluster --gold`: the fixture day
/// (`fixtures/days/2026-01-05/stories.json`, written clean) and the labelled real corpus
/// (`fixtures/gold/corpus_stories.json`, 411 articles over 24 days), and checked by eye:
/// - `similarity_threshold = 0.24`: average-linkage similarity (TF-IDF cosine with Latin names
///   boosted over common words and bigrams; Latin-only cosine at 0.8 weight for a Chinese/English
///   pair, see `vectorize`). Corpus gold, pairwise F1 / B-cubed F1: 0.881 / 0.977 at 0.24 (from
///   0.806 / 0.966 before common words were told from names); 0.22 chains same-company stories
///   (GPT-5.2 reports, two Qwen launches: fixture pairwise F1 0.92, corpus 0.874), 0.26 splits
///   multi-outlet stories again (corpus 0.868), 0.28 more so (0.806). The fixture gold is exact at
///   0.24-0.28. Checked split-half: tuned on the corpus's last 12 days (pairwise F1 0.823 → 0.875),
///   the first 12 went 0.792 → 0.809, odd days 0.759 → 0.820, even days 0.912 → 0.897.
/// - `near_duplicate_threshold = 0.5`: estimated Jaccard of 5-character shingles. The fixture's
///   syndicated copy and the corpus's one cross-account re-post score 0.8-0.9; every other pair
///   stays under 0.25 (about 0.1 is the floor two unrelated English texts share).
/// - `window_hours = 144`: reposts come one to three days later and follow-ups of one launch run
///   over two to five days (the gold's rule); on the corpus gold 48 h found 44 % of the same-story
///   pairs, 96 h 51 %, 144 h 65 % at the old weights, longer windows nothing more (192 h and 336 h
///   give the same recall at lower precision), so six days is where the window stops paying.
///
/// Rules measured on the corpus gold and left out, because what they would rescue is outweighed
/// by what they would wrongly join (pairs within the window, below the threshold):
/// - a shared rare Latin term (carried by at most 4 of the 411 articles: "rlm", "baichuan-m3",
///   "nemotron") at similarity 0.10-0.24: 6 same-story pairs against 88 pairs of two stories
///   ("bullet", "v14", "boston", "siri");
/// - titles sharing a run of 6 or more letters: 3 same-story pairs against 852;
/// - one title containing the other: 18 pairs, all same-story and all already above 0.8.
///
/// What the lexical path still misses is mostly a later follow-up (7 to 17 days after the
/// launch, beyond the window), a Chinese and an English report sharing no Latin term ("安克 AI
/// 录音豆" and "Anker … Voice Recorder"), or two takes of one announcement that share only the
/// company and product ("ChatGPT ... 广告" and "ChatGPT ... Ads").
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterParams {
    /// Stop merging when the best average cosine between two clusters is below this.
    pub similarity_threshold: f32,

    /// Estimated Jaccard (0..1) at or above which two articles are near-duplicates.
    pub near_duplicate_threshold: f32,
    /// Articles published more than this many hours apart never share a story.
    pub window_hours: u32,
    /// Which pairs are scored at all (see `blocking`): a budget of partners per article, wide
    /// enough that the stories equal the exhaustive ones on the corpus gold.
    pub blocking: Blocking,
}

impl Default for ClusterParams {
    fn default() -> Self {
        ClusterParams {
            similarity_threshold: 0.24,
            near_duplicate_threshold: 0.5,
            window_hours: 144,
            blocking: Blocking::default(),
        }
    }
}

/// "s" + the first 12 hex chars of blake3 over the sorted member ids joined with "\n".
pub fn story_id(articles: &[Article]) -> String {
    let mut ids: Vec<&str> = articles.iter().map(|a| a.id.as_str()).collect();
    ids.sort_unstable();
    let hash = blake3::hash(ids.join("\n").as_bytes());
    format!("s{}", &hash.to_hex()[..12])
}

/// Exact duplicates (same canonical url, or same title+outlet) collapse to one article (keep the
/// lowest tier, then earliest, then smallest id); near-duplicates (MinHash over character
/// shingles, CJK-safe, fixed seeds) and similar articles (average-linkage on TF-IDF cosine
/// within `window_hours`) are grouped into stories. Every input article ends up in exactly one
/// story (duplicates are represented by the kept article). Deterministic and independent of
/// input order: stories come sorted by their earliest article, then id.
pub fn cluster(articles: Vec<Article>, params: &ClusterParams) -> Vec<Story> {
    let mut clusterer = Clusterer::new(params);
    clusterer.add(&articles);
    let groups = clusterer.finish();
    // The members are moved out of the input into their stories (at 100k articles a copy of the
    // input would be as large as everything else clustering holds).
    let mut input: Vec<Option<Article>> = articles.into_iter().map(Some).collect();
    let mut stories: Vec<Story> = groups
        .into_iter()
        .map(|mut group| {
            group.name_shared_terms(|i| input[i].as_ref().expect("named before it is moved"));
            let mut articles: Vec<Article> = group
                .articles
                .iter()
                .map(|&i| input[i].take().expect("a kept article is in one story"))
                .collect();
            articles.sort_by(collapse::keep_order);
            Story {
                id: story_id(&articles),
                articles,
                merges: group.merges,
            }
        })
        .collect();
    stories.sort_by_cached_key(|s| (earliest(s), s.id.clone()));
    stories
}

fn earliest(story: &Story) -> Option<DateTime<Utc>> {
    story.articles.iter().map(|a| a.published_at).min()
}

pub mod metrics;

#[cfg(test)]
pub(crate) mod tests_support {
    use chrono::{DateTime, TimeZone, Utc};

    use crate::model::{Article, Story};

    /// 2026-01-05 00:00 UTC plus `hours`.
    pub(crate) fn at(hours: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 5, 0, 0, 0).unwrap()
            + chrono::Duration::hours(i64::from(hours))
    }

    pub(crate) fn article(id: &str, title: &str, text: &str) -> Article {
        Article {
            id: id.to_string(),
            url: format!("https://example.com/{id}"),
            outlet: "Example News".to_string(),
            source: "example".to_string(),
            tier: 2,
            title: title.to_string(),
            published_at: at(10),
            lang: crate::text::detect_language(title, text).to_string(),
            text: text.to_string(),
            tags: Vec::new(),
        }
    }

    pub(crate) fn story(mut articles: Vec<Article>) -> Story {
        articles.sort_by(super::collapse::keep_order);
        Story {
            id: super::story_id(&articles),
            articles,
            merges: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
