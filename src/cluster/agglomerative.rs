//! Average-linkage agglomerative clustering. In: a dense pairwise cosine matrix over documents
//! (indexed in id order), their publication times, and near-duplicate links that must hold;
//! out: groups of document indices with the links that built them, in the order they happened.
//! Knows nothing of articles or terms, and never links documents published further apart than
//! the window.

use crate::model::MergeKind;

/// One merge: the closest pair across the two sides, and the score that justified it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Link {
    pub left: usize,
    pub right: usize,
    /// Average-linkage cosine for `Similar`, the Jaccard estimate for `NearDuplicate`.
    pub similarity: f32,
    pub kind: MergeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    /// Document indices, ascending.
    pub members: Vec<usize>,
    pub links: Vec<Link>,
}

/// What the clustering runs on. `sim` is row-major `n × n`; indices are in article-id order, so
/// "ties broken by the smaller index" means "ties broken by article id".
pub(crate) struct Problem<'a> {
    pub sim: &'a [f32],
    pub published_s: &'a [i64],
    pub window_s: i64,
    /// `(a, b, jaccard)` pairs that are near-duplicates; merged first, best first.
    pub near_duplicates: &'a [(usize, usize, f32)],
    /// Stop when the best remaining average cosine is below this.
    pub threshold: f32,
}

struct State<'a> {
    n: usize,
    sim: &'a [f32],
    /// Sum of pairwise cosines between two clusters, indexed by their slots (a cluster's slot
    /// is its smallest member). Sums, not averages, so a merge is one row addition.
    sums: Vec<f64>,
    members: Vec<Vec<usize>>,
    earliest_s: Vec<i64>,
    latest_s: Vec<i64>,
    slot_of: Vec<usize>,
    active: Vec<usize>,
    links: Vec<Vec<(usize, Link)>>,
    step: usize,
}

impl State<'_> {
    fn fits_window(&self, x: usize, y: usize, window_s: i64) -> bool {
        let span =
            self.latest_s[x].max(self.latest_s[y]) - self.earliest_s[x].min(self.earliest_s[y]);
        span <= window_s
    }

    fn closest_pair(&self, x: usize, y: usize) -> (usize, usize) {
        let mut best = (f32::NEG_INFINITY, 0, 0);
        for &a in &self.members[x] {
            for &b in &self.members[y] {
                let s = self.sim[a * self.n + b];
                let key = (a.min(b), a.max(b));
                if s > best.0 || (s == best.0 && key < (best.1.min(best.2), best.1.max(best.2))) {
                    best = (s, a, b);
                }
            }
        }
        (best.1, best.2)
    }

    fn merge(
        &mut self,
        x: usize,
        y: usize,
        similarity: f32,
        kind: MergeKind,
        pair: (usize, usize),
    ) {
        let (keep, gone) = (x.min(y), x.max(y));
        let n = self.n;
        for &z in &self.active {
            self.sums[keep * n + z] += self.sums[gone * n + z];
        }
        for &z in &self.active {
            self.sums[z * n + keep] = self.sums[keep * n + z];
        }
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
                kind,
            },
        ));
        self.step += 1;
        self.active.retain(|&z| z != gone);
    }
}

