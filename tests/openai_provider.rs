//! The LLM path against a local OpenAI-compatible fake (wiremock on 127.0.0.1): the request body
//! sent per structured-output mode, validation and the one repair re-ask carrying the
//! validator's message, retries on 429/5xx (including non-OpenAI-shaped bodies), and that the
//! API key never reaches the store.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use newsdesk::clock::FixedClock;
use newsdesk::config::{Secret, SectionConfig, StructuredOutput};
use newsdesk::llm::cached::{CacheMode, Cached};
use newsdesk::llm::openai::OpenAiProvider;
use newsdesk::llm::retry::Retrying;
use newsdesk::llm::schema::{card_schema, without_string_lengths};
use newsdesk::llm::{Provider, ProviderId};
use newsdesk::model::{Article, Story, Topic};
use newsdesk::store::{MemStore, Store, Tree};
use newsdesk::write::card::CardOutcome;
use newsdesk::write::prompts::Prompts;
use newsdesk::write::{CallSettings, Writer};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY: &str = "sk-test-never-stored-0123456789";

fn sections() -> Vec<SectionConfig> {
    ["models", "industry"]
        .iter()
        .map(|id| SectionConfig {
            id: id.to_string(),
            label: Default::default(),
            describe: format!("{id} news"),
        })
        .collect()
}

fn topic() -> Topic {
    let article = |id: &str, outlet: &str, url: &str| Article {
        id: id.into(),
        url: url.into(),
        outlet: outlet.into(),
        source: "test".into(),
        tier: 2,
        title: format!("Lumen-7B released ({outlet})"),
        published_at: Utc.with_ymd_and_hms(2026, 1, 5, 3, 0, 0).unwrap(),
        lang: "en".into(),
        text: "Tsinghua released Lumen-7B, a 7.3B-parameter model scoring 84.2 on GSM8K.".into(),
        tags: vec![],
    };
    let story = Story {
        id: "s000000000001".into(),
        articles: vec![
            article("a1", "Lab Notes", "https://labnotes.dev/lumen"),
            article("a2", "AI Journal", "https://aijournal.news/lumen"),
        ],
        merges: vec![],
    };
    Topic {
        id: story.id.clone(),
        rank: 1,
        score: 1.0,
        focus: true,
        story,
    }
}

fn completion(content: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content.to_string()}}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160}
    }))
}

fn card(entities: &[&str]) -> Value {
    json!({
        "title": "Tsinghua open-sources Lumen-7B", "summary": "Tsinghua released Lumen-7B.", "details": "7.3B parameters; 84.2 on GSM8K.",
        "scenarios": "", "entities": entities, "importance": "high", "section": "models", "insight": ""
    })
}

