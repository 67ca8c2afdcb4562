//! The same story twice: cards whose first sources are one story (canonical URL, arXiv id without
//! version) or whose headlines are near-duplicates.

use super::cards::Card;
use super::finding::{DUPLICATE_STORY, Finding, Severity, finding};
use crate::text::headline::{normalize_headline, same_story};
use crate::text::url::canonical_url;

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
            same_story(&titles[later], &titles[first]).map(|why| (first, why))
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
