//! `[[deliver]]` targets, validated once. In: the TOML array under `deliver` and the environment;
//! out: `Target`s whose secrets (URLs, tokens, SMTP URLs, signing keys) were read from the
//! environment, or one `Problem` per thing wrong — every one, not the first. A secret's value
//! never appears in a problem, a `Debug` print or anything else this module produces.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::{Env, Problem};

/// The events a target can ask for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// A lint-clean digest with every topic carded (exit 0).
    Published,
    /// A digest with failed topics, a missing insight or dead sources (exit 3).
    Partial,
    /// No digest worth sending (exit 1): only a short notice goes out.
    Failed,
}

impl Event {
    pub const ALL: [Event; 3] = [Event::Published, Event::Partial, Event::Failed];

    pub fn name(self) -> &'static str {
        match self {
            Event::Published => "published",
            Event::Partial => "partial",
            Event::Failed => "failed",
        }
    }

    fn from_name(name: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// Which service a target talks to; each has its own wire format and size limit (`format.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Webhook,
    Slack,
    Discord,
    Telegram,
    Feishu,
    Dingtalk,
    Wecom,
    Email,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::Webhook,
        Kind::Slack,
        Kind::Discord,
        Kind::Telegram,
        Kind::Feishu,
        Kind::Dingtalk,
        Kind::Wecom,
        Kind::Email,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Webhook => "webhook",
            Kind::Slack => "slack",
            Kind::Discord => "discord",
            Kind::Telegram => "telegram",
            Kind::Feishu => "feishu",
            Kind::Dingtalk => "dingtalk",
            Kind::Wecom => "wecom",
            Kind::Email => "email",
        }
    }

    fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The keys a `[[deliver]]` table of this kind may hold besides the common ones.
    fn own_keys(self) -> &'static [&'static str] {
        match self {
            Kind::Webhook => &["url_env", "secret_env", "template"],
            Kind::Feishu | Kind::Dingtalk => &["url_env", "secret_env"],
            Kind::Slack | Kind::Discord | Kind::Wecom => &["url_env"],
            Kind::Telegram => &["token_env", "chat_id_env", "api_url"],
            Kind::Email => &["smtp_url_env", "from", "to"],
        }
    }
}

const COMMON_KEYS: [&str; 5] = ["name", "kind", "events", "timeout_s", "max_attempts"];

/// A value read from the environment that must never be shown: `Debug` prints the variable's
/// name only, and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    /// The environment variable it came from (safe to name in messages).
    pub var: String,
    value: String,
}

impl Secret {
    pub fn new(var: impl Into<String>, value: impl Into<String>) -> Secret {
        Secret {
            var: var.into(),
            value: value.into(),
        }
    }

    /// The value, for the one place that puts it on the wire.
    pub fn expose(&self) -> &str {
        &self.value
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(${})", self.var)
    }
}

/// Where a target's messages go.
#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    /// Webhook-style kinds: one URL (a secret: it carries the token) and, for webhook, feishu
    /// and dingtalk, an optional signing key.
    Url {
        url: Secret,
        signing_key: Option<Secret>,
    },
    /// Telegram `sendMessage`: the bot token and chat id from the environment; the API root is
    /// configurable for a self-hosted Bot API server.
    Telegram {
        token: Secret,
        chat_id: Secret,
        api_url: String,
    },
    /// SMTP: `smtp://` (plain), `smtp://…?tls=required` (STARTTLS), `smtps://` (TLS).
    Email {
        smtp_url: Secret,
        from: String,
        to: Vec<String>,
    },
}

/// One validated `[[deliver]]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// Unique; names the target in logs, receipts and `deliver --target`.
    pub name: String,
    pub kind: Kind,
    pub events: BTreeSet<Event>,
    pub endpoint: Endpoint,
    /// Webhook only: a tera template rendering the JSON body instead of the built-in one.
    pub template: Option<PathBuf>,
    /// Per attempt: a target that never answers is given up on after this long.
    pub timeout: Duration,
    /// Attempts per message, the first included (429, 5xx and timeouts are retried).
    pub max_attempts: u32,
}

