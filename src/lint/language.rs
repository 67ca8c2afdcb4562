//! Language rules: which language a digest is in (labels first, then its script), wrong-script
//! characters above the threshold, and headlines with no Chinese characters in a Chinese digest.

use std::collections::BTreeMap;

use super::cards::Card;
use super::doc::{Doc, bold_field, plain_headline};
use super::finding::{
    Finding, Severity, UNTRANSLATED_BODY, UNTRANSLATED_HEADLINE, WRONG_SCRIPT, finding,
};
use crate::model::Language;
use crate::render::labels;
use crate::text::lang::written_in;
use crate::text::{self, is_han, wrong_script_chars};

/// Share of a Chinese digest's Han characters that may be in the other script before it is an
/// error. Not zero: the character-level test flags a few characters whose forms are shared in
/// practice (names, variants), and one of them in a long digest is not a defect.
const MAX_WRONG_SCRIPT_RATIO: f64 = 0.005;

/// How many offending characters a wrong-script message names.
const WRONG_SCRIPT_EXAMPLES: usize = 8;

pub(super) fn detect_language(doc: &Doc) -> Language {
    let mut scores: BTreeMap<Language, usize> = BTreeMap::new();
    for language in Language::ALL {
        let l = labels::labels(language);
        let headings = doc
            .headings
            .iter()
            .filter(|h| {
                h.level == 2
                    && [
                        l.focus,
                        l.editor_insight,
                        l.further_reading,
                        l.quick_read,
                        l.extended_reading,
                        l.more_news,
                    ]
                    .iter()
                    .any(|w| h.text.starts_with(w))
            })
            .count();
        let fields = doc
            .body_lines()
            .filter_map(|(_, line)| bold_field(line.trim_start_matches(['>', '-', ' '])))
            .filter(|(name, _)| {
                [
                    l.summary,
                    l.details,
                    l.scenarios,
                    l.entities,
                    l.importance,
                    l.sources,
                    l.overview,
                    l.detail_points,
                    l.deep_insight,
                ]
                .iter()
                .any(|w| name.starts_with(w))
            })
            .count();
        // The footer's fixed words ("資料來源：", "Sources: "), written in every layout.
        let footer_words = l.footer_counts.split('{').next().unwrap_or_default();
        let footer = doc
            .body_lines()
            .filter(|(_, line)| line.trim_start_matches('*').starts_with(footer_words))
            .count();
        scores.insert(language, headings + fields + footer);
    }
    let best = scores.values().copied().max().unwrap_or(0);
    let leaders: Vec<Language> = scores
        .iter()
        .filter(|(_, s)| **s == best)
        .map(|(l, _)| *l)
        .collect();
    if best > 0 && leaders.len() == 1 {
        return leaders[0];
    }
    // No label decides (none used, or only those both Chinese scripts share): fall back on the
    // text itself.
    let prose: String = (0..doc.lines.len())
        .map(|i| doc.prose(i))
        .collect::<Vec<_>>()
        .join("\n");
    if !text::is_chinese(&prose) {
        return Language::En;
    }
    // A tie (no script-specific character) reads as zh-Hant, the project's default script.
    text::lang::leaning_script(&prose).unwrap_or(Language::ZhHant)
}

pub(super) fn check_script(doc: &Doc, language: Language, findings: &mut Vec<Finding>) {
    let mut han = 0usize;
    // Offending character → (count, first line index), in order of first appearance.
    let mut wrong: Vec<(char, usize, usize)> = Vec::new();
    for index in 0..doc.lines.len() {
        let prose = doc.prose(index);
        han += prose.chars().filter(|&c| is_han(c)).count();
        for c in wrong_script_chars(&prose, language) {
            match wrong.iter_mut().find(|(w, _, _)| *w == c) {
                Some(entry) => entry.1 += 1,
                None => wrong.push((c, 1, index)),
            }
        }
    }
    let wrong_total: usize = wrong.iter().map(|(_, n, _)| n).sum();
    if han == 0 || (wrong_total as f64) <= MAX_WRONG_SCRIPT_RATIO * han as f64 {
        return;
    }
    let other = match language {
        Language::ZhHans => "Traditional",
        _ => "Simplified",
    };
    let examples: Vec<String> = wrong
        .iter()
        .take(WRONG_SCRIPT_EXAMPLES)
        .map(|(c, _, index)| format!("{c} (line {})", index + 1))
        .collect();
    findings.push(finding(
        wrong[0].2,
        WRONG_SCRIPT,
        Severity::Error,
        format!(
            "{wrong_total} of {han} Han characters ({:.1} %) are {other} forms in a {language} digest, above {:.1} %: {}; \
             convert the text with text::to_script",
            100.0 * wrong_total as f64 / han as f64,
            100.0 * MAX_WRONG_SCRIPT_RATIO,
            examples.join(", ")
        ),
    ));
}

