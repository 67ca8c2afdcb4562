//! Token estimates and the two budgets. In: rendered text, article lists and per-call usage;
//! out: token counts (o200k_base, an estimate for non-OpenAI models — the response's `usage` is
//! the truth for accounting), card inputs trimmed to `max_input_tokens_per_card`, and a
//! digest-wide USD budget layer that refuses new calls once the money is spent.

use std::sync::Mutex;

use async_trait::async_trait;

use super::blocks::BlockArticle;
use super::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId, Usage};
use crate::config::PricingConfig;

/// Tokens in `text` under o200k_base.
pub fn count_tokens(text: &str) -> usize {
    tiktoken_rs::o200k_base_singleton().count_ordinary(text)
}

/// Prompt tokens of a request (messages plus ~4 tokens of framing each) plus its output ceiling.
pub fn estimate_request_tokens(req: &ChatRequest) -> u64 {
    let prompt: usize = req
        .messages
        .iter()
        .map(|m| count_tokens(&m.content) + 4)
        .sum();
    prompt as u64 + 3 + u64::from(req.max_tokens.unwrap_or(0))
}

/// USD cost of `usage` at `pricing` (per million tokens).
pub fn cost_usd(usage: Usage, pricing: &PricingConfig) -> f64 {
    (usage.prompt_tokens as f64 * pricing.input + usage.completion_tokens as f64 * pricing.output)
        / 1_000_000.0
}

/// Characters of body text always kept per article: titles and leads are never trimmed away.
const LEAD_CHARS: usize = 200;

/// Fits a topic's articles (best first) into `max_tokens` of `<articles>` block: first the
/// lowest-ranked articles lose their body beyond the lead, then every body is cut proportionally.
/// Returns the fitted articles and whether anything was trimmed.
pub fn fit_articles(
    mut articles: Vec<BlockArticle>,
    max_tokens: usize,
) -> (Vec<BlockArticle>, bool) {
    let size = |articles: &[BlockArticle]| {
        count_tokens(&serde_json::to_string(articles).unwrap_or_default())
    };
    // A byte-level BPE token covers at least one byte, so a block no longer in bytes than the
    // budget fits without counting: the common case skips the tokenizer (and its ~0.1-0.2 s
    // first-use initialisation, which dominated a warm rerun answered wholly from the cache).
    let bytes = serde_json::to_string(&articles).map_or(usize::MAX, |s| s.len());
    if bytes <= max_tokens || size(&articles) <= max_tokens {
        return (articles, false);
    }
    for i in (1..articles.len()).rev() {
        truncate_chars(&mut articles[i].text, LEAD_CHARS);
        if size(&articles) <= max_tokens {
            return (articles, true);
        }
    }
    // Still too big: shrink every body towards its lead, longest first, in a few passes.
    for _ in 0..8 {
        let total = size(&articles);
        if total <= max_tokens {
            break;
        }
        let ratio = max_tokens as f64 / total as f64;
        for article in &mut articles {
            let chars = article.text.chars().count();
            let target = ((chars as f64 * ratio * 0.95) as usize).max(LEAD_CHARS.min(chars));
            truncate_chars(&mut article.text, target);
        }
    }
    (articles, true)
}

fn truncate_chars(text: &mut String, max_chars: usize) {
    if let Some((byte, _)) = text.char_indices().nth(max_chars) {
        text.truncate(byte);
        text.push('…');
    }
}

/// Refuses calls once the spent plus the next call's worst case would pass the budget. Sits
/// under the cache layer, so cache hits cost nothing.
pub struct Budgeted<P> {
    inner: P,
    budget_usd: f64,
    pricing: PricingConfig,
    spent: Mutex<f64>,
}

impl<P: Provider> Budgeted<P> {
    pub fn new(inner: P, budget_usd: f64, pricing: PricingConfig) -> Self {
        Budgeted {
            inner,
            budget_usd,
            pricing,
            spent: Mutex::new(0.0),
        }
    }
}

