//! Story ranking and topic selection. In: stories and the run's clock; out: the top stories as
//! ranked topics (the first few marked as today's focus), the stories dropped as off-topic with
//! their AI relevance, and how many on-topic stories fell beyond the cap. Never reads the wall
//! clock (`now` is a parameter) and never calls a model: relevance here is lexical.

use chrono::{DateTime, Utc};

use crate::config::RankingConfig;
use crate::model::{Article, CardRecord, Importance, Story, Topic};
use crate::text;

#[derive(Debug, Clone, PartialEq)]
pub struct RankParams {
    /// At most this many topics are kept (the digest's `max_topics`).
    pub max_topics: usize,
    /// The first this many topics are today's focus.
    pub focus_topics: usize,
    /// The digest's cut-off; recency is measured back from here.
    pub now: DateTime<Utc>,
    /// Stories whose best article scores below this `relevance` are off-topic.
    pub min_relevance: f64,
    /// `[digest.ranking]`: the weights of the score's parts and the audience's boosts.
    pub weights: RankingConfig,
}

impl RankParams {
    /// Where an AI-news day separates from the rest (`text::relevance::DEFAULT_MIN_RELEVANCE`).
    pub const DEFAULT_MIN_RELEVANCE: f64 = text::relevance::DEFAULT_MIN_RELEVANCE;
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// Kept stories, best first, ranks from 1.
    pub topics: Vec<Topic>,
    /// Stories dropped as off-topic, with their relevance (most relevant first).
    pub off_topic: Vec<(Story, f64)>,
    /// On-topic stories that did not fit under `max_topics`, best first, with their score.
    pub beyond_max: Vec<(Story, f64)>,
}

/// A story's rank score and what it is made of: each field is that component's weighted
/// contribution, `total` their sum (shown by `newsdesk cluster --json`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ScoreParts {
    /// Distinct outlets reporting the story.
    pub distinct_outlets: usize,
    /// Best (lowest) source tier among its articles.
    pub best_tier: u8,
    /// Hours from the newest article to `now`.
    pub age_hours: f64,
    /// AI relevance of its most relevant article (0..1).
    pub relevance: f64,
    pub outlets_score: f64,
    pub tier_score: f64,
    pub recency_score: f64,
    pub size_score: f64,
    pub relevance_score: f64,
    /// The sum of the `[digest.ranking.boost]` entries the story matches.
    pub boost_score: f64,
    pub total: f64,
}

/// Score of a story for `now`, with its parts: distinct outlets, best tier, recency, size,
/// relevance and the audience's boosts, each weighted by `weights`.
pub fn score_parts(story: &Story, now: DateTime<Utc>, weights: &RankingConfig) -> ScoreParts {
    score_parts_at(story, now, story_relevance(story), weights)
}

/// `score_parts` with the story's relevance already known: ranking needs it first to tell
/// off-topic stories apart, and relevance is the costly part of a score.
fn score_parts_at(
    story: &Story,
    now: DateTime<Utc>,
    relevance: f64,
    weights: &RankingConfig,
) -> ScoreParts {
    let mut outlets: Vec<&str> = story.articles.iter().map(|a| a.outlet.as_str()).collect();
    outlets.sort_unstable();
    outlets.dedup();
    let best_tier = story
        .articles
        .iter()
        .map(|a| a.tier)
        .min()
        .unwrap_or(3)
        .clamp(1, 3);
    let newest = story
        .articles
        .iter()
        .map(|a| a.published_at)
        .max()
        .unwrap_or(now);
    let age_hours = ((now - newest).num_seconds() as f64 / 3600.0).max(0.0);
    let outlets_score = weights.outlets * (outlets.len().max(1) as f64).ln();
    let tier_score = weights.tier * (3 - best_tier) as f64 / 2.0;
    let recency_score = weights.recency * 0.5f64.powf(age_hours / weights.recency_half_life_hours);
    let size_score = weights.size * (story.articles.len().max(1) as f64).ln();
    let relevance_score = weights.relevance * relevance;
    let boost_score = boost(story, weights);
    ScoreParts {
        distinct_outlets: outlets.len(),
        best_tier,
        age_hours,
        relevance,
        outlets_score,
        tier_score,
        recency_score,
        size_score,
        relevance_score,
        boost_score,
        total: outlets_score
            + tier_score
            + recency_score
            + size_score
            + relevance_score
            + boost_score,
    }
}

