//! The LLM seam. In: a `ChatRequest` (namespace, model, rendered messages, response format,
//! sampling parameters); out: a `ChatResponse` (content, usage, latency). Providers compose as
//! layers — `Cached(Limited(Retrying(OpenAi)))` — each in its own file, none aware of the others.

pub mod blocks;
pub mod bounds;
pub mod breaker;
pub mod budget;
pub mod cached;
pub mod context;
pub mod extractive;
pub mod fallback;
pub mod limits;
pub mod openai;
pub mod retry;
pub mod schema;
pub mod script_bias;
pub mod telemetry;
#[cfg(test)]
pub(crate) mod testing;

use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// What a call is for; part of the cache key, so the same messages in two roles never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Namespace {
    Card,
    Insight,
    Triage,
    Judge,
    Embed,
    /// The weekly roll-up: one call per theme and one overview call.
    Weekly,
    /// One line for each story past `max_topics`, all in one call.
    More,
}

impl Namespace {
    pub const ALL: [Namespace; 7] = [
        Namespace::Card,
        Namespace::Insight,
        Namespace::Triage,
        Namespace::Judge,
        Namespace::Embed,
        Namespace::Weekly,
        Namespace::More,
    ];

    pub fn from_name(name: &str) -> Option<Namespace> {
        Namespace::ALL.into_iter().find(|n| n.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Namespace::Card => "card",
            Namespace::Insight => "insight",
            Namespace::Triage => "triage",
            Namespace::Judge => "judge",
            Namespace::Embed => "embed",
            Namespace::Weekly => "weekly",
            Namespace::More => "more",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn system(content: impl Into<String>) -> Self {
        Message {
            role: Role::System,
            content: content.into(),
        }
    }
    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// How the provider is asked for structured output (DESIGN §5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    /// `response_format: {type: json_schema, json_schema: {name, schema, strict: true}}`.
    JsonSchema {
        name: String,
        schema: serde_json::Value,
    },
    /// `response_format: {type: json_object}`; the prompt itself must say "json".
    JsonObject,
    /// No response_format; the schema is in the prompt and a fenced JSON block is extracted.
    Prompt,
}

impl ResponseFormat {
    /// The mode's name as config and manifests spell it.
    pub fn mode_name(&self) -> &'static str {
        match self {
            ResponseFormat::JsonSchema { .. } => "json_schema",
            ResponseFormat::JsonObject => "json_object",
            ResponseFormat::Prompt => "prompt",
        }
    }
}

/// One chat call, fully rendered. Everything here except `namespace`-independent transport
/// details goes into the cache key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    pub namespace: Namespace,
    pub model: String,
    pub messages: Vec<Message>,
    pub response_format: ResponseFormat,
    pub temperature: Option<f32>,
    pub top_p: Option<f32>,
    pub max_tokens: Option<u32>,
    pub seed: Option<i64>,
    /// 0 for production; eval repeats use 1..N so each repeat is its own cache entry.
    pub repeat: u32,
    /// The Chinese script (zh-Hant or zh-Hans) the answer is to be written in, where the provider
    /// steers sampling to it (`script_bias`); part of the cache key when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steer_script: Option<crate::model::Language>,
    /// The JSON Schema the answer must satisfy, whatever the mode, so a weaker mode can still
    /// carry it (json_object + `schema` where the server takes it). Not part of the cache key:
    /// it is already in `response_format` or in the prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<serde_json::Value>,
}

impl ChatRequest {
    /// A request with no sampling parameters set (the provider's defaults) and repeat 0.
    pub fn new(
        namespace: Namespace,
        model: impl Into<String>,
        messages: Vec<Message>,
        response_format: ResponseFormat,
    ) -> Self {
        ChatRequest {
            namespace,
            model: model.into(),
            messages,
            response_format,
            temperature: None,
            top_p: None,
            max_tokens: None,
            seed: None,
            repeat: 0,
            steer_script: None,
            schema: None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// The assistant message text (for `prompt` mode, still with any fences around the JSON).
    pub content: String,
    pub usage: Usage,
    pub latency_ms: u64,
    /// True when the cache layer answered; the provider was not called.
    #[serde(default)]
    pub cached: bool,
    /// The endpoint's whole response body, kept in the cache for audits and replays
    /// (`None` for providers that have no wire format, like the extractive baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<serde_json::Value>,
    /// The structured-output mode the answer was obtained with — "json_schema", "json_object",
    /// "json_object+schema" (json_object with `schema` in the body) or "prompt" — set by the
    /// fallback layer; `None` for providers that have no modes (extractive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_output: Option<String>,
}

impl ChatResponse {
    /// The server stopped the answer at `max_tokens` (`finish_reason: "length"` in the wire
    /// response): what is there is cut off, not finished.
    pub fn ran_out_of_tokens(&self) -> bool {
        self.raw
            .as_ref()
            .and_then(|raw| raw.pointer("/choices/0/finish_reason"))
            .and_then(serde_json::Value::as_str)
            == Some("length")
    }
}

/// Identifies an endpoint in cache keys and manifests: kind + base URL host (never the key).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ProviderId {
    pub kind: String,
    pub host: String,
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}@{}", self.kind, self.host)
        }
    }
}

