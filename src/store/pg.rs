//! The `Store` on PostgreSQL, for a store shared by several processes and machines. In: a
//! `postgres://` URL (password from the URL or `PGPASSWORD`); out: the same trees as the sled
//! store, in one table `newsdesk_entries (tree, key bytea, value bytea)`, so a tree added to
//! `Tree` needs no migration.
//!
//! **Why a worker thread.** The `Store` trait is synchronous (the cache layer, the manifest and
//! the history commands call it from sync code and from async tasks alike) while tokio-postgres is
//! async. A `PgStore` owns one connection driven by a current-thread tokio runtime on its own
//! thread; each trait call sends a job there and waits for the answer on a std channel. That works
//! from any caller — plain threads, `#[tokio::test]`'s current-thread runtime (where
//! `block_in_place` would panic) and the multi-thread runtime of the binary (where `Handle::block_on`
//! would panic) — and concurrent callers' queries are pipelined on the one connection, so the 8–16
//! card tasks of a run do not queue behind each other. The wait blocks a runtime worker for one
//! round trip (well under a millisecond on loopback), as sled's own I/O does.
//!
//! **Concurrency.** Every write is one autocommitted statement, so a connection lost mid-run
//! leaves whole entries or none: a rerun repairs it by redoing what is missing. Calls go in with
//! `put_if_absent` (`INSERT … ON CONFLICT DO NOTHING`, then a re-read in a new statement), so two
//! workers answering the same call keep one answer; `put` leaves a row whose value is unchanged
//! alone, so an article written again under its content hash costs no new row version. One
//! writer per digest and day is a session advisory lock (`lock_run`), released when the run ends
//! or its connection drops (a killed worker holds nothing).
//!
//! **Schema.** `MIGRATIONS` run at open in one transaction under `pg_advisory_xact_lock`, recorded
//! in `newsdesk_schema_version`; a database migrated by a newer newsdesk is refused, never written.
//! Tables live in the connection's `search_path` (default `public`); a URL option such as
//! `?options=-csearch_path%3Dteam_a` gives a team its own schema in a shared database.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio_postgres::Client;

use super::{Claim, Entries, Store, StoreError, Tree};

/// The schema, one step per version; a step never changes once released.
const MIGRATIONS: [&str; 1] = [include_str!("pg/0001_entries.sql")];

/// The transaction-scoped advisory lock key migrations run under ("newsdesk" in ASCII).
const MIGRATION_LOCK: i64 = 0x6e65_7773_6465_736b;

/// How long a connection attempt may take before the store reports the database unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A `postgres://` URL whose password never leaves this type: `Display` shows it without one.
#[derive(Clone)]
pub struct PgUrl {
    config: tokio_postgres::Config,
    /// The URL as shown in messages and manifests, password removed.
    shown: String,
    /// The password, so a server message quoting it can be scrubbed.
    password: Option<String>,
}

impl std::fmt::Display for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

impl std::fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgUrl({})", self.shown)
    }
}

/// Whether `text` names a PostgreSQL store rather than a directory.
pub fn is_pg_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// `text` without the password of its URL userinfo, when it is a URL that has one.
pub fn without_password(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => text.to_string(),
    }
}

impl PgUrl {
    /// Parses `url`; the password comes from the URL or else from `pg_password` (`PGPASSWORD`).
    pub fn parse(url: &str, pg_password: Option<String>) -> Result<PgUrl, StoreError> {
        let shown = without_password(url);
        let mut config: tokio_postgres::Config =
            url.parse()
                .map_err(|e: tokio_postgres::Error| StoreError::Open {
                    path: shown.clone().into(),
                    reason: format!(
                        "not a PostgreSQL URL ({e}); expected postgres://USER@HOST:PORT/DATABASE"
                    ),
                })?;
        if config.get_user().is_none() {
            return Err(StoreError::Open {
                path: shown.into(),
                reason: "the URL names no user; expected postgres://USER@HOST:PORT/DATABASE".into(),
            });
        }
        if config.get_password().is_none() {
            if let Some(password) = pg_password {
                config.password(password);
            }
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("newsdesk");
        }
        let password = config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .filter(|p| !p.is_empty());
        Ok(PgUrl {
            config,
            shown,
            password,
        })
    }

