//! Lexical AI relevance: how much a text is news about AI, from the density of AI vocabulary
//! (English and Chinese terms, model names with versions). In: a title and a body; out: a score
//! in 0..1. Ranking drops off-topic stories with it, and the extractive provider answers triage
//! with it, so both judge relevance by the same rule.

use std::sync::OnceLock;

use super::{Options, Stopwords, TokenKind, is_han};

/// Where an AI-news day separates from the rest. On the fixture day the seven off-topic items
/// (pet feeder, inflation, football …) score 0.00 and the least relevant AI story 0.67; on
/// the real corpus 33 of 411 articles fall below 0.25, nearly all physics, ecology and biology
/// papers, recruitment notices and finance, while AI product news starts around 0.27.
pub const DEFAULT_MIN_RELEVANCE: f64 = 0.25;

/// Latin AI vocabulary and its weight per occurrence. Words that also live outside AI
/// ("model", "training", "agent") weigh less than words that do not ("llm", "gpu").
#[rustfmt::skip]
const LATIN_TERMS: &[(&str, f64)] = &[
    ("ai", 1.0), ("agi", 1.0), ("llm", 1.0), ("llms", 1.0), ("gpt", 1.0), ("chatgpt", 1.0),
    ("openai", 1.0), ("anthropic", 1.0), ("deepmind", 1.0), ("claude", 1.0), ("gemini", 1.0),
    ("llama", 1.0), ("qwen", 1.0), ("deepseek", 1.0), ("mistral", 1.0), ("grok", 1.0),
    ("kimi", 1.0), ("glm", 1.0), ("minimax", 0.8), ("copilot", 1.0), ("chatbot", 1.0),
    ("chatbots", 1.0), ("transformer", 1.0), ("transformers", 1.0), ("neural", 1.0), ("agent", 0.6),
    ("agents", 0.6), ("agentic", 1.0), ("inference", 1.0), ("training", 0.6), ("pretraining", 1.0),
    ("gpu", 1.0), ("gpus", 1.0), ("nvidia", 0.8), ("cuda", 1.0), ("benchmark", 0.8),
    ("benchmarks", 0.8), ("multimodal", 1.0), ("diffusion", 0.8), ("reasoning", 0.6),
    ("model", 0.5), ("models", 0.5), ("dataset", 0.8), ("datasets", 0.8), ("embedding", 1.0),
    ("embeddings", 1.0), ("tokens", 0.5), ("prompt", 0.8), ("prompts", 0.8), ("rlhf", 1.0),
    ("generative", 1.0), ("robot", 0.6), ("robots", 0.6), ("robotics", 0.8), ("humanoid", 0.8),
    ("embodied", 1.0), ("parameters", 0.4), ("algorithm", 0.4), ("algorithms", 0.4),
    ("artificial", 0.5), ("intelligence", 0.5), ("learning", 0.4), ("huggingface", 1.0),
    ("hugging", 0.5), ("compute", 0.6), ("chip", 0.4), ("chips", 0.4), ("vllm", 1.0),
    ("pytorch", 1.0), ("fine", 0.2), ("tuning", 0.4), ("alignment", 0.4), ("hallucination", 1.0),
    ("hallucinations", 1.0), ("autonomous", 0.4), ("vision", 0.3), ("arxiv", 0.8), ("triton", 0.6),
    ("tvm", 0.6), ("rag", 0.8), ("mcp", 0.8), ("aigc", 1.0), ("assistant", 0.6),
    ("assistants", 0.6), ("generation", 0.3), ("generate", 0.3), ("generates", 0.3),
    ("generated", 0.3), ("generating", 0.3), ("retrieval", 0.8), ("vector", 0.5), ("semantic", 0.4),
];

/// Model families: a versioned name starting with one of these (`gpt-5.2`, `qwen3-vl`) is AI.
#[rustfmt::skip]
const MODEL_FAMILIES: &[&str] = &[
    "gpt", "o1", "o3", "o4", "claude", "gemini", "gemma", "medgemma", "llama", "qwen", "deepseek",
    "glm", "kimi", "mistral", "mixtral", "grok", "phi", "ernie", "hunyuan", "doubao", "baichuan",
    "yi", "minimax", "sora", "veo", "imagen", "flux", "stable", "sd", "dall", "whisper", "nano",
    "seedream", "seedance", "kling", "vidu", "internlm", "step", "longcat", "pangu", "r1", "v3",
];

