//! The view model every layout renders from. In: a finished `Digest`, the configured sections and
//! the output syntax; out: plain serializable structs with every label resolved for the digest
//! language, every text field in the target script and escaped for the syntax (Markdown or HTML;
//! front matter is Markdown-escaped too), every link checked. Templates never see raw cards, and a
//! link that is not absolute http(s) never reaches them. One model serves daily, speedread, brief
//! and the HTML page: each template picks the parts its layout shows.

mod card;
mod types;

use card::*;
pub(crate) use types::*;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, SecondsFormat};

use super::RenderError;
use super::escape::{Syntax, checked_link, escape_markdown};
use super::fields::{Text, plain};
use super::labels::{self, Labels};
use crate::config::SectionConfig;
use crate::model::{CardRecord, Digest, Insight, Language, MoreStory, QuickRead, SourceRef};
use crate::write::sources;

/// The front matter's summary stops adding sentences past this many characters.
const FRONT_SUMMARY_CHARS: usize = 160;

/// How many cards the quick-read list shows (seeds 001/004 list ten).
const QUICK_READ_ITEMS: usize = 10;

/// Builds the view of `digest` for `syntax`. Fails only when `generated_at` is not RFC 3339 or
/// when cards need a section and none is configured (rendering them nowhere would silently lose
/// stories).
pub(crate) fn build_view(
    digest: &Digest,
    sections: &[SectionConfig],
    syntax: Syntax,
) -> Result<DigestView, RenderError> {
    let text = Text {
        language: digest.language,
        syntax,
    };
    let labels = labels::labels(digest.language);
    let generated_at = DateTime::parse_from_rfc3339(digest.generated_at.trim()).map_err(|_| {
        RenderError::GeneratedAt {
            value: digest.generated_at.clone(),
        }
    })?;
    let offset = *generated_at.offset();
    let records = ordered_records(&digest.cards);
    let cards: Vec<CardView> = records
        .iter()
        .map(|r| card_view(r, text, labels, offset))
        .collect();
    let placed = Placed::new(records, cards, sections)?;
    let mut reading = reading_view(digest, &placed.records, &placed.cards, text);
    reading.by_section = placed.reading_by_section(&reading.recommended, text);
    let more: Vec<MoreView> = digest
        .more
        .iter()
        .filter_map(|story| more_view(story, text, labels, offset))
        .collect();
    Ok(DigestView {
        language: text.language.tag(),
        labels: *labels,
        front: front_matter(digest, generated_at),
        title: text.syntax.escape(&page_title(digest)),
        sections: numbered(placed.daily_sections(text, labels)),
        themes: numbered(placed.theme_sections(text)),
        quick_read: quick_read_view(digest, &placed.records, &placed.cards, text),
        insight: insight_view(&digest.insight, text),
        reading,
        footer: footer_view(digest, labels, generated_at, placed.cards.len(), more.len()),
        more,
    })
}

/// The cards to render in rank order, each with its view and the configured section it goes in.
struct Placed<'d> {
    sections: &'d [SectionConfig],
    records: Vec<&'d CardRecord>,
    cards: Vec<CardView>,
    /// Index into `sections` per card; `None` only for a focus card when no section is configured.
    section_of: Vec<Option<usize>>,
}

impl<'d> Placed<'d> {
    /// Fails when a card that is not in focus has no configured section to go to.
    fn new(
        records: Vec<&'d CardRecord>,
        cards: Vec<CardView>,
        sections: &'d [SectionConfig],
    ) -> Result<Self, RenderError> {
        // An unknown section id is the model's mistake, not the reader's: the story still goes
        // out, in the last (catch-all) section.
        let section_of: Vec<Option<usize>> = records
            .iter()
            .map(|record| {
                sections
                    .iter()
                    .position(|s| s.id == record.card.section.trim())
                    .or_else(|| sections.len().checked_sub(1))
            })
            .collect();
        let unplaced = records
            .iter()
            .zip(&section_of)
            .filter(|(record, index)| index.is_none() && !record.focus)
            .count();
        if unplaced > 0 {
            return Err(RenderError::NoSections { cards: unplaced });
        }
        Ok(Placed {
            sections,
            records,
            cards,
            section_of,
        })
    }

