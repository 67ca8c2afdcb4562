//! One set of store tests, run against every backend (`testing::backends`): sled in a temp
//! directory and PostgreSQL in a schema of its own when `NEWSDESK_TEST_PG_URL` answers.

use std::sync::Arc;

use super::testing::{self, TestStore};
use super::*;

/// Runs `check` on a freshly opened store of every backend, naming the backend on failure.
fn on_every_backend(test: &str, check: impl Fn(&TestStore, Arc<dyn Store>)) {
    for backend in testing::backends(test) {
        let store = backend
            .location
            .open()
            .unwrap_or_else(|e| panic!("{}: open: {e}", backend.backend));
        check(&backend, store);
    }
}

#[test]
fn round_trips_by_tree_and_survives_reopen() {
    on_every_backend("round_trips", |backend, store| {
        store.put(Tree::Llm, b"k1", b"v1").unwrap();
        store.put(Tree::Runs, b"k1", b"other tree").unwrap();
        store.put(Tree::Llm, b"k2", b"v2").unwrap();
        store.flush().unwrap();
        drop(store);
        let store = backend.location.open().unwrap();
        let name = backend.backend;
        assert_eq!(
            store.get(Tree::Llm, b"k1").unwrap().as_deref(),
            Some(&b"v1"[..]),
            "{name}"
        );
        assert_eq!(
            store.get(Tree::Runs, b"k1").unwrap().as_deref(),
            Some(&b"other tree"[..]),
            "{name}"
        );
        assert_eq!(store.get(Tree::Articles, b"k1").unwrap(), None, "{name}");
    });
}

#[test]
fn scans_by_prefix_in_byte_order_within_one_tree() {
    on_every_backend("scans_by_prefix", |backend, store| {
        let keys: [&[u8]; 7] = [
            b"r-2",
            b"r-10",
            b"r-1",
            b"r",
            b"s",
            &[b'r', b'-', 0xff],
            b"q-1",
        ];
        for (i, key) in keys.iter().enumerate() {
            store.put(Tree::Runs, key, &[i as u8]).unwrap();
        }
        store.put(Tree::Llm, b"r-3", b"other tree").unwrap();
        let found: Vec<Vec<u8>> = store
            .scan(Tree::Runs, b"r-")
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let expected: Vec<Vec<u8>> = vec![
            b"r-1".to_vec(),
            b"r-10".to_vec(),
            b"r-2".to_vec(),
            vec![b'r', b'-', 0xff],
        ];
        assert_eq!(found, expected, "{}", backend.backend);
        assert_eq!(store.scan(Tree::Runs, b"").unwrap().len(), 7);
        assert_eq!(
            store.scan(Tree::Runs, &[b'r', b'-', 0xff]).unwrap(),
            vec![(vec![b'r', b'-', 0xff], vec![5u8])]
        );
        assert!(store.scan(Tree::Http, b"").unwrap().is_empty());
    });
}

#[test]
fn values_come_back_byte_for_byte() {
    on_every_backend("byte_for_byte", |backend, store| {
        // What the cache hashes: JSON with its own key order and spacing, and bytes that are no
        // text at all.
        let json = br#"{"z": 1,  "a": [ 2 ] , "a": "dup"}"#.to_vec();
        let binary: Vec<u8> = (0..=255u8).chain([0, 0, 0xff]).collect();
        let large = vec![b'x'; 3_000_000];
        store.put(Tree::Llm, b"json", &json).unwrap();
        store.put(Tree::Llm, &[0, 159, 146, 150], &binary).unwrap();
        store.put(Tree::Articles, b"large", &large).unwrap();
        store.put(Tree::Http, b"empty", b"").unwrap();
        let name = backend.backend;
        assert_eq!(store.get(Tree::Llm, b"json").unwrap(), Some(json), "{name}");
        assert_eq!(
            store.get(Tree::Llm, &[0, 159, 146, 150]).unwrap(),
            Some(binary)
        );
        assert_eq!(store.get(Tree::Articles, b"large").unwrap(), Some(large));
        assert_eq!(store.get(Tree::Http, b"empty").unwrap(), Some(Vec::new()));
    });
}

#[test]
fn put_overwrites_and_remove_deletes() {
    on_every_backend("overwrite_remove", |backend, store| {
        store.put(Tree::Http, b"u", b"first").unwrap();
        store.put(Tree::Http, b"u", b"second").unwrap();
        store.put(Tree::Http, b"u", b"second").unwrap();
        assert_eq!(
            store.get(Tree::Http, b"u").unwrap().as_deref(),
            Some(&b"second"[..]),
            "{}",
            backend.backend
        );
        store.remove(Tree::Http, b"u").unwrap();
        store.remove(Tree::Http, b"never there").unwrap();
        assert_eq!(store.get(Tree::Http, b"u").unwrap(), None);
    });
}

