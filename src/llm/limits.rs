//! The rate-limit layer. In: requests (every attempt, retries included — this layer sits under
//! the retry layer); out: the same requests, released so that **no 60 s window, whatever its
//! start, ever holds more than `rpm` requests or `tpm` tokens**, never more than `concurrency` at
//! once, and none while the shared cool-down of a 429 runs.
//!
//! Why not governor: GCRA lets a full burst of `rpm` through at once and then one more every
//! 60/rpm s, so the minute after a burst holds more than `rpm` and a sliding-window server
//! answers 429 (issue 6 measured 24 %). governor also cannot settle a charge to the real usage and
//! waits on its own clock, not tokio's. The `Pacer` below is an exact sliding log instead: it
//! keeps the grants of the last window (time, tokens) and releases a request at the earliest
//! instant at which adding it keeps both sums within the limits.
//!
//! Token charges: a request is charged its prompt estimate plus `max_tokens` when it is released
//! (what OpenAI-style servers count at admission), then settled with the response's usage — the
//! prompt part becomes the server's own `prompt_tokens` (the truth; our tokenizer is an estimate
//! for non-OpenAI models) and the completion part stays at least `max_tokens`, because that is
//! what the server reserved. A 429'd attempt was not admitted and is removed from the log.
//!
//! A 429 starts one shared cool-down: every caller waits until its Retry-After (capped), instead
//! of N callers each finding out for themselves. `x-ratelimit-remaining-*`/`-reset-*` headers,
//! when the server sends them, hold requests back before the server has to say no.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::budget::Estimator;
use super::telemetry::Telemetry;
use super::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId};

/// The window providers count over.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Grants stay in the log this much longer than the window: the server stamps a request when
/// it arrives, which can be later than our grant (a busy runtime between grant and socket
/// write, the network). 250 ms let one request in 50 through early in the 48-topic bench; 1 s
/// costs under 2 % of throughput at 60 s windows.
const WINDOW_SLACK: Duration = Duration::from_secs(1);
/// The cool-down after a 429 that names no Retry-After.
const DEFAULT_COOL_DOWN: Duration = Duration::from_secs(1);

/// OpenAI-style rate headers of one response (`x-ratelimit-remaining-requests` etc.).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RateHeaders {
    pub remaining_requests: Option<u64>,
    pub remaining_tokens: Option<u64>,
    pub reset_requests: Option<Duration>,
    pub reset_tokens: Option<Duration>,
}

impl RateHeaders {
    /// Reads the four headers through `get` (a header lookup); `None` when none is present.
    pub fn read(get: impl Fn(&str) -> Option<String>) -> Option<RateHeaders> {
        let number = |name: &str| get(name).and_then(|v| v.trim().parse::<u64>().ok());
        let duration = |name: &str| get(name).and_then(|v| parse_reset(&v));
        let headers = RateHeaders {
            remaining_requests: number("x-ratelimit-remaining-requests"),
            remaining_tokens: number("x-ratelimit-remaining-tokens"),
            reset_requests: duration("x-ratelimit-reset-requests"),
            reset_tokens: duration("x-ratelimit-reset-tokens"),
        };
        (headers != RateHeaders::default()).then_some(headers)
    }
}

