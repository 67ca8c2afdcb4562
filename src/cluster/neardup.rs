//! Near-duplicate families. In: each article's MinHash signature (see `dedupe::signature`), its
//! publication time and its rank in keep order, the Jaccard threshold and the window; out: the
//! articles grouped into families of near-identical texts (wire copy republished by many sites,
//! a re-post under another title), each with one representative, and the links that joined them.
//! Runs before any pairwise scoring so that a story told by 200 copies costs what one article
//! costs: only representatives are vectorized, blocked and scored, and members inherit their
//! representative's story.
//!
//! Linear in the articles whatever the family sizes: LSH over the signatures puts texts that
//! agree on a whole band of minima into one bucket, and each bucket member is compared with the
//! bucket's first member and with its predecessor only (at most two estimates per article and
//! band), never with every other member. A family is connected through any chain of verified
//! links, and with 32 bands a copy lands beside some already-linked relative in nearly every band.
//! Independent of input order: buckets are sorted by article index (article-id order), and links
//! are applied best first, ties by index.

use super::collapse::UnionFind;
use super::dedupe::jaccard_estimate;
use super::par_map;

/// LSH: `BANDS` bands of `ROWS` minima each (of the signature's 128). A pair at the threshold
/// (Jaccard 0.5) shares some band with probability 1 − (1 − 0.5⁴)³² ≈ 0.87, at 0.7 ≈ 1.0; a pair
/// of unrelated texts (about 0.1) with 1 − (1 − 0.1⁴)³² ≈ 0.003. A family of copies links through
/// any of its members, so a copy is missed only if it misses every relative in every band.
const BANDS: usize = 32;
const ROWS: usize = 4;
/// Bands whose links are gathered before duplicates are dropped.
const BANDS_AT_ONCE: usize = 8;

/// Near-identical texts grouped: the representative of each article's family, and for each
/// member the relative it was found a near-duplicate of.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Families {
    /// For each article, its family's representative (itself for a representative): the
    /// family's first article in keep order (primary source, then earliest, then smallest id).
    pub representative: Vec<usize>,
    /// For each member (not a representative): `(relative, jaccard)` — the family member it was
    /// linked to, on the path towards the representative, and their estimated Jaccard.
    pub parent: Vec<Option<(usize, f32)>>,
}

impl Families {
    /// The representatives, ascending.
    pub(super) fn representatives(&self) -> Vec<usize> {
        (0..self.representative.len())
            .filter(|&i| self.representative[i] == i)
            .collect()
    }

    /// Each representative's members (itself first, then the rest ascending), indexed by
    /// representative.
    pub(super) fn members(&self) -> Vec<Vec<usize>> {
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); self.representative.len()];
        for (i, &rep) in self.representative.iter().enumerate() {
            if i == rep {
                members[rep].insert(0, i);
            } else {
                members[rep].push(i);
            }
        }
        members
    }
}

/// What families are built from: per article (by index), its signature, publication time and
/// rank in keep order.
pub(crate) struct Input<'a, S> {
    /// Each article's signature (empty for a text without a letter or digit).
    pub signatures: &'a [S],
    pub published_s: &'a [i64],
    pub keep_rank: &'a [usize],
    pub window_s: i64,
    pub threshold: f32,
}

