//! The simulator's models and what each does differently (a contract with the eval suites).
//! In: the request's model name and, for `sim-degraded`, a finished card and its articles; out:
//! the `/v1/models` list and the degraded card.
//!
//! - `sim-good` (and any unknown name, so a config written for a real model just works): the
//!   grounded card the articles support.
//! - `sim-degraded`: the same card without the two entities the articles mention most, padded
//!   back to three with names found nowhere in the articles if needed, and with a number in the
//!   summary that no article contains. Entity recall and number/entity grounding must notice.
//! - `sim-sloppy`: the first answer to a card request is what a small real model sent
//!   (Qwen2.5-Coder-1.5B through llama-server, issue 16's transcript): the lead article's headline
//!   copied into title and details whatever the digest's language, `scenarios:
//!   "industry"`, 15 entities padded with generic nouns, importance "High" and a section that is
//!   no configured id. A re-ask gets the grounded card. The card stage's local repairs, targeted
//!   re-asks and extractive fallback are exercised with it.

use serde_json::{Value, json};

use crate::llm::blocks::BlockArticle;
use crate::model::Language;
use crate::text::to_script;

pub const GOOD: &str = "sim-good";
pub const DEGRADED: &str = "sim-degraded";
pub(super) const SLOPPY: &str = "sim-sloppy";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ModelBehaviour {
    Good,
    Degraded,
    Sloppy,
}

pub(super) fn behaviour(model: &str) -> ModelBehaviour {
    match model {
        DEGRADED => ModelBehaviour::Degraded,
        SLOPPY => ModelBehaviour::Sloppy,
        _ => ModelBehaviour::Good,
    }
}

/// The generic nouns the real model listed as entities.
const GENERIC_NOUNS: [&str; 12] = [
    "search engines",
    "real-world data",
    "developers",
    "benchmarks",
    "open model",
    "reasoning",
    "users",
    "industry",
    "data",
    "researchers",
    "companies",
    "AI",
];

/// Turns a grounded card into the first answer of `sim-sloppy` (see the module doc).
pub(super) fn sloppy_card(card: &mut Value, articles: &[BlockArticle]) {
    let headline = articles.first().map_or("", |a| a.title.as_str());
    // Title and details copy the headline (the summary is the grounded one, so an answer in
    // the digest's language can be accepted once repaired locally).
    for field in ["title", "details"] {
        card[field] = headline.into();
    }
    card["scenarios"] = "industry".into();
    card["importance"] = "High".into();
    card["section"] = "AI models".into();
    let mut entities: Vec<Value> = card["entities"].as_array().cloned().unwrap_or_default();
    for noun in GENERIC_NOUNS {
        if entities.len() >= 15 {
            break;
        }
        entities.push(noun.into());
    }
    card["entities"] = Value::Array(entities);
}

/// The `GET /v1/models` body.
pub(super) fn list() -> Value {
    let models: Vec<Value> = [GOOD, DEGRADED, SLOPPY]
        .iter()
        .map(|id| json!({"id": id, "object": "model", "created": 0, "owned_by": "llm-sim"}))
        .collect();
    json!({"object": "list", "data": models})
}

/// Names no article is likely to contain; used only when dropping entities leaves fewer than 3.
const INVENTED_ENTITIES: [&str; 3] = ["Halcyon-9B", "Orion Nimbus Labs", "Project Tessaract"];
/// Numbers tried in order until one appears in no article.
const INVENTED_NUMBERS: [&str; 4] = ["83.7%", "417", "2.96", "61.3%"];

/// Turns a grounded card into the degraded one (see the module doc). `language` is the card's
/// target language tag.
pub(super) fn degrade_card(card: &mut Value, articles: &[BlockArticle], language: &str) {
    let language = Language::from_tag(language).unwrap_or(Language::En);
    let corpus: String = articles
        .iter()
        .map(|a| format!("{}\n{}\n", a.title, a.text))
        .collect::<String>();
    // Entities are written in the target script; count them in text converted the same way.
    let corpus = to_script(&corpus, language).to_lowercase();

    if let Some(entities) = card.get_mut("entities").and_then(Value::as_array_mut) {
        let mut counted: Vec<(usize, usize)> = entities
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let name = e.as_str().unwrap_or("").to_lowercase();
                let count = if name.is_empty() {
                    0
                } else {
                    corpus.matches(&name).count()
                };
                (i, count)
            })
            .collect();
        // Most frequent first; ties go to the earlier entity.
        counted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut drop: Vec<usize> = counted.iter().take(2).map(|&(i, _)| i).collect();
        drop.sort_unstable_by(|a, b| b.cmp(a));
        for i in drop {
            entities.remove(i);
        }
        for name in INVENTED_ENTITIES {
            if entities.len() >= 3 {
                break;
            }
            if !corpus.contains(&name.to_lowercase()) {
                entities.push(Value::String(name.to_string()));
            }
        }
    }

    let number = INVENTED_NUMBERS
        .iter()
        .find(|n| !corpus.contains(n.trim_end_matches('%')))
        .copied()
        .unwrap_or("8317.29");
    let sentence = match language {
        Language::ZhHant => format!("據報導，其在內部基準測試中得分 {number}。"),
        Language::ZhHans => format!("据报道，其在内部基准测试中得分 {number}。"),
        Language::En => format!(" It reportedly scores {number} on an internal benchmark."),
    };
    if let Some(Value::String(summary)) = card.get_mut("summary") {
        summary.push_str(&sentence);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(title: &str, text: &str) -> BlockArticle {
        BlockArticle {
            id: "a".into(),
            outlet: "o".into(),
            title: title.into(),
            published: "2026-01-05T00:00:00Z".into(),
            url: "https://example.com/a".into(),
            text: text.into(),
        }
    }

    #[test]
    fn degraded_card_loses_the_top_entities_and_gains_an_ungrounded_number() {
        let articles = [article(
            "Qwen-Image ships",
            "Alibaba released Qwen-Image. Qwen-Image beats FLUX on 3 tests. Alibaba and ModelScope host it. Hugging Face mirrors it.",
        )];
        let mut card = json!({
            "summary": "Alibaba released Qwen-Image.",
            "entities": ["Alibaba", "Qwen-Image", "FLUX", "ModelScope", "Hugging Face"]
        });
        degrade_card(&mut card, &articles, "en");
        assert_eq!(
            card["entities"],
            json!(["FLUX", "ModelScope", "Hugging Face"])
        );
        let summary = card["summary"].as_str().unwrap();
        assert!(summary.contains("83.7%"), "{summary}");

        let mut short = json!({"summary": "x", "entities": ["Alibaba", "Qwen-Image", "FLUX"]});
        degrade_card(&mut short, &articles, "zh-Hant");
        let entities = short["entities"].as_array().unwrap();
        assert_eq!(entities.len(), 3);
        assert_eq!(entities[0], "FLUX");
        assert!(short["summary"].as_str().unwrap().contains("據報導"));
    }
}
