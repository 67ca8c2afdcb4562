//! Sections and cards of a digest, per layout. In: a parsed `Doc`, its labels and layout (or none:
//! `detect_layout` scores the document's shape); out: sections by kind and cards, each with its
//! headline, first source, present fields, prose lines and 0-based line index. Brief's 更多動態
//! lines are story entries too (one-line cards), so a story repeated there is found.

use super::doc::{Doc, Heading, bold_field, is_thematic_break};
use super::inline::{first_link_target, links, strip_urls};
use crate::config::Layout;
use crate::render::labels::Labels;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SectionKind {
    Focus,
    News,
    EditorInsight,
    FurtherReading,
    /// speedread's tagged one-line list.
    QuickRead,
    /// brief's one-line items for the stories past `max_topics`.
    More,
}

pub(super) struct Section<'a> {
    pub(super) index: usize,
    /// One past the last line of the section.
    pub(super) end: usize,
    pub(super) kind: SectionKind,
    pub(super) text: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Field {
    Summary,
    Entities,
    Importance,
    Sources,
}

impl Field {
    /// What a card of `layout` must carry.
    pub(super) fn required(layout: Layout) -> &'static [Field] {
        match layout {
            Layout::Daily => &[
                Field::Summary,
                Field::Entities,
                Field::Importance,
                Field::Sources,
            ],
            Layout::Speedread | Layout::Brief => &[Field::Summary, Field::Sources],
        }
    }

    /// The field as a reader of `layout` sees it, for messages.
    pub(super) fn label(self, labels: &Labels, layout: Layout) -> &'static str {
        match (layout, self) {
            (Layout::Speedread, Field::Summary) => labels.overview,
            (Layout::Speedread, Field::Sources) => labels.read_original,
            (Layout::Brief, Field::Summary) => "a lead paragraph",
            (Layout::Brief, Field::Sources) => "a link in its heading",
            (_, Field::Summary) => labels.summary,
            (_, Field::Entities) => labels.entities,
            (_, Field::Importance) => labels.importance,
            (_, Field::Sources) => labels.sources,
        }
    }
}

pub(super) struct Card {
    /// 0-based line index of the `###` headline (or of the one-line item).
    pub(super) index: usize,
    /// The headline's text: bold markers dropped, a heading link reduced to its text.
    pub(super) headline: String,
    /// Required fields that are present with content.
    pub(super) fields: Vec<Field>,
    /// Target of the card's first source link (or bare arXiv id).
    pub(super) first_source: Option<String>,
    /// Every link target of the card, headline included.
    pub(super) links: Vec<String>,
    /// 0-based indices of the lines holding the card's prose (summary, details, bullets …), not
    /// its entities, importance or source links.
    pub(super) prose_lines: Vec<usize>,
    /// A one-line story entry (brief's 更多動態): no fields to check.
    pub(super) one_line: bool,
}

/// The layout whose structure the document shows most; `None` when it shows none (an empty or
/// non-digest file).
pub(super) fn detect_layout(doc: &Doc, labels: &Labels) -> Option<Layout> {
    let h2: Vec<&Heading> = doc.headings.iter().filter(|h| h.level == 2).collect();
    let h3: Vec<&Heading> = doc.headings.iter().filter(|h| h.level == 3).collect();
    let fields = |names: &[&str]| {
        doc.body_lines()
            .filter_map(|(_, line)| bold_field(line.trim_start_matches('>').trim_start()))
            .filter(|(name, _)| names.iter().any(|n| name.starts_with(n)))
            .count()
    };
    let daily = fields(&[
        labels.summary,
        labels.entities,
        labels.importance,
        labels.sources,
    ]) + h2
        .iter()
        .filter(|h| h.text.starts_with(labels.focus))
        .count();
    let speedread = fields(&[labels.overview, labels.detail_points])
        + h2.iter()
            .filter(|h| {
                h.text.starts_with(labels.quick_read)
                    || h.text.starts_with(labels.extended_reading)
                    || numbered(h.text)
            })
            .count();
    let brief = h3.iter().filter(|h| heading_link(h.text).is_some()).count()
        + fields(&[labels.deep_insight])
        + h2.iter()
            .filter(|h| h.text.starts_with(labels.more_news))
            .count();
    let scores = [
        (Layout::Daily, daily),
        (Layout::Speedread, speedread),
        (Layout::Brief, brief),
    ];
    let best = scores.iter().map(|(_, s)| *s).max().unwrap_or(0);
    // A heading or two could be anything; a digest has cards.
    if best < 2 || h3.is_empty() {
        return None;
    }
    scores.iter().find(|(_, s)| *s == best).map(|(l, _)| *l)
}

