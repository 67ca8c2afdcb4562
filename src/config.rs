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

/// Provider presets: one row per OpenAI-compatible endpoint family. A preset fills the provider
/// keys the config leaves out; explicit keys always win.
pub struct Preset {
    pub name: &'static str,
    pub base_url: &'static str,
    pub model: &'static str,
    pub api_key_env: &'static str,
    pub structured_output: StructuredOutput,
    /// Local servers usually run without a key.
    pub key_required: bool,
}

pub const PRESETS: &[Preset] = &[
    Preset {
        name: "openai",
        base_url: "https://api.openai.com/v1",
        model: "gpt-4o-mini",
        api_key_env: "OPENAI_API_KEY",
        structured_output: StructuredOutput::JsonSchema,
        key_required: true,
    },
    Preset {
        name: "deepseek",
        base_url: "https://api.deepseek.com/v1",
        model: "deepseek-chat",
        api_key_env: "DEEPSEEK_API_KEY",
        structured_output: StructuredOutput::JsonObject,
        key_required: true,
    },
    Preset {
        name: "qwen",
        base_url: "https://dashscope.aliyuncs.com/compatible-mode/v1",
        model: "qwen-plus",
        api_key_env: "DASHSCOPE_API_KEY",
        structured_output: StructuredOutput::JsonObject,
        key_required: true,
    },
    Preset {
        name: "ollama",
        base_url: "http://127.0.0.1:11434/v1",
        model: "qwen2.5:7b",
        api_key_env: "OLLAMA_API_KEY",
        structured_output: StructuredOutput::JsonSchema,
        key_required: false,
    },
    Preset {
        name: "vllm",
        base_url: "http://127.0.0.1:8000/v1",
        model: "Qwen/Qwen2.5-7B-Instruct",
        api_key_env: "VLLM_API_KEY",
        structured_output: StructuredOutput::JsonSchema,
        key_required: false,
    },
    Preset {
        name: "llamacpp",
        base_url: "http://127.0.0.1:8080/v1",
        model: "default",
        api_key_env: "LLAMACPP_API_KEY",
        structured_output: StructuredOutput::JsonSchema,
        key_required: false,
    },
];

pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// One thing wrong with a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted key, e.g. `digest.language` or `sources[2].url`.
    pub key: String,
    pub message: String,
}

/// Every problem found in one config file, reported together.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "cannot read config file {path}: {reason} (pass --config FILE, or copy newsdesk.example.toml to newsdesk.toml)"
    )]
    Unreadable { path: PathBuf, reason: String },
    #[error("{path}: not valid TOML: {reason}")]
    Syntax { path: PathBuf, reason: String },
    #[error("{path}: {} problem(s):\n{}", problems.len(), problems.iter().map(|p| format!("  - {}: {}", p.key, p.message)).collect::<Vec<_>>().join("\n"))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

/// The environment variables config reads, passed in so tests never touch the real environment.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

impl Env for std::collections::BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

impl Config {
    /// Reads, parses and validates `path`, then applies environment overrides.
    pub fn load(path: &std::path::Path, env: &dyn Env) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Config::parse(&text, Some(path), env)
    }

    /// Parses and validates config text. `file` locates relative paths and names the file in errors.
    pub fn parse(
        text: &str,
        file: Option<&std::path::Path>,
        env: &dyn Env,
    ) -> Result<Config, ConfigError> {
        let display_path = file
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| PathBuf::from("<config>"));
        let table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| ConfigError::Syntax {
                    path: display_path.clone(),
                    reason: e.to_string(),
                })?;
        let base_dir = file
            .and_then(|f| f.parent())
            .map(|p| {
                if p.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    p.to_path_buf()
                }
            })
            .unwrap_or_else(|| PathBuf::from("."));
        let mut v = Validator {
            problems: Vec::new(),
        };
        let config = v.config(&table, &base_dir, env);
        match (config, v.problems.is_empty()) {
            (Some(mut config), true) => {
                config.file = file.map(|p| p.to_path_buf());
                config.hash = blake3::hash(text.as_bytes()).to_hex()[..16].to_string();
                Ok(config)
            }
            _ => Err(ConfigError::Invalid {
                path: display_path,
                problems: v.problems,
            }),
        }
    }

    /// The configured section with this id.
    pub fn section(&self, id: &str) -> Option<&SectionConfig> {
        self.digest.sections.iter().find(|s| s.id == id)
    }
}

