//! Durable bytes by tree and key: the `Store` seam, its sled implementation and the choice of
//! backend. In: keys and values from the cache layer and the run manifest; out: the same bytes on
//! a later run or replay. A sled directory is one process at a time (a second gets
//! `StoreError::Locked`); a PostgreSQL store (`pg`) is shared by many processes, with one writer
//! per digest and day (`StoreError::RunLocked`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod pg;
#[doc(hidden)]
pub mod testing;

/// The namespaces of the store (DESIGN §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tree {
    /// Cache key → cached LLM call.
    Llm,
    /// Article id → article.
    Articles,
    /// URL → conditional-GET validators.
    Http,
    /// Run id → manifest.
    Runs,
    /// `<run id>/<target>` → delivery receipt (`deliver/receipt.rs`).
    Deliveries,
}

impl Tree {
    pub const ALL: [Tree; 5] = [
        Tree::Llm,
        Tree::Articles,
        Tree::Http,
        Tree::Runs,
        Tree::Deliveries,
    ];

    pub fn from_name(name: &str) -> Option<Tree> {
        Tree::ALL.into_iter().find(|t| t.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Tree::Llm => "llm",
            Tree::Articles => "articles",
            Tree::Http => "http",
            Tree::Runs => "runs",
            Tree::Deliveries => "deliveries",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "store {path} is locked by another newsdesk process (wait for it to finish, or use --store DIR for a separate store)"
    )]
    Locked { path: PathBuf },
    #[error(
        "store path {path} is a regular file, not a store directory (pass --store DIR, or set store.path to a directory)"
    )]
    NotADirectory { path: PathBuf },
    #[error("cannot open store {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("store {tree} tree: {reason}")]
    Io { tree: &'static str, reason: String },
    #[error("store {url}: {what} failed: {reason}")]
    Database {
        url: String,
        what: &'static str,
        reason: String,
    },
    #[error(
        "store {url}: the connection to the database was lost while {what} ({reason}); every entry is written whole, so rerun when the database is back (calls already stored are not paid again)"
    )]
    ConnectionLost {
        url: String,
        what: &'static str,
        reason: String,
    },
    #[error(
        "store {url} has schema version {found}, newer than this newsdesk knows ({known}): upgrade newsdesk; nothing was written"
    )]
    SchemaTooNew { url: String, found: i32, known: i32 },
    #[error(
        "{scope} is being written by another newsdesk process on store {store} (wait for it to finish; other digests and days can run meanwhile)"
    )]
    RunLocked { store: String, scope: String },
}

/// Where a store lives: a sled directory or a PostgreSQL database.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    Dir(PathBuf),
    Postgres(Box<pg::PgUrl>),
}

impl StoreLocation {
    /// A `postgres://` URL (password from the URL or `pg_password`) or a directory path.
    pub fn parse(text: &str, pg_password: Option<String>) -> Result<StoreLocation, StoreError> {
        if pg::is_pg_url(text) {
            let url = pg::PgUrl::parse(text, pg_password)?;
            Ok(StoreLocation::Postgres(Box::new(url)))
        } else {
            Ok(StoreLocation::Dir(PathBuf::from(text)))
        }
    }

    /// Opens the store; the caller sees only the trait.
    pub fn open(&self) -> Result<Arc<dyn Store>, StoreError> {
        Ok(match self {
            StoreLocation::Dir(path) => Arc::new(SledStore::open(path)?),
            StoreLocation::Postgres(url) => Arc::new(pg::PgStore::open(url)?),
        })
    }
}

impl std::fmt::Display for StoreLocation {
    /// The path, or the URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreLocation::Dir(path) => write!(f, "{}", path.display()),
            StoreLocation::Postgres(url) => write!(f, "{url}"),
        }
    }
}

/// Held while this process owns a piece of shared work (a digest and day, a call being paid
/// for); dropping it lets the next process in.
pub struct Claim {
    release: Option<Box<dyn FnOnce() + Send + Sync>>,
}

impl Claim {
    pub fn new(release: impl FnOnce() + Send + Sync + 'static) -> Claim {
        Claim {
            release: Some(Box::new(release)),
        }
    }

    /// A claim with nothing to release (a store only one process can open).
    pub fn exclusive_store() -> Claim {
        Claim { release: None }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            release();
        }
    }
}

/// Key/value pairs as a scan returns them, in key order.
pub type Entries = Vec<(Vec<u8>, Vec<u8>)>;

