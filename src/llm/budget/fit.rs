//! The per-card token budget. In: a topic's articles (best first) and `max_input_tokens_per_card`;
//! out: the articles trimmed to fit — the lowest-ranked bodies first, titles and leads never —
//! and whether anything was cut. The fitted block is part of each card's cache key, so the
//! trimming must stay byte-stable.

use super::tokens::Estimator;
use crate::config::TokenEncoding;
use crate::llm::blocks::BlockArticle;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::budget::count_tokens;

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
}
