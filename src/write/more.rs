//! The more-news stage. In: the on-topic stories ranked past `max_topics`, best first; out: one
//! `MoreStory` per story — its lead article (the best source in the digest's language, the same
//! choice a card's headline link makes) and one line about it in the digest's language, from one
//! batched, cached call for all of them (namespace `more`, prompt `prompts/more.tera`). It never
//! drops a story: when the call fails, or a line is missing, the line stays empty and the
//! renderer shows the lead's title (lint then warns where that title is in another language).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::prompts::PromptError;
use super::sources::lead_source;
use super::{Asked, Writer, ask_validated};
use crate::llm::Namespace;
use crate::llm::blocks::{BlockStory, MoreContext, write_block};
use crate::llm::schema::{strict_schema_for, validate_against};
use crate::model::{MoreStory, SourceRef, Story};

/// A line longer than this is a summary, not a line (the seeds' 更多動態 items run 15–60 characters).
pub const MORE_LINE_MAX_CHARS: usize = 120;
/// How many characters of each lead article's text the prompt shows: enough for a line.
const LEAD_TEXT_CHARS: usize = 400;

/// What the more-news call returns: one line per story of the `<stories>` block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MoreLines {
    /// One entry per story, in the order given.
    pub lines: Vec<MoreLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct MoreLine {
    /// The story id from the `<stories>` block.
    pub id: String,
    /// One line (at most 120 characters) in the digest's language: who did what, with the key
    /// number or name; no opinion, nothing the story does not say.
    pub line: String,
}

/// The more-news stage's result.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MoreOutcome {
    pub stories: Vec<MoreStory>,
    /// Why the lines are missing, when the call failed or stayed invalid.
    pub error: Option<String>,
}

/// The schema sent with the more-news call.
pub fn more_schema() -> serde_json::Value {
    strict_schema_for::<MoreLines>()
}

/// Validates a more-news reply against the stories asked about: every story exactly once, no
/// unknown id, every line non-empty and within `MORE_LINE_MAX_CHARS`.
pub fn validate_more(content: &str, ids: &[String]) -> Result<MoreLines, String> {
    let lines: MoreLines = validate_against(content, &more_schema())?;
    let mut problems = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, entry) in lines.lines.iter().enumerate() {
        let id = entry.id.trim();
        if !ids.iter().any(|known| known == id) {
            problems.push(format!(
                "/lines/{i}/id: \"{id}\" is not a story of <stories>"
            ));
        } else if !seen.insert(id) {
            problems.push(format!("/lines/{i}/id: \"{id}\" has a line already"));
        }
        let chars = entry.line.trim().chars().count();
        if chars == 0 {
            problems.push(format!("/lines/{i}/line: must not be empty"));
        } else if chars > MORE_LINE_MAX_CHARS {
            problems.push(format!(
                "/lines/{i}/line: {chars} characters is too long (at most {MORE_LINE_MAX_CHARS})"
            ));
        }
    }
    let missing: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| !seen.contains(id))
        .collect();
    if !missing.is_empty() {
        problems.push(format!("/lines: no line for {}", missing.join(", ")));
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems.join("; "))
    }
}

