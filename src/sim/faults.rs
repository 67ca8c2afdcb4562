//! Seeded randomness and the error answers real servers give. In: the seed, fault rates and
//! script of a `SimConfig`; out: per request, the fault to inject and the latency to wait, and
//! the exact status/body/headers of each kind of error — in the wording of the server that is
//! known to send it (OpenAI, vLLM, llama.cpp, llama-cpp-python, an nginx proxy).

use std::time::Duration;

use serde_json::{Value, json};

use super::config::{ContextForm, FaultKind, Latency, RejectForm, SimConfig};

/// splitmix64: tiny, seedable, good enough for fault draws; no dependency.
#[derive(Debug, Clone)]
pub(super) struct Rng(u64);

impl Rng {
    pub(super) fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(super) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(f64::MIN_POSITIVE);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// One latency draw: median `p50_ms`, lognormal spread `sigma`, capped.
    pub(super) fn latency(&mut self, latency: &Latency) -> Duration {
        if latency.p50_ms == 0 {
            return Duration::ZERO;
        }
        let ms = latency.p50_ms as f64 * (latency.sigma * self.normal()).exp();
        Duration::from_millis((ms.round() as u64).min(latency.max_ms))
    }
}

/// Which fault chat request number `seq` (1-based) gets: the script first, then a draw.
pub(super) fn choose_fault(config: &SimConfig, seq: u64, rng: &mut Rng) -> FaultKind {
    let mut upto = 0u64;
    for &(count, kind) in &config.script {
        upto += u64::from(count);
        if seq <= upto {
            return kind;
        }
    }
    let draw = rng.unit();
    let mut cumulative = 0.0;
    for &(kind, rate) in &config.fault_rates {
        cumulative += rate;
        if draw < cumulative {
            return kind;
        }
    }
    FaultKind::Ok
}

/// An error answer: status, content type, body.
#[derive(Debug, Clone)]
pub(super) struct ErrorAnswer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl ErrorAnswer {
    fn json(status: u16, body: Value) -> Self {
        ErrorAnswer {
            status,
            content_type: "application/json",
            body: body.to_string(),
        }
    }
}

/// The OpenAI error envelope.
pub(super) fn openai_error(
    status: u16,
    message: &str,
    kind: &str,
    param: Option<&str>,
    code: Option<&str>,
) -> ErrorAnswer {
    ErrorAnswer::json(
        status,
        json!({"error": {"message": message, "type": kind, "param": param, "code": code}}),
    )
}

/// An injected 429, OpenAI-shaped.
pub(super) fn rate_limited(model: &str, retry_after_s: u64) -> ErrorAnswer {
    openai_error(
        429,
        &format!(
            "Rate limit reached for {model} in organization org-sim on requests per min (RPM). \
             Please try again in {retry_after_s}s."
        ),
        "requests",
        None,
        Some("rate_limit_exceeded"),
    )
}

/// A 429 from the sliding window, naming which limit and the numbers.
pub(super) fn window_limited(
    model: &str,
    what: &str,
    limit: u64,
    used: u64,
    requested: u64,
    wait: Duration,
) -> ErrorAnswer {
    let (long, kind) = match what {
        "tokens" => ("tokens per min (TPM)", "tokens"),
        _ => ("requests per min (RPM)", "requests"),
    };
    openai_error(
        429,
        &format!(
            "Rate limit reached for {model} in organization org-sim on {long}: Limit {limit}, \
             Used {used}, Requested {requested}. Please try again in {:.3}s.",
            wait.as_secs_f64()
        ),
        kind,
        None,
        Some("rate_limit_exceeded"),
    )
}

/// A request larger than the whole TPM budget: no wait can help, so no Retry-After.
pub(super) fn request_too_large(model: &str, limit: u64, requested: u64) -> ErrorAnswer {
    openai_error(
        429,
        &format!(
            "Request too large for {model} in organization org-sim on tokens per min (TPM): \
             Limit {limit}, Requested {requested}. The input or output tokens must be reduced \
             in order to run successfully."
        ),
        "tokens",
        None,
        Some("rate_limit_exceeded"),
    )
}

pub(super) fn plain_rate_limited() -> ErrorAnswer {
    ErrorAnswer {
        status: 429,
        content_type: "text/plain; charset=utf-8",
        body: "Too Many Requests".into(),
    }
}

pub(super) fn server_error(rng: &mut Rng) -> ErrorAnswer {
    let status = [500, 502, 503][(rng.next_u64() % 3) as usize];
    openai_error(
        status,
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
        None,
        None,
    )
}

pub(super) fn plain_bad_gateway() -> ErrorAnswer {
    ErrorAnswer {
        status: 502,
        content_type: "text/html",
        body: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n".into(),
    }
}

