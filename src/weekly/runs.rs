//! The week's runs. In: the store's `runs` tree; out: for each day of the ISO week that has a run,
//! its latest run (by `generated_at`, then run id) and the cards it recorded. Manifests written
//! before they carried cards are read through the `<date>.json` digest they list as an output,
//! accepted only when the file still has the hash the manifest recorded.

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::NaiveDate;

use super::week::IsoWeek;
use crate::model::{CardRecord, Digest};
use crate::run::manifest::RunManifest;
use crate::store::{Store, StoreError, Tree};

/// One day of the week as its latest run left it.
#[derive(Debug, Clone)]
pub struct DayRun {
    pub date: NaiveDate,
    pub run_id: String,
    pub generated_at: String,
    /// Articles the run considered (its window).
    pub article_count: usize,
    pub cards: Vec<CardRecord>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "run {run_id} in the store's runs tree is not a readable manifest: {reason} (was it written by a newer newsdesk?)"
    )]
    BadManifest { run_id: String, reason: String },
    #[error(
        "run {run_id} ({date}) records no cards and its digest {path} cannot be used: {reason}; rerun `newsdesk run --date {date}` to record them"
    )]
    NoCards {
        run_id: String,
        date: NaiveDate,
        path: PathBuf,
        reason: String,
    },
}

/// Every manifest in the store, keyed by run id.
fn manifests(store: &dyn Store) -> Result<Vec<RunManifest>, RunsError> {
    let mut out = Vec::new();
    for (key, value) in store.scan(Tree::Runs, b"")? {
        let run_id = String::from_utf8_lossy(&key).into_owned();
        let manifest: RunManifest =
            serde_json::from_slice(&value).map_err(|e| RunsError::BadManifest {
                run_id,
                reason: e.to_string(),
            })?;
        out.push(manifest);
    }
    Ok(out)
}

/// The week of the latest digest date any run in the store covers, if there is one.
pub fn latest_week(store: &dyn Store) -> Result<Option<IsoWeek>, RunsError> {
    Ok(manifests(store)?
        .iter()
        .map(|m| m.date)
        .max()
        .map(IsoWeek::containing))
}

/// The latest run of each day of `week`, in date order.
pub fn week_runs(store: &dyn Store, week: IsoWeek) -> Result<Vec<DayRun>, RunsError> {
    let mut latest: BTreeMap<NaiveDate, RunManifest> = BTreeMap::new();
    for manifest in manifests(store)? {
        if !week.contains(manifest.date) {
            continue;
        }
        let newer = latest.get(&manifest.date).is_none_or(|kept| {
            (&manifest.generated_at, &manifest.run_id) > (&kept.generated_at, &kept.run_id)
        });
        if newer {
            latest.insert(manifest.date, manifest);
        }
    }
    latest
        .into_values()
        .map(|manifest| {
            let cards = if manifest.day_cards.is_empty() {
                cards_from_digest_file(&manifest)?
            } else {
                manifest.day_cards.clone()
            };
            Ok(DayRun {
                date: manifest.date,
                run_id: manifest.run_id,
                generated_at: manifest.generated_at,
                article_count: manifest.articles.len(),
                cards,
            })
        })
        .collect()
}

/// Cards of an older manifest, from the JSON digest it wrote (verified by its recorded hash).
fn cards_from_digest_file(manifest: &RunManifest) -> Result<Vec<CardRecord>, RunsError> {
    let Some(output) = manifest
        .outputs
        .iter()
        .find(|o| o.path.extension().is_some_and(|e| e == "json"))
    else {
        return Err(RunsError::NoCards {
            run_id: manifest.run_id.clone(),
            date: manifest.date,
            path: PathBuf::from(format!("{}.json", manifest.date)),
            reason: "the manifest lists no JSON output".into(),
        });
    };
    let fail = |reason: String| RunsError::NoCards {
        run_id: manifest.run_id.clone(),
        date: manifest.date,
        path: output.path.clone(),
        reason,
    };
    let bytes = std::fs::read(&output.path).map_err(|e| fail(e.to_string()))?;
    if blake3::hash(&bytes).to_hex().as_str() != output.blake3 {
        return Err(fail("the file changed since the run wrote it".into()));
    }
    let digest: Digest = serde_json::from_slice(&bytes).map_err(|e| fail(e.to_string()))?;
    Ok(digest.cards)
}
