//! Fixed words of the rendered digest, per language: headings, card field names, footer. One table
//! so the renderer and the linter agree on what a card looks like.

use crate::model::{Importance, Language};

/// The words a digest is built from in one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub(crate) struct Labels {
    pub focus: &'static str,
    /// Written before the title of a card that follows up a story of an earlier digest.
    pub continuing: &'static str,
    pub summary: &'static str,
    pub details: &'static str,
    pub scenarios: &'static str,
    pub entities: &'static str,
    pub importance: &'static str,
    pub sources: &'static str,
    pub editor_insight: &'static str,
    pub trend_summary: &'static str,
    pub tech_context: &'static str,
    pub outlook: &'static str,
    pub watchlist: &'static str,
    pub further_reading: &'static str,
    pub recommended: &'static str,
    pub background: &'static str,
    pub keywords: &'static str,
    /// Footer: "{articles} articles | {topics} topics", with the two numbers substituted.
    pub footer_counts: &'static str,
    /// Footer, appended to the counts when stories are listed under more news:
    /// " | more news: {more}".
    pub footer_more: &'static str,
    /// Before the outlets that republished a listed source ("also: A, B").
    pub also: &'static str,
    /// The link text of an arXiv paper among a card's sources.
    pub paper: &'static str,
    /// Footer: "collected over the past {hours} hours | generated {time}".
    pub footer_times: &'static str,
    pub high: &'static str,
    pub medium: &'static str,
    pub low: &'static str,
    /// Separator between list items written inline (entities).
    pub list_separator: &'static str,
    /// What follows a bold field name written inline ("：" or ": ").
    pub colon: &'static str,
    /// speedread: the tagged one-line list at the top.
    pub quick_read: &'static str,
    /// speedread: a card's overview quote.
    pub overview: &'static str,
    /// speedread: the bullets under a card.
    pub detail_points: &'static str,
    /// speedread: the link to a card's lead article.
    pub read_original: &'static str,
    /// speedread: the reading list at the end.
    pub extended_reading: &'static str,
    /// brief: the analysis paragraph under a story (written with its colon inside the bold).
    pub deep_insight: &'static str,
    /// brief: the bullets on what a story changes (written with its colon inside the bold).
    pub impact: &'static str,
    /// brief: one-line items for the stories past `max_topics`.
    pub more_news: &'static str,
    /// HTML: the navigation heading.
    pub contents: &'static str,
    /// weekly: the overview heading and the three parts of a keyword card.
    pub week_overview: &'static str,
    pub core_observation: &'static str,
    pub logic_chain: &'static str,
    pub essential_insight: &'static str,
}

pub(crate) const ZH_HANT: Labels = Labels {
    focus: "今日焦點",
    continuing: "【持續追蹤】",
    summary: "核心摘要",
    details: "技術細節",
    scenarios: "應用場景",
    entities: "關鍵實體",
    importance: "重要性",
    sources: "來源",
    editor_insight: "編輯洞察",
    trend_summary: "趨勢總結",
    tech_context: "技術發展脈絡",
    outlook: "未來展望",
    watchlist: "關注清單",
    further_reading: "延伸閱讀",
    recommended: "深度文章推薦",
    background: "相關技術背景",
    keywords: "本日關鍵詞",
    footer_counts: "資料來源：{articles} 篇文章 | 分析主題：{topics} 個",
    footer_more: " | 更多動態：{more} 則",
    also: "另見",
    paper: "論文",
    footer_times: "資料收集時間：過去 {hours} 小時 | 報告生成時間：{time}",
    high: "高",
    medium: "中",
    low: "低",
    list_separator: "、",
    colon: "：",
    quick_read: "本期速覽",
    overview: "概要",
    detail_points: "內容詳解",
    read_original: "閱讀原文",
    extended_reading: "拓展閱讀",
    deep_insight: "深度解讀 & 洞察",
    impact: "影響",
    more_news: "更多動態",
    contents: "目錄",
    week_overview: "本週總覽",
    core_observation: "核心觀察",
    logic_chain: "邏輯鏈條",
    essential_insight: "本質洞見",
};

pub(crate) const ZH_HANS: Labels = Labels {
    focus: "今日焦点",
    continuing: "【持续追踪】",
    summary: "核心摘要",
    details: "技术细节",
    scenarios: "应用场景",
    entities: "关键实体",
    importance: "重要性",
    sources: "来源",
    editor_insight: "编辑洞察",
    trend_summary: "趋势总结",
    tech_context: "技术发展脉络",
    outlook: "未来展望",
    watchlist: "关注清单",
    further_reading: "延伸阅读",
    recommended: "深度文章推荐",
    background: "相关技术背景",
    keywords: "本日关键词",
    footer_counts: "数据来源：{articles} 篇文章 | 分析主题：{topics} 个",
    footer_more: " | 更多动态：{more} 条",
    also: "另见",
    paper: "论文",
    footer_times: "数据收集时间：过去 {hours} 小时 | 报告生成时间：{time}",
    high: "高",
    medium: "中",
    low: "低",
    list_separator: "、",
    colon: "：",
    quick_read: "本期速览",
    overview: "概要",
    detail_points: "内容详解",
    read_original: "阅读原文",
    extended_reading: "拓展阅读",
    deep_insight: "深度解读 & 洞察",
    impact: "影响",
    more_news: "更多动态",
    contents: "目录",
    week_overview: "本周总览",
    core_observation: "核心观察",
    logic_chain: "逻辑链条",
    essential_insight: "本质洞见",
};

pub(crate) const EN: Labels = Labels {
    focus: "Today's Focus",
    continuing: "(Continuing) ",
    summary: "Summary",
    details: "Technical Details",
    scenarios: "Applications",
    entities: "Key Entities",
    importance: "Importance",
    sources: "Sources",
    editor_insight: "Editor's Insight",
    trend_summary: "Trend Summary",
    tech_context: "Technical Context",
    outlook: "Outlook",
    watchlist: "Watch List",
    further_reading: "Further Reading",
    recommended: "Recommended Reading",
    background: "Background",
    keywords: "Keywords of the Day",
    footer_counts: "Sources: {articles} articles | Topics: {topics}",
    footer_more: " | More news: {more}",
    also: "also",
    paper: "Paper",
    footer_times: "Collected over the past {hours} hours | Generated {time}",
    high: "High",
    medium: "Medium",
    low: "Low",
    list_separator: ", ",
    colon: ": ",
    quick_read: "At a Glance",
    overview: "Overview",
    detail_points: "In Detail",
    read_original: "Read the original",
    extended_reading: "More to Read",
    deep_insight: "Analysis & Insight",
    impact: "Impact",
    more_news: "More News",
    contents: "Contents",
    week_overview: "The Week",
    core_observation: "Core Observation",
    logic_chain: "Chain of Events",
    essential_insight: "Essential Insight",
};

pub(crate) fn labels(language: Language) -> &'static Labels {
    match language {
        Language::ZhHant => &ZH_HANT,
        Language::ZhHans => &ZH_HANS,
        Language::En => &EN,
    }
}

impl Labels {
    pub(crate) fn importance_word(&self, importance: Importance) -> &'static str {
        match importance {
            Importance::High => self.high,
            Importance::Medium => self.medium,
            Importance::Low => self.low,
        }
    }
}
