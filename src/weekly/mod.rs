//! The weekly roll-up (seed `002_*` shape). In: the run manifests of one ISO week from the store's
//! `runs` tree (the latest run of each day) and the cards they recorded; out: a weekly digest —
//! 10–20 recurring themes, each a keyword card with 核心观察 / 逻辑链条 / 本质洞见, plus an overview
//! — as `<week>.md`, `<week>.html` and `<week>.json`. Themes are found lexically (`themes`:
//! deterministic, independent of input order); prose comes from one cached LLM call per theme and
//! one overview call through the normal provider stack (`write`), so a second run of the same week
//! makes no provider calls and writes the same bytes. It never collects articles and never invents
//! sources: every link under a keyword card is the first source of one of the week's day cards.

pub mod render;
pub mod runs;
pub mod themes;
pub mod week;
pub mod write;

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::clock::Clock;
use crate::config::{Config, ProviderKind};
use crate::lint;
use crate::llm::Provider;
use crate::llm::blocks::{BlockTheme, WeekContext};
use crate::llm::cached::CacheMode;
use crate::model::{
    FailedTopic, Generator, ThemeRecord, WeeklyCardRef, WeeklyDigest, WeeklyOverview,
};
use crate::progress::Progress;
use crate::store::Store;
use crate::write::prompts::Prompts;
use themes::{DayCard, Theme};

pub use week::IsoWeek;

/// What the command line asks of one roll-up.
#[derive(Debug, Clone)]
pub struct WeeklyOptions {
    /// The week to roll up; `None` means the week of the latest run in the store.
    pub week: Option<IsoWeek>,
    pub out_dir: PathBuf,
    pub cache_mode: CacheMode,
    /// Overrides `provider.kind`.
    pub provider: Option<ProviderKind>,
}

/// What one roll-up did, for the terminal and `--json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeeklySummary {
    pub week: String,
    /// The runs rolled up, one per day.
    pub runs: Vec<String>,
    pub cards: usize,
    pub themes: usize,
    pub failed: Vec<FailedTopic>,
    pub overview_error: Option<String>,
    pub provider_calls: usize,
    pub cache_hits: usize,
    pub lint_errors: usize,
    pub lint_warnings: usize,
    pub outputs: Vec<PathBuf>,
}

impl WeeklySummary {
    /// Some keyword cards or the overview are missing; the roll-up was still written.
    pub fn is_partial(&self) -> bool {
        !self.failed.is_empty() || self.overview_error.is_some()
    }