/// Errors a caller branches on: retry layers look at `is_retryable`, the pipeline records the rest
/// as a topic failure.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("provider returned HTTP {status}: {message}")]
    Http {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("request timed out after {0:?}")]
    Timeout(Duration),
    #[error("connection failed: {0}")]
    Connection(String),
    /// No connection could be made at all (refused, DNS, TLS): retried, and counted by the
    /// fail-fast layer (`breaker.rs`).
    #[error("cannot connect: {0}")]
    Unreachable(String),
    /// The fail-fast layer has decided the provider cannot answer this run (unreachable, or the
    /// key refused); every LLM call of the run fails with this one message.
    #[error("{0}")]
    ProviderDown(String),
    #[error(
        "cache miss in replay mode for {namespace} call {key} (run without --cache-mode replay to call the provider)"
    )]
    ReplayMiss {
        namespace: &'static str,
        key: String,
    },
    #[error("budget exhausted: {0}")]
    BudgetExhausted(String),
    #[error("could not read the provider's response: {0}")]
    BadResponse(String),
    #[error("store error: {0}")]
    Store(#[from] crate::store::StoreError),
    /// The server rejected the request's structured-output mode (an error naming
    /// `response_format`, `json_schema` or `schema`). Deterministic: never retried as transient.
    #[error("provider rejected the structured-output mode (HTTP {status}): {message}")]
    Unsupported { status: u16, message: String },
    /// The request does not fit the model's context window.
    #[error("request does not fit the model's context window{}: {message}", window.map(|w| format!(" of {w} tokens")).unwrap_or_default())]
    ContextOverflow {
        window: Option<u32>,
        message: String,
    },
}

impl LlmError {
    /// 429, 5xx, timeouts and connection resets are worth another attempt; nothing else is
    /// (`Unsupported` and `ContextOverflow` are deterministic, whatever their status).
    pub fn is_retryable(&self) -> bool {
        match self {
            LlmError::Http { status, .. } => *status == 429 || *status >= 500,
            LlmError::Timeout(_) | LlmError::Connection(_) | LlmError::Unreachable(_) => true,
            _ => false,
        }
    }

    /// The provider cannot answer this run at all (see `breaker.rs`), or the store cannot record
    /// its answers (a database connection lost): every later call would fail the same way, so
    /// the LLM stages stop instead of trying every topic.
    pub fn is_fatal(&self) -> bool {
        matches!(self, LlmError::ProviderDown(_) | LlmError::Store(_))
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            LlmError::Http { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub fn is_rate_limited(&self) -> bool {
        matches!(self, LlmError::Http { status: 429, .. })
    }

    /// Sorts an HTTP error answer into the kinds callers branch on: a rejected structured-output
    /// mode (400/422/500 whose message names `response_format`, `json_schema` or `schema`), a
    /// context-window overflow (the window parsed from OpenAI, vLLM and llama.cpp messages), or
    /// a plain `Http` error.
    pub fn from_http(status: u16, message: String, retry_after: Option<Duration>) -> LlmError {
        if matches!(status, 400 | 413 | 422 | 500) {
            if let Some(window) = context::overflow_window(&message) {
                return LlmError::ContextOverflow {
                    window: window.window,
                    message,
                };
            }
        }
        if matches!(status, 400 | 422 | 500) && fallback::names_structured_output(&message) {
            return LlmError::Unsupported { status, message };
        }
        LlmError::Http {
            status,
            message,
            retry_after,
        }
    }
}

/// Anything that answers a chat request: a real endpoint, the extractive baseline, a cache layer.
#[async_trait]
pub trait Provider: Send + Sync {
    fn id(&self) -> &ProviderId;
    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError>;
}

#[async_trait]
impl<P: Provider + ?Sized> Provider for std::sync::Arc<P> {
    fn id(&self) -> &ProviderId {
        (**self).id()
    }
    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        (**self).chat(req).await
    }
}

#[async_trait]
impl Provider for Box<dyn Provider> {
    fn id(&self) -> &ProviderId {
        (**self).id()
    }
    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        (**self).chat(req).await
    }
}

