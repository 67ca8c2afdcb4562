//! The card check's local repairs: what needs no model is fixed here, in order, and each kind
//! applied is noted (`LocalRepair`) for the run summary and manifest.

use serde_json::Value;

use super::{
    CardCheck, LocalRepair, OPTIONAL_LISTS, OPTIONAL_TEXT, convert_other_script, is_placeholder,
    script_fields, texts_mut,
};
use crate::llm::blocks::BlockArticle;
use crate::llm::schema::{
    CARD_BOUNDS, CARD_PROSE, ENTITIES_MAX, ENTITIES_MIN, Limit, title_char_limit,
    title_within_bounds,
};
use crate::model::Language;
use crate::text::lang::written_in;
use crate::text::numbers::Stated;
use crate::text::sentences::cut_at_sentence;

/// The local repairs, in order: each step notes the kinds it applied.
/// `stated`: the quantities the articles state (`article_quantities`).
pub(super) fn repair(
    value: &mut Value,
    check: &CardCheck,
    stated: &Stated,
    repairs: &mut Vec<LocalRepair>,
) {
    add_missing_richer_fields(value);
    normalize_choices(value, check, repairs);
    convert_scripts_and_placeholders(value, check.language, repairs);
    cut_overlong_texts(value, repairs);
    correct_misconverted_figures(value, stated, check.language, repairs);
    drop_invented_numbers(value, stated, repairs);
    if let Some(Value::Array(list)) = value.get_mut("entities") {
        repairs.extend(repair_entities(list, check));
    }
    if check.translates {
        clear_foreign_optional_prose(value, check.language, repairs);
    }
    for field in OPTIONAL_LISTS {
        if let Some(Value::Array(list)) = value.get_mut(field) {
            // A key point without its label or its text is no point.
            list.retain_mut(|item| texts_mut(item).iter().all(|t| !t.trim().is_empty()));
        }
    }
}

/// A reply without the richer layouts' fields (a model in prompt mode that skipped them, an
/// answer recorded before they existed) has none of them to show: empty, not re-asked.
fn add_missing_richer_fields(value: &mut Value) {
    if let Some(map) = value.as_object_mut() {
        for field in ["short_title", "tags", "key_points", "impacts"] {
            let empty = if field == "short_title" {
                Value::String(String::new())
            } else {
                Value::Array(Vec::new())
            };
            map.entry(field).or_insert(empty);
        }
    }
}

/// `importance` in the enum's own spelling; a section outside the configured ids matched
/// case-insensitively, else the lexical card's.
fn normalize_choices(value: &mut Value, check: &CardCheck, repairs: &mut Vec<LocalRepair>) {
    if let Some(Value::String(importance)) = value.get_mut("importance")
        && normalize_importance(importance)
    {
        repairs.push(LocalRepair::ImportanceNormalized);
    }
    if let Some(Value::String(section)) = value.get_mut("section")
        && !check.section_ids.contains(section)
    {
        let lowered = section.trim().to_lowercase();
        *section = check
            .section_ids
            .iter()
            .find(|id| id.to_lowercase() == lowered)
            .unwrap_or(&check.lexical.card().section)
            .clone();
        repairs.push(LocalRepair::SectionReplaced);
    }
}

/// Every reader-facing text in the target's Chinese script; placeholders in optional fields
/// emptied.
fn convert_scripts_and_placeholders(
    value: &mut Value,
    language: Language,
    repairs: &mut Vec<LocalRepair>,
) {
    for field in script_fields() {
        let optional = OPTIONAL_TEXT.contains(&field) || OPTIONAL_LISTS.contains(&field);
        for text in value.get_mut(field).map(texts_mut).unwrap_or_default() {
            if convert_other_script(text, language) {
                repairs.push(LocalRepair::ScriptConverted);
            }
            if optional && is_placeholder(text) {
                text.clear();
                repairs.push(LocalRepair::PlaceholderCleared);
            }
        }
    }
}

/// A title too long by a clause cut at the clause, prose past its bound cut at a sentence, an
/// optional text still too long dropped.
fn cut_overlong_texts(value: &mut Value, repairs: &mut Vec<LocalRepair>) {
    if let Some(Value::String(title)) = value.get_mut("title")
        && !title_within_bounds(title)
        && let Some(cut) = cut_title(title)
    {
        *title = cut;
        repairs.push(LocalRepair::TitleCut);
    }
    for bound in CARD_BOUNDS {
        if let (Limit::Chars { max, .. }, Some(Value::String(text))) =
            (bound.limit, value.get_mut(bound.field))
            && bound.field != "title"
            && text.chars().count() > max
            && let Some(cut) = cut_at_sentence(text, max)
        {
            *text = cut;
            repairs.push(LocalRepair::TextCut);
        }
    }
    if drop_overlong_optional_text(value) {
        repairs.push(LocalRepair::OptionalTextDropped);
    }
}