    /// `reason` with the password (if any) cut out, for messages that may quote the server.
    fn scrub(&self, reason: String) -> String {
        match &self.password {
            Some(p) if reason.contains(p.as_str()) => reason.replace(p.as_str(), "***"),
            _ => reason,
        }
    }
}

type Job = Box<dyn FnOnce(Arc<Client>) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

pub struct PgStore {
    url: PgUrl,
    /// `None` only inside `drop`.
    jobs: Option<tokio::sync::mpsc::UnboundedSender<Job>>,
    worker: Option<std::thread::JoinHandle<()>>,
    /// The schema the tables live in; part of every run-lock key, so two stores in two schemas
    /// of one database never block each other.
    schema: String,
}

impl Drop for PgStore {
    /// Closes the connection and waits for it, so the session (and any advisory lock it holds)
    /// has ended when the handle is gone.
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl PgStore {
    /// Connects, applies pending migrations, and returns the open store.
    pub fn open(url: &PgUrl) -> Result<PgStore, StoreError> {
        let mut store = PgStore::connect(url)?;
        store.schema = store.migrate()?;
        Ok(store)
    }

    /// Runs SQL statements as they are, outside the store's tables' API: for tests that set a
    /// database up (schemas, a future schema version, a terminated session).
    #[doc(hidden)]
    pub fn batch_execute(&self, sql: &str) -> Result<(), StoreError> {
        let sql = sql.to_string();
        self.call("running SQL", move |client| async move {
            client.batch_execute(&sql).await
        })
    }

    /// The open connection, no migration applied.
    #[doc(hidden)]
    pub fn connect(url: &PgUrl) -> Result<PgStore, StoreError> {
        let (jobs, mut queue) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        let config = url.config.clone();
        let worker = std::thread::Builder::new()
            .name("newsdesk-pg".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("cannot start its runtime: {e}")));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let client = match connect(&config).await {
                        Ok(client) => Arc::new(client),
                        Err(reason) => {
                            let _ = ready_tx.send(Err(reason));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    while let Some(job) = queue.recv().await {
                        tokio::spawn(job(client.clone()));
                    }
                });
            })
            .map_err(|e| StoreError::Open {
                path: url.shown.clone().into(),
                reason: format!("cannot start the database thread: {e}"),
            })?;
        let connected = ready_rx
            .recv()
            .unwrap_or_else(|_| Err("the database thread stopped".into()));
        if let Err(reason) = connected {
            let _ = worker.join();
            return Err(StoreError::Open {
                path: url.shown.clone().into(),
                reason: url.scrub(reason),
            });
        }
        Ok(PgStore {
            url: url.clone(),
            jobs: Some(jobs),
            worker: Some(worker),
            schema: String::new(),
        })
    }

    /// The URL this store was opened with, password removed.
    pub fn url(&self) -> &PgUrl {
        &self.url
    }

    /// Runs `query` on the connection's thread and waits for its result.
    fn call<T, F, Fut>(&self, what: &'static str, query: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Arc<Client>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, tokio_postgres::Error>> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let job: Job = Box::new(move |client| {
            Box::pin(async move {
                let _ = tx.send(query(client).await);
            })
        });
        let sent = self
            .jobs
            .as_ref()
            .is_some_and(|jobs| jobs.send(job).is_ok());
        let answer = if sent { rx.recv().ok() } else { None };
        match answer {
            Some(Ok(value)) => Ok(value),
            Some(Err(e)) => Err(self.error(what, &e)),
            None => Err(self.lost(what, "the database thread stopped".into())),
        }
    }

    fn error(&self, what: &'static str, e: &tokio_postgres::Error) -> StoreError {
        let db = e.as_db_error();
        let reason = match db {
            Some(db) => format!("{} ({})", db.message(), db.code().code()),
            None => e.to_string(),
        };
        // SQLSTATE class 08 (connection exception) and 57P (the server shutting down, the
        // session terminated) end the session as surely as a closed socket.
        let session_ended = db.is_some_and(|db| {
            let code = db.code().code();
            code.starts_with("08") || code.starts_with("57P")
        });
        if e.is_closed() || session_ended {
            return self.lost(what, reason);
        }
        StoreError::Database {
            url: self.url.to_string(),
            what,
            reason: self.url.scrub(reason),
        }
    }

    fn lost(&self, what: &'static str, reason: String) -> StoreError {
        StoreError::ConnectionLost {
            url: self.url.to_string(),
            what,
            reason: self.url.scrub(reason),
        }
    }

    /// Applies the migrations this binary knows and the database lacks, all in one transaction
    /// under a transaction-scoped advisory lock (two processes starting together migrate once).
    /// Returns the schema the tables are in.
    fn migrate(&self) -> Result<String, StoreError> {
        let known = MIGRATIONS.len() as i32;
        let applied = self.call("migrating the schema", move |client| async move {
            migrate_steps(&client, known).await
        })?;
        match applied {
            Ok(schema) => Ok(schema),
            Err(found) => Err(StoreError::SchemaTooNew {
                url: self.url.to_string(),
                found,
                known,
            }),
        }
    }

    /// Bytes the store's table takes in the database, indexes and TOAST included.
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.call("measuring the store", |client| async move {
            let row = client
                .query_one(
                    "SELECT pg_total_relation_size('newsdesk_entries')::bigint",
                    &[],
                )
                .await?;
            Ok(row.get::<_, i64>(0).max(0) as u64)
        })
    }

    /// Deletes every entry `keep` refuses, in one transaction, then lets the database reuse the
    /// space (`VACUUM`). The transaction is on this handle's one connection, so this handle must
    /// have no other user meanwhile (`cache gc` opens its own). Concurrent runs keep working meanwhile: an entry a run adds during the
    /// collection is written after the scan and so is never deleted by it.
    pub fn retain(&self, keep: &super::KeepFn<'_>) -> Result<usize, StoreError> {
        let mut doomed: Vec<(&'static str, Vec<u8>)> = Vec::new();
        for tree in Tree::ALL {
            for (key, value) in self.scan(tree, b"")? {
                if !keep(tree, &key, &value) {
                    doomed.push((tree.name(), key));
                }
            }
        }
        let count = doomed.len();
        self.call("collecting garbage", move |client| async move {
            client.batch_execute("BEGIN").await?;
            let statement = client
                .prepare("DELETE FROM newsdesk_entries WHERE tree = $1 AND key = $2")
                .await?;
            for (tree, key) in &doomed {
                if let Err(e) = client.execute(&statement, &[tree, key]).await {
                    let _ = client.batch_execute("ROLLBACK").await;
                    return Err(e);
                }
            }
            client.batch_execute("COMMIT").await?;
            client.batch_execute("VACUUM newsdesk_entries").await
        })?;
        Ok(count)
    }
}

