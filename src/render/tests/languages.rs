//! Each digest language: its labels, and every text converted to its script (Taiwan's words for
//! zh-Hant) while URLs stay as they are.

use super::*;

#[test]
fn converts_simplified_text_to_traditional() {
    let mut cards = five_cards();
    cards[2].card.summary = "阿里开源图像生成模型，国产芯片适配。".to_string();
    cards[2].card.entities = vec!["阿里巴巴集团".to_string()];
    let md = render(&digest(Language::ZhHant, cards));
    // Character forms and Taiwan's words (图像 → 影像, 芯片 → 晶片).
    assert!(md.contains("阿里開源影像生成模型，國產晶片適配。"), "{md}");
    assert!(md.contains("阿里巴巴集團"));
    assert!(!md.contains("开源") && !md.contains("国产"));
    // Source titles are text too, converted to Taiwan's forms and names (英伟达 → 輝達).
    assert!(
        md.contains("[輝達收購AI21](https://www.qbitai.com/2025/12/366314.html)"),
        "{md}"
    );
    // URLs are never converted.
    assert!(md.contains("https://www.qbitai.com/2025/12/366314.html"));
}

#[test]
fn zh_hans_digest_converts_traditional_text_and_uses_simplified_labels() {
    let md = render(&digest(Language::ZhHans, five_cards()));
    assert!(md.contains("## 今日焦点"));
    assert!(md.contains("**核心摘要**  \n"));
    assert!(md.contains("## 模型与技术更新"));
    assert!(md.contains("阿里开源 Qwen-Image-2512"));
    assert!(md.contains("*数据来源：390 篇文章 | 分析主题：5 个*"));
    assert!(!md.contains("開源"));
}

#[test]
fn english_digest_uses_english_labels() {
    let mut cards = five_cards();
    for card in &mut cards {
        card.card.title = format!("Story {}", card.topic_id);
        card.card.summary = "Something happened.".to_string();
        card.card.entities = vec!["OpenAI".to_string(), "Alibaba".to_string()];
    }
    let md = render(&digest(Language::En, cards));
    for expected in [
        "## Today's Focus\n",
        "## Models & Research\n",
        "## Industry\n",
        "**Summary**  \nSomething happened.\n",
        "**Technical Details**  \n",
        "**Key Entities**: OpenAI, Alibaba  \n",
        "**Importance**: High  \n",
        "**Sources**: [",
        "## Editor's Insight\n",
        "**Watch List**:\n\n1. ",
        "## Further Reading\n",
        "### Recommended Reading\n",
        "*Sources: 390 articles | Topics: 5*  \n",
        "*Collected over the past 24 hours | Generated 2026/01/01 06:43:15 +08:00*\n",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in\n{md}");
    }
    for chinese_label in ["今日焦點", "核心摘要", "重要性", "來源", "編輯洞察"] {
        assert!(
            !md.contains(chinese_label),
            "{chinese_label} in an English digest"
        );
    }
}