/// Chinese AI vocabulary (both scripts) and its weight per occurrence. `大模型` also contains
/// `模型`, so it counts twice — deliberately: it is the single most telling word.
#[rustfmt::skip]
const HAN_TERMS: &[(&str, f64)] = &[
    ("人工智能", 1.0), ("人工智慧", 1.0), ("大模型", 1.0), ("模型", 1.0), ("智能体", 1.0), ("智能體", 1.0),
    ("算力", 1.0), ("机器人", 0.8), ("機器人", 0.8), ("神经网络", 1.0), ("神經網絡", 1.0), ("神經網路", 1.0),
    ("训练", 0.8), ("訓練", 0.8), ("推理", 0.6), ("深度学习", 1.0), ("深度學習", 1.0), ("机器学习", 1.0),
    ("機器學習", 1.0), ("生成式", 1.0), ("多模态", 1.0), ("多模態", 1.0), ("数据集", 0.8), ("數據集", 0.8),
    ("資料集", 0.8), ("具身", 1.0), ("芯片", 0.4), ("晶片", 0.4), ("开源", 0.4), ("開源", 0.4), ("算法", 0.5),
    ("演算法", 0.5), ("基准", 0.6), ("基準", 0.6), ("微调", 1.0), ("微調", 1.0), ("预训练", 1.0), ("預訓練", 1.0),
    ("英伟达", 0.8), ("輝達", 0.8), ("提示词", 1.0), ("提示詞", 1.0), ("自动驾驶", 0.6), ("自動駕駛", 0.6),
    ("参数", 0.3), ("參數", 0.3), ("显卡", 0.8), ("顯卡", 0.8), ("语料", 0.8), ("語料", 0.8), ("向量", 0.3),
    ("强化学习", 1.0), ("強化學習", 1.0), ("幻觉", 0.5), ("幻覺", 0.5), ("生成", 0.3), ("助手", 0.4),
];

/// Characters of body read for relevance: the lead says what an article is about.
const RELEVANCE_BODY_CHARS: usize = 3000;
/// Title hits count this many extra times: an AI headline is a strong statement.
const RELEVANCE_TITLE_EXTRA: f64 = 2.0;
/// Weighted AI-term hits per word at which relevance saturates to 1.0. AI reporting runs at
/// 5-10 %; an article that mentions "AI" twice in passing stays near 1 %.
const RELEVANCE_SATURATION: f64 = 0.04;
/// Different AI terms an article needs for full relevance.
const RELEVANCE_MIN_DISTINCT: f64 = 3.0;
/// Texts shorter than this many words are scored as if they had it, so a ten-word snippet
/// with one "AI" is not called more relevant than a full AI article.
const RELEVANCE_MIN_WORDS: f64 = 40.0;

/// AI vocabulary found in a text: weighted hits, distinct terms, and the word count.
struct AiHits {
    hits: f64,
    distinct: Vec<String>,
    words: f64,
}

/// How often each of `HAN_TERMS` occurs in `text` (non-overlapping, as `str::matches` counts),
/// in one pass over the text: scanning it once per term made ranking a warm rerun's costliest
/// step after clustering.
fn han_term_counts(text: &str) -> Vec<usize> {
    // Sorted by first character and searched by bisection: a hashed lookup per character of
    // every text was a third of ranking.
    static BY_FIRST_CHAR: OnceLock<Vec<(char, Vec<usize>)>> = OnceLock::new();
    let index = BY_FIRST_CHAR.get_or_init(|| {
        let mut index: Vec<(char, Vec<usize>)> = Vec::new();
        for (i, (term, _)) in HAN_TERMS.iter().enumerate() {
            let Some(first) = term.chars().next() else {
                continue;
            };
            match index.binary_search_by_key(&first, |(c, _)| *c) {
                Ok(at) => index[at].1.push(i),
                Err(at) => index.insert(at, (first, vec![i])),
            }
        }
        index
    });
    let (lowest, highest) = match (index.first(), index.last()) {
        (Some(first), Some(last)) => (first.0, last.0),
        _ => return vec![0; HAN_TERMS.len()],
    };
    let mut counts = vec![0usize; HAN_TERMS.len()];
    let mut free_from = vec![0usize; HAN_TERMS.len()];
    for (at, c) in text.char_indices() {
        if c < lowest || c > highest {
            continue;
        }
        let Ok(entry) = index.binary_search_by_key(&c, |(first, _)| *first) else {
            continue;
        };
        for &t in &index[entry].1 {
            let term = HAN_TERMS[t].0;
            if at >= free_from[t] && text[at..].starts_with(term) {
                counts[t] += 1;
                free_from[t] = at + term.len();
            }
        }
    }
    counts
}

