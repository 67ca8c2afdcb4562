//! Each metric on hand-made cards: one that passes and one where it must fail.

use super::*;
use crate::eval::suite::{CardFixture, Fact, FixtureArticle, InsightFixture};
use crate::model::{Card, Importance, Insight};

fn fixture() -> CardFixture {
    CardFixture {
        id: "hand-made".into(),
        language: "zh-Hans".into(),
        tags: vec![],
        section: "models".into(),
        importance: "high".into(),
        required_entities: vec!["Qwen-Vision-3.2".into(), "阿里巴巴".into()],
        facts: vec![
            Fact {
                text: "模型参数量为 72B".into(),
                numbers: vec!["72B".into()],
            },
            Fact {
                text: "开源权重".into(),
                numbers: vec![],
            },
        ],
        articles: vec![FixtureArticle {
            id: "a1".into(),
            outlet: "Frontier Wire".into(),
            title: "Alibaba releases Qwen-Vision 3.2".into(),
            url: "https://frontierwire.example/a1".into(),
            published: "2026-01-05T08:00:00Z".parse().unwrap(),
            text: "阿里巴巴发布 Qwen-Vision-3.2 视觉语言模型，参数量 720亿，开源权重。\
                   在 MMMU 基准上得分 71.5%。"
                .into(),
        }],
        reference: good_card(),
    }
}

fn good_card() -> Card {
    Card {
        title: "阿里发布 Qwen-Vision 3.2 视觉语言模型".into(),
        summary: "阿里巴巴发布 Qwen-Vision-3.2 视觉语言模型，参数量 720亿，开源权重。".into(),
        details: "在 MMMU 基准上得分 71.5%。".into(),
        scenarios: String::new(),
        entities: vec!["Qwen-Vision-3.2".into(), "阿里巴巴".into(), "MMMU".into()],
        importance: Importance::High,
        section: "models".into(),
        insight: String::new(),
        short_title: String::new(),
        tags: Vec::new(),
        key_points: Vec::new(),
        impacts: Vec::new(),
    }
}

fn passes(m: &Metrics, name: &str) -> bool {
    m[name].pass
}

#[test]
fn a_good_card_passes_every_metric() {
    let m = card_metrics(Some(&good_card()), &fixture());
    for name in CARD_METRICS {
        assert!(passes(&m, name), "{name}: {:?}", m[*name]);
    }
    assert!((m["rouge_l"].value - 1.0).abs() < 1e-9);
}

#[test]
fn no_card_fails_everything() {
    let m = card_metrics(None, &fixture());
    assert_eq!(m.len(), CARD_METRICS.len());
    assert!(m.values().all(|v| !v.pass && v.value == 0.0));
}

#[test]
fn script_purity_checks_headline_and_body_separately() {
    let mut card = good_card();
    card.title = "阿里發佈 Qwen-Vision 3.2 視覺語言模型".into();
    let m = card_metrics(Some(&card), &fixture());
    assert!(!passes(&m, "script_purity"));
    assert!(
        m["script_purity"].note.starts_with("headline"),
        "{:?}",
        m["script_purity"]
    );
    let mut card = good_card();
    card.details = "在 MMMU 基準上得分 71.5%。".into();
    let m = card_metrics(Some(&card), &fixture());
    assert!(!passes(&m, "script_purity"));
    assert!(m["script_purity"].note.starts_with("body"));
}

#[test]
fn length_bounds_fail_on_a_long_title_or_too_few_entities() {
    let mut card = good_card();
    card.title = "长".repeat(41);
    assert!(!passes(
        &card_metrics(Some(&card), &fixture()),
        "length_bounds"
    ));
    let mut card = good_card();
    card.entities.truncate(2);
    let m = card_metrics(Some(&card), &fixture());
    assert_eq!(m["length_bounds"].note, "entity count");
}

#[test]
fn an_invented_number_fails_grounding_but_a_restated_one_does_not() {
    let mut card = good_card();
    card.details = "参数量 72B，得分 71.5%。".into();
    assert!(passes(
        &card_metrics(Some(&card), &fixture()),
        "number_grounding"
    ));
    card.details = "公司同时完成 3亿美元融资。".into();
    let m = card_metrics(Some(&card), &fixture());
    assert!(!passes(&m, "number_grounding"));
    assert!(
        m["number_grounding"].note.contains("3亿"),
        "{:?}",
        m["number_grounding"]
    );
}

#[test]
fn entities_must_be_grounded_recalled_and_expected() {
    let mut card = good_card();
    card.entities = vec!["阿里巴巴".into(), "features".into(), "OpenAI".into()];
    let m = card_metrics(Some(&card), &fixture());
    assert!(!passes(&m, "entity_grounding"), "OpenAI is in no source");
    assert!(!passes(&m, "entity_recall"));
    assert_eq!(m["entity_recall"].note, "missing: Qwen-Vision-3.2");
    assert!((m["entity_precision"].value - 1.0 / 3.0).abs() < 1e-9);
    assert!(!passes(&m, "entity_precision"));
}

