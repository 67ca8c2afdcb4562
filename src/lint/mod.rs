//! Digest lint: QA over a rendered digest of any layout (daily, speedread, brief; detected from
//! the document unless given). In: the Markdown text (plus, for grounding,
//! each card with the texts of its sources); out: findings, each with a 1-based line, a stable rule
//! id and a severity. The card layout is read through `render::labels`, so renderer and linter
//! agree on the words. It never edits the digest, never reads files or the network, and never
//! decides what to do about a finding: `run` and `newsdesk lint` do.
//!
//! Parts: `finding` (rule ids, findings, report), `doc` + `inline` + `cards` (document parsing,
//! per layout), one file per family of rules (`duplicates`, `structure`, `language`, `listing`,
//! `repeats`),
//! and `grounding`.

mod cards;
mod doc;
mod duplicates;
mod finding;
mod grounding;
mod inline;
mod language;
mod listing;
mod repeats;
mod structure;
#[cfg(test)]
mod tests;

pub use finding::{
    BAD_LINK, COUNT_MISMATCH, DUPLICATE_SOURCE, DUPLICATE_STORY, EMPTY_SECTION, Finding,
    HEADLINE_LINK_LANGUAGE, LintReport, MISSING_FIELD, NOT_A_DIGEST, PLACEHOLDER, PLACEHOLDER_LINK,
    QUICK_READ_LINE, REPEATED_DETAILS, Severity, UNGROUNDED_ENTITY, UNGROUNDED_NUMBER,
    UNTRANSLATED_BODY, UNTRANSLATED_HEADLINE, UNTRANSLATED_MORE, WRONG_SCRIPT,
};
pub use grounding::grounding;

use doc::Doc;
use duplicates::check_duplicates;
use language::{check_script, check_translation, detect_language};
use structure::{
    check_empty_sections, check_links, check_missing_fields, check_placeholders, check_shared_links,
};

use crate::config::Layout;
use crate::model::{Digest, Language, Topic};
use crate::render::escape::escape_markdown;
use crate::render::labels;
use crate::render::view::card_headline;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LintOptions {
    /// The digest's language; `None` detects it from the labels the document uses (and, when no
    /// label decides, from its share of Han characters and their script).
    pub language: Option<Language>,
    /// The digest's layout; `None` detects it from the document's shape.
    pub layout: Option<Layout>,
}

/// Lints a rendered digest of any layout. A file that shows no layout's structure gets one
/// `not-a-digest` error and nothing else: rules about cards mean nothing there.
pub fn lint_markdown(text: &str, opts: &LintOptions) -> LintReport {
    let doc = Doc::parse(text);
    let language = opts.language.unwrap_or_else(|| detect_language(&doc));
    let labels = labels::labels(language);
    let Some(layout) = opts.layout.or_else(|| cards::detect_layout(&doc, labels)) else {
        return LintReport {
            findings: vec![finding::finding(
                0,
                NOT_A_DIGEST,
                Severity::Error,
                format!(
                    "no digest structure found: no {language} daily, speedread or brief sections with cards; \
                     lint a digest newsdesk rendered, or name its layout with --layout"
                ),
            )],
        };
    };
    let sections = cards::sections(&doc, labels);
    let cards = cards::cards(&doc, &sections, labels, layout);

    let mut findings = Vec::new();
    if cards.iter().all(|c| c.one_line) {
        findings.push(finding::finding(
            0,
            NOT_A_DIGEST,
            Severity::Error,
            format!("no digest structure found: no {} cards", layout.name()),
        ));
    }
    check_duplicates(&cards, &mut findings);
    check_links(&doc, &mut findings);
    check_shared_links(&cards, &mut findings);
    check_empty_sections(&doc, &sections, &mut findings);
    check_placeholders(&doc, &mut findings);
    check_missing_fields(&cards, labels, layout, &mut findings);
    listing::check_counts(&doc, &cards, labels, &mut findings);
    listing::check_duplicate_sources(&doc, &cards, labels, &mut findings);
    repeats::check_repeated_details(&doc, &cards, labels, layout, &mut findings);
    repeats::check_quick_read_lines(&doc, &sections, labels, &mut findings);
    if language.is_chinese() {
        check_script(&doc, language, &mut findings);
        check_translation(&doc, &cards, language, &mut findings);
        listing::check_more_language(&doc, &cards, &mut findings);
    }
    findings.sort_by(|a, b| a.line.cmp(&b.line).then(a.rule.cmp(b.rule)));
    LintReport { findings }
}

