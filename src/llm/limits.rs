//! The rate-limit layer. In: requests; out: the same requests, released no faster than the
//! provider's RPM and TPM allow and never more than `concurrency` at once. A request is charged
//! its estimate (prompt tokens + max_tokens) before it is sent, clamped to the TPM burst because
//! governor can never grant more than the burst in one go; governor cannot refund, so the
//! estimate errs high rather than reconciling with the real usage afterwards.

use std::num::NonZeroU32;

use async_trait::async_trait;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use tokio::sync::Semaphore;

use super::budget::estimate_request_tokens;
use super::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId};

pub struct Limited<P> {
    inner: P,
    requests: DefaultDirectRateLimiter,
    tokens: DefaultDirectRateLimiter,
    tpm: NonZeroU32,
    in_flight: Semaphore,
}

impl<P: Provider> Limited<P> {
    pub fn new(inner: P, rpm: u32, tpm: u32, concurrency: usize) -> Self {
        let rpm = NonZeroU32::new(rpm.max(1)).expect("max(1) is non-zero");
        let tpm = NonZeroU32::new(tpm.max(1)).expect("max(1) is non-zero");
        Limited {
            inner,
            requests: RateLimiter::direct(Quota::per_minute(rpm)),
            tokens: RateLimiter::direct(Quota::per_minute(tpm)),
            tpm,
            in_flight: Semaphore::new(concurrency.max(1)),
        }
    }
}

/// The token charge for a request: its estimate, at least 1, at most the burst.
pub fn token_charge(estimate: u64, tpm: NonZeroU32) -> NonZeroU32 {
    let clamped = estimate.clamp(1, u64::from(tpm.get())) as u32;
    NonZeroU32::new(clamped).expect("clamped to at least 1")
}

#[async_trait]
impl<P: Provider> Provider for Limited<P> {
    fn id(&self) -> &ProviderId {
        self.inner.id()
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let _permit = self
            .in_flight
            .acquire()
            .await
            .expect("semaphore is never closed");
        self.requests.until_ready().await;
        let charge = token_charge(estimate_request_tokens(req), self.tpm);
        self.tokens
            .until_n_ready(charge)
            .await
            .expect("charge is clamped to the burst, so capacity always suffices");
        self.inner.chat(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{Message, Namespace, ResponseFormat, Usage};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    #[test]
    fn charge_is_clamped_to_the_burst() {
        let tpm = NonZeroU32::new(1000).unwrap();
        assert_eq!(token_charge(5000, tpm).get(), 1000);
        assert_eq!(token_charge(0, tpm).get(), 1);
        assert_eq!(token_charge(600, tpm).get(), 600);
    }

    struct Slow {
        id: ProviderId,
        now: AtomicUsize,
        peak: AtomicUsize,
    }

    #[async_trait]
    impl Provider for Slow {
        fn id(&self) -> &ProviderId {
            &self.id
        }
        async fn chat(&self, _req: &ChatRequest) -> Result<ChatResponse, LlmError> {
            let current = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.peak.fetch_max(current, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            Ok(ChatResponse {
                content: String::new(),
                usage: Usage::default(),
                latency_ms: 20,
                cached: false,
                raw: None,
                structured_output: None,
            })
        }
    }

    #[tokio::test]
    async fn concurrency_is_bounded() {
        let inner = Slow {
            id: ProviderId {
                kind: "s".into(),
                host: String::new(),
            },
            now: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        };
        let limited = Arc::new(Limited::new(inner, 10_000, 1_000_000, 2));
        let req = ChatRequest {
            max_tokens: Some(100),
            ..ChatRequest::new(
                Namespace::Card,
                "m",
                vec![Message::user("word ".repeat(50))],
                ResponseFormat::Prompt,
            )
        };
        let mut handles = Vec::new();
        for _ in 0..6 {
            let limited = limited.clone();
            let req = req.clone();
            handles.push(tokio::spawn(async move { limited.chat(&req).await }));
        }
        for h in handles {
            h.await.unwrap().unwrap();
        }
        assert_eq!(limited.inner.peak.load(Ordering::SeqCst), 2);
    }
}