#[test]
fn batches_read_and_write_as_one_call_after_another_would() {
    on_every_backend("batches", |backend, store| {
        let name = backend.backend;
        // More than one statement's worth on PostgreSQL, a key given twice, an unchanged value.
        let keys: Vec<Vec<u8>> = (0..2_500u32)
            .map(|i| format!("a{i:05}").into_bytes())
            .collect();
        let values: Vec<Vec<u8>> = (0..2_500u32).map(|i| i.to_be_bytes().to_vec()).collect();
        store
            .put(Tree::Articles, b"a00001", &1u32.to_be_bytes())
            .unwrap();
        store.put(Tree::Articles, b"a00002", b"old").unwrap();
        let mut entries: Vec<(&[u8], &[u8])> = keys
            .iter()
            .zip(&values)
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
            .collect();
        entries.push((b"a00003", b"given twice: the last wins"));
        let new = store.put_many(Tree::Articles, &entries).unwrap();
        assert_eq!(new, 2_498, "{name}: all but the two stored before are new");
        assert_eq!(
            store.put_many(Tree::Articles, &entries).unwrap(),
            0,
            "{name}"
        );
        assert_eq!(store.put_many(Tree::Articles, &[]).unwrap(), 0, "{name}");

        let asked: Vec<&[u8]> = vec![b"a02499", b"missing", b"a00003", b"a00002", b"a00000"];
        assert_eq!(
            store.get_many(Tree::Articles, &asked).unwrap(),
            vec![
                Some(2_499u32.to_be_bytes().to_vec()),
                None,
                Some(b"given twice: the last wins".to_vec()),
                Some(2u32.to_be_bytes().to_vec()),
                Some(0u32.to_be_bytes().to_vec()),
            ],
            "{name}"
        );
        let all: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        let found = store.get_many(Tree::Articles, &all).unwrap();
        assert_eq!(found.len(), 2_500, "{name}");
        assert!(found.iter().all(Option::is_some), "{name}");
        assert_eq!(store.scan(Tree::Articles, b"a").unwrap().len(), 2_500);
        assert!(
            store
                .get_many(Tree::Llm, &asked)
                .unwrap()
                .iter()
                .all(Option::is_none)
        );
        assert!(store.get_many(Tree::Llm, &[]).unwrap().is_empty());
    });
}

#[test]
fn insert_many_writes_only_the_absent_keys() {
    on_every_backend("insert_many", |backend, store| {
        let name = backend.backend;
        store.put(Tree::Articles, b"h1", b"stored before").unwrap();
        let keys: Vec<Vec<u8>> = (0..1_200u32)
            .map(|i| format!("h{i}").into_bytes())
            .collect();
        let mut entries: Vec<(&[u8], &[u8])> = keys
            .iter()
            .map(|k| (k.as_slice(), &b"offered"[..]))
            .collect();
        entries.push((b"h7", b"offered twice"));
        assert_eq!(
            store.insert_many(Tree::Articles, &entries).unwrap(),
            1_199,
            "{name}"
        );
        assert_eq!(
            store.get(Tree::Articles, b"h1").unwrap().as_deref(),
            Some(&b"stored before"[..]),
            "{name}: a present key is left as it is"
        );
        assert_eq!(
            store.get(Tree::Articles, b"h7").unwrap().as_deref(),
            Some(&b"offered"[..]),
            "{name}: of a key offered twice, the first goes in"
        );
        assert_eq!(
            store.insert_many(Tree::Articles, &entries).unwrap(),
            0,
            "{name}"
        );
        assert_eq!(store.scan(Tree::Articles, b"h").unwrap().len(), 1_200);
    });
}

#[test]
fn put_if_absent_keeps_the_first_value_and_hands_it_back() {
    on_every_backend("put_if_absent", |backend, store| {
        let name = backend.backend;
        assert_eq!(
            store.put_if_absent(Tree::Llm, b"k", b"first").unwrap(),
            None,
            "{name}"
        );
        assert_eq!(
            store.put_if_absent(Tree::Llm, b"k", b"second").unwrap(),
            Some(b"first".to_vec()),
            "{name}"
        );
        assert_eq!(store.get(Tree::Llm, b"k").unwrap(), Some(b"first".to_vec()));
        // Trees are separate namespaces.
        assert_eq!(store.put_if_absent(Tree::Runs, b"k", b"run").unwrap(), None);
    });
}

