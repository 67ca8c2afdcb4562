//! Exact duplicates. In: articles (or, across batches of a stream, what is kept of them: their
//! duplicate keys in keep order); out: one kept article per set of exact duplicates — same
//! canonical URL, or same title from the same outlet — with a trace of each copy folded into it.
//! The copy kept is the best in keep order: primary sources first, then the earliest, then the
//! smallest id. Never looks at text: near-duplicates are `neardup`'s.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::model::{Article, MergeKind, MergeTrace};
use crate::text::url::canonical_url;

/// The order in which the copy to keep is chosen: primary sources first, then the earliest
/// report, then the smallest id; the remaining fields only make the order total, so even two
/// records with the same id resolve the same way whatever order they arrived in.
pub(crate) fn keep_order(a: &Article, b: &Article) -> Ordering {
    (
        a.tier,
        a.published_at,
        &a.id,
        &a.source,
        &a.outlet,
        &a.url,
        &a.title,
        &a.text,
        &a.lang,
        &a.tags,
    )
        .cmp(&(
            b.tier,
            b.published_at,
            &b.id,
            &b.source,
            &b.outlet,
            &b.url,
            &b.title,
            &b.text,
            &b.lang,
            &b.tags,
        ))
}

/// Identity of a page. Canonical URL without its scheme: feeds disagree on http/https for the
/// same page far more often than two different pages differ only in scheme.
fn url_key(article: &Article) -> String {
    let url = canonical_url(&article.url).unwrap_or_else(|| article.url.trim().to_string());
    match url.split_once("://") {
        Some((_, rest)) => rest.to_string(),
        None => url,
    }
}

/// Same headline from the same outlet: a re-post under a second URL. Whitespace and case are
/// not part of a headline's identity. `None` for an empty title (those would all collide).
fn title_key(article: &Article) -> Option<(String, String)> {
    let folded = |text: &str| {
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let title = folded(&article.title);
    if title.is_empty() {
        return None;
    }
    Some((folded(&article.outlet), title))
}

/// What makes two articles exact duplicates, hashed (128 bits of blake3, so a collision is never
/// seen): a stream keeps these instead of the URL and title strings of every article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DupKey {
    url: u128,
    title: Option<u128>,
}

impl DupKey {
    pub(crate) fn of(article: &Article) -> Self {
        let hash = |text: &str| {
            let bytes: [u8; 16] = blake3::hash(text.as_bytes()).as_bytes()[..16]
                .try_into()
                .expect("16 bytes");
            u128::from_le_bytes(bytes)
        };
        DupKey {
            url: hash(&url_key(article)),
            title: title_key(article).map(|(outlet, title)| hash(&format!("{outlet}\n{title}"))),
        }
    }
}

/// Disjoint sets over `0..n`; `.0[x]` is `x`'s parent (a root is its own).
pub(super) struct UnionFind(pub Vec<usize>);

impl UnionFind {
    pub(super) fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }
    pub(super) fn find(&mut self, mut x: usize) -> usize {
        while self.0[x] != x {
            self.0[x] = self.0[self.0[x]];
            x = self.0[x];
        }
        x
    }
}

/// Exact duplicates among items given in keep order (index 0 is the best): each item's set, and
/// the joins that built the sets (`(kind, a, b)`: `b` is a copy of `a`), in the order they were
/// made. A set's root is its smallest index, i.e. its best item.
pub(crate) fn join_duplicates(keys: &[DupKey]) -> (UnionFind, Vec<(MergeKind, usize, usize)>) {
    // Each bucket links its members to its first (best) member.
    let mut edges: Vec<(MergeKind, usize, usize)> = Vec::new();
    let mut by_url: HashMap<u128, usize> = HashMap::new();
    let mut by_title: HashMap<u128, usize> = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        match by_url.get(&key.url) {
            Some(&first) => edges.push((MergeKind::SameUrl, first, i)),
            None => {
                by_url.insert(key.url, i);
            }
        }
        if let Some(title) = key.title {
            match by_title.get(&title) {
                Some(&first) => edges.push((MergeKind::SameTitle, first, i)),
                None => {
                    by_title.insert(title, i);
                }
            }
        }
    }
    let mut sets = UnionFind::new(keys.len());
    let mut joined: Vec<(MergeKind, usize, usize)> = Vec::new();
    for (kind, a, b) in edges {
        let (ra, rb) = (sets.find(a), sets.find(b));
        if ra == rb {
            continue;
        }
        // Roots are always the smallest index, i.e. the best item of the set.
        let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
        sets.0[child] = root;
        joined.push((kind, a, b));
    }
    (sets, joined)
}

