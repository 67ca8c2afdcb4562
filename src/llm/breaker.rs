//! The fail-fast layer, between the retry layer and the rate limiter. In: requests; out: the
//! endpoint's answers — until the endpoint shows it cannot answer at all, after which every call
//! fails at once with one message that names what to fix.
//!
//! Two things end a run's LLM stages instead of costing every topic its full retry ladder (a
//! refused connection once cost 200 s and 170 lines of warnings):
//! - **unreachable**: connection refused, DNS or TLS failure — `FIRST_CALL_FAILURES` in a row
//!   before anything ever answered (a server that never came up; the retry layer's backoff spends
//!   about 2 s on them), or `MID_RUN_FAILURES` in a row after something did (a server that died);
//! - **refused key**: HTTP 401 or 403 on any call — the key will not become valid by asking again.
//!
//! Timeouts and 5xx are not counted: a slow local model or an overloaded API is reachable, and the
//! retry layer owns those. Any answer, or any error that proves the server is there, resets the
//! count.

use std::sync::Mutex;

use async_trait::async_trait;

use super::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId};

/// Connection failures in a row, with no call answered yet, that mean "never reachable".
pub const FIRST_CALL_FAILURES: u32 = 3;
/// Connection failures in a row, after calls were answered, that mean "gone": more than one
/// topic's retry ladder, so a blip between two topics does not end a night.
pub const MID_RUN_FAILURES: u32 = 8;

pub struct Breaker<P> {
    inner: P,
    /// `provider.base_url`, named in the message (never the key).
    base_url: String,
    /// The variable the key comes from, named in the message.
    key_env: String,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    answered: bool,
    failures_in_a_row: u32,
    tripped: Option<String>,
}

impl<P: Provider> Breaker<P> {
    pub fn new(inner: P, base_url: &str, key_env: &str) -> Self {
        Breaker {
            inner,
            base_url: base_url.to_string(),
            key_env: key_env.to_string(),
            state: Mutex::new(State::default()),
        }
    }

    fn trip(&self, state: &mut State, message: String) -> LlmError {
        let message = state.tripped.get_or_insert(message).clone();
        LlmError::ProviderDown(message)
    }
}

#[async_trait]
impl<P: Provider> Provider for Breaker<P> {
    fn id(&self) -> &ProviderId {
        self.inner.id()
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        if let Some(message) = &self.state.lock().expect("breaker mutex").tripped {
            return Err(LlmError::ProviderDown(message.clone()));
        }
        let result = self.inner.chat(req).await;
        let mut state = self.state.lock().expect("breaker mutex");
        match result {
            Err(LlmError::Unreachable(reason)) => {
                state.failures_in_a_row += 1;
                let limit = if state.answered {
                    MID_RUN_FAILURES
                } else {
                    FIRST_CALL_FAILURES
                };
                if state.failures_in_a_row < limit {
                    return Err(LlmError::Unreachable(reason));
                }
                let when = if state.answered {
                    "stopped answering"
                } else {
                    "cannot be reached"
                };
                let message = format!(
                    "the provider at {} {when} ({reason}; {} connection failures in a row): check \
                     provider.base_url (or OPENAI_BASE_URL) and that the server is running",
                    self.base_url, state.failures_in_a_row
                );
                Err(self.trip(&mut state, message))
            }
            Err(LlmError::Http { status, .. }) if status == 401 || status == 403 => {
                let message = format!(
                    "the provider at {} refused the API key (HTTP {status}): check the key in ${}",
                    self.base_url, self.key_env
                );
                Err(self.trip(&mut state, message))
            }
            other => {
                if !matches!(other, Err(LlmError::Timeout(_))) {
                    state.failures_in_a_row = 0;
                }
                if other.is_ok() {
                    state.answered = true;
                }
                other
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::llm::retry::Retrying;
    use crate::llm::testing::{Fake, http, ok};

    fn unreachable() -> Result<ChatResponse, LlmError> {
        Err(LlmError::Unreachable("connection refused".into()))
    }

    fn request() -> ChatRequest {
        crate::llm::testing::request("hi", 10)
    }

    #[tokio::test(start_paused = true)]
    async fn a_provider_that_never_answers_stops_after_a_few_attempts_with_one_message() {
        let fake = Arc::new(Fake::new(|_, _| unreachable()));
        let stack = Retrying::new(
            Breaker::new(fake.clone(), "http://127.0.0.1:9/v1", "OPENAI_API_KEY"),
            6,
            Duration::from_secs(60),
        );
        let started = tokio::time::Instant::now();
        let err = stack.chat(&request()).await.unwrap_err();
        assert!(err.is_fatal(), "{err}");
        assert_eq!(fake.calls(), FIRST_CALL_FAILURES as usize);
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{:?}",
            started.elapsed()
        );
        let message = err.to_string();
        assert!(message.contains("http://127.0.0.1:9/v1"), "{message}");
        assert!(message.contains("provider.base_url"), "{message}");
        // Every later call fails at once, without touching the endpoint.
        let again = stack.chat(&request()).await.unwrap_err();
        assert_eq!(again.to_string(), message);
        assert_eq!(fake.calls(), FIRST_CALL_FAILURES as usize);
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_key_stops_at_once_naming_the_variable() {
        let fake = Arc::new(Fake::scripted(vec![http(401, None), ok("{}")]));
        let stack = Retrying::new(
            Breaker::new(
                fake.clone(),
                "https://api.example.com/v1",
                "TEAM_OPENAI_KEY",
            ),
            6,
            Duration::from_secs(60),
        );
        let err = stack.chat(&request()).await.unwrap_err();
        assert!(err.is_fatal());
        assert!(err.to_string().contains("$TEAM_OPENAI_KEY"), "{err}");
        assert_eq!(fake.calls(), 1);
        assert!(stack.chat(&request()).await.is_err());
        assert_eq!(fake.calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_provider_that_dies_after_three_cards_stops_within_a_bounded_count() {
        let fake = Arc::new(Fake::new(
            |_, n| if n < 3 { ok("{}") } else { unreachable() },
        ));
        let stack = Retrying::new(
            Breaker::new(fake.clone(), "http://127.0.0.1:8080/v1", "K"),
            6,
            Duration::from_secs(60),
        );
        for _ in 0..3 {
            stack.chat(&request()).await.unwrap();
        }
        // The fourth topic uses its whole retry ladder (6 attempts, still under the bound), the
        // fifth trips the breaker, and every topic after it fails without a call.
        assert!(!stack.chat(&request()).await.unwrap_err().is_fatal());
        assert!(stack.chat(&request()).await.unwrap_err().is_fatal());
        let calls = fake.calls();
        assert_eq!(calls, 3 + MID_RUN_FAILURES as usize);
        for _ in 0..20 {
            assert!(stack.chat(&request()).await.unwrap_err().is_fatal());
        }
        assert_eq!(fake.calls(), calls);
    }

    #[tokio::test(start_paused = true)]
    async fn a_blip_between_answers_does_not_trip() {
        let fake = Arc::new(Fake::new(
            |_, n| {
                if n % 3 == 2 { unreachable() } else { ok("{}") }
            },
        ));
        let stack = Breaker::new(fake, "http://127.0.0.1:8080/v1", "K");
        for _ in 0..30 {
            let _ = stack.chat(&request()).await;
        }
        assert!(stack.state.lock().unwrap().tripped.is_none());
    }
}