/// A figure the model converted to the wrong unit (the article's 7.3B written 7.3億 — the
/// article's mantissa, a power of ten off) is the article's figure in the digest's units, in any
/// prose field: arithmetic needs no re-ask. On the fixture day recorded 2026-12-07 one such summary
/// stayed wrong after its re-ask, even with "7.3B = 73億" in the prompt, and the topic fell back.
fn correct_misconverted_figures(
    value: &mut Value,
    stated: &Stated,
    language: Language,
    repairs: &mut Vec<LocalRepair>,
) {
    for field in script_fields() {
        for text in value.get_mut(field).map(texts_mut).unwrap_or_default() {
            if let Some(corrected) = stated.with_conversions_corrected(text, language) {
                *text = corrected;
                repairs.push(LocalRepair::FigureUnitCorrected);
            }
        }
    }
}

/// Optional prose holds no number the articles do not state: a sentence of an optional text that
/// states one is dropped, and so is a key point or an impact. (Title and summary are re-asked:
/// `topic_problems`.) A 1.5B model wrote "2026年第二季度上市" four times into one card whose
/// articles give no year.
fn drop_invented_numbers(value: &mut Value, stated: &Stated, repairs: &mut Vec<LocalRepair>) {
    let invents = |text: &str| !stated.invented(text).is_empty();
    for field in OPTIONAL_TEXT {
        if let Some(Value::String(text)) = value.get_mut(field)
            && invents(text)
        {
            let kept: String = crate::text::sentences::spans(text)
                .into_iter()
                .filter(|sentence| !invents(sentence))
                .collect();
            *text = kept.trim().to_string();
            repairs.push(LocalRepair::InventedNumberDropped);
        }
    }
    for field in OPTIONAL_LISTS {
        if let Some(Value::Array(items)) = value.get_mut(field) {
            let before = items.len();
            items.retain_mut(|item| texts_mut(item).iter().all(|t| !invents(t)));
            if items.len() < before {
                repairs.push(LocalRepair::InventedNumberDropped);
            }
        }
    }
}

/// Once title and summary are in the digest's language, the optional prose (`CARD_PROSE` past
/// title and summary) is held to it: what is left in another language is emptied.
/// "key_points/text" names the text of each key point (its label may well be a name: "API").
fn clear_foreign_optional_prose(
    value: &mut Value,
    language: Language,
    repairs: &mut Vec<LocalRepair>,
) {
    let in_language = |field: &str| {
        value
            .get(field)
            .and_then(Value::as_str)
            .is_some_and(|t| written_in(t, language))
    };
    if !(in_language("title") && in_language("summary")) {
        return;
    }
    for path in CARD_PROSE
        .iter()
        .filter(|p| !matches!(**p, "title" | "summary"))
    {
        let (field, key) = path
            .split_once('/')
            .map_or((*path, None), |(f, k)| (f, Some(k)));
        let prose = value.get_mut(field).map(|v| match key {
            Some(key) if v.is_array() => v
                .as_array_mut()
                .into_iter()
                .flatten()
                .filter_map(|item| item.get_mut(key))
                .flat_map(texts_mut)
                .collect(),
            _ => texts_mut(v),
        });
        for text in prose.unwrap_or_default() {
            if !text.trim().is_empty() && !written_in(text, language) {
                text.clear();
                repairs.push(LocalRepair::ForeignTextCleared);
            }
        }
    }
}

/// Empties the optional texts still over their bound once sentence cuts were tried (`TextCut`): a
/// short headline, or an impact or key point, is too short to cut at a sentence, and the card is
/// whole without it (the layouts fall back to the title and omit empty parts). Why: under a
/// grammar that bounds Han characters rather than characters, the real model wrote a 44-character
/// short title and a 228-character impact, and repeated both when re-asked; the card went to the
/// extractive fallback for a field a reader can do without. True when something was emptied.
fn drop_overlong_optional_text(value: &mut Value) -> bool {
    let mut dropped = false;
    for bound in CARD_BOUNDS {
        let Some(field) = value.get_mut(bound.field) else {
            continue;
        };
        match (bound.limit, field) {
            (Limit::Chars { min: 0, max }, Value::String(text)) if text.chars().count() > max => {
                text.clear();
                dropped = true;
            }
            (Limit::ItemChars { max }, Value::Array(items)) if bound.field != "entities" => {
                let before = items.len();
                items.retain(|item| item.as_str().is_none_or(|t| t.chars().count() <= max));
                dropped |= items.len() < before;
            }
            (Limit::ItemFieldChars { key, max }, Value::Array(items)) => {
                let before = items.len();
                items.retain(|item| {
                    item.get(key)
                        .and_then(Value::as_str)
                        .is_none_or(|t| t.chars().count() <= max)
                });
                dropped |= items.len() < before;
            }
            _ => {}
        }
    }
    dropped
}

