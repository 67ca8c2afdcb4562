//! The reader's lists: footer counts against what is shown, more-news lines in the digest's
//! language, each source once under a card, and a headline linking to the report in the
//! digest's language (pipeline only).

use super::*;
use crate::model::{CardRecord, Digest, Generator, SourceRef};

fn brief_with_more(provider: &str, more: &[(&str, &str)]) -> String {
    let stories = vec![
        brief_story(
            &ZH_HANT,
            "阿里開源影像模型",
            "https://a.example/1",
            &["第一點。", "第二點。"],
        ),
        brief_story(
            &ZH_HANT,
            "輝達收購新創",
            "https://b.example/2",
            &["第一點。", "第二點。"],
        ),
    ];
    brief(&ZH_HANT, provider, &[("模型與技術更新", stories)], more)
}

fn lint_brief(text: &str) -> LintReport {
    lint_markdown(
        text,
        &LintOptions {
            language: Some(Language::ZhHant),
            layout: Some(Layout::Brief),
        },
    )
}

#[test]
fn footer_counts_must_match_the_cards_and_the_more_news_listed() {
    let more = [("OpenAI收購Quillmark", "https://c.example/3")];
    let clean = brief_with_more("openai", &more);
    assert!(
        lines_of(&lint(&clean), COUNT_MISMATCH).is_empty(),
        "{clean}"
    );
    // The review's brief: 36 stories listed, a footer that counted only the cards.
    let footer_line = clean
        .lines()
        .find(|l| l.contains("更多動態：1 則"))
        .unwrap();
    let without_more = footer_line.replace(" | 更多動態：1 則", "");
    let text = clean.replace(footer_line, &without_more);
    let report = lint_brief(&text);
    let found: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == COUNT_MISMATCH)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0]
            .message
            .contains("0 more-news stories but the digest lists 1")
    );
    assert_eq!(found[0].line, line_of(&text, "資料來源："));
    let text = clean.replace("分析主題：2 個", "分析主題：30 個");
    let report = lint_brief(&text);
    assert!(
        report.findings.iter().any(|f| f.rule == COUNT_MISMATCH
            && f.message
                .contains("counts 30 topics but the digest shows 2 cards")),
        "{:#?}",
        report.findings
    );
}

#[test]
fn an_english_more_news_line_in_a_chinese_digest() {
    let more = [
        (
            "OpenAI acquires document-AI startup Quillmark",
            "https://c.example/3",
        ),
        ("雲林農民導入AI無人機", "https://d.example/4"),
    ];
    let from_model = brief_with_more("openai", &more);
    let report = lint_brief(&from_model);
    let found: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == UNTRANSLATED_MORE)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].severity, Severity::Error);
    assert_eq!(found[0].line, line_of(&from_model, "Quillmark"));
    // The extractive baseline keeps the titles: a warning, not an error.
    let extractive = brief_with_more("extractive", &more);
    let report = lint_brief(&extractive);
    assert!(!report.has_errors(), "{:#?}", report.findings);
    assert_eq!(lines_of(&report, UNTRANSLATED_MORE).len(), 1);
}

#[test]
fn a_source_listed_twice_under_a_card() {
    let twice = card(
        &ZH_HANT,
        "輝達發表Helix H300",
        "輝達發表新款推論加速器。",
        &["NVIDIA"],
        &[
            ("NVIDIA發表Helix H300推論加速器", "https://review.example/1"),
            (
                "NVIDIA unveils Helix H300 accelerator aimed at inference",
                "https://wire.example/1",
            ),
            (
                "NVIDIA unveils Helix H300 accelerator aimed at inference",
                "https://journal.example/1",
            ),
        ],
    );
    let text = daily(&ZH_HANT, "openai", &[twice], &[], "洞察。");
    let report = lint(&text);
    let found: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == DUPLICATE_SOURCE)
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].message.contains("https://journal.example/1"),
        "{}",
        found[0].message
    );
    // The same URL twice is one source too; two papers share a label, not a source.
    let same_url = card(
        &ZH_HANT,
        "兩篇論文",
        "兩篇論文的摘要。",
        &["arXiv"],
        &[
            ("論文", "https://arxiv.org/abs/2501.00001"),
            ("論文", "https://arxiv.org/abs/2501.00002"),
            ("模型的部落格", "https://blog.example/1"),
            ("同一篇部落格", "https://blog.example/1"),
        ],
    );
    let text = daily(&ZH_HANT, "openai", &[same_url], &[], "洞察。");
    let found = lines_of(&lint(&text), DUPLICATE_SOURCE);
    assert_eq!(found.len(), 1, "{found:?}");
}