/// The sum of the boosts `story` matches, each counted once however many articles match it.
fn boost(story: &Story, weights: &RankingConfig) -> f64 {
    if weights.source_boosts.is_empty()
        && weights.keyword_boosts.is_empty()
        && weights.entity_boosts.is_empty()
    {
        return 0.0;
    }
    let sources: f64 = weights
        .source_boosts
        .iter()
        .filter(|(name, _)| story.articles.iter().any(|a| &a.source == name))
        .map(|(_, b)| b)
        .sum();
    let keywords: f64 = if weights.keyword_boosts.is_empty() {
        0.0
    } else {
        let texts: Vec<String> = story
            .articles
            .iter()
            .map(|a| fold(&format!("{}\n{}", a.title, a.text)))
            .collect();
        weights
            .keyword_boosts
            .iter()
            .filter(|(keyword, _)| {
                let keyword = fold(keyword);
                texts.iter().any(|t| t.contains(&keyword))
            })
            .map(|(_, b)| b)
            .sum()
    };
    let entities: f64 = weights
        .entity_boosts
        .iter()
        .filter(|(name, _)| story.articles.iter().any(|a| names(&a.title, name)))
        .map(|(_, b)| b)
        .sum();
    sources + keywords + entities
}

/// Boosts match either script and any case: both sides folded to Simplified lower case.
fn fold(text: &str) -> String {
    text::script::fold_to_simplified(text).to_lowercase()
}

/// Does `title` name `name`: either script, any case, and for a name that starts or ends with
/// a Latin letter or digit, not as part of a longer word ("Meta" is not in "Metaverse").
fn names(title: &str, name: &str) -> bool {
    let (title, name) = (fold(title), fold(name));
    if name.is_empty() {
        return false;
    }
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    title.match_indices(&name).any(|(at, _)| {
        let before = title[..at].chars().next_back();
        let after = title[at + name.len()..].chars().next();
        let glued_before = word(name.chars().next()) && word(before);
        let glued_after = word(name.chars().next_back()) && word(after);
        !glued_before && !glued_after
    })
}

/// Score of a story for `now` with the built-in weights (`score_parts(..).total`).
pub fn score(story: &Story, now: DateTime<Utc>) -> f64 {
    score_parts(story, now, &RankingConfig::default()).total
}

/// A story is as relevant as its most relevant article: one clearly-AI report makes it AI news.
pub fn story_relevance(story: &Story) -> f64 {
    story.articles.iter().map(relevance).fold(0.0, f64::max)
}

/// 0..1 lexical AI relevance of one article: its title and the start of its body
/// (`text::relevance`).
pub fn relevance(article: &Article) -> f64 {
    text::relevance::ai_relevance(&article.title, &article.text)
}

/// Score stories, drop off-topic ones, keep the top `max_topics` and mark the first
/// `focus_topics` as focus. Ties go to the smaller story id.
pub fn rank(stories: Vec<Story>, params: &RankParams) -> Ranked {
    let mut on_topic: Vec<(f64, Story)> = Vec::new();
    let mut off_topic: Vec<(Story, f64)> = Vec::new();
    for story in stories {
        let rel = story_relevance(&story);
        if rel < params.min_relevance {
            off_topic.push((story, rel));
        } else {
            on_topic.push((
                score_parts_at(&story, params.now, rel, &params.weights).total,
                story,
            ));
        }
    }
    on_topic.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    off_topic.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.id.cmp(&b.0.id)));
    let beyond_max: Vec<(Story, f64)> = on_topic
        .split_off(params.max_topics.min(on_topic.len()))
        .into_iter()
        .map(|(score, story)| (story, score))
        .collect();
    let topics = on_topic
        .into_iter()
        .enumerate()
        .map(|(i, (score, story))| Topic {
            id: story.id.clone(),
            rank: i + 1,
            score,
            focus: i < params.focus_topics,
            story,
        })
        .collect();
    Ranked {
        topics,
        off_topic,
        beyond_max,
    }
}

