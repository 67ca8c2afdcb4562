//! Render tests, one file per behaviour family: `languages` (labels and scripts), `markdown`
//! (escaping, links, front matter, whitespace), `layouts` (what each layout shows, linter-clean),
//! `templates` (overrides and inputs that cannot render), `outputs` (JSON, schema, feed) and
//! `reader` (what a reader of the digest sees of sources and outlets). Here: the builders that
//! make digests by hand, and the assertions every rendered digest must pass.
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;
use crate::model::{
    BackgroundTerm, Card, CardRecord, FurtherReading, Generator, Importance, Insight, Language,
    MoreStory, SourceRef,
};
use crate::text::url::is_absolute_http;

fn section(id: &str, hant: &str, hans: &str, en: &str) -> SectionConfig {
    let label: BTreeMap<String, String> = [("zh-Hant", hant), ("zh-Hans", hans), ("en", en)]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    SectionConfig {
        id: id.to_string(),
        label,
        describe: String::new(),
    }
}

fn sections() -> Vec<SectionConfig> {
    vec![
        section(
            "models",
            "模型與技術更新",
            "模型与技术更新",
            "Models & Research",
        ),
        section("tools", "工具與資源", "工具与资源", "Tools & Resources"),
        section("industry", "產業動態", "产业动态", "Industry"),
    ]
}

fn source(title: &str, url: &str) -> SourceRef {
    SourceRef {
        title: title.to_string(),
        url: url.to_string(),
        outlet: "量子位".to_string(),
        article_id: String::new(),
        published: None,
    }
}

/// A story past `max_topics` with its one-line gloss.
fn more(title: &str, url: &str, line: &str) -> MoreStory {
    MoreStory {
        story_id: format!("s-{title}"),
        lead: source(title, url),
        line: line.to_string(),
    }
}

fn record(
    id: &str,
    rank: usize,
    focus: bool,
    section: &str,
    title: &str,
    sources: Vec<SourceRef>,
) -> CardRecord {
    CardRecord {
        topic_id: id.to_string(),
        rank,
        focus,
        card: Card {
            title: title.to_string(),
            summary: format!("{title}的摘要。"),
            details: String::new(),
            scenarios: String::new(),
            entities: vec!["OpenAI".to_string(), "阿里巴巴".to_string()],
            importance: Importance::Medium,
            section: section.to_string(),
            insight: String::new(),
            short_title: String::new(),
            tags: Vec::new(),
            key_points: Vec::new(),
            impacts: Vec::new(),
        },
        sources,
        continuing: false,
        fallback: false,
    }
}

fn insight() -> Insight {
    Insight {
        headline: "開源模型與產業整併".to_string(),
        description: "今日重點：開源影像模型與併購。".to_string(),
        tags: vec!["開源".to_string(), "併購".to_string()],
        trend_summary: "開源模型持續追趕。\n\n併購潮延續。".to_string(),
        tech_context: String::new(),
        outlook: "明年推理成本將再下降。".to_string(),
        watchlist: vec![
            "Qwen-Image-2512 權重".to_string(),
            "AI21 交易進度".to_string(),
        ],
        keywords: vec!["開源".to_string(), "AI`21".to_string(), "開源".to_string()],
        background: vec![BackgroundTerm {
            term: "擴散模型".to_string(),
            definition: "逐步去噪的生成模型。".to_string(),
        }],
        further_reading: vec![
            FurtherReading {
                card: "s2".to_string(),
                why: "了解開源影像模型。".to_string(),
            },
            FurtherReading {
                card: "s-unknown".to_string(),
                why: "不存在的卡片。".to_string(),
            },
        ],
        quick_read: Vec::new(),
    }
}

fn digest(language: Language, cards: Vec<CardRecord>) -> Digest {
    Digest {
        date: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        title: "AI Daily".to_string(),
        language,
        generated_at: "2026-01-01T06:43:15+08:00".to_string(),
        window_hours: 24,
        generator: Generator {
            provider: "openai".to_string(),
            model: "gpt-4o-mini".to_string(),
            run: "r20260101".to_string(),
        },
        topic_count: cards.len(),
        cards,
        insight: insight(),
        article_count: 390,
        failed: Vec::new(),
        more: Vec::new(),
    }
}