    pub fn render(&self) -> String {
        let mut out = format!(
            "weekly {}: {} run(s), {} card(s) → {} theme(s); {} provider call(s), {} cache hit(s); lint: {} error(s), {} warning(s)\n",
            self.week,
            self.runs.len(),
            self.cards,
            self.themes,
            self.provider_calls,
            self.cache_hits,
            self.lint_errors,
            self.lint_warnings
        );
        for failed in &self.failed {
            out.push_str(&format!(
                "  theme \"{}\" has no keyword card: {}\n",
                failed.title, failed.reason
            ));
        }
        if let Some(reason) = &self.overview_error {
            out.push_str(&format!("  the overview is missing: {reason}\n"));
        }
        for path in &self.outputs {
            out.push_str(&format!("wrote {}\n", path.display()));
        }
        out
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WeeklyError {
    #[error("the store has no runs; run `newsdesk run --date D` for the days of the week first")]
    NoRuns,
    #[error(
        "the store has no runs for {week} ({start} to {end}); run `newsdesk run --date D` for those days, or pick another --week"
    )]
    NoRunsInWeek {
        week: IsoWeek,
        start: chrono::NaiveDate,
        end: chrono::NaiveDate,
    },
    #[error(
        "no theme recurs among the {cards} card(s) of {week}: no term is shared by two cards (roll up a fuller week)"
    )]
    NoThemes { week: IsoWeek, cards: usize },
    #[error("no keyword card could be written for {week}. First failures:\n{failures}")]
    NoKeywordCards { week: IsoWeek, failures: String },
    #[error(transparent)]
    Runs(#[from] runs::RunsError),
    #[error(transparent)]
    Prompt(#[from] crate::write::prompts::PromptError),
    #[error(transparent)]
    Render(#[from] crate::render::RenderError),
    #[error(transparent)]
    Provider(#[from] crate::llm::LlmError),
    #[error(transparent)]
    Write(#[from] crate::run::RunError),
}

/// Rolls up one week of runs end to end: runs → themes → keyword cards → overview → render →
/// lint → files.
pub async fn roll_up(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    reporter: &dyn Progress,
    opts: &WeeklyOptions,
) -> Result<WeeklySummary, WeeklyError> {
    let week = match opts.week {
        Some(week) => week,
        None => runs::latest_week(store.as_ref())?.ok_or(WeeklyError::NoRuns)?,
    };
    let (day_runs, cards, themes) = group_week(store.as_ref(), week, reporter)?;

    let prompts = Prompts::load(config.digest.prompts_dir.as_deref())?;
    // The run's own derivation of the model side, so the roll-up's calls are made as a run's.
    let model = crate::run::ModelPlan::new(config, opts.provider, None);
    let (provider, _) = model.stack(config, store.clone(), opts.cache_mode, clock)?;
    // A roll-up looks back over its own week; cross-day memory is the daily digest's concern.
    let no_history = std::collections::BTreeMap::new();
    let writer = model.writer(config, &prompts, &provider, &no_history);
    let week_name = week.to_string();
    reporter.step(&format!(
        "writing {} keyword card(s) with {}",
        themes.len(),
        provider.id()
    ));
    let (records, failed) = keyword_cards(config, &writer, week, &cards, &themes, reporter).await?;
    let context = WeekContext {
        language: config.digest.language.tag().to_string(),
        week: week_name.clone(),
        start: week.monday().to_string(),
        end: week.sunday().to_string(),
        day_count: day_runs.len(),
        card_count: cards.len(),
    };
    let (overview, overview_error) = overview(&writer, &context, &records, reporter).await?;

    let run_ids: Vec<String> = day_runs.iter().map(|r| r.run_id.clone()).collect();
    let digest = WeeklyDigest {
        week: week_name.clone(),
        start: week.monday(),
        end: week.sunday(),
        title: config.digest.title.clone(),
        language: config.digest.language,
        // The latest of the runs' own timestamps: the same runs always give the same bytes.
        generated_at: day_runs
            .iter()
            .map(|r| r.generated_at.clone())
            .max()
            .unwrap_or_default(),
        generator: Generator {
            provider: provider.id().kind.clone(),
            model: model.settings.model.clone(),
            run: format!(
                "{week_name}-{}",
                &blake3::hash(format!("{}|{}", run_ids.join(","), model.settings.model).as_bytes())
                    .to_hex()[..8]
            ),
        },
        runs: run_ids,
        card_count: cards.len(),
        article_count: day_runs.iter().map(|r| r.article_count).sum(),
        overview,
        themes: records,
        failed,
    };

    reporter.step("rendering the roll-up");
    let templates_dir = config.digest.templates_dir.as_deref();
    let markdown = render::render_markdown(&digest, templates_dir)?;
    let html = render::render_html(&digest, templates_dir)?;
    let json = render::render_json(&digest)?;
    let lint_report = lint::lint_document(&markdown, digest.language);
    lint_report.tell(&opts.out_dir.join(format!("{week_name}.md")), reporter);
    let rendered = crate::run::publish::Rendered {
        markdown,
        html,
        json,
    };
    let outputs = crate::run::publish::write_rendered(&opts.out_dir, &week_name, &rendered)?
        .into_iter()
        .map(|o| o.path)
        .collect();

    let (provider_calls, cache_hits) = crate::llm::cached::paid_and_cached(&provider.ledger());
    Ok(WeeklySummary {
        week: week_name,
        runs: digest.runs.clone(),
        cards: digest.card_count,
        themes: digest.themes.len(),
        failed: digest.failed,
        overview_error,
        provider_calls,
        cache_hits,
        lint_errors: lint_report.errors().len(),
        lint_warnings: lint_report.warnings().len(),
        outputs,
    })
}

/// A week's runs, their cards, and the cards grouped into themes.
type GroupedWeek = (Vec<runs::DayRun>, Vec<DayCard>, Vec<Theme>);

/// The week's runs and their cards grouped into themes; an empty week is an error that says so.
fn group_week(
    store: &dyn Store,
    week: IsoWeek,
    reporter: &dyn Progress,
) -> Result<GroupedWeek, WeeklyError> {
    let day_runs = runs::week_runs(store, week)?;
    if day_runs.is_empty() {
        return Err(WeeklyError::NoRunsInWeek {
            week,
            start: week.monday(),
            end: week.sunday(),
        });
    }
    let day_cards: Vec<DayCard> = day_runs
        .iter()
        .flat_map(|run| {
            run.cards.iter().map(|record| DayCard {
                date: run.date,
                record: record.clone(),
            })
        })
        .collect();
    reporter.step(&format!(
        "grouping {} card(s) from {} day(s) of {week}",
        day_cards.len(),
        day_runs.len()
    ));
    let (cards, themes) = themes::group(day_cards);
    if themes.is_empty() {
        return Err(WeeklyError::NoThemes {
            week,
            cards: cards.len(),
        });
    }

    Ok((day_runs, cards, themes))
}

/// One keyword card per theme (one call each); themes whose card failed are listed, and a week
/// with no card at all is an error.
async fn keyword_cards(
    config: &Config,
    writer: &crate::write::Writer<'_>,
    week: IsoWeek,
    cards: &[DayCard],
    themes: &[Theme],
    reporter: &dyn Progress,
) -> Result<(Vec<ThemeRecord>, Vec<FailedTopic>), WeeklyError> {
    let answers = write::write_themes(writer, &week.to_string(), cards, themes).await?;
    let mut records = Vec::new();
    let mut failed = Vec::new();
    for (theme, answer) in themes.iter().zip(answers) {
        let id = theme_id(theme, cards);
        match answer {
            Ok(card) => records.push(ThemeRecord {
                id,
                term: theme.term.clone(),
                days: theme.days,
                card,
                cards: theme
                    .cards
                    .iter()
                    .map(|&i| card_ref(&cards[i], config.digest.language))
                    .collect(),
            }),
            Err(reason) => {
                reporter.warn(&format!(
                    "theme \"{}\" has no keyword card: {reason}",
                    theme.term
                ));
                failed.push(FailedTopic {
                    topic_id: id,
                    title: theme.term.clone(),
                    reason,
                });
            }
        }
    }
    if records.is_empty() {
        let failures = failed
            .iter()
            .take(5)
            .map(|f| format!("  - {}: {}", f.title, f.reason))
            .collect::<Vec<_>>()
            .join("\n");
        return Err(WeeklyError::NoKeywordCards { week, failures });
    }

    Ok((records, failed))
}

/// The week's overview over the keyword cards; a missing one is reported, not fatal.
async fn overview(
    writer: &crate::write::Writer<'_>,
    context: &WeekContext,
    records: &[ThemeRecord],
    reporter: &dyn Progress,
) -> Result<(WeeklyOverview, Option<String>), WeeklyError> {
    reporter.step("writing the week's overview");
    let block_themes: Vec<BlockTheme> = records
        .iter()
        .map(|r| BlockTheme {
            id: r.id.clone(),
            keyword: r.card.keyword.clone(),
            insight: r.card.insight.clone(),
            card_count: r.cards.len(),
            days: r.days,
            last_date: r
                .cards
                .iter()
                .map(|c| c.date)
                .max()
                .map(|d| d.to_string())
                .unwrap_or_default(),
        })
        .collect();
    Ok(
        match write::write_overview(writer, context, &block_themes).await? {
            Ok(overview) => (overview, None),
            Err(reason) => {
                reporter.warn(&format!("the week's overview is missing: {reason}"));
                (
                    WeeklyOverview {
                        headline: String::new(),
                        summary: String::new(),
                        outlook: String::new(),
                    },
                    Some(reason),
                )
            }
        },
    )
}

/// "t" + 12 hex chars of blake3 over the term and the theme's sorted (date, topic id) pairs.
fn theme_id(theme: &Theme, cards: &[DayCard]) -> String {
    let mut members: Vec<String> = theme
        .cards
        .iter()
        .map(|&i| format!("{}/{}", cards[i].date, cards[i].record.topic_id))
        .collect();
    members.sort();
    let hash = blake3::hash(format!("{}|{}", theme.term, members.join(",")).as_bytes());
    format!("t{}", &hash.to_hex()[..12])
}

/// A day card as a theme cites it, linked as the day's digest linked its headline.
fn card_ref(day: &DayCard, language: crate::model::Language) -> WeeklyCardRef {
    WeeklyCardRef {
        date: day.date,
        topic_id: day.record.topic_id.clone(),
        title: day.record.card.title.clone(),
        importance: day.record.card.importance,
        source: crate::render::view::headline_source(&day.record, language, None).cloned(),
    }
}

#[cfg(test)]
mod tests;