/// Durable bytes by namespace and key: sled (`SledStore`) or PostgreSQL (`pg::PgStore`).
pub trait Store: Send + Sync {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    fn put(&self, tree: Tree, key: &[u8], val: &[u8]) -> Result<(), StoreError>;
    /// The values of `keys`, in the order asked (`None` where absent): one round trip on a
    /// database instead of one per key.
    fn get_many(&self, tree: Tree, keys: &[&[u8]]) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        keys.iter().map(|key| self.get(tree, key)).collect()
    }
    /// Every entry written as by one `put` after another (of a key given twice, the last value
    /// stays); returns how many keys were new to the store. One round trip on a database
    /// instead of two per entry.
    fn put_many(&self, tree: Tree, entries: &[(&[u8], &[u8])]) -> Result<usize, StoreError> {
        let mut new = 0;
        for (key, val) in entries {
            new += usize::from(self.get(tree, key)?.is_none());
            self.put(tree, key, val)?;
        }
        Ok(new)
    }
    /// The entries whose keys are absent written, the others left as they are: for content-
    /// addressed keys, whose stored bytes are the ones offered. Returns how many were written.
    /// On a database, one round trip when every key is there, and nothing sent but the keys.
    fn insert_many(&self, tree: Tree, entries: &[(&[u8], &[u8])]) -> Result<usize, StoreError> {
        let mut written = 0;
        for (key, val) in entries {
            written += usize::from(self.put_if_absent(tree, key, val)?.is_none());
        }
        Ok(written)
    }
    /// Stores `val` unless `key` is already there, atomically: `None` when this call wrote it,
    /// else the value another writer stored first (which the caller should use, so every
    /// reader of the key sees one answer).
    fn put_if_absent(
        &self,
        tree: Tree,
        key: &[u8],
        val: &[u8],
    ) -> Result<Option<Vec<u8>>, StoreError>;
    /// Makes what was written durable; an error when it cannot be (or, on a database, when the
    /// connection it was written on is gone).
    fn flush(&self) -> Result<(), StoreError>;
    /// All entries whose key starts with `prefix`, in key order.
    fn scan(&self, tree: Tree, prefix: &[u8]) -> Result<Entries, StoreError>;
    fn remove(&self, tree: Tree, key: &[u8]) -> Result<(), StoreError>;
    /// Claims `scope` (one digest and day) for this process until the lock is dropped, or
    /// fails with `RunLocked` when another process holds it. A store only one process can open
    /// (sled) holds every scope already.
    fn lock_run(&self, scope: &str) -> Result<Claim, StoreError> {
        let _ = scope;
        Ok(Claim::exclusive_store())
    }
    /// Before paying for the entry `key` of `tree`: `Some(claim)` when this process should
    /// produce it, `None` when another process is producing it right now (wait, then `get`).
    /// Never blocks. A claim ends when dropped or when its process dies.
    fn try_claim(&self, tree: Tree, key: &[u8]) -> Result<Option<Claim>, StoreError> {
        let _ = (tree, key);
        Ok(Some(Claim::exclusive_store()))
    }
}

pub struct SledStore {
    /// `None` only inside `drop`.
    db: Option<sled::Db>,
    /// The file sled holds its exclusive lock on (`<store>/db`).
    lock_file: PathBuf,
}

/// How long dropping a `SledStore` waits for sled to let go of its lock file.
const CLOSE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Drop for SledStore {
    /// Dropping the handle closes the store: sled's background I/O jobs (segment truncation,
    /// log writes) own clones of the locked file and can outlive the `Db` by milliseconds, more
    /// on a busy machine, so a reopen right after — `cache gc` opens the same store three times
    /// in one process — would otherwise see our own lock and report "store is locked". This
    /// waits (bounded) until the lock can be taken, so the next open in this process succeeds.
    fn drop(&mut self) {
        drop(self.db.take());
        wait_for_unlock(&self.lock_file, CLOSE_WAIT);
    }
}

/// Returns once `file`'s exclusive lock is free (taking and releasing it), or after `bound`.
fn wait_for_unlock(file: &Path, bound: std::time::Duration) {
    let Ok(handle) = std::fs::File::open(file) else {
        return;
    };
    let deadline = std::time::Instant::now() + bound;
    loop {
        match fs2::FileExt::try_lock_exclusive(&handle) {
            Ok(()) => {
                let _ = fs2::FileExt::unlock(&handle);
                return;
            }
            Err(e)
                if e.kind() == fs2::lock_contended_error().kind()
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            Err(_) => return,
        }
    }
}

