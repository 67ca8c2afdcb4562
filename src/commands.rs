//! The commands of the CLI contract (DESIGN §11), one function each. In: parsed arguments and the
//! loaded config; out: files, output through the reporter, and an `ExitCode`-ready status. The
//! binary's `main.rs` only parses arguments and calls these.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use chrono::NaiveDate;

use crate::clock::{Clock, SystemClock};
use crate::cluster::{self, ClusterParams, RankParams};
use crate::collect::{self, CollectContext, HttpOptions};
use crate::config::{Config, Env, Layout, ProcessEnv, ProviderKind};
use crate::lint::{self, LintOptions};
use crate::llm::cached::CacheMode;
use crate::report::Reporter;
use crate::run::RunSummary;
use crate::run::manifest::{BEHAVIOUR_ENV, RecordedConfig};
use crate::run::{self, RunOptions, RunStatus};
use crate::store::{Store, StoreLocation};

/// Process exit codes (DESIGN §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Error = 1,
    Usage = 2,
    Partial = 3,
}

fn exit_for(summary: &RunSummary) -> Exit {
    match summary.status {
        RunStatus::Ok => Exit::Ok,
        RunStatus::Partial => Exit::Partial,
        RunStatus::LintFailed => Exit::Error,
    }
}

fn print_summary(reporter: &Reporter, summary: &RunSummary, json: bool) {
    if json {
        reporter.output(&serde_json::to_string_pretty(summary).expect("summaries serialize"));
    } else {
        reporter.output(&summary.render());
    }
}

/// `newsdesk demo`: the bundled (embedded) fixture day, extractive provider, offline, in a
/// temporary store unless `--store` names one; `layout` overrides the demo config's layout.
#[allow(clippy::too_many_arguments)]
pub async fn demo(
    out_dir: &Path,
    store_dir: Option<&Path>,
    layout: Option<Layout>,
    cache_mode: CacheMode,
    cassette: bool,
    reporter: &Reporter,
    json: bool,
) -> anyhow::Result<Exit> {
    let temp = tempfile::tempdir().context("cannot create a temporary directory for the demo")?;
    let unpack_error = || format!("cannot unpack the demo day into {}", temp.path().display());
    let (config_path, cassette_file) = if cassette {
        let (config, file) =
            crate::demo::unpack_cassette(temp.path()).with_context(unpack_error)?;
        (config, Some(file))
    } else {
        (
            crate::demo::unpack(temp.path()).with_context(unpack_error)?,
            None,
        )
    };
    let config = Config::load(&config_path, &ProcessEnv)?;
    let store = match store_dir {
        Some(arg) => store_arg(arg)?,
        None => StoreLocation::Dir(temp.path().join("store")),
    }
    .open()?;
    // The recorded answers of a real model: every call comes from the cassette, none from the
    // network (a miss is an error, not a call).
    let (cache_mode, provider) = match &cassette_file {
        Some(file) => {
            crate::history::import(store.as_ref(), file)?;
            (CacheMode::Replay, None)
        }
        None => (cache_mode, Some(ProviderKind::Extractive)),
    };
    let (y, m, d) = crate::demo::DEMO_DATE;
    let opts = RunOptions {
        date: NaiveDate::from_ymd_opt(y, m, d).expect("valid demo date"),
        out_dir: out_dir.to_path_buf(),
        cache_mode,
        provider,
        budget_usd: None,
        recorded_config: RecordedConfig {
            layout: layout.map(|l| l.name().to_string()),
            ..recorded_config(&config, &ProcessEnv)
        },
        replay: None,
    };
    let summary = run::run_day(&config, store, Arc::new(SystemClock), reporter, &opts).await?;
    print_summary(reporter, &summary, json);
    Ok(exit_for(&summary))
}

