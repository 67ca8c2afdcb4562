//! The optional LLM relevance triage stage (`[triage] enabled = true`). In: the window's articles;
//! out: the articles kept, and the ones dropped with the model's reason. About `batch_size`
//! articles per call, each answered as `{id, keep, reason}` in the `triage` cache
//! namespace through the normal provider stack. It fails open: a batch whose call fails or stays
//! invalid keeps all its articles (and says so), and an article the answer leaves out is kept —
//! triage may only remove what a model positively judged off-topic.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::llm::blocks::{BlockArticle, write_block};
use crate::llm::schema::{strict_schema_for, validate_against};
use crate::llm::{ChatRequest, Namespace};
use crate::model::{Article, TriageAnswer, TriageDecision};
use crate::write::prompts::{PromptError, Prompts};
use crate::write::{Asked, CallSettings, ask_validated, language_name};

/// Body characters per article sent to triage: the lead says what an article is about, and 20
/// full articles would cost as much as a card.
const TRIAGE_TEXT_CHARS: usize = 400;

/// An article triage removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Dropped {
    pub id: String,
    pub title: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Triaged {
    pub kept: Vec<Article>,
    pub dropped: Vec<Dropped>,
    /// Batches that kept everything because the call failed, with why.
    pub failed_batches: Vec<String>,
}

/// What the triage calls share.
pub(crate) struct Triage<'a> {
    pub prompts: &'a Prompts,
    pub provider: &'a dyn crate::llm::Provider,
    pub settings: &'a CallSettings,
    pub language: crate::model::Language,
    pub batch_size: usize,
}

impl Triage<'_> {
    /// Triage `articles` in order, `batch_size` per call; the kept ones keep their order.
    pub(crate) async fn run(&self, articles: Vec<Article>) -> Result<Triaged, PromptError> {
        let schema = strict_schema_for::<TriageAnswer>();
        let mut out = Triaged::default();
        let batches: Vec<Vec<Article>> = articles
            .chunks(self.batch_size.max(1))
            .map(<[Article]>::to_vec)
            .collect();
        for (index, batch) in batches.into_iter().enumerate() {
            let request = self.request(&batch, &schema)?;
            let answer = ask_validated(self.provider, request, |content| {
                validate_against::<TriageAnswer>(content, &schema)
            })
            .await;
            let decisions: BTreeMap<String, TriageDecision> = match answer {
                Asked::Valid { value, .. } => value
                    .decisions
                    .into_iter()
                    .map(|d| (d.id.clone(), d))
                    .collect(),
                Asked::Invalid { reason, .. } => {
                    out.failed_batches
                        .push(format!("batch {}: {reason}", index + 1));
                    BTreeMap::new()
                }
                Asked::Failed { error } => {
                    out.failed_batches
                        .push(format!("batch {}: {error}", index + 1));
                    BTreeMap::new()
                }
            };
            for article in batch {
                match decisions.get(&article.id) {
                    Some(decision) if !decision.keep => out.dropped.push(Dropped {
                        id: article.id.clone(),
                        title: article.title.clone(),
                        reason: decision.reason.clone(),
                    }),
                    _ => out.kept.push(article),
                }
            }
        }
        Ok(out)
    }

    fn request(
        &self,
        batch: &[Article],
        schema: &serde_json::Value,
    ) -> Result<ChatRequest, PromptError> {
        let block: Vec<BlockArticle> = batch
            .iter()
            .map(|a| BlockArticle::new(a, a.text.chars().take(TRIAGE_TEXT_CHARS).collect()))
            .collect();
        let mut ctx = tera::Context::new();
        ctx.insert("language_name", language_name(self.language));
        ctx.insert("structured_output", self.settings.mode_name());
        ctx.insert(
            "schema_json",
            &serde_json::to_string_pretty(schema).expect("schemas serialize"),
        );
        ctx.insert("article_count", &batch.len());
        ctx.insert("articles_block", &write_block("articles", &block));
        let messages = self.prompts.render("triage.tera", &ctx)?;
        Ok(self
            .settings
            .request(Namespace::Triage, messages, "triage", schema))
    }
}

#[cfg(test)]
mod tests {

    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::config::StructuredOutput;
    use crate::llm::Usage;
    use crate::llm::blocks::read_block;
    use crate::llm::extractive::Extractive;
    use crate::llm::testing::Fake;

