//! What each layout shows: the daily layout's sections in order (snapshot), every card exactly
//! once wherever its section id points, the richer card fields in brief and speedread, empty
//! parts left out, and every layout in every language clean under the linter.

use super::*;

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

/// The day with one card carrying every richer field (short headline, tags, labelled points, the
/// model's insight, impacts); 騰訊 stands in for 阿里 as in `rendered_digests_pass_the_linter`.
fn richer_digest() -> Digest {
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
    digest(Language::ZhHant, cards)
}

fn assert_lint_clean(md: &str, layout: Layout) {
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

/// A card with the richer fields: brief shows its lead, labelled points, 深度解讀 & 洞察 and 影響,
/// and passes the linter.
#[test]
fn richer_cards_fill_brief() {
    let d = richer_digest();
    let rich_summary = d.cards[1].card.summary.clone();
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
    assert_lint_clean(&brief, Layout::Brief);
}

/// Speedread's 速覽 shows a card's tag and short headline — never its summary's first sentence —
/// and its 內容詳解 the key points; a card with nothing but metadata has no 內容詳解; the page
/// passes the linter.
#[test]
fn richer_cards_fill_speedread() {
    let d = richer_digest();
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
    assert_lint_clean(&speedread, Layout::Speedread);
}

/// The HTML page shows the richer fields too: tags, labelled points and 影響.
#[test]
fn richer_cards_fill_the_html_page() {
    let html = render_page(&richer_digest());
    assert!(html.contains("<span class=\"tag\">開源</span>"), "{html}");
    assert!(
        html.contains("<li><strong>核心能力</strong>：文字渲染更準確。</li>"),
        "{html}"
    );
    assert!(html.contains("<h4>影響</h4>"), "{html}");
}
