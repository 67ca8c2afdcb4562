//! llm-sim's own behaviour, seen from a plain reqwest client on 127.0.0.1: answers in every
//! structured-output mode validate with the project's own validators and are grounded in the
//! request's articles; sim-degraded is measurably worse; every fault, the sliding window, both
//! Retry-After forms, the capability rejections and context errors look like the real servers';
//! embeddings, the model list, the request log, and stopping by itself (in-process and as the
//! `llm-sim` binary).

use std::time::Duration;

use newsdesk::llm::blocks::{
    BlockArticle, BlockCard, BlockSection, CardContext, InsightContext, write_block,
};
use newsdesk::llm::retry::parse_retry_after;
use newsdesk::llm::schema::{
    card_schema, extract_json, insight_schema, validate_card, validate_insight,
};
use newsdesk::model::Language;
use newsdesk::sim::{
    self, ContextForm, FaultKind, LogTarget, RejectForm, RetryAfterForm, SimConfig,
};
use newsdesk::text::wrong_script_ratio;
use serde_json::{Value, json};

fn sections() -> Vec<String> {
    vec!["models".into(), "industry".into(), "policy".into()]
}

fn block_sections() -> Vec<BlockSection> {
    sections()
        .into_iter()
        .map(|id| BlockSection {
            label: id.clone(),
            describe: format!("{id} news"),
            id,
        })
        .collect()
}

fn article(id: &str, outlet: &str, title: &str, text: &str) -> BlockArticle {
    BlockArticle {
        id: id.into(),
        outlet: outlet.into(),
        title: title.into(),
        published: "2026-01-05T08:00:00Z".into(),
        url: format!("https://{outlet}.example/{id}"),
        text: text.into(),
    }
}

fn english_articles() -> Vec<BlockArticle> {
    vec![
        article(
            "a1",
            "frontierwire",
            "Alibaba releases Qwen-Vision 3.2 with 72 billion parameters",
            "Alibaba released Qwen-Vision 3.2 on Monday, an open-weights vision-language model with 72 billion parameters. \
             The Qwen team says Qwen-Vision 3.2 scores 81.4 on the MMMU benchmark, ahead of Gemini 2.5 Flash. \
             Developers can download the weights from Hugging Face and ModelScope under the Apache 2.0 licence.",
        ),
        article(
            "a2",
            "aijournal",
            "Qwen-Vision 3.2 lands for developers",
            "Qwen-Vision 3.2 from Alibaba reads charts and documents. Alibaba Cloud offers it through its API at launch. \
             The model was trained on 9 trillion tokens, according to the Qwen team.",
        ),
    ]
}

fn chinese_articles() -> Vec<BlockArticle> {
    vec![article(
        "c1",
        "pulse",
        "阿里发布 Qwen-Vision 3.2 开源视觉模型",
        "阿里巴巴周一发布开源视觉语言模型 Qwen-Vision 3.2，参数规模 720 亿。Qwen 团队表示，该模型在 MMMU 基准上得分 81.4。开发者可以在 Hugging Face 和 ModelScope 下载权重。",
    )]
}

fn card_messages(articles: &[BlockArticle], language: &str) -> Value {
    let context = CardContext {
        language: language.into(),
        rank: 1,
        topic_count: 10,
        sections: block_sections(),
    };
    json!([
        {"role": "system", "content": "You write one card as a json object."},
        {"role": "user", "content": format!("Write the card.\n\n{}\n\n{}", write_block("context", &context), write_block("articles", articles))}
    ])
}

fn card_body(model: &str, mode: &str) -> Value {
    let mut body = json!({
        "model": model,
        "messages": card_messages(&english_articles(), "en"),
        "max_tokens": 800,
    });
    let schema = card_schema(&sections());
    match mode {
        "json_schema" => {
            body["response_format"] = json!({"type": "json_schema", "json_schema": {"name": "card", "schema": schema, "strict": true}})
        }
        "json_object" => body["response_format"] = json!({"type": "json_object"}),
        "json_object+schema" => {
            body["response_format"] = json!({"type": "json_object", "schema": schema})
        }
        "prompt" => {}
        other => panic!("unknown mode {other}"),
    }
    body
}

