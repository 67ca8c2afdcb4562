//! What a simulator saw: one `RequestLog` per request (also the JSON log line) and the
//! `SimStats` counters tests and benches assert on.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

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
    /// The most requests the simulator was handling at one time (hangs included).
    pub max_in_flight: u64,
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

    /// The most chat requests that arrived within any span of `window` (by arrival time), the
    /// number a sliding-window limit compares with `rpm`. Counts what clients sent, 429s included.
    pub fn max_in_window(&self, window: Duration) -> usize {
        let arrivals: Vec<u64> = self
            .log
            .iter()
            .filter(|l| l.path == "/v1/chat/completions")
            .map(|l| l.at_ms)
            .collect();
        let window_ms = window.as_millis() as u64;
        let mut sorted = arrivals;
        sorted.sort_unstable();
        let mut best = 0;
        let mut start = 0;
        for end in 0..sorted.len() {
            while sorted[end] - sorted[start] >= window_ms {
                start += 1;
            }
            best = best.max(end - start + 1);
        }
        best
    }
}