impl Writer<'_> {
    /// One line for every story past `max_topics`, from one call. No stories, no call.
    pub async fn write_more(&self, stories: &[Story]) -> Result<MoreOutcome, PromptError> {
        let mut outcome = MoreOutcome {
            stories: stories
                .iter()
                .filter_map(|story| {
                    Some(MoreStory {
                        story_id: story.id.clone(),
                        lead: self.lead_of(story)?,
                        line: String::new(),
                    })
                })
                .collect(),
            ..MoreOutcome::default()
        };
        if outcome.stories.is_empty() {
            return Ok(outcome);
        }
        let block: Vec<BlockStory> = stories
            .iter()
            .zip(&outcome.stories)
            .map(|(story, more)| {
                let text = story
                    .articles
                    .iter()
                    .find(|a| a.id == more.lead.article_id)
                    .map(|a| a.text.chars().take(LEAD_TEXT_CHARS).collect())
                    .unwrap_or_default();
                BlockStory {
                    id: more.story_id.clone(),
                    outlet: more.lead.outlet.clone(),
                    title: more.lead.title.clone(),
                    text,
                }
            })
            .collect();
        let ids: Vec<String> = block.iter().map(|s| s.id.clone()).collect();
        let schema = more_schema();
        let context = MoreContext {
            language: self.language.tag().to_string(),
            story_count: block.len(),
        };
        let mut ctx = self.prompt_context(&schema);
        ctx.insert("story_count", &block.len());
        ctx.insert("max_line_chars", &MORE_LINE_MAX_CHARS);
        ctx.insert("context_block", &write_block("context", &context));
        ctx.insert("stories_block", &write_block("stories", &block));
        let messages = self.prompts.render("more.tera", &ctx)?;
        let request = self
            .settings
            .request(Namespace::More, messages, "more", &schema);
        match ask_validated(self.provider, request, |c| validate_more(c, &ids)).await {
            Asked::Valid { value, .. } => {
                for entry in value.lines {
                    if let Some(story) = outcome
                        .stories
                        .iter_mut()
                        .find(|s| s.story_id == entry.id.trim())
                    {
                        story.line = entry.line.trim().to_string();
                    }
                }
            }
            Asked::Invalid { reason, .. } => outcome.error = Some(reason),
            Asked::Failed { error } => outcome.error = Some(error.to_string()),
        }
        Ok(outcome)
    }

    /// The story's lead: the best-ranked article in the digest's language, else its best.
    fn lead_of(&self, story: &Story) -> Option<SourceRef> {
        let sources: Vec<SourceRef> = story.articles.iter().map(SourceRef::of).collect();
        let refs: Vec<&SourceRef> = sources.iter().collect();
        lead_source(&refs, self.language, None, "").cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        vec!["s1".into(), "s2".into()]
    }

    #[test]
    fn a_reply_with_every_story_once_is_valid() {
        let reply = r#"{"lines":[{"id":"s2","line":"OpenAI 收購文件 AI 新創 Quillmark"},{"id":"s1","line":"雲林農民導入 AI 無人機"}]}"#;
        let lines = validate_more(reply, &ids()).unwrap();
        assert_eq!(lines.lines.len(), 2);
    }

    #[test]
    fn missing_unknown_repeated_empty_and_long_lines_are_named() {
        let long = "長".repeat(MORE_LINE_MAX_CHARS + 1);
        let reply = format!(
            r#"{{"lines":[{{"id":"s1","line":"一"}},{{"id":"s1","line":"二"}},{{"id":"s9","line":" "}},{{"id":"s1","line":"{long}"}}]}}"#
        );
        let err = validate_more(&reply, &ids()).unwrap_err();
        for expected in [
            "/lines/1/id: \"s1\" has a line already",
            "/lines/2/id: \"s9\" is not a story",
            "/lines/2/line: must not be empty",
            "/lines/3/line: 121 characters is too long",
            "/lines: no line for s2",
        ] {
            assert!(err.contains(expected), "{expected} not in {err}");
        }
        assert!(validate_more("not json", &ids()).is_err());
    }

    fn article(id: &str, title: &str, outlet: &str) -> crate::model::Article {
        crate::model::Article {
            id: id.into(),
            url: format!("https://{outlet}.example/{id}"),
            outlet: outlet.into(),
            source: outlet.into(),
            tier: 2,
            title: title.into(),
            published_at: chrono::DateTime::parse_from_rfc3339("2026-01-05T03:00:00Z")
                .unwrap()
                .with_timezone(&chrono::Utc),
            lang: String::new(),
            text: format!("{title}. More text about it."),
            tags: Vec::new(),
        }
    }

    fn stories() -> Vec<Story> {
        let story = |id: &str, articles: Vec<crate::model::Article>| Story {
            id: id.into(),
            articles,
            merges: Vec::new(),
        };
        vec![
            story(
                "s1",
                vec![
                    article(
                        "a1",
                        "OpenAI acquires document-AI startup Quillmark",
                        "wire",
                    ),
                    article("a2", "OpenAI收購文件AI新創Quillmark", "review"),
                ],
            ),
            story(
                "s2",
                vec![article(
                    "b1",
                    "Pebble-1.5B distils reasoning traces",
                    "labnotes",
                )],
            ),
        ]
    }

    async fn write(provider: &dyn crate::llm::Provider) -> MoreOutcome {
        let config = crate::config::Config::parse(
            "[digest]\nlanguage = \"zh-Hant\"\n[[digest.sections]]\nid = \"models\"\n\
             [[sources]]\nname = \"day\"\nurl = \"feeds\"\n",
            None,
            &std::collections::BTreeMap::<String, String>::new(),
        )
        .unwrap();
        let prompts = super::super::prompts::Prompts::load(None).unwrap();
        let settings = super::super::CallSettings::for_provider(&config.provider);
        let previously = std::collections::BTreeMap::new();
        let writer = Writer::new(&config, &prompts, provider, &settings, &previously);
        writer.write_more(&stories()).await.unwrap()
    }

    #[tokio::test]
    async fn one_call_writes_every_line_and_leads_in_the_digests_language() {
        let extractive = crate::llm::extractive::Extractive::new();
        let outcome = write(&extractive).await;
        assert_eq!(outcome.error, None);
        let ids: Vec<&str> = outcome
            .stories
            .iter()
            .map(|s| s.story_id.as_str())
            .collect();
        assert_eq!(ids, ["s1", "s2"]);
        // The lead is the Chinese report, though the English one ranks first in the story.
        assert_eq!(outcome.stories[0].lead.article_id, "a2");
        // The baseline keeps the lead's title, in the target script.
        assert_eq!(outcome.stories[0].line, "OpenAI收購文件AI新創Quillmark");
        assert_eq!(
            outcome.stories[1].line,
            "Pebble-1.5B distils reasoning traces"
        );

        let model = crate::llm::testing::Fake::answering(
            r#"{"lines":[{"id":"s1","line":"OpenAI 收購 Quillmark"},{"id":"s2","line":"Pebble-1.5B 蒸餾推理軌跡"}]}"#,
            crate::llm::Usage::default(),
        );
        let outcome = write(&model).await;
        assert_eq!(model.calls(), 1);
        let request = &model.requests()[0];
        assert_eq!(request.namespace, crate::llm::Namespace::More);
        assert!(request.messages[1].content.contains("<stories>"));
        assert_eq!(outcome.stories[1].line, "Pebble-1.5B 蒸餾推理軌跡");
    }

    #[tokio::test]
    async fn an_invalid_reply_keeps_every_story_with_an_empty_line() {
        let model = crate::llm::testing::Fake::answering(
            r#"{"lines":[{"id":"s1","line":"只有一則"}]}"#,
            crate::llm::Usage::default(),
        );
        let outcome = write(&model).await;
        // The first ask and one repair, then the titles stand in.
        assert_eq!(model.calls(), 2);
        assert!(outcome.error.unwrap().contains("no line for s2"));
        assert_eq!(outcome.stories.len(), 2);
        assert!(outcome.stories.iter().all(|s| s.line.is_empty()));
    }
}
