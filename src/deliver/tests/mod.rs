//! Delivery against local servers, one file per behaviour family: `config` (targets and their
//! secrets), `formats` (size splits that keep cards whole and characters intact, escaping,
//! signatures, failure notices), `requests` (each service's exact request, answers that are errors
//! in a 200) and `reliability` (retries, a target that never answers, receipts, secrets that never
//! leak). Here: the digests, targets and local servers they share.

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

mod config;
mod formats;
mod reliability;
mod requests;