async fn start(config: SimConfig) -> sim::SimHandle {
    sim::spawn(config).await.expect("llm-sim starts")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn post(sim: &sim::SimHandle, path: &str, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{}{path}", sim.base_url()))
        .json(body)
        .send()
        .await
        .expect("the simulator answers")
}

async fn content_of(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn card_answers_validate_in_every_structured_mode_and_are_grounded() {
    let sim = start(SimConfig::default()).await;
    let text: String = english_articles()
        .iter()
        .map(|a| format!("{} {}", a.title, a.text))
        .collect();
    for mode in ["json_schema", "json_object", "json_object+schema", "prompt"] {
        let response = post(&sim, "/chat/completions", &card_body("sim-good", mode)).await;
        let body: Value = response.json().await.unwrap();
        let content = body["choices"][0]["message"]["content"].as_str().unwrap();
        if mode == "prompt" {
            assert!(content.contains("```json"), "{content}");
        } else {
            assert!(content.trim_start().starts_with('{'), "{mode}: {content}");
        }
        let card = validate_card(content, &sections())
            .unwrap_or_else(|e| panic!("{mode}: {e}\n{content}"));
        assert!(sections().contains(&card.section));
        for entity in &card.entities {
            assert!(
                text.contains(entity.as_str()),
                "{mode}: entity {entity} is not in the articles"
            );
        }
        assert!(body["usage"]["prompt_tokens"].as_u64().unwrap() > 100);
        assert!(body["usage"]["completion_tokens"].as_u64().unwrap() > 10);
    }
    let stats = sim.stats();
    assert_eq!(stats.outcome("ok"), 4);
    let modes: Vec<_> = stats.log.iter().map(|l| l.mode.clone().unwrap()).collect();
    assert_eq!(
        modes,
        ["json_schema", "json_object", "json_object+schema", "prompt"]
    );
    assert!(stats.log.iter().all(|l| l.kind.as_deref() == Some("card")));
}

#[tokio::test]
async fn cards_come_in_the_target_script_and_insights_from_the_cards() {
    let sim = start(SimConfig::default()).await;
    let body = json!({"model": "gpt-4o-mini", "messages": card_messages(&chinese_articles(), "zh-Hant"),
                      "response_format": {"type": "json_object"}});
    let content = content_of(post(&sim, "/chat/completions", &body).await).await;
    let card = validate_card(&content, &sections()).unwrap();
    let all = format!(
        "{} {} {}",
        card.title,
        card.summary,
        card.entities.join(" ")
    );
    assert_eq!(wrong_script_ratio(&all, Language::ZhHant), 0.0, "{all}");
    assert!(
        card.title.contains("發佈") || card.title.contains("發布") || card.title.contains("開源"),
        "{}",
        card.title
    );

    let cards = vec![
        BlockCard {
            id: "s1".into(),
            title: card.title.clone(),
            summary: card.summary.clone(),
            importance: "high".into(),
            section: "models".into(),
            entities: card.entities.clone(),
        },
        BlockCard {
            id: "s2".into(),
            title: "歐盟公布事故通報草案".into(),
            summary: "歐盟 AI 辦公室公布通用模型事故通報草案。".into(),
            importance: "medium".into(),
            section: "policy".into(),
            entities: vec!["歐盟".into(), "AI Office".into(), "GPAI".into()],
        },
    ];
    let context = InsightContext {
        language: "zh-Hant".into(),
        date: "2026-01-05".into(),
        article_count: 3,
        sections: block_sections(),
    };
    let body = json!({"model": "sim-good", "messages": [
        {"role": "system", "content": "Write the insight as json."},
        {"role": "user", "content": format!("{}\n\n{}", write_block("context", &context), write_block("cards", &cards))}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "insight", "schema": insight_schema(), "strict": true}}});
    let content = content_of(post(&sim, "/chat/completions", &body).await).await;
    let insight = validate_insight(&content).unwrap_or_else(|e| panic!("{e}\n{content}"));
    for reading in insight
        .further_reading
        .iter()
        .map(|r| &r.card)
        .chain(insight.quick_read.iter().map(|q| &q.card))
    {
        assert!(
            reading == "s1" || reading == "s2",
            "insight names an unknown card {reading}"
        );
    }
    assert_eq!(sim.stats().log[1].kind.as_deref(), Some("insight"));
}

#[tokio::test]
async fn sim_degraded_drops_top_entities_and_adds_an_ungrounded_number() {
    let sim = start(SimConfig::default()).await;
    let good = validate_card(
        &content_of(
            post(
                &sim,
                "/chat/completions",
                &card_body("sim-good", "json_schema"),
            )
            .await,
        )
        .await,
        &sections(),
    )
    .unwrap();
    let bad_content = content_of(
        post(
            &sim,
            "/chat/completions",
            &card_body(sim::DEGRADED, "json_schema"),
        )
        .await,
    )
    .await;
    let bad =
        validate_card(&bad_content, &sections()).expect("degraded cards are still schema-valid");
    let text: String = english_articles()
        .iter()
        .map(|a| format!("{} {}", a.title, a.text))
        .collect();
    let frequency = |e: &str| text.matches(e).count();
    let mut by_frequency = good.entities.clone();
    by_frequency.sort_by_key(|e| std::cmp::Reverse(frequency(e)));
    for top in &by_frequency[..2] {
        assert!(
            !bad.entities.contains(top),
            "{top} should be dropped: {:?}",
            bad.entities
        );
    }
    let numbers = |s: &str| -> Vec<String> {
        s.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .filter(|t| t.chars().any(|c| c.is_ascii_digit()))
            .map(|t| t.trim_matches('.').to_string())
            .collect()
    };
    let invented: Vec<String> = numbers(&bad.summary)
        .into_iter()
        .filter(|n| !text.contains(n.as_str()))
        .collect();
    assert!(
        !invented.is_empty(),
        "no ungrounded number in {}",
        bad.summary
    );
    assert!(
        numbers(&good.summary)
            .iter()
            .all(|n| text.contains(n.as_str()))
    );
}

#[tokio::test]
async fn models_and_embeddings() {
    let sim = start(SimConfig::default()).await;
    let models: Value = client()
        .get(format!("{}/models", sim.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["sim-good", "sim-degraded"]);

    let body = json!({"model": "sim-embed", "input": [
        "NVIDIA releases open autonomous driving model Alpamayo",
        "NVIDIA open-sources the Alpamayo driving model",
        "Bakery chain raises bread prices"]});
    let response: Value = post(&sim, "/embeddings", &body).await.json().await.unwrap();
    let vectors: Vec<Vec<f64>> = response["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            d["embedding"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(vectors.len(), 3);
    assert_eq!(vectors[0].len(), 256);
    let cos = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    assert!(cos(&vectors[0], &vectors[1]) > cos(&vectors[0], &vectors[2]) + 0.2);
    assert!(response["usage"]["prompt_tokens"].as_u64().unwrap() > 5);
    let again: Value = post(&sim, "/embeddings", &body).await.json().await.unwrap();
    assert_eq!(
        again["data"], response["data"],
        "embeddings are deterministic"
    );
    let missing = post(&sim, "/nowhere", &body).await;
    assert_eq!(missing.status(), 404);
}

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

#[tokio::test]
async fn stops_after_max_requests_and_logs_one_json_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("sim.log");
    let sim = start(SimConfig {
        max_requests: Some(2),
        log: LogTarget::File(log.clone()),
        ..SimConfig::default()
    })
    .await;
    let base = sim.base_url();
    assert_eq!(
        post(
            &sim,
            "/chat/completions",
            &card_body("sim-good", "json_schema")
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        client()
            .get(format!("{base}/models"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    tokio::time::timeout(Duration::from_secs(10), sim.wait())
        .await
        .expect("stops by itself");
    assert!(
        client().get(format!("{base}/models")).send().await.is_err(),
        "nothing listens any more"
    );
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    for field in [
        "time",
        "path",
        "model",
        "mode",
        "outcome",
        "status",
        "latency_ms",
        "prompt_tokens",
        "completion_tokens",
    ] {
        assert!(
            lines[0].get(field).is_some(),
            "log line lacks {field}: {}",
            lines[0]
        );
    }
    assert_eq!(lines[0]["mode"], "json_schema");
    assert_eq!(lines[1]["path"], "/v1/models");
}

#[tokio::test]
async fn stops_after_max_seconds() {
    let sim = start(SimConfig {
        max_seconds: 1,
        ..SimConfig::default()
    })
    .await;
    tokio::time::timeout(Duration::from_secs(10), sim.wait())
        .await
        .expect("stops by itself");
}

#[test]
fn the_binary_prints_its_port_writes_the_port_file_and_exits_after_max_requests() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let port_file = dir.path().join("port");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_llm-sim"))
        .args([
            "--max-requests",
            "1",
            "--max-seconds",
            "60",
            "--quiet",
            "--port-file",
        ])
        .arg(&port_file)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .parse()
        .expect("the first stdout line is the port");
    assert_eq!(
        std::fs::read_to_string(&port_file).unwrap().trim(),
        port.to_string()
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = runtime.block_on(async {
        reqwest::get(format!("http://127.0.0.1:{port}/v1/models"))
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit}");
}
