//! The bounds the card and insight validators enforce, one table per object: each field's item
//! count, character length or per-item length. In: a field name or a parsed reply; out: the
//! limit, the schema keywords that state it (`with_bounds`), the problems of a reply against it,
//! and the local repairs that bring a value within it. `schema.rs` sends and validates with these.

use crate::text::sentences::cut_at_sentence;
use serde_json::Value;

use crate::model::Language;
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

/// A more-news line longer than this is a summary, not a line (the seeds' 更多動態 items run
/// 15–60 characters).
pub const MORE_LINE_MAX_CHARS: usize = 120;

/// The more-news answer's bounds: a real 1.5B model wrote English "lines" of 290 and 350
/// characters when nothing in the schema said otherwise.
pub const MORE_BOUNDS: &[Bound] = &[each_field("lines", "line", MORE_LINE_MAX_CHARS)];

/// The more-news answer's field written in the digest's language.
pub const MORE_PROSE: &[&str] = &["lines/line"];

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

/// The subschema `bound` constrains: the property itself for `Chars` and `Items`, its items'
/// schema for `ItemChars`, the key's schema inside its items for `ItemFieldChars`.
fn bounded_schema<'a>(
    schema: &'a mut Value,
    bound: &Bound,
) -> Option<&'a mut serde_json::Map<String, Value>> {
    let prop = schema.pointer_mut(&format!("/properties/{}", bound.field))?;
    let target = match bound.limit {
        Limit::Chars { .. } | Limit::Items { .. } => prop,
        Limit::ItemChars { .. } => prop.get_mut("items")?,
        Limit::ItemFieldChars { key, .. } => prop
            .get_mut("items")?
            .pointer_mut(&format!("/properties/{key}"))?,
    };
    target.as_object_mut()
}

/// Writes `bounds` into a strict schema's top-level properties, in the keywords JSON Schema
/// uses (string lengths with an explicit `"type": "string"`, as llama.cpp's grammar converter
/// requires).
pub(crate) fn with_bounds(mut schema: Value, bounds: &[Bound]) -> Value {
    for bound in bounds {
        let Some(target) = bounded_schema(&mut schema, bound) else {
            continue;
        };
        let (min, max) = match bound.limit {
            Limit::Items { min, max } => {
                target.insert("minItems".into(), min.into());
                target.insert("maxItems".into(), max.into());
                continue;
            }
            Limit::Chars { min, max } => (Some(min), max),
            Limit::ItemChars { max } | Limit::ItemFieldChars { max, .. } => (None, max),
        };
        target.insert("type".into(), "string".into());
        if let Some(min) = min {
            target.insert("minLength".into(), min.into());
        }
        target.insert("maxLength".into(), max.into());
    }
    schema
}

/// The card's fields written in the digest's language. Tags are not ("AI Agent" is a tag in a
/// Chinese digest too), nor is a key point's label, which may well be a name ("MoE"): its text is.
pub const CARD_PROSE: &[&str] = &[
    "title",
    "summary",
    "details",
    "scenarios",
    "insight",
    "short_title",
    "key_points/text",
    "impacts",
];

/// The insight's fields written in the digest's language (tags and keywords are names).
pub const INSIGHT_PROSE: &[&str] = &[
    "headline",
    "description",
    "trend_summary",
    "tech_context",
    "outlook",
    "watchlist",
    "background/definition",
    "further_reading/why",
    "quick_read/line",
];

/// The Han blocks `text::is_han` counts that a small model writes (URO and extension A).
const HAN_BLOCKS: [(char, char); 2] = [('㐀', '䶿'), ('一', '鿿')];
/// A name may open a Chinese text ("NVIDIA 推出…", "Qwen2.5-Coder-1.5B 開源…"): one Latin
/// word of at most this many characters, then a space or not, then Han.
const LEADING_NAME_MAX_CHARS: usize = 32;
/// The longest run of non-Han characters after a Han character: room for a model name, a figure
/// with its unit or a short English term, never for an English sentence.
const NON_HAN_RUN_MAX_CHARS: usize = 30;
/// The Han-count bounds the patterns are made for: each prose field takes the smallest that holds
/// its character bound, so a request carries three shared patterns however many fields it has.
/// Chosen while a pattern carried a class of several kilobytes (see `han_prose_pattern`); each is
/// now about 150 bytes, so exact per-field bounds would cost little, but they change every cached
/// request and the recorded cassette. The field's own bound stays with the local validator.
const PATTERN_SIZES: [usize; 3] = [40, 160, 700];

/// The Han blocks as the ranges of a regex character class.
fn han_ranges() -> String {
    HAN_BLOCKS.iter().map(|(s, e)| format!("{s}-{e}")).collect()
}

/// The Han blocks as a regex character class.
fn han_class() -> String {
    format!("[{}]", han_ranges())
}

/// Any character a grammar may emit raw inside a JSON string except Han and `excluded`: `"` and
/// `\` are left out because a grammar emits string content as it is (prose needs neither;
/// Chinese quotes are 「」), and so are line breaks and tabs.
fn non_han_class(excluded: &str) -> String {
    format!("[^\"\\\\\\n\\r\\t{excluded}{}]", han_ranges())
}

/// How much a Chinese prose field may say, as its grammar holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProseShape {
    /// Any number of sentences.
    Free,
    /// One sentence: no sentence end inside, at most one at the end (a key point, an impact).
    OneSentence,
    /// One clause: no comma or sentence end at all (the quick-read headline).
    OneClause,
}

