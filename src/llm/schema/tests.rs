use super::*;
use crate::model::Language;

fn sections() -> Vec<String> {
    vec!["models".into(), "industry".into()]
}

fn good_card() -> Value {
    serde_json::json!({
        "title": "阿里開源 Qwen-Image-2512", "summary": "阿里發布新模型。", "details": "",
        "scenarios": "", "entities": ["Qwen-Image-2512", "阿里巴巴", "AI Arena"],
        "importance": "high", "section": "models", "insight": "",
        "short_title": "阿里開源Qwen-Image", "tags": ["開源"],
        "key_points": [{"label": "核心能力", "text": "文字渲染更準確。"}], "impacts": []
    })
}

#[test]
fn card_schema_is_strict_and_matches_snapshot() {
    let schema = card_schema(&sections());
    assert!(is_strict(&schema));
    insta::assert_json_snapshot!("card_schema", schema);
}

#[test]
fn insight_schema_is_strict_and_matches_snapshot() {
    let schema = insight_schema();
    assert!(is_strict(&schema));
    assert!(
        schema
            .pointer("/properties/background/items/additionalProperties")
            .is_some()
    );
    insta::assert_json_snapshot!("insight_schema", schema);
}

#[test]
fn accepts_a_good_card_in_a_fence() {
    let reply = format!("Here you go:\n```json\n{}\n```", good_card());
    let card = validate_card(&reply, &sections()).unwrap();
    assert_eq!(card.entities.len(), 3);
}

#[test]
fn rejects_unknown_section_missing_field_and_extra_field() {
    let mut card = good_card();
    card["section"] = "sports".into();
    let err = validate_card(&card.to_string(), &sections()).unwrap_err();
    assert!(err.contains("/section"), "{err}");

    let mut card = good_card();
    card.as_object_mut().unwrap().remove("summary");
    let err = validate_card(&card.to_string(), &sections()).unwrap_err();
    assert!(err.contains("summary"), "{err}");

    let mut card = good_card();
    card["sources"] = serde_json::json!(["https://invented.example"]);
    let err = validate_card(&card.to_string(), &sections()).unwrap_err();
    assert!(err.contains("sources"), "{err}");
}

#[test]
fn rejects_entity_count_and_long_title() {
    let mut card = good_card();
    card["entities"] = serde_json::json!(["only one"]);
    let err = validate_card(&card.to_string(), &sections()).unwrap_err();
    assert!(err.contains("/entities: has 1"), "{err}");

    let mut card = good_card();
    card["title"] = "長".repeat(41).into();
    let err = validate_card(&card.to_string(), &sections()).unwrap_err();
    assert!(err.contains("/title"), "{err}");
}

#[test]
fn weekly_schemas_are_strict_and_match_snapshots() {
    let card = keyword_card_schema();
    assert!(is_strict(&card));
    insta::assert_json_snapshot!("keyword_card_schema", card);
    let overview = weekly_overview_schema();
    assert!(is_strict(&overview));
    insta::assert_json_snapshot!("weekly_overview_schema", overview);
}

