//! `newsdesk.toml` plus environment overrides, validated once. In: a TOML file and the process
//! environment; out: plain typed structs, or one error listing every problem with its key.
//! Nothing downstream re-reads TOML or the environment.

use std::path::PathBuf;

use chrono::NaiveTime;

use crate::model::{Labels, Language};

#[derive(Debug, Clone)]
pub struct Config {
    /// The file this was loaded from; relative source paths and dirs resolve against its folder.
    pub file: Option<PathBuf>,
    /// blake3 of the config file's bytes, recorded in run manifests.
    pub hash: String,
    pub digest: DigestConfig,
    pub sources: Vec<SourceConfig>,
    pub provider: ProviderConfig,
    pub limits: LimitsConfig,
    pub pricing: PricingConfig,
    pub store: StoreConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Daily,
    Speedread,
    Brief,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    OpenAi,
    Extractive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StructuredOutput {
    JsonSchema,
    JsonObject,
    Prompt,
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
    pub structured_output: StructuredOutput,
    pub temperature: f32,
    pub top_p: Option<f32>,
    pub seed: Option<i64>,
    pub max_output_tokens: u32,
}

#[derive(Debug, Clone)]
pub struct LimitsConfig {
    pub rpm: u32,
    pub tpm: u32,
    pub concurrency: usize,
    pub max_attempts: u32,
    pub max_retry_after_s: u64,
    pub request_timeout_s: u64,
    pub max_input_tokens_per_card: usize,
    pub budget_usd: f64,
}

/// USD per one million tokens.
#[derive(Debug, Clone, Copy)]
pub struct PricingConfig {
    pub input: f64,
    pub output: f64,
}

#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub path: PathBuf,
}
