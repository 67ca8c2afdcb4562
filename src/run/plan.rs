//! The run plan: everything a night derives from the validated config and the command line,
//! decided once. In: a `Config` (with the text it was read from) and `RunOptions`; out: the
//! layout, the window, the prompts, the model settings and provider stack, the config hash, and
//! whether this is a live night or a replay. The steps read the plan; none re-derives a setting.
//!
//! `ModelPlan` is the model side on its own: the weekly roll-up and eval variants build their
//! provider and writer through it too, so a fixture's request (and cache key) is the one a run
//! makes for the same articles.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::manifest::{self, ArticleRef, RecordedConfig};
use super::{ReplayInput, RunError, RunOptions, window};
use crate::clock::Clock;
use crate::config::{Config, Env, Layout, LimitsConfig, ProviderConfig, ProviderKind};
use crate::llm::cached::{CacheMode, Cached, Offline};
use crate::llm::telemetry::Telemetry;
use crate::llm::{self, LlmError, Provider, Stack};
use crate::model::Previously;
use crate::store::Store;
use crate::write::prompts::Prompts;
use crate::write::{CallSettings, Writer};

/// The provider config with the command line's overrides applied, and what follows from it.
#[derive(Debug, Clone)]
pub struct ModelPlan {
    pub provider: ProviderConfig,
    pub limits: LimitsConfig,
    /// The request settings every call of this plan is made with.
    pub settings: CallSettings,
}

impl ModelPlan {
    /// `config`'s provider, as `kind` (`--provider`) and with `budget_usd` (`--budget-usd`)
    /// when given.
    pub fn new(config: &Config, kind: Option<ProviderKind>, budget_usd: Option<f64>) -> Self {
        let mut provider = config.provider.clone();
        provider.kind = kind.unwrap_or(config.provider.kind);
        let mut limits = config.limits.clone();
        if let Some(budget) = budget_usd {
            limits.budget_usd = budget;
        }
        let settings = CallSettings::for_provider(&provider);
        ModelPlan {
            provider,
            limits,
            settings,
        }
    }

    /// The provider stack (pacing, retries, budget, cache) and its telemetry.
    pub fn stack(
        &self,
        config: &Config,
        store: Arc<dyn Store>,
        mode: CacheMode,
        clock: Arc<dyn Clock>,
    ) -> Result<(Stack, Arc<Telemetry>), LlmError> {
        llm::build_observed_stack(
            &self.provider,
            &self.limits,
            &config.pricing,
            store,
            mode,
            clock,
        )
    }

    /// The writer for `config`'s digest with this plan's settings.
    pub fn writer<'a>(
        &'a self,
        config: &'a Config,
        prompts: &'a Prompts,
        provider: &'a dyn Provider,
        previously: &'a BTreeMap<String, Previously>,
    ) -> Writer<'a> {
        Writer::new(config, prompts, provider, &self.settings, previously)
    }
}

/// One night, decided.
pub struct Plan<'a> {
    pub config: &'a Config,
    pub opts: &'a RunOptions,
    pub model: ModelPlan,
    /// The layout rendered: the recorded override (command line or replay), else the config's.
    pub layout: Layout,
    pub prompts: Prompts,
    pub template_hashes: BTreeMap<String, String>,
    /// `[start, end)` of the articles this digest covers.
    pub window: (DateTime<Utc>, DateTime<Utc>),
}

impl<'a> Plan<'a> {
    pub fn new(config: &'a Config, opts: &'a RunOptions) -> Result<Self, RunError> {
        let digest = &config.digest;
        Ok(Plan {
            config,
            opts,
            model: ModelPlan::new(config, opts.provider, opts.budget_usd),
            layout: opts.recorded_config.layout.unwrap_or(digest.layout),
            prompts: Prompts::load(digest.prompts_dir.as_deref())?,
            template_hashes: manifest::template_hashes(digest.templates_dir.as_deref()),
            window: window(
                opts.date,
                digest.timezone,
                digest.cutoff,
                digest.window_hours,
            ),
        })
    }

    /// The recorded night this plan rebuilds, if it is a replay.
    pub fn replay(&self) -> Option<&'a ReplayInput> {
        self.opts.replay.as_ref()
    }

    /// The provider stack: the configured one, or for a replay the store alone under the
    /// recorded provider's id (no call is ever sent).
    pub fn stack(
        &self,
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
    ) -> Result<(Stack, Arc<Telemetry>), RunError> {
        Ok(match self.replay() {
            Some(replay) => (
                Cached::new(
                    Box::new(Offline::new(replay.provider.clone())) as Box<dyn Provider>,
                    store,
                    CacheMode::Replay,
                    clock,
                ),
                Arc::new(Telemetry::default()),
            ),
            None => self
                .model
                .stack(self.config, store, self.opts.cache_mode, clock)?,
        })
    }

    /// The config hash the manifest records: the file's plus every value an override changes.
    pub fn config_hash(&self) -> String {
        manifest::effective_config_hash(
            &self.config.hash,
            self.model.provider.kind,
            &self.model.provider.base_url,
            &self.model.settings.model,
            self.model.limits.budget_usd,
            self.opts.recorded_config.layout,
        )
    }

    /// The run id: the recorded one for a replay, else derived from the inputs alone.
    pub fn run_id(&self, articles: &[ArticleRef]) -> String {
        match self.replay() {
            Some(replay) => replay.run_id.clone(),
            None => manifest::derive_run_id(
                self.opts.date,
                articles,
                &self.config_hash(),
                self.prompts.hashes(),
                &self.template_hashes,
            ),
        }
    }
}

/// The config as a manifest records it: the text it was parsed from and the behaviour-changing
/// environment overrides, never a key.
pub fn recorded_config(config: &Config, env: &dyn Env) -> RecordedConfig {
    RecordedConfig {
        file: config
            .file
            .as_deref()
            .map(|f| std::path::absolute(f).unwrap_or_else(|_| f.to_path_buf())),
        text: config.text.clone(),
        env: manifest::BEHAVIOUR_ENV
            .iter()
            .filter_map(|name| env.var(name).map(|v| (name.to_string(), v)))
            .collect(),
        layout: None,
    }
}