#[test]
fn keyword_card_bounds_are_enforced() {
    let good = serde_json::json!({
        "keyword": "Agent", "observations": ["一", "二"], "logic_chain": ["甲", "乙"],
        "insight": "洞見。"
    });
    assert!(validate_keyword_card(&good.to_string()).is_ok());
    let mut bad = good.clone();
    bad["observations"] = serde_json::json!(["only one"]);
    bad["logic_chain"] = serde_json::json!(["a", " ", "c"]);
    bad["insight"] = "".into();
    let err = validate_keyword_card(&bad.to_string()).unwrap_err();
    assert!(err.contains("/observations: has 1"), "{err}");
    assert!(err.contains("/logic_chain: has 2 non-empty of 3"), "{err}");
    assert!(err.contains("/insight"), "{err}");
    let err =
        validate_weekly_overview(r#"{"headline":"","summary":"x","outlook":""}"#).unwrap_err();
    assert!(err.contains("/headline"), "{err}");
}

/// Does `text` match `pattern` as a JSON Schema validator reads it (ECMA regex)?
fn matches(pattern: &str, text: &str) -> bool {
    let schema = serde_json::json!({"type": "string", "pattern": pattern});
    jsonschema::validator_for(&schema)
        .expect("the pattern compiles")
        .is_valid(&serde_json::json!(text))
}

#[test]
fn han_pattern_takes_chinese_with_names_and_refuses_english() {
    let title = han_prose_pattern(TITLE_MAX_CJK_CHARS, ProseShape::Free);
    // What the real model wrote once the grammar made it choose at the first word.
    assert!(matches(
        &title,
        "NVIDIA 推出 H300 預測芯片，性能比 H200 增加 2 倍"
    ));
    assert!(matches(&title, "Qwen2.5-Coder-1.5B 開源，支援 128K 上下文"));
    assert!(matches(&title, "輝達發表 H300"));
    // Its answers without the pattern (issue 16's transcript), and a mid-word switch.
    assert!(!matches(
        &title,
        "Google's new AI model helps search engines understand real-world data"
    ));
    assert!(!matches(&title, "NVIDIA H300 Inference Chip Launches"));
    assert!(!matches(
        &title,
        "NVIDIA H300 Inference Chip Announced 芯片"
    ));
    // Raw quotes and backslashes would end or escape the JSON string a grammar emits.
    assert!(!matches(&title, "輝達 \"H300\" 發表"));
    assert!(!matches(&title, ""));
    // The Han count bounds the repetition.
    assert!(matches(&title, &"長".repeat(TITLE_MAX_CJK_CHARS)));
    assert!(!matches(&title, &"長".repeat(TITLE_MAX_CJK_CHARS + 1)));
    let english = latin_prose_pattern(1, 90);
    assert!(matches(&english, "NVIDIA ships the H300 inference chip"));
    assert!(!matches(&english, "NVIDIA 推出 H300"));
    assert!(!matches(&english, ""));
}

#[test]
fn short_fields_hold_one_clause_or_one_sentence() {
    // What Qwen2.5-Coder-1.5B wrote with the Han count alone bounded (eval cards, 2026-12-07).
    let clause = han_prose_pattern(40, ProseShape::OneClause);
    assert!(!matches(
        &clause,
        "阿里巴巴推出Qwen-Vision-3.2多模態模型，文件理解能力大幅躍進"
    ));
    assert!(!matches(
        &clause,
        "知芽学伴进入12所小学试点，将重点观察设备对学生学习习惯的影响"
    ));
    assert!(matches(&clause, "阿里巴巴推出Qwen-Vision-3.2多模態模型"));
    assert!(matches(&clause, "Lumora-VL-34B读取图片、图表和扫描文档"));
    let sentence = han_prose_pattern(160, ProseShape::OneSentence);
    let first =
        "VeridianSilicon推出V9推理加速器，每片芯片成本不到18000美元，比同等性能的GPU便宜得多。";
    assert!(matches(&sentence, first));
    assert!(matches(&sentence, first.trim_end_matches('。')));
    assert!(!matches(
        &sentence,
        &format!("{first}V9提供192GB的HBM memory和4.5 petaflops的FP8 compute。")
    ));
    // Free prose keeps its sentences.
    assert!(matches(
        &han_prose_pattern(160, ProseShape::Free),
        &format!("{first}V9提供192GB的HBM memory。")
    ));
}

#[test]
fn language_patterns_replace_lengths_on_prose_only() {
    let sent = with_language_patterns(
        card_schema(&sections()),
        CARD_BOUNDS,
        CARD_PROSE,
        Language::ZhHant,
    );
    // Four shared patterns, however many prose fields.
    let defs = sent["$defs"].as_object().unwrap();
    assert_eq!(
        defs.keys().collect::<Vec<_>>(),
        ["clause_40", "prose_40", "prose_700", "sentence_160"]
    );
    assert_eq!(
        sent.pointer("/properties/short_title/anyOf/1/$ref")
            .unwrap(),
        "#/$defs/clause_40"
    );
    assert_eq!(
        sent.pointer("/properties/key_points/items/properties/text/anyOf/1/$ref")
            .unwrap(),
        "#/$defs/sentence_160"
    );
    assert_eq!(
        sent.pointer("/properties/title/$ref").unwrap(),
        "#/$defs/prose_40"
    );
    assert_eq!(
        sent.pointer("/properties/summary/$ref").unwrap(),
        "#/$defs/prose_700"
    );
    // An optional field may stay empty.
    let details = sent.pointer("/properties/details").unwrap();
    assert_eq!(
        details["anyOf"][0],
        serde_json::json!({"const": ""}),
        "{details}"
    );
    for path in [
        "/properties/title",
        "/properties/details",
        "/properties/impacts/items",
        "/properties/key_points/items/properties/text",
    ] {
        let prop = sent.pointer(path).unwrap();
        assert!(prop.get("maxLength").is_none(), "{path}: {prop}");
        assert!(prop.to_string().contains("$defs/"), "{path}: {prop}");
    }
    // Names stay names: a tag, a key point's label and an entity keep their lengths.
    for path in [
        "/properties/tags/items",
        "/properties/key_points/items/properties/label",
        "/properties/entities/items",
    ] {
        let prop = sent.pointer(path).unwrap();
        assert!(prop.get("$ref").is_none(), "{path}: {prop}");
        assert!(prop.get("maxLength").is_some(), "{path}: {prop}");
    }
    assert_eq!(sent.pointer("/properties/entities/maxItems").unwrap(), 10);
    let english = with_language_patterns(
        insight_schema(),
        INSIGHT_BOUNDS,
        INSIGHT_PROSE,
        Language::En,
    );
    assert!(english.pointer("/properties/headline/pattern").is_some());
    assert!(
        english
            .pointer("/properties/keywords/items/pattern")
            .is_none()
    );
    assert!(english.get("$defs").is_none());
}

#[test]
fn entity_choices_come_from_the_names_given_and_each_can_be_chosen_once() {
    let names: Vec<String> = ["NVIDIA", "H300", "H200", "TSMC"]
        .map(String::from)
        .to_vec();
    let sent = with_entity_choices(card_schema(&sections()), &names);
    let entities = sent.pointer("/properties/entities").unwrap();
    assert_eq!(entities["type"], "object");
    assert_eq!(entities["required"], serde_json::json!(names));
    assert_eq!(entities["additionalProperties"], false);
    assert_eq!(entities["properties"]["H300"]["type"], "boolean");
    // Too few names to choose three from: the list stays a list of free names.
    let two = with_entity_choices(card_schema(&sections()), &names[..2]);
    assert_eq!(two.pointer("/properties/entities/type").unwrap(), "array");
}

#[test]
fn an_entity_choice_answer_becomes_the_names_marked_true_in_salience_order() {
    let names: Vec<String> = ["星步", "機器", "Strider-H1", "StarStep Robotics"]
        .map(String::from)
        .to_vec();
    // The keys come back in the schema's (alphabetical) order.
    let mut value = serde_json::json!({"entities": {"StarStep Robotics": false, "Strider-H1": true, "星步": true, "機器": false}, "title": "星步推出 Strider-H1"});
    entities_from_choices(&mut value, &names);
    assert_eq!(value["entities"], serde_json::json!(["星步", "Strider-H1"]));
    assert_eq!(value["title"], "星步推出 Strider-H1");
    // A list, or no entities at all, is left for the check to judge.
    for untouched in [
        serde_json::json!({"entities": ["NVIDIA", "NVIDIA"]}),
        serde_json::json!({"title": "星步"}),
    ] {
        let mut value = untouched.clone();
        entities_from_choices(&mut value, &names);
        assert_eq!(value, untouched);
    }
}

#[test]
fn bounds_inside_list_items_are_sent_checked_and_stated() {
    let schema = card_schema(&sections());
    let label = schema
        .pointer("/properties/key_points/items/properties/label")
        .unwrap();
    assert_eq!(label["maxLength"], 12);
    assert_eq!(label["type"], "string");
    assert_eq!(
        schema.pointer("/properties/key_points/maxItems").unwrap(),
        4
    );
    let mut card = good_card();
    card["key_points"] = serde_json::json!([{"label": "核心能力", "text": "長".repeat(161)}]);
    let err = validate_card(&card.to_string(), &sections()).unwrap_err();
    assert!(err.contains("/key_points/0/text: 161 characters"), "{err}");
    let fields = field_list(&schema);
    assert!(
        fields.contains("- key_points (at most 4 items, each label at most 12 characters, each text at most 160 characters)"),
        "{fields}"
    );
}

#[test]
fn fitting_drops_long_items_cuts_lists_and_paragraphs() {
    let mut insight = serde_json::json!({
        "trend_summary": format!("{}。{}。", "甲".repeat(200), "乙".repeat(100)),
        "description": "長".repeat(150),
        "keywords": (0..15).map(|i| format!("k{i}")).collect::<Vec<_>>(),
        "background": [
            {"term": "長", "definition": "長".repeat(81)},
            {"term": "A", "definition": "短。"},
        ],
    });
    fit_to_bounds(&mut insight, INSIGHT_BOUNDS);
    assert_eq!(insight["trend_summary"], format!("{}。", "甲".repeat(200)));
    assert_eq!(
        insight["description"], "",
        "no sentence fits an optional paragraph"
    );
    assert_eq!(insight["keywords"].as_array().unwrap().len(), 10);
    assert_eq!(
        insight["background"],
        serde_json::json!([{"term": "A", "definition": "短。"}])
    );
    assert!(bound_problems(&insight, INSIGHT_BOUNDS).is_empty());
}

/// The real model's insight on the fixture day (2026-12-06): the server's grammar stopped a
/// quick-read line and a reading note at their bounds mid-phrase.
#[test]
fn texts_the_grammar_cut_at_their_bound_are_cleared() {
    let mut insight = serde_json::json!({
        "headline": "多模態模型、推理框架和加速器的快速發展",
        "quick_read": [
            {"card": "s1", "tag": "深圳", "line": "深圳星步機器人發布Strider-H1人形機器人，售價9.9"},
            {"card": "s2", "tag": "AI", "line": "開源推理框架發布。"},
        ],
        "further_reading": [{"card": "s1", "why": "長".repeat(60)}],
        "tags": ["AI", "長".repeat(16)],
        "outlook": "長".repeat(160),
    });
    assert_eq!(clear_cut_texts(&mut insight, INSIGHT_BOUNDS), 4);
    assert_eq!(insight["quick_read"][0]["line"], "");
    assert_eq!(insight["quick_read"][1]["line"], "開源推理框架發布。");
    assert_eq!(insight["further_reading"][0]["why"], "");
    assert_eq!(insight["tags"], serde_json::json!(["AI"]));
    assert_eq!(insight["outlook"], "");
    // A required text stays: the validator and the prompt speak for it.
    assert_eq!(
        insight["headline"],
        "多模態模型、推理框架和加速器的快速發展"
    );
}

#[test]
fn not_json_says_so() {
    let err = validate_card("I cannot do that.", &sections()).unwrap_err();
    assert!(err.contains("not valid JSON"), "{err}");
}