/// A server that does not take `response_format.type = mode`.
pub(super) fn reject_format(form: RejectForm, mode: &str) -> ErrorAnswer {
    match form {
        RejectForm::OpenAi => openai_error(
            400,
            &format!(
                "Invalid parameter: 'response_format' of type '{mode}' is not supported with this model."
            ),
            "invalid_request_error",
            Some("response_format"),
            None,
        ),
        // What llama-cpp-python's server answers (measured): its pydantic model allows only
        // text/json_object, and its route error handler turns the validation error into a 500.
        RejectForm::LlamaCppPython => openai_error(
            500,
            &format!(
                "[{{'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), \
                 'msg': \"Input should be 'text' or 'json_object'\", 'input': '{mode}', \
                 'ctx': {{'expected': \"'text' or 'json_object'\"}}}}]"
            ),
            "internal_server_error",
            None,
            None,
        ),
    }
}

/// `context_length_exceeded` for a request of `prompt` + `completion` tokens over `window`.
pub(super) fn context_exceeded(
    form: ContextForm,
    window: u32,
    prompt: u64,
    completion: u64,
) -> ErrorAnswer {
    let total = prompt + completion;
    match form {
        ContextForm::OpenAi => openai_error(
            400,
            &format!(
                "This model's maximum context length is {window} tokens. However, you requested \
                 {total} tokens ({prompt} in the messages, {completion} in the completion). \
                 Please reduce the length of the messages or completion."
            ),
            "invalid_request_error",
            Some("messages"),
            Some("context_length_exceeded"),
        ),
        ContextForm::Vllm => {
            let message = if prompt > u64::from(window) {
                format!(
                    "This model's maximum context length is {window} tokens. However, your \
                     request has {prompt} input tokens. Please reduce the length of the input \
                     messages. None"
                )
            } else {
                format!(
                    "'max_tokens' or 'max_completion_tokens' is too large: {completion}. This \
                     model's maximum context length is {window} tokens and your request has \
                     {prompt} input tokens ({completion} > {window} - {prompt}). None"
                )
            };
            ErrorAnswer::json(
                400,
                json!({"error": {"message": message, "type": "BadRequestError", "param": null, "code": 400}}),
            )
        }
        ContextForm::LlamaCpp => ErrorAnswer::json(
            400,
            json!({"error": {
                "code": 400,
                "message": format!("request ({total} tokens) exceeds the available context size ({window} tokens), try increasing it"),
                "type": "exceed_context_size_error",
                "n_prompt_tokens": total,
                "n_ctx": window,
            }}),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_comes_first_then_draws_follow_the_rates() {
        let config = SimConfig {
            script: vec![(2, FaultKind::RateLimited), (1, FaultKind::Hang)],
            fault_rates: vec![(FaultKind::Blank, 0.25)],
            ..SimConfig::default()
        };
        let mut rng = Rng::new(1);
        let first: Vec<FaultKind> = (1..=3)
            .map(|s| choose_fault(&config, s, &mut rng))
            .collect();
        assert_eq!(
            first,
            [
                FaultKind::RateLimited,
                FaultKind::RateLimited,
                FaultKind::Hang
            ]
        );
        let blanks = (4..4004)
            .filter(|&s| choose_fault(&config, s, &mut rng) == FaultKind::Blank)
            .count();
        assert!((850..1150).contains(&blanks), "{blanks} of 4000 at 25 %");
    }

    #[test]
    fn latency_has_the_requested_median_and_a_tail() {
        let latency = Latency {
            p50_ms: 100,
            sigma: 0.5,
            max_ms: 10_000,
        };
        let mut rng = Rng::new(3);
        let mut draws: Vec<u128> = (0..2001)
            .map(|_| rng.latency(&latency).as_millis())
            .collect();
        draws.sort();
        let median = draws[1000];
        let p95 = draws[1900];
        assert!((85..=115).contains(&median), "median {median}");
        assert!(p95 > 180, "p95 {p95} shows no tail");
        assert_eq!(Rng::new(3).next_u64(), Rng::new(3).next_u64());
    }

    #[test]
    fn context_errors_name_the_window_in_each_form() {
        let openai = context_exceeded(ContextForm::OpenAi, 4096, 5000, 1200);
        assert!(
            openai
                .body
                .contains("maximum context length is 4096 tokens")
        );
        assert!(
            openai
                .body
                .contains("(5000 in the messages, 1200 in the completion)")
        );
        assert!(openai.body.contains("context_length_exceeded"));
        let vllm = context_exceeded(ContextForm::Vllm, 4096, 3500, 1200);
        assert!(
            vllm.body.contains("maximum context length is 4096"),
            "{}",
            vllm.body
        );
        let llama: Value =
            serde_json::from_str(&context_exceeded(ContextForm::LlamaCpp, 4096, 5000, 0).body)
                .unwrap();
        assert_eq!(llama["error"]["n_ctx"], 4096);
        assert_eq!(llama["error"]["n_prompt_tokens"], 5000);
    }
}