/// The candidate links of one band: each bucket member with the bucket's first member and its
/// predecessor, kept when they are within the window and their Jaccard estimate reaches the
/// threshold.
/// Links are `(u32, u32, f32)`: at 100k syndicated articles there are millions before
/// deduplication, one per member per band.
fn band_links<S: AsRef<[u32]>>(input: &Input<'_, S>, band: usize) -> Vec<(u32, u32, f32)> {
    let mut keyed: Vec<(u64, u32)> = input
        .signatures
        .iter()
        .enumerate()
        .filter(|(_, sig)| !sig.as_ref().is_empty())
        .map(|(doc, sig)| {
            let rows = &sig.as_ref()[band * ROWS..][..ROWS];
            let key = rows.iter().fold(band as u64, |h, &m| {
                super::dedupe::fnv1a_step(h.rotate_left(17), u64::from(m))
            });
            (key, doc as u32)
        })
        .collect();
    keyed.sort_unstable();
    let mut links = Vec::new();
    for bucket in keyed.chunk_by(|x, y| x.0 == y.0) {
        let first = bucket[0].1;
        for (i, &(_, doc)) in bucket.iter().enumerate().skip(1) {
            let previous = bucket[i - 1].1;
            let relatives: &[u32] = if previous == first {
                &[first]
            } else {
                &[first, previous]
            };
            for &relative in relatives {
                let (r, d) = (relative as usize, doc as usize);
                if (input.published_s[d] - input.published_s[r]).abs() > input.window_s {
                    continue;
                }
                let jaccard =
                    jaccard_estimate(input.signatures[r].as_ref(), input.signatures[d].as_ref());
                if jaccard >= input.threshold {
                    links.push((relative, doc, jaccard));
                }
            }
        }
    }
    links
}

