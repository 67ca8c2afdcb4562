//! Which link stands for a story, and how its sources are listed. In: a story's source links (best
//! first, as the pipeline attached them), the digest language and, when known, the article the
//! headline was written from; out: the lead source a headline links to, and the sources grouped so
//! that syndicated copies (the same report under another URL, near-identical title) make one line
//! with "also: outlet, outlet". The card stage, the more-news stage and the renderer all ask here,
//! so a headline and its link never disagree about which article is the story's.

use std::collections::BTreeSet;

use crate::model::{Language, SourceRef};
use crate::text::lang;
use crate::text::script::fold_to_simplified;

/// Two titles whose character-bigram Dice coefficient reaches this are one report republished:
/// syndication changes a word or punctuation, while two outlets writing their own report of one
/// story share names and numbers but rarely more than half their bigrams (on the fixture day the
/// closest independent pair of one story scores 0.47, the copies 1.0).
pub const SYNDICATED_TITLE_SIMILARITY: f64 = 0.8;

/// Is `title` written in `language` (Chinese of either script for a Chinese digest)?
pub fn title_in_language(title: &str, language: Language) -> bool {
    let chinese = lang::is_chinese(title);
    if language.is_chinese() {
        chinese
    } else {
        !chinese && title.chars().any(|c| c.is_ascii_alphabetic())
    }
}

/// The source a headline links to. In order:
/// 1. the article the card names as its lead (`lead_article_id`), when its title is in the
///    digest's language or no source's is (a Chinese headline must not open an English page when
///    a Chinese report of the story exists);
/// 2. among the sources in the digest's language, the one whose title is closest to the headline
///    (the report the headline was written from), ties to the better-ranked;
/// 3. the first (best-ranked) source.
pub fn lead_source<'a>(
    sources: &[&'a SourceRef],
    language: Language,
    lead_article_id: Option<&str>,
    headline: &str,
) -> Option<&'a SourceRef> {
    let in_language: Vec<&'a SourceRef> = sources
        .iter()
        .copied()
        .filter(|s| title_in_language(&s.title, language))
        .collect();
    if let Some(id) = lead_article_id.filter(|id| !id.is_empty())
        && let Some(named) = sources.iter().copied().find(|s| s.article_id == id)
        && (in_language.is_empty() || title_in_language(&named.title, language))
    {
        return Some(named);
    }
    let headline = bigrams(headline);
    let mut best: Option<(&SourceRef, f64)> = None;
    for source in in_language {
        let similarity = dice(&headline, &bigrams(&source.title));
        if best.is_none_or(|(_, b)| similarity > b) {
            best = Some((source, similarity));
        }
    }
    best.map(|(s, _)| s).or_else(|| sources.first().copied())
}

/// A story's sources as listed under a card: one entry per report, each with the outlets of its
/// syndicated copies (distinct URLs of a near-identical title), in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceGroup<'a> {
    pub source: &'a SourceRef,
    /// Copies of the same report under another URL, in order, one per outlet, none from the
    /// listed source's own outlet.
    pub also: Vec<&'a SourceRef>,
}

/// Groups `sources` (already one per URL) into reports: a source whose title is near-identical
/// to an earlier one's joins that one as a copy. `lead` (when given) is listed first.
pub fn group_syndicated<'a>(
    sources: &[&'a SourceRef],
    lead: Option<&'a SourceRef>,
) -> Vec<SourceGroup<'a>> {
    let mut ordered: Vec<&'a SourceRef> = Vec::with_capacity(sources.len());
    if let Some(lead) = lead {
        ordered.push(lead);
    }
    ordered.extend(
        sources
            .iter()
            .copied()
            .filter(|s| lead.is_none_or(|l| !std::ptr::eq(*s, l))),
    );
    let mut groups: Vec<(SourceGroup<'a>, BTreeSet<String>)> = Vec::new();
    for source in ordered {
        let grams = bigrams(&source.title);
        let copy_of = groups
            .iter_mut()
            .find(|(_, g)| is_same_title(g, &grams, SYNDICATED_TITLE_SIMILARITY));
        match copy_of {
            Some((group, _)) => {
                let outlet = source.outlet.trim();
                if !outlet.is_empty()
                    && outlet != group.source.outlet.trim()
                    && !group.also.iter().any(|s| s.outlet.trim() == outlet)
                {
                    group.also.push(source);
                }
            }
            None => groups.push((
                SourceGroup {
                    source,
                    also: Vec::new(),
                },
                grams,
            )),
        }
    }
    groups.into_iter().map(|(g, _)| g).collect()
}

/// Are two titles one report (near-identical, see `SYNDICATED_TITLE_SIMILARITY`)?
pub fn near_identical_titles(a: &str, b: &str) -> bool {
    is_same_title(&bigrams(a), &bigrams(b), SYNDICATED_TITLE_SIMILARITY)
}

