//! The capability-fallback layer. In: requests in the mode the config asked for; out: answers,
//! each labelled with the structured-output mode that produced it (`ChatResponse::
//! structured_output`). When the server rejects a mode — a 400/422/500 whose message names
//! `response_format`, `json_schema` or `schema` (`LlmError::Unsupported`) — the request is re-sent
//! one step down the chain json_schema → json_object → prompt, and the step is remembered for
//! the rest of the run: the floor is shared by every concurrent call, so the other topics go
//! straight to the mode that works. Each step is recorded (from, to, the server's words) in the
//! run's telemetry for the report and manifest. A rejection is never retried as transient and
//! never cached (errors never are).
//!
//! Until one answer has shown which mode the server takes, calls go one at a time (a probe):
//! otherwise every topic of the run would be sent in the rejected mode before the first
//! rejection came back. After that first answer, calls run concurrently again. The cost is one
//! call's latency per run.
//!
//! Stepping down from json_schema puts the schema into the prompt (the json_object and prompt
//! modes have no other way to learn it); a request written for json_object already has it there.
//! Where the preset says the server takes it (llama.cpp-based servers), json_object goes with the
//! schema in the body too ("json_object+schema"), which such servers grammar-constrain to.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::telemetry::{FallbackEvent, Telemetry};
use super::{ChatRequest, ChatResponse, LlmError, Message, Provider, ProviderId, ResponseFormat};
use crate::config::StructuredOutput;

/// Whether a server's error message is about the structured-output request.
pub fn names_structured_output(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    ["response_format", "json_schema", "schema"]
        .iter()
        .any(|word| lower.contains(word))
}

pub struct Structured<P> {
    inner: P,
    /// The strongest mode still believed to work for this run.
    floor: Mutex<StructuredOutput>,
    json_object_schema: bool,
    telemetry: Arc<Telemetry>,
    /// Set once any answer came back in some mode: the probe is over.
    settled: AtomicBool,
    probe: tokio::sync::Mutex<()>,
}

impl<P: Provider> Structured<P> {
    /// `json_object_schema`: the server takes `schema` beside `{"type":"json_object"}` (preset).
    pub fn new(inner: P, json_object_schema: bool, telemetry: Arc<Telemetry>) -> Self {
        Structured {
            inner,
            floor: Mutex::new(StructuredOutput::JsonSchema),
            json_object_schema,
            telemetry,
            settled: AtomicBool::new(false),
            probe: tokio::sync::Mutex::new(()),
        }
    }

    /// The mode the next request will be tried in, at most `asked`.
    fn mode_for(&self, asked: StructuredOutput) -> StructuredOutput {
        asked.min(*self.floor.lock().expect("fallback mutex"))
    }

    /// Lowers the floor below `rejected` (unless a concurrent call already did) and records it.
    fn step_down(&self, rejected: StructuredOutput, status: u16, message: &str) -> bool {
        let Some(next) = rejected.weaker() else {
            return false;
        };
        let mut floor = self.floor.lock().expect("fallback mutex");
        if *floor > next {
            *floor = next;
            let mut reason: String = message.chars().take(300).collect();
            if reason.len() < message.len() {
                reason.push('…');
            }
            self.telemetry.fell_back(FallbackEvent {
                from: self.label(rejected),
                to: self.label(next),
                reason: format!("HTTP {status}: {reason}"),
            });
            tracing::warn!(
                from = rejected.name(),
                to = next.name(),
                "the server rejected the structured-output mode; using the next weaker one for the rest of the run"
            );
        }
        true
    }

    fn label(&self, mode: StructuredOutput) -> String {
        match mode {
            StructuredOutput::JsonObject if self.json_object_schema => "json_object+schema".into(),
            other => other.name().into(),
        }
    }
}

fn asked_mode(req: &ChatRequest) -> StructuredOutput {
    match req.response_format {
        ResponseFormat::JsonSchema { .. } => StructuredOutput::JsonSchema,
        ResponseFormat::JsonObject => StructuredOutput::JsonObject,
        ResponseFormat::Prompt => StructuredOutput::Prompt,
    }
}

