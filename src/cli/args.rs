//! The command line as clap parses it: every command, flag and help text of DESIGN §11, the
//! value parsers that refuse a bad flag with a sentence, and the few questions the binary asks
//! of it (verbosity, config path, which store). In: `std::env::args`; out: a `Cli` that
//! `main.rs` dispatches to the commands of this module.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::{CacheAction, RunsAction, RunsArgs, store_arg};
use crate::config::{Config, ConfigError, Layout, ProcessEnv, ProviderKind};
use crate::llm::cached::CacheMode;
use crate::report::Verbosity;
use crate::store::StoreLocation;

#[derive(Parser)]
#[command(
    name = "newsdesk",
    version,
    about = "Turns a day of AI-news articles into an editor-quality daily digest.",
    long_about = "Turns a day of AI-news articles into an editor-quality daily digest:\n\
        collect feeds → dedupe → cluster into stories → one LLM card per topic → editor insight →\n\
        Markdown (daily, speedread or brief layout), HTML, JSON and an Atom feed. Every LLM call\n\
        is cached in the store, so a second run of the same day makes no provider calls.\n\n\
        Exit codes: 0 ok · 1 error (or lint errors) · 2 usage or config error · 3 partial (some\n\
        topics failed, or a [[deliver]] target was not reached; the digest was still written).",
    after_help = "Start with `newsdesk demo` (offline, no key). For real use copy newsdesk.example.toml to newsdesk.toml."
)]
pub struct Cli {
    /// Config file [default: newsdesk.toml] (not for `demo`, which runs its embedded config).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Store directory, or postgres://USER@HOST:PORT/DB (overrides store.path, store.url,
    /// NEWSDESK_STORE and NEWSDESK_STORE_URL; the password from the URL or PGPASSWORD).
    #[arg(long, global = true, value_name = "DIR|URL")]
    pub store: Option<PathBuf>,
    /// A PostgreSQL store, postgres://USER@HOST:PORT/DB (the same as --store URL).
    #[arg(long, global = true, value_name = "URL", conflicts_with = "store", value_parser = parse_store_url)]
    pub store_url: Option<PathBuf>,
    /// Show per-source and per-finding detail.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Only errors and the final result (for cron: warnings and retries go to -v and the log).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the bundled fixture day offline with the extractive provider (no key, no network).
    /// The day and its config are embedded in the binary, so this works from any directory.
    Demo {
        /// Where to write the digest (Markdown, HTML, JSON).
        #[arg(long, default_value = "out", value_name = "DIR")]
        out: PathBuf,
        /// The layout: daily, speedread or brief (default: the demo config's daily).
        #[arg(long, value_name = "L", value_parser = parse_layout)]
        layout: Option<Layout>,
        /// rw (default), replay (cache only, no network), refresh (ignore cached answers) or off.
        #[arg(long, value_name = "M", default_value = "rw", value_parser = parse_cache_mode)]
        cache_mode: CacheMode,
        /// The day as a real model wrote it: Qwen2.5-Coder-1.5B's recorded answers (5 topics,
        /// fixtures/cassettes), replayed offline — local repairs, re-asks and fallbacks included.
        #[arg(long, conflicts_with = "cache_mode")]
        cassette: bool,
        /// Print the run summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Build one day's digest from the configured sources, then deliver it to the [[deliver]]
    /// targets that want its event (a failed night: a short notice to `failed` targets).
    Run {
        /// The digest date, YYYY-MM-DD (default: today in digest.timezone).
        #[arg(long, value_name = "D")]
        date: Option<chrono::NaiveDate>,
        /// Where to write the digest (default: digest.out_dir).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Provider kind for this run: openai or extractive (default: provider.kind).
        #[arg(long, value_name = "P", value_parser = parse_provider)]
        provider: Option<ProviderKind>,
        /// rw (default), replay (cache only, no network), refresh (ignore cached answers) or off.
        #[arg(long, value_name = "M", default_value = "rw", value_parser = parse_cache_mode)]
        cache_mode: CacheMode,
        /// Stop making new LLM calls once this many USD are spent or reserved (a call reserves
        /// its worst case before it is sent); a non-negative number (default: limits.budget_usd).
        #[arg(long, value_name = "X", allow_negative_numbers = true, value_parser = parse_budget)]
        budget_usd: Option<f64>,
        /// The layout for this run: daily, speedread or brief (default: digest.layout);
        /// recorded in the run's manifest, so a replay renders it too.
        #[arg(long, value_name = "L", value_parser = parse_layout)]
        layout: Option<Layout>,
        /// Print the run summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Group articles into stories and print them.
    Cluster {
        /// Feed files, directories of feed files (or of one folder of them per day), or http(s) URLs
        /// (default: the configured sources).
        inputs: Vec<String>,
        /// Print {"stories": [{"id", "rank", "score", "articles": [{"url", "title", "outlet", "published_at"}]}]}, best first.
        #[arg(long)]
        json: bool,
        /// Say why articles were merged (similarity and shared terms).
        #[arg(long)]
        explain: bool,
        /// Score the stories against a gold file (JSON object: canonical url → story id):
        /// pairwise and B-cubed precision/recall/F1 and ARI, beside the all-singletons baseline.
        #[arg(long, value_name = "FILE")]
        gold: Option<PathBuf>,
    },
    /// Check a rendered digest (any layout, detected) for the defects a digest must never have;
    /// exit 1 on errors and on a file with no digest structure.
    Lint {
        /// The Markdown digest.
        file: PathBuf,
        /// The digest's layout: daily, speedread or brief (default: detected from the file).
        #[arg(long, value_name = "L", value_parser = parse_layout)]
        layout: Option<Layout>,
        #[arg(long)]
        json: bool,
    },
    /// Roll up a week of runs into 10-20 recurring themes, each a keyword card (observation, chain
    /// of reasoning, insight), plus an overview of the week.
    #[command(
        long_about = "Roll up one ISO week of runs from the store: the latest run of each day in the\n\
            week gives its cards; they are grouped into 10-20 recurring themes (fewer when the week\n\
            has few cards), each written up as a keyword card (核心观察 / 逻辑链条 / 本质洞见) by one\n\
            cached LLM call, plus one overview call. Writes <week>.md, <week>.html and <week>.json.\n\
            A second run of the same week answers from the cache and writes the same bytes."
    )]
    Weekly {
        /// The ISO week, YYYY-Www (default: the week of the latest run in the store).
        #[arg(long, value_name = "2026-W03")]
        week: Option<crate::weekly::IsoWeek>,
        /// Where to write the roll-up (default: digest.out_dir).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Provider kind: openai or extractive (default: provider.kind).
        #[arg(long, value_name = "P", value_parser = parse_provider)]
        provider: Option<ProviderKind>,
        /// rw (default), replay (cache only, no network), refresh or off.
        #[arg(long, value_name = "M", default_value = "rw", value_parser = parse_cache_mode)]
        cache_mode: CacheMode,
        /// Print the roll-up summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fetch every configured source and store its articles; per source: fetched or not
    /// modified (conditional GET), articles, new articles, skipped items and why, or why it
    /// failed. Exit 3 when more sources failed than collect.tolerate_failed_sources allows.
    Collect {
        /// The digest date whose window is counted, YYYY-MM-DD (default: today in
        /// digest.timezone).
        #[arg(long, value_name = "D")]
        date: Option<chrono::NaiveDate>,
        /// Print the per-source report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rebuild a recorded run's digest from the store alone: no network, no API key.
    #[command(
        long_about = "Rebuild a recorded run's digest from the store alone: the articles from the store, every\n\
        LLM call in cache mode replay, the manifest's timestamps. No network, no API key. Changed\n\
        templates re-render with zero calls; a changed prompt lists exactly the calls that are missing.\n\
        Exit 1 when a call is missing, or with --check when an output differs from the recorded hashes."
    )]
    Replay {
        /// The run id (`newsdesk runs list` shows them).
        run_id: String,
        /// Where to write the rebuilt digest (default: ./replay-RUN_ID).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Compare with the hashes the run recorded (and the files it wrote); exit 1 with a line diff on a mismatch.
        #[arg(long)]
        check: bool,
    },
    /// Send a recorded run's digest to the [[deliver]] targets (or show what would be sent).
    #[command(
        long_about = "Send a recorded run's digest to the [[deliver]] targets that want its event: published\n\
        (lint-clean, every topic carded), partial (failed topics or a missing insight) or failed (lint\n\
        errors: a short notice is sent, never the broken digest). The digest is read from the files the\n\
        run wrote. A target with a receipt for this run in the store is skipped unless --force, so a\n\
        rerun never sends twice. Retries 429, 5xx and timeouts with backoff; exit 3 when a target was\n\
        not reached. `newsdesk run` delivers by itself after writing the files; this command is for\n\
        resending, a new target, or checking the messages with --dry-run."
    )]
    Deliver {
        /// The run id (`newsdesk runs list` shows them).
        run_id: String,
        /// Only this target (its `name` in [[deliver]]).
        #[arg(long, value_name = "NAME")]
        target: Option<String>,
        /// Send again even where a receipt says it was sent.
        #[arg(long)]
        force: bool,
        /// Print the messages each target would get; send and record nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the per-target outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List, show or diff recorded runs.
    Runs {
        #[command(subcommand)]
        action: RunsCommand,
    },
    /// Cache statistics, garbage collection, export and import of JSONL cassettes.
    Cache {
        #[command(subcommand)]
        action: CacheCommand,
    },
    /// Move a whole store between backends (sled directory ↔ PostgreSQL).
    Store {
        #[command(subcommand)]
        action: StoreCommand,
    },
    /// Score prompt variants against eval suites, compare them with the blessed baseline
    /// (paired bootstrap CIs, McNemar) and fail on a supported regression.
    ///
    /// Exit 1 when a variant regresses against the baseline (95 % CI below zero and at least the
    /// suite's min_effect, or McNemar p < 0.05 on pass/fail) or a mean falls below a threshold.
    Eval {
        /// Suite file; repeat for several (default: every evals/*.toml).
        #[arg(long = "suite", value_name = "F")]
        suites: Vec<PathBuf>,
        /// Variant to run; repeat for several (default: every variant of the suite).
        #[arg(long = "variant", value_name = "V")]
        variants: Vec<String>,
        /// Independent samples per fixture (each repeat is its own cache entry).
        #[arg(long, value_name = "N", default_value_t = 1)]
        repeat: u32,
        /// Store this run's results as the variant's blessed results: evals/baselines/SUITE.jsonl
        /// for the suite's baseline variant, SUITE.VARIANT.jsonl for another (which variants
        /// naming it in `compare_with` are then compared with).
        #[arg(long)]
        bless: bool,
        /// Write SUITE.results.jsonl, SUITE.summary.md and SUITE.report.html here.
        #[arg(long, value_name = "DIR")]
        report: Option<PathBuf>,
        /// Print the comparisons as JSON instead of the table.
        #[arg(long)]
        json: bool,
        /// rw (default), replay (cache only), refresh (ignore cached answers) or off.
        #[arg(long, value_name = "M", default_value = "rw", value_parser = parse_cache_mode)]
        cache_mode: CacheMode,
    },
}

