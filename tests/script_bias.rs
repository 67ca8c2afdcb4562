//! Steering answers to the digest's Chinese script (`provider.script_bias`) against a fake of
//! llama.cpp's server on 127.0.0.1: the vocabulary is read once through `/models`, `/tokenize`
//! and `/detokenize` (a token whose text is the separator itself included), each steered request
//! carries the bias, and a server that cannot show its vocabulary still gets its requests.

use std::time::Duration;

use newsdesk::llm::openai::{EndpointOptions, OpenAiProvider};
use newsdesk::llm::script_bias::{BANNED, COUNTERPART};
use newsdesk::llm::{ChatRequest, Message, Namespace, Provider, ResponseFormat};
use newsdesk::model::Language;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The fake model's vocabulary: Simplified, Traditional, shared, Latin, a Simplified word whose
/// Traditional form is no token, and the separator the client writes between ids.
const VOCABULARY: [&str; 6] = ["发布", "發布", "模型", "NVIDIA", "机器人", "\u{1f}"];
const SEPARATOR_ID: u64 = 5;

/// `/detokenize` as llama.cpp answers it: the tokens' texts, concatenated.
struct Detokenize;

impl Respond for Detokenize {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        let content: String = body["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| VOCABULARY[id.as_u64().unwrap() as usize])
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({ "content": content }))
    }
}

async fn llama_server(shows_vocabulary: bool) -> MockServer {
    let server = MockServer::start().await;
    if shows_vocabulary {
        Mock::given(method("GET"))
            .and(path("/v1/models"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "data": [{"id": "local", "meta": {"n_vocab": VOCABULARY.len()}}]
            })))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/tokenize"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({ "tokens": [SEPARATOR_ID] })),
            )
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/detokenize"))
            .respond_with(Detokenize)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "local",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": "{}"}}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12}
        })))
        .mount(&server)
        .await;
    server
}

fn steered_provider(server: &MockServer) -> OpenAiProvider {
    OpenAiProvider::with_options(
        &format!("{}/v1", server.uri()),
        None,
        EndpointOptions {
            script_bias: true,
            ..EndpointOptions::new(Duration::from_secs(5))
        },
    )
    .unwrap()
}

fn request(steer_script: Option<Language>) -> ChatRequest {
    ChatRequest {
        steer_script,
        ..ChatRequest::new(
            Namespace::Card,
            "local",
            vec![Message::user("寫一張卡片")],
            ResponseFormat::JsonObject,
        )
    }
}

/// The bodies sent to `path`, in order.
async fn sent(server: &MockServer, to: &str) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == to)
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

#[tokio::test]
async fn steered_requests_carry_the_bias_read_once_from_the_servers_vocabulary() {
    let server = llama_server(true).await;
    let provider = steered_provider(&server);
    provider
        .chat(&request(Some(Language::ZhHant)))
        .await
        .unwrap();
    provider
        .chat(&request(Some(Language::ZhHant)))
        .await
        .unwrap();
    let chats = sent(&server, "/v1/chat/completions").await;
    assert_eq!(chats.len(), 2);
    let expected = json!({"0": BANNED, "1": COUNTERPART, "4": BANNED});
    for chat in &chats {
        assert_eq!(chat["logit_bias"], expected);
    }
    // Read once for both requests.
    assert_eq!(sent(&server, "/v1/models").await.len(), 1);
    // zh-Hans bans the Traditional form and favours the Simplified one.
    provider
        .chat(&request(Some(Language::ZhHans)))
        .await
        .unwrap();
    let chats = sent(&server, "/v1/chat/completions").await;
    assert_eq!(
        chats[2]["logit_bias"],
        json!({"0": COUNTERPART, "1": BANNED})
    );
    // A request with no script to steer to is sent as it is.
    provider.chat(&request(None)).await.unwrap();
    let chats = sent(&server, "/v1/chat/completions").await;
    assert!(chats[3].get("logit_bias").is_none());
}

#[tokio::test]
async fn a_server_that_cannot_show_its_vocabulary_still_gets_the_request_without_a_bias() {
    let server = llama_server(false).await;
    let provider = steered_provider(&server);
    let answer = provider
        .chat(&request(Some(Language::ZhHant)))
        .await
        .unwrap();
    assert_eq!(answer.content, "{}");
    let chats = sent(&server, "/v1/chat/completions").await;
    assert_eq!(chats.len(), 1);
    assert!(chats[0].get("logit_bias").is_none());
    // The failed read is not retried for every request.
    provider
        .chat(&request(Some(Language::ZhHant)))
        .await
        .unwrap();
    assert_eq!(sent(&server, "/v1/models").await.len(), 1);
}

#[tokio::test]
async fn without_script_bias_the_server_is_never_asked_for_its_vocabulary() {
    let server = llama_server(true).await;
    let provider = OpenAiProvider::new(
        &format!("{}/v1", server.uri()),
        None,
        Duration::from_secs(5),
    )
    .unwrap();
    provider
        .chat(&request(Some(Language::ZhHant)))
        .await
        .unwrap();
    assert!(sent(&server, "/v1/models").await.is_empty());
    assert!(
        sent(&server, "/v1/chat/completions").await[0]
            .get("logit_bias")
            .is_none()
    );
}
