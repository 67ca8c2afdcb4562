//! Delivery against local servers: each service's exact request (path, headers, body,
//! signature), size splits that keep cards whole and characters intact, answers that are errors
//! in a 200, retries, a target that never answers, receipts, and secrets that never leak.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::deliverable::Counts;
use super::receipt::Receipt;
use super::*;
use crate::clock::FixedClock;
use crate::config::deliver::{Endpoint, Event, Kind, Secret, Target};
use crate::config::{Config, ConfigError};
use crate::model::{Card, CardRecord, Digest, Generator, Importance, Language, SourceRef};
use crate::report::Reporter;
use crate::store::MemStore;

const TOKEN: &str = "tok-4f1c9a-SECRET";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2023-11-14T22:13:20Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn clock() -> FixedClock {
    FixedClock(now())
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 5).unwrap()
}

fn card(rank: usize, title: &str, summary: &str) -> CardRecord {
    CardRecord {
        topic_id: format!("s{rank}"),
        rank,
        focus: rank <= 2,
        card: Card {
            title: title.into(),
            summary: summary.into(),
            details: String::new(),
            scenarios: String::new(),
            entities: vec![],
            importance: Importance::High,
            section: "models".into(),
            insight: String::new(),
            short_title: String::new(),
            tags: Vec::new(),
            key_points: Vec::new(),
            impacts: Vec::new(),
        },
        sources: vec![SourceRef {
            title: format!("source of {title}"),
            url: format!("https://example.com/news/{rank}?a=1&b=2"),
            outlet: "Example & Co".into(),
            article_id: String::new(),
            published: None,
        }],
        continuing: false,
        fallback: false,
    }
}

fn digest(cards: Vec<CardRecord>) -> Digest {
    let mut insight = crate::write::insight::empty_insight();
    insight.headline = "開源模型追上閉源".into();
    insight.trend_summary = "今天的重點：<開源> & 推理成本下降。".into();
    Digest {
        date: date(),
        title: "AI 日報".into(),
        language: Language::ZhHant,
        generated_at: "2026-01-05T23:59:59+08:00".into(),
        window_hours: 24,
        generator: Generator {
            provider: "extractive".into(),
            model: "extractive".into(),
            run: "r1".into(),
        },
        topic_count: cards.len(),
        cards,
        insight,
        article_count: 42,
        failed: vec![],
        more: vec![],
    }
}

fn deliverable(cards: Vec<CardRecord>) -> Deliverable {
    let digest = digest(cards);
    Deliverable {
        receipt_id: "r1".into(),
        event: Event::Published,
        date: date(),
        title: "AI 日報".into(),
        status: "ok",
        counts: Counts {
            cards: digest.cards.len(),
            failed_topics: 0,
            articles: 42,
        },
        lint: LintCounts::default(),
        link: None,
        body: Body::Digest {
            digest: Box::new(digest),
            markdown: "# AI 日報\n\n內容\n".into(),
            html: "<html><body><h1>AI 日報</h1></body></html>".into(),
        },
    }
}

fn small_day() -> Deliverable {
    deliverable(vec![
        card(1, "模型 A 發布", "一家實驗室發布了模型 A。"),
        card(2, "Tool <B> & C", "A tool shipped."),
    ])
}

/// Many cards with CJK, emoji and characters that need escaping, enough to need splitting
/// everywhere.
fn big_day() -> Deliverable {
    deliverable(
        (1..=40)
            .map(|i| {
                card(
                    i,
                    &format!("第{i}則：模型 <{i}> & 🚀 發布"),
                    &"推理成本下降，開源社群快速跟進。🙂 & <b>不是標籤</b> ".repeat(6),
                )
            })
            .collect(),
    )
}

fn target(kind: Kind, url: &str, signing_key: Option<&str>) -> Target {
    Target {
        name: "team".into(),
        kind,
        events: [Event::Published, Event::Failed].into(),
        endpoint: Endpoint::Url {
            url: Secret::new("TEAM_URL", url),
            signing_key: signing_key.map(|k| Secret::new("TEAM_SECRET", k)),
        },
        template: None,
        // Generous: a loaded CI machine must not turn a quick answer into a timeout.
        timeout: Duration::from_secs(30),
        max_attempts: 3,
    }
}