/// Maps the case and the common synonyms of an importance to `high`, `medium` or `low`; true when
/// it changed the text.
fn normalize_importance(importance: &mut String) -> bool {
    let lowered = importance.trim().to_lowercase();
    let canonical = match lowered.as_str() {
        "high" | "高" | "重要" | "很高" | "critical" | "major" | "very high" => "high",
        "medium" | "中" | "中等" | "moderate" | "normal" | "mid" | "average" => "medium",
        "low" | "低" | "minor" | "較低" | "较低" => "low",
        _ => return false,
    };
    if importance == canonical {
        return false;
    }
    *importance = canonical.to_string();
    true
}

/// Distinct, non-blank names the articles show, at most ten; completed from the lexical card when
/// fewer than three are left. Returns the repairs made.
fn repair_entities(list: &mut Vec<Value>, check: &CardCheck) -> Vec<LocalRepair> {
    if list.iter().any(|v| !v.is_string()) {
        return Vec::new(); // the schema check reports it
    }
    let haystack = article_text(check.articles);
    let mut kept: Vec<String> = Vec::new();
    let (mut dropped_repeat, mut dropped_ungrounded) = (false, false);
    for name in list.iter().filter_map(Value::as_str) {
        let name = name.trim();
        if name.is_empty() || kept.iter().any(|k| same_name(k, name)) {
            dropped_repeat = true;
        } else if !names_in(&haystack, name) {
            dropped_ungrounded = true;
        } else {
            kept.push(name.to_string());
        }
    }
    let mut repairs = Vec::new();
    let mut completed = false;
    for name in &check.lexical.card().entities {
        if kept.len() >= ENTITIES_MIN {
            break;
        }
        if !kept.iter().any(|k| same_name(k, name)) {
            kept.push(name.clone());
            completed = true;
        }
    }
    if kept.len() > ENTITIES_MAX {
        kept.truncate(ENTITIES_MAX);
        dropped_repeat = true;
    }
    if !dropped_repeat && !dropped_ungrounded && !completed {
        return repairs;
    }
    if dropped_repeat {
        repairs.push(LocalRepair::EntitiesTrimmed);
    }
    if dropped_ungrounded {
        repairs.push(LocalRepair::EntitiesUngrounded);
    }
    if completed {
        repairs.push(LocalRepair::EntitiesCompleted);
    }
    *list = kept.into_iter().map(Value::String).collect();
    repairs
}

/// The articles' titles and texts, lower-cased and folded to one Chinese script, for grounding.
fn article_text(articles: &[BlockArticle]) -> String {
    let joined: String = articles
        .iter()
        .flat_map(|a| [a.title.as_str(), "\n", a.text.as_str(), "\n"])
        .collect();
    fold(&joined)
}

fn fold(text: &str) -> String {
    crate::text::script::fold_to_simplified(&text.to_lowercase())
}

fn same_name(a: &str, b: &str) -> bool {
    fold(a.trim()) == fold(b.trim())
}

/// Whether the folded `haystack` names `name` as written (case and script aside).
fn names_in(haystack: &str, name: &str) -> bool {
    let needle = fold(name.trim());
    !needle.is_empty() && haystack.contains(&needle)
}

/// The longest prefix of `title` that ends at a clause boundary, fits the bound and still says
/// something (at least half the bound's length); `None` when no such cut exists, and the title is
/// re-asked instead.
fn cut_title(title: &str) -> Option<String> {
    const BOUNDARIES: [&str; 12] = [
        "：", ": ", "——", " — ", " – ", " - ", "｜", " | ", "，", ", ", "；", "; ",
    ];
    let title = title.trim();
    let mut best: Option<&str> = None;
    for boundary in BOUNDARIES {
        for (at, _) in title.match_indices(boundary) {
            let head = title[..at].trim_end();
            if title_within_bounds(head) && best.is_none_or(|b| head.len() > b.len()) {
                best = Some(head);
            }
        }
    }
    let head = best?;
    (head.chars().count() * 2 >= title_char_limit(head)).then(|| head.to_string())
}
