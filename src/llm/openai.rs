//! Any OpenAI-compatible chat endpoint, through async-openai. In: a `ChatRequest`; out: the
//! assistant's text and token usage, or an `LlmError` that says whether trying again can help.
//! One HTTP attempt per call: async-openai's built-in retry is replaced by a bare tower service,
//! so `retry.rs` is the only place that retries. The API key goes into the Authorization header
//! and nowhere else — not into ids, errors, logs or the store (an error body that echoes it is
//! redacted before it becomes an `LlmError`).
//!
//! Wire quirks handled here: a reasoning model's leading `<think>…</think>` is stripped from the
//! content (and `reasoning_content` ignored), so validation, repair and the cache's parsed value
//! see only the answer; `Retry-After` is read against the run's `Clock`; OpenAI-style
//! `x-ratelimit-*` headers are handed to the rate limiter's observer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use async_trait::async_trait;
use serde_json::{Value, json};

use super::limits::RateHeaders;
use super::script_bias;
use super::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId, ResponseFormat, Usage};
use crate::clock::{Clock, SystemClock};
use crate::config::Secret;
use crate::model::Language;

/// Receives the rate headers of every response (the limiter's `Pacer::observe`).
pub type RateObserver = Arc<dyn Fn(RateHeaders) + Send + Sync>;

/// How the endpoint is reached and what it is told.
pub struct EndpointOptions {
    pub timeout: Duration,
    /// Where "now" comes from for HTTP-date `Retry-After` values.
    pub clock: Arc<dyn Clock>,
    /// The model is known to think aloud first: an unclosed `<think>` is then reported as
    /// reasoning that ran out of tokens rather than as invalid JSON.
    pub reasoning: bool,
    /// The server takes `schema` beside `{"type":"json_object"}` (preset `json_object_schema`).
    pub json_object_schema: bool,
    /// The server takes `logit_bias` and shows its vocabulary (`provider.script_bias`): requests
    /// with a `steer_script` carry the bias `script_bias` makes for it.
    pub script_bias: bool,
    pub rate_observer: Option<RateObserver>,
}

impl EndpointOptions {
    pub fn new(timeout: Duration) -> Self {
        EndpointOptions {
            timeout,
            clock: Arc::new(SystemClock),
            reasoning: false,
            json_object_schema: false,
            script_bias: false,
            rate_observer: None,
        }
    }
}

/// A non-2xx answer, carried through async-openai's error type so its status and Retry-After
/// survive whatever shape the body has (plain-text 429s included).
#[derive(Debug, thiserror::Error)]
#[error("HTTP {status}: {body}")]
struct HttpStatus {
    status: u16,
    retry_after: Option<Duration>,
    body: String,
}

pub struct OpenAiProvider {
    id: ProviderId,
    client: Client<OpenAIConfig>,
    timeout: Duration,
    reasoning: bool,
    json_object_schema: bool,
    /// Set when the server can be steered to a script (`EndpointOptions::script_bias`).
    steering: Option<Steering>,
}

/// What steering a model to a Chinese script needs: the server, and the bias for each script,
/// made once on first need (`None` when the server's vocabulary could not be read: the answer is
/// then converted locally, as everywhere else).
struct Steering {
    http: reqwest::Client,
    base_url: String,
    traditional: tokio::sync::OnceCell<Option<Arc<Value>>>,
    simplified: tokio::sync::OnceCell<Option<Arc<Value>>>,
}

impl Steering {
    async fn bias(&self, script: Language) -> Option<Arc<Value>> {
        let cell = match script {
            Language::ZhHant => &self.traditional,
            Language::ZhHans => &self.simplified,
            Language::En => return None,
        };
        cell.get_or_init(|| async {
            let started = Instant::now();
            match script_bias::read_vocabulary(&self.http, &self.base_url).await {
                Ok(pieces) => {
                    let bias = script_bias::script_bias(&pieces, script);
                    tracing::info!(
                        vocabulary = pieces.len(),
                        biased = bias.len(),
                        elapsed_ms = started.elapsed().as_millis() as u64,
                        "answers steered to {script} through logit_bias"
                    );
                    Some(Arc::new(script_bias::logit_bias_json(&bias)))
                }
                // The chat request that follows fails the same way and says what to do.
                Err(script_bias::VocabularyError::Unreachable(reason)) => {
                    tracing::debug!(%reason, "the server's vocabulary: no connection");
                    None
                }
                Err(reason) => {
                    tracing::warn!(
                        "cannot steer answers to {script} (provider.script_bias): the server's vocabulary could not be read: {reason}; the other script is converted locally instead (set provider.script_bias = false for servers other than llama.cpp's own)"
                    );
                    None
                }
            }
        })
        .await
        .clone()
    }
}

impl OpenAiProvider {
    /// `base_url` like `https://api.openai.com/v1`; `api_key` may be absent for local servers.
    pub fn new(
        base_url: &str,
        api_key: Option<&Secret>,
        timeout: Duration,
    ) -> Result<Self, LlmError> {
        Self::with_options(base_url, api_key, EndpointOptions::new(timeout))
    }

