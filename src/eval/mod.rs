//! `newsdesk eval`: prompt iteration with evidence. In: suites (`evals/*.toml`), variants, a
//! repeat count and the blessed baselines in `evals/baselines/`; out: each variant's outputs
//! scored by `metrics`, compared with the baseline by `compare` (paired bootstrap CIs, McNemar),
//! reports (`report`), a gate verdict — and with `--bless`, a new baseline.
//!
//! Outputs come from the production writing stages through `llm::build_stack`, so an eval
//! measures exactly what `newsdesk run` would publish, and every call is cached: a second eval of
//! the same prompt and repeat costs nothing.

pub mod compare;
pub mod judge;
pub mod metrics;
pub mod report;
pub mod runner;
pub mod stats;
pub mod suite;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use compare::Comparison;
use runner::FixtureResult;
use suite::{Stage, Suite};

use crate::clock::SystemClock;
use crate::config::{Config, ProviderKind};
use crate::llm::cached::CacheMode;
use crate::progress::Progress;
use crate::store::Store;

/// What `newsdesk eval` was asked to do.
#[derive(Debug, Clone)]
pub struct EvalArgs {
    /// Suite files; empty = every `*.toml` in `./evals`.
    pub suites: Vec<PathBuf>,
    /// Variant names to run; empty = every variant of the suite.
    pub variants: Vec<String>,
    pub repeat: u32,
    pub bless: bool,
    pub report_dir: Option<PathBuf>,
    pub json: bool,
    pub cache_mode: CacheMode,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Suite(#[from] suite::SuiteError),
    #[error(transparent)]
    Runner(#[from] runner::RunnerError),
    #[error("{suite}: no variant named \"{variant}\" (the suite has: {known})")]
    UnknownVariant {
        suite: String,
        variant: String,
        known: String,
    },
    #[error("--bless takes one variant (got {0}); name it with --variant")]
    BlessWhich(usize),
    #[error("no suites: {0} has no *.toml files (pass --suite FILE)")]
    NoSuites(PathBuf),
    #[error("cannot read or write {path}: {reason}")]
    Io { path: PathBuf, reason: String },
}

/// The outcome of an eval: every suite's comparisons, and whether the gate failed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EvalOutcome {
    pub suites: Vec<SuiteOutcome>,
    pub gate_failed: bool,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SuiteOutcome {
    pub suite: String,
    pub comparisons: Vec<Comparison>,
    pub reports: Vec<PathBuf>,
    pub blessed: Option<PathBuf>,
}

fn io(path: &Path, e: impl std::fmt::Display) -> EvalError {
    EvalError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// The blessed results of `variant`, one per line, beside the suite: `baselines/<suite>.jsonl`
/// for the suite's baseline variant, `baselines/<suite>.<variant>.jsonl` for any other (so
/// blessing a model's variant never replaces the baseline every other variant is compared with).
pub fn baseline_path(suite: &Suite, variant: &str) -> PathBuf {
    let file = if variant == suite.baseline {
        format!("{}.jsonl", suite.name)
    } else {
        format!("{}.{variant}.jsonl", suite.name)
    };
    suite
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join("baselines")
        .join(file)
}

fn read_baseline(path: &Path) -> Result<Option<Vec<FixtureResult>>, EvalError> {
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| {
                io(
                    path,
                    format!(
                        "line {}: {e} (re-bless with `newsdesk eval --bless`)",
                        i + 1
                    ),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn suite_files(args: &EvalArgs) -> Result<Vec<PathBuf>, EvalError> {
    if !args.suites.is_empty() {
        return Ok(args.suites.clone());
    }
    let dir = PathBuf::from("evals");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| io(&dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(EvalError::NoSuites(dir));
    }
    Ok(files)
}

fn metric_order(suite: &Suite, judged: bool) -> Vec<String> {
    let names: &[&str] = match suite.stage {
        Stage::Card => metrics::CARD_METRICS,
        Stage::Insight => metrics::INSIGHT_METRICS,
        Stage::Cluster => &["pairwise_f1", "bcubed_f1"],
    };
    let mut order: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    if judged {
        order.push("judge".into());
    }
    order
}

/// Adds the judge's metric to every card result, through the config's own (LLM) provider.
async fn add_judge(
    suite: &Suite,
    config: &Config,
    store: Arc<dyn Store>,
    results: &mut [FixtureResult],
    cache_mode: CacheMode,
    reporter: &dyn Progress,
) -> bool {
    if !suite.judge || suite.stage != Stage::Card {
        return false;
    }
    if config.provider.kind == ProviderKind::Extractive {
        reporter.warn(&format!(
            "{}: judge = true needs an LLM provider in the config ([provider] kind = \"openai\"); the judge was skipped",
            suite.name
        ));
        return false;
    }
    let stack = match crate::llm::build_stack(
        &config.provider,
        &config.limits,
        &config.pricing,
        store,
        cache_mode,
        Arc::new(SystemClock),
    ) {
        Ok(stack) => stack,
        Err(e) => {
            reporter.warn(&format!("{}: the judge was skipped: {e}", suite.name));
            return false;
        }
    };
    for result in results.iter_mut() {
        let Some(fixture) = suite.cards.iter().find(|f| f.id == result.fixture) else {
            continue;
        };
        let card: Option<crate::model::Card> = result
            .output
            .clone()
            .and_then(|v| serde_json::from_value(v).ok());
        let value = match card {
            Some(card) => {
                match judge::judge_card(
                    &stack,
                    &config.provider.model,
                    fixture,
                    &card,
                    result.repeat,
                )
                .await
                {
                    Ok(v) => v,
                    Err(note) => metrics::MetricValue {
                        value: 0.0,
                        pass: false,
                        note,
                    },
                }
            }
            None => metrics::MetricValue {
                value: 0.0,
                pass: false,
                note: "no valid card".into(),
            },
        };
        result.metrics.insert("judge".into(), value);
    }
    true
}

fn references(suite: &Suite) -> std::collections::BTreeMap<String, serde_json::Value> {
    let cards = suite
        .cards
        .iter()
        .map(|f| (f.id.clone(), serde_json::to_value(&f.reference)));
    let insights = suite
        .insights
        .iter()
        .map(|f| (f.id.clone(), serde_json::to_value(&f.reference)));
    cards
        .chain(insights)
        .filter_map(|(id, v)| v.ok().map(|v| (id, v)))
        .collect()
}

/// The variants a run of `suite` scores: the asked-for ones (every one by default), one for a
/// cluster suite, and without the unasked-for ones that cannot run here (a model without a key),
/// which are skipped with a warning so a plain `newsdesk eval` on a fresh clone still runs.
fn select_variants<'s>(
    suite: &'s suite::Suite,
    args: &EvalArgs,
    config: &Config,
    reporter: &dyn Progress,
) -> Result<Vec<&'s suite::Variant>, EvalError> {
    let selected: Vec<&suite::Variant> = if args.variants.is_empty() {
        suite.variants.iter().collect()
    } else {
        args.variants
            .iter()
            .map(|name| {
                suite
                    .variants
                    .iter()
                    .find(|v| &v.name == name)
                    .ok_or_else(|| EvalError::UnknownVariant {
                        suite: suite.name.clone(),
                        variant: name.clone(),
                        known: suite
                            .variants
                            .iter()
                            .map(|v| v.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            })
            .collect::<Result<_, _>>()?
    };
    // Cluster suites have no model: one run, named after the baseline.
    let selected: Vec<&suite::Variant> = if suite.stage == Stage::Cluster {
        selected.into_iter().take(1).collect()
    } else {
        selected
    };
    if args.bless && selected.len() != 1 && suite.stage != Stage::Cluster {
        return Err(EvalError::BlessWhich(selected.len()));
    }
    let selected: Vec<&suite::Variant> = if args.variants.is_empty() {
        selected
            .into_iter()
            .filter(|v| match runner::variant_config(config, v) {
                Ok(_) => true,
                Err(e) => {
                    reporter.warn(&format!("{}: skipped: {e}", suite.name));
                    false
                }
            })
            .collect()
    } else {
        selected
    };
    Ok(selected)
}

/// The blessed results of every variant a selected variant is compared with (`compare_with`),
/// other than the suite's baseline, by name with their file.
fn blessed_references(
    suite: &Suite,
    selected: &[&suite::Variant],
) -> Result<std::collections::BTreeMap<String, (PathBuf, Vec<FixtureResult>)>, EvalError> {
    let mut other_blessed = std::collections::BTreeMap::new();
    for variant in selected {
        let name = variant.reference(suite);
        if name != suite.baseline && !other_blessed.contains_key(name) {
            let path = baseline_path(suite, name);
            let results = read_baseline(&path)?.ok_or_else(|| {
                io(
                    &path,
                    format!(
                        "variant {} is compared with {name}, which is not blessed yet (run \
                         `newsdesk eval --variant {name} --bless` first)",
                        variant.name
                    ),
                )
            })?;
            other_blessed.insert(name.to_string(), (path, results));
        }
    }
    Ok(other_blessed)
}

/// Runs one suite: the selected variants (and the baseline variant when nothing is blessed),
/// comparisons, reports, and the optional bless.
pub async fn run_suite(
    path: &Path,
    args: &EvalArgs,
    config: &Config,
    store: Arc<dyn Store>,
    reporter: &dyn Progress,
) -> Result<SuiteOutcome, EvalError> {
    let suite = suite::load(path)?;
    let selected = select_variants(&suite, args, config, reporter)?;
    let blessed_path = baseline_path(&suite, &suite.baseline);
    let blessed = read_baseline(&blessed_path)?;
    let other_blessed = blessed_references(&suite, &selected)?;
    let runner = SuiteRunner {
        suite: &suite,
        args,
        config,
        store,
        reporter,
    };
    let (runs, judged) = runner.run_selected(&selected).await?;
    let live_baseline = match blessed {
        Some(_) => None,
        None => runner.live_baseline(&runs).await?,
    };
    let order = metric_order(&suite, judged);
    let compared_with = |name: &str| {
        suite
            .variants
            .iter()
            .find(|v| v.name == name)
            .map_or(suite.baseline.as_str(), |v| v.reference(&suite))
    };
    let reference = |name: &str| match (&blessed, &live_baseline) {
        _ if other_blessed.contains_key(compared_with(name)) => {
            let (path, results) = &other_blessed[compared_with(name)];
            Some((format!("blessed {}", path.display()), results.as_slice()))
        }
        (Some(b), _) => Some((format!("blessed {}", blessed_path.display()), b.as_slice())),
        (None, Some(live)) if name != suite.baseline => {
            Some((format!("{} (this run)", suite.baseline), live.as_slice()))
        }
        _ => None,
    };
    let comparisons = runs
        .into_iter()
        .map(|(name, results)| {
            let comparison = compare::compare(
                &name,
                &order,
                &results,
                reference(&name).as_ref().map(|(n, r)| (n.as_str(), *r)),
                &suite.thresholds.min,
                suite.min_effect(),
            );
            (name, results, comparison)
        })
        .collect();
    let run = report::SuiteRun {
        suite: suite.name.clone(),
        stage: format!("{:?}", suite.stage).to_lowercase(),
        metrics: order,
        fixtures: suite.fixture_ids(),
        variants: comparisons,
        blessed,
        references: references(&suite),
    };
    if !args.json {
        reporter.output(&report::table(&run));
    }
    let reports = match &args.report_dir {
        Some(dir) => write_reports(&run, dir, reporter)?,
        None => Vec::new(),
    };
    let blessed_to = if args.bless {
        let path = baseline_path(&suite, &run.variants[0].0);
        Some(bless(&run, path, reporter)?)
    } else {
        None
    };
    Ok(SuiteOutcome {
        suite: suite.name.clone(),
        comparisons: run.variants.into_iter().map(|(_, _, c)| c).collect(),
        reports,
        blessed: blessed_to,
    })
}

/// What the steps of one suite's run share.
struct SuiteRunner<'a> {
    suite: &'a Suite,
    args: &'a EvalArgs,
    config: &'a Config,
    store: Arc<dyn Store>,
    reporter: &'a dyn Progress,
}

impl SuiteRunner<'_> {
    /// `variant` over every fixture of the suite, `--repeat` times, with a progress bar.
    async fn run_variant(&self, variant: &suite::Variant) -> Result<Vec<FixtureResult>, EvalError> {
        let progress =
            |seen: crate::progress::StageProgress| self.reporter.stage_progress("fixtures", &seen);
        Ok(runner::run_variant(
            self.suite,
            self.config,
            variant,
            self.store.clone(),
            self.args.repeat,
            self.args.cache_mode,
            &progress,
        )
        .await?)
    }

    /// Each selected variant's results, judged where the suite asks for it; and whether any was.
    async fn run_selected(
        &self,
        selected: &[&suite::Variant],
    ) -> Result<(Vec<(String, Vec<FixtureResult>)>, bool), EvalError> {
        let suite = self.suite;
        let mut runs = Vec::new();
        let mut judged = false;
        for variant in selected {
            self.reporter.step(&format!(
                "eval {}: variant {} × {} fixtures × {} repeat(s){}",
                suite.name,
                variant.name,
                suite.fixture_ids().len(),
                self.args.repeat.max(1),
                runner::endpoint_of(self.config, variant)
            ));
            let mut results = self.run_variant(variant).await?;
            judged |= add_judge(
                suite,
                self.config,
                self.store.clone(),
                &mut results,
                self.args.cache_mode,
                self.reporter,
            )
            .await;
            runs.push((variant.name.clone(), results));
        }
        Ok((runs, judged))
    }

    /// Without a blessed baseline, the baseline variant of this run is the reference: its
    /// results when it was selected, else it runs now (a cluster suite has none).
    async fn live_baseline(
        &self,
        runs: &[(String, Vec<FixtureResult>)],
    ) -> Result<Option<Vec<FixtureResult>>, EvalError> {
        let suite = self.suite;
        if let Some((_, results)) = runs.iter().find(|(n, _)| n == &suite.baseline) {
            return Ok(Some(results.clone()));
        }
        if suite.stage == Stage::Cluster {
            return Ok(None);
        }
        let variant = suite
            .variants
            .iter()
            .find(|v| v.name == suite.baseline)
            .expect("suite::load guarantees the baseline variant");
        self.reporter.step(&format!(
            "eval {}: nothing blessed yet, running the baseline {} to compare with",
            suite.name, variant.name
        ));
        Ok(Some(self.run_variant(variant).await?))
    }
}

/// `--report DIR`: the suite's results, summary and HTML page.
fn write_reports(
    run: &report::SuiteRun,
    dir: &Path,
    reporter: &dyn Progress,
) -> Result<Vec<PathBuf>, EvalError> {
    let written = report::write_reports(run, dir).map_err(|e| io(dir, e))?;
    for p in &written {
        reporter.detail(&format!("wrote {}", p.display()));
    }
    Ok(written)
}

/// `--bless`: the one variant's results become the suite's baseline file.
fn bless(
    run: &report::SuiteRun,
    blessed_path: PathBuf,
    reporter: &dyn Progress,
) -> Result<PathBuf, EvalError> {
    let (name, results, _) = &run.variants[0];
    let parent = blessed_path.parent().expect("baseline path has a parent");
    std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    let text: String = results
        .iter()
        .map(|r| serde_json::to_string(r).expect("results serialize") + "\n")
        .collect();
    std::fs::write(&blessed_path, text).map_err(|e| io(&blessed_path, e))?;
    reporter.step(&format!(
        "blessed {name} as the baseline of {} ({})",
        run.suite,
        blessed_path.display()
    ));
    Ok(blessed_path)
}

/// Runs every suite. The gate fails on any supported regression or threshold breach, unless the
/// run blesses (blessing accepts the new results as the baseline).
pub async fn run(
    args: &EvalArgs,
    config: &Config,
    store: Arc<dyn Store>,
    reporter: &dyn Progress,
) -> Result<EvalOutcome, EvalError> {
    let mut suites = Vec::new();
    for path in suite_files(args)? {
        suites.push(run_suite(&path, args, config, store.clone(), reporter).await?);
    }
    let gate_failed = !args.bless
        && suites
            .iter()
            .any(|s| s.comparisons.iter().any(Comparison::fails));
    let outcome = EvalOutcome {
        suites,
        gate_failed,
    };
    if args.json {
        reporter.output(&serde_json::to_string_pretty(&outcome).expect("outcomes serialize"));
    }
    Ok(outcome)
}
