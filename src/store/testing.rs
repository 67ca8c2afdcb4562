//! Test support: every backend a store test should run against. In: `NEWSDESK_TEST_PG_URL` (a
//! role allowed to create schemas in its database; `.ci/run` creates one); out: a fresh sled
//! directory and, when the server answers, a fresh PostgreSQL schema per test, dropped after it,
//! so tests run in parallel without seeing each other.

use std::sync::atomic::{AtomicU32, Ordering};

use super::StoreLocation;
use super::pg::{PgStore, PgUrl};

/// The variable naming the test database, e.g.
/// `postgres://newsdesk_test:newsdesk_test@127.0.0.1:5432/newsdesk_test`.
pub const TEST_PG_URL: &str = "NEWSDESK_TEST_PG_URL";

/// A store location for one test, with what must outlive it (a temp dir, a schema to drop).
pub struct TestStore {
    pub backend: &'static str,
    pub location: StoreLocation,
    /// For PostgreSQL: the URL with its password, for child processes (`--store`).
    pub url: Option<String>,
    _dir: Option<tempfile::TempDir>,
    schema: Option<(PgStore, String)>,
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.schema {
            let _ = admin.batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"));
        }
    }
}

/// A sled store in a fresh temporary directory.
pub fn sled() -> TestStore {
    let dir = tempfile::tempdir().expect("a temporary directory");
    TestStore {
        backend: "sled",
        location: StoreLocation::Dir(dir.path().join("store")),
        url: None,
        _dir: Some(dir),
        schema: None,
    }
}

/// A PostgreSQL store in a schema of its own, or `None` (with the reason on stderr) when
/// `NEWSDESK_TEST_PG_URL` is unset or its server cannot be reached.
pub fn postgres(test: &str) -> Option<TestStore> {
    let Some(base) = std::env::var(TEST_PG_URL).ok().filter(|u| !u.is_empty()) else {
        eprintln!(
            "{test}: PostgreSQL part skipped: {TEST_PG_URL} is not set (.ci/run starts a server and sets it)"
        );
        return None;
    };
    let admin_url = PgUrl::parse(&base, None).expect("NEWSDESK_TEST_PG_URL is a postgres:// URL");
    let admin = match PgStore::connect(&admin_url) {
        Ok(admin) => admin,
        Err(e) => {
            eprintln!("{test}: PostgreSQL part skipped: {e}");
            return None;
        }
    };
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "t{}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed),
        chrono::Utc::now().timestamp_micros() % 1_000_000
    );
    admin
        .batch_execute(&format!("CREATE SCHEMA {name}"))
        .expect("the test role may create a schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    let url =
        format!("{base}{separator}options=-csearch_path%3D{name}&application_name=newsdesk-{name}");
    let location = StoreLocation::parse(&url, None).expect("a test URL parses");
    Some(TestStore {
        backend: "postgres",
        location,
        url: Some(url),
        _dir: None,
        schema: Some((admin, name)),
    })
}

/// Every backend available here: sled always, PostgreSQL when its server answers.
pub fn backends(test: &str) -> Vec<TestStore> {
    let mut all = vec![sled()];
    all.extend(postgres(test));
    all
}

impl TestStore {
    /// The schema this store's tables live in (PostgreSQL only).
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_ref().map(|(_, name)| name.as_str())
    }

    /// Runs SQL on the test's admin connection (PostgreSQL only).
    pub fn admin_sql(&self, sql: &str) {
        let (admin, _) = self.schema.as_ref().expect("a PostgreSQL test store");
        admin.batch_execute(sql).expect("admin SQL runs");
    }

    /// What a child process's `--store` takes: the URL with its password, or the directory.
    pub fn arg(&self) -> String {
        match (&self.url, &self.location) {
            (Some(url), _) => url.clone(),
            (None, StoreLocation::Dir(path)) => path.to_string_lossy().into_owned(),
            (None, StoreLocation::Postgres(url)) => url.to_string(),
        }
    }
}
