//! Limits and capabilities: the sliding window and its headers, Retry-After forms, json_schema
//! and json_object rejections, context-window errors.

use std::time::Duration;

use newsdesk::llm::retry::parse_retry_after;
use newsdesk::llm::schema::validate_card;
use newsdesk::sim::{ContextForm, FaultKind, RejectForm, RetryAfterForm, SimConfig};
use serde_json::{Value, json};

use crate::*;

#[tokio::test]
async fn the_sliding_window_counts_requests_and_tokens_and_says_so_in_headers() {
    let sim = start(SimConfig {
        rpm: Some(3),
        tpm: Some(100_000),
        retry_after_form: RetryAfterForm::Seconds,
        ..SimConfig::default()
    })
    .await;
    let body = card_body("sim-good", "json_object");
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let response = post(&sim, "/chat/completions", &body).await;
        assert_eq!(response.status(), 200);
        let h = response.headers();
        assert_eq!(h["x-ratelimit-limit-requests"], "3");
        assert_eq!(h["x-ratelimit-limit-tokens"], "100000");
        remaining.push(
            h["x-ratelimit-remaining-requests"]
                .to_str()
                .unwrap()
                .to_string(),
        );
        assert!(
            h.contains_key("x-ratelimit-reset-requests")
                && h.contains_key("x-ratelimit-remaining-tokens")
                && h.contains_key("x-ratelimit-reset-tokens")
        );
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let limited = post(&sim, "/chat/completions", &body).await;
    assert_eq!(limited.status(), 429);
    let wait = parse_retry_after(
        limited.headers()["retry-after"].to_str().unwrap(),
        chrono::Utc::now(),
    )
    .unwrap();
    assert!(
        (59..=60).contains(&wait.as_secs()),
        "{wait:?}: the oldest request leaves the 60 s window in about a minute"
    );
    assert_eq!(limited.headers()["x-ratelimit-remaining-requests"], "0");
    let error: Value = limited.json().await.unwrap();
    assert_eq!(error["error"]["code"], "rate_limit_exceeded");
    assert_eq!(sim.stats().outcome("rpm_limited"), 1);
    assert_eq!(
        sim.stats().max_in_window(Duration::from_secs(60)),
        4,
        "what the client sent, 429 included"
    );

    // Tokens: a 60k budget holds one request of ~50k (prompt + max_tokens), not two.
    let sim = start(SimConfig {
        tpm: Some(60_000),
        ..SimConfig::default()
    })
    .await;
    let mut big = body.clone();
    big["max_tokens"] = json!(50_000);
    assert_eq!(post(&sim, "/chat/completions", &big).await.status(), 200);
    let limited = post(&sim, "/chat/completions", &big).await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    big["max_tokens"] = json!(70_000);
    let too_large = post(&sim, "/chat/completions", &big).await;
    assert_eq!(too_large.status(), 429);
    assert!(
        !too_large.headers().contains_key("retry-after"),
        "no wait can admit a request larger than the TPM"
    );
    let stats = sim.stats();
    assert_eq!(
        (
            stats.outcome("tpm_limited"),
            stats.outcome("request_too_large")
        ),
        (1, 1)
    );
}