    pub fn with_options(
        base_url: &str,
        api_key: Option<&Secret>,
        options: EndpointOptions,
    ) -> Result<Self, LlmError> {
        let timeout = options.timeout;
        let host = url::Url::parse(base_url)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| match u.port() {
                    Some(p) => format!("{h}:{p}"),
                    None => h.to_string(),
                })
            })
            .ok_or_else(|| {
                LlmError::BadResponse(format!("provider base_url \"{base_url}\" is not a URL"))
            })?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .timeout(timeout)
            .build()
            .map_err(|e| LlmError::Connection(format!("cannot build HTTP client: {e}")))?;
        let steering = options.script_bias.then(|| Steering {
            http: http.clone(),
            base_url: base_url.to_string(),
            traditional: tokio::sync::OnceCell::new(),
            simplified: tokio::sync::OnceCell::new(),
        });
        let clock = options.clock.clone();
        let observer = options.rate_observer.clone();
        // Kept only to redact it from error bodies that echo the request back.
        let key = api_key.map(|k| k.expose().to_string()).unwrap_or_default();
        let service = tower::service_fn(move |factory: HttpRequestFactory| {
            let http = http.clone();
            let clock = clock.clone();
            let observer = observer.clone();
            let key = key.clone();
            async move {
                let request = factory.build().await?;
                let response = http.execute(request).await.map_err(OpenAIError::Reqwest)?;
                let headers = response.headers();
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                };
                if let (Some(observe), Some(rate)) = (&observer, RateHeaders::read(header)) {
                    observe(rate);
                }
                if response.status().is_success() {
                    return Ok(response);
                }
                let status = response.status().as_u16();
                let retry_after = header(reqwest::header::RETRY_AFTER.as_str())
                    .and_then(|v| super::retry::parse_retry_after(&v, clock.now()));
                let mut body = response.text().await.unwrap_or_default();
                if !key.is_empty() {
                    body = body.replace(&key, "[redacted]");
                }
                body.truncate(body.char_indices().nth(500).map_or(body.len(), |(i, _)| i));
                Err(OpenAIError::Boxed(Box::new(HttpStatus {
                    status,
                    retry_after,
                    body,
                })))
            }
        });
        let mut config = OpenAIConfig::new().with_api_base(base_url.trim_end_matches('/'));
        // Always set the key explicitly (empty for keyless local servers) so async-openai never
        // falls back to reading OPENAI_API_KEY behind the config's back.
        config = config.with_api_key(api_key.map(Secret::expose).unwrap_or(""));
        let client = Client::with_config(config).with_http_service(service);
        Ok(OpenAiProvider {
            id: ProviderId {
                kind: "openai".into(),
                host,
            },
            client,
            timeout,
            reasoning: options.reasoning,
            json_object_schema: options.json_object_schema,
            steering,
        })
    }
}

/// The JSON body sent for a request. `json_object_schema`: send the request's `schema` beside
/// `{"type":"json_object"}` (only servers that constrain their output to it get it).
pub fn request_body(req: &ChatRequest, json_object_schema: bool) -> Value {
    let mut body = json!({
        "model": req.model,
        "messages": req.messages,
        "stream": false,
    });
    let map = body.as_object_mut().expect("body is an object");
    if let Some(t) = req.temperature {
        map.insert("temperature".into(), json!(t));
    }
    if let Some(p) = req.top_p {
        map.insert("top_p".into(), json!(p));
    }
    if let Some(m) = req.max_tokens {
        map.insert("max_tokens".into(), json!(m));
    }
    if let Some(s) = req.seed {
        map.insert("seed".into(), json!(s));
    }
    match &req.response_format {
        ResponseFormat::JsonSchema { name, schema } => {
            map.insert(
                "response_format".into(),
                json!({"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": true}}),
            );
        }
        ResponseFormat::JsonObject => match req.schema.as_ref().filter(|_| json_object_schema) {
            Some(schema) => {
                map.insert(
                    "response_format".into(),
                    json!({"type": "json_object", "schema": schema}),
                );
            }
            None => {
                map.insert("response_format".into(), json!({"type": "json_object"}));
            }
        },
        ResponseFormat::Prompt => {}
    }
    body
}

/// The answer without a leading `<think>…</think>` block. An unclosed one means the reasoning
/// used up `max_tokens`; for a preset known to reason, that is said plainly.
pub fn strip_reasoning(content: &str, reasoning_model: bool) -> Result<&str, LlmError> {
    let trimmed = content.trim_start();
    let Some(after_open) = trimmed.strip_prefix("<think>") else {
        return Ok(content);
    };
    match after_open.find("</think>") {
        Some(end) => Ok(after_open[end + "</think>".len()..].trim_start()),
        None if reasoning_model => Err(LlmError::BadResponse(
            "the model's <think> reasoning never finished: it used up max_tokens before answering (raise provider.max_output_tokens)".into(),
        )),
        // Not known to reason: leave it to validation, whose message goes into the repair.
        None => Ok(content),
    }
}

