//! The commands over recorded nights (DESIGN §7, §11): `replay` rebuilds a run from the store
//! alone, `runs` lists, shows and diffs manifests, `cache` reports, collects garbage, and moves
//! nights between machines as JSONL cassettes. In: a store and run ids; out: files, reports
//! through the reporter, and an exit status. Nothing here calls a provider.

use std::collections::BTreeSet;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

use crate::clock::{Clock, FixedClock};
use crate::commands::Exit;
use crate::config::{Config, ProviderKind};
use crate::llm::cached::{CacheMode, CachedCall};
use crate::model::Article;
use crate::report::Reporter;
use crate::run::manifest::{self, RunDiff, RunManifest};
use crate::run::{self, ReplayInput, RunOptions};
use crate::store::{self, SledStore, Store, StoreLocation, Tree};

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
        provider: Some(if recorded.provider_kind == "extractive" {
            ProviderKind::Extractive
        } else {
            ProviderKind::OpenAi
        }),
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
    }
    out.push_str(&format!("  written to {}\n", opts.out_dir.display()));
    reporter.output(&out);
    Ok(if problems > 0 { Exit::Error } else { Exit::Ok })
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

/// One line of a cassette: a store entry, its tree, and a checksum of the value.
#[derive(Debug, Serialize, Deserialize)]
struct CassetteLine {
    tree: String,
    key: String,
    value: serde_json::Value,
    blake3: String,
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
                let mut out = String::new();
                for t in &stats.trees {
                    out.push_str(&format!(
                        "{:<9} {:>7} entries {:>12} bytes\n",
                        t.tree, t.entries, t.bytes
                    ));
                }
                out.push_str(&format!(
                    "live {} bytes, on disk {} bytes\n",
                    stats.live_bytes, stats.disk_bytes
                ));
                match stats.recent_hit_rate {
                    Some(rate) => out.push_str(&format!(
                        "hit rate over the last {} run(s): {:.0} %\n",
                        stats.recent_runs,
                        rate * 100.0
                    )),
                    None => out.push_str("no runs recorded yet\n"),
                }
                reporter.output(&out);
            }
        }
        CacheAction::Gc {
            keep_runs,
            keep_days,
        } => {
            let (keep, before, after) = collect_garbage(location, *keep_runs, *keep_days, clock)?;
            let (_, stats) = open_with_stats(location)?;
            let live: u64 = stats.live_bytes;
            let calls_kept = stats
                .trees
                .iter()
                .find(|t| t.tree == "llm")
                .map_or(0, |t| t.entries);
            let msg = serde_json::json!({
                "runs_kept": keep.runs.len(), "calls_kept": calls_kept,
                "calls_referenced": keep.referenced_calls(),
                "articles_kept": keep.articles.len(),
                "disk_bytes_before": before, "disk_bytes_after": after, "live_bytes": live,
            });
            if json {
                reporter.output(&serde_json::to_string_pretty(&msg)?);
            } else {
                reporter.output(&format!(
                    "kept {} run(s), {calls_kept} call(s) ({} referenced by them), {} article(s); on disk {before} → {after} bytes ({live} live)\n",
                    keep.runs.len(),
                    keep.referenced_calls(),
                    keep.articles.len()
                ));
            }
        }
        CacheAction::Export {
            file,
            runs,
            namespace,
        } => {
            const NAMESPACES: [&str; 6] = ["card", "insight", "triage", "judge", "embed", "weekly"];
            if let Some(ns) = namespace
                && !NAMESPACES.contains(&ns.as_str())
            {
                anyhow::bail!(
                    "--namespace {ns} is not a namespace (expected one of: {})",
                    NAMESPACES.join(", ")
                );
            }
            let store = location.open()?;
            let count = export(
                store.as_ref(),
                file,
                &ExportScope::new(runs, namespace.as_deref()),
            )?;
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

/// Drops what `Keep` refuses: sled is rewritten into a fresh directory swapped in by rename;
/// PostgreSQL deletes in one transaction while other processes keep working. Returns what was
/// kept and the bytes on disk before and after.
fn collect_garbage(
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
fn write_cassette(
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

/// `newsdesk store migrate --from A --to B`: every entry of every tree of A, as a cassette in a
/// temporary file, imported (checked line by line, all or nothing) into B. A is only read.
pub fn migrate(
    from: &StoreLocation,
    to: &StoreLocation,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    if from.to_string() == to.to_string() {
        bail!("--from and --to are the same store ({from}); name two different stores");
    }
    if let StoreLocation::Dir(path) = from {
        if !path.is_dir() {
            bail!(
                "the source store {} does not exist (--from names a store directory or a postgres:// URL)",
                path.display()
            );
        }
    }
    let dir =
        tempfile::tempdir().context("cannot create a temporary directory for the cassette")?;
    let cassette = dir.path().join("store.jsonl");
    let exported = {
        let source = from
            .open()
            .with_context(|| format!("cannot open the source store {from}"))?;
        write_cassette(source.as_ref(), &cassette, &Tree::ALL, &|_, _, _| true)?
    };
    reporter.step(&format!("read {exported} entr(ies) from {from}"));
    let target = to
        .open()
        .with_context(|| format!("cannot open the target store {to}"))?;
    let imported = import(target.as_ref(), &cassette)?;
    reporter.output(&format!(
        "copied {imported} entr(ies) from {from} to {to}\n"
    ));
    Ok(Exit::Ok)
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