#[async_trait]
impl<P: Provider> Provider for Budgeted<P> {
    fn id(&self) -> &ProviderId {
        self.inner.id()
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let prompt: usize = req
            .messages
            .iter()
            .map(|m| count_tokens(&m.content) + 4)
            .sum();
        let worst = cost_usd(
            Usage {
                prompt_tokens: prompt as u64,
                completion_tokens: u64::from(req.max_tokens.unwrap_or(0)),
            },
            &self.pricing,
        );
        {
            let spent = *self.spent.lock().expect("budget mutex");
            if spent + worst > self.budget_usd {
                return Err(LlmError::BudgetExhausted(format!(
                    "${spent:.4} of ${:.2} spent; this call could cost up to ${worst:.4} (raise limits.budget_usd or --budget-usd)",
                    self.budget_usd
                )));
            }
        }
        let resp = self.inner.chat(req).await?;
        *self.spent.lock().expect("budget mutex") += cost_usd(resp.usage, &self.pricing);
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{Message, Namespace, ResponseFormat};

    fn article(id: &str, text: &str) -> BlockArticle {
        BlockArticle {
            id: id.into(),
            outlet: "o".into(),
            title: format!("title {id}"),
            published: "2026-01-05T00:00:00Z".into(),
            url: format!("https://example.com/{id}"),
            text: text.into(),
        }
    }

    #[test]
    fn small_inputs_are_untouched() {
        let input = vec![article("a", "short text")];
        let (fitted, trimmed) = fit_articles(input.clone(), 1000);
        assert_eq!(fitted, input);
        assert!(!trimmed);
    }

    #[test]
    fn trims_lowest_ranked_first_and_keeps_titles_and_leads() {
        let long = "word ".repeat(2000);
        let input = vec![article("a", &long), article("b", &long)];
        let (fitted, trimmed) = fit_articles(input, 2600);
        assert!(trimmed);
        assert_eq!(
            fitted[0].text, long,
            "the best article keeps its body while the budget allows"
        );
        assert!(fitted[1].text.chars().count() <= LEAD_CHARS + 1);
        assert_eq!(fitted[1].title, "title b");

        let (fitted, _) = fit_articles(vec![article("a", &long), article("b", &long)], 600);
        assert!(count_tokens(&serde_json::to_string(&fitted).unwrap()) <= 600);
        assert!(fitted.iter().all(|a| a.text.starts_with("word word")));
    }

    #[test]
    fn cost_uses_per_million_prices() {
        let pricing = PricingConfig {
            input: 0.15,
            output: 0.60,
        };
        let cost = cost_usd(
            Usage {
                prompt_tokens: 1_000_000,
                completion_tokens: 500_000,
            },
            &pricing,
        );
        assert!((cost - 0.45).abs() < 1e-12);
    }

    struct Free(ProviderId);

    #[async_trait]
    impl Provider for Free {
        fn id(&self) -> &ProviderId {
            &self.0
        }
        async fn chat(&self, _req: &ChatRequest) -> Result<ChatResponse, LlmError> {
            Ok(ChatResponse {
                content: String::new(),
                usage: Usage {
                    prompt_tokens: 1_000,
                    completion_tokens: 1_000,
                },
                latency_ms: 0,
                cached: false,
                raw: None,
                structured_output: None,
            })
        }
    }

    #[tokio::test]
    async fn budget_refuses_calls_once_spent() {
        // 1k in + 1k out at $1/M each = $0.002 per call; a $0.005 budget allows two calls.
        let layer = Budgeted::new(
            Free(ProviderId {
                kind: "f".into(),
                host: String::new(),
            }),
            0.005,
            PricingConfig {
                input: 1.0,
                output: 1.0,
            },
        );
        let req = ChatRequest {
            max_tokens: Some(1000),
            ..ChatRequest::new(
                Namespace::Card,
                "m",
                vec![Message::user("hello")],
                ResponseFormat::Prompt,
            )
        };
        assert!(layer.chat(&req).await.is_ok());
        assert!(layer.chat(&req).await.is_ok());
        let err = layer.chat(&req).await.unwrap_err();
        assert!(matches!(err, LlmError::BudgetExhausted(_)), "{err}");
    }
}