    /// Each configured section's cards in rank order, with or without the focus cards.
    fn grouped(&self, include_focus: bool) -> Vec<Vec<CardView>> {
        let mut grouped = vec![Vec::new(); self.sections.len()];
        for ((record, card), index) in self.records.iter().zip(&self.cards).zip(&self.section_of) {
            if let Some(index) = index
                && (include_focus || !record.focus)
            {
                grouped[*index].push(card.clone());
            }
        }
        grouped
    }

    /// The daily layout's sections: the focus cards first, then each section's other cards.
    fn daily_sections(&self, text: Text, labels: &Labels) -> Vec<SectionView> {
        let focus: Vec<CardView> = self
            .records
            .iter()
            .zip(&self.cards)
            .filter(|(r, _)| r.focus)
            .map(|(_, c)| c.clone())
            .collect();
        let mut daily = Vec::new();
        if !focus.is_empty() {
            daily.push(SectionView {
                id: "focus".to_string(),
                anchor: "section-focus".to_string(),
                number: 0,
                focus: true,
                label: labels.focus.to_string(),
                cards: focus,
            });
        }
        daily.extend(
            self.sections
                .iter()
                .zip(self.grouped(false))
                .filter(|(_, cards)| !cards.is_empty())
                .map(|(s, cards)| section_view(s, cards, text)),
        );
        daily
    }

    /// Speedread's and brief's themes: every card in its configured section, focus cards too.
    fn theme_sections(&self, text: Text) -> Vec<SectionView> {
        self.sections
            .iter()
            .zip(self.grouped(true))
            .filter(|(_, cards)| !cards.is_empty())
            .map(|(s, cards)| section_view(s, cards, text))
            .collect()
    }

    /// The recommended reading grouped by the section of the card each item points to.
    fn reading_by_section(
        &self,
        recommended: &[RecommendedView],
        text: Text,
    ) -> Vec<ReadingGroupView> {
        self.sections
            .iter()
            .enumerate()
            .map(|(index, section)| ReadingGroupView {
                label: text.plain(section.label_for(text.language)),
                items: recommended
                    .iter()
                    .filter(|item| {
                        self.records
                            .iter()
                            .zip(&self.section_of)
                            .any(|(r, p)| r.topic_id == item.id && *p == Some(index))
                    })
                    .cloned()
                    .collect(),
            })
            .filter(|group| !group.items.is_empty())
            .collect()
    }
}

fn section_view(section: &SectionConfig, cards: Vec<CardView>, text: Text) -> SectionView {
    SectionView {
        id: section.id.clone(),
        anchor: format!("section-{}", section.id),
        number: 0,
        focus: false,
        label: text.plain(section.label_for(text.language)),
        cards,
    }
}

/// Sections numbered from 1 in the order shown.
fn numbered(mut views: Vec<SectionView>) -> Vec<SectionView> {
    views
        .iter_mut()
        .enumerate()
        .for_each(|(i, v)| v.number = i + 1);
    views
}

fn insight_view(insight: &Insight, text: Text) -> InsightView {
    InsightView {
        trend_summary: text.block(&insight.trend_summary),
        tech_context: text.block(&insight.tech_context),
        outlook: text.block(&insight.outlook),
        watchlist: text.list(&insight.watchlist),
    }
}

fn footer_view(
    digest: &Digest,
    labels: &Labels,
    generated_at: DateTime<FixedOffset>,
    cards: usize,
    more: usize,
) -> FooterView {
    FooterView {
        counts: footer_counts(labels, digest.article_count, cards, more),
        times: labels
            .footer_times
            .replace("{hours}", &digest.window_hours.to_string())
            .replace(
                "{time}",
                &generated_at.format("%Y/%m/%d %H:%M:%S %:z").to_string(),
            ),
    }
}

/// Cards in rank order (ties by topic id), each topic once: a repeated topic id keeps its first
/// record, so no story can be rendered twice.
fn ordered_records(cards: &[CardRecord]) -> Vec<&CardRecord> {
    let mut seen = BTreeSet::new();
    let mut records: Vec<&CardRecord> = cards
        .iter()
        .filter(|r| {
            let first = seen.insert(r.topic_id.as_str());
            if !first {
                tracing::debug!(topic = %r.topic_id, "dropping a repeated card for the same topic");
            }
            first
        })
        .collect();
    records.sort_by(|a, b| {
        a.rank
            .cmp(&b.rank)
            .then_with(|| a.topic_id.cmp(&b.topic_id))
    });
    records
}

