//! The more-news stage. In: the on-topic stories ranked past `max_topics`, best first, and the
//! model's context window; out: one `MoreStory` per story — its lead article (the best source in
//! the digest's language, the same choice a card's headline link makes) and one line about it in
//! the digest's language. The lines come from batched calls (namespace `more`, prompt
//! `prompts/more.tera`), as few as fit the window with room left for the answer; each batch is
//! cached on its own and its request names only its own stories. It never drops a story: when a
//! batch fails, or a line is missing, the line stays empty and the renderer shows the lead's
//! title (lint then warns where that title is in another language).

use futures::future::join_all;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::prompts::PromptError;
use super::sources::lead_source;
use super::{Asked, Writer, ask_validated};
use crate::llm::blocks::{BlockStory, MoreContext, write_block};
use crate::llm::bounds::with_bounds;
use crate::llm::budget::Estimator;
use crate::llm::context::fit_request;
pub use crate::llm::schema::MORE_LINE_MAX_CHARS;
use crate::llm::schema::{MORE_BOUNDS, MORE_PROSE, strict_schema_for, validate_against};
use crate::llm::{ChatRequest, Namespace};
use crate::model::{Language, MoreStory, SourceRef, Story};
use crate::text::sentences::cut_at_sentence_or_clause;

/// How many characters of each lead article's text the prompt shows: enough for a line.
const LEAD_TEXT_CHARS: usize = 400;
/// The window batches are cut for when `limits.context_tokens` is unset. Batching must not
/// depend on what a run learns from the server's errors (a replay learns nothing, and its batches
/// must be the recorded ones), so it assumes the smallest window the local presets usually run
/// with; a model with less needs `limits.context_tokens`.
pub const ASSUMED_WINDOW_TOKENS: u32 = 8192;
/// Tokens of an answer's frame (`{"lines":[` … `]}`) and of each entry's layout around its JSON.
const ANSWER_FRAME_TOKENS: usize = 8;
const ENTRY_LAYOUT_TOKENS: usize = 4;

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

/// The more-news schema with its bounds (`MORE_BOUNDS`).
pub fn more_schema() -> serde_json::Value {
    with_bounds(strict_schema_for::<MoreLines>(), MORE_BOUNDS)
}