fn settings(mode: StructuredOutput) -> CallSettings {
    CallSettings {
        model: "test-model".into(),
        structured_output: mode,
        temperature: Some(0.2),
        top_p: None,
        seed: Some(7),
        max_output_tokens: 800,
        string_lengths: false,
        script_bias: false,
        translates: true,
    }
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

fn provider(server: &MockServer) -> OpenAiProvider {
    OpenAiProvider::new(
        &format!("{}/v1", server.uri()),
        Some(&Secret::new(KEY.into())),
        Duration::from_secs(5),
    )
    .unwrap()
}

/// Writes the test topic's card through `provider` with the built-in prompts.
async fn write_card(provider: &dyn Provider, mode: StructuredOutput) -> CardOutcome {
    write_card_for(provider, mode, newsdesk::model::Language::En, topic()).await
}

/// Writes `topic`'s card for a digest in `language` through `provider`.
async fn write_card_for(
    provider: &dyn Provider,
    mode: StructuredOutput,
    language: newsdesk::model::Language,
    topic: Topic,
) -> CardOutcome {
    let prompts = Prompts::load(None).unwrap();
    let sections = sections();
    let settings = settings(mode);
    let writer = Writer {
        prompts: &prompts,
        provider,
        settings: &settings,
        language,
        sections: &sections,
        max_input_tokens: 6000,
        estimator: newsdesk::llm::budget::Estimator::new(
            newsdesk::config::TokenEncoding::O200kBase,
        ),
        max_repairs: 1,
        fallback: newsdesk::config::CardFallback::None,
        previously: &Default::default(),
    };
    writer.write_cards(&[topic], &|_, _| {}).await.unwrap()
}

#[tokio::test]
async fn json_schema_mode_sends_the_strict_schema_and_repairs_once_with_the_validator_message() {
    let server = MockServer::start().await;
    // An importance no synonym maps: what a local repair cannot fix goes back to the model.
    let mut first = card(&["Lumen-7B", "Tsinghua", "GSM8K"]);
    first["importance"] = "urgent".into();
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(completion(&first))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(completion(&card(&["Lumen-7B", "Tsinghua", "GSM8K"])))
        .mount(&server)
        .await;

    let store: Arc<dyn Store> = Arc::new(MemStore::default());
    let cached = Cached::new(
        provider(&server),
        store.clone(),
        CacheMode::Rw,
        Arc::new(FixedClock(Utc::now())),
    );
    let outcome = write_card(&cached, StructuredOutput::JsonSchema).await;

    assert_eq!(outcome.cards.len(), 1, "{:?}", outcome.failed);
    assert_eq!(outcome.repaired, 1);
    let record = &outcome.cards[0];
    assert_eq!(record.card.entities.len(), 3);
    // Sources come from the topic's articles, never from the model.
    let urls: Vec<&str> = record.sources.iter().map(|s| s.url.as_str()).collect();
    assert_eq!(
        urls,
        ["https://labnotes.dev/lumen", "https://aijournal.news/lumen"]
    );

    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2);
    let ids: Vec<String> = sections().iter().map(|s| s.id.clone()).collect();
    assert_eq!(
        sent[0]["response_format"],
        // Without string lengths: OpenAI strict mode does not list them (they are checked locally).
        json!({"type": "json_schema", "json_schema": {"name": "card", "schema": without_string_lengths(&card_schema(&ids)), "strict": true}})
    );
    assert_eq!(sent[0]["model"], "test-model");
    assert_eq!(sent[0]["seed"], 7);
    assert_eq!(sent[0]["max_tokens"], 800);
    let first_user = sent[0]["messages"][1]["content"].as_str().unwrap();
    assert!(first_user.contains("<articles>") && first_user.contains("Lumen-7B"));
    // The repair re-ask replays the conversation, the invalid answer, and the validator's message.
    let repair = sent[1]["messages"].as_array().unwrap();
    assert_eq!(repair.len(), 4);
    assert_eq!(repair[2]["role"], "assistant");
    let repair_text = repair[3]["content"].as_str().unwrap();
    assert!(
        repair_text.contains("/importance") && !repair_text.contains("/entities"),
        "only the failing field: {repair_text}"
    );

    // Both 2xx answers were cached (so a replay takes the same repair path); the key never was.
    let stored = store.scan(Tree::Llm, b"").unwrap();
    assert_eq!(stored.len(), 2);
    let entry: Value = serde_json::from_slice(&stored[0].1).unwrap();
    assert_eq!(
        entry["raw"]["id"], "chatcmpl-1",
        "the raw response body is kept"
    );
    assert_eq!(entry["usage"]["prompt_tokens"], 120);
    assert!(
        stored
            .iter()
            .all(|(k, v)| !String::from_utf8_lossy(k).contains(KEY)
                && !String::from_utf8_lossy(v).contains(KEY))
    );
    let auth = server.received_requests().await.unwrap()[0]
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(auth, format!("Bearer {KEY}"));
}

#[tokio::test]
async fn still_invalid_after_repair_fails_the_topic_with_its_reason() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(completion(&json!({"title": "no other fields"})))
        .mount(&server)
        .await;
    let provider = provider(&server);
    let outcome = write_card(&provider, StructuredOutput::JsonObject).await;
    assert!(outcome.cards.is_empty());
    assert_eq!(outcome.failed.len(), 1);
    assert!(
        outcome.failed[0]
            .reason
            .contains("still invalid after 1 re-ask(s)"),
        "{}",
        outcome.failed[0].reason
    );
    assert!(
        outcome.failed[0].reason.contains("summary"),
        "{}",
        outcome.failed[0].reason
    );

    let sent = bodies(&server).await;
    assert_eq!(sent.len(), 2, "exactly one repair re-ask");
    assert_eq!(sent[0]["response_format"], json!({"type": "json_object"}));
    // json_object providers (DeepSeek, Qwen) require the word "json" in the prompt.
    assert!(
        sent[0]["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("json")
    );
}

