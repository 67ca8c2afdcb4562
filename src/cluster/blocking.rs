//! Candidate blocking. In: the articles' term vectors (with document frequencies), publication
//! times and the window; out: for each article the articles worth scoring with it — those
//! published within the window that share one of its terms, rarest terms first, under a budget of
//! partners per article. Every other pair is taken as unrelated without being scored, which is
//! what keeps clustering linear in the articles instead of quadratic, whatever the size of the
//! posting lists. Near-identical copies never get here: `neardup` folds each family into one
//! representative first.

use super::vectorize::Vectors;

/// How many candidates each article gets. `Blocking::exhaustive()` pairs every two articles in
/// the window that share any term (the reference the budgeted result must equal on real days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocking {
    /// At most this many partners per article, found through its rarest terms first and, within
    /// one term's posting list, nearest in time first. The frequent-term cut-off is derived per
    /// article from the data: an article reads its terms from the rarest up and stops where the
    /// postings read so far have given it this many partners, so a term carried by every article
    /// (an adversarial input, or "AI" in an AI digest) is read only by articles that have
    /// nothing rarer, and then only its entries nearest in time. Scored pairs are at most
    /// `max_partners` per article, however large the posting lists or families are.
    pub max_partners: usize,
}

impl Default for Blocking {
    /// `max_partners = 128`: a story has a handful to a few dozen distinct reports once copies
    /// are collapsed to one representative (at most 6 in either gold); an article's true
    /// story-mates share its rarest terms (model names, figures), so they come first, and 128
    /// partners leave a wide margin for stories told by many outlets. On the 411-article corpus
    /// an article shares some term with about 140 others within the six-day window; the budgeted
    /// stories equal the exhaustive ones (`tests/cluster_gold.rs`).
    fn default() -> Self {
        Blocking { max_partners: 128 }
    }
}

impl Blocking {
    /// Every pair sharing a term: no budget.
    pub fn exhaustive() -> Self {
        Blocking {
            max_partners: usize::MAX,
        }
    }

    /// Posting entries an article may read before it stops looking: entries it has already
    /// found through a rarer term cost reading too, so a story whose articles share many rare
    /// terms still costs a bounded number of steps per article.
    fn max_examined(&self) -> usize {
        self.max_partners.saturating_mul(EXAMINED_PER_PARTNER)
    }
}

/// Entries read per partner allowed (see `Blocking::max_examined`): an article of a tight story
/// meets each story-mate once per shared rare term, a few times over before anything new.
const EXAMINED_PER_PARTNER: usize = 8;

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
        // Counting sort: each list's end, then filled from the end down, so its start is where
        // the filling stops (no second table of fill positions: at 100k articles each is tens of
        // MB). The order within a list is set by the sort below.
        let mut offsets = vec![0usize; count + 1];
        for (list, _) in memberships() {
            offsets[list] += 1;
        }
        for l in 1..=count {
            offsets[l] += offsets[l - 1];
        }
        let mut members = vec![0u32; offsets[count]];
        for (list, doc) in memberships() {
            offsets[list] -= 1;
            members[offsets[list]] = doc;
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

/// Where each article's candidates are looked up: the posting list of every shared term, sorted
/// by publication time.
struct Index<'a> {
    vectors: &'a Vectors,
    published_s: &'a [i64],
    window_s: i64,
    blocking: Blocking,
    postings: Lists,
}

impl<'a> Index<'a> {
    fn new(
        vectors: &'a Vectors,
        published_s: &'a [i64],
        window_s: i64,
        blocking: &Blocking,
    ) -> Self {
        let postings = Lists::build(vectors.keys.len(), published_s, || {
            vectors.docs.iter().enumerate().flat_map(move |(doc, vec)| {
                vec.iter()
                    .map(move |&(term, _)| (term as usize, doc as u32))
            })
        });
        Index {
            vectors,
            published_s,
            window_s,
            blocking: *blocking,
            postings,
        }
    }

