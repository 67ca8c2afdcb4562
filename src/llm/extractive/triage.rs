//! The extractive baseline's triage: In: the triage request's article block; out: a decision
//! per article from the lexical AI-relevance score the rank stage uses, so the offline demo runs
//! the same stage a real model would.

use crate::llm::blocks::BlockArticle;
use crate::model::{TriageAnswer, TriageDecision};
use crate::text::relevance::ai_relevance;

/// The lexical relevance below which the extractive baseline answers "drop" (the same threshold
/// the rank stage uses for its own pre-filter).
pub(super) const LEXICAL_KEEP_AT: f64 = crate::text::relevance::DEFAULT_MIN_RELEVANCE;

/// The extractive baseline's answer to a triage request: keep what the lexical AI-relevance
/// score (the rank stage's) puts at or above `LEXICAL_KEEP_AT`. Lets the offline demo run the
/// same stage a real model would.
pub(super) fn lexical_answer(articles: &[BlockArticle]) -> TriageAnswer {
    TriageAnswer {
        decisions: articles
            .iter()
            .map(|block| {
                let score = ai_relevance(&block.title, &block.text);
                let keep = score >= LEXICAL_KEEP_AT;
                TriageDecision {
                    id: block.id.clone(),
                    keep,
                    reason: format!(
                        "lexical AI relevance {score:.2} {} {LEXICAL_KEEP_AT:.2}",
                        if keep { "≥" } else { "<" }
                    ),
                }
            })
            .collect(),
    }
}
