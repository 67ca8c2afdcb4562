//! The sliding-window rate limiter real providers enforce. In: each request's arrival time and
//! token charge (prompt estimate + `max_tokens`); out: admitted or denied with the wait until the
//! window has room, and the `x-ratelimit-*` header values. No 60 s window (any start time) ever
//! holds more than `rpm` admitted requests or `tpm` admitted tokens — unlike a token bucket,
//! which lets a full burst through at once and then one more every 60/rpm s.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
pub(super) struct SlidingWindow {
    window: Duration,
    rpm: Option<u32>,
    tpm: Option<u32>,
    /// Admitted requests still inside the window: arrival time and tokens charged.
    admitted: VecDeque<(Instant, u64)>,
}

/// The state after a decision, for the rate headers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Remaining {
    pub rpm: Option<u32>,
    pub tpm: Option<u32>,
    pub requests_left: u64,
    pub tokens_left: u64,
    /// Until one more request fits (zero when one fits now).
    pub requests_reset: Duration,
    /// Until the window is back to its full token budget.
    pub tokens_reset: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Decision {
    Admitted(Remaining),
    /// Over a limit: `which` is "requests" or "tokens", `wait` is until this request would fit.
    Denied {
        which: &'static str,
        limit: u64,
        used: u64,
        wait: Duration,
        remaining: Remaining,
    },
    /// Bigger than the whole token budget: it can never be admitted.
    TooLarge {
        limit: u64,
    },
}

impl SlidingWindow {
    pub(super) fn new(window: Duration, rpm: Option<u32>, tpm: Option<u32>) -> Self {
        SlidingWindow {
            window,
            rpm,
            tpm,
            admitted: VecDeque::new(),
        }
    }

    pub(super) fn is_limited(&self) -> bool {
        self.rpm.is_some() || self.tpm.is_some()
    }

    fn expire(&mut self, now: Instant) {
        while let Some(&(at, _)) = self.admitted.front() {
            if now.duration_since(at) >= self.window {
                self.admitted.pop_front();
            } else {
                break;
            }
        }
    }

    fn tokens_used(&self) -> u64 {
        self.admitted.iter().map(|&(_, t)| t).sum()
    }

    /// Admits a request of `tokens` at `now`, or says how long until it would fit.
    pub(super) fn admit(&mut self, now: Instant, tokens: u64) -> Decision {
        self.expire(now);
        if let Some(tpm) = self.tpm
            && tokens > u64::from(tpm)
        {
            return Decision::TooLarge {
                limit: u64::from(tpm),
            };
        }
        if let Some(rpm) = self.rpm
            && self.admitted.len() as u64 >= u64::from(rpm)
        {
            // The request fits once enough of the oldest entries have left the window.
            let excess = self.admitted.len() + 1 - rpm as usize;
            let (at, _) = self.admitted[excess - 1];
            return Decision::Denied {
                which: "requests",
                limit: u64::from(rpm),
                used: self.admitted.len() as u64,
                wait: self.until_leaves(now, at),
                remaining: self.remaining(now),
            };
        }
        if let Some(tpm) = self.tpm {
            let used = self.tokens_used();
            if used + tokens > u64::from(tpm) {
                let mut freed = 0;
                let mut wait = Duration::ZERO;
                for &(at, t) in &self.admitted {
                    freed += t;
                    wait = self.until_leaves(now, at);
                    if used - freed + tokens <= u64::from(tpm) {
                        break;
                    }
                }
                return Decision::Denied {
                    which: "tokens",
                    limit: u64::from(tpm),
                    used,
                    wait,
                    remaining: self.remaining(now),
                };
            }
        }
        self.admitted.push_back((now, tokens));
        Decision::Admitted(self.remaining(now))
    }

    fn until_leaves(&self, now: Instant, at: Instant) -> Duration {
        (at + self.window).saturating_duration_since(now)
    }

    /// The header values at `now` without admitting anything.
    pub(super) fn remaining(&mut self, now: Instant) -> Remaining {
        self.expire(now);
        let used_requests = self.admitted.len() as u64;
        let used_tokens = self.tokens_used();
        let requests_left = self
            .rpm
            .map_or(u64::MAX, |r| u64::from(r).saturating_sub(used_requests));
        let requests_reset = match (self.rpm, self.admitted.front()) {
            (Some(_), Some(&(at, _))) if requests_left == 0 => self.until_leaves(now, at),
            _ => Duration::ZERO,
        };
        let tokens_reset = self
            .admitted
            .back()
            .map_or(Duration::ZERO, |&(at, _)| self.until_leaves(now, at));
        Remaining {
            rpm: self.rpm,
            tpm: self.tpm,
            requests_left,
            tokens_left: self
                .tpm
                .map_or(u64::MAX, |t| u64::from(t).saturating_sub(used_tokens)),
            requests_reset,
            tokens_reset,
        }
    }
}

