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
//! round trip (well under a millisecond on an idle loopback), as sled's own I/O does.
//!
//! **Round trips are the cost.** A call is a thread hop and a server round trip where sled reads
//! memory, so every statement is prepared once per connection (`schema::Statements`: one round
//! trip per use, not a parse and an execute) and a source's articles go in with one `put_many`
//! (one statement per 1,000 entries) rather than a read and a write per article.
//!
//! **Concurrency.** Every write is one autocommitted statement, so a connection lost mid-run
//! leaves whole entries or none: a rerun repairs it by redoing what is missing. Calls go in with
//! `put_if_absent` (`INSERT … ON CONFLICT DO NOTHING`, then a re-read in a new statement), so two
//! workers answering the same call keep one answer; `put` leaves a row whose value is unchanged
//! alone, so an article written again under its content hash costs no new row version. One
//! writer per digest and day is a session advisory lock (`lock_run`), released when the run ends
//! or its connection drops (a killed worker holds nothing).
//!
//! **Schema** (`schema.rs`, with every statement). Migrations run at open in one transaction
//! under `pg_advisory_xact_lock`, recorded in `newsdesk_schema_version`; a database migrated by a
//! newer newsdesk is refused, never written. Tables live in the connection's `search_path`
//! (default `public`); a URL option such as `?options=-csearch_path%3Dteam_a` gives a team its
//! own schema in a shared database. The URL, its password and TLS are `connect.rs`.

mod connect;
mod schema;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use tokio_postgres::Client;

pub use connect::{PgUrl, is_pg_url, without_password};

use super::{Claim, Entries, Store, StoreError, Tree};

/// Entries one batch statement carries at most, so a large `put_many` or `get_many` stays far
/// from the protocol's message limits.
const BATCH: usize = 1000;

/// The connection as the worker's jobs see it: the client, and the store's statements, prepared
/// when a store call first asks for them (after the migrations, which create their table).
struct Session {
    client: Client,
    statements: tokio::sync::OnceCell<schema::Statements>,
}

impl Session {
    async fn statements(&self) -> Result<&schema::Statements, tokio_postgres::Error> {
        self.statements
            .get_or_try_init(|| schema::Statements::prepare(&self.client))
            .await
    }

    /// The value of `key` in `tree`, read in a statement of its own.
    async fn value(
        &self,
        tree: Tree,
        key: &[u8],
    ) -> Result<Option<Vec<u8>>, tokio_postgres::Error> {
        let get = &self.statements().await?.get;
        let row = self.client.query_opt(get, &[&tree.name(), &key]).await?;
        Ok(row.map(|r| r.get::<_, Vec<u8>>(0)))
    }
}

