//! `POST /v1/chat/completions`, the answering part. In: the request body as a client sent it;
//! out: the assistant content for its structured-output mode and its token usage. Card and
//! insight requests are answered from their own `<context>`, `<articles>` and `<cards>` blocks
//! (the extractive baseline writes the prose, so every name and number comes from the input);
//! triage requests get the baseline's lexical screen, judge requests a score from the lint's
//! grounding check, and any other request with a schema the smallest instance of that schema. Faults and HTTP
//! live in `server.rs`; the per-model behaviours (`sim-degraded`) in `models.rs`.

use serde_json::{Map, Value, json};

use super::models::{self, ModelBehaviour};
use crate::lint::{UNGROUNDED_ENTITY, UNGROUNDED_NUMBER, grounding};
use crate::llm::blocks::{BlockArticle, CardContext, read_last_block};
use crate::llm::budget::count_tokens;
use crate::llm::{ChatRequest, Message, Namespace, ResponseFormat, Role, extractive};
use crate::model::Card;

/// The structured-output mode a request asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// `response_format: {type: json_schema, json_schema: {name, schema}}`.
    JsonSchema { name: String, schema: Value },
    /// `response_format: {type: json_object}`, optionally with llama.cpp's `schema` beside it.
    JsonObject { schema: Option<Value> },
    /// No `response_format` (or `text`): the answer is a fenced ```json block in prose.
    Prompt,
}

impl Mode {
    pub fn name(&self) -> &'static str {
        match self {
            Mode::JsonSchema { .. } => "json_schema",
            Mode::JsonObject { schema: Some(_) } => "json_object+schema",
            Mode::JsonObject { schema: None } => "json_object",
            Mode::Prompt => "prompt",
        }
    }

    fn schema(&self) -> Option<&Value> {
        match self {
            Mode::JsonSchema { schema, .. } => Some(schema),
            Mode::JsonObject { schema } => schema.as_ref(),
            Mode::Prompt => None,
        }
    }
}

/// A chat request as the simulator reads it.
#[derive(Debug, Clone)]
pub(super) struct ChatCall {
    pub model: String,
    pub messages: Vec<Message>,
    pub mode: Mode,
    /// `max_tokens` or `max_completion_tokens`; 0 when absent.
    pub max_tokens: u64,
    /// Estimated prompt tokens (o200k_base over the messages, plus framing).
    pub prompt_tokens: u64,
}

/// What the request is for, from the schema name or, failing that, the blocks it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Card,
    Insight,
    /// The triage screen: `<articles>` without a card `<context>`.
    Triage,
    /// The eval judge: `<articles>`, `<card>` and `<reference>`.
    Judge,
    /// One line per story past `max_topics`: `<stories>`.
    More,
    Other,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Card => "card",
            Kind::Insight => "insight",
            Kind::Triage => "triage",
            Kind::Judge => "judge",
            Kind::More => "more",
            Kind::Other => "other",
        }
    }
}

/// A request body that cannot be answered, with the OpenAI `param` it is about.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct BadRequest {
    pub message: String,
    pub param: Option<&'static str>,
}

fn bad(message: impl Into<String>, param: Option<&'static str>) -> BadRequest {
    BadRequest {
        message: message.into(),
        param,
    }
}

/// Reads a chat completion body.
pub(super) fn parse(body: &Value) -> Result<ChatCall, BadRequest> {
    let model = body
        .get("model")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("you must provide a model parameter", Some("model")))?
        .to_string();
    if body.get("stream").and_then(Value::as_bool) == Some(true) {
        return Err(bad(
            "llm-sim does not stream; send stream: false",
            Some("stream"),
        ));
    }
    let raw = body
        .get("messages")
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty())
        .ok_or_else(|| bad("messages must be a non-empty array", Some("messages")))?;
    let mut messages = Vec::with_capacity(raw.len());
    for m in raw {
        let role = match m.get("role").and_then(Value::as_str) {
            Some("system" | "developer") => Role::System,
            Some("assistant") => Role::Assistant,
            Some("user" | "tool") => Role::User,
            other => {
                return Err(bad(
                    format!("unknown message role {other:?}"),
                    Some("messages"),
                ));
            }
        };
        let content = match m.get("content") {
            Some(Value::String(s)) => s.clone(),
            // Content parts: keep the text ones.
            Some(Value::Array(parts)) => parts
                .iter()
                .filter_map(|p| p.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n"),
            Some(Value::Null) | None => String::new(),
            Some(_) => return Err(bad("message content must be a string", Some("messages"))),
        };
        messages.push(Message { role, content });
    }
    let mode = match body.get("response_format") {
        None | Some(Value::Null) => Mode::Prompt,
        Some(format) => match format.get("type").and_then(Value::as_str) {
            Some("text") => Mode::Prompt,
            Some("json_object") => Mode::JsonObject {
                schema: format.get("schema").cloned(),
            },
            Some("json_schema") => {
                let spec = format.get("json_schema");
                let schema = spec.and_then(|s| s.get("schema")).cloned().ok_or_else(|| {
                    bad(
                        "response_format.json_schema.schema is required",
                        Some("response_format"),
                    )
                })?;
                Mode::JsonSchema {
                    name: spec
                        .and_then(|s| s.get("name"))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                    schema,
                }
            }
            other => {
                return Err(bad(
                    format!("Invalid value for 'response_format.type': {other:?}"),
                    Some("response_format"),
                ));
            }
        },
    };
    let max_tokens = ["max_tokens", "max_completion_tokens"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_u64))
        .unwrap_or(0);
    let prompt_tokens = prompt_estimate(&messages);
    Ok(ChatCall {
        model,
        messages,
        mode,
        max_tokens,
        prompt_tokens,
    })
}

