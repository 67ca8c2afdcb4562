//! Lint rules against hand-written digests, the fixtures in fixtures/lint and seed 000.

use super::doc::Doc;
use super::duplicates::story_key;
use super::language::detect_language;
use super::*;
use crate::config::Layout;
use crate::render::labels::Labels;
use crate::render::labels::{EN, ZH_HANS, ZH_HANT};
use crate::text::headline::{bigram_jaccard, normalize_headline};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/seeds/000_b72983e3a120e600.txt"
);

fn fixture(name: &str) -> String {
    let path = format!("{}/fixtures/lint/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The daily rules on `text` (snippets too small for layout detection are still daily).
fn lint(text: &str) -> LintReport {
    lint_markdown(
        text,
        &LintOptions {
            language: None,
            layout: Some(Layout::Daily),
        },
    )
}

fn lint_as(text: &str, language: Language) -> LintReport {
    lint_markdown(
        text,
        &LintOptions {
            language: Some(language),
            layout: Some(Layout::Daily),
        },
    )
}

/// (line, rule) of every finding with `rule`.
fn lines_of(report: &LintReport, rule: &str) -> Vec<usize> {
    report
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.line)
        .collect()
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle}"))
        + 1
}

/// One card in the daily layout, written from the label table.
fn card(
    l: &Labels,
    headline: &str,
    summary: &str,
    entities: &[&str],
    sources: &[(&str, &str)],
) -> String {
    let links: Vec<String> = sources
        .iter()
        .map(|(title, url)| format!("[{title}]({url})"))
        .collect();
    format!(
        "### {headline}\n\n**{}**  \n{summary}\n\n**{}**{}{}  \n**{}**{}{}  \n**{}**{}{}\n\n---\n\n",
        l.summary,
        l.entities,
        l.colon,
        entities.join(l.list_separator),
        l.importance,
        l.colon,
        l.high,
        l.sources,
        l.colon,
        links.join(" | ")
    )
}

/// The footer's counts line as the renderer writes it, for `cards` cards and `more` more-news items.
fn footer(l: &Labels, cards: usize, more: usize) -> String {
    crate::render::view::footer_counts(l, 120, cards, more)
}

/// A whole daily digest: front matter, focus, the given news sections, insight, reading, footer.
fn daily(
    l: &Labels,
    provider: &str,
    focus: &[String],
    sections: &[(&str, Vec<String>)],
    insight: &str,
) -> String {
    let mut out = format!(
        "---\ntitle: \"Digest\"\ndate: 2026-01-02T06:30:00+08:00\ntags:\n  - \"AI\"\ndescription: \"d\"\nsummary: \"s\"\n\
         generator:\n  provider: \"{provider}\"\n  model: \"m\"\n  run: \"r1\"\n---\n\n## {}\n\n",
        l.focus
    );
    focus.iter().for_each(|c| out.push_str(c));
    for (name, cards) in sections {
        out.push_str(&format!("## {name}\n\n"));
        cards.iter().for_each(|c| out.push_str(c));
    }
    out.push_str(&format!(
        "## {}\n\n### {}\n\n{insight}\n\n---\n\n",
        l.editor_insight, l.trend_summary
    ));
    out.push_str(&format!(
        "## {}\n\n### {}\n\n* [Paper](https://arxiv.org/abs/2512.21227) — why it matters.\n\n---\n\n*{}*\n",
        l.further_reading,
        l.recommended,
        footer(l, focus.len() + sections.iter().map(|(_, c)| c.len()).sum::<usize>(), 0)
    ));
    out
}

