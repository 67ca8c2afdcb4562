//! The editor insight: the day's compact cards and the insight context in, an `Insight` out
//! (per-language templates filled with the cards' titles, entities and sections). The only place
//! the baseline writes words of its own, and those are fixed templates.

use super::*;

/// The editor insight's sentences per target language; `{name}` slots are filled from the cards.
pub(super) struct Templates {
    list_separator: &'static str,
    title_quote: (&'static str, &'static str),
    title_separator: &'static str,
    headline: &'static str,
    headline_empty: &'static str,
    description: &'static str,
    trend: &'static str,
    trend_high: &'static str,
    /// One of the day's themes: a section and the stories that make it one.
    trend_theme: &'static str,
    tech: &'static str,
    tech_item: &'static str,
    tech_none: &'static str,
    outlook: &'static str,
    outlook_no_entities: &'static str,
    watch_item: &'static str,
    why: &'static str,
    why_no_entities: &'static str,
    high: &'static str,
    medium: &'static str,
    low: &'static str,
}

pub(super) const ZH_HANT: Templates = Templates {
    list_separator: "、",
    title_quote: ("「", "」"),
    title_separator: "；",
    headline: "今日焦點：{titles}",
    headline_empty: "今日 AI 動態",
    description: "今日從 {articles} 篇文章整理出 {n} 個主題，涵蓋{sections}。",
    trend: "今日共 {n} 個主題，重點集中在{sections}。",
    trend_high: "其中最值得關注的是{titles}。",
    trend_theme: "{section}方面：{titles}。",
    tech: "技術面上，{items}提供了今天最具體的技術線索。",
    tech_item: "{title}（{entities}）",
    tech_none: "今日的主題以產業與應用動態為主，較少涉及技術細節。",
    outlook: "接下來值得觀察{entities}的後續進展；{titles}等高重要性消息，可能牽動未來數週的產品與市場走向。",
    outlook_no_entities: "接下來值得觀察{titles}等消息的後續進展。",
    watch_item: "{entity}：{title}",
    why: "重要性{importance}，涉及{entities}，值得閱讀全文。",
    why_no_entities: "重要性{importance}，值得閱讀全文。",
    high: "高",
    medium: "中",
    low: "低",
};

pub(super) const ZH_HANS: Templates = Templates {
    list_separator: "、",
    title_quote: ("「", "」"),
    title_separator: "；",
    headline: "今日焦点：{titles}",
    headline_empty: "今日 AI 动态",
    description: "今日从 {articles} 篇文章整理出 {n} 个主题，涵盖{sections}。",
    trend: "今日共 {n} 个主题，重点集中在{sections}。",
    trend_high: "其中最值得关注的是{titles}。",
    trend_theme: "{section}方面：{titles}。",
    tech: "技术层面，{items}提供了今天最具体的技术线索。",
    tech_item: "{title}（{entities}）",
    tech_none: "今日的主题以产业与应用动态为主，较少涉及技术细节。",
    outlook: "接下来值得关注{entities}的后续进展；{titles}等高重要性消息，可能影响未来数周的产品与市场走向。",
    outlook_no_entities: "接下来值得关注{titles}等消息的后续进展。",
    watch_item: "{entity}：{title}",
    why: "重要性{importance}，涉及{entities}，值得阅读全文。",
    why_no_entities: "重要性{importance}，值得阅读全文。",
    high: "高",
    medium: "中",
    low: "低",
};

pub(super) const EN: Templates = Templates {
    list_separator: ", ",
    title_quote: ("\u{201c}", "\u{201d}"),
    title_separator: "; ",
    headline: "Today in AI: {titles}",
    headline_empty: "Today in AI",
    description: "{n} topics from {articles} articles, covering {sections}.",
    trend: "Today's {n} topics concentrate on {sections}.",
    trend_high: " The ones to note first: {titles}.",
    trend_theme: " In {section}: {titles}.",
    tech: "On the technical side, {items} give the day's most concrete technical detail.",
    tech_item: "{title} ({entities})",
    tech_none: "Today's topics are mostly industry and product news, with little technical detail.",
    outlook: "Watch for follow-ups from {entities}; high-importance items such as {titles} may shape products and markets over the coming weeks.",
    outlook_no_entities: "Watch for follow-ups to {titles}.",
    watch_item: "{entity}: {title}",
    why: "Rated {importance} importance; covers {entities}.",
    why_no_entities: "Rated {importance} importance.",
    high: "high",
    medium: "medium",
    low: "low",
};