/// Prompt tokens the way `llm::budget` estimates them, so client and simulator agree.
pub(super) fn prompt_estimate(messages: &[Message]) -> u64 {
    messages
        .iter()
        .map(|m| count_tokens(&m.content) as u64 + 4)
        .sum::<u64>()
        + 3
}

impl ChatCall {
    pub(super) fn kind(&self) -> Kind {
        if let Mode::JsonSchema { name, .. } = &self.mode {
            match name.as_str() {
                "card" => return Kind::Card,
                "insight" => return Kind::Insight,
                "triage" => return Kind::Triage,
                "judge" => return Kind::Judge,
                "more" => return Kind::More,
                _ => {}
            }
        }
        let has = |tag: &str| {
            self.messages
                .iter()
                .any(|m| m.role == Role::User && m.content.contains(&format!("<{tag}>")))
        };
        if has("stories") {
            Kind::More
        } else if has("cards") {
            Kind::Insight
        } else if has("card") && has("articles") {
            Kind::Judge
        } else if has("articles") && has("context") {
            Kind::Card
        } else if has("articles") {
            Kind::Triage
        } else {
            Kind::Other
        }
    }

    /// Short blake3 over the messages (roles and contents): equal for retries of one call.
    pub(super) fn fingerprint(&self) -> String {
        let mut hasher = blake3::Hasher::new();
        for m in &self.messages {
            hasher.update(format!("{:?}\n", m.role).as_bytes());
            hasher.update(m.content.as_bytes());
            hasher.update(b"\0");
        }
        hasher.finalize().to_hex()[..12].to_string()
    }

    /// The articles of a card request (empty for other requests).
    pub(super) fn articles(&self) -> Vec<BlockArticle> {
        read_last_block(&self.messages, "articles").unwrap_or_default()
    }

    /// The answer as a JSON value, before any fault or mode wrapping.
    pub(super) fn answer_value(&self) -> Value {
        let namespace = match self.kind() {
            Kind::Card => Some(Namespace::Card),
            Kind::Insight => Some(Namespace::Insight),
            Kind::Triage => Some(Namespace::Triage),
            Kind::Judge => return self.judge(),
            Kind::More => Some(Namespace::More),
            Kind::Other => None,
        };
        let written = namespace.and_then(|namespace| {
            let request = ChatRequest::new(
                namespace,
                self.model.clone(),
                self.messages.clone(),
                ResponseFormat::JsonObject,
            );
            let answer = extractive::answer(&request).ok()?;
            serde_json::from_str::<Value>(&answer.content).ok()
        });
        let mut value = match written {
            Some(value) => value,
            None => self.mode.schema().map_or(json!({}), instance_of),
        };
        if self.kind() == Kind::Card && models::behaviour(&self.model) == ModelBehaviour::Degraded {
            let language = read_last_block::<CardContext>(&self.messages, "context")
                .map(|c| c.language)
                .unwrap_or_else(|| "en".into());
            models::degrade_card(&mut value, &self.articles(), &language);
        }
        let first_ask = !self.messages.iter().any(|m| m.role == Role::Assistant);
        if self.kind() == Kind::Card
            && models::behaviour(&self.model) == ModelBehaviour::Sloppy
            && first_ask
        {
            models::sloppy_card(&mut value, &self.articles());
        }
        value
    }
}

impl ChatCall {
    /// The judge's verdict on the `<card>` against the `<articles>`, from the lint's grounding
    /// check: an unsupported number scores 1 (the rubric's "states something the articles do
    /// not support"), each unsupported entity costs a point from 5 (at most two), a card that
    /// cannot be read scores 1.
    fn judge(&self) -> Value {
        let Some(card) = read_last_block::<Card>(&self.messages, "card") else {
            return json!({"score": 1, "reason": "There is no readable card to grade."});
        };
        let articles = self.articles();
        let sources: Vec<String> = articles
            .iter()
            .map(|a| format!("{}\n{}", a.title, a.text))
            .collect();
        let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
        let text = [&card.summary, &card.details, &card.scenarios, &card.insight]
            .map(String::as_str)
            .join("\n");
        let findings = grounding(0, &card.title, &text, &card.entities, &sources);
        let numbers = findings
            .iter()
            .filter(|f| f.rule == UNGROUNDED_NUMBER)
            .count();
        let entities = findings
            .iter()
            .filter(|f| f.rule == UNGROUNDED_ENTITY)
            .count();
        let (score, reason) = if numbers > 0 {
            (
                1,
                format!("{numbers} number(s) in the card appear in none of the articles."),
            )
        } else if entities > 0 {
            let score = 5 - entities.min(2);
            (
                score,
                format!("{entities} name(s) in the card appear in none of the articles."),
            )
        } else {
            (
                5,
                "Every number and name in the card is supported by the articles.".to_string(),
            )
        };
        json!({"score": score, "reason": reason})
    }
}