#[tokio::test]
async fn prompt_mode_sends_no_response_format_and_reads_a_fenced_reply() {
    let server = MockServer::start().await;
    let fenced = format!(
        "Sure:\n```json\n{}\n```",
        card(&["Lumen-7B", "Tsinghua", "GSM8K"])
    );
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "choices": [{"index": 0, "message": {"role": "assistant", "content": fenced}}]
        })))
        .mount(&server)
        .await;
    let provider = provider(&server);
    let outcome = write_card(&provider, StructuredOutput::Prompt).await;
    assert_eq!(outcome.cards.len(), 1, "{:?}", outcome.failed);
    let sent = bodies(&server).await;
    assert!(sent[0].get("response_format").is_none());
    assert!(
        sent[0]["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("\"additionalProperties\": false"),
        "schema is in the prompt"
    );
}

#[tokio::test]
async fn plain_text_429_and_5xx_are_retried_by_status_with_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_string("Too Many Requests"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>bad gateway</html>"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(completion(&card(&["a", "b", "c"])))
        .mount(&server)
        .await;
    let retrying = Retrying::new(provider(&server), 4, Duration::from_secs(5));
    let req = newsdesk::llm::ChatRequest::new(
        newsdesk::llm::Namespace::Card,
        "test-model",
        vec![newsdesk::llm::Message::user("hi")],
        newsdesk::llm::ResponseFormat::JsonObject,
    );
    let resp = retrying.chat(&req).await.unwrap();
    assert!(resp.content.contains("Tsinghua open-sources Lumen-7B"));
    assert_eq!(resp.usage.prompt_tokens, 120);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);

    // A 400 is not retried, and its status survives a non-JSON body.
    let bad = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_string("bad request"))
        .mount(&bad)
        .await;
    let err = Retrying::new(provider(&bad), 4, Duration::from_secs(5))
        .chat(&req)
        .await
        .unwrap_err();
    assert!(
        matches!(err, newsdesk::llm::LlmError::Http { status: 400, .. }),
        "{err}"
    );
    assert!(!err.to_string().contains(KEY));
    assert_eq!(bad.received_requests().await.unwrap().len(), 1);
    assert_eq!(
        provider(&bad).id(),
        &ProviderId {
            kind: "openai".into(),
            host: bad.address().to_string()
        }
    );
}

#[tokio::test]
async fn the_endpoint_layer_makes_exactly_one_attempt() {
    // async-openai retries 429/5xx by itself unless told not to; retries must have one owner.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_json(json!({"error": {"message": "overloaded", "type": "server_error"}})),
        )
        .mount(&server)
        .await;
    let req = newsdesk::llm::ChatRequest::new(
        newsdesk::llm::Namespace::Card,
        "test-model",
        vec![newsdesk::llm::Message::user("hi")],
        newsdesk::llm::ResponseFormat::JsonObject,
    );
    let err = provider(&server).chat(&req).await.unwrap_err();
    assert!(
        matches!(err, newsdesk::llm::LlmError::Http { status: 503, .. }),
        "{err}"
    );
    assert!(err.is_retryable());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn figures_in_the_other_language_units_are_restated_where_the_model_reads_them() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(completion(&card(&["Tsinghua", "Lumen-7B"])))
        .mount(&server)
        .await;
    let provider = provider(&server);
    let mut chinese_sourced = topic();
    chinese_sourced.story.articles[0].text =
        "清华发布 Lumen-7B，训练数据约11亿段，累计下载150万次。".into();
    write_card_for(
        &provider,
        StructuredOutput::JsonSchema,
        newsdesk::model::Language::En,
        chinese_sourced,
    )
    .await;
    let messages: Vec<(String, String)> = bodies(&server)
        .await
        .iter()
        .map(|b| {
            let text = |i: usize| b["messages"][i]["content"].as_str().unwrap().to_string();
            (text(0), text(1))
        })
        .collect();
    let (rules, articles) = &messages[0];
    // The model reads the figures as the digest writes them, in the sentence they belong to.
    assert!(
        articles.contains("训练数据约1.1 billion段，累计下载1.5 million次"),
        "{articles}"
    );
    assert!(!articles.contains("11亿"), "{articles}");
    assert!(
        rules.contains("already written in English units"),
        "{rules}"
    );
}