/// "1. Models" — speedread numbers its sections.
fn numbered(text: &str) -> bool {
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    digits > 0 && text[digits..].starts_with(". ")
}

/// `[text](target)` filling the whole heading (bold markers aside): (text, target).
fn heading_link(text: &str) -> Option<(String, String)> {
    let text = text.trim().trim_matches('*').trim();
    let link = links(text).into_iter().next()?;
    if link.start != 0 || link.end != text.len() {
        return None;
    }
    let whole = &text[link.start..link.end];
    let label = &whole[1..whole.find("](")?];
    Some((label.to_string(), link.target))
}

pub(super) fn sections<'a>(doc: &Doc<'a>, labels: &Labels) -> Vec<Section<'a>> {
    doc.headings
        .iter()
        .filter(|h| h.level == 2)
        .map(|h| {
            let kind = [
                (labels.focus, SectionKind::Focus),
                (labels.editor_insight, SectionKind::EditorInsight),
                (labels.further_reading, SectionKind::FurtherReading),
                (labels.extended_reading, SectionKind::FurtherReading),
                (labels.quick_read, SectionKind::QuickRead),
                (labels.more_news, SectionKind::More),
            ]
            .into_iter()
            .find(|(label, _)| h.text.trim_start_matches(['⚡', ' ']).starts_with(label))
            .map_or(SectionKind::News, |(_, kind)| kind);
            Section {
                index: h.index,
                end: doc.block_end(h),
                kind,
                text: h.text,
            }
        })
        .collect()
}

/// `###` blocks under today's focus and the news sections, then brief's one-line items.
pub(super) fn cards(doc: &Doc, sections: &[Section], labels: &Labels, layout: Layout) -> Vec<Card> {
    let mut cards = Vec::new();
    for section in sections {
        match section.kind {
            SectionKind::Focus | SectionKind::News => {
                for heading in doc
                    .headings
                    .iter()
                    .filter(|h| h.level == 3 && h.index > section.index && h.index < section.end)
                {
                    let end = doc.block_end(heading);
                    cards.push(card(doc, heading, end, labels, layout));
                }
            }
            SectionKind::More => cards.extend(one_line_items(doc, section)),
            _ => {}
        }
    }
    cards.sort_by_key(|c| c.index);
    cards
}

fn one_line_items(doc: &Doc, section: &Section) -> Vec<Card> {
    (section.index + 1..section.end)
        .filter(|&i| !doc.in_code[i])
        .filter_map(|i| {
            let line = doc.lines[i].trim_start();
            let item = line
                .strip_prefix("- ")
                .or_else(|| line.strip_prefix("* "))?
                .trim();
            let (headline, target) = links(item)
                .into_iter()
                .next()
                .filter(|l| l.start == 0)
                .map(|l| {
                    let whole = &item[l.start..l.end];
                    let text = whole[1..whole.find("](").unwrap_or(1)].to_string();
                    (text, Some(l.target))
                })
                .unwrap_or_else(|| (item.to_string(), None));
            Some(Card {
                index: i,
                headline,
                fields: Vec::new(),
                links: target.iter().cloned().collect(),
                first_source: target,
                prose_lines: Vec::new(),
                one_line: true,
            })
        })
        .collect()
}

fn card(doc: &Doc, heading: &Heading, end: usize, labels: &Labels, layout: Layout) -> Card {
    let mut card = Card {
        index: heading.index,
        headline: heading.text.trim().trim_matches('*').trim().to_string(),
        fields: Vec::new(),
        first_source: None,
        links: Vec::new(),
        prose_lines: Vec::new(),
        one_line: false,
    };
    if let Some((text, target)) = heading_link(heading.text) {
        card.headline = text;
        card.links.push(target.clone());
        card.first_source = Some(target);
        card.fields.push(Field::Sources);
    }
    let body: Vec<(usize, &str)> = (heading.index + 1..end)
        .filter(|&i| !doc.in_code[i])
        .map(|i| (i, doc.lines[i]))
        .collect();
    for &(_, line) in &body {
        card.links.extend(links(line).into_iter().map(|l| l.target));
    }
    match layout {
        Layout::Daily => daily_fields(&mut card, &body, labels),
        Layout::Speedread => speedread_fields(&mut card, &body, labels),
        Layout::Brief => brief_fields(&mut card, &body, labels),
    }
    card
}

