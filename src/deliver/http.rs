//! Sending one message to a webhook-style service. In: a target, a JSON body, the part number;
//! out: `Ok` once the service accepted it, or the reason it did not (secrets removed by the
//! caller). Signatures are computed per attempt (their timestamps must be fresh): Feishu in the
//! body, DingTalk in the query, the generic webhook in Standard Webhooks headers.
//!
//! Retry policy (backon, exponential with jitter from `Options::min_retry_delay`, at most 30 s
//! apart, `max_attempts` in all): 429, 5xx, timeouts and connection failures, and the services'
//! own "rate limited" codes in a 200 body. A `Retry-After` (header, or Telegram's
//! `parameters.retry_after`) replaces the computed delay, capped by `Options::max_retry_after`.
//! Every attempt is bounded by the target's `timeout_s`, so a target that never answers costs
//! at most `max_attempts × timeout_s` plus the delays.

use std::time::Duration;

use aws_lc_rs::hmac;
use backon::Retryable;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

use super::Options;
use crate::clock::Clock;
use crate::config::deliver::{Endpoint, Kind, Target};

/// Why an attempt failed, and whether another may succeed.
#[derive(Debug)]
struct Failure {
    reason: String,
    retryable: bool,
    retry_after: Option<Duration>,
}

impl Failure {
    fn permanent(reason: impl Into<String>) -> Failure {
        Failure {
            reason: reason.into(),
            retryable: false,
            retry_after: None,
        }
    }
}

/// Longest slice of a service's answer quoted in an error.
const QUOTED_BODY_CHARS: usize = 300;

/// One message on its way: what `attempt` and `build` need besides the client and clock.
struct Outgoing<'a> {
    target: &'a Target,
    body: &'a Value,
    /// Its place in a split digest (0-based): part of the webhook id.
    part: usize,
    receipt_id: &'a str,
}

pub(super) async fn post(
    target: &Target,
    body: &Value,
    part: usize,
    receipt_id: &str,
    clock: &dyn Clock,
    options: &Options,
) -> Result<(), String> {
    let client = reqwest::Client::builder()
        .timeout(target.timeout)
        .connect_timeout(target.timeout.min(Duration::from_secs(10)))
        .user_agent(concat!("newsdesk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let outgoing = Outgoing {
        target,
        body,
        part,
        receipt_id,
    };
    let cap = options.max_retry_after;
    let attempts = std::sync::atomic::AtomicU32::new(0);
    (|| async {
        attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        attempt(&client, &outgoing, clock).await
    })
    .retry(options.backoff(target))
    .sleep(tokio::time::sleep)
    .when(|f: &Failure| f.retryable)
    .adjust(move |f, planned| planned.map(|d| f.retry_after.map_or(d, |ra| ra.min(cap))))
    .notify(|f, delay| {
        let reason = super::scrub(&f.reason, target);
        tracing::warn!(target = %target.name, %reason, ?delay, "delivery failed; retrying")
    })
    .await
    .map_err(|f| {
        let n = attempts.load(std::sync::atomic::Ordering::Relaxed);
        format!("{} (after {n} attempt(s))", f.reason)
    })
}

fn timed_out(target: &Target) -> Failure {
    Failure {
        reason: format!("no answer within {} s", target.timeout.as_secs()),
        retryable: true,
        retry_after: None,
    }
}

async fn attempt(
    client: &reqwest::Client,
    outgoing: &Outgoing<'_>,
    clock: &dyn Clock,
) -> Result<(), Failure> {
    let target = outgoing.target;
    let request = build(client, outgoing, clock)?;
    let response = request.send().await.map_err(|e| {
        if e.is_timeout() {
            return timed_out(target);
        }
        Failure {
            retryable: e.is_connect() || e.is_request(),
            // Without the URL: it carries the target's token.
            reason: format!("cannot reach the service: {}", e.without_url()),
            retry_after: None,
        }
    })?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| crate::llm::retry::parse_retry_after(v, clock.now()));
    let text = match response.text().await {
        Ok(text) => text,
        Err(e) if e.is_timeout() => return Err(timed_out(target)),
        Err(e) => e.without_url().to_string(),
    };
    check(target.kind, status, &text, retry_after)
}

/// The request for one attempt: URL, headers, body and signature.
fn build(
    client: &reqwest::Client,
    outgoing: &Outgoing<'_>,
    clock: &dyn Clock,
) -> Result<reqwest::RequestBuilder, Failure> {
    let Outgoing {
        target,
        body,
        part,
        receipt_id,
    } = *outgoing;
    let now = clock.now();
    match &target.endpoint {
        Endpoint::Telegram {
            token,
            chat_id,
            api_url,
        } => {
            let mut body = body.clone();
            body["chat_id"] = chat_id.expose().into();
            let url = format!("{api_url}/bot{}/sendMessage", token.expose());
            Ok(client.post(url).json(&body))
        }
        Endpoint::Url { url, signing_key } => {
            let mut url = reqwest::Url::parse(url.expose()).map_err(|_| {
                Failure::permanent(format!("the value of {} is not a URL", url.var))
            })?;
            let mut body = body.clone();
            let mut headers = reqwest::header::HeaderMap::new();
            match (target.kind, signing_key) {
                (Kind::Discord, _) => {
                    // Without wait=true Discord answers 204 even for a message it drops.
                    url.query_pairs_mut().append_pair("wait", "true");
                }
                (Kind::Feishu, Some(key)) => {
                    let timestamp = now.timestamp().to_string();
                    body["timestamp"] = timestamp.clone().into();
                    body["sign"] = feishu_sign(&timestamp, key.expose()).into();
                }
                (Kind::Dingtalk, Some(key)) => {
                    let timestamp = now.timestamp_millis().to_string();
                    let sign = dingtalk_sign(&timestamp, key.expose());
                    url.query_pairs_mut()
                        .append_pair("timestamp", &timestamp)
                        .append_pair("sign", &sign);
                }
                _ => {}
            }
            let bytes = serde_json::to_vec(&body).expect("JSON serializes");
            if target.kind == Kind::Webhook {
                let id = format!("{receipt_id}.{}.{part}", target.name);
                let timestamp = now.timestamp().to_string();
                if let Some(key) = signing_key {
                    let signature = webhook_sign(&id, &timestamp, &bytes, key.expose());
                    headers.insert("webhook-signature", header(format!("v1,{signature}"))?);
                }
                headers.insert("webhook-id", header(id)?);
                headers.insert("webhook-timestamp", header(timestamp)?);
            }
            Ok(client
                .post(url)
                .headers(headers)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes))
        }
        Endpoint::Email { .. } => Err(Failure::permanent("an email target has no URL")),
    }
}