impl Target {
    pub fn wants(&self, event: Event) -> bool {
        self.events.contains(&event)
    }

    /// Every secret value this target holds, and the parts of its URLs that carry a token
    /// (path, long path segments, query values, user and password), longest first, so error
    /// text that quotes only part of a URL can be scrubbed too.
    pub fn secrets(&self) -> Vec<String> {
        let values: Vec<&Secret> = match &self.endpoint {
            Endpoint::Url { url, signing_key } => std::iter::once(url).chain(signing_key).collect(),
            Endpoint::Telegram { token, chat_id, .. } => vec![token, chat_id],
            Endpoint::Email { smtp_url, .. } => vec![smtp_url],
        };
        let mut out: Vec<String> = Vec::new();
        for value in values {
            let mut pieces = Vec::new();
            if let Ok(url) = url::Url::parse(value.expose()) {
                pieces.push(url.path().to_string());
                pieces.extend(
                    url.path_segments()
                        .into_iter()
                        .flatten()
                        .map(str::to_string),
                );
                pieces.extend(url.query_pairs().map(|(_, v)| v.into_owned()));
                pieces.push(url.username().to_string());
                pieces.extend(url.password().map(str::to_string));
            }
            // Short pieces ("/", "services", "send") carry no token and would garble the text;
            // webhook tokens are far longer.
            pieces.retain(|p| p.chars().count() >= 10);
            out.push(value.expose().to_string());
            out.extend(pieces);
        }
        // A value this short is no secret, and replacing it everywhere would shred the text.
        out.retain(|s| s.chars().count() >= 6);
        out.sort_by_key(|s| std::cmp::Reverse(s.len()));
        out.dedup();
        out
    }
}

const DEFAULT_TIMEOUT_S: i64 = 30;
const DEFAULT_MAX_ATTEMPTS: i64 = 4;
const TELEGRAM_API: &str = "https://api.telegram.org";