/// The config as a manifest records it: the file's text (when it still hashes to what was
/// loaded) and the behaviour-changing environment overrides, never a key.
pub fn recorded_config(config: &Config, env: &dyn Env) -> RecordedConfig {
    let text = config
        .file
        .as_deref()
        .and_then(|f| std::fs::read_to_string(f).ok())
        .filter(|t| blake3::hash(t.as_bytes()).to_hex()[..16] == config.hash)
        .unwrap_or_default();
    RecordedConfig {
        file: config
            .file
            .as_deref()
            .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.to_path_buf())),
        text,
        env: BEHAVIOUR_ENV
            .iter()
            .filter_map(|name| env.var(name).map(|v| (name.to_string(), v)))
            .collect(),
        layout: None,
    }
}

/// `--store`: a directory, or a `postgres://` URL (password from it or `PGPASSWORD`).
pub fn store_arg(arg: &Path) -> anyhow::Result<StoreLocation> {
    match arg.to_str() {
        Some(text) => Ok(StoreLocation::parse(
            text,
            ProcessEnv.var(crate::config::PG_PASSWORD),
        )?),
        None => Ok(StoreLocation::Dir(arg.to_path_buf())),
    }
}

/// The store a command works on: `--store` when given, else the config's (`store.url`,
/// `store.path`, or their environment overrides).
pub fn store_location(
    config: &Config,
    store_arg_given: Option<&Path>,
) -> anyhow::Result<StoreLocation> {
    match store_arg_given {
        Some(arg) => store_arg(arg),
        None => Ok(config.store.location()),
    }
}

fn open_store(config: &Config, store_dir: Option<&Path>) -> anyhow::Result<Arc<dyn Store>> {
    Ok(store_location(config, store_dir)?.open()?)
}

/// What one writer at a time may produce: this config's digest in this layout, for this day.
pub fn run_scope(config: &Config, layout: Option<Layout>, date: NaiveDate) -> String {
    format!(
        "digest \"{}\" (config {}, layout {}) for {date}",
        config.digest.title,
        &config.hash[..config.hash.len().min(12)],
        layout.unwrap_or(config.digest.layout).name()
    )
}

/// A replay never reaches the network, so only a command that may call the provider needs a key.
fn require_key_unless_replay(
    config: &Config,
    provider: Option<ProviderKind>,
    cache_mode: CacheMode,
) -> anyhow::Result<()> {
    if cache_mode != CacheMode::Replay {
        config.require_api_key(provider.unwrap_or(config.provider.kind))?;
    }
    Ok(())
}

/// What `newsdesk run` prints: the run's summary, then one line per `[[deliver]]` target that
/// wanted tonight's event (none without targets).
#[derive(serde::Serialize)]
struct NightReport<'a> {
    #[serde(flatten)]
    summary: &'a RunSummary,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    deliveries: Vec<crate::deliver::DeliveryLine>,
}

impl NightReport<'_> {
    fn render(&self) -> String {
        let mut out = self.summary.render();
        for line in &self.deliveries {
            out.push_str(&format!("  delivery   {}\n", line.render()));
        }
        out
    }
}

/// Arguments of `newsdesk run`.
pub struct RunArgs {
    pub date: Option<NaiveDate>,
    pub out_dir: Option<PathBuf>,
    pub provider: Option<ProviderKind>,
    pub cache_mode: CacheMode,
    pub budget_usd: Option<f64>,
    /// Overrides `digest.layout` (recorded in the manifest).
    pub layout: Option<Layout>,
    pub json: bool,
}

