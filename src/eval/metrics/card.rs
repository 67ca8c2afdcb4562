//! The card metrics: one card (or none) and its fixture in, every metric of `CARD_METRICS` out,
//! each computed by a function of its own from what the card and the fixture's articles say.

use super::rouge::rouge_l;
use super::{
    CARD_METRICS, MetricValue, Metrics, fold_name, language_match, metric, note_list, same_name,
    script_purity, share,
};
use crate::eval::suite::CardFixture;
use crate::llm::schema::{entity_count_within_bounds, title_within_bounds};
use crate::model::Card;
use crate::text::is_han;
use crate::text::numbers::{Stated, judged_quantities, quantities};
use crate::write::check::LocalRepair;

/// A summary is 2-4 sentences: beyond this many characters it is not a summary any more.
const SUMMARY_MAX_CJK_CHARS: usize = 400;
const SUMMARY_MAX_LATIN_CHARS: usize = 1000;
/// Two sentences of one card overlapping this much (ROUGE-L F) say the same thing…
const DUPLICATE_OVERLAP: f64 = 0.6;
/// …and so do two that state the same number and overlap this much.
const DUPLICATE_OVERLAP_WITH_NUMBER: f64 = 0.35;
/// A fact without numbers counts as stated when this share of its tokens appears in order.
const FACT_TEXT_RECALL: f64 = 0.6;

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
    let published: Vec<String> = fixture
        .articles
        .iter()
        .map(|a| a.published.to_rfc3339())
        .collect();
    let stated = Stated::new(
        sources.iter().map(String::as_str),
        published.iter().map(String::as_str),
    );
    let entities: Vec<&String> = card
        .entities
        .iter()
        .filter(|e| !e.trim().is_empty())
        .collect();
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
    m.insert("length_bounds".into(), length_bounds(card));
    m.insert(
        "number_grounding".into(),
        number_grounding(&all_text, &stated),
    );
    m.insert(
        "entity_grounding".into(),
        entity_grounding(&entities, &sources),
    );
    m.insert("entity_recall".into(), entity_recall(&entities, fixture));
    m.insert(
        "entity_precision".into(),
        entity_precision(&entities, fixture),
    );
    m.insert("fact_recall".into(), fact_recall(&all_text, fixture));
    m.insert("rouge_l".into(), reference_overlap(&all_text, fixture));
    m.insert("section_match".into(), section_match(card, fixture));
    m.insert("importance_match".into(), importance_match(card, fixture));
    m.insert("no_duplicate_facts".into(), no_duplicate_facts(&body));
    m
}

/// Title, entity count and summary within their bounds (a third of the score each).
fn length_bounds(card: &Card) -> MetricValue {
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
    metric(
        1.0 - length_problems.len() as f64 / 3.0,
        length_problems.is_empty(),
        length_problems.join(", "),
    )
}

/// Every number the card states is in its sources: the card check's rule (`text::numbers::Stated`).
fn number_grounding(all_text: &str, stated: &Stated) -> MetricValue {
    let judged = judged_quantities(all_text).len();
    let invented = stated.invented(all_text);
    metric(
        share(judged - invented.len(), judged),
        invented.is_empty(),
        note_list(
            "not in the sources",
            &invented.iter().map(String::as_str).collect::<Vec<_>>(),
        ),
    )
}

/// Every name the card gives is in its sources.
fn entity_grounding(entities: &[&String], sources: &[String]) -> MetricValue {
    let folded_sources = fold_name(&sources.join("\n"));
    let ungrounded_entities: Vec<&str> = entities
        .iter()
        .filter(|e| !folded_sources.contains(&fold_name(e)))
        .map(|e| e.as_str())
        .collect();
    metric(
        share(entities.len() - ungrounded_entities.len(), entities.len()),
        ungrounded_entities.is_empty(),
        note_list("not in the sources", &ungrounded_entities),
    )
}

/// Every name the fixture requires is among the card's.
fn entity_recall(entities: &[&String], fixture: &CardFixture) -> MetricValue {
    let missing: Vec<&str> = fixture
        .required_entities
        .iter()
        .filter(|r| !entities.iter().any(|e| same_name(e, r)))
        .map(String::as_str)
        .collect();
    metric(
        share(
            fixture.required_entities.len() - missing.len(),
            fixture.required_entities.len(),
        ),
        missing.is_empty(),
        note_list("missing", &missing),
    )
}

/// The card's names are ones the reference or the fixture expects (half of them passes).
fn entity_precision(entities: &[&String], fixture: &CardFixture) -> MetricValue {
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
    metric(
        precision,
        precision >= 0.5,
        note_list("not expected", &stray),
    )
}

/// The fixture's facts the card states: by their numbers, or by most of their words in order.
fn fact_recall(all_text: &str, fixture: &CardFixture) -> MetricValue {
    let card_quantities = quantities(all_text);
    let missed_facts: Vec<&str> = fixture
        .facts
        .iter()
        .filter(|fact| {
            let wanted: Vec<_> = fact.numbers.iter().flat_map(|n| quantities(n)).collect();
            if wanted.is_empty() {
                rouge_l(all_text, &fact.text).1 < FACT_TEXT_RECALL
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
    metric(
        fact_share,
        fact_share >= 0.5,
        note_list("missed", &missed_facts),
    )
}

/// ROUGE-L F against the reference card's title and body.
fn reference_overlap(all_text: &str, fixture: &CardFixture) -> MetricValue {
    let reference = format!(
        "{}\n{}",
        fixture.reference.title,
        card_body(&fixture.reference)
    );
    let (_, _, f) = rouge_l(all_text, &reference);
    metric(f, f >= 0.2, "")
}

fn section_match(card: &Card, fixture: &CardFixture) -> MetricValue {
    let section_ok = card.section == fixture.section;
    metric(
        f64::from(u8::from(section_ok)),
        section_ok,
        if section_ok {
            String::new()
        } else {
            format!("{} (expected {})", card.section, fixture.section)
        },
    )
}

fn importance_match(card: &Card, fixture: &CardFixture) -> MetricValue {
    let importance = serde_json::to_value(card.importance)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let importance_ok = importance == fixture.importance;
    metric(
        f64::from(u8::from(importance_ok)),
        importance_ok,
        if importance_ok {
            String::new()
        } else {
            format!("{importance} (expected {})", fixture.importance)
        },
    )
}

fn no_duplicate_facts(body: &str) -> MetricValue {
    let (sentence_count, duplicates) = duplicate_sentences(body);
    metric(
        1.0 - share(duplicates.len(), sentence_count.max(1)).min(1.0)
            * f64::from(u8::from(!duplicates.is_empty())),
        duplicates.is_empty(),
        duplicates
            .first()
            .map(|d| format!("repeated: {d}"))
            .unwrap_or_default(),
    )
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
