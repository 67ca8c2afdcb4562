//! `newsdesk collect`: fetch every configured source into the store, report per source.

use std::path::Path;

use chrono::NaiveDate;

use super::*;
use crate::clock::{Clock, SystemClock};
use crate::collect::{self, CollectContext, HttpOptions};
use crate::config::Config;
use crate::report::Reporter;
use crate::run;

/// `newsdesk collect`: fetch every configured source, store the articles (and the validators
/// for the next conditional GET), report per source. Exit 3 when more sources failed than
/// `collect.tolerate_failed_sources` allows.
pub async fn collect(
    config: &Config,
    store_dir: Option<&Path>,
    date: Option<NaiveDate>,
    json: bool,
    reporter: &Reporter,
) -> anyhow::Result<Exit> {
    let store = open_store(config, store_dir)?;
    let http = HttpOptions::from_config(&config.collect);
    let progress = |done: usize, total: usize| reporter.progress("sources", done, total);
    reporter.step(&format!("collecting {} source(s)", config.sources.len()));
    let now = SystemClock.now();
    let cx = CollectContext {
        http: &http,
        now: Some(now),
        store: Some(store.as_ref()),
        progress: Some(&progress),
    };
    let collected = collect::collect_sources(&config.sources, &cx).await;
    store.flush()?;
    let date = date.unwrap_or_else(|| now.with_timezone(&config.digest.timezone).date_naive());
    let (start, end) = run::window(
        date,
        config.digest.timezone,
        config.digest.cutoff,
        config.digest.window_hours,
    );
    let in_window = collected
        .articles
        .iter()
        .filter(|a| a.published_at >= start && a.published_at < end)
        .count();
    let failed = collected.failed_sources().count();
    let unhealthy = collected.is_unhealthy(config.collect.tolerate_failed_sources);
    if json {
        reporter.output(&serde_json::to_string_pretty(&serde_json::json!({
            "date": date,
            "window": {"start": start, "end": end},
            "status": if unhealthy { "partial" } else { "ok" },
            "sources": collected.reports,
            "failed_sources": collected.failed_sources().map(|r| &r.name).collect::<Vec<_>>(),
            "articles": collected.articles.len(),
            "articles_in_window": in_window,
            "new_articles": collected.reports.iter().map(|r| r.new_articles).sum::<usize>(),
        }))?);
    } else {
        for report in collected.failed_sources() {
            reporter.warn(&format!(
                "source {} ({}): {}",
                report.name,
                report.location,
                report.describe()
            ));
        }
        let mut out = format!(
            "newsdesk collect {date} — {}\n",
            if unhealthy {
                "partial: sources failed"
            } else {
                "ok"
            }
        );
        for report in &collected.reports {
            out.push_str(&format!(
                "  {} {:<20} {}\n",
                if report.failed() { "✗" } else { "✓" },
                report.name,
                report.describe()
            ));
        }
        out.push_str(&format!(
            "  {} source(s): {} ok, {failed} failed · {} article(s), {} in the window of {date}\n",
            collected.reports.len(),
            collected.reports.len() - failed,
            collected.articles.len(),
            in_window
        ));
        reporter.output(&out);
    }
    Ok(if unhealthy { Exit::Partial } else { Exit::Ok })
}
