//! Sending exactly once: retries of a 5xx, a target that never answers given up on within its
//! bound, receipts that stop a second send (unless forced) and resume an interrupted split, and
//! secrets that never reach errors, receipts or dry runs.

use super::*;

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