fn clean_en() -> String {
    daily(
        &EN,
        "openai",
        &[card(
            &EN,
            "Alibaba open-sources Qwen-Image-2512",
            "The new image model renders skin, textures and text better.",
            &["Qwen-Image-2512", "Alibaba"],
            &[(
                "Qwen-Image-2512",
                "https://www.qbitai.com/2025/12/366357.html",
            )],
        )],
        &[(
            "Models & Research",
            vec![
                card(
                    &EN,
                    "PhononBench tests the stability of generated crystals",
                    "A phonon benchmark shows most generated crystals are unstable.",
                    &["PhononBench", "MatterSim"],
                    &[("PhononBench", "https://arxiv.org/abs/2512.21227")],
                ),
                card(
                    &EN,
                    "Secondary attention sinks in transformers",
                    "Transformers form attention sinks beyond the first token.",
                    &["Transformer"],
                    &[("Attention sinks", "https://arxiv.org/abs/2512.22213")],
                ),
            ],
        )],
        "Open image models improved while chip makers bought research teams.",
    )
}

fn clean_hans() -> String {
    daily(
        &ZH_HANS,
        "openai",
        &[card(
            &ZH_HANS,
            "阿里开源 Qwen-Image-2512 图像生成模型",
            "新版模型改进了人物肤质、自然纹理与图中文字的呈现。",
            &["Qwen-Image-2512", "阿里巴巴"],
            &[("阿里开源", "https://www.qbitai.com/2025/12/366357.html")],
        )],
        &[(
            "模型与技术更新",
            vec![card(
                &ZH_HANS,
                "PhononBench 评估生成晶体的动力学稳定性",
                "该基准以声子计算检验生成晶体，发现多数结构并不稳定。",
                &["PhononBench", "MatterSim"],
                &[("PhononBench", "https://arxiv.org/abs/2512.21227")],
            )],
        )],
        "今日的重点是开源图像模型的质量提升。",
    )
}

#[test]
fn clean_documents_have_no_findings() {
    let hant = fixture("clean_zh_hant.md");
    for (name, text, language) in [
        ("zh-Hant fixture", hant, Language::ZhHant),
        ("en", clean_en(), Language::En),
        ("zh-Hans", clean_hans(), Language::ZhHans),
    ] {
        let detected = lint(&text);
        assert!(
            detected.findings.is_empty(),
            "{name}: {:#?}",
            detected.findings
        );
        assert!(!detected.has_errors());
        assert_eq!(lint_as(&text, language), detected, "{name}");
        // Nothing told: language and layout are detected.
        assert_eq!(
            lint_markdown(&text, &LintOptions::default()),
            detected,
            "{name}"
        );
        assert_eq!(detect_language(&Doc::parse(&text)), language, "{name}");
    }
}

/// A brief digest from the label table: summary bullets, themed sections of linked stories,
/// then 更多動態 one-liners.
fn brief(
    l: &Labels,
    provider: &str,
    themes: &[(&str, Vec<String>)],
    more: &[(&str, &str)],
) -> String {
    let mut out = format!(
        "---\ntitle: \"Digest\"\ndate: 2026-01-02T06:30:00+08:00\ntags: []\ndescription: \"d\"\nsummary: \"s\"\n\
         generator:\n  provider: \"{provider}\"\n  model: \"m\"\n  run: \"r1\"\n---\n\n- **一則**{}摘要。\n\n",
        l.colon
    );
    for (name, stories) in themes {
        out.push_str(&format!("## {name}\n\n"));
        stories.iter().for_each(|s| out.push_str(s));
    }
    if !more.is_empty() {
        out.push_str(&format!("## {}\n\n", l.more_news));
        for (title, url) in more {
            out.push_str(&format!("- [{title}]({url}) — 量子位\n"));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "---\n\n*{}*\n",
        footer(
            l,
            themes.iter().map(|(_, s)| s.len()).sum::<usize>(),
            more.len()
        )
    ));
    out
}

fn brief_story(l: &Labels, title: &str, url: &str, bullets: &[&str]) -> String {
    let mut out = format!("### [{title}]({url})\n\n");
    bullets
        .iter()
        .for_each(|b| out.push_str(&format!("- {b}\n")));
    out.push_str(&format!(
        "\n**{}{}** 這是分析。\n\n",
        l.deep_insight,
        l.colon.trim()
    ));
    out
}

mod duplicates;
mod grounding;
mod language;
mod layouts;
mod listing;
mod repeats;
mod structure;