pub(super) fn templates(language: Language) -> &'static Templates {
    match language {
        Language::ZhHant => &ZH_HANT,
        Language::ZhHans => &ZH_HANS,
        Language::En => &EN,
    }
}

/// Replaces each `{name}` slot in `template`.
pub(super) fn fill(template: &str, slots: &[(&str, &str)]) -> String {
    slots
        .iter()
        .fold(template.to_string(), |text, (name, value)| {
            text.replace(&format!("{{{name}}}"), value)
        })
}

pub(super) fn importance_order(importance: &str) -> u8 {
    match importance.trim().to_lowercase().as_str() {
        "high" => 0,
        "low" => 2,
        _ => 1,
    }
}

/// Section ids (or labels) that mark a card as technical for the tech-context paragraph.
#[rustfmt::skip]
pub(super) const TECHNICAL_SECTION_CUES: &[&str] = &[
    "model", "research", "paper", "tech", "open", "tool", "agent", "infra", "chip", "hardware", "benchmark",
    "code", "模型", "研究", "论文", "論文", "技术", "技術", "开源", "開源", "工具", "芯片", "晶片", "算力",
];

pub(super) const INSIGHT_TAGS_MAX: usize = 6;
pub(super) const INSIGHT_TAGS_MIN: usize = 3;
pub(super) const WATCHLIST_MIN: usize = 3;
pub(super) const WATCHLIST_MAX: usize = 7;
pub(super) const KEYWORDS_MIN: usize = 10;
pub(super) const KEYWORDS_MAX: usize = 20;
pub(super) const BACKGROUND_MAX: usize = 5;
pub(super) const FURTHER_READING_MAX: usize = 3;

/// Builds the editor insight from the finished cards (rank order) and the day's context: the
/// cards are read once (`Day`), each field is one step, then the text goes into the target
/// script and within the bounds a model is held to.
pub fn insight_from_cards(cards: &[BlockCard], context: &InsightContext) -> Insight {
    let language = target_language(&context.language);
    let day = Day::read(cards, context, templates(language));
    let keywords = day.keywords();
    let insight = Insight {
        headline: day.headline(),
        description: day.description(),
        tags: day.tags(&keywords),
        trend_summary: day.trend_summary(),
        tech_context: day.tech_context(),
        outlook: day.outlook(),
        watchlist: day.watchlist(),
        keywords,
        background: day.background(),
        further_reading: day.further_reading(),
        // The quick-read list shows each card's own short headline; a one-liner the extractive
        // baseline could give is the summary's first sentence, which the card already shows.
        quick_read: Vec::new(),
    };
    within_bounds(in_target_script(insight, language))
}

/// The day's cards as the insight reads them: by importance (rank breaking ties), the
/// high-importance ones, the names and section labels they share (most frequent first), in the
/// target language's templates.
struct Day<'a> {
    cards: &'a [BlockCard],
    context: &'a InsightContext,
    t: &'static Templates,
    by_importance: Vec<&'a BlockCard>,
    high: Vec<&'a BlockCard>,
    /// The high-importance cards, or the first two when none is high.
    leading: Vec<&'a BlockCard>,
    entities: Vec<String>,
    /// Section labels, busiest first.
    sections: Vec<String>,
    /// The three busiest, joined for a sentence.
    section_list: String,
}

