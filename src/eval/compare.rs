//! The comparison and the gate. In: a variant's results and the blessed baseline's (or, with
//! nothing blessed yet, the baseline variant's results from this run), the suite's thresholds;
//! out: per metric the two means, the paired delta with its bootstrap 95 % CI, McNemar on
//! pass/fail, the fixtures needed to see the suite's `min_effect`, and a verdict. A regression
//! is *supported* when the CI lies below zero and the drop is at least `min_effect`, or when
//! McNemar finds significantly more fixtures lost than gained (p < 0.05).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::runner::FixtureResult;
use super::stats::{
    BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, DeltaCi, bootstrap_mean_ci, fixtures_needed,
    mcnemar_exact, mean, std_dev,
};

/// McNemar's significance level for the gate.
pub const ALPHA: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Regression,
    Improvement,
    NoChange,
}

/// One metric of a variant against the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricComparison {
    pub metric: String,
    pub mean: f64,
    pub pass_rate: f64,
    pub baseline_mean: Option<f64>,
    /// Candidate − baseline, per fixture, with its 95 % CI.
    pub delta: Option<DeltaCi>,
    /// Fixtures the baseline passed and the candidate failed, and the reverse.
    pub lost: usize,
    pub gained: usize,
    pub mcnemar_p: Option<f64>,
    /// Fixtures needed to detect a change of `min_effect` with this spread of deltas.
    pub fixtures_needed: Option<usize>,
    pub verdict: Verdict,
    /// The suite's minimum mean for this metric, and whether the candidate is below it.
    pub threshold: Option<f64>,
    pub below_threshold: bool,
}

/// A variant's summary: every metric compared, and whether the gate fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub variant: String,
    /// Where the baseline came from: "blessed <file>", "this run" or "none".
    pub baseline: String,
    pub fixtures: usize,
    pub paired: usize,
    pub metrics: Vec<MetricComparison>,
}

impl Comparison {
    pub fn regressions(&self) -> Vec<&MetricComparison> {
        self.metrics
            .iter()
            .filter(|m| m.verdict == Verdict::Regression)
            .collect()
    }

    pub fn breaches(&self) -> Vec<&MetricComparison> {
        self.metrics.iter().filter(|m| m.below_threshold).collect()
    }

    /// The gate: any supported regression or threshold breach fails it.
    pub fn fails(&self) -> bool {
        !self.regressions().is_empty() || !self.breaches().is_empty()
    }
}

/// Per fixture: the metric's mean value and pass rate over repeats.
fn per_fixture(results: &[FixtureResult], metric: &str) -> BTreeMap<String, (f64, f64)> {
    let mut acc: BTreeMap<String, (f64, f64, usize)> = BTreeMap::new();
    for r in results {
        if let Some(v) = r.metrics.get(metric) {
            let e = acc.entry(r.fixture.clone()).or_default();
            e.0 += v.value;
            e.1 += f64::from(u8::from(v.pass));
            e.2 += 1;
        }
    }
    acc.into_iter()
        .map(|(k, (v, p, n))| (k, (v / n as f64, p / n as f64)))
        .collect()
}

