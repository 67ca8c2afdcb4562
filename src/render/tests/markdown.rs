//! Markdown that cannot break: hostile titles escaped, only absolute http(s) links (arXiv ids
//! rewritten, duplicates collapsed), YAML-safe front matter, and the whitespace contract.

use super::*;

#[test]
fn drops_non_http_links_and_rewrites_arxiv_ids() {
    let mut cards = five_cards();
    cards[3].sources = vec![
        source("only a bad link", "arXiv:bogus"),
        source("ftp", "ftp://example.com/p"),
    ];
    let md = render(&digest(Language::ZhHant, cards));
    // An arXiv paper is shown as the language's paper link.
    assert!(
        md.contains("[論文](https://arxiv.org/abs/2512.23185v1)"),
        "{md}"
    );
    assert!(!md.contains("[EIR 論文]"));
    assert!(!md.contains("](arXiv:") && !md.contains("](1)") && !md.contains("ftp://"));
    assert!(!md.contains("壞連結") && !md.contains("only a bad link"));
    // A card whose links all failed keeps its content but shows no empty sources line.
    let card = &md[md.find("### 聯邦學習個人化微調").unwrap()..];
    let card = &card[..card.find("\n---\n").unwrap()];
    assert!(card.trim_end().ends_with("**重要性**：中"), "{card}");
    // Duplicate source URLs collapse into one link.
    assert_eq!(
        md.matches("(https://www.qbitai.com/2025/12/366314.html)")
            .count(),
        1
    );
}

#[test]
fn escapes_markdown_hostile_titles() {
    let mut cards = five_cards();
    cards[0].card.title =
        "**Breaking** [click](javascript:alert(1)) <img src=x> _x_ `y`".to_string();
    cards[0].sources[0].title = "Paper [v2] *new* <b>".to_string();
    cards[2].card.summary = "# 不是標題\n- 不是清單".to_string();
    let md = render(&digest(Language::En, cards));
    assert!(md.contains(
        "### \\*\\*Breaking\\*\\* \\[click\\](javascript:alert(1)) \\<img src=x> \\_x\\_ \\`y\\`\n"
    ));
    assert!(
        md.contains("[Paper \\[v2\\] \\*new\\* \\<b>](https://www.qbitai.com/2025/12/366314.html)")
    );
    assert!(md.contains("**Summary**  \n\\# 不是標題 - 不是清單\n"));
}

#[test]
fn front_matter_strings_are_yaml_safe() {
    let mut d = digest(Language::En, five_cards());
    d.insight.headline = r#"He said "hi" \ [x](y) #1: yes"#.to_string();
    d.insight.tags = vec!["a: b".to_string(), "#c".to_string()];
    let md = render(&d);
    // Markdown-escaped first (Hugo may render these), then YAML-quoted.
    let expected = r#"---
title: "He said \"hi\" \\\\ \\[x\\](y) #1: yes — 2026/01/01"
date: 2026-01-01T06:43:15+08:00
draft: false
tags:
  - "a: b"
  - "\\#c"
"#;
    assert!(md.starts_with(expected), "{md}");
    assert!(md.contains(
        "generator:\n  provider: \"openai\"\n  model: \"gpt-4o-mini\"\n  run: \"r20260101\"\n---\n"
    ));
    assert_eq!(yaml_str("a\nb\u{2028}\u{1}"), "\"a\\nb\\u2028\\x01\"");
}

#[test]
fn tidy_normalises_whitespace() {
    assert_eq!(
        tidy("\n\na  \nb \t\n\n\n\nc  \n\nd   \n"),
        "a  \nb\n\nc\n\nd\n"
    );
}
