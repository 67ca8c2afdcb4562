//! The plain typed structs a validated config becomes. No parsing and no environment here: these
//! are what the rest of the program reads, built once by `validate.rs`.

use std::path::PathBuf;

use chrono::NaiveTime;

use crate::model::{Labels, Language};

#[derive(Debug, Clone)]
pub struct Config {
    /// The file this was loaded from; relative source paths and dirs resolve against its folder.
    pub file: Option<PathBuf>,
    /// blake3 of the config file's bytes, recorded in run manifests.
    pub hash: String,
    /// The text this config was parsed from: what a run's manifest records, so the night can be
    /// replayed with exactly the config it ran with, even if the file changes afterwards.
    pub text: String,
    pub digest: DigestConfig,
    pub sources: Vec<SourceConfig>,
    pub provider: ProviderConfig,
    pub limits: LimitsConfig,
    pub pricing: PricingConfig,
    pub store: StoreConfig,
    pub collect: CollectConfig,
    pub triage: TriageConfig,
    /// `[[deliver]]` targets, secrets already read from the environment.
    pub deliver: Vec<super::deliver::Target>,
}

/// The digest's shape (templates `<layout>.md.tera` / `.html.tera`). Serialized by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    Daily,
    Speedread,
    Brief,
}

impl Layout {
    /// The layout's name in config, on the command line and in template file names.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Daily => "daily",
            Layout::Speedread => "speedread",
            Layout::Brief => "brief",
        }
    }

    pub const ALL: [Layout; 3] = [Layout::Daily, Layout::Speedread, Layout::Brief];

    pub fn from_name(name: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.name() == name)
    }
}

#[derive(Debug, Clone)]
pub struct DigestConfig {
    pub title: String,
    pub language: Language,
    pub layout: Layout,
    pub timezone: chrono_tz::Tz,
    pub window_hours: u32,
    /// Local time of day that closes the window; `None` = end of the digest's day.
    pub cutoff: Option<NaiveTime>,
    pub max_topics: usize,
    pub focus_topics: usize,
    pub min_topics: usize,
    pub out_dir: PathBuf,
    pub sections: Vec<SectionConfig>,
    /// Directory whose `*.tera` files override the embedded templates.
    pub templates_dir: Option<PathBuf>,
    /// Directory whose `*.tera` files override the embedded prompts.
    pub prompts_dir: Option<PathBuf>,
    /// Where `out_dir` is published (no trailing slash): chat deliveries then send the summary
    /// and a link to `<site_url>/<date>.html` instead of the whole digest.
    pub site_url: Option<String>,
    /// `[digest.ranking]`: how stories are scored; the defaults are the built-in ranking.
    pub ranking: RankingConfig,
}

/// `[digest.ranking]`: the weight of each part of a story's score, and boosts for what this
/// digest's readers care about. Each weight multiplies one part (see `cluster::rank`); each
/// boost is added once to a story that matches it (negative values demote).
#[derive(Debug, Clone, PartialEq)]
pub struct RankingConfig {
    /// Weight of ln(distinct outlets reporting the story).
    pub outlets: f64,
    /// Weight of the best source tier (tier 1 → 1.0, 2 → 0.5, 3 → 0.0).
    pub tier: f64,
    /// Weight of recency, 0.5^(age / recency_half_life_hours) of the newest article.
    pub recency: f64,
    pub recency_half_life_hours: f64,
    /// Weight of ln(articles in the story).
    pub size: f64,
    /// Weight of AI relevance (0..1) among on-topic stories.
    pub relevance: f64,
    /// `[[sources]].name` → boost for a story any of whose articles came from that source.
    pub source_boosts: Vec<(String, f64)>,
    /// Keyword → boost for a story whose titles or text contain it (either script, any case).
    pub keyword_boosts: Vec<(String, f64)>,
    /// Name → boost for a story whose titles name it (a whole word for Latin names).
    pub entity_boosts: Vec<(String, f64)>,
}