impl<'a> Day<'a> {
    fn read(cards: &'a [BlockCard], context: &'a InsightContext, t: &'static Templates) -> Self {
        let mut by_importance: Vec<(usize, &BlockCard)> = cards.iter().enumerate().collect();
        by_importance.sort_by_key(|(i, c)| (importance_order(&c.importance), *i));
        let by_importance: Vec<&BlockCard> = by_importance.into_iter().map(|(_, c)| c).collect();
        let high: Vec<&BlockCard> = by_importance
            .iter()
            .copied()
            .filter(|c| importance_order(&c.importance) == 0)
            .collect();
        let leading: Vec<&BlockCard> = if high.is_empty() {
            by_importance.iter().copied().take(2).collect()
        } else {
            high.clone()
        };
        let sections = ranked(cards.iter().map(|c| section_label(context, &c.section)));
        let section_list = sections
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(t.list_separator);
        Day {
            cards,
            context,
            t,
            by_importance,
            high,
            leading,
            entities: ranked_entities(cards),
            sections,
            section_list,
        }
    }

    fn quote(&self, title: &str) -> String {
        format!(
            "{}{}{}",
            self.t.title_quote.0,
            title.trim(),
            self.t.title_quote.1
        )
    }

    fn quoted_titles(&self, cards: &[&BlockCard], count: usize) -> String {
        let titles: Vec<String> = cards
            .iter()
            .take(count)
            .map(|c| self.quote(&c.title))
            .collect();
        titles.join(self.t.list_separator)
    }