/// Validates a more-news reply against the stories asked about: every story exactly once, no
/// unknown id, every line non-empty and within `MORE_LINE_MAX_CHARS` — a longer line is cut at
/// its last sentence or clause that fits, where that keeps half of it, and is emptied where
/// nothing can be cut (its story's lead title stands in), so one line does not cost its batch.
/// (On a grammar server the language pattern takes the place of the length: the real model wrote
/// 176-character lines, and one batch of five stories fell back to the lead titles over one such
/// line after its re-ask, in two recordings of the fixture day.)
pub fn validate_more(content: &str, ids: &[String]) -> Result<MoreLines, String> {
    let mut lines: MoreLines = validate_against(content, &more_schema())?;
    let mut uncuttable = Vec::new();
    for (i, entry) in lines.lines.iter_mut().enumerate() {
        if entry.line.trim().chars().count() > MORE_LINE_MAX_CHARS {
            match cut_at_sentence_or_clause(entry.line.trim(), MORE_LINE_MAX_CHARS) {
                Some(cut) => entry.line = cut,
                None => uncuttable.push(i),
            }
        }
    }
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
        if entry.line.trim().is_empty() {
            problems.push(format!("/lines/{i}/line: must not be empty"));
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
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    for i in uncuttable {
        let entry = &mut lines.lines[i];
        tracing::info!(story = %entry.id, line = %entry.line, "more-news line too long with nothing to cut at: the lead title stands in");
        entry.line.clear();
    }
    Ok(lines)
}

/// A line the model gave two stories (or lines lint would call one story) is dropped from each
/// of them, and their lead titles stand in: which story such a line belongs to cannot be told,
/// and lint fails a digest that tells one story twice. The real model gave two stories of one
/// outlet the same 「LANCore 上市申請獲受理」 line, and the night failed lint.
fn drop_repeated_lines(stories: &mut [MoreStory]) {
    use crate::text::headline::{normalize_headline, same_story};
    let keys: Vec<String> = stories
        .iter()
        .map(|s| normalize_headline(&s.line))
        .collect();
    let repeated: Vec<bool> = (0..keys.len())
        .map(|i| {
            !keys[i].is_empty()
                && (0..keys.len()).any(|j| j != i && same_story(&keys[i], &keys[j]).is_some())
        })
        .collect();
    for (story, repeated) in stories.iter_mut().zip(repeated) {
        if repeated {
            tracing::info!(story = %story.story_id, line = %story.line, "more-news line given to two stories: the lead title stands in");
            story.line.clear();
        }
    }
}

impl Writer<'_> {
    /// One line for every story past `max_topics`, from as few calls as fit `window` (the
    /// model's context window, `limits.context_tokens`; `None`: `ASSUMED_WINDOW_TOKENS`). No
    /// stories, no call. Batches are sent together; one that fails leaves only its own lines
    /// empty.
    pub async fn write_more(
        &self,
        stories: &[Story],
        window: Option<u32>,
    ) -> Result<MoreOutcome, PromptError> {
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
        let batches = self.more_batches(&block, window.unwrap_or(ASSUMED_WINDOW_TOKENS))?;
        let answers = join_all(batches.iter().map(|batch| {
            ask_validated(self.provider, batch.request.clone(), |c| {
                validate_more(c, &batch.ids)
            })
        }))
        .await;
        let mut failed: Vec<(&MoreBatch, String)> = Vec::new();
        for (batch, answer) in batches.iter().zip(answers) {
            match answer {
                Asked::Valid { value, .. } => {
                    for entry in value.lines {
                        if let Some(story) = outcome
                            .stories
                            .iter_mut()
                            .find(|s| s.story_id == entry.id.trim())
                        {
                            story.line = self.in_digest_script(entry.line.trim());
                        }
                    }
                }
                Asked::Invalid { reason, .. } => failed.push((batch, reason)),
                Asked::Failed { error } => failed.push((batch, error.to_string())),
            }
        }
        outcome.error = batch_failures(&failed, batches.len());
        drop_repeated_lines(&mut outcome.stories);
        Ok(outcome)
    }

    /// A model's line in the digest's Chinese script and Taiwan wording, as a card's texts are
    /// (`ScriptConverted`): the real model wrote 「欧盟AI Office发布…」 lines for a 繁體 digest.
    fn in_digest_script(&self, line: &str) -> String {
        if self.language.is_chinese() {
            crate::text::to_script(line, self.language)
        } else {
            line.to_string()
        }
    }

    /// Cuts `stories` (in order) into consecutive batches, each as long as it can be while its
    /// request fits `window` with `max_output_tokens` left for the answer (the context layer's
    /// own rule, `fit_request`), and the longest answer it allows fits `max_output_tokens`.
    /// A batch's request holds its own stories only, so its cache key does not depend on the
    /// others. A story too big to fit even alone still gets a batch of its own: the context
    /// layer then refuses it with the reason, and only that story's line is missing.
    fn more_batches(
        &self,
        stories: &[BlockStory],
        window: u32,
    ) -> Result<Vec<MoreBatch>, PromptError> {
        let answer_room = self.settings.max_output_tokens as usize;
        let mut batches = Vec::new();
        let mut start = 0;
        while start < stories.len() {
            let rest = &stories[start..];
            // The answer bound is cheap (a few tokens per story): it caps the batch first, then
            // the largest prompt that fits is found by halving, one rendered request per probe.
            let mut answer = ANSWER_FRAME_TOKENS;
            let most = rest
                .iter()
                .take_while(|story| {
                    answer += self.longest_entry_tokens(story);
                    answer <= answer_room
                })
                .count()
                .max(1);
            let mut request = self.more_request(&rest[..most])?;
            let mut size = most;
            if !fits(&request, window, &self.estimator) && most > 1 {
                // Invariant: `fitting` stories fit (or are the single story that must go alone),
                // `size` stories do not.
                let mut fitting = 1;
                let mut fitting_request = self.more_request(&rest[..1])?;
                while size - fitting > 1 {
                    let mid = fitting + (size - fitting) / 2;
                    let probe = self.more_request(&rest[..mid])?;
                    if fits(&probe, window, &self.estimator) {
                        (fitting, fitting_request) = (mid, probe);
                    } else {
                        size = mid;
                    }
                }
                (size, request) = (fitting, fitting_request);
            }
            batches.push(MoreBatch {
                ids: rest[..size].iter().map(|s| s.id.clone()).collect(),
                request,
            });
            start += size;
        }
        Ok(batches)
    }

    /// The more-news request for `stories`: nothing in it names another batch.
    fn more_request(&self, stories: &[BlockStory]) -> Result<ChatRequest, PromptError> {
        let schema = more_schema();
        let context = MoreContext {
            language: self.language.tag().to_string(),
            story_count: stories.len(),
        };
        let mut ctx = self.prompt_context(&schema);
        ctx.insert("story_count", &stories.len());
        ctx.insert("max_line_chars", &MORE_LINE_MAX_CHARS);
        ctx.insert("context_block", &write_block("context", &context));
        ctx.insert("stories_block", &write_block("stories", stories));
        let messages = self.prompts.render("more.tera", &ctx)?;
        Ok(self.request(
            Namespace::More,
            messages,
            "more",
            &self.schema_to_send(&schema, MORE_BOUNDS, MORE_PROSE),
        ))
    }

    /// Tokens of `story`'s entry in the longest valid answer: a line `MORE_LINE_MAX_CHARS` long
    /// in the digest's script. A batch leaves room for every entry at its longest, or a long
    /// answer is cut off mid-JSON and the whole batch is lost.
    fn longest_entry_tokens(&self, story: &BlockStory) -> usize {
        let entry = MoreLine {
            id: story.id.clone(),
            line: longest_line_sample(self.language)
                .chars()
                .cycle()
                .take(MORE_LINE_MAX_CHARS)
                .collect(),
        };
        let json = serde_json::to_string(&entry).expect("a line serializes");
        // A quarter more for wording denser than the sample, then the comma, indentation and
        // line break a pretty-printing model adds.
        self.estimator.count(&json) * 5 / 4 + ENTRY_LAYOUT_TOKENS
    }

    /// The story's lead: the best-ranked article in the digest's language, else its best.
    fn lead_of(&self, story: &Story) -> Option<SourceRef> {
        let sources: Vec<SourceRef> = story.articles.iter().map(SourceRef::of).collect();
        let refs: Vec<&SourceRef> = sources.iter().collect();
        lead_source(&refs, self.language, None, "").cloned()
    }
}

