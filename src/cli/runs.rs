//! `newsdesk runs list | show RUN_ID | diff A B`: the recorded manifests. In: a store; out: one
//! line per run, a run's manifest (with its delivery receipts), or what changed between two.

use serde::Serialize;

use super::*;
use crate::report::Reporter;
use crate::run::manifest::{RunDiff, RunManifest};
use crate::store::StoreLocation;

/// One line of `runs list --json`.
#[derive(Serialize)]
struct RunLine<'a> {
    run_id: &'a str,
    date: chrono::NaiveDate,
    generated_at: &'a str,
    provider: String,
    model: &'a str,
    topics: usize,
    cards: usize,
    failed: usize,
    calls: usize,
    cache_hits: usize,
}

fn run_line(m: &RunManifest) -> RunLine<'_> {
    RunLine {
        run_id: &m.run_id,
        date: m.date,
        generated_at: &m.generated_at,
        provider: m.provider.to_string(),
        model: &m.model,
        topics: m.topics.len(),
        cards: m.cards.len(),
        failed: m.failed.len(),
        calls: m.calls.len(),
        cache_hits: m.calls.iter().filter(|c| c.call.cached).count(),
    }
}

/// `newsdesk runs list | show RUN_ID | diff A B`.
pub fn runs(
    location: &StoreLocation,
    args: &RunsArgs,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    let store = location.open()?;
    let store = store.as_ref();
    match &args.action {
        RunsAction::List => {
            let runs = RunManifest::list(store)?;
            if args.json {
                let lines: Vec<RunLine> = runs.iter().map(run_line).collect();
                reporter.output(&serde_json::to_string_pretty(&lines)?);
            } else if runs.is_empty() {
                reporter.output("no runs recorded in this store\n");
            } else {
                let mut out = String::new();
                for m in &runs {
                    let l = run_line(m);
                    out.push_str(&format!(
                        "{}  {}  {} card(s), {} failed, {} call(s) ({} from cache)  {} {}\n",
                        l.run_id,
                        l.generated_at,
                        l.cards,
                        l.failed,
                        l.calls,
                        l.cache_hits,
                        l.provider,
                        l.model
                    ));
                }
                reporter.output(&out);
            }
        }
        RunsAction::Show(id) => {
            let m = RunManifest::load(store, id)?;
            let receipts = crate::deliver::receipt::Receipt::for_run(store, id)?;
            if args.json {
                let mut value = serde_json::to_value(&m)?;
                if !receipts.is_empty() {
                    value["deliveries"] = serde_json::to_value(&receipts)?;
                }
                reporter.output(&serde_json::to_string_pretty(&value)?);
            } else {
                let l = run_line(&m);
                let mut out = format!(
                    "run {} — digest {} ({})\n  generated {} with {} {} (config {})\n  {} article(s), {} stories, {} topics → {} card(s), {} failed\n  {} call(s), {} from cache\n",
                    m.run_id,
                    m.date,
                    m.digest_time,
                    m.generated_at,
                    l.provider,
                    m.model,
                    m.config_hash,
                    m.articles.len(),
                    m.stories.len(),
                    l.topics,
                    l.cards,
                    l.failed,
                    l.calls,
                    l.cache_hits
                );
                for (name, hash) in m.prompt_hashes.iter().chain(&m.template_hashes) {
                    out.push_str(&format!("  {name} {}\n", &hash[..12.min(hash.len())]));
                }
                for o in &m.outputs {
                    out.push_str(&format!(
                        "  wrote {} ({})\n",
                        o.path.display(),
                        &o.blake3[..12]
                    ));
                }
                for receipt in &receipts {
                    out.push_str(&format!("  delivery {}\n", receipt.render()));
                }
                reporter.output(&out);
            }
        }
        RunsAction::Diff(a, b) => {
            let (a, b) = (RunManifest::load(store, a)?, RunManifest::load(store, b)?);
            let diff = RunDiff::between(&a, &b);
            if args.json {
                reporter.output(&serde_json::to_string_pretty(&diff)?);
            } else {
                reporter.output(&diff.render());
            }
        }
    }
    Ok(Exit::Ok)
}

pub struct RunsArgs {
    pub action: RunsAction,
    pub json: bool,
}

pub enum RunsAction {
    List,
    Show(String),
    Diff(String, String),
}
