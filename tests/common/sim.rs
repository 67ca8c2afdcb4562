//! An OpenAI-compatible chat endpoint for tests (wiremock on 127.0.0.1) whose replies are written
//! by the extractive baseline from the same request a real model would get, optionally slow.
#![allow(dead_code)]

use std::time::Duration;

use newsdesk::llm::{ChatRequest, Message, Namespace, ResponseFormat, extractive};
use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

/// The extractive baseline's answer to a chat-completions request body: the same request a model
/// would get, read as a more-news request when it carries stories, a card request when it carries
/// articles and an insight request otherwise.
pub fn extractive_answer(body: &Value) -> newsdesk::llm::ChatResponse {
    let messages: Vec<Message> =
        serde_json::from_value(body["messages"].clone()).expect("chat messages");
    let last_user = messages
        .iter()
        .rev()
        .find(|m| m.role == newsdesk::llm::Role::User)
        .expect("a user message");
    let namespace = if last_user.content.contains("<stories>") {
        Namespace::More
    } else if messages.iter().any(|m| m.content.contains("<articles>"))
        && !last_user.content.contains("<cards>")
    {
        Namespace::Card
    } else {
        Namespace::Insight
    };
    let req = ChatRequest::new(
        namespace,
        body["model"].as_str().expect("a model name"),
        messages,
        ResponseFormat::JsonObject,
    );
    extractive::answer(&req).expect("well-formed request")
}

/// Answers every chat request at once.
pub struct Simulator;

impl Respond for Simulator {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).expect("JSON request body");
        let answer = extractive_answer(&body);
        ResponseTemplate::new(200).set_body_json(json!({
            "id": "chatcmpl-sim", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": answer.content}}],
            "usage": {"prompt_tokens": answer.usage.prompt_tokens, "completion_tokens": answer.usage.completion_tokens}
        }))
    }
}

/// The simulator answering each request only after `0` has passed (a slow endpoint).
pub struct SlowSimulator(pub Duration);

impl Respond for SlowSimulator {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        Simulator.respond(request).set_delay(self.0)
    }
}