impl Remaining {
    /// `x-ratelimit-*` headers, OpenAI's names and duration format ("1s", "6m0s", "20ms").
    pub(super) fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = Vec::new();
        if let Some(rpm) = self.rpm {
            headers.push(("x-ratelimit-limit-requests", rpm.to_string()));
            headers.push((
                "x-ratelimit-remaining-requests",
                self.requests_left.to_string(),
            ));
            headers.push((
                "x-ratelimit-reset-requests",
                go_duration(self.requests_reset),
            ));
        }
        if let Some(tpm) = self.tpm {
            headers.push(("x-ratelimit-limit-tokens", tpm.to_string()));
            headers.push(("x-ratelimit-remaining-tokens", self.tokens_left.to_string()));
            headers.push(("x-ratelimit-reset-tokens", go_duration(self.tokens_reset)));
        }
        headers
    }
}

/// A duration as OpenAI writes it in `x-ratelimit-reset-*`: "250ms", "1.5s", "6m0s".
pub fn go_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let minutes = ms / 60_000;
    let rest_ms = ms % 60_000;
    let seconds = if rest_ms % 1000 == 0 {
        format!("{}s", rest_ms / 1000)
    } else {
        let s = format!("{:.3}", rest_ms as f64 / 1000.0);
        format!("{}s", s.trim_end_matches('0').trim_end_matches('.'))
    };
    if minutes > 0 {
        format!("{minutes}m{seconds}")
    } else {
        seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(start: Instant, ms: u64) -> Instant {
        start + Duration::from_millis(ms)
    }

    #[test]
    fn no_window_ever_holds_more_than_rpm() {
        let start = Instant::now();
        let mut window = SlidingWindow::new(Duration::from_secs(60), Some(3), None);
        // Requests at 0, 10, 20 s fill the window; 30 s is denied until 60 s.
        for s in [0, 10, 20] {
            assert!(matches!(
                window.admit(at(start, s * 1000), 1),
                Decision::Admitted(_)
            ));
        }
        match window.admit(at(start, 30_000), 1) {
            Decision::Denied { which, wait, .. } => {
                assert_eq!(which, "requests");
                assert_eq!(wait, Duration::from_secs(30));
            }
            other => panic!("{other:?}"),
        }
        // A token bucket would refill one slot by 20 s + 20 s; the sliding window waits for the
        // request at 0 s to leave.
        assert!(matches!(
            window.admit(at(start, 59_999), 1),
            Decision::Denied { .. }
        ));
        assert!(matches!(
            window.admit(at(start, 60_000), 1),
            Decision::Admitted(_)
        ));
        assert!(matches!(
            window.admit(at(start, 60_001), 1),
            Decision::Denied { .. }
        ));
    }

    #[test]
    fn tokens_wait_for_enough_old_charges_to_leave() {
        let start = Instant::now();
        let mut window = SlidingWindow::new(Duration::from_secs(60), None, Some(1000));
        assert!(matches!(window.admit(start, 400), Decision::Admitted(_)));
        assert!(matches!(
            window.admit(at(start, 5000), 400),
            Decision::Admitted(_)
        ));
        match window.admit(at(start, 6000), 500) {
            Decision::Denied {
                which, wait, used, ..
            } => {
                assert_eq!((which, used), ("tokens", 800));
                assert_eq!(wait, Duration::from_secs(54));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            window.admit(start, 1001),
            Decision::TooLarge { limit: 1000 }
        );
    }

    #[test]
    fn headers_use_openai_names_and_durations() {
        let start = Instant::now();
        let mut window = SlidingWindow::new(Duration::from_secs(60), Some(2), Some(100));
        window.admit(start, 30);
        let Decision::Admitted(remaining) = window.admit(at(start, 1500), 20) else {
            panic!()
        };
        let headers: std::collections::BTreeMap<_, _> = remaining.headers().into_iter().collect();
        assert_eq!(headers["x-ratelimit-remaining-requests"], "0");
        assert_eq!(headers["x-ratelimit-reset-requests"], "58.5s");
        assert_eq!(headers["x-ratelimit-remaining-tokens"], "50");
        assert_eq!(headers["x-ratelimit-reset-tokens"], "1m0s");
        assert_eq!(go_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(go_duration(Duration::from_secs(360)), "6m0s");
    }
}
