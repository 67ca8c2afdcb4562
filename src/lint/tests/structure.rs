//! Structure rules: links, empty sections, placeholders, missing fields, non-digest files, and
//! how findings are sorted and summarised.

use super::*;

#[test]
fn bad_links_and_bare_arxiv_ids() {
    let text = "## Models\n\
                \n\
                see [1](1) and [arXiv:2512.1](arXiv:2512.1)\n\
                cited as arXiv:2512.23185v1 in the text\n\
                fine: [arXiv:2512.1](https://arxiv.org/abs/2512.1) <https://example.com> `arXiv:2512.2`\n\
                ![img](/images/a.png)\n\
                [wiki](https://en.wikipedia.org/wiki/Rust_(programming_language))\n";
    let report = lint_as(text, Language::En);
    assert_eq!(lines_of(&report, BAD_LINK), vec![3, 3, 4, 6]);
    let messages: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule == BAD_LINK)
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        messages[1].contains("https://arxiv.org/abs/2512.1"),
        "{}",
        messages[1]
    );
    assert!(
        messages[2].contains("arXiv:2512.23185v1"),
        "{}",
        messages[2]
    );
    assert!(lines_of(&lint(&clean_en()), BAD_LINK).is_empty());
}

#[test]
fn empty_sections() {
    let text = "## Today's Focus\n\n### A card\n\ntext\n\n## Tools\n\n---\n\n## Industry\n\ntext\n\n## Editor's Insight\n\n### Trend Summary\n\n";
    let report = lint_as(text, Language::En);
    assert_eq!(lines_of(&report, EMPTY_SECTION), vec![7, 15]);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.message.contains("\"Tools\""))
    );
    // A fenced block is content, even if it only holds a heading-like line.
    assert!(
        lines_of(
            &lint_as("## Code\n\n```\n## not a heading\n```\n", Language::En),
            EMPTY_SECTION
        )
        .is_empty()
    );
}

#[test]
fn placeholders() {
    let text = "## 產業\n\
                \n\
                ### 算力瓶頸（已列於今日焦點）\n\
                ### PhononBench 基準（同上簡列）\n\
                內容生成失败\n\
                Todo: write this, also tbd\n\
                Lorem Ipsum dolor\n\
                另見已列于清單\n\
                雙方共同上線新服務，如同上述，同上海交大合作，同上市公司相比，同上一代相比，協同上下游，相同上限\n\
                Todoist and mastodon ship; [the app](https://example.com/todo-app) `TODO` 見https://example.com/tbd/page。\n";
    let report = lint_as(text, Language::ZhHant);
    assert_eq!(lines_of(&report, PLACEHOLDER), vec![3, 4, 5, 6, 7, 8]);
    let line6 = report
        .findings
        .iter()
        .find(|f| f.rule == PLACEHOLDER && f.line == 6)
        .unwrap();
    assert!(
        line6.message.contains("TODO") && line6.message.contains("TBD"),
        "{}",
        line6.message
    );
    let front = "---\ntitle: \"TODO\"\n---\n\n## 今日焦點\n\n正文\n";
    assert_eq!(
        lines_of(&lint_as(front, Language::ZhHant), PLACEHOLDER),
        vec![2]
    );
}

#[test]
fn missing_fields() {
    let l = &ZH_HANT;
    let no_importance = format!(
        "### 缺少重要性的卡片\n\n**{}**\n摘要。\n\n**{}**：甲、乙\n**{}**：[a](https://example.com/a)\n\n---\n\n",
        l.summary, l.entities, l.sources
    );
    let empty_values = format!(
        "### 欄位空白的卡片\n\n**{}**\n\n**{}**：\n**{}**：高\n**{}**：\n\n---\n\n",
        l.summary, l.entities, l.importance, l.sources
    );
    let stub = "### 算力擴張與智能增長的瓶頸（已列於今日焦點）\n\n---\n\n".to_string();
    let text = daily(
        l,
        "openai",
        &[no_importance],
        &[("產業", vec![empty_values, stub])],
        "洞察。",
    );
    let report = lint(&text);
    assert_eq!(
        lines_of(&report, MISSING_FIELD),
        vec![
            line_of(&text, "### 缺少重要性"),
            line_of(&text, "### 欄位空白"),
            line_of(&text, "### 算力擴張")
        ]
    );
    let messages: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.rule == MISSING_FIELD)
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        messages[0].contains("重要性") && !messages[0].contains("來源"),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains("核心摘要, 關鍵實體, 來源") && !messages[1].contains("重要性"),
        "{}",
        messages[1]
    );
    assert!(
        messages[2].contains("核心摘要, 關鍵實體, 重要性, 來源"),
        "{}",
        messages[2]
    );
    // Insight subsections are not cards.
    assert!(lines_of(&lint(&clean_hans()), MISSING_FIELD).is_empty());

    let focus = card(&EN, "Focus", "s", &["A"], &[("a", "https://example.com/a")]);
    let en = daily(
        &EN,
        "openai",
        &[focus],
        &[(
            "Models",
            vec![format!(
                "### No sources here\n\n**{}**: text\n**{}**: A\n**{}**: High\n",
                EN.summary, EN.entities, EN.importance
            )],
        )],
        "Insight.",
    );
    let report = lint(&en);
    assert_eq!(
        lines_of(&report, MISSING_FIELD),
        vec![line_of(&en, "### No sources")]
    );
    assert!(
        report.findings[0]
            .message
            .ends_with("lacks Sources; every card needs them"),
        "{}",
        report.findings[0].message
    );
}

#[test]
fn empty_and_non_digest_files_are_refused() {
    for text in [
        "",
        "\n\n",
        "# Notes\n\nSome text about a meeting.\n\n## Agenda\n\n- one\n- two\n",
        "---\ntitle: x\n---\n\nJust a paragraph.\n",
    ] {
        let report = lint_markdown(text, &LintOptions::default());
        assert_eq!(
            report
                .findings
                .iter()
                .map(|f| (f.line, f.rule))
                .collect::<Vec<_>>(),
            vec![(1, NOT_A_DIGEST)],
            "{text:?}"
        );
        assert!(report.has_errors());
        assert!(
            report.findings[0]
                .message
                .starts_with("no digest structure found")
        );
    }
}

#[test]
fn findings_are_sorted_and_summarised() {
    let text = "## 產業\n\n### TODO card\n\n[1](1)\n\n## 空的\n";
    let report = lint_as(text, Language::ZhHant);
    let keys: Vec<(usize, &str)> = report.findings.iter().map(|f| (f.line, f.rule)).collect();
    assert_eq!(
        keys,
        vec![
            (3, MISSING_FIELD),
            (3, PLACEHOLDER),
            (3, UNTRANSLATED_HEADLINE),
            (5, BAD_LINK),
            (7, EMPTY_SECTION)
        ]
    );
    assert_eq!(report.errors().len(), 5);
    assert_eq!(report.counts_by_rule()[BAD_LINK], 1);
    assert!(
        report.findings[3]
            .to_string()
            .starts_with("line 5: error[bad-link]: ")
    );
}
