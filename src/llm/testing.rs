//! The one fake provider the layer tests share. In: a script — a function of (request, call
//! index) — or a list of outcomes; out: those outcomes, with every request kept and calls, peak
//! concurrency and send times counted, so a test can assert what reached the "network".

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use super::{
    ChatRequest, ChatResponse, LlmError, Message, Namespace, Provider, ProviderId, ResponseFormat,
    Usage,
};

type Script = dyn Fn(&ChatRequest, usize) -> Result<ChatResponse, LlmError> + Send + Sync;

pub(crate) struct Fake {
    id: ProviderId,
    script: Box<Script>,
    /// Simulated latency of every call (tokio time, so paused-clock tests stay instant).
    delay: Duration,
    calls: AtomicUsize,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    requests: Mutex<Vec<ChatRequest>>,
    sent_at: Mutex<Vec<tokio::time::Instant>>,
}

impl Fake {
    pub(crate) fn new(
        script: impl Fn(&ChatRequest, usize) -> Result<ChatResponse, LlmError> + Send + Sync + 'static,
    ) -> Self {
        Fake {
            id: ProviderId {
                kind: "fake".into(),
                host: "fake.test".into(),
            },
            script: Box::new(script),
            delay: Duration::ZERO,
            calls: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            requests: Mutex::new(Vec::new()),
            sent_at: Mutex::new(Vec::new()),
        }
    }

    /// Answers `outcomes` in order, one per call; a call past the end panics (the test sent more
    /// than it expected).
    pub(crate) fn scripted(outcomes: Vec<Result<ChatResponse, LlmError>>) -> Self {
        let outcomes = Mutex::new(outcomes.into_iter().map(Some).collect::<Vec<_>>());
        Fake::new(move |_, n| {
            outcomes.lock().unwrap()[n]
                .take()
                .expect("each scripted outcome is used once")
        })
    }

    /// Always answers `content` with `usage`.
    pub(crate) fn answering(content: &str, usage: Usage) -> Self {
        let content = content.to_string();
        Fake::new(move |_, _| Ok(response(&content, usage)))
    }

    pub(crate) fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub(crate) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub(crate) fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    pub(crate) fn requests(&self) -> Vec<ChatRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// When each call reached the fake, in arrival order.
    pub(crate) fn sent_at(&self) -> Vec<tokio::time::Instant> {
        self.sent_at.lock().unwrap().clone()
    }
}

#[async_trait]
impl Provider for Fake {
    fn id(&self) -> &ProviderId {
        &self.id
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        self.requests.lock().unwrap().push(req.clone());
        self.sent_at
            .lock()
            .unwrap()
            .push(tokio::time::Instant::now());
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        if !self.delay.is_zero() {
            tokio::time::sleep(self.delay).await;
        }
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        (self.script)(req, n)
    }
}

/// A 200 answer.
pub(crate) fn response(content: &str, usage: Usage) -> ChatResponse {
    ChatResponse {
        content: content.to_string(),
        usage,
        latency_ms: 1,
        cached: false,
        raw: None,
        structured_output: None,
    }
}

pub(crate) fn ok(content: &str) -> Result<ChatResponse, LlmError> {
    Ok(response(content, Usage::default()))
}

pub(crate) fn http(status: u16, retry_after: Option<Duration>) -> Result<ChatResponse, LlmError> {
    Err(LlmError::Http {
        status,
        message: format!("HTTP {status} from the fake"),
        retry_after,
    })
}

/// A card request whose user message is `text`, with an output ceiling of `max_tokens`.
pub(crate) fn request(text: &str, max_tokens: u32) -> ChatRequest {
    ChatRequest {
        max_tokens: Some(max_tokens),
        ..ChatRequest::new(
            Namespace::Card,
            "m",
            vec![Message::system("You write cards."), Message::user(text)],
            ResponseFormat::Prompt,
        )
    }
}
