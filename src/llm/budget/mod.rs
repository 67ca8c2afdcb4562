//! Token estimates and the two budgets. In: rendered text, article lists and per-call usage;
//! out: token counts (`tokens.rs`: the provider's encoding, an estimate for non-OpenAI models —
//! the response's `usage` is the truth for accounting), card inputs trimmed to
//! `max_input_tokens_per_card` (`fit.rs`), and here the digest-wide USD budget layer that refuses
//! new calls once the money is spent.

mod fit;
mod tokens;

pub use fit::{fit_articles, fit_articles_with};
pub use tokens::{Estimator, count_tokens, estimate_request_tokens};

use std::sync::Mutex;

use async_trait::async_trait;

use super::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId, Usage};
use crate::config::PricingConfig;

/// USD cost of `usage` at `pricing` (per million tokens).
pub fn cost_usd(usage: Usage, pricing: &PricingConfig) -> f64 {
    (usage.prompt_tokens as f64 * pricing.input + usage.completion_tokens as f64 * pricing.output)
        / 1_000_000.0
}

/// Refuses calls once the spent plus the next call's worst case would pass the budget. Sits
/// under the cache layer, so cache hits cost nothing.
///
/// Honest under concurrency: a call *reserves* its worst case (prompt estimate + `max_tokens`
/// at `[pricing]`) under the same lock that reads the spend, before it is sent, so N calls that
/// start together can never all see "$0 spent"; once answered, the reservation is settled to the
/// real usage (or released, if the call failed). A response without `usage` is charged its
/// estimate (prompt estimate + the answer's own tokens), never 0, and carries that estimate as
/// its usage so the run report adds up to what the budget counted.
pub struct Budgeted<P> {
    inner: P,
    budget_usd: f64,
    pricing: PricingConfig,
    estimator: Estimator,
    ledger: Mutex<Spend>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Spend {
    spent: f64,
    reserved: f64,
}

impl<P: Provider> Budgeted<P> {
    pub fn new(inner: P, budget_usd: f64, pricing: PricingConfig, estimator: Estimator) -> Self {
        Budgeted {
            inner,
            budget_usd,
            pricing,
            estimator,
            ledger: Mutex::new(Spend::default()),
        }
    }

    /// USD settled so far (reservations of calls in flight not included).
    pub fn spent_usd(&self) -> f64 {
        self.ledger.lock().expect("budget mutex").spent
    }
}

/// A dollar amount with enough digits to tell small amounts apart: "$0.002", "$0.000123",
/// "$1.25". (Two decimals printed a $0.002 budget as "$0.00".)
pub fn fmt_usd(amount: f64) -> String {
    let digits = if amount == 0.0 || amount.abs() >= 1.0 {
        2
    } else {
        // Three significant digits below a dollar.
        (2 - amount.abs().log10().floor() as i32).clamp(2, 9) as usize
    };
    let text = format!("{amount:.digits$}");
    let trimmed = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    format!("${trimmed}")
}

#[async_trait]
impl<P: Provider> Provider for Budgeted<P> {
    fn id(&self) -> &ProviderId {
        self.inner.id()
    }