/// `req` as it must be sent in `mode` (never stronger than the mode it was written for).
pub fn in_mode(req: &ChatRequest, mode: StructuredOutput, json_object_schema: bool) -> ChatRequest {
    let mut out = req.clone();
    let schema = match &req.response_format {
        ResponseFormat::JsonSchema { schema, .. } => Some(schema.clone()),
        _ => req.schema.clone(),
    };
    // A request written for json_schema has no schema in its prompt; the weaker modes need it.
    let needs_schema_in_prompt = asked_mode(req) == StructuredOutput::JsonSchema;
    let schema_text = schema
        .as_ref()
        .map(|s| serde_json::to_string_pretty(s).expect("schemas serialize"));
    match mode {
        StructuredOutput::JsonSchema => return out,
        StructuredOutput::JsonObject => {
            out.response_format = ResponseFormat::JsonObject;
            if needs_schema_in_prompt {
                if let Some(text) = &schema_text {
                    append_instruction(
                        &mut out,
                        &format!(
                            "Reply with one json object that satisfies this JSON Schema, and nothing else:\n{text}"
                        ),
                    );
                }
            }
        }
        StructuredOutput::Prompt => {
            out.response_format = ResponseFormat::Prompt;
            if needs_schema_in_prompt {
                if let Some(text) = &schema_text {
                    append_instruction(
                        &mut out,
                        &format!(
                            "Reply with one JSON object that satisfies this JSON Schema, inside a ```json fenced block, and nothing else:\n{text}"
                        ),
                    );
                }
            }
        }
    }
    // Only json_object sends `schema` in the body, and only where the server takes it.
    out.schema = if mode == StructuredOutput::JsonObject && json_object_schema {
        schema
    } else {
        None
    };
    out
}

/// Adds `text` to the system message (the rules), or a system message when there is none.
fn append_instruction(req: &mut ChatRequest, text: &str) {
    match req
        .messages
        .iter_mut()
        .find(|m| m.role == super::Role::System)
    {
        Some(system) => {
            system.content.push_str("\n\n");
            system.content.push_str(text);
        }
        None => req.messages.insert(0, Message::system(text)),
    }
}