/// `newsdesk run`: one digest day from the configured sources.
pub async fn run(
    config: &Config,
    store_dir: Option<&Path>,
    args: RunArgs,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    require_key_unless_replay(config, args.provider, args.cache_mode)?;
    let store = open_store(config, store_dir)?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let date = args.date.unwrap_or_else(|| {
        clock
            .now()
            .with_timezone(&config.digest.timezone)
            .date_naive()
    });
    let _writer = store.lock_run(&run_scope(config, args.layout, date))?;
    let opts = RunOptions {
        date,
        out_dir: args
            .out_dir
            .unwrap_or_else(|| config.digest.out_dir.clone()),
        cache_mode: args.cache_mode,
        provider: args.provider,
        budget_usd: args.budget_usd,
        recorded_config: RecordedConfig {
            layout: args.layout.map(|l| l.name().to_string()),
            ..recorded_config(config, &ProcessEnv)
        },
        replay: None,
    };
    let outcome = run::run_day(config, store.clone(), clock.clone(), reporter, &opts).await;
    // After the files are written (or the run failed): the digest or a failure notice goes to
    // the targets that want it. A delivery failure never changes the files; it makes exit 3.
    let failure = outcome.as_ref().err().map(ToString::to_string);
    let deliveries = crate::deliver::after_run(
        config,
        date,
        outcome
            .as_ref()
            .map_err(|_| failure.as_deref().unwrap_or_default()),
        store.as_ref(),
        clock.as_ref(),
        reporter,
    )
    .await;
    let summary = outcome?;
    let night = NightReport {
        summary: &summary,
        deliveries,
    };
    if args.json {
        reporter.output(&serde_json::to_string_pretty(&night).expect("summaries serialize"));
    } else {
        reporter.output(&night.render());
    }
    Ok(match exit_for(&summary) {
        Exit::Ok if crate::deliver::any_failed(&night.deliveries) => Exit::Partial,
        exit => exit,
    })
}

#[derive(serde::Serialize)]
struct ClusterJson {
    stories: Vec<StoryJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    gold: Option<GoldJson>,
}

#[derive(serde::Serialize)]
struct StoryJson {
    id: String,
    /// 1-based among on-topic stories; off-topic stories come last, unranked.
    #[serde(skip_serializing_if = "Option::is_none")]
    rank: Option<usize>,
    off_topic: bool,
    score: cluster::rank::ScoreParts,
    articles: Vec<ArticleJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    explain: Vec<String>,
}

#[derive(serde::Serialize)]
struct ArticleJson {
    url: String,
    title: String,
    outlet: String,
    published_at: chrono::DateTime<chrono::Utc>,
}

#[derive(serde::Serialize)]
struct PrfJson {
    precision: f64,
    recall: f64,
    f1: f64,
}

#[derive(serde::Serialize)]
struct ScoresJson {
    pairwise: PrfJson,
    bcubed: PrfJson,
    ari: f64,
}

impl From<&cluster::metrics::Scores> for ScoresJson {
    fn from(s: &cluster::metrics::Scores) -> Self {
        let prf = |p: cluster::metrics::Prf| PrfJson {
            precision: p.precision,
            recall: p.recall,
            f1: p.f1,
        };
        ScoresJson {
            pairwise: prf(s.pairwise),
            bcubed: prf(s.bcubed),
            ari: s.ari,
        }
    }
}

#[derive(serde::Serialize)]
struct GoldJson {
    items: usize,
    gold_stories: usize,
    predicted_stories: usize,
    unlabelled: usize,
    missing: usize,
    scores: ScoresJson,
    singletons: ScoresJson,
}

/// What `newsdesk cluster` prints.
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    pub json: bool,
    pub explain: bool,
    /// A gold file (`canonical url → story id`) to score the stories against.
    pub gold: Option<PathBuf>,
}

fn read_gold(path: &Path) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read gold file {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "gold file {} must be a JSON object of canonical url → story id",
            path.display()
        )
    })
}

