//! llm-sim's own behaviour, seen from a plain reqwest client on 127.0.0.1, one file per concern:
//! `answers` (every structured-output mode validates with the project's own validators and is
//! grounded in the request's articles; sim-degraded is measurably worse; embeddings, models),
//! `faults` (each fault looks like the real thing; hangs; seeded rates repeat), `limits` (the
//! sliding window, both Retry-After forms, capability rejections, context errors) and `lifetime`
//! (stopping by itself in-process and as the `llm-sim` binary; the request log). Shared request
//! builders live here.

mod answers;
mod faults;
mod lifetime;
mod limits;

use std::time::Duration;

use newsdesk::llm::blocks::{BlockArticle, BlockSection, CardContext, write_block};
use newsdesk::llm::schema::card_schema;
use newsdesk::sim::{self, SimConfig};
use serde_json::{Value, json};

pub fn sections() -> Vec<String> {
    vec!["models".into(), "industry".into(), "policy".into()]
}

pub fn block_sections() -> Vec<BlockSection> {
    sections()
        .into_iter()
        .map(|id| BlockSection {
            label: id.clone(),
            describe: format!("{id} news"),
            id,
        })
        .collect()
}

pub fn article(id: &str, outlet: &str, title: &str, text: &str) -> BlockArticle {
    BlockArticle {
        id: id.into(),
        outlet: outlet.into(),
        title: title.into(),
        published: "2026-01-05T08:00:00Z".into(),
        url: format!("https://{outlet}.example/{id}"),
        text: text.into(),
    }
}

pub fn english_articles() -> Vec<BlockArticle> {
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

pub fn chinese_articles() -> Vec<BlockArticle> {
    vec![article(
        "c1",
        "pulse",
        "阿里发布 Qwen-Vision 3.2 开源视觉模型",
        "阿里巴巴周一发布开源视觉语言模型 Qwen-Vision 3.2，参数规模 720 亿。Qwen 团队表示，该模型在 MMMU 基准上得分 81.4。开发者可以在 Hugging Face 和 ModelScope 下载权重。",
    )]
}

pub fn card_messages(articles: &[BlockArticle], language: &str) -> Value {
    let context = CardContext {
        language: language.into(),
        rank: 1,
        topic_count: 10,
        sections: block_sections(),
        previously: None,
    };
    json!([
        {"role": "system", "content": "You write one card as a json object."},
        {"role": "user", "content": format!("Write the card.\n\n{}\n\n{}", write_block("context", &context), write_block("articles", articles))}
    ])
}

pub fn card_body(model: &str, mode: &str) -> Value {
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

pub async fn start(config: SimConfig) -> sim::SimHandle {
    sim::spawn(config).await.expect("llm-sim starts")
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

pub async fn post(sim: &sim::SimHandle, path: &str, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{}{path}", sim.base_url()))
        .json(body)
        .send()
        .await
        .expect("the simulator answers")
}

pub async fn content_of(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["choices"][0]["message"]["content"]
        .as_str()
        .unwrap()
        .to_string()
}
