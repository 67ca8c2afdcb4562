//! Token estimates and the two budgets. In: rendered text, article lists and per-call usage;
//! out: token counts (o200k_base, an estimate for non-OpenAI models — the response's `usage` is
//! the truth for accounting), card inputs trimmed to `max_input_tokens_per_card`, and a
//! digest-wide USD budget layer that refuses new calls once the money is spent.

use std::sync::Mutex;

use async_trait::async_trait;

use super::blocks::BlockArticle;
use super::{ChatRequest, ChatResponse, LlmError, Provider, ProviderId, Usage};
use crate::config::{PricingConfig, TokenEncoding};

/// Tokens in `text` under o200k_base.
pub fn count_tokens(text: &str) -> usize {
    Estimator::new(TokenEncoding::O200kBase).count(text)
}

/// The one token estimate of the program (rate limits, budget reservations, context fitting):
/// a tiktoken encoding chosen per provider preset. Non-OpenAI models tokenize differently, so
/// it is an estimate; the response's `usage` is the truth for accounting.
#[derive(Debug, Clone, Copy)]
pub struct Estimator {
    encoding: TokenEncoding,
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
pub fn fit_articles(articles: Vec<BlockArticle>, max_tokens: usize) -> (Vec<BlockArticle>, bool) {
    fit_articles_with(
        articles,
        max_tokens,
        &Estimator::new(TokenEncoding::O200kBase),
    )
}

/// `fit_articles`, counting with `estimator`.
pub fn fit_articles_with(
    mut articles: Vec<BlockArticle>,
    max_tokens: usize,
    estimator: &Estimator,
) -> (Vec<BlockArticle>, bool) {
    // A byte-level BPE token covers at least one byte, so a block no longer in bytes than the
    // budget fits without counting: the common case skips the tokenizer (and its ~0.1-0.2 s
    // first-use initialisation, which dominated a warm rerun answered wholly from the cache).
    let bytes = serde_json::to_string(&articles).map_or(usize::MAX, |s| s.len());
    if bytes <= max_tokens {
        return (articles, false);
    }
    // Counted per article, so a trim step recounts the one body it cut instead of the block: a
    // cache hit still fits its articles (the fitted prompt is its key), and recounting the whole
    // block after every step made the card stage of a warm rerun mostly tokenizer.
    let mut size = ListTokens::new(&articles, estimator);
    if size.total() <= max_tokens {
        return (articles, false);
    }
    for i in (1..articles.len()).rev() {
        if truncate_chars(&mut articles[i].text, LEAD_CHARS) {
            size.recount(&articles, i);
        }
        if size.total() <= max_tokens {
            return (articles, true);
        }
    }
    // Still too big: shrink every body towards its lead, longest first, in a few passes.
    for _ in 0..8 {
        let total = size.total();
        if total <= max_tokens {
            break;
        }
        let ratio = max_tokens as f64 / total as f64;
        let mut cut = Vec::new();
        for (i, article) in articles.iter_mut().enumerate() {
            let chars = article.text.chars().count();
            let target = ((chars as f64 * ratio * 0.95) as usize).max(LEAD_CHARS.min(chars));
            if truncate_chars(&mut article.text, target) {
                cut.push(i);
            }
        }
        for i in cut {
            size.recount(&articles, i);
        }
    }
    (articles, true)
}

/// Tokens of an article list's compact JSON (the text `fit_articles` budgets), kept per article
/// so that cutting one body recounts that article alone.
///
/// The sum of the parts is the block's exact count, not an approximation. The JSON
/// `[{"id":…},{"id":…}]` is cut right before each `id":` but the first, and both encodings split
/// text into pieces with a regex before BPE, which never merges across pieces; so the count is
/// additive wherever a cut is a piece boundary that the scan of the whole and the scan of the
/// part after it both reach. Here it is: `"},{"` before the cut is all punctuation (no letter,
/// digit or space), which only the punctuation alternative (` ?[^\s\p{L}\p{N}]+`) consumes,
/// greedily, up to the letter `i`; a letter-led piece (`"id`) could start at the last `"` only if
/// a piece ended right before it, which that greedy run rules out; and the patterns look behind
/// nowhere and ahead only after whitespace, which no part ends with.
/// `list_counts_are_the_sums_of_their_parts` checks this on hostile texts in both encodings.
struct ListTokens<'e> {
    estimator: &'e Estimator,
    parts: Vec<usize>,
}

impl<'e> ListTokens<'e> {
    fn new(articles: &[BlockArticle], estimator: &'e Estimator) -> Self {
        let mut list = ListTokens {
            estimator,
            parts: vec![0; articles.len()],
        };
        for i in 0..articles.len() {
            list.recount(articles, i);
        }
        list
    }

    /// Recounts article `i`'s part: `[` before the first, each but the first without its opening
    /// `{"` (the part before it carries that), then `,{"` or the closing `]`.
    fn recount(&mut self, articles: &[BlockArticle], i: usize) {
        let json = serde_json::to_string(&articles[i]).unwrap_or_default();
        let mut part = String::with_capacity(json.len() + 3);
        if i == 0 {
            part.push('[');
            part.push_str(&json);
        } else {
            part.push_str(json.strip_prefix("{\"").unwrap_or(&json));
        }
        part.push_str(if i + 1 < articles.len() { ",{\"" } else { "]" });
        self.parts[i] = self.estimator.count(&part);
    }

