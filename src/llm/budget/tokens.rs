//! The one token estimate of the program. In: text or a chat request; out: token counts under
//! the provider's tiktoken encoding (o200k_base or cl100k_base) — an estimate for non-OpenAI
//! models, whose response `usage` is the truth for accounting.

use crate::config::TokenEncoding;
use crate::llm::ChatRequest;

/// Tokens in `text` under o200k_base.
pub fn count_tokens(text: &str) -> usize {
    Estimator::new(TokenEncoding::O200kBase).count(text)
}

/// The one token estimate of the program (rate limits, budget reservations, context fitting):
/// a tiktoken encoding chosen per provider preset. Non-OpenAI models tokenize differently, so
/// it is an estimate; the response's `usage` is the truth for accounting.
#[derive(Debug, Clone, Copy)]
pub struct Estimator {
    pub(super) encoding: TokenEncoding,
}

impl Estimator {
    pub fn new(encoding: TokenEncoding) -> Self {
        Estimator { encoding }
    }

    pub fn count(&self, text: &str) -> usize {
        match self.encoding {
            TokenEncoding::O200kBase => tiktoken_rs::o200k_base_singleton().count_ordinary(text),
            TokenEncoding::Cl100kBase => tiktoken_rs::cl100k_base_singleton().count_ordinary(text),
        }
    }

    /// Prompt tokens of a request: its messages plus ~4 tokens of framing each and 3 for the
    /// reply primer (what OpenAI's chat format adds).
    pub fn prompt_tokens(&self, req: &ChatRequest) -> u64 {
        let messages: usize = req
            .messages
            .iter()
            .map(|m| self.count(&m.content) + 4)
            .sum();
        messages as u64 + 3
    }
}

/// Prompt tokens of a request (o200k_base) plus its output ceiling.
pub fn estimate_request_tokens(req: &ChatRequest) -> u64 {
    Estimator::new(TokenEncoding::O200kBase).prompt_tokens(req)
        + u64::from(req.max_tokens.unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::testing::request;

    fn o200k() -> Estimator {
        Estimator::new(TokenEncoding::O200kBase)
    }

    #[test]
    fn encodings_differ_on_chinese_and_the_estimate_counts_framing() {
        let zh = "阿里巴巴今天发布了新一代大语言模型，在多项基准测试中超过了前代。";
        let o200k_count = Estimator::new(TokenEncoding::O200kBase).count(zh);
        let cl100k_count = Estimator::new(TokenEncoding::Cl100kBase).count(zh);
        assert!(
            cl100k_count > o200k_count,
            "{cl100k_count} vs {o200k_count}"
        );
        let req = request("hello", 50);
        let words: u64 = req
            .messages
            .iter()
            .map(|m| count_tokens(&m.content) as u64)
            .sum();
        assert_eq!(o200k().prompt_tokens(&req), words + 4 * 2 + 3);
        assert_eq!(estimate_request_tokens(&req), words + 4 * 2 + 3 + 50);
    }
}