impl Default for RankingConfig {
    /// Outlet count first: independent outlets reporting a story is the strongest sign it
    /// matters, so three outlets (2.2) outrank any single article (at most 2.0 from tier,
    /// recency and relevance together); primary sources next, then the newest; more coverage
    /// from one outlet is a weaker signal; core AI news before adjacent tech. No boosts.
    fn default() -> Self {
        RankingConfig {
            outlets: 2.0,
            tier: 0.5,
            recency: 1.0,
            recency_half_life_hours: 24.0,
            size: 0.5,
            relevance: 0.5,
            source_boosts: Vec::new(),
            keyword_boosts: Vec::new(),
            entity_boosts: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionConfig {
    pub id: String,
    /// Label per language tag; `label_for` falls back to the id.
    pub label: Labels,
    pub describe: String,
}

impl SectionConfig {
    pub fn label_for(&self, language: Language) -> &str {
        self.label
            .get(language.tag())
            .or_else(|| self.label.get("en"))
            .map(String::as_str)
            .unwrap_or(&self.id)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum SourceLocation {
    Url(String),
    /// A feed file or a directory of feed files (already resolved against the config's folder).
    Path(PathBuf),
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    pub name: String,
    pub location: SourceLocation,
    pub tier: u8,
    pub full_text: bool,
    pub kind: SourceKind,
}

/// What a source's URL answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceKind {
    /// RSS, Atom or JSON Feed (a URL, a file or a directory of files).
    #[default]
    Feed,
    /// The arXiv Atom API: `url` is a query URL (`…/api/query?search_query=cat:cs.CL&…`).
    Arxiv,
}

/// `[collect]`: how sources are fetched and judged, and how far back the digest remembers.
#[derive(Debug, Clone, PartialEq)]
pub struct CollectConfig {
    pub connect_timeout_s: u64,
    pub total_timeout_s: u64,
    pub max_body_bytes: usize,
    pub max_redirects: usize,
    pub max_attempts: u32,
    pub retry_min_delay_ms: u64,
    pub per_host_interval_ms: u64,
    pub concurrency: usize,
    pub user_agent: String,
    /// Failed sources a run accepts before it counts as partial (exit 3).
    pub tolerate_failed_sources: usize,
    /// Previous digests (days before the digest date) whose stories are not repeated; 0 = off.
    pub memory_days: u32,
    /// A remembered story with new articles is kept and marked as continuing (true) or dropped.
    pub memory_follow_ups: bool,
}

impl Default for CollectConfig {
    fn default() -> Self {
        CollectConfig {
            connect_timeout_s: 10,
            total_timeout_s: 30,
            max_body_bytes: 20 * 1024 * 1024,
            max_redirects: 5,
            max_attempts: 3,
            retry_min_delay_ms: 500,
            per_host_interval_ms: 1000,
            concurrency: 8,
            user_agent: concat!("newsdesk/", env!("CARGO_PKG_VERSION")).to_string(),
            tolerate_failed_sources: 0,
            memory_days: 3,
            memory_follow_ups: true,
        }
    }
}

/// `[triage]`: the optional LLM relevance pass before cards are written.
#[derive(Debug, Clone, PartialEq)]
pub struct TriageConfig {
    pub enabled: bool,
    /// Articles per triage call.
    pub batch_size: usize,
}

impl Default for TriageConfig {
    fn default() -> Self {
        TriageConfig {
            enabled: false,
            batch_size: 20,
        }
    }
}

/// Who writes the cards: an OpenAI-compatible server, or the offline sentence picker.
/// Serialized by name, as configs and manifests write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProviderKind {
    #[serde(rename = "openai")]
    OpenAi,
    #[serde(rename = "extractive")]
    Extractive,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 2] = [ProviderKind::OpenAi, ProviderKind::Extractive];

    /// The kind's name in config, on the command line and in manifests.
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Extractive => "extractive",
        }
    }

    pub fn from_name(name: &str) -> Option<ProviderKind> {
        ProviderKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// How structured output is asked for, strongest first. The order is the fallback chain: a
/// server that rejects a mode moves the run one step down (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StructuredOutput {
    Prompt,
    JsonObject,
    JsonSchema,
}

impl StructuredOutput {
    pub fn name(self) -> &'static str {
        match self {
            StructuredOutput::JsonSchema => "json_schema",
            StructuredOutput::JsonObject => "json_object",
            StructuredOutput::Prompt => "prompt",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "json_schema" => Some(StructuredOutput::JsonSchema),
            "json_object" => Some(StructuredOutput::JsonObject),
            "prompt" => Some(StructuredOutput::Prompt),
            _ => None,
        }
    }

    /// The next weaker mode, or `None` from `prompt` (nothing weaker exists).
    pub fn weaker(self) -> Option<Self> {
        match self {
            StructuredOutput::JsonSchema => Some(StructuredOutput::JsonObject),
            StructuredOutput::JsonObject => Some(StructuredOutput::Prompt),
            StructuredOutput::Prompt => None,
        }
    }
}

