//! Every line of SQL the store runs: the tables' schema and its versions, and the statements on
//! them. In: a connection; out: the database at this binary's schema version (migrations applied
//! in one transaction under a transaction-scoped advisory lock, so two processes starting
//! together migrate once, or nothing changed when the database is already newer), and the
//! store's statements prepared on that connection.

use tokio_postgres::{Client, Error, Statement};

/// The schema, one step per version; a step never changes once released.
pub(super) const MIGRATIONS: [&str; 1] = [include_str!("0001_entries.sql")];

/// The transaction-scoped advisory lock key migrations run under ("newsdesk" in ASCII).
const MIGRATION_LOCK: i64 = 0x6e65_7773_6465_736b;

/// The migration transaction. `Ok(schema)` when the database is at `known` afterwards,
/// `Err(found)` when it is already past it (nothing is changed then).
pub(super) async fn migrate_steps(
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

/// The store's statements, prepared once per connection: each use is then one round trip
/// (bind and execute), not a parse, a describe and an execute.
pub(super) struct Statements {
    pub get: Statement,
    pub get_many: Statement,
    pub put: Statement,
    pub put_many: Statement,
    pub insert_new: Statement,
    pub present: Statement,
    pub insert_many: Statement,
    pub scan_range: Statement,
    pub scan_from: Statement,
    pub remove: Statement,
    pub try_lock: Statement,
    pub unlock: Statement,
}

/// An unchanged value is left alone (no new row version): rewriting an article under its content
/// hash, or a manifest as it was, costs a read, not a dead tuple.
const UPSERT_CHANGED: &str = "ON CONFLICT (tree, key) DO UPDATE SET value = EXCLUDED.value
     WHERE newsdesk_entries.value IS DISTINCT FROM EXCLUDED.value";

impl Statements {
    /// Prepares every statement, pipelined on the one connection (one round trip's wait).
    pub(super) async fn prepare(client: &Client) -> Result<Statements, Error> {
        let put_sql = format!(
            "INSERT INTO newsdesk_entries (tree, key, value) VALUES ($1, $2, $3) {UPSERT_CHANGED}"
        );
        let put_many_sql = format!(
            "INSERT INTO newsdesk_entries (tree, key, value)
             SELECT $1::text, entry.key, entry.value
             FROM unnest($2::bytea[], $3::bytea[]) AS entry(key, value) {UPSERT_CHANGED}"
        );
        let (get, get_many, put, put_many, insert_new) = tokio::try_join!(
            client.prepare("SELECT value FROM newsdesk_entries WHERE tree = $1 AND key = $2"),
            client.prepare(
                "SELECT key, value FROM newsdesk_entries WHERE tree = $1 AND key = ANY($2::bytea[])"
            ),
            client.prepare(&put_sql),
            client.prepare(&put_many_sql),
            client.prepare(
                "INSERT INTO newsdesk_entries (tree, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (tree, key) DO NOTHING"
            ),
        )?;
        let (present, insert_many) = tokio::try_join!(
            client.prepare(
                "SELECT key FROM newsdesk_entries WHERE tree = $1 AND key = ANY($2::bytea[])"
            ),
            client.prepare(
                "INSERT INTO newsdesk_entries (tree, key, value)
                 SELECT $1::text, entry.key, entry.value
                 FROM unnest($2::bytea[], $3::bytea[]) AS entry(key, value)
                 ON CONFLICT (tree, key) DO NOTHING"
            ),
        )?;
        let (scan_range, scan_from, remove, try_lock, unlock) = tokio::try_join!(
            client.prepare(
                "SELECT key, value FROM newsdesk_entries
                 WHERE tree = $1 AND key >= $2 AND key < $3 ORDER BY key"
            ),
            client.prepare(
                "SELECT key, value FROM newsdesk_entries WHERE tree = $1 AND key >= $2 ORDER BY key"
            ),
            client.prepare("DELETE FROM newsdesk_entries WHERE tree = $1 AND key = $2"),
            client.prepare("SELECT pg_try_advisory_lock($1)"),
            client.prepare("SELECT pg_advisory_unlock($1)"),
        )?;
        Ok(Statements {
            get,
            get_many,
            put,
            put_many,
            insert_new,
            present,
            insert_many,
            scan_range,
            scan_from,
            remove,
            try_lock,
            unlock,
        })
    }
}