/// The content string for `value` in `mode`: bare JSON, or a fenced block in prompt mode.
pub(super) fn render_content(value: &Value, mode: &Mode) -> String {
    match mode {
        Mode::Prompt => format!(
            "Here is the JSON object:\n\n```json\n{}\n```",
            serde_json::to_string_pretty(value).expect("values serialize")
        ),
        _ => value.to_string(),
    }
}

/// The smallest value valid against `schema`: objects with every property, empty strings and
/// arrays (or `minItems` copies), the first enum value, zero or the minimum for numbers.
pub fn instance_of(schema: &Value) -> Value {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    for key in ["anyOf", "oneOf", "allOf"] {
        if let Some(first) = schema
            .get(key)
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return instance_of(first);
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => "null",
    };
    match ty {
        "object" => {
            let mut map = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    map.insert(name.clone(), instance_of(prop));
                }
            }
            Value::Object(map)
        }
        "array" => {
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0);
            let item = schema.get("items").map_or(Value::Null, instance_of);
            Value::Array((0..min).map(|_| item.clone()).collect())
        }
        "string" => {
            let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
            Value::String("x".repeat(min as usize))
        }
        "integer" | "number" => schema.get("minimum").cloned().unwrap_or(json!(0)),
        "boolean" => Value::Bool(false),
        _ => Value::Null,
    }
}

/// Removes one required field, so the JSON parses but fails the schema.
pub(super) fn drop_required_field(value: &mut Value, kind: Kind) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    let preferred = match kind {
        Kind::Card => "summary",
        Kind::Insight => "headline",
        Kind::Triage => "decisions",
        Kind::Judge => "score",
        Kind::More => "lines",
        Kind::Other => "",
    };
    if map.remove(preferred).is_none()
        && let Some(first) = map.keys().next().cloned()
    {
        map.remove(&first);
    }
    if map.is_empty() {
        // An empty schema-less object has nothing to remove: answer a wrong type instead.
        *value = json!([]);
    }
}

/// Cuts serialized JSON off before its end, the way a dropped stream or a length cut-off does.
pub(super) fn truncate_json(text: &str) -> String {
    let keep = text.chars().count() * 3 / 5;
    let mut cut: String = text.chars().take(keep.max(1)).collect();
    // Never end on a closing brace, or a short object would still parse.
    while cut.ends_with('}') || cut.ends_with(']') {
        cut.pop();
    }
    cut
}

/// The reasoning a `<think>` model writes before its answer. It mentions a brace on purpose:
/// a client that looks for the first `{` without stripping the block first gets it wrong.
pub(super) fn reasoning_text(kind: Kind) -> String {
    format!(
        "The user wants one {} as a JSON object like {{\"title\": …}}. I will use only the facts \
         in the data block and keep names as written.",
        kind.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::schema::{card_schema, insight_schema, validate_card, validate_insight};

    #[test]
    fn instances_of_the_project_schemas_parse_against_them() {
        let sections = vec!["models".to_string(), "industry".to_string()];
        let card = instance_of(&card_schema(&sections));
        assert_eq!(card["section"], "models");
        let err = validate_card(&card.to_string(), &sections).unwrap_err();
        // Valid against the schema; only the rules a schema cannot say (non-empty title) fail.
        assert!(!err.contains("is a required property"), "{err}");
        let insight = instance_of(&insight_schema());
        assert!(insight["background"].is_array());
        assert!(validate_insight(&insight.to_string()).is_err());
    }

    #[test]
    fn parse_reads_all_three_modes_and_rejects_unknown_ones() {
        let base = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]});
        assert_eq!(parse(&base).unwrap().mode, Mode::Prompt);
        let mut object = base.clone();
        object["response_format"] = json!({"type": "json_object", "schema": {"type": "object"}});
        assert_eq!(parse(&object).unwrap().mode.name(), "json_object+schema");
        let mut schema = base.clone();
        schema["response_format"] =
            json!({"type": "json_schema", "json_schema": {"name": "card", "schema": {}}});
        let call = parse(&schema).unwrap();
        assert_eq!((call.mode.name(), call.kind()), ("json_schema", Kind::Card));
        let mut weird = base.clone();
        weird["response_format"] = json!({"type": "xml"});
        assert_eq!(parse(&weird).unwrap_err().param, Some("response_format"));
        assert!(parse(&json!({"model": "m", "messages": []})).is_err());
    }

    #[test]
    fn truncated_json_never_parses() {
        for text in [r#"{"a":1}"#, r#"{"a":[1,2,3],"b":{"c":"d"}}"#] {
            assert!(serde_json::from_str::<Value>(&truncate_json(text)).is_err());
        }
    }
}
