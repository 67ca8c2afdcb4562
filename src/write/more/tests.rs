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
fn missing_unknown_repeated_and_empty_lines_are_named() {
    let long = "長".repeat(MORE_LINE_MAX_CHARS + 1);
    let reply = format!(
        r#"{{"lines":[{{"id":"s1","line":"一"}},{{"id":"s1","line":"二"}},{{"id":"s9","line":" "}},{{"id":"s1","line":"{long}"}}]}}"#
    );
    let err = validate_more(&reply, &ids()).unwrap_err();
    for expected in [
        "/lines/1/id: \"s1\" has a line already",
        "/lines/2/id: \"s9\" is not a story",
        "/lines/2/line: must not be empty",
        "/lines: no line for s2",
    ] {
        assert!(err.contains(expected), "{expected} not in {err}");
    }
    assert!(validate_more("not json", &ids()).is_err());
}

#[test]
fn a_line_past_its_bound_with_nothing_to_cut_at_is_emptied_not_the_batch_failed() {
    let long = "長".repeat(MORE_LINE_MAX_CHARS + 1);
    let reply = format!(r#"{{"lines":[{{"id":"s1","line":"{long}"}},{{"id":"s2","line":"二"}}]}}"#);
    let lines = validate_more(&reply, &ids()).unwrap();
    assert_eq!(lines.lines[0].line, "", "the lead title stands in");
    assert_eq!(lines.lines[1].line, "二");
}

#[test]
fn a_line_past_its_bound_is_cut_at_its_last_sentence_or_clause_that_fits() {
    let head = "某公司發布新模型".repeat(10); // 80 characters
    let sentence = format!("{head}。{}", "後續細節".repeat(20));
    let clause = format!("{head}，{}", "後續細節".repeat(20));
    for (line, kept) in [(sentence, format!("{head}。")), (clause, head.clone())] {
        let reply =
            format!(r#"{{"lines":[{{"id":"s1","line":"{line}"}},{{"id":"s2","line":"二"}}]}}"#);
        let lines = validate_more(&reply, &ids()).unwrap();
        assert_eq!(lines.lines[0].line, kept);
    }
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
    let longest: String =
        "研究團隊表示，新模型在多項基準測試中超越同級對手，並已在開源社群釋出權重與訓練程式碼。"
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

#[test]
fn a_line_given_to_two_stories_is_dropped_from_both_and_their_leads_stand_in() {
    let story = |id: &str, line: &str| crate::model::MoreStory {
        story_id: id.into(),
        lead: crate::model::SourceRef::of(&article(id, &format!("lead {id}"), "aipulse")),
        line: line.into(),
    };
    // The real model's answer: one outlet's two stories, one line.
    let lancore = "上海AI推理晶片公司LANCore的上市申請於1月5日獲得受理，計劃募集24億元。";
    let mut stories = vec![
        story("s1", lancore),
        story("s2", "深圳市發放第二批算力券，支援企業訓練模型。"),
        story("s3", &format!("{lancore}（更新）")),
        story("s4", ""),
    ];
    super::drop_repeated_lines(&mut stories);
    let lines: Vec<&str> = stories.iter().map(|s| s.line.as_str()).collect();
    assert_eq!(
        lines,
        ["", "深圳市發放第二批算力券，支援企業訓練模型。", "", ""]
    );
}
