//! The run manifest: what one run read, asked and wrote (DESIGN §7). In: the pipeline's inputs and
//! the call ledger; out: a JSON record kept in the store's `runs` tree and beside the digest as
//! `<date>.run.json`, which `replay`, `runs` and `cache gc` read back.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::llm::cached::{CacheMode, CallRecord};
use crate::model::{CardRecord, FailedTopic};
use crate::run::StepTiming;

/// What the `runs` tree keeps per run (DESIGN §7).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunManifest {
    pub run_id: String,
    pub date: NaiveDate,
    pub started_at: String,
    pub generated_at: String,
    pub config_hash: String,
    pub provider: String,
    pub model: String,
    pub cache_mode: CacheMode,
    pub prompt_hashes: std::collections::BTreeMap<String, String>,
    pub article_ids: Vec<String>,
    pub stories: Vec<StoryMembership>,
    pub topics: Vec<String>,
    pub calls: Vec<CallLine>,
    pub steps: Vec<StepTiming>,
    pub outputs: Vec<OutputFile>,
    pub failed: Vec<FailedTopic>,
    /// The day's finished cards with their sources, so `weekly` rolls a week up from the store
    /// alone. Absent in manifests written before it existed.
    #[serde(default)]
    pub cards: Vec<CardRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoryMembership {
    pub id: String,
    pub articles: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CallLine {
    #[serde(flatten)]
    pub call: CallRecord,
    pub cost_usd: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OutputFile {
    pub path: PathBuf,
    pub blake3: String,
}
