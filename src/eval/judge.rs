//! The optional LLM judge. In: a card, its fixture's articles and reference card, and a provider
//! stack; out: a `judge` metric (the 1-5 rubric score of `prompts/judge.tera`, scaled to 0..1).
//! Calls use `Namespace::Judge`, so they are cached apart from card calls: a judged eval replays
//! for free, and re-judging never collides with the card being judged.

use serde::Deserialize;

use super::metrics::MetricValue;
use super::suite::CardFixture;
use crate::llm::blocks::{BlockArticle, write_block};
use crate::llm::schema::extract_json;
use crate::llm::{ChatRequest, Namespace, Provider, ResponseFormat};
use crate::model::Card;
use crate::write::language_name;

const JUDGE_TEMPLATE: &str = include_str!("../../prompts/judge.tera");
const USER_MARKER: &str = "<<<USER>>>";
/// A card the judge scores 3 or more passes.
const PASS_SCORE: u8 = 3;

#[derive(Deserialize)]
struct Verdict {
    score: u8,
    #[serde(default)]
    reason: String,
}

/// The judge's messages for one card.
pub fn judge_messages(
    fixture: &CardFixture,
    card: &Card,
) -> Result<Vec<crate::llm::Message>, String> {
    let articles: Vec<BlockArticle> = fixture
        .articles
        .iter()
        .map(|a| BlockArticle {
            id: a.id.clone(),
            outlet: a.outlet.clone(),
            title: a.title.clone(),
            published: a.published.to_rfc3339(),
            url: a.url.clone(),
            text: a.text.clone(),
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("language", fixture.target().tag());
    ctx.insert("language_name", language_name(fixture.target()));
    ctx.insert("articles_block", &write_block("articles", &articles));
    ctx.insert("card_block", &write_block("card", card));
    ctx.insert(
        "reference_block",
        &write_block("reference", &fixture.reference),
    );
    let text = tera::Tera::one_off(JUDGE_TEMPLATE, &ctx, false)
        .map_err(|e| format!("prompts/judge.tera failed to render: {e}"))?;
    let (system, user) = text
        .split_once(USER_MARKER)
        .ok_or("prompts/judge.tera has no <<<USER>>> line")?;
    Ok(vec![
        crate::llm::Message::system(system.trim()),
        crate::llm::Message::user(user.trim()),
    ])
}

/// Asks the judge; a reply without a 1-5 score is an error naming what came back.
pub async fn judge_card(
    provider: &dyn Provider,
    model: &str,
    fixture: &CardFixture,
    card: &Card,
    repeat: u32,
) -> Result<MetricValue, String> {
    let mut request = ChatRequest::new(
        Namespace::Judge,
        model,
        judge_messages(fixture, card)?,
        ResponseFormat::JsonObject,
    );
    request.temperature = Some(0.0);
    request.repeat = repeat;
    let reply = provider
        .chat(&request)
        .await
        .map_err(|e| format!("judge call failed: {e}"))?;
    let verdict: Verdict = serde_json::from_str(extract_json(&reply.content))
        .map_err(|e| format!("judge reply is not {{\"score\", \"reason\"}} json: {e}"))?;
    if !(1..=5).contains(&verdict.score) {
        return Err(format!("judge score {} is outside 1-5", verdict.score));
    }
    Ok(MetricValue {
        value: f64::from(verdict.score - 1) / 4.0,
        pass: verdict.score >= PASS_SCORE,
        note: verdict.reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::Usage;
    use crate::llm::testing::Fake;

    fn scripted(reply: &str) -> Fake {
        Fake::answering(reply, Usage::default())
    }

    fn fixture() -> CardFixture {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("evals/fixtures/cards/eval-en-helix-h300.toml");
        toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[tokio::test]
    async fn a_score_is_scaled_and_the_call_is_in_the_judge_namespace() {
        let f = fixture();
        let judge = scripted("{\"score\": 4, \"reason\": \"complete\"}");
        let m = judge_card(&judge, "judge-model", &f, &f.reference, 2)
            .await
            .unwrap();
        assert_eq!((m.value, m.pass), (0.75, true));
        let seen = judge.requests();
        assert_eq!(seen[0].namespace, Namespace::Judge);
        assert_eq!(seen[0].repeat, 2);
        assert!(seen[0].messages[1].content.contains("<reference>"));
    }

    #[tokio::test]
    async fn a_low_or_malformed_verdict_fails() {
        let f = fixture();
        let low = judge_card(&scripted("{\"score\": 1}"), "m", &f, &f.reference, 1)
            .await
            .unwrap();
        assert!(!low.pass && low.value == 0.0);
        let err = judge_card(&scripted("looks fine to me"), "m", &f, &f.reference, 1)
            .await
            .unwrap_err();
        assert!(err.contains("not"), "{err}");
        let err = judge_card(&scripted("{\"score\": 9}"), "m", &f, &f.reference, 1)
            .await
            .unwrap_err();
        assert!(err.contains("outside 1-5"), "{err}");
    }
}
