//! Eval metrics, cheapest first. In: one output (a `Card` or an `Insight`, or nothing when the
//! provider gave no valid one) and its fixture; out: `Metrics`, a score in 0..1 and a pass/fail
//! per metric. Nothing here calls a model: the optional LLM judge lives in `judge.rs`.
//!
//! Card metrics: schema validity · first-answer validity (no re-ask, no local repair) · language
//! match (`text::lang::written_in`, the card stage's and lint's rule) · script purity (headline and body, by character) · length
//! bounds · number grounding · entity grounding · recall and precision of entities · fact recall ·
//! ROUGE-L against the reference · section and importance agreement · duplicate facts.

pub mod numbers;
pub mod rouge;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::suite::{CardFixture, InsightFixture};
use crate::llm::schema::{entity_count_within_bounds, title_within_bounds};
use crate::model::{Card, Insight, Language};
use crate::text::lang::written_in;
use crate::text::{is_han, to_script, wrong_script_ratio};
use crate::write::check::LocalRepair;
use numbers::{quantities, ungrounded};
use rouge::{overlap_tokens, rouge_l};

/// One metric's result for one output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricValue {
    /// 0 (worst) to 1 (best).
    pub value: f64,
    /// The metric's own pass rule (what McNemar counts).
    pub pass: bool,
    /// What failed, for the report ("ungrounded: 3亿").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

pub type Metrics = BTreeMap<String, MetricValue>;

/// Card metric names in the order they are computed and shown (cheapest first).
pub const CARD_METRICS: &[&str] = &[
    "schema_valid",
    "first_answer_valid",
    "language_match",
    "script_purity",
    "length_bounds",
    "number_grounding",
    "entity_grounding",
    "entity_recall",
    "entity_precision",
    "fact_recall",
    "rouge_l",
    "section_match",
    "importance_match",
    "no_duplicate_facts",
];

pub const INSIGHT_METRICS: &[&str] = &[
    "schema_valid",
    "language_match",
    "script_purity",
    "theme_recall",
    "keyword_recall",
    "card_refs_valid",
    "rouge_l",
];

/// A script's share of wrong characters above this fails (lint's 0.5 %).
const MAX_WRONG_SCRIPT: f64 = 0.005;
/// A summary is 2-4 sentences: beyond this many characters it is not a summary any more.
const SUMMARY_MAX_CJK_CHARS: usize = 400;
const SUMMARY_MAX_LATIN_CHARS: usize = 1000;
/// Two sentences of one card overlapping this much (ROUGE-L F) say the same thing…
const DUPLICATE_OVERLAP: f64 = 0.6;
/// …and so do two that state the same number and overlap this much.
const DUPLICATE_OVERLAP_WITH_NUMBER: f64 = 0.35;
/// A fact without numbers counts as stated when this share of its tokens appears in order.
const FACT_TEXT_RECALL: f64 = 0.6;
/// A theme counts as named when this share of its bigrams appears in the insight.
const THEME_BIGRAM_SHARE: f64 = 0.6;

fn metric(value: f64, pass: bool, note: impl Into<String>) -> MetricValue {
    MetricValue {
        value: value.clamp(0.0, 1.0),
        pass,
        note: note.into(),
    }
}

fn share(hits: usize, total: usize) -> f64 {
    if total == 0 {
        1.0
    } else {
        hits as f64 / total as f64
    }
}

/// Names compared for identity: lowercase, one script, no spaces or joiners ("Qwen-Vision 3.2"
/// = "qwen vision3.2", 阿里巴巴 = 阿里巴巴).
pub fn fold_name(name: &str) -> String {
    to_script(name, Language::ZhHans)
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '·' | '・' | '.'))
        .collect()
}

