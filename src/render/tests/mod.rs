//! Render tests: the daily layout in every language against the linter, escaping, links and
//! template overrides; the builders make digests by hand.

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

#[test]
fn daily_zh_hant_layout() {
    let md = render(&digest(Language::ZhHant, five_cards()));
    insta::assert_snapshot!("daily_zh_hant", md);
    // The empty section is absent, the others appear in configured order after the focus.
    assert!(!md.contains("工具與資源"));
    let focus = md.find("## 今日焦點").unwrap();
    let models = md.find("## 模型與技術更新").unwrap();
    let industry = md.find("## 產業動態").unwrap();
    assert!(focus < models && models < industry);
    assert_eq!(
        md.matches("\n## ").count(),
        5,
        "focus, models, industry, insight, reading"
    );
}

#[test]
fn converts_simplified_text_to_traditional() {
    let mut cards = five_cards();
    cards[2].card.summary = "阿里开源图像生成模型，国产芯片适配。".to_string();
    cards[2].card.entities = vec!["阿里巴巴集团".to_string()];
    let md = render(&digest(Language::ZhHant, cards));
    // Character forms and Taiwan's words (图像 → 影像, 芯片 → 晶片).
    assert!(md.contains("阿里開源影像生成模型，國產晶片適配。"), "{md}");
    assert!(md.contains("阿里巴巴集團"));
    assert!(!md.contains("开源") && !md.contains("国产"));
    // Source titles are text too, converted to Taiwan's forms and names (英伟达 → 輝達).
    assert!(
        md.contains("[輝達收購AI21](https://www.qbitai.com/2025/12/366314.html)"),
        "{md}"
    );
    // URLs are never converted.
    assert!(md.contains("https://www.qbitai.com/2025/12/366314.html"));
}

#[test]
fn zh_hans_digest_converts_traditional_text_and_uses_simplified_labels() {
    let md = render(&digest(Language::ZhHans, five_cards()));
    assert!(md.contains("## 今日焦点"));
    assert!(md.contains("**核心摘要**  \n"));
    assert!(md.contains("## 模型与技术更新"));
    assert!(md.contains("阿里开源 Qwen-Image-2512"));
    assert!(md.contains("*数据来源：390 篇文章 | 分析主题：5 个*"));
    assert!(!md.contains("開源"));
}

#[test]
fn english_digest_uses_english_labels() {
    let mut cards = five_cards();
    for card in &mut cards {
        card.card.title = format!("Story {}", card.topic_id);
        card.card.summary = "Something happened.".to_string();
        card.card.entities = vec!["OpenAI".to_string(), "Alibaba".to_string()];
    }
    let md = render(&digest(Language::En, cards));
    for expected in [
        "## Today's Focus\n",
        "## Models & Research\n",
        "## Industry\n",
        "**Summary**  \nSomething happened.\n",
        "**Technical Details**  \n",
        "**Key Entities**: OpenAI, Alibaba  \n",
        "**Importance**: High  \n",
        "**Sources**: [",
        "## Editor's Insight\n",
        "**Watch List**:\n\n1. ",
        "## Further Reading\n",
        "### Recommended Reading\n",
        "*Sources: 390 articles | Topics: 5*  \n",
        "*Collected over the past 24 hours | Generated 2026/01/01 06:43:15 +08:00*\n",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in\n{md}");
    }
    for chinese_label in ["今日焦點", "核心摘要", "重要性", "來源", "編輯洞察"] {
        assert!(
            !md.contains(chinese_label),
            "{chinese_label} in an English digest"
        );
    }
}

