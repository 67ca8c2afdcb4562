//! The `newsdesk` command line: parse arguments, load the config, call one command, map the
//! outcome to an exit code (0 ok · 1 error · 2 usage/config · 3 partial). Nothing else lives here.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use newsdesk::commands::{self, Exit, RunArgs};
use newsdesk::config::{Config, ConfigError, ProcessEnv, ProviderKind};
use newsdesk::llm::cached::CacheMode;
use newsdesk::report::{Reporter, Verbosity};

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
    /// Roll up a week of runs into 10-20 recurring themes with keyword cards (seed 002 shape).
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
        week: Option<newsdesk::weekly::IsoWeek>,
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
    /// (not yet available) Fetch and store articles; per-source counts and errors.
    Collect {
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// (not yet available) Rebuild a past digest byte for byte from the store.
    Replay {
        run_id: String,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        check: bool,
    },
    /// (not yet available) List, show or diff past runs.
    Runs {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// (not yet available) Cache statistics, garbage collection, export and import.
    Cache {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// (not yet available) Run prompt variants against eval suites and compare them.
    Eval {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
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
        Command::Demo { out, json } => {
            commands::demo(out, cli.store.as_deref(), reporter, *json).await
        }
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
        Command::Weekly {
            week,
            out,
            provider,
            cache_mode,
            json,
        } => {
            let config = load_config(&cli)?;
            let args = commands::WeeklyArgs {
                week: *week,
                out_dir: out.clone(),
                provider: *provider,
                cache_mode: *cache_mode,
                json: *json,
            };
            commands::weekly(&config, cli.store.as_deref(), args, reporter).await
        }
        Command::Collect { .. }
        | Command::Replay { .. }
        | Command::Runs { .. }
        | Command::Cache { .. }
        | Command::Eval { .. } => {
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
            let usage = err.downcast_ref::<ConfigError>().is_some();
            ExitCode::from(if usage { Exit::Usage } else { Exit::Error } as u8)
        }
    }
}
