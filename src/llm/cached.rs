//! The cache layer, outermost of the provider stack. In: a `ChatRequest`; out: the stored
//! response when the same request was answered before, else the inner provider's answer, which
//! is stored before it is returned. A hit never reaches the rate limiter, the budget or the
//! network. Every call, hit or miss, is written to the ledger the run report and manifest read.
//!
//! The key is blake3 over the canonical JSON (keys sorted) of everything that can change the
//! answer: namespace, provider id (kind + base-URL host), model, the fully rendered messages,
//! response_format (with its schema), temperature, top_p, max_tokens, seed and the repeat index.
//! The API key is not part of a request and so can never reach the key or the store. 2xx
//! responses are stored even when their content later fails validation, so a replay walks the
//! same repair path; errors are never stored.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId, Role, Usage};
use crate::clock::Clock;
use crate::store::{Claim, Store, Tree};

/// How the cache is used (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheMode {
    /// Read hits, store misses (the default).
    Rw,
    /// Hits only; a miss is an error and nothing touches the network.
    Replay,
    /// Ignore stored answers, call the provider, store the new answers.
    Refresh,
    /// Neither read nor write.
    Off,
}

impl std::str::FromStr for CacheMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "rw" => Ok(CacheMode::Rw),
            "replay" => Ok(CacheMode::Replay),
            "refresh" => Ok(CacheMode::Refresh),
            "off" => Ok(CacheMode::Off),
            other => Err(format!(
                "\"{other}\" is not a cache mode (expected rw, replay, refresh or off)"
            )),
        }
    }
}

/// What the store holds per call.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedCall {
    pub namespace: String,
    pub provider: String,
    pub model: String,
    pub content: String,
    pub usage: Usage,
    pub latency_ms: u64,
    /// RFC 3339 time the answer was first received.
    pub stored_at: String,
    /// The endpoint's raw response body, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw: Option<Value>,
    /// The structured-output mode the answer came with, when a layer below reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_output: Option<String>,
    /// The provider and request the key was computed from, so an imported cassette's keys can
    /// be checked against their content (`cache import`) and audits can see what was asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<ProviderId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<ChatRequest>,
}

impl CachedCall {
    /// Whether `key` is this entry's own key; entries stored before requests were kept cannot
    /// be checked and answer `None`.
    pub fn verify_key(&self, key: &str) -> Option<bool> {
        let (id, req) = (self.provider_id.as_ref()?, self.request.as_ref()?);
        Some(cache_key(id, req) == key)
    }
}

/// One line of the call ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    pub key: String,
    /// The key of the conversation's first turn (the key itself for a first turn): a repair
    /// re-ask shares its first turn's root, so manifests can list calls per topic.
    pub root: String,
    /// 0 for a first ask, 1 for a repair re-ask (assistant turns already in the conversation).
    pub turn: u32,
    pub namespace: super::Namespace,
    pub cached: bool,
    pub usage: Usage,
    pub latency_ms: u64,
    /// The structured-output mode actually used: what a layer below reported, else the
    /// request's own `response_format`.
    pub structured_output: String,
}

/// How many of `calls` the provider answered, and how many the cache did.
pub fn paid_and_cached<'a>(calls: impl IntoIterator<Item = &'a CallRecord>) -> (usize, usize) {
    calls.into_iter().fold((0, 0), |(paid, cached), call| {
        if call.cached {
            (paid, cached + 1)
        } else {
            (paid + 1, cached)
        }
    })
}

/// The canonical cache key of a request for a given provider.
pub fn cache_key(provider: &ProviderId, req: &ChatRequest) -> String {
    let request = serde_json::to_value(req).expect("requests serialize");
    let mut keyed = serde_json::json!({
        "namespace": req.namespace.as_str(),
        "provider": { "kind": provider.kind, "host": provider.host },
        "model": request["model"],
        "messages": request["messages"],
        "response_format": request["response_format"],
        "temperature": request["temperature"],
        "top_p": request["top_p"],
        "max_tokens": request["max_tokens"],
        "seed": request["seed"],
        "repeat": req.repeat,
    });
    // Only when set, so the keys of every request without it stay what they were.
    if let Some(script) = req.steer_script {
        keyed["steer_script"] = serde_json::json!(script.tag());
    }
    let mut canonical = String::new();
    write_canonical(&keyed, &mut canonical);
    blake3::hash(canonical.as_bytes()).to_hex().to_string()
}

