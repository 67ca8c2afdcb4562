//! The `newsdesk` command line: parse arguments, load the config, call one command, map the
//! outcome to an exit code (0 ok · 1 error · 2 usage/config · 3 partial). Nothing else lives here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use newsdesk::clock::SystemClock;
use newsdesk::commands::{self, Exit, RunArgs};
use newsdesk::config::{Config, ConfigError, ProcessEnv, ProviderKind};
use newsdesk::history::{self, CacheAction, RunsAction, RunsArgs};
use newsdesk::llm::cached::CacheMode;
use newsdesk::report::{Reporter, Verbosity};
use newsdesk::store::StoreError;

#[derive(Parser)]
#[command(
    name = "newsdesk",
    version,
    about = "Turns a day of AI-news articles into an editor-quality daily digest.",
    long_about = "Turns a day of AI-news articles into an editor-quality daily digest:\n\
        collect feeds → dedupe → cluster into stories → one LLM card per topic → editor insight →\n\
        Markdown. Every LLM call is cached in the store, so a second run of the same day makes no\n\
        provider calls.\n\n\
        Exit codes: 0 ok · 1 error (or lint errors) · 2 usage or config error · 3 partial (some\n\
        topics failed; the digest was still written).",
    after_help = "Start with `newsdesk demo` (offline, no key). For real use copy newsdesk.example.toml to newsdesk.toml."
)]
struct Cli {
    /// Config file.
    #[arg(
        long,
        global = true,
        default_value = "newsdesk.toml",
        value_name = "FILE"
    )]
    config: PathBuf,
    /// Store directory (overrides store.path and NEWSDESK_STORE).
    #[arg(long, global = true, value_name = "DIR")]
    store: Option<PathBuf>,
    /// Show per-source and per-finding detail.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    verbose: bool,
    /// Only warnings and the final result.
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bundled fixture day offline with the extractive provider (no key, no network).
    Demo {
        /// Where to write the digest.
        #[arg(long, default_value = "out", value_name = "DIR")]
        out: PathBuf,
        /// rw (default), replay (cache only, no network), refresh (ignore cached answers) or off.
        #[arg(long, value_name = "M", default_value = "rw", value_parser = parse_cache_mode)]
        cache_mode: CacheMode,
        /// Print the run summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Build one day's digest from the configured sources.
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
        /// Stop making new LLM calls once this many USD are spent (default: limits.budget_usd).
        #[arg(long, value_name = "X")]
        budget_usd: Option<f64>,
        /// Print the run summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Group articles into stories and print them.
    Cluster {
        /// Feed files, directories of feed files, or http(s) URLs (default: the configured sources).
        inputs: Vec<String>,
        /// Print {"stories": [{"id", "articles": [{"url", "title"}]}]}.
        #[arg(long)]
        json: bool,
        /// Say why articles were merged (similarity and shared terms).
        #[arg(long)]
        explain: bool,
    },
    /// Check a rendered digest for the defects a digest must never have.
    Lint {
        /// The Markdown digest.
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// (not yet available) Fetch and store articles; per-source counts and errors.
    Collect {
        #[arg(long)]
        date: Option<String>,
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
    /// (not yet available) Run prompt variants against eval suites and compare them.
    Eval {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

#[derive(Subcommand)]
enum RunsCommand {
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
enum CacheCommand {
    /// Entries and bytes per tree, bytes on disk, hit rate of recent runs.
    Stats {
        #[arg(long)]
        json: bool,
    },
    /// Keep only what recent runs reference, then compact into a fresh store swapped in atomically.
    Gc {
        /// Keep the calls and articles of the last K runs.
        #[arg(long, value_name = "K", default_value_t = 14)]
        keep_runs: usize,
        /// Also keep those of every run generated in the last T days.
        #[arg(long, value_name = "T", default_value_t = 30)]
        keep_days: u32,
        #[arg(long)]
        json: bool,
    },
    /// Write runs with their calls and articles as a JSONL cassette (default: every run).
    Export {
        file: PathBuf,
        /// Only this run (repeatable).
        #[arg(long = "run", value_name = "RUN_ID")]
        runs: Vec<String>,
    },
    /// Read a cassette; every key is checked against its content and a tampered file is refused.
    Import { file: PathBuf },
}

/// The store a history command reads: --store, else the config's store.path (NEWSDESK_STORE).
fn store_path(cli: &Cli) -> anyhow::Result<PathBuf> {
    if let Some(dir) = &cli.store {
        return Ok(dir.clone());
    }
    Ok(load_config(cli)?.store.path)
}

fn parse_provider(s: &str) -> Result<ProviderKind, String> {
    match s {
        "openai" => Ok(ProviderKind::OpenAi),
        "extractive" => Ok(ProviderKind::Extractive),
        other => Err(format!(
            "\"{other}\" is not a provider (expected openai or extractive)"
        )),
    }
}

fn parse_cache_mode(s: &str) -> Result<CacheMode, String> {
    s.parse()
}

fn load_config(cli: &Cli) -> Result<Config, ConfigError> {
    Config::load(&cli.config, &ProcessEnv)
}

async fn dispatch(cli: Cli, reporter: &Reporter) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Demo {
            out,
            cache_mode,
            json,
        } => commands::demo(out, cli.store.as_deref(), *cache_mode, reporter, *json).await,
        Command::Run {
            date,
            out,
            provider,
            cache_mode,
            budget_usd,
            json,
        } => {
            let config = load_config(&cli)?;
            let args = RunArgs {
                date: *date,
                out_dir: out.clone(),
                provider: *provider,
                cache_mode: *cache_mode,
                budget_usd: *budget_usd,
                json: *json,
            };
            commands::run(&config, cli.store.as_deref(), args, reporter).await
        }
        Command::Cluster {
            inputs,
            json,
            explain,
        } => {
            let config = if inputs.is_empty() {
                Some(load_config(&cli)?)
            } else {
                None
            };
            commands::cluster(inputs, config.as_ref(), *json, *explain, reporter).await
        }
        Command::Lint { file, json } => commands::lint(file, *json, reporter),
        Command::Replay { run_id, out, check } => {
            history::replay(&store_path(&cli)?, run_id, out.as_deref(), *check, reporter).await
        }
        Command::Runs { action } => {
            let (action, json) = match action {
                RunsCommand::List { json } => (RunsAction::List, *json),
                RunsCommand::Show { run_id, json } => (RunsAction::Show(run_id.clone()), *json),
                RunsCommand::Diff { a, b, json } => (RunsAction::Diff(a.clone(), b.clone()), *json),
            };
            history::runs(&store_path(&cli)?, &RunsArgs { action, json }, reporter)
        }
        Command::Cache { action } => {
            let (action, json) = match action {
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
                CacheCommand::Export { file, runs } => (
                    CacheAction::Export {
                        file: file.clone(),
                        runs: runs.clone(),
                    },
                    false,
                ),
                CacheCommand::Import { file } => {
                    (CacheAction::Import { file: file.clone() }, false)
                }
            };
            history::cache(&store_path(&cli)?, &action, json, &SystemClock, reporter)
        }
        Command::Collect { .. } | Command::Eval { .. } => {
            eprintln!(
                "newsdesk: this command is not yet available in this version (see `newsdesk --help`)"
            );
            Ok(Exit::Usage)
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let verbosity = match (cli.quiet, cli.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    let reporter = Reporter::new(verbosity);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("newsdesk: cannot start the async runtime: {e}");
            return ExitCode::from(Exit::Error as u8);
        }
    };
    match runtime.block_on(dispatch(cli, &reporter)) {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(err) => {
            eprintln!("newsdesk: error: {err:#}");
            // A locked store or a store path that is a file is the operator's to fix, like a
            // bad config: exit 2, so cron wrappers can tell it from a failed night.
            let usage = err.downcast_ref::<ConfigError>().is_some()
                || matches!(
                    err.downcast_ref::<StoreError>(),
                    Some(StoreError::Locked { .. } | StoreError::NotADirectory { .. })
                );
            ExitCode::from(if usage { Exit::Usage } else { Exit::Error } as u8)
        }
    }
}
