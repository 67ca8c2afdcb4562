//! Recurring themes of a week. In: the week's day cards; out: 10–20 themes (fewer when the week is
//! short of cards), each a shared term and the cards it groups, strongest first. Lexical and
//! greedy: candidate terms are a card's entities and the names and words of its headline; the
//! term that covers the most not-yet-grouped cards across the most days becomes the next theme.
//! Every order comes from explicit sort keys, so the same cards in any order give the same themes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::model::{CardRecord, Language};
use crate::text::{Options, TokenKind, tokenize};
use crate::text::{has_han, to_script};

/// At most this many themes: the seed's "50 keywords" is a year; a week reads well with 20.
pub const MAX_THEMES: usize = 20;
/// The roll-up aims for at least this many themes and relaxes "recurring" to reach it.
pub const MIN_THEMES: usize = 10;
/// A theme groups at least this many cards: one card is a story, not a theme.
const MIN_CARDS_PER_THEME: usize = 2;
/// A term on more than this share of the week's cards ("model", "AI") names no theme.
const MAX_SHARE: f64 = 0.3;
/// …but on a small week a term may always cover this many cards.
const MIN_CARDS_CAP: usize = 4;
/// Headline words shorter than this are too vague to name a theme.
const MIN_WORD_CHARS: usize = 4;
/// Words every AI headline uses: they name no theme however often they recur (folded keys).
/// When `text::stopwords` lands in main this list belongs there.
#[rustfmt::skip]
const GENERIC_TERMS: &[&str] = &[
    "model", "models", "open", "source", "release", "released", "releases", "launch", "launches",
    "launched", "update", "updates", "paper", "papers", "research", "researchers", "study", "tool",
    "tools", "data", "system", "systems", "with", "from", "about", "more", "first", "than",
    "模型", "大模型", "人工智能", "开源", "发布", "研究", "论文", "工具", "数据", "公司",
];

/// One day card with the date of the digest it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct DayCard {
    pub date: NaiveDate,
    pub record: CardRecord,
}

/// A recurring theme: the shared term (as a reader would write it) and its cards.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// The term as it is written in the cards (`OpenAI`, `具身智能`).
    pub term: String,
    /// Indices into the sorted cards `group` returns, by date then rank.
    pub cards: Vec<usize>,
    /// Distinct dates of those cards.
    pub days: usize,
    /// Other terms at least two of the theme's cards share, strongest first (at most 5).
    pub related: Vec<String>,
}

/// The week's cards in canonical order (date, rank, topic id) and the themes found among them.
pub fn group(mut cards: Vec<DayCard>) -> (Vec<DayCard>, Vec<Theme>) {
    cards.sort_by(|a, b| {
        (a.date, a.record.rank, &a.record.topic_id).cmp(&(
            b.date,
            b.record.rank,
            &b.record.topic_id,
        ))
    });
    cards.dedup_by(|a, b| a.date == b.date && a.record.topic_id == b.record.topic_id);
    let terms: Vec<BTreeMap<String, String>> =
        cards.iter().map(|c| card_terms(&c.record)).collect();
    let titles: Vec<String> = cards.iter().map(|c| fold(&c.record.card.title)).collect();
    let week_days: BTreeSet<NaiveDate> = cards.iter().map(|c| c.date).collect();

    // Term key → the cards that carry it, and the surface forms it was written in.
    let mut postings: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut surfaces: BTreeMap<&str, BTreeMap<&str, usize>> = BTreeMap::new();
    for (i, card_terms) in terms.iter().enumerate() {
        for (key, surface) in card_terms {
            postings.entry(key).or_default().push(i);
            *surfaces.entry(key).or_default().entry(surface).or_default() += 1;
        }
    }
    let cap = ((cards.len() as f64 * MAX_SHARE) as usize).max(MIN_CARDS_CAP);
    postings.retain(|key, members| {
        members.len() >= MIN_CARDS_PER_THEME && members.len() <= cap && !GENERIC_TERMS.contains(key)
    });

    let mut assigned = vec![false; cards.len()];
    let mut themes = Vec::new();
    // First pass: terms that recur on two or more days; then, only if that leaves the roll-up
    // short of MIN_THEMES, any shared term (a one-day week has no recurrence to ask for).
    let min_days_passes: &[usize] = if week_days.len() > 1 { &[2, 1] } else { &[1] };
    for &min_days in min_days_passes {
        if min_days == 1 && themes.len() >= MIN_THEMES && week_days.len() > 1 {
            break;
        }
        while themes.len() < MAX_THEMES {
            let best = postings
                .iter()
                .filter_map(|(key, members)| {
                    let open: Vec<usize> =
                        members.iter().copied().filter(|&i| !assigned[i]).collect();
                    let days: BTreeSet<NaiveDate> = open.iter().map(|&i| cards[i].date).collect();
                    // A term the headlines name is what the cards are about, not a bystander.
                    let in_titles = open.iter().filter(|&&i| titles[i].contains(key)).count();
                    (open.len() >= MIN_CARDS_PER_THEME && days.len() >= min_days).then_some((
                        (days.len(), open.len(), in_titles),
                        *key,
                        open,
                    ))
                })
                // Most days, most cards, most headlines, then the alphabetically first term.
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(a.1)));
            let Some(((days, _, _), key, open)) = best else {
                break;
            };
            for &i in &open {
                assigned[i] = true;
            }
            let related = related_terms(key, &open, &terms);
            themes.push(Theme {
                term: surface_of(&surfaces[key]),
                cards: open,
                days,
                related,
            });
            postings.remove(key);
        }
    }
    themes.sort_by(|a, b| {
        (b.cards.len(), b.days)
            .cmp(&(a.cards.len(), a.days))
            .then_with(|| a.term.cmp(&b.term))
    });
    (cards, themes)
}