/// JSON with object keys sorted at every level, whatever map type serde_json was built with.
fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The conversation up to (not including) its first assistant turn: what a repair re-ask of it
/// was first asked as.
fn first_turn(req: &ChatRequest) -> ChatRequest {
    let first = req
        .messages
        .iter()
        .position(|m| m.role == Role::Assistant)
        .unwrap_or(req.messages.len());
    ChatRequest {
        messages: req.messages[..first].to_vec(),
        ..req.clone()
    }
}

/// The provider under a replay: it has the recorded provider's id (so keys match) and refuses
/// every call, so nothing a replay does can reach a network or need a key.
pub struct Offline {
    id: ProviderId,
}

impl Offline {
    pub fn new(id: ProviderId) -> Self {
        Offline { id }
    }
}

#[async_trait]
impl Provider for Offline {
    fn id(&self) -> &ProviderId {
        &self.id
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        Err(LlmError::ReplayMiss {
            namespace: req.namespace.as_str(),
            key: cache_key(&self.id, req),
        })
    }
}

pub struct Cached<P> {
    inner: P,
    store: Arc<dyn Store>,
    mode: CacheMode,
    clock: Arc<dyn Clock>,
    ledger: Mutex<Vec<CallRecord>>,
}

impl<P: Provider> Cached<P> {
    pub fn new(inner: P, store: Arc<dyn Store>, mode: CacheMode, clock: Arc<dyn Clock>) -> Self {
        Cached {
            inner,
            store,
            mode,
            clock,
            ledger: Mutex::new(Vec::new()),
        }
    }

    /// Every call made through this layer so far, in completion order.
    pub fn ledger(&self) -> Vec<CallRecord> {
        self.ledger.lock().expect("ledger mutex").clone()
    }

    fn record(&self, key: &str, req: &ChatRequest, resp: &ChatResponse) {
        let turn = req
            .messages
            .iter()
            .filter(|m| m.role == Role::Assistant)
            .count() as u32;
        let root = if turn == 0 {
            key.to_string()
        } else {
            cache_key(self.inner.id(), &first_turn(req))
        };
        self.ledger.lock().expect("ledger mutex").push(CallRecord {
            key: key.to_string(),
            root,
            turn,
            namespace: req.namespace,
            cached: resp.cached,
            usage: resp.usage,
            latency_ms: resp.latency_ms,
            structured_output: resp
                .structured_output
                .clone()
                .unwrap_or_else(|| req.response_format.mode_name().to_string()),
        });
    }

    fn lookup(&self, key: &str) -> Result<Option<ChatResponse>, LlmError> {
        let Some(bytes) = self.store.get(Tree::Llm, key.as_bytes())? else {
            return Ok(None);
        };
        // An entry we cannot read (older format, disk damage) is a miss, not a failure.
        let Ok(call) = serde_json::from_slice::<CachedCall>(&bytes) else {
            tracing::warn!(key, "unreadable cache entry ignored");
            return Ok(None);
        };
        Ok(Some(ChatResponse {
            content: call.content,
            usage: call.usage,
            latency_ms: call.latency_ms,
            cached: true,
            raw: call.raw,
            structured_output: call.structured_output,
        }))
    }
}

/// How often a call another process is paying for is looked for in the store.
const CLAIM_POLL: std::time::Duration = std::time::Duration::from_millis(50);
/// How long to wait for another process's answer before paying for the call anyway (a holder
/// that dies lets go at once; this bounds one that hangs).
const CLAIM_WAIT: std::time::Duration = std::time::Duration::from_secs(300);

impl<P: Provider> Cached<P> {
    /// `Ok(claim)`: this process pays for `key`. `Err(answer)`: another process sharing the
    /// store paid for it while we waited (or just before we claimed it).
    async fn claim_or_wait(&self, key: &str) -> Result<Result<Claim, ChatResponse>, LlmError> {
        let started = std::time::Instant::now();
        loop {
            if let Some(claim) = self.store.try_claim(Tree::Llm, key.as_bytes())? {
                return Ok(match self.lookup(key)? {
                    Some(hit) => Err(hit),
                    None => Ok(claim),
                });
            }
            tokio::time::sleep(CLAIM_POLL).await;
            if let Some(hit) = self.lookup(key)? {
                return Ok(Err(hit));
            }
            if started.elapsed() > CLAIM_WAIT {
                tracing::warn!(
                    key,
                    "another process has held this call for too long; paying for it"
                );
                return Ok(Ok(Claim::exclusive_store()));
            }
        }
    }
}

