//! Receipts: one record per (run, target) in the store's `deliveries` tree, keyed
//! `<run id>/<target name>`. In: what a delivery attempt sent; out: whether a later run, replay
//! or `newsdesk deliver` must send again (only when no receipt says `delivered`, or when forced)
//! and, for a digest split over several messages, how many already went out. A receipt holds no
//! secret: target name and kind, never a URL. Beside them, under the bare run id, the event the
//! run itself decided (a failed source makes a night partial, which its manifest does not
//! record), so `newsdesk deliver RUN_ID` later sends the same event the night did.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::deliver::{Event, Kind};
use crate::store::{Store, StoreError, Tree};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Receipt {
    pub run_id: String,
    pub target: String,
    pub kind: Kind,
    pub event: Event,
    pub date: NaiveDate,
    /// blake3 (16 hex) of the message bodies: a resumed split continues only the same content.
    pub content_hash: String,
    pub parts_total: usize,
    /// Messages the service accepted, in order.
    pub parts_sent: usize,
    /// Every part went out.
    pub delivered: bool,
    /// The last attempt's failure (secrets removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// RFC 3339, from the run's clock.
    pub updated_at: String,
}

fn key(run_id: &str, target: &str) -> Vec<u8> {
    format!("{run_id}/{target}").into_bytes()
}

impl Receipt {
    pub(crate) fn load(
        store: &dyn Store,
        run_id: &str,
        target: &str,
    ) -> Result<Option<Receipt>, StoreError> {
        Ok(store
            .get(Tree::Deliveries, &key(run_id, target))?
            // An unreadable receipt counts as none: sending again beats never sending.
            .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
    }

    /// Written and flushed: the receipt must outlive a crash right after the send.
    pub(crate) fn save(&self, store: &dyn Store) -> Result<(), StoreError> {
        store.put(
            Tree::Deliveries,
            &key(&self.run_id, &self.target),
            &serde_json::to_vec(self).expect("receipts serialize"),
        )?;
        store.flush()
    }

    /// Every receipt of one run, by target name.
    pub(crate) fn for_run(store: &dyn Store, run_id: &str) -> Result<Vec<Receipt>, StoreError> {
        Ok(store
            .scan(Tree::Deliveries, format!("{run_id}/").as_bytes())?
            .into_iter()
            .filter_map(|(_, v)| serde_json::from_slice(&v).ok())
            .collect())
    }

    /// One line for `runs show`.
    pub(crate) fn render(&self) -> String {
        let state = if self.delivered {
            format!("delivered ({} message(s))", self.parts_total)
        } else {
            format!(
                "NOT delivered ({}/{} message(s) sent){}",
                self.parts_sent,
                self.parts_total,
                self.error
                    .as_deref()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default()
            )
        };
        format!(
            "{} ({}, {}) {state} at {}",
            self.target,
            self.kind.name(),
            self.event.name(),
            self.updated_at
        )
    }
}

/// Records the event `run_id` ended with (flushed with the receipts that follow).
pub(crate) fn save_event(store: &dyn Store, run_id: &str, event: Event) -> Result<(), StoreError> {
    store.put(
        Tree::Deliveries,
        run_id.as_bytes(),
        &serde_json::to_vec(&event).expect("events serialize"),
    )
}

/// The event `run_id` ended with, when the run recorded it.
pub(crate) fn load_event(store: &dyn Store, run_id: &str) -> Result<Option<Event>, StoreError> {
    Ok(store
        .get(Tree::Deliveries, run_id.as_bytes())?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}
