//! One card's view: its headline, labelled parts and source links (syndicated copies grouped,
//! the lead first, arXiv papers marked), each text in the digest's script and escaped.

use std::collections::BTreeSet;

use chrono::FixedOffset;

use crate::llm::schema::{SHORT_TITLE_MAX_CHARS, fills_bound};
use crate::model::{CardRecord, SourceRef};
use crate::render::escape::checked_link;
use crate::render::fields::{Text, restates};
use crate::render::labels::Labels;
use crate::write::sources;

use super::types::*;
use super::{card_headline, headline_source};

pub(super) fn card_view(
    record: &CardRecord,
    text: Text,
    labels: &Labels,
    offset: FixedOffset,
) -> CardView {
    let card = &record.card;
    let lead = headline_source(record, text.language, None);
    let sources = source_links(record, lead, text, labels);
    let summary = text.block(&card.summary);
    // Details that only say the headline or the summary again are no details (a small model
    // copies): the block is left out, and lint flags it in digests rendered elsewhere.
    let card_details = if restates(&card.details, &[&card.title, &card.summary]) {
        ""
    } else {
        card.details.as_str()
    };
    let details = text.block(card_details);
    let scenarios = text.block(&card.scenarios);
    let entities = text.list(&card.entities);
    let summary_line = text.line(&card.summary);
    let importance = labels.importance_word(card.importance).to_string();
    let point = |label: String, body: &str| PointView {
        label,
        text: text.line(body),
    };
    let key_points: Vec<PointView> = card
        .key_points
        .iter()
        .map(|p| point(text.syntax.escape(&text.plain(&p.label)), &p.text))
        .filter(|p| !p.label.is_empty() && !p.text.is_empty())
        .collect();
    let points = if key_points.is_empty() {
        [
            (labels.details, card_details),
            (labels.scenarios, card.scenarios.as_str()),
        ]
        .into_iter()
        .map(|(label, body)| point(label.to_string(), body))
        .filter(|p| !p.text.is_empty())
        .collect()
    } else {
        key_points.clone()
    };
    let title = text.syntax.escape(&card_headline(record, text.language));
    // A short headline the server's grammar stopped at its bound ("…多模態模型，MM") was cut,
    // not written: the title stands in.
    let short_title = match text.plain(&card.short_title) {
        short if short.is_empty() || fills_bound(&short, SHORT_TITLE_MAX_CHARS) => title.clone(),
        short => text.syntax.escape(&short),
    };
    let tags = card
        .tags
        .iter()
        .map(|t| text.plain(t.trim().trim_start_matches('[').trim_end_matches(']')))
        .filter(|t| !t.is_empty())
        .map(|t| text.syntax.escape(&t))
        .collect();
    let themes = themes(record, card_details, text, labels);
    CardView {
        id: record.topic_id.clone(),
        anchor: format!("card-{}", record.topic_id),
        rank: record.rank,
        title,
        short_title,
        tags,
        summary,
        details,
        scenarios,
        insight: text.block(&card.insight),
        entities,
        importance,
        summary_line,
        points,
        key_points,
        themes,
        impacts: text.list(&card.impacts),
        url: sources.first().map(|l| l.url.clone()).unwrap_or_default(),
        date: lead.map(|s| local_date(s, offset)).unwrap_or_default(),
        sources,
    }
}

/// speedread's 內容詳解 as the seeds write it: themed sub-heads, each over its sentences — the
/// card's key points under their own labels, else its details and scenarios under theirs — then
/// its impacts under 影響. Empty parts are left out.
fn themes(record: &CardRecord, details: &str, text: Text, labels: &Labels) -> Vec<ThemeView> {
    let card = &record.card;
    let sentences = |body: &str| -> Vec<String> {
        crate::text::sentences::split(&text.plain(body))
            .iter()
            .map(|s| text.syntax.escape(s))
            .collect()
    };
    let key_points: Vec<(String, &str)> = card
        .key_points
        .iter()
        .map(|p| (text.plain(&p.label), p.text.as_str()))
        .filter(|(label, body)| !label.is_empty() && !body.trim().is_empty())
        .collect();
    let parts = if key_points.is_empty() {
        vec![
            (labels.details.to_string(), details),
            (labels.scenarios.to_string(), card.scenarios.as_str()),
        ]
    } else {
        key_points
    };
    let mut themes: Vec<ThemeView> = parts
        .into_iter()
        .map(|(label, body)| ThemeView {
            label: text.syntax.escape(&label),
            points: sentences(body),
        })
        .collect();
    themes.push(ThemeView {
        label: text.syntax.escape(labels.impact),
        points: text.list(&card.impacts),
    });
    themes.retain(|theme| !theme.points.is_empty());
    themes
}