#[async_trait]
impl<P: Provider> Provider for Cached<P> {
    fn id(&self) -> &ProviderId {
        self.inner.id()
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let key = cache_key(self.inner.id(), req);
        if matches!(self.mode, CacheMode::Rw | CacheMode::Replay) {
            if let Some(hit) = self.lookup(&key)? {
                self.record(&key, req, &hit);
                return Ok(hit);
            }
            if self.mode == CacheMode::Replay {
                return Err(LlmError::ReplayMiss {
                    namespace: req.namespace.as_str(),
                    key,
                });
            }
        }
        // Held while paying, so another process sharing the store waits for this answer
        // instead of paying for the same call.
        let _claim = if self.mode == CacheMode::Rw {
            match self.claim_or_wait(&key).await? {
                Ok(claim) => Some(claim),
                Err(answered_elsewhere) => {
                    self.record(&key, req, &answered_elsewhere);
                    return Ok(answered_elsewhere);
                }
            }
        } else {
            None
        };
        let mut resp = self.inner.chat(req).await?;
        resp.cached = false;
        if self.mode != CacheMode::Off {
            let call = CachedCall {
                namespace: req.namespace.as_str().to_string(),
                provider: self.inner.id().to_string(),
                model: req.model.clone(),
                content: resp.content.clone(),
                usage: resp.usage,
                latency_ms: resp.latency_ms,
                stored_at: self.clock.now().to_rfc3339(),
                raw: resp.raw.clone(),
                structured_output: resp.structured_output.clone(),
                provider_id: Some(self.inner.id().clone()),
                request: Some(req.clone()),
            };
            let bytes = serde_json::to_vec(&call).expect("cached calls serialize");
            if self.mode == CacheMode::Refresh {
                self.store.put(Tree::Llm, key.as_bytes(), &bytes)?;
            } else if let Some(first) =
                self.store
                    .put_if_absent(Tree::Llm, key.as_bytes(), &bytes)?
            {
                // Another process sharing the store answered the same call first: use its
                // answer, so this night and its replay agree with what the store holds.
                if let Ok(stored) = serde_json::from_slice::<CachedCall>(&first) {
                    resp.content = stored.content;
                    resp.raw = stored.raw;
                    resp.structured_output = stored.structured_output;
                }
            }
            // Durable as soon as it is paid for: a run killed a moment later finds this call
            // on its rerun instead of paying for it again (DESIGN §7).
            self.store.flush()?;
        }
        self.record(&key, req, &resp);
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;
    use crate::llm::{Message, Namespace, ResponseFormat};
    use crate::store::MemStore;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Counting {
        id: ProviderId,
        calls: AtomicUsize,
        fail: bool,
    }

    #[async_trait]
    impl Provider for Counting {
        fn id(&self) -> &ProviderId {
            &self.id
        }
        async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if self.fail {
                return Err(LlmError::Http {
                    status: 500,
                    message: "boom".into(),
                    retry_after: None,
                });
            }
            Ok(ChatResponse {
                content: format!("answer to {}", req.messages[0].content),
                usage: Usage {
                    prompt_tokens: 10,
                    completion_tokens: 5,
                },
                latency_ms: 7,
                cached: false,
                raw: None,
                structured_output: None,
            })
        }
    }

    fn request(text: &str) -> ChatRequest {
        ChatRequest {
            temperature: Some(0.2),
            max_tokens: Some(100),
            seed: Some(7),
            ..ChatRequest::new(
                Namespace::Card,
                "m",
                vec![Message::user(text)],
                ResponseFormat::JsonObject,
            )
        }
    }

    fn layer(mode: CacheMode, fail: bool, store: Arc<dyn Store>) -> Cached<Counting> {
        let inner = Counting {
            id: ProviderId {
                kind: "fake".into(),
                host: "h".into(),
            },
            calls: AtomicUsize::new(0),
            fail,
        };
        let clock = Arc::new(FixedClock(chrono::DateTime::UNIX_EPOCH));
        Cached::new(inner, store, mode, clock)
    }

    #[tokio::test]
    async fn second_identical_request_is_a_hit() {
        let cached = layer(CacheMode::Rw, false, Arc::new(MemStore::default()));
        let first = cached.chat(&request("a")).await.unwrap();
        let second = cached.chat(&request("a")).await.unwrap();
        assert!(!first.cached && second.cached);
        assert_eq!(first.content, second.content);
        assert_eq!(
            second.usage,
            Usage {
                prompt_tokens: 10,
                completion_tokens: 5
            }
        );
        assert_eq!(cached.inner.calls.load(Ordering::SeqCst), 1);
        cached.chat(&request("b")).await.unwrap();
        assert_eq!(cached.inner.calls.load(Ordering::SeqCst), 2);
        let ledger = cached.ledger();
        assert_eq!(ledger.iter().filter(|r| r.cached).count(), 1);
    }