    /// The articles sharing a term with `a` within the window, at most `max_partners` of them:
    /// its terms rarest first (ties by term id), each list's entries nearest in time first
    /// (ties: the earlier one). Ascending. `seen` (one slot per article, never holding `a` on
    /// entry) marks those found.
    fn partners(&self, a: usize, seen: &mut [u32]) -> Vec<u32> {
        let time = |b: u32| self.published_s[b as usize];
        let ta = self.published_s[a];
        let mut terms: Vec<(u32, u32)> = self.vectors.docs[a]
            .iter()
            .map(|&(term, _)| (self.vectors.df[term as usize], term))
            .collect();
        terms.sort_unstable();
        let (max_partners, max_examined) =
            (self.blocking.max_partners, self.blocking.max_examined());
        let mut found = Vec::new();
        let mut examined = 0usize;
        'terms: for (_, term) in terms {
            let list = self.postings.get(term as usize);
            let at = list.partition_point(|&b| (time(b), b) < (ta, a as u32));
            // `before` and `after` are the next entries to read on either side of `a`.
            let (mut before, mut after) = (at, at + 1);
            loop {
                let earlier = (before > 0 && ta - time(list[before - 1]) <= self.window_s)
                    .then(|| list[before - 1]);
                let later = (after < list.len() && time(list[after]) - ta <= self.window_s)
                    .then(|| list[after]);
                let b = match (earlier, later) {
                    (None, None) => break,
                    (Some(e), Some(l)) if ta - time(e) <= time(l) - ta => {
                        before -= 1;
                        e
                    }
                    (Some(e), None) => {
                        before -= 1;
                        e
                    }
                    (_, Some(l)) => {
                        after += 1;
                        l
                    }
                };
                examined += 1;
                if seen[b as usize] != a as u32 {
                    seen[b as usize] = a as u32;
                    found.push(b);
                    if found.len() >= max_partners {
                        break 'terms;
                    }
                }
                if examined >= max_examined {
                    break 'terms;
                }
            }
        }
        found.sort_unstable();
        found
    }
}

/// Each article's candidates (see the module doc): for article `a`, the articles worth scoring
/// with it, ascending; each pair appears once, in the list of its smaller article unless only
/// the larger one found it. Computed per article on all cores, so the pairs are never gathered,
/// sorted and deduplicated as one list (at 100k articles, tens of millions of sightings).
pub(crate) fn candidates(
    vectors: &Vectors,
    published_s: &[i64],
    window_s: i64,
    blocking: &Blocking,
) -> Vec<Vec<u32>> {
    let index = Index::new(vectors, published_s, window_s, blocking);
    let n = vectors.docs.len();
    let docs: Vec<usize> = (0..n).collect();
    let found = crate::parallel::par_map_with(
        &docs,
        || vec![u32::MAX; n],
        |seen, &a| index.partners(a, seen),
    );
    // A pair both articles found is kept by the smaller one only.
    let partners = crate::parallel::par_map(&docs, |&a| {
        found[a]
            .iter()
            .copied()
            .filter(|&b| b as usize > a || found[b as usize].binary_search(&(a as u32)).is_err())
            .collect::<Vec<u32>>()
    });
    tracing::debug!(
        sightings = found.iter().map(Vec::len).sum::<usize>(),
        pairs = partners.iter().map(Vec::len).sum::<usize>(),
        most_per_article = found.iter().map(Vec::len).max().unwrap_or(0),
        "candidates"
    );
    partners
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests_support::article;
    use crate::cluster::vectorize::vectorize;

    #[test]
    fn the_budget_holds_when_one_term_is_in_every_article() {
        // 1,000 articles share "omnipresent" and nothing else but a pair of story-mates, which
        // share a rare name too.
        let mut articles: Vec<_> = (0..1000)
            .map(|i| {
                article(
                    &format!("a{i:04}"),
                    &format!("Omnipresent Unique{i}"),
                    &format!("Omnipresent singleword{i}."),
                )
            })
            .collect();
        for i in [10, 900] {
            articles[i].title = format!("Omnipresent Kestrel-4 Unique{i}");
        }
        let vectors = vectorize(&articles);
        let published_s = vec![0i64; articles.len()];
        let budget = Blocking { max_partners: 16 };
        let partners = candidates(&vectors, &published_s, 3600, &budget);
        let pairs: usize = partners.iter().map(Vec::len).sum();
        assert!(pairs <= 16 * articles.len(), "{pairs} pairs");
        assert!(
            pairs >= 8 * articles.len(),
            "every article still gets partners: {pairs}"
        );
        assert!(partners.iter().all(|p| p.len() <= 16));
        // The rare name is read first, so the story-mates find each other across the list.
        assert!(partners[10].contains(&900), "{:?}", partners[10]);
        // Without a budget, every pair is a candidate.
        let all = candidates(&vectors, &published_s, 3600, &Blocking::exhaustive());
        assert_eq!(all.iter().map(Vec::len).sum::<usize>(), 1000 * 999 / 2);
    }

    #[test]
    fn each_pair_is_listed_once_and_only_within_the_window() {
        let articles: Vec<_> = (0..6)
            .map(|i| article(&format!("a{i}"), "Kestrel-4 ships", &format!("Body {i}.")))
            .collect();
        let vectors = vectorize(&articles);
        let published_s = [0, 10, 20, 30, 5000, 5010];
        let partners = candidates(&vectors, &published_s, 100, &Blocking::default());
        let mut pairs: Vec<(u32, u32)> = partners
            .iter()
            .enumerate()
            .flat_map(|(a, list)| list.iter().map(move |&b| (a as u32, b)))
            .map(|(a, b)| (a.min(b), a.max(b)))
            .collect();
        let listed = pairs.len();
        pairs.sort_unstable();
        pairs.dedup();
        assert_eq!(listed, pairs.len(), "no pair twice");
        assert_eq!(
            pairs,
            [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3), (4, 5)]
        );
    }
}