pub(crate) fn agglomerate(problem: &Problem<'_>) -> Vec<Group> {
    let n = problem.published_s.len();
    assert_eq!(problem.sim.len(), n * n, "similarity matrix must be n × n");
    let mut state = State {
        n,
        sim: problem.sim,
        sums: problem.sim.iter().map(|&s| s as f64).collect(),
        members: (0..n).map(|i| vec![i]).collect(),
        earliest_s: problem.published_s.to_vec(),
        latest_s: problem.published_s.to_vec(),
        slot_of: (0..n).collect(),
        active: (0..n).collect(),
        links: vec![Vec::new(); n],
        step: 0,
    };

    // Near-duplicates first: they are the same text, whatever the vectors say.
    let mut near = problem.near_duplicates.to_vec();
    near.sort_by(|p, q| q.2.total_cmp(&p.2).then((p.0, p.1).cmp(&(q.0, q.1))));
    for (a, b, jaccard) in near {
        let (x, y) = (state.slot_of[a], state.slot_of[b]);
        if x != y && state.fits_window(x, y, problem.window_s) {
            state.merge(x, y, jaccard, MergeKind::NearDuplicate, (a, b));
        }
    }

    loop {
        // Best average cosine over window-compatible cluster pairs; strict `>` while scanning in
        // ascending slot order keeps the pair with the smallest ids on ties.
        let mut best: Option<(f64, usize, usize)> = None;
        for (k, &x) in state.active.iter().enumerate() {
            for &y in &state.active[k + 1..] {
                let avg = state.sums[x * n + y]
                    / (state.members[x].len() * state.members[y].len()) as f64;
                if best.is_none_or(|(b, _, _)| avg > b) && state.fits_window(x, y, problem.window_s)
                {
                    best = Some((avg, x, y));
                }
            }
        }
        match best {
            Some((avg, x, y)) if avg >= problem.threshold as f64 => {
                let pair = state.closest_pair(x, y);
                state.merge(x, y, avg as f32, MergeKind::Similar, pair);
            }
            _ => break,
        }
    }

    state
        .active
        .iter()
        .map(|&slot| {
            let mut links = state.links[slot].clone();
            links.sort_by_key(|(step, _)| *step);
            Group {
                members: state.members[slot].clone(),
                links: links.into_iter().map(|(_, l)| l).collect(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(n: usize, pairs: &[(usize, usize, f32)]) -> Vec<f32> {
        let mut sim = vec![0.0; n * n];
        for i in 0..n {
            sim[i * n + i] = 1.0;
        }
        for &(a, b, s) in pairs {
            sim[a * n + b] = s;
            sim[b * n + a] = s;
        }
        sim
    }

    fn run(
        sim: &[f32],
        published_s: &[i64],
        near: &[(usize, usize, f32)],
        threshold: f32,
    ) -> Vec<Group> {
        agglomerate(&Problem {
            sim,
            published_s,
            window_s: 48 * 3600,
            near_duplicates: near,
            threshold,
        })
    }

    fn members(groups: &[Group]) -> Vec<Vec<usize>> {
        groups.iter().map(|g| g.members.clone()).collect()
    }

    #[test]
    fn merges_best_pair_first_and_stops_at_threshold() {
        let sim = matrix(4, &[(0, 1, 0.9), (1, 2, 0.5), (0, 2, 0.1), (2, 3, 0.2)]);
        let groups = run(&sim, &[0; 4], &[], 0.25);
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
            members(&run(&sim, &[0; 4], &[], 0.35)),
            [vec![0, 1], vec![2], vec![3]]
        );
    }

    #[test]
    fn ties_go_to_the_smallest_ids() {
        let sim = matrix(3, &[(0, 1, 0.5), (1, 2, 0.5), (0, 2, 0.0)]);
        let groups = run(&sim, &[0; 3], &[], 0.4);
        assert_eq!(members(&groups), [vec![0, 1], vec![2]]);
    }

    #[test]
    fn never_links_across_the_window() {
        let sim = matrix(3, &[(0, 1, 0.9), (1, 2, 0.9), (0, 2, 0.9)]);
        let hour = 3600;
        let groups = run(&sim, &[0, 40 * hour, 60 * hour], &[(0, 2, 0.9)], 0.1);
        // 0 and 2 are 60 h apart: whichever merges first, the third cannot join.
        assert_eq!(members(&groups), [vec![0, 1], vec![2]]);
    }

    #[test]
    fn near_duplicates_merge_even_below_the_threshold() {
        let sim = matrix(3, &[(0, 2, 0.05)]);
        let groups = run(&sim, &[0; 3], &[(0, 2, 0.8)], 0.5);
        assert_eq!(members(&groups), [vec![0, 2], vec![1]]);
        assert_eq!(groups[0].links[0].kind, MergeKind::NearDuplicate);
        assert_eq!(groups[0].links[0].similarity, 0.8);
    }
}