#[test]
fn drops_non_http_links_and_rewrites_arxiv_ids() {
    let mut cards = five_cards();
    cards[3].sources = vec![
        source("only a bad link", "arXiv:bogus"),
        source("ftp", "ftp://example.com/p"),
    ];
    let md = render(&digest(Language::ZhHant, cards));
    // An arXiv paper is shown as the language's paper link.
    assert!(
        md.contains("[論文](https://arxiv.org/abs/2512.23185v1)"),
        "{md}"
    );
    assert!(!md.contains("[EIR 論文]"));
    assert!(!md.contains("](arXiv:") && !md.contains("](1)") && !md.contains("ftp://"));
    assert!(!md.contains("壞連結") && !md.contains("only a bad link"));
    // A card whose links all failed keeps its content but shows no empty sources line.
    let card = &md[md.find("### 聯邦學習個人化微調").unwrap()..];
    let card = &card[..card.find("\n---\n").unwrap()];
    assert!(card.trim_end().ends_with("**重要性**：中"), "{card}");
    // Duplicate source URLs collapse into one link.
    assert_eq!(
        md.matches("(https://www.qbitai.com/2025/12/366314.html)")
            .count(),
        1
    );
}

#[test]
fn escapes_markdown_hostile_titles() {
    let mut cards = five_cards();
    cards[0].card.title =
        "**Breaking** [click](javascript:alert(1)) <img src=x> _x_ `y`".to_string();
    cards[0].sources[0].title = "Paper [v2] *new* <b>".to_string();
    cards[2].card.summary = "# 不是標題\n- 不是清單".to_string();
    let md = render(&digest(Language::En, cards));
    assert!(md.contains(
        "### \\*\\*Breaking\\*\\* \\[click\\](javascript:alert(1)) \\<img src=x> \\_x\\_ \\`y\\`\n"
    ));
    assert!(
        md.contains("[Paper \\[v2\\] \\*new\\* \\<b>](https://www.qbitai.com/2025/12/366314.html)")
    );
    assert!(md.contains("**Summary**  \n\\# 不是標題 - 不是清單\n"));
}

#[test]
fn every_card_appears_exactly_once() {
    let mut cards = five_cards();
    // A repeated topic and a section id the config does not know.
    cards.push(record(
        "s3",
        9,
        false,
        "tools",
        "醫學影像報告生成（重複）",
        Vec::new(),
    ));
    cards.push(record(
        "s6",
        6,
        false,
        "no-such-section",
        "未歸類的新聞",
        Vec::new(),
    ));
    let md = render(&digest(Language::ZhHant, cards));
    for title in [
        "輝達擬併購 AI21 Labs",
        "阿里開源 Qwen-Image-2512",
        "醫學影像報告生成",
        "聯邦學習個人化微調",
        "MiniMax 港交所上市",
        "未歸類的新聞",
    ] {
        assert_eq!(md.matches(&format!("### {title}\n")).count(), 1, "{title}");
    }
    assert!(!md.contains("重複"));
    assert_eq!(
        md.matches("\n### ").count(),
        6 + 2 + 3,
        "6 cards, 2 insight paragraphs, 3 reading subsections"
    );
    // The unknown section's card goes to the last configured section.
    let industry = md.find("## 產業動態").unwrap();
    assert!(md.find("### 未歸類的新聞").unwrap() > industry);
    // Only the card with a known id and a usable link is recommended.
    assert!(md.contains("* [阿里開源 Qwen-Image-2512](https://www.qbitai.com/2025/12/366357.html) — 瞭解開源影像模型。\n"));
    assert!(!md.contains("不存在的卡片"));
}

#[test]
fn front_matter_strings_are_yaml_safe() {
    let mut d = digest(Language::En, five_cards());
    d.insight.headline = r#"He said "hi" \ [x](y) #1: yes"#.to_string();
    d.insight.tags = vec!["a: b".to_string(), "#c".to_string()];
    let md = render(&d);
    // Markdown-escaped first (Hugo may render these), then YAML-quoted.
    let expected = r#"---
title: "He said \"hi\" \\\\ \\[x\\](y) #1: yes — 2026/01/01"
date: 2026-01-01T06:43:15+08:00
draft: false
tags:
  - "a: b"
  - "\\#c"
"#;
    assert!(md.starts_with(expected), "{md}");
    assert!(md.contains(
        "generator:\n  provider: \"openai\"\n  model: \"gpt-4o-mini\"\n  run: \"r20260101\"\n---\n"
    ));
    assert_eq!(yaml_str("a\nb\u{2028}\u{1}"), "\"a\\nb\\u2028\\x01\"");
}

