//! The section: the configured sections (id, label, description) and the topic's articles in,
//! the id of the section whose keywords the articles share most out.

use super::*;

/// A title hit says more about the topic than one more mention deep in a body.
pub(super) const SECTION_TITLE_WEIGHT: usize = 3;
/// Caps how much one frequent body word can add, so a single generic word cannot decide.
pub(super) const SECTION_TEXT_CAP: usize = 5;

/// The configured section whose id, label and keyword list overlap the topic most; ties go to the
/// earlier section, no overlap to the first. A keyword of several words ("inference engine")
/// counts only as that phrase, so its words alone ("inference") do not vote.
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
    let title_words = words(&titles);
    let text_words = words(&texts);
    let mut best: Option<(usize, &BlockSection)> = None;
    for section in sections {
        let (latin, han) = section_terms(section);
        let mut score = 0;
        for phrase in &latin {
            score += SECTION_TITLE_WEIGHT * occurrences(&title_words, phrase)
                + occurrences(&text_words, phrase).min(SECTION_TEXT_CAP);
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

/// How often `phrase` (stemmed words) occurs as a run in `words`.
fn occurrences(words: &[String], phrase: &[String]) -> usize {
    if phrase.is_empty() || words.len() < phrase.len() {
        return 0;
    }
    words.windows(phrase.len()).filter(|w| *w == phrase).count()
}

/// Words that are a different thing next to a neighbour: a "diffusion policy" is a robot
/// controller, not policy; a "policy gradient" is a training method. (stemmed neighbour, word)
/// pairs for the word before, (word, stemmed neighbour) for the word after.
const TERM_OF_ART_BEFORE: &[(&str, &str)] = &[
    ("diffusion", "policy"),
    ("control", "policy"),
    ("learned", "policy"),
    ("robot", "policy"),
    ("visuomotor", "policy"),
    ("neural", "policy"),
    ("manipulation", "policy"),
    ("safety", "tool"),
];
const TERM_OF_ART_AFTER: &[(&str, &str)] = &[
    ("policy", "gradient"),
    ("policy", "network"),
    ("policy", "learning"),
    ("policy", "model"),
    ("policy", "optimization"),
];

/// The stemmed Latin words of `text` in order; stopwords and words used as a term of art
/// become empty placeholders, so phrases never match across them.
pub(super) fn words(text: &str) -> Vec<String> {
    let stems: Vec<String> = latin_runs(text)
        .iter()
        .flat_map(|token| {
            token
                .text
                .split(['-', '.', '_'])
                .map(stem)
                .collect::<Vec<_>>()
        })
        .collect();
    (0..stems.len())
        .map(|i| {
            let word = stems[i].as_str();
            let before = i.checked_sub(1).map(|j| stems[j].as_str()).unwrap_or("");
            let after = stems.get(i + 1).map(String::as_str).unwrap_or("");
            let term_of_art = TERM_OF_ART_BEFORE.contains(&(before, word))
                || TERM_OF_ART_AFTER.contains(&(word, after));
            if word.len() >= 2 && !is_stopword(word) && !term_of_art {
                word.to_string()
            } else {
                String::new()
            }
        })
        .collect()
}

/// A section's Latin keywords (phrases of stemmed words) and Han keywords (each with its Simplified and
/// Traditional forms, since a zh-Hant config may describe sections of Simplified articles).
pub(super) fn section_terms(section: &BlockSection) -> (BTreeSet<Vec<String>>, Vec<Vec<String>>) {
    let mut latin = BTreeSet::new();
    let mut han = Vec::new();
    let mut seen_han = BTreeSet::new();
    let text = format!(
        "{} , {} , {}",
        section.id.replace(['_', '-'], " "),
        section.label,
        section.describe
    );
    for phrase in text.split([',', '，', '、', ';', '；', '/', '|', '&']) {
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
        let phrase_words: Vec<String> = words(phrase)
            .into_iter()
            .filter(|w| !w.is_empty())
            .collect();
        if !phrase_words.is_empty() {
            latin.insert(phrase_words);
        }
    }
    (latin, han)
}
