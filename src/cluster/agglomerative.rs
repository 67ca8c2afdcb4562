//! Average-linkage agglomerative clustering over a sparse similarity graph. In: the graph's
//! edges (document pairs with their similarity; a pair without an edge counts as 0) and the
//! time span each document covers; out: groups of document indices with the links that built
//! them, in the order they happened. Knows nothing of articles
//! or terms, never links documents published further apart than the window, and costs time and
//! memory in the number of edges, not in n².

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use super::dedupe::KeyMap;

/// One merge: the closest pair across the two sides, and the score that justified it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Link {
    pub left: usize,
    pub right: usize,
    /// Average-linkage cosine.
    pub similarity: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    /// Document indices, ascending.
    pub members: Vec<usize>,
    pub links: Vec<Link>,
}

/// What the clustering runs on. Indices are in article-id order, so "ties broken by the smaller
/// index" means "ties broken by article id".
pub(crate) struct Problem<'a> {
    /// `(a, b, similarity)` with `a < b`, each pair at most once.
    pub edges: &'a [(usize, usize, f32)],
    /// Per document, the earliest and latest publication time it stands for (one article, or a
    /// family of near-duplicates): a group's span is taken over all of them.
    pub earliest_s: &'a [i64],
    pub latest_s: &'a [i64],
    pub window_s: i64,
    /// Stop when the best remaining average similarity is below this.
    pub threshold: f32,
}

/// A candidate merge in the heap: best average first, then the smallest slots. `versions` tell
/// whether both clusters are still as they were when it was pushed.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    avg: f64,
    x: usize,
    y: usize,
    versions: (u32, u32),
}

impl Eq for Candidate {}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.avg
            .total_cmp(&other.avg)
            .then_with(|| (other.x, other.y).cmp(&(self.x, self.y)))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

struct State {
    /// Similarity of each edge by `pair_key`, for naming the closest pair of a merge.
    edge: KeyMap<u64, f32>,
    /// Per cluster slot (a cluster's slot is its smallest member): the sum of similarities to
    /// each neighbouring cluster. Sums, not averages, so a merge is one map addition.
    sums: Vec<HashMap<usize, f64>>,
    members: Vec<Vec<usize>>,
    earliest_s: Vec<i64>,
    latest_s: Vec<i64>,
    slot_of: Vec<usize>,
    version: Vec<u32>,
    links: Vec<Vec<(usize, Link)>>,
    step: usize,
}

impl State {
    fn fits_window(&self, x: usize, y: usize, window_s: i64) -> bool {
        let span =
            self.latest_s[x].max(self.latest_s[y]) - self.earliest_s[x].min(self.earliest_s[y]);
        span <= window_s
    }

    fn sim(&self, a: usize, b: usize) -> f32 {
        self.edge
            .get(&pair_key(a.min(b), a.max(b)))
            .copied()
            .unwrap_or(0.0)
    }

    fn closest_pair(&self, x: usize, y: usize) -> (usize, usize) {
        let mut best = (f32::NEG_INFINITY, 0, 0);
        for &a in &self.members[x] {
            for &b in &self.members[y] {
                let s = self.sim(a, b);
                let key = (a.min(b), a.max(b));
                if s > best.0 || (s == best.0 && key < (best.1.min(best.2), best.1.max(best.2))) {
                    best = (s, a, b);
                }
            }
        }
        (best.1, best.2)
    }

    fn candidate(&self, x: usize, y: usize) -> Candidate {
        let (x, y) = (x.min(y), x.max(y));
        let sum = self.sums[x].get(&y).copied().unwrap_or(0.0);
        Candidate {
            avg: sum / (self.members[x].len() * self.members[y].len()) as f64,
            x,
            y,
            versions: (self.version[x], self.version[y]),
        }
    }

    /// Merges clusters `x` and `y`; returns the surviving slot.
    fn merge(&mut self, x: usize, y: usize, similarity: f32, pair: (usize, usize)) -> usize {
        let (keep, gone) = (x.min(y), x.max(y));
        let gone_sums = std::mem::take(&mut self.sums[gone]);
        for (z, s) in gone_sums {
            if z == keep {
                continue;
            }
            *self.sums[keep].entry(z).or_insert(0.0) += s;
            let back = self.sums[z].remove(&gone).unwrap_or(0.0);
            *self.sums[z].entry(keep).or_insert(0.0) += back;
        }
        self.sums[keep].remove(&gone);
        let moved = std::mem::take(&mut self.members[gone]);
        for &m in &moved {
            self.slot_of[m] = keep;
        }
        self.members[keep].extend(moved);
        self.members[keep].sort_unstable();
        self.earliest_s[keep] = self.earliest_s[keep].min(self.earliest_s[gone]);
        self.latest_s[keep] = self.latest_s[keep].max(self.latest_s[gone]);
        let mut moved_links = std::mem::take(&mut self.links[gone]);
        self.links[keep].append(&mut moved_links);
        self.links[keep].push((
            self.step,
            Link {
                left: pair.0,
                right: pair.1,
                similarity,
            },
        ));
        self.step += 1;
        self.version[keep] += 1;
        self.version[gone] += 1;
        keep
    }
}

/// One key for the pair `a < b` (both below 2³²: documents are counted in `u32` by blocking):
/// half the size of a tuple key in the edge table, which at 100k articles holds millions.
fn pair_key(a: usize, b: usize) -> u64 {
    (a as u64) << 32 | b as u64
}

