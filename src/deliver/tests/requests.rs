//! Each service's exact request against a local server: path, headers, body and signature, a
//! rendered webhook template, and an error code inside a 200 answer counted as a failure.

use super::*;

#[tokio::test]
async fn generic_webhook_posts_the_documented_json_with_standard_webhook_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .and(header("content-type", "application/json"))
        .and(header("webhook-id", "r1.team.0"))
        .and(header("webhook-timestamp", "1700000000"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let t = target(
        Kind::Webhook,
        &format!("{}/hook", server.uri()),
        Some("k3y"),
    );
    let line = send(&t, &small_day(), &MemStore::default()).await;
    assert_eq!(line.outcome, Outcome::Sent, "{line:?}");
    let request = &server.received_requests().await.unwrap()[0];
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    for key in [
        "event", "run_id", "date", "status", "title", "summary", "markdown", "counts", "lint",
    ] {
        assert!(body.get(key).is_some(), "missing {key}: {body}");
    }
    assert_eq!(body["event"], "published");
    assert_eq!(body["date"], "2026-01-05");
    assert_eq!(body["counts"]["cards"], 2);
    assert_eq!(body["markdown"], "# AI 日報\n\n內容\n");
    let signature = request.headers.get("webhook-signature").unwrap();
    assert_eq!(
        signature.to_str().unwrap(),
        format!(
            "v1,{}",
            http::webhook_sign("r1.team.0", "1700000000", &request.body, "k3y")
        )
    );
}

#[tokio::test]
async fn webhook_template_renders_the_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(
            json!({ "msg": "AI 日報 2026-01-05: 2 cards", "first": "模型 A 發布" }),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("team.json.tera");
    std::fs::write(
        &template,
        r#"{"msg": "{{ title }} {{ date }}: {{ counts.cards }} cards", "first": "{{ digest.cards[0].card.title }}"}"#,
    )
    .unwrap();
    let mut t = target(Kind::Webhook, &server.uri(), None);
    t.template = Some(template);
    let line = send(&t, &small_day(), &MemStore::default()).await;
    assert_eq!(line.outcome, Outcome::Sent, "{line:?}");
}

#[tokio::test]
async fn slack_discord_wecom_get_their_documented_bodies() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/services/T0/B0/x"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/webhooks/1/tok"))
        .and(query_param("wait", "true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "id": "1" })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/cgi-bin/webhook/send"))
        .and(query_param("key", "abc"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "errcode": 0, "errmsg": "ok" })),
        )
        .mount(&server)
        .await;
    let store = MemStore::default();
    let d = small_day();
    for (kind, url) in [
        (Kind::Slack, "/services/T0/B0/x"),
        (Kind::Discord, "/api/webhooks/1/tok"),
        (Kind::Wecom, "/cgi-bin/webhook/send?key=abc"),
    ] {
        let mut t = target(kind, &format!("{}{url}", server.uri()), None);
        t.name = kind.name().into();
        let line = send(&t, &d, &store).await;
        assert_eq!(line.outcome, Outcome::Sent, "{line:?}");
    }
    let bodies = bodies(&server).await;
    assert_eq!(bodies.len(), 3);
    assert!(
        bodies[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("*AI 日報 2026-01-05: 開源模型追上閉源*")
    );
    assert!(
        bodies[1]["content"]
            .as_str()
            .unwrap()
            .starts_with("**AI 日報 2026-01-05")
    );
    assert_eq!(bodies[2]["msgtype"], "markdown");
    assert!(
        bodies[2]["markdown"]["content"]
            .as_str()
            .unwrap()
            .contains("**1. 模型 A 發布**")
    );
}

#[tokio::test]
async fn telegram_sends_html_to_the_bot_api_with_the_chat_id() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/bot{TOKEN}/sendMessage")))
        .and(body_partial_json(
            json!({ "chat_id": "-100123", "parse_mode": "HTML" }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "ok": true, "result": {} })))
        .expect(1)
        .mount(&server)
        .await;
    let mut t = target(Kind::Telegram, "", None);
    t.endpoint = Endpoint::Telegram {
        token: Secret::new("TG_TOKEN", TOKEN),
        chat_id: Secret::new("TG_CHAT", "-100123"),
        api_url: server.uri(),
    };
    let line = send(&t, &small_day(), &MemStore::default()).await;
    assert_eq!(line.outcome, Outcome::Sent, "{line:?}");
}

#[tokio::test]
async fn feishu_signs_in_the_body_and_dingtalk_in_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/open-apis/bot/v2/hook/tok"))
        .and(body_partial_json(json!({
            "msg_type": "post",
            "timestamp": "1700000000",
            "sign": http::feishu_sign("1700000000", "fs-secret"),
        })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "code": 0, "msg": "success" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/robot/send"))
        .and(query_param("access_token", "tok"))
        .and(query_param("timestamp", "1700000000000"))
        .and(query_param(
            "sign",
            http::dingtalk_sign("1700000000000", "dt-secret").as_str(),
        ))
        .and(body_partial_json(json!({ "msgtype": "markdown" })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "errcode": 0, "errmsg": "ok" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let store = MemStore::default();
    let mut feishu = target(
        Kind::Feishu,
        &format!("{}/open-apis/bot/v2/hook/tok", server.uri()),
        Some("fs-secret"),
    );
    feishu.name = "feishu".into();
    let mut dingtalk = target(
        Kind::Dingtalk,
        &format!("{}/robot/send?access_token=tok", server.uri()),
        Some("dt-secret"),
    );
    dingtalk.name = "dingtalk".into();
    for t in [feishu, dingtalk] {
        let line = send(&t, &small_day(), &store).await;
        assert_eq!(line.outcome, Outcome::Sent, "{line:?}");
    }
    let feishu_body = &bodies(&server).await[0];
    let paragraphs = &feishu_body["content"]["post"]["zh_cn"]["content"];
    assert_eq!(
        paragraphs[0][0],
        json!({ "tag": "text", "text": "AI 日報 2026-01-05: 開源模型追上閉源", "style": ["bold"] })
    );
}

#[tokio::test]
async fn an_error_code_in_a_200_answer_is_a_failure() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "code": 19021, "msg": "sign match fail or timestamp is not within one hour from current time" })),
        )
        .mount(&server)
        .await;
    let store = MemStore::default();
    let line = send(
        &target(Kind::Feishu, &server.uri(), Some("fs-secret")),
        &small_day(),
        &store,
    )
    .await;
    assert_eq!(line.outcome, Outcome::Failed);
    let error = line.error.unwrap();
    assert!(error.contains("error 19021"), "{error}");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        1,
        "not retried"
    );
    let receipt = Receipt::load(&store, "r1", "team").unwrap().unwrap();
    assert!(!receipt.delivered && receipt.error.is_some());
}