/// OpenAI's reset format: Go-style durations ("1s", "6m0s", "20ms", "1.5s", "1h2m3s") or bare
/// seconds.
pub fn parse_reset(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let mut total = 0.0f64;
    let mut rest = value;
    while !rest.is_empty() {
        let split = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|&i| i > 0)?;
        let number: f64 = rest[..split].parse().ok()?;
        rest = &rest[split..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 0.000_001,
            "ns" => 0.000_000_001,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    Some(Duration::from_secs_f64(total))
}

struct Grant {
    id: u64,
    at: Instant,
    tokens: u64,
}

/// What the server last said about its own counters, and how much we sent since.
struct ServerHint {
    at: Instant,
    headers: RateHeaders,
    requests_since: u64,
    tokens_since: u64,
}

#[derive(Default)]
struct PaceState {
    grants: VecDeque<Grant>,
    next_id: u64,
    cool_until: Option<Instant>,
    hint: Option<ServerHint>,
}

/// The sliding-window scheduler shared by every call of a run.
pub struct Pacer {
    rpm: u64,
    tpm: u64,
    state: Mutex<PaceState>,
}

/// A released request's place in the log, to settle or withdraw once its answer is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantId(u64);

impl Pacer {
    pub fn new(rpm: u32, tpm: u32) -> Self {
        Pacer {
            rpm: u64::from(rpm.max(1)),
            tpm: u64::from(tpm.max(1)),
            state: Mutex::new(PaceState::default()),
        }
    }

    /// The charge of a request: at least 1 token, at most the whole window (a request bigger
    /// than `tpm` still goes, alone in its window, and the server decides).
    fn clamp(&self, tokens: u64) -> u64 {
        tokens.clamp(1, self.tpm)
    }

    /// The earliest instant at which a request of `tokens` fits, given the state at `now`.
    fn earliest(&self, state: &mut PaceState, now: Instant, tokens: u64) -> Instant {
        let span = WINDOW + WINDOW_SLACK;
        while state.grants.front().is_some_and(|g| g.at + span <= now) {
            state.grants.pop_front();
        }
        let mut at = now;
        if let Some(until) = state.cool_until {
            at = at.max(until);
        }
        let grants = &state.grants;
        // Requests: with `rpm` grants in the log, the next fits once the oldest of the last
        // `rpm - 1` would leave room, i.e. when grants[len - rpm] leaves the window.
        if grants.len() as u64 >= self.rpm {
            let oldest_to_leave = grants.len() - self.rpm as usize;
            at = at.max(grants[oldest_to_leave].at + span);
        }
        // Tokens: drop grants from the oldest until the rest plus this request fit.
        let mut in_window: u64 = grants.iter().map(|g| g.tokens).sum();
        let mut i = 0;
        while in_window + tokens > self.tpm && i < grants.len() {
            in_window -= grants[i].tokens;
            at = at.max(grants[i].at + span);
            i += 1;
        }
        if let Some(hint) = &state.hint {
            let h = hint.headers;
            if let (Some(left), Some(reset)) = (h.remaining_requests, h.reset_requests) {
                if left <= hint.requests_since {
                    at = at.max(hint.at + reset);
                }
            }
            if let (Some(left), Some(reset)) = (h.remaining_tokens, h.reset_tokens) {
                if left < hint.tokens_since + tokens {
                    at = at.max(hint.at + reset);
                }
            }
        }
        at
    }

    /// Waits until a request charged `tokens` may be sent, and records it.
    pub async fn acquire(&self, tokens: u64) -> GrantId {
        let tokens = self.clamp(tokens);
        loop {
            let wake = {
                let mut state = self.state.lock().expect("pacer mutex");
                let now = Instant::now();
                let at = self.earliest(&mut state, now, tokens);
                if at <= now {
                    let id = state.next_id;
                    state.next_id += 1;
                    state.grants.push_back(Grant {
                        id,
                        at: now,
                        tokens,
                    });
                    if let Some(hint) = &mut state.hint {
                        hint.requests_since += 1;
                        hint.tokens_since += tokens;
                    }
                    return GrantId(id);
                }
                at
            };
            // Someone else may change the state meanwhile (a 429, a settle); recompute on waking.
            tokio::time::sleep_until(wake).await;
        }
    }

    /// Replaces a grant's charge with what the server actually counted.
    pub fn settle(&self, id: GrantId, tokens: u64) {
        let tokens = self.clamp(tokens);
        let mut state = self.state.lock().expect("pacer mutex");
        if let Some(grant) = state.grants.iter_mut().find(|g| g.id == id.0) {
            grant.tokens = tokens;
        }
    }

    /// Removes a grant the server did not admit (it answered 429).
    pub fn withdraw(&self, id: GrantId) {
        let mut state = self.state.lock().expect("pacer mutex");
        state.grants.retain(|g| g.id != id.0);
    }

    /// Holds every caller back for `wait` from now (extends, never shortens, a running one).
    pub fn cool_down(&self, wait: Duration) {
        let mut state = self.state.lock().expect("pacer mutex");
        let until = Instant::now() + wait;
        state.cool_until = Some(state.cool_until.map_or(until, |u| u.max(until)));
    }

    /// Takes in the server's own view of its counters.
    pub fn observe(&self, headers: RateHeaders) {
        let mut state = self.state.lock().expect("pacer mutex");
        state.hint = Some(ServerHint {
            at: Instant::now(),
            headers,
            requests_since: 0,
            tokens_since: 0,
        });
    }
}

pub struct Limited<P> {
    inner: P,
    pacer: Arc<Pacer>,
    estimator: Estimator,
    max_cool_down: Duration,
    in_flight: Semaphore,
    telemetry: Arc<Telemetry>,
}

impl<P: Provider> Limited<P> {
    pub fn new(
        inner: P,
        pacer: Arc<Pacer>,
        estimator: Estimator,
        concurrency: usize,
        max_cool_down: Duration,
        telemetry: Arc<Telemetry>,
    ) -> Self {
        Limited {
            inner,
            pacer,
            estimator,
            max_cool_down,
            in_flight: Semaphore::new(concurrency.max(1)),
            telemetry,
        }
    }
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
        let prompt = self.estimator.prompt_tokens(req);
        let max_tokens = u64::from(req.max_tokens.unwrap_or(0));
        let grant = self.pacer.acquire(prompt + max_tokens).await;
        match self.inner.chat(req).await {
            Ok(resp) => {
                let counted_prompt = if resp.usage.prompt_tokens > 0 {
                    resp.usage.prompt_tokens
                } else {
                    prompt
                };
                self.pacer.settle(
                    grant,
                    counted_prompt + max_tokens.max(resp.usage.completion_tokens),
                );
                Ok(resp)
            }
            Err(err) => {
                if err.is_rate_limited() {
                    self.telemetry.rate_limited();
                    self.pacer.withdraw(grant);
                    let wait = err
                        .retry_after()
                        .unwrap_or(DEFAULT_COOL_DOWN)
                        .min(self.max_cool_down);
                    self.pacer.cool_down(wait);
                }
                Err(err)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TokenEncoding;
    use crate::llm::testing::{Fake, http, ok, request};

    fn limited(fake: Arc<Fake>, rpm: u32, tpm: u32, concurrency: usize) -> Arc<Limited<Arc<Fake>>> {
        Arc::new(Limited::new(
            fake,
            Arc::new(Pacer::new(rpm, tpm)),
            Estimator::new(TokenEncoding::O200kBase),
            concurrency,
            Duration::from_secs(120),
            Arc::new(Telemetry::default()),
        ))
    }

    /// Every window of WINDOW length starting at a send time holds at most `limit` sends.
    fn max_in_any_window(times: &[Instant]) -> usize {
        times
            .iter()
            .map(|start| {
                times
                    .iter()
                    .filter(|t| **t >= *start && **t < *start + WINDOW)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[tokio::test(start_paused = true)]
    async fn no_sixty_second_window_holds_more_than_rpm() {
        // 25 calls at rpm 10 on a paused clock: a token bucket would let 10 through, then one
        // every 6 s (so the first minute would hold 19); the sliding log holds 10 per window.
        let fake = Arc::new(
            Fake::answering("{}", Default::default()).with_delay(Duration::from_millis(300)),
        );
        let layer = limited(fake.clone(), 10, 10_000_000, 25);
        let started = Instant::now();
        let calls = (0..25).map(|_| {
            let layer = layer.clone();
            tokio::spawn(async move { layer.chat(&request("hello", 10)).await })
        });
        for call in calls.collect::<Vec<_>>() {
            call.await.unwrap().unwrap();
        }
        let sent = fake.sent_at();
        assert_eq!(sent.len(), 25);
        assert_eq!(max_in_any_window(&sent), 10);
        // And it is not slower than it must be: 25 calls at 10/min need two full windows.
        let elapsed = started.elapsed();
        assert!(
            elapsed >= 2 * WINDOW && elapsed < 2 * WINDOW + Duration::from_secs(4),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn no_window_holds_more_than_tpm_and_usage_settles_the_charge() {
        // Each request is charged ~prompt + 400; tpm 1000 fits two per window until the
        // server's usage says the completions were smaller than reserved — it never is here,
        // because the completion part stays at max_tokens (what servers count at admission).
        let fake = Arc::new(Fake::answering(
            "{}",
            crate::llm::Usage {
                prompt_tokens: 20,
                completion_tokens: 5,
            },
        ));
        let layer = limited(fake.clone(), 1000, 1000, 8);
        for call in (0..6)
            .map(|_| {
                let layer = layer.clone();
                tokio::spawn(async move { layer.chat(&request("hello there", 400)).await })
            })
            .collect::<Vec<_>>()
        {
            call.await.unwrap().unwrap();
        }
        let sent = fake.sent_at();
        assert_eq!(max_in_any_window(&sent), 2, "{sent:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn one_429_makes_every_caller_wait_for_its_retry_after() {
        // Caller A's first attempt gets a 429 with Retry-After: 7 s. Caller B, sent after it,
        // must not reach the server before the cool-down ends, although B itself never saw a 429.
        let fake = Arc::new(Fake::new(|_, n| match n {
            0 => http(429, Some(Duration::from_secs(7))),
            _ => ok("{}"),
        }));
        let layer = limited(fake.clone(), 1000, 10_000_000, 8);
        let started = Instant::now();
        let a = layer.chat(&request("a", 10)).await;
        assert!(matches!(a, Err(LlmError::Http { status: 429, .. })));
        let (rb, rc) = (request("b", 10), request("c", 10));
        let (b, c) = tokio::join!(layer.chat(&rb), layer.chat(&rc));
        b.unwrap();
        c.unwrap();
        let sent = fake.sent_at();
        assert_eq!(sent.len(), 3);
        for t in &sent[1..] {
            assert!(*t - started >= Duration::from_secs(7), "{:?}", *t - started);
        }
        assert_eq!(layer.telemetry.snapshot().rate_limited, 1);
    }

    #[tokio::test(start_paused = true)]
    async fn server_headers_hold_requests_back_before_a_429() {
        let pacer = Pacer::new(1000, 10_000_000);
        pacer.observe(RateHeaders {
            remaining_requests: Some(1),
            reset_requests: Some(Duration::from_secs(5)),
            ..RateHeaders::default()
        });
        let started = Instant::now();
        pacer.acquire(10).await;
        assert_eq!(started.elapsed(), Duration::ZERO, "one request was left");
        pacer.acquire(10).await;
        assert!(
            started.elapsed() >= Duration::from_secs(5),
            "the second waits for the reset"
        );
    }

    #[tokio::test]
    async fn concurrency_is_bounded() {
        let fake = Arc::new(
            Fake::answering("{}", Default::default()).with_delay(Duration::from_millis(20)),
        );
        let layer = limited(fake.clone(), 10_000, 1_000_000, 2);
        let calls: Vec<_> = (0..6)
            .map(|_| {
                let layer = layer.clone();
                tokio::spawn(async move { layer.chat(&request("word ", 100)).await })
            })
            .collect();
        for call in calls {
            call.await.unwrap().unwrap();
        }
        assert_eq!(fake.peak(), 2);
    }

    #[test]
    fn reads_openai_reset_durations() {
        assert_eq!(parse_reset("1s"), Some(Duration::from_secs(1)));
        assert_eq!(parse_reset("6m0s"), Some(Duration::from_secs(360)));
        assert_eq!(parse_reset("20ms"), Some(Duration::from_millis(20)));
        assert_eq!(parse_reset("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_reset("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_reset("soon"), None);
        let headers = RateHeaders::read(|name| match name {
            "x-ratelimit-remaining-tokens" => Some("900".into()),
            "x-ratelimit-reset-tokens" => Some("6m0s".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(headers.remaining_tokens, Some(900));
        assert_eq!(headers.reset_tokens, Some(Duration::from_secs(360)));
        assert_eq!(headers.remaining_requests, None);
        assert!(RateHeaders::read(|_| None).is_none());
    }
}