async fn connect(config: &tokio_postgres::Config) -> Result<Client, String> {
    use tokio_postgres::config::SslMode;
    #[cfg(feature = "postgres-tls")]
    if config.get_ssl_mode() != SslMode::Disable {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let tls = match tokio_postgres_rustls::MakeRustlsConnect::with_native_certs() {
            Ok((tls, _)) => tls,
            Err(errors) => {
                return Err(format!(
                    "no trusted root certificates could be loaded for TLS ({errors:?})"
                ));
            }
        };
        let (client, connection) = config.connect(tls).await.map_err(describe_connect)?;
        tokio::spawn(connection);
        return Ok(client);
    }
    if config.get_ssl_mode() == SslMode::Require {
        return Err(
            "the URL requires TLS (sslmode=require) but this newsdesk was built without the \
             postgres-tls feature: rebuild with `--features postgres-tls`, or use \
             sslmode=disable on loopback"
                .into(),
        );
    }
    let (client, connection) = config
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(describe_connect)?;
    tokio::spawn(connection);
    Ok(client)
}

fn describe_connect(e: tokio_postgres::Error) -> String {
    let detail = match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                text = format!("{text}: {s}");
                source = s.source();
            }
            text
        }
    };
    format!(
        "cannot connect ({detail}); is the server running and the URL right? The password comes \
         from the URL or PGPASSWORD"
    )
}