fn add(card: &mut Card, field: Field) {
    if !card.fields.contains(&field) {
        card.fields.push(field);
    }
}

/// Prose worth a language check: the line without link targets, bold markers and list marks.
fn has_prose(line: &str) -> bool {
    strip_urls(line)
        .chars()
        .any(|c| c.is_alphabetic() && !c.is_ascii_punctuation())
}

/// daily: `**Name**` fields; a field's content is what follows it on its line, or else the lines
/// below it up to the next field or separator (the summary paragraph is written that way).
fn daily_fields(card: &mut Card, body: &[(usize, &str)], labels: &Labels) {
    let prose_labels = [labels.summary, labels.details, labels.scenarios];
    for (position, &(index, line)) in body.iter().enumerate() {
        let Some((name, inline)) = bold_field(line) else {
            continue;
        };
        let mut content: Vec<(usize, &str)> = vec![(index, inline)];
        content.extend(
            body[position + 1..]
                .iter()
                .copied()
                .take_while(|(_, l)| bold_field(l).is_none() && !is_thematic_break(l))
                .filter(|(_, l)| !l.trim().is_empty()),
        );
        if prose_labels.iter().any(|l| name.starts_with(l)) {
            card.prose_lines.extend(
                content
                    .iter()
                    .filter(|(_, l)| has_prose(l))
                    .map(|(i, _)| *i),
            );
        }
        let Some(&field) = Field::required(Layout::Daily)
            .iter()
            .find(|f| name.starts_with(f.label(labels, Layout::Daily)))
        else {
            continue;
        };
        let text: Vec<&str> = content.iter().map(|(_, l)| *l).collect();
        let text = text.join("\n");
        if text.trim().is_empty() {
            continue;
        }
        if field == Field::Sources && card.first_source.is_none() {
            card.first_source = first_link_target(&text);
        }
        add(card, field);
    }
}

/// speedread: `> **概要**：…` is the summary, `[閱讀原文](url)` or a sources field the source,
/// `- **label**：text` bullets the details or key points (any label but entities and importance).
fn speedread_fields(card: &mut Card, body: &[(usize, &str)], labels: &Labels) {
    for &(index, line) in body {
        let unquoted = line.trim_start().trim_start_matches('>').trim_start();
        let bullet = unquoted
            .strip_prefix("- ")
            .or_else(|| unquoted.strip_prefix("* "))
            .unwrap_or(unquoted);
        if let Some((name, value)) = bold_field(bullet) {
            if name.starts_with(labels.overview) && has_prose(value) {
                add(card, Field::Summary);
                card.prose_lines.push(index);
            } else if ![labels.entities, labels.importance, labels.sources]
                .iter()
                .any(|l| name.starts_with(l))
                && has_prose(value)
            {
                // Details, scenarios or a key point under the writer's own label.
                card.prose_lines.push(index);
            }
        }
        if card.first_source.is_none()
            && let Some(target) = first_link_target(line)
        {
            card.first_source = Some(target);
        }
    }
    if card.first_source.is_some() {
        add(card, Field::Sources);
    }
}

/// brief: the heading links the story; its lead paragraph (a plain line of prose), or 2 or more
/// `- ` bullets in older briefs, is its summary; labelled bullets, the `**深度解讀 & 洞察：**`
/// paragraph and the 影響 bullets are prose too.
fn brief_fields(card: &mut Card, body: &[(usize, &str)], labels: &Labels) {
    let mut bullets = 0;
    let mut lead = false;
    for &(index, line) in body {
        let trimmed = line.trim_start();
        if let Some(item) = trimmed
            .strip_prefix("- ")
            .or_else(|| trimmed.strip_prefix("* "))
        {
            bullets += 1;
            if !item.starts_with(labels.entities) && has_prose(item) {
                card.prose_lines.push(index);
            }
        } else if bold_field(trimmed).is_some_and(|(name, _)| name.starts_with(labels.deep_insight))
            && has_prose(trimmed)
        {
            card.prose_lines.push(index);
        } else if !trimmed.starts_with(['*', '`', '#', '>', '[']) && has_prose(trimmed) {
            // Not the date line (`*2026-01-05*` and its tags), a field or a link: the lead.
            lead = true;
            card.prose_lines.push(index);
        }
    }
    if lead || bullets >= 2 {
        add(card, Field::Summary);
    }
}