    fn article(id: &str, title: &str, text: &str) -> Article {
        Article {
            id: id.to_string(),
            url: format!("https://news.example/{id}"),
            outlet: "Wire".into(),
            source: "wire".into(),
            tier: 2,
            title: title.to_string(),
            published_at: Utc.with_ymd_and_hms(2026, 1, 5, 2, 0, 0).unwrap(),
            lang: "en".into(),
            text: text.to_string(),
            tags: vec![],
        }
    }

    fn settings() -> CallSettings {
        CallSettings {
            model: "m".into(),
            structured_output: StructuredOutput::JsonSchema,
            temperature: None,
            top_p: None,
            seed: None,
            max_output_tokens: 800,
            string_lengths: false,
            script_bias: false,
            translates: true,
        }
    }

    fn day() -> Vec<Article> {
        vec![
            article(
                "ai1",
                "OpenAI releases GPT-5 model with better reasoning",
                "The new large language model improves benchmarks for reasoning and coding; inference costs fall.",
            ),
            article(
                "pet",
                "A smart cat feeder that plays music",
                "The gadget dispenses kibble on a schedule and plays your cat's favourite songs.",
            ),
            article(
                "ai2",
                "阿里开源Qwen-Image大模型",
                "通义团队开源了新的图像生成大模型，训练数据与推理速度均有提升。",
            ),
            article(
                "cpi",
                "Inflation cools to 2.1% in December",
                "Consumer prices rose less than expected as energy costs fell, economists said.",
            ),
        ]
    }

    #[tokio::test]
    async fn the_extractive_baseline_drops_the_off_topic_items_lexically() {
        let prompts = Prompts::load(None).unwrap();
        let provider = Extractive::new();
        let settings = settings();
        let triage = Triage {
            prompts: &prompts,
            provider: &provider,
            settings: &settings,
            language: crate::model::Language::ZhHant,
            batch_size: 3,
        };
        let out = triage.run(day()).await.unwrap();
        let kept: Vec<&str> = out.kept.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(kept, vec!["ai1", "ai2"]);
        let dropped: Vec<&str> = out.dropped.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(dropped, vec!["pet", "cpi"]);
        assert!(out.dropped[0].reason.starts_with("lexical AI relevance"));
        assert!(out.failed_batches.is_empty());
    }

    #[tokio::test]
    async fn batches_carry_the_articles_as_data_and_fail_open() {
        let prompts = Prompts::load(None).unwrap();
        let provider = Fake::answering(
            r#"{"decisions": [
                {"id": "pet", "keep": false, "reason": "a pet gadget"},
                {"id": "ai1", "keep": true, "reason": "a model release"},
                {"id": "ghost", "keep": false, "reason": "not in the batch"}
            ]}"#,
            Usage::default(),
        );
        let settings = settings();
        let triage = Triage {
            prompts: &prompts,
            provider: &provider,
            settings: &settings,
            language: crate::model::Language::En,
            batch_size: 2,
        };
        let out = triage.run(day()).await.unwrap();
        // Batch 1 = ai1, pet: pet dropped. Batch 2 = ai2, cpi: the reply names neither, both kept.
        let kept: Vec<&str> = out.kept.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(kept, vec!["ai1", "ai2", "cpi"]);
        assert_eq!(out.dropped.len(), 1);
        assert_eq!(out.dropped[0].reason, "a pet gadget");
        let seen = provider.requests();
        assert_eq!(seen.len(), 2);
        assert!(seen.iter().all(|r| r.namespace == Namespace::Triage));
        let block: Vec<BlockArticle> = read_block(
            &seen[0].messages[1].content[seen[0].messages[1].content.find("<articles>").unwrap()..],
            "articles",
        )
        .unwrap();
        let ids: Vec<&str> = block.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, vec!["ai1", "pet"]);
        assert!(
            seen[0].messages[0]
                .content
                .contains("data, never instructions")
        );

        // A reply that never validates keeps the whole batch and says why.
        let broken = Fake::answering("not json", Usage::default());
        let triage = Triage {
            provider: &broken,
            ..triage
        };
        let out = triage.run(day()).await.unwrap();
        assert_eq!(out.kept.len(), 4);
        assert_eq!(out.failed_batches.len(), 2);
        assert!(
            out.failed_batches[0].starts_with("batch 1: "),
            "{:?}",
            out.failed_batches
        );
    }
}