fn fast() -> Options {
    Options {
        min_retry_delay: Duration::from_millis(10),
        max_retry_after: Duration::from_millis(200),
        pace: false,
        ..Options::default()
    }
}

async fn send(target: &Target, d: &Deliverable, store: &MemStore) -> DeliveryLine {
    send_with(target, d, store, &fast()).await
}

async fn send_with(
    target: &Target,
    d: &Deliverable,
    store: &MemStore,
    options: &Options,
) -> DeliveryLine {
    let lines = deliver(
        std::slice::from_ref(target),
        d,
        store,
        &clock(),
        options,
        &Reporter::silent(),
    )
    .await
    .unwrap();
    assert_eq!(lines.len(), 1);
    lines.into_iter().next().unwrap()
}

/// The kinds that post chat messages (split per service).
fn chat_kinds() -> impl Iterator<Item = Kind> {
    Kind::ALL
        .into_iter()
        .filter(|k| !matches!(k, Kind::Webhook | Kind::Email))
}

/// A local server giving each answer its number of times, in order.
async fn scripted(answers: Vec<(ResponseTemplate, u64)>) -> MockServer {
    let server = MockServer::start().await;
    for (answer, times) in answers {
        Mock::given(method("POST"))
            .respond_with(answer)
            .up_to_n_times(times)
            .mount(&server)
            .await;
    }
    server
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

// ---- config ----

fn parse(extra: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
    let text = format!(
        "[[digest.sections]]\nid = \"models\"\nlabel = {{ en = \"Models\" }}\ndescribe = \"models\"\n\
         [[sources]]\nname = \"a\"\nurl = \"https://example.com/feed\"\n{extra}"
    );
    let env: BTreeMap<String, String> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Config::parse(&text, None, &env)
}

#[test]
fn config_reads_targets_and_their_secrets_from_the_environment() {
    let config = parse(
        r#"
[[deliver]]
name = "team"
kind = "webhook"
url_env = "TEAM_URL"
events = ["published", "failed"]

[[deliver]]
name = "mail"
kind = "email"
smtp_url_env = "SMTP_URL"
from = "AI Daily <digest@example.com>"
to = ["team@example.com", "編輯 <editor@example.com>"]
"#,
        &[
            ("TEAM_URL", "https://hooks.example.com/x"),
            ("SMTP_URL", "smtp://127.0.0.1:2525"),
        ],
    )
    .unwrap();
    assert_eq!(config.deliver.len(), 2);
    let team = &config.deliver[0];
    assert_eq!(team.kind, Kind::Webhook);
    assert!(team.wants(Event::Failed) && !team.wants(Event::Partial));
    assert_eq!(team.secrets(), vec!["https://hooks.example.com/x"]);
    assert_eq!(
        config.deliver[1].events,
        [Event::Published].into(),
        "default event"
    );
    let debug = format!("{config:?}");
    assert!(!debug.contains("hooks.example.com"), "{debug}");
    assert!(debug.contains("$TEAM_URL"));
}

#[test]
fn config_reports_every_delivery_problem_at_once_without_showing_secrets() {
    let err = parse(
        r#"
[[deliver]]
name = "team"
kind = "pager"
url_env = "X"

[[deliver]]
name = "chat"
kind = "slack"
url_env = "MISSING_URL"
events = ["published", "sometimes"]

[[deliver]]
name = "mail"
kind = "email"
smtp_url_env = "SMTP_URL"
from = "digest@example.com"
to = []

[[deliver]]
name = "chat"
kind = "discord"
url_env = "BAD_URL"
colour = "blue"
"#,
        &[
            ("SMTP_URL", "ftp://user:hunter2-SECRET@mail.example.com"),
            ("BAD_URL", "not a url hunter3-SECRET"),
        ],
    )
    .unwrap_err();
    let text = err.to_string();
    for expected in [
        "deliver[0].kind: \"pager\" is not a delivery kind",
        "deliver[1].url_env: environment variable MISSING_URL is not set",
        "deliver[1].events: \"sometimes\" is not an event",
        "deliver[2].smtp_url_env: the URL in SMTP_URL must start with smtp://",
        "deliver[2].to: is empty",
        "deliver[3].colour: unknown key for kind discord",
        "deliver[3].url_env: the value of BAD_URL is not an http(s) URL",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("SECRET"), "a secret leaked:\n{text}");
    // The duplicate name is reported when the second "chat" is otherwise valid.
    let dup = parse(
        "[[deliver]]\nname = \"chat\"\nkind = \"slack\"\nurl_env = \"U\"\n\
         [[deliver]]\nname = \"chat\"\nkind = \"wecom\"\nurl_env = \"U\"\n",
        &[("U", "https://example.com/hook")],
    )
    .unwrap_err()
    .to_string();
    assert!(
        dup.contains("deliver[1].name: \"chat\" is already the name of another target"),
        "{dup}"
    );
}

// ---- formats and splits ----

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

// ---- each service's exact request ----

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

// ---- retries, timeouts, receipts, secrets ----

#[tokio::test]
async fn a_target_answering_500_then_200_gets_the_digest_once() {
    let server = scripted(vec![
        (ResponseTemplate::new(500), 1),
        (
            ResponseTemplate::new(429).insert_header("retry-after", "0"),
            1,
        ),
        (ResponseTemplate::new(200), u64::MAX),
    ])
    .await;
    let store = MemStore::default();
    let t = target(Kind::Webhook, &server.uri(), None);
    let line = send(&t, &small_day(), &store).await;
    assert_eq!(line.outcome, Outcome::Sent, "{line:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    let ids: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r: &Request| r.headers["webhook-id"].to_str().unwrap().to_string())
        .collect();
    assert!(
        ids.iter().all(|id| id == "r1.team.0"),
        "one id across retries: {ids:?}"
    );
    assert!(
        Receipt::load(&store, "r1", "team")
            .unwrap()
            .unwrap()
            .delivered
    );
}

#[tokio::test]
async fn a_target_that_never_answers_is_given_up_on_within_its_bound() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(60)))
        .mount(&server)
        .await;
    let mut t = target(Kind::Webhook, &server.uri(), None);
    t.timeout = Duration::from_secs(1);
    t.max_attempts = 2;
    let started = std::time::Instant::now();
    let line = send(&t, &small_day(), &MemStore::default()).await;
    assert_eq!(line.outcome, Outcome::Failed);
    assert!(
        line.error.as_deref().unwrap().contains("no answer within"),
        "{line:?}"
    );
    // Never more than max_attempts (a loaded machine may give up before a request lands).
    let requests = server.received_requests().await.unwrap().len();
    assert!((1..=2).contains(&requests), "{requests} requests");
    // 2 × 1 s plus a short backoff; far below the server's 60 s.
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_receipt_stops_a_second_send_and_force_overrides_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let store = MemStore::default();
    let t = target(Kind::Webhook, &server.uri(), None);
    let d = small_day();
    assert_eq!(send(&t, &d, &store).await.outcome, Outcome::Sent);
    assert_eq!(send(&t, &d, &store).await.outcome, Outcome::AlreadySent);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    let forced = send_with(
        &t,
        &d,
        &store,
        &Options {
            force: true,
            ..fast()
        },
    )
    .await;
    assert_eq!(forced.outcome, Outcome::Sent);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    let dry_run = Options {
        force: true,
        dry_run: true,
        ..fast()
    };
    let dry = send_with(&t, &d, &store, &dry_run).await;
    assert_eq!(dry.outcome, Outcome::DryRun);
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        2,
        "a dry run sends nothing"
    );
}