fn header(value: String) -> Result<reqwest::header::HeaderValue, Failure> {
    reqwest::header::HeaderValue::from_str(&value)
        .map_err(|_| Failure::permanent("a header value is not valid"))
}

fn hmac_base64(key: &[u8], message: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    BASE64.encode(hmac::sign(&key, message).as_ref())
}

/// Feishu: base64(HMAC-SHA256(key = "<ts>\n<secret>", message = "")).
pub(super) fn feishu_sign(timestamp: &str, secret: &str) -> String {
    hmac_base64(format!("{timestamp}\n{secret}").as_bytes(), b"")
}

/// DingTalk: base64(HMAC-SHA256(key = secret, message = "<ts ms>\n<secret>")), sent URL-encoded
/// (the query serializer encodes it).
pub(super) fn dingtalk_sign(timestamp: &str, secret: &str) -> String {
    hmac_base64(
        secret.as_bytes(),
        format!("{timestamp}\n{secret}").as_bytes(),
    )
}

/// Standard Webhooks v1: base64(HMAC-SHA256(key, "<id>.<ts>.<body>")); a `whsec_` key is
/// base64 after the prefix, any other key is used as its bytes.
pub(super) fn webhook_sign(id: &str, timestamp: &str, body: &[u8], secret: &str) -> String {
    let key = secret
        .strip_prefix("whsec_")
        .and_then(|b64| BASE64.decode(b64).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec());
    let mut message = format!("{id}.{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    hmac_base64(&key, &message)
}

/// Whether the service took the message. Several answer HTTP 200 with an error code in the
/// body: those are errors too.
fn check(
    kind: Kind,
    status: u16,
    text: &str,
    retry_after: Option<Duration>,
) -> Result<(), Failure> {
    let quoted: String = text.chars().take(QUOTED_BODY_CHARS).collect();
    let json: Option<Value> = serde_json::from_str(text).ok();
    if !(200..300).contains(&status) {
        let telegram_wait = json
            .as_ref()
            .and_then(|j| j["parameters"]["retry_after"].as_u64())
            .map(Duration::from_secs);
        return Err(Failure {
            reason: format!("HTTP {status}: {}", quoted.trim()),
            retryable: status == 429 || status >= 500,
            retry_after: retry_after.or(telegram_wait),
        });
    }
    let code_error = |code: i64, message: &str, rate_limited: bool| Failure {
        reason: format!("the service answered HTTP {status} with error {code}: {message}"),
        retryable: rate_limited,
        retry_after,
    };
    match kind {
        // Slack answers plain text "ok".
        Kind::Slack if text.trim() != "ok" => Err(Failure::permanent(format!(
            "Slack answered HTTP {status} with \"{}\" instead of \"ok\"",
            quoted.trim()
        ))),
        Kind::Telegram => match json {
            Some(j) if j["ok"] == Value::Bool(true) => Ok(()),
            Some(j) => Err(code_error(
                j["error_code"].as_i64().unwrap_or(0),
                j["description"].as_str().unwrap_or("no description"),
                false,
            )),
            None => Err(Failure::permanent(format!(
                "Telegram answered HTTP {status} without JSON: {quoted}"
            ))),
        },
        Kind::Feishu => {
            let j = json.unwrap_or(Value::Null);
            // Newer answers carry `code`, older ones `StatusCode`.
            let code = j["code"].as_i64().or_else(|| j["StatusCode"].as_i64());
            match code {
                Some(0) => Ok(()),
                Some(code) => Err(code_error(
                    code,
                    j["msg"]
                        .as_str()
                        .or(j["StatusMessage"].as_str())
                        .unwrap_or(""),
                    code == 11232,
                )),
                None => Err(Failure::permanent(format!(
                    "Feishu answered HTTP {status} without a code: {quoted}"
                ))),
            }
        }
        Kind::Dingtalk | Kind::Wecom => {
            let j = json.unwrap_or(Value::Null);
            match j["errcode"].as_i64() {
                Some(0) => Ok(()),
                Some(code) => Err(code_error(
                    code,
                    j["errmsg"].as_str().unwrap_or(""),
                    // 410100 (DingTalk) and 45009 (WeCom): sent too often.
                    code == 410100 || code == 45009,
                )),
                None => Err(Failure::permanent(format!(
                    "the service answered HTTP {status} without errcode: {quoted}"
                ))),
            }
        }
        _ => Ok(()),
    }
}
