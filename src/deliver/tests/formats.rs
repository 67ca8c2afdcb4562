//! The messages: each chat service's size limit met by splits between cards (an oversized card
//! cut between characters, nothing lost), markup escaped per service, signatures as each
//! service computes them, and a failure notice that never carries the digest.

use super::*;

#[test]
fn every_chat_kind_splits_between_cards_within_its_limit() {
    let d = big_day();
    let blocks = content::blocks(&d);
    for kind in chat_kinds() {
        let (max, measure) = format::test_limit(kind);
        let messages = format::messages(kind, &d, &blocks);
        let texts: Vec<String> = messages
            .iter()
            .map(|m| match kind {
                Kind::Slack => m["text"].as_str().unwrap().to_string(),
                Kind::Discord => m["content"].as_str().unwrap().to_string(),
                Kind::Telegram => m["text"].as_str().unwrap().to_string(),
                Kind::Dingtalk => m["markdown"]["text"].as_str().unwrap().to_string(),
                Kind::Wecom => m["markdown"]["content"].as_str().unwrap().to_string(),
                Kind::Feishu => m["content"]["post"]["zh_cn"]["content"].to_string(),
                _ => unreachable!(),
            })
            .collect();
        assert!(
            texts.len() > 1,
            "{kind:?}: a 40-card day needs several messages"
        );
        for text in &texts {
            assert!(measure(text) <= max, "{kind:?}: {} > {max}", measure(text));
        }
        // Every card once, in order, and each card inside one message (none is oversized).
        let all = texts.join("\u{0}");
        let mut last = 0;
        for i in 1..=40 {
            let marker = format!("第{i}則");
            let at = all
                .find(&marker)
                .unwrap_or_else(|| panic!("{kind:?}: card {i} lost"));
            assert!(at >= last, "{kind:?}: card {i} out of order");
            assert_eq!(all.matches(&marker).count(), 1, "{kind:?}: card {i} twice");
            last = at;
            let holder = texts.iter().find(|t| t.contains(&marker)).unwrap();
            assert!(
                holder.contains(&format!("https://example.com/news/{i}")),
                "{kind:?}: card {i} split from its link"
            );
        }
    }
}

#[test]
fn with_a_site_url_each_chat_kind_sends_one_message_with_the_summary_and_the_link() {
    let mut d = big_day();
    d.link = Some("https://news.example.com/ai/2026-01-05.html".into());
    let blocks = content::blocks(&d);
    for kind in chat_kinds() {
        let messages = format::messages(kind, &d, &blocks);
        assert_eq!(messages.len(), 1, "{kind:?}");
        let text = messages[0].to_string();
        assert!(
            text.contains("https://news.example.com/ai/2026-01-05.html"),
            "{kind:?}: {text}"
        );
        assert!(text.contains("今天的重點"), "{kind:?}: the summary");
        assert!(text.contains("第1則"), "{kind:?}: the first title");
        assert!(
            !text.contains("推理成本下降，開源社群快速跟進"),
            "{kind:?}: no card bodies"
        );
    }
    assert_eq!(
        webhook_body(&d)["url"],
        "https://news.example.com/ai/2026-01-05.html"
    );
}

#[test]
fn an_oversized_card_is_cut_between_characters_and_loses_nothing() {
    let long = "長".repeat(3000) + "🚀" + &"尾".repeat(3000);
    let d = deliverable(vec![card(1, "巨大的卡片", &long)]);
    let messages = format::messages(Kind::Wecom, &d, &content::blocks(&d));
    assert!(messages.len() >= 5, "{} messages", messages.len());
    let mut joined = String::new();
    for m in &messages {
        let text = m["markdown"]["content"].as_str().unwrap();
        assert!(text.len() <= 4096, "{} bytes", text.len());
        joined.push_str(text);
    }
    let kept: String = joined
        .chars()
        .filter(|c| matches!(c, '長' | '尾' | '🚀'))
        .collect();
    assert_eq!(kept, "長".repeat(3000) + "🚀" + &"尾".repeat(3000));
}

#[test]
fn markup_is_escaped_per_service() {
    let d = small_day();
    let blocks = content::blocks(&d);
    let telegram = &format::messages(Kind::Telegram, &d, &blocks)[0]["text"];
    let telegram = telegram.as_str().unwrap();
    assert!(
        telegram.contains("<b>2. Tool &lt;B&gt; &amp; C</b>"),
        "{telegram}"
    );
    assert!(
        telegram
            .contains("<a href=\"https://example.com/news/2?a=1&amp;b=2\">Example &amp; Co</a>"),
        "{telegram}"
    );
    let slack = format::messages(Kind::Slack, &d, &blocks)[0]["text"].clone();
    let slack = slack.as_str().unwrap();
    assert!(slack.contains("*2. Tool &lt;B&gt; &amp; C*"), "{slack}");
    assert!(slack.contains("<https://example.com/news/2?a=1&amp;b=2|Example &amp; Co>"));
    let discord = format::messages(Kind::Discord, &d, &blocks)[0].clone();
    assert!(
        discord["content"]
            .as_str()
            .unwrap()
            .contains("[Example & Co](<https://example.com/news/1?a=1&b=2>)")
    );
    assert_eq!(discord["allowed_mentions"], json!({ "parse": [] }));
}

#[test]
fn signatures_match_the_services_reference_computation() {
    // Expected values computed with Python's hmac/hashlib/base64 from the documented recipes;
    // the webhook one is the Standard Webhooks specification's own example.
    assert_eq!(
        http::feishu_sign("1700000000", "SECabc123"),
        "UqhI0v4zAkSwI4hNYBuHQvnrAqshA0UaeBGHCUMPX70="
    );
    assert_eq!(
        http::dingtalk_sign("1700000000000", "SECabc123"),
        "N5P09a4+p1AMJIJWnIvQd2Yxw9+fu/oEBnPrjCcsLXk="
    );
    assert_eq!(
        http::webhook_sign(
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            br#"{"test": 2432232314}"#,
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        ),
        "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
}

#[test]
fn a_failure_notice_quotes_the_reason_and_never_the_digest() {
    let d = Deliverable::failure(
        date(),
        "AI Daily",
        "only 2 card(s) succeeded, fewer than digest.min_topics = 5",
    );
    assert_eq!(d.event, Event::Failed);
    assert!(d.receipt_id.starts_with("failed-2026-01-05-"));
    let body = webhook_body(&d);
    assert_eq!(body["event"], "failed");
    assert!(
        body["summary"]
            .as_str()
            .unwrap()
            .contains("fewer than digest.min_topics")
    );
    assert!(body.get("cards").is_none());
    assert_eq!(d.subject(), "AI Daily 2026-01-05: no digest tonight");
    // The same failure gets the same receipt id (a rerun does not notify twice); another does not.
    assert_eq!(
        d.receipt_id,
        Deliverable::failure(
            date(),
            "AI Daily",
            "only 2 card(s) succeeded, fewer than digest.min_topics = 5"
        )
        .receipt_id
    );
    assert_ne!(
        d.receipt_id,
        Deliverable::failure(date(), "AI Daily", "provider down").receipt_id
    );
}
