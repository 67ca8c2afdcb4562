//! `newsdesk.toml` plus environment overrides, validated once. In: a TOML file and the process
//! environment; out: plain typed structs (`types.rs`), or one error listing every problem with
//! its key. Nothing downstream re-reads TOML or the environment.
//!
//! Parts: `types.rs` (the structs), `presets.rs` (the provider table), `env.rs` (overrides),
//! `validate.rs` + `digest.rs` + `provider.rs` (the walk that collects problems).

mod collect;
pub mod deliver;
mod digest;
mod env;
mod presets;
mod provider;
mod types;
mod validate;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use env::{BASE_URL as BASE_URL_ENV, Env, PG_PASSWORD, ProcessEnv};
pub use presets::{PRESETS, Preset, preset};
pub use types::*;

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
        Config::parse_with(text, file, env, true)
    }

    /// A run's recorded config, for `replay`: everything validated as usual except the
    /// `[[deliver]]` targets, which are left out — a replay sends nothing, and their secrets
    /// are not in the recorded environment.
    pub fn parse_recorded(
        text: &str,
        file: Option<&std::path::Path>,
        env: &dyn Env,
    ) -> Result<Config, ConfigError> {
        Config::parse_with(text, file, env, false)
    }

    fn parse_with(
        text: &str,
        file: Option<&std::path::Path>,
        env: &dyn Env,
        with_delivery: bool,
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
        let mut v = validate::Validator {
            skip_delivery: !with_delivery,
            ..Default::default()
        };
        let config = v.config(&table, &base_dir, env);
        match (config, v.problems.is_empty()) {
            (Some(mut config), true) => {
                config.file = file.map(|p| p.to_path_buf());
                config.hash = blake3::hash(text.as_bytes()).to_hex()[..16].to_string();
                config.text = text.to_string();
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

    /// Checks that a run calling the provider as `kind` has its API key. Asked by the command
    /// that knows the run's effective provider and cache mode (a `--provider extractive` or
    /// `--cache-mode replay` run never needs a key; `--provider openai` on an extractive config
    /// does), so loading a config never fails for a key the run would not use.
    pub fn require_api_key(&self, kind: ProviderKind) -> Result<(), ConfigError> {
        let p = &self.provider;
        if kind != ProviderKind::OpenAi || !p.key_required || p.api_key.is_some() {
            return Ok(());
        }
        Err(ConfigError::Invalid {
            path: self
                .file
                .clone()
                .unwrap_or_else(|| PathBuf::from("<config>")),
            problems: vec![Problem {
                key: "provider.api_key_env".into(),
                message: format!(
                    "environment variable {} is not set (export it, or run with --provider extractive to run without a model)",
                    p.api_key_env
                ),
            }],
        })
    }
}