/// The rules that hold for any document newsdesk writes, whatever its shape: absolute http(s)
/// links, no placeholder text, the target script. For the weekly roll-up, whose keyword cards are
/// no daily layout and which has no sources of its own to ground.
pub fn lint_document(text: &str, language: Language) -> LintReport {
    let doc = Doc::parse(text);
    let mut findings = Vec::new();
    check_links(&doc, &mut findings);
    check_placeholders(&doc, &mut findings);
    if language.is_chinese() {
        check_script(&doc, language, &mut findings);
    }
    findings.sort_by(|a, b| a.line.cmp(&b.line).then(a.rule.cmp(b.rule)));
    LintReport { findings }
}

/// The Markdown rules plus the grounding warnings only the pipeline can check (it has each card's
/// sources). Grounding findings sit on the line of their card's headline.
pub fn lint_digest(
    markdown: &str,
    layout: Layout,
    digest: &Digest,
    topics: &[Topic],
) -> LintReport {
    let mut report = lint_markdown(
        markdown,
        &LintOptions {
            language: Some(digest.language),
            layout: Some(layout),
        },
    );
    // Where a more-news batch fell back to the lead titles (its answer was unusable), those
    // stories are still listed and linked: a title in the source's language is degraded, not
    // broken. Lines the model did write stay held to the digest's language.
    let stand_ins: Vec<String> = digest
        .more
        .iter()
        .filter(|m| m.line.trim().is_empty())
        .flat_map(|m| {
            let title = m.lead.title.trim();
            [
                format!("\"{title}\""),
                format!("\"{}\"", escape_markdown(title)),
            ]
        })
        .collect();
    for f in report.findings.iter_mut().filter(|f| {
        f.rule == finding::UNTRANSLATED_MORE && stand_ins.iter().any(|t| f.message.contains(t))
    }) {
        f.severity = Severity::Warning;
    }
    let doc = Doc::parse(markdown);
    let labels = labels::labels(digest.language);
    let shown = cards::cards(&doc, &cards::sections(&doc, labels), labels, layout);
    let linked: Vec<(&crate::model::CardRecord, &cards::Card)> = digest
        .cards
        .iter()
        .filter_map(|record| {
            let plain = card_headline(record, digest.language);
            let escaped = escape_markdown(&plain);
            let card = shown.iter().find(|c| {
                !c.one_line && (c.headline.contains(&escaped) || c.headline.contains(&plain))
            })?;
            Some((record, card))
        })
        .collect();
    listing::check_headline_links(&linked, digest.language, &mut report.findings);
    // Cards are grounded independently (each against its own sources), on all cores.
    let grounded = crate::parallel::par_map(&digest.cards, |card| {
        let Some(topic) = topics.iter().find(|t| t.id == card.topic_id) else {
            return Vec::new();
        };
        let texts: Vec<&str> = topic
            .story
            .articles
            .iter()
            .map(|a| a.text.as_str())
            .collect();
        let body = format!(
            "{}\n{}\n{}",
            card.card.summary, card.card.details, card.card.scenarios
        );
        // The headline as the renderer writes it (a raw title with `*` or `[` would match no
        // heading: the renderer escapes it).
        let plain = card_headline(card, digest.language);
        let escaped = escape_markdown(&plain);
        let index = doc
            .headings
            .iter()
            .find(|h| h.level == 3 && (h.text.contains(&escaped) || h.text.contains(&plain)))
            .map_or(0, |h| h.index);
        grounding(index, &card.card.title, &body, &card.card.entities, &texts)
    });
    report.findings.extend(grounded.into_iter().flatten());
    report
        .findings
        .sort_by(|a, b| (a.line, a.rule).cmp(&(b.line, b.rule)));
    report
}
