//! The `newsdesk` command line: parse arguments, load the config, call one command, map the
//! outcome to an exit code (0 ok · 1 error · 2 usage/config · 3 partial). Nothing else lives here:
//! the arguments are defined in `cli::args`, the commands in `cli/`.

use std::process::ExitCode;

use newsdesk::cli::{self, Cli, Command, Exit, RunArgs, StoreCommand};
use newsdesk::clock::SystemClock;
use newsdesk::config::ConfigError;
use newsdesk::report::{Reporter, Verbosity};
use newsdesk::store::StoreError;

/// The commands that read their own inputs (the embedded demo, feed files, a digest, the store).
async fn dispatch(cli: Cli, reporter: &Reporter) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Demo {
            out,
            layout,
            cache_mode,
            cassette,
            json,
        } => {
            if cli.config.is_some() {
                eprintln!(
                    "newsdesk: demo runs its embedded config and day; drop --config (use `newsdesk run --config FILE` for your own)"
                );
                return Ok(Exit::Usage);
            }
            cli::demo(
                out,
                cli.store.as_deref(),
                *layout,
                *cache_mode,
                *cassette,
                reporter,
                *json,
            )
            .await
        }
        Command::Cluster {
            inputs,
            json,
            explain,
            gold,
        } => {
            let config = if inputs.is_empty() {
                Some(cli.load_config()?)
            } else {
                None
            };
            cli::cluster(
                inputs,
                config.as_ref(),
                &cli::ClusterOptions {
                    json: *json,
                    explain: *explain,
                    gold: gold.clone(),
                },
                reporter,
            )
            .await
        }
        Command::Lint { file, layout, json } => cli::lint(file, *layout, *json, reporter),
        Command::Replay { run_id, out, check } => {
            cli::replay(
                &cli.store_location()?,
                run_id,
                out.as_deref(),
                *check,
                reporter,
            )
            .await
        }
        Command::Runs { action } => cli::runs(&cli.store_location()?, &action.args(), reporter),
        Command::Cache { action } => {
            let (action, json) = action.action();
            cli::cache(
                &cli.store_location()?,
                &action,
                json,
                &SystemClock,
                reporter,
            )
        }
        Command::Store {
            action: StoreCommand::Migrate { from, to },
        } => cli::migrate(&cli::store_arg(from)?, &cli::store_arg(to)?, reporter),
        _ => dispatch_configured(&cli, reporter).await,
    }
}

/// The commands that work from the config file (`--config`, default newsdesk.toml).
async fn dispatch_configured(cli: &Cli, reporter: &Reporter) -> anyhow::Result<Exit> {
    match &cli.command {
        Command::Run {
            date,
            out,
            provider,
            cache_mode,
            budget_usd,
            layout,
            json,
        } => {
            let config = cli.load_config()?;
            let args = RunArgs {
                layout: *layout,
                date: *date,
                out_dir: out.clone(),
                provider: *provider,
                cache_mode: *cache_mode,
                budget_usd: *budget_usd,
                json: *json,
            };
            cli::run(&config, cli.store.as_deref(), args, reporter).await
        }
        Command::Weekly {
            week,
            out,
            provider,
            cache_mode,
            json,
        } => {
            let config = cli.load_config()?;
            let args = cli::WeeklyArgs {
                week: *week,
                out_dir: out.clone(),
                provider: *provider,
                cache_mode: *cache_mode,
                json: *json,
            };
            cli::weekly(&config, cli.store.as_deref(), args, reporter).await
        }
        Command::Collect { date, json } => {
            let config = cli.load_config()?;
            cli::collect(&config, cli.store.as_deref(), *date, *json, reporter).await
        }
        Command::Eval {
            suites,
            variants,
            repeat,
            bless,
            report,
            json,
            cache_mode,
        } => {
            let args = newsdesk::eval::EvalArgs {
                suites: suites.clone(),
                variants: variants.clone(),
                repeat: *repeat,
                bless: *bless,
                report_dir: report.clone(),
                json: *json,
                cache_mode: *cache_mode,
            };
            cli::eval(&cli.config_path(), cli.store.as_deref(), args, reporter).await
        }
        Command::Deliver {
            run_id,
            target,
            force,
            dry_run,
            json,
        } => {
            let config = cli.load_config()?;
            let args = cli::DeliverArgs {
                run_id: run_id.clone(),
                target: target.clone(),
                force: *force,
                dry_run: *dry_run,
                json: *json,
            };
            cli::deliver(&config, cli.store.as_deref(), args, reporter).await
        }
        _ => unreachable!("dispatch handles the commands without a config"),
    }
}

fn main() -> ExitCode {
    let cli = Cli::from_args();
    let verbosity = cli.verbosity();
    // RUST_LOG wins; otherwise -q logs errors only, -v adds info (each retried call).
    let default_log = match verbosity {
        Verbosity::Quiet => "error",
        Verbosity::Verbose => "info",
        _ => "warn",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_log)),
        )
        .init();
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
            // A locked store, a digest another process is writing, a database schema from a
            // newer newsdesk or a store path that is a file is the operator's to fix, like a
            // bad config: exit 2, so cron wrappers can tell it from a failed night.
            let usage = err.downcast_ref::<ConfigError>().is_some()
                || matches!(
                    err.downcast_ref::<StoreError>(),
                    Some(
                        StoreError::Locked { .. }
                            | StoreError::RunLocked { .. }
                            | StoreError::SchemaTooNew { .. }
                            | StoreError::NotADirectory { .. }
                    )
                );
            ExitCode::from(if usage { Exit::Usage } else { Exit::Error } as u8)
        }
    }
}
