//! The section: the configured sections (id, label, description) and the topic's articles in,
//! the id of the section whose keywords the articles share most out.

use super::*;

/// A title hit says more about the topic than one more mention deep in a body.
pub(super) const SECTION_TITLE_WEIGHT: usize = 3;
/// Caps how much one frequent body word can add, so a single generic word cannot decide.
pub(super) const SECTION_TEXT_CAP: usize = 5;

/// The configured section whose id, label and keyword list overlap the topic most; ties go to the
/// earlier section, no overlap to the first.
pub(super) fn choose_section(sections: &[BlockSection], articles: &[BlockArticle]) -> String {
    let titles: String = articles
        .iter()
        .map(|a| a.title.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let texts: String = articles
        .iter()
        .map(|a| a.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let title_words = word_counts(&titles);
    let text_words = word_counts(&texts);
    let mut best: Option<(usize, &BlockSection)> = None;
    for section in sections {
        let (latin, han) = section_terms(section);
        let mut score = 0;
        for word in &latin {
            score += SECTION_TITLE_WEIGHT * title_words.get(word).copied().unwrap_or(0)
                + text_words
                    .get(word)
                    .copied()
                    .unwrap_or(0)
                    .min(SECTION_TEXT_CAP);
        }
        for variants in &han {
            let in_titles = variants
                .iter()
                .map(|v| titles.matches(v.as_str()).count())
                .max()
                .unwrap_or(0);
            let in_texts = variants
                .iter()
                .map(|v| texts.matches(v.as_str()).count())
                .max()
                .unwrap_or(0);
            score += SECTION_TITLE_WEIGHT * in_titles + in_texts.min(SECTION_TEXT_CAP);
        }
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, section));
        }
    }
    match best {
        Some((score, section)) if score > 0 => section.id.clone(),
        _ => sections.first().map(|s| s.id.clone()).unwrap_or_default(),
    }
}

pub(super) fn word_counts(text: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for token in latin_tokens(text) {
        for part in token.text.split(['-', '.', '_']) {
            let word = stem(part);
            if word.len() >= 2 && !LATIN_STOPWORDS.contains(&word.as_str()) {
                *out.entry(word).or_insert(0) += 1;
            }
        }
    }
    out
}

/// A section's Latin keywords (stemmed words) and Han keywords (each with its Simplified and
/// Traditional forms, since a zh-Hant config may describe sections of Simplified articles).
pub(super) fn section_terms(section: &BlockSection) -> (BTreeSet<String>, Vec<Vec<String>>) {
    let mut latin = BTreeSet::new();
    let mut han = Vec::new();
    let mut seen_han = BTreeSet::new();
    let text = format!(
        "{} , {} , {}",
        section.id.replace(['_', '-'], " "),
        section.label,
        section.describe
    );
    for phrase in text.split([',', '，', '、', ';', '；', '/', '|']) {
        let phrase = phrase.trim();
        for run in phrase
            .split(|c: char| !is_han(c))
            .filter(|r| r.chars().count() >= 2)
        {
            if seen_han.insert(run.to_string()) {
                let mut variants = vec![
                    run.to_string(),
                    to_script(run, Language::ZhHans),
                    to_script(run, Language::ZhHant),
                ];
                variants.sort();
                variants.dedup();
                han.push(variants);
            }
        }
        latin.extend(word_counts(phrase).into_keys());
    }
    (latin, han)
}
