//! Duplicate stories: by first source URL, by arXiv id across link forms, by near-duplicate
//! headline, and one link shared by many stories.

use super::*;

#[test]
fn duplicate_story_by_first_source_url() {
    let url = "https://www.qbitai.com/2025/12/366314.html";
    let text = daily(
        &ZH_HANT,
        "openai",
        &[card(
            &ZH_HANT,
            "英偉達洽談收購 AI21 Labs",
            "英偉達洽談收購。",
            &["英偉達"],
            &[("a", url)],
        )],
        &[(
            "產業動態",
            vec![
                card(
                    &ZH_HANT,
                    "以色列模型公司將被晶片巨頭併購",
                    "收購案細節。",
                    &["AI21 Labs"],
                    &[(
                        "b",
                        "https://WWW.qbitai.com/2025/12/366314.html?utm_source=rss#top",
                    )],
                ),
                card(
                    &ZH_HANT,
                    "量子位報導其他新聞",
                    "其他。",
                    &["量子位"],
                    &[("c", "https://www.qbitai.com/2025/12/1.html"), ("d", url)],
                ),
            ],
        )],
        "洞察。",
    );
    let report = lint(&text);
    // Only the second card repeats the first source; the third merely cites it second.
    assert_eq!(
        lines_of(&report, DUPLICATE_STORY),
        vec![line_of(&text, "### 以色列模型公司")]
    );
    let message = &report
        .findings
        .iter()
        .find(|f| f.rule == DUPLICATE_STORY)
        .unwrap()
        .message;
    assert!(
        message.contains(&format!("line {}", line_of(&text, "### 英偉達洽談"))),
        "{message}"
    );
}

#[test]
fn duplicate_story_by_arxiv_id_across_link_forms() {
    assert_eq!(
        story_key("arXiv:2512.21227"),
        story_key("https://arxiv.org/abs/2512.21227v2")
    );
    assert_eq!(
        story_key("https://arxiv.org/pdf/2512.21227v1.pdf").as_deref(),
        Some("arxiv:2512.21227")
    );
    assert_ne!(
        story_key("https://arxiv.org/abs/2512.21227"),
        story_key("https://arxiv.org/abs/2512.21228")
    );
    assert_eq!(story_key("1"), None);
}

#[test]
fn duplicate_story_by_near_duplicate_headline() {
    let text = daily(
        &EN,
        "openai",
        &[card(
            &EN,
            "OpenAI releases GPT-5 with a new reasoning mode",
            "s",
            &["OpenAI"],
            &[("a", "https://example.com/a")],
        )],
        &[(
            "Models",
            vec![
                card(
                    &EN,
                    "OpenAI Releases GPT-5, With New Reasoning Mode (update)",
                    "s",
                    &["OpenAI"],
                    &[("b", "https://example.com/b")],
                ),
                // Same words, another model: different numbers are different stories.
                card(
                    &EN,
                    "OpenAI releases GPT-4 with a new reasoning mode",
                    "s",
                    &["OpenAI"],
                    &[("c", "https://example.com/c")],
                ),
                card(
                    &EN,
                    "Anthropic publishes an interpretability study",
                    "s",
                    &["Anthropic"],
                    &[("d", "https://example.com/d")],
                ),
            ],
        )],
        "Insight.",
    );
    let report = lint(&text);
    assert_eq!(
        lines_of(&report, DUPLICATE_STORY),
        vec![line_of(&text, "### OpenAI Releases GPT-5,")]
    );
    assert_eq!(
        normalize_headline("PhononBench 聲子導向晶體動穩基準（同上簡列）"),
        "phononbench聲子導向晶體動穩基準"
    );
    assert!(bigram_jaccard("openaireleasesgpt5", "anthropicpublishes") < 0.2);
}

#[test]
fn one_link_shared_by_many_stories_is_a_placeholder() {
    let placeholder = "https://www.qbitai.com/";
    let cards: Vec<String> = ["模型甲發布", "模型乙上線", "晶片丙量產"]
        .iter()
        .map(|t| card(&ZH_HANT, t, "內容摘要。", &["甲"], &[("來源", placeholder)]))
        .collect();
    let text = daily(
        &ZH_HANT,
        "openai",
        &cards[..1],
        &[("模型", cards[1..].to_vec())],
        "洞察。",
    );
    let report = lint_markdown(&text, &LintOptions::default());
    let shared: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == PLACEHOLDER_LINK)
        .collect();
    assert_eq!(shared.len(), 1, "{:#?}", report.findings);
    assert_eq!(shared[0].line, line_of(&text, "### 模型甲發布"));
    assert!(
        shared[0]
            .message
            .starts_with("3 stories link the same target")
    );
    // Two stories citing one roundup is allowed.
    let two = daily(
        &ZH_HANT,
        "openai",
        &cards[..1],
        &[("模型", cards[1..2].to_vec())],
        "洞察。",
    );
    assert!(
        lines_of(
            &lint_markdown(&two, &LintOptions::default()),
            PLACEHOLDER_LINK
        )
        .is_empty()
    );
}
