//! Speedread against seeds 001/004, and what no layout may show twice: 內容詳解 as themed
//! sub-heads over their sentences, a 速覽 one-liner that is never the 概要 again, 拓展閱讀 as the
//! cards' other sources grouped by section, and 技術細節 left out where it only restates the
//! headline or the summary.

use super::*;

fn lint(md: &str, layout: Layout) -> crate::lint::LintReport {
    crate::lint::lint_markdown(
        md,
        &crate::lint::LintOptions {
            language: Some(Language::ZhHant),
            layout: Some(layout),
        },
    )
}

fn rules(report: &crate::lint::LintReport) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.rule).collect()
}

/// The NVIDIA story with a Chinese lead, an English report, a syndicated copy of it and a paper;
/// the card written by a model: key points, an impact, tags.
fn rich_digest() -> Digest {
    let mut cards = five_cards();
    let nvidia = &mut cards[1];
    nvidia.card.title = "NVIDIA發表Helix H300推論加速器，臺灣供應鏈可望受惠".to_string();
    nvidia.card.summary =
        "NVIDIA發表推論加速器Helix H300，第三季出貨。它配備216GB HBM記憶體。".to_string();
    nvidia.card.key_points = vec![
        crate::model::KeyPoint {
            label: "規格".to_string(),
            text: "配備216GB HBM記憶體。原生支援FP4精度。".to_string(),
        },
        crate::model::KeyPoint {
            label: "供應鏈".to_string(),
            text: "臺灣封測廠可望受惠。".to_string(),
        },
    ];
    nvidia.card.impacts = vec!["推論成本下降，雲端業者採購轉向。".to_string()];
    let source = |title: &str, url: &str, outlet: &str| SourceRef {
        title: title.to_string(),
        url: url.to_string(),
        outlet: outlet.to_string(),
        article_id: String::new(),
        published: None,
    };
    nvidia.sources = vec![
        source(
            "NVIDIA發表Helix H300推論加速器",
            "https://review.example/zh1",
            "科技觀察",
        ),
        source(
            "NVIDIA unveils Helix H300 accelerator",
            "https://wire.example/en1",
            "Frontier Wire",
        ),
        source(
            "NVIDIA unveils Helix H300 accelerator",
            "https://journal.example/en2",
            "The AI Journal",
        ),
        source(
            "Helix: FP4 inference",
            "https://arxiv.org/abs/2601.00001",
            "arXiv",
        ),
    ];
    digest(Language::ZhHant, cards)
}

#[test]
fn speedread_reads_like_the_seeds() {
    let d = rich_digest();
    let md = render_layout(&d, Layout::Speedread);
    // An H1, then the quick list under the seeds' heading.
    assert!(
        md.contains("\n# 開源模型與產業整併 — 2026/01/01\n\n## ⚡ 本期速覽\n"),
        "{md}"
    );
    let card = md
        .split("### ")
        .find(|s| s.starts_with("NVIDIA發表"))
        .unwrap();
    // Each key point a themed sub-head over its sentences, the impacts under 影響.
    assert!(
        card.contains(
            "**內容詳解**\n\n- **規格**\n    - 配備216GB HBM記憶體。\n    - 原生支援FP4精度。\n\n\
             - **供應鏈**\n    - 臺灣封測廠可望受惠。\n\n- **影響**\n    - 推論成本下降，雲端業者採購轉向。\n"
        ),
        "{card}"
    );
    // The paper is linked under the card, as the seeds' 相關論文.
    assert!(
        card.contains("\n[論文](https://arxiv.org/abs/2601.00001)\n"),
        "{card}"
    );
    // 拓展閱讀: the other sources, grouped by section, titled and attributed; the headline's
    // own link (閱讀原文) is not repeated, a syndicated copy is folded into its report.
    let reading = md.split("## 拓展閱讀").nth(1).unwrap();
    let models = reading.split("### [模型與技術更新]").nth(1).unwrap();
    assert!(
        models.starts_with(
            "\n\n* [NVIDIA unveils Helix H300 accelerator](https://wire.example/en1) - Frontier Wire\
             （另見：[The AI Journal](https://journal.example/en2)）\n\
             * [論文](https://arxiv.org/abs/2601.00001)\n"
        ),
        "{reading}"
    );
    assert!(!reading.contains("review.example/zh1"), "{reading}");
    assert!(!reading.contains("— 了解"), "no editor's why: {reading}");
    let report = lint(&md, Layout::Speedread);
    assert!(!report.has_errors(), "{:?}\n{md}", report.errors());
}