    fn importance_label(&self, card: &BlockCard) -> &'static str {
        match importance_order(&card.importance) {
            0 => self.t.high,
            2 => self.t.low,
            _ => self.t.medium,
        }
    }

    fn card_count(&self) -> String {
        self.cards.len().to_string()
    }

    fn headline(&self) -> String {
        if self.cards.is_empty() {
            return self.t.headline_empty.to_string();
        }
        let titles: Vec<String> = self
            .by_importance
            .iter()
            .take(2)
            .map(|c| c.title.trim().to_string())
            .collect();
        fill(
            self.t.headline,
            &[("titles", &titles.join(self.t.title_separator))],
        )
    }

    fn description(&self) -> String {
        fill(
            self.t.description,
            &[
                ("articles", &self.context.article_count.to_string()),
                ("n", &self.card_count()),
                ("sections", &self.section_list),
            ],
        )
    }

    fn trend_summary(&self) -> String {
        let t = self.t;
        let mut trend = fill(
            t.trend,
            &[("n", &self.card_count()), ("sections", &self.section_list)],
        );
        if !self.high.is_empty() {
            trend.push_str(&fill(
                t.trend_high,
                &[("titles", &self.quoted_titles(&self.high, 3))],
            ));
        }
        // The day's themes are its busiest sections and the stories in them — not the names that
        // happen to recur most (those are outlets, licences and platforms as often as subjects).
        let quoted_high: BTreeSet<&str> = self.high.iter().take(3).map(|c| c.id.as_str()).collect();
        for section in self.sections.iter().take(3) {
            let in_section: Vec<&BlockCard> = self
                .by_importance
                .iter()
                .copied()
                .filter(|c| {
                    &section_label(self.context, &c.section) == section
                        && !quoted_high.contains(c.id.as_str())
                })
                .collect();
            if !in_section.is_empty() {
                trend.push_str(&fill(
                    t.trend_theme,
                    &[
                        ("section", section),
                        ("titles", &self.quoted_titles(&in_section, 2)),
                    ],
                ));
            }
        }
        trend
    }

    fn tech_context(&self) -> String {
        let t = self.t;
        let technical: Vec<&BlockCard> = self
            .cards
            .iter()
            .filter(|c| is_technical(c))
            .take(3)
            .collect();
        if technical.is_empty() {
            return t.tech_none.to_string();
        }
        let items: Vec<String> = technical
            .iter()
            .map(|c| {
                let names = first_entities(c);
                if names.is_empty() {
                    self.quote(&c.title)
                } else {
                    fill(
                        t.tech_item,
                        &[
                            ("title", &self.quote(&c.title)),
                            ("entities", &names.join(t.list_separator)),
                        ],
                    )
                }
            })
            .collect();
        fill(t.tech, &[("items", &items.join(t.list_separator))])
    }

    fn outlook(&self) -> String {
        if self.cards.is_empty() {
            return String::new();
        }
        let t = self.t;
        let entities = dedupe_case_insensitive(self.leading.iter().filter_map(|c| main_entity(c)));
        let titles = self.quoted_titles(&self.leading, 2);
        if entities.is_empty() {
            fill(t.outlook_no_entities, &[("titles", &titles)])
        } else {
            let names: Vec<String> = entities.into_iter().take(3).collect();
            fill(
                t.outlook,
                &[
                    ("entities", &names.join(t.list_separator)),
                    ("titles", &titles),
                ],
            )
        }
    }

    fn watchlist(&self) -> Vec<String> {
        let watch_count = self.high.len().clamp(WATCHLIST_MIN, WATCHLIST_MAX);
        let limit = item_char_limit(INSIGHT_BOUNDS, "watchlist").unwrap_or(usize::MAX);
        self.by_importance
            .iter()
            .take(watch_count)
            .map(|c| {
                let item = match main_entity(c) {
                    Some(entity) => fill(
                        self.t.watch_item,
                        &[("entity", &entity), ("title", c.title.trim())],
                    ),
                    None => c.title.trim().to_string(),
                };
                // A watch item too long for its bound is the title alone (a title fits any bound).
                if item.chars().count() > limit {
                    c.title.trim().to_string()
                } else {
                    item
                }
            })
            .collect()
    }

    fn keywords(&self) -> Vec<String> {
        let mut keywords = self.entities.clone();
        keywords.extend(ranked(
            self.cards.iter().flat_map(|c| title_terms(&c.title)),
        ));
        keywords = dedupe_case_insensitive(keywords);
        if keywords.len() < KEYWORDS_MIN {
            keywords.extend(self.sections.iter().cloned());
            keywords = dedupe_case_insensitive(keywords);
        }
        keywords.truncate(KEYWORDS_MAX);
        keywords
    }

    fn tags(&self, keywords: &[String]) -> Vec<String> {
        let mut tags: Vec<String> = self
            .entities
            .iter()
            .take(INSIGHT_TAGS_MAX)
            .cloned()
            .collect();
        if tags.len() < INSIGHT_TAGS_MIN {
            tags.extend(self.sections.iter().cloned());
            tags.extend(keywords.iter().cloned());
            tags = dedupe_case_insensitive(tags);
            tags.truncate(INSIGHT_TAGS_MIN);
        }
        tags
    }

    /// Each of the day's names defined by the first summary sentence that mentions it.
    fn background(&self) -> Vec<BackgroundTerm> {
        let summary_sentences: Vec<String> = self
            .cards
            .iter()
            .flat_map(|c| split_sentences(&c.summary))
            .collect();
        self.entities
            .iter()
            .filter_map(|term| {
                let lower = term.to_lowercase();
                summary_sentences
                    .iter()
                    .find(|s| s.to_lowercase().contains(&lower))
                    .map(|s| BackgroundTerm {
                        term: term.clone(),
                        definition: s.clone(),
                    })
            })
            .take(BACKGROUND_MAX)
            .collect()
    }

    fn further_reading(&self) -> Vec<FurtherReading> {
        let t = self.t;
        self.by_importance
            .iter()
            .take(FURTHER_READING_MAX)
            .map(|c| {
                let names = first_entities(c);
                let why = if names.is_empty() {
                    fill(
                        t.why_no_entities,
                        &[("importance", self.importance_label(c))],
                    )
                } else {
                    fill(
                        t.why,
                        &[
                            ("importance", self.importance_label(c)),
                            ("entities", &names.join(t.list_separator)),
                        ],
                    )
                };
                FurtherReading {
                    card: c.id.clone(),
                    why,
                }
            })
            .collect()
    }
}

