//! What a simulator run does, as plain data: seed, latency, rate limits, fault rates and scripts,
//! capability rejections, context window, lifetime and log target. `SimConfig::default()` is a
//! well-behaved, fast, unlimited server that stops by itself after `DEFAULT_MAX_SECONDS`; tests
//! change only the fields they care about.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

/// A forgotten simulator stops by itself after this long.
pub const DEFAULT_MAX_SECONDS: u64 = 900;
/// Upper bound for `max_seconds` (one day).
pub(super) const MAX_SECONDS_LIMIT: u64 = 86_400;
/// Upper bound for `max_requests`.
pub(super) const MAX_REQUESTS_LIMIT: u64 = 10_000_000;

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seeds every random choice (latency, fault draws, Retry-After form).
    pub seed: u64,
    /// Port on 127.0.0.1; 0 picks a free one (read it back from `SimHandle::port`).
    pub port: u16,
    pub latency: Latency,
    /// Requests admitted per sliding window (`window`), chat and embeddings together; `None` =
    /// unlimited, and no `x-ratelimit-*` headers.
    pub rpm: Option<u32>,
    /// Tokens admitted per sliding window; `None` = unlimited. A request is charged its prompt
    /// estimate plus `max_tokens` when it arrives, as OpenAI counts (no refund for shorter
    /// answers).
    pub tpm: Option<u32>,
    /// Length of the sliding window the limits count over (60 s, like real providers; tests
    /// shorten it).
    pub window: Duration,
    /// How a 429's `Retry-After` is written.
    pub retry_after_form: RetryAfterForm,
    /// `Retry-After` of injected (not window) 429s, in seconds.
    pub fault_retry_after_s: u64,
    /// Chance per chat request of each fault; the sum must be at most 1.
    pub fault_rates: Vec<(FaultKind, f64)>,
    /// Deterministic faults: the first `count` chat requests get `kind`, entries in order
    /// (`[(2, RateLimited), (1, Hang)]` = requests 1-2 get 429, request 3 hangs). After the
    /// script, faults are drawn from `fault_rates`.
    pub script: Vec<(u32, FaultKind)>,
    /// Answer every `json_schema` request with this rejection.
    pub reject_json_schema: Option<RejectForm>,
    /// Answer every `json_object` request with an OpenAI-style 400 naming `response_format`.
    pub reject_json_object: bool,
    /// `json_object` without a `schema` beside it answers valid JSON missing a required field,
    /// as llama.cpp with a small model does (measured); with `schema` the answer is valid.
    pub json_object_needs_schema: bool,
    /// Requests whose prompt + completion tokens exceed this get `context_length_exceeded`.
    pub context_window: Option<u32>,
    pub context_form: ContextForm,
    /// Stop after answering this many requests (any path).
    pub max_requests: Option<u64>,
    /// Stop after this many seconds.
    pub max_seconds: u64,
    /// Where the one-JSON-line-per-request log goes (it is always kept in `SimStats` too).
    pub log: LogTarget,
    /// Dimensions of `/v1/embeddings` vectors.
    pub embed_dim: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 7,
            port: 0,
            latency: Latency::default(),
            rpm: None,
            tpm: None,
            window: Duration::from_secs(60),
            retry_after_form: RetryAfterForm::Mixed,
            fault_retry_after_s: 1,
            fault_rates: Vec::new(),
            script: Vec::new(),
            reject_json_schema: None,
            reject_json_object: false,
            json_object_needs_schema: false,
            context_window: None,
            context_form: ContextForm::OpenAi,
            max_requests: None,
            max_seconds: DEFAULT_MAX_SECONDS,
            log: LogTarget::None,
            embed_dim: 256,
        }
    }
}

