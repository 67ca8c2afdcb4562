//! Any OpenAI-compatible chat endpoint, through async-openai. In: a `ChatRequest`; out: the
//! assistant's text and token usage, or an `LlmError` that says whether trying again can help.
//! One HTTP attempt per call: async-openai's built-in retry is replaced by a bare tower service,
//! so `retry.rs` is the only place that retries. The API key goes into the Authorization header
//! and nowhere else — not into ids, errors, logs or the store.

use std::time::{Duration, Instant};

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use async_trait::async_trait;
use serde_json::{Value, json};

use super::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId, ResponseFormat, Usage};
use crate::config::Secret;

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
}

impl OpenAiProvider {
    /// `base_url` like `https://api.openai.com/v1`; `api_key` may be absent for local servers.
    pub fn new(
        base_url: &str,
        api_key: Option<&Secret>,
        timeout: Duration,
    ) -> Result<Self, LlmError> {
        Self::with_clock(
            base_url,
            api_key,
            timeout,
            std::sync::Arc::new(crate::clock::SystemClock),
        )
    }

    /// As `new`, reading "now" for HTTP-date `Retry-After` headers from `clock` (the run's
    /// clock seam) instead of the wall clock.
    pub fn with_clock(
        base_url: &str,
        api_key: Option<&Secret>,
        timeout: Duration,
        clock: std::sync::Arc<dyn crate::clock::Clock>,
    ) -> Result<Self, LlmError> {
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
        let service = tower::service_fn(move |factory: HttpRequestFactory| {
            let http = http.clone();
            let clock = clock.clone();
            async move {
                let request = factory.build().await?;
                let response = http.execute(request).await.map_err(OpenAIError::Reqwest)?;
                if response.status().is_success() {
                    return Ok(response);
                }
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| super::retry::parse_retry_after(v, clock.now()));
                let mut body = response.text().await.unwrap_or_default();
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
        })
    }
}

/// The JSON body sent for a request.
pub fn request_body(req: &ChatRequest) -> Value {
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
        ResponseFormat::JsonObject => {
            map.insert("response_format".into(), json!({"type": "json_object"}));
        }
        ResponseFormat::Prompt => {}
    }
    body
}

fn map_error(err: OpenAIError, timeout: Duration) -> LlmError {
    match err {
        OpenAIError::Boxed(boxed) => match boxed.downcast::<HttpStatus>() {
            Ok(http) => LlmError::Http {
                status: http.status,
                message: http.body,
                retry_after: http.retry_after,
            },
            Err(other) => LlmError::Connection(other.to_string()),
        },
        OpenAIError::Reqwest(e) if e.is_timeout() => LlmError::Timeout(timeout),
        OpenAIError::Reqwest(e) => LlmError::Connection(e.to_string()),
        OpenAIError::ApiError(api) => LlmError::Http {
            status: api.status_code.as_u16(),
            message: api.api_error.to_string(),
            retry_after: None,
        },
        OpenAIError::JSONDeserialize(e, _) => {
            LlmError::BadResponse(format!("response is not JSON: {e}"))
        }
        other => LlmError::BadResponse(other.to_string()),
    }
}

#[async_trait]
impl Provider for OpenAiProvider {
    fn id(&self) -> &ProviderId {
        &self.id
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let started = Instant::now();
        let body: Value = self
            .client
            .chat()
            .create_byot(request_body(req))
            .await
            .map_err(|e| map_error(e, self.timeout))?;
        let content = body
            .pointer("/choices/0/message/content")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                LlmError::BadResponse("no choices[0].message.content in the response".into())
            })?
            .to_string();
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
            structured_output: Some(req.response_format.mode_name().to_string()),
        })
    }
}
