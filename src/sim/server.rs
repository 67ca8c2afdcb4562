//! The HTTP side: binds 127.0.0.1, routes the three endpoints to `endpoints.rs`, sends each
//! answer with the window's `x-ratelimit-*` headers, logs one JSON line per request, and stops by
//! itself after `max_requests` answers or `max_seconds`, finishing the answers being written.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::config::{LogTarget, SimConfig};
use super::endpoints::{self, Outcome};
use super::faults::{self, Rng};
use super::models;
use super::stats::{RequestLog, SimStats};
use super::window::SlidingWindow;

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

/// Counts a request as in flight for as long as it lives.
struct InFlight<'a>(&'a State);

impl<'a> InFlight<'a> {
    fn enter(state: &'a State) -> Self {
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        let mut stats = state.stats.lock().expect("stats lock");
        stats.max_in_flight = stats.max_in_flight.max(now);
        InFlight(state)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

pub(super) struct State {
    pub(super) config: SimConfig,
    pub(super) started: Instant,
    pub(super) rng: Mutex<Rng>,
    pub(super) window: Mutex<SlidingWindow>,
    pub(super) seq: AtomicU64,
    pub(super) chat_seq: AtomicU64,
    pub(super) in_flight: AtomicU64,
    pub(super) stats: Mutex<SimStats>,
    pub(super) log_file: Option<Mutex<std::fs::File>>,
    pub(super) shutdown: watch::Sender<bool>,
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
        in_flight: AtomicU64::new(0),
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

async fn handle(state: Arc<State>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Hung> {
    let _in_flight = InFlight::enter(&state);
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
    let mut outcome = if over_limit {
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
            (Method::POST, "/v1/chat/completions") => {
                endpoints::chat_completion(&state, log, &body).await
            }
            (Method::POST, "/v1/embeddings") => endpoints::embeddings(&state, log, &body),
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
    if !outcome
        .headers
        .iter()
        .any(|(name, _)| name.starts_with("x-ratelimit-"))
    {
        // Every answer carries the window's state, not only admitted ones (errors, models, 404s).
        let mut window = state.window.lock().expect("window lock");
        if window.is_limited() {
            outcome
                .headers
                .extend(window.remaining(Instant::now()).headers());
        }
    }
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