/// A card record as a digest stores it.
fn record(title: &str, sources: Vec<SourceRef>) -> CardRecord {
    serde_json::from_value(serde_json::json!({
        "topic_id": "t1", "rank": 1, "focus": false, "sources": sources,
        "card": {"title": title, "summary": "輝達發表新款推論加速器，臺灣供應鏈受惠。",
                 "details": "", "scenarios": "", "entities": ["NVIDIA"], "importance": "high",
                 "section": "models", "insight": ""}
    }))
    .unwrap()
}

fn source(title: &str, url: &str) -> SourceRef {
    SourceRef {
        title: title.into(),
        url: url.into(),
        outlet: "x".into(),
        article_id: String::new(),
        published: None,
    }
}

/// `digest` as the renderer writes it in `layout` (one section: models).
fn render_md(digest: &Digest, layout: Layout) -> String {
    crate::render::render_markdown(
        digest,
        &crate::render::RenderOptions {
            sections: &[crate::config::SectionConfig {
                id: "models".into(),
                label: Default::default(),
                describe: String::new(),
            }],
            templates_dir: None,
            layout,
        },
    )
    .unwrap()
}

/// A zh-Hant digest a model wrote, with `cards` and `more`.
fn model_digest(cards: Vec<CardRecord>, more: Vec<crate::model::MoreStory>) -> Digest {
    Digest {
        date: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        title: "AI Daily".into(),
        language: Language::ZhHant,
        generated_at: "2026-01-05T23:59:59+08:00".into(),
        window_hours: 24,
        generator: Generator {
            provider: "openai".into(),
            model: "m".into(),
            run: "r".into(),
        },
        article_count: cards.len() + more.len() + 1,
        topic_count: cards.len(),
        cards,
        insight: crate::write::insight::empty_insight(),
        failed: Vec::new(),
        more,
    }
}

#[test]
fn a_headline_linking_to_another_language_when_ours_exists() {
    let headline = "NVIDIA發表Helix H300推論加速器";
    let sources = vec![
        source("NVIDIA unveils Helix H300", "https://wire.example/1"),
        source("NVIDIA發表Helix H300推論加速器", "https://review.example/1"),
    ];
    let digest = model_digest(vec![record(headline, sources)], Vec::new());
    let story = |url: &str| {
        brief(
            &ZH_HANT,
            "openai",
            &[(
                "模型與技術更新",
                vec![brief_story(&ZH_HANT, headline, url, &["一。", "二。"])],
            )],
            &[],
        )
    };
    let wrong = story("https://wire.example/1");
    let report = lint_digest(&wrong, Layout::Brief, &digest, &[]);
    let found: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == HEADLINE_LINK_LANGUAGE)
        .collect();
    assert_eq!(found.len(), 1, "{:#?}", report.findings);
    assert_eq!(found[0].line, line_of(&wrong, "### ["));
    assert!(found[0].message.contains("https://review.example/1"));
    let right = story("https://review.example/1");
    assert!(
        lines_of(
            &lint_digest(&right, Layout::Brief, &digest, &[]),
            HEADLINE_LINK_LANGUAGE
        )
        .is_empty()
    );
    // What the renderer writes passes.
    let rendered = render_md(&digest, Layout::Brief);
    let report = lint_digest(&rendered, Layout::Brief, &digest, &[]);
    assert!(
        lines_of(&report, HEADLINE_LINK_LANGUAGE).is_empty(),
        "{rendered}"
    );
}

#[test]
fn a_more_news_title_standing_in_for_a_failed_batch_warns_while_a_models_english_line_fails() {
    let more = |id: &str, title: &str, line: &str| crate::model::MoreStory {
        story_id: id.into(),
        lead: source(title, &format!("https://wire.example/{id}")),
        line: line.into(),
    };
    // One batch answered (a Chinese line and an English one), another failed (no line).
    let digest = model_digest(
        vec![record(
            "輝達發表推論加速器",
            vec![source("輝達發表推論加速器", "https://review.example/1")],
        )],
        vec![
            more(
                "s2",
                "OpenAI acquires Quillmark",
                "OpenAI 收購文件 AI 新創 Quillmark",
            ),
            more(
                "s3",
                "Pebble-1.5B distils reasoning traces",
                "Pebble-1.5B distils traces",
            ),
            more("s4", "Tiny model tops the leaderboard", ""),
        ],
    );
    let rendered = render_md(&digest, Layout::Daily);
    let report = lint_digest(&rendered, Layout::Daily, &digest, &[]);
    let untranslated: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == UNTRANSLATED_MORE)
        .collect();
    assert_eq!(untranslated.len(), 2, "{rendered}\n{:#?}", report.findings);
    let severity_of = |needle: &str| {
        untranslated
            .iter()
            .find(|f| f.message.contains(needle))
            .map(|f| f.severity)
    };
    assert_eq!(severity_of("Tiny model tops"), Some(Severity::Warning));
    assert_eq!(
        severity_of("Pebble-1.5B distils traces"),
        Some(Severity::Error)
    );
}
