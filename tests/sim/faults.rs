//! Faults: each scripted fault as the client sees it, hangs, seeded rates.

use std::time::Duration;

use newsdesk::llm::schema::{extract_json, validate_card};
use newsdesk::sim::{FaultKind, SimConfig};
use serde_json::Value;

use crate::*;

#[tokio::test]
async fn every_scripted_fault_looks_like_the_real_thing() {
    let kinds = [
        FaultKind::RateLimited,
        FaultKind::PlainRateLimited,
        FaultKind::ServerError,
        FaultKind::PlainBadGateway,
        FaultKind::Malformed,
        FaultKind::SchemaInvalid,
        FaultKind::Blank,
        FaultKind::Think,
        FaultKind::Reasoning,
        FaultKind::TruncatedBody,
        FaultKind::Ok,
    ];
    let sim = start(SimConfig {
        script: kinds.iter().map(|&k| (1, k)).collect(),
        ..SimConfig::default()
    })
    .await;
    let body = card_body("sim-good", "json_schema");
    let mut statuses = Vec::new();
    for kind in kinds {
        let response = post(&sim, "/chat/completions", &body).await;
        let status = response.status().as_u16();
        statuses.push(status);
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let has_retry_after = response.headers().contains_key("retry-after");
        let text = response.text().await.unwrap();
        let parsed = serde_json::from_str::<Value>(&text);
        let content = parsed.as_ref().ok().and_then(|b| {
            b["choices"][0]["message"]["content"]
                .as_str()
                .map(str::to_string)
        });
        match kind {
            FaultKind::RateLimited => {
                assert_eq!(status, 429);
                assert!(has_retry_after);
                assert_eq!(parsed.unwrap()["error"]["code"], "rate_limit_exceeded");
            }
            FaultKind::PlainRateLimited => {
                assert_eq!((status, text.as_str()), (429, "Too Many Requests"));
                assert!(has_retry_after && content_type.starts_with("text/plain"));
            }
            FaultKind::ServerError => {
                assert!([500, 502, 503].contains(&status), "{status}");
                assert_eq!(parsed.unwrap()["error"]["type"], "server_error");
            }
            FaultKind::PlainBadGateway => {
                assert_eq!(status, 502);
                assert!(parsed.is_err() && text.contains("502 Bad Gateway"));
            }
            FaultKind::Malformed => {
                let content = content.unwrap();
                assert!(
                    serde_json::from_str::<Value>(extract_json(&content)).is_err(),
                    "{content}"
                );
            }
            FaultKind::SchemaInvalid => {
                let content = content.unwrap();
                assert!(serde_json::from_str::<Value>(&content).is_ok());
                let err = validate_card(&content, &sections()).unwrap_err();
                assert!(err.contains("summary"), "{err}");
            }
            FaultKind::Blank => assert_eq!(content.unwrap(), ""),
            FaultKind::Think => {
                let content = content.unwrap();
                assert!(content.starts_with("<think>"), "{content}");
                let answer = content.split_once("</think>").unwrap().1;
                validate_card(answer, &sections()).unwrap();
                assert!(parsed.unwrap()["choices"][0]["message"]["reasoning_content"].is_string());
            }
            FaultKind::Reasoning => {
                validate_card(&content.unwrap(), &sections()).unwrap();
                assert!(parsed.unwrap()["choices"][0]["message"]["reasoning_content"].is_string());
            }
            FaultKind::TruncatedBody => {
                assert_eq!(status, 200);
                assert!(parsed.is_err(), "the body itself is cut off: {text}");
            }
            FaultKind::Ok => validate_card(&content.unwrap(), &sections())
                .map(|_| ())
                .unwrap(),
            FaultKind::Hang => unreachable!(),
        }
    }
    let stats = sim.stats();
    for kind in kinds {
        assert_eq!(stats.outcome(kind.name()), 1, "{kind}");
    }
    let logged: Vec<u16> = stats.log.iter().map(|l| l.status).collect();
    assert_eq!(logged, statuses, "the log records the status actually sent");
}

#[tokio::test]
async fn a_hang_never_answers_and_the_next_request_is_served() {
    let sim = start(SimConfig {
        script: vec![(1, FaultKind::Hang)],
        ..SimConfig::default()
    })
    .await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = impatient
        .post(format!("{}/chat/completions", sim.base_url()))
        .json(&card_body("sim-good", "json_object"))
        .send()
        .await
        .expect_err("a hung request never answers");
    assert!(err.is_timeout(), "{err}");
    let response = post(
        &sim,
        "/chat/completions",
        &card_body("sim-good", "json_object"),
    )
    .await;
    assert_eq!(response.status(), 200);
    let stats = sim.stats();
    assert_eq!((stats.outcome("hang"), stats.outcome("ok")), (1, 1));
    assert_eq!(stats.log[0].status, 0);
}

#[tokio::test]
async fn concurrent_hangs_are_all_in_flight_at_once() {
    let sim = start(SimConfig {
        script: vec![(3, FaultKind::Hang)],
        ..SimConfig::default()
    })
    .await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap();
    let url = format!("{}/chat/completions", sim.base_url());
    let body = card_body("sim-good", "json_object");
    let sends = (0..3).map(|_| impatient.post(&url).json(&body).send());
    let results = futures::future::join_all(sends).await;
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().is_err_and(|e| e.is_timeout()))
    );
    let stats = sim.stats();
    assert_eq!((stats.outcome("hang"), stats.max_in_flight), (3, 3));
}

#[tokio::test]
async fn seeded_fault_rates_repeat_exactly() {
    let config = SimConfig {
        seed: 42,
        fault_rates: vec![(FaultKind::ServerError, 0.3), (FaultKind::Blank, 0.3)],
        ..SimConfig::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let sim = start(config.clone()).await;
        for _ in 0..12 {
            post(
                &sim,
                "/chat/completions",
                &card_body("sim-good", "json_object"),
            )
            .await;
        }
        runs.push(
            sim.stats()
                .log
                .iter()
                .map(|l| l.outcome.clone())
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(runs[0], runs[1]);
    let faults = runs[0].iter().filter(|o| *o != "ok").count();
    assert!((2..=11).contains(&faults), "{:?}", runs[0]);
}
