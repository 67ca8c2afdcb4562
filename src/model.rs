//! The nouns of the pipeline: articles in, stories and topics in the middle, cards, insight and
//! the digest out. Plain data with serde derives and no behaviour beyond trivial accessors; every
//! stage lives in its own module and passes these values along.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Output language of a digest, and the script its Chinese text is normalised to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Language {
    #[serde(rename = "zh-Hant")]
    ZhHant,
    #[serde(rename = "zh-Hans")]
    ZhHans,
    #[serde(rename = "en")]
    En,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::ZhHant, Language::ZhHans, Language::En];

    /// The BCP 47 tag used in config keys, front matter and prompts.
    pub fn tag(self) -> &'static str {
        match self {
            Language::ZhHant => "zh-Hant",
            Language::ZhHans => "zh-Hans",
            Language::En => "en",
        }
    }

    pub fn from_tag(tag: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.tag() == tag)
    }

    pub fn is_chinese(self) -> bool {
        matches!(self, Language::ZhHant | Language::ZhHans)
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// One normalised article. `id` is a content hash, so the same article collected twice (from a
/// feed file and from its URL, say) is the same article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// First 16 hex chars of blake3(canonical url + "\n" + title + "\n" + text).
    pub id: String,
    /// Canonical URL: lowercase host, no fragment, tracking parameters dropped.
    pub url: String,
    /// Human name of the publisher (the feed title, or the source name when the feed has none).
    pub outlet: String,
    /// The configured source this article came from (`[[sources]].name`, or the file name).
    pub source: String,
    /// 1 = primary (labs, papers) … 3 = aggregators.
    pub tier: u8,
    pub title: String,
    pub published_at: DateTime<Utc>,
    /// "en", "zh-Hans", "zh-Hant" or "und": detected from the text, not trusted from the feed.
    pub lang: String,
    /// Body text with HTML stripped and whitespace collapsed.
    pub text: String,
    pub tags: Vec<String>,
}

/// Why two articles ended up in the same story; `newsdesk cluster --explain` prints these.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergeTrace {
    /// Article ids of the two sides' representatives (the closest pair across the merge).
    pub left: String,
    pub right: String,
    pub kind: MergeKind,
    /// Cosine (similar), Jaccard estimate (near_duplicate) or 1.0 (same_url / same_title).
    pub similarity: f32,
    /// The highest-weighted terms both sides share, strongest first.
    pub shared_terms: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MergeKind {
    SameUrl,
    SameTitle,
    NearDuplicate,
    Similar,
}

/// A group of articles that tell the same story. Ids are derived from the members, so the same
/// input always yields the same ids whatever order it arrived in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    /// "s" + first 12 hex chars of blake3 over the sorted member ids.
    pub id: String,
    /// Member articles, best first (tier, then earliest, then id).
    pub articles: Vec<Article>,
    /// Every merge that built this story, in the order they happened.
    pub merges: Vec<MergeTrace>,
}

/// A story chosen for the digest: it gets one card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Topic {
    /// Same as the story id.
    pub id: String,
    /// 1-based position in the ranking.
    pub rank: usize,
    pub score: f64,
    /// Among the top `focus_topics`: rendered under today's focus.
    pub focus: bool,
    pub story: Story,
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Importance {
    High,
    Medium,
    Low,
}

impl Importance {
    /// The wire name: "high", "medium" or "low".
    pub fn as_str(self) -> &'static str {
        match self {
            Importance::High => "high",
            Importance::Medium => "medium",
            Importance::Low => "low",
        }
    }
}

/// What the card call returns for one topic. Sources, dates and ids are attached by the pipeline
/// and are deliberately absent here: a model is never asked for them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Card {
    /// Headline in the target language: at most 40 CJK characters or 90 Latin characters.
    pub title: String,
    /// 2-4 sentences: what happened, who did it, why it matters.
    pub summary: String,
    /// Technical details (method, numbers, architecture); empty for market or industry topics.
    pub details: String,
    /// Where it applies; may be empty.
    pub scenarios: String,
    /// 3-10 names of models, organisations, people, datasets or products from the articles.
    pub entities: Vec<String>,
    /// How much this matters to a reader following AI: high, medium or low.
    pub importance: Importance,
    /// One of the configured section ids.
    pub section: String,
    /// Analysis in 2-3 sentences: what the event means and why it matters beyond restating it;
    /// empty when the articles give nothing to analyse.
    pub insight: String,
    // The fields below are optional and were added later: `default` lets older digests' JSON
    // load (the schema sent to a model still requires them, empty or not).
    /// A short headline of your own for the quick-read list, one clause without a comma, e.g.
    /// 清華開源Lumen-7B; not the title cut short.
    #[serde(default)]
    pub short_title: String,
    /// 1-3 topic tags such as 開源, AI Agent, 機器人, 晶片; not a section name.
    #[serde(default)]
    pub tags: Vec<String>,
    /// 2-4 key points, each a short label (2-8 characters, e.g. 核心能力, 訓練方法, 商業模式) and
    /// one sentence of facts from the articles.
    #[serde(default)]
    pub key_points: Vec<KeyPoint>,
    /// 1-3 short lines of one sentence each: what the event changes, and for whom.
    #[serde(default)]
    pub impacts: Vec<String>,
}

