//! The HTTP side: binds 127.0.0.1, routes the three endpoints, and applies the request-level
//! behaviours of a `SimConfig` in the order a real server does — body validation, capability
//! rejections, context window, injected fault draw, sliding-window limits, latency — then
//! answers and logs one JSON line. Stops by itself after `max_requests` answers or
//! `max_seconds`, finishing the answers already being written.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::chat::{self, ChatCall, Kind, Mode};
use super::config::{FaultKind, LogTarget, RejectForm, RetryAfterForm, SimConfig};
use super::embed;
use super::faults::{self, ErrorAnswer, Rng};
use super::models;
use super::window::{Decision, Remaining, SlidingWindow};

/// Request bodies above this are refused (a card prompt is tens of kilobytes).
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;
/// How long answers already being written get once the simulator stops.
const DRAIN: Duration = Duration::from_secs(2);

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("invalid llm-sim configuration:\n{0}")]
    Config(String),
    #[error(
        "cannot listen on 127.0.0.1:{port}: {source} (pick another --port, or 0 for any free port)"
    )]
    Bind { port: u16, source: std::io::Error },
    #[error("cannot open the request log {path}: {source}")]
    Log {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// One answered request, as logged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestLog {
    /// RFC 3339 UTC, milliseconds.
    pub time: String,
    /// 1-based arrival number over all paths.
    pub seq: u64,
    /// Milliseconds since the simulator started, at arrival.
    pub at_ms: u64,
    pub path: String,
    pub model: Option<String>,
    /// json_schema, json_object, json_object+schema or prompt (chat only).
    pub mode: Option<String>,
    /// card, insight or other (chat only).
    pub kind: Option<String>,
    /// ok, a fault name, or what refused the request (rpm_limited, context_length_exceeded, …).
    pub outcome: String,
    /// HTTP status; 0 for a hang (nothing was ever sent).
    pub status: u16,
    /// Simulated latency waited before answering.
    pub latency_ms: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// The wait a 429 asked for, in whole seconds as sent (or implied by the HTTP-date).
    pub retry_after_s: Option<u64>,
    /// Short blake3 of the chat messages: a retry of the same call has the same fingerprint, so
    /// tests can check that no retry came earlier than its Retry-After.
    pub fingerprint: Option<String>,
}

/// Counters and the request log of a running simulator.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SimStats {
    pub requests: u64,
    pub outcomes: BTreeMap<String, u64>,
    pub statuses: BTreeMap<u16, u64>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub log: Vec<RequestLog>,
}

impl SimStats {
    /// How many requests ended with `outcome`.
    pub fn outcome(&self, outcome: &str) -> u64 {
        self.outcomes.get(outcome).copied().unwrap_or(0)
    }

    /// How many requests were answered with `status`.
    pub fn status(&self, status: u16) -> u64 {
        self.statuses.get(&status).copied().unwrap_or(0)
    }
}

struct State {
    config: SimConfig,
    started: Instant,
    rng: Mutex<Rng>,
    window: Mutex<SlidingWindow>,
    seq: AtomicU64,
    chat_seq: AtomicU64,
    stats: Mutex<SimStats>,
    log_file: Option<Mutex<std::fs::File>>,
    shutdown: watch::Sender<bool>,
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    port: u16,
    state: Arc<State>,
    stopped: watch::Receiver<bool>,
}

