//! The editor-insight stage. In: the finished cards (compact form: id, title, summary,
//! importance, section, entities); out: one validated `Insight` for the whole digest — trends,
//! technical context, outlook, watch list, keywords — or the reason there is none.

use super::prompts::{PromptError, Prompts};
use super::{Asked, CallSettings, ask_validated, language_name};
use crate::config::SectionConfig;
use crate::llm::blocks::{BlockCard, BlockSection, InsightContext, write_block};
use crate::llm::schema::{field_list, insight_schema, validate_insight};
use crate::llm::{Namespace, Provider};
use crate::model::{CardRecord, Importance, Insight, Language};

pub struct InsightStage<'a> {
    pub prompts: &'a Prompts,
    pub provider: &'a dyn Provider,
    pub settings: &'a CallSettings,
    pub language: Language,
    pub sections: &'a [SectionConfig],
}

pub enum InsightOutcome {
    Written {
        insight: Box<Insight>,
        repaired: bool,
    },
    Missing {
        reason: String,
    },
}

impl InsightStage<'_> {
    pub async fn run(
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
                importance: match c.card.importance {
                    Importance::High => "high",
                    Importance::Medium => "medium",
                    Importance::Low => "low",
                }
                .to_string(),
                section: c.card.section.clone(),
                entities: c.card.entities.clone(),
            })
            .collect();
        let context = InsightContext {
            language: self.language.tag().to_string(),
            date: date.to_string(),
            article_count,
            sections: self
                .sections
                .iter()
                .map(|s| BlockSection {
                    id: s.id.clone(),
                    label: s.label_for(self.language).to_string(),
                    describe: s.describe.clone(),
                })
                .collect(),
        };
        let mut ctx = tera::Context::new();
        ctx.insert("language", self.language.tag());
        ctx.insert("language_name", language_name(self.language));
        ctx.insert("fields", &field_list(&schema));
        ctx.insert("structured_output", self.settings.mode_name());
        ctx.insert(
            "schema_json",
            &serde_json::to_string_pretty(&schema).expect("schemas serialize"),
        );
        ctx.insert("date", &date.to_string());
        ctx.insert("card_count", &cards.len());
        ctx.insert("article_count", &article_count);
        ctx.insert("context_block", &write_block("context", &context));
        ctx.insert("cards_block", &write_block("cards", &compact));
        let messages = self.prompts.render("insight.tera", &ctx)?;
        let request = self
            .settings
            .request(Namespace::Insight, messages, "insight", &schema);
        Ok(
            match ask_validated(self.provider, request, validate_insight).await {
                Asked::Valid { value, repaired } => InsightOutcome::Written {
                    insight: Box::new(value),
                    repaired,
                },
                Asked::Invalid { reason } => InsightOutcome::Missing { reason },
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