/// The migration transaction. `Ok(schema)` when the database is at `known` afterwards,
/// `Err(found)` when it is already past it (nothing is changed then).
async fn migrate_steps(
    client: &Client,
    known: i32,
) -> Result<Result<String, i32>, tokio_postgres::Error> {
    client.batch_execute("BEGIN").await?;
    let outcome = async {
        client
            .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS newsdesk_schema_version (
                     version integer PRIMARY KEY,
                     applied_at timestamptz NOT NULL DEFAULT now())",
            )
            .await?;
        let found: i32 = client
            .query_one(
                "SELECT coalesce(max(version), 0) FROM newsdesk_schema_version",
                &[],
            )
            .await?
            .get(0);
        if found > known {
            return Ok(Err(found));
        }
        for (step, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            client.batch_execute(sql).await?;
            client
                .execute(
                    "INSERT INTO newsdesk_schema_version (version) VALUES ($1)",
                    &[&(step as i32 + 1)],
                )
                .await?;
        }
        let schema: String = client
            .query_one("SELECT current_schema()::text", &[])
            .await?
            .get(0);
        Ok(Ok(schema))
    }
    .await;
    match &outcome {
        Ok(Ok(_)) => client.batch_execute("COMMIT").await?,
        _ => {
            let _ = client.batch_execute("ROLLBACK").await;
        }
    }
    outcome
}

/// The smallest byte string greater than every string starting with `prefix`, if any.
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

impl Store for PgStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let key = key.to_vec();
        self.call("reading an entry", move |client| async move {
            let row = client
                .query_opt(
                    "SELECT value FROM newsdesk_entries WHERE tree = $1 AND key = $2",
                    &[&tree.name(), &key],
                )
                .await?;
            Ok(row.map(|r| r.get::<_, Vec<u8>>(0)))
        })
    }

    fn put(&self, tree: Tree, key: &[u8], val: &[u8]) -> Result<(), StoreError> {
        // An unchanged value is left alone (no new row version): rewriting an article under its
        // content hash, or a manifest as it was, costs a read, not a dead tuple.
        let sql = "INSERT INTO newsdesk_entries (tree, key, value) VALUES ($1, $2, $3)
             ON CONFLICT (tree, key) DO UPDATE SET value = EXCLUDED.value
             WHERE newsdesk_entries.value IS DISTINCT FROM EXCLUDED.value";
        let (key, val) = (key.to_vec(), val.to_vec());
        self.call("writing an entry", move |client| async move {
            client.execute(sql, &[&tree.name(), &key, &val]).await?;
            Ok(())
        })
    }

    fn put_if_absent(
        &self,
        tree: Tree,
        key: &[u8],
        val: &[u8],
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let (key, val) = (key.to_vec(), val.to_vec());
        self.call("writing an entry", move |client| async move {
            let inserted = client
                .execute(
                    "INSERT INTO newsdesk_entries (tree, key, value) VALUES ($1, $2, $3)
                     ON CONFLICT (tree, key) DO NOTHING",
                    &[&tree.name(), &key, &val],
                )
                .await?;
            if inserted == 1 {
                return Ok(None);
            }
            // Another writer's row: read it in a new statement (READ COMMITTED sees it now).
            let row = client
                .query_opt(
                    "SELECT value FROM newsdesk_entries WHERE tree = $1 AND key = $2",
                    &[&tree.name(), &key],
                )
                .await?;
            Ok(row.map(|r| r.get::<_, Vec<u8>>(0)))
        })
    }

    fn flush(&self) -> Result<(), StoreError> {
        // Every statement commits on its own, so a committed row is durable already. What a
        // flush can still say is whether the connection is there: a run checks it before it
        // publishes, so a write whose error a stage swallowed does not go unnoticed.
        let closed = self.call("confirming what was written", |client| async move {
            Ok(client.is_closed())
        })?;
        if closed {
            return Err(self.lost("confirming what was written", "connection closed".into()));
        }
        Ok(())
    }

    fn scan(&self, tree: Tree, prefix: &[u8]) -> Result<Entries, StoreError> {
        let start = prefix.to_vec();
        let end = prefix_end(prefix);
        self.call("scanning entries", move |client| async move {
            let rows = match &end {
                Some(end) => {
                    client
                        .query(
                            "SELECT key, value FROM newsdesk_entries
                             WHERE tree = $1 AND key >= $2 AND key < $3 ORDER BY key",
                            &[&tree.name(), &start, end],
                        )
                        .await?
                }
                None => {
                    client
                        .query(
                            "SELECT key, value FROM newsdesk_entries
                             WHERE tree = $1 AND key >= $2 ORDER BY key",
                            &[&tree.name(), &start],
                        )
                        .await?
                }
            };
            Ok(rows
                .into_iter()
                .map(|r| (r.get::<_, Vec<u8>>(0), r.get::<_, Vec<u8>>(1)))
                .collect())
        })
    }

    fn remove(&self, tree: Tree, key: &[u8]) -> Result<(), StoreError> {
        let key = key.to_vec();
        self.call("removing an entry", move |client| async move {
            client
                .execute(
                    "DELETE FROM newsdesk_entries WHERE tree = $1 AND key = $2",
                    &[&tree.name(), &key],
                )
                .await?;
            Ok(())
        })
    }

    fn lock_run(&self, scope: &str) -> Result<Claim, StoreError> {
        match self.try_advisory_lock(lock_key(&self.schema, "run", scope.as_bytes()))? {
            Some(claim) => Ok(claim),
            None => Err(StoreError::RunLocked {
                store: self.url.to_string(),
                scope: scope.to_string(),
            }),
        }
    }

    fn try_claim(&self, tree: Tree, key: &[u8]) -> Result<Option<Claim>, StoreError> {
        self.try_advisory_lock(lock_key(&self.schema, tree.name(), key))
    }
}