#[test]
fn empty_insight_and_reading_are_omitted() {
    let mut d = digest(Language::ZhHant, five_cards());
    d.insight = Insight {
        headline: String::new(),
        description: String::new(),
        tags: Vec::new(),
        trend_summary: " ".to_string(),
        tech_context: String::new(),
        outlook: String::new(),
        watchlist: vec![String::new()],
        keywords: Vec::new(),
        background: Vec::new(),
        further_reading: vec![FurtherReading {
            card: "nope".to_string(),
            why: "x".to_string(),
        }],
        quick_read: Vec::new(),
    };
    let md = render(&d);
    assert!(!md.contains("編輯洞察") && !md.contains("延伸閱讀"));
    assert!(md.contains("title: \"AI Daily — 2026/01/01\"\n"));
    assert!(md.contains("tags: []\n"));
    // Without the editor's words the front matter says nothing rather than list headlines.
    assert!(md.contains("summary: \"\"\n"), "{md}");
    assert!(md.contains("description: \"\"\n"), "{md}");
    // The last card's rule is followed directly by the footer, never by a second rule.
    assert!(md.ends_with("### MiniMax 港交所上市\n\n**核心摘要**  \nMiniMax 港交所上市的摘要。\n\n**關鍵實體**：OpenAI、阿里巴巴  \n**重要性**：中  \n**來源**：[MiniMax IPO](https://www.qbitai.com/2025/12/366302.html)\n\n---\n\n*資料來源：390 篇文章 | 分析主題：5 個*  \n*資料收集時間：過去 24 小時 | 報告生成時間：2026/01/01 06:43:15 +08:00*\n"), "{md}");
}

#[test]
fn templates_dir_override_is_used() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("daily.md.tera"),
        "# {{ front.title | yaml_str }}\n\n\n\n{% for s in sections %}{{ s.label }}: {{ s.cards | length }} \t\n{% endfor %}",
    )
    .unwrap();
    let sections = sections();
    let opts = RenderOptions {
        layout: Layout::Daily,
        sections: &sections,
        templates_dir: Some(dir.path()),
    };
    let md = render_markdown(&digest(Language::ZhHant, five_cards()), &opts).unwrap();
    assert_eq!(
        md,
        "# \"開源模型與產業整併 — 2026/01/01\"\n\n今日焦點: 2\n模型與技術更新: 2\n產業動態: 1\n"
    );

    // A directory without the file falls back to the built-in template.
    let empty = tempfile::tempdir().unwrap();
    let opts = RenderOptions {
        layout: Layout::Daily,
        sections: &sections,
        templates_dir: Some(empty.path()),
    };
    assert!(
        render_markdown(&digest(Language::ZhHant, five_cards()), &opts)
            .unwrap()
            .contains("## 今日焦點")
    );
}

