//! The card and insight schemas in one place. In: the Rust types in `model.rs` and the configured
//! section ids; out: the strict-mode JSON Schema sent as `response_format`, the local validator
//! that every response goes through (whatever the provider promised), and the field list the
//! prompt shows. The validator's messages are written to be pasted into a repair re-ask.

use schemars::generate::SchemaSettings;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::model::{Card, Insight, KeywordCard, WeeklyOverview};
use crate::text::is_han;

pub use super::bounds::*;
use super::bounds::{bound_words, with_bounds};

/// JSON Schema for `T` as OpenAI strict mode accepts it: subschemas inlined, every property
/// required (optional fields are required-but-may-be-empty), `additionalProperties: false`
/// everywhere, and the annotations strict mode rejects (`format`, `$schema`, numeric bounds)
/// removed. Descriptions stay: they are the field documentation the model reads.
pub fn strict_schema_for<T: schemars::JsonSchema>() -> Value {
    let schema = SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator()
        .into_root_schema_for::<T>();
    let mut value = schema.to_value();
    make_strict(&mut value);
    value
}

fn make_strict(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            // Strict mode and llama.cpp both take `minimum`/`maximum` (numbers) and the bounds
            // added by `with_bounds`; `format: uint` (schemars' unsigned ints) is in neither list.
            // `default` comes from `#[serde(default)]` (older digests load without the field);
            // a model is asked for every field.
            for key in ["$schema", "format", "title", "default"] {
                map.remove(key);
            }
            if let Some(Value::Object(props)) = map.get_mut("properties") {
                // `properties` maps names to schemas: recurse into each schema, never treat the
                // map itself as a schema (a property may well be called "title").
                props.values_mut().for_each(make_strict);
                let required: Vec<Value> = props.keys().cloned().map(Value::String).collect();
                map.insert("required".into(), Value::Array(required));
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for (key, child) in map.iter_mut() {
                if key != "properties" {
                    make_strict(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(make_strict),
        _ => {}
    }
}

/// The card schema with `section` restricted to the configured ids.
pub fn card_schema(section_ids: &[String]) -> Value {
    let mut schema = strict_schema_for::<Card>();
    if let Some(section) = schema
        .pointer_mut("/properties/section")
        .and_then(Value::as_object_mut)
    {
        section.insert(
            "enum".into(),
            section_ids.iter().cloned().map(Value::String).collect(),
        );
    }
    with_bounds(schema, CARD_BOUNDS)
}

/// `schema` (a card schema) with the entities asked as a choice among `names`, for servers that
/// turn the schema into a grammar: an object with one required `true`/`false` per name, so each
/// name can be chosen at most once. A list whose items were an `enum` of the same names let
/// Qwen2.5-Coder-1.5B pick a name again and again (`["Veridian", "Veridian", "Veridian"]`,
/// `["Qwen-Vision-3.2", "Alibaba", "Qwen-Vision-3.2", …]`: 8 of the 10 繁體中文 eval cards had a
/// repeat, none of them valid as first answered), and JSON Schema's `uniqueItems` is no keyword
/// llama.cpp's grammar honours. `entities_from_choices` turns the answer back into the card's
/// list. Fewer than `ENTITIES_MIN` names leave the schema as it is: there is nothing to choose.
pub fn with_entity_choices(mut schema: Value, names: &[String]) -> Value {
    if names.len() < ENTITIES_MIN {
        return schema;
    }
    if let Some(entities) = schema.pointer_mut("/properties/entities") {
        let description = entities.get("description").cloned().unwrap_or(Value::Null);
        *entities = serde_json::json!({
            "type": "object",
            "description": description,
            "properties": names
                .iter()
                .map(|name| (name.clone(), serde_json::json!({"type": "boolean"})))
                .collect::<serde_json::Map<_, _>>(),
            "required": names,
            "additionalProperties": false,
        });
    }
    schema
}

/// An answer's choice object for `entities` (`with_entity_choices`) turned into the card's list:
/// the names answered `true`, in the order of `names` (the lexical card's, most salient first;
/// the object's keys come back in the schema's order, which is alphabetical). Any other
/// `entities` — a list, none — is left as it is, for the check to judge.
pub fn entities_from_choices(answer: &mut Value, names: &[String]) {
    let Some(Value::Object(choices)) = answer.get("entities") else {
        return;
    };
    let chosen: Vec<Value> = names
        .iter()
        .filter(|name| choices.get(name.as_str()) == Some(&Value::Bool(true)))
        .map(|name| Value::String(name.clone()))
        .collect();
    answer["entities"] = Value::Array(chosen);
}

pub fn insight_schema() -> Value {
    with_bounds(strict_schema_for::<Insight>(), INSIGHT_BOUNDS)
}

/// The bounds of the schema whose top-level properties are `schema`'s: the card's or the
/// insight's (the two tables have no field in common), none for others.
fn bounds_of(schema: &Value) -> &'static [Bound] {
    let has = |field: &str| schema.pointer(&format!("/properties/{field}")).is_some();
    if has("entities") && has("section") {
        CARD_BOUNDS
    } else if has("watchlist") {
        INSIGHT_BOUNDS
    } else {
        &[]
    }
}

/// "- name: description" lines for every top-level property, for prompts.
pub fn field_list(schema: &Value) -> String {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return String::new();
    };
    props
        .iter()
        .map(|(name, prop)| {
            let description = prop
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            let bound = bound_words(bounds_of(schema), name);
            format!("- {name}{bound}: {description}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The JSON object in a model's reply: the whole reply, or the body of a ```json fence, or the
/// span from the first `{` to the last `}` (prompt mode and chatty models).
pub fn extract_json(content: &str) -> &str {
    let trimmed = content.trim();
    if trimmed.starts_with('{') {
        return trimmed;
    }
    if let Some(start) = trimmed.find("```") {
        let after = &trimmed[start + 3..];
        let body_start = after.find('\n').map(|i| i + 1).unwrap_or(0);
        if let Some(end) = after[body_start..].find("```") {
            return after[body_start..body_start + end].trim();
        }
    }
    match (trimmed.find('{'), trimmed.rfind('}')) {
        (Some(start), Some(end)) if start < end => &trimmed[start..=end],
        _ => trimmed,
    }
}

/// Parses `content` and checks it against `schema`; every problem is listed with its JSON path.
/// Structure (fields, types, enums) is checked by the schema; lengths by the schema's bound table,
/// whose messages say what to change without quoting the whole offending text back.
pub fn validate_against<T: DeserializeOwned>(content: &str, schema: &Value) -> Result<T, String> {
    let value = parse_reply(content)?;
    let mut problems = structure_problems(&value, schema)?;
    problems.extend(bound_problems(&value, bounds_of(schema)));
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    serde_json::from_value(value)
        .map_err(|e| format!("the reply does not match the expected fields: {e}"))
}

/// The JSON value of a model's reply (see `extract_json`).
pub fn parse_reply(content: &str) -> Result<Value, String> {
    serde_json::from_str(extract_json(content))
        .map_err(|e| format!("the reply is not valid JSON: {e}"))
}

/// What `value` breaks of `schema`'s structure, lengths aside (`bound_problems` words those).
pub fn structure_problems(value: &Value, schema: &Value) -> Result<Vec<String>, String> {
    let structure = without_bounds(schema);
    let validator =
        jsonschema::validator_for(&structure).map_err(|e| format!("internal schema error: {e}"))?;
    Ok(validator
        .iter_errors(value)
        .map(|e| {
            let path = e.instance_path().to_string();
            format!(
                "{}: {e}",
                if path.is_empty() {
                    "(root)".to_string()
                } else {
                    path
                }
            )
        })
        .collect())
}

fn without_bounds(schema: &Value) -> Value {
    let mut schema = without_string_lengths(schema);
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("minItems");
                map.remove("maxItems");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut schema);
    schema
}

/// Validates a card reply: the schema and its bounds, then the title's Han bound (a schema cannot
/// say "40 Han or 90 in all"). The card stage adds the rules that need the topic
/// (`write::check`).
pub fn validate_card(content: &str, section_ids: &[String]) -> Result<Card, String> {
    let card: Card = validate_against(content, &card_schema(section_ids))?;
    match title_han_problem(&card.title) {
        Some(problem) => Err(problem),
        None => Ok(card),
    }
}

/// The title rule the schema's bounds cannot state: a title within its 90 characters that holds
/// more than 40 Han characters. `None` when the title keeps it (or breaks the length bound,
/// which `CARD_BOUNDS` reports).
pub fn title_han_problem(title: &str) -> Option<String> {
    let title = title.trim();
    (!title_within_bounds(title) && title.chars().count() <= TITLE_MAX_LATIN_CHARS).then(|| {
        format!(
            "/title: {} Chinese characters is too long (at most {TITLE_MAX_CJK_CHARS})",
            title.chars().filter(|&c| is_han(c)).count()
        )
    })
}

/// Validates an insight reply against the schema and its bounds. The prompt asks for 3-7 watch
/// items and 10-20 keywords (the field descriptions say so); the bounds enforce only the hard
/// limits, so a quiet day with a handful of cards still gets its insight instead of a repair loop.
pub fn validate_insight(content: &str) -> Result<Insight, String> {
    let mut value = parse_reply(content)?;
    clear_cut_texts(&mut value, INSIGHT_BOUNDS);
    validate_against(&value.to_string(), &insight_schema())
}

/// A keyword card lists 2 to 5 observations (核心观察)…
pub const OBSERVATIONS_MIN: usize = 2;
pub const OBSERVATIONS_MAX: usize = 5;
/// …and 2 to 4 steps of reasoning (逻辑链条).
pub const LOGIC_STEPS_MIN: usize = 2;
pub const LOGIC_STEPS_MAX: usize = 4;

pub fn keyword_card_schema() -> Value {
    strict_schema_for::<KeywordCard>()
}

pub fn weekly_overview_schema() -> Value {
    strict_schema_for::<WeeklyOverview>()
}

/// Validates a weekly keyword-card reply: the schema, then the title and list bounds.
pub fn validate_keyword_card(content: &str) -> Result<KeywordCard, String> {
    let card: KeywordCard = validate_against(content, &keyword_card_schema())?;
    let mut problems = Vec::new();
    if !title_within_bounds(&card.keyword) {
        problems.push(format!(
            "/keyword: must be 1 to {TITLE_MAX_CJK_CHARS} CJK or {TITLE_MAX_LATIN_CHARS} Latin characters"
        ));
    }
    for (field, items, min, max) in [
        (
            "observations",
            &card.observations,
            OBSERVATIONS_MIN,
            OBSERVATIONS_MAX,
        ),
        (
            "logic_chain",
            &card.logic_chain,
            LOGIC_STEPS_MIN,
            LOGIC_STEPS_MAX,
        ),
    ] {
        let filled = items.iter().filter(|i| !i.trim().is_empty()).count();
        if filled != items.len() || !(min..=max).contains(&filled) {
            problems.push(format!(
                "/{field}: has {filled} non-empty of {} items, expected {min} to {max} non-empty items",
                items.len()
            ));
        }
    }
    if card.insight.trim().is_empty() {
        problems.push("/insight: must not be empty".to_string());
    }
    if problems.is_empty() {
        Ok(card)
    } else {
        Err(problems.join("; "))
    }
}

/// Validates a weekly overview reply: the schema, then a headline and a summary.
pub fn validate_weekly_overview(content: &str) -> Result<WeeklyOverview, String> {
    let overview: WeeklyOverview = validate_against(content, &weekly_overview_schema())?;
    let mut problems = Vec::new();
    for (field, text) in [
        ("headline", &overview.headline),
        ("summary", &overview.summary),
    ] {
        if text.trim().is_empty() {
            problems.push(format!("/{field}: must not be empty"));
        }
    }
    if problems.is_empty() {
        Ok(overview)
    } else {
        Err(problems.join("; "))
    }
}

/// Every property of every object in `schema` is required and closed: what strict mode demands.
pub fn is_strict(schema: &Value) -> bool {
    fn check(value: &Value) -> bool {
        match value {
            Value::Object(map) => {
                if let Some(Value::Object(props)) = map.get("properties") {
                    let required: Vec<&str> = map
                        .get("required")
                        .and_then(Value::as_array)
                        .map(|r| r.iter().filter_map(Value::as_str).collect())
                        .unwrap_or_default();
                    if props.keys().any(|k| !required.contains(&k.as_str()))
                        || map.get("additionalProperties") != Some(&Value::Bool(false))
                    {
                        return false;
                    }
                }
                map.values().all(check)
            }
            Value::Array(items) => items.iter().all(check),
            _ => true,
        }
    }
    check(schema)
}

#[cfg(test)]
mod tests;