/// `newsdesk cluster`: stories from feed files, directories or URLs (or the configured sources),
/// best first, optionally scored against a gold file.
pub async fn cluster(
    inputs: &[String],
    config: Option<&Config>,
    options: &ClusterOptions,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    let gold_labels = options.gold.as_deref().map(read_gold).transpose()?;
    let http = config
        .map(|c| HttpOptions::from_config(&c.collect))
        .unwrap_or_default();
    let collected = match (inputs.is_empty(), config) {
        (false, _) => collect::collect_inputs(inputs, &http).await,
        (true, Some(config)) => {
            collect::collect_sources(&config.sources, &CollectContext::new(&http)).await
        }
        (true, None) => anyhow::bail!(
            "no INPUT given and no config loaded: pass feed files, directories or URLs"
        ),
    };
    let mut failed = 0;
    for report in &collected.reports {
        if let Some(reason) = &report.error {
            failed += 1;
            reporter.warn(&format!(
                "source {} ({}): {reason}",
                report.name, report.location
            ));
        }
    }
    if collected.articles.is_empty() {
        anyhow::bail!(
            "no articles found in {} (every source failed or was empty)",
            inputs.join(", ")
        );
    }
    // Rank every story (no cap) as of the newest article: the order a digest would take, without
    // reading the clock.
    let now = collected
        .articles
        .iter()
        .map(|a| a.published_at)
        .max()
        .unwrap_or_default();
    // Scoring against gold reads the input as it was (exact duplicates are folded into their
    // kept copy), so only then is a copy of it kept beside the stories.
    let inputs_for_gold = gold_labels.is_some().then(|| collected.articles.clone());
    let article_count = collected.articles.len();
    let stories = cluster::cluster(collected.articles, &ClusterParams::default());
    let gold = gold_labels
        .as_ref()
        .zip(inputs_for_gold.as_deref())
        .map(|(labels, inputs)| cluster::metrics::score_against_gold(&stories, inputs, labels));
    let weights = config.map(|c| c.digest.ranking.clone()).unwrap_or_default();
    let ranked = cluster::rank(
        stories,
        &RankParams {
            max_topics: usize::MAX,
            focus_topics: 0,
            now,
            min_relevance: RankParams::DEFAULT_MIN_RELEVANCE,
            weights: weights.clone(),
        },
    );
    let ordered: Vec<(Option<usize>, &crate::model::Story)> = ranked
        .topics
        .iter()
        .map(|t| (Some(t.rank), &t.story))
        .chain(ranked.off_topic.iter().map(|(s, _)| (None, s)))
        .collect();
    if options.json {
        let doc = ClusterJson {
            stories: ordered
                .iter()
                .map(|&(rank, s)| StoryJson {
                    id: s.id.clone(),
                    rank,
                    off_topic: rank.is_none(),
                    score: cluster::rank::score_parts(s, now, &weights),
                    articles: s
                        .articles
                        .iter()
                        .map(|a| ArticleJson {
                            url: a.url.clone(),
                            title: a.title.clone(),
                            outlet: a.outlet.clone(),
                            published_at: a.published_at,
                        })
                        .collect(),
                    explain: if options.explain {
                        cluster::explain(s)
                    } else {
                        Vec::new()
                    },
                })
                .collect(),
            gold: gold.as_ref().map(|g| GoldJson {
                items: g.items,
                gold_stories: g.gold_stories,
                predicted_stories: g.predicted_stories,
                unlabelled: g.unlabelled,
                missing: g.missing,
                scores: (&g.scores).into(),
                singletons: (&g.baseline).into(),
            }),
        };
        reporter.output(&serde_json::to_string_pretty(&doc).expect("cluster output serializes"));
    } else {
        let mut out = String::new();
        let multi = ordered.iter().filter(|(_, s)| s.articles.len() > 1).count();
        out.push_str(&format!(
            "{} articles → {} stories ({} with more than one article)\n",
            article_count,
            ordered.len(),
            multi
        ));
        if let Some(gold) = &gold {
            for line in gold.render() {
                out.push_str(&line);
                out.push('\n');
            }
        }
        for &(rank, story) in &ordered {
            let rank = rank.map_or("off-topic".to_string(), |r| format!("#{r}"));
            out.push_str(&format!(
                "\n{rank} {} ({} article(s))\n",
                story.id,
                story.articles.len()
            ));
            for article in &story.articles {
                out.push_str(&format!(
                    "  - [{}] {} <{}>\n",
                    article.outlet, article.title, article.url
                ));
            }
            if options.explain && story.articles.len() > 1 {
                for line in cluster::explain(story) {
                    out.push_str(&format!("    why: {line}\n"));
                }
            }
        }
        reporter.output(&out);
    }
    Ok(if failed > 0 { Exit::Partial } else { Exit::Ok })
}