#[derive(Subcommand)]
pub enum RunsCommand {
    /// Recorded runs, newest first.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One run's manifest: inputs, prompts, calls, outputs (--json: the whole manifest).
    Show {
        run_id: String,
        #[arg(long)]
        json: bool,
    },
    /// What changed between two runs: articles, stories merged/split, prompts, cards.
    Diff {
        a: String,
        b: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum CacheCommand {
    /// Entries and bytes per tree, bytes on disk, hit rate of recent runs.
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Keep what recent runs reference and what is recent, then compact into a fresh store
    /// swapped in atomically.
    #[command(
        long_about = "Keep what recent runs reference and what is recent, then compact into a fresh store\n\
        swapped in atomically (a crash leaves the old store or the new one, never a mix). On a\n\
        PostgreSQL store the rest is deleted in one transaction while other runs go on, then VACUUM.\n\n\
        Kept: the manifests of the last K runs and of every run generated in the last T days, with\n\
        the calls and articles they name; every call stored in the last T days, whether a run names\n\
        it or not (calls of `eval` and `weekly` are in no run manifest: they stay cached for T days);\n\
        the http tree (feed validators) whole. Everything else is dropped. --keep-days 0 keeps only\n\
        what the kept runs reference."
    )]
    Gc {
        /// Keep the manifests, calls and articles of the last K runs.
        #[arg(long, value_name = "K", default_value_t = 14)]
        keep_runs: usize,
        /// Also keep every run generated and every call stored in the last T days (0: none).
        #[arg(long, value_name = "T", default_value_t = 30)]
        keep_days: u32,
        #[arg(long)]
        json: bool,
    },
    /// Write a JSONL cassette: named runs with their calls and articles, or every call of one
    /// namespace, or (with neither) the whole store — eval calls and failed nights included.
    Export {
        file: PathBuf,
        /// Only this run, its calls and articles (repeatable).
        #[arg(long = "run", value_name = "RUN_ID")]
        runs: Vec<String>,
        /// Only the calls of this namespace: card, insight, more, triage, judge, embed or weekly.
        #[arg(long, value_name = "NS", conflicts_with = "runs")]
        namespace: Option<String>,
    },
    /// Read a cassette; every key is checked against its content and a tampered file is refused.
    /// Entries the store already holds are kept as they are.
    Import { file: PathBuf },
}