/// One labelled key point of a card ("核心能力": "…").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct KeyPoint {
    /// A short theme, e.g. 核心能力.
    pub label: String,
    /// One sentence of facts under that theme.
    pub text: String,
}

/// A source link under a card, always taken from the topic's own articles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SourceRef {
    pub title: String,
    pub url: String,
    pub outlet: String,
    /// The article's id (`Article::id`), so a card call that names the article it leads with can
    /// be matched to its link. Absent in older digests.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub article_id: String,
    /// When the article was published. Absent in older digests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub published: Option<DateTime<Utc>>,
}

impl SourceRef {
    /// The link to `article`, as a card or the more-news list shows it.
    pub fn of(article: &Article) -> SourceRef {
        SourceRef {
            title: article.title.clone(),
            url: article.url.clone(),
            outlet: article.outlet.clone(),
            article_id: article.id.clone(),
            published: Some(article.published_at),
        }
    }
}

/// A story ranked past `max_topics`: its lead article and one line about it in the digest's
/// language (written by the more-news stage; the lead's title when no model wrote one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MoreStory {
    /// The story id.
    #[serde(default)]
    pub story_id: String,
    #[serde(flatten)]
    pub lead: SourceRef,
    /// One line in the digest's language; empty in older digests (the title stands in).
    #[serde(default)]
    pub line: String,
}

/// A card plus everything the pipeline attaches to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CardRecord {
    pub topic_id: String,
    pub rank: usize,
    pub focus: bool,
    pub card: Card,
    pub sources: Vec<SourceRef>,
    /// The story was in an earlier digest and new articles bring new facts: rendered with the
    /// language's "continuing" mark. Absent (false) in older digests.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub continuing: bool,
    /// The model's card stayed invalid after every re-ask, so this is the extractive card for the
    /// same articles (`provider.fallback = "extractive"`). Absent (false) for the model's cards.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fallback: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct BackgroundTerm {
    pub term: String,
    pub definition: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FurtherReading {
    /// The id of a card in this digest.
    pub card: String,
    /// One sentence on why it is worth reading in full.
    pub why: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct QuickRead {
    /// The id of a card in this digest.
    pub card: String,
    /// A bracketed category tag, e.g. "[大模型]".
    pub tag: String,
    /// A short phrase that adds to the card's headline (not its summary's first sentence).
    pub line: String,
}

/// What the editor-insight call returns for the whole digest, from the finished cards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Insight {
    /// The digest's headline in the target language.
    pub headline: String,
    /// One sentence describing the day, for the front matter.
    pub description: String,
    /// 3-6 short tags for the front matter.
    pub tags: Vec<String>,
    /// Today's trends across the cards: one paragraph.
    pub trend_summary: String,
    /// How today's technical items connect to earlier developments: one paragraph.
    pub tech_context: String,
    /// What to expect next: one paragraph.
    pub outlook: String,
    /// 3-7 concrete things to watch.
    pub watchlist: Vec<String>,
    /// 10-20 keywords of the day.
    pub keywords: Vec<String>,
    /// Terms a reader may need explained.
    pub background: Vec<BackgroundTerm>,
    /// Cards worth reading in full.
    pub further_reading: Vec<FurtherReading>,
    /// One-line summaries for the speed-read layout.
    pub quick_read: Vec<QuickRead>,
}

/// How the day's cards came to be: what the run summary and the manifest report of the card stage.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardStats {
    /// Cards the model wrote (accepted as answered, after local repairs or after re-asks).
    pub by_model: usize,
    /// Of those, accepted as first answered: no re-ask, no local repair.
    pub first_valid: usize,
    /// Targeted re-asks sent, over all topics.
    pub reasks: usize,
    /// Topics that got the extractive card because the model's stayed invalid.
    pub fallbacks: usize,
    /// Those topics, each with what was still wrong with the model's last answer: the editor
    /// reading a manifest sees why, not only how many. Absent when nothing fell back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fallback_topics: Vec<FailedTopic>,
    /// Local repairs by kind (`write::check::LocalRepair::name`).
    #[serde(default)]
    pub local_repairs: std::collections::BTreeMap<String, usize>,
    /// The model's editor insight stayed invalid and the extractive one stands in.
    #[serde(default)]
    pub insight_fallback: bool,
}

