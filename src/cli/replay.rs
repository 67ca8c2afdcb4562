//! `newsdesk replay RUN_ID`: a recorded night rebuilt from the store alone (DESIGN §7). In: a
//! store and a run id; out: the digest files again, and with `--check` a line diff of every
//! output that differs from the recorded hashes. Nothing here calls a provider.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};

use super::*;
use crate::clock::{Clock, FixedClock};
use crate::config::Config;
use crate::llm::cached::CacheMode;
use crate::model::Article;
use crate::report::Reporter;
use crate::run::manifest::{self, OutputFile, RunManifest};
use crate::run::{self, ReplayInput, RunOptions};
use crate::store::{Store, StoreLocation, Tree};

/// `newsdesk replay RUN_ID`: the recorded night again, from the store alone, with cache mode
/// `replay` and the manifest's timestamps. Exit 1 when a call is missing, or with `--check`
/// when an output differs from the recorded hashes (with a line diff).
pub async fn replay(
    location: &StoreLocation,
    run_id: &str,
    out: Option<&Path>,
    check: bool,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    let store: Arc<dyn Store> = location.open()?;
    let recorded = RunManifest::load(store.as_ref(), run_id)?;
    let articles = load_articles(store.as_ref(), &recorded)?;
    let config = Config::parse_recorded(
        &recorded.config.text,
        recorded.config.file.as_deref(),
        &recorded.config.env,
    )
    .with_context(|| format!("run {run_id}'s recorded config no longer parses"))?;
    let generated_at = chrono::DateTime::parse_from_rfc3339(&recorded.generated_at)
        .with_context(|| format!("run {run_id}'s manifest has a bad generated_at"))?
        .with_timezone(&chrono::Utc);
    let out_dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("replay-{run_id}")));
    let opts = RunOptions {
        date: recorded.date,
        out_dir,
        cache_mode: CacheMode::Replay,
        provider: Some(recorded.provider_kind),
        budget_usd: Some(recorded.budget_usd),
        recorded_config: recorded.config.clone(),
        replay: Some(ReplayInput {
            run_id: run_id.to_string(),
            articles,
            provider: recorded.provider.clone(),
            memory: recorded.memory.clone(),
            recorded_out_dir: recorded
                .outputs
                .first()
                .and_then(|o| o.path.parent())
                .map(Path::to_path_buf),
        }),
    };
    let clock: Arc<dyn Clock> = Arc::new(FixedClock(generated_at));
    let (summary, replayed) =
        run::run_pipeline(&config, store.clone(), clock, reporter, &opts).await?;

    let mut problems = 0;
    let mut out = format!(
        "replay of {run_id}: {} call(s) answered from the store, {} provider call(s)\n",
        summary.cache_hits, summary.provider_calls
    );
    let missing: Vec<String> = summary
        .failed
        .iter()
        .map(|f| format!("  - topic {}: {}", f.topic_id, f.reason))
        .chain(
            summary
                .insight_error
                .iter()
                .map(|e| format!("  - insight: {e}")),
        )
        .collect();
    if !missing.is_empty() {
        problems += missing.len();
        out.push_str(&format!(
            "{} call(s) missing from the store (a prompt or the config changed since the run?):\n{}\n",
            missing.len(),
            missing.join("\n")
        ));
    }
    for (was, now) in recorded.outputs.iter().zip(&replayed.outputs) {
        problems += compare_output(was, now, check, &mut out);
    }
    out.push_str(&format!("  written to {}\n", opts.out_dir.display()));
    reporter.output(&out);
    Ok(if problems > 0 { Exit::Error } else { Exit::Ok })
}

/// One recorded output against its replay: a line in `out`, with a line diff where `check`
/// finds a difference (or the file on disk changed after the run). Returns the problems found.
fn compare_output(was: &OutputFile, now: &OutputFile, check: bool, out: &mut String) -> usize {
    let mut problems = 0;
    let name = was.path.file_name().unwrap_or_default().to_string_lossy();
    let replayed_text = std::fs::read_to_string(&now.path).unwrap_or_default();
    if was.blake3 == now.blake3 {
        out.push_str(&format!("  {name}: identical to the recorded output\n"));
    } else {
        out.push_str(&format!(
            "  {name}: differs from the recorded output ({} → {})\n",
            &was.blake3[..12],
            &now.blake3[..12]
        ));
        if check {
            problems += 1;
            if let Ok(on_disk) = std::fs::read_to_string(&was.path) {
                out.push_str(&line_diff(&on_disk, &replayed_text, &was.path, &now.path));
            }
        }
    }
    if check {
        match std::fs::read(&was.path) {
            Ok(bytes) if blake3::hash(&bytes).to_hex().as_str() != was.blake3 => {
                problems += 1;
                out.push_str(&format!(
                    "  {} was changed after the run (its hash no longer matches the manifest):\n",
                    was.path.display()
                ));
                out.push_str(&line_diff(
                    &String::from_utf8_lossy(&bytes),
                    &replayed_text,
                    &was.path,
                    &now.path,
                ));
            }
            Ok(_) => {}
            Err(_) => out.push_str(&format!(
                "  {} is gone; compared with the recorded hash only\n",
                was.path.display()
            )),
        }
    }
    problems
}

/// The run's articles from the `articles` tree, each checked against its recorded hash.
fn load_articles(store: &dyn Store, recorded: &RunManifest) -> anyhow::Result<Vec<Article>> {
    recorded
        .articles
        .iter()
        .map(|r| {
            let bytes = store
                .get(Tree::Articles, r.blake3.as_bytes())?
                .with_context(|| {
                    format!(
                        "article {} of run {} is not in the store (was it collected by `cache gc`?)",
                        r.id, recorded.run_id
                    )
                })?;
            let article: Article = serde_json::from_slice(&bytes)
                .with_context(|| format!("article {} in the store cannot be read", r.id))?;
            if manifest::article_hash(&article) != r.blake3 {
                bail!("article {} in the store does not match run {}'s record", r.id, recorded.run_id);
            }
            Ok(article)
        })
        .collect()
}

/// The lines that differ, numbered, at most 20 (enough to see what changed).
fn line_diff(recorded: &str, replayed: &str, recorded_path: &Path, replayed_path: &Path) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (recorded.lines().collect(), replayed.lines().collect());
    let mut out = format!(
        "    --- {} (on disk)\n    +++ {} (replayed)\n",
        recorded_path.display(),
        replayed_path.display()
    );
    let mut shown = 0;
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i), b.get(i));
        if x == y {
            continue;
        }
        if shown == 20 {
            out.push_str("    … (more differences)\n");
            break;
        }
        shown += 1;
        if let Some(x) = x {
            out.push_str(&format!("    -{:>5}: {x}\n", i + 1));
        }
        if let Some(y) = y {
            out.push_str(&format!("    +{:>5}: {y}\n", i + 1));
        }
    }
    out
}