#[test]
fn broken_override_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("daily.md.tera");
    let sections = sections();
    let opts = RenderOptions {
        layout: Layout::Daily,
        sections: &sections,
        templates_dir: Some(dir.path()),
    };
    for broken in ["{% if %}oops", "{{ no_such_variable }}"] {
        std::fs::write(&path, broken).unwrap();
        let err = render_markdown(&digest(Language::ZhHant, five_cards()), &opts).unwrap_err();
        assert!(matches!(err, RenderError::Template { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(
            message.contains("remove it to use the built-in"),
            "{message}"
        );
    }
}

#[test]
fn invalid_inputs_are_errors_not_broken_digests() {
    let mut d = digest(Language::ZhHant, five_cards());
    d.generated_at = "yesterday".to_string();
    let sections = sections();
    let opts = RenderOptions {
        layout: Layout::Daily,
        sections: &sections,
        templates_dir: None,
    };
    let err = render_markdown(&d, &opts).unwrap_err();
    assert!(err.to_string().contains("\"yesterday\""), "{err}");

    let no_sections = RenderOptions {
        layout: Layout::Daily,
        sections: &[],
        templates_dir: None,
    };
    let err = render_markdown(&digest(Language::ZhHant, five_cards()), &no_sections).unwrap_err();
    assert!(
        matches!(err, RenderError::NoSections { cards: 3 }),
        "{err:?}"
    );
}

#[test]
fn render_json_round_trips() {
    let d = digest(Language::ZhHant, five_cards());
    let json = render_json(&d).unwrap();
    assert!(json.ends_with("}\n"));
    assert!(
        json.contains("\n  \"language\": \"zh-Hant\",\n"),
        "pretty-printed"
    );
    let back: Digest = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
}

#[test]
fn rendered_digests_pass_the_linter() {
    for language in Language::ALL {
        let mut cards = five_cards();
        for card in &mut cards {
            if language == Language::En {
                card.card.title = format!("Story {}", card.topic_id);
            }
            // The linter's character-level script test counts 里 in 阿里 as Simplified (a
            // known false positive of S2T); keep this test about layout, not that.
            card.card.title = card.card.title.replace("阿里", "騰訊");
            card.card.summary = card.card.summary.replace("阿里", "騰訊");
            card.card.entities = vec!["OpenAI".to_string(), "騰訊".to_string()];
        }
        let mut d = digest(language, cards);
        d.more = vec![more(
            "Later story",
            "https://example.com/later",
            match language {
                Language::En => "A later story in one line",
                _ => "稍後的一則新聞",
            },
        )];
        for layout in Layout::ALL {
            let md = render_layout(&d, layout);
            let detected = crate::lint::lint_markdown(&md, &crate::lint::LintOptions::default());
            let told = crate::lint::lint_markdown(
                &md,
                &crate::lint::LintOptions {
                    language: Some(language),
                    layout: Some(layout),
                },
            );
            assert_eq!(detected, told, "{language} {layout:?}: detection\n{md}");
            assert!(
                !told.has_errors(),
                "{language} {layout:?}: {:?}\n{md}",
                told.errors()
            );
        }
    }
}

/// Every layout shows every card exactly once and lists the stories past max_topics, each under
/// its gloss, with a footer that counts them.
#[test]
fn every_layout_shows_every_card_once() {
    let mut d = digest(Language::ZhHant, five_cards());
    d.more = vec![more(
        "More news in English",
        "https://example.com/more-1",
        "更多的一則新聞",
    )];
    for layout in Layout::ALL {
        let md = render_layout(&d, layout);
        for record in &d.cards {
            let title = escape::escape_markdown(&crate::text::to_script(
                &record.card.title,
                Language::ZhHant,
            ));
            let headings = md
                .lines()
                .filter(|l| l.starts_with("### ") && l.contains(&title))
                .count();
            assert_eq!(headings, 1, "{layout:?}: {title}\n{md}");
        }
        assert!(
            md.contains("## 更多動態\n\n- [更多的一則新聞](https://example.com/more-1) — 量子位\n"),
            "{layout:?}\n{md}"
        );
        assert!(!md.contains("More news in English"), "{layout:?}\n{md}");
        assert!(md.contains("| 更多動態：1 則*"), "{layout:?}\n{md}");
    }
    let speedread = render_layout(&d, Layout::Speedread);
    assert!(speedread.contains("## 1. 模型與技術更新"), "{speedread}");
    assert!(speedread.contains("> **概要**："), "{speedread}");
    let brief = render_layout(&d, Layout::Brief);
    assert!(brief.contains("## 更多動態"), "{brief}");
    assert!(brief.lines().any(|l| l.starts_with("### [")), "{brief}");
}

#[test]
fn tidy_normalises_whitespace() {
    assert_eq!(
        tidy("\n\na  \nb \t\n\n\n\nc  \n\nd   \n"),
        "a  \nb\n\nc\n\nd\n"
    );
}

#[test]
fn feed_of_recent_digests_is_valid_atom() {
    let dir = tempfile::tempdir().unwrap();
    let mut older = digest(Language::ZhHant, five_cards());
    older.date = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    older.generated_at = "2025-12-31T06:40:00+08:00".to_string();
    std::fs::write(
        dir.path().join("2025-12-31.json"),
        render_json(&older).unwrap(),
    )
    .unwrap();
    // Not digests: skipped, not fatal.
    std::fs::write(
        dir.path().join("2025-12-30.json"),
        "{\"not\": \"a digest\"}",
    )
    .unwrap();
    std::fs::write(dir.path().join("digest.schema.json"), json_schema()).unwrap();
    let current = digest(Language::ZhHant, five_cards());
    let recent = crate::run::publish::recent_digests(
        dir.path(),
        &current,
        crate::run::publish::FEED_ENTRIES,
    );
    assert_eq!(
        recent
            .iter()
            .map(|d| d.date.to_string())
            .collect::<Vec<_>>(),
        ["2026-01-01", "2025-12-31"]
    );
    assert_eq!(
        crate::run::publish::recent_digests(dir.path(), &current, 1).len(),
        1
    );

    let xml = feed::render_feed(&recent);
    let parsed = feed_rs::parser::parse(xml.as_bytes()).expect("feed-rs parses the feed");
    assert_eq!(parsed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(parsed.title.unwrap().content, "AI Daily");
    assert_eq!(parsed.entries.len(), 2);
    let first = &parsed.entries[0];
    assert_eq!(first.id, "urn:newsdesk:digest:2026-01-01");
    assert_eq!(
        first.title.as_ref().unwrap().content,
        "開源模型與產業整併 — 2026/01/01"
    );
    assert_eq!(first.links[0].href, "2026-01-01.html");
    assert_eq!(
        first.updated.unwrap().to_rfc3339(),
        "2025-12-31T22:43:15+00:00"
    );
    let content = first.content.as_ref().unwrap().body.as_ref().unwrap();
    for record in &current.cards {
        assert!(
            content.contains(&crate::text::to_script(
                &record.card.title,
                Language::ZhHant
            )),
            "{content}"
        );
    }
    assert!(content.contains("href=\"https://www.qbitai.com/2025/12/366357.html\""));
}

#[test]
fn digest_json_validates_against_its_generated_schema() {
    let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
    insta::assert_json_snapshot!("digest_schema", schema);
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut d = digest(Language::ZhHant, five_cards());
    d.more = vec![more("later", "https://example.com/later", "")];
    let json: serde_json::Value = serde_json::from_str(&render_json(&d).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = json.clone();
    broken["cards"][0]["card"]["importance"] = "urgent".into();
    assert!(!validator.is_valid(&broken));
    let mut missing = json;
    missing.as_object_mut().unwrap().remove("generator");
    assert!(!validator.is_valid(&missing));
}

mod reader;
mod speedread;

/// A card with the richer fields: brief shows its lead, labelled points, 深度解讀 & 洞察 and 影響;
/// speedread's 速覽 shows its tag and short headline — never its summary's first sentence — and
/// its 內容詳解 the key points; a card with nothing but metadata has no 內容詳解. Both pass the
/// linter.
#[test]
fn richer_cards_fill_brief_and_speedread() {
    let mut cards = five_cards();
    for card in &mut cards {
        card.card.title = card.card.title.replace("阿里", "騰訊");
        card.card.summary = card.card.summary.replace("阿里", "騰訊");
        card.card.entities = vec!["OpenAI".to_string(), "騰訊".to_string()];
    }
    let rich = &mut cards[1].card;
    rich.short_title = "騰訊開源影像模型".to_string();
    rich.tags = vec!["開源".to_string(), "[多模態]".to_string()];
    rich.key_points = vec![crate::model::KeyPoint {
        label: "核心能力".to_string(),
        text: "文字渲染更準確。".to_string(),
    }];
    rich.insight = "開源權重讓中小團隊也能微調影像模型。".to_string();
    rich.impacts = vec!["設計工具廠商可直接整合。".to_string()];
    let rich_summary = rich.summary.clone();
    let d = digest(Language::ZhHant, cards);

    let brief = render_layout(&d, Layout::Brief);
    let story = brief
        .split("### ")
        .find(|s| s.contains("騰訊開源 Qwen-Image-2512"))
        .unwrap();
    assert!(
        story.contains(&format!("\n\n{rich_summary}\n\n")),
        "{story}"
    );
    assert!(story.contains("`開源` `多模態`"), "{story}");
    assert!(
        story.contains("- **核心能力**：文字渲染更準確。"),
        "{story}"
    );
    assert!(
        story.contains("**深度解讀 & 洞察：** 開源權重讓中小團隊也能微調影像模型。"),
        "{story}"
    );
    assert!(
        story.contains("**影響：**\n\n- 設計工具廠商可直接整合。"),
        "{story}"
    );
    assert!(
        brief.starts_with("---") && brief.contains("\n# 開源模型與產業整併"),
        "{brief}"
    );
    assert!(
        brief.contains("開源模型持續追趕。"),
        "the editor's lead\n{brief}"
    );

    let speedread = render_layout(&d, Layout::Speedread);
    assert!(
        speedread.contains("- **[開源]** **騰訊開源影像模型**：設計工具廠商可直接整合。\n"),
        "{speedread}"
    );
    // A short headline the server's grammar cut at its bound gives way to the title.
    let mut cut = d.clone();
    cut.cards[1].card.short_title = "騰".repeat(crate::llm::schema::SHORT_TITLE_MAX_CHARS);
    let cut = render_layout(&cut, Layout::Speedread);
    assert!(
        cut.contains("- **[開源]** **騰訊開源 Qwen-Image-2512**：設計工具廠商可直接整合。\n"),
        "{cut}"
    );
    // The editor's line shows unless it only repeats the start of the card's summary.
    let mut lined = d.clone();
    lined.insight.quick_read = vec![
        crate::model::QuickRead {
            card: "s2".to_string(),
            tag: "[影像]".to_string(),
            line: "中小團隊也能微調".to_string(),
        },
        crate::model::QuickRead {
            card: "s1".to_string(),
            tag: "[併購]".to_string(),
            line: "輝達擬併購 AI21".to_string(),
        },
    ];
    let lined = render_layout(&lined, Layout::Speedread);
    assert!(
        lined.contains("- **[開源]** **騰訊開源影像模型**：中小團隊也能微調\n"),
        "{lined}"
    );
    assert!(
        lined.contains("- **[併購]** **輝達擬併購 AI21 Labs**\n"),
        "{lined}"
    );
    let quick = speedread.split("## 1.").next().unwrap();
    assert!(
        !quick.contains("的摘要"),
        "速覽 never copies a summary\n{quick}"
    );
    assert!(
        speedread.contains("- **核心能力**\n    - 文字渲染更準確。\n"),
        "{speedread}"
    );
    // s1 has details and scenarios; the others only entities and importance beside their
    // summary: no 內容詳解 for them.
    assert_eq!(speedread.matches("**內容詳解**").count(), 2, "{speedread}");
    assert!(!speedread.contains("**關鍵實體**"), "{speedread}");
    // 拓展閱讀 lists the cards' other sources (tests/speedread.rs); these cards have one each.
    assert!(!speedread.contains("## 拓展閱讀"), "{speedread}");

    for (layout, md) in [(Layout::Brief, &brief), (Layout::Speedread, &speedread)] {
        let report = crate::lint::lint_markdown(
            md,
            &crate::lint::LintOptions {
                language: Some(Language::ZhHant),
                layout: Some(layout),
            },
        );
        assert!(
            !report.has_errors(),
            "{layout:?}: {:?}\n{md}",
            report.errors()
        );
    }
    let html = render_page(&d);
    assert!(html.contains("<span class=\"tag\">開源</span>"), "{html}");
    assert!(
        html.contains("<li><strong>核心能力</strong>：文字渲染更準確。</li>"),
        "{html}"
    );
    assert!(html.contains("<h4>影響</h4>"), "{html}");
}
