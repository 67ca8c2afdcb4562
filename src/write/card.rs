//! The card stage. In: ranked topics; out: one checked `CardRecord` per topic, in rank order —
//! the model's, or the extractive card for the same articles when the model's stays invalid after
//! every targeted re-ask (marked `fallback`) — plus a `FailedTopic` with its reason for every
//! topic that got none. The prompt carries the
//! topic's articles (best first, trimmed to the input budget) inside the `<articles>` block; the
//! card's sources are the topic's own articles and never come from the model.

use std::collections::BTreeMap;

use futures::future::join_all;

use super::check::{CardCheck, Lexical, LocalRepair, check_card};
use super::prompts::PromptError;
use super::{Asked, Writer, ask_checked, language_name};
use crate::config::CardFallback;
use crate::llm::blocks::{BlockArticle, CardContext, write_block};
use crate::llm::budget::fit_articles_with;
use crate::llm::schema::{
    CARD_BOUNDS, CARD_PROSE, card_schema, validate_card, with_entity_choices,
};
use crate::llm::{ChatRequest, Namespace};
use crate::model::{Card, CardRecord, CardStats, FailedTopic, SourceRef, Topic};
use crate::text::numbers::with_figures_restated;

#[derive(Debug, Default)]
pub struct CardOutcome {
    pub cards: Vec<CardRecord>,
    pub failed: Vec<FailedTopic>,
    /// Topics whose articles had to be trimmed to fit the input budget.
    pub trimmed: usize,
    /// Cards that needed at least one re-ask.
    pub repaired: usize,
    /// Re-asks in all.
    pub reasks: usize,
    /// Model cards accepted as first answered: no re-ask, no local repair.
    pub first_valid: usize,
    /// Per topic with a model card: its re-asks and local repairs (eval notes and metrics).
    pub attempts: BTreeMap<String, (u32, Vec<LocalRepair>)>,
    /// Cards written by the model (the rest of `cards` are extractive fallbacks).
    pub by_model: usize,
    /// Topics that got the extractive card because the model's stayed invalid.
    pub fallbacks: usize,
    /// Those topics with the reason the model's card stayed invalid.
    pub fallback_topics: Vec<FailedTopic>,
    /// Local repairs by kind, over every accepted model card.
    pub local_repairs: BTreeMap<LocalRepair, usize>,
    /// The first failure that means the provider cannot answer at all (unreachable, key
    /// refused): the run stops on it instead of listing every topic.
    pub fatal: Option<String>,
    /// The cache key of each topic's first ask, in topic order (run manifests list calls by it).
    pub request_keys: Vec<String>,
}

impl CardOutcome {
    /// The counts the run summary and manifest report.
    pub fn stats(&self) -> CardStats {
        CardStats {
            by_model: self.by_model,
            first_valid: self.first_valid,
            reasks: self.reasks,
            fallbacks: self.fallbacks,
            fallback_topics: self.fallback_topics.clone(),
            local_repairs: self
                .local_repairs
                .iter()
                .map(|(kind, n)| (kind.name().to_string(), *n))
                .collect(),
            insight_fallback: false,
        }
    }
}

