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

/// `schema` (a card schema) with each entity chosen from `names` and at most as many entities as
/// there are names, for servers that turn the schema into a grammar. Fewer than `ENTITIES_MIN`
/// names leave the schema as it is: the grammar could then only repeat them.
pub fn with_entity_choices(mut schema: Value, names: &[String]) -> Value {
    if names.len() < ENTITIES_MIN {
        return schema;
    }
    if let Some(entities) = schema
        .pointer_mut("/properties/entities")
        .and_then(Value::as_object_mut)
    {
        entities.insert("maxItems".into(), names.len().min(ENTITIES_MAX).into());
        if let Some(item) = entities.get_mut("items").and_then(Value::as_object_mut) {
            item.remove("maxLength");
            item.insert(
                "enum".into(),
                names.iter().cloned().map(Value::String).collect(),
            );
        }
    }
    schema
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
mod tests {
    use super::*;
    use crate::model::Language;

    fn sections() -> Vec<String> {
        vec!["models".into(), "industry".into()]
    }

    fn good_card() -> Value {
        serde_json::json!({
            "title": "阿里開源 Qwen-Image-2512", "summary": "阿里發布新模型。", "details": "",
            "scenarios": "", "entities": ["Qwen-Image-2512", "阿里巴巴", "AI Arena"],
            "importance": "high", "section": "models", "insight": "",
            "short_title": "阿里開源Qwen-Image", "tags": ["開源"],
            "key_points": [{"label": "核心能力", "text": "文字渲染更準確。"}], "impacts": []
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

    /// Does `text` match `pattern` as a JSON Schema validator reads it (ECMA regex)?
    fn matches(pattern: &str, text: &str) -> bool {
        let schema = serde_json::json!({"type": "string", "pattern": pattern});
        jsonschema::validator_for(&schema)
            .expect("the pattern compiles")
            .is_valid(&serde_json::json!(text))
    }

    #[test]
    fn han_pattern_takes_chinese_with_names_and_refuses_english() {
        let title = han_prose_pattern(TITLE_MAX_CJK_CHARS);
        // What the real model wrote once the grammar made it choose at the first word.
        assert!(matches(
            &title,
            "NVIDIA 推出 H300 預測芯片，性能比 H200 增加 2 倍"
        ));
        assert!(matches(&title, "Qwen2.5-Coder-1.5B 開源，支援 128K 上下文"));
        assert!(matches(&title, "輝達發表 H300"));
        // Its answers without the pattern (issue 16's transcript), and a mid-word switch.
        assert!(!matches(
            &title,
            "Google's new AI model helps search engines understand real-world data"
        ));
        assert!(!matches(&title, "NVIDIA H300 Inference Chip Launches"));
        assert!(!matches(
            &title,
            "NVIDIA H300 Inference Chip Announced 芯片"
        ));
        // Raw quotes and backslashes would end or escape the JSON string a grammar emits.
        assert!(!matches(&title, "輝達 \"H300\" 發表"));
        assert!(!matches(&title, ""));
        // The Han count bounds the repetition.
        assert!(matches(&title, &"長".repeat(TITLE_MAX_CJK_CHARS)));
        assert!(!matches(&title, &"長".repeat(TITLE_MAX_CJK_CHARS + 1)));
        let english = latin_prose_pattern(1, 90);
        assert!(matches(&english, "NVIDIA ships the H300 inference chip"));
        assert!(!matches(&english, "NVIDIA 推出 H300"));
        assert!(!matches(&english, ""));
    }

    #[test]
    fn language_patterns_replace_lengths_on_prose_only() {
        let sent = with_language_patterns(
            card_schema(&sections()),
            CARD_BOUNDS,
            CARD_PROSE,
            Language::ZhHant,
        );
        // Three shared patterns, however many prose fields.
        let defs = sent["$defs"].as_object().unwrap();
        assert_eq!(defs.len(), 3, "{:?}", defs.keys());
        assert_eq!(
            sent.pointer("/properties/title/$ref").unwrap(),
            "#/$defs/prose_40"
        );
        assert_eq!(
            sent.pointer("/properties/summary/$ref").unwrap(),
            "#/$defs/prose_700"
        );
        // An optional field may stay empty.
        let details = sent.pointer("/properties/details").unwrap();
        assert_eq!(
            details["anyOf"][0],
            serde_json::json!({"const": ""}),
            "{details}"
        );
        for path in [
            "/properties/title",
            "/properties/details",
            "/properties/impacts/items",
            "/properties/key_points/items/properties/text",
        ] {
            let prop = sent.pointer(path).unwrap();
            assert!(prop.get("maxLength").is_none(), "{path}: {prop}");
            assert!(prop.to_string().contains("$defs/prose_"), "{path}: {prop}");
        }
        // Names stay names: a tag, a key point's label and an entity keep their lengths.
        for path in [
            "/properties/tags/items",
            "/properties/key_points/items/properties/label",
            "/properties/entities/items",
        ] {
            let prop = sent.pointer(path).unwrap();
            assert!(prop.get("$ref").is_none(), "{path}: {prop}");
            assert!(prop.get("maxLength").is_some(), "{path}: {prop}");
        }
        assert_eq!(sent.pointer("/properties/entities/maxItems").unwrap(), 10);
        let english = with_language_patterns(
            insight_schema(),
            INSIGHT_BOUNDS,
            INSIGHT_PROSE,
            Language::En,
        );
        assert!(english.pointer("/properties/headline/pattern").is_some());
        assert!(
            english
                .pointer("/properties/keywords/items/pattern")
                .is_none()
        );
        assert!(english.get("$defs").is_none());
    }

    #[test]
    fn entity_choices_come_from_the_names_given() {
        let names: Vec<String> = ["NVIDIA", "H300", "H200", "TSMC"]
            .map(String::from)
            .to_vec();
        let sent = with_entity_choices(card_schema(&sections()), &names);
        assert_eq!(sent.pointer("/properties/entities/maxItems").unwrap(), 4);
        assert_eq!(
            sent.pointer("/properties/entities/items/enum").unwrap(),
            &serde_json::json!(names)
        );
        // Too few names to choose three from: the grammar would repeat them.
        let two = with_entity_choices(card_schema(&sections()), &names[..2]);
        assert!(two.pointer("/properties/entities/items/enum").is_none());
    }

    #[test]
    fn bounds_inside_list_items_are_sent_checked_and_stated() {
        let schema = card_schema(&sections());
        let label = schema
            .pointer("/properties/key_points/items/properties/label")
            .unwrap();
        assert_eq!(label["maxLength"], 12);
        assert_eq!(label["type"], "string");
        assert_eq!(
            schema.pointer("/properties/key_points/maxItems").unwrap(),
            4
        );
        let mut card = good_card();
        card["key_points"] = serde_json::json!([{"label": "核心能力", "text": "長".repeat(161)}]);
        let err = validate_card(&card.to_string(), &sections()).unwrap_err();
        assert!(err.contains("/key_points/0/text: 161 characters"), "{err}");
        let fields = field_list(&schema);
        assert!(
            fields.contains("- key_points (at most 4 items, each label at most 12 characters, each text at most 160 characters)"),
            "{fields}"
        );
    }

    #[test]
    fn fitting_drops_long_items_cuts_lists_and_paragraphs() {
        let mut insight = serde_json::json!({
            "trend_summary": format!("{}。{}。", "甲".repeat(200), "乙".repeat(100)),
            "description": "長".repeat(150),
            "keywords": (0..15).map(|i| format!("k{i}")).collect::<Vec<_>>(),
            "background": [
                {"term": "長", "definition": "長".repeat(81)},
                {"term": "A", "definition": "短。"},
            ],
        });
        fit_to_bounds(&mut insight, INSIGHT_BOUNDS);
        assert_eq!(insight["trend_summary"], format!("{}。", "甲".repeat(200)));
        assert_eq!(
            insight["description"], "",
            "no sentence fits an optional paragraph"
        );
        assert_eq!(insight["keywords"].as_array().unwrap().len(), 10);
        assert_eq!(
            insight["background"],
            serde_json::json!([{"term": "A", "definition": "短。"}])
        );
        assert!(bound_problems(&insight, INSIGHT_BOUNDS).is_empty());
    }

    /// The real model's insight on the fixture day (2026-12-06): the server's grammar stopped a
    /// quick-read line and a reading note at their bounds mid-phrase.
    #[test]
    fn texts_the_grammar_cut_at_their_bound_are_cleared() {
        let mut insight = serde_json::json!({
            "headline": "多模態模型、推理框架和加速器的快速發展",
            "quick_read": [
                {"card": "s1", "tag": "深圳", "line": "深圳星步機器人發布Strider-H1人形機器人，售價9.9"},
                {"card": "s2", "tag": "AI", "line": "開源推理框架發布。"},
            ],
            "further_reading": [{"card": "s1", "why": "長".repeat(60)}],
            "tags": ["AI", "長".repeat(16)],
            "outlook": "長".repeat(160),
        });
        assert_eq!(clear_cut_texts(&mut insight, INSIGHT_BOUNDS), 4);
        assert_eq!(insight["quick_read"][0]["line"], "");
        assert_eq!(insight["quick_read"][1]["line"], "開源推理框架發布。");
        assert_eq!(insight["further_reading"][0]["why"], "");
        assert_eq!(insight["tags"], serde_json::json!(["AI"]));
        assert_eq!(insight["outlook"], "");
        // A required text stays: the validator and the prompt speak for it.
        assert_eq!(
            insight["headline"],
            "多模態模型、推理框架和加速器的快速發展"
        );
    }

    #[test]
    fn not_json_says_so() {
        let err = validate_card("I cannot do that.", &sections()).unwrap_err();
        assert!(err.contains("not valid JSON"), "{err}");
    }
}
