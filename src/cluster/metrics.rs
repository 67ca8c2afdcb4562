//! Clustering quality against a gold clustering. In: predicted and gold clusters of items (any
//! strings; canonical URLs for articles), or stories plus a gold file's `url → story id` labels;
//! out: pairwise and B-cubed precision/recall/F1 and the adjusted Rand index, each beside the
//! all-singletons baseline. An item missing from one side counts as a singleton there.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Article, MergeKind, Story};

/// Precision, recall and their harmonic mean.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn new(precision: f64, recall: f64) -> Prf {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }
}

/// Cluster label of every item on both sides; missing items get a label of their own.
fn labels<'a>(predicted: &'a [Vec<String>], gold: &'a [Vec<String>]) -> Vec<(usize, usize)> {
    let index = |clusters: &'a [Vec<String>]| {
        let mut map: BTreeMap<&'a str, usize> = BTreeMap::new();
        for (label, cluster) in clusters.iter().enumerate() {
            for item in cluster {
                map.entry(item.as_str()).or_insert(label);
            }
        }
        map
    };
    let (p, g) = (index(predicted), index(gold));
    let mut items: Vec<&str> = p.keys().chain(g.keys()).copied().collect();
    items.sort_unstable();
    items.dedup();
    let mut fresh = predicted.len().max(gold.len());
    items
        .into_iter()
        .map(|item| {
            let mut label = |map: &BTreeMap<&str, usize>| {
                map.get(item).copied().unwrap_or_else(|| {
                    fresh += 1;
                    fresh
                })
            };
            (label(&p), label(&g))
        })
        .collect()
}

fn pairs(n: usize) -> f64 {
    (n * n.saturating_sub(1) / 2) as f64
}

/// Pairwise precision/recall over same-cluster item pairs. With no predicted pairs precision
/// is 1 (nothing wrong was claimed); with no gold pairs recall is 1.
pub fn pairwise_f1(predicted: &[Vec<String>], gold: &[Vec<String>]) -> Prf {
    let labelled = labels(predicted, gold);
    let mut cells: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut p_sizes: BTreeMap<usize, usize> = BTreeMap::new();
    let mut g_sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for &(p, g) in &labelled {
        *cells.entry((p, g)).or_default() += 1;
        *p_sizes.entry(p).or_default() += 1;
        *g_sizes.entry(g).or_default() += 1;
    }
    let both: f64 = cells.values().map(|&n| pairs(n)).sum();
    let predicted_pairs: f64 = p_sizes.values().map(|&n| pairs(n)).sum();
    let gold_pairs: f64 = g_sizes.values().map(|&n| pairs(n)).sum();
    Prf::new(
        if predicted_pairs > 0.0 {
            both / predicted_pairs
        } else {
            1.0
        },
        if gold_pairs > 0.0 {
            both / gold_pairs
        } else {
            1.0
        },
    )
}

/// B-cubed precision/recall: per item, the share of its predicted cluster that is in its gold
/// cluster (precision) and the share of its gold cluster found in its predicted cluster
/// (recall), averaged over items.
pub fn bcubed_f1(predicted: &[Vec<String>], gold: &[Vec<String>]) -> Prf {
    let labelled = labels(predicted, gold);
    if labelled.is_empty() {
        return Prf::new(1.0, 1.0);
    }
    let mut cells: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut p_sizes: BTreeMap<usize, usize> = BTreeMap::new();
    let mut g_sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for &(p, g) in &labelled {
        *cells.entry((p, g)).or_default() += 1;
        *p_sizes.entry(p).or_default() += 1;
        *g_sizes.entry(g).or_default() += 1;
    }
    let (mut precision, mut recall) = (0.0, 0.0);
    for &(p, g) in &labelled {
        let overlap = cells[&(p, g)] as f64;
        precision += overlap / p_sizes[&p] as f64;
        recall += overlap / g_sizes[&g] as f64;
    }
    let n = labelled.len() as f64;
    Prf::new(precision / n, recall / n)
}

