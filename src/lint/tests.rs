//! Lint rules against hand-written digests, the fixtures in fixtures/lint and seed 000.

use super::doc::Doc;
use super::duplicates::{bigram_jaccard, normalize_headline, story_key};
use super::language::detect_language;
use super::*;
use crate::config::Layout;
use crate::render::labels::Labels;
use crate::render::labels::{EN, ZH_HANS, ZH_HANT};

/// Grounding findings of one card as `rule: message` lines, on headline line 1.
fn grounding_warnings(
    title: &str,
    text: &str,
    entities: &[String],
    sources: &[&str],
) -> Vec<String> {
    grounding(0, title, text, entities, sources)
        .iter()
        .inspect(|f| assert_eq!((f.line, f.severity), (1, Severity::Warning)))
        .map(|f| format!("{}: {}", f.rule, f.message))
        .collect()
}

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
        l.footer_counts.replace("{articles}", "120").replace("{topics}", "3")
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

#[test]
fn grounding_numbers() {
    let sources = [
        "Qwen-Image-2512 scores 3.50 on the benchmark; 1000 rounds; 20 percent faster; 三十亿 yuan",
        "融资 30亿美元",
    ];
    let text = "Qwen-Image-2512 得分 3.5，經過 1,000 輪盲測，速度快 20%，融資 30億美元，共 3 個版本。估值 461 億港元，參數 5M。";
    let warnings = grounding_warnings("阿里發布 Qwen-Image-2512", text, &[], &sources);
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(
        warnings[0].starts_with("ungrounded-number: \"461 億\""),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].starts_with("ungrounded-number: \"5M\""),
        "{}",
        warnings[1]
    );
    // Values, not spellings: 3 billion grounds 30億, 2.5 million grounds 250萬.
    assert!(
        grounding_warnings(
            "t",
            "募資 30億美元，用戶 250萬",
            &[],
            &["raised $3 billion from 2.5 million users"]
        )
        .is_empty()
    );
    assert_eq!(grounding_warnings("t", "20% 與 12.5", &[], &[]).len(), 2);
}

#[test]
fn grounding_entities() {
    let sources = [
        "阿里巴巴开源了 Qwen-Image-2512 模型，在 AI Arena 盲测中排名第一。",
        "Nvidia talks with ai21 labs",
    ];
    let entities: Vec<String> = [
        "Qwen‑Image‑2512",
        "阿里巴巴",
        "AI21 Labs",
        "NVIDIA",
        "AIArena",
        "開源",
        "Mobileye",
    ]
    .map(String::from)
    .to_vec();
    let warnings = grounding_warnings("阿里開源影像模型", "內容", &entities, &sources);
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(
        warnings[0].starts_with("ungrounded-entity: \"Mobileye\""),
        "{}",
        warnings[0]
    );
    // Found only through script conversion of the source.
    assert!(grounding_warnings("t", "x", &["國產化".to_string()], &["全链路国产化"]).is_empty());
}

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
        l.footer_counts
            .replace("{articles}", "9")
            .replace("{topics}", "3")
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

    // A brief story needs its heading link and at least two bullets.
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
            .contains("2-4 bullets, a link in its heading")
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
