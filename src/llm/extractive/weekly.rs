//! The weekly roll-up's two requests, answered offline. In: a `<theme>` + `<cards>` request (one
//! keyword card) or a `<week>` + `<themes>` request (the overview); out: a `KeywordCard` whose
//! observations are the theme's cards (date, headline, lead sentence), whose chain and insight are
//! per-language templates filled from those cards, or a `WeeklyOverview` filled from the themes.
//! Every name, date and headline comes from the request.

use super::insight::{fill, importance_order, ranked};
use super::*;
use crate::llm::blocks::{BlockTheme, ThemeContext, WeekContext, WeeklyBlockCard};
use crate::llm::schema::{OBSERVATIONS_MAX, title_char_limit};
use crate::model::{KeywordCard, WeeklyOverview};

/// The fixed sentences of the weekly answers, `{slot}`s filled from the request.
struct WeeklyTemplates {
    /// An observation: date, headline, lead sentence.
    observation: &'static str,
    /// An observation for a card without a usable lead sentence.
    observation_bare: &'static str,
    span: &'static str,
    related: &'static str,
    related_none: &'static str,
    importance_high: &'static str,
    importance: &'static str,
    insight: &'static str,
    headline: &'static str,
    summary: &'static str,
    outlook: &'static str,
    separator: &'static str,
    quote_open: &'static str,
    quote_close: &'static str,
}

const ZH_HANS: WeeklyTemplates = WeeklyTemplates {
    observation: "{date}，{title}：{lead}",
    observation_bare: "{date}，{title}。",
    span: "{term}在本周 {days} 天里出现于 {cards} 张卡片（{first} 至 {last}）。",
    related: "这些报道中反复同现的还有 {related}。",
    related_none: "这些报道从不同事件切入同一个关键词。",
    importance_high: "其中 {high} 张被评为高重要性，最受关注的是「{top}」。",
    importance: "最受关注的是「{top}」。",
    insight: "{term}是本周反复出现的主题：以「{top}」为首的 {cards} 则报道让它的热度延续了 {days} 天。",
    headline: "{week} AI 关键词：{keywords}",
    summary: "本周 {days} 天的日报共 {cards} 张卡片，归为 {themes} 个关键词，其中{leaders}最为集中。",
    outlook: "{keywords} 在本周最后的报道日仍有新进展，值得下周继续关注。",
    separator: "、",
    quote_open: "「",
    quote_close: "」",
};

const ZH_HANT: WeeklyTemplates = WeeklyTemplates {
    observation: "{date}，{title}：{lead}",
    observation_bare: "{date}，{title}。",
    span: "{term}在本週 {days} 天裡出現於 {cards} 張卡片（{first} 至 {last}）。",
    related: "這些報導中反覆同現的還有 {related}。",
    related_none: "這些報導從不同事件切入同一個關鍵詞。",
    importance_high: "其中 {high} 張被評為高重要性，最受關注的是「{top}」。",
    importance: "最受關注的是「{top}」。",
    insight: "{term}是本週反覆出現的主題：以「{top}」為首的 {cards} 則報導讓它的熱度延續了 {days} 天。",
    headline: "{week} AI 關鍵詞：{keywords}",
    summary: "本週 {days} 天的日報共 {cards} 張卡片，歸為 {themes} 個關鍵詞，其中{leaders}最為集中。",
    outlook: "{keywords} 在本週最後的報導日仍有新進展，值得下週繼續關注。",
    separator: "、",
    quote_open: "「",
    quote_close: "」",
};

const EN: WeeklyTemplates = WeeklyTemplates {
    observation: "{date}: {title} — {lead}",
    observation_bare: "{date}: {title}.",
    span: "{term} appeared on {cards} cards over {days} day(s) this week ({first} to {last}).",
    related: "Names that recur alongside it: {related}.",
    related_none: "The stories reach the same keyword from different events.",
    importance_high: "{high} of them were rated high importance; the most prominent was \"{top}\".",
    importance: "The most prominent was \"{top}\".",
    insight: "{term} was a recurring theme this week: {cards} stories led by \"{top}\" kept it in the news for {days} day(s).",
    headline: "{week} in AI: {keywords}",
    summary: "This week's {days} daily digest(s) held {cards} cards in {themes} keywords; {leaders} drew the most.",
    outlook: "{keywords} still had news on the last day reported; worth following next week.",
    separator: ", ",
    quote_open: "\"",
    quote_close: "\"",
};

fn weekly_templates(language: Language) -> &'static WeeklyTemplates {
    match language {
        Language::ZhHant => &ZH_HANT,
        Language::ZhHans => &ZH_HANS,
        Language::En => &EN,
    }
}

/// How many names the chain lists as recurring alongside the theme.
const RELATED_MAX: usize = 4;
/// Keywords named in the overview's headline and summary.
const LEADERS: usize = 3;