    #[tokio::test]
    async fn replay_mode_misses_are_errors_and_refresh_ignores_hits() {
        let store: Arc<dyn Store> = Arc::new(MemStore::default());
        let replay = layer(CacheMode::Replay, false, store.clone());
        assert!(matches!(
            replay.chat(&request("a")).await,
            Err(LlmError::ReplayMiss { .. })
        ));
        assert_eq!(replay.inner.calls.load(Ordering::SeqCst), 0);

        layer(CacheMode::Rw, false, store.clone())
            .chat(&request("a"))
            .await
            .unwrap();
        assert!(replay.chat(&request("a")).await.unwrap().cached);

        let refresh = layer(CacheMode::Refresh, false, store.clone());
        assert!(!refresh.chat(&request("a")).await.unwrap().cached);
        assert_eq!(refresh.inner.calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn each_repeat_is_its_own_sample_and_a_plain_rerun_hits() {
        let cached = layer(CacheMode::Rw, false, Arc::new(MemStore::default()));
        let mut repeats = Vec::new();
        for repeat in 1..=3 {
            let mut req = request("a");
            req.repeat = repeat;
            repeats.push(cached.chat(&req).await.unwrap());
        }
        assert!(repeats.iter().all(|r| !r.cached));
        assert_eq!(cached.inner.calls.load(Ordering::SeqCst), 3);
        assert!(!cached.chat(&request("a")).await.unwrap().cached);
        assert!(cached.chat(&request("a")).await.unwrap().cached);
        let mut again = request("a");
        again.repeat = 2;
        assert!(cached.chat(&again).await.unwrap().cached);
        assert_eq!(cached.inner.calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_repair_shares_its_first_turns_root_and_records_the_mode() {
        let cached = layer(CacheMode::Rw, false, Arc::new(MemStore::default()));
        let first = request("a");
        cached.chat(&first).await.unwrap();
        let mut repair = first.clone();
        repair.messages.push(Message::assistant("bad"));
        repair.messages.push(Message::user("fix it"));
        cached.chat(&repair).await.unwrap();
        let ledger = cached.ledger();
        assert_eq!(ledger[0].root, ledger[0].key);
        assert_eq!(
            (ledger[1].root.as_str(), ledger[1].turn),
            (ledger[0].key.as_str(), 1)
        );
        assert_ne!(ledger[1].key, ledger[0].key);
        assert!(ledger.iter().all(|r| !r.structured_output.is_empty()));
    }

    #[tokio::test]
    async fn errors_are_never_stored() {
        let store: Arc<dyn Store> = Arc::new(MemStore::default());
        let failing = layer(CacheMode::Rw, true, store.clone());
        assert!(failing.chat(&request("a")).await.is_err());
        assert!(failing.chat(&request("a")).await.is_err());
        assert_eq!(failing.inner.calls.load(Ordering::SeqCst), 2);
        assert!(store.scan(Tree::Llm, b"").unwrap().is_empty());
    }

    #[test]
    fn key_depends_on_every_answer_changing_field_only() {
        let id = ProviderId {
            kind: "openai".into(),
            host: "api.openai.com".into(),
        };
        let base = cache_key(&id, &request("a"));
        assert_eq!(base, cache_key(&id, &request("a")));
        let mut other = request("a");
        other.temperature = Some(0.3);
        assert_ne!(base, cache_key(&id, &other));
        let mut other = request("a");
        other.repeat = 1;
        assert_ne!(base, cache_key(&id, &other));
        let mut other = request("a");
        other.namespace = Namespace::Insight;
        assert_ne!(base, cache_key(&id, &other));
        let other_host = ProviderId {
            kind: "openai".into(),
            host: "api.deepseek.com".into(),
        };
        assert_ne!(base, cache_key(&other_host, &request("a")));
    }

    #[test]
    fn canonical_json_sorts_keys() {
        let mut out = String::new();
        write_canonical(
            &serde_json::json!({"b": 1, "a": {"d": [1, {"z": 0, "y": 1}], "c": null}}),
            &mut out,
        );
        assert_eq!(out, r#"{"a":{"c":null,"d":[1,{"y":1,"z":0}]},"b":1}"#);
    }
}