impl RunsCommand {
    pub fn args(&self) -> RunsArgs {
        let (action, json) = match self {
            RunsCommand::List { json } => (RunsAction::List, *json),
            RunsCommand::Show { run_id, json } => (RunsAction::Show(run_id.clone()), *json),
            RunsCommand::Diff { a, b, json } => (RunsAction::Diff(a.clone(), b.clone()), *json),
        };
        RunsArgs { action, json }
    }
}

impl CacheCommand {
    /// The action and whether to print JSON.
    pub fn action(&self) -> (CacheAction, bool) {
        match self {
            CacheCommand::Stats { json } => (CacheAction::Stats, *json),
            CacheCommand::Gc {
                keep_runs,
                keep_days,
                json,
            } => (
                CacheAction::Gc {
                    keep_runs: *keep_runs,
                    keep_days: *keep_days,
                },
                *json,
            ),
            CacheCommand::Export {
                file,
                runs,
                namespace,
            } => (
                CacheAction::Export {
                    file: file.clone(),
                    runs: runs.clone(),
                    namespace: namespace.clone(),
                },
                false,
            ),
            CacheCommand::Import { file } => (CacheAction::Import { file: file.clone() }, false),
        }
    }
}

#[derive(Subcommand)]
pub enum StoreCommand {
    /// Copy every entry of one store into another through the cassette format (every line
    /// checked on the way in), e.g. a sled directory into a shared PostgreSQL database or back.
    #[command(
        long_about = "Copy every entry of one store into another through the cassette format: runs,\n\
        articles, calls (eval and weekly ones too) and feed validators. Every line is checked against\n\
        its content before anything is written, and entries already in the target are kept. The\n\
        source is only read. Each side is a directory (sled) or postgres://USER@HOST:PORT/DB; the\n\
        password comes from the URL or PGPASSWORD and is never printed.\n\n\
        Example: newsdesk store migrate --from .newsdesk/store --to postgres://newsdesk@db:5432/news"
    )]
    Migrate {
        /// The store to copy from (a directory or a postgres:// URL).
        #[arg(long, value_name = "DIR|URL")]
        from: PathBuf,
        /// The store to copy into (created when absent).
        #[arg(long, value_name = "DIR|URL")]
        to: PathBuf,
    },
}