/// The headline a card is rendered under, before escaping: the card's title in the target
/// script, or (a card without a title would render an empty heading) the lead article's title,
/// the topic id as the last resort; a follow-up of an earlier digest's story is marked
/// continuing. Lint finds a card's heading by this.
pub(crate) fn card_headline(record: &CardRecord, language: Language) -> String {
    let headline = [record.card.title.as_str()]
        .into_iter()
        .chain(record.sources.iter().map(|s| s.title.as_str()))
        .map(|t| plain(t, language))
        .find(|t| !t.is_empty())
        .unwrap_or_else(|| record.topic_id.clone());
    // A follow-up says so before its title: the reader saw the story in an earlier digest.
    if record.continuing {
        format!("{}{headline}", super::labels::labels(language).continuing)
    } else {
        headline
    }
}

/// The footer's counts line: articles, the cards shown and, when there are any, the stories
/// listed under more news, so every number agrees with what the reader can count.
pub(crate) fn footer_counts(labels: &Labels, articles: usize, cards: usize, more: usize) -> String {
    let counts = labels
        .footer_counts
        .replace("{articles}", &articles.to_string())
        .replace("{topics}", &cards.to_string());
    if more == 0 {
        counts
    } else {
        format!(
            "{counts}{}",
            labels.footer_more.replace("{more}", &more.to_string())
        )
    }
}

/// The source a card's headline links to: the article the card call named as its lead
/// (`lead_article_id`, when the card stage passes one), else the best source in the digest's
/// language (see `sources::lead_source`). Lint asks the same question.
pub(crate) fn headline_source<'a>(
    record: &'a CardRecord,
    language: Language,
    lead_article_id: Option<&str>,
) -> Option<&'a SourceRef> {
    // Only a link the reader can follow can stand for the story.
    let checkable: Vec<&SourceRef> = record
        .sources
        .iter()
        .filter(|s| checked_link(&s.url).is_some())
        .collect();
    sources::lead_source(
        &checkable,
        language,
        lead_article_id,
        &card_headline(record, language),
    )
}

fn more_view(
    story: &MoreStory,
    text: Text,
    labels: &Labels,
    offset: FixedOffset,
) -> Option<MoreView> {
    let link = link_view(&story.lead, text, labels)?;
    let line = text.line(&story.line);
    Some(MoreView {
        line: if line.is_empty() {
            link.text.clone()
        } else {
            line
        },
        title: link.text,
        url: link.url,
        outlet: link.outlet,
        date: local_date(&story.lead, offset),
    })
}

/// "<headline> — YYYY/MM/DD" in the target script, not escaped; the date alone without a headline.
fn page_title(digest: &Digest) -> String {
    let headline = [digest.insight.headline.as_str(), digest.title.as_str()]
        .into_iter()
        .map(|t| plain(t, digest.language))
        .find(|t| !t.is_empty())
        .unwrap_or_default();
    let date = digest.date.format("%Y/%m/%d");
    if headline.is_empty() {
        date.to_string()
    } else {
        format!("{headline} — {date}")
    }
}

fn front_matter(digest: &Digest, generated_at: DateTime<FixedOffset>) -> FrontMatterView {
    let language = digest.language;
    let title = page_title(digest);
    // The editor's words only: a list of headlines is no summary, and the body repeats them.
    let description = plain(&digest.insight.description, language);
    let summary = [&digest.insight.trend_summary, &digest.insight.description]
        .into_iter()
        .map(|t| front_summary(&plain(t, language)))
        .find(|t| !t.is_empty())
        .unwrap_or_default();
    let summary = escape_markdown(&summary);
    FrontMatterView {
        title: escape_markdown(&title),
        date: generated_at.to_rfc3339_opts(SecondsFormat::AutoSi, false),
        tags: digest
            .insight
            .tags
            .iter()
            .map(|t| escape_markdown(&plain(t, language)))
            .filter(|t| !t.is_empty())
            .collect(),
        description: escape_markdown(&description),
        summary,
        generator: GeneratorView {
            provider: plain(&digest.generator.provider, Language::En),
            model: plain(&digest.generator.model, Language::En),
            run: plain(&digest.generator.run, Language::En),
            fallback: digest
                .cards
                .iter()
                .filter(|r| r.fallback)
                .map(|r| escape_markdown(&card_headline(r, language)))
                .collect(),
        },
    }
}

