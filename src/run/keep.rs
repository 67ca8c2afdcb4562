//! What a store keeps of its past: the runs to retain and everything they reference (`Keep`),
//! and garbage collection on either backend. In: the recorded manifests and the retention
//! settings; out: a yes or no per store entry, and a smaller store.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::clock::Clock;
use crate::run::manifest::RunManifest;
use crate::store::{self, SledStore, StoreLocation, Tree};

/// What `cache gc` keeps: the manifests of the last `keep_runs` runs and of runs generated in
/// the last `keep_days` days, and the calls and articles they name; and every call stored in
/// the last `keep_days` days, referenced or not. Calls made outside a run (`eval` samples, the
/// `weekly` roll-up) are in no manifest, so the age rule is what keeps them: an eval rerun or
/// a weekly roll-up within T days of its calls still answers from the cache, and
/// `--keep-days 0` keeps only what the kept runs reference. The `http` tree (feed validators)
/// is kept whole; it is small and not tied to a run.
pub struct Keep {
    runs: BTreeSet<Vec<u8>>,
    calls: BTreeSet<Vec<u8>>,
    articles: BTreeSet<Vec<u8>>,
    /// Calls stored at or after this time are kept whatever references them.
    calls_since: Option<chrono::DateTime<chrono::Utc>>,
}

impl Keep {
    pub fn from_runs(
        runs: &[RunManifest],
        keep_runs: usize,
        keep_days: u32,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Keep {
        let horizon = now - chrono::Duration::days(i64::from(keep_days));
        let kept = runs.iter().enumerate().filter(|(i, m)| {
            *i < keep_runs
                || chrono::DateTime::parse_from_rfc3339(&m.generated_at).is_ok_and(|t| t >= horizon)
        });
        let mut keep = Keep {
            runs: BTreeSet::new(),
            calls: BTreeSet::new(),
            articles: BTreeSet::new(),
            calls_since: (keep_days > 0).then_some(horizon),
        };
        for (_, m) in kept {
            keep.runs.insert(m.run_id.as_bytes().to_vec());
            keep.calls
                .extend(m.call_keys().map(|k| k.as_bytes().to_vec()));
            keep.articles
                .extend(m.articles.iter().map(|a| a.blake3.as_bytes().to_vec()));
        }
        keep
    }

    /// Whether a kept run references the entry (what a cassette of those runs carries).
    pub fn keeps(&self, tree: Tree, key: &[u8]) -> bool {
        match tree {
            Tree::Llm => self.calls.contains(key),
            Tree::Articles => self.articles.contains(key),
            Tree::Runs => self.runs.contains(key),
            // A receipt stays as long as its run (a failed night's notice has no manifest:
            // its receipts are tiny and kept), so a kept run is never delivered twice.
            Tree::Deliveries => key
                .split(|b| *b == b'/')
                .next()
                .is_none_or(|run| self.runs.contains(run) || run.starts_with(b"failed-")),
            Tree::Http => true,
        }
    }

    /// What `cache gc` carries over: what a kept run references, and calls younger than the
    /// horizon (an entry whose time cannot be read counts as old).
    pub fn keeps_entry(&self, tree: Tree, key: &[u8], value: &[u8]) -> bool {
        self.keeps(tree, key)
            || (tree == Tree::Llm
                && self
                    .calls_since
                    .is_some_and(|since| stored_at(value).is_some_and(|t| t >= since)))
    }

    /// How many runs are kept.
    pub fn kept_runs(&self) -> usize {
        self.runs.len()
    }

    /// How many articles the kept runs reference.
    pub fn kept_articles(&self) -> usize {
        self.articles.len()
    }

    /// How many calls are kept for a run's sake (the age rule may keep more).
    pub fn referenced_calls(&self) -> usize {
        self.calls.len()
    }
}

/// When a cached call was stored, read without parsing the rest of the entry.
fn stored_at(value: &[u8]) -> Option<chrono::DateTime<chrono::Utc>> {
    #[derive(Deserialize)]
    struct Stamp<'a> {
        #[serde(borrow)]
        stored_at: std::borrow::Cow<'a, str>,
    }
    let stamp: Stamp = serde_json::from_slice(value).ok()?;
    chrono::DateTime::parse_from_rfc3339(&stamp.stored_at)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Drops what `Keep` refuses: sled is rewritten into a fresh directory swapped in by rename;
/// PostgreSQL deletes in one transaction while other processes keep working. Returns what was
/// kept and the bytes on disk before and after.
pub fn collect_garbage(
    location: &StoreLocation,
    keep_runs: usize,
    keep_days: u32,
    clock: &dyn Clock,
) -> anyhow::Result<(Keep, u64, u64)> {
    match location {
        StoreLocation::Dir(path) => {
            let keep = {
                let store = SledStore::open(path)?;
                let runs = RunManifest::list(&store)?;
                Keep::from_runs(&runs, keep_runs, keep_days, clock.now())
            };
            let (before, after) =
                store::compact(path, &|tree, key, value| keep.keeps_entry(tree, key, value))?;
            Ok((keep, before, after))
        }
        StoreLocation::Postgres(url) => {
            let store = store::pg::PgStore::open(url)?;
            let runs = RunManifest::list(&store)?;
            let keep = Keep::from_runs(&runs, keep_runs, keep_days, clock.now());
            let before = store.size_on_disk()?;
            store.retain(&|tree, key, value| keep.keeps_entry(tree, key, value))?;
            Ok((keep, before, store.size_on_disk()?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call_at(stored_at: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "namespace": "eval", "provider": "p", "model": "m", "content": "{}",
            "usage": {"prompt_tokens": 1, "completion_tokens": 1}, "latency_ms": 1,
            "stored_at": stored_at,
        }))
        .unwrap()
    }

    #[test]
    fn gc_keeps_unreferenced_calls_younger_than_the_horizon_only() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-02-01T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let keep = Keep::from_runs(&[], 14, 30, now);
        let recent = call_at("2026-01-20T08:00:00+00:00");
        let old = call_at("2025-12-01T08:00:00+00:00");
        assert!(keep.keeps_entry(Tree::Llm, b"eval-call", &recent));
        assert!(!keep.keeps_entry(Tree::Llm, b"eval-call", &old));
        assert!(!keep.keeps_entry(Tree::Llm, b"damaged", b"not json"));
        // The age rule is for calls; an unreferenced article or run is never kept by it.
        assert!(!keep.keeps_entry(Tree::Articles, b"a", &recent));
        // A cassette carries what the runs reference, not what is merely recent.
        assert!(!keep.keeps(Tree::Llm, b"eval-call"));
        // --keep-days 0: only what the kept runs reference.
        let strict = Keep::from_runs(&[], 14, 0, now);
        assert!(!strict.keeps_entry(Tree::Llm, b"eval-call", &recent));
    }

    /// Calls no run manifest names (an eval, a failed night) used to be left out of every
    /// cassette; with no run named, the whole store goes, or one namespace's calls.
    #[test]
    fn gc_keeps_a_receipt_while_its_run_is_kept() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-02-01T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut keep = Keep::from_runs(&[], 14, 30, now);
        keep.runs.insert(b"20260105-aaaa".to_vec());
        assert!(keep.keeps(Tree::Deliveries, b"20260105-aaaa/team"));
        assert!(!keep.keeps(Tree::Deliveries, b"20251201-bbbb/team"));
        // A failed night has no manifest: its notice receipts stay.
        assert!(keep.keeps(Tree::Deliveries, b"failed-2026-01-06-0123456789ab/oncall"));
    }
}