/// `newsdesk collect`: fetch every configured source, store the articles (and the validators
/// for the next conditional GET), report per source. Exit 3 when more sources failed than
/// `collect.tolerate_failed_sources` allows.
pub async fn collect(
    config: &Config,
    store_dir: Option<&Path>,
    date: Option<NaiveDate>,
    json: bool,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    let store = open_store(config, store_dir)?;
    let http = HttpOptions::from_config(&config.collect);
    let progress = |done: usize, total: usize| reporter.progress("sources", done, total);
    reporter.step(&format!("collecting {} source(s)", config.sources.len()));
    let now = SystemClock.now();
    let cx = CollectContext {
        http: &http,
        now: Some(now),
        store: Some(store.as_ref()),
        progress: Some(&progress),
    };
    let collected = collect::collect_sources(&config.sources, &cx).await;
    store.flush()?;
    let date = date.unwrap_or_else(|| now.with_timezone(&config.digest.timezone).date_naive());
    let (start, end) = run::window(
        date,
        config.digest.timezone,
        config.digest.cutoff,
        config.digest.window_hours,
    );
    let in_window = collected
        .articles
        .iter()
        .filter(|a| a.published_at >= start && a.published_at < end)
        .count();
    let failed = collected.failed_sources().count();
    let unhealthy = collected.is_unhealthy(config.collect.tolerate_failed_sources);
    if json {
        reporter.output(&serde_json::to_string_pretty(&serde_json::json!({
            "date": date,
            "window": {"start": start, "end": end},
            "status": if unhealthy { "partial" } else { "ok" },
            "sources": collected.reports,
            "failed_sources": collected.failed_sources().map(|r| &r.name).collect::<Vec<_>>(),
            "articles": collected.articles.len(),
            "articles_in_window": in_window,
            "new_articles": collected.reports.iter().map(|r| r.new_articles).sum::<usize>(),
        }))?);
    } else {
        for report in collected.failed_sources() {
            reporter.warn(&format!(
                "source {} ({}): {}",
                report.name,
                report.location,
                report.describe()
            ));
        }
        let mut out = format!(
            "newsdesk collect {date} — {}\n",
            if unhealthy {
                "partial: sources failed"
            } else {
                "ok"
            }
        );
        for report in &collected.reports {
            out.push_str(&format!(
                "  {} {:<20} {}\n",
                if report.failed() { "✗" } else { "✓" },
                report.name,
                report.describe()
            ));
        }
        out.push_str(&format!(
            "  {} source(s): {} ok, {failed} failed · {} article(s), {} in the window of {date}\n",
            collected.reports.len(),
            collected.reports.len() - failed,
            collected.articles.len(),
            in_window
        ));
        reporter.output(&out);
    }
    Ok(if unhealthy { Exit::Partial } else { Exit::Ok })
}

/// `newsdesk lint FILE`: the digest QA rules on a Markdown file.
pub fn lint(
    file: &Path,
    layout: Option<Layout>,
    json: bool,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let rollup = layout
        .is_none()
        .then(|| crate::weekly::render::rollup_language(&text))
        .flatten();
    let report = match rollup {
        Some(language) => lint::lint_document(&text, language),
        None => lint::lint_markdown(
            &text,
            &LintOptions {
                language: None,
                layout,
            },
        ),
    };
    if json {
        reporter.output(&serde_json::to_string_pretty(&serde_json::json!({
            "file": file,
            "errors": report.errors().len(),
            "warnings": report.warnings().len(),
            "findings": report.findings,
        }))?);
    } else {
        let mut out = String::new();
        for finding in &report.findings {
            out.push_str(&finding.located(file));
            out.push('\n');
        }
        out.push_str(&format!(
            "{} error(s), {} warning(s)\n",
            report.errors().len(),
            report.warnings().len()
        ));
        reporter.output(&out);
    }
    Ok(if report.has_errors() {
        Exit::Error
    } else {
        Exit::Ok
    })
}

/// Arguments of `newsdesk weekly`.
pub struct WeeklyArgs {
    pub week: Option<crate::weekly::IsoWeek>,
    pub out_dir: Option<PathBuf>,
    pub provider: Option<ProviderKind>,
    pub cache_mode: CacheMode,
    pub json: bool,
}

