//! `newsdesk deliver RUN_ID`: a recorded run's digest (or failure notice) to the configured
//! targets.

use std::path::Path;

use super::*;
use crate::clock::SystemClock;
use crate::config::Config;
use crate::report::Reporter;

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
