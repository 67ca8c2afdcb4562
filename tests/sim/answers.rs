//! Answers: every structured mode, grounding, target script, insights, sim-degraded, models
//! and embeddings.

use newsdesk::llm::blocks::{BlockCard, InsightContext, write_block};
use newsdesk::llm::schema::{insight_schema, validate_card, validate_insight};
use newsdesk::model::Language;
use newsdesk::sim::{self, SimConfig};
use newsdesk::text::wrong_script_ratio;
use serde_json::{Value, json};

use crate::*;

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
    assert_eq!(ids, ["sim-good", "sim-degraded", "sim-sloppy"]);

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
    let mut small = body.clone();
    small["dimensions"] = json!(32);
    let small: Value = post(&sim, "/embeddings", &small)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(small["data"][0]["embedding"].as_array().unwrap().len(), 32);
    let missing = post(&sim, "/nowhere", &body).await;
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn triage_requests_get_one_decision_per_article() {
    let sim = start(SimConfig::default()).await;
    let mut articles = english_articles();
    articles.push(article(
        "x1",
        "pets",
        "A cat door that reads microchips",
        "The new cat door opens only for your own cat and costs 129 dollars.",
    ));
    let schema = newsdesk::llm::schema::strict_schema_for::<newsdesk::model::TriageAnswer>();
    let body = json!({"model": "sim-good", "messages": [
        {"role": "system", "content": "Screen the articles."},
        {"role": "user", "content": write_block("articles", &articles)}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "triage", "schema": schema, "strict": true}}});
    let content = content_of(post(&sim, "/chat/completions", &body).await).await;
    let answer: newsdesk::model::TriageAnswer =
        newsdesk::llm::schema::validate_against(&content, &schema).unwrap();
    let ids: Vec<&str> = answer.decisions.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["a1", "a2", "x1"]);
    assert_eq!(sim.stats().log[0].kind.as_deref(), Some("triage"));
}

#[tokio::test]
async fn the_judge_scores_a_grounded_card_above_a_degraded_one() {
    let sim = start(SimConfig::default()).await;
    let mut scores = Vec::new();
    for model in ["sim-good", "sim-degraded"] {
        let card_content =
            content_of(post(&sim, "/chat/completions", &card_body(model, "json_schema")).await)
                .await;
        let card = validate_card(&card_content, &sections()).unwrap();
        let body = json!({"model": "sim-good", "messages": [
            {"role": "system", "content": "Grade the card; reply with one json object."},
            {"role": "user", "content": format!("{}\n\n{}\n\n{}",
                write_block("articles", &english_articles()), write_block("card", &card), write_block("reference", &card))}],
            "response_format": {"type": "json_object"}});
        let verdict: Value =
            serde_json::from_str(&content_of(post(&sim, "/chat/completions", &body).await).await)
                .unwrap();
        scores.push(verdict["score"].as_u64().unwrap());
    }
    assert_eq!(
        scores,
        [5, 1],
        "the degraded card states a number no article has"
    );
    assert_eq!(sim.stats().log[1].kind.as_deref(), Some("judge"));
}