/// speedread's 速覽 one-liner for a card whose editor's line is missing or only restates the
/// title or summary: the card's first impact, else its first key point — written to be short,
/// and neither is the summary's first sentence. Empty when the card has neither (the extractive
/// baseline): a copied sentence of the 概要 right below would tell the reader nothing, so the
/// item shows its headline alone and lint warns.
pub(super) fn quick_line(record: &CardRecord, editor_line: Option<&str>, text: Text) -> String {
    let card = &record.card;
    editor_line
        .into_iter()
        .chain(card.impacts.iter().map(String::as_str))
        .chain(card.key_points.iter().map(|p| p.text.as_str()))
        .map(|line| text.plain(line))
        .find(|line| {
            line.chars().count() <= QUICK_LINE_MAX_CHARS
                && !line.is_empty()
                && !restates(line, &[&card.title, &card.summary])
        })
        .map(|line| text.syntax.escape(&line))
        .unwrap_or_default()
}

/// A 速覽 line longer than this is a paragraph, not a line (the seeds' run 25-60 characters).
const QUICK_LINE_MAX_CHARS: usize = 120;

/// A card's source links: only checkable ones, one per URL, the headline's source first, and
/// syndicated copies folded into the entry of the report they copy.
pub(super) fn source_links(
    record: &CardRecord,
    lead: Option<&SourceRef>,
    text: Text,
    labels: &Labels,
) -> Vec<LinkView> {
    let mut seen = BTreeSet::new();
    let mut checked: Vec<&SourceRef> = Vec::new();
    for source in &record.sources {
        match checked_link(&source.url) {
            Some(url) if seen.insert(url.clone()) => checked.push(source),
            Some(_) => {}
            None => {
                tracing::debug!(topic = %record.topic_id, url = %source.url, "dropping a source link that is not absolute http(s)")
            }
        }
    }
    let lead = lead.filter(|l| checked.iter().any(|s| std::ptr::eq(*s, *l)));
    sources::group_syndicated(&checked, lead)
        .into_iter()
        .filter_map(|group| {
            let mut link = link_view(group.source, text, labels)?;
            // Each copy is a link named by its outlet (a copy may be readable where the
            // original is not), written after the source in the language's own brackets.
            let copies: Vec<String> = group
                .also
                .iter()
                .filter_map(|copy| {
                    let url = checked_link(&copy.url)?;
                    let outlet = text.syntax.escape(&text.plain(&copy.outlet));
                    Some(text.syntax.link(&outlet, &text.url(&url)))
                })
                .collect();
            if !copies.is_empty() {
                let (open, close) = if text.language.is_chinese() {
                    ("（", "）")
                } else {
                    (" (", ")")
                };
                link.also = format!(
                    "{open}{}{}{}{close}",
                    text.syntax.escape(labels.also),
                    labels.colon,
                    copies.join(labels.list_separator)
                );
            }
            Some(link)
        })
        .collect()
}

/// A checked link with its text: the title, else the outlet, else the URL itself; an arXiv
/// paper is shown as the language's paper label.
pub(super) fn link_view(source: &SourceRef, text: Text, labels: &Labels) -> Option<LinkView> {
    let url = checked_link(&source.url)?;
    let paper = is_arxiv(&url);
    let shown = if paper {
        labels.paper.to_string()
    } else {
        [source.title.as_str(), source.outlet.as_str()]
            .into_iter()
            .map(|t| text.plain(t))
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| url.clone())
    };
    Some(LinkView {
        text: text.syntax.escape(&shown),
        url: text.url(&url),
        outlet: text.syntax.escape(&text.plain(&source.outlet)),
        also: String::new(),
        paper,
    })
}

/// Is `url` (checked) an arXiv paper page?
pub(super) fn is_arxiv(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    host == "arxiv.org" || host.ends_with(".arxiv.org")
}

/// The day `source` was published, YYYY-MM-DD at `offset`; empty when unknown.
pub(super) fn local_date(source: &SourceRef, offset: FixedOffset) -> String {
    source
        .published
        .map(|t| t.with_timezone(&offset).format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}
