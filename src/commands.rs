//! The commands of the CLI contract (DESIGN §11), one function each. In: parsed arguments and the
//! loaded config; out: files, output through the reporter, and an `ExitCode`-ready status. The
//! binary's `main.rs` only parses arguments and calls these.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use chrono::NaiveDate;

use crate::clock::SystemClock;
use crate::cluster::{self, ClusterParams};
use crate::collect::{self, HttpOptions};
use crate::config::{Config, ProcessEnv, ProviderKind};
use crate::lint::{self, LintOptions};
use crate::llm::cached::CacheMode;
use crate::report::{Reporter, RunSummary};
use crate::run::{self, RunOptions, RunStatus};
use crate::store::{SledStore, Store};

/// Process exit codes (DESIGN §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Error = 1,
    Usage = 2,
    Partial = 3,
}

/// The date of the bundled fixture day `demo` runs.
pub const DEMO_DATE: (i32, u32, u32) = (2026, 1, 5);

/// The demo's config, found beside the sources the binary was built from.
pub fn demo_config_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo/newsdesk.toml")
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

/// `newsdesk demo`: the bundled fixture day, extractive provider, offline, in a temporary store.
pub async fn demo(
    out_dir: &Path,
    store_dir: Option<&Path>,
    reporter: &Reporter,
    json: bool,
) -> anyhow::Result<Exit> {
    let config_path = demo_config_path();
    let config = Config::load(&config_path, &ProcessEnv)?;
    let temp = tempfile::tempdir().context("cannot create a temporary store directory")?;
    let store_path = store_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| temp.path().join("store"));
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&store_path)?);
    let (y, m, d) = DEMO_DATE;
    let opts = RunOptions {
        date: NaiveDate::from_ymd_opt(y, m, d).expect("valid demo date"),
        out_dir: out_dir.to_path_buf(),
        cache_mode: CacheMode::Rw,
        provider: Some(ProviderKind::Extractive),
        budget_usd: None,
    };
    let summary = run::run_day(&config, store, Arc::new(SystemClock), reporter, &opts).await?;
    print_summary(reporter, &summary, json);
    Ok(exit_for(&summary))
}

/// Arguments of `newsdesk run`.
pub struct RunArgs {
    pub date: Option<NaiveDate>,
    pub out_dir: Option<PathBuf>,
    pub provider: Option<ProviderKind>,
    pub cache_mode: CacheMode,
    pub budget_usd: Option<f64>,
    pub json: bool,
}

/// `newsdesk run`: one digest day from the configured sources.
pub async fn run(
    config: &Config,
    store_dir: Option<&Path>,
    args: RunArgs,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    // A replay never reaches the network, so only a run that may call the provider needs a key.
    if args.cache_mode != CacheMode::Replay {
        config.require_api_key(args.provider.unwrap_or(config.provider.kind))?;
    }
    let store_path = store_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| config.store.path.clone());
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&store_path)?);
    let date = args.date.unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&config.digest.timezone)
            .date_naive()
    });
    let opts = RunOptions {
        date,
        out_dir: args
            .out_dir
            .unwrap_or_else(|| config.digest.out_dir.clone()),
        cache_mode: args.cache_mode,
        provider: args.provider,
        budget_usd: args.budget_usd,
    };
    let summary = run::run_day(config, store, Arc::new(SystemClock), reporter, &opts).await?;
    print_summary(reporter, &summary, args.json);
    Ok(exit_for(&summary))
}

#[derive(serde::Serialize)]
struct ClusterJson {
    stories: Vec<StoryJson>,
}

#[derive(serde::Serialize)]
struct StoryJson {
    id: String,
    articles: Vec<ArticleJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    explain: Vec<String>,
}

#[derive(serde::Serialize)]
struct ArticleJson {
    url: String,
    title: String,
}

/// `newsdesk cluster`: stories from feed files, directories or URLs (or the configured sources).
pub async fn cluster(
    inputs: &[String],
    config: Option<&Config>,
    json: bool,
    explain: bool,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    let http = HttpOptions::default();
    let collected = match (inputs.is_empty(), config) {
        (false, _) => collect::collect_inputs(inputs, &http).await,
        (true, Some(config)) => collect::collect_sources(&config.sources, &http).await,
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
    let stories = cluster::cluster(&collected.articles, &ClusterParams::default());
    if json {
        let doc = ClusterJson {
            stories: stories
                .iter()
                .map(|s| StoryJson {
                    id: s.id.clone(),
                    articles: s
                        .articles
                        .iter()
                        .map(|a| ArticleJson {
                            url: a.url.clone(),
                            title: a.title.clone(),
                        })
                        .collect(),
                    explain: if explain {
                        cluster::explain(s)
                    } else {
                        Vec::new()
                    },
                })
                .collect(),
        };
        reporter.output(&serde_json::to_string_pretty(&doc).expect("cluster output serializes"));
    } else {
        let mut out = String::new();
        let multi = stories.iter().filter(|s| s.articles.len() > 1).count();
        out.push_str(&format!(
            "{} articles → {} stories ({} with more than one article)\n",
            collected.articles.len(),
            stories.len(),
            multi
        ));
        // People read the merged stories first; the JSON keeps the canonical order.
        let mut by_size: Vec<&crate::model::Story> = stories.iter().collect();
        by_size.sort_by_key(|s| std::cmp::Reverse(s.articles.len()));
        for story in by_size {
            out.push_str(&format!(
                "\n{} ({} article(s))\n",
                story.id,
                story.articles.len()
            ));
            for article in &story.articles {
                out.push_str(&format!(
                    "  - [{}] {} <{}>\n",
                    article.outlet, article.title, article.url
                ));
            }
            if explain && story.articles.len() > 1 {
                for line in cluster::explain(story) {
                    out.push_str(&format!("    why: {line}\n"));
                }
            }
        }
        reporter.output(&out);
    }
    Ok(if failed > 0 { Exit::Partial } else { Exit::Ok })
}

/// `newsdesk lint FILE`: the digest QA rules on a Markdown file.
pub fn lint(file: &Path, json: bool, reporter: &Reporter) -> anyhow::Result<Exit> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let report = lint::lint_markdown(&text, &LintOptions { language: None });
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
    if args.cache_mode != CacheMode::Replay {
        config.require_api_key(args.provider.unwrap_or(config.provider.kind))?;
    }
    let store_path = store_dir
        .map(Path::to_path_buf)
        .unwrap_or_else(|| config.store.path.clone());
    let store: Arc<dyn Store> = Arc::new(SledStore::open(&store_path)?);
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
