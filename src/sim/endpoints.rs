//! The endpoints' answers, in the order a real server checks: body validation, capability
//! rejections, context window, injected fault draw, sliding-window limits, latency, then the
//! answer with its content-level fault. In: the request body and the shared `State`; out: an
//! `Outcome` (status, body, headers, log line) that `server.rs` sends and records.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::chat::{self, ChatCall, Kind, Mode};
use super::config::{FaultKind, RejectForm, RetryAfterForm, SimConfig};
use super::embed;
use super::faults::{self, ErrorAnswer};
use super::server::State;
use super::stats::RequestLog;
use super::window::{Decision, Remaining};

/// What one request produced, before it becomes an HTTP response and a log line.
pub(super) struct Outcome {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) body: String,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) log: RequestLog,
    pub(super) hang: bool,
}

impl Outcome {
    pub(super) fn new(mut log: RequestLog, status: u16, body: String) -> Self {
        log.status = status;
        Outcome {
            status,
            content_type: "application/json",
            body,
            headers: Vec::new(),
            log,
            hang: false,
        }
    }

    pub(super) fn error(log: RequestLog, outcome: &str, answer: ErrorAnswer) -> Self {
        let mut out = Outcome::new(log, answer.status, answer.body);
        out.content_type = answer.content_type;
        out.log.outcome = outcome.to_string();
        out
    }
}

/// `Retry-After` for a wait, in the configured form, and the whole seconds it stands for. Both
/// forms round up, so a client that waits exactly as told is never early.
fn retry_after(state: &State, wait: Duration) -> Option<(String, u64)> {
    let form = match state.config.retry_after_form {
        RetryAfterForm::Mixed => {
            if state.rng.lock().expect("rng lock").next_u64() % 2 == 0 {
                RetryAfterForm::Seconds
            } else {
                RetryAfterForm::HttpDate
            }
        }
        other => other,
    };
    match form {
        RetryAfterForm::None => None,
        RetryAfterForm::Seconds | RetryAfterForm::Mixed => {
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            Some((secs.max(1).to_string(), secs.max(1)))
        }
        RetryAfterForm::HttpDate => {
            let now = chrono::Utc::now();
            let target = now + chrono::Duration::from_std(wait).unwrap_or_default();
            // Round up to the next whole second: HTTP-dates have no fractions.
            let mut whole = target.timestamp();
            if target.timestamp_subsec_nanos() > 0 {
                whole += 1;
            }
            let date = chrono::DateTime::from_timestamp(whole, 0).unwrap_or(now);
            let implied = (whole - now.timestamp()).max(0) as u64;
            Some((
                date.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
                implied,
            ))
        }
    }
}

fn too_many(
    state: &State,
    mut out: Outcome,
    wait: Duration,
    remaining: Option<Remaining>,
) -> Outcome {
    if let Some((value, secs)) = retry_after(state, wait) {
        out.headers.push(("retry-after", value));
        out.log.retry_after_s = Some(secs);
    }
    if let Some(remaining) = remaining {
        out.headers.extend(remaining.headers());
    }
    out
}

/// Charges `tokens` to the sliding window: the header values when admitted (none when the sim
/// has no limits), or the 429 to send.
fn admit(
    state: &State,
    log: RequestLog,
    model: &str,
    tokens: u64,
) -> Result<(Option<Remaining>, RequestLog), Box<Outcome>> {
    let decision = {
        let mut window = state.window.lock().expect("window lock");
        window
            .is_limited()
            .then(|| window.admit(Instant::now(), tokens))
    };
    match decision {
        None => Ok((None, log)),
        Some(Decision::Admitted(remaining)) => Ok((Some(remaining), log)),
        Some(Decision::Denied {
            which,
            limit,
            used,
            wait,
            remaining,
        }) => {
            let requested = if which == "tokens" { tokens } else { 1 };
            let answer = faults::window_limited(model, which, limit, used, requested, wait);
            let outcome = if which == "tokens" {
                "tpm_limited"
            } else {
                "rpm_limited"
            };
            let out = Outcome::error(log, outcome, answer);
            Err(Box::new(too_many(state, out, wait, Some(remaining))))
        }
        Some(Decision::TooLarge { limit }) => {
            let answer = faults::request_too_large(model, limit, tokens);
            Err(Box::new(Outcome::error(log, "request_too_large", answer)))
        }
    }
}