impl SimHandle {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:PORT/v1`, what `provider.base_url` takes.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    /// A snapshot of the counters and the request log so far.
    pub fn stats(&self) -> SimStats {
        self.state.stats.lock().expect("stats lock").clone()
    }

    /// Stops accepting requests; answers being written get a short grace period.
    pub fn shutdown(&self) {
        self.state.shutdown.send_replace(true);
    }

    /// Resolves once the simulator has stopped (max requests, max seconds, or `shutdown`).
    pub async fn wait(&self) {
        let mut stopped = self.stopped.clone();
        let _ = stopped.wait_for(|s| *s).await;
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts a simulator on 127.0.0.1 (`config.port`, 0 = any free port) in the current tokio
/// runtime and returns once it is listening.
pub async fn spawn(config: SimConfig) -> Result<SimHandle, SimError> {
    config.validate().map_err(SimError::Config)?;
    let listener = TcpListener::bind(("127.0.0.1", config.port))
        .await
        .map_err(|source| SimError::Bind {
            port: config.port,
            source,
        })?;
    let port = listener
        .local_addr()
        .map_err(|source| SimError::Bind {
            port: config.port,
            source,
        })?
        .port();
    let log_file = match &config.log {
        LogTarget::File(path) => Some(Mutex::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|source| SimError::Log {
                    path: path.clone(),
                    source,
                })?,
        )),
        _ => None,
    };
    let (shutdown, _) = watch::channel(false);
    let (stopped_tx, stopped) = watch::channel(false);
    let state = Arc::new(State {
        rng: Mutex::new(Rng::new(config.seed)),
        window: Mutex::new(SlidingWindow::new(config.window, config.rpm, config.tpm)),
        started: Instant::now(),
        seq: AtomicU64::new(0),
        chat_seq: AtomicU64::new(0),
        stats: Mutex::new(SimStats::default()),
        log_file,
        shutdown,
        config,
    });
    tokio::spawn(accept_loop(listener, state.clone(), stopped_tx));
    Ok(SimHandle {
        port,
        state,
        stopped,
    })
}

async fn accept_loop(listener: TcpListener, state: Arc<State>, stopped: watch::Sender<bool>) {
    let deadline = state.started + Duration::from_secs(state.config.max_seconds);
    let mut shutdown = state.shutdown.subscribe();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = until_set(&mut shutdown) => break,
            _ = tokio::time::sleep_until(deadline) => {
                state.shutdown.send_replace(true);
                break;
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                connections.spawn(serve_connection(stream, state.clone()));
            }
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
    stopped.send_replace(true);
}

async fn serve_connection(stream: tokio::net::TcpStream, state: Arc<State>) {
    let mut shutdown = state.shutdown.subscribe();
    let service = {
        let state = state.clone();
        service_fn(move |req| handle(state.clone(), req))
    };
    let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = until_set(&mut shutdown) => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(DRAIN, conn).await;
        }
    }
}

/// Resolves once the flag is set (or its sender is gone).
async fn until_set(flag: &mut watch::Receiver<bool>) {
    let _ = flag.wait_for(|s| *s).await;
}

/// A hung request ends without an answer: hyper closes the connection.
#[derive(Debug, thiserror::Error)]
#[error("llm-sim stopped while a request hung")]
struct Hung;

/// What one request produced, before it becomes an HTTP response and a log line.
struct Outcome {
    status: u16,
    content_type: &'static str,
    body: String,
    headers: Vec<(&'static str, String)>,
    log: RequestLog,
    hang: bool,
}

impl Outcome {
    fn new(mut log: RequestLog, status: u16, body: String) -> Self {
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

    fn error(log: RequestLog, outcome: &str, answer: ErrorAnswer) -> Self {
        let mut out = Outcome::new(log, answer.status, answer.body);
        out.content_type = answer.content_type;
        out.log.outcome = outcome.to_string();
        out
    }
}

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Hung> {
    let seq = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let arrived = Instant::now();
    let path = req.uri().path().trim_end_matches('/').to_string();
    let method = req.method().clone();
    let log = RequestLog {
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        seq,
        at_ms: arrived.duration_since(state.started).as_millis() as u64,
        path: path.clone(),
        model: None,
        mode: None,
        kind: None,
        outcome: "ok".into(),
        status: 200,
        latency_ms: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        retry_after_s: None,
        fingerprint: None,
    };
    let over_limit = state.config.max_requests.is_some_and(|max| seq > max);
    let outcome = if over_limit {
        let answer = faults::openai_error(
            503,
            "llm-sim has answered its --max-requests and is shutting down",
            "server_error",
            None,
            None,
        );
        Outcome::error(log, "shutting_down", answer)
    } else {
        let body = match Limited::new(req.into_body(), MAX_BODY_BYTES)
            .collect()
            .await
        {
            Ok(collected) => collected.to_bytes(),
            Err(_) => Bytes::new(),
        };
        match (method, path.as_str()) {
            (Method::POST, "/v1/chat/completions") => chat_completion(&state, log, &body).await,
            (Method::POST, "/v1/embeddings") => embeddings(&state, log, &body),
            (Method::GET, "/v1/models") => Outcome::new(log, 200, models::list().to_string()),
            (method, _) => {
                let answer = faults::openai_error(
                    404,
                    &format!(
                        "Unknown request URL: {method} {path}. llm-sim serves POST /v1/chat/completions, POST /v1/embeddings and GET /v1/models."
                    ),
                    "invalid_request_error",
                    None,
                    Some("unknown_url"),
                );
                Outcome::error(log, "not_found", answer)
            }
        }
    };
    record(&state, &outcome.log);
    if state.config.max_requests == Some(seq) {
        state.shutdown.send_replace(true);
    }
    if outcome.hang {
        until_set(&mut state.shutdown.subscribe()).await;
        return Err(Hung);
    }
    let mut response = Response::builder()
        .status(outcome.status)
        .header("content-type", outcome.content_type)
        .header("x-request-id", format!("req-sim-{seq}"));
    for (name, value) in &outcome.headers {
        response = response.header(*name, value);
    }
    Ok(response
        .body(Full::new(Bytes::from(outcome.body)))
        .expect("static header names and numeric statuses are valid"))
}

fn record(state: &State, log: &RequestLog) {
    let line = serde_json::to_string(log).expect("log lines serialize");
    match &state.config.log {
        LogTarget::Stderr => eprintln!("{line}"),
        LogTarget::File(_) => {
            if let Some(file) = &state.log_file {
                use std::io::Write;
                let mut file = file.lock().expect("log lock");
                let _ = writeln!(file, "{line}");
            }
        }
        LogTarget::None => {}
    }
    let mut stats = state.stats.lock().expect("stats lock");
    stats.requests += 1;
    *stats.outcomes.entry(log.outcome.clone()).or_default() += 1;
    *stats.statuses.entry(log.status).or_default() += 1;
    stats.prompt_tokens += log.prompt_tokens;
    stats.completion_tokens += log.completion_tokens;
    stats.log.push(log.clone());
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
) -> Result<(Option<Remaining>, RequestLog), Outcome> {
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
            Err(too_many(state, out, wait, Some(remaining)))
        }
        Some(Decision::TooLarge { limit }) => {
            let answer = faults::request_too_large(model, limit, tokens);
            Err(Outcome::error(log, "request_too_large", answer))
        }
    }
}

async fn chat_completion(state: &State, mut log: RequestLog, body: &[u8]) -> Outcome {
    let config = &state.config;
    let Ok(body) = serde_json::from_slice::<Value>(body) else {
        let answer = faults::openai_error(
            400,
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly.)",
            "invalid_request_error",
            None,
            None,
        );
        return Outcome::error(log, "bad_request", answer);
    };
    let call = match chat::parse(&body) {
        Ok(call) => call,
        Err(bad) => {
            let answer =
                faults::openai_error(400, &bad.message, "invalid_request_error", bad.param, None);
            return Outcome::error(log, "bad_request", answer);
        }
    };
    let kind = call.kind();
    log.model = Some(call.model.clone());
    log.mode = Some(call.mode.name().to_string());
    log.kind = Some(kind.name().to_string());
    log.prompt_tokens = call.prompt_tokens;
    log.fingerprint = Some(call.fingerprint());

    // Capabilities: deterministic answers about what the server accepts.
    match (&call.mode, config.reject_json_schema) {
        (Mode::JsonSchema { .. }, Some(form)) => {
            let answer = faults::reject_format(form, "json_schema");
            return Outcome::error(log, "rejected_json_schema", answer);
        }
        (Mode::JsonObject { .. }, _) if config.reject_json_object => {
            let answer = faults::reject_format(RejectForm::OpenAi, "json_object");
            return Outcome::error(log, "rejected_json_object", answer);
        }
        _ => {}
    }
    if let Some(window) = config.context_window
        && call.prompt_tokens + call.max_tokens > u64::from(window)
    {
        let answer = faults::context_exceeded(
            config.context_form,
            window,
            call.prompt_tokens,
            call.max_tokens,
        );
        return Outcome::error(log, "context_length_exceeded", answer);
    }

    let chat_seq = state.chat_seq.fetch_add(1, Ordering::SeqCst) + 1;
    let fault = {
        let mut rng = state.rng.lock().expect("rng lock");
        faults::choose_fault(config, chat_seq, &mut rng)
    };
    let now = Instant::now();
    if matches!(fault, FaultKind::RateLimited | FaultKind::PlainRateLimited) {
        // An injected 429 is not admitted, so it does not count against the window.
        let remaining = {
            let mut window = state.window.lock().expect("window lock");
            window.is_limited().then(|| window.remaining(now))
        };
        let answer = if fault == FaultKind::RateLimited {
            faults::rate_limited(&call.model, config.fault_retry_after_s)
        } else {
            faults::plain_rate_limited()
        };
        let out = Outcome::error(log, fault.name(), answer);
        return too_many(
            state,
            out,
            Duration::from_secs(config.fault_retry_after_s),
            remaining,
        );
    }
    let tokens = call.prompt_tokens + call.max_tokens;
    let remaining = match admit(state, log, &call.model, tokens) {
        Ok((remaining, admitted)) => {
            log = admitted;
            remaining
        }
        Err(refused) => return refused,
    };
    let rate_headers = remaining.map(|r| r.headers()).unwrap_or_default();

    if fault == FaultKind::Hang {
        let mut out = Outcome::new(log, 0, String::new());
        out.log.outcome = fault.name().into();
        out.log.status = 0;
        out.hang = true;
        return out;
    }
    let latency = state.rng.lock().expect("rng lock").latency(&config.latency);
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

fn embeddings(state: &State, mut log: RequestLog, body: &[u8]) -> Outcome {
    let parsed = serde_json::from_slice::<Value>(body).map_err(|e| e.to_string());
    let request = parsed.and_then(|body| {
        let model = body
            .get("model")
            .and_then(Value::as_str)
            .ok_or("you must provide a model parameter")?
            .to_string();
        Ok((model, embed::inputs(&body)?))
    });
    let (model, texts) = match request {
        Ok(request) => request,
        Err(message) => {
            let answer =
                faults::openai_error(400, &message, "invalid_request_error", Some("input"), None);
            return Outcome::error(log, "bad_request", answer);
        }
    };
    log.model = Some(model.clone());
    let (body, tokens) = embed::response(&texts, &model, state.config.embed_dim);
    log.prompt_tokens = tokens;
    match admit(state, log, &model, tokens) {
        Ok((remaining, log)) => {
            let mut out = Outcome::new(log, 200, body.to_string());
            out.headers
                .extend(remaining.map(|r| r.headers()).unwrap_or_default());
            out
        }
        Err(refused) => refused,
    }
}