    async fn chat(&self, req: &ChatRequest) -> Result<ChatResponse, LlmError> {
        let prompt = self.estimator.prompt_tokens(req);
        let worst = cost_usd(
            Usage {
                prompt_tokens: prompt,
                completion_tokens: u64::from(req.max_tokens.unwrap_or(0)),
            },
            &self.pricing,
        );
        {
            let mut ledger = self.ledger.lock().expect("budget mutex");
            let committed = ledger.spent + ledger.reserved;
            if committed + worst > self.budget_usd {
                return Err(LlmError::BudgetExhausted(format!(
                    "{} of {} spent or reserved; this call could cost up to {} (raise limits.budget_usd or --budget-usd)",
                    fmt_usd(committed),
                    fmt_usd(self.budget_usd),
                    fmt_usd(worst)
                )));
            }
            ledger.reserved += worst;
        }
        let result = self.inner.chat(req).await;
        let mut ledger = self.ledger.lock().expect("budget mutex");
        ledger.reserved = (ledger.reserved - worst).max(0.0);
        let mut resp = result?;
        if resp.usage == Usage::default() {
            resp.usage = Usage {
                prompt_tokens: prompt,
                completion_tokens: self.estimator.count(&resp.content) as u64,
            };
        }
        ledger.spent += cost_usd(resp.usage, &self.pricing);
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TokenEncoding;
    use crate::llm::testing::{Fake, request};
    use std::sync::Arc;
    use std::time::Duration;

    fn o200k() -> Estimator {
        Estimator::new(TokenEncoding::O200kBase)
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

    fn priced() -> PricingConfig {
        PricingConfig {
            input: 1.0,
            output: 1.0,
        }
    }

    fn thousand_each() -> Usage {
        Usage {
            prompt_tokens: 1_000,
            completion_tokens: 1_000,
        }
    }

    #[tokio::test]
    async fn budget_refuses_calls_once_spent() {
        // 1k in + 1k out at $1/M each = $0.002 per call; the worst case of the request below is
        // ~$0.001 (tiny prompt + 1000 max_tokens), so a $0.005 budget allows two calls.
        let fake = Arc::new(Fake::answering("{}", thousand_each()));
        let layer = Budgeted::new(fake.clone(), 0.005, priced(), o200k());
        let req = request("hello", 1000);
        assert!(layer.chat(&req).await.is_ok());
        assert!(layer.chat(&req).await.is_ok());
        let err = layer.chat(&req).await.unwrap_err();
        assert!(matches!(err, LlmError::BudgetExhausted(_)), "{err}");
        assert!(err.to_string().contains("$0.004 of $0.005"), "{err}");
        assert_eq!(fake.calls(), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn sixteen_concurrent_calls_on_a_budget_for_three_send_at_most_four() {
        // The regression: the check ran before anything was spent, so every first-round call
        // saw $0 and went out. Each call's worst case is the reservation; answers are slow so
        // all 16 are in flight together.
        let fake =
            Arc::new(Fake::answering("{}", thousand_each()).with_delay(Duration::from_secs(2)));
        let req = request("hello", 1000);
        let worst = cost_usd(
            Usage {
                prompt_tokens: o200k().prompt_tokens(&req),
                completion_tokens: 1000,
            },
            &priced(),
        );
        let layer = Arc::new(Budgeted::new(
            fake.clone(),
            worst * 3.0 + 1e-12,
            priced(),
            o200k(),
        ));
        let calls: Vec<_> = (0..16)
            .map(|_| {
                let layer = layer.clone();
                let req = req.clone();
                tokio::spawn(async move { layer.chat(&req).await })
            })
            .collect();
        let mut refused = 0;
        for call in calls {
            if let Err(LlmError::BudgetExhausted(_)) = call.await.unwrap() {
                refused += 1;
            }
        }
        assert!(fake.calls() <= 4, "{} calls sent", fake.calls());
        assert_eq!(fake.calls() + refused, 16);
        assert!(fake.calls() >= 3, "the budget allows three");
    }

    #[tokio::test]
    async fn a_response_without_usage_is_charged_its_estimate() {
        let fake = Arc::new(Fake::answering(&"word ".repeat(100), Usage::default()));
        let layer = Budgeted::new(fake, 1.0, priced(), o200k());
        let resp = layer.chat(&request("hello", 1000)).await.unwrap();
        assert!(resp.usage.prompt_tokens > 0);
        assert!(resp.usage.completion_tokens >= 100);
        assert!(layer.spent_usd() > 0.0);
        assert!((layer.spent_usd() - cost_usd(resp.usage, &priced())).abs() < 1e-15);
    }

    #[test]
    fn amounts_keep_enough_digits() {
        assert_eq!(fmt_usd(0.002), "$0.002");
        assert_eq!(fmt_usd(0.0123), "$0.0123");
        assert_eq!(fmt_usd(0.000_123_4), "$0.000123");
        assert_eq!(fmt_usd(1.5), "$1.5");
        assert_eq!(fmt_usd(0.0), "$0");
    }
}