#[test]
fn required_entities_match_across_scripts_and_spelling() {
    assert!(same_name("阿里巴巴", "阿里巴巴"));
    assert!(same_name("Qwen-Vision 3.2", "qwen vision3.2"));
    assert!(same_name("阿里巴巴集团", "阿里巴巴"));
    assert!(!same_name("model", "Qwen-Vision-model"));
    assert!(!same_name("", "x"));
}

#[test]
fn fact_recall_needs_the_numbers_or_the_words() {
    let mut card = good_card();
    card.summary = "阿里巴巴发布 Qwen-Vision-3.2 视觉语言模型。".into();
    card.details = String::new();
    let m = card_metrics(Some(&card), &fixture());
    assert!(
        (m["fact_recall"].value - 0.0).abs() < 1e-9,
        "{:?}",
        m["fact_recall"]
    );
    assert!(!passes(&m, "fact_recall"));
}

#[test]
fn section_and_importance_disagreements_fail() {
    let mut card = good_card();
    card.section = "policy".into();
    card.importance = Importance::Low;
    let m = card_metrics(Some(&card), &fixture());
    assert_eq!(m["section_match"].note, "policy (expected models)");
    assert!(!passes(&m, "importance_match"));
}

#[test]
fn the_same_fact_twice_is_a_duplicate() {
    let mut card = good_card();
    card.details = "阿里巴巴发布了 Qwen-Vision-3.2 视觉语言模型，参数量达 720亿。".into();
    let m = card_metrics(Some(&card), &fixture());
    assert!(
        !passes(&m, "no_duplicate_facts"),
        "{:?}",
        m["no_duplicate_facts"]
    );
    let (count, repeats) = duplicate_sentences(
        "NVIDIA will buy AI21 Labs for $3 billion. NVIDIA agreed to buy AI21 Labs for $3 billion, reports say.",
    );
    assert_eq!((count, repeats.len()), (2, 1));
    let (_, repeats) = duplicate_sentences("NVIDIA buys AI21. Google invests in Anthropic.");
    assert!(repeats.is_empty());
}

#[test]
fn english_targets_must_not_carry_han_text() {
    let mut f = fixture();
    f.language = "en".into();
    let mut card = good_card();
    card.title = "Alibaba releases Qwen-Vision 3.2".into();
    card.summary = "Alibaba released Qwen-Vision-3.2 with 72 billion parameters.".into();
    card.details = "It scored 71.5% on MMMU.".into();
    assert!(passes(&card_metrics(Some(&card), &f), "script_purity"));
    card.details = "在 MMMU 基准上得分 71.5%。".into();
    assert!(!passes(&card_metrics(Some(&card), &f), "script_purity"));
}

fn insight_fixture() -> InsightFixture {
    InsightFixture {
        id: "day".into(),
        language: "zh-Hant".into(),
        date: None,
        themes: vec!["開源模型".into(), "推理晶片".into()],
        required_keywords: vec!["Helix H300".into()],
        cards: vec![crate::eval::suite::FixtureCard {
            id: "c1".into(),
            title: "NVIDIA 發表 Helix H300 推理晶片".into(),
            summary: "NVIDIA 發表 Helix H300。".into(),
            importance: "high".into(),
            section: "industry".into(),
            entities: vec![],
        }],
        reference: insight("開源模型與推理晶片齊頭並進", "c1"),
    }
}

fn insight(headline: &str, card: &str) -> Insight {
    Insight {
        headline: headline.into(),
        description: String::new(),
        tags: vec![],
        trend_summary: "今天的焦點是 Helix H300 推理晶片。".into(),
        tech_context: String::new(),
        outlook: String::new(),
        watchlist: vec![],
        keywords: vec!["Helix H300".into()],
        background: vec![],
        further_reading: vec![crate::model::FurtherReading {
            card: card.into(),
            why: String::new(),
        }],
        quick_read: vec![],
    }
}

#[test]
fn an_insight_naming_the_themes_passes_and_a_frequency_list_does_not() {
    let f = insight_fixture();
    let good = insight_metrics(Some(&insight("開源模型與推理晶片齊頭並進", "c1")), &f);
    for name in INSIGHT_METRICS {
        assert!(good[*name].pass, "{name}: {:?}", good[*name]);
    }
    let mut listing = insight("最常被提及的是 Apache-2.0、GitHub、Meta", "c9");
    listing.trend_summary = "最常被提及的是 Apache-2.0、GitHub。".into();
    listing.keywords = vec!["GitHub".into()];
    let bad = insight_metrics(Some(&listing), &f);
    assert!(!bad["theme_recall"].pass);
    assert!(!bad["keyword_recall"].pass);
    assert_eq!(bad["card_refs_valid"].note, "unknown card ids: c9");
}
