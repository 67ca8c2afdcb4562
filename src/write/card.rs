//! The card stage. In: ranked topics; out: one validated `CardRecord` per topic, in rank order,
//! plus a `FailedTopic` with its reason for every topic that got none. The prompt carries the
//! topic's articles (best first, trimmed to the input budget) inside the `<articles>` block; the
//! card's sources are the topic's own articles and never come from the model.

use futures::future::join_all;

use super::prompts::PromptError;
use super::{Asked, Writer, ask_validated};
use crate::llm::Namespace;
use crate::llm::blocks::{BlockArticle, CardContext, write_block};
use crate::llm::budget::fit_articles;
use crate::llm::schema::{card_schema, validate_card};
use crate::model::{CardRecord, FailedTopic, SourceRef, Topic};

#[derive(Debug, Default)]
pub struct CardOutcome {
    pub cards: Vec<CardRecord>,
    pub failed: Vec<FailedTopic>,
    /// Topics whose articles had to be trimmed to fit the input budget.
    pub trimmed: usize,
    /// Cards that needed the repair re-ask.
    pub repaired: usize,
    /// The cache key of each topic's first ask, in topic order (run manifests list calls by it).
    pub request_keys: Vec<String>,
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
        let schema = card_schema(&section_ids);
        let done = std::sync::atomic::AtomicUsize::new(0);
        // Fitting counts tokens, most of a cache hit's cost (the fitted prompt is its key); each
        // topic's fit depends on its own articles alone, so the topics are fitted on all cores.
        let fitted = crate::parallel::par_map(topics, |topic| {
            fit_articles(block_articles(topic), self.max_input_tokens)
        });
        let mut requests = Vec::with_capacity(topics.len());
        let mut trimmed = 0;
        for (topic, (articles, was_trimmed)) in topics.iter().zip(fitted) {
            let messages = self.card_messages(topic, articles, topics.len(), &schema)?;
            trimmed += usize::from(was_trimmed);
            requests.push(
                self.settings
                    .request(Namespace::Card, messages, "card", &schema),
            );
        }
        let request_keys = requests
            .iter()
            .map(|r| crate::llm::cached::cache_key(self.provider.id(), r))
            .collect();
        let answers = join_all(requests.into_iter().map(|request| {
            let section_ids = &section_ids;
            let done = &done;
            async move {
                let asked = ask_validated(self.provider, request, |content| {
                    validate_card(content, section_ids)
                })
                .await;
                progress(
                    done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1,
                    topics.len(),
                );
                asked
            }
        }))
        .await;

        let mut outcome = CardOutcome {
            trimmed,
            request_keys,
            ..CardOutcome::default()
        };
        for (topic, asked) in topics.iter().zip(answers) {
            let title = topic
                .story
                .articles
                .first()
                .map(|a| a.title.clone())
                .unwrap_or_default();
            match asked {
                Asked::Valid { value, repaired } => {
                    outcome.repaired += usize::from(repaired);
                    outcome.cards.push(CardRecord {
                        topic_id: topic.id.clone(),
                        rank: topic.rank,
                        focus: topic.focus,
                        card: value,
                        sources: sources_of(topic),
                        continuing: self.previously.contains_key(&topic.story.id),
                    });
                }
                Asked::Invalid { reason } => outcome.failed.push(FailedTopic {
                    topic_id: topic.id.clone(),
                    title,
                    reason,
                }),
                Asked::Failed { error } => outcome.failed.push(FailedTopic {
                    topic_id: topic.id.clone(),
                    title,
                    reason: error.to_string(),
                }),
            }
        }
        Ok(outcome)
    }

    /// The card request's messages for `topic`, with its articles already fitted.
    fn card_messages(
        &self,
        topic: &Topic,
        articles: Vec<BlockArticle>,
        topic_count: usize,
        schema: &serde_json::Value,
    ) -> Result<Vec<crate::llm::Message>, PromptError> {
        let sections = self.block_sections();
        let context = CardContext {
            language: self.language.tag().to_string(),
            rank: topic.rank,
            topic_count,
            sections: sections.clone(),
            previously: self.previously.get(&topic.story.id).cloned(),
        };
        let mut ctx = self.prompt_context(schema);
        ctx.insert("sections", &sections);
        ctx.insert("rank", &topic.rank);
        ctx.insert("topic_count", &topic_count);
        ctx.insert("continuing", &context.previously.is_some());
        ctx.insert("context_block", &write_block("context", &context));
        ctx.insert("articles_block", &write_block("articles", &articles));
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
