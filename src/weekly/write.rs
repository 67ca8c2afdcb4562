//! The weekly writing calls. In: the themes with their day cards (compact form), then the finished
//! keyword cards; out: one validated `KeywordCard` per theme and one `WeeklyOverview`, each through
//! the `weekly` namespace of the provider stack (cached, repaired at most once), or the reason
//! there is none. The cards a theme groups are attached by the caller, never by a model.

use futures::future::join_all;

use super::themes::{DayCard, Theme};
use crate::llm::Namespace;
use crate::llm::blocks::{BlockTheme, ThemeContext, WeekContext, WeeklyBlockCard, write_block};
use crate::llm::schema::{
    keyword_card_schema, validate_keyword_card, validate_weekly_overview, weekly_overview_schema,
};
use crate::model::{KeywordCard, WeeklyOverview};
use crate::write::prompts::PromptError;
use crate::write::{Asked, Writer, ask_validated};

/// The weekly prompts, embedded with the others in `write::prompts`.
pub const THEME_PROMPT: &str = "weekly.tera";
pub const OVERVIEW_PROMPT: &str = "weekly_overview.tera";

/// How much of a day card's summary a theme call sees: the lead says what happened.
const SUMMARY_CHARS: usize = 400;

/// Writes one keyword card per theme, all calls in flight at once (the limiter in the stack
/// paces them). Answers come back in theme order.
pub async fn write_themes(
    writer: &Writer<'_>,
    week: &str,
    cards: &[DayCard],
    themes: &[Theme],
) -> Result<Vec<Result<KeywordCard, String>>, PromptError> {
    let schema = keyword_card_schema();
    let mut requests = Vec::with_capacity(themes.len());
    for theme in themes {
        let block_cards: Vec<WeeklyBlockCard> = theme
            .cards
            .iter()
            .map(|&i| {
                let day = &cards[i];
                WeeklyBlockCard {
                    id: day.record.topic_id.clone(),
                    date: day.date.to_string(),
                    title: day.record.card.title.clone(),
                    summary: day
                        .record
                        .card
                        .summary
                        .chars()
                        .take(SUMMARY_CHARS)
                        .collect(),
                    importance: day.record.card.importance.as_str().to_string(),
                    entities: day.record.card.entities.clone(),
                }
            })
            .collect();
        let context = ThemeContext {
            language: writer.language.tag().to_string(),
            week: week.to_string(),
            term: theme.term.clone(),
            days: theme.days,
            related: theme.related.clone(),
        };
        let mut ctx = writer.prompt_context(&schema);
        ctx.insert("week", week);
        ctx.insert("term", &theme.term);
        ctx.insert("card_count", &theme.cards.len());
        ctx.insert("days", &theme.days);
        ctx.insert("theme_block", &write_block("theme", &context));
        ctx.insert("cards_block", &write_block("cards", &block_cards));
        let messages = writer.prompts.render(THEME_PROMPT, &ctx)?;
        requests.push(writer.request(Namespace::Weekly, messages, "keyword_card", &schema));
    }
    let answers = join_all(
        requests
            .into_iter()
            .map(|request| ask_validated(writer.provider, request, validate_keyword_card)),
    )
    .await;
    Ok(answers.into_iter().map(outcome).collect())
}

/// Writes the overview over the finished keyword cards.
pub async fn write_overview(
    writer: &Writer<'_>,
    context: &WeekContext,
    themes: &[BlockTheme],
) -> Result<Result<WeeklyOverview, String>, PromptError> {
    let schema = weekly_overview_schema();
    let mut ctx = writer.prompt_context(&schema);
    ctx.insert("week", &context.week);
    ctx.insert("theme_count", &themes.len());
    ctx.insert("card_count", &context.card_count);
    ctx.insert("day_count", &context.day_count);
    ctx.insert("week_block", &write_block("week", context));
    ctx.insert("themes_block", &write_block("themes", themes));
    let messages = writer.prompts.render(OVERVIEW_PROMPT, &ctx)?;
    let request = writer
        .settings
        .request(Namespace::Weekly, messages, "weekly_overview", &schema);
    Ok(outcome(
        ask_validated(writer.provider, request, validate_weekly_overview).await,
    ))
}

fn outcome<T>(asked: Asked<T>) -> Result<T, String> {
    match asked {
        Asked::Valid { value, .. } => Ok(value),
        Asked::Invalid { reason, .. } => Err(reason),
        Asked::Failed { error } => Err(error.to_string()),
    }
}
