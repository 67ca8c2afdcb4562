//! Validation of `[provider]` and `[limits]`. A preset (see `presets.rs`) fills the provider keys
//! the file leaves out; explicit keys win; the environment overrides base URL and model. An
//! unknown kind or preset is reported and walking goes on with the defaults, so the other
//! problems still show.

use super::Env;
use super::env::Overrides;
use super::presets::{self, PRESETS};
use super::types::{
    CardFallback, LimitsConfig, ProviderConfig, ProviderKind, Secret, StructuredOutput,
    TokenEncoding,
};
use super::validate::{Table, Validator};

/// The keys `[provider]` knows.
const PROVIDER_KEYS: &[&str] = &[
    "kind",
    "preset",
    "base_url",
    "model",
    "api_key_env",
    "structured_output",
    "json_object_schema",
    "reasoning",
    "string_lengths",
    "script_bias",
    "fallback",
    "token_encoding",
    "temperature",
    "top_p",
    "seed",
    "max_output_tokens",
];

impl Validator {
    pub(super) fn provider(
        &mut self,
        t: &Table,
        env: &dyn Env,
        overrides: &Overrides,
    ) -> Option<ProviderConfig> {
        const P: &str = "provider";
        self.unknown_keys(t, P, PROVIDER_KEYS);
        // Each check records its problem and walking goes on, so one pass lists them all; a
        // config with any problem never becomes a `ProviderConfig` (see `Config::parse`).
        let kind = self.provider_kind(t);
        let (preset_name, preset) = self.preset(t);
        // Unknown preset: go on with the first row's defaults so the remaining keys are checked.
        let defaults = preset.unwrap_or(&PRESETS[0]);
        let base_url = self.base_url(t, overrides, defaults.base_url);
        let model = match &overrides.model {
            Some(model) => Some(model.clone()),
            None => self.string(t, "model", P, Some(defaults.model)),
        };
        let api_key_env = self.string(t, "api_key_env", P, Some(defaults.api_key_env));
        let api_key = api_key_env
            .as_deref()
            .and_then(|name| env.var(name))
            .map(Secret::new);
        let structured_output = self.choice(
            t,
            "structured_output",
            defaults.structured_output,
            StructuredOutput::from_name,
            "a mode (expected json_schema, json_object or prompt)",
        );
        let token_encoding = self.choice(
            t,
            "token_encoding",
            defaults.token_encoding,
            TokenEncoding::from_name,
            "an encoding (expected o200k_base or cl100k_base)",
        );
        let json_object_schema =
            self.boolean(t, "json_object_schema", P, defaults.json_object_schema);
        let reasoning = self.boolean(t, "reasoning", P, defaults.reasoning);
        let string_lengths = self.boolean(t, "string_lengths", P, defaults.string_lengths);
        let script_bias = self.boolean(t, "script_bias", P, defaults.script_bias);
        let fallback = self.choice(
            t,
            "fallback",
            CardFallback::Extractive,
            CardFallback::from_name,
            "a fallback (expected extractive or none)",
        );
        let temperature = self.float(t, "temperature", P, 0.2, 0.0..=2.0) as f32;
        let top_p = t
            .contains_key("top_p")
            .then(|| self.float(t, "top_p", P, 1.0, 0.0..=1.0) as f32);
        let seed = t
            .contains_key("seed")
            .then(|| self.integer(t, "seed", P, 0, i64::MIN..=i64::MAX));
        let max_output_tokens = self.integer(t, "max_output_tokens", P, 1200, 64..=32768) as u32;
        Some(ProviderConfig {
            kind: kind?,
            preset: preset_name?,
            base_url: base_url?,
            model: model?,
            api_key_env: api_key_env?,
            api_key,
            key_required: preset?.key_required,
            structured_output,
            json_object_schema,
            reasoning,
            string_lengths,
            script_bias,
            fallback,
            token_encoding,
            temperature,
            top_p,
            seed,
            max_output_tokens,
        })
    }

    fn provider_kind(&mut self, t: &Table) -> Option<ProviderKind> {
        let name = self.string(t, "kind", "provider", Some("extractive"))?;
        let kind = ProviderKind::from_name(&name);
        if kind.is_none() {
            self.problem(
                "provider.kind",
                format!("\"{name}\" is not a provider kind (expected openai or extractive)"),
            );
        }
        kind
    }

    /// The preset's name and its row (`None` when the name is unknown, reported).
    fn preset(&mut self, t: &Table) -> (Option<String>, Option<&'static presets::Preset>) {
        let name = self.string(t, "preset", "provider", Some("openai"));
        let preset = name.as_deref().and_then(|name| {
            let preset = presets::preset(name);
            if preset.is_none() {
                self.problem(
                    "provider.preset",
                    format!(
                        "\"{name}\" is not a preset (expected one of: {})",
                        presets::names().join(", ")
                    ),
                );
            }
            preset
        });
        (name, preset)
    }

    /// `NEWSDESK_BASE_URL`, else `provider.base_url`, else the preset's; an http(s) URL.
    fn base_url(&mut self, t: &Table, overrides: &Overrides, default: &str) -> Option<String> {
        let base_url = match &overrides.base_url {
            Some(url) => Some(url.clone()),
            None => self.string(t, "base_url", "provider", Some(default)),
        };
        if let Some(url) = &base_url
            && !crate::text::url::is_absolute_http(url)
        {
            let source = if overrides.base_url.is_some() {
                format!(" (from {})", super::env::BASE_URL)
            } else {
                String::new()
            };
            self.problem(
                "provider.base_url",
                format!("\"{url}\"{source} is not an http(s) URL"),
            );
        }
        base_url
    }

    /// `provider.<key>` as one of the names `from_name` knows: absent is `default`; an unknown
    /// name is a problem naming what was expected, and `default` stands in so checking goes on.
    fn choice<T: Copy>(
        &mut self,
        t: &Table,
        key: &str,
        default: T,
        from_name: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> T {
        match t.get(key) {
            None => default,
            Some(v) => v.as_str().and_then(from_name).unwrap_or_else(|| {
                self.problem(format!("provider.{key}"), format!("{v} is not {expected}"));
                default
            }),
        }
    }

    pub(super) fn limits(&mut self, t: &Table) -> LimitsConfig {
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
                "context_tokens",
                "budget_usd",
                "max_repairs",
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
            context_tokens: t
                .contains_key("context_tokens")
                .then(|| self.integer(t, "context_tokens", P, 8192, 512..=10_000_000) as u32),
            budget_usd: self.float(t, "budget_usd", P, 1.0, 0.0..=10_000.0),
            max_repairs: self.integer(t, "max_repairs", P, 2, 0..=5) as u32,
        }
    }
}
