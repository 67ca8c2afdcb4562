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
    CARD_BOUNDS, CARD_PROSE, bound_problems, card_schema, entities_from_choices, parse_reply,
    structure_problems, title_han_problem,
};
use crate::model::{Card, Language};
use crate::text::lang::written_in;
use crate::text::numbers::Stated;
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
    /// A sentence of optional prose (or a key point, an impact) stating a number no article
    /// states was dropped; in the title or summary the same is re-asked.
    InventedNumberDropped,
    /// A figure that is an article's figure off by a power of ten (7.3B written 7.3億) was
    /// written as the article's figure in the digest's units.
    FigureUnitCorrected,
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
            LocalRepair::InventedNumberDropped => "invented_number_dropped",
            LocalRepair::FigureUnitCorrected => "figure_unit_corrected",
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
    /// The request asked the entities as a choice among the lexical card's names
    /// (`with_entity_choices`): the answer's choice object becomes the card's list first.
    pub entity_choices: bool,
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
    if check.entity_choices {
        entities_from_choices(&mut value, &check.lexical.card().entities);
    }
    // Read once: repairs and rules check many texts against the same articles.
    let stated = article_quantities(check.articles);
    let mut repairs = Vec::new();
    if value.is_object() {
        repair::repair(&mut value, check, &stated, &mut repairs);
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
        topic_problems(&card, check, &stated)
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
fn topic_problems(card: &Card, check: &CardCheck, stated: &Stated) -> Vec<String> {
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
    for (field, text) in [("title", &card.title), ("summary", &card.summary)] {
        // A figure off by a power of ten from an article's was corrected before this (repair).
        let invented = stated.invented(text);
        if !invented.is_empty() {
            problems.push(format!(
                "/{field}: states {} that no article states; use only the articles' figures",
                invented.join(", ")
            ));
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

/// What the articles' titles and texts state, and the dates the prompt shows beside them: what
/// a card's numbers must come from (the rule eval's `number_grounding` scores).
fn article_quantities(articles: &[BlockArticle]) -> Stated {
    Stated::new(
        articles
            .iter()
            .flat_map(|a| [a.title.as_str(), a.text.as_str()]),
        articles.iter().map(|a| a.published.as_str()),
    )
}

/// Lower case, letters and digits only: two texts that differ in punctuation, spacing or case
/// are the same words.
fn normalized(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

mod repair;
#[cfg(test)]
mod tests;