/// The tiktoken encoding used to *estimate* a request's tokens before it is sent (rate limits,
/// budget reservations, context fitting). Non-OpenAI models have their own tokenizers, so this is
/// an estimate; the response's `usage` is the truth for accounting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenEncoding {
    O200kBase,
    Cl100kBase,
}

impl TokenEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TokenEncoding::O200kBase => "o200k_base",
            TokenEncoding::Cl100kBase => "cl100k_base",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "o200k_base" => Some(TokenEncoding::O200kBase),
            "cl100k_base" => Some(TokenEncoding::Cl100kBase),
            _ => None,
        }
    }
}

/// An API key read from the environment. Never printed, serialized or hashed.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Secret(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct ProviderConfig {
    pub kind: ProviderKind,
    pub preset: String,
    pub base_url: String,
    pub model: String,
    pub api_key_env: String,
    /// Present when `api_key_env` is set in the environment.
    pub api_key: Option<Secret>,
    /// Whether this endpoint needs a key at all (local servers usually run without one).
    pub key_required: bool,
    /// The mode the run starts in; the capability fallback may step down from it.
    pub structured_output: StructuredOutput,
    /// The server takes `{"type":"json_object","schema":{…}}` and constrains its output to the
    /// schema (llama.cpp-based servers); otherwise `json_object` goes without a schema.
    pub json_object_schema: bool,
    /// The model is known to emit `<think>…</think>` before its answer (reasoning models).
    pub reasoning: bool,
    /// The server's schema mode is a grammar that honours string keywords (lengths, patterns,
    /// enums; see `presets.rs`): lengths, language patterns and entity choices are sent; otherwise
    /// they are left out of the schema sent and enforced locally only.
    pub string_lengths: bool,
    /// The server takes `logit_bias` and shows its vocabulary (`/tokenize`, `/detokenize`:
    /// llama.cpp's own server): a Chinese digest's answers are steered to its script by biasing
    /// the other script's tokens (`llm::script_bias`); otherwise the script is converted locally.
    pub script_bias: bool,
    /// What a topic gets when its card still fails after every re-ask.
    pub fallback: CardFallback,
    pub token_encoding: TokenEncoding,
    pub temperature: f32,
    pub top_p: Option<f32>,
    pub seed: Option<i64>,
    pub max_output_tokens: u32,
}

#[derive(Debug, Clone)]
pub struct LimitsConfig {
    /// Requests in any 60 s window.
    pub rpm: u32,
    /// Tokens (prompt + completion) in any 60 s window.
    pub tpm: u32,
    pub concurrency: usize,
    pub max_attempts: u32,
    pub max_retry_after_s: u64,
    pub request_timeout_s: u64,
    pub max_input_tokens_per_card: usize,
    /// The model's context window, when the user knows it, so the first request already fits.
    /// Unset: learned from the first context-length error of the run.
    pub context_tokens: Option<u32>,
    pub budget_usd: f64,
    /// Targeted re-asks per card (and per insight) before the fallback.
    pub max_repairs: u32,
}

/// What a topic whose card stays invalid after every re-ask gets (`provider.fallback`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CardFallback {
    /// The extractive card for the same articles, marked as a fallback: no story is lost to one
    /// bad field.
    #[default]
    Extractive,
    /// No card: the topic fails with the validator's reason.
    None,
}

impl CardFallback {
    pub fn from_name(name: &str) -> Option<CardFallback> {
        match name {
            "extractive" => Some(CardFallback::Extractive),
            "none" => Some(CardFallback::None),
            _ => None,
        }
    }
}

/// USD per one million tokens.
#[derive(Debug, Clone, Copy)]
pub struct PricingConfig {
    pub input: f64,
    pub output: f64,
}

#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// The sled directory, used when no URL is set.
    pub path: PathBuf,
    /// A PostgreSQL store (`store.url` or `NEWSDESK_STORE_URL`); shows without its password.
    pub url: Option<crate::store::pg::PgUrl>,
}

impl StoreConfig {
    /// Where the store is: the PostgreSQL URL when one is set, else the directory.
    pub fn location(&self) -> crate::store::StoreLocation {
        match &self.url {
            Some(url) => crate::store::StoreLocation::Postgres(Box::new(url.clone())),
            None => crate::store::StoreLocation::Dir(self.path.clone()),
        }
    }
}
