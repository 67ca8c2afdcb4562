//! `newsdesk store migrate --from A --to B`: every entry of one store copied into another (sled
//! ↔ PostgreSQL) through a cassette, checked line by line, all or nothing. A is only read.

use anyhow::{Context as _, bail};

use super::*;
use crate::report::Reporter;
use crate::run::cassette::{import, write_cassette};
use crate::store::{StoreLocation, Tree};

/// `newsdesk store migrate --from A --to B`: every entry of every tree of A, as a cassette in a
/// temporary file, imported (checked line by line, all or nothing) into B. A is only read.
pub fn migrate(
    from: &StoreLocation,
    to: &StoreLocation,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    if from.to_string() == to.to_string() {
        bail!("--from and --to are the same store ({from}); name two different stores");
    }
    if let StoreLocation::Dir(path) = from {
        if !path.is_dir() {
            bail!(
                "the source store {} does not exist (--from names a store directory or a postgres:// URL)",
                path.display()
            );
        }
    }
    let dir =
        tempfile::tempdir().context("cannot create a temporary directory for the cassette")?;
    let cassette = dir.path().join("store.jsonl");
    let exported = {
        let source = from
            .open()
            .with_context(|| format!("cannot open the source store {from}"))?;
        write_cassette(source.as_ref(), &cassette, &Tree::ALL, &|_, _, _| true)?
    };
    reporter.step(&format!("read {exported} entr(ies) from {from}"));
    let target = to
        .open()
        .with_context(|| format!("cannot open the target store {to}"))?;
    let imported = import(target.as_ref(), &cassette)?;
    reporter.output(&format!(
        "copied {imported} entr(ies) from {from} to {to}\n"
    ));
    Ok(Exit::Ok)
}
