//! The card stage's acceptance check. In: a model's reply for one topic, the topic's articles, the
//! configured sections, the digest's language and the lexical card for the same articles (the
//! extractive baseline's); out: a `Card` plus the local repairs that made it acceptable, or the
//! list of field problems a targeted re-ask quotes.
//!
//! What lint would reject after the run is rejected here, while a re-ask can still fix it: the
//! wrong language, a headline copied from a source in another language, a summary that repeats
//! the title, placeholders. What needs no model is repaired here and counted: extra, repeated or
//! ungrounded entities, the case or a synonym of an enum value, a section outside the configured
//! ids, a title too long by a clause, prose past its bound by a sentence, the other Chinese
//! script, placeholder text in an optional field.

use std::sync::OnceLock;

use serde_json::Value;

use crate::llm::blocks::{BlockArticle, CardContext};
use crate::llm::extractive::card_from_articles;
use crate::llm::schema::{
    CARD_BOUNDS, CARD_PROSE, ENTITIES_MAX, ENTITIES_MIN, Limit, bound_problems, card_schema,
    cut_at_sentence, parse_reply, structure_problems, title_char_limit, title_han_problem,
    title_within_bounds,
};
use crate::model::{Card, Language};
use crate::text::lang::written_in;
use crate::text::{detect_language, to_script, wrong_script_chars};

/// One kind of local repair; the run summary and manifest count each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LocalRepair {
    /// Entities past the tenth, repeated or blank were dropped.
    EntitiesTrimmed,
    /// Entities the articles do not name were dropped.
    EntitiesUngrounded,
    /// Too few entities were left: names the articles do show were added from the lexical card.
    EntitiesCompleted,
    /// `High`, `高`, `critical`… mapped to the enum's own spelling.
    ImportanceNormalized,
    /// A section outside the configured ids took the lexical card's section.
    SectionReplaced,
    /// A title over its bound was cut at a clause boundary.
    TitleCut,
    /// Prose over its bound was cut at a sentence end.
    TextCut,
    /// Han characters in the other Chinese script were converted.
    ScriptConverted,
    /// An optional field holding a placeholder ("N/A", "無") was emptied.
    PlaceholderCleared,
    /// An optional text still over its bound after a sentence cut (a short headline, an impact,
    /// a key point) was emptied or dropped from its list.
    OptionalTextDropped,
    /// An optional field (details, scenarios, insight) left in the articles' language while
    /// title and summary are in the digest's was emptied: a card with less beats a card in two
    /// languages, and beats the extractive fallback, which is all in the articles' language.
    ForeignTextCleared,
}

impl LocalRepair {
    /// The name manifests and summaries use.
    pub fn name(self) -> &'static str {
        match self {
            LocalRepair::EntitiesTrimmed => "entities_trimmed",
            LocalRepair::EntitiesUngrounded => "entities_ungrounded",
            LocalRepair::EntitiesCompleted => "entities_completed",
            LocalRepair::ImportanceNormalized => "importance_normalized",
            LocalRepair::SectionReplaced => "section_replaced",
            LocalRepair::TitleCut => "title_cut",
            LocalRepair::TextCut => "text_cut",
            LocalRepair::ScriptConverted => "script_converted",
            LocalRepair::PlaceholderCleared => "placeholder_cleared",
            LocalRepair::OptionalTextDropped => "optional_text_dropped",
            LocalRepair::ForeignTextCleared => "foreign_text_cleared",
        }
    }
}

/// What the check needs to know about the topic.
pub struct CardCheck<'a> {
    pub section_ids: &'a [String],
    pub language: Language,
    /// Hold the card to the digest's language (a model); the extractive baseline cannot
    /// translate, and lint warns about its cards instead.
    pub translates: bool,
    pub language_name: &'a str,
    pub articles: &'a [BlockArticle],
    /// The extractive card for the same articles: its section and names stand in for the model's
    /// when those cannot be used.
    pub lexical: &'a Lexical<'a>,
}

/// The extractive card for a topic's articles, made on first need: a cache hit whose card needs
/// no stand-in never pays for it (it costs more than the check itself).
pub struct Lexical<'a> {
    articles: &'a [BlockArticle],
    context: Option<&'a CardContext>,
    card: OnceLock<Card>,
}

impl<'a> Lexical<'a> {
    pub fn new(articles: &'a [BlockArticle], context: &'a CardContext) -> Self {
        Lexical {
            articles,
            context: Some(context),
            card: OnceLock::new(),
        }
    }