#[test]
fn racing_writers_of_one_key_store_one_value() {
    on_every_backend("racing_writers", |backend, store| {
        for round in 0..5u8 {
            let key = [b'k', round];
            let winners: Vec<Option<Vec<u8>>> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..8u8)
                    .map(|w| {
                        let store = store.clone();
                        s.spawn(move || store.put_if_absent(Tree::Llm, &key, &[w]).unwrap())
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let stored = store.get(Tree::Llm, &key).unwrap().unwrap();
            let firsts = winners.iter().filter(|w| w.is_none()).count();
            assert_eq!(firsts, 1, "{}: exactly one writer inserts", backend.backend);
            // Every loser was handed the winner's value, which is what the store holds.
            assert!(winners.iter().flatten().all(|v| *v == stored));
        }
    });
}

#[test]
fn a_run_lock_is_held_until_dropped() {
    on_every_backend("run_lock", |backend, store| {
        let held = store.lock_run("digest \"A\" for 2026-12-06").unwrap();
        if backend.backend == "postgres" {
            // A second process on the same database: the same digest and day waits, others go.
            let other = backend.location.open().unwrap();
            let err = other
                .lock_run("digest \"A\" for 2026-12-06")
                .err()
                .expect("the held scope is refused");
            let message = err.to_string();
            assert!(matches!(err, StoreError::RunLocked { .. }), "{message}");
            assert!(
                message.contains(
                    "digest \"A\" for 2026-12-06 is being written by another newsdesk process"
                ),
                "{message}"
            );
            assert!(
                !message.contains("newsdesk_test:"),
                "no password: {message}"
            );
            let _different_day = other.lock_run("digest \"A\" for 2026-12-07").unwrap();
            drop(held);
            let _now_free = other.lock_run("digest \"A\" for 2026-12-06").unwrap();
        } else {
            // sled: the store itself is one process's, so a second open is what is refused.
            assert!(matches!(
                backend.location.open().err(),
                Some(StoreError::Locked { .. })
            ));
            drop(held);
        }
    });
}

fn pg_only(test: &str) -> Option<TestStore> {
    testing::postgres(test)
}

#[test]
fn a_closed_session_releases_its_run_lock() {
    let Some(backend) = pg_only("closed_session_lock") else {
        return;
    };
    let first = backend.location.open().unwrap();
    let lock = first.lock_run("digest \"B\" for 2026-12-06").unwrap();
    // A killed worker never drops its lock; its session ending must free the scope.
    std::mem::forget(lock);
    drop(first);
    let second = backend.location.open().unwrap();
    second.lock_run("digest \"B\" for 2026-12-06").unwrap();
}

#[test]
fn a_schema_newer_than_the_binary_is_refused_and_left_alone() {
    let Some(backend) = pg_only("schema_too_new") else {
        return;
    };
    drop(backend.location.open().unwrap());
    let schema = backend.schema().unwrap().to_string();
    backend.admin_sql(&format!(
        "INSERT INTO {schema}.newsdesk_schema_version (version) VALUES (99)"
    ));
    let err = backend
        .location
        .open()
        .err()
        .expect("a newer schema is refused");
    let message = err.to_string();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 99, .. }),
        "{message}"
    );
    assert!(
        message.contains("upgrade newsdesk; nothing was written"),
        "{message}"
    );
}

#[test]
fn two_stores_opening_together_migrate_once() {
    let Some(backend) = pg_only("migrate_once") else {
        return;
    };
    let opened: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| backend.location.open().map(|_| ())))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(opened.iter().all(Result::is_ok), "{opened:?}");
    let store = backend.location.open().unwrap();
    store.put(Tree::Llm, b"k", b"v").unwrap();
    assert_eq!(store.get(Tree::Llm, b"k").unwrap(), Some(b"v".to_vec()));
}

#[test]
fn a_database_that_goes_away_is_a_clear_error_and_whole_entries_survive() {
    let Some(backend) = pg_only("database_goes_away") else {
        return;
    };
    let store = backend.location.open().unwrap();
    store.put(Tree::Llm, b"paid", b"answer").unwrap();
    let schema = backend.schema().unwrap().to_string();
    backend.admin_sql(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = 'newsdesk-{schema}' AND pid <> pg_backend_pid()"
    ));
    let err = (0..50)
        .find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(20));
            store.get(Tree::Llm, b"paid").err()
        })
        .expect("reads fail once the session is gone");
    let message = err.to_string();
    assert!(
        matches!(err, StoreError::ConnectionLost { .. }),
        "{message}"
    );
    // What a run checks before it publishes.
    assert!(matches!(
        store.flush(),
        Err(StoreError::ConnectionLost { .. })
    ));
    assert!(
        message.contains("connection to the database was lost"),
        "{message}"
    );
    assert!(
        message.contains("rerun when the database is back"),
        "{message}"
    );
    assert!(
        !message.contains("newsdesk_test:"),
        "no password: {message}"
    );
    // A rerun reconnects and finds what was written before the loss.
    let again = backend.location.open().unwrap();
    assert_eq!(
        again.get(Tree::Llm, b"paid").unwrap(),
        Some(b"answer".to_vec())
    );
}