/// How bad English text in a Chinese digest is, with the hint for its message: a warning from
/// the extractive baseline (its front matter's generator), which copies source text and cannot
/// translate; an error from a model.
pub(super) fn untranslated_severity(
    doc: &Doc,
    extractive_hint: &'static str,
    model_hint: &'static str,
) -> (Severity, &'static str) {
    let extractive = doc
        .generator_provider()
        .is_some_and(|p| p.eq_ignore_ascii_case("extractive"));
    if extractive {
        (Severity::Warning, extractive_hint)
    } else {
        (Severity::Error, model_hint)
    }
}

/// Headlines and card prose with no Chinese characters in a Chinese digest. The extractive
/// baseline copies source text and cannot translate, so there it is a warning; from a model it is
/// an error. One-line items (brief's 更多動態) are source titles by design and are not checked.
pub(super) fn check_translation(
    doc: &Doc,
    cards: &[Card],
    language: Language,
    findings: &mut Vec<Finding>,
) {
    let fallbacks = doc.fallback_headlines();
    for card in cards.iter().filter(|c| !c.one_line) {
        let (severity, hint) = if fallbacks.contains(&plain_headline(&card.headline)) {
            (
                Severity::Warning,
                "expected from the extractive provider, which cannot translate",
            )
        } else {
            untranslated_severity(
                doc,
                "expected from the extractive provider, which cannot translate",
                "the card writer must translate",
            )
        };
        // The card stage's rule (`text::lang::written_in`): most letters Han once names are set
        // aside — so an English headline that quotes one Chinese name is still English.
        if !written_in(&card.headline, language) {
            findings.push(finding(
                card.index,
                UNTRANSLATED_HEADLINE,
                severity,
                format!(
                    "headline \"{}\" has no Chinese characters; {hint} headlines",
                    card.headline
                ),
            ));
        }
        // A field's name (概要, 深度解讀 & 洞察) is the layout's, not the card's text.
        let body: Vec<String> = card
            .prose_lines
            .iter()
            .map(|&i| {
                let prose = doc.prose(i);
                let unquoted = prose.trim_start_matches(['>', ' ']);
                let unmarked = unquoted.strip_prefix("- ").unwrap_or(unquoted);
                bold_field(unmarked)
                    .map_or(unmarked, |(_, value)| value)
                    .to_string()
            })
            .collect();
        if let Some(&first) = card.prose_lines.first()
            && !written_in(&body.join("\n"), language)
        {
            findings.push(finding(
                first,
                UNTRANSLATED_BODY,
                severity,
                format!(
                    "the text of card \"{}\" has no Chinese characters; {hint} the card's text",
                    card.headline
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::finding::{Severity, UNTRANSLATED_BODY, UNTRANSLATED_HEADLINE};
    use crate::lint::{LintOptions, lint_markdown};
    use crate::model::Language;

    /// The clean fixture with its second card turned into English, the shape of a model card
    /// that stayed English; marked as an extractive fallback, the same card only warns.
    fn english_second_card(fallback: bool) -> String {
        let clean = include_str!("../../fixtures/lint/clean_zh_hant.md");
        let english = clean
            .replace(
                "### 英偉達洽談以 20 至 30 億美元收購 AI21 Labs",
                "### NVIDIA in talks to buy AI21 Labs for up to $3 billion",
            )
            .replace(
                "英偉達正洽談收購以色列語言模型公司 AI21 Labs，主要目的是取得其約 200 名研究人員。",
                "NVIDIA is in talks to acquire the Israeli language model company AI21 Labs, mainly for its roughly 200 researchers.",
            );
        if fallback {
            english.replace(
                "  run: \"r20260102-0630\"\n",
                "  run: \"r20260102-0630\"\n  extractive_fallback:\n    - \"NVIDIA in talks to buy AI21 Labs for up to $3 billion\"\n",
            )
        } else {
            english
        }
    }

    fn severities(text: &str) -> Vec<(&'static str, Severity)> {
        let opts = LintOptions {
            language: Some(Language::ZhHant),
            layout: None,
        };
        lint_markdown(text, &opts)
            .findings
            .into_iter()
            .filter(|f| [UNTRANSLATED_HEADLINE, UNTRANSLATED_BODY].contains(&f.rule))
            .map(|f| (f.rule, f.severity))
            .collect()
    }

    #[test]
    fn an_english_model_card_is_an_error_and_its_extractive_fallback_a_warning() {
        assert_eq!(
            severities(&english_second_card(false)),
            vec![
                (UNTRANSLATED_HEADLINE, Severity::Error),
                (UNTRANSLATED_BODY, Severity::Error)
            ]
        );
        assert_eq!(
            severities(&english_second_card(true)),
            vec![
                (UNTRANSLATED_HEADLINE, Severity::Warning),
                (UNTRANSLATED_BODY, Severity::Warning)
            ]
        );
    }
}
