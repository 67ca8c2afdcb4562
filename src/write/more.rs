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
        Ok(self.settings.request(
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

    fn config() -> crate::config::Config {
        crate::config::Config::parse(
            "[digest]\nlanguage = \"zh-Hant\"\n[[digest.sections]]\nid = \"models\"\n\
             [[sources]]\nname = \"day\"\nurl = \"feeds\"\n",
            None,
            &std::collections::BTreeMap::<String, String>::new(),
        )
        .unwrap()
    }

    /// The token estimate the writer and the context layer share: the provider's encoding.
    fn estimator() -> Estimator {
        Estimator::new(config().provider.token_encoding)
    }

    async fn write(provider: &dyn crate::llm::Provider) -> MoreOutcome {
        write_with(provider, &stories(), None, None).await
    }

    /// `stories` written by `provider` for a zh-Hant digest, batched for `window`, with
    /// `max_output_tokens` when given (else the default).
    async fn write_with(
        provider: &dyn crate::llm::Provider,
        stories: &[Story],
        window: Option<u32>,
        max_output_tokens: Option<u32>,
    ) -> MoreOutcome {
        let config = config();
        let prompts = super::super::prompts::Prompts::load(None).unwrap();
        let mut settings = super::super::CallSettings::for_provider(&config.provider);
        if let Some(max) = max_output_tokens {
            settings.max_output_tokens = max;
        }
        let previously = std::collections::BTreeMap::new();
        let writer = Writer::new(&config, &prompts, provider, &settings, &previously);
        writer.write_more(stories, window).await.unwrap()
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

        // A model's Simplified line (the real model's, for a 繁體 digest) is converted.
        let model = crate::llm::testing::Fake::answering(
            r#"{"lines":[{"id":"s1","line":"欧盟AI Office发布事件报告模板"},{"id":"s2","line":"Pebble-1.5B 蒸馏推理轨迹"}]}"#,
            crate::llm::Usage::default(),
        );
        let outcome = write(&model).await;
        assert_eq!(outcome.stories[0].line, "歐盟AI Office發布事件報告模板");
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

    use crate::llm::cached::cache_key;
    use crate::llm::testing::Fake;
    use std::sync::Arc;

    /// A day's worth of more-news stories, each led by a Chinese report with a full lead text.
    fn many_stories(count: usize) -> Vec<Story> {
        (0..count)
            .map(|i| {
                let mut lead = article(
                    &format!("a{i}"),
                    &format!("第{i}則：新創公司發布開源模型，推理速度提升{i}倍"),
                    "review",
                );
                lead.text = "研究團隊表示，新模型在多項基準測試中超越同級對手，並已在開源社群釋出權重與訓練程式碼。"
                    .repeat(12);
                Story {
                    id: format!("s{i:02}"),
                    articles: vec![lead],
                    merges: Vec::new(),
                }
            })
            .collect()
    }

    /// Answers every more-news request with a line for each story of its own `<stories>` block.
    fn echo() -> Arc<Fake> {
        Arc::new(Fake::new(|req, _| {
            let stories: Vec<BlockStory> =
                crate::llm::blocks::read_last_block(&req.messages, "stories").unwrap();
            let lines: Vec<MoreLine> = stories
                .iter()
                .map(|s| MoreLine {
                    id: s.id.clone(),
                    line: format!("{} 的一行", s.id),
                })
                .collect();
            let answer = serde_json::to_string(&MoreLines { lines }).unwrap();
            Ok(crate::llm::testing::response(
                &answer,
                crate::llm::Usage::default(),
            ))
        }))
    }

    fn batch_ids(request: &ChatRequest) -> Vec<String> {
        let stories: Vec<BlockStory> =
            crate::llm::blocks::read_last_block(&request.messages, "stories").unwrap();
        stories.into_iter().map(|s| s.id).collect()
    }

    /// The context layer over `inner`, knowing `window`: it refuses any request that does not fit.
    fn fitted(inner: &Arc<Fake>, window: u32) -> crate::llm::context::Fitted<Arc<Fake>> {
        crate::llm::context::Fitted::new(
            inner.clone(),
            Some(window),
            estimator(),
            std::sync::Arc::default(),
        )
    }

    #[tokio::test]
    async fn a_small_window_splits_the_list_into_batches_that_each_fit() {
        let stories = many_stories(31);
        let model = echo();
        let window = 4096;
        let outcome = write_with(&fitted(&model, window), &stories, Some(window), None).await;
        assert_eq!(outcome.error, None);
        assert!(
            outcome.stories.iter().all(|s| s.line.ends_with(" 的一行")),
            "every story has its line"
        );
        let requests = model.requests();
        assert!(requests.len() > 2, "{} batches", requests.len());
        // Every story asked about exactly once, in rank order, and every request within the
        // context layer's margin with the whole max_tokens left for the answer.
        let asked: Vec<String> = requests.iter().flat_map(batch_ids).collect();
        let expected: Vec<String> = stories.iter().map(|s| s.id.clone()).collect();
        assert_eq!(asked, expected);
        let estimator = estimator();
        for request in &requests {
            let used = estimator.prompt_tokens(request) + u64::from(request.max_tokens.unwrap());
            assert!(used <= u64::from(window) * 9 / 10, "{used} tokens");
            assert_eq!(request.max_tokens, Some(1200));
        }
        // A window twice as large takes fewer batches: they are as long as the window allows.
        let fuller = write_with(
            &fitted(&model, window * 2),
            &stories,
            Some(window * 2),
            None,
        )
        .await;
        assert_eq!(fuller.error, None);
        assert!(model.requests().len() - requests.len() < requests.len());
    }

    #[tokio::test]
    async fn a_batchs_request_does_not_depend_on_the_other_batches() {
        let mut stories = many_stories(12);
        let first_model = echo();
        write_with(&*first_model, &stories, Some(4096), None).await;
        stories.last_mut().unwrap().articles[0].title = "另一則完全不同的新聞標題".into();
        stories.push(many_stories(13).pop().unwrap());
        let second_model = echo();
        write_with(&*second_model, &stories, Some(4096), None).await;
        let (first, second) = (first_model.requests(), second_model.requests());
        assert!(first.len() > 1);
        // The batches before the changed story are sent byte for byte as before: same cache keys.
        let unchanged = first.len() - 1;
        for (a, b) in first.iter().zip(&second).take(unchanged) {
            let id = crate::llm::Provider::id(&*first_model);
            assert_eq!(cache_key(id, a), cache_key(id, b));
        }
        assert_ne!(first.last().unwrap().messages, second[unchanged].messages);
        // A batch's prompt counts its own stories, not the day's.
        let ids = batch_ids(&first[0]);
        let context: MoreContext =
            crate::llm::blocks::read_last_block(&first[0].messages, "context").unwrap();
        assert_eq!(context.story_count, ids.len());
        assert!(ids.len() < 12);
    }

    #[tokio::test]
    async fn the_answer_room_bounds_a_batch_even_in_a_large_window() {
        let stories = many_stories(10);
        let model = echo();
        let max_output = 400;
        let outcome = write_with(&*model, &stories, Some(1_000_000), Some(max_output)).await;
        assert_eq!(outcome.error, None);
        let requests = model.requests();
        assert!(requests.len() >= 3, "{} batches", requests.len());
        // Each batch's long answer (every line at its longest, in prose other than the
        // estimate's sample) fits max_tokens.
        let estimator = estimator();
        let longest: String = "研究團隊表示，新模型在多項基準測試中超越同級對手，並已在開源社群釋出權重與訓練程式碼。"
            .chars()
            .cycle()
            .take(MORE_LINE_MAX_CHARS)
            .collect();
        for request in &requests {
            let lines = batch_ids(request)
                .into_iter()
                .map(|id| MoreLine {
                    id,
                    line: longest.clone(),
                })
                .collect();
            let answer = serde_json::to_string(&MoreLines { lines }).unwrap();
            assert!(estimator.count(&answer) <= max_output as usize);
        }
        // With the default room, the same window takes them all in one call.
        let one = echo();
        write_with(&*one, &stories, Some(1_000_000), Some(4000)).await;
        assert_eq!(one.calls(), 1);
    }

    #[tokio::test]
    async fn a_story_too_big_for_the_window_loses_only_its_own_line() {
        let mut stories = many_stories(6);
        stories[2].articles[0].title = "超長標題".repeat(900);
        let model = echo();
        let window = 4096;
        let outcome = write_with(&fitted(&model, window), &stories, Some(window), None).await;
        let error = outcome.error.unwrap();
        assert!(error.contains("stories s02 ("), "{error}");
        assert!(!error.contains("s01"), "{error}");
        for (i, story) in outcome.stories.iter().enumerate() {
            assert_eq!(story.line.is_empty(), i == 2, "{}", story.story_id);
        }
    }

    #[tokio::test]
    async fn batches_that_all_fail_are_told_once_with_their_count() {
        let stories = many_stories(12);
        let down = Fake::new(|_, _| {
            Err(crate::llm::LlmError::BadResponse(
                "the server is down".into(),
            ))
        });
        let outcome = write_with(&down, &stories, Some(4096), None).await;
        let batches = down.calls();
        assert!(batches > 1);
        assert_eq!(
            outcome.error.unwrap(),
            format!(
                "{batches} of {batches} batches (12 stories) failed, the first with: {}",
                crate::llm::LlmError::BadResponse("the server is down".into())
            )
        );
        assert!(outcome.stories.iter().all(|s| s.line.is_empty()));
    }
}