#[tokio::test]
async fn retry_after_comes_in_seconds_or_as_an_http_date() {
    for (form, is_date) in [
        (RetryAfterForm::Seconds, false),
        (RetryAfterForm::HttpDate, true),
    ] {
        let sim = start(SimConfig {
            retry_after_form: form,
            fault_retry_after_s: 3,
            script: vec![(1, FaultKind::RateLimited)],
            ..SimConfig::default()
        })
        .await;
        let response = post(
            &sim,
            "/chat/completions",
            &card_body("sim-good", "json_object"),
        )
        .await;
        assert_eq!(response.status(), 429);
        let value = response.headers()["retry-after"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(value.ends_with("GMT"), is_date, "{value}");
        if !is_date {
            assert_eq!(value, "3");
        }
        let wait = parse_retry_after(&value, chrono::Utc::now()).unwrap();
        assert!(
            wait <= Duration::from_secs(4) && wait >= Duration::from_secs(2),
            "{value} → {wait:?}"
        );
        let logged = sim.stats().log[0]
            .retry_after_s
            .expect("the log records the wait");
        assert!((2..=4).contains(&logged), "{logged}");
    }
    // Mixed: both forms appear over a few 429s, from the seed.
    let sim = start(SimConfig {
        script: vec![(8, FaultKind::RateLimited)],
        ..SimConfig::default()
    })
    .await;
    let mut dates = 0;
    for _ in 0..8 {
        let response = post(
            &sim,
            "/chat/completions",
            &card_body("sim-good", "json_object"),
        )
        .await;
        dates += usize::from(
            response.headers()["retry-after"]
                .to_str()
                .unwrap()
                .ends_with("GMT"),
        );
    }
    assert!((1..8).contains(&dates), "{dates} of 8 were dates");
}

#[tokio::test]
async fn json_schema_rejections_come_in_both_real_forms() {
    let sim = start(SimConfig {
        reject_json_schema: Some(RejectForm::OpenAi),
        ..SimConfig::default()
    })
    .await;
    let response = post(
        &sim,
        "/chat/completions",
        &card_body("sim-good", "json_schema"),
    )
    .await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["type"], "invalid_request_error");
    assert_eq!(error["error"]["param"], "response_format");
    assert_eq!(
        post(
            &sim,
            "/chat/completions",
            &card_body("sim-good", "json_object")
        )
        .await
        .status(),
        200
    );

    let sim = start(SimConfig {
        reject_json_schema: Some(RejectForm::LlamaCppPython),
        reject_json_object: true,
        ..SimConfig::default()
    })
    .await;
    let response = post(
        &sim,
        "/chat/completions",
        &card_body("sim-good", "json_schema"),
    )
    .await;
    assert_eq!(response.status(), 500);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Input should be 'text' or 'json_object'")
    );
    let response = post(
        &sim,
        "/chat/completions",
        &card_body("sim-good", "json_object"),
    )
    .await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("response_format"));
    let content =
        content_of(post(&sim, "/chat/completions", &card_body("sim-good", "prompt")).await).await;
    validate_card(&content, &sections()).unwrap();
    let stats = sim.stats();
    assert_eq!(
        (
            stats.outcome("rejected_json_schema"),
            stats.outcome("rejected_json_object"),
            stats.outcome("ok")
        ),
        (1, 1, 1)
    );
}

#[tokio::test]
async fn json_object_needs_its_schema_on_a_llamacpp_like_server() {
    let sim = start(SimConfig {
        json_object_needs_schema: true,
        ..SimConfig::default()
    })
    .await;
    let bare = content_of(
        post(
            &sim,
            "/chat/completions",
            &card_body("sim-good", "json_object"),
        )
        .await,
    )
    .await;
    assert!(serde_json::from_str::<Value>(&bare).is_ok());
    assert!(validate_card(&bare, &sections()).is_err(), "{bare}");
    let with_schema = content_of(
        post(
            &sim,
            "/chat/completions",
            &card_body("sim-good", "json_object+schema"),
        )
        .await,
    )
    .await;
    validate_card(&with_schema, &sections()).unwrap();
}

#[tokio::test]
async fn context_length_errors_in_openai_vllm_and_llamacpp_wording() {
    let body = card_body("sim-good", "json_object");
    for form in [
        ContextForm::OpenAi,
        ContextForm::Vllm,
        ContextForm::LlamaCpp,
    ] {
        let sim = start(SimConfig {
            context_window: Some(300),
            context_form: form,
            ..SimConfig::default()
        })
        .await;
        let response = post(&sim, "/chat/completions", &body).await;
        assert_eq!(response.status(), 400);
        let error: Value = response.json().await.unwrap();
        let message = error["error"]["message"].as_str().unwrap();
        let prompt = sim.stats().log[0].prompt_tokens;
        match form {
            ContextForm::OpenAi => {
                assert_eq!(error["error"]["code"], "context_length_exceeded");
                let total = prompt + 800;
                assert!(message.contains(&format!("maximum context length is 300 tokens. However, you requested {total} tokens ({prompt} in the messages, 800 in the completion)")), "{message}");
            }
            ContextForm::Vllm => {
                assert!(
                    message.contains("maximum context length is 300 tokens"),
                    "{message}"
                );
                assert!(
                    message.contains(&format!("{prompt} input tokens")),
                    "{message}"
                );
            }
            ContextForm::LlamaCpp => {
                assert_eq!(error["error"]["n_ctx"], 300);
                assert_eq!(error["error"]["type"], "exceed_context_size_error");
            }
        }
        // The same request with room to spare is answered.
        let roomy = start(SimConfig {
            context_window: Some(100_000),
            context_form: form,
            ..SimConfig::default()
        })
        .await;
        assert_eq!(post(&roomy, "/chat/completions", &body).await.status(), 200);
    }
}
