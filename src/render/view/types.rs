//! The view model's types: what a template can read, every field already labelled, converted
//! and escaped by `view::build_view`.

use serde::Serialize;

use crate::render::labels::Labels;

/// Everything one rendered digest shows.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct DigestView {
    /// BCP 47 tag of the digest language.
    pub language: &'static str,
    /// The fixed words of the layouts in the digest language.
    pub labels: Labels,
    pub front: FrontMatterView,
    /// The page title ("<headline> — YYYY/MM/DD") escaped for the syntax.
    pub title: String,
    /// daily: today's focus first (when it has cards), then the configured sections in configured
    /// order. Sections without cards are already gone; every card sits in exactly one section.
    pub sections: Vec<SectionView>,
    /// speedread and brief: the configured sections only, focus cards in their own section, each
    /// numbered from 1. Every card sits in exactly one theme.
    pub themes: Vec<SectionView>,
    /// speedread's 本期速覽: each card's topic tag and short headline in rank order, with the
    /// editor's one-liner when the insight pass wrote one for it.
    pub quick_read: Vec<QuickReadView>,
    pub insight: InsightView,
    pub reading: ReadingView,
    /// 更多動態 in every layout: stories past `max_topics`, one line each.
    pub more: Vec<MoreView>,
    pub footer: FooterView,
}

/// Hugo front matter, in the target script. Article-derived text is Markdown-escaped like the body
/// (Hugo renders `summary` as Markdown and many themes `markdownify` titles); templates still
/// quote every value with the `yaml_str` filter.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FrontMatterView {
    /// "<headline> — YYYY/MM/DD".
    pub title: String,
    /// RFC 3339 with offset; safe to write unquoted.
    pub date: String,
    pub tags: Vec<String>,
    /// The editor's one-sentence description of the day (empty without an insight).
    pub description: String,
    /// The editor's trend summary on one line, else the description: always the insight pass's
    /// words, never joined headlines.
    pub summary: String,
    pub generator: GeneratorView,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct GeneratorView {
    pub provider: String,
    pub model: String,
    pub run: String,
    /// Headlines of the cards that are extractive fallbacks (the model's card stayed invalid),
    /// as rendered: lint holds them to the extractive baseline's rules.
    pub fallback: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SectionView {
    /// The configured section id, or "focus" for today's focus.
    pub id: String,
    /// HTML anchor of the section: "section-<id>".
    pub anchor: String,
    /// 1-based position among the sections of its list.
    pub number: usize,
    /// True for today's focus.
    pub focus: bool,
    pub label: String,
    pub cards: Vec<CardView>,
}

/// One card, every text field escaped; empty fields are empty strings or lists.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CardView {
    pub id: String,
    /// HTML anchor of the card: "card-<topic id>".
    pub anchor: String,
    pub rank: usize,
    pub title: String,
    /// Paragraphs separated by the syntax's paragraph break.
    pub summary: String,
    pub details: String,
    pub scenarios: String,
    pub insight: String,
    pub entities: Vec<String>,
    /// The importance word in the digest language.
    pub importance: String,
    /// Checked links from the topic's own articles: the headline's source first, then the rest in
    /// their order, one per report (syndicated copies named in the entry's `also`).
    pub sources: Vec<LinkView>,
    /// The URL of the source the headline was written from (`headline_source`), or empty when
    /// the card has no checkable link.
    pub url: String,
    /// The day the headline's source was published, YYYY-MM-DD in the digest's offset; empty
    /// when unknown.
    pub date: String,
    /// The summary on one line (speedread's 概要 quote).
    pub summary_line: String,
    /// The short headline of the quick-read list: the card's own, else its title; escaped.
    pub short_title: String,
    /// Topic tags without brackets, escaped; may be empty.
    pub tags: Vec<String>,
    /// speedread's 內容詳解 and brief's labelled bullets: the card's key points, else its details
    /// and scenarios under their labels, one line each. Never metadata alone (entities and
    /// importance have their own places), so a card with no content points has none.
    pub points: Vec<PointView>,
    /// The card's own key points only (the HTML page shows details and scenarios separately).
    pub key_points: Vec<PointView>,
    /// speedread's 內容詳解: themed sub-heads, each with its sentences (see `card::themes`).
    pub themes: Vec<ThemeView>,
    /// brief's 影響 bullets, one line each; may be empty.
    pub impacts: Vec<String>,
}

/// A themed sub-head of 內容詳解 and the sentences under it, escaped.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ThemeView {
    pub label: String,
    pub points: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct PointView {
    pub label: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct LinkView {
    /// Escaped link text.
    pub text: String,
    /// An absolute http(s) URL with the characters that would end a Markdown link encoded (and,
    /// for HTML, escaped for an attribute).
    pub url: String,
    /// The publisher's name, escaped; may be empty.
    pub outlet: String,
    /// Syndicated copies of the same report, each a link named by its outlet, ready for the
    /// syntax: " (also: [AI Journal](url), [Mirror](url))" or "（另見：[AI Journal](url)）" in
    /// Markdown, `<a>` elements in HTML; written right after the link, empty when there are none.
    pub also: String,
    /// True for an arXiv paper: the link text is the language's paper label ([論文]).
    pub paper: bool,
}

/// One story past `max_topics`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct MoreView {
    /// The one-line gloss in the digest language, else the lead's title; escaped.
    pub line: String,
    /// The lead article's title, escaped.
    pub title: String,
    pub url: String,
    pub outlet: String,
    /// YYYY-MM-DD of the lead article in the digest's offset; empty when unknown.
    pub date: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct QuickReadView {
    /// A bracketed category tag, e.g. "[大模型]".
    pub tag: String,
    /// The card's title.
    pub title: String,
    /// The card's anchor, for the HTML page.
    pub anchor: String,
    pub line: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct InsightView {
    pub trend_summary: String,
    pub tech_context: String,
    pub outlook: String,
    pub watchlist: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReadingView {
    pub recommended: Vec<RecommendedView>,
    /// speedread's 拓展閱讀: the recommended cards grouped by their section, in section order.
    pub by_section: Vec<ReadingGroupView>,
    pub background: Vec<TermView>,
    /// Raw keywords for code spans: backticks removed, not Markdown-escaped (HTML-escaped for
    /// the page).
    pub keywords: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct RecommendedView {
    /// The recommended card's topic id.
    pub id: String,
    /// The recommended card's title, escaped.
    pub title: String,
    /// The URL the card's headline links to.
    pub url: String,
    /// The card's anchor, for the HTML page.
    pub anchor: String,
    pub why: String,
}

/// Recommended reading of one section.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReadingGroupView {
    /// The section's label, escaped.
    pub label: String,
    pub items: Vec<RecommendedView>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct TermView {
    pub term: String,
    pub definition: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct FooterView {
    /// "資料來源：N 篇文章 | 分析主題：M 個" with the numbers filled in.
    pub counts: String,
    /// Window hours and generation time filled in.
    pub times: String,
}