/// A topic that produced no card, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FailedTopic {
    pub topic_id: String,
    pub title: String,
    pub reason: String,
}

/// Who wrote the prose: rendered into front matter for provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Generator {
    /// Provider kind, e.g. "openai" or "extractive".
    pub provider: String,
    pub model: String,
    pub run: String,
}

/// Everything a template needs to render one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Digest {
    /// The digest's day, YYYY-MM-DD.
    #[schemars(with = "String")]
    pub date: NaiveDate,
    pub title: String,
    pub language: Language,
    /// When the digest was generated, in the digest's timezone (RFC 3339 with offset).
    pub generated_at: String,
    /// Hours of news the digest covers.
    pub window_hours: u32,
    pub generator: Generator,
    /// Cards in rank order.
    pub cards: Vec<CardRecord>,
    pub insight: Insight,
    /// Unique articles considered (after dedupe).
    pub article_count: usize,
    /// Topics that got a card.
    pub topic_count: usize,
    pub failed: Vec<FailedTopic>,
    /// On-topic stories ranked past `max_topics`, best first: their lead article and a one-line
    /// gloss, no card (every layout lists them under 更多動態).
    #[serde(default)]
    pub more: Vec<MoreStory>,
}

/// Free-form per-language labels from config, e.g. `{ zh-Hant = "模型", en = "Models" }`.
pub type Labels = BTreeMap<String, String>;

/// What the weekly theme call returns: one keyword card in the seed `002_*` shape. The theme's
/// cards, dates and links are attached by the pipeline and never generated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct KeywordCard {
    /// The theme's keyword as a short headline in the target language: at most 40 CJK characters
    /// or 90 Latin characters.
    pub keyword: String,
    /// 核心观察: 2-5 observations, one sentence each, every one grounded in the week's cards.
    pub observations: Vec<String>,
    /// 逻辑链条: 2-4 steps of reasoning that lead from the observations to the insight.
    pub logic_chain: Vec<String>,
    /// 本质洞见: one or two sentences on what the week's stories mean together.
    pub insight: String,
}

/// What the weekly overview call returns, from the finished keyword cards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct WeeklyOverview {
    /// The week's headline in the target language.
    pub headline: String,
    /// One paragraph on the week across its themes.
    pub summary: String,
    /// One paragraph on what to watch next week; may be empty.
    pub outlook: String,
}

/// One day card as a weekly theme cites it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyCardRef {
    pub date: NaiveDate,
    pub topic_id: String,
    pub title: String,
    pub importance: Importance,
    /// The source the card's headline links to (`render::view::headline_source`).
    pub source: Option<SourceRef>,
}

/// A recurring theme of the week and its keyword card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeRecord {
    /// "t" + first 12 hex chars of blake3 over the theme's key term and its sorted card ids.
    pub id: String,
    /// The term the cards share (as found, before the model wrote the keyword).
    pub term: String,
    /// Distinct days the theme appears on.
    pub days: usize,
    pub card: KeywordCard,
    /// The day cards grouped under this theme, by date then rank.
    pub cards: Vec<WeeklyCardRef>,
}

/// Everything the weekly templates need to render one ISO week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyDigest {
    /// ISO week, e.g. "2026-W03".
    pub week: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub title: String,
    pub language: Language,
    /// The latest `generated_at` of the week's runs (so the same runs give the same bytes).
    pub generated_at: String,
    pub generator: Generator,
    /// The runs rolled up, one per day, in date order.
    pub runs: Vec<String>,
    /// Day cards read from those runs.
    pub card_count: usize,
    /// Articles those runs considered.
    pub article_count: usize,
    pub overview: WeeklyOverview,
    /// Themes, strongest first.
    pub themes: Vec<ThemeRecord>,
    /// Themes whose keyword card failed, and why.
    pub failed: Vec<FailedTopic>,
}

/// The model's verdict on one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TriageDecision {
    /// The article id from the <articles> block.
    pub id: String,
    /// true when the article is news about AI (models, research, tools, industry, policy,
    /// applications); false for anything else (gadgets, general economy, unrelated tech).
    pub keep: bool,
    /// One short sentence: why it is kept or dropped.
    pub reason: String,
}

/// The whole reply: one decision per article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TriageAnswer {
    pub decisions: Vec<TriageDecision>,
}

/// What an earlier digest said about a story; the card prompt receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Previously {
    /// The digest date it was published in.
    pub date: NaiveDate,
    pub title: String,
    pub summary: String,
    /// The facts today's new articles add (model/version tokens and numbers), for the report.
    pub new_facts: Vec<String>,
}