    /// A lexical card already made (tests, callers that have one).
    pub fn ready(card: Card) -> Self {
        Lexical {
            articles: &[],
            context: None,
            card: OnceLock::from(card),
        }
    }

    pub fn card(&self) -> &Card {
        self.card.get_or_init(|| {
            let context = self
                .context
                .expect("a Lexical without a card has a context");
            card_from_articles(self.articles, context)
        })
    }

    pub fn into_card(self) -> Card {
        self.card();
        self.card.into_inner().expect("made above")
    }
}

/// An accepted card and what was repaired locally to accept it.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub card: Card,
    pub repairs: Vec<LocalRepair>,
}

/// Text fields a placeholder may empty (the schema allows them empty).
const OPTIONAL_TEXT: [&str; 4] = ["details", "scenarios", "insight", "short_title"];
/// Optional lists of text (strings, or objects of strings): an item a repair empties goes.
const OPTIONAL_LISTS: [&str; 3] = ["tags", "key_points", "impacts"];
/// Fields whose texts are written in the digest's script: the prose (`CARD_PROSE`, each field
/// whole — a key point's label too) and the tags, which may be names but are converted all the same.
fn script_fields() -> impl Iterator<Item = &'static str> {
    CARD_PROSE
        .iter()
        .map(|path| path.split('/').next().unwrap_or(path))
        .chain(["tags"])
}

/// Checks `content` for the topic `check` describes: local repairs first, then the schema and its
/// bounds, then the topic's rules. `Err` lists every remaining problem as "/field: what to change".
pub fn check_card(content: &str, check: &CardCheck) -> Result<Checked, Vec<String>> {
    let mut value = parse_reply(content).map_err(|e| vec![format!("(root): {e}")])?;
    let mut repairs = Vec::new();
    if value.is_object() {
        repair(&mut value, check, &mut repairs);
    }
    let schema = card_schema(check.section_ids);
    let mut problems = structure_problems(&value, &schema).map_err(|e| vec![e])?;
    problems.extend(bound_problems(&value, CARD_BOUNDS));
    if let Some(problem) = value
        .get("title")
        .and_then(Value::as_str)
        .and_then(title_han_problem)
    {
        problems.push(problem);
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let card: Card = serde_json::from_value(value).map_err(|e| {
        vec![format!(
            "(root): the reply does not match the card's fields: {e}"
        )]
    })?;
    let problems = if check.translates {
        topic_problems(&card, check)
    } else {
        Vec::new()
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    repairs.sort();
    repairs.dedup();
    Ok(Checked { card, repairs })
}

fn repair(value: &mut Value, check: &CardCheck, repairs: &mut Vec<LocalRepair>) {
    let mut note = |happened: bool, kind: LocalRepair| {
        if happened {
            repairs.push(kind);
        }
    };
    // A reply without the richer layouts' fields (a model in prompt mode that skipped them, an
    // answer recorded before they existed) has none of them to show: empty, not re-asked.
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
    if let Some(Value::String(importance)) = value.get_mut("importance") {
        note(
            normalize_importance(importance),
            LocalRepair::ImportanceNormalized,
        );
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
        note(true, LocalRepair::SectionReplaced);
    }
    for field in script_fields() {
        let optional = OPTIONAL_TEXT.contains(&field) || OPTIONAL_LISTS.contains(&field);
        for text in value.get_mut(field).map(texts_mut).unwrap_or_default() {
            note(
                convert_other_script(text, check.language),
                LocalRepair::ScriptConverted,
            );
            if optional && is_placeholder(text) {
                text.clear();
                note(true, LocalRepair::PlaceholderCleared);
            }
        }
    }
    if let Some(Value::String(title)) = value.get_mut("title")
        && !title_within_bounds(title)
        && let Some(cut) = cut_title(title)
    {
        *title = cut;
        note(true, LocalRepair::TitleCut);
    }
    for bound in CARD_BOUNDS {
        if let (Limit::Chars { max, .. }, Some(Value::String(text))) =
            (bound.limit, value.get_mut(bound.field))
            && bound.field != "title"
            && text.chars().count() > max
            && let Some(cut) = cut_at_sentence(text, max)
        {
            *text = cut;
            note(true, LocalRepair::TextCut);
        }
    }
    note(
        drop_overlong_optional_text(value),
        LocalRepair::OptionalTextDropped,
    );
    if let Some(Value::Array(list)) = value.get_mut("entities") {
        for kind in repair_entities(list, check) {
            note(true, kind);
        }
    }
    if check.translates {
        let in_language = |field: &str| {
            value
                .get(field)
                .and_then(Value::as_str)
                .is_some_and(|t| written_in(t, check.language))
        };
        if in_language("title") && in_language("summary") {
            // The optional prose (`CARD_PROSE` past title and summary) is held to the
            // digest's language once title and summary are in it; "key_points/text" names the
            // text of each key point (its label may well be a name: "API", "MoE").
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
                    if !text.trim().is_empty() && !written_in(text, check.language) {
                        text.clear();
                        note(true, LocalRepair::ForeignTextCleared);
                    }
                }
            }
        }
    }
    for field in OPTIONAL_LISTS {
        if let Some(Value::Array(list)) = value.get_mut(field) {
            // A key point without its label or its text is no point.
            list.retain_mut(|item| texts_mut(item).iter().all(|t| !t.trim().is_empty()));
        }
    }
}