/// Do two names denote the same thing? Equal when folded, or one contains the other and the
/// shorter is at least half the longer (阿里巴巴 ~ 阿里巴巴集团, but `model` ≁ `qwen-vision-model`).
pub fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (fold_name(a), fold_name(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let (short, long) = if a.chars().count() <= b.chars().count() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    long.contains(short.as_str()) && short.chars().count() * 2 >= long.chars().count()
}

/// Share of Han characters in the target script (zh targets), or of letters that are not Han
/// (English targets).
fn purity(text: &str, target: Language) -> f64 {
    if target.is_chinese() {
        1.0 - wrong_script_ratio(text, target)
    } else {
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        let han = text.chars().filter(|&c| is_han(c)).count();
        1.0 - share(han, letters).min(1.0) * f64::from(u8::from(letters > 0))
    }
}

fn script_purity(title: &str, body: &str, target: Language) -> MetricValue {
    let (t, b) = (purity(title, target), purity(body, target));
    let worst = t.min(b);
    let note = match (t < 1.0 - MAX_WRONG_SCRIPT, b < 1.0 - MAX_WRONG_SCRIPT) {
        (true, true) => format!("headline {t:.3}, body {b:.3}"),
        (true, false) => format!("headline {t:.3}"),
        (false, true) => format!("body {b:.3}"),
        (false, false) => String::new(),
    };
    metric(worst, worst >= 1.0 - MAX_WRONG_SCRIPT, note)
}

/// Headline and body written in the fixture's language: script purity alone scored an all-English
/// card in a 繁體中文 fixture 100, because it counts only the Han characters there are.
fn language_match(title: &str, body: &str, target: Language) -> MetricValue {
    let (t, b) = (written_in(title, target), written_in(body, target));
    let note = match (t, b) {
        (false, false) => "headline and body not in the target language",
        (false, true) => "headline not in the target language",
        (true, false) => "body not in the target language",
        (true, true) => "",
    };
    metric(f64::from(u8::from(t) + u8::from(b)) / 2.0, t && b, note)
}

/// Whether the model's first answer was accepted as it came: no re-ask, no local repair
/// (`attempt`: the card stage's re-asks and local repairs for the card; `None`: no model card).
pub fn first_answer_valid(attempt: Option<&(u32, Vec<LocalRepair>)>) -> MetricValue {
    let Some((reasks, local)) = attempt else {
        return metric(0.0, false, "no model card");
    };
    let valid = *reasks == 0 && local.is_empty();
    let mut notes = Vec::new();
    if *reasks > 0 {
        notes.push(format!("{reasks} re-ask(s)"));
    }
    if !local.is_empty() {
        let kinds: Vec<&str> = local.iter().map(|k| k.name()).collect();
        notes.push(format!("repaired locally: {}", kinds.join(", ")));
    }
    metric(f64::from(u8::from(valid)), valid, notes.join("; "))
}

fn card_body(card: &Card) -> String {
    [&card.summary, &card.details, &card.scenarios]
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every metric for one card (`None`: the provider gave no valid card — every metric fails).
pub fn card_metrics(card: Option<&Card>, fixture: &CardFixture) -> Metrics {
    let Some(card) = card else {
        return CARD_METRICS
            .iter()
            .map(|name| (name.to_string(), metric(0.0, false, "no valid card")))
            .collect();
    };
    let target = fixture.target();
    let body = card_body(card);
    let all_text = format!("{}\n{}", card.title, body);
    let sources: Vec<String> = fixture
        .articles
        .iter()
        .map(|a| format!("{}\n{}", a.title, a.text))
        .collect();
    let source_refs: Vec<&str> = sources.iter().map(String::as_str).collect();
    let folded_sources = fold_name(&sources.join("\n"));
    let mut m = Metrics::new();

    m.insert("schema_valid".into(), metric(1.0, true, ""));
    // The runner knows how the card was obtained and overwrites this (`first_answer_valid`).
    m.insert("first_answer_valid".into(), metric(1.0, true, ""));
    m.insert(
        "language_match".into(),
        language_match(&card.title, &body, target),
    );
    m.insert(
        "script_purity".into(),
        script_purity(&card.title, &body, target),
    );

    let summary_chars = card.summary.chars().count();
    let summary_max = if card.summary.chars().any(is_han) {
        SUMMARY_MAX_CJK_CHARS
    } else {
        SUMMARY_MAX_LATIN_CHARS
    };
    let mut length_problems = Vec::new();
    if !title_within_bounds(&card.title) {
        length_problems.push("title");
    }
    if !entity_count_within_bounds(&card.entities) {
        length_problems.push("entity count");
    }
    if card.summary.trim().is_empty() || summary_chars > summary_max {
        length_problems.push("summary");
    }
    m.insert(
        "length_bounds".into(),
        metric(
            1.0 - length_problems.len() as f64 / 3.0,
            length_problems.is_empty(),
            length_problems.join(", "),
        ),
    );

    let stated = quantities(&all_text).len();
    let invented = ungrounded(&all_text, &source_refs);
    m.insert(
        "number_grounding".into(),
        metric(
            share(stated - invented.len(), stated),
            invented.is_empty(),
            if invented.is_empty() {
                String::new()
            } else {
                let values: Vec<String> = invented.iter().map(|q| format!("{}", q.value)).collect();
                format!("not in the sources: {}", values.join(", "))
            },
        ),
    );

    let entities: Vec<&String> = card
        .entities
        .iter()
        .filter(|e| !e.trim().is_empty())
        .collect();
    let ungrounded_entities: Vec<&str> = entities
        .iter()
        .filter(|e| !folded_sources.contains(&fold_name(e)))
        .map(|e| e.as_str())
        .collect();
    m.insert(
        "entity_grounding".into(),
        metric(
            share(entities.len() - ungrounded_entities.len(), entities.len()),
            ungrounded_entities.is_empty(),
            note_list("not in the sources", &ungrounded_entities),
        ),
    );

    let missing: Vec<&str> = fixture
        .required_entities
        .iter()
        .filter(|r| !entities.iter().any(|e| same_name(e, r)))
        .map(String::as_str)
        .collect();
    m.insert(
        "entity_recall".into(),
        metric(
            share(
                fixture.required_entities.len() - missing.len(),
                fixture.required_entities.len(),
            ),
            missing.is_empty(),
            note_list("missing", &missing),
        ),
    );

    let known: Vec<&String> = fixture
        .reference
        .entities
        .iter()
        .chain(&fixture.required_entities)
        .collect();
    let stray: Vec<&str> = entities
        .iter()
        .filter(|e| !known.iter().any(|k| same_name(e, k)))
        .map(|e| e.as_str())
        .collect();
    let precision = share(entities.len() - stray.len(), entities.len());
    m.insert(
        "entity_precision".into(),
        metric(
            precision,
            precision >= 0.5,
            note_list("not expected", &stray),
        ),
    );

    let card_quantities = quantities(&all_text);
    let missed_facts: Vec<&str> = fixture
        .facts
        .iter()
        .filter(|fact| {
            let wanted: Vec<_> = fact.numbers.iter().flat_map(|n| quantities(n)).collect();
            if wanted.is_empty() {
                rouge_l(&all_text, &fact.text).1 < FACT_TEXT_RECALL
            } else {
                !wanted
                    .iter()
                    .all(|w| card_quantities.iter().any(|q| q.same_as(w)))
            }
        })
        .map(|f| f.text.as_str())
        .collect();
    let fact_share = share(
        fixture.facts.len() - missed_facts.len(),
        fixture.facts.len(),
    );
    m.insert(
        "fact_recall".into(),
        metric(
            fact_share,
            fact_share >= 0.5,
            note_list("missed", &missed_facts),
        ),
    );

    let reference = format!(
        "{}\n{}",
        fixture.reference.title,
        card_body(&fixture.reference)
    );
    let (_, _, f) = rouge_l(&all_text, &reference);
    m.insert("rouge_l".into(), metric(f, f >= 0.2, ""));

    let section_ok = card.section == fixture.section;
    m.insert(
        "section_match".into(),
        metric(
            f64::from(u8::from(section_ok)),
            section_ok,
            if section_ok {
                String::new()
            } else {
                format!("{} (expected {})", card.section, fixture.section)
            },
        ),
    );
    let importance = serde_json::to_value(card.importance)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let importance_ok = importance == fixture.importance;
    m.insert(
        "importance_match".into(),
        metric(
            f64::from(u8::from(importance_ok)),
            importance_ok,
            if importance_ok {
                String::new()
            } else {
                format!("{importance} (expected {})", fixture.importance)
            },
        ),
    );

    let (sentence_count, duplicates) = duplicate_sentences(&body);
    m.insert(
        "no_duplicate_facts".into(),
        metric(
            1.0 - share(duplicates.len(), sentence_count.max(1)).min(1.0)
                * f64::from(u8::from(!duplicates.is_empty())),
            duplicates.is_empty(),
            duplicates
                .first()
                .map(|d| format!("repeated: {d}"))
                .unwrap_or_default(),
        ),
    );
    m
}

fn note_list(label: &str, items: &[&str]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!("{label}: {}", items.join(", "))
    }
}

/// The sentences of `text` that restate an earlier one: (sentence count, the repeats).
pub fn duplicate_sentences(text: &str) -> (usize, Vec<String>) {
    let sentences = crate::text::sentences::split(text);
    let mut repeats = Vec::new();
    for (i, later) in sentences.iter().enumerate() {
        let later_numbers = quantities(later);
        let repeated = sentences[..i].iter().any(|earlier| {
            let f = rouge_l(later, earlier).2;
            let shares_number = quantities(earlier)
                .iter()
                .any(|q| later_numbers.iter().any(|l| l.same_as(q)));
            f >= DUPLICATE_OVERLAP || (shares_number && f >= DUPLICATE_OVERLAP_WITH_NUMBER)
        });
        if repeated {
            repeats.push(later.clone());
        }
    }
    (sentences.len(), repeats)
}

/// Token bigrams (single tokens for one-token strings), for "is this theme named" checks.
fn bigrams(text: &str) -> Vec<String> {
    let tokens = overlap_tokens(text);
    if tokens.len() < 2 {
        return tokens;
    }
    tokens.windows(2).map(|w| w.concat()).collect()
}

/// Is `phrase` named in `text`: folded containment, or most of its bigrams present.
pub fn names_phrase(text: &str, phrase: &str) -> bool {
    if fold_name(text).contains(&fold_name(phrase)) {
        return true;
    }
    let wanted = bigrams(phrase);
    if wanted.is_empty() {
        return false;
    }
    let present: std::collections::BTreeSet<String> = bigrams(text).into_iter().collect();
    share(
        wanted.iter().filter(|b| present.contains(*b)).count(),
        wanted.len(),
    ) >= THEME_BIGRAM_SHARE
}

fn insight_text(insight: &Insight) -> String {
    let mut parts = vec![
        insight.headline.clone(),
        insight.description.clone(),
        insight.trend_summary.clone(),
        insight.tech_context.clone(),
        insight.outlook.clone(),
    ];
    parts.extend(insight.tags.iter().cloned());
    parts.extend(insight.watchlist.iter().cloned());
    parts.extend(insight.keywords.iter().cloned());
    parts.join("\n")
}

/// Every metric for one insight (`None`: no valid insight — every metric fails).
pub fn insight_metrics(insight: Option<&Insight>, fixture: &InsightFixture) -> Metrics {
    let Some(insight) = insight else {
        return INSIGHT_METRICS
            .iter()
            .map(|name| (name.to_string(), metric(0.0, false, "no valid insight")))
            .collect();
    };
    let target = fixture.target();
    let text = insight_text(insight);
    let mut m = Metrics::new();
    m.insert("schema_valid".into(), metric(1.0, true, ""));
    m.insert(
        "language_match".into(),
        language_match(&insight.headline, &text, target),
    );
    m.insert(
        "script_purity".into(),
        script_purity(&insight.headline, &text, target),
    );
    let missing: Vec<&str> = fixture
        .themes
        .iter()
        .filter(|t| !names_phrase(&text, t))
        .map(String::as_str)
        .collect();
    let theme_share = share(fixture.themes.len() - missing.len(), fixture.themes.len());
    m.insert(
        "theme_recall".into(),
        metric(
            theme_share,
            theme_share >= 0.5,
            note_list("not named", &missing),
        ),
    );
    let missing: Vec<&str> = fixture
        .required_keywords
        .iter()
        .filter(|k| !names_phrase(&text, k))
        .map(String::as_str)
        .collect();
    m.insert(
        "keyword_recall".into(),
        metric(
            share(
                fixture.required_keywords.len() - missing.len(),
                fixture.required_keywords.len(),
            ),
            missing.is_empty(),
            note_list("missing", &missing),
        ),
    );
    let ids: std::collections::BTreeSet<&str> =
        fixture.cards.iter().map(|c| c.id.as_str()).collect();
    let refs: Vec<&str> = insight
        .further_reading
        .iter()
        .map(|f| f.card.as_str())
        .chain(insight.quick_read.iter().map(|q| q.card.as_str()))
        .collect();
    let bad: Vec<&str> = refs.iter().copied().filter(|r| !ids.contains(r)).collect();
    m.insert(
        "card_refs_valid".into(),
        metric(
            share(refs.len() - bad.len(), refs.len()),
            bad.is_empty(),
            note_list("unknown card ids", &bad),
        ),
    );
    let reference = format!(
        "{}\n{}\n{}",
        fixture.reference.headline, fixture.reference.trend_summary, fixture.reference.outlook
    );
    let candidate = format!(
        "{}\n{}\n{}",
        insight.headline, insight.trend_summary, insight.outlook
    );
    let f = rouge_l(&candidate, &reference).2;
    m.insert("rouge_l".into(), metric(f, f >= 0.15, ""));
    m
}

#[cfg(test)]
mod tests;
