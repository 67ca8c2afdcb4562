//! The validator's core: typed readers for TOML values that record a problem (with its dotted
//! key) instead of stopping, and the walk over the root table. The sections live beside it:
//! `digest.rs` (digest, sections, sources) and `provider.rs` (provider, limits).

use std::path::PathBuf;

use super::env::Overrides;
use super::types::{Config, PricingConfig, StoreConfig};
use super::{Env, Problem};

/// Walks the TOML table, collecting every problem instead of stopping at the first.
#[derive(Default)]
pub(super) struct Validator {
    pub problems: Vec<Problem>,
    /// Leave `[[deliver]]` out (a replay's recorded config: see `Config::parse_recorded`).
    pub skip_delivery: bool,
}

pub(super) type Table = toml::Table;

impl Validator {
    pub(super) fn problem(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            key: key.into(),
            message: message.into(),
        });
    }

    pub(super) fn unknown_keys(&mut self, table: &Table, prefix: &str, known: &[&str]) {
        for key in table.keys() {
            if !known.contains(&key.as_str()) {
                self.problem(
                    join(prefix, key),
                    format!("unknown key (expected one of: {})", known.join(", ")),
                );
            }
        }
    }

    pub(super) fn sub_table<'t>(
        &mut self,
        table: &'t Table,
        key: &str,
        prefix: &str,
    ) -> Option<&'t Table> {
        match table.get(key) {
            None => None,
            Some(toml::Value::Table(t)) => Some(t),
            Some(other) => {
                self.problem(
                    join(prefix, key),
                    format!("expected a table, found {}", other.type_str()),
                );
                None
            }
        }
    }

    pub(super) fn string(
        &mut self,
        table: &Table,
        key: &str,
        prefix: &str,
        default: Option<&str>,
    ) -> Option<String> {
        match table.get(key) {
            None => {
                if default.is_none() {
                    self.problem(join(prefix, key), "missing (expected a string)");
                }
                default.map(str::to_string)
            }
            Some(toml::Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.problem(
                    join(prefix, key),
                    format!("expected a string, found {}", other.type_str()),
                );
                None
            }
        }
    }

    pub(super) fn integer(
        &mut self,
        table: &Table,
        key: &str,
        prefix: &str,
        default: i64,
        range: std::ops::RangeInclusive<i64>,
    ) -> i64 {
        match table.get(key) {
            None => default,
            Some(toml::Value::Integer(n)) if range.contains(n) => *n,
            Some(toml::Value::Integer(n)) => {
                self.problem(
                    join(prefix, key),
                    format!(
                        "{n} is out of range (expected {}..={})",
                        range.start(),
                        range.end()
                    ),
                );
                default
            }
            Some(other) => {
                self.problem(
                    join(prefix, key),
                    format!("expected an integer, found {}", other.type_str()),
                );
                default
            }
        }
    }

    pub(super) fn float(
        &mut self,
        table: &Table,
        key: &str,
        prefix: &str,
        default: f64,
        range: std::ops::RangeInclusive<f64>,
    ) -> f64 {
        let value = match table.get(key) {
            None => return default,
            Some(toml::Value::Float(f)) => *f,
            Some(toml::Value::Integer(n)) => *n as f64,
            Some(other) => {
                self.problem(
                    join(prefix, key),
                    format!("expected a number, found {}", other.type_str()),
                );
                return default;
            }
        };
        if !range.contains(&value) {
            self.problem(
                join(prefix, key),
                format!(
                    "{value} is out of range (expected {}..={})",
                    range.start(),
                    range.end()
                ),
            );
            return default;
        }
        value
    }

    pub(super) fn boolean(
        &mut self,
        table: &Table,
        key: &str,
        prefix: &str,
        default: bool,
    ) -> bool {
        match table.get(key) {
            None => default,
            Some(toml::Value::Boolean(b)) => *b,
            Some(other) => {
                self.problem(
                    join(prefix, key),
                    format!("expected true or false, found {}", other.type_str()),
                );
                default
            }
        }
    }

    pub(super) fn config(
        &mut self,
        root: &Table,
        base_dir: &std::path::Path,
        env: &dyn Env,
    ) -> Option<Config> {
        self.unknown_keys(
            root,
            "",
            &[
                "digest", "sources", "provider", "limits", "pricing", "store", "collect", "triage",
                "deliver",
            ],
        );
        let empty = Table::new();
        let digest_table = self.sub_table(root, "digest", "").unwrap_or(&empty);
        let digest = self.digest(digest_table, base_dir);
        let sources = self.sources(root, base_dir);
        if sources.is_empty() && !self.problems.iter().any(|p| p.key.starts_with("sources")) {
            self.problem(
                "sources",
                "no sources configured (add at least one [[sources]] table with name and url)",
            );
        }
        if let Some(digest) = &digest {
            // A boost for a source that is not configured would silently never apply.
            for (name, _) in &digest.ranking.source_boosts {
                if !sources.iter().any(|s| &s.name == name) {
                    self.problem(
                        format!("digest.ranking.boost.sources.{name}"),
                        format!(
                            "no [[sources]] is named \"{name}\" (expected one of: {})",
                            sources
                                .iter()
                                .map(|s| s.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
            }
        }
        let collect_table = self.sub_table(root, "collect", "").unwrap_or(&empty);
        let collect = self.collect(collect_table);
        let triage_table = self.sub_table(root, "triage", "").unwrap_or(&empty);
        let triage = self.triage(triage_table);
        let provider_table = self.sub_table(root, "provider", "").unwrap_or(&empty);
        let overrides = Overrides::read(env);
        let provider = self.provider(provider_table, env, &overrides);
        let limits_table = self.sub_table(root, "limits", "").unwrap_or(&empty);
        let limits = self.limits(limits_table);
        let pricing_table = self.sub_table(root, "pricing", "").unwrap_or(&empty);
        self.unknown_keys(pricing_table, "pricing", &["input", "output"]);
        let pricing = PricingConfig {
            input: self.float(pricing_table, "input", "pricing", 0.15, 0.0..=1000.0),
            output: self.float(pricing_table, "output", "pricing", 0.60, 0.0..=1000.0),
        };
        let store_table = self.sub_table(root, "store", "").unwrap_or(&empty);
        let store = self.store(store_table, base_dir, &overrides)?;
        let deliver = if self.skip_delivery {
            Vec::new()
        } else {
            super::deliver::targets(root.get("deliver"), base_dir, env, &mut self.problems)
        };
        Some(Config {
            file: None,
            hash: String::new(),
            text: String::new(),
            digest: digest?,
            sources,
            provider: provider?,
            limits,
            pricing,
            store,
            collect,
            triage,
            deliver,
        })
    }
}

impl Validator {
    /// `[store]`: `path` (sled, the default) or `url` (PostgreSQL). The environment wins over
    /// the file: `NEWSDESK_STORE_URL`, then `NEWSDESK_STORE`. A password is a secret and so never
    /// in the file; it comes with `NEWSDESK_STORE_URL` or from `PGPASSWORD`.
    fn store(
        &mut self,
        table: &Table,
        base_dir: &std::path::Path,
        overrides: &Overrides,
    ) -> Option<StoreConfig> {
        self.unknown_keys(table, "store", &["path", "url"]);
        let path = self
            .string(table, "path", "store", Some(".newsdesk/store"))
            .map(|p| base_dir.join(p))?;
        let file_url = match table.get("url") {
            Some(_) => self.string(table, "url", "store", None),
            None => None,
        };
        if table.contains_key("path") && file_url.is_some() {
            self.problem(
                "store",
                "set either store.path (a sled directory) or store.url (PostgreSQL), not both",
            );
        }
        if let Some(url) = &file_url {
            if url::Url::parse(url).is_ok_and(|u| u.password().is_some()) {
                self.problem(
                    "store.url",
                    "carries a password; secrets never go in the config file: drop it and set \
                     PGPASSWORD (or the whole URL in NEWSDESK_STORE_URL)",
                );
                return None;
            }
        }
        let (url, key) = match (&overrides.store_url, &overrides.store, file_url) {
            (Some(url), _, _) => (Some(url.clone()), "NEWSDESK_STORE_URL"),
            (None, Some(dir), _) => {
                return Some(StoreConfig {
                    path: PathBuf::from(dir),
                    url: None,
                });
            }
            (None, None, url) => (url, "store.url"),
        };
        let url = match url {
            None => None,
            Some(url) if !crate::store::pg::is_pg_url(&url) => {
                self.problem(
                    key,
                    format!(
                        "\"{}\" is not a PostgreSQL URL (expected postgres://USER@HOST:PORT/DATABASE)",
                        crate::store::pg::without_password(&url)
                    ),
                );
                return None;
            }
            Some(url) => {
                match crate::store::pg::PgUrl::parse(&url, overrides.pg_password.clone()) {
                    Ok(url) => Some(url),
                    Err(e) => {
                        self.problem(key, e.to_string());
                        return None;
                    }
                }
            }
        };
        Some(StoreConfig { path, url })
    }
}

pub(super) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}
