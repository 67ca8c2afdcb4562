//! Insight tests and the corpus check (cards from real articles validate).

use super::*;

pub(super) fn block_card(
    id: &str,
    title: &str,
    summary: &str,
    importance: &str,
    section: &str,
    entities: &[&str],
) -> BlockCard {
    BlockCard {
        id: id.into(),
        title: title.into(),
        summary: summary.into(),
        importance: importance.into(),
        section: section.into(),
        entities: entities.iter().map(|e| e.to_string()).collect(),
    }
}

pub(super) fn eight_cards() -> Vec<BlockCard> {
    vec![
        block_card(
            "s1",
            "阿里開源 Qwen-Image-2512",
            "阿里開源 Qwen-Image-2512 圖像生成模型。它在 AI Arena 盲測排名第一。",
            "high",
            "models",
            &["Qwen-Image-2512", "阿里巴巴", "AI Arena"],
        ),
        block_card(
            "s2",
            "英偉達擬收購 AI21 Labs",
            "英偉達擬以 30 億美元收購 AI21 Labs。交易主要為了人才。",
            "high",
            "industry",
            &["NVIDIA", "AI21 Labs", "Google"],
        ),
        block_card(
            "s3",
            "Meta 收購 Manus",
            "Meta 宣布收購智能體公司 Manus。",
            "medium",
            "industry",
            &["Meta", "Manus", "智能體"],
        ),
        block_card(
            "s4",
            "DeepSeek 發布 mHC 論文",
            "DeepSeek 提出 mHC 架構，改進訓練穩定性。實驗在 27B 參數模型上完成。",
            "medium",
            "research",
            &["DeepSeek", "mHC", "Transformer"],
        ),
        block_card(
            "s5",
            "NVIDIA 發布新推理晶片",
            "NVIDIA 發布新一代推理晶片，延遲降低 40%。",
            "medium",
            "hardware",
            &["NVIDIA", "Blackwell", "TensorRT"],
        ),
        block_card(
            "s6",
            "Google 推出 TranslateGemma",
            "Google 推出開源翻譯模型 TranslateGemma，支援 55 種語言。",
            "low",
            "models",
            &["Google", "TranslateGemma", "Gemma 3"],
        ),
        block_card(
            "s7",
            "清華開源 UltraEval-Audio",
            "清華大學與 OpenBMB 開源音訊評測框架 UltraEval-Audio。",
            "low",
            "research",
            &["UltraEval-Audio", "OpenBMB", "清華大學"],
        ),
        block_card(
            "s8",
            "字節 Seed 發布 DLCM",
            "字節 Seed 團隊發布 DLCM，推理 FLOPs 降低 34%。",
            "low",
            "research",
            &["DLCM", "字節跳動", "Seed"],
        ),
    ]
}

pub(super) fn insight_request(language: &str, cards: &[BlockCard]) -> ChatRequest {
    let context = InsightContext {
        language: language.into(),
        date: "2026-01-01".into(),
        article_count: 42,
        sections: vec![BlockSection {
            id: "models".into(),
            label: "模型".into(),
            describe: String::new(),
        }],
    };
    let user = format!(
        "Write the insight.\n{}\n{}",
        write_block("context", &context),
        write_block("cards", cards)
    );
    request(Namespace::Insight, vec![Message::user(user)])
}