#[async_trait]
impl<P: Provider> Provider for Structured<P> {
    fn id(&self) -> &ProviderId {
        self.inner.id()
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let _probing = if self.settled.load(Ordering::Acquire) {
            None
        } else {
            let guard = self.probe.lock().await;
            (!self.settled.load(Ordering::Acquire)).then_some(guard)
        };
        let asked = asked_mode(req);
        loop {
            let mode = self.mode_for(asked);
            let sent = in_mode(req, mode, self.json_object_schema);
            let result = self.inner.chat(&sent).await;
            if !matches!(result, Err(LlmError::Unsupported { .. })) {
                // Any other outcome says nothing more about the mode: the probe is over.
                self.settled.store(true, Ordering::Release);
            }
            match result {
                Ok(mut resp) => {
                    resp.structured_output = Some(self.label(mode));
                    return Ok(resp);
                }
                Err(LlmError::Unsupported { status, message }) => {
                    if !self.step_down(mode, status, &message) {
                        return Err(LlmError::Unsupported { status, message });
                    }
                }
                Err(other) => return Err(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::testing::{Fake, ok};
    use crate::llm::{Message, Namespace};
    use serde_json::json;

    fn schema_request() -> ChatRequest {
        ChatRequest {
            schema: Some(json!({"type": "object", "properties": {"title": {"type": "string"}}})),
            ..ChatRequest::new(
                Namespace::Card,
                "m",
                vec![
                    Message::system("Rules."),
                    Message::user("<articles>[]</articles>"),
                ],
                ResponseFormat::JsonSchema {
                    name: "card".into(),
                    schema: json!({"type": "object", "properties": {"title": {"type": "string"}}}),
                },
            )
        }
    }

    fn rejects(
        mode: &'static str,
    ) -> impl Fn(&ChatRequest, usize) -> Result<ChatResponse, LlmError> {
        move |req, _| {
            let sent = match &req.response_format {
                ResponseFormat::JsonSchema { .. } => "json_schema",
                ResponseFormat::JsonObject => "json_object",
                ResponseFormat::Prompt => "prompt",
            };
            if sent == mode || (mode == "json_object" && sent == "json_schema") {
                Err(LlmError::from_http(
                    500,
                    format!(
                        "Input should be 'text' or 'json_object' (response_format.type = {sent})"
                    ),
                    None,
                ))
            } else {
                ok("{\"title\": \"t\"}")
            }
        }
    }

    #[tokio::test]
    async fn json_schema_rejection_falls_back_to_json_object_with_schema_and_is_remembered() {
        let fake = Arc::new(Fake::new(rejects("json_schema")));
        let telemetry = Arc::new(Telemetry::default());
        let layer = Structured::new(fake.clone(), true, telemetry.clone());
        let first = layer.chat(&schema_request()).await.unwrap();
        assert_eq!(
            first.structured_output.as_deref(),
            Some("json_object+schema")
        );
        let second = layer.chat(&schema_request()).await.unwrap();
        assert_eq!(
            second.structured_output.as_deref(),
            Some("json_object+schema")
        );
        // Two requests for the first answer, one for the second: the step was remembered.
        assert_eq!(fake.calls(), 3);
        let sent = fake.requests();
        assert!(matches!(
            sent[1].response_format,
            ResponseFormat::JsonObject
        ));
        assert!(
            sent[1].schema.is_some(),
            "schema goes in the body where the server takes it"
        );
        assert!(
            sent[1].messages[0].content.contains("\"title\""),
            "and in the prompt"
        );
        let events = telemetry.snapshot().fallbacks;
        assert_eq!(events.len(), 1);
        assert_eq!(
            (events[0].from.as_str(), events[0].to.as_str()),
            ("json_schema", "json_object+schema")
        );
        assert!(events[0].reason.contains("HTTP 500"), "{:?}", events[0]);
    }

    #[tokio::test]
    async fn json_object_rejection_falls_back_to_prompt_without_a_body_schema() {
        let fake = Arc::new(Fake::new(rejects("json_object")));
        let telemetry = Arc::new(Telemetry::default());
        let layer = Structured::new(fake.clone(), false, telemetry.clone());
        let resp = layer.chat(&schema_request()).await.unwrap();
        assert_eq!(resp.structured_output.as_deref(), Some("prompt"));
        let sent = fake.requests();
        assert_eq!(sent.len(), 3, "json_schema, json_object, prompt");
        assert!(
            sent[1].schema.is_none(),
            "this server takes no schema with json_object"
        );
        assert!(matches!(sent[2].response_format, ResponseFormat::Prompt));
        assert!(sent[2].messages[0].content.contains("```json"));
        let steps: Vec<(String, String)> = telemetry
            .snapshot()
            .fallbacks
            .into_iter()
            .map(|e| (e.from, e.to))
            .collect();
        assert_eq!(
            steps,
            vec![
                ("json_schema".to_string(), "json_object".to_string()),
                ("json_object".to_string(), "prompt".to_string())
            ]
        );
        layer.chat(&schema_request()).await.unwrap();
        assert_eq!(fake.calls(), 4, "later calls go straight to prompt");
    }

    #[tokio::test]
    async fn concurrent_calls_share_one_step_and_other_errors_pass_through() {
        let fake = Arc::new(Fake::new(rejects("json_schema")));
        let telemetry = Arc::new(Telemetry::default());
        let layer = Structured::new(fake.clone(), false, telemetry.clone());
        let (ra, rb) = (schema_request(), schema_request());
        let (a, b) = tokio::join!(layer.chat(&ra), layer.chat(&rb));
        assert!(a.is_ok() && b.is_ok());
        assert_eq!(
            telemetry.snapshot().fallbacks.len(),
            1,
            "one step, recorded once"
        );

        let failing = Structured::new(
            Arc::new(Fake::new(|_, _| crate::llm::testing::http(400, None))),
            false,
            Arc::new(Telemetry::default()),
        );
        assert!(matches!(
            failing.chat(&schema_request()).await,
            Err(LlmError::Http { status: 400, .. })
        ));
    }

    #[test]
    fn rejections_are_classified_from_status_and_message_and_never_retried() {
        let err = LlmError::from_http(
            400,
            r#"{"error":{"message":"response_format.type `json_schema` is unavailable now","param":"response_format"}}"#.into(),
            None,
        );
        assert!(matches!(err, LlmError::Unsupported { status: 400, .. }));
        assert!(!err.is_retryable());
        let plain = LlmError::from_http(500, "internal error".into(), None);
        assert!(matches!(plain, LlmError::Http { status: 500, .. }) && plain.is_retryable());
        let not_a_mode =
            LlmError::from_http(429, "rate limit on json_schema requests".into(), None);
        assert!(
            not_a_mode.is_rate_limited(),
            "a 429 is a rate limit whatever it names"
        );
    }
}
