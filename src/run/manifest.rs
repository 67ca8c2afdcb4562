//! The run manifest: what one run read, asked and wrote (DESIGN §7). In: the pipeline's inputs and
//! the call ledger; out: a JSON record kept in the store's `runs` tree and beside the digest as
//! `<date>.run.json`, which `replay`, `runs` and `cache gc` read back. It never holds a secret:
//! the config text has no keys (they come from the environment) and env overrides are recorded
//! by value only for the variables that change behaviour.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::StepTiming;
use crate::config::{Layout, ProviderKind};
use crate::llm::ProviderId;
use crate::llm::cached::{CacheMode, CallRecord};
use crate::llm::telemetry::FallbackEvent;
use crate::model::{Article, CardRecord, FailedTopic, Previously};
use crate::store::{Store, StoreError, Tree};

/// What the `runs` tree keeps per run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunManifest {
    pub run_id: String,
    pub date: NaiveDate,
    /// The digest's own time: its cut-off on `date` in `digest.timezone` (what the front matter
    /// and footer show, so two runs of the same inputs are byte-identical).
    pub digest_time: String,
    /// `[start, end)` of the article window, RFC 3339 UTC.
    pub window: [String; 2],
    /// Wall-clock times of the run itself (through the clock seam), RFC 3339 UTC.
    pub started_at: String,
    pub generated_at: String,
    /// Hash of the config file plus every override that changes behaviour (never a secret).
    pub config_hash: String,
    /// What replay needs to rebuild the run from the store alone.
    pub config: RecordedConfig,
    pub provider: ProviderId,
    /// The provider kind the run used (`openai` | `extractive`).
    pub provider_kind: ProviderKind,
    pub model: String,
    pub cache_mode: CacheMode,
    /// The effective `limits.budget_usd` (a `--budget-usd` override included).
    pub budget_usd: f64,
    /// Prompt file → blake3 of its text.
    pub prompt_hashes: BTreeMap<String, String>,
    /// Template override file → blake3 (empty when the embedded templates are used).
    pub template_hashes: BTreeMap<String, String>,
    /// The articles in the window, in the order the pipeline saw them.
    pub articles: Vec<ArticleRef>,
    pub stories: Vec<StoryMembership>,
    /// Topics in rank order.
    pub topics: Vec<TopicLine>,
    /// Cards in rank order, with a hash of their content (what `runs diff` compares).
    pub cards: Vec<CardLine>,
    /// Every call in topic-rank order (a topic's first ask, then its repair), then the insight.
    pub calls: Vec<CallLine>,
    pub steps: Vec<StepTiming>,
    pub outputs: Vec<OutputFile>,
    pub failed: Vec<FailedTopic>,
    #[serde(default)]
    pub cards_trimmed: usize,
    #[serde(default)]
    pub cards_repaired: usize,
    /// Model cards, first-answer validity, re-asks, fallbacks and local repairs. Absent (zero) in
    /// manifests written before it was recorded.
    #[serde(default)]
    pub card_stats: crate::model::CardStats,
    /// Steps down the structured-output chain this run took, with the server's reason.
    #[serde(default)]
    pub fallbacks: Vec<FallbackEvent>,
    /// The day's finished cards with their sources, so `weekly` rolls a week up from the store
    /// alone. Absent in manifests written before it existed.
    #[serde(default)]
    pub day_cards: Vec<CardRecord>,
    /// Cross-day memory's decisions. Absent in manifests written before it was recorded
    /// (replay then reads the earlier digests beside the run's recorded outputs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<MemoryRecord>,
}

/// The config as the run read it: enough to parse it again with no file and no environment.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RecordedConfig {
    /// The file it was loaded from (relative dirs in it resolve against its folder).
    pub file: Option<PathBuf>,
    /// The file's text (secrets never live in it: keys come from the environment).
    pub text: String,
    /// Environment overrides that change behaviour, by variable name.
    pub env: BTreeMap<String, String>,
    /// A command-line layout override (`demo --layout`, `run --layout`). The pipeline renders
    /// with the layout named here, so what a run used and what it recorded cannot differ, and
    /// a replay renders the same layout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layout: Option<Layout>,
}