/// AI-term hits in `text`. A Chinese word is counted as 1.5 characters.
fn ai_hits(text: &str) -> AiHits {
    // One pass: the text with Han blanked out for the Latin tokenizer, its Latin words (runs of
    // letters and digits) and its Han characters.
    let mut latin = String::with_capacity(text.len());
    let (mut latin_words, mut han_chars, mut in_word) = (0usize, 0usize, false);
    for c in text.chars() {
        let c = if is_han(c) {
            han_chars += 1;
            ' '
        } else {
            c
        };
        let alphanumeric = c.is_alphanumeric();
        latin_words += usize::from(alphanumeric && !in_word);
        in_word = alphanumeric;
        latin.push(c);
    }
    let mut found = AiHits {
        hits: 0.0,
        distinct: Vec::new(),
        words: latin_words as f64 + han_chars as f64 / 1.5,
    };
    // Every word counts here: "ai" is a news-filler stopword for clustering, the core of relevance.
    let keep_all = Options {
        stopwords: Stopwords::Keep,
        ..Options::CLUSTER
    };
    for token in super::tokenize(&latin, &keep_all) {
        let weight = latin_weight(&token.text, token.kind);
        if weight > 0.0 {
            found.hits += weight;
            found.distinct.push(token.text);
        }
    }
    if han_chars == 0 {
        return found;
    }
    for ((term, weight), count) in HAN_TERMS.iter().zip(han_term_counts(text)) {
        if count > 0 {
            found.hits += weight * count as f64;
            found.distinct.push(term.to_string());
        }
    }
    found
}

fn latin_weight(token: &str, kind: TokenKind) -> f64 {
    match kind {
        TokenKind::Model => {
            // `qwen3-vl` → `qwen3` → `qwen`; `o3-mini` → `o3`.
            let head = token.split(['-', '.']).next().unwrap_or("");
            let family = head.trim_end_matches(|c: char| c.is_ascii_digit());
            if MODEL_FAMILIES.contains(&head) || MODEL_FAMILIES.contains(&family) {
                1.0
            } else {
                0.5
            }
        }
        TokenKind::Code => 0.3,
        _ => latin_term_weight(token),
    }
}

/// The weight `LATIN_TERMS` gives `token` (its first entry), 0 for none: by bisection over a
/// sorted copy, since every word of every text is looked up.
fn latin_term_weight(token: &str) -> f64 {
    static SORTED: OnceLock<Vec<(&str, f64)>> = OnceLock::new();
    let sorted = SORTED.get_or_init(|| {
        let mut sorted: Vec<(&str, f64)> = Vec::with_capacity(LATIN_TERMS.len());
        for &(term, weight) in LATIN_TERMS {
            if let Err(at) = sorted.binary_search_by_key(&term, |(t, _)| *t) {
                sorted.insert(at, (term, weight));
            }
        }
        sorted
    });
    sorted
        .binary_search_by_key(&token, |(t, _)| *t)
        .map_or(0.0, |at| sorted[at].1)
}

