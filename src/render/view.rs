//! The view model templates render from. In: a finished `Digest` and the configured sections; out:
//! plain serializable structs with every label resolved for the digest language, every text field
//! in the target script (Markdown-escaped unless it is front matter), every link checked.
//! Templates never see raw cards, and a link that is not absolute http(s) never reaches them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde::Serialize;

use super::RenderError;
use super::labels::{self, Labels};
use crate::collect::url::is_absolute_http;
use crate::config::SectionConfig;
use crate::model::{CardRecord, Digest, Language};
use crate::text::to_script;

/// Everything one rendered digest shows.
#[derive(Debug, Clone, Serialize)]
pub struct DigestView {
    /// BCP 47 tag of the digest language.
    pub language: &'static str,
    /// The fixed words of the layout in the digest language.
    pub labels: Labels,
    pub front: FrontMatterView,
    /// Today's focus first (when it has cards), then the configured sections in configured order.
    /// Sections without cards are already gone; every card sits in exactly one section.
    pub sections: Vec<SectionView>,
    pub insight: InsightView,
    pub reading: ReadingView,
    pub footer: FooterView,
}

/// Hugo front matter, in the target script. Article-derived text is Markdown-escaped like the body
/// (Hugo renders `summary` as Markdown and many themes `markdownify` titles); templates still
/// quote every value with the `yaml_str` filter.
#[derive(Debug, Clone, Serialize)]
pub struct FrontMatterView {
    /// "<headline> — YYYY/MM/DD".
    pub title: String,
    /// RFC 3339 with offset; safe to write unquoted.
    pub date: String,
    pub tags: Vec<String>,
    pub description: String,
    /// The first three focus titles joined with the language's list separator.
    pub summary: String,
    pub generator: GeneratorView,
}

