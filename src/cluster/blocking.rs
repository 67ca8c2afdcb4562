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

/// Marks an article has no LSH bucket in a band (empty text, or a bucket of one or of too many).
const NO_BUCKET: u32 = u32::MAX;

/// Lists of articles sorted by publication time then index, in one flat array (list by list)
/// rather than a vector per list: at 100k articles there are millions of term postings.
struct Lists {
    offsets: Vec<usize>,
    members: Vec<u32>,
}

impl Lists {
    /// `count` lists holding the `(list, article)` memberships `memberships` yields (called
    /// twice: once to size the lists, once to fill them).
    fn build<I: Iterator<Item = (usize, u32)>>(
        count: usize,
        published_s: &[i64],
        memberships: impl Fn() -> I,
    ) -> Lists {
        let mut offsets = vec![0usize; count + 1];
        for (list, _) in memberships() {
            offsets[list + 1] += 1;
        }
        for l in 0..count {
            offsets[l + 1] += offsets[l];
        }
        let mut filled = offsets.clone();
        let mut members = vec![0u32; offsets[count]];
        for (list, doc) in memberships() {
            members[filled[list]] = doc;
            filled[list] += 1;
        }
        for l in 0..count {
            members[offsets[l]..offsets[l + 1]]
                .sort_unstable_by_key(|&doc| (published_s[doc as usize], doc));
        }
        Lists { offsets, members }
    }

    fn get(&self, list: usize) -> &[u32] {
        &self.members[self.offsets[list]..self.offsets[list + 1]]
    }
}

/// Where each article's candidates are looked up: the postings of the terms rare enough to block
/// on, and the LSH bucket of each article in each band.
struct Index<'a> {
    vectors: &'a Vectors,
    published_s: &'a [i64],
    window_s: i64,
    max_df: usize,
    postings: Lists,
    /// Bucket of article `doc` in band `band` at `band * n + doc` (`NO_BUCKET` for none).
    bucket_of: Vec<u32>,
    buckets: Lists,
}

impl<'a> Index<'a> {
    fn new(
        vectors: &'a Vectors,
        published_s: &'a [i64],
        window_s: i64,
        signatures: &[Vec<u64>],
        blocking: &Blocking,
    ) -> Self {
        let blocks = |term: u32| vectors.df[term as usize] as usize <= blocking.max_df;
        let postings = Lists::build(vectors.keys.len(), published_s, || {
            vectors.docs.iter().enumerate().flat_map(move |(doc, vec)| {
                vec.iter()
                    .filter(move |&&(term, _)| blocks(term))
                    .map(move |&(term, _)| (term as usize, doc as u32))
            })
        });
        let n = vectors.docs.len();
        let mut bucket_of = Vec::new();
        let mut sizes: Vec<usize> = Vec::new();
        if blocking.lsh_bands > 0 && blocking.lsh_rows > 0 {
            bucket_of = vec![NO_BUCKET; blocking.lsh_bands * n];
            for band in 0..blocking.lsh_bands {
                let mut ids: HashMap<&[u64], u32> = HashMap::new();
                for (doc, sig) in signatures.iter().enumerate() {
                    let rows = &sig[band * blocking.lsh_rows..][..blocking.lsh_rows];
                    if rows[0] == u64::MAX {
                        continue; // empty text: its signature is all sentinels
                    }
                    let id = *ids.entry(rows).or_insert_with(|| {
                        sizes.push(0);
                        (sizes.len() - 1) as u32
                    });
                    sizes[id as usize] += 1;
                    bucket_of[band * n + doc] = id;
                }
            }
            // A bucket of one pairs nothing; an oversized one is page chrome shared by a site.
            for slot in &mut bucket_of {
                if *slot != NO_BUCKET {
                    let size = sizes[*slot as usize];
                    if size < 2 || size > blocking.max_bucket {
                        *slot = NO_BUCKET;
                    }
                }
            }
        }
        let buckets = Lists::build(sizes.len(), published_s, || {
            bucket_of
                .iter()
                .enumerate()
                .filter(|&(_, &id)| id != NO_BUCKET)
                .map(|(slot, &id)| (id as usize, (slot % n) as u32))
        });
        Index {
            vectors,
            published_s,
            window_s,
            max_df: blocking.max_df,
            postings,
            bucket_of,
            buckets,
        }
    }

    /// The articles `b > a` sharing a list with `a` and published within the window of it,
    /// ascending. `seen` (one slot per article, never holding `a` on entry) marks those found.
    fn partners(&self, a: usize, seen: &mut [u32]) -> Vec<u32> {
        let ta = self.published_s[a];
        let mut found = Vec::new();
        let mut visit = |list: &[u32]| {
            let from = list.partition_point(|&b| self.published_s[b as usize] < ta - self.window_s);
            for &b in &list[from..] {
                if self.published_s[b as usize] - ta > self.window_s {
                    break;
                }
                if b as usize > a && seen[b as usize] != a as u32 {
                    seen[b as usize] = a as u32;
                    found.push(b);
                }
            }
        };
        for &(term, _) in &self.vectors.docs[a] {
            if self.vectors.df[term as usize] as usize <= self.max_df {
                visit(self.postings.get(term as usize));
            }
        }
        let n = self.vectors.docs.len();
        for band_start in (0..self.bucket_of.len()).step_by(n.max(1)) {
            let id = self.bucket_of[band_start + a];
            if id != NO_BUCKET {
                visit(self.buckets.get(id as usize));
            }
        }
        found.sort_unstable();
        found
    }
}

/// Each article's candidates (see the module doc): for article `a`, the articles `b > a` worth
/// scoring with it, ascending. Computed per article on all cores, so the pairs are never
/// gathered, sorted and deduplicated as one list (at 100k articles, tens of millions of
/// sightings).
pub(crate) fn candidates(
    vectors: &Vectors,
    published_s: &[i64],
    window_s: i64,
    signatures: &[Vec<u64>],
    blocking: &Blocking,
) -> Vec<Vec<u32>> {
    let index = Index::new(vectors, published_s, window_s, signatures, blocking);
    let n = vectors.docs.len();
    let docs: Vec<usize> = (0..n).collect();
    let partners = crate::parallel::par_map_with(
        &docs,
        || vec![u32::MAX; n],
        |seen, &a| index.partners(a, seen),
    );
    tracing::debug!(
        pairs = partners.iter().map(Vec::len).sum::<usize>(),
        "candidates"
    );
    partners
}
