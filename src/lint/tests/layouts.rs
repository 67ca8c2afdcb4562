//! Whole documents of each layout: the seed digest's defects, and the brief layout.

use super::*;

#[test]
fn seed_digest_defects_are_found() {
    let Ok(seed) = std::fs::read_to_string(SEED) else {
        eprintln!("skipping: {SEED} is absent");
        return;
    };
    let report = lint(&seed);
    println!("seed 000 findings per rule: {:?}", report.counts_by_rule());
    assert_eq!(detect_language(&Doc::parse(&seed)), Language::ZhHant);

    let has = |rule: &str, line: usize, needle: &str| {
        report
            .findings
            .iter()
            .any(|f| f.rule == rule && f.line == line && f.message.contains(needle))
    };
    let arxiv_line = line_of(&seed, "[arXiv:2512.23185v1](arXiv:2512.23185v1)");
    assert!(
        has(BAD_LINK, arxiv_line, "arXiv:2512.23185v1"),
        "arXiv pseudo-link at {arxiv_line}"
    );
    assert!(has(BAD_LINK, line_of(&seed, "**來源**： [1](1)"), "\"1\""));
    let stub_line = line_of(&seed, "（同上簡列）");
    let listed_line = line_of(&seed, "（已列於今日焦點）");
    assert!(has(PLACEHOLDER, stub_line, "同上"));
    assert!(has(PLACEHOLDER, listed_line, "已列於"));
    assert!(
        has(DUPLICATE_STORY, stub_line, "PhononBench"),
        "PhononBench twice"
    );
    assert!(
        has(DUPLICATE_STORY, listed_line, "算力擴張"),
        "focus story repeated"
    );
    assert!(has(
        MISSING_FIELD,
        listed_line,
        "核心摘要, 關鍵實體, 重要性, 來源"
    ));
    assert!(report.has_errors());
}

#[test]
fn brief_layout_is_detected_and_a_story_repeated_between_sections_is_an_error() {
    let story = |title: &str, url: &str| {
        brief_story(&ZH_HANT, title, url, &["第一點摘要。", "第二點細節。"])
    };
    let clean = brief(
        &ZH_HANT,
        "openai",
        &[
            (
                "模型",
                vec![story("阿里開源影像模型", "https://a.example/1")],
            ),
            ("產業", vec![story("輝達收購新創", "https://b.example/2")]),
        ],
        &[("另一則新聞", "https://c.example/3")],
    );
    let doc = Doc::parse(&clean);
    assert_eq!(
        super::cards::detect_layout(&doc, &ZH_HANT),
        Some(Layout::Brief)
    );
    let report = lint_markdown(&clean, &LintOptions::default());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);

    // The same story under a second theme (same URL), and again under 更多動態.
    let repeated = brief(
        &ZH_HANT,
        "openai",
        &[
            (
                "模型",
                vec![story("阿里開源影像模型", "https://a.example/1")],
            ),
            (
                "產業",
                vec![
                    story("輝達收購新創", "https://b.example/2"),
                    story(
                        "阿里開源影像模型（更新）",
                        "https://a.example/1?utm_source=x",
                    ),
                ],
            ),
        ],
        &[("輝達收購新創公司", "https://b.example/2")],
    );
    let report = lint_markdown(&repeated, &LintOptions::default());
    assert_eq!(
        lines_of(&report, DUPLICATE_STORY),
        vec![
            line_of(&repeated, "### [阿里開源影像模型（更新）]"),
            line_of(&repeated, "- [輝達收購新創公司]")
        ],
        "{:#?}",
        report.findings
    );
    assert!(report.has_errors());

    // A brief story needs its heading link and a lead paragraph (or, in older briefs, at least
    // two bullets).
    let thin = brief(
        &ZH_HANT,
        "openai",
        &[(
            "模型",
            vec![
                "### 沒有連結的標題\n\n- 只有一點。\n\n".to_string(),
                story("第二則", "https://b.example/2"),
            ],
        )],
        &[],
    );
    let report = lint_markdown(&thin, &LintOptions::default());
    let missing: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.rule == MISSING_FIELD)
        .collect();
    assert_eq!(missing.len(), 1, "{:#?}", report.findings);
    assert_eq!(missing[0].line, line_of(&thin, "### 沒有連結的標題"));
    assert!(
        missing[0]
            .message
            .contains("a lead paragraph, a link in its heading")
    );
}