impl SledStore {
    pub fn open(path: &Path) -> Result<SledStore, StoreError> {
        if path.is_file() {
            return Err(StoreError::NotADirectory {
                path: path.to_path_buf(),
            });
        }
        std::fs::create_dir_all(path).map_err(|e| StoreError::Open {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        match sled::Config::new().path(path).open() {
            Ok(db) => Ok(SledStore {
                db: Some(db),
                lock_file: path.join("db"),
            }),
            // sled takes an exclusive file lock and reports a held lock as an io error
            // ("could not acquire lock" / WouldBlock); that is the one case callers act on.
            Err(sled::Error::Io(e))
                if e.kind() == std::io::ErrorKind::WouldBlock || e.to_string().contains("lock") =>
            {
                Err(StoreError::Locked {
                    path: path.to_path_buf(),
                })
            }
            Err(e) => Err(StoreError::Open {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }),
        }
    }

    fn db(&self) -> &sled::Db {
        self.db.as_ref().expect("the store is open until dropped")
    }

    fn tree(&self, tree: Tree) -> Result<sled::Tree, StoreError> {
        self.db().open_tree(tree.name()).map_err(|e| io(tree, e))
    }

    /// Bytes the store's files take on disk (sled's own estimate).
    pub fn size_on_disk(&self) -> Result<u64, StoreError> {
        self.db().size_on_disk().map_err(|e| StoreError::Io {
            tree: "all",
            reason: e.to_string(),
        })
    }
}

/// Decides per (tree, key, value) whether `compact` carries an entry into the fresh store.
pub type KeepFn<'a> = dyn Fn(Tree, &[u8], &[u8]) -> bool + 'a;

/// Rewrites the store at `path` into a fresh store holding only what `keep` accepts, then swaps
/// it in with renames, so a crash leaves either the old store or the new one, never a mix.
/// The caller must not hold the store open. Returns (bytes before, bytes after) on disk.
pub fn compact(path: &Path, keep: &KeepFn<'_>) -> Result<(u64, u64), StoreError> {
    let fresh_path = sibling(path, "compacting");
    let old_path = sibling(path, "old");
    for stale in [&fresh_path, &old_path] {
        if stale.exists() {
            std::fs::remove_dir_all(stale).map_err(|e| open_err(stale, e))?;
        }
    }
    let before;
    {
        let old = SledStore::open(path)?;
        before = dir_size(path);
        let fresh = SledStore::open(&fresh_path)?;
        for tree in Tree::ALL {
            for (k, v) in old.scan(tree, b"")? {
                if keep(tree, &k, &v) {
                    fresh.put(tree, &k, &v)?;
                }
            }
        }
        fresh.flush()?;
    }
    std::fs::rename(path, &old_path).map_err(|e| open_err(path, e))?;
    std::fs::rename(&fresh_path, path).map_err(|e| open_err(path, e))?;
    std::fs::remove_dir_all(&old_path).map_err(|e| open_err(&old_path, e))?;
    Ok((before, dir_size(path)))
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{suffix}"));
    path.with_file_name(name)
}

fn open_err(path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Open {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// How a batch of JSON items goes in (`put_json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    /// `put_many`: every value written, as by one `put` after another.
    Replace,
    /// `insert_many`: content-addressed keys, only the absent ones written.
    IfAbsent,
}

/// Writes every item as JSON under its key in one batch; returns how many keys were new.
pub fn put_json<'a, T: serde::Serialize + 'a>(
    store: &dyn Store,
    tree: Tree,
    batch: Batch,
    items: impl IntoIterator<Item = (&'a [u8], &'a T)>,
) -> Result<usize, StoreError> {
    let (keys, values): (Vec<&[u8]>, Vec<Vec<u8>>) = items
        .into_iter()
        .map(|(key, item)| {
            (
                key,
                serde_json::to_vec(item).expect("stored items serialize"),
            )
        })
        .unzip();
    let entries: Vec<(&[u8], &[u8])> = keys
        .into_iter()
        .zip(values.iter().map(Vec::as_slice))
        .collect();
    match batch {
        Batch::Replace => store.put_many(tree, &entries),
        Batch::IfAbsent => store.insert_many(tree, &entries),
    }
}

/// Bytes of every file under `dir` (what `du` would count, minus block rounding).
pub fn dir_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

fn io(tree: Tree, e: sled::Error) -> StoreError {
    StoreError::Io {
        tree: tree.name(),
        reason: e.to_string(),
    }
}

impl Store for SledStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .tree(tree)?
            .get(key)
            .map_err(|e| io(tree, e))?
            .map(|v| v.to_vec()))
    }

    fn put(&self, tree: Tree, key: &[u8], val: &[u8]) -> Result<(), StoreError> {
        self.tree(tree)?.insert(key, val).map_err(|e| io(tree, e))?;
        Ok(())
    }

