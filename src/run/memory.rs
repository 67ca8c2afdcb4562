//! Cross-day memory. In: today's stories and the digests published on the `memory_days` days
//! before the digest date (`<out_dir>/<date>.json`); out: the stories to write — new ones, and
//! ones told before that new articles bring new facts to (marked continuing, with what was said
//! before for the card prompt) — and the stories dropped as already published, with why.
//!
//! A story is "told before" when one of its articles' canonical URLs, or its lead title, is a
//! source of a card in a remembered digest (newest digest first). Its new articles are the ones
//! that card did not cite; they bring new facts when they name a model/version token or a number
//! the earlier card never mentioned. Nothing here calls a model or reads the clock.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use chrono::NaiveDate;

use crate::model::{Digest, Previously, Story};
use crate::text::url::canonical_url;
use crate::text::{Options, TokenKind, tokenize};

/// A story left out because an earlier digest already told it.
#[derive(Debug, Clone, PartialEq)]
pub struct Repeated {
    pub story: Story,
    pub date: NaiveDate,
    /// "no new articles" or "new articles but no new facts".
    pub why: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Remembered {
    /// In input order: new stories and continuing ones.
    pub stories: Vec<Story>,
    /// Story id → what was said before, for the continuing stories.
    pub continuing: BTreeMap<String, Previously>,
    pub repeated: Vec<Repeated>,
}

/// The digests of the `days` days before `date` published in `out_dir`, newest first
/// (`publish::published_digest`: an unreadable one is skipped, never fatal).
pub fn previous_digests(out_dir: &Path, date: NaiveDate, days: u32) -> Vec<Digest> {
    (1..=i64::from(days))
        .filter_map(|back| {
            super::publish::published_digest(out_dir, date - chrono::Duration::days(back))
        })
        .collect()
}

/// Splits `stories` by what the `previous` digests (newest first) already told. With
/// `follow_ups` false every story told before is dropped, new facts or not.
pub fn remember(stories: Vec<Story>, previous: &[Digest], follow_ups: bool) -> Remembered {
    let mut out = Remembered::default();
    for story in stories {
        let Some((digest, card)) = told_in(&story, previous) else {
            out.stories.push(story);
            continue;
        };
        let cited: BTreeSet<String> = card
            .sources
            .iter()
            .filter_map(|s| canonical_url(&s.url))
            .collect();
        let new_articles: Vec<&crate::model::Article> = story
            .articles
            .iter()
            .filter(|a| !canonical_url(&a.url).is_some_and(|u| cited.contains(&u)))
            .collect();
        let said = format!(
            "{}\n{}\n{}\n{}\n{}",
            card.card.title,
            card.card.summary,
            card.card.details,
            card.card.entities.join("\n"),
            card.sources
                .iter()
                .map(|s| s.title.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
        let known = facts(&said);
        let new_facts: Vec<String> = new_articles
            .iter()
            .flat_map(|a| facts(&format!("{}\n{}", a.title, a.text)))
            .collect::<BTreeSet<String>>()
            .difference(&known)
            .cloned()
            .collect();
        let why = if new_articles.is_empty() {
            Some("no new articles")
        } else if new_facts.is_empty() {
            Some("new articles but no new facts")
        } else if !follow_ups {
            Some("follow-ups are off (collect.memory_follow_ups)")
        } else {
            None
        };
        match why {
            Some(why) => out.repeated.push(Repeated {
                story,
                date: digest.date,
                why,
            }),
            None => {
                out.continuing.insert(
                    story.id.clone(),
                    Previously {
                        date: digest.date,
                        title: card.card.title.clone(),
                        summary: card.card.summary.clone(),
                        new_facts,
                    },
                );
                out.stories.push(story);
            }
        }
    }
    out
}

/// The newest remembered card whose sources include one of the story's URLs or its lead title.
fn told_in<'d>(
    story: &Story,
    previous: &'d [Digest],
) -> Option<(&'d Digest, &'d crate::model::CardRecord)> {
    let urls: BTreeSet<String> = story
        .articles
        .iter()
        .filter_map(|a| canonical_url(&a.url))
        .collect();
    let titles: BTreeSet<String> = story.articles.iter().map(|a| title_key(&a.title)).collect();
    previous.iter().find_map(|digest| {
        digest
            .cards
            .iter()
            .find(|card| {
                card.sources.iter().any(|s| {
                    canonical_url(&s.url).is_some_and(|u| urls.contains(&u))
                        || titles.contains(&title_key(&s.title))
                })
            })
            .map(|card| (digest, card))
    })
}

fn title_key(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The checkable facts of a text: model/version tokens (`qwen-image-2512`, `v4`) and numbers
/// (`92`, `3.5`), the things a follow-up adds and a repost repeats.
fn facts(text: &str) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = tokenize(text, &Options::CLUSTER)
        .into_iter()
        .filter(|t| matches!(t.kind, TokenKind::Model | TokenKind::Code))
        .map(|t| t.text)
        .collect();
    // Bare numbers: the tokenizer drops them on purpose (they link unrelated stories), but for
    // "what is new since yesterday" a changed figure is exactly the news.
    let mut number = String::new();
    for c in text.chars().chain([' ']) {
        if c.is_ascii_digit() || (c == '.' && !number.is_empty()) {
            number.push(c);
        } else if !number.is_empty() {
            let trimmed = number.trim_end_matches('.');
            if !trimmed.is_empty() {
                out.insert(trimmed.to_string());
            }
            number.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::model::{
        Article, Card, CardRecord, Generator, Importance, Insight, Language, SourceRef,
    };

    fn article(id: &str, url: &str, title: &str, text: &str) -> Article {
        Article {
            id: id.into(),
            url: url.into(),
            outlet: "Wire".into(),
            source: "wire".into(),
            tier: 2,
            title: title.into(),
            published_at: Utc.with_ymd_and_hms(2026, 1, 5, 2, 0, 0).unwrap(),
            lang: "en".into(),
            text: text.into(),
            tags: vec![],
        }
    }

    fn story(id: &str, articles: Vec<Article>) -> Story {
        Story {
            id: id.into(),
            articles,
            merges: vec![],
        }
    }

    fn digest(date: NaiveDate, sources: &[(&str, &str)], summary: &str) -> Digest {
        Digest {
            date,
            title: "AI Daily".into(),
            language: Language::En,
            generated_at: String::new(),
            window_hours: 24,
            generator: Generator {
                provider: "extractive".into(),
                model: "extractive".into(),
                run: "r".into(),
            },
            cards: vec![CardRecord {
                topic_id: "t1".into(),
                rank: 1,
                focus: true,
                card: Card {
                    title: "Qwen-Image-2512 released".into(),
                    summary: summary.into(),
                    details: String::new(),
                    scenarios: String::new(),
                    entities: vec!["Alibaba".into()],
                    importance: Importance::High,
                    section: "models".into(),
                    insight: String::new(),
                    short_title: String::new(),
                    tags: Vec::new(),
                    key_points: Vec::new(),
                    impacts: Vec::new(),
                },
                sources: sources
                    .iter()
                    .map(|(url, title)| SourceRef {
                        title: title.to_string(),
                        url: url.to_string(),
                        outlet: "Wire".into(),
                        article_id: String::new(),
                        published: None,
                    })
                    .collect(),
                continuing: false,
                fallback: false,
            }],
            insight: serde_json::from_value::<Insight>(serde_json::json!({
                "headline": "", "description": "", "tags": [], "trend_summary": "",
                "tech_context": "", "outlook": "", "watchlist": [], "keywords": [],
                "background": [], "further_reading": [], "quick_read": []
            }))
            .unwrap(),
            article_count: 1,
            topic_count: 1,
            failed: vec![],
            more: vec![],
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, d).unwrap()
    }

    #[test]
    fn repeats_are_dropped_follow_ups_with_new_facts_continue_and_new_stories_pass() {
        let yesterday = digest(
            day(4),
            &[(
                "https://wire.example/qwen?utm_source=x",
                "Qwen-Image-2512 released",
            )],
            "Alibaba released Qwen-Image-2512, scoring 92 on GenEval.",
        );
        let repost = story(
            "s-repost",
            vec![article(
                "a",
                "https://wire.example/qwen",
                "Qwen-Image-2512 released",
                "Alibaba released Qwen-Image-2512, scoring 92 on GenEval.",
            )],
        );
        let follow_up = story(
            "s-follow",
            vec![
                article(
                    "b",
                    "https://wire.example/qwen",
                    "Qwen-Image-2512 released",
                    "Alibaba released Qwen-Image-2512.",
                ),
                article(
                    "c",
                    "https://other.example/qwen-edit",
                    "Qwen-Image-2512 gets an Edit variant",
                    "Qwen-Image-Edit-2512 now tops the arena with 1205 Elo.",
                ),
            ],
        );
        let rewrite = story(
            "s-rewrite",
            vec![article(
                "d",
                "https://blog.example/qwen",
                "Qwen-Image-2512 released",
                "A recap: Alibaba released Qwen-Image-2512, 92 on GenEval.",
            )],
        );
        let fresh = story(
            "s-new",
            vec![article(
                "e",
                "https://wire.example/gemini",
                "Gemini 3 Flash ships",
                "Google shipped Gemini 3 Flash.",
            )],
        );
        let stories = vec![repost, follow_up, rewrite, fresh];
        let out = remember(stories.clone(), std::slice::from_ref(&yesterday), true);
        let kept: Vec<&str> = out.stories.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(kept, vec!["s-follow", "s-new"]);
        let previously = &out.continuing["s-follow"];
        assert_eq!(previously.date, day(4));
        assert_eq!(previously.title, "Qwen-Image-2512 released");
        // 2512 and qwen-image-2512 were said yesterday; the Edit variant and its score are new.
        assert_eq!(previously.new_facts, vec!["1205", "qwen-image-edit-2512"]);
        let repeated: Vec<(&str, &str)> = out
            .repeated
            .iter()
            .map(|r| (r.story.id.as_str(), r.why))
            .collect();
        assert_eq!(
            repeated,
            vec![
                ("s-repost", "no new articles"),
                ("s-rewrite", "new articles but no new facts")
            ]
        );

        // Follow-ups off: the follow-up is dropped too.
        let out = remember(stories.clone(), std::slice::from_ref(&yesterday), false);
        let kept: Vec<&str> = out.stories.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(kept, vec!["s-new"]);
        assert!(out.continuing.is_empty());

        // Nothing remembered: everything passes.
        let out = remember(stories, &[], true);
        assert_eq!(out.stories.len(), 4);
    }

    #[test]
    fn previous_digests_reads_the_days_before_only_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        for d in [1, 2, 4, 5] {
            let digest = digest(day(d), &[], "s");
            std::fs::write(
                dir.path().join(format!("{}.json", day(d))),
                serde_json::to_vec(&digest).unwrap(),
            )
            .unwrap();
        }
        std::fs::write(dir.path().join(format!("{}.json", day(3))), b"{ not json").unwrap();
        let dates: Vec<NaiveDate> = previous_digests(dir.path(), day(5), 3)
            .iter()
            .map(|d| d.date)
            .collect();
        // The digest date itself is not memory; day 3 is unreadable; day 1 is out of range.
        assert_eq!(dates, vec![day(4), day(2)]);
        assert!(previous_digests(dir.path(), day(5), 0).is_empty());
    }
}
