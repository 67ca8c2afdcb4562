//! The card and insight schemas in one place. In: the Rust types in `model.rs` and the configured
//! section ids; out: the strict-mode JSON Schema sent as `response_format`, the local validator
//! that every response goes through (whatever the provider promised), and the field list the
//! prompt shows. The validator's messages are written to be pasted into a repair re-ask.

use schemars::generate::SchemaSettings;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::model::{Card, Insight, KeywordCard, WeeklyOverview};
use crate::text::is_han;

/// A card title holds at most this many Han characters (DESIGN §4: "≤ 40 CJK chars")…
pub const TITLE_MAX_CJK_CHARS: usize = 40;
/// …and at most this many characters in all ("≤ 90 Latin chars").
pub const TITLE_MAX_LATIN_CHARS: usize = 90;
/// A card names 3 to 10 entities.
pub const ENTITIES_MIN: usize = 3;
pub const ENTITIES_MAX: usize = 10;

/// How long a string or list may be. One table per schema states every bound: the schema sent
/// to the model carries it (array bounds always, string lengths where the server honours them),
/// the prompt states it in words (`field_list`), and the validator enforces it whatever the
/// server did (`bound_problems`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// Characters of a string (`minLength`/`maxLength`).
    Chars { min: usize, max: usize },
    /// Items of a list (`minItems`/`maxItems`).
    Items { min: usize, max: usize },
    /// Characters of each string in a list.
    ItemChars { max: usize },
    /// Characters of the string `key` in each object of a list (a key point's `label`).
    ItemFieldChars { key: &'static str, max: usize },
}

/// A bound on one top-level property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bound {
    pub field: &'static str,
    pub limit: Limit,
}

const fn chars(field: &'static str, min: usize, max: usize) -> Bound {
    Bound {
        field,
        limit: Limit::Chars { min, max },
    }
}

const fn items(field: &'static str, min: usize, max: usize) -> Bound {
    Bound {
        field,
        limit: Limit::Items { min, max },
    }
}

const fn each(field: &'static str, max: usize) -> Bound {
    Bound {
        field,
        limit: Limit::ItemChars { max },
    }
}

const fn each_field(field: &'static str, key: &'static str, max: usize) -> Bound {
    Bound {
        field,
        limit: Limit::ItemFieldChars { key, max },
    }
}

/// The card's bounds. The string maxima sit well above what a good card needs (the extractive
/// baseline's longest on the fixture day: title 86, summary 373, details 437, scenarios 140
/// characters) and exist to stop a runaway answer: a 1.5B model once generated 1,100 of 1,200
/// tokens for one card because nothing bounded a string. The title's Han bound (40) is checked
/// locally; a schema cannot say "40 Han or 90 in all". The richer layouts' fields (short title,
/// tags, key points, impacts) are optional — the extractive baseline leaves them empty — and
/// kept short: together at most ~1,000 characters, so a full card stays within a 1,200-token
/// answer even when every field is at its bound in Latin text.
#[rustfmt::skip]
pub const CARD_BOUNDS: &[Bound] = &[
    chars("title", 1, TITLE_MAX_LATIN_CHARS),
    chars("summary", 1, 500),
    chars("details", 0, 700),
    chars("scenarios", 0, 300),
    chars("insight", 0, 500),
    items("entities", ENTITIES_MIN, ENTITIES_MAX),
    each("entities", 60),
    chars("short_title", 0, SHORT_TITLE_MAX_CHARS),
    items("tags", 0, 3),
    each("tags", 20),
    items("key_points", 0, 4),
    each_field("key_points", "label", 12),
    each_field("key_points", "text", 160),
    items("impacts", 0, 3),
    each("impacts", 100),
];

/// The quick-read headline's bound: seeds 001/004 keep theirs to 10-20 Chinese characters.
pub const SHORT_TITLE_MAX_CHARS: usize = 36;

/// The insight's bounds: the lists the validator checks (a quiet day with a handful of cards
/// still gets its insight, so the minima are low) and maxima that keep the whole answer within
/// one 1,200-token reply of a small model. A real 1.5B model (Qwen2.5-Coder-1.5B) ran past that
/// under the earlier, looser table — seven background terms and seven reading notes of ~100
/// characters each, quick-read lines of whole sentences — and its re-ask, carrying the cut-off
/// answer, overflowed the context. Below, every string at its bound adds up to about 2,000
/// characters; a typical answer is well under half of that. The extractive insight is fitted to
/// the same table (`fit_to_bounds`).
#[rustfmt::skip]
pub const INSIGHT_BOUNDS: &[Bound] = &[
    chars("headline", 1, 60),
    chars("description", 0, 100),
    chars("trend_summary", 1, 240),
    chars("tech_context", 0, 160),
    chars("outlook", 0, 160),
    items("tags", 0, 5),
    each("tags", 16),
    items("watchlist", 1, 5),
    each("watchlist", 100),
    items("keywords", 1, 10),
    each("keywords", 16),
    items("background", 0, 3),
    each_field("background", "term", 24),
    each_field("background", "definition", 80),
    items("further_reading", 0, 3),
    each_field("further_reading", "why", 60),
    items("quick_read", 0, 8),
    each_field("quick_read", "tag", 12),
    each_field("quick_read", "line", 30),
];

