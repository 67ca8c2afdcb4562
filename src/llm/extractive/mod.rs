//! The extractive provider, the no-key offline baseline. In: a card, insight or more-news
//! `ChatRequest`, read through the same `<context>`, `<articles>`, `<cards>` and `<stories>` blocks
//! a real model reads; out: a `Card` (centroid sentences, method/cue sentences, names found in the
//! text), an `Insight` (per-language templates filled from the cards) or the more-news lines (the
//! stories' titles) as JSON. It never touches the network, never
//! writes a sentence the request does not contain except the insight's templates, and answers the
//! same request with byte-identical content.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use serde::de::DeserializeOwned;

use super::blocks::{
    BlockArticle, BlockCard, BlockSection, BlockStory, CardContext, InsightContext, MoreContext,
};
use super::schema::{INSIGHT_BOUNDS, fit_to_bounds, item_char_limit};
use super::{ChatRequest, ChatResponse, LlmError, Namespace, Provider, ProviderId, Usage};
use crate::model::{BackgroundTerm, Card, FurtherReading, Importance, Insight, Language};
use crate::text::{has_han, is_han, name_in_script, to_script};

mod card;
mod entities;
mod insight;
mod names_zh;
mod scoring;
mod sections;
mod sentences;
#[cfg(test)]
mod tests;
mod titles;
mod triage;
mod weekly;

pub use card::card_from_articles;
pub use insight::insight_from_cards;
// The parts share one namespace through the parent, so each file imports only `super::*`.
use card::*;
use entities::*;
use names_zh::*;
use scoring::*;
use sections::*;
use sentences::*;
use titles::*;

/// The extractive summarizer behind the `Provider` seam; id `extractive` with no host.
#[derive(Debug, Clone)]
pub struct Extractive {
    id: ProviderId,
}

impl Extractive {
    pub fn new() -> Self {
        Extractive {
            id: ProviderId {
                kind: "extractive".into(),
                host: String::new(),
            },
        }
    }
}

impl Default for Extractive {
    fn default() -> Self {
        Extractive::new()
    }
}

#[async_trait]
impl Provider for Extractive {
    fn id(&self) -> &ProviderId {
        &self.id
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        answer(req)
    }
}

/// Answers a card or insight request from its blocks alone. Usage is an estimate (characters / 4),
/// not a tokenizer count: nothing is billed, the numbers only keep run reports comparable.
pub fn answer(req: &ChatRequest) -> Result<ChatResponse, LlmError> {
    let content = match req.namespace {
        Namespace::Card => {
            let context: CardContext =
                last_block(req, "context").ok_or_else(|| missing("card", "context"))?;
            let articles: Vec<BlockArticle> =
                last_block(req, "articles").ok_or_else(|| missing("card", "articles"))?;
            to_json(&card_from_articles(&articles, &context))?
        }
        Namespace::Insight => {
            let context: InsightContext =
                last_block(req, "context").ok_or_else(|| missing("insight", "context"))?;
            let cards: Vec<BlockCard> =
                last_block(req, "cards").ok_or_else(|| missing("insight", "cards"))?;
            to_json(&insight_from_cards(&cards, &context))?
        }
        Namespace::Triage => {
            let articles: Vec<BlockArticle> =
                last_block(req, "articles").ok_or_else(|| missing("triage", "articles"))?;
            to_json(&triage::lexical_answer(&articles))?
        }
        Namespace::Weekly => weekly::answer_weekly(req)?,
        Namespace::More => {
            let context: MoreContext =
                last_block(req, "context").ok_or_else(|| missing("more", "context"))?;
            let stories: Vec<BlockStory> =
                last_block(req, "stories").ok_or_else(|| missing("more", "stories"))?;
            to_json(&more_lines(&stories, target_language(&context.language)))?
        }
        _ => {
            return Err(LlmError::BadResponse(
                "the extractive provider answers card, insight, triage and more-news requests (and the weekly roll-up's) only"
                    .into(),
            ));
        }
    };
    let prompt_chars: usize = req.messages.iter().map(|m| m.content.chars().count()).sum();
    let usage = Usage {
        prompt_tokens: (prompt_chars / 4) as u64,
        completion_tokens: (content.chars().count() / 4) as u64,
    };
    Ok(ChatResponse {
        content,
        usage,
        latency_ms: 0,
        cached: false,
        raw: None,
        structured_output: None,
    })
}

/// The more-news lines the baseline can honestly write: each story's title in the target script,
/// trimmed like a headline. It cannot translate, so an English title stays English (lint warns).
fn more_lines(stories: &[BlockStory], language: Language) -> serde_json::Value {
    let lines: Vec<serde_json::Value> = stories
        .iter()
        .map(|s| {
            let title = if s.title.trim().is_empty() {
                &s.outlet
            } else {
                &s.title
            };
            serde_json::json!({"id": s.id, "line": trim_title(&in_script(title, language))})
        })
        .collect();
    serde_json::json!({ "lines": lines })
}

fn missing(kind: &str, tag: &str) -> LlmError {
    LlmError::BadResponse(format!(
        "the {kind} request has no readable <{tag}> block in its user messages \
         (the {kind} prompt must paste one, written with blocks::write_block)"
    ))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, LlmError> {
    serde_json::to_string(value)
        .map_err(|e| LlmError::BadResponse(format!("could not serialize the answer: {e}")))
}

/// The last parseable `<tag>` block of the request (`blocks::read_last_block`).
fn last_block<T: DeserializeOwned>(req: &ChatRequest, tag: &str) -> Option<T> {
    crate::llm::blocks::read_last_block(&req.messages, tag)
}

fn target_language(tag: &str) -> Language {
    Language::from_tag(tag).unwrap_or(Language::En)
}

/// Puts Chinese text in the target script; English targets pass through.
fn in_script(text: &str, language: Language) -> String {
    if language.is_chinese() && has_han(text) {
        to_script(text, language)
    } else {
        text.to_string()
    }
}
