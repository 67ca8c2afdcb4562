//! The `llm-sim` command line, parsed once into a validated `SimConfig`. The binary only wires
//! this to `spawn`; tests build `SimConfig` directly.

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use super::config::{
    ContextForm, DEFAULT_MAX_SECONDS, FaultKind, Latency, LogTarget, RejectForm, RetryAfterForm,
    SimConfig, parse_fault_rate, parse_script_step,
};

#[derive(Debug, Parser)]
#[command(
    name = "llm-sim",
    version,
    about = "An OpenAI-compatible LLM simulator on 127.0.0.1, with seeded faults, for testing newsdesk configs offline.",
    long_about = "An OpenAI-compatible server on 127.0.0.1 for POST /v1/chat/completions,\n\
        POST /v1/embeddings and GET /v1/models. Chat answers are schema-valid JSON built from the\n\
        request's own <articles>/<cards> blocks, in whichever structured-output mode was asked\n\
        (json_schema, json_object with or without a `schema`, or a fenced ```json block), with\n\
        usage. Models: sim-good (default; any unknown name behaves like it), sim-degraded\n\
        (drops the two most frequent entities, adds a number no article has) and sim-sloppy\n\
        (first card answer like a small real model: copied headline, 15 entities, wrong enums). Triage requests get\n\
        a lexical keep/drop per article, judge requests a 1-5 score from grounding checks.\n\n\
        Prints its port on stdout (and to --port-file), logs one JSON line per request to stderr\n\
        (or --log), and exits by itself after --max-requests answers or --max-seconds.",
    after_help = "Faults (for --fault KIND=RATE and --first COUNT=KIND):\n  \
        ok                  a normal answer\n  \
        rate_limited        429, OpenAI-shaped JSON body, Retry-After (--fault-retry-after-s)\n  \
        plain_rate_limited  429 with a plain-text body \"Too Many Requests\"\n  \
        server_error        500/502/503 with an OpenAI-shaped server_error body\n  \
        plain_bad_gateway   502 with an nginx HTML body\n  \
        hang                never answers (until the client gives up or llm-sim stops)\n  \
        malformed           200, content is truncated JSON\n  \
        schema_invalid      200, content is JSON missing a required field\n  \
        blank               200, empty content\n  \
        think               200, content starts with <think>…</think>; reasoning_content set\n  \
        reasoning           200, clean content plus a reasoning_content field\n  \
        truncated_body      200, the HTTP body itself is cut off mid-JSON\n\n\
        Example: llm-sim --rpm 120 --tpm 60000 --latency-ms-p50 1500 --fault rate_limited=0.1 \\\n    \
        --fault hang=0.02 --first 1=server_error --port-file sim.port --max-seconds 600"
)]
pub struct SimArgs {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Also write the port to FILE (written once listening).
    #[arg(long, value_name = "FILE")]
    pub port_file: Option<PathBuf>,
    /// Seed for every random choice (latency, faults, Retry-After form).
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Median latency of a chat answer in milliseconds (0 = answer at once).
    #[arg(long, default_value_t = 0, value_name = "MS")]
    latency_ms_p50: u64,
    /// Lognormal spread of the latency (0.5: p95 ≈ 2.3 × p50).
    #[arg(long, default_value_t = 0.5)]
    latency_sigma: f64,
    /// Latency cap in milliseconds.
    #[arg(long, default_value_t = 30_000, value_name = "MS")]
    latency_ms_max: u64,
    /// Requests per sliding window (default: unlimited, no x-ratelimit headers).
    #[arg(long)]
    rpm: Option<u32>,
    /// Tokens (prompt estimate + max_tokens) per sliding window (default: unlimited).
    #[arg(long)]
    tpm: Option<u32>,
    /// Length of the sliding rate-limit window in seconds.
    #[arg(long, default_value_t = 60, value_name = "S")]
    window_s: u64,
    /// How 429s write Retry-After: seconds, date (HTTP-date), mixed (either, seeded) or none.
    #[arg(long, default_value = "mixed", value_parser = str::parse::<RetryAfterForm>)]
    retry_after: RetryAfterForm,
    /// Retry-After of injected (not window) 429s, in seconds.
    #[arg(long, default_value_t = 1, value_name = "S")]
    fault_retry_after_s: u64,
    /// Chance of a fault per chat request, e.g. `--fault hang=0.02` (repeatable; sum ≤ 1).
    #[arg(long = "fault", value_name = "KIND=RATE", value_parser = parse_fault_rate)]
    faults: Vec<(FaultKind, f64)>,
    /// The next COUNT chat requests get KIND, e.g. `--first 2=rate_limited --first 1=hang`
    /// (repeatable, applied in order before any --fault draw).
    #[arg(long = "first", value_name = "COUNT=KIND", value_parser = parse_script_step)]
    script: Vec<(u32, FaultKind)>,
    /// Reject response_format json_schema: openai (400 invalid_request_error, param
    /// response_format) or llamacpp (llama-cpp-python's 500 "Input should be 'text' or 'json_object'").
    #[arg(long, value_name = "FORM", value_parser = str::parse::<RejectForm>)]
    reject_json_schema: Option<RejectForm>,
    /// Reject response_format json_object with an OpenAI-style 400 (forces prompt mode).
    #[arg(long)]
    reject_json_object: bool,
    /// json_object without a `schema` in response_format answers JSON missing a required field
    /// (llama.cpp with a small model); with `schema` it answers valid JSON.
    #[arg(long)]
    json_object_needs_schema: bool,
    /// Context window in tokens: prompt + max_tokens above it get context_length_exceeded.
    #[arg(long, value_name = "N")]
    context_window: Option<u32>,
    /// Wording of the context error: openai, vllm or llamacpp (n_ctx).
    #[arg(long, default_value = "openai", value_parser = str::parse::<ContextForm>)]
    context_form: ContextForm,
    /// Dimensions of /v1/embeddings vectors.
    #[arg(long, default_value_t = 256)]
    embed_dim: usize,
    /// Exit after answering N requests (1..=10000000).
    #[arg(long, value_name = "N")]
    max_requests: Option<u64>,
    /// Exit after S seconds (1..=86400).
    #[arg(long, default_value_t = DEFAULT_MAX_SECONDS, value_name = "S")]
    max_seconds: u64,
    /// Append the request log (one JSON line per request) to FILE instead of stderr.
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// No request log at all.
    #[arg(long, conflicts_with = "log")]
    quiet: bool,
}

