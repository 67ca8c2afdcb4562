//! The editor-insight stage. In: the finished cards (compact form: id, title, summary,
//! importance, section, entities); out: one validated `Insight` for the whole digest — trends,
//! technical context, outlook, watch list, keywords — or the reason there is none.

use super::check::{LocalRepair, convert_other_script, texts_mut};
use super::prompts::PromptError;
use super::{Asked, Writer, ask_checked};
use crate::config::CardFallback;
use crate::llm::Namespace;
use crate::llm::blocks::{BlockCard, InsightContext, write_block};
use crate::llm::extractive::insight_from_cards;
use crate::llm::schema::{INSIGHT_BOUNDS, INSIGHT_PROSE, insight_schema, validate_insight};
use crate::model::{CardRecord, Insight, Language};
use crate::text::lang::written_in;

pub enum InsightOutcome {
    Written {
        insight: Box<Insight>,
        repaired: bool,
    },
    /// The model answered, but its insight stayed invalid after every re-ask: the extractive
    /// insight over the same cards stands in (`provider.fallback = "extractive"`).
    Fallback {
        insight: Box<Insight>,
        reason: String,
    },
    Missing {
        reason: String,
    },
}

impl Writer<'_> {
    /// Writes the editor's insight over the finished cards.
    pub async fn write_insight(
        &self,
        cards: &[CardRecord],
        date: chrono::NaiveDate,
        article_count: usize,
    ) -> Result<InsightOutcome, PromptError> {
        let schema = insight_schema();
        let compact: Vec<BlockCard> = cards
            .iter()
            .map(|c| BlockCard {
                id: c.topic_id.clone(),
                title: c.card.title.clone(),
                summary: c.card.summary.clone(),
                importance: c.card.importance.as_str().to_string(),
                section: c.card.section.clone(),
                entities: c.card.entities.clone(),
            })
            .collect();
        let context = InsightContext {
            language: self.language.tag().to_string(),
            date: date.to_string(),
            article_count,
            sections: self.block_sections(),
        };
        let mut ctx = self.prompt_context(&schema);
        ctx.insert("date", &date.to_string());
        ctx.insert("card_count", &cards.len());
        ctx.insert("article_count", &article_count);
        ctx.insert("context_block", &write_block("context", &context));
        ctx.insert("cards_block", &write_block("cards", &compact));
        let messages = self.prompts.render("insight.tera", &ctx)?;
        let request = self.request(
            Namespace::Insight,
            messages,
            "insight",
            &self.schema_to_send(&schema, INSIGHT_BOUNDS, INSIGHT_PROSE),
        );
        Ok(
            match ask_checked(self.provider, request, self.max_repairs, |content| {
                check_insight(content, self.language, self.settings.translates)
            })
            .await
            {
                Asked::Valid { value, reasks, .. } => InsightOutcome::Written {
                    insight: Box::new(value),
                    repaired: reasks > 0,
                },
                Asked::Invalid { reason, .. }
                    if self.settings.translates && self.fallback == CardFallback::Extractive =>
                {
                    InsightOutcome::Fallback {
                        insight: Box::new(insight_from_cards(&compact, &context)),
                        reason,
                    }
                }
                Asked::Invalid { reason, .. } => InsightOutcome::Missing { reason },
                Asked::Failed { error } => InsightOutcome::Missing {
                    reason: error.to_string(),
                },
            },
        )
    }
}

/// An insight with nothing in it, for a digest whose insight call failed (rendered without 編輯洞察).
pub fn empty_insight() -> Insight {
    Insight {
        headline: String::new(),
        description: String::new(),
        tags: Vec::new(),
        trend_summary: String::new(),
        tech_context: String::new(),
        outlook: String::new(),
        watchlist: Vec::new(),
        keywords: Vec::new(),
        background: Vec::new(),
        further_reading: Vec::new(),
        quick_read: Vec::new(),
    }
}

/// The insight's check: the schema and its bounds (`validate_insight`), then, for a model's
/// insight, the other Chinese script converted in every text (`ScriptConverted`) and the headline
/// and trend summary held to the digest's language — the rules a card gets, so an insight in
/// English or Simplified characters is re-asked or repaired before lint would fail the night.
pub fn check_insight(
    content: &str,
    language: Language,
    translates: bool,
) -> super::Verdict<Insight> {
    let language_name = super::language_name(language);
    let insight = validate_insight(content).map_err(|e| vec![e])?;
    if !translates {
        return Ok((insight, Vec::new()));
    }
    let mut value = serde_json::to_value(&insight).expect("an insight serializes");
    let mut converted = false;
    for text in texts_mut(&mut value) {
        converted |= convert_other_script(text, language);
    }
    let repairs = if converted {
        vec![LocalRepair::ScriptConverted]
    } else {
        Vec::new()
    };
    let insight: Insight = serde_json::from_value(value).expect("texts changed, not shapes");
    let foreign: Vec<&str> = [
        ("headline", insight.headline.as_str()),
        ("trend_summary", insight.trend_summary.as_str()),
    ]
    .into_iter()
    .filter(|(_, text)| !text.trim().is_empty() && !written_in(text, language))
    .map(|(field, _)| field)
    .collect();
    if foreign.is_empty() {
        Ok((insight, repairs))
    } else {
        Err(vec![format!(
            "/{}: not written in {language_name}; write every text in {language_name}, even \
             where the cards are in another language",
            foreign.join(", /")
        )])
    }
}