impl SimConfig {
    /// Every problem at once, one per line, or `Ok`.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        let total: f64 = self.fault_rates.iter().map(|(_, p)| p).sum();
        if self
            .fault_rates
            .iter()
            .any(|(_, p)| !(0.0..=1.0).contains(p))
        {
            problems.push("fault rates must be between 0 and 1".to_string());
        }
        if total > 1.0 + 1e-9 {
            problems.push(format!("fault rates add up to {total:.3}, more than 1"));
        }
        if self.max_seconds == 0 || self.max_seconds > MAX_SECONDS_LIMIT {
            problems.push(format!(
                "max_seconds must be 1..={MAX_SECONDS_LIMIT}, got {}",
                self.max_seconds
            ));
        }
        if let Some(n) = self.max_requests
            && (n == 0 || n > MAX_REQUESTS_LIMIT)
        {
            problems.push(format!(
                "max_requests must be 1..={MAX_REQUESTS_LIMIT}, got {n}"
            ));
        }
        if self.rpm == Some(0) || self.tpm == Some(0) {
            problems.push("rpm and tpm must be at least 1 (leave them unset for no limit)".into());
        }
        if self.window.is_zero() {
            problems.push("the rate-limit window must be longer than 0 s".into());
        }
        if self.context_window == Some(0) {
            problems.push("context_window must be at least 1 token".into());
        }
        if !(1..=4096).contains(&self.embed_dim) {
            problems.push(format!(
                "embed_dim must be 1..=4096, got {}",
                self.embed_dim
            ));
        }
        if self.latency.sigma < 0.0 || !self.latency.sigma.is_finite() {
            problems.push("latency sigma must be a finite number ≥ 0".into());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("\n"))
        }
    }
}

/// Lognormal latency: median `p50_ms`, spread `sigma` (0.5 gives p95 ≈ 2.3 × p50, a real tail),
/// capped at `max_ms`. `p50_ms = 0` answers at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Latency {
    pub p50_ms: u64,
    pub sigma: f64,
    pub max_ms: u64,
}

impl Default for Latency {
    fn default() -> Self {
        Latency {
            p50_ms: 0,
            sigma: 0.5,
            max_ms: 30_000,
        }
    }
}

/// What can go wrong with one chat request, by name (the names are the CLI's and the log's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// No fault: a normal answer (useful in scripts).
    Ok,
    /// 429 with an OpenAI-shaped JSON body and `Retry-After`.
    RateLimited,
    /// 429 with a plain-text body ("Too Many Requests") and `Retry-After`.
    PlainRateLimited,
    /// 500/502/503 with an OpenAI-shaped `server_error` body.
    ServerError,
    /// 502 with an HTML body, as a proxy in front of a dead backend answers.
    PlainBadGateway,
    /// Never answers; the connection stays open until the client gives up or the sim stops.
    Hang,
    /// 200 whose content is truncated JSON.
    Malformed,
    /// 200 whose content is valid JSON missing a required field.
    SchemaInvalid,
    /// 200 with empty content.
    Blank,
    /// 200 whose content starts with `<think>…</think>` (and `reasoning_content` is set).
    Think,
    /// 200 with clean content plus a `reasoning_content` field.
    Reasoning,
    /// 200 whose HTTP body itself is cut off mid-JSON.
    TruncatedBody,
}

impl FaultKind {
    pub const ALL: [FaultKind; 12] = [
        FaultKind::Ok,
        FaultKind::RateLimited,
        FaultKind::PlainRateLimited,
        FaultKind::ServerError,
        FaultKind::PlainBadGateway,
        FaultKind::Hang,
        FaultKind::Malformed,
        FaultKind::SchemaInvalid,
        FaultKind::Blank,
        FaultKind::Think,
        FaultKind::Reasoning,
        FaultKind::TruncatedBody,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Ok => "ok",
            FaultKind::RateLimited => "rate_limited",
            FaultKind::PlainRateLimited => "plain_rate_limited",
            FaultKind::ServerError => "server_error",
            FaultKind::PlainBadGateway => "plain_bad_gateway",
            FaultKind::Hang => "hang",
            FaultKind::Malformed => "malformed",
            FaultKind::SchemaInvalid => "schema_invalid",
            FaultKind::Blank => "blank",
            FaultKind::Think => "think",
            FaultKind::Reasoning => "reasoning",
            FaultKind::TruncatedBody => "truncated_body",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        FaultKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = FaultKind::ALL.iter().map(|k| k.name()).collect();
                format!("unknown fault \"{s}\" (one of: {})", names.join(", "))
            })
    }
}

/// How a 429 writes `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfterForm {
    /// Whole seconds, rounded up: `Retry-After: 3`.
    Seconds,
    /// An HTTP-date: `Retry-After: Tue, 01 Dec 2026 22:00:03 GMT`.
    HttpDate,
    /// Either form, chosen per answer from the seed.
    Mixed,
    /// No `Retry-After` header at all.
    None,
}