/// The surface form a reader would write: a capitalised or Han form over a lowercased token
/// (`Google` over the alias `google`), then the most frequent, ties to the first in code-point
/// order.
fn surface_of(forms: &BTreeMap<&str, usize>) -> String {
    let written = |s: &str| s.chars().any(|c| c.is_uppercase()) || has_han(s);
    forms
        .iter()
        .max_by(|a, b| {
            (written(a.0), a.1)
                .cmp(&(written(b.0), b.1))
                .then(b.0.cmp(a.0))
        })
        .map(|(s, _)| s.to_string())
        .unwrap_or_default()
}

fn related_terms(key: &str, members: &[usize], terms: &[BTreeMap<String, String>]) -> Vec<String> {
    let mut counts: BTreeMap<&str, (usize, &str)> = BTreeMap::new();
    for &i in members {
        for (other, surface) in &terms[i] {
            if other != key {
                let entry = counts.entry(other).or_insert((0, surface));
                entry.0 += 1;
            }
        }
    }
    let mut shared: Vec<(usize, &str, &str)> = counts
        .into_iter()
        .filter(|(_, (n, _))| *n >= MIN_CARDS_PER_THEME)
        .map(|(k, (n, s))| (n, k, s))
        .collect();
    shared.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    shared
        .into_iter()
        .take(5)
        .map(|(_, _, s)| s.to_string())
        .collect()
}

/// A card's candidate theme terms: key (case- and script-folded) → surface form. Entities count
/// whole; from the headline, model names, codes, alias names and longer words (the headline says
/// what the card is about; the summary wanders).
fn card_terms(card: &CardRecord) -> BTreeMap<String, String> {
    let mut terms = BTreeMap::new();
    for entity in &card.card.entities {
        let surface = entity.split_whitespace().collect::<Vec<_>>().join(" ");
        if surface.chars().count() >= 2 {
            terms.entry(fold(&surface)).or_insert(surface);
        }
    }
    let title = &card.card.title;
    for token in tokenize(title, &Options::CLUSTER) {
        let keep = match token.kind {
            TokenKind::Model | TokenKind::Code | TokenKind::Alias => true,
            TokenKind::Word => token.text.chars().count() >= MIN_WORD_CHARS,
            TokenKind::Bigram => false,
        };
        if keep {
            let surface = match token.kind {
                // An alias is the Latin name of a Chinese one (谷歌 → google): write it as a name.
                TokenKind::Alias => capitalised(&token.text),
                _ => as_written(title, &token.text),
            };
            terms.entry(fold(&token.text)).or_insert(surface);
        }
    }
    terms
}

