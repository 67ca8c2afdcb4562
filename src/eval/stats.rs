//! Paired statistics for comparing two variants on the same fixtures. In: per-fixture scores of a
//! candidate and a baseline (or their pass/fail outcomes); out: the mean delta with a seeded
//! bootstrap 95 % CI, McNemar's exact test on discordant pass/fail pairs, and the number of
//! fixtures needed to detect a given effect. Seeded, so the same inputs give the same CI.

/// splitmix64: a tiny, well-mixed generator; the bootstrap only needs uniform indices.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0); the modulo bias is negligible for n in the thousands.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// The bootstrap's fixed seed and resample count: enough for stable 2.5/97.5 percentiles.
pub const BOOTSTRAP_SEED: u64 = 0x6e65_7773_6465_736b;
pub const BOOTSTRAP_RESAMPLES: usize = 4000;

/// A mean difference and its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeltaCi {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        0.0
    } else {
        xs.iter().sum::<f64>() / xs.len() as f64
    }
}

/// Sample standard deviation (n-1); 0 for fewer than two values.
pub fn std_dev(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// Percentile bootstrap of the mean of `deltas` (candidate − baseline per fixture).
pub fn bootstrap_mean_ci(deltas: &[f64], seed: u64, resamples: usize) -> DeltaCi {
    let m = mean(deltas);
    if deltas.len() < 2 {
        return DeltaCi {
            mean: m,
            low: m,
            high: m,
        };
    }
    let mut rng = Rng::new(seed);
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| {
            let sum: f64 = (0..deltas.len())
                .map(|_| deltas[rng.below(deltas.len())])
                .sum();
            sum / deltas.len() as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((q * (resamples - 1) as f64).round() as usize).min(resamples - 1)];
    DeltaCi {
        mean: m,
        low: at(0.025),
        high: at(0.975),
    }
}

/// McNemar's exact test on paired pass/fail outcomes. `lost`: fixtures the baseline passed and
/// the candidate failed; `gained`: the reverse. Returns the two-sided p-value (binomial, p = ½,
/// over the discordant pairs); 1.0 when there are none.
pub fn mcnemar_exact(lost: usize, gained: usize) -> f64 {
    let n = lost + gained;
    if n == 0 {
        return 1.0;
    }
    let k = lost.min(gained);
    // P(X ≤ k) for X ~ Binomial(n, ½), summed in log space so n in the thousands stays finite.
    let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
    let mut ln_choose = 0.0; // ln C(n, 0)
    let mut tail = 0.0;
    for i in 0..=k {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        tail += (ln_choose + ln_half_n).exp();
    }
    (2.0 * tail).min(1.0)
}

/// Fixtures needed for a paired test (two-sided α = 0.05, power 0.8) to detect a mean change of
/// `effect` when per-fixture deltas spread with standard deviation `sd`: n = ((1.96+0.84)·sd/δ)².
/// `None` when the effect is not positive; at least 2.
pub fn fixtures_needed(sd: f64, effect: f64) -> Option<usize> {
    if effect <= 0.0 {
        return None;
    }
    let n = ((1.959_964 + 0.841_621) * sd / effect).powi(2).ceil();
    Some((n as usize).max(2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bootstrap_is_seeded_and_brackets_the_mean() {
        let deltas = [-0.2, -0.1, -0.3, 0.0, -0.2, -0.15, -0.25, -0.1];
        let a = bootstrap_mean_ci(&deltas, 7, 2000);
        let b = bootstrap_mean_ci(&deltas, 7, 2000);
        assert_eq!(a, b);
        assert!(a.low <= a.mean && a.mean <= a.high);
        assert!(a.high < 0.0, "a consistent drop excludes zero: {a:?}");
    }

    #[test]
    fn noise_around_zero_gives_a_ci_that_contains_zero() {
        let deltas = [0.1, -0.1, 0.05, -0.05, 0.2, -0.2, 0.0, 0.1, -0.1];
        let ci = bootstrap_mean_ci(&deltas, BOOTSTRAP_SEED, BOOTSTRAP_RESAMPLES);
        assert!(ci.low < 0.0 && ci.high > 0.0, "{ci:?}");
        let one = bootstrap_mean_ci(&[0.4], 1, 100);
        assert_eq!((one.low, one.high), (0.4, 0.4));
    }

    #[test]
    fn mcnemar_matches_the_binomial_table() {
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        // 8 lost, 0 gained: 2 · 0.5^8 = 0.0078125.
        assert!((mcnemar_exact(8, 0) - 0.007_812_5).abs() < 1e-12);
        // 3 vs 1: 2 · (1 + 4) / 16 = 0.625.
        assert!((mcnemar_exact(3, 1) - 0.625).abs() < 1e-12);
        assert!(mcnemar_exact(5, 5) >= 1.0 - 1e-12);
        assert!(mcnemar_exact(3000, 2000) < 1e-6);
    }

    #[test]
    fn fixtures_needed_grows_with_noise_and_shrinks_with_effect() {
        assert_eq!(fixtures_needed(0.1, 0.0), None);
        // (2.8016 · 0.2 / 0.1)² = 31.4 → 32.
        assert_eq!(fixtures_needed(0.2, 0.1), Some(32));
        assert!(fixtures_needed(0.2, 0.05).unwrap() > fixtures_needed(0.2, 0.1).unwrap());
        assert_eq!(fixtures_needed(0.0, 0.1), Some(2));
        assert!((std_dev(&[1.0, 3.0]) - 2f64.sqrt()).abs() < 1e-12);
    }
}