#[test]
fn a_quick_line_is_the_editors_else_the_cards_own_never_the_summary_again() {
    let line_of = |d: &Digest| -> String {
        let md = render_layout(d, Layout::Speedread);
        let quick = md.split("## 1.").next().unwrap().to_string();
        quick
            .lines()
            .find(|l| l.contains("NVIDIA發表"))
            .unwrap()
            .to_string()
    };
    let mut d = rich_digest();
    // No editor's line: the card's first impact.
    assert!(
        line_of(&d).ends_with("**：推論成本下降，雲端業者採購轉向。"),
        "{}",
        line_of(&d)
    );
    // The editor's line wins, unless it is the summary's first sentence again.
    d.insight.quick_read = vec![crate::model::QuickRead {
        card: "s2".to_string(),
        tag: "[晶片]".to_string(),
        line: "臺灣供應鏈迎來新訂單".to_string(),
    }];
    assert!(
        line_of(&d).ends_with("**：臺灣供應鏈迎來新訂單"),
        "{}",
        line_of(&d)
    );
    d.insight.quick_read[0].line = "NVIDIA發表推論加速器Helix H300，第三季出貨。".to_string();
    assert!(line_of(&d).ends_with("**：推論成本下降，雲端業者採購轉向。"));
    // An impact that restates the summary gives way to the first key point.
    d.cards[1].card.impacts = vec!["它配備216GB HBM記憶體".to_string()];
    assert!(
        line_of(&d).ends_with("**：配備216GB HBM記憶體。原生支援FP4精度。"),
        "{}",
        line_of(&d)
    );
    // Nothing of the card's own: the headline alone, and lint says so.
    d.cards[1].card.impacts.clear();
    d.cards[1].card.key_points.clear();
    let line = line_of(&d);
    assert!(
        line.ends_with("**NVIDIA發表Helix H300推論加速器，臺灣供應鏈可望受惠**"),
        "{line}"
    );
    let md = render_layout(&d, Layout::Speedread);
    assert!(rules(&lint(&md, Layout::Speedread)).contains(&crate::lint::QUICK_READ_LINE));
}

#[test]
fn details_that_restate_the_headline_or_summary_are_left_out_in_every_layout() {
    let mut d = rich_digest();
    let copies = [
        d.cards[0].card.title.clone(),
        // The summary's start, as a small model copies it.
        "輝達擬併購 AI21 Labs的摘要".to_string(),
    ];
    for copy in copies {
        d.cards[0].card.details = copy.clone();
        for layout in [Layout::Daily, Layout::Speedread, Layout::Brief] {
            let md = render_layout(&d, layout);
            let card = md
                .split("### ")
                .find(|s| s.trim_start_matches('[').starts_with("輝達擬併購"))
                .unwrap();
            assert!(!card.contains("技術細節"), "{layout:?}: {card}");
            // Scenarios still show.
            assert!(card.contains("模型團隊整併。"), "{layout:?}: {card}");
            let report = lint(&md, layout);
            assert!(
                !rules(&report).contains(&crate::lint::REPEATED_DETAILS),
                "{layout:?}: {report:?}"
            );
        }
        let html = render_page(&d);
        assert!(!html.contains(&format!("<p>{copy}</p>")), "{html}");
    }
    // Details with facts of their own stay.
    d.cards[0].card.details = "交易金額約 20–30 億美元。".to_string();
    let md = render_layout(&d, Layout::Daily);
    assert!(
        md.contains("**技術細節**  \n交易金額約 20–30 億美元。"),
        "{md}"
    );
}