/// Two focus cards, two in `models`, one in `industry`, none in `tools`.
fn five_cards() -> Vec<CardRecord> {
    let mut first = record(
        "s1",
        1,
        true,
        "industry",
        "輝達擬併購 AI21 Labs",
        vec![
            source(
                "英伟达收购AI21",
                "https://www.qbitai.com/2025/12/366314.html",
            ),
            source("重複連結", "https://www.qbitai.com/2025/12/366314.html"),
        ],
    );
    first.card.importance = Importance::High;
    first.card.details = "交易金額約 20–30 億美元。".to_string();
    first.card.scenarios = "模型團隊整併。".to_string();
    vec![
        first,
        record(
            "s2",
            2,
            true,
            "models",
            "阿里開源 Qwen-Image-2512",
            vec![source(
                "Qwen-Image-2512 開源",
                "https://www.qbitai.com/2025/12/366357.html",
            )],
        ),
        record(
            "s3",
            3,
            false,
            "models",
            "醫學影像報告生成",
            vec![
                source("EIR 論文", "arXiv:2512.23185v1"),
                source("壞連結", "1"),
            ],
        ),
        record(
            "s4",
            4,
            false,
            "models",
            "聯邦學習個人化微調",
            vec![source("FRoD", "https://arxiv.org/abs/2512.22000")],
        ),
        record(
            "s5",
            5,
            false,
            "industry",
            "MiniMax 港交所上市",
            vec![source(
                "MiniMax IPO",
                "https://www.qbitai.com/2025/12/366302.html",
            )],
        ),
    ]
}

/// The HTML page (the same for every layout).
fn render_page(digest: &Digest) -> String {
    let sections = sections();
    let opts = RenderOptions {
        layout: Layout::Daily,
        sections: &sections,
        templates_dir: None,
    };
    render_html(digest, &opts).unwrap()
}

fn render(digest: &Digest) -> String {
    render_layout(digest, Layout::Daily)
}

fn render_layout(digest: &Digest, layout: Layout) -> String {
    let sections = sections();
    let opts = RenderOptions {
        layout,
        sections: &sections,
        templates_dir: None,
    };
    let md = render_markdown(digest, &opts).unwrap();
    assert_clean(&md);
    assert_links_ok(&md);
    md
}

/// The whitespace contract: hard breaks only as exactly two spaces before more text, no run
/// of blank lines, exactly one final newline.
fn assert_clean(md: &str) {
    let lines: Vec<&str> = md.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        if line.trim_end() == *line {
            continue;
        }
        let body = line
            .strip_suffix("  ")
            .unwrap_or_else(|| panic!("stray whitespace on line {}: {line:?}", i + 1));
        assert!(
            !body.ends_with(char::is_whitespace),
            "stray whitespace on line {}: {line:?}",
            i + 1
        );
        assert!(!body.is_empty(), "whitespace-only line {}", i + 1);
        assert!(
            lines.get(i + 1).is_some_and(|next| !next.trim().is_empty()),
            "hard break before a blank line at line {}",
            i + 1
        );
    }
    assert!(!md.contains("\n\n\n"), "two blank lines in a row");
    assert!(
        md.ends_with('\n') && !md.ends_with("\n\n"),
        "must end with exactly one newline"
    );
}

/// Every unescaped `](` opens an absolute http(s) destination.
fn assert_links_ok(md: &str) {
    let mut rest = md;
    while let Some(at) = rest.find("](") {
        let escaped = rest[..at].ends_with('\\');
        let after = &rest[at + 2..];
        if !escaped {
            let end = after.find(')').expect("link destination is closed");
            let url = &after[..end];
            assert!(
                is_absolute_http(url),
                "link to {url:?} is not absolute http(s)"
            );
        }
        rest = after;
    }
}

mod languages;
mod layouts;
mod markdown;
mod outputs;
mod reader;
mod speedread;
mod templates;