/// 0..1 lexical AI relevance: the density of AI vocabulary (English and Chinese terms, model
/// names with versions) in the title and the start of the body, title hits weighted up,
/// saturating at `RELEVANCE_SATURATION` hits per word, and scaled down when fewer than
/// `RELEVANCE_MIN_DISTINCT` different terms occur (one "AI-powered" in a gadget review is not AI
/// news, however short the review).
pub fn ai_relevance(title: &str, body: &str) -> f64 {
    let body = match body.char_indices().nth(RELEVANCE_BODY_CHARS) {
        Some((end, _)) => &body[..end],
        None => body,
    };
    let title = ai_hits(title);
    let body = ai_hits(body);
    let hits = title.hits * (1.0 + RELEVANCE_TITLE_EXTRA) + body.hits;
    let words = (title.words + body.words).max(RELEVANCE_MIN_WORDS);
    let mut distinct = title.distinct;
    distinct.extend(body.distinct);
    distinct.sort_unstable();
    distinct.dedup();
    let variety = (distinct.len() as f64 / RELEVANCE_MIN_DISTINCT).min(1.0);
    (hits / words / RELEVANCE_SATURATION).min(1.0) * variety
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn han_terms_are_counted_as_str_matches_counts_them() {
        let text =
            "大模型和模型：阿里发布多模态大模型，模型训练与預訓練、推理算力。人工智能人工智能";
        let expected: Vec<usize> = HAN_TERMS
            .iter()
            .map(|(term, _)| text.matches(term).count())
            .collect();
        assert_eq!(han_term_counts(text), expected);
        assert!(
            expected.iter().sum::<usize>() > 8,
            "the sample exercises the terms"
        );
        assert!(han_term_counts("no han here").iter().all(|&n| n == 0));
    }

    #[test]
    fn term_lookups_agree_with_the_tables() {
        // `ai_hits` skips the Han scan for texts without Han characters.
        assert!(HAN_TERMS.iter().all(|(term, _)| term.chars().all(is_han)));
        for (term, _) in LATIN_TERMS {
            let first = LATIN_TERMS.iter().find(|(t, _)| t == term).unwrap().1;
            assert_eq!(latin_term_weight(term), first, "{term}");
        }
        for word in ["", "a", "aix", "zzz", "model\u{301}", "模型"] {
            assert_eq!(latin_term_weight(word), 0.0, "{word}");
        }
    }

    #[test]
    fn relevance_separates_ai_from_gadgets_and_economy() {
        let ai = (
            "DeepSeek releases V4 with a new attention mechanism",
            "The model was trained on 20T tokens using 2,048 GPUs. DeepSeek says inference cost \
             drops by half, and the open weights beat GPT-5.2 on three reasoning benchmarks. The \
             LLM uses a sparse mixture-of-experts transformer.",
        );
        let zh = (
            "智谱开源GLM-4.7，大模型编程能力再升级",
            "智谱今天开源了新一代大模型GLM-4.7，在多项编程基准上超过前代模型。该模型采用新的训练方法，\
             推理速度提升一倍，并提供智能体框架。",
        );
        let pet = (
            "This smart cat feeder keeps your pet on schedule",
            "The feeder holds four pounds of kibble, pairs with a phone app and sends an alert when \
             the bowl is empty. The company says an AI camera recognises each cat, but the real draw \
             is the stainless-steel bowl and the quiet motor. It costs $129 and ships next month \
             in white or grey. Reviewers liked the battery backup during power cuts.",
        );
        let inflation = (
            "Inflation cools to 2.7% as energy prices fall",
            "Consumer prices rose 2.7% in December from a year earlier, down from 3.1% in November, \
             as gasoline and heating costs dropped. Economists expect the central bank to hold \
             rates steady at its next meeting while wage growth slows.",
        );
        let (r_ai, r_zh, r_pet, r_inf) = (
            ai_relevance(ai.0, ai.1),
            ai_relevance(zh.0, zh.1),
            ai_relevance(pet.0, pet.1),
            ai_relevance(inflation.0, inflation.1),
        );
        assert!(r_ai > 0.8 && r_zh > 0.8, "ai {r_ai}, zh {r_zh}");
        assert!(r_pet < 0.25, "pet gadget {r_pet}");
        assert!(r_inf < 0.05, "inflation {r_inf}");
        assert!((0.0..=1.0).contains(&r_ai));
    }
}