/// Reads `deliver` (absent = no targets), recording every problem with its key.
pub fn targets(
    value: Option<&toml::Value>,
    base_dir: &Path,
    env: &dyn Env,
    problems: &mut Vec<Problem>,
) -> Vec<Target> {
    let tables = match value {
        None => return Vec::new(),
        Some(toml::Value::Array(items)) => items,
        Some(other) => {
            problems.push(problem(
                "deliver",
                format!(
                    "expected [[deliver]] tables, found {} (write each target as a [[deliver]] table)",
                    other.type_str()
                ),
            ));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let mut names = BTreeSet::new();
    for (i, item) in tables.iter().enumerate() {
        let prefix = format!("deliver[{i}]");
        let Some(table) = item.as_table() else {
            problems.push(problem(&prefix, "expected a table"));
            continue;
        };
        let mut reader = Reader {
            table,
            prefix: &prefix,
            env,
            problems,
        };
        if let Some(target) = reader.target(base_dir) {
            if !names.insert(target.name.clone()) {
                reader.problem(
                    "name",
                    format!(
                        "\"{}\" is already the name of another target (names must be unique)",
                        target.name
                    ),
                );
                continue;
            }
            out.push(target);
        }
    }
    out
}

fn problem(key: impl Into<String>, message: impl Into<String>) -> Problem {
    Problem {
        key: key.into(),
        message: message.into(),
    }
}

/// One `[[deliver]]` table being read; problems go to the shared list.
struct Reader<'a> {
    table: &'a toml::Table,
    prefix: &'a str,
    env: &'a dyn Env,
    problems: &'a mut Vec<Problem>,
}

impl Reader<'_> {
    fn problem(&mut self, key: &str, message: impl Into<String>) {
        self.problems
            .push(problem(format!("{}.{key}", self.prefix), message));
    }

    fn string(&mut self, key: &str) -> Option<String> {
        match self.table.get(key)? {
            toml::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            toml::Value::String(_) => {
                self.problem(key, "is empty");
                None
            }
            other => {
                self.problem(
                    key,
                    format!("expected a string, found {}", other.type_str()),
                );
                None
            }
        }
    }

    fn required(&mut self, key: &str, what: &str) -> Option<String> {
        if !self.table.contains_key(key) {
            self.problem(key, format!("missing ({what})"));
            return None;
        }
        self.string(key)
    }

    /// The secret in the environment variable that `key` names (`key` is required).
    fn secret(&mut self, key: &str, what: &str) -> Option<Secret> {
        let var = self.required(key, &format!("the environment variable holding {what}"))?;
        match self.env.var(&var) {
            Some(value) => Some(Secret::new(var, value)),
            None => {
                self.problem(
                    key,
                    format!("environment variable {var} is not set (export it with {what})"),
                );
                None
            }
        }
    }

    fn optional_secret(&mut self, key: &str, what: &str) -> Option<Secret> {
        if self.table.contains_key(key) {
            self.secret(key, what)
        } else {
            None
        }
    }

    fn integer(&mut self, key: &str, default: i64, range: std::ops::RangeInclusive<i64>) -> i64 {
        match self.table.get(key) {
            None => default,
            Some(toml::Value::Integer(n)) if range.contains(n) => *n,
            Some(other) => {
                self.problem(
                    key,
                    format!(
                        "expected an integer in {}..={}, found {other}",
                        range.start(),
                        range.end()
                    ),
                );
                default
            }
        }
    }

    fn events(&mut self) -> BTreeSet<Event> {
        let Some(value) = self.table.get("events") else {
            return BTreeSet::from([Event::Published]);
        };
        let Some(items) = value.as_array() else {
            self.problem(
                "events",
                "expected a list such as [\"published\", \"failed\"]",
            );
            return BTreeSet::new();
        };
        let mut events = BTreeSet::new();
        for item in items {
            match item.as_str().and_then(Event::from_name) {
                Some(event) => {
                    events.insert(event);
                }
                None => self.problem(
                    "events",
                    format!("{item} is not an event (expected published, partial or failed)"),
                ),
            }
        }
        if items.is_empty() {
            self.problem(
                "events",
                "is empty (list at least one of published, partial, failed, or remove the target)",
            );
        }
        events
    }

    fn unknown_keys(&mut self, kind: Option<Kind>) {
        let own = kind.map_or(&[][..], Kind::own_keys);
        let unknown: Vec<String> = self
            .table
            .keys()
            .filter(|k| !COMMON_KEYS.contains(&k.as_str()) && !own.contains(&k.as_str()))
            .cloned()
            .collect();
        if kind.is_none() {
            return;
        }
        let known: Vec<&str> = COMMON_KEYS.iter().chain(own).copied().collect();
        for key in unknown {
            self.problem(
                &key,
                format!(
                    "unknown key for kind {} (expected one of: {})",
                    kind.map_or("", Kind::name),
                    known.join(", ")
                ),
            );
        }
    }

    fn target(&mut self, base_dir: &Path) -> Option<Target> {
        let name = self.required("name", "a unique name such as \"team\"");
        if let Some(name) = &name
            && !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.problem(
                "name",
                format!("\"{name}\" may hold only letters, digits, '-' and '_'"),
            );
        }
        let kind = self
            .required("kind", "one of webhook, slack, discord, telegram, feishu, dingtalk, wecom, email")
            .and_then(|k| {
                let kind = Kind::from_name(&k);
                if kind.is_none() {
                    self.problem(
                        "kind",
                        format!(
                            "\"{k}\" is not a delivery kind (expected webhook, slack, discord, telegram, feishu, dingtalk, wecom or email)"
                        ),
                    );
                }
                kind
            });
        self.unknown_keys(kind);
        let events = self.events();
        let timeout_s = self.integer("timeout_s", DEFAULT_TIMEOUT_S, 1..=600);
        let max_attempts = self.integer("max_attempts", DEFAULT_MAX_ATTEMPTS, 1..=10);
        let kind = kind?;
        let endpoint = self.endpoint(kind);
        let template = match kind {
            Kind::Webhook => self.string("template").map(|t| base_dir.join(t)),
            _ => None,
        };
        if let Some(path) = &template
            && !path.is_file()
        {
            self.problem(
                "template",
                format!("{} does not exist or is not a file", path.display()),
            );
        }
        Some(Target {
            name: name?,
            kind,
            events,
            endpoint: endpoint?,
            template,
            timeout: Duration::from_secs(timeout_s as u64),
            max_attempts: max_attempts as u32,
        })
    }

    fn endpoint(&mut self, kind: Kind) -> Option<Endpoint> {
        match kind {
            Kind::Email => {
                let smtp_url = self.secret(
                    "smtp_url_env",
                    "an SMTP URL such as smtp://user:pass@host:587?tls=required",
                );
                if let Some(url) = &smtp_url {
                    let scheme = url.expose().split("://").next().unwrap_or_default();
                    if !matches!(scheme, "smtp" | "smtps") {
                        self.problem(
                            "smtp_url_env",
                            format!(
                                "the URL in {} must start with smtp:// or smtps:// (its value is not shown)",
                                url.var
                            ),
                        );
                    }
                }
                let from = self
                    .required("from", "the sender, e.g. \"AI Daily <digest@example.com>\"")
                    .filter(|from| self.mailbox("from", from));
                let to = self.recipients();
                Some(Endpoint::Email {
                    smtp_url: smtp_url?,
                    from: from?,
                    to: to?,
                })
            }
            Kind::Telegram => {
                let token = self.secret("token_env", "the bot token from @BotFather");
                let chat_id = self.secret("chat_id_env", "the chat id to post to");
                let api_url = self
                    .string("api_url")
                    .unwrap_or_else(|| TELEGRAM_API.to_string());
                if !api_url.starts_with("http://") && !api_url.starts_with("https://") {
                    self.problem("api_url", format!("\"{api_url}\" is not an http(s) URL"));
                }
                Some(Endpoint::Telegram {
                    token: token?,
                    chat_id: chat_id?,
                    api_url: api_url.trim_end_matches('/').to_string(),
                })
            }
            _ => {
                let url = self.secret("url_env", "the incoming-webhook URL");
                if let Some(url) = &url
                    && reqwest::Url::parse(url.expose())
                        .map_or(true, |u| !matches!(u.scheme(), "http" | "https"))
                {
                    self.problem(
                        "url_env",
                        format!(
                            "the value of {} is not an http(s) URL (its value is not shown)",
                            url.var
                        ),
                    );
                }
                let signing_key = self.optional_secret("secret_env", "the signing secret");
                Some(Endpoint::Url {
                    url: url?,
                    signing_key,
                })
            }
        }
    }

    fn mailbox(&mut self, key: &str, value: &str) -> bool {
        let ok = value.parse::<lettre::message::Mailbox>().is_ok();
        if !ok {
            self.problem(
                key,
                format!("\"{value}\" is not an email address (e.g. \"Team <team@example.com>\")"),
            );
        }
        ok
    }

    fn recipients(&mut self) -> Option<Vec<String>> {
        let Some(value) = self.table.get("to") else {
            self.problem(
                "to",
                "missing (a list of recipients, e.g. [\"team@example.com\"])",
            );
            return None;
        };
        let Some(items) = value.as_array() else {
            self.problem("to", "expected a list of addresses");
            return None;
        };
        if items.is_empty() {
            self.problem("to", "is empty (list at least one recipient)");
            return None;
        }
        let mut to = Vec::new();
        let mut ok = true;
        for item in items {
            match item.as_str() {
                Some(addr) => {
                    ok &= self.mailbox("to", addr);
                    to.push(addr.to_string());
                }
                None => {
                    self.problem("to", format!("{item} is not a string"));
                    ok = false;
                }
            }
        }
        ok.then_some(to)
    }
}
