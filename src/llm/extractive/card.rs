//! The card: a topic's articles (best first) and its context in, a `Card` out — summary from the
//! sentences closest to the topic centroid, details and scenarios from cue-word sentences, the
//! title, section, entities and an importance from the topic's rank. Never a sentence the
//! articles do not contain.

use super::*;

/// Builds a card from a topic's articles (best first) and its context.
pub fn card_from_articles(articles: &[BlockArticle], context: &CardContext) -> Card {
    let language = target_language(&context.language);
    let sentences = candidate_sentences(articles);
    let titles: Vec<&str> = articles.iter().map(|a| a.title.as_str()).collect();
    let similarities = centroid_similarities(&sentences, &titles);

    let pool = preferred_pool(&sentences, language);
    let summary_picks = pick_summary(&similarities, &pool);
    let mut used: BTreeSet<usize> = summary_picks.iter().copied().collect();

    let on_topic = on_topic_floor(&similarities, &pool);
    let details_picks = pick_by_score(
        &sentences,
        &similarities,
        &pool,
        &used,
        on_topic,
        method_score,
        DETAILS_SENTENCES,
    );
    used.extend(details_picks.iter().copied());
    let scenario_picks = pick_by_score(
        &sentences,
        &similarities,
        &pool,
        &used,
        on_topic,
        scenario_score,
        SCENARIO_SENTENCES,
    );

    let limit = crate::llm::schema::card_char_limit;
    let mut summary = join_within(
        summary_picks.iter().map(|&i| sentences[i].text.as_str()),
        limit("summary"),
    );
    if summary.is_empty() {
        // No usable sentence at all (empty or boilerplate-only bodies): the headline is still true.
        summary = join_sentences(
            titles
                .iter()
                .copied()
                .filter(|t| !t.trim().is_empty())
                .take(1),
        );
    }
    let details = join_within(
        details_picks.iter().map(|&i| sentences[i].text.as_str()),
        limit("details"),
    );
    let scenarios = join_within(
        scenario_picks.iter().map(|&i| sentences[i].text.as_str()),
        limit("scenarios"),
    );

    let entities = extract_entities(articles, &sentences);
    Card {
        title: in_script(&choose_title(articles, language), language),
        summary: in_script(&summary, language),
        details: in_script(&details, language),
        scenarios: in_script(&scenarios, language),
        entities: dedupe_case_insensitive(entities.iter().map(|e| name_in_script(e, language))),
        importance: importance_for_rank(context.rank, context.topic_count),
        section: choose_section(&context.sections, articles),
        // What only a writer can give — an analysis, a rewritten short headline, tags, themed
        // points, impacts — stays empty: a sentence picker has none of it to offer.
        insight: String::new(),
        short_title: String::new(),
        tags: Vec::new(),
        key_points: Vec::new(),
        impacts: Vec::new(),
    }
}

/// One usable sentence of the topic, in document order.
#[derive(Debug, Clone)]
pub(super) struct Sentence {
    pub(super) text: String,
    /// Index of the article it came from.
    pub(super) article: usize,
    /// Number of Han characters: decides which language pool it belongs to.
    pub(super) han_chars: usize,
}

/// Rank among today's topics → importance: the top fifth is high, the rest of the top half medium.
pub(crate) fn importance_for_rank(rank: usize, topic_count: usize) -> Importance {
    let high_until = topic_count.div_ceil(5).max(1);
    if rank <= high_until {
        Importance::High
    } else if rank <= topic_count.div_ceil(2) {
        Importance::Medium
    } else {
        Importance::Low
    }
}