/// `/v1/chat/completions`: checks in the order a real server makes them, each a step that either
/// lets the request through or is the answer.
pub(super) async fn chat_completion(state: &State, mut log: RequestLog, body: &[u8]) -> Outcome {
    let call = match parse_call(body) {
        Ok(call) => call,
        Err(answer) => return Outcome::error(log, "bad_request", answer),
    };
    let kind = call.kind();
    log.model = Some(call.model.clone());
    log.mode = Some(call.mode.name().to_string());
    log.kind = Some(kind.name().to_string());
    log.prompt_tokens = call.prompt_tokens;
    log.fingerprint = Some(call.fingerprint());
    if let Some((outcome, answer)) = refusal(&state.config, &call) {
        return Outcome::error(log, outcome, answer);
    }
    let fault = draw_fault(state, &call);
    if matches!(fault, FaultKind::RateLimited | FaultKind::PlainRateLimited) {
        return injected_rate_limit(state, log, &call.model, fault);
    }
    let tokens = call.prompt_tokens + call.max_tokens;
    let remaining = match admit(state, log, &call.model, tokens) {
        Ok((remaining, admitted)) => {
            log = admitted;
            remaining
        }
        Err(refused) => return *refused,
    };
    let rate_headers = remaining.map(|r| r.headers()).unwrap_or_default();
    if fault == FaultKind::Hang {
        let mut out = Outcome::new(log, 0, String::new());
        out.log.outcome = fault.name().into();
        out.log.status = 0;
        out.hang = true;
        return out;
    }
    let latency = state
        .rng
        .lock()
        .expect("rng lock")
        .latency(&state.config.latency);
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    log.latency_ms = latency.as_millis() as u64;
    let mut out = match fault {
        FaultKind::ServerError => {
            let answer = faults::server_error(&mut state.rng.lock().expect("rng lock"));
            Outcome::error(log, fault.name(), answer)
        }
        FaultKind::PlainBadGateway => {
            Outcome::error(log, fault.name(), faults::plain_bad_gateway())
        }
        _ => success(&call, kind, fault, log),
    };
    out.headers.extend(rate_headers);
    out
}

/// The body as a chat call, or the 400 a real server sends for it.
fn parse_call(body: &[u8]) -> Result<ChatCall, ErrorAnswer> {
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        return Err(faults::openai_error(
            400,
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
            "invalid_request_error",
            None,
            None,
        ));
    };
    chat::parse(&body).map_err(|bad| {
        faults::openai_error(400, &bad.message, "invalid_request_error", bad.param, None)
    })
}

/// Capabilities and the context window: deterministic answers about what the server accepts.
fn refusal(config: &SimConfig, call: &ChatCall) -> Option<(&'static str, ErrorAnswer)> {
    match (&call.mode, config.reject_json_schema) {
        (Mode::JsonSchema { .. }, Some(form)) => {
            return Some((
                "rejected_json_schema",
                faults::reject_format(form, "json_schema"),
            ));
        }
        (Mode::JsonObject { .. }, _) if config.reject_json_object => {
            return Some((
                "rejected_json_object",
                faults::reject_format(RejectForm::OpenAi, "json_object"),
            ));
        }
        _ => {}
    }
    let window = config.context_window?;
    (call.prompt_tokens + call.max_tokens > u64::from(window)).then(|| {
        (
            "context_length_exceeded",
            faults::context_exceeded(
                config.context_form,
                window,
                call.prompt_tokens,
                call.max_tokens,
            ),
        )
    })
}

/// This call's injected fault, drawn in chat order from the seeded generator. A server that
/// needs a schema for json_object answers a bare json_object call off-schema.
fn draw_fault(state: &State, call: &ChatCall) -> FaultKind {
    let config = &state.config;
    let chat_seq = state.chat_seq.fetch_add(1, Ordering::SeqCst) + 1;
    let mut rng = state.rng.lock().expect("rng lock");
    match faults::choose_fault(config, chat_seq, &mut rng) {
        FaultKind::Ok
            if config.json_object_needs_schema
                && call.mode == (Mode::JsonObject { schema: None }) =>
        {
            FaultKind::SchemaInvalid
        }
        fault => fault,
    }
}