/// A run's whole provider stack, as `build_stack` returns it.
pub type Stack = cached::Cached<Box<dyn Provider>>;

/// The provider stack for a run, outermost first:
/// `Cached(Budgeted(Structured(Fitted(Retrying(Breaker(Limited(OpenAi)))))))` for a real endpoint,
/// `Cached(Extractive)` for the baseline (no limits or budget: it costs nothing).
/// - the cache is outermost so a hit costs no rate-limit tokens and no budget;
/// - the budget reserves once per logical call, whatever happens below it;
/// - the fallback and context layers re-send a request *differently* (weaker mode, fewer article
///   tokens), which is not a transient retry, so they sit above the retry layer;
/// - the breaker sits under the retry layer so it sees every attempt and can end a ladder early;
/// - the limiter is innermost so every attempt, retries included, is paced and charged.
pub fn build_stack(
    provider: &crate::config::ProviderConfig,
    limits: &crate::config::LimitsConfig,
    pricing: &crate::config::PricingConfig,
    store: std::sync::Arc<dyn crate::store::Store>,
    mode: cached::CacheMode,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
) -> Result<Stack, LlmError> {
    build_observed_stack(provider, limits, pricing, store, mode, clock).map(|(stack, _)| stack)
}

/// `build_stack`, plus the telemetry its layers report into (retries, 429s, fallback steps,
/// context trims) for the progress bar, the run report and the manifest.
pub fn build_observed_stack(
    provider: &crate::config::ProviderConfig,
    limits: &crate::config::LimitsConfig,
    pricing: &crate::config::PricingConfig,
    store: std::sync::Arc<dyn crate::store::Store>,
    mode: cached::CacheMode,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
) -> Result<(Stack, std::sync::Arc<telemetry::Telemetry>), LlmError> {
    use std::sync::Arc;
    let telemetry = Arc::new(telemetry::Telemetry::default());
    let inner: Box<dyn Provider> = match provider.kind {
        crate::config::ProviderKind::Extractive => Box::new(extractive::Extractive::new()),
        crate::config::ProviderKind::OpenAi => {
            let estimator = budget::Estimator::new(provider.token_encoding);
            let pacer = Arc::new(limits::Pacer::new(limits.rpm, limits.tpm));
            let observer_pacer = pacer.clone();
            let endpoint = openai::OpenAiProvider::with_options(
                &provider.base_url,
                provider.api_key.as_ref(),
                openai::EndpointOptions {
                    timeout: Duration::from_secs(limits.request_timeout_s),
                    clock: clock.clone(),
                    reasoning: provider.reasoning,
                    json_object_schema: provider.json_object_schema,
                    script_bias: provider.script_bias,
                    rate_observer: Some(Arc::new(move |headers| observer_pacer.observe(headers))),
                },
            )?;
            let max_retry_after = Duration::from_secs(limits.max_retry_after_s);
            let limited = limits::Limited::new(
                endpoint,
                pacer,
                estimator,
                limits.concurrency,
                max_retry_after,
                telemetry.clone(),
            );
            let breaker = breaker::Breaker::new(limited, &provider.base_url, &provider.api_key_env);
            let retrying = retry::Retrying::new(breaker, limits.max_attempts, max_retry_after)
                .with_telemetry(telemetry.clone());
            let fitted = context::Fitted::new(
                retrying,
                limits.context_tokens,
                estimator,
                telemetry.clone(),
            );
            let structured =
                fallback::Structured::new(fitted, provider.json_object_schema, telemetry.clone());
            Box::new(budget::Budgeted::new(
                structured,
                limits.budget_usd,
                *pricing,
                estimator,
            ))
        }
    };
    Ok((cached::Cached::new(inner, store, mode, clock), telemetry))
}