/// A section id as the reader knows it: its configured label, else the id itself.
fn section_label(context: &InsightContext, id: &str) -> String {
    context
        .sections
        .iter()
        .find(|s| s.id == id.trim())
        .map_or_else(|| id.trim().to_string(), |s| s.label.clone())
}

/// A card's first three non-empty names.
fn first_entities(card: &BlockCard) -> Vec<&str> {
    card.entities
        .iter()
        .map(|e| e.trim())
        .filter(|e| !e.is_empty())
        .take(3)
        .collect()
}

/// Every text of the insight in the target language's script; lists lose the repeats the
/// conversion makes (two spellings of one name become one).
fn in_target_script(insight: Insight, language: Language) -> Insight {
    let script = |text: String| in_script(&text, language);
    let scripts = |items: Vec<String>| dedupe_case_insensitive(items.into_iter().map(script));
    Insight {
        headline: script(insight.headline),
        description: script(insight.description),
        tags: scripts(insight.tags),
        trend_summary: script(insight.trend_summary),
        tech_context: script(insight.tech_context),
        outlook: script(insight.outlook),
        watchlist: insight.watchlist.into_iter().map(script).collect(),
        keywords: scripts(insight.keywords),
        background: insight
            .background
            .into_iter()
            .map(|b| BackgroundTerm {
                term: script(b.term),
                definition: script(b.definition),
            })
            .collect(),
        further_reading: insight
            .further_reading
            .into_iter()
            .map(|f| FurtherReading {
                card: f.card,
                why: script(f.why),
            })
            .collect(),
        quick_read: insight.quick_read,
    }
}

/// The baseline writes to the same bounds a model is held to.
fn within_bounds(insight: Insight) -> Insight {
    let mut value = serde_json::to_value(&insight).expect("an insight serializes");
    fit_to_bounds(&mut value, INSIGHT_BOUNDS);
    serde_json::from_value(value).expect("fitting keeps the insight's shape")
}

pub(super) fn main_entity(card: &BlockCard) -> Option<String> {
    card.entities
        .iter()
        .map(|e| e.trim())
        .find(|e| !e.is_empty())
        .map(str::to_string)
}

pub(super) fn is_technical(card: &BlockCard) -> bool {
    let section = card.section.to_lowercase();
    TECHNICAL_SECTION_CUES
        .iter()
        .any(|cue| section.contains(cue))
        || keyword_hits(&card.summary, METHOD_WORDS) >= 2
}

/// Entities across cards, each counted once per card, most frequent first (ties: first seen).
pub(super) fn ranked_entities(cards: &[BlockCard]) -> Vec<String> {
    ranked(
        cards
            .iter()
            .flat_map(|c| dedupe_case_insensitive(c.entities.iter().map(|e| e.trim().to_string()))),
    )
}

/// Distinct non-empty items (case-insensitive), most frequent first, ties by first appearance.
pub(super) fn ranked(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen: BTreeMap<String, (usize, usize, String)> = BTreeMap::new();
    for (position, item) in items.into_iter().enumerate() {
        if item.trim().is_empty() {
            continue;
        }
        let entry = seen
            .entry(item.to_lowercase())
            .or_insert((0, position, item.clone()));
        entry.0 += 1;
    }
    let mut out: Vec<(usize, usize, String)> = seen.into_values().collect();
    out.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    out.into_iter().map(|(_, _, item)| item).collect()
}

/// Keyword material from a card title: names (model-like, CamelCase, capitalised) and Han
/// phrases of 2-6 characters between punctuation and function characters.
pub(super) fn title_terms(title: &str) -> Vec<String> {
    let mut out: Vec<String> = latin_runs(title)
        .into_iter()
        .filter(|t| classify(t.text) != TokenKind::Plain)
        .map(|t| t.text.to_string())
        .collect();
    for run in title.split(|c: char| !is_han(c) || is_han_term_edge(c)) {
        if (2..=6).contains(&run.chars().count()) {
            out.push(run.to_string());
        }
    }
    out
}