/// An injected 429. It is not admitted, so it does not count against the window.
fn injected_rate_limit(state: &State, log: RequestLog, model: &str, fault: FaultKind) -> Outcome {
    let config = &state.config;
    let remaining = {
        let mut window = state.window.lock().expect("window lock");
        window
            .is_limited()
            .then(|| window.remaining(Instant::now()))
    };
    let answer = if fault == FaultKind::RateLimited {
        faults::rate_limited(model, config.fault_retry_after_s)
    } else {
        faults::plain_rate_limited()
    };
    let out = Outcome::error(log, fault.name(), answer);
    too_many(
        state,
        out,
        Duration::from_secs(config.fault_retry_after_s),
        remaining,
    )
}

/// A 200 answer, with the content-level faults applied.
fn success(call: &ChatCall, kind: Kind, fault: FaultKind, mut log: RequestLog) -> Outcome {
    let mut value = call.answer_value();
    if fault == FaultKind::SchemaInvalid {
        chat::drop_required_field(&mut value, kind);
    }
    let mut content = chat::render_content(&value, &call.mode);
    let mut reasoning = None;
    match fault {
        FaultKind::Malformed => content = chat::truncate_json(&content),
        FaultKind::Blank => content.clear(),
        FaultKind::Think => {
            let thought = chat::reasoning_text(kind);
            content = format!("<think>\n{thought}\n</think>\n\n{content}");
            reasoning = Some(thought);
        }
        FaultKind::Reasoning => reasoning = Some(chat::reasoning_text(kind)),
        _ => {}
    }
    let completion_tokens = crate::llm::budget::count_tokens(&content) as u64;
    let mut message = json!({"role": "assistant", "content": content});
    if let Some(reasoning) = reasoning {
        message["reasoning_content"] = Value::String(reasoning);
    }
    let body = json!({
        "id": format!("chatcmpl-sim-{}", log.seq),
        "object": "chat.completion",
        "created": chrono::Utc::now().timestamp(),
        "model": call.model,
        "system_fingerprint": "llm-sim",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": null}],
        "usage": {
            "prompt_tokens": call.prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": call.prompt_tokens + completion_tokens,
        },
    });
    let mut body = body.to_string();
    if fault == FaultKind::TruncatedBody {
        body = chat::truncate_json(&body);
    }
    log.completion_tokens = completion_tokens;
    log.outcome = fault.name().into();
    Outcome::new(log, 200, body)
}

pub(super) fn embeddings(state: &State, mut log: RequestLog, body: &[u8]) -> Outcome {
    let parsed = serde_json::from_slice::<Value>(body).map_err(|e| e.to_string());
    let request = parsed.and_then(|body| {
        let model = body
            .get("model")
            .and_then(Value::as_str)
            .ok_or("you must provide a model parameter")?
            .to_string();
        let dim = match body.get("dimensions") {
            None | Some(Value::Null) => state.config.embed_dim,
            Some(d) => {
                d.as_u64()
                    .filter(|d| (1..=4096).contains(d))
                    .ok_or("dimensions must be an integer from 1 to 4096")? as usize
            }
        };
        Ok((model, embed::inputs(&body)?, dim))
    });
    let (model, texts, dim) = match request {
        Ok(request) => request,
        Err(message) => {
            let answer =
                faults::openai_error(400, &message, "invalid_request_error", Some("input"), None);
            return Outcome::error(log, "bad_request", answer);
        }
    };
    log.model = Some(model.clone());
    let (body, tokens) = embed::response(&texts, &model, dim);
    log.prompt_tokens = tokens;
    match admit(state, log, &model, tokens) {
        Ok((remaining, log)) => {
            let mut out = Outcome::new(log, 200, body.to_string());
            out.headers
                .extend(remaining.map(|r| r.headers()).unwrap_or_default());
            out
        }
        Err(refused) => *refused,
    }
}