/// Marks today's focus among the finished cards: the `focus_topics` most important, the model's
/// importance first (high before medium before low), rank within each. Ranking marked the top
/// stories before any card existed; the card call has read them, so its judgement decides.
pub fn choose_focus(cards: &mut [CardRecord], focus_topics: usize) {
    let importance_rank = |i: Importance| match i {
        Importance::High => 0,
        Importance::Medium => 1,
        Importance::Low => 2,
    };
    let mut order: Vec<usize> = (0..cards.len()).collect();
    order.sort_by_key(|&i| (importance_rank(cards[i].card.importance), cards[i].rank));
    for card in cards.iter_mut() {
        card.focus = false;
    }
    for &i in order.iter().take(focus_topics) {
        cards[i].focus = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::tests_support::{article, at, story};

    fn params(now_h: u32) -> RankParams {
        RankParams {
            max_topics: 10,
            focus_topics: 1,
            now: at(now_h),
            min_relevance: 0.25,
            weights: RankingConfig::default(),
        }
    }

    #[test]
    fn three_outlets_beat_one_and_off_topic_is_dropped() {
        let ai_text =
            "OpenAI released GPT-5.2, a new LLM with better reasoning and inference on GPUs.";
        let mut single = article("s1", "Lumen-7B small model tops benchmark", ai_text);
        single.tier = 1;
        single.published_at = at(23);
        let mut wide = Vec::new();
        for (i, outlet) in ["Outlet A", "Outlet B", "Outlet C"].iter().enumerate() {
            let mut a = article(&format!("w{i}"), "OpenAI ships GPT-5.2", ai_text);
            a.outlet = outlet.to_string();
            a.tier = 3;
            a.published_at = at(2);
            wide.push(a);
        }
        let pet = article(
            "p1",
            "Best cat feeders of the year",
            "Kibble bowls, timers and a quiet motor for your cat.",
        );
        let stories = vec![story(vec![single]), story(vec![pet]), story(wide)];
        let ranked = rank(stories, &params(23));
        let ids: Vec<&str> = ranked
            .topics
            .iter()
            .map(|t| t.story.articles[0].id.as_str())
            .collect();
        assert_eq!(ids, ["w0", "s1"]);
        assert_eq!(ranked.topics[0].rank, 1);
        assert!(ranked.topics[0].focus && !ranked.topics[1].focus);
        assert!(ranked.topics[0].score > ranked.topics[1].score);
        let parts = score_parts(
            &ranked.topics[0].story,
            params(23).now,
            &RankingConfig::default(),
        );
        assert_eq!(parts.total, ranked.topics[0].score);
        let sum = parts.outlets_score
            + parts.tier_score
            + parts.recency_score
            + parts.size_score
            + parts.relevance_score
            + parts.boost_score;
        assert!((sum - parts.total).abs() < 1e-12);
        assert!(parts.distinct_outlets >= 1 && (1..=3).contains(&parts.best_tier));
        assert_eq!(ranked.off_topic.len(), 1);
        assert_eq!(ranked.off_topic[0].0.articles[0].id, "p1");
        assert!(ranked.beyond_max.is_empty());
    }

    #[test]
    fn max_topics_caps_and_counts_the_rest() {
        let stories: Vec<Story> = (0..5)
            .map(|i| {
                story(vec![article(
                    &format!("a{i}"),
                    &format!("GPT-5.{i} model"),
                    "An LLM for AI agents.",
                )])
            })
            .collect();
        let ranked = rank(
            stories,
            &RankParams {
                max_topics: 3,
                ..params(12)
            },
        );
        assert_eq!(ranked.topics.len(), 3);
        assert_eq!(ranked.beyond_max.len(), 2);
        let ranks: Vec<usize> = ranked.topics.iter().map(|t| t.rank).collect();
        assert_eq!(ranks, [1, 2, 3]);
        // The cut stories are the lowest-scored ones, best first, none lost.
        let last_kept = ranked.topics[2].score;
        assert!(ranked.beyond_max.iter().all(|(_, s)| *s <= last_kept));
        assert!(ranked.beyond_max[0].1 >= ranked.beyond_max[1].1);
        let mut all: Vec<&str> = ranked.topics.iter().map(|t| t.id.as_str()).collect();
        all.extend(ranked.beyond_max.iter().map(|(s, _)| s.id.as_str()));
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 5);
    }

    #[test]
    fn recency_prefers_the_newer_of_two_equal_stories() {
        let mut old = article("a", "GPT-5.2 model", "An LLM for AI agents.");
        old.published_at = at(0);
        let mut new = article("b", "GPT-5.3 model", "An LLM for AI agents.");
        new.published_at = at(20);
        let ranked = rank(vec![story(vec![old]), story(vec![new])], &params(23));
        assert_eq!(ranked.topics[0].story.articles[0].id, "b");
    }

    #[test]
    fn boosts_lift_what_the_audience_cares_about() {
        let text = "An LLM for AI agents with open weights.";
        let mut plain = article("a", "GPT-5.2 model", text);
        plain.published_at = at(20);
        let mut boosted = article("b", "NVIDIA Helix chips for inference", text);
        boosted.published_at = at(10);
        boosted.source = "wire".into();
        let stories = || vec![story(vec![plain.clone()]), story(vec![boosted.clone()])];
        let first = |weights: RankingConfig| {
            let ranked = rank(
                stories(),
                &RankParams {
                    weights,
                    ..params(23)
                },
            );
            ranked.topics[0].story.articles[0].id.clone()
        };
        // The built-in weights prefer the newer story.
        assert_eq!(first(RankingConfig::default()), "a");
        for weights in [
            RankingConfig {
                source_boosts: vec![("wire".into(), 1.0)],
                ..RankingConfig::default()
            },
            RankingConfig {
                keyword_boosts: vec![("helix".into(), 1.0)],
                ..RankingConfig::default()
            },
            RankingConfig {
                entity_boosts: vec![("NVIDIA".into(), 1.0)],
                ..RankingConfig::default()
            },
            RankingConfig {
                recency: 0.0,
                ..RankingConfig::default()
            },
        ] {
            assert_eq!(first(weights.clone()), "b", "{weights:?}");
        }
        // A boost counts once, and a name inside a longer word is not the name.
        let parts = score_parts(
            &story(vec![boosted.clone(), boosted.clone()]),
            at(23),
            &RankingConfig {
                entity_boosts: vec![("NVIDIA".into(), 1.0), ("Helix chip".into(), 5.0)],
                ..RankingConfig::default()
            },
        );
        assert_eq!(parts.boost_score, 1.0);
    }

    #[test]
    fn focus_prefers_the_cards_importance_then_rank() {
        // From JSON, as a digest stores it: only the fields focus is about.
        let card = |rank: usize, importance: Importance| -> CardRecord {
            serde_json::from_value(serde_json::json!({
                "topic_id": format!("t{rank}"), "rank": rank, "focus": rank == 1, "sources": [],
                "card": {"title": "", "summary": "", "details": "", "scenarios": "", "entities": [],
                         "importance": importance, "section": "", "insight": ""}
            }))
            .unwrap()
        };
        let mut cards = vec![
            card(1, Importance::Medium),
            card(2, Importance::High),
            card(3, Importance::Low),
            card(4, Importance::High),
        ];
        choose_focus(&mut cards, 3);
        let focus: Vec<usize> = cards.iter().filter(|c| c.focus).map(|c| c.rank).collect();
        assert_eq!(focus, [1, 2, 4]);
        choose_focus(&mut cards, 1);
        let focus: Vec<usize> = cards.iter().filter(|c| c.focus).map(|c| c.rank).collect();
        assert_eq!(focus, [2]);
    }
}