type Job = Box<dyn FnOnce(Arc<Session>) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

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
        self.call("running SQL", move |session| async move {
            session.client.batch_execute(&sql).await
        })
    }

    /// The open connection, no migration applied.
    #[doc(hidden)]
    pub fn connect(url: &PgUrl) -> Result<PgStore, StoreError> {
        let (jobs, mut queue) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        let target = url.clone();
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
                    let session = match connect::connect(&target).await {
                        Ok(client) => Arc::new(Session {
                            client,
                            statements: tokio::sync::OnceCell::new(),
                        }),
                        Err(reason) => {
                            let _ = ready_tx.send(Err(reason));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    while let Some(job) = queue.recv().await {
                        tokio::spawn(job(session.clone()));
                    }
                });
            })
            .map_err(|e| StoreError::Open {
                path: url.to_string().into(),
                reason: format!("cannot start the database thread: {e}"),
            })?;
        let connected = ready_rx
            .recv()
            .unwrap_or_else(|_| Err("the database thread stopped".into()));
        if let Err(reason) = connected {
            let _ = worker.join();
            return Err(StoreError::Open {
                path: url.to_string().into(),
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
        F: FnOnce(Arc<Session>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, tokio_postgres::Error>> + Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let job: Job = Box::new(move |session| {
            Box::pin(async move {
                let _ = tx.send(query(session).await);
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
        let known = schema::MIGRATIONS.len() as i32;
        let applied = self.call("migrating the schema", move |session| async move {
            schema::migrate_steps(&session.client, known).await
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
        self.call("measuring the store", |session| async move {
            let row = session
                .client
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
        self.call("collecting garbage", move |session| async move {
            let (client, remove) = (&session.client, &session.statements().await?.remove);
            client.batch_execute("BEGIN").await?;
            for (tree, key) in &doomed {
                if let Err(e) = client.execute(remove, &[tree, key]).await {
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
        self.call("reading an entry", move |session| async move {
            session.value(tree, &key).await
        })
    }

    fn get_many(&self, tree: Tree, keys: &[&[u8]]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let asked: Vec<Vec<u8>> = keys.iter().map(|k| k.to_vec()).collect();
        let found = self.call("reading entries", move |session| async move {
            let get_many = &session.statements().await?.get_many;
            let mut found: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
            for chunk in asked.chunks(BATCH) {
                for row in session
                    .client
                    .query(get_many, &[&tree.name(), &chunk])
                    .await?
                {
                    found.insert(row.get(0), row.get(1));
                }
            }
            Ok(found)
        })?;
        Ok(keys.iter().map(|k| found.get(*k).cloned()).collect())
    }

    fn put(&self, tree: Tree, key: &[u8], val: &[u8]) -> Result<(), StoreError> {
        let (key, val) = (key.to_vec(), val.to_vec());
        self.call("writing an entry", move |session| async move {
            let put = &session.statements().await?.put;
            session
                .client
                .execute(put, &[&tree.name(), &key, &val])
                .await?;
            Ok(())
        })
    }

    fn put_many(&self, tree: Tree, entries: &[(&[u8], &[u8])]) -> Result<usize, StoreError> {
        // One statement cannot update a row twice: of a key given twice the last value goes in,
        // as it would with one put after another.
        let last: HashMap<&[u8], usize> = entries
            .iter()
            .enumerate()
            .map(|(i, (key, _))| (*key, i))
            .collect();
        let (keys, values): (Vec<Vec<u8>>, Vec<Vec<u8>>) = entries
            .iter()
            .enumerate()
            .filter(|(i, (key, _))| last[key] == *i)
            .map(|(_, (key, value))| (key.to_vec(), value.to_vec()))
            .unzip();
        self.call("writing entries", move |session| async move {
            let statements = session.statements().await?;
            let mut new = 0;
            for (keys, values) in keys.chunks(BATCH).zip(values.chunks(BATCH)) {
                // Pipelined, so one round trip: which keys were there, then the write (`try_join`
                // polls, and so sends, its first future first).
                let name = tree.name();
                let asked: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&name, &keys];
                let written: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
                    [&name, &keys, &values];
                let (present, _) = futures::future::try_join(
                    session.client.query(&statements.present, &asked),
                    session.client.execute(&statements.put_many, &written),
                )
                .await?;
                new += keys.len() - present.len();
            }
            Ok(new)
        })
    }

    fn insert_many(&self, tree: Tree, entries: &[(&[u8], &[u8])]) -> Result<usize, StoreError> {
        // The keys first, so a batch the store holds already costs its keys, not its values.
        let keys: Vec<Vec<u8>> = entries.iter().map(|(key, _)| key.to_vec()).collect();
        let present = self.call("reading keys", move |session| async move {
            let present = &session.statements().await?.present;
            let mut found: HashSet<Vec<u8>> = HashSet::new();
            for chunk in keys.chunks(BATCH) {
                let rows = session
                    .client
                    .query(present, &[&tree.name(), &chunk])
                    .await?;
                found.extend(rows.into_iter().map(|row| row.get(0)));
            }
            Ok(found)
        })?;
        let (keys, values): (Vec<Vec<u8>>, Vec<Vec<u8>>) = entries
            .iter()
            .filter(|(key, _)| !present.contains(*key))
            .map(|(key, value)| (key.to_vec(), value.to_vec()))
            .unzip();
        if keys.is_empty() {
            return Ok(0);
        }
        self.call("writing entries", move |session| async move {
            let insert_many = &session.statements().await?.insert_many;
            let mut written = 0;
            for (keys, values) in keys.chunks(BATCH).zip(values.chunks(BATCH)) {
                let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
                    [&tree.name(), &keys, &values];
                written += session.client.execute(insert_many, &params).await? as usize;
            }
            Ok(written)
        })
    }

    fn put_if_absent(
        &self,
        tree: Tree,
        key: &[u8],
        val: &[u8],
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let (key, val) = (key.to_vec(), val.to_vec());
        self.call("writing an entry", move |session| async move {
            let insert_new = &session.statements().await?.insert_new;
            let inserted = session
                .client
                .execute(insert_new, &[&tree.name(), &key, &val])
                .await?;
            if inserted == 1 {
                return Ok(None);
            }
            // Another writer's row: read it in a new statement (READ COMMITTED sees it now).
            session.value(tree, &key).await
        })
    }

    fn flush(&self) -> Result<(), StoreError> {
        // Every statement commits on its own, so a committed row is durable already. What a
        // flush can still say is whether the connection is there: a run checks it before it
        // publishes, so a write whose error a stage swallowed does not go unnoticed.
        let closed = self.call("confirming what was written", |session| async move {
            Ok(session.client.is_closed())
        })?;
        if closed {
            return Err(self.lost("confirming what was written", "connection closed".into()));
        }
        Ok(())
    }

    fn scan(&self, tree: Tree, prefix: &[u8]) -> Result<Entries, StoreError> {
        let start = prefix.to_vec();
        let end = prefix_end(prefix);
        self.call("scanning entries", move |session| async move {
            let statements = session.statements().await?;
            let rows = match &end {
                Some(end) => {
                    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
                        [&tree.name(), &start, end];
                    session
                        .client
                        .query(&statements.scan_range, &params)
                        .await?
                }
                None => {
                    session
                        .client
                        .query(&statements.scan_from, &[&tree.name(), &start])
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
        self.call("removing an entry", move |session| async move {
            let remove = &session.statements().await?.remove;
            session
                .client
                .execute(remove, &[&tree.name(), &key])
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
        let held = self.call("taking an advisory lock", move |session| async move {
            let try_lock = &session.statements().await?.try_lock;
            let row = session.client.query_one(try_lock, &[&key]).await?;
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
                let job: Job = Box::new(move |session| {
                    Box::pin(async move {
                        if let Ok(statements) = session.statements().await {
                            let _ = session.client.execute(&statements.unlock, &[&key]).await;
                        }
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
    fn lock_keys_differ_by_schema_and_scope() {
        let a = lock_key("public", "run", b"digest 2026-12-06");
        assert_eq!(a, lock_key("public", "run", b"digest 2026-12-06"));
        assert_ne!(a, lock_key("team_b", "run", b"digest 2026-12-06"));
        assert_ne!(a, lock_key("public", "run", b"digest 2026-12-07"));
        assert_ne!(a, lock_key("public", "llm", b"digest 2026-12-06"));
    }
}
