//! The machine-readable outputs: the JSON digest round-trips and validates against its generated
//! schema (snapshot), and the Atom feed of recent digests parses.

use super::*;

#[test]
fn render_json_round_trips() {
    let d = digest(Language::ZhHant, five_cards());
    let json = render_json(&d).unwrap();
    assert!(json.ends_with("}\n"));
    assert!(
        json.contains("\n  \"language\": \"zh-Hant\",\n"),
        "pretty-printed"
    );
    let back: Digest = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
}

#[test]
fn feed_of_recent_digests_is_valid_atom() {
    let dir = tempfile::tempdir().unwrap();
    let mut older = digest(Language::ZhHant, five_cards());
    older.date = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    older.generated_at = "2025-12-31T06:40:00+08:00".to_string();
    std::fs::write(
        dir.path().join("2025-12-31.json"),
        render_json(&older).unwrap(),
    )
    .unwrap();
    // Not digests: skipped, not fatal.
    std::fs::write(
        dir.path().join("2025-12-30.json"),
        "{\"not\": \"a digest\"}",
    )
    .unwrap();
    std::fs::write(dir.path().join("digest.schema.json"), json_schema()).unwrap();
    let current = digest(Language::ZhHant, five_cards());
    let recent = crate::run::publish::recent_digests(
        dir.path(),
        &current,
        crate::run::publish::FEED_ENTRIES,
    );
    assert_eq!(
        recent
            .iter()
            .map(|d| d.date.to_string())
            .collect::<Vec<_>>(),
        ["2026-01-01", "2025-12-31"]
    );
    assert_eq!(
        crate::run::publish::recent_digests(dir.path(), &current, 1).len(),
        1
    );

    let xml = feed::render_feed(&recent);
    let parsed = feed_rs::parser::parse(xml.as_bytes()).expect("feed-rs parses the feed");
    assert_eq!(parsed.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(parsed.title.unwrap().content, "AI Daily");
    assert_eq!(parsed.entries.len(), 2);
    let first = &parsed.entries[0];
    assert_eq!(first.id, "urn:newsdesk:digest:2026-01-01");
    assert_eq!(
        first.title.as_ref().unwrap().content,
        "開源模型與產業整併 — 2026/01/01"
    );
    assert_eq!(first.links[0].href, "2026-01-01.html");
    assert_eq!(
        first.updated.unwrap().to_rfc3339(),
        "2025-12-31T22:43:15+00:00"
    );
    let content = first.content.as_ref().unwrap().body.as_ref().unwrap();
    for record in &current.cards {
        assert!(
            content.contains(&crate::text::to_script(
                &record.card.title,
                Language::ZhHant
            )),
            "{content}"
        );
    }
    assert!(content.contains("href=\"https://www.qbitai.com/2025/12/366357.html\""));
}

#[test]
fn digest_json_validates_against_its_generated_schema() {
    let schema: serde_json::Value = serde_json::from_str(&json_schema()).unwrap();
    insta::assert_json_snapshot!("digest_schema", schema);
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let mut d = digest(Language::ZhHant, five_cards());
    d.more = vec![more("later", "https://example.com/later", "")];
    let json: serde_json::Value = serde_json::from_str(&render_json(&d).unwrap()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = json.clone();
    broken["cards"][0]["card"]["importance"] = "urgent".into();
    assert!(!validator.is_valid(&broken));
    let mut missing = json;
    missing.as_object_mut().unwrap().remove("generator");
    assert!(!validator.is_valid(&missing));
}