    fn total(&self) -> usize {
        if self.parts.is_empty() {
            return self.estimator.count("[]");
        }
        self.parts.iter().sum()
    }
}

/// Cuts `text` to `max_chars` characters plus an ellipsis; whether it was longer.
fn truncate_chars(text: &mut String, max_chars: usize) -> bool {
    match text.char_indices().nth(max_chars) {
        Some((byte, _)) => {
            text.truncate(byte);
            text.push('…');
            true
        }
        None => false,
    }
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
    use crate::llm::testing::{Fake, request};
    use std::sync::Arc;
    use std::time::Duration;

    fn o200k() -> Estimator {
        Estimator::new(TokenEncoding::O200kBase)
    }

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

    /// The fitter as it was before it counted per article: it re-serialised and recounted the
    /// whole block after every step. The fitted prompt is part of every card's cache key, so the
    /// per-article fitter must give byte-identical results or every existing store misses.
    fn fit_by_whole_block(
        mut articles: Vec<BlockArticle>,
        max_tokens: usize,
        estimator: &Estimator,
    ) -> (Vec<BlockArticle>, bool) {
        let size = |articles: &[BlockArticle]| {
            estimator.count(&serde_json::to_string(articles).unwrap_or_default())
        };
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

    /// Text fragments chosen to sit at the part boundaries: trailing spaces, quotes and
    /// backslashes (escaped in JSON), digits, contractions, slashes, newlines and tabs, marks,
    /// emoji, both Chinese scripts, full-width punctuation, and an empty body.
    const FRAGMENTS: &[&str] = &[
        "DeepSeek releases V4 with a new attention mechanism. ",
        "The model's weights are open",
        "阿里巴巴今天发布了新一代大语言模型，在多项基准测试中超过了前代。",
        "智譜開源GLM-4.7，大模型編程能力再升級",
        "「人工智慧」",
        " 2026",
        "3.5%",
        "it's",
        "\"quoted\"",
        "back\\slash\\",
        "line\nbreak\r\n",
        "\ttab\t",
        "https://example.com/a/b/",
        "   ",
        "e\u{301}",
        "🚀🤖",
        "<tag>&amp;",
        "…",
        "",
        "x",
        "1,000",
        "Ünïcödé ÀÉÎ",
        "\u{3000}全角\u{3000}",
        "'s",
        "}{,[]",
    ];

    /// A pseudo-random article list (xorshift, so the cases are the same every run).
    fn varied_articles(seed: &mut u64, count: usize, max_pieces: usize) -> Vec<BlockArticle> {
        let mut next = move |n: usize| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            (*seed % n.max(1) as u64) as usize
        };
        (0..count)
            .map(|i| {
                let pieces = next(max_pieces + 1);
                let text: String = (0..pieces)
                    .map(|_| FRAGMENTS[next(FRAGMENTS.len())])
                    .collect();
                let title: String = (0..next(4))
                    .map(|_| FRAGMENTS[next(FRAGMENTS.len())])
                    .collect();
                BlockArticle {
                    id: format!("a{i}"),
                    outlet: FRAGMENTS[next(FRAGMENTS.len())].into(),
                    title,
                    published: "2026-01-05T00:00:00Z".into(),
                    url: format!("https://example.com/{i}"),
                    text,
                }
            })
            .collect()
    }

    fn both_encodings() -> [Estimator; 2] {
        [
            Estimator::new(TokenEncoding::O200kBase),
            Estimator::new(TokenEncoding::Cl100kBase),
        ]
    }

    #[test]
    fn list_counts_are_the_sums_of_their_parts() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for estimator in both_encodings() {
            for case in 0..400 {
                let articles = varied_articles(&mut seed, 1 + case % 6, 12);
                let whole = estimator.count(&serde_json::to_string(&articles).unwrap());
                assert_eq!(
                    ListTokens::new(&articles, &estimator).total(),
                    whole,
                    "{:?} case {case}: {articles:?}",
                    estimator.encoding
                );
            }
            assert_eq!(
                ListTokens::new(&[], &estimator).total(),
                estimator.count("[]")
            );
        }
    }

    #[test]
    fn per_article_fitting_is_the_whole_block_fitting() {
        let mut seed = 0x2545_f491_4f6c_dd1d;
        let mut trimmed_cases = 0;
        for estimator in both_encodings() {
            for case in 0..120 {
                // Long bodies (hundreds of fragments) against budgets from a few tokens (every
                // body cut to its lead, and still too big) to more than the block needs.
                let articles = varied_articles(&mut seed, 1 + case % 7, 40 + case * 5);
                let budget = [5, 40, 150, 400, 900, 2000, 6000][case % 7];
                let old = fit_by_whole_block(articles.clone(), budget, &estimator);
                let new = fit_articles_with(articles, budget, &estimator);
                assert_eq!(new, old, "{:?} case {case}", estimator.encoding);
                trimmed_cases += usize::from(new.1);
            }
            assert_eq!(
                fit_articles_with(Vec::new(), 0, &estimator),
                fit_by_whole_block(Vec::new(), 0, &estimator)
            );
        }
        assert!(
            trimmed_cases > 100,
            "the cases exercise trimming: {trimmed_cases}"
        );
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