/// Walks the TOML table, collecting every problem instead of stopping at the first.
struct Validator {
    problems: Vec<Problem>,
}

type Table = toml::Table;

impl Validator {
    fn problem(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            key: key.into(),
            message: message.into(),
        });
    }

    fn unknown_keys(&mut self, table: &Table, prefix: &str, known: &[&str]) {
        for key in table.keys() {
            if !known.contains(&key.as_str()) {
                self.problem(
                    join(prefix, key),
                    format!("unknown key (expected one of: {})", known.join(", ")),
                );
            }
        }
    }

    fn sub_table<'t>(&mut self, table: &'t Table, key: &str, prefix: &str) -> Option<&'t Table> {
        match table.get(key) {
            None => None,
            Some(toml::Value::Table(t)) => Some(t),
            Some(other) => {
                self.problem(
                    join(prefix, key),
                    format!("expected a table, found {}", other.type_str()),
                );
                None
            }
        }
    }

    fn string(
        &mut self,
        table: &Table,
        key: &str,
        prefix: &str,
        default: Option<&str>,
    ) -> Option<String> {
        match table.get(key) {
            None => {
                if default.is_none() {
                    self.problem(join(prefix, key), "missing (expected a string)");
                }
                default.map(str::to_string)
            }
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.problem(
                    join(prefix, key),
                    format!("expected a string, found {}", other.type_str()),
                );
                None
            }
        }
    }

    fn integer(
        &mut self,
        table: &Table,
        key: &str,
        prefix: &str,
        default: i64,
        range: std::ops::RangeInclusive<i64>,
    ) -> i64 {
        match table.get(key) {
            None => default,
            Some(toml::Value::Integer(n)) if range.contains(n) => *n,
            Some(toml::Value::Integer(n)) => {
                self.problem(
                    join(prefix, key),
                    format!(
                        "{n} is out of range (expected {}..={})",
                        range.start(),
                        range.end()
                    ),
                );
                default
            }
            Some(other) => {
                self.problem(
                    join(prefix, key),
                    format!("expected an integer, found {}", other.type_str()),
                );
                default
            }
        }
    }

    fn float(
        &mut self,
        table: &Table,
        key: &str,
        prefix: &str,
        default: f64,
        range: std::ops::RangeInclusive<f64>,
    ) -> f64 {
        let value = match table.get(key) {
            None => return default,
            Some(toml::Value::Float(f)) => *f,
            Some(toml::Value::Integer(n)) => *n as f64,
            Some(other) => {
                self.problem(
                    join(prefix, key),
                    format!("expected a number, found {}", other.type_str()),
                );
                return default;
            }
        };
        if !range.contains(&value) {
            self.problem(
                join(prefix, key),
                format!(
                    "{value} is out of range (expected {}..={})",
                    range.start(),
                    range.end()
                ),
            );
            return default;
        }
        value
    }

    fn boolean(&mut self, table: &Table, key: &str, prefix: &str, default: bool) -> bool {
        match table.get(key) {
            None => default,
            Some(toml::Value::Boolean(b)) => *b,
            Some(other) => {
                self.problem(
                    join(prefix, key),
                    format!("expected true or false, found {}", other.type_str()),
                );
                default
            }
        }
    }

    fn config(
        &mut self,
        root: &Table,
        base_dir: &std::path::Path,
        env: &dyn Env,
    ) -> Option<Config> {
        self.unknown_keys(
            root,
            "",
            &[
                "digest", "sources", "provider", "limits", "pricing", "store",
            ],
        );
        let empty = Table::new();
        let digest_table = self.sub_table(root, "digest", "").unwrap_or(&empty);
        let digest = self.digest(digest_table, base_dir);
        let sources = self.sources(root, base_dir);
        let provider_table = self.sub_table(root, "provider", "").unwrap_or(&empty);
        let provider = self.provider(provider_table, env);
        let limits_table = self.sub_table(root, "limits", "").unwrap_or(&empty);
        let limits = self.limits(limits_table);
        let pricing_table = self.sub_table(root, "pricing", "").unwrap_or(&empty);
        self.unknown_keys(pricing_table, "pricing", &["input", "output"]);
        let pricing = PricingConfig {
            input: self.float(pricing_table, "input", "pricing", 0.15, 0.0..=1000.0),
            output: self.float(pricing_table, "output", "pricing", 0.60, 0.0..=1000.0),
        };
        let store_table = self.sub_table(root, "store", "").unwrap_or(&empty);
        self.unknown_keys(store_table, "store", &["path"]);
        let store_path = env.var("NEWSDESK_STORE").map(PathBuf::from).or_else(|| {
            self.string(store_table, "path", "store", Some(".newsdesk/store"))
                .map(|p| base_dir.join(p))
        })?;
        Some(Config {
            file: None,
            hash: String::new(),
            digest: digest?,
            sources,
            provider: provider?,
            limits,
            pricing,
            store: StoreConfig { path: store_path },
        })
    }

    fn digest(&mut self, t: &Table, base_dir: &std::path::Path) -> Option<DigestConfig> {
        const P: &str = "digest";
        self.unknown_keys(
            t,
            P,
            &[
                "title",
                "language",
                "layout",
                "timezone",
                "window_hours",
                "cutoff",
                "max_topics",
                "focus_topics",
                "min_topics",
                "out_dir",
                "sections",
                "templates_dir",
                "prompts_dir",
            ],
        );
        let title = self.string(t, "title", P, Some("AI Daily"));
        let language = self
            .string(t, "language", P, Some("zh-Hant"))
            .and_then(|tag| {
                let lang = Language::from_tag(&tag);
                if lang.is_none() {
                    self.problem(
                        "digest.language",
                        format!("\"{tag}\" is not supported (expected zh-Hant, zh-Hans or en)"),
                    );
                }
                lang
            });
        let layout =
            self.string(t, "layout", P, Some("daily"))
                .and_then(|name| match name.as_str() {
                    "daily" => Some(Layout::Daily),
                    "speedread" => Some(Layout::Speedread),
                    "brief" => Some(Layout::Brief),
                    _ => {
                        self.problem(
                            "digest.layout",
                            format!(
                                "\"{name}\" is not a layout (expected daily, speedread or brief)"
                            ),
                        );
                        None
                    }
                });
        let timezone = self
            .string(t, "timezone", P, Some("Asia/Taipei"))
            .and_then(|name| {
                let tz = name.parse::<chrono_tz::Tz>().ok();
                if tz.is_none() {
                    self.problem(
                        "digest.timezone",
                        format!("\"{name}\" is not an IANA timezone (e.g. Asia/Taipei, UTC)"),
                    );
                }
                tz
            });
        let window_hours = self.integer(t, "window_hours", P, 24, 1..=24 * 14) as u32;
        let cutoff = match t.get("cutoff") {
            None => None,
            Some(toml::Value::String(s)) => {
                let parsed = NaiveTime::parse_from_str(s, "%H:%M").ok();
                if parsed.is_none() {
                    self.problem(
                        "digest.cutoff",
                        format!("\"{s}\" is not a time of day (expected \"HH:MM\")"),
                    );
                }
                parsed
            }
            Some(other) => {
                self.problem(
                    "digest.cutoff",
                    format!("expected a string \"HH:MM\", found {}", other.type_str()),
                );
                None
            }
        };
        let max_topics = self.integer(t, "max_topics", P, 48, 1..=500) as usize;
        let focus_topics = self.integer(t, "focus_topics", P, 6, 0..=50) as usize;
        let min_topics = self.integer(t, "min_topics", P, 5, 0..=500) as usize;
        if min_topics > max_topics {
            self.problem(
                "digest.min_topics",
                format!("{min_topics} is more than max_topics ({max_topics})"),
            );
        }
        let out_dir = self
            .string(t, "out_dir", P, Some("out"))
            .map(|p| base_dir.join(p));
        let templates_dir = t
            .contains_key("templates_dir")
            .then(|| self.string(t, "templates_dir", P, None))
            .flatten()
            .map(|p| base_dir.join(p));
        let prompts_dir = t
            .contains_key("prompts_dir")
            .then(|| self.string(t, "prompts_dir", P, None))
            .flatten()
            .map(|p| base_dir.join(p));
        let sections = self.sections(t);
        Some(DigestConfig {
            title: title?,
            language: language?,
            layout: layout?,
            timezone: timezone?,
            window_hours,
            cutoff,
            max_topics,
            focus_topics,
            min_topics,
            out_dir: out_dir?,
            sections,
            templates_dir,
            prompts_dir,
        })
    }

    fn sections(&mut self, t: &Table) -> Vec<SectionConfig> {
        let Some(value) = t.get("sections") else {
            self.problem(
                "digest.sections",
                "missing (expected at least one [[digest.sections]] with id, label and describe)",
            );
            return Vec::new();
        };
        let Some(array) = value.as_array() else {
            self.problem(
                "digest.sections",
                format!(
                    "expected an array of tables ([[digest.sections]]), found {}",
                    value.type_str()
                ),
            );
            return Vec::new();
        };
        if array.is_empty() {
            self.problem("digest.sections", "empty (expected at least one section)");
        }
        let mut sections: Vec<SectionConfig> = Vec::new();
        for (i, item) in array.iter().enumerate() {
            let prefix = format!("digest.sections[{i}]");
            let Some(st) = item.as_table() else {
                self.problem(&prefix, "expected a table with id, label and describe");
                continue;
            };
            self.unknown_keys(st, &prefix, &["id", "label", "describe"]);
            let id = self.string(st, "id", &prefix, None);
            let describe = self.string(st, "describe", &prefix, Some(""));
            let mut label = Labels::new();
            match st.get("label") {
                None => {}
                Some(toml::Value::String(s)) => {
                    for lang in Language::ALL {
                        label.insert(lang.tag().to_string(), s.clone());
                    }
                }
                Some(toml::Value::Table(lt)) => {
                    for (tag, v) in lt {
                        if Language::from_tag(tag).is_none() {
                            self.problem(
                                format!("{prefix}.label.{tag}"),
                                "unknown language (expected zh-Hant, zh-Hans or en)",
                            );
                        } else if let Some(s) = v.as_str() {
                            label.insert(tag.clone(), s.to_string());
                        } else {
                            self.problem(format!("{prefix}.label.{tag}"), "expected a string");
                        }
                    }
                }
                Some(other) => self.problem(
                    format!("{prefix}.label"),
                    format!(
                        "expected a string or a table of language = label, found {}",
                        other.type_str()
                    ),
                ),
            }
            if let Some(id) = id {
                if id.is_empty()
                    || !id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    self.problem(
                        format!("{prefix}.id"),
                        format!("\"{id}\" must be non-empty ASCII letters, digits, - or _"),
                    );
                } else if sections.iter().any(|s| s.id == id) {
                    self.problem(
                        format!("{prefix}.id"),
                        format!("\"{id}\" is used by an earlier section"),
                    );
                } else {
                    sections.push(SectionConfig {
                        id,
                        label,
                        describe: describe.unwrap_or_default(),
                    });
                }
            }
        }
        sections
    }

    fn sources(&mut self, root: &Table, base_dir: &std::path::Path) -> Vec<SourceConfig> {
        let Some(value) = root.get("sources") else {
            return Vec::new();
        };
        let Some(array) = value.as_array() else {
            self.problem(
                "sources",
                format!(
                    "expected an array of tables ([[sources]]), found {}",
                    value.type_str()
                ),
            );
            return Vec::new();
        };
        let mut sources: Vec<SourceConfig> = Vec::new();
        for (i, item) in array.iter().enumerate() {
            let prefix = format!("sources[{i}]");
            let Some(st) = item.as_table() else {
                self.problem(&prefix, "expected a table with name and url");
                continue;
            };
            self.unknown_keys(st, &prefix, &["name", "url", "tier", "full_text"]);
            let name = self.string(st, "name", &prefix, None);
            let url = self.string(st, "url", &prefix, None);
            let tier = self.integer(st, "tier", &prefix, 2, 1..=3) as u8;
            let full_text = self.boolean(st, "full_text", &prefix, false);
            let (Some(name), Some(url)) = (name, url) else {
                continue;
            };
            if sources.iter().any(|s| s.name == name) {
                self.problem(
                    format!("{prefix}.name"),
                    format!("\"{name}\" is used by an earlier source"),
                );
                continue;
            }
            let location = if url.starts_with("http://") || url.starts_with("https://") {
                if !crate::collect::url::is_absolute_http(&url) {
                    self.problem(
                        format!("{prefix}.url"),
                        format!("\"{url}\" is not a valid http(s) URL"),
                    );
                    continue;
                }
                SourceLocation::Url(url)
            } else if url.contains("://") {
                self.problem(
                    format!("{prefix}.url"),
                    format!("\"{url}\": only http(s) URLs and local paths are supported"),
                );
                continue;
            } else {
                SourceLocation::Path(base_dir.join(url))
            };
            sources.push(SourceConfig {
                name,
                location,
                tier,
                full_text,
            });
        }
        sources
    }

    fn provider(&mut self, t: &Table, env: &dyn Env) -> Option<ProviderConfig> {
        const P: &str = "provider";
        self.unknown_keys(
            t,
            P,
            &[
                "kind",
                "preset",
                "base_url",
                "model",
                "api_key_env",
                "structured_output",
                "temperature",
                "top_p",
                "seed",
                "max_output_tokens",
            ],
        );
        let kind = match self.string(t, "kind", P, Some("extractive"))?.as_str() {
            "openai" => ProviderKind::OpenAi,
            "extractive" => ProviderKind::Extractive,
            other => {
                self.problem(
                    "provider.kind",
                    format!("\"{other}\" is not a provider kind (expected openai or extractive)"),
                );
                return None;
            }
        };
        let preset_name = self.string(t, "preset", P, Some("openai"))?;
        let Some(preset) = preset(&preset_name) else {
            let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
            self.problem(
                "provider.preset",
                format!(
                    "\"{preset_name}\" is not a preset (expected one of: {})",
                    names.join(", ")
                ),
            );
            return None;
        };
        let base_url = env
            .var("OPENAI_BASE_URL")
            .or_else(|| self.string(t, "base_url", P, Some(preset.base_url)))?;
        if !crate::collect::url::is_absolute_http(&base_url) {
            self.problem(
                "provider.base_url",
                format!("\"{base_url}\" is not an http(s) URL"),
            );
        }
        let model = env
            .var("NEWSDESK_MODEL")
            .or_else(|| self.string(t, "model", P, Some(preset.model)))?;
        let api_key_env = self.string(t, "api_key_env", P, Some(preset.api_key_env))?;
        let api_key = env.var(&api_key_env).map(Secret::new);
        if kind == ProviderKind::OpenAi && preset.key_required && api_key.is_none() {
            self.problem("provider.api_key_env", format!("environment variable {api_key_env} is not set (export it, or set provider.kind = \"extractive\" to run without a model)"));
        }
        let structured_output = match t.get("structured_output") {
            None => preset.structured_output,
            Some(v) => match v.as_str() {
                Some("json_schema") => StructuredOutput::JsonSchema,
                Some("json_object") => StructuredOutput::JsonObject,
                Some("prompt") => StructuredOutput::Prompt,
                _ => {
                    self.problem(
                        "provider.structured_output",
                        format!("{v} is not a mode (expected json_schema, json_object or prompt)"),
                    );
                    preset.structured_output
                }
            },
        };
        let temperature = self.float(t, "temperature", P, 0.2, 0.0..=2.0) as f32;
        let top_p = t
            .contains_key("top_p")
            .then(|| self.float(t, "top_p", P, 1.0, 0.0..=1.0) as f32);
        let seed = t
            .contains_key("seed")
            .then(|| self.integer(t, "seed", P, 0, i64::MIN..=i64::MAX));
        let max_output_tokens = self.integer(t, "max_output_tokens", P, 1200, 64..=32768) as u32;
        Some(ProviderConfig {
            kind,
            preset: preset_name,
            base_url,
            model,
            api_key_env,
            api_key,
            structured_output,
            temperature,
            top_p,
            seed,
            max_output_tokens,
        })
    }

    fn limits(&mut self, t: &Table) -> LimitsConfig {
        const P: &str = "limits";
        self.unknown_keys(
            t,
            P,
            &[
                "rpm",
                "tpm",
                "concurrency",
                "max_attempts",
                "max_retry_after_s",
                "request_timeout_s",
                "max_input_tokens_per_card",
                "budget_usd",
            ],
        );
        LimitsConfig {
            rpm: self.integer(t, "rpm", P, 500, 1..=1_000_000) as u32,
            tpm: self.integer(t, "tpm", P, 200_000, 1_000..=100_000_000) as u32,
            concurrency: self.integer(t, "concurrency", P, 8, 1..=256) as usize,
            max_attempts: self.integer(t, "max_attempts", P, 6, 1..=20) as u32,
            max_retry_after_s: self.integer(t, "max_retry_after_s", P, 120, 0..=3600) as u64,
            request_timeout_s: self.integer(t, "request_timeout_s", P, 120, 1..=3600) as u64,
            max_input_tokens_per_card: self.integer(
                t,
                "max_input_tokens_per_card",
                P,
                6000,
                500..=1_000_000,
            ) as usize,
            budget_usd: self.float(t, "budget_usd", P, 1.0, 0.0..=10_000.0),
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const MINIMAL: &str = "[[digest.sections]]\nid = \"models\"\nlabel = \"Models\"\n";

    fn problems(text: &str, env_pairs: &[(&str, &str)]) -> Vec<Problem> {
        match Config::parse(text, Some(Path::new("/etc/newsdesk.toml")), &env(env_pairs)) {
            Err(ConfigError::Invalid { problems, .. }) => problems,
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    use std::path::Path;

    #[test]
    fn example_and_demo_configs_are_valid() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let example = root.join("newsdesk.example.toml");
        let config = Config::load(&example, &env(&[("OPENAI_API_KEY", "sk-x")])).unwrap();
        assert_eq!(config.provider.kind, ProviderKind::OpenAi);
        assert_eq!(
            config.provider.structured_output,
            StructuredOutput::JsonSchema
        );
        assert!(config.sources.len() >= 4);
        assert_eq!(config.digest.sections.len(), 4);
        assert_eq!(config.hash.len(), 16);
        let demo = Config::load(&root.join("fixtures/demo/newsdesk.toml"), &env(&[])).unwrap();
        assert_eq!(demo.provider.kind, ProviderKind::Extractive);
        assert_eq!(
            demo.sources[0].location,
            SourceLocation::Path(root.join("fixtures/demo/../days/2026-01-05"))
        );
    }

    #[test]
    fn defaults_fill_a_minimal_file() {
        let config = Config::parse(MINIMAL, None, &env(&[])).unwrap();
        assert_eq!(config.digest.language, Language::ZhHant);
        assert_eq!(config.digest.window_hours, 24);
        assert_eq!(config.provider.kind, ProviderKind::Extractive);
        assert_eq!(config.limits.max_attempts, 6);
        assert_eq!(config.digest.sections[0].label_for(Language::En), "Models");
    }

    #[test]
    fn every_problem_is_reported_with_its_key() {
        let text = "[digest]\nlanguage = \"fr\"\nwindow_hours = 0\ncolour = 1\ncutoff = \"late\"\n\
                    [[digest.sections]]\nid = \"bad id\"\n[[sources]]\nname = \"x\"\nurl = \"ftp://x\"\n\
                    [limits]\nrpm = \"fast\"\n";
        let keys: Vec<String> = problems(text, &[]).into_iter().map(|p| p.key).collect();
        for key in [
            "digest.language",
            "digest.window_hours",
            "digest.colour",
            "digest.cutoff",
            "digest.sections[0].id",
            "sources[0].url",
            "limits.rpm",
        ] {
            assert!(
                keys.contains(&key.to_string()),
                "{key} missing from {keys:?}"
            );
        }
    }

    #[test]
    fn openai_without_its_key_names_the_variable_and_env_overrides_apply() {
        let text = format!("{MINIMAL}[provider]\nkind = \"openai\"\npreset = \"deepseek\"\n");
        let found = problems(&text, &[]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "provider.api_key_env");
        assert!(found[0].message.contains("DEEPSEEK_API_KEY"));

        let config = Config::parse(
            &text,
            None,
            &env(&[
                ("DEEPSEEK_API_KEY", "sk-secret"),
                ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
                ("NEWSDESK_MODEL", "m2"),
                ("NEWSDESK_STORE", "/tmp/st"),
            ]),
        )
        .unwrap();
        assert_eq!(config.provider.base_url, "http://127.0.0.1:9/v1");
        assert_eq!(config.provider.model, "m2");
        assert_eq!(
            config.provider.structured_output,
            StructuredOutput::JsonObject
        );
        assert_eq!(config.store.path, PathBuf::from("/tmp/st"));
        assert_eq!(
            config.provider.api_key.as_ref().unwrap().expose(),
            "sk-secret"
        );
        assert!(
            !format!("{config:?}").contains("sk-secret"),
            "Debug never shows the key"
        );
    }

    #[test]
    fn local_presets_need_no_key_and_syntax_errors_name_the_file() {
        let text = format!("{MINIMAL}[provider]\nkind = \"openai\"\npreset = \"ollama\"\n");
        let config = Config::parse(&text, None, &env(&[])).unwrap();
        assert!(config.provider.api_key.is_none());
        assert_eq!(config.provider.base_url, "http://127.0.0.1:11434/v1");

        let err =
            Config::parse("[digest\n", Some(Path::new("/etc/nd.toml")), &env(&[])).unwrap_err();
        assert!(
            err.to_string().starts_with("/etc/nd.toml: not valid TOML"),
            "{err}"
        );
    }
}
