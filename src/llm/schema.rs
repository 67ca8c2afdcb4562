//! The card and insight schemas in one place. In: the Rust types in `model.rs` and the configured
//! section ids; out: the strict-mode JSON Schema sent as `response_format`, the local validator
//! that every response goes through (whatever the provider promised), and the field list the
//! prompt shows. The validator's messages are written to be pasted into a repair re-ask.

use schemars::generate::SchemaSettings;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::model::{Card, Insight, KeywordCard, WeeklyOverview};
use crate::text::is_han;

/// A card title holds at most this many Han characters (DESIGN §4: "≤ 40 CJK chars")…
pub const TITLE_MAX_CJK_CHARS: usize = 40;
/// …and at most this many characters in all ("≤ 90 Latin chars").
pub const TITLE_MAX_LATIN_CHARS: usize = 90;
/// A card names 3 to 10 entities.
pub const ENTITIES_MIN: usize = 3;
pub const ENTITIES_MAX: usize = 10;

/// The most characters a title may have before a writer should cut it: the CJK bound when it
/// has any Han character, the Latin bound otherwise. Writers cut to this; the validator accepts
/// anything `title_within_bounds` accepts, which this always satisfies.
pub fn title_char_limit(title: &str) -> usize {
    if title.chars().any(is_han) {
        TITLE_MAX_CJK_CHARS
    } else {
        TITLE_MAX_LATIN_CHARS
    }
}

/// The validator's title rule: not empty, at most 40 Han and 90 characters in all.
pub fn title_within_bounds(title: &str) -> bool {
    let title = title.trim();
    let han = title.chars().filter(|&c| is_han(c)).count();
    !title.is_empty()
        && han <= TITLE_MAX_CJK_CHARS
        && title.chars().count() <= TITLE_MAX_LATIN_CHARS
}

/// The entity-count rule: 3 to 10 non-empty names.
pub fn entity_count_within_bounds(entities: &[String]) -> bool {
    let named = entities.iter().filter(|e| !e.trim().is_empty()).count();
    (ENTITIES_MIN..=ENTITIES_MAX).contains(&named)
}

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
            for key in ["$schema", "format", "minimum", "maximum", "title"] {
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
    schema
}