/// The JSON answer to a weekly request: the overview when it carries `<themes>`, else a card.
pub(super) fn answer_weekly(req: &ChatRequest) -> Result<String, LlmError> {
    if let Some(themes) = last_block::<Vec<BlockTheme>>(req, "themes") {
        let week: WeekContext =
            last_block(req, "week").ok_or_else(|| missing("weekly overview", "week"))?;
        return to_json(&overview_from_themes(&themes, &week));
    }
    let theme: ThemeContext =
        last_block(req, "theme").ok_or_else(|| missing("weekly theme", "theme"))?;
    let cards: Vec<WeeklyBlockCard> =
        last_block(req, "cards").ok_or_else(|| missing("weekly theme", "cards"))?;
    to_json(&keyword_card_from_cards(&cards, &theme))
}

fn cut(text: &str, limit: usize) -> String {
    text.chars()
        .take(limit)
        .collect::<String>()
        .trim()
        .to_string()
}

/// A keyword card from a theme's day cards (date then rank order): observations from the
/// weightiest cards, then a logic chain of three steps — the theme's span, what it relates to,
/// how important it was — and an insight.
pub(super) fn keyword_card_from_cards(
    cards: &[WeeklyBlockCard],
    theme: &ThemeContext,
) -> KeywordCard {
    let language = target_language(&theme.language);
    let t = weekly_templates(language);
    let term = in_script(theme.term.trim(), language);
    let keyword = cut(&term, title_char_limit(&term));
    let by_weight = by_weight(cards);
    let mut observations: Vec<String> = by_weight
        .iter()
        .take(OBSERVATIONS_MAX)
        .map(|card| observation(card, t, language))
        .collect();
    let top = by_weight
        .first()
        .map(|c| in_script(c.title.trim(), language))
        .unwrap_or_else(|| keyword.clone());
    let count = cards.len().to_string();
    let days = theme.days.to_string();
    let span = span_step(cards, &keyword, &days, t);
    // A theme of one card still gets the two observations the schema asks for.
    if observations.len() < 2 {
        observations.push(span.clone());
    }
    let insight = fill(
        t.insight,
        &[
            ("term", &keyword),
            ("top", &top),
            ("cards", &count),
            ("days", &days),
        ],
    );
    KeywordCard {
        keyword,
        observations,
        logic_chain: vec![
            span,
            related_step(cards, theme, t, language),
            importance_step(cards, &top, t),
        ],
        insight,
    }
}

/// Most important first, then earliest, then id: the observations lead with what mattered.
fn by_weight(cards: &[WeeklyBlockCard]) -> Vec<&WeeklyBlockCard> {
    let mut by_weight: Vec<&WeeklyBlockCard> = cards.iter().collect();
    by_weight.sort_by(|a, b| {
        (importance_order(&a.importance), &a.date, &a.id).cmp(&(
            importance_order(&b.importance),
            &b.date,
            &b.id,
        ))
    });
    by_weight
}

/// One card as an observation: its date, title and the summary's first sentence that is not
/// the title again.
fn observation(card: &WeeklyBlockCard, t: &WeeklyTemplates, language: Language) -> String {
    let title = in_script(card.title.trim(), language);
    let lead = split_sentences(&card.summary)
        .into_iter()
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty() && *s != card.title.trim());
    match lead {
        Some(lead) => fill(
            t.observation,
            &[
                ("date", &card.date),
                ("title", &title),
                ("lead", &in_script(&lead, language)),
            ],
        ),
        None => fill(
            t.observation_bare,
            &[("date", &card.date), ("title", &title)],
        ),
    }
}

/// How long and how often the theme ran: its days, cards, first and last date.
fn span_step(cards: &[WeeklyBlockCard], keyword: &str, days: &str, t: &WeeklyTemplates) -> String {
    let first = cards.iter().map(|c| c.date.as_str()).min().unwrap_or("");
    let last = cards.iter().map(|c| c.date.as_str()).max().unwrap_or("");
    fill(
        t.span,
        &[
            ("term", keyword),
            ("days", days),
            ("cards", &cards.len().to_string()),
            ("first", first),
            ("last", last),
        ],
    )
}

/// The caller's related terms, else the names the cards share, never the theme itself.
fn related_step(
    cards: &[WeeklyBlockCard],
    theme: &ThemeContext,
    t: &WeeklyTemplates,
    language: Language,
) -> String {
    let related: Vec<String> = if theme.related.is_empty() {
        ranked(cards.iter().flat_map(|c| c.entities.iter().cloned()))
            .into_iter()
            .filter(|e| !e.eq_ignore_ascii_case(theme.term.trim()))
            .collect()
    } else {
        theme.related.clone()
    };
    if related.is_empty() {
        return t.related_none.to_string();
    }
    let names: Vec<String> = related
        .iter()
        .take(RELATED_MAX)
        .map(|r| in_script(r, language))
        .collect();
    fill(t.related, &[("related", &names.join(t.separator))])
}

