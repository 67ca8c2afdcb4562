//! The cassette: recorded nights as JSONL, one store entry per line with its tree and a checksum,
//! so a night moves between machines and stores and replays byte for byte. In: a store and what
//! to carry (`ExportScope`); out: a file — and back, every line verified before anything is
//! written.

use std::io::{BufRead, Write};
use std::path::Path;

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

use crate::llm::cached::CachedCall;
use crate::model::Article;
use crate::run::keep::Keep;
use crate::run::manifest::{self, RunManifest};
use crate::store::{Store, Tree};

/// One line of a cassette: a store entry, its tree, and a checksum of the value.
#[derive(Debug, Serialize, Deserialize)]
struct CassetteLine {
    tree: String,
    key: String,
    value: serde_json::Value,
    blake3: String,
}

/// What `cache export` writes.
pub enum ExportScope<'a> {
    /// These runs with their calls and articles.
    Runs(&'a [String]),
    /// Every entry of the store: runs, articles and calls, eval and failed nights included
    /// (calls that no run manifest names).
    Everything,
    /// Every call of one namespace (card, insight, triage, judge, weekly), nothing else.
    Namespace(&'a str),
}

impl<'a> ExportScope<'a> {
    pub fn new(runs: &'a [String], namespace: Option<&'a str>) -> Self {
        match (runs.is_empty(), namespace) {
            (false, _) => ExportScope::Runs(runs),
            (true, Some(ns)) => ExportScope::Namespace(ns),
            (true, None) => ExportScope::Everything,
        }
    }
}

/// Writes what `scope` names as JSONL cassette lines; returns how many.
pub fn export(store: &dyn Store, file: &Path, scope: &ExportScope) -> anyhow::Result<usize> {
    let keep = match scope {
        ExportScope::Runs(run_ids) => {
            let manifests: Vec<RunManifest> = run_ids
                .iter()
                .map(|id| RunManifest::load(store, id))
                .collect::<Result<_, _>>()?;
            Some(Keep::from_runs(
                &manifests,
                usize::MAX,
                0,
                chrono::DateTime::<chrono::Utc>::MAX_UTC,
            ))
        }
        _ => None,
    };
    write_cassette(
        store,
        file,
        &[Tree::Runs, Tree::Articles, Tree::Llm],
        &|tree, key, value| match (&keep, scope) {
            (Some(keep), _) => keep.keeps(tree, key),
            (None, ExportScope::Namespace(ns)) => {
                tree == Tree::Llm
                    && serde_json::from_slice::<serde_json::Value>(value)
                        .is_ok_and(|v| v["namespace"] == *ns)
            }
            // The articles tree also holds the collect stage's per-source copies, keyed by
            // source; a cassette carries the content-addressed ones, which import verifies.
            (None, _) if tree == Tree::Articles => serde_json::from_slice::<Article>(value)
                .is_ok_and(|a| manifest::article_hash(&a).as_bytes() == key),
            (None, _) => true,
        },
    )
}

/// Whether a cassette carries an entry: (tree, key, value) → yes or no.
type Wanted<'a> = &'a dyn Fn(Tree, &[u8], &[u8]) -> bool;

/// Writes every entry of `trees` that `wanted` accepts as one cassette line each.
pub fn write_cassette(
    store: &dyn Store,
    file: &Path,
    trees: &[Tree],
    wanted: Wanted,
) -> anyhow::Result<usize> {
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(file).with_context(|| format!("cannot create {}", file.display()))?,
    );
    let mut count = 0;
    for &tree in trees {
        for (key, value) in store.scan(tree, b"")? {
            if !wanted(tree, &key, &value) {
                continue;
            }
            let line = CassetteLine {
                tree: tree.name().to_string(),
                key: String::from_utf8_lossy(&key).into_owned(),
                value: serde_json::from_slice(&value).with_context(|| {
                    format!(
                        "{} entry {} is not JSON",
                        tree.name(),
                        String::from_utf8_lossy(&key)
                    )
                })?,
                blake3: String::new(),
            };
            // The checksum covers the bytes an import will store (serde_json re-serializes
            // the value with sorted keys), so export and import hash the same thing.
            let line = CassetteLine {
                blake3: blake3::hash(&serde_json::to_vec(&line.value)?)
                    .to_hex()
                    .to_string(),
                ..line
            };
            serde_json::to_writer(&mut out, &line)?;
            out.write_all(b"\n")?;
            count += 1;
        }
    }
    out.flush()?;
    Ok(count)
}