/// Groups the articles into families (see the module doc). Links are applied best first (ties
/// by the smaller indices); one that would make a family span more than the window is skipped,
/// so no two articles further apart than the window ever share a family.
pub(crate) fn families<S: AsRef<[u32]> + Sync>(input: &Input<'_, S>) -> Families {
    let n = input.signatures.len();
    let bands: Vec<usize> = (0..BANDS).collect();
    // A few bands at a time, the links deduplicated after each batch: a family links in nearly
    // every band, so the links of all 32 bands at once would be 32 copies of the same pairs (at
    // a million syndicated articles, most of a gigabyte).
    let mut links: Vec<(u32, u32, f32)> = Vec::new();
    for batch in bands.chunks(BANDS_AT_ONCE) {
        links.extend(
            par_map(batch, |&band| band_links(input, band))
                .into_iter()
                .flatten(),
        );
        links.sort_unstable_by(|p, q| q.2.total_cmp(&p.2).then((p.0, p.1).cmp(&(q.0, q.1))));
        links.dedup_by_key(|l| (l.0, l.1));
    }
    tracing::debug!(links = links.len(), "near-duplicate links");

    let mut sets = UnionFind::new(n);
    let mut earliest: Vec<i64> = input.published_s.to_vec();
    let mut latest: Vec<i64> = input.published_s.to_vec();
    // The links that joined two families: a spanning tree of each family.
    let mut tree: Vec<Vec<(usize, f32)>> = vec![Vec::new(); n];
    for (a, b, jaccard) in links {
        let (a, b) = (a as usize, b as usize);
        let (ra, rb) = (sets.find(a), sets.find(b));
        if ra == rb || latest[ra].max(latest[rb]) - earliest[ra].min(earliest[rb]) > input.window_s
        {
            continue;
        }
        let (root, child) = (ra.min(rb), ra.max(rb));
        sets.0[child] = root;
        earliest[root] = earliest[root].min(earliest[child]);
        latest[root] = latest[root].max(latest[child]);
        tree[a].push((b, jaccard));
        tree[b].push((a, jaccard));
    }

    // The representative is the family's first article in keep order; each member's parent is
    // its neighbour on the tree path towards it (a walk from the representative).
    let mut representative: Vec<usize> = (0..n).collect();
    let mut best: Vec<usize> = (0..n).collect();
    for i in 0..n {
        let root = sets.find(i);
        if input.keep_rank[i] < input.keep_rank[best[root]] {
            best[root] = i;
        }
    }
    let mut parent: Vec<Option<(usize, f32)>> = vec![None; n];
    let mut visited = vec![false; n];
    for i in 0..n {
        let rep = best[sets.find(i)];
        representative[i] = rep;
        if visited[rep] {
            continue;
        }
        visited[rep] = true;
        let mut stack = vec![rep];
        while let Some(x) = stack.pop() {
            let mut next = tree[x].clone();
            next.sort_by_key(|&(y, _)| std::cmp::Reverse(y));
            for (y, jaccard) in next {
                if !visited[y] {
                    visited[y] = true;
                    parent[y] = Some((x, jaccard));
                    stack.push(y);
                }
            }
        }
    }
    Families {
        representative,
        parent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::dedupe::signature;
    use crate::cluster::tests_support::article;

    const HOUR: i64 = 3600;

    fn input<'a>(
        signatures: &'a [Vec<u32>],
        published_s: &'a [i64],
        keep_rank: &'a [usize],
    ) -> Input<'a, Vec<u32>> {
        Input {
            signatures,
            published_s,
            keep_rank,
            window_s: 48 * HOUR,
            threshold: 0.5,
        }
    }

    /// A wire story of `paragraphs` distinct sentences.
    fn wire(seed: usize, paragraphs: usize) -> String {
        (0..paragraphs)
            .map(|p| {
                format!(
                    "Paragraph {p} of wire story {seed} reports figure {} from lab {} in detail. ",
                    seed * 7919 + p * 104_729,
                    seed * 31 + p
                )
            })
            .collect()
    }

    #[test]
    fn copies_form_one_family_with_the_best_as_representative() {
        let body = wire(1, 12);
        let other = wire(2, 12);
        let texts = [
            body.clone(),
            format!("Pasted lead of another story. {body}"),
            other.clone(),
            body.replace("Paragraph 3", "Section three"),
            format!("{body} Republished with permission."),
        ];
        let signatures: Vec<Vec<u32>> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| signature(&article(&format!("a{i}"), "Wire story", t)))
            .collect();
        // Article 3 comes first in keep order (say, the primary source).
        let keep_rank = [1, 2, 3, 0, 4];
        let families = families(&input(&signatures, &[0; 5], &keep_rank));
        assert_eq!(families.representative, [3, 3, 2, 3, 3]);
        assert_eq!(families.representatives(), [2, 3]);
        assert_eq!(families.members()[3], [3, 0, 1, 4]);
        assert_eq!(families.parent[3], None);
        assert_eq!(families.parent[2], None);
        for member in [0, 1, 4] {
            let (relative, jaccard) = families.parent[member].unwrap();
            assert_eq!(families.representative[relative], 3);
            assert!(jaccard >= 0.5, "{member}: {jaccard}");
        }
    }

    #[test]
    fn a_family_never_spans_more_than_the_window() {
        let body = wire(3, 10);
        let signatures: Vec<Vec<u32>> = (0..3)
            .map(|i| signature(&article(&format!("a{i}"), "Wire", &body)))
            .collect();
        // A copy a day for three days: with a 48-hour window the third cannot join the first.
        let published_s = [0, 24 * HOUR, 49 * HOUR];
        let families = families(&input(&signatures, &published_s, &[0, 1, 2]));
        assert_eq!(families.representative[0], families.representative[1]);
        assert_ne!(families.representative[0], families.representative[2]);
    }

    #[test]
    fn order_of_the_input_does_not_change_the_families() {
        let texts: Vec<String> = (0..40)
            .map(|i| format!("{} Copy {i}.", wire(i % 8, 10)))
            .collect();
        let signatures: Vec<Vec<u32>> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| signature(&article(&format!("a{i}"), "t", t)))
            .collect();
        let rank: Vec<usize> = (0..40).collect();
        let one = families(&input(&signatures, &[0; 40], &rank));
        assert_eq!(one.representatives().len(), 8, "eight stories");
        // Reversed indices: the same partition, mapped back.
        let reversed: Vec<Vec<u32>> = signatures.iter().rev().cloned().collect();
        let reversed_rank: Vec<usize> = rank.iter().rev().copied().collect();
        let two = families(&input(&reversed, &[0; 40], &reversed_rank));
        for i in 0..40 {
            assert_eq!(one.representative[i], 39 - two.representative[39 - i]);
        }
    }
}