impl Writer<'_> {
    /// Writes every topic's card concurrently (the provider stack bounds real concurrency) and
    /// reports `(done, total)` as cards finish.
    pub async fn write_cards(
        &self,
        topics: &[Topic],
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<CardOutcome, PromptError> {
        let section_ids: Vec<String> = self.sections.iter().map(|s| s.id.clone()).collect();
        let (fitted, trimmed) = self.fit_cards(topics);
        let lexicals: Vec<Lexical> = fitted
            .iter()
            .map(|(articles, context)| Lexical::new(articles, context))
            .collect();
        let requests = self.card_requests(topics, &fitted, &lexicals, &section_ids)?;
        let request_keys = requests
            .iter()
            .map(|r| crate::llm::cached::cache_key(self.provider.id(), r))
            .collect();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let answers = join_all(requests.iter().zip(&fitted).zip(&lexicals).map(
            |((request, (articles, _)), lexical)| async {
                let asked = self
                    .ask_card(request, articles, lexical, &section_ids)
                    .await;
                // Once the provider is down every later topic fails at once: "cards: 5/5" for
                // those would read as work done (the run stops on the one message instead).
                if !matches!(&asked, Asked::Failed { error } if error.is_fatal()) {
                    progress(
                        done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1,
                        topics.len(),
                    );
                }
                asked
            },
        ))
        .await;
        let mut outcome = CardOutcome {
            trimmed,
            request_keys,
            ..CardOutcome::default()
        };
        for ((topic, asked), lexical) in topics.iter().zip(answers).zip(lexicals) {
            self.tally_card(&mut outcome, topic, asked, lexical);
        }
        Ok(outcome)
    }

    /// Every topic's articles fitted to the input budget with its block context, and how many
    /// topics had to be trimmed.
    fn fit_cards(&self, topics: &[Topic]) -> (Vec<(Vec<BlockArticle>, CardContext)>, usize) {
        // Fitting counts tokens, most of a cache hit's cost (the fitted prompt is its key); each
        // topic's fit depends on its own articles alone, so the topics are fitted on all cores.
        // The provider's own estimator: a local model's tokenizer counts Chinese higher than o200k.
        let fitted = crate::parallel::par_map(topics, |topic| {
            fit_articles_with(
                block_articles(topic),
                self.max_input_tokens,
                &self.estimator,
            )
        });
        let mut trimmed = 0;
        let prepared = topics
            .iter()
            .zip(fitted)
            .map(|(topic, (articles, was_trimmed))| {
                trimmed += usize::from(was_trimmed);
                (articles, self.card_context(topic, topics.len()))
            })
            .collect();
        (prepared, trimmed)
    }

    /// Each topic's card request, in topic order.
    fn card_requests(
        &self,
        topics: &[Topic],
        fitted: &[(Vec<BlockArticle>, CardContext)],
        lexicals: &[Lexical],
        section_ids: &[String],
    ) -> Result<Vec<ChatRequest>, PromptError> {
        let schema = card_schema(section_ids);
        let sent = self.schema_to_send(&schema, CARD_BOUNDS, CARD_PROSE);
        topics
            .iter()
            .zip(fitted)
            .zip(lexicals)
            .map(|((topic, (articles, context)), lexical)| {
                let messages =
                    self.card_messages(topic, context, articles, topics.len(), &schema)?;
                let topic_schema = self.card_schema_for(&sent, lexical);
                Ok(self.request(Namespace::Card, messages, "card", &topic_schema))
            })
            .collect()
    }

    /// One topic's card: asked, checked, and re-asked about what failed.
    async fn ask_card(
        &self,
        request: &ChatRequest,
        articles: &[BlockArticle],
        lexical: &Lexical<'_>,
        section_ids: &[String],
    ) -> Asked<Card> {
        let check = CardCheck {
            section_ids,
            language: self.language,
            translates: self.settings.translates,
            language_name: language_name(self.language),
            articles,
            lexical,
            // The predicate `card_schema_for` sent the choices by.
            entity_choices: self.settings.grammar_holds_model_strings(),
        };
        ask_checked(
            self.provider,
            request.clone(),
            self.max_repairs,
            |content| {
                if !self.settings.translates {
                    // The extractive baseline's card is taken as it writes it: a re-ask could
                    // change nothing, and its output stays its own.
                    return validate_card(content, section_ids)
                        .map(|card| (card, Vec::new()))
                        .map_err(|e| vec![e]);
                }
                check_card(content, &check).map(|c| (c.card, c.repairs))
            },
        )
        .await
    }

    /// Adds one topic's answer to the outcome: a model card, the extractive fallback, or a
    /// failed topic.
    fn tally_card(
        &self,
        outcome: &mut CardOutcome,
        topic: &Topic,
        asked: Asked<Card>,
        lexical: Lexical,
    ) {
        let record = |card: Card, fallback: bool| CardRecord {
            topic_id: topic.id.clone(),
            rank: topic.rank,
            focus: topic.focus,
            card,
            sources: sources_of(topic),
            continuing: self.previously.contains_key(&topic.story.id),
            fallback,
        };
        let failed = |reason: String| FailedTopic {
            topic_id: topic.id.clone(),
            title: topic
                .story
                .articles
                .first()
                .map(|a| a.title.clone())
                .unwrap_or_default(),
            reason,
        };
        match asked {
            Asked::Valid {
                value,
                reasks,
                local,
            } => {
                outcome.repaired += usize::from(reasks > 0);
                outcome.reasks += reasks as usize;
                outcome.first_valid += usize::from(reasks == 0 && local.is_empty());
                outcome.by_model += 1;
                for kind in &local {
                    *outcome.local_repairs.entry(*kind).or_default() += 1;
                }
                outcome.attempts.insert(topic.id.clone(), (reasks, local));
                outcome.cards.push(record(value, false));
            }
            Asked::Invalid { reason, reasks } => {
                outcome.reasks += reasks as usize;
                match self.fallback {
                    CardFallback::Extractive => {
                        tracing::info!(topic = %topic.id, %reason, "extractive fallback card");
                        outcome.fallbacks += 1;
                        outcome.fallback_topics.push(failed(reason));
                        outcome.cards.push(record(lexical.into_card(), true));
                    }
                    CardFallback::None => outcome.failed.push(failed(reason)),
                }
            }
            Asked::Failed { error } => {
                if error.is_fatal() && outcome.fatal.is_none() {
                    outcome.fatal = Some(error.to_string());
                }
                outcome.failed.push(failed(error.to_string()));
            }
        }
    }

    fn card_context(&self, topic: &Topic, topic_count: usize) -> CardContext {
        CardContext {
            language: self.language.tag().to_string(),
            rank: topic.rank,
            topic_count,
            sections: self.block_sections(),
            previously: self.previously.get(&topic.story.id).cloned(),
        }
    }

    /// The card schema one topic's request carries: `sent` (the schema with its language
    /// patterns, `schema_to_send`, the same for every topic) and, where the server
    /// grammar-constrains the answer, entities chosen from the names the lexical card finds in
    /// the topic's articles (`with_entity_choices`; the answer goes back to a list through
    /// `entities_from_choices` in the check): a 1.5B model listed up to 21 "entities", generic
    /// nouns and names in no article among them (issue 16's eval: entity precision 39.7 against
    /// the lexical card's 68.2), and a name it can only pick is a name the articles use. The
    /// choices are part of the request, so in that mode every topic's lexical card is made, cache
    /// hit or not.
    fn card_schema_for(&self, sent: &serde_json::Value, lexical: &Lexical) -> serde_json::Value {
        if self.settings.grammar_holds_model_strings() {
            with_entity_choices(sent.clone(), &lexical.card().entities)
        } else {
            sent.clone()
        }
    }

    /// The card request's messages for `topic`, with its articles already fitted.
    fn card_messages(
        &self,
        topic: &Topic,
        context: &CardContext,
        articles: &[BlockArticle],
        topic_count: usize,
        schema: &serde_json::Value,
    ) -> Result<Vec<crate::llm::Message>, PromptError> {
        let mut ctx = self.prompt_context(schema);
        ctx.insert("sections", &context.sections);
        ctx.insert("rank", &topic.rank);
        ctx.insert("topic_count", &topic_count);
        ctx.insert("continuing", &context.previously.is_some());
        ctx.insert("context_block", &write_block("context", context));
        // A model reads every figure in the digest's units; the check keeps judging against the
        // articles as published, and so does the extractive baseline, which copies sentences.
        let restate = self.settings.translates;
        let restated: Vec<BlockArticle>;
        let shown = if restate {
            restated = articles
                .iter()
                .map(|a| BlockArticle {
                    title: with_figures_restated(&a.title, self.language),
                    text: with_figures_restated(&a.text, self.language),
                    ..a.clone()
                })
                .collect();
            &restated[..]
        } else {
            articles
        };
        ctx.insert("figures_restated", &restate);
        ctx.insert("articles_block", &write_block("articles", shown));
        self.prompts.render("card.tera", &ctx)
    }
}

/// A topic's articles as the `<articles>` block shows them, best first, untrimmed.
fn block_articles(topic: &Topic) -> Vec<BlockArticle> {
    topic
        .story
        .articles
        .iter()
        .map(|a| BlockArticle::new(a, a.text.clone()))
        .collect()
}

/// A card's sources: the topic's articles, one per distinct URL, best first.
pub fn sources_of(topic: &Topic) -> Vec<SourceRef> {
    let mut seen = std::collections::BTreeSet::new();
    topic
        .story
        .articles
        .iter()
        .filter(|a| seen.insert(a.url.clone()))
        .map(SourceRef::of)
        .collect()
}
