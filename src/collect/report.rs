//! What each source gave: its status, article and skip counts, notes and error (`SourceReport`),
//! and the stage's output (`Collected`: the articles with one report per source), with the
//! one-line description the reporter prints per source.

use std::collections::BTreeMap;

use serde::Serialize;

use super::feed::Skipped;
use crate::model::Article;

/// How a source ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    /// Fetched over HTTP and parsed.
    Fetched,
    /// The server answered 304; last run's articles were reused.
    NotModified,
    /// Read from a local file or directory.
    Read,
    Failed,
}

impl SourceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceStatus::Fetched => "fetched",
            SourceStatus::NotModified => "not_modified",
            SourceStatus::Read => "read",
            SourceStatus::Failed => "failed",
        }
    }
}

/// What one source gave. One per configured source (a directory source's files are folded into
/// it); one per file for command-line inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceReport {
    /// The source name; the file stem for a command-line input file.
    pub name: String,
    /// The URL or path that was read.
    pub location: String,
    pub status: SourceStatus,
    pub articles: usize,
    /// Articles the store had not seen before (all of them when there is no store).
    pub new_articles: usize,
    /// Skipped entries by reason ("no link", "duplicate id", ...).
    pub skipped: BTreeMap<String, usize>,
    /// Things that went wrong without failing the source (a full-text fetch that fell back to the
    /// snippet).
    pub notes: Vec<String>,
    /// Why the source failed, in plain words; `None` when it worked. A directory source fails
    /// when any of its files does (the others' articles are still used).
    pub error: Option<String>,
}

impl SourceReport {
    pub(super) fn new(name: &str, location: &str) -> Self {
        SourceReport {
            name: name.to_string(),
            location: location.to_string(),
            status: SourceStatus::Failed,
            articles: 0,
            new_articles: 0,
            skipped: BTreeMap::new(),
            notes: Vec::new(),
            error: None,
        }
    }

    pub(super) fn add_skipped(&mut self, skipped: &Skipped) {
        for (reason, n) in &skipped.0 {
            *self
                .skipped
                .entry(reason.describe().to_string())
                .or_default() += n;
        }
    }

    pub fn failed(&self) -> bool {
        self.error.is_some()
    }
}

/// The stage's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Collected {
    /// Every article of every source, duplicates kept, sorted by (published_at, id).
    pub articles: Vec<Article>,
    /// In configuration (or input) order.
    pub reports: Vec<SourceReport>,
}

impl Collected {
    pub fn failed_sources(&self) -> impl Iterator<Item = &SourceReport> {
        self.reports.iter().filter(|r| r.failed())
    }

    /// Run health: true when more sources failed than `tolerate_failed_sources` allows, which
    /// makes the run partial (exit 3) so cron notices an outage.
    pub fn is_unhealthy(&self, tolerate_failed_sources: usize) -> bool {
        self.failed_sources().count() > tolerate_failed_sources
    }
}

impl SourceReport {
    /// "fetched, 12 article(s) (3 new), skipped: 2 duplicate id".
    pub fn describe(&self) -> String {
        if let Some(error) = &self.error {
            if self.articles == 0 {
                return format!("failed: {error}");
            }
        }
        let status = match self.status {
            SourceStatus::NotModified => "not modified",
            SourceStatus::Fetched => "fetched",
            SourceStatus::Read | SourceStatus::Failed => "read",
        };
        let mut line = format!(
            "{status}, {} article(s) ({} new)",
            self.articles, self.new_articles
        );
        if !self.skipped.is_empty() {
            let skipped: Vec<String> = self
                .skipped
                .iter()
                .map(|(why, n)| format!("{n} {why}"))
                .collect();
            line.push_str(&format!(", skipped: {}", skipped.join(", ")));
        }
        for note in &self.notes {
            line.push_str(&format!("; {note}"));
        }
        if let Some(error) = &self.error {
            line.push_str(&format!("; failed: {error}"));
        }
        line
    }
}

/// One line per source through the reporter: failures as warnings, the rest as detail (-v).
pub fn report_sources(collected: &Collected, reporter: &dyn crate::progress::Progress) {
    for report in &collected.reports {
        let line = format!(
            "source {} ({}): {}",
            report.name,
            report.location,
            report.describe()
        );
        if report.failed() {
            reporter.warn(&line);
        } else {
            reporter.detail(&line);
        }
    }
}