/// Every string a reader sees in a field's value: the string itself, each string of a list,
/// each string of a list's objects.
/// `text` in the target's Chinese script when it holds characters of the other one (Taiwan forms
/// and phrases for zh-Hant, `to_script`); true when it changed. English targets are left alone.
/// The one rule a card's and an insight's texts go through (`ScriptConverted`).
pub(super) fn convert_other_script(text: &mut String, language: Language) -> bool {
    if language.is_chinese() && !wrong_script_chars(text, language).is_empty() {
        *text = to_script(text, language);
        true
    } else {
        false
    }
}

pub(super) fn texts_mut(value: &mut Value) -> Vec<&mut String> {
    fn collect<'v>(value: &'v mut Value, out: &mut Vec<&'v mut String>) {
        match value {
            Value::String(text) => out.push(text),
            Value::Array(items) => items.iter_mut().for_each(|v| collect(v, out)),
            Value::Object(map) => map.values_mut().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    collect(value, &mut out);
    out
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

fn is_placeholder(text: &str) -> bool {
    let lowered = text.trim().to_lowercase();
    const PLACEHOLDERS: [&str; 18] = [
        "n/a",
        "na",
        "none",
        "null",
        "nil",
        "tbd",
        "todo",
        "...",
        "…",
        "-",
        "string",
        "無",
        "无",
        "暫無",
        "暂无",
        "略",
        "不適用",
        "不适用",
    ];
    PLACEHOLDERS.contains(&lowered.as_str())
        || lowered.contains("lorem ipsum")
        || (lowered.starts_with('<') && lowered.ends_with('>'))
}

/// The rules that need the topic: the digest's language, no copied headline, a summary that says
/// more than the title, no placeholder in a required field.
fn topic_problems(card: &Card, check: &CardCheck) -> Vec<String> {
    let language = check.language_name;
    let mut problems = Vec::new();
    for (field, text) in [("title", &card.title), ("summary", &card.summary)] {
        if is_placeholder(text) {
            problems.push(format!(
                "/{field}: \"{}\" is a placeholder; write the {field} from the articles",
                text.trim()
            ));
        }
    }
    let foreign: Vec<&str> = [
        ("title", card.title.as_str()),
        ("summary", card.summary.as_str()),
        ("details", card.details.as_str()),
    ]
    .into_iter()
    .filter(|(_, text)| !text.trim().is_empty() && !written_in(text, check.language))
    .map(|(field, _)| field)
    .collect();
    if !foreign.is_empty() {
        let names = if check.language.is_chinese() {
            "; keep model, product and company names as written"
        } else {
            ""
        };
        problems.push(format!(
            "/{}: not written in {language}; write title, summary and details in {language}{names}, \
             even when the articles are in another language",
            foreign.join(", /")
        ));
    }
    for article in check.articles {
        let headline = normalized(&article.title);
        if headline.is_empty() {
            continue;
        }
        let article_language = detect_language(&article.title, &article.text);
        let same_language = Language::from_tag(article_language) == Some(check.language)
            || (check.language.is_chinese() && article_language.starts_with("zh"));
        for (field, text) in [("title", &card.title), ("summary", &card.summary)] {
            if normalized(text) == headline && !same_language {
                problems.push(format!(
                    "/{field}: copies the headline of article {} word for word; write a {field} \
                     of your own in {language}",
                    article.id
                ));
            }
        }
    }
    if !card.summary.trim().is_empty() && normalized(&card.summary) == normalized(&card.title) {
        problems.push(
            "/summary: repeats the title; say in 2-4 sentences what happened, who did it and why \
             it matters"
                .to_string(),
        );
    }
    problems
}

/// Lower case, letters and digits only: two texts that differ in punctuation, spacing or case
/// are the same words.
fn normalized(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests;