fn is_same_title(a: &BTreeSet<String>, b: &BTreeSet<String>, threshold: f64) -> bool {
    !a.is_empty() && dice(a, b) >= threshold
}

/// Character bigrams of a title, Simplified-folded and lowercased, punctuation and spaces gone:
/// the same report in both scripts or with other quotes compares equal.
fn bigrams(title: &str) -> BTreeSet<String> {
    let chars: Vec<char> = fold_to_simplified(title)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if chars.len() == 1 {
        return chars.iter().map(|c| c.to_string()).collect();
    }
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

fn dice(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    2.0 * a.intersection(b).count() as f64 / (a.len() + b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(id: &str, title: &str, outlet: &str) -> SourceRef {
        SourceRef {
            title: title.into(),
            url: format!("https://{outlet}.example/{id}"),
            outlet: outlet.into(),
            article_id: id.into(),
            published: None,
        }
    }

    #[test]
    fn a_chinese_headline_links_to_the_chinese_report_it_was_written_from() {
        let sources = [
            source(
                "a",
                "Inside Lumen-7B: training notes from a 7B model",
                "labnotes",
            ),
            source(
                "b",
                "Lumen-7B: Tsinghua and Lumenta open-source a small model",
                "journal",
            ),
            source(
                "c",
                "清華團隊開源Lumen-7B，單張24GB顯示卡即可運行",
                "aipulse",
            ),
        ];
        let sources: Vec<&SourceRef> = sources.iter().collect();
        let headline = "清華團隊開源Lumen-7B，單張24GB顯示卡即可運行";
        let lead = lead_source(&sources, Language::ZhHant, None, headline).unwrap();
        assert_eq!(lead.article_id, "c");
        // An English digest keeps the best-ranked English report closest to its headline.
        let lead = lead_source(
            &sources,
            Language::En,
            None,
            "Tsinghua open-sources Lumen-7B",
        )
        .unwrap();
        assert_eq!(lead.article_id, "b");
    }

    #[test]
    fn the_named_lead_article_wins_unless_it_is_in_another_language() {
        let sources = [
            source("en", "NVIDIA unveils Helix H300 accelerator", "wire"),
            source("zh1", "NVIDIA發表Helix H300推論加速器", "review"),
            source("zh2", "輝達新品Helix H300供應鏈受惠", "daily"),
        ];
        let refs: Vec<&SourceRef> = sources.iter().collect();
        let pick = |id| lead_source(&refs, Language::ZhHant, Some(id), "輝達發表H300").unwrap();
        assert_eq!(pick("zh2").article_id, "zh2");
        // An English lead for a Chinese headline: the Chinese report closest to the headline.
        assert_eq!(pick("en").article_id, "zh1");
        assert_eq!(pick("unknown").article_id, "zh1");
        // Nothing in the digest's language: the named lead, else the first.
        let english = [&sources[0]];
        assert_eq!(
            lead_source(&english, Language::ZhHant, None, "輝達")
                .unwrap()
                .article_id,
            "en"
        );
        assert!(lead_source(&[], Language::ZhHant, None, "x").is_none());
    }

    #[test]
    fn syndicated_copies_collapse_into_one_line_with_their_outlets() {
        let sources = [
            source(
                "a",
                "NVIDIA unveils Helix H300 accelerator aimed squarely at inference",
                "Frontier Wire",
            ),
            source(
                "b",
                "NVIDIA發表Helix H300推論加速器，臺灣供應鏈可望受惠",
                "科技觀察",
            ),
            source(
                "c",
                "NVIDIA unveils Helix H300 accelerator aimed squarely at inference",
                "AI Journal",
            ),
            source(
                "d",
                "NVIDIA Unveils Helix H300 Accelerator, Aimed Squarely at Inference!",
                "Mirror",
            ),
        ];
        let refs: Vec<&SourceRef> = sources.iter().collect();
        let groups = group_syndicated(&refs, Some(&sources[1]));
        assert_eq!(groups.len(), 2, "{groups:?}");
        assert_eq!(groups[0].source.article_id, "b");
        assert!(groups[0].also.is_empty());
        assert_eq!(groups[1].source.article_id, "a");
        let outlets: Vec<&str> = groups[1].also.iter().map(|s| s.outlet.as_str()).collect();
        assert_eq!(outlets, vec!["AI Journal", "Mirror"]);
        // Two outlets' own reports of one story stay two lines.
        assert!(!near_identical_titles(
            "Vector database maker Vectorforge raises $180 million",
            "Vectorforge lands $180M Series B as vector search demand climbs"
        ));
        assert!(near_identical_titles(
            "阿里發布Qwen-Vision-3.2",
            "阿里发布 Qwen-Vision-3.2"
        ));
    }
}