/// A list page shows the summary under the title: the paragraph's first sentences, up to
/// `FRONT_SUMMARY_CHARS` (one sentence however long, never a cut one).
fn front_summary(paragraph: &str) -> String {
    let mut summary = String::new();
    for sentence in crate::text::sentences::split(paragraph) {
        let kept = summary.chars().count();
        if kept > 0 && kept + sentence.chars().count() > FRONT_SUMMARY_CHARS {
            break;
        }
        // Latin sentences are separated by a space, Chinese ones are not.
        if summary.ends_with(|c: char| c.is_ascii()) && sentence.starts_with(|c: char| c.is_ascii())
        {
            summary.push(' ');
        }
        summary.push_str(&sentence);
    }
    summary
}

/// 本期速覽: the first cards in rank order, each under its own tag (the card's first topic tag,
/// else the editor's) and short headline, with the editor's one-liner for it when there is one —
/// never the summary's first sentence, which the card itself shows under 概要.
fn quick_read_view(
    digest: &Digest,
    records: &[&CardRecord],
    cards: &[CardView],
    text: Text,
) -> Vec<QuickReadView> {
    let mut editor: BTreeMap<&str, &QuickRead> = BTreeMap::new();
    for item in &digest.insight.quick_read {
        editor.entry(item.card.trim()).or_insert(item);
    }
    records
        .iter()
        .zip(cards)
        .take(QUICK_READ_ITEMS)
        .map(|(record, card)| {
            let item = editor.get(record.topic_id.as_str());
            let editor_tag = item.map(|i| {
                let tag = text.plain(&i.tag);
                text.syntax
                    .escape(tag.trim().trim_start_matches('[').trim_end_matches(']'))
            });
            let tag = card
                .tags
                .first()
                .cloned()
                .or(editor_tag)
                .filter(|t| !t.is_empty())
                .map(|t| format!("[{t}]"))
                .unwrap_or_default();
            // The editor's line, else the card's own (see `quick_line`); never one that only
            // repeats the card's title or summary (a small model copies, and its server cuts
            // the copy at the line's bound).
            let line = quick_line(record, item.map(|i| i.line.as_str()), text);
            QuickReadView {
                tag,
                title: card.short_title.clone(),
                anchor: card.anchor.clone(),
                line,
            }
        })
        .collect()
}

fn reading_view(
    digest: &Digest,
    records: &[&CardRecord],
    cards: &[CardView],
    text: Text,
) -> ReadingView {
    let by_id: BTreeMap<&str, &CardView> = records
        .iter()
        .zip(cards)
        .map(|(r, c)| (r.topic_id.as_str(), c))
        .collect();
    let mut recommended = Vec::new();
    let mut seen = BTreeSet::new();
    for item in &digest.insight.further_reading {
        let id = item.card.trim();
        // An id the editor pass invented, or a card with no usable link, cannot be a link.
        let Some(card) = by_id.get(id) else {
            tracing::debug!(card = %id, "dropping further reading for an unknown card");
            continue;
        };
        if card.url.is_empty() || !seen.insert(card.id.clone()) {
            continue;
        }
        recommended.push(RecommendedView {
            id: card.id.clone(),
            title: card.title.clone(),
            url: card.url.clone(),
            anchor: card.anchor.clone(),
            why: text.line(&item.why),
        });
    }
    let background = digest
        .insight
        .background
        .iter()
        .filter_map(|b| {
            let term = text.plain(&b.term);
            (!term.is_empty()).then(|| TermView {
                term: text.syntax.escape(&term),
                definition: text.line(&b.definition),
            })
        })
        .collect();
    let mut keywords: Vec<String> = Vec::new();
    for keyword in &digest.insight.keywords {
        // Inside a code span nothing is escaped, so the one character that ends it goes.
        let keyword = text.plain(&keyword.replace('`', " "));
        let keyword = match text.syntax {
            Syntax::Markdown => keyword,
            Syntax::Html => text.syntax.escape(&keyword),
        };
        if !keyword.is_empty() && !keywords.contains(&keyword) {
            keywords.push(keyword);
        }
    }
    ReadingView {
        recommended,
        by_section: Vec::new(),
        background,
        keywords,
    }
}
