//! `newsdesk eval`: prompt variants scored against the fixtures, compared with the blessed
//! baseline.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::*;
use crate::config::{Config, ProcessEnv};
use crate::report::Reporter;
use crate::store::StoreLocation;

/// `newsdesk eval`: suites × variants, compared with the blessed baseline. Uses `--config` when
/// that file exists (its provider, limits, pricing, prompts and store), the demo config otherwise,
/// so a fresh clone evaluates the extractive baseline with no key; the sections are always the
/// demo config's, which the fixtures are written against. Exit 1 when the gate fails.
pub async fn eval(
    config_path: &Path,
    store_dir: Option<&Path>,
    args: crate::eval::EvalArgs,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    let demo_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let demo_config = super::bundle::unpack(demo_dir.path()).with_context(|| {
        format!(
            "cannot unpack the demo config into {}",
            demo_dir.path().display()
        )
    })?;
    let path = if config_path.exists() {
        config_path.to_path_buf()
    } else {
        demo_config.clone()
    };
    let mut config = Config::load(&path, &ProcessEnv)?;
    // The fixtures name the demo config's sections (models, tools, industry, policy,
    // applications): every variant is asked to choose among those, whatever the config's own.
    config.digest.sections = Config::load(&demo_config, &ProcessEnv)?.digest.sections;
    let store = if config_path.exists() {
        open_store(&config, store_dir)?
    } else {
        match store_dir {
            Some(arg) => store_arg(arg)?,
            None => StoreLocation::Dir(PathBuf::from(".newsdesk/eval-store")),
        }
        .open()?
    };
    let outcome = crate::eval::run(&args, &config, store, reporter).await?;
    Ok(if outcome.gate_failed {
        Exit::Error
    } else {
        Exit::Ok
    })
}
