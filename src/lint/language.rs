//! Language rules: which language a digest is in (labels first, then its script), wrong-script
//! characters above the threshold, and headlines with no Chinese characters in a Chinese digest.

use std::collections::BTreeMap;

use super::cards::Card;
use super::doc::{Doc, bold_field};
use super::finding::{
    Finding, Severity, UNTRANSLATED_BODY, UNTRANSLATED_HEADLINE, WRONG_SCRIPT, finding,
};
use crate::model::Language;
use crate::render::labels;
use crate::text::{self, has_han, is_han, wrong_script_chars};

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
pub(super) fn check_translation(doc: &Doc, cards: &[Card], findings: &mut Vec<Finding>) {
    let (severity, hint) = untranslated_severity(
        doc,
        "expected from the extractive provider, which cannot translate",
        "the card writer must translate",
    );
    for card in cards.iter().filter(|c| !c.one_line) {
        if !has_han(&card.headline) {
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
        let han_in_body = card.prose_lines.iter().any(|&i| {
            let prose = doc.prose(i);
            let unquoted = prose.trim_start_matches(['>', ' ']);
            let unmarked = unquoted.strip_prefix("- ").unwrap_or(unquoted);
            has_han(bold_field(unmarked).map_or(unmarked, |(_, value)| value))
        });
        if let Some(&first) = card.prose_lines.first()
            && !han_in_body
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
