//! The run's records for the person at the terminal: how the night ended (`RunStatus`), what
//! each step took (`StepTiming`) and the one-screen `RunSummary` (also what `--json` prints).
//! In: what the steps counted; out: those records and their rendering. Written once, at the end
//! of `run::run_pipeline`; read by the commands and by delivery.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::llm::budget::fmt_usd;
use crate::llm::telemetry::FallbackEvent;
use crate::model::FailedTopic;

/// How the run ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Every topic got a card and the digest is lint-clean.
    Ok,
    /// Some topics (or the insight) failed; the digest was still written.
    Partial,
    /// The digest was written for inspection but has lint errors.
    LintFailed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepTiming {
    pub step: String,
    pub ms: u64,
}

/// Everything the run report shows, and what `--json` prints.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunSummary {
    pub run_id: String,
    pub date: NaiveDate,
    pub status: RunStatus,
    pub sources: Vec<SourceLine>,
    pub articles_collected: usize,
    pub articles_in_window: usize,
    pub articles_unique: usize,
    pub stories: usize,
    pub off_topic: usize,
    /// Articles the LLM triage stage dropped (0 when `[triage]` is off).
    #[serde(default)]
    pub triaged_out: usize,
    /// On-topic stories cut by `max_topics` (listed with `-v`).
    #[serde(default)]
    pub beyond_max_topics: usize,
    /// Stories left out because an earlier digest (collect.memory_days) already told them.
    #[serde(default)]
    pub stories_repeated: usize,
    /// Cards written as follow-ups of an earlier digest's story (marked continuing).
    #[serde(default)]
    pub stories_continuing: usize,
    pub topics: usize,
    pub cards: usize,
    pub failed: Vec<FailedTopic>,
    pub insight_error: Option<String>,
    pub provider_calls: usize,
    pub cache_hits: usize,
    pub tokens_in: u64,
    pub tokens_out: u64,
    pub cost_usd: f64,
    /// Cards whose articles were trimmed to fit the input budget.
    #[serde(default)]
    pub cards_trimmed: usize,
    /// Cards that needed the repair re-ask.
    #[serde(default)]
    pub cards_repaired: usize,
    #[serde(default)]
    pub card_stats: crate::model::CardStats,
    /// Provider attempts after the first, and answers with HTTP 429.
    #[serde(default)]
    pub retries: u64,
    #[serde(default)]
    pub rate_limited: u64,
    /// Steps down the structured-output chain, with the server's reason.
    #[serde(default)]
    pub fallbacks: Vec<FallbackEvent>,
    /// The structured-output modes the answers were obtained with (sorted, deduplicated).
    #[serde(default)]
    pub structured_output: Vec<String>,
    pub lint_errors: usize,
    pub lint_warnings: usize,
    pub steps: Vec<StepTiming>,
    pub wall_ms: u64,
    pub output: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SourceLine {
    pub name: String,
    pub articles: usize,
    pub error: Option<String>,
    pub status: crate::collect::SourceStatus,
    #[serde(default)]
    pub new_articles: usize,
    /// Skipped feed entries by reason.
    #[serde(default)]
    pub skipped: std::collections::BTreeMap<String, usize>,
    /// Problems that did not fail the source (full-text fallbacks).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// "  model      7 model · 1 extractive fallback · 5 first answer valid · 3 re-asks · local repairs:
/// entities_trimmed 2" — only when something other than a clean model run happened.
fn card_stats_line(stats: &crate::model::CardStats, cards: usize) -> Option<String> {
    let clean = stats.fallbacks == 0
        && !stats.insight_fallback
        && stats.reasks == 0
        && stats.local_repairs.is_empty()
        && stats.first_valid == cards;
    if clean {
        return None;
    }
    let mut parts = vec![format!("{} model", stats.by_model)];
    if stats.fallbacks > 0 {
        parts.push(format!("{} extractive fallback", stats.fallbacks));
    }
    if stats.insight_fallback {
        parts.push("insight: extractive fallback".to_string());
    }
    parts.push(format!("{} first answer valid", stats.first_valid));
    parts.push(format!("{} re-ask(s)", stats.reasks));
    let mut line = format!("  writing    {}", parts.join(" · "));
    if !stats.local_repairs.is_empty() {
        let repairs: Vec<String> = stats
            .local_repairs
            .iter()
            .map(|(kind, n)| format!("{kind} {n}"))
            .collect();
        line.push_str(&format!(" · local repairs: {}", repairs.join(", ")));
    }
    line.push('\n');
    for topic in &stats.fallback_topics {
        line.push_str(&format!(
            "             ↳ {} \"{}\" is the extractive card: {}\n",
            topic.topic_id, topic.title, topic.reason
        ));
    }
    Some(line)
}

impl RunSummary {
    /// The one-screen summary printed at the end of every run.
    pub fn render(&self) -> String {
        let ok_sources = self.sources.iter().filter(|s| s.error.is_none()).count();
        let failed_sources = self.sources.len() - ok_sources;
        let steps = self
            .steps
            .iter()
            .map(|s| format!("{} {}", s.step, fmt_ms(s.ms)))
            .collect::<Vec<_>>()
            .join(" · ");
        let mut out = String::new();
        out.push_str(&format!(
            "newsdesk {} — run {} — {}\n",
            self.date,
            self.run_id,
            status_word(self.status, failed_sources, self.failed.len())
        ));
        out.push_str(&format!(
            "  sources    {ok_sources} ok, {failed_sources} failed\n"
        ));
        for source in self.sources.iter().filter(|s| s.error.is_some()) {
            out.push_str(&format!(
                "             ✗ {}: {}\n",
                source.name,
                source.error.as_deref().unwrap_or_default()
            ));
        }
        out.push_str(&format!(
            "  articles   {} collected, {} in window, {} unique\n",
            self.articles_collected, self.articles_in_window, self.articles_unique
        ));
        if self.stories_repeated + self.stories_continuing > 0 {
            out.push_str(&format!(
                "  memory     {} already published (dropped), {} continuing\n",
                self.stories_repeated, self.stories_continuing
            ));
        }
        if self.triaged_out > 0 {
            out.push_str(&format!(
                "  triage     {} article(s) dropped as off-topic\n",
                self.triaged_out
            ));
        }
        out.push_str(&format!(
            "  stories    {} ({} off-topic dropped, {} beyond max_topics)\n",
            self.stories, self.off_topic, self.beyond_max_topics
        ));
        out.push_str(&format!(
            "  topics     {} → {} card(s), {} failed\n",
            self.topics,
            self.cards,
            self.failed.len()
        ));
        out.push_str(&format!(
            "  calls      {} provider call(s), {} cache hit(s)\n",
            self.provider_calls, self.cache_hits
        ));
        out.push_str(&format!(
            "  cards      {} trimmed to the input budget, {} repaired\n",
            self.cards_trimmed, self.cards_repaired
        ));
        if let Some(line) = card_stats_line(&self.card_stats, self.cards) {
            out.push_str(&line);
        }
        out.push_str(&format!(
            "  tokens     {} in / {} out ({})\n",
            self.tokens_in,
            self.tokens_out,
            fmt_usd(self.cost_usd)
        ));
        if self.retries > 0 || self.rate_limited > 0 {
            out.push_str(&format!(
                "  pacing     {} retr{}, {} answered 429\n",
                self.retries,
                if self.retries == 1 { "y" } else { "ies" },
                self.rate_limited
            ));
        }
        if !self.structured_output.is_empty() {
            out.push_str(&format!(
                "  output as  {}\n",
                self.structured_output.join(", ")
            ));
        }
        for step in &self.fallbacks {
            out.push_str(&format!(
                "  fallback   {} → {}: {}\n",
                step.from, step.to, step.reason
            ));
        }
        out.push_str(&format!(
            "  lint       {} error(s), {} warning(s)\n",
            self.lint_errors, self.lint_warnings
        ));
        out.push_str(&format!(
            "  wall time  {} ({steps})\n",
            fmt_ms(self.wall_ms)
        ));
        out.push_str(&format!("  output     {}\n", self.output.display()));
        out
    }
}

fn status_word(status: RunStatus, failed_sources: usize, failed_topics: usize) -> String {
    match status {
        RunStatus::Ok => "ok".to_string(),
        RunStatus::Partial => {
            let mut what = Vec::new();
            if failed_sources > 0 {
                what.push(format!("{failed_sources} source(s) failed"));
            }
            if failed_topics > 0 {
                what.push(format!("{failed_topics} topic(s) failed"));
            }
            if what.is_empty() {
                what.push("the insight failed".to_string());
            }
            format!("partial: {}", what.join(", "))
        }
        RunStatus::LintFailed => "lint errors: digest written for inspection only".to_string(),
    }
}

fn fmt_ms(ms: u64) -> String {
    if ms >= 1000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else {
        format!("{ms} ms")
    }
}
