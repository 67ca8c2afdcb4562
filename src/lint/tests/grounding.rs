//! Grounding warnings: numbers and entities found in none of a card's sources.

use super::*;

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