/// Adjusted Rand index (Hubert & Arabie): pair agreement corrected for chance; 1 for identical
/// partitions, about 0 for a random or trivial one (all singletons scores exactly 0 against any
/// gold with pairs). When both partitions have no pairs at all the index is undefined; it is 1
/// then (they agree on every pair).
pub fn adjusted_rand(predicted: &[Vec<String>], gold: &[Vec<String>]) -> f64 {
    let labelled = labels(predicted, gold);
    let mut cells: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut p_sizes: BTreeMap<usize, usize> = BTreeMap::new();
    let mut g_sizes: BTreeMap<usize, usize> = BTreeMap::new();
    for &(p, g) in &labelled {
        *cells.entry((p, g)).or_default() += 1;
        *p_sizes.entry(p).or_default() += 1;
        *g_sizes.entry(g).or_default() += 1;
    }
    let index: f64 = cells.values().map(|&n| pairs(n)).sum();
    let p_pairs: f64 = p_sizes.values().map(|&n| pairs(n)).sum();
    let g_pairs: f64 = g_sizes.values().map(|&n| pairs(n)).sum();
    let all = pairs(labelled.len());
    if all == 0.0 {
        return 1.0;
    }
    let expected = p_pairs * g_pairs / all;
    let max = (p_pairs + g_pairs) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

/// All three scores of one clustering.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub pairwise: Prf,
    pub bcubed: Prf,
    pub ari: f64,
}

impl Scores {
    pub fn of(predicted: &[Vec<String>], gold: &[Vec<String>]) -> Scores {
        Scores {
            pairwise: pairwise_f1(predicted, gold),
            bcubed: bcubed_f1(predicted, gold),
            ari: adjusted_rand(predicted, gold),
        }
    }
}

/// A clustering scored against a gold file, beside the all-singletons baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldReport {
    /// Gold items (articles) and gold stories.
    pub items: usize,
    pub gold_stories: usize,
    /// Predicted stories over the gold items.
    pub predicted_stories: usize,
    /// Articles clustered that the gold does not label (left out of the scores).
    pub unlabelled: usize,
    /// Gold items no input article has (scored as singletons).
    pub missing: usize,
    pub scores: Scores,
    pub baseline: Scores,
}

impl GoldReport {
    /// The report as lines: one per metric, the clustering beside the baseline.
    pub fn render(&self) -> Vec<String> {
        let row = |name: &str, p: Prf, b: Prf| {
            format!(
                "{name:<9} P {:.3} R {:.3} F1 {:.3}   (singletons: P {:.3} R {:.3} F1 {:.3})",
                p.precision, p.recall, p.f1, b.precision, b.recall, b.f1
            )
        };
        vec![
            format!(
                "gold: {} articles in {} stories; predicted {} stories ({} unlabelled article(s) \
                 ignored, {} gold article(s) missing)",
                self.items,
                self.gold_stories,
                self.predicted_stories,
                self.unlabelled,
                self.missing
            ),
            row("pairwise", self.scores.pairwise, self.baseline.pairwise),
            row("B-cubed", self.scores.bcubed, self.baseline.bcubed),
            format!(
                "{:<9} {:.3}   (singletons: {:.3})",
                "ARI", self.scores.ari, self.baseline.ari
            ),
        ]
    }
}

/// The gold file's labels (`canonical url → story id`) grouped into clusters of URLs.
pub fn gold_clusters(labels: &BTreeMap<String, String>) -> Vec<Vec<String>> {
    let mut stories: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (url, story) in labels {
        stories.entry(story).or_default().push(url.clone());
    }
    stories.into_values().collect()
}

/// Predicted clusters of URLs: each story's articles plus the copies folded into them as exact
/// duplicates (the traces name them by id; `inputs` are the articles before deduplication).
pub fn story_clusters(stories: &[Story], inputs: &[Article]) -> Vec<Vec<String>> {
    let url_of: BTreeMap<&str, &str> = inputs
        .iter()
        .map(|a| (a.id.as_str(), a.url.as_str()))
        .collect();
    stories
        .iter()
        .map(|story| {
            let mut urls: BTreeSet<String> = story.articles.iter().map(|a| a.url.clone()).collect();
            for m in &story.merges {
                if matches!(m.kind, MergeKind::SameUrl | MergeKind::SameTitle)
                    && let Some(url) = url_of.get(m.right.as_str())
                {
                    urls.insert(url.to_string());
                }
            }
            urls.into_iter().collect()
        })
        .collect()
}

