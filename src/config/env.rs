//! Environment overrides (DESIGN §12). In: an `Env` (the process environment, or a map in tests);
//! out: the values that replace config keys. Secrets only ever come from here, never from the file.

/// The environment variables config reads, passed in so tests never touch the real environment.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment. An empty variable counts as unset.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
}

impl Env for std::collections::BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }
}

/// Variables that override a config key when set.
pub const BASE_URL: &str = "OPENAI_BASE_URL";
pub(super) const MODEL: &str = "NEWSDESK_MODEL";
pub(super) const STORE: &str = "NEWSDESK_STORE";
/// A PostgreSQL store URL; may carry the password (it is never recorded).
pub(super) const STORE_URL: &str = "NEWSDESK_STORE_URL";
/// The PostgreSQL password when the store URL has none (libpq's variable).
pub const PG_PASSWORD: &str = "PGPASSWORD";

/// The overrides present in one environment.
pub(super) struct Overrides {
    pub base_url: Option<String>,
    pub model: Option<String>,
    pub store: Option<String>,
    pub store_url: Option<String>,
    pub pg_password: Option<String>,
}

impl Overrides {
    pub(super) fn read(env: &dyn Env) -> Self {
        Overrides {
            base_url: env.var(BASE_URL),
            model: env.var(MODEL),
            store: env.var(STORE),
            store_url: env.var(STORE_URL),
            pg_password: env.var(PG_PASSWORD),
        }
    }
}