/// Reads a cassette, checks every line, and only then writes: a tampered line refuses the whole
/// file. Articles are checked against their content hash, runs against the id their inputs
/// derive, calls against the key of the request they record; every value against its checksum.
/// An entry the store already holds is kept (insert-if-absent), so a call keeps the answer the
/// store's runs were built from.
pub fn import(store: &dyn Store, file: &Path) -> anyhow::Result<usize> {
    let reader = std::io::BufReader::new(
        std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?,
    );
    let mut entries = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{}:{}", file.display(), n + 1);
        let entry: CassetteLine = serde_json::from_str(&line)
            .with_context(|| format!("{}: not a cassette line", at()))?;
        let tree = Tree::from_name(&entry.tree)
            .with_context(|| format!("{}: unknown tree \"{}\"", at(), entry.tree))?;
        let bytes = serde_json::to_vec(&entry.value)?;
        let verified = match tree {
            // Keyed by content hash (what runs name) or by article id (what collection
            // keeps for a 304): either way the key follows from the article.
            Tree::Articles => serde_json::from_value::<Article>(entry.value.clone())
                .is_ok_and(|a| manifest::article_hash(&a) == entry.key || a.id == entry.key),
            Tree::Runs => {
                serde_json::from_value::<RunManifest>(entry.value.clone()).is_ok_and(|m| {
                    m.run_id == entry.key
                        && manifest::derive_run_id(
                            m.date,
                            &m.articles,
                            &m.config_hash,
                            &m.prompt_hashes,
                            &m.template_hashes,
                        ) == entry.key
                })
            }
            Tree::Llm => serde_json::from_value::<CachedCall>(entry.value.clone())
                .ok()
                .and_then(|c| c.verify_key(&entry.key))
                .unwrap_or(false),
            Tree::Http | Tree::Deliveries => true,
        } && blake3::hash(&bytes).to_hex().as_str() == entry.blake3;
        if !verified {
            bail!(
                "{}: {} entry {} does not match its content (tampered or damaged); nothing was imported",
                at(),
                entry.tree,
                entry.key
            );
        }
        entries.push((tree, entry.key, bytes));
    }
    for (tree, key, bytes) in &entries {
        store.put_if_absent(*tree, key.as_bytes(), bytes)?;
    }
    store.flush()?;
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SledStore;

    #[test]
    fn export_without_runs_takes_every_call_or_one_namespace() {
        let dir = tempfile::tempdir().unwrap();
        let store = SledStore::open(&dir.path().join("store")).unwrap();
        let card =
            serde_json::to_vec(&serde_json::json!({"namespace": "card", "content": "{}"})).unwrap();
        let insight =
            serde_json::to_vec(&serde_json::json!({"namespace": "insight", "content": "{}"}))
                .unwrap();
        store.put(Tree::Llm, b"card-call", &card).unwrap();
        store.put(Tree::Llm, b"insight-call", &insight).unwrap();
        let file = dir.path().join("all.jsonl");
        assert_eq!(
            export(&store, &file, &ExportScope::new(&[], None)).unwrap(),
            2
        );
        assert_eq!(
            export(&store, &file, &ExportScope::new(&[], Some("card"))).unwrap(),
            1
        );
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.contains("card-call") && !text.contains("insight-call"));
    }
}