/// The trace of a join: `right` was folded into `left`.
pub(crate) fn trace(kind: MergeKind, left: &str, right: &str) -> MergeTrace {
    MergeTrace {
        left: left.to_string(),
        right: right.to_string(),
        kind,
        similarity: 1.0,
        shared_terms: Vec::new(),
    }
}

/// Exact duplicates collapsed: the kept articles sorted by id, and for each kept article the
/// traces of the copies folded into it.
pub(crate) struct Collapsed<'a> {
    /// Borrowed: the articles are the largest thing clustering holds, and copying them here
    /// would hold them twice.
    pub kept: Vec<&'a Article>,
    /// Where each kept article is in the input (so it can be moved out of it afterwards).
    pub positions: Vec<usize>,
    /// Per kept article (in `kept`'s order), the copies folded into it.
    pub traces: Vec<Vec<MergeTrace>>,
}

pub(crate) fn collapse(articles: &[Article]) -> Collapsed<'_> {
    // Work in keep order so indices (and hence every tie below) do not depend on input order.
    let mut order: Vec<usize> = (0..articles.len()).collect();
    order.sort_by(|&a, &b| keep_order(&articles[a], &articles[b]));
    let sorted: Vec<&Article> = order.iter().map(|&i| &articles[i]).collect();
    let keys: Vec<DupKey> = crate::parallel::par_map(&sorted, |a| DupKey::of(a));
    let (mut sets, joined) = join_duplicates(&keys);
    let mut traces_by_root: HashMap<usize, Vec<MergeTrace>> = HashMap::new();
    for (kind, a, b) in joined {
        let root = sets.find(a);
        traces_by_root
            .entry(root)
            .or_default()
            .push(trace(kind, &sorted[a].id, &sorted[b].id));
    }
    let mut roots: Vec<usize> = (0..sorted.len()).filter(|&i| sets.find(i) == i).collect();
    roots.sort_by(|&a, &b| {
        let (a, b) = (sorted[a], sorted[b]);
        a.id.cmp(&b.id).then_with(|| keep_order(a, b))
    });
    Collapsed {
        kept: roots.iter().map(|&r| sorted[r]).collect(),
        positions: roots.iter().map(|&r| order[r]).collect(),
        traces: roots
            .iter()
            .map(|r| traces_by_root.remove(r).unwrap_or_default())
            .collect(),
    }
}

/// Exact duplicates only (same canonical URL, or same title from the same outlet) collapsed to
/// the best copy: lowest tier, then earliest, then smallest id. Sorted by id.
pub fn dedupe(articles: &[Article]) -> Vec<Article> {
    collapse(articles).kept.into_iter().cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests_support::{article, at};

    #[test]
    fn same_url_collapses_to_lowest_tier_then_earliest() {
        let mut a = article("aaa", "OpenAI ships GPT-5.2", "text one");
        a.url = "https://example.com/gpt?utm_source=feed".into();
        a.tier = 2;
        let mut b = article("bbb", "GPT-5.2 is here", "text two");
        b.url = "http://EXAMPLE.com/gpt#comments".into();
        b.tier = 1;
        b.published_at = at(12);
        let mut c = article("ccc", "GPT-5.2 arrives", "text three");
        c.url = "https://example.com/gpt".into();
        c.tier = 1;
        c.published_at = at(8);
        let kept = dedupe(&[a.clone(), b.clone(), c.clone()]);
        assert_eq!(kept.len(), 1);
        assert_eq!(
            kept[0].id, "ccc",
            "tier 1 beats tier 2, then 08:00 beats 12:00"
        );

        let three = [b, a, c];
        let collapsed = collapse(&three);
        assert_eq!(collapsed.kept[0].id, "ccc");
        let traces = &collapsed.traces[0];
        assert_eq!(traces.len(), 2);
        assert!(
            traces
                .iter()
                .all(|t| t.kind == MergeKind::SameUrl && t.left == "ccc")
        );
    }

    #[test]
    fn same_title_and_outlet_collapses_but_other_outlet_does_not() {
        let a = article("a1", "Lumen-7B  tops the leaderboard", "x");
        let mut b = article("b1", "lumen-7b tops the leaderboard", "y");
        b.url = "https://example.com/other-path".into();
        let mut c = article("c1", "Lumen-7B tops the leaderboard", "z");
        c.url = "https://other.example/p".into();
        c.outlet = "Other Outlet".into();
        let kept = dedupe(&[c, b, a]);
        let ids: Vec<&str> = kept.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a1", "c1"], "sorted by id; b1 folded into a1");
    }

    #[test]
    fn empty_titles_never_collide() {
        let a = article("a1", "", "x");
        let mut b = article("b1", "", "y");
        b.url = "https://example.com/b".into();
        assert_eq!(dedupe(&[a, b]).len(), 2);
    }
}
