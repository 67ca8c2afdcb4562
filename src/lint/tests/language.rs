//! Language rules: which language a digest is in, wrong-script characters, untranslated
//! headlines and card text.

use super::*;

#[test]
fn language_falls_back_on_script_when_no_label_decides() {
    assert_eq!(
        detect_language(&Doc::parse("國產智能體發佈，開源模型與資料中心擴張。")),
        Language::ZhHant
    );
    assert_eq!(
        detect_language(&Doc::parse("国产智能体发布，开源模型与数据中心扩张。")),
        Language::ZhHans
    );
    assert_eq!(
        detect_language(&Doc::parse("Open models and data centres, 模型.")),
        Language::En
    );
}

#[test]
fn wrong_script_counts_prose_only() {
    let simplified = card(
        &ZH_HANT,
        "国产智能体发布",
        "深元人工智能发布国产智能体，实现全链路国产化。",
        &["深元"],
        &[("国产", "https://example.com/国产")],
    );
    let text = daily(&ZH_HANT, "openai", &[simplified], &[], "洞察。");
    let report = lint_as(&text, Language::ZhHant);
    assert_eq!(
        lines_of(&report, WRONG_SCRIPT),
        vec![line_of(&text, "### 国产")]
    );
    let message = &report
        .findings
        .iter()
        .find(|f| f.rule == WRONG_SCRIPT)
        .unwrap()
        .message;
    assert!(
        message.contains(&format!("国 (line {})", line_of(&text, "### 国产"))),
        "{message}"
    );
    assert!(message.contains("Simplified"), "{message}");

    // The same characters only in a URL, a code span and a front matter key do not count.
    let hidden = fixture("clean_zh_hant.md")
        .replace(
            "(https://www.qbitai.com/2025/12/366357.html)",
            "(https://example.com/国产发布)",
        )
        .replace("`開源模型`", "`国产发布`")
        .replace("tags:", "国产:");
    assert!(
        lint_as(&hidden, Language::ZhHant).findings.is_empty(),
        "{:#?}",
        lint_as(&hidden, Language::ZhHant).findings
    );

    // 里 of 阿里 is Traditional too: the fixture mentions Alibaba five times and stays clean.
    assert!(fixture("clean_zh_hant.md").matches("阿里").count() >= 5);

    // One wrong character among a few hundred stays below 0.5 %.
    let one = fixture("clean_zh_hant.md").replace("研究者發現", "研究者发現");
    assert!(lines_of(&lint(&one), WRONG_SCRIPT).is_empty());
    let many = fixture("clean_zh_hant.md").replace("研究者發現", "研究者发现，这个问题");
    assert_eq!(
        lines_of(&lint(&many), WRONG_SCRIPT),
        vec![line_of(&many, "研究者发现")]
    );

    let hans = clean_hans().replace("质量提升", "質量提升與開發");
    let report = lint(&hans);
    assert_eq!(
        lines_of(&report, WRONG_SCRIPT),
        vec![line_of(&hans, "質量")]
    );
    assert!(report.findings[0].message.contains("Traditional"));
}

#[test]
fn untranslated_headlines() {
    let english = card(
        &ZH_HANT,
        "OpenAI ships GPT-5",
        "OpenAI 發布 GPT-5。",
        &["OpenAI"],
        &[("a", "https://example.com/a")],
    );
    let llm = daily(
        &ZH_HANT,
        "openai",
        std::slice::from_ref(&english),
        &[],
        "洞察。",
    );
    let report = lint(&llm);
    let found: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == UNTRANSLATED_HEADLINE)
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].line, found[0].severity),
        (line_of(&llm, "### OpenAI"), Severity::Error)
    );

    let extractive = daily(&ZH_HANT, "extractive", &[english], &[], "洞察。");
    let report = lint(&extractive);
    assert!(!report.has_errors(), "{:#?}", report.findings);
    assert_eq!(report.warnings().len(), 1);
    assert_eq!(report.warnings()[0].rule, UNTRANSLATED_HEADLINE);

    let inline = "---\ngenerator: {provider: extractive, model: none, run: r1}\n---\n";
    assert_eq!(
        Doc::parse(inline).generator_provider().as_deref(),
        Some("extractive")
    );
    // English digests have English headlines.
    assert!(lines_of(&lint(&clean_en()), UNTRANSLATED_HEADLINE).is_empty());
}

#[test]
fn untranslated_card_text_in_a_chinese_digest() {
    let english = card(
        &ZH_HANT,
        "阿里開源影像模型",
        "Alibaba released an image model today.",
        &["Alibaba"],
        &[("Qwen", "https://a.example/1")],
    );
    let chinese = card(
        &ZH_HANT,
        "輝達收購新創",
        "輝達今日宣布收購。",
        &["輝達"],
        &[("x", "https://b.example/2")],
    );
    for (provider, severity) in [
        ("openai", Severity::Error),
        ("extractive", Severity::Warning),
    ] {
        let text = daily(
            &ZH_HANT,
            provider,
            std::slice::from_ref(&english),
            &[("產業", vec![chinese.clone()])],
            "洞察。",
        );
        let report = lint_markdown(&text, &LintOptions::default());
        let found: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.rule == UNTRANSLATED_BODY)
            .collect();
        assert_eq!(found.len(), 1, "{provider}: {:#?}", report.findings);
        assert_eq!(found[0].severity, severity, "{provider}");
        assert_eq!(
            found[0].line,
            line_of(&text, "Alibaba released"),
            "{provider}"
        );
    }
}

/// Speedread's labels carry Chinese characters; they must not count as the card's text.
#[test]
fn speedread_overview_label_is_not_the_cards_text() {
    let text = format!(
        "---\ntitle: \"x\"\ngenerator:\n  provider: \"openai\"\n---\n\n## 本期速覽\n\n- **甲**：一則。\n\n---\n\n\
         ## 1. 模型\n\n### 阿里開源影像模型\n\n[閱讀原文](https://a.example/1)\n\n> **概要**：Alibaba released a model.\n\n\
         ### 輝達收購新創\n\n[閱讀原文](https://b.example/2)\n\n> **概要**：輝達今日宣布收購。\n\n---\n\n*{}*\n",
        ZH_HANT.footer_counts
    );
    let doc = Doc::parse(&text);
    assert_eq!(
        super::cards::detect_layout(&doc, &ZH_HANT),
        Some(Layout::Speedread)
    );
    let report = lint_markdown(&text, &LintOptions::default());
    assert_eq!(
        lines_of(&report, UNTRANSLATED_BODY),
        vec![line_of(&text, "Alibaba released")],
        "{:#?}",
        report.findings
    );
    assert!(
        lines_of(&report, MISSING_FIELD).is_empty(),
        "{:#?}",
        report.findings
    );
}