impl SimArgs {
    /// The validated configuration, or every problem at once.
    pub fn into_config(self) -> Result<SimConfig, String> {
        let config = SimConfig {
            seed: self.seed,
            port: self.port,
            latency: Latency {
                p50_ms: self.latency_ms_p50,
                sigma: self.latency_sigma,
                max_ms: self.latency_ms_max,
            },
            rpm: self.rpm,
            tpm: self.tpm,
            window: Duration::from_secs(self.window_s),
            retry_after_form: self.retry_after,
            fault_retry_after_s: self.fault_retry_after_s,
            fault_rates: self.faults,
            script: self.script,
            reject_json_schema: self.reject_json_schema,
            reject_json_object: self.reject_json_object,
            json_object_needs_schema: self.json_object_needs_schema,
            context_window: self.context_window,
            context_form: self.context_form,
            max_requests: self.max_requests,
            max_seconds: self.max_seconds,
            log: match (self.log, self.quiet) {
                (_, true) => LogTarget::None,
                (Some(path), _) => LogTarget::File(path),
                (None, false) => LogTarget::Stderr,
            },
            embed_dim: self.embed_dim,
        };
        config.validate()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_become_a_config() {
        let args = SimArgs::try_parse_from([
            "llm-sim",
            "--rpm",
            "15",
            "--fault",
            "hang=0.02",
            "--fault",
            "blank=0.1",
            "--first",
            "2=rate_limited",
            "--reject-json-schema",
            "llamacpp",
            "--context-window",
            "4096",
            "--context-form",
            "vllm",
            "--retry-after",
            "date",
            "--log",
            "sim.log",
        ])
        .unwrap();
        let config = args.into_config().unwrap();
        assert_eq!(config.rpm, Some(15));
        assert_eq!(config.fault_rates.len(), 2);
        assert_eq!(config.script, vec![(2, FaultKind::RateLimited)]);
        assert_eq!(config.reject_json_schema, Some(RejectForm::LlamaCppPython));
        assert_eq!(config.context_form, ContextForm::Vllm);
        assert_eq!(config.retry_after_form, RetryAfterForm::HttpDate);
        assert_eq!(config.log, LogTarget::File("sim.log".into()));
        assert_eq!(config.max_seconds, DEFAULT_MAX_SECONDS);
    }

    #[test]
    fn bad_flags_are_refused() {
        assert!(SimArgs::try_parse_from(["llm-sim", "--fault", "explode=0.1"]).is_err());
        let too_much =
            SimArgs::try_parse_from(["llm-sim", "--fault", "hang=0.6", "--fault", "blank=0.6"])
                .unwrap();
        assert!(too_much.into_config().unwrap_err().contains("add up"));
        let forever = SimArgs::try_parse_from(["llm-sim", "--max-seconds", "100000"]).unwrap();
        assert!(forever.into_config().is_err());
    }
}