pub(crate) fn agglomerate(problem: &Problem<'_>) -> Vec<Group> {
    let n = problem.earliest_s.len();
    let mut sums: Vec<HashMap<usize, f64>> = vec![HashMap::new(); n];
    let mut edge = KeyMap::default();
    edge.reserve(problem.edges.len());
    for &(a, b, s) in problem.edges {
        assert!(a < b && b < n, "edges are (a, b) with a < b < n");
        edge.insert(pair_key(a, b), s);
        sums[a].insert(b, s as f64);
        sums[b].insert(a, s as f64);
    }
    let mut state = State {
        edge,
        sums,
        members: (0..n).map(|i| vec![i]).collect(),
        earliest_s: problem.earliest_s.to_vec(),
        latest_s: problem.latest_s.to_vec(),
        slot_of: (0..n).collect(),
        version: vec![0; n],
        links: vec![Vec::new(); n],
        step: 0,
    };

    // Best average similarity first over window-compatible cluster pairs; among equals the pair
    // with the smallest slots. A cluster pair without an edge averages 0 and never merges.
    let mut heap: BinaryHeap<Candidate> = BinaryHeap::new();
    for x in 0..n {
        let mut neighbours: Vec<usize> = state.sums[x].keys().copied().filter(|&y| y > x).collect();
        neighbours.sort_unstable();
        for y in neighbours {
            heap.push(state.candidate(x, y));
        }
    }
    while let Some(c) = heap.pop() {
        if c.versions != (state.version[c.x], state.version[c.y]) {
            continue; // one side has merged since: a fresher candidate was pushed
        }
        if c.avg < problem.threshold as f64 {
            break;
        }
        if !state.fits_window(c.x, c.y, problem.window_s) {
            continue; // spans only grow: this pair can never fit again
        }
        let pair = state.closest_pair(c.x, c.y);
        let keep = state.merge(c.x, c.y, c.avg as f32, pair);
        let mut neighbours: Vec<usize> = state.sums[keep].keys().copied().collect();
        neighbours.sort_unstable();
        for z in neighbours {
            heap.push(state.candidate(keep, z));
        }
    }

    (0..n)
        .filter(|&slot| state.slot_of[slot] == slot)
        .map(|slot| {
            let mut links = std::mem::take(&mut state.links[slot]);
            links.sort_by_key(|(step, _)| *step);
            Group {
                members: std::mem::take(&mut state.members[slot]),
                links: links.into_iter().map(|(_, l)| l).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The graph of `pairs` over `n` documents: zero-similarity pairs carry no edge.
    fn matrix(n: usize, pairs: &[(usize, usize, f32)]) -> Vec<(usize, usize, f32)> {
        pairs
            .iter()
            .filter(|&&(a, b, s)| s != 0.0 && a.max(b) < n)
            .map(|&(a, b, s)| (a.min(b), a.max(b), s))
            .collect()
    }

    fn run(edges: &[(usize, usize, f32)], published_s: &[i64], threshold: f32) -> Vec<Group> {
        agglomerate(&Problem {
            edges,
            earliest_s: published_s,
            latest_s: published_s,
            window_s: 48 * 3600,
            threshold,
        })
    }

    fn members(groups: &[Group]) -> Vec<Vec<usize>> {
        groups.iter().map(|g| g.members.clone()).collect()
    }

    #[test]
    fn merges_best_pair_first_and_stops_at_threshold() {
        let sim = matrix(4, &[(0, 1, 0.9), (1, 2, 0.5), (0, 2, 0.1), (2, 3, 0.2)]);
        let groups = run(&sim, &[0; 4], 0.25);
        // {0,1} first (0.9); then {0,1}–{2} averages (0.1+0.5)/2 = 0.3 ≥ 0.25.
        assert_eq!(members(&groups), [vec![0, 1, 2], vec![3]]);
        let links = &groups[0].links;
        assert_eq!(
            (links[0].left, links[0].right, links[0].similarity),
            (0, 1, 0.9)
        );
        assert_eq!(
            (links[1].left, links[1].right),
            (1, 2),
            "closest pair across the merge"
        );
        assert!(
            (links[1].similarity - 0.3).abs() < 1e-6,
            "average, not single, linkage"
        );
        assert_eq!(
            members(&run(&sim, &[0; 4], 0.35)),
            [vec![0, 1], vec![2], vec![3]]
        );
    }

    #[test]
    fn ties_go_to_the_smallest_ids() {
        let sim = matrix(3, &[(0, 1, 0.5), (1, 2, 0.5), (0, 2, 0.0)]);
        let groups = run(&sim, &[0; 3], 0.4);
        assert_eq!(members(&groups), [vec![0, 1], vec![2]]);
    }

    #[test]
    fn never_links_across_the_window() {
        let sim = matrix(3, &[(0, 1, 0.9), (1, 2, 0.9), (0, 2, 0.9)]);
        let hour = 3600;
        let groups = run(&sim, &[0, 40 * hour, 60 * hour], 0.1);
        // 0 and 2 are 60 h apart: whichever merges first, the third cannot join.
        assert_eq!(members(&groups), [vec![0, 1], vec![2]]);
    }

    #[test]
    fn a_family_counts_with_its_whole_span() {
        // Document 0 stands for copies published from 0 h to 30 h: document 1 at 70 h is within
        // the window of its last copy (40 h) but not of its first (70 h), so they stay apart.
        let sim = matrix(2, &[(0, 1, 0.9)]);
        let hour = 3600;
        let apart = agglomerate(&Problem {
            edges: &sim,
            earliest_s: &[0, 70 * hour],
            latest_s: &[30 * hour, 70 * hour],
            window_s: 48 * hour,
            threshold: 0.1,
        });
        assert_eq!(members(&apart), [vec![0], vec![1]]);
        let together = agglomerate(&Problem {
            edges: &sim,
            earliest_s: &[30 * hour, 70 * hour],
            latest_s: &[30 * hour, 70 * hour],
            window_s: 48 * hour,
            threshold: 0.1,
        });
        assert_eq!(members(&together), [vec![0, 1]]);
    }
}