/// What cross-day memory decided, so a replay applies the same decisions instead of reading
/// the earlier `<date>.json` files again (they may have changed or gone since).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MemoryRecord {
    /// The earlier digests read, newest first: date and blake3 of the file's JSON.
    pub digests: Vec<(NaiveDate, String)>,
    /// Stories left out as already published, in story order.
    pub repeated: Vec<RepeatedLine>,
    /// Story id → what an earlier digest said, for the stories kept as follow-ups.
    pub continuing: BTreeMap<String, Previously>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepeatedLine {
    pub story: String,
    /// The digest that told it.
    pub date: NaiveDate,
    pub why: String,
}

/// The environment variables whose values change what a run produces (DESIGN §12); the store
/// path and the API key do not, and a key is never recorded.
pub const BEHAVIOUR_ENV: [&str; 2] = ["OPENAI_BASE_URL", "NEWSDESK_MODEL"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleRef {
    pub id: String,
    /// blake3 of the article's JSON; also its key in the `articles` tree.
    pub blake3: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoryMembership {
    pub id: String,
    pub articles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicLine {
    pub id: String,
    pub rank: usize,
    pub focus: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardLine {
    pub topic_id: String,
    pub title: String,
    pub blake3: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CallLine {
    #[serde(flatten)]
    pub call: CallRecord,
    pub cost_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// Absolute path of the file as written.
    pub path: PathBuf,
    pub blake3: String,
}

/// The content hash of an article: its key in the `articles` tree and its line in a manifest.
pub fn article_hash(article: &Article) -> String {
    blake3::hash(&serde_json::to_vec(article).expect("articles serialize"))
        .to_hex()
        .to_string()
}

/// The config hash a manifest records: the file's hash plus every effective value an override
/// can change (provider kind, base URL, model, budget, a layout override). Never the key. A run
/// without a layout override hashes as before, so earlier run ids stay valid.
pub fn effective_config_hash(
    file_hash: &str,
    provider_kind: ProviderKind,
    base_url: &str,
    model: &str,
    budget_usd: f64,
    layout_override: Option<Layout>,
) -> String {
    let mut text = format!(
        "{file_hash}|{}|{base_url}|{model}|{budget_usd}",
        provider_kind.name()
    );
    if let Some(layout) = layout_override {
        text.push_str(&format!("|layout={}", layout.name()));
    }
    blake3::hash(text.as_bytes()).to_hex()[..16].to_string()
}

/// A run id from the date and the inputs only, so the same inputs give the same id:
/// `YYYYMMDD-` + 8 hex of blake3 over the article hashes, config hash, prompt and template hashes.
pub fn derive_run_id(
    date: NaiveDate,
    articles: &[ArticleRef],
    config_hash: &str,
    prompt_hashes: &BTreeMap<String, String>,
    template_hashes: &BTreeMap<String, String>,
) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(date.to_string().as_bytes());
    for article in articles {
        hasher.update(b"|a:");
        hasher.update(article.blake3.as_bytes());
    }
    hasher.update(b"|c:");
    hasher.update(config_hash.as_bytes());
    for (name, hash) in prompt_hashes.iter().chain(template_hashes) {
        hasher.update(format!("|p:{name}={hash}").as_bytes());
    }
    format!(
        "{}-{}",
        date.format("%Y%m%d"),
        &hasher.finalize().to_hex()[..8]
    )
}

/// blake3 of every `*.tera` file in a template override directory, by file name.
pub fn template_hashes(dir: Option<&Path>) -> BTreeMap<String, String> {
    let mut hashes = BTreeMap::new();
    let Some(entries) = dir.and_then(|d| std::fs::read_dir(d).ok()) else {
        return hashes;
    };
    for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        if path.extension().is_some_and(|x| x == "tera")
            && let (Some(name), Ok(bytes)) = (path.file_name(), std::fs::read(&path))
        {
            hashes.insert(
                name.to_string_lossy().into_owned(),
                blake3::hash(&bytes).to_hex().to_string(),
            );
        }
    }
    hashes
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("no run {run_id} in the store (`newsdesk runs list` shows the recorded runs)")]
    NotFound { run_id: String },
    #[error("run {run_id}'s manifest in the store cannot be read: {reason}")]
    Unreadable { run_id: String, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl RunManifest {
    pub fn save(&self, store: &dyn Store) -> Result<(), StoreError> {
        store.put(
            Tree::Runs,
            self.run_id.as_bytes(),
            &serde_json::to_vec(self).expect("manifests serialize"),
        )
    }

    pub fn load(store: &dyn Store, run_id: &str) -> Result<RunManifest, ManifestError> {
        let bytes =
            store
                .get(Tree::Runs, run_id.as_bytes())?
                .ok_or_else(|| ManifestError::NotFound {
                    run_id: run_id.to_string(),
                })?;
        serde_json::from_slice(&bytes).map_err(|e| ManifestError::Unreadable {
            run_id: run_id.to_string(),
            reason: e.to_string(),
        })
    }

    /// Every readable manifest in the store, newest first (by generation time, then id).
    pub fn list(store: &dyn Store) -> Result<Vec<RunManifest>, StoreError> {
        let mut runs: Vec<RunManifest> = store
            .scan(Tree::Runs, b"")?
            .into_iter()
            .filter_map(|(_, v)| serde_json::from_slice(&v).ok())
            .collect();
        runs.sort_by(|a: &RunManifest, b: &RunManifest| {
            (&b.generated_at, &b.run_id).cmp(&(&a.generated_at, &a.run_id))
        });
        Ok(runs)
    }

    /// The cache keys this run's calls used.
    pub fn call_keys(&self) -> impl Iterator<Item = &str> {
        self.calls.iter().map(|c| c.call.key.as_str())
    }
}

/// Orders a ledger for the manifest: by the rank of the topic each conversation belongs to
/// (`roots` lists the first-turn keys in topic order), first ask before repair; calls of no
/// topic (the insight) follow in key order. Completion order never shows through.
pub fn order_calls(mut calls: Vec<CallLine>, roots: &[String]) -> Vec<CallLine> {
    let position: BTreeMap<&str, usize> = roots
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    calls.sort_by(|a, b| {
        let rank = |c: &CallLine| {
            position
                .get(c.call.root.as_str())
                .copied()
                .unwrap_or(usize::MAX)
        };
        (
            rank(a),
            a.call.namespace.as_str(),
            &a.call.root,
            a.call.turn,
        )
            .cmp(&(
                rank(b),
                b.call.namespace.as_str(),
                &b.call.root,
                b.call.turn,
            ))
    });
    calls
}

/// Article id → the story it is in.
fn story_of(m: &RunManifest) -> BTreeMap<String, String> {
    m.stories
        .iter()
        .flat_map(|s| s.articles.iter().map(|a| (a.clone(), s.id.clone())))
        .collect()
}

/// The stories of `from` whose articles are spread over several stories of the other run.
fn spread_stories(from: &RunManifest, other: &BTreeMap<String, String>) -> Vec<String> {
    from.stories
        .iter()
        .filter(|s| {
            s.articles
                .iter()
                .filter_map(|x| other.get(x))
                .collect::<BTreeSet<_>>()
                .len()
                > 1
        })
        .map(|s| {
            let titles: Vec<&str> = s.articles.iter().map(String::as_str).collect();
            format!("{} ({})", s.id, titles.join(", "))
        })
        .collect()
}

/// Prompt and template files whose hash differs: name → (hash in A, hash in B), a missing side
/// empty.
fn changed_files(a: &RunManifest, b: &RunManifest) -> BTreeMap<String, (String, String)> {
    let files = |m: &RunManifest| -> BTreeMap<String, String> {
        m.prompt_hashes
            .iter()
            .chain(&m.template_hashes)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let (pa, pb) = (files(a), files(b));
    let mut changed = BTreeMap::new();
    for name in pa.keys().chain(pb.keys()).collect::<BTreeSet<_>>() {
        let (x, y) = (
            pa.get(name).cloned().unwrap_or_default(),
            pb.get(name).cloned().unwrap_or_default(),
        );
        if x != y {
            changed.insert(name.clone(), (x, y));
        }
    }
    changed
}

/// What changed between two runs (`runs diff A B`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunDiff {
    pub a: String,
    pub b: String,
    pub config_changed: bool,
    pub articles_added: Vec<String>,
    pub articles_removed: Vec<String>,
    /// Articles whose content changed under the same id.
    pub articles_changed: Vec<String>,
    /// Stories of A whose articles are now spread over several stories of B.
    pub stories_split: Vec<String>,
    /// Stories of B that hold articles of several stories of A.
    pub stories_merged: Vec<String>,
    /// Prompt or template file → (hash in A, hash in B); a missing side is empty.
    pub prompts_changed: BTreeMap<String, (String, String)>,
    pub cards_added: Vec<String>,
    pub cards_removed: Vec<String>,
    pub cards_changed: Vec<String>,
    pub calls_only_in_a: usize,
    pub calls_only_in_b: usize,
}

impl RunDiff {
    pub fn between(a: &RunManifest, b: &RunManifest) -> RunDiff {
        let mut diff = RunDiff {
            a: a.run_id.clone(),
            b: b.run_id.clone(),
            config_changed: a.config_hash != b.config_hash,
            prompts_changed: changed_files(a, b),
            ..RunDiff::default()
        };
        diff.add_articles(a, b);
        diff.stories_split = spread_stories(a, &story_of(b));
        diff.stories_merged = spread_stories(b, &story_of(a));
        diff.add_cards(a, b);
        let keys = |m: &RunManifest| m.call_keys().map(str::to_string).collect::<BTreeSet<_>>();
        let (ka, kb) = (keys(a), keys(b));
        diff.calls_only_in_a = ka.difference(&kb).count();
        diff.calls_only_in_b = kb.difference(&ka).count();
        diff
    }

    /// Articles by id: added, removed, and changed under the same id.
    fn add_articles(&mut self, a: &RunManifest, b: &RunManifest) {
        let ids = |m: &RunManifest| -> BTreeMap<String, String> {
            m.articles
                .iter()
                .map(|r| (r.id.clone(), r.blake3.clone()))
                .collect()
        };
        let (ia, ib) = (ids(a), ids(b));
        self.articles_added = ib
            .keys()
            .filter(|k| !ia.contains_key(*k))
            .cloned()
            .collect();
        self.articles_removed = ia
            .keys()
            .filter(|k| !ib.contains_key(*k))
            .cloned()
            .collect();
        self.articles_changed = ia
            .iter()
            .filter(|(k, h)| ib.get(*k).is_some_and(|hb| hb != *h))
            .map(|(k, _)| k.clone())
            .collect();
    }

    /// Cards by topic: added, changed (another card hash) and removed, each with its title.
    fn add_cards(&mut self, a: &RunManifest, b: &RunManifest) {
        let cards = |m: &RunManifest| -> BTreeMap<String, (String, String)> {
            m.cards
                .iter()
                .map(|c| (c.topic_id.clone(), (c.title.clone(), c.blake3.clone())))
                .collect()
        };
        let (ca, cb) = (cards(a), cards(b));
        let label = |id: &str, title: &str| format!("{id} \"{title}\"");
        for (id, (title, hash)) in &cb {
            match ca.get(id) {
                None => self.cards_added.push(label(id, title)),
                Some((_, h)) if h != hash => self.cards_changed.push(label(id, title)),
                Some(_) => {}
            }
        }
        for (id, (title, _)) in &ca {
            if !cb.contains_key(id) {
                self.cards_removed.push(label(id, title));
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.config_changed
            && self.articles_added.is_empty()
            && self.articles_removed.is_empty()
            && self.articles_changed.is_empty()
            && self.stories_split.is_empty()
            && self.stories_merged.is_empty()
            && self.prompts_changed.is_empty()
            && self.cards_added.is_empty()
            && self.cards_removed.is_empty()
            && self.cards_changed.is_empty()
    }

    /// The diff as a person reads it.
    pub fn render(&self) -> String {
        let mut out = format!("runs {} → {}\n", self.a, self.b);
        if self.is_empty() {
            out.push_str("  same inputs, stories and cards\n");
        }
        if self.config_changed {
            out.push_str("  config changed\n");
        }
        let mut list = |what: &str, items: &[String]| {
            if !items.is_empty() {
                out.push_str(&format!("  {what} ({}):\n", items.len()));
                for item in items {
                    out.push_str(&format!("    {item}\n"));
                }
            }
        };
        list("articles added", &self.articles_added);
        list("articles removed", &self.articles_removed);
        list("articles changed", &self.articles_changed);
        list("stories split", &self.stories_split);
        list("stories merged", &self.stories_merged);
        list("cards added", &self.cards_added);
        list("cards removed", &self.cards_removed);
        list("cards changed", &self.cards_changed);
        for (name, (a, b)) in &self.prompts_changed {
            let short = |h: &str| {
                if h.is_empty() {
                    "(none)".to_string()
                } else {
                    h[..12.min(h.len())].to_string()
                }
            };
            out.push_str(&format!(
                "  prompt/template {name}: {} → {}\n",
                short(a),
                short(b)
            ));
        }
        out.push_str(&format!(
            "  calls: {} only in {}, {} only in {}\n",
            self.calls_only_in_a, self.a, self.calls_only_in_b, self.b
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(ids: &[(&str, &str)]) -> Vec<ArticleRef> {
        ids.iter()
            .map(|(id, h)| ArticleRef {
                id: id.to_string(),
                blake3: h.to_string(),
            })
            .collect()
    }

    #[test]
    fn run_id_depends_on_inputs_only() {
        let date = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let prompts: BTreeMap<String, String> = [("card.tera".into(), "p1".into())].into();
        let none = BTreeMap::new();
        let a = refs(&[("a1", "h1"), ("a2", "h2")]);
        let id = derive_run_id(date, &a, "c1", &prompts, &none);
        assert!(id.starts_with("20260105-") && id.len() == 17, "{id}");
        assert_eq!(id, derive_run_id(date, &a, "c1", &prompts, &none));
        assert_ne!(id, derive_run_id(date, &a, "c2", &prompts, &none));
        let edited = refs(&[("a1", "h1"), ("a2", "h2-edited")]);
        assert_ne!(id, derive_run_id(date, &edited, "c1", &prompts, &none));
        let other_prompt: BTreeMap<String, String> = [("card.tera".into(), "p2".into())].into();
        assert_ne!(id, derive_run_id(date, &a, "c1", &other_prompt, &none));
        let next_day = NaiveDate::from_ymd_opt(2026, 1, 6).unwrap();
        assert_ne!(id, derive_run_id(next_day, &a, "c1", &prompts, &none));
    }

    fn call(key: &str, root: &str, turn: u32, namespace: &str) -> CallLine {
        CallLine {
            call: CallRecord {
                key: key.into(),
                root: root.into(),
                turn,
                namespace: crate::llm::Namespace::from_name(namespace).unwrap(),
                cached: false,
                usage: Default::default(),
                latency_ms: 0,
                structured_output: "json_schema".into(),
            },
            cost_usd: 0.0,
        }
    }

    #[test]
    fn calls_are_ordered_by_topic_rank_not_completion() {
        // Completion order: topic 2's repair, the insight, topic 1, topic 2's first ask.
        let ledger = vec![
            call("k2r", "k2", 1, "card"),
            call("ki", "ki", 0, "insight"),
            call("k1", "k1", 0, "card"),
            call("k2", "k2", 0, "card"),
        ];
        let ordered = order_calls(ledger, &["k1".to_string(), "k2".to_string()]);
        let keys: Vec<&str> = ordered.iter().map(|c| c.call.key.as_str()).collect();
        assert_eq!(keys, ["k1", "k2", "k2r", "ki"]);
    }
}