/// One more-news call: the stories it asks about and the request that asks.
struct MoreBatch {
    ids: Vec<String>,
    request: ChatRequest,
}

/// What went wrong, when a batch failed: its reason, naming the batch's stories when there were
/// several batches; for many failed batches, their count and the first reason (the others
/// usually repeat it: a provider that is down, a replay with no recording).
fn batch_failures(failed: &[(&MoreBatch, String)], batches: usize) -> Option<String> {
    let ((first, reason), others) = failed.split_first()?;
    Some(match (batches, others.len()) {
        (1, _) => reason.clone(),
        (_, 0) => format!("stories {} ({reason})", first.ids.join(", ")),
        (_, more) => {
            let stories: usize = failed.iter().map(|(batch, _)| batch.ids.len()).sum();
            format!(
                "{} of {batches} batches ({stories} stories) failed, the first with: {reason}",
                more + 1
            )
        }
    })
}

/// Whether `request` fits `window` as the context layer judges it (prompt estimate plus
/// `max_tokens` within its margin), so that layer never has to refuse a batch.
fn fits(request: &ChatRequest, window: u32, estimator: &Estimator) -> bool {
    matches!(fit_request(request, window, estimator, 1.0), Ok(None))
}

/// A typical more-news line in the digest's script, the material of the longest-answer
/// estimate: real prose, because a tokenizer counts a repeated character unlike prose (120
/// characters of it: 109 tokens in o200k_base, 171 in cl100k_base for zh-Hant; 23 for English).
fn longest_line_sample(language: Language) -> &'static str {
    match language {
        Language::ZhHant => {
            "輝達發布新一代資料中心晶片，推論效能提升三倍，首批客戶包括三家雲端服務商與兩所大學實驗室，預計明年第一季出貨。"
        }
        Language::ZhHans => {
            "英伟达发布新一代数据中心芯片，推理性能提升三倍，首批客户包括三家云服务商与两所大学实验室，预计明年第一季度出货。"
        }
        Language::En => {
            "Nvidia unveils a data-centre chip with triple the inference throughput; three cloud providers and two university labs get it first. "
        }
    }
}

#[cfg(test)]
mod tests;
