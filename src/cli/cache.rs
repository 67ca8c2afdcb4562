//! `newsdesk cache stats | gc | export FILE | import FILE`: what the store holds, garbage
//! collection by `run::keep::Keep`, and nights moved between machines as cassettes
//! (`run::cassette`). In: a store; out: counts and files.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use super::*;
use crate::clock::Clock;
use crate::report::Reporter;
use crate::run::cassette::{ExportScope, export, import};
use crate::run::keep::collect_garbage;
use crate::run::manifest::RunManifest;
use crate::store::{self, SledStore, Store, StoreLocation, Tree};

pub enum CacheAction {
    Stats,
    Gc {
        keep_runs: usize,
        keep_days: u32,
    },
    Export {
        file: PathBuf,
        runs: Vec<String>,
        namespace: Option<String>,
    },
    Import {
        file: PathBuf,
    },
}

/// Per-tree counts for `cache stats`.
#[derive(Debug, Serialize)]
pub struct TreeStats {
    pub tree: &'static str,
    pub entries: usize,
    /// Keys plus values: what the store holds live.
    pub bytes: u64,
}

#[derive(Debug, Serialize)]
pub struct CacheStats {
    pub trees: Vec<TreeStats>,
    pub live_bytes: u64,
    pub disk_bytes: u64,
    /// Share of calls answered from the cache over the most recent runs (up to 10).
    pub recent_hit_rate: Option<f64>,
    pub recent_runs: usize,
}

/// What the store holds; `disk_bytes` is what its files or table take (`disk_bytes`).
pub fn stats(store: &dyn Store, disk_bytes: u64) -> anyhow::Result<CacheStats> {
    let mut trees = Vec::new();
    for tree in Tree::ALL {
        let entries = store.scan(tree, b"")?;
        trees.push(TreeStats {
            tree: tree.name(),
            entries: entries.len(),
            bytes: entries
                .iter()
                .map(|(k, v)| (k.len() + v.len()) as u64)
                .sum(),
        });
    }
    let runs = RunManifest::list(store)?;
    let recent = &runs[..runs.len().min(10)];
    let calls: usize = recent.iter().map(|m| m.calls.len()).sum();
    let hits: usize = recent
        .iter()
        .map(|m| m.calls.iter().filter(|c| c.call.cached).count())
        .sum();
    Ok(CacheStats {
        live_bytes: trees.iter().map(|t| t.bytes).sum(),
        trees,
        disk_bytes,
        recent_hit_rate: (calls > 0).then(|| hits as f64 / calls as f64),
        recent_runs: recent.len(),
    })
}

/// `newsdesk cache stats | gc | export FILE | import FILE`.
pub fn cache(
    location: &StoreLocation,
    action: &CacheAction,
    json: bool,
    clock: &dyn Clock,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    match action {
        CacheAction::Stats => {
            let stats = open_with_stats(location)?.1;
            if json {
                reporter.output(&serde_json::to_string_pretty(&stats)?);
            } else {
                reporter.output(&stats.render());
            }
        }
        CacheAction::Gc {
            keep_runs,
            keep_days,
        } => gc(location, *keep_runs, *keep_days, json, clock, reporter)?,
        CacheAction::Export {
            file,
            runs,
            namespace,
        } => {
            let count = export_cassette(location, file, runs, namespace.as_deref())?;
            reporter.output(&format!(
                "exported {count} entr(ies) to {}\n",
                file.display()
            ));
        }
        CacheAction::Import { file } => {
            let count = import(location.open()?.as_ref(), file)?;
            reporter.output(&format!(
                "imported {count} entr(ies) from {}\n",
                file.display()
            ));
        }
    }
    Ok(Exit::Ok)
}

impl CacheStats {
    /// The stats as a person reads them: one line per tree, the bytes, the recent hit rate.
    fn render(&self) -> String {
        let mut out = String::new();
        for t in &self.trees {
            out.push_str(&format!(
                "{:<9} {:>7} entries {:>12} bytes\n",
                t.tree, t.entries, t.bytes
            ));
        }
        out.push_str(&format!(
            "live {} bytes, on disk {} bytes\n",
            self.live_bytes, self.disk_bytes
        ));
        match self.recent_hit_rate {
            Some(rate) => out.push_str(&format!(
                "hit rate over the last {} run(s): {:.0} %\n",
                self.recent_runs,
                rate * 100.0
            )),
            None => out.push_str("no runs recorded yet\n"),
        }
        out
    }
}

/// `cache gc`: collect, then report what was kept and the bytes before and after.
fn gc(
    location: &StoreLocation,
    keep_runs: usize,
    keep_days: u32,
    json: bool,
    clock: &dyn Clock,
    reporter: &Reporter,
) -> anyhow::Result<()> {
    let (keep, before, after) = collect_garbage(location, keep_runs, keep_days, clock)?;
    let (_, stats) = open_with_stats(location)?;
    let live: u64 = stats.live_bytes;
    let calls_kept = stats
        .trees
        .iter()
        .find(|t| t.tree == "llm")
        .map_or(0, |t| t.entries);
    let msg = serde_json::json!({
        "runs_kept": keep.kept_runs(), "calls_kept": calls_kept,
        "calls_referenced": keep.referenced_calls(),
        "articles_kept": keep.kept_articles(),
        "disk_bytes_before": before, "disk_bytes_after": after, "live_bytes": live,
    });
    if json {
        reporter.output(&serde_json::to_string_pretty(&msg)?);
    } else {
        reporter.output(&format!(
            "kept {} run(s), {calls_kept} call(s) ({} referenced by them), {} article(s); on disk {before} → {after} bytes ({live} live)\n",
            keep.kept_runs(),
            keep.referenced_calls(),
            keep.kept_articles()
        ));
    }
    Ok(())
}

/// `cache export`: the named runs, one namespace's calls, or the whole store; the entry count.
fn export_cassette(
    location: &StoreLocation,
    file: &std::path::Path,
    runs: &[String],
    namespace: Option<&str>,
) -> anyhow::Result<usize> {
    if let Some(ns) = namespace
        && crate::llm::Namespace::from_name(ns).is_none()
    {
        let names: Vec<&str> = crate::llm::Namespace::ALL
            .iter()
            .map(|n| n.as_str())
            .collect();
        anyhow::bail!(
            "--namespace {ns} is not a namespace (expected one of: {})",
            names.join(", ")
        );
    }
    let store = location.open()?;
    export(store.as_ref(), file, &ExportScope::new(runs, namespace))
}

/// The open store and its stats (disk bytes: the sled directory, or the PostgreSQL table).
fn open_with_stats(location: &StoreLocation) -> anyhow::Result<(Arc<dyn Store>, CacheStats)> {
    let (store, disk_bytes): (Arc<dyn Store>, u64) = match location {
        StoreLocation::Dir(path) => (Arc::new(SledStore::open(path)?), store::dir_size(path)),
        StoreLocation::Postgres(url) => {
            let store = store::pg::PgStore::open(url)?;
            let bytes = store.size_on_disk()?;
            (Arc::new(store), bytes)
        }
    };
    let stats = stats(store.as_ref(), disk_bytes)?;
    Ok((store, stats))
}