#[derive(Debug, Clone, Serialize)]
pub struct GeneratorView {
    pub provider: String,
    pub model: String,
    pub run: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionView {
    /// The configured section id, or "focus" for today's focus.
    pub id: String,
    /// True for today's focus.
    pub focus: bool,
    pub label: String,
    pub cards: Vec<CardView>,
}

/// One card, every text field Markdown-escaped; empty fields are empty strings or lists.
#[derive(Debug, Clone, Serialize)]
pub struct CardView {
    pub id: String,
    pub rank: usize,
    pub title: String,
    /// Paragraphs separated by one blank line.
    pub summary: String,
    pub details: String,
    pub scenarios: String,
    pub insight: String,
    pub entities: Vec<String>,
    /// The importance word in the digest language.
    pub importance: String,
    /// Checked links from the topic's own articles, in their order, without duplicate URLs.
    pub sources: Vec<LinkView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkView {
    /// Markdown-escaped link text.
    pub text: String,
    /// An absolute http(s) URL with the characters that would end a Markdown link encoded.
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct InsightView {
    pub trend_summary: String,
    pub tech_context: String,
    pub outlook: String,
    pub watchlist: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReadingView {
    pub recommended: Vec<RecommendedView>,
    pub background: Vec<TermView>,
    /// Raw keywords for code spans: backticks removed, not Markdown-escaped.
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecommendedView {
    /// The recommended card's title, Markdown-escaped.
    pub title: String,
    /// The card's first checked source URL.
    pub url: String,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermView {
    pub term: String,
    pub definition: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FooterView {
    /// "資料來源：N 篇文章 | 分析主題：M 個" with the numbers filled in.
    pub counts: String,
    /// Window hours and generation time filled in.
    pub times: String,
}

/// Builds the view of `digest`. Fails only when `generated_at` is not RFC 3339 or when cards
/// need a section and none is configured (rendering them nowhere would silently lose stories).
pub fn build_view(digest: &Digest, sections: &[SectionConfig]) -> Result<DigestView, RenderError> {
    let language = digest.language;
    let labels = labels::labels(language);
    let generated_at = DateTime::parse_from_rfc3339(digest.generated_at.trim()).map_err(|_| {
        RenderError::GeneratedAt {
            value: digest.generated_at.clone(),
        }
    })?;

    let records = ordered_records(&digest.cards);
    let cards: Vec<CardView> = records
        .iter()
        .map(|r| card_view(r, language, labels))
        .collect();

    let focus: Vec<&CardView> = records
        .iter()
        .zip(&cards)
        .filter(|(r, _)| r.focus)
        .map(|(_, c)| c)
        .collect();
    let mut grouped: Vec<Vec<CardView>> = vec![Vec::new(); sections.len()];
    let mut unplaced = 0usize;
    for (record, card) in records.iter().zip(&cards) {
        if record.focus {
            continue;
        }
        // An unknown section id is the model's mistake, not the reader's: the story still goes
        // out, in the last (catch-all) section.
        match sections
            .iter()
            .position(|s| s.id == record.card.section.trim())
        {
            Some(index) => grouped[index].push(card.clone()),
            None if !sections.is_empty() => grouped[sections.len() - 1].push(card.clone()),
            None => unplaced += 1,
        }
    }
    if unplaced > 0 {
        return Err(RenderError::NoSections { cards: unplaced });
    }

    let mut section_views = Vec::new();
    if !focus.is_empty() {
        section_views.push(SectionView {
            id: "focus".to_string(),
            focus: true,
            label: labels.focus.to_string(),
            cards: focus.iter().map(|c| (*c).clone()).collect(),
        });
    }
    for (section, cards) in sections.iter().zip(grouped) {
        if cards.is_empty() {
            continue;
        }
        section_views.push(SectionView {
            id: section.id.clone(),
            focus: false,
            label: plain(section.label_for(language), language),
            cards,
        });
    }

    let front = front_matter(digest, &records, generated_at, labels);
    let insight = &digest.insight;
    let insight_view = InsightView {
        trend_summary: block(&insight.trend_summary, language),
        tech_context: block(&insight.tech_context, language),
        outlook: block(&insight.outlook, language),
        watchlist: inline_list(&insight.watchlist, language),
    };
    let reading = reading_view(digest, &records, &cards, language);
    let footer = FooterView {
        counts: labels
            .footer_counts
            .replace("{articles}", &digest.article_count.to_string())
            .replace("{topics}", &digest.topic_count.to_string()),
        times: labels
            .footer_times
            .replace("{hours}", &digest.window_hours.to_string())
            .replace(
                "{time}",
                &generated_at.format("%Y/%m/%d %H:%M:%S %:z").to_string(),
            ),
    };

    Ok(DigestView {
        language: language.tag(),
        labels: *labels,
        front,
        sections: section_views,
        insight: insight_view,
        reading,
        footer,
    })
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

fn card_view(record: &CardRecord, language: Language, labels: &Labels) -> CardView {
    let card = &record.card;
    let sources = source_links(record, language);
    // A card without a title would render an empty heading; the lead article's title is the
    // most honest stand-in, the topic id the last resort.
    let title = [card.title.as_str()]
        .into_iter()
        .chain(record.sources.iter().map(|s| s.title.as_str()))
        .map(|t| plain(t, language))
        .find(|t| !t.is_empty())
        .unwrap_or_else(|| record.topic_id.clone());
    // A follow-up says so before its title: the reader saw the story in an earlier digest.
    let title = if record.continuing {
        format!("{}{}", labels.continuing, escape_markdown(&title))
    } else {
        escape_markdown(&title)
    };
    CardView {
        id: record.topic_id.clone(),
        rank: record.rank,
        title,
        summary: block(&card.summary, language),
        details: block(&card.details, language),
        scenarios: block(&card.scenarios, language),
        insight: block(&card.insight, language),
        entities: inline_list(&card.entities, language),
        importance: labels.importance_word(card.importance).to_string(),
        sources,
    }
}

fn source_links(record: &CardRecord, language: Language) -> Vec<LinkView> {
    let mut seen = BTreeSet::new();
    let mut links = Vec::new();
    for source in &record.sources {
        let Some(url) = checked_link(&source.url) else {
            tracing::debug!(topic = %record.topic_id, url = %source.url, "dropping a source link that is not absolute http(s)");
            continue;
        };
        if !seen.insert(url.clone()) {
            continue;
        }
        let text = [source.title.as_str(), source.outlet.as_str()]
            .into_iter()
            .map(|t| plain(t, language))
            .find(|t| !t.is_empty())
            .unwrap_or_else(|| url.clone());
        links.push(LinkView {
            text: escape_markdown(&text),
            url,
        });
    }
    links
}

fn front_matter(
    digest: &Digest,
    records: &[&CardRecord],
    generated_at: DateTime<FixedOffset>,
    labels: &Labels,
) -> FrontMatterView {
    let language = digest.language;
    let headline = [digest.insight.headline.as_str(), digest.title.as_str()]
        .into_iter()
        .map(|t| plain(t, language))
        .find(|t| !t.is_empty())
        .unwrap_or_default();
    let date = digest.date.format("%Y/%m/%d");
    let title = if headline.is_empty() {
        date.to_string()
    } else {
        format!("{headline} — {date}")
    };
    // Without focus cards the top of the ranking is the next best summary of the day.
    let focus: Vec<&&CardRecord> = records.iter().filter(|r| r.focus).collect();
    let top: Vec<&&CardRecord> = if focus.is_empty() {
        records.iter().collect()
    } else {
        focus
    };
    let summary = top
        .iter()
        .map(|r| plain(&r.card.title, language))
        .filter(|t| !t.is_empty())
        .take(3)
        .map(|t| escape_markdown(&t))
        .collect::<Vec<_>>()
        .join(labels.list_separator);
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
        description: escape_markdown(&plain(&digest.insight.description, language)),
        summary,
        generator: GeneratorView {
            provider: plain(&digest.generator.provider, Language::En),
            model: plain(&digest.generator.model, Language::En),
            run: plain(&digest.generator.run, Language::En),
        },
    }
}

fn reading_view(
    digest: &Digest,
    records: &[&CardRecord],
    cards: &[CardView],
    language: Language,
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
        let Some(first) = card.sources.first() else {
            continue;
        };
        if !seen.insert(id) {
            continue;
        }
        recommended.push(RecommendedView {
            title: card.title.clone(),
            url: first.url.clone(),
            why: escape_markdown(&plain(&item.why, language)),
        });
    }
    let background = digest
        .insight
        .background
        .iter()
        .filter_map(|b| {
            let term = plain(&b.term, language);
            (!term.is_empty()).then(|| TermView {
                term: escape_markdown(&term),
                definition: escape_markdown(&plain(&b.definition, language)),
            })
        })
        .collect();
    let mut keywords: Vec<String> = Vec::new();
    for keyword in &digest.insight.keywords {
        // Inside a code span nothing is escaped, so the one character that ends it goes.
        let keyword = plain(&keyword.replace('`', " "), language);
        if !keyword.is_empty() && !keywords.contains(&keyword) {
            keywords.push(keyword);
        }
    }
    ReadingView {
        recommended,
        background,
        keywords,
    }
}

/// A link a digest may show, or `None`. Bare arXiv ids (`arXiv:2512.23185v1`) become their abstract
/// page; anything else must already be an absolute http(s) URL.
pub fn checked_link(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let candidate = match arxiv_id(raw) {
        Some(id) => format!("https://arxiv.org/abs/{id}"),
        None => raw.to_string(),
    };
    if !is_absolute_http(&candidate) {
        return None;
    }
    // Whitespace, parentheses and angle brackets would end a Markdown link destination early.
    let mut url = String::with_capacity(candidate.len());
    for c in candidate.chars() {
        match c {
            ' ' => url.push_str("%20"),
            '(' => url.push_str("%28"),
            ')' => url.push_str("%29"),
            '<' => url.push_str("%3C"),
            '>' => url.push_str("%3E"),
            c if c.is_whitespace() => {}
            c => url.push(c),
        }
    }
    Some(url)
}

/// The id in `arXiv:ID` (any case), when ID has the shape of a new-style (`2512.23185v1`) or
/// old-style (`cs.AI/0601001`) arXiv identifier.
fn arxiv_id(raw: &str) -> Option<&str> {
    let prefix = raw.get(..6)?;
    if !prefix.eq_ignore_ascii_case("arxiv:") {
        return None;
    }
    let id = raw[6..].trim();
    let base = match id.rsplit_once('v') {
        Some((base, version))
            if !base.is_empty()
                && !version.is_empty()
                && version.chars().all(|c| c.is_ascii_digit()) =>
        {
            base
        }
        _ => id,
    };
    let new_style = base.split_once('.').is_some_and(|(yymm, number)| {
        yymm.len() == 4
            && yymm.chars().all(|c| c.is_ascii_digit())
            && (4..=5).contains(&number.len())
            && number.chars().all(|c| c.is_ascii_digit())
    });
    let old_style = base.split_once('/').is_some_and(|(archive, number)| {
        !archive.is_empty()
            && archive
                .chars()
                .all(|c| c.is_ascii_alphabetic() || c == '-' || c == '.')
            && number.len() == 7
            && number.chars().all(|c| c.is_ascii_digit())
    });
    (new_style || old_style).then_some(id)
}

/// Text in the target script with every run of whitespace (newlines included) collapsed to one
/// space: for headings, list items, link text and front matter.
fn plain(text: &str, language: Language) -> String {
    collapse_whitespace(&to_script(text, language))
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A paragraph field: in the target script, Markdown-escaped, paragraphs (blank-line separated
/// in the input) kept, lines within a paragraph joined.
fn block(text: &str, language: Language) -> String {
    let converted = to_script(text, language);
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in converted.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(escape_markdown(&collapse_whitespace(&current.join(" "))));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(escape_markdown(&collapse_whitespace(&current.join(" "))));
    }
    paragraphs.join("\n\n")
}

fn inline_list(items: &[String], language: Language) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        let item = escape_markdown(&plain(item, language));
        if !item.is_empty() && !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Escapes one line of article-derived text so it renders as the same words in Markdown: no
/// emphasis, code, link, HTML or strikethrough, and no block structure (heading, quote, list,
/// rule, setext underline) when the line is written at the start of a line or of a list item.
pub fn escape_markdown(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len() + 8);
    // A leading ordered-list marker ("2025. " or "3) ") is neutralised by escaping its
    // punctuation; other block markers by escaping the first character.
    let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    let list_marker_at =
        (digits > 0 && matches!(chars.get(digits), Some('.' | ')'))).then_some(digits);
    for (i, &c) in chars.iter().enumerate() {
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '~' => true,
            // A trailing run of '#' closes an ATX heading and would vanish.
            '#' => i == 0 || i + 1 == chars.len(),
            '>' | '-' | '+' | '=' | '|' => i == 0,
            '.' | ')' => list_marker_at == Some(i),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_checked_and_arxiv_ids_rewritten() {
        assert_eq!(
            checked_link("arXiv:2512.23185v1").as_deref(),
            Some("https://arxiv.org/abs/2512.23185v1")
        );
        assert_eq!(
            checked_link(" ARXIV:2512.2318 ").as_deref(),
            Some("https://arxiv.org/abs/2512.2318")
        );
        assert_eq!(
            checked_link("arXiv:cs.AI/0601001v2").as_deref(),
            Some("https://arxiv.org/abs/cs.AI/0601001v2")
        );
        assert_eq!(checked_link("arXiv:not-an-id"), None);
        assert_eq!(checked_link("1"), None);
        assert_eq!(checked_link("ftp://example.com/x"), None);
        assert_eq!(checked_link("/relative/path"), None);
        assert_eq!(checked_link("javascript:alert(1)"), None);
        assert_eq!(
            checked_link("https://en.wikipedia.org/wiki/Foo_(bar)").as_deref(),
            Some("https://en.wikipedia.org/wiki/Foo_%28bar%29")
        );
    }

    #[test]
    fn escapes_inline_and_line_start_markdown() {
        assert_eq!(
            escape_markdown("**x** [a](b) _y_ `z` <b> ~~s~~ a\\b"),
            "\\*\\*x\\*\\* \\[a\\](b) \\_y\\_ \\`z\\` \\<b> \\~\\~s\\~\\~ a\\\\b"
        );
        assert_eq!(escape_markdown("# title #"), "\\# title \\#");
        assert_eq!(escape_markdown("C# rocks"), "C# rocks");
        assert_eq!(escape_markdown("2025. a year"), "2025\\. a year");
        assert_eq!(escape_markdown("3) three"), "3\\) three");
        assert_eq!(escape_markdown("- dash"), "\\- dash");
        assert_eq!(escape_markdown("> quote"), "\\> quote");
        assert_eq!(escape_markdown("a - b > c"), "a - b > c");
        assert_eq!(escape_markdown("GPT-4.5"), "GPT-4.5");
    }

    #[test]
    fn block_keeps_paragraphs_and_joins_lines() {
        assert_eq!(
            block(
                "first line\n  second *line*\n\n\n# not a heading\n",
                Language::En
            ),
            "first line second \\*line\\*\n\n\\# not a heading"
        );
        assert_eq!(block("  \n\n ", Language::En), "");
    }
}
