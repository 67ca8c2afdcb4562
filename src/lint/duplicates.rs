//! The same story twice: cards whose first sources are one story (canonical URL, arXiv id without
//! version) or whose headlines are near-duplicates.

use super::cards::Card;
use super::finding::{DUPLICATE_STORY, Finding, Severity, finding};
use super::grounding::fold_width;
use crate::text::url::canonical_url;

/// Headlines at least this similar (character-bigram Jaccard, after normalising) are one story.
const NEAR_DUPLICATE_JACCARD: f64 = 0.8;

pub(super) fn check_duplicates(cards: &[Card], findings: &mut Vec<Finding>) {
    let keys: Vec<Option<String>> = cards
        .iter()
        .map(|c| c.first_source.as_deref().and_then(story_key))
        .collect();
    let titles: Vec<String> = cards
        .iter()
        .map(|c| normalize_headline(&c.headline))
        .collect();
    for later in 0..cards.len() {
        let earlier = (0..later).find_map(|first| {
            if keys[later].is_some() && keys[later] == keys[first] {
                return Some((
                    first,
                    format!(
                        "same first source {}",
                        keys[first].as_deref().unwrap_or_default()
                    ),
                ));
            }
            if !titles[later].is_empty() && titles[later] == titles[first] {
                return Some((first, "same headline".to_string()));
            }
            let similarity = bigram_jaccard(&titles[later], &titles[first]);
            (similarity >= NEAR_DUPLICATE_JACCARD
                && digits(&titles[later]) == digits(&titles[first]))
            .then(|| {
                (
                    first,
                    format!("near-duplicate headline (bigram Jaccard {similarity:.2})"),
                )
            })
        });
        if let Some((first, why)) = earlier {
            findings.push(finding(
                cards[later].index,
                DUPLICATE_STORY,
                Severity::Error,
                format!(
                    "card \"{}\" repeats the story of line {} (\"{}\"): {why}; keep one card per story",
                    cards[later].headline,
                    cards[first].index + 1,
                    cards[first].headline
                ),
            ));
        }
    }
}

/// Identity of a source for duplicate detection: arXiv papers by id without version (the same
/// paper appears as `arXiv:ID`, `/abs/IDv1` and `/pdf/ID`), everything else by canonical URL.
pub(super) fn story_key(target: &str) -> Option<String> {
    let arxiv = if target.len() > 6 && target[..6].eq_ignore_ascii_case("arxiv:") {
        Some(target[6..].to_string())
    } else {
        canonical_url(target).and_then(|url| {
            let rest = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"))?;
            let path = rest
                .strip_prefix("arxiv.org/")
                .or_else(|| rest.strip_prefix("www.arxiv.org/"))?;
            let id = path
                .strip_prefix("abs/")
                .or_else(|| path.strip_prefix("pdf/"))?;
            Some(id.trim_end_matches(".pdf").to_string())
        })
    };
    match arxiv {
        Some(id) => Some(format!(
            "arxiv:{}",
            strip_arxiv_version(&id.to_ascii_lowercase())
        )),
        None => canonical_url(target),
    }
}

pub(super) fn strip_arxiv_version(id: &str) -> &str {
    match id.rfind('v') {
        Some(at)
            if at > 0 && id[at + 1..].chars().all(|c| c.is_ascii_digit()) && at + 1 < id.len() =>
        {
            &id[..at]
        }
        _ => id,
    }
}

/// Headline for comparison: bracketed trailing notes dropped (（同上簡列）, (update)), then only
/// letters and digits, lowercased, full-width forms folded.
pub(super) fn normalize_headline(headline: &str) -> String {
    let mut text = headline.trim();
    const PAIRS: [(char, char); 5] = [
        ('（', '）'),
        ('(', ')'),
        ('【', '】'),
        ('[', ']'),
        ('〔', '〕'),
    ];
    while let Some(&(open, _)) = PAIRS.iter().find(|(_, close)| text.ends_with(*close)) {
        match text.rfind(open) {
            Some(at) if at > 0 => text = text[..at].trim_end(),
            _ => break,
        }
    }
    fold_width(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

pub(super) fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

pub(super) fn bigram_jaccard(a: &str, b: &str) -> f64 {
    pub(super) fn bigrams(s: &str) -> std::collections::BTreeSet<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        chars.windows(2).map(|w| (w[0], w[1])).collect()
    }
    let (x, y) = (bigrams(a), bigrams(b));
    let union = x.union(&y).count();
    if union == 0 {
        return 0.0;
    }
    x.intersection(&y).count() as f64 / union as f64
}