pub fn insight_schema() -> Value {
    strict_schema_for::<Insight>()
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
            format!("- {name}: {description}")
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
pub fn validate_against<T: DeserializeOwned>(content: &str, schema: &Value) -> Result<T, String> {
    let json = extract_json(content);
    let value: Value =
        serde_json::from_str(json).map_err(|e| format!("the reply is not valid JSON: {e}"))?;
    let validator =
        jsonschema::validator_for(schema).map_err(|e| format!("internal schema error: {e}"))?;
    let problems: Vec<String> = validator
        .iter_errors(&value)
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
        .collect();
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    serde_json::from_value(value)
        .map_err(|e| format!("the reply does not match the expected fields: {e}"))
}

/// Validates a card reply: the schema, then the rules a schema cannot say.
pub fn validate_card(content: &str, section_ids: &[String]) -> Result<Card, String> {
    let card: Card = validate_against(content, &card_schema(section_ids))?;
    let mut problems = Vec::new();
    let title = card.title.trim();
    if title.is_empty() {
        problems.push("/title: must not be empty".to_string());
    } else if !title_within_bounds(title) {
        problems.push(format!(
            "/title: {} characters is too long (at most {TITLE_MAX_CJK_CHARS} CJK or \
             {TITLE_MAX_LATIN_CHARS} Latin characters)",
            title.chars().count()
        ));
    }
    if card.summary.trim().is_empty() {
        problems.push("/summary: must not be empty (2-4 sentences)".to_string());
    }
    if !entity_count_within_bounds(&card.entities) {
        let named = card
            .entities
            .iter()
            .filter(|e| !e.trim().is_empty())
            .count();
        problems.push(format!(
            "/entities: has {named} non-empty names, expected {ENTITIES_MIN} to {ENTITIES_MAX}"
        ));
    }
    if problems.is_empty() {
        Ok(card)
    } else {
        Err(problems.join("; "))
    }
}

/// Validates an insight reply. The prompt asks for 3-7 watch items and 10-20 keywords (the field
/// descriptions say so); the validator enforces only the hard bounds, so a quiet day with a
/// handful of cards still gets its insight instead of a repair loop.
pub fn validate_insight(content: &str) -> Result<Insight, String> {
    let insight: Insight = validate_against(content, &insight_schema())?;
    let mut problems = Vec::new();
    for (field, text) in [
        ("headline", &insight.headline),
        ("trend_summary", &insight.trend_summary),
    ] {
        if text.trim().is_empty() {
            problems.push(format!("/{field}: must not be empty"));
        }
    }
    if !(1..=7).contains(&insight.watchlist.len()) {
        problems.push(format!(
            "/watchlist: has {} items, expected 1 to 7",
            insight.watchlist.len()
        ));
    }
    if insight.keywords.is_empty() || insight.keywords.len() > 20 {
        problems.push(format!(
            "/keywords: has {} items, expected 1 to 20",
            insight.keywords.len()
        ));
    }
    if problems.is_empty() {
        Ok(insight)
    } else {
        Err(problems.join("; "))
    }
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

/// An empty JSON object map, for callers building schemas by hand in tests.
pub fn empty_object() -> Map<String, Value> {
    Map::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections() -> Vec<String> {
        vec!["models".into(), "industry".into()]
    }

    fn good_card() -> Value {
        serde_json::json!({
            "title": "阿里開源 Qwen-Image-2512", "summary": "阿里發布新模型。", "details": "",
            "scenarios": "", "entities": ["Qwen-Image-2512", "阿里巴巴", "AI Arena"],
            "importance": "high", "section": "models", "insight": ""
        })
    }

    #[test]
    fn card_schema_is_strict_and_matches_snapshot() {
        let schema = card_schema(&sections());
        assert!(is_strict(&schema));
        insta::assert_json_snapshot!("card_schema", schema);
    }

    #[test]
    fn insight_schema_is_strict_and_matches_snapshot() {
        let schema = insight_schema();
        assert!(is_strict(&schema));
        assert!(
            schema
                .pointer("/properties/background/items/additionalProperties")
                .is_some()
        );
        insta::assert_json_snapshot!("insight_schema", schema);
    }

    #[test]
    fn accepts_a_good_card_in_a_fence() {
        let reply = format!("Here you go:\n```json\n{}\n```", good_card());
        let card = validate_card(&reply, &sections()).unwrap();
        assert_eq!(card.entities.len(), 3);
    }

    #[test]
    fn rejects_unknown_section_missing_field_and_extra_field() {
        let mut card = good_card();
        card["section"] = "sports".into();
        let err = validate_card(&card.to_string(), &sections()).unwrap_err();
        assert!(err.contains("/section"), "{err}");

        let mut card = good_card();
        card.as_object_mut().unwrap().remove("summary");
        let err = validate_card(&card.to_string(), &sections()).unwrap_err();
        assert!(err.contains("summary"), "{err}");

        let mut card = good_card();
        card["sources"] = serde_json::json!(["https://invented.example"]);
        let err = validate_card(&card.to_string(), &sections()).unwrap_err();
        assert!(err.contains("sources"), "{err}");
    }

    #[test]
    fn rejects_entity_count_and_long_title() {
        let mut card = good_card();
        card["entities"] = serde_json::json!(["only one"]);
        let err = validate_card(&card.to_string(), &sections()).unwrap_err();
        assert!(err.contains("/entities: has 1"), "{err}");

        let mut card = good_card();
        card["title"] = "長".repeat(41).into();
        let err = validate_card(&card.to_string(), &sections()).unwrap_err();
        assert!(err.contains("/title"), "{err}");
    }

    #[test]
    fn weekly_schemas_are_strict_and_match_snapshots() {
        let card = keyword_card_schema();
        assert!(is_strict(&card));
        insta::assert_json_snapshot!("keyword_card_schema", card);
        let overview = weekly_overview_schema();
        assert!(is_strict(&overview));
        insta::assert_json_snapshot!("weekly_overview_schema", overview);
    }

    #[test]
    fn keyword_card_bounds_are_enforced() {
        let good = serde_json::json!({
            "keyword": "Agent", "observations": ["一", "二"], "logic_chain": ["甲", "乙"],
            "insight": "洞見。"
        });
        assert!(validate_keyword_card(&good.to_string()).is_ok());
        let mut bad = good.clone();
        bad["observations"] = serde_json::json!(["only one"]);
        bad["logic_chain"] = serde_json::json!(["a", " ", "c"]);
        bad["insight"] = "".into();
        let err = validate_keyword_card(&bad.to_string()).unwrap_err();
        assert!(err.contains("/observations: has 1"), "{err}");
        assert!(err.contains("/logic_chain: has 2 non-empty of 3"), "{err}");
        assert!(err.contains("/insight"), "{err}");
        let err =
            validate_weekly_overview(r#"{"headline":"","summary":"x","outlook":""}"#).unwrap_err();
        assert!(err.contains("/headline"), "{err}");
    }

    #[test]
    fn not_json_says_so() {
        let err = validate_card("I cannot do that.", &sections()).unwrap_err();
        assert!(err.contains("not valid JSON"), "{err}");
    }
}
