//! What the provider layers observed during a run, for the progress bar, the run report and the
//! manifest. In: counts and events reported by the retry, limit and fallback layers; out: a
//! snapshot. One `Telemetry` is shared by the layers of one stack (and so by every concurrent
//! call of the run); it is counters and a short event list, never request content.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

/// One step down the structured-output chain (DESIGN §5): from which mode to which, and the
/// server's words that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FallbackEvent {
    pub from: String,
    pub to: String,
    /// The error that triggered the step (status and the server's message, shortened).
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Telemetry {
    retries: AtomicU64,
    rate_limited: AtomicU64,
    fallbacks: Mutex<Vec<FallbackEvent>>,
    context_trims: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelemetrySnapshot {
    /// Attempts after the first, over every call.
    pub retries: u64,
    /// Answers with HTTP 429.
    pub rate_limited: u64,
    /// Requests re-sent with fewer article tokens after a context-window error.
    pub context_trims: u64,
    pub fallbacks: Vec<FallbackEvent>,
}

impl Telemetry {
    pub fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    pub fn context_trimmed(&self) {
        self.context_trims.fetch_add(1, Ordering::Relaxed);
    }

    pub fn fell_back(&self, event: FallbackEvent) {
        self.fallbacks.lock().expect("telemetry mutex").push(event);
    }

    pub fn snapshot(&self) -> TelemetrySnapshot {
        TelemetrySnapshot {
            retries: self.retries.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            context_trims: self.context_trims.load(Ordering::Relaxed),
            fallbacks: self.fallbacks.lock().expect("telemetry mutex").clone(),
        }
    }
}
