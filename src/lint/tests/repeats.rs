//! What a card shows twice, or promises and does not give: 技術細節 restating the headline or the
//! summary (every layout), a 速覽 item with no one-liner (speedread).

use super::*;

fn lint_layout(text: &str, layout: Layout) -> LintReport {
    lint_markdown(
        text,
        &LintOptions {
            language: Some(Language::ZhHant),
            layout: Some(layout),
        },
    )
}

/// A one-card digest of a layout, around the given 技術細節.
type Render = fn(&str) -> String;

const TITLE: &str = "阿里巴巴發布Qwen-Vision-3.2：720億參數多模態模型";
const SUMMARY: &str = "阿里巴巴發布Qwen-Vision-3.2，MMMU得分71.4。該模型在阿里雲提供API。";

fn daily(details: &str) -> String {
    format!(
        "## 模型與技術更新\n\n### {TITLE}\n\n**核心摘要**  \n{SUMMARY}\n\n**技術細節**  \n{details}\n\n\
         **關鍵實體**：阿里巴巴\n\n**重要性**：高\n\n**來源**：[報導](https://a.example/1)\n"
    )
}

fn speedread(details: &str, quick_line: &str) -> String {
    format!(
        "## ⚡ 本期速覽\n\n- **[模型]** **阿里發布Qwen-Vision-3.2**{quick_line}\n\n---\n\n## 1. 模型與技術更新\n\n\
         ### {TITLE}\n\n[閱讀原文](https://a.example/1)  `[2026-01-05]`\n\n> **概要**：{SUMMARY}\n\n\
         **💡內容詳解**\n\n- **技術細節**\n    - {details}\n\n- **影響**\n    - 開發者多一個選擇。\n"
    )
}

fn brief(details: &str) -> String {
    format!(
        "# 今日AI\n\n## 模型與技術更新\n\n### [{TITLE}](https://a.example/1)\n\n{SUMMARY}\n\n\
         - **技術細節**：{details}\n- **應用場景**：發票識別。\n"
    )
}

#[test]
fn details_that_restate_the_headline_or_summary_are_flagged_in_every_layout() {
    let copies = [
        TITLE.to_string(),
        // The summary's first sentence, punctuated differently.
        "阿里巴巴發布 Qwen-Vision-3.2；MMMU 得分 71.4".to_string(),
    ];
    let fresh = "研究團隊改良了動態解析度的視覺編碼器。";
    let layouts: [(Layout, Render, usize); 3] = [
        (Layout::Daily, daily, 8),
        (Layout::Speedread, |d| speedread(d, "：多一個開源選擇"), 17),
        (Layout::Brief, brief, 9),
    ];
    for (layout, render, line) in layouts {
        for copy in &copies {
            let report = lint_layout(&render(copy), layout);
            assert_eq!(
                lines_of(&report, REPEATED_DETAILS),
                [line],
                "{layout:?}: {report:?}"
            );
            assert!(
                report
                    .findings
                    .iter()
                    .all(|f| f.severity == Severity::Warning || f.rule != REPEATED_DETAILS)
            );
        }
        let report = lint_layout(&render(fresh), layout);
        assert!(
            lines_of(&report, REPEATED_DETAILS).is_empty(),
            "{layout:?}: {report:?}"
        );
    }
}

#[test]
fn a_quick_read_item_without_its_one_liner_is_flagged() {
    let fresh = "研究團隊改良了動態解析度的視覺編碼器。";
    let report = lint_layout(&speedread(fresh, ""), Layout::Speedread);
    assert_eq!(lines_of(&report, QUICK_READ_LINE), [3]);
    assert!(
        report.findings[0]
            .message
            .contains("阿里發布Qwen-Vision-3.2")
    );
    let report = lint_layout(&speedread(fresh, "：多一個開源選擇"), Layout::Speedread);
    assert!(lines_of(&report, QUICK_READ_LINE).is_empty(), "{report:?}");
    // A colon with nothing after it is no line either.
    let report = lint_layout(&speedread(fresh, "："), Layout::Speedread);
    assert_eq!(lines_of(&report, QUICK_READ_LINE), [3]);
}