/// How many of the theme's cards were of high importance, and the weightiest one.
fn importance_step(cards: &[WeeklyBlockCard], top: &str, t: &WeeklyTemplates) -> String {
    let high = cards
        .iter()
        .filter(|c| importance_order(&c.importance) == 0)
        .count();
    if high > 0 {
        fill(
            t.importance_high,
            &[("high", &high.to_string()), ("top", top)],
        )
    } else {
        fill(t.importance, &[("top", top)])
    }
}

/// The overview from the finished keyword cards (strongest first).
pub(super) fn overview_from_themes(themes: &[BlockTheme], week: &WeekContext) -> WeeklyOverview {
    let language = target_language(&week.language);
    let t = weekly_templates(language);
    let keywords: Vec<String> = themes
        .iter()
        .take(LEADERS)
        .map(|th| in_script(th.keyword.trim(), language))
        .collect();
    let headline_full = fill(
        t.headline,
        &[
            ("week", &week.week),
            ("keywords", &keywords.join(t.separator)),
        ],
    );
    let headline = cut(&headline_full, title_char_limit(&headline_full));
    let leaders: Vec<String> = themes
        .iter()
        .take(LEADERS)
        .map(|th| {
            format!(
                "{}{}{}",
                t.quote_open,
                in_script(th.keyword.trim(), language),
                t.quote_close
            )
        })
        .collect();
    let summary = fill(
        t.summary,
        &[
            ("days", &week.day_count.to_string()),
            ("cards", &week.card_count.to_string()),
            ("themes", &themes.len().to_string()),
            ("leaders", &leaders.join(t.separator)),
        ],
    );
    let latest = themes
        .iter()
        .map(|th| th.last_date.as_str())
        .max()
        .unwrap_or("");
    let still_running: Vec<String> = themes
        .iter()
        .filter(|th| th.days > 1 && th.last_date == latest)
        .take(LEADERS)
        .map(|th| in_script(th.keyword.trim(), language))
        .collect();
    let outlook = if still_running.is_empty() {
        String::new()
    } else {
        fill(t.outlook, &[("keywords", &still_running.join(t.separator))])
    };
    WeeklyOverview {
        headline,
        summary,
        outlook,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::schema::{validate_keyword_card, validate_weekly_overview};

    fn card(id: &str, date: &str, title: &str, importance: &str) -> WeeklyBlockCard {
        WeeklyBlockCard {
            id: id.into(),
            date: date.into(),
            title: title.into(),
            summary: format!("{title}。第二句話。"),
            importance: importance.into(),
            entities: vec!["OpenAI".into(), "ChatGPT".into()],
        }
    }

    #[test]
    fn answers_validate_and_cite_only_the_request() {
        let cards = vec![
            card("s1", "2026-01-12", "OpenAI 發布新模型", "medium"),
            card("s2", "2026-01-14", "ChatGPT 新增功能", "high"),
        ];
        let theme = ThemeContext {
            language: "zh-Hans".into(),
            week: "2026-W03".into(),
            term: "OpenAI".into(),
            days: 2,
            related: vec!["ChatGPT".into()],
        };
        let answer = to_json(&keyword_card_from_cards(&cards, &theme)).unwrap();
        let parsed = validate_keyword_card(&answer).expect("the baseline's card validates");
        // The high-importance card leads, in the target script.
        assert!(
            parsed.observations[0].starts_with("2026-01-14，ChatGPT 新增功能"),
            "{parsed:?}"
        );
        assert!(
            parsed.observations[1].contains("OpenAI 发布新模型"),
            "{parsed:?}"
        );
        assert!(parsed.logic_chain[1].contains("ChatGPT"));
        assert!(parsed.logic_chain[2].contains("1 张被评为高重要性"));

        let themes = vec![BlockTheme {
            id: "t1".into(),
            keyword: parsed.keyword.clone(),
            insight: parsed.insight.clone(),
            card_count: 2,
            days: 2,
            last_date: "2026-01-14".into(),
        }];
        let week = WeekContext {
            language: "en".into(),
            week: "2026-W03".into(),
            start: "2026-01-12".into(),
            end: "2026-01-18".into(),
            day_count: 5,
            card_count: 40,
        };
        let overview = to_json(&overview_from_themes(&themes, &week)).unwrap();
        let overview = validate_weekly_overview(&overview).unwrap();
        assert_eq!(overview.headline, "2026-W03 in AI: OpenAI");
        assert!(
            overview.summary.contains("40 cards in 1 keywords"),
            "{overview:?}"
        );
        assert!(overview.outlook.contains("OpenAI"));
    }
}
