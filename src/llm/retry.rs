//! The retry layer, above the rate limiter (so every retry is paced and charged like a first
//! attempt) and below the fallback and context layers. In: a request; out: the first successful
//! answer, or the last error once attempts run out. Retries have exactly one owner — this file —
//! because async-openai's own retry is turned off.
//!
//! Policy: exponential backoff with jitter (0.5 s doubling, at most 30 s between attempts), only
//! for errors worth repeating (429, 5xx, timeouts, connection failures; see
//! `LlmError::is_retryable`). A `Retry-After` from the server replaces the computed delay but is
//! capped at `max_retry_after` so one hostile header cannot park a nightly run for an hour.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use backon::{ExponentialBuilder, Retryable};

use super::telemetry::Telemetry;
use super::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId};

pub struct Retrying<P> {
    inner: P,
    max_attempts: u32,
    max_retry_after: Duration,
    min_delay: Duration,
    telemetry: Arc<Telemetry>,
}

impl<P: Provider> Retrying<P> {
    pub fn new(inner: P, max_attempts: u32, max_retry_after: Duration) -> Self {
        Retrying {
            inner,
            max_attempts: max_attempts.max(1),
            max_retry_after,
            min_delay: Duration::from_millis(500),
            telemetry: Arc::new(Telemetry::default()),
        }
    }

    /// Counts retries into the run's shared telemetry.
    pub fn with_telemetry(mut self, telemetry: Arc<Telemetry>) -> Self {
        self.telemetry = telemetry;
        self
    }
}

#[async_trait]
impl<P: Provider> Provider for Retrying<P> {
    fn id(&self) -> &ProviderId {
        self.inner.id()
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(Duration::from_secs(30))
            .with_max_times((self.max_attempts - 1) as usize)
            .with_jitter();
        let cap = self.max_retry_after;
        (|| self.inner.chat(req))
            .retry(backoff)
            .sleep(tokio::time::sleep)
            .when(LlmError::is_retryable)
            // Only reshape a delay the backoff already granted: returning Some after the backoff
            // is exhausted would retry forever.
            .adjust(move |err, planned| {
                planned.map(|d| err.retry_after().map_or(d, |ra| ra.min(cap)))
            })
            .notify(|err, delay| {
                self.telemetry.retried();
                // Info, not a warning: a retried call is the layer doing its job; the run summary
                // counts retries, and `-v` (or RUST_LOG) shows each one.
                tracing::info!(%err, ?delay, "provider call failed; retrying")
            })
            .await
    }
}

/// Parses a `Retry-After` header value: delta-seconds or an HTTP-date (RFC 7231), relative to
/// `now`. A date in the past means "now".
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - now;
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::testing::{Fake, http, ok};

    fn request() -> ChatRequest {
        crate::llm::testing::request("hi", 10)
    }

    #[tokio::test(start_paused = true)]
    async fn retries_429_and_5xx_then_succeeds() {
        let layer = Retrying::new(
            Fake::scripted(vec![http(429, None), http(503, None), ok("{}")]),
            6,
            Duration::from_secs(60),
        );
        assert!(layer.chat(&request()).await.is_ok());
        assert_eq!(layer.inner.calls(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn does_not_retry_client_errors() {
        let layer = Retrying::new(
            Fake::scripted(vec![http(400, None), ok("{}")]),
            6,
            Duration::from_secs(60),
        );
        assert!(matches!(
            layer.chat(&request()).await,
            Err(LlmError::Http { status: 400, .. })
        ));
        assert_eq!(layer.inner.calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_rejected_mode_or_context_overflow_is_never_retried_whatever_its_status() {
        for err in [
            LlmError::from_http(
                500,
                "Input should be 'text' or 'json_object' (response_format)".into(),
                None,
            ),
            LlmError::from_http(
                400,
                "This model's maximum context length is 4096 tokens.".into(),
                None,
            ),
        ] {
            let telemetry = Arc::new(Telemetry::default());
            let layer = Retrying::new(
                Fake::scripted(vec![Err(err), ok("{}")]),
                6,
                Duration::from_secs(60),
            )
            .with_telemetry(telemetry.clone());
            assert!(layer.chat(&request()).await.is_err());
            assert_eq!(layer.inner.calls(), 1);
            assert_eq!(telemetry.snapshot().retries, 0);
        }
        let telemetry = Arc::new(Telemetry::default());
        let layer = Retrying::new(
            Fake::scripted(vec![http(503, None), ok("{}")]),
            6,
            Duration::from_secs(60),
        )
        .with_telemetry(telemetry.clone());
        layer.chat(&request()).await.unwrap();
        assert_eq!(
            telemetry.snapshot().retries,
            1,
            "retries are counted for the progress bar"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_after_max_attempts() {
        let layer = Retrying::new(
            Fake::scripted((0..5).map(|_| http(500, None)).collect()),
            3,
            Duration::from_secs(60),
        );
        assert!(layer.chat(&request()).await.is_err());
        assert_eq!(layer.inner.calls(), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn honours_retry_after_but_caps_it() {
        let start = tokio::time::Instant::now();
        let layer = Retrying::new(
            Fake::scripted(vec![http(429, Some(Duration::from_secs(3600))), ok("{}")]),
            6,
            Duration::from_secs(5),
        );
        layer.chat(&request()).await.unwrap();
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_secs(5) && waited < Duration::from_secs(6),
            "{waited:?}"
        );
    }

    #[test]
    fn parses_both_retry_after_forms() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-05T00:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(parse_retry_after("17", now), Some(Duration::from_secs(17)));
        assert_eq!(
            parse_retry_after("Mon, 05 Jan 2026 00:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 04 Jan 2026 23:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
