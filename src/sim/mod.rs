//! llm-sim, the OpenAI-compatible simulator behind tests, benches and offline config checks.
//! In: HTTP requests on 127.0.0.1 to `POST /v1/chat/completions`, `POST /v1/embeddings` and
//! `GET /v1/models`; out: answers a real server could give — schema-valid cards and insights
//! built from the request's own `<articles>`/`<cards>` blocks in the structured-output mode asked
//! for, with usage — or, seeded and configurable, the faults real servers produce: sliding-window
//! 429s with both `Retry-After` forms, 5xx, hangs, malformed or schema-invalid JSON, plain-text
//! error bodies, blank content, `<think>` prefixes, `json_schema` rejections and context-window
//! errors in OpenAI, vLLM and llama.cpp wording. Triage requests get the baseline's lexical
//! screen and judge requests a grounding-based score, so eval runs work against it too. It never
//! calls out to anything.
//!
//! In-process use (tests, benches):
//! ```no_run
//! # async fn demo() -> Result<(), newsdesk::sim::SimError> {
//! use newsdesk::sim::{FaultKind, SimConfig};
//! let sim = newsdesk::sim::spawn(SimConfig {
//!     rpm: Some(15),
//!     script: vec![(1, FaultKind::RateLimited)], // the first chat request gets a 429
//!     ..SimConfig::default()
//! })
//! .await?;
//! let base_url = sim.base_url(); // http://127.0.0.1:PORT/v1 → provider.base_url
//! // ... run the client ...
//! assert_eq!(sim.stats().status(429), 1);
//! # Ok(()) }
//! ```
//! Parts: `config` (what a run does), `args` (the CLI), `server` (HTTP, lifetime, log),
//! `endpoints` (the order of checks and the answers), `stats` (what was seen), `chat` (reading requests, writing answers), `models` (sim-good / sim-degraded),
//! `faults` (seeded draws and the exact error answers), `window` (sliding-window limits),
//! `embed` (hashed n-gram vectors).

mod args;
mod chat;
mod config;
mod embed;
mod endpoints;
mod faults;
mod models;
mod server;
mod stats;
mod window;

pub use args::SimArgs;
pub use chat::{Kind, Mode, instance_of};
pub use config::{
    ContextForm, DEFAULT_MAX_SECONDS, FaultKind, Latency, LogTarget, RejectForm, RetryAfterForm,
    SimConfig,
};
pub use embed::embed;
pub use models::{DEGRADED, GOOD};
pub use server::{SimError, SimHandle, spawn};
pub use stats::{RequestLog, SimStats};
pub use window::go_duration;