#[test]
fn insight_covers_the_cards_in_the_target_language() {
    let cards = eight_cards();
    let content = answer(&insight_request("zh-Hant", &cards)).unwrap().content;
    let insight = validate_insight(&content).unwrap_or_else(|e| panic!("{e}\n{content}"));
    assert!(
        (3..=7).contains(&insight.watchlist.len()),
        "{:?}",
        insight.watchlist
    );
    assert!(
        (10..=20).contains(&insight.keywords.len()),
        "{:?}",
        insight.keywords
    );
    assert!((3..=6).contains(&insight.tags.len()), "{:?}", insight.tags);
    assert_eq!(
        insight.tags[0], "NVIDIA",
        "the only entity on two cards leads: {:?}",
        insight.tags
    );
    assert!(
        insight
            .trend_summary
            .starts_with("今日共 8 個主題，重點集中在"),
        "{}",
        insight.trend_summary
    );
    assert!(
        insight.headline.contains("Qwen-Image-2512"),
        "{}",
        insight.headline
    );
    assert_eq!(
        insight.watchlist[0],
        "Qwen-Image-2512：阿里開源 Qwen-Image-2512"
    );
    // No one-liners: the only one a sentence picker has is the summary's first sentence, which
    // the card shows itself (the quick-read list uses each card's short headline instead).
    assert!(insight.quick_read.is_empty());
    // Fitted to the bounds a model is held to.
    let value = serde_json::to_value(&insight).unwrap();
    assert_eq!(
        crate::llm::schema::bound_problems(&value, crate::llm::schema::INSIGHT_BOUNDS),
        Vec::<String>::new()
    );
    let ids: Vec<&str> = insight
        .further_reading
        .iter()
        .map(|f| f.card.as_str())
        .collect();
    assert_eq!(ids, ["s1", "s2", "s3"]);
    let nvidia = insight
        .background
        .iter()
        .find(|b| b.term == "NVIDIA")
        .expect("NVIDIA explained");
    assert_eq!(
        nvidia.definition,
        "NVIDIA 發布新一代推理晶片，延遲降低 40%。"
    );
    // The technical paragraph keeps the sentences that fit its bound.
    assert!(
        insight.tech_context.chars().count() <= 160,
        "{}",
        insight.tech_context
    );
    assert!(wrong_script_free(&insight.trend_summary) && wrong_script_free(&insight.outlook));

    let english =
        validate_insight(&answer(&insight_request("en", &cards)).unwrap().content).unwrap();
    assert!(
        english
            .trend_summary
            .starts_with("Today's 8 topics concentrate on"),
        "{}",
        english.trend_summary
    );
    let simplified =
        validate_insight(&answer(&insight_request("zh-Hans", &cards)).unwrap().content).unwrap();
    assert!(
        simplified.trend_summary.starts_with("今日共 8 个主题"),
        "{}",
        simplified.trend_summary
    );
}

#[test]
fn insight_from_few_cards_still_validates() {
    let cards = &eight_cards()[5..6];
    let insight =
        validate_insight(&answer(&insight_request("en", cards)).unwrap().content).unwrap();
    assert_eq!(insight.watchlist.len(), 1);
    assert!(insight.outlook.contains("Google"), "{}", insight.outlook);
    assert!(
        insight.tech_context.contains("TranslateGemma"),
        "{}",
        insight.tech_context
    );
}

// --- corpus smoke test: real feed text, read at run time, skipped when absent ---

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = [
        ("&quot;", "\""),
        ("&#x27;", "'"),
        ("&#39;", "'"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&nbsp;", " "),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(out, |text, (entity, plain)| text.replace(entity, plain));
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn corpus_articles(file: &str) -> Vec<BlockArticle> {
    let Ok(bytes) = std::fs::read(format!(
        "{}/../shared/corpus/{file}",
        env!("CARGO_MANIFEST_DIR")
    )) else {
        return Vec::new();
    };
    let Ok(feed) = feed_rs::parser::parse(bytes.as_slice()) else {
        return Vec::new();
    };
    feed.entries
        .iter()
        .map(|e| {
            let html = e
                .content
                .as_ref()
                .and_then(|c| c.body.clone())
                .or_else(|| e.summary.as_ref().map(|s| s.content.clone()))
                .unwrap_or_default();
            article(
                &e.id,
                "corpus",
                &e.title
                    .as_ref()
                    .map(|t| t.content.clone())
                    .unwrap_or_default(),
                &strip_tags(&html),
            )
        })
        .collect()
}

#[test]
fn corpus_articles_give_valid_cards() {
    for (file, language) in [
        ("2026-01-04/qbitai.xml", "zh-Hant"),
        ("2026-01-04/aibase.json", "en"),
        ("2026-01-15/company_blogs.atom.xml", "en"),
    ] {
        let articles = corpus_articles(file);
        if articles.is_empty() {
            eprintln!("skipping {file}: corpus absent");
            continue;
        }
        for (i, a) in articles.iter().enumerate().take(12) {
            let ctx = context(language, i + 1, 12);
            let response = answer(&card_request(&ctx, std::slice::from_ref(a))).unwrap();
            let card = validate_card(&response.content, &section_ids())
                .unwrap_or_else(|e| panic!("{file} #{i}: {e}\n{}", response.content));
            assert!(!card.summary.is_empty(), "{file} #{i}");
            if language == "zh-Hant" {
                assert!(
                    has_han(&card.title) && wrong_script_free(&card.summary),
                    "{file} #{i}: {}",
                    card.summary
                );
            }
            if std::env::var_os("EXTRACTIVE_SHOW").is_some() {
                eprintln!(
                    "{file} #{i}\n{}\n",
                    serde_json::to_string_pretty(&card).unwrap()
                );
            }
        }
    }
}