/// The most characters each string of the list `field` may have in `bounds`.
pub fn item_char_limit(bounds: &[Bound], field: &str) -> Option<usize> {
    bounds.iter().find_map(|b| match b.limit {
        Limit::ItemChars { max } if b.field == field => Some(max),
        _ => None,
    })
}

/// The most characters the card's text `field` may have (`CARD_BOUNDS`).
pub fn card_char_limit(field: &str) -> usize {
    CARD_BOUNDS
        .iter()
        .find_map(|b| match b.limit {
            Limit::Chars { max, .. } if b.field == field => Some(max),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no character bound for card field {field}"))
}

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

/// Writes `bounds` into a strict schema's top-level properties, in the keywords JSON Schema
/// uses (string lengths with an explicit `"type": "string"`, as llama.cpp's grammar converter
/// requires).
fn with_bounds(mut schema: Value, bounds: &[Bound]) -> Value {
    for bound in bounds {
        let Some(prop) = schema
            .pointer_mut(&format!("/properties/{}", bound.field))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        match bound.limit {
            Limit::Chars { min, max } => {
                prop.insert("type".into(), "string".into());
                prop.insert("minLength".into(), min.into());
                prop.insert("maxLength".into(), max.into());
            }
            Limit::Items { min, max } => {
                prop.insert("minItems".into(), min.into());
                prop.insert("maxItems".into(), max.into());
            }
            Limit::ItemChars { max } => {
                if let Some(item) = prop.get_mut("items").and_then(Value::as_object_mut) {
                    item.insert("type".into(), "string".into());
                    item.insert("maxLength".into(), max.into());
                }
            }
            Limit::ItemFieldChars { key, max } => {
                if let Some(item) = prop
                    .get_mut("items")
                    .and_then(|items| items.pointer_mut(&format!("/properties/{key}")))
                    .and_then(Value::as_object_mut)
                {
                    item.insert("type".into(), "string".into());
                    item.insert("maxLength".into(), max.into());
                }
            }
        }
    }
    schema
}

/// `schema` without string lengths, for servers whose structured-output mode does not list them
/// (OpenAI strict mode lists `minItems`/`maxItems` but no `minLength`/`maxLength`, and rejects a
/// schema it does not support). The validator still enforces them locally.
pub fn without_string_lengths(schema: &Value) -> Value {
    let mut schema = schema.clone();
    fn strip(value: &mut Value) {
        match value {
            Value::Object(map) => {
                map.remove("minLength");
                map.remove("maxLength");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut schema);
    schema
}

/// Every bound of `bounds` that `value` breaks, as "/field: …" messages a re-ask can quote.
pub fn bound_problems(value: &Value, bounds: &[Bound]) -> Vec<String> {
    let mut problems = Vec::new();
    for bound in bounds {
        let Some(field) = value.get(bound.field) else {
            continue;
        };
        match (bound.limit, field) {
            (Limit::Chars { min, max }, Value::String(text)) => {
                let count = text.trim().chars().count();
                if count < min {
                    problems.push(format!("/{}: must not be empty", bound.field));
                } else if count > max {
                    problems.push(format!(
                        "/{}: {count} characters is too long (at most {max})",
                        bound.field
                    ));
                }
            }
            (Limit::Items { min, max }, Value::Array(list)) => {
                // A blank string is no item: ["Qwen", " ", ""] names one entity, not three.
                let filled = list
                    .iter()
                    .filter(|item| item.as_str().is_none_or(|s| !s.trim().is_empty()))
                    .count();
                if !(min..=max).contains(&filled) {
                    problems.push(format!(
                        "/{}: has {filled} items, expected {min} to {max}",
                        bound.field
                    ));
                }
            }
            (Limit::ItemChars { max }, Value::Array(list)) => {
                for (i, item) in list.iter().enumerate() {
                    if let Some(text) = item.as_str()
                        && text.chars().count() > max
                    {
                        problems.push(format!(
                            "/{}/{i}: {} characters is too long (at most {max})",
                            bound.field,
                            text.chars().count()
                        ));
                    }
                }
            }
            (Limit::ItemFieldChars { key, max }, Value::Array(list)) => {
                for (i, item) in list.iter().enumerate() {
                    if let Some(text) = item.get(key).and_then(Value::as_str)
                        && text.chars().count() > max
                    {
                        problems.push(format!(
                            "/{}/{i}/{key}: {} characters is too long (at most {max})",
                            bound.field,
                            text.chars().count()
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    problems
}

/// `value` brought within `bounds` without a model, for writers that cannot be re-asked (the
/// extractive baseline): a list item that breaks its length bound is dropped, a list past its
/// maximum is cut, a string past its maximum is cut after its last whole sentence that fits (or
/// emptied when it may be empty and none fits). Minima are left to the validator.
pub fn fit_to_bounds(value: &mut Value, bounds: &[Bound]) {
    for bound in bounds {
        let Some(field) = value.get_mut(bound.field) else {
            continue;
        };
        match (bound.limit, field) {
            (Limit::Chars { min, max }, Value::String(text)) if text.chars().count() > max => {
                match cut_at_sentence(text, max) {
                    Some(cut) => *text = cut,
                    None if min == 0 => text.clear(),
                    None => *text = text.chars().take(max).collect(),
                }
            }
            (Limit::ItemChars { max }, Value::Array(list)) => {
                list.retain(|item| item.as_str().is_none_or(|t| t.chars().count() <= max));
            }
            (Limit::ItemFieldChars { key, max }, Value::Array(list)) => list.retain(|item| {
                item.get(key)
                    .and_then(Value::as_str)
                    .is_none_or(|t| t.chars().count() <= max)
            }),
            _ => {}
        }
    }
    // Lists are cut after their items are filtered, so a dropped item makes room for the next.
    for bound in bounds {
        if let (Limit::Items { max, .. }, Some(Value::Array(list))) =
            (bound.limit, value.get_mut(bound.field))
        {
            list.truncate(max);
        }
    }
}

/// Clears the optional texts of `value` that fill their bound to the character, and returns how
/// many it cleared. A grammar-constrained server (llama.cpp) stops a string at its `maxLength`
/// wherever the model is — 「售價9.9」, "with scores that put it at the" — and a small model
/// does not plan for the bound, so such a text was cut, not ended. An optional string is
/// emptied, an object's optional field too (a quick-read line, a reading note), an item of an
/// optional list goes; a required text stays for the validator and the prompt. Applied to the
/// insight; a card's cut short headline gives way to its title where it is shown (render view),
/// so the card check, and with it which cards a recorded night accepts, stays as it was.
pub fn clear_cut_texts(value: &mut Value, bounds: &[Bound]) -> usize {
    let optional_list = |field: &str| {
        bounds
            .iter()
            .any(|b| b.field == field && matches!(b.limit, Limit::Items { min: 0, .. }))
    };
    let fills = fills_bound;
    let mut cleared = 0;
    for bound in bounds {
        let list_optional = optional_list(bound.field);
        let Some(field) = value.get_mut(bound.field) else {
            continue;
        };
        match (bound.limit, field) {
            (Limit::Chars { min: 0, max }, Value::String(text)) if fills(text, max) => {
                text.clear();
                cleared += 1;
            }
            (Limit::ItemChars { max }, Value::Array(list)) if list_optional => {
                let before = list.len();
                list.retain(|item| item.as_str().is_none_or(|t| !fills(t, max)));
                cleared += before - list.len();
            }
            (Limit::ItemFieldChars { key, max }, Value::Array(list)) if list_optional => {
                for item in list.iter_mut() {
                    if let Some(Value::String(text)) = item.get_mut(key)
                        && fills(text, max)
                    {
                        text.clear();
                        cleared += 1;
                    }
                }
            }
            _ => {}
        }
    }
    cleared
}

/// Does `text` fill its bound of `max` characters to the last one? Then a grammar-constrained
/// server most likely stopped it there (see `clear_cut_texts`).
pub fn fills_bound(text: &str, max: usize) -> bool {
    text.trim().chars().count() >= max
}

/// `text` cut after its last sentence end within `max` characters; `None` when not even the
/// first sentence fits.
pub fn cut_at_sentence(text: &str, max: usize) -> Option<String> {
    let mut end = None;
    for (count, (at, c)) in text.char_indices().enumerate() {
        if count >= max {
            break;
        }
        if matches!(c, '。' | '！' | '？' | '.' | '!' | '?') {
            let next = at + c.len_utf8();
            // "3.5" and "e.g." are no sentence ends: a Latin stop must be followed by a space.
            let ends = c.len_utf8() > 1 || text[next..].starts_with(char::is_whitespace);
            if ends {
                end = Some(next);
            }
        }
    }
    end.map(|e| text[..e].trim_end().to_string())
}

/// The bound of `field` in words, for the prompt's field list: "(3-10 items)", "(at most 500
/// characters)".
fn bound_words(bounds: &[Bound], field: &str) -> String {
    let words: Vec<String> = bounds
        .iter()
        .filter(|b| b.field == field)
        .map(|b| match b.limit {
            Limit::Chars { max, .. } if field == "title" => format!(
                "at most {TITLE_MAX_CJK_CHARS} Chinese characters or {max} Latin characters"
            ),
            Limit::Chars { min: 0, max } => format!("at most {max} characters; may be empty"),
            Limit::Chars { max, .. } => format!("at most {max} characters"),
            Limit::Items { min, max } if min == max => format!("exactly {min} items"),
            Limit::Items { min: 0, max } => format!("at most {max} items"),
            Limit::Items { min, max } => format!("{min} to {max} items"),
            Limit::ItemChars { max } => format!("each at most {max} characters"),
            Limit::ItemFieldChars { key, max } => format!("each {key} at most {max} characters"),
        })
        .collect();
    if words.is_empty() {
        String::new()
    } else {
        format!(" ({})", words.join(", "))
    }
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