impl FromStr for RetryAfterForm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "seconds" => Ok(RetryAfterForm::Seconds),
            "date" | "http-date" => Ok(RetryAfterForm::HttpDate),
            "mixed" => Ok(RetryAfterForm::Mixed),
            "none" => Ok(RetryAfterForm::None),
            _ => Err(format!(
                "unknown Retry-After form \"{s}\" (seconds, date, mixed or none)"
            )),
        }
    }
}

/// How a server says it does not take `json_schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectForm {
    /// `400 {"error": {"type": "invalid_request_error", "param": "response_format", …}}`
    /// (gateways, older vLLM, DeepSeek).
    OpenAi,
    /// `500` with a validation message "Input should be 'text' or 'json_object'"
    /// (llama-cpp-python's server, measured).
    LlamaCppPython,
}

impl FromStr for RejectForm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "openai" => Ok(RejectForm::OpenAi),
            "llamacpp" | "llama-cpp-python" => Ok(RejectForm::LlamaCppPython),
            _ => Err(format!(
                "unknown rejection form \"{s}\" (openai or llamacpp)"
            )),
        }
    }
}

/// Which server's wording `context_length_exceeded` is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextForm {
    /// 400 "This model's maximum context length is N tokens. However, you requested M tokens
    /// (P in the messages, C in the completion)…", code `context_length_exceeded`.
    OpenAi,
    /// 400 `BadRequestError`: "…maximum context length is N tokens. However, your request has P
    /// input tokens…" (or "'max_tokens' … is too large" when only the completion does not fit).
    Vllm,
    /// 400 `exceed_context_size_error` with `n_prompt_tokens` and `n_ctx` (llama.cpp server).
    LlamaCpp,
}

impl FromStr for ContextForm {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "openai" => Ok(ContextForm::OpenAi),
            "vllm" => Ok(ContextForm::Vllm),
            "llamacpp" => Ok(ContextForm::LlamaCpp),
            _ => Err(format!(
                "unknown context error form \"{s}\" (openai, vllm or llamacpp)"
            )),
        }
    }
}

/// Where request log lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    /// Only `SimStats::log` (in-process users).
    None,
    Stderr,
    File(PathBuf),
}

/// Parses `KIND=RATE` (a `--fault` value).
pub(super) fn parse_fault_rate(s: &str) -> Result<(FaultKind, f64), String> {
    let (kind, rate) = s
        .split_once('=')
        .ok_or_else(|| format!("expected KIND=RATE like hang=0.02, got \"{s}\""))?;
    let rate: f64 = rate
        .trim()
        .parse()
        .map_err(|_| format!("\"{rate}\" in \"{s}\" is not a number"))?;
    Ok((kind.trim().parse()?, rate))
}

/// Parses `COUNT=KIND` (a `--first` value).
pub(super) fn parse_script_step(s: &str) -> Result<(u32, FaultKind), String> {
    let (count, kind) = s
        .split_once('=')
        .ok_or_else(|| format!("expected COUNT=KIND like 2=rate_limited, got \"{s}\""))?;
    let count: u32 = count
        .trim()
        .parse()
        .map_err(|_| format!("\"{count}\" in \"{s}\" is not a count"))?;
    Ok((count, kind.trim().parse()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_names_round_trip_and_unknown_names_list_the_choices() {
        for kind in FaultKind::ALL {
            assert_eq!(kind.name().parse::<FaultKind>().unwrap(), kind);
        }
        let err = "explode".parse::<FaultKind>().unwrap_err();
        assert!(
            err.contains("hang") && err.contains("schema_invalid"),
            "{err}"
        );
        assert_eq!(
            parse_fault_rate("hang=0.02").unwrap(),
            (FaultKind::Hang, 0.02)
        );
        assert_eq!(
            parse_script_step("3=server_error").unwrap(),
            (3, FaultKind::ServerError)
        );
        assert!(parse_fault_rate("hang").is_err());
    }

    #[test]
    fn validation_reports_every_problem() {
        let config = SimConfig {
            fault_rates: vec![(FaultKind::Hang, 0.7), (FaultKind::Blank, 0.6)],
            max_seconds: 0,
            rpm: Some(0),
            ..SimConfig::default()
        };
        let err = config.validate().unwrap_err();
        assert_eq!(err.lines().count(), 3, "{err}");
        assert!(SimConfig::default().validate().is_ok());
    }
}
