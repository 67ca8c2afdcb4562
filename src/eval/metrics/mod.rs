//! Eval metrics, cheapest first. In: one output (a `Card` or an `Insight`, or nothing when the
//! provider gave no valid one) and its fixture; out: `Metrics`, a score in 0..1 and a pass/fail
//! per metric. Nothing here calls a model: the optional LLM judge lives in `judge.rs`. Each
//! stage's metrics are a file (`card.rs`, `insight.rs`); here: the names, the result type and
//! the rules both share (name identity, script purity, language match).
//!
//! Card metrics: schema validity · first-answer validity (no re-ask, no local repair) · language
//! match (`text::lang::written_in`, the card stage's and lint's rule) · script purity (headline and body, by character) · length
//! bounds · number grounding · entity grounding · recall and precision of entities · fact recall ·
//! ROUGE-L against the reference · section and importance agreement · duplicate facts.

mod card;
mod insight;
pub mod rouge;

pub use card::{card_metrics, duplicate_sentences, first_answer_valid};
pub use insight::insight_metrics;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Language;
use crate::text::lang::written_in;
use crate::text::{is_han, to_script, wrong_script_ratio};
use rouge::overlap_tokens;

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

fn note_list(label: &str, items: &[&str]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!("{label}: {}", items.join(", "))
    }
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

#[cfg(test)]
mod tests;
