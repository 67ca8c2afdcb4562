//! Candidate blocking. In: the articles' term vectors (with document frequencies), publication
//! times, MinHash signatures and the window; out: the sorted, deduplicated article pairs worth
//! scoring — those published within the window that share a rare term, or whose signatures agree
//! on a whole LSH band. Every other pair is taken as unrelated without being scored, which is
//! what keeps clustering linear in the articles instead of quadratic.

use std::collections::HashMap;

use super::vectorize::Vectors;

/// How candidates are found. `Blocking::exhaustive()` pairs every two articles in the window that
/// share any term (the reference the blocked result must equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocking {
    /// A term carried by more than this many articles does not make its articles candidates
    /// (it still counts in their cosine once they are candidates through a rarer term).
    pub max_df: usize,
    /// LSH over the MinHash signatures: `bands` bands of `rows` hashes; two articles agreeing on
    /// a whole band are candidates. 0 bands: off.
    pub lsh_bands: usize,
    pub lsh_rows: usize,
    /// LSH buckets with more articles than this are skipped (page chrome shared by a site).
    pub max_bucket: usize,
}

impl Default for Blocking {
    /// `max_df = 200`: a term in more than 200 articles within the corpus is vocabulary ("openai",
    /// 「芯片」), not a story name; on the 411-article corpus no term reaches that, so nothing is cut,
    /// and at 100k articles it bounds the pairs each term generates. Story-naming tokens (model
    /// names, paper titles) occur in a handful of articles. 32 bands × 4 rows: a pair at the
    /// near-duplicate threshold (Jaccard 0.5) agrees on some band with probability
    /// 1 − (1 − 0.5⁴)³² ≈ 0.87, at Jaccard 0.7 with ≈ 1.0; near-duplicates nearly always share rare
    /// terms as well, so LSH is the safety net, not the main road.
    fn default() -> Self {
        Blocking {
            max_df: 200,
            lsh_bands: 32,
            lsh_rows: 4,
            max_bucket: 200,
        }
    }
}

impl Blocking {
    /// Every pair sharing a term, at any document frequency; no LSH.
    pub fn exhaustive() -> Self {
        Blocking {
            max_df: usize::MAX,
            lsh_bands: 0,
            lsh_rows: 0,
            max_bucket: 0,
        }
    }
}

/// Pairs `(a, b)`, `a < b`, of the articles in `group` published within `window_s` of each
/// other, appended to `out` as `a << 32 | b`. `group` is sorted by time, then index.
fn pairs_in_window(group: &[u32], published_s: &[i64], window_s: i64, out: &mut Vec<u64>) {
    for (k, &a) in group.iter().enumerate() {
        let ta = published_s[a as usize];
        for &b in &group[k + 1..] {
            if published_s[b as usize] - ta > window_s {
                break;
            }
            let (x, y) = (a.min(b), a.max(b));
            out.push(u64::from(x) << 32 | u64::from(y));
        }
    }
}

fn by_time(group: &mut [u32], published_s: &[i64]) {
    group.sort_unstable_by_key(|&doc| (published_s[doc as usize], doc));
}

/// Candidate pairs as they are found, many found more than once (through each term and band two
/// articles share): sorted and deduplicated whenever they have doubled since the last time, so
/// memory stays within a small multiple of the distinct pairs instead of all the sightings.
#[derive(Default)]
struct PairSet {
    raw: Vec<u64>,
    settled: usize,
}

impl PairSet {
    fn settle(&mut self) {
        const MIN_SETTLE: usize = 1 << 20;
        if self.raw.len() > (2 * self.settled).max(MIN_SETTLE) {
            self.raw.sort_unstable();
            self.raw.dedup();
            self.settled = self.raw.len();
        }
    }
}

/// The candidate pairs (see the module doc), sorted, each once.
pub(crate) fn candidates(
    vectors: &Vectors,
    published_s: &[i64],
    window_s: i64,
    signatures: &[Vec<u64>],
    blocking: &Blocking,
) -> Vec<(usize, usize)> {
    // Postings of the terms rare enough to block on, in one flat array (term by term) rather
    // than a vector per term: at 100k articles that is millions of terms.
    let blocks = |term: usize| vectors.df[term] as usize <= blocking.max_df;
    let mut offsets = vec![0usize; vectors.keys.len() + 1];
    for vec in &vectors.docs {
        for &(term, _) in vec {
            if blocks(term as usize) {
                offsets[term as usize + 1] += 1;
            }
        }
    }
    for t in 0..vectors.keys.len() {
        offsets[t + 1] += offsets[t];
    }
    let mut filled = offsets.clone();
    let mut postings = vec![0u32; offsets[vectors.keys.len()]];
    for (doc, vec) in vectors.docs.iter().enumerate() {
        for &(term, _) in vec {
            if blocks(term as usize) {
                postings[filled[term as usize]] = doc as u32;
                filled[term as usize] += 1;
            }
        }
    }
    drop(filled);
    let mut pairs = PairSet::default();
    for t in 0..vectors.keys.len() {
        let list = &mut postings[offsets[t]..offsets[t + 1]];
        if list.len() > 1 {
            by_time(list, published_s);
            pairs_in_window(list, published_s, window_s, &mut pairs.raw);
            pairs.settle();
        }
    }
    drop(postings);
    if blocking.lsh_bands > 0 && blocking.lsh_rows > 0 {
        for band in 0..blocking.lsh_bands {
            let mut buckets: HashMap<&[u64], Vec<u32>> = HashMap::new();
            for (doc, sig) in signatures.iter().enumerate() {
                let rows = &sig[band * blocking.lsh_rows..][..blocking.lsh_rows];
                if rows[0] == u64::MAX {
                    continue; // empty text: its signature is all sentinels
                }
                buckets.entry(rows).or_default().push(doc as u32);
            }
            for bucket in buckets.values_mut() {
                if bucket.len() > 1 && bucket.len() <= blocking.max_bucket {
                    by_time(bucket, published_s);
                    pairs_in_window(bucket, published_s, window_s, &mut pairs.raw);
                }
            }
            pairs.settle();
        }
    }
    let mut pairs = pairs.raw;
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_iter()
        .map(|p| ((p >> 32) as usize, (p & 0xffff_ffff) as usize))
        .collect()
}