#[tokio::test]
async fn an_interrupted_split_resumes_after_the_last_part_that_went_out() {
    // The first two parts go through, then the service refuses one, then it takes the rest.
    let ok = || ResponseTemplate::new(200).set_body_json(json!({ "errcode": 0 }));
    let server = scripted(vec![
        (ok(), 2),
        (ResponseTemplate::new(400).set_body_string("bad"), 1),
        (ok(), u64::MAX),
    ])
    .await;
    let store = MemStore::default();
    let t = target(Kind::Wecom, &server.uri(), None);
    let d = big_day();
    let total = format::messages(Kind::Wecom, &d, &content::blocks(&d)).len();
    let first = send(&t, &d, &store).await;
    assert_eq!((first.outcome, first.messages), (Outcome::Failed, 2));
    let second = send(&t, &d, &store).await;
    assert_eq!(
        (second.outcome, second.messages),
        (Outcome::Sent, total - 2)
    );
    let sent = bodies(&server).await;
    assert_eq!(
        sent.len(),
        total + 1,
        "two parts, one refused, then the rest"
    );
    // The refused part (the third) is the first one sent on resume: nothing twice, nothing lost.
    assert_eq!(sent[2], sent[3]);
    let receipt = Receipt::load(&store, "r1", "team").unwrap().unwrap();
    assert!(receipt.delivered && receipt.parts_sent == total);
}

