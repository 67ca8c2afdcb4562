//! Eval reports. In: the suite, every variant's results and its comparison with the baseline;
//! out: a terminal table (through the reporter), `results.jsonl` (one line per fixture, variant
//! and repeat), `summary.md`, and `report.html` — one self-contained page (inline CSS, no
//! scripts, fonts or images from anywhere) with the summary and CIs, what changed against the
//! baseline, and every fixture's outputs side by side with metric badges.

mod html;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::compare::{Comparison, MetricComparison, Verdict};
use super::runner::FixtureResult;

pub use html::html_report;

/// Every variant's outcome in one run of one suite.
pub struct SuiteRun {
    pub suite: String,
    pub stage: String,
    pub metrics: Vec<String>,
    pub fixtures: Vec<String>,
    /// (variant name, its results, its comparison), baseline variant first.
    pub variants: Vec<(String, Vec<FixtureResult>, Comparison)>,
    /// The blessed baseline's results, when there are any (for "what changed").
    pub blessed: Option<Vec<FixtureResult>>,
    /// fixture id → the reference output a good editor wrote, shown beside the variants.
    pub references: std::collections::BTreeMap<String, serde_json::Value>,
}

fn pct(x: f64) -> String {
    format!("{:.1}", x * 100.0)
}

pub fn delta_text(m: &MetricComparison) -> String {
    match m.delta {
        Some(d) => format!(
            "{:+.1} [{:+.1}, {:+.1}]",
            d.mean * 100.0,
            d.low * 100.0,
            d.high * 100.0
        ),
        None => "–".into(),
    }
}

/// The baseline's mean in %, "–" without a baseline.
pub fn baseline_text(m: &MetricComparison) -> String {
    m.baseline_mean.map(pct).unwrap_or_else(|| "–".into())
}

/// McNemar's p, "–" when nothing was paired.
pub fn mcnemar_text(m: &MetricComparison) -> String {
    m.mcnemar_p
        .map(|p| format!("{p:.3}"))
        .unwrap_or_else(|| "–".into())
}

/// Fixtures a paired test needs at this spread (n@eff), "–" when it cannot say.
pub fn needed_text(m: &MetricComparison) -> String {
    m.fixtures_needed
        .map(|n| n.to_string())
        .unwrap_or_else(|| "–".into())
}

pub fn verdict_text(m: &MetricComparison) -> &'static str {
    match (m.verdict, m.below_threshold) {
        (Verdict::Regression, _) => "REGRESSION",
        (_, true) => "BELOW THRESHOLD",
        (Verdict::Improvement, _) => "improved",
        (Verdict::NoChange, _) => "",
    }
}

/// The terminal table: one block per variant, one row per metric (scores in %).
pub fn table(run: &SuiteRun) -> String {
    let mut out = String::new();
    for (name, _, c) in &run.variants {
        let _ = writeln!(
            out,
            "suite {} · variant {} · {} fixtures · baseline: {}",
            run.suite, name, c.fixtures, c.baseline
        );
        let _ = writeln!(
            out,
            "  {:<20} {:>7} {:>7} {:>7} {:>24} {:>5} {:>8} {:>6}  verdict",
            "metric", "mean", "pass%", "base", "Δ [95% CI]", "lost", "McNemar", "n@eff"
        );
        for m in &c.metrics {
            let _ = writeln!(
                out,
                "  {:<20} {:>7} {:>7} {:>7} {:>24} {:>5} {:>8} {:>6}  {}",
                m.metric,
                pct(m.mean),
                pct(m.pass_rate),
                baseline_text(m),
                delta_text(m),
                format!("{}/{}", m.lost, m.gained),
                mcnemar_text(m),
                needed_text(m),
                verdict_text(m)
            );
        }
        let verdict = if c.fails() { "FAIL" } else { "ok" };
        let _ = writeln!(out, "  gate: {verdict}");
    }
    out
}

/// The Markdown summary.
pub fn markdown(run: &SuiteRun) -> String {
    let mut out = format!("# Eval: {} ({} stage)\n\n", run.suite, run.stage);
    let _ = writeln!(
        out,
        "Scores are percentages; Δ is the variant minus the baseline per fixture, with a seeded \
         bootstrap 95 % CI; lost/gained count fixtures whose pass/fail flipped (McNemar's exact p); \
         n@eff is the number of fixtures a paired test needs to detect the suite's minimum effect at \
         this spread of deltas (α 0.05, power 0.8).\n"
    );
    for (name, results, c) in &run.variants {
        let gate = if c.fails() { "**FAIL**" } else { "ok" };
        let _ = writeln!(
            out,
            "## {name}\n\n{} fixtures, {} results, baseline: {} — gate: {gate}\n",
            c.fixtures,
            results.len(),
            c.baseline
        );
        out.push_str("| metric | mean | pass % | baseline | Δ [95% CI] | lost/gained | McNemar p | n@eff | verdict |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for m in &c.metrics {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {}/{} | {} | {} | {} |",
                m.metric,
                pct(m.mean),
                pct(m.pass_rate),
                baseline_text(m),
                delta_text(m),
                m.lost,
                m.gained,
                mcnemar_text(m),
                needed_text(m),
                verdict_text(m)
            );
        }
        let failures: Vec<String> = results
            .iter()
            .flat_map(|r| {
                r.metrics
                    .iter()
                    .filter(|(_, v)| !v.pass)
                    .map(move |(k, v)| format!("- `{}` {k}: {}", r.fixture, v.note))
            })
            .take(40)
            .collect();
        if !failures.is_empty() {
            let _ = writeln!(
                out,
                "\nFailed checks (first 40):\n\n{}",
                failures.join("\n")
            );
        }
        out.push('\n');
    }
    out
}

/// One JSON object per line: every result of every variant.
pub fn jsonl(run: &SuiteRun) -> String {
    run.variants
        .iter()
        .flat_map(|(_, results, _)| results)
        .map(|r| serde_json::to_string(r).expect("results serialize") + "\n")
        .collect()
}

/// Writes the three report files into `dir`; returns their paths.
pub fn write_reports(run: &SuiteRun, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let files = [
        (format!("{}.results.jsonl", run.suite), jsonl(run)),
        (format!("{}.summary.md", run.suite), markdown(run)),
        (format!("{}.report.html", run.suite), html_report(run)),
    ];
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        written.push(path);
    }
    Ok(written)
}