/// The key a term is compared by: lowercase, Simplified script, single spaces.
fn fold(term: &str) -> String {
    let term = if has_han(term) {
        to_script(term, Language::ZhHans)
    } else {
        term.to_string()
    };
    term.to_lowercase()
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `token` (lowercased by the tokenizer) with the capitalisation the headline gave it.
fn as_written(title: &str, token: &str) -> String {
    let lower = title.to_lowercase();
    match lower.find(token) {
        // Lowercasing can change byte lengths outside ASCII; only reuse the span when it did not.
        Some(at) if lower.len() == title.len() && title.is_char_boundary(at + token.len()) => {
            title[at..at + token.len()].to_string()
        }
        _ => token.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Card, Importance};

    fn day_card(day: u32, rank: usize, title: &str, entities: &[&str]) -> DayCard {
        DayCard {
            date: NaiveDate::from_ymd_opt(2026, 1, day).unwrap(),
            record: CardRecord {
                continuing: false,
                fallback: false,
                topic_id: format!("s{day}-{rank}"),
                rank,
                focus: false,
                card: Card {
                    title: title.into(),
                    summary: String::new(),
                    details: String::new(),
                    scenarios: String::new(),
                    entities: entities.iter().map(|e| e.to_string()).collect(),
                    importance: Importance::Medium,
                    section: "models".into(),
                    insight: String::new(),
                    short_title: String::new(),
                    tags: Vec::new(),
                    key_points: Vec::new(),
                    impacts: Vec::new(),
                },
                sources: Vec::new(),
            },
        }
    }

    fn week() -> Vec<DayCard> {
        vec![
            day_card(
                12,
                1,
                "OpenAI ships GPT-5.2",
                &["OpenAI", "GPT-5.2", "ChatGPT"],
            ),
            day_card(
                13,
                1,
                "OpenAI 推出新版 ChatGPT",
                &["OpenAI", "ChatGPT", "Sam Altman"],
            ),
            day_card(
                14,
                2,
                "Robotics startup Figure raises money",
                &["Figure", "BMW", "Nvidia"],
            ),
            day_card(
                15,
                1,
                "Figure humanoid robots at BMW",
                &["Figure", "BMW", "humanoid"],
            ),
            day_card(15, 2, "Nvidia H200 exports", &["Nvidia", "H200", "TSMC"]),
            day_card(16, 1, "DeepSeek V4 paper", &["DeepSeek", "V4", "MoE"]),
        ]
    }

    #[test]
    fn recurring_terms_become_themes_and_every_card_sits_in_one() {
        let (cards, themes) = group(week());
        let terms: Vec<&str> = themes.iter().map(|t| t.term.as_str()).collect();
        assert!(terms.contains(&"OpenAI"), "{terms:?}");
        assert!(terms.contains(&"Figure"), "{terms:?}");
        let mut seen = BTreeSet::new();
        for theme in &themes {
            assert!(theme.cards.len() >= 2 && theme.days >= 1, "{theme:?}");
            for &i in &theme.cards {
                assert!(seen.insert(i), "card {i} in two themes");
                assert!(i < cards.len());
            }
        }
        let openai = themes.iter().find(|t| t.term == "OpenAI").unwrap();
        assert_eq!(openai.days, 2);
        assert_eq!(openai.related, vec!["ChatGPT".to_string()]);
    }

    #[test]
    fn input_order_does_not_change_the_themes() {
        let (_, forward) = group(week());
        let mut reversed = week();
        reversed.reverse();
        let (_, backward) = group(reversed);
        assert_eq!(forward, backward);
    }

    #[test]
    fn traditional_and_simplified_spellings_are_one_term() {
        let cards = vec![
            day_card(12, 1, "a", &["具身智能", "x1", "y1"]),
            day_card(13, 1, "b", &["具身智能", "x2", "y2"]),
            day_card(14, 1, "c", &["具身智慧", "x3", "y3"]),
        ];
        let (_, themes) = group(cards);
        assert_eq!(themes.len(), 1);
        assert_eq!(themes[0].term, "具身智能");
        assert_eq!(themes[0].cards.len(), 2);
        // A zh-Hant spelling of the same term folds onto the same key.
        assert_eq!(fold("機器人"), fold("机器人"));
    }

    #[test]
    fn never_more_than_twenty_themes() {
        let cards: Vec<DayCard> = (0..60)
            .map(|i| {
                let name = format!("Entity{i:02}");
                day_card(12 + (i % 2) as u32, i as usize, "x", &[&name, "a1", "b1"])
            })
            .chain((0..60).map(|i| {
                let name = format!("Entity{i:02}");
                day_card(14 + (i % 2) as u32, i as usize, "y", &[&name, "c1", "d1"])
            }))
            .collect();
        let (_, themes) = group(cards);
        assert_eq!(themes.len(), MAX_THEMES);
    }
}