#[tokio::test]
async fn a_secret_never_appears_in_errors_receipts_or_dry_runs() {
    let server = MockServer::start().await;
    // A hostile answer that echoes the request path (with the token) back.
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(403).set_body_string(format!("forbidden: /hook/{TOKEN}")),
        )
        .mount(&server)
        .await;
    let store = MemStore::default();
    let mut t = target(
        Kind::Webhook,
        &format!("{}/hook/{TOKEN}", server.uri()),
        None,
    );
    let line = send(&t, &small_day(), &store).await;
    assert_eq!(line.outcome, Outcome::Failed);
    let error = line.error.clone().unwrap();
    assert!(
        error.contains("HTTP 403") && error.contains("[redacted]"),
        "{error}"
    );
    // A connection failure: reqwest's own error text names the URL unless told not to.
    t.endpoint = Endpoint::Url {
        url: Secret::new("TEAM_URL", format!("http://127.0.0.1:9/hook/{TOKEN}")),
        signing_key: None,
    };
    t.max_attempts = 1;
    let unreachable = send(&t, &small_day(), &store).await;
    let receipts: Vec<String> = store
        .scan(crate::store::Tree::Deliveries, b"")
        .unwrap()
        .into_iter()
        .map(|(_, v)| String::from_utf8(v).unwrap())
        .collect();
    let summary = serde_json::to_string(&[&line, &unreachable]).unwrap();
    for text in [
        summary,
        receipts.join("\n"),
        format!("{t:?}"),
        line.render(),
        unreachable.render(),
    ] {
        assert!(!text.contains(TOKEN), "secret leaked: {text}");
    }
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

#[test]
fn the_example_configs_delivery_targets_are_valid_once_uncommented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let example = std::fs::read_to_string(root.join("newsdesk.example.toml")).unwrap();
    let (head, tail) = example.split_once("# Delivery (README").unwrap();
    // Every commented key of the delivery examples, uncommented (the template file is the
    // user's to write, so its line stays out).
    let targets: String = tail
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| l.starts_with("[[deliver]]") || l.contains(" = ") && !l.starts_with("template"))
        .map(|l| format!("{l}\n"))
        .collect();
    let vars = [
        "TEAM_SLACK_URL",
        "NEWSDESK_WEBHOOK_URL",
        "NEWSDESK_WEBHOOK_SECRET",
        "DISCORD_WEBHOOK_URL",
        "TELEGRAM_BOT_TOKEN",
        "TELEGRAM_CHAT_ID",
        "FEISHU_WEBHOOK_URL",
        "FEISHU_SECRET",
        "DINGTALK_WEBHOOK_URL",
        "DINGTALK_SECRET",
        "WECOM_WEBHOOK_URL",
    ];
    let mut env: BTreeMap<String, String> = vars
        .iter()
        .map(|v| (v.to_string(), "https://example.com/hook/abc".to_string()))
        .collect();
    env.insert(
        "NEWSDESK_SMTP_URL".into(),
        "smtps://u:p@mail.example.com".into(),
    );
    env.insert("OPENAI_API_KEY".into(), "sk-x".into());
    let config = Config::parse(
        &format!("{head}\n{targets}"),
        Some(&root.join("x.toml")),
        &env,
    )
    .unwrap_or_else(|e| panic!("{e}\n{targets}"));
    let kinds: Vec<Kind> = config.deliver.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        vec![
            Kind::Slack,
            Kind::Webhook,
            Kind::Discord,
            Kind::Telegram,
            Kind::Feishu,
            Kind::Dingtalk,
            Kind::Wecom,
            Kind::Email
        ]
    );
}