impl PgStore {
    /// A session advisory lock on `key` if free now (`pg_try_advisory_lock` never waits, so the
    /// shared connection never stalls), released when the claim drops or the session ends.
    fn try_advisory_lock(&self, key: i64) -> Result<Option<Claim>, StoreError> {
        let held = self.call("taking an advisory lock", move |client| async move {
            let row = client
                .query_one("SELECT pg_try_advisory_lock($1)", &[&key])
                .await?;
            Ok(row.get::<_, bool>(0))
        })?;
        if !held {
            return Ok(None);
        }
        // Weak: a claim that outlives its store (or is leaked) must not keep the connection open.
        let jobs = self.jobs.as_ref().map(|jobs| jobs.downgrade());
        Ok(Some(Claim::new(move || {
            // Best effort: if the connection is gone, so is the session and with it the lock.
            if let Some(jobs) = jobs.and_then(|weak| weak.upgrade()) {
                let (tx, rx) = std::sync::mpsc::sync_channel::<()>(1);
                let job: Job = Box::new(move |client| {
                    Box::pin(async move {
                        let _ = client
                            .execute("SELECT pg_advisory_unlock($1)", &[&key])
                            .await;
                        let _ = tx.send(());
                    })
                });
                if jobs.send(job).is_ok() {
                    let _ = rx.recv();
                }
            }
        })))
    }
}

/// The advisory lock key of one (schema, kind, name): the first 8 bytes of their blake3, so
/// stores in two schemas of one database never block each other.
fn lock_key(schema: &str, kind: &str, name: &[u8]) -> i64 {
    let mut hasher = blake3::Hasher::new();
    for part in [schema.as_bytes(), kind.as_bytes(), name] {
        hasher.update(&(part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let mut first = [0u8; 8];
    first.copy_from_slice(&hasher.finalize().as_bytes()[..8]);
    i64::from_be_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_is_the_next_byte_string() {
        assert_eq!(prefix_end(b"ab"), Some(b"ac".to_vec()));
        assert_eq!(prefix_end(&[b'a', 0xff]), Some(b"b".to_vec()));
        assert_eq!(prefix_end(&[0xff, 0xff]), None);
        assert_eq!(prefix_end(b""), None);
    }

    #[test]
    fn the_password_never_shows() {
        let url = PgUrl::parse("postgres://team:s3cret@db.example:5432/news", None).unwrap();
        assert_eq!(url.to_string(), "postgres://team@db.example:5432/news");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(
            url.scrub("auth failed for s3cret".into()),
            "auth failed for ***"
        );
        let from_env = PgUrl::parse("postgres://team@db.example/news", Some("pw".into())).unwrap();
        assert_eq!(from_env.config.get_password(), Some(&b"pw"[..]));
        assert_eq!(from_env.to_string(), "postgres://team@db.example/news");
    }

    #[test]
    fn a_url_without_a_user_is_refused_by_name() {
        let err = PgUrl::parse("postgres://db.example/news", None).unwrap_err();
        assert!(err.to_string().contains("names no user"), "{err}");
    }

    #[test]
    fn lock_keys_differ_by_schema_and_scope() {
        let a = lock_key("public", "run", b"digest 2026-12-06");
        assert_eq!(a, lock_key("public", "run", b"digest 2026-12-06"));
        assert_ne!(a, lock_key("team_b", "run", b"digest 2026-12-06"));
        assert_ne!(a, lock_key("public", "run", b"digest 2026-12-07"));
        assert_ne!(a, lock_key("public", "llm", b"digest 2026-12-06"));
    }
}