/// `newsdesk weekly`: the roll-up of one ISO week of runs in the store.
pub async fn weekly(
    config: &Config,
    store_dir: Option<&Path>,
    args: WeeklyArgs,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    require_key_unless_replay(config, args.provider, args.cache_mode)?;
    let store = open_store(config, store_dir)?;
    let opts = crate::weekly::WeeklyOptions {
        week: args.week,
        out_dir: args
            .out_dir
            .unwrap_or_else(|| config.digest.out_dir.clone()),
        cache_mode: args.cache_mode,
        provider: args.provider,
    };
    let summary =
        crate::weekly::roll_up(config, store, Arc::new(SystemClock), reporter, &opts).await?;
    if args.json {
        reporter.output(&serde_json::to_string_pretty(&summary).expect("summaries serialize"));
    } else {
        reporter.output(&summary.render());
    }
    Ok(if summary.lint_errors > 0 {
        Exit::Error
    } else if summary.is_partial() {
        Exit::Partial
    } else {
        Exit::Ok
    })
}

/// `newsdesk eval`: suites × variants, compared with the blessed baseline. Uses `--config` when
/// that file exists (its provider, limits, pricing, prompts and store), the demo config otherwise,
/// so a fresh clone evaluates the extractive baseline with no key; the sections are always the
/// demo config's, which the fixtures are written against. Exit 1 when the gate fails.
pub async fn eval(
    config_path: &Path,
    store_dir: Option<&Path>,
    args: crate::eval::EvalArgs,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    let demo_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let demo_config = crate::demo::unpack(demo_dir.path()).with_context(|| {
        format!(
            "cannot unpack the demo config into {}",
            demo_dir.path().display()
        )
    })?;
    let path = if config_path.exists() {
        config_path.to_path_buf()
    } else {
        demo_config.clone()
    };
    let mut config = Config::load(&path, &ProcessEnv)?;
    // The fixtures name the demo config's sections (models, tools, industry, policy,
    // applications): every variant is asked to choose among those, whatever the config's own.
    config.digest.sections = Config::load(&demo_config, &ProcessEnv)?.digest.sections;
    let store = if config_path.exists() {
        open_store(&config, store_dir)?
    } else {
        match store_dir {
            Some(arg) => store_arg(arg)?,
            None => StoreLocation::Dir(PathBuf::from(".newsdesk/eval-store")),
        }
        .open()?
    };
    let outcome = crate::eval::run(&args, &config, store, reporter).await?;
    Ok(if outcome.gate_failed {
        Exit::Error
    } else {
        Exit::Ok
    })
}

/// Arguments of `newsdesk deliver`.
pub struct DeliverArgs {
    pub run_id: String,
    /// Only this target.
    pub target: Option<String>,
    /// Send even where a receipt says it was sent.
    pub force: bool,
    /// Show what would be sent; send and record nothing.
    pub dry_run: bool,
    pub json: bool,
}

/// `newsdesk deliver RUN_ID`: a recorded run's digest (or its failure notice) to the configured
/// targets, skipping those with a receipt unless `--force`. Exit 3 when a target was not reached.
pub async fn deliver(
    config: &Config,
    store_dir: Option<&Path>,
    args: DeliverArgs,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    if config.deliver.is_empty() {
        anyhow::bail!(
            "no [[deliver]] targets in the config (add one: see newsdesk.example.toml and the README's Delivery section)"
        );
    }
    let store = open_store(config, store_dir)?;
    let options = crate::deliver::Options {
        force: args.force,
        dry_run: args.dry_run,
        ..Default::default()
    };
    let lines = crate::deliver::deliver_recorded(
        config,
        &args.run_id,
        args.target.as_deref(),
        store.as_ref(),
        &SystemClock,
        &options,
        reporter,
    )
    .await?;
    if args.json {
        reporter.output(&serde_json::to_string_pretty(&lines)?);
    } else if lines.is_empty() {
        reporter.output(&format!(
            "run {}: no target wants this run's event\n",
            args.run_id
        ));
    } else {
        let mut out = String::new();
        for line in &lines {
            out.push_str(&line.render());
            out.push('\n');
        }
        reporter.output(&out);
    }
    Ok(if crate::deliver::any_failed(&lines) {
        Exit::Partial
    } else {
        Exit::Ok
    })
}