    fn put_if_absent(
        &self,
        tree: Tree,
        key: &[u8],
        val: &[u8],
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let swapped = self
            .tree(tree)?
            .compare_and_swap(key, None::<&[u8]>, Some(val))
            .map_err(|e| io(tree, e))?;
        Ok(swapped.err().and_then(|e| e.current).map(|v| v.to_vec()))
    }

    fn flush(&self) -> Result<(), StoreError> {
        self.db().flush().map_err(|e| StoreError::Io {
            tree: "all",
            reason: e.to_string(),
        })?;
        Ok(())
    }

    fn scan(&self, tree: Tree, prefix: &[u8]) -> Result<Entries, StoreError> {
        self.tree(tree)?
            .scan_prefix(prefix)
            .map(|kv| {
                kv.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(|e| io(tree, e))
            })
            .collect()
    }

    fn remove(&self, tree: Tree, key: &[u8]) -> Result<(), StoreError> {
        self.tree(tree)?.remove(key).map_err(|e| io(tree, e))?;
        Ok(())
    }
}

/// (tree name, key) → value.
type MemTrees = std::collections::BTreeMap<(&'static str, Vec<u8>), Vec<u8>>;

/// An in-memory store for tests.
#[derive(Default)]
pub struct MemStore {
    trees: std::sync::Mutex<MemTrees>,
}

impl Store for MemStore {
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self
            .trees
            .lock()
            .expect("store mutex")
            .get(&(tree.name(), key.to_vec()))
            .cloned())
    }

    fn put(&self, tree: Tree, key: &[u8], val: &[u8]) -> Result<(), StoreError> {
        self.trees
            .lock()
            .expect("store mutex")
            .insert((tree.name(), key.to_vec()), val.to_vec());
        Ok(())
    }

    fn put_if_absent(
        &self,
        tree: Tree,
        key: &[u8],
        val: &[u8],
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let mut trees = self.trees.lock().expect("store mutex");
        match trees.entry((tree.name(), key.to_vec())) {
            std::collections::btree_map::Entry::Occupied(held) => Ok(Some(held.get().clone())),
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(val.to_vec());
                Ok(None)
            }
        }
    }

    fn flush(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn scan(&self, tree: Tree, prefix: &[u8]) -> Result<Entries, StoreError> {
        Ok(self
            .trees
            .lock()
            .expect("store mutex")
            .iter()
            .filter(|((t, k), _)| *t == tree.name() && k.starts_with(prefix))
            .map(|((_, k), v)| (k.clone(), v.clone()))
            .collect())
    }

    fn remove(&self, tree: Tree, key: &[u8]) -> Result<(), StoreError> {
        self.trees
            .lock()
            .expect("store mutex")
            .remove(&(tree.name(), key.to_vec()));
        Ok(())
    }
}

#[cfg(test)]
mod backends;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_open_reports_locked() {
        let dir = tempfile::tempdir().unwrap();
        let _first = SledStore::open(dir.path()).unwrap();
        match SledStore::open(dir.path()) {
            Err(StoreError::Locked { path }) => assert_eq!(path, dir.path()),
            Err(other) => panic!("expected Locked, got {other}"),
            Ok(_) => panic!("a second open of the same store must fail"),
        }
    }

    #[test]
    fn a_closed_store_reopens_at_once_in_the_same_process() {
        // Overwrites leave garbage, so sled frees and truncates segments in background jobs
        // that hold the lock file; the drop must outwait them (the `cache gc` flake).
        let dir = tempfile::tempdir().unwrap();
        for round in 0..20u32 {
            let store = match SledStore::open(dir.path()) {
                Ok(store) => store,
                Err(e) => panic!("reopen {round} right after a drop: {e}"),
            };
            for i in 0..100u32 {
                let value = vec![round as u8; 16_000 + i as usize];
                store
                    .put(Tree::Llm, format!("k{}", i % 25).as_bytes(), &value)
                    .unwrap();
            }
            store.flush().unwrap();
        }
    }

    #[test]
    fn mem_store_scans_by_tree_and_prefix() {
        let store = MemStore::default();
        store.put(Tree::Runs, b"r-2", b"b").unwrap();
        store.put(Tree::Runs, b"r-1", b"a").unwrap();
        store.put(Tree::Llm, b"r-3", b"c").unwrap();
        let found = store.scan(Tree::Runs, b"r-").unwrap();
        assert_eq!(
            found,
            vec![
                (b"r-1".to_vec(), b"a".to_vec()),
                (b"r-2".to_vec(), b"b".to_vec())
            ]
        );
    }
}