fn map_error(err: OpenAIError, timeout: Duration) -> LlmError {
    match err {
        OpenAIError::Boxed(boxed) => match boxed.downcast::<HttpStatus>() {
            Ok(http) => LlmError::from_http(http.status, http.body, http.retry_after),
            Err(other) => match other.downcast::<OpenAIError>() {
                Ok(inner) => map_error(*inner, timeout),
                Err(other) => match other.downcast::<reqwest::Error>() {
                    Ok(e) => transport_error(&e, timeout),
                    Err(other) => LlmError::Connection(other.to_string()),
                },
            },
        },
        OpenAIError::Reqwest(e) => transport_error(&e, timeout),
        OpenAIError::ApiError(api) => {
            LlmError::from_http(api.status_code.as_u16(), api.api_error.to_string(), None)
        }
        OpenAIError::JSONDeserialize(e, _) => {
            LlmError::BadResponse(format!("response is not JSON: {e}"))
        }
        other => LlmError::BadResponse(other.to_string()),
    }
}

/// A transport failure: a timeout, a connection that could not be made at all (refused, DNS,
/// TLS: `Unreachable`, which the fail-fast layer counts), or one lost mid-exchange.
fn transport_error(e: &reqwest::Error, timeout: Duration) -> LlmError {
    // reqwest's Display stops at "error sending request for url (…)"; the innermost cause says
    // what happened ("tcp connect error: Connection refused (os error 111)").
    let mut innermost: &dyn std::error::Error = e;
    while let Some(cause) = innermost.source() {
        innermost = cause;
    }
    let reason = if std::ptr::addr_eq(innermost, e as &dyn std::error::Error) {
        e.to_string()
    } else {
        innermost.to_string()
    };
    if e.is_timeout() {
        LlmError::Timeout(timeout)
    } else if e.is_connect() {
        LlmError::Unreachable(reason)
    } else {
        LlmError::Connection(format!("{e}: {reason}"))
    }
}

#[async_trait]
impl Provider for OpenAiProvider {
    fn id(&self) -> &ProviderId {
        &self.id
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let started = Instant::now();
        let mut sent = request_body(req, self.json_object_schema);
        if let (Some(steering), Some(script)) = (&self.steering, req.steer_script)
            && let Some(bias) = steering.bias(script).await
        {
            sent["logit_bias"] = (*bias).clone();
        }
        let body: Value = self
            .client
            .chat()
            .create_byot(sent)
            .await
            .map_err(|e| map_error(e, self.timeout))?;
        // `reasoning_content` (DeepSeek-R1, Qwen3 through vLLM) is never read: only the answer is.
        let raw_content = body
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                LlmError::BadResponse("no choices[0].message.content in the response".into())
            })?;
        let content = strip_reasoning(raw_content, self.reasoning)?.to_string();
        let usage = Usage {
            prompt_tokens: body
                .pointer("/usage/prompt_tokens")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            completion_tokens: body
                .pointer("/usage/completion_tokens")
                .and_then(Value::as_u64)
                .unwrap_or(0),
        };
        Ok(ChatResponse {
            content,
            usage,
            latency_ms: started.elapsed().as_millis() as u64,
            cached: false,
            raw: Some(body),
            structured_output: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_think_block_is_stripped_before_the_answer_is_read() {
        let content = "<think>\nThe user wants a card. {\"title\": \"draft\"}\n</think>\n\n{\"title\": \"real\"}";
        assert_eq!(
            strip_reasoning(content, false).unwrap(),
            "{\"title\": \"real\"}"
        );
        assert_eq!(strip_reasoning("  <think></think>{}", true).unwrap(), "{}");
        assert_eq!(
            strip_reasoning("{\"a\": \"<think>\"}", true).unwrap(),
            "{\"a\": \"<think>\"}"
        );
        let unfinished = strip_reasoning("<think>still thinking", true).unwrap_err();
        assert!(
            unfinished.to_string().contains("max_output_tokens"),
            "{unfinished}"
        );
        // A model not known to reason gets the text back, for validation to explain.
        assert_eq!(
            strip_reasoning("<think>oops", false).unwrap(),
            "<think>oops"
        );
    }

    #[test]
    fn json_object_carries_the_schema_only_where_the_server_takes_it() {
        let mut req = ChatRequest::new(
            super::super::Namespace::Card,
            "m",
            vec![super::super::Message::user("hi")],
            ResponseFormat::JsonObject,
        );
        assert_eq!(
            request_body(&req, true)["response_format"],
            json!({"type": "json_object"})
        );
        req.schema = Some(json!({"type": "object"}));
        assert_eq!(
            request_body(&req, false)["response_format"],
            json!({"type": "json_object"}),
            "a server not known to take it never gets a schema with json_object"
        );
        assert_eq!(
            request_body(&req, true)["response_format"],
            json!({"type": "json_object", "schema": {"type": "object"}})
        );
    }
}