/// Scores `stories` (clustered from `inputs`) against gold `labels`, over the gold's items only.
pub fn score_against_gold(
    stories: &[Story],
    inputs: &[Article],
    labels: &BTreeMap<String, String>,
) -> GoldReport {
    let gold = gold_clusters(labels);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut unlabelled = 0;
    let predicted: Vec<Vec<String>> = story_clusters(stories, inputs)
        .into_iter()
        .map(|urls| {
            let (known, unknown): (Vec<String>, Vec<String>) =
                urls.into_iter().partition(|u| labels.contains_key(u));
            unlabelled += unknown.len();
            seen.extend(known.iter().cloned());
            known
        })
        .filter(|c| !c.is_empty())
        .collect();
    let singletons: Vec<Vec<String>> = labels.keys().map(|u| vec![u.clone()]).collect();
    GoldReport {
        items: labels.len(),
        gold_stories: gold.len(),
        predicted_stories: predicted.len(),
        unlabelled,
        missing: labels.len() - seen.len(),
        scores: Scores::of(&predicted, &gold),
        baseline: Scores::of(&singletons, &gold),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clusters(spec: &[&[&str]]) -> Vec<Vec<String>> {
        spec.iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn perfect_clustering_scores_one() {
        let gold = clusters(&[&["a", "b"], &["c"]]);
        assert_eq!(
            pairwise_f1(&gold, &gold),
            Prf {
                precision: 1.0,
                recall: 1.0,
                f1: 1.0
            }
        );
        assert_eq!(
            bcubed_f1(&gold, &gold),
            Prf {
                precision: 1.0,
                recall: 1.0,
                f1: 1.0
            }
        );
    }

    #[test]
    fn hand_computed_example() {
        // gold {a,b,c} {d,e}; predicted {a,b} {c,d,e}.
        let gold = clusters(&[&["a", "b", "c"], &["d", "e"]]);
        let predicted = clusters(&[&["a", "b"], &["c", "d", "e"]]);
        // Predicted pairs ab, cd, ce, de (4); gold pairs ab, ac, bc, de (4); shared ab, de.
        let pw = pairwise_f1(&predicted, &gold);
        assert!(
            close(pw.precision, 0.5) && close(pw.recall, 0.5) && close(pw.f1, 0.5),
            "{pw:?}"
        );
        // B-cubed precision: a 2/2, b 2/2, c 1/3, d 2/3, e 2/3 → (1+1+1/3+2/3+2/3)/5 = 11/15.
        // Recall: a 2/3, b 2/3, c 1/3, d 2/2, e 2/2 → (2/3+2/3+1/3+1+1)/5 = 11/15.
        let b3 = bcubed_f1(&predicted, &gold);
        assert!(
            close(b3.precision, 11.0 / 15.0) && close(b3.recall, 11.0 / 15.0),
            "{b3:?}"
        );
        assert!(close(b3.f1, 11.0 / 15.0));
    }

    #[test]
    fn singletons_baseline() {
        let gold = clusters(&[&["a", "b", "c"], &["d"]]);
        let singletons = clusters(&[&["a"], &["b"], &["c"], &["d"]]);
        let pw = pairwise_f1(&singletons, &gold);
        assert_eq!((pw.precision, pw.recall, pw.f1), (1.0, 0.0, 0.0));
        // Recall: a, b, c each 1/3; d 1 → (1 + 1) / 4 = 0.5; precision 1.
        let b3 = bcubed_f1(&singletons, &gold);
        assert!(close(b3.recall, 0.5) && close(b3.precision, 1.0) && close(b3.f1, 2.0 / 3.0));
    }

    #[test]
    fn everything_in_one_cluster() {
        let gold = clusters(&[&["a", "b"], &["c", "d"]]);
        let one = clusters(&[&["a", "b", "c", "d"]]);
        let pw = pairwise_f1(&one, &gold);
        assert!(close(pw.precision, 2.0 / 6.0) && close(pw.recall, 1.0));
        let b3 = bcubed_f1(&one, &gold);
        assert!(close(b3.precision, 0.5) && close(b3.recall, 1.0));
    }

    #[test]
    fn adjusted_rand_by_hand() {
        // gold {a,b,c} {d,e}; predicted {a,b} {c,d,e}: n = 5, 10 pairs. Contingency cells 2, 1, 2
        // → index 2; predicted pairs 1 + 3 = 4; gold pairs 3 + 1 = 4; expected 4·4/10 = 1.6;
        // max (4+4)/2 = 4 → (2 - 1.6) / (4 - 1.6) = 1/6.
        let gold = clusters(&[&["a", "b", "c"], &["d", "e"]]);
        let predicted = clusters(&[&["a", "b"], &["c", "d", "e"]]);
        assert!(close(adjusted_rand(&predicted, &gold), 1.0 / 6.0));
        assert!(close(adjusted_rand(&gold, &gold), 1.0));
        let singletons = clusters(&[&["a"], &["b"], &["c"], &["d"], &["e"]]);
        assert!(close(adjusted_rand(&singletons, &gold), 0.0));
        // Everything in one cluster: index 4, predicted pairs 10, expected 4, max 7 → 0.
        let one = clusters(&[&["a", "b", "c", "d", "e"]]);
        assert!(close(adjusted_rand(&one, &gold), 0.0));
        // Worse than chance is negative: gold {a,b} {c,d}, predicted {a,c} {b,d}: index 0,
        // 2 and 2 pairs of 6, expected 2/3, max 2 → -0.5.
        let gold = clusters(&[&["a", "b"], &["c", "d"]]);
        let crossed = clusters(&[&["a", "c"], &["b", "d"]]);
        assert!(close(adjusted_rand(&crossed, &gold), -0.5));
    }

    #[test]
    fn gold_report_scores_only_labelled_articles_and_counts_dropped_copies() {
        use crate::cluster::tests_support::{article, story};
        let a = article("a", "A", "");
        let b = article("b", "B", "");
        let mut copy = article("c", "A", "");
        copy.url = "https://example.com/copy".into();
        let x = article("x", "X", "");
        let mut ab = story(vec![a.clone(), b.clone()]);
        ab.merges.push(crate::model::MergeTrace {
            left: "a".into(),
            right: "c".into(),
            kind: MergeKind::SameUrl,
            similarity: 1.0,
            shared_terms: Vec::new(),
        });
        let stories = vec![ab, story(vec![x.clone()])];
        let labels: BTreeMap<String, String> = [
            (a.url.clone(), "s1"),
            (b.url.clone(), "s2"),
            (copy.url.clone(), "s1"),
        ]
        .into_iter()
        .map(|(u, s)| (u, s.to_string()))
        .collect();
        let report = score_against_gold(&stories, &[a, b, copy, x], &labels);
        assert_eq!((report.items, report.gold_stories), (3, 2));
        assert_eq!(
            (report.predicted_stories, report.unlabelled, report.missing),
            (1, 1, 0)
        );
        // Predicted {a, b, copy} vs gold {a, copy} {b}: pairs a-b, a-copy, b-copy; one right.
        assert!(close(report.scores.pairwise.precision, 1.0 / 3.0));
        assert!(close(report.scores.pairwise.recall, 1.0));
        assert_eq!(report.baseline.pairwise.recall, 0.0);
        assert_eq!(report.baseline.ari, 0.0);
        assert_eq!(report.render().len(), 4);
    }

    #[test]
    fn missing_items_are_singletons() {
        let gold = clusters(&[&["a", "b"]]);
        let predicted = clusters(&[&["a"]]); // b absent: its own singleton
        let pw = pairwise_f1(&predicted, &gold);
        assert_eq!(pw.recall, 0.0);
        let b3 = bcubed_f1(&predicted, &gold);
        assert!(close(b3.recall, 0.5) && close(b3.precision, 1.0));
    }
}