impl ProseShape {
    /// The shape of the prose field `name` ("key_points/text"). Why: with the Han count alone
    /// bounded, Qwen2.5-Coder-1.5B wrote quick-read headlines of two clauses (37-65 characters of
    /// 36) and key points of three sentences (204 of 160) in 4 of the 30 eval cards, each dropped
    /// locally; where the model would write the comma or the second sentence, the grammar now
    /// only lets it end the string.
    pub fn of(name: &str) -> Self {
        match name {
            "short_title" => ProseShape::OneClause,
            "key_points/text" | "impacts" => ProseShape::OneSentence,
            _ => ProseShape::Free,
        }
    }

    fn label(self) -> &'static str {
        match self {
            ProseShape::Free => "prose",
            ProseShape::OneSentence => "sentence",
            ProseShape::OneClause => "clause",
        }
    }

    /// The characters the shape keeps out of a run between Han characters, and the pattern's end.
    fn excluded_and_end(self) -> (&'static str, &'static str) {
        match self {
            ProseShape::Free => ("", ""),
            ProseShape::OneSentence => ("。！？；", "[。！？]?"),
            ProseShape::OneClause => ("，。；：！？", ""),
        }
    }
}

/// A JSON Schema `pattern` for Chinese prose with at most `max_han` Han characters: it opens in
/// Han (after at most one leading name) and every Han character is followed by at most
/// `NON_HAN_RUN_MAX_CHARS` others. Why: the model follows its articles' language, not the
/// prompt's — Qwen2.5-Coder-1.5B wrote English cards for a 繁體中文 digest from English articles,
/// and a grammar that demanded Han only somewhere made it switch mid-word ("…Inference Chip
/// Ann诏"); made to choose at the first word, it wrote "NVIDIA 推出 H300 預測芯片…" (llama-server,
/// 2026-12-06). The script is not constrained: leaving the 500 most frequent Simplified-only
/// characters out of a zh-Hant class did make that model write Traditional, but a class of 500
/// holes is checked range by range on every rejected token and generation fell from ~10 to ~3.4
/// tokens/s (leaving them out of only the first four Han characters changed nothing after them),
/// so the other script is converted locally instead (`LocalRepair::ScriptConverted`).
pub fn han_prose_pattern(max_han: usize, shape: ProseShape) -> String {
    let lead = format!("(?:[A-Za-z0-9.\\-]{{1,{LEADING_NAME_MAX_CHARS}}} ?)?");
    let (excluded, end) = shape.excluded_and_end();
    format!(
        "^{lead}(?:{han}{other}{{0,{run}}}){{1,{max_han}}}{end}$",
        han = han_class(),
        other = non_han_class(excluded),
        run = NON_HAN_RUN_MAX_CHARS,
    )
}

/// A JSON Schema `pattern` for an English prose string of `min` to `max` characters: no Han
/// character at all (the same model answered an English digest from Chinese sources in Chinese).
pub fn latin_prose_pattern(min: usize, max: usize) -> String {
    let other = non_han_class("");
    format!("^{other}{{{min},{max}}}$")
}

/// `schema` (with `bounds` written in) with every string of `prose` held to `language` in place
/// of its length keywords, for servers that turn the schema into a grammar
/// (`provider.string_lengths`): a grammar converter takes a `pattern` before any length, so the
/// pattern carries a bound. Chinese prose refers to one of a few shared `$defs` patterns
/// (`han_prose_pattern`; an optional field may also be ""); English prose gets
/// `latin_prose_pattern`. The validator still checks every bound and the
/// language locally.
pub fn with_language_patterns(
    mut schema: Value,
    bounds: &[Bound],
    prose: &[&str],
    language: Language,
) -> Value {
    let mut defs = serde_json::Map::new();
    for bound in bounds {
        let (name, min, max) = match bound.limit {
            Limit::Chars { min, max } => (bound.field.to_string(), min, max),
            Limit::ItemChars { max } => (bound.field.to_string(), 0, max),
            Limit::ItemFieldChars { key, max } => (format!("{}/{key}", bound.field), 0, max),
            Limit::Items { .. } => continue,
        };
        if !prose.contains(&name.as_str()) {
            continue;
        }
        let Some(target) = bounded_schema(&mut schema, bound) else {
            continue;
        };
        target.remove("minLength");
        target.remove("maxLength");
        if !language.is_chinese() {
            target.insert("pattern".into(), latin_prose_pattern(min, max).into());
            continue;
        }
        // A card title may hold 90 characters, but only 40 of them Han.
        let han_max = if bound.field == "title" {
            max.min(TITLE_MAX_CJK_CHARS)
        } else {
            max
        };
        let size = PATTERN_SIZES
            .into_iter()
            .find(|&s| s >= han_max)
            .unwrap_or(han_max);
        let shape = ProseShape::of(&name);
        let def = format!("{}_{size}", shape.label());
        defs.entry(def.clone()).or_insert_with(
            || serde_json::json!({"type": "string", "pattern": han_prose_pattern(size, shape)}),
        );
        let reference = serde_json::json!({ "$ref": format!("#/$defs/{def}") });
        target.remove("type");
        if min == 0 {
            target.insert(
                "anyOf".into(),
                serde_json::json!([{"const": ""}, reference]),
            );
        } else {
            target.extend(reference.as_object().cloned().unwrap_or_default());
        }
    }
    if !defs.is_empty()
        && let Some(root) = schema.as_object_mut()
    {
        root.insert("$defs".into(), Value::Object(defs));
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

/// The bound of `field` in words, for the prompt's field list: "(3-10 items)", "(at most 500
/// characters)".
pub(crate) fn bound_words(bounds: &[Bound], field: &str) -> String {
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