impl Cli {
    /// The command line of this process, with `--store-url` folded into `--store`: one place
    /// decides where the store is.
    pub fn from_args() -> Cli {
        let mut cli = Cli::parse();
        if let Some(url) = cli.store_url.take() {
            cli.store = Some(url);
        }
        cli
    }

    pub fn verbosity(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (_, true) => Verbosity::Verbose,
            _ => Verbosity::Normal,
        }
    }

    /// `--config`, else `newsdesk.toml` in the working directory.
    pub fn config_path(&self) -> PathBuf {
        self.config
            .clone()
            .unwrap_or_else(|| PathBuf::from("newsdesk.toml"))
    }

    pub fn load_config(&self) -> Result<Config, ConfigError> {
        Config::load(&self.config_path(), &ProcessEnv)
    }

    /// The store a history command reads: --store, else the config's (store.url or store.path,
    /// or NEWSDESK_STORE_URL / NEWSDESK_STORE).
    pub fn store_location(&self) -> anyhow::Result<StoreLocation> {
        if let Some(arg) = &self.store {
            return store_arg(arg);
        }
        Ok(self.load_config()?.store.location())
    }
}

fn parse_store_url(s: &str) -> Result<PathBuf, String> {
    if crate::store::pg::is_pg_url(s) {
        Ok(PathBuf::from(s))
    } else {
        Err("expected postgres://USER@HOST:PORT/DB (for a directory use --store DIR)".into())
    }
}

fn parse_provider(s: &str) -> Result<ProviderKind, String> {
    ProviderKind::from_name(s)
        .ok_or_else(|| format!("\"{s}\" is not a provider (expected openai or extractive)"))
}

fn parse_layout(s: &str) -> Result<Layout, String> {
    Layout::from_name(s)
        .ok_or_else(|| format!("\"{s}\" is not a layout (expected daily, speedread or brief)"))
}

/// `--budget-usd`: a finite, non-negative number of USD. (`-1` reaches here as a value, so it
/// is refused with this message instead of clap's "unexpected argument".)
fn parse_budget(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        Ok(x) => Err(format!(
            "{x} is not a budget: it must be a non-negative number of USD, e.g. 0.5"
        )),
        Err(_) => Err(format!("\"{s}\" is not a number of USD (e.g. 0.5)")),
    }
}

fn parse_cache_mode(s: &str) -> Result<CacheMode, String> {
    s.parse()
}