/// Compares `candidate` with `baseline` metric by metric (`metrics` in display order).
pub fn compare(
    variant: &str,
    metrics: &[String],
    candidate: &[FixtureResult],
    baseline: Option<(&str, &[FixtureResult])>,
    thresholds: &BTreeMap<String, f64>,
    min_effect: f64,
) -> Comparison {
    let fixtures: std::collections::BTreeSet<&str> =
        candidate.iter().map(|r| r.fixture.as_str()).collect();
    let mut paired_fixtures = 0;
    let metrics = metrics
        .iter()
        .map(|metric| {
            let ours = per_fixture(candidate, metric);
            let values: Vec<f64> = ours.values().map(|v| v.0).collect();
            let pass_rate = mean(&ours.values().map(|v| v.1).collect::<Vec<_>>());
            let threshold = thresholds.get(metric).copied();
            let m = mean(&values);
            let mut out = MetricComparison {
                metric: metric.clone(),
                mean: m,
                pass_rate,
                baseline_mean: None,
                delta: None,
                lost: 0,
                gained: 0,
                mcnemar_p: None,
                fixtures_needed: None,
                verdict: Verdict::NoChange,
                threshold,
                below_threshold: threshold.is_some_and(|t| m < t - 1e-9),
            };
            let Some((_, base)) = baseline else {
                return out;
            };
            let theirs = per_fixture(base, metric);
            let pairs: Vec<((f64, f64), (f64, f64))> = ours
                .iter()
                .filter_map(|(k, v)| theirs.get(k).map(|b| (*v, *b)))
                .collect();
            if pairs.is_empty() {
                return out;
            }
            paired_fixtures = paired_fixtures.max(pairs.len());
            let deltas: Vec<f64> = pairs.iter().map(|(c, b)| c.0 - b.0).collect();
            let ci = bootstrap_mean_ci(&deltas, BOOTSTRAP_SEED, BOOTSTRAP_RESAMPLES);
            // A fixture passes when it passed in most repeats.
            let lost = pairs
                .iter()
                .filter(|(c, b)| b.1 >= 0.5 && c.1 < 0.5)
                .count();
            let gained = pairs
                .iter()
                .filter(|(c, b)| b.1 < 0.5 && c.1 >= 0.5)
                .count();
            let p = mcnemar_exact(lost, gained);
            // The paired test's noise is the spread of the deltas, not of the scores: a variant
            // that changes nothing needs few fixtures to show a consistent change.
            let spread = std_dev(&deltas);
            out.baseline_mean = Some(mean(&pairs.iter().map(|(_, b)| b.0).collect::<Vec<_>>()));
            out.delta = Some(ci);
            out.lost = lost;
            out.gained = gained;
            out.mcnemar_p = Some(p);
            out.fixtures_needed = fixtures_needed(spread, min_effect);
            let worse = (ci.high < 0.0 && ci.mean <= -min_effect) || (lost > gained && p < ALPHA);
            let better = (ci.low > 0.0 && ci.mean >= min_effect) || (gained > lost && p < ALPHA);
            out.verdict = if worse {
                Verdict::Regression
            } else if better {
                Verdict::Improvement
            } else {
                Verdict::NoChange
            };
            out
        })
        .collect();
    Comparison {
        variant: variant.to_string(),
        baseline: baseline
            .map(|(name, _)| name.to_string())
            .unwrap_or_else(|| "none".into()),
        fixtures: fixtures.len(),
        paired: paired_fixtures,
        metrics,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::{MetricValue, Metrics};

    /// A hand-made result set: `values[i]` is fixture i's score on metric "m" (pass ≥ 0.5).
    fn results(variant: &str, values: &[f64]) -> Vec<FixtureResult> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| FixtureResult {
                suite: "cards".into(),
                variant: variant.into(),
                fixture: format!("f{i:02}"),
                repeat: 1,
                output: None,
                error: None,
                metrics: Metrics::from([(
                    "m".to_string(),
                    MetricValue {
                        value: v,
                        pass: v >= 0.5,
                        note: String::new(),
                    },
                )]),
            })
            .collect()
    }

    fn run(candidate: &[f64], baseline: &[f64], min: Option<f64>) -> Comparison {
        let thresholds: BTreeMap<String, f64> =
            min.map(|t| ("m".to_string(), t)).into_iter().collect();
        compare(
            "candidate",
            &["m".to_string()],
            &results("candidate", candidate),
            Some(("blessed", &results("extractive", baseline))),
            &thresholds,
            0.02,
        )
    }

    #[test]
    fn a_consistent_drop_is_a_supported_regression_and_fails_the_gate() {
        let base = [1.0; 12];
        let worse = [0.6, 0.0, 0.5, 0.4, 0.3, 0.0, 0.5, 0.4, 0.6, 0.2, 0.4, 0.0];
        let c = run(&worse, &base, None);
        let m = &c.metrics[0];
        assert_eq!(m.verdict, Verdict::Regression, "{m:?}");
        assert!(m.delta.unwrap().high < 0.0);
        assert_eq!((m.lost, m.gained), (8, 0));
        assert!(m.mcnemar_p.unwrap() < 0.01);
        assert!(c.fails());
    }

    #[test]
    fn identical_results_pass_the_gate() {
        let base = [0.9, 0.8, 1.0, 0.7, 0.9, 0.6];
        let c = run(&base, &base, Some(0.5));
        assert_eq!(c.metrics[0].verdict, Verdict::NoChange);
        assert_eq!(c.metrics[0].delta.unwrap().mean, 0.0);
        assert!(!c.fails());
    }

    #[test]
    fn noise_is_not_a_regression_but_a_threshold_breach_fails() {
        let base = [0.6, 0.7, 0.8, 0.6, 0.7, 0.8];
        let noisy = [0.7, 0.6, 0.8, 0.7, 0.6, 0.7];
        let c = run(&noisy, &base, None);
        assert_eq!(
            c.metrics[0].verdict,
            Verdict::NoChange,
            "{:?}",
            c.metrics[0]
        );
        assert!(!c.fails());
        let c = run(&noisy, &base, Some(0.9));
        assert!(c.metrics[0].below_threshold && c.fails());
    }

    #[test]
    fn a_consistent_gain_is_an_improvement() {
        let c = run(
            &[1.0; 10],
            &[0.5, 0.4, 0.3, 0.5, 0.2, 0.4, 0.3, 0.5, 0.4, 0.3],
            None,
        );
        assert_eq!(c.metrics[0].verdict, Verdict::Improvement);
        assert!(!c.fails());
    }
}
